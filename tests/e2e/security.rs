//! Security properties against a real apiserver: planted Secret values,
//! bearer tokens, exec-plugin credentials and client keys never appear in anything a plugin
//! prints or writes; backups are user-only; TLS is verified unless `--insecure-skip-tls-verify`.
//!
//! Each test plants a value that exists nowhere else (random per run), drives the plugins through
//! real kubectl, and greps every byte they produced — stdout, stderr, every `-o` format, every
//! backup file (gzip'd ones decompressed) — for it, raw and base64-encoded.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use firstaid_e2e::{Cluster, backups, cluster, unique, wait_until};

/// One read-only command per plugin that talks to the API server.
const READS: &[&[&str]] = &[
    &["ns-unstick"],
    &["top-real", "nodes"],
    &["evicted-clean", "-A"],
    &["fix-pvc-finalizer", "-A"],
    &["exitcode-explain", "pod/nothing-here"],
    &["ipv6-cidr", "cluster"],
];

pub(crate) fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub(crate) fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// A value that appears nowhere but where the test put it.
fn planted(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{prefix}{}{nanos:09}x{}", unique("v"), std::process::id())
}

/// Standard base64 (what Secret `data` and kubeconfig `*-data` fields hold).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Panics naming `what` if `haystack` contains `secret` (or its base64 form, or, for long
/// values, any 24-character piece of either).
fn assert_absent(haystack: &str, secret: &str, what: &str) {
    let encoded = base64(secret.as_bytes());
    let mut needles = vec![secret.to_owned(), encoded.trim_end_matches('=').to_owned()];
    for s in [secret, encoded.as_str()] {
        if s.len() > 48 {
            needles.extend(
                (0..s.len() - 24)
                    .step_by(12)
                    .map(|i| s[i..i + 24].to_owned()),
            );
        }
    }
    for needle in needles {
        assert!(
            !haystack.contains(&needle),
            "{what} leaks a planted secret ({needle:?}):\n{haystack}"
        );
    }
}

/// Every file under `dir` as text (`.gz` decompressed), with its path; asserts user-only modes:
/// 0600 files in 0700 directories (every directory below `dir`, which the user chose).
fn files_under(dir: &Path) -> Vec<(PathBuf, String)> {
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    backups::files(dir)
        .into_iter()
        .map(|path| {
            for parent in path.ancestors().skip(1).take_while(|d| *d != dir) {
                let m = mode(parent);
                assert_eq!(m, 0o700, "backup directory {} is {m:o}", parent.display());
            }
            let m = mode(&path);
            assert_eq!(m, 0o600, "backup file {} is {m:o}", path.display());
            let content = if path.extension().is_some_and(|e| e == "gz") {
                backups::text(&path)
            } else {
                String::from_utf8_lossy(&std::fs::read(&path).expect("read backup")).into_owned()
            };
            (path, content)
        })
        .collect()
}

/// A kubeconfig for the cluster with a custom `user:` block (YAML, indented 4 spaces) and,
/// optionally, another server or CA.
fn kubeconfig(
    c: &Cluster,
    dir: &Path,
    name: &str,
    user: &str,
    server: Option<&str>,
    ca: Option<&Path>,
) -> PathBuf {
    let admin = std::fs::read_to_string(c.kubeconfig()).expect("admin kubeconfig");
    let ca_data = match ca {
        Some(path) => base64(&std::fs::read(path).expect("ca")),
        None => admin
            .lines()
            .find_map(|l| l.trim().strip_prefix("certificate-authority-data: "))
            .expect("CA in the admin kubeconfig")
            .to_owned(),
    };
    let server = server.map_or_else(|| c.api_url(), str::to_owned);
    let cluster = format!("    server: {server}\n    certificate-authority-data: {ca_data}\n");
    crate::tls::kubeconfig(dir, name, &cluster, user)
}

/// The admin's client certificate and key blocks, as they appear in its kubeconfig.
pub(crate) fn admin_user_block(c: &Cluster) -> (String, String) {
    let admin = std::fs::read_to_string(c.kubeconfig()).expect("admin kubeconfig");
    let field = |name: &str| {
        admin
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .unwrap_or_else(|| panic!("{name} in the admin kubeconfig"))
            .to_owned()
    };
    let cert = field("client-certificate-data: ");
    let key = field("client-key-data: ");
    (
        format!("    client-certificate-data: {cert}\n    client-key-data: {key}\n"),
        key,
    )
}

/// Runs every read-only plugin command with `kubeconfig` (plus `extra` flags) and checks that
/// each failed cleanly without printing `secret`; returns the outputs for further checks.
fn reads_fail_without_leaking(
    c: &Cluster,
    kubeconfig: &Path,
    extra: &[&str],
    secret: &str,
    what: &str,
) -> Vec<(String, Output)> {
    let mut outputs = Vec::new();
    for read in READS {
        let mut args: Vec<&str> = read.to_vec();
        args.extend_from_slice(extra);
        args.push("--request-timeout=10s");
        let out = c.kubectl_as(kubeconfig, &args);
        let all = text(&out);
        assert_ne!(code(&out), 0, "{what}: {args:?} succeeded:\n{all}");
        assert!(
            !all.contains("panicked"),
            "{what}: {args:?} panicked:\n{all}"
        );
        assert_absent(&all, secret, &format!("{what}: kubectl {}", args.join(" ")));
        outputs.push((args.join(" "), out));
    }
    outputs
}

/// A Secret with a dead finalizer in a namespace being deleted: the ns-unstick fix removes the
/// finalizer (through the applier, which backs the Secret up first). The Secret's value — in
/// `data`, and in plain text in the last-applied annotation `kubectl apply` writes — must not
/// appear in any output format, in the fix's output, or in the backup, which says it is redacted.
#[test]
fn planted_secret_never_printed_nor_backed_up() {
    let c = cluster();
    let value = planted("firstaid-planted-secret-");
    let ns = c.create_namespace("sec-secret");
    let finalizer = format!("{}.io/cleanup", unique("sec-gone"));
    c.apply(&format!(
        r#"{{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {{"name": "db-creds", "namespace": "{ns}", "finalizers": ["{finalizer}"],
                         "labels": {{"app": "db"}}}},
            "stringData": {{"password": "{value}"}}}}"#
    ));
    let stored = c.get("secret", Some(&ns), "db-creds").expect("secret");
    assert_eq!(
        stored["data"]["password"],
        base64(value.as_bytes()),
        "the value is really in the cluster"
    );
    assert!(
        stored["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .as_str()
            .is_some_and(|a| a.contains(&value)),
        "kubectl apply left the plain value in the annotation: {stored}"
    );
    c.kubectl_ok(&["delete", "namespace", &ns, "--wait=false"]);
    wait_until(
        Duration::from_secs(60),
        "the Secret to be marked for deletion",
        || {
            c.get("secret", Some(&ns), "db-creds")
                .is_some_and(|s| s["metadata"]["deletionTimestamp"].is_string())
        },
    );

    // Diagnosis in every format, and the plans (client and server dry runs).
    for format in ["table", "wide", "json", "yaml", "name"] {
        let out = c.kubectl(&["ns-unstick", &ns, "-o", format]);
        assert!(matches!(code(&out), 0 | 2), "-o {format}: {}", text(&out));
        assert_absent(&text(&out), &value, &format!("ns-unstick -o {format}"));
    }
    let out = c.kubectl(&["ns-unstick", &ns, "-o", "json"]);
    assert!(
        text(&out).contains("db-creds"),
        "the Secret is a leftover: {}",
        text(&out)
    );
    for dry_run in ["--dry-run", "--dry-run=server"] {
        for format in ["table", "json", "yaml"] {
            let out = c.kubectl(&["ns-unstick", &ns, "--fix", dry_run, "-o", format]);
            assert_eq!(code(&out), 0, "{dry_run} -o {format}: {}", text(&out));
            assert_absent(
                &text(&out),
                &value,
                &format!("ns-unstick --fix {dry_run} -o {format}"),
            );
        }
    }

    // The fix itself, in YAML, with backups.
    let backup_dir = tempfile::tempdir().expect("tempdir");
    let out = crate::ns_unstick::fix_and_wait(c, &ns, backup_dir.path(), &["-o", "yaml"]);
    let all = text(&out);
    assert_eq!(code(&out), 0, "{all}");
    assert_absent(&all, &value, "ns-unstick --fix --yes -o yaml");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("1 Secret(s) in this plan: their backups keep metadata only"),
        "the user is told the Secret's backup is redacted:\n{all}"
    );
    assert!(!c.exists("namespace", None, &ns), "the fix worked: {all}");

    let files = files_under(backup_dir.path());
    assert_eq!(files.len(), 1, "one backup, of the Secret: {files:?}");
    let (path, content) = &files[0];
    assert_absent(content, &value, &format!("backup {}", path.display()));
    let saved: serde_json::Value = serde_json::from_str(content).expect("backup is JSON");
    assert_eq!(saved["metadata"]["name"], "db-creds");
    assert_eq!(
        saved["metadata"]["finalizers"][0],
        finalizer.as_str(),
        "what the fix changed is kept"
    );
    assert_eq!(saved["data"]["password"], "REDACTED-BY-FIRSTAID");
}

/// A bearer token the server rejects (401): every plugin fails cleanly (exit 10, the Unauthorized
/// message) and the token appears nowhere — nor when the server is unreachable instead (exit 8).
#[test]
fn bearer_token_never_printed() {
    let c = cluster();
    let tmp = tempfile::tempdir().expect("tempdir");
    let token = planted("firstaid-planted-token-");
    let user = format!("    token: {token}\n");
    let rejected = kubeconfig(c, tmp.path(), "token", &user, None, None);
    for (args, out) in reads_fail_without_leaking(c, &rejected, &[], &token, "401") {
        assert_eq!(code(&out), 10, "{args}: {}", text(&out));
        assert!(
            text(&out).contains("Unauthorized"),
            "{args}: {}",
            text(&out)
        );
    }
    let unreachable = kubeconfig(
        c,
        tmp.path(),
        "token-down",
        &user,
        Some("https://127.0.0.1:1"),
        None,
    );
    for (args, out) in reads_fail_without_leaking(c, &unreachable, &[], &token, "unreachable") {
        assert_eq!(code(&out), 8, "{args}: {}", text(&out));
    }
    // Impersonation flags and a bad context name on top: still nothing.
    reads_fail_without_leaking(
        c,
        &rejected,
        &["--as", "someone", "--as-group", "g"],
        &token,
        "401 --as",
    );
    let out = c.kubectl_as(&rejected, &["ns-unstick", "--context", "nope"]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("nope"), "{}", text(&out));
    assert_absent(&text(&out), &token, "--context nope");
}

/// The admin's client key, with the server unreachable or the CA wrong: errors name the problem,
/// never the key.
#[test]
fn client_key_never_printed() {
    let c = cluster();
    let tmp = tempfile::tempdir().expect("tempdir");
    let (user, key) = admin_user_block(c);
    let pem = String::from_utf8(base64_decode(&key)).expect("PEM key");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let unreachable = kubeconfig(
        c,
        tmp.path(),
        "key-down",
        &user,
        Some("https://127.0.0.1:1"),
        None,
    );
    for (args, out) in reads_fail_without_leaking(c, &unreachable, &[], &key, "unreachable") {
        assert_eq!(code(&out), 8, "{args}: {}", text(&out));
        assert_absent(&text(&out), &body, &args);
    }
    // A kubeconfig whose key does not parse: a clear error, and not the (broken) key either.
    let broken = user.replace(
        &key,
        &base64(
            format!(
                "-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\n",
                &body[..body.len() / 2]
            )
            .as_bytes(),
        ),
    );
    let broken = kubeconfig(c, tmp.path(), "key-broken", &broken, None, None);
    for read in READS {
        let out = c.kubectl_as(&broken, read);
        assert_ne!(code(&out), 0, "{read:?}: {}", text(&out));
        assert!(!text(&out).contains("panicked"), "{read:?}: {}", text(&out));
        assert_absent(
            &text(&out),
            &body[..body.len() / 2],
            &format!("{read:?} with a broken key"),
        );
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for b in text.bytes().filter(|b| *b != b'=') {
        let v = ALPHABET.iter().position(|a| *a == b).expect("base64") as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

/// An exec credential plugin's token: never printed when the server rejects it, nor when the
/// plugin fails after writing it to stdout.
#[test]
fn exec_plugin_credential_never_printed() {
    let c = cluster();
    let tmp = tempfile::tempdir().expect("tempdir");
    let token = planted("firstaid-planted-exec-");
    let script = tmp.path().join("cred.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nif [ \"$1\" = fail ]; then echo '{{\"token\": \"{token}\"}}'; echo 'login expired' >&2; exit 3; fi\n\
             printf '%s' '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{token}\"}}}}'\n"
        ),
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let exec = |arg: &str| {
        format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      args: [{arg}]\n      interactiveMode: Never\n",
            script.display()
        )
    };
    let rejected = kubeconfig(c, tmp.path(), "exec", &exec("ok"), None, None);
    for (args, out) in reads_fail_without_leaking(c, &rejected, &[], &token, "exec 401") {
        assert_eq!(code(&out), 10, "{args}: {}", text(&out));
    }
    let failing = kubeconfig(c, tmp.path(), "exec-fail", &exec("fail"), None, None);
    for (args, out) in reads_fail_without_leaking(c, &failing, &[], &token, "exec plugin failing") {
        assert_eq!(code(&out), 10, "{args}: {}", text(&out));
        assert!(
            text(&out).contains("login expired"),
            "{args}: the plugin's stderr is shown: {}",
            text(&out)
        );
    }
}

/// TLS is verified: a kubeconfig trusting another CA fails with a certificate error (exit 8)
/// and changes nothing; `--insecure-skip-tls-verify` is the explicit, named way past it.
#[test]
fn tls_verified_unless_insecure_skip_tls_verify() {
    let c = cluster();
    let tmp = tempfile::tempdir().expect("tempdir");
    let (user, key) = admin_user_block(c);
    let wrong_ca = tmp.path().join("wrong-ca.crt");
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=not-the-cluster-ca",
        ])
        .arg("-keyout")
        .arg(tmp.path().join("wrong-ca.key"))
        .arg("-out")
        .arg(&wrong_ca)
        .output()
        .expect("openssl");
    assert!(made.status.success(), "{}", text(&made));
    let wrong = kubeconfig(c, tmp.path(), "wrong-ca", &user, None, Some(&wrong_ca));

    for read in READS {
        let mut args = read.to_vec();
        args.push("--request-timeout=10s");
        let out = c.kubectl_as(&wrong, &args);
        let all = text(&out);
        assert_eq!(code(&out), 8, "{args:?}: {all}");
        assert!(
            all.to_lowercase().contains("certificate"),
            "{args:?}: the error says it is about the certificate: {all}"
        );
        assert_absent(&all, &key, &format!("{args:?} wrong CA"));

        args.push("--insecure-skip-tls-verify");
        let out = c.kubectl_as(&wrong, &args);
        let all = text(&out);
        assert!(
            code(&out) == 0 || (read[0] == "exitcode-explain" && code(&out) == 3),
            "{args:?} with --insecure-skip-tls-verify works: {all}"
        );
    }

    // A fix refuses before changing anything.
    let ns = c.create_namespace("sec-tls");
    let out = c.kubectl_as(&wrong, &["evicted-clean", "-n", &ns, "--fix", "--yes"]);
    assert_eq!(code(&out), 8, "{}", text(&out));
    assert!(c.exists("namespace", None, &ns));
}
