//! How fast each way of seeding is: concurrent API creates from one process (what
//! `Bench::seed` does) against parallel `kubectl create -f` of JSON Lists.

use serde_json::json;

use crate::harness::{Bench, Scenario};

pub const SCENARIO: Scenario = Scenario {
    name: "seed-speed",
    about: "seeding N ConfigMaps: concurrent API creates vs parallel kubectl with JSON lists",
    run,
};

fn run(b: &mut Bench) -> anyhow::Result<()> {
    let make = |ns: String| {
        move |i: usize| {
            json!({
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": format!("cm-{i:06}"), "namespace": ns},
                "data": {"key": "x".repeat(200)},
            })
        }
    };
    let api_ns = b.cluster.create_namespace("seed-api");
    let api = b.seed(b.objects, make(api_ns))?;
    for (parallel, chunk) in [(2, 250), (4, 100), (8, 50)] {
        let ns = b.cluster.create_namespace("seed-kubectl");
        let kubectl = b.seed_with_kubectl(b.objects, parallel, chunk, make(ns))?;
        println!(
            "  ratio: kubectl ({parallel}x{chunk}) / API creates = {:.2}x",
            kubectl.as_secs_f64() / api.as_secs_f64().max(1e-9)
        );
    }
    Ok(())
}
