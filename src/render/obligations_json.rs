//! The obligations as JSON (`layerbom-obligations/v1`), for pipelines and approval tools.

use std::io::Write;

use serde::Serialize;

use super::{Options, Renderer};
use crate::model::obligations::Obligations;
use crate::model::Bom;

#[derive(Serialize)]
struct Document<'a> {
    /// The document's timestamp (from `SOURCE_DATE_EPOCH` or the image).
    created: &'a str,
    /// The tool that wrote it.
    tool: String,
    #[serde(flatten)]
    obligations: &'a Obligations,
}

/// `-o obligations-json`.
#[derive(Debug, Clone, Copy)]
pub struct ObligationsJson;

impl Renderer for ObligationsJson {
    fn name(&self) -> &'static str {
        "obligations-json"
    }

    fn write(&self, bom: &Bom, _: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        write(bom, out)
    }
}

/// Writes the obligations of the delivery mode `bom` was evaluated for, as pretty JSON.
pub fn write(bom: &Bom, out: &mut dyn Write) -> std::io::Result<()> {
    let doc = Document {
        created: &bom.created,
        tool: format!("layerbom {}", bom.tool_version),
        obligations: &bom.obligations,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}
