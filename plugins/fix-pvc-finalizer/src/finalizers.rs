//! What each storage finalizer protects, and so which safety check applies before removing it by
//! hand (who removes it is [`firstaid::k8s::finalizers`]).
//!
//! The FAQ's `{"metadata":{"finalizers":null}}` drops all of them at once. Each one exists for a
//! reason, so the plugin names the controller that should have removed it and removes only those
//! whose reason is provably gone; finalizers it does not know are left alone and reported.

use serde::Serialize;

pub use firstaid::k8s::finalizers::{
    ATTACHER_PREFIX, PROVISIONER, PV_CONTROLLER, PV_PROTECTION, PVC_PROTECTION, removed_by,
};

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
