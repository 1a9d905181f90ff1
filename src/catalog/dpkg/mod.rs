//! dpkg: the packages of Debian, Ubuntu and distroless images.
//!
//! dpkg records every package it knows in `var/lib/dpkg/status`; distroless images have no
//! dpkg and drop one control file per package into `var/lib/dpkg/status.d/` instead (see
//! [`parse`]). Which files a package installs is in `var/lib/dpkg/info/NAME[:ARCH].list`.
//! The license is not in the database: Debian ships it as
//! `usr/share/doc/PACKAGE/copyright`, which the license stage reads. The source to offer is
//! the `Source:` package at its version, from `apt-get source` or the distribution's
//! archive ([`source`]).

pub mod parse;
pub mod relation;
pub mod source;

use std::sync::Arc;

use super::os_release::OsRelease;
use super::purl::{distro, purl, Vendor};
use super::view::View;
use super::{Cataloged, Cataloger, LicenseInput};
use crate::model::{Offer, SourceRef};
use crate::scan::capture::CaptureRulesBuilder;
use parse::StatusFile;

/// dpkg's status file.
pub const STATUS: &str = "var/lib/dpkg/status";
/// Distroless per-package status files.
pub const STATUS_D: &str = "var/lib/dpkg/status.d";

/// The dpkg cataloger.
#[derive(Debug, Clone, Copy)]
pub struct Dpkg;

impl Cataloger for Dpkg {
    fn kind(&self) -> &'static str {
        "deb"
    }

    fn want(&self, rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
        let rules = super::want_database(rules, STATUS, 64 << 20);
        let rules = super::want_database(rules, &format!("{STATUS_D}/*"), 1 << 20);
        super::want_database(rules, "var/lib/dpkg/info/*.list", 16 << 20)
    }

    fn catalog(&self, view: &mut View) -> Vec<Arc<Cataloged>> {
        let mut out = Vec::new();
        if let Some(file) = view.read(STATUS) {
            let pkgs = view.parse(&file, status_packages).to_vec();
            view.check_vendor(self.kind(), (&file.path, file.layer), &pkgs);
            out.extend(pkgs);
        }
        let status_d: Vec<String> = view
            .list_dir(STATUS_D)
            .into_iter()
            .filter(|p| parse::is_status_d_control_file(p.rsplit('/').next().unwrap_or_default()))
            .collect();
        let mut distroless = Vec::new();
        for p in status_d {
            if let Some(file) = view.read(&p) {
                distroless.extend(view.parse(&file, status_d_packages).iter().cloned());
            }
        }
        let layer = view.layer();
        view.check_vendor(self.kind(), (STATUS_D, layer), &distroless);
        out.extend(distroless);
        out
    }

    fn files(&self, view: &mut View, package: &Cataloged) -> Option<Arc<[String]>> {
        let candidates = [
            format!("var/lib/dpkg/info/{}:{}.list", package.name, package.arch),
            format!("var/lib/dpkg/info/{}.list", package.name),
        ];
        view.file_list(&candidates, parse::parse_list).or_else(|| {
            // Distroless images keep no .list files, only the md5sums of regular files.
            let md5sums = [format!("{STATUS_D}/{}.md5sums", package.name)];
            view.file_list(&md5sums, parse::parse_md5sums)
        })
    }
}

/// The installed packages of the status file dpkg writes.
fn status_packages(
    bytes: &[u8],
    path: &str,
    layer: usize,
    os: Option<&OsRelease>,
    limit: usize,
) -> (Vec<Cataloged>, Vec<String>) {
    packages(StatusFile::Status, bytes, path, layer, os, limit)
}

/// The package of one distroless `status.d` file.
fn status_d_packages(
    bytes: &[u8],
    path: &str,
    layer: usize,
    os: Option<&OsRelease>,
    limit: usize,
) -> (Vec<Cataloged>, Vec<String>) {
    packages(StatusFile::StatusD, bytes, path, layer, os, limit)
}

/// The installed packages of a status file (or one `status.d` file).
fn packages(
    file: StatusFile,
    bytes: &[u8],
    path: &str,
    layer: usize,
    os: Option<&OsRelease>,
    limit: usize,
) -> (Vec<Cataloged>, Vec<String>) {
    let (pkgs, mut warnings) = parse::parse_status_within(bytes, limit);
    let pkgs = parse::installed(pkgs, file, &mut warnings);
    let os_id = os.and_then(|o| o.id.as_deref());
    let namespace = Vendor::of(os).namespace().to_string();
    let distro = distro(os);
    let packages = pkgs
        .into_iter()
        .map(|p| {
            let groups = |r: &relation::Relation| -> Vec<Vec<String>> {
                r.groups
                    .iter()
                    .map(|g| g.iter().map(|d| d.name.clone()).collect())
                    .collect()
            };
            let mut depends = groups(&p.pre_depends);
            depends.extend(groups(&p.depends));
            let (src, src_version) = (&p.source_name, &p.source_version);
            let upstream = if *src != p.package || *src_version != p.version {
                if src_version.is_empty() || *src_version == p.version {
                    src.clone()
                } else {
                    format!("{src}@{src_version}")
                }
            } else {
                String::new()
            };
            let arch = p.architecture.clone().unwrap_or_default();
            let offer_version = if src_version.is_empty() {
                parse::source_version_of_binary(&p.version).to_string()
            } else {
                src_version.clone()
            };
            Cataloged {
                kind: "deb",
                purl: purl(
                    "deb",
                    &[&namespace],
                    &p.package,
                    &p.version,
                    &[
                        ("arch", arch.clone()),
                        ("distro", distro.clone()),
                        ("upstream", upstream),
                    ],
                ),
                source: Some(SourceRef {
                    name: src.clone(),
                    version: Some(src_version.clone()).filter(|v| !v.is_empty()),
                    commit: None,
                }),
                offer: Offer {
                    obtain: source::obtain(os_id, src, &offer_version),
                    name: src.clone(),
                    version: offer_version,
                    commit: None,
                },
                license: LicenseInput::CopyrightFile {
                    package: p.package.clone(),
                },
                name: p.package,
                version: p.version,
                arch,
                supplier: p.maintainer,
                homepage: p.homepage,
                db: (path.to_string(), layer),
                depends,
                provides: p.provides.names().map(str::to_string).collect(),
                files: Vec::new(),
            }
        })
        .collect();
    (packages, warnings.iter().map(ToString::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(status: &str) -> Cataloged {
        let os = crate::catalog::os_release::parse(b"ID=debian\nVERSION_ID=12\n").0;
        let (mut pkgs, warnings) =
            status_packages(status.as_bytes(), STATUS, 0, Some(&os), usize::MAX);
        assert!(warnings.is_empty(), "{warnings:?}");
        pkgs.remove(0)
    }

    #[test]
    fn a_package_carries_its_purl_source_and_where_to_get_that_source() {
        let p = one("Package: libgcc-s1\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.2.0-14+deb12u1\nSource: gcc-12\n");
        assert_eq!(
            p.purl,
            "pkg:deb/debian/libgcc-s1@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=gcc-12"
        );
        assert_eq!(
            (p.offer.name.as_str(), p.offer.version.as_str()),
            ("gcc-12", "12.2.0-14+deb12u1")
        );
        assert_eq!(
            p.offer.obtain.command.as_deref(),
            Some("apt-get source gcc-12=12.2.0-14+deb12u1")
        );
        assert_eq!(
            p.license,
            LicenseInput::CopyrightFile {
                package: "libgcc-s1".into()
            }
        );
    }

    #[test]
    fn without_a_source_version_the_binary_version_less_binnmu_is_offered() {
        let p = one("Package: x\nStatus: install ok installed\nVersion: 2.0-1+b3\n");
        assert_eq!(p.offer.version, "2.0-1");
    }
}
