//! `ussl.wrap_socket` as firmware 1.20.2 sets TLS up (modussl.c), against
//! an HTTPS server the test starts (python3's http.server and ssl) with a CA
//! the test makes (the openssl command): the CA file on the board's flash,
//! `CERT_REQUIRED` verifying the chain and the host name, mbed TLS's error
//! code when they do not verify.

mod common;
use std::path::Path;

use common::{Device, HttpsServer, SHOW, make_pki, ok, require_debian_tool_answering};

const WIFI: &str = "[[wifi]]\nssid = \"pycom-net\"\npassword = \"secret123\"\n";

/// The test's PKI in `dir` ([`make_pki`]), installing openssl first if missing.
fn pki_with_openssl(dir: &Path) {
    require_debian_tool_answering("openssl", "openssl", "version");
    make_pki(dir);
}

/// A MicroPython HTTPS GET of `/x` on `host`:PORT through `ussl`, with the
/// CA file `ca` written onto /flash/cert/ca.pem first.
fn https_get(ca: &str, host: &str, port: u16, hostname: &str) -> String {
    format!(
        "{SHOW}\nimport time, os, usocket, ussl\nfrom network import WLAN\nwlan = WLAN(mode=WLAN.STA)\n\
         wlan.connect('pycom-net', auth=(WLAN.WPA2, 'secret123'), timeout=5000)\n\
         while not wlan.isconnected():\n    time.sleep_ms(50)\n\
         with open('/flash/cert/ca.pem', 'w') as f:\n    f.write({ca:?})\n\
         def get():\n    s = usocket.socket()\n    s.connect(usocket.getaddrinfo('{host}', {port})[0][-1])\n\
         \x20   s = ussl.wrap_socket(s, cert_reqs=ussl.CERT_REQUIRED, ca_certs='/flash/cert/ca.pem', server_hostname='{hostname}')\n\
         \x20   s.write(b'GET /x HTTP/1.0\\r\\nHost: {hostname}\\r\\n\\r\\n')\n\
         \x20   status = s.readline()\n\
         \x20   while s.readline() != b'\\r\\n':\n        pass\n\
         \x20   body = s.read()\n    s.close()\n    return status, body\n\
         show(get)"
    )
}

#[test]
fn an_https_get_over_ussl_verifies_the_server_against_the_ca_on_flash() {
    let pki = tempfile::tempdir().unwrap();
    pki_with_openssl(pki.path());
    let (_server, port) = HttpsServer::start(pki.path());
    let ca = std::fs::read_to_string(pki.path().join("ca.pem")).unwrap();
    let run = ok(Device::new().run_with_board_file(WIFI, &https_get(&ca, "localhost", port, "localhost"), &[]));
    assert_eq!(run.lines(), ["(b'HTTP/1.0 200 OK\\r\\n', b'hello from https /x')"]);
}

#[test]
fn a_server_signed_by_another_ca_fails_the_handshake_with_mbed_tls_verify_failed() {
    let pki = tempfile::tempdir().unwrap();
    pki_with_openssl(pki.path());
    let (_server, port) = HttpsServer::start(pki.path());
    let other = std::fs::read_to_string(pki.path().join("other-ca.pem")).unwrap();
    let run = ok(Device::new().run_with_board_file(WIFI, &https_get(&other, "10.0.2.2", port, "localhost"), &[]));
    // MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, -0x2700.
    assert_eq!(run.lines(), ["OSError: -9984"]);
}

#[test]
fn a_certificate_for_another_host_name_fails_the_handshake_with_mbed_tls_verify_failed() {
    let pki = tempfile::tempdir().unwrap();
    pki_with_openssl(pki.path());
    let (_server, port) = HttpsServer::start(pki.path());
    let ca = std::fs::read_to_string(pki.path().join("ca.pem")).unwrap();
    let run = ok(Device::new().run_with_board_file(WIFI, &https_get(&ca, "10.0.2.2", port, "example.com"), &[]));
    assert_eq!(run.lines(), ["OSError: -9984"]);
}

#[test]
fn wrap_socket_checks_its_arguments_as_the_firmware_does() {
    let run = ok(Device::new().run(&format!(
        "{SHOW}\nimport ussl, usocket\ns = usocket.socket()\nshow(ussl.wrap_socket, s, cert_reqs=ussl.CERT_REQUIRED)\n\
         show(ussl.wrap_socket, s, server_side=True)\nshow(ussl.wrap_socket, 5)\n\
         show(ussl.wrap_socket, s, cert_reqs=ussl.CERT_REQUIRED, ca_certs='/flash/none.pem')\n\
         print(ussl.CERT_NONE, ussl.CERT_OPTIONAL, ussl.CERT_REQUIRED, ussl.SSL_TIMEOUT, ussl.SSLError is OSError)"
    )));
    assert_eq!(
        run.lines(),
        [
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "OSError: CA file not found",
            "0 1 2 -26624 True",
        ]
    );
}
