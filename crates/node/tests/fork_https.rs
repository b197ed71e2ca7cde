//! `--fork-url https://...`: a forked node reaches an upstream over TLS, trusting the
//! roots `SSL_CERT_FILE` names. The test makes a CA and a server certificate for
//! `localhost` signed by it (rcgen), serves an in-process `ember node` behind TLS on
//! 127.0.0.1, and forks it. The environment is process-wide, so this binary holds one test.

mod support;

use std::sync::Arc;

use ember_node::methods::dispatch;
use ember_node::params::Params;
use ember_node::{build_state, Node};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{json, Value};

const DEV: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

fn call(node: &Node, method: &str, params: Value) -> Value {
    dispatch(node, method, &Params::new(params).unwrap())
        .unwrap_or_else(|e| panic!("{method}: {e}"))
}

/// A CA: its certificate in PEM and the issuer that signs with its key.
fn ca() -> (String, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), Issuer::new(params, key))
}

#[test]
#[allow(deprecated)] // rustls on ring, as the node uses it
fn fork_over_https_trusts_ssl_cert_file() {
    let (ca_pem, issuer) = ca();
    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![server_cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
    )
    .unwrap();
    let upstream = support::start(Some(Arc::new(tls)));
    assert!(upstream.url.starts_with("https://localhost:"));
    let balance = upstream.call("eth_getBalance", json!([DEV, "latest"]));

    let dir = std::env::temp_dir().join(format!("ember-fork-https-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Trusting another CA only: the handshake fails, and the error says so.
    let (other_pem, _) = ca();
    let other = dir.join("other-ca.pem");
    std::fs::write(&other, other_pem).unwrap();
    std::env::set_var("SSL_CERT_FILE", &other);
    std::env::remove_var("SSL_CERT_DIR");
    let start = std::time::Instant::now();
    let err = build_state(support::config(Some(upstream.url.clone())))
        .err()
        .expect("an untrusted server certificate is refused");
    // At once: a certificate error is not retried.
    assert!(start.elapsed() < std::time::Duration::from_secs(5), "{err}");
    assert!(err.contains("--fork-url"), "{err}");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert!(err.contains("upstream call eth_chainId"), "{err}");
    assert!(upstream.calls().is_empty());

    // Trusting the test's CA: the fork reads the upstream's chain over TLS.
    let trusted = dir.join("ca.pem");
    std::fs::write(&trusted, ca_pem).unwrap();
    std::env::set_var("SSL_CERT_FILE", &trusted);
    let forked = Node::new(build_state(support::config(Some(upstream.url.clone()))).unwrap());
    assert_eq!(call(&forked, "eth_chainId", json!([])), "0x7a69");
    assert_eq!(call(&forked, "eth_blockNumber", json!([])), "0x0");
    let other_account = "0x1000000000000000000000000000000000000001";
    assert_eq!(
        call(&forked, "eth_getBalance", json!([other_account, "latest"])),
        upstream.call("eth_getBalance", json!([other_account, "latest"]))
    );
    // A transfer on the fork runs locally over the upstream's state.
    let tx = call(
        &forked,
        "eth_sendTransaction",
        json!([{ "from": DEV, "to": other_account, "value": "0x64" }]),
    );
    let receipt = call(&forked, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(receipt["status"], "0x1");
    assert_eq!(
        call(&forked, "eth_getBalance", json!([other_account, "latest"])),
        "0x64"
    );
    assert_eq!(
        upstream.call("eth_getBalance", json!([DEV, "latest"])),
        balance
    );
    let calls = upstream.calls();
    assert!(calls.iter().any(|m| m == "eth_chainId"), "{calls:?}");
    assert!(calls.iter().any(|m| m == "eth_getBalance"), "{calls:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
