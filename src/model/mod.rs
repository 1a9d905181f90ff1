//! The types that cross stages, and the native JSON document (`layerbom/v1`).
//!
//! The native JSON is a contract: other tools and our own tests read it. Fields are only
//! ever added. Its shape is described in DESIGN.md; every renderer works from [`Report`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub mod archive;
pub mod bom;
pub mod csv;
pub mod finding;
pub mod obligations;
pub mod review;

pub use bom::{plural, Answer, Bom, DatedBy, Decision, Reason, Status, Verdict};
pub use finding::{
    Check, Credentials, Fetch, Finding, FindingKind, ImageSet, SecretContent, SecretEvidence,
    Severity, Squash, SquashSign, StageRef, Unapproved, Unread, Unsupplied, Verified,
};

/// The schema name written into every native document.
pub const SCHEMA: &str = "layerbom/v1";

/// The config label and manifest annotation that name an image's vendor (its supplier).
pub const VENDOR: &str = "org.opencontainers.image.vendor";

/// An OS/architecture/variant triple, as in OCI descriptors and `--platform`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Platform {
    /// `linux`, `windows`, …
    pub os: String,
    /// `amd64`, `arm64`, …
    pub architecture: String,
    /// `v7`, `v8`, … when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    /// Parses `OS/ARCH[/VARIANT]`.
    pub fn parse(s: &str) -> Option<Platform> {
        let mut parts = s.split('/');
        let os = parts.next().filter(|p| !p.is_empty())?;
        let architecture = parts.next().filter(|p| !p.is_empty())?;
        let variant = parts.next().filter(|p| !p.is_empty()).map(str::to_string);
        if parts.next().is_some() {
            return None;
        }
        Some(Platform {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant,
        })
    }

    /// Parses `--platform`: `OS/ARCH[/VARIANT]`, or `ARCH` alone for `linux/ARCH`.
    pub fn parse_arg(s: &str) -> Option<Platform> {
        if s.contains('/') {
            Platform::parse(s)
        } else {
            Platform::parse(&format!("linux/{s}"))
        }
    }

    /// The platform Docker assumes by default.
    pub fn default_linux_amd64() -> Platform {
        Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// Where a layer came from: the base image (`FROM`) or our own Dockerfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Part of the base image.
    Base,
    /// Made by our own build.
    Authored,
    /// Not known.
    Unknown,
}

impl Origin {
    /// The name used in every document: `base`, `authored` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Base => "base",
            Origin::Authored => "authored",
            Origin::Unknown => "unknown",
        }
    }
}

/// The native JSON document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: Schema,
    /// What image this is.
    pub image: ImageInfo,
    /// How the base image was determined.
    pub base: BaseInfo,
    /// The layers, bottom first.
    pub layers: Vec<LayerInfo>,
    /// The packages in the image, each with the layer that introduced it.
    pub packages: Vec<Package>,
    /// Packages that a later layer removed.
    pub removed_packages: Vec<RemovedPackage>,
    /// License files found in the layers.
    pub license_files: Vec<LicenseFile>,
    /// Everything noticed on the way.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether every layer the report refers to is one it lists, each listed at its own
    /// index, and the base no larger than the image: what a scan always makes, and what a
    /// document read back must hold before documents are made from it.
    pub fn check_layers(&self) -> Result<(), String> {
        let count = self.layers.len();
        if let Some(l) = self.layers.iter().enumerate().find(|(i, l)| l.index != *i) {
            return Err(format!("layer {} is listed at index {}", l.1.index, l.0));
        }
        if self.base.layers.is_some_and(|n| n > count) {
            return Err(format!("the base has more layers than the image's {count}"));
        }
        let mut refs: Vec<(usize, String)> = Vec::new();
        for p in &self.packages {
            let what = || format!("package {} {}", p.name, p.version);
            refs.push((p.layer.index, what()));
            refs.push((p.found_in.layer, what()));
            refs.extend(
                p.license
                    .concluded
                    .evidence()
                    .iter()
                    .map(|e| (e.layer, what())),
            );
        }
        for r in &self.removed_packages {
            let what = format!("removed package {} {}", r.name, r.version);
            refs.extend([(r.added_in, what.clone()), (r.removed_in, what)]);
        }
        refs.extend(
            self.license_files
                .iter()
                .map(|f| (f.layer, format!("license file {}", f.path))),
        );
        refs.extend(
            self.findings
                .iter()
                .filter_map(|f| Some((f.layer?, format!("finding {}", f.kind.name())))),
        );
        match refs.into_iter().find(|(layer, _)| *layer >= count) {
            Some((layer, what)) => Err(format!(
                "{what} refers to layer {layer}, but the image has {count} layers"
            )),
            None => Ok(()),
        }
    }
}

/// The `schema` of a native document: written as [`SCHEMA`]; a document naming another
/// schema is not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema;

impl Serialize for Schema {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(SCHEMA)
    }
}

impl<'de> Deserialize<'de> for Schema {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        if name == SCHEMA {
            Ok(Schema)
        } else {
            Err(serde::de::Error::custom(format!(
                "the schema is {name:?}, not {SCHEMA:?}"
            )))
        }
    }
}

/// The image's identity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageInfo {
    /// The image as named on the command line.
    pub source: String,
    /// What kind of input it was (`docker-archive`, `oci-layout`, `rootfs-tar`, …).
    pub format: String,
    /// `gzip` or `zstd` when the image archive file as a whole was compressed
    /// (`docker save | gzip`); absent otherwise. A compressed rootfs tar is one layer, whose
    /// own `compression` says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
    /// Digest of the image config, when the image has one.
    pub config_digest: Option<String>,
    /// Digest of the image manifest, when the image has one.
    pub manifest_digest: Option<String>,
    /// Tags recorded in the archive.
    pub repo_tags: Vec<String>,
    /// The platform from the config.
    pub platform: Option<Platform>,
    /// Creation time from the config.
    pub created: Option<String>,
    /// Operating system from `os-release` (filled by the catalog stage).
    pub os: Option<OsInfo>,
    /// Who supplies (ships) the image: `--supplier`, else its vendor label or annotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// Config labels.
    pub labels: BTreeMap<String, String>,
    /// Manifest annotations.
    pub annotations: BTreeMap<String, String>,
    /// Where a registry image was pulled from; absent for every local input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<RegistryImage>,
}

/// The identity of an image pulled from a registry by reference.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RegistryImage {
    /// The reference in full, defaults filled in
    /// (`docker.io/library/debian:latest`, with `@sha256:…` when one was given).
    pub reference: String,
    /// The registry and repository (`registry[:port]/repository`).
    pub repository_url: String,
    /// The tag asked for, when one was (or `latest` by default, without a digest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The digest of the index (manifest list) the image was chosen from, for a
    /// multi-platform image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_digest: Option<String>,
    /// The image's package URL: `pkg:oci/NAME@sha256%3A…?repository_url=…&tag=…`, with the
    /// digest of the image manifest pulled.
    pub purl: String,
}

/// The distribution named by `os-release`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OsInfo {
    /// `ID`, e.g. `debian`.
    pub id: String,
    /// `VERSION_ID`, e.g. `12`.
    pub version_id: Option<String>,
    /// `PRETTY_NAME` or `NAME`.
    pub name: Option<String>,
}

/// How the base image was determined, and what it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaseInfo {
    /// `dockerfile`, `base-image`, `annotation`, `history`, `flag` or `none`.
    pub method: String,
    /// How many bottom layers belong to the base image, when known.
    pub layers: Option<usize>,
    /// The base image's name, when known.
    pub name: Option<String>,
    /// The base image's digest, when known.
    pub digest: Option<String>,
    /// What the decision rests on.
    pub reason: String,
}

/// One layer of the image.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LayerInfo {
    /// Position from the bottom, starting at 0.
    pub index: usize,
    /// Digest of the uncompressed tar.
    pub diff_id: Option<String>,
    /// Digest of the blob as stored.
    pub digest: Option<String>,
    /// Media type from the manifest, when it has one.
    pub media_type: Option<String>,
    /// Compression recognized from the blob's bytes.
    pub compression: String,
    /// Bytes of the blob as stored.
    pub size: u64,
    /// Bytes of the uncompressed tar, when the whole layer was read.
    pub uncompressed_size: Option<u64>,
    /// Number of entries (whiteouts excluded).
    pub entries: usize,
    /// Number of whiteouts and opaque-directory markers.
    pub whiteouts: usize,
    /// The history entry's `created_by`.
    pub created_by: Option<String>,
    /// The history entry's `created`.
    pub created: Option<String>,
    /// The history entry's `comment`.
    pub comment: Option<String>,
    /// Base image or ours.
    pub origin: Origin,
    /// Who supplies the layer: the base image's vendor or distribution for base layers, the
    /// image's supplier for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// What this layer did to the package set.
    pub packages: PackageDelta,
}

/// How many packages a layer added, upgraded and removed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PackageDelta {
    /// New packages.
    pub added: usize,
    /// Packages whose version changed.
    pub upgraded: usize,
    /// Packages removed.
    pub removed: usize,
}

/// A layer reference inside a package.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LayerRef {
    /// Layer index from the bottom.
    pub index: usize,
    /// The layer's diff_id.
    pub diff_id: Option<String>,
}

/// A source package reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// Source package name (Debian `Source:`, rpm SOURCERPM file, apk origin).
    pub name: String,
    /// Source version, when the database records it.
    pub version: Option<String>,
    /// The VCS commit the package was built from, when the database records it (apk `c:`,
    /// a commit of the distribution's recipe repository).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// The exact source to offer for a package (what copyleft licenses ask a distributor to
/// make available), and how to obtain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// The source package's name (Debian `Source:`, the SRPM file, the apk origin, or the
    /// package's own name).
    pub name: String,
    /// The version that identifies the exact source (empty when the name says it all, as an
    /// SRPM file name does).
    pub version: String,
    /// The VCS commit it was built from, when known (apk `c:`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// How to obtain it.
    pub obtain: Obtain,
}

/// How to obtain one source package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Obtain {
    /// A command that fetches it, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// A stable URL for this exact version, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The source package file, when the database names it (rpm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// What else to know.
    pub note: String,
}

impl Obtain {
    /// Only a note: there is no command or address for it.
    pub fn note(note: impl Into<String>) -> Self {
        Obtain {
            command: None,
            url: None,
            file: None,
            note: note.into(),
        }
    }
}

/// One piece of evidence behind a license conclusion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The file it was read from.
    pub path: String,
    /// The layer that supplied that file.
    pub layer: usize,
    /// How it was read (`rpm-license-tag`, `dep5`, …).
    pub method: String,
    /// How sure the method is, from 0 to 1.
    pub confidence: f64,
    /// The 1-based lines of the file that the conclusion quotes (in the license's
    /// `declared`), when it rests on particular lines rather than the whole file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<usize>,
    /// The parts of the file left out of the conclusion, each with the reason (the
    /// `Files:` stanzas of a Debian copyright file whose files this package does not
    /// install).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<Excluded>,
    /// The reviewer's reason and name, for a conclusion a person made (method `reviewer`,
    /// from the `[review]` of the configuration file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<review::Reviewed>,
}

/// A part of a license file left out of a package's conclusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    /// Its 1-based first line.
    pub line: usize,
    /// What it covers (a stanza's `Files:` patterns).
    pub files: String,
    /// The license it states, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Why it does not apply to the package.
    pub reason: String,
}

/// A package's license: what was declared, what is concluded, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct License {
    /// The license as the package states it, raw.
    pub declared: Option<String>,
    /// The declared license as an SPDX expression, when it could be normalized.
    pub declared_spdx: Option<String>,
    /// The conclusion: an SPDX expression with its evidence, or no assertion with the
    /// reason.
    pub concluded: Concluded,
    /// Full texts of the `LicenseRef-`s in the conclusion, when the package's own files
    /// give them (a DEP-5 `License:` paragraph), keyed by the `LicenseRef-`.
    pub texts: BTreeMap<String, String>,
}

/// What the license stage concluded about one package or file.
#[derive(Debug, Clone, PartialEq)]
pub enum Concluded {
    /// A valid SPDX expression, and what it rests on.
    Expression {
        /// The expression.
        expression: String,
        /// The evidence: at least one piece.
        evidence: Vec<Evidence>,
    },
    /// Nothing can be asserted without guessing.
    NoAssertion {
        /// Why: what was read and what was missing.
        reason: String,
    },
}

/// What SPDX and the native JSON write for a license that cannot be asserted.
pub const NOASSERTION: &str = "NOASSERTION";

impl Concluded {
    /// An expression resting on `evidence`.
    pub fn expression(expression: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Concluded::Expression {
            expression: expression.into(),
            evidence,
        }
    }

    /// No assertion, because of `reason`.
    pub fn none(reason: impl Into<String>) -> Self {
        Concluded::NoAssertion {
            reason: reason.into(),
        }
    }

    /// The expression, or `NOASSERTION`, as documents write it.
    pub fn as_str(&self) -> &str {
        match self {
            Concluded::Expression { expression, .. } => expression,
            Concluded::NoAssertion { .. } => NOASSERTION,
        }
    }

    /// The expression, when there is one.
    pub fn expression_str(&self) -> Option<&str> {
        match self {
            Concluded::Expression { expression, .. } => Some(expression),
            Concluded::NoAssertion { .. } => None,
        }
    }

    /// What the conclusion rests on (nothing for no assertion).
    pub fn evidence(&self) -> &[Evidence] {
        match self {
            Concluded::Expression { evidence, .. } => evidence,
            Concluded::NoAssertion { .. } => &[],
        }
    }

    /// Why nothing is asserted, when nothing is.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Concluded::Expression { .. } => None,
            Concluded::NoAssertion { reason } => Some(reason),
        }
    }

    /// "concluded by reviewer NAME: REASON", for a conclusion a reviewer made.
    pub fn reviewed(&self) -> Option<String> {
        self.evidence()
            .iter()
            .find_map(|e| e.reviewed.as_ref())
            .map(|r| format!("concluded by reviewer {}: {}", r.reviewer, r.reason))
    }
}

impl License {
    /// A license nothing was declared for and nothing can be concluded about.
    pub fn none(declared: Option<String>, reason: impl Into<String>) -> Self {
        License {
            declared,
            declared_spdx: None,
            concluded: Concluded::none(reason),
            texts: BTreeMap::new(),
        }
    }
}

/// The native JSON keeps the shape it had when the conclusion was a string: `concluded`
/// (an expression or `NOASSERTION`), `evidence` (empty without an expression) and
/// `reason` (only without one).
impl Serialize for License {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("License", 6)?;
        s.serialize_field("declared", &self.declared)?;
        if let Some(d) = &self.declared_spdx {
            s.serialize_field("declared_spdx", d)?;
        }
        s.serialize_field("concluded", self.concluded.as_str())?;
        s.serialize_field("evidence", self.concluded.evidence())?;
        if let Some(r) = self.concluded.reason() {
            s.serialize_field("reason", r)?;
        }
        if !self.texts.is_empty() {
            s.serialize_field("texts", &self.texts)?;
        }
        s.end()
    }
}

/// Reads the shape [`License`] writes; an expression without evidence, or `NOASSERTION`
/// without a reason, is not a conclusion layerbom makes and is refused.
impl<'de> Deserialize<'de> for License {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Written {
            declared: Option<String>,
            #[serde(default)]
            declared_spdx: Option<String>,
            concluded: String,
            evidence: Vec<Evidence>,
            #[serde(default)]
            reason: Option<String>,
            #[serde(default)]
            texts: BTreeMap<String, String>,
        }
        use serde::de::Error;
        let w = Written::deserialize(deserializer)?;
        let concluded = match (w.concluded.as_str(), w.reason) {
            (NOASSERTION, Some(reason)) if w.evidence.is_empty() => Concluded::none(reason),
            (NOASSERTION, _) => {
                return Err(D::Error::custom(
                    "a NOASSERTION license needs a reason and no evidence",
                ))
            }
            (_, None) if !w.evidence.is_empty() => Concluded::expression(w.concluded, w.evidence),
            (expression, _) => {
                return Err(D::Error::custom(format!(
                    "the license {expression:?} needs evidence and no reason"
                )))
            }
        };
        Ok(License {
            declared: w.declared,
            declared_spdx: w.declared_spdx,
            concluded,
            texts: w.texts,
        })
    }
}

/// A license, notice or copying file found in a layer, and what its text matches.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LicenseFile {
    /// Root-relative path.
    pub path: String,
    /// The layer that holds this copy of the file.
    pub layer: usize,
    /// Whether that layer is base or authored.
    pub origin: Origin,
    /// Whether the file is still visible in the final image (a later layer may delete or
    /// replace it; the copy is still in this layer and shipped with it).
    pub visible: bool,
    /// Size in bytes.
    pub size: u64,
    /// `sha256:` digest of the content.
    pub sha256: String,
    /// The licenses the text matches, joined with `AND`, or `NOASSERTION`.
    pub spdx: String,
    /// The best match's score, from 0 to 1 (0 when nothing matched).
    pub confidence: f64,
    /// Every license found in the text at or above the threshold, best first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<LicenseMatch>,
    /// Why `spdx` is `NOASSERTION`, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One license found in a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseMatch {
    /// SPDX id.
    pub spdx: String,
    /// Score, from 0 to 1.
    pub confidence: f64,
}

/// A package found in the image.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Package {
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
    /// The source package it was built from.
    pub source: Option<SourceRef>,
    /// The layer that introduced this version.
    pub layer: LayerRef,
    /// Whether that layer is the base image's or ours.
    pub origin: Origin,
    /// The version this one replaced in its layer, if it was an upgrade.
    pub upgraded_from: Option<String>,
    /// License conclusion with evidence.
    pub license: License,
    /// Copyright notices.
    pub copyright: Vec<String>,
    /// Maintainer or vendor.
    pub supplier: Option<String>,
    /// Project homepage.
    pub homepage: Option<String>,
    /// The database record it was read from.
    pub found_in: FoundIn,
    /// purls of the packages it depends on (as the database records them, resolved).
    pub depends_on: Vec<String>,
    /// How many files and directories the package database says the package installed
    /// (dpkg `.list` files, rpm and apk file lists), when it says.
    pub files: Option<usize>,
    /// The exact source to offer for it, and how to obtain it: what the obligations list,
    /// kept so that documents can be made again from the native JSON alone (`source` says
    /// what the database records).
    pub offer: Offer,
}

/// Where a package record was read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FoundIn {
    /// The database file.
    pub path: String,
    /// The layer that supplied that file in the top view.
    pub layer: usize,
}

/// A package version that a later layer removed, or replaced by another version (its files
/// are still in the layer that added it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemovedPackage {
    /// `deb`, `rpm`, `apk`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Name.
    pub name: String,
    /// Version removed.
    pub version: String,
    /// Architecture.
    pub arch: Option<String>,
    /// The layer that introduced it.
    pub added_in: usize,
    /// The layer that removed it.
    pub removed_in: usize,
    /// The version that replaced it in that layer, when it was upgraded (or downgraded)
    /// rather than removed: that package's `upgraded_from` names this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
}

impl RemovedPackage {
    /// Whether the package left the filesystem, rather than being replaced by another
    /// version of itself.
    pub fn is_removal(&self) -> bool {
        self.replaced_by.is_none()
    }
}

#[cfg(test)]
pub(crate) mod testutil;

#[cfg(test)]
mod tests {
    use super::Platform;

    #[test]
    fn platform_shorthand_is_linux() {
        assert_eq!(Platform::parse_arg("arm64"), Platform::parse("linux/arm64"));
        assert_eq!(
            Platform::parse_arg("linux/arm/v7")
                .unwrap()
                .variant
                .as_deref(),
            Some("v7")
        );
        assert_eq!(Platform::parse_arg("windows/amd64").unwrap().os, "windows");
        assert!(Platform::parse_arg("").is_none());
        assert!(Platform::parse_arg("linux/").is_none());
        assert!(Platform::parse_arg("a/b/c/d").is_none());
    }
}
