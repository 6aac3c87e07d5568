//! What the command line asks for: an offline table, signal or exit code, one pod, or a scan —
//! and the flag combinations that contradict each other (usage errors, exit 2).

use firstaid::args::ObjectArg;
use firstaid::{Error, Result};

use crate::cli::Cli;

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Mode {
    List,
    Signal(String),
    Code(String),
    Pod(String),
    Scan,
}

pub fn mode(cli: &Cli) -> Result<Mode> {
    let cluster_flags = cli.selector.is_some() || cli.all_namespaces.all_namespaces;
    let offline = |mode: Mode| {
        if cluster_flags || cli.container.is_some() {
            Err(Error::Usage(
                "-l, -A and -c apply to pods; an exit code or signal is explained without a cluster".into(),
            ))
        } else {
            Ok(mode)
        }
    };
    if cli.list {
        return offline(Mode::List);
    }
    if let Some(signal) = &cli.signal {
        return offline(Mode::Signal(signal.clone()));
    }
    let Some(target) = &cli.target else {
        return Ok(Mode::Scan);
    };
    if !target.contains('/') {
        return offline(Mode::Code(target.clone()));
    }
    let object: ObjectArg = target.parse()?;
    if !object.kind_is(&["pod", "pods", "po"]) {
        return Err(Error::Usage(format!(
            "{target:?}: only pods can be explained (pod/NAME); for a workload use -l with its selector"
        )));
    }
    if cluster_flags {
        return Err(Error::Usage(
            "pod/NAME names one pod: drop -l/-A (use -n for its namespace)".into(),
        ));
    }
    Ok(Mode::Pod(object.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use firstaid::Exit;

    fn mode_of(args: &[&str]) -> Result<Mode> {
        let cli = Cli::try_parse_from(std::iter::once("x").chain(args.iter().copied()))
            .map_err(|e| Error::Usage(e.to_string()))?;
        mode(&cli)
    }

    #[test]
    fn modes() {
        assert_eq!(mode_of(&["137"]).ok(), Some(Mode::Code("137".into())));
        assert_eq!(mode_of(&["-1"]).ok(), Some(Mode::Code("-1".into())));
        assert_eq!(mode_of(&["abc"]).ok(), Some(Mode::Code("abc".into())));
        assert_eq!(
            mode_of(&["pod/web-1"]).ok(),
            Some(Mode::Pod("web-1".into()))
        );
        assert_eq!(
            mode_of(&["po/web-1", "-n", "x"]).ok(),
            Some(Mode::Pod("web-1".into()))
        );
        assert_eq!(mode_of(&[]).ok(), Some(Mode::Scan));
        assert_eq!(mode_of(&["-A"]).ok(), Some(Mode::Scan));
        assert_eq!(mode_of(&["-l", "app=web"]).ok(), Some(Mode::Scan));
        assert_eq!(
            mode_of(&["--signal", "KILL"]).ok(),
            Some(Mode::Signal("KILL".into()))
        );
        assert_eq!(mode_of(&["--list"]).ok(), Some(Mode::List));
    }

    #[test]
    fn contradictions_are_usage_errors() {
        for args in [
            &["137", "-A"][..],
            &["--list", "-l", "a=b"],
            &["pod/x", "-A"],
            &["deploy/web"],
            &["pod/"],
            &["137", "-c", "app"],
        ] {
            let err = mode_of(args).expect_err("must be refused");
            assert_eq!(err.exit(), Exit::Usage, "{args:?}");
        }
    }
}
