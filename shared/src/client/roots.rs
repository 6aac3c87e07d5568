//! Where the trusted roots come from when the kubeconfig names no certificate authority (public
//! managed endpoints), per platform, as `--help` and the README state:
//!
//! - Linux and Windows: the OS store, as rustls-native-certs reads it (`SSL_CERT_FILE` /
//!   `SSL_CERT_DIR` when set, else the distribution's bundle; Windows' ROOT store).
//! - macOS: `SSL_CERT_FILE` / `SSL_CERT_DIR` when set; else the certificates of the system and login
//!   keychains, as `/usr/bin/security find-certificate -a -p` prints them; else the Mozilla roots
//!   compiled in (webpki-roots). The keychains are read through Apple's own command rather than
//!   the Security framework so that the binary links no framework and can be built on Linux.

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;

/// Roots found and, for messages, where they came from.
pub(crate) struct Roots {
    pub store: RootCertStore,
    pub source: String,
}

impl Roots {
    /// Certificates that do not parse as trust anchors are skipped, as OpenSSL does with a
    /// bundle: one odd entry in a system store must not make every server untrusted.
    pub(crate) fn from_certs(certs: Vec<CertificateDer<'static>>, source: &str) -> Self {
        let mut store = RootCertStore::empty();
        store.add_parsable_certificates(certs);
        Roots {
            store,
            source: source.to_owned(),
        }
    }
}

/// The trusted roots for a kubeconfig without a CA, on this platform.
#[cfg(not(target_os = "macos"))]
pub(crate) fn system() -> Roots {
    let found = rustls_native_certs::load_native_certs();
    let source = match (
        std::env::var_os("SSL_CERT_FILE"),
        std::env::var_os("SSL_CERT_DIR"),
    ) {
        (None, None) => "the operating system's trust store",
        _ => OPENSSL_VARS,
    };
    Roots::from_certs(found.certs, source)
}

pub(crate) const OPENSSL_VARS: &str = "SSL_CERT_FILE/SSL_CERT_DIR";

#[cfg(target_os = "macos")]
pub(crate) fn system() -> Roots {
    super::macos::roots(&super::macos::MacTrustEnv::from_process())
}
