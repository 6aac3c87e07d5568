//! `kubectl evicted-clean`: explain and clean up evicted and stranded pods (the FAQs on
//! evicted pods, pods stuck Terminating and admission failures).
//!
//! The FAQ's fix is `kubectl get pods | grep Evicted | awk … | xargs kubectl delete pod`: it
//! matches names, deletes one pod per request in series, and explains nothing. Here pods are
//! selected by status, the report says why they were evicted and whether it will happen again
//! (node pressure, requests below usage, eviction brakes), and the deletes go through the shared
//! plan/confirm/backup/apply path with bounded concurrency.
//!
//! Shape: [`fetch`] reads (nodes once, pods streamed page by page); [`select`], [`stuck`],
//! [`nodes`] and [`report`] are pure diagnosis; [`render`] prints; [`act`] builds the plan and the
//! guards the shared Applier runs; [`evicted_run`] and [`stuck_run`] are the two modes as commands
//! of the shared driver, which runs them from diagnosis to exit code.

pub mod act;
pub mod cli;
pub mod evicted_run;
pub mod fetch;
pub mod guard;
pub mod nodes;
pub mod render;
pub mod report;
pub mod select;
pub mod stuck;
pub mod stuck_run;
pub mod verify;

use firstaid::driver::{Context, drive};
use firstaid::{Cancel, Exit, Printer, Result};

use crate::cli::Cli;
use crate::evicted_run::Evicted;
use crate::select::Criteria;
use crate::stuck_run::StuckTerminating;

const PLUGIN: &str = "evicted-clean";

pub async fn run(cli: Cli) -> Result<Exit> {
    let kube = cli.kube.connect().await?;
    let mut printer = Printer::stdio(cli.output);
    let cancel = Cancel::on_ctrl_c();
    let ctx = Context {
        kube: &kube,
        mutation: &cli.mutation,
        plugin: PLUGIN,
        cancel: &cancel,
        fixing: cli.fixing(),
        exit_code: cli.exit_code,
    };
    let scope = kube.scope(cli.all);
    if cli.select.stuck_terminating {
        let command = StuckTerminating { cli: &cli, scope };
        drive(&command, &ctx, &mut printer).await
    } else {
        let select = &cli.select;
        let criteria = Criteria::new(&select.reason, &select.phase, select.older_than);
        let command = Evicted {
            cli: &cli,
            scope,
            criteria,
        };
        drive(&command, &ctx, &mut printer).await
    }
}
