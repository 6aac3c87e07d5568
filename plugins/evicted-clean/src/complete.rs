//! `kubectl evicted-clean --node <TAB>`: node names (one metadata list). The plugin takes no
//! positional arguments; its flags, contexts and `-n` are completed by `firstaid::completion`.

use firstaid::completion::{CompletionRequest, names};
use firstaid::k8s_openapi::api::core::v1::Node;
use firstaid::kube::Api;
use firstaid::{Kube, Result};

pub async fn complete(kube: Kube, request: CompletionRequest) -> Result<Vec<String>> {
    match request.flag.as_deref() {
        Some("node") => names(&Api::<Node>::all(kube.client), |_| true).await,
        _ => Ok(Vec::new()),
    }
}
