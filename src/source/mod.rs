//! Sources: open whatever the user named and describe it as an [`Image`].
//!
//! The kind of input is recognized from what it is, not from its name:
//!
//! | input | recognized by |
//! |---|---|
//! | `docker save` tarball, classic or Docker 25+ | a tar with `manifest.json` |
//! | OCI image layout, as a directory or a tar | `index.json` (with `oci-layout`) |
//! | either tar compressed with gzip or zstd | a first entry an image archive has at its top |
//! | extracted `docker save` | a directory with `manifest.json` |
//! | flattened rootfs (`docker export`), plain or gzip/zstd | any other tar |
//! | a root filesystem directory | any other directory |
//!
//! Opening reads only the small JSON documents; layers are read later, once each, by the
//! scan stage. A compressed image archive is the exception: it can only be read front to
//! back, so [`open_scanning`] scans its layers while it reads it ([`onepass`]). Every name
//! an archive gives is resolved inside the archive.

pub mod archive;
pub mod config;
pub mod oci;
pub mod onepass;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use archive::{Archive, ArchiveError, Window};
pub use config::{History, ImageConfig};

use crate::error::{Error, Location, Result};
use crate::model::{Finding, Platform, Severity};
use crate::scan::stream::sha256_of;
use crate::scan::{CaptureRules, Compression, LayerScan, ScanError};
use oci::{blob_path, Descriptor, Index, Manifest, MAX_JSON};

/// What kind of input an image came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `docker save`, classic layout (`manifest.json`, `<id>/layer.tar` or `<hex>.tar`).
    DockerArchive,
    /// `docker save` from Docker 25 on: an OCI layout with `manifest.json` beside it.
    DockerOciArchive,
    /// OCI image layout directory.
    OciLayout,
    /// OCI image layout in a tar.
    OciArchive,
    /// A flattened root filesystem in a tar (plain or compressed).
    RootfsTar,
    /// A root filesystem directory.
    RootfsDir,
}

impl Format {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::DockerArchive => "docker-archive",
            Format::DockerOciArchive => "docker-archive-oci",
            Format::OciLayout => "oci-layout",
            Format::OciArchive => "oci-archive",
            Format::RootfsTar => "rootfs-tar",
            Format::RootfsDir => "rootfs-dir",
        }
    }
}

/// Where a layer's bytes are.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Blob {
    /// A member of the image archive.
    Member(String),
    /// A whole file (a rootfs tar).
    File(PathBuf),
    /// A directory tree (a rootfs directory).
    Tree(PathBuf),
    /// A member of a compressed image archive, scanned while the archive was read.
    Scanned(String),
}

impl Blob {
    /// How errors name this blob.
    pub fn display_name(&self) -> String {
        match self {
            Blob::Member(m) | Blob::Scanned(m) => m.clone(),
            Blob::File(p) | Blob::Tree(p) => p.display().to_string(),
        }
    }
}

/// One layer as the image describes it, before it is read.
#[derive(Debug, Clone)]
pub struct LayerSpec {
    /// Where its bytes are.
    pub blob: Blob,
    /// The media type the manifest gives.
    pub media_type: Option<String>,
    /// The blob digest the image declares.
    pub digest: Option<String>,
    /// The diff_id the config declares.
    pub diff_id: Option<String>,
    /// The blob size the manifest declares, or the member's size.
    pub size: u64,
    /// The history entry that made this layer.
    pub history: Option<History>,
}

/// An opened image: its identity and its layers, not yet read.
#[derive(Debug)]
pub struct Image {
    /// The input as named by the user.
    pub source: String,
    /// What kind of input it is.
    pub format: Format,
    /// How the image archive file as a whole is compressed, when it is (a compressed
    /// rootfs tar is one layer, whose own compression says so).
    pub compression: Option<Compression>,
    /// The archive holding the blobs (none for a rootfs).
    pub archive: Option<Archive>,
    /// The parsed config.
    pub config: Option<ImageConfig>,
    /// Digest of the config bytes.
    pub config_digest: Option<String>,
    /// Digest of the manifest, when there is one.
    pub manifest_digest: Option<String>,
    /// Tags or names the archive records.
    pub repo_tags: Vec<String>,
    /// Manifest annotations.
    pub annotations: BTreeMap<String, String>,
    /// The platform of the chosen image.
    pub platform: Option<Platform>,
    /// The layers, bottom first.
    pub layers: Vec<LayerSpec>,
    /// Notes made while opening.
    pub findings: Vec<Finding>,
}

/// What to open and how.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// The platform to choose from a multi-platform index.
    pub platform: Option<Platform>,
    /// Check digests of manifests and configs.
    pub verify: bool,
}

/// How to scan layers that can only be scanned while the image is opened (those of a
/// compressed image archive); see [`open_scanning`].
#[derive(Debug, Clone, Copy)]
pub struct LayerScanning<'a> {
    /// What to capture.
    pub rules: &'a CaptureRules,
    /// With [`OpenOptions::verify`], hash every uncompressed stream too (diff_ids).
    pub verify_all: bool,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

/// Entry of a docker-save `manifest.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
    #[serde(default)]
    layer_sources: Option<BTreeMap<String, Descriptor>>,
}

/// A helper that builds errors located in this image.
struct At<'a> {
    image: &'a str,
}

impl At<'_> {
    fn err(&self, file: Option<&str>, message: impl Into<String>) -> Error {
        Error::input(
            Location {
                image: self.image.to_string(),
                file: file.map(str::to_string),
                layer: None,
                entry: None,
            },
            message,
        )
    }

    fn layer_err(&self, layer: usize, file: &str, message: impl Into<String>) -> Error {
        Error::input(
            Location {
                image: self.image.to_string(),
                file: Some(file.to_string()),
                layer: Some(layer),
                entry: None,
            },
            message,
        )
    }
}

/// Opens an image of any supported kind. The layers of a compressed image archive are
/// not scanned (only its documents are kept): use [`open_scanning`] to scan them.
pub fn open(path: &Path, opts: &OpenOptions) -> Result<Image> {
    open_with(path, opts, None)
}

/// Opens an image of any supported kind; a compressed image archive, which can only be
/// read in one pass, has its layers scanned on the way, and they carry their scans
/// ([`Blob::Scanned`], [`Image::take_scan`]).
pub fn open_scanning(path: &Path, opts: &OpenOptions, scanning: &LayerScanning) -> Result<Image> {
    open_with(path, opts, Some(scanning))
}

fn open_with(path: &Path, opts: &OpenOptions, scanning: Option<&LayerScanning>) -> Result<Image> {
    let source = path.display().to_string();
    let at = At { image: &source };
    let meta = std::fs::metadata(path).map_err(|e| at.err(None, format!("cannot open: {e}")))?;
    if meta.is_dir() {
        let archive = Archive::Dir(path.to_path_buf());
        if archive.contains("manifest.json") || archive.contains("index.json") {
            return open_archive(&at, archive, Format::OciLayout, opts);
        }
        return Ok(rootfs(
            source.clone(),
            Format::RootfsDir,
            Blob::Tree(path.to_path_buf()),
            0,
        ));
    }
    let mut magic = [0u8; 6];
    let n = File::open(path)
        .and_then(|mut f| f.read(&mut magic))
        .map_err(|e| at.err(None, format!("cannot read: {e}")))?;
    let compressed =
        crate::scan::Compression::detect(&magic[..n]).map_err(|e| at.err(None, e.to_string()))?;
    if compressed != Compression::None {
        // A compressed image archive cannot be read at random: it is read in one pass. A
        // compressed rootfs is streamed by the scan stage.
        if onepass::is_image_archive(path, compressed) {
            if let onepass::Outcome::Image(memory) =
                onepass::read(&at, path, compressed, opts.verify, scanning)?
            {
                let archive = Archive::Memory(Box::new(memory));
                let mut image = open_archive(&at, archive, Format::OciArchive, opts)?;
                image.compression = Some(compressed);
                if let Some(s) = scanning {
                    onepass::finish(&image, opts.verify, s.verify_all)?;
                }
                return Ok(image);
            }
        }
        return Ok(rootfs(
            source.clone(),
            Format::RootfsTar,
            Blob::File(path.to_path_buf()),
            meta.len(),
        ));
    }
    match Archive::index_tar(path).map_err(|e| at.err(None, e.to_string()))? {
        archive::TarIndex::Rootfs => Ok(rootfs(
            source.clone(),
            Format::RootfsTar,
            Blob::File(path.to_path_buf()),
            meta.len(),
        )),
        archive::TarIndex::Image(archive) => open_archive(&at, archive, Format::OciArchive, opts),
    }
}

/// Opens a docker-save archive (`manifest.json`) or an OCI layout (`index.json`, which is
/// then of the `oci` format).
fn open_archive(at: &At, archive: Archive, oci: Format, opts: &OpenOptions) -> Result<Image> {
    if archive.contains("manifest.json") {
        open_docker(at, archive, opts)
    } else if archive.contains("index.json") {
        open_oci(at, archive, oci, opts)
    } else {
        Err(at.err(
            None,
            "looks like an image archive but has neither manifest.json nor index.json",
        ))
    }
}

fn rootfs(source: String, format: Format, blob: Blob, size: u64) -> Image {
    Image {
        source,
        format,
        compression: None,
        archive: None,
        config: None,
        config_digest: None,
        manifest_digest: None,
        repo_tags: Vec::new(),
        annotations: BTreeMap::new(),
        platform: None,
        layers: vec![LayerSpec {
            blob,
            media_type: None,
            digest: None,
            diff_id: None,
            size,
            history: None,
        }],
        findings: Vec::new(),
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(at: &At, file: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| at.err(Some(file), format!("invalid JSON: {e}")))
}

fn read_member(at: &At, archive: &Archive, name: &str) -> Result<Vec<u8>> {
    archive
        .read(name, MAX_JSON)
        .map_err(|e| at.err(Some(name), e.to_string()))
}

/// A member name from a manifest, made safe.
fn member_name(at: &At, raw: &str) -> Result<String> {
    crate::scan::tar::normalize(raw.as_bytes())
        .ok()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| at.err(Some(raw), "manifest.json points outside the archive"))
}

/// The digest a member's name implies (`blobs/sha256/<hex>`).
fn digest_from_name(name: &str) -> Option<String> {
    let rest = name.strip_prefix("blobs/")?;
    let (alg, hex) = rest.split_once('/')?;
    let d = format!("{alg}:{hex}");
    blob_path(&d).map(|_| d)
}

fn open_docker(at: &At, archive: Archive, opts: &OpenOptions) -> Result<Image> {
    let bytes = read_member(at, &archive, "manifest.json")?;
    let entries: Vec<DockerEntry> = parse_json(at, "manifest.json", &bytes)?;
    let mut findings = Vec::new();
    let Some(entry) = entries.first() else {
        return Err(at.err(Some("manifest.json"), "lists no image"));
    };
    if entries.len() > 1 {
        let tags: Vec<String> = entries
            .iter()
            .map(|e| e.repo_tags.clone().unwrap_or_default().join(" "))
            .collect();
        findings.push(Finding::new(
            "several-images",
            Severity::Warning,
            format!(
                "the archive holds {} images ({}); the first one is scanned",
                entries.len(),
                tags.join("; ")
            ),
        ));
    }
    let config_name = member_name(at, &entry.config)?;
    let config_bytes = read_member(at, &archive, &config_name)?;
    let config_digest = sha256_of(&config_bytes);
    if let Some(named) = digest_from_name(&config_name) {
        if opts.verify && named.starts_with("sha256:") && named != config_digest {
            return Err(at.err(
                Some(&config_name),
                format!("digest mismatch: content is {config_digest}"),
            ));
        }
    }
    let config: ImageConfig = parse_json(at, &config_name, &config_bytes)?;
    if let (Some(want), Some(have)) = (&opts.platform, config.platform()) {
        if !oci::matches(want, &have) {
            return Err(at.err(
                Some(&config_name),
                format!(
                    "the image is {have}, not {want} (a docker-save archive holds one platform)"
                ),
            ));
        }
    }
    let has_index = archive.contains("index.json");
    // Docker 25+ also writes an OCI index: it gives the manifest digest and annotations.
    let mut manifest: Option<(String, Manifest)> = None;
    if has_index {
        let index: Index = parse_json(at, "index.json", &read_member(at, &archive, "index.json")?)?;
        let mut skipped = Vec::new();
        let cands = oci::candidates(&archive, &index, opts.verify, &mut skipped)
            .map_err(|e| at.err(None, e.to_string()))?;
        for c in cands {
            let (m, _) =
                oci::read_blob_json::<Manifest>(&archive, &c.descriptor.digest, opts.verify)
                    .map_err(|e| at.err(None, e.to_string()))?;
            if m.config.digest == config_digest {
                manifest = Some((c.descriptor.digest.clone(), m));
                break;
            }
        }
    }
    let diff_ids = &config.rootfs.diff_ids;
    if diff_ids.len() != entry.layers.len() {
        return Err(at.err(
            Some("manifest.json"),
            format!(
                "lists {} layers but the config has {} diff_ids",
                entry.layers.len(),
                diff_ids.len()
            ),
        ));
    }
    let history = aligned_history(&config, entry.layers.len(), &mut findings);
    let mut layers = Vec::with_capacity(entry.layers.len());
    for (i, raw) in entry.layers.iter().enumerate() {
        let name = member_name(at, raw)?;
        let (blob, size) = archive
            .layer(&name)
            .map_err(|e| at.layer_err(i, &name, format!("layer blob {e}")))?;
        let digest = digest_from_name(&name);
        let media_type = digest
            .as_ref()
            .and_then(|d| entry.layer_sources.as_ref()?.get(d)?.media_type.clone())
            .or_else(|| {
                let (_, m) = manifest.as_ref()?;
                m.layers.get(i)?.media_type.clone()
            });
        layers.push(LayerSpec {
            blob,
            media_type,
            digest,
            diff_id: diff_ids.get(i).cloned(),
            size,
            history: history.as_ref().and_then(|h| h.get(i).cloned()),
        });
    }
    let (manifest_digest, annotations) = match manifest {
        Some((d, m)) => (Some(d), m.annotations.unwrap_or_default()),
        None => (None, BTreeMap::new()),
    };
    Ok(Image {
        source: at.image.to_string(),
        format: if has_index {
            Format::DockerOciArchive
        } else {
            Format::DockerArchive
        },
        compression: None,
        archive: Some(archive),
        platform: config.platform(),
        config: Some(config),
        config_digest: Some(config_digest),
        manifest_digest,
        repo_tags: entry.repo_tags.clone().unwrap_or_default(),
        annotations,
        layers,
        findings,
    })
}

fn open_oci(at: &At, archive: Archive, format: Format, opts: &OpenOptions) -> Result<Image> {
    let index: Index = parse_json(at, "index.json", &read_member(at, &archive, "index.json")?)?;
    let mut skipped = Vec::new();
    let cands = oci::candidates(&archive, &index, opts.verify, &mut skipped)
        .map_err(|e| at.err(None, e.to_string()))?;
    let mut platform_of = |c: &oci::Candidate| -> Option<Platform> {
        let (m, _) = oci::read_blob_json::<Manifest>(&archive, &c.descriptor.digest, false).ok()?;
        let (cfg, _) =
            oci::read_blob_json::<ImageConfig>(&archive, &m.config.digest, false).ok()?;
        cfg.platform()
    };
    let (chosen, platform, hits) = oci::choose(&cands, opts.platform.as_ref(), &mut platform_of)
        .map_err(|e| {
            let note = if skipped.is_empty() {
                String::new()
            } else {
                format!(
                    " (listed but absent from the layout: {})",
                    skipped.join(", ")
                )
            };
            at.err(Some("index.json"), format!("{e}{note}"))
        })?;
    let mut findings = Vec::new();
    if hits > 1 {
        findings.push(Finding::new(
            "several-images",
            Severity::Warning,
            format!(
                "{hits} images in index.json match {}; the first ({}) is scanned",
                platform
                    .as_ref()
                    .map_or("the platform".to_string(), Platform::to_string),
                chosen.descriptor.digest
            ),
        ));
    }
    let manifest_digest = chosen.descriptor.digest.clone();
    let (manifest, manifest_bytes) =
        oci::read_blob_json::<Manifest>(&archive, &manifest_digest, opts.verify)
            .map_err(|e| at.err(None, e.to_string()))?;
    check_size(
        at,
        &chosen.descriptor,
        manifest_bytes.len() as u64,
        opts.verify,
    )?;
    let (config, config_bytes) =
        oci::read_blob_json::<ImageConfig>(&archive, &manifest.config.digest, opts.verify)
            .map_err(|e| at.err(None, e.to_string()))?;
    check_size(at, &manifest.config, config_bytes.len() as u64, opts.verify)?;
    let diff_ids = &config.rootfs.diff_ids;
    if diff_ids.len() != manifest.layers.len() {
        return Err(at.err(
            blob_path(&manifest_digest).as_deref(),
            format!(
                "lists {} layers but the config has {} diff_ids",
                manifest.layers.len(),
                diff_ids.len()
            ),
        ));
    }
    let history = aligned_history(&config, manifest.layers.len(), &mut findings);
    let mut layers = Vec::with_capacity(manifest.layers.len());
    for (i, d) in manifest.layers.iter().enumerate() {
        let name = blob_path(&d.digest)
            .ok_or_else(|| at.layer_err(i, &d.digest, "malformed layer digest"))?;
        let (blob, size) = archive
            .layer(&name)
            .map_err(|e| at.layer_err(i, &name, format!("layer blob {e}")))?;
        check_size(at, d, size, opts.verify).map_err(|_| {
            at.layer_err(
                i,
                &name,
                format!(
                    "blob is {size} bytes but the manifest says {}",
                    d.size.unwrap_or_default()
                ),
            )
        })?;
        if !d.digest.starts_with("sha256:") && opts.verify {
            findings.push(
                Finding::new(
                    "digest-unchecked",
                    Severity::Warning,
                    format!(
                        "layer digest {} uses an algorithm layerbom does not check",
                        d.digest
                    ),
                )
                .in_layer(i),
            );
        }
        layers.push(LayerSpec {
            blob,
            media_type: d.media_type.clone(),
            digest: Some(d.digest.clone()),
            diff_id: diff_ids.get(i).cloned(),
            size,
            history: history.as_ref().and_then(|h| h.get(i).cloned()),
        });
    }
    Ok(Image {
        source: at.image.to_string(),
        format,
        compression: None,
        archive: Some(archive),
        platform: config.platform().or(platform),
        config_digest: Some(manifest.config.digest.clone()),
        config: Some(config),
        manifest_digest: Some(manifest_digest),
        repo_tags: chosen.names.clone(),
        annotations: manifest.annotations.unwrap_or_default(),
        layers,
        findings,
    })
}

fn check_size(at: &At, d: &Descriptor, actual: u64, verify: bool) -> Result<()> {
    match d.size {
        Some(s) if verify && u64::try_from(s).ok() != Some(actual) => Err(at.err(
            blob_path(&d.digest).as_deref(),
            format!("is {actual} bytes but its descriptor says {s}"),
        )),
        _ => Ok(()),
    }
}

/// The history entry of each layer, or `None` (with a finding) when they do not align.
fn aligned_history(
    config: &ImageConfig,
    layers: usize,
    findings: &mut Vec<Finding>,
) -> Option<Vec<History>> {
    if config.history.is_empty() {
        return None;
    }
    match config.layer_history(layers) {
        Some(steps) => Some(
            steps
                .into_iter()
                .map(|i| config.history[i].clone())
                .collect(),
        ),
        None => {
            findings.push(Finding::new(
                "history-mismatch",
                Severity::Warning,
                format!(
                    "the config history has {} steps that made layers, but the image has {layers} layers; created_by is left empty",
                    config.history.iter().filter(|h| !h.empty_layer).count()
                ),
            ));
            None
        }
    }
}

impl Image {
    /// Opens a layer blob of an archive image for reading.
    pub fn open_member(&self, name: &str) -> std::result::Result<Window, ArchiveError> {
        match &self.archive {
            Some(a) => a.open(name),
            None => Err(ArchiveError::Missing),
        }
    }

    /// The error for layer `i` whose scan failed with `e`: it names the image, the layer's
    /// blob and the entry at fault, if any.
    pub fn layer_error(&self, i: usize, e: &ScanError) -> Error {
        Error::input(
            Location {
                image: self.source.clone(),
                file: self.layers.get(i).map(|l| l.blob.display_name()),
                layer: Some(i),
                entry: e.entry().map(str::to_string),
            },
            e.to_string(),
        )
    }

    /// Takes the scan of a layer that was scanned while the image was opened
    /// ([`Blob::Scanned`]); each scan can be taken once.
    pub fn take_scan(&self, name: &str) -> Option<LayerScan> {
        match &self.archive {
            Some(Archive::Memory(m)) => m.take_scan(name),
            _ => None,
        }
    }
}
