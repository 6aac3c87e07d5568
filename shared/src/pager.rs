//! Paginated lists (`limit`/`continue`), so a 50,000-pod cluster is read a page at a time and a
//! caller that folds pages never holds the whole list.
//!
//! Pipelined: a page's `continue` token is in its list metadata, which the API server writes
//! before the items, so the request for the next page goes out as soon as the decoder has read
//! that far. The server then encodes page N+1 while we decode page N (on a blocking thread, so the
//! async thread keeps receiving) and the caller folds it. On a loaded two-core machine reading
//! 30,000 pods that overlap is most of the difference between "as fast as the server can serve"
//! and the sum of server time and client time. Requests are still strictly one after another
//! (each needs the previous token), so the server sees exactly what `kubectl get --chunk-size`
//! would send.

use std::marker::PhantomData;

use bytes::Bytes;
use futures::FutureExt;
use kube::Client;
use kube::api::{Api, ListParams};
use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use tokio::sync::oneshot;

use crate::concurrency::with_retry;
use crate::error::{Error, Result};

/// Objects per page: kubectl's own default chunk size.
pub const PAGE_SIZE: u32 = 500;

/// Calls `each` with every page of the list, in order.
pub async fn for_each_page<K, F>(api: &Api<K>, params: &ListParams, each: F) -> Result<()>
where
    K: kube::Resource + Clone + DeserializeOwned + Send + 'static,
    F: FnMut(Vec<K>) -> Result<()>,
{
    let client = Client::from(api.clone());
    let url = api.resource_url().to_owned();
    pipelined(
        params,
        |page| fetch_json(client.clone(), url.clone(), page),
        decode_page::<K>,
        each,
    )
    .await
}

/// The paging loop on its own, for a caller with its own wire format (top-real reads pods as
/// protobuf): `fetch` gets one page's raw body for the given params (the `continue` token set
/// from the second page on); `decode` turns a body into items on a blocking thread and sends the
/// page's `continue` token (`None` on the last page) through its sender as early as it can.
pub async fn pipelined<T, Fetch, Fut, Decode, F>(
    params: &ListParams,
    fetch: Fetch,
    decode: Decode,
    mut each: F,
) -> Result<()>
where
    T: Send + 'static,
    Fetch: Fn(ListParams) -> Fut,
    Fut: Future<Output = Result<Bytes>> + Send + 'static,
    Decode: Fn(&[u8], oneshot::Sender<Option<String>>) -> Result<Vec<T>> + Copy + Send + 'static,
    F: FnMut(Vec<T>) -> Result<()>,
{
    let mut page_params = params.clone();
    if page_params.limit.is_none() {
        page_params.limit = Some(PAGE_SIZE);
    }
    // Dropping a remote handle cancels its request: an early error from `each` leaves nothing
    // running behind it.
    let mut next = Some(spawn(fetch(page_params.clone())));
    while let Some(request) = next.take() {
        let body = request.await?;
        let (token_tx, token_rx) = oneshot::channel();
        let decoding = tokio::task::spawn_blocking(move || decode(&body, token_tx));
        // Err: the decoder stopped before the metadata (it reports why below).
        if let Ok(Some(token)) = token_rx.await {
            let mut continued = page_params.clone();
            continued.continue_token = Some(token);
            next = Some(spawn(fetch(continued)));
        }
        let items = decoding
            .await
            .map_err(|e| Error::Other(format!("decoding a list page: {e}")))??;
        each(items)?;
    }
    Ok(())
}

/// The whole list, page by page.
pub async fn list_all<K>(api: &Api<K>, params: &ListParams) -> Result<Vec<K>>
where
    K: kube::Resource + Clone + DeserializeOwned + Send + 'static,
{
    let mut all = Vec::new();
    for_each_page(api, params, |page| {
        all.extend(page);
        Ok(())
    })
    .await?;
    Ok(all)
}

fn spawn<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
) -> futures::future::RemoteHandle<T> {
    let (run, handle) = work.remote_handle();
    tokio::spawn(run);
    handle
}

/// One page's JSON body, undecoded (429s retried).
async fn fetch_json(client: Client, url: String, params: ListParams) -> Result<Bytes> {
    with_retry(|| async {
        let request = kube::core::Request::new(&url)
            .list(&params)
            .map_err(|e| Error::Other(format!("building the list request: {e}")))?;
        let text = client.request_text(request).await.map_err(Error::from)?;
        Ok(Bytes::from(text.into_bytes()))
    })
    .await
    .map_err(expired)
}

/// A 410 while paging means the snapshot the pages come from is gone: say what to do.
pub fn expired(e: Error) -> Error {
    if e.status().is_some_and(|s| s.code == 410) {
        Error::Other(
            "the list changed too much while it was being read (410 Gone); run the command again"
                .into(),
        )
    } else {
        e
    }
}

/// Decodes a `…List` body into its items, sending the `continue` token (or `None` on the last
/// page) through `token` the moment the list metadata has been read.
pub(crate) fn decode_page<K: DeserializeOwned>(
    body: &[u8],
    token: oneshot::Sender<Option<String>>,
) -> Result<Vec<K>> {
    // Read as text, as kube's own requests and watches do (`serde_json::from_str`): a second
    // reader type would link a second copy of every listed type's decoder into the binaries.
    let text = std::str::from_utf8(body)
        .map_err(|e| Error::Other(format!("the list response is not UTF-8: {e}")))?;
    let mut de = serde_json::Deserializer::from_str(text);
    let items = PageSeed {
        token: Some(token),
        item: PhantomData,
    }
    .deserialize(&mut de)
    .and_then(|items| de.end().map(|()| items))
    .map_err(|e| Error::from(kube::Error::SerdeError(e)))?;
    Ok(items)
}

struct PageSeed<K> {
    token: Option<oneshot::Sender<Option<String>>>,
    item: PhantomData<K>,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Field {
    Metadata,
    Items,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct ListMeta {
    #[serde(rename = "continue")]
    continue_: Option<String>,
}

impl<'de, K: Deserialize<'de>> DeserializeSeed<'de> for PageSeed<K> {
    type Value = Vec<K>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Vec<K>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, K: Deserialize<'de>> Visitor<'de> for PageSeed<K> {
    type Value = Vec<K>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a Kubernetes list")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> std::result::Result<Vec<K>, A::Error> {
        let mut items = Vec::new();
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Metadata => {
                    let meta: Option<ListMeta> = map.next_value()?;
                    let next = meta.and_then(|m| m.continue_).filter(|t| !t.is_empty());
                    if let Some(token) = self.token.take() {
                        // The receiver only goes away when the whole listing was abandoned.
                        let _ = token.send(next);
                    }
                }
                Field::Items => items = map.next_value::<Option<Vec<K>>>()?.unwrap_or_default(),
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(token) = self.token.take() {
            let _ = token.send(None);
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::client::Body;

    fn decode(body: &str) -> (Result<Vec<ConfigMap>>, Option<String>) {
        let (tx, mut rx) = oneshot::channel();
        let items = decode_page::<ConfigMap>(body.as_bytes(), tx);
        (items, rx.try_recv().ok().flatten())
    }

    #[test]
    fn token_and_items_are_read_in_either_order() {
        let (items, token) = decode(
            r#"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"abc"},
                "items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}"#,
        );
        assert_eq!(token.as_deref(), Some("abc"));
        assert_eq!(items.expect("items").len(), 2);
        let (items, token) =
            decode(r#"{"items":[{"metadata":{"name":"a"}}],"metadata":{"continue":""}}"#);
        assert_eq!(token, None);
        assert_eq!(items.expect("items").len(), 1);
        let (items, token) = decode(r#"{"items":null}"#);
        assert_eq!((items.expect("items").len(), token), (0, None));
    }

    #[test]
    fn a_broken_page_is_an_error_not_a_panic() {
        for body in [
            "",
            "[]",
            r#"{"items":[{"metadata":5}]}"#,
            r#"{"items":[]} trailing"#,
        ] {
            assert!(decode(body).0.is_err(), "{body}");
        }
    }

    #[tokio::test]
    async fn pages_follow_continue_tokens_in_order() {
        let (service, mut handle) =
            tower_test::mock::pair::<http::Request<Body>, http::Response<Body>>();
        let server = tokio::spawn(async move {
            let mut seen = Vec::new();
            for page in 0..3 {
                let (request, send) = handle.next_request().await.expect("request");
                seen.push(request.uri().to_string());
                let token = if page < 2 {
                    format!("t{}", page + 1)
                } else {
                    String::new()
                };
                let body = serde_json::json!({"kind": "ConfigMapList", "apiVersion": "v1",
                    "metadata": {"continue": token},
                    "items": [{"metadata": {"name": format!("cm{page}")}}]});
                send.send_response(
                    http::Response::builder()
                        .body(Body::from(serde_json::to_vec(&body).expect("json")))
                        .expect("response"),
                );
            }
            seen
        });
        let api: Api<ConfigMap> = Api::namespaced(Client::new(service, "default"), "ns");
        let mut names = Vec::new();
        for_each_page(&api, &ListParams::default(), |page| {
            names.extend(page.into_iter().filter_map(|c| c.metadata.name));
            Ok(())
        })
        .await
        .expect("list");
        assert_eq!(names, ["cm0", "cm1", "cm2"]);
        assert_eq!(
            server.await.expect("server"),
            [
                "/api/v1/namespaces/ns/configmaps?&limit=500",
                "/api/v1/namespaces/ns/configmaps?&limit=500&continue=t1",
                "/api/v1/namespaces/ns/configmaps?&limit=500&continue=t2",
            ]
        );
    }
}
