//! The reads behind a pull verdict's secret lines: which imagePullSecrets a pod's
//! ServiceAccount lists, and whether each named Secret exists.
//!
//! Secrets are read metadata-only (`PartialObjectMeta`): their data never leaves the API server,
//! and a user allowed only to list secret names still gets the answer. Each ServiceAccount and
//! each Secret is read once however many pods share it, so a scan of 37 pods that cannot pull
//! makes a handful of requests.

use std::collections::{BTreeMap, BTreeSet};

use firstaid::concurrency::{Cancel, bounded, with_retry};
use firstaid::kube::Client;
use firstaid::kube::api::Api;
use firstaid::{Error, Result};
use k8s_openapi::api::core::v1::{Secret, ServiceAccount};

use crate::facts::{PodFacts, State};
use crate::fetch::{PodEvidence, fatal, why};

const CONCURRENCY: usize = 8;

type Key = (String, String);

/// Whether a container of the pod waits on an image it cannot pull.
fn pulling(evidence: &PodEvidence) -> bool {
    evidence.containers.iter().any(|c| {
        matches!(&c.state, State::Waiting { reason: Some(r), .. } if crate::pull::REASONS.contains(&r.as_str()))
    })
}

/// Fills [`PodFacts::pull_secrets`] of every pod that cannot pull its image.
pub async fn fill(client: &Client, pods: &mut [PodEvidence], cancel: &Cancel) -> Result<()> {
    let wanted: Vec<usize> = (0..pods.len()).filter(|i| pulling(&pods[*i])).collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let accounts: BTreeSet<Key> = wanted
        .iter()
        .map(|i| {
            let p = &pods[*i].pod;
            (p.namespace.clone(), p.pull_secrets.service_account.clone())
        })
        .collect();
    let accounts = read_accounts(client, accounts, cancel).await?;
    for i in &wanted {
        let pod = &mut pods[*i].pod;
        let key = (
            pod.namespace.clone(),
            pod.pull_secrets.service_account.clone(),
        );
        match accounts.get(&key) {
            Some(Ok(names)) => pod.pull_secrets.service_account_secrets = Some(names.clone()),
            Some(Err(why)) => pod.pull_secrets.unreadable = Some(why.clone()),
            None => {}
        }
    }
    let names: BTreeSet<Key> = wanted
        .iter()
        .flat_map(|i| secret_keys(&pods[*i].pod))
        .collect();
    let exists = read_secrets(client, names, cancel).await?;
    for i in wanted {
        let pod = &mut pods[i].pod;
        for name in secret_keys(pod) {
            match exists.get(&name) {
                Some(Ok(found)) => {
                    pod.pull_secrets.exists.insert(name.1, *found);
                }
                Some(Err(why)) => {
                    pod.pull_secrets
                        .unreadable
                        .get_or_insert_with(|| format!("secrets: {why}"));
                }
                None => {}
            }
        }
    }
    Ok(())
}

fn secret_keys(pod: &PodFacts) -> Vec<Key> {
    pod.pull_secrets
        .names()
        .into_iter()
        .map(|n| (pod.namespace.clone(), n.to_owned()))
        .collect()
}

/// (namespace, ServiceAccount) → its imagePullSecrets, or why they are unknown.
async fn read_accounts(
    client: &Client,
    keys: BTreeSet<Key>,
    cancel: &Cancel,
) -> Result<Read<Vec<String>>> {
    let read = |(ns, name): Key| async move {
        let api: Api<ServiceAccount> = Api::namespaced(client.clone(), &ns);
        with_retry(|| async { api.get_opt(&name).await.map_err(Error::from) }).await
    };
    read_each(keys, cancel, read, |found| match found {
        Some(sa) => Ok(sa
            .image_pull_secrets
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.name)
            .filter(|n| !n.is_empty())
            .collect()),
        None => Err("it does not exist".to_owned()),
    })
    .await
}

/// (namespace, Secret) → whether it exists, or why that is unknown.
async fn read_secrets(client: &Client, keys: BTreeSet<Key>, cancel: &Cancel) -> Result<Read<bool>> {
    let read = |(ns, name): Key| async move {
        let api: Api<Secret> = Api::namespaced(client.clone(), &ns);
        with_retry(|| async { api.get_metadata_opt(&name).await.map_err(Error::from) }).await
    };
    read_each(keys, cancel, read, |found| Ok(found.is_some())).await
}

/// Per key, what was learnt, or why nothing was.
type Read<V> = BTreeMap<Key, std::result::Result<V, String>>;

/// Reads every key (bounded); a failure that does not end the command becomes that key's reason.
async fn read_each<T, V, F, Fut>(
    keys: BTreeSet<Key>,
    cancel: &Cancel,
    read: F,
    value: impl Fn(T) -> std::result::Result<V, String>,
) -> Result<Read<V>>
where
    F: Fn(Key) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut out = BTreeMap::new();
    for (key, result) in bounded(keys, CONCURRENCY, cancel, read).await {
        cancel.check()?;
        let Some(result) = result else { continue };
        let value = match result {
            Ok(found) => value(found),
            Err(e) if fatal(&e) => return Err(e),
            Err(e) => Err(why(&e)),
        };
        out.insert(key, value);
    }
    Ok(out)
}
