//! The layer scan: read each layer exactly once, streaming, and index it.
//!
//! A layer blob is opened, its compression recognized by its first bytes (gzip, zstd or a
//! plain tar, whatever the media type claims), its digests computed while the bytes go by,
//! and its tar entries walked. Nothing is written to disk. The scan yields a [`LayerScan`]:
//! every entry's path, kind, size, mode and link target; the whiteouts and opaque
//! directories it carries; and the content of the few files that [`CaptureRules`] asked
//! for. Uncompressed layers whose digest need not be checked are walked by seeking past
//! file contents, so only headers and captured files are read.

pub mod capture;
pub mod stream;
pub mod tar;
pub mod tree;

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::Arc;

pub use capture::CaptureRules;
use capture::MAX_CAPTURE_PER_LAYER;
pub use stream::Compression;
use tar::{Kind, Skip, TarError, TarReader};

use crate::model::{Finding, Severity};

/// The whiteout prefix of the OCI layer format.
const WHITEOUT: &str = ".wh.";
/// The opaque-directory marker of the OCI layer format.
const OPAQUE: &str = ".wh..wh..opq";

/// One indexed entry of a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    Data(Arc<[u8]>),
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
}

/// What the scan must check, and what it may skip.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// The blob's expected digest, if the image declares one.
    pub blob_digest: Option<String>,
    /// The uncompressed tar's expected digest (diff_id), if the image declares one.
    pub diff_id: Option<String>,
    /// Compute digests and compare them with the expected ones.
    pub verify: bool,
    /// Compute digests even when nothing is expected (a rootfs tar has no manifest).
    pub always_hash: bool,
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
    let (mut scan, info) =
        stream::with_layer_stream(blob, expect, progress, |input| walk(input, rules))?;
    scan.compression = info.compression;
    scan.blob_digest = info.blob_digest;
    scan.diff_id = info.diff_id;
    scan.tar_size = info.tar_size;
    Ok(scan)
}

/// Walks the tar entries of one (already decompressed) layer.
pub(crate) fn walk<R: Skip>(
    input: &mut TarReader<R>,
    rules: &CaptureRules,
) -> Result<LayerScan, ScanError> {
    let mut scan = LayerScan::default();
    let mut budget = MAX_CAPTURE_PER_LAYER;
    while let Some(h) = input.next_entry()? {
        if h.path.is_empty() {
            continue; // the root directory itself
        }
        let (parent, base) = match h.path.rfind('/') {
            Some(i) => (&h.path[..i], &h.path[i + 1..]),
            None => ("", h.path.as_str()),
        };
        if base == OPAQUE {
            scan.opaque_dirs.push(parent.to_string());
            continue;
        }
        if let Some(hidden) = base.strip_prefix(WHITEOUT) {
            if hidden.starts_with(WHITEOUT) {
                continue; // aufs bookkeeping (.wh..wh.plnk and the like)
            }
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
                        budget -= h.size;
                        Content::Data(input.read_content(h.size)?.into())
                    };
                    scan.captured.insert(h.path.clone(), content);
                }
            }
            Kind::Hardlink => {
                if rules.limit_for(&h.path).is_some() {
                    let target = h.link.as_deref().unwrap_or_default();
                    match scan.captured.get(target).cloned() {
                        Some(c) => {
                            scan.captured.insert(h.path.clone(), c);
                        }
                        None => scan.findings.push(Finding::new(
                            "capture-missed",
                            Severity::Warning,
                            format!(
                                "hard link to {target}, whose content was not kept, so the content of {} is unknown",
                                h.path
                            ),
                        ).at_path(&h.path)),
                    }
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
