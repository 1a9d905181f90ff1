//! The input as the user named it, looked at once for every kind of source that asks.
//!
//! Recognizing an input takes a few looks at it: is it a directory, how do its first bytes
//! say it is compressed, does a tar hold only the names an image archive has. Each look is
//! taken at most once, when a kind first asks, and its answer (or its error) is kept for
//! the kinds that ask after it; the tar index in particular, which reads every header,
//! is then handed to the kind that opens the archive.

use std::cell::OnceCell;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::archive::{Archive, ArchiveError, TarIndex};
use super::At;
use crate::error::Result;
use crate::scan::{Compression, ScanError};

/// What the input is on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A directory.
    Dir,
    /// A file (or anything else that can be read), and how its first bytes say it is
    /// compressed as a whole.
    File {
        /// Its length in bytes.
        len: u64,
        /// Its compression.
        compression: Compression,
    },
}

/// Why a look at the input failed; kept, so that every kind that asks gets the same error.
#[derive(Debug, thiserror::Error)]
enum LookError {
    /// The input does not exist or cannot be accessed.
    #[error("cannot open: {0}")]
    Open(#[source] io::Error),
    /// The first bytes of the file cannot be read.
    #[error("cannot read: {0}")]
    Read(#[source] io::Error),
    /// The first bytes name a compression that is not read.
    #[error("{0}")]
    Compression(#[from] ScanError),
    /// The tar cannot be indexed.
    #[error("{0}")]
    Archive(#[from] ArchiveError),
    /// The input is neither a regular file nor a directory.
    #[error("is a {0}, not an image file or directory (save the stream to a file first)")]
    Special(&'static str),
}

/// What a special file is, for the error.
fn kind_of(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "FIFO"
    } else if t.is_socket() {
        "socket"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_block_device() {
        "block device"
    } else {
        "special file"
    }
}

/// A prefix that says what kind of input a name is, as syft spells them: `registry:REF`,
/// `docker-archive:PATH`, `oci-archive:PATH`, `oci-dir:PATH`, `dir:PATH`, `file:PATH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// An image in a registry, by reference.
    Registry,
    /// A `docker save` archive (a tar, compressed or not, or extracted into a directory).
    DockerArchive,
    /// An OCI image layout in a tar (compressed or not).
    OciArchive,
    /// An OCI image layout directory.
    OciDir,
    /// A directory, of any kind.
    Dir,
    /// A file, of any kind.
    File,
}

impl Scheme {
    /// Every scheme with its prefix.
    const ALL: [(&'static str, Scheme); 6] = [
        ("registry:", Scheme::Registry),
        ("docker-archive:", Scheme::DockerArchive),
        ("oci-archive:", Scheme::OciArchive),
        ("oci-dir:", Scheme::OciDir),
        ("dir:", Scheme::Dir),
        ("file:", Scheme::File),
    ];

    /// The scheme `name` begins with, if any, and the rest of the name.
    pub fn split(name: &str) -> (Option<Scheme>, &str) {
        Scheme::ALL
            .iter()
            .find_map(|(prefix, scheme)| Some((Some(*scheme), name.strip_prefix(prefix)?)))
            .unwrap_or((None, name))
    }

    /// Whether the source kind named `kind` ([`super::SourceKind::name`]) may open an input
    /// named with this scheme.
    pub fn admits(self, kind: &str) -> bool {
        match self {
            Scheme::Registry => kind == "registry",
            Scheme::DockerArchive => matches!(kind, "compressed" | "docker-archive"),
            Scheme::OciArchive => matches!(kind, "compressed" | "oci-layout"),
            Scheme::OciDir => kind == "oci-layout",
            Scheme::Dir | Scheme::File => kind != "registry",
        }
    }

    /// What an input of this scheme is, for errors.
    pub fn what(self) -> &'static str {
        match self {
            Scheme::Registry => "an image reference",
            Scheme::DockerArchive => "a docker save archive (docker-archive:)",
            Scheme::OciArchive => "an OCI image layout tar (oci-archive:)",
            Scheme::OciDir => "an OCI image layout directory (oci-dir:)",
            Scheme::Dir => "a directory (dir:)",
            Scheme::File => "a file (file:)",
        }
    }

    /// Checks that the input has the shape the scheme says (a directory, or a file).
    pub(super) fn check_shape(self, input: &Input) -> Result<()> {
        let want_dir = match self {
            Scheme::OciDir | Scheme::Dir => true,
            Scheme::OciArchive | Scheme::File => false,
            Scheme::Registry | Scheme::DockerArchive => return Ok(()),
        };
        let is_dir = input.shape()? == Shape::Dir;
        if is_dir == want_dir {
            Ok(())
        } else {
            Err(input.at().err(None, format!("is not {}", self.what())))
        }
    }
}

/// How much of a file is read to tell a Dockerfile.
const HEAD: usize = 8 * 1024;

/// The first bytes of a zstd frame.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Where layerbom reads a local image from, and how to make one: said when a name is
/// neither a path nor an image a registry gives.
pub const LOCAL_FORMS: &str = "a local image is read from a `docker save` tarball, an OCI \
    image layout (directory or tar), a rootfs tar or a root filesystem directory: make one \
    with `docker save IMAGE -o image.tar`, `podman save IMAGE -o image.tar` or `skopeo copy \
    docker-daemon:IMAGE oci-archive:image.tar`";

/// Whether the first line of `text` that is neither blank nor a comment begins with a
/// Dockerfile's first instruction, `FROM` or `ARG`.
fn starts_like_a_dockerfile(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| l.split_whitespace().next())
        .is_some_and(|word| word.eq_ignore_ascii_case("FROM") || word.eq_ignore_ascii_case("ARG"))
}

/// What to say of a name written in a scheme layerbom does not read, if it is one: another
/// tool's transport (`docker://`, `docker-daemon:`, `podman:`, `containers-storage:`) or
/// any `SCHEME://`.
fn foreign_scheme(name: &str) -> Option<String> {
    let known = "registry:, docker-archive:, oci-archive:, oci-dir:, dir: and file:";
    if let Some(rest) = name.strip_prefix("docker://") {
        return Some(format!(
            "`docker://` is skopeo's name for an image in a registry; layerbom's is \
             `registry:{rest}`, or `{rest}` alone"
        ));
    }
    for store in ["docker-daemon:", "podman:", "containers-storage:"] {
        if name.starts_with(store) {
            return Some(format!(
                "layerbom reads no image from a container engine's store ({store}); {LOCAL_FORMS}"
            ));
        }
    }
    let (scheme, _) = name.split_once("://")?;
    let is_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme.then(|| {
        format!(
            "`{scheme}://` is not a scheme layerbom reads: an image is a path, a registry \
             reference (`[registry[:port]/]repository[:tag][@digest]`), or one of them after \
             {known}"
        )
    })
}

/// An input to open, and what has been found out about it so far.
#[derive(Debug)]
pub struct Input {
    path: PathBuf,
    name: String,
    scheme: Option<Scheme>,
    shape: OnceCell<Result<Shape, LookError>>,
    archive: OnceCell<Result<Option<Archive>, LookError>>,
}

impl Input {
    /// The input at `path`, not looked at yet. A scheme prefix (`oci-dir:`, …) is taken
    /// off the path and kept.
    pub fn new(path: &Path) -> Input {
        let (scheme, rest) = match path.to_str() {
            Some(s) => Scheme::split(s),
            None => (None, ""),
        };
        let path = match scheme {
            Some(_) => Path::new(rest),
            None => path,
        };
        Input {
            path: path.to_path_buf(),
            name: path.display().to_string(),
            scheme,
            shape: OnceCell::new(),
            archive: OnceCell::new(),
        }
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The input as named by the user (and by errors), without its scheme.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The scheme the user named the input with, if any.
    pub fn scheme(&self) -> Option<Scheme> {
        self.scheme
    }

    /// Whether nothing is at the path (a path that cannot be looked at for another reason
    /// counts as there: opening it says why).
    pub fn is_absent(&self) -> bool {
        matches!(std::fs::symlink_metadata(&self.path), Err(e) if e.kind() == io::ErrorKind::NotFound)
    }

    pub(super) fn at(&self) -> At<'_> {
        At { image: &self.name }
    }

    /// Refuses, with what to do instead, an input that is plainly no image layerbom reads:
    /// a name in another tool's scheme (`docker://`, `podman:`, `foo://bar`) that is no path,
    /// and a Dockerfile given where the image goes.
    pub(super) fn check_not_mistaken(&self) -> Result<()> {
        if self.scheme.is_none() && self.is_absent() {
            if let Some(message) = foreign_scheme(&self.name) {
                return Err(self.at().err(None, message));
            }
        }
        if matches!(self.scheme, None | Some(Scheme::File)) && self.looks_like_dockerfile() {
            let name = &self.name;
            return Err(self.at().err(
                None,
                format!(
                    "this looks like a Dockerfile, not an image; did you mean `--dockerfile \
                     {name}` beside the image it built, or `layerbom dockerfile {name}` to \
                     audit it?"
                ),
            ));
        }
        Ok(())
    }

    /// Whether the input is a regular file that is no archive and is named like a
    /// Dockerfile (`Dockerfile`, `Containerfile`, `Dockerfile.prod`, `app.dockerfile`) or
    /// begins, past comments and blank lines, with `FROM` or `ARG`.
    fn looks_like_dockerfile(&self) -> bool {
        if !std::fs::metadata(&self.path).is_ok_and(|m| m.is_file()) {
            return false;
        }
        let mut head = Vec::with_capacity(HEAD);
        let Ok(file) = File::open(&self.path) else {
            return false;
        };
        if file.take(HEAD as u64).read_to_end(&mut head).is_err() {
            return false;
        }
        let tar = head.get(257..262) == Some(b"ustar");
        let compressed = head.starts_with(&[0x1f, 0x8b]) || head.starts_with(&ZSTD_MAGIC);
        if tar || compressed || head.contains(&0) {
            return false;
        }
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let named = ["dockerfile", "containerfile"].iter().any(|base| {
            name == *base
                || name.starts_with(&format!("{base}."))
                || name.ends_with(&format!(".{base}"))
        });
        named || starts_like_a_dockerfile(&String::from_utf8_lossy(&head))
    }

    /// Whether the input is a directory or a file, and how a file is compressed.
    pub fn shape(&self) -> Result<Shape> {
        let shape = self.shape.get_or_init(|| {
            let meta = std::fs::metadata(&self.path).map_err(LookError::Open)?;
            if meta.is_dir() {
                return Ok(Shape::Dir);
            }
            // A FIFO, socket or device would be read more than once (the shape, then the
            // image), or block for ever on a FIFO without a writer.
            if !meta.is_file() {
                return Err(LookError::Special(kind_of(&meta.file_type())));
            }
            let mut magic = [0u8; 6];
            let n = File::open(&self.path)
                .and_then(|mut f| f.read(&mut magic))
                .map_err(LookError::Read)?;
            let compression = Compression::detect(&magic[..n])?;
            Ok(Shape::File {
                len: meta.len(),
                compression,
            })
        });
        match shape {
            Ok(shape) => Ok(*shape),
            Err(e) => Err(self.at().err(None, e.to_string())),
        }
    }

    /// The input as an image archive, indexed: a directory holding `manifest.json` or
    /// `index.json`, or an uncompressed tar whose every top-level name is one an image
    /// archive has. `None` for anything else (a root filesystem, a compressed file).
    pub fn archive(&self) -> Result<Option<&Archive>> {
        let shape = self.shape()?;
        let archive = self.archive.get_or_init(|| match shape {
            Shape::Dir => {
                let archive = Archive::Dir(self.path.clone());
                let holds = archive.contains("manifest.json") || archive.contains("index.json");
                Ok(holds.then_some(archive))
            }
            Shape::File {
                compression: Compression::None,
                ..
            } => match Archive::index_tar(&self.path)? {
                TarIndex::Image(archive) => Ok(Some(archive)),
                TarIndex::Rootfs => Ok(None),
            },
            Shape::File { .. } => Ok(None),
        });
        match archive {
            Ok(a) => Ok(a.as_ref()),
            Err(e) => Err(self.at().err(None, e.to_string())),
        }
    }

    /// The name, and the image archive the input is ([`Input::archive`]), indexed once.
    pub fn into_archive(self) -> Result<(String, Archive)> {
        self.archive()?;
        match self.archive.into_inner() {
            Some(Ok(Some(archive))) => Ok((self.name, archive)),
            _ => Err(At { image: &self.name }.err(None, "is not an image archive")),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_dockerfile_is_told_by_its_first_instruction() {
        use super::starts_like_a_dockerfile as df;
        assert!(df("# syntax=docker/dockerfile:1\n\nFROM debian:12\n"));
        assert!(df("ARG BASE=debian\nFROM $BASE\n"));
        assert!(df("  from scratch\n"));
        assert!(!df("# FROM in a comment only\nhello\n"));
        assert!(!df("FROMAGE\n"));
        assert!(!df(""));
    }

    #[test]
    fn other_tools_schemes_are_named_with_what_to_do() {
        use super::foreign_scheme as f;
        assert!(f("docker://debian:12")
            .unwrap()
            .contains("`registry:debian:12`"));
        assert!(f("docker-daemon:app:1").unwrap().contains("docker save"));
        assert!(f("foo://bar").unwrap().contains("`foo://` is not a scheme"));
        // A registry with a port, a tag or a path is no scheme.
        assert_eq!(f("localhost:5000/app:1"), None);
        assert_eq!(f("debian:12"), None);
        assert_eq!(f("./images/app.tar"), None);
    }

    use super::*;

    #[test]
    fn schemes_are_taken_off_names() {
        assert_eq!(
            Scheme::split("registry:debian"),
            (Some(Scheme::Registry), "debian")
        );
        assert_eq!(
            Scheme::split("oci-dir:/tmp/x"),
            (Some(Scheme::OciDir), "/tmp/x")
        );
        assert_eq!(
            Scheme::split("docker-archive:a.tar"),
            (Some(Scheme::DockerArchive), "a.tar")
        );
        assert_eq!(Scheme::split("dir:."), (Some(Scheme::Dir), "."));
        assert_eq!(Scheme::split("file:a"), (Some(Scheme::File), "a"));
        assert_eq!(Scheme::split("debian:12"), (None, "debian:12"));
        assert_eq!(Scheme::split("./dir:x"), (None, "./dir:x"));
        let input = Input::new(Path::new("oci-archive:x/y.tar"));
        assert_eq!(input.scheme(), Some(Scheme::OciArchive));
        assert_eq!(input.name(), "x/y.tar");
        assert_eq!(input.path(), Path::new("x/y.tar"));
    }

    #[test]
    fn schemes_admit_their_kinds() {
        assert!(Scheme::Registry.admits("registry"));
        assert!(!Scheme::Registry.admits("rootfs"));
        assert!(Scheme::OciDir.admits("oci-layout"));
        assert!(!Scheme::OciDir.admits("docker-archive"));
        assert!(Scheme::DockerArchive.admits("compressed"));
        assert!(!Scheme::DockerArchive.admits("oci-layout"));
        assert!(Scheme::Dir.admits("rootfs") && !Scheme::Dir.admits("registry"));
    }
}
