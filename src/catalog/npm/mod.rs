//! npm: Node.js packages installed in `node_modules`.
//!
//! npm, yarn and pnpm (hoisted layout) put each installed package in
//! `node_modules/NAME/` or `node_modules/@SCOPE/NAME/` with its own `package.json`; nested
//! `node_modules` hold the versions that could not be hoisted. Only those manifests are
//! read ([`parse`]): the application's own `package.json` (outside `node_modules`) names what
//! it *wants*, not what is installed.

pub mod parse;

use std::sync::Arc;

use super::view::View;
use super::{Cataloged, Cataloger, MAX_METADATA};
use crate::scan::capture::CaptureRulesBuilder;

/// The npm cataloger.
#[derive(Debug, Clone, Copy)]
pub struct Npm;

impl Cataloger for Npm {
    fn kind(&self) -> &'static str {
        "npm"
    }

    fn want(&self, mut rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
        for p in parse::PATTERNS {
            rules = rules.want(p, MAX_METADATA);
        }
        rules
    }

    fn catalog(&self, view: &mut View) -> Vec<Arc<Cataloged>> {
        view.captured_packages(parse::is_manifest_path, |bytes, path, layer, _, _| {
            (
                parse::package(bytes, path, layer).into_iter().collect(),
                Vec::new(),
            )
        })
    }
}
