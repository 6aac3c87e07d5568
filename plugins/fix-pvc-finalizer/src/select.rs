//! Which objects the user asked about: `NAME` and `pvc/NAME` are claims in the namespace,
//! `pv/NAME` and `volumeattachment/NAME` are cluster-scoped, `pod/NAME` is the FAQ's starting
//! point (a pod stuck in ContainerCreating) and is followed to its claims.

use firstaid::args::ObjectArg;
use firstaid::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Named {
    Claim(String),
    Volume(String),
    Attachment(String),
    Pod(String),
}

const CLAIM: &[&str] = &["pvc", "persistentvolumeclaim", "persistentvolumeclaims"];
const VOLUME: &[&str] = &["pv", "persistentvolume", "persistentvolumes"];
const ATTACHMENT: &[&str] = &["volumeattachment", "volumeattachments", "va"];
const POD: &[&str] = &["pod", "pods", "po"];

/// Parses the positional arguments; bad input is a usage error (exit 2), never a guess.
pub fn parse(args: &[String]) -> Result<Vec<Named>> {
    let mut named = Vec::with_capacity(args.len());
    for text in args {
        let arg: ObjectArg = text.parse()?;
        let name = arg.name.clone();
        named.push(match arg.kind {
            None => Named::Claim(name),
            Some(_) if arg.kind_is(CLAIM) => Named::Claim(name),
            Some(_) if arg.kind_is(VOLUME) => Named::Volume(name),
            Some(_) if arg.kind_is(ATTACHMENT) => Named::Attachment(name),
            Some(_) if arg.kind_is(POD) => Named::Pod(name),
            Some(kind) => {
                return Err(Error::Usage(format!(
                    "unsupported object kind {kind:?} in {text:?}: use NAME or pvc/NAME, pv/NAME, volumeattachment/NAME, pod/NAME"
                )));
            }
        });
    }
    named.sort();
    named.dedup();
    Ok(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn kinds_and_aliases() {
        let named = parse(&strings(&[
            "data-0",
            "pvc/data-1",
            "pv/pvc-93e24c1d88d711e9",
            "volumeattachment.storage.k8s.io/csi-8b2e",
            "pod/nginx-perf-7",
            "PersistentVolumeClaims/data-0",
        ]))
        .expect("parses");
        assert_eq!(
            named,
            vec![
                Named::Claim("data-0".into()),
                Named::Claim("data-1".into()),
                Named::Volume("pvc-93e24c1d88d711e9".into()),
                Named::Attachment("csi-8b2e".into()),
                Named::Pod("nginx-perf-7".into()),
            ]
        );
    }

    #[test]
    fn bad_input_is_a_usage_error() {
        for bad in ["deploy/web", "pv/", "a b", "pv/x/y"] {
            let err = parse(&strings(&[bad])).expect_err(bad);
            assert_eq!(err.exit(), firstaid::Exit::Usage, "{bad}");
        }
    }
}
