//! Who owns a pod, named as the user created it: the controlling ownerReference, with a
//! ReplicaSet shown as its Deployment and a Job as its CronJob when their names say so.
//!
//! Resolved from the pod alone (its ownerReferences and `pod-template-hash` label), by the naming
//! rules the Deployment and CronJob controllers follow, so no ReplicaSet or Job has to be read.

use k8s_openapi::api::core::v1::Pod;

/// The label the Deployment controller puts on every pod of a ReplicaSet it made; the ReplicaSet is
/// named `<deployment>-<hash>`.
pub const TEMPLATE_HASH_LABEL: &str = "pod-template-hash";

/// A CronJob names each Job `<cronjob>-<scheduled time in Unix minutes>`; a shorter number suffix
/// (`migrate-2`) is a hand-made Job's, not a schedule's.
const SCHEDULE_DIGITS: usize = 8;

/// One `metadata.ownerReferences` entry, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnerRef<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub controller: bool,
}

/// The owner to show and to act through (`Deployment/web`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner<'a> {
    pub kind: &'a str,
    pub name: &'a str,
}

impl std::fmt::Display for Owner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind, self.name)
    }
}

impl<'a> Owner<'a> {
    /// From a compact projection: the pod's ownerReferences and its `pod-template-hash` label.
    /// The controller reference wins; without one, the first reference.
    pub fn resolve(refs: &[OwnerRef<'a>], template_hash: Option<&str>) -> Option<Self> {
        let owner = refs
            .iter()
            .find(|r| r.controller)
            .or_else(|| refs.first())?;
        let named = |kind, name| Some(Owner { kind, name });
        match owner.kind {
            "ReplicaSet" => match template_hash
                .and_then(|hash| owner.name.strip_suffix(hash)?.strip_suffix('-'))
            {
                Some(deployment) => named("Deployment", deployment),
                None => named(owner.kind, owner.name),
            },
            "Job" => match owner.name.rsplit_once('-') {
                Some((cronjob, minutes))
                    if !cronjob.is_empty()
                        && minutes.len() >= SCHEDULE_DIGITS
                        && minutes.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    named("CronJob", cronjob)
                }
                _ => named(owner.kind, owner.name),
            },
            _ => named(owner.kind, owner.name),
        }
    }

    pub fn of_pod(pod: &'a Pod) -> Option<Self> {
        let refs: Vec<OwnerRef<'a>> = pod
            .metadata
            .owner_references
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|r| OwnerRef {
                kind: &r.kind,
                name: &r.name,
                controller: r.controller == Some(true),
            })
            .collect();
        let hash = pod
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(TEMPLATE_HASH_LABEL))
            .map(String::as_str);
        Owner::resolve(&refs, hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(kind: &'static str, name: &'static str, hash: Option<&str>) -> Option<String> {
        let refs = [OwnerRef {
            kind,
            name,
            controller: true,
        }];
        Owner::resolve(&refs, hash).map(|o| o.to_string())
    }

    #[test]
    fn replicasets_and_jobs_resolve_by_their_controllers_naming_rules() {
        let rs = |hash| owner("ReplicaSet", "web-7d4fc654bb", hash);
        assert_eq!(rs(Some("7d4fc654bb")).as_deref(), Some("Deployment/web"));
        assert_eq!(rs(None).as_deref(), Some("ReplicaSet/web-7d4fc654bb"));
        assert_eq!(
            rs(Some("other")).as_deref(),
            Some("ReplicaSet/web-7d4fc654bb")
        );
        let job = |name| owner("Job", name, None);
        assert_eq!(job("backup-29461860").as_deref(), Some("CronJob/backup"));
        assert_eq!(job("migrate-2").as_deref(), Some("Job/migrate-2"));
        assert_eq!(job("db-backup-v2").as_deref(), Some("Job/db-backup-v2"));
        let sts = owner("StatefulSet", "db", None);
        assert_eq!(sts.as_deref(), Some("StatefulSet/db"));
    }

    #[test]
    fn the_controller_reference_wins_and_bare_pods_have_none() {
        let refs = [
            OwnerRef {
                kind: "ConfigMap",
                name: "anchor",
                controller: false,
            },
            OwnerRef {
                kind: "StatefulSet",
                name: "db",
                controller: true,
            },
        ];
        let resolved = Owner::resolve(&refs, None).map(|o| o.to_string());
        assert_eq!(resolved.as_deref(), Some("StatefulSet/db"));
        assert_eq!(
            Owner::resolve(&refs[..1], None)
                .map(|o| o.to_string())
                .as_deref(),
            Some("ConfigMap/anchor")
        );
        assert_eq!(Owner::resolve(&[], None), None);
        let pod: Pod = serde_json::from_value(serde_json::json!({"metadata": {
            "name": "web-7d4fc654bb-x", "labels": {"pod-template-hash": "7d4fc654bb"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "name": "web-7d4fc654bb", "uid": "u", "controller": true}]}}))
        .expect("pod");
        assert_eq!(
            Owner::of_pod(&pod),
            Some(Owner {
                kind: "Deployment",
                name: "web"
            })
        );
    }
}
