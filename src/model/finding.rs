//! Findings: what a scan or an audit noticed on the way, how much it matters, and where.

use std::fmt;

use serde::Serialize;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Worth a look by a person.
    Warning,
    /// Something is wrong with the image or the result.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`: the table aligns severities with `{:<7}`.
        f.pad(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Something noticed on the way that does not stop the scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A stable machine-readable kind, e.g. `history-mismatch`.
    pub kind: String,
    /// How much it matters.
    pub severity: Severity,
    /// A sentence for people.
    pub message: String,
    /// The layer it concerns, if any.
    pub layer: Option<usize>,
    /// The path it concerns, if any.
    pub path: Option<String>,
    /// The 1-based line of that path it concerns (a Dockerfile instruction), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Finding {
    /// A finding not yet tied to a layer or path.
    pub fn new(kind: &str, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            kind: kind.to_string(),
            severity,
            message: message.into(),
            layer: None,
            path: None,
            line: None,
        }
    }

    /// The same finding, about `layer`.
    pub fn in_layer(mut self, layer: usize) -> Self {
        self.layer = Some(layer);
        self
    }

    /// The same finding, about `path`.
    pub fn at_path(mut self, path: &str) -> Self {
        self.path = Some(path.to_string());
        self
    }

    /// The same finding, about line `line` (1-based) of its path.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
}
