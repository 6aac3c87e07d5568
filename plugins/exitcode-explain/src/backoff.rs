//! Where a crash-looping container is in the kubelet's restart back-off (the FAQ on CrashLoopBackOff).
//!
//! The kubelet restarts a crashed container at once the first time, then waits 10 s, 20 s, 40 s …
//! doubling up to 5 min, and forgets the back-off once the container has run 10 min. The delay is
//! derived from `restartCount` (the n-th restart waited 10·2^(n−1) s), and the kubelet's own
//! `back-off 40s restarting failed container=…` message wins when the status carries it.

use std::time::Duration;

use firstaid::k8s::human_duration;
use serde::Serialize;

/// The kubelet's initial back-off, its cap, and how long a container must run to reset it.
pub const INITIAL_SECONDS: u64 = 10;
pub const MAX_SECONDS: u64 = 300;
pub const RESET_AFTER_SECONDS: u64 = 600;

/// Number of distinct delays: 10, 20, 40, 80, 160, 300.
pub const STAGES: u32 = 6;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackOff {
    /// The delay before the next restart after a crash now, in seconds.
    pub delay_seconds: u64,
    /// 1–6: 10 s, 20 s, 40 s, 80 s, 160 s, 5 min (capped).
    pub stage: u32,
    pub capped: bool,
    /// `kubelet` when read from the CrashLoopBackOff message, `restartCount` when computed.
    pub source: &'static str,
}

impl BackOff {
    pub fn describe(&self) -> String {
        format!(
            "back-off {} (stage {}/{STAGES}: 10s doubling to 5m{}; resets after {} running)",
            human_duration(Duration::from_secs(self.delay_seconds)),
            self.stage,
            if self.capped { ", capped" } else { "" },
            human_duration(Duration::from_secs(RESET_AFTER_SECONDS)),
        )
    }
}

/// The delay the kubelet applies after `restart_count` restarts: none before the first restart.
pub fn delay_for(restart_count: i32) -> Option<u64> {
    let restarts = u32::try_from(restart_count).ok().filter(|r| *r > 0)?;
    let doublings = restarts - 1;
    // 10 · 2^k exceeds the cap from k = 5 on; avoid shifting by absurd counts.
    Some(if doublings >= 5 {
        MAX_SECONDS
    } else {
        (INITIAL_SECONDS << doublings).min(MAX_SECONDS)
    })
}

fn stage_of(delay: u64) -> u32 {
    if delay >= MAX_SECONDS {
        return STAGES;
    }
    let mut stage = 1;
    let mut step = INITIAL_SECONDS;
    while step < delay && stage < STAGES {
        step *= 2;
        stage += 1;
    }
    stage
}

/// The back-off for a container, or `None` when the kubelet will not restart it (restartPolicy
/// `Never`, or `OnFailure` after a clean exit) or it never restarted.
pub fn stage(
    restart_count: i32,
    waiting_message: Option<&str>,
    restart_policy: &str,
    last_exit_code: Option<i32>,
) -> Option<BackOff> {
    let restarts = match restart_policy {
        "Never" => false,
        "OnFailure" => last_exit_code != Some(0),
        _ => true,
    };
    if !restarts {
        return None;
    }
    if let Some(delay) = waiting_message.and_then(kubelet_delay) {
        return Some(BackOff {
            delay_seconds: delay,
            stage: stage_of(delay),
            capped: delay >= MAX_SECONDS,
            source: "kubelet",
        });
    }
    let delay = delay_for(restart_count)?;
    Some(BackOff {
        delay_seconds: delay,
        stage: stage_of(delay),
        capped: delay >= MAX_SECONDS,
        source: "restartCount",
    })
}

/// `back-off 2m40s restarting failed container=…` → 160.
fn kubelet_delay(message: &str) -> Option<u64> {
    let lower = message.to_ascii_lowercase();
    let rest = lower.split("back-off ").nth(1)?;
    parse_go_duration(rest.split_whitespace().next()?)
}

/// Go's `time.Duration` text for whole seconds: `40s`, `2m40s`, `5m0s`, `1h0m0s`.
pub fn parse_go_duration(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut any = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().ok()?;
        number.clear();
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
        any = true;
    }
    (any && number.is_empty()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_ten_seconds_to_five_minutes() {
        let delays: Vec<Option<u64>> = (0..9).map(delay_for).collect();
        assert_eq!(
            delays,
            [
                None,
                Some(10),
                Some(20),
                Some(40),
                Some(80),
                Some(160),
                Some(300),
                Some(300),
                Some(300)
            ]
        );
        assert_eq!(delay_for(i32::MAX), Some(300));
        assert_eq!(delay_for(-1), None);
    }

    #[test]
    fn stages() {
        let s = stage(3, None, "Always", Some(1)).expect("backoff");
        assert_eq!(
            (s.delay_seconds, s.stage, s.capped, s.source),
            (40, 3, false, "restartCount")
        );
        let s = stage(40, None, "Always", Some(1)).expect("backoff");
        assert_eq!((s.delay_seconds, s.stage, s.capped), (300, 6, true));
        assert!(s.describe().contains("back-off 5m (stage 6/6"));
        assert_eq!(stage(0, None, "Always", Some(1)), None);
        assert_eq!(stage(5, None, "Never", Some(1)), None);
        assert_eq!(stage(5, None, "OnFailure", Some(0)), None);
        assert!(stage(5, None, "OnFailure", Some(2)).is_some());
    }

    #[test]
    fn kubelet_message_wins() {
        // T21: the seed's CrashLoopBackOff messages.
        let m = "Back-off 20s restarting failed container=container-1 pod=port-conflict-7d4fc654bb-tc9gw_cce-burst-2425753f(c719d941)";
        let s = stage(1, Some(m), "Always", Some(1)).expect("backoff");
        assert_eq!((s.delay_seconds, s.stage, s.source), (20, 2, "kubelet"));
        let s = stage(
            9,
            Some("back-off 2m40s restarting failed container=app"),
            "Always",
            Some(1),
        )
        .expect("b");
        assert_eq!((s.delay_seconds, s.stage), (160, 5));
        assert_eq!(parse_go_duration("5m0s"), Some(300));
        assert_eq!(parse_go_duration("1h0m0s"), Some(3600));
        for bad in ["", "5", "5x", "m", "1.5s"] {
            assert_eq!(parse_go_duration(bad), None, "{bad}");
        }
    }
}
