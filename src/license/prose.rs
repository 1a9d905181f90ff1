//! Licenses named in prose: "the GNU Lesser General Public License, version 2.1 (or, at
//! your option, any later version)", "LGPL (v2.1 or later)", "3-clause BSD".
//!
//! Some free-form Debian copyright files (libxcrypt's among them) neither reference
//! `/usr/share/common-licenses` nor quote a whole license text: they state the licenses by
//! name. This module finds such names, but only names precise enough to be one SPDX license:
//! a GNU license with its version, a BSD variant with its clause count, and a few others
//! spelled out in full. Whether a GNU license is `-only` or `-or-later` is read from the
//! words right after the name (`or later`, `any later version`, `+`); a version without them
//! is that version only, as the notice states it. "GPL" without a version, or "BSD" without
//! a clause count, names no single license and is not taken.

use std::sync::OnceLock;

use regex::Regex;

use super::names;

/// How many bytes of text are searched: copyright files are a few hundred KiB at most.
const MAX_BYTES: usize = 256 << 10;

/// How far after a GNU license name its "or later" wording may start.
const LATER_WINDOW: usize = 80;

struct Patterns {
    gnu_long: Regex,
    gnu_notice: Regex,
    gnu_short: Regex,
    gfdl: Regex,
    later: Regex,
    bsd: Regex,
    fixed: Vec<(Regex, &'static str)>,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |s: &str| Regex::new(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        Patterns {
            gnu_long: re(
                r"(?i)\b(?:GNU\s+)?(Lesser|Library|Affero)?\s*General\s+Public\s+License,?\s*\(?(?:version|ver\.?|v\.?)\s*(\d(?:\.\d)?)",
            ),
            // The FSF's own notice: "under the terms of the GNU Lesser General Public License
            // as published by the Free Software Foundation; either version 2.1 of the License".
            gnu_notice: re(
                r"(?i)\b(?:GNU\s+)?(Lesser|Library|Affero)?\s*General\s+Public\s+License\s*,?\s*as\s+published\s+by\s+the\s+Free\s+Software\s+Foundation\s*[;,]?\s*(?:either\s+)?version\s+(\d(?:\.\d)?)",
            ),
            gnu_short: re(r"\b(L|A)?GPL\s*\(?\s*(?:version\s*|v\.?\s*|-)?(\d(?:\.\d)?)(\+)?"),
            // "the GNU Free Documentation License, Version 1.3 or any later version".
            gfdl: re(
                r"(?i)\b(?:GNU\s+)?Free\s+Documentation\s+License,?\s*\(?(?:version|ver\.?|v\.?)\s*(1\.[123])\b",
            ),
            later: re(
                r"(?i)^[\s,;(]*(?:of\s+the\s+License\s*,?\s*)?(?:\+|or\s+later|or\s+newer|or\s*(?:\(|,)?\s*at\s+your\s+option\s*(?:\)|,)?\s*any\s+later\s+version|or\s+any\s+later\s+version)",
            ),
            bsd: re(r"(?i)\b(?:([0-4])-clause\s+BSD|BSD[\s-]([0-4])-clause)\b"),
            fixed: vec![
                (re(r"(?i)\bFSF\s+All\s+Permissive\s+License\b"), "FSFAP"),
                (re(r"(?i)\bApache\s+License,?\s+Version\s+2\.0\b"), "Apache-2.0"),
                (re(r"(?i)\bMozilla\s+Public\s+License,?\s+(?:version|v\.?)\s*2\.0\b"), "MPL-2.0"),
                (re(r"(?i)\bpublic\s+domain\b"), "LicenseRef-public-domain"),
            ],
        }
    })
}

/// A license named in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// SPDX id (or `LicenseRef-public-domain`).
    pub spdx: String,
    /// The words that name it, as written.
    pub phrase: String,
}

/// The SPDX id of a GNU license family (`GPL`, `LGPL`, `AGPL`) at `version`, `-only` or
/// `-or-later`; `None` for versions that family never had.
fn gnu_id(family: &str, version: &str, later: bool) -> Option<String> {
    let v = match (family, version) {
        ("GPL", "1" | "1.0") => "1.0",
        ("GPL", "2" | "2.0") => "2.0",
        ("GPL", "3" | "3.0") => "3.0",
        ("LGPL", "2" | "2.0") => "2.0",
        ("LGPL", "2.1") => "2.1",
        ("LGPL", "3" | "3.0") => "3.0",
        ("AGPL", "3" | "3.0") => "3.0",
        _ => return None,
    };
    let suffix = if later { "or-later" } else { "only" };
    let id = format!("{family}-{v}-{suffix}");
    names::is_spdx_id(&id).then_some(id)
}

/// Every license `text` names precisely, each once, in order of first mention.
pub fn named_licenses(text: &str) -> Vec<Named> {
    let mut cut = MAX_BYTES.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let text = &text[..cut];
    let p = patterns();
    let mut found: Vec<(usize, Named)> = Vec::new();
    // Where the "or later" wording right after a name ends, if there is such wording.
    let later_after = |end: usize| {
        let mut window_end = (end + LATER_WINDOW).min(text.len());
        while !text.is_char_boundary(window_end) {
            window_end += 1;
        }
        p.later.find(&text[end..window_end]).map(|m| end + m.end())
    };
    for c in p
        .gnu_long
        .captures_iter(text)
        .chain(p.gnu_notice.captures_iter(text))
    {
        let whole = c.get(0).map_or(0..0, |m| m.range());
        let family = match c.get(1).map(|m| m.as_str().to_ascii_lowercase()) {
            Some(f) if f == "affero" => "AGPL",
            Some(_) => "LGPL",
            None => "GPL",
        };
        let version = c.get(2).map_or("", |m| m.as_str());
        let later = later_after(whole.end);
        if let Some(id) = gnu_id(family, version, later.is_some()) {
            let end = later.unwrap_or(whole.end);
            found.push((whole.start, named(id, &text[whole.start..end])));
        }
    }
    for c in p.gnu_short.captures_iter(text) {
        let whole = c.get(0).map_or(0..0, |m| m.range());
        let family = match c.get(1).map(|m| m.as_str()) {
            Some("L") => "LGPL",
            Some(_) => "AGPL",
            None => "GPL",
        };
        let version = c.get(2).map_or("", |m| m.as_str());
        let later = later_after(whole.end);
        if let Some(id) = gnu_id(family, version, c.get(3).is_some() || later.is_some()) {
            let end = later.unwrap_or(whole.end);
            found.push((whole.start, named(id, &text[whole.start..end])));
        }
    }
    for c in p.gfdl.captures_iter(text) {
        let whole = c.get(0).map_or(0..0, |m| m.range());
        let version = c.get(1).map_or("", |m| m.as_str());
        let later = later_after(whole.end);
        let suffix = if later.is_some() { "or-later" } else { "only" };
        let id = format!("GFDL-{version}-{suffix}");
        if names::is_spdx_id(&id) {
            let end = later.unwrap_or(whole.end);
            found.push((whole.start, named(id, &text[whole.start..end])));
        }
    }
    for c in p.bsd.captures_iter(text) {
        let whole = c.get(0).map_or(0..0, |m| m.range());
        let clauses = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        let id = match clauses {
            "0" => "0BSD",
            "1" => "BSD-1-Clause",
            "2" => "BSD-2-Clause",
            "3" => "BSD-3-Clause",
            _ => "BSD-4-Clause",
        };
        found.push((whole.start, named(id.to_string(), &text[whole])));
    }
    for (re, id) in &p.fixed {
        for m in re.find_iter(text) {
            found.push((m.start(), named(id.to_string(), m.as_str())));
        }
    }
    found.sort_by_key(|(at, _)| *at);
    let mut out: Vec<Named> = Vec::new();
    for (_, n) in found {
        if !out.iter().any(|o| o.spdx == n.spdx) {
            out.push(n);
        }
    }
    out
}

fn named(spdx: String, phrase: &str) -> Named {
    Named {
        spdx,
        phrase: phrase.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        named_licenses(text).into_iter().map(|n| n.spdx).collect()
    }

    #[test]
    fn gnu_names_take_only_or_later_from_the_words_after_them() {
        assert_eq!(
            ids("The overall license for libxcrypt is the GNU Lesser General Public\nLicense, version 2.1 (or, at your option, any later version); see"),
            ["LGPL-2.1-or-later"]
        );
        assert_eq!(
            ids("Copyright Thorsten Kukuk; LGPL (v2.1 or later):"),
            ["LGPL-2.1-or-later"]
        );
        assert_eq!(
            ids("under the GNU General Public License version 2."),
            ["GPL-2.0-only"]
        );
        assert_eq!(ids("licensed GPLv3+"), ["GPL-3.0-or-later"]);
        assert_eq!(
            ids("GNU Affero General Public License, version 3 or later"),
            ["AGPL-3.0-or-later"]
        );
        assert_eq!(ids("GPL-2 or any later version"), ["GPL-2.0-or-later"]);
    }

    #[test]
    fn the_fsf_notice_names_its_version_and_whether_later_ones_apply() {
        // libquadmath's part of GCC's copyright file.
        assert_eq!(
            ids("modify it under the terms of the GNU Lesser General Public\n   License as published by the Free Software Foundation; either\n   version 2.1 of the License, or (at your option) any later version."),
            ["LGPL-2.1-or-later"]
        );
        assert_eq!(
            ids("under the terms of the GNU Library General Public\nLicense as published by the Free Software Foundation; version 2 of the License."),
            ["LGPL-2.0-only"]
        );
    }

    #[test]
    fn vague_names_are_not_taken() {
        assert!(ids("licensed under the GPL").is_empty());
        assert!(ids("a BSD-style license").is_empty());
        assert!(ids("GNU General Public License version 7").is_empty());
        assert!(ids("LGPL 3.5").is_empty());
    }

    #[test]
    fn bsd_variants_and_spelled_out_names() {
        assert_eq!(
            ids("Copyright X; 3-clause BSD:\n Copyright Y; 0-clause BSD\n; 2-clause BSD; BSD-2-clause; FSF All Permissive License:\n Public domain, written by Z"),
            ["BSD-3-Clause", "0BSD", "BSD-2-Clause", "FSFAP", "LicenseRef-public-domain"]
        );
        assert_eq!(ids("Apache License, Version 2.0"), ["Apache-2.0"]);
    }

    #[test]
    fn libxcrypt_free_form_copyright_names_its_licenses() {
        let text = std::fs::read_to_string(format!(
            "{}/src/license/test-fixtures/copyright/libcrypt1",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let found = named_licenses(&text);
        assert_eq!(
            ids(&text),
            [
                "LGPL-2.1-or-later",
                "BSD-3-Clause",
                "LicenseRef-public-domain",
                "0BSD",
                "BSD-2-Clause",
                "GPL-3.0-or-later",
                "FSFAP",
                "GPL-2.0-or-later"
            ]
        );
        assert_eq!(
            found[0].phrase,
            "GNU Lesser General Public License, version 2.1 (or, at your option, any later version"
        );
    }

    #[test]
    fn long_and_odd_texts_do_not_panic() {
        let long = "é GPL v2+ ".repeat(100_000);
        assert_eq!(ids(&long), ["GPL-2.0-or-later"]);
        assert!(ids("GPL").is_empty());
        assert!(ids("General Public License, version").is_empty());
    }
}
