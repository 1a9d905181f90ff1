//! Source archives: where an archive that keeps every version serves one exact source
//! package, as a URL template per distribution (`--source-archive ID=URL`).
//!
//! layerbom names no archive of its own: which archive a legal team points its offer at
//! (the distribution's own history archive, or a mirror the organization keeps for the
//! three years an offer runs) is the organization's choice, so the address comes from the
//! command line or `layerbom.toml`. A template is keyed by the os-release `ID` of the image
//! and written in the `offer` of each of its distribution's packages (deb, rpm, apk):
//!
//! | placeholder | deb | rpm | apk |
//! |---|---|---|---|
//! | `{name}` | the source package | the source RPM's name | the origin (`o:`) |
//! | `{version}` | the source version | the source RPM's version | the package version |
//! | `{release}` | | the source RPM's release | |
//! | `{file}` | | the source RPM file | |
//! | `{commit}` | | | the recipes' commit (`c:`) |
//!
//! Each value is percent-encoded as one path segment. A package that lacks a value its
//! distribution's template uses gets no URL (its note still says how to obtain it).

use std::fmt;

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 5] = ["name", "version", "release", "file", "commit"];

/// One distribution's archive: `ID=URL-TEMPLATE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceArchive {
    /// The os-release `ID` of the images it serves (`debian`, `fedora`, `alpine`, …).
    pub distribution: String,
    /// The URL, with placeholders in braces.
    pub template: String,
    /// The template read: its text and placeholders in order.
    pieces: Vec<Piece>,
}

/// One piece of a template: literal text or a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Value(&'static str),
}

/// The pieces of `template`, or why it is not one.
fn pieces(template: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return Err(format!("a '}}' without its '{{' in {template}"));
        }
        out.push(Piece::Text(rest[..open].to_string()));
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("a '{{' without its '}}' in {template}"))?;
        let name = &after[..close];
        let Some(known) = PLACEHOLDERS.iter().find(|p| **p == name) else {
            return Err(format!(
                "unknown placeholder {{{name}}} in {template} (there are {})",
                PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
            ));
        };
        out.push(Piece::Value(known));
        rest = &after[close + 1..];
    }
    out.push(Piece::Text(rest.to_string()));
    Ok(out)
}

impl SourceArchive {
    /// Reads `ID=URL-TEMPLATE`: an os-release `ID`, and an `http://` or `https://` URL
    /// whose placeholders are all known.
    pub fn parse(s: &str) -> Result<SourceArchive, String> {
        let (id, template) = s.split_once('=').ok_or_else(|| {
            format!("{s}: expected ID=URL, as debian=https://…/{{name}}/{{version}}/")
        })?;
        let id = id.trim();
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        {
            return Err(format!(
                "{s}: the distribution is an os-release ID (lowercase letters, digits, '.', '_', '-')"
            ));
        }
        let template = template.trim();
        let host = template
            .strip_prefix("https://")
            .or_else(|| template.strip_prefix("http://"))
            .ok_or_else(|| format!("{s}: the URL starts with https:// or http://"))?;
        if host.is_empty() || host.starts_with(['/', '{']) {
            return Err(format!("{s}: the URL names no host"));
        }
        if template
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(format!("{s}: the URL holds a space or a control character"));
        }
        let pieces = pieces(template).map_err(|e| format!("{s}: {e}"))?;
        Ok(SourceArchive {
            distribution: id.to_string(),
            template: template.to_string(),
            pieces,
        })
    }

    /// The URL for one source package: each placeholder replaced by `value`'s answer,
    /// percent-encoded; `None` when a placeholder has no value.
    pub fn url(&self, value: impl Fn(&str) -> Option<String>) -> Option<String> {
        let mut url = String::with_capacity(self.template.len() + 32);
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => url.push_str(t),
                Piece::Value(name) => {
                    let v = value(name).filter(|v| !v.is_empty())?;
                    url.push_str(&encode_path_segment(&v));
                }
            }
        }
        Some(url)
    }
}

impl fmt::Display for SourceArchive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.distribution, self.template)
    }
}

/// Refuses two archives for one distribution.
pub fn check_unique(archives: &[SourceArchive]) -> Result<(), String> {
    for (i, a) in archives.iter().enumerate() {
        if let Some(b) = archives[..i]
            .iter()
            .find(|b| b.distribution == a.distribution)
        {
            return Err(format!(
                "--source-archive: two archives for {}: {b} and {a}",
                a.distribution
            ));
        }
    }
    Ok(())
}

/// Percent-encodes a name or version for a URL path: everything but unreserved characters.
pub fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn templates_expand_with_encoded_values() {
        let a = SourceArchive::parse("debian=https://archive.example/package/{name}/{version}/")
            .unwrap();
        assert_eq!(a.distribution, "debian");
        assert_eq!(
            a.url(values(&[("name", "glibc"), ("version", "2.36-9+deb12u4")])),
            Some("https://archive.example/package/glibc/2.36-9%2Bdeb12u4/".to_string())
        );
        assert_eq!(
            a.url(values(&[("name", "zlib"), ("version", "1:1.2.13.dfsg-1")])),
            Some("https://archive.example/package/zlib/1%3A1.2.13.dfsg-1/".to_string())
        );
        // A value that would leave its segment is encoded, never a path of its own.
        assert_eq!(
            a.url(values(&[("name", "../x;rm"), ("version", "1")])),
            Some("https://archive.example/package/..%2Fx%3Brm/1/".to_string())
        );
        // A value the package lacks: no URL.
        assert_eq!(a.url(values(&[("name", "x")])), None);
        assert_eq!(a.url(values(&[("name", "x"), ("version", "")])), None);
        assert_eq!(
            a.to_string(),
            "debian=https://archive.example/package/{name}/{version}/"
        );
    }

    #[test]
    fn malformed_templates_are_refused() {
        for bad in [
            "https://archive.example/{name}",
            "=https://archive.example/{name}",
            "Debian=https://archive.example/{name}",
            "debian=ftp://archive.example/{name}",
            "debian=https:///{name}",
            "debian=https://{name}.example/",
            "debian=https://archive.example/{nmae}",
            "debian=https://archive.example/{name",
            "debian=https://archive.example/name}",
            "debian=https://archive.example/a b/{name}",
        ] {
            assert!(SourceArchive::parse(bad).is_err(), "{bad}");
        }
        let e = SourceArchive::parse("debian=https://archive.example/{nmae}").unwrap_err();
        assert!(e.contains("{nmae}") && e.contains("{commit}"), "{e}");
        assert!(SourceArchive::parse(" fedora = http://127.0.0.1:8080/{name}/{file} ").is_ok());
    }
}
