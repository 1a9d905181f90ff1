//! A read-only reader of rpm's NDB package database, `Packages.db` (SUSE; rpm ≥ 4.15).
//!
//! Layout, from rpm's `lib/backend/ndb/rpmpkg.c` (all integers little-endian):
//!
//! * The file starts with `slotnpages` slot pages of 4096 bytes. The first 32 bytes of page 0
//!   are the database header: magic `RpmP`, version 0, generation, `slotnpages`, next package
//!   index.
//! * The rest of the slot pages are 16-byte slots: magic `Slot`, package index, block offset,
//!   block count. A slot with block offset 0 is free.
//! * A package is a blob in 16-byte blocks starting at the slot's block offset: a 16-byte head
//!   (magic `BlbS`, package index, timestamp, length), the header blob, zero padding, and a
//!   12-byte tail (Adler-32 of head, blob and padding; length; magic `BlbE`).
//!
//! Slots and blobs are checked as rpm checks them (magic, index, block count, tail, checksum);
//! a bad one is skipped with a warning.

use super::bytes::le32;
use super::{parse_records, Error, RawRecord, RpmPackage, RpmdbFormat, Warning, MAX_HEADER_BLOB};

/// `RpmP`, little-endian, at offset 0.
pub(super) const MAGIC: [u8; 4] = *b"RpmP";
const SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
const BLOB_HEAD_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");
const BLOB_TAIL_MAGIC: u32 = u32::from_le_bytes(*b"BlbE");
const PAGE: usize = 4096;
const HEADER_LEN: usize = 32;
const SLOT_LEN: usize = 16;
const BLK: u64 = 16;
const HEAD_LEN: usize = 16;
const TAIL_LEN: usize = 12;

/// Reads an NDB `Packages.db` and parses each header blob, in package-index order.
pub fn read_ndb(bytes: &[u8]) -> Result<(Vec<RpmPackage>, Vec<Warning>), Error> {
    let (records, warnings) = packages_blobs(bytes)?;
    Ok(parse_records(records, warnings, usize::MAX))
}

/// Why the blob of one slot is skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum BlobError {
    /// The slot's blocks start inside the blob of a slot before it.
    #[error("slot {slot}'s blob overlaps the previous blob")]
    Overlaps {
        /// The slot's number.
        slot: usize,
    },
    /// The slot's blocks run past the end of the file.
    #[error("blob at byte {start} of {blocks} blocks runs past the end of the file")]
    PastEnd {
        /// The blob's offset in the file.
        start: u64,
        /// The blocks the slot gives it.
        blocks: u64,
    },
    /// The blob does not start with `BlbS`.
    #[error("no BlbS magic at byte {start}")]
    NoMagic {
        /// The blob's offset in the file.
        start: u64,
    },
    /// The blob's head names another package index than its slot.
    #[error("blob at byte {start} belongs to another package")]
    OtherPackage {
        /// The blob's offset in the file.
        start: u64,
    },
    /// The blob's head gives a length above [`MAX_HEADER_BLOB`].
    #[error("blob length {len} is above rpm's header limit")]
    TooLong {
        /// The length the head gives.
        len: usize,
    },
    /// The blob's length does not fill the blocks its slot gives it.
    #[error("blob of {len} bytes needs {needs} blocks, slot says {slot_says}")]
    BlockCount {
        /// The length the head gives.
        len: usize,
        /// The blocks that length takes, head and tail included.
        needs: u64,
        /// The blocks the slot gives.
        slot_says: u64,
    },
    /// The tail has no `BlbE` magic, or repeats another length than the head.
    #[error("blob at byte {start} has a bad tail")]
    BadTail {
        /// The blob's offset in the file.
        start: u64,
    },
    /// The tail's Adler-32 is not the checksum of the blob.
    #[error("blob at byte {start} fails its Adler-32 check")]
    Checksum {
        /// The blob's offset in the file.
        start: u64,
    },
}

fn damaged(what: impl Into<String>) -> Error {
    Error::Damaged {
        format: RpmdbFormat::Ndb,
        what: what.into(),
    }
}

/// The packages of a `Packages.db` as raw header blobs, in package-index order.
pub(super) fn packages_blobs(bytes: &[u8]) -> Result<(Vec<RawRecord>, Vec<Warning>), Error> {
    if bytes.get(0..4) != Some(MAGIC.as_slice()) || bytes.len() < HEADER_LEN {
        return Err(damaged("no RpmP header"));
    }
    let version = le32(bytes, 4).unwrap_or(u32::MAX);
    if version != 0 {
        return Err(Error::Unsupported {
            format: RpmdbFormat::Ndb,
            what: format!("database version {version} (only 0 exists)"),
        });
    }
    let slot_pages = le32(bytes, 12).unwrap_or(0) as usize;
    if slot_pages == 0 || slot_pages > bytes.len() / PAGE {
        return Err(damaged(format!(
            "header announces {slot_pages} slot pages; the file holds {} whole pages",
            bytes.len() / PAGE
        )));
    }
    let first_blob_block = (slot_pages * PAGE) as u64 / BLK;
    let mut warnings = Vec::new();
    // (package index, block offset, block count, slot number) of every used slot.
    let mut slots = Vec::new();
    let slots_end = slot_pages * PAGE;
    let mut at = HEADER_LEN;
    while at + SLOT_LEN <= slots_end {
        let slot_no = at / SLOT_LEN;
        let field = |i: usize| le32(bytes, at + 4 * i).unwrap_or(0);
        let (magic, pkgidx, blkoff, blkcnt) = (field(0), field(1), field(2), field(3));
        at += SLOT_LEN;
        if magic != SLOT_MAGIC {
            warnings.push(Warning::new(
                None,
                format!("ndb slot {slot_no} has no Slot magic; skipped"),
            ));
            continue;
        }
        if blkoff == 0 {
            continue; // free slot
        }
        if pkgidx == 0 || blkcnt == 0 || u64::from(blkoff) < first_blob_block {
            warnings.push(Warning::new(
                Some(u64::from(pkgidx)),
                format!(
                    "slot {slot_no} is invalid (index {pkgidx}, block {blkoff}, {blkcnt} blocks); skipped"
                ),
            ));
            continue;
        }
        slots.push((pkgidx, u64::from(blkoff), u64::from(blkcnt), slot_no));
    }
    // Blobs may not overlap (rpm refuses such a database too); otherwise many slots naming
    // one large blob would copy it many times.
    slots.sort_by_key(|&(_, blkoff, _, _)| blkoff);
    let mut records = Vec::with_capacity(slots.len());
    let mut free_from = 0u64;
    for (pkgidx, blkoff, blkcnt, slot_no) in slots {
        let record = u64::from(pkgidx);
        let blob = if blkoff < free_from {
            Err(BlobError::Overlaps { slot: slot_no })
        } else {
            free_from = blkoff + blkcnt;
            read_blob(bytes, pkgidx, blkoff, blkcnt)
        };
        match blob {
            Ok(blob) => records.push(RawRecord { record, blob }),
            Err(what) => warnings.push(Warning::new(Some(record), format!("{what}; skipped"))),
        }
    }
    records.sort_by_key(|r| r.record);
    Ok((records, warnings))
}

/// Reads and checks the blob of one slot, returning the header blob inside it.
fn read_blob(bytes: &[u8], pkgidx: u32, blkoff: u64, blkcnt: u64) -> Result<Vec<u8>, BlobError> {
    let start = blkoff * BLK;
    let end = start + blkcnt * BLK; // both < 2^36: no overflow
    if end > bytes.len() as u64 {
        return Err(BlobError::PastEnd {
            start,
            blocks: blkcnt,
        });
    }
    let area = &bytes[start as usize..end as usize];
    if le32(area, 0) != Some(BLOB_HEAD_MAGIC) {
        return Err(BlobError::NoMagic { start });
    }
    if le32(area, 4) != Some(pkgidx) {
        return Err(BlobError::OtherPackage { start });
    }
    let len = le32(area, 12).unwrap_or(0) as usize;
    if len > MAX_HEADER_BLOB {
        return Err(BlobError::TooLong { len });
    }
    let want_blocks = (HEAD_LEN + len + TAIL_LEN).div_ceil(BLK as usize) as u64;
    if want_blocks != blkcnt {
        return Err(BlobError::BlockCount {
            len,
            needs: want_blocks,
            slot_says: blkcnt,
        });
    }
    let tail_at = area.len() - TAIL_LEN;
    let (sum, tail_len, tail_magic) = (
        le32(area, tail_at).unwrap_or(0),
        le32(area, tail_at + 4).unwrap_or(0) as usize,
        le32(area, tail_at + 8).unwrap_or(0),
    );
    if tail_magic != BLOB_TAIL_MAGIC || tail_len != len {
        return Err(BlobError::BadTail { start });
    }
    if adler32(&area[..tail_at]) != sum {
        return Err(BlobError::Checksum { start });
    }
    Ok(area[HEAD_LEN..HEAD_LEN + len].to_vec())
}

/// Adler-32 (RFC 1950), as rpm uses to check NDB blobs.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that can be summed before u32 overflow.
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_matches_expected, NDB};
    use super::*;
    use crate::catalog::testutil::damage_loop;

    #[test]
    fn ndb_file_lists_the_same_packages_as_the_sqlite_db() {
        let (packages, warnings) = read_ndb(NDB).expect("reads");
        assert_matches_expected(
            &packages,
            &warnings,
            include_str!("../test-fixtures/Packages.db.expected"),
        );
        assert!(packages.windows(2).all(|w| w[0].record < w[1].record));
    }

    #[test]
    fn adler32_matches_rfc_1950() {
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(b""), 1);
    }

    #[test]
    fn a_blob_failing_its_checksum_is_skipped() {
        let mut copy = NDB.to_vec();
        // The first blob starts right after the single slot page; flip a byte inside it.
        copy[PAGE + HEAD_LEN + 20] ^= 0xff;
        let (packages, warnings) = read_ndb(&copy).expect("reads");
        assert_eq!(packages.len(), 4);
        assert!(warnings[0].message.contains("Adler-32"));
    }

    #[test]
    fn a_slot_pointing_past_the_end_is_skipped() {
        let mut copy = NDB.to_vec();
        copy[HEADER_LEN + 8..HEADER_LEN + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        let (packages, warnings) = read_ndb(&copy).expect("reads");
        assert_eq!(packages.len(), 4);
        assert!(warnings[0].message.contains("past the end"));
    }

    #[test]
    fn slots_sharing_one_blob_are_read_once() {
        let mut copy = NDB.to_vec();
        // Point the second slot at the first slot's blob.
        let first = HEADER_LEN;
        let second = HEADER_LEN + SLOT_LEN;
        let blob_of_first = copy[first + 8..first + 16].to_vec();
        copy[second + 8..second + 16].copy_from_slice(&blob_of_first);
        let (packages, warnings) = read_ndb(&copy).expect("reads");
        assert_eq!(packages.len(), 4);
        assert!(warnings.iter().any(|w| w.message.contains("overlaps")));
    }

    #[test]
    fn slot_page_count_is_checked_against_the_file() {
        let mut copy = NDB.to_vec();
        copy[12..16].copy_from_slice(&1000u32.to_le_bytes());
        assert!(matches!(read_ndb(&copy), Err(Error::Damaged { .. })));
    }

    #[test]
    fn damaged_ndb_never_panics() {
        damage_loop(NDB, 1000, |b| {
            let _ = read_ndb(b);
        });
        damage_loop(&NDB[..PAGE], 1000, |b| {
            let mut full = b.to_vec();
            full.resize(PAGE, 0);
            full.extend_from_slice(&NDB[PAGE..]);
            let _ = read_ndb(&full);
        });
    }
}
