//! Downloads from a mirror: plain GETs read within a bound, and files written to a `.part`
//! that a broken download resumes with an HTTP `Range` request. reqwest (with rustls, as the
//! registry source uses it) on a tokio runtime of its own, bridged with `block_on`, so the
//! rest of layerbom stays synchronous and the worker threads of `--jobs` each wait on their
//! own request.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use tokio::runtime::Runtime;

/// How many times a request that broke off or met a server error is made in all.
const ATTEMPTS: u32 = 4;

/// The pause after the first failed attempt; each next one doubles it.
const FIRST_PAUSE: Duration = Duration::from_millis(200);

/// What a request came to.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The mirror does not have it (404, 410).
    NotFound,
    /// Anything else, said in a few words.
    Failed(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::NotFound => f.write_str("not found (404)"),
            Failure::Failed(why) => f.write_str(why),
        }
    }
}

/// The HTTP client and the runtime it runs on.
pub(crate) struct Http {
    runtime: Runtime,
    client: reqwest::Client,
}

/// Why one attempt failed: for good, or worth another.
enum Attempt {
    Final(Failure),
    Again(String),
}

impl Http {
    /// A client with the system's certificate authorities, timeouts on connecting and on
    /// each read, and a runtime of two threads.
    pub fn new() -> Result<Http, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("layerbom-mirror")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(20))
            .read_timeout(Duration::from_secs(60))
            .user_agent(concat!("layerbom/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        Ok(Http { runtime, client })
    }

    /// The body of `url`, at most `max` bytes (a longer one is an error), made again after
    /// a transient failure.
    pub fn get(&self, url: &str, max: u64) -> Result<Vec<u8>, Failure> {
        retrying(|| self.runtime.block_on(self.get_once(url, max)))
    }

    async fn get_once(&self, url: &str, max: u64) -> Result<Vec<u8>, Attempt> {
        let mut response = self.client.get(url).send().await.map_err(request_error)?;
        status(response.status())?;
        if response.content_length().is_some_and(|n| n > max) {
            return Err(Attempt::Final(Failure::Failed(format!(
                "the answer is over {max} bytes"
            ))));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(request_error)? {
            if body.len() as u64 + chunk.len() as u64 > max {
                return Err(Attempt::Final(Failure::Failed(format!(
                    "the answer is over {max} bytes"
                ))));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Downloads `url` into `part` until it holds `size` bytes (when known; else what the
    /// server says the file holds, at most `max`), resuming what `part` already holds with a
    /// `Range` request (a server that answers with the whole file starts it again). More
    /// than that is an error, and `part` is then emptied.
    pub fn download(
        &self,
        url: &str,
        part: &Path,
        size: Option<u64>,
        max: u64,
    ) -> Result<(), Failure> {
        retrying(|| {
            self.runtime
                .block_on(self.download_once(url, part, size, max))
        })
    }

    async fn download_once(
        &self,
        url: &str,
        part: &Path,
        size: Option<u64>,
        max: u64,
    ) -> Result<(), Attempt> {
        let io =
            |e: std::io::Error| Attempt::Final(Failure::Failed(format!("{}: {e}", part.display())));
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(part)
            .map_err(io)?;
        let mut have = file.metadata().map_err(io)?.len();
        if have > size.unwrap_or(max) {
            file.set_len(0).map_err(io)?;
            have = 0;
        }
        if Some(have) == size {
            return Ok(());
        }
        let mut request = self.client.get(url);
        if have > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
        }
        let mut response = request.send().await.map_err(request_error)?;
        let content_range = response
            .headers()
            .get(reqwest::header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let total = match response.status().as_u16() {
            206 => {
                let range = content_range.as_deref().and_then(range_of);
                match range {
                    Some((start, total)) if start == have => total,
                    _ => {
                        // Not the part asked for: start again from nothing.
                        file.set_len(0).map_err(io)?;
                        return Err(Attempt::Again("the server sent another range".into()));
                    }
                }
            }
            416 => {
                // Asked from the end of a file of unknown size: it was whole.
                let total = content_range.as_deref().and_then(unsatisfied_total);
                if size.is_none() && total == Some(have) {
                    return Ok(());
                }
                file.set_len(0).map_err(io)?;
                return Err(Attempt::Again("the server refused the range".into()));
            }
            _ => {
                status(response.status())?;
                file.set_len(0).map_err(io)?;
                have = 0;
                response.content_length()
            }
        };
        let expected = size.or(total);
        if let Some(n) = expected.filter(|n| *n > max) {
            file.set_len(0).map_err(io)?;
            return Err(Attempt::Final(Failure::Failed(format!(
                "{n} bytes, over the bound of {max} (--max-file-size)"
            ))));
        }
        let bound = expected.unwrap_or(max);
        file.seek(SeekFrom::End(0)).map_err(io)?;
        while let Some(chunk) = response.chunk().await.map_err(request_error)? {
            if have + chunk.len() as u64 > bound {
                drop(file);
                let _ = std::fs::remove_file(part);
                return Err(Attempt::Final(Failure::Failed(match size {
                    Some(size) => format!("the mirror sent more than the {size} bytes listed"),
                    None => format!("the mirror sent more than {bound} bytes"),
                })));
            }
            file.write_all(&chunk).map_err(io)?;
            have += chunk.len() as u64;
        }
        file.flush().map_err(io)?;
        if let Some(n) = expected.filter(|n| have < *n) {
            return Err(Attempt::Again(format!(
                "the download broke off after {have} of {n} bytes"
            )));
        }
        Ok(())
    }
}

/// The first byte and the total of a `Content-Range: bytes START-END/TOTAL` (the total
/// `None` when it is `*`).
fn range_of(value: &str) -> Option<(u64, Option<u64>)> {
    let (range, total) = value.strip_prefix("bytes ")?.split_once('/')?;
    let start = range.split('-').next()?.trim().parse().ok()?;
    Some((start, total.trim().parse().ok()))
}

/// The total of a `Content-Range: bytes */TOTAL` (a 416's).
fn unsatisfied_total(value: &str) -> Option<u64> {
    value.strip_prefix("bytes */")?.trim().parse().ok()
}

/// A status that is not success, as an attempt's failure.
fn status(status: reqwest::StatusCode) -> Result<(), Attempt> {
    match status.as_u16() {
        200..=299 => Ok(()),
        404 | 410 => Err(Attempt::Final(Failure::NotFound)),
        408 | 429 | 500..=599 => Err(Attempt::Again(format!("the mirror answered {status}"))),
        _ => Err(Attempt::Final(Failure::Failed(format!(
            "the mirror answered {status}"
        )))),
    }
}

/// A request that could not be made or whose body broke off: worth another attempt.
fn request_error(e: reqwest::Error) -> Attempt {
    let mut why = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        why = format!("{why}: {s}");
        source = s.source();
    }
    if e.is_builder() {
        Attempt::Final(Failure::Failed(why))
    } else {
        Attempt::Again(why)
    }
}

/// Makes `attempt` until it succeeds, fails for good or has failed [`ATTEMPTS`] times.
fn retrying<T>(mut attempt: impl FnMut() -> Result<T, Attempt>) -> Result<T, Failure> {
    let mut pause = FIRST_PAUSE;
    let mut n = 1;
    loop {
        match attempt() {
            Ok(done) => return Ok(done),
            Err(Attempt::Final(f)) => return Err(f),
            Err(Attempt::Again(why)) if n >= ATTEMPTS => {
                return Err(Failure::Failed(format!(
                    "{why} (the last of {ATTEMPTS} attempts)"
                )))
            }
            Err(Attempt::Again(_)) => {
                std::thread::sleep(pause);
                pause *= 2;
                n += 1;
            }
        }
    }
}

/// The SHA-256 of a file, read in pieces, and its size.
pub(crate) fn sha256_file(path: &Path) -> std::io::Result<(u64, String)> {
    use sha2::{Digest, Sha256};
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let size = std::io::copy(&mut file, &mut hasher)?;
    Ok((size, hex(&hasher.finalize())))
}

/// The SHA-256 of bytes, in lowercase hex.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges() {
        assert_eq!(range_of("bytes 100-199/200"), Some((100, Some(200))));
        assert_eq!(range_of("bytes 100-199/*"), Some((100, None)));
        assert_eq!(range_of("bytes */200"), None);
        assert_eq!(range_of("items 1-2/3"), None);
        assert_eq!(unsatisfied_total("bytes */200"), Some(200));
    }

    #[test]
    fn sha256_of_nothing() {
        assert_eq!(
            sha256(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
