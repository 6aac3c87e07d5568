//! How the binary is invoked (dynamic completion, static scripts, `completion install`).

use super::*;

#[test]
fn invocation_modes() {
    let m = |w: &[&str]| Mode::of(&words(w));
    assert_eq!(
        m(&["/usr/local/bin/kubectl_complete-ns_unstick", "-n", ""]),
        Some(Mode::Dynamic(words(&["-n", ""])))
    );
    assert_eq!(
        m(&["kubectl_complete-ns_unstick.exe"]),
        Some(Mode::Dynamic(vec![]))
    );
    assert_eq!(
        m(&["kubectl-ns_unstick", "__complete", ""]),
        Some(Mode::Dynamic(words(&[""])))
    );
    assert_eq!(
        m(&["kubectl-ns_unstick", "completion", "zsh"]),
        Some(Mode::Script(clap_complete::Shell::Zsh))
    );
    assert_eq!(
        m(&["kubectl-ns_unstick", "completion", "install", "--dir", "/x"]),
        Some(Mode::Install {
            dir: Some("/x".into())
        })
    );
    assert_eq!(
        m(&["kubectl-ns_unstick", "completion", "install"]),
        Some(Mode::Install { dir: None })
    );
    assert_eq!(
        m(&["kubectl-ns_unstick", "completion", "--help"]),
        Some(Mode::Usage(0))
    );
    assert_eq!(
        m(&["kubectl-ns_unstick", "completion", "bash", "x"]),
        Some(Mode::Usage(2))
    );
    // Normal runs, including a namespace that happens to be called `completion`.
    assert_eq!(m(&["kubectl-ns_unstick", "stuck"]), None);
    assert_eq!(m(&["kubectl-ns_unstick", "completion"]), None);
    assert_eq!(m(&["kubectl-ns_unstick", "completion", "other-ns"]), None);
    assert_eq!(m(&["kubectl-ns_unstick"]), None);
}

#[test]
fn plugin_stem_from_executable_or_command() {
    let cmd = Fixer::command();
    assert_eq!(
        install::plugin_stem(Some("/bin/kubectl-ns_unstick"), &cmd),
        "ns_unstick"
    );
    assert_eq!(
        install::plugin_stem(Some("C:\\x\\kubectl_complete-ns_unstick.exe"), &cmd)
            .rsplit('\\')
            .next(),
        Some("ns_unstick")
    );
    assert_eq!(
        install::plugin_stem(Some("/tmp/deps/test-123"), &cmd),
        "ns_unstick"
    );
}

#[test]
fn static_scripts_name_the_binary_and_the_completion_command() {
    for shell in [
        clap_complete::Shell::Bash,
        clap_complete::Shell::Zsh,
        clap_complete::Shell::Fish,
        clap_complete::Shell::PowerShell,
    ] {
        let mut out = Vec::new();
        install::script(Viewer::command(), shell, "top_real", &mut out).expect("script");
        let text = String::from_utf8(out).expect("UTF-8");
        assert!(text.contains("kubectl-top_real"), "{shell}: {text}");
        assert!(text.contains("completion"), "{shell}");
        assert!(text.contains("context"), "{shell}");
        assert!(text.contains("nodes"), "{shell}");
    }
}

#[cfg(unix)]
#[test]
fn install_links_the_completion_executable() {
    let dir = tempfile::tempdir().expect("tempdir");
    // With the plugin in DIR: a relative link that follows upgrades of the plugin.
    std::fs::write(dir.path().join("kubectl-demo_x"), "").expect("plugin file");
    let text = install::install("demo_x", Some(dir.path())).expect("install");
    let link = dir.path().join("kubectl_complete-demo_x");
    assert_eq!(
        std::fs::read_link(&link).expect("a symlink"),
        Path::new("kubectl-demo_x")
    );
    assert!(text.contains("source <(kubectl completion bash)"), "{text}");
    assert!(text.contains("not on PATH"), "{text}");
    // Again: replaced, not an error.
    install::install("demo_x", Some(dir.path())).expect("reinstall");
    // Without it: a link to this executable.
    install::install("demo_y", Some(dir.path())).expect("install");
    assert_eq!(
        std::fs::read_link(dir.path().join("kubectl_complete-demo_y")).expect("a symlink"),
        std::env::current_exe().expect("exe")
    );
}

#[test]
fn install_usage() {
    assert_eq!(
        install::parse_install_args(&words(&["--dir=/d"])),
        Mode::Install {
            dir: Some("/d".into())
        }
    );
    assert_eq!(
        install::parse_install_args(&words(&["--nope"])),
        Mode::Usage(2)
    );
    let text = install::usage("ns_unstick");
    assert!(
        text.contains("kubectl-ns_unstick completion install"),
        "{text}"
    );
    assert!(text.contains("`kubectl ns-unstick <TAB>`"), "{text}");
}
