//! The pipeline: open the image, scan every layer once in parallel, and assemble the report.
//!
//! This is the library's front door. The binary is a thin layer over [`scan`].

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Error, Location, Result};
use crate::model::{
    BaseInfo, Finding, ImageInfo, LayerInfo, Origin, Platform, Report, Severity, SCHEMA,
};
use crate::scan::{self, CaptureRules, Compression, Expect, LayerScan, ScanError};
use crate::source::{self, Blob, Image, OpenOptions, Window};

/// How to scan.
#[derive(Debug, Clone)]
pub struct Options {
    /// The platform to choose from a multi-platform image.
    pub platform: Option<Platform>,
    /// Check every digest the image declares (manifests, configs, blobs, diff_ids).
    pub verify: bool,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            platform: None,
            verify: true,
            progress: false,
        }
    }
}

/// An image with every layer scanned.
#[derive(Debug)]
pub struct Scanned {
    /// The opened image.
    pub image: Image,
    /// One scan per layer, bottom first; layers with the same blob share one scan.
    pub layers: Vec<Arc<LayerScan>>,
}

/// Opens `path` and scans each distinct layer blob exactly once, in parallel.
pub fn read_image(path: &Path, opts: &Options, rules: &CaptureRules) -> Result<Scanned> {
    let image = source::open(
        path,
        &OpenOptions {
            platform: opts.platform.clone(),
            verify: opts.verify,
        },
    )?;
    // The first layer index of every distinct blob.
    let mut distinct: Vec<usize> = Vec::new();
    let mut owner: Vec<usize> = Vec::with_capacity(image.layers.len());
    for (i, l) in image.layers.iter().enumerate() {
        match distinct
            .iter()
            .position(|&d| image.layers[d].blob == l.blob)
        {
            Some(k) => owner.push(k),
            None => {
                owner.push(distinct.len());
                distinct.push(i);
            }
        }
    }
    let bar = opts.progress.then(|| {
        let total = distinct.iter().map(|&i| image.layers[i].size).sum();
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} reading {pos:>}/{len} layers' bytes {bar:30} {binary_bytes_per_sec} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let scans: Vec<Arc<LayerScan>> = distinct
        .par_iter()
        .map(|&i| scan_one(&image, i, opts, rules, bar.as_ref()).map(Arc::new))
        .collect::<Result<_>>()?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let layers = owner.iter().map(|&k| Arc::clone(&scans[k])).collect();
    Ok(Scanned { image, layers })
}

fn scan_one(
    image: &Image,
    i: usize,
    opts: &Options,
    rules: &CaptureRules,
    bar: Option<&indicatif::ProgressBar>,
) -> Result<LayerScan> {
    let spec = &image.layers[i];
    let located = |e: ScanError| {
        let entry = match &e {
            ScanError::Tar(t) => t.entry().map(str::to_string),
            ScanError::Duplicate(p) => Some(p.clone()),
            _ => None,
        };
        Error::input(
            Location {
                image: image.source.clone(),
                file: Some(spec.blob.display_name()),
                layer: Some(i),
                entry,
            },
            e.to_string(),
        )
    };
    let open_err = |e: std::io::Error| located(ScanError::Tar(scan::tar::TarError::Io(e)));
    let mut result = match &spec.blob {
        Blob::Member(name) => {
            let window = image.open_member(name).map_err(|e| {
                Error::input(
                    Location {
                        image: image.source.clone(),
                        file: Some(name.clone()),
                        layer: Some(i),
                        entry: None,
                    },
                    format!("layer blob {e}"),
                )
            })?;
            let expect = Expect {
                blob_digest: spec.digest.clone(),
                diff_id: spec.diff_id.clone(),
                verify: opts.verify,
                always_hash: false,
            };
            scan::scan_layer(window, &expect, rules, bar).map_err(located)?
        }
        Blob::File(path) => {
            let len = std::fs::metadata(path).map_err(open_err)?.len();
            let window = Window::open(path, 0, len).map_err(open_err)?;
            let expect = Expect {
                always_hash: true,
                ..Expect::default()
            };
            scan::scan_layer(window, &expect, rules, bar).map_err(located)?
        }
        Blob::Tree(path) => scan::tree::scan_tree(path, rules).map_err(located)?,
    };
    result.blob_size = match spec.blob {
        // A directory has no blob: its size is what its files hold.
        Blob::Tree(_) => result.files.iter().map(|f| f.size).sum(),
        _ => spec.size,
    };
    for f in &mut result.findings {
        f.layer = Some(i);
    }
    Ok(result)
}

/// The native report of what the pipeline knows so far.
pub fn report(scanned: &Scanned) -> Report {
    let image = &scanned.image;
    let config = image.config.as_ref();
    let mut findings = image.findings.clone();
    let layers = image
        .layers
        .iter()
        .zip(&scanned.layers)
        .enumerate()
        .map(|(index, (spec, scan))| {
            findings.extend(scan.findings.iter().cloned().map(|f| f.in_layer(index)));
            let declared = spec.media_type.as_deref().and_then(declared_compression);
            if let Some(declared) = declared.filter(|&d| d != scan.compression) {
                findings.push(
                    Finding::new(
                        "media-type-mismatch",
                        Severity::Warning,
                        format!(
                            "the manifest says the layer is {} compressed, but its bytes are {}; read as {}",
                            declared.as_str(),
                            scan.compression.as_str(),
                            scan.compression.as_str()
                        ),
                    )
                    .in_layer(index),
                );
            }
            LayerInfo {
                index,
                diff_id: spec.diff_id.clone().or_else(|| scan.diff_id.clone()),
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
                origin: Origin::Unknown,
            }
        })
        .collect();
    Report {
        schema: SCHEMA,
        image: ImageInfo {
            source: image.source.clone(),
            format: image.format.as_str().to_string(),
            config_digest: image.config_digest.clone(),
            manifest_digest: image.manifest_digest.clone(),
            repo_tags: image.repo_tags.clone(),
            platform: image.platform.clone(),
            created: config.and_then(|c| c.created.clone()),
            os: None,
            labels: config.map(|c| c.labels()).unwrap_or_default(),
            annotations: image.annotations.clone(),
        },
        base: BaseInfo {
            method: "none".into(),
            layers: None,
            name: None,
            digest: None,
        },
        layers,
        packages: Vec::new(),
        removed_packages: Vec::new(),
        license_files: Vec::new(),
        findings,
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

/// Scans the image at `path` and returns the native report.
pub fn scan(path: &Path, opts: &Options) -> Result<Report> {
    let rules = CaptureRules::default();
    let scanned = read_image(path, opts, &rules)?;
    Ok(report(&scanned))
}
