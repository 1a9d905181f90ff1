//! The source-distribution list as CSV (RFC 4180), one row per binary package that owes
//! a source offer, for spreadsheets.

use std::io::Write;

use super::{Options, Renderer};
use crate::model::csv::field;
use crate::model::Bom;

/// The header row. `bundle` is what the source bundle given with `--sources` holds of the
/// source package (`verified`, `present`, `incomplete`, `missing`), empty without one.
pub const COLUMNS: [&str; 16] = [
    "source_type",
    "source_name",
    "source_version",
    "source_commit",
    "obtain_command",
    "obtain_url",
    "obtain_file",
    "source_duties",
    "package",
    "package_version",
    "arch",
    "layer",
    "origin",
    "license",
    "delivery",
    "bundle",
];

/// `-o obligations-csv`: the source-distribution list.
#[derive(Debug, Clone, Copy)]
pub struct ObligationsCsv;

impl Renderer for ObligationsCsv {
    fn name(&self) -> &'static str {
        "obligations-csv"
    }

    fn write(&self, bom: &Bom, _: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        write(bom, out)
    }
}

/// Writes the source-distribution list of the delivery mode `bom` was evaluated for.
pub fn write(bom: &Bom, out: &mut dyn Write) -> std::io::Result<()> {
    let ob = &bom.obligations;
    writeln!(out, "{}\r", COLUMNS.join(","))?;
    for s in &ob.sources {
        for p in &s.packages {
            let row = [
                s.kind.as_str(),
                &s.name,
                s.version.as_deref().unwrap_or(""),
                s.commit.as_deref().unwrap_or(""),
                s.obtain.command.as_deref().unwrap_or(""),
                s.obtain.url.as_deref().unwrap_or(""),
                s.obtain.file.as_deref().unwrap_or(""),
                &p.duties.join(" "),
                &p.name,
                &p.version,
                p.arch.as_deref().unwrap_or(""),
                &p.layer.to_string(),
                p.origin.as_str(),
                &p.license,
                ob.delivery.mode.as_str(),
                s.bundle.as_ref().map_or("", |b| b.held.as_str()),
            ];
            let cells: Vec<String> = row.iter().map(|c| field(c)).collect();
            writeln!(out, "{}\r", cells.join(","))?;
        }
    }
    Ok(())
}
