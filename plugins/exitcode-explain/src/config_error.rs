//! `CreateContainerConfigError`: the kubelet could not build the container's configuration, and
//! its message names what is missing — a ConfigMap, a Secret, a key in one, or a root image under
//! `runAsNonRoot`. Read from the message so the verdict names the object and the key.

use crate::verdict::{Inputs, Kind, Verdict};

/// What the message says is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// `configmap "app-config" not found` / `secret "db" not found`.
    Object { kind: &'static str, name: String },
    /// `couldn't find key DB_URL in ConfigMap shop/app-config`.
    Key {
        kind: &'static str,
        name: String,
        key: String,
    },
    /// `container has runAsNonRoot and image will run as root`.
    RunsAsRoot,
}

/// The kind as kubectl spells the resource (`configmap`, `secret`).
fn kind_of(word: &str) -> Option<&'static str> {
    match word.to_ascii_lowercase().trim_end_matches('s') {
        "configmap" => Some("configmap"),
        "secret" => Some("secret"),
        _ => None,
    }
}

/// Reads the kubelet's messages (pkg/kubelet/kubelet_pods.go and the API's NotFound errors).
pub fn parse(message: &str) -> Option<Missing> {
    let m = message.trim();
    let lower = m.to_ascii_lowercase();
    if lower.contains("runasnonroot") && lower.contains("root") {
        return Some(Missing::RunsAsRoot);
    }
    if let Some(at) = lower.find("couldn't find key ") {
        let rest = &m[at + "couldn't find key ".len()..];
        let (key, rest) = rest.split_once(" in ")?;
        let (kind, object) = rest.trim().split_once(' ')?;
        let object = object.split_whitespace().next()?;
        let name = object.rsplit('/').next()?.to_owned();
        return Some(Missing::Key {
            kind: kind_of(kind)?,
            name,
            key: key.to_owned(),
        });
    }
    let at = lower.find(" not found")?;
    let before = &m[..at];
    let (kind, name) = before.trim().rsplit_once(' ')?;
    let kind = kind_of(kind.split_whitespace().last()?)?;
    Some(Missing::Object {
        kind,
        name: name.trim_matches('"').to_owned(),
    })
}

/// The verdict for a container waiting in `CreateContainerConfigError`.
pub fn verdict(inputs: Inputs<'_>, message: Option<&str>) -> Verdict {
    let (pod, c) = (inputs.pod, inputs.container);
    let ns = &pod.namespace;
    let event = inputs
        .events()
        .filter(|e| e.warning && parse(&e.message).is_some())
        .max_by_key(|e| e.last.map(k8s_openapi::jiff::Timestamp::as_second));
    let mut evidence = vec!["state.waiting.reason = CreateContainerConfigError".to_owned()];
    if let Some(m) = message {
        evidence.push(format!("state.waiting.message: {}", m.trim()));
    }
    if let Some(e) = event {
        evidence.push(format!(
            "event {}{}: {}",
            e.reason,
            crate::verdict::when(e),
            e.message.trim()
        ));
    }
    let missing = message
        .and_then(parse)
        .or_else(|| event.and_then(|e| parse(&e.message)));
    let (summary, next) = match missing {
        Some(Missing::Object { kind, name }) => (
            format!("Never started: {kind} {name:?} does not exist in namespace {ns}"),
            vec![
                format!("kubectl get {kind} {name} -n {ns}"),
                format!("create {kind} {name} in namespace {ns} (kubectl create {kind} {name} -n {ns} …), or mark the reference optional: true in container {}", c.name),
            ],
        ),
        Some(Missing::Key { kind, name, key }) => (
            format!("Never started: {kind} {name:?} has no key {key:?}"),
            vec![
                format!("kubectl get {kind} {name} -n {ns} -o jsonpath='{{.data}}' | jq keys   # the keys it has (values are not needed)"),
                format!("add key {key} to {kind} {name}, or fix the key in container {}'s env/volume reference", c.name),
            ],
        ),
        Some(Missing::RunsAsRoot) => (
            "Never started: runAsNonRoot is set but the image runs as root (UID 0)".into(),
            vec![format!("set securityContext.runAsUser to a non-zero UID for container {}, or use an image with a non-root USER", c.name)],
        ),
        None => (
            "Never started: the container's configuration references something missing (ConfigMap, Secret, key, or runAsNonRoot with a root image)".into(),
            vec![crate::advice::describe(pod), crate::advice::events(pod)],
        ),
    };
    Verdict {
        kind: Kind::ConfigMissing,
        summary,
        evidence,
        next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::unnecessary_wraps)] // compared with parse's Option
    fn object(kind: &'static str, name: &str) -> Option<Missing> {
        Some(Missing::Object {
            kind,
            name: name.into(),
        })
    }

    #[test]
    fn kubelet_messages_name_what_is_missing() {
        assert_eq!(
            parse(r#"configmap "app-config" not found"#),
            object("configmap", "app-config")
        );
        assert_eq!(
            parse(r#"Error: secret "web-svr-secrets" not found"#),
            object("secret", "web-svr-secrets")
        );
        assert_eq!(
            parse("couldn't find key DB_URL in ConfigMap shop/app-config"),
            Some(Missing::Key {
                kind: "configmap",
                name: "app-config".into(),
                key: "DB_URL".into()
            })
        );
        assert_eq!(
            parse("Error: couldn't find key REQUIRED_TOKEN_WRONG in Secret sample-app-secret"),
            Some(Missing::Key {
                kind: "secret",
                name: "sample-app-secret".into(),
                key: "REQUIRED_TOKEN_WRONG".into()
            })
        );
        assert_eq!(
            parse(
                "container has runAsNonRoot and image will run as root (pod: \"web-1_shop(u1)\", container: app)"
            ),
            Some(Missing::RunsAsRoot)
        );
        assert_eq!(
            parse("failed to sync configmap cache: timed out waiting for the condition"),
            None
        );
    }
}
