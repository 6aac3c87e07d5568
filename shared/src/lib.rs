//! The shared library of the firstaid kubectl plugins.
//!
//! Everything two plugins would otherwise write twice lives here: the cluster facts they read
//! ([`k8s`]: node state, pod owners, Service backends, finalizers, ages), kubectl's connection
//! flags and the client they build ([`kubeargs`]), the one path every destructive fix takes ([`plan`],
//! [`apply`], [`backup`], [`access`]), output ([`output`]), errors and exit codes ([`error`],
//! [`exit`]), progress ([`progress`]), bounded concurrency with 429 handling and Ctrl-C
//! ([`concurrency`]), paginated lists ([`pager`]), big collections read as protobuf into compact
//! per-plugin projections ([`read`]) and the small parsers users feed ([`args`], [`quantity`]).
//! A plugin's `main` parses its flags, calls [`run::run`], and renders.

pub mod access;
pub mod apply;
pub mod args;
pub mod backup;
pub mod client;
pub mod completion;
pub mod concurrency;
pub mod driver;
pub mod error;
pub mod exec_auth;
pub mod exit;
#[cfg(test)]
mod fixtures;
pub mod guard;
pub mod k8s;
pub mod kubeargs;
pub mod kubeconfig;
pub mod output;
pub mod pager;
pub mod plan;
pub mod progress;
pub mod quantity;
pub mod read;
pub mod refreshed;
pub mod run;

pub use apply::{Applier, DryRun, MutationArgs, Outcome, Report};
pub use backup::Staged;
pub use concurrency::Cancel;
pub use driver::{Command, Context, ExitCodeArg, Fix, drive};
pub use error::{Error, Result};
pub use exit::Exit;
pub use kubeargs::{AllNamespacesArg, Kube, KubeArgs};
pub use output::{Format, OutputArgs, Printer};
pub use plan::{Action, Outline, Plan, Risk, Step, Target};

/// Re-exported so plugins use exactly the versions the shared crate was built with.
pub use k8s_openapi;
pub use kube;
