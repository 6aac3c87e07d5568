//! Why an image pull failed, from the text of the error alone: one table of phrases, most
//! specific first, and the registry an image reference is pulled from.
//!
//! The kubelet copies the runtime's error verbatim into the container's waiting message
//! (`ErrImagePull`) and into its `Failed to pull image "…": …` event; `ImagePullBackOff` keeps
//! only `Back-off pulling image "…"`, so the event is often the only place the cause survives.
//! containerd, CRI-O and Docker word the same failure differently, so each cause lists every
//! runtime's phrase. Order matters: a rate-limit message says "authenticating", a dial timeout
//! says "timeout", and Docker Hub answers a missing repository with "pull access denied".

use serde::Serialize;

/// A cause the pull error names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PullCause {
    /// The reference cannot be parsed (`InvalidImageName`).
    InvalidName,
    /// `imagePullPolicy: Never` and the image is not on the node (`ErrImageNeverPull`).
    NeverPull,
    /// Docker Hub's (or another registry's) pull rate limit.
    RateLimited,
    /// The registry's TLS certificate is not trusted by the node's runtime.
    UntrustedCertificate,
    /// The image has no build for the node's OS/architecture.
    NoPlatform,
    /// The node's image filesystem is full.
    DiskFull,
    /// The registry's host name does not resolve (DNS).
    NotResolved,
    /// The registry does not answer (no route, refused, no egress).
    Unreachable,
    /// The pull was cancelled or timed out while transferring (large image, slow link).
    Timeout,
    /// The registry refused the credentials, or none were sent.
    Unauthorized,
    /// The repository or tag does not exist.
    NotFound,
}

impl PullCause {
    /// How a group of pods with this cause is summed up: "can't pull from HOST: {label}".
    pub fn label(self) -> &'static str {
        match self {
            PullCause::InvalidName => "invalid image name",
            PullCause::NeverPull => "not on the node and imagePullPolicy is Never",
            PullCause::RateLimited => "rate limit",
            PullCause::UntrustedCertificate => "certificate not trusted",
            PullCause::NoPlatform => "no build for the node's platform",
            PullCause::DiskFull => "node image disk full",
            PullCause::NotResolved => "host name does not resolve",
            PullCause::Unreachable => "registry unreachable",
            PullCause::Timeout => "pull timed out",
            PullCause::Unauthorized => "not authorized",
            PullCause::NotFound => "image not found",
        }
    }
}

struct Rule {
    cause: PullCause,
    /// Lower-case phrases; any one of them names the cause.
    phrases: &'static [&'static str],
}

/// Most specific first (see the module comment).
const RULES: &[Rule] = &[
    Rule {
        cause: PullCause::InvalidName,
        phrases: &[
            "failed to apply default image tag",
            "invalid reference format",
            "couldn't parse image",
        ],
    },
    Rule {
        cause: PullCause::NeverPull,
        phrases: &["with pull policy of never"],
    },
    Rule {
        cause: PullCause::RateLimited,
        phrases: &["toomanyrequests", "too many requests", "pull rate limit"],
    },
    Rule {
        cause: PullCause::UntrustedCertificate,
        phrases: &["x509:", "tls: failed to verify certificate"],
    },
    Rule {
        cause: PullCause::NoPlatform,
        phrases: &[
            "no matching manifest for",
            "no match for platform in manifest",
            "no image found in manifest list for architecture",
            "does not match the specified platform",
        ],
    },
    Rule {
        cause: PullCause::DiskFull,
        phrases: &["no space left on device"],
    },
    Rule {
        cause: PullCause::NotResolved,
        phrases: &[
            "no such host",
            "server misbehaving",
            "temporary failure in name resolution",
        ],
    },
    Rule {
        cause: PullCause::Unreachable,
        phrases: &[
            "connection refused",
            "no route to host",
            "network is unreachable",
            "i/o timeout",
            "client.timeout exceeded while awaiting headers",
            "tls handshake timeout",
            "connection reset by peer",
            "registry is unavailable",
        ],
    },
    Rule {
        cause: PullCause::Timeout,
        phrases: &[
            "context canceled",
            "context deadline exceeded",
            "because of no progress",
        ],
    },
    Rule {
        cause: PullCause::Unauthorized,
        phrases: &[
            "unauthorized",
            "authentication required",
            "access denied",
            "denied:",
            "may require authorization",
            "may require 'docker login'",
            "insufficient_scope",
            "no basic auth credentials",
            "failed to authorize",
            "403 forbidden",
            "auth is empty",
        ],
    },
    Rule {
        cause: PullCause::NotFound,
        phrases: &[
            "not found",
            "manifest unknown",
            "name unknown",
            "does not exist",
        ],
    },
];

/// Every cause, in the table's order.
pub fn all() -> impl Iterator<Item = PullCause> {
    RULES.iter().map(|rule| rule.cause)
}

/// The cause `text` names, if any phrase of the table is in it.
pub fn classify(text: &str) -> Option<PullCause> {
    let lower = text.to_ascii_lowercase();
    RULES
        .iter()
        .find(|rule| rule.phrases.iter().any(|p| lower.contains(p)))
        .map(|rule| rule.cause)
}

/// The host a runtime contacts for `image`, as in its errors and its per-registry config
/// (`certs.d/HOST`): the first path component when it looks like a host (has a `.` or `:`, or
/// is `localhost`), else Docker Hub, whose API host is `registry-1.docker.io`.
pub fn registry_host(image: &str) -> String {
    let image = image.trim();
    let host = image
        .split_once('/')
        .map(|(first, _)| first)
        .filter(|first| first.contains(['.', ':']) || *first == "localhost");
    match host {
        None | Some("docker.io" | "index.docker.io") => "registry-1.docker.io".into(),
        Some(host) => host.to_owned(),
    }
}

/// The image without its tag or digest, for listing tags (`registry/app:1.2` → `registry/app`).
pub fn repository(image: &str) -> &str {
    let image = image.split_once('@').map_or(image, |(name, _)| name);
    match image.rfind(':') {
        Some(colon) if !image[colon..].contains('/') => &image[..colon],
        _ => image,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real messages: the Huawei CCE FAQ's image-pull table, the kubelet's own wording
    /// (pkg/kubelet/images), containerd's CRI and resolver errors, CRI-O's and Docker's.
    #[test]
    fn real_messages_classify() {
        let cases: &[(&str, PullCause)] = &[
            // kubelet, InvalidImageName
            (
                r#"Failed to apply default image tag "Registry.example.com/App:1.0": couldn't parse image reference "Registry.example.com/App:1.0": invalid reference format: repository name must be lowercase"#,
                PullCause::InvalidName,
            ),
            // kubelet, ErrImageNeverPull
            (
                r#"Container image "registry.example.com/app:1.0" is not present with pull policy of Never"#,
                PullCause::NeverPull,
            ),
            // FAQ: Docker Hub rate limit
            (
                "ERROR: toomanyrequests: Too Many Requests.",
                PullCause::RateLimited,
            ),
            (
                r#"failed to pull and unpack image "docker.io/library/nginx:1.25": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/manifests/sha256:0d17b565: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit"#,
                PullCause::RateLimited,
            ),
            // FAQ: private CA
            (
                r#"Failed to pull image "harbor.example.com/app/web:1.0": rpc error: code = Unknown desc = error pulling image configuration: Get https://production.cloudflare.docker.com/registry-v2/docker/registry/v2/blobs/sha256/ab: x509: certificate signed by unknown authority"#,
                PullCause::UntrustedCertificate,
            ),
            (
                r#"failed to pull and unpack image "harbor.example.com/app/web:1.0": failed to resolve reference "harbor.example.com/app/web:1.0": failed to do request: Head "https://harbor.example.com/v2/app/web/manifests/1.0": tls: failed to verify certificate: x509: certificate signed by unknown authority"#,
                PullCause::UntrustedCertificate,
            ),
            // Docker, containerd, CRI-O: no build for the platform
            (
                "Error response from daemon: no matching manifest for linux/arm64/v8 in the manifest list entries",
                PullCause::NoPlatform,
            ),
            (
                r#"rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/app:1.0": no match for platform in manifest: not found"#,
                PullCause::NoPlatform,
            ),
            (
                r#"rpc error: code = Unknown desc = choosing image instance: no image found in manifest list for architecture "arm64", variant "v8", OS "linux""#,
                PullCause::NoPlatform,
            ),
            // FAQ: disk full
            (
                r#"Failed create pod sandbox: rpc error: code = Unknown desc = failed to create a sandbox for pod "nginx-6dc48bf8b6-l8xrw": Error response from daemon: mkdir xxxx: no space left on device"#,
                PullCause::DiskFull,
            ),
            (
                r#"failed to pull and unpack image "docker.io/library/postgres:16": failed to extract layer sha256:5d6b: write /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/48/fs/usr/lib/x.so: no space left on device: unknown"#,
                PullCause::DiskFull,
            ),
            // FAQ: DNS
            (
                r#"Failed to pull image "nginx:v1.1": rpc error: code = Unknown desc = Error response from daemon: Get https://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io: no such host"#,
                PullCause::NotResolved,
            ),
            (
                r#"failed to resolve reference "registry.internal:5000/app:1.0": failed to do request: Head "https://registry.internal:5000/v2/app/manifests/1.0": dial tcp: lookup registry.internal on 10.96.0.10:53: server misbehaving"#,
                PullCause::NotResolved,
            ),
            // FAQ: no route to the registry
            (
                r#"Failed to pull image "docker.io/bitnami/nginx:1.22.0-debian-11-r3": rpc error: code = Unknown desc = Error response from daemon: Get https://registry-1.docker.io/v2/: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)"#,
                PullCause::Unreachable,
            ),
            (
                r#"failed to do request: Head "https://registry.example.com/v2/app/manifests/1.0": dial tcp 10.0.0.9:443: i/o timeout"#,
                PullCause::Unreachable,
            ),
            (
                r#"failed to do request: Head "https://registry.example.com/v2/app/manifests/1.0": dial tcp 10.0.0.9:443: connect: connection refused"#,
                PullCause::Unreachable,
            ),
            // FAQ: large image
            (
                r#"Failed to pull image "XXX": rpc error: code = Unknown desc = context canceled"#,
                PullCause::Timeout,
            ),
            (
                r#"rpc error: code = Canceled desc = failed to pull and unpack image "registry.example.com/ml/trainer:2.1": context canceled"#,
                PullCause::Timeout,
            ),
            // FAQ: not logged in
            (
                r#"Failed to pull image "xxx": rpc error: code = Unknown desc = Error response from daemon: Get xxx: denied: You may not login yet"#,
                PullCause::Unauthorized,
            ),
            (
                r#"failed to pull and unpack image "registry.example.com/team/app:1.0": failed to resolve reference "registry.example.com/team/app:1.0": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://registry.example.com/service/token?scope=repository%3Ateam%2Fapp%3Apull&service=harbor-registry: 401 Unauthorized"#,
                PullCause::Unauthorized,
            ),
            (
                r#"failed to pull and unpack image "docker.io/acme/private:1.0": failed to resolve reference "docker.io/acme/private:1.0": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"#,
                PullCause::Unauthorized,
            ),
            (
                "Auth is empty, only accept X-Auth-Token or Authorization",
                PullCause::Unauthorized,
            ),
            // containerd and Docker: tag or repository not found
            (
                r#"rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.99.99": failed to resolve reference "docker.io/library/nginx:1.99.99": docker.io/library/nginx:1.99.99: not found"#,
                PullCause::NotFound,
            ),
            (
                "Error response from daemon: manifest for nginx:1.99.99 not found: manifest unknown: manifest unknown",
                PullCause::NotFound,
            ),
        ];
        for (text, cause) in cases {
            assert_eq!(classify(text), Some(*cause), "{text}");
        }
    }

    #[test]
    fn back_off_alone_names_no_cause() {
        assert_eq!(
            classify(r#"Back-off pulling image "registry.example.com/app:1.0""#),
            None
        );
        assert_eq!(classify(""), None);
    }

    #[test]
    fn registry_hosts() {
        for (image, host) in [
            ("nginx", "registry-1.docker.io"),
            ("nginx:1.25", "registry-1.docker.io"),
            ("bitnami/nginx:1.22", "registry-1.docker.io"),
            ("docker.io/library/nginx:1.25", "registry-1.docker.io"),
            ("harbor.example.com/app/web:1.0", "harbor.example.com"),
            ("registry.internal:5000/app", "registry.internal:5000"),
            ("localhost/app:dev", "localhost"),
            ("ghcr.io/org/app@sha256:abc", "ghcr.io"),
        ] {
            assert_eq!(registry_host(image), host, "{image}");
        }
    }

    #[test]
    fn repositories() {
        assert_eq!(repository("registry/app:1.2"), "registry/app");
        assert_eq!(
            repository("registry.internal:5000/app"),
            "registry.internal:5000/app"
        );
        assert_eq!(repository("ghcr.io/org/app@sha256:abc"), "ghcr.io/org/app");
        assert_eq!(repository("nginx"), "nginx");
    }
}
