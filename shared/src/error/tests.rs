//! How errors read and which exit code they give.

use super::*;
use kube::core::response::StatusDetails;

fn status(code: u16, reason: &str, message: &str) -> Error {
    Error::Api(Box::new(Status::failure(message, reason).with_code(code)))
}

#[test]
fn a_dropped_connection_is_not_called_a_tls_failure() {
    let server = "https://127.0.0.1:6443";
    let said =
        |detail: &str| describe_transport(Transport::Unknown, detail, server, false).to_string();
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
        describe_transport(
            Transport::Unknown,
            "connection reset by peer",
            server,
            false
        ),
        Error::Unreachable(_)
    ));
}

#[test]
fn the_io_error_kind_in_the_chain_decides_over_the_text() {
    #[derive(Debug, thiserror::Error)]
    #[error("client error (Connect)")]
    struct Wrapper(#[source] std::io::Error);
    let refused = Wrapper(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
    assert_eq!(Transport::of(io_kind(&refused)), Transport::Refused);
    assert_eq!(
        Transport::of(io_kind(&Wrapper(std::io::Error::other("x")))),
        Transport::Unknown
    );
    let server = "https://127.0.0.1:6443";
    // Words that would read as a TLS failure, but the socket said the peer reset it.
    let lost = describe_transport(Transport::Lost, "tls handshake eof", server, false);
    assert!(
        lost.to_string().starts_with("Lost the connection"),
        "{lost}"
    );
    let timed_out = describe_transport(Transport::TimedOut, "operation failed", server, false);
    assert!(timed_out.to_string().contains("timed out"), "{timed_out}");
}

/// Server answers and kubectl's connection lines print as they are; everything else gets
/// kubectl's `error: ` prefix — decided by the variant, never by the text.
#[test]
fn the_printed_line_follows_the_variant() {
    let connect = Error::Connect("The connection to the server x was refused".into());
    assert_eq!(
        connect.kubectl_line(),
        "The connection to the server x was refused"
    );
    assert_eq!(connect.exit(), Exit::Unreachable);
    let lost = Error::Unreachable("Lost the connection to the server x".into());
    assert_eq!(
        lost.kubectl_line(),
        "error: Lost the connection to the server x"
    );
    assert_eq!(lost.exit(), Exit::Unreachable);
    let api = status(404, "NotFound", "pods \"x\" not found");
    assert_eq!(api.kubectl_line(), api.to_string());
    // Text that merely looks like a connection line still gets the prefix.
    let other = Error::Other("Unable to connect, said a plugin".into());
    assert_eq!(
        other.kubectl_line(),
        "error: Unable to connect, said a plugin"
    );
}

#[test]
fn a_broken_pipe_is_found_in_the_chain() {
    let pipe = Error::io("writing output", std::io::ErrorKind::BrokenPipe.into());
    assert!(pipe.is_broken_pipe());
    assert!(!Error::io("writing output", std::io::ErrorKind::Other.into()).is_broken_pipe());
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
