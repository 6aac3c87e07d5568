//! Signals by number or by name, including the real-time range the static table leaves out.
//!
//! Users type signals the way `kill -l`, Go, Java and Kubernetes print them: `SIGSEGV`, `SEGV`,
//! `sigsegv`, `11`, `SIGRTMIN+3`. One parser accepts all of them, so `--signal` never makes anyone
//! guess the spelling.

use serde::Serialize;

use crate::tables::{self, Action, SIGRTMAX, SIGRTMIN};

/// A signal as explained to the user: a row of the table, or a computed real-time signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignalInfo {
    pub number: u8,
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub action: Action,
    pub description: String,
}

impl SignalInfo {
    /// The exit status a process killed by this signal reports: 128 + N.
    pub fn exit_code(&self) -> u8 {
        128 + self.number
    }
}

/// The signal numbered `number` (1–64), if Linux has one.
pub fn by_number(number: u8) -> Option<SignalInfo> {
    if let Some(s) = tables::signal(number) {
        return Some(SignalInfo {
            number: s.number,
            name: s.name.to_owned(),
            aliases: s.aliases.iter().map(|a| (*a).to_owned()).collect(),
            action: s.action,
            description: s.description.to_owned(),
        });
    }
    match number {
        32 | 33 => Some(SignalInfo {
            number,
            name: format!("SIG{number}"),
            aliases: Vec::new(),
            action: Action::Term,
            description: "Real-time signal reserved by glibc for its threading implementation; `kill -l` does not list it".into(),
        }),
        SIGRTMIN..=SIGRTMAX => {
            let from_min = number - SIGRTMIN;
            let from_max = SIGRTMAX - number;
            let name = match (from_min, from_max) {
                (0, _) => "SIGRTMIN".to_owned(),
                (_, 0) => "SIGRTMAX".to_owned(),
                (m, x) if m <= x => format!("SIGRTMIN+{m}"),
                (_, x) => format!("SIGRTMAX-{x}"),
            };
            Some(SignalInfo {
                number,
                name,
                aliases: Vec::new(),
                action: Action::Term,
                description: "Real-time signal, application-defined".into(),
            })
        }
        _ => None,
    }
}

/// Parses `SIGSEGV`, `SEGV`, `segv`, `11`, `SIGIOT`, `SIGRTMIN+3`, `RTMAX-1`.
pub fn parse(text: &str) -> Result<SignalInfo, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(
            "empty signal: give a name such as SIGKILL or KILL, or a number from 1 to 64".into(),
        );
    }
    if trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return parse_number(trimmed);
    }
    let upper = trimmed.to_ascii_uppercase();
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    if !bare.is_empty() && bare.bytes().all(|b| b.is_ascii_digit()) {
        return parse_number(bare);
    }
    if let Some(number) = realtime(bare) {
        return by_number(number).ok_or_else(|| unknown(trimmed));
    }
    tables::SIGNALS
        .iter()
        .find(|s| s.name[3..] == *bare || s.aliases.iter().any(|a| a[3..] == *bare))
        .and_then(|s| by_number(s.number))
        .ok_or_else(|| unknown(trimmed))
}

fn parse_number(digits: &str) -> Result<SignalInfo, String> {
    let number: u32 = digits
        .parse()
        .map_err(|_| format!("{digits} is not a signal number (Linux signals are 1 to 64)"))?;
    match u8::try_from(number).ok().and_then(by_number) {
        Some(signal) => Ok(signal),
        None if (129..=192).contains(&number) => Err(format!(
            "{number} is not a signal number but looks like an exit code: {number} = 128 + {}; run `kubectl exitcode-explain {number}`",
            number - 128
        )),
        None => Err(format!(
            "{number} is not a signal number (Linux signals are 1 to 64)"
        )),
    }
}

/// `RTMIN`, `RTMIN+3`, `RTMAX`, `RTMAX-2` → the signal number.
fn realtime(bare: &str) -> Option<u8> {
    let offset = |rest: &str| -> Option<u8> {
        if rest.is_empty() {
            Some(0)
        } else {
            rest.parse::<u8>().ok()
        }
    };
    if let Some(rest) = bare.strip_prefix("RTMIN") {
        let rest = rest.strip_prefix('+').unwrap_or(rest);
        let n = SIGRTMIN.checked_add(offset(rest)?)?;
        return (n <= SIGRTMAX).then_some(n);
    }
    if let Some(rest) = bare.strip_prefix("RTMAX") {
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        let n = SIGRTMAX.checked_sub(offset(rest)?)?;
        return (n >= SIGRTMIN).then_some(n);
    }
    None
}

fn unknown(text: &str) -> String {
    format!(
        "unknown signal {text:?}; `kubectl exitcode-explain --list` shows them all (names like SIGKILL, KILL or 9)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn name(text: &str) -> String {
        parse(text).expect(text).name
    }

    #[test]
    fn names_in_every_spelling() {
        for spelling in ["SIGSEGV", "SEGV", "sigsegv", "segv", "11", " SIGSEGV "] {
            assert_eq!(name(spelling), "SIGSEGV");
        }
        assert_eq!(name("SIGIOT"), "SIGABRT");
        assert_eq!(name("POLL"), "SIGIO");
        assert_eq!(name("CLD"), "SIGCHLD");
        assert_eq!(parse("KILL").expect("kill").exit_code(), 137);
        assert_eq!(parse("15").expect("term").exit_code(), 143);
    }

    #[test]
    fn realtime_signals() {
        assert_eq!(parse("SIGRTMIN").expect("rt").number, 34);
        assert_eq!(parse("SIGRTMIN+3").expect("rt").number, 37);
        assert_eq!(parse("RTMAX-1").expect("rt").number, 63);
        assert_eq!(name("64"), "SIGRTMAX");
        assert_eq!(name("40"), "SIGRTMIN+6");
        assert_eq!(name("60"), "SIGRTMAX-4");
        assert!(parse("SIGRTMIN+31").is_err());
        assert!(parse("SIGRTMAX-31").is_err());
    }

    #[test]
    fn bad_signals() {
        for bad in [
            "",
            "0",
            "65",
            "300",
            "SIGFOO",
            "SIG",
            "RTMIN+x",
            "99999999999999999999",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse("137").expect_err("must fail").contains("128 + 9"));
    }

    proptest! {
        #[test]
        fn every_number_round_trips_through_its_name(n in 1u8..=64) {
            let signal = by_number(n).expect("1..=64 are all signals");
            prop_assert_eq!(parse(&signal.name).map(|s| s.number), Ok(n));
            prop_assert_eq!(parse(&n.to_string()).map(|s| s.number), Ok(n));
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = parse(&s);
        }
    }
}
