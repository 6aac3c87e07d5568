//! `plan`: size a range, then show where it may go.

use firstaid::output::{Cell, Column, Table, Tone};
use firstaid::{Error, Exit, Printer, Result};
use ipnet::IpNet;
use serde::Serialize;

use crate::cidr::{self, Family};
use crate::cli::{FamilyArg, PlanArgs};
use crate::k8s::{self, Allocator};
use crate::plan::{self, Count};
use crate::split::Subnets;

/// `-o json|yaml` of `plan` (`kind: CidrPlan`). Counts are decimal strings.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanBody {
    pub family: Family,
    /// `addresses` or `hosts`, and the number asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested: Option<Requested>,
    /// The chosen prefix length, and what it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix_length: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addresses: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usable_hosts: Option<String>,
    /// Which network addresses are valid for the prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alignment: Option<String>,
    /// The parent the candidates lie in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// A freshly generated RFC 4193 /48, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub random_ula: Option<String>,
    /// How many networks of the prefix fit in the parent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidates_total: Option<String>,
    /// The first few (or one random) valid networks.
    pub candidates: Vec<String>,
    /// Adjustments and warnings (rounded up, raised to a profile minimum, allocator limits).
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Requested {
    pub kind: &'static str,
    pub count: String,
}

pub fn build(args: &PlanArgs) -> Result<PlanBody> {
    let family = match args.family {
        FamilyArg::Ipv6 => Family::Ipv6,
        FamilyArg::Ipv4 => Family::Ipv4,
    };
    let family = args.within.map_or(family, |w| w.family());
    let mut notes = Vec::new();
    let random_ula = args.random_ula.then(plan::random_ula);
    if random_ula.is_some() && family == Family::Ipv4 {
        return Err(Error::Usage(
            "--random-ula makes an IPv6 prefix; drop --family ipv4".into(),
        ));
    }
    let rule = args
        .profile
        .and_then(|p| p.rule(args.role, family).map(|r| (p, r)));
    let request = match (args.addresses, args.hosts) {
        (Some(n), _) => Some(("addresses", n, false)),
        (None, Some(n)) => Some(("hosts", n, true)),
        (None, None) => None,
    };
    let mut body = PlanBody {
        family,
        requested: None,
        prefix_length: None,
        addresses: None,
        usable_hosts: None,
        alignment: None,
        within: None,
        random_ula: random_ula.map(|n| n.to_string()),
        candidates_total: None,
        candidates: Vec::new(),
        notes: Vec::new(),
    };
    let Some((kind, count, hosts)) = request else {
        if random_ula.is_none() {
            return Err(Error::Usage(
                "say how large: --addresses N or --hosts N (or --random-ula for a fresh /48)"
                    .into(),
            ));
        }
        notes.push(
            "RFC 4193: fd00::/8 with a random 40-bit Global ID; pick subnets inside it".into(),
        );
        body.notes = notes;
        return Ok(body);
    };
    let mut prefix = plan::smallest_prefix(family, count, hosts).map_err(Error::Usage)?;
    if let Count::Exact(n) = count
        && !hosts
        && !n.is_power_of_two()
    {
        notes.push(format!(
            "{} is not a power of two: rounded up to {} addresses",
            cidr::grouped(&n.to_string()),
            cidr::grouped(&cidr::pow2_decimal(family.bits() - prefix))
        ));
    }
    if let Some((profile, rule)) = rule {
        let longest = rule
            .allowed
            .iter()
            .map(|a| a.max_prefix)
            .max()
            .unwrap_or(prefix);
        let shortest = rule
            .allowed
            .iter()
            .map(|a| a.min_prefix)
            .min()
            .unwrap_or(prefix);
        if prefix < shortest {
            return Err(Error::Usage(format!(
                "{} {kind} need /{prefix}, but {} allows at most {} addresses (/{shortest}) for a {} {} range: {}",
                cidr::grouped(&count.decimal()),
                profile.name,
                cidr::grouped(&cidr::pow2_decimal(family.bits() - shortest)),
                family.name(),
                args.role.name(),
                rule.why
            )));
        }
        if prefix > longest {
            notes.push(format!(
                "raised from /{prefix} to /{longest}: the smallest {} range {} allows ({} addresses)",
                args.role.name(),
                profile.name,
                cidr::grouped(&cidr::pow2_decimal(family.bits() - longest))
            ));
            prefix = longest;
        }
    }
    if args.role == crate::profiles::Role::Service {
        service_notes(family, prefix, args.kube_version, &mut notes);
    }
    let host_bits = family.bits() - prefix;
    body.requested = Some(Requested {
        kind,
        count: count.decimal(),
    });
    body.prefix_length = Some(prefix);
    body.addresses = Some(cidr::pow2_decimal(host_bits));
    body.usable_hosts = Some(plan::usable_hosts(family, host_bits).to_string());
    body.alignment = Some(plan::alignment_rule(family, prefix));

    let parent: Option<IpNet> = args
        .within
        .map(|w| {
            if w.host_bits_set() {
                notes.push(format!(
                    "--within {}/{} has host bits set; using {}",
                    w.addr,
                    w.net.prefix_len(),
                    w.net
                ));
            }
            w.net
        })
        .or_else(|| random_ula.map(IpNet::V6))
        .or_else(|| {
            rule.and_then(|(_, r)| {
                r.allowed
                    .iter()
                    .find(|a| Family::of_net(&a.within) == family)
            })
            .map(|a| a.within)
        });
    if let Some(parent) = parent {
        if parent.prefix_len() > prefix {
            return Err(Error::Usage(format!(
                "a /{prefix} does not fit inside {parent}; choose a larger parent"
            )));
        }
        if let Some((profile, rule)) = rule
            && !rule.allowed.iter().any(|a| a.within.contains(&parent))
        {
            notes.push(format!(
                "{parent} is not inside what {} allows ({})",
                profile.name,
                rule.describe()
            ));
        }
        body.within = Some(parent.to_string());
        body.candidates_total = Some(cidr::pow2_decimal(prefix - parent.prefix_len()));
        body.candidates = if args.random {
            vec![plan::random_within(&parent, prefix).to_string()]
        } else {
            Subnets::new(&parent, prefix, 0)
                .map_err(|e| Error::Usage(e.to_string()))?
                .take(usize::try_from(args.limit).unwrap_or(usize::MAX))
                .map(|n| n.to_string())
                .collect()
        };
    }
    body.notes = notes;
    Ok(body)
}

fn service_notes(family: Family, prefix: u8, version: Option<(u32, u32)>, notes: &mut Vec<String>) {
    let legacy = k8s::min_service_prefix(family, Allocator::Legacy);
    let ipaddress = k8s::min_service_prefix(family, Allocator::Ipaddress);
    let (major, minor) = k8s::CAP_LIFTED_BY_DEFAULT;
    if prefix < ipaddress {
        notes.push(format!(
            "no Kubernetes version accepts a service range this large (IPv6 needs /{ipaddress} or longer)"
        ));
    } else if prefix < legacy {
        let allocator = version.map(k8s::default_allocator);
        notes.push(match allocator {
            Some(Allocator::Legacy) => format!(
                "too large for this version's service allocator (at most 20 host bits: /{legacy}); needs {major}.{minor}+ or the ServiceCIDR feature gates"
            ),
            _ => format!(
                "more than 20 host bits: kube-apiserver before {major}.{minor} refuses it as a service range (it needs /{legacy} or longer there)"
            ),
        });
    }
}

pub fn run(args: &PlanArgs, printer: &mut Printer) -> Result<Exit> {
    let body = build(args)?;
    if printer.format.is_structured() {
        printer.document("CidrPlan", &body)?;
        return Ok(Exit::Ok);
    }
    if let Some(ula) = &body.random_ula {
        printer.line(&format!("Random ULA /48:  {ula}"))?;
    }
    if let (Some(req), Some(prefix), Some(addresses), Some(usable)) = (
        &body.requested,
        body.prefix_length,
        &body.addresses,
        &body.usable_hosts,
    ) {
        printer.line(&format!(
            "Prefix:          /{prefix} for {} {} ({} host bits)",
            cidr::grouped(&req.count),
            req.kind,
            body.family.bits() - prefix
        ))?;
        printer.line(&format!(
            "Holds:           {} addresses, {} usable hosts",
            cidr::grouped(addresses),
            cidr::grouped(usable)
        ))?;
    }
    if let Some(rule) = &body.alignment {
        printer.line(&format!("Valid networks:  {rule}"))?;
    }
    if let (Some(parent), Some(total)) = (&body.within, &body.candidates_total) {
        printer.line(&format!(
            "Within {parent}: {} networks of this size",
            cidr::grouped(total)
        ))?;
        let mut table = Table::new(vec![Column::new("candidate")]);
        for c in &body.candidates {
            table.push(c.clone(), vec![Cell::toned(c.clone(), Tone::Good)]);
        }
        if !table.is_empty() {
            printer.table(&table)?;
        }
    }
    for note in &body.notes {
        printer.note(&format!("note: {note}"))?;
    }
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn plan(args: &[&str]) -> Result<PlanBody> {
        let mut command_line = vec!["x", "plan"];
        command_line.extend_from_slice(args);
        match Cli::try_parse_from(command_line).expect("parse").command {
            Command::Plan(a) => build(&a),
            _ => unreachable!(),
        }
    }

    #[test]
    fn faq_8192_addresses() {
        let body = plan(&[
            "--addresses",
            "8192",
            "--within",
            "fc12:3456::/32",
            "--limit",
            "3",
        ])
        .expect("plan");
        assert_eq!(body.prefix_length, Some(115));
        assert_eq!(body.addresses.as_deref(), Some("8192"));
        assert!(
            body.alignment
                .as_deref()
                .is_some_and(|a| a.contains("{0,2,4,6,8,a,c,e}"))
        );
        assert_eq!(
            body.candidates,
            [
                "fc12:3456::/115",
                "fc12:3456::2000/115",
                "fc12:3456::4000/115"
            ]
        );
        assert_eq!(
            body.candidates_total.as_deref(),
            Some("9671406556917033397649408")
        );
    }

    #[test]
    fn faq_sizes_with_the_cce_profile() {
        // The FAQ's planning example.
        let prefix =
            |n: &str| plan(&["--addresses", n, "--profile", "cce"]).map(|b| b.prefix_length);
        assert_eq!(prefix("8192").expect("plan"), Some(115));
        assert_eq!(prefix("65536").expect("plan"), Some(112));
        assert_eq!(prefix("5000").expect("plan"), Some(115));
        assert_eq!(prefix("100").expect("plan"), Some(120));
        let err = prefix("100000").expect_err("too many");
        assert!(err.to_string().contains("at most 65,536"), "{err}");
        let body = plan(&["--addresses", "100", "--profile", "cce"]).expect("plan");
        assert!(
            body.notes
                .iter()
                .any(|n| n.contains("raised from /121 to /120"))
        );
        assert_eq!(body.within.as_deref(), Some("fc00::/8"));
        assert_eq!(body.candidates[0], "fc00::/120");
    }

    #[test]
    fn random_ula_and_random_candidate() {
        let body = plan(&["--random-ula", "--addresses", "65536", "--random"]).expect("plan");
        let ula: ipnet::Ipv6Net = body
            .random_ula
            .as_deref()
            .expect("ula")
            .parse()
            .expect("net");
        let pick: ipnet::Ipv6Net = body.candidates[0].parse().expect("net");
        assert!(ula.contains(&pick) && pick.prefix_len() == 112);
        assert!(
            plan(&["--random-ula"])
                .expect("plan")
                .prefix_length
                .is_none()
        );
        assert!(plan(&[]).is_err());
        assert!(plan(&["--addresses", "300", "--within", "10.0.0.0/24"]).is_err());
        let big = plan(&["--addresses", "2^20", "--kube-version", "1.33"]).expect("plan");
        assert_eq!(big.prefix_length, Some(108));
        assert!(big.notes.is_empty(), "{:?}", big.notes);
        let bigger = plan(&["--addresses", "2^21", "--kube-version", "1.33"]).expect("plan");
        assert!(bigger.notes.iter().any(|n| n.contains("20 host bits")));
    }
}
