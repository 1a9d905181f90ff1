//! cargo: the crates compiled into Rust executables built with `cargo auditable`.
//!
//! `cargo auditable build` links a `.dep-v0` section listing the crates and versions;
//! [`parse`] finds it in the tail of the executable while the layer streams past (through
//! the [`super::inspect::BinaryInspector`]). It records no licenses.

pub mod parse;

use std::sync::Arc;

use super::inspect::{packages_of, Binary};
use super::view::View;
use super::{binary_inspector, Cataloged, Cataloger};
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
        packages_of(
            view,
            |b| match b {
                Binary::Cargo(read) => Some(read),
                _ => None,
            },
            |_, crates, path, layer| parse::packages(crates, path, layer),
        )
    }
}
