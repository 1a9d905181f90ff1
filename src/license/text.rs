//! License texts: which SPDX license a `LICENSE` or `COPYING` file holds.
//!
//! Many packages say nothing about their license in metadata but ship its text. This module
//! matches such a text against the SPDX license texts with askalono's algorithm (the matcher
//! of the `spdx` crate's `detection` feature), reimplemented in [`super::matcher`] over an
//! index built at compile time: texts are normalized, cut into word bigrams and compared, and
//! the score (0.0 to 1.0) says how much of the text is the license. A text holding several
//! licenses (a dual-licensed `COPYING`, a Debian copyright file) is scanned further: each
//! license found is whited out and the rest matched again.
//!
//! The index is embedded in the binary and read in place, so there is nothing to load.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::matcher;
use crate::cache::{Cache, Derived};

/// Texts longer than this many bytes are not matched: license texts are tens of KiB at most,
/// and matching cost grows with the text.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// How many licenses the optimizing scan looks for in one text, at most.
const MAX_PASSES: u16 = 10;

/// A license found in a text, with askalono's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Match {
    /// The license's name in the matcher's index: an SPDX id, but as askalono's data names
    /// it, which can be a deprecated id (the GPL-2 text matches as `GPL-2.0+`). Check it
    /// with [`super::names`] before putting it in an expression.
    pub spdx: String,
    /// How much of the text (or of the part of it that was scanned) is this license, from
    /// 0.0 to 1.0.
    pub confidence: f32,
}

/// Match results by text and threshold (as bits).
/// Results by the SHA-256 of the text and the threshold: a digest, not the text, so the
/// cache stays small whatever texts an image holds.
type Seen = HashMap<([u8; 32], u32), Vec<Match>>;

/// Matches a license text against the SPDX texts and returns the licenses found, best first.
///
/// The overall best match is returned when its score is at or above `min_confidence`; for
/// texts holding several licenses, further licenses found by the optimizing scan at or above
/// `min_confidence` follow, each license once with its best score. Texts over
/// [`MAX_TEXT_BYTES`], blank texts, and texts with no match give nothing.
///
/// ```no_run
/// let text = std::fs::read_to_string("/usr/share/common-licenses/Apache-2.0").unwrap();
/// let found = layerbom::license::text::identify(&text, 0.9);
/// assert_eq!(found[0].spdx, "Apache-2.0");
/// ```
pub fn identify(text: &str, min_confidence: f32) -> Vec<Match> {
    identify_kept(text, min_confidence, None)
}

/// [`identify`], reading the matches back from a layer `cache` that keeps them, and keeping
/// new ones there: matching is the costly part of reading a license file.
pub fn identify_kept(text: &str, min_confidence: f32, cache: Option<&Cache>) -> Vec<Match> {
    if text.len() > MAX_TEXT_BYTES || text.trim().is_empty() {
        return Vec::new();
    }
    // Images repeat texts (every python3.11 package ships the same copyright file): each
    // distinct text is matched once per process.
    static SEEN: OnceLock<Mutex<Seen>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    let key = (
        <[u8; 32]>::from(Sha256::digest(text.as_bytes())),
        min_confidence.to_bits(),
    );
    if let Some(found) = seen.lock().ok().and_then(|s| s.get(&key).cloned()) {
        return found;
    }
    let found = match cache {
        Some(cache) => kept(cache, &key).unwrap_or_else(|| {
            let found = scan(text, min_confidence);
            if let Ok(body) = postcard::to_stdvec(&found) {
                cache.put_derived(Derived::TextMatches, &entry_id(&key), &body);
            }
            found
        }),
        None => scan(text, min_confidence),
    };
    if let Ok(mut s) = seen.lock() {
        s.insert(key, found.clone());
    }
    found
}

/// The most bytes the matches of one text take: a few licenses, each a name and a score.
const MAX_KEPT: u64 = 16 << 10;

/// The id a cache keeps the matches of a text under: its digest with the threshold.
fn entry_id(key: &([u8; 32], u32)) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(key.0);
    h.update(key.1.to_le_bytes());
    h.finalize().into()
}

/// The matches `cache` keeps for the text and threshold of `key`, if it keeps sound ones:
/// at most [`MAX_PASSES`] licenses of the matcher's index, each with a score from the
/// threshold to 1. Others are a warning, and the text is matched again.
fn kept(cache: &Cache, key: &([u8; 32], u32)) -> Option<Vec<Match>> {
    let id = entry_id(key);
    let body = cache.get_derived(Derived::TextMatches, &id, MAX_KEPT)?;
    let min = f32::from_bits(key.1);
    let known = |name: &str| matcher::index().is_some_and(|i| i.has(name));
    let sound = |found: &[Match]| {
        found.len() <= usize::from(MAX_PASSES) + 1
            && found
                .iter()
                .all(|m| (min..=1.0).contains(&m.confidence) && known(&m.spdx))
    };
    match postcard::from_bytes::<Vec<Match>>(&body) {
        Ok(found) if sound(&found) => Some(found),
        _ => {
            cache.damaged(
                Derived::TextMatches,
                &id,
                "it does not decode as the matches of a text",
            );
            None
        }
    }
}

fn scan(text: &str, min_confidence: f32) -> Vec<Match> {
    // The scan keeps matches strictly above its threshold; we keep those at or above.
    let result = matcher::scan(text, min_confidence - f32::EPSILON, MAX_PASSES);
    let contained = result.contained.iter().map(|c| (c.name, c.score));
    let mut found: Vec<Match> = Vec::new();
    for (name, confidence) in result.overall.into_iter().chain(contained) {
        if confidence < min_confidence {
            continue;
        }
        match found.iter_mut().find(|m| m.spdx == name) {
            Some(seen) => seen.confidence = seen.confidence.max(confidence),
            None => found.push(Match {
                spdx: name.to_owned(),
                confidence,
            }),
        }
    }
    found.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    found
}

/// Base-name prefixes (upper case) of files that hold license texts or notices.
const LICENSE_FILE_PREFIXES: [&str; 5] = ["LICENSE", "LICENCE", "COPYING", "NOTICE", "COPYRIGHT"];

/// Whether the file at `path` (`/`-separated) is one that holds a license text: a base name
/// starting with `LICENSE`, `LICENCE`, `COPYING`, `NOTICE` or `COPYRIGHT` in any case
/// (`LICENSE-MIT`, `COPYING.LIB`, Debian's `copyright`), or any file under a Python wheel's
/// `*.dist-info/licenses/` directory.
pub fn is_license_file_name(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    let named = LICENSE_FILE_PREFIXES.iter().any(|prefix| {
        base.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    });
    named || in_dist_info_licenses(path)
}

/// Whether `path` is a file somewhere below `<name>.dist-info/licenses/`.
fn in_dist_info_licenses(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    // The last part is the file itself; the directory pair must come before it.
    parts.len() >= 3
        && parts[..parts.len() - 1].windows(2).any(|pair| {
            pair[0].len() > ".dist-info".len()
                && pair[0].ends_with(".dist-info")
                && pair[1] == "licenses"
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    const MIN: f32 = 0.8;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/src/license/test-fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn ids(found: &[Match]) -> Vec<&str> {
        found.iter().map(|m| m.spdx.as_str()).collect()
    }

    #[test]
    fn apache_2_text_is_apache_2() {
        let found = identify(&fixture("text/Apache-2.0"), MIN);
        assert_eq!(
            found.first().map(|m| m.spdx.as_str()),
            Some("Apache-2.0"),
            "{found:?}"
        );
        assert!(found[0].confidence >= 0.95, "{found:?}");
    }

    #[test]
    fn gpl_2_text_is_a_gpl_2_id() {
        let found = identify(&fixture("text/GPL-2"), MIN);
        let best = found.first().map(|m| m.spdx.as_str()).unwrap_or("");
        assert!(best.starts_with("GPL-2.0"), "{found:?}");
    }

    #[test]
    fn mpl_2_text_is_mpl_2() {
        let found = identify(&fixture("text/MPL-2.0"), MIN);
        assert_eq!(
            found.first().map(|m| m.spdx.as_str()),
            Some("MPL-2.0"),
            "{found:?}"
        );
    }

    #[test]
    fn short_real_mit_license_file_is_mit() {
        let found = identify(&fixture("text/generic-array-LICENSE"), MIN);
        assert_eq!(
            found.first().map(|m| m.spdx.as_str()),
            Some("MIT"),
            "{found:?}"
        );
    }

    #[test]
    fn matches_are_kept_in_a_layer_cache_and_damaged_ones_dropped() {
        use crate::cache::dir::DirStore;
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(
            Box::new(DirStore::new(dir.path().to_path_buf(), u64::MAX)),
            &crate::pipeline::capture_rules(),
            true,
        );
        let text = fixture("text/MPL-2.0");
        let found = identify_kept(&text, MIN, Some(&cache));
        let key = (
            <[u8; 32]>::from(Sha256::digest(text.as_bytes())),
            MIN.to_bits(),
        );
        assert_eq!(kept(&cache, &key), Some(found));
        // A threshold is part of the key.
        assert_eq!(kept(&cache, &(key.0, 0.5f32.to_bits())), None);
        // Matches no matcher would give are a warning and a miss.
        let id = entry_id(&key);
        let odd = vec![Match {
            spdx: "No-Such-License".into(),
            confidence: 1.0,
        }];
        cache.put_derived(
            Derived::TextMatches,
            &id,
            &postcard::to_stdvec(&odd).unwrap(),
        );
        assert_eq!(kept(&cache, &key), None);
        assert!(cache.summary().warnings[0].contains("license text"));
        assert_eq!(cache.get_derived(Derived::TextMatches, &id, MAX_KEPT), None);
    }

    #[test]
    fn text_that_is_no_license_gives_nothing() {
        let text = "layerbom reads a container image and reports what is inside it.\n\
                    Each layer is a tar archive; whiteouts hide files of lower layers.\n";
        assert_eq!(identify(text, MIN), Vec::new());
        assert_eq!(identify("", MIN), Vec::new());
        assert_eq!(identify("  \n\t", MIN), Vec::new());
    }

    #[test]
    fn text_over_one_mib_gives_nothing() {
        let apache = fixture("text/Apache-2.0");
        let mut big = String::with_capacity(MAX_TEXT_BYTES + apache.len());
        while big.len() <= MAX_TEXT_BYTES {
            big.push_str(&apache);
        }
        assert_eq!(identify(&big, MIN), Vec::new());
    }

    #[test]
    fn results_are_best_first_and_each_license_once() {
        let found = identify(&fixture("copyright/libcrypt1"), 0.0);
        for pair in found.windows(2) {
            assert!(pair[0].confidence >= pair[1].confidence, "{found:?}");
        }
        let mut names = ids(&found);
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), found.len(), "{found:?}");
    }

    /// Not a rule: prints what the matcher makes of a real multi-license Debian copyright
    /// file, and how long the first call and a later (cached) one take. Run alone to see the
    /// first call's cost: `cargo test --lib text::tests::report -- --nocapture`.
    #[test]
    fn report_timings_and_libcrypt1() {
        let apache = fixture("text/Apache-2.0");
        let start = Instant::now();
        let first = identify(&apache, MIN);
        let first_took = start.elapsed();
        let start = Instant::now();
        let again = identify(&apache, MIN);
        let again_took = start.elapsed();
        assert_eq!(first, again);
        let start = Instant::now();
        let libcrypt1 = identify(&fixture("copyright/libcrypt1"), MIN);
        let libcrypt1_took = start.elapsed();
        let libcrypt1_any = identify(&fixture("copyright/libcrypt1"), 0.1);
        println!("first identify (Apache-2.0, unless another test matched it): {first_took:?}");
        println!("later identify (Apache-2.0): {again_took:?} -> {again:?}");
        println!("libcrypt1 copyright at {MIN}: {libcrypt1_took:?} -> {libcrypt1:?}");
        println!("libcrypt1 copyright at 0.1: {libcrypt1_any:?}");
        for name in ["GPL-2", "MPL-2.0", "generic-array-LICENSE"] {
            let found = identify(&fixture(&format!("text/{name}")), MIN);
            println!("{name}: {found:?}");
        }
    }

    #[test]
    fn license_file_names() {
        for yes in [
            "LICENSE",
            "usr/share/doc/foo/LICENSE-MIT",
            "licence.txt",
            "COPYING",
            "/usr/share/doc/zlib/copying.lib",
            "NOTICE",
            "notice.md",
            "usr/share/doc/bash/copyright",
            "COPYRIGHT.txt",
            "usr/lib/python3/site-packages/pkg-1.0.dist-info/licenses/AUTHORS.rst",
            "site-packages/pkg-1.0.dist-info/licenses/sub/dir/x.txt",
        ] {
            assert!(is_license_file_name(yes), "{yes}");
        }
        for no in [
            "README",
            "usr/bin/unlicensed", // base name does not start with a prefix
            "src/MY_LICENSE",
            "LICENSE/README", // a directory called LICENSE does not count
            "pkg-1.0.dist-info/METADATA",
            ".dist-info/licenses/x", // no package name before .dist-info
            "pkg.egg-info/licenses/x",
            "",
        ] {
            assert!(!is_license_file_name(no), "{no}");
        }
    }
}
