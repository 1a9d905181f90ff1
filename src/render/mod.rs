//! Renderers: one model, several documents.
//!
//! Every renderer reads the same [`Bom`] and writes bytes that depend only on it, so the
//! same image always gives byte-identical documents. A format is one file here with a
//! [`Renderer`], and one line in [`FORMATS`]; the other names users type for a format (the
//! ones syft takes) are lines in [`ALIASES`].

pub mod cyclonedx;
pub mod cyclonedx_xml;
pub mod json;
pub mod notice;
pub mod obligations_csv;
pub mod obligations_json;
pub mod obligations_md;
mod readable;
pub mod report;
pub mod spdx;
pub mod spdx3;
pub mod spdx_tv;
mod streamed;
pub mod table;
pub mod template;

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use crate::model::Bom;

/// One document format.
pub trait Renderer: Sync {
    /// The name `-o` takes (`spdx-json`, `cyclonedx-xml@1.5`, …).
    fn name(&self) -> &'static str;

    /// Writes the document of `bom`.
    fn write(&self, bom: &Bom, options: &Options, out: &mut dyn Write) -> std::io::Result<()>;
}

/// Every format `-o` takes, in the order `--help` lists them.
pub static FORMATS: [&dyn Renderer; 18] = [
    &table::Table,
    &json::Json,
    &spdx::SpdxJson,
    &spdx_tv::SpdxTagValue,
    &spdx3::Spdx3Json,
    &cyclonedx::CycloneDxJson(cyclonedx::Version::V1_7),
    &cyclonedx::CycloneDxJson(cyclonedx::Version::V1_6),
    &cyclonedx::CycloneDxJson(cyclonedx::Version::V1_5),
    &cyclonedx_xml::CycloneDxXml(cyclonedx::Version::V1_7),
    &cyclonedx_xml::CycloneDxXml(cyclonedx::Version::V1_6),
    &cyclonedx_xml::CycloneDxXml(cyclonedx::Version::V1_5),
    &obligations_json::ObligationsJson,
    &obligations_md::ObligationsMd,
    &obligations_csv::ObligationsCsv,
    &notice::Notice,
    &report::ReportMd,
    &report::ReportHtml,
    &template::Template,
];

/// Other names `-o` takes, each with the name of the format it means: the names syft
/// users type (syft's `cyclonedx` is XML, and so is ours), and the default CycloneDX
/// version spelled out.
pub static ALIASES: [(&str, &str); 4] = [
    ("spdx", "spdx-tag-value"),
    ("cyclonedx", "cyclonedx-xml"),
    ("cyclonedx-json@1.7", "cyclonedx-json"),
    ("cyclonedx-xml@1.7", "cyclonedx-xml"),
];

/// What the user asked of the documents beyond the model.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A minijinja template replacing the default NOTICE template (`--template`).
    pub notice_template: Option<String>,
    /// The user's minijinja template that `-o template` renders (`--output-template`).
    pub output_template: Option<String>,
}

/// No format has the name asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown format {name:?} (available: {}; also {})",
    format_names().join(", "),
    ALIASES.map(|(alias, name)| format!("{alias} for {name}")).join(", ")
)]
pub struct UnknownFormat {
    /// The name asked for.
    pub name: String,
}

/// The name of every format, in the order of [`FORMATS`].
fn format_names() -> Vec<&'static str> {
    FORMATS.iter().map(|f| f.name()).collect()
}

/// The format named `name`, or that `name` is an alias of.
pub fn format(name: &str) -> Result<&'static dyn Renderer, UnknownFormat> {
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, target)| target);
    FORMATS
        .iter()
        .copied()
        .find(|f| f.name() == name)
        .ok_or_else(|| UnknownFormat {
            name: name.to_string(),
        })
}

/// Splits an SPDX-style `Organization: ` or `Person: ` prefix off a supplier string, as a
/// user may write it in `--supplier`: `(is_person, rest)`.
pub fn strip_party(raw: &str) -> (bool, &str) {
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix("Person:") {
        (true, rest.trim())
    } else {
        (
            false,
            raw.strip_prefix("Organization:").unwrap_or(raw).trim(),
        )
    }
}

/// Splits a maintainer or vendor string (`Name <email>`) into its name and email.
pub fn split_contact(raw: &str) -> (&str, Option<&str>) {
    let raw = strip_party(raw).1;
    match raw.split_once('<') {
        Some((name, rest)) => (
            name.trim(),
            Some(rest.trim_end().trim_end_matches('>').trim()),
        ),
        None => (raw.trim(), None),
    }
}

/// A writer for text meant for people (the table, the Markdown documents): control
/// characters other than line breaks and tabs (an escape sequence in a file name read from
/// an image) are written as Rust escapes (`\u{1b}`), so a document cannot drive the
/// terminal that shows it. It expects whole characters in each write, as `write!` gives.
pub struct Escaping<'a> {
    inner: &'a mut dyn Write,
}

impl<'a> Escaping<'a> {
    /// Escapes what goes to `inner`.
    pub fn new(inner: &'a mut dyn Write) -> Self {
        Escaping { inner }
    }
}

impl Write for Escaping<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // C0 controls but line breaks and tabs, DEL, and the C1 controls (U+0080 to U+009F,
        // `C2 80` to `C2 9F` in UTF-8), which terminals also obey.
        let mut start = 0;
        let mut i = 0;
        while i < buf.len() {
            let b = buf[i];
            let (control, len) = match b {
                b'\n' | b'\t' => (None, 1),
                0x00..=0x1f | 0x7f => (Some(u32::from(b)), 1),
                0xc2 if buf.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)) => {
                    (Some(u32::from(buf[i + 1])), 2)
                }
                _ => (None, 1),
            };
            if let Some(c) = control {
                self.inner.write_all(&buf[start..i])?;
                write!(self.inner, "\\u{{{c:x}}}")?;
                start = i + len;
            }
            i += len;
        }
        self.inner.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// One `-o FORMAT[=FILE]` request.
#[derive(Clone)]
pub struct OutputSpec {
    /// The format.
    pub format: &'static dyn Renderer,
    /// The file to write, or `None` for standard output.
    pub path: Option<String>,
}

impl fmt::Debug for OutputSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutputSpec")
            .field("format", &self.format.name())
            .field("path", &self.path)
            .finish()
    }
}

/// Why `-o FORMAT[=FILE]` asks for no output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutputSpecError {
    /// `FORMAT=` with nothing after the `=`.
    #[error("no file after '=' in {format:?}")]
    NoFile {
        /// The format part, as written.
        format: String,
    },
    /// The format part names no format.
    #[error(transparent)]
    UnknownFormat(#[from] UnknownFormat),
}

impl FromStr for OutputSpec {
    type Err = OutputSpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, path) = match s.split_once('=') {
            Some((f, "")) => {
                return Err(OutputSpecError::NoFile {
                    format: f.to_string(),
                })
            }
            Some((f, "-")) => (f, None),
            Some((f, p)) => (f, Some(p.to_string())),
            None => (s, None),
        };
        Ok(OutputSpec {
            format: format(name)?,
            path,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping_keeps_text_and_line_breaks_and_escapes_controls() {
        use std::io::Write;
        let mut out = Vec::new();
        let mut w = super::Escaping::new(&mut out);
        write!(w, "a\tb\nc\u{1b}[2Jd\u{9b}31m é\u{7f}").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a\tb\nc\\u{1b}[2Jd\\u{9b}31m é\\u{7f}"
        );
    }

    use super::*;

    #[test]
    fn output_specs_parse() {
        let o = "json=out.json".parse::<OutputSpec>().unwrap();
        assert_eq!(
            (o.format.name(), o.path.as_deref()),
            ("json", Some("out.json"))
        );
        assert_eq!("table".parse::<OutputSpec>().unwrap().path, None);
        assert_eq!("json=-".parse::<OutputSpec>().unwrap().path, None);
        assert!("yaml"
            .parse::<OutputSpec>()
            .unwrap_err()
            .to_string()
            .starts_with("unknown format \"yaml\" (available: table, json, spdx-json,"));
        assert!("yaml"
            .parse::<OutputSpec>()
            .unwrap_err()
            .to_string()
            .ends_with("; also spdx for spdx-tag-value, cyclonedx for cyclonedx-xml, cyclonedx-json@1.7 for cyclonedx-json, cyclonedx-xml@1.7 for cyclonedx-xml)"));
        assert_eq!(
            "json=".parse::<OutputSpec>().unwrap_err().to_string(),
            "no file after '=' in \"json\""
        );
    }

    #[test]
    fn every_alias_names_a_format_and_no_format() {
        for (alias, name) in ALIASES {
            assert_eq!(format(alias).unwrap().name(), name);
            assert!(FORMATS.iter().all(|f| f.name() != alias), "{alias}");
        }
    }

    #[test]
    fn syft_names_mean_what_they_mean_in_syft() {
        assert_eq!(format("spdx").unwrap().name(), "spdx-tag-value");
        assert_eq!(format("spdx-json").unwrap().name(), "spdx-json");
        assert_eq!(format("cyclonedx").unwrap().name(), "cyclonedx-xml");
        assert_eq!(format("cyclonedx-json").unwrap().name(), "cyclonedx-json");
    }

    #[test]
    fn contacts_split_into_name_and_email() {
        assert_eq!(
            split_contact(" Debian <d@l.org> "),
            ("Debian", Some("d@l.org"))
        );
        assert_eq!(split_contact("Fedora Project"), ("Fedora Project", None));
    }
}
