//! Reads the license a Debian package declares in `usr/share/doc/<package>/copyright`.
//!
//! Debian packages carry no license field in the dpkg database: the only statement of a
//! package's license inside an image is its copyright file. That file comes in two shapes,
//! and [`parse`] reads both:
//!
//! - **Machine-readable** ([DEP-5]): deb822 paragraphs. A header paragraph names the format
//!   in `Format:`, each `Files:` paragraph (a *stanza*) says which license and copyright
//!   statements apply to which source files, and standalone `License:` paragraphs carry the
//!   full text of a license named by short name. We keep the short-name expression exactly
//!   as written (`GPL-2+ or Artistic-1.0`, `LGPL-2.1+ with OpenSSL exception`): turning
//!   those names into SPDX identifiers is a separate step, so the raw text stays available
//!   as evidence beside whatever we conclude from it.
//! - **Free-form**: prose. We pick out what can be read reliably — references to
//!   `/usr/share/common-licenses/<NAME>`, `SPDX-License-Identifier:` lines, and copyright
//!   statements (`Copyright …`, `(C) 2001 …`, `© …`) — and keep the whole text so that a
//!   later stage can match it against known license texts.
//!
//! The parser is a pure function over untrusted bytes. It never panics, reads at most
//! [`MAX_BYTES`] (cut at a line boundary) and [`MAX_PARAGRAPHS`] paragraphs, decodes
//! non-UTF-8 bytes lossily, accepts CRLF line endings, and records in
//! [`Copyright::notes`] every place where it stopped reading or skipped a line, so that a
//! missing license can always say why it is missing.
//!
//! ```
//! use layerbom::license::copyright::{parse, Format};
//!
//! let file = b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
//!
//! Files: *
//! Copyright: 2024 Jane Doe
//! License: GPL-2+ or Artistic
//! ";
//! let c = parse(file);
//! assert_eq!(c.format, Format::MachineReadable);
//! assert_eq!(c.expressions(), ["GPL-2+ or Artistic"]);
//! assert_eq!(c.all_copyrights(), ["2024 Jane Doe"]);
//! ```
//!
//! [DEP-5]: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::deb822::{self, Field, Paragraph, Problem};

/// The most bytes of a copyright file that are read (4 MiB); the rest is ignored and a
/// [`Note::Truncated`] is recorded.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// The most deb822 paragraphs that are read; later paragraphs are ignored and a
/// [`Note::TooManyParagraphs`] is recorded.
pub const MAX_PARAGRAPHS: usize = 10_000;

/// The most [`Note::IgnoredLine`] notes kept, so that a garbage file cannot grow the notes
/// list without bound.
pub const MAX_IGNORED_LINE_NOTES: usize = 64;

/// Which of the two shapes of copyright file this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// DEP-5: the first paragraph has a `Format:` field whose http(s) URL names
    /// `copyright-format` (or the older `dep5` drafts).
    MachineReadable,
    /// Anything else: prose, read for references and copyright lines only.
    FreeForm,
}

/// Something the parser did not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Note {
    /// The input was `len` bytes; only the first `read` (at most [`MAX_BYTES`], cut after the
    /// last complete line) were read.
    Truncated { len: usize, read: usize },
    /// The input had more than [`MAX_PARAGRAPHS`] paragraphs; parsing stopped at `line`.
    TooManyParagraphs { line: usize },
    /// A line of a machine-readable file was neither a `Field: value` line, a continuation
    /// line, a comment nor blank, and was skipped.
    IgnoredLine { line: usize },
    /// The `Files:` stanza at `line` has no `License:` field.
    StanzaWithoutLicense { line: usize },
    /// The `License:` field at `line` has no short name on its first line (only text), so
    /// its stanza contributes no expression; the text is kept in
    /// [`FilesStanza::license_text`].
    LicenseWithoutName { line: usize },
    /// The file has no `Format:` header, but every paragraph of it is a DEP-5 stanza
    /// (`Files:`, `License:`, `Copyright:` fields and nothing else), with at least one
    /// `Files:` stanza: it is read as machine-readable.
    NoFormatHeader,
}

/// The header paragraph of a machine-readable file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Header {
    /// The `Format:` URL, as written.
    pub format: String,
    /// `Upstream-Name:`, the name the upstream project uses.
    pub upstream_name: Option<String>,
    /// `Source:`, where the upstream source came from; one line per location if it spans
    /// several lines.
    pub source: Option<String>,
    /// The header's `License:` short-name expression, which applies to the package as a
    /// whole, when present.
    pub license: Option<String>,
    /// Full text given under the header's `License:` field, if any.
    pub license_text: Option<String>,
    /// The header's `Copyright:` statements, one per line, trimmed.
    pub copyright: Vec<String>,
    /// 1-based line of the `Format:` field.
    pub line: usize,
}

/// One `Files:` paragraph of a machine-readable file: which license and copyright
/// statements cover the files matching `patterns`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilesStanza {
    /// The whitespace-separated `Files:` patterns, as written (`*`, `debian/*`, …).
    pub patterns: Vec<String>,
    /// The `License:` short-name expression (the field's first line), exactly as written,
    /// e.g. `BSD-3-clause or GPL-2`. `None` when the field is missing or its first line is
    /// empty.
    pub license: Option<String>,
    /// The license text given on the `License:` field's continuation lines, if any, with
    /// ` .` lines turned into empty lines.
    pub license_text: Option<String>,
    /// The `Copyright:` statements, one per line, trimmed, deduplicated.
    pub copyright: Vec<String>,
    /// 1-based line of the `Files:` field.
    pub line: usize,
}

/// A standalone `License:` paragraph (one without `Files:`): the full text for a short name
/// used by the stanzas.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LicenseParagraph {
    /// The short name, exactly as written (`GPL-2+`, `Expat`, `MIT/X11`).
    pub name: String,
    /// The license text, with ` .` lines turned into empty lines.
    pub text: String,
    /// 1-based line of the `License:` field.
    pub line: usize,
}

/// What a copyright file says, as read by [`parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Copyright {
    /// Machine-readable (DEP-5) or free-form.
    pub format: Format,
    /// The header paragraph; `Some` exactly when `format` is machine-readable.
    pub header: Option<Header>,
    /// The `Files:` stanzas in file order (machine-readable only).
    pub files: Vec<FilesStanza>,
    /// The standalone `License:` paragraphs in file order (machine-readable only).
    pub licenses: Vec<LicenseParagraph>,
    /// Expressions from `SPDX-License-Identifier:` lines, deduplicated, in both formats.
    pub spdx_identifiers: Vec<String>,
    /// Copyright statement lines found in a free-form file, trimmed (list bullets removed),
    /// deduplicated in order. Empty for machine-readable files, whose statements are in
    /// [`Header::copyright`] and [`FilesStanza::copyright`]; see [`Copyright::all_copyrights`].
    pub copyrights: Vec<String>,
    /// The text that was read: lossy UTF-8, CRLF turned into LF, at most [`MAX_BYTES`].
    pub text: String,
    /// Where and why the parser stopped reading or skipped something.
    pub notes: Vec<Note>,
}

impl Copyright {
    /// The license expressions (raw short names) of every `Files:` stanza, the `Files: *`
    /// stanza's first, deduplicated. Empty for free-form files.
    pub fn expressions(&self) -> Vec<&str> {
        expressions(&self.files)
    }

    /// Every copyright statement in the file, deduplicated in order: the header's, each
    /// stanza's, then the free-form lines.
    pub fn all_copyrights(&self) -> Vec<&str> {
        let header = self.header.iter().flat_map(|h| h.copyright.iter());
        let stanzas = self.files.iter().flat_map(|f| f.copyright.iter());
        let mut seen = HashSet::new();
        header
            .chain(stanzas)
            .chain(self.copyrights.iter())
            .map(String::as_str)
            .filter(|s| seen.insert(*s))
            .collect()
    }

    /// The full text the file gives for license short name `name`: a standalone `License:`
    /// paragraph first, then text given inline in a stanza or the header. Names compare
    /// exactly, then ignoring ASCII case (Debian files mix `zlib` and `Zlib`).
    pub fn license_text(&self, name: &str) -> Option<&str> {
        let exact = |a: &str| a == name;
        let loose = |a: &str| a.eq_ignore_ascii_case(name);
        for matches in [&exact as &dyn Fn(&str) -> bool, &loose] {
            if let Some(p) = self.licenses.iter().find(|p| matches(&p.name)) {
                return Some(&p.text);
            }
            let inline = self
                .files
                .iter()
                .filter_map(|f| Some((f.license.as_deref()?, f.license_text.as_deref()?)))
                .chain(
                    self.header
                        .iter()
                        .filter_map(|h| Some((h.license.as_deref()?, h.license_text.as_deref()?))),
                )
                .find(|(n, _)| matches(n));
            if let Some((_, text)) = inline {
                return Some(text);
            }
        }
        None
    }

    /// Whether any input was left unread because of [`MAX_BYTES`] or [`MAX_PARAGRAPHS`].
    pub fn truncated(&self) -> bool {
        self.notes
            .iter()
            .any(|n| matches!(n, Note::Truncated { .. } | Note::TooManyParagraphs { .. }))
    }
}

impl FilesStanza {
    /// Whether this is the `Files: *` stanza, the default for the whole package.
    pub fn covers_all(&self) -> bool {
        self.patterns.iter().any(|p| p == "*")
    }
}

/// The license expressions (raw short names) of `files`, the `Files: *` stanza's first,
/// deduplicated.
pub fn expressions(files: &[FilesStanza]) -> Vec<&str> {
    let star = files.iter().filter(|f| f.covers_all());
    let rest = files.iter().filter(|f| !f.covers_all());
    let mut seen = HashSet::new();
    star.chain(rest)
        .filter_map(|f| f.license.as_deref())
        .filter(|l| seen.insert(*l))
        .collect()
}

/// Parses the bytes of a Debian copyright file. Never fails: whatever could not be read is
/// recorded in [`Copyright::notes`].
pub fn parse(bytes: &[u8]) -> Copyright {
    let mut notes = Vec::new();
    let text = read_text(bytes, &mut notes);

    let paragraphs = paragraphs(&text, &mut notes);
    let header = paragraphs
        .first()
        .and_then(|p| p.get("Format").or_else(|| p.get("Format-Specification")))
        .filter(|f| is_dep5_url(f.value));

    let mut out = Copyright {
        format: Format::FreeForm,
        header: None,
        files: Vec::new(),
        licenses: Vec::new(),
        spdx_identifiers: spdx_identifiers(&text),
        copyrights: Vec::new(),
        text: String::new(),
        notes: Vec::new(),
    };

    let headerless = header.is_none() && is_headerless_dep5(&paragraphs, &notes);
    if headerless {
        notes.push(Note::NoFormatHeader);
    }
    if header.is_some() || headerless {
        out.format = Format::MachineReadable;
    }
    if let Some(format) = header {
        // `header` came from `paragraphs.first()`, so there is a first paragraph.
        if let Some(first) = paragraphs.first() {
            let license = first.get("License");
            out.header = Some(Header {
                format: format.value.to_string(),
                upstream_name: first.get("Upstream-Name").and_then(lines),
                source: first.get("Source").and_then(lines),
                license: license.and_then(Field::first_line),
                license_text: license.and_then(Field::text),
                copyright: first.get("Copyright").map(statements).unwrap_or_default(),
                line: format.line,
            });
        }
    }
    if out.format == Format::MachineReadable {
        for (i, p) in paragraphs.iter().enumerate() {
            let license = p.get("License");
            if let Some(files) = p.get("Files") {
                match license {
                    None => notes.push(Note::StanzaWithoutLicense { line: files.line }),
                    Some(l) if l.value.is_empty() => {
                        notes.push(Note::LicenseWithoutName { line: l.line })
                    }
                    Some(_) => {}
                }
                out.files.push(FilesStanza {
                    patterns: files.words(),
                    license: license.and_then(Field::first_line),
                    license_text: license.and_then(Field::text),
                    copyright: p.get("Copyright").map(statements).unwrap_or_default(),
                    line: files.line,
                });
            } else if let (true, Some(license)) = (i > 0 || headerless, license) {
                out.licenses.push(LicenseParagraph {
                    name: license.value.to_string(),
                    text: license.text().unwrap_or_default(),
                    line: license.line,
                });
            }
        }
    } else {
        // Prose is not expected to be deb822: its lines are not worth a note.
        notes.retain(|n| !matches!(n, Note::IgnoredLine { .. }));
        out.copyrights = free_form_copyrights(&text);
    }

    out.notes = notes;
    out.text = text;
    out
}

/// Decodes at most [`MAX_BYTES`] (cut after the last newline that fits), lossily, with CRLF
/// turned into LF and a leading byte-order mark dropped.
fn read_text(bytes: &[u8], notes: &mut Vec<Note>) -> String {
    let slice = if bytes.len() > MAX_BYTES {
        let head = &bytes[..MAX_BYTES];
        let cut = head
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(MAX_BYTES, |i| i + 1);
        notes.push(Note::Truncated {
            len: bytes.len(),
            read: cut,
        });
        &head[..cut]
    } else {
        bytes
    };
    let text = String::from_utf8_lossy(slice);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text.to_string()
    }
}

/// The non-empty lines of a field joined by newlines; `None` if there are none.
fn lines(f: &Field) -> Option<String> {
    let joined = f.trimmed_lines().collect::<Vec<_>>().join("\n");
    (!joined.is_empty()).then_some(joined)
}

/// One statement per non-empty line of a field, deduplicated.
fn statements(f: &Field) -> Vec<String> {
    let mut seen = HashSet::new();
    f.trimmed_lines()
        .filter(|l| seen.insert(*l))
        .map(str::to_string)
        .collect()
}

/// The deb822 paragraphs of `text` that hold fields, at most [`MAX_PARAGRAPHS`]; lines that
/// fit no rule are noted.
fn paragraphs<'a>(text: &'a str, notes: &mut Vec<Note>) -> Vec<Paragraph<'a>> {
    let mut out: Vec<Paragraph<'a>> = Vec::new();
    let mut ignored = 0usize;
    for p in deb822::paragraphs(text) {
        let first_field = p.fields.first().map(|f| f.line);
        let over = first_field.filter(|_| out.len() >= MAX_PARAGRAPHS);
        for problem in &p.problems {
            let line = match *problem {
                Problem::ContinuationFirst { line } | Problem::NotAField { line, .. } => line,
            };
            if over.is_none_or(|first| line < first) {
                note_ignored(notes, &mut ignored, line);
            }
        }
        if let Some(line) = over {
            notes.push(Note::TooManyParagraphs { line });
            return out;
        }
        if first_field.is_some() {
            out.push(p);
        }
    }
    out
}

fn note_ignored(notes: &mut Vec<Note>, count: &mut usize, line: usize) {
    if *count < MAX_IGNORED_LINE_NOTES {
        notes.push(Note::IgnoredLine { line });
    }
    *count += 1;
}

/// The fields a DEP-5 file's paragraphs have (header fields included, as a file without
/// `Format:` may still carry `Upstream-Name:`).
const DEP5_FIELDS: [&str; 9] = [
    "Files",
    "Copyright",
    "License",
    "Comment",
    "Upstream-Name",
    "Upstream-Contact",
    "Source",
    "Disclaimer",
    "Files-Excluded",
];

/// Whether a file without a `Format:` header is a DEP-5 body all the same: every line is
/// deb822 (nothing was ignored), every field is a DEP-5 field, and there is a `Files:`
/// stanza with a `License:`. A free-form file that happens to have a `Files:` paragraph
/// among its prose (gnutls', python3.11's) is not.
fn is_headerless_dep5(paragraphs: &[Paragraph], notes: &[Note]) -> bool {
    let clean = !notes.iter().any(|n| matches!(n, Note::IgnoredLine { .. }));
    let fields_known = paragraphs
        .iter()
        .flat_map(|p| &p.fields)
        .all(|f| DEP5_FIELDS.iter().any(|k| f.name.eq_ignore_ascii_case(k)));
    let stanza = paragraphs
        .iter()
        .any(|p| p.get("Files").is_some() && p.get("License").is_some());
    clean && fields_known && stanza
}

/// Whether a `Format:` value names the DEP-5 copyright format: an http or https URL that
/// mentions `copyright-format` (the released spec) or `dep5`/`dep-5` (its drafts).
fn is_dep5_url(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    (v.starts_with("http://") || v.starts_with("https://"))
        && (v.contains("copyright-format") || v.contains("dep5") || v.contains("dep-5"))
}

/// Pushes `item` onto `list` unless `seen` already holds it.
fn push_unique(list: &mut Vec<String>, seen: &mut HashSet<String>, item: &str) {
    if !seen.contains(item) {
        seen.insert(item.to_string());
        list.push(item.to_string());
    }
}

/// Every `NAME` in `/usr/share/common-licenses/NAME`, deduplicated. A name is made of ASCII
/// letters, digits, `.`, `-`, `+` and `_`, without a trailing sentence full stop.
pub(super) fn common_license_refs(text: &str) -> Vec<String> {
    const PREFIX: &str = "/usr/share/common-licenses/";
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (at, _) in text.match_indices(PREFIX) {
        let rest = &text[at + PREFIX.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_')))
            .unwrap_or(rest.len());
        let name = rest[..end].trim_end_matches('.');
        if name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            push_unique(&mut out, &mut seen, name);
        }
    }
    out
}

/// The expression after every `SPDX-License-Identifier:`, without a trailing comment
/// closer (`*/`, `-->`), deduplicated.
fn spdx_identifiers(text: &str) -> Vec<String> {
    const TAG: &str = "SPDX-License-Identifier:";
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for line in text.lines() {
        let Some(at) = line.find(TAG) else { continue };
        let expr = line[at + TAG.len()..].trim();
        let expr = expr
            .strip_suffix("*/")
            .or_else(|| expr.strip_suffix("-->"))
            .unwrap_or(expr)
            .trim();
        if !expr.is_empty() {
            push_unique(&mut out, &mut seen, expr);
        }
    }
    out
}

/// The copyright statement lines of a free-form file, trimmed, deduplicated.
fn free_form_copyrights(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for line in text.lines() {
        if let Some(statement) = copyright_statement(line) {
            push_unique(&mut out, &mut seen, statement);
        }
    }
    out
}

/// Words after `Copyright` that show the line talks *about* copyright rather than stating
/// one (`the above copyright notice`, `COPYRIGHT HOLDERS AND CONTRIBUTORS`).
const NOT_A_HOLDER: &[&str] = &[
    "holder",
    "holders",
    "owner",
    "owners",
    "notice",
    "notices",
    "and",
    "law",
    "laws",
    "statement",
    "statements",
    "information",
    "file",
    "files",
    "the",
    "of",
    "is",
    "to",
    "for",
    "in",
    "on",
    "act",
];

/// Words after a bare `(c)` that show it is item (c) of a list in a license text (`(c) You
/// must retain …`), not a copyright sign.
const NOT_AFTER_LIST_ITEM: &[&str] = &[
    "you",
    "if",
    "any",
    "in",
    "accompany",
    "redistributions",
    "neither",
    "representations",
];

/// Words that may come before a copyright marker in a statement (`Portions Copyright (C)
/// 1993 …`).
const PREFIX_WORDS: &[&str] = &["portions", "portion", "parts"];

/// If `line` is a copyright statement, the statement: the trimmed line without list bullets.
/// A statement starts (after at most one word such as `Portions`) with `Copyright` followed
/// by a year, `(C)`, `©` or a capitalised holder, or with `(C)`/`©` followed by a year or a
/// capitalised word.
fn copyright_statement(line: &str) -> Option<&str> {
    let cleaned = line
        .trim()
        .trim_start_matches(['*', '-', '#', '/', ';', '|', '+'])
        .trim();
    if starts_with_marker(cleaned) {
        return Some(cleaned);
    }
    let (first, rest) = cleaned.split_once(char::is_whitespace)?;
    let prefixed = PREFIX_WORDS.iter().any(|w| first.eq_ignore_ascii_case(w));
    (prefixed && starts_with_marker(rest.trim_start())).then_some(cleaned)
}

fn starts_with_marker(s: &str) -> bool {
    if let Some(rest) = strip_prefix_ignore_case(s, "copyright") {
        // `Copyrighted`, `copyrights`: a different word.
        if !rest.starts_with(|c: char| c.is_whitespace() || matches!(c, ':' | '(' | '©')) {
            return false;
        }
        let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ':');
        let Some(c) = rest.chars().next() else {
            return false;
        };
        if c.is_ascii_digit() || c == '©' || c == '(' {
            return true;
        }
        let word = first_word_lowercase(rest);
        let stop = NOT_A_HOLDER.contains(&word.as_str());
        return !stop && (c.is_uppercase() || matches!(c, '<' | '"'));
    }
    let (rest, list_item) = match strip_prefix_ignore_case(s, "(c)") {
        Some(rest) => (rest, true),
        None => match s.strip_prefix('©') {
            Some(rest) => (rest, false),
            None => return false,
        },
    };
    let rest = rest.trim_start();
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        return true;
    }
    let word = first_word_lowercase(rest);
    rest.starts_with(char::is_uppercase)
        && !(list_item && NOT_AFTER_LIST_ITEM.contains(&word.as_str()))
}

/// The leading run of letters of `s`, lowercased (at most 32 characters).
fn first_word_lowercase(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_alphabetic())
        .take(32)
        .collect::<String>()
        .to_lowercase()
}

/// `s` without `prefix`, comparing ASCII case-insensitively; `None` if it does not start so.
fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEP5: &str =
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n";

    fn dep5(body: &str) -> Copyright {
        parse(format!("{DEP5}\n{body}").as_bytes())
    }

    // --- Format detection -------------------------------------------------------------

    #[test]
    fn format_field_with_https_copyright_format_url_is_machine_readable() {
        let c = parse(DEP5.as_bytes());
        assert_eq!(c.format, Format::MachineReadable);
        assert_eq!(
            c.header.map(|h| h.format),
            Some("https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/".into())
        );
    }

    #[test]
    fn format_field_with_http_url_or_dep5_draft_is_machine_readable() {
        for url in [
            "http://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
            "http://dep.debian.net/deps/dep5",
            "http://svn.debian.org/wsvn/dep/web/deps/dep5.mdwn?op=file&rev=135",
        ] {
            let c = parse(format!("Format: {url}\n").as_bytes());
            assert_eq!(c.format, Format::MachineReadable, "{url}");
        }
    }

    #[test]
    fn format_must_be_in_first_paragraph_and_name_the_spec() {
        let later = parse(format!("Upstream-Name: x\n\n{DEP5}").as_bytes());
        assert_eq!(later.format, Format::FreeForm);
        let other = parse(b"Format: https://example.org/my-format\n");
        assert_eq!(other.format, Format::FreeForm);
        assert!(other.header.is_none());
    }

    #[test]
    fn empty_input_is_free_form_with_nothing_found() {
        let c = parse(b"");
        assert!(parse(b"Just: prose\nnot fields\n").notes.is_empty());
        assert_eq!(c.format, Format::FreeForm);
        assert!(c.expressions().is_empty() && c.all_copyrights().is_empty());
        assert!(c.notes.is_empty());
    }

    // --- DEP-5 paragraphs ---------------------------------------------------------------

    #[test]
    fn files_stanza_keeps_patterns_copyright_lines_and_raw_expression() {
        let c = dep5(
            "Files: src/*  lib/*.c\n include/*\nCopyright: 2001 Alice\n 2002-2004 Bob <bob@example.org>\n\tCopyright (C) 2005 Carol\nLicense: GPL-2+ or Artistic-1.0\n",
        );
        let f = &c.files[0];
        assert_eq!(f.patterns, ["src/*", "lib/*.c", "include/*"]);
        assert_eq!(
            f.copyright,
            [
                "2001 Alice",
                "2002-2004 Bob <bob@example.org>",
                "Copyright (C) 2005 Carol"
            ]
        );
        assert_eq!(f.license.as_deref(), Some("GPL-2+ or Artistic-1.0"));
        assert_eq!(f.license_text, None);
        assert_eq!(f.line, 3);
    }

    #[test]
    fn copyright_field_may_start_on_a_continuation_line() {
        let c = dep5("Files: *\nCopyright:\n 2015 Kevin\n 2022 Peter\nLicense: Expat\n");
        assert_eq!(c.files[0].copyright, ["2015 Kevin", "2022 Peter"]);
    }

    #[test]
    fn license_continuation_is_text_and_dot_lines_are_empty_lines() {
        let c = dep5(
            "Files: *\nCopyright: 2020 X\nLicense: public-domain\n This is free.\n .\n Really.\n",
        );
        let f = &c.files[0];
        assert_eq!(f.license.as_deref(), Some("public-domain"));
        assert_eq!(f.license_text.as_deref(), Some("This is free.\n\nReally."));
        assert_eq!(
            c.license_text("public-domain"),
            Some("This is free.\n\nReally.")
        );
    }

    #[test]
    fn standalone_license_paragraph_maps_short_name_to_text() {
        let c = dep5(
            "Files: *\nCopyright: 2020 X\nLicense: LGPL-2.1+ with OpenSSL exception\n\nLicense: LGPL-2.1+\n Library text.\n",
        );
        assert_eq!(c.expressions(), ["LGPL-2.1+ with OpenSSL exception"]);
        assert_eq!(
            c.licenses,
            [LicenseParagraph {
                name: "LGPL-2.1+".into(),
                text: "Library text.".into(),
                line: 7
            }]
        );
        assert_eq!(c.license_text("lgpl-2.1+"), Some("Library text."));
        assert_eq!(c.license_text("MIT"), None);
    }

    #[test]
    fn header_license_copyright_name_and_source() {
        let c = parse(
            format!("{DEP5}Upstream-Name: foo\nSource:\n https://example.org/foo\nCopyright: 2019 Foo Authors\nLicense: BSD-3-clause and Expat\n")
                .as_bytes(),
        );
        let h = c.header.as_ref().expect("header");
        assert_eq!(h.upstream_name.as_deref(), Some("foo"));
        assert_eq!(h.source.as_deref(), Some("https://example.org/foo"));
        assert_eq!(h.license.as_deref(), Some("BSD-3-clause and Expat"));
        assert_eq!(h.copyright, ["2019 Foo Authors"]);
        assert!(c.files.is_empty() && c.licenses.is_empty());
        assert_eq!(c.all_copyrights(), ["2019 Foo Authors"]);
    }

    #[test]
    fn comment_lines_are_skipped_without_ending_the_paragraph() {
        let c = dep5("Files: *\n# reviewed 2020\nCopyright: 2020 X\nLicense: MIT\n");
        assert_eq!(c.files.len(), 1);
        assert_eq!(c.files[0].license.as_deref(), Some("MIT"));
        assert!(c.notes.is_empty());
    }

    #[test]
    fn field_names_ignore_case() {
        let c = dep5("files: *\ncopyright: 2020 X\nlicense: MIT\n");
        assert_eq!(c.expressions(), ["MIT"]);
    }

    #[test]
    fn expressions_put_the_star_stanza_first_and_deduplicate() {
        let c = dep5(
            "Files: debian/*\nLicense: GPL-2+\n\nFiles: *\nLicense: Expat\n\nFiles: doc/*\nLicense: GPL-2+\n",
        );
        assert_eq!(c.expressions(), ["Expat", "GPL-2+"]);
    }

    #[test]
    fn lines_that_are_not_fields_are_noted_and_skipped() {
        let c = dep5("Files: *\nthis is not a field\nLicense: MIT\n");
        assert_eq!(c.expressions(), ["MIT"]);
        assert_eq!(c.notes, [Note::IgnoredLine { line: 4 }]);
    }

    #[test]
    fn stanza_without_license_name_is_noted() {
        let c = dep5("Files: *\nLicense:\n Only text here.\n\nFiles: doc/*\nCopyright: 2020 X\n");
        assert!(c.expressions().is_empty());
        assert_eq!(c.files[0].license_text.as_deref(), Some("Only text here."));
        assert_eq!(
            c.notes,
            [
                Note::LicenseWithoutName { line: 4 },
                Note::StanzaWithoutLicense { line: 7 }
            ]
        );
    }

    // --- Free-form ----------------------------------------------------------------------

    #[test]
    fn free_form_common_licenses_references_are_captured_exactly() {
        let c = parse(
            b"See `/usr/share/common-licenses/GPL-2'.\nAlso /usr/share/common-licenses/LGPL-2.1.\nAnd /usr/share/common-licenses/ .\nAgain /usr/share/common-licenses/GPL-2\n",
        );
        assert_eq!(c.format, Format::FreeForm);
        assert_eq!(common_license_refs(&c.text), ["GPL-2", "LGPL-2.1"]);
    }

    #[test]
    fn spdx_license_identifier_lines_are_captured() {
        let c = parse(b"/* SPDX-License-Identifier: MIT OR Apache-2.0 */\n# SPDX-License-Identifier: GPL-2.0-only\n");
        assert_eq!(c.spdx_identifiers, ["MIT OR Apache-2.0", "GPL-2.0-only"]);
    }

    #[test]
    fn free_form_copyright_lines_with_c_and_copyright_sign() {
        let c = parse(
            "Copyright (C) 1995-2011 Software in the Public Interest.\n\
             \x20 (c) 2020 by Michael Wood.\n\
             \x20 \u{a9} 2001 Ünïcode Holder\n\
             \x20* Copyright Thorsten Kukuk; LGPL\n\
             Portions Copyright (C) 1993 by Digital Equipment Corporation.\n\
             Copyright (C) 1995-2011 Software in the Public Interest.\n\
             Copyright:\n\
             the above copyright notice appears\n\
             THE COPYRIGHT HOLDERS AND CONTRIBUTORS\n\
             Copyright holders unknown\n\
             These files are copyrighted by the FSF.\n\
             See section (c) of the license.\n\
             (c) You must retain, in the Source form of any Derivative Works\n\
             Copyright Act (or the equivalent in other jurisdictions).\n"
                .as_bytes(),
        );
        assert_eq!(
            c.copyrights,
            [
                "Copyright (C) 1995-2011 Software in the Public Interest.",
                "(c) 2020 by Michael Wood.",
                "\u{a9} 2001 Ünïcode Holder",
                "Copyright Thorsten Kukuk; LGPL",
                "Portions Copyright (C) 1993 by Digital Equipment Corporation.",
            ]
        );
        assert_eq!(c.all_copyrights().len(), 5);
    }

    #[test]
    fn machine_readable_files_do_not_collect_free_form_copyright_lines() {
        let c =
            dep5("Files: *\nCopyright: 2020 X\nLicense: MIT\n Copyright (C) 1999 In The Text\n");
        assert!(c.copyrights.is_empty());
        assert_eq!(c.all_copyrights(), ["2020 X"]);
    }

    // --- Encoding and bounds ------------------------------------------------------------

    #[test]
    fn crlf_line_endings_are_read_like_lf() {
        let c = parse(
            b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\r\n\r\nFiles: *\r\nCopyright: 2020 X\r\nLicense: MIT\r\n Text\r\n .\r\n More\r\n",
        );
        assert_eq!(c.format, Format::MachineReadable);
        assert_eq!(c.files[0].copyright, ["2020 X"]);
        assert_eq!(c.files[0].license.as_deref(), Some("MIT"));
        assert_eq!(c.files[0].license_text.as_deref(), Some("Text\n\nMore"));
        assert!(!c.text.contains('\r'));
    }

    #[test]
    fn non_utf8_bytes_are_decoded_lossily() {
        let mut bytes = DEP5.as_bytes().to_vec();
        bytes.extend_from_slice(
            b"\nFiles: *\nCopyright: 2004 Kungliga Tekniska H\xf6gskolan\nLicense: BSD\n",
        );
        let c = parse(&bytes);
        assert_eq!(
            c.files[0].copyright,
            ["2004 Kungliga Tekniska H\u{fffd}gskolan"]
        );
        assert_eq!(c.expressions(), ["BSD"]);
    }

    #[test]
    fn input_over_four_mib_is_cut_at_a_line_and_flagged() {
        let mut bytes = DEP5.as_bytes().to_vec();
        bytes.extend_from_slice(b"\nFiles: *\nLicense: MIT\n");
        let line = b" filler line of license text\n";
        while bytes.len() <= MAX_BYTES + line.len() {
            bytes.extend_from_slice(line);
        }
        bytes.extend_from_slice(b"\nLicense: Late\n");
        let c = parse(&bytes);
        assert!(c.truncated());
        let Some(Note::Truncated { len, read }) = c.notes.first() else {
            panic!("no truncation note: {:?}", c.notes);
        };
        assert_eq!(*len, bytes.len());
        assert!(*read <= MAX_BYTES && c.text.len() == *read && c.text.ends_with('\n'));
        assert_eq!(c.expressions(), ["MIT"]);
        assert!(c.licenses.is_empty());
    }

    #[test]
    fn paragraphs_beyond_the_limit_are_ignored_and_flagged() {
        let mut s = String::from(DEP5);
        for i in 0..MAX_PARAGRAPHS + 5 {
            s.push_str(&format!("\nFiles: f{i}\nLicense: L{}\n", i % 3));
        }
        let c = parse(s.as_bytes());
        // The header counts as one of the paragraphs.
        assert_eq!(c.files.len(), MAX_PARAGRAPHS - 1);
        assert!(c.truncated());
        assert!(matches!(
            c.notes.last(),
            Some(Note::TooManyParagraphs { .. })
        ));
        assert_eq!(c.expressions(), ["L0", "L1", "L2"]);
    }

    // --- Real files from Debian 12 (see test-fixtures/copyright/README.md) --------------

    fn fixture(bytes: &[u8]) -> Copyright {
        let c = parse(bytes);
        assert!(!c.truncated());
        c
    }

    #[test]
    fn real_zlib1g() {
        let c = fixture(include_bytes!("test-fixtures/copyright/zlib1g"));
        assert_eq!(c.format, Format::MachineReadable);
        let h = c.header.as_ref().expect("header");
        assert_eq!(h.upstream_name.as_deref(), Some("zlib"));
        assert_eq!(h.source.as_deref(), Some("http://zlib.net/"));
        assert_eq!(c.expressions(), ["Zlib"]);
        assert_eq!(c.files.len(), 4);
        assert_eq!(
            c.files[2].copyright,
            [
                "1998-2010 Gilles Vollant",
                "2007-2008 Even Rouault",
                "2009-2010 Mathias Svensson"
            ]
        );
        assert_eq!(c.licenses.len(), 1);
        let text = c.license_text("Zlib").expect("Zlib text");
        assert!(text.starts_with("This software is provided 'as-is'"));
        assert!(text.contains(
            "warranty.  In no event will the authors be held liable for any damages\narising"
        ));
        assert!(text.contains("\n\nPermission is granted"));
        assert!(c
            .all_copyrights()
            .contains(&"1995-2013 Jean-loup Gailly and Mark Adler"));
    }

    #[test]
    fn real_libzstd1() {
        let c = fixture(include_bytes!("test-fixtures/copyright/libzstd1"));
        assert_eq!(c.format, Format::MachineReadable);
        assert_eq!(c.expressions(), ["BSD-3-clause or GPL-2", "zlib", "Expat"]);
        assert_eq!(
            c.files[0].copyright,
            [
                "Yann Collet",
                "Przemyslaw Skibinski",
                "Martin Liska",
                "SUSE",
                "Meta Platforms, Inc. and affiliates"
            ]
        );
        assert_eq!(
            c.files.last().map(|f| f.copyright.clone()),
            Some(vec![
                "2015-2016 Kevin Murray <spam@kdmurray.id.au>".to_string(),
                "2022-2023 Peter Pentchev <roam@debian.org>".to_string()
            ])
        );
        let names: Vec<&str> = c.licenses.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["zlib", "Expat", "GPL-2", "BSD-3-clause"]);
        assert_eq!(common_license_refs(&c.text), ["GPL-2"]);
    }

    #[test]
    fn real_libssl3() {
        let c = fixture(include_bytes!("test-fixtures/copyright/libssl3"));
        assert_eq!(
            c.header.as_ref().and_then(|h| h.upstream_name.as_deref()),
            Some("OpenSSL")
        );
        assert_eq!(c.expressions(), ["Apache-2.0", "Artistic or GPL-1+"]);
        assert_eq!(c.files[0].copyright.len(), 31);
        assert_eq!(
            c.files[0].copyright[0],
            "1995-2020, The OpenSSL Project Authors"
        );
        assert_eq!(c.files[0].copyright[30], "2016 VMS Software Inc.");
        assert!(c
            .all_copyrights()
            .contains(&"2013-2014 Timo Teräs <timo.teras@gmail.com>"));
        assert_eq!(
            common_license_refs(&c.text),
            ["Apache-2.0", "Artistic", "GPL-1"]
        );
        assert!(c
            .license_text("GPL-1+")
            .is_some_and(|t| t.contains("either version 1")));
    }

    #[test]
    fn real_tzdata() {
        let c = fixture(include_bytes!("test-fixtures/copyright/tzdata"));
        assert_eq!(c.expressions(), ["public-domain"]);
        assert_eq!(
            c.files[0].copyright,
            ["The Internet Assigned Numbers Authority (IANA)"]
        );
        assert_eq!(
            c.license_text("public-domain"),
            Some("This database is in the public domain.")
        );
        assert!(c.licenses.is_empty());
    }

    #[test]
    fn real_coreutils() {
        let c = fixture(include_bytes!("test-fixtures/copyright/coreutils"));
        assert_eq!(c.format, Format::MachineReadable);
        let e = c.expressions();
        assert_eq!(e[0], "GPL-3+");
        assert!(e.contains(&"GPL-3+ and BSD-4-clause-UC") && e.contains(&"GPL-3+ and ISC"));
        assert_eq!(c.files[1].patterns, ["lib/fts.c", "lib/fts_.h"]);
        assert_eq!(
            c.files[1].copyright,
            [
                "(C) 2004-2020, 2008 Free Software Foundation, Inc.",
                "(c) 1989, 1990, 1993, 1994  The Regents of the University of California.  All rights reserved."
            ]
        );
        assert!(common_license_refs(&c.text).contains(&"GPL-3".to_string()));
    }

    #[test]
    fn real_bash() {
        let c = fixture(include_bytes!("test-fixtures/copyright/bash"));
        let h = c.header.as_ref().expect("header");
        assert_eq!(h.source.as_deref(), Some("ftp.gnu.org:/pub/gnu/bash"));
        let e = c.expressions();
        assert_eq!(e[0], "GPL-3+");
        assert!(e.contains(&"GPL-3+ with Bison exception") && e.contains(&"GPL-2+"));
        let posix = c
            .files
            .iter()
            .find(|f| f.patterns.contains(&"tests/posix2.tests".into()));
        let posix = posix.expect("stanza with patterns on continuation lines");
        assert_eq!(
            posix.patterns,
            ["tests/ifs-posix.tests", "tests/posix2.tests"]
        );
        assert_eq!(
            posix.copyright,
            ["(C) 2005 Glen Fowler", "Copyright (c) 1995 Stephen Gildea"]
        );
        assert_eq!(
            c.files[0].copyright,
            ["(C) 1987-2022 Free Software Foundation, Inc."]
        );
        assert!(c.licenses.iter().any(|l| l.name == "GPL-3+"));
    }

    #[test]
    fn real_liberror_perl() {
        let c = fixture(include_bytes!("test-fixtures/copyright/liberror-perl"));
        assert_eq!(c.expressions(), ["Artistic or GPL-1+", "MIT/X11"]);
        assert_eq!(
            c.files[0].copyright,
            [
                "1997-1998, Graham Barr <gbarr@pobox.com>",
                "2020, Shlomi Fish https://www.shlomifish.org/"
            ]
        );
        let names: Vec<&str> = c.licenses.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Artistic", "GPL-1+", "MIT/X11"]);
    }

    #[test]
    fn real_base_files() {
        let c = fixture(include_bytes!("test-fixtures/copyright/base-files"));
        assert_eq!(c.format, Format::FreeForm);
        assert_eq!(common_license_refs(&c.text), ["GPL"]);
        assert_eq!(
            c.copyrights,
            ["Copyright (C) 1995-2011 Software in the Public Interest."]
        );
        assert!(c.text.contains("GNU General Public License"));
    }

    #[test]
    fn real_libc6() {
        let c = fixture(include_bytes!("test-fixtures/copyright/libc6"));
        assert_eq!(c.format, Format::FreeForm);
        assert_eq!(common_license_refs(&c.text), ["LGPL-2.1", "GPL-2"]);
        assert_eq!(
            c.copyrights[0],
            "Copyright (C) 1991-2015 Free Software Foundation, Inc."
        );
        for s in [
            "Portions Copyright (C) 1993 by Digital Equipment Corporation.",
            "Copyright (c) 2010, Oracle America, Inc.",
            "(C) Copyright C E Chew",
            "Copyright 2000 Red Hat, Inc.",
        ] {
            assert!(
                c.copyrights.iter().any(|x| x == s),
                "{s}: {:#?}",
                c.copyrights
            );
        }
    }

    #[test]
    fn real_libcrypt1() {
        let c = fixture(include_bytes!("test-fixtures/copyright/libcrypt1"));
        assert_eq!(c.format, Format::FreeForm);
        assert!(common_license_refs(&c.text).is_empty());
        let s = &c.copyrights;
        assert_eq!(
            s[0],
            "Copyright Thorsten Kukuk, Björn Esser, Zack Weinberg; LGPL (v2.1 or later):"
        );
        assert!(s.iter().any(|x| x == "Copyright 2015 Björn Esser"));
        assert!(!s.iter().any(|x| x.starts_with("Copyright holders")));
    }

    #[test]
    fn real_gcc_12_base_trimmed() {
        let c = fixture(include_bytes!("test-fixtures/copyright/gcc-12-base"));
        assert_eq!(c.format, Format::FreeForm);
        assert_eq!(
            common_license_refs(&c.text),
            ["GPL", "GPL-3", "GFDL-1.2", "GPL-2", "Artistic", "LGPL"]
        );
        assert!(c.spdx_identifiers.is_empty());
        assert!(c
            .text
            .contains("GCC RUNTIME LIBRARY EXCEPTION\n\nVersion 3.1, 31 March 2009"));
        assert!(c
            .copyrights
            .iter()
            .any(|s| s == "Copyright (c) 2009-2019 by the LLVM contributors."));
    }

    #[test]
    fn real_libxv1_crlf_free_form() {
        let bytes: &[u8] = include_bytes!("test-fixtures/copyright/libxv1");
        assert!(bytes.windows(2).any(|w| w == b"\r\n"));
        let c = fixture(bytes);
        assert_eq!(c.format, Format::FreeForm);
        assert_eq!(
            c.copyrights[0],
            "Copyright 1991 by Digital Equipment Corporation, Maynard, Massachusetts,"
        );
        assert!(!c.text.contains('\r'));
    }

    #[test]
    fn a_dep5_body_without_its_format_header_is_machine_readable() {
        let c = parse(
            b"Files: *\nCopyright: 1998 Netscape Communications Corporation\n\
              License: MPL-1.1 or GPL-2 or LGPL-2.1\n\n\
              Files: debian/*\nCopyright: 2009 A Maintainer\nLicense: GPL-2+\n",
        );
        assert_eq!(c.format, Format::MachineReadable);
        assert!(c.header.is_none());
        assert!(c.notes.contains(&Note::NoFormatHeader));
        assert_eq!(c.expressions(), ["MPL-1.1 or GPL-2 or LGPL-2.1", "GPL-2+"]);
        // Prose with a Files: paragraph in it stays free-form.
        let hybrid = parse(
            b"This package was debianized by someone.\n\nIt was downloaded from somewhere.\n\n\
              Files: lib/x.c\nCopyright: 2020 Someone\nLicense: LGPL-2.1+\n",
        );
        assert_eq!(hybrid.format, Format::FreeForm);
    }
}
