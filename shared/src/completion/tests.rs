use std::time::Instant;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use super::answer::Answer;
use super::*;
use crate::{AllNamespacesArg, MutationArgs, OutputArgs};

mod modes;

/// Shaped like a fixing plugin: kubectl flags, output, mutation flags, a list of names.
#[derive(Parser)]
#[command(name = "ns-unstick")]
struct Fixer {
    #[command(flatten)]
    kube: KubeArgs,
    #[command(flatten)]
    all: AllNamespacesArg,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    mutation: MutationArgs,
    /// Only pods on this node
    #[arg(long)]
    node: Option<String>,
    /// Namespaces to unstick
    namespaces: Vec<String>,
}

/// Shaped like a plugin with subcommands.
#[derive(Parser)]
#[command(name = "top-real")]
struct Viewer {
    #[command(flatten)]
    kube: KubeArgs,
    #[command(subcommand)]
    view: View,
}

#[derive(Subcommand)]
enum View {
    /// Real usage of nodes
    Nodes {
        /// Sort order
        #[arg(long, value_enum)]
        sort: Option<SortKey>,
        names: Vec<String>,
    },
    /// Real usage of pods
    Pods,
    /// Compare with a saved report
    Diff { file: std::path::PathBuf },
}

#[derive(Clone, Copy, ValueEnum)]
enum SortKey {
    /// By CPU
    Cpu,
    Memory,
}

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| (*s).to_owned()).collect()
}

fn offline(cmd: Command, w: &[&str]) -> (Line, Answer, String) {
    let mut cmd = cmd;
    cmd.build();
    let line = line::parse(&cmd, &words(w));
    let answer = answer_offline(&cmd, &line);
    let fetch = answer.fetch.clone();
    let rendered =
        Answer::new(answer.candidates.clone(), answer.directive, fetch.clone()).render(&line);
    (
        line,
        Answer::new(answer.candidates, answer.directive, fetch),
        rendered,
    )
}

/// Candidate values (without descriptions) and the directive of a rendered answer.
fn values(rendered: &str) -> (Vec<String>, String) {
    let mut lines: Vec<&str> = rendered.lines().collect();
    let directive = lines.pop().unwrap_or_default().to_owned();
    (
        lines
            .iter()
            .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
            .collect(),
        directive,
    )
}

#[test]
fn flag_names_with_descriptions() {
    let (_, _, out) = offline(Fixer::command(), &["--con"]);
    assert!(
        out.contains("--context\tThe name of the kubeconfig context to use\n"),
        "{out}"
    );
    assert!(out.contains("--concurrency\t"), "{out}");
    let (vals, directive) = values(&out);
    assert_eq!(directive, ":4");
    assert!(vals.iter().all(|v| v.starts_with("--con")), "{vals:?}");
}

#[test]
fn lone_dash_lists_long_and_short_flags_but_not_given_ones() {
    let (_, _, out) = offline(Fixer::command(), &["-n", "x", "-"]);
    let (vals, _) = values(&out);
    assert!(vals.contains(&"--context".to_owned()), "{vals:?}");
    assert!(vals.contains(&"-A".to_owned()), "{vals:?}");
    assert!(vals.contains(&"--dry-run=".to_owned()), "{vals:?}");
    assert!(
        !vals.contains(&"--namespace".to_owned()),
        "given already: {vals:?}"
    );
    assert!(!vals.contains(&"-n".to_owned()), "given already: {vals:?}");
    // Repeatable flags stay.
    let (_, _, out) = offline(Fixer::command(), &["--as-group", "g", "--as-"]);
    assert!(values(&out).0.contains(&"--as-group".to_owned()), "{out}");
}

#[test]
fn namespace_value_is_fetched_from_the_cluster() {
    for typed in [&["-n", ""][..], &["--namespace", "kube-"], &["-An", "kube"]] {
        let (line, answer, _) = offline(Fixer::command(), typed);
        assert!(
            matches!(&line.want, Want::FlagValue { id, .. } if id == "namespace"),
            "{typed:?}: {line:?}"
        );
        assert_eq!(answer.fetch, Fetch::Namespaces, "{typed:?}");
        assert_eq!(answer.directive, directive::NO_FILE_COMP);
    }
    let (line, answer, _) = offline(Fixer::command(), &["-nkube"]);
    assert_eq!(
        line.want,
        Want::FlagValue {
            id: "namespace".into(),
            prefix: "-n".into(),
            partial: "kube".into()
        }
    );
    assert_eq!(answer.fetch, Fetch::Namespaces);
}

const KUBECONFIG: &str = r"
apiVersion: v1
kind: Config
current-context: prod
clusters:
- {name: c-prod, cluster: {server: 'https://127.0.0.1:1'}}
- {name: c-stage, cluster: {server: 'https://127.0.0.1:1'}}
users:
- {name: admin, user: {token: t}}
contexts:
- {name: prod, context: {cluster: c-prod, user: admin}}
- {name: stage, context: {cluster: c-stage, user: admin}}
- {name: prod-eu, context: {cluster: c-prod, user: admin}}
";

fn kubeconfig_file() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config");
    std::fs::write(&path, KUBECONFIG).expect("write kubeconfig");
    let path = path.to_string_lossy().into_owned();
    (dir, path)
}

#[test]
fn contexts_clusters_and_users_come_from_the_kubeconfig() {
    let (_dir, path) = kubeconfig_file();
    let (_, answer, out) = offline(Fixer::command(), &["--kubeconfig", &path, "--context", ""]);
    assert_eq!(
        values(&out),
        (words(&["prod", "stage", "prod-eu"]), ":4".into())
    );
    assert_eq!(
        answer.fetch,
        Fetch::Nothing,
        "no cluster request for contexts"
    );
    let (_, _, out) = offline(
        Fixer::command(),
        &[&format!("--kubeconfig={path}"), "--context=prod"],
    );
    assert_eq!(
        values(&out).0,
        words(&["--context=prod", "--context=prod-eu"])
    );
    let (_, _, out) = offline(
        Fixer::command(),
        &["--kubeconfig", &path, "--cluster", "c-"],
    );
    assert_eq!(values(&out).0, words(&["c-prod", "c-stage"]));
    let (_, _, out) = offline(Fixer::command(), &["--kubeconfig", &path, "--user", ""]);
    assert_eq!(values(&out).0, words(&["admin"]));
}

#[test]
fn missing_kubeconfig_gives_no_candidates_and_no_error() {
    let (_, _, out) = offline(
        Fixer::command(),
        &["--kubeconfig", "/nonexistent", "--context", ""],
    );
    assert_eq!(out, ":4\n");
}

#[test]
fn possible_values_and_optional_values() {
    let (_, _, out) = offline(Fixer::command(), &["-o", ""]);
    assert_eq!(
        values(&out),
        (
            words(&["table", "wide", "json", "yaml", "name"]),
            ":4".into()
        )
    );
    let (_, _, out) = offline(Fixer::command(), &["--dry-run=s"]);
    assert_eq!(values(&out).0, words(&["--dry-run=server"]));
    // `--dry-run` takes its value only after `=`: the next word is a positional again.
    let (line, answer, _) = offline(Fixer::command(), &["--dry-run", ""]);
    assert_eq!(line.want, Want::Positional);
    assert_eq!(line.request.flags, vec![("dry-run".to_owned(), None)]);
    assert_eq!(answer.fetch, Fetch::Plugin);
}

#[test]
fn paths_fall_back_to_the_shells_file_completion() {
    let (_, _, out) = offline(Fixer::command(), &["--kubeconfig", ""]);
    assert_eq!(out, ":0\n");
    let (_, _, out) = offline(Viewer::command(), &["diff", ""]);
    assert_eq!(out, ":0\n");
}

#[test]
fn positionals_go_to_the_plugin_with_what_was_typed() {
    let (line, answer, _) = offline(
        Fixer::command(),
        &["-n", "x", "--context", "prod", "stuck-1", "-y", "stu"],
    );
    assert_eq!(line.want, Want::Positional);
    assert_eq!(answer.fetch, Fetch::Plugin);
    assert_eq!(line.request.positionals, words(&["stuck-1"]));
    assert_eq!(line.request.word, "stu");
    assert_eq!(line.request.flag_value("namespace"), Some("x"));
    assert!(line.request.has_flag("yes"));
    let kube = line.request.kube_args();
    assert_eq!(kube.context.as_deref(), Some("prod"));
    assert_eq!(kube.namespace.as_deref(), Some("x"));
    assert_eq!(kube.request_timeout.0, Some(REQUEST_TIMEOUT));
    // After `--`, everything is positional.
    let (line, _, _) = offline(Fixer::command(), &["--", "-weird"]);
    assert_eq!(line.want, Want::Positional);
}

#[test]
fn subcommands_then_their_arguments() {
    let (_, answer, out) = offline(Viewer::command(), &[""]);
    assert_eq!(values(&out).0, words(&["nodes", "pods", "diff"]));
    assert!(out.contains("nodes\tReal usage of nodes\n"), "{out}");
    assert_eq!(
        answer.fetch,
        Fetch::Nothing,
        "the root takes no positionals"
    );
    let (line, answer, _) = offline(Viewer::command(), &["--context", "x", "nodes", "n"]);
    assert_eq!(line.request.subcommands, words(&["nodes"]));
    assert_eq!(line.request.subcommand(), Some("nodes"));
    assert_eq!(answer.fetch, Fetch::Plugin);
    // Global kubectl flags after the subcommand, the subcommand's own flags and values.
    let (_, _, out) = offline(Viewer::command(), &["nodes", "--so"]);
    assert_eq!(values(&out).0, words(&["--sort"]));
    let (_, _, out) = offline(Viewer::command(), &["nodes", "--sort", ""]);
    assert!(out.starts_with("cpu\tBy CPU\nmemory\n:4"), "{out}");
    let (_, _, out) = offline(Viewer::command(), &["nodes", "-n", "x", "--cont"]);
    assert_eq!(values(&out).0, words(&["--context"]));
    // A command without positionals offers its flags.
    let (_, _, out) = offline(Viewer::command(), &["pods", ""]);
    assert!(values(&out).0.contains(&"--namespace".to_owned()), "{out}");
}

#[test]
fn plugin_candidates_are_asked_for_and_filtered_silently_on_errors() {
    let (_dir, path) = kubeconfig_file();
    // The kubeconfig points at a closed port: the completer is never reached, nothing is printed
    // but the directive, and it is quick.
    let started = Instant::now();
    let out = complete_line(
        Fixer::command(),
        &words(&["--kubeconfig", &path, "st"]),
        |kube, _req| async move {
            let mut found = names(&Api::<Namespace>::all(kube.client), |_| true).await?;
            found.push("stuck".to_owned());
            Ok(found)
        },
    );
    assert_eq!(out, ":4\n");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn plugin_candidates_are_filtered_by_the_typed_word() {
    let (_, answer, _) = offline(Fixer::command(), &["stu"]);
    let line = line::parse(&Fixer::command(), &words(&["stu"]));
    let mut answer = answer;
    answer.candidates.extend(words(&[
        "stuck-a",
        "other",
        "stuck-b\tTerminating for 3d",
        "stuck-a",
    ]));
    assert_eq!(
        answer.render(&line),
        "stuck-a\nstuck-b\tTerminating for 3d\n:4\n"
    );
}

#[test]
fn plugin_flags_without_known_values_go_to_the_plugin() {
    let (_, answer, _) = offline(Fixer::command(), &["--node", "wor"]);
    assert_eq!(answer.fetch, Fetch::Plugin);
    // kubectl's free-form flags do not.
    let (_, answer, _) = offline(Fixer::command(), &["--as", ""]);
    assert_eq!(answer.fetch, Fetch::Nothing);
}

#[test]
fn the_completer_learns_which_flag_and_skips_typed_names() {
    let (_dir, path) = kubeconfig_file();
    let seen = std::sync::Mutex::new(None);
    let out = complete_line(
        Fixer::command(),
        &words(&["--kubeconfig", &path, "--node=wor"]),
        |_kube, req| {
            *seen.lock().expect("lock") = Some(req);
            async { Ok(words(&["worker-1", "other"])) }
        },
    );
    assert_eq!(out, "--node=worker-1\n:4\n");
    let req = seen.lock().expect("lock").take().expect("completer called");
    assert_eq!(
        (req.flag.as_deref(), req.word.as_str()),
        (Some("node"), "wor")
    );

    let out = complete_line(
        Fixer::command(),
        &words(&["--kubeconfig", &path, "a", ""]),
        |_kube, req| async move {
            assert_eq!(req.flag, None);
            Ok(words(&["a", "b"]))
        },
    );
    assert_eq!(out, "b\n:4\n");
}
