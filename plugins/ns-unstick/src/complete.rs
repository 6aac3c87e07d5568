//! `kubectl ns-unstick <TAB>`: the namespaces that are Terminating, the only ones this plugin has
//! anything to say about (one metadata list). Flags, contexts and `-n` are completed by
//! `firstaid::completion`.

use firstaid::completion::{CompletionRequest, is_deleting, names};
use firstaid::k8s_openapi::api::core::v1::Namespace;
use firstaid::kube::Api;
use firstaid::{Kube, Result};

pub async fn complete(kube: Kube, request: CompletionRequest) -> Result<Vec<String>> {
    if request.flag.is_some() {
        return Ok(Vec::new());
    }
    names(&Api::<Namespace>::all(kube.client), is_deleting).await
}
