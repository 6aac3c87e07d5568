//! Fault: the connection to the apiserver cannot be made, trusted or authenticated.
//!
//! Each destructive plugin runs (diagnosis only; a fix would fail the same way, earlier) through
//! kubectl against a kubeconfig built for the fault, with `--request-timeout=3s`:
//! - unreachable: a closed loopback port (`127.0.0.1:9`);
//! - TLS name mismatch: the right server and CA, but `tls-server-name` set to a name the serving
//!   certificate does not carry (its SANs are 127.0.0.1, localhost and kubernetes.default…);
//! - invalid token: a real bearer token (TokenRequest) of a ServiceAccount deleted since — what an
//!   expired or revoked token looks like to the server (401);
//! - expired exec credential: an exec plugin returning that same dead token with an
//!   `expirationTimestamp` in the past (the plugins do not cache credentials, so the expiry itself
//!   changes nothing; the server's 401 is what is tested);
//! - exec plugin failing (exit 1 with a message) and hanging (`sleep`, killed at the deadline).
//!
//! What must hold: a clear error within the timeout, the documented exit code — 8 for a server
//! that cannot be reached, trusted or that does not answer in time (a hanging exec plugin
//! included), 10 for credentials rejected (401) or an exec plugin that fails — no panic, and the
//! token never printed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use firstaid_e2e::cluster;

use super::{Record, assert_no_secret, code, stderr, stdout};

const TIMEOUT: &str = "3s";

fn kubeconfig(dir: &Path, name: &str, cluster: &str, user: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster:\n{cluster}\nusers:\n- name: u\n  user:\n{user}\ncontexts:\n- {{name: c, context: {{cluster: k, user: u, namespace: default}}}}\n"
        ),
    )
    .expect("write kubeconfig");
    path
}

fn exec_plugin(dir: &Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write exec plugin");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    format!(
        "    exec: {{apiVersion: client.authentication.k8s.io/v1, command: '{}', interactiveMode: Never}}",
        path.display()
    )
}

#[test]
fn connection_faults_fail_fast_clearly_and_quietly() {
    let mut record = Record::new("connection faults", "6 faults x 3 plugins");
    let c = cluster();
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = c.dir().join("pki");
    let ca = format!(
        "    certificate-authority: {}",
        pki.join("ca.crt").display()
    );
    let server = format!("    server: {}", c.api_url());
    let good_cluster = format!("{server}\n{ca}");

    // A token the server once issued, for a ServiceAccount that no longer exists.
    let ns = c.create_namespace("conn");
    c.kubectl_ok(&["create", "serviceaccount", "gone", "-n", &ns]);
    let token = c
        .kubectl_ok(&["create", "token", "gone", "-n", &ns])
        .trim()
        .to_owned();
    c.kubectl_ok(&["delete", "serviceaccount", "gone", "-n", &ns]);
    let key = std::fs::read_to_string(pki.join("admin.key")).expect("admin key");
    let key_line = key
        .lines()
        .find(|l| l.len() > 40 && !l.starts_with("-----"))
        .unwrap_or_default()
        .to_owned();

    let expired = serde_json::json!({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
        "status": {"token": token, "expirationTimestamp": "2020-01-01T00:00:00Z"}});
    let faults: Vec<(&str, PathBuf, &[i32], &str)> = vec![
        (
            "unreachable",
            kubeconfig(
                dir.path(),
                "unreachable",
                &format!("    server: https://127.0.0.1:9\n{ca}"),
                &format!("    token: {token}"),
            ),
            &[8],
            "refused",
        ),
        (
            "TLS name mismatch",
            kubeconfig(
                dir.path(),
                "tls",
                &format!("{good_cluster}\n    tls-server-name: not-in-the-cert.invalid"),
                &format!(
                    "    client-certificate: {}\n    client-key: {}",
                    pki.join("admin.crt").display(),
                    pki.join("admin.key").display()
                ),
            ),
            &[8],
            "TLS verification failed",
        ),
        (
            "invalid token",
            kubeconfig(
                dir.path(),
                "token",
                &good_cluster,
                &format!("    token: {token}"),
            ),
            &[10],
            "Unauthorized",
        ),
        (
            "expired exec credential",
            kubeconfig(
                dir.path(),
                "exec-expired",
                &good_cluster,
                &exec_plugin(dir.path(), "expired.sh", &format!("echo '{expired}'")),
            ),
            &[10],
            "Unauthorized",
        ),
        (
            "exec plugin fails",
            kubeconfig(
                dir.path(),
                "exec-fails",
                &good_cluster,
                &exec_plugin(
                    dir.path(),
                    "fails.sh",
                    "echo 'sso: session expired, run login' >&2; exit 1",
                ),
            ),
            &[10],
            "sso: session expired",
        ),
        (
            "exec plugin hangs",
            kubeconfig(
                dir.path(),
                "exec-hangs",
                &good_cluster,
                &exec_plugin(dir.path(), "hangs.sh", "exec sleep 600"),
            ),
            &[8],
            "did not finish within 3s",
        ),
    ];

    let mut slowest = Duration::ZERO;
    for (fault, config, codes, says) in &faults {
        for plugin in [
            vec!["evicted-clean"],
            vec!["ns-unstick"],
            vec!["fix-pvc-finalizer"],
        ] {
            let mut args = plugin.clone();
            args.extend(["--request-timeout", TIMEOUT]);
            let started = Instant::now();
            let out = c.kubectl_as(config, &args);
            let took = started.elapsed();
            slowest = slowest.max(took);
            let (out_text, err) = (stdout(&out), stderr(&out));
            let all = format!("{out_text}{err}");
            assert!(
                codes.contains(&code(&out)),
                "{fault} / {}: exit {}, want {codes:?}\n{all}",
                plugin[0],
                code(&out)
            );
            assert!(err.contains(says), "{fault} / {}: {err}", plugin[0]);
            assert!(
                !all.contains("panicked") && !all.contains("RUST_BACKTRACE"),
                "{fault}: {all}"
            );
            assert!(
                took < Duration::from_secs(10),
                "{fault} / {}: took {took:?} with --request-timeout={TIMEOUT}",
                plugin[0]
            );
            assert_no_secret(&all, &[&token, &key_line]);
        }
    }
    record.data_lost = Some(0);
    record.note(format!(
        "unreachable→8, TLS mismatch→8, dead SA token→10 (401), expired exec credential→10 (401), failing exec→10, hanging exec→8; slowest {:.1}s with --request-timeout={TIMEOUT}; token and key never printed",
        slowest.as_secs_f64()
    ));
}
