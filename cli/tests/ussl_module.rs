//! `ussl.wrap_socket` as firmware 1.20.2 sets TLS up (modussl.c), against
//! an HTTPS server the test starts (python3's http.server and ssl) with a CA
//! the test makes (the openssl command): the CA file on the board's flash,
//! `CERT_REQUIRED` verifying the chain and the host name, mbed TLS's error
//! code when they do not verify.

mod common;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{Device, SHOW, ok, require_debian_tool_answering};

const WIFI: &str = "[[wifi]]\nssid = \"pycom-net\"\npassword = \"secret123\"\n";

/// Runs `openssl ARGS` in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl").args(args).current_dir(dir).stderr(Stdio::null()).status().unwrap();
    assert!(status.success(), "openssl {args:?}");
}

/// The test's PKI in `dir`: `ca.pem` signed `server.pem` (`server.key`)
/// for `localhost` and 127.0.0.1; `other-ca.pem` signed nothing.
fn make_pki(dir: &Path) {
    require_debian_tool_answering("openssl", "openssl", "version");
    for ca in ["ca", "other-ca"] {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/CN=pycom-emu test {ca}"),
                "-keyout",
                &format!("{ca}.key"),
                "-out",
                &format!("{ca}.pem"),
            ],
        );
    }
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n").unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.pem",
        ],
    );
}

/// An HTTPS server on 127.0.0.1 with `server.pem`: its process and port.
struct HttpsServer(Child);

impl HttpsServer {
    fn start(dir: &Path) -> (Self, u16) {
        let script = "import http.server, ssl, sys\n\
            class H(http.server.BaseHTTPRequestHandler):\n\
            \x20   def do_GET(self):\n\
            \x20       body = b'hello from https ' + self.path.encode()\n\
            \x20       self.send_response(200)\n\
            \x20       self.send_header('Content-Length', str(len(body)))\n\
            \x20       self.end_headers()\n\
            \x20       self.wfile.write(body)\n\
            \x20   def log_message(self, *args):\n\
            \x20       pass\n\
            srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)\n\
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n\
            ctx.load_cert_chain('server.pem', 'server.key')\n\
            srv.socket = ctx.wrap_socket(srv.socket, server_side=True)\n\
            print(srv.server_address[1], flush=True)\n\
            srv.serve_forever()\n";
        let mut child =
            Command::new("python3").args(["-c", script]).current_dir(dir).stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        (Self(child), line.trim().parse().expect("the HTTPS server's port"))
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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
    make_pki(pki.path());
    let (_server, port) = HttpsServer::start(pki.path());
    let ca = std::fs::read_to_string(pki.path().join("ca.pem")).unwrap();
    let run = ok(Device::new().run_with_board_file(WIFI, &https_get(&ca, "localhost", port, "localhost"), &[]));
    assert_eq!(run.lines(), ["(b'HTTP/1.0 200 OK\\r\\n', b'hello from https /x')"]);
}

#[test]
fn a_server_signed_by_another_ca_fails_the_handshake_with_mbed_tls_verify_failed() {
    let pki = tempfile::tempdir().unwrap();
    make_pki(pki.path());
    let (_server, port) = HttpsServer::start(pki.path());
    let other = std::fs::read_to_string(pki.path().join("other-ca.pem")).unwrap();
    let run = ok(Device::new().run_with_board_file(WIFI, &https_get(&other, "10.0.2.2", port, "localhost"), &[]));
    // MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, -0x2700.
    assert_eq!(run.lines(), ["OSError: -9984"]);
}

#[test]
fn a_certificate_for_another_host_name_fails_the_handshake_with_mbed_tls_verify_failed() {
    let pki = tempfile::tempdir().unwrap();
    make_pki(pki.path());
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
