//! The list a batch scans, and the slice of it one shard takes.
//!
//! A list holds one image a line: a registry reference or a path, in any form `layerbom
//! scan` takes. Blank lines and lines starting with `#` are skipped; the same entry listed
//! twice is scanned once. `--shard I/N` takes the entries whose stable hash (the SHA-256 of
//! the entry, its surrounding spaces trimmed) is I modulo N: every entry falls in exactly
//! one of the N shards, whatever the order of the list or the machine that reads it, so N
//! processes started by a job engine (a Kubernetes Indexed Job, a CI matrix) share a fleet
//! without talking to each other.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The most bytes a list may hold (a million references of 64 bytes fit).
pub const MAX_LIST_BYTES: u64 = 64 << 20;

/// The most bytes one entry may hold: no reference or path is longer.
pub const MAX_ENTRY_BYTES: usize = 4096;

/// One line of the list that names an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The line's number, from 1.
    pub line: usize,
    /// The entry, its surrounding spaces trimmed (lossily decoded when not UTF-8).
    pub text: String,
    /// Why the line cannot name an image, when it cannot: it is reported as that entry's
    /// error without being scanned.
    pub unusable: Option<String>,
}

/// Why a list cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The file (or standard input) cannot be read.
    #[error("cannot read the list {path}: {source}")]
    Read {
        /// The list as named.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The list is larger than [`MAX_LIST_BYTES`].
    #[error("the list {path} is larger than {MAX_LIST_BYTES} bytes: split it")]
    TooLarge {
        /// The list as named.
        path: String,
    },
}

/// Reads the list at `path` (`-` for standard input), within [`MAX_LIST_BYTES`].
pub fn read(path: &Path) -> Result<Vec<Entry>, ListError> {
    let name = path.display().to_string();
    let failed = |source| ListError::Read {
        path: name.clone(),
        source,
    };
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(MAX_LIST_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(failed)?;
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_LIST_BYTES + 1).read_to_end(&mut bytes))
            .map_err(failed)?;
    }
    if bytes.len() as u64 > MAX_LIST_BYTES {
        return Err(ListError::TooLarge { path: name });
    }
    Ok(parse(&bytes))
}

/// The entries of a list's bytes, in their order, each entry once (the first time it is
/// listed).
pub fn parse(bytes: &[u8]) -> Vec<Entry> {
    let mut seen = BTreeMap::new();
    let mut entries = Vec::new();
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = i + 1;
        let (text, mut unusable) = match std::str::from_utf8(raw) {
            Ok(t) => (t.trim().to_string(), None),
            Err(_) => (
                String::from_utf8_lossy(raw).trim().to_string(),
                Some("the line is not UTF-8 text".to_string()),
            ),
        };
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if seen.insert(text.clone(), line).is_some() {
            continue;
        }
        if unusable.is_none() {
            unusable = garbage(&text);
        }
        let text = if text.len() > MAX_ENTRY_BYTES {
            let mut end = MAX_ENTRY_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[..end].to_string()
        } else {
            text
        };
        entries.push(Entry {
            line,
            text,
            unusable,
        });
    }
    entries
}

/// Why `text` is not a reference or a path, when it plainly is not: too long, or holding
/// control characters (a line break inside a reference, an escape sequence).
fn garbage(text: &str) -> Option<String> {
    if text.len() > MAX_ENTRY_BYTES {
        return Some(format!(
            "the entry is longer than {MAX_ENTRY_BYTES} bytes: no reference or path is"
        ));
    }
    if text.chars().any(char::is_control) {
        return Some("the entry holds control characters".into());
    }
    None
}

/// The I-th of N deterministic slices of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Shard {
    /// Which slice, from 0.
    pub index: u32,
    /// How many slices.
    pub count: u32,
}

/// `--shard` as written: `I/N`, or `N` alone, whose index comes from
/// `JOB_COMPLETION_INDEX` (what a Kubernetes Indexed Job sets in each of its pods).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    /// The index, when written.
    pub index: Option<u32>,
    /// How many slices.
    pub count: u32,
}

/// The variable a Kubernetes Indexed Job sets to the pod's completion index.
pub const JOB_INDEX_VARIABLE: &str = "JOB_COMPLETION_INDEX";

impl std::str::FromStr for ShardSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{s:?} is not I/N (the I-th of N shards, 0 <= I < N) or N (the index from \
                 {JOB_INDEX_VARIABLE})"
            )
        };
        let number = |t: &str| t.trim().parse::<u32>().map_err(|_| bad());
        let (index, count) = match s.split_once('/') {
            Some((i, n)) => (Some(number(i)?), number(n)?),
            None => (None, number(s)?),
        };
        if count == 0 || index.is_some_and(|i| i >= count) {
            return Err(bad());
        }
        Ok(ShardSpec { index, count })
    }
}

impl ShardSpec {
    /// The shard, its index from `job_index` (the value of [`JOB_INDEX_VARIABLE`]) when
    /// none is written.
    pub fn resolve(self, job_index: Option<&str>) -> Result<Shard, String> {
        let index = match (self.index, job_index) {
            (Some(i), _) => i,
            (None, Some(v)) => v.trim().parse::<u32>().map_err(|_| {
                format!("{JOB_INDEX_VARIABLE}={v:?} is not a shard index (a number)")
            })?,
            (None, None) => {
                return Err(format!(
                    "--shard {} gives no index: write I/{} or set {JOB_INDEX_VARIABLE}",
                    self.count, self.count
                ))
            }
        };
        if index >= self.count {
            return Err(format!(
                "shard index {index} is not below the number of shards, {}",
                self.count
            ));
        }
        Ok(Shard {
            index,
            count: self.count,
        })
    }
}

impl Shard {
    /// Whether the entry `text` falls in this shard.
    pub fn takes(&self, text: &str) -> bool {
        stable_hash(text) % u64::from(self.count) == u64::from(self.index)
    }
}

/// The first 8 bytes of the SHA-256 of `text`: the same on every machine and release.
pub fn stable_hash(text: &str) -> u64 {
    let digest = Sha256::digest(text.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blank_lines_and_repeats_are_skipped() {
        let list = b"# the fleet\n\n  a:1  \nb\n\t\n# c\na:1\r\nb\n";
        let entries = parse(list);
        let texts: Vec<(usize, &str)> = entries.iter().map(|e| (e.line, e.text.as_str())).collect();
        assert_eq!(texts, [(3, "a:1"), (4, "b")]);
        assert!(entries.iter().all(|e| e.unusable.is_none()));
    }

    #[test]
    fn a_line_of_no_text_or_with_controls_is_unusable_but_listed() {
        let entries = parse(b"ok\n\xff\xfe image\nbad\x1b[2Jimage\n");
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].unusable, None);
        assert_eq!(
            entries[1].unusable.as_deref(),
            Some("the line is not UTF-8 text")
        );
        assert_eq!(
            entries[2].unusable.as_deref(),
            Some("the entry holds control characters")
        );
    }

    #[test]
    fn an_overlong_entry_is_unusable_and_cut() {
        let long = "a".repeat(MAX_ENTRY_BYTES + 10);
        let entries = parse(long.as_bytes());
        assert_eq!(entries[0].text.len(), MAX_ENTRY_BYTES);
        assert!(entries[0].unusable.as_deref().unwrap().contains("longer"));
    }

    #[test]
    fn shards_parse_and_resolve() {
        let s: ShardSpec = "1/4".parse().unwrap();
        assert_eq!(s.resolve(None).unwrap(), Shard { index: 1, count: 4 });
        let s: ShardSpec = "4".parse().unwrap();
        assert_eq!(s.resolve(Some("3")).unwrap(), Shard { index: 3, count: 4 });
        assert!(s.resolve(Some("4")).is_err());
        assert!(s.resolve(Some("x")).is_err());
        assert!(s.resolve(None).unwrap_err().contains(JOB_INDEX_VARIABLE));
        for bad in ["4/4", "0/0", "0", "a/2", "-1/2", "1/2/3", ""] {
            assert!(bad.parse::<ShardSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_entry_is_in_exactly_one_shard_whatever_the_order() {
        let entries: Vec<String> = (0..200)
            .map(|i| format!("r.example.org/app{i}:1"))
            .collect();
        let shards: Vec<Shard> = (0..4).map(|index| Shard { index, count: 4 }).collect();
        for e in &entries {
            assert_eq!(shards.iter().filter(|s| s.takes(e)).count(), 1, "{e}");
        }
        // Each of the 4 shards gets some of 200 entries.
        for s in &shards {
            assert!(entries.iter().filter(|e| s.takes(e)).count() > 20);
        }
        // The hash is fixed: a release that changed it would move entries between shards
        // of a job that is running.
        assert_eq!(stable_hash("debian:12"), 0x3be3_c43c_d7ee_541b);
    }
}
