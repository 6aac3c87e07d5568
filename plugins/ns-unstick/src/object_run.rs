//! `kubectl ns-unstick TYPE/NAME…`: reads each object (and a CRD's instances), diagnoses,
//! renders, and with `--fix` removes the dead finalizers — a command of the shared driver.

use firstaid::apply::Report;
use firstaid::driver::{Command, Context, Fix};
use firstaid::k8s::Timestamp;
use firstaid::k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use firstaid::kube::api::Api;
use firstaid::plan::Plan;
use firstaid::{Error, Kube, Printer, Result};
use serde::Serialize;

use crate::admission::{self, Labels};
use crate::cli::Cli;
use crate::diagnose::LeftoverFinding;
use crate::model::{ControllerEvidence, Leftover, ResourceType};
use crate::objects::{self, ObjectDiagnosis, ObjectRef};
use crate::{act, discovery, fetch, fetch_webhooks, render};

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

/// The objects named as `TYPE/NAME`, or a usage error for a mix of namespaces and objects and
/// for the flags that only apply to namespaces.
pub fn refs(cli: &Cli) -> Result<Vec<ObjectRef>> {
    if cli.force_finalize || cli.wait.is_some() {
        return Err(Error::Usage(
            "--force-finalize and --wait apply to namespaces, not to TYPE/NAME objects".into(),
        ));
    }
    cli.namespaces
        .iter()
        .map(|a| {
            ObjectRef::parse(a).ok_or_else(|| {
                Error::Usage(format!(
                    "{a}: name either namespaces or TYPE/NAME objects, not both"
                ))
            })
        })
        .collect()
}

/// `TYPE/NAME…` as a [`Command`] of the shared driver.
pub struct Objects<'c> {
    pub cli: &'c Cli,
    pub refs: Vec<ObjectRef>,
}

/// What the diagnosis found, and with `--fix` the plan and its admission gate.
pub struct Found {
    diagnoses: Vec<ObjectDiagnosis>,
    webhooks: Vec<crate::webhooks::Webhook>,
    plan: Plan,
    gate: Result<()>,
}

impl Command for Objects<'_> {
    type Found = Found;
    type Verified = ();

    async fn diagnose(&self, ctx: &Context<'_>, _: &mut Printer) -> Result<Found> {
        let kube = ctx.kube;
        let concurrency = ctx.mutation.concurrency.concurrency;
        let (discovered, webhooks, evidence) = futures::join!(
            discovery::discover(&kube.client, concurrency, ctx.cancel),
            fetch_webhooks::webhooks(&kube.client),
            fetch::controller_evidence(kube),
        );
        let discovered = discovered?;
        let read =
            futures::future::join_all(self.refs.iter().map(|r| read(kube, &discovered, r))).await;
        let named = &self.cli.remove_finalizer;
        let diagnoses: Vec<ObjectDiagnosis> = read
            .into_iter()
            .map(|found| {
                let (object, instances) = found?;
                let object = findings(std::slice::from_ref(&object), &evidence).remove(0);
                let instances = instances.map(|i| findings(&i, &evidence));
                Ok(objects::diagnose(object, instances, named))
            })
            .collect::<Result<_>>()?;
        let mut found = Found {
            diagnoses,
            webhooks: webhooks.unwrap_or_default(),
            plan: Plan::default(),
            gate: Ok(()),
        };
        if ctx.fixing {
            self.plan(&mut found);
        }
        Ok(found)
    }

    fn render(&self, _: &Context<'_>, found: &Found, printer: &mut Printer) -> Result<()> {
        for d in &found.diagnoses {
            print(printer, d)?;
        }
        Ok(())
    }

    fn found_something(&self, found: &Found) -> bool {
        found
            .diagnoses
            .iter()
            .any(|d| d.object.object.deletion_timestamp.is_some())
    }

    fn fix<'s>(&'s self, _: &Context<'s>, found: &'s mut Found) -> Option<Fix<'s>> {
        if found.plan.is_empty() || found.gate.is_err() {
            return None;
        }
        let webhooks = &found.webhooks;
        let guard = move |step: &firstaid::Step, current: &serde_json::Value| {
            if step.phase == admission::PHASE_WEBHOOKS {
                admission::guard(step, current, webhooks)
            } else {
                // A finalizer is removed only from an object still being deleted.
                firstaid::guard::check(&firstaid::guard::StillDeleting, step, current)
            }
        };
        Some(Fix::of_borrowed(&found.plan, Box::new(guard)))
    }

    fn nothing_to_fix(&self, found: &Found) -> Option<String> {
        (found.gate.is_ok() && blocked(found).is_none()).then(|| act::NOTHING_BUT_WAIT.into())
    }

    fn refusal(&self, found: &Found) -> Option<Error> {
        if let Err(Error::Unsafe {
            message,
            override_flag,
        }) = &found.gate
        {
            return Some(Error::Unsafe {
                message: message.clone(),
                override_flag: override_flag.clone(),
            });
        }
        blocked(found)
    }

    fn document(
        &self,
        found: &Found,
        result: Option<&Report>,
        _: Option<&()>,
        printer: &mut Printer,
    ) -> Result<()> {
        let document = Document {
            objects: &found.diagnoses,
            plan: self.cli.wants_fix().then_some(&found.plan),
            result,
        };
        printer.document("ObjectDiagnosis", &document)
    }
}

impl Objects<'_> {
    /// The finalizers to remove, gated by the admission webhooks the patches would pass through.
    fn plan(&self, found: &mut Found) {
        found.plan = objects::plan(&found.diagnoses, &self.cli.remove_finalizer);
        let mut labels = Labels::default();
        for d in &found.diagnoses {
            for f in d.instances.iter().flatten().chain([&d.object]) {
                labels
                    .objects
                    .insert(f.object.uid.as_str(), &f.object.labels);
            }
        }
        found.gate = admission::gate(
            &mut found.plan,
            &labels,
            &found.webhooks,
            Vec::new(),
            self.cli.delete_dead_webhooks,
        );
    }
}

/// With an empty plan: the blocker the user must override, if any.
fn blocked(found: &Found) -> Option<Error> {
    if !found.plan.is_empty() {
        return None;
    }
    act::refusal(found.diagnoses.iter().flat_map(|d| &d.blockers))
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
