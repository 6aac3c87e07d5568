//! The test stand-in for metrics-server (`tests/cluster/cmd/fake-metrics`): a loopback HTTPS
//! server serving metrics.k8s.io from data the test controls, registered as APIService
//! `v1beta1.metrics.k8s.io` through an ExternalName Service pointing at localhost, so metrics
//! requests go through kube-apiserver's real aggregation layer (aggregator routing is off in the
//! test cluster, so the aggregator dials the Service's externalName). Used by top-real's e2e
//! tests and benchmark. Register it only on a private cluster: the APIService is cluster-wide.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

use crate::{Cluster, unique, workspace_root};

/// Builds the fake metrics server once (Go, stdlib only), cached by its source's hash.
pub fn binary() -> PathBuf {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = BIN.get_or_init(|| {
        let module = workspace_root().join("tests/cluster");
        let source = std::fs::read(module.join("cmd/fake-metrics/main.go"))
            .map_err(|e| format!("reading fake-metrics source: {e}"))?;
        let hash = source.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
        });
        let dir = workspace_root().join(format!(".cache/fake-metrics/{hash:016x}"));
        let bin = dir.join("fake-metrics");
        if bin.is_file() {
            return Ok(bin);
        }
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let tmp = dir.join(format!("fake-metrics.tmp.{}", std::process::id()));
        let out = Command::new("go")
            .current_dir(&module)
            .args(["build", "-trimpath", "-o"])
            .arg(&tmp)
            .arg("./cmd/fake-metrics")
            .env("CGO_ENABLED", "0")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running go build: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "go build fake-metrics failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        std::fs::rename(&tmp, &bin).map_err(|e| e.to_string())?;
        Ok(bin)
    });
    match built {
        Ok(bin) => bin.clone(),
        Err(e) => panic!("{e}"),
    }
}

/// A running fake metrics server on 127.0.0.1; killed (by its pid) on drop, and it exits by
/// itself when this process's end closes its stdin.
pub struct FakeMetrics {
    child: Child,
    pub port: u16,
    data: PathBuf,
}

impl FakeMetrics {
    /// Starts a server on 127.0.0.1 serving `{}` (nothing) until [`FakeMetrics::serve`].
    pub fn start(dir: &Path) -> Self {
        let data = dir.join(format!("{}.json", unique("metrics")));
        std::fs::write(&data, "{}").expect("write metrics data");
        let mut child = Command::new(binary())
            .arg("--data")
            .arg(&data)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start fake-metrics");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read port");
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("fake-metrics printed {line:?}"));
        FakeMetrics { child, port, data }
    }

    /// What the server returns from now on: `{"nodes": […], "pods": […], "fail": 0}`.
    pub fn serve(&self, data: &Value) {
        let tmp = self.data.with_extension("tmp");
        std::fs::write(&tmp, data.to_string()).expect("write metrics data");
        std::fs::rename(&tmp, &self.data).expect("replace metrics data");
    }

    /// Registers the server as APIService v1beta1.metrics.k8s.io via an ExternalName Service
    /// that points at localhost (aggregator routing is off, so the aggregator dials it).
    pub fn register(&self, c: &Cluster) {
        let port = self.port;
        c.apply(&format!(
            r"
apiVersion: v1
kind: Service
metadata: {{name: fake-metrics, namespace: kube-system}}
spec: {{type: ExternalName, externalName: localhost, ports: [{{port: {port}}}]}}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {{name: v1beta1.metrics.k8s.io}}
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  insecureSkipTLSVerify: true
  service: {{namespace: kube-system, name: fake-metrics, port: {port}}}
"
        ));
    }
}

impl std::fmt::Debug for FakeMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeMetrics")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Drop for FakeMetrics {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `Available` condition status (`True`/`False`) of APIService `v1beta1.metrics.k8s.io`;
/// None when it does not exist or has no such condition yet.
pub fn apiservice_available(c: &Cluster) -> Option<String> {
    let svc = c.get("apiservice", None, "v1beta1.metrics.k8s.io")?;
    svc["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|cond| cond["type"] == "Available")
        .and_then(|cond| cond["status"].as_str().map(str::to_owned))
}
