//! Finding and reading the kubeconfig as kubectl does, and saying in kubectl's words what is
//! wrong with it: "no kubeconfig" is the first thing someone without a cluster sees, so it must
//! name the file that was looked for and how to choose another.
//!
//! kube's own reader reports a missing file as `failed to read kubeconfig from '"/root/.kube/config"'`
//! and a parse error without the file's name, so the files are read one by one here.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use kube::config::{Kubeconfig, KubeconfigError};

use crate::error::{Error, Result};

/// Where the kubeconfig came from, kept to explain later errors (a missing context, a cluster
/// without a server) with the files they are about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The files named, in precedence order (one for `--kubeconfig` or the default path).
    pub files: Vec<PathBuf>,
    origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Flag,
    Env,
    Default,
}

impl Source {
    /// `--kubeconfig` if given, else `$KUBECONFIG` (a path list; empty entries ignored), else
    /// `~/.kube/config`, the order kubectl uses.
    pub fn locate(flag: Option<&Path>) -> Source {
        Source::from_parts(
            flag,
            std::env::var_os("KUBECONFIG").as_deref(),
            std::env::home_dir().as_deref(),
        )
    }

    fn from_parts(
        flag: Option<&Path>,
        env: Option<&std::ffi::OsStr>,
        home: Option<&Path>,
    ) -> Source {
        if let Some(path) = flag {
            return Source {
                files: vec![path.to_owned()],
                origin: Origin::Flag,
            };
        }
        let listed: Vec<PathBuf> = env
            .map(|v| std::env::split_paths(v).filter(|p| !p.as_os_str().is_empty()))
            .into_iter()
            .flatten()
            .collect();
        if !listed.is_empty() {
            return Source {
                files: listed,
                origin: Origin::Env,
            };
        }
        let default = home.map_or_else(
            || PathBuf::from("~/.kube/config"),
            |h| h.join(".kube").join("config"),
        );
        Source {
            files: vec![default],
            origin: Origin::Default,
        }
    }

    /// Reads and merges the files (the first to set a value wins). Like kubectl, files listed in
    /// `$KUBECONFIG` that do not exist are skipped; a missing `--kubeconfig` file is an error.
    pub fn read(&self) -> Result<Kubeconfig> {
        let mut merged = Kubeconfig::default();
        let mut found = 0;
        for path in &self.files {
            match Kubeconfig::read_from(path) {
                Ok(next) => {
                    found += 1;
                    merged = merged.merge(next).map_err(|e| self.invalid(&e))?;
                }
                Err(KubeconfigError::ReadConfig(e, _)) if e.kind() == ErrorKind::NotFound => {}
                Err(KubeconfigError::ReadConfig(e, _)) => return Err(broken(path, &e)),
                Err(KubeconfigError::Parse(e)) => return Err(broken(path, &e)),
                Err(e) => return Err(broken(path, &e)),
            }
        }
        if found == 0 {
            return Err(Error::NoKubeconfig(self.none_found()));
        }
        if merged.contexts.is_empty() && merged.clusters.is_empty() {
            return Err(Error::NoKubeconfig(format!(
                "invalid configuration: no configuration has been provided: {} defines no cluster or context",
                self.names()
            )));
        }
        Ok(merged)
    }

    /// Names the file(s) behind an error kube found in their content.
    pub fn invalid(&self, err: &KubeconfigError) -> Error {
        let names = self.names();
        match err {
            KubeconfigError::CurrentContextNotSet => Error::Config(format!(
                "no current context in {names}: choose one with --context NAME, or set it with `kubectl config use-context NAME`"
            )),
            KubeconfigError::LoadContext(name) => {
                Error::Config(format!("context \"{name}\" does not exist in {names}"))
            }
            KubeconfigError::LoadClusterOfContext(name) => Error::Config(format!(
                "cluster \"{name}\" (named by the context) does not exist in {names}"
            )),
            other => Error::Config(format!(
                "invalid configuration in {names}: {}",
                crate::error::chain(other)
            )),
        }
    }

    fn names(&self) -> String {
        let quoted: Vec<String> = self
            .files
            .iter()
            .map(|p| format!("\"{}\"", p.display()))
            .collect();
        quoted.join(", ")
    }

    fn none_found(&self) -> String {
        let names = self.names();
        match self.origin {
            Origin::Flag => {
                format!("no kubeconfig: {names} (given with --kubeconfig) does not exist")
            }
            Origin::Env => {
                format!("no kubeconfig: none of the files in $KUBECONFIG exist ({names})")
            }
            Origin::Default => format!(
                "no kubeconfig: {names} does not exist and $KUBECONFIG is not set, so there is no cluster to connect to"
            ),
        }
    }
}

/// A file that exists but cannot be read or parsed: its name (once, in kubectl's quotes), then
/// the reader's own words, which carry the line and column of a YAML error.
fn broken(path: &Path, err: &dyn std::error::Error) -> Error {
    let detail = crate::error::chain(err);
    let detail = detail.strip_prefix("error: ").unwrap_or(&detail);
    Error::Config(format!("\"{}\": {detail}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    fn message(result: Result<Kubeconfig>) -> (String, crate::Exit) {
        let err = result.expect_err("must fail");
        (err.to_string(), err.exit())
    }

    #[test]
    fn flag_wins_then_the_env_list_then_the_home_default() {
        let home = Path::new("/home/ann");
        let flag = Source::from_parts(Some(Path::new("/f")), Some("/a:/b".as_ref()), Some(home));
        assert_eq!(flag.files, [PathBuf::from("/f")]);
        let env = Source::from_parts(None, Some("/a::/b".as_ref()), Some(home));
        assert_eq!(env.files, [PathBuf::from("/a"), PathBuf::from("/b")]);
        let default = Source::from_parts(None, Some("".as_ref()), Some(home));
        assert_eq!(default.files, [PathBuf::from("/home/ann/.kube/config")]);
    }

    #[test]
    fn no_kubeconfig_names_the_file_once_quoted_and_exits_unreachable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let source = Source::from_parts(None, None, Some(dir.path()));
        let (text, exit) = message(source.read());
        let expected = format!("\"{}/.kube/config\" does not exist", dir.path().display());
        assert!(text.starts_with("no kubeconfig: "), "{text}");
        assert!(text.contains(&expected), "{text}");
        assert!(!text.contains("'\""), "doubled quotes: {text}");
        assert_eq!(exit, crate::Exit::Unreachable);

        let flag = dir.path().join("nope");
        let (text, exit) = message(Source::from_parts(Some(&flag), None, None).read());
        assert!(
            text.contains("(given with --kubeconfig) does not exist"),
            "{text}"
        );
        assert_eq!(exit, crate::Exit::Unreachable);
    }

    #[test]
    fn missing_files_in_the_env_list_are_skipped_like_kubectl() {
        let dir = tempfile::tempdir().expect("tempdir");
        let existing = write(
            dir.path(),
            "real",
            "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{name: k, cluster: {server: 'https://127.0.0.2:1'}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nusers: [{name: u, user: {}}]\n",
        );
        let list = std::env::join_paths([dir.path().join("gone"), existing]).expect("join");
        let merged = Source::from_parts(None, Some(&list), None)
            .read()
            .expect("the existing file is enough");
        assert_eq!(merged.current_context.as_deref(), Some("c"));

        let none =
            std::env::join_paths([dir.path().join("a"), dir.path().join("b")]).expect("join");
        let (text, exit) = message(Source::from_parts(None, Some(&none), None).read());
        assert!(
            text.contains("none of the files in $KUBECONFIG exist"),
            "{text}"
        );
        assert_eq!(exit, crate::Exit::Unreachable);
    }

    #[test]
    fn an_empty_kubeconfig_is_no_configuration() {
        let dir = tempfile::tempdir().expect("tempdir");
        let empty = write(dir.path(), "empty", "");
        let (text, exit) = message(Source::from_parts(Some(&empty), None, None).read());
        assert!(
            text.starts_with("invalid configuration: no configuration has been provided"),
            "{text}"
        );
        assert!(text.contains(&empty.display().to_string()), "{text}");
        assert_eq!(exit, crate::Exit::Unreachable);
    }

    #[test]
    fn malformed_yaml_names_the_file_and_the_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bad = write(
            dir.path(),
            "bad",
            "apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: https://x\n",
        );
        let (text, exit) = message(Source::from_parts(Some(&bad), None, None).read());
        assert!(
            text.starts_with(&format!(
                "error loading kubeconfig: \"{}\": ",
                bad.display()
            )),
            "{text}"
        );
        assert!(text.contains("line 4"), "{text}");
        assert_eq!(exit, crate::Exit::Error);

        let wrong_type = write(
            dir.path(),
            "type",
            "apiVersion: v1\nkind: Config\nclusters: 5\n",
        );
        let (text, _) = message(Source::from_parts(Some(&wrong_type), None, None).read());
        assert!(text.contains("line 3"), "{text}");
    }
}
