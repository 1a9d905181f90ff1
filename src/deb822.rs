//! deb822: the `Field: value` record format of dpkg's status file, Debian control files
//! and machine-readable (DEP-5) copyright files. One reader serves them all.
//!
//! A paragraph is a run of lines up to a line that is empty or holds only whitespace. A
//! field starts at column 0 with its name and a colon; a line starting with a space or TAB
//! continues the previous field. Lines starting with `#` are comments. Real files also carry
//! CRLF line ends, trailing whitespace and lines that fit no rule: [`paragraphs`] keeps
//! them as [`Problem`]s in line order and reads on, so each caller decides what a problem
//! is worth (dpkg reports every one; a copyright file notes a bounded number). What the
//! same field twice in one paragraph means is also the caller's: dpkg keeps the last value,
//! DEP-5 readers the first.
//!
//! ```
//! use layerbom::deb822::paragraphs;
//! let text = "Package: zlib1g\nDescription: compression\n library\n\nPackage: bash\n";
//! let p: Vec<_> = paragraphs(text).collect();
//! assert_eq!(p.len(), 2);
//! assert_eq!(p[0].get("description").unwrap().continuation, ["library"]);
//! assert_eq!(p[1].line, 5);
//! ```

/// One field: `Name: value` and its continuation lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// The name as written; compare it ignoring ASCII case.
    pub name: &'a str,
    /// The value on the field's own line, without surrounding whitespace.
    pub value: &'a str,
    /// The continuation lines, each without the one space or TAB that marks it.
    pub continuation: Vec<&'a str>,
    /// 1-based line number of the field's line.
    pub line: usize,
}

/// A line that is neither a field, a continuation of one, a comment nor blank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem<'a> {
    /// A continuation line before any field of its paragraph.
    ContinuationFirst {
        /// 1-based line number.
        line: usize,
    },
    /// A line without `Name:` at its start.
    NotAField {
        /// 1-based line number.
        line: usize,
        /// The line as written.
        text: &'a str,
    },
}

/// One paragraph: its fields in file order, the problems met in it, and its lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paragraph<'a> {
    /// 1-based line number of its first line that is not a comment.
    pub line: usize,
    /// Its fields, in file order, repeats included.
    pub fields: Vec<Field<'a>>,
    /// Its lines that are not fields, continuations or comments, in file order.
    pub problems: Vec<Problem<'a>>,
    /// Its lines as written (CR dropped), comments left out.
    pub lines: Vec<&'a str>,
}

impl<'a> Paragraph<'a> {
    /// The first field named `name`, ignoring ASCII case.
    pub fn get(&self, name: &str) -> Option<&Field<'a>> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

impl Field<'_> {
    /// The value on the field line, if not empty.
    pub fn first_line(&self) -> Option<String> {
        (!self.value.is_empty()).then(|| self.value.to_string())
    }

    /// Every non-empty line of the value, trimmed, in order (field line, then
    /// continuations); the ` .` lines that stand for empty lines are left out.
    pub fn trimmed_lines(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.value)
            .chain(self.continuation.iter().copied())
            .map(str::trim)
            .filter(|l| !l.is_empty() && *l != ".")
    }

    /// Whitespace-separated words across all lines.
    pub fn words(&self) -> Vec<String> {
        std::iter::once(self.value)
            .chain(self.continuation.iter().copied())
            .flat_map(str::split_whitespace)
            .map(str::to_string)
            .collect()
    }

    /// The continuation lines as text: ` .` lines become empty lines, trailing blanks are
    /// dropped. `None` when there is no continuation text.
    pub fn text(&self) -> Option<String> {
        let lines: Vec<&str> = self
            .continuation
            .iter()
            .map(|l| if l.trim() == "." { "" } else { l.trim_end() })
            .collect();
        let end = lines.iter().rposition(|l| !l.is_empty())?;
        Some(lines[..=end].join("\n"))
    }
}

/// The paragraphs of `text`, read lazily.
pub fn paragraphs(text: &str) -> Paragraphs<'_> {
    Paragraphs {
        lines: text.split('\n').enumerate(),
    }
}

/// An iterator over the paragraphs of a deb822 text; see [`paragraphs`].
#[derive(Debug, Clone)]
pub struct Paragraphs<'a> {
    lines: std::iter::Enumerate<std::str::Split<'a, char>>,
}

impl<'a> Iterator for Paragraphs<'a> {
    type Item = Paragraph<'a>;

    fn next(&mut self) -> Option<Paragraph<'a>> {
        let mut current: Option<Paragraph<'a>> = None;
        for (index, raw) in self.lines.by_ref() {
            let line_no = index + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.trim().is_empty() {
                if current.is_some() {
                    return current;
                }
                continue;
            }
            if line.starts_with('#') {
                continue;
            }
            let p = current.get_or_insert_with(|| Paragraph {
                line: line_no,
                ..Paragraph::default()
            });
            p.lines.push(line);
            if let Some(rest) = line.strip_prefix([' ', '\t']) {
                match p.fields.last_mut() {
                    Some(field) => field.continuation.push(rest),
                    None => p
                        .problems
                        .push(Problem::ContinuationFirst { line: line_no }),
                }
                continue;
            }
            match line.split_once(':') {
                Some((name, value)) if !name.is_empty() && !name.contains(char::is_whitespace) => {
                    p.fields.push(Field {
                        name,
                        value: value.trim(),
                        continuation: Vec::new(),
                        line: line_no,
                    })
                }
                _ => p.problems.push(Problem::NotAField {
                    line: line_no,
                    text: line,
                }),
            }
        }
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Paragraph<'_> {
        let mut p: Vec<_> = paragraphs(text).collect();
        assert_eq!(p.len(), 1, "{p:?}");
        p.remove(0)
    }

    #[test]
    fn continuation_lines_start_with_space_or_tab() {
        let p = one("Description: short\n long one\n\tlong two\n");
        assert_eq!(
            p.get("description").unwrap().continuation,
            ["long one", "long two"]
        );
    }

    #[test]
    fn comment_lines_are_skipped_without_ending_the_paragraph() {
        let p = one("# written by hand\nPackage: a\n#Version: 9\nVersion: 1\n");
        assert_eq!(p.get("Version").unwrap().value, "1");
        assert_eq!(p.line, 2);
        assert_eq!(p.lines, ["Package: a", "Version: 1"]);
    }

    #[test]
    fn crlf_and_surrounding_whitespace_are_ignored() {
        let p = one("Package: a \r\nVersion: 1\t\r\n");
        assert_eq!(
            (
                p.get("Package").unwrap().value,
                p.get("Version").unwrap().value
            ),
            ("a", "1")
        );
    }

    #[test]
    fn a_whitespace_only_line_separates_paragraphs() {
        let p: Vec<_> = paragraphs("Package: a\n \t\nPackage: b\n").collect();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].line, 3);
    }

    #[test]
    fn a_missing_final_newline_keeps_the_last_paragraph() {
        let p: Vec<_> = paragraphs("Package: a\n\nPackage: b").collect();
        assert_eq!(p[1].get("Package").unwrap().value, "b");
    }

    #[test]
    fn lines_that_fit_no_rule_are_problems_in_their_paragraph() {
        let p = one(" early\nPackage: a\ngarbage\nVersion: 1\n");
        assert_eq!(
            p.problems,
            [
                Problem::ContinuationFirst { line: 1 },
                Problem::NotAField {
                    line: 3,
                    text: "garbage"
                }
            ]
        );
        assert_eq!(p.get("Version").unwrap().value, "1");
    }

    #[test]
    fn repeated_fields_are_all_kept_and_get_finds_the_first() {
        let p = one("Package: a\nVersion: 1\nversion: 2\n");
        assert_eq!(p.fields.len(), 3);
        assert_eq!(p.get("VERSION").unwrap().value, "1");
    }

    #[test]
    fn dot_lines_are_empty_lines_of_a_text() {
        let p = one("License: MIT\n Permission.\n .\n Warranty.\n");
        let f = p.get("License").unwrap();
        assert_eq!(f.text().as_deref(), Some("Permission.\n\nWarranty."));
        assert_eq!(
            f.trimmed_lines().collect::<Vec<_>>(),
            ["MIT", "Permission.", "Warranty."]
        );
    }
}
