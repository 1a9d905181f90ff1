//! License work started while the image is still being read.
//!
//! A scan captures each copyright file and license text as its layer streams past, but the
//! report is assembled only once every layer has been read. Matching license texts is the
//! costliest part of the report, so [`Warm`], registered as the scan's
//! [`CaptureObserver`], starts that work on the thread pool as soon as a file is captured:
//! on an image whose largest layer takes longest to decompress, it runs on the cores the
//! other layers have left idle. The report then finds the work done (or waits for it, never
//! doing it twice). What is computed depends on nothing but the file, so the results are
//! the same whichever thread gets there first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest as _, Sha256};

use super::debian::{self, Reading};
use super::files;
use crate::cache::{Cache, Derived};
use crate::scan::CaptureObserver;

/// Conclusions worked out ahead of the report, for one image.
#[derive(Debug, Clone, Default)]
pub struct Warm(Arc<Inner>);

/// A reading, made by whichever thread gets to it first.
type Cell = Arc<OnceLock<Arc<Reading>>>;

#[derive(Debug, Default)]
struct Inner {
    /// Readings by the copyright file's content: every package built from one source
    /// package ships the same file, and it is read once.
    debian: Mutex<HashMap<Content, Cell>>,
    /// The layer cache, which keeps readings across runs and machines, by the file's digest.
    cache: Option<Arc<Cache>>,
}

/// A file's content as a map key: equal when the bytes are, hashed by their length and ends
/// only, as hashing whole files (megabytes over an image) costs more than comparing the
/// few that share a hash.
#[derive(Debug, PartialEq, Eq)]
struct Content(Arc<Vec<u8>>);

impl std::hash::Hash for Content {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        const ENDS: usize = 256;
        let bytes = &self.0[..];
        bytes.len().hash(state);
        bytes[..bytes.len().min(ENDS)].hash(state);
        bytes[bytes.len().saturating_sub(ENDS)..].hash(state);
    }
}

impl Warm {
    /// Work for one image that reads and keeps readings in `cache`, if there is one.
    pub fn with_cache(cache: Option<Arc<Cache>>) -> Warm {
        Warm(Arc::new(Inner {
            debian: Mutex::default(),
            cache,
        }))
    }

    /// The Debian copyright file `content`, read on the first call and shared by the others
    /// (every package that ships a file with that content).
    pub fn debian(&self, content: &Arc<Vec<u8>>) -> Arc<Reading> {
        let cell = {
            let mut map = self.0.debian.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(map.entry(Content(Arc::clone(content))).or_default())
        };
        Arc::clone(cell.get_or_init(|| Arc::new(self.read_debian(content))))
    }

    /// Reads a copyright file, or takes the reading the cache keeps for its content (and
    /// keeps a new one there).
    fn read_debian(&self, content: &[u8]) -> Reading {
        let Some(cache) = &self.0.cache else {
            return debian::read(content);
        };
        let digest: [u8; 32] = Sha256::digest(content).into();
        // A reading holds what the file says and a little more: it cannot rightly be much
        // larger than the file.
        let bound = (content.len() as u64)
            .saturating_mul(4)
            .saturating_add(1 << 16);
        if let Some(saved) = cache.get_derived(Derived::Reading, &digest, bound) {
            match debian::read_saved(&saved) {
                Some(reading) => return reading,
                None => cache.damaged(
                    Derived::Reading,
                    &digest,
                    "it does not decode as a reading of the file",
                ),
            }
        }
        let reading = debian::read(content);
        if let Some(saved) = debian::save(&reading) {
            cache.put_derived(Derived::Reading, &digest, &saved);
        }
        reading
    }
}

/// The package whose copyright file `path` is (`usr/share/doc/PACKAGE/copyright`).
fn debian_package(path: &str) -> Option<&str> {
    let package = path
        .strip_prefix("usr/share/doc/")?
        .strip_suffix("/copyright")?;
    (!package.is_empty() && !package.contains('/')).then_some(package)
}

impl CaptureObserver for Warm {
    fn captured(&self, path: &str, content: &Arc<Vec<u8>>) {
        if debian_package(path).is_some() {
            let (warm, content) = (self.clone(), Arc::clone(content));
            rayon::spawn(move || {
                warm.debian(&content);
            });
        } else if files::is_reported(path) {
            let (cache, content) = (self.0.cache.clone(), Arc::clone(content));
            rayon::spawn(move || files::prepare(&content, cache.as_deref()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_package_directory_copyright_names_a_package() {
        assert_eq!(
            debian_package("usr/share/doc/zlib1g/copyright"),
            Some("zlib1g")
        );
        assert_eq!(debian_package("usr/share/doc/a/b/copyright"), None);
        assert_eq!(debian_package("usr/share/doc//copyright"), None);
        assert_eq!(debian_package("usr/share/doc/zlib1g/changelog.gz"), None);
    }

    #[test]
    fn a_content_is_read_once() {
        let text: Arc<Vec<u8>> = Arc::new(
            b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2020 A\nLicense: Expat\n".to_vec(),
        );
        let warm = Warm::default();
        let path = "usr/share/doc/a/copyright";
        warm.captured(path, &text);
        let first = warm.debian(&text);
        let shipped = crate::license::binary::Shipped::unknown("a");
        let (license, _) = first.conclude(path, "a", &shipped);
        assert_eq!(license.concluded.as_str(), "MIT");
        assert!(Arc::ptr_eq(&first, &warm.debian(&text)));
        // The same bytes captured again (another package's file) are the same reading.
        let copy: Arc<Vec<u8>> = Arc::new(text.to_vec());
        assert!(Arc::ptr_eq(&first, &warm.debian(&copy)));
        let other: Arc<Vec<u8>> = Arc::new(b"Files: *\nLicense: BSD-2-Clause\n".to_vec());
        assert!(!Arc::ptr_eq(&first, &warm.debian(&other)));
        assert_eq!(warm.0.debian.lock().unwrap().len(), 2);
    }
}
