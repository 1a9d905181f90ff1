//! Renderers: one report, several documents.
//!
//! Every renderer reads the same [`Report`](crate::model::Report) and writes bytes that
//! depend only on it, so the same image always gives byte-identical documents.

pub mod json;
pub mod table;

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use crate::model::Report;

/// A document format that `-o` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A human summary for the terminal.
    Table,
    /// The native JSON document (`layerbom/v1`).
    Json,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 2] = [Format::Table, Format::Json];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
        }
    }

    /// Writes `report` in this format.
    pub fn render(self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        match self {
            Format::Table => table::write(report, out),
            Format::Json => json::write(report, out),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown format {s:?} (available: {})", names.join(", "))
            })
    }
}

/// One `-o FORMAT[=FILE]` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    /// The format.
    pub format: Format,
    /// The file to write, or `None` for standard output.
    pub path: Option<String>,
}

impl FromStr for OutputSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (format, path) = match s.split_once('=') {
            Some((f, "")) => return Err(format!("no file after '=' in {f:?}")),
            Some((f, "-")) => (f, None),
            Some((f, p)) => (f, Some(p.to_string())),
            None => (s, None),
        };
        Ok(OutputSpec {
            format: format.parse()?,
            path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_specs_parse() {
        assert_eq!(
            "json=out.json".parse::<OutputSpec>().unwrap(),
            OutputSpec {
                format: Format::Json,
                path: Some("out.json".into())
            }
        );
        assert_eq!("table".parse::<OutputSpec>().unwrap().path, None);
        assert_eq!("json=-".parse::<OutputSpec>().unwrap().path, None);
        assert!("yaml"
            .parse::<OutputSpec>()
            .unwrap_err()
            .contains("available: table, json"));
        assert!("json=".parse::<OutputSpec>().is_err());
    }
}
