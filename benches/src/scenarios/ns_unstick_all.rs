//! `kubectl ns-unstick --all` on the ns-unstick scenario's cluster (≥150 listable types, one
//! stuck namespace): every object stuck Terminating cluster-wide, one metadata-only list per
//! type, against the same scan done with kubectl (`api-resources | xargs kubectl get -A`), which
//! is what a script without the plugin does.

use crate::harness::Bench;

/// Times `--all` and its kubectl equivalent; the scan must name the stuck namespace.
pub fn measure_all(b: &Bench, stuck_namespace: &str) -> anyhow::Result<()> {
    let types = b
        .cluster
        .kubectl_ok(&["api-resources", "--verbs=list", "-o", "name"]);
    println!(
        "  {} listable resource types in all (namespaced and cluster-scoped), each listed by --all",
        types.lines().count()
    );
    let out = b.plugin("ns-unstick", &["--all"]).output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(
        out.status.success() && text.contains(&format!("namespace/{stuck_namespace}")),
        "ns-unstick --all did not list {stuck_namespace}:\n{text}"
    );
    let ours = b.measure("kubectl-ns_unstick --all", || {
        b.plugin("ns-unstick", &["--all"])
    })?;
    let pipeline = "$KUBECTL api-resources --verbs=list -o name | xargs -n 1 $KUBECTL get --show-kind --ignore-not-found -A -o name";
    let base = b.measure("api-resources | xargs -n 1 kubectl get -A", || {
        b.kubectl_shell("sh", &["-c", pipeline])
    })?;
    b.ratio(&ours, &base);
    Ok(())
}
