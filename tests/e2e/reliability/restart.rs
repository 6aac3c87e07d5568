//! Fault: kube-apiserver crashes in the middle of a fix and comes back.
//!
//! The apiserver is SIGKILLed (no graceful drain: the harshest restart) once the plugin has
//! visibly made progress — a number of pods gone for evicted-clean, a number of backups written
//! for ns-unstick — then started again after the plugin has given up. What must hold: the report
//! accounts for every step and never calls a step done that the cluster does not show done; the
//! exit code says "partial" (6) or "unreachable" (8); every object gone from the cluster is in a
//! backup that parses; and a rerun finishes exactly the remainder.

use std::collections::BTreeSet;
use std::process::Output;
use std::time::{Duration, Instant};

use firstaid_e2e::{Cluster, ClusterOptions, backups, unique, wait_until};
use serde_json::Value;

use super::{
    Record, code, crash_apiserver, evicted_clean_fix, evicted_pods, json_of, kubectl_owned,
    names_of, outcomes, pod_names, pods_left, reported_done, run_with_fault, stderr, stdout,
    with_status,
};

/// The exit code says the fix did not complete: 6 (partial) or 8 (unreachable).
fn assert_cut_short(out: &Output) {
    let exit = code(out);
    assert!(
        exit == 6 || exit == 8,
        "exit {exit}, want 6 (partial) or 8 (unreachable)\n{}\n{}",
        stdout(out),
        stderr(out)
    );
}

const PODS: usize = 2000;
/// Requests in flight: at most this many steps can be "in flight when the server died", the only
/// ones whose fate the plugin cannot know.
const CONCURRENCY: usize = 8;

/// Also covers the state a crash can leave behind: the API server writes a delete in two steps
/// (set deletionTimestamp with grace period 0, then remove the object), and a SIGKILL between them
/// leaves pods that look Terminating and that nothing else removes. The rerun must select them
/// (flagged `unfinishedDelete`) and delete them again — it used to skip them as "already being
/// deleted", exit 0, and leave them behind (seen in about 3 of 7 runs).
#[test]
fn evicted_clean_apiserver_crash_mid_delete() {
    let mut record = Record::new("apiserver restart mid-fix", "evicted-clean 2,000 pods");
    let c = Cluster::start(ClusterOptions {
        controller_manager: false,
        ..ClusterOptions::default()
    })
    .expect("private cluster");
    let ns = c.create_namespace("restart");
    let seeded = Instant::now();
    let all: BTreeSet<String> = evicted_pods(&c, &ns, "ev", PODS).into_iter().collect();
    record.note(format!(
        "{PODS} evicted pods seeded in {:.0}s",
        seeded.elapsed().as_secs_f64()
    ));

    let backup_root = tempfile::tempdir().expect("tempdir");
    let first_dir = backup_root.path().join("first");
    // Crash the server once a quarter of the pods are gone.
    let (out, left_at_crash) = run_with_fault(
        &c,
        &evicted_clean_fix(&ns, &first_dir, Some(CONCURRENCY)),
        Duration::from_secs(120),
        Duration::from_millis(20),
        || pods_left(&c, &ns).filter(|left| *left <= PODS * 3 / 4),
        |_| crash_apiserver(&c),
    );
    c.start_apiserver();

    assert_cut_short(&out);
    // The report accounts for every step, and every step it calls done is done in the cluster.
    let doc = json_of(&out);
    let steps = outcomes(&doc);
    let left = pod_names(&c, &ns);
    let gone: BTreeSet<String> = all.difference(&left).cloned().collect();
    let applied = reported_done(&doc, &all);
    let failed = with_status(&steps, "failed");
    let not_started = with_status(&steps, "notStarted");
    assert_eq!(
        applied.len() + failed.len() + not_started.len(),
        PODS,
        "only done/failed/not started here: {}",
        doc["result"]["counts"]
    );
    assert!(
        applied.is_subset(&gone),
        "reported done but still there: {:?}",
        applied.difference(&gone).take(5).collect::<Vec<_>>()
    );
    let unknown: Vec<&String> = gone.difference(&applied).collect();
    assert!(
        unknown.len() <= CONCURRENCY,
        "{} pods gone but reported failed (more than the {CONCURRENCY} in flight at the crash): {:?}",
        unknown.len(),
        unknown.iter().take(5).collect::<Vec<_>>()
    );
    assert!(
        !failed.is_empty() && !applied.is_empty(),
        "a mid-run crash: {}",
        doc["result"]["counts"]
    );
    assert!(
        stderr(&out).contains(&format!("{} done", applied.len())),
        "the summary line gives the count: {}",
        stderr(&out)
    );

    // Backups: valid JSON lines, and every pod that is gone is among them.
    let saved = backups::names(&backups::objects(&first_dir));
    let lost: Vec<&String> = gone.difference(&saved).collect();
    record.data_lost = Some(lost.len());
    assert!(lost.is_empty(), "gone without a backup: {lost:?}");

    // The rerun does exactly the rest.
    let second_dir = backup_root.path().join("second");
    let out = kubectl_owned(&c, &evicted_clean_fix(&ns, &second_dir, None));
    assert_eq!(code(&out), 0, "rerun: {}", stderr(&out));
    // Judged on the cluster and on the report's own numbers: the rerun deletes exactly what was
    // left — including deletes the crash interrupted — reports exactly that, and its own check
    // after the deletes agrees with the cluster.
    let rerun = json_of(&out);
    let counts = &rerun["result"]["counts"];
    let rerun_applied = counts["applied"].as_u64().unwrap_or(0) as usize;
    assert_eq!(counts["failed"].as_u64().unwrap_or(0), 0, "{counts}");
    assert_eq!(
        rerun_applied,
        left.len(),
        "the rerun deletes exactly the pods left: {counts}"
    );
    assert_eq!(
        rerun["verification"]["notGone"], 0,
        "the rerun's own check: {}",
        rerun["verification"]
    );
    let still_there = pod_names(&c, &ns);
    assert!(
        still_there.is_empty(),
        "all evicted pods gone, but {} left: {:?}",
        still_there.len(),
        still_there.iter().take(5).collect::<Vec<_>>()
    );
    let unfinished = rerun["pods"].as_array().map_or(0, |pods| {
        pods.iter()
            .filter(|p| p["unfinishedDelete"] == true)
            .count()
    });
    let saved_again = backups::names(&backups::objects(&second_dir));
    assert!(left.is_subset(&saved_again));
    record.note(format!(
        "crash at {} of {PODS} left; first run reported {} done, {} failed, {} not started ({} in flight, fate unknown to it); rerun did the remaining {} ({unfinished} of them deletes the crash had left unfinished)",
        left_at_crash,
        applied.len(),
        failed.len(),
        not_started.len(),
        unknown.len(),
        rerun_applied
    ));
}

#[test]
fn ns_unstick_apiserver_crash_mid_finalizer_removal() {
    const OBJECTS: usize = 50;
    let mut record = Record::new("apiserver restart mid-fix", "ns-unstick 50 finalizers");
    let c = Cluster::start(ClusterOptions::default()).expect("private cluster");
    let ns = c.create_namespace("restart-ns");
    let hold = format!("{}.io/hold", unique("dead-operator"));
    let items: Vec<Value> = (0..OBJECTS)
        .map(|i| {
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": format!("held-{i:02}"), "namespace": ns, "finalizers": [hold]}})
        })
        .collect();
    c.create(&serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string());
    let all = names_of(&c, &["configmaps", "-n", &ns]);
    let all: BTreeSet<String> = all.into_iter().filter(|n| n.starts_with("held-")).collect();
    assert_eq!(all.len(), OBJECTS);
    c.kubectl_ok(&["delete", "namespace", &ns, "--wait=false"]);
    wait_until(
        Duration::from_secs(60),
        "every held ConfigMap marked for deletion",
        || {
            c.get_json(&["configmaps", "-n", &ns])["items"]
                .as_array()
                .is_some_and(|items| {
                    items
                        .iter()
                        .filter(|i| i["metadata"]["deletionTimestamp"].is_string())
                        .count()
                        == OBJECTS
                })
        },
    );

    let backup_root = tempfile::tempdir().expect("tempdir");
    let first_dir = backup_root.path().join("first");
    // One request at a time, so the crash lands mid-plan and at most one step's fate is unknown.
    let args = [
        "ns-unstick",
        &ns,
        "--fix",
        "--yes",
        "-o",
        "json",
        "--concurrency",
        "1",
    ];
    let mut args: Vec<String> = args.map(str::to_owned).to_vec();
    args.extend([
        "--backup-dir".to_owned(),
        first_dir.to_string_lossy().into_owned(),
    ]);
    let (out, crashed_after) = run_with_fault(
        &c,
        &args,
        Duration::from_secs(60),
        Duration::from_millis(1),
        || Some(backups::files(&first_dir).len()).filter(|n| *n >= OBJECTS / 4),
        |_| crash_apiserver(&c),
    );
    c.start_apiserver();

    assert_cut_short(&out);
    let doc = json_of(&out);
    let steps = outcomes(&doc);
    let finalizer_steps: Vec<&(String, String)> = steps
        .iter()
        .filter(|(n, _)| n.starts_with("held-"))
        .collect();
    assert_eq!(finalizer_steps.len(), OBJECTS, "{}", doc["result"]);
    // Done = the ConfigMap is gone or no longer carries the dead finalizer.
    let still_held: BTreeSet<String> = c.get_json(&["configmaps", "-n", &ns])["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|i| {
                    i["metadata"]["finalizers"]
                        .as_array()
                        .is_some_and(|f| f.iter().any(|f| f == hold.as_str()))
                })
                .filter_map(|i| i["metadata"]["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let done: BTreeSet<String> = all.difference(&still_held).cloned().collect();
    let applied = with_status(&steps, "applied");
    assert!(
        applied.is_subset(&done),
        "reported done but still held: {:?}",
        applied.difference(&done).collect::<Vec<_>>()
    );
    let unknown = done.difference(&applied).count();
    assert!(
        unknown <= 1,
        "{unknown} done but not reported done, with one request in flight"
    );
    let changed_or_gone = done.clone();
    let saved = backups::names(&backups::objects(&first_dir));
    let lost: Vec<&String> = changed_or_gone.difference(&saved).collect();
    record.data_lost = Some(lost.len());
    assert!(lost.is_empty(), "changed without a backup: {lost:?}");

    // Rerun: only the ConfigMaps still held are touched, and the namespace goes.
    let second_dir = backup_root.path().join("second");
    let out = crate::ns_unstick::fix_and_wait(&c, &ns, &second_dir, &["-o", "json"]);
    assert_eq!(code(&out), 0, "rerun: {}\n{}", stdout(&out), stderr(&out));
    let rerun = outcomes(&json_of(&out));
    let rerun_applied: BTreeSet<String> = with_status(&rerun, "applied")
        .into_iter()
        .filter(|n| n.starts_with("held-"))
        .collect();
    assert_eq!(
        rerun_applied, still_held,
        "the rerun changes exactly what the first run left"
    );
    assert!(!c.exists("namespace", None, &ns), "the namespace is gone");
    record.note(format!(
        "crash after {crashed_after} backups; first run reported {} of {OBJECTS} done ({unknown} in flight, fate unknown to it); rerun did the remaining {}",
        applied.len(),
        rerun_applied.len()
    ));
}
