//! The names a batch gives each image's documents under its output directory.
//!
//! A name template is a relative path with placeholders, `{repo}/{tag}-{digest12}.{ext}` by
//! default:
//!
//! | placeholder  | value |
//! |--------------|-------|
//! | `{registry}` | the registry's host and port (`127.0.0.1_5000`); `local` for a file or directory |
//! | `{repo}`     | the repository (`library/debian`: one directory a path segment); for a file, its first repo tag's name, else the file's name without extensions |
//! | `{tag}`      | the tag asked for, else the archive's repo tag's; `untagged` when there is none |
//! | `{digest}`   | the hex digits of the manifest's digest, else the config's, else of the SHA-256 of the list entry |
//! | `{digest12}` | the first 12 of them |
//! | `{ext}`      | the format's file extension (`spdx.json`, `cdx.xml`, `report.html`, …) |
//!
//! Values come from the image and the list, which are not trusted: every path segment of a
//! value keeps only ASCII letters, digits, `.`, `_`, `-` and `+` (any other character is
//! `_`), a segment of dots alone becomes `_`, and each is cut to 128 bytes. The template's own
//! text may not be absolute or hold `.` or `..` segments. So no reference can make a name
//! leave the output directory.

use std::fmt;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::model::Report;

/// The template used for a format given without `=TEMPLATE`.
pub const DEFAULT: &str = "{repo}/{tag}-{digest12}.{ext}";

/// The longest a segment made from a value may be, in bytes.
const MAX_SEGMENT: usize = 128;

/// A parsed name template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameTemplate {
    text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Registry,
    Repo,
    Tag,
    Digest,
    Digest12,
    Ext,
}

/// Why a name template is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the name template {template:?}: {reason}")]
pub struct TemplateError {
    template: String,
    reason: String,
}

impl std::str::FromStr for NameTemplate {
    type Err = TemplateError;

    fn from_str(s: &str) -> Result<Self, TemplateError> {
        let refuse = |reason: &str| TemplateError {
            template: s.to_string(),
            reason: reason.to_string(),
        };
        if s.starts_with('/') {
            return Err(refuse("a name is relative to the output directory"));
        }
        if s.chars().any(char::is_control) {
            return Err(refuse("it holds control characters"));
        }
        let mut parts = Vec::new();
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| refuse("a '{' is not closed"))?;
            parts.push(match &after[..close] {
                "registry" => Part::Registry,
                "repo" => Part::Repo,
                "tag" => Part::Tag,
                "digest" => Part::Digest,
                "digest12" => Part::Digest12,
                "ext" => Part::Ext,
                other => {
                    return Err(refuse(&format!(
                        "{{{other}}} is not a placeholder (registry, repo, tag, digest, \
                         digest12, ext)"
                    )))
                }
            });
            rest = &after[close + 1..];
        }
        if rest.contains('}') {
            return Err(refuse("a '}' is not opened"));
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        // The literal text's own segments: placeholders stand for a non-empty segment part.
        let skeleton: String = parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.as_str(),
                _ => "x",
            })
            .collect();
        if skeleton
            .split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == "..")
        {
            return Err(refuse(
                "its path segments may not be empty, '.' or '..' (and it may not end in '/')",
            ));
        }
        Ok(NameTemplate {
            text: s.to_string(),
            parts,
        })
    }
}

impl fmt::Display for NameTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What names an image: the values of the placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// `{registry}`, one safe segment.
    pub registry: String,
    /// `{repo}`, safe segments joined with `/`.
    pub repo: String,
    /// `{tag}`, one safe segment.
    pub tag: String,
    /// `{digest}`, hex digits.
    pub digest: String,
}

impl Identity {
    /// The identity of the image scanned from the list entry `entry` as `report`.
    pub fn of(report: &Report, entry: &str) -> Identity {
        let image = &report.image;
        let (registry, repo, tag) = match &image.registry {
            Some(r) => {
                let (host, repo) = r
                    .repository_url
                    .split_once('/')
                    .unwrap_or(("", r.repository_url.as_str()));
                (host.to_string(), repo.to_string(), r.tag.clone())
            }
            None => {
                // An OCI layout's ref name is a tag alone.
                let (repo, tag) = match image.repo_tags.first().map(|t| split_tag(t)) {
                    Some((tag, None)) if !tag.contains('/') => (file_stem(entry), Some(tag)),
                    Some(named) => named,
                    None => (file_stem(entry), None),
                };
                ("local".to_string(), repo, tag)
            }
        };
        let digest = image
            .manifest_digest
            .as_deref()
            .or(image.config_digest.as_deref())
            .map(|d| d.rsplit(':').next().unwrap_or(d))
            .filter(|hex| !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| hex(&Sha256::digest(entry.as_bytes())));
        Identity {
            registry: segment(&registry),
            repo: segments(&repo),
            tag: segment(tag.as_deref().unwrap_or("untagged")),
            digest,
        }
    }
}

impl NameTemplate {
    /// The name of the document of extension `ext` of the image `id`, relative to the
    /// output directory.
    pub fn render(&self, id: &Identity, ext: &str) -> PathBuf {
        let digest12 = &id.digest[..id.digest.len().min(12)];
        let name: String = self
            .parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.as_str(),
                Part::Registry => &id.registry,
                Part::Repo => &id.repo,
                Part::Tag => &id.tag,
                Part::Digest => &id.digest,
                Part::Digest12 => digest12,
                Part::Ext => ext,
            })
            .collect();
        PathBuf::from(name)
    }
}

/// The file extension of a format's documents (by its `-o` name, `@version` ignored).
pub fn extension(format: &str) -> &'static str {
    match format.split('@').next().unwrap_or(format) {
        "json" => "layerbom.json",
        "spdx-json" => "spdx.json",
        "spdx-tag-value" => "spdx",
        "spdx3-json" => "spdx3.json",
        "cyclonedx-json" => "cdx.json",
        "cyclonedx-xml" => "cdx.xml",
        "obligations-json" => "obligations.json",
        "obligations-md" => "obligations.md",
        "obligations-csv" => "obligations.csv",
        "notice" => "NOTICE.txt",
        "report-md" => "report.md",
        "report-html" => "report.html",
        "table" => "table.txt",
        "template" => "txt",
        _ => "out",
    }
}

/// `name:tag` split at the tag's colon (a registry's port is not a tag).
fn split_tag(t: &str) -> (String, Option<String>) {
    let t = t.split('@').next().unwrap_or(t);
    match t.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name.to_string(), Some(tag.to_string())),
        _ => (t.to_string(), None),
    }
}

/// The file's name without its extensions (`images/app.oci.tar` is `app`).
fn file_stem(entry: &str) -> String {
    let entry = entry
        .split_once(':')
        .map_or(entry, |(scheme, rest)| match scheme {
            "docker-archive" | "oci-archive" | "oci-dir" | "dir" | "file" => rest,
            _ => entry,
        });
    let name = entry
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(entry);
    let stem = name.split('.').next().unwrap_or(name);
    if stem.is_empty() {
        name.to_string()
    } else {
        stem.to_string()
    }
}

/// `value` as path segments, each made safe, joined with `/`.
fn segments(value: &str) -> String {
    let parts: Vec<String> = value
        .split('/')
        .filter(|s| !s.is_empty())
        .map(segment)
        .collect();
    if parts.is_empty() {
        "_".to_string()
    } else {
        parts.join("/")
    }
}

/// `value` as one safe path segment: ASCII letters, digits, `.`, `_`, `-`, `+`; never
/// empty, `.` or `..`; at most [`MAX_SEGMENT`] bytes.
fn segment(value: &str) -> String {
    let mut s: String = value
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '_' | '-' | '+' => c,
            _ => '_',
        })
        .take(MAX_SEGMENT)
        .collect();
    if s.is_empty() || s.chars().all(|c| c == '.') {
        s = "_".to_string();
    }
    s
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Component, Path};

    fn id(registry: &str, repo: &str, tag: &str) -> Identity {
        Identity {
            registry: segment(registry),
            repo: segments(repo),
            tag: segment(tag),
            digest: "0123456789abcdef".into(),
        }
    }

    #[test]
    fn the_default_names_repo_tag_and_digest() {
        let t: NameTemplate = DEFAULT.parse().unwrap();
        let name = t.render(&id("127.0.0.1:5000", "fixtures/app", "1"), "spdx.json");
        assert_eq!(name, Path::new("fixtures/app/1-0123456789ab.spdx.json"));
        let t: NameTemplate = "{registry}/{repo}@{digest}.{ext}".parse().unwrap();
        let name = t.render(&id("127.0.0.1:5000", "a", "1"), "cdx.xml");
        assert_eq!(name, Path::new("127.0.0.1_5000/a@0123456789abcdef.cdx.xml"));
    }

    #[test]
    fn values_cannot_leave_the_directory() {
        let t: NameTemplate = DEFAULT.parse().unwrap();
        for (repo, tag) in [
            ("../../etc", ".."),
            ("/abs/../x", "a/b"),
            ("..", "."),
            ("", ""),
            ("a\\..\\b", "x\u{0}y"),
            ("é/ü", "\n"),
        ] {
            let name = t.render(&id("r", repo, tag), "json");
            assert!(
                name.components().all(|c| matches!(c, Component::Normal(_))),
                "{repo:?} {tag:?}: {name:?}"
            );
            assert!(name.to_str().unwrap().bytes().all(|b| b.is_ascii_graphic()));
        }
        let long = "x".repeat(1000);
        let name = t.render(&id("r", &long, &long), "json");
        assert!(name.components().all(|c| c.as_os_str().len() <= 150));
    }

    #[test]
    fn templates_that_could_leave_are_refused() {
        for bad in [
            "/abs/{repo}",
            "../{repo}",
            "{repo}/../x",
            "a//{tag}",
            "{repo}/",
            "./{repo}",
            "{nope}",
            "{repo",
            "repo}",
            "a\nb",
        ] {
            assert!(bad.parse::<NameTemplate>().is_err(), "{bad}");
        }
        assert!("{repo}..{tag}.{ext}".parse::<NameTemplate>().is_ok());
    }

    #[test]
    fn local_images_are_named_by_repo_tag_or_file() {
        assert_eq!(split_tag("app:1"), ("app".into(), Some("1".into())));
        assert_eq!(
            split_tag("127.0.0.1:5000/app"),
            ("127.0.0.1:5000/app".into(), None)
        );
        assert_eq!(file_stem("images/app.oci.tar"), "app");
        assert_eq!(file_stem("oci-dir:images/layout/"), "layout");
        assert_eq!(file_stem(".hidden"), ".hidden");
    }

    #[test]
    fn every_format_has_its_extension() {
        for f in crate::render::FORMATS {
            assert_ne!(extension(f.name()), "out", "{}", f.name());
        }
    }
}
