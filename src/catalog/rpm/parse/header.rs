//! The rpm header blob: the tag/value record that describes one installed package.
//!
//! Layout (all integers big-endian), as rpm stores it in every rpmdb container:
//!
//! ```text
//! il: u32   number of index entries        (rpm caps it at 0xffff)
//! dl: u32   length of the data store       (rpm caps it at 256 MiB)
//! il × { tag: i32, type: u32, offset: i32, count: u32 }
//! dl bytes of data
//! ```
//!
//! The first entry is usually a *region* tag (63 `HEADER_IMMUTABLE`, or 61/62): a BIN entry of
//! 16 bytes whose data is a trailer entry whose negative offset gives the number of entries the
//! signed, immutable region covers. Entries after the region ("dribbles") were added by rpm at
//! install time and replace region entries with the same tag. Region tags are bookkeeping, not
//! package data, and are not returned as tags.

use std::collections::HashMap;

use super::bytes::be32;

/// Tag numbers read from a header (from rpm's `rpmtag.h`).
mod tag {
    pub const HEADER_IMAGE: i32 = 61;
    pub const HEADER_SIGNATURES: i32 = 62;
    pub const HEADER_IMMUTABLE: i32 = 63;
    pub const NAME: i32 = 1000;
    pub const VERSION: i32 = 1001;
    pub const RELEASE: i32 = 1002;
    pub const EPOCH: i32 = 1003;
    pub const SUMMARY: i32 = 1004;
    pub const SIZE: i32 = 1009;
    pub const VENDOR: i32 = 1011;
    pub const LICENSE: i32 = 1014;
    pub const URL: i32 = 1020;
    pub const ARCH: i32 = 1022;
    pub const OLDFILENAMES: i32 = 1027;
    pub const SOURCERPM: i32 = 1044;
    pub const PROVIDENAME: i32 = 1047;
    pub const REQUIREFLAGS: i32 = 1048;
    pub const REQUIRENAME: i32 = 1049;
    pub const REQUIREVERSION: i32 = 1050;
    pub const PROVIDEFLAGS: i32 = 1112;
    pub const PROVIDEVERSION: i32 = 1113;
    pub const DIRINDEXES: i32 = 1116;
    pub const BASENAMES: i32 = 1117;
    pub const DIRNAMES: i32 = 1118;
    pub const LONGSIZE: i32 = 5009;
}

/// Data types of header entries (`rpmTagType`).
mod ty {
    pub const NULL: u32 = 0;
    pub const CHAR: u32 = 1;
    pub const INT8: u32 = 2;
    pub const INT16: u32 = 3;
    pub const INT32: u32 = 4;
    pub const INT64: u32 = 5;
    pub const STRING: u32 = 6;
    pub const BIN: u32 = 7;
    pub const STRING_ARRAY: u32 = 8;
    pub const I18NSTRING: u32 = 9;
}

/// rpm's limit on the number of index entries (`HEADER_TAGS_MAX`).
const MAX_INDEX_ENTRIES: u32 = 0xffff;
/// rpm's limit on the data store (`HEADER_DATA_MAX`).
const MAX_DATA_LEN: u32 = 256 * 1024 * 1024;
const ENTRY_LEN: usize = 16;
/// The most bytes of file paths one header may expand to.
const MAX_FILE_LIST_BYTES: usize = 256 * 1024 * 1024;

/// Why a header blob could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// Fewer than the 8 bytes of `il` and `dl`, or fewer than they announce.
    #[error("header blob truncated: needs {need} bytes, has {have}")]
    Truncated {
        /// Bytes the header announces.
        need: u64,
        /// Bytes present.
        have: usize,
    },
    /// `il` is 0 or above rpm's limit of 65535.
    #[error("header index count {0} is outside 1..=65535")]
    IndexCount(u32),
    /// `dl` is above rpm's limit of 256 MiB.
    #[error("header data length {0} is above rpm's 256 MiB limit")]
    DataLength(u32),
    /// An index entry points outside the data store or has an impossible count.
    #[error("tag {tag}: {what}")]
    BadEntry {
        /// The entry's tag.
        tag: i32,
        /// What was wrong.
        what: String,
    },
    /// The region tag or its trailer is inconsistent.
    #[error("region tag {tag}: {what}")]
    BadRegion {
        /// The region tag (61, 62 or 63).
        tag: i32,
        /// What was wrong.
        what: String,
    },
    /// A tag every package has is absent.
    #[error("required tag {0} is missing")]
    Missing(&'static str),
}

/// A dependency or capability: `REQUIRENAME`/`REQUIREFLAGS`/`REQUIREVERSION` (or `PROVIDE*`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RpmDependency {
    /// The capability name: a package name, `/usr/bin/sh`, `libc.so.6()(64bit)`, `rpmlib(...)`.
    pub name: String,
    /// The raw `RPMSENSE_*` flags (comparison bits and the kind of dependency).
    pub flags: u32,
    /// The version compared against, if any (`[epoch:]version[-release]`).
    pub version: Option<String>,
}

impl RpmDependency {
    /// The comparison as rpm prints it (`<`, `<=`, `=`, `>=`, `>`), if the flags have one.
    pub fn comparison(&self) -> Option<&'static str> {
        const LESS: u32 = 0x02;
        const GREATER: u32 = 0x04;
        const EQUAL: u32 = 0x08;
        match self.flags & (LESS | GREATER | EQUAL) {
            LESS => Some("<"),
            x if x == LESS | EQUAL => Some("<="),
            EQUAL => Some("="),
            x if x == GREATER | EQUAL => Some(">="),
            GREATER => Some(">"),
            _ => None,
        }
    }

    /// True for `rpmlib(...)` dependencies on rpm features rather than on packages.
    pub fn is_rpmlib(&self) -> bool {
        self.flags & (1 << 24) != 0 || self.name.starts_with("rpmlib(")
    }
}

/// One installed rpm package, as read from its header.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RpmPackage {
    /// The record number in the database (`hnum`, BerkeleyDB key or NDB package index).
    pub record: u64,
    /// `NAME`.
    pub name: String,
    /// `EPOCH`, absent for most packages.
    pub epoch: Option<u32>,
    /// `VERSION`.
    pub version: String,
    /// `RELEASE`.
    pub release: String,
    /// `ARCH` (`x86_64`, `noarch`); absent for `gpg-pubkey`.
    pub arch: Option<String>,
    /// `LICENSE` exactly as the packager wrote it (Fedora: SPDX; older: `GPLv2+`, `ASL 2.0`).
    pub license: Option<String>,
    /// `SOURCERPM`: the source package file name, e.g. `bash-5.1.8-6.el9.src.rpm`.
    pub source_rpm: Option<String>,
    /// `VENDOR`.
    pub vendor: Option<String>,
    /// `URL`.
    pub url: Option<String>,
    /// `SUMMARY` (first locale).
    pub summary: Option<String>,
    /// Installed size in bytes (`LONGSIZE`, else `SIZE`).
    pub size: Option<u64>,
    /// `REQUIRE*`: what the package needs.
    pub requires: Vec<RpmDependency>,
    /// `PROVIDE*`: the capabilities it offers.
    pub provides: Vec<RpmDependency>,
    /// Every path the package owns, absolute (`DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]`).
    pub files: Vec<String>,
    /// True for rpm's `gpg-pubkey` pseudo-packages (imported signing keys, not software).
    pub is_gpg_pubkey: bool,
}

impl RpmPackage {
    /// `[epoch:]version-release`, the way rpm compares and prints package versions.
    pub fn evr(&self) -> String {
        match self.epoch {
            Some(e) => format!("{e}:{}-{}", self.version, self.release),
            None => format!("{}-{}", self.version, self.release),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    ty: u32,
    offset: usize,
    count: usize,
}

/// A validated header: every entry's data is known to lie inside the data store.
struct Header<'a> {
    data: &'a [u8],
    entries: HashMap<i32, Entry>,
}

/// Parses a header blob (as stored in an rpmdb: no lead, no signature, no magic).
///
/// Entries are validated against the data store before any value is read; a later entry with
/// the same tag replaces an earlier one, as rpm's dribble entries replace region entries.
pub fn parse_header(blob: &[u8]) -> Result<RpmPackage, HeaderError> {
    let h = Header::parse(blob)?;
    let name = h.string(tag::NAME).ok_or(HeaderError::Missing("NAME"))?;
    let version = h
        .string(tag::VERSION)
        .ok_or(HeaderError::Missing("VERSION"))?;
    let release = h
        .string(tag::RELEASE)
        .ok_or(HeaderError::Missing("RELEASE"))?;
    let is_gpg_pubkey = name == "gpg-pubkey";
    let size = h
        .ints(tag::LONGSIZE)
        .and_then(|v| v.first().copied())
        .or_else(|| h.ints(tag::SIZE).and_then(|v| v.first().copied()));
    Ok(RpmPackage {
        record: 0,
        epoch: h
            .ints(tag::EPOCH)
            .and_then(|v| v.first().copied())
            .and_then(|e| u32::try_from(e).ok()),
        arch: h.string(tag::ARCH),
        license: h.string(tag::LICENSE),
        source_rpm: h.string(tag::SOURCERPM),
        vendor: h.string(tag::VENDOR),
        url: h.string(tag::URL),
        summary: h.string(tag::SUMMARY),
        size,
        requires: h.dependencies(tag::REQUIRENAME, tag::REQUIREFLAGS, tag::REQUIREVERSION),
        provides: h.dependencies(tag::PROVIDENAME, tag::PROVIDEFLAGS, tag::PROVIDEVERSION),
        files: h.files()?,
        is_gpg_pubkey,
        name,
        version,
        release,
    })
}

impl<'a> Header<'a> {
    fn parse(blob: &'a [u8]) -> Result<Self, HeaderError> {
        let truncated = |need: u64| HeaderError::Truncated {
            need,
            have: blob.len(),
        };
        let (il, dl) = match (be32(blob, 0), be32(blob, 4)) {
            (Some(il), Some(dl)) => (il, dl),
            _ => return Err(truncated(8)),
        };
        if il == 0 || il > MAX_INDEX_ENTRIES {
            return Err(HeaderError::IndexCount(il));
        }
        if dl > MAX_DATA_LEN {
            return Err(HeaderError::DataLength(dl));
        }
        // Both are bounded above, so these cannot overflow a u64 or a usize on 64-bit.
        let il = il as usize;
        let dl = dl as usize;
        let need = 8 + il * ENTRY_LEN + dl;
        if blob.len() < need {
            return Err(truncated(need as u64));
        }
        let index = blob
            .get(8..8 + il * ENTRY_LEN)
            .ok_or(truncated(need as u64))?;
        let data = blob
            .get(8 + il * ENTRY_LEN..need)
            .ok_or(truncated(need as u64))?;

        let mut entries = HashMap::with_capacity(il);
        for (i, raw) in index.chunks_exact(ENTRY_LEN).enumerate() {
            let field = |off| be32(raw, off).unwrap_or(0);
            let tag = field(0) as i32;
            let ty = field(4);
            let offset = field(8) as i32;
            let count = field(12);
            if (tag::HEADER_IMAGE..=tag::HEADER_IMMUTABLE).contains(&tag) {
                if i == 0 {
                    let _region_entries = check_region(tag, ty, offset, count, il, data)?;
                }
                continue;
            }
            let bad = |what: String| HeaderError::BadEntry { tag, what };
            if ty > ty::I18NSTRING {
                return Err(bad(format!("unknown data type {ty}")));
            }
            if ty == ty::NULL {
                continue;
            }
            let offset = usize::try_from(offset)
                .ok()
                .filter(|&o| o < dl)
                .ok_or_else(|| {
                    bad(format!(
                        "offset {offset} is outside the {dl}-byte data store"
                    ))
                })?;
            let count = count as usize;
            if count == 0 || count > dl - offset {
                return Err(bad(format!(
                    "count {count} does not fit in the data store after offset {offset}"
                )));
            }
            let entry = Entry { ty, offset, count };
            entry_len(&entry, data).ok_or_else(|| {
                bad(format!(
                    "{count} values of type {ty} at offset {offset} run past the data store"
                ))
            })?;
            entries.insert(tag, entry);
        }
        Ok(Header { data, entries })
    }

    /// The first string of a STRING, STRING_ARRAY or I18NSTRING entry.
    fn string(&self, tag: i32) -> Option<String> {
        self.strings(tag)?.into_iter().next()
    }

    /// All strings of a string-typed entry.
    fn strings(&self, tag: i32) -> Option<Vec<String>> {
        let e = self.entries.get(&tag)?;
        if !matches!(e.ty, ty::STRING | ty::STRING_ARRAY | ty::I18NSTRING) {
            return None;
        }
        let mut out = Vec::with_capacity(e.count);
        let mut pos = e.offset;
        for _ in 0..e.count {
            let rest = self.data.get(pos..)?;
            let end = rest.iter().position(|&b| b == 0)?;
            out.push(String::from_utf8_lossy(rest.get(..end)?).into_owned());
            pos += end + 1;
        }
        Some(out)
    }

    /// All values of an integer entry, widened to u64.
    fn ints(&self, tag: i32) -> Option<Vec<u64>> {
        let e = self.entries.get(&tag)?;
        let width = match e.ty {
            ty::CHAR | ty::INT8 => 1,
            ty::INT16 => 2,
            ty::INT32 => 4,
            ty::INT64 => 8,
            _ => return None,
        };
        let raw = self.data.get(e.offset..e.offset + e.count * width)?;
        Some(
            raw.chunks_exact(width)
                .map(|c| c.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
                .collect(),
        )
    }

    fn dependencies(&self, names: i32, flags: i32, versions: i32) -> Vec<RpmDependency> {
        let names = self.strings(names).unwrap_or_default();
        let flags = self.ints(flags).unwrap_or_default();
        let versions = self.strings(versions).unwrap_or_default();
        names
            .into_iter()
            .enumerate()
            .map(|(i, name)| RpmDependency {
                name,
                flags: flags.get(i).map_or(0, |&f| f as u32),
                version: versions.get(i).filter(|v| !v.is_empty()).cloned(),
            })
            .collect()
    }

    /// The file list. Every path repeats its directory name, so a hostile header could make
    /// a few bytes of data expand enormously; the total is capped at [`MAX_FILE_LIST_BYTES`]
    /// or 32 times the data store, whichever is smaller (real packages stay far below).
    fn files(&self) -> Result<Vec<String>, HeaderError> {
        let Some(basenames) = self.strings(tag::BASENAMES) else {
            // Headers from rpm < 4 list whole paths.
            return Ok(self.strings(tag::OLDFILENAMES).unwrap_or_default());
        };
        let dirnames = self.strings(tag::DIRNAMES).unwrap_or_default();
        let indexes = self.ints(tag::DIRINDEXES).unwrap_or_default();
        let cap = MAX_FILE_LIST_BYTES.min(self.data.len().saturating_mul(32));
        let mut total = 0usize;
        let mut files = Vec::with_capacity(basenames.len());
        for (i, base) in basenames.into_iter().enumerate() {
            let Some(dir) = indexes
                .get(i)
                .and_then(|&d| usize::try_from(d).ok())
                .and_then(|d| dirnames.get(d))
            else {
                continue;
            };
            total = total.saturating_add(dir.len() + base.len());
            if total > cap {
                return Err(HeaderError::BadEntry {
                    tag: tag::BASENAMES,
                    what: format!("file list expands to more than {cap} bytes"),
                });
            }
            files.push(format!("{dir}{base}"));
        }
        Ok(files)
    }
}

/// Checks the region entry at index 0 and its trailer, as rpm's `hdrblobVerifyRegion` does,
/// and returns how many index entries the region covers.
fn check_region(
    tag: i32,
    ty: u32,
    offset: i32,
    count: u32,
    il: usize,
    data: &[u8],
) -> Result<usize, HeaderError> {
    let bad = |what: String| HeaderError::BadRegion { tag, what };
    if ty != ty::BIN || count != 16 {
        return Err(bad(format!(
            "type {ty} count {count}, expected BIN with 16 bytes"
        )));
    }
    let offset = usize::try_from(offset)
        .ok()
        .filter(|o| o.checked_add(16).is_some_and(|end| end <= data.len()))
        .ok_or_else(|| bad(format!("trailer offset {offset} is outside the data store")))?;
    let trailer_tag = be32(data, offset).unwrap_or(0) as i32;
    let trailer_ty = be32(data, offset + 4).unwrap_or(0);
    let trailer_off = be32(data, offset + 8).unwrap_or(0) as i32;
    let trailer_count = be32(data, offset + 12).unwrap_or(0);
    // Old rpm wrote HEADER_IMAGE in the trailer of a signature region.
    let tag_ok =
        trailer_tag == tag || (tag == tag::HEADER_SIGNATURES && trailer_tag == tag::HEADER_IMAGE);
    if !tag_ok || trailer_ty != ty::BIN || trailer_count != 16 {
        return Err(bad(format!(
            "trailer is tag {trailer_tag} type {trailer_ty} count {trailer_count}"
        )));
    }
    // The trailer's offset is minus the size of the region's index, in bytes.
    trailer_off
        .checked_neg()
        .filter(|n| *n > 0 && n % ENTRY_LEN as i32 == 0)
        .map(|n| n as usize / ENTRY_LEN)
        .filter(|&n| n <= il)
        .ok_or_else(|| {
            bad(format!(
                "trailer offset {trailer_off} does not give a region of 1..={il} entries"
            ))
        })
}

/// The number of data bytes an entry covers, or `None` if it runs past the data store.
fn entry_len(e: &Entry, data: &[u8]) -> Option<usize> {
    let rest = data.get(e.offset..)?;
    match e.ty {
        ty::CHAR | ty::INT8 | ty::BIN => Some(e.count).filter(|&n| n <= rest.len()),
        ty::INT16 | ty::INT32 | ty::INT64 => {
            let width = match e.ty {
                ty::INT16 => 2,
                ty::INT32 => 4,
                _ => 8,
            };
            e.count.checked_mul(width).filter(|&n| n <= rest.len())
        }
        ty::STRING if e.count != 1 => None,
        // STRING, STRING_ARRAY, I18NSTRING: `count` NUL-terminated strings.
        _ => {
            let mut pos = 0usize;
            for _ in 0..e.count {
                let end = rest.get(pos..)?.iter().position(|&b| b == 0)?;
                pos += end + 1;
            }
            Some(pos)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a header blob from (tag, type, count, data) entries, with an immutable region
    /// covering all of them when `region` is set.
    pub(crate) fn build(entries: &[(i32, u32, u32, Vec<u8>)], region: bool) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        let n = entries.len() + usize::from(region);
        for (tag, ty, count, bytes) in entries {
            let align = match *ty {
                ty::INT16 => 2,
                ty::INT32 => 4,
                ty::INT64 => 8,
                _ => 1,
            };
            while data.len() % align != 0 {
                data.push(0);
            }
            index.push((*tag, *ty, data.len() as i32, *count));
            data.extend_from_slice(bytes);
        }
        if region {
            let off = data.len() as i32;
            for v in [63i32, 7, -(n as i32 * 16), 16] {
                data.extend_from_slice(&v.to_be_bytes());
            }
            index.insert(0, (63, 7, off, 16));
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&(n as u32).to_be_bytes());
        blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
        for (tag, ty, off, count) in index {
            blob.extend_from_slice(&tag.to_be_bytes());
            blob.extend_from_slice(&ty.to_be_bytes());
            blob.extend_from_slice(&off.to_be_bytes());
            blob.extend_from_slice(&count.to_be_bytes());
        }
        blob.extend_from_slice(&data);
        blob
    }

    fn s(v: &str) -> Vec<u8> {
        let mut b = v.as_bytes().to_vec();
        b.push(0);
        b
    }

    fn minimal() -> Vec<(i32, u32, u32, Vec<u8>)> {
        vec![
            (tag::NAME, ty::STRING, 1, s("bash")),
            (tag::VERSION, ty::STRING, 1, s("5.1.8")),
            (tag::RELEASE, ty::STRING, 1, s("6.el9")),
        ]
    }

    #[test]
    fn name_version_release_are_read_from_string_tags() {
        let p = parse_header(&build(&minimal(), true)).expect("parses");
        assert_eq!((p.name.as_str(), p.version.as_str()), ("bash", "5.1.8"));
        assert_eq!(p.evr(), "5.1.8-6.el9");
        assert!(!p.is_gpg_pubkey);
    }

    #[test]
    fn a_header_without_region_is_accepted() {
        assert!(parse_header(&build(&minimal(), false)).is_ok());
    }

    #[test]
    fn epoch_is_an_int32_and_prefixes_the_evr() {
        let mut e = minimal();
        e.push((tag::EPOCH, ty::INT32, 1, 2u32.to_be_bytes().to_vec()));
        let p = parse_header(&build(&e, true)).expect("parses");
        assert_eq!(p.epoch, Some(2));
        assert_eq!(p.evr(), "2:5.1.8-6.el9");
    }

    #[test]
    fn i18n_summary_takes_the_first_locale() {
        let mut e = minimal();
        let mut d = s("The GNU shell");
        d.extend(s("Die GNU-Shell"));
        e.push((tag::SUMMARY, ty::I18NSTRING, 2, d));
        let p = parse_header(&build(&e, true)).expect("parses");
        assert_eq!(p.summary.as_deref(), Some("The GNU shell"));
    }

    #[test]
    fn longsize_wins_over_size() {
        let mut e = minimal();
        e.push((tag::SIZE, ty::INT32, 1, 10u32.to_be_bytes().to_vec()));
        e.push((
            tag::LONGSIZE,
            ty::INT64,
            1,
            (5u64 << 32).to_be_bytes().to_vec(),
        ));
        let p = parse_header(&build(&e, true)).expect("parses");
        assert_eq!(p.size, Some(5u64 << 32));
    }

    #[test]
    fn files_join_dirnames_by_dirindexes_with_basenames() {
        let mut e = minimal();
        let mut base = s("bash");
        base.extend(s("sh"));
        base.extend(s("bashrc"));
        let mut dirs = s("/usr/bin/");
        dirs.extend(s("/etc/"));
        let idx: Vec<u8> = [0u32, 0, 1].iter().flat_map(|i| i.to_be_bytes()).collect();
        e.push((tag::BASENAMES, ty::STRING_ARRAY, 3, base));
        e.push((tag::DIRNAMES, ty::STRING_ARRAY, 2, dirs));
        e.push((tag::DIRINDEXES, ty::INT32, 3, idx));
        let p = parse_header(&build(&e, true)).expect("parses");
        assert_eq!(p.files, ["/usr/bin/bash", "/usr/bin/sh", "/etc/bashrc"]);
    }

    #[test]
    fn requires_pair_names_flags_and_versions() {
        let mut e = minimal();
        let mut names = s("glibc");
        names.extend(s("/bin/sh"));
        let flags: Vec<u8> = [0x0cu32, 0].iter().flat_map(|i| i.to_be_bytes()).collect();
        let mut vers = s("2.34");
        vers.extend(s(""));
        e.push((tag::REQUIRENAME, ty::STRING_ARRAY, 2, names));
        e.push((tag::REQUIREFLAGS, ty::INT32, 2, flags));
        e.push((tag::REQUIREVERSION, ty::STRING_ARRAY, 2, vers));
        let p = parse_header(&build(&e, true)).expect("parses");
        assert_eq!(p.requires[0].comparison(), Some(">="));
        assert_eq!(p.requires[0].version.as_deref(), Some("2.34"));
        assert_eq!(p.requires[1].comparison(), None);
        assert_eq!(p.requires[1].version, None);
    }

    #[test]
    fn a_later_entry_replaces_an_earlier_one_with_the_same_tag() {
        let mut e = minimal();
        e.push((tag::NAME, ty::STRING, 1, s("bash-dribble")));
        let p = parse_header(&build(&e, false)).expect("parses");
        assert_eq!(p.name, "bash-dribble");
    }

    #[test]
    fn gpg_pubkey_is_flagged() {
        let mut e = minimal();
        e[0] = (tag::NAME, ty::STRING, 1, s("gpg-pubkey"));
        assert!(
            parse_header(&build(&e, true))
                .expect("parses")
                .is_gpg_pubkey
        );
    }

    #[test]
    fn index_count_is_bounded() {
        let mut blob = 0x10000u32.to_be_bytes().to_vec();
        blob.extend(0u32.to_be_bytes());
        assert_eq!(parse_header(&blob), Err(HeaderError::IndexCount(0x10000)));
        let mut blob = 0u32.to_be_bytes().to_vec();
        blob.extend(0u32.to_be_bytes());
        assert_eq!(parse_header(&blob), Err(HeaderError::IndexCount(0)));
    }

    #[test]
    fn data_length_is_bounded() {
        let mut blob = 1u32.to_be_bytes().to_vec();
        blob.extend((256 * 1024 * 1024 + 1u32).to_be_bytes());
        assert!(matches!(
            parse_header(&blob),
            Err(HeaderError::DataLength(_))
        ));
    }

    #[test]
    fn a_blob_shorter_than_announced_is_truncated() {
        let blob = build(&minimal(), true);
        let cut = &blob[..blob.len() - 1];
        assert!(matches!(
            parse_header(cut),
            Err(HeaderError::Truncated { .. })
        ));
    }

    #[test]
    fn an_offset_outside_the_data_store_is_rejected() {
        let mut blob = build(&minimal(), false);
        // Entry 0's offset field is at 8 + 8.
        blob[16..20].copy_from_slice(&1000u32.to_be_bytes());
        assert!(matches!(
            parse_header(&blob),
            Err(HeaderError::BadEntry { tag: 1000, .. })
        ));
    }

    #[test]
    fn a_string_without_terminator_is_rejected() {
        let mut e = minimal();
        e.push((tag::LICENSE, ty::STRING, 1, b"MIT".to_vec()));
        assert!(matches!(
            parse_header(&build(&e, false)),
            Err(HeaderError::BadEntry { tag: 1014, .. })
        ));
    }

    #[test]
    fn a_huge_count_is_rejected_before_reading() {
        let mut e = minimal();
        e.push((tag::BASENAMES, ty::STRING_ARRAY, u32::MAX, s("x")));
        assert!(matches!(
            parse_header(&build(&e, false)),
            Err(HeaderError::BadEntry { tag: 1117, .. })
        ));
    }

    #[test]
    fn a_region_trailer_must_match_its_tag() {
        let mut blob = build(&minimal(), true);
        let len = blob.len();
        // The trailer is the last 16 bytes of the data store; break its tag.
        blob[len - 16..len - 12].copy_from_slice(&62i32.to_be_bytes());
        assert!(matches!(
            parse_header(&blob),
            Err(HeaderError::BadRegion { tag: 63, .. })
        ));
    }

    #[test]
    fn a_region_larger_than_the_index_is_rejected() {
        let mut blob = build(&minimal(), true);
        let len = blob.len();
        blob[len - 8..len - 4].copy_from_slice(&(-(100i32 * 16)).to_be_bytes());
        assert!(matches!(
            parse_header(&blob),
            Err(HeaderError::BadRegion { tag: 63, .. })
        ));
    }

    #[test]
    fn a_file_list_that_expands_enormously_is_refused() {
        // One 4000-byte directory name shared by 2000 empty basenames: 8 MB of paths from
        // 12 KB of data.
        let mut e = minimal();
        let mut dir = "d".repeat(4000).into_bytes();
        dir.push(0);
        e.push((tag::BASENAMES, ty::STRING_ARRAY, 2000, vec![0; 2000]));
        e.push((tag::DIRNAMES, ty::STRING_ARRAY, 1, dir));
        e.push((tag::DIRINDEXES, ty::INT32, 2000, vec![0; 8000]));
        assert!(matches!(
            parse_header(&build(&e, true)),
            Err(HeaderError::BadEntry { tag: 1117, .. })
        ));
    }

    #[test]
    fn a_missing_name_is_reported() {
        let e = vec![(tag::VERSION, ty::STRING, 1, s("1"))];
        assert_eq!(
            parse_header(&build(&e, true)),
            Err(HeaderError::Missing("NAME"))
        );
    }

    #[test]
    fn damaged_headers_never_panic() {
        let mut e = minimal();
        let mut base = s("bash");
        base.extend(s("sh"));
        let mut dirs = s("/usr/bin/");
        dirs.extend(s("/etc/"));
        e.push((tag::BASENAMES, ty::STRING_ARRAY, 2, base));
        e.push((tag::DIRNAMES, ty::STRING_ARRAY, 2, dirs));
        e.push((tag::DIRINDEXES, ty::INT32, 2, vec![0, 0, 0, 0, 0, 0, 0, 1]));
        let blob = build(&e, true);
        crate::catalog::testutil::damage_loop(&blob, 3000, |b| {
            let _ = parse_header(b);
        });
    }
}
