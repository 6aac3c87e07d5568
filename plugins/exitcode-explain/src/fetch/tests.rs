//! The reads against a mocked API server: which requests go out (method, path, field selectors),
//! and how missing evidence degrades into notes instead of failures.

use super::*;
use firstaid::Exit;
use firstaid::kube::client::Body;
use http::{Request, Response, StatusCode};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

fn oom_pod() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-1", "namespace": "shop", "uid": "u1"},
        "spec": {"nodeName": "node-a", "containers": [{"name": "app", "image": "app:1",
            "resources": {"limits": {"memory": "120Mi"}}}]},
        "status": {"containerStatuses": [{"name": "app", "image": "app:1", "imageID": "", "ready": false, "restartCount": 2,
            "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}
    })
}

fn list(kind: &str, items: &[Value]) -> Value {
    json!({"apiVersion": "v1", "kind": kind, "metadata": {"resourceVersion": "1"}, "items": items})
}

fn status(code: u16, reason: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Status", "status": "Failure", "message": format!("{reason} here"), "reason": reason, "code": code})
}

/// Serves each request from `answer(path_and_query)` and records what was asked.
fn mock(answer: fn(&str) -> (u16, Value)) -> (Client, Arc<Mutex<Vec<String>>>) {
    let (service, mut handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Some((request, send)) = handle.next_request().await {
            assert_eq!(request.method(), http::Method::GET, "pod mode only reads");
            let uri = request
                .uri()
                .path_and_query()
                .map(ToString::to_string)
                .unwrap_or_default();
            let (code, body) = answer(&uri);
            log.lock().expect("log").push(uri);
            let response = Response::builder()
                .status(StatusCode::from_u16(code).expect("status"))
                .body(Body::from(serde_json::to_vec(&body).expect("json")))
                .expect("response");
            send.send_response(response);
        }
    });
    (Client::new(service, "default"), seen)
}

/// The requests the mock saw, selectors decoded.
fn requests(seen: &Mutex<Vec<String>>) -> Vec<String> {
    seen.lock()
        .expect("log")
        .iter()
        .map(|u| decoded(u))
        .collect()
}

fn decoded(uri: &str) -> String {
    uri.replace("%3D", "=")
        .replace("%2C", ",")
        .replace("%2F", "/")
}

#[tokio::test]
async fn one_pod_reads_pod_events_node_ooms_and_metrics() {
    let (client, seen) = mock(|uri| {
        let uri = decoded(uri);
        if uri == "/api/v1/namespaces/shop/pods/web-1" {
            (200, oom_pod())
        } else if uri.starts_with("/api/v1/namespaces/shop/events?") {
            (
                200,
                list(
                    "EventList",
                    &[
                        json!({"metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "web-1", "uid": "u1"},
                "reason": "Unhealthy", "message": "Liveness probe failed: x", "type": "Warning"}),
                    ],
                ),
            )
        } else if uri == "/api/v1/nodes/node-a" {
            (
                200,
                json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-a", "labels": {"kubernetes.io/arch": "arm64"}}}),
            )
        } else if uri.starts_with("/api/v1/namespaces/default/events?") {
            (200, list("EventList", &[]))
        } else if uri == "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods/web-1" {
            (
                200,
                json!({"apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics", "metadata": {"name": "web-1"},
                "containers": [{"name": "app", "usage": {"cpu": "1m", "memory": "100Mi"}}]}),
            )
        } else {
            (404, status(404, "NotFound"))
        }
    });
    let mut notes = Notes::default();
    let evidence = one_pod(&client, "shop", "web-1", &mut notes)
        .await
        .expect("evidence");
    assert_eq!(evidence.pod.events.len(), 1);
    assert_eq!(
        evidence.node.as_ref().and_then(|n| n.arch.as_deref()),
        Some("arm64")
    );
    assert_eq!(
        evidence.usage.get("app").map(|u| u.memory_bytes),
        Some(100.0 * 1024.0 * 1024.0)
    );
    assert_eq!(notes.into_iter().count(), 0);
    let seen = requests(&seen);
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert!(
        seen.iter()
            .any(|u| u.starts_with("/api/v1/namespaces/shop/events?")
                && u.contains("fieldSelector=involvedObject.kind=Pod,involvedObject.name=web-1")
                && u.contains("limit=500")),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|u| u.contains(
            "fieldSelector=involvedObject.kind=Node,involvedObject.name=node-a,reason=SystemOOM"
        )),
        "{seen:?}"
    );
}

#[tokio::test]
async fn unknown_pod_is_not_found() {
    let (client, _) = mock(|_| (404, status(404, "NotFound")));
    let err = one_pod(&client, "shop", "nope", &mut Notes::default())
        .await
        .expect_err("404");
    assert_eq!(err.exit(), Exit::NotFound);
    assert_eq!(
        err.to_string(),
        "Error from server (NotFound): pods \"nope\" not found"
    );
}

#[tokio::test]
async fn unreadable_node_and_events_become_notes() {
    let (client, seen) = mock(|uri| {
        if uri == "/api/v1/namespaces/shop/pods/web-1" {
            (200, oom_pod())
        } else if uri.starts_with("/api/v1/nodes/") || uri.contains("/events") {
            (403, status(403, "Forbidden"))
        } else {
            (404, status(404, "NotFound"))
        }
    });
    let mut notes = Notes::default();
    let evidence = one_pod(&client, "shop", "web-1", &mut notes)
        .await
        .expect("evidence");
    assert!(evidence.node.is_none() && evidence.pod.events.is_empty() && evidence.usage.is_empty());
    let notes: Vec<String> = notes.into_iter().collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("could not read node node-a: forbidden by RBAC")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("could not read events in namespace shop: forbidden by RBAC")),
        "{notes:?}"
    );
    // The forbidden node means its SystemOOM events are not asked for separately in the notes.
    assert!(seen.lock().expect("log").len() >= 4);
}

#[tokio::test]
async fn forbidden_pod_is_forbidden() {
    let (client, _) = mock(|_| (403, status(403, "Forbidden")));
    let err = one_pod(&client, "shop", "web-1", &mut Notes::default())
        .await
        .expect_err("403");
    assert_eq!(err.exit(), Exit::Forbidden);
}

#[tokio::test]
async fn scan_only_fetches_events_for_pods_worth_a_look() {
    let (client, seen) = mock(|uri| {
        let uri = decoded(uri);
        if uri.starts_with("/api/v1/pods?") {
            let healthy = json!({"metadata": {"name": "ok", "namespace": "a"}, "spec": {"containers": [{"name": "c"}]},
                "status": {"containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": true, "restartCount": 0, "state": {"running": {}}}]}});
            (200, list("PodList", &[oom_pod(), healthy]))
        } else if uri == "/api/v1/nodes/node-a" {
            (
                200,
                json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-a"}}),
            )
        } else if uri.contains("/events?") {
            (200, list("EventList", &[]))
        } else {
            (404, status(404, "NotFound"))
        }
    });
    let pods = scan(
        &client,
        None,
        Some("app=web"),
        &Cancel::default(),
        &mut Notes::default(),
    )
    .await
    .expect("scan");
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0].pod.name, "web-1");
    let seen = requests(&seen);
    assert!(
        seen.iter()
            .any(|u| u.starts_with("/api/v1/pods?") && u.contains("labelSelector=app=web")),
        "{seen:?}"
    );
    assert!(
        !seen.iter().any(|u| u.contains("involvedObject.name=ok")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|u| u.starts_with("/api/v1/namespaces/shop/events?")),
        "{seen:?}"
    );
}

/// Ten crashed pods in one namespace: `web-0` … `web-9`.
fn crashed_pods() -> Vec<Value> {
    (0..10)
        .map(|i| {
            let mut pod = oom_pod();
            pod["metadata"]["name"] = json!(format!("web-{i}"));
            pod["metadata"]["uid"] = json!(format!("u{i}"));
            pod
        })
        .collect()
}

#[tokio::test]
async fn many_pods_in_a_namespace_share_one_event_list() {
    let (client, seen) = mock(|uri| {
        let uri = decoded(uri);
        if uri.starts_with("/api/v1/namespaces/shop/pods?") {
            (200, list("PodList", &crashed_pods()))
        } else if uri.starts_with("/api/v1/namespaces/shop/events?") {
            let event = |pod: &str, uid: &str, reason: &str| {
                json!({"metadata": {"name": format!("{pod}.{reason}")},
                       "involvedObject": {"kind": "Pod", "name": pod, "uid": uid},
                       "reason": reason, "message": "m", "type": "Warning"})
            };
            let events = [
                event("web-3", "u3", "BackOff"),
                event("web-3", "u3", "Unhealthy"),
                event("web-5", "old-uid", "BackOff"),
                event("other", "x", "BackOff"),
            ];
            (200, list("EventList", &events))
        } else if uri.starts_with("/api/v1/nodes/") || uri.contains("/events?") {
            (200, list("EventList", &[]))
        } else {
            (404, status(404, "NotFound"))
        }
    });
    let pods = scan(
        &client,
        Some("shop"),
        None,
        &Cancel::default(),
        &mut Notes::default(),
    )
    .await
    .expect("scan");
    assert_eq!(pods.len(), 10);
    let reasons = |name: &str| -> Vec<String> {
        let pod = pods.iter().find(|p| p.pod.name == name).expect("pod");
        pod.pod.events.iter().map(|e| e.reason.clone()).collect()
    };
    assert_eq!(reasons("web-3"), ["BackOff", "Unhealthy"]);
    // An event of an earlier pod of the same name is not this pod's evidence.
    assert!(reasons("web-5").is_empty());
    let seen = requests(&seen);
    let event_lists: Vec<&String> = seen
        .iter()
        .filter(|u| u.starts_with("/api/v1/namespaces/shop/events?"))
        .collect();
    assert_eq!(event_lists.len(), 1, "{seen:?}");
    assert!(
        event_lists[0].contains("fieldSelector=involvedObject.kind=Pod&"),
        "{seen:?}"
    );
}

#[test]
#[allow(clippy::float_cmp)] // 2Gi is exact in binary floating point
fn metrics_usage_parses_quantities() {
    let usage = usage_from_metrics(
        &json!({"containers": [{"name": "app", "usage": {"memory": "2Gi"}}, {"name": "bad", "usage": {"memory": "x"}}]}),
    );
    assert_eq!(usage.len(), 1);
    assert_eq!(usage["app"].memory_bytes, 2.0 * 1024.0 * 1024.0 * 1024.0);
}
