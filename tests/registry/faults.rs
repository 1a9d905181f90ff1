//! Faults between layerbom and a real registry: a loopback proxy in front of it that cuts
//! blob downloads short, answers 503 or 429, redirects blobs to another host, or pads a
//! manifest past the size limit; and a registry whose layer blobs are gone.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use crate::harness::*;

/// What the proxy does to the registry's answers.
#[derive(Clone, Copy)]
enum Fault {
    /// Each blob's answer is cut off halfway the first `n` times it is asked for.
    CutBlobs(usize),
    /// The first `n` requests for each blob are answered with this status.
    Refuse(u16, usize),
    /// Blob requests are redirected (307) to the blob store on this port, on another host
    /// name (`localhost` rather than `127.0.0.1`).
    Redirect(u16),
    /// Manifests are padded past 16 MiB, their length said (`true`) or not.
    HugeManifest(bool),
}

/// A proxy on a free loopback port in front of the registry on `upstream`, one request per
/// connection; it keeps the head of every request it was sent.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start(upstream: u16, fault: Fault) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let asked: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (log, asked) = (log.clone(), asked.clone());
                std::thread::spawn(move || serve(stream, upstream, fault, &log, &asked));
            }
        });
        Proxy { port, seen }
    }

    /// The heads of the requests for blobs.
    fn blob_requests(&self) -> Vec<String> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|h| h.contains("/blobs/sha256:"))
            .cloned()
            .collect()
    }
}

/// Reads a request's head (up to the blank line). A TLS handshake (a first byte that is no
/// letter) is answered 400, as the registry answers it, so the client falls back to HTTP.
fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
        if head.len() == 1 && !byte[0].is_ascii_alphabetic() {
            let _ = stream.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\n");
            return None;
        }
    }
    String::from_utf8(head).ok()
}

/// A head with its `Connection` header replaced by `Connection: close`, so each side sees
/// one exchange per connection.
fn closing(head: &str) -> String {
    let mut out: String = head
        .trim_end()
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    out.push_str("Connection: close\r\n\r\n");
    out
}

/// An answer's head with `name` set to `value` (or left out with `None`).
fn with_header(head: &str, name: &str, value: Option<&str>) -> String {
    let lower = format!("{}:", name.to_ascii_lowercase());
    let mut out: String = head
        .trim_end()
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with(&lower))
        .map(|l| format!("{l}\r\n"))
        .collect();
    if let Some(v) = value {
        out.push_str(&format!("{name}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out
}

fn serve(
    mut client: TcpStream,
    upstream: u16,
    fault: Fault,
    log: &Mutex<Vec<String>>,
    asked: &Mutex<HashMap<String, usize>>,
) {
    let Some(head) = read_head(&mut client) else {
        return;
    };
    log.lock().unwrap().push(head.clone());
    let target = head.split(' ').nth(1).unwrap_or_default().to_string();
    let is_get = head.starts_with("GET ");
    let blob = is_get && target.contains("/blobs/sha256:");
    let times = {
        let mut asked = asked.lock().unwrap();
        let n = asked.entry(target.clone()).or_default();
        *n += 1;
        *n
    };
    match fault {
        Fault::Refuse(status, n) if blob && times <= n => {
            let _ = client.write_all(
                format!(
                    "HTTP/1.1 {status} Try Later\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
                .as_bytes(),
            );
            return;
        }
        Fault::Redirect(store) if blob => {
            let digest = target.rsplit('/').next().unwrap_or_default();
            let _ = client.write_all(
                format!(
                    "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://localhost:{store}/store/{digest}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
                .as_bytes(),
            );
            return;
        }
        _ => {}
    }
    let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream)) else {
        return;
    };
    if up.write_all(closing(&head).as_bytes()).is_err() {
        return;
    }
    let mut answer = Vec::new();
    let _ = up.read_to_end(&mut answer);
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(answer.len(), |p| p + 4);
    let (answer_head, body) = answer.split_at(split);
    let answer_head = closing(&String::from_utf8_lossy(answer_head));
    let ok = answer_head.starts_with("HTTP/1.1 20");
    match fault {
        Fault::CutBlobs(n) if blob && ok && times <= n => {
            let _ = client.write_all(answer_head.as_bytes());
            let _ = client.write_all(&body[..body.len() / 2]);
            let _ = client.flush();
            let _ = client.shutdown(Shutdown::Both);
        }
        Fault::HugeManifest(sized) if is_get && target.contains("/manifests/") && ok => {
            let mut doc: Value = serde_json::from_slice(body).unwrap();
            doc["annotations"] = serde_json::json!({"padding": "x".repeat(17 << 20)});
            let body = serde_json::to_vec(&doc).unwrap();
            let head = with_header(&answer_head, "Docker-Content-Digest", None);
            let length = body.len().to_string();
            // Without a length, the body ends where the connection does.
            let head = with_header(&head, "Content-Length", sized.then_some(length.as_str()));
            let _ = client.write_all(head.as_bytes());
            let _ = client.write_all(&body);
        }
        _ => {
            let _ = client.write_all(answer_head.as_bytes());
            let _ = client.write_all(body);
        }
    }
}

/// A blob store on a free loopback port serving `GET /store/DIGEST` from the registry's
/// storage, with no authentication; it keeps the head of every request it was sent.
fn blob_store(reg: &Registry) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let storage = reg.blob_file(&format!("sha256:{}", "0".repeat(64)));
    // …/blobs/sha256/00/000…/data: the directory of every sha256 blob.
    let root = storage.ancestors().nth(3).unwrap().to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some(head) = read_head(&mut stream) else {
                continue;
            };
            log.lock().unwrap().push(head.clone());
            let target = head.split(' ').nth(1).unwrap_or_default();
            let hex = target.rsplit("sha256:").next().unwrap_or_default();
            let file = root
                .join(hex.get(..2).unwrap_or("xx"))
                .join(hex)
                .join("data");
            match std::fs::read(file) {
                Ok(body) => {
                    let _ = stream.write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    );
                    let _ = stream.write_all(&body);
                }
                Err(_) => {
                    let _ = stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
            }
        }
    });
    (port, seen)
}

/// A registry with the fixture image pushed as `fixtures/app:1`, and the report of the
/// same image read from its archive.
fn registry_with_app(htpasswd: bool) -> (Registry, Value) {
    let reg = Registry::start(htpasswd);
    let archive = fixture("docker-archive.tar");
    let creds = format!("tester:{PASSWORD}");
    let extra: &[&str] = if htpasswd {
        &["--dest-creds", &creds]
    } else {
        &[]
    };
    reg.push_app(extra);
    let local = scan(&[path_str(&archive)], &[]);
    (reg, local)
}

#[test]
fn a_download_cut_short_is_resumed_where_it_stopped() {
    let (reg, local) = registry_with_app(false);
    let proxy = Proxy::start(reg.port, Fault::CutBlobs(1));
    let doc = scan(&[&format!("127.0.0.1:{}/fixtures/app:1", proxy.port)], &[]);
    assert_eq!(comparable(doc, false), comparable(local, false));
    // Each layer blob was asked for again from where its first answer broke off.
    let mut ranges: HashMap<String, Vec<u64>> = HashMap::new();
    for h in proxy.blob_requests() {
        let target = h.split(' ').nth(1).unwrap_or_default().to_string();
        let from = h
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("range: bytes=")
                    .map(str::to_string)
            })
            .and_then(|r| r.trim_end_matches('-').parse().ok());
        if let Some(from) = from {
            ranges.entry(target).or_default().push(from);
        }
    }
    assert!(!ranges.is_empty());
    for (blob, from) in &ranges {
        assert!(
            from.len() == 2 && from[0] == 0 && from[1] > 0,
            "{blob}: asked from {from:?}"
        );
    }
}

#[test]
fn a_download_that_always_breaks_off_fails_without_a_document() {
    let (reg, _) = registry_with_app(false);
    let proxy = Proxy::start(reg.port, Fault::CutBlobs(usize::MAX));
    let reference = format!("127.0.0.1:{}/fixtures/app:1", proxy.port);
    let line = scan_fails(&[&reference], &[]);
    // The config, asked for first, is a blob too.
    assert!(
        line.contains(&reference) && line.contains("blob sha256:"),
        "{line}"
    );
    assert!(line.contains("the last of 5 attempts"), "{line}");
}

#[test]
fn busy_and_failing_registries_are_asked_again() {
    for status in [503, 429] {
        let (reg, local) = registry_with_app(false);
        let proxy = Proxy::start(reg.port, Fault::Refuse(status, 2));
        let doc = scan(&[&format!("127.0.0.1:{}/fixtures/app:1", proxy.port)], &[]);
        assert_eq!(comparable(doc, false), comparable(local, false));
        let requests = proxy.blob_requests();
        let mut per_blob: HashMap<&str, usize> = HashMap::new();
        for h in &requests {
            *per_blob
                .entry(h.split(' ').nth(1).unwrap_or_default())
                .or_default() += 1;
        }
        assert!(per_blob.values().all(|&n| n == 3), "{status}: {per_blob:?}");
    }
    // A registry that keeps failing is given up on, with its answer.
    let (reg, _) = registry_with_app(false);
    let proxy = Proxy::start(reg.port, Fault::Refuse(503, usize::MAX));
    let line = scan_fails(&[&format!("127.0.0.1:{}/fixtures/app:1", proxy.port)], &[]);
    assert!(line.contains("503"), "{line}");
}

#[test]
fn redirects_to_blob_storage_carry_no_credentials() {
    let (reg, local) = registry_with_app(true);
    let (store, stored) = blob_store(&reg);
    let proxy = Proxy::start(reg.port, Fault::Redirect(store));
    let doc = scan(
        &[&format!("127.0.0.1:{}/fixtures/app:1", proxy.port)],
        &[
            ("LAYERBOM_REGISTRY_USERNAME", "tester"),
            ("LAYERBOM_REGISTRY_PASSWORD", PASSWORD),
        ],
    );
    assert_eq!(comparable(doc, false), comparable(local, false));
    let to_registry = proxy.blob_requests();
    let to_store = stored.lock().unwrap().clone();
    assert!(!to_store.is_empty(), "the blobs came from the store");
    assert!(
        to_registry
            .iter()
            .all(|h| h.to_ascii_lowercase().contains("\r\nauthorization: ")),
        "the registry was sent the credentials: {to_registry:?}"
    );
    assert!(
        to_store
            .iter()
            .all(|h| !h.to_ascii_lowercase().contains("authorization")),
        "the store on another host was not: {to_store:?}"
    );
}

#[test]
fn a_manifest_over_the_limit_is_refused() {
    let (reg, _) = registry_with_app(false);
    for sized in [true, false] {
        let proxy = Proxy::start(reg.port, Fault::HugeManifest(sized));
        let reference = format!("127.0.0.1:{}/fixtures/app:1", proxy.port);
        let line = scan_fails(&[&reference], &[]);
        assert!(
            line.contains(&reference) && line.contains("limit of 16777216"),
            "{line}"
        );
        // Refused from the length the registry says, else as the body goes past the limit.
        assert_eq!(line.contains("bytes, over the limit"), sized, "{line}");
    }
}

#[test]
fn layers_missing_from_the_registry_are_errors_naming_them() {
    let (reg, _) = registry_with_app(false);
    let reference = reg.reference("fixtures/app:1");
    let doc = scan(&[&reference], &[]);
    let layer = doc["layers"][0]["digest"].as_str().unwrap().to_string();
    std::fs::remove_file(reg.blob_file(&layer)).unwrap();
    let line = scan_fails(&[&reference], &[]);
    assert!(
        line.contains(&reference) && line.contains("layer 0") && line.contains(&layer),
        "{line}"
    );
}

#[test]
fn a_resumed_download_is_checked_whole() {
    let (reg, _) = registry_with_app(false);
    let reference = reg.reference("fixtures/app:1");
    let doc = scan(&[&reference], &[]);
    // A byte in the second half, which a download cut halfway gets only once resumed.
    let layer = doc["layers"][1]["digest"].as_str().unwrap().to_string();
    let file = reg.blob_file(&layer);
    let mut bytes = std::fs::read(&file).unwrap();
    let late = bytes.len() * 3 / 4;
    bytes[late] ^= 0xff;
    std::fs::write(&file, &bytes).unwrap();
    let proxy = Proxy::start(reg.port, Fault::CutBlobs(1));
    let reference = format!("127.0.0.1:{}/fixtures/app:1", proxy.port);
    let line = scan_fails(&[&reference], &[]);
    assert!(
        line.contains("layer 1") && line.contains(&layer) && line.contains("digest mismatch"),
        "{line}"
    );
}

#[test]
fn layers_in_the_cache_are_not_downloaded() {
    let (reg, _) = registry_with_app(false);
    // Refusing nothing: the proxy only notes what is asked.
    let proxy = Proxy::start(reg.port, Fault::Refuse(503, 0));
    let reference = format!("127.0.0.1:{}/fixtures/app:1", proxy.port);
    let cache = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let out = layerbom_command()
            .env_remove("LAYERBOM_NO_CACHE")
            .args(["scan", &reference, "-q", "-o", "json", "--cache-dir"])
            .arg(cache.path())
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success() && stderr.is_empty(), "{stderr}");
        out.stdout
    };
    let cold = run(&[]);
    let doc: Value = serde_json::from_slice(&cold).unwrap();
    let layers: Vec<String> = doc["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap().to_string())
        .collect();
    let before = proxy.blob_requests().len();
    assert_eq!(run(&[]), cold);
    // Each layer is asked for its first six bytes only (which say how it is compressed).
    let asked = proxy.blob_requests()[before..].to_vec();
    for layer in &layers {
        let of_layer: Vec<&String> = asked
            .iter()
            .filter(|h| h.contains(layer.as_str()))
            .collect();
        assert_eq!(of_layer.len(), 1, "{layer}: {asked:?}");
        assert!(
            of_layer[0]
                .to_ascii_lowercase()
                .contains("range: bytes=0-5"),
            "{}",
            of_layer[0]
        );
    }
    // --verify downloads every layer whole.
    let before = proxy.blob_requests().len();
    assert_eq!(run(&["--verify"]), cold);
    let asked = proxy.blob_requests()[before..].to_vec();
    for layer in &layers {
        assert!(
            asked.iter().any(
                |h| h.contains(layer.as_str()) && !h.to_ascii_lowercase().contains("bytes=0-5")
            ),
            "{layer}: {asked:?}"
        );
    }
}
