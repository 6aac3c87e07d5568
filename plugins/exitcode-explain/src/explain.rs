//! Number mode: everything an exit code means on its own, without a cluster.
//!
//! The same explanation is embedded in every pod-mode verdict, so a user reading about "their"
//! 137 sees the same words as one who typed `kubectl exitcode-explain 137`.

use serde::Serialize;

use crate::code::{ParsedCode, Raw};
use crate::signals::{self, SignalInfo};
use crate::tables::{self, NtStatus};

/// How we classify a code. JSON: `success`, `application`, `conventional`, `signal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Category {
    /// 0.
    Success,
    /// A code the program chose; only its logs or documentation say what it means.
    Application,
    /// A code with a convention shared by shells and runtimes (1, 2, 124–128, 255).
    Conventional,
    /// 128 + N where N is a signal whose default action ends the process.
    Signal,
}

/// What an exit code means. Part of the `ExitCode` document (`-o json`) and of every pod-mode
/// verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeMeaning {
    /// 0–255, as Kubernetes' `exitCode` shows it.
    pub exit_code: u8,
    pub category: Category,
    /// Short name, e.g. "Killed (SIGKILL)".
    pub name: String,
    pub meaning: String,
    /// The usual reasons a Kubernetes container ends with this code.
    pub causes: Vec<String>,
    /// The signal, for 128 + N codes whose N is a Linux signal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<SignalInfo>,
}

/// How an out-of-range input became the code shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Folding {
    /// The value as typed (normalised).
    pub from: Raw,
    /// "300 mod 256 = 44".
    pub rule: String,
}

/// The Windows reading of a 32-bit value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowsReading {
    /// `0xC0000005`.
    pub hex: String,
    /// Set when the value is in our table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<NtStatus>,
    pub note: String,
}

/// Body of the `ExitCode` document: `kubectl exitcode-explain N -o json`.
///
/// ```text
/// apiVersion: firstaid.dev/v1
/// kind: ExitCode
/// input: string            # as typed
/// exitCode: 0-255          # what Kubernetes shows
/// folded: {from: {form: decimal|hugeDecimal|hex, value}, rule} | absent
/// category: success|application|conventional|signal
/// name, meaning: string
/// causes: [string]
/// signal: {number, name, aliases?, action: Term|Core|Ign|Stop|Cont, description} | absent
/// windows: {hex, status?: {value, name, meaning}, note} | absent
/// next: [string]           # commands to run next
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeExplanation {
    pub input: String,
    #[serde(flatten)]
    pub meaning: CodeMeaning,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folded: Option<Folding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub windows: Option<WindowsReading>,
    pub next: Vec<String>,
}

/// The meaning of a 0–255 code.
pub fn meaning(code: u8) -> CodeMeaning {
    let signal = code
        .checked_sub(128)
        .filter(|n| *n > 0)
        .and_then(signals::by_number);
    if let Some(row) = tables::exit_code(code) {
        return CodeMeaning {
            exit_code: code,
            category: match code {
                0 => Category::Success,
                137 | 139 | 143 => Category::Signal,
                _ => Category::Conventional,
            },
            name: row.name.to_owned(),
            meaning: row.meaning.to_owned(),
            causes: row.causes.iter().map(|c| (*c).to_owned()).collect(),
            signal: signal.filter(|s| s.action.kills()),
        };
    }
    match signal {
        Some(signal) if signal.action.kills() => signal_meaning(code, signal),
        Some(signal) => CodeMeaning {
            exit_code: code,
            category: Category::Application,
            name: "Application-defined".into(),
            meaning: format!(
                "128 + {n} would be {name}, but {name}'s default action is {action}: it does not end a process, so the program most likely chose {code} itself (or a handler exits with 128 + {n}).",
                n = signal.number,
                name = signal.name,
                action = signal.action.as_str(),
            ),
            causes: application_causes(),
            signal: Some(signal),
        },
        None => CodeMeaning {
            exit_code: code,
            category: Category::Application,
            name: "Application-defined".into(),
            meaning: if code > 192 {
                format!(
                    "{code} has no shared convention (128 + {} is beyond the last signal, 64); the program chose it.",
                    code - 128
                )
            } else {
                format!(
                    "{code} has no shared convention; the program chose it, and its documentation or logs say why."
                )
            },
            causes: application_causes(),
            signal: None,
        },
    }
}

fn signal_meaning(code: u8, signal: SignalInfo) -> CodeMeaning {
    let verb = if signal.number == 2 || signal.number == 15 || signal.number == 1 {
        "stopped"
    } else {
        "killed"
    };
    CodeMeaning {
        exit_code: code,
        category: Category::Signal,
        name: format!("{} by {}", capitalise(verb), signal.name),
        meaning: format!(
            "128 + {}: the process was {verb} by {} ({}; default action {}).",
            signal.number,
            signal.name,
            signal.description,
            signal.action.as_str()
        ),
        causes: vec![
            format!(
                "Something sent {} to the process (kill -{}), or the program raised it itself.",
                signal.name, signal.number
            ),
            "A shell or wrapper as PID 1 reports 128 + N when its child dies of signal N.".into(),
        ],
        signal: Some(signal),
    }
}

fn application_causes() -> Vec<String> {
    vec![
        "The application's own error handling: read the previous container's logs.".into(),
        "A wrapper script passing on the exit status of the command it ran.".into(),
    ]
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The full number-mode explanation of what the user typed.
pub fn explain(input: &str, parsed: &ParsedCode) -> CodeExplanation {
    let meaning = meaning(parsed.code);
    let folded = parsed.was_folded().then(|| Folding {
        rule: fold_rule(&parsed.raw, parsed.code),
        from: parsed.raw.clone(),
    });
    let windows = parsed.windows_status().map(|value| {
        let status = tables::ntstatus(value).copied();
        let note = match &status {
            Some(s) => format!(
                "On a Windows node this is {}: {} Linux would only keep the low 8 bits ({}).",
                s.name, s.meaning, parsed.code
            ),
            None => format!(
                "On a Windows node the full 32-bit value 0x{value:08X} is the exit status; it is not in our table of common NTSTATUS codes, so look it up in Microsoft's NTSTATUS reference. On Linux only the low 8 bits ({}) survive.",
                parsed.code
            ),
        };
        WindowsReading {
            hex: format!("0x{value:08X}"),
            status,
            note,
        }
    });
    CodeExplanation {
        input: input.trim().to_owned(),
        next: next_steps(parsed.code),
        meaning,
        folded,
        windows,
    }
}

fn fold_rule(raw: &Raw, code: u8) -> String {
    let shown = match raw {
        Raw::Decimal(n) => n.to_string(),
        Raw::HugeDecimal(s) => s.clone(),
        Raw::Hex(v) => format!("0x{v:X}"),
    };
    let negative = shown.starts_with('-');
    let mut rule =
        format!("{shown} mod 256 = {code}: the kernel keeps only the low 8 bits of an exit status");
    if negative {
        rule.push_str(" (negative values wrap around: -1 → 255, -256 → 0)");
    }
    if matches!(raw, Raw::HugeDecimal(_)) {
        rule.push_str(
            "; no real process can return a number this large, so check where it came from",
        );
    }
    rule
}

/// Concrete commands to run next for a code, with placeholders the user fills in.
pub fn next_steps(code: u8) -> Vec<String> {
    let mut steps = vec![
        "kubectl exitcode-explain pod/<pod> -n <namespace>   # status + events + node → verdict"
            .to_owned(),
    ];
    let logs = "kubectl logs <pod> -n <namespace> -c <container> --previous".to_owned();
    match code {
        0 => steps.extend([
            "kubectl get pod <pod> -n <namespace> -o jsonpath='{.spec.restartPolicy}'   # Always restarts even a clean exit".to_owned(),
            "kubectl get pod <pod> -n <namespace> -o jsonpath='{range .spec.containers[*]}{.name}: {.command} {.args}{\"\\n\"}{end}'   # is there a foreground process?".to_owned(),
        ]),
        126 | 127 => steps.extend([
            "kubectl get pod <pod> -n <namespace> -o jsonpath='{range .spec.containers[*]}{.name}: {.command} {.args}{\"\\n\"}{end}'".to_owned(),
            "kubectl debug -it <pod> -n <namespace> --copy-to=<pod>-debug --container=<container> -- sh   # look inside the image (needs a shell in it)".to_owned(),
            logs,
        ]),
        125 | 128 => steps.extend([
            "kubectl describe pod <pod> -n <namespace>   # the runtime's message is in State/Last State and Events".to_owned(),
        ]),
        137 => steps.extend([
            "kubectl get pod <pod> -n <namespace> -o jsonpath='{range .status.containerStatuses[*]}{.name}: {.lastState.terminated.reason}{\"\\n\"}{end}'   # OOMKilled?".to_owned(),
            "kubectl get events -n <namespace> --field-selector involvedObject.name=<pod>   # Unhealthy (probe) / Killing".to_owned(),
            "kubectl get events -n default --field-selector involvedObject.kind=Node,reason=SystemOOM   # node-level OOM".to_owned(),
            "kubectl top pod <pod> -n <namespace> --containers   # usage vs limits (needs metrics-server)".to_owned(),
        ]),
        143 => steps.extend([
            "kubectl get events -n <namespace> --field-selector involvedObject.name=<pod>,reason=Killing   # who stopped it".to_owned(),
        ]),
        1 => steps.extend([
            logs,
            "kubectl get nodes -L kubernetes.io/arch   # \"exec format error\" in the logs = image built for another CPU".to_owned(),
        ]),
        _ => steps.push(logs),
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code;

    fn explain_text(text: &str) -> CodeExplanation {
        explain(text, &code::parse(text).expect(text))
    }

    #[test]
    fn table_lookups() {
        let cases = [
            (0, Category::Success, "Success"),
            (1, Category::Conventional, "General error"),
            (125, Category::Conventional, "Container failed to run"),
            (126, Category::Conventional, "cannot execute"),
            (127, Category::Conventional, "not found"),
            (128, Category::Conventional, "Invalid exit argument"),
            (137, Category::Signal, "SIGKILL"),
            (139, Category::Signal, "SIGSEGV"),
            (143, Category::Signal, "SIGTERM"),
            (255, Category::Conventional, "out of range"),
        ];
        for (code, category, name) in cases {
            let m = meaning(code);
            assert_eq!(m.category, category, "{code}");
            assert!(m.name.contains(name), "{code}: {}", m.name);
        }
        assert!(
            meaning(0)
                .causes
                .iter()
                .any(|c| c.contains("no foreground process"))
        );
        assert!(meaning(1).causes.iter().any(|c| c.contains("arm64")));
        let kill = meaning(137);
        assert_eq!(kill.signal.as_ref().map(|s| s.number), Some(9));
        for cause in [
            "memory limit",
            "global OOM",
            "probe",
            "ContainerStatusUnknown",
        ] {
            assert!(kill.causes.iter().any(|c| c.contains(cause)), "{cause}");
        }
        assert!(meaning(255).meaning.contains("exit(-1)"));
    }

    #[test]
    fn derived_signal_codes() {
        for (code, name) in [
            (130, "SIGINT"),
            (134, "SIGABRT"),
            (141, "SIGPIPE"),
            (129, "SIGHUP"),
            (159, "SIGSYS"),
        ] {
            let m = meaning(code);
            assert_eq!(m.category, Category::Signal, "{code}");
            assert_eq!(m.signal.as_ref().map(|s| s.name.as_str()), Some(name));
            assert!(m.meaning.starts_with(&format!("128 + {}", code - 128)));
        }
        let rt = meaning(128 + 40);
        assert_eq!(rt.signal.map(|s| s.name), Some("SIGRTMIN+6".into()));
    }

    #[test]
    fn non_fatal_signals_and_high_codes_are_application_defined() {
        let chld = meaning(145); // 128 + SIGCHLD
        assert_eq!(chld.category, Category::Application);
        assert!(chld.meaning.contains("does not end a process"));
        let high = meaning(200);
        assert_eq!(high.category, Category::Application);
        assert!(high.meaning.contains("beyond the last signal"));
        assert_eq!(meaning(42).category, Category::Application);
    }

    #[test]
    fn every_code_has_a_meaning_and_next_steps() {
        for code in 0..=255u8 {
            let m = meaning(code);
            assert!(!m.name.is_empty() && !m.meaning.is_empty() && !m.causes.is_empty());
            assert!(!next_steps(code).is_empty());
        }
    }

    #[test]
    fn folding_is_explained() {
        let e = explain_text("-1");
        assert_eq!(e.meaning.exit_code, 255);
        assert!(
            e.folded
                .as_ref()
                .expect("folded")
                .rule
                .contains("-1 mod 256 = 255")
        );
        let e = explain_text("-256");
        assert_eq!(e.meaning.exit_code, 0);
        assert!(explain_text("137").folded.is_none());
        let huge = explain_text("123456789012345678901234567890");
        assert!(
            huge.folded
                .expect("folded")
                .rule
                .contains("no real process")
        );
    }

    #[test]
    fn windows_codes_are_read_honestly() {
        let e = explain_text("0xC0000005");
        let w = e.windows.expect("windows");
        assert_eq!(w.hex, "0xC0000005");
        assert_eq!(w.status.map(|s| s.name), Some("STATUS_ACCESS_VIOLATION"));
        let e = explain_text("-1073741819");
        assert!(
            e.windows
                .expect("windows")
                .note
                .contains("ACCESS_VIOLATION")
        );
        let e = explain_text("0xC0DE0001");
        let w = e.windows.expect("windows");
        assert!(w.status.is_none());
        assert!(w.note.contains("not in our table"));
    }

    #[test]
    fn json_shape_is_flat_and_stable() {
        let v = serde_json::to_value(explain_text("300")).expect("json");
        assert_eq!(v["input"], "300");
        assert_eq!(v["exitCode"], 44);
        assert_eq!(v["category"], "application");
        assert_eq!(v["folded"]["from"]["form"], "decimal");
        assert_eq!(v["folded"]["from"]["value"], 300);
        let v = serde_json::to_value(explain_text("137")).expect("json");
        assert_eq!(v["signal"]["name"], "SIGKILL");
        assert_eq!(v["signal"]["action"], "Term");
        assert!(v.get("folded").is_none());
    }
}
