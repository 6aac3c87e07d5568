//! Who removes each finalizer Kubernetes itself sets, and what it waits for.
//!
//! A finalizer is a promise that a controller cleans up and then removes it; removing one by hand
//! is safe only when its reason is gone. Plugins name the controller that should have acted instead
//! of dropping every finalizer at once.

use std::borrow::Cow;

pub const NAMESPACE: &str = "kubernetes";
pub const FOREGROUND_DELETION: &str = "foregroundDeletion";
pub const ORPHAN: &str = "orphan";
pub const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
pub const PV_PROTECTION: &str = "kubernetes.io/pv-protection";
pub const PV_CONTROLLER: &str = "kubernetes.io/pv-controller";
pub const PROVISIONER: &str = "external-provisioner.volume.kubernetes.io/finalizer";
/// `external-attacher/<CSI driver>`.
pub const ATTACHER_PREFIX: &str = "external-attacher/";
pub const JOB_TRACKING: &str = "batch.kubernetes.io/job-tracking";
pub const LOAD_BALANCER_CLEANUP: &str = "service.kubernetes.io/load-balancer-cleanup";
pub const CRD_CLEANUP: &str = "customresourcecleanup.apiextensions.k8s.io";
pub const LEGACY_TOKEN: &str = "kubernetes.io/legacy-token-invalid";

/// A finalizer Kubernetes itself owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builtin {
    /// The component and controller that removes it: `kube-controller-manager: pv-protection controller`.
    pub remover: Cow<'static, str>,
    /// What it waits for: `once the volume is no longer bound to a claim`.
    pub when: &'static str,
}

impl Builtin {
    /// `remover, when`: one phrase for a report.
    pub fn removed_by(&self) -> String {
        format!("{}, {}", self.remover, self.when)
    }
}

/// Exactly named built-in finalizers: (name, remover, what it waits for).
const REGISTRY: &[(&str, &str, &str)] = &[
    (
        NAMESPACE,
        "kube-controller-manager: namespace controller",
        "once every object in the namespace is gone",
    ),
    (
        FOREGROUND_DELETION,
        "kube-controller-manager: garbage collector",
        "once dependents with blockOwnerDeletion=true are deleted",
    ),
    (
        ORPHAN,
        "kube-controller-manager: garbage collector",
        "once dependents' ownerReferences to this object are dropped",
    ),
    (
        PVC_PROTECTION,
        "kube-controller-manager: pvc-protection controller",
        "once no scheduled Pod uses the claim",
    ),
    (
        PV_PROTECTION,
        "kube-controller-manager: pv-protection controller",
        "once the volume is no longer bound to a claim",
    ),
    (
        PV_CONTROLLER,
        "kube-controller-manager: persistentvolume controller",
        "once the backend volume is deleted",
    ),
    (
        PROVISIONER,
        "CSI external-provisioner",
        "once it has deleted the backend volume",
    ),
    (
        JOB_TRACKING,
        "kube-controller-manager: job controller",
        "once the Job controller has counted the Pod",
    ),
    (
        LOAD_BALANCER_CLEANUP,
        "cloud-controller-manager: service controller",
        "once the cloud load balancer is deleted",
    ),
    (
        CRD_CLEANUP,
        "kube-apiserver: CRD finalizer",
        "once every custom resource of the CRD is deleted",
    ),
    (
        LEGACY_TOKEN,
        "kube-controller-manager: legacy service account token cleaner",
        "once it deletes the invalidated token",
    ),
];

/// Who removes `finalizer`, when Kubernetes (or a standard CSI sidecar) owns it.
pub fn builtin(finalizer: &str) -> Option<Builtin> {
    if let Some(driver) = finalizer.strip_prefix(ATTACHER_PREFIX) {
        return Some(Builtin {
            remover: format!("CSI external-attacher of driver {driver}").into(),
            when: "once the volume is detached from the node",
        });
    }
    REGISTRY
        .iter()
        .find(|(name, ..)| *name == finalizer)
        .map(|(_, remover, when)| Builtin {
            remover: Cow::Borrowed(remover),
            when,
        })
}

/// [`Builtin::removed_by`], or "another controller" for a finalizer Kubernetes does not own.
pub fn removed_by(finalizer: &str) -> String {
    builtin(finalizer).map_or_else(
        || "another controller (not a finalizer Kubernetes itself owns)".to_owned(),
        |b| b.removed_by(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_who_removes_each_builtin() {
        let pvc = builtin(PVC_PROTECTION).expect("pvc-protection");
        assert!(pvc.remover.contains("pvc-protection controller"));
        assert_eq!(
            removed_by("external-attacher/csi-qingcloud"),
            "CSI external-attacher of driver csi-qingcloud, once the volume is detached from the node"
        );
        assert!(builtin(NAMESPACE).is_some_and(|b| b.remover.contains("namespace controller")));
        assert!(builtin(CRD_CLEANUP).is_some_and(|b| b.remover.starts_with("kube-apiserver")));
        assert_eq!(builtin("example.com/cleanup"), None);
        assert!(removed_by("example.com/cleanup").starts_with("another controller"));
    }
}
