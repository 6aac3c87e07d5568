//! The fix: a plan built from the findings' decisions, carried out by the shared Applier with the
//! safety rules as its guard, then a check that each object is really gone.
//!
//! Phases make the order explicit: pods stranded on vanished nodes are force-deleted and orphaned
//! attachments deleted first (0), then claim and attachment finalizers go (1), then volume
//! finalizers (2) — a volume is released only after what held it is gone, and if an earlier
//! phase fails the Applier does not start the later ones.

use firstaid::k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
use firstaid::k8s_openapi::api::storage::v1::VolumeAttachment;
use firstaid::kube::api::{Api, DynamicObject};
use firstaid::{Action, Kube, Plan, Result, Risk, Step, Target};
use serde::Serialize;
use serde_json::Value;

use crate::diagnose::{Finding, Kind};
use crate::inventory::{Index, name_of, namespace_of};
use crate::safety::{
    Decision, Overrides, attachment_rule, claim_rule, stranded_pod_rule, volume_rule,
};

/// Builds the plan for every finding whose decision is Release.
pub fn plan(findings: &[Finding], index: &Index) -> Plan {
    let mut plan = Plan::default();
    for f in findings {
        let Decision::Release {
            finalizers,
            delete_first,
            force_delete_pods,
        } = &f.decision
        else {
            continue;
        };
        let Some(target) = target_of(f, index) else {
            continue;
        };
        for p in force_delete_pods {
            let Some(pod) = index.inv.pods.iter().find(|x| {
                namespace_of(&x.metadata) == p.namespace && name_of(&x.metadata) == p.name
            }) else {
                continue;
            };
            plan.push(
                Step::new(
                    Target::of(&*pod.pod),
                    Action::Delete {
                        grace_period_seconds: Some(0),
                    },
                    format!(
                        "holds claim {} from node {}, which no longer exists",
                        f.name,
                        p.node.as_deref().unwrap_or_default()
                    ),
                )
                .risk(Risk::High)
                .phase(0),
            );
        }
        // The reclaim policy matters when the claim or volume goes, not an attachment.
        let deletes_backend = f.kind != Kind::VolumeAttachment
            && f.volume
                .as_ref()
                .is_some_and(crate::diagnose::VolumeInfo::deletes_backend);
        let risk = if f.warnings.iter().any(|w| w.contains("still used by")) || deletes_backend {
            Risk::High
        } else {
            Risk::Medium
        };
        let cluster_wide = f.kind != Kind::PersistentVolumeClaim;
        if *delete_first {
            let mut step = Step::new(
                target.clone(),
                Action::Delete {
                    grace_period_seconds: None,
                },
                f.summary.clone(),
            )
            .risk(risk)
            .phase(0);
            if cluster_wide {
                step = step.cluster_wide();
            }
            plan.push(step);
        }
        if !finalizers.is_empty() {
            let phase = if f.kind == Kind::PersistentVolume {
                2
            } else {
                1
            };
            let mut step = Step::new(
                target,
                Action::RemoveFinalizers {
                    finalizers: finalizers.clone(),
                },
                f.summary.clone(),
            )
            .risk(risk)
            .phase(phase);
            if cluster_wide {
                step = step.cluster_wide();
            }
            plan.push(step);
        }
        plan.warnings.extend(f.warnings.iter().cloned());
    }
    plan
}

fn target_of(f: &Finding, index: &Index) -> Option<Target> {
    match f.kind {
        Kind::PersistentVolumeClaim => index
            .claim(f.namespace.as_deref().unwrap_or_default(), &f.name)
            .map(Target::of),
        Kind::PersistentVolume => index.volume(&f.name).map(Target::of),
        Kind::VolumeAttachment => index
            .inv
            .attachments
            .iter()
            .find(|va| name_of(&va.metadata) == f.name)
            .map(Target::of),
    }
}

/// A refusal, for the exit status and the JSON document.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    pub object: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub override_flag: Option<String>,
}

/// The refusals as the error the run ends with (exit 4, naming every override that would allow
/// them), or `None` when nothing was refused.
pub fn refusal_error(refused: &[Refusal]) -> Option<firstaid::Error> {
    if refused.is_empty() {
        return None;
    }
    let mut flags: Vec<&str> = refused
        .iter()
        .filter_map(|r| r.override_flag.as_deref())
        .collect();
    flags.sort_unstable();
    flags.dedup();
    let message = refused
        .iter()
        .map(|r| r.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Some(firstaid::Error::Unsafe {
        message,
        override_flag: flags.join(" / "),
    })
}

pub fn refusals(findings: &[Finding]) -> Vec<Refusal> {
    findings
        .iter()
        .filter_map(|f| match &f.decision {
            Decision::Refuse {
                message,
                override_flag,
            } => Some(Refusal {
                object: f.object(),
                message: message.clone(),
                override_flag: override_flag.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// The Applier's guard: the same rule that planned the step, asked again on the object as it is
/// now and on the watched state of everything else. `Some(reason)` skips the step.
pub fn recheck(step: &Step, current: &Value, index: &Index, o: Overrides) -> Option<String> {
    // Through text, not `from_value`: the pager and kube's watches already decode these types
    // from a `str`, and another reader would link a second copy of each type's decoder (Pod and
    // PersistentVolume are large) into the binary for one object per step.
    fn parse<K: serde::de::DeserializeOwned>(v: &Value) -> std::result::Result<K, String> {
        serde_json::to_string(v)
            .and_then(|text| serde_json::from_str(&text))
            .map_err(|e| format!("cannot read the object: {e}"))
    }
    let decision = match step.target.kind.as_str() {
        "Pod" => {
            return match parse::<Pod>(current) {
                Ok(pod) => stranded_pod_rule(&pod, index),
                Err(e) => Some(e),
            };
        }
        "PersistentVolumeClaim" => {
            parse::<PersistentVolumeClaim>(current).map(|c| claim_rule(&c, index, o))
        }
        "PersistentVolume" => parse::<PersistentVolume>(current).map(|v| volume_rule(&v, index, o)),
        "VolumeAttachment" => {
            parse::<VolumeAttachment>(current).map(|a| attachment_rule(&a, index, o))
        }
        other => Err(format!("unexpected kind {other}")),
    };
    match decision {
        Err(e) => Some(e),
        Ok(Decision::Release { .. }) => None,
        Ok(Decision::Refuse { message, .. }) => Some(format!("no longer safe: {message}")),
        Ok(Decision::Leave { reason }) => Some(reason),
    }
}

/// After the fix: is each object gone, and if not, what still holds it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub object: String,
    pub gone: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remaining_finalizers: Vec<String>,
    pub detail: String,
}

pub async fn verify(kube: &Kube, plan: &Plan) -> Result<Vec<Verification>> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for step in &plan.steps {
        let t = &step.target;
        if !seen.insert((t.kind.clone(), t.namespace.clone(), t.name.clone())) {
            continue;
        }
        let ar = t.api_resource();
        let api: Api<DynamicObject> = match &t.namespace {
            Some(ns) => Api::namespaced_with(kube.client.clone(), ns, &ar),
            None => Api::all_with(kube.client.clone(), &ar),
        };
        let object = match &t.namespace {
            Some(ns) => format!("{ns}/{}", t.display()),
            None => t.display(),
        };
        let current = firstaid::concurrency::with_retry(|| async {
            api.get_opt(&t.name).await.map_err(firstaid::Error::from)
        })
        .await?;
        out.push(match current {
            Some(obj) if t.uid.is_none() || obj.metadata.uid == t.uid => {
                let remaining = obj.metadata.finalizers.clone().unwrap_or_default();
                let detail = if remaining.is_empty() {
                    "still present without finalizers (deletion in progress?)".to_owned()
                } else {
                    format!(
                        "still present, held by {}",
                        remaining
                            .iter()
                            .map(|f| format!("{f} ({})", crate::finalizers::removed_by(f)))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                };
                Verification {
                    object,
                    gone: false,
                    remaining_finalizers: remaining,
                    detail,
                }
            }
            _ => Verification {
                object,
                gone: true,
                remaining_finalizers: Vec::new(),
                detail: "gone".into(),
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
