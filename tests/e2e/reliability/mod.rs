//! The fault-injection suite: each fault the plugins must survive is reproduced for
//! real against a private test cluster, and the outcome is judged on what a user at 3 a.m. would
//! check — the exit code, the report, the cluster's real state, and the backups on disk.
//!
//! Every test records one machine-readable result (a [`Record`]: fault, whether the outcome was
//! correct, how many objects were lost — gone from the cluster and missing from every backup —
//! and a note with the numbers). `scripts/reliability` runs the tests N times and turns those
//! lines into the README's table; in the normal suite they run once and the lines go to stderr.
//!
//! One file per fault. Faults that break the cluster (a stopped apiserver, a throttled one, a dead
//! APIService) use their own [`firstaid_e2e::Cluster::start`]; the rest share the test cluster.

mod conflicts;
mod connection;
mod ctrl_c;
mod discovery;
mod rbac;
mod restart;
mod throttling;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use firstaid_e2e::Cluster;
use serde_json::{Value, json};

/// Where `scripts/reliability` collects result lines (appended, one JSON object per line).
const RESULTS_ENV: &str = "FIRSTAID_RELIABILITY_RESULTS";

/// One test's verdict, written when it is dropped — so a failed assertion (a panic) still leaves
/// a line saying the outcome was not correct, with whatever data-loss count was known by then.
pub struct Record {
    fault: &'static str,
    test: &'static str,
    /// Objects gone from the cluster and in no backup. `None` until the test has checked.
    pub data_lost: Option<usize>,
    pub notes: Vec<String>,
}

impl Record {
    pub fn new(fault: &'static str, test: &'static str) -> Self {
        Record {
            fault,
            test,
            data_lost: None,
            notes: Vec::new(),
        }
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }
}

impl Drop for Record {
    #[allow(clippy::print_stderr)] // the test's own report line; libtest captures it
    fn drop(&mut self) {
        let line = json!({
            "fault": self.fault,
            "test": self.test,
            "correct": !std::thread::panicking(),
            "dataLost": self.data_lost,
            "notes": self.notes.join("; "),
        })
        .to_string();
        eprintln!("RELIABILITY {line}");
        if let Some(path) = std::env::var_os(RESULTS_ENV) {
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .and_then(|mut f| f.write_all(format!("{line}\n").as_bytes()));
            if let Err(e) = written {
                eprintln!("cannot append to {}: {e}", PathBuf::from(path).display());
            }
        }
    }
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// stdout parsed as JSON, or a panic showing both streams.
pub fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON on stdout ({e}), exit {:?}:\n{}\nstderr:\n{}",
            out.status.code(),
            stdout(out),
            stderr(out)
        )
    })
}

/// Runs many API requests at once as the admin (curl over HTTP/2, like scripts/bench-evicted-clean):
/// seeding thousands of objects one kubectl call at a time would take minutes. `(method, path,
/// content type, body)`. Panics unless every request got a 2xx.
pub fn curl_many(c: &Cluster, requests: &[(&str, String, &str, Value)], parallel: usize) {
    let pki = c.dir().join("pki");
    let mut config = String::new();
    for (i, (method, path, content_type, body)) in requests.iter().enumerate() {
        if i > 0 {
            config.push_str("next\n");
        }
        let body = body.to_string().replace('\\', "\\\\").replace('"', "\\\"");
        let _ = write!(
            config,
            "url = \"{}{path}\"\nrequest = \"{method}\"\noutput = \"/dev/null\"\nwrite-out = \"%{{http_code}}\\n\"\nhttp2\ncacert = \"{}\"\ncert = \"{}\"\nkey = \"{}\"\nheader = \"Content-Type: {content_type}\"\ndata = \"{body}\"\n",
            c.api_url(),
            pki.join("ca.crt").display(),
            pki.join("admin.crt").display(),
            pki.join("admin.key").display(),
        );
    }
    let file = tempfile::NamedTempFile::new().expect("curl config file");
    std::fs::write(file.path(), config).expect("write curl config");
    let out = Command::new("curl")
        .args(["--parallel", "--parallel-max", &parallel.to_string()])
        .args([
            "--http2",
            "-s",
            "--no-progress-meter",
            "-w",
            "%{http_code}\n",
        ])
        .arg("-K")
        .arg(file.path())
        .stdin(Stdio::null())
        .output()
        .expect("running curl");
    let codes = String::from_utf8_lossy(&out.stdout);
    let bad: Vec<&str> = codes.lines().filter(|c| !c.starts_with('2')).collect();
    assert!(
        out.status.success() && bad.is_empty() && codes.lines().count() == requests.len(),
        "curl ({}): {} non-2xx of {} ({:?}), {} answers: {}",
        out.status,
        bad.len(),
        requests.len(),
        bad.iter().take(5).collect::<Vec<_>>(),
        codes.lines().count(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `n` evicted pods `{prefix}-{i}` in `ns`, owned by an empty ReplicaSet (so evicted-clean
/// deletes them without --include-bare-pods), bound to a fake node, status Failed/Evicted the
/// way the kubelet writes it. Returns the pod names.
pub fn evicted_pods(c: &Cluster, ns: &str, prefix: &str, n: usize) -> Vec<String> {
    let owner = format!("{prefix}-rs");
    c.apply(
        &json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": owner, "namespace": ns},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": prefix}},
                "template": {"metadata": {"labels": {"app": prefix}},
                    "spec": {"containers": [{"name": "app", "image": "registry.invalid/app"}]}}}
        })
        .to_string(),
    );
    let uid = c.get("replicaset", Some(ns), &owner).expect("replicaset")["metadata"]["uid"]
        .as_str()
        .expect("uid")
        .to_owned();
    let names: Vec<String> = (0..n).map(|i| format!("{prefix}-{i:05}")).collect();
    let creates: Vec<_> = names
        .iter()
        .map(|name| {
            (
                "POST",
                format!("/api/v1/namespaces/{ns}/pods"),
                "application/json",
                json!({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": name, "labels": {"app": prefix},
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                            "name": owner, "uid": uid, "controller": true}]},
                    "spec": {"nodeName": "reliability-node", "automountServiceAccountToken": false,
                        "containers": [{"name": "app", "image": "registry.invalid/app"}]}}),
            )
        })
        .collect();
    curl_many(c, &creates, 32);
    let statuses: Vec<_> = names
        .iter()
        .map(|name| {
            (
                "PATCH",
                format!("/api/v1/namespaces/{ns}/pods/{name}/status"),
                "application/merge-patch+json",
                json!({"status": {"phase": "Failed", "reason": "Evicted",
                    "message": "The node was low on resource: memory. Threshold quantity: 100Mi, available: 52Mi."}}),
            )
        })
        .collect();
    curl_many(c, &statuses, 32);
    names
}

/// Names of the pods in `ns` (one list call).
pub fn pod_names(c: &Cluster, ns: &str) -> BTreeSet<String> {
    names_of(c, &["pods", "-n", ns])
}

/// `kubectl get ARGS -o name`, without the `kind/` prefix.
pub fn names_of(c: &Cluster, args: &[&str]) -> BTreeSet<String> {
    let mut full = vec!["get"];
    full.extend_from_slice(args);
    full.extend(["-o", "name", "--chunk-size=0"]);
    c.kubectl_ok(&full)
        .lines()
        .filter_map(|l| l.split_once('/').map(|(_, n)| n.to_owned()))
        .collect()
}

/// The running kube-apiserver's pid, from the cluster's env file.
pub fn apiserver_pid(c: &Cluster) -> Option<u32> {
    let env = std::fs::read_to_string(c.dir().join("env")).ok()?;
    env.lines()
        .find_map(|l| l.strip_prefix("APISERVER_PID="))
        .and_then(|v| v.trim_matches('\'').parse().ok())
}

/// `(name, outcome status)` of every step in a report's `result.results`.
pub fn outcomes(doc: &Value) -> Vec<(String, String)> {
    doc["result"]["results"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    (
                        r["target"]["name"].as_str().unwrap_or_default().to_owned(),
                        r["outcome"]["status"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The steps a report says reached their goal, out of `planned`: listed as applied or, for big
/// plans whose report lists only what needs attention (`succeededNotListed`), every planned step
/// not listed. Also checks the counts add up to the plan.
pub fn reported_done(doc: &Value, planned: &BTreeSet<String>) -> BTreeSet<String> {
    let result = &doc["result"];
    let counts = &result["counts"];
    let total: u64 = ["applied", "alreadyDone", "skipped", "failed", "notStarted"]
        .iter()
        .map(|k| counts[*k].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        total as usize,
        planned.len(),
        "counts add up to the plan: {counts}"
    );
    let listed = outcomes(doc);
    let unlisted = result["succeededNotListed"].as_u64().unwrap_or(0) as usize;
    assert_eq!(
        listed.len() + unlisted,
        planned.len(),
        "every step is accounted for"
    );
    if unlisted == 0 {
        return with_status(&listed, "applied");
    }
    let attention: BTreeSet<String> = listed.into_iter().map(|(n, _)| n).collect();
    planned.difference(&attention).cloned().collect()
}

pub fn with_status(outcomes: &[(String, String)], status: &str) -> BTreeSet<String> {
    outcomes
        .iter()
        .filter(|(_, s)| s == status)
        .map(|(n, _)| n.clone())
        .collect()
}

/// How many pods are left in `ns`, cheaply (one `limit=1` list: remainingItemCount).
pub fn pods_left(c: &Cluster, ns: &str) -> Option<usize> {
    let out = c.kubectl(&[
        "get",
        "--raw",
        &format!("/api/v1/namespaces/{ns}/pods?limit=1"),
    ]);
    let list: Value = serde_json::from_slice(&out.stdout).ok()?;
    let shown = list["items"].as_array().map_or(0, Vec::len);
    let rest = list["metadata"]["remainingItemCount"].as_u64().unwrap_or(0);
    usize::try_from(rest).ok().map(|r| r + shown)
}

/// `kubectl evicted-clean -n NS --fix --yes -o json --backup-dir DIR`, plus `--concurrency N`
/// when given: the bulk fix every fault test runs, and reruns.
pub fn evicted_clean_fix(ns: &str, backup_dir: &Path, concurrency: Option<usize>) -> Vec<String> {
    let mut args: Vec<String> = ["evicted-clean", "-n", ns, "--fix", "--yes", "-o", "json"]
        .map(str::to_owned)
        .to_vec();
    if let Some(n) = concurrency {
        args.extend(["--concurrency".to_owned(), n.to_string()]);
    }
    args.extend([
        "--backup-dir".to_owned(),
        backup_dir.to_string_lossy().into_owned(),
    ]);
    args
}

/// `kubectl ARGS` for arguments built as owned strings (see [`evicted_clean_fix`]).
pub fn kubectl_owned(c: &Cluster, args: &[String]) -> Output {
    c.kubectl(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Runs `kubectl ARGS` in the background and polls `due` every `every` (for at most `limit`)
/// while it runs; the first time `due` answers, `strike` gets the plugin's pid (kubectl execs
/// plugins, so it is the plugin's) and polling stops. Returns the run's output and `due`'s answer;
/// panics if the plugin finished before the fault could be injected.
pub fn run_with_fault<T: std::fmt::Debug>(
    c: &Cluster,
    args: &[String],
    limit: Duration,
    every: Duration,
    mut due: impl FnMut() -> Option<T>,
    strike: impl FnOnce(u32),
) -> (Output, T) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut cmd = c.command(&args);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().expect("run kubectl");
    let pid = child.id();
    let waiter = std::thread::spawn(move || child.wait_with_output());
    let started = Instant::now();
    let mut seen = None;
    while !waiter.is_finished() && started.elapsed() < limit {
        if let Some(value) = due() {
            seen = Some(value);
            break;
        }
        std::thread::sleep(every);
    }
    if seen.is_some() {
        strike(pid);
    }
    let out = waiter
        .join()
        .expect("waiter thread")
        .expect("kubectl output");
    let seen = seen.unwrap_or_else(|| panic!("the plugin finished before the fault: {out:?}"));
    (out, seen)
}

/// Kills kube-apiserver at once (SIGKILL: a crash, no graceful drain — the harshest restart),
/// then lets the cluster script record it as stopped.
pub fn crash_apiserver(c: &Cluster) {
    if let Some(pid) = apiserver_pid(c) {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    c.stop_apiserver();
}

/// A command run under a pseudo-terminal (`script -qefc`), so the plugin sees a TTY on stdin and
/// stderr and asks its confirmation question; the test reads what it printed and answers.
pub struct Pty {
    child: Child,
    stdin: Option<ChildStdin>,
    seen: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Pty {
    /// Starts `kubectl ARGS` as the admin, with the environment of [`Cluster::command`].
    pub fn kubectl(c: &Cluster, args: &[&str]) -> Pty {
        let base = c.command(args);
        let mut line = shell_quote(&base.get_program().to_string_lossy());
        for a in base.get_args() {
            line.push(' ');
            line.push_str(&shell_quote(&a.to_string_lossy()));
        }
        let mut cmd = Command::new("script");
        cmd.args(["-q", "-e", "-f", "-c", &line, "/dev/null"]);
        for (k, v) in base.get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        // A fixed, plain terminal: no colours to strip, wide enough that nothing wraps.
        cmd.env("TERM", "dumb")
            .env("COLUMNS", "200")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("running script(1)");
        let stdin = child.stdin.take();
        let mut out = child.stdout.take().expect("piped stdout");
        let seen = Arc::new(Mutex::new(String::new()));
        let sink = seen.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        Pty {
            child,
            stdin,
            seen,
            reader: Some(reader),
        }
    }

    /// Everything printed so far (stdout and stderr share the terminal).
    pub fn seen(&self) -> String {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits until the output contains `text`; panics with the output on timeout or exit.
    pub fn expect(&mut self, text: &str, timeout: Duration) {
        let start = Instant::now();
        loop {
            if self.seen().contains(text) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(200));
                assert!(
                    self.seen().contains(text),
                    "exited ({status}) before printing {text:?}:\n{}",
                    self.seen()
                );
                return;
            }
            assert!(
                start.elapsed() < timeout,
                "no {text:?} within {timeout:?}:\n{}",
                self.seen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `keys` on the terminal.
    pub fn send(&mut self, keys: &str) {
        if let Some(stdin) = self.stdin.as_mut() {
            stdin.write_all(keys.as_bytes()).expect("write to pty");
            stdin.flush().expect("flush pty");
        }
    }

    /// Waits for the exit (at most `timeout`, then kills); returns the exit code and the output.
    pub fn finish(mut self, timeout: Duration) -> (i32, String) {
        let start = Instant::now();
        let status = loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                break status;
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("still running after {timeout:?}:\n{}", self.seen());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        drop(self.stdin.take());
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        (status.code().unwrap_or(-1), self.seen())
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A user in group system:masters-free land with cluster-admin through RBAC: unlike the test
/// admin (system:masters), such a user is subject to the apiserver's max-in-flight limits.
pub fn rbac_admin(c: &Cluster, name: &str) -> PathBuf {
    let kubeconfig = c.add_user(name);
    c.kubectl_ok(&[
        "create",
        "clusterrolebinding",
        name,
        "--clusterrole=cluster-admin",
        &format!("--user={name}"),
    ]);
    kubeconfig
}

/// Secret material that must never appear in output: the client key and any bearer tokens in
/// the kubeconfig.
pub fn assert_no_secret(output: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(
            s.len() < 8 || !output.contains(s),
            "a credential was printed:\n{output}"
        );
    }
}
