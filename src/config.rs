//! The configuration file, `layerbom.toml`: options of `scan` and `convert` written once
//! for a project or a pipeline, under their long names.
//!
//! ```toml
//! delivery = "layers"
//! fail-on = ["strong-copyleft", "network-copyleft"]
//! output = ["spdx-json=sbom.spdx.json", "report-html=report.html"]
//! supplier = "Organization: Acme <oss@acme.example>"
//! quiet = true
//! ```
//!
//! A value is a string, a whole number, a boolean (for a flag), or an array of strings or
//! numbers (for an option that may be repeated). The command line decides what each name
//! means and whether it may be given here; this module only reads the file.
//!
//! One table is allowed: `[review]`, the reviewers' decisions
//! ([`Review`](crate::model::review::Review)), as arrays of tables:
//!
//! ```toml
//! [[review.license]]
//! purl = "pkg:deb/debian/libfoo@1.2-3"
//! license = "MIT"
//! reason = "upstream's COPYING is MIT; debian/copyright is not machine-readable"
//! reviewer = "Jane Doe <jane@acme.example>"
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::review::Review;

/// The name of the file read from the working directory when `--config` is not given.
pub const FILE: &str = "layerbom.toml";

/// The most bytes a configuration file may have.
const MAX_BYTES: u64 = 1 << 20;

/// One setting of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// A flag, on or off.
    Flag(bool),
    /// The values of an option, one or more.
    Values(Vec<String>),
}

/// A configuration file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// Its settings, in the file's order of names (sorted).
    pub settings: Vec<(String, Setting)>,
    /// The reviewers' decisions, its `[review]` table (empty without one).
    pub review: Review,
}

/// The one table the file may hold: the reviewers' decisions.
pub const REVIEW: &str = "review";

/// Why a configuration file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("{path}: cannot read it: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not TOML, or a value is of a kind no option takes.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, and where.
        message: String,
    },
}

impl Config {
    /// Reads the configuration file at `path`.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        use std::io::Read;
        let name = path.display().to_string();
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_BYTES + 1).read_to_string(&mut text))
            .map_err(|source| ConfigError::Read {
                path: name.clone(),
                source,
            })?;
        if text.len() as u64 > MAX_BYTES {
            return Err(ConfigError::Invalid {
                path: name,
                message: format!("larger than {MAX_BYTES} bytes"),
            });
        }
        Config::parse(&text, path)
    }

    /// Reads the text of a configuration file, named `path` in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.display().to_string(),
            message,
        };
        let mut table: toml::Table = toml::from_str(text).map_err(|e| invalid(one_line(&e)))?;
        let review = match table.remove(REVIEW) {
            Some(value) => Review::deserialize(value)
                .map_err(|e| invalid(format!("[{REVIEW}]: {}", e.message().trim())))?,
            None => Review::default(),
        };
        let mut settings = Vec::with_capacity(table.len());
        for (name, value) in table {
            let setting = setting(&value).ok_or_else(|| {
                invalid(format!(
                    "{name}: a setting is a string, a whole number, true or false, or an \
                     array of strings or numbers, not {}",
                    value.type_str()
                ))
            })?;
            settings.push((name, setting));
        }
        Ok(Config {
            path: path.to_path_buf(),
            settings,
            review,
        })
    }
}

/// The setting a TOML value makes, if it makes one.
fn setting(value: &toml::Value) -> Option<Setting> {
    let scalar = |v: &toml::Value| match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        _ => None,
    };
    match value {
        toml::Value::Boolean(b) => Some(Setting::Flag(*b)),
        toml::Value::Array(items) => items
            .iter()
            .map(scalar)
            .collect::<Option<Vec<_>>>()
            .map(Setting::Values),
        other => scalar(other).map(|s| Setting::Values(vec![s])),
    }
}

/// A TOML error on one line: its message and where.
fn one_line(e: &toml::de::Error) -> String {
    let message = e.message().trim().to_string();
    match e.span() {
        Some(span) => format!("{message} (at byte {})", span.start),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<(String, Setting)>, String> {
        Config::parse(text, Path::new("layerbom.toml"))
            .map(|c| c.settings)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn settings_are_flags_or_values() {
        let s = parse(
            "delivery = \"layers\"\nquiet = true\nmax-layers = 200\n\
             fail-on = [\"strong-copyleft\", \"non-free\"]\n",
        )
        .unwrap();
        assert_eq!(
            s,
            vec![
                ("delivery".into(), Setting::Values(vec!["layers".into()])),
                (
                    "fail-on".into(),
                    Setting::Values(vec!["strong-copyleft".into(), "non-free".into()])
                ),
                ("max-layers".into(), Setting::Values(vec!["200".into()])),
                ("quiet".into(), Setting::Flag(true)),
            ]
        );
    }

    #[test]
    fn the_review_table_is_read_apart_from_the_settings() {
        let c = Config::parse(
            "quiet = true\n\
             [[review.acknowledge]]\nkind = \"deleted-secret\"\npath = \"root/.netrc\"\n\
             reason = \"a dummy fixture\"\nreviewer = \"J. Doe\"\n\
             [[review.accept]]\nlicense = \"GPL-2.0\"\nreason = \"ok\"\nreviewer = \"J. Doe\"\n",
            Path::new("layerbom.toml"),
        )
        .unwrap();
        assert_eq!(c.settings, vec![("quiet".into(), Setting::Flag(true))]);
        assert_eq!(
            c.review.acknowledged[0].path.as_deref(),
            Some("root/.netrc")
        );
        assert_eq!(c.review.accepted[0].license, "GPL-2.0");
        assert!(c.review.licenses.is_empty());
    }

    #[test]
    fn values_no_option_takes_are_refused_with_the_name() {
        let e = parse("ratio = 1.5").unwrap_err();
        assert_eq!(
            e,
            "layerbom.toml: ratio: a setting is a string, a whole number, true or false, or an \
             array of strings or numbers, not float"
        );
        assert!(parse("[scan]\nquiet = true").unwrap_err().contains("scan:"));
        let e = parse("[[review.license]]\nname = \"a\"\nlicense = \"MIT\"\n").unwrap_err();
        assert!(e.contains("[review]: missing field `reason`"), "{e}");
        let e = parse("[[review.waive]]\nkind = \"x\"\n").unwrap_err();
        assert!(e.contains("[review]: unknown field `waive`"), "{e}");
        assert!(parse("output = [[\"a\"]]").unwrap_err().contains("output:"));
        let e = parse("delivery = ").unwrap_err();
        assert!(
            e.starts_with("layerbom.toml: ") && e.contains("at byte"),
            "{e}"
        );
    }
}
