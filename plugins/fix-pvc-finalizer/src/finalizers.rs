//! What each storage finalizer protects, who removes it, and when removing it by hand is safe.
//!
//! The FAQ's `{"metadata":{"finalizers":null}}` drops all of them at once. Each one exists for a
//! reason, so the plugin names the controller that should have removed it and removes only those
//! whose reason is provably gone; finalizers it does not know are left alone and reported.

use serde::Serialize;

pub const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
pub const PV_PROTECTION: &str = "kubernetes.io/pv-protection";
pub const PV_CONTROLLER: &str = "kubernetes.io/pv-controller";
pub const PROVISIONER: &str = "external-provisioner.volume.kubernetes.io/finalizer";
pub const ATTACHER_PREFIX: &str = "external-attacher/";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Family {
    /// `kubernetes.io/pvc-protection`: the claim is in use by a scheduled pod.
    ClaimProtection,
    /// `kubernetes.io/pv-protection`: the volume is bound to a claim.
    VolumeProtection,
    /// `external-attacher/<driver>`: the volume may still be attached to a node.
    Attacher,
    /// `kubernetes.io/pv-controller`, `external-provisioner.volume.kubernetes.io/finalizer`: the
    /// backend volume has not been deleted yet.
    BackendCleanup,
    /// Anything else: another controller's business.
    Other,
}

pub fn family(finalizer: &str) -> Family {
    match finalizer {
        PVC_PROTECTION => Family::ClaimProtection,
        PV_PROTECTION => Family::VolumeProtection,
        PV_CONTROLLER | PROVISIONER => Family::BackendCleanup,
        f if f.starts_with(ATTACHER_PREFIX) => Family::Attacher,
        _ => Family::Other,
    }
}

/// Who removes the finalizer, and what it waits for.
pub fn removed_by(finalizer: &str) -> String {
    match family(finalizer) {
        Family::ClaimProtection => {
            "the PVC-protection controller (kube-controller-manager), once no scheduled pod uses the claim".into()
        }
        Family::VolumeProtection => {
            "the PV-protection controller (kube-controller-manager), once the volume is no longer Bound to a claim".into()
        }
        Family::Attacher => format!(
            "the CSI external-attacher of driver {}, once the volume is detached from the node",
            finalizer.trim_start_matches(ATTACHER_PREFIX)
        ),
        Family::BackendCleanup if finalizer == PV_CONTROLLER => {
            "the PV controller (kube-controller-manager), once the backend volume is deleted".into()
        }
        Family::BackendCleanup => {
            "the CSI external-provisioner, once it has deleted the backend volume".into()
        }
        Family::Other => "another controller (not a storage finalizer this tool knows)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(family(PVC_PROTECTION), Family::ClaimProtection);
        assert_eq!(family(PV_PROTECTION), Family::VolumeProtection);
        assert_eq!(family("external-attacher/csi-qingcloud"), Family::Attacher);
        assert_eq!(family(PROVISIONER), Family::BackendCleanup);
        assert_eq!(family(PV_CONTROLLER), Family::BackendCleanup);
        assert_eq!(
            family("snapshot.storage.kubernetes.io/pvc-as-source-protection"),
            Family::Other
        );
        assert!(removed_by("external-attacher/csi-qingcloud").contains("csi-qingcloud"));
    }
}
