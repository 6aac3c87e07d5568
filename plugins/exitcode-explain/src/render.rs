//! Text and table layouts for a terminal; `-o json|yaml` documents are printed as they are.
//!
//! Number mode and a single pod get a readable block (label column, evidence and commands as
//! lists); a scan gets a kubectl-style table, one row per container.

use std::fmt::Write as _;
use std::time::Duration;

use firstaid::k8s::human_duration;
use firstaid::output::{Column, Table, Tone};
use firstaid::{Format, Printer, Result};
use serde::Serialize;

use crate::explain::{self, CodeExplanation, CodeMeaning};
use crate::report::ContainerReport;
use crate::signals::{self, SignalInfo};
use crate::tables;
use crate::verdict::Kind;

fn label(p: &Printer, text: &str) -> String {
    p.paint(&format!("{text:<10}"), Tone::Bold)
}

fn list(p: &mut Printer, title: &str, items: &[String], prefix: &str) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    p.line(&label(p, title))?;
    for item in items {
        p.line(&format!("  {prefix}{item}"))?;
    }
    Ok(())
}

fn meaning_block(p: &mut Printer, m: &CodeMeaning, typed: Option<&str>) -> Result<()> {
    let head = match typed {
        Some(typed) => format!("{typed} → {}: {}", m.exit_code, m.name),
        None => format!("{}: {}", m.exit_code, m.name),
    };
    p.line(&p.paint(&head, Tone::Bold))?;
    p.line(&format!("  {}", m.meaning))?;
    if let Some(s) = &m.signal {
        p.line(&format!(
            "{} {} ({}), default action {}: {}",
            label(p, "Signal"),
            s.name,
            s.number,
            s.action.as_str(),
            s.description
        ))?;
    }
    Ok(())
}

/// `kubectl exitcode-explain 137`.
pub fn code(p: &mut Printer, e: &CodeExplanation) -> Result<()> {
    if p.format.is_structured() {
        return p.document("ExitCode", e);
    }
    let typed = e.folded.as_ref().map(|_| e.input.as_str());
    meaning_block(p, &e.meaning, typed)?;
    if let Some(f) = &e.folded {
        p.line(&format!("{} {}", label(p, "Folded"), f.rule))?;
    }
    if let Some(w) = &e.windows {
        p.line(&format!("{} {}", label(p, "Windows"), w.note))?;
    }
    p.line("")?;
    list(p, "Usual causes in Kubernetes", &e.meaning.causes, "- ")?;
    list(p, "Check next", &e.next, "$ ")
}

/// The `Signal` document: `kubectl exitcode-explain --signal SIGSEGV -o json`.
///
/// ```text
/// kind: Signal
/// signal: {number, name, aliases?, action, description}
/// exitCode: 128 + number
/// meaning: {exitCode, category, name, meaning, causes, signal?}
/// ```
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignalDoc<'a> {
    signal: &'a SignalInfo,
    exit_code: u8,
    meaning: CodeMeaning,
}

/// `kubectl exitcode-explain --signal SIGSEGV`.
pub fn signal(p: &mut Printer, s: &SignalInfo) -> Result<()> {
    let meaning = explain::meaning(s.exit_code());
    if p.format.is_structured() {
        return p.document(
            "Signal",
            &SignalDoc {
                signal: s,
                exit_code: s.exit_code(),
                meaning,
            },
        );
    }
    let aliases = if s.aliases.is_empty() {
        String::new()
    } else {
        format!(" (also {})", s.aliases.join(", "))
    };
    p.line(&p.paint(
        &format!("{} ({}){aliases}: {}", s.name, s.number, s.description),
        Tone::Bold,
    ))?;
    let action = match s.action {
        tables::Action::Term => "Term (terminate the process)",
        tables::Action::Core => "Core (terminate and dump core)",
        tables::Action::Ign => "Ign (ignored: it does not end a process)",
        tables::Action::Stop => "Stop (pause the process)",
        tables::Action::Cont => "Cont (resume a stopped process)",
    };
    p.line(&format!("{} {action}", label(p, "Default")))?;
    if s.action.kills() {
        p.line(&format!(
            "{} {} (128 + {}) when it kills a container's main process",
            label(p, "Exit code"),
            s.exit_code(),
            s.number
        ))?;
        p.line("")?;
        list(p, "Usual causes in Kubernetes", &meaning.causes, "- ")?;
    } else {
        p.line(&format!(
            "{} {} would be 128 + {}, but this signal does not end a process by default",
            label(p, "Exit code"),
            s.exit_code(),
            s.number
        ))?;
    }
    Ok(())
}

/// The `ExitCodeTables` document: `kubectl exitcode-explain --list -o json`.
///
/// ```text
/// kind: ExitCodeTables
/// exitCodes: [{code, name, meaning, causes}]
/// signals: [{number, name, aliases?, action, description}]   # 1-64
/// windows: [{value, name, meaning}]
/// ```
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TablesDoc {
    exit_codes: &'static [tables::ExitCodeInfo],
    signals: Vec<SignalInfo>,
    windows: &'static [tables::NtStatus],
}

/// `kubectl exitcode-explain --list`.
pub fn tables(p: &mut Printer) -> Result<()> {
    let all_signals: Vec<SignalInfo> = (1..=tables::SIGRTMAX)
        .filter_map(signals::by_number)
        .collect();
    if p.format.is_structured() {
        return p.document(
            "ExitCodeTables",
            &TablesDoc {
                exit_codes: &tables::EXIT_CODES,
                signals: all_signals,
                windows: &tables::NTSTATUS,
            },
        );
    }
    let headed = p.format != Format::Name && !p.no_headers;
    if headed {
        p.line(&p.paint(
            "Exit codes (0-255; values outside are taken mod 256)",
            Tone::Bold,
        ))?;
    }
    let mut codes = Table::new(vec![
        Column::new("code").right(),
        Column::new("name"),
        Column::new("meaning").shrink(),
    ]);
    for row in &tables::EXIT_CODES {
        codes.push(
            row.code.to_string(),
            vec![
                row.code.to_string().into(),
                row.name.into(),
                row.meaning.into(),
            ],
        );
    }
    p.table(&codes)?;
    if headed {
        p.line("")?;
        p.line(&p.paint(
            "Signals (exit code 128 + N when the signal kills the process)",
            Tone::Bold,
        ))?;
    }
    let mut sigs = Table::new(vec![
        Column::new("signal").right(),
        Column::new("name"),
        Column::new("exit").right(),
        Column::new("action"),
        Column::new("description").shrink(),
    ]);
    for s in &all_signals {
        let exit = if s.action.kills() {
            s.exit_code().to_string()
        } else {
            "-".into()
        };
        let name = if s.aliases.is_empty() {
            s.name.clone()
        } else {
            format!("{} ({})", s.name, s.aliases.join(", "))
        };
        sigs.push(
            s.name.clone(),
            vec![
                s.number.to_string().into(),
                name.into(),
                exit.into(),
                s.action.as_str().into(),
                s.description.clone().into(),
            ],
        );
    }
    p.table(&sigs)?;
    if headed {
        p.line("")?;
        p.line(&p.paint(
            "Windows containers (NTSTATUS and exception codes)",
            Tone::Bold,
        ))?;
    }
    let mut nt = Table::new(vec![
        Column::new("value"),
        Column::new("name"),
        Column::new("meaning").shrink(),
    ]);
    for row in &tables::NTSTATUS {
        nt.push(
            row.name,
            vec![
                format!("0x{:08X}", row.value).into(),
                row.name.into(),
                row.meaning.into(),
            ],
        );
    }
    p.table(&nt)
}

fn tone(kind: Kind) -> Tone {
    match kind {
        Kind::Completed | Kind::GracefulStop => Tone::Good,
        Kind::ContainerLost | Kind::OutOfRange | Kind::AppError | Kind::NotStarted => Tone::Warn,
        _ => Tone::Bad,
    }
}

/// `kubectl exitcode-explain pod/NAME`: a block per container.
pub fn pod_detail(p: &mut Printer, reports: &[ContainerReport]) -> Result<()> {
    let Some(first) = reports.first() else {
        return Ok(());
    };
    let node = first
        .node
        .as_deref()
        .map(|n| format!("  node {n}"))
        .unwrap_or_default();
    p.line(&p.paint(
        &format!("pod/{}  namespace {}{node}", first.pod, first.namespace),
        Tone::Bold,
    ))?;
    for r in reports {
        p.line("")?;
        container_block(p, r)?;
    }
    Ok(())
}

fn container_block(p: &mut Printer, r: &ContainerReport) -> Result<()> {
    let head = format!(
        "container {} ({}, image {})",
        r.container,
        r.container_type.as_str(),
        r.image
    );
    p.line(&p.paint(&head, Tone::Bold))?;
    if let (Some(t), Some(m)) = (&r.termination, &r.meaning) {
        let mut exit = format!("{} {}", t.exit_code, m.name);
        if i64::from(t.exit_code) != i64::from(m.exit_code) {
            exit = format!("{} (shown as {}) {}", t.exit_code, m.exit_code, m.name);
        }
        if let Some(reason) = &t.reason {
            let _ = write!(exit, " · reason {reason}");
        }
        if let Some(signal) = t.signal {
            let _ = write!(exit, " · signal {signal}");
        }
        let _ = write!(
            exit,
            " · {}",
            if t.source == "state" {
                "current state"
            } else {
                "last state"
            }
        );
        p.line(&format!("  {} {exit}", label(p, "Exit")))?;
        if let (Some(start), Some(end)) = (&t.started_at, &t.finished_at) {
            let ran = t
                .ran_for_seconds
                .map(|s| format!(" ({})", human_duration(Duration::from_secs(s))))
                .unwrap_or_default();
            p.line(&format!("  {} {start} → {end}{ran}", label(p, "Ran")))?;
        }
    }
    let mut now = r.state.state.to_owned();
    if let Some(reason) = &r.state.reason {
        let _ = write!(now, " ({reason})");
    }
    let _ = write!(now, " · restarts {}", r.restart_count);
    if let Some(b) = &r.back_off {
        let _ = write!(now, " · {}", b.describe());
    }
    p.line(&format!("  {} {now}", label(p, "Now")))?;
    let verdict = p.paint(&r.verdict.summary, tone(r.verdict.kind));
    p.line(&format!("  {} {verdict}", label(p, "Verdict")))?;
    for (title, items, prefix) in [
        ("Evidence", &r.verdict.evidence, "- "),
        ("Next", &r.verdict.next, "$ "),
    ] {
        if items.is_empty() {
            continue;
        }
        p.line(&format!("  {}", label(p, title)))?;
        for item in items {
            // Advice that is prose, not a command, gets a dash instead of a prompt.
            let prefix = if prefix == "$ " && !looks_like_command(item) {
                "- "
            } else {
                prefix
            };
            p.line(&format!("    {prefix}{item}"))?;
        }
    }
    Ok(())
}

mod scan;
pub use scan::scan_table;

fn looks_like_command(text: &str) -> bool {
    ["kubectl ", "docker ", "journalctl "]
        .iter()
        .any(|c| text.starts_with(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code;

    fn text(format: Format, f: impl FnOnce(&mut Printer) -> Result<()>) -> String {
        let (mut p, out, _) = Printer::captured(format);
        f(&mut p).expect("render");
        out.text()
    }

    #[test]
    fn number_mode_reads_well() {
        let e = explain::explain("137", &code::parse("137").expect("137"));
        let out = text(Format::Table, |p| code(p, &e));
        assert!(out.starts_with("137: Killed (SIGKILL)\n"), "{out}");
        assert!(out.contains("Signal     SIGKILL (9), default action Term"));
        assert!(
            out.contains("Usual causes in Kubernetes\n  - The container reached its memory limit")
        );
        assert!(out.contains("$ kubectl exitcode-explain pod/<pod>"));
        let e = explain::explain("-256", &code::parse("-256").expect("-256"));
        let out = text(Format::Table, |p| code(p, &e));
        assert!(out.starts_with("-256 → 0: Success"), "{out}");
        assert!(out.contains("Folded     -256 mod 256 = 0"));
    }

    #[test]
    fn signal_and_list_render() {
        let s = signals::parse("SEGV").expect("segv");
        let out = text(Format::Table, |p| signal(p, &s));
        assert!(out.starts_with("SIGSEGV (11): Segmentation fault"));
        assert!(out.contains("139 (128 + 11)"));
        let out = text(Format::Table, tables);
        assert!(out.contains("SIGTTOU"));
        assert!(out.contains("SIGRTMAX"));
        assert!(out.contains("0xC0000005"));
        let out = text(Format::Json, tables);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["kind"], "ExitCodeTables");
        assert_eq!(v["signals"].as_array().map(Vec::len), Some(64));
    }
}
