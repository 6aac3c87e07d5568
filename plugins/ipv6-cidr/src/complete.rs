//! `kubectl ipv6-cidr <TAB>`: subcommands, flags and their values come from the clap definition
//! through `firstaid::completion`; CIDRs are typed, not listed, so nothing is asked of the cluster.

use firstaid::completion::CompletionRequest;
use firstaid::{Kube, Result};

#[allow(clippy::unused_async)] // the shape `firstaid::completion::intercept` expects
pub async fn complete(_kube: Kube, _request: CompletionRequest) -> Result<Vec<String>> {
    Ok(Vec::new())
}
