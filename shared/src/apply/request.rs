//! The request a step sends, computed from the object's current state so that it fails if the
//! object moved on (JSON-patch `test`s, delete preconditions, the namespace's resourceVersion).

use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams, Preconditions};
use serde_json::{Value, json};

use crate::error::Result;
use crate::plan::Action;

/// A request computed from the object's current state.
#[derive(Debug)]
pub(super) enum Request {
    JsonPatch(json_patch::Patch),
    Delete(DeleteParams),
    Finalize(Value),
}

impl Request {
    /// `Err(detail)` when the step has nothing left to do.
    pub(super) fn build(action: &Action, current: &Value) -> std::result::Result<Request, String> {
        let list = |pointer: &str| -> Vec<String> {
            current
                .pointer(pointer)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        match action {
            Action::RemoveFinalizers { finalizers } => {
                let present = list("/metadata/finalizers");
                let remaining: Vec<&String> =
                    present.iter().filter(|f| !finalizers.contains(f)).collect();
                if remaining.len() == present.len() {
                    return Err("finalizer already removed".into());
                }
                let uid = current
                    .pointer("/metadata/uid")
                    .cloned()
                    .unwrap_or(Value::Null);
                let ops = json!([
                    {"op": "test", "path": "/metadata/uid", "value": uid},
                    {"op": "test", "path": "/metadata/finalizers", "value": present},
                    {"op": "replace", "path": "/metadata/finalizers", "value": remaining},
                ]);
                serde_json::from_value(ops)
                    .map(Request::JsonPatch)
                    .map_err(|e| format!("internal: {e}"))
            }
            Action::Delete {
                grace_period_seconds,
            } => Ok(Request::Delete(DeleteParams {
                grace_period_seconds: *grace_period_seconds,
                preconditions: Some(Preconditions {
                    uid: current
                        .pointer("/metadata/uid")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    resource_version: current
                        .pointer("/metadata/resourceVersion")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                }),
                ..DeleteParams::default()
            })),
            Action::FinalizeNamespace { finalizers } => {
                let present = list("/spec/finalizers");
                let remaining: Vec<&String> =
                    present.iter().filter(|f| !finalizers.contains(f)).collect();
                if remaining.len() == present.len() {
                    return Err("spec.finalizers already empty of those".into());
                }
                let mut body = current.clone();
                if let Some(spec) = body.get_mut("spec").and_then(Value::as_object_mut) {
                    spec.insert("finalizers".into(), json!(remaining));
                }
                Ok(Request::Finalize(body))
            }
        }
    }

    pub(super) async fn send(
        &self,
        api: &Api<DynamicObject>,
        name: &str,
        dry_run: bool,
    ) -> Result<()> {
        match self {
            Request::JsonPatch(patch) => {
                let params = PatchParams {
                    dry_run,
                    ..PatchParams::default()
                };
                api.patch(name, &params, &Patch::Json::<()>(patch.clone()))
                    .await?;
            }
            Request::Delete(params) => {
                let params = DeleteParams {
                    dry_run,
                    ..params.clone()
                };
                api.delete(name, &params).await?;
            }
            Request::Finalize(body) => {
                let params = PostParams {
                    dry_run,
                    ..PostParams::default()
                };
                api.replace_subresource("finalize", name, &params, body)
                    .await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finalizer_patch_tests_the_current_list_and_uid() {
        let current =
            json!({"metadata": {"uid": "u1", "finalizers": ["a", "example.com/dead", "b"]}});
        let Ok(Request::JsonPatch(patch)) = Request::build(
            &Action::RemoveFinalizers {
                finalizers: vec!["example.com/dead".into()],
            },
            &current,
        ) else {
            panic!("expected a patch")
        };
        assert_eq!(
            serde_json::to_value(&patch).expect("json"),
            json!([
                {"op": "test", "path": "/metadata/uid", "value": "u1"},
                {"op": "test", "path": "/metadata/finalizers", "value": ["a", "example.com/dead", "b"]},
                {"op": "replace", "path": "/metadata/finalizers", "value": ["a", "b"]},
            ])
        );
        let done = Request::build(
            &Action::RemoveFinalizers {
                finalizers: vec!["gone".into()],
            },
            &current,
        );
        assert!(matches!(done, Err(d) if d.contains("already")));
    }

    #[test]
    fn deletes_carry_preconditions() {
        let current = json!({"metadata": {"uid": "u1", "resourceVersion": "42"}});
        let Ok(Request::Delete(params)) = Request::build(
            &Action::Delete {
                grace_period_seconds: Some(0),
            },
            &current,
        ) else {
            panic!("expected delete")
        };
        assert_eq!(params.grace_period_seconds, Some(0));
        let pre = params.preconditions.expect("preconditions");
        assert_eq!(
            (pre.uid.as_deref(), pre.resource_version.as_deref()),
            (Some("u1"), Some("42"))
        );
    }

    #[test]
    fn finalize_keeps_other_finalizers_and_resource_version() {
        let current = json!({"metadata": {"name": "ns", "resourceVersion": "9"}, "spec": {"finalizers": ["kubernetes", "example.com/x"]}});
        let Ok(Request::Finalize(body)) = Request::build(
            &Action::FinalizeNamespace {
                finalizers: vec!["kubernetes".into()],
            },
            &current,
        ) else {
            panic!("expected finalize")
        };
        assert_eq!(body["spec"]["finalizers"], json!(["example.com/x"]));
        assert_eq!(body["metadata"]["resourceVersion"], "9");
        let empty = json!({"spec": {"finalizers": []}});
        assert!(
            Request::build(
                &Action::FinalizeNamespace {
                    finalizers: vec!["kubernetes".into()]
                },
                &empty
            )
            .is_err()
        );
    }
}
