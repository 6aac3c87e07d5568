//! Reads for `kubectl ns-unstick --all`: one metadata-only list per listable type, all types
//! concurrently, across all namespaces; only objects being deleted and orphans are kept, so
//! memory follows what is stuck, not the cluster.

use std::collections::BTreeSet;

use firstaid::concurrency::bounded;
use firstaid::driver::{Command, Context};
use firstaid::k8s::Timestamp;
use firstaid::output::{Column, Table};
use firstaid::{Printer, Report, Result};
use serde::Serialize;

use crate::diagnose::{LeftoverFinding, Unsearched};
use crate::model::{Leftover, ResourceType};
use crate::scan::{Item, items};
use crate::{discovery, fetch};

/// `kubectl ns-unstick --all -o json|yaml` (kind `StuckObjectList`): `items[]` (group, object,
/// deletionTimestamp, detail, command), `searchedTypes`, `unsearched[]`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    items: &'a [Item],
    searched_types: usize,
    unsearched: &'a [Unsearched],
}

/// Objects being deleted, and namespaced objects outside every existing namespace.
fn keep(objects: Vec<Leftover>, existing: &BTreeSet<String>) -> (Vec<Leftover>, Vec<Leftover>) {
    let (mut stuck, mut orphans) = (Vec::new(), Vec::new());
    for o in objects {
        if o.deletion_timestamp.is_some() {
            stuck.push(o);
        } else if !o.namespace.is_empty() && !existing.contains(&o.namespace) {
            orphans.push(o);
        }
    }
    (stuck, orphans)
}

/// `--all` without a fix, as a read-only [`Command`] of the shared driver.
pub struct AllStuck;

/// What the scan found: stuck objects and orphans by cause, and the types it could not list.
pub struct Found {
    items: Vec<Item>,
    searched_types: usize,
    unsearched: Vec<Unsearched>,
}

impl Command for AllStuck {
    type Found = Found;
    type Verified = ();

    async fn diagnose(&self, ctx: &Context<'_>, _: &mut Printer) -> Result<Found> {
        let (kube, cancel) = (ctx.kube, ctx.cancel);
        let concurrency = ctx.mutation.concurrency.concurrency;
        let client = &kube.client;
        let (namespaces, discovered, api_services, evidence) = futures::join!(
            fetch::namespaces(client),
            discovery::discover(client, concurrency, cancel),
            fetch::api_services(client),
            fetch::controller_evidence(kube),
        );
        let (namespaces, discovered) = (namespaces?, discovered?);
        let existing: BTreeSet<String> = namespaces.iter().map(|n| n.name.clone()).collect();
        // Namespaces were read in full above; every other type is listed here.
        let types: Vec<&ResourceType> = discovered
            .types
            .iter()
            .chain(
                discovered
                    .cluster_types
                    .iter()
                    .filter(|t| !(t.group.is_empty() && t.plural == "namespaces")),
            )
            .collect();
        let lists = bounded(
            types.iter().copied().cloned(),
            concurrency,
            cancel,
            |ty| async move { fetch::list_metadata(client, None, &ty).await },
        )
        .await;
        cancel.check()?;
        let (found, unsearched) = fetch::gather(lists);
        let (stuck, orphans) = keep(found, &existing);
        let now = Timestamp::now();
        let stuck: Vec<LeftoverFinding> = stuck
            .iter()
            .map(|o| LeftoverFinding::of(o, &evidence, now))
            .collect();
        let api_services = api_services.unwrap_or_default();
        let unavailable: Vec<_> = api_services.iter().filter(|a| a.is_unavailable()).collect();
        Ok(Found {
            items: items(&namespaces, &unavailable, &stuck, &orphans, now),
            searched_types: types.len() + 1,
            unsearched,
        })
    }

    fn render(&self, _: &Context<'_>, found: &Found, printer: &mut Printer) -> Result<()> {
        print(
            printer,
            &found.items,
            found.searched_types,
            &found.unsearched,
        )
    }

    fn found_something(&self, found: &Found) -> bool {
        !found.items.is_empty()
    }

    fn document(
        &self,
        found: &Found,
        _: Option<&Report>,
        _: Option<&()>,
        printer: &mut Printer,
    ) -> Result<()> {
        let document = Document {
            items: &found.items,
            searched_types: found.searched_types,
            unsearched: &found.unsearched,
        };
        printer.document("StuckObjectList", &document)
    }
}

fn print(
    printer: &mut Printer,
    found: &[Item],
    searched: usize,
    unsearched: &[Unsearched],
) -> Result<()> {
    let now = Timestamp::now();
    if found.is_empty() {
        printer.note(&format!("Nothing is stuck Terminating and no object outlived its namespace ({searched} resource types searched)."))?;
    }
    let mut i = 0;
    while i < found.len() {
        let group = found[i].group;
        let rows: Vec<&Item> = found[i..].iter().take_while(|x| x.group == group).collect();
        i += rows.len();
        printer.line(&printer.paint(
            &format!("{} ({}):", group.title(), rows.len()),
            firstaid::output::Tone::Bold,
        ))?;
        let mut table = Table::new(vec![
            Column::new("object"),
            Column::new("terminating"),
            Column::new("command"),
            Column::new("why").shrink(),
        ]);
        for item in rows {
            table.push(
                item.object.clone(),
                vec![
                    item.object.clone().into(),
                    firstaid::k8s::age(item.deletion_timestamp, now).into(),
                    item.command.clone().into(),
                    item.detail.clone().into(),
                ],
            );
        }
        printer.table(&table)?;
        printer.line("")?;
    }
    for u in unsearched {
        printer.warn(&format!(
            "could not list {}: {}",
            u.resource.qualified(),
            u.reason
        ))?;
    }
    Ok(())
}
