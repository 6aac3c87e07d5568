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
    /// The API server could not be reached, in kubectl's own words (`The connection to the
    /// server … was refused`, `Unable to connect to the server …`): a line of its own, printed
    /// without the `error:` prefix, as kubectl prints it.
    #[error("{0}")]
    Connect(String),
    /// The API server stopped answering mid-request, or a credential plugin did not answer in
    /// time: the same exit code as [`Error::Connect`], printed after `error:`.
    #[error("{0}")]
    Unreachable(String),
    /// No usable credentials: the exec/auth plugin failed or produced nothing (the server's own
    /// 401 stays an [`Error::Api`] and maps to the same exit code). Never holds a credential.
    #[error("{0}")]
    Unauthenticated(String),
    /// Loading the kubeconfig or building the client failed.
    #[error("error loading kubeconfig: {0}")]
    Config(String),
    /// No cluster configured: no kubeconfig file where one was looked for, or an empty one. The
    /// text names the files; exits like an unreachable server, since there is none to reach.
    #[error("{0}")]
    NoKubeconfig(String),
    /// A fix would remove a protection that still protects something. `override_flag` is empty
    /// when no flag may waive the refusal (the message then says what to do instead).
    #[error("refusing: {message}{}", override_clause(.override_flag))]
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

/// How a refusal names its override, if it has one.
fn override_clause(flag: &str) -> String {
    if flag.is_empty() {
        String::new()
    } else {
        format!(" (override with {flag} if you are sure)")
    }
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
            Error::Connect(_) | Error::Unreachable(_) | Error::NoKubeconfig(_) => Exit::Unreachable,
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
            Error::NoKubeconfig(_) => Some(
                "choose a kubeconfig with --kubeconfig PATH or KUBECONFIG=PATH[:PATH...], or create ~/.kube/config (your cluster's provider has a command that writes it)".into(),
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

    /// Whether this error ended output early because the reader went away (`| head`): an I/O
    /// error of kind `BrokenPipe` anywhere in its chain of sources.
    pub fn is_broken_pipe(&self) -> bool {
        io_kind(self) == Some(std::io::ErrorKind::BrokenPipe)
    }

    /// How `main` prints it: server answers and kubectl's connection lines stand alone (they
    /// already say what they are), everything else follows kubectl's `error: ` prefix.
    pub fn kubectl_line(&self) -> String {
        match self {
            Error::Api(_) | Error::NotFound(_) | Error::Connect(_) => self.to_string(),
            _ => format!("error: {self}"),
        }
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

/// The first I/O error kind in `err`'s chain of sources (itself included): what the operating
/// system said, which hyper and rustls wrap at varying depths.
fn io_kind(err: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        current = e.source();
    }
    None
}

/// What went wrong on the wire, as far as the operating system's error kind tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Refused,
    TimedOut,
    Lost,
    /// No telling I/O error kind: decided from the chain's text (rustls and hyper describe
    /// certificate and protocol failures only in words).
    Unknown,
}

impl Transport {
    fn of(kind: Option<std::io::ErrorKind>) -> Transport {
        use std::io::ErrorKind as K;
        match kind {
            Some(K::ConnectionRefused) => Transport::Refused,
            Some(K::TimedOut) => Transport::TimedOut,
            Some(K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof) => {
                Transport::Lost
            }
            _ => Transport::Unknown,
        }
    }
}

/// Connection-level failures, phrased like kubectl's so they are recognisable.
fn transport_error(err: &kube::Error) -> Error {
    let serde = matches!(err, kube::Error::SerdeError(_));
    describe_transport(Transport::of(io_kind(err)), &chain(err), server(), serde)
}

/// A transport failure in kubectl's words: from the I/O error kind found in the chain when there
/// is one, else from the chain's text.
fn describe_transport(kind: Transport, detail: &str, server: &str, serde: bool) -> Error {
    let lower = detail.to_lowercase();
    let has =
        |needles: &[&str]| kind == Transport::Unknown && needles.iter().any(|n| lower.contains(n));
    if kind == Transport::Refused || has(&["connection refused"]) {
        Error::Connect(format!(
            "The connection to the server {server} was refused - did you specify the right host or port?"
        ))
    } else if kind == Transport::TimedOut || has(&["timed out", "elapsed", "timeout"]) {
        Error::Connect(format!(
            "Unable to connect to the server {server}: timed out (raise --request-timeout if the server is just slow)"
        ))
    } else if kind == Transport::Lost
        || has(&[
            "close_notify",
            "connection reset",
            "connection closed",
            "broken pipe",
            "unexpected eof",
        ])
    {
        // Checked before the TLS words: a server that dies mid-request makes rustls complain
        // about the missing close_notify, which is not a certificate problem.
        Error::Unreachable(format!(
            "Lost the connection to the server {server} mid-request (it closed the connection or restarted): {detail}"
        ))
    } else if has(&["certificate", "tls", "invalidcert"]) {
        // Which roots were trusted is usually the fix (a kubeconfig without a CA, a stale one).
        let trusted = crate::client::trust().map_or(String::new(), |t| format!(" ({t})"));
        Error::Connect(format!(
            "Unable to connect to the server {server}: TLS verification failed: {detail}{trusted}"
        ))
    } else if serde {
        Error::Other(format!("unexpected response from {server}: {detail}"))
    } else {
        Error::Connect(format!(
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
mod tests;
