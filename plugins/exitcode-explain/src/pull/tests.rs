//! Pull verdicts on fixtures: each cause from a real message, with the facts that confirm it.

use super::*;
use crate::facts::{
    ContainerFacts, ContainerType, EventFacts, NodeFacts, PodFacts, PullSecrets, State,
};
use firstaid::k8s::NodeCondition;

/// The shared pod, whose ServiceAccount `default` was read and lists no pull secrets.
fn pod() -> PodFacts {
    PodFacts {
        pull_secrets: PullSecrets {
            service_account: "default".into(),
            service_account_secrets: Some(Vec::new()),
            ..PullSecrets::default()
        },
        ..crate::fixtures::pod()
    }
}

fn waiting(image: &str, reason: &str, message: &str) -> ContainerFacts {
    ContainerFacts {
        name: "app".into(),
        kind: ContainerType::Regular,
        image: image.into(),
        image_pull_policy: Some("IfNotPresent".into()),
        command: Vec::new(),
        args: Vec::new(),
        memory_limit: None,
        memory_request: None,
        liveness: None,
        startup: None,
        ports: Vec::new(),
        state: State::Waiting {
            reason: Some(reason.into()),
            message: Some(message.into()),
        },
        last_state: None,
        restart_count: 0,
    }
}

fn node(arch: &str, runtime: &str) -> NodeFacts {
    NodeFacts {
        name: "node-a".into(),
        arch: Some(arch.into()),
        runtime: Some(runtime.into()),
        ..NodeFacts::default()
    }
}

fn failed_event(message: &str) -> EventFacts {
    EventFacts {
        reason: "Failed".into(),
        message: message.into(),
        warning: true,
        count: 4,
        last: "2026-12-04T01:00:00Z".parse().ok(),
        field_path: Some("spec.containers{app}".into()),
        ..EventFacts::default()
    }
}

fn run(pod: &PodFacts, c: &ContainerFacts, node: Option<&NodeFacts>) -> Verdict {
    let State::Waiting { reason, message } = &c.state else {
        panic!("fixture waits")
    };
    let inputs = Inputs {
        pod,
        container: c,
        node,
        usage: None,
    };
    verdict(
        inputs,
        reason.as_deref().unwrap_or_default(),
        message.as_deref(),
    )
}

fn has(list: &[String], needle: &str) -> bool {
    list.iter().any(|l| l.contains(needle))
}

const BACK_OFF: &str = r#"Back-off pulling image "registry.example.com/app:1.0""#;

#[test]
fn back_off_reads_the_cause_from_the_failed_event() {
    let mut p = pod();
    p.events.push(failed_event(
        r#"Failed to pull image "nginx:1.25": failed to pull and unpack image "docker.io/library/nginx:1.25": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/manifests/sha256:0d17: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit"#,
    ));
    let c = waiting("nginx:1.25", "ImagePullBackOff", BACK_OFF);
    let v = run(&p, &c, None);
    assert_eq!(v.kind, Kind::PullRateLimited);
    assert!(v.summary.contains("registry-1.docker.io"), "{v:?}");
    assert!(has(&v.evidence, "event Failed ×4"), "{v:?}");
    assert!(has(
        &v.next,
        "kubectl create secret docker-registry dockerhub -n shop"
    ));
    assert!(has(&v.next, "kubectl patch serviceaccount default -n shop"));
}

#[test]
fn unauthorized_names_the_secrets_and_whether_they_exist() {
    let msg = r#"failed to pull and unpack image "registry.example.com/team/app:1.0": failed to resolve reference "registry.example.com/team/app:1.0": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized"#;
    let c = waiting("registry.example.com/team/app:1.0", "ErrImagePull", msg);

    let v = run(&pod(), &c, None);
    assert_eq!(v.kind, Kind::PullUnauthorized);
    assert!(
        v.summary
            .contains("neither the pod nor serviceAccount default"),
        "{v:?}"
    );
    assert!(has(&v.evidence, "pod spec.imagePullSecrets: none"));
    assert!(has(&v.next, "--docker-server=registry.example.com"));

    let mut unread = pod();
    unread.pull_secrets.service_account_secrets = None;
    unread.pull_secrets.unreadable = Some("forbidden by RBAC".into());
    let v = run(&unread, &c, None);
    assert!(
        v.summary
            .contains("the pod has no imagePullSecrets (serviceAccount default not read)"),
        "{v:?}"
    );
    assert!(has(
        &v.evidence,
        "serviceAccount default: not read (forbidden by RBAC)"
    ));

    let mut p = pod();
    p.pull_secrets.pod = vec!["regcred".into()];
    p.pull_secrets.service_account_secrets = Some(vec!["old-cred".into()]);
    p.pull_secrets.exists = [("regcred".to_owned(), true), ("old-cred".to_owned(), false)].into();
    let v = run(&p, &c, None);
    assert!(
        v.summary
            .contains("old-cred does not exist in namespace shop"),
        "{v:?}"
    );
    assert!(has(
        &v.evidence,
        "pod spec.imagePullSecrets: regcred (exists)"
    ));
    assert!(has(
        &v.evidence,
        "serviceAccount default imagePullSecrets: old-cred (missing)"
    ));

    p.pull_secrets.exists.insert("old-cred".into(), true);
    let v = run(&p, &c, None);
    assert!(
        v.summary
            .contains("refused the credentials in regcred, old-cred"),
        "{v:?}"
    );
    assert!(has(&v.next, "jq '.auths | keys'"));
}

#[test]
fn each_cause_has_its_verdict_and_next_step() {
    let cases: &[(&str, &str, Kind, &str)] = &[
        (
            "docker.io/library/nginx:1.99.99",
            r#"rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.99.99": failed to resolve reference "docker.io/library/nginx:1.99.99": docker.io/library/nginx:1.99.99: not found"#,
            Kind::ImageNotFound,
            "kubectl set image deployment/web -n shop app=<existing tag>",
        ),
        (
            "nginx:v1.1",
            "Error response from daemon: Get https://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io: no such host",
            Kind::RegistryNotResolved,
            "getent hosts registry-1.docker.io",
        ),
        (
            "docker.io/bitnami/nginx:1.22.0-debian-11-r3",
            "Error response from daemon: Get https://registry-1.docker.io/v2/: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)",
            Kind::RegistryUnreachable,
            "curl -sv https://registry-1.docker.io/v2/",
        ),
        (
            "registry.example.com/ml/trainer:2.1",
            "rpc error: code = Unknown desc = context canceled",
            Kind::PullTimeout,
            "crictl pull registry.example.com/ml/trainer:2.1",
        ),
        (
            "Registry.example.com/App:1.0",
            r#"Failed to apply default image tag "Registry.example.com/App:1.0": couldn't parse image reference "Registry.example.com/App:1.0": invalid reference format: repository name must be lowercase"#,
            Kind::InvalidImageName,
            "without https://",
        ),
        (
            "registry.example.com/app:1.0",
            r#"Container image "registry.example.com/app:1.0" is not present with pull policy of Never"#,
            Kind::ImageNeverPull,
            "imagePullPolicy: IfNotPresent",
        ),
    ];
    for (image, message, kind, next) in cases {
        let c = waiting(image, "ErrImagePull", message);
        let v = run(&pod(), &c, None);
        assert_eq!(v.kind, *kind, "{message}");
        assert!(has(&v.next, next), "{message}: {v:?}");
    }
}

#[test]
fn an_untrusted_ca_says_where_the_nodes_runtime_reads_it() {
    let msg = r#"failed to pull and unpack image "harbor.example.com/app/web:1.0": failed to resolve reference "harbor.example.com/app/web:1.0": failed to do request: Head "https://harbor.example.com/v2/app/web/manifests/1.0": tls: failed to verify certificate: x509: certificate signed by unknown authority"#;
    let c = waiting("harbor.example.com/app/web:1.0", "ErrImagePull", msg);
    let v = run(&pod(), &c, Some(&node("amd64", "containerd://1.7.13")));
    assert_eq!(v.kind, Kind::RegistryCertUntrusted);
    assert!(has(
        &v.next,
        "/etc/containerd/certs.d/harbor.example.com/hosts.toml"
    ));
    assert!(!has(&v.next, "/etc/containers/certs.d"), "{v:?}");
    let v = run(&pod(), &c, Some(&node("amd64", "cri-o://1.30.1")));
    assert!(has(
        &v.next,
        "/etc/containers/certs.d/harbor.example.com/ca.crt"
    ));
    // Runtime unknown: every runtime's place.
    let v = run(&pod(), &c, None);
    assert!(has(
        &v.next,
        "/etc/docker/certs.d/harbor.example.com/ca.crt"
    ));
    assert!(has(
        &v.next,
        "/etc/containerd/certs.d/harbor.example.com/ca.crt"
    ));
}

#[test]
fn a_full_disk_points_at_disk_pressure() {
    let msg = r#"failed to pull and unpack image "docker.io/library/postgres:16": failed to extract layer sha256:5d6b: write /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/48/fs/x: no space left on device: unknown"#;
    let c = waiting("postgres:16", "ErrImagePull", msg);
    let mut n = node("amd64", "containerd://1.7.13");
    n.disk_pressure = Some(NodeCondition {
        type_: "DiskPressure".into(),
        status: "True".into(),
        since: "2026-12-04T00:40:00Z".parse().ok(),
        message: None,
    });
    let v = run(&pod(), &c, Some(&n));
    assert_eq!(v.kind, Kind::ImageDiskFull);
    assert!(has(
        &v.evidence,
        "node node-a condition DiskPressure=True since"
    ));
    assert!(has(&v.next, "crictl rmi --prune"));
}

#[test]
fn no_build_for_the_platform_is_the_architecture_check() {
    let msg = "Error response from daemon: no matching manifest for linux/arm64/v8 in the manifest list entries";
    let c = waiting("registry.example.com/app:1.0-amd64", "ErrImagePull", msg);
    let v = run(&pod(), &c, Some(&node("arm64", "docker://24.0.7")));
    assert_eq!(v.kind, Kind::ArchMismatch);
    assert!(
        v.summary.starts_with(
            "Image cannot be pulled: Wrong CPU architecture: an amd64 image on an arm64 node"
        ),
        "{v:?}"
    );
    assert!(has(&v.evidence, "no matching manifest for linux/arm64"));
    assert!(has(&v.evidence, "kubernetes.io/arch = arm64"));
}

#[test]
fn without_an_event_the_cause_is_not_guessed() {
    let c = waiting("registry.example.com/app:1.0", "ImagePullBackOff", BACK_OFF);
    let v = run(&pod(), &c, None);
    assert_eq!(v.kind, Kind::ImagePullFailed);
    assert!(has(&v.next, "crictl pull registry.example.com/app:1.0"));
}

#[test]
fn a_scan_groups_pods_that_fail_the_same_way() {
    use crate::report::{container_report, pull_groups};
    let limited = r#"Failed to pull image "nginx:1.25": 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit."#;
    let mut reports = Vec::new();
    for name in ["web-1", "web-2", "web-3", "api-1"] {
        let mut p = pod();
        p.name = name.into();
        p.events.push(failed_event(limited));
        let c = waiting("nginx:1.25", "ImagePullBackOff", BACK_OFF);
        reports.extend(container_report(&p, &c, None, None));
    }
    let mut other = pod();
    other.name = "private".into();
    let c = waiting(
        "registry.example.com/team/app:1.0",
        "ErrImagePull",
        "failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized",
    );
    reports.extend(container_report(&other, &c, None, None));

    let groups = pull_groups(&reports);
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(
        groups[0].headline(),
        "4 pods can't pull from registry-1.docker.io: rate limit"
    );
    assert_eq!(groups[0].pods[0], "shop/web-1");
    let json = serde_json::to_value(&groups[0]).expect("json");
    assert_eq!(json["cause"], "rateLimited");
    assert_eq!(json["registry"], "registry-1.docker.io");
}
