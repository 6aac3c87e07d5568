//! Fault: the apiserver is overloaded and answers 429 Too Many Requests with Retry-After.
//!
//! A private apiserver with API Priority and Fairness off (`--enable-priority-and-fairness=false`)
//! falls back to the classic max-in-flight filter, which answers 429 with `Retry-After: 1` to
//! whatever does not fit in `--max-requests-inflight` / `--max-mutating-requests-inflight`. That
//! filter exempts group system:masters (the test admin), so the plugin runs as a user who is
//! cluster-admin through RBAC only. Its default 32 requests in flight meet a limit of 2 mutating
//! ones. What must hold: every pod deleted, exit 0, no failure counted as success, and no
//! busy-loop — the number of 429s the server handed out, the plugin's CPU time and the wall time
//! all stay bounded.

use std::time::Instant;

use firstaid_e2e::{Cluster, ClusterOptions, backups, unique};

use super::{Record, code, evicted_pods, json_of, pod_names, rbac_admin, stderr};

const PODS: usize = 300;

/// Sum of the apiserver's counters of requests it turned away with 429 (max-in-flight filter).
fn throttled_so_far(c: &Cluster) -> u64 {
    let metrics = c.kubectl_ok(&["get", "--raw", "/metrics"]);
    metrics
        .lines()
        .filter(|l| {
            (l.starts_with("apiserver_request_terminations_total{") && l.contains("code=\"429\""))
                || l.starts_with("apiserver_dropped_requests_total{")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|v| v as u64)
        .sum()
}

/// User and system CPU seconds of the shell's children, from bash's `times` (second line).
fn child_cpu_seconds(times: &str) -> Option<f64> {
    let line = times
        .lines()
        .rev()
        .find(|l| l.contains('m') && l.contains('s'))?;
    let secs = |field: &str| -> Option<f64> {
        let (m, s) = field.trim_end_matches('s').split_once('m')?;
        Some(m.parse::<f64>().ok()? * 60.0 + s.parse::<f64>().ok()?)
    };
    let mut fields = line.split_whitespace();
    Some(secs(fields.next()?)? + secs(fields.next()?)?)
}

#[test]
fn evicted_clean_under_429_slows_down_and_finishes() {
    let mut record = Record::new("throttling (429)", "evicted-clean 300 pods");
    let c = Cluster::start(ClusterOptions {
        controller_manager: false,
        apiserver_args: vec![
            "--enable-priority-and-fairness=false".into(),
            "--max-requests-inflight=2".into(),
            "--max-mutating-requests-inflight=2".into(),
        ],
    })
    .expect("private cluster");
    let ns = c.create_namespace("throttle");
    let all = evicted_pods(&c, &ns, "ev", PODS);
    let user = unique("throttled");
    let kubeconfig = rbac_admin(&c, &user);
    let before = throttled_so_far(&c);

    // Through kubectl (which execs the plugin), timed by bash so the plugin's CPU is measured.
    let cmd = c.command_as(&kubeconfig, &[]);
    let kubectl = cmd.get_program().to_string_lossy().into_owned();
    let backup = tempfile::tempdir().expect("tempdir");
    let script = format!(
        "\"$0\" evicted-clean -n {ns} --fix --yes -o json --backup-dir {}; rc=$?; times >&2; exit $rc",
        backup.path().display()
    );
    let mut bash = std::process::Command::new("bash");
    bash.args(["-c", &script, &kubectl]);
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            bash.env(k, v);
        }
    }
    bash.stdin(std::process::Stdio::null());
    let started = Instant::now();
    let out = bash.output().expect("run bash");
    let wall = started.elapsed().as_secs_f64();
    let throttled = throttled_so_far(&c).saturating_sub(before);
    let cpu = child_cpu_seconds(&stderr(&out)).unwrap_or(f64::NAN);

    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = json_of(&out);
    let counts = &doc["result"]["counts"];
    assert_eq!(counts["applied"], PODS, "{counts}");
    assert_eq!(counts["failed"], 0, "{counts}");
    let left = pod_names(&c, &ns);
    let lost: Vec<&String> = all.iter().filter(|p| !left.contains(*p)).collect();
    assert!(left.is_empty(), "{} pods left", left.len());
    // Every deleted pod was backed up.
    let saved = backups::names(&backups::objects(backup.path()));
    let missing = lost.iter().filter(|p| !saved.contains(**p)).count();
    record.data_lost = Some(missing);
    assert_eq!(missing, 0);

    assert!(
        throttled > 0,
        "the server never throttled: the test proved nothing"
    );
    // No busy-loop: each step may be retried at most MAX_THROTTLE_RETRIES times a second apart.
    assert!(
        throttled < (PODS as u64) * 21,
        "{throttled} requests throttled for {PODS} pods"
    );
    assert!(cpu < 30.0, "plugin CPU {cpu:.1}s");
    assert!(wall < 240.0, "took {wall:.0}s");
    record.note(format!(
        "limits 2 read/2 mutating in flight, plugin --concurrency 32: {PODS}/{PODS} deleted in {wall:.1}s wall, {cpu:.2}s CPU, {throttled} requests answered 429"
    ));
}
