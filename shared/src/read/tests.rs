//! The reader against a mocked API server: what it asks for, and what it makes of the answers.

use http::{Request, Response};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::client::Body;
use prost::Message;

use super::*;
use crate::read::wire::tests::{envelope, list_page};

/// A projection keeping only an object's name.
#[derive(Clone, PartialEq, Message)]
struct Name {
    #[prost(message, optional, tag = "1")]
    metadata: Option<meta::NameMeta>,
}

impl Projection for Name {
    type Item = String;
    type Json = ConfigMap;

    fn item(self) -> String {
        self.metadata.and_then(|m| m.name).unwrap_or_default()
    }

    fn from_json(json: ConfigMap) -> String {
        json.metadata.name.unwrap_or_default()
    }
}

fn object(name: &str) -> Vec<u8> {
    Name {
        metadata: Some(meta::NameMeta {
            name: Some(name.into()),
            namespace: Some("ns".into()),
        }),
    }
    .encode_to_vec()
}

type Handle = tower_test::mock::Handle<Request<Body>, Response<Body>>;

/// Answers each request with the next body; returns the URIs and Accept headers seen.
fn serve(mut handle: Handle, bodies: Vec<(u16, Vec<u8>)>) -> tokio::task::JoinHandle<Vec<String>> {
    tokio::spawn(async move {
        let mut seen = Vec::new();
        for (code, body) in bodies {
            let Some((request, send)) = handle.next_request().await else {
                break;
            };
            let accept = request
                .headers()
                .get(http::header::ACCEPT)
                .map_or("", |v| v.to_str().expect("accept"));
            seen.push(format!("{} {accept}", request.uri()));
            send.send_response(
                Response::builder()
                    .status(code)
                    .body(Body::from(body))
                    .expect("response"),
            );
        }
        seen
    })
}

fn api(service: tower_test::mock::Mock<Request<Body>, Response<Body>>) -> Api<ConfigMap> {
    Api::namespaced(Client::new(service, "default"), "ns")
}

#[tokio::test]
async fn pages_are_asked_for_as_protobuf_and_follow_continue_tokens() {
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let server = serve(
        handle,
        vec![
            (200, list_page("t1", &[object("a"), object("b")])),
            (200, list_page("", &[object("c")])),
        ],
    );
    let names = list::<Name, _>(&api(service), &ListParams::default().labels("app=web"))
        .await
        .expect("list");
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(
        server.await.expect("server"),
        [
            format!("/api/v1/namespaces/ns/configmaps?&labelSelector=app%3Dweb&limit=500 {ACCEPT}"),
            format!(
                "/api/v1/namespaces/ns/configmaps?&labelSelector=app%3Dweb&limit=500&continue=t1 {ACCEPT}"
            ),
        ]
    );
}

#[tokio::test]
async fn a_json_answer_is_read_too() {
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let page = serde_json::json!({"kind": "ConfigMapList", "apiVersion": "v1", "metadata": {},
        "items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]});
    let server = serve(
        handle,
        vec![(200, serde_json::to_vec(&page).expect("json"))],
    );
    let names = list::<Name, _>(&api(service), &ListParams::default())
        .await
        .expect("list");
    assert_eq!(names, ["a", "b"]);
    assert_eq!(server.await.expect("server").len(), 1);
}

#[tokio::test]
async fn a_protobuf_error_status_is_the_api_error() {
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let status = wire::StatusProto {
        status: Some("Failure".into()),
        message: Some("configmaps is forbidden".into()),
        reason: Some("Forbidden".into()),
        details: None,
        code: Some(403),
    };
    let server = serve(handle, vec![(403, envelope(&status.encode_to_vec()))]);
    let err = list::<Name, _>(&api(service), &ListParams::default())
        .await
        .expect_err("forbidden");
    assert!(err.is_forbidden(), "{err}");
    assert!(err.to_string().contains("configmaps is forbidden"), "{err}");
    server.await.expect("server");
}

#[tokio::test]
async fn lean_lists_drop_managed_fields_and_keep_the_rest() {
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let page = serde_json::json!({"kind": "ConfigMapList", "apiVersion": "v1", "metadata": {},
        "items": [{"metadata": {"name": "a", "labels": {"app": "web"},
                                "managedFields": [{"manager": "kubectl", "operation": "Apply",
                                                   "fieldsType": "FieldsV1",
                                                   "fieldsV1": {"f:data": {"f:k": {}}}}]},
                   "data": {"k": "v"}}]});
    let server = serve(
        handle,
        vec![(200, serde_json::to_vec(&page).expect("json"))],
    );
    let items = list_lean(&api(service), &ListParams::default())
        .await
        .expect("list");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].metadata.managed_fields, None);
    assert_eq!(
        items[0].metadata.labels,
        Some([("app".into(), "web".into())].into())
    );
    assert_eq!(items[0].data, Some([("k".into(), "v".into())].into()));
    server.await.expect("server");
}
