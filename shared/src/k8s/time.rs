//! The one time type (the `jiff` timestamp k8s-openapi deserialises into, so API times need no
//! conversion) and ages the way `kubectl get` prints them (`45s`, `3m12s`, `6d21h`, `2y31d`), so a
//! plugin's AGE column reads exactly like the kubectl output next to it.

use std::time::Duration;

use k8s_openapi::api::core::v1::Event;
pub use k8s_openapi::jiff::Timestamp;

/// The current time.
pub fn now() -> Timestamp {
    Timestamp::now()
}

/// Whole seconds from `then` to `now` (negative when `then` is in the future).
pub fn seconds_between(then: Timestamp, now: Timestamp) -> i64 {
    now.as_second() - then.as_second()
}

/// When an event was first seen: `firstTimestamp` (core/v1 writers), else `eventTime`
/// (events.k8s.io writers set only that).
pub fn event_first_seen(e: &Event) -> Option<Timestamp> {
    e.first_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
}

/// When an event was last seen: `lastTimestamp`, else its series' `lastObservedTime`, else
/// `eventTime`, else when first seen, else when the Event object was created. Both event APIs
/// are in use, and each fills only its own fields.
pub fn event_last_seen(e: &Event) -> Option<Timestamp> {
    e.last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.series.as_ref()?.last_observed_time.as_ref().map(|t| t.0))
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| event_first_seen(e))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

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
pub fn age(then: Option<Timestamp>, now: Timestamp) -> String {
    match then.map(|t| seconds_between(t, now)) {
        None => "<unknown>".into(),
        Some(s) if s < -1 => "<invalid>".into(),
        Some(s) => human_seconds(s),
    }
}

/// [`human_duration`] of a count of seconds; negative counts (clock skew) read `0s`.
pub fn human_seconds(seconds: i64) -> String {
    human_duration(Duration::from_secs(seconds.max(0).unsigned_abs()))
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
        // The seed's `rdbms   Terminating   6d21h`.
        assert_eq!(h((6 * 24 + 21) * 3600 + 59), "6d21h");
        assert_eq!(h(40 * 86400), "40d");
        assert_eq!(h((2 * 365 + 31) * 86400), "2y31d");
        assert_eq!(h(9 * 365 * 86400), "9y");
    }

    #[test]
    fn event_times_from_either_event_api() {
        let event = |v: serde_json::Value| -> Event { serde_json::from_value(v).expect("event") };
        let at = |e: Option<Timestamp>| e.map(|t| t.to_string());
        let core = event(
            serde_json::json!({"metadata": {"creationTimestamp": "2024-01-01T00:00:00Z"},
            "involvedObject": {}, "firstTimestamp": "2024-01-01T00:00:01Z",
            "lastTimestamp": "2024-01-01T00:05:00Z"}),
        );
        assert_eq!(
            at(event_first_seen(&core)).as_deref(),
            Some("2024-01-01T00:00:01Z")
        );
        assert_eq!(
            at(event_last_seen(&core)).as_deref(),
            Some("2024-01-01T00:05:00Z")
        );
        let series = event(serde_json::json!({"metadata": {}, "involvedObject": {},
            "eventTime": "2024-01-01T00:00:02.000000Z",
            "series": {"count": 3, "lastObservedTime": "2024-01-01T00:09:00.000000Z"}}));
        assert_eq!(
            at(event_first_seen(&series)).as_deref(),
            Some("2024-01-01T00:00:02Z")
        );
        assert_eq!(
            at(event_last_seen(&series)).as_deref(),
            Some("2024-01-01T00:09:00Z")
        );
        let bare = event(
            serde_json::json!({"metadata": {"creationTimestamp": "2024-01-01T00:00:00Z"},
            "involvedObject": {}}),
        );
        assert_eq!(
            at(event_last_seen(&bare)).as_deref(),
            Some("2024-01-01T00:00:00Z")
        );
    }

    #[test]
    fn ages_from_timestamps() {
        let now = now();
        let ago = |s: i64| Some(Timestamp::from_second(now.as_second() - s).expect("time"));
        assert_eq!(age(None, now), "<unknown>");
        assert_eq!(age(ago(90), now), "90s");
        assert_eq!(age(ago(-1), now), "0s");
        assert_eq!(age(ago(-30), now), "<invalid>");
        assert_eq!(human_seconds(-5), "0s");
    }
}
