//! The rpm database formats: every container an image may hold (SQLite, BerkeleyDB hash,
//! NDB) around the same rpm header blobs.
//!
//! Red Hat, Fedora, CentOS, Rocky, Alma, Amazon Linux, openSUSE and SUSE images keep one
//! record per installed package in an rpm database ("rpmdb"). Each record is an rpm *header
//! blob*: the same tag/value header an `.rpm` file carries, minus the lead and signature. What
//! changed over the years is the container around the blobs, and an image may have any of them:
//!
//! | file | container | written by |
//! | --- | --- | --- |
//! | `var/lib/rpm/rpmdb.sqlite` (or `usr/lib/sysimage/rpm/`) | SQLite, table `Packages(hnum, blob)` | rpm ≥ 4.16 (Fedora 33+, RHEL 9) |
//! | `var/lib/rpm/Packages` | BerkeleyDB hash, key = record number | rpm < 4.16 (RHEL ≤ 8, CentOS 7, Amazon Linux 2) |
//! | `var/lib/rpm/Packages.db` (or `usr/lib/sysimage/rpm/`) | rpm's own "NDB" format | SUSE, rpm ≥ 4.15 with `_db_backend ndb` |
//!
//! [`read_rpmdb`] sniffs which container it was given and yields [`RpmPackage`] records; the
//! per-container readers ([`read_sqlite`], [`read_bdb`], [`read_ndb`]) and the header parser
//! ([`parse_header`]) are public too. Every reader is written from the published formats in
//! plain Rust and treats the bytes as hostile: every count and offset is checked before use,
//! page chains are followed at most once per page, and a damaged record becomes a
//! [`Warning`] while the other records are still returned. Only a file that is not an rpmdb at
//! all, or whose container structure is unreadable, is an [`Error`].
//!
//! Distroless CBL-Mariner and Azure Linux images keep no rpmdb, only a text manifest of what
//! rpm installed ([`read_manifest_within`]), read into the same [`RpmPackage`] records.
//!
//! `gpg-pubkey` records are the imported signing keys that rpm stores as pseudo-packages; they
//! are returned with [`RpmPackage::is_gpg_pubkey`] set so that callers can leave them out of a
//! bill of materials.

mod bdb;
mod header;
mod manifest;
mod ndb;
mod sqlite;

use std::fmt;

pub use bdb::read_bdb;
pub use header::{parse_header, HeaderError, RpmDependency, RpmPackage};
pub use manifest::read_manifest_within;
pub use ndb::read_ndb;
pub use sqlite::read_sqlite;

/// The largest header blob accepted, in bytes: rpm itself refuses headers whose data store is
/// larger than 256 MiB (`HEADER_DATA_MAX`); the index adds at most 0xffff × 16 bytes.
pub const MAX_HEADER_BLOB: usize = 8 + 0xffff * 16 + 256 * 1024 * 1024;

/// Which container an rpm database uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RpmdbFormat {
    /// `rpmdb.sqlite`: SQLite 3, table `Packages`.
    Sqlite,
    /// `Packages`: BerkeleyDB hash database.
    BerkeleyDb,
    /// `Packages.db`: rpm's NDB package database.
    Ndb,
}

impl fmt::Display for RpmdbFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RpmdbFormat::Sqlite => "SQLite rpmdb",
            RpmdbFormat::BerkeleyDb => "BerkeleyDB rpmdb",
            RpmdbFormat::Ndb => "NDB rpmdb",
        })
    }
}

/// Why an rpm database could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bytes start with none of the magic numbers of the three rpmdb containers.
    #[error(
        "not an rpm database: no SQLite, BerkeleyDB hash or NDB magic at the start ({len} bytes)"
    )]
    Unrecognized {
        /// How many bytes were given.
        len: usize,
    },
    /// The container's own structure (file header, schema, metadata page, slot table) is
    /// damaged, so no record can be found.
    #[error("{format} is damaged: {what}")]
    Damaged {
        /// Which container.
        format: RpmdbFormat,
        /// What was wrong, naming the page or offset.
        what: String,
    },
    /// The database uses a feature this reader does not implement.
    #[error("{format} uses an unsupported feature: {what}")]
    Unsupported {
        /// Which container.
        format: RpmdbFormat,
        /// The feature.
        what: String,
    },
}

/// A damaged record or other oddity that was skipped while the rest was read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// The record it concerns (SQLite `hnum`, BerkeleyDB key, NDB package index), if known.
    pub record: Option<u64>,
    /// What was wrong and what was done about it.
    pub message: String,
}

impl Warning {
    fn new(record: Option<u64>, message: impl Into<String>) -> Self {
        Warning {
            record,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.record {
            Some(r) => write!(f, "record {r}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A header blob as found in a container, before it is parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RawRecord {
    /// The record's number in the container (`hnum`, BerkeleyDB key or NDB package index).
    pub record: u64,
    /// The header blob: `il`, `dl`, index entries, data store.
    pub blob: Vec<u8>,
}

/// Tells which rpmdb container `bytes` are, by their magic number, or `None`.
pub fn sniff(bytes: &[u8]) -> Option<RpmdbFormat> {
    if bytes.starts_with(sqlite::MAGIC) {
        return Some(RpmdbFormat::Sqlite);
    }
    if bytes.get(0..4) == Some(ndb::MAGIC.as_slice()) {
        return Some(RpmdbFormat::Ndb);
    }
    if bdb::byte_order(bytes).is_some() {
        return Some(RpmdbFormat::BerkeleyDb);
    }
    None
}

/// Reads an rpm database of any of the three containers and parses every package in it.
///
/// Records whose header blob is damaged are skipped with a [`Warning`]; so are records a
/// container could not follow (a broken overflow chain, a bad checksum).
///
/// ```
/// use layerbom::catalog::rpm::parse::{read_rpmdb, Error};
/// assert!(matches!(read_rpmdb(b"not a database"), Err(Error::Unrecognized { .. })));
/// ```
pub fn read_rpmdb(bytes: &[u8]) -> Result<(Vec<RpmPackage>, Vec<Warning>), Error> {
    read_rpmdb_within(bytes, usize::MAX)
}

/// [`read_rpmdb`], parsing no more than `limit + 1` headers: past its budget, a database
/// costs no more than the budget and its raw records.
pub fn read_rpmdb_within(
    bytes: &[u8],
    limit: usize,
) -> Result<(Vec<RpmPackage>, Vec<Warning>), Error> {
    let (records, warnings) = match sniff(bytes) {
        Some(RpmdbFormat::Sqlite) => sqlite::packages_blobs(bytes)?,
        Some(RpmdbFormat::BerkeleyDb) => bdb::packages_blobs(bytes)?,
        Some(RpmdbFormat::Ndb) => ndb::packages_blobs(bytes)?,
        None => return Err(Error::Unrecognized { len: bytes.len() }),
    };
    Ok(parse_records(records, warnings, limit))
}

/// Parses each raw record, turning a damaged header into a warning.
fn parse_records(
    records: Vec<RawRecord>,
    mut warnings: Vec<Warning>,
    limit: usize,
) -> (Vec<RpmPackage>, Vec<Warning>) {
    let mut packages = Vec::new();
    for raw in records {
        if packages.len() > limit {
            break;
        }
        match parse_header(&raw.blob) {
            Ok(mut pkg) => {
                pkg.record = raw.record;
                packages.push(pkg);
            }
            Err(e) => warnings.push(Warning::new(
                Some(raw.record),
                format!("header blob skipped: {e}"),
            )),
        }
    }
    (packages, warnings)
}

/// Bounds-checked big- or little-endian reads over a byte slice.
mod bytes {
    /// Reads a big-endian u32 at `off`, if the slice is long enough.
    pub fn be32(b: &[u8], off: usize) -> Option<u32> {
        let s = b.get(off..off.checked_add(4)?)?;
        Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }
    /// Reads a little-endian u32 at `off`, if the slice is long enough.
    pub fn le32(b: &[u8], off: usize) -> Option<u32> {
        let s = b.get(off..off.checked_add(4)?)?;
        Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    /// Reads a big-endian u16 at `off`, if the slice is long enough.
    pub fn be16(b: &[u8], off: usize) -> Option<u16> {
        let s = b.get(off..off.checked_add(2)?)?;
        Some(u16::from_be_bytes([s[0], s[1]]))
    }
    /// Reads a little-endian u16 at `off`, if the slice is long enough.
    pub fn le16(b: &[u8], off: usize) -> Option<u16> {
        let s = b.get(off..off.checked_add(2)?)?;
        Some(u16::from_le_bytes([s[0], s[1]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One line of the `rpm -qa --qf` output the fixtures were recorded with.
    pub(crate) fn qa_line(p: &RpmPackage) -> String {
        let none = || "(none)".to_string();
        format!(
            "{} {} {} {} {} {} {}",
            p.name,
            p.epoch.map(|e| e.to_string()).unwrap_or_else(none),
            p.version,
            p.release,
            p.arch.clone().unwrap_or_else(none),
            p.license.clone().unwrap_or_else(none),
            p.source_rpm.clone().unwrap_or_else(none),
        )
    }

    /// Compares a reader's output with the `rpm -qa` output recorded beside the fixture.
    /// Containers list records in their own order (BerkeleyDB: hash order), so both sides
    /// are sorted.
    pub(crate) fn assert_matches_expected(
        packages: &[RpmPackage],
        warnings: &[Warning],
        expected: &str,
    ) {
        assert!(warnings.is_empty(), "{warnings:?}");
        let mut got: Vec<String> = packages.iter().map(qa_line).collect();
        let mut want: Vec<String> = expected.lines().map(str::to_string).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want);
    }

    pub(crate) const SQLITE: &[u8] = include_bytes!("test-fixtures/rpmdb.sqlite");
    pub(crate) const SQLITE_64K: &[u8] = include_bytes!("test-fixtures/rpmdb-64k.sqlite");
    pub(crate) const SQLITE_RESERVED: &[u8] = include_bytes!("test-fixtures/rpmdb-reserved.sqlite");
    pub(crate) const BDB: &[u8] = include_bytes!("test-fixtures/Packages.bdb");
    pub(crate) const BDB_BE: &[u8] = include_bytes!("test-fixtures/Packages-be.bdb");
    pub(crate) const NDB: &[u8] = include_bytes!("test-fixtures/Packages.db");

    #[test]
    fn sniff_tells_the_three_containers_apart() {
        assert_eq!(sniff(SQLITE), Some(RpmdbFormat::Sqlite));
        assert_eq!(sniff(SQLITE_64K), Some(RpmdbFormat::Sqlite));
        assert_eq!(sniff(BDB), Some(RpmdbFormat::BerkeleyDb));
        assert_eq!(sniff(BDB_BE), Some(RpmdbFormat::BerkeleyDb));
        assert_eq!(sniff(NDB), Some(RpmdbFormat::Ndb));
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(&[0u8; 4096]), None);
    }

    #[test]
    fn read_rpmdb_reads_every_container_like_rpm_does() {
        for (db, expected) in [
            (SQLITE, include_str!("test-fixtures/rpmdb.sqlite.expected")),
            (
                SQLITE_64K,
                include_str!("test-fixtures/rpmdb.sqlite.expected"),
            ),
            (
                SQLITE_RESERVED,
                include_str!("test-fixtures/rpmdb.sqlite.expected"),
            ),
            (BDB, include_str!("test-fixtures/Packages.bdb.expected")),
            (
                BDB_BE,
                include_str!("test-fixtures/Packages-be.bdb.expected"),
            ),
            (NDB, include_str!("test-fixtures/Packages.db.expected")),
        ] {
            let (packages, warnings) = read_rpmdb(db).expect("fixture reads");
            assert_matches_expected(&packages, &warnings, expected);
        }
    }

    #[test]
    fn a_budget_stops_the_headers_parsed_one_past_it() {
        for db in [SQLITE, BDB, NDB] {
            let (all, _) = read_rpmdb(db).expect("fixture reads");
            assert!(all.len() > 3);
            let (some, _) = read_rpmdb_within(db, 2).expect("fixture reads");
            let names = |p: &[RpmPackage]| p.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
            assert_eq!(names(&some), names(&all[..3]));
            let (none_over, _) = read_rpmdb_within(db, all.len()).expect("fixture reads");
            assert_eq!(none_over.len(), all.len());
        }
    }

    #[test]
    fn unrecognized_bytes_are_an_error() {
        assert_eq!(read_rpmdb(b"hello"), Err(Error::Unrecognized { len: 5 }));
    }

    use crate::catalog::testutil::damage_loop;

    #[test]
    fn damaged_databases_never_panic() {
        for db in [SQLITE, SQLITE_64K, BDB, BDB_BE, NDB] {
            damage_loop(db, 400, |b| {
                let _ = read_rpmdb(b);
            });
        }
    }
}
