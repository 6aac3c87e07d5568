//! Reading a half-typed command line against the plugin's clap definition: which (sub)command is
//! active, which flags and positionals are already there, and what the word under the cursor is
//! (a flag name, a flag's value, or a positional).
//!
//! Pure: no I/O, no cluster. clap cannot parse an incomplete line (missing required arguments,
//! a flag waiting for its value), so this walks the tokens the way clap would and records where
//! it stopped.

use clap::{Arg, ArgAction, Command};

use super::CompletionRequest;

/// What the word under the cursor is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Want {
    /// A flag name (`-`, `--con`).
    FlagName,
    /// The value of the flag with clap id `id`; `prefix` is what the candidates must be printed
    /// with (`--dry-run=` when the value is typed after `=`, `-n` for `-nkube`, else empty);
    /// `partial` is the part of the value already typed.
    FlagValue {
        id: String,
        prefix: String,
        partial: String,
    },
    /// A positional argument or a subcommand name.
    Positional,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub request: CompletionRequest,
    pub want: Want,
}

/// Walks `args` (everything typed after the plugin name; the last element is the word under
/// the cursor, possibly empty). `root` must have been [`Command::build`]t so global flags are
/// propagated to subcommands.
pub(crate) fn parse(root: &Command, args: &[String]) -> Line {
    let (word, done) = match args.split_last() {
        Some((word, done)) => (word.clone(), done),
        None => (String::new(), &[][..]),
    };
    let mut request = CompletionRequest {
        word: word.clone(),
        ..CompletionRequest::default()
    };
    let mut cmd = root;
    let mut awaiting: Option<&Arg> = None;
    let mut only_positionals = false;

    for token in done {
        if let Some(arg) = awaiting.take() {
            request.flags.push((flag_key(arg), Some(token.clone())));
            continue;
        }
        if only_positionals || token == "-" || !token.starts_with('-') {
            let descend = !only_positionals
                && request.positionals.is_empty()
                && cmd.find_subcommand(token).is_some();
            match cmd.find_subcommand(token).filter(|_| descend) {
                Some(sub) => {
                    request.subcommands.push(sub.get_name().to_owned());
                    cmd = sub;
                }
                None => request.positionals.push(token.clone()),
            }
            continue;
        }
        if token == "--" {
            only_positionals = true;
            continue;
        }
        if let Some(long) = token.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (long, None),
            };
            match find_long(cmd, name) {
                Some(arg) if inline.is_none() && takes_separate_value(arg) => awaiting = Some(arg),
                Some(arg) => request.flags.push((flag_key(arg), inline)),
                None => {}
            }
            continue;
        }
        // A cluster of short flags: `-A`, `-nkube-system`, `-yn` (then the value follows).
        let shorts = &token[1..];
        for (at, c) in shorts.char_indices() {
            let Some(arg) = find_short(cmd, c) else { break };
            if takes_value(arg) {
                let rest = &shorts[at + c.len_utf8()..];
                let rest = rest.strip_prefix('=').unwrap_or(rest);
                if rest.is_empty() && takes_separate_value(arg) {
                    awaiting = Some(arg);
                } else {
                    request.flags.push((flag_key(arg), Some(rest.to_owned())));
                }
                break;
            }
            request.flags.push((flag_key(arg), None));
        }
    }

    let want = if let Some(arg) = awaiting {
        Want::FlagValue {
            id: arg.get_id().to_string(),
            prefix: String::new(),
            partial: word,
        }
    } else if only_positionals || !word.starts_with('-') {
        Want::Positional
    } else if let Some((name, partial)) = word
        .strip_prefix("--")
        .and_then(|long| long.split_once('='))
    {
        match find_long(cmd, name).filter(|a| takes_value(a)) {
            Some(arg) => Want::FlagValue {
                id: arg.get_id().to_string(),
                prefix: format!("--{name}="),
                partial: partial.to_owned(),
            },
            None => Want::FlagName,
        }
    } else if let Some(value_of) = inline_short_value(cmd, &word) {
        value_of
    } else {
        Want::FlagName
    };
    Line { request, want }
}

/// `-nkube` → the value of `-n`, typed without a space.
fn inline_short_value(cmd: &Command, word: &str) -> Option<Want> {
    let rest = word.strip_prefix('-').filter(|r| !r.starts_with('-'))?;
    let mut chars = rest.chars();
    let arg = find_short(cmd, chars.next()?)?;
    let value = chars.as_str();
    if !takes_value(arg) || value.is_empty() {
        return None;
    }
    Some(Want::FlagValue {
        id: arg.get_id().to_string(),
        prefix: word[..word.len() - value.len()].to_owned(),
        partial: value.to_owned(),
    })
}

/// The name a flag is recorded under in [`CompletionRequest::flags`]: its long name, else its
/// clap id.
fn flag_key(arg: &Arg) -> String {
    arg.get_long()
        .map_or_else(|| arg.get_id().to_string(), str::to_owned)
}

pub(crate) fn find_long<'c>(cmd: &'c Command, name: &str) -> Option<&'c Arg> {
    cmd.get_arguments().find(|a| {
        a.get_long_and_visible_aliases()
            .is_some_and(|names| names.contains(&name))
            || a.get_all_aliases()
                .is_some_and(|names| names.contains(&name))
    })
}

fn find_short(cmd: &Command, c: char) -> Option<&Arg> {
    cmd.get_arguments().find(|a| {
        a.get_short() == Some(c)
            || a.get_all_short_aliases()
                .is_some_and(|names| names.contains(&c))
    })
}

pub(crate) fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values() && arg.get_num_args().is_none_or(|n| n.takes_values())
}

/// Whether `--flag value` (a separate word) is how the value is given. Not for flags whose value
/// must follow `=` (`--dry-run[=server]`) or may be left out.
fn takes_separate_value(arg: &Arg) -> bool {
    takes_value(arg)
        && !arg.is_require_equals_set()
        && arg.get_num_args().is_none_or(|n| n.min_values() > 0)
}

/// Whether the flag may be given more than once (then it is offered again).
pub(crate) fn repeatable(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Append | ArgAction::Count)
}

/// The command the request's subcommand path leads to.
pub(crate) fn active<'c>(root: &'c Command, request: &CompletionRequest) -> &'c Command {
    request
        .subcommands
        .iter()
        .fold(root, |cmd, name| cmd.find_subcommand(name).unwrap_or(cmd))
}
