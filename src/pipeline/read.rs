//! Reading an image: open the source, and scan every distinct layer blob exactly once.
//!
//! How depends on how the source hands its blobs over ([`Opened`]): blobs that can be
//! opened at random are scanned in parallel, the largest first; blobs that stream past are
//! scanned as they go by, every one of them (which are layers is known only at the end),
//! and then only those the image uses are kept, checked against what the image declares.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::{Budget, Options};
use crate::cache::{Cache, Claimed, Lookup};
use crate::error::{Error, Location, Result};
use crate::license::warm::Warm;
use crate::progress::progress_bar;
use crate::scan::stream::check;
use crate::scan::{self, CaptureRules, Compression, Expect, ImageBudget, LayerScan, ScanError};
use crate::source::{
    self, BlobId, Image, LayerBytes, OpenOptions, Opened, RandomSource, StreamSource, Streamed,
};

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

/// Opens `path` and scans each distinct layer blob exactly once.
pub fn read_image(path: &Path, opts: &Options, rules: &CaptureRules) -> Result<Scanned> {
    read_image_checked(path, opts, rules, &|_| Ok(()))
}

/// [`read_image`], refusing the image with `admit`'s error as soon as it is described: before
/// any layer is read when the source is random-access, after the stream when it is not.
pub fn read_image_checked(
    path: &Path,
    opts: &Options,
    rules: &CaptureRules,
    admit: &dyn Fn(&Image) -> Result<()>,
) -> Result<Scanned> {
    // Captured license texts are matched on idle cores while the layers are still read.
    let warm = Warm::with_cache(opts.cache.clone());
    let budget = &opts.budget;
    let rules = &rules
        .observed_by(Arc::new(warm.clone()))
        .within(Arc::new(ImageBudget::new(
            budget.captured,
            budget.names,
            u64::try_from(budget.entries).unwrap_or(u64::MAX),
        )));
    let opened = source::open(
        path,
        &OpenOptions {
            platform: opts.platform.clone(),
            verify: opts.verify,
            progress: opts.progress,
            registry: opts.registry.clone(),
        },
    )?;
    let (image, layers) = read(opened, opts, rules, admit)?;
    within_budget(path, &layers, &opts.budget)?;
    Ok(Scanned {
        image,
        layers,
        warm,
    })
}

/// Checks what the image holds in all against `budget`.
fn within_budget(path: &Path, layers: &[Arc<LayerScan>], budget: &Budget) -> Result<()> {
    let over = |message: String| Error::Input {
        at: Box::new(Location {
            image: path.display().to_string(),
            ..Location::default()
        }),
        message,
    };
    if layers.len() > budget.layers {
        return Err(over(format!(
            "the image lists {} layers, over the budget of {} (--max-layers)",
            layers.len(),
            budget.layers
        )));
    }
    let entries = layers
        .iter()
        .fold(0usize, |n, l| n.saturating_add(l.files.len()));
    if entries > budget.entries {
        return Err(over(format!(
            "its {} layers hold {entries} entries in all (a layer counts each time the manifest lists it), over the budget of {} (--max-entries)",
            layers.len(),
            budget.entries
        )));
    }
    Ok(())
}

/// The image and one scan per layer, however the source hands its blobs over.
fn read(
    opened: Opened,
    opts: &Options,
    rules: &CaptureRules,
    admit: &dyn Fn(&Image) -> Result<()>,
) -> Result<(Image, Vec<Arc<LayerScan>>)> {
    match opened {
        Opened::Random(source) => {
            admit(source.image())?;
            read_random(source.as_ref(), opts, rules)
        }
        Opened::Stream(source) => {
            let (image, layers) = read_stream(source, opts, rules, admit)?;
            admit(&image)?;
            Ok((image, layers))
        }
    }
}

/// Scans the distinct blobs of a random-access source in parallel, the largest first.
fn read_random(
    source: &dyn RandomSource,
    opts: &Options,
    rules: &CaptureRules,
) -> Result<(Image, Vec<Arc<LayerScan>>)> {
    let image = source.image();
    let blobs = Blobs::of(image);
    let bar = opts.progress.then(|| {
        progress_bar(
            blobs.first.iter().map(|&i| image.layers[i].size).sum(),
            crate::progress::LAYERS,
        )
    });
    // Largest blob first, one task each: the scan of the largest layer is the longest, so
    // it starts at once and the smaller ones fill the other cores around it.
    let mut order: Vec<usize> = (0..blobs.first.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(image.layers[blobs.first[k]].size));
    let scan = |&k: &usize, wait: bool| {
        scan_one(source, blobs.first[k], opts, rules, bar.as_ref(), wait).map(|s| (k, s))
    };
    // A layer another process is scanning for the layer cache is waited for last, once
    // this process has scanned the others (and holds no claim of its own).
    let first: Vec<(usize, Option<LayerScan>)> = order
        .par_iter()
        .with_max_len(1)
        .map(|k| scan(k, false))
        .collect::<Result<_>>()?;
    let waiting: Vec<usize> = first
        .iter()
        .filter(|(_, s)| s.is_none())
        .map(|(k, _)| *k)
        .collect();
    let waited: Vec<(usize, Option<LayerScan>)> = waiting
        .par_iter()
        .with_max_len(1)
        .map(|k| scan(k, true))
        .collect::<Result<_>>()?;
    let mut scanned: Vec<(usize, LayerScan)> = first
        .into_iter()
        .chain(waited)
        .filter_map(|(k, s)| Some((k, s?)))
        .collect();
    scanned.sort_unstable_by_key(|(k, _)| *k);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let scans = scanned.into_iter().map(|(_, s)| s).collect();
    Ok((image.clone(), blobs.share(scans)))
}

/// How long a process waits for a layer another one claimed before it scans the layer
/// itself: a claim only saves work, and a holder that is slow (a huge layer, a slow
/// registry) costs the waiters no more than this.
const CLAIM_WAIT: Duration = Duration::from_secs(120);

/// The scan of layer `i`: read back from the layer cache when it has the layer's diff_id
/// (for this blob, or identified by the diff_id), else made from the blob and filed in the
/// cache: under the diff_id its uncompressed bytes hash to or, for a compressed blob whose
/// digest the scan checks anyway, for the images with that blob (which spares hashing the
/// uncompressed bytes: a third of the CPU a gzip layer's scan takes). A layer missed is
/// claimed while it is scanned; one another process has claimed is waited for with `wait`,
/// else left (`None`) for a call that waits.
fn scan_one(
    source: &dyn RandomSource,
    i: usize,
    opts: &Options,
    rules: &CaptureRules,
    bar: Option<&indicatif::ProgressBar>,
    wait: bool,
) -> Result<Option<LayerScan>> {
    let spec = &source.image().layers[i];
    let cache = opts.cache.as_deref().zip(spec.diff_id.as_deref());
    let budget = &opts.budget;
    let bound = crate::cache::entry_bound(
        budget.captured,
        budget.names,
        u64::try_from(budget.entries).unwrap_or(u64::MAX),
    );
    let blob = spec.digest.as_deref();
    let hit = |scan: Box<LayerScan>| {
        if let Some(bar) = bar {
            bar.inc(spec.size);
        }
        from_cache(source, i, *scan, opts, rules).map(Some)
    };
    let mut other_blob = false;
    if let Some((cache, diff_id)) = cache {
        // A layer waited for was looked up once already.
        let lookup = if wait {
            cache.look_again(diff_id, blob, rules, bound)
        } else {
            cache.get(diff_id, blob, rules, bound)
        };
        if let Some(scan) = found(lookup, &mut other_blob) {
            return hit(scan);
        }
    }
    let keep = cache.filter(|(c, d)| c.files(d));
    let mut claim = None;
    if let Some((cache, diff_id)) = keep.filter(|_| !other_blob) {
        let claimed = match cache.claim(diff_id) {
            Claimed::Theirs if !wait => return Ok(None),
            Claimed::Theirs => wait_for(cache, diff_id),
            mine => mine,
        };
        if let Claimed::Mine(Some(c)) = claimed {
            // Another process may have kept the layer since it was looked up.
            let lookup = cache.look_again(diff_id, blob, rules, bound);
            if let Some(scan) = found(lookup, &mut other_blob) {
                return hit(scan);
            }
            claim = Some(c);
        }
    }
    let declared = spec
        .media_type
        .as_deref()
        .and_then(super::declared_compression);
    let by_blob = opts.verify
        && spec.digest.is_some()
        && declared.is_some_and(|c| c != Compression::None)
        && !other_blob;
    let (scan, checked) = scan_blob(source, i, keep.is_some() && !by_blob, opts, rules, bar)?;
    if let Some((cache, diff_id)) = keep {
        let checked_blob = spec
            .digest
            .as_deref()
            .filter(|_| by_blob && checked && scan.compression != Compression::None);
        cache.put(diff_id, &scan, checked_blob, rules);
    }
    drop(claim);
    Ok(Some(scan))
}

/// The scan a lookup found, if it did; notes in `other_blob` that it found the scan of
/// another blob of the layer.
fn found(lookup: Lookup, other_blob: &mut bool) -> Option<Box<LayerScan>> {
    match lookup {
        Lookup::Hit(scan) => Some(scan),
        Lookup::OtherBlob => {
            *other_blob = true;
            None
        }
        Lookup::Miss => None,
    }
}

/// Waits for layer `diff_id`, which another process claimed, until that process lets the
/// claim go (its entry is then in the cache, or the layer is this process's to scan) or
/// [`CLAIM_WAIT`] has passed (the layer is scanned unclaimed). The claim is what is polled,
/// not the entry, which is read once.
fn wait_for<'c>(cache: &'c Cache, diff_id: &str) -> Claimed<'c> {
    let deadline = Instant::now() + CLAIM_WAIT;
    let mut pause = Duration::from_millis(20);
    loop {
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(320));
        match cache.claim(diff_id) {
            Claimed::Theirs if Instant::now() < deadline => {}
            Claimed::Theirs => return Claimed::Mine(None),
            mine => return mine,
        }
    }
}

/// A layer's scan read back from the cache, with what belongs to this image's blob rather
/// than to the layer: its size, its compression (from its first bytes), and what reading it
/// would have reported (with digests checked, a compressed blob is hashed and its
/// uncompressed size counted; a layer read back is not checked, since it is not read).
fn from_cache(
    source: &dyn RandomSource,
    i: usize,
    scan: LayerScan,
    opts: &Options,
    rules: &CaptureRules,
) -> Result<LayerScan> {
    let image = source.image();
    let spec = &image.layers[i];
    let located = |e: ScanError| layer_error(image, i, &e);
    scan.replay(rules).map_err(located)?;
    let compression = Compression::detect(&source.head(i, 6)?).map_err(located)?;
    let read_whole = opts.verify && compression != Compression::None;
    Ok(LayerScan {
        compression,
        blob_size: spec.size,
        blob_digest: spec.digest.clone().filter(|_| read_whole),
        diff_id: None,
        tar_size: scan.tar_size.filter(|_| read_whole),
        identified: None,
        ..scan
    })
}

/// Scans the blob of layer `i`; with `identify`, hashing its uncompressed bytes for the
/// layer cache. Says too whether the blob's bytes were checked against its digest.
fn scan_blob(
    source: &dyn RandomSource,
    i: usize,
    identify: bool,
    opts: &Options,
    rules: &CaptureRules,
    bar: Option<&indicatif::ProgressBar>,
) -> Result<(LayerScan, bool)> {
    let image = source.image();
    let spec = &image.layers[i];
    let located = |e: ScanError| layer_error(image, i, &e);
    let expect = Expect {
        blob_digest: spec.digest.clone(),
        diff_id: spec.diff_id.clone(),
        verify: opts.verify,
        full: opts.verify_all,
        // A layer whose image declares no digest (a root filesystem) is hashed whatever the
        // options: its digests are all that identify it.
        always_hash: spec.digest.is_none() && spec.diff_id.is_none(),
        blob_checked: false,
        identify,
    };
    match source.open(i)? {
        LayerBytes::Seekable(blob) => {
            let scan = scan::scan_layer(blob, &expect, rules, bar).map_err(located)?;
            // With digests checked, a blob that was hashed matched the digest.
            let checked = opts.verify && scan.blob_digest.is_some() && spec.digest.is_some();
            Ok((
                LayerScan {
                    blob_size: spec.size,
                    ..scan
                },
                checked,
            ))
        }
        LayerBytes::Stream(mut blob) => {
            // The reader checks the blob's digest itself.
            let expect = Expect {
                blob_checked: true,
                ..expect
            };
            let scan = scan::scan_layer_read(&mut blob, &expect, rules, bar).map_err(|e| {
                // Bytes that are not what the digest says fail the walk before its end; the
                // rest of the blob says whether they were, which is the error to report.
                match std::io::copy(&mut blob, &mut std::io::sink()) {
                    Err(broken) => image.layer_error(i, None, broken.to_string()),
                    Ok(_) => located(e),
                }
            })?;
            // The walk may stop at the end of the archive: the rest is read for the checks.
            std::io::copy(&mut blob, &mut std::io::sink())
                .map_err(|broken| image.layer_error(i, None, broken.to_string()))?;
            Ok((
                as_if_random(
                    LayerScan {
                        blob_size: spec.size,
                        ..scan
                    },
                    opts,
                ),
                spec.digest.is_some(),
            ))
        }
        LayerBytes::Tree(root) => {
            let scan = scan::tree::scan_tree(root, rules).map_err(located)?;
            // A directory has no blob: its size is what its files hold.
            let size = scan.files.iter().map(|f| f.size).sum();
            Ok((
                LayerScan {
                    blob_size: size,
                    ..scan
                },
                false,
            ))
        }
    }
}

/// Scans every blob of a streaming source as it goes by, then keeps the scans of the blobs
/// the image uses, checked as if they had been read at random.
fn read_stream(
    source: Box<dyn StreamSource>,
    opts: &Options,
    rules: &CaptureRules,
    admit: &dyn Fn(&Image) -> Result<()>,
) -> Result<(Image, Vec<Arc<LayerScan>>)> {
    // Every scan, and every scan error, by blob: an error counts only if a layer uses it.
    let mut scans: BTreeMap<BlobId, Result<LayerScan, ScanError>> = BTreeMap::new();
    let streamed = source.read(&mut |blob, digest, bytes| {
        let expect = Expect {
            blob_digest: digest.map(str::to_string),
            diff_id: None,
            verify: opts.verify,
            full: opts.verify_all,
            always_hash: false,
            blob_checked: false,
            identify: false,
        };
        scans.insert(
            blob.clone(),
            scan::scan_layer_read(bytes, &expect, rules, None),
        );
    })?;
    let image = match streamed {
        Streamed::Image(image) => *image,
        Streamed::Instead(opened) => return read(opened, opts, rules, admit),
    };
    let blobs = Blobs::of(&image);
    let mut kept: Vec<Option<LayerScan>> = blobs.first.iter().map(|_| None).collect();
    for (i, spec) in image.layers.iter().enumerate() {
        let located = |e: &ScanError| layer_error(&image, i, e);
        let k = blobs.owner[i];
        let scan = match kept[k].take() {
            Some(scan) => scan,
            None => match scans.remove(&spec.blob) {
                Some(Ok(scan)) => LayerScan {
                    blob_size: spec.size,
                    ..scan
                },
                Some(Err(e)) => return Err(located(&e)),
                None => {
                    return Err(located(&ScanError::Unsupported(
                        "layer blob was not read".into(),
                    )))
                }
            },
        };
        if opts.verify {
            check(
                "blob digest",
                spec.digest.as_deref(),
                scan.blob_digest.as_deref(),
            )
            .and_then(|()| check("diff_id", spec.diff_id.as_deref(), scan.diff_id.as_deref()))
            .map_err(|e| located(&e))?;
        }
        kept[k] = Some(as_if_random(scan, opts));
    }
    // Every distinct blob has a first layer, which kept its scan.
    let layers = blobs.share(kept.into_iter().flatten().collect());
    Ok((image, layers))
}

/// The scan of a blob read front to back, as reading it at random would have reported it.
/// Every byte of a streamed blob is read, so an uncompressed one was hashed whenever digests
/// are checked; reading it at random walks it by seeking, hashing nothing, unless asked to
/// check everything.
fn as_if_random(mut scan: LayerScan, opts: &Options) -> LayerScan {
    if scan.compression == Compression::None && !(opts.verify && opts.verify_all) {
        scan.blob_digest = None;
        scan.diff_id = None;
        scan.tar_size = None;
    }
    scan
}

/// The distinct blobs of an image, each read once however many layers use it.
struct Blobs {
    /// The first layer that uses each distinct blob, in layer order.
    first: Vec<usize>,
    /// For each layer, which distinct blob it uses.
    owner: Vec<usize>,
}

impl Blobs {
    fn of(image: &Image) -> Blobs {
        let mut first: Vec<usize> = Vec::new();
        let mut owner: Vec<usize> = Vec::with_capacity(image.layers.len());
        for (i, l) in image.layers.iter().enumerate() {
            match first.iter().position(|&d| image.layers[d].blob == l.blob) {
                Some(k) => owner.push(k),
                None => {
                    owner.push(first.len());
                    first.push(i);
                }
            }
        }
        Blobs { first, owner }
    }

    /// One scan per layer from one scan per distinct blob (in the order of `first`): the
    /// findings of a blob's scan are placed in the first layer that uses it.
    fn share(&self, scans: Vec<LayerScan>) -> Vec<Arc<LayerScan>> {
        let shared: Vec<Arc<LayerScan>> = scans
            .into_iter()
            .zip(&self.first)
            .map(|(mut scan, &i)| {
                for f in &mut scan.findings {
                    f.layer = Some(i);
                }
                Arc::new(scan)
            })
            .collect();
        self.owner.iter().map(|&k| Arc::clone(&shared[k])).collect()
    }
}

/// The error of layer `i`, whose scan failed with `e`.
fn layer_error(image: &Image, i: usize, e: &ScanError) -> Error {
    image.layer_error(i, e.entry(), e.to_string())
}
