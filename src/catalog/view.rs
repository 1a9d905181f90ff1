//! Running every cataloger over the filesystem *as of* each layer.
//!
//! [`Catalog::packages_as_of`] builds a [`View`] of layer `i` (what the overlay shows at
//! that layer, and its os-release) and hands it to every cataloger in [`CATALOGERS`] order.
//! A cataloger reads its files through the view, which follows symlinks inside the image
//! root, reports files it cannot read as findings, and parses each file supplied by one
//! layer only once: an image whose ten layers do not touch `var/lib/dpkg/status` parses it
//! once, and every view that sees it shares the packages.
//!
//! One rule spans ecosystems: a package that an operating-system package installs itself
//! (a Python distribution in Debian's `python3-*`) is that OS package only, not listed
//! twice. Catalogers say which of their packages may be claimed ([`Cataloger::claim`]) and
//! which directories of an OS package's file list claim them ([`Cataloger::claimed_in`]).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::os_release::{self, OsRelease};
use super::purl::Vendor;
use super::{Cataloged, Cataloger, CATALOGERS};
use crate::model::{Finding, FindingKind};
use crate::overlay::Overlay;
use crate::scan::tar::Kind;
use crate::scan::{Content, Inspection};

/// A parser of one database or metadata file: its bytes, path and supplying layer, the
/// view's os-release, and how many packages the budget has left in; packages and warnings
/// about damaged records out. A parser of a file that can list many packages stops reading
/// once it has more than the budget left (the catalog then reports the file over budget).
pub type Parser =
    fn(&[u8], &str, usize, Option<&OsRelease>, usize) -> (Vec<Cataloged>, Vec<String>);

/// The distribution a view names, as far as it changes what a parser returns (purl
/// namespace and qualifiers, where sources are obtained).
type OsKey = Option<(Option<String>, Option<String>)>;

/// The packages of one file, shared by every view that sees it.
type Packages = Arc<[Arc<Cataloged>]>;

/// Reads package databases through an overlay, caching each parsed file.
pub struct Catalog<'o, 'a> {
    overlay: &'o Overlay<'a>,
    /// Packages parsed from a file, by supplying layer, path and distribution.
    parsed: HashMap<(usize, String, OsKey), Packages>,
    /// File lists read from a file, by supplying layer and path.
    lists: HashMap<(usize, String), Option<Arc<[String]>>>,
    /// Notes about damaged or unreadable databases, each reported once.
    pub findings: Vec<Finding>,
    /// How many more packages the files parsed may hold in all.
    packages_left: usize,
    /// The budget [`Catalog::within`] was given.
    limit: usize,
    /// The file whose packages went past [`Catalog::within`]'s budget, once one has.
    over: Option<OverBudget>,
}

/// The parsed files of an image held more packages than its budget allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverBudget {
    /// The budget: packages over every file parsed, each file once.
    pub limit: usize,
    /// The layer that supplied the file that went past it.
    pub layer: usize,
    /// That file.
    pub path: String,
}

/// The filesystem as of one layer, as a cataloger reads it.
pub struct View<'c, 'o, 'a> {
    catalog: &'c mut Catalog<'o, 'a>,
    layer: usize,
    os: Option<OsRelease>,
}

/// A file read through a view.
#[derive(Debug, Clone)]
pub struct Read {
    /// The layer that supplied it.
    pub layer: usize,
    /// Its path after following symlinks.
    pub path: String,
    /// Its content.
    pub bytes: Arc<Vec<u8>>,
}

impl<'o, 'a> Catalog<'o, 'a> {
    /// A catalog over `overlay`, without a budget.
    pub fn new(overlay: &'o Overlay<'a>) -> Self {
        Self::within(overlay, usize::MAX)
    }

    /// A catalog over `overlay` whose parsed files may hold `packages` packages in all, each
    /// file counted once however many views see it. Past that, files parse to nothing and
    /// [`Catalog::over_budget`] says which one went over.
    pub fn within(overlay: &'o Overlay<'a>, packages: usize) -> Self {
        Catalog {
            overlay,
            parsed: HashMap::new(),
            lists: HashMap::new(),
            findings: Vec::new(),
            packages_left: packages,
            over: None,
            limit: packages,
        }
    }

    /// The file whose packages went past the budget, if one has.
    pub fn over_budget(&self) -> Option<&OverBudget> {
        self.over.as_ref()
    }

    /// The view of layer `i`.
    pub fn view(&mut self, i: usize) -> View<'_, 'o, 'a> {
        let mut view = View {
            catalog: self,
            layer: i,
            os: None,
        };
        view.os = os_release::PATHS
            .iter()
            .find_map(|p| view.read(p))
            .map(|r| os_release::parse(&r.bytes).0);
        view
    }

    /// Every installed package in the view of layer `i`, by every cataloger.
    pub fn packages_as_of(&mut self, i: usize) -> Vec<Arc<Cataloged>> {
        let mut view = self.view(i);
        let found: Vec<(&dyn Cataloger, Vec<Arc<Cataloged>>)> = CATALOGERS
            .iter()
            .map(|&c| (c, c.catalog(&mut view)))
            .collect();
        let claims = found
            .iter()
            .any(|(c, pkgs)| pkgs.iter().any(|p| c.claim(p).is_some()));
        let claimed: BTreeSet<String> = if claims {
            let mut set = BTreeSet::new();
            for (c, pkgs) in &found {
                for p in pkgs {
                    let Some(files) = c.files(&mut view, p) else {
                        continue;
                    };
                    for (claimer, _) in &found {
                        set.extend(claimer.claimed_in(&files));
                    }
                }
            }
            set
        } else {
            BTreeSet::new()
        };
        found
            .into_iter()
            .flat_map(|(c, pkgs)| {
                pkgs.into_iter()
                    .filter(|p| c.claim(p).is_none_or(|d| !claimed.contains(d)))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The files `package` installs as of layer `i`, root-relative, when its database says.
    pub fn files_of(&mut self, i: usize, package: &Cataloged) -> Option<Arc<[String]>> {
        let cataloger = CATALOGERS.iter().find(|c| c.kind() == package.kind)?;
        let files = cataloger.files(&mut self.view(i), package)?;
        Some(
            files
                .iter()
                .map(|f| f.trim_start_matches('/'))
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect(),
        )
    }

    /// The os-release of the view of layer `i`.
    pub fn os_release(&mut self, i: usize) -> Option<OsRelease> {
        self.view(i).os
    }

    fn note(&mut self, f: Finding) {
        if !self.findings.contains(&f) {
            self.findings.push(f);
        }
    }
}

impl<'a> View<'_, '_, 'a> {
    /// The layer this view is as of.
    pub fn layer(&self) -> usize {
        self.layer
    }

    /// The view's os-release, when it has one.
    pub fn os(&self) -> Option<&OsRelease> {
        self.os.as_ref()
    }

    /// Notes something about the image (each distinct finding is kept once).
    pub fn note(&mut self, f: Finding) {
        self.catalog.note(f);
    }

    /// Notes, in the top view only (once per database), that the operating-system packages
    /// of type `kind` that `packages` holds, read from `database` as `layer` supplies it,
    /// belong to a distribution whose purl vendor the view's `os-release` does not give.
    pub fn check_vendor(
        &mut self,
        kind: &str,
        (database, layer): (&str, usize),
        packages: &[Arc<Cataloged>],
    ) {
        let top = self.catalog.overlay.len().saturating_sub(1);
        if packages.is_empty() || self.layer != top {
            return;
        }
        let id = match Vendor::of(self.os.as_ref()) {
            Vendor::Known(_) => return,
            Vendor::Unlisted(id) => Some(id),
            Vendor::Unstated => None,
        };
        self.note(
            Finding::new(FindingKind::UnknownDistribution {
                package_type: kind.to_string(),
                database: database.to_string(),
                id,
            })
            .in_layer(layer)
            .at_path(database),
        );
    }

    /// The content of `path`, following symlinks; `None` (with a finding when something is
    /// wrong) when the view has no such captured file.
    pub fn read(&mut self, path: &str) -> Option<Read> {
        let i = self.layer;
        let found = match self.catalog.overlay.read(path, i) {
            Ok(Some(f)) => f,
            Ok(None) => return None,
            Err(e) => {
                self.note(
                    Finding::new(FindingKind::UnresolvablePath { why: e.to_string() })
                        .in_layer(i)
                        .at_path(path),
                );
                return None;
            }
        };
        match found.content {
            Some(Content::Data(d)) => Some(Read {
                layer: found.layer,
                path: found.path.to_string(),
                bytes: Arc::clone(d),
            }),
            Some(Content::TooLarge { size, limit }) => {
                self.note(
                    Finding::new(FindingKind::DatabaseTooLarge {
                        path: found.path.to_string(),
                        size: *size,
                        limit: *limit,
                    })
                    .in_layer(found.layer)
                    .at_path(found.path),
                );
                None
            }
            None => None,
        }
    }

    /// The paths directly in directory `dir` that the view shows, sorted, as they are after
    /// following the symlinks on the way to `dir` (inside the image root).
    pub fn list_dir(&self, dir: &str) -> Vec<String> {
        let overlay = self.catalog.overlay;
        let dir = match overlay.resolve(dir, self.layer) {
            Ok(Some((resolved, s))) if s.entry.kind == Kind::Dir => resolved,
            // A directory the tar never listed (only files below it) resolves to nothing.
            _ => dir.to_string(),
        };
        overlay
            .visible_under(&dir, self.layer)
            .into_iter()
            .map(|s| s.entry.path.clone())
            .filter(|p| super::dir_of(p) == dir)
            .collect()
    }

    /// The packages of a file read through this view, parsed by `parse` once per supplying
    /// layer and distribution; its warnings become `database-damaged` findings.
    pub fn parse(&mut self, file: &Read, parse: Parser) -> Packages {
        self.parse_at(file.layer, &file.path, &file.bytes, parse)
    }

    fn parse_at(&mut self, layer: usize, path: &str, bytes: &[u8], parse: Parser) -> Packages {
        let os_key: OsKey = self
            .os
            .as_ref()
            .map(|o| (o.id.clone(), o.version_id.clone()));
        let key = (layer, path.to_string(), os_key);
        if let Some(p) = self.catalog.parsed.get(&key) {
            return Arc::clone(p);
        }
        if self.catalog.over.is_some() {
            return Arc::new([]);
        }
        let left = self.catalog.packages_left;
        let (packages, warnings) = parse(bytes, path, layer, self.os.as_ref(), left);
        if packages.len() > left {
            self.catalog.over = Some(OverBudget {
                limit: self.catalog.limit,
                layer,
                path: path.to_string(),
            });
            return Arc::new([]);
        }
        self.catalog.packages_left -= packages.len();
        for w in warnings {
            self.note(
                Finding::new(FindingKind::DatabaseDamaged { warning: w })
                    .in_layer(layer)
                    .at_path(path),
            );
        }
        let packages: Packages = packages.into_iter().map(Arc::new).collect();
        self.catalog.parsed.insert(key, Arc::clone(&packages));
        packages
    }

    /// A file list read through this view (the first of `candidates` that exists), parsed
    /// by `parse` once per supplying layer.
    pub fn file_list(
        &mut self,
        candidates: &[String],
        parse: fn(&[u8]) -> Vec<String>,
    ) -> Option<Arc<[String]>> {
        let i = self.layer;
        for c in candidates {
            let found = match self.catalog.overlay.read(c, i) {
                Ok(Some(f)) => f,
                _ => continue,
            };
            let key = (found.layer, found.path.to_string());
            if let Some(list) = self.catalog.lists.get(&key) {
                return list.clone();
            }
            let list = match found.content {
                Some(Content::Data(d)) => Some(parse(d).into()),
                _ => None,
            };
            self.catalog.lists.insert(key, list.clone());
            return list;
        }
        None
    }

    /// Every captured file that `wanted` accepts by path, in every layer up to this one, that
    /// this view still shows from the layer that wrote it, parsed by `parse`; a file over
    /// its capture cap is a `lang-metadata-too-large` finding.
    pub fn captured_packages(
        &mut self,
        wanted: fn(&str) -> bool,
        parse: Parser,
    ) -> Vec<Arc<Cataloged>> {
        let overlay = self.catalog.overlay;
        let mut out = Vec::new();
        for j in 0..=self.layer {
            let Some(scan) = overlay.layer(j) else {
                continue;
            };
            for (path, content) in &scan.captured {
                if !wanted(path) || !self.shows(path, j) {
                    continue;
                }
                match content {
                    Content::Data(d) => {
                        out.extend(self.parse_at(j, path, d, parse).iter().cloned())
                    }
                    Content::TooLarge { size, limit } => self.note(
                        Finding::new(FindingKind::LangMetadataTooLarge {
                            path: path.clone(),
                            size: *size,
                            limit: *limit,
                        })
                        .in_layer(j)
                        .at_path(path),
                    ),
                }
            }
        }
        out
    }

    /// What stream inspectors kept of the files of every layer up to this one that this
    /// view still shows from the layer that wrote them: (layer, path, inspection).
    pub fn inspected(&self) -> Vec<(usize, &'a str, &'a Inspection)> {
        let overlay = self.catalog.overlay;
        let mut out = Vec::new();
        for j in 0..=self.layer {
            let Some(scan) = overlay.layer(j) else {
                continue;
            };
            for (path, found) in &scan.inspected {
                if self.shows(path, j) {
                    out.push((j, path.as_str(), found));
                }
            }
        }
        out
    }

    /// Whether this view shows `path` as layer `j` wrote it.
    fn shows(&self, path: &str, j: usize) -> bool {
        self.catalog
            .overlay
            .entry(path, self.layer)
            .is_some_and(|s| s.layer == j)
    }
}
