//! Test support for the firstaid end-to-end tests: a real Kubernetes control plane on 127.0.0.1
//! (`scripts/test-cluster`: etcd, kube-apiserver, kube-controller-manager, no kubelet), driven
//! through real kubectl with the freshly built plugin binaries first on `PATH`.
//!
//! Dev-only: this crate is never a dependency of a shipped binary.
//!
//! ```no_run
//! use firstaid_e2e::{cluster, wait_until};
//! use std::time::Duration;
//!
//! let c = cluster(); // shared by every test in the binary, started once
//! let ns = c.create_namespace("unstick");
//! c.apply(&format!("{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"a\",\"namespace\":\"{ns}\"}}}}"));
//! let out = c.kubectl_ok(&["ns-unstick", &ns, "--dry-run"]);
//! wait_until(Duration::from_secs(30), "namespace gone", || !c.exists("namespace", None, &ns));
//! ```
//!
//! Tests run in parallel threads of one process: use [`Cluster::create_namespace`] for
//! namespaced objects and [`unique`] for cluster-scoped names, and never assume a cluster-wide
//! state that another test could change. Tests that break cluster-wide things (a dead
//! APIService, a stopped apiserver) or need no controller manager start their own
//! [`Cluster::start`].
//!
//! Nothing in the cluster may ever connect off the machine. Service ClusterIPs (10.96.0.0/16,
//! fd00:10:96::/108) are allocated but nothing listens on them: an APIService or webhook must
//! name a Service that does not exist (or a URL on 127.0.0.1), never one with endpoints elsewhere.
//!
//! Environment knobs: `FIRSTAID_E2E_KEEP=1` keeps cluster directories (logs, kubeconfig) after
//! the tests; `FIRSTAID_KUBECTL` uses another kubectl than the pinned upstream one;
//! `FIRSTAID_PLUGIN_DIR` uses prebuilt plugin binaries instead of building the workspace.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::HashSet;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};

pub mod backups;
pub mod fake_metrics;
use serde_json::Value;

/// The plugins and their binaries, as `kubectl <plugin>` names them.
pub const PLUGINS: [(&str, &str); 6] = [
    ("ns-unstick", "kubectl-ns_unstick"),
    ("fix-pvc-finalizer", "kubectl-fix_pvc_finalizer"),
    ("evicted-clean", "kubectl-evicted_clean"),
    ("top-real", "kubectl-top_real"),
    ("exitcode-explain", "kubectl-exitcode_explain"),
    ("ipv6-cidr", "kubectl-ipv6_cidr"),
];

/// The FAQ's dead metrics-server: a `v1beta1.metrics.k8s.io` APIService backed by a Service with
/// no endpoints (`metrics-backend/metrics-server:443`). The aggregator marks it unavailable
/// (MissingEndpoints) without dialling anything. Cluster-wide (it breaks discovery and namespace
/// deletion for everyone): apply it only to a private cluster.
pub const DEAD_METRICS_APISERVICE: &str = r"
apiVersion: v1
kind: Namespace
metadata: {name: metrics-backend}
---
apiVersion: v1
kind: Service
metadata: {name: metrics-server, namespace: metrics-backend}
spec:
  ports: [{port: 443, targetPort: 4443}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  insecureSkipTLSVerify: true
  service: {name: metrics-server, namespace: metrics-backend, port: 443}
";

/// How to start a private [`Cluster`].
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Run kube-controller-manager (namespace, garbage-collector, PV/PVC protection, PV binder,
    /// service-account controllers; never node-lifecycle or pod-GC). Default: true.
    pub controller_manager: bool,
    /// Extra kube-apiserver flags, e.g. `--max-requests-inflight=5`.
    pub apiserver_args: Vec<String>,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        Self {
            controller_manager: true,
            apiserver_args: Vec::new(),
        }
    }
}

/// A running test cluster. Private ones ([`Cluster::start`]) stop when dropped; the shared one
/// ([`cluster`]) stops when the test process exits.
pub struct Cluster {
    dir: PathBuf,
    kubeconfig: PathBuf,
    api_url: String,
    kubectl: PathBuf,
    controller_manager: bool,
    private: bool,
    users: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("dir", &self.dir)
            .field("api_url", &self.api_url)
            .field("controller_manager", &self.controller_manager)
            .finish_non_exhaustive()
    }
}

/// The repository root (the Cargo workspace).
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
}

fn script() -> PathBuf {
    workspace_root().join("scripts/test-cluster")
}

fn keep_dirs() -> bool {
    std::env::var_os("FIRSTAID_E2E_KEEP").is_some_and(|v| !v.is_empty() && v != "0")
}

fn run_script(args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("bash")
        .arg(script())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", script().display()))?;
    if !out.status.success() {
        bail!(
            "scripts/test-cluster {} failed ({}):\n{}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Reads `KEY=value` from the `env` file the script writes (values are bash `%q`-quoted).
fn env_value(env: &str, key: &str) -> Option<String> {
    env.lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix('=')?;
        let value = if let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\''))
        {
            inner.to_owned()
        } else {
            let mut out = String::new();
            let mut chars = value.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    out.extend(chars.next());
                } else {
                    out.push(c);
                }
            }
            out
        };
        Some(value)
    })
}

impl Cluster {
    /// Starts a private cluster, stopped (and its directory removed) on drop.
    #[allow(clippy::needless_pass_by_value)] // by value: the API the tests are written against
    pub fn start(opts: ClusterOptions) -> anyhow::Result<Cluster> {
        Self::start_in(&opts, true)
    }

    fn start_shared() -> anyhow::Result<Cluster> {
        Self::start_in(&ClusterOptions::default(), false)
    }

    fn start_in(opts: &ClusterOptions, private: bool) -> anyhow::Result<Cluster> {
        let dir = tempfile::Builder::new()
            .prefix(if private {
                "firstaid-e2e-private-"
            } else {
                "firstaid-e2e-"
            })
            .tempdir()
            .context("creating the cluster directory")?
            .keep();
        let dir_s = dir.to_str().context("temp dir is not UTF-8")?.to_owned();
        let pid = std::process::id().to_string();
        let mut args = vec!["start", "--dir", &dir_s, "--watch-pid", &pid];
        if !keep_dirs() {
            args.push("--purge");
        }
        if !opts.controller_manager {
            args.push("--no-controller-manager");
        }
        let extra: Vec<String> = opts
            .apiserver_args
            .iter()
            .map(|a| format!("--apiserver-arg={a}"))
            .collect();
        args.extend(extra.iter().map(String::as_str));
        let started = Instant::now();
        run_script(&args)?;
        let env = std::fs::read_to_string(dir.join("env")).context("reading the cluster env")?;
        let get = |k: &str| env_value(&env, k).with_context(|| format!("{k} missing from env"));
        let kubectl = match std::env::var_os("FIRSTAID_KUBECTL") {
            Some(k) => PathBuf::from(k),
            None => PathBuf::from(get("KUBECTL")?),
        };
        let cluster = Cluster {
            kubeconfig: PathBuf::from(get("KUBECONFIG")?),
            api_url: get("API_URL")?,
            dir,
            kubectl,
            controller_manager: opts.controller_manager,
            private,
            users: Mutex::new(HashSet::new()),
        };
        eprintln!(
            "test cluster up in {:.1}s: {} (dir {})",
            started.elapsed().as_secs_f64(),
            cluster.api_url,
            cluster.dir.display()
        );
        Ok(cluster)
    }

    /// The cluster's directory: `kubeconfig`, `env`, component logs, `pki/`, `users/`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The admin kubeconfig (client certificate in group system:masters; CA verified).
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// `https://127.0.0.1:PORT`.
    pub fn api_url(&self) -> String {
        self.api_url.clone()
    }

    /// Whether kube-controller-manager runs in this cluster.
    pub fn has_controller_manager(&self) -> bool {
        self.controller_manager
    }

    /// A kubectl command as the admin, ready to run: `KUBECONFIG` set (so plugins see it too),
    /// the plugin binaries first on `PATH`, stdin null (no TTY), `XDG_STATE_HOME` inside the
    /// cluster dir (plugin backups land there, not in the real home). Adjust and run it yourself
    /// when you need other env vars or a piped stdin.
    pub fn command(&self, args: &[&str]) -> Command {
        self.command_as(&self.kubeconfig, args)
    }

    /// [`Cluster::command`] with another user's kubeconfig.
    pub fn command_as(&self, kubeconfig: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.kubectl);
        cmd.args(args)
            .env("KUBECONFIG", kubeconfig)
            .env("PATH", path_with_plugins())
            .env("XDG_STATE_HOME", self.dir.join("state"))
            .env("KUBECACHEDIR", self.dir.join("kube-cache"))
            .stdin(Stdio::null());
        cmd
    }

    /// A plugin binary run directly rather than through kubectl (same environment as
    /// [`Cluster::command`]): `plugin_command("ns-unstick", &["foo"])`. For measuring the
    /// plugin's own resources; tests normally go through [`Cluster::kubectl`].
    pub fn plugin_command(&self, plugin: &str, args: &[&str]) -> Command {
        let bin = format!("kubectl-{}", plugin.replace('-', "_"));
        let mut cmd = Command::new(plugin_bin_dir().join(bin));
        cmd.args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("PATH", path_with_plugins())
            .env("XDG_STATE_HOME", self.dir.join("state"))
            .env("KUBECACHEDIR", self.dir.join("kube-cache"))
            .stdin(Stdio::null());
        cmd
    }

    /// Runs kubectl (or a plugin: `kubectl(&["ns-unstick", "foo"])`) as the admin.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        output_of(self.command(args), args)
    }

    /// Runs kubectl as the admin; panics with its output unless it succeeded; returns stdout.
    pub fn kubectl_ok(&self, args: &[&str]) -> String {
        ok_stdout(&self.kubectl(args), args)
    }

    /// Runs kubectl with another kubeconfig (e.g. from [`Cluster::add_user`]).
    pub fn kubectl_as(&self, kubeconfig: &Path, args: &[&str]) -> Output {
        output_of(self.command_as(kubeconfig, args), args)
    }

    /// Runs kubectl as the admin with `input` on stdin (e.g. answers to a confirmation prompt;
    /// stdin is a pipe, not a TTY).
    pub fn kubectl_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.kubectl.display()));
        let mut stdin = child.stdin.take().expect("piped stdin");
        let input = input.to_owned();
        // A thread, so a child that writes a lot before reading cannot deadlock us.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
        });
        let out = child.wait_with_output().expect("waiting for kubectl");
        let _ = writer.join();
        out
    }

    /// `kubectl apply -f -` of a YAML or JSON manifest (one object, a List, or `---`-separated
    /// documents); panics on failure.
    pub fn apply(&self, manifest: &str) {
        let args = ["apply", "-f", "-"];
        let out = self.kubectl_stdin(&args, manifest);
        assert!(
            out.status.success(),
            "kubectl apply failed ({}):\n{}\nmanifest:\n{manifest}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `kubectl create -f -` (fails if the object exists; use for objects with generateName or
    /// when a create, not an update, is the point); panics on failure; returns stdout.
    pub fn create(&self, manifest: &str) -> String {
        let args = ["create", "-f", "-", "-o", "name"];
        let out = self.kubectl_stdin(&args, manifest);
        assert!(
            out.status.success(),
            "kubectl create failed ({}):\n{}\nmanifest:\n{manifest}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Creates a namespace with a unique name starting with `prefix`, and its `default`
    /// ServiceAccount (which pods need) when no controller would make it; returns the name.
    pub fn create_namespace(&self, prefix: &str) -> String {
        let name = unique(prefix);
        self.kubectl_ok(&["create", "namespace", &name]);
        let out = self.kubectl(&["create", "serviceaccount", "default", "-n", &name]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // With the controller manager on, the serviceaccount controller may have won the race.
        assert!(
            out.status.success() || stderr.contains("already exists"),
            "creating the default ServiceAccount in {name} failed: {stderr}"
        );
        name
    }

    /// A client-certificate user with no RBAC rights (bind roles to `name` yourself); returns
    /// its kubeconfig. User names are cluster-wide: use [`unique`] unless sharing is the point.
    /// Asking again for the same name returns the same kubeconfig.
    pub fn add_user(&self, name: &str) -> PathBuf {
        self.add_user_in_groups(name, &[])
    }

    /// Gives `user` exactly `verbs` on `resources` in namespace `ns` (a Role and a RoleBinding
    /// named `role`), for RBAC tests that need a partly privileged user.
    pub fn grant(&self, ns: &str, user: &str, role: &str, verbs: &str, resources: &str) {
        self.kubectl_ok(&[
            "create",
            "role",
            role,
            "-n",
            ns,
            &format!("--verb={verbs}"),
            &format!("--resource={resources}"),
        ]);
        self.kubectl_ok(&[
            "create",
            "rolebinding",
            role,
            "-n",
            ns,
            &format!("--role={role}"),
            &format!("--user={user}"),
        ]);
    }

    /// [`Cluster::add_user`] with group memberships (certificate organisations).
    pub fn add_user_in_groups(&self, name: &str, groups: &[&str]) -> PathBuf {
        let mut users = self
            .users
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let path = self.dir.join("users").join(format!("{name}.kubeconfig"));
        if users.contains(name) {
            return path;
        }
        let dir = self.dir.to_string_lossy().into_owned();
        let mut args = vec!["add-user", "--dir", &dir, name];
        for g in groups {
            args.extend(["--group", g]);
        }
        let printed = run_script(&args).unwrap_or_else(|e| panic!("{e:#}"));
        users.insert(name.to_owned());
        PathBuf::from(printed)
    }

    /// Stops kube-apiserver only (etcd and the controller manager keep running).
    pub fn stop_apiserver(&self) {
        let dir = self.dir.to_string_lossy().into_owned();
        run_script(&["stop-apiserver", "--dir", &dir]).unwrap_or_else(|e| panic!("{e:#}"));
    }

    /// Starts kube-apiserver again on the same port with the same flags; returns once it is ready.
    pub fn start_apiserver(&self) {
        let dir = self.dir.to_string_lossy().into_owned();
        run_script(&["start-apiserver", "--dir", &dir]).unwrap_or_else(|e| panic!("{e:#}"));
    }

    /// `kubectl get ARGS -o json`, parsed; panics on failure.
    /// `get_json(&["pods", "-n", &ns])` returns a List.
    pub fn get_json(&self, args: &[&str]) -> Value {
        let mut full = vec!["get"];
        full.extend_from_slice(args);
        full.extend(["-o", "json"]);
        let stdout = self.kubectl_ok(&full);
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("kubectl {full:?} printed no JSON ({e}): {stdout}"))
    }

    /// One object as JSON, or None if it does not exist (any other error panics).
    /// `ns` is None for cluster-scoped kinds.
    pub fn get(&self, kind: &str, ns: Option<&str>, name: &str) -> Option<Value> {
        let mut args = vec!["get", kind, name, "-o", "json", "--ignore-not-found"];
        if let Some(ns) = ns {
            args.extend(["-n", ns]);
        }
        let stdout = self.kubectl_ok(&args);
        if stdout.trim().is_empty() {
            return None;
        }
        Some(
            serde_json::from_str(&stdout)
                .unwrap_or_else(|e| panic!("kubectl {args:?} printed no JSON ({e}): {stdout}")),
        )
    }

    /// Whether the object exists.
    pub fn exists(&self, kind: &str, ns: Option<&str>, name: &str) -> bool {
        self.get(kind, ns, name).is_some()
    }

    /// Merges `status` into the object's status through the status subresource (what a kubelet
    /// or controller would write): `set_status("pod", Some(&ns), "p", json!({"phase": "Failed"}))`.
    /// Lists in `status` replace the existing ones (JSON merge patch).
    #[allow(clippy::needless_pass_by_value)] // `json!(..)` reads best inline
    pub fn set_status(&self, kind: &str, ns: Option<&str>, name: &str, status: Value) {
        let patch = serde_json::json!({ "status": status }).to_string();
        let mut args = vec![
            "patch",
            kind,
            name,
            "--subresource=status",
            "--type=merge",
            "-p",
            &patch,
        ];
        if let Some(ns) = ns {
            args.extend(["-n", ns]);
        }
        self.kubectl_ok(&args);
    }

    /// A fake Node named `unique(prefix)` with a Ready status and 4 CPUs / 16 GiB allocatable
    /// (no kubelet behind it; nothing connects to it). Returns its name.
    pub fn create_node(&self, prefix: &str) -> String {
        let name = unique(prefix);
        self.apply(
            &serde_json::json!({
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            })
            .to_string(),
        );
        let resources = serde_json::json!({"cpu": "4", "memory": "16Gi", "pods": "110"});
        self.set_status(
            "node",
            None,
            &name,
            serde_json::json!({
                "capacity": resources,
                "allocatable": resources,
                "conditions": [{
                    "type": "Ready",
                    "status": "True",
                    "reason": "KubeletReady",
                    "message": "fake node for tests",
                    "lastHeartbeatTime": now_rfc3339(),
                    "lastTransitionTime": now_rfc3339(),
                }],
            }),
        );
        name
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if !self.private {
            return;
        }
        let dir = self.dir.to_string_lossy().into_owned();
        let mut args = vec!["stop", "--dir", &dir];
        if keep_dirs() {
            eprintln!("keeping test cluster dir {dir}");
        } else {
            args.push("--purge");
        }
        if let Err(e) = run_script(&args) {
            eprintln!("stopping the test cluster in {dir}: {e:#}");
        }
    }
}

fn output_of(mut cmd: Command, args: &[&str]) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run kubectl {args:?}: {e}"))
}

fn ok_stdout(out: &Output, args: &[&str]) -> String {
    assert!(
        out.status.success(),
        "kubectl {args:?} failed ({}):\nstderr: {}\nstdout: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The shared cluster of this test binary (controller manager on), started on first use and
/// stopped by a watchdog when the test process exits. Panics if it cannot start.
pub fn cluster() -> &'static Cluster {
    static SHARED: OnceLock<Result<Cluster, String>> = OnceLock::new();
    match SHARED.get_or_init(|| Cluster::start_shared().map_err(|e| format!("{e:#}"))) {
        Ok(c) => c,
        Err(e) => panic!("the shared test cluster did not start: {e}"),
    }
}

/// Where the `kubectl-*` plugin binaries are. The first call builds them (`cargo build --bins`
/// for the whole workspace, same profile and target dir as this test binary; a no-op when fresh)
/// so tests always exercise the current code. `FIRSTAID_PLUGIN_DIR` overrides (no build).
pub fn plugin_bin_dir() -> PathBuf {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match DIR.get_or_init(|| build_plugins().map_err(|e| format!("{e:#}"))) {
        Ok(d) => d.clone(),
        Err(e) => panic!("building the plugins failed: {e}"),
    }
}

fn build_plugins() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("FIRSTAID_PLUGIN_DIR") {
        return Ok(PathBuf::from(dir));
    }
    // A test binary is <target>/<profile>/deps/e2e-HASH, a bin <target>/<profile>/NAME; the
    // plugins go to <target>/<profile>.
    let exe = std::env::current_exe().context("locating the test binary")?;
    let mut profile_dir = exe.parent().context("binary has no directory")?;
    if profile_dir.file_name().is_some_and(|n| n == "deps") {
        profile_dir = profile_dir.parent().context("deps has no parent")?;
    }
    let profile_dir = profile_dir.to_path_buf();
    let target_dir = profile_dir.parent().context("no target dir")?;
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_owned(),
        Some(other) => other.to_owned(),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let out = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "build",
            "--workspace",
            "--bins",
            "--quiet",
            "--profile",
            &profile,
        ])
        .arg("--target-dir")
        .arg(target_dir)
        .stdin(Stdio::null())
        .output()
        .context("running cargo build")?;
    if !out.status.success() {
        bail!(
            "cargo build --workspace --bins failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (_, bin) in PLUGINS {
        let path = profile_dir.join(bin);
        if !path.is_file() {
            bail!("{} was not built", path.display());
        }
    }
    Ok(profile_dir)
}

fn path_with_plugins() -> OsString {
    static PATH: OnceLock<OsString> = OnceLock::new();
    PATH.get_or_init(|| {
        let mut dirs = vec![plugin_bin_dir()];
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        std::env::join_paths(dirs).expect("PATH entries contain no ':'")
    })
    .clone()
}

/// A DNS-label-safe name unique in this machine's test runs: `prefix-<pid>-<counter><random>`,
/// at most 63 characters. Use it for cluster-scoped objects (nodes, PVs, CRD names' first label).
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut clean: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    clean.truncate(40);
    let clean = clean.trim_matches('-');
    let clean = if clean.is_empty() { "t" } else { clean };
    format!(
        "{clean}-{:x}-{n:x}{:03x}",
        std::process::id(),
        (nanos >> 10) & 0xfff
    )
}

/// Polls `f` (with a short backoff) until it returns true; panics naming `what` on timeout.
pub fn wait_until(timeout: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    let mut delay = Duration::from_millis(50);
    loop {
        if f() {
            return;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(delay);
        delay = (delay * 2).min(Duration::from_millis(500));
    }
}

/// The current time as RFC 3339 UTC with seconds precision (for status timestamps).
pub fn now_rfc3339() -> String {
    rfc3339(SystemTime::now())
}

/// `t` as RFC 3339 UTC with seconds precision, e.g. `2026-01-02T03:04:05Z`.
pub fn rfc3339(t: SystemTime) -> String {
    jiff::Timestamp::try_from(t)
        .expect("a time after 1970")
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_are_dns_labels_and_distinct() {
        let a = unique("My_Prefix.With Stuff-and-a-very-long-tail-that-goes-on-and-on");
        let b = unique("My_Prefix.With Stuff-and-a-very-long-tail-that-goes-on-and-on");
        assert_ne!(a, b);
        for n in [&a, &b] {
            assert!(n.len() <= 63, "{n}");
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            );
            assert!(!n.starts_with('-') && !n.ends_with('-'));
        }
    }

    #[test]
    fn env_values_are_unquoted() {
        let env = "A=/tmp/x\\ y\nB=''\nC='a b'\nAB=no\n";
        assert_eq!(env_value(env, "A").as_deref(), Some("/tmp/x y"));
        assert_eq!(env_value(env, "B").as_deref(), Some(""));
        assert_eq!(env_value(env, "C").as_deref(), Some("a b"));
        assert_eq!(env_value(env, "D"), None);
    }

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_767_225_600 + 3 * 3600 + 4 * 60 + 5);
        assert_eq!(rfc3339(t), "2026-01-01T03:04:05Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }
}
