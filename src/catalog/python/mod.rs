//! Python: installed distributions in `site-packages` and `dist-packages`.
//!
//! pip (and every installer following the packaging specifications) leaves a
//! `NAME-VERSION.dist-info/METADATA` per distribution; older setuptools installs leave
//! `NAME-VERSION.egg-info/PKG-INFO` (or a single `NAME-VERSION.egg-info` file). [`parse`]
//! reads that core metadata. A distribution whose metadata directory an operating-system
//! package installs (Debian's `python3-*` in `/usr/lib/python3/dist-packages`) is that OS
//! package, not a second package.

pub mod parse;

use std::sync::Arc;

use super::view::View;
use super::{Cataloged, Cataloger, MAX_METADATA};
use crate::scan::capture::CaptureRulesBuilder;

/// The largest license file captured from a `*.dist-info` directory: 1 MiB, the cap of
/// every license file (the license stage captures the same files).
pub const MAX_LICENSE_FILE: u64 = 1 << 20;

/// The Python cataloger.
#[derive(Debug, Clone, Copy)]
pub struct Python;

impl Cataloger for Python {
    fn kind(&self) -> &'static str {
        "python"
    }

    fn want(&self, mut rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
        for p in parse::PATTERNS {
            rules = rules.want(p, MAX_METADATA);
        }
        for p in parse::LICENSE_PATTERNS {
            rules = rules.want(p, MAX_LICENSE_FILE);
        }
        rules
    }

    fn catalog(&self, view: &mut View) -> Vec<Arc<Cataloged>> {
        view.captured_packages(parse::is_metadata_path, |bytes, path, layer, _, _| {
            (
                parse::package(bytes, path, layer).into_iter().collect(),
                Vec::new(),
            )
        })
    }

    fn claim<'p>(&self, package: &'p Cataloged) -> Option<&'p str> {
        Some(parse::metadata_dir(&package.db.0))
    }

    fn claimed_in(&self, files: &[String]) -> Vec<String> {
        parse::owned_metadata_dirs(files).collect()
    }
}
