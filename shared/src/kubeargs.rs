//! kubectl's connection flags, accepted by every plugin.
//!
//! kubectl refuses global flags placed before a plugin name (`kubectl -n x ns-unstick` fails), so
//! each plugin must take them itself, with kubectl's names and meanings, or users' muscle memory
//! breaks.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use kube::config::KubeConfigOptions;
use kube::{Client, Config};

use crate::error::Result;
use crate::kubeconfig::Source;

#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Kubernetes connection")]
pub struct KubeArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// The name of the kubeconfig context to use
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// The name of the kubeconfig cluster to use
    #[arg(long, global = true, value_name = "NAME")]
    pub cluster: Option<String>,
    /// The name of the kubeconfig user to use
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,
    /// The namespace scope for this request (default: the context's namespace)
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// Username to impersonate for the operation
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,
    /// Group to impersonate for the operation (repeatable)
    #[arg(long = "as-group", global = true, value_name = "GROUP")]
    pub as_group: Vec<String>,
    /// UID to impersonate for the operation
    #[arg(long = "as-uid", global = true, value_name = "UID")]
    pub as_uid: Option<String>,
    /// How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_request_timeout, default_value = "0")]
    pub request_timeout: RequestTimeout,
    /// Do not verify the server's certificate (insecure)
    ///
    /// Otherwise the server's certificate is checked against the kubeconfig's
    /// certificate-authority when it names one, and only against it, as kubectl does. A
    /// kubeconfig without one (public managed endpoints) trusts, on Linux and Windows, the
    /// system's trust store (SSL_CERT_FILE / SSL_CERT_DIR when set); on macOS, SSL_CERT_FILE /
    /// SSL_CERT_DIR when set, else the certificates in the system and login keychains, else
    /// the Mozilla roots built into the plugin.
    #[arg(long, global = true)]
    pub insecure_skip_tls_verify: bool,
}

/// `--request-timeout`: kubectl takes `0`, a bare number of seconds, or a duration like `1m30s`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestTimeout(pub Option<Duration>);

pub fn parse_request_timeout(text: &str) -> Result<RequestTimeout, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        let duration = crate::args::check_bound(text, Duration::from_secs(seconds))?;
        return Ok(RequestTimeout((seconds > 0).then_some(duration)));
    }
    let duration = humantime::parse_duration(text)
        .map_err(|e| format!("invalid duration {text:?} ({e}); use e.g. 0, 30, 30s or 1m"))?;
    let duration = crate::args::check_bound(text, duration)?;
    Ok(RequestTimeout((!duration.is_zero()).then_some(duration)))
}

/// A connected client and what a plugin needs to know about where it points.
#[derive(Clone)]
pub struct Kube {
    pub client: Client,
    /// `-n`, else the context's namespace, else `default`.
    pub namespace: String,
    /// The API server URL, for messages.
    pub server: String,
    pub request_timeout: Option<Duration>,
}

impl Kube {
    /// A `Kube` around a client that is already built (mocked-API tests): no kubeconfig behind it.
    pub fn from_client(client: Client, namespace: &str) -> Kube {
        let server = "https://127.0.0.1:1";
        Kube {
            client,
            namespace: namespace.to_owned(),
            server: server.to_owned(),
            request_timeout: None,
        }
    }
}

impl std::fmt::Debug for Kube {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kube")
            .field("namespace", &self.namespace)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl KubeArgs {
    /// Loads the kubeconfig (honouring `--kubeconfig`, `$KUBECONFIG` with several files, the
    /// context/cluster/user overrides and exec auth plugins) and builds a client.
    pub async fn connect(&self) -> Result<Kube> {
        let config = self.config().await?;
        let server = config.cluster_url.to_string();
        crate::error::set_server(&server);
        let namespace = self
            .namespace
            .clone()
            .unwrap_or_else(|| config.default_namespace.clone());
        let request_timeout = self.request_timeout.0;
        let client = crate::client::build(&config)?;
        Ok(Kube {
            client,
            namespace,
            server: server.trim_end_matches('/').to_owned(),
            request_timeout,
        })
    }

    pub async fn config(&self) -> Result<Config> {
        let source = Source::locate(self.kubeconfig.as_deref());
        let kubeconfig = source.read()?;
        let options = KubeConfigOptions {
            context: self.context.clone(),
            cluster: self.cluster.clone(),
            user: self.user.clone(),
        };
        let mut config = Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|e| source.invalid(&e))?;
        if let Some(user) = &self.as_user {
            config.auth_info.impersonate = Some(user.clone());
        }
        if !self.as_group.is_empty() {
            config.auth_info.impersonate_groups = Some(self.as_group.clone());
        }
        if let Some(uid) = &self.as_uid {
            config.auth_info.impersonate_uid = Some(uid.clone());
        }
        if let Some(timeout) = self.request_timeout.0 {
            config.connect_timeout = Some(timeout);
            config.read_timeout = Some(timeout);
            config.write_timeout = Some(timeout);
            config.reset_reader_on_write = true;
        }
        if self.insecure_skip_tls_verify {
            config.accept_invalid_certs = true;
        }
        crate::exec_auth::resolve(&mut config, self.request_timeout.0).await?;
        Ok(config)
    }

    /// Names of the contexts in the kubeconfig (for completion).
    pub fn context_names(&self) -> Vec<String> {
        Source::locate(self.kubeconfig.as_deref())
            .read()
            .map(|k| k.contexts.into_iter().map(|c| c.name).collect())
            .unwrap_or_default()
    }
}

/// `-A/--all-namespaces`, for plugins that list across namespaces.
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct AllNamespacesArg {
    /// List across all namespaces (ignores -n)
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
}

impl Kube {
    /// `None` for all namespaces, else the effective namespace.
    pub fn scope(&self, all: AllNamespacesArg) -> Option<&str> {
        (!all.all_namespaces).then_some(self.namespace.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        kube: KubeArgs,
        #[command(flatten)]
        all: AllNamespacesArg,
    }

    #[test]
    fn request_timeout_accepts_kubectl_forms() {
        assert_eq!(parse_request_timeout("0"), Ok(RequestTimeout(None)));
        assert_eq!(
            parse_request_timeout("30"),
            Ok(RequestTimeout(Some(Duration::from_secs(30))))
        );
        assert_eq!(
            parse_request_timeout("1m30s"),
            Ok(RequestTimeout(Some(Duration::from_secs(90))))
        );
        assert!(parse_request_timeout("soon").is_err());
        // Bounded like every duration flag, so `now + timeout` cannot overflow.
        assert!(parse_request_timeout("300000000000y").is_err());
        assert!(parse_request_timeout("18446744073709551615").is_err());
    }

    #[test]
    fn kubectl_flag_names_parse() {
        let cli = Cli::try_parse_from([
            "x",
            "--kubeconfig",
            "/k",
            "--context",
            "c",
            "-n",
            "ns",
            "--as",
            "bob",
            "--as-group",
            "g1",
            "--as-group",
            "g2",
            "--request-timeout",
            "5s",
            "-A",
        ])
        .expect("flags parse");
        assert_eq!(cli.kube.namespace.as_deref(), Some("ns"));
        assert_eq!(cli.kube.as_group, ["g1", "g2"]);
        assert!(cli.all.all_namespaces);
        assert_eq!(cli.kube.request_timeout.0, Some(Duration::from_secs(5)));
    }

    const KUBECONFIG: &str = r"
apiVersion: v1
kind: Config
current-context: a
clusters:
- name: one
  cluster: {server: 'https://127.0.0.1:1'}
- name: two
  cluster: {server: 'https://127.0.0.2:2'}
users:
- name: u
  user: {token: secret-token}
contexts:
- name: a
  context: {cluster: one, user: u, namespace: team-a}
- name: b
  context: {cluster: two, user: u}
";

    #[tokio::test]
    async fn honours_context_namespace_and_impersonation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config");
        std::fs::write(&path, KUBECONFIG).expect("write");
        let args = KubeArgs {
            kubeconfig: Some(path.clone()),
            context: Some("b".into()),
            as_user: Some("bob".into()),
            as_group: vec!["ops".into()],
            ..KubeArgs::default()
        };
        let config = args.config().await.expect("config");
        assert_eq!(config.cluster_url.to_string(), "https://127.0.0.2:2/");
        assert_eq!(config.default_namespace, "default");
        assert_eq!(config.auth_info.impersonate.as_deref(), Some("bob"));
        assert_eq!(
            config.auth_info.impersonate_groups,
            Some(vec!["ops".to_string()])
        );

        let args = KubeArgs {
            kubeconfig: Some(path),
            ..KubeArgs::default()
        };
        let config = args.config().await.expect("config");
        assert_eq!(config.default_namespace, "team-a");
        assert_eq!(args.context_names(), ["a", "b"]);
    }

    #[tokio::test]
    async fn missing_kubeconfig_is_no_kubeconfig() {
        let args = KubeArgs {
            kubeconfig: Some("/nonexistent/kubeconfig".into()),
            ..KubeArgs::default()
        };
        let err = args.config().await.expect_err("must fail");
        assert!(matches!(err, Error::NoKubeconfig(_)), "{err:?}");
    }
}
