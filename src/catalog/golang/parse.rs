//! The module build information Go embeds in executables.
//!
//! Since Go 1.18 the linker writes a 32-byte header starting with `\xff Go buildinf:` at
//! the start of the `.go.buildinfo` section, followed (flag bit 2) by two
//! varint-length-prefixed strings: the Go version and the module information — lines
//! `path`, `mod` (main module), `dep` (dependencies), `=>` (the replacement of the line
//! before) and `build` (settings), wrapped in 16-byte sentinels. Go's own reader
//! (`debug/buildinfo`) looks for the header, 16-byte aligned, in the first 64 KiB of the
//! data segment.
//!
//! The section header table sits at the end of the file, out of reach of a single forward
//! pass, so this reader uses the program headers, which follow the ELF header: like Go's
//! reader without section headers, it reads the first 64 KiB of the writable,
//! non-executable loadable segments, skipping the bytes before them. A binary that is not
//! Go costs its headers and one such window per data segment, never its whole size.
//!
//! Binaries from Go before 1.18 store pointers instead of inline strings; they are reported
//! as unreadable rather than guessed at.

use crate::catalog::elf::{Cursor, Elf};
use crate::catalog::purl::purl;
use crate::catalog::{Cataloged, LicenseInput};

/// The build information header's magic.
const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
/// The header's size.
const HEADER: usize = 32;
/// The alignment of the header.
const ALIGN: usize = 16;
/// How much of each segment is searched (Go's own reader reads 64 KiB).
const WINDOW: u64 = 64 << 10;
/// The most bytes kept for one binary's build information strings.
const MAX_STRINGS: usize = 1 << 20;
/// The most module lines kept.
const MAX_LINES: usize = 100_000;

/// A module as the build information records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Module {
    /// Module path.
    pub path: String,
    /// Version (`(devel)` for a main module built from a work tree).
    pub version: String,
    /// The replacement's path and version, when a `=>` line replaced it.
    pub replaced_by: Option<(String, String)>,
}

/// What a Go executable says about how it was built.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BuildInfo {
    /// The Go version (`go1.19.8`).
    pub go_version: String,
    /// The main package's import path.
    pub path: String,
    /// The main module.
    pub main: Option<Module>,
    /// The dependencies.
    pub deps: Vec<Module>,
    /// Build settings (`key=value`).
    pub settings: Vec<String>,
}

/// Why the build information of a Go executable cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildInfoError {
    /// The executable was built by Go before 1.18, which stores pointers, not the strings.
    #[error("Go build information in the pre-1.18 pointer format is not read")]
    PointerFormat,
    /// The length-prefixed version and module strings after the header are cut short.
    #[error("the Go build information strings are damaged")]
    DamagedStrings,
    /// The module information text is not UTF-8.
    #[error("the module information is not UTF-8")]
    NotUtf8(#[source] std::str::Utf8Error),
}

/// Looks for Go build information in the first 64 KiB of every writable, non-executable
/// loadable segment (the data segment, where Go's linker puts `.go.buildinfo` and where Go's
/// own reader looks when it has no section headers), in file order. `None` when there is
/// none (not a Go executable); `Some(Err)` when it is Go but the information cannot be read.
pub fn search(elf: &Elf, cur: &mut Cursor, size: u64) -> Option<Result<BuildInfo, BuildInfoError>> {
    const PF_X: u64 = 1;
    const PF_W: u64 = 2;
    for &(offset, filesz, flags) in &elf.segments {
        if flags & (PF_X | PF_W) != PF_W || offset < cur.pos || offset >= size {
            continue; // code or read-only data, or already passed in this forward-only read
        }
        cur.seek_to(offset)?;
        let mut window = Vec::new();
        cur.read_up_to(filesz.min(WINDOW), &mut window)?;
        let Some(at) = find_header(&window) else {
            continue;
        };
        let flags = window[at + 15];
        if flags & 2 == 0 {
            return Some(Err(BuildInfoError::PointerFormat));
        }
        // The strings follow the header; read on if the window cut them.
        let mut data = window.split_off(at + HEADER);
        if let Some((version, info)) = strings(&data) {
            return Some(parse_modinfo(version, info));
        }
        let more = (MAX_STRINGS.saturating_sub(data.len())) as u64;
        let remaining = offset.saturating_add(filesz).saturating_sub(cur.pos);
        cur.read_up_to(more.min(remaining), &mut data)?;
        return Some(match strings(&data) {
            Some((version, info)) => parse_modinfo(version, info),
            None => Err(BuildInfoError::DamagedStrings),
        });
    }
    None
}

/// The offset of an aligned build information header in `data`, as Go's reader finds it.
fn find_header(data: &[u8]) -> Option<usize> {
    let mut at = 0;
    while at + HEADER <= data.len() {
        if data[at..].starts_with(MAGIC) {
            return Some(at);
        }
        at += ALIGN;
    }
    None
}

/// An unsigned LEB128 varint at the start of `b`, and the bytes after it.
fn uvarint(b: &[u8]) -> Option<(u64, &[u8])> {
    let mut v: u64 = 0;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, &b[i + 1..]));
        }
    }
    None
}

/// The two length-prefixed strings after the header: Go version and module information.
fn strings(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let (n, b) = uvarint(b)?;
    let n = usize::try_from(n).ok().filter(|&n| n <= b.len())?;
    let (version, b) = b.split_at(n);
    let (m, b) = uvarint(b)?;
    let m = usize::try_from(m).ok().filter(|&m| m <= b.len())?;
    Some((version, &b[..m]))
}

/// Parses the module information text.
fn parse_modinfo(version: &[u8], info: &[u8]) -> Result<BuildInfo, BuildInfoError> {
    let go_version = String::from_utf8_lossy(version).into_owned();
    let mut info = info;
    // The text sits between two 16-byte sentinels, the second one after a newline.
    if info.len() >= 33 && info[info.len() - 17] == b'\n' {
        info = &info[16..info.len() - 16];
    }
    let text = std::str::from_utf8(info).map_err(BuildInfoError::NotUtf8)?;
    let mut bi = BuildInfo {
        go_version,
        path: String::new(),
        main: None,
        deps: Vec::new(),
        settings: Vec::new(),
    };
    let module = |rest: &str| -> Module {
        let mut f = rest.split('\t');
        Module {
            path: f.next().unwrap_or_default().to_string(),
            version: f.next().unwrap_or_default().to_string(),
            replaced_by: None,
        }
    };
    for line in text.lines().take(MAX_LINES) {
        let Some((key, rest)) = line.split_once('\t') else {
            continue;
        };
        match key {
            "path" => bi.path = rest.to_string(),
            "mod" => bi.main = Some(module(rest)),
            "dep" => bi.deps.push(module(rest)),
            "=>" => {
                let r = module(rest);
                let target = match bi.deps.last_mut() {
                    Some(d) => Some(d),
                    None => bi.main.as_mut(),
                };
                if let Some(t) = target {
                    t.replaced_by = Some((r.path, r.version));
                }
            }
            "build" => bi.settings.push(rest.to_string()),
            _ => {}
        }
    }
    Ok(bi)
}

/// The Go module packages of one executable at `path`: the main module, every dependency,
/// and the standard library at the Go version that built it (`stdlib`, as Go's
/// vulnerability database names it).
///
/// A dependency replaced by another module version is reported as that replacement (it is
/// what was compiled in); one replaced by a local directory keeps the required version,
/// the only version it has.
pub fn packages(bi: &BuildInfo, path: &str, layer: usize) -> Vec<Cataloged> {
    let unrecorded = || LicenseInput::Unrecorded {
        reason: format!(
            "Go build information in /{path} records modules and versions, not licenses"
        ),
    };
    let mut out = Vec::new();
    if let Some(go) = bi
        .go_version
        .split_whitespace()
        .next()
        .filter(|v| v.starts_with("go"))
    {
        out.push(Cataloged::language(
            "go-module",
            purl("golang", &[], "stdlib", go, &[]),
            "stdlib".into(),
            go.to_string(),
            unrecorded(),
            (path, layer),
        ));
    }
    let main = bi.main.iter().map(|m| (m, true));
    for (m, is_main) in main.chain(bi.deps.iter().map(|d| (d, false))) {
        let (p, v) = match &m.replaced_by {
            Some((rp, rv)) if !is_main && !rv.is_empty() && !rp.starts_with(['.', '/']) => {
                (rp.as_str(), rv.as_str())
            }
            _ => (m.path.as_str(), m.version.as_str()),
        };
        if p.is_empty() {
            continue;
        }
        let segments: Vec<&str> = p.split('/').collect();
        let (name, ns) = segments.split_last().unwrap_or((&p, &[]));
        let purl_version = if v == "(devel)" { "" } else { v };
        let depends = if is_main {
            bi.deps.iter().map(|d| d.path.clone()).collect()
        } else {
            Vec::new()
        };
        out.push(
            Cataloged::language(
                "go-module",
                purl("golang", ns, name, purl_version, &[]),
                p.to_string(),
                v.to_string(),
                unrecorded(),
                (path, layer),
            )
            .with(None, None, depends),
        );
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::catalog::elf::read_headers;
    use crate::scan::EntryRead;
    use std::io::Read;

    /// An in-memory entry.
    pub(crate) struct Mem(pub std::io::Cursor<Vec<u8>>);
    impl Read for Mem {
        fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
            self.0.read(b)
        }
    }
    impl EntryRead for Mem {
        fn skip(&mut self, n: u64) -> std::io::Result<()> {
            self.0.set_position(self.0.position() + n);
            Ok(())
        }
        fn left(&self) -> u64 {
            (self.0.get_ref().len() as u64).saturating_sub(self.0.position())
        }
    }

    /// A minimal ELF64 LE file: header, two program headers (R+X text, RW data), and the
    /// build information at the start of the data segment at `data_at`.
    pub(crate) fn elf_with_buildinfo(data_at: usize, modinfo: &str, total: usize) -> Vec<u8> {
        let mut f = vec![0u8; total.max(data_at + 4096)];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = 2;
        f[5] = 1;
        f[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        f[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        f[0x38..0x3A].copy_from_slice(&2u16.to_le_bytes());
        let ph = |f: &mut Vec<u8>, at: usize, flags: u32, off: u64, sz: u64| {
            f[at..at + 4].copy_from_slice(&1u32.to_le_bytes());
            f[at + 4..at + 8].copy_from_slice(&flags.to_le_bytes());
            f[at + 8..at + 16].copy_from_slice(&off.to_le_bytes());
            f[at + 32..at + 40].copy_from_slice(&sz.to_le_bytes());
        };
        ph(&mut f, 64, 5, 0, 4096);
        ph(&mut f, 120, 6, data_at as u64, 4096);
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&[8, 2]);
        b.resize(HEADER, 0);
        let version = b"go1.22.1";
        b.push(version.len() as u8);
        b.extend_from_slice(version);
        let mut info = vec![0x30u8; 16];
        info.extend_from_slice(modinfo.as_bytes());
        info.extend_from_slice(&[0x31u8; 16]);
        b.push((info.len() & 0x7f) as u8 | 0x80);
        b.push((info.len() >> 7) as u8);
        b.extend_from_slice(&info);
        f[data_at..data_at + b.len()].copy_from_slice(&b);
        f
    }

    const MODINFO: &str = "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\ndep\tgithub.com/pkg/errors\tv0.9.1\th1:x\n=>\t../errors\t(devel)\t\ndep\tgolang.org/x/text\tv0.3.0\th1:y\n=>\tgolang.org/x/text\tv0.14.0\th1:z\nbuild\tGOOS=linux\n";

    fn read(f: Vec<u8>) -> Option<Result<BuildInfo, BuildInfoError>> {
        let size = f.len() as u64;
        let mut m = Mem(std::io::Cursor::new(f));
        let mut magic = [0u8; 4];
        m.read_exact(&mut magic).unwrap();
        let mut cur = Cursor::new(&mut m, 4);
        let elf = read_headers(magic, &mut cur, size)?;
        search(&elf, &mut cur, size)
    }

    #[test]
    fn inline_build_information_is_read_from_the_data_segment() {
        let bi = read(elf_with_buildinfo(8192, MODINFO, 0)).unwrap().unwrap();
        assert_eq!(bi.go_version, "go1.22.1");
        assert_eq!(bi.path, "example.com/hello");
        assert_eq!(bi.deps.len(), 2);
        assert_eq!(
            bi.deps[1].replaced_by,
            Some(("golang.org/x/text".into(), "v0.14.0".into()))
        );
        assert_eq!(bi.settings, ["GOOS=linux"]);
        let pkgs = packages(&bi, "usr/bin/hello", 2);
        let purls: Vec<&str> = pkgs.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            purls,
            [
                "pkg:golang/stdlib@go1.22.1",
                "pkg:golang/example.com/hello",
                "pkg:golang/github.com/pkg/errors@v0.9.1",
                "pkg:golang/golang.org/x/text@v0.14.0"
            ]
        );
        assert!(matches!(
            &pkgs[1].license,
            LicenseInput::Unrecorded { reason } if reason.contains("not licenses")
        ));
    }

    #[test]
    fn an_elf_without_build_information_is_not_go() {
        let mut f = elf_with_buildinfo(8192, MODINFO, 0);
        f[8192] = 0;
        assert!(read(f).is_none());
        assert!(read(b"\x7fELF\x02\x01garbage".to_vec()).is_none());
    }

    #[test]
    fn truncated_strings_are_damage_not_a_panic() {
        let mut f = elf_with_buildinfo(8192, MODINFO, 0);
        f.truncate(8192 + 40);
        assert!(matches!(read(f), Some(Err(_)) | None));
    }

    #[test]
    fn the_pre_1_18_pointer_format_is_refused_not_guessed() {
        let mut f = elf_with_buildinfo(8192, MODINFO, 0);
        f[8192 + 15] = 0;
        let e = read(f).unwrap().unwrap_err();
        assert_eq!(e, BuildInfoError::PointerFormat);
        assert_eq!(
            e.to_string(),
            "Go build information in the pre-1.18 pointer format is not read"
        );
    }
}
