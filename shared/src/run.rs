//! The body of every plugin's `main`: a small runtime, the error printed the kubectl way, the
//! exit code chosen from the error, and a closed pipe (`| head`) treated as a normal end.

use std::future::Future;
use std::io::Write;
use std::process::ExitCode;

use crate::error::{Error, Result};
use crate::exit::Exit;

/// Runs a plugin's async entry point and turns its result into the process exit code.
pub fn run<F>(entry: F) -> ExitCode
where
    F: Future<Output = Result<Exit>>,
{
    // One blocking thread: the pager decodes pages there, and with one thread per concurrent
    // list glibc gave each its own malloc arena, whose freed pages it keeps: fix-pvc-finalizer's
    // six concurrent lists peaked at 49–59 MB that way and at 36–43 MB with one arena
    // (MALLOC_ARENA_MAX=1, same run). Decoding is a small part of a run; the server is the rest.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(1)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return report(&Error::io("starting the async runtime", e)),
    };
    match runtime.block_on(entry) {
        Ok(exit) => exit.into(),
        Err(err) => report(&err),
    }
}

fn report(err: &Error) -> ExitCode {
    if err.is_broken_pipe() {
        return Exit::Ok.into();
    }
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", err.kubectl_line());
    if let Some(hint) = err.hint() {
        let _ = writeln!(stderr, "hint: {hint}");
    }
    err.exit().into()
}
