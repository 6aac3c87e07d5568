//! The HTTPS connector (shared/src/client) against real kube-apiservers: every way a kubeconfig
//! authenticates and every rule for what it trusts, through kubectl, as a user runs the plugins.
//! The wrong-CA and `--insecure-skip-tls-verify` cases are in `security`, name mismatch in
//! `reliability::connection`.

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use firstaid_e2e::{Cluster, ClusterOptions, cluster, unique};

use crate::security::{admin_user_block, base64, code, text};

/// The SNI name the private cluster serves its second certificate for.
const SNI_NAME: &str = "firstaid-sni.test";

/// A kubeconfig with the given `cluster:` and `user:` blocks (YAML lines indented 4 spaces).
pub(crate) fn kubeconfig(dir: &Path, name: &str, cluster: &str, user: &str) -> PathBuf {
    let path = dir.join(format!("{name}.kubeconfig"));
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n{cluster}users:\n- name: u\n  user:\n{user}contexts:\n- name: x\n  context: {{cluster: c, user: u, namespace: default}}\ncurrent-context: x\n"
        ),
    )
    .expect("write kubeconfig");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    path
}

/// The `cluster:` block of `c`: its URL and, when `ca` is given, that CA file as `-data`.
fn cluster_block(c: &Cluster, ca: Option<&Path>) -> String {
    let mut block = format!("    server: {}\n", c.api_url());
    if let Some(ca) = ca {
        let data = base64(&std::fs::read(ca).expect("CA file"));
        writeln!(block, "    certificate-authority-data: {data}").expect("write to a String");
    }
    block
}

fn cluster_ca(c: &Cluster) -> PathBuf {
    c.dir().join("pki/ca.crt")
}

/// A plugin read that needs the API server and permission to list pods in `ns`.
fn read_pods(c: &Cluster, kubeconfig: &Path, ns: &str) -> Output {
    c.kubectl_as(
        kubeconfig,
        &["evicted-clean", "-n", ns, "--request-timeout=20s"],
    )
}

fn assert_ok(out: &Output, what: &str) {
    assert_eq!(code(out), 0, "{what}: {}", text(out));
}

/// RBAC refused the request (exit 7) as user `name`: the server took the identity from the
/// client certificate, so the handshake presented it.
fn assert_refused_as(out: &Output, name: &str) {
    assert_eq!(code(out), 7, "{}", text(out));
    assert!(
        text(out).contains(&format!("User \"{name}\"")),
        "{}",
        text(out)
    );
}

/// An executable shell script in `dir`.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    path
}

/// An exec-plugin `user:` block running `command`.
fn exec_user(command: &Path) -> String {
    format!(
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never\n",
        command.display()
    )
}

/// A ServiceAccount bound to `cluster-admin`, and a token for it.
fn admin_token(c: &Cluster) -> String {
    let ns = c.create_namespace("tls-token");
    let sa = unique("tls-sa");
    c.kubectl_ok(&["create", "serviceaccount", &sa, "-n", &ns]);
    c.kubectl_ok(&[
        "create",
        "clusterrolebinding",
        &sa,
        "--clusterrole=cluster-admin",
        &format!("--serviceaccount={ns}:{sa}"),
    ]);
    c.kubectl_ok(&["create", "token", &sa, "-n", &ns])
        .trim()
        .to_owned()
}

/// Client certificates from the kubeconfig, as files and as `-data`, with the cluster's CA: the
/// server takes the identity from the certificate (a user with no rights is refused by RBAC as
/// that user, exit 7, not as anonymous).
#[test]
fn client_certificate_files_and_data_with_the_kubeconfig_ca() {
    let c = cluster();
    let tmp = tempfile::tempdir().expect("tempdir");
    let ns = c.create_namespace("tls-cert");
    let (data_user, _) = admin_user_block(c);
    let with_data = kubeconfig(
        tmp.path(),
        "data",
        &cluster_block(c, Some(&cluster_ca(c))),
        &data_user,
    );
    assert_ok(&read_pods(c, &with_data, &ns), "client-certificate-data");

    let name = unique("tls-nobody");
    c.add_user(&name);
    let users = c.dir().join("users");
    let file_user = format!(
        "    client-certificate: {}\n    client-key: {}\n",
        users.join(format!("{name}.crt")).display(),
        users.join(format!("{name}.key")).display()
    );
    let mut ca_file = cluster_block(c, None);
    writeln!(
        ca_file,
        "    certificate-authority: {}",
        cluster_ca(c).display()
    )
    .expect("write to a String");
    let with_files = kubeconfig(tmp.path(), "files", &ca_file, &file_user);
    assert_refused_as(&read_pods(c, &with_files, &ns), &name);
}

/// Bearer tokens, static and from an exec plugin, are sent and accepted.
#[test]
fn token_user_and_exec_plugin_token() {
    let c = cluster();
    let tmp = tempfile::tempdir().expect("tempdir");
    let ns = c.create_namespace("tls-tok");
    let token = admin_token(c);
    let block = cluster_block(c, Some(&cluster_ca(c)));
    let static_token = kubeconfig(
        tmp.path(),
        "token",
        &block,
        &format!("    token: {token}\n"),
    );
    assert_ok(&read_pods(c, &static_token, &ns), "token user");

    let plugin = script(
        tmp.path(),
        "token.sh",
        &format!(
            "printf '%s' '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{token}\"}}}}'"
        ),
    );
    let exec = kubeconfig(tmp.path(), "exec-token", &block, &exec_user(&plugin));
    assert_ok(&read_pods(c, &exec, &ns), "exec plugin token");
}

/// An exec plugin that returns a client certificate and key (`clientCertificateData`,
/// `clientKeyData`): the connector presents them in the TLS handshake, so the server sees that
/// user — the admin works, a user without rights is refused by name.
#[test]
fn exec_plugin_client_certificate() {
    let c = cluster();
    let tmp = tempfile::tempdir().expect("tempdir");
    let ns = c.create_namespace("tls-exec-cert");
    let block = cluster_block(c, Some(&cluster_ca(c)));
    let name = unique("tls-exec-nobody");
    c.add_user(&name);
    let users = c.dir().join("users");
    let pki = c.dir().join("pki");
    for (who, cert, key) in [
        ("admin", pki.join("admin.crt"), pki.join("admin.key")),
        (
            name.as_str(),
            users.join(format!("{name}.crt")),
            users.join(format!("{name}.key")),
        ),
    ] {
        // The PEMs as JSON strings (newlines escaped), as a credential plugin prints them.
        let pem = |p: &Path| {
            std::fs::read_to_string(p)
                .expect("pem")
                .replace('\n', "\\n")
        };
        let credential = format!(
            "{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"clientCertificateData\":\"{}\",\"clientKeyData\":\"{}\"}}}}",
            pem(&cert),
            pem(&key)
        );
        let plugin = script(
            tmp.path(),
            &format!("{who}.sh"),
            &format!("printf '%s' '{credential}'"),
        );
        let exec = kubeconfig(
            tmp.path(),
            &format!("exec-{who}"),
            &block,
            &exec_user(&plugin),
        );
        let out = read_pods(c, &exec, &ns);
        if who == "admin" {
            assert_ok(&out, "exec plugin client certificate (admin)");
        } else {
            assert_refused_as(&out, &name);
        }
    }
}

/// A kubeconfig without a CA trusts the system's roots: `SSL_CERT_FILE` naming the cluster's CA
/// makes it work; without it the cluster's private CA is unknown, a certificate error (exit 8)
/// that says the kubeconfig has no certificate-authority.
#[test]
fn ca_less_kubeconfig_trusts_ssl_cert_file_or_fails_clearly() {
    let c = cluster();
    let tmp = tempfile::tempdir().expect("tempdir");
    let ns = c.create_namespace("tls-noca");
    let (user, _) = admin_user_block(c);
    let no_ca = kubeconfig(tmp.path(), "no-ca", &cluster_block(c, None), &user);
    let run = |ssl_cert_file: Option<&Path>| {
        let mut cmd = c.command_as(
            &no_ca,
            &["evicted-clean", "-n", &ns, "--request-timeout=20s"],
        );
        cmd.env_remove("SSL_CERT_DIR");
        match ssl_cert_file {
            Some(file) => cmd.env("SSL_CERT_FILE", file),
            None => cmd.env_remove("SSL_CERT_FILE"),
        };
        cmd.output().expect("run kubectl")
    };
    assert_ok(&run(Some(&cluster_ca(c))), "SSL_CERT_FILE = the cluster CA");

    let out = run(None);
    let all = text(&out);
    assert_eq!(code(&out), 8, "{all}");
    assert!(all.contains("certificate"), "{all}");
    assert!(
        all.contains("no certificate-authority"),
        "names the cause: {all}"
    );
}

/// `tls-server-name`: the server presents, for that SNI name only, a certificate whose only SAN
/// is that name and which another CA signed. Trusting only that CA, the plugin works exactly when
/// it sends and verifies that name.
#[test]
fn tls_server_name_selects_and_verifies_the_sni_certificate() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (ca, cert, key) = sni_certificate(tmp.path());
    let c = Cluster::start(ClusterOptions {
        controller_manager: false,
        apiserver_args: vec![format!(
            "--tls-sni-cert-key={},{}:{SNI_NAME}",
            cert.display(),
            key.display()
        )],
    })
    .expect("private cluster");
    let (user, _) = admin_user_block(&c);
    let mut block = cluster_block(&c, Some(&ca));
    let without = kubeconfig(tmp.path(), "no-sni", &block, &user);
    writeln!(block, "    tls-server-name: {SNI_NAME}").expect("write to a String");
    let with = kubeconfig(tmp.path(), "sni", &block, &user);

    assert_ok(&read_pods(&c, &with, "default"), "tls-server-name");
    // Without the name the default certificate (the cluster CA's) is served: untrusted here.
    let out = read_pods(&c, &without, "default");
    assert_eq!(code(&out), 8, "{}", text(&out));
    assert!(text(&out).contains("certificate"), "{}", text(&out));
}

/// A CA of its own and a serving certificate for [`SNI_NAME`] only.
fn sni_certificate(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        &[
            &["req", "-x509"],
            &ec[..],
            &[
                "-keyout",
                "sni-ca.key",
                "-out",
                "sni-ca.crt",
                "-days",
                "2",
                "-subj",
                "/CN=firstaid-sni-ca",
            ],
        ]
        .concat(),
    );
    openssl(
        &[
            &["req"],
            &ec[..],
            &[
                "-keyout",
                "sni.key",
                "-out",
                "sni.csr",
                "-subj",
                "/CN=firstaid-sni",
            ],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("sni.ext"),
        format!("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:{SNI_NAME}\n"),
    )
    .expect("write ext");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "sni.csr",
        "-CA",
        "sni-ca.crt",
        "-CAkey",
        "sni-ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "sni.ext",
        "-out",
        "sni.crt",
    ]);
    (
        dir.join("sni-ca.crt"),
        dir.join("sni.crt"),
        dir.join("sni.key"),
    )
}
