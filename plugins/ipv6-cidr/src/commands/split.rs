//! `split`: stream subnets. Nothing is collected: each line is formatted into the printer's
//! buffered stream as the iterator yields it, so 2^48 subnets cost the same memory as four.

use std::io::{IsTerminal, Write};
use std::net::{Ipv4Addr, Ipv6Addr};

use firstaid::{Error, Exit, Format, Printer, Result};

use crate::cidr::{self, Family};
use crate::cli::SplitArgs;
use crate::split::{self, Subnets};
use crate::text;

/// Lines printed to a terminal when `--limit` is not given (pipes get everything).
const TERMINAL_LIMIT: u128 = 1000;

pub fn run(args: &SplitArgs, printer: &mut Printer) -> Result<Exit> {
    let net = args.cidr.net;
    if args.cidr.host_bits_set() {
        printer.warn(&format!(
            "{}/{} has host bits set; splitting the network {net}",
            args.cidr.addr,
            net.prefix_len()
        ))?;
    }
    let usage = |e: split::SplitError| Error::Usage(e.to_string());
    let prefix = match (args.into, args.count) {
        (Some(p), _) => p,
        (None, Some(count)) => {
            let wanted = match count {
                crate::plan::Count::Exact(n) => n,
                crate::plan::Count::Pow2(k) if k < 128 => 1u128 << k,
                crate::plan::Count::Pow2(_) => u128::MAX,
            };
            let p = split::prefix_for_count(&net, wanted).map_err(usage)?;
            if !wanted.is_power_of_two() {
                printer.note(&format!(
                    "{wanted} is not a power of two: splitting into {} subnets of /{p}",
                    cidr::pow2_decimal(p - net.prefix_len())
                ))?;
            }
            p
        }
        (None, None) => return Err(Error::Usage("say --into /PREFIX or --count N".into())),
    };
    let mut subnets = Subnets::new(&net, prefix, args.offset).map_err(usage)?;
    let total = cidr::pow2_decimal(prefix - net.prefix_len());
    let limit = match args.limit {
        Some(l) => Some(l),
        None if std::io::stdout().is_terminal() && !printer.format.is_structured() => {
            let more = prefix - net.prefix_len() >= 128
                || (1u128 << (prefix - net.prefix_len())) - args.offset > TERMINAL_LIMIT;
            if more {
                printer.note(&format!(
                    "{net} holds {} /{prefix} subnets; showing {TERMINAL_LIMIT} (use --limit/--offset, or pipe the output for all)",
                    cidr::grouped(&total)
                ))?;
            }
            Some(TERMINAL_LIMIT)
        }
        None => None,
    };
    let format = printer.format;
    let family = subnets.family();
    let io = |e| Error::io("writing output", e);
    let mut out = printer.stream();
    match format {
        Format::Json | Format::Yaml => {
            let json = format == Format::Json;
            if json {
                write!(
                    out,
                    "{{\n  \"apiVersion\": \"{}\",\n  \"kind\": \"SubnetList\",\n  \"network\": \"{net}\",\n  \"prefixLength\": {prefix},\n  \"total\": \"{total}\",\n  \"offset\": \"{}\",\n  \"items\": [",
                    firstaid::output::API_VERSION,
                    args.offset
                )
                .map_err(io)?;
            } else {
                write!(
                    out,
                    "apiVersion: {}\nkind: SubnetList\nnetwork: \"{net}\"\nprefixLength: {prefix}\ntotal: \"{total}\"\noffset: \"{}\"\nitems:",
                    firstaid::output::API_VERSION,
                    args.offset
                )
                .map_err(io)?;
            }
            let mut first = true;
            let mut written = 0u128;
            while limit.is_none_or(|l| written < l) {
                let Some((start, _)) = subnets.next_raw() else {
                    break;
                };
                let sep = match (json, first) {
                    (true, true) => "\n    ",
                    (true, false) => ",\n    ",
                    (false, _) => "\n- ",
                };
                write!(out, "{sep}\"{}/{prefix}\"", cidr::from_u128(family, start)).map_err(io)?;
                first = false;
                written += 1;
            }
            if json {
                writeln!(out, "{}]\n}}", if first { "" } else { "\n  " }).map_err(io)?;
            } else {
                writeln!(out, "{}", if first { " []" } else { "" }).map_err(io)?;
            }
        }
        Format::Wide => {
            let width = match family {
                Family::Ipv4 => 18,
                Family::Ipv6 => 43,
            };
            let addr_width = width - 4;
            if !printer_no_headers(args) {
                writeln!(
                    out,
                    "{:<width$}   {:<addr_width$}   LAST",
                    "SUBNET", "FIRST"
                )
                .map_err(io)?;
            }
            let mut written = 0u128;
            while limit.is_none_or(|l| written < l) {
                let Some((start, end)) = subnets.next_raw() else {
                    break;
                };
                let first = cidr::from_u128(family, start);
                let subnet = format!("{first}/{prefix}");
                writeln!(
                    out,
                    "{subnet:<width$}   {:<addr_width$}   {}",
                    first.to_string(),
                    cidr::from_u128(family, end)
                )
                .map_err(io)?;
                written += 1;
            }
        }
        Format::Table | Format::Name => {
            // The hot loop: format into a stack buffer, one `write_all` per line.
            let suffix = format!("/{prefix}\n");
            let mut line = [0u8; text::MAX_LEN + 5];
            let mut written = 0u128;
            while limit.is_none_or(|l| written < l) {
                let Some((start, _)) = subnets.next_raw() else {
                    break;
                };
                let mut addr = [0u8; text::MAX_LEN];
                let n = match family {
                    Family::Ipv6 => text::ipv6(Ipv6Addr::from(start), &mut addr),
                    Family::Ipv4 => text::ipv4_into(Ipv4Addr::from(start as u32), &mut addr),
                };
                line[..n].copy_from_slice(&addr[..n]);
                line[n..n + suffix.len()].copy_from_slice(suffix.as_bytes());
                out.write_all(&line[..n + suffix.len()]).map_err(io)?;
                written += 1;
            }
        }
    }
    out.flush().map_err(io)?;
    Ok(Exit::Ok)
}

fn printer_no_headers(args: &SplitArgs) -> bool {
    args.output.no_headers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn split(args: &[&str], format: Format) -> Result<String> {
        let mut command_line = vec!["x", "split"];
        command_line.extend_from_slice(args);
        let Command::Split(a) = Cli::try_parse_from(command_line).expect("parse").command else {
            unreachable!()
        };
        let (mut p, out, _) = Printer::captured(format);
        run(&a, &mut p)?;
        Ok(out.text())
    }

    #[test]
    fn lines_json_yaml_and_wide() {
        let text = split(
            &["fc00::/112", "--into", "/115", "--limit", "3"],
            Format::Table,
        )
        .expect("split");
        assert_eq!(text, "fc00::/115\nfc00::2000/115\nfc00::4000/115\n");
        let json = split(
            &["fc00::/112", "--count", "3", "--offset", "2"],
            Format::Json,
        )
        .expect("split");
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(v["kind"], "SubnetList");
        assert_eq!(v["total"], "4");
        assert_eq!(
            v["items"],
            serde_json::json!(["fc00::8000/114", "fc00::c000/114"])
        );
        let yaml = split(
            &["fc00::/112", "--into", "114", "--limit", "0"],
            Format::Yaml,
        )
        .expect("split");
        let v: serde_json::Value = serde_saphyr::from_str(&yaml).expect("yaml");
        assert_eq!(v["items"], serde_json::json!([]));
        let yaml = split(&["10.0.0.0/24", "--into", "/26"], Format::Yaml).expect("split");
        let v: serde_json::Value = serde_saphyr::from_str(&yaml).expect("yaml");
        assert_eq!(v["items"][3], "10.0.0.192/26");
        let wide = split(&["10.0.0.0/24", "--into", "/25"], Format::Wide).expect("split");
        assert!(
            wide.lines()
                .nth(2)
                .is_some_and(|l| l.contains("10.0.0.128/25") && l.ends_with("10.0.0.255")),
            "{wide}"
        );
    }

    #[test]
    fn bad_requests_are_usage_errors() {
        let err = split(&["fc00::/112", "--into", "/111"], Format::Table).expect_err("too short");
        assert_eq!(err.exit(), Exit::Usage);
        let err = split(
            &["fc00::/112", "--into", "/114", "--offset", "4"],
            Format::Table,
        )
        .expect_err("offset");
        assert!(err.to_string().contains("past the last subnet"));
    }
}
