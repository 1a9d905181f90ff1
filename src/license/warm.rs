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

use super::debian::{self, Reading};
use super::files;
use crate::scan::CaptureObserver;

/// Conclusions worked out ahead of the report, for one image.
#[derive(Debug, Clone, Default)]
pub struct Warm(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    debian: Mutex<HashMap<Key, Slot>>,
}

/// A copyright file's content (by address: the content is kept alive beside it, so the
/// address cannot be reused) and its path.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Key {
    content: usize,
    path: String,
}

#[derive(Debug)]
struct Slot {
    _content: Arc<[u8]>,
    reading: Arc<OnceLock<Arc<Reading>>>,
}

impl Warm {
    /// The Debian copyright file `content`, at `path`, read on the first call and shared by
    /// the others (every package that ships it).
    pub fn debian(&self, content: &Arc<[u8]>, path: &str) -> Arc<Reading> {
        let key = Key {
            content: Arc::as_ptr(content).cast::<u8>() as usize,
            path: path.to_string(),
        };
        let cell = {
            let mut map = self.0.debian.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(
                &map.entry(key)
                    .or_insert_with(|| Slot {
                        _content: Arc::clone(content),
                        reading: Arc::default(),
                    })
                    .reading,
            )
        };
        Arc::clone(cell.get_or_init(|| Arc::new(debian::read(content, path))))
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
    fn captured(&self, path: &str, content: &Arc<[u8]>) {
        if debian_package(path).is_some() {
            let (warm, content, path) = (self.clone(), Arc::clone(content), path.to_string());
            rayon::spawn(move || {
                warm.debian(&content, &path);
            });
        } else if files::is_reported(path) {
            let content = Arc::clone(content);
            rayon::spawn(move || files::prepare(&content));
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
    fn a_file_is_read_once() {
        let text: Arc<[u8]> = Arc::from(
            &b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2020 A\nLicense: Expat\n"[..],
        );
        let warm = Warm::default();
        let path = "usr/share/doc/a/copyright";
        warm.captured(path, &text);
        let first = warm.debian(&text, path);
        let shipped = crate::license::binary::Shipped::unknown("a");
        assert_eq!(first.conclude("a", &shipped).0.concluded.as_str(), "MIT");
        assert!(Arc::ptr_eq(&first, &warm.debian(&text, path)));
        // The same bytes at another address are another file.
        let copy: Arc<[u8]> = Arc::from(&text[..]);
        let other = warm.debian(&copy, path);
        assert!(!Arc::ptr_eq(&first, &other));
        assert_eq!(other.conclude("a", &shipped), first.conclude("a", &shipped));
        assert_eq!(warm.0.debian.lock().unwrap().len(), 2);
    }
}
