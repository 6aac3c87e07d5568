//! Command line of `kubectl fix-pvc-finalizer`.
//!
//! The bare command only explains; nothing changes without `--fix`. The two overrides are named
//! after what they override (a claim still in use, a volume still attachable) so that nobody types
//! them by accident and a reviewer reading shell history knows what was waived.

use clap::{Args, Parser};
use firstaid::{AllNamespacesArg, KubeArgs, MutationArgs, OutputArgs};

/// Unstick PVCs, PVs and VolumeAttachments without losing data.
///
/// Lists every PersistentVolumeClaim, PersistentVolume and VolumeAttachment that is stuck
/// Terminating on a finalizer, and every VolumeAttachment whose node no longer exists, and says
/// what each finalizer is waiting for: the pod that still uses the claim (and whether its node
/// exists and is Ready), the claim still bound to the volume, the node the volume is still
/// attached to. With --fix it removes only the finalizers whose reason is gone — never the
/// protection of a claim a pod still uses, or of an attachment whose node can still detach it,
/// unless you name the override.
///
/// Claims in phase Lost (their volume was deleted) are listed too, with what the volume's
/// reclaim policy meant for the data and the command that re-creates the claim; --fix deletes a
/// Lost claim (backed up first) only when no pod uses it.
///
/// Objects: NAME (a PVC in the namespace), pvc/NAME, pv/NAME, volumeattachment/NAME, or pod/NAME
/// (follows the pod's claims to their volumes and attachments).
#[derive(Parser, Debug, Clone)]
#[command(
    name = "kubectl fix-pvc-finalizer",
    bin_name = "kubectl fix-pvc-finalizer",
    version,
    after_long_help = after_help()
)]
pub struct Cli {
    /// Objects to look at (default: everything stuck in the namespace, or with -A everywhere)
    #[arg(value_name = "OBJECT")]
    pub objects: Vec<String>,
    #[command(flatten)]
    pub kube: KubeArgs,
    #[command(flatten)]
    pub all: AllNamespacesArg,
    #[command(flatten)]
    pub fix: FixArgs,
    #[command(flatten)]
    pub mutation: MutationArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub exit_code: firstaid::ExitCodeArg,
}

#[derive(Args, Debug, Clone, Copy, Default)]
#[command(next_help_heading = "Fixing")]
pub struct FixArgs {
    /// Remove the finalizers that are safe to remove (after showing the plan and asking)
    #[arg(long)]
    pub fix: bool,
    /// Also release claims that a running or schedulable pod still uses (the pod loses its
    /// volume; with reclaimPolicy Delete the backend disk is deleted)
    #[arg(long, requires = "fix")]
    pub force_in_use: bool,
    /// Also drop attacher finalizers of VolumeAttachments whose node still exists (the volume may
    /// stay attached to that node)
    #[arg(long, requires = "fix")]
    pub force_attached: bool,
}

fn after_help() -> String {
    format!(
        "Examples:\n  \
         # What is stuck in this namespace, and why\n  \
         kubectl fix-pvc-finalizer\n\n  \
         # Everywhere, as JSON\n  \
         kubectl fix-pvc-finalizer -A -o json\n\n  \
         # Follow a pod stuck in ContainerCreating to its claim, volume and stale attachment\n  \
         kubectl fix-pvc-finalizer -n demo pod/nginx-perf-7\n\n  \
         # Show the plan only, then apply it\n  \
         kubectl fix-pvc-finalizer data-mysql-0 --fix --dry-run\n  \
         kubectl fix-pvc-finalizer data-mysql-0 --fix\n\n\
         {}",
        firstaid::exit::help_text()
    )
}
