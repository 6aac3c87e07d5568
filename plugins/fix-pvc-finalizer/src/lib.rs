//! `kubectl fix-pvc-finalizer`: unstick PVCs, PVs and VolumeAttachments without losing data.
//!
//! The FAQs fix a stuck volume object by nulling all its finalizers. Those finalizers are the
//! data-loss protection: `kubernetes.io/pvc-protection` keeps a claim while a pod uses it, the
//! attacher's finalizer keeps an attachment until the disk is detached. This tool finds out what
//! each one still protects (fetch → diagnose, pure), explains it, and with `--fix` removes only the
//! finalizers whose reason is gone, through the shared plan/confirm/backup/apply path (act).

pub mod cli;

mod act;
mod command;
mod diagnose;
mod facts;
mod fetch;
mod finalizers;
mod inventory;
mod live;
mod problems;
mod render;
mod safety;
mod select;

#[cfg(test)]
mod fixtures;

use firstaid::driver::{Context, drive};
use firstaid::{Cancel, Exit, Printer, Result};

use crate::cli::Cli;
use crate::command::FixPvc;
use crate::safety::Overrides;
use crate::select::Named;

const PLUGIN: &str = "fix-pvc-finalizer";

pub async fn run(cli: Cli) -> Result<Exit> {
    let named = select::parse(&cli.objects)?;
    let kube = cli.kube.connect().await?;
    let namespace = kube.scope(cli.all).map(str::to_owned);
    let reaches_any_claim = named
        .iter()
        .any(|n| matches!(n, Named::Volume(_) | Named::Attachment(_)));
    let fixing = cli.mutation.fixing(cli.fix.fix);
    let command = FixPvc {
        named,
        overrides: Overrides {
            force_in_use: cli.fix.force_in_use,
            force_attached: cli.fix.force_attached,
        },
        list_namespace: if reaches_any_claim {
            None
        } else {
            namespace.clone()
        },
        namespace,
        fixing,
    };
    let cancel = Cancel::on_ctrl_c();
    let ctx = Context {
        kube: &kube,
        mutation: &cli.mutation,
        plugin: PLUGIN,
        cancel: &cancel,
        fixing,
        exit_code: cli.exit_code,
    };
    let mut printer = Printer::stdio(cli.output);
    drive(&command, &ctx, &mut printer).await
}
