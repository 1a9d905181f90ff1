//! The layer scan: read each layer exactly once, streaming, and index it.
//!
//! A layer blob is opened, its compression recognized by its first bytes (gzip, zstd or a
//! plain tar, whatever the media type claims), its digests computed while the bytes go by,
//! and its tar entries walked. Nothing is written to disk. The scan yields a [`LayerScan`]:
//! every entry's path, kind, size, mode and link target; the whiteouts and opaque
//! directories it carries; and the content of the few files that [`CaptureRules`] asked
//! for. Uncompressed layers whose digest need not be checked are walked by seeking past
//! file contents, so only headers and captured files are read.
//!
//! Binaries and archives are never captured whole. An [`Inspector`] registered with the
//! capture rules is offered each regular file it [`Inspector::wants`] by name and mode; the
//! scan reads the entry's first four bytes and lets the inspector read on (or skip ahead)
//! through an [`EntryRead`] until it has its answer. Only its small result is kept, in
//! [`LayerScan::inspected`], as an [`Inspection`] the scan does not look into: whoever
//! registered the inspector knows what it holds.

pub mod capture;
pub mod stream;
pub mod tar;
pub mod tree;

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read};
use std::sync::Arc;

use capture::MAX_CAPTURE_PER_LAYER;
pub use capture::{CaptureObserver, CaptureRules, ImageBudget};
pub use stream::Compression;
use tar::{Kind, Skip, TarError, TarReader};

use crate::model::{Finding, FindingKind};

/// The whiteout prefix of the OCI layer format.
const WHITEOUT: &str = ".wh.";
/// The opaque-directory marker of the OCI layer format.
const OPAQUE: &str = ".wh..wh..opq";
/// The prefix of aufs metadata names, which are not part of the filesystem.
const AUFS_META: &str = ".wh..wh.";
const AUFS_META_INNER: &str = "/.wh..wh.";

/// One indexed entry of a layer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileEntry {
    /// Root-relative path without a leading `/`.
    pub path: String,
    /// What the entry is.
    pub kind: Kind,
    /// Content size for regular files, 0 otherwise.
    pub size: u64,
    /// Permission and set-id bits.
    pub mode: u32,
    /// Symlink target (raw) or hard-link target (root-relative path).
    pub link: Option<String>,
}

/// Captured content of a file that a later stage asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// The whole file.
    Data(Arc<Vec<u8>>),
    /// The file was larger than the rule's cap (or the layer's capture budget was spent).
    TooLarge {
        /// The file's size.
        size: u64,
        /// The cap it exceeded.
        limit: u64,
    },
}

/// What a layer scan found.
#[derive(Debug, Clone, Default)]
pub struct LayerScan {
    /// Every entry except whiteouts, in archive order.
    pub files: Vec<FileEntry>,
    /// Paths this layer deletes from the layers below (`.wh.NAME`).
    pub whiteouts: Vec<String>,
    /// Directories whose lower-layer contents this layer hides (`.wh..wh..opq`); `""` is the root.
    pub opaque_dirs: Vec<String>,
    /// Content of the captured files, by path.
    pub captured: BTreeMap<String, Content>,
    /// What inspectors kept of the binaries and archives they read, by path.
    pub inspected: BTreeMap<String, Inspection>,
    /// The compression the blob turned out to use.
    pub compression: Compression,
    /// `sha256:` digest of the blob as stored, when it was computed.
    pub blob_digest: Option<String>,
    /// `sha256:` digest of the uncompressed tar (the diff_id), when it was computed.
    pub diff_id: Option<String>,
    /// Bytes of the blob as stored.
    pub blob_size: u64,
    /// Bytes of the uncompressed tar, when it was read to the end.
    pub tar_size: Option<u64>,
    /// `sha256:` digest and size of the uncompressed tar when [`Expect::identify`] asked
    /// for them: the diff_id a layer cache may file the scan under (apart from `diff_id` and
    /// `tar_size`, which are what the report shows and the checks compare).
    pub identified: Option<(String, u64)>,
    /// Things worth telling that do not stop the scan.
    pub findings: Vec<Finding>,
}

/// Why a layer could not be scanned. The caller adds the image, the blob and the layer.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The archive is damaged or unsafe.
    #[error(transparent)]
    Tar(#[from] TarError),
    /// The blob's bytes do not hash to what the manifest or config says.
    #[error("{what} mismatch: expected {expected}, got {actual}")]
    Digest {
        /// Which digest (`blob digest` or `diff_id`).
        what: &'static str,
        /// The digest the image declares.
        expected: String,
        /// The digest of the bytes read.
        actual: String,
    },
    /// The compression is recognized but not supported.
    #[error("{0}")]
    Unsupported(String),
    /// The same path appears twice in one layer.
    #[error("entry {0:?} appears more than once in the layer")]
    Duplicate(String),
    /// The image's layers together hold more than its budget allows.
    #[error("{message}")]
    Budget {
        /// The entry at which the budget ran out.
        entry: String,
        /// Which budget, and the option that raises it.
        message: String,
    },
}

/// What the scan must check, and what it may skip.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// The blob's expected digest, if the image declares one.
    pub blob_digest: Option<String>,
    /// The uncompressed tar's expected digest (diff_id), if the image declares one.
    pub diff_id: Option<String>,
    /// Compute digests and compare them with the expected ones: the blob digest of a
    /// compressed layer (read whole anyway), and with `full` everything.
    pub verify: bool,
    /// With `verify`, also hash every uncompressed stream: the diff_id of a compressed
    /// layer, and an uncompressed layer, which is then read whole instead of walked by
    /// seeking past file contents.
    pub full: bool,
    /// Compute digests even when nothing is expected (a rootfs tar has no manifest).
    pub always_hash: bool,
    /// The blob's reader checks its digest itself (a registry download, hashed as it
    /// arrives): with `verify` the blob is still read whole, but hashed here only when
    /// `full` asks for an uncompressed layer's digest, which is the blob's.
    pub blob_checked: bool,
    /// Compute the diff_id from the bytes whatever the other options, into
    /// [`LayerScan::identified`] (reading an uncompressed layer whole): a layer cache files a
    /// scan under the diff_id its bytes hash to, never under one the image merely declares.
    /// What the scan reports and checks is as without it.
    pub identify: bool,
}

/// The content of one entry, handed to an [`Inspector`]: it reads no further than the
/// entry's end, and can pass over bytes (seeking when the layer allows it).
pub trait EntryRead: Read {
    /// Passes over `n` bytes of the entry (fewer if it ends first).
    fn skip(&mut self, n: u64) -> io::Result<()>;
    /// Bytes of the entry not yet read or skipped.
    fn left(&self) -> u64;
}

/// What an [`Inspector`] kept of one entry. The scan only stores it; the inspector's owner
/// reads it back with [`Inspection::get`].
#[derive(Clone)]
pub struct Inspection(Arc<dyn Any + Send + Sync>);

impl Inspection {
    /// Wraps an inspector's result.
    pub fn new<T: Any + Send + Sync>(value: T) -> Self {
        Inspection(Arc::new(value))
    }

    /// The result, if it is a `T`.
    pub fn get<T: Any>(&self) -> Option<&T> {
        self.0.downcast_ref()
    }
}

impl fmt::Debug for Inspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Inspection(..)")
    }
}

/// Reads small facts out of binaries and archives while the layer streams past.
///
/// Implementations must keep bounded state whatever the entry's size, and should stop
/// reading as soon as they have their answer: the rest of the entry is skipped.
pub trait Inspector: std::fmt::Debug + Send + Sync {
    /// Whether a regular file is worth opening, from its path, mode and size alone.
    fn wants(&self, path: &str, mode: u32, size: u64) -> bool;
    /// Reads an entry whose first four bytes are `magic`; `rest` yields the bytes after.
    fn inspect(
        &self,
        path: &str,
        size: u64,
        magic: [u8; 4],
        rest: &mut dyn EntryRead,
    ) -> Option<Inspection>;
    /// The version of what [`inspect`](Self::inspect) keeps and [`save`](Self::save)
    /// writes: a change of either must change it, so that a layer cache never reads back
    /// a result made by an earlier inspector.
    fn version(&self) -> u32;
    /// What `inspect` returned, as bytes [`restore`](Self::restore) reads back (for a layer
    /// cache); `None` when it is not this inspector's.
    fn save(&self, found: &Inspection) -> Option<Vec<u8>>;
    /// Reads back what [`save`](Self::save) wrote; `None` when the bytes are not that.
    fn restore(&self, saved: &[u8]) -> Option<Inspection>;
}

/// The current entry of a [`TarReader`], as an [`EntryRead`].
struct TarEntry<'a, R: Skip> {
    tar: &'a mut TarReader<R>,
}

impl<R: Skip> Read for TarEntry<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = (buf.len() as u64).min(self.tar.content_left()) as usize;
        if want == 0 {
            return Ok(0);
        }
        let n = self.tar.input_mut().read(&mut buf[..want])?;
        self.tar.consumed(n as u64);
        Ok(n)
    }
}

impl<R: Skip> EntryRead for TarEntry<'_, R> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let n = n.min(self.tar.content_left());
        self.tar.input_mut().skip(n)?;
        self.tar.consumed(n);
        Ok(())
    }

    fn left(&self) -> u64 {
        self.tar.content_left()
    }
}

/// Scans one layer from its blob bytes. `blob` may be seeked to pass over file contents.
pub fn scan_layer<B>(
    blob: B,
    expect: &Expect,
    rules: &CaptureRules,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<LayerScan, ScanError>
where
    B: Read + io::Seek,
{
    let (scan, info) =
        stream::with_layer_stream(blob, expect, progress, |input| walk(input, rules))?;
    Ok(scan.with_info(info))
}

/// Scans one layer from a blob that can only be read front to back (a member of a
/// compressed archive): nothing is seeked, every byte is read.
pub fn scan_layer_read<B: Read>(
    blob: B,
    expect: &Expect,
    rules: &CaptureRules,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<LayerScan, ScanError> {
    let (scan, info) =
        stream::with_layer_stream_read(blob, expect, progress, |input| walk(input, rules))?;
    Ok(scan.with_info(info))
}

impl LayerScan {
    fn with_info(mut self, info: stream::StreamInfo) -> Self {
        self.compression = info.compression;
        self.blob_digest = info.blob_digest;
        self.diff_id = info.diff_id;
        self.tar_size = info.tar_size;
        self.identified = info.identified;
        self
    }
}

impl LayerScan {
    /// Does for a scan read back from a layer cache what scanning the layer does besides
    /// the scan: draws its entries and captured files on the image's budget (so a cached
    /// scan is bounded as a scanned one is), and tells the observer about each captured file.
    pub fn replay(&self, rules: &CaptureRules) -> Result<(), ScanError> {
        let mut draw = capture::Draw::on(rules.budget());
        let names = self.files.iter().map(|f| f.path.as_str());
        let marks = self
            .whiteouts
            .iter()
            .chain(&self.opaque_dirs)
            .map(String::as_str);
        for name in names.chain(marks) {
            draw.entry(name).map_err(|message| ScanError::Budget {
                entry: name.to_string(),
                message,
            })?;
        }
        for (path, content) in &self.captured {
            if let Content::Data(data) = content {
                if let Some(b) = rules.budget() {
                    b.capture(data.len() as u64)
                        .map_err(|message| ScanError::Budget {
                            entry: path.clone(),
                            message,
                        })?;
                }
                if let Some(observer) = rules.observer() {
                    observer.captured(path, data);
                }
            }
        }
        Ok(())
    }
}

impl ScanError {
    /// The layer entry the error is about, if any.
    pub fn entry(&self) -> Option<&str> {
        match self {
            ScanError::Tar(t) => t.entry(),
            ScanError::Duplicate(p) => Some(p),
            ScanError::Budget { entry, .. } => Some(entry),
            _ => None,
        }
    }
}

/// Walks the tar entries of one (already decompressed) layer.
pub(crate) fn walk<R: Skip>(
    input: &mut TarReader<R>,
    rules: &CaptureRules,
) -> Result<LayerScan, ScanError> {
    let mut scan = LayerScan::default();
    let mut budget = MAX_CAPTURE_PER_LAYER;
    let mut draw = capture::Draw::on(rules.budget());
    while let Some(h) = input.next_entry()? {
        if h.path.is_empty() {
            continue; // the root directory itself
        }
        let over = |message: String| ScanError::Budget {
            entry: h.path.clone(),
            message,
        };
        draw.entry(&h.path).map_err(over)?;
        let (parent, base) = match h.path.rfind('/') {
            Some(i) => (&h.path[..i], &h.path[i + 1..]),
            None => ("", h.path.as_str()),
        };
        if (h.path.starts_with(AUFS_META) || h.path.contains(AUFS_META_INNER)) && base != OPAQUE {
            continue; // aufs bookkeeping (.wh..wh.plnk/, .wh..wh.aufs and the like)
        }
        if base == OPAQUE {
            scan.opaque_dirs.push(parent.to_string());
            continue;
        }
        if let Some(hidden) = base.strip_prefix(WHITEOUT) {
            if hidden.is_empty() || hidden == "." || hidden == ".." {
                return Err(TarError::Entry {
                    name: h.path.clone(),
                    message: "whiteout names nothing".into(),
                }
                .into());
            }
            scan.whiteouts.push(if parent.is_empty() {
                hidden.to_string()
            } else {
                format!("{parent}/{hidden}")
            });
            continue;
        }
        match h.kind {
            Kind::File => {
                if let Some(limit) = rules.limit_for(&h.path) {
                    let content = if h.size > limit || h.size > budget {
                        Content::TooLarge {
                            size: h.size,
                            limit: limit.min(budget),
                        }
                    } else {
                        if let Some(b) = rules.budget() {
                            b.capture(h.size).map_err(over)?;
                        }
                        budget -= h.size;
                        let data = input.read_content_shared(h.size)?;
                        if let Some(observer) = rules.observer() {
                            observer.captured(&h.path, &data);
                        }
                        Content::Data(data)
                    };
                    scan.captured.insert(h.path.clone(), content);
                } else if let Some(inspector) = rules.inspector_for(&h.path, h.mode, h.size) {
                    let head = input.read_content(4)?;
                    if let Ok(magic) = <[u8; 4]>::try_from(head.as_slice()) {
                        let mut entry = TarEntry { tar: input };
                        if let Some(found) = inspector.inspect(&h.path, h.size, magic, &mut entry) {
                            scan.inspected.insert(h.path.clone(), found);
                        }
                    }
                }
            }
            Kind::Hardlink if rules.limit_for(&h.path).is_some() => {
                let target = h.link.as_deref().unwrap_or_default();
                match scan.captured.get(target).cloned() {
                    Some(c) => {
                        scan.captured.insert(h.path.clone(), c);
                    }
                    None => scan.findings.push(
                        Finding::new(FindingKind::CaptureMissed {
                            target: target.to_string(),
                            path: h.path.clone(),
                        })
                        .at_path(&h.path),
                    ),
                }
            }
            _ => {}
        }
        scan.files.push(FileEntry {
            path: h.path,
            kind: h.kind,
            size: h.size,
            mode: h.mode,
            link: h.link,
        });
    }
    check_duplicates(&scan.files)?;
    Ok(scan)
}

/// Refuses a layer in which one path is written twice (directories aside): a scanner that
/// reads the first copy and a runtime that keeps the last would see different files.
fn check_duplicates(files: &[FileEntry]) -> Result<(), ScanError> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_unstable_by(|&a, &b| files[a].path.cmp(&files[b].path));
    for pair in order.windows(2) {
        let (a, b) = (&files[pair[0]], &files[pair[1]]);
        if a.path == b.path && !(a.kind == Kind::Dir && b.kind == Kind::Dir) {
            return Err(ScanError::Duplicate(a.path.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::tar::build::{entry, finish};
    use super::*;
    use std::io::Cursor;

    fn rules() -> CaptureRules {
        CaptureRules::builder()
            .want("var/lib/dpkg/status", 100)
            .want("usr/share/doc/*/copyright", 100)
            .build()
    }

    fn scan(entries: &[(&str, u8, &[u8], &str)]) -> Result<LayerScan, ScanError> {
        let mut t = Vec::new();
        for (name, kind, data, link) in entries {
            entry(&mut t, name, *kind, data, link);
        }
        let expect = Expect {
            verify: true,
            ..Expect::default()
        };
        scan_layer(Cursor::new(finish(t)), &expect, &rules(), None)
    }

    #[test]
    fn whiteouts_name_the_hidden_path_and_are_not_files() {
        let s = scan(&[
            ("etc/.wh.secret", b'0', b"", ""),
            (".wh.tmp", b'0', b"", ""),
        ])
        .unwrap();
        assert_eq!(s.whiteouts, ["etc/secret", "tmp"]);
        assert!(s.files.is_empty());
    }

    #[test]
    fn opaque_markers_name_their_directory() {
        let s = scan(&[
            ("etc/app/c.conf", b'0', b"c", ""),
            ("etc/app/.wh..wh..opq", b'0', b"", ""),
            (".wh..wh..opq", b'0', b"", ""),
        ])
        .unwrap();
        assert_eq!(s.opaque_dirs, ["etc/app", ""]);
        assert_eq!(s.files.len(), 1);
    }

    #[test]
    fn aufs_bookkeeping_is_ignored() {
        let s = scan(&[
            (".wh..wh.plnk/1.2", b'0', b"", ""),
            (".wh..wh.aufs", b'0', b"", ""),
        ])
        .unwrap();
        assert!(s.whiteouts.is_empty() && s.files.is_empty());
    }

    #[test]
    fn a_whiteout_of_nothing_is_refused() {
        assert!(scan(&[("etc/.wh.", b'0', b"", "")]).is_err());
    }

    #[test]
    fn only_wanted_files_are_captured_within_their_cap() {
        let big = [b'x'; 150];
        let s = scan(&[
            ("var/lib/dpkg/status", b'0', b"Package: a\n", ""),
            ("usr/share/doc/a/copyright", b'0', &big, ""),
            ("etc/passwd", b'0', b"root\n", ""),
        ])
        .unwrap();
        assert_eq!(
            s.captured.get("var/lib/dpkg/status"),
            Some(&Content::Data(b"Package: a\n".to_vec().into()))
        );
        assert_eq!(
            s.captured.get("usr/share/doc/a/copyright"),
            Some(&Content::TooLarge {
                size: 150,
                limit: 100
            })
        );
        assert!(!s.captured.contains_key("etc/passwd"));
        assert_eq!(s.files.len(), 3);
    }

    #[test]
    fn a_hard_link_to_a_captured_file_is_captured_too() {
        let s = scan(&[
            ("usr/share/doc/a/copyright", b'0', b"MIT", ""),
            (
                "usr/share/doc/b/copyright",
                b'1',
                b"",
                "usr/share/doc/a/copyright",
            ),
        ])
        .unwrap();
        assert_eq!(
            s.captured.get("usr/share/doc/b/copyright"),
            s.captured.get("usr/share/doc/a/copyright")
        );
    }

    #[test]
    fn a_hard_link_to_an_uncaptured_file_is_reported() {
        let s = scan(&[
            ("etc/x", b'0', b"MIT", ""),
            ("usr/share/doc/b/copyright", b'1', b"", "etc/x"),
        ])
        .unwrap();
        assert!(!s.captured.contains_key("usr/share/doc/b/copyright"));
        assert_eq!(
            s.findings[0].kind,
            FindingKind::CaptureMissed {
                target: "etc/x".into(),
                path: "usr/share/doc/b/copyright".into()
            }
        );
    }

    #[test]
    fn repeated_directories_are_fine_but_repeated_files_are_not() {
        assert!(scan(&[("etc", b'5', b"", ""), ("etc", b'5', b"", "")]).is_ok());
        let e = scan(&[("etc/a", b'0', b"1", ""), ("etc/a", b'2', b"", "x")]).unwrap_err();
        assert!(matches!(e, ScanError::Duplicate(p) if p == "etc/a"));
    }

    #[test]
    fn digests_are_computed_and_checked() {
        let mut t = Vec::new();
        entry(&mut t, "a", b'0', b"x", "");
        let t = finish(t);
        let digest = stream::sha256_of(&t);
        let ok = Expect {
            diff_id: Some(digest.clone()),
            blob_digest: Some(digest.clone()),
            verify: true,
            full: true,
            always_hash: false,
            blob_checked: false,
            identify: false,
        };
        let s = scan_layer(Cursor::new(t.clone()), &ok, &rules(), None).unwrap();
        assert_eq!(s.diff_id.as_deref(), Some(digest.as_str()));
        assert_eq!(s.tar_size, Some(t.len() as u64));
        let bad = Expect {
            diff_id: Some(stream::sha256_of(b"")),
            ..ok.clone()
        };
        assert!(matches!(
            scan_layer(Cursor::new(t.clone()), &bad, &rules(), None),
            Err(ScanError::Digest {
                what: "diff_id",
                ..
            })
        ));
        // Without `full` an uncompressed layer is walked by seeking: not hashed, so a
        // wrong digest goes unnoticed, and nothing is claimed.
        let seek = Expect { full: false, ..bad };
        let s = scan_layer(Cursor::new(t), &seek, &rules(), None).unwrap();
        assert_eq!(s.diff_id, None);
    }

    #[test]
    fn gzip_and_zstd_layers_give_the_same_entries() {
        let mut t = Vec::new();
        entry(&mut t, "var/lib/dpkg/status", b'0', b"Package: a\n", "");
        let t = finish(t);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &t).unwrap();
        let gz = gz.finish().unwrap();
        let zst = zstd::encode_all(&t[..], 3).unwrap();
        let expect = Expect {
            diff_id: Some(stream::sha256_of(&t)),
            verify: true,
            ..Expect::default()
        };
        for (blob, c) in [(gz, Compression::Gzip), (zst, Compression::Zstd)] {
            let e = Expect {
                blob_digest: Some(stream::sha256_of(&blob)),
                ..expect.clone()
            };
            let s = scan_layer(Cursor::new(blob.clone()), &e, &rules(), None).unwrap();
            assert_eq!(s.compression, c);
            assert_eq!(s.files.len(), 1);
            assert!(s.captured.contains_key("var/lib/dpkg/status"));
            // The blob digest is checked by default; the diff_id only with `full`.
            assert_eq!(s.diff_id, None);
            let full = Expect {
                full: true,
                ..e.clone()
            };
            let s = scan_layer(Cursor::new(blob.clone()), &full, &rules(), None).unwrap();
            assert_eq!(s.diff_id, expect.diff_id);
            let wrong_tar = Expect {
                diff_id: Some(stream::sha256_of(b"")),
                ..full
            };
            assert!(matches!(
                scan_layer(Cursor::new(blob.clone()), &wrong_tar, &rules(), None),
                Err(ScanError::Digest {
                    what: "diff_id",
                    ..
                })
            ));
            let wrong_blob = Expect {
                blob_digest: Some(stream::sha256_of(b"")),
                ..e
            };
            assert!(matches!(
                scan_layer(Cursor::new(blob), &wrong_blob, &rules(), None),
                Err(ScanError::Digest {
                    what: "blob digest",
                    ..
                })
            ));
        }
    }

    #[test]
    fn unsupported_compressions_say_so() {
        let e = scan_layer(
            Cursor::new(b"BZh91AY&SY".to_vec()),
            &Expect::default(),
            &rules(),
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("bzip2"));
    }
}
