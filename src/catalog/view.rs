//! Reading the package databases of the filesystem *as of* a layer.
//!
//! [`Catalog::packages_as_of`] asks the overlay which layer supplies each database file in
//! the view of layer `i` and parses it. A file supplied by the same layer is parsed once and
//! shared by every view that sees it, so an image whose ten layers do not touch
//! `var/lib/dpkg/status` parses it once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::lang::{
    self, composer, gem, gobin, java, node, python, rustbin, Inspected, LangPackage,
};
use super::{apk, dpkg, os_release, rpm};
use crate::model::{Finding, Severity};
use crate::overlay::Overlay;
use crate::scan::capture::CaptureRulesBuilder;
use crate::scan::Content;

/// dpkg's status file.
pub const DPKG_STATUS: &str = "var/lib/dpkg/status";
/// Distroless per-package status files.
pub const DPKG_STATUS_D: &str = "var/lib/dpkg/status.d";
/// apk's database.
pub const APK_INSTALLED: &str = "lib/apk/db/installed";
/// rpm databases, in the order rpm itself prefers them.
pub const RPM_DBS: [&str; 6] = [
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages.db",
    "var/lib/rpm/Packages.db",
    "var/lib/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages",
];
/// os-release, and its fallback.
pub const OS_RELEASE: [&str; 2] = ["etc/os-release", "usr/lib/os-release"];

/// Adds the files the package catalogers read to a capture rule set.
pub fn want(rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
    let mut r = rules
        .want(DPKG_STATUS, 64 << 20)
        .want("var/lib/dpkg/status.d/*", 1 << 20)
        .want("var/lib/dpkg/info/*.list", 16 << 20)
        .want(APK_INSTALLED, 64 << 20)
        .want("etc/os-release", 64 << 10)
        .want("usr/lib/os-release", 64 << 10);
    for db in RPM_DBS {
        r = r.want(db, 512 << 20);
    }
    lang::want(r)
}

/// A package as a database records it, in one shape for every ecosystem.
#[derive(Debug, Clone, PartialEq)]
pub struct Cataloged {
    /// `deb`, `rpm`, `apk`, or a language package's kind (`python`, `npm`, …).
    pub kind: &'static str,
    /// Name.
    pub name: String,
    /// Full version (`epoch:version-release` for rpm, as dpkg writes it for deb).
    pub version: String,
    /// Architecture (empty when the database has none).
    pub arch: String,
    /// Source package name and version (Debian `Source:`, rpm `SOURCERPM`, apk origin).
    pub source: Option<(String, String)>,
    /// The license as the database states it (rpm, apk); Debian has none here.
    pub license: Option<String>,
    /// Who supplies it (Debian maintainer, rpm vendor, apk maintainer).
    pub supplier: Option<String>,
    /// Project homepage.
    pub homepage: Option<String>,
    /// apk: the aports commit the package was built from.
    pub commit: Option<String>,
    /// The database file and the layer that supplied it.
    pub db: (String, usize),
    /// What it depends on: groups of alternatives (names, virtual names, or file paths).
    pub depends: Vec<Vec<String>>,
    /// Names it provides besides its own.
    pub provides: Vec<String>,
    /// Files it installs (rpm and apk record them; dpkg keeps them in `.list` files).
    pub files: Vec<String>,
    /// For a language package: its purl and license conclusion.
    pub lang: Option<Arc<LangPackage>>,
}

/// A database parser: bytes, path and layer in; packages and warnings out.
type Parser = fn(&[u8], &str, usize) -> (Vec<Cataloged>, Vec<String>);

/// What was parsed from one database file.
#[derive(Debug, Default)]
struct Parsed {
    packages: Vec<Arc<Cataloged>>,
}

/// Reads package databases through an overlay, caching each parsed file.
pub struct Catalog<'o, 'a> {
    overlay: &'o Overlay<'a>,
    cache: HashMap<(usize, String), Arc<Parsed>>,
    /// The Python metadata directories each dpkg `.list` file owns.
    owned: HashMap<(usize, String), Arc<BTreeSet<String>>>,
    /// Notes about damaged or unreadable databases, each reported once.
    pub findings: Vec<Finding>,
}

impl<'o, 'a> Catalog<'o, 'a> {
    /// A catalog over `overlay`.
    pub fn new(overlay: &'o Overlay<'a>) -> Self {
        Catalog {
            overlay,
            cache: HashMap::new(),
            owned: HashMap::new(),
            findings: Vec::new(),
        }
    }

    /// The bytes of `path` as of layer `i`, with the supplying layer and resolved path.
    fn read(&mut self, path: &str, i: usize) -> Option<(usize, String, Arc<[u8]>)> {
        let found = match self.overlay.read(path, i) {
            Ok(Some(f)) => f,
            Ok(None) => return None,
            Err(e) => {
                self.note(
                    Finding::new("unresolvable-path", Severity::Warning, e.to_string())
                        .in_layer(i)
                        .at_path(path),
                );
                return None;
            }
        };
        match found.content {
            Some(Content::Data(d)) => Some((found.layer, found.path.to_string(), Arc::clone(d))),
            Some(Content::TooLarge { size, limit }) => {
                self.note(
                    Finding::new(
                        "database-too-large",
                        Severity::Error,
                        format!("{} is {size} bytes, more than the {limit}-byte limit; its packages are not listed", found.path),
                    )
                    .in_layer(found.layer)
                    .at_path(found.path),
                );
                None
            }
            None => None,
        }
    }

    fn note(&mut self, f: Finding) {
        if !self.findings.contains(&f) {
            self.findings.push(f);
        }
    }

    fn parsed(&mut self, layer: usize, path: &str, bytes: &[u8], parse: Parser) -> Arc<Parsed> {
        if let Some(p) = self.cache.get(&(layer, path.to_string())) {
            return Arc::clone(p);
        }
        let (packages, warnings) = parse(bytes, path, layer);
        for w in warnings {
            self.note(
                Finding::new("database-damaged", Severity::Warning, w)
                    .in_layer(layer)
                    .at_path(path),
            );
        }
        let p = Arc::new(Parsed {
            packages: packages.into_iter().map(Arc::new).collect(),
        });
        self.cache.insert((layer, path.to_string()), Arc::clone(&p));
        p
    }

    /// Every installed package in the view of layer `i`.
    pub fn packages_as_of(&mut self, i: usize) -> Vec<Arc<Cataloged>> {
        let mut out = Vec::new();
        if let Some((layer, path, bytes)) = self.read(DPKG_STATUS, i) {
            out.extend(
                self.parsed(layer, &path, &bytes, parse_dpkg)
                    .packages
                    .iter()
                    .cloned(),
            );
        }
        let status_d: Vec<String> = self
            .overlay
            .visible_under(DPKG_STATUS_D, i)
            .into_iter()
            .filter(|s| {
                let name = s.entry.path.rsplit('/').next().unwrap_or_default();
                s.entry.path.matches('/').count() == DPKG_STATUS_D.matches('/').count() + 1
                    && dpkg::is_status_d_control_file(name)
            })
            .map(|s| s.entry.path.clone())
            .collect();
        for p in status_d {
            if let Some((layer, path, bytes)) = self.read(&p, i) {
                out.extend(
                    self.parsed(layer, &path, &bytes, parse_dpkg)
                        .packages
                        .iter()
                        .cloned(),
                );
            }
        }
        if let Some((layer, path, bytes)) = self.read(APK_INSTALLED, i) {
            out.extend(
                self.parsed(layer, &path, &bytes, parse_apk)
                    .packages
                    .iter()
                    .cloned(),
            );
        }
        for db in RPM_DBS {
            if let Some((layer, path, bytes)) = self.read(db, i) {
                out.extend(
                    self.parsed(layer, &path, &bytes, parse_rpm)
                        .packages
                        .iter()
                        .cloned(),
                );
                break; // rpm uses one database; the others are leftovers of a migration
            }
        }
        let lang = self.lang_packages_as_of(i, &out);
        out.extend(lang);
        out
    }

    /// The language packages in the view of layer `i`: every captured metadata file and
    /// every inspected binary that layer `i`'s view still shows from the layer that wrote it.
    /// Python distributions whose metadata directory an OS package owns (dpkg `.list` files,
    /// rpm and apk file lists) are left to that package (`os` is the view's OS packages).
    fn lang_packages_as_of(&mut self, i: usize, os: &[Arc<Cataloged>]) -> Vec<Arc<Cataloged>> {
        let overlay = self.overlay;
        let mut out: Vec<Arc<Cataloged>> = Vec::new();
        for j in 0..=i {
            let Some(scan) = overlay.layer(j) else {
                continue;
            };
            let visible = |path: &str| overlay.entry(path, i).is_some_and(|s| s.layer == j);
            for (path, content) in &scan.captured {
                let parse: Parser = if python::is_metadata_path(path) {
                    parse_python
                } else if node::is_manifest_path(path) {
                    parse_node
                } else if gem::is_spec_path(path) {
                    parse_gem
                } else if composer::is_installed_path(path) {
                    parse_composer
                } else {
                    continue;
                };
                if !visible(path) {
                    continue;
                }
                match content {
                    Content::Data(d) => {
                        out.extend(self.parsed(j, path, d, parse).packages.iter().cloned());
                    }
                    Content::TooLarge { size, limit } => self.note(
                        Finding::new(
                            "lang-metadata-too-large",
                            Severity::Warning,
                            format!("{path} is {size} bytes, more than the {limit}-byte limit; its package is not listed"),
                        )
                        .in_layer(j)
                        .at_path(path),
                    ),
                }
            }
            for (path, found) in &scan.inspected {
                if !visible(path) {
                    continue;
                }
                let pkgs = match found {
                    Inspected::GoBuildInfo(bi) => gobin::packages(bi, path),
                    Inspected::Auditable(crates) => rustbin::packages(crates, path),
                    Inspected::Jar(info) => {
                        for n in &info.notes {
                            self.note(
                                Finding::new("archive-limit", Severity::Info, n.clone())
                                    .in_layer(j)
                                    .at_path(path),
                            );
                        }
                        java::packages(info, path, j)
                    }
                    Inspected::Unreadable(why) => {
                        self.note(
                            Finding::new("binary-unreadable", Severity::Info, why.clone())
                                .in_layer(j)
                                .at_path(path),
                        );
                        continue;
                    }
                };
                out.extend(
                    pkgs.into_iter()
                        .map(|p| Arc::new(lang_cataloged(p, path, j))),
                );
            }
        }
        if out.iter().any(|c| c.kind == "python") {
            let mut owned = BTreeSet::new();
            for deb in os.iter().filter(|c| c.kind == "deb") {
                owned.extend(
                    self.owned_python_dirs(i, &deb.name, &deb.arch)
                        .iter()
                        .cloned(),
                );
            }
            // rpm and apk databases list each package's files themselves.
            for p in os.iter().filter(|c| c.kind != "deb") {
                owned.extend(python::owned_metadata_dirs(&p.files));
            }
            out.retain(|c| c.kind != "python" || !owned.contains(python::metadata_dir(&c.db.0)));
        }
        out
    }

    /// The Python metadata directories (`*.dist-info`, `*.egg-info`) a Debian package's
    /// `.list` file names, as of layer `i`.
    fn owned_python_dirs(&mut self, i: usize, name: &str, arch: &str) -> Arc<BTreeSet<String>> {
        let candidates = [
            format!("var/lib/dpkg/info/{name}:{arch}.list"),
            format!("var/lib/dpkg/info/{name}.list"),
        ];
        for c in candidates {
            let Some((layer, path, bytes)) = self.read(&c, i) else {
                continue;
            };
            let key = (layer, path);
            if let Some(s) = self.owned.get(&key) {
                return Arc::clone(s);
            }
            let dirs: BTreeSet<String> =
                python::owned_metadata_dirs(&dpkg::parse_list(&bytes)).collect();
            let dirs = Arc::new(dirs);
            self.owned.insert(key, Arc::clone(&dirs));
            return dirs;
        }
        Arc::new(BTreeSet::new())
    }

    /// The os-release of the view of layer `i`.
    pub fn os_release(&mut self, i: usize) -> Option<os_release::OsRelease> {
        OS_RELEASE
            .iter()
            .find_map(|p| self.read(p, i))
            .map(|(_, _, bytes)| os_release::parse(&bytes).0)
    }
}

/// A language package in the catalog's common shape.
fn lang_cataloged(p: LangPackage, path: &str, layer: usize) -> Cataloged {
    Cataloged {
        kind: p.kind,
        name: p.name.clone(),
        version: p.version.clone(),
        arch: String::new(),
        source: None,
        license: p.license.declared.clone(),
        supplier: p.supplier.clone(),
        homepage: p.homepage.clone(),
        commit: None,
        db: (path.to_string(), layer),
        depends: p.depends.iter().map(|d| vec![d.clone()]).collect(),
        provides: Vec::new(),
        files: Vec::new(),
        lang: Some(Arc::new(p)),
    }
}

fn parse_python(bytes: &[u8], path: &str, layer: usize) -> (Vec<Cataloged>, Vec<String>) {
    let pkgs = python::package(bytes, path, layer).map(|p| lang_cataloged(p, path, layer));
    (pkgs.into_iter().collect(), Vec::new())
}

fn parse_node(bytes: &[u8], path: &str, layer: usize) -> (Vec<Cataloged>, Vec<String>) {
    let pkgs = node::package(bytes, path, layer).map(|p| lang_cataloged(p, path, layer));
    (pkgs.into_iter().collect(), Vec::new())
}

fn parse_gem(bytes: &[u8], path: &str, layer: usize) -> (Vec<Cataloged>, Vec<String>) {
    let pkgs = gem::package(bytes, path, layer).map(|p| lang_cataloged(p, path, layer));
    (pkgs.into_iter().collect(), Vec::new())
}

fn parse_composer(bytes: &[u8], path: &str, layer: usize) -> (Vec<Cataloged>, Vec<String>) {
    let pkgs = composer::packages(bytes, path, layer);
    let warnings = if pkgs.is_empty() && serde_json::from_slice::<serde_json::Value>(bytes).is_err()
    {
        vec!["not valid JSON; no Composer package is listed".to_string()]
    } else {
        Vec::new()
    };
    (
        pkgs.into_iter()
            .map(|p| lang_cataloged(p, path, layer))
            .collect(),
        warnings,
    )
}

fn parse_dpkg(bytes: &[u8], path: &str, layer: usize) -> (Vec<Cataloged>, Vec<String>) {
    let (pkgs, warnings) = dpkg::parse_status(bytes);
    let packages = pkgs
        .into_iter()
        .filter(|p| p.is_installed())
        .map(|p| {
            let groups = |r: &dpkg::Relation| -> Vec<Vec<String>> {
                r.groups
                    .iter()
                    .map(|g| g.iter().map(|d| d.name.clone()).collect())
                    .collect()
            };
            let mut depends = groups(&p.pre_depends);
            depends.extend(groups(&p.depends));
            Cataloged {
                kind: "deb",
                name: p.package.clone(),
                version: p.version.clone(),
                arch: p.architecture.clone().unwrap_or_default(),
                source: Some((p.source_name.clone(), p.source_version.clone())),
                license: None,
                supplier: p.maintainer.clone(),
                homepage: p.homepage.clone(),
                commit: None,
                db: (path.to_string(), layer),
                depends,
                provides: p.provides.names().map(str::to_string).collect(),
                files: Vec::new(),
                lang: None,
            }
        })
        .collect();
    (packages, warnings.iter().map(ToString::to_string).collect())
}

fn parse_apk(bytes: &[u8], path: &str, layer: usize) -> (Vec<Cataloged>, Vec<String>) {
    let (pkgs, warnings) = apk::parse_installed(bytes);
    let strip = |s: &str| -> String {
        let end = s.find(['<', '>', '=', '~']).unwrap_or(s.len());
        s[..end].to_string()
    };
    let packages = pkgs
        .into_iter()
        .map(|p| Cataloged {
            kind: "apk",
            source: p.origin.clone().map(|o| (o, p.version.clone())),
            name: p.name,
            version: p.version,
            arch: p.arch.unwrap_or_default(),
            license: p.license,
            supplier: p.maintainer,
            homepage: p.url,
            commit: p.commit,
            db: (path.to_string(), layer),
            depends: p
                .depends
                .iter()
                .filter(|d| !d.starts_with('!'))
                .map(|d| vec![strip(d)])
                .collect(),
            provides: p.provides.iter().map(|d| strip(d)).collect(),
            files: p.files,
            lang: None,
        })
        .collect();
    (packages, warnings.iter().map(ToString::to_string).collect())
}

fn parse_rpm(bytes: &[u8], path: &str, layer: usize) -> (Vec<Cataloged>, Vec<String>) {
    match rpm::read_rpmdb(bytes) {
        Ok((pkgs, warnings)) => {
            let packages = pkgs
                .into_iter()
                .filter(|p| !p.is_gpg_pubkey)
                .map(|p| Cataloged {
                    kind: "rpm",
                    version: p.evr(),
                    source: p.source_rpm.clone().map(|s| (s, String::new())),
                    arch: p.arch.clone().unwrap_or_default(),
                    license: p.license.clone(),
                    supplier: p.vendor.clone(),
                    homepage: p.url.clone(),
                    commit: None,
                    db: (path.to_string(), layer),
                    depends: p
                        .requires
                        .iter()
                        .filter(|d| !d.is_rpmlib())
                        .map(|d| vec![d.name.clone()])
                        .collect(),
                    provides: p.provides.iter().map(|d| d.name.clone()).collect(),
                    files: p.files.clone(),
                    lang: None,
                    name: p.name,
                })
                .collect();
            (
                packages,
                warnings.iter().map(|w| w.message.clone()).collect(),
            )
        }
        Err(e) => (
            Vec::new(),
            vec![format!("cannot read the rpm database: {e}")],
        ),
    }
}

/// The files a Debian package installs, from `var/lib/dpkg/info/NAME[:ARCH].list` as of
/// layer `as_of` (paths relative to the image root, directories included). `None` when the
/// image has no list for the package (distroless images drop them).
pub fn dpkg_files(overlay: &Overlay, as_of: usize, name: &str, arch: &str) -> Option<Vec<String>> {
    let candidates = [
        format!("var/lib/dpkg/info/{name}:{arch}.list"),
        format!("var/lib/dpkg/info/{name}.list"),
    ];
    candidates
        .iter()
        .find_map(|p| match overlay.read(p, as_of).ok()??.content? {
            Content::Data(d) => Some(
                dpkg::parse_list(d)
                    .into_iter()
                    .map(|f| f.trim_start_matches('/').to_string())
                    .filter(|f| !f.is_empty())
                    .collect(),
            ),
            Content::TooLarge { .. } => None,
        })
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
