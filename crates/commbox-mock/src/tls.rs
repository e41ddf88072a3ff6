//! HTTPS mode: a self-signed certificate made at start, so that clients' TLS handling
//! (verification on by default, an extra CA file to trust) can be tested on loopback.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// File name of the certificate (PEM) in the TLS directory: the CA file clients trust.
pub(crate) const CERT_FILE: &str = "cert.pem";
/// File name of the private key (PKCS#8 PEM) in the TLS directory.
pub(crate) const KEY_FILE: &str = "key.pem";

/// The names the certificate is valid for: the mock only listens on loopback.
const NAMES: [&str; 2] = ["127.0.0.1", "localhost"];

/// Makes a fresh self-signed certificate for 127.0.0.1 and localhost, writes it and its key
/// into `dir` (created if missing) and returns the acceptor serving it, with the path of
/// the certificate.
pub(crate) fn self_signed(dir: &Path) -> io::Result<(TlsAcceptor, PathBuf)> {
    let names: Vec<String> = NAMES.iter().map(|name| (*name).to_owned()).collect();
    let certified = rcgen::generate_simple_self_signed(names).map_err(io::Error::other)?;
    std::fs::create_dir_all(dir)?;
    let cert_path = dir.join(CERT_FILE);
    std::fs::write(&cert_path, certified.cert.pem())?;
    std::fs::write(dir.join(KEY_FILE), certified.key_pair.serialize_pem())?;

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    let mut config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(io::Error::other)?;
    // The connections are served by hyper's HTTP/1 server only.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((TlsAcceptor::from(Arc::new(config)), cert_path))
}
