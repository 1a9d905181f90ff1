//! Random access to the files of an image archive, whether it is a tar or a directory.
//!
//! A tar archive is indexed once by its headers (contents are passed over with seeks);
//! afterwards every member can be opened on its own file handle, so layers can be read in
//! parallel. Names are resolved inside the archive only: a manifest that names
//! `../../etc/passwd`, or a member that is a symlink pointing out of the archive, is refused.
//! A compressed archive cannot be read at random: it is read once, front to back, by
//! [`super::compressed`], which keeps its JSON documents ([`Archive::Memory`]) so that the
//! same code describes the image in it.
//!
//! [`ArchiveImage`] is the [`RandomSource`] of an image archive (`docker save`, an OCI
//! layout): its description, and its layer blobs opened as members.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::compressed::Memory;
use super::{BlobId, Image, LayerBytes, RandomSource};
use crate::error::Result;
use crate::scan::stream::SeekSkip;
use crate::scan::tar::{self, Kind, TarReader};

/// The most members an image archive may have.
pub(super) const MAX_MEMBERS: usize = 1_000_000;
/// The most symlink hops followed inside an archive.
const MAX_HOPS: usize = 16;
/// What a tar of names image archives have, without the documents of one, is told.
pub(super) const NO_DOCUMENTS: &str =
    "looks like an image archive but has neither manifest.json nor index.json";

/// A readable window of a file: a tar member, or a whole file.
#[derive(Debug)]
pub struct Window {
    file: File,
    start: u64,
    len: u64,
    pos: u64,
}

impl Window {
    /// Opens `path` and limits reading to `len` bytes from `start`.
    pub fn open(path: &Path, start: u64, len: u64) -> io::Result<Window> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(start))?;
        Ok(Window {
            file,
            start,
            len,
            pos: 0,
        })
    }

    /// The window's length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the window holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Read for Window {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.len - self.pos;
        if left == 0 {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.file.read(&mut buf[..want])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Window {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let target = match pos {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        }
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before start"))?;
        let target = target.min(self.len);
        self.file.seek(SeekFrom::Start(self.start + target))?;
        self.pos = target;
        Ok(target)
    }
}

/// The result of indexing a tar: either an image archive or (apparently) a rootfs.
#[derive(Debug)]
pub enum TarIndex {
    /// Every top-level name is one an image archive uses.
    Image(Archive),
    /// A name that no image archive has was seen: this is a filesystem tarball.
    Rootfs,
}

/// Why a member could not be found or read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Reading failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The tar is damaged.
    #[error("{0}")]
    Tar(#[from] tar::TarError),
    /// No such member.
    #[error("missing from the archive")]
    Missing,
    /// The name leaves the archive.
    #[error("points outside the archive")]
    Outside,
    /// The member is larger than allowed for what it is.
    #[error("is {size} bytes, more than the {limit}-byte limit")]
    TooLarge {
        /// The member's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The archive is malformed in some other way.
    #[error("{0}")]
    Invalid(String),
}

/// An image archive: a tar file, a directory, or a compressed tar already read.
#[derive(Debug)]
pub enum Archive {
    /// A directory (an OCI layout, or an extracted docker-save).
    Dir(PathBuf),
    /// A tar file and the index of its regular files.
    Tar {
        /// The tar file.
        path: PathBuf,
        /// Regular members by normalized name, symlinks and hard links resolved.
        members: BTreeMap<String, MemberRef>,
    },
    /// A compressed tar, read in one pass: its JSON documents kept, its layers passed on.
    Memory(Box<Memory>),
}

/// Where a tar member's bytes are.
#[derive(Debug, Clone, Copy)]
pub struct MemberRef {
    offset: u64,
    size: u64,
}

/// Whether `s` is a sha256 in hex, as docker-save names its layers and configs.
pub(super) fn is_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Names that may stand at the top of a docker-save or OCI archive.
pub(super) fn image_top_level(name: &str) -> bool {
    matches!(
        name,
        "manifest.json" | "index.json" | "oci-layout" | "repositories" | "blobs"
    ) || is_hex(name)
        || name
            .strip_suffix(".json")
            .or_else(|| name.strip_suffix(".tar"))
            .is_some_and(is_hex)
}

impl Archive {
    /// Indexes a tar file by its headers. Stops early, answering [`TarIndex::Rootfs`], at
    /// the first top-level name that an image archive would not have.
    pub fn index_tar(path: &Path) -> Result<TarIndex, ArchiveError> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        let mut reader = TarReader::new(SeekSkip::new(file, len));
        let mut regular: BTreeMap<String, MemberRef> = BTreeMap::new();
        let mut links: BTreeMap<String, (Kind, String)> = BTreeMap::new();
        let mut count = 0usize;
        while let Some(h) = reader.next_entry()? {
            if h.path.is_empty() {
                continue;
            }
            let top = h.path.split('/').next().unwrap_or_default();
            if !image_top_level(top) {
                return Ok(TarIndex::Rootfs);
            }
            count += 1;
            if count > MAX_MEMBERS {
                return Err(ArchiveError::Invalid(format!(
                    "more than {MAX_MEMBERS} members"
                )));
            }
            let duplicate = match h.kind {
                Kind::File => regular
                    .insert(
                        h.path.clone(),
                        MemberRef {
                            offset: reader.position(),
                            size: h.size,
                        },
                    )
                    .is_some(),
                Kind::Symlink | Kind::Hardlink => links
                    .insert(h.path.clone(), (h.kind, h.link.unwrap_or_default()))
                    .is_some(),
                _ => false,
            };
            if duplicate || (regular.contains_key(&h.path) && links.contains_key(&h.path)) {
                return Err(ArchiveError::Invalid(format!(
                    "member {} appears more than once",
                    h.path
                )));
            }
        }
        let mut members = regular.clone();
        for name in links.keys() {
            if let Some(m) = resolve_link(name, &regular, &links)? {
                members.insert(name.clone(), m);
            }
        }
        Ok(TarIndex::Image(Archive::Tar {
            path: path.to_path_buf(),
            members,
        }))
    }

    /// Whether a member exists.
    pub fn contains(&self, name: &str) -> bool {
        match self {
            Archive::Dir(root) => safe_join(root, name).is_ok_and(|p| p.is_file()),
            Archive::Tar { members, .. } => members.contains_key(name),
            Archive::Memory(m) => m.contains(name),
        }
    }

    /// Which blob holds a layer's bytes, and how many there are.
    pub fn layer(&self, name: &str) -> Result<(BlobId, u64), ArchiveError> {
        match self {
            Archive::Memory(m) => m.layer(name),
            _ => {
                let window = self.open(name)?;
                Ok((BlobId(name.to_string()), window.len()))
            }
        }
    }

    /// Opens a member for reading.
    pub fn open(&self, name: &str) -> Result<Window, ArchiveError> {
        match self {
            Archive::Dir(root) => {
                let p = safe_join(root, name)?;
                let meta = std::fs::metadata(&p).map_err(|e| match e.kind() {
                    io::ErrorKind::NotFound => ArchiveError::Missing,
                    _ => ArchiveError::Io(e),
                })?;
                if !meta.is_file() {
                    return Err(ArchiveError::Missing);
                }
                Ok(Window::open(&p, 0, meta.len())?)
            }
            Archive::Tar { path, members } => {
                let m = members.get(name).ok_or(ArchiveError::Missing)?;
                Ok(Window::open(path, m.offset, m.size)?)
            }
            Archive::Memory(_) => Err(ArchiveError::Invalid(
                "a compressed archive is read once, front to back; its members cannot be reopened"
                    .into(),
            )),
        }
    }

    /// Reads a whole member that may be at most `limit` bytes (JSON documents).
    pub fn read(&self, name: &str, limit: u64) -> Result<Vec<u8>, ArchiveError> {
        if let Archive::Memory(m) = self {
            return m.read(name, limit);
        }
        let mut w = self.open(name)?;
        if w.len() > limit {
            return Err(ArchiveError::TooLarge {
                size: w.len(),
                limit,
            });
        }
        let mut buf = Vec::with_capacity(w.len() as usize);
        w.read_to_end(&mut buf)?;
        Ok(buf)
    }
}

/// An image archive opened at random: the image its documents describe, and its members.
#[derive(Debug)]
pub struct ArchiveImage {
    image: Image,
    archive: Archive,
}

impl ArchiveImage {
    /// The image described from `archive`, whose layer blobs are members of it.
    pub fn new(image: Image, archive: Archive) -> ArchiveImage {
        ArchiveImage { image, archive }
    }
}

impl RandomSource for ArchiveImage {
    fn image(&self) -> &Image {
        &self.image
    }

    fn open(&self, layer: usize) -> Result<LayerBytes<'_>> {
        let spec = self.image.layer(layer)?;
        let window = self.archive.open(&spec.blob.0).map_err(|e| {
            self.image
                .layer_error(layer, None, format!("layer blob {e}"))
        })?;
        Ok(LayerBytes::Seekable(Box::new(window)))
    }
}

/// Joins a member name to a directory, refusing names and symlinks that leave it.
fn safe_join(root: &Path, name: &str) -> Result<PathBuf, ArchiveError> {
    let rel = tar::normalize(name.as_bytes()).map_err(|_| ArchiveError::Outside)?;
    if rel.is_empty() {
        return Err(ArchiveError::Missing);
    }
    let joined = root.join(&rel);
    match (joined.canonicalize(), root.canonicalize()) {
        (Ok(real), Ok(root)) if real.starts_with(&root) => Ok(joined),
        (Ok(_), Ok(_)) => Err(ArchiveError::Outside),
        (Err(e), _) if e.kind() == io::ErrorKind::NotFound => Err(ArchiveError::Missing),
        (Err(e), _) | (_, Err(e)) => Err(ArchiveError::Io(e)),
    }
}

/// Follows symlinks and hard links between members to a regular member.
pub(super) fn resolve_link<V: Clone>(
    name: &str,
    regular: &BTreeMap<String, V>,
    links: &BTreeMap<String, (Kind, String)>,
) -> Result<Option<V>, ArchiveError> {
    let mut current = name.to_string();
    for _ in 0..MAX_HOPS {
        if let Some(m) = regular.get(&current) {
            return Ok(Some(m.clone()));
        }
        let Some((kind, target)) = links.get(&current) else {
            return Ok(None); // a link to a directory or to nothing: not a blob
        };
        current = match kind {
            Kind::Hardlink => target.clone(),
            _ => {
                let base = if target.starts_with('/') {
                    ""
                } else {
                    current.rsplit_once('/').map_or("", |(dir, _)| dir)
                };
                lexical_join(base, target).ok_or(ArchiveError::Outside)?
            }
        };
    }
    Err(ArchiveError::Invalid(format!(
        "member {name} is a symlink loop"
    )))
}

/// Joins `rel` to `base` lexically; `None` if `..` climbs above the archive root.
fn lexical_join(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for c in rel.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_join_stays_inside() {
        assert_eq!(lexical_join("a/b", "../c").as_deref(), Some("a/c"));
        assert_eq!(lexical_join("a", "../../c"), None);
        assert_eq!(lexical_join("", "/x/y").as_deref(), Some("x/y"));
    }

    #[test]
    fn top_level_names_of_image_archives() {
        let hex = "a".repeat(64);
        assert!(image_top_level("manifest.json"));
        assert!(image_top_level(&hex));
        assert!(image_top_level(&format!("{hex}.json")));
        assert!(image_top_level(&format!("{hex}.tar")));
        assert!(!image_top_level("etc"));
        assert!(!image_top_level("bin"));
    }

    #[test]
    fn symlinked_members_resolve_and_loops_fail() {
        let mut regular = BTreeMap::new();
        regular.insert(
            "b/layer.tar".to_string(),
            MemberRef {
                offset: 512,
                size: 10,
            },
        );
        let mut links = BTreeMap::new();
        links.insert(
            "a/layer.tar".to_string(),
            (Kind::Symlink, "../b/layer.tar".to_string()),
        );
        links.insert("x".to_string(), (Kind::Symlink, "y".to_string()));
        links.insert("y".to_string(), (Kind::Symlink, "x".to_string()));
        links.insert("z".to_string(), (Kind::Symlink, "../../etc".to_string()));
        let m = resolve_link("a/layer.tar", &regular, &links)
            .unwrap()
            .unwrap();
        assert_eq!(m.offset, 512);
        assert!(resolve_link("x", &regular, &links).is_err());
        assert!(matches!(
            resolve_link("z", &regular, &links),
            Err(ArchiveError::Outside)
        ));
    }
}
