//! Every scenario `firstaid-bench` knows. To add one: a file beside this one exporting
//! `pub const SCENARIO: Scenario`, plus its `mod` line and its entry in `ALL`.

use crate::harness::Scenario;

mod evicted_clean;
mod exitcode_explain;
mod fix_pvc_finalizer;
mod get_configmaps;
mod ipv6_cidr;
mod ns_unstick;
mod ns_unstick_all;
mod seed_speed;
mod top_real;

pub const ALL: &[Scenario] = &[
    get_configmaps::SCENARIO,
    ipv6_cidr::SCENARIO,
    seed_speed::SCENARIO,
    evicted_clean::SCENARIO,
    ns_unstick::SCENARIO,
    exitcode_explain::SCENARIO,
    top_real::SCENARIO,
    fix_pvc_finalizer::SCENARIO,
];
