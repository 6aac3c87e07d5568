//! One error type for every plugin, rendered the way kubectl users already read errors.
//!
//! API failures keep the server's `Status` so the message reads like kubectl's
//! (`Error from server (Forbidden): … cannot patch resource "namespaces/finalize" …`) and so the
//! exit code can tell "forbidden" from "not found" from "unreachable" without string matching.

use std::sync::OnceLock;
use std::time::Duration;

use kube::core::Status;

use crate::exit::Exit;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The API server URL, recorded once the client is built, so connection errors can name it the
/// way kubectl does without threading the URL through every call.
static SERVER: OnceLock<String> = OnceLock::new();

pub(crate) fn set_server(url: &str) {
    let _ = SERVER.set(url.trim_end_matches('/').to_owned());
}

fn server() -> &'static str {
    SERVER.get().map_or("the API server", String::as_str)
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A bad argument that clap could not catch (a malformed CIDR, an exit code that is not a number).
    #[error("{0}")]
    Usage(String),
    /// A named object does not exist; the text already says which, kubectl style.
    #[error("{0}")]
    NotFound(String),
    /// The API server answered with a failure status.
    #[error("Error from server ({}): {}", reason_of(.0), .0.message)]
    Api(Box<Status>),
    /// The API server could not be reached or did not answer in time.
    #[error("{0}")]
    Unreachable(String),
    /// No usable credentials: the exec/auth plugin failed or produced nothing (the server's own
    /// 401 stays an [`Error::Api`] and maps to the same exit code). Never holds a credential.
    #[error("{0}")]
    Unauthenticated(String),
    /// Loading the kubeconfig or building the client failed.
    #[error("error loading kubeconfig: {0}")]
    Config(String),
    /// A fix would remove a protection that still protects something.
    #[error("refusing: {message} (override with {override_flag} if you are sure)")]
    Unsafe {
        message: String,
        override_flag: String,
    },
    /// The change was not confirmed.
    #[error("{0}")]
    NotConfirmed(String),
    /// Part of a plan failed; the report already told the details.
    #[error("{0}")]
    Partial(String),
    /// A concurrent writer kept changing an object.
    #[error("{0}")]
    Conflict(String),
    /// Ctrl-C.
    #[error("interrupted: {0}")]
    Interrupted(String),
    /// Local I/O (backups, output).
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

fn reason_of(status: &Status) -> &str {
    if status.reason.is_empty() {
        match status.code {
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            409 => "Conflict",
            429 => "TooManyRequests",
            503 => "ServiceUnavailable",
            _ => "InternalError",
        }
    } else {
        &status.reason
    }
}

impl Error {
    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage(_) => Exit::Usage,
            Error::NotFound(_) => Exit::NotFound,
            Error::Api(s) => match s.code {
                401 => Exit::Unauthenticated,
                403 => Exit::Forbidden,
                404 => Exit::NotFound,
                409 => Exit::Conflict,
                _ => Exit::Error,
            },
            Error::Unreachable(_) => Exit::Unreachable,
            Error::Unauthenticated(_) => Exit::Unauthenticated,
            Error::Unsafe { .. } => Exit::Unsafe,
            Error::NotConfirmed(_) => Exit::NotConfirmed,
            Error::Partial(_) => Exit::Partial,
            Error::Conflict(_) => Exit::Conflict,
            Error::Interrupted(_) => Exit::Interrupted,
            Error::Config(_) | Error::Io { .. } | Error::Other(_) => Exit::Error,
        }
    }

    /// A next step for the user, where one is known.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Api(s) if s.code == 401 => Some(
                "the server rejected your credentials: log in again or refresh the kubeconfig user (expired token?)".into(),
            ),
            Error::Unauthenticated(_) => Some(
                "fix the credentials of the kubeconfig user: log in again, or check the exec plugin's own message above".into(),
            ),
            Error::Api(s) if s.code == 403 => Some(
                "ask a cluster admin for that permission, or check with `kubectl auth can-i`".into(),
            ),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<&Status> {
        match self {
            Error::Api(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status().is_some_and(|s| s.code == 404)
    }

    pub fn is_forbidden(&self) -> bool {
        self.status().is_some_and(|s| s.code == 403)
    }

    /// 409, or a JSON-patch `test` op that failed (422 with "test failed"): the object moved on.
    pub fn is_conflict(&self) -> bool {
        self.status()
            .is_some_and(|s| s.code == 409 || (s.code == 422 && s.message.contains("test failed")))
    }

    /// How long the server asked us to wait, for 429 (and 503 with a Retry-After).
    pub fn retry_after(&self) -> Option<Duration> {
        let status = self.status()?;
        if status.code != 429 && status.code != 503 {
            return None;
        }
        let seconds = status.details.as_ref().map_or(0, |d| d.retry_after_seconds);
        match (status.code, seconds) {
            (429, 0) => Some(Duration::from_secs(1)),
            (_, 0) => None,
            (_, s) => Some(Duration::from_secs(u64::from(s))),
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// Builds the error kubectl prints for a missing object: `namespaces "x" not found`.
    pub fn not_found(resource: &str, name: &str) -> Self {
        Error::NotFound(format!(
            "Error from server (NotFound): {resource} \"{name}\" not found"
        ))
    }

    /// Whether this error ended output early because the reader went away (`| head`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

impl From<kube::Error> for Error {
    fn from(err: kube::Error) -> Self {
        match err {
            kube::Error::Api(status) => Error::Api(status),
            kube::Error::InferKubeconfig(e) => Error::Config(e.to_string()),
            kube::Error::InferConfig(e) => Error::Config(e.to_string()),
            kube::Error::Auth(e) => Error::Unauthenticated(format!(
                "getting credentials for {}: {}",
                server(),
                chain(&e)
            )),
            other => transport_error(&other),
        }
    }
}

/// Connection-level failures, phrased like kubectl's so they are recognisable.
fn transport_error(err: &kube::Error) -> Error {
    let serde = matches!(err, kube::Error::SerdeError(_));
    describe_transport(&chain(err), server(), serde)
}

/// A transport failure in kubectl's words, from the error chain's text (hyper and rustls give
/// nothing more structured across versions).
fn describe_transport(detail: &str, server: &str, serde: bool) -> Error {
    let lower = detail.to_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| lower.contains(n));
    if has(&["connection refused"]) {
        Error::Unreachable(format!(
            "The connection to the server {server} was refused - did you specify the right host or port?"
        ))
    } else if has(&["timed out", "elapsed", "timeout"]) {
        Error::Unreachable(format!(
            "Unable to connect to the server {server}: timed out (raise --request-timeout if the server is just slow)"
        ))
    } else if has(&[
        "close_notify",
        "connection reset",
        "connection closed",
        "broken pipe",
        "unexpected eof",
    ]) {
        // Checked before the TLS words: a server that dies mid-request makes rustls complain
        // about the missing close_notify, which is not a certificate problem.
        Error::Unreachable(format!(
            "Lost the connection to the server {server} mid-request (it closed the connection or restarted): {detail}"
        ))
    } else if has(&["certificate", "tls", "invalidcert"]) {
        // Which roots were trusted is usually the fix (a kubeconfig without a CA, a stale one).
        let trusted = crate::client::trust().map_or(String::new(), |t| format!(" ({t})"));
        Error::Unreachable(format!(
            "Unable to connect to the server {server}: TLS verification failed: {detail}{trusted}"
        ))
    } else if serde {
        Error::Other(format!("unexpected response from {server}: {detail}"))
    } else {
        Error::Unreachable(format!(
            "Unable to connect to the server {server}: {detail}"
        ))
    }
}

/// The error and its sources on one line (hyper hides the useful part two levels down).
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::response::StatusDetails;

    fn status(code: u16, reason: &str, message: &str) -> Error {
        Error::Api(Box::new(Status::failure(message, reason).with_code(code)))
    }

    #[test]
    fn a_dropped_connection_is_not_called_a_tls_failure() {
        let server = "https://127.0.0.1:6443";
        let said = |detail: &str| describe_transport(detail, server, false).to_string();
        let dropped = said(
            "client error (SendRequest): connection error: peer closed connection without sending TLS close_notify",
        );
        assert!(dropped.contains("Lost the connection"), "{dropped}");
        assert!(!dropped.contains("TLS verification"), "{dropped}");
        let cert = said("invalid peer certificate: NotValidForName");
        assert!(cert.contains("TLS verification failed"), "{cert}");
        let refused = said("tcp connect error: Connection refused (os error 111)");
        assert!(refused.contains("was refused"), "{refused}");
        assert!(matches!(
            describe_transport("connection reset by peer", server, false),
            Error::Unreachable(_)
        ));
    }

    #[test]
    fn api_errors_read_like_kubectl() {
        let err = status(
            403,
            "Forbidden",
            "namespaces \"rdbms\" is forbidden: User \"bob\" cannot update resource \"namespaces/finalize\" in API group \"\" at the cluster scope",
        );
        assert_eq!(
            err.to_string(),
            "Error from server (Forbidden): namespaces \"rdbms\" is forbidden: User \"bob\" cannot update resource \"namespaces/finalize\" in API group \"\" at the cluster scope"
        );
        assert_eq!(err.exit(), Exit::Forbidden);
        assert!(err.hint().is_some());
    }

    #[test]
    fn exit_codes_follow_status() {
        assert_eq!(status(404, "NotFound", "x").exit(), Exit::NotFound);
        assert_eq!(status(409, "Conflict", "x").exit(), Exit::Conflict);
        assert_eq!(status(500, "", "x").exit(), Exit::Error);
        assert_eq!(Error::Usage("x".into()).exit(), Exit::Usage);
    }

    /// 401 is authentication (log in again), 403 is authorization (ask for RBAC): different
    /// exit codes, because the fix a script or a person reaches for differs.
    #[test]
    fn unauthenticated_and_forbidden_are_distinct() {
        let unauthorized = status(401, "Unauthorized", "Unauthorized");
        assert_eq!(unauthorized.exit(), Exit::Unauthenticated);
        assert!(
            unauthorized
                .hint()
                .is_some_and(|h| h.contains("log in again"))
        );
        assert_eq!(status(403, "Forbidden", "x").exit(), Exit::Forbidden);
        assert_eq!(
            Error::Unauthenticated("exec plugin failed".into()).exit(),
            Exit::Unauthenticated
        );
        assert_eq!(Exit::Unauthenticated.code(), 10);
    }

    #[test]
    fn failed_json_patch_test_is_a_conflict() {
        assert!(
            status(
                422,
                "Invalid",
                "the server rejected our request: test failed"
            )
            .is_conflict()
        );
        assert!(!status(422, "Invalid", "spec.foo: Invalid value").is_conflict());
    }

    #[test]
    fn retry_after_comes_from_status_details() {
        let mut s = Status::failure("slow down", "TooManyRequests").with_code(429);
        assert_eq!(
            Error::Api(Box::new(s.clone())).retry_after(),
            Some(Duration::from_secs(1))
        );
        s = s.with_details(
            serde_json::from_value::<StatusDetails>(serde_json::json!({"retryAfterSeconds": 7}))
                .expect("details"),
        );
        assert_eq!(
            Error::Api(Box::new(s)).retry_after(),
            Some(Duration::from_secs(7))
        );
        assert_eq!(status(500, "", "x").retry_after(), None);
    }

    #[test]
    fn empty_reason_is_derived_from_code() {
        assert!(
            status(503, "", "down")
                .to_string()
                .starts_with("Error from server (ServiceUnavailable)")
        );
    }
}
