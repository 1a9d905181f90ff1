//! Maven artifacts inside `.jar`, `.war` and `.ear` archives, nested ones included.
//!
//! A jar built by Maven (and most jars on Maven Central) carries
//! `META-INF/maven/GROUP/ARTIFACT/pom.properties` (groupId, artifactId, version) and the
//! `pom.xml` beside it, whose `<licenses>` name the license and whose `<organization>` or
//! `<developers>` the supplier ([`super::pom`]); `META-INF/MANIFEST.MF` may add
//! `Bundle-License`. A fat jar or a war carries one such pair per artifact it shades,
//! and jars inside `WEB-INF/lib/`, `BOOT-INF/lib/` or an ear.
//!
//! Archives are read while the layer streams past, through the zip *local* headers, which
//! precede every entry (the central directory at the end is out of reach of a forward
//! pass). Entries whose sizes follow in a data descriptor (flag bit 3, written by `jar` and
//! `ZipOutputStream`) are inflated to find their end. Only `pom.properties`, `pom.xml`
//! and `MANIFEST.MF` are kept, each bounded; nested archives are read the same way, to a
//! bounded depth.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::DeflateDecoder;

use crate::catalog::purl::purl;
use crate::catalog::{Cataloged, Declared, LicenseInput};

/// How deeply archives nest before the inner ones are passed by.
const MAX_DEPTH: usize = 3;
/// The largest metadata entry kept (uncompressed).
const MAX_META: u64 = 1 << 20;
/// The most entries read from one archive.
const MAX_ENTRIES: usize = 200_000;
/// The most artifacts kept from one archive (nested ones included).
const MAX_ARTIFACTS: usize = 10_000;
/// The longest entry name accepted.
const MAX_NAME: usize = 4096;
/// The most bytes inflated while reading one archive (nested ones included): a deflate
/// bomb costs at most this much work.
const MAX_INFLATE: u64 = 4 << 30;
/// The most metadata bytes kept from one archive level before pairing.
const MAX_LEVEL_BYTES: usize = 16 << 20;

/// Whether a file name is a Java archive's.
pub fn is_archive_name(path: &str) -> bool {
    let lower = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    lower.ends_with(".jar") || lower.ends_with(".war") || lower.ends_with(".ear")
}

/// A Maven artifact found in an archive.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Artifact {
    /// `groupId`.
    pub group: String,
    /// `artifactId`.
    pub artifact: String,
    /// `version`.
    pub version: String,
    /// `<licenses><license><name>` values from the pom.xml beside it.
    pub license_names: Vec<String>,
    /// `<licenses><license><url>` values.
    pub license_urls: Vec<String>,
    /// Who supplies it, as the pom.xml beside it records ([`super::pom::supplier`]).
    pub supplier: Option<String>,
    /// Where in the archive it was found (`!/`-joined for nested archives).
    pub location: String,
}

/// What an archive holds.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct JarInfo {
    /// Maven artifacts, in archive order.
    pub artifacts: Vec<Artifact>,
    /// The top archive's `Bundle-License` manifest header, when present.
    pub bundle_license: Option<String>,
    /// Nested archives not read because they are nested too deeply, and other limits hit.
    pub notes: Vec<String>,
    /// Bytes inflated while reading it, bounded by `MAX_INFLATE`.
    pub inflated: u64,
}

fn le16(b: &[u8], at: usize) -> u64 {
    u64::from(u16::from_le_bytes([b[at], b[at + 1]]))
}

fn le32(b: &[u8], at: usize) -> u64 {
    u64::from(u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]))
}

fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// Why a jar, war or ear could not be read: its zip structure is damaged, truncated or
/// past a limit, or the layer holding it could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the archive: {0}")]
pub struct ArchiveError(#[source] pub io::Error);

/// Reads the archive from its first local header, collecting artifacts; stops at the
/// central directory.
pub fn read_archive(input: &mut dyn BufRead, depth: usize) -> io::Result<JarInfo> {
    let mut info = JarInfo::default();
    read_into(input, depth, "", &mut info)?;
    Ok(info)
}

/// The metadata found in one archive level, before pairing.
#[derive(Default)]
struct Level {
    properties: Vec<(String, Vec<u8>)>,
    poms: Vec<(String, Vec<u8>)>,
    bytes: usize,
}

fn read_into(
    input: &mut dyn BufRead,
    depth: usize,
    prefix: &str,
    info: &mut JarInfo,
) -> io::Result<()> {
    let mut level = Level::default();
    for _ in 0..MAX_ENTRIES {
        let mut sig = [0u8; 4];
        if input.read_exact(&mut sig).is_err() || &sig != b"PK\x03\x04" {
            break; // central directory, end of input, or not a local header
        }
        let mut h = [0u8; 26];
        input.read_exact(&mut h)?;
        let flags = le16(&h, 2);
        let method = le16(&h, 4);
        let mut csize = le32(&h, 14);
        let name_len = le16(&h, 22) as usize;
        let extra_len = le16(&h, 24) as usize;
        if name_len > MAX_NAME {
            return Err(bad("entry name too long"));
        }
        let mut name = vec![0u8; name_len];
        input.read_exact(&mut name)?;
        let mut extra = vec![0u8; extra_len];
        input.read_exact(&mut extra)?;
        let name = String::from_utf8_lossy(&name).into_owned();
        let zip64 = zip64_sizes(&extra);
        if let Some((_, c)) = zip64.filter(|_| csize == 0xffff_ffff) {
            csize = c;
        }
        let descriptor = flags & 8 != 0;
        if flags & 1 != 0 {
            return Err(bad(format!("{name}: encrypted entries are not read")));
        }
        let want = wanted(&name);
        let nested = is_archive_name(&name) && !name.ends_with('/');
        if !descriptor && want.is_none() && !nested {
            // Not needed and its length is known: pass it by without inflating.
            io::copy(&mut (&mut *input).take(csize), &mut io::sink())?;
            continue;
        }
        let mut entry = Entry {
            name: &name,
            want,
            nested,
            depth,
            prefix,
        };
        match (method, descriptor) {
            (8, true) => {
                // The end is where the deflate stream ends; the decoder reads no further.
                let mut raw = BufReader::new(DeflateDecoder::new(&mut *input));
                if !entry.read(&mut raw, &mut level, info)? {
                    break;
                }
            }
            (8, false) => {
                let mut raw = BufReader::new(DeflateDecoder::new((&mut *input).take(csize)));
                let more = entry.read(&mut raw, &mut level, info)?;
                // Compressed bytes the stream did not need still belong to the entry.
                io::copy(&mut raw.into_inner().into_inner(), &mut io::sink())?;
                if !more {
                    break;
                }
            }
            (0, false) => {
                let mut raw = (&mut *input).take(csize);
                let more = entry.read(&mut raw, &mut level, info)?;
                if !more {
                    break;
                }
            }
            (0, true) => {
                return Err(bad(format!(
                    "{name}: a stored entry with a data descriptor has no readable end"
                )))
            }
            (_, false) => {
                io::copy(&mut (&mut *input).take(csize), &mut io::sink())?;
                continue;
            }
            (_, true) => {
                return Err(bad(format!(
                    "{name}: compression method {method} is not read"
                )))
            }
        }
        if descriptor {
            // crc, compressed and uncompressed sizes, optionally after a signature.
            let mut d = [0u8; 4];
            input.read_exact(&mut d)?;
            let rest = if zip64.is_some() { 16 } else { 8 };
            let skip = if &d == b"PK\x07\x08" { 4 + rest } else { rest };
            io::copy(&mut (&mut *input).take(skip), &mut io::sink())?;
        }
    }
    pair(level, prefix, info);
    Ok(())
}

/// One entry of an archive level, and what to do with its content.
struct Entry<'n> {
    name: &'n str,
    want: Option<Wanted>,
    nested: bool,
    depth: usize,
    prefix: &'n str,
}

impl Entry<'_> {
    /// Keeps the entry's metadata or reads the archive nested in it, then passes by the
    /// rest of its content. `false` when the archive should not be read further.
    fn read(
        &mut self,
        raw: &mut dyn BufRead,
        level: &mut Level,
        info: &mut JarInfo,
    ) -> io::Result<bool> {
        let (name, prefix) = (self.name, self.prefix);
        if let Some(kind) = self.want.take() {
            let mut buf = Vec::new();
            (&mut *raw).take(MAX_META).read_to_end(&mut buf)?;
            level.bytes += buf.len();
            if level.bytes > MAX_LEVEL_BYTES {
                info.notes.push(format!(
                    "{prefix}{name}: more than {MAX_LEVEL_BYTES} bytes of Maven metadata in one archive; the rest is not read"
                ));
                return Ok(false);
            }
            match kind {
                Wanted::Properties => level.properties.push((name.to_string(), buf)),
                Wanted::Pom => level.poms.push((name.to_string(), buf)),
                Wanted::Manifest if self.depth == 0 => {
                    info.bundle_license = manifest_header(&buf, "Bundle-License");
                }
                Wanted::Manifest => {}
            }
        } else if self.nested && self.depth + 1 < MAX_DEPTH && info.artifacts.len() < MAX_ARTIFACTS
        {
            let inner_prefix = format!("{prefix}{name}!/");
            let mut sig = [0u8; 4];
            let n = read_full(&mut *raw, &mut sig)?;
            if n == 4 && &sig == b"PK\x03\x04" {
                let mut inner = BufReader::new(io::Cursor::new(sig).chain(&mut *raw));
                if let Err(e) = read_into(&mut inner, self.depth + 1, &inner_prefix, info) {
                    info.notes.push(format!("{prefix}{name}: {e}"));
                }
            }
        } else if self.nested {
            info.notes.push(format!(
                "{prefix}{name}: nested deeper than {MAX_DEPTH} archives or past {MAX_ARTIFACTS} artifacts; not read"
            ));
        }
        // Whatever was not read is passed by (inflated, to find the end), within the budget.
        let budget = MAX_INFLATE.saturating_sub(info.inflated);
        let n = io::copy(&mut raw.take(budget), &mut io::sink())?;
        info.inflated += n;
        if n == budget {
            return Err(bad(format!(
                "{prefix}{name}: more than {MAX_INFLATE} bytes inflated; the archive is not read further"
            )));
        }
        Ok(true)
    }
}

/// Reads until `buf` is full or the input ends.
fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The zip64 extended sizes (uncompressed, compressed) in an extra field, if present.
fn zip64_sizes(extra: &[u8]) -> Option<(u64, u64)> {
    let mut at = 0;
    while at + 4 <= extra.len() {
        let id = le16(extra, at);
        let len = le16(extra, at + 2) as usize;
        let body = extra.get(at + 4..at + 4 + len)?;
        if id == 1 && body.len() >= 16 {
            let u = u64::from_le_bytes(body[..8].try_into().ok()?);
            let c = u64::from_le_bytes(body[8..16].try_into().ok()?);
            return Some((u, c));
        }
        at += 4 + len;
    }
    None
}

enum Wanted {
    Properties,
    Pom,
    Manifest,
}

fn wanted(name: &str) -> Option<Wanted> {
    if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
        return Some(Wanted::Manifest);
    }
    if !name.starts_with("META-INF/maven/") {
        return None;
    }
    if name.ends_with("/pom.properties") {
        Some(Wanted::Properties)
    } else if name.ends_with("/pom.xml") {
        Some(Wanted::Pom)
    } else {
        None
    }
}

/// A manifest main-section header (continuation lines joined).
fn manifest_header(bytes: &[u8], key: &str) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut value: Option<String> = None;
    for line in text.lines() {
        if line.is_empty() {
            break; // the main section ends
        }
        if let Some(v) = value.as_mut() {
            match line.strip_prefix(' ') {
                Some(more) => {
                    v.push_str(more);
                    continue;
                }
                None => break,
            }
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case(key) {
                value = Some(v.trim().to_string());
            }
        }
    }
    value.filter(|v| !v.is_empty())
}

/// `key=value` lines of a Java properties file.
fn property(bytes: &[u8], key: &str) -> Option<String> {
    String::from_utf8_lossy(bytes).lines().find_map(|l| {
        let l = l.trim();
        if l.starts_with('#') || l.starts_with('!') {
            return None;
        }
        let (k, v) = l.split_once(['=', ':'])?;
        (k.trim() == key).then(|| v.trim().to_string())
    })
}

/// The text of every `<tag>` element inside `<licenses>` of a pom.xml (XML comments removed).
fn pom_license_values(bytes: &[u8], tag: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut clean = String::with_capacity(text.len());
    let mut rest = text.as_ref();
    while let Some(i) = rest.find("<!--") {
        clean.push_str(&rest[..i]);
        rest = rest[i..].find("-->").map_or("", |j| &rest[i + j + 3..]);
    }
    clean.push_str(rest);
    let Some(start) = clean.find("<licenses>") else {
        return Vec::new();
    };
    let end = clean[start..]
        .find("</licenses>")
        .map_or(clean.len(), |e| start + e);
    let block = &clean[start..end];
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = block;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        let v = after[..j].trim();
        if !v.is_empty() {
            out.push(xml_unescape(v));
        }
        rest = &after[j + close.len()..];
    }
    out
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Pairs each pom.properties with the pom.xml in its directory.
fn pair(level: Level, prefix: &str, info: &mut JarInfo) {
    for (name, props) in level.properties {
        if info.artifacts.len() >= MAX_ARTIFACTS {
            break;
        }
        let dir = name.trim_end_matches("pom.properties");
        let pom = level
            .poms
            .iter()
            .find(|(p, _)| p.strip_suffix("pom.xml") == Some(dir));
        let (Some(group), Some(artifact), Some(version)) = (
            property(&props, "groupId"),
            property(&props, "artifactId"),
            property(&props, "version"),
        ) else {
            continue;
        };
        info.artifacts.push(Artifact {
            group,
            artifact,
            version,
            license_names: pom
                .map(|(_, b)| pom_license_values(b, "name"))
                .unwrap_or_default(),
            license_urls: pom
                .map(|(_, b)| pom_license_values(b, "url"))
                .unwrap_or_default(),
            supplier: pom.and_then(|(_, b)| super::pom::supplier(b)),
            location: format!("{prefix}{name}"),
        });
    }
}

/// The Maven packages of the archive at `path`: each declares the licenses of the
/// `pom.xml` beside its `pom.properties`, and, for the top archive's own artifacts, the
/// manifest's `Bundle-License`.
pub fn packages(info: &JarInfo, path: &str, layer: usize) -> Vec<Cataloged> {
    info.artifacts
        .iter()
        .map(|a| {
            // The top archive's manifest describes the top archive's artifacts only.
            let bundle = (!a.location.contains("!/"))
                .then_some(info.bundle_license.as_ref())
                .flatten()
                .map(|b| (b.clone(), format!("{path}!/META-INF/MANIFEST.MF")));
            Cataloged::language(
                "maven",
                purl("maven", &[&a.group], &a.artifact, &a.version, &[]),
                format!("{}:{}", a.group, a.artifact),
                a.version.clone(),
                LicenseInput::Declared {
                    declared: Declared::Maven {
                        names: a.license_names.clone(),
                        urls: a.license_urls.clone(),
                        pom: format!(
                            "{path}!/{}",
                            a.location.replace("pom.properties", "pom.xml")
                        ),
                        bundle,
                    },
                    path: path.to_string(),
                    layer,
                },
                (path, layer),
            )
            .with(None, a.supplier.clone(), Vec::new())
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A zip written as `jar` writes it: deflated entries with data descriptors.
    pub(crate) fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, data) in entries {
            let mut enc =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(data).unwrap();
            let comp = enc.finish().unwrap();
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&8u16.to_le_bytes()); // data descriptor
            out.extend_from_slice(&8u16.to_le_bytes()); // deflate
            out.extend_from_slice(&[0; 4]);
            out.extend_from_slice(&[0; 12]); // crc and sizes follow the data
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&comp);
            out.extend_from_slice(b"PK\x07\x08");
            out.extend_from_slice(&[0; 4]);
            out.extend_from_slice(&(comp.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(b"PK\x01\x02");
        out
    }

    /// A zip with sizes in the local headers (no data descriptors), entries stored or
    /// deflated, as Spring Boot writes nested jars.
    fn zip_sized(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, data, deflate) in entries {
            let body = if *deflate {
                let mut enc =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
                enc.write_all(data).unwrap();
                enc.finish().unwrap()
            } else {
                data.to_vec()
            };
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&(if *deflate { 8u16 } else { 0 }).to_le_bytes());
            out.extend_from_slice(&[0; 8]); // time, date, crc
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&body);
        }
        out.extend_from_slice(b"PK\x01\x02");
        out
    }

    #[test]
    fn stored_and_sized_entries_are_read_too() {
        let jar = zip_sized(&[
            (
                "META-INF/maven/com.example/greet/pom.properties",
                PROPS,
                true,
            ),
            ("META-INF/maven/com.example/greet/pom.xml", POM, false),
            ("big.bin", &[7u8; 100_000], true),
        ]);
        let boot = zip_sized(&[
            ("BOOT-INF/classes/app.properties", b"x=1", true),
            ("BOOT-INF/lib/greet.jar", &jar, false),
            ("BOOT-INF/lib/greet2.jar", &jar, true),
        ]);
        let info = read_archive(&mut &boot[..], 0).unwrap();
        let locations: Vec<&str> = info.artifacts.iter().map(|a| a.location.as_str()).collect();
        assert_eq!(
            locations,
            [
                "BOOT-INF/lib/greet.jar!/META-INF/maven/com.example/greet/pom.properties",
                "BOOT-INF/lib/greet2.jar!/META-INF/maven/com.example/greet/pom.properties"
            ]
        );
        assert_eq!(info.artifacts[0].license_names.len(), 1);
    }

    const POM: &[u8] = b"<project><!-- <licenses><license><name>GPL</name></license></licenses> --><licenses><license><name>The Apache Software License, Version 2.0</name><url>https://www.apache.org/licenses/LICENSE-2.0.txt</url></license></licenses></project>";
    const PROPS: &[u8] =
        b"#Generated by Maven\ngroupId=com.example\nartifactId=greet\nversion=1.4.2\n";

    pub(crate) fn greet_jar() -> Vec<u8> {
        zip(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
            ("com/example/greet/Greet.class", &[0xca, 0xfe, 0xba, 0xbe]),
            ("META-INF/maven/com.example/greet/pom.properties", PROPS),
            ("META-INF/maven/com.example/greet/pom.xml", POM),
        ])
    }

    #[test]
    fn a_jar_gives_its_maven_artifact_and_pom_license() {
        let jar = greet_jar();
        let info = read_archive(&mut &jar[..], 0).unwrap();
        let p = packages(&info, "opt/app/greet.jar", 2);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].name, "com.example:greet");
        assert_eq!(p[0].purl, "pkg:maven/com.example/greet@1.4.2");
        match &p[0].license {
            LicenseInput::Declared {
                declared: Declared::Maven { names, pom, .. },
                layer: 2,
                ..
            } => {
                assert_eq!(names, &["The Apache Software License, Version 2.0"]);
                assert_eq!(
                    pom,
                    "opt/app/greet.jar!/META-INF/maven/com.example/greet/pom.xml"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_pom_beside_each_artifact_names_its_supplier() {
        let pom = b"<project><artifactId>greet</artifactId><developers><developer><name>Jane Doe</name><email>jd@example.org</email></developer></developers></project>";
        let jar = zip(&[
            ("META-INF/maven/com.example/greet/pom.properties", PROPS),
            ("META-INF/maven/com.example/greet/pom.xml", pom),
            (
                "META-INF/maven/com.example/other/pom.properties",
                b"groupId=com.example\nartifactId=other\nversion=1\n",
            ),
        ]);
        let info = read_archive(&mut &jar[..], 0).unwrap();
        let p = packages(&info, "opt/app/greet.jar", 0);
        assert_eq!(
            p[0].supplier.as_deref(),
            Some("Person: Jane Doe <jd@example.org>")
        );
        assert_eq!(p[1].supplier, None, "no pom.xml, no supplier");
        let plain = read_archive(&mut &greet_jar()[..], 0).unwrap();
        assert_eq!(packages(&plain, "greet.jar", 0)[0].supplier, None);
    }

    #[test]
    fn nested_jars_are_read_and_depth_is_bounded() {
        let jar = greet_jar();
        let war = zip(&[
            ("WEB-INF/web.xml", b"<web-app/>"),
            ("WEB-INF/lib/greet.jar", &jar),
        ]);
        let info = read_archive(&mut &war[..], 0).unwrap();
        assert_eq!(info.artifacts.len(), 1);
        assert_eq!(
            info.artifacts[0].location,
            "WEB-INF/lib/greet.jar!/META-INF/maven/com.example/greet/pom.properties"
        );
        let mut deep = war.clone();
        for i in 0..MAX_DEPTH {
            deep = zip(&[(&format!("l{i}.jar"), &deep)]);
        }
        let info = read_archive(&mut &deep[..], 0).unwrap();
        assert!(info.artifacts.is_empty());
        assert!(info.notes[0].contains("nested deeper"));
    }

    #[test]
    fn damaged_archives_are_errors_not_panics() {
        let jar = greet_jar();
        for cut in [10, 40, 80, jar.len() / 2] {
            let _ = read_archive(&mut &jar[..cut], 0);
        }
        assert!(read_archive(&mut &b"PK\x03\x04\x00"[..], 0).is_err());
    }

    #[test]
    fn manifest_headers_join_continuation_lines() {
        let m = b"Manifest-Version: 1.0\nBundle-License: Apache-2.\n 0\n\nName: x\nBundle-License: MIT\n";
        assert_eq!(
            manifest_header(m, "Bundle-License").as_deref(),
            Some("Apache-2.0")
        );
    }
}
