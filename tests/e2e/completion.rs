//! Shell completion, for real: the committed static scripts match what the binaries generate from
//! their clap definitions, and `kubectl __complete <plugin> …` (kubectl's own entry point for the
//! shells) reaches the plugin through the `kubectl_complete-*` link that `completion install`
//! creates and answers from the test cluster: flag names, kubeconfig contexts, namespaces, and
//! each plugin's own objects.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use firstaid_e2e::{Cluster, PLUGINS, cluster, plugin_bin_dir, workspace_root};

/// The words before kubectl's connection flags: ipv6-cidr takes them on `cluster` only.
fn kube_prefix(plugin: &str) -> Vec<&str> {
    if plugin == "ipv6-cidr" {
        vec![plugin, "cluster"]
    } else {
        vec![plugin]
    }
}

/// `prefix` followed by `rest`.
fn words<'a>(prefix: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
    prefix.iter().chain(rest).copied().collect()
}

fn stem(bin: &str) -> &str {
    bin.trim_start_matches("kubectl-")
}

fn ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Candidate values (descriptions after a tab dropped) and the directive line.
fn candidates(stdout: &str) -> (Vec<String>, String) {
    let mut lines: Vec<&str> = stdout.lines().collect();
    let directive = match lines.last() {
        Some(l) if l.starts_with(':') => lines.pop().unwrap_or_default().to_owned(),
        _ => String::new(),
    };
    let values = lines
        .iter()
        .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
        .collect();
    (values, directive)
}

#[test]
fn static_scripts_match_the_clap_definitions() {
    let files = |s: &str| {
        [
            ("bash", format!("completions/bash/kubectl-{s}")),
            ("zsh", format!("completions/zsh/_kubectl-{s}")),
            ("fish", format!("completions/fish/kubectl-{s}.fish")),
            (
                "powershell",
                format!("completions/powershell/kubectl-{s}.ps1"),
            ),
        ]
    };
    for (_, bin) in PLUGINS {
        for (shell, file) in files(stem(bin)) {
            let mut cmd = Command::new(plugin_bin_dir().join(bin));
            cmd.args(["completion", shell]).stdin(Stdio::null());
            let generated = ok(
                &cmd.output().expect("run plugin"),
                &format!("{bin} completion {shell}"),
            );
            let committed = std::fs::read_to_string(workspace_root().join(&file))
                .unwrap_or_else(|e| panic!("{file}: {e}; run scripts/gen-completions"));
            assert!(
                generated == committed,
                "{file} differs from `{bin} completion {shell}` (the flags changed): run \
                 scripts/gen-completions and commit the result"
            );
        }
    }
}

/// A directory with the `kubectl_complete-*` links, made the way users make them.
fn completion_links() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("firstaid-completers-")
            .tempdir()
            .expect("tempdir")
            .keep();
        for (_, bin) in PLUGINS {
            let mut cmd = Command::new(plugin_bin_dir().join(bin));
            cmd.args(["completion", "install", "--dir"])
                .arg(&dir)
                .stdin(Stdio::null());
            let text = ok(&cmd.output().expect("run plugin"), "completion install");
            assert!(text.contains("kubectl completion bash"), "{text}");
        }
        dir
    })
}

/// `kubectl __complete ARGS…` as the admin, with the completion links on PATH.
pub(crate) fn complete(c: &Cluster, args: &[&str]) -> (Vec<String>, String) {
    let mut full = vec!["__complete"];
    full.extend_from_slice(args);
    let mut cmd = c.command(&full);
    let mut path = vec![completion_links().to_path_buf(), plugin_bin_dir()];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    cmd.env("PATH", std::env::join_paths(path).expect("PATH"));
    let started = std::time::Instant::now();
    let out = cmd.output().expect("run kubectl");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "completion took {:?}",
        started.elapsed()
    );
    let stdout = ok(&out, &format!("kubectl {full:?}"));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("error"),
        "completion must be silent: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    candidates(&stdout)
}

#[test]
fn kubectl_completes_flags_contexts_and_namespaces_of_every_plugin() {
    let c = cluster();
    let ns = c.create_namespace("complete-me");
    let context = c.kubectl_ok(&["config", "current-context"]);
    let context = context.trim();
    for (plugin, _) in PLUGINS {
        let p = kube_prefix(plugin);
        let (values, directive) = complete(c, &words(&p, &["--con"]));
        assert!(
            values.contains(&"--context".to_owned()),
            "{plugin}: {values:?}"
        );
        assert!(values.iter().all(|v| v.starts_with("--con")), "{values:?}");
        assert_eq!(directive, ":4");

        let (values, _) = complete(c, &words(&p, &["--context", ""]));
        assert_eq!(values, [context], "{plugin}");

        let (values, directive) = complete(c, &words(&p, &["-n", ""]));
        assert!(values.contains(&ns), "{plugin}: {ns} not in {values:?}");
        assert!(values.contains(&"kube-system".to_owned()), "{values:?}");
        assert_eq!(directive, ":4");
        let (values, _) = complete(c, &words(&p, &["--namespace", &ns[..ns.len() - 2]]));
        assert_eq!(values, std::slice::from_ref(&ns), "{plugin}: prefix filter");

        let (values, _) = complete(c, &words(&p, &["-o", ""]));
        assert!(values.contains(&"json".to_owned()), "{plugin}: {values:?}");
        let (_, directive) = complete(c, &words(&p, &["--kubeconfig", ""]));
        assert_eq!(directive, ":0", "{plugin}: paths complete as files");
    }
}

#[test]
fn completion_is_silent_when_the_cluster_is_unreachable() {
    let c = cluster();
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("config");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\ncurrent-context: gone\nclusters:\n- {name: gone, cluster: {server: 'https://127.0.0.1:9'}}\nusers:\n- {name: u, user: {token: t}}\ncontexts:\n- {name: gone, context: {cluster: gone, user: u}}\n",
    )
    .expect("write kubeconfig");
    let kubeconfig = kubeconfig.to_string_lossy().into_owned();
    for (plugin, _) in PLUGINS {
        let p = kube_prefix(plugin);
        let (values, directive) = complete(c, &words(&p, &["--kubeconfig", &kubeconfig, "-n", ""]));
        assert!(values.is_empty(), "{plugin}: {values:?}");
        assert_eq!(directive, ":4");
        let (values, _) = complete(
            c,
            &words(&p, &["--kubeconfig", &kubeconfig, "--context", ""]),
        );
        assert_eq!(values, ["gone"], "contexts need no server");
    }
}

#[test]
fn ns_unstick_completes_terminating_namespaces() {
    let c = cluster();
    let healthy = c.create_namespace("healthy");
    let stuck = c.create_namespace("stuck");
    c.apply(&format!(
        r#"{{"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {{"name": "hold", "namespace": "{stuck}", "finalizers": ["firstaid.test/hold"]}}}}"#
    ));
    c.kubectl_ok(&["delete", "namespace", &stuck, "--wait=false"]);
    let (values, directive) = complete(c, &["ns-unstick", ""]);
    assert!(values.contains(&stuck), "{stuck} not in {values:?}");
    assert!(
        !values.contains(&healthy),
        "{healthy} is not Terminating: {values:?}"
    );
    assert_eq!(directive, ":4");
    let (values, _) = complete(c, &["ns-unstick", &stuck[..6]]);
    assert!(
        values.iter().all(|v| v.starts_with(&stuck[..6])),
        "{values:?}"
    );
    c.kubectl_ok(&[
        "patch",
        "configmap",
        "hold",
        "-n",
        &stuck,
        "--type=json",
        "-p",
        r#"[{"op": "remove", "path": "/metadata/finalizers"}]"#,
    ]);
}

#[test]
fn fix_pvc_finalizer_completes_stuck_claims_volumes_and_attachments() {
    let c = cluster();
    let ns = c.create_namespace("pvc-complete");
    let claim = |name: &str| {
        format!(
            r#"{{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {{"name": "{name}", "namespace": "{ns}", "finalizers": ["firstaid.test/hold"]}},
                "spec": {{"accessModes": ["ReadWriteOnce"], "storageClassName": "none",
                          "resources": {{"requests": {{"storage": "1Gi"}}}}}}}}"#
        )
    };
    c.apply(&claim("data-stuck-0"));
    c.apply(&claim("data-fine-0"));
    c.kubectl_ok(&["delete", "pvc", "data-stuck-0", "-n", &ns, "--wait=false"]);
    let pv = firstaid_e2e::unique("pv-stuck");
    c.apply(&format!(
        r#"{{"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {{"name": "{pv}", "finalizers": ["firstaid.test/hold"]}},
            "spec": {{"capacity": {{"storage": "1Gi"}}, "accessModes": ["ReadWriteOnce"],
                      "storageClassName": "none", "hostPath": {{"path": "/tmp/{pv}"}}}}}}"#
    ));
    c.kubectl_ok(&["delete", "pv", &pv, "--wait=false"]);
    // Attachments: one left behind by a node that is gone, one being deleted on a live node
    // (both stuck), and a healthy one on the live node (not offered).
    let live_node = c.create_node("va-complete");
    let attachment = |name: &str, node: &str| {
        c.apply(&format!(
            r#"{{"apiVersion": "storage.k8s.io/v1", "kind": "VolumeAttachment",
                "metadata": {{"name": "{name}", "finalizers": ["external-attacher/csi-test"]}},
                "spec": {{"attacher": "csi-test", "nodeName": "{node}",
                          "source": {{"persistentVolumeName": "{pv}"}}}}}}"#
        ));
    };
    let va_gone = firstaid_e2e::unique("csi-gone");
    let va_deleting = firstaid_e2e::unique("csi-deleting");
    let va_healthy = firstaid_e2e::unique("csi-healthy");
    attachment(&va_gone, &firstaid_e2e::unique("i-deleted-node"));
    attachment(&va_deleting, &live_node);
    attachment(&va_healthy, &live_node);
    c.kubectl_ok(&["delete", "volumeattachment", &va_deleting, "--wait=false"]);

    let (values, directive) = complete(c, &["fix-pvc-finalizer", "-n", &ns, ""]);
    assert!(values.contains(&"data-stuck-0".to_owned()), "{values:?}");
    assert!(!values.contains(&"data-fine-0".to_owned()), "{values:?}");
    assert!(values.contains(&format!("pv/{pv}")), "{values:?}");
    for va in [&va_gone, &va_deleting] {
        assert!(
            values.contains(&format!("volumeattachment/{va}")),
            "{va}: {values:?}"
        );
    }
    assert!(
        !values.contains(&format!("volumeattachment/{va_healthy}")),
        "{values:?}"
    );
    assert_eq!(directive, ":4");
    let (values, _) = complete(c, &["fix-pvc-finalizer", "-n", &ns, "pv/"]);
    assert!(values.contains(&format!("pv/{pv}")), "{values:?}");
    assert!(values.iter().all(|v| v.starts_with("pv/")), "{values:?}");
    let (values, _) = complete(c, &["fix-pvc-finalizer", "-n", &ns, "volumeattachment/"]);
    assert!(
        values.contains(&format!("volumeattachment/{va_gone}")),
        "{values:?}"
    );

    for va in [&va_gone, &va_deleting, &va_healthy] {
        c.kubectl_ok(&[
            "patch",
            "volumeattachment",
            va,
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":null}}"#,
        ]);
    }
    c.kubectl_ok(&[
        "delete",
        "volumeattachment",
        &va_gone,
        &va_healthy,
        "--wait=false",
    ]);
    c.kubectl_ok(&["delete", "node", &live_node]);

    for (kind, name, namespace) in [
        ("pvc", "data-stuck-0", Some(ns.as_str())),
        ("pvc", "data-fine-0", Some(ns.as_str())),
        ("pv", pv.as_str(), None),
    ] {
        let mut args = vec![
            "patch",
            kind,
            name,
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":null}}"#,
        ];
        if let Some(n) = namespace {
            args.extend(["-n", n]);
        }
        c.kubectl_ok(&args);
    }
    c.kubectl_ok(&["delete", "pvc", "data-fine-0", "-n", &ns, "--wait=false"]);
}

#[test]
fn exitcode_explain_completes_pods_that_exited_non_zero() {
    let c = cluster();
    let ns = c.create_namespace("exit-complete");
    let node = c.create_node("exit-complete");
    for name in ["oom-1", "fine-1"] {
        c.apply(&format!(
            r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "{name}", "namespace": "{ns}"}},
                "spec": {{"nodeName": "{node}", "containers": [{{"name": "app", "image": "busybox"}}]}}}}"#
        ));
    }
    let terminated = |code: i32| {
        serde_json::json!({"phase": "Running", "containerStatuses": [{
            "name": "app", "image": "busybox", "imageID": "", "ready": true, "restartCount": 1,
            "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}},
            "lastState": {"terminated": {"exitCode": code, "reason": "OOMKilled",
                "startedAt": "2026-01-01T00:00:00Z", "finishedAt": "2026-01-01T00:00:01Z"}}}]})
    };
    c.set_status("pod", Some(&ns), "oom-1", terminated(137));
    c.set_status(
        "pod",
        Some(&ns),
        "fine-1",
        serde_json::json!({"phase": "Running"}),
    );
    let (values, directive) = complete(c, &["exitcode-explain", "-n", &ns, "pod/"]);
    assert!(values.contains(&"pod/oom-1".to_owned()), "{values:?}");
    assert!(!values.contains(&"pod/fine-1".to_owned()), "{values:?}");
    assert_eq!(directive, ":4");
}

#[test]
fn top_real_completes_node_names() {
    let c = cluster();
    let node = c.create_node("top-complete");
    let (values, _) = complete(c, &["top-real", ""]);
    assert!(values.contains(&"nodes".to_owned()), "{values:?}");
    let (values, directive) = complete(c, &["top-real", "nodes", &node[..8]]);
    assert!(values.contains(&node), "{node} not in {values:?}");
    assert_eq!(directive, ":4");
}

/// Called by the krew test once every plugin is installed under `krew_root`: `completion install`
/// through the krew-installed plugin puts the completer next to it in `$KREW_ROOT/bin`, and
/// kubectl then completes; the wrapper shipped in the archive works too.
pub(crate) fn krew_installed_plugins_complete_after_completion_install(
    kubectl: &dyn Fn(&[&str]) -> Command,
    krew_root: &Path,
) {
    for (plugin, bin) in PLUGINS {
        let text = ok(
            &kubectl(&[plugin, "completion", "install"])
                .output()
                .expect("kubectl"),
            "completion install",
        );
        let link = krew_root
            .join("bin")
            .join(format!("kubectl_complete-{}", stem(bin)));
        assert!(text.contains(&link.display().to_string()), "{text}");
        assert_eq!(
            std::fs::read_link(&link).expect("a symlink"),
            PathBuf::from(bin),
            "relative, so it follows krew upgrades"
        );
        let out = kubectl(&["__complete", plugin, "--hel"])
            .output()
            .expect("kubectl");
        let (values, _) = candidates(&ok(&out, "kubectl __complete"));
        assert_eq!(values, ["--help"], "{plugin}");

        let store = std::fs::canonicalize(krew_root.join("bin").join(bin)).expect("store");
        let wrapper = store
            .parent()
            .expect("store dir")
            .join(format!("kubectl_complete-{}", stem(bin)));
        let out = Command::new(&wrapper)
            .arg("--hel")
            .env("PATH", OsString::new())
            .output()
            .expect("run the archived completer");
        assert_eq!(candidates(&ok(&out, "archived completer")).0, ["--help"]);
    }
}
