//! The pieces scenarios are made of: a private cluster, fast seeding, timed runs, ratios.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use firstaid_e2e::{Cluster, ClusterOptions};
use futures::{StreamExt, TryStreamExt};
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::GroupVersionKind;
use kube::discovery::{ApiResource, Scope, pinned_kind};
use serde_json::Value;

/// One benchmark: `run` seeds, measures and prints.
pub struct Scenario {
    /// What `firstaid-bench NAME` selects.
    pub name: &'static str,
    /// One line for `--list` and the report header.
    pub about: &'static str,
    pub run: fn(&mut Bench) -> anyhow::Result<()>,
}

/// What a scenario works with.
pub struct Bench {
    /// A private cluster for this scenario alone.
    pub cluster: Cluster,
    /// `--objects`: how many objects to seed.
    pub objects: usize,
    /// `--runs`: timed runs per command.
    pub runs: usize,
    concurrency: usize,
    rt: tokio::runtime::Runtime,
    client: kube::Client,
    kinds: Mutex<HashMap<String, (ApiResource, Scope)>>,
}

/// Timings of one command.
#[derive(Debug, Clone)]
pub struct Stats {
    pub label: String,
    pub median: Duration,
    pub min: Duration,
    pub max: Duration,
    /// Largest peak RSS over the runs, in KiB (None without GNU time).
    pub peak_rss_kib: Option<u64>,
}

const GNU_TIME: &str = "/usr/bin/time";

impl Bench {
    pub fn new(objects: usize, runs: usize, concurrency: usize) -> anyhow::Result<Bench> {
        let cluster = Cluster::start(ClusterOptions {
            controller_manager: true,
            // Seeding as fast as the machine allows (the admin is exempt from priority and
            // fairness anyway; other users are not).
            apiserver_args: vec![
                "--max-requests-inflight=2000".to_owned(),
                "--max-mutating-requests-inflight=1000".to_owned(),
            ],
        })?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let client = rt.block_on(async {
            let kubeconfig = Kubeconfig::read_from(cluster.kubeconfig())?;
            let config =
                kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
                    .await?;
            anyhow::Ok(firstaid::client::build(&config)?)
        })?;
        Ok(Bench {
            cluster,
            objects,
            runs,
            concurrency: concurrency.max(1),
            rt,
            client,
            kinds: Mutex::new(HashMap::new()),
        })
    }

    /// Creates `count` objects, `make(i)` for i in 0..count, over concurrent API requests (one
    /// HTTP/2 connection, no process per object). Each object is complete JSON (`apiVersion`,
    /// `kind`, `metadata.name`, `metadata.namespace` when namespaced); a `status` in it is written
    /// through the status subresource after the create, so seeded pods can be Failed/Evicted,
    /// nodes Ready, PVCs Bound. Prints and returns the elapsed time.
    pub fn seed(&self, count: usize, make: impl Fn(usize) -> Value) -> anyhow::Result<Duration> {
        let started = Instant::now();
        self.rt.block_on(
            futures::stream::iter((0..count).map(|i| self.create_one(make(i))))
                .buffer_unordered(self.concurrency)
                .try_collect::<Vec<()>>(),
        )?;
        let elapsed = started.elapsed();
        println!(
            "  seeded {count} objects in {:.2}s ({:.0}/s, {} concurrent)",
            elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64().max(1e-9),
            self.concurrency
        );
        Ok(elapsed)
    }

    async fn resource(
        &self,
        api_version: &str,
        kind: &str,
    ) -> anyhow::Result<(ApiResource, Scope)> {
        let key = format!("{api_version}/{kind}");
        if let Some(found) = self.lock_kinds().get(&key) {
            return Ok(found.clone());
        }
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let (ar, caps) = pinned_kind(&self.client, &GroupVersionKind::gvk(group, version, kind))
            .await
            .with_context(|| format!("discovering {key}"))?;
        let found = (ar, caps.scope);
        self.lock_kinds().insert(key, found.clone());
        Ok(found)
    }

    fn lock_kinds(&self) -> std::sync::MutexGuard<'_, HashMap<String, (ApiResource, Scope)>> {
        self.kinds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn create_one(&self, mut obj: Value) -> anyhow::Result<()> {
        let status = obj.as_object_mut().and_then(|o| o.remove("status"));
        let api_version = obj["apiVersion"]
            .as_str()
            .context("object without apiVersion")?
            .to_owned();
        let kind = obj["kind"]
            .as_str()
            .context("object without kind")?
            .to_owned();
        let (ar, scope) = self.resource(&api_version, &kind).await?;
        let ns = obj["metadata"]["namespace"].as_str().map(str::to_owned);
        let api: Api<DynamicObject> = match (&scope, &ns) {
            (Scope::Namespaced, Some(ns)) => Api::namespaced_with(self.client.clone(), ns, &ar),
            (Scope::Namespaced, None) => bail!("namespaced {kind} without metadata.namespace"),
            (Scope::Cluster, _) => Api::all_with(self.client.clone(), &ar),
        };
        let dynamic: DynamicObject = serde_json::from_value(obj)?;
        let name = dynamic
            .metadata
            .name
            .clone()
            .context("object without metadata.name")?;
        let mut attempt = 0;
        loop {
            match api.create(&PostParams::default(), &dynamic).await {
                Ok(_) => break,
                Err(kube::Error::Api(e)) if (e.code == 429 || e.code >= 500) && attempt < 5 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                }
                Err(e) => return Err(e).with_context(|| format!("creating {kind} {name}")),
            }
        }
        if let Some(status) = status {
            api.patch_status(
                &name,
                &PatchParams::default(),
                &Patch::Merge(serde_json::json!({ "status": status })),
            )
            .await
            .with_context(|| format!("setting the status of {kind} {name}"))?;
        }
        Ok(())
    }

    /// The other way to seed, for comparison: `parallel` concurrent `kubectl create -f` of JSON
    /// Lists of `chunk` objects each (statuses are not written). Prints and returns the time.
    pub fn seed_with_kubectl(
        &self,
        count: usize,
        parallel: usize,
        chunk: usize,
        make: impl Fn(usize) -> Value,
    ) -> anyhow::Result<Duration> {
        let dir = tempfile::tempdir()?;
        let mut files = Vec::new();
        let chunk = chunk.max(1);
        for (n, start) in (0..count).step_by(chunk).enumerate() {
            let items: Vec<Value> = (start..(start + chunk).min(count)).map(&make).collect();
            let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
            let path = dir.path().join(format!("{n}.json"));
            std::fs::write(&path, list.to_string())?;
            files.push(path);
        }
        let started = Instant::now();
        let queue = Mutex::new(files);
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..parallel.max(1))
                .map(|_| {
                    s.spawn(|| -> anyhow::Result<()> {
                        loop {
                            let next = queue
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner)
                                .pop();
                            let Some(path) = next else { return Ok(()) };
                            let file = path.to_string_lossy().into_owned();
                            let out = self.cluster.kubectl(&["create", "-f", &file, "-o", "name"]);
                            if !out.status.success() {
                                bail!(
                                    "kubectl create -f {file}: {}",
                                    String::from_utf8_lossy(&out.stderr)
                                );
                            }
                        }
                    })
                })
                .collect();
            workers
                .into_iter()
                .try_for_each(|w| w.join().expect("seeding thread panicked"))
        })?;
        let elapsed = started.elapsed();
        println!(
            "  seeded {count} objects with kubectl in {:.2}s ({:.0}/s, {parallel} parallel kubectl, lists of {chunk})",
            elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64().max(1e-9),
        );
        Ok(elapsed)
    }

    /// kubectl as the cluster admin (plugins reachable as `kubectl <plugin>`).
    pub fn kubectl(&self, args: &[&str]) -> Command {
        self.cluster.command(args)
    }

    /// `program args…` (a shell running a kubectl pipeline, the baseline a plugin is timed
    /// against) in kubectl's environment (kubeconfig, PATH), kubectl itself as `$KUBECTL`.
    pub fn kubectl_shell(&self, program: &str, args: &[&str]) -> Command {
        let kubectl = self.kubectl(&[]);
        let mut cmd = Command::new(program);
        cmd.args(args).env("KUBECTL", kubectl.get_program());
        for (key, value) in kubectl.get_envs() {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        cmd
    }

    /// `curl` GET of an API path as the cluster admin, body discarded, printing the bytes read:
    /// the server's own time to serve a request, with no client decoding at all.
    pub fn curl(&self, path_and_query: &str, accept: &str) -> Command {
        let pki = self.cluster.dir().join("pki");
        let mut cmd = Command::new("curl");
        cmd.args(["-sSf", "-o", "/dev/null", "-w", "%{size_download}\\n", "-H"])
            .arg(format!("Accept: {accept}"))
            .arg("--cacert")
            .arg(pki.join("ca.crt"))
            .arg("--cert")
            .arg(pki.join("admin.crt"))
            .arg("--key")
            .arg(pki.join("admin.key"))
            .arg(format!("{}{path_and_query}", self.cluster.api_url()));
        cmd
    }

    /// A plugin binary run directly (as kubectl would run it, same environment), so its time and
    /// peak RSS are its own: `b.plugin("ns-unstick", &["my-ns"])`.
    #[allow(dead_code)] // until the first plugin scenario lands
    pub fn plugin(&self, plugin: &str, args: &[&str]) -> Command {
        self.cluster.plugin_command(plugin, args)
    }

    /// A peer tool (another project's plugin doing the same job) that scripts/bench installed
    /// from its registry into `$FIRSTAID_PEER_DIR`. `None`, after saying so, when it is not
    /// there, so a scenario still runs where a registry cannot be reached.
    #[allow(clippy::unused_self)] // `b.peer(..)` like every other step
    pub fn peer(&self, name: &str) -> Option<PathBuf> {
        let bin = std::env::var_os("FIRSTAID_PEER_DIR")
            .map(|dir| Path::new(&dir).join(name))
            .filter(|bin| bin.is_file());
        if bin.is_none() {
            println!("  peer {name}: not installed (scripts/bench installs it), no row");
        }
        bin
    }

    /// A peer binary from [`Bench::peer`] run directly, like [`Bench::plugin`], as the admin.
    pub fn peer_command(&self, bin: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin);
        cmd.args(args).env("KUBECONFIG", self.cluster.kubeconfig());
        cmd
    }

    /// Says which peers a scenario has no row for, and why, so an absent row is not mistaken for
    /// a peer that was forgotten.
    #[allow(clippy::unused_self)] // `b.no_peers(..)` like every other step
    pub fn no_peers(&self, why: &str) {
        println!("  peers: {why}");
    }

    /// Runs `cmd()` once untimed (warm-up: caches, page cache), then `runs` timed times; each
    /// run must succeed. Prints one line and returns the numbers.
    pub fn measure(&self, label: &str, cmd: impl Fn() -> Command) -> anyhow::Result<Stats> {
        run_once(&cmd(), label)?;
        let mut times = Vec::with_capacity(self.runs);
        let mut peak: Option<u64> = None;
        for _ in 0..self.runs {
            let (elapsed, rss) = run_once(&cmd(), label)?;
            times.push(elapsed);
            peak = match (peak, rss) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
        times.sort();
        let stats = Stats {
            label: label.to_owned(),
            median: times[times.len() / 2],
            min: times[0],
            max: times[times.len() - 1],
            peak_rss_kib: peak,
        };
        println!(
            "  {:<56} median {:>8.3}s  (min {:.3}s, max {:.3}s)  peak RSS {}",
            stats.label,
            stats.median.as_secs_f64(),
            stats.min.as_secs_f64(),
            stats.max.as_secs_f64(),
            stats.peak_rss_kib.map_or_else(
                || "n/a (no /usr/bin/time)".to_owned(),
                |k| format!("{:.1} MiB", k as f64 / 1024.0)
            )
        );
        Ok(stats)
    }

    /// Prints `ours / baseline` of the medians (below 1.0: ours is faster).
    #[allow(clippy::unused_self)] // `b.ratio(..)` like every other step
    pub fn ratio(&self, ours: &Stats, baseline: &Stats) -> f64 {
        let r = ours.median.as_secs_f64() / baseline.median.as_secs_f64().max(1e-9);
        println!("  ratio: {} / {} = {r:.2}x", ours.label, baseline.label);
        r
    }
}

impl Bench {
    /// Prints current and peak (VmHWM) RSS of the cluster's processes.
    pub fn print_cluster_memory(&self) {
        let env = std::fs::read_to_string(self.cluster.dir().join("env")).unwrap_or_default();
        let mut parts = Vec::new();
        for (key, name) in [
            ("ETCD_PID", "etcd"),
            ("APISERVER_PID", "kube-apiserver"),
            ("KCM_PID", "kube-controller-manager"),
        ] {
            let Some(pid) = env
                .lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .filter(|p| !p.is_empty() && *p != "''")
            else {
                continue;
            };
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            let field = |f: &str| -> u64 {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(f))
                    .and_then(|v| v.split_whitespace().next()?.parse().ok())
                    .unwrap_or(0)
            };
            parts.push(format!(
                "{name} {} MiB (peak {} MiB)",
                field("VmRSS:") / 1024,
                field("VmHWM:") / 1024
            ));
        }
        println!("  cluster RSS: {}", parts.join(", "));
    }
}

/// One run of `cmd` (stdout discarded, stdin null), under GNU time when present for peak RSS.
fn run_once(cmd: &Command, label: &str) -> anyhow::Result<(Duration, Option<u64>)> {
    let rss_file = tempfile::NamedTempFile::new()?;
    let timed = Path::new(GNU_TIME).is_file();
    let mut run = if timed {
        let mut c = Command::new(GNU_TIME);
        c.args(["-f", "%M", "-o"])
            .arg(rss_file.path())
            .arg(cmd.get_program())
            .args(cmd.get_args());
        c
    } else {
        let mut c = Command::new(cmd.get_program());
        c.args(cmd.get_args());
        c
    };
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => run.env(k, v),
            None => run.env_remove(k),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        run.current_dir(dir);
    }
    run.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let out = run.output().with_context(|| format!("running {label}"))?;
    let elapsed = started.elapsed();
    if !out.status.success() {
        bail!(
            "{label} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let rss = if timed {
        std::fs::read_to_string(rss_file.path())?
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
    } else {
        None
    };
    Ok((elapsed, rss))
}
