//! `--wait`: watch the namespaces until they are gone (or the timeout passes), so the user learns
//! whether the fix worked without polling `kubectl get ns` by hand.

use std::time::{Duration, Instant};

use firstaid::concurrency::with_retry;
use firstaid::k8s_openapi::api::core::v1::Namespace;
use firstaid::kube::Client;
use firstaid::kube::api::{Api, WatchEvent, WatchParams};
use firstaid::progress::Progress;
use firstaid::{Error, Result};
use futures::StreamExt;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitResult {
    pub namespace: String,
    pub gone: bool,
    pub seconds: f64,
}

async fn read(api: &Api<Namespace>, name: &str) -> Result<Option<Namespace>> {
    with_retry(|| async { api.get_opt(name).await.map_err(Error::from) }).await
}

/// Waits until `name` no longer exists. `Ok(false)` on timeout.
async fn until_gone(api: &Api<Namespace>, name: &str, deadline: Instant) -> Result<bool> {
    loop {
        let Some(ns) = read(api, name).await? else {
            return Ok(true);
        };
        let version = ns.metadata.resource_version.clone().unwrap_or_default();
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        let params = WatchParams::default()
            .fields(&format!("metadata.name={name}"))
            .timeout(u32::try_from(left.as_secs().clamp(1, 290)).unwrap_or(290));
        let stream = api.watch(&params, &version).await.map_err(Error::from)?;
        let mut stream = std::pin::pin!(stream);
        let outcome = tokio::time::timeout(left, async {
            while let Some(event) = stream.next().await {
                match event {
                    Ok(WatchEvent::Deleted(_)) => return Some(true),
                    // Expired resourceVersion or a stream error: read again and re-watch.
                    Ok(WatchEvent::Error(_)) | Err(_) => return None,
                    Ok(_) => {}
                }
            }
            None
        })
        .await;
        match outcome {
            Ok(Some(true)) => return Ok(true),
            Err(_) => return Ok(read(api, name).await?.is_none()),
            Ok(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

pub async fn wait(
    client: &Client,
    names: &[String],
    timeout: Duration,
    show_spinner: bool,
) -> Result<Vec<WaitResult>> {
    let api: Api<Namespace> = Api::all(client.clone());
    let started = Instant::now();
    let deadline = started + timeout;
    let spinner = Progress::spinner(
        &format!("waiting for namespace(s) {} to go away", names.join(", ")),
        show_spinner,
    );
    let results = futures::future::join_all(names.iter().map(|name| {
        let api = &api;
        async move {
            let gone = until_gone(api, name, deadline).await?;
            Ok::<_, Error>(WaitResult {
                namespace: name.clone(),
                gone,
                seconds: started.elapsed().as_secs_f64(),
            })
        }
    }))
    .await;
    spinner.finish();
    results.into_iter().collect()
}
