//! The pod every pod projection shares: the envelope, and its reading into k8s-openapi's `Pod`.
//! What goes inside stays the plugin's: its spec and status messages declare only the fields it
//! reads, so each projection skips the rest of a pod without allocating.

use std::fmt::Debug;

use k8s_openapi::api::core::v1 as api;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use prost::Message;

use super::Projection;
use super::meta::Meta;

/// `core/v1` Pod around a plugin's own spec and status messages (and metadata: [`Meta`], or the
/// cheaper [`NameMeta`](super::meta::NameMeta)).
#[derive(Clone, PartialEq, Message)]
pub struct Pod<Spec, Status, Metadata = Meta>
where
    Spec: Message + Default + Debug,
    Status: Message + Default + Debug,
    Metadata: Message + Default + Debug,
{
    #[prost(message, optional, tag = "1")]
    pub metadata: Option<Metadata>,
    #[prost(message, optional, tag = "2")]
    pub spec: Option<Spec>,
    #[prost(message, optional, tag = "3")]
    pub status: Option<Status>,
}

/// Read into a k8s-openapi `Pod` carrying just the projected fields, so the diagnosis reads it
/// as it reads a pod the server answered in JSON.
impl<Spec, Status, Metadata> Projection for Pod<Spec, Status, Metadata>
where
    Spec: Message + Default + Debug + Into<api::PodSpec> + 'static,
    Status: Message + Default + Debug + Into<api::PodStatus> + 'static,
    Metadata: Message + Default + Debug + Into<ObjectMeta> + 'static,
{
    type Item = api::Pod;
    type Json = api::Pod;

    fn item(self) -> api::Pod {
        api::Pod {
            metadata: self.metadata.unwrap_or_default().into(),
            spec: Some(self.spec.unwrap_or_default().into()),
            status: Some(self.status.unwrap_or_default().into()),
        }
    }

    fn from_json(json: api::Pod) -> api::Pod {
        json
    }
}
