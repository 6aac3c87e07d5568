//! Fault: Ctrl-C in the middle of a bulk fix.
//!
//! evicted-clean deletes 1,000 pods; once a fifth of them are gone the test sends SIGINT to the
//! process kubectl started. kubectl runs plugins by exec(2), so that pid IS the plugin and the
//! signal reaches it exactly as a terminal's Ctrl-C would (to the foreground process). What must
//! hold: no new request is started after the signal (the in-flight ones finish), the summary so
//! far is printed, the exit code is 130, every deleted pod is in the (complete, valid) backup, and
//! a rerun deletes exactly the rest.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use firstaid_e2e::{Cluster, ClusterOptions};

use super::restart::{outcomes, pods_left, with_status};
use super::{Record, backed_up, code, evicted_pods, json_of, names_in, pod_names, stderr};

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

    let backups = tempfile::tempdir().expect("tempdir");
    let first = backups.path().join("first");
    let first_s = first.to_string_lossy().into_owned();
    let concurrency = CONCURRENCY.to_string();
    let mut cmd = c.command(&[
        "evicted-clean",
        "-n",
        &ns,
        "--fix",
        "--yes",
        "-o",
        "json",
        "--concurrency",
        &concurrency,
        "--backup-dir",
        &first_s,
    ]);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().expect("run kubectl evicted-clean");
    let pid = child.id().to_string();
    let waiter = std::thread::spawn(move || child.wait_with_output());
    let started = Instant::now();
    let mut left_at_signal = None;
    while !waiter.is_finished() && started.elapsed() < Duration::from_secs(120) {
        if let Some(left) = pods_left(&c, &ns)
            && left <= PODS * 4 / 5
        {
            let _ = std::process::Command::new("kill")
                .args(["-INT", &pid])
                .status();
            left_at_signal = Some(left);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = waiter.join().expect("waiter").expect("kubectl output");
    let left_at_signal =
        left_at_signal.unwrap_or_else(|| panic!("finished before the signal: {out:?}"));

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

    let saved = names_in(&backed_up(&first));
    let lost: Vec<&String> = gone.difference(&saved).collect();
    record.data_lost = Some(lost.len());
    assert!(lost.is_empty(), "deleted without a backup: {lost:?}");

    let second = backups.path().join("second");
    let second_s = second.to_string_lossy().into_owned();
    let out = c.kubectl(&[
        "evicted-clean",
        "-n",
        &ns,
        "--fix",
        "--yes",
        "-o",
        "json",
        "--backup-dir",
        &second_s,
    ]);
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
