//! Java: Maven artifacts inside `.jar`, `.war` and `.ear` archives, nested ones included.
//!
//! [`parse`] reads each archive's zip local headers while the layer streams past (through
//! the [`super::inspect::BinaryInspector`]), keeping only `pom.properties`, `pom.xml` and
//! the manifest; each `pom.properties` is one artifact, whose license the `pom.xml` beside
//! it (or the manifest's `Bundle-License`) declares.

pub mod parse;
pub mod pom;

use std::sync::Arc;

use super::inspect::{packages_of, Binary};
use super::view::View;
use super::{binary_inspector, Cataloged, Cataloger};
use crate::model::{Finding, FindingKind};
use crate::scan::capture::CaptureRulesBuilder;

/// The Maven cataloger.
#[derive(Debug, Clone, Copy)]
pub struct Java;

impl Cataloger for Java {
    fn kind(&self) -> &'static str {
        "maven"
    }

    fn want(&self, rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
        rules.inspect(binary_inspector())
    }

    fn catalog(&self, view: &mut View) -> Vec<Arc<Cataloged>> {
        packages_of(
            view,
            |b| match b {
                Binary::Jar(read) => Some(read),
                _ => None,
            },
            |view, info, path, layer| {
                for n in &info.notes {
                    view.note(
                        Finding::new(FindingKind::ArchiveLimit { note: n.clone() })
                            .in_layer(layer)
                            .at_path(path),
                    );
                }
                parse::packages(info, path, layer)
            },
        )
    }
}
