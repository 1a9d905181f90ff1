//! rpm: the packages of Red Hat, Fedora, CentOS, SUSE and Amazon Linux images.
//!
//! An image keeps one rpm database, in whichever container its rpm version wrote (SQLite,
//! BerkeleyDB or NDB; [`parse`] reads all three); when several are present (leftovers of
//! a migration), the one rpm itself prefers is read. A distroless CBL-Mariner or Azure Linux
//! image has none, only the [`MANIFEST`] of what rpm installed, which is read then. Each record carries the license tag,
//! the `SOURCERPM` file that says where its exact source is ([`source`]), and the files
//! the package owns.

pub mod parse;
pub mod source;

use std::sync::Arc;

use super::os_release::OsRelease;
use super::purl::{distro, purl, Vendor};
use super::view::View;
use super::{Cataloged, Cataloger, Declared, LicenseInput};
use crate::model::{Obtain, Offer, SourceRef};
use crate::scan::capture::CaptureRulesBuilder;

/// rpm databases, in the order rpm itself prefers them.
pub const DATABASES: [&str; 6] = [
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages.db",
    "var/lib/rpm/Packages.db",
    "var/lib/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages",
];

/// The package manifest distroless CBL-Mariner and Azure Linux images keep instead of an rpm
/// database (read only when the image has none).
pub const MANIFEST: &str = "var/lib/rpmmanifest/container-manifest-2";

/// The rpm cataloger.
#[derive(Debug, Clone, Copy)]
pub struct Rpm;

impl Cataloger for Rpm {
    fn kind(&self) -> &'static str {
        "rpm"
    }

    fn want(&self, mut rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
        for db in DATABASES {
            rules = super::want_database(rules, db, 512 << 20);
        }
        super::want_database(rules, MANIFEST, 16 << 20)
    }

    fn catalog(&self, view: &mut View) -> Vec<Arc<Cataloged>> {
        for db in DATABASES {
            if let Some(file) = view.read(db) {
                // rpm uses one database; the others are leftovers of a migration.
                let pkgs = view.parse(&file, packages).to_vec();
                view.check_vendor(self.kind(), (&file.path, file.layer), &pkgs);
                return pkgs;
            }
        }
        let Some(file) = view.read(MANIFEST) else {
            return Vec::new();
        };
        let pkgs = view.parse(&file, manifest_packages).to_vec();
        view.check_vendor(self.kind(), (&file.path, file.layer), &pkgs);
        pkgs
    }
}

/// Whether the distribution writes SPDX in rpm `License` tags by policy: SUSE has since
/// 2013 (openSUSE and SLE), so its `MIT` is SPDX's `MIT`. Fedora-derived distributions
/// (RHEL, CentOS, Amazon Linux, CBL-Mariner, older Fedora) wrote Fedora's legacy
/// abbreviations, where `MIT` named a family of texts.
fn writes_spdx_tags(os: &OsRelease) -> bool {
    std::iter::once(os.id.as_deref().unwrap_or_default())
        .chain(os.id_like.iter().map(String::as_str))
        .any(|id| id.contains("suse"))
}

/// The packages of an rpm database.
fn packages(
    bytes: &[u8],
    path: &str,
    layer: usize,
    os: Option<&OsRelease>,
    limit: usize,
) -> (Vec<Cataloged>, Vec<String>) {
    match parse::read_rpmdb_within(bytes, limit) {
        Ok((pkgs, warnings)) => cataloged(pkgs, &warnings, (path, layer), os, true),
        Err(e) => (
            Vec::new(),
            vec![format!("cannot read the rpm database: {e}")],
        ),
    }
}

/// The packages of a distroless `container-manifest-2`, which records no licenses.
fn manifest_packages(
    bytes: &[u8],
    path: &str,
    layer: usize,
    os: Option<&OsRelease>,
    limit: usize,
) -> (Vec<Cataloged>, Vec<String>) {
    let (pkgs, warnings) = parse::read_manifest_within(bytes, limit);
    cataloged(pkgs, &warnings, (path, layer), os, false)
}

/// rpm records as packages: read from `path` as `layer` supplies it, whose records carry
/// the `License` tag when `licensed`.
fn cataloged(
    pkgs: Vec<parse::RpmPackage>,
    warnings: &[parse::Warning],
    (path, layer): (&str, usize),
    os: Option<&OsRelease>,
    licensed: bool,
) -> (Vec<Cataloged>, Vec<String>) {
    let namespace = Vendor::of(os).namespace().to_string();
    let distro = distro(os);
    let spdx_tags = os.is_some_and(writes_spdx_tags);
    let packages = pkgs
        .into_iter()
        .filter(|p| !p.is_gpg_pubkey)
        .map(|p| {
            let evr = p.evr();
            let arch = p.arch.clone().unwrap_or_default();
            let version_release = format!("{}-{}", p.version, p.release);
            let offer = match &p.source_rpm {
                Some(srpm) => Offer {
                    name: srpm.clone(),
                    version: String::new(),
                    commit: None,
                    obtain: source::obtain(os, srpm, (&p.name, &evr)),
                },
                None => Offer {
                    name: p.name.clone(),
                    version: evr.clone(),
                    commit: None,
                    obtain: Obtain::note("the rpm database records no SOURCERPM for this package: ask its vendor for the source of this exact version"),
                },
            };
            Cataloged {
                kind: "rpm",
                purl: purl(
                    "rpm",
                    &[&namespace],
                    &p.name,
                    &version_release,
                    &[
                        ("arch", arch.clone()),
                        ("distro", distro.clone()),
                        (
                            "epoch",
                            p.epoch.map(|e| e.to_string()).unwrap_or_default(),
                        ),
                        ("upstream", p.source_rpm.clone().unwrap_or_default()),
                    ],
                ),
                source: p.source_rpm.clone().map(|s| SourceRef {
                    name: s,
                    version: None,
                    commit: None,
                }),
                offer,
                license: if !licensed {
                    LicenseInput::Unrecorded {
                        reason: format!("/{path} lists packages without their licenses (the image keeps no rpm database)"),
                    }
                } else {
                    LicenseInput::Declared {
                        declared: if spdx_tags {
                            Declared::RpmSpdx(p.license.clone())
                        } else {
                            Declared::Rpm(p.license.clone())
                        },
                        path: path.to_string(),
                        layer,
                    }
                },
                version: evr,
                arch,
                supplier: p.vendor.clone(),
                homepage: p.url.clone(),
                db: (path.to_string(), layer),
                depends: p
                    .requires
                    .iter()
                    .filter(|d| !d.is_rpmlib())
                    .map(|d| vec![d.name.clone()])
                    .collect(),
                provides: p.provides.iter().map(|d| d.name.clone()).collect(),
                files: p.files.clone(),
                name: p.name,
            }
        })
        .collect();
    (
        packages,
        warnings.iter().map(|w| w.message.clone()).collect(),
    )
}
