//! deb822 paragraphs: the `Field: value` record format of dpkg's status file and of Debian
//! control files.
//!
//! A paragraph is a run of lines up to a line that is empty or holds only whitespace. A field
//! starts at column 0 with its name and a colon; a line starting with a space or TAB continues
//! the previous field. Lines starting with `#` are comments. Real files also carry CRLF line
//! ends, trailing whitespace, bytes that are not UTF-8 and a missing final newline; all are
//! tolerated here, and a line that fits no rule becomes a [`Warning`].

use std::collections::hash_map::{Entry, HashMap};

use super::parse::Warning;

/// The most bytes of a paragraph's raw text that are kept (see [`Paragraph::raw`]).
pub const MAX_RAW_LEN: usize = 64 * 1024;

/// One paragraph: its fields in file order and where it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// 1-based line number of the paragraph's first line.
    pub line: usize,
    /// Fields as (name, value). Names keep their spelling; look them up with [`Paragraph::get`].
    /// A continued value keeps its line breaks, with the one leading space or TAB of each
    /// continuation line removed.
    pub fields: Vec<(String, String)>,
    /// The paragraph's text, at most [`MAX_RAW_LEN`] bytes (cut at a character boundary).
    pub raw: String,
}

impl Paragraph {
    /// The value of a field, by case-insensitive name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Splits deb822 text into paragraphs. Duplicate fields keep the last value (with a warning),
/// as dpkg's own parser does for the status file.
pub fn paragraphs(bytes: &[u8]) -> (Vec<Paragraph>, Vec<Warning>) {
    let text = String::from_utf8_lossy(bytes);
    let mut warnings = Vec::new();
    if let std::borrow::Cow::Owned(_) = text {
        warnings.push(Warning::new(
            None,
            None,
            "file is not valid UTF-8; bad bytes were replaced with U+FFFD",
        ));
    }
    let mut out = Vec::new();
    let mut current: Option<Builder> = None;
    for (i, line) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            if let Some(b) = current.take() {
                out.push(b.finish(&mut warnings));
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let b = current.get_or_insert_with(|| Builder::new(line_no));
        b.push_raw(line);
        if line.starts_with(' ') || line.starts_with('\t') {
            match b.fields.last_mut() {
                Some((_, value)) => {
                    value.push('\n');
                    value.push_str(line.get(1..).unwrap_or("").trim_end());
                }
                None => warnings.push(Warning::new(
                    Some(line_no),
                    None,
                    "continuation line before any field; ignored",
                )),
            }
            continue;
        }
        match line.split_once(':') {
            Some((name, value)) if !name.is_empty() && !name.contains(char::is_whitespace) => {
                b.fields.push((name.to_string(), value.trim().to_string()));
                b.lines.push(line_no);
            }
            _ => warnings.push(Warning::new(
                Some(line_no),
                None,
                format!(
                    "line is neither `Field: value` nor a continuation: {:?}; ignored",
                    line.chars().take(60).collect::<String>()
                ),
            )),
        }
    }
    if let Some(b) = current.take() {
        out.push(b.finish(&mut warnings));
    }
    (out, warnings)
}

struct Builder {
    line: usize,
    fields: Vec<(String, String)>,
    lines: Vec<usize>,
    raw: String,
    raw_cut: bool,
}

impl Builder {
    fn new(line: usize) -> Self {
        Builder {
            line,
            fields: Vec::new(),
            lines: Vec::new(),
            raw: String::new(),
            raw_cut: false,
        }
    }

    fn push_raw(&mut self, line: &str) {
        if self.raw_cut {
            return;
        }
        if self.raw.len() + line.len() + 1 > MAX_RAW_LEN {
            let room = MAX_RAW_LEN.saturating_sub(self.raw.len());
            let mut cut = room.min(line.len());
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            self.raw.push_str(&line[..cut]);
            self.raw_cut = true;
            return;
        }
        self.raw.push_str(line);
        self.raw.push('\n');
    }

    /// Resolves duplicate fields (last wins) and returns the paragraph.
    fn finish(self, warnings: &mut Vec<Warning>) -> Paragraph {
        let mut fields: Vec<(String, String)> = Vec::with_capacity(self.fields.len());
        let mut index: HashMap<String, usize> = HashMap::with_capacity(self.fields.len());
        for ((name, value), line) in self.fields.into_iter().zip(self.lines) {
            match index.entry(name.to_ascii_lowercase()) {
                Entry::Occupied(at) => {
                    warnings.push(Warning::new(
                        Some(line),
                        None,
                        format!(
                            "field {name} appears twice in one paragraph; the later value wins"
                        ),
                    ));
                    if let Some(existing) = fields.get_mut(*at.get()) {
                        existing.1 = value;
                    }
                }
                Entry::Vacant(slot) => {
                    slot.insert(fields.len());
                    fields.push((name, value));
                }
            }
        }
        if self.raw_cut {
            warnings.push(Warning::new(
                Some(self.line),
                None,
                format!("paragraph is longer than {MAX_RAW_LEN} bytes; its raw text was cut"),
            ));
        }
        Paragraph {
            line: self.line,
            fields,
            raw: self.raw,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Paragraph {
        let (mut p, w) = paragraphs(text.as_bytes());
        assert_eq!(p.len(), 1, "{p:?} {w:?}");
        p.remove(0)
    }

    #[test]
    fn continuation_lines_start_with_space_or_tab() {
        let p = one("Description: short\n long one\n\tlong two\n");
        assert_eq!(p.get("description"), Some("short\nlong one\nlong two"));
    }

    #[test]
    fn comment_lines_are_skipped() {
        let p = one("# written by hand\nPackage: a\n#Version: 9\nVersion: 1\n");
        assert_eq!(p.get("Version"), Some("1"));
    }

    #[test]
    fn crlf_and_trailing_whitespace_are_ignored() {
        let p = one("Package: a \r\nVersion: 1\t\r\n");
        assert_eq!((p.get("Package"), p.get("Version")), (Some("a"), Some("1")));
    }

    #[test]
    fn a_whitespace_only_line_separates_paragraphs() {
        let (p, _) = paragraphs(b"Package: a\n \t\nPackage: b\n");
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].line, 3);
    }

    #[test]
    fn a_missing_final_newline_keeps_the_last_paragraph() {
        let (p, _) = paragraphs(b"Package: a\n\nPackage: b");
        assert_eq!(p[1].get("Package"), Some("b"));
    }

    #[test]
    fn non_utf8_bytes_are_replaced_and_reported() {
        let (p, w) = paragraphs(b"Package: a\nMaintainer: J\xf6rg\n");
        assert_eq!(p[0].get("Maintainer"), Some("J\u{fffd}rg"));
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn a_duplicate_field_keeps_the_last_value_and_warns() {
        let (p, w) = paragraphs(b"Package: a\nVersion: 1\nversion: 2\n");
        assert_eq!(p[0].get("Version"), Some("2"));
        assert_eq!(w[0].line, Some(3));
    }

    #[test]
    fn a_line_without_colon_is_reported_and_ignored() {
        let (p, w) = paragraphs(b"Package: a\ngarbage\nVersion: 1\n");
        assert_eq!(p[0].get("Version"), Some("1"));
        assert_eq!(w[0].line, Some(2));
    }

    #[test]
    fn raw_text_is_bounded() {
        let long = format!("Package: a\nDescription: x\n{}\n", " y\n".repeat(40_000));
        let (p, w) = paragraphs(long.as_bytes());
        assert!(p[0].raw.len() <= MAX_RAW_LEN);
        assert!(w.iter().any(|w| w.message.contains("raw text was cut")));
    }
}
