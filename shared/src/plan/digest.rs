//! A plan's digest: a short fingerprint of exactly what it will change, printed under every plan
//! so a script can bind a non-interactive apply to the plan a person (or an earlier run) saw.
//!
//! Each step contributes one line — action, object (group, version, resource, namespace, name),
//! uid and the resourceVersion the diagnosis read — and the digest is SHA-256 over those lines
//! sorted, so the order concurrent listing produced them in does not matter, while any added,
//! removed or changed step, or any change to a planned object since it was read, gives another
//! digest. The first [`LINES_KEPT`] lines are kept, to say what differs when a digest does not
//! match.

use std::fmt::Write as _;

use ring::digest::{Context, SHA256};

use super::Step;

/// Hex digits shown: 64 bits, far more than a plan's variants need, short enough to paste.
const SHOWN: usize = 16;

/// Lines kept to describe a mismatch (a 50,000-pod plan is compared by digest alone).
pub const LINES_KEPT: usize = 1000;

#[derive(Debug, Clone, Default)]
pub struct Digest {
    /// SHA-256 of each step's line, in the order the steps came.
    steps: Vec<[u8; 32]>,
    lines: Vec<String>,
}

impl Digest {
    pub fn add(&mut self, step: &Step) {
        let line = line(step);
        let hash = ring::digest::digest(&SHA256, line.as_bytes());
        let mut bytes = [0; 32];
        bytes.copy_from_slice(hash.as_ref());
        self.steps.push(bytes);
        if self.lines.len() < LINES_KEPT {
            self.lines.push(line);
        }
    }

    /// The digest as printed: the first 16 hex digits of SHA-256 over the sorted step lines.
    pub fn value(&self) -> String {
        let mut sorted = self.steps.clone();
        sorted.sort_unstable();
        let mut context = Context::new(&SHA256);
        for step in &sorted {
            context.update(step);
        }
        let mut hex = String::with_capacity(SHOWN);
        for byte in context.finish().as_ref() {
            let _ = write!(hex, "{byte:02x}");
        }
        hex.truncate(SHOWN);
        hex
    }

    /// The steps as hashed (up to [`LINES_KEPT`]), in plan order.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Whether every step's line was kept (so a comparison of lines is complete).
    pub fn complete(&self) -> bool {
        self.lines.len() == self.steps.len()
    }
}

/// One step as the digest sees it: what is done, to which incarnation of which object.
fn line(step: &Step) -> String {
    let t = &step.target;
    let api = if t.group.is_empty() {
        t.version.clone()
    } else {
        format!("{}/{}", t.group, t.version)
    };
    let namespace = t.namespace.as_deref().unwrap_or("");
    let version = step.resource_version().unwrap_or_default();
    format!(
        "{} {api} {} {namespace}/{} uid={} resourceVersion={version}",
        step.action.describe(),
        t.plural,
        t.name,
        t.uid.as_deref().unwrap_or(""),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plan::{Action, Target};

    fn step(name: &str, version: &str) -> Step {
        let mut target = Target {
            group: String::new(),
            version: "v1".into(),
            kind: "ConfigMap".into(),
            plural: "configmaps".into(),
            namespace: Some("ns".into()),
            name: name.into(),
            uid: Some(format!("uid-{name}")),
            resource_version: None,
        };
        target.resource_version = Some(version.into());
        Step::new(
            target,
            Action::RemoveFinalizers {
                finalizers: vec!["example.com/dead".into()],
            },
            "dead",
        )
    }

    fn digest(steps: &[Step]) -> Digest {
        let mut d = Digest::default();
        for s in steps {
            d.add(s);
        }
        d
    }

    #[test]
    fn order_does_not_matter_but_every_object_version_does() {
        let a = digest(&[step("a", "1"), step("b", "7")]);
        assert_eq!(a.value().len(), SHOWN);
        assert_eq!(a.value(), digest(&[step("b", "7"), step("a", "1")]).value());
        assert_ne!(a.value(), digest(&[step("a", "2"), step("b", "7")]).value());
        assert_ne!(a.value(), digest(&[step("a", "1")]).value());
        assert_eq!(
            a.lines()[0],
            "remove finalizer example.com/dead v1 configmaps ns/a uid=uid-a resourceVersion=1"
        );
        assert!(a.complete());
    }

    #[test]
    fn a_listed_snapshot_supplies_the_resource_version() {
        let mut listed = step("a", "1");
        listed.target.resource_version = None;
        let listed = listed.listed(json!({"metadata": {"uid": "uid-a", "resourceVersion": "1"}}));
        assert_eq!(digest(&[listed]).value(), digest(&[step("a", "1")]).value());
    }
}
