//! A real HTTP/1.1 file server on loopback, serving a directory as a mirror does, with the
//! faults a mirror shows: a file not found, a file with other bytes, a download that breaks
//! off, the whole server going away. It answers `Range: bytes=N-` with 206, and logs every
//! request (path and range) for the tests to read.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the server does wrong, by URL path.
#[derive(Debug, Default, Clone)]
pub struct Faults {
    /// Answered 404.
    pub not_found: BTreeSet<String>,
    /// Served with one byte changed (same length).
    pub corrupt: BTreeSet<String>,
    /// The first request sends half the body, then closes the connection.
    pub truncate_once: BTreeSet<String>,
    /// After this many requests, the server closes every connection unanswered and stops
    /// listening.
    pub down_after: Option<usize>,
}

/// One request: the path and the `Range` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub path: String,
    pub range: Option<String>,
}

/// A running server.
pub struct Mirror {
    pub url: String,
    log: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
}

impl Mirror {
    /// Serves `root` on a free loopback port.
    pub fn start(root: PathBuf, faults: Faults) -> Mirror {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicUsize::new(0));
        let truncated = Arc::new(Mutex::new(BTreeSet::new()));
        let (log2, stop2) = (log.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let n = served.fetch_add(1, Ordering::SeqCst);
                if faults.down_after.is_some_and(|limit| n >= limit) {
                    // Gone: this connection and every later one.
                    drop(stream);
                    break;
                }
                let (root, faults, log, truncated) = (
                    root.clone(),
                    faults.clone(),
                    log2.clone(),
                    truncated.clone(),
                );
                std::thread::spawn(move || {
                    let _ = serve(stream, &root, &faults, &log, &truncated);
                });
            }
        });
        Mirror { url, log, stop }
    }

    /// The requests so far.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    /// The paths requested so far, under `prefix`.
    pub fn paths_under(&self, prefix: &str) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.starts_with(prefix))
            .map(|r| r.path)
            .collect()
    }
}

impl Drop for Mirror {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

fn serve(
    stream: TcpStream,
    root: &std::path::Path,
    faults: &Faults,
    log: &Mutex<Vec<Request>>,
    truncated: &Mutex<BTreeSet<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let range = headers.get("range").cloned();
    log.lock().unwrap().push(Request {
        path: path.clone(),
        range: range.clone(),
    });
    let mut out = stream;
    // A query string does not name another file, as on a static file server.
    let file = root.join(
        path.split('?')
            .next()
            .unwrap_or_default()
            .trim_start_matches('/'),
    );
    let body = match std::fs::read(&file) {
        Ok(b) if !faults.not_found.contains(&path) && !path.contains("..") => b,
        _ => {
            return out.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )
        }
    };
    let mut body = body;
    if faults.corrupt.contains(&path) && !body.is_empty() {
        let last = body.len() - 1;
        body[last] ^= 0xff;
    }
    let total = body.len();
    let start = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse::<usize>().ok());
    let (status, part) = match start {
        Some(s) if s >= total => {
            let head = format!(
                "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{total}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            return out.write_all(head.as_bytes());
        }
        Some(s) => (
            format!(
                "206 Partial Content\r\nContent-Range: bytes {s}-{}/{total}",
                total - 1
            ),
            &body[s..],
        ),
        None => ("200 OK".to_string(), &body[..]),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n",
        part.len()
    );
    out.write_all(head.as_bytes())?;
    if faults.truncate_once.contains(&path) && truncated.lock().unwrap().insert(path.clone()) {
        out.write_all(&part[..part.len() / 2])?;
        out.flush()?;
        // Close without the rest: the client sees a body shorter than its length.
        return out.shutdown(std::net::Shutdown::Both);
    }
    out.write_all(part)
}
