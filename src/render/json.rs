//! The native JSON document (`layerbom/v1`), pretty-printed with a final newline.

use std::io::Write;

use super::{Options, Renderer};
use crate::model::{Bom, Report};

/// `-o json`.
#[derive(Debug, Clone, Copy)]
pub struct Json;

impl Renderer for Json {
    fn name(&self) -> &'static str {
        "json"
    }

    fn write(&self, bom: &Bom, _: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        write(&bom.report, out)
    }
}

/// Writes the native JSON document.
pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
