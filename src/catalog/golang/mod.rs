//! Go: the modules compiled into Go executables.
//!
//! Since Go 1.18 the linker embeds the build information (Go version, main module,
//! dependencies with versions and replacements) in every executable; [`parse`] finds it in
//! the data segment while the layer streams past (through the
//! [`super::inspect::BinaryInspector`]), reading a few KiB of a binary, never all of it.
//! The build information records no licenses.

pub mod parse;

use std::sync::Arc;

use super::inspect::Binary;
use super::view::View;
use super::{binary_inspector, Cataloged, Cataloger};
use crate::model::{Finding, FindingKind};
use crate::scan::capture::CaptureRulesBuilder;

/// The Go cataloger.
#[derive(Debug, Clone, Copy)]
pub struct Golang;

impl Cataloger for Golang {
    fn kind(&self) -> &'static str {
        "go-module"
    }

    fn want(&self, rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
        rules.inspect(binary_inspector())
    }

    fn catalog(&self, view: &mut View) -> Vec<Arc<Cataloged>> {
        let mut out = Vec::new();
        for (layer, path, found) in view.inspected() {
            let Some(Binary::Go(read)) = found.get::<Binary>() else {
                continue;
            };
            match read {
                Ok(bi) => out.extend(parse::packages(bi, path, layer).into_iter().map(Arc::new)),
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
