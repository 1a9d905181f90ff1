//! apk: the packages of Alpine, Wolfi and Chainguard images.
//!
//! apk-tools keeps every installed package in `lib/apk/db/installed` (apk-tools 3, as
//! Wolfi and Chainguard ship it: `usr/lib/apk/db/installed`; [`parse`]), with its license
//! (`L:`), the origin it was built from (`o:`) and the commit of the distribution's recipe
//! repository (`c:`: aports on Alpine, wolfi-dev/os on Wolfi), which say where its exact
//! source is ([`source`]), and the files it owns.

pub mod parse;
pub mod source;

use std::sync::Arc;

use super::os_release::OsRelease;
use super::purl::{distro, purl, Vendor};
use super::view::View;
use super::{Cataloged, Cataloger, Declared, LicenseInput};
use crate::model::{Offer, SourceRef};
use crate::scan::capture::CaptureRulesBuilder;

/// apk's database: apk-tools 2 keeps it under `lib/`, apk-tools 3 (Wolfi, Chainguard)
/// under `usr/lib/` when the former is absent. The first that exists is read; a merged-`/usr`
/// image's `lib -> usr/lib` makes both one file.
pub const INSTALLED: [&str; 2] = ["lib/apk/db/installed", "usr/lib/apk/db/installed"];

/// The apk cataloger.
#[derive(Debug, Clone, Copy)]
pub struct Apk;

impl Cataloger for Apk {
    fn kind(&self) -> &'static str {
        "apk"
    }

    fn want(&self, rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
        INSTALLED
            .iter()
            .fold(rules, |rules, db| super::want_database(rules, db, 64 << 20))
    }

    fn catalog(&self, view: &mut View) -> Vec<Arc<Cataloged>> {
        let Some(file) = INSTALLED.iter().find_map(|db| view.read(db)) else {
            return Vec::new();
        };
        let pkgs = view.parse(&file, packages).to_vec();
        view.check_vendor(self.kind(), (&file.path, file.layer), &pkgs);
        pkgs
    }
}

/// A dependency or provided name without its version constraint.
fn bare(s: &str) -> String {
    let end = s.find(['<', '>', '=', '~']).unwrap_or(s.len());
    s[..end].to_string()
}

fn packages(
    bytes: &[u8],
    path: &str,
    layer: usize,
    os: Option<&OsRelease>,
    limit: usize,
) -> (Vec<Cataloged>, Vec<String>) {
    let (pkgs, warnings) = parse::parse_installed_within(bytes, limit);
    let namespace = Vendor::of(os).namespace().to_string();
    let distro = distro(os);
    let packages = pkgs
        .into_iter()
        .map(|p| {
            let arch = p.arch.unwrap_or_default();
            let origin = p.origin.clone();
            let upstream = origin.clone().filter(|o| *o != p.name).unwrap_or_default();
            let commit = origin.as_ref().and(p.commit.clone());
            let offer_name = origin.clone().unwrap_or_else(|| p.name.clone());
            Cataloged {
                kind: "apk",
                purl: purl(
                    "apk",
                    &[&namespace],
                    &p.name,
                    &p.version,
                    &[
                        ("arch", arch.clone()),
                        ("distro", distro.clone()),
                        ("upstream", upstream),
                    ],
                ),
                source: origin.map(|o| SourceRef {
                    name: o,
                    version: Some(p.version.clone()).filter(|v| !v.is_empty()),
                    commit: p.commit.clone(),
                }),
                offer: Offer {
                    obtain: source::obtain(
                        os.and_then(|o| o.id.as_deref()),
                        &offer_name,
                        commit.as_deref(),
                    ),
                    name: offer_name,
                    version: p.version.clone(),
                    commit,
                },
                license: LicenseInput::Declared {
                    declared: Declared::Apk(p.license),
                    path: path.to_string(),
                    layer,
                },
                name: p.name,
                version: p.version,
                arch,
                supplier: p.maintainer,
                homepage: p.url,
                db: (path.to_string(), layer),
                depends: p
                    .depends
                    .iter()
                    .filter(|d| !d.starts_with('!'))
                    .map(|d| vec![bare(d)])
                    .collect(),
                provides: p.provides.iter().map(|d| bare(d)).collect(),
                files: p.files,
            }
        })
        .collect();
    (packages, warnings.iter().map(ToString::to_string).collect())
}
