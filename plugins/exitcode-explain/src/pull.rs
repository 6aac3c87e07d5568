//! Why a container's image will not pull: the cause [`crate::pull_causes`] reads from the
//! waiting message or the kubelet's `Failed to pull image` event, the facts that confirm it (pull
//! secrets, the node's DiskPressure, architecture and runtime), and the step that fixes it.

use crate::pull_causes::{self, PullCause};
use crate::verdict::{self, Inputs, Kind, Verdict};

/// Waiting reasons the kubelet gives a container whose image it could not get.
pub const REASONS: [&str; 4] = [
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "ErrImageNeverPull",
];

/// The verdict kind a cause is reported as. A missing platform is the architecture check's
/// verdict, reached before the container could even start.
pub fn kind(cause: Option<PullCause>) -> Kind {
    match cause {
        None => Kind::ImagePullFailed,
        Some(PullCause::InvalidName) => Kind::InvalidImageName,
        Some(PullCause::NeverPull) => Kind::ImageNeverPull,
        Some(PullCause::RateLimited) => Kind::PullRateLimited,
        Some(PullCause::UntrustedCertificate) => Kind::RegistryCertUntrusted,
        Some(PullCause::NoPlatform) => Kind::ArchMismatch,
        Some(PullCause::DiskFull) => Kind::ImageDiskFull,
        Some(PullCause::NotResolved) => Kind::RegistryNotResolved,
        Some(PullCause::Unreachable) => Kind::RegistryUnreachable,
        Some(PullCause::Timeout) => Kind::PullTimeout,
        Some(PullCause::Unauthorized) => Kind::PullUnauthorized,
        Some(PullCause::NotFound) => Kind::ImageNotFound,
    }
}

/// The cause a pull verdict's kind stands for (`None`: the cause is not known).
pub fn cause(kind: Kind) -> Option<PullCause> {
    pull_causes::all().find(|c| self::kind(Some(*c)) == kind)
}

/// The cause behind a container's pull failure and the lines that show it.
struct Found {
    cause: Option<PullCause>,
    /// The text that named the cause, quoted with where it came from.
    quote: Option<String>,
    evidence: Vec<String>,
}

/// The waiting message names the cause for `ErrImagePull`; for `ImagePullBackOff` only the
/// kubelet's latest `Failed` event about this container still does.
fn find(inputs: Inputs<'_>, reason: &str, message: Option<&str>) -> Found {
    let mut evidence = vec![format!("state.waiting.reason = {reason}")];
    let mut cause = None;
    let mut quote = None;
    if let Some(m) = message {
        let line = format!("state.waiting.message: {}", m.trim());
        cause = pull_causes::classify(m);
        if cause.is_some() {
            quote = Some(line.clone());
        }
        evidence.push(line);
    }
    let failed = inputs
        .events()
        .filter(|e| e.warning && pull_causes::classify(&e.message).is_some())
        .max_by_key(|e| e.last.map(k8s_openapi::jiff::Timestamp::as_second));
    if let Some(e) = failed {
        let line = format!(
            "event {}{}: {}",
            e.reason,
            verdict::when(e),
            e.message.trim()
        );
        if cause.is_none() {
            cause = pull_causes::classify(&e.message);
            quote = Some(line.clone());
        }
        evidence.push(line);
    }
    let cause = cause.or(match reason {
        "InvalidImageName" => Some(PullCause::InvalidName),
        "ErrImageNeverPull" => Some(PullCause::NeverPull),
        _ => None,
    });
    Found {
        cause,
        quote,
        evidence,
    }
}

/// The verdict for a container waiting in one of [`REASONS`].
pub fn verdict(inputs: Inputs<'_>, reason: &str, message: Option<&str>) -> Verdict {
    let found = find(inputs, reason, message);
    let c = inputs.container;
    let host = pull_causes::registry_host(&c.image);
    if found.cause == Some(PullCause::NoPlatform) {
        let mut v = verdict::arch_mismatch(inputs, found.quote);
        v.summary = format!("Image cannot be pulled: {}", v.summary);
        return v;
    }
    let mut evidence = found.evidence;
    evidence.push(format!("image {} (registry {host})", c.image));
    let (summary, next) = match found.cause {
        Some(cause) => explain(inputs, cause, &host, &mut evidence),
        None => unknown(inputs),
    };
    Verdict {
        kind: kind(found.cause),
        summary,
        evidence,
        next,
    }
}

/// `kubectl set image` through the owner the user manages (a bare pod's image is fixed by
/// recreating it).
fn set_image(inputs: Inputs<'_>, image: &str) -> String {
    let (pod, c) = (inputs.pod, inputs.container);
    match pod.owner.as_ref().map(|(k, n)| (k.as_str(), n.as_str())) {
        Some((kind @ ("Deployment" | "StatefulSet" | "DaemonSet"), name)) => format!(
            "kubectl set image {}/{name} -n {} {}={image}",
            kind.to_lowercase(),
            pod.namespace,
            c.name
        ),
        _ => format!(
            "fix the image of container {} where pod {} is defined, then recreate it",
            c.name, pod.name
        ),
    }
}

fn node_name(inputs: Inputs<'_>) -> &str {
    inputs.pod.node.as_deref().unwrap_or("<node>")
}

fn explain(
    inputs: Inputs<'_>,
    cause: PullCause,
    host: &str,
    evidence: &mut Vec<String>,
) -> (String, Vec<String>) {
    let (pod, c) = (inputs.pod, inputs.container);
    let (ns, image, node) = (&pod.namespace, &c.image, node_name(inputs));
    match cause {
        PullCause::Unauthorized => unauthorized(inputs, host, evidence),
        PullCause::NotFound => (
            format!("Image not found: {host} has no {image} (wrong repository or tag)"),
            vec![
                format!("docker manifest inspect {image}   # or: crane ls {}", pull_causes::repository(image)),
                set_image(inputs, "<existing tag>"),
            ],
        ),
        PullCause::NotResolved => (
            format!("The node cannot resolve the registry host {host} (DNS)"),
            vec![
                format!(
                    "on node {node}: getent hosts {}   # the node resolves with its own /etc/resolv.conf, not the cluster DNS",
                    host.rsplit_once(':').map_or(host, |(name, _)| name)
                ),
                "check the registry name in the image for typos; a private DNS zone must be visible to the nodes".into(),
            ],
        ),
        PullCause::Unreachable => (
            format!("The node cannot reach the registry {host} (no route, refused, or no egress)"),
            vec![
                format!("on node {node}: curl -sv https://{host}/v2/   # any HTTP answer (even 401) means reachable"),
                "allow the nodes' egress to the registry (security group, firewall, NAT), set the runtime's HTTPS_PROXY, or pull from a mirror inside the network".into(),
            ],
        ),
        PullCause::Timeout => (
            "The pull was cancelled before it finished: a large image over a slow link, or no progress within the runtime's pull timeout".into(),
            vec![
                format!("on node {node}: crictl pull {image}   # pre-pull it (a DaemonSet can pre-pull on every node)"),
                "imagePullPolicy: IfNotPresent, so a pulled image is not fetched again".into(),
                "containerd: raise image_pull_progress_timeout in its CRI config (default 5m); or make the image smaller".into(),
            ],
        ),
        PullCause::RateLimited => (
            format!("Rate limited: {host} refused more anonymous pulls (Docker Hub allows a few per IP every 6 hours)"),
            vec![
                format!("kubectl create secret docker-registry dockerhub -n {ns} --docker-server=https://index.docker.io/v1/ --docker-username=<user> --docker-password=<access token>   # authenticated pulls get a higher limit"),
                format!("kubectl patch serviceaccount {} -n {ns} -p '{{\"imagePullSecrets\":[{{\"name\":\"dockerhub\"}}]}}'", pod.pull_secrets.service_account),
                "or pull through a mirror: /etc/containerd/certs.d/docker.io/hosts.toml with [host.\"https://<mirror>\"] capabilities = [\"pull\", \"resolve\"], or copy the image into your own registry".into(),
            ],
        ),
        PullCause::UntrustedCertificate => (
            format!("The registry {host}'s TLS certificate is not trusted by the node's container runtime (private or self-signed CA)"),
            trust_ca(inputs, host),
        ),
        PullCause::DiskFull => {
            disk_evidence(inputs, evidence);
            (
                format!("No space left on node {node}'s image disk"),
                vec![
                    format!("kubectl describe node {node} | grep -A8 Conditions   # DiskPressure"),
                    format!("on node {node}: df -h /var/lib/containerd /var/lib/kubelet; crictl rmi --prune   # remove unused images"),
                    "expand the node's data disk, or lower the kubelet's imageGCHighThresholdPercent so it collects images sooner".into(),
                ],
            )
        }
        PullCause::InvalidName => (
            format!("Invalid image name {image:?}: the reference cannot be parsed"),
            vec![
                "a reference is [host[:port]/]lowercase/path[:tag][@sha256:digest], without https:// and without spaces".into(),
                set_image(inputs, "<valid reference>"),
            ],
        ),
        PullCause::NeverPull => {
            evidence.push(format!(
                "imagePullPolicy = {}",
                c.image_pull_policy.as_deref().unwrap_or("Never")
            ));
            (
                format!("imagePullPolicy is Never and {image} is not on node {node}"),
                vec![
                    format!("on node {node}: ctr -n k8s.io images import <image.tar>   # or: kind load docker-image {image}"),
                    format!("or set imagePullPolicy: IfNotPresent on container {}", c.name),
                ],
            )
        }
        PullCause::NoPlatform => unreachable!("handled by the architecture check"),
    }
}

fn unknown(inputs: Inputs<'_>) -> (String, Vec<String>) {
    (
        "The image cannot be pulled; the reason is in the kubelet's `Failed to pull image` event, and none is left (events expire after an hour)".into(),
        vec![
            crate::advice::events(inputs.pod),
            format!(
                "on node {}: crictl pull {}   # shows the runtime's own error",
                node_name(inputs),
                inputs.container.image
            ),
        ],
    )
}

fn unauthorized(
    inputs: Inputs<'_>,
    host: &str,
    evidence: &mut Vec<String>,
) -> (String, Vec<String>) {
    let pod = inputs.pod;
    let secrets = &pod.pull_secrets;
    let ns = &pod.namespace;
    let sa = &secrets.service_account;
    let names = secrets.names();
    evidence.push(secret_line(
        "pod spec.imagePullSecrets",
        &secrets.pod,
        secrets,
    ));
    match &secrets.service_account_secrets {
        Some(list) => evidence.push(secret_line(
            &format!("serviceAccount {sa} imagePullSecrets"),
            list,
            secrets,
        )),
        None => evidence.push(format!(
            "serviceAccount {sa}: not read{}",
            secrets
                .unreadable
                .as_ref()
                .map(|why| format!(" ({why})"))
                .unwrap_or_default()
        )),
    }
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| secrets.exists.get(*n) == Some(&false))
        .collect();
    let create = |name: &str| {
        format!(
            "kubectl create secret docker-registry {name} -n {ns} --docker-server={host} --docker-username=<user> --docker-password=<password or token>"
        )
    };
    let (summary, mut next) = if names.is_empty() {
        let whose = if secrets.service_account_secrets.is_some() {
            format!("neither the pod nor serviceAccount {sa} has imagePullSecrets")
        } else {
            format!("the pod has no imagePullSecrets (serviceAccount {sa} not read)")
        };
        (
            format!("Not authorized: {host} refused an anonymous pull, and {whose}"),
            vec![
                create("regcred"),
                format!(
                    "kubectl patch serviceaccount {sa} -n {ns} -p '{{\"imagePullSecrets\":[{{\"name\":\"regcred\"}}]}}'   # new pods get it; recreate this one"
                ),
            ],
        )
    } else if !missing.is_empty() {
        (
            format!(
                "Not authorized: the pull secret {} does not exist in namespace {ns}, so the kubelet pulled without it",
                missing.join(", ")
            ),
            missing.iter().map(|n| create(n)).collect(),
        )
    } else {
        let first = names[0];
        (
            format!(
                "Not authorized: {host} refused the credentials in {}",
                names.join(", ")
            ),
            vec![
                format!(
                    "kubectl get secret {first} -n {ns} -o jsonpath='{{.data.\\.dockerconfigjson}}' | base64 -d | jq '.auths | keys'   # lists only the registries it holds credentials for"
                ),
                format!(
                    "the secret must name {host} exactly and hold a login that may read the repository; re-create it if the password or token expired"
                ),
            ],
        )
    };
    if evidence.iter().any(|e| e.contains("does not exist")) {
        next.push("Docker Hub answers a missing repository with the same \"pull access denied\": check the image name too".into());
    }
    (summary, next)
}

/// `pod spec.imagePullSecrets: regcred (exists), old (missing)`.
fn secret_line(what: &str, names: &[String], secrets: &crate::facts::PullSecrets) -> String {
    if names.is_empty() {
        return format!("{what}: none");
    }
    let described: Vec<String> = names
        .iter()
        .map(|n| match secrets.exists.get(n) {
            Some(true) => format!("{n} (exists)"),
            Some(false) => format!("{n} (missing)"),
            None => format!("{n} (not checked)"),
        })
        .collect();
    format!("{what}: {}", described.join(", "))
}

fn disk_evidence(inputs: Inputs<'_>, evidence: &mut Vec<String>) {
    let node = node_name(inputs);
    evidence.push(match inputs.node.and_then(|n| n.disk_pressure.as_ref()) {
        Some(p) if p.is_true() => format!(
            "node {node} condition DiskPressure=True{}",
            p.since.map(|s| format!(" since {s}")).unwrap_or_default()
        ),
        Some(_) => format!("node {node} condition DiskPressure=False (the image disk can fill before the kubelet's threshold)"),
        None => format!("node {node}: DiskPressure not known (node not readable)"),
    });
}

/// Where the node's runtime reads a registry's CA (per registry, no system-wide change).
fn trust_ca(inputs: Inputs<'_>, host: &str) -> Vec<String> {
    let node = node_name(inputs);
    let runtime = inputs
        .node
        .and_then(|n| n.runtime.as_deref())
        .and_then(|r| r.split("://").next());
    let containerd = format!(
        "containerd: /etc/containerd/certs.d/{host}/ca.crt, and in /etc/containerd/certs.d/{host}/hosts.toml: server = \"https://{host}\" [host.\"https://{host}\"] ca = \"/etc/containerd/certs.d/{host}/ca.crt\" (the CRI registry config_path must be /etc/containerd/certs.d)"
    );
    let crio = format!("CRI-O: /etc/containers/certs.d/{host}/ca.crt");
    let docker = format!("Docker: /etc/docker/certs.d/{host}/ca.crt");
    let address = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:443")
    };
    let mut next = vec![format!(
        "openssl s_client -showcerts -connect {address} </dev/null   # the chain the registry sends"
    )];
    match runtime {
        Some("containerd") => next.push(containerd),
        Some("cri-o") => next.push(crio),
        Some("docker") => next.push(docker),
        _ => next.extend([containerd, crio, docker]),
    }
    next.push(format!("on node {node} and every node that may run the pod; or add the CA to the node's system trust (update-ca-certificates / update-ca-trust) and restart the runtime"));
    next
}

#[cfg(test)]
mod tests;
