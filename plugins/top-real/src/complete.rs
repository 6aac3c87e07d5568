//! `kubectl top-real <TAB>`: the resource (`nodes`, `pods`), then node or pod names (one metadata
//! list), and node names for `--node`-like values never typed by hand.

use firstaid::completion::{CompletionRequest, names};
use firstaid::k8s_openapi::api::core::v1::{Node, Pod};
use firstaid::kube::Api;
use firstaid::{Kube, Result};

pub async fn complete(kube: Kube, request: CompletionRequest) -> Result<Vec<String>> {
    if request.flag.is_some() {
        return Ok(Vec::new());
    }
    match request.positionals.first().map(String::as_str) {
        None => Ok(vec!["nodes".into(), "pods".into()]),
        Some("nodes" | "node" | "no") => names(&Api::<Node>::all(kube.client), |_| true).await,
        Some("pods" | "pod" | "po") => {
            names(
                &Api::<Pod>::namespaced(kube.client, &kube.namespace),
                |_| true,
            )
            .await
        }
        Some(_) => Ok(Vec::new()),
    }
}
