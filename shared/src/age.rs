//! Ages the way `kubectl get` prints them (`45s`, `3m12s`, `6d21h`, `2y31d`), so a plugin's AGE
//! column reads exactly like the kubectl output next to it.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// kubectl's `HumanDuration` (k8s.io/apimachinery/pkg/util/duration): coarser the older it gets.
pub fn human_duration(d: Duration) -> String {
    let seconds = d.as_secs();
    let minutes = seconds / 60;
    let hours = minutes / 60;
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let days = (hours / 24) % 365;
        return if days == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{days}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// The age of something that happened at `then`, as of `now`; `<unknown>` without a time, `0s`
/// for clock skew into the future (kubectl prints `<invalid>` only beyond a second of skew).
pub fn age(then: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match then {
        None => "<unknown>".into(),
        Some(t) => match (now - t).to_std() {
            Ok(d) => human_duration(d),
            Err(_) if (t - now).num_seconds() > 1 => "<invalid>".into(),
            Err(_) => "0s".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: u64) -> String {
        human_duration(Duration::from_secs(s))
    }

    #[test]
    fn matches_kubectl() {
        assert_eq!(h(45), "45s");
        assert_eq!(h(119), "119s");
        assert_eq!(h(192), "3m12s");
        assert_eq!(h(300), "5m");
        assert_eq!(h(50 * 60), "50m");
        assert_eq!(h(5 * 3600 + 7 * 60), "5h7m");
        assert_eq!(h(30 * 3600), "30h");
        // The `rdbms   Terminating   6d21h` of the FAQ on namespaces stuck Terminating.
        assert_eq!(h((6 * 24 + 21) * 3600 + 59), "6d21h");
        assert_eq!(h(40 * 86400), "40d");
        assert_eq!(h((2 * 365 + 31) * 86400), "2y31d");
        assert_eq!(h(9 * 365 * 86400), "9y");
    }

    #[test]
    fn ages_from_timestamps() {
        let now = Utc::now();
        assert_eq!(age(None, now), "<unknown>");
        assert_eq!(age(Some(now - chrono::Duration::seconds(90)), now), "90s");
        assert_eq!(
            age(Some(now + chrono::Duration::seconds(30)), now),
            "<invalid>"
        );
    }
}
