//! A scan's pod events: one list per namespace with many pods to explain, one per pod elsewhere.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use firstaid::concurrency::{Cancel, bounded};
use firstaid::kube::Client;
use firstaid::kube::api::{Api, ListParams};
use firstaid::{Result, pager};
use k8s_openapi::api::core::v1::Event;

use super::{Notes, SCAN_CONCURRENCY, Scanned, keep, namespace_and_name, pod_events};
use crate::facts::PodFacts;

/// Above this many pods to explain in one namespace, one list of the namespace's pod events is
/// cheaper than a list per pod.
const EVENTS_PER_POD_LIMIT: usize = 8;

/// The scanned pods' events. In a namespace with many pods to explain, one list of its pod events
/// replaces a list per pod (2,000 crashed pods were 2,000 requests); elsewhere each pod's events
/// are read on their own, as `kubectl describe` reads them. Either way a pod gets the same events
/// in the same (server) order.
pub(super) struct ScanEvents {
    /// Per pod, from the namespace-wide lists.
    listed: HashMap<(String, String), Vec<Event>>,
    /// Namespaces read whole.
    whole: BTreeSet<String>,
    /// Per pod, read one by one (`None`: not started, the scan was interrupted).
    single: HashMap<(String, String), Option<Result<Vec<Event>>>>,
}

type EventsByPod = HashMap<String, Vec<Event>>;

/// The event reads of a scan as they came back: a failed namespace list becomes a note in
/// [`EventReads::kept`], after the reads that ran beside it.
pub(super) struct EventReads {
    /// Per namespace read whole: its pods' events by pod name (`None`: not started).
    lists: Vec<(String, Option<Result<EventsByPod>>)>,
    whole: BTreeSet<String>,
    single: HashMap<(String, String), Option<Result<Vec<Event>>>>,
}

impl EventReads {
    pub(super) fn kept(self, notes: &mut Notes) -> Result<ScanEvents> {
        let mut listed = HashMap::new();
        for (ns, result) in self.lists {
            let Some(result) = result else { continue };
            let by_pod = keep(result, notes, || format!("events in namespace {ns}"))?;
            for (name, events) in by_pod {
                listed.insert((ns.clone(), name), events);
            }
        }
        Ok(ScanEvents {
            listed,
            whole: self.whole,
            single: self.single,
        })
    }
}

impl ScanEvents {
    /// The namespace lists and the single pods' reads, all at once.
    pub(super) async fn read(client: &Client, pods: &[Scanned], cancel: &Cancel) -> EventReads {
        let mut per_namespace: BTreeMap<String, HashSet<String>> = BTreeMap::new();
        for pod in pods {
            let (ns, name) = namespace_and_name(&pod.pod);
            per_namespace.entry(ns).or_default().insert(name);
        }
        let (many, few): (Vec<_>, Vec<_>) = per_namespace
            .into_iter()
            .partition(|(_, names)| names.len() > EVENTS_PER_POD_LIMIT);
        let whole: BTreeSet<String> = many.iter().map(|(ns, _)| ns.clone()).collect();
        let lists = bounded(many, SCAN_CONCURRENCY, cancel, |(ns, names)| async move {
            namespace_pod_events(client, &ns, &names).await
        });
        let singles = few
            .into_iter()
            .flat_map(|(ns, names)| names.into_iter().map(move |name| (ns.clone(), name)));
        let single = bounded(singles, SCAN_CONCURRENCY, cancel, |(ns, name)| async move {
            pod_events(client, &ns, &name).await
        });
        let (lists, single) = futures::join!(lists, single);
        EventReads {
            lists: lists.into_iter().map(|((ns, _), r)| (ns, r)).collect(),
            whole,
            single: single.into_iter().collect(),
        }
    }

    /// This pod's events, `None` when its read never started; failures become notes.
    pub(super) fn take(&mut self, pod: &PodFacts, notes: &mut Notes) -> Result<Option<Vec<Event>>> {
        let key = namespace_and_name(pod);
        if self.whole.contains(&key.0) {
            return Ok(Some(self.listed.remove(&key).unwrap_or_default()));
        }
        let Some(Some(result)) = self.single.remove(&key) else {
            return Ok(None);
        };
        keep(result, notes, || format!("events in namespace {}", key.0)).map(Some)
    }
}

/// The events of these pods of one namespace, from one (paginated) list of its pod events; only
/// theirs are kept, page by page.
async fn namespace_pod_events(
    client: &Client,
    namespace: &str,
    names: &HashSet<String>,
) -> Result<HashMap<String, Vec<Event>>> {
    let api: Api<Event> = Api::namespaced(client.clone(), namespace);
    let params = ListParams::default().fields("involvedObject.kind=Pod");
    let mut by_pod: HashMap<String, Vec<Event>> = HashMap::new();
    pager::for_each_page(&api, &params, |page| {
        for event in page {
            if let Some(name) = event.involved_object.name.as_ref()
                && names.contains(name)
            {
                by_pod.entry(name.clone()).or_default().push(event);
            }
        }
        Ok(())
    })
    .await?;
    Ok(by_pod)
}
