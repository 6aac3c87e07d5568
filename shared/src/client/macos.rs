//! The macOS root-source order (see the parent module), compiled on every platform's tests so
//! that the order is checked on Linux with a fake `security`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use super::roots::{OPENSSL_VARS, Roots};

/// What the macOS lookup reads, gathered up front so that the order can be tested anywhere with
/// a fake `security`.
pub(crate) struct MacTrustEnv {
    pub ssl_cert_file: Option<PathBuf>,
    pub ssl_cert_dir: Option<OsString>,
    /// The `security` program: always Apple's, never one found earlier on the user's PATH.
    pub security: PathBuf,
    pub keychains: Vec<PathBuf>,
}

#[cfg(target_os = "macos")]
impl MacTrustEnv {
    pub(crate) fn from_process() -> Self {
        let mut keychains = vec![
            // Apple's roots, then what an admin or MDM installed, then what the user added.
            PathBuf::from("/System/Library/Keychains/SystemRootCertificates.keychain"),
            PathBuf::from("/Library/Keychains/System.keychain"),
        ];
        if let Some(home) = dirs::home_dir() {
            keychains.push(home.join("Library/Keychains/login.keychain-db"));
        }
        MacTrustEnv {
            ssl_cert_file: std::env::var_os("SSL_CERT_FILE").map(PathBuf::from),
            ssl_cert_dir: std::env::var_os("SSL_CERT_DIR"),
            security: PathBuf::from("/usr/bin/security"),
            keychains,
        }
    }
}

/// The macOS order: the OpenSSL variables when set (even when they yield nothing: the user chose
/// them), else the keychains, else the compiled-in Mozilla roots.
pub(crate) fn roots(env: &MacTrustEnv) -> Roots {
    if env.ssl_cert_file.is_some() || env.ssl_cert_dir.is_some() {
        let certs = from_openssl_paths(env.ssl_cert_file.as_deref(), env.ssl_cert_dir.as_ref());
        return Roots::from_certs(certs, OPENSSL_VARS);
    }
    let keychains = Roots::from_certs(
        keychain_certs(&env.security, &env.keychains),
        "the system and login keychains",
    );
    if !keychains.store.is_empty() {
        return keychains;
    }
    Roots {
        store: webpki_roots::TLS_SERVER_ROOTS.iter().cloned().collect(),
        source: "the compiled-in Mozilla roots".to_owned(),
    }
}

/// The certificates in `SSL_CERT_FILE` and in the files of the `SSL_CERT_DIR` directories
/// (`:`-separated, as OpenSSL reads it). Unreadable files are skipped: the result is then a
/// verification failure that names these variables.
fn from_openssl_paths(
    file: Option<&Path>,
    dirs: Option<&OsString>,
) -> Vec<CertificateDer<'static>> {
    let dir_files = dirs
        .into_iter()
        .flat_map(std::env::split_paths)
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()));
    file.map(Path::to_path_buf)
        .into_iter()
        .chain(dir_files)
        .filter_map(|path| std::fs::read(path).ok())
        .flat_map(|pem| pem_certs(&pem))
        .collect()
}

/// Every certificate of the given keychains, in PEM from `security find-certificate -a -p`.
/// A keychain that is missing or locked only contributes nothing.
fn keychain_certs(security: &Path, keychains: &[PathBuf]) -> Vec<CertificateDer<'static>> {
    keychains
        .iter()
        .filter_map(|keychain| {
            Command::new(security)
                .args(["find-certificate", "-a", "-p"])
                .arg(keychain)
                .stdin(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .output()
                .ok()
                .filter(|out| out.status.success())
        })
        .flat_map(|out| pem_certs(&out.stdout))
        .collect()
}

fn pem_certs(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(pem)
        .filter_map(Result::ok)
        .collect()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const ROOT1: &str = include_str!("testdata/root1.pem");
    const ROOT2: &str = include_str!("testdata/root2.pem");

    /// A `security` that logs its arguments and prints `stdout` for the login keychain only.
    fn fake_security(dir: &Path, stdout: &str, exit: u8) -> PathBuf {
        let path = dir.join("security");
        let body = format!(
            "#!/bin/sh\necho \"$@\" >>'{log}'\ncase \"$4\" in *login*) printf '%s' '{stdout}';; esac\nexit {exit}\n",
            log = dir.join("calls").display()
        );
        std::fs::write(&path, body).expect("write fake security");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    fn env(dir: &Path, security: PathBuf) -> MacTrustEnv {
        MacTrustEnv {
            ssl_cert_file: None,
            ssl_cert_dir: None,
            security,
            keychains: vec![dir.join("System.keychain"), dir.join("login.keychain-db")],
        }
    }

    #[test]
    fn openssl_variables_win_over_the_keychains() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bundle = dir.path().join("bundle.pem");
        std::fs::write(&bundle, ROOT1).expect("write bundle");
        let certs = dir.path().join("certs");
        std::fs::create_dir(&certs).expect("mkdir");
        std::fs::write(certs.join("two.pem"), ROOT2).expect("write dir cert");
        let security = fake_security(dir.path(), &format!("{ROOT1}{ROOT2}"), 0);
        let mut env = env(dir.path(), security);
        env.ssl_cert_file = Some(bundle);
        let found = roots(&env);
        assert_eq!(
            (found.store.len(), found.source.as_str()),
            (1, OPENSSL_VARS)
        );
        env.ssl_cert_dir = Some(certs.into_os_string());
        assert_eq!(roots_len(&env), 2);
        assert!(!dir.path().join("calls").exists(), "security must not run");
        // Set but pointing at nothing: still the user's choice, not a silent fallback.
        env.ssl_cert_file = Some(dir.path().join("missing.pem"));
        env.ssl_cert_dir = None;
        let found = roots(&env);
        assert_eq!(
            (found.store.len(), found.source.as_str()),
            (0, OPENSSL_VARS)
        );
    }

    fn roots_len(env: &MacTrustEnv) -> usize {
        roots(env).store.len()
    }

    #[test]
    fn keychains_come_next_each_read_with_find_certificate() {
        let dir = tempfile::tempdir().expect("tempdir");
        let security = fake_security(dir.path(), &format!("{ROOT1}{ROOT2}"), 0);
        let found = roots(&env(dir.path(), security));
        assert_eq!(found.store.len(), 2);
        assert_eq!(found.source, "the system and login keychains");
        let calls = std::fs::read_to_string(dir.path().join("calls")).expect("calls");
        let want = format!(
            "find-certificate -a -p {0}/System.keychain\nfind-certificate -a -p {0}/login.keychain-db\n",
            dir.path().display()
        );
        assert_eq!(calls, want);
    }

    #[test]
    fn mozilla_roots_when_the_keychains_give_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let failing = fake_security(dir.path(), ROOT1, 1);
        let found = roots(&env(dir.path(), failing));
        assert_eq!(found.source, "the compiled-in Mozilla roots");
        assert_eq!(found.store.len(), webpki_roots::TLS_SERVER_ROOTS.len());
        let absent = roots_from(dir.path(), dir.path().join("no-such-security"));
        assert_eq!(absent, webpki_roots::TLS_SERVER_ROOTS.len());
    }

    fn roots_from(dir: &Path, security: PathBuf) -> usize {
        roots_len(&env(dir, security))
    }
}
