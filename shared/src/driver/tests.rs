//! The driver's order and rules, on a fake command (no request reaches a server: a client dry run
//! and read-only runs never send one).

use std::sync::Mutex;

use super::*;
use crate::fixtures::pod_delete_step;
use crate::output::Format;

/// Records which hooks ran, in order.
#[derive(Default)]
struct Fake {
    stuck: bool,
    with_plan: bool,
    calls: Mutex<Vec<&'static str>>,
}

impl Fake {
    fn called(&self, hook: &'static str) {
        self.calls.lock().expect("calls").push(hook);
    }

    fn calls(&self) -> Vec<&'static str> {
        self.calls.lock().expect("calls").clone()
    }
}

impl Command for Fake {
    type Found = bool;
    type Verified = ();

    async fn diagnose(&self, _: &Context<'_>, _: &mut Printer) -> Result<bool> {
        self.called("diagnose");
        Ok(self.stuck)
    }

    fn render(&self, _: &Context<'_>, _: &bool, _: &mut Printer) -> Result<()> {
        self.called("render");
        Ok(())
    }

    fn found_something(&self, found: &bool) -> bool {
        *found
    }

    fn fix<'s>(&'s self, _: &Context<'s>, _: &'s mut bool) -> Option<Fix<'s>> {
        self.called("fix");
        let mut plan = Plan::default();
        plan.push(pod_delete_step());
        self.with_plan
            .then(|| Fix::of_plan(plan, Box::new(|_: &Step, _: &Value| None)))
    }

    fn nothing_to_fix(&self, _: &bool) -> Option<String> {
        Some("Nothing to delete.".into())
    }

    fn after_apply(&self, _: &bool, _: &Report, _: &mut Printer) -> Result<()> {
        self.called("after_apply");
        Ok(())
    }

    async fn verify(
        &self,
        _: &Context<'_>,
        _: &bool,
        _: &Report,
        _: &mut Printer,
    ) -> Result<Option<()>> {
        self.called("verify");
        Ok(Some(()))
    }

    fn document(
        &self,
        _: &bool,
        result: Option<&Report>,
        _: Option<&()>,
        _: &mut Printer,
    ) -> Result<()> {
        self.called(if result.is_some() {
            "document+result"
        } else {
            "document"
        });
        Ok(())
    }
}

async fn run(
    fake: &Fake,
    format: Format,
    mutation: &MutationArgs,
    fixing: bool,
    exit_code: bool,
) -> (Result<Exit>, String) {
    let (service, _handle) = tower_test::mock::pair::<
        http::Request<kube::client::Body>,
        http::Response<kube::client::Body>,
    >();
    let kube = Kube::from_client(kube::Client::new(service, "ns"), "ns");
    let cancel = Cancel::default();
    let ctx = Context {
        kube: &kube,
        mutation,
        plugin: "test",
        cancel: &cancel,
        fixing,
        exit_code: ExitCodeArg { exit_code },
    };
    let (mut printer, _, err) = Printer::captured(format);
    let exit = drive(fake, &ctx, &mut printer).await;
    (exit, err.text())
}

#[tokio::test]
async fn a_read_only_run_renders_and_exits_11_only_when_asked_and_stuck() {
    let stuck = Fake {
        stuck: true,
        ..Fake::default()
    };
    let read_only = MutationArgs::default();
    let (exit, _) = run(&stuck, Format::Table, &read_only, false, false).await;
    assert_eq!(exit.expect("exit"), Exit::Ok);
    assert_eq!(stuck.calls(), ["diagnose", "render"]);
    let (exit, _) = run(&stuck, Format::Table, &read_only, false, true).await;
    assert_eq!(exit.expect("exit"), Exit::Found);
    let (exit, _) = run(&Fake::default(), Format::Table, &read_only, false, true).await;
    assert_eq!(exit.expect("exit"), Exit::Ok);
}

#[tokio::test]
async fn structured_output_is_one_document_and_no_rendering() {
    let fake = Fake::default();
    let (exit, _) = run(&fake, Format::Json, &MutationArgs::default(), false, false).await;
    assert_eq!(exit.expect("exit"), Exit::Ok);
    assert_eq!(fake.calls(), ["diagnose", "document"]);
}

#[tokio::test]
async fn nothing_to_fix_is_said_and_nothing_is_applied() {
    let fake = Fake {
        stuck: true,
        ..Fake::default()
    };
    let (exit, err) = run(&fake, Format::Table, &MutationArgs::default(), true, true).await;
    // A fixing run exits by how the fix went, never 11.
    assert_eq!(exit.expect("exit"), Exit::Ok);
    assert_eq!(fake.calls(), ["diagnose", "render", "fix"]);
    assert!(err.contains("Nothing to delete."), "{err}");
}

/// A client dry run prints the plan and its digest but changes nothing, so there is nothing a
/// fresh read could verify: the verification step is skipped.
#[tokio::test]
async fn a_dry_run_is_never_verified() {
    let fake = Fake {
        stuck: true,
        with_plan: true,
        ..Fake::default()
    };
    let dry_run = MutationArgs {
        dry_run: DryRun::Client,
        ..MutationArgs::default()
    };
    let (exit, err) = run(&fake, Format::Json, &dry_run, true, false).await;
    assert_eq!(exit.expect("exit"), Exit::Ok);
    assert_eq!(
        fake.calls(),
        ["diagnose", "fix", "after_apply", "document+result"]
    );
    assert!(err.contains("Plan digest:"), "{err}");
}
