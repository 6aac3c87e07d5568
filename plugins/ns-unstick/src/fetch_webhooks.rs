//! Reads every Validating- and MutatingWebhookConfiguration and the state of each webhook's
//! Service (the shared Service-backend fact: exists? ready endpoints?). Never calls a webhook: a
//! `url` backend stays unprobed.

use std::collections::BTreeMap;

use firstaid::k8s::{Backend as ServiceBackend, ServiceRef};
use firstaid::k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
};
use firstaid::kube::api::{Api, ListParams};
use firstaid::kube::{Client, ResourceExt};
use firstaid::{Result, pager};
use serde_json::Value;

use crate::webhooks::{Backend, Webhook, WebhookSpec, address_of, service_of};

/// One configuration's webhooks as JSON (both kinds have the same fields that matter here).
struct Configuration {
    kind: &'static str,
    name: String,
    uid: String,
    resource_version: String,
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
        resource_version: object.resource_version().unwrap_or_default(),
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
    let services: BTreeMap<String, ServiceRef> = configurations
        .iter()
        .flat_map(|c| &c.webhooks)
        .filter_map(|h| service_of(&h["clientConfig"]))
        .map(|s| (s.to_string(), s))
        .collect();
    let states: BTreeMap<String, Result<ServiceBackend>> =
        futures::future::join_all(services.into_iter().map(|(address, service)| async move {
            (address, ServiceBackend::read(client, &service).await)
        }))
        .await
        .into_iter()
        .collect();
    Ok(configurations
        .iter()
        .flat_map(|c| c.webhooks.iter().map(|h| webhook(c, h, &states)))
        .collect())
}

fn webhook(
    c: &Configuration,
    hook: &Value,
    states: &BTreeMap<String, Result<ServiceBackend>>,
) -> Webhook {
    let backend = match service_of(&hook["clientConfig"]) {
        None => Backend::Url {
            url: address_of(&hook["clientConfig"]),
        },
        Some(service) => match states.get(&service.to_string()) {
            Some(Ok(state)) => Backend::Service {
                service,
                state: *state,
            },
            Some(Err(e)) => Backend::Unread {
                service,
                reason: e.to_string(),
            },
            None => Backend::Unread {
                service,
                reason: "not read".into(),
            },
        },
    };
    Webhook {
        configuration_kind: c.kind.into(),
        configuration: c.name.clone(),
        configuration_uid: c.uid.clone(),
        configuration_resource_version: c.resource_version.clone(),
        name: hook["name"].as_str().unwrap_or_default().to_owned(),
        spec: serde_json::from_value::<WebhookSpec>(hook.clone()).unwrap_or_default(),
        backend,
    }
}
