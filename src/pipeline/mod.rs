//! The pipeline: open the image, scan every layer once in parallel, and assemble the report.
//!
//! This is the library's front door. The binary is a thin layer over [`scan`].

mod read;

pub use read::{read_image, read_image_checked, Scanned};

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::attribute::origin::{self, BaseDecision};
use crate::attribute::{attribute, Key, Placed};
use crate::cache::Cache;
use crate::catalog::os_release::OsRelease;
use crate::catalog::{self, resolve_dependencies, Catalog, Cataloged};
use crate::dockerfile::Dockerfile;
use crate::error::{Error, Location, Result};
use crate::license::conclude::{self, package as license_of};
use crate::license::files;
use crate::license::warm::Warm;
use crate::model::archive::SourceArchive;
use crate::model::obligations::{Delivery, Policy};
use crate::model::review::Review;
use crate::model::{
    BaseInfo, Bom, Finding, FindingKind, FoundIn, ImageInfo, LayerInfo, LayerRef, Origin, OsInfo,
    Package, PackageDelta, Platform, RemovedPackage, Report, Schema, Unsupplied, SCHEMA, VENDOR,
};
use crate::overlay::Overlay;
use crate::scan::{CaptureRules, Compression};
pub use crate::source::RegistryOptions;
use crate::source::{self, OpenOptions};

/// How to scan.
#[derive(Debug, Clone)]
pub struct Options {
    /// The platform to choose from a multi-platform image.
    pub platform: Option<Platform>,
    /// Check the digests the image declares that address content: manifests, configs, and
    /// the blobs of compressed layers (which are read whole anyway).
    pub verify: bool,
    /// Check every digest: also recompute each layer's diff_id, reading uncompressed layers
    /// whole instead of walking them by seeking past file contents.
    pub verify_all: bool,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// What an image may hold in all.
    pub budget: Budget,
    /// How to reach registries.
    pub registry: RegistryOptions,
    /// The layer cache, if one is used: layers it has are read back, not scanned.
    pub cache: Option<Arc<Cache>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            platform: None,
            verify: true,
            verify_all: false,
            progress: false,
            budget: Budget::default(),
            registry: RegistryOptions::default(),
            cache: None,
        }
    }
}

/// What one image may hold in all, whatever each layer holds: a hostile image can list a
/// small layer many times, and the overlay and catalogs work per layer. Past a limit the
/// scan stops with an error (exit 2) that names it and the option that raises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Layers in the image's manifest (`--max-layers`).
    pub layers: usize,
    /// Entries of every layer, each time the manifest lists the layer (`--max-entries`).
    pub entries: usize,
    /// Bytes of the files kept in memory for reading, over every distinct layer
    /// (`--max-captured`).
    pub captured: u64,
    /// Bytes of entry names, over every distinct layer (`--max-name-bytes`).
    pub names: u64,
    /// Packages in the package databases and metadata files, each file counted once
    /// (`--max-packages`).
    pub packages: usize,
}

impl Budget {
    /// Far above real images (Docker's storage drivers stop at 128 layers; large images hold
    /// a few hundred thousand files, names of some 80 bytes, package databases of tens of
    /// MB), low enough that the work they allow stays within a few hundred MB.
    pub const DEFAULT: Budget = Budget {
        layers: 1000,
        entries: 2_000_000,
        captured: 256 << 20,
        names: 256 << 20,
        packages: 50_000,
    };
}

impl Default for Budget {
    fn default() -> Self {
        Budget::DEFAULT
    }
}

/// The packages of the filesystem as of one layer, for attribution: identity, version and
/// the catalog's record.
type View = Arc<[(Key, String, Arc<Cataloged>)]>;

/// The native report: layers, packages attributed to layers, base-image boundary; an error
/// when the package databases and metadata files hold more packages than `budget` allows.
pub fn report(scanned: &Scanned, base_hints: &BaseHints, budget: &Budget) -> Result<Report> {
    let image = &scanned.image;
    base_hints.check_layers(image.layers.len())?;
    let config = image.config.as_ref();
    let mut findings = image.findings.clone();

    // Catalog every layer's view and compare consecutive ones.
    let overlay = Overlay::new(scanned.layers.iter().map(|l| l.as_ref()).collect());
    let mut catalog = Catalog::within(&overlay, budget.packages);
    // A layer that changes no package database (most do not) shares the view below it, so
    // that memory and time follow the distinct views, not layers × packages.
    let mut views: Vec<View> = Vec::with_capacity(overlay.len());
    let mut below: Vec<Arc<Cataloged>> = Vec::new();
    for i in 0..overlay.len() {
        let packages = catalog.packages_as_of(i);
        if let Some(over) = catalog.over_budget() {
            return Err(Error::input(
                Location {
                    image: image.source.clone(),
                    layer: Some(over.layer),
                    entry: Some(over.path.clone()),
                    ..Location::default()
                },
                format!(
                    "the image's package databases and metadata files list more than {} packages, over the budget (--max-packages); this file took the count past it",
                    over.limit
                ),
            ));
        }
        let same = packages.len() == below.len()
            && packages.iter().zip(&below).all(|(a, b)| Arc::ptr_eq(a, b));
        match views.last() {
            Some(previous) if same => views.push(Arc::clone(previous)),
            _ => views.push(
                packages
                    .iter()
                    .map(|c| {
                        let key = Key {
                            kind: c.kind.to_string(),
                            name: c.name.clone(),
                            arch: c.arch.clone(),
                        };
                        (key, c.version.clone(), Arc::clone(c))
                    })
                    .collect(),
            ),
        }
        below = packages;
    }
    let attribution = attribute(&views);
    let top = overlay.len().checked_sub(1);
    let os = top.and_then(|t| catalog.os_release(t));
    findings.append(&mut catalog.findings);

    // Which layers are the base image.
    let diff_ids: Vec<Option<String>> = image
        .layers
        .iter()
        .zip(&scanned.layers)
        .map(|(spec, scan)| spec.diff_id.clone().or_else(|| scan.diff_id.clone()))
        .collect();
    let no_history = Vec::new();
    let labels = config.map(|c| c.labels()).unwrap_or_default();
    let (base, mut base_findings) = origin::decide(&origin::Evidence {
        diff_ids: &diff_ids,
        history: config.map_or(&no_history, |c| &c.history),
        annotations: Some(&image.annotations),
        labels: Some(&labels),
        base_layers: base_hints.base_layers,
        base_image: base_hints.base_image.clone(),
        dockerfile: base_hints.dockerfile.as_ref().map(|(p, d)| (p.as_str(), d)),
    });
    findings.append(&mut base_findings);

    let mut layers: Vec<LayerInfo> = image
        .layers
        .iter()
        .zip(&scanned.layers)
        .enumerate()
        .map(|(index, (spec, scan))| {
            findings.extend(scan.findings.iter().cloned().map(|f| f.in_layer(index)));
            let declared = spec.media_type.as_deref().and_then(declared_compression);
            if let Some(declared) = declared.filter(|&d| d != scan.compression) {
                findings.push(
                    Finding::new(FindingKind::MediaTypeMismatch {
                        declared: declared.as_str().to_string(),
                        actual: scan.compression.as_str().to_string(),
                    })
                    .in_layer(index),
                );
            }
            let delta = attribution.deltas.get(index).cloned().unwrap_or_default();
            LayerInfo {
                index,
                diff_id: diff_ids[index].clone(),
                digest: spec.digest.clone().or_else(|| scan.blob_digest.clone()),
                media_type: spec.media_type.clone(),
                compression: scan.compression.as_str().to_string(),
                size: scan.blob_size,
                uncompressed_size: scan.tar_size,
                entries: scan.files.len(),
                whiteouts: scan.whiteouts.len() + scan.opaque_dirs.len(),
                created_by: spec.history.as_ref().and_then(|h| h.created_by.clone()),
                created: spec.history.as_ref().and_then(|h| h.created.clone()),
                comment: spec.history.as_ref().and_then(|h| h.comment.clone()),
                origin: base.origin(index),
                supplier: None,
                packages: PackageDelta {
                    added: delta.added,
                    upgraded: delta.upgraded,
                    removed: delta.removed,
                },
            }
        })
        .collect();

    let (supplier, mut supplier_findings) = suppliers(
        &mut layers,
        base_hints,
        &labels,
        &image.annotations,
        base.layers
            .and_then(|n| n.checked_sub(1))
            .and_then(|t| catalog.os_release(t)),
    );
    findings.append(&mut supplier_findings);
    let top = overlay.len().saturating_sub(1);
    let files: Vec<Option<Arc<[String]>>> = attribution
        .present
        .iter()
        .map(|p| catalog.files_of(top, &p.item))
        .collect();
    let packages = packages(
        &attribution.present,
        &layers,
        &base,
        &overlay,
        &scanned.warm,
        &files,
    );
    let origins: Vec<Origin> = layers.iter().map(|l| l.origin).collect();
    let (license_files, mut file_findings) = files::license_files(&overlay, &origins);
    findings.append(&mut file_findings);
    let removed_packages = attribution
        .removed
        .iter()
        .map(|r| RemovedPackage {
            kind: r.key.kind.clone(),
            name: r.key.name.clone(),
            version: r.version.clone(),
            arch: Some(r.key.arch.clone()).filter(|a| !a.is_empty()),
            added_in: r.added_in,
            removed_in: r.removed_in,
            replaced_by: r.replaced_by.clone(),
        })
        .collect();
    let mut report = Report {
        schema: Schema,
        image: ImageInfo {
            source: image.source.clone(),
            format: image.format.as_str().to_string(),
            compression: image.compression.map(|c| c.as_str().to_string()),
            config_digest: image.config_digest.clone(),
            manifest_digest: image.manifest_digest.clone(),
            repo_tags: image.repo_tags.clone(),
            platform: image.platform.clone(),
            created: config.and_then(|c| c.created.clone()),
            os: os.as_ref().and_then(|o| {
                Some(OsInfo {
                    id: o.id.clone()?,
                    version_id: o.version_id.clone(),
                    name: o.pretty_name.clone().or_else(|| o.name.clone()),
                })
            }),
            supplier,
            labels,
            annotations: image.annotations.clone(),
            registry: image.registry.clone(),
        },
        base: BaseInfo {
            method: base.method.to_string(),
            layers: base.layers,
            name: base.name.clone(),
            digest: base.digest.clone(),
            reason: base.reason.clone(),
        },
        layers,
        packages,
        removed_packages,
        license_files,
        findings,
    };
    let history = config.map_or(&[][..], |c| c.history.as_slice());
    let mut image_findings = crate::audit::image::findings(&report, &overlay, history, &files);
    report.findings.append(&mut image_findings);
    Ok(report)
}

/// The package entries of the report, with their licenses and resolved dependency edges;
/// `files` holds what each package installs, when its database says.
fn packages(
    present: &[Placed<Arc<Cataloged>>],
    layers: &[LayerInfo],
    base: &BaseDecision,
    overlay: &Overlay,
    warm: &Warm,
    files: &[Option<Arc<[String]>>],
) -> Vec<Package> {
    let top = overlay.len().saturating_sub(1);
    let items: Vec<Arc<Cataloged>> = present.iter().map(|p| Arc::clone(&p.item)).collect();
    let deps = resolve_dependencies(&items);
    // Concluding a license can mean matching texts: packages are concluded in parallel.
    present
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let c = &p.item;
            let (license, copyright) =
                license_of(&c.license, overlay, top, warm, files[i].as_deref());
            Package {
                kind: c.kind.to_string(),
                name: c.name.clone(),
                version: c.version.clone(),
                arch: Some(c.arch.clone()).filter(|a| !a.is_empty()),
                purl: c.purl.clone(),
                source: c.source.clone(),
                layer: LayerRef {
                    index: p.layer,
                    diff_id: layers.get(p.layer).and_then(|l| l.diff_id.clone()),
                },
                origin: base.origin(p.layer),
                upgraded_from: p.replaced.clone(),
                license,
                copyright,
                supplier: c.supplier.clone(),
                homepage: c.homepage.clone(),
                found_in: FoundIn {
                    path: c.db.0.clone(),
                    layer: c.db.1,
                },
                depends_on: deps[i].iter().map(|&j| items[j].purl.clone()).collect(),
                files: files[i].as_ref().map(|f| f.len()),
                offer: c.offer.clone(),
            }
        })
        .collect()
}

/// Who supplies the image and each layer.
///
/// The image, and every layer not known to be the base, is supplied by whoever ships the
/// image: `--supplier`, else the image's `org.opencontainers.image.vendor` label, else that
/// annotation. Base layers are supplied by the base image's vendor (`--base-image`'s vendor
/// label), else by the distribution their os-release names. What stays unknown is a finding.
fn suppliers(
    layers: &mut [LayerInfo],
    hints: &BaseHints,
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
    base_os: Option<OsRelease>,
) -> (Option<String>, Vec<Finding>) {
    let nonblank = |v: &String| !v.trim().is_empty();
    let image = hints
        .supplier
        .clone()
        .filter(nonblank)
        .or_else(|| labels.get(VENDOR).cloned().filter(nonblank))
        .or_else(|| annotations.get(VENDOR).cloned().filter(nonblank));
    let base = hints
        .base_vendor
        .clone()
        .or_else(|| base_os.and_then(|o| o.name.or(o.pretty_name)));
    let mut findings = Vec::new();
    for l in layers.iter_mut() {
        l.supplier = match l.origin {
            Origin::Base => base.clone(),
            _ => image.clone(),
        };
    }
    if image.is_none() {
        findings.push(Finding::new(FindingKind::SupplierUnknown(
            Unsupplied::Image,
        )));
    }
    if base.is_none() && layers.iter().any(|l| l.origin == Origin::Base) {
        findings.push(Finding::new(FindingKind::SupplierUnknown(
            Unsupplied::BaseLayers,
        )));
    }
    (image, findings)
}

/// What the user said about the base image.
#[derive(Debug, Clone, Default)]
pub struct BaseHints {
    /// `--base-layers N`.
    pub base_layers: Option<usize>,
    /// `--base-image IMAGE`: its name and diff_ids.
    pub base_image: Option<(String, Vec<String>)>,
    /// `--dockerfile FILE`: its path and parsed content.
    pub dockerfile: Option<(String, Dockerfile)>,
    /// `--supplier NAME`: who supplies (ships) this image.
    pub supplier: Option<String>,
    /// The `--base-image`'s `org.opencontainers.image.vendor` label.
    pub base_vendor: Option<String>,
}

impl BaseHints {
    /// Refuses a `--base-layers` count larger than the image's `layers`: the boundary the
    /// user gave cannot be drawn, so nothing the scan would say about origins could be
    /// trusted (a usage error, exit 2).
    pub fn check_layers(&self, layers: usize) -> Result<()> {
        match self.base_layers {
            Some(n) if n > layers => Err(Error::Usage(format!(
                "--base-layers {n} is more than the {layers} layer{} the image has: give at most {layers}",
                if layers == 1 { "" } else { "s" }
            ))),
            _ => Ok(()),
        }
    }

    /// Reads and parses `--dockerfile FILE`.
    pub fn with_dockerfile(mut self, path: &Path) -> Result<Self> {
        let name = path.display().to_string();
        let fail = |source: Box<dyn std::error::Error + Send + Sync>| Error::DockerfileOption {
            path: name.clone(),
            source,
        };
        let text = std::fs::read(path).map_err(|e| fail(e.into()))?;
        if text.len() > crate::dockerfile::MAX_SIZE {
            return Err(fail(crate::dockerfile::ParseError::TooLarge.into()));
        }
        let df = crate::dockerfile::parse(&String::from_utf8_lossy(&text))
            .map_err(|e| fail(e.into()))?;
        self.dockerfile = Some((name, df));
        Ok(self)
    }

    /// Reads the diff_ids of `--base-image` from its description alone: no layer is scanned
    /// (a compressed archive is read through, its layers passed over).
    pub fn with_base_image(mut self, path: &Path, opts: &Options) -> Result<Self> {
        let base = source::describe(
            path,
            &OpenOptions {
                platform: opts.platform.clone(),
                verify: opts.verify,
                progress: false,
                registry: opts.registry.clone(),
            },
        )?;
        let ids = base
            .config
            .as_ref()
            .map(|c| c.rootfs.diff_ids.clone())
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--base-image {}: a rootfs has no layers to compare",
                    path.display()
                ))
            })?;
        let name = base
            .repo_tags
            .first()
            .cloned()
            .unwrap_or_else(|| path.display().to_string());
        self.base_image = Some((name, ids));
        self.base_vendor = base
            .config
            .as_ref()
            .and_then(|c| c.labels().get(VENDOR).cloned())
            .or_else(|| base.annotations.get(VENDOR).cloned())
            .filter(|v| !v.trim().is_empty());
        Ok(self)
    }
}

/// The compression a layer media type declares, if it is a layer media type at all.
fn declared_compression(media_type: &str) -> Option<Compression> {
    if media_type.ends_with("+gzip") || media_type.ends_with(".tar.gzip") {
        Some(Compression::Gzip)
    } else if media_type.ends_with("+zstd") || media_type.ends_with(".tar.zstd") {
        Some(Compression::Zstd)
    } else if media_type.ends_with(".tar") {
        Some(Compression::None)
    } else {
        None
    }
}

/// The capture rules of every stage, built (their patterns compiled) once per process:
/// every scan, and the layer cache's fingerprint, use them.
pub fn capture_rules() -> CaptureRules {
    static RULES: OnceLock<CaptureRules> = OnceLock::new();
    RULES
        .get_or_init(|| {
            let rules = files::want(conclude::want(catalog::want(CaptureRules::builder())));
            crate::audit::secret::want(rules).build()
        })
        .clone()
}

/// The most bytes a native JSON document read back by [`archived`] may have.
pub const MAX_ARCHIVED: u64 = 1 << 30;

/// The report a scan wrote as its native JSON (`-o json`), read back from `path` (`-` for
/// standard input) so that every other document can be made from it without the image.
pub fn archived(path: &Path) -> Result<Report> {
    use std::io::Read;
    let name = path.display().to_string();
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(MAX_ARCHIVED + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_ARCHIVED + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| Error::input(archive_at(&name), format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > MAX_ARCHIVED {
        return Err(Error::input(
            archive_at(&name),
            format!("larger than {MAX_ARCHIVED} bytes, more than a {SCHEMA} document holds"),
        ));
    }
    read_archived(&bytes, &name)
}

/// The report of the native JSON document `bytes`, named `name` in errors: it must be of
/// [`SCHEMA`], follow the model's rules, and refer only to layers it lists.
pub fn read_archived(bytes: &[u8], name: &str) -> Result<Report> {
    let not_native = |e: String| {
        Error::input(
            archive_at(name),
            format!("not a {SCHEMA} document (-o json): {e}"),
        )
    };
    let report: Report = serde_json::from_slice(bytes).map_err(|e| not_native(e.to_string()))?;
    report.check_layers().map_err(not_native)?;
    Ok(report)
}

/// Where an error in the native JSON document `name` is.
fn archive_at(name: &str) -> Location {
    Location {
        image: name.to_string(),
        ..Location::default()
    }
}

/// The model every document is rendered from: `report`, the obligations of shipping it in
/// `delivery` mode (evaluated once, here), the approval checklist, and the date documents
/// carry (`source_date_epoch`, else the image's creation time); checked against no policy.
pub fn bom(report: Report, delivery: Delivery, source_date_epoch: Option<&str>) -> Bom {
    bom_with_policy(
        report,
        delivery,
        &Policy::default(),
        &Decisions::default(),
        source_date_epoch,
    )
}

/// What people decided for every scan, beyond the policy: the reviewers' decisions, the
/// approved base images and the source archives, from the configuration file or the
/// command line.
#[derive(Debug, Clone, Default)]
pub struct Decisions {
    /// The reviewers' decisions (`[review]`).
    pub review: Review,
    /// The file they were read from, as the evidence of a reviewer's conclusion names it.
    pub file: String,
    /// The approved base images, as references (`--approved-base`).
    pub approved_bases: Vec<String>,
    /// The archives that keep every source version, by distribution
    /// (`--source-archive`): the offers' URLs.
    pub source_archives: Vec<SourceArchive>,
}

/// [`bom`], with the `decisions` applied to the report (approved base images, then the
/// reviewers' license conclusions and acknowledgements, then the source archives' URLs) and the distributed packages
/// `policy` refuses (`--fail-on`, `--deny`) in the model, so that the report's verdict
/// counts them.
pub fn bom_with_policy(
    mut report: Report,
    delivery: Delivery,
    policy: &Policy,
    decisions: &Decisions,
    source_date_epoch: Option<&str>,
) -> Bom {
    crate::audit::approved::apply(&mut report, &decisions.approved_bases);
    crate::audit::review::apply(&mut report, &decisions.review, &decisions.file);
    catalog::source::locate(&mut report, &decisions.source_archives);
    let obligations = crate::obligations::evaluate(&report, delivery);
    let checklist = crate::audit::checklist::checklist(&report, &obligations);
    let glossary = crate::obligations::db().glossary.clone();
    let violations = crate::obligations::policy::check(&obligations, policy);
    Bom::new(
        report,
        obligations,
        checklist,
        glossary,
        policy.clone(),
        violations,
        source_date_epoch,
    )
}

/// Scans the image at `path` and returns the native report.
pub fn scan(path: &Path, opts: &Options, base: &BaseHints) -> Result<Report> {
    // A random-access source describes its layers before any is read: a --base-layers
    // past them is refused at once, not after the scan.
    let scanned = read_image_checked(path, opts, &capture_rules(), &|image| {
        base.check_layers(image.layers.len())
    })?;
    let report = report(&scanned, base, &opts.budget);
    // Freeing the layers' scans (every file index and captured file) takes milliseconds
    // that the documents need not wait for: the thread pool does it meanwhile.
    rayon::spawn(move || drop(scanned));
    report
}
