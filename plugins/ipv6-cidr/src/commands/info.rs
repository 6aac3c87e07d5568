//! `info`: everything about one address or CIDR.

use firstaid::output::Tone;
use firstaid::{Exit, Printer, Result};
use serde::Serialize;

use crate::cidr::{self, Cidr, Family};
use crate::class::{self, Usage};
use crate::cli::InfoArgs;

/// `-o json|yaml` of `info`: `{"apiVersion": "firstaid.dev/v1", "kind": "CidrInfoList", "items": [CidrInfo]}`.
#[derive(Debug, Serialize)]
pub struct InfoList {
    pub items: Vec<CidrInfo>,
}

/// One input, described. Counts are decimal strings: a /0 holds 2^128 addresses, more than JSON
/// numbers carry exactly.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CidrInfo {
    /// As typed.
    pub input: String,
    pub family: Family,
    /// The address as typed, RFC 5952 compressed.
    pub address: String,
    /// Every group written out (`fc00:0000:…`); IPv4 dotted.
    pub expanded: String,
    /// The network in canonical form (`fc00::/112`).
    pub network: String,
    pub prefix_length: u8,
    pub host_bits: u8,
    /// Whether the input had bits set after the prefix (then `network` is what it means).
    pub host_bits_set: bool,
    /// Exact number of addresses, decimal.
    pub addresses: String,
    /// Addresses Kubernetes' Service allocator can use (no network address, no IPv4 broadcast).
    pub service_ips: String,
    pub first: String,
    pub last: String,
    /// IPv4 only: dotted netmask and wildcard (host) mask.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub netmask: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wildcard: Option<String>,
    /// Address bits, network part and host part.
    pub binary_network: String,
    pub binary_host: String,
    /// Reverse DNS zone, when the prefix is on a nibble (IPv6) or octet (IPv4) boundary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverse_zone: Option<String>,
    /// Address type from the IANA special-purpose registries.
    pub r#type: String,
    pub type_reference: String,
    pub usage: Usage,
}

pub fn describe(input: &Cidr, typed: &str) -> CidrInfo {
    let net = input.net;
    let class = class::classify(&net);
    let (binary_network, binary_host) = cidr::binary(input.addr, net.prefix_len());
    let (netmask, wildcard) = match net {
        ipnet::IpNet::V4(n) => (
            Some(n.netmask().to_string()),
            Some(n.hostmask().to_string()),
        ),
        ipnet::IpNet::V6(_) => (None, None),
    };
    CidrInfo {
        input: typed.to_owned(),
        family: input.family(),
        address: cidr::compressed(input.addr),
        expanded: cidr::expanded(input.addr),
        network: net.to_string(),
        prefix_length: net.prefix_len(),
        host_bits: cidr::host_bits(&net),
        host_bits_set: input.host_bits_set(),
        addresses: cidr::address_count(&net),
        service_ips: cidr::service_usable(&net).to_string(),
        first: net.network().to_string(),
        last: net.broadcast().to_string(),
        netmask,
        wildcard,
        binary_network,
        binary_host,
        reverse_zone: cidr::reverse_zone(&net),
        r#type: class.name.to_owned(),
        type_reference: class.reference.to_owned(),
        usage: class.usage,
    }
}

pub fn run(args: &InfoArgs, printer: &mut Printer) -> Result<Exit> {
    let items: Vec<CidrInfo> = args
        .inputs
        .iter()
        .map(|c| {
            let typed = if c.explicit_prefix {
                format!("{}/{}", c.addr, c.net.prefix_len())
            } else {
                c.addr.to_string()
            };
            describe(c, &typed)
        })
        .collect();
    if printer.format.is_structured() {
        printer.document("CidrInfoList", &InfoList { items })?;
        return Ok(Exit::Ok);
    }
    for (i, info) in items.iter().enumerate() {
        if i > 0 {
            printer.line("")?;
        }
        render(info, printer)?;
    }
    Ok(Exit::Ok)
}

fn render(info: &CidrInfo, printer: &mut Printer) -> Result<()> {
    let host_bits_set = if info.host_bits_set {
        printer.paint(
            &format!(
                "yes: {} has bits set after /{}; the network it means is {}",
                info.address, info.prefix_length, info.network
            ),
            Tone::Warn,
        )
    } else {
        "no".to_owned()
    };
    let binary = format!(
        "{}{}{}",
        printer.paint(&info.binary_network, Tone::Bold),
        if info.binary_host.is_empty() || info.binary_network.is_empty() {
            ""
        } else {
            "|"
        },
        printer.paint(&info.binary_host, Tone::Dim)
    );
    let mut rows: Vec<(&str, String)> = vec![
        ("Network", info.network.clone()),
        (
            "Prefix length",
            format!(
                "/{} ({} network bits, {} host bits)",
                info.prefix_length, info.prefix_length, info.host_bits
            ),
        ),
        ("Host bits set", host_bits_set),
        (
            "Addresses",
            format!("{} (2^{})", cidr::grouped(&info.addresses), info.host_bits),
        ),
        (
            "Service IPs",
            format!(
                "{} (Kubernetes skips the network address{})",
                cidr::grouped(&info.service_ips),
                if info.family == Family::Ipv4 {
                    " and broadcast"
                } else {
                    ""
                }
            ),
        ),
        ("First address", info.first.clone()),
        ("Last address", info.last.clone()),
    ];
    if let (Some(mask), Some(wildcard)) = (&info.netmask, &info.wildcard) {
        rows.push(("Netmask", format!("{mask} (wildcard {wildcard})")));
    }
    rows.extend([
        ("Address", info.address.clone()),
        ("Expanded", info.expanded.clone()),
        ("Binary", binary),
        ("Type", format!("{} ({})", info.r#type, info.type_reference)),
    ]);
    if let Some(zone) = &info.reverse_zone {
        rows.push(("Reverse zone", zone.clone()));
    }
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
    for (key, value) in rows {
        printer.line(&format!("{:<width$} {value}", format!("{key}:")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use firstaid::Format;

    fn info(text: &str) -> CidrInfo {
        describe(&Cidr::parse(text).expect(text), text)
    }

    #[test]
    fn describes_the_faq_default() {
        let i = info("fc00::/112");
        assert_eq!(i.addresses, "65536");
        assert_eq!(i.service_ips, "65535");
        assert_eq!(
            (i.first.as_str(), i.last.as_str()),
            ("fc00::", "fc00::ffff")
        );
        assert_eq!(i.expanded, "fc00:0000:0000:0000:0000:0000:0000:0000");
        assert!(!i.host_bits_set);
        assert_eq!(i.usage, Usage::Private);
        let i = info("fc00::1/112");
        assert!(i.host_bits_set);
        assert_eq!(i.network, "fc00::/112");
        assert_eq!(
            info("::/0").addresses,
            "340282366920938463463374607431768211456"
        );
        let v4 = info("192.168.0.0/25");
        assert_eq!(v4.netmask.as_deref(), Some("255.255.255.128"));
        assert_eq!(v4.service_ips, "126");
    }

    #[test]
    fn renders_table_and_json() {
        let args = InfoArgs {
            inputs: vec![Cidr::parse("fc00::1/112").expect("cidr")],
            output: firstaid::OutputArgs::default(),
        };
        let (mut p, out, _) = Printer::captured(Format::Table);
        run(&args, &mut p).expect("run");
        let text = out.text();
        assert!(text.contains("Addresses:     65,536 (2^16)"), "{text}");
        assert!(
            text.contains("the network it means is fc00::/112"),
            "{text}"
        );
        let (mut p, out, _) = Printer::captured(Format::Json);
        run(&args, &mut p).expect("run");
        let v: serde_json::Value = serde_json::from_str(&out.text()).expect("json");
        assert_eq!(v["kind"], "CidrInfoList");
        assert_eq!(v["items"][0]["network"], "fc00::/112");
        assert_eq!(v["items"][0]["hostBitsSet"], true);
    }
}
