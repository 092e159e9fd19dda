//! TLS on a board socket (`ussl`), on rustls with the ring provider, with
//! the outcomes of the firmware's mbed TLS set-up reported as its error
//! codes.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ServerCertVerifierBuilder, WebPkiServerVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, Connection, DigitallySignedStruct, RootCertStore, ServerConfig};
use thiserror::Error;

use super::error::NetError;
use super::socket::BoardSocket;

/// `MBEDTLS_ERR_X509_CERT_VERIFY_FAILED`: the peer's certificate did not verify.
pub const X509_CERT_VERIFY_FAILED: i32 = -0x2700;
/// `MBEDTLS_ERR_X509_INVALID_FORMAT`: a certificate file is not PEM or DER.
pub const X509_INVALID_FORMAT: i32 = -0x2180;
/// `MBEDTLS_ERR_PK_KEY_INVALID_FORMAT`: a key file holds no key.
pub const PK_KEY_INVALID_FORMAT: i32 = -0x3D00;
/// `MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE`: the peer ended the handshake.
pub const SSL_FATAL_ALERT_MESSAGE: i32 = -0x7780;
/// `MBEDTLS_ERR_SSL_BAD_INPUT_DATA`.
pub const SSL_BAD_INPUT_DATA: i32 = -0x7100;
/// `MBEDTLS_ERR_NET_CONN_RESET`: the connection closed during the handshake.
pub const NET_CONN_RESET: i32 = -0x0050;

/// How the peer's certificate is checked (`ussl.CERT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verify {
    /// `CERT_NONE`: not at all.
    None,
    /// `CERT_OPTIONAL`: the handshake completes; a failure is reported after.
    Optional,
    /// `CERT_REQUIRED`: a failure ends the handshake.
    Required,
}

/// A TLS set-up or handshake failure, with mbed TLS's code.
#[derive(Debug, Error)]
#[error("TLS error {code}: {reason}")]
pub struct TlsError {
    /// The code the firmware raises `OSError` with.
    pub code: i32,
    /// What happened.
    pub reason: String,
}

impl TlsError {
    fn new(code: i32, reason: impl ToString) -> Self {
        Self { code, reason: reason.to_string() }
    }
}

/// What a TLS operation failed with: the socket's error or TLS's.
#[derive(Debug, Error)]
pub enum TlsFailure {
    /// The socket failed (or would block).
    #[error(transparent)]
    Net(#[from] NetError),
    /// TLS failed.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// A client's set-up.
#[derive(Debug, Default)]
pub struct ClientSetup<'a> {
    /// The CA certificates (PEM) to verify the server against.
    pub ca: Option<&'a [u8]>,
    /// The host name to check the certificate for (none: not checked).
    pub server_name: Option<&'a str>,
    /// The client's own certificate and key (PEM).
    pub identity: Option<(&'a [u8], &'a [u8])>,
}

/// A TLS session over a board socket.
pub struct Tls {
    conn: Connection,
    verify: Verify,
    verify_failed: Arc<AtomicBool>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").field("verify", &self.verify).finish_non_exhaustive()
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| TlsError::new(X509_INVALID_FORMAT, e))?;
    if certs.is_empty() {
        return Err(TlsError::new(X509_INVALID_FORMAT, "no certificate"));
    }
    Ok(certs)
}

fn private_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| TlsError::new(PK_KEY_INVALID_FORMAT, e))
}

impl Tls {
    /// A client session verifying the server as `verify` says.
    pub fn client(setup: &ClientSetup<'_>, verify: Verify) -> Result<Self, TlsError> {
        let verify_failed = Arc::new(AtomicBool::new(false));
        let checker = match (verify, setup.ca) {
            (Verify::None, _) | (_, None) => None,
            (_, Some(ca)) => {
                let mut roots = RootCertStore::empty();
                for cert in certificates(ca)? {
                    roots.add(cert).map_err(|e| TlsError::new(X509_INVALID_FORMAT, e))?;
                }
                let builder: ServerCertVerifierBuilder =
                    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider());
                Some(builder.build().map_err(|e| TlsError::new(SSL_BAD_INPUT_DATA, e))?)
            }
        };
        let verifier = BoardVerifier {
            checker,
            check_name: setup.server_name.is_some(),
            required: verify == Verify::Required,
            failed: verify_failed.clone(),
        };
        let builder = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::new(SSL_BAD_INPUT_DATA, e))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier));
        let config = match setup.identity {
            Some((cert, key)) => builder
                .with_client_auth_cert(certificates(cert)?, private_key(key)?)
                .map_err(|e| TlsError::new(PK_KEY_INVALID_FORMAT, e))?,
            None => builder.with_no_client_auth(),
        };
        // Without a host name mbed TLS checks no name; rustls needs one to
        // send, which the verifier then does not check.
        let name = setup.server_name.unwrap_or("pycom-emu.invalid");
        let name = ServerName::try_from(name.to_owned()).map_err(|e| TlsError::new(SSL_BAD_INPUT_DATA, e))?;
        let conn =
            rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| TlsError::new(SSL_BAD_INPUT_DATA, e))?;
        Ok(Self { conn: conn.into(), verify, verify_failed })
    }

    /// A server session with this certificate and key (PEM).
    pub fn server(cert: &[u8], key: &[u8]) -> Result<Self, TlsError> {
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::new(SSL_BAD_INPUT_DATA, e))?
            .with_no_client_auth()
            .with_single_cert(certificates(cert)?, private_key(key)?)
            .map_err(|e| TlsError::new(PK_KEY_INVALID_FORMAT, e))?;
        let conn = rustls::ServerConnection::new(Arc::new(config)).map_err(|e| TlsError::new(SSL_BAD_INPUT_DATA, e))?;
        Ok(Self { conn: conn.into(), verify: Verify::None, verify_failed: Arc::default() })
    }

    /// Whether the handshake is still under way.
    pub fn is_handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    /// The socket events the session waits for.
    pub fn wanted_events(&self) -> u16 {
        let mut events = 0;
        if self.conn.wants_read() {
            events |= super::socket::POLL_IN;
        }
        if self.conn.wants_write() {
            events |= super::socket::POLL_OUT;
        }
        events
    }

    /// Moves TLS records between the session and `socket` without
    /// blocking: `Ok(true)` when something moved, `WouldBlock` (as a
    /// [`NetError`]) when nothing could.
    pub fn pump(&mut self, socket: &BoardSocket) -> Result<bool, TlsFailure> {
        let mut moved = false;
        while self.conn.wants_write() {
            match self.conn.write_tls(&mut &*socket) {
                Ok(_) => moved = true,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(NetError::Io(e).into()),
            }
        }
        if self.conn.wants_read() {
            match self.conn.read_tls(&mut &*socket) {
                Ok(0) if self.conn.is_handshaking() => {
                    return Err(TlsError::new(NET_CONN_RESET, "closed during the handshake").into());
                }
                Ok(_) => {
                    moved = true;
                    self.process()?;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(NetError::Io(e).into()),
            }
        }
        if moved { Ok(true) } else { Err(NetError::Io(io::ErrorKind::WouldBlock.into()).into()) }
    }

    fn process(&mut self) -> Result<(), TlsError> {
        self.conn.process_new_packets().map(drop).map_err(|e| match e {
            rustls::Error::InvalidCertificate(_) => TlsError::new(X509_CERT_VERIFY_FAILED, e),
            other => TlsError::new(SSL_FATAL_ALERT_MESSAGE, other),
        })
    }

    /// After the handshake: `CERT_OPTIONAL` with a certificate that did not
    /// verify is the firmware's -1.
    pub fn verify_result(&self) -> Result<(), TlsError> {
        if self.verify == Verify::Optional && self.verify_failed.load(Ordering::Relaxed) {
            return Err(TlsError::new(-1, "the peer's certificate did not verify"));
        }
        Ok(())
    }

    /// Decrypted bytes available now (up to `len`); `Some(empty)` at the
    /// end of the stream, `None` when none have arrived yet.
    pub fn take_plaintext(&mut self, len: usize) -> Result<Option<Vec<u8>>, TlsFailure> {
        let mut buf = vec![0; len];
        match self.conn.reader().read(&mut buf) {
            Ok(n) => {
                buf.truncate(n);
                Ok(Some(buf))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Some(Vec::new())),
            Err(e) => Err(NetError::Io(e).into()),
        }
    }

    /// Queues `data` to be sent (flushed by [`pump`](Self::pump)).
    pub fn queue(&mut self, data: &[u8]) -> Result<usize, TlsFailure> {
        self.conn.writer().write(data).map_err(|e| NetError::Io(e).into())
    }

    /// Whether records wait to be written.
    pub fn wants_write(&self) -> bool {
        self.conn.wants_write()
    }

    /// Sends `close_notify`.
    pub fn close(&mut self) {
        self.conn.send_close_notify();
    }
}

/// The firmware's verification: the chain against the CA certificates,
/// the name only when one was given, a failure fatal only for
/// `CERT_REQUIRED`.
#[derive(Debug)]
struct BoardVerifier {
    checker: Option<Arc<WebPkiServerVerifier>>,
    check_name: bool,
    required: bool,
    failed: Arc<AtomicBool>,
}

impl ServerCertVerifier for BoardVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(checker) = &self.checker else { return Ok(ServerCertVerified::assertion()) };
        match checker.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Ok(ok) => Ok(ok),
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.check_name => Ok(ServerCertVerified::assertion()),
            Err(e) if self.required => Err(e),
            Err(_) => {
                self.failed.store(true, Ordering::Relaxed);
                Ok(ServerCertVerified::assertion())
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = ring::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, &algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = ring::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, &algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        ring::default_provider().signature_verification_algorithms.supported_schemes()
    }
}
