//! Process exit codes shared by every plugin.
//!
//! Scripts wrapped around the plugins at 3 a.m. branch on these, so each outcome a caller can act
//! on differently has its own number, and the numbers never change meaning. README documents them.

use std::process::ExitCode;

/// Why a plugin exited. The discriminant is the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum Exit {
    /// Everything asked for was done (or there was nothing to do).
    Ok = 0,
    /// An error not covered by a more specific code.
    Error = 1,
    /// The command line was wrong (clap uses 2 as well).
    Usage = 2,
    /// A named object (namespace, pod, PVC, …) does not exist.
    NotFound = 3,
    /// The fix was refused because it would remove a protection that still protects something;
    /// a separately named override flag is needed where the refusal names one (some refusals
    /// have none: the message says what to do first).
    Unsafe = 4,
    /// Nothing was changed because the change was not confirmed (declined, or no TTY and no `--yes`).
    NotConfirmed = 5,
    /// Some steps of a plan were applied and some failed; the report says which.
    Partial = 6,
    /// The API server refused a call for lack of permission (RBAC).
    Forbidden = 7,
    /// The API server could not be reached, or did not answer within `--request-timeout`; or no
    /// cluster is configured at all (no kubeconfig, or an empty one).
    Unreachable = 8,
    /// A concurrent writer changed an object and re-planning could not settle it.
    Conflict = 9,
    /// Not authenticated: the API server rejected the credentials (401: an expired or revoked
    /// token, a client certificate it does not trust), or the exec/auth plugin that should
    /// produce them failed. Distinct from 7: logging in again fixes this, asking for RBAC does
    /// not. (An exec plugin that hangs past `--request-timeout` is 8, like any timeout.)
    Unauthenticated = 10,
    /// `--exit-code` and the read-only diagnosis found something stuck (nothing was changed).
    Found = 11,
    /// Interrupted (Ctrl-C) before the plan finished; the report says what was done.
    Interrupted = 130,
}

impl Exit {
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Every code with a one-line meaning, in numeric order (for `--help` and README).
    pub const ALL: [(Exit, &'static str); 13] = [
        (Exit::Ok, "success, or nothing to do"),
        (Exit::Error, "error"),
        (Exit::Usage, "bad command line or argument"),
        (Exit::NotFound, "named object not found"),
        (
            Exit::Unsafe,
            "refused as unsafe (without the named override flag, where there is one)",
        ),
        (
            Exit::NotConfirmed,
            "not confirmed: declined, or no TTY and no --yes",
        ),
        (Exit::Partial, "some steps failed; see the report"),
        (Exit::Forbidden, "forbidden by RBAC (403)"),
        (
            Exit::Unreachable,
            "API server unreachable or timed out, or no kubeconfig",
        ),
        (
            Exit::Conflict,
            "conflict with a concurrent writer persisted",
        ),
        (
            Exit::Unauthenticated,
            "not authenticated: credentials rejected (401) or the exec/auth plugin failed",
        ),
        (
            Exit::Found,
            "--exit-code: the diagnosis found something stuck",
        ),
        (Exit::Interrupted, "interrupted by Ctrl-C"),
    ];
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// Text for the end of every plugin's `--help`.
pub fn help_text() -> String {
    let lines: Vec<String> = Exit::ALL
        .iter()
        .map(|(exit, meaning)| format!("  {:>3}  {meaning}", exit.code()))
        .collect();
    format!("Exit codes:\n{}\n", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct() {
        let mut codes: Vec<u8> = Exit::ALL.iter().map(|(e, _)| e.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Exit::ALL.len());
    }

    #[test]
    fn help_lists_every_code() {
        let help = help_text();
        assert!(help.contains("  4  refused"));
        assert!(help.contains("130  interrupted"));
        assert!(help.contains(" 10  not authenticated"));
    }
}
