//! `--confirm-plan DIGEST`: a non-interactive apply bound to the exact plan that was shown.
//!
//! Every printed plan is remembered under its digest (`$XDG_STATE_HOME/firstaid/plans/DIGEST`,
//! best effort), so when a later run's fresh plan has another digest, the refusal can say which
//! steps appeared, disappeared or changed — on the machine that printed the plan; elsewhere it
//! lists the fresh plan's steps.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::plan::Digest;

/// Steps listed in a refusal, each way.
const SHOWN: usize = 20;

fn plans_dir() -> PathBuf {
    crate::backup::default_root()
        .parent()
        .map_or_else(std::env::temp_dir, PathBuf::from)
        .join("plans")
}

/// Saves the plan's step lines under its digest, for a later mismatch to be explained. A failure
/// to save only makes such an explanation shorter.
pub(super) fn remember(digest: &Digest) {
    let dir = plans_dir();
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(digest.value()), digest.lines().join("\n"));
    }
}

/// `Ok` when `expected` is the fresh plan's digest; otherwise the refusal (exit 5) with what
/// differs.
pub(super) fn check(expected: &str, fresh: &Digest) -> Result<()> {
    let actual = fresh.value();
    let expected = expected.trim().to_ascii_lowercase();
    if expected == actual {
        return Ok(());
    }
    let remembered = std::fs::read_to_string(plans_dir().join(&expected))
        .ok()
        .filter(|_| expected.chars().all(|c| c.is_ascii_hexdigit()));
    Err(Error::NotConfirmed(format!(
        "the plan changed since digest {expected} was shown (it is now {actual}), so nothing was changed:\n{}\nReview the new plan and rerun with --confirm-plan {actual} to apply it",
        differences(remembered.as_deref(), fresh)
    )))
}

fn differences(remembered: Option<&str>, fresh: &Digest) -> String {
    let Some(old) = remembered else {
        let mut text = String::from(
            "  (the plan of that digest was not printed on this machine; the new plan is:)",
        );
        for line in fresh.lines().iter().take(SHOWN) {
            text.push_str("\n  + ");
            text.push_str(line);
        }
        return text;
    };
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = fresh.lines().iter().map(String::as_str).collect();
    let mut text = Vec::new();
    for line in old.iter().filter(|l| !new.contains(l)).take(SHOWN) {
        text.push(format!("  - {line}"));
    }
    for line in new.iter().filter(|l| !old.contains(l)).take(SHOWN) {
        text.push(format!("  + {line}"));
    }
    if text.is_empty() {
        text.push(
            "  (the steps compared are equal; the plan has more steps than were kept)".into(),
        );
    }
    text.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{delete, pod_target};
    use crate::plan::Target;

    fn digest_of(versions: &[(&str, &str)]) -> Digest {
        let mut digest = Digest::default();
        for (name, version) in versions {
            digest.add(&delete(Target {
                resource_version: Some((*version).into()),
                ..pod_target(name)
            }));
        }
        digest
    }

    #[test]
    fn a_changed_object_is_named_as_removed_and_added() {
        let shown = digest_of(&[("a", "1"), ("b", "1")]);
        let fresh = digest_of(&[("a", "1"), ("b", "2")]);
        assert!(check(&shown.value(), &shown).is_ok());
        assert!(check(&shown.value().to_uppercase(), &shown).is_ok());
        let text = differences(Some(&shown.lines().join("\n")), &fresh);
        assert_eq!(
            text,
            "  - delete v1 pods ns/b uid= resourceVersion=1\n  + delete v1 pods ns/b uid= resourceVersion=2"
        );
        let err = check("0123456789abcdef", &fresh).expect_err("mismatch");
        assert_eq!(err.exit(), crate::exit::Exit::NotConfirmed);
        assert!(err.to_string().contains(&fresh.value()), "{err}");
        assert!(differences(None, &fresh).contains("+ delete v1 pods ns/a"));
    }
}
