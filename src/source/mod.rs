//! Sources: open whatever the user named, describe it as an [`Image`], and hand over the
//! bytes of its layer blobs. Sources never scan: the pipeline reads every blob they hand
//! over, once.
//!
//! The kind of input is recognized from what it is, not from its name. Each kind is a
//! [`SourceKind`] in a file of its own; they are asked in this order, and the first that
//! recognizes the input opens it:
//!
//! | kind | input | recognized by |
//! |---|---|---|
//! | [`registry`] | an image in a registry, `[registry[:port]/]repository[:tag][@digest]` | `registry:`, or no such path and a valid reference |
//! | [`compressed`] | a `docker save` or OCI tar below, compressed with gzip or zstd | a first entry an image archive has at its top |
//! | [`docker_archive`] | `docker save` tarball, classic or Docker 25+, or extracted into a directory | `manifest.json` |
//! | [`oci_layout`] | OCI image layout, as a directory or a tar | `index.json` (with `oci-layout`) |
//! | [`rootfs`] | flattened rootfs (`docker export`), plain or gzip/zstd | any other tar |
//! | [`rootfs`] | a root filesystem directory | any other directory |
//!
//! A name may begin with a scheme that says what it is, as syft spells them
//! ([`input::Scheme`]): `registry:` (a reference), `docker-archive:`, `oci-archive:`,
//! `oci-dir:`, `dir:` (any directory) and `file:` (any file); only the kinds it admits are
//! asked. Without one, an existing path is a file or directory, and anything else that
//! parses as a reference is a registry image.
//!
//! An opened input comes in one of two shapes ([`Opened`]), and the shape decides how the
//! pipeline reads it:
//!
//! - a [`RandomSource`] is described before any layer is read, from its small JSON
//!   documents; each layer blob can then be opened on its own, in any order, in parallel
//!   (a tar indexed by its headers, a directory, a rootfs);
//! - a [`StreamSource`] can be read only once, front to back (a compressed archive): it
//!   hands each blob that may be a layer over as it streams past, and describes the image
//!   at the end, when its documents have all gone by.
//!
//! Adding a source is one file with a [`SourceKind`] and one line in the list of kinds. Every name an archive gives is resolved inside the archive.

pub mod archive;
pub mod compressed;
pub mod config;
pub mod docker_archive;
pub mod input;
pub mod oci;
pub mod oci_layout;
pub mod registry;
pub mod rootfs;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Seek};
use std::path::Path;

pub use archive::{Archive, ArchiveError, Window};
pub use config::{History, ImageConfig};
pub use input::Input;

use crate::error::{Error, Location, Result};
use crate::model::{Finding, FindingKind, Platform, RegistryImage};
use crate::scan::Compression;
use oci::{blob_path, MAX_JSON};

/// The kinds of input, tried in this order: the first that recognizes the input opens it.
/// A rootfs is whatever tar or directory no other kind takes, so it comes last. Asking
/// about a path that is not there is an error (`cannot open`): a kind whose inputs are no
/// paths (a registry reference) goes first.
const KINDS: &[&dyn SourceKind] = &[
    &registry::KIND,
    &compressed::KIND,
    &docker_archive::KIND,
    &oci_layout::KIND,
    &rootfs::KIND,
];

/// A kind of input: how to recognize it, and how to open it.
pub trait SourceKind {
    /// The kind's name, which a scheme prefix ([`input::Scheme`]) admits or not.
    fn name(&self) -> &'static str;
    /// Whether `input` is of this kind. Looking is cheap: what [`Input`] finds out (the
    /// file's first bytes, the index of a tar) is found out once and shared by every kind.
    fn recognizes(&self, input: &Input) -> Result<bool>;
    /// Opens an input this kind recognizes.
    fn open(&self, input: Input, opts: &OpenOptions) -> Result<Opened>;
}

/// An opened input; how its layer blobs can be read decides how the pipeline reads it.
pub enum Opened {
    /// Every layer blob can be opened on its own.
    Random(Box<dyn RandomSource>),
    /// The blobs go by once, front to back.
    Stream(Box<dyn StreamSource>),
}

/// An input described before any layer is read, whose layer blobs can each be opened on
/// their own, in any order, in parallel.
pub trait RandomSource: Send + Sync {
    /// The image.
    fn image(&self) -> &Image;
    /// Opens the blob of layer `layer` (an index into [`Image::layers`]) for reading.
    /// Errors name the image, the blob and the layer.
    fn open(&self, layer: usize) -> Result<LayerBytes<'_>>;
    /// The first bytes (at most `n`) of the blob of layer `layer`, which tell how it is
    /// compressed; empty for a directory. By default read from what [`open`](Self::open)
    /// gives.
    fn head(&self, layer: usize, n: usize) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(n);
        let read = match self.open(layer)? {
            LayerBytes::Seekable(blob) => blob.take(n as u64).read_to_end(&mut out),
            LayerBytes::Stream(blob) => blob.take(n as u64).read_to_end(&mut out),
            LayerBytes::Tree(_) => Ok(0),
        };
        read.map_err(|e| self.image().layer_error(layer, None, e.to_string()))?;
        Ok(out)
    }
}

/// An input that can be read only once, front to back (a compressed archive). A registry
/// image is not one: its blobs can each be pulled on their own, and are
/// [`LayerBytes::Stream`]s of a [`RandomSource`].
pub trait StreamSource: Send {
    /// Reads the input, handing each blob that may be a layer to `each` as it streams past,
    /// then describes the image. Which blobs are layers is known only at the end, so `each`
    /// may see blobs that no layer uses.
    fn read(self: Box<Self>, each: &mut EachBlob<'_>) -> Result<Streamed>;
}

/// What a [`StreamSource`] hands each blob that may be a layer to: the blob's id, the
/// digest its name or address implies (to check while it is read), and its bytes, which
/// can be read once, as far as the reader likes. An error reading them is the source's to
/// report (its stream broke) once `each` returns, unless it is in the blob's own content.
pub type EachBlob<'a> = dyn FnMut(&BlobId, Option<&str>, &mut dyn Read) + 'a;

/// What reading a [`StreamSource`] found.
pub enum Streamed {
    /// The image, described.
    Image(Box<Image>),
    /// Not an input of the kind that read it after all (a compressed root filesystem whose
    /// first names looked like an image archive's): it is to be read as this instead.
    Instead(Opened),
}

/// The bytes of one layer blob of a [`RandomSource`].
pub enum LayerBytes<'a> {
    /// A blob that can be read and seeked (an uncompressed layer is walked by seeking past
    /// file contents).
    Seekable(Box<dyn ReadSeek + 'a>),
    /// A directory tree standing for a layer (a root filesystem directory).
    Tree(&'a Path),
    /// A blob that can be read only once, front to back (a registry blob as it downloads).
    /// The reader checks the blob itself: by its end it fails when the blob is longer or
    /// shorter than its declared size or, when digests are checked, does not match its
    /// digest; so it is read to its end.
    Stream(Box<dyn Read + 'a>),
}

/// A reader that can also seek.
pub trait ReadSeek: Read + Seek {}

impl<T: Read + Seek> ReadSeek for T {}

/// Which blob a layer is: the archive member that holds it, or the path of a rootfs.
/// Layers with the same blob id are the same bytes (and are read once).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlobId(pub String);

impl fmt::Display for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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
    /// An image pulled from a registry by reference.
    Registry,
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
            Format::Registry => "registry",
        }
    }
}

/// One layer as the image describes it, before it is read.
#[derive(Debug, Clone)]
pub struct LayerSpec {
    /// Which blob holds its bytes.
    pub blob: BlobId,
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

/// An image as its source describes it: its identity and its layers, not yet read.
#[derive(Debug, Clone)]
pub struct Image {
    /// The input as named by the user.
    pub source: String,
    /// What kind of input it is.
    pub format: Format,
    /// How the image archive file as a whole is compressed, when it is (a compressed
    /// rootfs tar is one layer, whose own compression says so).
    pub compression: Option<Compression>,
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
    /// Where a registry image was pulled from (none for a local input).
    pub registry: Option<RegistryImage>,
}

impl Image {
    /// Layer `layer` as the image describes it, or an error naming it.
    pub fn layer(&self, layer: usize) -> Result<&LayerSpec> {
        self.layers
            .get(layer)
            .ok_or_else(|| self.layer_error(layer, None, "no such layer"))
    }

    /// An error in layer `layer`: it names the image, the layer's blob and the entry at
    /// fault, if any.
    pub fn layer_error(
        &self,
        layer: usize,
        entry: Option<&str>,
        message: impl Into<String>,
    ) -> Error {
        Error::input(
            Location {
                image: self.source.clone(),
                file: self.layers.get(layer).map(|l| l.blob.to_string()),
                layer: Some(layer),
                entry: entry.map(str::to_string),
            },
            message,
        )
    }
}

/// What to open and how.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// The platform to choose from a multi-platform index.
    pub platform: Option<Platform>,
    /// Check digests of manifests and configs.
    pub verify: bool,
    /// Show a progress bar on stderr while a [`StreamSource`] is read (the reader of a
    /// [`RandomSource`] draws its own).
    pub progress: bool,
    /// How to reach registries.
    pub registry: RegistryOptions,
}

/// How to reach registries.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Registries (`HOST` or `HOST:PORT`) to reach over plain HTTP when TLS fails, besides
    /// loopback addresses (which always are).
    pub insecure: Vec<String>,
    /// PEM files of certificate authorities to trust besides the system's.
    pub ca_certs: Vec<std::path::PathBuf>,
    /// A user name and password given on the command line (`--username`, the password read
    /// from standard input), which take the place of those in the environment.
    pub credentials: Option<(String, String)>,
}

/// Opens an input of any supported kind. Only the small JSON documents of a
/// [`RandomSource`] are read; a [`StreamSource`] is not read at all yet.
pub fn open(path: &Path, opts: &OpenOptions) -> Result<Opened> {
    let input = Input::new(path);
    input.check_not_mistaken()?;
    if let Some(scheme) = input.scheme() {
        scheme.check_shape(&input)?;
    }
    for kind in KINDS {
        let admitted = input.scheme().is_none_or(|s| s.admits(kind.name()));
        if admitted && kind.recognizes(&input)? {
            return kind.open(input, opts);
        }
    }
    if let Some(scheme) = input.scheme() {
        return Err(input.at().err(None, format!("is not {}", scheme.what())));
    }
    // A rootfs is every directory and every file that is not an image archive: what is
    // left is a tar of names image archives have, without the documents of one.
    Err(input.at().err(None, archive::NO_DOCUMENTS))
}

/// Describes an input of any supported kind without reading its layers (a stream is read
/// through, its layers passed over).
pub fn describe(path: &Path, opts: &OpenOptions) -> Result<Image> {
    describe_opened(open(path, opts)?)
}

fn describe_opened(opened: Opened) -> Result<Image> {
    match opened {
        Opened::Random(source) => Ok(source.image().clone()),
        Opened::Stream(source) => match source.read(&mut |_, _, _| {})? {
            Streamed::Image(image) => Ok(*image),
            Streamed::Instead(opened) => describe_opened(opened),
        },
    }
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

fn parse_json<T: serde::de::DeserializeOwned>(at: &At, file: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| at.err(Some(file), format!("invalid JSON: {e}")))
}

fn read_member(at: &At, archive: &Archive, name: &str) -> Result<Vec<u8>> {
    archive
        .read(name, MAX_JSON)
        .map_err(|e| at.err(Some(name), e.to_string()))
}

/// The digest a member's name implies (`blobs/sha256/<hex>`).
fn digest_from_name(name: &str) -> Option<String> {
    let rest = name.strip_prefix("blobs/")?;
    let (alg, hex) = rest.split_once('/')?;
    let d = format!("{alg}:{hex}");
    blob_path(&d).map(|_| d)
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
            findings.push(Finding::new(FindingKind::HistoryMismatch {
                steps: config.history.iter().filter(|h| !h.empty_layer).count(),
                layers,
            }));
            None
        }
    }
}
