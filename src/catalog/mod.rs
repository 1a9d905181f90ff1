//! Package databases: readers that turn captured database files into package records, and
//! [`view::Catalog`], which reads them for the filesystem as of any layer.

pub mod apk;
pub mod dpkg;
pub mod lang;
pub mod os_release;
pub mod purl;
pub mod rpm;
#[cfg(test)]
pub(crate) mod testutil;
pub mod view;

use std::fmt;

/// Something in a line-oriented database file (apk `installed`, os-release) that was
/// skipped or guessed at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineWarning {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong and what was done about it.
    pub message: String,
}

impl fmt::Display for LineWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}
