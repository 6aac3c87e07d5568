//! The single end-to-end test binary (one binary, so one shared test cluster): one module per
//! plugin, each using `firstaid_e2e::cluster()` and friends from tests/support. Add a plugin's
//! tests as one `mod` line below.

mod completion;
mod evicted_clean;
mod exitcode_explain;
mod exitcode_explain_pull;
mod fix_pvc_finalizer;
mod fix_pvc_lost;
mod ipv6_cidr;
mod krew;
mod ns_unstick;
mod ns_unstick_objects;
mod ns_unstick_webhooks;
mod reliability;
mod security;
mod smoke;
mod tls;
mod top_real;
mod top_real_resources;
