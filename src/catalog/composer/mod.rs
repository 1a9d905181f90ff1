//! Composer: the PHP packages of an application.
//!
//! Composer records every package it installed in `vendor/composer/installed.json`
//! ([`parse`]): one file for the whole application.

pub mod parse;

use std::sync::Arc;

use super::view::View;
use super::{Cataloged, Cataloger};
use crate::scan::capture::CaptureRulesBuilder;

/// The largest `installed.json` captured (one file lists every PHP package; a large
/// application's is under 1 MiB).
pub const MAX_INSTALLED_JSON: u64 = 4 << 20;

/// The Composer cataloger.
#[derive(Debug, Clone, Copy)]
pub struct Composer;

impl Cataloger for Composer {
    fn kind(&self) -> &'static str {
        "composer"
    }

    fn want(&self, mut rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
        for p in parse::PATTERNS {
            rules = rules.want(p, MAX_INSTALLED_JSON);
        }
        rules
    }

    fn catalog(&self, view: &mut View) -> Vec<Arc<Cataloged>> {
        view.captured_packages(parse::is_installed_path, |bytes, path, layer, _, _| {
            let pkgs = parse::packages(bytes, path, layer);
            let warnings =
                if pkgs.is_empty() && serde_json::from_slice::<serde_json::Value>(bytes).is_err() {
                    vec!["not valid JSON; no Composer package is listed".to_string()]
                } else {
                    Vec::new()
                };
            (pkgs, warnings)
        })
    }
}
