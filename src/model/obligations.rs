//! What shipping an image obliges its distributor to do, as the obligations stage
//! concludes it: the types every obligations document and the approval report print.
//! The rules that produce them are in [`crate::obligations`].

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Obtain, Origin};

/// How much a license asks of a distributor, from nothing to "ask a lawyer".
///
/// The order is the order of weight: `OR` choices pick the lighter branch, and a package's
/// category is the heaviest of its terms'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// No license applies.
    PublicDomain,
    /// Keep the notices.
    Permissive,
    /// The covered library or files stay open.
    WeakCopyleft,
    /// The whole work's source goes with the binaries.
    StrongCopyleft,
    /// Strong copyleft that reaches network users.
    NetworkCopyleft,
    /// Not an open source license.
    NonFree,
    /// Not identified exactly.
    Unknown,
}

impl Category {
    /// Every category, lightest first.
    pub const ALL: [Category; 7] = [
        Category::PublicDomain,
        Category::Permissive,
        Category::WeakCopyleft,
        Category::StrongCopyleft,
        Category::NetworkCopyleft,
        Category::NonFree,
        Category::Unknown,
    ];

    /// The name used in data, documents and `--fail-on`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::PublicDomain => "public-domain",
            Category::Permissive => "permissive",
            Category::WeakCopyleft => "weak-copyleft",
            Category::StrongCopyleft => "strong-copyleft",
            Category::NetworkCopyleft => "network-copyleft",
            Category::NonFree => "non-free",
            Category::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// No category has the name asked for (`--fail-on`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category {name:?} (available: {})", Category::ALL.map(Category::as_str).join(", "))]
pub struct UnknownCategory {
    /// The name asked for, trimmed.
    pub name: String,
}

impl FromStr for Category {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Category::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownCategory {
                name: s.to_string(),
            })
    }
}

/// A category's or a duty's title and explanation, as the documents print them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Described {
    /// The identifier (`permissive`, `source-offer`, …).
    pub id: String,
    /// A label of two or three words, for table cells (duties only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub short: String,
    /// A few words.
    pub title: String,
    /// A sentence or two for people.
    pub text: String,
}

/// The titles and explanations of every category and duty, as documents print them (from
/// `license-db/obligations.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glossary {
    categories: Vec<Described>,
    duties: Vec<Described>,
}

/// Why a glossary cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlossaryError {
    /// The categories are not every [`Category`], once each, lightest first.
    #[error("categories must be {expected:?} in that order, not {found:?}")]
    Categories {
        /// Every category's name, in order.
        expected: Vec<&'static str>,
        /// The names given.
        found: Vec<String>,
    },
    /// A duty has no short label for table cells.
    #[error("duty {0:?} has no short label")]
    NoShortLabel(String),
}

impl Glossary {
    /// A glossary of `categories` (one per [`Category`], lightest first) and `duties`
    /// (in the order documents list them, each with a short label).
    pub fn new(categories: Vec<Described>, duties: Vec<Described>) -> Result<Self, GlossaryError> {
        let expected: Vec<&'static str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        if categories
            .iter()
            .map(|c| c.id.as_str())
            .ne(expected.iter().copied())
        {
            return Err(GlossaryError::Categories {
                expected,
                found: categories.into_iter().map(|c| c.id).collect(),
            });
        }
        if let Some(d) = duties.iter().find(|d| d.short.is_empty()) {
            return Err(GlossaryError::NoShortLabel(d.id.clone()));
        }
        Ok(Glossary { categories, duties })
    }

    /// A category's title and explanation.
    pub fn category(&self, c: Category) -> &Described {
        // `new` made sure there is one per category, in order.
        &self.categories[c as usize]
    }

    /// Every category, lightest first.
    pub fn categories(&self) -> &[Described] {
        &self.categories
    }

    /// A duty's title and explanation.
    pub fn duty(&self, id: &str) -> Option<&Described> {
        self.duties.iter().find(|d| d.id == id)
    }

    /// Every duty, in the order documents list them.
    pub fn duties(&self) -> &[Described] {
        &self.duties
    }
}

/// One license term the distributor must honour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    /// The license as written (`GPL-2.0-or-later`, `MPL-1.1+`, `LicenseRef-…`).
    pub license: String,
    /// The `WITH` exception, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    /// Its category, after the exception.
    pub category: Category,
    /// What it asks, in the data's duty order.
    pub duties: Vec<String>,
    /// The clauses this rests on, or why the term is unknown.
    pub basis: String,
    /// True for a `LicenseRef-…-exception` written as an `AND` term: it only grants
    /// permissions, and takes no part in the package's category.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub grant_only: bool,
}

impl Term {
    /// The term as an SPDX expression: the license, with ` WITH <exception>` when it has one.
    pub fn expression(&self) -> String {
        match &self.exception {
            Some(e) => format!("{} WITH {e}", self.license),
            None => self.license.clone(),
        }
    }
}

/// An `OR` the distributor may choose from, and what was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The branches offered, as expressions.
    pub offered: Vec<String>,
    /// The branch picked.
    pub picked: String,
    /// Why it was picked.
    pub reason: String,
}

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

/// No delivery mode has the name asked for (`--delivery`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown delivery {name:?} (available: {})", Delivery::ALL.map(Delivery::as_str).join(", "))]
pub struct UnknownDelivery {
    /// The name asked for.
    pub name: String,
}

impl FromStr for Delivery {
    type Err = UnknownDelivery;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Delivery::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| UnknownDelivery {
                name: s.to_string(),
            })
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
    /// The category of every package in the image, distributed or not, by purl (the
    /// approval report shows them all).
    #[serde(skip)]
    pub categories: BTreeMap<String, Category>,
    /// What the source bundle given with `--sources` holds of the source owed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<BundleSummary>,
}

/// What a source bundle (`layerbom sources`, read back with `--sources DIR`) holds of the
/// source packages owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleSummary {
    /// The bundle's directory, as given.
    pub path: String,
    /// Source packages whole, each file as its index says, the `.dsc` verified through the
    /// archive's signed index.
    pub verified: usize,
    /// Source packages whole, each file as its index says, the `.dsc` not verified through a
    /// signed index.
    pub present: usize,
    /// Source packages some of whose files are missing or not as the index says.
    pub incomplete: usize,
    /// Source packages the bundle does not hold.
    pub missing: usize,
}

/// What a source bundle holds of one source package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Held {
    /// Whole, and signed by the distribution: its `.dsc` through the archive's signed
    /// index, or the source RPM by a key given.
    Verified,
    /// Whole, its files checked against its `.dsc` (or an rpm's or a recipe archive's own
    /// digests, commit and version), which no signature vouches for.
    Present,
    /// Some of its files are missing or changed.
    Incomplete,
    /// Not in the bundle.
    Missing,
}

impl Held {
    /// The name documents use.
    pub fn as_str(self) -> &'static str {
        match self {
            Held::Verified => "verified",
            Held::Present => "present",
            Held::Incomplete => "incomplete",
            Held::Missing => "missing",
        }
    }
}

/// One source package in a source bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InBundle {
    /// What the bundle holds of it.
    pub held: Held,
    /// Its folder in the bundle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    /// How many of its files are there, as the index says.
    pub files: usize,
    /// What is wrong, file by file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
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
    /// The commit of the recipe repository it was built from (apk: aports, wolfi-dev/os).
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
    /// What the source bundle given with `--sources` holds of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<InBundle>,
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

/// What the pipeline refuses to ship (`--fail-on`, `--deny`): the documents say which
/// policy the image was checked against, and the report's verdict counts it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// Categories that fail the scan.
    pub fail_on: Vec<Category>,
    /// Whether a base image that is not approved fails the scan (`--fail-on
    /// unapproved-base`).
    pub unapproved_base: bool,
    /// License or exception identifiers that fail the scan.
    pub deny: Vec<String>,
    /// Licenses reviewers accepted (`[[review.accept]]`): no `--fail-on` category refuses a
    /// term under them; `--deny` still does.
    pub accepted: Vec<super::review::Accepted>,
}

impl Policy {
    /// Whether the policy checks anything.
    pub fn is_empty(&self) -> bool {
        self.fail_on.is_empty() && self.deny.is_empty() && !self.unapproved_base
    }

    /// The rules as the command line spells them: `--fail-on strong-copyleft`,
    /// `--fail-on unapproved-base`, `--deny GPL-3.0`.
    pub fn rules(&self) -> Vec<String> {
        self.fail_on
            .iter()
            .map(|c| format!("--fail-on {c}"))
            .chain(
                self.unapproved_base
                    .then(|| format!("--fail-on {UNAPPROVED_BASE}")),
            )
            .chain(self.deny.iter().map(|d| format!("--deny {}", d.trim())))
            .collect()
    }
}

/// The `--fail-on` value that refuses a base image that is not approved.
pub const UNAPPROVED_BASE: &str = "unapproved-base";

/// One distributed package (or license file) that the policy refuses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// Package name, or the file's path.
    pub package: String,
    /// Package version (empty for a file).
    pub version: String,
    /// Layer.
    pub layer: usize,
    /// That layer's origin.
    pub origin: Origin,
    /// The concluded license.
    pub license: String,
    /// The category of the matching term.
    pub category: Category,
    /// The rule that matched: `fail-on CATEGORY` or `deny ID`.
    pub rule: String,
    /// The term that matched, and why it has that category.
    pub reason: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.version.is_empty() {
            self.package.clone()
        } else {
            format!("{} {}", self.package, self.version)
        };
        write!(
            f,
            "{what} (layer {}, {}): license {}, category {}: matches --{}: {}",
            self.layer,
            self.origin.as_str(),
            self.license,
            self.category,
            self.rule,
            self.reason
        )
    }
}
