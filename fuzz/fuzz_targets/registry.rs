//! Any bytes as a registry's answers: the input is split at its first two NUL bytes into a
//! manifest (or index), a config and a layer blob, served by a registry on a loopback port
//! (a manifest asked for by digest, or a blob, is the part with that digest, else the
//! first part or the last), and the image `127.0.0.1:PORT/fuzz/image:1` is read from it.
//! Nothing may panic, whatever the documents say (indexes pointing anywhere, sizes and
//! digests that lie, blobs that are no tar).
#![no_main]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use layerbom::pipeline::{read_image, Options};
use layerbom::scan::stream::sha256_of;
use layerbom::scan::CaptureRules;
use libfuzzer_sys::fuzz_target;

/// Reads a request's head; `None` for a TLS handshake or a closed connection, which are
/// answered 400 (so the client falls back to plain HTTP) or not at all.
fn head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? != 1 {
            return None;
        }
        head.push(byte[0]);
        if head.len() == 1 && !byte[0].is_ascii_alphabetic() {
            let _ = stream.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\n");
            return None;
        }
    }
    String::from_utf8(head).ok()
}

fn serve(mut stream: TcpStream, parts: &[Vec<u8>; 3]) {
    let Some(head) = head(&mut stream) else {
        return;
    };
    let path = head.split(' ').nth(1).unwrap_or_default();
    let by_digest = |fallback: usize| {
        let digest = path.rsplit('/').next().unwrap_or_default();
        parts
            .iter()
            .find(|p| sha256_of(p) == digest)
            .unwrap_or(&parts[fallback])
    };
    let body: Option<&[u8]> = if path == "/v2/" {
        Some(b"{}")
    } else if path.contains("/manifests/") {
        Some(by_digest(0))
    } else if path.contains("/blobs/") {
        Some(by_digest(2))
    } else {
        None
    };
    let answer = match body {
        Some(body) => {
            let mut a = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            if !head.starts_with("HEAD ") {
                a.extend_from_slice(body);
            }
            a
        }
        None => {
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
        }
    };
    let _ = stream.write_all(&answer);
}

fuzz_target!(|data: &[u8]| {
    let mut split = data.splitn(3, |&b| b == 0);
    let parts = Arc::new([
        split.next().unwrap_or_default().to_vec(),
        split.next().unwrap_or_default().to_vec(),
        split.next().unwrap_or_default().to_vec(),
    ]);
    let Ok(listener) = TcpListener::bind("127.0.0.1:0") else {
        return;
    };
    let Ok(addr) = listener.local_addr() else {
        return;
    };
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let (stop, parts) = (stop.clone(), parts.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    serve(stream, &parts);
                }
            }
        })
    };
    let rules = CaptureRules::builder().want("etc/os-release", 4096).build();
    let reference = format!("127.0.0.1:{}/fuzz/image:1", addr.port());
    let _ = read_image(Path::new(&reference), &Options::default(), &rules);
    stop.store(true, Ordering::SeqCst);
    let _ = TcpStream::connect(addr);
    let _ = server.join();
});
