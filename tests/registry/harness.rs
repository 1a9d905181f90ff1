//! What the registry tests share: a real registry on loopback, skopeo to push, and
//! layerbom run against them.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{make_certificates, openssl};

pub use crate::common::fixture;
pub use serde_json::Value;

/// The bcrypt hash (cost 4) of [`PASSWORD`], for the htpasswd file of the registry that
/// requires credentials.
pub const HTPASSWD: &str = "tester:$2b$04$M./fbOynjX2W1oQxbedfu.A0Yznt7vZC2uTUymQfWMb68Np5581ha";
/// The password [`HTPASSWD`] accepts.
pub const PASSWORD: &str = "layerbom-test-secret";
/// The service and issuer the token registry and its token service agree on.
pub const SERVICE: &str = "layerbom-test-registry";
pub const ISSUER: &str = "layerbom-test-issuer";

/// Where a program is on `PATH`, or a failure saying how to install it.
pub fn program(name: &str, package: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "{name} is needed by the registry tests: install it (apt-get install -y {package}; \
             .ci/run does)"
        )
    })
}

/// A registry running on 127.0.0.1, stopped when dropped.
pub struct Registry {
    pub child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    /// Starts a registry; with `htpasswd`, one that requires Basic credentials.
    pub fn start(htpasswd: bool) -> Registry {
        Registry::start_with(htpasswd, false)
    }

    /// Starts a registry that requires a Bearer token from the token service at `realm`,
    /// signed by the certificate in `signer` (a PEM file).
    pub fn start_token(realm: &str, signer: &Path) -> Registry {
        let auth = format!(
            "auth:\n  token:\n    realm: {realm}\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
            signer.display()
        );
        Registry::start_in(tempfile::tempdir().unwrap(), &auth)
    }

    /// Starts a registry; with `htpasswd`, one that requires Basic credentials; with `tls`,
    /// one that speaks only TLS, with a certificate for 127.0.0.1 from the authority in
    /// `ca.pem` of its directory.
    pub fn start_with(htpasswd: bool, tls: bool) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let mut extra = String::new();
        if htpasswd {
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, format!("{HTPASSWD}\n")).unwrap();
            extra.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: layerbom-test\n    path: {}\n",
                file.display()
            ));
        }
        if tls {
            make_certificates(dir.path());
            extra.push_str(&format!(
                "http:\n  tls:\n    certificate: {}\n    key: {}\n",
                dir.path().join("cert.pem").display(),
                dir.path().join("key.pem").display()
            ));
        }
        Registry::start_in(dir, &extra)
    }

    /// Starts a registry with its storage and config in `dir`, `extra` added to the
    /// config (its `http:` section merged with the address).
    pub fn start_in(dir: tempfile::TempDir, extra: &str) -> Registry {
        let bin = program("docker-registry", "docker-registry");
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (http, rest) = match extra.split_once("http:\n") {
            Some((before, after)) => (after.to_string(), before.to_string()),
            None => (String::new(), extra.to_string()),
        };
        let config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n{http}{rest}",
            dir.path().join("storage").display()
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let child = Command::new(bin)
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let registry = Registry { child, port, dir };
        registry.wait_ready();
        registry
    }

    /// Waits until the registry answers (over TLS, a plain request is answered 400).
    pub fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let req = format!(
                    "GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                    self.port
                );
                let mut answer = String::new();
                let answered =
                    s.write_all(req.as_bytes()).is_ok() && s.read_to_string(&mut answer).is_ok();
                if answered && answer.starts_with("HTTP/1.") {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("docker-registry did not answer on 127.0.0.1:{}", self.port);
    }

    /// `127.0.0.1:PORT/NAME`.
    pub fn reference(&self, name: &str) -> String {
        format!("127.0.0.1:{}/{name}", self.port)
    }

    /// Pushes `source` (a skopeo transport reference) as `name` (`repo:tag`), with the
    /// `skopeo copy` options `extra` (`--all` for every image of an index, `--dest-creds`,
    /// `--preserve-digests`).
    pub fn push(&self, source: &str, name: &str, extra: &[&str]) {
        let out = Command::new(program("skopeo", "skopeo"))
            .args([
                "--insecure-policy",
                "copy",
                "--quiet",
                "--dest-tls-verify=false",
            ])
            .args(extra)
            .arg(source)
            .arg(format!("docker://{}", self.reference(name)))
            .output()
            .expect("run skopeo");
        assert!(
            out.status.success(),
            "skopeo copy {source}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Pushes the fixture `docker-archive.tar` as `fixtures/app:1` with the `skopeo copy`
    /// options `extra` (see [`push`](Self::push)); returns the image's reference.
    pub fn push_app(&self, extra: &[&str]) -> String {
        let archive = fixture("docker-archive.tar");
        self.push(
            &format!("docker-archive:{}", path_str(&archive)),
            "fixtures/app:1",
            extra,
        );
        self.reference("fixtures/app:1")
    }

    /// Pushes the multi-platform fixture `oci-multiarch` (every image of its index) as
    /// `fixtures/multi:1`; returns the image's reference.
    pub fn push_multiarch(&self) -> String {
        let layout = fixture("oci-multiarch");
        self.push(
            &format!("oci:{}", path_str(&layout)),
            "fixtures/multi:1",
            &["--all"],
        );
        self.reference("fixtures/multi:1")
    }

    /// A registry requiring `tester`'s [`PASSWORD`], with the fixture `docker-archive.tar`
    /// pushed as `fixtures/app:1`; returns it and the image's reference.
    pub fn with_basic_auth() -> (Registry, String) {
        let reg = Registry::start(true);
        let reference = reg.push_app(&["--dest-creds", &format!("tester:{PASSWORD}")]);
        (reg, reference)
    }

    /// The registry's storage file of a blob.
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap();
        self.dir
            .path()
            .join("storage/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }
}

/// The environment variables that say where registry credentials are. Every run of
/// layerbom here has none of them but those its test sets: no developer's own login (in
/// `~/.docker/config.json`, podman's auth files or the environment) reaches a test.
pub const CREDENTIAL_VARS: [&str; 7] = [
    "LAYERBOM_REGISTRY_USERNAME",
    "LAYERBOM_REGISTRY_PASSWORD",
    "HOME",
    "DOCKER_CONFIG",
    "REGISTRY_AUTH_FILE",
    "XDG_RUNTIME_DIR",
    "XDG_CONFIG_HOME",
];

/// The layerbom binary to run, without [`CREDENTIAL_VARS`] in its environment.
pub fn layerbom_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_layerbom"));
    // Each test reads its layers: the layer cache is tested on its own.
    command.env("LAYERBOM_NO_CACHE", "1");
    for var in CREDENTIAL_VARS {
        command.env_remove(var);
    }
    command
}

/// Runs `layerbom scan ARGS… -q -o json` with the registry credentials of `env` only: the
/// command line and what it gave.
pub fn run_scan<'a>(
    args: &[&'a str],
    env: &[(&str, &str)],
) -> (Vec<&'a str>, std::process::Output) {
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-q", "-o", "json"]);
    let out = layerbom_command()
        .args(&all)
        .envs(env.iter().copied())
        .output()
        .expect("run layerbom");
    (all, out)
}

/// Runs `layerbom scan ARGS… -q -o json` and parses the document, failing with stderr.
pub fn scan(args: &[&str], env: &[(&str, &str)]) -> Value {
    let (all, out) = run_scan(args, env);
    assert!(
        out.status.success(),
        "layerbom {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `layerbom scan ARGS… -q -o json` expecting exit 2, no document and one line.
pub fn scan_fails(args: &[&str], env: &[(&str, &str)]) -> String {
    let (all, out) = run_scan(args, env);
    let stderr = String::from_utf8_lossy(&out.stderr).trim_end().to_string();
    assert_eq!(out.status.code(), Some(2), "{all:?}: {stderr}");
    assert!(out.stdout.is_empty(), "no document on failure: {all:?}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// A document without what legitimately differs between the same image read from a
/// registry and from an archive: how it was named and stored (source, format, manifest,
/// tags, registry identity) and how its layer blobs are stored (skopeo compresses the
/// layers of a `docker save` archive as it pushes them: blob digest, media type,
/// compression, sizes). With `keep_blobs`, the layers' blob fields are kept.
pub fn comparable(mut doc: Value, keep_blobs: bool) -> Value {
    let image = doc["image"].as_object_mut().unwrap();
    for k in [
        "source",
        "format",
        "manifest_digest",
        "repo_tags",
        "registry",
        "compression",
    ] {
        image.remove(k);
    }
    if !keep_blobs {
        for layer in doc["layers"].as_array_mut().unwrap() {
            let layer = layer.as_object_mut().unwrap();
            for k in [
                "digest",
                "media_type",
                "compression",
                "size",
                "uncompressed_size",
            ] {
                layer.remove(k);
            }
        }
    }
    doc
}

/// The names, versions and purls of a document's packages, sorted.
pub fn packages(doc: &Value) -> Vec<(String, String, String)> {
    let mut p: Vec<_> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_string(),
                p["version"].as_str().unwrap_or_default().to_string(),
                p["purl"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    p.sort();
    p
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Base64 of `bytes`, standard (`url` false) or URL-safe without padding (`url` true).
pub fn base64(bytes: &[u8], url: bool) -> String {
    let table: &[u8; 64] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, &b| (n << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(table[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        if !url {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

/// A token for pulling and pushing `repository`, as the distribution registry's token
/// auth expects: a JWT signed RS256 by the key in `dir/signer.key`, whose certificate
/// (`dir/signer.pem`, the registry's root bundle) rides in its `x5c` header.
pub fn token(dir: &Path, repository: &str) -> String {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "signer.key",
            "-out",
            "signer.pem",
            "-outform",
            "PEM",
            "-subj",
            "/CN=layerbom-test-issuer",
            "-days",
            "2",
        ],
    );
    let der = openssl(dir, &["x509", "-in", "signer.pem", "-outform", "DER"]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [base64(&der, false)]});
    let claims = serde_json::json!({
        "iss": ISSUER, "sub": "tester", "aud": SERVICE,
        "exp": now + 3600, "nbf": now - 60, "iat": now, "jti": "layerbom-test",
        "access": [{"type": "repository", "name": repository, "actions": ["pull", "push"]}],
    });
    let signed = format!(
        "{}.{}",
        base64(header.to_string().as_bytes(), true),
        base64(claims.to_string().as_bytes(), true)
    );
    std::fs::write(dir.join("signed"), &signed).unwrap();
    let signature = openssl(dir, &["dgst", "-sha256", "-sign", "signer.key", "signed"]);
    format!("{signed}.{}", base64(&signature, true))
}

/// A token service on a free loopback port answering every request with `token`; returns
/// its URL and the count of requests it answered.
pub fn token_service(token: String) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/token", listener.local_addr().unwrap());
    let served = std::sync::Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let body = serde_json::json!({"token": token, "access_token": token}).to_string();
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    (url, served)
}
