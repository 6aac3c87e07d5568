use super::*;
use crate::profiles;

fn range(role: Role, text: &str) -> Range {
    Range {
        role,
        cidr: Cidr::parse(text).expect(text),
        source: "argument".into(),
    }
}

fn rules(findings: &[Finding]) -> Vec<(&'static str, Severity)> {
    findings.iter().map(|f| (f.rule, f.severity)).collect()
}

fn errors(ranges: &[Range], settings: &Settings) -> Vec<&'static str> {
    check(ranges, settings)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.rule)
        .collect()
}

fn cce() -> Settings {
    Settings {
        profile: profiles::find("cce"),
        ..Settings::default()
    }
}

#[test]
fn faq_validation_cases() {
    // The FAQ's dual-stack example with the CCE profile.
    let ok = |t: &str| errors(&[range(Role::Service, t)], &cce()).is_empty();
    assert!(ok("fc00::/112"));
    assert!(!ok("fc00::/111"));
    assert!(!ok("fc00::/121"));
    assert!(!ok("fd00::/112"));
    assert!(!ok("2001:db8::/112"));
    assert!(ok("fc12:3456::2000/115"));
    assert_eq!(
        errors(&[range(Role::Service, "fc12:3456::1000/115")], &cce()),
        ["host-bits-set"]
    );
    assert_eq!(
        errors(&[range(Role::Service, "fc00::1/112")], &cce()),
        ["host-bits-set"]
    );
    // Without a profile, fd00::/112 is fine: the fc00::/8 rule is CCE's, not Kubernetes'.
    assert!(errors(&[range(Role::Service, "fd00::/112")], &Settings::default()).is_empty());
}

#[test]
fn service_cap_depends_on_the_allocator() {
    let r = [range(Role::Service, "fd00::/64")];
    let with = |version| Settings {
        version: Some(version),
        ..Settings::default()
    };
    assert_eq!(errors(&r, &with((1, 33))), ["service-range-too-large"]);
    assert!(errors(&r, &with((1, 34))).is_empty());
    let unknown = check(&r, &Settings::default());
    assert_eq!(
        rules(&unknown),
        [("service-range-too-large", Severity::Warning)]
    );
    assert!(unknown[0].message.contains("DisableAllocatorDualWrite"));
    let gates = Settings {
        version: Some((1, 32)),
        allocator: Some(Allocator::Ipaddress),
        ..Settings::default()
    };
    assert!(errors(&r, &gates).is_empty());
    assert_eq!(
        errors(&[range(Role::Service, "fd00::/63")], &with((1, 34))),
        ["service-range-too-large"]
    );
    assert!(errors(&[range(Role::Service, "fd00:10:96::/108")], &with((1, 30))).is_empty());
    assert_eq!(
        errors(&[range(Role::Service, "10.0.0.0/11")], &with((1, 30))),
        ["service-range-too-large"]
    );
    assert_eq!(
        errors(&[range(Role::Service, "fd00::1/128")], &Settings::default()),
        ["service-range-too-small"]
    );
}

#[test]
fn pod_node_masks() {
    let s = Settings::default();
    assert!(errors(&[range(Role::Pod, "fd00:10:244::/48")], &s).is_empty());
    assert_eq!(
        errors(&[range(Role::Pod, "fd00:10:244::/47")], &s),
        ["node-mask-too-long"]
    );
    assert_eq!(
        errors(&[range(Role::Pod, "fd00::/80")], &s),
        ["node-mask-shorter-than-cluster"]
    );
    let small_nodes = Settings {
        node_mask_v4: Some(26),
        ..Settings::default()
    };
    let found = check(&[range(Role::Pod, "10.244.0.0/16")], &small_nodes);
    assert_eq!(
        rules(&found),
        [
            ("pods-per-node", Severity::Warning),
            ("node-capacity", Severity::Info)
        ]
    );
    let capacity = check(&[range(Role::Pod, "10.244.0.0/16")], &s);
    assert!(capacity[0].message.contains("room for 256 nodes of /24"));
}

#[test]
fn overlaps_and_pairs() {
    let s = Settings::default();
    let found = errors(
        &[
            range(Role::Service, "10.96.0.0/12"),
            range(Role::Pod, "10.96.0.0/16"),
            range(Role::Node, "192.168.0.0/16"),
        ],
        &s,
    );
    assert_eq!(found, ["overlap"]);
    // Service ranges may overlap each other (several ServiceCIDRs).
    let two = [
        range(Role::Service, "10.96.0.0/16"),
        range(Role::Service, "fd00:10:96::/108"),
    ];
    assert!(errors(&two, &s).is_empty());
    let same_family = [
        range(Role::Service, "10.96.0.0/16"),
        range(Role::Service, "10.97.0.0/16"),
    ];
    assert_eq!(errors(&same_family, &s), ["dual-stack-pair"]);
    // The FAQ's container CIDR choices: CCE's IPv4 container CIDR choices and the service default must not overlap.
    let cce_ipv4 = [
        range(Role::Service, "10.247.0.0/16"),
        range(Role::Pod, "10.0.0.0/12"),
    ];
    assert!(errors(&cce_ipv4, &cce()).is_empty());
    assert_eq!(
        errors(&[range(Role::Pod, "10.0.0.0/19")], &cce()),
        ["profile"]
    );
    assert_eq!(
        errors(
            &[
                range(Role::Service, "10.247.0.0/16"),
                range(Role::Pod, "10.240.0.0/12")
            ],
            &cce()
        ),
        ["overlap"]
    );
}

#[test]
fn address_classes() {
    let s = Settings::default();
    assert_eq!(
        errors(&[range(Role::Service, "fe80::/112")], &s),
        ["address-class"]
    );
    let found = check(&[range(Role::Service, "2001:db8::/112")], &s);
    assert_eq!(rules(&found), [("address-class", Severity::Warning)]);
}

fn node(name: &str, cidrs: &[&str]) -> NodeAllocation {
    NodeAllocation {
        node: name.into(),
        cidrs: cidrs.iter().map(|t| Cidr::parse(t).expect(t)).collect(),
    }
}

#[test]
fn node_allocations() {
    let ranges = [
        range(Role::Service, "10.96.0.0/16"),
        range(Role::Service, "fd00:10:96::/108"),
    ];
    let healthy = [
        node("a", &["10.244.0.0/24", "fd00:10:244::/64"]),
        node("b", &["10.244.1.0/24", "fd00:10:244:1::/64"]),
    ];
    assert!(check_nodes(&healthy, &ranges).is_empty());
    let broken = [
        node("a", &["10.244.0.0/24", "fd00:10:244::/64"]),
        node("b", &["10.244.0.0/24", "fd00:10:96::/112"]),
        node("c", &["10.244.0.0/23"]),
        node("d", &["10.244.8.0/24", "10.244.9.0/24"]),
    ];
    let found = check_nodes(&broken, &ranges);
    let summary: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|f| (f.rule, f.source.as_str(), f.cidr.as_str()))
        .collect();
    assert!(
        summary.contains(&("overlap", "node/b", "fd00:10:96::/112")),
        "{summary:?}"
    );
    assert!(summary.contains(&("dual-stack-pair", "node/d", "10.244.8.0/24,10.244.9.0/24")));
    let node_overlaps = summary
        .iter()
        .filter(|(rule, _, cidr)| *rule == "overlap" && cidr.starts_with("10.244.0.0"))
        .count();
    assert_eq!(node_overlaps, 2, "{summary:?}");
    assert!(summary.iter().any(|(rule, ..)| *rule == "mixed-node-masks"));
    assert!(
        summary
            .iter()
            .any(|(rule, ..)| *rule == "dual-stack-partial")
    );
}
