//! The rules for containers that exited on their own: start errors, port conflicts, out-of-range
//! codes, clean exits and the application's own errors.

use super::{Inputs, Kind, Verdict, arch_mismatch, find_message, termination_field};
use crate::facts::{ContainerType, Termination};
use crate::{advice, arch, explain};

/// 126/127/128/125 and the runtime's start errors, read from their messages when present.
pub(super) fn start_problem(inputs: Inputs<'_>, t: &Termination, code: u8) -> Option<Verdict> {
    let c = inputs.container;
    let not_found = find_message(
        inputs,
        t,
        &[
            "executable file not found",
            "no such file or directory",
            "not found",
        ],
    );
    let denied = find_message(inputs, t, &["permission denied"]);
    let start_reason = t.reason_is("StartError") || t.reason_is("ContainerCannotRun");
    let command = advice::command_line(c);
    let kind = if denied.is_some() || code == 126 {
        Kind::NotExecutable
    } else if not_found.is_some() && (start_reason || matches!(code, 127 | 128 | 0)) || code == 127
    {
        Kind::CommandNotFound
    } else if start_reason || matches!(code, 125 | 128) {
        Kind::StartFailure
    } else {
        return None;
    };
    let mut evidence = vec![format!(
        "exitCode {}{}",
        t.exit_code,
        t.reason
            .as_ref()
            .map(|r| format!(", reason {r}"))
            .unwrap_or_default()
    )];
    evidence.extend(denied.or(not_found));
    if kind == Kind::StartFailure
        && let Some(m) = &t.message
    {
        evidence.push(format!("message: {m}"));
    }
    evidence.push(format!("command: {command}"));
    let summary = match kind {
        Kind::NotExecutable => {
            "The command exists but cannot be executed (not executable, permission denied, or a noexec mount)"
        }
        Kind::CommandNotFound => {
            "Command or file not found in the image: check command/args and the image's PATH"
        }
        _ => "The container runtime could not start the container",
    };
    Some(Verdict {
        kind,
        summary: summary.into(),
        evidence,
        next: vec![
            advice::inspect_image(inputs.pod, c),
            advice::logs(inputs.pod, c),
            advice::describe(inputs.pod),
        ],
    })
}

pub(super) fn port_conflict(inputs: Inputs<'_>, t: &Termination) -> Option<Verdict> {
    let found = find_message(inputs, t, &["address already in use", "address in use"]);
    let c = inputs.container;
    found.map(|found| Verdict {
        kind: Kind::PortConflict,
        summary: "Port already in use: another container in the same pod (they share one network namespace) or another process listens on it".into(),
        evidence: vec![found, format!("ports declared by {}: {}", c.name, advice::ports(c))],
        next: vec![
            advice::logs(inputs.pod, c),
            format!(
                "kubectl get pod {} -n {} -o jsonpath='{{range .spec.containers[*]}}{{.name}}: {{.ports[*].containerPort}}{{\"\\n\"}}{{end}}'",
                inputs.pod.name, inputs.pod.namespace
            ),
        ],
    })
}

pub(super) fn out_of_range(inputs: Inputs<'_>, t: &Termination) -> Verdict {
    let mut evidence = vec![format!("{}: exitCode 255", termination_field(t, inputs))];
    if let Some(ran) = advice::ran_for(t) {
        evidence.push(format!("ran {ran}"));
    }
    if let Some(m) = &t.message {
        evidence.push(format!("termination message: {m}"));
    }
    Verdict {
        kind: Kind::OutOfRange,
        summary: "255: exit status out of range (often exit(-1)); the code cannot say why, the previous logs can".into(),
        evidence,
        next: vec![advice::logs(inputs.pod, inputs.container)],
    }
}

pub(super) fn clean_exit(inputs: Inputs<'_>) -> Verdict {
    let c = inputs.container;
    let restarted = inputs.pod.restart_policy == "Always"
        && matches!(c.kind, ContainerType::Regular | ContainerType::Sidecar);
    if restarted {
        return Verdict {
            kind: Kind::NoForegroundProcess,
            summary: "Exited 0, but restartPolicy Always restarts it: the command does not keep a foreground process running".into(),
            evidence: vec![
                "exitCode 0 with restartPolicy Always".into(),
                format!("command: {}", advice::command_line(c)),
                format!("restartCount {}", c.restart_count),
            ],
            next: vec![
                "run the service in the foreground (e.g. nginx -g 'daemon off;'), not a shell or a script that backgrounds it".into(),
                "if it is a one-off task, run it as a Job (restartPolicy OnFailure/Never)".into(),
            ],
        };
    }
    Verdict {
        kind: Kind::Completed,
        summary: "Completed successfully".into(),
        evidence: Vec::new(),
        next: Vec::new(),
    }
}

pub(super) fn app_error(inputs: Inputs<'_>, t: &Termination, code: u8) -> Verdict {
    let c = inputs.container;
    let meaning = explain::meaning(code);
    let mut evidence = vec![format!(
        "{}: exitCode {}{}",
        termination_field(t, inputs),
        t.exit_code,
        t.reason
            .as_ref()
            .map(|r| format!(", reason {r}"))
            .unwrap_or_default()
    )];
    if i64::from(t.exit_code) != i64::from(code) {
        evidence.push(format!("{} folds to {code} (mod 256)", t.exit_code));
    }
    if let Some(m) = &t.message {
        evidence.push(format!("termination message: {m}"));
    }
    // An image whose name says another architecture than the node's is worth a line even
    // without "exec format error" (the message may only be in the logs).
    let node_arch = inputs
        .node
        .and_then(|n| n.arch.as_deref())
        .map(arch::normalise);
    if let (Some(image_arch), Some(node_arch)) = (arch::image_arch_hint(&c.image), node_arch)
        && image_arch != node_arch
    {
        let mut v = arch_mismatch(inputs, None);
        v.evidence.insert(0, evidence.remove(0));
        v.summary = format!(
            "{} (likely: the image name says {image_arch}; confirm with the logs)",
            v.summary
        );
        return v;
    }
    Verdict {
        kind: Kind::AppError,
        summary: format!(
            "The application exited with {code} ({}); the code alone does not say why, its logs do",
            meaning.name
        ),
        evidence,
        next: vec![advice::logs(inputs.pod, c), advice::describe(inputs.pod)],
    }
}
