//! The scan's request pattern against a mocked API server: one list per kind (pages followed by
//! their continue token), never a request per object; pods kept only when they name a claim or
//! were named.

use firstaid::kube::client::Body;
use http::{Request, Response};
use tower_test::mock;

use super::*;

fn list(kind: &str, items: &[serde_json::Value], next: Option<&str>) -> Response<Body> {
    let body = serde_json::json!({
        "apiVersion": "v1", "kind": kind,
        "metadata": {"resourceVersion": "7", "continue": next.unwrap_or("")},
        "items": items,
    });
    Response::builder()
        .status(200)
        .body(Body::from(body.to_string().into_bytes()))
        .expect("response")
}

#[tokio::test]
async fn one_paginated_list_per_kind() {
    let (service, mut handle) = mock::pair::<Request<Body>, Response<Body>>();
    let kube = Kube::from_client(firstaid::kube::Client::new(service, "demo"), "demo");
    let server = tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Some((request, respond)) = handle.next_request().await {
            assert_eq!(request.method(), http::Method::GET);
            let uri = request.uri().to_string();
            let pod = |name: &str| serde_json::json!({"metadata": {"name": name, "namespace": "demo", "uid": name}});
            let mut holder = pod("a");
            holder["spec"] = serde_json::json!({"containers": [],
                "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]});
            let response = if uri.starts_with("/api/v1/namespaces/demo/pods") {
                if uri.contains("continue=page2") {
                    list("PodList", &[pod("b"), pod("c")], None)
                } else {
                    list("PodList", &[holder], Some("page2"))
                }
            } else {
                list("List", &[], None)
            };
            seen.push(uri);
            respond.send_response(response);
        }
        seen
    });
    let named = [Named::Pod("b".into())];
    let inventory = inventory(&kube, Some("demo"), &named)
        .await
        .expect("inventory");
    drop(kube);
    let mut seen = server.await.expect("server");
    seen.sort();
    let pods: Vec<&str> = inventory
        .pods
        .iter()
        .map(|p| name_of(&p.metadata))
        .collect();
    assert_eq!(pods, ["a", "b"]);
    let paths: Vec<&str> = seen
        .iter()
        .map(|u| u.split('?').next().unwrap_or_default())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/v1/namespaces/demo/persistentvolumeclaims",
            "/api/v1/namespaces/demo/pods",
            "/api/v1/namespaces/demo/pods",
            "/api/v1/nodes",
            "/api/v1/persistentvolumes",
            "/apis/storage.k8s.io/v1/storageclasses",
            "/apis/storage.k8s.io/v1/volumeattachments",
        ],
        "{seen:#?}"
    );
    assert!(seen.iter().all(|u| u.contains("limit=500")), "{seen:#?}");
}
