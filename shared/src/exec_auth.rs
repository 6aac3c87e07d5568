//! Exec credential plugins (`users[].user.exec` in a kubeconfig), run by us with a deadline.
//!
//! kube-rs runs the plugin with a blocking `Command::output()` inside the request path. A plugin
//! that hangs (a dead SSO endpoint, a login waiting for a browser nobody opens) would then freeze
//! our single-threaded runtime, where no timeout can ever fire. So we run it once, asynchronously,
//! killed at the deadline, and keep the static token (for kube's auth layer) or the client
//! certificate (for our TLS connector, `client`) it produced. A plugin invocation lives seconds
//! to minutes, well inside any credential's lifetime.
//!
//! A plugin that fails, cannot be started or returns no credential is
//! [`Error::Unauthenticated`] (exit 10, like the server's 401: log in again); one that hangs past
//! the deadline is [`Error::Unreachable`] (exit 8, like any timeout).

use std::io::IsTerminal;
use std::process::Stdio;
use std::time::Duration;

use base64::Engine as _;
use kube::Config;
use kube::config::{ExecConfig, ExecInteractiveMode};
use serde::Deserialize;
use serde_json::json;

use crate::error::{Error, Result};

/// How long a non-interactive exec plugin may take when `--request-timeout` is not set.
pub const DEFAULT_EXEC_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExecCredentialStatus {
    token: Option<String>,
    client_certificate_data: Option<String>,
    client_key_data: Option<String>,
}

#[derive(Deserialize)]
struct ExecCredential {
    status: Option<ExecCredentialStatus>,
}

/// Replaces `config.auth_info.exec` with the credential the plugin returns. `timeout` is
/// `--request-timeout`; without it an interactive plugin on a terminal may take as long as the
/// person needs, anything else gets [`DEFAULT_EXEC_TIMEOUT`].
pub async fn resolve(config: &mut Config, timeout: Option<Duration>) -> Result<()> {
    let Some(exec) = config.auth_info.exec.take() else {
        return Ok(());
    };
    let interactive =
        exec.interactive_mode != Some(ExecInteractiveMode::Never) && std::io::stdin().is_terminal();
    let deadline = timeout.or((!interactive).then_some(DEFAULT_EXEC_TIMEOUT));
    let status = run(&exec, interactive, deadline).await?;
    if let Some(token) = status.token.filter(|t| !t.is_empty()) {
        config.auth_info.token = Some(token.into());
        config.auth_info.token_file = None;
        return Ok(());
    }
    match (status.client_certificate_data, status.client_key_data) {
        (Some(cert), Some(key)) => {
            // The kubeconfig fields hold base64 of the PEM; the plugin returns the PEM itself.
            let b64 = base64::engine::general_purpose::STANDARD;
            config.auth_info.client_certificate_data = Some(b64.encode(cert));
            config.auth_info.client_key_data = Some(b64.encode(key).into());
            config.auth_info.client_certificate = None;
            config.auth_info.client_key = None;
            Ok(())
        }
        _ => Err(Error::Unauthenticated(format!(
            "exec plugin {} returned no token and no client certificate",
            name(&exec)
        ))),
    }
}

fn name(exec: &ExecConfig) -> String {
    format!("{:?}", exec.command.as_deref().unwrap_or(""))
}

async fn run(
    exec: &ExecConfig,
    interactive: bool,
    deadline: Option<Duration>,
) -> Result<ExecCredentialStatus> {
    let command = exec
        .command
        .as_deref()
        .ok_or_else(|| Error::Unauthenticated("exec plugin has no command".into()))?;
    let mut cmd = tokio::process::Command::new(command);
    cmd.args(exec.args.iter().flatten());
    for var in exec.env.iter().flatten() {
        if let (Some(k), Some(v)) = (var.get("name"), var.get("value")) {
            cmd.env(k, v);
        }
    }
    for var in exec.drop_env.iter().flatten() {
        cmd.env_remove(var);
    }
    let mut spec = json!({"interactive": interactive});
    if exec.provide_cluster_info
        && let Some(cluster) = &exec.cluster
    {
        spec["cluster"] = serde_json::to_value(cluster).unwrap_or_default();
    }
    let info = json!({"apiVersion": exec.api_version, "kind": "ExecCredential", "spec": spec});
    cmd.env("KUBERNETES_EXEC_INFO", info.to_string());
    cmd.stdin(if interactive {
        Stdio::inherit()
    } else {
        Stdio::null()
    });
    cmd.stderr(if interactive {
        Stdio::inherit()
    } else {
        Stdio::piped()
    });
    cmd.stdout(Stdio::piped());
    cmd.kill_on_drop(true);

    let child = cmd.spawn().map_err(|e| {
        let hint = exec
            .install_hint
            .as_deref()
            .map(|h| format!("\n{h}"))
            .unwrap_or_default();
        Error::Unauthenticated(format!(
            "could not run exec plugin {}: {e}{hint}",
            name(exec)
        ))
    })?;
    let output = match deadline {
        Some(limit) => tokio::time::timeout(limit, child.wait_with_output()).await.map_err(|_| {
            Error::Unreachable(format!(
                "getting credentials: exec plugin {} did not finish within {} (it was stopped; raise --request-timeout if it needs longer)",
                name(exec),
                humantime::format_duration(limit)
            ))
        })?,
        None => child.wait_with_output().await,
    }
    .map_err(|e| Error::Unauthenticated(format!("exec plugin {}: {e}", name(exec))))?;
    if !output.status.success() {
        // The plugin's own stderr explains itself; its stdout may hold a credential, so never echo it.
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .chars()
            .take(300)
            .collect::<String>();
        return Err(Error::Unauthenticated(format!(
            "exec plugin {} failed ({}): {first}",
            name(exec),
            output.status
        )));
    }
    let credential: ExecCredential = serde_json::from_slice(&output.stdout).map_err(|e| {
        Error::Unauthenticated(format!(
            "exec plugin {} printed something that is not an ExecCredential: {e}",
            name(exec)
        ))
    })?;
    credential.status.ok_or_else(|| {
        Error::Unauthenticated(format!("exec plugin {} returned no status", name(exec)))
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use kube::config::{KubeConfigOptions, Kubeconfig};
    use secrecy::ExposeSecret;
    use std::os::unix::fs::PermissionsExt;

    async fn config_with_plugin(dir: &std::path::Path, script: &str) -> Config {
        let plugin = dir.join("plugin.sh");
        std::fs::write(&plugin, format!("#!/bin/sh\n{script}\n")).expect("write");
        std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let yaml = format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{{name: k, cluster: {{server: 'https://127.0.0.1:1'}}}}]\ncontexts: [{{name: c, context: {{cluster: k, user: u}}}}]\nusers: [{{name: u, user: {{exec: {{apiVersion: client.authentication.k8s.io/v1, command: '{}', interactiveMode: Never}}}}}}]\n",
            plugin.display()
        );
        let kubeconfig = Kubeconfig::from_yaml(&yaml).expect("yaml");
        Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
            .await
            .expect("config")
    }

    #[tokio::test]
    async fn token_from_plugin_becomes_static() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = config_with_plugin(
            dir.path(),
            r#"echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t0ken"}}'"#,
        )
        .await;
        resolve(&mut config, Some(Duration::from_secs(5)))
            .await
            .expect("resolve");
        assert!(config.auth_info.exec.is_none());
        assert_eq!(
            config
                .auth_info
                .token
                .as_ref()
                .map(|t| t.expose_secret().to_owned())
                .as_deref(),
            Some("t0ken")
        );
    }

    #[tokio::test]
    async fn hanging_plugin_times_out_with_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = config_with_plugin(dir.path(), "sleep 30").await;
        let started = std::time::Instant::now();
        let err = resolve(&mut config, Some(Duration::from_millis(300)))
            .await
            .expect_err("must time out");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(err.to_string().contains("did not finish within"), "{err}");
        assert_eq!(err.exit(), crate::exit::Exit::Unreachable);
    }

    #[tokio::test]
    async fn failing_plugin_reports_stderr_but_never_stdout() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = config_with_plugin(
            dir.path(),
            "echo secret-token-on-stdout; echo 'login expired' >&2; exit 3",
        )
        .await;
        let err = resolve(&mut config, Some(Duration::from_secs(5)))
            .await
            .expect_err("must fail");
        let text = err.to_string();
        assert!(text.contains("login expired"), "{text}");
        assert!(!text.contains("secret-token-on-stdout"), "{text}");
        assert_eq!(err.exit(), crate::exit::Exit::Unauthenticated);
    }
}
