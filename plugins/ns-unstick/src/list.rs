//! `kubectl ns-unstick` without names: every Terminating namespace with a one-line reason.

use firstaid::k8s::Timestamp;
use firstaid::{Exit, ExitCodeArg, Kube, Printer, Result};
use serde::Serialize;

use crate::model::{ApiServiceState, NamespaceState};
use crate::{diagnose, fetch, render};

/// `kubectl ns-unstick -o json|yaml` without names (kind `TerminatingNamespaceList`): `items[]`
/// with name, created, deletionTimestamp, reason.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TerminatingList {
    pub items: Vec<TerminatingItem>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TerminatingItem {
    pub name: String,
    pub created: Option<Timestamp>,
    pub deletion_timestamp: Option<Timestamp>,
    pub reason: String,
}

/// Unavailable APIServices, or a note why they could not be read.
pub(crate) fn unavailable_of(api_services: &Result<Vec<ApiServiceState>>) -> Vec<&ApiServiceState> {
    api_services
        .as_ref()
        .map(|all| all.iter().filter(|a| a.is_unavailable()).collect())
        .unwrap_or_default()
}

pub(crate) async fn list_terminating(
    kube: &Kube,
    exit_code: ExitCodeArg,
    printer: &mut Printer,
) -> Result<Exit> {
    let (namespaces, api_services) = futures::join!(
        fetch::namespaces(&kube.client),
        fetch::api_services(&kube.client)
    );
    let namespaces = namespaces?;
    let now = Timestamp::now();
    let unavailable = unavailable_of(&api_services);
    let terminating: Vec<&NamespaceState> =
        namespaces.iter().filter(|n| n.is_terminating()).collect();
    if printer.format.is_structured() {
        let items = terminating
            .iter()
            .map(|ns| TerminatingItem {
                name: ns.name.clone(),
                created: ns.created,
                deletion_timestamp: ns.deletion_timestamp,
                reason: diagnose::quick_reason(ns, &unavailable, now),
            })
            .collect();
        printer.document("TerminatingNamespaceList", &TerminatingList { items })?;
    } else if terminating.is_empty() {
        printer.note("No namespace is Terminating.")?;
    } else {
        printer.table(&render::terminating_table(&terminating, &unavailable, now))?;
        printer.note("Run `kubectl ns-unstick NAMESPACE` for the full diagnosis.")?;
    }
    if let Err(e) = &api_services {
        printer.warn(&format!("could not read APIServices: {e}"))?;
    }
    Ok(exit_code.diagnosed(!terminating.is_empty()))
}
