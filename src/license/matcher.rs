//! The license text matcher: askalono's algorithm over an index built at compile time.
//!
//! `build.rs` takes askalono's SPDX texts (from the `spdx` crate) and writes their word
//! bigrams as an inverted index: each distinct bigram's 64-bit hash, with the texts that hold
//! it and how often (see `build.rs` for the layout). The index is embedded with
//! `include_bytes!` and read in place: loading it means checking its header and tables once,
//! well under a millisecond, with no decompression and no copies of the bigram data.
//!
//! Matching follows askalono (`spdx::detection`) as layerbom configured it, step by step:
//!
//! - A text is normalized ([`super::normalize`]) into lines and then a processed text, whose
//!   word bigrams are counted. Two texts score by Dice's coefficient over the bigram
//!   multisets, `2·Σ min(count_a, count_b) / (size_a + size_b)`, computed in `f32` as
//!   askalono does, so scores are the same to the bit.
//! - [`Index::analyze`] scores a text against every indexed text (originals, alternates,
//!   headers) and keeps the best: each of the text's bigrams is looked up once, and what it
//!   shares with every text that holds it is added up. Ties: askalono sorts with an unstable
//!   sort over hash-map order, so which of equal scores wins varies from run to run; here the
//!   first in index order wins: the smallest name in byte order, then original before
//!   alternates before headers.
//! - [`scan`] is askalono's elimination scan: the best overall match counts if it scores
//!   above the threshold, and ends the scan if it scores above 0.99; otherwise, up to
//!   `max_passes` times, the lines holding the best match are located (ternary searches of
//!   the end line, then of the start line, each candidate range normalized afresh), the match
//!   is kept if it still scores at least the threshold, its lines are blanked, and the rest is
//!   analyzed again.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::{normalize, ranges};

/// The index written by `build.rs`.
static INDEX_BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/license-index.bin"));

const MAGIC: &[u8; 8] = b"LBLIDX02";

/// The hash array is cut into this many buckets by a hash's top 16 bits.
const BUCKETS: usize = 1 << 16;

/// An overall score above this ends the scan at once (askalono's `shallow_limit`).
const SHALLOW_LIMIT: f32 = 0.99;

/// What kind of text of a license an indexed text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The license text itself.
    Original,
    /// Another form of the same text.
    Alternate,
    /// The short notice that applies the license to a file.
    Header,
}

/// One indexed text.
#[derive(Debug, Clone, Copy)]
struct Entry {
    name: usize,
    kind: Kind,
    /// Bigrams with repeats.
    size: usize,
}

/// The embedded index: license names, texts, and the inverted bigram arrays, borrowed from
/// the binary.
#[derive(Debug)]
pub struct Index {
    names: Vec<&'static str>,
    texts: Vec<Entry>,
    /// `u64` little-endian per distinct bigram, increasing.
    hashes: &'static [u8],
    /// `u32` little-endian per bigram, plus one: where its postings start.
    starts: &'static [u8],
    /// `u32` little-endian per value of a hash's top 16 bits, plus one: its first bigram.
    buckets: &'static [u8],
    /// `u16` little-endian per posting: the text that holds the bigram.
    posting_texts: &'static [u8],
    /// `u16` little-endian per posting: how often the text holds it.
    posting_counts: &'static [u8],
}

/// The embedded index, checked on first use; `None` if it is malformed, which would be a bug
/// in `build.rs`.
pub fn index() -> Option<&'static Index> {
    static INDEX: OnceLock<Option<Index>> = OnceLock::new();
    INDEX.get_or_init(|| Index::parse(INDEX_BYTES)).as_ref()
}

/// Reads little-endian integers off the front of a byte slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let head = self.0.get(..n)?;
        self.0 = &self.0[n..];
        Some(head)
    }

    fn u32(&mut self) -> Option<usize> {
        let bytes = self.take(4)?;
        let mut word = [0u8; 4];
        word.copy_from_slice(bytes);
        usize::try_from(u32::from_le_bytes(word)).ok()
    }

    /// Skips the padding that brings `start + consumed` to a multiple of 8.
    fn align(&mut self, total: usize) -> Option<()> {
        let consumed = total - self.0.len();
        self.take((8 - consumed % 8) % 8).map(|_| ())
    }
}

/// The `k`-th little-endian integer of `N` bytes in `bytes`; 0 past the end (which `parse`
/// rules out wherever the index points).
fn read_le<const N: usize>(bytes: &[u8], k: usize) -> u64 {
    let mut word = [0u8; 8];
    if let Some(b) = bytes.get(k * N..k * N + N) {
        word[..N].copy_from_slice(b);
    }
    u64::from_le_bytes(word)
}

/// Whether the `n + 1` little-endian `u32`s of `table` run from 0 to `last` without going
/// back.
fn rises(table: &[u8], n: usize, last: usize) -> bool {
    let mut previous = 0;
    for k in 0..=n {
        let value = read_le::<4>(table, k);
        if value < previous || (k == 0 && value != 0) {
            return false;
        }
        previous = value;
    }
    usize::try_from(previous).is_ok_and(|p| p == last)
}

impl Index {
    /// Whether `name` is one of the licenses of the index.
    pub fn has(&self, name: &str) -> bool {
        self.names.contains(&name)
    }

    /// Checks the header, the table of texts, the bigram starts and the names; `None` on any
    /// inconsistency. Postings naming a text past the table count for nothing.
    fn parse(bytes: &'static [u8]) -> Option<Index> {
        let total = bytes.len();
        let mut r = Reader(bytes);
        if r.take(MAGIC.len())? != MAGIC {
            return None;
        }
        let (n_names, n_texts, n_grams, n_postings, name_bytes) =
            (r.u32()?, r.u32()?, r.u32()?, r.u32()?, r.u32()?);
        r.align(total)?;
        let mut texts = Vec::with_capacity(n_texts.min(bytes.len() / 12));
        for _ in 0..n_texts {
            let (name, kind, size) = (r.u32()?, r.u32()?, r.u32()?);
            let kind = match kind {
                0 => Kind::Original,
                1 => Kind::Alternate,
                2 => Kind::Header,
                _ => return None,
            };
            if name >= n_names {
                return None;
            }
            texts.push(Entry { name, kind, size });
        }
        r.align(total)?;
        let hashes = r.take(n_grams.checked_mul(8)?)?;
        let starts = r.take(n_grams.checked_add(1)?.checked_mul(4)?)?;
        let buckets = r.take((BUCKETS + 1) * 4)?;
        let posting_texts = r.take(n_postings.checked_mul(2)?)?;
        let posting_counts = r.take(n_postings.checked_mul(2)?)?;
        // Starts run from 0 to the number of postings, buckets from 0 to the number of
        // bigrams, neither going back.
        if !rises(starts, n_grams, n_postings) || !rises(buckets, BUCKETS, n_grams) {
            return None;
        }
        r.align(total)?;
        let mut offsets = Vec::with_capacity(n_names.min(bytes.len() / 4) + 1);
        for _ in 0..=n_names {
            offsets.push(r.u32()?);
        }
        r.align(total)?;
        let blob = std::str::from_utf8(r.take(name_bytes)?).ok()?;
        let names = offsets
            .windows(2)
            .map(|w| blob.get(w[0]..w[1]))
            .collect::<Option<Vec<_>>>()?;
        Some(Index {
            names,
            texts,
            hashes,
            starts,
            buckets,
            posting_texts,
            posting_counts,
        })
    }

    /// How many texts the index holds.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// Whether the index holds no texts.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// The license name, kind and size (bigrams with repeats) of the `i`-th text.
    pub fn text(&self, i: usize) -> Option<(&'static str, Kind, usize)> {
        let e = self.texts.get(i)?;
        Some((self.names.get(e.name)?, e.kind, e.size))
    }

    /// Every text's bigrams as `(hash, count)`, in increasing hash order, read back from the
    /// inverted arrays in one pass (to check the index).
    pub fn text_grams(&self) -> Vec<Vec<(u64, u32)>> {
        let mut out = vec![Vec::new(); self.texts.len()];
        for k in 0..self.hashes.len() / 8 {
            let hash = read_le::<8>(self.hashes, k);
            for p in self.postings(k) {
                let (text, count) = self.posting(p);
                if let Some(grams) = out.get_mut(text) {
                    grams.push((hash, count));
                }
            }
        }
        out
    }

    fn name(&self, text: usize) -> &'static str {
        self.texts
            .get(text)
            .and_then(|e| self.names.get(e.name))
            .copied()
            .unwrap_or("")
    }

    /// The position of bigram `hash` in the hash array, or where it would be, searching from
    /// `from` on (a position no later than that): within the hashes that share its top 16
    /// bits.
    fn find(&self, hash: u64, from: usize) -> Result<usize, usize> {
        let top = (hash >> 48) as usize;
        let first = read_le::<4>(self.buckets, top) as usize;
        let end = read_le::<4>(self.buckets, top + 1) as usize;
        let (mut lo, mut hi) = (first.max(from), end.min(self.hashes.len() / 8));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match read_le::<8>(self.hashes, mid).cmp(&hash) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// The postings of the `k`-th bigram.
    fn postings(&self, k: usize) -> std::ops::Range<usize> {
        let start = read_le::<4>(self.starts, k) as usize;
        let end = read_le::<4>(self.starts, k + 1) as usize;
        start..end.max(start)
    }

    /// The `p`-th posting: text and count.
    fn posting(&self, p: usize) -> (usize, u32) {
        (
            read_le::<2>(self.posting_texts, p) as usize,
            read_le::<2>(self.posting_counts, p) as u32,
        )
    }

    /// `Σ min(count_a, count_b)` over the bigrams `grams` shares with each indexed text.
    fn shared_all(&self, grams: &Grams) -> Vec<u64> {
        let mut shared = vec![0u64; self.texts.len()];
        let mut from = 0;
        for (h, c) in grams.pairs() {
            match self.find(h, from) {
                Ok(k) => {
                    let postings = self.postings(k);
                    let (Some(texts), Some(counts)) = (
                        self.posting_texts.get(postings.start * 2..postings.end * 2),
                        self.posting_counts
                            .get(postings.start * 2..postings.end * 2),
                    ) else {
                        continue;
                    };
                    for (t, n) in texts.chunks_exact(2).zip(counts.chunks_exact(2)) {
                        let text = usize::from(u16::from_le_bytes([t[0], t[1]]));
                        let count = u32::from(u16::from_le_bytes([n[0], n[1]]));
                        if let Some(s) = shared.get_mut(text) {
                            *s += u64::from(c.min(count));
                        }
                    }
                    from = k + 1;
                }
                Err(k) => from = k,
            }
        }
        shared
    }

    /// `Σ min(count_a, count_b)` over the bigrams `grams` shares with the `text`-th text.
    fn shared(&self, grams: &Grams, text: usize) -> u64 {
        let mut shared = 0u64;
        let mut from = 0;
        for (h, c) in grams.pairs() {
            match self.find(h, from) {
                Ok(k) => {
                    shared += u64::from(c.min(self.count_at(k, text)));
                    from = k + 1;
                }
                Err(k) => from = k,
            }
        }
        shared
    }

    /// How often the `text`-th text holds bigram `hash`.
    fn count(&self, hash: u64, text: usize) -> u32 {
        self.find(hash, 0).map_or(0, |k| self.count_at(k, text))
    }

    /// How often the `text`-th text holds the `k`-th bigram.
    fn count_at(&self, k: usize, text: usize) -> u32 {
        let postings = self.postings(k);
        let (mut lo, mut hi) = (postings.start, postings.end);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if (read_le::<2>(self.posting_texts, mid) as usize) < text {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        match self.posting(lo) {
            (t, count) if lo < postings.end && t == text => count,
            _ => 0,
        }
    }

    /// Dice's coefficient from the shared count and both sizes, in `f32` as askalono
    /// computes it.
    fn dice(shared: u64, ours: usize, theirs: usize) -> f32 {
        if ours == 0 || theirs == 0 {
            return 0.0;
        }
        (2.0 * shared as f32) / ((ours + theirs) as f32)
    }

    /// Dice's coefficient of `grams` and the `text`-th indexed text, as askalono computes it.
    pub fn score(&self, grams: &Grams, text: usize) -> f32 {
        let Some(e) = self.texts.get(text) else {
            return 0.0;
        };
        if grams.size == 0 || e.size == 0 {
            return 0.0;
        }
        Index::dice(self.shared(grams, text), grams.size, e.size)
    }

    /// The best-scoring indexed text for `grams` and its score; ties go to the first text in
    /// index order. `None` only for an empty index.
    pub fn analyze(&self, grams: &Grams) -> Option<(usize, f32)> {
        let shared = self.shared_all(grams);
        let mut best: Option<(usize, f32)> = None;
        for (i, (e, &s)) in self.texts.iter().zip(&shared).enumerate() {
            let score = Index::dice(s, grams.size, e.size);
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((i, score));
            }
        }
        best
    }
}

/// The bigrams of a text: distinct hashes in increasing order, their counts, and the number
/// of bigrams with repeats.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Grams {
    hashes: Vec<u64>,
    counts: Vec<u32>,
    size: usize,
}

impl Grams {
    /// The bigrams of a processed text (see [`normalize::aggressive`]).
    pub fn of_processed(processed: &str) -> Grams {
        Grams::of_hashes(normalize::bigrams(processed))
    }

    /// The bigrams of normalized lines, joined as askalono joins them.
    pub fn of_lines(lines: &[String]) -> Grams {
        Grams::of_processed(&normalize::aggressive(&lines.join("\n")))
    }

    /// The bigrams whose hashes, in text order, are `hashes`.
    fn of_hashes(hashes: Vec<u64>) -> Grams {
        let size = hashes.len();
        let (hashes, counts) = normalize::count_sorted(hashes).into_iter().unzip();
        Grams {
            hashes,
            counts,
            size,
        }
    }

    /// Bigrams with repeats.
    pub fn size(&self) -> usize {
        self.size
    }

    /// `(hash, count)` in increasing hash order.
    pub fn pairs(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.hashes.iter().copied().zip(self.counts.iter().copied())
    }
}

/// What [`scan`] found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Scan {
    /// The best overall match and its score, when above the threshold.
    pub overall: Option<(&'static str, f32)>,
    /// Licenses located within the text, in the order found, with their scores over the
    /// lines located.
    pub contained: Vec<Contained>,
}

/// A license located within a larger text.
#[derive(Debug, Clone, PartialEq)]
pub struct Contained {
    pub name: &'static str,
    pub kind: Kind,
    pub score: f32,
    /// Normalized lines, start inclusive, end exclusive.
    pub lines: (usize, usize),
}

/// askalono's elimination scan over `text` (see the module documentation): matches scoring
/// above `threshold` count, located matches at `threshold` or above.
pub fn scan(text: &str, threshold: f32, max_passes: u16) -> Scan {
    let mut found = Scan::default();
    let Some(index) = index() else {
        return found;
    };
    let mut lines = Lines::new(normalize::normalize_lines(text));
    let Some(mut best) = index.analyze(&lines.grams(0, lines.len())) else {
        return found;
    };
    if best.1 > threshold {
        found.overall = Some((index.name(best.0), best.1));
        if best.1 > SHALLOW_LIMIT {
            return found;
        }
    }
    for _ in 0..max_passes {
        let ((start, end), score) = optimize_bounds(index, &mut lines, best.0);
        if score < threshold {
            break;
        }
        let kind = index.text(best.0).map_or(Kind::Original, |t| t.1);
        found.contained.push(Contained {
            name: index.name(best.0),
            kind,
            score,
            lines: (start, end),
        });
        lines.clear(start, end);
        match index.analyze(&lines.grams(0, lines.len())) {
            Some(next) => best = next,
            None => break,
        }
    }
    found
}

/// The normalized lines of a text being scanned, with what the aggressive normalization of a
/// range of them comes to, worked out once per line.
///
/// A range's processed text is the words of the lines it keeps, in turn
/// ([`ranges::Lines::kept`]), so its bigrams are those within each kept line and those that
/// join one kept line's last word to the next one's first. The optimizing scan tries some
/// twenty ranges for each license it locates, and this saves normalizing each afresh; ranges
/// not worked out line by line are normalized afresh.
struct Lines {
    lines: Vec<String>,
    prepared: ranges::Lines,
    /// Per line: the hashes of the bigrams within its words.
    hashes: Vec<Vec<u64>>,
    /// The kept lines of the last range.
    kept: Vec<usize>,
}

impl Lines {
    fn new(lines: Vec<String>) -> Lines {
        let prepared = ranges::Lines::new(&lines);
        let hashes = (0..lines.len())
            .map(|i| normalize::bigrams(prepared.words(i)))
            .collect();
        Lines {
            lines,
            prepared,
            hashes,
            kept: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.lines.len()
    }

    /// Blanks lines `start..end`.
    fn clear(&mut self, start: usize, end: usize) {
        for i in start..end.min(self.lines.len()) {
            self.lines[i].clear();
            self.prepared.clear(i);
            self.hashes[i].clear();
        }
    }

    /// Calls `each` with the pieces that make up the bigrams of lines `start..end` of
    /// `prepared`, in text order, and answers `true`; `false` for a range not worked out line
    /// by line. `kept` is room for the kept lines.
    fn pieces(
        prepared: &mut ranges::Lines,
        kept: &mut Vec<usize>,
        (start, end): (usize, usize),
        mut each: impl FnMut(Piece),
    ) -> bool {
        if !prepared.kept(start, end, kept) {
            return false;
        }
        let mut previous: Option<usize> = None;
        let mut joined = String::new();
        for &i in kept.iter() {
            if let Some(p) = previous {
                let last = prepared.words(p).rsplit(' ').next().unwrap_or_default();
                let first = prepared.words(i).split(' ').next().unwrap_or_default();
                joined.clear();
                joined.push_str(last);
                joined.push(' ');
                joined.push_str(first);
                each(Piece::Join(normalize::gram_hash(joined.as_bytes())));
            }
            each(Piece::Line(i));
            previous = Some(i);
        }
        true
    }

    /// The bigrams of lines `start..end`, as [`Grams::of_lines`] gives them.
    fn grams(&mut self, start: usize, end: usize) -> Grams {
        let mut hashes = Vec::new();
        let own = &self.hashes;
        let worked =
            Lines::pieces(
                &mut self.prepared,
                &mut self.kept,
                (start, end),
                |piece| match piece {
                    Piece::Line(i) => hashes.extend_from_slice(&own[i]),
                    Piece::Join(h) => hashes.push(h),
                },
            );
        if worked {
            Grams::of_hashes(hashes)
        } else {
            Grams::of_lines(&self.lines[start..end])
        }
    }
}

/// A part of a range's bigrams: those within a line, or one joining two lines.
#[derive(Debug, Clone, Copy)]
enum Piece {
    Line(usize),
    Join(u64),
}

/// The line range of `lines` that best matches the `text`-th indexed text, and its score:
/// the end line found first (ranges from line 0), then the start line (ranges to that end).
fn optimize_bounds(index: &Index, lines: &mut Lines, text: usize) -> ((usize, usize), f32) {
    let mut ranges = Ranges {
        index,
        text,
        ids: HashMap::default(),
        theirs: Vec::new(),
        ours: Vec::new(),
        line_ids: Vec::new(),
    };
    ranges.line_ids = lines
        .hashes
        .iter()
        .map(|hashes| hashes.iter().map(|&h| ranges.id(h)).collect())
        .collect();
    let n = lines.len();
    let (end, _) = search(|end| ranges.score(lines, 0, end), 0, n);
    let (start, best) = search(|start| ranges.score(lines, start, end), 0, end);
    ((start, end), best)
}

/// Scores line ranges against one indexed text, for [`optimize_bounds`]: each bigram gets an
/// id on first sight, with how often the text holds it, so that a range is scored by
/// counting its bigrams in an array.
struct Ranges<'a> {
    index: &'a Index,
    text: usize,
    /// Bigram ids by hash.
    ids: HashMap<u64, u32, BuildHasherDefault<Prehashed>>,
    /// Per bigram id: how often the indexed text holds it.
    theirs: Vec<u32>,
    /// Per bigram id: how often the range being scored holds it (zero between ranges).
    ours: Vec<u32>,
    /// Per line: the ids of the bigrams within it.
    line_ids: Vec<Vec<u32>>,
}

/// The hasher of a map keyed by bigram hashes, which are hashes already: it keeps the key.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl Ranges<'_> {
    /// The id of the bigram with `hash`, given on first sight.
    fn id(&mut self, hash: u64) -> u32 {
        if let Some(&id) = self.ids.get(&hash) {
            return id;
        }
        let id = u32::try_from(self.theirs.len()).unwrap_or(u32::MAX);
        self.ids.insert(hash, id);
        self.theirs.push(self.index.count(hash, self.text));
        self.ours.push(0);
        id
    }

    /// The score of lines `start..end` against the text, as
    /// `index.score(&Grams::of_lines(&lines[start..end]), text)` gives it.
    fn score(&mut self, lines: &mut Lines, start: usize, end: usize) -> f32 {
        let Some(e) = self.index.texts.get(self.text) else {
            return 0.0;
        };
        let mut size = 0usize;
        let mut shared = 0u64;
        let mut touched: Vec<u32> = Vec::new();
        let mut count = |ranges: &mut Ranges, id: u32| {
            size += 1;
            let n = &mut ranges.ours[id as usize];
            if *n == 0 {
                touched.push(id);
            }
            *n += 1;
            if *n <= ranges.theirs[id as usize] {
                shared += 1;
            }
        };
        let worked = Lines::pieces(
            &mut lines.prepared,
            &mut lines.kept,
            (start, end),
            |piece| match piece {
                Piece::Line(i) => {
                    for k in 0..self.line_ids[i].len() {
                        let id = self.line_ids[i][k];
                        count(self, id);
                    }
                }
                Piece::Join(hash) => {
                    let id = self.id(hash);
                    count(self, id);
                }
            },
        );
        if !worked {
            let grams = Grams::of_lines(&lines.lines[start..end]);
            return self.index.score(&grams, self.text);
        }
        for id in touched {
            self.ours[id as usize] = 0;
        }
        Index::dice(shared, size, e.size)
    }
}

/// askalono's ternary search for the index in `left..=right` that maximizes `score`,
/// assuming one peak: thirds are cut off until at most four candidates remain, of which the
/// last best-scoring one wins. Scores are computed once per index.
fn search(mut score: impl FnMut(usize) -> f32, mut left: usize, mut right: usize) -> (usize, f32) {
    let mut memo: Vec<(usize, f32)> = Vec::new();
    let mut score = |i: usize| match memo.iter().find(|m| m.0 == i) {
        Some(&(_, s)) => s,
        None => {
            let s = score(i);
            memo.push((i, s));
            s
        }
    };
    while right - left > 3 {
        let low = (left * 2 + right) / 3;
        let high = (left + right * 2) / 3;
        if score(low) > score(high) {
            right = high - 1;
        } else {
            left = low + 1;
        }
    }
    let mut best = (0, 0.0f32);
    for i in left..=right {
        let s = score(i);
        if s >= best.1 {
            best = (i, s);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_loads_and_is_well_formed() {
        let index = index().expect("embedded index parses");
        assert!(index.len() > 700, "{}", index.len());
        let all = index.text_grams();
        assert_eq!(all.len(), index.len());
        let mut previous_name = "";
        for (i, grams) in all.iter().enumerate() {
            let (name, _, size) = index.text(i).expect("text in range");
            assert!(
                name >= previous_name,
                "names in order: {previous_name} {name}"
            );
            previous_name = name;
            assert!(grams.windows(2).all(|w| w[0].0 < w[1].0), "{name}: sorted");
            let total: usize = grams.iter().map(|g| g.1 as usize).sum();
            assert_eq!(total, size, "{name}: counts add up to the size");
        }
    }

    #[test]
    fn malformed_indexes_are_refused() {
        assert!(Index::parse(b"").is_none());
        assert!(Index::parse(b"LBLIDX01").is_none());
        assert!(Index::parse(&INDEX_BYTES[..INDEX_BYTES.len() - 1]).is_none());
        // Every prefix short of the whole is refused without panicking.
        let mut cut = INDEX_BYTES.len();
        while cut > 0 {
            cut /= 2;
            assert!(Index::parse(&INDEX_BYTES[..cut]).is_none(), "{cut}");
        }
        // A text naming a license past the names; bigram starts that go back.
        let corrupt = |at: usize, value: u32| {
            let mut bad = INDEX_BYTES.to_vec();
            bad[at..at + 4].copy_from_slice(&value.to_le_bytes());
            let leaked: &'static [u8] = Box::leak(bad.into_boxed_slice());
            Index::parse(leaked)
        };
        let texts_at = 32;
        assert!(corrupt(texts_at, u32::MAX).is_none());
        let n_texts = index().map_or(0, Index::len);
        let hashes_at = (texts_at + 12 * n_texts).next_multiple_of(8);
        let n_grams = index().map_or(0, |i| i.hashes.len() / 8);
        let starts_at = hashes_at + 8 * n_grams;
        assert!(corrupt(starts_at + 4 * (n_grams / 2), u32::MAX).is_none());
        assert!(corrupt(starts_at + 4 * (n_grams / 2), 0).is_none());
        let buckets_at = starts_at + 4 * (n_grams + 1);
        assert!(corrupt(buckets_at + 4 * (BUCKETS / 2), u32::MAX).is_none());
        assert!(corrupt(buckets_at + 4 * BUCKETS, 0).is_none());
        assert!(
            corrupt(texts_at, 0).is_some(),
            "the offsets above are the layout's"
        );
    }

    #[test]
    fn scores_agree_with_a_map_lookup() {
        let index = index().expect("index");
        let all = index.text_grams();
        let mit = (0..index.len())
            .find(|&i| {
                index
                    .text(i)
                    .is_some_and(|t| t.0 == "MIT" && t.1 == Kind::Original)
            })
            .expect("MIT indexed");
        let own = &all[mit];
        let size = index.text(mit).map_or(0, |t| t.2);
        let whole = Grams {
            hashes: own.iter().map(|g| g.0).collect(),
            counts: own.iter().map(|g| g.1).collect(),
            size,
        };
        assert_eq!(index.score(&whole, mit), 1.0);
        assert_eq!(index.analyze(&whole).map(|b| b.1), Some(1.0));
        // Every fifth of its bigrams, among hashes no text has.
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        for &(h, c) in own.iter().step_by(5) {
            pairs.push((h, c + 1));
            pairs.push((h ^ (1 << 40), 1));
        }
        pairs.sort_unstable();
        pairs.dedup_by_key(|p| p.0);
        let some = Grams {
            hashes: pairs.iter().map(|p| p.0).collect(),
            counts: pairs.iter().map(|p| p.1).collect(),
            size: pairs.iter().map(|p| p.1 as usize).sum(),
        };
        let ours: std::collections::HashMap<u64, u32> = some.pairs().collect();
        let by_map = |i: usize| {
            let theirs: std::collections::HashMap<u64, u32> = all[i].iter().copied().collect();
            let shared: u32 = ours
                .iter()
                .map(|(h, c)| theirs.get(h).map_or(0, |t| (*t).min(*c)))
                .sum();
            let their_size = index.text(i).map_or(0, |t| t.2);
            2.0 * shared as f32 / (some.size + their_size) as f32
        };
        let mut best = (0, 0.0f32);
        for i in 0..index.len() {
            let expected = by_map(i);
            assert_eq!(index.score(&some, i), expected, "text {i}");
            if expected > best.1 {
                best = (i, expected);
            }
        }
        assert_eq!(index.analyze(&some), Some(best));
    }

    #[test]
    fn search_takes_the_last_of_equal_best_scores() {
        assert_eq!(search(|_| 0.0, 0, 2), (2, 0.0));
        assert_eq!(search(|i| if i == 5 { 1.0 } else { 0.5 }, 0, 5), (5, 1.0));
        let peak = |i: usize| 1.0 / (1.0 + (i as f32 - 40.0).abs());
        assert_eq!(search(peak, 0, 100), (40, 1.0));
    }
}
