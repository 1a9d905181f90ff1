//! Free-form copyright files, read paragraph by paragraph.
//!
//! A free-form file often gives the main license first and then, in paragraphs of their
//! own, the licenses of particular files: "The xml to man conversion files
//! (man/{xmltoman.css, xmltoman.dtd}) are under the GNU General Public License 2. See
//! /usr/share/common-licenses/GPL-2", or a list item "Copyright Zack Weinberg; GPL (v3 or
//! later), with Autoconf exception: build-aux/m4/zw_automodern.m4". Such a paragraph is a
//! `Files:` stanza in all but syntax: its licenses bind the binary package only when it
//! ships those files, which [`super::binary`] decides as for a stanza. A paragraph that
//! names no file is about the whole source package and always applies.
//!
//! Whether a GNU license referenced in `/usr/share/common-licenses/` is "or later" is read
//! from the paragraph of the reference and from the grant text right before it (the
//! paragraphs back to the previous one that names a license or a file), never from another
//! part of the file.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::binary::{Left, Shipped};
use super::copyright::common_license_refs;
use super::debian::TEXT_MATCH_MIN;
use super::names::{self, Dialect};
use super::{prose, text};

/// How a file names its licenses: the way [`blocks`] looks for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// `/usr/share/common-licenses/NAME` references.
    CommonLicenses,
    /// Names precise enough to be one SPDX license ([`prose`]).
    Prose,
}

/// One paragraph that names licenses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Block {
    /// Its 1-based first line in the file.
    pub line: usize,
    /// The files or patterns it names; empty when it is about the whole package.
    pub files: Vec<String>,
    /// How it names its licenses, as written.
    pub said: Vec<String>,
    /// Their SPDX expressions.
    pub expressions: Vec<String>,
    /// Whether its grant is about a library the package uses rather than the package.
    pub used_library: bool,
}

impl Block {
    /// Whether `shipped` installs the files this block is about; when not, why.
    pub fn applies(&self, shipped: &Shipped) -> Result<(), Left> {
        if self.used_library {
            Err(Left::UsedLibrary)
        } else if self.files.is_empty() {
            Ok(())
        } else {
            shipped.stanza(&self.files)
        }
    }
}

/// The paragraphs of `text` that name licenses the way `naming` says, in file order.
pub fn blocks(text: &str, naming: Naming) -> Vec<Block> {
    let paragraphs = paragraphs(text);
    let mut out = Vec::new();
    // Where the grant text of the next reference starts (a paragraph index).
    let mut grant_from = 0;
    // The paragraphs before the first that names a file or a license.
    let mut preamble = 0;
    // Each paragraph's words, lower-cased and without punctuation, made once.
    let words: Vec<Vec<String>> = paragraphs
        .iter()
        .map(|(_, p)| {
            p.split_whitespace()
                .map(|w| {
                    w.trim_matches(|c: char| !c.is_ascii_alphanumeric())
                        .to_ascii_lowercase()
                })
                .collect()
        })
        .collect();
    for (i, (line, para)) in paragraphs.iter().enumerate() {
        let files = file_mentions(para);
        // The grant: this paragraph and the ones before it back to the previous block,
        // gathered only for a paragraph that names a license.
        let grant = std::cell::OnceCell::new();
        let from = grant_from;
        let said_of = |phrase: &[&str]| {
            let grant: &Vec<&str> = grant.get_or_init(|| {
                words[from..=i]
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .collect()
            });
            grant.windows(phrase.len()).any(|w| w == phrase)
        };
        let used_library = || USES.iter().any(|phrase| said_of(phrase));
        let packaging = || PACKAGING.iter().any(|phrase| said_of(phrase));
        let (said, expressions) = match naming {
            Naming::CommonLicenses => {
                let refs = common_license_refs(para);
                let later = said_of(&["any", "later", "version"]);
                // The grant's own words name the GNU license precisely ("version 3 of the
                // License, or (at your option) any later version"): a reference is where
                // its text is, not what it grants.
                let named: Vec<String> = if refs.is_empty() {
                    Vec::new()
                } else {
                    let grant: Vec<&str> = paragraphs[grant_from..=i]
                        .iter()
                        .map(|(_, p)| p.as_str())
                        .collect();
                    prose::named_licenses(&without_paths(&grant.join("\n\n")))
                        .into_iter()
                        .map(|n| n.spdx)
                        .filter(|id| is_gnu(id))
                        .collect()
                };
                let mut said = Vec::new();
                let mut expressions = Vec::new();
                for name in refs {
                    let fam = family(&name);
                    let gnu = GNU.contains(&fam);
                    said.push(format!("/usr/share/common-licenses/{name}"));
                    let granted: Vec<&String> =
                        named.iter().filter(|id| family(id) == fam).collect();
                    // A bare path takes the version the grant names; a versioned one keeps
                    // its version and takes "or later" from the grant of that family.
                    if gnu && name == fam && !granted.is_empty() {
                        for id in granted {
                            expressions.extend(names::normalize(id, Dialect::Rpm).expression);
                        }
                        continue;
                    }
                    let later = if granted.is_empty() {
                        later
                    } else {
                        granted.iter().any(|id| id.ends_with("-or-later"))
                    };
                    // A bare `GPL` or `LGPL` path beside a grant that names other GNU
                    // licenses is only where texts are (binutils: "the complete text of
                    // the GNU General Public License can be found in GPL and LGPL").
                    if gnu && name == fam && !named.is_empty() {
                        continue;
                    }
                    let raw = if gnu && name.contains('-') && later && !name.ends_with('+') {
                        format!("{name}+")
                    } else {
                        name.clone()
                    };
                    expressions.extend(names::normalize(&raw, Dialect::Debian).expression);
                }
                (said, expressions)
            }
            Naming::Prose => {
                let found = prose::named_licenses(para);
                let expressions = found
                    .iter()
                    .filter_map(|n| names::normalize(&n.spdx, Dialect::Rpm).expression)
                    .collect();
                (found.into_iter().map(|n| n.phrase).collect(), expressions)
            }
        };
        if !files.is_empty() || !said.is_empty() {
            if grant_from == 0 && naming == Naming::CommonLicenses {
                preamble = i;
            }
            grant_from = i + 1;
        }
        if !expressions.is_empty() {
            // "The Debian specific changes are … under the GNU General Public License": a
            // grant about Debian's packaging, which is `debian/*` in a machine-readable file.
            let files = if files.is_empty() && packaging() {
                vec!["debian/*".to_string()]
            } else {
                files
            };
            out.push(Block {
                line: *line,
                files,
                said,
                expressions,
                used_library: used_library(),
            });
        }
    }
    // The top of the file, before any part about particular files or any reference, is
    // about the whole package: a license quoted there in full is its main license
    // (python3-setuptools quotes MIT there, then refers to Apache-2.0 for a vendored
    // library).
    if preamble > 0 && !out.is_empty() {
        let top: Vec<&str> = paragraphs[..preamble]
            .iter()
            .map(|(_, p)| p.as_str())
            .collect();
        let top = top.join("\n\n");
        // GNU notices differ only in their version words, which a text match weighs
        // little: the notice's own words say which version it grants (binutils quotes
        // GPL-3's notice, which matches GPL-2's too).
        let named: Vec<String> = prose::named_licenses(&without_paths(&top))
            .into_iter()
            .map(|n| n.spdx)
            .filter(|id| is_gnu(id))
            .collect();
        let mut found: Vec<(String, String)> = Vec::new();
        for m in text::identify(&top, TEXT_MATCH_MIN) {
            let Some(e) = names::normalize(&m.spdx, Dialect::Rpm).expression else {
                continue;
            };
            let granted: Vec<&String> = named
                .iter()
                .filter(|id| is_gnu(&e) && family(id) == family(&e))
                .collect();
            if granted.is_empty() {
                found.push((format!("the text of {e}"), e));
            } else {
                for id in granted {
                    if !found.iter().any(|(_, f)| f == id) {
                        found.push((format!("the notice of {id}"), id.clone()));
                    }
                }
            }
        }
        if !found.is_empty() {
            out.insert(
                0,
                Block {
                    line: paragraphs[0].0,
                    files: Vec::new(),
                    said: found.iter().map(|(s, _)| s.clone()).collect(),
                    expressions: found.into_iter().map(|(_, e)| e).collect(),
                    used_library: false,
                },
            );
        }
    }
    out
}

/// The most notices [`notices`] reads in one file; a file with more is not read by notice.
const MAX_NOTICES: usize = 64;

/// The fewest words of terms a notice has: a sentence naming a license is no license text.
const MIN_WORDS: usize = 30;

/// Words that make a notice a grant of terms rather than a history or a list of authors.
const GRANT_WORDS: [&str; 6] = [
    "permission",
    "permitted",
    "license",
    "licence",
    "redistribut",
    "granted",
];

/// The licenses of a free-form file that quotes notices one after another, each with its
/// copyright lines and its own terms (X.Org's libraries concatenate the notices of their
/// sources), one block per notice: the SPDX license its text matches at
/// `TEXT_MATCH_MIN` or more, else a `LicenseRef-notice-` named by the text's digest,
/// whose text is returned beside the blocks so that the documents carry it. A notice that
/// names files before its copyright lines ("Xmu/Clip.c has:") applies only when they are
/// shipped.
///
/// A notice starts at a separator line (`-----`) or at a copyright line that follows
/// license text; it is copyright lines followed by terms of `MIN_WORDS` words or more
/// with a grant word in them: a history or a sentence that names a license is none. `None`
/// when the file has no notice, or more than `MAX_NOTICES`.
pub fn notices(text: &str) -> Option<(Vec<Block>, BTreeMap<String, String>)> {
    let mut raw: Vec<(usize, Vec<&str>)> = Vec::new();
    let mut body = false;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        let separator = t.len() >= 3
            && t.chars()
                .all(|c| matches!(c, '-' | '=' | '*' | '_' | '#' | '~'));
        let copyright = is_copyright_line(t);
        if separator || (copyright && body) || raw.is_empty() {
            // "* The file sunrpc/des_impl.c is copyright Eric Young:" introduces the notice
            // after it: it goes with that notice, not the one before.
            let intro = match raw.last_mut() {
                Some((_, lines)) if copyright => take_intro(lines),
                _ => Vec::new(),
            };
            let line = n + 1 - intro.len();
            raw.push((line, intro));
            body = false;
        }
        if separator {
            continue;
        }
        if !copyright && t.chars().any(|c| c.is_ascii_lowercase()) {
            body = true;
        }
        if let Some((_, lines)) = raw.last_mut() {
            lines.push(line);
        }
    }
    let mut blocks = Vec::new();
    let mut texts = BTreeMap::new();
    for (line, lines) in raw {
        let first_copyright = lines.iter().position(|l| is_copyright_line(l.trim()));
        let (intro, notice) = lines.split_at(first_copyright.unwrap_or(0));
        let terms: Vec<&str> = notice
            .iter()
            .copied()
            .filter(|l| !is_copyright_line(l.trim()))
            .collect();
        let terms = terms.join("\n");
        let lower = terms.to_ascii_lowercase();
        let grant = GRANT_WORDS.iter().any(|w| lower.contains(w));
        if first_copyright.is_none() || !grant || terms.split_whitespace().count() < MIN_WORDS {
            continue;
        }
        if blocks.len() == MAX_NOTICES {
            return None;
        }
        let matched = text::identify(&terms, TEXT_MATCH_MIN)
            .into_iter()
            .find_map(|m| names::normalize(&m.spdx, Dialect::Rpm).expression);
        let (said, expression) = match matched {
            Some(e) => (format!("the text of {e}"), e),
            None => {
                let digest = Sha256::digest(terms.trim().as_bytes());
                let id = format!("LicenseRef-notice-{}", hex8(&digest));
                texts.insert(id.clone(), notice.join("\n").trim().to_string());
                (
                    format!("a notice that matches no SPDX license text (line {line})"),
                    id,
                )
            }
        };
        blocks.push(Block {
            line,
            files: file_mentions(&intro.join("\n")),
            said: vec![said],
            expressions: vec![expression],
            used_library: false,
        });
    }
    (!blocks.is_empty()).then_some((blocks, texts))
}

/// The last paragraph of `lines` when it introduces what follows (it ends with `:`, is a
/// `Files:` line or a list of file names), with the blank lines after it, removed from `lines`.
fn take_intro<'a>(lines: &mut Vec<&'a str>) -> Vec<&'a str> {
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(0, |i| i + 1);
    if end == 0 {
        return Vec::new();
    }
    let start = lines[..end]
        .iter()
        .rposition(|l| l.trim().is_empty())
        .map_or(0, |i| i + 1);
    // A DEP-5-style `Files:` line in a free-form file names the files just the same.
    let files_line = lines[start].trim_start().starts_with("Files:");
    let para = lines[start..end].join("\n");
    let only_files = words(&para).iter().all(|w| is_file_name(w));
    if !lines[end - 1].trim_end().ends_with(':') && !files_line && !only_files {
        return Vec::new();
    }
    lines.split_off(start)
}

/// Whether a line is a copyright line (`Copyright 1989 The Open Group`, `Copyright (c) …`,
/// `Portions Copyright …`, `(c) 1998 …`, `© …`), not a sentence about one ("copyright notice and this permission
/// notice appear…").
fn is_copyright_line(line: &str) -> bool {
    let dated = |rest: &str| {
        let next = rest.split_whitespace().next().unwrap_or_default();
        next.starts_with(|c: char| c.is_ascii_digit()) || matches!(next, "(c)" | "(C)" | "©" | "by")
    };
    let line = line.strip_prefix("Portions ").unwrap_or(line);
    if let Some(rest) = line
        .strip_prefix("Copyright")
        .or_else(|| line.strip_prefix("COPYRIGHT"))
    {
        return dated(rest.trim_start_matches(':'));
    }
    line.starts_with('©')
        || ["(c)", "(C)"].iter().any(|p| {
            line.strip_prefix(p).is_some_and(|rest| {
                dated(rest) || rest.trim_start().starts_with(|c: char| c.is_ascii_digit())
            })
        })
}

/// The first four bytes of a digest in hex.
fn hex8(digest: &[u8]) -> String {
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// `text` with its `/usr/share/common-licenses/NAME` paths blanked out: a file name is not
/// a license named in prose.
fn without_paths(text: &str) -> String {
    const PREFIX: &str = "/usr/share/common-licenses/";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        out.push_str(&rest[..at]);
        let after = &rest[at + PREFIX.len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_')))
            .unwrap_or(after.len());
        out.push(' ');
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The GNU license families, whose common-licenses files hold several versions.
const GNU: [&str; 4] = ["GPL", "LGPL", "AGPL", "GFDL"];

/// `GPL` for `GPL-2`, `GPL-3.0-or-later` and `GPL`; `LGPL` for `LGPL-2.1+`.
fn family(name: &str) -> &str {
    name.split(['-', '+']).next().unwrap_or(name)
}

/// Whether a license name or SPDX term is a GNU license (GPL, LGPL, AGPL, GFDL).
pub(super) fn is_gnu(name: &str) -> bool {
    GNU.contains(&family(name))
}

/// Words that make a grant about a library the package uses, not about the package:
/// Python's file quotes GNU Readline's GPL grant under "The 'readline' module makes use of
/// GNU Readline."
const USES: [&[&str]; 6] = [
    &["makes", "use", "of"],
    &["make", "use", "of"],
    &["links", "against"],
    &["links", "with"],
    &["linked", "against"],
    &["linked", "with"],
];

/// Words that make a grant about Debian's packaging rather than the software.
const PACKAGING: [&[&str]; 4] = [
    &["debian", "specific", "changes"],
    &["debian", "specific", "files"],
    &["debian", "packaging"],
    &["packaging", "for", "debian"],
];

/// The paragraphs of `text` (runs of non-blank lines) with their 1-based first lines.
fn paragraphs(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open = false;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            open = false;
        } else if open {
            if let Some((_, p)) = out.last_mut() {
                p.push('\n');
                p.push_str(line);
            }
        } else {
            out.push((n + 1, line.to_string()));
            open = true;
        }
    }
    out
}

/// Source file extensions that make a bare word a file name (`crypt.c`, `ax_pthread.m4`).
const SOURCE_EXTENSIONS: [&str; 36] = [
    "c", "h", "cc", "cpp", "cxx", "hh", "hpp", "hxx", "m4", "mk", "am", "ac", "in", "py", "pl",
    "pm", "sh", "js", "css", "xsl", "dtd", "xml", "s", "asm", "java", "rs", "go", "y", "l", "tex",
    "texi", "cmake", "el", "rb", "lua", "inc",
];

/// The file names and patterns a paragraph mentions: words with a directory
/// (`avahi-compat-howl/include/*`, `build-aux/scripts/gen-crypt-h`) or a source extension
/// (`crypt.c`), with `{a,b}` alternatives expanded. URLs, e-mail addresses, absolute paths
/// (`/usr/share/common-licenses/GPL-2`) and words like `and/or` are not files.
fn file_mentions(para: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in words(para) {
        for name in expand_braces(&word) {
            let name = name.trim_matches(|c: char| matches!(c, '.' | ':' | ';' | ','));
            if is_file_name(name) && !out.iter().any(|o| o == name) {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// Words split at white space, commas and brackets, except inside `{…}`.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '{' => {
                depth += 1;
                word.push(c);
            }
            '}' => {
                depth = depth.saturating_sub(1);
                word.push(c);
            }
            c if depth > 0 => {
                if !c.is_whitespace() {
                    word.push(c);
                }
            }
            c if c.is_whitespace()
                || matches!(c, ',' | '(' | ')' | '"' | '`' | '\'' | '<' | '>') =>
            {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
        if word.len() > 512 {
            word.clear();
            depth = 0;
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// `man/{a.css,b.xsl}` → `man/a.css`, `man/b.xsl`; `obsolete{,_r}.c` → `obsolete.c`,
/// `obsolete_r.c`. One group; a word without one is itself.
fn expand_braces(word: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (word.find('{'), word.find('}')) else {
        return vec![word.to_string()];
    };
    if close < open {
        return vec![word.to_string()];
    }
    let (head, tail) = (&word[..open], &word[close + 1..]);
    word[open + 1..close]
        .split(',')
        .take(64)
        .map(|alt| format!("{head}{alt}{tail}"))
        .collect()
}

fn is_file_name(name: &str) -> bool {
    let path_chars = name.chars().all(|c| {
        c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | '*' | '?' | '~')
    });
    if name.is_empty()
        || !path_chars
        || name.starts_with('/')
        || name.starts_with('.')
        || !name.chars().any(|c| c.is_ascii_alphabetic())
    {
        return false;
    }
    let base = name.rsplit('/').next().unwrap_or(name);
    let extension = base.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && SOURCE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
    });
    if !name.contains('/') {
        return extension;
    }
    // `and/or`, `GNU/Linux`: one slash between words is prose, not a path.
    extension || name.ends_with('*') || name.ends_with('/') || name.matches('/').count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/src/license/test-fixtures/binary/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn shipped(name: &str) -> Shipped {
        let list = fixture(&format!("{name}.list"));
        Shipped::from_files(&list.lines().collect::<Vec<_>>())
    }

    /// The expressions of the blocks `name`'s own file list keeps.
    fn kept(name: &str, naming: Naming) -> Vec<String> {
        let shipped = shipped(name);
        blocks(&fixture(&format!("{name}.copyright")), naming)
            .into_iter()
            .filter(|b| b.applies(&shipped).is_ok())
            .flat_map(|b| b.expressions)
            .collect()
    }

    #[test]
    fn file_names_in_prose() {
        assert_eq!(
            file_mentions("The xml to man conversion files\n(man/{xmltoman.css, xmltoman.dtd, xmltoman.xsl}) are under the GNU GPL 2."),
            ["man/xmltoman.css", "man/xmltoman.dtd", "man/xmltoman.xsl"]
        );
        assert_eq!(
            file_mentions("test-des-obsolete{,_r}.c, crypt.c and build-aux/scripts/gen-crypt-h"),
            [
                "test-des-obsolete.c",
                "test-des-obsolete_r.c",
                "crypt.c",
                "build-aux/scripts/gen-crypt-h"
            ]
        );
        assert!(file_mentions(
            "See /usr/share/common-licenses/GPL-2 on your Debian GNU/Linux system, and/or https://avahi.org/x.c, e.g. mail md@linux.it; version 2.1."
        )
        .is_empty());
    }

    #[test]
    fn avahi_paragraphs_about_files_the_library_does_not_ship_are_left_out() {
        // The main grant is LGPL "version 2 ... or any later version" with its reference
        // two paragraphs below; the man-page stylesheets are GPL-2 (only), the autoconf
        // macros GPL; neither is in libavahi-client3.
        let text = fixture("libavahi-client3.copyright");
        let all = blocks(&text, Naming::CommonLicenses);
        // The notice at the top, read by its words ("version 2 of the License, or (at your
        // option) any later version", which a text match takes for 2.1's notice), and the
        // reference to the LGPL-2.1 text under it, "or later" from the same grant.
        assert_eq!(all[0].said, ["the notice of LGPL-2.0-or-later"]);
        assert_eq!(all[1].expressions, ["LGPL-2.1-or-later"]);
        assert!(all[1].files.is_empty());
        assert_eq!(all[2].expressions, ["GPL-2.0-only"]);
        assert_eq!(
            all[2].applies(&shipped("libavahi-client3")),
            Err(Left::Documentation)
        );
        let kept = kept("libavahi-client3", Naming::CommonLicenses);
        assert!(kept.iter().all(|e| e.starts_with("LGPL-2")), "{kept:?}");
    }

    #[test]
    fn a_grant_about_a_library_the_package_uses_is_not_its_terms() {
        let text = "Python is under the PSF license.\n\nGNU Readline\n------------\n\nThe 'readline' module makes use of GNU Readline.\n\n      The GNU Readline Library is free software; you can redistribute it\n      under the GPL; either version 2, or (at your option) any later version.\n\n      A copy of the GNU General Public License is available in /usr/share/common-licenses/GPL-2'.\n";
        let all = blocks(text, Naming::CommonLicenses);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].expressions, ["GPL-2.0-or-later"]);
        assert!(all[0].used_library);
        assert_eq!(
            all[0].applies(&Shipped::unknown("python3.11")),
            Err(Left::UsedLibrary)
        );
    }

    #[test]
    fn libxcrypt_list_items_about_build_macros_are_left_out() {
        // libcrypt1's file lists each license with its files; the GPL and FSFAP ones are
        // autoconf macros under build-aux/.
        let kept = kept("libcrypt1", Naming::Prose);
        assert_eq!(
            kept.iter()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>(),
            [
                "0BSD",
                "BSD-2-Clause",
                "BSD-3-Clause",
                "LGPL-2.1-or-later",
                "LicenseRef-public-domain"
            ]
        );
    }
}
