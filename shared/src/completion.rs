//! Shell completion for every plugin: kubectl's dynamic plugin completion, the static clap
//! scripts, and the command that installs the completion executable.
//!
//! kubectl (≥ 1.26) completes `kubectl ns-unstick <TAB>` by running `kubectl_complete-ns_unstick`
//! from `PATH` with the words typed after the plugin name (the last one is the word under the
//! cursor, possibly empty) and reading one candidate per line plus an optional final
//! `:<directive>` line (cobra's ShellCompDirective). krew does not install that executable, so
//! each plugin answers under both names: called as `kubectl_complete-<name>` (a symlink or copy
//! of itself) or as `kubectl-<name> __complete …` it completes; `kubectl-<name> completion
//! install` creates the link, and `kubectl-<name> completion bash|zsh|fish|powershell` prints a
//! static script for calling the binary directly.
//!
//! Completion runs on every TAB, so it is fast and silent: flag names, kubeconfig contexts and
//! clap's possible values come from memory and the kubeconfig without touching the cluster; only
//! namespaces and the plugin's own candidates cost one short request (2 s timeout), and any
//! failure just yields fewer candidates, never an error message in the user's prompt.
//!
//! A plugin's `main` starts with
//! `if let Some(code) = firstaid::completion::intercept(Cli::command(), complete::complete) { return code; }`
//! where `complete` is `async fn(Kube, CompletionRequest) -> firstaid::Result<Vec<String>>`
//! returning the plugin's candidates for a positional argument (Terminating namespaces, stuck
//! PVCs, …); everything else is handled here.

mod answer;
mod install;
mod line;

use std::ffi::OsString;
use std::future::Future;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clap::Command;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Api;
use kube::api::ListParams;

use crate::error::Result;
use crate::kubeargs::{Kube, KubeArgs, RequestTimeout};
use answer::{Fetch, answer_offline, cmd_arg_long};
use line::{Line, Want};

/// How long one completion request may take; a shell waiting on TAB longer than this is worse
/// than no candidates.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// At most this many objects are listed for candidates (one page, one request).
const LIST_LIMIT: u32 = 500;

/// cobra's ShellCompDirective values (the final `:<n>` line).
pub mod directive {
    /// Let the shell complete file names if there are no candidates.
    pub const DEFAULT: u8 = 0;
    /// Do not add a space after the completion.
    pub const NO_SPACE: u8 = 2;
    /// Do not fall back to file names.
    pub const NO_FILE_COMP: u8 = 4;
    /// Complete directory names only.
    pub const FILTER_DIRS: u8 = 16;
}

/// What is being completed, for a plugin's completer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompletionRequest {
    /// Subcommand path below the plugin (`["nodes"]` for `kubectl top-real nodes …`); empty for
    /// the plugin itself.
    pub subcommands: Vec<String>,
    /// Positional arguments already typed for the active (sub)command.
    pub positionals: Vec<String>,
    /// The word under the cursor (possibly empty). Candidates need not be filtered by it.
    pub word: String,
    /// `Some(long name)` when the word is the value of that flag (`"node"` for `--node <TAB>`)
    /// and neither clap nor the kubeconfig knows its values; `None` for a positional.
    pub flag: Option<String>,
    /// Flags already typed, by long name (clap id for flags without one), with their values.
    pub flags: Vec<(String, Option<String>)>,
}

impl CompletionRequest {
    /// The last value given for a flag (`"all-namespaces"`, `"namespace"`).
    pub fn flag_value(&self, long: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(name, _)| name == long)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Whether a flag was typed (`-A` → `has_flag("all-namespaces")`).
    pub fn has_flag(&self, long: &str) -> bool {
        self.flags.iter().any(|(name, _)| name == long)
    }

    /// The innermost subcommand, if any.
    pub fn subcommand(&self) -> Option<&str> {
        self.subcommands.last().map(String::as_str)
    }

    /// The kubectl connection flags among the typed ones, with the short completion timeout.
    pub fn kube_args(&self) -> KubeArgs {
        let value = |name: &str| self.flag_value(name).map(str::to_owned);
        KubeArgs {
            kubeconfig: value("kubeconfig").map(Into::into),
            context: value("context"),
            cluster: value("cluster"),
            user: value("user"),
            namespace: value("namespace"),
            as_user: value("as"),
            as_group: self
                .flags
                .iter()
                .filter(|(name, _)| name == "as-group")
                .filter_map(|(_, v)| v.clone())
                .collect(),
            as_uid: value("as-uid"),
            request_timeout: RequestTimeout(Some(REQUEST_TIMEOUT)),
            insecure_skip_tls_verify: self.has_flag("insecure-skip-tls-verify"),
        }
    }
}

/// Names of the objects `api` lists (one page of metadata only) whose metadata passes `keep`.
pub async fn names<K>(api: &Api<K>, keep: impl Fn(&ObjectMeta) -> bool) -> Result<Vec<String>>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let list = api
        .list_metadata(&ListParams::default().limit(LIST_LIMIT))
        .await?;
    Ok(list
        .items
        .into_iter()
        .filter(|o| keep(&o.metadata))
        .filter_map(|o| o.metadata.name)
        .collect())
}

/// Whether the object is being deleted (Terminating, or stuck on a finalizer).
pub fn is_deleting(meta: &ObjectMeta) -> bool {
    meta.deletion_timestamp.is_some()
}

/// The plugin-independent entry: handles completion invocations and returns their exit code, or
/// `None` for a normal run. Call it first thing in `main`.
pub fn intercept<F, Fut>(cmd: Command, completer: F) -> Option<ExitCode>
where
    F: FnOnce(Kube, CompletionRequest) -> Fut,
    Fut: Future<Output = Result<Vec<String>>>,
{
    let args: Vec<String> = std::env::args_os()
        .map(|a: OsString| a.to_string_lossy().into_owned())
        .collect();
    let mode = Mode::of(&args)?;
    let stem = install::plugin_stem(args.first().map(String::as_str), &cmd);
    let mut stdout = std::io::stdout().lock();
    let result = match mode {
        Mode::Dynamic(words) => {
            let text = complete_line(cmd, &words, completer);
            stdout.write_all(text.as_bytes())
        }
        Mode::Script(shell) => install::script(cmd, shell, &stem, &mut stdout),
        Mode::Install { dir } => match install::install(&stem, dir.as_deref()) {
            Ok(text) => stdout.write_all(text.as_bytes()),
            Err(err) => {
                let _ = writeln!(std::io::stderr(), "error: {err}");
                return Some(ExitCode::FAILURE);
            }
        },
        Mode::Usage(code) => {
            let text = install::usage(&stem);
            let written = if code == 0 {
                stdout.write_all(text.as_bytes())
            } else {
                std::io::stderr().write_all(text.as_bytes())
            };
            return Some(written.map_or(ExitCode::FAILURE, |()| ExitCode::from(code)));
        }
    };
    Some(match result.and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is a normal end.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    })
}

/// What an invocation asks for.
#[derive(Debug, PartialEq, Eq)]
enum Mode {
    /// Dynamic completion of these words (after the plugin name).
    Dynamic(Vec<String>),
    Script(clap_complete::Shell),
    Install {
        dir: Option<std::path::PathBuf>,
    },
    /// `completion --help` (0) or a wrong `completion …` line (2).
    Usage(u8),
}

impl Mode {
    /// `None` for a normal run. `completion` is only taken when followed by a word this module
    /// knows, so a namespace named `completion` can still be passed to a plugin.
    fn of(args: &[String]) -> Option<Mode> {
        let exe = args.first().map(|a| install::file_stem(Path::new(a)))?;
        if exe.starts_with(install::COMPLETE_PREFIX) {
            return Some(Mode::Dynamic(args[1..].to_vec()));
        }
        match args.get(1).map(String::as_str) {
            Some("__complete") => Some(Mode::Dynamic(args[2..].to_vec())),
            Some("completion") => match args.get(2).map(String::as_str) {
                Some("-h" | "--help" | "help") => Some(Mode::Usage(0)),
                Some("install") => Some(install::parse_install_args(&args[3..])),
                Some(shell) => {
                    let shell = shell.parse::<clap_complete::Shell>().ok()?;
                    Some(if args.len() == 3 {
                        Mode::Script(shell)
                    } else {
                        Mode::Usage(2)
                    })
                }
                None => None,
            },
            _ => None,
        }
    }
}

/// The whole dynamic answer for `words` (the last one is under the cursor): candidate lines and
/// the directive line. Never fails: errors only remove candidates.
pub fn complete_line<F, Fut>(mut cmd: Command, words: &[String], completer: F) -> String
where
    F: FnOnce(Kube, CompletionRequest) -> Fut,
    Fut: Future<Output = Result<Vec<String>>>,
{
    cmd.build();
    let line = line::parse(&cmd, words);
    let mut line = line;
    if let Want::FlagValue { id, partial, .. } = &line.want {
        let long = cmd_arg_long(line::active(&cmd, &line.request), id);
        line.request.flag = Some(long);
        line.request.word.clone_from(partial);
    }
    let mut answer = answer_offline(&cmd, &line);
    if answer.fetch != Fetch::Nothing {
        answer
            .candidates
            .extend(fetch_blocking(&line, &answer.fetch, completer));
    }
    answer.render(&line)
}

/// Asks the cluster (namespaces, or the plugin's completer) on a small runtime of its own, with
/// an overall deadline; any failure gives no candidates.
fn fetch_blocking<F, Fut>(line: &Line, fetch: &Fetch, completer: F) -> Vec<String>
where
    F: FnOnce(Kube, CompletionRequest) -> Fut,
    Fut: Future<Output = Result<Vec<String>>>,
{
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return Vec::new();
    };
    runtime.block_on(async {
        let work = async {
            let kube = line.request.kube_args().connect().await?;
            match fetch {
                Fetch::Namespaces => {
                    names(&Api::<Namespace>::all(kube.client.clone()), |_| true).await
                }
                Fetch::Plugin => {
                    // Names already typed are not offered again.
                    let typed = &line.request.positionals;
                    let found = completer(kube, line.request.clone()).await?;
                    Ok(found
                        .into_iter()
                        .filter(|c| !typed.iter().any(|t| c.split('\t').next() == Some(t)))
                        .collect())
                }
                Fetch::Nothing => Ok(Vec::new()),
            }
        };
        match tokio::time::timeout(REQUEST_TIMEOUT + Duration::from_secs(1), work).await {
            Ok(Ok(names)) => names,
            _ => Vec::new(),
        }
    })
}

#[cfg(test)]
mod tests;
