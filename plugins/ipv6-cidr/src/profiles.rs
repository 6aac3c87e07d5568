//! Vendor constraints (`--profile NAME`), kept as data in `data/profiles.json`.
//!
//! Vendors add rules on top of Kubernetes' own (CCE: an IPv6 service CIDR inside `fc00::/8`,
//! /112–/120). They change per vendor and per release, so they live in one table a reviewer can
//! check against the vendor's FAQ, not in `if` statements spread through the checks. Nothing
//! vendor-specific applies unless a profile is asked for.

use std::sync::OnceLock;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::cidr::Family;

const PROFILES_JSON: &str = include_str!("../data/profiles.json");

/// Which range of a cluster a rule or check is about.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Service ClusterIPs (`--service-cluster-ip-range`, ServiceCIDR objects).
    Service,
    /// The pod network (`--cluster-cidr`), split into per-node ranges.
    Pod,
    /// The nodes' own subnet (VPC/host network).
    Node,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Service => "service",
            Role::Pod => "pod",
            Role::Node => "node",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Allowed {
    pub within: IpNet,
    pub min_prefix: u8,
    pub max_prefix: u8,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub role: Role,
    pub family: Family,
    pub allowed: Vec<Allowed>,
    #[serde(default)]
    pub default: Option<IpNet>,
    pub why: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Profile {
    pub name: String,
    pub vendor: String,
    pub source: String,
    pub rules: Vec<Rule>,
}

#[derive(Deserialize)]
struct File {
    profiles: Vec<Profile>,
}

/// Every built-in profile (the table is parsed once; a unit test proves it parses).
pub fn all() -> &'static [Profile] {
    static PROFILES: OnceLock<Vec<Profile>> = OnceLock::new();
    PROFILES.get_or_init(|| {
        serde_json::from_str::<File>(PROFILES_JSON).map_or_else(|_| Vec::new(), |f| f.profiles)
    })
}

pub fn names() -> Vec<&'static str> {
    all().iter().map(|p| p.name.as_str()).collect()
}

pub fn find(name: &str) -> Option<&'static Profile> {
    all().iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// clap value parser: a known profile name.
pub fn profile_arg(text: &str) -> Result<&'static Profile, String> {
    find(text).ok_or_else(|| format!("unknown profile {text:?}; known: {}", names().join(", ")))
}

impl Profile {
    pub fn rule(&self, role: Role, family: Family) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.role == role && r.family == family)
    }
}

impl Rule {
    /// Whether `net` satisfies one of the allowed shapes.
    pub fn allows(&self, net: &IpNet) -> bool {
        self.allowed.iter().any(|a| {
            a.within.contains(net) && (a.min_prefix..=a.max_prefix).contains(&net.prefix_len())
        })
    }

    /// `fc00::/8 with a prefix /112–/120`, for messages.
    pub fn describe(&self) -> String {
        self.allowed
            .iter()
            .map(|a| {
                format!(
                    "inside {} with a prefix /{}–/{}",
                    a.within, a.min_prefix, a.max_prefix
                )
            })
            .collect::<Vec<_>>()
            .join(", or ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_is_consistent() {
        let file: File = serde_json::from_str(PROFILES_JSON).expect("profiles.json parses");
        assert!(!file.profiles.is_empty());
        for profile in &file.profiles {
            for rule in &profile.rules {
                for allowed in &rule.allowed {
                    assert_eq!(
                        Family::of_net(&allowed.within),
                        rule.family,
                        "{}",
                        profile.name
                    );
                    assert_eq!(allowed.within, allowed.within.trunc());
                    assert!(allowed.min_prefix <= allowed.max_prefix);
                    assert!(allowed.max_prefix <= rule.family.bits());
                }
                if let Some(default) = rule.default {
                    assert!(
                        rule.allows(&default),
                        "{}: default not allowed",
                        profile.name
                    );
                }
            }
        }
        assert_eq!(all().len(), file.profiles.len());
    }

    #[test]
    fn cce_service_rule_matches_the_faq() {
        // The FAQ's dual-stack example.
        let cce = find("cce").expect("cce profile");
        let rule = cce.rule(Role::Service, Family::Ipv6).expect("rule");
        let ok = |t: &str| rule.allows(&t.parse().expect(t));
        assert!(ok("fc00::/112"));
        assert!(ok("fc00::/120"));
        assert!(!ok("fc00::/111"));
        assert!(!ok("fc00::/121"));
        assert!(!ok("fd00::/112"));
        assert!(!ok("2001:db8::/112"));
        assert!(ok("fc12:3456::2000/115"));
        assert!(cce.rule(Role::Service, Family::Ipv4).is_none());
        assert!(profile_arg("nope").is_err());
    }
}
