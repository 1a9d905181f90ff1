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
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub use crate::model::Obtain;
use crate::model::{Origin, Report};
pub use db::{db, Category, Db, Described};
pub use expr::{Choice, Evaluation, Term};

/// The schema name written into obligations documents.
pub const SCHEMA: &str = "layerbom-obligations/v1";

/// How the image reaches its recipients, which decides which layers we distribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// A `docker save` tarball or our own registry: every layer is distributed by us.
    #[default]
    Image,
    /// Our layers pushed to a registry that already serves the base image: only the layers
    /// we built (and those of unknown origin) are distributed by us.
    Layers,
    /// Only the Dockerfile is shipped: no binaries are distributed by us.
    Dockerfile,
}

impl Delivery {
    /// Every mode, strictest first.
    pub const ALL: [Delivery; 3] = [Delivery::Image, Delivery::Layers, Delivery::Dockerfile];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Image => "image",
            Delivery::Layers => "layers",
            Delivery::Dockerfile => "dockerfile",
        }
    }

    /// Whether a layer of this origin is distributed by us.
    pub fn distributes(self, origin: Origin) -> bool {
        match self {
            Delivery::Image => true,
            // A layer of unknown origin may be ours: counted, to stay on the safe side.
            Delivery::Layers => origin != Origin::Base,
            Delivery::Dockerfile => false,
        }
    }

    /// What the mode means, in a sentence.
    pub fn explanation(self) -> &'static str {
        match self {
            Delivery::Image => "The whole image is distributed by us (a `docker save` tarball or our own registry): every layer, base image included, is ours to answer for.",
            Delivery::Layers => "Our layers are pushed to a registry that already serves the base image: only the layers we built are ours to answer for. Layers of unknown origin are counted as ours.",
            Delivery::Dockerfile => "Only the Dockerfile is distributed: no binaries, so no binary obligations; the Dockerfile itself needs a license.",
        }
    }
}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Delivery {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Delivery::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| format!("unknown delivery {s:?} (available: image, layers, dockerfile)"))
    }
}

/// The obligations of shipping one image in one delivery mode.
#[derive(Debug, Clone, Serialize)]
pub struct Obligations {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Which image.
    pub image: ImageRef,
    /// How it is shipped and which layers that distributes.
    pub delivery: DeliveryInfo,
    /// Counts for a first look.
    pub summary: Summary,
    /// Every duty that applies to at least one distributed package, with its explanation.
    pub duties: Vec<DutySummary>,
    /// The distributed packages, with what each asks.
    pub packages: Vec<PackageObligation>,
    /// The source packages to offer, each with the binaries it covers and how to get it.
    pub sources: Vec<SourceEntry>,
    /// License files outside packages, in distributed layers.
    pub files: Vec<FileObligation>,
    /// Packages in layers we do not distribute.
    pub not_distributed: Vec<NotDistributed>,
    /// Package versions still inside distributed layers although a later layer removed or
    /// replaced them: their files are shipped too.
    pub hidden: Vec<Hidden>,
    /// Duties that belong to no package (the Dockerfile's license in `dockerfile` mode).
    pub other_duties: Vec<String>,
}

/// The image, as the report names it.
#[derive(Debug, Clone, Serialize)]
pub struct ImageRef {
    /// As named on the command line.
    pub source: String,
    /// Config digest.
    pub config_digest: Option<String>,
    /// Tags.
    pub repo_tags: Vec<String>,
    /// `os-release` ID.
    pub os: Option<String>,
}

/// The delivery mode and its consequence.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryInfo {
    /// The mode.
    pub mode: Delivery,
    /// What it means.
    pub explanation: &'static str,
    /// Indexes of the layers we distribute.
    pub distributed_layers: Vec<usize>,
    /// Indexes of the layers we do not.
    pub not_distributed_layers: Vec<usize>,
}

/// Counts.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Packages in distributed layers.
    pub distributed_packages: usize,
    /// Packages in other layers.
    pub not_distributed_packages: usize,
    /// Distributed packages per heaviest identified category.
    pub by_category: BTreeMap<Category, usize>,
    /// Distributed packages with at least one unidentified license term.
    pub packages_with_unknown_terms: usize,
    /// Distributed packages that owe a source offer.
    pub packages_with_source_duty: usize,
    /// Source packages to offer.
    pub source_packages: usize,
}

/// A duty and how many distributed packages it applies to.
#[derive(Debug, Clone, Serialize)]
pub struct DutySummary {
    /// Identifier (`source-offer`, …).
    pub id: String,
    /// A few words.
    pub title: String,
    /// For people.
    pub text: String,
    /// Whether it is about source code.
    pub source: bool,
    /// How many distributed packages have it.
    pub packages: usize,
}

/// One distributed package and what it asks.
#[derive(Debug, Clone, Serialize)]
pub struct PackageObligation {
    /// `deb`, `rpm`, `apk`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Architecture.
    pub arch: Option<String>,
    /// Package URL.
    pub purl: String,
    /// The layer that introduced it.
    pub layer: usize,
    /// That layer's origin.
    pub origin: Origin,
    /// The concluded license expression.
    pub license: String,
    /// The files the license conclusion rests on (paths in the image).
    pub license_evidence: Vec<String>,
    /// The heaviest category of the identified terms that apply (`unknown` only when no
    /// term is identified; `categories` says whether some term is unidentified).
    pub category: Category,
    /// Every category of those terms.
    pub categories: Vec<Category>,
    /// What it asks, in the data's order.
    pub duties: Vec<String>,
    /// The terms that apply (after `OR` choices).
    pub terms: Vec<Term>,
    /// The `OR` choices made.
    pub choices: Vec<Choice>,
    /// The source package it belongs to (`name` and `version`), when it owes source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// How many copyright statements were collected for it.
    pub copyright_statements: usize,
}

impl PackageObligation {
    /// Whether it owes any kind of source offer.
    pub fn owes_source(&self, db: &Db) -> bool {
        self.duties.iter().any(|d| db.is_source_duty(d))
    }
}

/// A source package to offer.
#[derive(Debug, Clone, Serialize)]
pub struct SourceEntry {
    /// The package type of its binaries.
    #[serde(rename = "type")]
    pub kind: String,
    /// Source name (Debian `Source:`, the SRPM file, the apk origin).
    pub name: String,
    /// Source version, when the database records it.
    pub version: Option<String>,
    /// The aports commit (apk).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The source duties of its binaries, in the data's order.
    pub duties: Vec<String>,
    /// The distinct licenses of its binaries.
    pub licenses: Vec<String>,
    /// The layers its binaries came from.
    pub layers: Vec<usize>,
    /// The binaries it covers.
    pub packages: Vec<Covered>,
    /// How to get it.
    pub obtain: Obtain,
}

/// A binary package covered by a source entry.
#[derive(Debug, Clone, Serialize)]
pub struct Covered {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Architecture.
    pub arch: Option<String>,
    /// Layer.
    pub layer: usize,
    /// Origin of the layer.
    pub origin: Origin,
    /// Concluded license.
    pub license: String,
    /// Its source duties.
    pub duties: Vec<String>,
}

/// A license file found outside packages, in a distributed layer.
#[derive(Debug, Clone, Serialize)]
pub struct FileObligation {
    /// Path in the image.
    pub path: String,
    /// Layer.
    pub layer: usize,
    /// Origin of the layer.
    pub origin: Origin,
    /// The license it was identified as.
    pub license: String,
    /// Heaviest category.
    pub category: Category,
    /// Duties.
    pub duties: Vec<String>,
}

/// A package in a layer we do not distribute.
#[derive(Debug, Clone, Serialize)]
pub struct NotDistributed {
    /// `deb`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Layer.
    pub layer: usize,
    /// Origin of the layer.
    pub origin: Origin,
    /// Concluded license.
    pub license: String,
}

/// A package version shipped in a distributed layer but gone from the final filesystem.
#[derive(Debug, Clone, Serialize)]
pub struct Hidden {
    /// `deb`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// Name.
    pub name: String,
    /// The version shipped in the lower layer.
    pub version: String,
    /// The layer that added it, when known.
    pub layer: Option<usize>,
    /// What happened to it.
    pub reason: String,
}

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
    for p in &report.packages {
        let origin = p.origin;
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
        let e = expr::evaluate(
            db,
            p.license.concluded.as_str(),
            p.license.concluded.reason(),
        );
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
        .duties
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
            packages_with_source_duty: packages.iter().filter(|p| p.owes_source(db)).count(),
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
        .filter(|r| distributed.contains(&r.added_in))
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
            glibc.obtain.url.as_deref(),
            Some("https://snapshot.debian.org/package/glibc/2.36-9/")
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
        assert!("all".parse::<Delivery>().is_err());
        assert_eq!(Delivery::default(), Delivery::Image);
    }
}
