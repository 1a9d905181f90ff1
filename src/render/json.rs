//! The native JSON document, pretty-printed with a final newline.

use std::io::Write;

use crate::model::Report;

/// Writes the native JSON document.
pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
