//! A read-only reader of the BerkeleyDB hash file that rpm < 4.16 used as `Packages`.
//!
//! The file is an array of pages of one size. Page 0 is the hash metadata page (magic
//! 0x061561, written in the byte order of the machine that created the file, so the magic
//! tells which order every other field is in). Bucket pages (type 13 `P_HASH`, or 2
//! `P_HASH_UNSORTED` from db < 4.6) hold an index of 16-bit item offsets; items alternate key,
//! data. An item is either inline (`H_KEYDATA`: a type byte, then the bytes up to the previous
//! item) or, when too large, an `H_OFFPAGE` reference (page number and total length) to a chain
//! of overflow pages (type 7), each holding `hf_offset` bytes after the page header.
//!
//! rpm's keys are 4-byte record numbers in the file's byte order; the data is the header blob.
//! Record 0 is rpm's own bookkeeping (the next free record number) and is skipped.
//!
//! This reader walks every page once in file order rather than hashing keys, follows each
//! overflow chain with every page claimed at most once (so loops end), and reports damaged
//! records as warnings. Encrypted databases are refused; checksummed pages are read (the
//! checksum itself is not verified).

use super::bytes::{be16, be32, le16, le32};
use super::{parse_records, Error, RawRecord, RpmPackage, RpmdbFormat, Warning, MAX_HEADER_BLOB};

const HASH_MAGIC: u32 = 0x061561;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_DUPLICATE: u8 = 2;
const H_OFFPAGE: u8 = 3;
const H_OFFDUP: u8 = 4;
/// `metaflags` bit: pages carry a checksum, which makes the page header 32 bytes.
const DBMETA_CHKSUM: u8 = 0x01;

/// The byte order a BerkeleyDB file was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Order {
    Little,
    Big,
}

/// The byte order of a BerkeleyDB hash file, from its metadata magic, or `None` if `bytes`
/// is not one.
pub(super) fn byte_order(bytes: &[u8]) -> Option<Order> {
    if le32(bytes, 12) == Some(HASH_MAGIC) {
        Some(Order::Little)
    } else if be32(bytes, 12) == Some(HASH_MAGIC) {
        Some(Order::Big)
    } else {
        None
    }
}

/// Reads a BerkeleyDB hash `Packages` file and parses each header blob, in record order.
pub fn read_bdb(bytes: &[u8]) -> Result<(Vec<RpmPackage>, Vec<Warning>), Error> {
    let (records, warnings) = packages_blobs(bytes)?;
    Ok(parse_records(records, warnings, usize::MAX))
}

/// Why the value of one record is skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum ItemError {
    /// A sorted-duplicates item (`H_DUPLICATE`, `H_OFFDUP`), which rpm never writes.
    #[error("duplicate data items are not used by rpm")]
    Duplicate,
    /// An item of a type BerkeleyDB hash pages do not have.
    #[error("unknown item type {0}")]
    UnknownType(u8),
    /// An `H_OFFPAGE` item too short to give its first page and length.
    #[error("off-page item is truncated")]
    OffPageTruncated,
    /// An `H_OFFPAGE` item announces a value larger than the file or rpm's header limit.
    #[error("off-page value of {total} bytes is larger than the file or rpm's header limit")]
    OffPageTooLarge {
        /// The announced length.
        total: usize,
    },
    /// The overflow chain reaches a page out of range, or one another chain already used.
    #[error("overflow chain reaches page {page}, which is missing or already used")]
    PageUnavailable {
        /// The page.
        page: u32,
    },
    /// The overflow chain reaches a page that is not an overflow page.
    #[error("overflow chain reaches page {page} of type {kind}")]
    NotOverflow {
        /// The page.
        page: u32,
        /// Its page type.
        kind: u8,
    },
    /// An overflow page claims more bytes than it holds.
    #[error("overflow page {page} claims {len} bytes")]
    OverflowClaims {
        /// The page.
        page: u32,
        /// The length it claims.
        len: usize,
    },
    /// The chain ends before the announced length.
    #[error("overflow chain holds {held} of {total} bytes")]
    ChainShort {
        /// The bytes the chain holds.
        held: usize,
        /// The announced length.
        total: usize,
    },
}

fn damaged(what: impl Into<String>) -> Error {
    Error::Damaged {
        format: RpmdbFormat::BerkeleyDb,
        what: what.into(),
    }
}

struct Db<'a> {
    bytes: &'a [u8],
    order: Order,
    page_size: usize,
    /// Bytes before the item index / overflow data on every page.
    overhead: usize,
    page_count: u32,
}

impl<'a> Db<'a> {
    fn u32(&self, b: &[u8], off: usize) -> Option<u32> {
        match self.order {
            Order::Little => le32(b, off),
            Order::Big => be32(b, off),
        }
    }

    fn u16(&self, b: &[u8], off: usize) -> Option<u16> {
        match self.order {
            Order::Little => le16(b, off),
            Order::Big => be16(b, off),
        }
    }

    fn page(&self, n: u32) -> Option<&'a [u8]> {
        let start = (n as usize).checked_mul(self.page_size)?;
        self.bytes.get(start..start.checked_add(self.page_size)?)
    }
}

/// The records of a `Packages` hash file as raw header blobs, in record-number order.
pub(super) fn packages_blobs(bytes: &[u8]) -> Result<(Vec<RawRecord>, Vec<Warning>), Error> {
    let order = byte_order(bytes).ok_or_else(|| damaged("no hash magic 0x061561 at offset 12"))?;
    if bytes.len() < 512 {
        return Err(damaged(format!(
            "{} bytes is shorter than a metadata page",
            bytes.len()
        )));
    }
    let mut db = Db {
        bytes,
        order,
        page_size: 0,
        overhead: 26,
        page_count: 0,
    };
    let page_size = db.u32(bytes, 20).unwrap_or(0);
    if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
        return Err(damaged(format!(
            "page size {page_size} is not a power of two in 512..=65536"
        )));
    }
    let meta_type = bytes[25];
    if meta_type != P_HASHMETA {
        return Err(damaged(format!(
            "page 0 has type {meta_type}, not the hash metadata type {P_HASHMETA}"
        )));
    }
    if bytes[24] != 0 {
        return Err(Error::Unsupported {
            format: RpmdbFormat::BerkeleyDb,
            what: "encrypted database".into(),
        });
    }
    db.page_size = page_size as usize;
    if bytes[26] & DBMETA_CHKSUM != 0 {
        db.overhead = 32;
    }
    let last_pgno = db.u32(bytes, 32).unwrap_or(0);
    let whole_pages = u32::try_from(bytes.len() / db.page_size).unwrap_or(u32::MAX);
    let mut warnings = Vec::new();
    if last_pgno >= whole_pages {
        warnings.push(Warning::new(
            None,
            format!(
                "metadata says the last page is {last_pgno} but the file holds {whole_pages} pages; reading what is there"
            ),
        ));
    }
    db.page_count = whole_pages.min(last_pgno.saturating_add(1));

    let mut claimed = vec![false; db.page_count as usize];
    let mut records: Vec<RawRecord> = Vec::new();
    for n in 1..db.page_count {
        let Some(page) = db.page(n) else { break };
        let kind = page[25];
        if kind != P_HASH && kind != P_HASH_UNSORTED {
            continue;
        }
        read_bucket_page(&db, n, page, &mut claimed, &mut records, &mut warnings);
    }
    records.sort_by_key(|r| r.record);
    let before = records.len();
    records.dedup_by_key(|r| r.record);
    if records.len() != before {
        warnings.push(Warning::new(
            None,
            format!(
                "{} duplicate record numbers; first copy kept",
                before - records.len()
            ),
        ));
    }
    Ok((records, warnings))
}

fn read_bucket_page(
    db: &Db<'_>,
    n: u32,
    page: &[u8],
    claimed: &mut [bool],
    records: &mut Vec<RawRecord>,
    warnings: &mut Vec<Warning>,
) {
    let entries = usize::from(db.u16(page, 20).unwrap_or(0));
    let max_entries = (db.page_size - db.overhead) / 2;
    if entries > max_entries {
        warnings.push(Warning::new(
            None,
            format!("bdb page {n}: {entries} entries cannot fit in a page; page skipped"),
        ));
        return;
    }
    // Item i runs from its offset up to the offset of item i-1 (or the end of the page).
    let item = |i: usize| -> Option<&[u8]> {
        let start = usize::from(db.u16(page, db.overhead + 2 * i)?);
        let end = if i == 0 {
            db.page_size
        } else {
            usize::from(db.u16(page, db.overhead + 2 * (i - 1))?)
        };
        if start < db.overhead + 2 * entries {
            return None;
        }
        page.get(start..end).filter(|s| !s.is_empty())
    };
    for pair in 0..entries / 2 {
        let (k, d) = (2 * pair, 2 * pair + 1);
        let (Some(key), Some(data)) = (item(k), item(d)) else {
            warnings.push(Warning::new(
                None,
                format!("bdb page {n}: item {k} or {d} lies outside the page; skipped"),
            ));
            continue;
        };
        let record = match (key[0], key.get(1..)) {
            (H_KEYDATA, Some(k)) if k.len() == 4 => db.u32(k, 0).unwrap_or(0),
            _ => {
                warnings.push(Warning::new(
                    None,
                    format!("bdb page {n}: key {k} is not a 4-byte record number; skipped"),
                ));
                continue;
            }
        };
        if record == 0 {
            continue; // rpm's bookkeeping record
        }
        let record = u64::from(record);
        let blob = match data[0] {
            H_KEYDATA => Ok(data[1..].to_vec()),
            H_OFFPAGE => read_overflow(db, data, claimed),
            H_DUPLICATE | H_OFFDUP => Err(ItemError::Duplicate),
            other => Err(ItemError::UnknownType(other)),
        };
        match blob {
            Ok(blob) => records.push(RawRecord { record, blob }),
            Err(what) => warnings.push(Warning::new(
                Some(record),
                format!("bdb page {n}: {what}; record skipped"),
            )),
        }
    }
}

/// Follows an `H_OFFPAGE` item's chain of overflow pages and returns the whole value.
fn read_overflow(db: &Db<'_>, item: &[u8], claimed: &mut [bool]) -> Result<Vec<u8>, ItemError> {
    let mut next = db.u32(item, 4).ok_or(ItemError::OffPageTruncated)?;
    let total = db.u32(item, 8).ok_or(ItemError::OffPageTruncated)? as usize;
    if total > MAX_HEADER_BLOB || total > db.bytes.len() {
        return Err(ItemError::OffPageTooLarge { total });
    }
    // Grow as pages arrive rather than trusting the announced length up front.
    let mut out = Vec::with_capacity(total.min(1 << 16));
    while out.len() < total {
        let page = usize::try_from(next)
            .ok()
            .filter(|&p| p != 0)
            .and_then(|p| claimed.get_mut(p))
            .filter(|seen| !**seen)
            .map(|seen| *seen = true)
            .and_then(|()| db.page(next))
            .ok_or(ItemError::PageUnavailable { page: next })?;
        if page[25] != P_OVERFLOW {
            return Err(ItemError::NotOverflow {
                page: next,
                kind: page[25],
            });
        }
        let len = usize::from(db.u16(page, 22).unwrap_or(0));
        let chunk = page
            .get(db.overhead..db.overhead + len)
            .ok_or(ItemError::OverflowClaims { page: next, len })?;
        let take = chunk.len().min(total - out.len());
        out.extend_from_slice(&chunk[..take]);
        next = db.u32(page, 16).unwrap_or(0);
        if next == 0 {
            break;
        }
    }
    if out.len() != total {
        return Err(ItemError::ChainShort {
            held: out.len(),
            total,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_matches_expected, BDB, BDB_BE};
    use super::*;
    use crate::catalog::testutil::damage_loop;

    const CHKSUM: &[u8] = include_bytes!("../test-fixtures/Packages-chksum.bdb");
    /// 3,000 real headers, little-endian, 4 KiB pages (test-fixtures/make_big_bdb.sh).
    const BIG: &[u8] = include_bytes!("../test-fixtures/Packages-big.bdb.zst");
    const BIG_EXPECTED: &[u8] = include_bytes!("../test-fixtures/Packages-big.bdb.expected.zst");
    /// The first 600 of them, big-endian, 1 KiB pages.
    const BIG_BE: &[u8] = include_bytes!("../test-fixtures/Packages-big-be.bdb.zst");
    const BIG_BE_EXPECTED: &[u8] =
        include_bytes!("../test-fixtures/Packages-big-be.bdb.expected.zst");

    fn unzstd(compressed: &[u8]) -> Vec<u8> {
        zstd::decode_all(compressed).expect("fixture decompresses")
    }

    fn unzstd_text(compressed: &[u8]) -> String {
        String::from_utf8(unzstd(compressed)).expect("expected list is UTF-8")
    }

    /// What a hash file's pages are, read straight from their headers (not through the
    /// reader), so that the big fixtures are known to hold what they are meant to test.
    #[derive(Debug)]
    struct Census {
        page_size: usize,
        bucket_pages: usize,
        /// Bucket pages continued on another bucket page (`next_pgno` set).
        chained_bucket_pages: usize,
        overflow_pages: usize,
        /// Overflow chains (values), and the longest one in pages.
        overflow_chains: usize,
        longest_overflow_chain: usize,
    }

    fn census(bytes: &[u8]) -> Census {
        let order = byte_order(bytes).expect("hash magic");
        let db = Db {
            bytes,
            order,
            page_size: 0,
            overhead: 26,
            page_count: 0,
        };
        let page_size = db.u32(bytes, 20).expect("page size") as usize;
        let pages: Vec<&[u8]> = bytes.chunks_exact(page_size).collect();
        let next = |p: &[u8]| db.u32(p, 16).expect("next_pgno") as usize;
        let prev = |p: &[u8]| db.u32(p, 12).expect("prev_pgno");
        let mut c = Census {
            page_size,
            bucket_pages: 0,
            chained_bucket_pages: 0,
            overflow_pages: 0,
            overflow_chains: 0,
            longest_overflow_chain: 0,
        };
        for page in &pages[1..] {
            match page[25] {
                P_HASH => {
                    c.bucket_pages += 1;
                    c.chained_bucket_pages += usize::from(next(page) != 0);
                }
                P_OVERFLOW => {
                    c.overflow_pages += 1;
                    if prev(page) == 0 {
                        c.overflow_chains += 1;
                        let (mut len, mut n) = (1, next(page));
                        while n != 0 {
                            len += 1;
                            n = next(pages[n]);
                        }
                        c.longest_overflow_chain = c.longest_overflow_chain.max(len);
                    }
                }
                _ => {}
            }
        }
        c
    }

    #[test]
    fn db53_written_hash_file_lists_what_rpm_lists() {
        let (packages, warnings) = read_bdb(BDB).expect("reads");
        assert_matches_expected(
            &packages,
            &warnings,
            include_str!("../test-fixtures/Packages.bdb.expected"),
        );
    }

    #[test]
    fn records_come_out_in_record_number_order_without_record_0() {
        let (packages, _) = read_bdb(BDB).expect("reads");
        let numbers: Vec<u64> = packages.iter().map(|p| p.record).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn big_endian_files_are_told_by_the_magic() {
        assert_eq!(byte_order(BDB), Some(Order::Little));
        assert_eq!(byte_order(BDB_BE), Some(Order::Big));
        let (packages, warnings) = read_bdb(BDB_BE).expect("reads");
        assert_matches_expected(
            &packages,
            &warnings,
            include_str!("../test-fixtures/Packages-be.bdb.expected"),
        );
    }

    #[test]
    fn checksummed_pages_have_a_32_byte_header() {
        assert_eq!(CHKSUM[26] & DBMETA_CHKSUM, DBMETA_CHKSUM);
        let (packages, warnings) = read_bdb(CHKSUM).expect("reads");
        assert_matches_expected(
            &packages,
            &warnings,
            include_str!("../test-fixtures/Packages.bdb.expected"),
        );
    }

    #[test]
    fn large_headers_come_from_overflow_chains() {
        let (packages, _) = read_bdb(BDB).expect("reads");
        let tool = packages
            .iter()
            .find(|p| p.name == "layerbom-tool")
            .expect("tool");
        assert_eq!(tool.files.len(), 6 * 40 + 7);
    }

    #[test]
    fn thousands_of_db53_headers_list_what_rpm_lists() {
        let (packages, warnings) = read_bdb(&unzstd(BIG)).expect("reads");
        assert_eq!(packages.len(), 3000);
        assert_matches_expected(&packages, &warnings, &unzstd_text(BIG_EXPECTED));
        let numbers: Vec<u64> = packages.iter().map(|p| p.record).collect();
        assert_eq!(numbers, (1..=3000).collect::<Vec<u64>>());
        // The one header of 2,000 files (and their directory): ~350 KiB on 88 overflow pages.
        let widest = packages.iter().map(|p| p.files.len()).max();
        assert_eq!(widest, Some(2001));
    }

    #[test]
    fn hundreds_of_big_endian_headers_on_1k_pages_list_what_rpm_lists() {
        let (packages, warnings) = read_bdb(&unzstd(BIG_BE)).expect("reads");
        assert_eq!(packages.len(), 600);
        assert_matches_expected(&packages, &warnings, &unzstd_text(BIG_BE_EXPECTED));
    }

    /// The big fixtures exist to exercise overflow chains (every rpm header is one) and
    /// buckets that continue on a second page: this fails if a regenerated fixture stops
    /// having them.
    #[test]
    fn the_big_fixtures_have_overflow_chains_and_multi_page_buckets() {
        let le = census(&unzstd(BIG));
        assert_eq!(le.page_size, 4096);
        assert_eq!(le.overflow_chains, 3000, "{le:?}");
        assert!(le.overflow_pages > 4000, "{le:?}");
        assert!(le.longest_overflow_chain >= 50, "{le:?}");
        assert!(le.chained_bucket_pages >= 2, "{le:?}");
        assert!(le.bucket_pages > le.chained_bucket_pages, "{le:?}");

        let be = census(&unzstd(BIG_BE));
        assert_eq!(be.page_size, 1024);
        assert_eq!(be.overflow_chains, 600, "{be:?}");
        assert!(be.longest_overflow_chain >= 20, "{be:?}");
        assert!(be.chained_bucket_pages >= 2, "{be:?}");
    }

    /// Damage aimed at the bucket pages (the first and continuation pages of every bucket)
    /// of the big-endian fixture: the random damage of `damaged_bdb_never_panics` mostly
    /// lands in header data, which is most of the file.
    #[test]
    fn damaged_bucket_pages_of_a_big_file_never_panic() {
        let db = unzstd(BIG_BE);
        let ps = 1024;
        let buckets: Vec<usize> = (1..db.len() / ps)
            .filter(|n| db[n * ps + 25] == P_HASH)
            .collect();
        assert!(buckets.len() > 10);
        for n in buckets {
            damage_loop(&db[n * ps..(n + 1) * ps], 10, |page| {
                let mut copy = db.clone();
                copy[n * ps..n * ps + page.len()].copy_from_slice(page);
                let _ = read_bdb(&copy);
            });
        }
    }

    #[test]
    fn an_overflow_loop_is_a_warning_not_a_hang() {
        let mut copy = BDB.to_vec();
        let ps = 4096;
        // Make every overflow page point at itself.
        for n in 1..copy.len() / ps {
            let p = n * ps;
            if copy[p + 25] == P_OVERFLOW {
                copy[p + 16..p + 20].copy_from_slice(&(n as u32).to_le_bytes());
            }
        }
        let (packages, warnings) = read_bdb(&copy).expect("structure reads");
        assert!(warnings.iter().any(|w| w.message.contains("already used")));
        assert!(packages.len() < 5);
    }

    #[test]
    fn an_encrypted_db_is_refused() {
        let mut copy = BDB.to_vec();
        copy[24] = 1;
        assert!(matches!(read_bdb(&copy), Err(Error::Unsupported { .. })));
    }

    #[test]
    fn a_bad_page_size_is_damage() {
        let mut copy = BDB.to_vec();
        copy[20..24].copy_from_slice(&1000u32.to_le_bytes());
        assert!(matches!(read_bdb(&copy), Err(Error::Damaged { .. })));
    }

    #[test]
    fn damaged_bdb_never_panics() {
        for db in [BDB, BDB_BE, CHKSUM] {
            damage_loop(db, 800, |b| {
                let _ = read_bdb(b);
            });
        }
        // Concentrate damage on the metadata and the first bucket page.
        damage_loop(&BDB[..8192], 1000, |b| {
            let mut full = b.to_vec();
            full.extend_from_slice(BDB.get(8192..).unwrap_or(&[]));
            let _ = read_bdb(&full);
        });
    }
}
