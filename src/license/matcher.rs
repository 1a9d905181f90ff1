//! The license text matcher: askalono's algorithm over an index built at compile time.
//!
//! `build.rs` takes askalono's SPDX texts (from the `spdx` crate) and writes, for each text,
//! its word bigrams as a sorted array of 64-bit hashes with counts (see `build.rs` for the
//! layout). The index is embedded with `include_bytes!` and read in place: loading it means
//! checking its header and table once, well under a millisecond, with no decompression and
//! no copies of the bigram data.
//!
//! Matching follows askalono (`spdx::detection`) as layerbom configured it, step by step:
//!
//! - A text is normalized ([`super::normalize`]) into lines and then a processed text, whose
//!   word bigrams are counted. Two texts score by Dice's coefficient over the bigram
//!   multisets, `2·Σ min(count_a, count_b) / (size_a + size_b)`, computed in `f32` as
//!   askalono does, so scores are the same to the bit.
//! - [`Index::analyze`] scores a text against every indexed text (originals, alternates,
//!   headers) and keeps the best. Texts whose size alone caps their score below the best so
//!   far are skipped, which cannot change the result. Ties: askalono sorts with an unstable
//!   sort over hash-map order, so which of equal scores wins varies from run to run; here the
//!   first in index order wins: the smallest name in byte order, then original before
//!   alternates before headers.
//! - [`scan`] is askalono's elimination scan: the best overall match counts if it scores
//!   above the threshold, and ends the scan if it scores above 0.99; otherwise, up to
//!   `max_passes` times, the lines holding the best match are located (ternary searches of
//!   the end line, then of the start line, each candidate range normalized afresh), the match
//!   is kept if it still scores at least the threshold, its lines are blanked, and the rest is
//!   analyzed again.

use std::sync::OnceLock;

use super::normalize;

/// The index written by `build.rs`.
static INDEX_BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/license-index.bin"));

const MAGIC: &[u8; 8] = b"LBLIDX01";

/// An overall score above this ends the scan at once (askalono's `shallow_limit`).
const SHALLOW_LIMIT: f32 = 0.99;

/// When one bigram array is this many times longer than the other, the shorter one's
/// bigrams are looked up by binary search instead of walking both.
const SKEW: usize = 8;

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
    /// Where its distinct bigrams are in the hash and count arrays.
    first: usize,
    len: usize,
}

/// The embedded index: license names, texts, and the bigram arrays, borrowed from the
/// binary.
#[derive(Debug)]
pub struct Index {
    names: Vec<&'static str>,
    texts: Vec<Entry>,
    /// `u64` little-endian per bigram.
    hashes: &'static [u8],
    /// `u32` little-endian per bigram.
    counts: &'static [u8],
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

impl Index {
    /// Checks the header, the table of texts and the names; `None` on any inconsistency.
    fn parse(bytes: &'static [u8]) -> Option<Index> {
        let total = bytes.len();
        let mut r = Reader(bytes);
        if r.take(MAGIC.len())? != MAGIC {
            return None;
        }
        let (n_names, n_texts, n_grams, name_bytes) = (r.u32()?, r.u32()?, r.u32()?, r.u32()?);
        let mut texts = Vec::with_capacity(n_texts.min(bytes.len() / 20));
        for _ in 0..n_texts {
            let (name, kind, size, first, len) = (r.u32()?, r.u32()?, r.u32()?, r.u32()?, r.u32()?);
            let kind = match kind {
                0 => Kind::Original,
                1 => Kind::Alternate,
                2 => Kind::Header,
                _ => return None,
            };
            // Every text's bigrams lie within the arrays; its size counts each at least once.
            let in_range = first.checked_add(len).is_some_and(|end| end <= n_grams);
            if name >= n_names || !in_range || size < len {
                return None;
            }
            texts.push(Entry {
                name,
                kind,
                size,
                first,
                len,
            });
        }
        r.align(total)?;
        let hashes = r.take(n_grams.checked_mul(8)?)?;
        let counts = r.take(n_grams.checked_mul(4)?)?;
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
            counts,
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

    /// The `i`-th text's bigrams as `(hash, count)`, in increasing hash order.
    pub fn grams(&self, i: usize) -> Vec<(u64, u32)> {
        let Some(e) = self.texts.get(i) else {
            return Vec::new();
        };
        (0..e.len)
            .map(|k| (self.hash(e.first + k), self.count(e.first + k)))
            .collect()
    }

    fn name(&self, text: usize) -> &'static str {
        self.texts
            .get(text)
            .and_then(|e| self.names.get(e.name))
            .copied()
            .unwrap_or("")
    }

    /// The hash of the `k`-th bigram of the arrays (0 past their end, which `parse` rules
    /// out for every text's range).
    fn hash(&self, k: usize) -> u64 {
        let mut word = [0u8; 8];
        if let Some(bytes) = self.hashes.get(k * 8..k * 8 + 8) {
            word.copy_from_slice(bytes);
        }
        u64::from_le_bytes(word)
    }

    fn count(&self, k: usize) -> u32 {
        let mut word = [0u8; 4];
        if let Some(bytes) = self.counts.get(k * 4..k * 4 + 4) {
            word.copy_from_slice(bytes);
        }
        u32::from_le_bytes(word)
    }

    /// Dice's coefficient of `grams` and the `text`-th indexed text, as askalono computes it.
    pub fn score(&self, grams: &Grams, text: usize) -> f32 {
        let Some(e) = self.texts.get(text) else {
            return 0.0;
        };
        if grams.size == 0 || e.size == 0 {
            return 0.0;
        }
        let shared = self.shared(grams, e);
        (2.0 * shared as f32) / ((grams.size + e.size) as f32)
    }

    /// `Σ min(count_a, count_b)` over the bigrams `grams` and `e` share.
    fn shared(&self, grams: &Grams, e: &Entry) -> u64 {
        let (Some(hashes), Some(counts)) = (
            self.hashes.get(e.first * 8..(e.first + e.len) * 8),
            self.counts.get(e.first * 4..(e.first + e.len) * 4),
        ) else {
            return 0;
        };
        let theirs = hashes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(<[u8; 8]>::try_from(c).unwrap_or_default()));
        let their_counts = counts
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(<[u8; 4]>::try_from(c).unwrap_or_default()));
        let ours = &grams.hashes;
        let mut shared = 0u64;
        if ours.len() > SKEW * e.len {
            // A short text against a long one: look each of its bigrams up.
            let mut from = 0;
            for (h, c) in theirs.zip(their_counts) {
                from += ours[from..].partition_point(|&x| x < h);
                match ours.get(from) {
                    Some(&x) if x == h => {
                        shared += u64::from(c.min(grams.counts[from]));
                        from += 1;
                    }
                    Some(_) => {}
                    None => break,
                }
            }
        } else if e.len > SKEW * ours.len() {
            let mut from = e.first;
            let end = e.first + e.len;
            for (&h, &c) in ours.iter().zip(&grams.counts) {
                // Binary search in the index's remaining range.
                let (mut lo, mut hi) = (from, end);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if self.hash(mid) < h {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                if lo == end {
                    break;
                }
                if self.hash(lo) == h {
                    shared += u64::from(c.min(self.count(lo)));
                    lo += 1;
                }
                from = lo;
            }
        } else {
            let mut i = 0;
            for (h, c) in theirs.zip(their_counts) {
                while i < ours.len() && ours[i] < h {
                    i += 1;
                }
                match ours.get(i) {
                    Some(&x) if x == h => {
                        shared += u64::from(c.min(grams.counts[i]));
                        i += 1;
                    }
                    Some(_) => {}
                    None => break,
                }
            }
        }
        shared
    }

    /// The best-scoring indexed text for `grams` and its score; ties go to the first text in
    /// index order. `None` only for an empty index.
    pub fn analyze(&self, grams: &Grams) -> Option<(usize, f32)> {
        // Dice's coefficient is at most 2·min(a, b) / (a + b); visiting texts by that bound,
        // best first, the rest can be skipped once it falls below the best score found.
        let bound = |e: &Entry| {
            if grams.size == 0 || e.size == 0 {
                0.0
            } else {
                (2.0 * grams.size.min(e.size) as f32) / ((grams.size + e.size) as f32)
            }
        };
        let mut order: Vec<(f32, usize)> = self
            .texts
            .iter()
            .enumerate()
            .map(|(i, e)| (bound(e), i))
            .collect();
        order.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut best: Option<(usize, f32)> = None;
        for (cap, i) in order {
            if best.is_some_and(|(_, score)| cap < score) {
                break;
            }
            let score = self.score(grams, i);
            let better = match best {
                None => true,
                Some((j, s)) => score > s || (score == s && i < j),
            };
            if better {
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
        let hashes = normalize::bigrams(processed);
        let size = hashes.len();
        let (hashes, counts) = normalize::count_sorted(hashes).into_iter().unzip();
        Grams {
            hashes,
            counts,
            size,
        }
    }

    /// The bigrams of normalized lines, joined as askalono joins them.
    pub fn of_lines(lines: &[String]) -> Grams {
        Grams::of_processed(&normalize::aggressive(&lines.join("\n")))
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
    let mut lines = normalize::normalize_lines(text);
    let Some(mut best) = index.analyze(&Grams::of_lines(&lines)) else {
        return found;
    };
    if best.1 > threshold {
        found.overall = Some((index.name(best.0), best.1));
        if best.1 > SHALLOW_LIMIT {
            return found;
        }
    }
    for _ in 0..max_passes {
        let ((start, end), score) = optimize_bounds(index, &lines, best.0);
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
        for line in &mut lines[start..end] {
            line.clear();
        }
        match index.analyze(&Grams::of_lines(&lines)) {
            Some(next) => best = next,
            None => break,
        }
    }
    found
}

/// The line range of `lines` that best matches the `text`-th indexed text, and its score:
/// the end line found first (ranges from line 0), then the start line (ranges to that end).
fn optimize_bounds(index: &Index, lines: &[String], text: usize) -> ((usize, usize), f32) {
    let score = |start: usize, end: usize| index.score(&Grams::of_lines(&lines[start..end]), text);
    let (end, _) = search(|end| score(0, end), 0, lines.len());
    let (start, best) = search(|start| score(start, end), 0, end);
    ((start, end), best)
}

/// askalono's ternary search for the index in `left..=right` that maximizes `score`,
/// assuming one peak: thirds are cut off until at most four candidates remain, of which the
/// last best-scoring one wins. Scores are computed once per index.
fn search(score: impl Fn(usize) -> f32, mut left: usize, mut right: usize) -> (usize, f32) {
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
        let mut previous_name = "";
        for i in 0..index.len() {
            let (name, _, size) = index.text(i).expect("text in range");
            assert!(
                name >= previous_name,
                "names in order: {previous_name} {name}"
            );
            previous_name = name;
            let grams = index.grams(i);
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
        // A text pointing past the bigram arrays.
        let mut bad = INDEX_BYTES.to_vec();
        let text_len_at = 8 + 16 + 16;
        bad[text_len_at..text_len_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let leaked: &'static [u8] = Box::leak(bad.into_boxed_slice());
        assert!(Index::parse(leaked).is_none());
    }

    #[test]
    fn score_is_the_same_whichever_way_bigrams_are_joined() {
        let index = index().expect("index");
        // A license text scored against itself through each join strategy: its own bigrams
        // (linear), a few of them (binary search in the index), many repeats of it (binary
        // search in ours).
        let mit = (0..index.len())
            .find(|&i| {
                index
                    .text(i)
                    .is_some_and(|t| t.0 == "MIT" && t.1 == Kind::Original)
            })
            .expect("MIT indexed");
        let own = index.grams(mit);
        let size = index.text(mit).map_or(0, |t| t.2);
        let whole = Grams {
            hashes: own.iter().map(|g| g.0).collect(),
            counts: own.iter().map(|g| g.1).collect(),
            size,
        };
        assert_eq!(index.score(&whole, mit), 1.0);
        let few = Grams {
            hashes: own.iter().step_by(20).map(|g| g.0).collect(),
            counts: own.iter().step_by(20).map(|g| g.1).collect(),
            size: own.iter().step_by(20).map(|g| g.1 as usize).sum(),
        };
        let expected = 2.0 * few.size as f32 / (few.size + size) as f32;
        assert_eq!(index.score(&few, mit), expected);
        // Many hashes the text does not have around each of its own, so that ours is the
        // longer array by far.
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        for &(h, c) in &own {
            pairs.push((h, c));
            for extra in 1..=SKEW as u64 + 1 {
                pairs.push((h ^ (extra << 40), 1));
            }
        }
        pairs.sort_unstable();
        pairs.dedup_by_key(|p| p.0);
        let many = Grams {
            hashes: pairs.iter().map(|p| p.0).collect(),
            counts: pairs.iter().map(|p| p.1).collect(),
            size: pairs.iter().map(|p| p.1 as usize).sum(),
        };
        let linear = {
            // Reference: a plain map lookup.
            let theirs: std::collections::HashMap<u64, u32> = own.iter().copied().collect();
            let ours: std::collections::HashMap<u64, u32> = many.pairs().collect();
            let shared: u32 = ours
                .iter()
                .map(|(h, c)| theirs.get(h).map_or(0, |t| (*t).min(*c)))
                .sum();
            2.0 * shared as f32 / (many.size + size) as f32
        };
        assert!(many.hashes.len() > SKEW * own.len());
        assert_eq!(index.score(&many, mit), linear);
    }

    #[test]
    fn search_takes_the_last_of_equal_best_scores() {
        assert_eq!(search(|_| 0.0, 0, 2), (2, 0.0));
        assert_eq!(search(|i| if i == 5 { 1.0 } else { 0.5 }, 0, 5), (5, 1.0));
        let peak = |i: usize| 1.0 / (1.0 + (i as f32 - 40.0).abs());
        assert_eq!(search(peak, 0, 100), (40, 1.0));
    }
}
