//! `kubectl exitcode-explain <TAB>`: `pod/NAME` for the pods in the namespace with a container
//! that exited non-zero (now or in its last termination). A number is explained offline, so a
//! typed digit asks nothing of the cluster.

use firstaid::completion::CompletionRequest;
use firstaid::k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use firstaid::kube::Api;
use firstaid::kube::api::ListParams;
use firstaid::{Kube, Result};

pub async fn complete(kube: Kube, request: CompletionRequest) -> Result<Vec<String>> {
    let number = request
        .word
        .starts_with(|c: char| c.is_ascii_digit() || c == '-');
    if request.flag.is_some() || number || !request.positionals.is_empty() {
        return Ok(Vec::new());
    }
    let pods = Api::<Pod>::namespaced(kube.client, &kube.namespace)
        .list(&ListParams::default().limit(500))
        .await?;
    Ok(pods
        .items
        .into_iter()
        .filter(exited_non_zero)
        .filter_map(|p| p.metadata.name)
        .map(|name| format!("pod/{name}"))
        .collect())
}

fn exited_non_zero(pod: &Pod) -> bool {
    let non_zero = |s: &ContainerStatus| {
        [s.state.as_ref(), s.last_state.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|state| state.terminated.as_ref())
            .any(|t| t.exit_code != 0)
    };
    pod.status.as_ref().is_some_and(|status| {
        [&status.container_statuses, &status.init_container_statuses]
            .into_iter()
            .flatten()
            .flatten()
            .any(non_zero)
    })
}
