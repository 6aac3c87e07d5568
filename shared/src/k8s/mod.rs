//! Cluster facts every plugin reads the same way: a node's state, a pod's owner, whether a
//! Service (behind an APIService or a webhook) can answer, who removes a built-in finalizer, and
//! how old something is.
//!
//! Each fact is computed here once, from plain inputs, so a plugin holding a full k8s-openapi
//! object and one holding a compact projection of it (a protobuf page) reach the same answer.

pub mod backend;
pub mod finalizers;
pub mod node;
pub mod owner;
pub mod time;

pub use backend::{ApiServiceState, Backend, ServiceRef};
pub use node::{NodeCondition, NodePresence, NodeState, Pressure, Readiness, Taint};
pub use owner::{Owner, OwnerRef};
pub use time::{Timestamp, age, human_duration};
