//! Candidates that need no cluster: flag names with their help, flag values from clap and the
//! kubeconfig, subcommand names — and whether the cluster must be asked as well.

use std::fmt::Write as _;

use clap::{Arg, Args, Command, ValueHint};
use kube::config::Kubeconfig;

use super::line::{self, Line, Want};
use super::{CompletionRequest, directive};
use crate::kubeargs::KubeArgs;

/// The long name of the argument with clap id `id` (the id itself if it has none).
pub(super) fn cmd_arg_long(cmd: &Command, id: &str) -> String {
    cmd.get_arguments()
        .find(|a| a.get_id() == id)
        .and_then(Arg::get_long)
        .unwrap_or(id)
        .to_owned()
}

/// Where more candidates come from, beyond what the command line and kubeconfig tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Fetch {
    Nothing,
    Namespaces,
    /// The plugin's completer, for a positional argument.
    Plugin,
}

#[derive(Debug)]
pub(super) struct Answer {
    pub(super) candidates: Vec<String>,
    pub(super) directive: u8,
    pub(super) fetch: Fetch,
}

impl Answer {
    pub(super) fn new(candidates: Vec<String>, directive: u8, fetch: Fetch) -> Self {
        Answer {
            candidates,
            directive,
            fetch,
        }
    }

    /// Filters by the typed prefix, drops duplicates, adds the `--flag=` prefix where the value
    /// was typed after `=`, and ends with the directive line.
    pub(super) fn render(self, line: &Line) -> String {
        let (prefix, partial) = match &line.want {
            Want::FlagValue {
                prefix, partial, ..
            } => (prefix.as_str(), partial.as_str()),
            _ => ("", line.request.word.as_str()),
        };
        let mut seen = std::collections::HashSet::new();
        let mut out = String::new();
        for candidate in &self.candidates {
            let value = candidate.split('\t').next().unwrap_or_default();
            if value.is_empty()
                || value.contains('\n')
                || !value.starts_with(partial)
                || !seen.insert(value.to_owned())
            {
                continue;
            }
            let _ = writeln!(out, "{prefix}{candidate}");
        }
        let _ = writeln!(out, ":{}", self.directive);
        out
    }
}

/// Everything that needs no cluster: flag names, flag values from clap and the kubeconfig,
/// subcommand names; and whether the cluster must be asked too.
pub(super) fn answer_offline(root: &Command, line: &Line) -> Answer {
    let cmd = line::active(root, &line.request);
    match &line.want {
        Want::FlagName => Answer::new(
            flag_names(cmd, &line.request),
            directive::NO_FILE_COMP,
            Fetch::Nothing,
        ),
        Want::FlagValue { id, .. } => {
            let Some(arg) = cmd.get_arguments().find(|a| a.get_id() == id.as_str()) else {
                return Answer::new(Vec::new(), directive::NO_FILE_COMP, Fetch::Nothing);
            };
            flag_values(arg, &line.request)
        }
        Want::Positional => positional(cmd, &line.request),
    }
}

fn flag_values(arg: &Arg, request: &CompletionRequest) -> Answer {
    let kubeconfig = || {
        let path = request.flag_value("kubeconfig");
        match path {
            Some(path) => Kubeconfig::read_from(path),
            None => Kubeconfig::read(),
        }
        .ok()
    };
    let none = |fetch| Answer::new(Vec::new(), directive::NO_FILE_COMP, fetch);
    match arg.get_long() {
        Some("context") => Answer::new(
            kubeconfig()
                .map(|k| k.contexts.into_iter().map(|c| c.name).collect())
                .unwrap_or_default(),
            directive::NO_FILE_COMP,
            Fetch::Nothing,
        ),
        Some("cluster") => Answer::new(
            kubeconfig()
                .map(|k| k.clusters.into_iter().map(|c| c.name).collect())
                .unwrap_or_default(),
            directive::NO_FILE_COMP,
            Fetch::Nothing,
        ),
        Some("user") => Answer::new(
            kubeconfig()
                .map(|k| k.auth_infos.into_iter().map(|c| c.name).collect())
                .unwrap_or_default(),
            directive::NO_FILE_COMP,
            Fetch::Nothing,
        ),
        Some("namespace") => none(Fetch::Namespaces),
        _ => {
            if let Some(d) = path_directive(arg) {
                return Answer::new(Vec::new(), d, Fetch::Nothing);
            }
            let values = possible_values(arg);
            if values.is_empty() {
                // Only the plugin knows (`--node` → node names); kubectl's own free-form flags
                // have nothing to offer.
                let kubectl_flag = KubeArgs::augment_args(Command::new("k"))
                    .get_arguments()
                    .any(|a| a.get_id() == arg.get_id());
                none(if kubectl_flag {
                    Fetch::Nothing
                } else {
                    Fetch::Plugin
                })
            } else {
                Answer::new(values, directive::NO_FILE_COMP, Fetch::Nothing)
            }
        }
    }
}

/// Directive for a value that is a path: let the shell complete files (or directories).
fn path_directive(arg: &Arg) -> Option<u8> {
    match arg.get_value_hint() {
        ValueHint::DirPath => Some(directive::FILTER_DIRS),
        ValueHint::AnyPath | ValueHint::FilePath | ValueHint::ExecutablePath => {
            Some(directive::DEFAULT)
        }
        _ => None,
    }
}

fn possible_values(arg: &Arg) -> Vec<String> {
    arg.get_possible_values()
        .into_iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| match v.get_help() {
            Some(help) => format!("{}\t{}", v.get_name(), first_line(&help.to_string())),
            None => v.get_name().to_owned(),
        })
        .collect()
}

/// `--long` (and `-s`) names of the active command's visible flags, with their help as the
/// description; flags already given once are not offered again unless repeatable.
fn flag_names(cmd: &Command, request: &CompletionRequest) -> Vec<String> {
    let mut longs = Vec::new();
    let mut shorts = Vec::new();
    for arg in cmd.get_arguments() {
        if arg.is_positional() || arg.is_hide_set() {
            continue;
        }
        let given = arg.get_long().is_some_and(|l| request.has_flag(l))
            || request.has_flag(arg.get_id().as_str());
        if given && !line::repeatable(arg) {
            continue;
        }
        let help = arg
            .get_help()
            .map(|h| first_line(&h.to_string()))
            .unwrap_or_default();
        let with_help = |name: String| {
            if help.is_empty() {
                name
            } else {
                format!("{name}\t{help}")
            }
        };
        if let Some(long) = arg.get_long() {
            let eq = if arg.is_require_equals_set() { "=" } else { "" };
            longs.push(with_help(format!("--{long}{eq}")));
        }
        if let Some(short) = arg.get_short() {
            shorts.push(with_help(format!("-{short}")));
        }
    }
    longs.extend(shorts);
    longs
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_owned()
}

/// A positional word: subcommand names, the positional's possible values, and the plugin's own
/// candidates. A command that takes no (more) positionals gets its flag names instead.
fn positional(cmd: &Command, request: &CompletionRequest) -> Answer {
    let mut candidates = Vec::new();
    if request.positionals.is_empty() {
        candidates.extend(
            cmd.get_subcommands()
                .filter(|s| !s.is_hide_set() && s.get_name() != "help")
                .map(|s| match s.get_about() {
                    Some(about) => format!("{}\t{}", s.get_name(), first_line(&about.to_string())),
                    None => s.get_name().to_owned(),
                }),
        );
    }
    let positionals: Vec<&Arg> = cmd.get_positionals().collect();
    let next = positionals
        .get(request.positionals.len())
        .copied()
        .or_else(|| {
            positionals
                .last()
                .copied()
                .filter(|a| a.get_num_args().is_some_and(|n| n.max_values() > 1))
        });
    let Some(arg) = next else {
        if candidates.is_empty() {
            return Answer::new(
                flag_names(cmd, request),
                directive::NO_FILE_COMP,
                Fetch::Nothing,
            );
        }
        return Answer::new(candidates, directive::NO_FILE_COMP, Fetch::Nothing);
    };
    if let Some(d) = path_directive(arg) {
        return Answer::new(candidates, d, Fetch::Nothing);
    }
    candidates.extend(possible_values(arg));
    Answer::new(candidates, directive::NO_FILE_COMP, Fetch::Plugin)
}
