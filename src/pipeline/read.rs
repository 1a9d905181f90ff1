//! Reading an image: open the source and scan every distinct layer blob exactly once, in
//! parallel, the largest first.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::Options;
use crate::error::{Error, Location, Result};
use crate::license::warm::Warm;
use crate::scan::{self, CaptureRules, Expect, LayerScan, ScanError};
use crate::source::{self, Blob, Image, OpenOptions, Window};

/// An image with every layer scanned.
#[derive(Debug)]
pub struct Scanned {
    /// The opened image.
    pub image: Image,
    /// One scan per layer, bottom first; layers with the same blob share one scan.
    pub layers: Vec<Arc<LayerScan>>,
    /// License conclusions worked out while the layers were read.
    pub warm: Warm,
}

/// Opens `path` and scans each distinct layer blob exactly once, in parallel.
pub fn read_image(path: &Path, opts: &Options, rules: &CaptureRules) -> Result<Scanned> {
    // Captured license texts are matched on idle cores while the layers are still read.
    let warm = Warm::default();
    let rules = &rules.observed_by(Arc::new(warm.clone()));
    // A compressed image archive is read in one pass, its layers scanned on the way.
    let scanning = source::LayerScanning {
        rules,
        verify_all: opts.verify_all,
        progress: opts.progress,
    };
    let image = source::open_scanning(
        path,
        &OpenOptions {
            platform: opts.platform.clone(),
            verify: opts.verify,
        },
        &scanning,
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
    let prescanned = image
        .layers
        .iter()
        .all(|l| matches!(l.blob, Blob::Scanned(_)));
    let bar = (opts.progress && !prescanned).then(|| {
        crate::progress::progress_bar(
            distinct.iter().map(|&i| image.layers[i].size).sum(),
            "{spinner} reading {pos:>}/{len} layers' bytes {bar:30} {binary_bytes_per_sec} {eta}",
        )
    });
    // Largest blob first, one task each: the scan of the largest layer is the longest, so
    // it starts at once and the smaller ones fill the other cores around it.
    let mut order: Vec<usize> = (0..distinct.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(image.layers[distinct[k]].size));
    let mut scanned: Vec<(usize, Arc<LayerScan>)> = order
        .par_iter()
        .with_max_len(1)
        .map(|&k| {
            scan_one(&image, distinct[k], opts, rules, bar.as_ref()).map(|s| (k, Arc::new(s)))
        })
        .collect::<Result<_>>()?;
    scanned.sort_unstable_by_key(|(k, _)| *k);
    let scans: Vec<Arc<LayerScan>> = scanned.into_iter().map(|(_, s)| s).collect();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let layers = owner.iter().map(|&k| Arc::clone(&scans[k])).collect();
    Ok(Scanned {
        image,
        layers,
        warm,
    })
}

fn scan_one(
    image: &Image,
    i: usize,
    opts: &Options,
    rules: &CaptureRules,
    bar: Option<&indicatif::ProgressBar>,
) -> Result<LayerScan> {
    let spec = &image.layers[i];
    let located = |e: ScanError| image.layer_error(i, &e);
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
                full: opts.verify_all,
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
        Blob::Scanned(name) => image
            .take_scan(name)
            .ok_or_else(|| located(ScanError::Unsupported("layer blob was not read".into())))?,
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
