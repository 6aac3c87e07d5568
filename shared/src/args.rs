//! Parsers for the arguments users type: `kind/name` references and `--older-than` durations.

use std::time::Duration;

use crate::error::{Error, Result};

/// `pv/NAME`, `pod/NAME`, `persistentvolumeclaims/NAME` or a bare `NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectArg {
    /// The kind as typed, lower-cased (`pv`, `pods`); `None` for a bare name.
    pub kind: Option<String>,
    pub name: String,
}

impl std::str::FromStr for ObjectArg {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let invalid = |why: &str| {
            Error::Usage(format!(
                "invalid object reference {text:?}: {why} (expected NAME or KIND/NAME)"
            ))
        };
        let (kind, name) = match text.split_once('/') {
            Some((kind, name)) => {
                if kind.is_empty() {
                    return Err(invalid("empty kind"));
                }
                (Some(kind.to_lowercase()), name)
            }
            None => (None, text),
        };
        if name.is_empty() {
            return Err(invalid("empty name"));
        }
        if name.contains('/')
            || name.len() > 253
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == ':' || c == '_')
        {
            return Err(invalid("not a valid object name"));
        }
        Ok(ObjectArg {
            kind,
            name: name.to_owned(),
        })
    }
}

impl ObjectArg {
    /// Whether the typed kind is one of `aliases` (`["pv", "persistentvolume", "persistentvolumes"]`).
    pub fn kind_is(&self, aliases: &[&str]) -> bool {
        self.kind.as_deref().is_some_and(|k| {
            aliases
                .iter()
                .any(|a| a.eq_ignore_ascii_case(k) || k.split('.').next() == Some(a))
        })
    }
}

/// The longest duration any flag accepts: 100 years. Nothing a plugin waits for or filters by is
/// older, and the bound keeps the arithmetic the durations feed (a deadline `now + wait`, an age
/// cut-off `now - older_than`) inside what `Instant` and a timestamp can represent: humantime alone
/// accepts up to 2^64 seconds, and `Instant::now() + that` panics.
pub const MAX_DURATION: Duration = Duration::from_secs(100 * 31_557_600);

/// `--older-than`, `--not-ready-for`, `--wait`: `90s`, `10m`, `1h30m`, `7d`, or a bare number of
/// seconds; at most [`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration> {
    let text = text.trim();
    let duration = match text.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => humantime::parse_duration(text).map_err(|e| {
            Error::Usage(format!(
                "invalid duration {text:?} ({e}); use e.g. 30m, 2h or 7d"
            ))
        })?,
    };
    check_bound(text, duration).map_err(Error::Usage)
}

/// `duration` if it is at most [`MAX_DURATION`], else the usage message saying so.
pub fn check_bound(text: &str, duration: Duration) -> std::result::Result<Duration, String> {
    if duration > MAX_DURATION {
        return Err(format!(
            "duration {text:?} is longer than 100 years; use e.g. 30m, 2h or 7d"
        ));
    }
    Ok(duration)
}

/// Adapter for clap's `value_parser`.
pub fn duration_arg(text: &str) -> std::result::Result<Duration, String> {
    parse_duration(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_refs() {
        let o: ObjectArg = "pv/pvc-1234".parse().expect("parse");
        assert_eq!(
            (o.kind.as_deref(), o.name.as_str()),
            (Some("pv"), "pvc-1234")
        );
        assert!(o.kind_is(&["pv", "persistentvolume"]));
        let o: ObjectArg = "volumeattachment.storage.k8s.io/csi-abc"
            .parse()
            .expect("parse");
        assert!(o.kind_is(&["volumeattachment"]));
        let o: ObjectArg = "data-mysql-0".parse().expect("parse");
        assert_eq!(o.kind, None);
        for bad in ["", "/x", "pv/", "pv/a/b", "pv/a b"] {
            assert!(bad.parse::<ObjectArg>().is_err(), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").expect("d"), Duration::from_secs(90));
        assert_eq!(
            parse_duration("1h30m").expect("d"),
            Duration::from_secs(5400)
        );
        assert_eq!(
            parse_duration("7d").expect("d"),
            Duration::from_secs(7 * 86400)
        );
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("").is_err());
    }

    /// Found while writing the `duration` fuzz target (whose assertions now cover it): humantime
    /// accepts up to 2^64 seconds, and `ns-unstick --wait=300000000000y` then panicked computing
    /// `Instant::now() + wait` ("overflow when adding duration to instant").
    #[test]
    fn durations_are_bounded_so_deadlines_cannot_overflow() {
        assert_eq!(parse_duration("100y").expect("d"), MAX_DURATION);
        for huge in [
            "101y",
            "300000000000y",
            "18446744073709551615",
            "5000000000000d",
        ] {
            let err = parse_duration(huge).expect_err(huge).to_string();
            assert!(err.contains("longer than 100 years"), "{huge}: {err}");
        }
        let longest = parse_duration("36500d").expect("d");
        assert!(std::time::Instant::now().checked_add(longest).is_some());
        let delta = k8s_openapi::jiff::SignedDuration::try_from(longest).expect("fits");
        assert!(crate::k8s::time::now().checked_sub(delta).is_ok());
    }
}
