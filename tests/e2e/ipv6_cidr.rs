//! `kubectl ipv6-cidr` through real kubectl: the arithmetic subcommands, and `cluster` reading a
//! real dual-stack API server (service range `10.96.0.0/16,fd00:10:96::/108`, ServiceCIDR API v1)
//! with Node objects whose `spec.podCIDRs` are healthy or broken the ways the checks catch.
//! Nothing connects to any of these ranges: they are allocation data only.

use firstaid_e2e::{Cluster, ClusterOptions, cluster, unique};
use serde_json::{Value, json};

fn node_with_pod_cidrs(c: &Cluster, prefix: &str, pod_cidrs: &[&str]) -> String {
    let name = unique(prefix);
    c.apply(
        &json!({
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": name},
            "spec": {"podCIDR": pod_cidrs[0], "podCIDRs": pod_cidrs},
        })
        .to_string(),
    );
    name
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn findings_for<'a>(report: &'a Value, source: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .map(|all| all.iter().filter(|f| f["source"] == source).collect())
        .unwrap_or_default()
}

#[test]
fn arithmetic_subcommands_run_through_kubectl() {
    let c = cluster();
    let out = c.kubectl(&["ipv6-cidr", "info", "fc00::1/112", "-o", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info = json_of(&out);
    assert_eq!(info["kind"], "CidrInfoList");
    assert_eq!(info["items"][0]["network"], "fc00::/112");
    assert_eq!(info["items"][0]["addresses"], "65536");
    assert_eq!(info["items"][0]["hostBitsSet"], true);

    let table = c.kubectl_ok(&[
        "ipv6-cidr",
        "info",
        "ff01:0d28:03ee:0000:0000:0000:0000:0c23",
    ]);
    assert!(
        table.contains("Address:       ff01:d28:3ee::c23"),
        "{table}"
    );
    assert!(table.contains("multicast"), "{table}");

    let plan = c.kubectl_ok(&[
        "ipv6-cidr",
        "plan",
        "--addresses",
        "8192",
        "--profile",
        "cce",
        "--limit",
        "2",
    ]);
    assert!(
        plan.contains("/115") && plan.contains("{0,2,4,6,8,a,c,e}"),
        "{plan}"
    );
    assert!(plan.contains("fc00::2000/115"), "{plan}");

    // The FAQ's validation cases: exit 1 with the failing rule named.
    let out = c.kubectl(&["ipv6-cidr", "check", "fd00::/112", "--profile", "cce"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("fc00::/8"));
    let out = c.kubectl(&["ipv6-cidr", "check", "fc00::/112", "--profile", "cce"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Malformed input: exit 2 and a reason.
    for (bad, why) in [
        ("fc00::1::/112", "'::' appears twice"),
        ("fc00::/129", "longer than the address"),
        ("fc0g::/112", "not a hex digit"),
        ("", "empty input"),
    ] {
        let out = c.kubectl(&["ipv6-cidr", "info", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(why), "{bad:?}: {stderr}");
    }

    let lines = c.kubectl_ok(&[
        "ipv6-cidr",
        "split",
        "fd00::/64",
        "--into",
        "/112",
        "--offset",
        "1000000",
        "--limit",
        "2",
    ]);
    assert_eq!(lines, "fd00::f:4240:0/112\nfd00::f:4241:0/112\n");
}

#[test]
fn cluster_reads_service_cidrs_kubernetes_service_and_node_pod_cidrs() {
    let c = cluster();
    let a = node_with_pod_cidrs(c, "v6cidr-ok", &["10.250.1.0/24", "fd00:10:250:1::/64"]);
    let b = node_with_pod_cidrs(c, "v6cidr-ok", &["10.250.2.0/24", "fd00:10:250:2::/64"]);
    let out = c.kubectl(&["ipv6-cidr", "cluster", "-o", "json"]);
    let report = json_of(&out);
    assert_eq!(report["kind"], "ClusterCidrReport");
    assert_eq!(report["version"], "v1.34.4");
    assert_eq!(report["serviceCidrApi"], "networking.k8s.io/v1");
    assert_eq!(report["allocator"], "ipaddress");
    let ranges: Vec<(String, String)> = report["ranges"]
        .as_array()
        .expect("ranges")
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap_or("").to_owned(),
                r["cidr"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    for want in ["10.96.0.0/16", "fd00:10:96::/108"] {
        assert!(
            ranges.contains(&("ServiceCIDR/kubernetes".into(), want.into())),
            "{ranges:?}"
        );
    }
    assert!(
        report["kubernetesServiceIps"]
            .as_array()
            .is_some_and(|ips| ips.contains(&json!("10.96.0.1"))),
        "{report}"
    );
    assert!(
        report["nodes"]["withPodCidrs"]
            .as_u64()
            .is_some_and(|n| n >= 2),
        "{report}"
    );
    for node in [&a, &b] {
        assert!(
            findings_for(&report, &format!("node/{node}")).is_empty(),
            "{report}"
        );
    }
    // Other tests share this cluster: the exit code follows whatever errors the report lists.
    let errors = report["errors"].as_u64().expect("errors");
    assert_eq!(out.status.code(), Some(i32::from(errors > 0)), "{report}");

    let wide = c.kubectl(&["ipv6-cidr", "cluster", "-o", "wide"]);
    let text = String::from_utf8_lossy(&wide.stdout);
    assert!(
        text.contains("ServiceCIDR/kubernetes") && text.contains("fd00:10:96::/108"),
        "{text}"
    );
    assert!(String::from_utf8_lossy(&wide.stderr).contains("Kubernetes v1.34.4"));
}

#[test]
fn cluster_finds_overlapping_and_shared_pod_ranges() {
    // A private cluster: this test breaks cluster-wide state on purpose (an extra ServiceCIDR,
    // nodes whose pod ranges collide), and asserts the whole report.
    let c = Cluster::start(ClusterOptions {
        controller_manager: false,
        ..ClusterOptions::default()
    })
    .expect("private cluster starts");
    c.apply(
        &json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "ServiceCIDR",
            "metadata": {"name": "extra"},
            "spec": {"cidrs": ["10.80.0.0/24"]},
        })
        .to_string(),
    );
    let into_services =
        node_with_pod_cidrs(&c, "v6cidr-svc", &["10.244.0.0/24", "fd00:10:96::/112"]);
    let shared = node_with_pod_cidrs(&c, "v6cidr-dup", &["10.244.0.0/24"]);
    let into_extra = node_with_pod_cidrs(&c, "v6cidr-extra", &["10.80.0.0/25"]);

    let out = c.kubectl(&["ipv6-cidr", "cluster", "-o", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_of(&out);
    let rules = |node: &str| -> Vec<(String, String)> {
        findings_for(&report, &format!("node/{node}"))
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap_or("").to_owned(),
                    f["message"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    };
    let svc = rules(&into_services);
    assert!(
        svc.iter().any(|(rule, msg)| rule == "overlap"
            && msg.contains("fd00:10:96::/108")
            && msg.contains("ServiceCIDR/kubernetes")),
        "{svc:?}"
    );
    // The two nodes sharing 10.244.0.0/24: whichever sorts second is reported, naming the other.
    let dup = rules(&shared);
    assert!(
        dup.iter()
            .any(|(rule, msg)| rule == "overlap" && msg.contains(&into_services))
            || svc
                .iter()
                .any(|(rule, msg)| rule == "overlap" && msg.contains(&shared)),
        "{dup:?} {svc:?}"
    );
    let extra = rules(&into_extra);
    assert!(
        extra
            .iter()
            .any(|(rule, msg)| rule == "overlap" && msg.contains("ServiceCIDR/extra")),
        "{extra:?}"
    );
    assert!(
        report["ranges"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["source"] == "ServiceCIDR/extra"))
    );
    assert!(
        report["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["rule"] == "dual-stack-partial")),
        "{report}"
    );

    // The CCE profile rejects the cluster's fd00:: service range (it wants fc00::/8).
    let out = c.kubectl(&["ipv6-cidr", "cluster", "--profile", "cce", "-o", "json"]);
    let report = json_of(&out);
    let profile = findings_for(&report, "ServiceCIDR/kubernetes");
    assert!(
        profile
            .iter()
            .any(|f| f["rule"] == "profile" && f["cidr"] == "fd00:10:96::/108"),
        "{report}"
    );

    // Without RBAC rights on nodes: exit 7, naming the verb and resource.
    let user = c.add_user(&unique("v6cidr-nobody"));
    let out = c.kubectl_as(&user, &["ipv6-cidr", "cluster"]);
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot list resource \"nodes\""),
        "{stderr}"
    );
}

#[test]
fn cluster_with_the_server_down_exits_8() {
    let c = cluster();
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("config");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\ncurrent-context: down\nclusters:\n- name: down\n  cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: down\n  context: {cluster: down, user: u}\n",
    )
    .expect("write kubeconfig");
    let out = c.kubectl_as(&kubeconfig, &["ipv6-cidr", "cluster"]);
    assert_eq!(
        out.status.code(),
        Some(8),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("refused"));
}
