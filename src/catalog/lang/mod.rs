//! Language packages: what a Dockerfile installed with pip, npm, go, maven, gem, composer
//! and cargo.
//!
//! An approval that lists only dpkg packages misses most of what an application image
//! ships: the application itself arrives as Python distributions, `node_modules`, a Go
//! binary or a jar. The catalogers here find those packages in the filesystem *as of* every
//! layer, so that attribution (which layer introduced a package, which removed it) works
//! exactly as for OS packages.
//!
//! Two ways in:
//!
//! - **Metadata files** ([`python`], [`node`], [`gem`], [`composer`]): small files captured
//!   by path during the layer scan (`*.dist-info/METADATA`, `node_modules/*/package.json`,
//!   `specifications/*.gemspec`, `vendor/composer/installed.json`), each parsed once per
//!   supplying layer.
//! - **Binaries and archives** ([`gobin`], [`rustbin`], [`java`]): executables (Go build
//!   information, cargo-auditable data) and jar/war/ear files are never captured. The layer scan hands each candidate entry's bytes, as they stream
//!   past, to [`LangInspector`], which keeps only a small result ([`Inspected`]) and stops
//!   reading as soon as it has its answer.
//!
//! Every package gets a purl, its declared license, and a concluded license with the
//! evidence it rests on — or `NOASSERTION` with the reason ([`license`]).

pub mod composer;
pub mod gem;
pub mod gobin;
pub mod java;
pub mod license;
pub mod node;
pub mod python;
pub mod rustbin;

use std::io::{self, Read};
use std::sync::Arc;

use super::view::Cataloged;
use crate::license::conclude::Conclusion;
use crate::license::names::{self, Dialect};
use crate::license::text;
use crate::model::Evidence;
use crate::overlay::Overlay;
use crate::scan::capture::CaptureRulesBuilder;
use crate::scan::{Content, EntryRead, Inspector};

/// The largest metadata file captured for a language cataloger (METADATA, package.json,
/// gemspec); real ones are a few KiB, the largest METADATA files on PyPI about 200 KiB.
pub const MAX_METADATA: u64 = 1 << 20;
/// The largest Composer `installed.json` captured (one file lists every PHP package; a
/// large application's is under 1 MiB).
pub const MAX_INSTALLED_JSON: u64 = 4 << 20;
/// The largest license file captured from a `*.dist-info` directory: the same as for every
/// license file (`license::files`), since both capture the same files.
pub const MAX_LICENSE_FILE: u64 = crate::license::text::MAX_TEXT_BYTES as u64;

/// Adds the metadata files the language catalogers read to a capture rule set.
pub fn want(rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
    let mut r = rules;
    for p in python::PATTERNS {
        r = r.want(p, MAX_METADATA);
    }
    for p in python::LICENSE_PATTERNS {
        r = r.want(p, MAX_LICENSE_FILE);
    }
    for p in node::PATTERNS {
        r = r.want(p, MAX_METADATA);
    }
    for p in gem::PATTERNS {
        r = r.want(p, MAX_METADATA);
    }
    for p in composer::PATTERNS {
        r = r.want(p, MAX_INSTALLED_JSON);
    }
    r.inspect(Arc::new(LangInspector))
}

/// A license conclusion for a language package: what was declared, what is concluded, and
/// what it rests on (or why there is nothing to conclude).
#[derive(Debug, Clone, PartialEq)]
pub struct Concluded {
    /// The license as the package states it, raw.
    pub declared: Option<String>,
    /// The declared license as an SPDX expression, when it maps.
    pub declared_spdx: Option<String>,
    /// An SPDX expression, or `NOASSERTION`.
    pub concluded: String,
    /// What the conclusion rests on.
    pub evidence: Vec<Evidence>,
    /// Why the conclusion is `NOASSERTION`, when it is.
    pub reason: Option<String>,
}

impl Concluded {
    /// A conclusion resting on one piece of evidence.
    pub fn from(
        declared: Option<String>,
        expression: String,
        path: &str,
        layer: usize,
        method: &str,
        confidence: f64,
    ) -> Self {
        Concluded {
            declared,
            declared_spdx: Some(expression.clone()),
            concluded: expression,
            evidence: vec![Evidence {
                path: path.to_string(),
                layer,
                method: method.to_string(),
                confidence,
                lines: Vec::new(),
            }],
            reason: None,
        }
    }

    /// `NOASSERTION`, with the reason.
    pub fn none(declared: Option<String>, reason: impl Into<String>) -> Self {
        Concluded {
            declared,
            declared_spdx: None,
            concluded: "NOASSERTION".into(),
            evidence: Vec::new(),
            reason: Some(reason.into()),
        }
    }

    /// Whether nothing was concluded.
    pub fn is_none(&self) -> bool {
        self.concluded == "NOASSERTION"
    }
}

/// A language package as a cataloger found it.
#[derive(Debug, Clone, PartialEq)]
pub struct LangPackage {
    /// `python`, `npm`, `go-module`, `maven`, `gem`, `composer`, `cargo`.
    pub kind: &'static str,
    /// Name as the ecosystem writes it (`@scope/name` for npm, `group:artifact` for maven).
    pub name: String,
    /// Version.
    pub version: String,
    /// Package URL.
    pub purl: String,
    /// License conclusion from the package's own metadata.
    pub license: Concluded,
    /// License files that may be matched when the metadata gives no conclusion.
    pub license_files: Vec<String>,
    /// Project homepage.
    pub homepage: Option<String>,
    /// Author or maintainer.
    pub supplier: Option<String>,
    /// Names of the packages it depends on, in the same ecosystem.
    pub depends: Vec<String>,
}

/// The lowest text-match score accepted as evidence.
const TEXT_MATCH_MIN: f32 = 0.9;

/// The license conclusion of a language package as of layer `as_of`: its metadata's, or —
/// when the metadata concludes nothing — the one license its license files' texts match.
pub fn conclude(p: &LangPackage, overlay: &Overlay, as_of: usize) -> Conclusion {
    let mut c = p.license.clone();
    if c.is_none() && !p.license_files.is_empty() {
        let mut found: Vec<(String, Evidence)> = Vec::new();
        let mut too_large: Vec<String> = Vec::new();
        for f in &p.license_files {
            let Ok(Some(file)) = overlay.read(f, as_of) else {
                continue;
            };
            let bytes = match file.content {
                Some(Content::Data(bytes)) => bytes,
                Some(Content::TooLarge { size, limit }) => {
                    too_large.push(format!(
                        "/{} ({size} bytes, over the {limit}-byte limit)",
                        file.path
                    ));
                    continue;
                }
                None => continue,
            };
            for m in text::identify(&String::from_utf8_lossy(bytes), TEXT_MATCH_MIN) {
                if let Some(e) = names::normalize(&m.spdx, Dialect::Rpm).expression {
                    if !found.iter().any(|(x, _)| *x == e) {
                        found.push((
                            e,
                            Evidence {
                                path: file.path.to_string(),
                                layer: file.layer,
                                method: "text-match".into(),
                                confidence: f64::from(m.confidence),
                                lines: Vec::new(),
                            },
                        ));
                    }
                }
            }
        }
        match found.len() {
            0 if !too_large.is_empty() => {
                let why = c.reason.take().unwrap_or_default();
                c.reason = Some(format!(
                    "{why}; its license files were not read: {}",
                    too_large.join(", ")
                ));
            }
            0 => {
                let why = c.reason.take().unwrap_or_default();
                c.reason = Some(format!(
                    "{why}; its license files match no SPDX license text with a score of {TEXT_MATCH_MIN} or more"
                ));
            }
            1 => {
                let (e, ev) = found.remove(0);
                c.concluded = e;
                c.evidence = vec![ev];
                c.reason = None;
            }
            n => {
                let why = c.reason.take().unwrap_or_default();
                let names: Vec<&str> = found.iter().map(|(e, _)| e.as_str()).collect();
                c.reason = Some(format!(
                    "{why}; its license files hold {n} license texts ({}), and nothing says whether they apply together or as a choice",
                    names.join(", ")
                ));
            }
        }
    }
    Conclusion {
        declared: c.declared,
        declared_spdx: c.declared_spdx,
        concluded: c.concluded,
        evidence: c.evidence,
        reason: c.reason,
        copyright: Vec::new(),
        texts: Default::default(),
    }
}

/// [`conclude`] for a cataloged record; a record that is not a language package's has no
/// language metadata to conclude from.
pub fn conclude_cataloged(c: &Cataloged, overlay: &Overlay, as_of: usize) -> Conclusion {
    match c.lang.as_deref() {
        Some(p) => conclude(p, overlay, as_of),
        None => {
            let none = Concluded::none(
                c.license.clone(),
                format!("{} is not a language package", c.name),
            );
            Conclusion {
                declared: none.declared,
                declared_spdx: None,
                concluded: none.concluded,
                evidence: Vec::new(),
                reason: none.reason,
                copyright: Vec::new(),
                texts: Default::default(),
            }
        }
    }
}

/// What [`LangInspector`] keeps of a binary or archive it read while streaming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inspected {
    /// A Go executable's embedded build information.
    GoBuildInfo(gobin::BuildInfo),
    /// The crates a Rust executable built with cargo-auditable records.
    Auditable(Vec<rustbin::Crate>),
    /// The Maven artifacts found in a jar, war or ear (nested archives included).
    Jar(java::JarInfo),
    /// The inspector looked and gave up: the reason is reported as a finding.
    Unreadable(String),
}

/// The magic of ELF files.
pub const ELF_MAGIC: [u8; 4] = *b"\x7fELF";
/// The magic of a zip local file header.
pub const ZIP_MAGIC: [u8; 4] = *b"PK\x03\x04";

/// The streaming inspector of the layer scan: Go executables by their ELF build info, and
/// Java archives by their Maven metadata.
#[derive(Debug, Clone, Copy, Default)]
pub struct LangInspector;

impl Inspector for LangInspector {
    fn wants(&self, path: &str, mode: u32, size: u64) -> bool {
        size >= 64 && (mode & 0o111 != 0 || java::is_archive_name(path))
    }

    fn inspect(
        &self,
        path: &str,
        size: u64,
        magic: [u8; 4],
        rest: &mut dyn EntryRead,
    ) -> Option<Inspected> {
        if magic == ELF_MAGIC {
            let mut cur = gobin::Cursor::new(rest, 4);
            let elf = gobin::read_headers(magic, &mut cur, size)?;
            if let Some(go) = gobin::search(&elf, &mut cur, size) {
                return Some(match go {
                    Ok(bi) => Inspected::GoBuildInfo(bi),
                    Err(why) => Inspected::Unreadable(why),
                });
            }
            return rustbin::search(&elf, &mut cur, size).map(|r| match r {
                Ok(pkgs) => Inspected::Auditable(pkgs),
                Err(why) => Inspected::Unreadable(why),
            });
        }
        if magic == ZIP_MAGIC && java::is_archive_name(path) {
            let mut input = io::BufReader::new(Prefixed { head: &magic, rest });
            return Some(match java::read_archive(&mut input, 0) {
                Ok(info) => Inspected::Jar(info),
                Err(e) => Inspected::Unreadable(format!("cannot read the archive: {e}")),
            });
        }
        None
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

/// Percent-encodes one purl segment (purl-spec: unreserved characters stay as they are).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Builds `pkg:TYPE/NS/SEG/…/NAME@VERSION`, encoding every segment on its own so that a
/// multi-segment namespace (Go module paths, npm scopes) keeps its `/` separators.
pub fn purl(kind: &str, namespace: &[&str], name: &str, version: &str) -> String {
    let mut s = format!("pkg:{kind}/");
    for seg in namespace.iter().filter(|s| !s.is_empty()) {
        s.push_str(&encode(seg));
        s.push('/');
    }
    s.push_str(&encode(name));
    if !version.is_empty() {
        s.push('@');
        s.push_str(&encode(version));
    }
    s
}

/// The directory part of `path` (`""` at the root).
pub(crate) fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
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
        let elf = gobin::tests::elf_with_buildinfo(data_at, modinfo, data_at + 4096);
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
        let rules = want(CaptureRules::builder()).build();
        let scan = scan_layer(&mut layer, &Expect::default(), &rules, None).unwrap();
        assert!(scan.captured.is_empty(), "the executable is not captured");
        match scan.inspected.get("usr/bin/big") {
            Some(Inspected::GoBuildInfo(bi)) => assert_eq!(bi.path, "example.com/big"),
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
        let rules = want(CaptureRules::builder()).build();
        let scan = scan_layer(Cursor::new(t), &Expect::default(), &rules, None).unwrap();
        assert!(scan.inspected.is_empty() && scan.captured.is_empty());
        assert_eq!(scan.files.len(), 2);
    }

    #[test]
    fn purls_encode_each_segment() {
        assert_eq!(
            purl("npm", &["@isaacs"], "string-locale-compare", "1.1.0"),
            "pkg:npm/%40isaacs/string-locale-compare@1.1.0"
        );
        assert_eq!(
            purl(
                "golang",
                &["github.com", "pkg"],
                "errors",
                "v0.9.1+incompatible"
            ),
            "pkg:golang/github.com/pkg/errors@v0.9.1%2Bincompatible"
        );
        assert_eq!(purl("gem", &[], "rack", ""), "pkg:gem/rack");
    }
}
