//! Reads every Validating- and MutatingWebhookConfiguration and the state of each webhook's
//! Service (exists? ready endpoints?). Never calls a webhook: a `url` backend stays unprobed.

use std::collections::BTreeMap;

use firstaid::concurrency::with_retry;
use firstaid::k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
};
use firstaid::k8s_openapi::api::core::v1::Service;
use firstaid::k8s_openapi::api::discovery::v1::EndpointSlice;
use firstaid::kube::api::{Api, ListParams};
use firstaid::kube::{Client, ResourceExt};
use firstaid::{Error, Result, pager};
use serde_json::Value;

use crate::webhooks::{Backend, BackendState, Webhook, WebhookSpec, address_of};

/// One configuration's webhooks as JSON (both kinds have the same fields that matter here).
struct Configuration {
    kind: &'static str,
    name: String,
    uid: String,
    webhooks: Vec<Value>,
}

fn configuration<K: ResourceExt>(
    kind: &'static str,
    object: &K,
    webhooks: Vec<Value>,
) -> Configuration {
    Configuration {
        kind,
        name: object.name_any(),
        uid: object.uid().unwrap_or_default(),
        webhooks,
    }
}

fn to_values<T: serde::Serialize>(hooks: Option<&Vec<T>>) -> Vec<Value> {
    hooks
        .into_iter()
        .flatten()
        .filter_map(|h| serde_json::to_value(h).ok())
        .collect()
}

/// Every admission webhook with its backend's state. `Err` when the configurations cannot be
/// listed (the diagnosis then says it could not look).
pub async fn webhooks(client: &Client) -> Result<Vec<Webhook>> {
    let all = ListParams::default();
    let validating: Api<ValidatingWebhookConfiguration> = Api::all(client.clone());
    let mutating: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
    let (v, m) = futures::join!(
        pager::list_all(&validating, &all),
        pager::list_all(&mutating, &all)
    );
    let mut configurations: Vec<Configuration> = v?
        .iter()
        .map(|c| {
            configuration(
                "ValidatingWebhookConfiguration",
                c,
                to_values(c.webhooks.as_ref()),
            )
        })
        .collect();
    configurations.extend(m?.iter().map(|c| {
        configuration(
            "MutatingWebhookConfiguration",
            c,
            to_values(c.webhooks.as_ref()),
        )
    }));
    let services: Vec<(String, String, String)> = configurations
        .iter()
        .flat_map(|c| &c.webhooks)
        .filter_map(|h| {
            let s = &h["clientConfig"]["service"];
            Some((
                address_of(&h["clientConfig"]),
                s["namespace"].as_str()?.to_owned(),
                s["name"].as_str()?.to_owned(),
            ))
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let states: BTreeMap<String, BackendState> =
        futures::future::join_all(services.into_iter().map(|(address, ns, name)| async move {
            (address, service_state(client, &ns, &name).await)
        }))
        .await
        .into_iter()
        .collect();
    Ok(configurations
        .iter()
        .flat_map(|c| c.webhooks.iter().map(|h| webhook(c, h, &states)))
        .collect())
}

fn webhook(c: &Configuration, hook: &Value, states: &BTreeMap<String, BackendState>) -> Webhook {
    let address = address_of(&hook["clientConfig"]);
    let backend = if hook["clientConfig"]["service"].is_object() {
        Backend::Service {
            state: states
                .get(&address)
                .cloned()
                .unwrap_or_else(|| BackendState::Unknown("not read".into())),
            service: address,
        }
    } else {
        Backend::Url { url: address }
    };
    Webhook {
        configuration_kind: c.kind.into(),
        configuration: c.name.clone(),
        configuration_uid: c.uid.clone(),
        name: hook["name"].as_str().unwrap_or_default().to_owned(),
        spec: serde_json::from_value::<WebhookSpec>(hook.clone()).unwrap_or_default(),
        backend,
    }
}

/// Whether the Service exists and any of its EndpointSlices has an endpoint that is not
/// reported unready (an unset `ready` means ready, as kube-proxy reads it).
async fn service_state(client: &Client, namespace: &str, name: &str) -> BackendState {
    let services: Api<Service> = Api::namespaced(client.clone(), namespace);
    let slices: Api<EndpointSlice> = Api::namespaced(client.clone(), namespace);
    let service = with_retry(|| async { services.get_opt(name).await.map_err(Error::from) }).await;
    match service {
        Err(e) => return BackendState::Unknown(e.to_string()),
        Ok(None) => return BackendState::ServiceMissing,
        Ok(Some(s)) if s.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("ExternalName") => {
            return BackendState::Unknown("an ExternalName Service, not probed".into());
        }
        Ok(Some(_)) => {}
    }
    let params = ListParams::default().labels(&format!("kubernetes.io/service-name={name}"));
    match pager::list_all(&slices, &params).await {
        Err(e) => BackendState::Unknown(e.to_string()),
        Ok(found) => {
            let ready = found
                .iter()
                .flat_map(|s| &s.endpoints)
                .any(|e| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true));
            if ready {
                BackendState::Ready
            } else {
                BackendState::NoReadyEndpoints
            }
        }
    }
}
