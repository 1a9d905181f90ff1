//! The GCC runtime libraries' license, as the GCC source package's free-form copyright file
//! states it.
//!
//! Debian ships one copyright file for the whole GCC source (`gcc-12-base`'s, which
//! `libgcc-s1` and `libstdc++6` reach through symlinked doc directories). It covers the
//! compilers (GPL), the documentation (GFDL), libbacktrace (BSD), the sanitizers (NCSA/MIT),
//! libquadmath (LGPL), the D front end (GPL or Artistic), newlib and more. Read as a whole it
//! names every one of those licenses, but one sentence says which of them applies to the
//! runtime libraries that programs link:
//!
//! > The following runtime libraries are licensed under the terms of the GNU General Public
//! > License (v3 or later) with version 3.1 of the GCC Runtime Library Exception (included in
//! > this file):
//!
//! followed by a list (` - libgcc (libgcc/, gcc/libgcc2.[ch], …)`, ` - libatomic`,
//! ` - libstdc++-v3`, …). `runtime_exception` reads that sentence and its list, and says
//! whether a binary package is one of the listed libraries. The rule, and nothing more:
//!
//! 1. The sentence must be there, in those words (whitespace aside; "(v3 or later)" may also
//!    be written "version 3, or (at your option) any later version", and the exception may
//!    be "the GCC Runtime Library Exception, version 3.1"), ending in a colon that opens a
//!    list of `-`, `*` or `•` items. Nothing else in the file is read by this rule.
//! 2. The library names are the words starting with `lib` in each item, before any
//!    parenthesis (`libgcc`, `libstdc++-v3`, `libgnat-12`, `libgnat-util12`; the words
//!    "library" and "libraries" are not names).
//! 3. A Debian package is one of those libraries when its name is the library's name, with
//!    the upstream directory's `-vN` and any version dropped (`libstdc++-v3` → `libstdc++`,
//!    `libgnat-12` → `libgnat`), followed by the soname version the Debian policy appends
//!    (§8.1: `libstdc++.so.6` → `libstdc++6`), optionally after `-s` for a soname's `_s`
//!    (`libgcc_s.so.1` → `libgcc-s1`) or after `-`: `libgcc-s1`, `libgcc1`, `libstdc++6`,
//!    `libgomp1`, `libatomic1`, `libitm1`, `libssp0`, `libobjc4`, `libgfortran5`,
//!    `libgnat-12`, `libgnat-util12`, `libvtv0`.
//! 4. `lib32…` and `lib64…` packages count as their `lib…` package only when the file says
//!    so ("The license terms for these lib32 or lib64 packages are identical to the ones
//!    for the lib packages."), and that sentence is quoted too. Other multilib prefixes
//!    (`libx32`, `libn32`, `libhf`, `libsf`) are not named by the file and are not mapped.
//!
//! Packages that are no listed runtime library by name are weighed by the libraries they
//! install (`library_terms`): development packages (`libstdc++-12-dev` installs
//! `libstdc++.a`, `libsupc++.a` and `libstdc++fs.a`, all built from `libstdc++-v3/`) take
//! the runtime exception through the list; libraries the list does not name take the
//! section the file gives them ("The libsanitizer libraries (libasan, liblsan, libtsan,
//! libubsan) are licensed under the following terms:" for `libasan8`, the
//! `libquadmath/…:` headings for `libquadmath0`); a package with a mix (`libgcc-12-dev`
//! also ships `libasan.a`, `libquadmath.a` and `libbacktrace.a`) gets the `AND` of them.
//! When the file says nothing of one of a package's libraries (`libcc1-0`), or the package
//! installs none (`gcc-12-base`, the compilers), the file is read as a whole.

use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// The expression the sentence states.
pub const EXPRESSION: &str = "GPL-3.0-or-later WITH GCC-exception-3.1";

/// How many bytes after the sentence's colon the list may take to start and run.
const MAX_LIST_BYTES: usize = 16 << 10;

/// A piece of the file, quoted, with the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The line of the file where the quote starts.
    pub line: usize,
    /// The words, with runs of white space made one space.
    pub text: String,
}

/// The file's statement that a package is a GCC runtime library under the GPL v3 or later
/// with the GCC Runtime Library Exception 3.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeException {
    /// The library of the list that the package is, as the list writes it.
    pub library: String,
    /// The sentence, then the list item naming the library, then (for `lib32`/`lib64`
    /// packages) the sentence that extends the terms to them.
    pub quotes: Vec<Quote>,
}

struct Patterns {
    statement: Regex,
    biarch: Regex,
    library: Regex,
    section: Regex,
    path_heading: Regex,
    boundary: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |s: &str| Regex::new(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        Patterns {
            statement: re(concat!(
                r"(?i)\bThe\s+following\s+runtime\s+libraries\s+are\s+licensed\s+under\s+the\s+terms\s+of\s+",
                r"the\s+GNU\s+General\s+Public\s+License\s*",
                r"(?:\(\s*v(?:ersion)?\s*3\s+or\s+later\s*\)|,?\s*(?:either\s+)?version\s+3\s*,?\s*or\s+\(\s*at\s+your\s+option\s*\)\s+any\s+later\s+version\s*,?)",
                r"\s*with\s+",
                r"(?:version\s+3\.1\s+of\s+the\s+GCC\s+Runtime\s+Library\s+Exception|the\s+GCC\s+Runtime\s+Library\s+Exception\s*,?\s+version\s+3\.1)",
                r"[^:.]{0,80}:",
            )),
            biarch: re(
                r"(?i)\bThe\s+license\s+terms\s+for\s+these\s+lib32\s+or\s+lib64\s+packages\s+are\s+identical\s+to\s+the\s+ones\s+for\s+the\s+lib\s+packages\.",
            ),
            library: re(r"^lib[a-z0-9+_.-]*[a-z0-9+]$"),
            // "The libbacktrace library is licensed under the following terms:", "The
            // libsanitizer libraries (libasan, liblsan, libtsan, libubsan) are licensed …".
            section: re(
                r"(?i)\bThe\s+(lib[a-z0-9+_-]*)\s+librar(?:y|ies)\s*(?:\(([^()]{0,200})\))?\s+(?:is|are)\s+licensed\s+under\s+the\s+following\s+terms\s*:",
            ),
            // "libquadmath/*.[hc]:", "libquadmath/math:" alone on a line.
            path_heading: re(r"(?m)^(lib[a-z0-9+_-]*)/[^\s:]*:[ \t]*$"),
            // Where a section ends: an unindented line ending in a colon that names a path
            // ("gcc/go/gofrontend, libgo:"), an unindented sentence that starts another
            // part's terms ("The documentation is licensed under …", "Parts of this work
            // are licensed …").
            boundary: re(
                r"(?m)^(?:[^\s:][^\n:]*/[^\n:]*:[ \t]*$|The\s[^\n]*\blicensed\s+under\b|Parts\s+of\s+this\s+work\b)",
            ),
        }
    })
}

/// White space runs made one space.
/// The runtime-library sentence and the list item under it that names a library, quoted.
fn statement_and_item(statement: &Quote, item: &Quote) -> Vec<Quote> {
    vec![
        statement.clone(),
        Quote {
            line: item.line,
            text: format!("- {}", item.text),
        },
    ]
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The 1-based line of byte offset `at`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The list items after the sentence: each with its first line, in order. The list starts
/// after blank lines, if any; an item starts with `-`, `*` or `•` and goes on over indented
/// lines; a blank or unindented line ends it.
fn list_items(text: &str, after: usize) -> Vec<Quote> {
    let mut end = (after + MAX_LIST_BYTES).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut rest = &text[after..end];
    if end < text.len() {
        // Cut at the window: a cut line could turn `libgomp` into `libgo`; drop it.
        rest = rest.rfind('\n').map_or("", |i| &rest[..i]);
    }
    let mut lines = rest.split('\n');
    // The rest of the sentence's own line must be empty.
    if lines.next().is_some_and(|l| !l.trim().is_empty()) {
        return Vec::new();
    }
    let first = line_of(text, after) + 1;
    let mut items: Vec<Quote> = Vec::new();
    let mut started = false;
    for (line, l) in (first..).zip(lines) {
        let trimmed = l.trim_start();
        let bullet = ["- ", "* ", "\u{2022} "]
            .iter()
            .find_map(|b| trimmed.strip_prefix(b));
        if let Some(item) = bullet {
            started = true;
            items.push(Quote {
                line,
                text: squeeze(item),
            });
        } else if trimmed.is_empty() {
            if started {
                break;
            }
        } else if started && l.starts_with([' ', '\t']) {
            if let Some(last) = items.last_mut() {
                last.text = squeeze(&format!("{} {trimmed}", last.text));
            }
        } else {
            break;
        }
    }
    items
}

/// The library names an item gives: its words starting with `lib`, before any parenthesis.
fn item_libraries(item: &str) -> Vec<String> {
    let head = item.split('(').next().unwrap_or_default();
    head.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(|w| w.trim_end_matches(['.', ':']).to_ascii_lowercase())
        .filter(|w| w != "library" && w != "libraries")
        .filter(|w| patterns().library.is_match(w))
        .collect()
}

/// A listed library's name as Debian package names start: the upstream directory's `-vN`
/// and a version at the end dropped (`libstdc++-v3` → `libstdc++`, `libgnat-12` →
/// `libgnat`, `libgnat-util12` → `libgnat-util`).
fn stem(library: &str) -> &str {
    let mut s = library;
    if let Some((head, v)) = s.rsplit_once("-v") {
        if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
            s = head;
        }
    }
    let s = s.trim_end_matches(|c: char| c.is_ascii_digit());
    s.strip_suffix('-').unwrap_or(s)
}

/// Whether Debian package `package` is the runtime library `library` of the list: the
/// stem, then `-s` (a soname's `_s`) or `-` if any, then the soname version.
fn is_runtime_package(package: &str, library: &str) -> bool {
    let stem = stem(library);
    let Some(rest) = package.strip_prefix(stem) else {
        return false;
    };
    let version = rest
        .strip_prefix("-s")
        .or_else(|| rest.strip_prefix('-'))
        .unwrap_or(rest);
    !stem.is_empty() && !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit())
}

/// An item of the runtime libraries' list, quoted, with the libraries it names
/// ([`item_libraries`]).
type Item = (Quote, Vec<String>);

/// What GCC's file says of its parts, read once for every package that ships it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct File {
    /// Each runtime-library sentence, quoted, with the items of the list under it.
    statements: Vec<(Quote, Vec<Item>)>,
    /// The sentence extending the terms to `lib32` and `lib64` packages, quoted.
    biarch: Option<Quote>,
    /// The library sections (see [`sections`]).
    sections: Vec<(Vec<String>, Quote, String)>,
}

impl File {
    /// Reads `text`, a free-form copyright file; `None` when it has no runtime-library
    /// sentence, as only GCC's has.
    pub fn read(text: &str) -> Option<File> {
        let p = patterns();
        let statements: Vec<(Quote, Vec<Item>)> = p
            .statement
            .find_iter(text)
            .map(|m| {
                let quote = Quote {
                    line: line_of(text, m.start()),
                    text: squeeze(m.as_str()),
                };
                let items = list_items(text, m.end())
                    .into_iter()
                    .map(|item| {
                        let libraries = item_libraries(&item.text);
                        (item, libraries)
                    })
                    .collect();
                (quote, items)
            })
            .collect();
        if statements.is_empty() {
            return None;
        }
        Some(File {
            statements,
            biarch: p.biarch.find(text).map(|b| Quote {
                line: line_of(text, b.start()),
                text: squeeze(b.as_str()),
            }),
            sections: sections(text),
        })
    }

    /// What the file says of `package` being a GCC runtime library under
    /// `GPL-3.0-or-later WITH GCC-exception-3.1`; `None` when it does not say so.
    pub fn runtime_exception(&self, package: &str) -> Option<RuntimeException> {
        let package = package.to_ascii_lowercase();
        // `lib32foo1` / `lib64foo1` stand for `libfoo1` only where the file says so.
        let biarch = ["lib32", "lib64"]
            .iter()
            .find_map(|prefix| package.strip_prefix(prefix))
            .filter(|rest| !rest.is_empty())
            .and_then(|rest| self.biarch.as_ref().map(|b| (format!("lib{rest}"), b)));
        for (statement, items) in &self.statements {
            for (item, libraries) in items {
                let matched = libraries.iter().find_map(|lib| {
                    if is_runtime_package(&package, lib) {
                        Some((lib.clone(), None))
                    } else {
                        biarch
                            .as_ref()
                            .filter(|(base, _)| is_runtime_package(base, lib))
                            .map(|(_, b)| (lib.clone(), Some(*b)))
                    }
                });
                if let Some((library, biarch)) = matched {
                    let mut quotes = statement_and_item(statement, item);
                    quotes.extend(biarch.cloned());
                    return Some(RuntimeException { library, quotes });
                }
            }
        }
        None
    }

    /// The terms of each library `stems` names (`stdc++`, `asan`, `quadmath`, as
    /// [`super::binary::Shipped::libraries`] gives them): the runtime exception when the
    /// first sentence's list names the library, else the sections of the file headed by its
    /// name ("The libsanitizer libraries (libasan, …) are licensed under the following
    /// terms:", "libquadmath/math:"). `None` when `stems` is empty, or when the file says
    /// nothing of one of them: then it is read as a whole.
    pub fn library_terms(&self, stems: &[String]) -> Option<Vec<(String, Terms)>> {
        let (statement, items) = self.statements.first()?;
        let mut out = Vec::new();
        for stem in stems {
            let whole = PARTS
                .iter()
                .find(|(part, _)| part == stem)
                .map_or(stem.as_str(), |(_, of)| of);
            let name = format!("lib{whole}");
            let item = items
                .iter()
                .find(|(_, libraries)| libraries.iter().any(|lib| self::stem(lib) == name))
                .map(|(item, _)| item);
            if let Some(item) = item {
                out.push((
                    stem.clone(),
                    Terms::Runtime(statement_and_item(statement, item)),
                ));
                continue;
            }
            let mine: Vec<&(Vec<String>, Quote, String)> = self
                .sections
                .iter()
                .filter(|(names, _, _)| names.contains(&name))
                .collect();
            if mine.is_empty() {
                return None;
            }
            for (_, heading, body) in mine {
                out.push((stem.clone(), Terms::Section(heading.clone(), body.clone())));
            }
        }
        (!out.is_empty()).then_some(out)
    }
}

/// The parts of GCC's runtime libraries that Debian ships as libraries of their own name:
/// `libsupc++` and `libstdc++fs` are built from `libstdc++-v3/` (its `libsupc++/` and
/// `src/filesystem/` directories), `libgcc_eh`, `libgcc_s` and `libgcov` from `libgcc/`,
/// `libssp_nonshared` from `libssp/`. A fact of the GCC source tree, not of the file.
const PARTS: [(&str, &str); 6] = [
    ("supc++", "stdc++"),
    ("stdc++fs", "stdc++"),
    ("gcc_eh", "gcc"),
    ("gcc_s", "gcc"),
    ("gcov", "gcc"),
    ("ssp_nonshared", "ssp"),
];

/// What the file says of one library a package installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Terms {
    /// The runtime libraries' sentence lists it: [`EXPRESSION`]; the sentence and the item.
    Runtime(Vec<Quote>),
    /// A section of the file is about it: its heading and the text under the heading.
    Section(Quote, String),
}

/// The file's library sections: the names each heading gives, the heading, the text under
/// it up to the next heading or boundary.
fn sections(text: &str) -> Vec<(Vec<String>, Quote, String)> {
    let p = patterns();
    let mut headings: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for c in p.section.captures_iter(text) {
        let whole = c.get(0).map_or(0..0, |m| m.range());
        let mut names = vec![c[1].to_ascii_lowercase()];
        if let Some(list) = c.get(2) {
            names.extend(
                list.as_str()
                    .split([',', ' ', '\n'])
                    .map(|w| w.trim().to_ascii_lowercase())
                    .filter(|w| w.starts_with("lib")),
            );
        }
        headings.push((whole.start, whole.end, names));
    }
    for c in p.path_heading.captures_iter(text) {
        let whole = c.get(0).map_or(0..0, |m| m.range());
        headings.push((whole.start, whole.end, vec![c[1].to_ascii_lowercase()]));
    }
    headings.sort_by_key(|h| h.0);
    let boundaries: Vec<usize> = p.boundary.find_iter(text).map(|m| m.start()).collect();
    headings
        .iter()
        .map(|(start, end, names)| {
            let next = headings
                .iter()
                .map(|h| h.0)
                .chain(boundaries.iter().copied())
                .filter(|&b| b >= *end)
                .min()
                .unwrap_or(text.len());
            let heading = Quote {
                line: line_of(text, *start),
                text: squeeze(&text[*start..*end]),
            };
            (names.clone(), heading, text[*end..next].to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Debian 12's gcc-12-base copyright, trimmed (see test-fixtures/copyright/README.md).
    const GCC12: &str = include_str!("test-fixtures/copyright/gcc-12-base");

    fn runtime_exception(text: &str, package: &str) -> Option<RuntimeException> {
        File::read(text)?.runtime_exception(package)
    }

    fn library_terms(text: &str, stems: &[String]) -> Option<Vec<(String, Terms)>> {
        File::read(text)?.library_terms(stems)
    }

    fn library(package: &str) -> Option<String> {
        runtime_exception(GCC12, package).map(|r| r.library)
    }

    fn stems(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn development_packages_and_other_libraries_get_each_librarys_own_terms() {
        // libstdc++-12-dev installs libstdc++.a, libstdc++fs.a and libsupc++.a: all of
        // libstdc++-v3, which the runtime sentence lists.
        let terms = library_terms(GCC12, &stems(&["stdc++", "stdc++fs", "supc++"])).unwrap();
        assert_eq!(terms.len(), 3);
        for (_, t) in &terms {
            let Terms::Runtime(quotes) = t else {
                panic!("{t:?}")
            };
            assert_eq!((quotes[0].line, quotes[1].line), (100, 113));
        }
        // libasan8: the libsanitizer section (NCSA and MIT texts), up to libffi's heading.
        let terms = library_terms(GCC12, &stems(&["asan"])).unwrap();
        let [(_, Terms::Section(heading, body))] = terms.as_slice() else {
            panic!("{terms:?}")
        };
        assert_eq!(heading.line, 151);
        assert!(body.contains("University of Illinois at Urbana-Champaign"));
        assert!(body.contains("The above copyright notice and this permission notice"));
        assert!(!body.contains("libffi"));
        // libquadmath0: its two path headings, up to libgo's.
        let terms = library_terms(GCC12, &stems(&["quadmath"])).unwrap();
        let lines: Vec<usize> = terms
            .iter()
            .map(|(_, t)| match t {
                Terms::Section(h, _) => h.line,
                Terms::Runtime(_) => 0,
            })
            .collect();
        assert_eq!(lines, [315, 332]);
        let Terms::Section(_, math) = &terms[1].1 else {
            unreachable!()
        };
        assert!(math.contains("Developed at SunPro"));
        assert!(!math.contains("Google"));
        // A library the file says nothing of: read the file as a whole.
        assert_eq!(library_terms(GCC12, &stems(&["stdc++", "cc1"])), None);
        // Not GCC's file.
        assert_eq!(
            library_terms(
                "The libfoo library is licensed under the following terms: MIT",
                &stems(&["foo"])
            ),
            None
        );
    }

    #[test]
    fn the_listed_runtime_libraries_are_recognized_with_the_sentence_and_item_quoted() {
        let r = runtime_exception(GCC12, "libstdc++6").expect("libstdc++6 is listed");
        assert_eq!(r.library, "libstdc++-v3");
        assert_eq!(
            r.quotes,
            [
                Quote {
                    line: 100,
                    text: "The following runtime libraries are licensed under the terms of the GNU General Public License (v3 or later) with version 3.1 of the GCC Runtime Library Exception (included in this file):".into()
                },
                Quote {
                    line: 113,
                    text: "- libstdc++-v3".into()
                },
            ]
        );
        let lines: Vec<&str> = GCC12.lines().collect();
        assert!(lines[99].starts_with("The following runtime libraries"));
        assert_eq!(lines[112], " - libstdc++-v3");
        let r = runtime_exception(GCC12, "libgcc-s1").expect("libgcc-s1 is listed");
        assert_eq!(r.library, "libgcc");
        assert_eq!(r.quotes[1].line, 104);
        assert!(
            r.quotes[1]
                .text
                .starts_with("- libgcc (libgcc/, gcc/libgcc2.[ch], gcc/unwind*,")
                && r.quotes[1]
                    .text
                    .ends_with("gcc/tsystem.h, gcc/typeclass.h)."),
            "the continuation lines belong to the item: {}",
            r.quotes[1].text
        );
    }

    #[test]
    fn every_package_of_the_list_and_only_those() {
        for (package, lib) in [
            ("libgcc-s1", "libgcc"),
            ("libgcc-s2", "libgcc"),
            ("libgcc1", "libgcc"),
            ("libatomic1", "libatomic"),
            ("libgomp1", "libgomp"),
            ("libitm1", "libitm"),
            ("libssp0", "libssp"),
            ("libstdc++6", "libstdc++-v3"),
            ("libobjc4", "libobjc"),
            ("libgfortran5", "libgfortran"),
            ("libgnat-12", "libgnat-12"),
            ("libgnat-util12", "libgnat-util12"),
            ("libvtv0", "libvtv"),
        ] {
            assert_eq!(library(package).as_deref(), Some(lib), "{package}");
        }
        for package in [
            // Not a library: docs and directories.
            "gcc-12-base",
            // Under other terms in the same file: LGPL, NCSA/MIT, BSD, Boost-style.
            "libquadmath0",
            "libasan8",
            "liblsan0",
            "libtsan2",
            "libubsan1",
            "libhwasan0",
            "libgo21",
            "libgphobos3",
            "libbacktrace0",
            // Development, debug and PIC packages carry more than the library.
            "libgcc-12-dev",
            "libstdc++-12-dev",
            "libstdc++6-12-dbg",
            "libstdc++6-12-pic",
            "libgomp1-dbg",
            "libobjc-12-dev",
            // Names that merely start like a listed library.
            "libgccjit0",
            "libgcc-s",
            "libgcc",
            "libitmx1",
            // Multilib prefixes the file does not name.
            "libx32stdc++6",
            "libn32gcc-s1",
            "libhfgcc-s1",
            "libsfgcc-s1",
        ] {
            assert_eq!(library(package), None, "{package}");
        }
    }

    #[test]
    fn lib32_and_lib64_packages_follow_the_files_own_sentence() {
        let r = runtime_exception(GCC12, "lib32stdc++6").expect("lib32stdc++6");
        assert_eq!(r.library, "libstdc++-v3");
        assert_eq!(
            r.quotes[2],
            Quote {
                line: 70,
                text: "The license terms for these lib32 or lib64 packages are identical to the ones for the lib packages.".into()
            }
        );
        assert!(GCC12
            .lines()
            .nth(69)
            .unwrap()
            .ends_with("The license terms for these lib32 or lib64"));
        assert_eq!(library("lib64gcc-s1").as_deref(), Some("libgcc"));
        assert_eq!(
            runtime_exception(GCC12, "libstdc++6").unwrap().quotes.len(),
            2
        );
        let without = GCC12.replace(
            "The license terms for these lib32",
            "The terms for these lib32",
        );
        assert_eq!(runtime_exception(&without, "lib32stdc++6"), None);
        assert!(runtime_exception(&without, "libstdc++6").is_some());
    }

    #[test]
    fn without_the_sentence_in_those_words_nothing_is_concluded() {
        for (from, to) in [
            ("(v3 or later)", "(v3)"),
            (
                "version 3.1 of the GCC\nRuntime Library Exception",
                "the GCC\nRuntime Library Exception",
            ),
            (
                "Exception (included in this file):",
                "Exception (included in this file).",
            ),
            ("The following runtime libraries", "The following libraries"),
        ] {
            assert!(GCC12.contains(from), "{from}");
            let text = GCC12.replace(from, to);
            assert_eq!(runtime_exception(&text, "libstdc++6"), None, "{to}");
        }
        // The list must follow the sentence.
        let text = GCC12.replace("\n - libgcc (libgcc/", "\nSee below.\n - libgcc (libgcc/");
        assert_eq!(runtime_exception(&text, "libgcc-s1"), None);
        assert_eq!(runtime_exception("", "libgcc-s1"), None);
        assert_eq!(
            runtime_exception("GPL-3+ with GCC-exception-3.1: libgcc", "libgcc-s1"),
            None
        );
    }

    #[test]
    fn other_wordings_of_the_same_terms_are_read() {
        let text = "The following runtime libraries are licensed under the terms of the GNU\n\
General Public License, version 3, or (at your option) any later version, with\n\
the GCC Runtime Library Exception, version 3.1:\n\
\n\
  * libgomp\n\
  * libatomic\n\
\n\
Everything else is GPL-3+.\n";
        let r = runtime_exception(text, "libatomic1").unwrap();
        assert_eq!(r.quotes[0].line, 1);
        assert_eq!(
            r.quotes[1],
            Quote {
                line: 6,
                text: "- libatomic".into()
            }
        );
        assert_eq!(runtime_exception(text, "libgcc-s1"), None);
    }

    #[test]
    fn stems_and_package_names() {
        assert_eq!(stem("libstdc++-v3"), "libstdc++");
        assert_eq!(stem("libgnat-12"), "libgnat");
        assert_eq!(stem("libgnat-util12"), "libgnat-util");
        assert_eq!(stem("libgcc"), "libgcc");
        assert_eq!(
            item_libraries("The libgnat-12 Ada support library and libgnat-util12 library."),
            ["libgnat-12", "libgnat-util12"]
        );
        assert!(
            item_libraries("Various config files in gcc/config/ used in runtime libraries.")
                .is_empty()
        );
        assert!(!is_runtime_package("6", ""));
    }

    #[test]
    fn hostile_text_does_not_panic() {
        let sentence = "The following runtime libraries are licensed under the terms of the GNU General Public License (v3 or later) with version 3.1 of the GCC Runtime Library Exception:";
        for text in [
            sentence.to_string(),
            format!("{sentence}\n"),
            format!("{sentence}\n\n\n"),
            format!("{sentence}\n - \n -\n - é\n"),
            format!("{sentence}\n{}", " - libé\n".repeat(10_000)),
        ] {
            assert_eq!(runtime_exception(&text, "libgcc-s1"), None);
        }
        // A list longer than the window: its cut last line is not read.
        let want = MAX_LIST_BYTES - 9;
        let k = (want - 10) / 13;
        let pad = "d".repeat(want - 10 - 13 * k);
        let filler = format!("{} - libpad{pad}\n", " - libfiller\n".repeat(k));
        assert_eq!(filler.len(), want);
        let text = format!("{sentence}\n{filler} - libgomp\n");
        let cut = sentence.len() + MAX_LIST_BYTES;
        assert!(
            text[..cut].ends_with(" - libgo"),
            "{:?}",
            &text[cut - 12..cut]
        );
        assert_eq!(runtime_exception(&text, "libgo21"), None);
        assert_eq!(runtime_exception(&text, "libgomp1"), None);
        let text = format!("{sentence}\n - libfiller\n - libgomp\n");
        assert!(runtime_exception(&text, "libgomp1").is_some());
        assert_eq!(runtime_exception(&text, "libgo21"), None);
    }
}
