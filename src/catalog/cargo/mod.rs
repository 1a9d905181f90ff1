//! cargo: the crates compiled into Rust executables built with `cargo auditable`.
//!
//! `cargo auditable build` links a `.dep-v0` section listing the crates and versions;
//! [`parse`] finds it in the tail of the executable while the layer streams past (through
//! the [`super::inspect::BinaryInspector`]). It records no licenses.

pub mod parse;

use std::sync::Arc;

use super::inspect::Binary;
use super::view::View;
use super::{binary_inspector, Cataloged, Cataloger};
use crate::model::{Finding, FindingKind};
use crate::scan::capture::CaptureRulesBuilder;

/// The cargo-auditable cataloger.
#[derive(Debug, Clone, Copy)]
pub struct Cargo;

impl Cataloger for Cargo {
    fn kind(&self) -> &'static str {
        "cargo"
    }

    fn want(&self, rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
        rules.inspect(binary_inspector())
    }

    fn catalog(&self, view: &mut View) -> Vec<Arc<Cataloged>> {
        let mut out = Vec::new();
        for (layer, path, found) in view.inspected() {
            let Some(Binary::Cargo(read)) = found.get::<Binary>() else {
                continue;
            };
            match read {
                Ok(crates) => out.extend(
                    parse::packages(crates, path, layer)
                        .into_iter()
                        .map(Arc::new),
                ),
                Err(why) => view.note(
                    Finding::new(FindingKind::BinaryUnreadable {
                        why: why.to_string(),
                    })
                    .in_layer(layer)
                    .at_path(path),
                ),
            }
        }
        out
    }
}
