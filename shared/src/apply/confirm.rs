//! The question before anything changes.

use std::io::IsTerminal;

use crate::error::{Error, Result};
use crate::output::Printer;

/// Asks before changing the cluster. `--yes` skips the question; without a terminal to ask on
/// and without `--yes` we refuse rather than hang or guess.
pub fn confirm(question: &str, yes: bool, printer: &mut Printer) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Error::NotConfirmed(
            "refusing to change the cluster without confirmation: no terminal to ask on. Rerun with --yes to apply, or --dry-run=client to only see the plan".into(),
        ));
    }
    let answer = dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact_on(&console::Term::stderr())
        .map_err(|e| Error::NotConfirmed(format!("no confirmation: {e}")))?;
    if answer {
        Ok(())
    } else {
        printer.note("Nothing was changed.")?;
        Err(Error::NotConfirmed(
            "not confirmed; nothing was changed".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirm_refuses_without_a_terminal() {
        // Test processes have no TTY on stdin.
        let (mut printer, _, _) = Printer::captured(crate::output::Format::Table);
        let err = confirm("go?", false, &mut printer).expect_err("must refuse");
        assert_eq!(err.exit(), crate::exit::Exit::NotConfirmed);
        assert!(err.to_string().contains("--yes"));
        assert!(confirm("go?", true, &mut printer).is_ok());
    }
}
