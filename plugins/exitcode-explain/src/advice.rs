//! The concrete commands and facts a verdict hands the user, filled in with the real pod,
//! container and owner names so they can be pasted as they are.

use std::time::Duration;

use firstaid::k8s::human_duration;

use crate::facts::{ContainerFacts, ContainerType, PodFacts, Termination, Usage};

/// `kubectl logs … --previous`: what the container printed before it died.
pub fn logs(pod: &PodFacts, c: &ContainerFacts) -> String {
    format!(
        "kubectl logs {} -n {} -c {} --previous",
        pod.name, pod.namespace, c.name
    )
}

pub fn describe(pod: &PodFacts) -> String {
    format!("kubectl describe pod {} -n {}", pod.name, pod.namespace)
}

pub fn events(pod: &PodFacts) -> String {
    format!(
        "kubectl get events -n {} --field-selector involvedObject.name={}",
        pod.namespace, pod.name
    )
}

/// A debug copy of the pod with a shell, to look at the image's files.
pub fn inspect_image(pod: &PodFacts, c: &ContainerFacts) -> String {
    format!(
        "kubectl debug -it {} -n {} --copy-to={}-debug --container={} -- sh   # look inside the image (needs a shell in it)",
        pod.name, pod.namespace, pod.name, c.name
    )
}

/// `command + args`, or the image's defaults when neither is set.
pub fn command_line(c: &ContainerFacts) -> String {
    if c.command.is_empty() && c.args.is_empty() {
        return format!(
            "(the image's ENTRYPOINT/CMD; see docker inspect {})",
            c.image
        );
    }
    let quote = |parts: &[String]| {
        parts
            .iter()
            .map(|p| format!("{p:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (c.command.is_empty(), c.args.is_empty()) {
        (false, true) => format!("[{}]", quote(&c.command)),
        (true, false) => format!("(image ENTRYPOINT) args [{}]", quote(&c.args)),
        _ => format!("[{}] args [{}]", quote(&c.command), quote(&c.args)),
    }
}

pub fn ports(c: &ContainerFacts) -> String {
    if c.ports.is_empty() {
        return "none declared".into();
    }
    c.ports
        .iter()
        .map(|(port, proto)| format!("{port}/{proto}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How long the terminated container ran, `3m38s`.
pub fn ran_for(t: &Termination) -> Option<String> {
    ran_for_seconds(t).map(|s| human_duration(Duration::from_secs(s)))
}

pub fn ran_for_seconds(t: &Termination) -> Option<u64> {
    let (start, end) = (t.started_at?, t.finished_at?);
    u64::try_from(end.as_second() - start.as_second()).ok()
}

pub fn usage_line(usage: Usage, limit: Option<&str>) -> String {
    let used = firstaid::quantity::format_bytes(usage.memory_bytes);
    match limit.and_then(|l| firstaid::quantity::parse(l).ok()) {
        Some(limit) if limit > 0.0 => format!(
            "memory in use now: {used} ({:.0}% of the limit; metrics.k8s.io)",
            usage.memory_bytes / limit * 100.0
        ),
        _ => format!("memory in use now: {used} (metrics.k8s.io)"),
    }
}

/// What to run to give the container more memory: through its owner where one exists, since a
/// pod made by a controller is replaced from the controller's template.
pub fn raise_memory(pod: &PodFacts, c: &ContainerFacts, limit: &str) -> Vec<String> {
    let suggested = firstaid::quantity::parse(limit)
        .ok()
        .filter(|b| *b > 0.0)
        .map_or_else(
            || "<more>".to_owned(),
            |bytes| firstaid::quantity::format_bytes(bytes * 2.0),
        );
    let ns = &pod.namespace;
    let mut steps = Vec::new();
    match pod.owner.as_ref().map(|(k, n)| (k.as_str(), n.as_str())) {
        Some((kind @ ("Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController"), name))
            if c.kind != ContainerType::Ephemeral =>
        {
            steps.push(format!(
                "kubectl set resources {}/{name} -n {ns} -c {} --limits=memory={suggested}   # twice the current {limit}; size it from real peak usage",
                kind.to_lowercase(),
                c.name
            ));
        }
        Some(("Job", name)) => steps.push(format!(
            "Job {name}'s pod template is immutable: raise limits.memory for container {} (e.g. to {suggested}) where the Job is defined (CronJob jobTemplate, Helm values, operator settings) and run it again",
            c.name
        )),
        Some((kind, name)) => steps.push(format!(
            "raise limits.memory for container {} (e.g. to {suggested}) in the {kind} {name} that creates this pod",
            c.name
        )),
        None => steps.push(format!(
            "kubectl patch pod {} -n {ns} --subresource resize -p '{{\"spec\":{{\"containers\":[{{\"name\":\"{}\",\"resources\":{{\"limits\":{{\"memory\":\"{suggested}\"}}}}}}]}}}}'   # in-place resize (Kubernetes ≥ 1.33), or recreate the pod",
            pod.name, c.name
        )),
    }
    steps.push(format!(
        "kubectl top pod {} -n {ns} --containers   # current usage (needs metrics-server)",
        pod.name
    ));
    steps.push("if usage only grows, look for a leak; for JVMs size the heap from the limit (-XX:MaxRAMPercentage)".into());
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::State;

    fn container() -> ContainerFacts {
        ContainerFacts {
            name: "app".into(),
            kind: ContainerType::Regular,
            image: "registry/app:1.2".into(),
            image_pull_policy: None,
            command: vec!["/bin/bash".into()],
            args: vec!["-c".into(), "/tmp/test.sh".into()],
            memory_limit: Some("120Mi".into()),
            memory_request: None,
            liveness: None,
            startup: None,
            ports: vec![(80, "TCP".into())],
            state: State::Unknown,
            last_state: None,
            restart_count: 0,
        }
    }

    fn pod(owner: Option<(&str, &str)>) -> PodFacts {
        PodFacts {
            namespace: "shop".into(),
            name: "web-1".into(),
            owner: owner.map(|(k, n)| (k.into(), n.into())),
            ..PodFacts::default()
        }
    }

    #[test]
    fn memory_advice_goes_through_the_owner() {
        let steps = raise_memory(&pod(Some(("Deployment", "web"))), &container(), "120Mi");
        assert!(
            steps[0].starts_with(
                "kubectl set resources deployment/web -n shop -c app --limits=memory=240Mi"
            ),
            "{}",
            steps[0]
        );
        // The FAQ's OOM-killed Helm install Job with 120Mi.
        let steps = raise_memory(&pod(Some(("Job", "helm-install"))), &container(), "120Mi");
        assert!(steps[0].contains("immutable") && steps[0].contains("240Mi"));
        let steps = raise_memory(&pod(None), &container(), "120Mi");
        assert!(steps[0].contains("--subresource resize"));
    }

    #[test]
    fn command_lines_quote_arguments() {
        assert_eq!(
            command_line(&container()),
            r#"["/bin/bash"] args ["-c", "/tmp/test.sh"]"#
        );
        let mut c = container();
        c.command.clear();
        c.args.clear();
        assert!(command_line(&c).contains("ENTRYPOINT/CMD"));
    }

    #[test]
    fn usage_is_shown_against_the_limit() {
        let line = usage_line(
            Usage {
                memory_bytes: 60.0 * 1024.0 * 1024.0,
            },
            Some("120Mi"),
        );
        assert_eq!(
            line,
            "memory in use now: 60Mi (50% of the limit; metrics.k8s.io)"
        );
    }
}
