//! Keeping a list current from a watch: each event folded into the list where the object's uid
//! already is, from the resourceVersion the list was read at.

use std::fmt::Debug;

use futures::{StreamExt, TryStreamExt};
use kube::Resource;
use kube::api::{Api, ObjectMeta, WatchEvent, WatchParams};
use serde::de::DeserializeOwned;

use super::Updates;

/// What a followed list holds: the watched objects themselves, or a compact form made from each
/// (a plugin that keeps thousands of them may drop what it never reads), keeping its metadata.
pub trait Entry<K>: From<K> {
    fn metadata(&self) -> &ObjectMeta;
}

impl<K: Resource> Entry<K> for K {
    fn metadata(&self) -> &ObjectMeta {
        self.meta()
    }
}

/// Follows `api` from `version`, folding every change into the list `slot` picks out of the
/// state, and re-opens the watch when the server ends it (as it does every few minutes). When the
/// watch fails, the reason is recorded (see [`super::Refreshed::broken`]) and the list keeps its
/// last state; this then waits forever, so joining several of these never ends early.
pub async fn into_list<T, K, V>(
    updates: &Updates<T>,
    api: &Api<K>,
    version: &str,
    slot: fn(&mut T) -> &mut Vec<V>,
) where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + 'static,
    V: Entry<K>,
{
    let mut version = version.to_owned();
    let problem = loop {
        let params = WatchParams::default().timeout(290);
        let stream = match api.watch(&params, &version).await {
            Ok(stream) => stream,
            Err(e) => break e.to_string(),
        };
        let mut stream = stream.boxed();
        let ended = loop {
            match stream.try_next().await {
                Ok(Some(WatchEvent::Bookmark(b))) => version = b.metadata.resource_version,
                Ok(Some(WatchEvent::Error(status))) => break Some(status.message),
                Ok(Some(event)) => {
                    if let Some(rv) = updates.update(|state| fold(slot(state), event)) {
                        version = rv;
                    }
                }
                Ok(None) => break None,
                Err(e) => break Some(e.to_string()),
            }
        };
        if let Some(problem) = ended {
            break problem;
        }
    };
    updates.broke(format!("watching {}: {problem}", K::plural(&())));
    futures::future::pending::<()>().await;
}

/// Folds one event into `list`; returns the object's resourceVersion (where the watch resumes).
pub fn fold<K: Resource, V: Entry<K>>(list: &mut Vec<V>, event: WatchEvent<K>) -> Option<String> {
    let (object, deleted) = match event {
        WatchEvent::Added(o) | WatchEvent::Modified(o) => (o, false),
        WatchEvent::Deleted(o) => (o, true),
        WatchEvent::Bookmark(_) | WatchEvent::Error(_) => return None,
    };
    let version = object.meta().resource_version.clone();
    let uid = object.meta().uid.clone();
    let position = list.iter().position(|x| x.metadata().uid == uid);
    match (position, deleted) {
        (Some(i), true) => {
            list.swap_remove(i);
        }
        (Some(i), false) => list[i] = V::from(object),
        (None, false) => list.push(V::from(object)),
        (None, true) => {}
    }
    version
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;
    use serde_json::json;

    fn pod(node: &str, version: &str) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": "web-0", "uid": "u1", "resourceVersion": version},
            "spec": {"nodeName": node, "containers": []}
        }))
        .expect("pod")
    }

    fn node_of(pod: &Pod) -> Option<&str> {
        pod.spec.as_ref().and_then(|s| s.node_name.as_deref())
    }

    #[test]
    fn events_fold_into_the_list_by_uid() {
        let mut list = Vec::new();
        assert_eq!(
            fold(&mut list, WatchEvent::Added(pod("n1", "1"))).as_deref(),
            Some("1")
        );
        assert_eq!(list.len(), 1);
        fold(&mut list, WatchEvent::Modified(pod("n2", "2")));
        assert_eq!((list.len(), node_of(&list[0])), (1, Some("n2")));
        assert_eq!(
            fold(&mut list, WatchEvent::Deleted(pod("n2", "3"))).as_deref(),
            Some("3")
        );
        assert!(list.is_empty());
        // A delete of something never seen changes nothing.
        fold(&mut list, WatchEvent::Deleted(pod("n2", "4")));
        assert!(list.is_empty());
    }
}
