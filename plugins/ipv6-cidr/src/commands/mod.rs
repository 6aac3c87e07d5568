//! One module per subcommand: turn parsed flags into a result and print it.

pub mod check;
pub mod cluster;
pub mod info;
pub mod plan;
pub mod split;
