//! The rustls configuration of every connection: which roots are trusted, which client
//! certificate is presented, and `insecure-skip-tls-verify`.
//!
//! kube's own TLS feature links Apple's Security framework (for the OS trust store), which no
//! registry ships an SDK for; building this ourselves from kube's [`Config`] is what lets the
//! macOS binaries be cross-built, and the same code runs on every platform.

use std::sync::Arc;

use base64::Engine as _;
use kube::Config;
use kube::config::AuthInfo;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use secrecy::ExposeSecret;

use super::roots::{self, Roots};
use crate::error::{Error, Result};

/// The rustls client configuration for `config`, and a sentence on what it trusts (for
/// certificate errors).
pub(crate) fn client_config(config: &Config) -> Result<(ClientConfig, String)> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let (verifier, trust) = verifier(config, &provider)?;
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_setup("TLS versions", &e))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let tls = match identity(&config.auth_info)? {
        Some((chain, key)) => builder
            .with_client_auth_cert(chain, key)
            .map_err(|e| Error::Config(format!("client certificate and key do not match: {e}")))?,
        None => builder.with_no_client_auth(),
    };
    Ok((tls, trust))
}

fn verifier(
    config: &Config,
    provider: &Arc<CryptoProvider>,
) -> Result<(Arc<dyn ServerCertVerifier>, String)> {
    if config.accept_invalid_certs {
        let skip = SkipVerification(provider.signature_verification_algorithms);
        return Ok((
            Arc::new(skip),
            "nothing (insecure-skip-tls-verify)".to_owned(),
        ));
    }
    let roots = match &config.root_cert {
        // kubectl trusts only the kubeconfig's CA when it names one, never the OS store too.
        Some(ders) => kubeconfig_roots(ders)?,
        None => roots::system(),
    };
    if roots.store.is_empty() {
        return Err(Error::Unreachable(format!(
            "no trusted certificates: the kubeconfig has no certificate-authority and {} holds none (set certificate-authority in the kubeconfig, or SSL_CERT_FILE)",
            roots.source
        )));
    }
    let trust = match &config.root_cert {
        Some(_) => "trusting only the kubeconfig's certificate-authority".to_owned(),
        None => format!(
            "the kubeconfig has no certificate-authority, so {} was trusted",
            roots.source
        ),
    };
    let verifier =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots.store), provider.clone())
            .build()
            .map_err(|e| tls_setup("certificate verifier", &e))?;
    Ok((verifier, trust))
}

fn kubeconfig_roots(ders: &[Vec<u8>]) -> Result<Roots> {
    let mut store = RootCertStore::empty();
    for der in ders {
        store.add(CertificateDer::from(der.clone())).map_err(|e| {
            Error::Config(format!(
                "certificate-authority is not a usable CA certificate: {e}"
            ))
        })?;
    }
    Ok(Roots {
        store,
        source: "the kubeconfig's certificate-authority".to_owned(),
    })
}

fn tls_setup(what: &str, err: &dyn std::error::Error) -> Error {
    Error::Config(format!(
        "setting up TLS ({what}): {}",
        crate::error::chain(err)
    ))
}

type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// The user's client certificate and key: `client-certificate[-data]` and `client-key[-data]`,
/// which is also where an exec plugin's certificate lands (see `exec_auth`). `-data` wins over
/// the file, as in kubectl.
fn identity(user: &AuthInfo) -> Result<Option<Identity>> {
    let cert = load(
        user.client_certificate_data.as_deref(),
        user.client_certificate.as_deref(),
        "client-certificate",
    )?;
    let key_data = user
        .client_key_data
        .as_ref()
        .map(|k| k.expose_secret().to_owned());
    let key = load(
        key_data.as_deref(),
        user.client_key.as_deref(),
        "client-key",
    )?;
    let (cert, key) = match (cert, key) {
        (None, None) => return Ok(None),
        (Some(cert), Some(key)) => (cert, key),
        (Some(_), None) => {
            return Err(Error::Config(
                "the user has a client-certificate but no client-key".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(Error::Config(
                "the user has a client-key but no client-certificate".into(),
            ));
        }
    };
    let chain = CertificateDer::pem_slice_iter(&cert)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Config(format!("client-certificate is not PEM: {e}")))?;
    if chain.is_empty() {
        return Err(Error::Config(
            "client-certificate holds no certificate".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(&key).map_err(|e| {
        Error::Config(format!(
            "client-key is not a PEM private key (PKCS#8, PKCS#1 or SEC1): {e}"
        ))
    })?;
    Ok(Some((chain, key)))
}

fn load(data: Option<&str>, file: Option<&str>, field: &str) -> Result<Option<Vec<u8>>> {
    if let Some(data) = data {
        return base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map(Some)
            .map_err(|e| Error::Config(format!("{field}-data is not base64: {e}")));
    }
    file.map(|path| {
        std::fs::read(path).map_err(|e| Error::Config(format!("reading {field} {path}: {e}")))
    })
    .transpose()
}

/// `insecure-skip-tls-verify`: any server certificate is accepted, but the handshake signatures
/// are still checked, so the connection is at least to whoever holds that certificate's key.
#[derive(Debug)]
struct SkipVerification(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for SkipVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
