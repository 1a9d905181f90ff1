//! A read-only reader of just enough of the SQLite 3 file format to list rpm's `Packages` table.
//!
//! rpm ≥ 4.16 keeps its database in `rpmdb.sqlite`, one row per package in
//! `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`. Reading it needs no SQL engine: the file
//! is a list of fixed-size pages; page 1 starts with a 100-byte file header and holds the
//! schema table (`sqlite_schema`), whose rows give each table's root page; a table is a
//! b-tree of interior pages (type 0x05: child page numbers) and leaf pages (type 0x0D: rows
//! as records of varint serial types); a row too large for its page continues on a chain of
//! overflow pages. Each page may end in `reserved` bytes that hold no data.
//!
//! Hostile files are expected: every page is visited at most once (so a b-tree or an
//! overflow chain that loops ends with a warning), every cell offset and payload length is
//! checked against the page and the file before use, and a damaged row is skipped with a
//! warning. Only the main database file is read: rows still in a `-wal` file that was never
//! checkpointed are not seen.

use super::bytes::{be16, be32};
use super::{parse_records, Error, RawRecord, RpmPackage, RpmdbFormat, Warning};

/// The 16 bytes every SQLite 3 database starts with.
pub(super) const MAGIC: &[u8] = b"SQLite format 3\0";

const LEAF_TABLE: u8 = 0x0D;
const INTERIOR_TABLE: u8 = 0x05;

/// Why one row (a table-leaf cell) cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum CellError {
    /// The cell pointer names an offset past the page: the cells after it are not trusted.
    #[error("cell pointer lies outside the page")]
    PointerOutside,
    /// The payload size varint is cut by the end of the page.
    #[error("payload size runs off the page")]
    SizeRunsOff,
    /// The rowid varint is cut by the end of the page.
    #[error("rowid runs off the page")]
    RowidRunsOff,
    /// The payload claims more bytes than the file has.
    #[error("payload of {size} bytes is larger than the whole file")]
    LargerThanFile {
        /// The payload size the cell claims.
        size: u64,
    },
    /// The rows read so far, with this one, hold more payload than the file: cells share
    /// bytes, and reading on could multiply memory.
    #[error("rows add up to more payload than the file holds (cells share bytes)")]
    OverBudget,
    /// The part of the payload stored on the page runs past its end.
    #[error("payload runs past the end of its page")]
    PastPage,
    /// The number of the first overflow page is cut by the end of the page.
    #[error("overflow page number runs off the page")]
    OverflowNumberRunsOff,
    /// An overflow page is out of range or already visited.
    #[error("overflow chain broken at page {page}")]
    ChainBroken {
        /// The overflow page.
        page: u32,
    },
    /// An overflow page holds fewer bytes than the payload still needs.
    #[error("overflow page too short")]
    OverflowTooShort,
}

/// Reads the `Packages` table of an `rpmdb.sqlite` and parses each header blob.
pub fn read_sqlite(bytes: &[u8]) -> Result<(Vec<RpmPackage>, Vec<Warning>), Error> {
    let (records, warnings) = packages_blobs(bytes)?;
    Ok(parse_records(records, warnings, usize::MAX))
}

fn damaged(what: impl Into<String>) -> Error {
    Error::Damaged {
        format: RpmdbFormat::Sqlite,
        what: what.into(),
    }
}

/// The rows of `Packages` as raw header blobs, in `hnum` order.
pub(super) fn packages_blobs(bytes: &[u8]) -> Result<(Vec<RawRecord>, Vec<Warning>), Error> {
    let db = Db::open(bytes)?;
    // In a sound file no two rows share payload bytes, so all payloads together fit in the
    // file; cells that point at the same bytes cannot multiply memory past this budget.
    db.budget.set(bytes.len());
    let mut visited = vec![false; db.page_count as usize + 1];
    let mut warnings = Vec::new();

    let mut schema = Vec::new();
    db.walk_table(1, &mut visited, &mut warnings, &mut |_, payload| {
        schema.push(payload)
    });
    let root = schema
        .iter()
        .filter_map(|payload| record(payload))
        .find_map(|cols| {
            let is_table = matches!(cols.first(), Some(Value::Text(t)) if db.text_is(t, "table"));
            let is_packages =
                matches!(cols.get(1), Some(Value::Text(t)) if db.text_is(t, "Packages"));
            match cols.get(3) {
                Some(Value::Int(root)) if is_table && is_packages => Some(*root),
                _ => None,
            }
        })
        .ok_or_else(|| damaged("the schema on page 1 has no Packages table"))?;
    let root = u32::try_from(root)
        .ok()
        .filter(|&r| r >= 1 && r <= db.page_count)
        .ok_or_else(|| {
            damaged(format!(
                "the Packages table's root page {root} is not in the file"
            ))
        })?;

    let mut records = Vec::new();
    let mut row_warnings = Vec::new();
    db.walk_table(root, &mut visited, &mut warnings, &mut |rowid, payload| {
        let record_no = u64::try_from(rowid).unwrap_or(0);
        let blob = record(&payload).and_then(|cols| {
            // `hnum` is the rowid (stored as NULL); the blob is the first BLOB column.
            cols.into_iter().find_map(|v| match v {
                Value::Blob(b) => Some(b.to_vec()),
                _ => None,
            })
        });
        match blob {
            Some(blob) => records.push(RawRecord {
                record: record_no,
                blob,
            }),
            None => row_warnings.push(Warning::new(
                Some(record_no),
                "Packages row has no blob column; skipped",
            )),
        }
    });
    warnings.extend(row_warnings);
    Ok((records, warnings))
}

struct Db<'a> {
    bytes: &'a [u8],
    /// Payload bytes that may still be read (see `packages_blobs`).
    budget: std::cell::Cell<usize>,
    page_size: usize,
    usable: usize,
    page_count: u32,
    /// 1 = UTF-8, 2 = UTF-16le, 3 = UTF-16be.
    encoding: u32,
}

impl<'a> Db<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, Error> {
        if !bytes.starts_with(MAGIC) || bytes.len() < 100 {
            return Err(damaged("file header is missing or shorter than 100 bytes"));
        }
        let raw_size = be16(bytes, 16).unwrap_or(0);
        let page_size = match raw_size {
            1 => 65536,
            n if n.is_power_of_two() && (512..=32768).contains(&n) => usize::from(n),
            n => {
                return Err(damaged(format!(
                    "page size field {n} is not a valid page size"
                )))
            }
        };
        let (write_version, read_version) = (bytes[18], bytes[19]);
        if write_version > 2 || read_version > 2 {
            return Err(Error::Unsupported {
                format: RpmdbFormat::Sqlite,
                what: format!("file format version {write_version}/{read_version}"),
            });
        }
        let reserved = usize::from(bytes[20]);
        let usable = page_size - reserved;
        if usable < 480 {
            return Err(damaged(format!(
                "{reserved} reserved bytes leave {usable} usable bytes per page (minimum 480)"
            )));
        }
        let page_count = u32::try_from(bytes.len() / page_size).unwrap_or(u32::MAX);
        if page_count == 0 {
            return Err(damaged(format!(
                "file of {} bytes holds no whole {page_size}-byte page",
                bytes.len()
            )));
        }
        let encoding = be32(bytes, 56).unwrap_or(1);
        Ok(Db {
            bytes,
            budget: std::cell::Cell::new(bytes.len()),
            page_size,
            usable,
            page_count,
            encoding,
        })
    }

    /// Page `n` (1-based), cut to its usable part.
    fn page(&self, n: u32) -> Option<&'a [u8]> {
        if n == 0 || n > self.page_count {
            return None;
        }
        let start = (n as usize - 1) * self.page_size;
        self.bytes.get(start..start + self.usable)
    }

    fn text_is(&self, raw: &[u8], want: &str) -> bool {
        match self.encoding {
            2 => raw
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .eq(want.encode_utf16()),
            3 => raw
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .eq(want.encode_utf16()),
            _ => raw == want.as_bytes(),
        }
    }

    /// Visits every row of the table b-tree rooted at `root`, in rowid order, handing each
    /// row's rowid and complete payload to `row`. Damaged pages and rows become warnings.
    fn walk_table(
        &self,
        root: u32,
        visited: &mut [bool],
        warnings: &mut Vec<Warning>,
        row: &mut dyn FnMut(i64, Vec<u8>),
    ) {
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            let Some(page) = self.claim(n, visited, warnings, "b-tree") else {
                continue;
            };
            let hdr = if n == 1 { 100 } else { 0 };
            let kind = page.get(hdr).copied().unwrap_or(0);
            let cells = usize::from(be16(page, hdr + 3).unwrap_or(0));
            match kind {
                INTERIOR_TABLE => {
                    let right = be32(page, hdr + 8).unwrap_or(0);
                    let mut children = Vec::with_capacity(cells.min(page.len() / 2) + 1);
                    for i in 0..cells {
                        let child = be16(page, hdr + 12 + 2 * i)
                            .and_then(|ptr| be32(page, usize::from(ptr)));
                        match child {
                            Some(c) => children.push(c),
                            None => {
                                warnings.push(Warning::new(
                                    None,
                                    format!("sqlite page {n}: cell {i} lies outside the page"),
                                ));
                                break;
                            }
                        }
                    }
                    children.push(right);
                    // Last pushed is visited first: push in reverse to keep rowid order.
                    stack.extend(children.into_iter().rev());
                }
                LEAF_TABLE => {
                    for i in 0..cells {
                        match self.leaf_cell(page, hdr + 8 + 2 * i, visited, warnings) {
                            Ok((rowid, payload)) => row(rowid, payload),
                            Err(what @ CellError::OverBudget) => {
                                warnings.push(Warning::new(
                                    None,
                                    format!("sqlite page {n}: {what}; reading stopped"),
                                ));
                                return;
                            }
                            Err(what) => {
                                warnings.push(Warning::new(
                                    None,
                                    format!("sqlite page {n} cell {i}: {what}; row skipped"),
                                ));
                                if what == CellError::PointerOutside {
                                    break;
                                }
                            }
                        }
                    }
                }
                other => warnings.push(Warning::new(
                    None,
                    format!(
                        "sqlite page {n} is not a table b-tree page (type {other:#04x}); skipped"
                    ),
                )),
            }
        }
    }

    /// Marks page `n` as visited and returns it, or warns if it is out of range or was
    /// already visited (a loop, or two owners for one page).
    fn claim(
        &self,
        n: u32,
        visited: &mut [bool],
        warnings: &mut Vec<Warning>,
        role: &str,
    ) -> Option<&'a [u8]> {
        let Some(page) = self.page(n) else {
            warnings.push(Warning::new(
                None,
                format!(
                    "sqlite {role} page {n} is outside the {}-page file",
                    self.page_count
                ),
            ));
            return None;
        };
        match visited.get_mut(n as usize) {
            Some(seen) if !*seen => {
                *seen = true;
                Some(page)
            }
            _ => {
                warnings.push(Warning::new(
                    None,
                    format!("sqlite {role} page {n} is reached a second time (a loop?); skipped"),
                ));
                None
            }
        }
    }

    /// Reads the table-leaf cell whose pointer is at `ptr_at`: its rowid and whole payload.
    fn leaf_cell(
        &self,
        page: &[u8],
        ptr_at: usize,
        visited: &mut [bool],
        warnings: &mut Vec<Warning>,
    ) -> Result<(i64, Vec<u8>), CellError> {
        let ptr = be16(page, ptr_at)
            .map(usize::from)
            .filter(|&p| p < page.len())
            .ok_or(CellError::PointerOutside)?;
        let cell = page.get(ptr..).ok_or(CellError::PointerOutside)?;
        let (size, a) = varint(cell).ok_or(CellError::SizeRunsOff)?;
        let (rowid, b) = varint(cell.get(a..).unwrap_or(&[])).ok_or(CellError::RowidRunsOff)?;
        let body = cell.get(a + b..).unwrap_or(&[]);
        // A payload cannot be larger than the file that holds it.
        if size > self.bytes.len() as u64 {
            return Err(CellError::LargerThanFile { size });
        }
        let size = size as usize;
        let budget = self.budget.get();
        if size > budget {
            return Err(CellError::OverBudget);
        }
        self.budget.set(budget - size);
        let local = self.local_payload(size);
        let mut payload = Vec::with_capacity(size);
        payload.extend_from_slice(body.get(..local).ok_or(CellError::PastPage)?);
        if local < size {
            let mut next = be32(body, local).ok_or(CellError::OverflowNumberRunsOff)?;
            while payload.len() < size {
                let over = self
                    .claim(next, visited, warnings, "overflow")
                    .ok_or(CellError::ChainBroken { page: next })?;
                let want = (size - payload.len()).min(self.usable - 4);
                payload
                    .extend_from_slice(over.get(4..4 + want).ok_or(CellError::OverflowTooShort)?);
                next = be32(over, 0).unwrap_or(0);
            }
        }
        Ok((rowid as i64, payload))
    }

    /// How many payload bytes of a table-leaf cell are stored on the page itself.
    fn local_payload(&self, size: usize) -> usize {
        let u = self.usable;
        let max_local = u - 35;
        if size <= max_local {
            return size;
        }
        let min_local = (u - 12) * 32 / 255 - 23;
        let k = min_local + (size - min_local) % (u - 4);
        if k <= max_local {
            k
        } else {
            min_local
        }
    }
}

/// A SQLite varint: 1–9 bytes, big-endian, 7 bits a byte, the ninth byte whole.
fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for i in 0..9 {
        let byte = *b.get(i)?;
        if i == 8 {
            return Some(((v << 8) | u64::from(byte), 9));
        }
        v = (v << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// One column value of a record.
#[derive(Debug, PartialEq)]
enum Value<'a> {
    Null,
    Int(i64),
    Float,
    Blob(&'a [u8]),
    Text(&'a [u8]),
}

/// Decodes a record: a header of varint serial types, then the values.
fn record(payload: &[u8]) -> Option<Vec<Value<'_>>> {
    let (header_len, mut pos) = varint(payload)?;
    let header_len = usize::try_from(header_len).ok()?;
    if header_len > payload.len() || header_len < pos {
        return None;
    }
    let mut body = header_len;
    let mut out = Vec::new();
    while pos < header_len {
        let (serial, n) = varint(payload.get(pos..header_len)?)?;
        pos += n;
        let int = |len: usize, at: usize| -> Option<i64> {
            let raw = payload.get(at..at.checked_add(len)?)?;
            let first = i64::from(*raw.first()? as i8);
            Some(
                raw[1..]
                    .iter()
                    .fold(first, |acc, &b| (acc << 8) | i64::from(b)),
            )
        };
        let (value, len) = match serial {
            0 => (Value::Null, 0),
            1..=4 => {
                let len = serial as usize;
                (Value::Int(int(len, body)?), len)
            }
            5 => (Value::Int(int(6, body)?), 6),
            6 => (Value::Int(int(8, body)?), 8),
            7 => (Value::Float, 8),
            8 => (Value::Int(0), 0),
            9 => (Value::Int(1), 0),
            10 | 11 => return None,
            n => {
                let len = usize::try_from((n - 12) / 2).ok()?;
                let raw = payload.get(body..body.checked_add(len)?)?;
                if n % 2 == 0 {
                    (Value::Blob(raw), len)
                } else {
                    (Value::Text(raw), len)
                }
            }
        };
        body = body.checked_add(len)?;
        if body > payload.len() {
            return None;
        }
        out.push(value);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_matches_expected, SQLITE, SQLITE_64K, SQLITE_RESERVED};
    use super::*;
    use crate::catalog::testutil::damage_loop;

    const EXPECTED: &str = include_str!("../test-fixtures/rpmdb.sqlite.expected");

    #[test]
    fn rpm_written_sqlite_db_lists_what_rpm_lists() {
        let (packages, warnings) = read_sqlite(SQLITE).expect("reads");
        assert_matches_expected(&packages, &warnings, EXPECTED);
        // rowid order is hnum order, which is install order.
        assert!(packages.windows(2).all(|w| w[0].record < w[1].record));
    }

    #[test]
    fn page_size_65536_is_encoded_as_1() {
        assert_eq!(be16(SQLITE_64K, 16), Some(1));
        let (packages, warnings) = read_sqlite(SQLITE_64K).expect("reads");
        assert_matches_expected(&packages, &warnings, EXPECTED);
    }

    #[test]
    fn large_headers_are_reassembled_from_overflow_pages() {
        // With 1 KiB pages every header here is larger than a page.
        assert_eq!(be16(SQLITE, 16), Some(1024));
        let (packages, _) = read_sqlite(SQLITE).expect("reads");
        let tool = packages
            .iter()
            .find(|p| p.name == "layerbom-tool")
            .expect("tool package");
        assert_eq!(tool.files.len(), 6 * 40 + 7);
        assert_eq!(
            tool.requires
                .iter()
                .filter(|d| d.name == "layerbom-libfoo")
                .count(),
            1
        );
    }

    #[test]
    fn reserved_bytes_shrink_the_usable_page() {
        let db = Db::open(SQLITE_RESERVED).expect("opens");
        assert_eq!((db.page_size, db.usable), (1024, 1024 - 32));
        let (packages, warnings) = read_sqlite(SQLITE_RESERVED).expect("reads");
        assert_matches_expected(&packages, &warnings, EXPECTED);
    }

    #[test]
    fn too_many_reserved_bytes_are_damage() {
        let mut copy = SQLITE.to_vec();
        copy[20] = 200; // 1024 - 200 < 480
        assert!(matches!(read_sqlite(&copy), Err(Error::Damaged { .. })));
    }

    #[test]
    fn cells_sharing_one_payload_cannot_multiply_memory() {
        // A 64 KiB page whose 30000 cell pointers all name the same 60000-byte row.
        let mut db = SQLITE_64K[..65536 * 2].to_vec();
        let page = &mut db[65536..];
        page.fill(0);
        page[0] = LEAF_TABLE;
        page[3..5].copy_from_slice(&30000u16.to_be_bytes());
        let cell = 61000usize;
        for i in 0..30000 {
            page[8 + 2 * i..10 + 2 * i].copy_from_slice(&(cell as u16).to_be_bytes());
        }
        // payload size 3000 (2-byte varint), rowid 1, then a record: one 2990-byte blob.
        page[cell..cell + 3].copy_from_slice(&[0x97, 0x38, 1]);
        let (records, warnings) = packages_blobs_with_root(&db, 2);
        assert!(records.len() < 100);
        assert!(
            warnings.iter().any(|w| w.message
                == "sqlite page 2: rows add up to more payload than the file holds \
                    (cells share bytes); reading stopped"),
            "{warnings:?}"
        );
    }

    /// Walks the table at `root` directly, for tests that build their own pages.
    fn packages_blobs_with_root(bytes: &[u8], root: u32) -> (Vec<Vec<u8>>, Vec<Warning>) {
        let db = Db::open(bytes).expect("opens");
        let mut visited = vec![false; db.page_count as usize + 1];
        let mut warnings = Vec::new();
        let mut rows = Vec::new();
        db.walk_table(root, &mut visited, &mut warnings, &mut |_, p| rows.push(p));
        (rows, warnings)
    }

    #[test]
    fn varints_take_up_to_nine_bytes() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81]), None);
    }

    #[test]
    fn record_serial_types_give_ints_text_and_blobs() {
        // header: len 5, types NULL, int8, text(2), blob(1); body: 7, "ab", 0xff
        let rec = [5u8, 0, 1, 17, 14, 7, b'a', b'b', 0xff];
        assert_eq!(
            record(&rec),
            Some(vec![
                Value::Null,
                Value::Int(7),
                Value::Text(b"ab"),
                Value::Blob(&[0xff])
            ])
        );
        // A blob longer than the payload is refused.
        assert_eq!(record(&[2u8, 20]), None);
    }

    #[test]
    fn a_page_cycle_ends_with_a_warning() {
        // Point every overflow chain's first page back at itself: the chain must stop.
        let mut copy = SQLITE.to_vec();
        let db = Db::open(SQLITE).expect("opens");
        let ps = db.page_size;
        for n in 1..db.page_count {
            let start = n as usize * ps;
            // Overflow pages have no b-tree type byte; make each point to itself.
            if ![0x02, 0x05, 0x0a, 0x0d].contains(&copy[start]) {
                copy[start..start + 4].copy_from_slice(&(n + 1).to_be_bytes());
            }
        }
        let (_, warnings) = read_sqlite(&copy).expect("structure still reads");
        assert!(warnings.iter().any(|w| w.message.contains("second time")));
    }

    #[test]
    fn a_db_without_packages_table_is_an_error() {
        let mut copy = SQLITE.to_vec();
        let mut renamed = 0;
        for at in 0..copy.len().saturating_sub(8) {
            if &copy[at..at + 8] == b"Packages" {
                copy[at] = b'X';
                renamed += 1;
            }
        }
        assert!(renamed > 0);
        assert!(matches!(read_sqlite(&copy), Err(Error::Damaged { .. })));
    }

    #[test]
    fn damaged_sqlite_never_panics() {
        damage_loop(SQLITE, 1500, |b| {
            let _ = read_sqlite(b);
        });
        // Damage concentrated on page 1 (schema, file header) and the first pages.
        damage_loop(&SQLITE[..8192], 1500, |b| {
            let mut full = b.to_vec();
            full.extend_from_slice(SQLITE.get(8192..).unwrap_or(&[]));
            let _ = read_sqlite(&full);
        });
    }
}
