//! Turning a layer blob into a tar stream: compression by magic bytes, digests on the fly.
//!
//! The stack is built once per layer: blob → (progress) → blob hasher → decompressor →
//! diff_id hasher → tar reader. Each hasher sees every byte exactly once, so a digest check
//! costs one SHA-256 pass and no second read. When nothing needs hashing and the layer is
//! not compressed, file contents are passed over with seeks instead of reads.

use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use flate2::read::MultiGzDecoder;
use sha2::{Digest as _, Sha256};

use super::tar::{Skip, TarReader};
use super::{Expect, ScanError};
use crate::progress::Progress;

/// Size of the read buffers in the stack.
const BUF: usize = 256 * 1024;

/// Size of the buffer over an uncompressed blob walked by seeking: about one header and a
/// small file's contents. Each seek past a larger file refills it, so a larger buffer
/// reads data only to drop it (256 KiB read 185 MiB of a 380 MiB image, 16 KiB 60 MiB).
const SEEK_BUF: usize = 16 * 1024;

/// How a layer blob is compressed, as recognized from its first bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// A plain tar.
    #[default]
    None,
    /// gzip (one or more members).
    Gzip,
    /// Zstandard (one or more frames).
    Zstd,
}

impl Compression {
    /// Recognizes the compression from the first bytes of a blob.
    pub fn detect(magic: &[u8]) -> Result<Compression, ScanError> {
        if magic.starts_with(&[0x1f, 0x8b]) {
            Ok(Compression::Gzip)
        } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Ok(Compression::Zstd)
        } else if magic.starts_with(b"BZh") {
            Err(ScanError::Unsupported(
                "bzip2-compressed layers are not supported".into(),
            ))
        } else if magic.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Err(ScanError::Unsupported(
                "xz-compressed layers are not supported".into(),
            ))
        } else {
            Ok(Compression::None)
        }
    }

    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// What the stream learned besides the tar entries.
#[derive(Debug, Clone, Default)]
pub struct StreamInfo {
    /// The compression recognized.
    pub compression: Compression,
    /// `sha256:` digest of the blob, if computed.
    pub blob_digest: Option<String>,
    /// `sha256:` digest of the uncompressed tar, if computed.
    pub diff_id: Option<String>,
    /// Size of the uncompressed tar, if it was read to the end.
    pub tar_size: Option<u64>,
    /// `sha256:` digest and size of the uncompressed tar, when [`Expect::identify`] asked
    /// for them.
    pub identified: Option<(String, u64)>,
}

/// Formats a SHA-256 state as an OCI digest string.
pub fn digest_string(h: Sha256) -> String {
    let bytes = h.finalize();
    let mut s = String::with_capacity(71);
    s.push_str("sha256:");
    for b in bytes {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    s
}

/// The SHA-256 digest of a byte slice, as an OCI digest string.
pub fn sha256_of(data: &[u8]) -> String {
    digest_string(Sha256::new_with_prefix(data))
}

/// Hashes (optionally) and counts every byte read through it.
struct Hashing<R> {
    inner: R,
    hasher: Hasher,
    count: u64,
}

/// Where the bytes of a [`Hashing`] reader are hashed.
enum Hasher {
    Off,
    /// In the reading thread.
    Inline(Box<Sha256>),
    /// In a thread of its own, fed in chunks of [`BUF`] bytes through a bounded channel, so
    /// that hashing a decompressed layer overlaps with decompressing it.
    Threaded {
        pending: Vec<u8>,
        tx: Option<SyncSender<Vec<u8>>>,
        done: Option<JoinHandle<String>>,
    },
}

impl Hasher {
    fn threaded() -> Hasher {
        let (tx, rx) = sync_channel::<Vec<u8>>(4);
        let spawned = std::thread::Builder::new()
            .name("layer-hash".into())
            .spawn(move || {
                let mut h = Sha256::new();
                for chunk in rx {
                    h.update(&chunk);
                }
                digest_string(h)
            });
        match spawned {
            Ok(done) => Hasher::Threaded {
                pending: Vec::with_capacity(BUF),
                tx: Some(tx),
                done: Some(done),
            },
            // No thread to be had: hash here.
            Err(_) => Hasher::Inline(Box::new(Sha256::new())),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Off => {}
            Hasher::Inline(h) => h.update(bytes),
            Hasher::Threaded { pending, tx, .. } => {
                pending.extend_from_slice(bytes);
                if pending.len() >= BUF {
                    let chunk = std::mem::replace(pending, Vec::with_capacity(BUF));
                    if let Some(t) = tx {
                        // The hashing thread only stops when the sender is dropped.
                        let _ = t.send(chunk);
                    }
                }
            }
        }
    }

    fn finish(mut self) -> Option<String> {
        match &mut self {
            Hasher::Off => None,
            Hasher::Inline(h) => Some(digest_string(*std::mem::take(h))),
            Hasher::Threaded { pending, tx, done } => {
                let tx = tx.take()?;
                if !pending.is_empty() {
                    tx.send(std::mem::take(pending)).ok()?;
                }
                drop(tx);
                done.take()?.join().ok()
            }
        }
    }
}

impl Drop for Hasher {
    /// A hasher dropped unfinished (the layer failed) stops its thread and waits for it, so
    /// that no thread outlives the scan that started it.
    fn drop(&mut self) {
        if let Hasher::Threaded { tx, done, .. } = self {
            drop(tx.take());
            if let Some(done) = done.take() {
                let _ = done.join();
            }
        }
    }
}

impl<R> Hashing<R> {
    /// A reader over `inner` that counts its bytes and, with `hash`, hashes them in a
    /// thread of its own.
    fn threaded(inner: R, hash: bool) -> Self {
        Hashing {
            inner,
            hasher: if hash {
                Hasher::threaded()
            } else {
                Hasher::Off
            },
            count: 0,
        }
    }

    fn finish(self) -> (R, Option<String>, u64) {
        (self.inner, self.hasher.finish(), self.count)
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// Passes over content by reading it (so that hashers above see it).
struct ReadSkip<R> {
    inner: R,
    scratch: Vec<u8>,
}

impl<R: Read> Read for ReadSkip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: Read> Skip for ReadSkip<R> {
    fn skip(&mut self, mut n: u64) -> io::Result<()> {
        if self.scratch.is_empty() {
            self.scratch = vec![0; BUF];
        }
        while n > 0 {
            let want = n.min(self.scratch.len() as u64) as usize;
            let got = match self.inner.read(&mut self.scratch[..want]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("archive ends {n} bytes early"),
                    ))
                }
                Ok(got) => got,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            n -= got as u64;
        }
        Ok(())
    }
}

/// Passes over content by seeking, checking that the input really is that long.
pub struct SeekSkip<R> {
    inner: BufReader<R>,
    len: u64,
}

impl<R: Read + Seek> SeekSkip<R> {
    /// A buffered reader over `inner`, whose total length is `len`.
    pub fn new(inner: R, len: u64) -> Self {
        SeekSkip {
            inner: BufReader::with_capacity(64 * 1024, inner),
            len,
        }
    }
}

impl<R: Read> Read for SeekSkip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: Read + Seek> Skip for SeekSkip<R> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let here = self.inner.stream_position()?;
        if here.saturating_add(n) > self.len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("archive ends {} bytes early", here + n - self.len),
            ));
        }
        let delta = i64::try_from(n).map_err(|_| io::Error::other("skip too large"))?;
        self.inner.seek_relative(delta)
    }
}

impl<S: Skip + ?Sized> Skip for &mut S {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        (**self).skip(n)
    }
}

/// Reads a stream to its end, so that hashers see every byte.
fn drain<R: Read + ?Sized>(r: &mut R) -> io::Result<()> {
    io::copy(r, &mut io::sink()).map(|_| ())
}

/// Opens `blob` as a tar stream (decompressing as needed), runs `walk` over it, and checks
/// the digests the image declares.
pub fn with_layer_stream<B, T, F>(
    blob: B,
    expect: &Expect,
    progress: Option<&indicatif::ProgressBar>,
    walk: F,
) -> Result<(T, StreamInfo), ScanError>
where
    B: Read + Seek,
    F: FnOnce(&mut TarReader<&mut dyn Skip>) -> Result<T, ScanError>,
{
    layer_stream(blob, true, expect, progress, walk)
}

/// Like [`with_layer_stream`] for a blob that can only be read front to back (a member of
/// a compressed archive): an uncompressed layer is passed over by reading, never seeking,
/// and is hashed whenever digests are checked, since every byte goes by anyway.
pub fn with_layer_stream_read<B, T, F>(
    blob: B,
    expect: &Expect,
    progress: Option<&indicatif::ProgressBar>,
    walk: F,
) -> Result<(T, StreamInfo), ScanError>
where
    B: Read,
    F: FnOnce(&mut TarReader<&mut dyn Skip>) -> Result<T, ScanError>,
{
    layer_stream(NoSeek(blob), false, expect, progress, walk)
}

/// A reader that cannot seek, for [`layer_stream`] with `seekable` false (which never
/// seeks it).
struct NoSeek<R>(R);

impl<R: Read> Read for NoSeek<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R> Seek for NoSeek<R> {
    fn seek(&mut self, _: SeekFrom) -> io::Result<u64> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "a streamed blob cannot seek",
        ))
    }
}

fn layer_stream<B, T, F>(
    blob: B,
    seekable: bool,
    expect: &Expect,
    progress: Option<&indicatif::ProgressBar>,
    walk: F,
) -> Result<(T, StreamInfo), ScanError>
where
    B: Read + Seek,
    F: FnOnce(&mut TarReader<&mut dyn Skip>) -> Result<T, ScanError>,
{
    let mut blob = BufReader::with_capacity(
        SEEK_BUF,
        Progress {
            inner: blob,
            bar: progress,
        },
    );
    let compression = Compression::detect(blob.fill_buf().map_err(super::TarError::Io)?)?;
    // What to hash: the blob whenever digests are checked (a compressed blob is read whole
    // anyway, and its digest is its content address); the uncompressed stream, which a
    // correct blob determines, only when asked to check everything (`full`) or when the
    // digests are the only identity there is (`always_hash`). An uncompressed layer is
    // blob and stream at once, and is walked by seeking unless it is hashed.
    // A blob whose reader checks it is read whole all the same: its uncompressed size is
    // reported as for any blob read whole.
    // A layer cache asks for the diff_id besides (`identify`): it is hashed then, but kept
    // apart (`StreamInfo::identified`), so that what the scan reports and checks is what
    // it would be without the cache.
    let hash_blob = (expect.verify && !expect.blob_checked) || expect.always_hash;
    let check_tar = expect.always_hash || (expect.verify && expect.full);
    let hash_tar = check_tar || expect.identify;
    let read_all = hash_blob || check_tar || expect.verify;
    let mut info = StreamInfo {
        compression,
        ..StreamInfo::default()
    };
    let result = match compression {
        Compression::None if seekable && !hash_tar => {
            let len = seek_len(&mut blob)?;
            let mut input = SeekSkip { inner: blob, len };
            walk(&mut TarReader::new(&mut input as &mut dyn Skip))?
        }
        Compression::None => {
            // Read whole: hashed when asked to, or (a streamed blob) when digests are checked.
            // Without `identify`, a seekable blob is hashed only to check everything.
            let checked = check_tar || (!seekable && hash_blob);
            let mut input = ReadSkip {
                inner: Hashing::threaded(blob, checked || expect.identify),
                scratch: Vec::new(),
            };
            let t = walk(&mut TarReader::new(&mut input as &mut dyn Skip))?;
            if checked || expect.identify {
                drain(&mut input).map_err(super::TarError::Io)?;
                let (_, digest, count) = input.inner.finish();
                info.identified = digest.clone().map(|d| (d, count));
                if checked {
                    info.blob_digest.clone_from(&digest);
                    info.diff_id = digest;
                    info.tar_size = Some(count);
                }
            }
            t
        }
        Compression::Gzip => {
            let raw = Hashing::threaded(blob, hash_blob);
            let dec = Hashing::threaded(MultiGzDecoder::new(raw), hash_tar);
            let (t, dec) = walk_decoded(dec, read_all || expect.identify, walk)?;
            let (dec, diff_id, count) = dec.finish();
            info.identified = diff_id.clone().map(|d| (d, count));
            let (_, blob_digest, _) = dec.into_inner().finish();
            info.blob_digest = blob_digest;
            info.diff_id = diff_id.filter(|_| check_tar);
            info.tar_size = read_all.then_some(count);
            t
        }
        Compression::Zstd => {
            let raw = BufReader::with_capacity(BUF, Hashing::threaded(blob, hash_blob));
            let dec = zstd::stream::read::Decoder::with_buffer(raw).map_err(super::TarError::Io)?;
            let dec = Hashing::threaded(dec, hash_tar);
            let (t, dec) = walk_decoded(dec, read_all || expect.identify, walk)?;
            let (dec, diff_id, count) = dec.finish();
            info.identified = diff_id.clone().map(|d| (d, count));
            let (_, blob_digest, _) = dec.finish().into_inner().finish();
            info.blob_digest = blob_digest;
            info.diff_id = diff_id.filter(|_| check_tar);
            info.tar_size = read_all.then_some(count);
            t
        }
    };
    if expect.verify {
        check(
            "blob digest",
            expect.blob_digest.as_deref(),
            info.blob_digest.as_deref(),
        )?;
        check(
            "diff_id",
            expect.diff_id.as_deref(),
            info.diff_id.as_deref(),
        )?;
    }
    Ok((result, info))
}

/// Walks a decompressed stream and, when hashing, reads it to its end (so that the blob's
/// hasher sees every compressed byte too).
fn walk_decoded<D, T, F>(dec: D, drain_all: bool, walk: F) -> Result<(T, D), ScanError>
where
    D: Read,
    F: FnOnce(&mut TarReader<&mut dyn Skip>) -> Result<T, ScanError>,
{
    let mut input = BufSkip(BufReader::with_capacity(BUF, dec));
    let t = walk(&mut TarReader::new(&mut input as &mut dyn Skip))?;
    if drain_all {
        input.drain().map_err(super::TarError::Io)?;
    }
    Ok((t, input.0.into_inner()))
}

/// Passes over content by consuming it from the buffer it was read into, without copying
/// it anywhere.
pub(crate) struct BufSkip<R>(pub(crate) R);

impl<R: BufRead> BufSkip<R> {
    /// Reads the stream to its end, so that hashers below see every byte (and a
    /// decompressor its checksum).
    pub(crate) fn drain(&mut self) -> io::Result<()> {
        drain(&mut self.0)
    }
}

impl<R: Read> Read for BufSkip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: BufRead> Skip for BufSkip<R> {
    fn skip(&mut self, mut n: u64) -> io::Result<()> {
        while n > 0 {
            let available = match self.0.fill_buf() {
                Ok([]) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("archive ends {n} bytes early"),
                    ))
                }
                Ok(buf) => buf.len(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let take = (available as u64).min(n);
            self.0.consume(take as usize);
            n -= take;
        }
        Ok(())
    }
}

fn seek_len<R: Seek>(r: &mut R) -> Result<u64, ScanError> {
    let here = r.stream_position().map_err(super::TarError::Io)?;
    let end = r.seek(SeekFrom::End(0)).map_err(super::TarError::Io)?;
    r.seek(SeekFrom::Start(here)).map_err(super::TarError::Io)?;
    Ok(end)
}

/// Compares a computed digest with the one the image declares, when both are known.
pub(crate) fn check(
    what: &'static str,
    expected: Option<&str>,
    actual: Option<&str>,
) -> Result<(), ScanError> {
    if let (Some(e), Some(a)) = (expected, actual) {
        // Only sha256 is computed; other algorithms are reported by the source stage.
        if e.starts_with("sha256:") && e != a {
            return Err(ScanError::Digest {
                what,
                expected: e.to_string(),
                actual: a.to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffered_skips_pass_over_exactly_n_bytes_and_fail_past_the_end() {
        let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let mut input = BufSkip(BufReader::with_capacity(64, &data[..]));
        input.skip(1_000).unwrap();
        let mut next = [0u8; 3];
        input.read_exact(&mut next).unwrap();
        assert_eq!(next, [data[1_000], data[1_001], data[1_002]]);
        let err = input.skip(9_000).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(err.to_string().contains("3 bytes early"), "{err}");
        input.drain().unwrap();
    }
}
