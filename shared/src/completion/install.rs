//! `completion bash|zsh|fish|powershell` (static scripts from the clap definition) and
//! `completion install` (the `kubectl_complete-<name>` executable kubectl looks for, which krew
//! does not install).

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Arg, Command};
use clap_complete::Shell;

use super::Mode;
use crate::error::{Error, Result};

/// kubectl runs `kubectl_complete-<plugin with _>` to complete `kubectl <plugin> …`.
pub(crate) const COMPLETE_PREFIX: &str = "kubectl_complete-";
const PLUGIN_PREFIX: &str = "kubectl-";

/// A file name without directory and without `.exe`.
pub(crate) fn file_stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.strip_suffix(".exe") {
        Some(stem) => stem.to_owned(),
        None => name,
    }
}

/// `ns_unstick` for `kubectl-ns_unstick` or `kubectl_complete-ns_unstick`; from the command's
/// name when run under another name (tests, `cargo run`).
pub(crate) fn plugin_stem(argv0: Option<&str>, cmd: &Command) -> String {
    let exe = argv0.map(|a| file_stem(Path::new(a))).unwrap_or_default();
    if let Some(stem) = exe
        .strip_prefix(PLUGIN_PREFIX)
        .or_else(|| exe.strip_prefix(COMPLETE_PREFIX))
    {
        return stem.to_owned();
    }
    // Plugins name their command as kubectl shows it (`kubectl ns-unstick`) or by crate name.
    let name = cmd.get_name();
    name.strip_prefix(PLUGIN_PREFIX)
        .or_else(|| name.strip_prefix("kubectl "))
        .unwrap_or(name)
        .trim()
        .replace('-', "_")
}

/// The plugin's command plus the `completion` subcommand this module answers, so the static
/// scripts complete it too.
fn with_completion_command(cmd: Command, bin: &str) -> Command {
    let shells = ["bash", "zsh", "fish", "powershell"].map(|shell| {
        Command::new(shell).about(format!("Print the {shell} completion script for {bin}"))
    });
    let install = Command::new("install")
        .about("Create the kubectl_complete-* executable kubectl runs for `kubectl <plugin> <TAB>`")
        .arg(
            Arg::new("dir")
                .long("dir")
                .value_name("DIR")
                .value_hint(clap::ValueHint::DirPath)
                .help("Where to create it (default: next to the plugin on PATH)"),
        );
    cmd.bin_name(bin.to_owned()).subcommand(
        Command::new("completion")
            .about("Shell completion: print a static script, or install the dynamic completer")
            .subcommands(shells)
            .subcommand(install),
    )
}

/// Writes the static completion script for calling `kubectl-<stem>` directly.
pub(crate) fn script(
    cmd: Command,
    shell: Shell,
    stem: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let bin = format!("{PLUGIN_PREFIX}{stem}");
    let mut cmd = with_completion_command(cmd, &bin);
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut cmd, bin, &mut buffer);
    out.write_all(&buffer)
}

/// `completion install [--dir DIR]`.
pub(crate) fn parse_install_args(args: &[String]) -> Mode {
    match args {
        [] => Mode::Install { dir: None },
        [flag, dir] if flag == "--dir" => Mode::Install {
            dir: Some(dir.into()),
        },
        [flag] if flag.starts_with("--dir=") => Mode::Install {
            dir: Some(flag["--dir=".len()..].into()),
        },
        [flag] if flag == "-h" || flag == "--help" => Mode::Usage(0),
        _ => Mode::Usage(2),
    }
}

pub(crate) fn usage(stem: &str) -> String {
    let bin = format!("{PLUGIN_PREFIX}{stem}");
    format!(
        "Shell completion for {bin}.\n\n\
         Usage:\n  \
           {bin} completion install [--dir DIR]\n      \
             Create {COMPLETE_PREFIX}{stem} (a link to this plugin) so that kubectl completes\n      \
             `kubectl {plugin} <TAB>` from the cluster. Default DIR: where {bin} is on PATH.\n  \
           {bin} completion bash|zsh|fish|powershell\n      \
             Print a static completion script for calling {bin} directly.\n\n{}",
        setup(stem),
        plugin = stem.replace('_', "-"),
    )
}

/// Shell setup, printed after `completion install` and in the usage text.
pub(crate) fn setup(stem: &str) -> String {
    let bin = format!("{PLUGIN_PREFIX}{stem}");
    let mut text = String::new();
    let _ = writeln!(
        text,
        "`kubectl {} <TAB>` completes through kubectl's own completion (kubectl >= 1.26); enable it once:",
        stem.replace('_', "-")
    );
    let _ = writeln!(
        text,
        "  bash:       source <(kubectl completion bash)   # in ~/.bashrc"
    );
    let _ = writeln!(
        text,
        "  zsh:        source <(kubectl completion zsh)    # in ~/.zshrc"
    );
    let _ = writeln!(
        text,
        "  fish:       kubectl completion fish | source    # in ~/.config/fish/config.fish"
    );
    let _ = writeln!(
        text,
        "  powershell: kubectl completion powershell | Out-String | Invoke-Expression   # in $PROFILE"
    );
    let _ = writeln!(text, "Static scripts for calling {bin} directly:");
    let _ = writeln!(text, "  bash:       source <({bin} completion bash)");
    let _ = writeln!(
        text,
        "  zsh:        {bin} completion zsh > \"${{fpath[1]}}/_{bin}\""
    );
    let _ = writeln!(
        text,
        "  fish:       {bin} completion fish > ~/.config/fish/completions/{bin}.fish"
    );
    let _ = writeln!(
        text,
        "  powershell: {bin} completion powershell | Out-String | Invoke-Expression"
    );
    text
}

/// Where `name` is found on `PATH` (what kubectl would run), if anywhere.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find_map(|dir| {
        [name.to_owned(), format!("{name}.exe")]
            .into_iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
    })
}

/// Creates `DIR/kubectl_complete-<stem>`: a relative symlink to `kubectl-<stem>` when that is in
/// DIR (so it follows upgrades, e.g. krew's relinking of `$KREW_ROOT/bin`), else to this
/// executable. Windows gets a copy (symlinks need privileges there). Returns what to tell the user.
pub(crate) fn install(stem: &str, dir: Option<&Path>) -> Result<String> {
    let bin = format!("{PLUGIN_PREFIX}{stem}");
    let exe = std::env::current_exe().map_err(|e| Error::io("locating this executable", e))?;
    let plugin = on_path(&bin);
    let dir = match (dir, &plugin) {
        (Some(dir), _) => dir.to_path_buf(),
        (None, Some(found)) => found.parent().map(Path::to_path_buf).unwrap_or_default(),
        (None, None) => exe.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let sibling = [bin.clone(), format!("{bin}.exe")]
        .into_iter()
        .find(|n| dir.join(n).is_file());
    let link = link_in(&dir, stem, sibling.as_deref(), &exe)?;
    let mut text = format!("created {link}\n");
    if plugin.is_none()
        || !std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d == dir))
    {
        let _ = writeln!(
            text,
            "note: {} is not on PATH; kubectl only finds completion executables on PATH",
            dir.display()
        );
    }
    text.push('\n');
    text.push_str(&setup(stem));
    Ok(text)
}

#[cfg(unix)]
fn link_in(dir: &Path, stem: &str, sibling: Option<&str>, exe: &Path) -> Result<String> {
    let link = dir.join(format!("{COMPLETE_PREFIX}{stem}"));
    let target: PathBuf = sibling.map_or_else(|| exe.to_path_buf(), PathBuf::from);
    if link.symlink_metadata().is_ok() {
        std::fs::remove_file(&link)
            .map_err(|e| Error::io(format!("replacing {}", link.display()), e))?;
    }
    std::os::unix::fs::symlink(&target, &link)
        .map_err(|e| Error::io(format!("creating {}", link.display()), e))?;
    Ok(format!("{} -> {}", link.display(), target.display()))
}

#[cfg(not(unix))]
fn link_in(dir: &Path, stem: &str, _sibling: Option<&str>, exe: &Path) -> Result<String> {
    let link = dir.join(format!("{COMPLETE_PREFIX}{stem}.exe"));
    std::fs::copy(exe, &link)
        .map_err(|e| Error::io(format!("copying to {}", link.display()), e))?;
    Ok(format!(
        "{} (a copy of {}; run this again after upgrading)",
        link.display(),
        exe.display()
    ))
}
