//! Go: the modules compiled into Go executables.
//!
//! Since Go 1.18 the linker embeds the build information (Go version, main module,
//! dependencies with versions and replacements) in every executable; [`parse`] finds it in
//! the data segment while the layer streams past (through the
//! [`super::inspect::BinaryInspector`]), reading a few KiB of a binary, never all of it.
//! The build information records no licenses.

pub mod parse;

use std::sync::Arc;

use super::inspect::{packages_of, Binary};
use super::view::View;
use super::{binary_inspector, Cataloged, Cataloger};
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
        packages_of(
            view,
            |b| match b {
                Binary::Go(read) => Some(read),
                _ => None,
            },
            |_, bi, path, layer| parse::packages(bi, path, layer),
        )
    }
}
