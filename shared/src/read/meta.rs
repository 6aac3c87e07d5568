//! The protobuf messages every projection shares — object metadata, times, quantities — and
//! their conversion into the k8s-openapi types the plugins' diagnoses already read. Only the
//! declared fields are decoded; managedFields and annotations, most of an object's metadata on
//! the wire, are skipped without allocating.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time as ApiTime};
use prost::Message;

/// `meta/v1` ObjectMeta: identity, deletion, labels and owners.
#[derive(Clone, PartialEq, Message)]
pub struct Meta {
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    #[prost(string, optional, tag = "3")]
    pub namespace: Option<String>,
    #[prost(string, optional, tag = "5")]
    pub uid: Option<String>,
    #[prost(message, optional, tag = "9")]
    pub deletion_timestamp: Option<Time>,
    #[prost(int64, optional, tag = "10")]
    pub deletion_grace_period_seconds: Option<i64>,
    #[prost(btree_map = "string, string", tag = "11")]
    pub labels: BTreeMap<String, String>,
    #[prost(message, repeated, tag = "13")]
    pub owner_references: Vec<OwnerRef>,
}

/// Only name and namespace, for projections that need no more (the cheapest to decode).
#[derive(Clone, PartialEq, Message)]
pub struct NameMeta {
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    #[prost(string, optional, tag = "3")]
    pub namespace: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
pub struct OwnerRef {
    #[prost(string, optional, tag = "1")]
    pub kind: Option<String>,
    #[prost(string, optional, tag = "3")]
    pub name: Option<String>,
    #[prost(string, optional, tag = "4")]
    pub uid: Option<String>,
    #[prost(string, optional, tag = "5")]
    pub api_version: Option<String>,
    #[prost(bool, optional, tag = "6")]
    pub controller: Option<bool>,
}

/// `meta/v1` Time (and MicroTime, which has the same fields).
#[derive(Clone, Copy, PartialEq, Message)]
pub struct Time {
    #[prost(int64, optional, tag = "1")]
    pub seconds: Option<i64>,
    #[prost(int32, optional, tag = "2")]
    pub nanos: Option<i32>,
}

/// `resource.Quantity`, kept as the text the API server wrote.
#[derive(Clone, PartialEq, Message)]
pub struct Quantity {
    #[prost(string, optional, tag = "1")]
    pub string: Option<String>,
}

/// `core/v1` ResourceRequirements (limits and requests).
#[derive(Clone, PartialEq, Message)]
pub struct Requirements {
    #[prost(btree_map = "string, message", tag = "1")]
    pub limits: BTreeMap<String, Quantity>,
    #[prost(btree_map = "string, message", tag = "2")]
    pub requests: BTreeMap<String, Quantity>,
}

/// An `omitempty` string field: Go's protobuf encoder writes such fields even when empty, where
/// JSON leaves them out, so `""` reads as absent to match what a JSON reader sees.
pub fn text(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// An `omitempty` number, likewise: `0` reads as absent.
pub fn number<T: Default + PartialEq>(n: Option<T>) -> Option<T> {
    n.filter(|n| *n != T::default())
}

/// A repeated field as k8s-openapi's optional list: absent when empty, as JSON leaves it out.
pub fn list<W, T: From<W>>(v: Vec<W>) -> Option<Vec<T>> {
    (!v.is_empty()).then(|| v.into_iter().map(T::from).collect())
}

/// Resource name → quantity text; quantities without text are dropped.
pub fn quantity_texts(map: BTreeMap<String, Quantity>) -> BTreeMap<String, String> {
    map.into_iter()
        .filter_map(|(k, v)| Some((k, v.string?)))
        .collect()
}

/// As k8s-openapi's quantity map; `None` when empty, as a JSON object without the field reads.
pub fn quantities(map: BTreeMap<String, Quantity>) -> Option<BTreeMap<String, ApiQuantity>> {
    let map: BTreeMap<String, ApiQuantity> = quantity_texts(map)
        .into_iter()
        .map(|(k, v)| (k, ApiQuantity(v)))
        .collect();
    (!map.is_empty()).then_some(map)
}

impl From<Requirements> for k8s_openapi::api::core::v1::ResourceRequirements {
    fn from(r: Requirements) -> Self {
        k8s_openapi::api::core::v1::ResourceRequirements {
            limits: quantities(r.limits),
            requests: quantities(r.requests),
            claims: None,
        }
    }
}

impl Time {
    /// As k8s-openapi's Time. A zero Go time is written as an empty message where JSON writes
    /// `null`, so no seconds means no time; `None` too for an out-of-range value.
    pub fn to_api(self) -> Option<ApiTime> {
        k8s_openapi::jiff::Timestamp::new(self.seconds?, self.nanos.unwrap_or(0))
            .ok()
            .map(ApiTime)
    }
}

impl From<OwnerRef> for OwnerReference {
    fn from(o: OwnerRef) -> Self {
        OwnerReference {
            api_version: o.api_version.unwrap_or_default(),
            kind: o.kind.unwrap_or_default(),
            name: o.name.unwrap_or_default(),
            uid: o.uid.unwrap_or_default(),
            controller: o.controller,
            block_owner_deletion: None,
        }
    }
}

impl From<Meta> for ObjectMeta {
    fn from(m: Meta) -> Self {
        ObjectMeta {
            name: text(m.name),
            namespace: text(m.namespace),
            uid: text(m.uid),
            deletion_timestamp: m.deletion_timestamp.and_then(Time::to_api),
            deletion_grace_period_seconds: m.deletion_grace_period_seconds,
            labels: (!m.labels.is_empty()).then_some(m.labels),
            owner_references: (!m.owner_references.is_empty())
                .then(|| m.owner_references.into_iter().map(Into::into).collect()),
            ..ObjectMeta::default()
        }
    }
}

impl From<NameMeta> for ObjectMeta {
    fn from(m: NameMeta) -> Self {
        ObjectMeta {
            name: text(m.name),
            namespace: text(m.namespace),
            ..ObjectMeta::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_reads_like_its_json() {
        let wire = Meta {
            name: Some("web-0".into()),
            namespace: Some("shop".into()),
            uid: Some("u1".into()),
            deletion_timestamp: Some(Time {
                seconds: Some(1_767_225_600),
                nanos: Some(5),
            }),
            deletion_grace_period_seconds: Some(0),
            labels: [("app".to_owned(), "web".to_owned())].into(),
            owner_references: vec![OwnerRef {
                kind: Some("StatefulSet".into()),
                name: Some("web".into()),
                uid: Some("s1".into()),
                api_version: Some("apps/v1".into()),
                controller: Some(true),
            }],
        };
        let from_wire = ObjectMeta::from(Meta::decode(&*wire.encode_to_vec()).expect("decode"));
        let from_json: ObjectMeta = serde_json::from_value(serde_json::json!({
            "name": "web-0", "namespace": "shop", "uid": "u1",
            "deletionTimestamp": "2026-01-01T00:00:00.000000005Z", "deletionGracePeriodSeconds": 0,
            "labels": {"app": "web"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web",
                                 "uid": "s1", "controller": true}]
        }))
        .expect("json");
        assert_eq!(from_wire, from_json);
        assert_eq!(ObjectMeta::from(Meta::default()), ObjectMeta::default());
        // What Go writes for empty strings and a zero time reads as absent, as in JSON.
        let empty = Meta {
            name: Some(String::new()),
            deletion_timestamp: Some(Time::default()),
            ..Meta::default()
        };
        assert_eq!(ObjectMeta::from(empty), ObjectMeta::default());
    }

    #[test]
    fn empty_quantity_maps_read_as_absent() {
        let r = k8s_openapi::api::core::v1::ResourceRequirements::from(Requirements {
            limits: [(
                "memory".to_owned(),
                Quantity {
                    string: Some("128Mi".into()),
                },
            )]
            .into(),
            requests: BTreeMap::new(),
        });
        assert_eq!(r.limits.expect("limits")["memory"].0, "128Mi");
        assert_eq!(r.requests, None);
    }
}
