//! The krew path, for real: the committed manifests are exactly what scripts/gen-krew-manifests
//! makes from the template and the recorded archive sums, krew's own validator accepts them, and
//! every plugin installs with `kubectl krew install --manifest=… --archive=…` (krew built from the
//! sigs.k8s.io/krew module by tests/krew/build), then runs through kubectl from `$KREW_ROOT/bin`.
//! The archives are the release ones in `dist/` when it has them (with the committed manifests
//! when their sums are the recorded ones, so krew checks the committed sha256), else the test
//! build packed by scripts/release (see `archives_and_manifests`).
//!
//! Nothing here downloads: krew's validator runs with `-skip-install` (otherwise it fetches every
//! platform's `uri`), installs always pass `--archive`, and `KREW_NO_UPGRADE_CHECK` is set.

#![allow(clippy::print_stderr)] // skip notes in the test output

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use firstaid_e2e::{PLUGINS, plugin_bin_dir, workspace_root};

fn script(name: &str) -> PathBuf {
    workspace_root().join("scripts").join(name)
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn run_ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The directory with `kubectl-krew` and `validate-krew-manifest`, or None (with a note) when Go
/// is missing.
fn krew_tools() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        if which("go").is_none() {
            eprintln!(
                "SKIPPED: Go is not installed, so krew's validator and installer cannot be built \
                 (tests/krew/build); install Go to run the krew tests"
            );
            return None;
        }
        let out = run_ok(&mut Command::new(workspace_root().join("tests/krew/build")));
        Some(PathBuf::from(out.trim()))
    })
    .clone()
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The pinned kubectl the test cluster is built with (no cluster needed here).
fn kubectl() -> PathBuf {
    if let Some(k) = std::env::var_os("FIRSTAID_KUBECTL") {
        return PathBuf::from(k);
    }
    let dir = run_ok(
        Command::new("bash")
            .arg(script("test-cluster"))
            .arg("build"),
    );
    PathBuf::from(dir.trim()).join("kubectl")
}

fn validate(tools: &Path, manifest: &Path) {
    run_ok(
        Command::new(tools.join("validate-krew-manifest"))
            .arg("-manifest")
            .arg(manifest)
            .arg("-skip-install"),
    );
}

fn manifest_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| Path::new(n).extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    names
}

#[test]
fn committed_manifests_are_up_to_date_and_valid() {
    let committed = workspace_root().join("krew-manifests");
    let fresh = tempfile::tempdir().expect("tempdir");
    // --require-all: the recorded release has an archive of every plugin for all six platforms.
    run_ok(
        Command::new(script("gen-krew-manifests"))
            .arg("--require-all")
            .arg("--sums")
            .arg(committed.join("SHA256SUMS"))
            .arg("--out")
            .arg(fresh.path()),
    );
    let mut expected: Vec<String> = PLUGINS.iter().map(|(p, _)| format!("{p}.yaml")).collect();
    expected.sort();
    assert_eq!(
        manifest_names(&committed),
        expected,
        "one manifest per plugin"
    );
    for name in &expected {
        let want = std::fs::read_to_string(fresh.path().join(name)).expect("generated");
        let have = std::fs::read_to_string(committed.join(name)).expect("committed");
        assert!(
            want == have,
            "krew-manifests/{name} is out of date (template, plugin texts, Cargo.toml version or \
             SHA256SUMS changed): run scripts/gen-krew-manifests (after scripts/release for a new \
             release) and commit the result"
        );
    }
    let Some(tools) = krew_tools() else { return };
    for name in &expected {
        validate(&tools, &committed.join(name));
    }
}

/// Every platform gets a block from the one template: with an archive for each of the six
/// platforms, `--require-all` succeeds, each manifest selects all six (darwin included, with the
/// unix completer) and krew's validator accepts them.
#[test]
fn template_covers_all_six_platforms() {
    const PLATFORMS: [&str; 6] = [
        "linux-amd64",
        "linux-arm64",
        "darwin-amd64",
        "darwin-arm64",
        "windows-amd64",
        "windows-arm64",
    ];
    let work = tempfile::tempdir().expect("tempdir");
    // The tests crate shares the workspace version, which the archive names carry.
    let version = env!("CARGO_PKG_VERSION");
    let sha = "0123456789abcdef".repeat(4);
    let sums: Vec<String> = PLUGINS
        .iter()
        .flat_map(|(plugin, _)| PLATFORMS.iter().map(move |platform| (plugin, platform)))
        .map(|(plugin, platform)| {
            let ext = if platform.starts_with("windows") {
                "zip"
            } else {
                "tar.gz"
            };
            format!("{sha}  {plugin}-v{version}-{platform}.{ext}")
        })
        .collect();
    let sums_file = work.path().join("SHA256SUMS");
    std::fs::write(&sums_file, sums.join("\n") + "\n").expect("write sums");
    let out = work.path().join("manifests");
    run_ok(
        Command::new(script("gen-krew-manifests"))
            .arg("--require-all")
            .arg("--sums")
            .arg(&sums_file)
            .arg("--out")
            .arg(&out),
    );
    for (plugin, bin) in PLUGINS {
        let manifest = out.join(format!("{plugin}.yaml"));
        let text = std::fs::read_to_string(&manifest).expect("manifest");
        for platform in PLATFORMS {
            let (os, arch) = platform.split_once('-').expect("os-arch");
            assert!(
                text.contains(&format!("os: {os}\n        arch: {arch}\n")),
                "{plugin}: no {platform} block:\n{text}"
            );
        }
        let stem = bin.trim_start_matches("kubectl-");
        assert!(
            text.contains(&format!(
                "darwin-arm64.tar.gz\n    sha256: {sha}\n    bin: {bin}\n"
            )),
            "{plugin}: darwin uses the tar.gz and the plain binary:\n{text}"
        );
        assert!(
            text.contains(&format!("from: kubectl_complete-{stem}\n")),
            "{text}"
        );
    }
    if let Some(tools) = krew_tools() {
        for (plugin, _) in PLUGINS {
            validate(&tools, &out.join(format!("{plugin}.yaml")));
        }
    }
}

/// This machine's krew platform (`linux-amd64`), as in the archive names.
fn host_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}-{arch}", std::env::consts::OS)
}

/// The archive of `plugin` for this machine listed in a SHA256SUMS text.
fn host_archive<'a>(sums: &'a str, plugin: &str) -> Option<&'a str> {
    let platform = host_platform();
    sums.lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(|a| a.trim_start_matches('*'))
        .find(|a| a.starts_with(&format!("{plugin}-v")) && a.contains(&format!("-{platform}.")))
}

/// Where the archives to install come from, and the manifests that describe them.
///
/// - `dist/` holds the release archives whose sums are recorded in `krew-manifests/SHA256SUMS`:
///   those archives with the COMMITTED manifests, so krew checks the committed sha256 for real.
/// - `dist/` holds other release archives (a new build not yet recorded): those archives with
///   manifests generated from `dist/SHA256SUMS`.
/// - no `dist/`: the freshly built (debug) binaries packed exactly like a release by
///   `scripts/release --bin-dir`, with manifests generated for them.
fn archives_and_manifests(work: &Path) -> (PathBuf, PathBuf) {
    let root = workspace_root();
    let dist = root.join("dist");
    let dist_sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap_or_default();
    let complete = PLUGINS.iter().all(|(plugin, _)| {
        host_archive(&dist_sums, plugin).is_some_and(|a| dist.join(a).is_file())
    });
    if complete {
        let recorded = std::fs::read_to_string(root.join("krew-manifests/SHA256SUMS"))
            .expect("krew-manifests/SHA256SUMS");
        if recorded == dist_sums {
            eprintln!(
                "krew: installing the release archives in dist/ with the committed manifests"
            );
            return (dist, root.join("krew-manifests"));
        }
        eprintln!(
            "krew: dist/SHA256SUMS is not the recorded krew-manifests/SHA256SUMS; installing the \
             archives in dist/ with manifests generated from them"
        );
        return (dist.clone(), generate_manifests(&dist, work));
    }
    let dist = work.join("dist");
    run_ok(
        Command::new(script("release"))
            .arg("--bin-dir")
            .arg(plugin_bin_dir())
            .arg("--out")
            .arg(&dist),
    );
    let manifests = generate_manifests(&dist, work);
    (dist, manifests)
}

fn generate_manifests(dist: &Path, work: &Path) -> PathBuf {
    let manifests = work.join("manifests");
    run_ok(
        Command::new(script("gen-krew-manifests"))
            .arg("--sums")
            .arg(dist.join("SHA256SUMS"))
            .arg("--out")
            .arg(&manifests),
    );
    manifests
}

#[test]
fn every_plugin_installs_with_krew_and_runs_through_kubectl() {
    let Some(tools) = krew_tools() else { return };
    let kubectl = kubectl();
    let work = tempfile::tempdir().expect("tempdir");
    let krew_root = work.path().join("krew");
    let (dist, manifests) = archives_and_manifests(work.path());
    // PATH: krew's bin dir and the krew tools, never the build directory of the plugins, nor a
    // directory holding another install of them (`scripts/install` puts them in ~/.cargo/bin):
    // `kubectl plugin list` fails on plugins that overshadow each other.
    let mut path = vec![krew_root.join("bin"), tools.clone()];
    path.extend(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .filter(|dir| !PLUGINS.iter().any(|(_, bin)| dir.join(bin).exists())),
    );
    let path: OsString = std::env::join_paths(path).expect("PATH");
    let kubectl_cmd = |args: &[&str]| {
        let mut cmd = Command::new(&kubectl);
        cmd.args(args)
            .env("KREW_ROOT", &krew_root)
            .env("KREW_NO_UPGRADE_CHECK", "1")
            .env("PATH", &path)
            .env("KUBECONFIG", work.path().join("no-kubeconfig"));
        cmd
    };
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).expect("sums");
    for (plugin, bin) in PLUGINS {
        let manifest = manifests.join(format!("{plugin}.yaml"));
        validate(&tools, &manifest);
        let archive =
            host_archive(&sums, plugin).unwrap_or_else(|| panic!("no archive of {plugin}"));
        let manifest_arg = format!("--manifest={}", manifest.display());
        let archive_arg = format!("--archive={}", dist.join(archive).display());
        let out = run(&mut kubectl_cmd(&[
            "krew",
            "install",
            &manifest_arg,
            &archive_arg,
        ]));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "krew install {plugin}: {stderr}");
        assert!(
            stderr.contains(&format!("Installed plugin: {plugin}")),
            "{stderr}"
        );

        let installed = krew_root.join("bin").join(bin);
        assert!(installed.exists(), "{} missing", installed.display());
        let store = std::fs::canonicalize(&installed).expect("krew links bin/ into store/");
        let store_dir = store.parent().expect("store dir");
        assert!(store_dir.join("LICENSE").is_file(), "LICENSE not installed");
        let completer = format!("kubectl_complete-{}", bin.trim_start_matches("kubectl-"));
        assert!(
            store_dir.join(&completer).is_file(),
            "{completer} not installed"
        );

        let out = run(&mut kubectl_cmd(&[plugin, "--help"]));
        assert!(
            out.status.success(),
            "kubectl {plugin} --help through krew failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let list = run_ok(&mut kubectl_cmd(&["plugin", "list"]));
    for (_, bin) in PLUGINS {
        let from_krew = krew_root.join("bin").join(bin);
        assert!(
            list.contains(&from_krew.display().to_string()),
            "kubectl does not run {bin} from krew's bin dir:\n{list}"
        );
    }
    // What `kubectl krew list` reads (it also wants the index, which would mean a download).
    for (plugin, _) in PLUGINS {
        let receipt = krew_root.join("receipts").join(format!("{plugin}.yaml"));
        assert!(receipt.is_file(), "no krew receipt {}", receipt.display());
    }
    crate::completion::krew_installed_plugins_complete_after_completion_install(
        &kubectl_cmd,
        &krew_root,
    );
}

/// `(plugin, platform, archive)` of every archive in a SHA256SUMS text whose platform is not this
/// machine's.
fn other_platform_archives(sums: &str) -> Vec<(&'static str, String, String)> {
    let host = host_platform();
    let mut found = Vec::new();
    for archive in sums
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(|a| a.trim_start_matches('*'))
    {
        let stem = archive
            .strip_suffix(".tar.gz")
            .or_else(|| archive.strip_suffix(".zip"))
            .unwrap_or(archive);
        let mut parts = stem.rsplitn(3, '-');
        let (Some(arch), Some(os)) = (parts.next(), parts.next()) else {
            continue;
        };
        let platform = format!("{os}-{arch}");
        let plugin = PLUGINS
            .iter()
            .map(|(p, _)| *p)
            .find(|p| archive.starts_with(&format!("{p}-v")));
        if let Some(plugin) = plugin
            && platform != host
        {
            found.push((plugin, platform, archive.to_string()));
        }
    }
    found
}

/// The cross-built release archives (linux-arm64, windows-*, darwin-*), which cannot run here: krew, told
/// it runs on their platform (`KREW_OS`/`KREW_ARCH`, krew's documented override for testing
/// manifests), installs each with its committed manifest — so the committed sha256 matches the
/// archive and every file the manifest names (the `.exe`, the completer, LICENSE) is in it.
/// scripts/release already checked the binaries' format with `file` (and the darwin ones' libraries,
/// minimum macOS and ad-hoc signature). Needs the recorded release
/// archives in `dist/`; without them (a fresh clone, CI) there is nothing to check.
#[test]
fn cross_built_archives_install_with_krew_for_their_platform() {
    let root = workspace_root();
    let dist = root.join("dist");
    let recorded = std::fs::read_to_string(root.join("krew-manifests/SHA256SUMS"))
        .expect("krew-manifests/SHA256SUMS");
    let dist_sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap_or_default();
    if dist_sums != recorded {
        eprintln!(
            "SKIPPED: dist/ does not hold the release archives recorded in \
             krew-manifests/SHA256SUMS (build them with scripts/release --cross)"
        );
        return;
    }
    let Some(tools) = krew_tools() else { return };
    let archives = other_platform_archives(&recorded);
    for (plugin, platform, archive) in &archives {
        let (os, arch) = platform.split_once('-').expect("os-arch");
        let krew_root = tempfile::tempdir().expect("tempdir");
        let manifest = root.join("krew-manifests").join(format!("{plugin}.yaml"));
        let out = run(Command::new(tools.join("kubectl-krew"))
            .arg("install")
            .arg(format!("--manifest={}", manifest.display()))
            .arg(format!("--archive={}", dist.join(archive).display()))
            .env("KREW_ROOT", krew_root.path())
            .env("KREW_OS", os)
            .env("KREW_ARCH", arch)
            .env("KREW_NO_UPGRADE_CHECK", "1"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "krew install {archive}: {stderr}");
        let stem = plugin.replace('-', "_");
        let (bin, completer) = if os == "windows" {
            (
                format!("kubectl-{stem}.exe"),
                format!("kubectl_complete-{stem}.cmd"),
            )
        } else {
            (
                format!("kubectl-{stem}"),
                format!("kubectl_complete-{stem}"),
            )
        };
        let version = archive
            .strip_prefix(&format!("{plugin}-"))
            .and_then(|rest| rest.split('-').next())
            .expect("version in the archive name");
        let store = krew_root.path().join("store").join(plugin).join(version);
        for file in [&bin, &completer, &"LICENSE".to_string()] {
            assert!(
                store.join(file).is_file(),
                "{archive}: {file} not installed in {}",
                store.display()
            );
        }
    }
    for (plugin, _) in PLUGINS {
        for platform in ["darwin-amd64", "darwin-arm64"] {
            assert!(
                archives
                    .iter()
                    .any(|(p, pl, _)| *p == plugin && pl == platform),
                "the recorded release has no {platform} archive of {plugin}"
            );
        }
    }
    eprintln!(
        "krew: installed {} cross-built archives for their platforms",
        archives.len()
    );
}
