//! The client every plugin talks to the API server with: kube's request layers (base URL,
//! credentials, impersonation headers) over our own HTTPS connector. kube's retry layer is left
//! out: the one retry layer is `concurrency::with_retry`.
//!
//! The connector is ours ([`tls`]) rather than kube's `rustls-tls` feature so that the same
//! code, including where trusted roots come from ([`roots`]), runs on Linux, Windows and macOS,
//! and the macOS binaries link no Apple framework. HTTP/1.1 only, as kube's connector was.

#[cfg(any(target_os = "macos", test))]
mod macos;
mod roots;
mod tls;

use std::sync::OnceLock;

use hyper_rustls::{FixedServerNameResolver, HttpsConnectorBuilder};
use hyper_timeout::TimeoutConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kube::client::{Body, ConfigExt};
use kube::{Client, Config};
use rustls::pki_types::ServerName;
use tower::{BoxError, ServiceBuilder};

use crate::error::{Error, Result};

/// What the connection trusts, in a sentence, for certificate errors (recorded once, like the
/// server URL, so the error path needs no connection details).
static TRUST: OnceLock<String> = OnceLock::new();

/// The sentence saying which roots the server's certificate was checked against.
pub(crate) fn trust() -> Option<&'static str> {
    TRUST.get().map(String::as_str)
}

/// A client for `config`.
pub fn build(config: &Config) -> Result<Client> {
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer().map_err(|e| kube_config(&e))?)
        .layer(config.extra_headers_layer().map_err(|e| kube_config(&e))?)
        .map_err(BoxError::from)
        .service(http_client(config)?);
    Ok(Client::new(service, config.default_namespace.clone()))
}

fn http_client(
    config: &Config,
) -> Result<hyper_util::client::legacy::Client<TimeoutConnector<Https>, Body>> {
    if let Some(proxy) = &config.proxy_url {
        // As before: kube was built without its proxy features, so a proxy was refused, not
        // silently bypassed.
        return Err(Error::Config(format!(
            "proxy {proxy} (from the kubeconfig's proxy-url or HTTPS_PROXY) is not supported; unset it to connect directly"
        )));
    }
    let mut connector = TimeoutConnector::new(https(config)?);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    connector.set_reset_reader_on_write(config.reset_reader_on_write);
    Ok(hyper_util::client::legacy::Builder::new(TokioExecutor::new()).build(connector))
}

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

fn https(config: &Config) -> Result<Https> {
    let (tls, trust) = tls::client_config(config)?;
    let _ = TRUST.set(trust);
    let mut tcp = HttpConnector::new();
    // The scheme is checked by the TLS layer above it (https, or plain http when asked for).
    tcp.enforce_http(false);
    // Requests go out as small writes (TLS records, headers then body); with Nagle's algorithm on,
    // one of them waited for the server's delayed ACK: 40 ms of a 50 ms `exitcode-explain pod/X`.
    // curl and kubectl's Go client set TCP_NODELAY too.
    tcp.set_nodelay(true);
    let mut builder = HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    if let Some(name) = &config.tls_server_name {
        // The kubeconfig's tls-server-name: sent as SNI and checked against the certificate
        // instead of the URL's host.
        let name = ServerName::try_from(name.clone())
            .map_err(|e| Error::Config(format!("invalid tls-server-name {name:?}: {e}")))?;
        builder = builder.with_server_name_resolver(FixedServerNameResolver::new(name));
    }
    Ok(builder.enable_http1().wrap_connector(tcp))
}

fn kube_config(err: &kube::Error) -> Error {
    Error::Config(crate::error::chain(err))
}
