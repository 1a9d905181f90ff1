//! Errors that stop a scan.
//!
//! An image is hostile input, so every error says *where* it happened: the image file, the
//! member or blob inside it, and the layer when there is one. The binary prints the error on
//! one line and exits with code 2; the library never panics on input.

use std::fmt;

/// Where in the image an error happened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// The image as the user named it (a file or directory path).
    pub image: String,
    /// The member or blob inside the image (`manifest.json`, `blobs/sha256/…`), if any.
    pub file: Option<String>,
    /// The layer index, counted from 0 at the bottom, if the error is inside a layer.
    pub layer: Option<usize>,
    /// The tar entry inside the layer, if any.
    pub entry: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.image)?;
        if let Some(layer) = self.layer {
            write!(f, ": layer {layer}")?;
        }
        if let Some(file) = &self.file {
            write!(f, ": {file}")?;
        }
        if let Some(entry) = &self.entry {
            write!(f, ": entry {entry:?}")?;
        }
        Ok(())
    }
}

/// Why a scan could not go on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The image (or a part of it) is unusable: damaged, truncated, inconsistent or malicious.
    #[error("{at}: {message}")]
    Input {
        /// Where it happened.
        at: Box<Location>,
        /// What was wrong, in a sentence fragment.
        message: String,
    },
    /// The command line asked for something that cannot be done.
    #[error("{0}")]
    Usage(String),
    /// The `--dockerfile` of a scan cannot be read, or is not a Dockerfile.
    #[error("--dockerfile {path}: {source}")]
    DockerfileOption {
        /// The file as the user named it.
        path: String,
        /// What was wrong: the I/O error, or a [`crate::dockerfile::ParseError`] (boxed:
        /// this module does not import the modules beside it).
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The Dockerfile to audit cannot be read, or is not a Dockerfile.
    #[error("{path}: {source}")]
    Dockerfile {
        /// The file as the user named it.
        path: String,
        /// What was wrong: the I/O error, or a [`crate::dockerfile::ParseError`] (boxed:
        /// this module does not import the modules beside it).
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Writing an output document failed.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The output path (or `-` for stdout).
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl Error {
    /// An input error at a location.
    pub fn input(at: Location, message: impl Into<String>) -> Self {
        Error::Input {
            at: Box::new(at),
            message: message.into(),
        }
    }

    /// The process exit code this error maps to: 2 for unusable input or usage.
    pub fn exit_code(&self) -> i32 {
        2
    }
}

/// Result with the crate's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `text` on one line and safe for a terminal: control characters (line breaks, escape
/// sequences) are shown as Rust escapes (`\n`, `\u{1b}`), so names read from an image can
/// neither add lines to a message nor drive the terminal.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_line_escapes_what_would_forge_a_line_or_drive_a_terminal() {
        let forged = "layer.tar\nlayerbom: everything is fine\u{1b}[2J";
        assert_eq!(
            super::one_line(forged),
            "layer.tar\\nlayerbom: everything is fine\\u{1b}[2J"
        );
        assert_eq!(super::one_line("café/ü.tar"), "café/ü.tar");
    }
}
