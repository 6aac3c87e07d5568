//! Many API calls at once, politely: a bound on how many are in flight, the server's 429
//! `Retry-After` honoured instead of hammered, and Ctrl-C stopping new work without abandoning
//! what is already in flight.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;
use futures::{StreamExt, stream};

use crate::error::{Error, Result};

/// Requests in flight at once unless `--concurrency` says otherwise. Enough to keep a loopback or
/// LAN apiserver busy without tripping its default max-inflight limits (400 read / 200 mutating).
pub const DEFAULT_CONCURRENCY: usize = 32;

/// How many times one call is retried after 429 before it is counted as failed: a call that is
/// throttled every time is sent `1 + MAX_THROTTLE_RETRIES` = 21 times, waiting as long as the
/// server asks (at most [`MAX_RETRY_AFTER`]) between tries.
pub const MAX_THROTTLE_RETRIES: u32 = 20;

/// Longest single wait we accept from a Retry-After (protects against absurd values).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

#[derive(Args, Debug, Clone, Copy)]
pub struct ConcurrencyArgs {
    /// Maximum API requests in flight at once
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY, value_parser = parse_concurrency)]
    pub concurrency: usize,
}

fn parse_concurrency(text: &str) -> std::result::Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err(format!("{text:?} is not a number from 1 to 1024")),
    }
}

impl Default for ConcurrencyArgs {
    fn default() -> Self {
        ConcurrencyArgs {
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// Runs `call` again while the server answers 429, sleeping as long as it asks each time (and
/// on a 503 that carries a Retry-After: the API server's own "come back later").
///
/// This is the only retry layer: `KubeArgs::connect` turns kube's built-in one (429/503/504,
/// up to 15 retries with backoff up to 1000 s) off. Nested, the two multiplied — a call
/// throttled every time went out 16 × 21 = 336 times — and kube's retried every aggregated
/// API's 503 although that 503 means "the backend is down" (see [`with_throttle_retry`]).
/// Ours is per call, so each call site says which answers are worth waiting for, and it is
/// bounded: [`MAX_THROTTLE_RETRIES`] retries, each wait at most [`MAX_RETRY_AFTER`].
///
/// The wait is the Status body's `retryAfterSeconds`; when the server sends only the
/// `Retry-After` header (kube-apiserver's max-in-flight filter answers a plain-text 429 with
/// `Retry-After: 1`, and kube's client keeps the status code but not the headers) it is 1 s.
pub async fn with_retry<T, F, Fut>(call: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    retry_while(call, Error::retry_after).await
}

/// Like [`with_retry`], but only for 429. For aggregated APIs (metrics.k8s.io) a 503 with a
/// Retry-After means the backend is down: waiting on it would stall the whole command for the
/// length of the outage instead of showing everything else at once.
pub async fn with_throttle_retry<T, F, Fut>(call: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    retry_while(call, |err| {
        err.status()
            .is_some_and(|s| s.code == 429)
            .then(|| err.retry_after())
            .flatten()
    })
    .await
}

async fn retry_while<T, F, Fut>(
    mut call: F,
    wait_for: impl Fn(&Error) -> Option<Duration>,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Err(err) if attempt < MAX_THROTTLE_RETRIES => match wait_for(&err) {
                Some(wait) => {
                    attempt += 1;
                    tokio::time::sleep(wait.min(MAX_RETRY_AFTER)).await;
                }
                None => return Err(err),
            },
            other => return other,
        }
    }
}

/// Runs `work` over `items` with at most `limit` in flight, returning results in completion
/// order. Items not started when `cancel` fires are returned as `None`.
pub async fn bounded<I, T, R, F, Fut>(
    items: I,
    limit: usize,
    cancel: &Cancel,
    work: F,
) -> Vec<(T, Option<R>)>
where
    I: IntoIterator<Item = T>,
    T: Clone,
    F: Fn(T) -> Fut,
    Fut: Future<Output = R>,
{
    let work = &work;
    stream::iter(items)
        .map(|item| async move {
            if cancel.is_cancelled() {
                return (item, None);
            }
            let result = work(item.clone()).await;
            (item, Some(result))
        })
        .buffer_unordered(limit.max(1))
        .collect()
        .await
}

/// Set by Ctrl-C; long operations check it before starting each new request.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// Listens for Ctrl-C: the first stops new work, a second one exits at once.
    pub fn on_ctrl_c() -> Self {
        let cancel = Cancel::default();
        let flag = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                flag.cancel();
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        });
        cancel
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Interrupted("stopped on Ctrl-C".into()))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;
    use kube::core::response::StatusDetails;
    use std::sync::atomic::AtomicUsize;

    fn throttled() -> Error {
        Error::Api(Box::new(
            Status::failure("too many requests", "TooManyRequests")
                .with_code(429)
                .with_details(
                    serde_json::from_value::<StatusDetails>(
                        serde_json::json!({"retryAfterSeconds": 1}),
                    )
                    .expect("details"),
                ),
        ))
    }

    #[tokio::test(start_paused = true)]
    async fn retries_429_after_the_servers_delay() {
        let calls = AtomicUsize::new(0);
        let started = tokio::time::Instant::now();
        let result = with_retry(|| async {
            if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                Err(throttled())
            } else {
                Ok(7)
            }
        })
        .await;
        assert_eq!(result.ok(), Some(7));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(started.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_the_limit_and_not_on_other_errors() {
        let calls = AtomicUsize::new(0);
        let result: Result<()> = with_retry(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(throttled())
        })
        .await;
        assert!(result.is_err());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            MAX_THROTTLE_RETRIES as usize + 1
        );

        let calls = AtomicUsize::new(0);
        let result: Result<()> = with_retry(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Error::Other("boom".into()))
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn throttle_retry_waits_on_429_but_not_on_a_503_backend_outage() {
        let unavailable = || {
            Error::Api(Box::new(
                Status::failure("service unavailable", "ServiceUnavailable")
                    .with_code(503)
                    .with_details(
                        serde_json::from_value::<StatusDetails>(
                            serde_json::json!({"retryAfterSeconds": 5}),
                        )
                        .expect("details"),
                    ),
            ))
        };
        let calls = AtomicUsize::new(0);
        let result: Result<()> = with_throttle_retry(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(unavailable())
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1, "a 503 is not waited on");

        let calls = AtomicUsize::new(0);
        let result = with_throttle_retry(|| async {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                Err(throttled())
            } else {
                Ok(1)
            }
        })
        .await;
        assert_eq!(result.ok(), Some(1));
        assert_eq!(calls.load(Ordering::SeqCst), 2, "a 429 is");
    }

    #[tokio::test]
    async fn bounded_respects_the_limit_and_cancel() {
        let in_flight = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let cancel = Cancel::default();
        let results = bounded(0..50, 4, &cancel, |i| {
            let (in_flight, peak) = (&in_flight, &peak);
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::task::yield_now().await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                i * 2
            }
        })
        .await;
        assert_eq!(results.len(), 50);
        assert!(peak.load(Ordering::SeqCst) <= 4);

        cancel.cancel();
        let results = bounded(0..5, 2, &cancel, |i| async move { i }).await;
        assert!(results.iter().all(|(_, r)| r.is_none()));
    }
}

/// The client `KubeArgs::connect` builds, against a server that answers 503 without a
/// Retry-After: kube's own retry layer would send the request 16 times; with ours the only one,
/// it goes out once (ours waits only when the server says how long).
#[cfg(test)]
mod one_retry_layer {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::Api;

    use super::with_retry;
    use crate::error::Error;
    use crate::kubeargs::KubeArgs;

    /// Answers every request 503 and counts the requests.
    fn unavailable_server() -> (u16, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if line == "\r\n" {
                        counted.fetch_add(1, Ordering::SeqCst);
                        let body = "unavailable";
                        let _ = write!(
                            stream,
                            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                    }
                }
            }
        });
        (port, requests)
    }

    #[tokio::test]
    async fn a_503_without_retry_after_is_sent_once() {
        let (port, requests) = unavailable_server();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kubeconfig");
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:{port}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user: {{}}\n"
            ),
        )
        .expect("kubeconfig");
        let args = KubeArgs {
            kubeconfig: Some(path),
            ..KubeArgs::default()
        };
        let kube = args.connect().await.expect("client");
        let api: Api<ConfigMap> = Api::namespaced(kube.client.clone(), "default");
        let result = with_retry(|| async { api.get("x").await.map_err(Error::from) }).await;
        assert!(result.is_err());
        assert_eq!(requests.load(Ordering::SeqCst), 1);
    }
}
