//! How a read-only run reports, through its exit code, whether it found something stuck.

use clap::Args;

use crate::exit::Exit;

/// `--exit-code`: for cron jobs and alerts, a read-only diagnosis exits [`Exit::Found`] (11)
/// when it finds something stuck, instead of 0. A run that fixes (`--fix`, `--dry-run`,
/// `--confirm-plan`) exits by how the fix went, as always.
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct ExitCodeArg {
    /// Exit 11 when the diagnosis finds something stuck (for cron jobs and alerts); 0 when nothing is
    #[arg(long)]
    pub exit_code: bool,
}

impl ExitCodeArg {
    /// The exit of a read-only run that found (`found`) or did not find something stuck.
    pub fn diagnosed(self, found: bool) -> Exit {
        if self.exit_code && found {
            Exit::Found
        } else {
            Exit::Ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_asked_for_and_only_when_found() {
        let asked = ExitCodeArg { exit_code: true };
        assert_eq!(asked.diagnosed(true), Exit::Found);
        assert_eq!(asked.diagnosed(false), Exit::Ok);
        assert_eq!(ExitCodeArg::default().diagnosed(true), Exit::Ok);
        assert_eq!(Exit::Found.code(), 11);
    }
}
