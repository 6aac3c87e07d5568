//! One step against the live object: read, check, back up, send, and on a conflict read again.

use serde_json::Value;

use super::Applier;
use super::args::DryRun;
use super::report::Outcome;
use super::request::Request;
use crate::backup::Backup;
use crate::concurrency::with_retry;
use crate::error::Error;
use crate::plan::Step;

/// Attempts per step when a concurrent writer keeps changing the object.
const MAX_CONFLICT_ATTEMPTS: usize = 3;

impl Applier<'_> {
    pub(super) async fn run_step(
        &self,
        step: &Step,
        mut snapshot: Option<Value>,
        backup: Option<&Backup>,
        dry_run_first: bool,
    ) -> Outcome {
        let api = self.api(step);
        let name = step.target.name.as_str();
        for _ in 0..MAX_CONFLICT_ATTEMPTS {
            // The listed object of a staged plan is in the backup already; anything read here
            // (a first read, or a re-read after a conflict) is saved before its request is sent.
            let (current, in_backup) = match snapshot.take() {
                Some(object) => (object, step.backed_up),
                None => match with_retry(|| async { api.get(name).await.map_err(Error::from) })
                    .await
                    .and_then(|o| serde_json::to_value(&o).map_err(|e| Error::Other(e.to_string())))
                {
                    Ok(object) => (object, false),
                    Err(e) if e.is_not_found() => {
                        return Outcome::AlreadyDone {
                            detail: "object is gone".into(),
                        };
                    }
                    Err(e) => {
                        return Outcome::Failed {
                            error: e.to_string(),
                        };
                    }
                },
            };
            if let Some(uid) = &step.target.uid
                && current.pointer("/metadata/uid").and_then(Value::as_str) != Some(uid.as_str())
            {
                return Outcome::Skipped {
                    reason: "the object was deleted and recreated since the diagnosis".into(),
                };
            }
            if let Some(reason) = (self.guard)(step, &current) {
                return Outcome::Skipped { reason };
            }
            let request = match Request::build(&step.action, &current) {
                Ok(request) => request,
                Err(detail) => return Outcome::AlreadyDone { detail },
            };
            if let Some(backup) = backup
                && !in_backup
                && let Err(e) = backup.save(&current)
            {
                return Outcome::Failed {
                    error: format!("backup failed, so the object was not changed: {e}"),
                };
            }
            let passes: &[bool] = match (self.args.dry_run, dry_run_first) {
                (DryRun::Server, _) => &[true],
                (_, true) => &[true, false],
                (_, false) => &[false],
            };
            let mut conflicted = false;
            for &dry_run in passes {
                match with_retry(|| request.send(&api, name, dry_run)).await {
                    Ok(()) => {}
                    Err(e) if e.is_conflict() => {
                        conflicted = true;
                        break;
                    }
                    Err(e) if e.is_not_found() => {
                        return Outcome::AlreadyDone {
                            detail: "object is gone".into(),
                        };
                    }
                    Err(e) => {
                        let what = if dry_run {
                            "server-side dry run rejected it"
                        } else {
                            "request failed"
                        };
                        return Outcome::Failed {
                            error: format!("{what}: {e}"),
                        };
                    }
                }
            }
            if !conflicted {
                return if self.args.dry_run == DryRun::Server {
                    Outcome::DryRun
                } else {
                    Outcome::Applied
                };
            }
        }
        Outcome::Conflict {
            error: format!(
                "the object kept changing under us ({MAX_CONFLICT_ATTEMPTS} attempts); nothing was overwritten — rerun to re-plan"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use kube::client::Body;
    use serde_json::json;

    use super::*;
    use crate::apply::MutationArgs;
    use crate::apply::report::Tally;
    use crate::concurrency::Cancel;
    use crate::exit::Exit;
    use crate::kubeargs::Kube;
    use crate::plan::{Action, Target};

    /// A writer that changes the ConfigMap between every read and every patch: each read sees a
    /// new resourceVersion, each patch answers 409. Counts (reads, patches).
    fn always_conflicting(
        mut handle: tower_test::mock::Handle<http::Request<Body>, http::Response<Body>>,
    ) -> tokio::task::JoinHandle<(usize, usize)> {
        tokio::spawn(async move {
            let (mut reads, mut patches) = (0, 0);
            while let Some((request, send)) = handle.next_request().await {
                let (status, body) = if request.method() == http::Method::GET {
                    reads += 1;
                    (
                        200,
                        json!({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": "cm", "namespace": "ns", "uid": "u1",
                                     "resourceVersion": reads.to_string(),
                                     "finalizers": ["example.com/dead", format!("other/{reads}")]}}),
                    )
                } else {
                    patches += 1;
                    (
                        409,
                        json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                        "reason": "Conflict", "code": 409, "message": "the object has been modified"}),
                    )
                };
                send.send_response(
                    http::Response::builder()
                        .status(status)
                        .body(Body::from(serde_json::to_vec(&body).expect("json")))
                        .expect("response"),
                );
            }
            (reads, patches)
        })
    }

    /// A conflict that survives every re-read and re-check is its own outcome, and a run whose
    /// only failures are such conflicts exits 9 (not 6): rerunning, not repairing, is the remedy.
    #[tokio::test]
    async fn a_conflict_that_outlasts_every_attempt_exits_9() {
        let (service, handle) =
            tower_test::mock::pair::<http::Request<Body>, http::Response<Body>>();
        let server = always_conflicting(handle);
        let kube = Kube::from_client(kube::Client::new(service, "ns"), "ns");
        let args = MutationArgs {
            yes: true,
            ..MutationArgs::default()
        };
        let cancel = Cancel::default();
        let guard = |_: &Step, _: &Value| None;
        let applier = Applier {
            kube: &kube,
            args: &args,
            plugin: "test",
            cancel: &cancel,
            guard: &guard,
        };
        let step = Step::new(
            Target {
                group: String::new(),
                version: "v1".into(),
                kind: "ConfigMap".into(),
                plural: "configmaps".into(),
                namespace: Some("ns".into()),
                name: "cm".into(),
                uid: Some("u1".into()),
                resource_version: None,
            },
            Action::RemoveFinalizers {
                finalizers: vec!["example.com/dead".into()],
            },
            "dead",
        );
        let outcome = applier.run_step(&step, None, None, false).await;
        drop(kube);
        assert!(matches!(outcome, Outcome::Conflict { .. }), "{outcome:?}");
        let (reads, patches) = server.await.expect("server");
        assert_eq!(
            (reads, patches),
            (MAX_CONFLICT_ATTEMPTS, MAX_CONFLICT_ATTEMPTS)
        );

        let mut tally = Tally::new(2);
        tally.add(step.clone(), outcome.clone());
        tally.add(step.clone(), Outcome::NotStarted);
        let report = tally.into_report(DryRun::None, None, false);
        assert_eq!((report.counts.failed, report.counts.conflicted), (1, 1));
        let err = report.into_result().expect_err("conflict");
        assert_eq!(err.exit(), Exit::Conflict, "{err}");

        // Mixed with an ordinary failure, the run is partial.
        let mut tally = Tally::new(2);
        tally.add(step.clone(), outcome);
        tally.add(
            step,
            Outcome::Failed {
                error: "boom".into(),
            },
        );
        let err = tally.into_report(DryRun::None, None, false).into_result();
        assert_eq!(err.expect_err("partial").exit(), Exit::Partial);
    }
}
