//! Catalogers: which packages the filesystem holds *as of* each layer.
//!
//! Every ecosystem is a folder with the same files: `mod.rs`, the [`Cataloger`] (which
//! files it reads, and how it turns them into packages for one layer's view), and
//! `parse.rs`, the parser of its database or metadata format, a pure function over bytes.
//! Real database files for the parsers' tests are in `test-fixtures/` beside them.
//!
//! | folder | ecosystem | reads |
//! |---|---|---|
//! | [`dpkg`] | Debian, Ubuntu, distroless | `var/lib/dpkg/status`, `status.d/*`, `info/*.list` |
//! | [`apk`] | Alpine, Wolfi, Chainguard | `lib/apk/db/installed`, `usr/lib/apk/db/installed` |
//! | [`rpm`] | Red Hat, Fedora, SUSE, Amazon Linux, Azure Linux | SQLite, BerkeleyDB and NDB rpm databases, the distroless `container-manifest-2` |
//! | [`python`] | pip, setuptools | `*.dist-info/METADATA`, `*.egg-info` |
//! | [`npm`] | npm, yarn, pnpm | `node_modules/**/package.json` |
//! | [`gem`] | RubyGems | `specifications/*.gemspec` |
//! | [`composer`] | Composer | `vendor/composer/installed.json` |
//! | [`golang`] | Go executables | build information, through the [`inspect`] stream inspector |
//! | [`cargo`] | cargo-auditable executables | `.dep-v0`, through the inspector |
//! | [`java`] | Maven artifacts in jars | `pom.properties`/`pom.xml`, through the inspector |
//!
//! A cataloger returns [`Cataloged`] packages that already carry everything later stages
//! need from the ecosystem: the purl, the source package and how to obtain it
//! ([`Offer`]), and what to conclude the license from ([`LicenseInput`]). No stage
//! after this one looks at an ecosystem's name to decide anything.
//!
//! [`CATALOGERS`] lists them; [`view::Catalog`] runs every one over every layer's view.
//! Adding an ecosystem is one new folder and one line in that list.

pub mod apk;
pub mod cargo;
pub mod composer;
pub mod dpkg;
pub mod elf;
pub mod gem;
pub mod golang;
pub mod inspect;
pub mod java;
pub mod npm;
pub mod os_release;
pub mod party;
pub mod purl;
pub mod python;
pub mod rpm;
pub mod source;
#[cfg(test)]
pub(crate) mod testutil;
pub mod view;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::model::{Obtain, Offer, SourceRef};
use crate::scan::capture::CaptureRulesBuilder;
use crate::scan::Inspector;
pub use view::{Catalog, View};

/// The largest metadata file captured for a language cataloger (METADATA, package.json,
/// gemspec); real ones are a few KiB, the largest METADATA files on PyPI about 200 KiB.
pub const MAX_METADATA: u64 = 1 << 20;

/// Every cataloger, in the order their packages are listed in a view.
pub static CATALOGERS: [&dyn Cataloger; 10] = [
    &dpkg::Dpkg,
    &apk::Apk,
    &rpm::Rpm,
    &python::Python,
    &npm::Npm,
    &gem::Gem,
    &composer::Composer,
    &golang::Golang,
    &cargo::Cargo,
    &java::Java,
];

/// One ecosystem's reader of package databases or metadata.
pub trait Cataloger: Sync {
    /// The package type the documents write (`deb`, `rpm`, `python`, …).
    fn kind(&self) -> &'static str;

    /// Asks the layer scan for the files this cataloger reads (paths, each with a size
    /// cap) and the stream inspectors it needs.
    fn want(&self, rules: CaptureRulesBuilder) -> CaptureRulesBuilder;

    /// The packages in the filesystem as `view` shows it.
    fn catalog(&self, view: &mut View) -> Vec<Arc<Cataloged>>;

    /// The files a package installs, as its database records them (root-relative, or
    /// absolute as the database writes them), when the database says.
    fn files(&self, _view: &mut View, package: &Cataloged) -> Option<Arc<[String]>> {
        (!package.files.is_empty()).then(|| package.files.iter().cloned().collect())
    }

    /// For a package that an operating-system package may itself install (a Python
    /// distribution in `dist-packages`): the directory it was found in, which that OS
    /// package's file list would name.
    fn claim<'p>(&self, _package: &'p Cataloged) -> Option<&'p str> {
        None
    }

    /// The directories among an OS package's `files` that claim packages of this
    /// cataloger (see [`Cataloger::claim`]).
    fn claimed_in(&self, _files: &[String]) -> Vec<String> {
        Vec::new()
    }
}

/// Adds what every cataloger reads to a capture rule set: files by path, and each distinct
/// stream inspector once.
pub fn want(mut rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
    rules = rules
        .want(os_release::PATHS[0], os_release::MAX_SIZE)
        .want(os_release::PATHS[1], os_release::MAX_SIZE);
    for c in CATALOGERS {
        rules = c.want(rules);
    }
    rules
}

/// Asks the scan for a package database at `path` (a glob) up to `max_size` bytes, both where
/// the path names it and wherever symlinks may really put it: a merged-`/usr` image keeps
/// `lib/apk/db/installed` as `usr/lib/apk/db/installed` under `lib -> usr/lib`, and a layer
/// may symlink `var/lib/dpkg` elsewhere. The scan cannot follow symlinks (one may come in a
/// later layer than the file), so it keeps every file whose path ends as the database's
/// own directory and name do (what follows the last `lib/` component: `**/dpkg/status`);
/// the view then reads the one the cataloger's path resolves to.
pub fn want_database(rules: CaptureRulesBuilder, path: &str, max_size: u64) -> CaptureRulesBuilder {
    let rules = rules.want(path, max_size);
    match path.rfind("lib/") {
        Some(i) if i == 0 || path[..i].ends_with('/') => {
            rules.want(&format!("**/{}", &path[i + "lib/".len()..]), max_size)
        }
        _ => rules,
    }
}

/// A package as a cataloger found it, in one shape for every ecosystem.
#[derive(Debug, Clone, PartialEq)]
pub struct Cataloged {
    /// The package type: the cataloger's [`Cataloger::kind`].
    pub kind: &'static str,
    /// Name as the ecosystem writes it (`@scope/name` for npm, `group:artifact` for maven).
    pub name: String,
    /// Full version (`epoch:version-release` for rpm, as dpkg writes it for deb).
    pub version: String,
    /// Architecture (empty when the ecosystem has none).
    pub arch: String,
    /// Package URL.
    pub purl: String,
    /// The source package it was built from, as its database records it.
    pub source: Option<SourceRef>,
    /// The exact source to offer for it, and how to obtain that source.
    pub offer: Offer,
    /// What to conclude its license from.
    pub license: LicenseInput,
    /// Who supplies it (Debian maintainer, rpm vendor, apk maintainer, author).
    pub supplier: Option<String>,
    /// Project homepage.
    pub homepage: Option<String>,
    /// The database or metadata file it was read from, and the layer that supplied it.
    pub db: (String, usize),
    /// What it depends on: groups of alternatives (names, virtual names, or file paths).
    pub depends: Vec<Vec<String>>,
    /// Names it provides besides its own.
    pub provides: Vec<String>,
    /// Files it installs, when its record lists them (rpm, apk); dpkg keeps them apart
    /// (see [`Cataloger::files`]).
    pub files: Vec<String>,
}

impl Cataloged {
    /// A language package: no architecture, and no source package apart from itself, at
    /// this exact version in its registry.
    pub fn language(
        kind: &'static str,
        purl: String,
        name: String,
        version: String,
        license: LicenseInput,
        (path, layer): (&str, usize),
    ) -> Cataloged {
        Cataloged {
            kind,
            offer: Offer {
                name: name.clone(),
                version: version.clone(),
                commit: None,
                obtain: Obtain::note(format!("no rule yet for obtaining the source of {kind} packages: take it from the package's own registry at this exact version")),
            },
            purl,
            name,
            version,
            arch: String::new(),
            source: None,
            license,
            supplier: None,
            homepage: None,
            db: (path.to_string(), layer),
            depends: Vec::new(),
            provides: Vec::new(),
            files: Vec::new(),
        }
    }

    /// The same package with its homepage, supplier and the names it depends on.
    pub fn with(
        mut self,
        homepage: Option<String>,
        supplier: Option<String>,
        depends: Vec<String>,
    ) -> Cataloged {
        self.homepage = homepage;
        self.supplier = supplier;
        self.depends = depends.into_iter().map(|d| vec![d]).collect();
        self
    }
}

/// What a package's record or files say about its license. The license stage alone turns
/// this into a conclusion; catalogers only say where the declaration is and in which
/// ecosystem's words.
#[derive(Debug, Clone, PartialEq)]
pub enum LicenseInput {
    /// A Debian copyright file: `usr/share/doc/PACKAGE/copyright` in the final image.
    CopyrightFile {
        /// The package whose documentation directory holds it.
        package: String,
    },
    /// What the package's own record declares, in its ecosystem's dialect.
    Declared {
        /// The declaration.
        declared: Declared,
        /// The file it was read from.
        path: String,
        /// The layer that supplied that file.
        layer: usize,
    },
    /// The ecosystem records no license for the package.
    Unrecorded {
        /// Why, for the reason of the `NOASSERTION`.
        reason: String,
    },
}

/// A license declaration, in the dialect of the ecosystem that wrote it.
#[derive(Debug, Clone, PartialEq)]
pub enum Declared {
    /// rpm's `License` tag: SPDX on current Fedora, Fedora's legacy abbreviations before.
    Rpm(Option<String>),
    /// rpm's `License` tag in a distribution whose packaging policy has long been to write
    /// SPDX there (SUSE): a tag that parses as SPDX is SPDX, even where a name in it also
    /// spells a legacy Fedora abbreviation (`MIT`).
    RpmSpdx(Option<String>),
    /// apk's `L:` field: mostly SPDX, with Alpine's own spellings.
    Apk(Option<String>),
    /// Python core metadata.
    Python {
        /// `License-Expression` (PEP 639): SPDX.
        expression: Option<String>,
        /// `License`: free text.
        license: Option<String>,
        /// `Classifier: License :: …` values.
        classifiers: Vec<String>,
        /// License files beside the metadata, matched when nothing else concludes.
        files: Vec<String>,
    },
    /// npm `package.json`.
    Npm {
        /// `license`: an SPDX expression, or `SEE LICENSE IN …`, or `UNLICENSED`.
        license: Option<String>,
        /// The legacy `licenses` array's `type`s, a choice.
        legacy: Vec<String>,
    },
    /// A gemspec's `license`/`licenses`.
    Gemspec(Vec<String>),
    /// Composer's `license` array, a choice when there are several.
    Composer(Vec<String>),
    /// A Maven artifact's `pom.xml` licenses, and the jar manifest's `Bundle-License`.
    Maven {
        /// `<license><name>` values.
        names: Vec<String>,
        /// `<license><url>` values.
        urls: Vec<String>,
        /// Where the pom is (`JAR!/META-INF/maven/…/pom.xml`).
        pom: String,
        /// `Bundle-License` of the archive that holds the artifact, with where the manifest is.
        bundle: Option<(String, String)>,
    },
}

/// Something in a line-oriented database file (apk `installed`, os-release) that was
/// skipped or guessed at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineWarning {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong and what was done about it.
    pub message: String,
}

impl fmt::Display for LineWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Resolves each package's dependencies to the packages that satisfy them in the same set:
/// by name, then by what packages provide, then (rpm, apk) by the files they own. Returns,
/// per package, the indexes it depends on.
pub fn resolve_dependencies(packages: &[Arc<Cataloged>]) -> Vec<Vec<usize>> {
    let mut by_name: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_name.entry((p.kind, p.name.as_str())).or_insert(i);
        for v in &p.provides {
            by_name.entry((p.kind, v.as_str())).or_insert(i);
        }
        for f in &p.files {
            by_name.entry((p.kind, f.as_str())).or_insert(i);
        }
    }
    packages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut deps: Vec<usize> = p
                .depends
                .iter()
                .filter_map(|group| {
                    group
                        .iter()
                        .find_map(|n| by_name.get(&(p.kind, n.as_str())).copied())
                })
                .filter(|&j| j != i)
                .collect();
            deps.sort_unstable();
            deps.dedup();
            deps
        })
        .collect()
}

/// The directory part of `path` (`""` at the root).
pub(crate) fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// The inspector of every cataloger that reads binaries as they stream past.
pub(crate) fn binary_inspector() -> Arc<dyn Inspector> {
    static INSPECTOR: std::sync::OnceLock<Arc<dyn Inspector>> = std::sync::OnceLock::new();
    Arc::clone(INSPECTOR.get_or_init(|| Arc::new(inspect::BinaryInspector)))
}
