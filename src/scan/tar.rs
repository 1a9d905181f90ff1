//! A streaming tar reader written for hostile archives.
//!
//! It reads the formats that image layers use in practice (POSIX ustar, GNU long names and
//! links, PAX extended headers, base-256 sizes) one header at a time, hands out entries
//! whose names are already normalized to image-root-relative paths, and never buffers an
//! entry's content unless asked to. Content that nobody wants is skipped through
//! [`Skip::skip`], which seeks when the input is seekable and reads otherwise (so that a
//! digest over the stream still sees every byte).
//!
//! Everything the archive declares is bounded before it is used: name lengths, PAX header
//! sizes, entry sizes. A name that leaves the image root (`..`, an absolute path) or is not
//! UTF-8 is an error, because a scanner and a container runtime that disagree about which
//! file a name means are a way to hide content.

use std::io::{self, Read};
use std::sync::Arc;

/// The size of a tar block.
const BLOCK: u64 = 512;
/// The longest name or link target accepted (GNU long name, PAX path).
const MAX_NAME: u64 = 64 * 1024;
/// The longest entry name accepted, PAX and GNU long names included: Linux's `PATH_MAX`. No
/// file system holds a longer path, and work on a path grows with its depth.
const MAX_PATH: usize = 4096;
/// The largest PAX extended header accepted.
const MAX_PAX: u64 = 1024 * 1024;
/// The largest entry size accepted (1 TiB): anything above is corrupt or malicious.
pub const MAX_ENTRY_SIZE: u64 = 1 << 40;

/// An input that can pass over `n` bytes.
pub trait Skip: Read {
    /// Pass over exactly `n` bytes; fails with `UnexpectedEof` if fewer remain.
    fn skip(&mut self, n: u64) -> io::Result<()>;
}

/// Reads and discards `n` bytes from `r`, failing if the input ends first.
pub fn skip_by_reading<R: Read + ?Sized>(r: &mut R, n: u64) -> io::Result<()> {
    let copied = io::copy(&mut r.take(n), &mut io::sink())?;
    if copied < n {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("archive ends {} bytes early", n - copied),
        ));
    }
    Ok(())
}

/// What kind of filesystem object an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link; the target is kept raw.
    Symlink,
    /// A hard link to an earlier entry of the same archive.
    Hardlink,
    /// A character device.
    Char,
    /// A block device.
    Block,
    /// A named pipe.
    Fifo,
}

/// One entry as the archive declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The normalized path: relative to the root, no `.` or empty components, no trailing `/`.
    /// Empty for the root directory itself.
    pub path: String,
    /// What the entry is.
    pub kind: Kind,
    /// The bytes of content that follow the header.
    pub size: u64,
    /// The permission bits and set-id bits.
    pub mode: u32,
    /// A symlink's raw target, or a hard link's normalized target path.
    pub link: Option<String>,
}

/// Why an archive could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TarError {
    /// Reading the underlying stream failed (including decompression errors).
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The archive ends inside a header or an entry.
    #[error("truncated archive: {0}")]
    Truncated(String),
    /// A header is malformed.
    #[error("{0}")]
    Header(String),
    /// An entry is malformed or unsafe; the entry name (as far as known) is kept.
    #[error("{message}")]
    Entry {
        /// The entry's name as written in the archive (lossy).
        name: String,
        /// What is wrong with it.
        message: String,
    },
}

impl TarError {
    /// The entry the error is about, if any.
    pub fn entry(&self) -> Option<&str> {
        match self {
            TarError::Entry { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// Refuses `what` of the entry `name` (its name or link target, `bytes`) when it is longer
/// than [`MAX_PATH`].
fn within_path_max(name: &[u8], bytes: &[u8], what: &str) -> Result<(), TarError> {
    if bytes.len() > MAX_PATH {
        return Err(entry_err(
            name,
            format!(
                "{what} of {} bytes, longer than any file system holds ({MAX_PATH})",
                bytes.len()
            ),
        ));
    }
    Ok(())
}

fn entry_err(name: &[u8], message: impl Into<String>) -> TarError {
    TarError::Entry {
        name: shown(name),
        message: message.into(),
    }
}

/// The most bytes of an entry name an error shows.
const SHOWN_NAME: usize = 256;

/// An entry name for an error: at most [`SHOWN_NAME`] bytes of it, then how long it was.
fn shown(name: &[u8]) -> String {
    if name.len() <= SHOWN_NAME {
        return String::from_utf8_lossy(name).into_owned();
    }
    format!(
        "{}… ({} bytes)",
        String::from_utf8_lossy(&name[..SHOWN_NAME]),
        name.len()
    )
}

/// Maps an unexpected end of input to [`TarError::Truncated`].
fn eof_as_truncated(e: io::Error, what: &str) -> TarError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        TarError::Truncated(format!("{what}: {e}"))
    } else {
        TarError::Io(e)
    }
}

/// A pull reader of tar entries.
pub struct TarReader<R> {
    input: R,
    /// Content bytes of the current entry not yet consumed, plus its padding.
    pending: u64,
    /// Bytes of the current entry's content still readable through [`TarReader::read_content`].
    content_left: u64,
    /// Offset in the input of the next byte to read (headers, content and padding counted).
    pos: u64,
    done: bool,
}

impl<R: Skip> TarReader<R> {
    /// A reader over `input`, positioned at the first header.
    pub fn new(input: R) -> Self {
        TarReader {
            input,
            pending: 0,
            content_left: 0,
            pos: 0,
            done: false,
        }
    }

    /// The offset in the input where the current entry's content starts, or the next header.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Gives back the input, e.g. to drain it after the end-of-archive marker.
    pub fn into_inner(self) -> R {
        self.input
    }

    fn skip_pending(&mut self) -> Result<(), TarError> {
        if self.pending > 0 {
            let n = self.pending;
            self.input
                .skip(n)
                .map_err(|e| eof_as_truncated(e, "entry content"))?;
            self.pos += n;
            self.pending = 0;
            self.content_left = 0;
        }
        Ok(())
    }

    /// Reads one block; `Ok(None)` at a clean end of input.
    fn read_block(&mut self, block: &mut [u8; 512]) -> Result<bool, TarError> {
        let mut filled = 0;
        while filled < block.len() {
            match self.input.read(&mut block[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(TarError::Io(e)),
            }
        }
        self.pos += filled as u64;
        match filled {
            0 => Ok(false),
            512 => Ok(true),
            n => Err(TarError::Truncated(format!(
                "header block has {n} of 512 bytes"
            ))),
        }
    }

    /// Reads the content of a metadata entry (long name, PAX) whose size is bounded.
    fn read_meta(
        &mut self,
        size: u64,
        limit: u64,
        what: &str,
        name: &[u8],
    ) -> Result<Vec<u8>, TarError> {
        if size > limit {
            return Err(entry_err(
                name,
                format!("{what} of {size} bytes exceeds the {limit}-byte limit"),
            ));
        }
        let mut buf = vec![0u8; size as usize];
        self.input
            .read_exact(&mut buf)
            .map_err(|e| eof_as_truncated(e, what))?;
        let pad = padding(size);
        self.input
            .skip(pad)
            .map_err(|e| eof_as_truncated(e, what))?;
        self.pos += size + pad;
        Ok(buf)
    }

    /// The next entry, or `None` after the end-of-archive marker (or a clean end of input).
    ///
    /// Content of the previous entry that was not read is skipped first. Metadata entries
    /// (PAX, GNU long names, global headers) are consumed and applied, never returned.
    pub fn next_entry(&mut self) -> Result<Option<Header>, TarError> {
        if self.done {
            return Ok(None);
        }
        self.skip_pending()?;
        let mut long_name: Option<Vec<u8>> = None;
        let mut long_link: Option<Vec<u8>> = None;
        let mut pax_path: Option<Vec<u8>> = None;
        let mut pax_link: Option<Vec<u8>> = None;
        let mut pax_size: Option<u64> = None;
        let mut block = [0u8; 512];
        loop {
            if !self.read_block(&mut block)? {
                // End of input without the zero blocks: accepted (some writers omit them).
                self.done = true;
                return Ok(None);
            }
            if block.iter().all(|&b| b == 0) {
                self.done = true;
                return Ok(None);
            }
            verify_checksum(&block)?;
            let typeflag = block[156];
            let raw_name = header_name(&block);
            let size = parse_number(&block[124..136])
                .ok_or_else(|| entry_err(&raw_name, "invalid size field"))?;
            if size > MAX_ENTRY_SIZE {
                return Err(entry_err(
                    &raw_name,
                    format!("declares an absurd size of {size} bytes"),
                ));
            }
            match typeflag {
                b'L' => {
                    long_name = Some(trim_nul(self.read_meta(
                        size,
                        MAX_NAME,
                        "GNU long name",
                        &raw_name,
                    )?));
                    continue;
                }
                b'K' => {
                    long_link = Some(trim_nul(self.read_meta(
                        size,
                        MAX_NAME,
                        "GNU long link",
                        &raw_name,
                    )?));
                    continue;
                }
                b'x' | b'X' => {
                    let data = self.read_meta(size, MAX_PAX, "PAX header", &raw_name)?;
                    let records =
                        parse_pax(&data).map_err(|e| entry_err(&raw_name, e.to_string()))?;
                    for (key, value) in records {
                        match key {
                            b"path" => pax_path = Some(value.to_vec()),
                            b"linkpath" => pax_link = Some(value.to_vec()),
                            b"size" => {
                                let s = std::str::from_utf8(value)
                                    .ok()
                                    .and_then(|s| s.parse::<u64>().ok())
                                    .filter(|&s| s <= MAX_ENTRY_SIZE)
                                    .ok_or_else(|| entry_err(&raw_name, "invalid PAX size"))?;
                                pax_size = Some(s);
                            }
                            _ => {}
                        }
                    }
                    continue;
                }
                b'g' => {
                    // Global PAX headers carry defaults (comments, times) that do not change
                    // which file a later entry names; they are read and set aside.
                    self.read_meta(size, MAX_PAX, "PAX global header", &raw_name)?;
                    continue;
                }
                _ => {}
            }
            let name = pax_path.or(long_name).unwrap_or(raw_name);
            within_path_max(&name, &name, "name")?;
            let size = pax_size.unwrap_or(size);
            let kind = match typeflag {
                b'0' | 0 | b'7' | b'S' => Kind::File,
                b'1' => Kind::Hardlink,
                b'2' => Kind::Symlink,
                b'3' => Kind::Char,
                b'4' => Kind::Block,
                b'5' => Kind::Dir,
                b'6' => Kind::Fifo,
                other => {
                    return Err(entry_err(
                        &name,
                        format!("unknown entry type {:?}", other as char),
                    ))
                }
            };
            // Old tars mark directories by a trailing slash on a regular-file entry.
            let kind = if kind == Kind::File && name.ends_with(b"/") {
                Kind::Dir
            } else {
                kind
            };
            let path = normalize(&name)?;
            let link =
                match kind {
                    Kind::Symlink | Kind::Hardlink => {
                        let raw = pax_link
                            .or(long_link)
                            .unwrap_or_else(|| trim_nul(block[157..257].to_vec()));
                        if raw.is_empty() {
                            return Err(entry_err(&name, "link without a target"));
                        }
                        within_path_max(&name, &raw, "link target")?;
                        if kind == Kind::Hardlink {
                            let target = normalize(&raw)?;
                            if target.is_empty() {
                                return Err(entry_err(&name, "hard link to the root directory"));
                            }
                            Some(target)
                        } else {
                            Some(String::from_utf8(raw).map_err(|_| {
                                entry_err(&name, "symlink target is not valid UTF-8")
                            })?)
                        }
                    }
                    _ => None,
                };
            // Only regular files carry content; other kinds may declare a size that tar
            // tools still write out, so it is skipped the same way.
            let mode = parse_number(&block[100..108]).unwrap_or(0) as u32 & 0o7777;
            self.pending = size + padding(size);
            self.content_left = if kind == Kind::File { size } else { 0 };
            return Ok(Some(Header {
                path,
                kind,
                size: if kind == Kind::File { size } else { 0 },
                mode,
                link,
            }));
        }
    }

    /// Reads up to `max` bytes of the current entry's content into a new buffer. The buffer
    /// grows with the bytes that really arrive, so a lying size field cannot make it large.
    pub fn read_content(&mut self, max: u64) -> Result<Vec<u8>, TarError> {
        let want = self.content_left.min(max);
        let mut buf = Vec::with_capacity(want.min(1 << 20) as usize);
        let got = (&mut self.input)
            .take(want)
            .read_to_end(&mut buf)
            .map_err(|e| eof_as_truncated(e, "entry content"))? as u64;
        self.content_read(got, want)?;
        Ok(buf)
    }

    /// Accounts for `got` bytes of content read when `want` were due: short is truncation.
    fn content_read(&mut self, got: u64, want: u64) -> Result<(), TarError> {
        if got < want {
            return Err(TarError::Truncated(format!(
                "entry content ends after {got} of {want} bytes"
            )));
        }
        self.pos += got;
        self.pending -= got;
        self.content_left -= got;
        Ok(())
    }

    /// Like [`TarReader::read_content`], into one shared buffer of exactly the size due: a
    /// captured file is allocated once, not grown and then copied (which took three times
    /// its size at the peak). The size is the header's, so the caller bounds `max` (capture
    /// limits and the image's budget, drawn on before the read).
    pub fn read_content_shared(&mut self, max: u64) -> Result<Arc<Vec<u8>>, TarError> {
        let want = self.content_left.min(max);
        let len = usize::try_from(want)
            .map_err(|_| TarError::Truncated(format!("entry content of {want} bytes")))?;
        // Reserved fallibly: a buffer the allocator cannot give is an error of the entry,
        // not an abort of the process.
        let mut buf = Vec::new();
        buf.try_reserve_exact(len).map_err(|_| {
            TarError::Io(io::Error::new(
                io::ErrorKind::OutOfMemory,
                format!("cannot reserve {len} bytes for the entry's content"),
            ))
        })?;
        buf.resize(len, 0);
        let mut got = 0usize;
        while got < len {
            match self.input.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(eof_as_truncated(e, "entry content")),
            }
        }
        self.content_read(got as u64, want)?;
        Ok(Arc::new(buf))
    }

    /// The input, for reading the current entry's remaining content directly. The caller must
    /// report how much it consumed with [`TarReader::consumed`].
    pub fn input_mut(&mut self) -> &mut R {
        &mut self.input
    }

    /// The content bytes of the current entry not yet read.
    pub fn content_left(&self) -> u64 {
        self.content_left
    }

    /// Records that `n` content bytes were read directly from [`TarReader::input_mut`].
    pub fn consumed(&mut self, n: u64) {
        let n = n.min(self.content_left);
        self.pos += n;
        self.pending -= n;
        self.content_left -= n;
    }
}

/// Zero bytes that pad `size` bytes of content to a whole block.
fn padding(size: u64) -> u64 {
    (BLOCK - size % BLOCK) % BLOCK
}

fn trim_nul(mut v: Vec<u8>) -> Vec<u8> {
    if let Some(p) = v.iter().position(|&b| b == 0) {
        v.truncate(p);
    }
    v
}

fn field(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(p) => &bytes[..p],
        None => bytes,
    }
}

/// The name of a header block, joined with the ustar prefix where the format has one.
fn header_name(block: &[u8; 512]) -> Vec<u8> {
    let name = field(&block[0..100]);
    // POSIX ustar ("ustar\0") has a 155-byte prefix; GNU ("ustar  ") keeps times there.
    if &block[257..263] == b"ustar\0" {
        let prefix = field(&block[345..500]);
        if !prefix.is_empty() {
            let mut full = prefix.to_vec();
            full.push(b'/');
            full.extend_from_slice(name);
            return full;
        }
    }
    name.to_vec()
}

fn verify_checksum(block: &[u8; 512]) -> Result<(), TarError> {
    let stored = parse_number(&block[148..156])
        .ok_or_else(|| TarError::Header("not a tar header (invalid checksum field)".into()))?;
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    if stored == unsigned || stored as i64 == signed {
        Ok(())
    } else {
        Err(TarError::Header(format!(
            "not a tar header (checksum {stored} does not match {unsigned})"
        )))
    }
}

/// Parses an octal number field, or a GNU base-256 one (high bit of the first byte set).
fn parse_number(bytes: &[u8]) -> Option<u64> {
    if let Some(&first) = bytes.first() {
        if first & 0x80 != 0 {
            if first & 0x40 != 0 {
                return None; // negative
            }
            let mut v: u64 = u64::from(first & 0x3f);
            for &b in &bytes[1..] {
                v = v.checked_mul(256)?.checked_add(u64::from(b))?;
            }
            return Some(v);
        }
    }
    let s = field(bytes);
    let s = s
        .iter()
        .skip_while(|&&b| b == b' ')
        .take_while(|&&b| b != b' ')
        .copied()
        .collect::<Vec<u8>>();
    if s.is_empty() {
        return Some(0);
    }
    let mut v: u64 = 0;
    for b in s {
        if !(b'0'..=b'7').contains(&b) {
            return None;
        }
        v = v.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(v)
}

/// Splits PAX records (`LEN key=value\n`).
/// One PAX record: key and value.
type PaxRecord<'a> = (&'a [u8], &'a [u8]);

/// Why a PAX extended header cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum PaxError {
    /// A record has no space after its length.
    #[error("malformed PAX record (no length)")]
    NoLength,
    /// A record's length is not a decimal number.
    #[error("malformed PAX record length")]
    BadLength,
    /// A record's length is shorter than its length field or longer than the header.
    #[error("PAX record length out of range")]
    LengthOutOfRange,
    /// A record does not end with a newline.
    #[error("PAX record without newline")]
    NoNewline,
    /// A record has no `=` between key and value.
    #[error("PAX record without '='")]
    NoEquals,
}

fn parse_pax(mut data: &[u8]) -> Result<Vec<PaxRecord<'_>>, PaxError> {
    let mut out = Vec::new();
    while !data.is_empty() {
        if data.iter().all(|&b| b == 0) {
            break;
        }
        let space = data
            .iter()
            .position(|&b| b == b' ')
            .ok_or(PaxError::NoLength)?;
        let len: usize = std::str::from_utf8(&data[..space])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or(PaxError::BadLength)?;
        if len <= space + 1 || len > data.len() {
            return Err(PaxError::LengthOutOfRange);
        }
        let record = &data[space + 1..len];
        let record = record.strip_suffix(b"\n").ok_or(PaxError::NoNewline)?;
        let eq = record
            .iter()
            .position(|&b| b == b'=')
            .ok_or(PaxError::NoEquals)?;
        out.push((&record[..eq], &record[eq + 1..]));
        data = &data[len..];
    }
    Ok(out)
}

/// Turns an archive name into a root-relative path, refusing anything that leaves the root.
pub fn normalize(name: &[u8]) -> Result<String, TarError> {
    let s = std::str::from_utf8(name).map_err(|_| entry_err(name, "name is not valid UTF-8"))?;
    if s.starts_with('/') {
        return Err(entry_err(name, "absolute path leaves the image root"));
    }
    let mut out = String::with_capacity(s.len());
    for comp in s.split('/') {
        match comp {
            "" | "." => {}
            ".." => return Err(entry_err(name, "'..' leaves the image root")),
            c => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(c);
            }
        }
    }
    Ok(out)
}

/// Small ustar writers for unit tests across the crate.
#[cfg(test)]
pub(crate) mod build {
    use super::padding;

    /// Builds a ustar header block.
    pub fn header(name: &str, typeflag: u8, size: u64, link: &str) -> [u8; 512] {
        let mut b = [0u8; 512];
        b[..name.len()].copy_from_slice(name.as_bytes());
        b[100..107].copy_from_slice(b"0000644");
        b[108..115].copy_from_slice(b"0000000");
        b[116..123].copy_from_slice(b"0000000");
        let s = format!("{size:011o}");
        b[124..135].copy_from_slice(s.as_bytes());
        b[136..147].copy_from_slice(b"00000000000");
        b[156] = typeflag;
        b[157..157 + link.len()].copy_from_slice(link.as_bytes());
        b[257..263].copy_from_slice(b"ustar\0");
        b[263..265].copy_from_slice(b"00");
        b[148..156].copy_from_slice(b"        ");
        let sum: u64 = b.iter().map(|&x| u64::from(x)).sum();
        let c = format!("{sum:06o}\0 ");
        b[148..156].copy_from_slice(c.as_bytes());
        b
    }

    pub fn entry(out: &mut Vec<u8>, name: &str, typeflag: u8, content: &[u8], link: &str) {
        out.extend_from_slice(&header(name, typeflag, content.len() as u64, link));
        out.extend_from_slice(content);
        out.resize(out.len() + padding(content.len() as u64) as usize, 0);
    }

    pub fn finish(mut out: Vec<u8>) -> Vec<u8> {
        out.resize(out.len() + 1024, 0);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::build::{entry, finish, header};
    use super::*;
    use std::io::{BufReader, Cursor};

    impl<T: AsRef<[u8]>> Skip for Cursor<T> {
        fn skip(&mut self, n: u64) -> io::Result<()> {
            skip_by_reading(self, n)
        }
    }
    impl Skip for BufReader<&[u8]> {
        fn skip(&mut self, n: u64) -> io::Result<()> {
            skip_by_reading(self, n)
        }
    }

    fn all(data: &[u8]) -> Result<Vec<Header>, TarError> {
        let mut r = TarReader::new(Cursor::new(data));
        let mut v = Vec::new();
        while let Some(h) = r.next_entry()? {
            v.push(h);
        }
        Ok(v)
    }

    #[test]
    fn reads_files_dirs_and_links() {
        let mut t = Vec::new();
        entry(&mut t, "./etc/", b'5', b"", "");
        entry(&mut t, "./etc/hostname", b'0', b"box\n", "");
        entry(&mut t, "usr/bin/a", b'0', b"x", "");
        entry(&mut t, "usr/bin/b", b'1', b"", "./usr/bin/a");
        entry(&mut t, "lib", b'2', b"", "usr/lib");
        let v = all(&finish(t)).unwrap();
        assert_eq!(v.len(), 5);
        assert_eq!(v[0].path, "etc");
        assert_eq!(v[0].kind, Kind::Dir);
        assert_eq!(v[1].path, "etc/hostname");
        assert_eq!(v[1].size, 4);
        assert_eq!(v[3].kind, Kind::Hardlink);
        assert_eq!(v[3].link.as_deref(), Some("usr/bin/a"));
        assert_eq!(v[4].link.as_deref(), Some("usr/lib"));
    }

    #[test]
    fn reads_content_on_request_and_skips_otherwise() {
        let mut t = Vec::new();
        entry(&mut t, "a", b'0', &[7u8; 700], "");
        entry(&mut t, "b", b'0', b"hello", "");
        let data = finish(t);
        let mut r = TarReader::new(Cursor::new(&data[..]));
        assert_eq!(r.next_entry().unwrap().unwrap().path, "a");
        let h = r.next_entry().unwrap().unwrap();
        assert_eq!(h.path, "b");
        assert_eq!(r.read_content(100).unwrap(), b"hello");
        assert!(r.next_entry().unwrap().is_none());
    }

    #[test]
    fn capped_read_returns_a_prefix() {
        let mut t = Vec::new();
        entry(&mut t, "a", b'0', b"0123456789", "");
        let data = finish(t);
        let mut r = TarReader::new(Cursor::new(&data[..]));
        r.next_entry().unwrap();
        assert_eq!(r.read_content(4).unwrap(), b"0123");
        assert!(r.next_entry().unwrap().is_none());
    }

    #[test]
    fn gnu_long_names_and_pax_paths_apply_to_the_next_entry() {
        let long = format!("usr/share/{}/file", "x".repeat(150));
        let mut t = Vec::new();
        entry(
            &mut t,
            "././@LongLink",
            b'L',
            format!("{long}\0").as_bytes(),
            "",
        );
        entry(&mut t, "truncated", b'0', b"1", "");
        let record = "path=opt/ünïcode/name.txt\n";
        let pax = format!("{} {record}", record.len() + 3);
        entry(&mut t, "PaxHeaders/x", b'x', pax.as_bytes(), "");
        entry(&mut t, "short", b'0', b"2", "");
        let v = all(&finish(t)).unwrap();
        assert_eq!(v[0].path, long);
        assert_eq!(v[1].path, "opt/ünïcode/name.txt");
    }

    #[test]
    fn ustar_prefix_is_joined() {
        let mut b = header("name.txt", b'0', 0, "");
        b[345..348].copy_from_slice(b"a/b");
        b[148..156].copy_from_slice(b"        ");
        let sum: u64 = b.iter().map(|&x| u64::from(x)).sum();
        b[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let v = all(&finish(b.to_vec())).unwrap();
        assert_eq!(v[0].path, "a/b/name.txt");
    }

    #[test]
    fn base256_size_is_understood() {
        let mut b = [0u8; 12];
        b[0] = 0x80;
        b[11] = 5;
        assert_eq!(parse_number(&b), Some(5));
    }

    #[test]
    fn parent_components_are_refused() {
        let mut t = Vec::new();
        entry(&mut t, "etc/../../evil", b'0', b"", "");
        let e = all(&finish(t)).unwrap_err();
        assert!(e.to_string().contains("leaves the image root"), "{e}");
        assert_eq!(e.entry(), Some("etc/../../evil"));
    }

    #[test]
    fn absolute_names_are_refused() {
        let mut t = Vec::new();
        entry(&mut t, "/etc/passwd", b'0', b"", "");
        assert!(all(&finish(t))
            .unwrap_err()
            .to_string()
            .contains("absolute"));
    }

    #[test]
    fn hardlink_targets_are_checked_too() {
        let mut t = Vec::new();
        entry(&mut t, "a", b'1', b"", "../../etc/shadow");
        assert!(all(&finish(t)).is_err());
    }

    #[test]
    fn non_utf8_names_are_refused() {
        let mut t = Vec::new();
        entry(&mut t, "caf\u{e9}", b'0', b"", "");
        // Replace the UTF-8 é (2 bytes) by a Latin-1 byte and fix the checksum.
        let mut b: [u8; 512] = t[..512].try_into().unwrap();
        b[3] = 0xe9;
        b[4] = 0;
        b[148..156].copy_from_slice(b"        ");
        let sum: u64 = b.iter().map(|&x| u64::from(x)).sum();
        b[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let e = all(&finish(b.to_vec())).unwrap_err();
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }

    #[test]
    fn truncated_content_is_an_error() {
        let mut t = Vec::new();
        entry(&mut t, "a", b'0', &[1u8; 2000], "");
        t.truncate(1200);
        let e = all(&t).unwrap_err();
        assert!(matches!(e, TarError::Truncated(_)), "{e}");
    }

    #[test]
    fn truncated_header_is_an_error() {
        let mut t = Vec::new();
        entry(&mut t, "a", b'0', b"x", "");
        t.extend_from_slice(&[1u8; 100]);
        assert!(matches!(all(&t).unwrap_err(), TarError::Truncated(_)));
    }

    #[test]
    fn garbage_is_not_a_header() {
        let data = vec![0x41u8; 1024];
        assert!(matches!(all(&data).unwrap_err(), TarError::Header(_)));
    }

    #[test]
    fn absurd_sizes_are_refused_before_allocating() {
        let mut b = header("big", b'0', 0, "");
        b[124] = 0x80;
        b[125..136].copy_from_slice(&[0xff; 11]);
        b[148..156].copy_from_slice(b"        ");
        let sum: u64 = b.iter().map(|&x| u64::from(x)).sum();
        b[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let e = all(&finish(b.to_vec())).unwrap_err();
        assert!(e.to_string().contains("size"), "{e}");
    }

    #[test]
    fn a_name_longer_than_path_max_is_refused_and_shown_short() {
        let record = format!("path={}/LICENSE\n", "d/".repeat(MAX_PATH));
        let digits = (record.len() + 8).to_string().len();
        let pax = format!("{} {record}", record.len() + digits + 1);
        let mut t = Vec::new();
        entry(&mut t, "PaxHeaders/x", b'x', pax.as_bytes(), "");
        entry(&mut t, "short", b'0', b"2", "");
        let e = all(&finish(t)).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("longer than any file system holds"), "{msg}");
        let name = e.entry().unwrap();
        assert!(name.len() < 400 && name.ends_with("bytes)"), "{name}");
    }

    #[test]
    fn huge_pax_header_is_refused() {
        let mut t = Vec::new();
        t.extend_from_slice(&header("pax", b'x', MAX_PAX + 1, ""));
        let e = all(&t).unwrap_err();
        assert!(e.to_string().contains("limit"), "{e}");
    }

    #[test]
    fn malformed_pax_records_say_what_is_wrong() {
        assert_eq!(parse_pax(b"6 a=b\n"), Ok(vec![(&b"a"[..], &b"b"[..])]));
        assert_eq!(parse_pax(b"x a=b\n"), Err(PaxError::BadLength));
        assert_eq!(parse_pax(b"9 a=b\n"), Err(PaxError::LengthOutOfRange));
        let mut t = Vec::new();
        entry(&mut t, "PaxHeaders/x", b'x', b"6 ab\n\n", "");
        entry(&mut t, "x", b'0', b"x", "");
        let e = all(&finish(t)).unwrap_err();
        assert_eq!(e.to_string(), "PAX record without '='");
        assert_eq!(e.entry(), Some("PaxHeaders/x"));
    }

    #[test]
    fn missing_end_marker_is_a_clean_end() {
        let mut t = Vec::new();
        entry(&mut t, "a", b'0', b"x", "");
        assert_eq!(all(&t).unwrap().len(), 1);
    }

    #[test]
    fn buffered_input_works_the_same() {
        let mut t = Vec::new();
        entry(&mut t, "a", b'0', &[9u8; 3000], "");
        entry(&mut t, "b", b'0', b"z", "");
        let data = finish(t);
        let mut r = TarReader::new(BufReader::with_capacity(100, &data[..]));
        r.next_entry().unwrap();
        let h = r.next_entry().unwrap().unwrap();
        assert_eq!(h.path, "b");
        assert_eq!(r.read_content(10).unwrap(), b"z");
    }
}
