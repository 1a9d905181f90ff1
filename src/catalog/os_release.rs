//! Reads `os-release`: which distribution and release an image is built on.
//!
//! The distribution decides how package names, versions and licenses are to be read (a
//! `bash` from Debian 12 is not a `bash` from Alpine 3.18), so every report names it. The file
//! is `etc/os-release`, or `usr/lib/os-release` when the former is absent (os-release(5)).
//!
//! The format is a restricted shell: `KEY=value` lines, `#` comments, values quoted with
//! `"…"` (where `\` escapes `"`, `\`, `$` and `` ` ``) or `'…'` (literal), or unquoted with `\`
//! escaping any character. [`parse`] reads it into [`OsRelease`]; a line it cannot read becomes
//! a [`Warning`] and is skipped. When `ID` is absent, os-release(5) says it is `linux`; this
//! is left to the caller, so that "not stated" stays visible.

use std::collections::BTreeMap;

use serde::Serialize;

pub use super::LineWarning as Warning;

/// Where os-release is, in the order os-release(5) says to look.
pub const PATHS: [&str; 2] = ["etc/os-release", "usr/lib/os-release"];

/// The largest os-release read (real ones are a few hundred bytes).
pub const MAX_SIZE: u64 = 64 << 10;

/// The identifying fields of an os-release file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OsRelease {
    /// `ID`: lower-case distribution id (`debian`, `alpine`, `rhel`, `opensuse-leap`).
    pub id: Option<String>,
    /// `ID_LIKE`: ids of related distributions, closest first (`rhel centos fedora`).
    pub id_like: Vec<String>,
    /// `VERSION_ID`: release (`12`, `3.18.4`, `9.3`).
    pub version_id: Option<String>,
    /// `VERSION_CODENAME`: release code name (`bookworm`).
    pub version_codename: Option<String>,
    /// `NAME`: distribution name for people (`Debian GNU/Linux`).
    pub name: Option<String>,
    /// `PRETTY_NAME`: name and release for people (`Debian GNU/Linux 12 (bookworm)`).
    pub pretty_name: Option<String>,
    /// Every assignment in the file, last one winning, including the fields above.
    pub fields: BTreeMap<String, String>,
}

/// Parses an os-release file.
///
/// ```
/// use layerbom::catalog::os_release::parse;
/// let (os, warnings) = parse(b"ID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME=\"Alpine Linux v3.18\"\n");
/// assert!(warnings.is_empty());
/// assert_eq!(os.id.as_deref(), Some("alpine"));
/// assert_eq!(os.pretty_name.as_deref(), Some("Alpine Linux v3.18"));
/// ```
pub fn parse(bytes: &[u8]) -> (OsRelease, Vec<Warning>) {
    let text = String::from_utf8_lossy(bytes);
    let mut warnings = Vec::new();
    let mut fields = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            warnings.push(Warning {
                line: line_no,
                message: format!(
                    "not a KEY=value assignment: {:?}; skipped",
                    line.chars().take(60).collect::<String>()
                ),
            });
            continue;
        };
        let valid_key = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_key {
            warnings.push(Warning {
                line: line_no,
                message: format!(
                    "{:?} is not a variable name; skipped",
                    key.chars().take(60).collect::<String>()
                ),
            });
            continue;
        }
        match unquote(raw) {
            Ok(value) => {
                fields.insert(key.to_string(), value);
            }
            Err(why) => warnings.push(Warning {
                line: line_no,
                message: format!("value of {key}: {why}; skipped"),
            }),
        }
    }
    let get = |k: &str| fields.get(k).filter(|v| !v.is_empty()).cloned();
    let os = OsRelease {
        id: get("ID"),
        id_like: fields
            .get("ID_LIKE")
            .map(|v| v.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
        version_id: get("VERSION_ID"),
        version_codename: get("VERSION_CODENAME"),
        name: get("NAME"),
        pretty_name: get("PRETTY_NAME"),
        fields,
    };
    (os, warnings)
}

/// Reads one shell word: unquoted, `"…"` and `'…'` parts may follow one another. Text after
/// the word is allowed only if it is a `#` comment.
fn unquote(raw: &str) -> Result<String, &'static str> {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => loop {
                match chars.next() {
                    Some('\'') => break,
                    Some(c) => out.push(c),
                    None => return Err("unterminated single quote"),
                }
            },
            '"' => loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(c @ ('"' | '\\' | '$' | '`')) => out.push(c),
                        Some(c) => {
                            out.push('\\');
                            out.push(c);
                        }
                        None => return Err("unterminated double quote"),
                    },
                    Some(c) => out.push(c),
                    None => return Err("unterminated double quote"),
                }
            },
            '\\' => match chars.next() {
                Some(c) => out.push(c),
                None => return Err("backslash at end of line"),
            },
            c if c.is_whitespace() => {
                let rest = chars.as_str().trim_start();
                if rest.is_empty() || rest.starts_with('#') {
                    break;
                }
                return Err("unquoted space inside the value");
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_os_release_is_read() {
        let text = b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
            VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n\
            HOME_URL=\"https://www.debian.org/\"\n";
        let (os, warnings) = parse(text);
        assert!(warnings.is_empty());
        assert_eq!(os.id.as_deref(), Some("debian"));
        assert_eq!(os.version_id.as_deref(), Some("12"));
        assert_eq!(os.version_codename.as_deref(), Some("bookworm"));
        assert_eq!(os.name.as_deref(), Some("Debian GNU/Linux"));
        assert_eq!(
            os.pretty_name.as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(os.fields["HOME_URL"], "https://www.debian.org/");
    }

    #[test]
    fn id_like_is_a_space_separated_list() {
        let (os, _) = parse(b"ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n");
        assert_eq!(os.id_like, ["rhel", "centos", "fedora"]);
    }

    #[test]
    fn single_quotes_are_literal() {
        let (os, _) = parse(br#"NAME='A \"b\" $c'"#);
        assert_eq!(os.name.as_deref(), Some(r#"A \"b\" $c"#));
    }

    #[test]
    fn double_quotes_unescape_only_shell_specials() {
        let (os, _) = parse(br#"NAME="say \"hi\" \$HOME \\ \n""#);
        assert_eq!(os.name.as_deref(), Some(r#"say "hi" $HOME \ \n"#));
    }

    #[test]
    fn unquoted_values_take_backslash_escapes() {
        let (os, _) = parse(br"NAME=Foo\ Linux");
        assert_eq!(os.name.as_deref(), Some("Foo Linux"));
    }

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        let (os, warnings) = parse(b"# header\n\n  # indented\nID=alpine # trailing\n");
        assert!(warnings.is_empty());
        assert_eq!(os.id.as_deref(), Some("alpine"));
    }

    #[test]
    fn broken_lines_are_reported_and_skipped() {
        let (os, warnings) =
            parse(b"ID=debian\nNAME=\"unterminated\nnot an assignment\n1X=y\nA=b c\r\n");
        assert_eq!(os.id.as_deref(), Some("debian"));
        let lines: Vec<usize> = warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
    }

    #[test]
    fn the_last_assignment_wins_and_crlf_is_tolerated() {
        let (os, _) = parse(b"ID=a\r\nID=b\r\n");
        assert_eq!(os.id.as_deref(), Some("b"));
    }

    #[test]
    fn damaged_input_never_panics() {
        let base: &[u8] =
            b"NAME=\"Fedora Linux\"\nVERSION_ID=39\nID=fedora\nPRETTY_NAME='x'\nA=b\\ c\n";
        crate::catalog::testutil::damage_loop(base, 2000, |b| {
            let _ = parse(b);
        });
    }
}
