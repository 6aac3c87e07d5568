//! `check`: the Kubernetes rules over ranges given on the command line, and the report shared
//! with `cluster`.

use firstaid::output::{Cell, Column, Table, Tone};
use firstaid::{Exit, Printer, Result};
use serde::Serialize;

use crate::check::{self, Finding, Range, Settings, Severity};
use crate::cidr::{self, Family};
use crate::class;
use crate::cli::{CheckArgs, RuleArgs};
use crate::profiles::Role;

/// One range in a report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RangeInfo {
    pub role: Role,
    /// Where it came from: `argument`, `ServiceCIDR/<name>`, …
    pub source: String,
    /// The canonical network.
    pub cidr: String,
    pub family: Family,
    /// Exact address count, decimal.
    pub addresses: String,
    pub r#type: String,
}

/// `-o json|yaml` of `check` (`kind: CidrCheck`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    pub ranges: Vec<RangeInfo>,
    /// Errors first, then warnings, then informational findings.
    pub findings: Vec<Finding>,
    pub errors: usize,
    pub warnings: usize,
}

pub fn settings(rules: &RuleArgs) -> Settings {
    Settings {
        version: rules.kube_version,
        allocator: rules.allocator,
        node_mask_v4: rules.node_mask_ipv4,
        node_mask_v6: rules.node_mask_ipv6,
        max_pods: rules.max_pods,
        profile: rules.profile,
    }
}

/// Ranges from flags: `--pod-cidr` and `--node-cidr` for both commands.
pub fn flag_ranges(rules: &RuleArgs) -> Vec<Range> {
    let mut ranges = Vec::new();
    for (role, list) in [(Role::Pod, &rules.pod_cidr), (Role::Node, &rules.node_cidr)] {
        ranges.extend(list.iter().map(|c| Range {
            role,
            cidr: *c,
            source: format!("--{}-cidr", role.name()),
        }));
    }
    ranges
}

pub fn range_info(range: &Range) -> RangeInfo {
    RangeInfo {
        role: range.role,
        source: range.source.clone(),
        cidr: range.cidr.net.to_string(),
        family: range.cidr.family(),
        addresses: cidr::address_count(&range.cidr.net),
        r#type: class::classify(&range.cidr.net).name.to_owned(),
    }
}

pub fn report(ranges: &[Range], findings: Vec<Finding>) -> CheckReport {
    CheckReport {
        ranges: ranges.iter().map(range_info).collect(),
        errors: findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count(),
        warnings: findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count(),
        findings,
    }
}

pub fn run(args: &CheckArgs, printer: &mut Printer) -> Result<Exit> {
    let mut ranges: Vec<Range> = args
        .cidrs
        .iter()
        .map(|c| Range {
            role: args.role,
            cidr: *c,
            source: "argument".into(),
        })
        .collect();
    ranges.extend(args.service_cidr.iter().map(|c| Range {
        role: Role::Service,
        cidr: *c,
        source: "--service-cidr".into(),
    }));
    ranges.extend(flag_ranges(&args.rules));
    if ranges.is_empty() {
        return Err(firstaid::Error::Usage(
            "nothing to check: give CIDRs, or --service-cidr/--pod-cidr/--node-cidr".into(),
        ));
    }
    let findings = check::check(&ranges, &settings(&args.rules));
    let report = report(&ranges, findings);
    print_report(printer, "CidrCheck", &report, &report)?;
    Ok(exit_for(&report))
}

pub fn exit_for(report: &CheckReport) -> Exit {
    if report.errors > 0 {
        Exit::Error
    } else {
        Exit::Ok
    }
}

/// Prints `document` for `-o json|yaml`, else the ranges and findings of `report` as tables.
pub fn print_report<T: Serialize>(
    printer: &mut Printer,
    kind: &str,
    document: &T,
    report: &CheckReport,
) -> Result<()> {
    if printer.format.is_structured() {
        return printer.document(kind, document);
    }
    let mut table = Table::new(vec![
        Column::new("role"),
        Column::new("cidr"),
        Column::new("family"),
        Column::new("addresses").right(),
        Column::new("type").shrink(),
        Column::new("source").wide(),
    ]);
    for r in &report.ranges {
        table.push(
            format!("{}/{}", r.role.name(), r.cidr),
            vec![
                r.role.name().into(),
                r.cidr.clone().into(),
                r.family.name().into(),
                cidr::grouped(&r.addresses).into(),
                r.r#type.clone().into(),
                r.source.clone().into(),
            ],
        );
    }
    if !table.is_empty() {
        printer.table(&table)?;
    }
    print_findings(printer, &report.findings)?;
    let summary = format!(
        "{} error{}, {} warning{}",
        report.errors,
        if report.errors == 1 { "" } else { "s" },
        report.warnings,
        if report.warnings == 1 { "" } else { "s" }
    );
    printer.note(&summary)
}

pub fn print_findings(printer: &mut Printer, findings: &[Finding]) -> Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    let mut table = Table::new(vec![
        Column::new("severity"),
        Column::new("rule"),
        Column::new("cidr"),
        Column::new("source").wide(),
        Column::new("message").shrink(),
    ]);
    for f in findings {
        let tone = match f.severity {
            Severity::Error => Tone::Bad,
            Severity::Warning => Tone::Warn,
            Severity::Info => Tone::Dim,
        };
        table.push(
            format!("finding/{}", f.rule),
            vec![
                Cell::toned(f.severity.to_string(), tone),
                f.rule.into(),
                f.cidr.clone().into(),
                f.source.clone().into(),
                f.message.clone().into(),
            ],
        );
    }
    if printer.format != firstaid::Format::Name {
        printer.line("")?;
    }
    printer.table(&table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;
    use firstaid::Format;

    fn run_check(args: &[&str], format: Format) -> (Exit, String, String) {
        let mut command_line = vec!["x", "check"];
        command_line.extend_from_slice(args);
        let Command::Check(a) = Cli::try_parse_from(command_line).expect("parse").command else {
            unreachable!()
        };
        let (mut p, out, err) = Printer::captured(format);
        let exit = run(&a, &mut p).expect("run");
        (exit, out.text(), err.text())
    }

    #[test]
    fn faq_profile_check_exits_one_on_errors() {
        let (exit, out, err) = run_check(&["fd00::/112", "--profile", "cce"], Format::Table);
        assert_eq!(exit, Exit::Error);
        assert!(out.contains("profile") && out.contains("fc00::/8"), "{out}");
        assert!(err.contains("1 error"), "{err}");
        let (exit, _, _) = run_check(&["fc00::/112", "--profile", "cce"], Format::Table);
        assert_eq!(exit, Exit::Ok);
    }

    #[test]
    fn json_report() {
        let (exit, out, _) = run_check(
            &[
                "10.96.0.0/16",
                "fd00:10:96::/108",
                "--pod-cidr",
                "10.96.0.0/20,fd00:10:244::/56",
            ],
            Format::Json,
        );
        assert_eq!(exit, Exit::Error);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["kind"], "CidrCheck");
        assert_eq!(v["ranges"].as_array().map(Vec::len), Some(4));
        assert_eq!(v["errors"], 1);
        assert_eq!(v["findings"][0]["rule"], "overlap");
        assert_eq!(v["findings"][0]["source"], "--pod-cidr");
    }
}
