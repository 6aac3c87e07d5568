//! Fault: Ctrl-C in the middle of a bulk fix.
//!
//! evicted-clean deletes 1,000 pods; once a fifth of them are gone the test sends SIGINT to the
//! process kubectl started. kubectl runs plugins by exec(2), so that pid IS the plugin and the
//! signal reaches it exactly as a terminal's Ctrl-C would (to the foreground process). What must
//! hold: no new request is started after the signal (the in-flight ones finish), the summary so
//! far is printed, the exit code is 130, every deleted pod is in the (complete, valid) backup, and
//! a rerun deletes exactly the rest.

use std::collections::BTreeSet;
use std::time::Duration;

use firstaid_e2e::{Cluster, ClusterOptions, backups};

use super::{
    Record, code, evicted_clean_fix, evicted_pods, json_of, kubectl_owned, outcomes, pod_names,
    pods_left, run_with_fault, stderr, with_status,
};

const PODS: usize = 1000;
const CONCURRENCY: usize = 4;

#[test]
fn evicted_clean_stops_cleanly_on_ctrl_c() {
    let mut record = Record::new("Ctrl-C mid-fix", "evicted-clean 1,000 pods");
    let c = Cluster::start(ClusterOptions {
        controller_manager: false,
        ..ClusterOptions::default()
    })
    .expect("private cluster");
    let ns = c.create_namespace("ctrlc");
    let all: BTreeSet<String> = evicted_pods(&c, &ns, "ev", PODS).into_iter().collect();

    let backup_root = tempfile::tempdir().expect("tempdir");
    let first = backup_root.path().join("first");
    // Ctrl-C once a fifth of the pods are gone: SIGINT to the plugin, as a terminal sends it.
    let (out, left_at_signal) = run_with_fault(
        &c,
        &evicted_clean_fix(&ns, &first, Some(CONCURRENCY)),
        Duration::from_secs(120),
        Duration::from_millis(20),
        || pods_left(&c, &ns).filter(|left| *left <= PODS * 4 / 5),
        |pid| {
            let _ = std::process::Command::new("kill")
                .args(["-INT", &pid.to_string()])
                .status();
        },
    );

    assert_eq!(code(&out), 130, "{}", stderr(&out));
    let after_exit = pod_names(&c, &ns);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        pod_names(&c, &ns),
        after_exit,
        "nothing is deleted after the plugin exited"
    );
    let doc = json_of(&out);
    let steps = outcomes(&doc);
    assert_eq!(steps.len(), PODS, "every step is in the report");
    let applied = with_status(&steps, "applied");
    let not_started = with_status(&steps, "notStarted");
    let gone: BTreeSet<String> = all.difference(&after_exit).cloned().collect();
    assert_eq!(
        applied, gone,
        "in-flight deletes were finished and reported, none abandoned"
    );
    assert_eq!(
        applied.len() + not_started.len(),
        PODS,
        "{}",
        doc["result"]["counts"]
    );
    assert!(!not_started.is_empty(), "stopped early");
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{} done", applied.len())) && err.contains("not started"),
        "the summary so far: {err}"
    );
    assert!(err.contains("interrupted"), "{err}");
    // How far it went after the signal: at most the requests in flight then, plus the ones
    // already past the cancellation check.
    let after_signal = left_at_signal.saturating_sub(after_exit.len());

    let saved = backups::names(&backups::objects(&first));
    let lost: Vec<&String> = gone.difference(&saved).collect();
    record.data_lost = Some(lost.len());
    assert!(lost.is_empty(), "deleted without a backup: {lost:?}");

    let second = backup_root.path().join("second");
    let out = kubectl_owned(&c, &evicted_clean_fix(&ns, &second, None));
    assert_eq!(code(&out), 0, "rerun: {}", stderr(&out));
    let rerun_applied = with_status(&outcomes(&json_of(&out)), "applied");
    assert_eq!(rerun_applied, after_exit, "the rerun does exactly the rest");
    assert!(pod_names(&c, &ns).is_empty());
    record.note(format!(
        "SIGINT at {left_at_signal} left; {} done, {} not started, {after_signal} finished after the signal (in flight); exit 130; rerun did the remaining {}",
        applied.len(),
        not_started.len(),
        rerun_applied.len()
    ));
}
