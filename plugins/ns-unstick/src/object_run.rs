//! `kubectl ns-unstick TYPE/NAME…`: reads each object (and a CRD's instances), diagnoses,
//! renders, and with `--fix` removes the dead finalizers through the shared applier.

use firstaid::apply::{Applier, Report};
use firstaid::k8s::Timestamp;
use firstaid::k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use firstaid::kube::api::Api;
use firstaid::plan::Plan;
use firstaid::{Cancel, Error, Exit, Kube, Printer, Result};
use serde::Serialize;

use crate::admission::{self, Labels};
use crate::cli::Cli;
use crate::diagnose::LeftoverFinding;
use crate::model::{ControllerEvidence, Leftover, ResourceType};
use crate::objects::{self, ObjectDiagnosis, ObjectRef};
use crate::{discovery, fetch, fetch_webhooks, render};

/// `kubectl ns-unstick TYPE/NAME -o json|yaml` (kind `ObjectDiagnosis`): `objects[]` (the
/// object's metadata, `finalizers[]` with verdicts, `instances[]` for a CRD, `blockers[]`), and
/// with `--fix` `plan` and `result`.
#[derive(Debug, Serialize)]
struct Document<'a> {
    objects: &'a [ObjectDiagnosis],
    #[serde(skip_serializing_if = "Option::is_none")]
    plan: Option<&'a Plan>,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a Report>,
}

/// The object and, for a CRD, its instances.
async fn read(
    kube: &Kube,
    discovered: &discovery::Discovered,
    r: &ObjectRef,
) -> Result<(Leftover, Option<Vec<Leftover>>)> {
    let (ty, namespaced) = objects::resolve(&r.type_, discovered)?;
    let namespace = namespaced.then_some(kube.namespace.as_str());
    let object = fetch::object_metadata(&kube.client, namespace, ty, &r.name)
        .await?
        .ok_or_else(|| Error::not_found(&ty.qualified(), &r.name))?;
    if ty.group != "apiextensions.k8s.io" || ty.plural != "customresourcedefinitions" {
        return Ok((object, None));
    }
    let crds: Api<CustomResourceDefinition> = Api::all(kube.client.clone());
    let crd = crds.get(&r.name).await.map_err(Error::from)?;
    let spec = serde_json::to_value(&crd.spec).unwrap_or_default();
    let Some((instance_type, _)) = objects::instance_type(&spec) else {
        return Ok((object, Some(Vec::new())));
    };
    let instances = fetch::list_metadata(&kube.client, None, &instance_type).await?;
    Ok((object, Some(instances)))
}

fn findings(objects: &[Leftover], evidence: &ControllerEvidence) -> Vec<LeftoverFinding> {
    let now = Timestamp::now();
    objects
        .iter()
        .map(|o| LeftoverFinding::of(o, evidence, now))
        .collect()
}

pub async fn run(cli: &Cli, kube: &Kube, cancel: &Cancel, printer: &mut Printer) -> Result<Exit> {
    let refs: Vec<ObjectRef> = cli
        .namespaces
        .iter()
        .map(|a| {
            ObjectRef::parse(a).ok_or_else(|| {
                Error::Usage(format!(
                    "{a}: name either namespaces or TYPE/NAME objects, not both"
                ))
            })
        })
        .collect::<Result<_>>()?;
    if cli.force_finalize || cli.wait.is_some() {
        return Err(Error::Usage(
            "--force-finalize and --wait apply to namespaces, not to TYPE/NAME objects".into(),
        ));
    }
    let concurrency = cli.mutation.concurrency.concurrency;
    let (discovered, webhooks, evidence) = futures::join!(
        discovery::discover(&kube.client, concurrency, cancel),
        fetch_webhooks::webhooks(&kube.client),
        fetch::controller_evidence(kube),
    );
    let discovered = discovered?;
    let read = futures::future::join_all(refs.iter().map(|r| read(kube, &discovered, r))).await;
    let named = &cli.remove_finalizer;
    let diagnoses: Vec<ObjectDiagnosis> = read
        .into_iter()
        .map(|found| {
            let (object, instances) = found?;
            let object = findings(std::slice::from_ref(&object), &evidence).remove(0);
            let instances = instances.map(|i| findings(&i, &evidence));
            Ok(objects::diagnose(object, instances, named))
        })
        .collect::<Result<_>>()?;
    let human = !printer.format.is_structured();
    if human {
        for d in &diagnoses {
            print(printer, d)?;
        }
    }
    if !cli.wants_fix() {
        if !human {
            printer.document(
                "ObjectDiagnosis",
                &Document {
                    objects: &diagnoses,
                    plan: None,
                    result: None,
                },
            )?;
        }
        return Ok(Exit::Ok);
    }
    let mut plan = objects::plan(&diagnoses, named);
    let webhooks = webhooks.unwrap_or_default();
    let mut labels = Labels::default();
    for d in &diagnoses {
        for f in d.instances.iter().flatten().chain([&d.object]) {
            labels
                .objects
                .insert(f.object.uid.as_str(), &f.object.labels);
        }
    }
    admission::gate(
        &mut plan,
        &labels,
        &webhooks,
        Vec::new(),
        cli.delete_dead_webhooks,
    )?;
    if plan.is_empty() {
        if !human {
            printer.document(
                "ObjectDiagnosis",
                &Document {
                    objects: &diagnoses,
                    plan: Some(&plan),
                    result: None,
                },
            )?;
        }
        return crate::act::refuse_or_wait(diagnoses.iter().flat_map(|d| &d.blockers), printer);
    }
    let applier = Applier {
        kube,
        args: &cli.mutation,
        plugin: crate::PLUGIN,
        cancel,
        guard: &|step, current| {
            if step.phase == admission::PHASE_WEBHOOKS {
                admission::guard(step, current, &webhooks)
            } else {
                // A finalizer is removed only from an object still being deleted.
                firstaid::guard::check(&firstaid::guard::StillDeleting, step, current)
            }
        },
    };
    let report = applier.execute(&plan, printer).await?;
    if !human {
        printer.document(
            "ObjectDiagnosis",
            &Document {
                objects: &diagnoses,
                plan: Some(&plan),
                result: Some(&report),
            },
        )?;
    }
    report.into_result()?;
    Ok(Exit::Ok)
}

fn title(ty: &ResourceType, o: &Leftover) -> String {
    if o.namespace.is_empty() {
        format!("{} {}", ty.kind, o.name)
    } else {
        format!("{} {}/{}", ty.kind, o.namespace, o.name)
    }
}

fn print(printer: &mut Printer, d: &ObjectDiagnosis) -> Result<()> {
    let o = &d.object.object;
    let now = Timestamp::now();
    let state = o.deletion_timestamp.map_or_else(
        || "not being deleted".to_owned(),
        |t| {
            format!(
                "Terminating for {} (deleted {})",
                firstaid::k8s::age(Some(t), now),
                t
            )
        },
    );
    printer.line(&printer.paint(
        &format!("{}: {state}", title(&o.resource, o)),
        firstaid::output::Tone::Bold,
    ))?;
    printer.line(&format!("  finalizers: [{}]", o.finalizers.join(", ")))?;
    let mut all: Vec<LeftoverFinding> = vec![d.object.clone()];
    if let Some(instances) = &d.instances {
        printer.line("")?;
        printer.line(&format!(
            "Custom resources its deletion waits on ({}):",
            instances.len()
        ))?;
        if instances.is_empty() {
            printer.line("  none")?;
        } else {
            printer.table(&render::objects_table(instances, now))?;
        }
        all.extend(instances.iter().cloned());
    }
    let finalizers = render::finalizer_table(&all);
    if !finalizers.is_empty() {
        printer.line("")?;
        printer.line("Finalizers — who removes them:")?;
        printer.table(&finalizers)?;
    }
    render::verdict(printer, &d.blockers, "nothing found blocking")
}
