//! Obligations: what shipping this image obliges us to do.
//!
//! Distributing binaries under open source licenses comes with duties: give recipients
//! the license texts and copyright notices, ship Apache NOTICE files, and for copyleft
//! licenses make the exact corresponding source available. Which packages count depends on
//! *how* the image is shipped ([`Delivery`]): a `docker save` tarball or our own registry
//! distributes every layer; pushing our layers next to a public base image distributes only
//! the layers we built; shipping only the Dockerfile distributes no binaries at all.
//!
//! [`evaluate`] applies the rules of `license-db/obligations.json` ([`mod@db`]) to each package
//! of the distributed layers ([`expr`] reads its SPDX expression: `AND` adds duties up,
//! `OR` picks the lightest branch and says so), groups the packages that owe a source offer
//! by source package, with how to obtain that exact source (which the catalog stage found
//! with each package, [`crate::model::Offer`]), and lists what is
//! not distributed by us. [`policy`] turns the result into pass or fail for pipelines.
//!
//! ```
//! use layerbom::obligations::{self, Delivery};
//! # fn report() -> layerbom::model::Report { unimplemented!() }
//! # fn _doc() {
//! let ob = obligations::evaluate(&report(), Delivery::Layers);
//! for s in &ob.sources {
//!     println!("{} {:?}: {:?}", s.name, s.version, s.obtain.url);
//! }
//! # }
//! ```

pub mod db;
pub mod expr;
pub mod policy;

use std::collections::BTreeMap;

pub use crate::model::obligations::*;
use crate::model::{Origin, Report};
pub use db::{db, Db};
pub use expr::Evaluation;

fn layer_origin(report: &Report, index: usize) -> Origin {
    report
        .layers
        .get(index)
        .map(|l| l.origin)
        .unwrap_or(Origin::Unknown)
}

/// Computes the obligations of shipping `report`'s image in `delivery` mode.
pub fn evaluate(report: &Report, delivery: Delivery) -> Obligations {
    let db = db();
    let (distributed_layers, not_distributed_layers): (Vec<usize>, Vec<usize>) = report
        .layers
        .iter()
        .map(|l| l.index)
        .partition(|&i| delivery.distributes(layer_origin(report, i)));
    let mut packages = Vec::new();
    let mut not_distributed = Vec::new();
    let mut groups: BTreeMap<(String, String, String, Option<String>), SourceEntry> =
        BTreeMap::new();
    let mut categories = BTreeMap::new();
    for p in &report.packages {
        let origin = p.origin;
        let e = expr::evaluate(
            db,
            p.license.concluded.as_str(),
            p.license.concluded.reason(),
        );
        categories.insert(p.purl.clone(), e.category());
        if !delivery.distributes(origin) {
            not_distributed.push(NotDistributed {
                kind: p.kind.clone(),
                name: p.name.clone(),
                version: p.version.clone(),
                layer: p.layer.index,
                origin,
                license: p.license.concluded.as_str().to_string(),
            });
            continue;
        }
        let duties = e.duties(db);
        let source_duties: Vec<String> = duties
            .iter()
            .filter(|d| db.is_source_duty(d))
            .cloned()
            .collect();
        let mut po = PackageObligation {
            kind: p.kind.clone(),
            name: p.name.clone(),
            version: p.version.clone(),
            arch: p.arch.clone(),
            purl: p.purl.clone(),
            layer: p.layer.index,
            origin,
            license: p.license.concluded.as_str().to_string(),
            license_evidence: p
                .license
                .concluded
                .evidence()
                .iter()
                .map(|e| format!("/{}", e.path))
                .collect(),
            category: e.category(),
            categories: e.categories(),
            duties,
            terms: e.terms,
            choices: e.choices,
            source: None,
            copyright_statements: p.copyright.len(),
        };
        if !source_duties.is_empty() {
            let (name, version, commit) = (
                p.offer.name.clone(),
                p.offer.version.clone(),
                p.offer.commit.clone(),
            );
            po.source = Some(if version.is_empty() {
                name.clone()
            } else {
                format!("{name} {version}")
            });
            let key = (
                p.kind.clone(),
                name.clone(),
                version.clone(),
                commit.clone(),
            );
            let entry = groups.entry(key).or_insert_with(|| SourceEntry {
                kind: p.kind.clone(),
                name: name.clone(),
                version: (!version.is_empty()).then(|| version.clone()),
                commit: commit.clone(),
                duties: Vec::new(),
                licenses: Vec::new(),
                layers: Vec::new(),
                packages: Vec::new(),
                obtain: p.offer.obtain.clone(),
                bundle: None,
            });
            entry.duties.extend(source_duties.iter().cloned());
            entry
                .licenses
                .push(p.license.concluded.as_str().to_string());
            entry.layers.push(p.layer.index);
            entry.packages.push(Covered {
                name: p.name.clone(),
                version: p.version.clone(),
                arch: p.arch.clone(),
                layer: p.layer.index,
                origin,
                license: p.license.concluded.as_str().to_string(),
                duties: source_duties,
            });
        }
        packages.push(po);
    }
    packages.sort_by(|a, b| (&a.name, &a.version, a.layer).cmp(&(&b.name, &b.version, b.layer)));
    not_distributed.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    let sources: Vec<SourceEntry> = groups
        .into_values()
        .map(|mut s| {
            s.duties.sort_by_key(|d| db.duty_order(d));
            s.duties.dedup();
            s.licenses.sort();
            s.licenses.dedup();
            s.layers.sort_unstable();
            s.layers.dedup();
            s.packages
                .sort_by(|a, b| (&a.name, &a.arch).cmp(&(&b.name, &b.arch)));
            s
        })
        .collect();
    let files = license_files(report, delivery, db);
    let hidden = hidden(report, delivery, &distributed_layers);
    let mut by_category = BTreeMap::new();
    for p in &packages {
        *by_category.entry(p.category).or_insert(0) += 1;
    }
    let duties = db
        .glossary
        .duties()
        .iter()
        .filter_map(|d| {
            let n = packages.iter().filter(|p| p.duties.contains(&d.id)).count();
            (n > 0).then(|| DutySummary {
                id: d.id.clone(),
                title: d.title.clone(),
                text: d.text.clone(),
                source: db.is_source_duty(&d.id),
                packages: n,
            })
        })
        .collect();
    Obligations {
        schema: SCHEMA,
        image: ImageRef {
            source: report.image.source.clone(),
            config_digest: report.image.config_digest.clone(),
            repo_tags: report.image.repo_tags.clone(),
            os: report.image.os.as_ref().map(|o| o.id.clone()),
        },
        delivery: DeliveryInfo {
            mode: delivery,
            explanation: delivery.explanation(),
            distributed_layers,
            not_distributed_layers,
        },
        summary: Summary {
            distributed_packages: packages.len(),
            not_distributed_packages: not_distributed.len(),
            by_category,
            packages_with_unknown_terms: packages
                .iter()
                .filter(|p| p.categories.contains(&Category::Unknown))
                .count(),
            packages_with_source_duty: packages
                .iter()
                .filter(|p| p.duties.iter().any(|d| db.is_source_duty(d)))
                .count(),
            source_packages: sources.len(),
        },
        duties,
        packages,
        sources,
        files,
        not_distributed,
        hidden,
        other_duties: match delivery {
            Delivery::Dockerfile => vec!["dockerfile-license".to_string()],
            _ => Vec::new(),
        },
        categories,
        bundle: None,
    }
}

/// License files outside packages (`report.license_files`), in distributed layers.
fn license_files(report: &Report, delivery: Delivery, db: &Db) -> Vec<FileObligation> {
    let mut out: Vec<FileObligation> = report
        .license_files
        .iter()
        .filter_map(|f| {
            let origin = layer_origin(report, f.layer);
            if !delivery.distributes(origin) {
                return None;
            }
            let e = expr::evaluate(db, &f.spdx, None);
            Some(FileObligation {
                path: f.path.clone(),
                layer: f.layer,
                origin,
                category: e.category(),
                duties: e.duties(db),
                license: f.spdx.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.path, a.layer).cmp(&(&b.path, b.layer)));
    out
}

/// Package versions that distributed layers still carry although the final filesystem
/// no longer has them.
fn hidden(report: &Report, delivery: Delivery, distributed: &[usize]) -> Vec<Hidden> {
    let mut out: Vec<Hidden> = report
        .removed_packages
        .iter()
        // Replaced versions are named from the packages' `upgraded_from` below.
        .filter(|r| r.is_removal() && distributed.contains(&r.added_in))
        .map(|r| Hidden {
            kind: r.kind.clone(),
            name: r.name.clone(),
            version: r.version.clone(),
            layer: Some(r.added_in),
            reason: format!(
                "removed in layer {}, but layer {}'s files are still shipped",
                r.removed_in, r.added_in
            ),
        })
        .collect();
    if delivery == Delivery::Image {
        out.extend(report.packages.iter().filter_map(|p| {
            let old = p.upgraded_from.as_ref()?;
            Some(Hidden {
                kind: p.kind.clone(),
                name: p.name.clone(),
                version: old.clone(),
                layer: None,
                reason: format!(
                    "replaced by {} in layer {}, but the lower layer's files are still shipped",
                    p.version, p.layer.index
                ),
            })
        }));
    }
    out.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::{deb, report};
    use crate::model::RemovedPackage;

    fn sample() -> Report {
        let mut r = report(&[Origin::Base, Origin::Authored]);
        r.packages = vec![
            deb(
                "libc6",
                "2.36-9",
                ("glibc", "2.36-9"),
                0,
                Origin::Base,
                "LGPL-2.1-or-later AND GPL-2.0-or-later",
            ),
            deb(
                "libc-bin",
                "2.36-9",
                ("glibc", "2.36-9"),
                0,
                Origin::Base,
                "LGPL-2.1-or-later",
            ),
            deb(
                "zlib1g",
                "1:1.2.13.dfsg-1",
                ("zlib", "1:1.2.13.dfsg-1"),
                0,
                Origin::Base,
                "Zlib",
            ),
            deb(
                "jq",
                "1.6-2.1+b1",
                ("jq", "1.6-2.1"),
                1,
                Origin::Authored,
                "MIT AND GPL-2.0-or-later",
            ),
            deb(
                "perl-x",
                "1.0-1",
                ("perl-x", "1.0-1"),
                1,
                Origin::Authored,
                "GPL-1.0-or-later OR Artistic-1.0-Perl",
            ),
        ];
        r
    }

    #[test]
    fn image_delivery_covers_every_layer() {
        let ob = evaluate(&sample(), Delivery::Image);
        assert_eq!(ob.delivery.distributed_layers, [0, 1]);
        assert_eq!(ob.summary.distributed_packages, 5);
        let names: Vec<(&str, Option<&str>)> = ob
            .sources
            .iter()
            .map(|s| (s.name.as_str(), s.version.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("glibc", Some("2.36-9")),
                ("jq", Some("1.6-2.1")),
                ("perl-x", Some("1.0-1"))
            ]
        );
        let glibc = &ob.sources[0];
        let covered: Vec<&str> = glibc.packages.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(covered, ["libc-bin", "libc6"]);
        assert_eq!(glibc.duties, ["library-source-relink", "source-offer"]);
        assert_eq!(
            glibc.obtain.command.as_deref(),
            Some("apt-get source glibc=2.36-9")
        );
        assert!(
            !ob.sources.iter().any(|s| s.name == "zlib"),
            "permissive only"
        );
        let perl = ob.packages.iter().find(|p| p.name == "perl-x").unwrap();
        assert_eq!(
            perl.duties
                .iter()
                .filter(|d| db().is_source_duty(d))
                .count(),
            1
        );
        assert_eq!(perl.choices[0].picked, "Artistic-1.0-Perl");
    }

    #[test]
    fn gcc_runtime_libraries_are_weak_copyleft_and_keep_their_own_source_duty() {
        let mut r = report(&[Origin::Base]);
        r.packages = vec![
            deb(
                "libstdc++6",
                "12.2.0-14",
                ("gcc-12", "12.2.0-14"),
                0,
                Origin::Base,
                "GPL-3.0-or-later WITH GCC-exception-3.1",
            ),
            deb(
                "gcc-12-base",
                "12.2.0-14",
                ("gcc-12", "12.2.0-14"),
                0,
                Origin::Base,
                "GPL-3.0-or-later AND GFDL-1.2-or-later",
            ),
        ];
        let ob = evaluate(&r, Delivery::Image);
        let lib = &ob.packages.iter().find(|p| p.name == "libstdc++6").unwrap();
        assert_eq!(lib.category, Category::WeakCopyleft);
        assert_eq!(lib.terms.len(), 1);
        assert_eq!(lib.terms[0].exception.as_deref(), Some("GCC-exception-3.1"));
        assert!(
            lib.terms[0].basis.contains("gcc-exception-3.1.html"),
            "{}",
            lib.terms[0].basis
        );
        // The exception frees the programs that link the library, not the library: its
        // source is still owed, under the same source package as the rest of GCC.
        assert!(lib.duties.contains(&"source-offer".to_string()));
        assert!(!lib.duties.contains(&"covered-files-source".to_string()));
        let base = ob
            .packages
            .iter()
            .find(|p| p.name == "gcc-12-base")
            .unwrap();
        assert_eq!(base.category, Category::StrongCopyleft);
        let gcc = ob.sources.iter().find(|s| s.name == "gcc-12").unwrap();
        let covered: Vec<&str> = gcc.packages.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(covered, ["gcc-12-base", "libstdc++6"]);
        assert!(gcc
            .licenses
            .contains(&"GPL-3.0-or-later WITH GCC-exception-3.1".to_string()));
    }

    #[test]
    fn layers_delivery_covers_only_our_layers() {
        let ob = evaluate(&sample(), Delivery::Layers);
        assert_eq!(ob.delivery.distributed_layers, [1]);
        assert_eq!(ob.delivery.not_distributed_layers, [0]);
        let names: Vec<&str> = ob.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["jq", "perl-x"]);
        let nd: Vec<&str> = ob.not_distributed.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(nd, ["libc-bin", "libc6", "zlib1g"]);
        assert!(ob.sources.iter().all(|s| s.layers == [1]));
    }

    #[test]
    fn unknown_origin_layers_count_as_ours_when_only_layers_are_shipped() {
        let mut r = report(&[Origin::Unknown]);
        r.packages = vec![deb(
            "a",
            "1",
            ("a", "1"),
            0,
            Origin::Unknown,
            "GPL-2.0-only",
        )];
        assert_eq!(evaluate(&r, Delivery::Layers).sources.len(), 1);
    }

    #[test]
    fn dockerfile_delivery_distributes_no_binaries_but_the_dockerfile_needs_a_license() {
        let ob = evaluate(&sample(), Delivery::Dockerfile);
        assert!(ob.packages.is_empty() && ob.sources.is_empty());
        assert_eq!(ob.not_distributed.len(), 5);
        assert_eq!(ob.other_duties, ["dockerfile-license"]);
    }

    #[test]
    fn removed_and_replaced_versions_in_shipped_layers_are_listed() {
        let mut r = sample();
        r.removed_packages.push(RemovedPackage {
            kind: "deb".into(),
            name: "wget".into(),
            version: "1.21".into(),
            arch: None,
            added_in: 0,
            removed_in: 1,
            replaced_by: None,
        });
        r.packages[3].upgraded_from = Some("1.6-2".into());
        let ob = evaluate(&r, Delivery::Image);
        let hidden: Vec<(&str, &str)> = ob
            .hidden
            .iter()
            .map(|h| (h.name.as_str(), h.version.as_str()))
            .collect();
        assert_eq!(hidden, [("jq", "1.6-2"), ("wget", "1.21")]);
        assert!(evaluate(&r, Delivery::Layers).hidden.is_empty());
    }

    #[test]
    fn license_files_in_shipped_layers_are_evaluated() {
        let mut r = sample();
        let file = |path: &str, layer: usize| crate::model::LicenseFile {
            path: path.into(),
            layer,
            origin: Origin::Unknown,
            visible: true,
            size: 1,
            sha256: String::new(),
            spdx: "MIT".into(),
            confidence: 1.0,
            matches: Vec::new(),
            reason: None,
        };
        r.license_files = vec![file("opt/demo/LICENSE", 1), file("etc/base-LICENSE", 0)];
        let ob = evaluate(&r, Delivery::Layers);
        assert_eq!(ob.files.len(), 1);
        assert_eq!(ob.files[0].category, Category::Permissive);
    }

    #[test]
    fn delivery_modes_parse() {
        assert_eq!("layers".parse::<Delivery>(), Ok(Delivery::Layers));
        assert_eq!(
            "all".parse::<Delivery>().unwrap_err().to_string(),
            "unknown delivery \"all\" (available: image, layers, dockerfile)"
        );
        assert_eq!(Delivery::default(), Delivery::Image);
    }
}
