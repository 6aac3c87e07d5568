//! `kubectl exitcode-explain`: number mode (offline; start-up is the whole cost) against
//! `kubectl version --client`, which users already wait on; and pod mode over N crashed pods
//! against the exit-code FAQ's own `kubectl describe … | grep` pipeline, and against the floor:
//! the API server serving the same pods to curl as one protobuf list, with nothing decoded,
//! which no tool that reads every pod can beat.

use serde_json::json;

use crate::harness::{Bench, Scenario};

pub const SCENARIO: Scenario = Scenario {
    name: "exitcode-explain",
    about: "number mode vs kubectl version --client; scan/one pod vs kubectl describe | grep over N crashed pods",
    run,
};

fn run(b: &mut Bench) -> anyhow::Result<()> {
    let code = b.measure("kubectl-exitcode_explain 137", || {
        b.plugin("exitcode-explain", &["137"])
    })?;
    let version = b.measure("kubectl version --client", || {
        b.kubectl(&["version", "--client"])
    })?;
    b.ratio(&code, &version);

    let ns = b.cluster.create_namespace("bench");
    let node = b.cluster.create_node("bench-exit");
    b.seed(b.objects, |i| {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("crash-{i:06}"), "namespace": ns},
            "spec": {"nodeName": node, "containers": [{"name": "app", "image": "registry.example.com/app:1.0",
                "resources": {"limits": {"memory": "128Mi"}}}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "app", "image": "registry.example.com/app:1.0",
                "imageID": "", "ready": false, "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 1m20s restarting failed container=app"}},
                "lastState": {"terminated": {"exitCode": if i % 2 == 0 { 137 } else { 1 },
                    "reason": if i % 2 == 0 { "OOMKilled" } else { "Error" },
                    "startedAt": "2026-01-01T00:00:00Z", "finishedAt": "2026-01-01T00:03:38Z"}}}]}
        })
    })?;
    let scan = b.measure(
        &format!("kubectl-exitcode_explain -n NS ({} pods)", b.objects),
        || b.plugin("exitcode-explain", &["-n", &ns]),
    )?;
    let describe_all = b.measure("kubectl describe pods -n NS | grep (FAQ)", || {
        let script = format!(
            "\"$KUBECTL\" describe pods -n {ns} | grep -E 'Reason|Exit Code|Restart Count'"
        );
        b.kubectl_shell("sh", &["-c", &script])
    })?;
    b.ratio(&scan, &describe_all);
    let floor = b.measure("floor: curl pods -n NS, one list, protobuf", || {
        b.curl(
            &format!("/api/v1/namespaces/{ns}/pods"),
            "application/vnd.kubernetes.protobuf",
        )
    })?;
    b.ratio(&scan, &floor);

    let one = b.measure("kubectl-exitcode_explain pod/crash-000000", || {
        b.plugin("exitcode-explain", &["pod/crash-000000", "-n", &ns])
    })?;
    let describe_one = b.measure("kubectl describe pod crash-000000 | grep (FAQ)", || {
        let script = format!(
            "\"$KUBECTL\" describe pod crash-000000 -n {ns} | grep -E 'Reason|Exit Code|Restart Count'"
        );
        b.kubectl_shell("sh", &["-c", &script])
    })?;
    b.ratio(&one, &describe_one);
    b.no_peers("no peer plugin is known to a registry this machine reaches");
    Ok(())
}
