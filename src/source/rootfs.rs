//! Root filesystems: a flattened tar (`docker export`, plain or gzip/zstd compressed) or a
//! directory, read as an image of one layer with no config, no history and no digests
//! declared (so the layer's own digests are computed whatever the options: they are all
//! that identify it).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::archive::Window;
use super::input::Shape;
use super::{
    BlobId, Format, Image, Input, LayerBytes, LayerSpec, OpenOptions, Opened, RandomSource,
    SourceKind,
};
use crate::error::Result;

/// The kind: any directory, and any file, that is not an image archive. It comes last.
pub(super) const KIND: RootfsKind = RootfsKind;

/// Root filesystems.
pub(super) struct RootfsKind;

impl SourceKind for RootfsKind {
    fn name(&self) -> &'static str {
        "rootfs"
    }

    fn recognizes(&self, input: &Input) -> Result<bool> {
        Ok(input.archive()?.is_none())
    }

    fn open(&self, input: Input, _: &OpenOptions) -> Result<Opened> {
        let path = input.path().to_path_buf();
        let rootfs = match input.shape()? {
            Shape::Dir => Rootfs::new(input.name(), Format::RootfsDir, path, 0),
            Shape::File { len, .. } => Rootfs::new(input.name(), Format::RootfsTar, path, len),
        };
        Ok(Opened::Random(Box::new(rootfs)))
    }
}

/// A root filesystem opened: its one layer is the whole tar, or the directory tree.
#[derive(Debug)]
pub struct Rootfs {
    image: Image,
    path: PathBuf,
}

impl Rootfs {
    /// The root filesystem at `path` (a [`Format::RootfsTar`] of `len` bytes, or a
    /// [`Format::RootfsDir`]), named `source`.
    pub fn new(source: &str, format: Format, path: PathBuf, len: u64) -> Rootfs {
        let image = Image {
            source: source.to_string(),
            format,
            compression: None,
            config: None,
            config_digest: None,
            manifest_digest: None,
            repo_tags: Vec::new(),
            annotations: BTreeMap::new(),
            platform: None,
            layers: vec![LayerSpec {
                blob: BlobId(path.display().to_string()),
                media_type: None,
                digest: None,
                diff_id: None,
                size: len,
                history: None,
            }],
            findings: Vec::new(),
            registry: None,
        };
        Rootfs { image, path }
    }
}

impl RandomSource for Rootfs {
    fn image(&self) -> &Image {
        &self.image
    }

    fn open(&self, layer: usize) -> Result<LayerBytes<'_>> {
        self.image.layer(layer)?;
        if self.image.format == Format::RootfsDir {
            return Ok(LayerBytes::Tree(&self.path));
        }
        let opened = std::fs::metadata(&self.path)
            .and_then(|meta| Window::open(&self.path, 0, meta.len()))
            .map_err(|e| self.image.layer_error(layer, None, e.to_string()))?;
        Ok(LayerBytes::Seekable(Box::new(opened)))
    }
}
