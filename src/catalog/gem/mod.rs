//! RubyGems: installed gems.
//!
//! RubyGems (and Debian's `rubygems-integration`) keep one
//! `specifications/NAME-VERSION.gemspec` per installed gem, which [`parse`] reads as data.

pub mod parse;

use std::sync::Arc;

use super::view::View;
use super::{Cataloged, Cataloger, MAX_METADATA};
use crate::scan::capture::CaptureRulesBuilder;

/// The RubyGems cataloger.
#[derive(Debug, Clone, Copy)]
pub struct Gem;

impl Cataloger for Gem {
    fn kind(&self) -> &'static str {
        "gem"
    }

    fn want(&self, mut rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
        for p in parse::PATTERNS {
            rules = rules.want(p, MAX_METADATA);
        }
        rules
    }

    fn catalog(&self, view: &mut View) -> Vec<Arc<Cataloged>> {
        view.captured_packages(parse::is_spec_path, |bytes, path, layer, _, _| {
            (
                parse::package(bytes, path, layer).into_iter().collect(),
                Vec::new(),
            )
        })
    }
}
