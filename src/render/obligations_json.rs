//! The obligations as JSON (`layerbom-obligations/v1`), for pipelines and approval tools.

use std::io::Write;

use serde::Serialize;

use super::RenderContext;
use crate::model::Report;
use crate::obligations::{self, Obligations};

#[derive(Serialize)]
struct Document<'a> {
    /// The document's timestamp (from `SOURCE_DATE_EPOCH` or the image).
    created: &'a str,
    /// The tool that wrote it.
    tool: String,
    #[serde(flatten)]
    obligations: &'a Obligations,
}

/// Writes the obligations of `report` in `ctx.delivery` mode as pretty JSON.
pub fn write(report: &Report, ctx: &RenderContext, out: &mut dyn Write) -> std::io::Result<()> {
    let ob = obligations::evaluate(report, ctx.delivery);
    let doc = Document {
        created: &ctx.timestamp,
        tool: format!("layerbom {}", ctx.tool_version),
        obligations: &ob,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}
