//! The stream inspector of the binary catalogers: it reads executables and Java archives as
//! the layer streams past, never capturing them.
//!
//! Executables (Go build information, cargo-auditable data) and jar/war/ear files are too
//! large to keep, so the layer scan hands each candidate entry's bytes to
//! [`BinaryInspector`], which keeps only a small result ([`Binary`]) and stops reading as
//! soon as it has its answer. One inspector serves [`super::golang`], [`super::cargo`] and
//! [`super::java`]: an entry streams past once, so whoever reads an ELF file must look for
//! both Go's and cargo's data on the same pass.

use std::io::{self, Read};

use std::fmt::Display;
use std::sync::Arc;

use super::view::View;
use super::{cargo, elf, golang, java, Cataloged};
use crate::model::{Finding, FindingKind};
use crate::scan::{EntryRead, Inspection, Inspector};

/// What [`BinaryInspector`] keeps of a binary or archive, for the cataloger of its kind; an
/// `Err` says why a file of that kind could not be read. Only the sentence of an error is
/// kept: it is all a `binary-unreadable` finding tells, and it can be kept in a layer cache.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Binary {
    /// A Go executable's embedded build information.
    Go(Result<golang::parse::BuildInfo, String>),
    /// The crates a Rust executable built with cargo-auditable records.
    Cargo(Result<Vec<cargo::parse::Crate>, String>),
    /// The Maven artifacts found in a jar, war or ear (nested archives included).
    Jar(Result<java::parse::JarInfo, String>),
}

/// The packages a binary cataloger finds in what the inspector kept of the files `view`
/// shows: `pick` takes the results of its kind, and `packages` turns a readable one (with
/// its path and layer) into packages; one that could not be read is a `binary-unreadable`
/// finding.
pub fn packages_of<T: 'static, E: Display + 'static>(
    view: &mut View,
    pick: impl Fn(&Binary) -> Option<&Result<T, E>>,
    mut packages: impl FnMut(&mut View, &T, &str, usize) -> Vec<Cataloged>,
) -> Vec<Arc<Cataloged>> {
    let mut out = Vec::new();
    for (layer, path, found) in view.inspected() {
        match found.get::<Binary>().and_then(&pick) {
            Some(Ok(read)) => {
                out.extend(packages(view, read, path, layer).into_iter().map(Arc::new))
            }
            Some(Err(why)) => view.note(
                Finding::new(FindingKind::BinaryUnreadable {
                    why: why.to_string(),
                })
                .in_layer(layer)
                .at_path(path),
            ),
            None => {}
        }
    }
    out
}

/// The magic of ELF files.
pub const ELF_MAGIC: [u8; 4] = *b"\x7fELF";
/// The magic of a zip local file header.
pub const ZIP_MAGIC: [u8; 4] = *b"PK\x03\x04";

/// The streaming inspector of executables and Java archives.
#[derive(Debug, Clone, Copy, Default)]
pub struct BinaryInspector;

impl Inspector for BinaryInspector {
    fn wants(&self, path: &str, mode: u32, size: u64) -> bool {
        size >= 64 && (mode & 0o111 != 0 || java::parse::is_archive_name(path))
    }

    fn inspect(
        &self,
        path: &str,
        size: u64,
        magic: [u8; 4],
        rest: &mut dyn EntryRead,
    ) -> Option<Inspection> {
        if magic == ELF_MAGIC {
            let mut cur = elf::Cursor::new(rest, 4);
            let elf = elf::read_headers(magic, &mut cur, size)?;
            if let Some(go) = golang::parse::search(&elf, &mut cur, size) {
                return Some(Inspection::new(Binary::Go(go.map_err(|e| e.to_string()))));
            }
            return cargo::parse::search(&elf, &mut cur, size)
                .map(|r| Inspection::new(Binary::Cargo(r.map_err(|e| e.to_string()))));
        }
        if magic == ZIP_MAGIC && java::parse::is_archive_name(path) {
            let mut input = io::BufReader::new(Prefixed { head: &magic, rest });
            let read = java::parse::read_archive(&mut input, 0)
                .map_err(|e| java::parse::ArchiveError(e).to_string());
            return Some(Inspection::new(Binary::Jar(read)));
        }
        None
    }

    fn version(&self) -> u32 {
        // 2: a jar's artifacts carry the supplier their pom.xml records.
        2
    }

    fn save(&self, found: &Inspection) -> Option<Vec<u8>> {
        postcard::to_stdvec(found.get::<Binary>()?).ok()
    }

    fn restore(&self, saved: &[u8]) -> Option<Inspection> {
        postcard::from_bytes::<Binary>(saved)
            .ok()
            .map(Inspection::new)
    }
}

/// A reader that yields `head` and then `rest`.
struct Prefixed<'a, 'b> {
    head: &'a [u8],
    rest: &'b mut dyn EntryRead,
}

impl Read for Prefixed<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.head.is_empty() {
            let n = self.head.len().min(buf.len());
            buf[..n].copy_from_slice(&self.head[..n]);
            self.head = &self.head[n..];
            return Ok(n);
        }
        self.rest.read(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::tar::build::header;
    use crate::scan::{scan_layer, CaptureRules, Expect};
    use std::io::{Cursor, Seek, SeekFrom};

    /// A layer tar made up on the fly: a header, `size` bytes of content (`head`, then
    /// zeros), padding and the end marker. It counts the bytes handed out by `read`, so a
    /// test can tell what the scan read from what it seeked past.
    struct Synthetic {
        header: [u8; 512],
        head: Vec<u8>,
        size: u64,
        pos: u64,
        read: u64,
    }

    impl Synthetic {
        fn len(&self) -> u64 {
            512 + self.size.div_ceil(512) * 512 + 1024
        }
    }

    impl Read for Synthetic {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = (buf.len() as u64).min(self.len().saturating_sub(self.pos)) as usize;
            for (i, b) in buf[..n].iter_mut().enumerate() {
                let at = self.pos + i as u64;
                *b = if at < 512 {
                    self.header[at as usize]
                } else {
                    self.head.get((at - 512) as usize).copied().unwrap_or(0)
                };
            }
            self.pos += n as u64;
            self.read += n as u64;
            Ok(n)
        }
    }

    impl Seek for Synthetic {
        fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
            self.pos = match to {
                SeekFrom::Start(p) => p,
                SeekFrom::Current(d) => self.pos.saturating_add_signed(d),
                SeekFrom::End(d) => self.len().saturating_add_signed(d),
            };
            Ok(self.pos)
        }
    }

    #[test]
    fn a_large_go_executable_is_inspected_without_being_read_or_kept() {
        const SIZE: u64 = 200 << 20;
        let data_at = 100 << 20;
        let modinfo = "path\texample.com/big\nmod\texample.com/big\tv1.0.0\t\n";
        let elf = golang::parse::tests::elf_with_buildinfo(data_at, modinfo, data_at + 4096);
        let mut layer = Synthetic {
            header: header("usr/bin/big", b'0', SIZE, ""),
            head: elf,
            size: SIZE,
            pos: 0,
            read: 0,
        };
        let mut h = layer.header;
        h[100..107].copy_from_slice(b"0000755");
        h[148..156].copy_from_slice(b"        ");
        let sum: u64 = h.iter().map(|&x| u64::from(x)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        layer.header = h;
        let rules = crate::catalog::want(CaptureRules::builder()).build();
        let scan = scan_layer(&mut layer, &Expect::default(), &rules, None).unwrap();
        assert!(scan.captured.is_empty(), "the executable is not captured");
        match scan
            .inspected
            .get("usr/bin/big")
            .and_then(|i| i.get::<Binary>())
        {
            Some(Binary::Go(Ok(bi))) => assert_eq!(bi.path, "example.com/big"),
            other => panic!("{other:?}"),
        }
        // Headers and one 64 KiB window (plus the reader's buffering), not 200 MiB.
        assert!(layer.read < 1 << 20, "read {} bytes", layer.read);
    }

    #[test]
    fn a_jar_that_is_not_a_zip_and_a_script_are_passed_by() {
        let mut t = Vec::new();
        crate::scan::tar::build::entry(&mut t, "opt/a.jar", b'0', &[b'x'; 100], "");
        crate::scan::tar::build::entry(&mut t, "opt/run.sh", b'0', &[b'#'; 100], "");
        let t = crate::scan::tar::build::finish(t);
        let rules = crate::catalog::want(CaptureRules::builder()).build();
        let scan = scan_layer(Cursor::new(t), &Expect::default(), &rules, None).unwrap();
        assert!(scan.inspected.is_empty() && scan.captured.is_empty());
        assert_eq!(scan.files.len(), 2);
    }
}
