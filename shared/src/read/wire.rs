//! The protobuf framing of a Kubernetes response: the `k8s\0` envelope around a
//! `runtime.Unknown`, a `…List` page read in one pass (its `continue` token handed on before the
//! items are decoded), and `meta/v1` Status for errors, which come back in the negotiated encoding
//! too. Tag numbers are those of k8s.io/apimachinery `generated.proto`; tags never change once
//! released.

use bytes::{Buf, Bytes};
use kube::core::Status;
use kube::core::response::StatusDetails;
use prost::Message;
use prost::encoding::{WireType, decode_key, decode_varint, skip_field};
use tokio::sync::oneshot;

use crate::error::{Error, Result};

/// Every protobuf-encoded Kubernetes object starts with this, then a `runtime.Unknown`.
pub const MAGIC: &[u8] = b"k8s\0";

#[derive(Clone, PartialEq, Message)]
pub(crate) struct Unknown {
    #[prost(bytes = "bytes", optional, tag = "2")]
    pub raw: Option<Bytes>,
}

#[derive(Clone, PartialEq, Message)]
struct ListMeta {
    #[prost(string, optional, tag = "3")]
    continue_: Option<String>,
}

/// `meta/v1` Status.
#[derive(Clone, PartialEq, Message)]
pub(crate) struct StatusProto {
    #[prost(string, optional, tag = "2")]
    pub status: Option<String>,
    #[prost(string, optional, tag = "3")]
    pub message: Option<String>,
    #[prost(string, optional, tag = "4")]
    pub reason: Option<String>,
    #[prost(message, optional, tag = "5")]
    pub details: Option<StatusDetailsProto>,
    #[prost(int32, optional, tag = "6")]
    pub code: Option<i32>,
}

#[derive(Clone, PartialEq, Message)]
pub(crate) struct StatusDetailsProto {
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    #[prost(string, optional, tag = "3")]
    pub kind: Option<String>,
    #[prost(int32, optional, tag = "5")]
    pub retry_after_seconds: Option<i32>,
}

/// The object inside the envelope; `None` when the body is not protobuf (a JSON answer).
pub fn unwrap_envelope(body: &[u8]) -> Result<Option<Bytes>> {
    let Some(rest) = body.strip_prefix(MAGIC) else {
        return Ok(None);
    };
    let unknown = Unknown::decode(rest).map_err(|e| malformed(&e))?;
    Ok(Some(unknown.raw.unwrap_or_default()))
}

fn malformed(e: &prost::DecodeError) -> Error {
    Error::Other(format!("malformed protobuf from the API server: {e}"))
}

/// Decodes a protobuf `…List` (envelope removed) item by item with `item`, sending the
/// `continue` token (`None` on the last page) as soon as the list metadata has been read. The API
/// server writes the metadata (field 1) before the items (field 2), so the next page is requested
/// before this one's items are decoded.
pub fn decode_list<W: Message + Default, T>(
    mut list: Bytes,
    token: oneshot::Sender<Option<String>>,
    mut item: impl FnMut(W) -> T,
) -> Result<Vec<T>> {
    let mut token = Some(token);
    let mut items = Vec::new();
    while list.has_remaining() {
        let (tag, wire_type) = decode_key(&mut list).map_err(|e| malformed(&e))?;
        match (tag, wire_type) {
            (1 | 2, WireType::LengthDelimited) => {
                let len = usize::try_from(decode_varint(&mut list).map_err(|e| malformed(&e))?)
                    .unwrap_or(usize::MAX);
                if len > list.remaining() {
                    return Err(Error::Other(
                        "malformed protobuf from the API server: a list field runs past the end"
                            .into(),
                    ));
                }
                let field = list.split_to(len);
                if tag == 1 {
                    let meta = ListMeta::decode(field).map_err(|e| malformed(&e))?;
                    send(&mut token, meta.continue_.filter(|t| !t.is_empty()));
                } else {
                    items.push(item(W::decode(field).map_err(|e| malformed(&e))?));
                }
            }
            _ => skip_field(
                wire_type,
                tag,
                &mut list,
                prost::encoding::DecodeContext::default(),
            )
            .map_err(|e| malformed(&e))?,
        }
    }
    send(&mut token, None);
    Ok(items)
}

fn send(token: &mut Option<oneshot::Sender<Option<String>>>, value: Option<String>) {
    if let Some(token) = token.take() {
        // The receiver only goes away when the whole listing was abandoned.
        let _ = token.send(value);
    }
}

/// The Status in an error body, whatever its encoding; the raw text when it is none.
pub fn status(code: u16, body: &[u8]) -> Status {
    if let Ok(Some(raw)) = unwrap_envelope(body)
        && let Ok(s) = StatusProto::decode(raw)
    {
        let mut status = Status::failure(
            s.message.as_deref().unwrap_or_default(),
            s.reason.as_deref().unwrap_or_default(),
        )
        .with_code(s.code.and_then(|c| u16::try_from(c).ok()).unwrap_or(code));
        status.details = s.details.map(|d| StatusDetails {
            name: d.name.unwrap_or_default(),
            group: String::new(),
            kind: d.kind.unwrap_or_default(),
            uid: String::new(),
            causes: Vec::new(),
            retry_after_seconds: d
                .retry_after_seconds
                .and_then(|s| u32::try_from(s).ok())
                .unwrap_or(0),
        });
        return status;
    }
    if let Ok(s) = serde_json::from_slice::<Status>(body) {
        return s;
    }
    let text = String::from_utf8_lossy(body);
    Status::failure(text.trim(), "Failed to parse error data").with_code(code)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn envelope(inner: &[u8]) -> Vec<u8> {
        let mut body = MAGIC.to_vec();
        Unknown {
            raw: Some(Bytes::copy_from_slice(inner)),
        }
        .encode(&mut body)
        .expect("encode");
        body
    }

    /// A list page: metadata with `token`, then `items` (already encoded), with an unknown field
    /// (remainingItemCount-like varint, tag 4) the decoder must skip.
    pub fn list_page(token: &str, items: &[Vec<u8>]) -> Vec<u8> {
        let mut list = Vec::new();
        prost::encoding::message::encode(
            1,
            &ListMeta {
                continue_: Some(token.into()),
            },
            &mut list,
        );
        prost::encoding::int64::encode(4, &7, &mut list);
        for item in items {
            prost::encoding::bytes::encode(2, item, &mut list);
        }
        envelope(&list)
    }

    #[derive(Clone, PartialEq, Message)]
    struct Named {
        #[prost(string, optional, tag = "1")]
        name: Option<String>,
    }

    fn decode(body: &[u8]) -> (Result<Vec<String>>, Option<String>) {
        let (tx, mut rx) = oneshot::channel();
        let items = unwrap_envelope(body).and_then(|list| {
            decode_list(list.unwrap_or_default(), tx, |n: Named| {
                n.name.unwrap_or_default()
            })
        });
        (items, rx.try_recv().ok().flatten())
    }

    #[test]
    fn a_page_gives_its_token_and_items_in_order() {
        let items: Vec<Vec<u8>> = ["a", "b"]
            .iter()
            .map(|n| {
                Named {
                    name: Some((*n).into()),
                }
                .encode_to_vec()
            })
            .collect();
        let (names, token) = decode(&list_page("next", &items));
        assert_eq!(names.expect("items"), ["a", "b"]);
        assert_eq!(token.as_deref(), Some("next"));
        let (names, token) = decode(&list_page("", &items[..1]));
        assert_eq!((names.expect("items").len(), token), (1, None));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for body in [&b"k8s\0\x12\xff\xff"[..], b"k8s\0\x0a"] {
            assert!(decode(body).0.is_err(), "{body:?}");
        }
        // A list whose item length runs past the end.
        assert!(decode(&envelope(b"\x12\x7f\x0a")).0.is_err());
        assert!(decode(&envelope(b"\x12\x02\xff\xff")).0.is_err());
    }

    #[test]
    fn errors_are_read_in_either_encoding() {
        let forbidden = StatusProto {
            status: Some("Failure".into()),
            message: Some("pods is forbidden: User \"x\" cannot list resource \"pods\"".into()),
            reason: Some("Forbidden".into()),
            details: Some(StatusDetailsProto {
                name: None,
                kind: Some("pods".into()),
                retry_after_seconds: None,
            }),
            code: Some(403),
        };
        let s = status(403, &envelope(&forbidden.encode_to_vec()));
        assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
        assert!(s.message.starts_with("pods is forbidden"));
        let s = status(
            429,
            br#"{"kind":"Status","status":"Failure","message":"slow down","reason":"TooManyRequests","code":429,"details":{"retryAfterSeconds":2}}"#,
        );
        assert_eq!(s.details.map(|d| d.retry_after_seconds), Some(2));
        let s = status(502, b"<html>bad gateway</html>");
        assert_eq!(
            (s.code, s.message.as_str()),
            (502, "<html>bad gateway</html>")
        );
    }
}
