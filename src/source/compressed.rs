//! Compressed image archives (`docker save | gzip`, a zstd-compressed OCI archive), read in
//! one pass.
//!
//! A compressed file cannot be read at random, so the random-access path (index the tar by
//! its headers, then open every layer on its own file handle) does not apply. Instead the
//! archive is a [`StreamSource`]: it is decompressed once, front to back, on a thread of its
//! own, into a bounded channel, and the reading thread walks the outer tar as it arrives:
//!
//! - small JSON documents are kept in memory (`manifest.json`, `index.json`, `oci-layout`,
//!   `repositories`, `<hex>.json` configs, and `blobs/<alg>/<hex>` members up to
//!   [`MAX_JSON`] whose content starts with `{`), up to [`MAX_KEPT`] bytes in all;
//! - symlinks and hard links between members are recorded (classic saves link duplicated
//!   `layer.tar`s) and resolved at the end, inside the archive;
//! - every member that may be a layer (`<id>/layer.tar`, `<hex>.tar`, any other blob) is
//!   handed to the reader while it streams past, with the digest its name implies. Nothing
//!   is written to disk and no layer is held whole.
//!
//! Which members are layers is known only at the end (classic `docker save` writes
//! `manifest.json` last); the image is then described from the kept documents by the same
//! code as for other archives ([`super::Archive::Memory`]). A stream that breaks inside a
//! member is this source's error (the archive is truncated or corrupt), not the layer's.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use flate2::read::MultiGzDecoder;

use super::archive::{
    image_top_level, is_hex, resolve_link, Archive, ArchiveError, MAX_MEMBERS, NO_DOCUMENTS,
};
use super::input::Shape;
use super::oci::MAX_JSON;
use super::rootfs::Rootfs;
use super::{
    digest_from_name, docker_archive, oci_layout, At, BlobId, EachBlob, Format, Image, Input,
    OpenOptions, Opened, SourceKind, StreamSource, Streamed,
};
use crate::error::Result;
use crate::progress::{progress_bar, Progress};
use crate::scan::stream::{BufSkip, Compression};
use crate::scan::tar::{Kind, TarReader};

/// The most bytes of JSON documents kept from one archive; documents past it are passed
/// over (and are an error only if the image needs them).
pub const MAX_KEPT: u64 = 64 * 1024 * 1024;
/// The most members that may be layers one archive may have: all are handed to the reader,
/// which keeps what it learns of each until the end (real images have tens; a
/// multi-platform one a few hundred).
pub const MAX_LAYER_BLOBS: usize = 10_000;
/// Size of the chunks the decompressing thread hands over.
const CHUNK: usize = 256 * 1024;
/// Chunks in flight between the decompressing and the walking thread.
const DEPTH: usize = 8;
/// Bytes of a blob looked at to tell a JSON document from a layer.
const HEAD: u64 = 512;
/// Header-only entries (`./`) read at most before the first name decides what the file is.
const SNIFF_ENTRIES: usize = 16;

/// The kind: a gzip- or zstd-compressed file whose first named entry is one an image
/// archive has at its top.
pub(super) const KIND: CompressedKind = CompressedKind;

/// Compressed image archives.
pub(super) struct CompressedKind;

impl SourceKind for CompressedKind {
    fn name(&self) -> &'static str {
        "compressed"
    }

    fn recognizes(&self, input: &Input) -> Result<bool> {
        Ok(match input.shape()? {
            Shape::File { compression, .. } if compression != Compression::None => {
                is_image_archive(input.path(), compression).map_err(|e| input.at().err(None, e))?
            }
            _ => false,
        })
    }

    fn open(&self, input: Input, opts: &OpenOptions) -> Result<Opened> {
        let Shape::File { len, compression } = input.shape()? else {
            return Err(input
                .at()
                .err(None, "is a directory, not a compressed archive"));
        };
        Ok(Opened::Stream(Box::new(CompressedArchive {
            source: input.name().to_string(),
            path: input.path().to_path_buf(),
            len,
            compression,
            opts: opts.clone(),
        })))
    }
}

/// A compressed image archive, opened: nothing is read until [`StreamSource::read`].
#[derive(Debug)]
pub struct CompressedArchive {
    source: String,
    path: PathBuf,
    len: u64,
    compression: Compression,
    opts: OpenOptions,
}

impl StreamSource for CompressedArchive {
    fn read(self: Box<Self>, each: &mut EachBlob<'_>) -> Result<Streamed> {
        let at = At {
            image: &self.source,
        };
        match read(&at, &self.path, self.compression, self.opts.progress, each)? {
            Outcome::Image(memory) => {
                let archive = Archive::Memory(Box::new(memory));
                let mut image = describe(&at, &archive, &self.opts)?;
                image.compression = Some(self.compression);
                Ok(Streamed::Image(Box::new(image)))
            }
            Outcome::Rootfs => Ok(Streamed::Instead(Opened::Random(Box::new(Rootfs::new(
                &self.source,
                Format::RootfsTar,
                self.path.clone(),
                self.len,
            ))))),
        }
    }
}

/// Describes the image in the documents a pass kept, as for the archive uncompressed:
/// a docker-save archive if it has `manifest.json`, else an OCI layout.
fn describe(at: &At, archive: &Archive, opts: &OpenOptions) -> Result<Image> {
    if archive.contains("manifest.json") {
        docker_archive::describe(at, archive, opts)
    } else if archive.contains("index.json") {
        oci_layout::describe(at, archive, opts)
    } else {
        Err(at.err(None, NO_DOCUMENTS))
    }
}

/// What became of a regular member.
#[derive(Debug)]
enum Member {
    /// A JSON document, kept.
    Kept(Vec<u8>),
    /// Possibly a layer: handed to the reader as it streamed past.
    Layer,
    /// Passed over, for the reason given.
    Passed(&'static str),
}

/// What one pass over a compressed archive kept.
#[derive(Debug)]
pub struct Memory {
    /// Regular members by name: size, and what became of them.
    members: BTreeMap<String, (u64, Member)>,
    /// Links by name, resolved to the regular member they stand for.
    links: BTreeMap<String, String>,
}

impl Memory {
    fn resolve(&self, name: &str) -> Option<(&str, &(u64, Member))> {
        let real = self.links.get(name).map_or(name, String::as_str);
        self.members
            .get_key_value(real)
            .map(|(k, v)| (k.as_str(), v))
    }

    /// Whether a member exists.
    pub fn contains(&self, name: &str) -> bool {
        self.resolve(name).is_some()
    }

    /// A kept document of at most `limit` bytes.
    pub fn read(&self, name: &str, limit: u64) -> Result<Vec<u8>, ArchiveError> {
        let (_, (size, member)) = self.resolve(name).ok_or(ArchiveError::Missing)?;
        if *size > limit {
            return Err(ArchiveError::TooLarge { size: *size, limit });
        }
        match member {
            Member::Kept(bytes) => Ok(bytes.clone()),
            Member::Layer => Err(ArchiveError::Invalid(
                "is not a JSON document (it was read as a layer)".into(),
            )),
            Member::Passed(why) => Err(ArchiveError::Invalid((*why).into())),
        }
    }

    /// The blob of a layer member (the regular member a link stands for), and its size.
    pub fn layer(&self, name: &str) -> Result<(BlobId, u64), ArchiveError> {
        let (real, (size, member)) = self.resolve(name).ok_or(ArchiveError::Missing)?;
        match member {
            Member::Layer => Ok((BlobId(real.to_string()), *size)),
            Member::Kept(_) => Err(ArchiveError::Invalid(
                "is a JSON document, not a layer".into(),
            )),
            Member::Passed(why) => Err(ArchiveError::Invalid((*why).into())),
        }
    }
}

/// What one pass found.
#[derive(Debug)]
enum Outcome {
    /// An image archive.
    Image(Memory),
    /// A name no image archive has: the file is a (compressed) root filesystem after all.
    Rootfs,
}

/// A decompressing reader over a compressed file.
fn decoder<'a, R: Read + 'a>(input: R, compression: Compression) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match compression {
        Compression::Gzip => Box::new(MultiGzDecoder::new(BufReader::with_capacity(CHUNK, input))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(
            BufReader::with_capacity(CHUNK, input),
        )?),
        Compression::None => Box::new(input),
    })
}

/// Whether a compressed file holds an image archive: its first named entry is one that an
/// image archive has at its top. A stream that is not a tar at all is left to be read as a
/// root filesystem (whose scan reports what is wrong); one whose decompression breaks
/// before its first entry is neither, and the error says so.
fn is_image_archive(path: &Path, compression: Compression) -> std::result::Result<bool, String> {
    let Ok(file) = File::open(path) else {
        return Ok(false);
    };
    let Ok(dec) = decoder(file, compression) else {
        return Ok(false);
    };
    let broke = std::rc::Rc::new(std::cell::RefCell::new(None));
    let watched = Watched {
        inner: dec,
        broke: std::rc::Rc::clone(&broke),
    };
    let mut tar = TarReader::new(BufSkip(BufReader::new(watched)));
    for _ in 0..SNIFF_ENTRIES {
        match tar.next_entry() {
            Ok(Some(h)) if h.path.is_empty() => continue,
            Ok(Some(h)) => {
                return Ok(image_top_level(
                    h.path.split('/').next().unwrap_or_default(),
                ))
            }
            Ok(None) => return Ok(false),
            Err(_) => {
                return match broke.borrow_mut().take() {
                    Some(e) => Err(format!(
                        "the {} stream breaks before its first entry: {e}",
                        compression.as_str()
                    )),
                    None => Ok(false),
                }
            }
        }
    }
    Ok(false)
}

/// A decompressor that remembers how it failed, to tell a broken stream from one that is
/// not a tar.
struct Watched<R> {
    inner: R,
    broke: std::rc::Rc<std::cell::RefCell<Option<String>>>,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            *self.broke.borrow_mut() = Some(e.to_string());
        })
    }
}

/// Decompresses `file` into chunks for the walking thread, until the end, an error (sent
/// on), or the walker hanging up. Chunks the walker is done with come back through `spare`
/// to be filled again.
fn inflate(
    file: File,
    compression: Compression,
    bar: Option<&indicatif::ProgressBar>,
    tx: &SyncSender<io::Result<Vec<u8>>>,
    spare: &Receiver<Vec<u8>>,
) {
    let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", compression.as_str()));
    let mut dec = match decoder(Progress { inner: file, bar }, compression) {
        Ok(d) => d,
        Err(e) => {
            let _ = tx.send(Err(named(e)));
            return;
        }
    };
    loop {
        let mut chunk = spare.try_recv().unwrap_or_default();
        chunk.resize(CHUNK, 0);
        let mut filled = 0;
        let mut failed = None;
        while filled < CHUNK {
            match dec.read(&mut chunk[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        let end = filled < CHUNK;
        chunk.truncate(filled);
        if filled > 0 && tx.send(Ok(chunk)).is_err() {
            return; // the walker is done
        }
        if let Some(e) = failed {
            let _ = tx.send(Err(named(e)));
            return;
        }
        if end {
            return;
        }
    }
}

/// The decompressed archive as the walking thread reads it.
struct Chunks {
    rx: Receiver<io::Result<Vec<u8>>>,
    /// Where read chunks go back to the decompressing thread.
    spare: SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
    ended: bool,
}

impl Chunks {
    /// Makes bytes available; `false` at the end of the stream.
    fn fill(&mut self) -> io::Result<bool> {
        while self.pos >= self.chunk.len() {
            if self.ended {
                return Ok(false);
            }
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    let used = std::mem::replace(&mut self.chunk, chunk);
                    let _ = self.spare.try_send(used);
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.ended = true;
                    return Err(e);
                }
                Err(_) => {
                    self.ended = true;
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = buf.len().min(available.len());
            buf[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Chunks {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if !self.fill()? {
            return Ok(&[]);
        }
        Ok(&self.chunk[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.chunk.len());
    }
}

/// The current member of the outer tar, as a reader that stops at its end and remembers
/// whether the outer stream broke under it (as opposed to the layer inside being bad).
struct MemberRead<'a> {
    tar: &'a mut TarReader<BufSkip<Chunks>>,
    broken: Option<String>,
}

impl Read for MemberRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = (buf.len() as u64).min(self.tar.content_left()) as usize;
        if want == 0 {
            return Ok(0);
        }
        match self.tar.input_mut().read(&mut buf[..want]) {
            Ok(0) => {
                let left = self.tar.content_left();
                let msg =
                    format!("truncated archive: it ends {left} bytes before this member does");
                self.broken = Some(msg.clone());
                Err(io::Error::new(io::ErrorKind::UnexpectedEof, msg))
            }
            Ok(n) => {
                self.tar.consumed(n as u64);
                Ok(n)
            }
            Err(e) => {
                self.broken = Some(format!("corrupt archive: {e}"));
                Err(e)
            }
        }
    }
}

/// What a member's name says it is.
enum Class {
    /// A JSON document by name.
    Json,
    /// A blob: JSON or a layer, as its content says.
    Blob,
    /// A layer by name.
    Layer,
    /// Something no image needs (`<id>/json`, `<id>/VERSION`).
    Other,
}

fn classify(name: &str) -> Class {
    if matches!(
        name,
        "manifest.json" | "index.json" | "oci-layout" | "repositories"
    ) || name.strip_suffix(".json").is_some_and(is_hex)
    {
        Class::Json
    } else if digest_from_name(name).is_some() {
        Class::Blob
    } else if name.strip_suffix(".tar").is_some_and(is_hex)
        || name
            .strip_suffix("/layer.tar")
            .is_some_and(|id| !id.contains('/'))
    {
        Class::Layer
    } else {
        Class::Other
    }
}

/// Whether the first bytes of a blob look like a JSON document.
fn looks_like_json(head: &[u8]) -> bool {
    head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Reads the compressed archive at `path` in one pass, handing each member that may be a
/// layer to `each`.
fn read(
    at: &At,
    path: &Path,
    compression: Compression,
    progress: bool,
    each: &mut EachBlob<'_>,
) -> Result<Outcome> {
    let file = File::open(path).map_err(|e| at.err(None, format!("cannot open: {e}")))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = progress.then(|| progress_bar(len, crate::progress::COMPRESSED_ARCHIVE));
    let outcome = std::thread::scope(|s| {
        let (tx, rx) = sync_channel(DEPTH);
        let (spare_tx, spare_rx) = sync_channel(DEPTH + 2);
        let bar = bar.as_ref();
        let inflating = std::thread::Builder::new()
            .name("archive-inflate".into())
            .spawn_scoped(s, move || inflate(file, compression, bar, &tx, &spare_rx))
            .map_err(|e| at.err(None, format!("cannot start a thread: {e}")))?;
        let chunks = Chunks {
            rx,
            spare: spare_tx,
            chunk: Vec::new(),
            pos: 0,
            ended: false,
        };
        // The walker owns the receiving end: when it returns, early or not, the
        // decompressing thread's next send fails and it stops. It is joined explicitly:
        // the scope's own wait does not wait for the thread's exit to finish.
        let outcome = walk(at, TarReader::new(BufSkip(chunks)), each);
        let _ = inflating.join();
        outcome
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    outcome
}

/// Walks the decompressed outer tar.
fn walk(at: &At, mut tar: TarReader<BufSkip<Chunks>>, each: &mut EachBlob<'_>) -> Result<Outcome> {
    let mut members: BTreeMap<String, (u64, Member)> = BTreeMap::new();
    let mut links: BTreeMap<String, (Kind, String)> = BTreeMap::new();
    let mut kept = 0u64;
    let mut count = 0usize;
    let mut layers = 0usize;
    let mut last: Option<String> = None;
    loop {
        let h = match tar.next_entry() {
            Ok(Some(h)) => h,
            Ok(None) => break,
            Err(e) => {
                // A malformed entry names itself; otherwise the stream broke after `last`.
                let file = e.entry().map(str::to_string).or(last);
                return Err(at.err(file.as_deref(), e.to_string()));
            }
        };
        if h.path.is_empty() {
            continue;
        }
        if !image_top_level(h.path.split('/').next().unwrap_or_default()) {
            return Ok(Outcome::Rootfs);
        }
        count += 1;
        if count > MAX_MEMBERS {
            return Err(at.err(None, format!("more than {MAX_MEMBERS} members")));
        }
        if members.contains_key(&h.path) || links.contains_key(&h.path) {
            return Err(at.err(Some(&h.path), "member appears more than once"));
        }
        last = Some(h.path.clone());
        let name = h.path;
        let member = match h.kind {
            Kind::Symlink | Kind::Hardlink => {
                links.insert(name, (h.kind, h.link.unwrap_or_default()));
                continue;
            }
            Kind::File => {
                let class = classify(&name);
                let head = match class {
                    Class::Blob => tar
                        .read_content(HEAD)
                        .map_err(|e| at.err(Some(&name), e.to_string()))?,
                    _ => Vec::new(),
                };
                let json = match class {
                    Class::Json => true,
                    Class::Blob => looks_like_json(&head),
                    _ => false,
                };
                if json {
                    if h.size > MAX_JSON {
                        Member::Passed("is a JSON document too large to keep")
                    } else if kept + h.size > MAX_KEPT {
                        Member::Passed(
                            "was not kept: the archive's JSON documents pass the 64 MiB total",
                        )
                    } else {
                        let mut bytes = head;
                        bytes.extend(
                            tar.read_content(MAX_JSON)
                                .map_err(|e| at.err(Some(&name), e.to_string()))?,
                        );
                        kept += bytes.len() as u64;
                        Member::Kept(bytes)
                    }
                } else if matches!(class, Class::Blob | Class::Layer) {
                    layers += 1;
                    if layers > MAX_LAYER_BLOBS {
                        return Err(at.err(
                            Some(&name),
                            format!("more than {MAX_LAYER_BLOBS} members that may be layers"),
                        ));
                    }
                    let digest = digest_from_name(&name);
                    let mut member = MemberRead {
                        tar: &mut tar,
                        broken: None,
                    };
                    each(
                        &BlobId(name.clone()),
                        digest.as_deref(),
                        &mut Cursor::new(head).chain(&mut member),
                    );
                    if let Some(broken) = member.broken {
                        return Err(at.err(Some(&name), broken));
                    }
                    Member::Layer
                } else {
                    Member::Passed("is not an image document or layer")
                }
            }
            _ => continue,
        };
        members.insert(name, (h.size, member));
    }
    // Read on to the end of the compressed stream, so that its checksum is checked too.
    tar.into_inner().drain().map_err(|e| {
        at.err(
            last.as_deref(),
            format!("corrupt archive after this member: {e}"),
        )
    })?;
    let regular: BTreeMap<String, String> =
        members.keys().map(|k| (k.clone(), k.clone())).collect();
    let mut resolved = BTreeMap::new();
    for name in links.keys() {
        if let Some(real) =
            resolve_link(name, &regular, &links).map_err(|e| at.err(Some(name), e.to_string()))?
        {
            resolved.insert(name.clone(), real);
        }
    }
    Ok(Outcome::Image(Memory {
        members,
        links: resolved,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_say_what_to_keep_and_what_to_hand_over() {
        let hex = "a".repeat(64);
        assert!(matches!(classify("manifest.json"), Class::Json));
        assert!(matches!(classify(&format!("{hex}.json")), Class::Json));
        assert!(matches!(
            classify(&format!("blobs/sha256/{hex}")),
            Class::Blob
        ));
        assert!(matches!(classify(&format!("{hex}.tar")), Class::Layer));
        assert!(matches!(
            classify(&format!("{hex}/layer.tar")),
            Class::Layer
        ));
        assert!(matches!(classify(&format!("{hex}/json")), Class::Other));
        assert!(matches!(classify("blobs/sha256/xyz"), Class::Other));
        assert!(looks_like_json(b" \n{\"a\":1}"));
        assert!(!looks_like_json(b"\x1f\x8b"));
    }
}
