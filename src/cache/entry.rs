//! One cache entry: a layer's scan as bytes, and back.
//!
//! ```text
//! magic     8 bytes   "LBCACHE" and the format version
//! fingerprint 32      the analysis the scan was made under (see `Cache::fingerprint`)
//! diff_id   32        the layer it describes
//! body      8         length of the body once decompressed (little-endian)
//! checksum  32        SHA-256 of every byte before it and of the payload
//! payload   …         the body, one zstd frame: the scan in postcard
//! ```
//!
//! An entry is read as untrusted bytes (a shared cache is written by other machines): each
//! length is bounded before anything is allocated for it, the checksum covers every byte,
//! and an entry made for another fingerprint or layer is refused as foreign.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::model::{Finding, FindingKind};
use crate::scan::{CaptureRules, Content, FileEntry, LayerScan};

/// The first bytes of every entry; the last one is the format's version.
const MAGIC: [u8; 8] = *b"LBCACHE\x01";
/// Bytes before the payload.
const HEADER: usize = 8 + 32 + 32 + 8 + 32;
/// The largest entry read back whatever the image's budget: what one layer's scan may
/// capture, and as much again for its file index.
pub const MAX_BODY: u64 = 2 * crate::scan::capture::MAX_CAPTURE_PER_LAYER;
/// zstd's level for entries: fast to write, and reading back costs the same at any level.
const LEVEL: i32 = 3;

/// Why an entry was not read back.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EntryError {
    /// Fewer bytes than a header, or not the format's magic.
    #[error("not a layerbom cache entry")]
    NotEntry,
    /// Made for another analysis or another layer (filed under the wrong name).
    #[error("made for {0}")]
    Foreign(&'static str),
    /// The bytes do not hash to the checksum: damaged or cut short.
    #[error("its checksum does not match its bytes (damaged or cut short)")]
    Checksum,
    /// The body says it is larger than the bound.
    #[error("its body would be {0} bytes, over the bound of {1}")]
    TooLarge(u64, u64),
    /// The body does not decode as a scan.
    #[error("its body does not decode: {0}")]
    Body(String),
}

/// A 32-byte identity: a SHA-256 digest.
pub type Id = [u8; 32];

/// The raw digest of a `sha256:<64 lowercase hex>` diff_id; `None` for anything else, which
/// is never cached (a config's diff_id becomes part of a path).
pub fn diff_id_bytes(diff_id: &str) -> Option<Id> {
    let hex = diff_id.strip_prefix("sha256:")?;
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// A captured file as written.
#[derive(Serialize)]
enum CapturedOut<'a> {
    Data(#[serde(with = "serde_bytes")] &'a [u8]),
    TooLarge { size: u64, limit: u64 },
}

/// A captured file as read back: the same shape as [`CapturedOut`].
#[derive(Deserialize)]
enum CapturedIn {
    Data(#[serde(with = "serde_bytes")] Vec<u8>),
    TooLarge { size: u64, limit: u64 },
}

/// The scan as written: postcard writes fields in order, so [`BodyIn`] has the same shape.
#[derive(Serialize)]
struct BodyOut<'a> {
    files: &'a [FileEntry],
    whiteouts: &'a [String],
    opaque_dirs: &'a [String],
    captured: Vec<(&'a str, CapturedOut<'a>)>,
    inspected: Vec<(&'a str, serde_bytes::ByteBuf)>,
    tar_size: u64,
    /// `capture-missed` findings, the only ones a scan makes: (target, path).
    missed: Vec<(&'a str, &'a str)>,
    /// The digest of the blob the scan was made from, when the layer's uncompressed bytes
    /// were not hashed to its diff_id: the entry then serves only images with that blob.
    blob: Option<&'a str>,
}

#[derive(Deserialize)]
struct BodyIn {
    files: Vec<FileEntry>,
    whiteouts: Vec<String>,
    opaque_dirs: Vec<String>,
    captured: Vec<(String, CapturedIn)>,
    inspected: Vec<(String, serde_bytes::ByteBuf)>,
    tar_size: u64,
    missed: Vec<(String, String)>,
    blob: Option<String>,
}

/// A scan read back, with the blob it is bound to (see [`encode`]).
#[derive(Debug)]
pub struct Kept {
    /// The layer's scan.
    pub scan: LayerScan,
    /// `None` when the scan was filed under the diff_id its bytes hash to; else the digest
    /// of the only blob it may be read back for.
    pub blob: Option<String>,
    /// Bytes of the body it was decoded from.
    pub size: u64,
}

/// The entry for `scan`, the scan of layer `diff_id` under `fingerprint`, whose
/// uncompressed tar is `tar_size` bytes, bound to `blob` when the diff_id was not hashed
/// but the blob's digest was checked; `None` when it holds something an entry cannot (a
/// finding of another kind, an inspection its inspector cannot save).
pub fn encode(
    fingerprint: &Id,
    diff_id: &Id,
    scan: &LayerScan,
    tar_size: u64,
    blob: Option<&str>,
    rules: &CaptureRules,
) -> Option<Vec<u8>> {
    let mut missed = Vec::with_capacity(scan.findings.len());
    for f in &scan.findings {
        match &f.kind {
            FindingKind::CaptureMissed { target, path } => {
                missed.push((target.as_str(), path.as_str()))
            }
            _ => return None,
        }
    }
    let modes: HashMap<&str, &FileEntry> = if scan.inspected.is_empty() {
        HashMap::new()
    } else {
        scan.files.iter().map(|f| (f.path.as_str(), f)).collect()
    };
    let mut inspected = Vec::with_capacity(scan.inspected.len());
    for (path, found) in &scan.inspected {
        let file = modes.get(path.as_str())?;
        let saved = rules
            .inspector_for(path, file.mode, file.size)?
            .save(found)?;
        inspected.push((path.as_str(), serde_bytes::ByteBuf::from(saved)));
    }
    let body = BodyOut {
        files: &scan.files,
        whiteouts: &scan.whiteouts,
        opaque_dirs: &scan.opaque_dirs,
        captured: scan
            .captured
            .iter()
            .map(|(p, c)| {
                let c = match c {
                    Content::Data(d) => CapturedOut::Data(d),
                    Content::TooLarge { size, limit } => CapturedOut::TooLarge {
                        size: *size,
                        limit: *limit,
                    },
                };
                (p.as_str(), c)
            })
            .collect(),
        inspected,
        tar_size,
        missed,
        blob,
    };
    wrap(fingerprint, diff_id, &postcard::to_stdvec(&body).ok()?)
}

/// The entry whose body is `body` (a scan in postcard), for layer `diff_id` under
/// `fingerprint`: compressed, behind its header and checksum.
pub fn wrap(fingerprint: &Id, diff_id: &Id, body: &[u8]) -> Option<Vec<u8>> {
    let payload = zstd::bulk::compress(body, LEVEL).ok()?;
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(fingerprint);
    out.extend_from_slice(diff_id);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    let mut sum = Sha256::new();
    sum.update(&out);
    sum.update(&payload);
    out.extend_from_slice(&sum.finalize());
    out.extend_from_slice(&payload);
    Some(out)
}

/// Reads back the scan of layer `diff_id` under `fingerprint` from `entry`, whose body may
/// take at most `max_body` bytes (and [`MAX_BODY`] in any case), with the size
/// of its uncompressed tar in `tar_size`. The facts of a blob (compression, digests, size)
/// are not in it: they belong to the blob, which another image may compress differently.
pub fn decode(
    fingerprint: &Id,
    diff_id: &Id,
    entry: &[u8],
    max_body: u64,
    rules: &CaptureRules,
) -> Result<Kept, EntryError> {
    let body = unwrap(fingerprint, diff_id, entry, max_body)?;
    let size = body.len() as u64;
    let mut body: BodyIn =
        postcard::from_bytes(&body).map_err(|e| EntryError::Body(e.to_string()))?;
    let blob = body.blob.take();
    Ok(Kept {
        scan: scan_of(body, rules)?,
        blob,
        size,
    })
}

/// The body of `entry`, an entry for `id` under `fingerprint`, checked and decompressed: at
/// most `max_body` bytes (and [`MAX_BODY`] in any case).
pub fn unwrap(
    fingerprint: &Id,
    id: &Id,
    entry: &[u8],
    max_body: u64,
) -> Result<Vec<u8>, EntryError> {
    let diff_id = id;
    if entry.len() < HEADER || entry[..8] != MAGIC {
        return Err(EntryError::NotEntry);
    }
    if entry[8..40] != fingerprint[..] {
        return Err(EntryError::Foreign(
            "another version of layerbom or other capture rules",
        ));
    }
    if entry[40..72] != diff_id[..] {
        return Err(EntryError::Foreign("another layer"));
    }
    let body_len = u64::from_le_bytes(entry[72..80].try_into().unwrap_or_default());
    let mut sum = Sha256::new();
    sum.update(&entry[..80]);
    sum.update(&entry[HEADER..]);
    if sum.finalize()[..] != entry[80..HEADER] {
        return Err(EntryError::Checksum);
    }
    let bound = max_body.min(MAX_BODY);
    if body_len > bound {
        return Err(EntryError::TooLarge(body_len, bound));
    }
    // The payload is one zstd frame that names its size, as `wrap` writes it: the body is
    // decompressed in one go into a buffer of that size, by a context each thread keeps.
    let payload = &entry[HEADER..];
    let framed = zstd::zstd_safe::get_frame_content_size(payload)
        .ok()
        .flatten();
    if framed != Some(body_len) {
        return Err(EntryError::Body(format!(
            "its payload is no zstd frame of the {body_len} bytes its header says"
        )));
    }
    thread_local! {
        static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> =
            const { RefCell::new(None) };
    }
    let body = DECOMPRESSOR.with_borrow_mut(|d| {
        let d = match d {
            Some(d) => d,
            None => d.insert(zstd::bulk::Decompressor::new()?),
        };
        d.decompress(payload, usize::try_from(body_len).unwrap_or(usize::MAX))
    });
    let body = body.map_err(|e| EntryError::Body(e.to_string()))?;
    if body.len() as u64 != body_len {
        return Err(EntryError::Body(format!(
            "it decompresses to {} bytes, not the {body_len} its header says",
            body.len()
        )));
    }
    Ok(body)
}

/// The scan a decoded body describes.
fn scan_of(body: BodyIn, rules: &CaptureRules) -> Result<LayerScan, EntryError> {
    let mut inspected = BTreeMap::new();
    if !body.inspected.is_empty() {
        let files: HashMap<&str, &FileEntry> =
            body.files.iter().map(|f| (f.path.as_str(), f)).collect();
        for (path, saved) in body.inspected {
            let restored = files
                .get(path.as_str())
                .and_then(|f| rules.inspector_for(&path, f.mode, f.size))
                .and_then(|i| i.restore(&saved))
                .ok_or_else(|| {
                    EntryError::Body(format!("no inspector reads what it keeps of /{path}"))
                })?;
            inspected.insert(path, restored);
        }
    }
    Ok(LayerScan {
        captured: body
            .captured
            .into_iter()
            .map(|(p, c)| {
                let c = match c {
                    CapturedIn::Data(d) => Content::Data(Arc::new(d)),
                    CapturedIn::TooLarge { size, limit } => Content::TooLarge { size, limit },
                };
                (p, c)
            })
            .collect(),
        inspected,
        tar_size: Some(body.tar_size),
        findings: body
            .missed
            .into_iter()
            .map(|(target, path)| {
                let at = path.clone();
                Finding::new(FindingKind::CaptureMissed { target, path }).at_path(&at)
            })
            .collect(),
        files: body.files,
        whiteouts: body.whiteouts,
        opaque_dirs: body.opaque_dirs,
        ..LayerScan::default()
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::scan::tar::Kind;

    pub(in crate::cache) fn rules() -> CaptureRules {
        CaptureRules::builder().want("etc/os-release", 100).build()
    }

    /// A scan with a file, a whiteout, an opaque directory, captures and a finding.
    pub(in crate::cache) fn scan() -> LayerScan {
        let mut captured = BTreeMap::new();
        captured.insert(
            "etc/os-release".to_string(),
            Content::Data(Arc::new(b"ID=debian\n".to_vec())),
        );
        captured.insert(
            "usr/share/doc/a/copyright".to_string(),
            Content::TooLarge {
                size: 500,
                limit: 100,
            },
        );
        LayerScan {
            files: vec![FileEntry {
                path: "etc/os-release".into(),
                kind: Kind::File,
                size: 10,
                mode: 0o644,
                link: None,
            }],
            whiteouts: vec!["tmp/x".into()],
            opaque_dirs: vec!["".into()],
            captured,
            tar_size: Some(2048),
            findings: vec![Finding::new(FindingKind::CaptureMissed {
                target: "etc/x".into(),
                path: "usr/share/doc/b/copyright".into(),
            })
            .at_path("usr/share/doc/b/copyright")],
            ..LayerScan::default()
        }
    }

    const FP: Id = [7; 32];
    const LAYER: Id = [9; 32];

    #[test]
    fn a_scan_reads_back_as_it_was_written() {
        let s = scan();
        let entry = encode(&FP, &LAYER, &s, 2048, None, &rules()).unwrap();
        let Kept {
            scan: back, blob, ..
        } = decode(&FP, &LAYER, &entry, MAX_BODY, &rules()).unwrap();
        assert_eq!(blob, None);
        assert_eq!(back.files, s.files);
        assert_eq!(back.whiteouts, s.whiteouts);
        assert_eq!(back.opaque_dirs, s.opaque_dirs);
        assert_eq!(back.captured, s.captured);
        assert_eq!(back.tar_size, s.tar_size);
        assert_eq!(back.findings, s.findings);
        // Bound to the blob it was read from.
        let entry = encode(&FP, &LAYER, &s, 2048, Some("sha256:b10b"), &rules()).unwrap();
        let kept = decode(&FP, &LAYER, &entry, MAX_BODY, &rules()).unwrap();
        assert_eq!(kept.blob.as_deref(), Some("sha256:b10b"));
    }

    #[test]
    fn every_damaged_byte_is_noticed() {
        let entry = encode(&FP, &LAYER, &scan(), 2048, None, &rules()).unwrap();
        for i in 0..entry.len() {
            let mut bad = entry.clone();
            bad[i] ^= 0x20;
            assert!(
                decode(&FP, &LAYER, &bad, MAX_BODY, &rules()).is_err(),
                "byte {i}"
            );
        }
        for cut in 0..entry.len() {
            assert!(
                decode(&FP, &LAYER, &entry[..cut], MAX_BODY, &rules()).is_err(),
                "cut {cut}"
            );
        }
    }

    #[test]
    fn entries_of_other_fingerprints_and_layers_are_foreign() {
        let entry = encode(&FP, &LAYER, &scan(), 2048, None, &rules()).unwrap();
        assert!(matches!(
            decode(&[1; 32], &LAYER, &entry, MAX_BODY, &rules()),
            Err(EntryError::Foreign(_))
        ));
        assert!(matches!(
            decode(&FP, &[1; 32], &entry, MAX_BODY, &rules()),
            Err(EntryError::Foreign("another layer"))
        ));
    }

    #[test]
    fn a_body_over_the_bound_is_not_decompressed() {
        let entry = encode(&FP, &LAYER, &scan(), 2048, None, &rules()).unwrap();
        assert!(matches!(
            decode(&FP, &LAYER, &entry, 10, &rules()),
            Err(EntryError::TooLarge(_, 10))
        ));
    }

    #[test]
    fn only_sha256_diff_ids_name_entries() {
        let hex = "ab".repeat(32);
        assert_eq!(diff_id_bytes(&format!("sha256:{hex}")), Some([0xab; 32]));
        assert_eq!(diff_id_bytes(&format!("sha512:{hex}")), None);
        assert_eq!(diff_id_bytes(&format!("sha256:{}", "AB".repeat(32))), None);
        assert_eq!(diff_id_bytes("sha256:../../etc/passwd"), None);
    }
}
