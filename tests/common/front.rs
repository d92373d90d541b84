//! Network fronts for the STS stub, run by `tests/support/netfront.py` on 127.0.0.1: a
//! forward proxy that logs every request line, and a TLS front with a private certificate
//! authority made here with `openssl`. Each stops when dropped.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct Front {
    child: Child,
    pub port: u16,
    log: Option<PathBuf>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/netfront.py")
}

fn start(args: &[&str], log: Option<PathBuf>) -> Front {
    let mut child = Command::new("python3")
        .arg(script())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 {}: {e}", script().display()));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("read the front's port: {e}"));
    let port = line
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("the front printed {line:?}: {e}"));
    Front { child, port, log }
}

impl Front {
    /// A forward proxy (absolute-form requests and CONNECT tunnels).
    pub fn proxy(dir: &Path) -> Front {
        let log = dir.join(format!("proxy-{}.log", std::process::id()));
        start(&["proxy", &log.display().to_string()], Some(log))
    }

    /// A TLS front for `backend` with a certificate for 127.0.0.1 signed by a new private
    /// CA, whose certificate is returned (PEM file).
    pub fn tls(dir: &Path, backend: u16) -> (Front, PathBuf) {
        let ca = private_ca(dir);
        let front = start(
            &[
                "tls",
                &dir.join("server.pem").display().to_string(),
                &dir.join("server.key").display().to_string(),
                &backend.to_string(),
            ],
            None,
        );
        (front, ca)
    }

    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The request lines the proxy saw.
    pub fn requests(&self) -> Vec<String> {
        let Some(log) = &self.log else {
            return Vec::new();
        };
        std::fs::read_to_string(log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("openssl: {e}"));
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`ca.pem`) and a server certificate for 127.0.0.1 and localhost signed by it
/// (`server.pem`, `server.key`), in `dir`. Returns the CA's path.
fn private_ca(dir: &Path) -> PathBuf {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=stsmfa test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, &ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    openssl(dir, &csr);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
         extendedKeyUsage=serverAuth\n",
    )
    .unwrap_or_else(|e| panic!("write server.ext: {e}"));
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
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
    dir.join("ca.pem")
}
