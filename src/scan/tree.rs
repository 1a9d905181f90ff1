//! Scanning a root filesystem directory as a single layer.
//!
//! The walk never follows symlinks (they are indexed with their targets, like tar entries),
//! sorts directory entries so the result does not depend on the filesystem's order, and
//! records a file seen again through another hard link as a hard link to the first path.
//! Directories and files are opened beneath the root and through no symlink
//! (`open_beneath`), and a directory's entries are listed, stat'ed and read as links through
//! its own descriptor: a directory swapped for a symlink while the scan runs stops the scan
//! instead of leaking what the symlink points to (its names, sizes or contents).

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use rustix::fs::FileType;

use super::capture::MAX_CAPTURE_PER_LAYER;
use super::tar::{Kind, TarError};
use super::{CaptureRules, Content, EntryRead, FileEntry, Inspector, LayerScan, ScanError};

/// The deepest directory nesting walked.
const MAX_DEPTH: usize = 512;
/// The most entries indexed.
const MAX_ENTRIES: usize = 20_000_000;

fn io_err(path: &str, e: std::io::Error) -> ScanError {
    ScanError::Tar(TarError::Entry {
        name: path.to_string(),
        message: e.to_string(),
    })
}

/// Scans the directory `root` as one layer.
pub fn scan_tree(root: &Path, rules: &CaptureRules) -> Result<LayerScan, ScanError> {
    let mut scan = LayerScan::default();
    let mut inodes: HashMap<(u64, u64), String> = HashMap::new();
    let mut budget = MAX_CAPTURE_PER_LAYER;
    let mut draw = super::capture::Draw::on(rules.budget());
    // Stack of (relative directory path, depth); children are pushed in reverse order so
    // the walk visits them sorted.
    let mut stack: Vec<(String, usize)> = vec![(String::new(), 0)];
    let root_dir = fs::File::open(root).map_err(|e| io_err("", e))?;
    while let Some((dir, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(io_err(
                &dir,
                std::io::Error::other("directories nest too deeply"),
            ));
        }
        // The directory is opened beneath the root through no symlink, and everything in
        // it is looked at through that descriptor: a directory swapped for a symlink after
        // it was listed cannot show what lies outside the root.
        let listed = if dir.is_empty() {
            root_dir.try_clone()
        } else {
            open_beneath(&root_dir, &dir, true)
        };
        let listed = listed.map_err(|e| io_err(&dir, e))?;
        let mut names = Vec::new();
        let entries = rustix::fs::Dir::read_from(&listed).map_err(|e| io_err(&dir, e.into()))?;
        for e in entries {
            let e = e.map_err(|e| io_err(&dir, e.into()))?;
            let raw = e.file_name().to_bytes();
            if raw == b"." || raw == b".." {
                continue;
            }
            let name = String::from_utf8(raw.to_vec()).map_err(|_| {
                ScanError::Tar(TarError::Entry {
                    name: format!("{dir}/{}", String::from_utf8_lossy(raw)),
                    message: "name is not valid UTF-8".into(),
                })
            })?;
            names.push(name);
        }
        names.sort_unstable();
        let mut subdirs = Vec::new();
        for name in names {
            let rel = if dir.is_empty() {
                name.clone()
            } else {
                format!("{dir}/{name}")
            };
            let over = |message: String| ScanError::Budget {
                entry: rel.clone(),
                message,
            };
            draw.entry(&rel).map_err(over)?;
            let meta = rustix::fs::statat(&listed, &name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)
                .map_err(|e| io_err(&rel, e.into()))?;
            let ft = rustix::fs::FileType::from_raw_mode(meta.st_mode);
            let mut entry = FileEntry {
                path: rel.clone(),
                kind: Kind::File,
                size: 0,
                mode: meta.st_mode & 0o7777,
                link: None,
            };
            if ft == FileType::Directory {
                entry.kind = Kind::Dir;
                subdirs.push((rel.clone(), depth + 1));
            } else if ft == FileType::Symlink {
                entry.kind = Kind::Symlink;
                let target = rustix::fs::readlinkat(&listed, &name, Vec::new())
                    .map_err(|e| io_err(&rel, e.into()))?;
                entry.link = Some(target.into_string().map_err(|_| {
                    io_err(
                        &rel,
                        std::io::Error::other("symlink target is not valid UTF-8"),
                    )
                })?);
            } else if ft == FileType::RegularFile {
                let first = (meta.st_nlink > 1)
                    .then(|| {
                        inodes
                            .entry((meta.st_dev, meta.st_ino))
                            .or_insert_with(|| rel.clone())
                            .clone()
                    })
                    .filter(|first| *first != rel);
                if let Some(first) = first {
                    entry.kind = Kind::Hardlink;
                    if let Some(c) = scan.captured.get(&first).cloned() {
                        if rules.limit_for(&rel).is_some() {
                            scan.captured.insert(rel.clone(), c);
                        }
                    }
                    entry.link = Some(first);
                } else {
                    entry.size = u64::try_from(meta.st_size).unwrap_or(0);
                    if let Some(limit) = rules.limit_for(&rel) {
                        let content = if entry.size > limit || entry.size > budget {
                            Content::TooLarge {
                                size: entry.size,
                                limit: limit.min(budget),
                            }
                        } else {
                            if let Some(b) = rules.budget() {
                                b.capture(entry.size).map_err(over)?;
                            }
                            let mut buf = Vec::new();
                            buf.try_reserve_exact(entry.size as usize)
                                .map_err(|_| {
                                    std::io::Error::new(
                                        std::io::ErrorKind::OutOfMemory,
                                        format!(
                                            "cannot reserve {} bytes for its content",
                                            entry.size
                                        ),
                                    )
                                })
                                .and_then(|()| open_beneath(&root_dir, &rel, false))
                                .and_then(|f| f.take(limit).read_to_end(&mut buf))
                                .map_err(|e| io_err(&rel, e))?;
                            budget = budget.saturating_sub(buf.len() as u64);
                            let data = Arc::new(buf);
                            if let Some(observer) = rules.observer() {
                                observer.captured(&rel, &data);
                            }
                            Content::Data(data)
                        };
                        scan.captured.insert(rel.clone(), content);
                    } else if let Some(inspector) =
                        rules.inspector_for(&rel, entry.mode, entry.size)
                    {
                        if let Some(found) = inspect_file(inspector, &root_dir, &rel, entry.size) {
                            scan.inspected.insert(rel.clone(), found);
                        }
                    }
                }
            } else if ft == FileType::CharacterDevice {
                entry.kind = Kind::Char;
            } else if ft == FileType::BlockDevice {
                entry.kind = Kind::Block;
            } else if ft == FileType::Fifo {
                entry.kind = Kind::Fifo;
            } else {
                continue; // sockets are not part of an image
            }
            scan.files.push(entry);
            if scan.files.len() > MAX_ENTRIES {
                return Err(io_err(&rel, std::io::Error::other("too many entries")));
            }
        }
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(scan)
}

/// A file of the tree, as an [`EntryRead`] bounded to the size it had when listed.
struct FileEntryRead {
    file: fs::File,
    left: u64,
}

impl Read for FileEntryRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = (buf.len() as u64).min(self.left) as usize;
        let n = self.file.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

impl EntryRead for FileEntryRead {
    fn skip(&mut self, n: u64) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        let n = n.min(self.left);
        self.file.seek(SeekFrom::Current(n as i64))?;
        self.left -= n;
        Ok(())
    }

    fn left(&self) -> u64 {
        self.left
    }
}

/// Opens `rel` (a `/`-separated path relative to the directory `root`) for reading (as a
/// directory, to list it, when `directory` is set), resolving
/// it beneath `root` and through no symlink: `openat2` with `RESOLVE_BENEATH` and
/// `RESOLVE_NO_SYMLINKS`, or, where the kernel has no `openat2` (before 5.6), `openat` with
/// `O_NOFOLLOW` one component at a time. A path that meets a symlink fails with `ELOOP`.
fn open_beneath(root: &fs::File, rel: &str, directory: bool) -> std::io::Result<fs::File> {
    use rustix::fs::{openat2, Mode, OFlags, ResolveFlags};
    let mut flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW;
    if directory {
        flags |= OFlags::DIRECTORY;
    }
    match openat2(
        root,
        rel,
        flags,
        Mode::empty(),
        ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS,
    ) {
        Ok(fd) => Ok(fs::File::from(fd)),
        Err(rustix::io::Errno::NOSYS) => open_by_components(root, rel, flags),
        Err(e) => Err(e.into()),
    }
}

/// [`open_beneath`] without `openat2`: each component opened with `O_NOFOLLOW` in the one
/// before it.
fn open_by_components(
    root: &fs::File,
    rel: &str,
    flags: rustix::fs::OFlags,
) -> std::io::Result<fs::File> {
    use rustix::fs::{openat, Mode, OFlags};
    let mut parts = rel.split('/').filter(|p| !p.is_empty()).peekable();
    let mut dir: Option<std::os::fd::OwnedFd> = None;
    while let Some(part) = parts.next() {
        if part == ".." {
            return Err(std::io::Error::other("'..' leaves the root"));
        }
        let last = parts.peek().is_none();
        let flags = if last {
            flags
        } else {
            flags | OFlags::DIRECTORY
        };
        let fd = match &dir {
            Some(d) => openat(d, part, flags, Mode::empty())?,
            None => openat(root, part, flags, Mode::empty())?,
        };
        if last {
            return Ok(fs::File::from(fd));
        }
        dir = Some(fd);
    }
    Err(std::io::Error::other("empty path"))
}

/// Offers one file of the tree to the inspector; a file that cannot be read is passed by.
fn inspect_file(
    inspector: &dyn Inspector,
    root: &fs::File,
    rel: &str,
    size: u64,
) -> Option<super::Inspection> {
    let mut input = FileEntryRead {
        file: open_beneath(root, rel, false).ok()?,
        left: size,
    };
    let mut magic = [0u8; 4];
    input.read_exact(&mut magic).ok()?;
    inspector.inspect(rel, size, magic, &mut input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_swapped_for_a_symlink_is_not_followed() {
        use std::os::unix::fs::symlink;
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("root");
        let outside = d.path().join("outside");
        fs::create_dir_all(root.join("a")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(root.join("a/LICENSE"), b"inside").unwrap();
        fs::write(outside.join("LICENSE"), b"secret").unwrap();
        let dir = fs::File::open(&root).unwrap();
        let flags = rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::NOFOLLOW;
        let read = |f: std::io::Result<fs::File>| {
            f.map(|mut f| {
                let mut s = String::new();
                f.read_to_string(&mut s).unwrap();
                s
            })
        };
        assert_eq!(
            read(open_beneath(&dir, "a/LICENSE", false)).unwrap(),
            "inside"
        );
        assert_eq!(
            read(open_by_components(&dir, "a/LICENSE", flags)).unwrap(),
            "inside"
        );
        // The race won: `a` is now a symlink to a directory outside the root.
        fs::remove_dir_all(root.join("a")).unwrap();
        symlink(&outside, root.join("a")).unwrap();
        assert!(open_beneath(&dir, "a/LICENSE", false).is_err());
        assert!(open_by_components(&dir, "a/LICENSE", flags).is_err());
        symlink(outside.join("LICENSE"), root.join("b")).unwrap();
        assert!(open_beneath(&dir, "b", false).is_err());
        assert!(open_by_components(&dir, "b", flags).is_err());
        assert!(open_by_components(&dir, "../outside/LICENSE", flags).is_err());
        // Listing a directory goes through the same check: `a` is not listed through.
        assert!(open_beneath(&dir, "a", true).is_err());
        fs::create_dir_all(root.join("c")).unwrap();
        assert!(open_beneath(&dir, "c", true).is_ok());
        assert!(open_beneath(&dir, "b", true).is_err());
    }

    #[test]
    fn a_tree_is_indexed_through_directory_descriptors() {
        use std::os::unix::fs::symlink;
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        fs::create_dir_all(root.join("etc/ssl")).unwrap();
        fs::write(root.join("etc/hostname"), b"box\n").unwrap();
        fs::write(root.join("etc/ssl/openssl.cnf"), b"x").unwrap();
        symlink("hostname", root.join("etc/name")).unwrap();
        fs::hard_link(root.join("etc/hostname"), root.join("etc/hostname2")).unwrap();
        let scan = scan_tree(root, &crate::pipeline::capture_rules()).unwrap();
        let listed: Vec<(&str, Kind, u64, Option<&str>)> = scan
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.kind, f.size, f.link.as_deref()))
            .collect();
        assert_eq!(
            listed,
            [
                ("etc", Kind::Dir, 0, None),
                ("etc/hostname", Kind::File, 4, None),
                ("etc/hostname2", Kind::Hardlink, 0, Some("etc/hostname")),
                ("etc/name", Kind::Symlink, 0, Some("hostname")),
                ("etc/ssl", Kind::Dir, 0, None),
                ("etc/ssl/openssl.cnf", Kind::File, 1, None),
            ]
        );
    }
}
