//! Text normalization for license matching: askalono's preprocessing, reproduced step by step,
//! and the word bigrams a normalized text is compared by.
//!
//! A text goes through two stages, as in askalono (the matcher in the `spdx` crate's
//! `detection` feature, whose SPDX data our index is built from):
//!
//! 1. [`normalize_lines`], line by line: Unicode NFC, junk characters removed, URLs blacked
//!    out, horizontal whitespace and slashes made one space, quotes/dashes/brackets made
//!    ASCII, `©` made `(c)`, trimmed. The line structure stays, so that a license can be
//!    located by line range within a larger text.
//! 2. [`aggressive`], on lines joined with `\n`: a prefix common to most lines (a comment
//!    marker) removed, vertical whitespace normalized, punctuation removed, lower case, a title
//!    line and copyright statements removed, whitespace collapsed to single spaces, trimmed.
//!
//! The processed text is compared by its word bigrams ([`bigrams`]), each hashed with
//! [`gram_hash`] to 64 bits.
//!
//! The regular expressions are askalono's, character for character, quirks included (its
//! horizontal-whitespace class, `\x2044`, reads as a space and two `4`s, so the digit 4 becomes
//! a space). Three of the aggressive steps, whose patterns match at nearly every line break,
//! punctuation mark or space, are written out by hand with the same result, as they cost most
//! of the time through the regex engine; so are the line normalizers for a pure ASCII line
//! without a URL, most lines, in one pass over its bytes. Where askalono's result depends on hash-map order
//! (ties in `remove_common_prefix`), a fixed rule is used instead; see there.
//!
//! `tests/license_matcher.rs` checks all of it against askalono itself.
//!
//! This file is also compiled into `build.rs` (through `#[path]`), which uses it to build the
//! index of SPDX texts: the index and the texts matched at run time are processed by the
//! same code. It must therefore only use `std`, `regex` and `unicode-normalization`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Runs the line-by-line normalizers over each `\n`-separated line of `text` (`\r` is kept
/// in the line and trimmed with other whitespace). There are as many lines out as in.
pub fn normalize_lines(text: &str) -> Vec<String> {
    text.split('\n').map(normalize_line).collect()
}

/// One line through askalono's line normalizers, in their order: by hand for a pure ASCII
/// line without a URL (most lines; see [`normalize_ascii_line`]), otherwise through the
/// regular expressions.
fn normalize_line(line: &str) -> String {
    normalize_ascii_line(line).unwrap_or_else(|| normalize_line_regex(line))
}

/// One line through askalono's line normalizers, in their order, as regular expressions.
fn normalize_line_regex(line: &str) -> String {
    let mut out = nfc(line);
    out = replace(&RX.junk, out, "");
    out = replace(&RX.url, out, "http://blackboxed/url");
    out = replace(&RX.horizontal, out, " ");
    out = replace(&RX.quotes, out, "'");
    out = replace(&RX.dash, out, "-");
    out = replace(&RX.open, out, "(");
    out = replace(&RX.close, out, ")");
    out = replace(&RX.under, out, "_");
    out = replace(&RX.copy, out, "(c)");
    out.trim().to_owned()
}

/// The class of an ASCII byte that the junk step (`[^\w\s\pP]+` → ``) removes: a control
/// character other than `\s`, or a symbol (`\pS`: ``$ + < = > ^ ` | ~``).
const JUNK: u8 = 0;
/// The class of an ASCII byte that no line normalizer changes.
const KEEP: u8 = 1;

/// What the line normalizers do to each ASCII byte: [`JUNK`], [`KEEP`], or the byte that a
/// run of its replacement class becomes.
const ASCII_CLASS: [u8; 128] = ascii_classes();

/// [`ASCII_CLASS`], built from the line normalizers' patterns as they read for ASCII. The
/// horizontal class is ` `, `\t`, `\`, `/` and, through the `\x2044` quirk, `4` (its `|` is
/// junk, removed first); quotes are `"` and `'`; `\p{Pd}` is `-`; `\p{Ps}` is `( [ {`;
/// `\p{Pe}` is `) ] }`; `\p{Pc}` is `_`. No ASCII character is in the `©` class.
const fn ascii_classes() -> [u8; 128] {
    let mut table = [KEEP; 128];
    let mut b = 0;
    while b < table.len() {
        table[b] = match b as u8 {
            0x00..=0x08
            | 0x0e..=0x1f
            | 0x7f
            | b'$'
            | b'+'
            | b'<'
            | b'='
            | b'>'
            | b'^'
            | b'`'
            | b'|'
            | b'~' => JUNK,
            b' ' | b'\t' | b'\\' | b'/' | b'4' => b' ',
            b'"' | b'\'' => b'\'',
            b'-' => b'-',
            b'(' | b'[' | b'{' => b'(',
            b')' | b']' | b'}' => b')',
            b'_' => b'_',
            _ => KEEP,
        };
        b += 1;
    }
    table
}

/// [`normalize_line_regex`]'s result for a pure ASCII line, in one pass over its bytes;
/// `None` for a line with other characters, or with `http://` or `https://` once junk is
/// removed (where the URL step would match).
///
/// For such a line NFC, the URL step and the `©` step change nothing, and the junk step
/// only drops bytes. The six replacement classes (horizontal, quotes, dash, open, close,
/// under) are disjoint sets of bytes, and each class's replacement is a single byte of that
/// class: replacing a run by it neither creates, joins nor splits a run of any class. So
/// the steps in turn give what one pass gives that drops junk bytes (without ending a run)
/// and writes each maximal run of a class as its replacement byte. `str::trim` follows, as
/// in the regular-expression path.
fn normalize_ascii_line(line: &str) -> Option<String> {
    const HTTP: u64 = u64::from_be_bytes(*b"\0http://");
    const HTTPS: u64 = u64::from_be_bytes(*b"https://");
    if !line.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(line.len());
    // The last eight bytes kept by the junk step, the latest in the lowest byte.
    let mut recent = 0u64;
    let mut last = KEEP;
    for &b in line.as_bytes() {
        let class = ASCII_CLASS[usize::from(b)];
        if class == JUNK {
            continue;
        }
        recent = recent << 8 | u64::from(b);
        if recent & 0x00ff_ffff_ffff_ffff == HTTP || recent == HTTPS {
            return None;
        }
        if class == KEEP {
            out.push(char::from(b));
        } else if class != last {
            out.push(char::from(class));
        }
        last = class;
    }
    out.truncate(out.trim_end().len());
    let start = out.len() - out.trim_start().len();
    out.drain(..start);
    Some(out)
}

/// Runs the aggressive normalizers over `text` (normalized lines joined with `\n`) and
/// returns the processed text: lower-case words separated by single spaces.
pub fn aggressive(text: &str) -> String {
    let mut out = remove_common_prefix(Cow::Borrowed(text));
    out = vertical_whitespace(out);
    out = replace(&RX.blank_lines, out, "\n\n");
    let lower = remove_punctuation(&out).to_lowercase();
    let mut out = Cow::Owned(lower);
    out = replace(&RX.title, out, "");
    // Each branch of the pattern needs the word: without it, nothing matches.
    if out.contains("copyright") {
        out = replace(&RX.copyright, out, "\n\n");
    }
    collapse_whitespace(&out)
}

/// askalono's `[\r\n\v\f]` → `\n`, by hand: the pattern matches at every line break, and
/// replacing each by itself through the regex engine costs more than the rest of the step.
fn vertical_whitespace(text: Cow<'_, str>) -> Cow<'_, str> {
    let vertical = |c: char| matches!(c, '\r' | '\u{b}' | '\u{c}');
    // Tested on bytes: in UTF-8 a byte below 0x80 is always that ASCII character.
    if !text.bytes().any(|b| vertical(char::from(b))) {
        return text;
    }
    Cow::Owned(text.replace(vertical, "\n"))
}

/// askalono's `[^\w\s]+` → ``, by hand for ASCII (`\w` is `[0-9A-Za-z_]` there, `\s` is
/// `[\t\n\v\f\r ]`: [`ASCII_WORD_OR_SPACE`]); other characters are tested with the
/// pattern's own class.
fn remove_punctuation(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match u8::try_from(c) {
            Ok(b) if b.is_ascii() => {
                if ASCII_WORD_OR_SPACE[usize::from(b)] {
                    out.push(char::from(b));
                }
            }
            _ => {
                let mut buf = [0u8; 4];
                if RX.word_or_space.is_match(c.encode_utf8(&mut buf)) {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// Whether each ASCII byte is in `[\w\s]` (kept by [`remove_punctuation`]); a table, as
/// testing the ranges byte by byte costs twice as much.
const ASCII_WORD_OR_SPACE: [bool; 128] = ascii_word_or_space();

/// [`ASCII_WORD_OR_SPACE`], computed.
const fn ascii_word_or_space() -> [bool; 128] {
    let mut table = [false; 128];
    let mut b = 0;
    while b < table.len() {
        let byte = b as u8;
        table[b] =
            byte.is_ascii_alphanumeric() || byte == b'_' || matches!(byte, b'\t'..=b'\r' | b' ');
        b += 1;
    }
    table
}

/// askalono's `\s+` → ` `, then trimmed, by hand: `\s` is Unicode's `White_Space`, which is
/// what `str::split_whitespace` splits on (as `char::is_whitespace`).
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The regular expressions of both stages, compiled once.
struct Patterns {
    junk: Regex,
    url: Regex,
    horizontal: Regex,
    quotes: Regex,
    dash: Regex,
    open: Regex,
    close: Regex,
    under: Regex,
    copy: Regex,
    blank_lines: Regex,
    /// The characters `[^\w\s]` does not match (askalono's punctuation removal).
    word_or_space: Regex,
    title: Regex,
    copyright: Regex,
}

static RX: LazyLock<Patterns> = LazyLock::new(|| {
    // Constant patterns: a failure here is a bug that every test run shows.
    let rx = |pattern: &str| Regex::new(pattern).expect("constant pattern compiles");
    Patterns {
        junk: rx(r"[^\w\s\pP]+"),
        url: rx(r"https?://\S+"),
        horizontal: rx(r"(?x)[ \t\p{Zs} \\ / \| \x2044 ]+"),
        quotes: rx(r#"["'\p{Pi}\p{Pf}]+"#),
        dash: rx(r"\p{Pd}+"),
        open: rx(r"\p{Ps}+"),
        close: rx(r"\p{Pe}+"),
        under: rx(r"\p{Pc}+"),
        copy: rx(r"[©Ⓒⓒ]"),
        blank_lines: rx(r"\n{3,}"),
        word_or_space: rx(r"\A[\w\s]\z"),
        title: rx(r"^.*license( version \S+)?( copyright.*)?\n\n"),
        copyright: rx(r"(?mx)
            (
                # a new paragraph, or the start of the text and blank lines
                (\n\n|\A\n*)
                # lines starting with 'copyright', then a new paragraph
                (^\x20*copyright.*?$)+
                \n\n
            )
            |
            (
                # or the very first line if it says 'copyright'
                \A.*copyright.*$
            )
            |
            (
                # or any line that looks like a copyright statement
                ^copyright (\s+(c|\d+))+ .*?$
            )
        "),
    }
});

/// `text` in Unicode NFC; borrowed when it already is.
fn nfc(text: &str) -> Cow<'_, str> {
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

/// Every match of `rx` in `text` replaced with `with`; `text` itself when nothing matches.
fn replace<'a>(rx: &Regex, text: Cow<'a, str>, with: &str) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(s) => rx.replace_all(s, with),
        Cow::Owned(s) => {
            let replaced = match rx.replace_all(&s, with) {
                Cow::Owned(r) => Some(r),
                Cow::Borrowed(_) => None,
            };
            Cow::Owned(replaced.unwrap_or(s))
        }
    }
}

/// Removes a prefix that most lines share (a comment marker such as `%%Copyright:` or
/// `dnl`), as askalono's `remove_common_tokens` does.
///
/// Every pair of consecutive lines gives its common prefix (cut back to a character boundary
/// and trimmed); prefixes longer than 3 bytes are counted (from 2 at their first pair, as in
/// askalono). The most counted prefix, with the counts of longer prefixes that start with it,
/// must cover 80% of the lines; then it is stripped from every line that starts with it and
/// every line is trimmed.
///
/// Ties: askalono takes whichever of the most counted prefixes its hash map yields last, which
/// varies from run to run. Here the shortest of them wins (then the smallest in byte order):
/// it is the one whose reconciled count is largest. askalono's own SPDX data was built with
/// that outcome where we can see it (`Aspell-RU`, whose lines share both `Permission to` and
/// `Permission to redistribute` twice).
fn remove_common_prefix(input: Cow<'_, str>) -> Cow<'_, str> {
    let mut lines = input.split('\n');
    let mut line_count = 0usize;
    let mut pairs = Vec::new();
    if let Some(mut previous) = lines.next() {
        line_count = 1;
        for line in lines {
            line_count += 1;
            pairs.extend(pair_prefix(previous, line));
            previous = line;
        }
    }
    let Some(prefix) = prefix_to_remove(pairs, line_count) else {
        return input;
    };
    let mut out = String::with_capacity(input.len());
    for (i, line) in input.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line.strip_prefix(prefix).unwrap_or(line).trim());
    }
    Cow::Owned(out)
}

/// The common prefix of two consecutive lines, when it counts for
/// `remove_common_prefix`: longer than 3 bytes once trimmed.
pub fn pair_prefix<'a>(previous: &'a str, line: &str) -> Option<&'a str> {
    Some(common_prefix(previous, line)).filter(|common| common.len() > 3)
}

/// The prefix `remove_common_prefix` strips from a text of `line_count` lines whose
/// consecutive pairs share `pairs` (from [`pair_prefix`], in line order), if any.
pub fn prefix_to_remove<'a>(
    pairs: impl IntoIterator<Item = &'a str>,
    line_count: usize,
) -> Option<&'a str> {
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for common in pairs {
        *counts.entry(common).or_insert(1) += 1;
    }
    let (&prefix, _) = counts.iter().max_by(|(a, ca), (b, cb)| {
        ca.cmp(cb)
            .then_with(|| b.len().cmp(&a.len()))
            .then_with(|| b.cmp(a))
    })?;
    let covered: u32 = counts
        .iter()
        .filter(|(other, _)| other.starts_with(prefix))
        .map(|(_, &count)| count)
        .sum();
    // askalono: `(0.8f32 * line_count as f32) as u32`, a saturating float-to-int cast.
    let needed = (0.8f32 * line_count as f32) as u32;
    (covered >= needed).then_some(prefix)
}

/// One normalized line as [`aggressive`] has it when it removes a title and copyright
/// statements: punctuation removed, lower case, whitespace as it was.
pub fn processed_line(line: &str) -> String {
    remove_punctuation(line).to_lowercase()
}

/// The words of a processed text or line, joined by single spaces, as [`aggressive`] ends.
pub fn words(processed: &str) -> String {
    collapse_whitespace(processed)
}

/// Whether [`aggressive`] removes a processed line as a title when it is the first line of a
/// text and a blank line follows.
pub fn is_title(processed_line: &str) -> bool {
    let mut text = String::with_capacity(processed_line.len() + 2);
    text.push_str(processed_line);
    text.push_str("\n\n");
    RX.title.is_match(&text)
}

/// The longest common byte prefix of `a` and `b`, cut back to a character boundary of `a`
/// and trimmed.
fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let mut len = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(len) {
        len -= 1;
    }
    a[..len].trim()
}

/// The hashes of the word bigrams of a processed text (words split on single spaces, as
/// askalono's `NgramSet` does), in text order: one per pair of consecutive words, so a text
/// of `n` words gives `n - 1` and a text of one word (or none) gives none.
pub fn bigrams(processed: &str) -> Vec<u64> {
    let mut out = Vec::new();
    // Byte offsets: the current bigram runs from the start of the previous word to the end
    // of the current one, which is the bigram's text `"previous current"`.
    let mut previous_start: Option<usize> = None;
    let mut start = 0;
    for word in processed.split(' ') {
        let end = start + word.len();
        if let Some(p) = previous_start {
            out.push(gram_hash(&processed.as_bytes()[p..end]));
        }
        previous_start = Some(start);
        start = end + 1;
    }
    out
}

/// Sorts bigram hashes and counts equal ones: `(hash, count)` in increasing hash order. The
/// counts add up to the number of hashes given.
pub fn count_sorted(mut hashes: Vec<u64>) -> Vec<(u64, u32)> {
    hashes.sort_unstable();
    let mut out: Vec<(u64, u32)> = Vec::new();
    for h in hashes {
        match out.last_mut() {
            Some((last, count)) if *last == h => *count = count.saturating_add(1),
            _ => out.push((h, 1)),
        }
    }
    out
}

/// The 64-bit hash of a bigram's text (`"word word"`, UTF-8), the same in `build.rs` and at
/// run time.
///
/// It reads the bytes in 8-byte little-endian words (the last one zero-padded) and folds each
/// into the state with a 64×64→128-bit multiply whose halves are XORed (the "folded multiply"
/// of wyhash and foldhash): `state = fold(word ^ K1, state ^ K2)`; it finishes with
/// `fold(state ^ length, K2)`. The seed is the first 64 bits of π's fraction, `K1` of the
/// golden ratio's, `K2` of √2's.
/// It is not meant to resist crafted collisions: a text that wanted to match a license could
/// simply contain it.
pub fn gram_hash(bytes: &[u8]) -> u64 {
    const SEED: u64 = 0x243F_6A88_85A3_08D3;
    const K1: u64 = 0x9E37_79B9_7F4A_7C15;
    const K2: u64 = 0x6A09_E667_F3BC_C908;
    let mut h = SEED;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = folded_multiply(u64::from_le_bytes(word) ^ K1, h ^ K2);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut word = [0u8; 8];
        word[..tail.len()].copy_from_slice(tail);
        h = folded_multiply(u64::from_le_bytes(word) ^ K1, h ^ K2);
    }
    folded_multiply(h ^ bytes.len() as u64, K2)
}

/// The 128-bit product of `a` and `b`, its two halves XORed.
fn folded_multiply(a: u64, b: u64) -> u64 {
    let full = u128::from(a) * u128::from(b);
    (full as u64) ^ ((full >> 64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that the ASCII fast path, where it applies to `line`, gives what the regular
    /// expressions give; returns whether it applied.
    fn fast_path_agrees(line: &str) -> bool {
        let Some(fast) = normalize_ascii_line(line) else {
            return false;
        };
        assert_eq!(fast, normalize_line_regex(line), "line {line:?}");
        true
    }

    /// The files under `dir`, recursively.
    fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).expect("fixture directory reads") {
            let path = entry.expect("fixture directory entry reads").path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path);
            }
        }
        out
    }

    #[test]
    fn ascii_fast_path_matches_regex_path_on_fixture_lines() {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/license/test-fixtures");
        let (mut lines, mut fast) = (0, 0);
        for path in files_under(&root) {
            let bytes = std::fs::read(&path).expect("fixture reads");
            for line in String::from_utf8_lossy(&bytes).split('\n') {
                lines += 1;
                fast += usize::from(fast_path_agrees(line));
            }
        }
        assert!(
            fast > lines / 2,
            "fast path taken for {fast} of {lines} lines"
        );
    }

    #[test]
    fn ascii_fast_path_matches_regex_path_on_tricky_lines() {
        let tricky = [
            "",
            " ",
            "\t",
            "a -- b",
            "a - - b",
            "a-\t-b",
            "\"'x'\"",
            "''\"\"",
            "([{x}])",
            "( [ { x } ] )",
            "__init__",
            "_ _x_ _",
            "$x+y=z|w~",
            "a$-$-b",
            "a|/|b",
            "a / b \\ c",
            "a//\\\\b",
            "4 44 a4b 1234",
            "\tleading tab",
            "trailing tab\t",
            "  leading and trailing  ",
            "line\r",
            "\rline",
            "a\x0bb\x0cc\rd",
            "\x0b\x0c\r  x  \r\x0c\x0b",
            "\x00\x01a\x07b\x1b[0m\x7f",
            "\x1c\x1d\x1e\x1f",
            " \x01 ",
            "-\x01-",
            "Copyright (c) 1999-2004 Foo <foo@example.org>",
            "`quoted' ^caret^ ~tilde~",
            "HTTP://EXAMPLE.ORG",
            "Https://example.org",
            "http:/ /example.org",
            "http:\\\\example.org",
            "ftp://example.org",
        ];
        for line in tricky {
            assert!(fast_path_agrees(line), "fast path applies to {line:?}");
        }
        // URLs, also ones the junk step makes: the regex path's.
        let urls = [
            "see http://example.org/x",
            "see https://example.org/x",
            "ht$tp://example.org",
            "http:/$/example.org",
            "https\x01://example.org",
        ];
        for line in urls {
            assert_eq!(normalize_ascii_line(line), None, "line {line:?}");
            assert!(normalize_line(line).contains("blackboxed"), "line {line:?}");
        }
        assert_eq!(normalize_ascii_line("\u{a9} \u{201c}x\u{201d}"), None);
        let ascii: Vec<char> = (0u8..128).map(char::from).filter(|&c| c != '\n').collect();
        assert!(fast_path_agrees(&ascii.iter().collect::<String>()));
        for &a in &ascii {
            assert!(fast_path_agrees(&format!("{a}")));
            for &b in &ascii {
                assert!(fast_path_agrees(&format!("{a}{b}")));
                assert!(fast_path_agrees(&format!("x{a}{b}{a}x")));
            }
        }
    }

    #[test]
    fn hand_written_aggressive_steps_match_their_patterns() {
        let punctuation = Regex::new(r"[^\w\s]+").expect("pattern compiles");
        let whitespace = Regex::new(r"\s+").expect("pattern compiles");
        let vertical = Regex::new(r"[\r\n\v\f]").expect("pattern compiles");
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/license/test-fixtures");
        let mut texts: Vec<String> = files_under(&root)
            .iter()
            .map(|path| {
                let bytes = std::fs::read(path).expect("fixture reads");
                String::from_utf8_lossy(&bytes).into_owned()
            })
            .collect();
        let special = "\u{85}\u{a0}\u{1680}\u{2000}\u{200a}\u{200b}\u{2028}\u{2029}\u{202f}\
                       \u{205f}\u{3000}\u{feff}\u{301}\u{a9}\u{24b8}\u{3a3}\u{e9}\u{203f}";
        texts.push(('\0'..='\u{ff}').chain(special.chars()).collect());
        texts.push(format!("  \r\n \t{special}x{special}\x0b\x0c  "));
        for text in &texts {
            assert_eq!(
                remove_punctuation(text),
                punctuation.replace_all(text, ""),
                "{text:?}"
            );
            assert_eq!(
                collapse_whitespace(text),
                whitespace.replace_all(text, " ").trim(),
                "{text:?}"
            );
            assert_eq!(
                vertical_whitespace(Cow::Borrowed(text)),
                vertical.replace_all(text, "\n"),
                "{text:?}"
            );
        }
    }
}
