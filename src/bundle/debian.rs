//! The Debian archive's chain of trust, as apt follows it: a suite's `InRelease`
//! (clearsigned with the archive's key) lists the SHA-256 and size of each `Sources` index;
//! a `Sources` index lists those of each source package's `.dsc` and of every file the
//! `.dsc` lists; the `.dsc` lists its files again (`Checksums-Sha256`).
//!
//! The signature is checked by `gpgv`, the verifier of GnuPG that apt used for years and
//! every Debian-based system has, against the keyring given (`--keyring`, by default the
//! `debian-archive-keyring` package's): only the text gpgv writes out as signed is read, so
//! nothing outside the signature can add to it. A Rust OpenPGP crate was weighed: Sequoia's
//! needs nettle or OpenSSL and rpgp (`pgp`) brings some eighty crates into a build that is
//! already long, for one call that gpgv answers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::deb822;

/// The largest `InRelease` read.
pub(crate) const MAX_RELEASE: u64 = 16 << 20;
/// The largest compressed `Sources` index read.
pub(crate) const MAX_SOURCES: u64 = 256 << 20;
/// The most a `Sources` index may hold decompressed (Debian's main holds some 50 MB).
const MAX_SOURCES_TEXT: u64 = 256 << 20;

/// The most memory liblzma may take to decompress a `Sources.xz` (xz -9e needs 65 MiB).
const XZ_MEMORY_LIMIT: u64 = 128 << 20;
/// The largest `.dsc` read.
pub(crate) const MAX_DSC: u64 = 1 << 20;
/// The most files one `.dsc` may list.
const MAX_DSC_FILES: usize = 64;

/// A file as an index lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listed {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

/// What a suite's signed `Release` lists: each index file by path under `dists/SUITE/`.
#[derive(Debug, Default)]
pub(crate) struct Release {
    pub files: BTreeMap<String, Listed>,
}

/// One source package as a signed `Sources` index lists it.
#[derive(Debug, Clone)]
pub(crate) struct Indexed {
    /// The pool directory, relative to the mirror.
    pub directory: String,
    /// The `.dsc` and the files it lists.
    pub files: Vec<Listed>,
}

/// Verifies a clearsigned `InRelease` with `gpgv` against `keyring` and returns the text
/// that is signed.
pub(crate) fn verify_clearsigned(signed: &[u8], keyring: &Path) -> Result<String, String> {
    use std::io::Write;
    let keyring =
        std::path::absolute(keyring).map_err(|e| format!("{}: {e}", keyring.display()))?;
    // The signed text on standard output, the status lines (and gpgv's words) on standard
    // error; the signed file on standard input, written by a thread of its own so that
    // neither side waits on a full pipe.
    let mut child = Command::new("gpgv")
        .arg("--status-fd")
        .arg("2")
        .arg("--keyring")
        .arg(&keyring)
        .arg("--output")
        .arg("-")
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run gpgv (GnuPG's verifier, package gpgv): {e}"))?;
    let mut stdin = child.stdin.take().ok_or("gpgv has no standard input")?;
    let input = signed.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let run = child
        .wait_with_output()
        .map_err(|e| format!("gpgv failed: {e}"))?;
    // gpgv stops reading when the input is not a signature: a write error then says nothing
    // that its status does not.
    let _ = writer.join();
    let status = String::from_utf8_lossy(&run.stderr);
    let good = status.lines().any(|l| l.starts_with("[GNUPG:] VALIDSIG "));
    if !run.status.success() || !good {
        let said = status
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with("[GNUPG:]"))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(format!(
            "its signature does not verify with the keyring {}: {}",
            keyring.display(),
            if said.is_empty() {
                "gpgv failed"
            } else {
                &said
            }
        ));
    }
    if run.stdout.len() as u64 > MAX_RELEASE {
        return Err(format!("its signed text is over {MAX_RELEASE} bytes"));
    }
    String::from_utf8(run.stdout).map_err(|_| "its signed text is not UTF-8".to_string())
}

/// The files a `Release` text lists in its `SHA256` field.
pub(crate) fn release(text: &str) -> Release {
    let mut release = Release::default();
    for p in deb822::paragraphs(text) {
        let Some(field) = p.get("SHA256") else {
            continue;
        };
        for line in field.trimmed_lines() {
            if let Some(listed) = listed_line(line) {
                release.files.insert(listed.name.clone(), listed);
            }
        }
    }
    release
}

/// `SHA256 SIZE NAME`, as Release, Sources and .dsc files list files.
fn listed_line(line: &str) -> Option<Listed> {
    let mut words = line.split_whitespace();
    let sha256 = words.next()?.to_ascii_lowercase();
    let size = words.next()?.parse().ok()?;
    let name = words.next()?.to_string();
    let hex = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
    (hex && words.next().is_none()).then_some(Listed { name, size, sha256 })
}

/// The `Sources` indexes a release lists, by component, each component's forms in the
/// order they are tried: gzip, xz, then plain (which Debian lists but seldom serves).
pub(crate) fn source_indexes(release: &Release) -> Vec<Vec<&Listed>> {
    let components: BTreeSet<&str> = release
        .files
        .keys()
        .filter_map(|k| {
            [
                "/source/Sources.gz",
                "/source/Sources.xz",
                "/source/Sources",
            ]
            .iter()
            .find_map(|suffix| k.strip_suffix(suffix))
        })
        .collect();
    components
        .into_iter()
        .map(|c| {
            ["Sources.gz", "Sources.xz", "Sources"]
                .iter()
                .filter_map(|form| release.files.get(&format!("{c}/source/{form}")))
                .collect()
        })
        .collect()
}

/// A writer that refuses to hold more than its bound.
struct Bounded(Vec<u8>);

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() as u64 + buf.len() as u64 > MAX_SOURCES_TEXT {
            return Err(std::io::Error::other(format!(
                "it holds over {MAX_SOURCES_TEXT} bytes"
            )));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The text of a `Sources` index, decompressed as its name says (gzip, xz), within a bound.
pub(crate) fn sources_text(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    let bytes = if name.ends_with(".gz") {
        let mut out = Bounded(Vec::new());
        std::io::copy(&mut flate2::read::MultiGzDecoder::new(&bytes[..]), &mut out)
            .map_err(|e| format!("{name}: {e}"))?;
        out.0
    } else if name.ends_with(".xz") {
        // liblzma's own memory limit bounds what a hostile header's dictionary size may
        // make it allocate; concatenated streams are read as xz(1) reads them.
        let stream = liblzma::stream::Stream::new_stream_decoder(
            XZ_MEMORY_LIMIT,
            liblzma::stream::CONCATENATED,
        )
        .map_err(|e| format!("{name}: {e}"))?;
        let mut out = Bounded(Vec::new());
        std::io::copy(
            &mut liblzma::read::XzDecoder::new_stream(&bytes[..], stream),
            &mut out,
        )
        .map_err(|e| format!("{name}: {e}"))?;
        out.0
    } else {
        bytes
    };
    String::from_utf8(bytes).map_err(|_| format!("{name} is not UTF-8 text"))
}

/// The entries of `text` (a `Sources` index) for the packages in `wanted` (name, version).
pub(crate) fn sources(
    text: &str,
    wanted: &BTreeSet<(String, String)>,
) -> BTreeMap<(String, String), Indexed> {
    let mut found = BTreeMap::new();
    for p in deb822::paragraphs(text) {
        let (Some(name), Some(version)) = (p.get("Package"), p.get("Version")) else {
            continue;
        };
        let key = (name.value.to_string(), version.value.to_string());
        if !wanted.contains(&key) {
            continue;
        }
        let Some(directory) = p.get("Directory").map(|d| d.value.to_string()) else {
            continue;
        };
        let files: Vec<Listed> = p
            .get("Checksums-Sha256")
            .map(|f| f.trimmed_lines().filter_map(listed_line).collect())
            .unwrap_or_default();
        if files.is_empty() || files.len() > MAX_DSC_FILES || !safe_directory(&directory) {
            continue;
        }
        found.insert(key, Indexed { directory, files });
    }
    found
}

/// The files a `.dsc` lists in `Checksums-Sha256`, each with a name safe to write (no
/// directory part), or why it lists none that can be trusted.
pub(crate) fn dsc_files(text: &str) -> Result<Vec<Listed>, String> {
    // A .dsc may be clearsigned: the fields are in its one paragraph after the armor header.
    let body = match text.split_once("-----BEGIN PGP SIGNED MESSAGE-----") {
        Some((_, rest)) => rest
            .split_once("\n\n")
            .map_or(rest, |(_, b)| b)
            .split("\n-----BEGIN PGP SIGNATURE-----")
            .next()
            .unwrap_or_default(),
        None => text,
    };
    let paragraph = deb822::paragraphs(body)
        .find(|p| p.get("Checksums-Sha256").is_some())
        .ok_or("it lists no Checksums-Sha256")?;
    let files: Vec<Listed> = paragraph
        .get("Checksums-Sha256")
        .map(|f| f.trimmed_lines().filter_map(listed_line).collect())
        .unwrap_or_default();
    if files.is_empty() {
        return Err("its Checksums-Sha256 lists no file".into());
    }
    if files.len() > MAX_DSC_FILES {
        return Err(format!("it lists over {MAX_DSC_FILES} files"));
    }
    if let Some(bad) = files.iter().find(|f| !safe_file_name(&f.name)) {
        return Err(format!("it lists a file named {:?}", bad.name));
    }
    Ok(files)
}

/// A file name that stays in its folder.
pub(crate) fn safe_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-' | b'_' | b'~'))
}

/// A pool directory that stays under the mirror.
fn safe_directory(dir: &str) -> bool {
    !dir.is_empty() && dir.split('/').all(safe_file_name)
}

/// A Debian source package name (policy 5.6.1) and version (5.6.12), which name files.
pub(crate) fn valid_source(name: &str, version: &str) -> bool {
    let name_ok = name.len() >= 2
        && name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-')
        });
    let version_ok = !version.is_empty()
        && version.len() <= 128
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-' | b'~' | b':'));
    name_ok && version_ok
}

/// The version as file names carry it: without its epoch.
pub(crate) fn without_epoch(version: &str) -> &str {
    version.split_once(':').map_or(version, |(_, v)| v)
}

/// The `.dsc`'s file name.
pub(crate) fn dsc_name(name: &str, version: &str) -> String {
    format!("{name}_{}.dsc", without_epoch(version))
}

/// The pool directory of a source package in a component, as the archive lays it out
/// (`pool/main/h/hello`, `pool/main/libz/libzstd`).
pub(crate) fn pool_directory(component: &str, name: &str) -> String {
    let prefix = if name.starts_with("lib") && name.len() > 3 {
        &name[..4]
    } else {
        &name[..1]
    };
    format!("pool/{component}/{prefix}/{name}")
}

/// The components whose pools are looked in for a package that no signed index lists.
pub(crate) fn components(os: &str) -> &'static [&'static str] {
    match os {
        "ubuntu" => &["main", "universe", "restricted", "multiverse"],
        _ => &["main", "contrib", "non-free", "non-free-firmware"],
    }
}

/// The suites of a release (os-release `ID` and `VERSION_ID`), in the order they are looked
/// in: the release, its security updates, its stable updates. Debian keeps security updates
/// in an archive of its own, so every mirror is asked for every suite.
pub(crate) fn suites(os: &str, version_id: Option<&str>) -> Vec<String> {
    let codename = match (os, version_id.unwrap_or_default()) {
        ("debian", v) => match v.split('.').next().unwrap_or_default() {
            "9" => "stretch",
            "10" => "buster",
            "11" => "bullseye",
            "12" => "bookworm",
            "13" => "trixie",
            "14" => "forky",
            _ => return Vec::new(),
        },
        ("ubuntu", v) => match v {
            "18.04" => "bionic",
            "20.04" => "focal",
            "22.04" => "jammy",
            "24.04" => "noble",
            "24.10" => "oracular",
            "25.04" => "plucky",
            "25.10" => "questing",
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let security = match os {
        "debian" if matches!(codename, "stretch" | "buster") => format!("{codename}/updates"),
        _ => format!("{codename}-security"),
    };
    vec![
        codename.to_string(),
        security,
        format!("{codename}-updates"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn release_lists_the_sources_indexes() {
        let text = format!(
            "Origin: Debian\nSuite: stable\nSHA256:\n {SHA} 100 main/source/Sources.xz\n {SHA} 200 main/source/Sources.gz\n {SHA} 300 contrib/source/Sources\n {SHA} 9 main/binary-amd64/Packages.gz\n"
        );
        let r = release(&text);
        let names: Vec<Vec<&str>> = source_indexes(&r)
            .iter()
            .map(|forms| forms.iter().map(|l| l.name.as_str()).collect())
            .collect();
        assert_eq!(
            names,
            [
                vec!["contrib/source/Sources"],
                vec!["main/source/Sources.gz", "main/source/Sources.xz"]
            ]
        );
    }

    #[test]
    fn indexes_decompress_within_the_bound() {
        use std::io::Write;
        let text = "Package: hello\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(sources_text("main/source/Sources.gz", gz).unwrap(), text);
        let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 6);
        xz.write_all(text.as_bytes()).unwrap();
        let xz = xz.finish().unwrap();
        assert_eq!(
            sources_text("main/source/Sources.xz", xz.clone()).unwrap(),
            text
        );
        // Two streams one after the other, as xz(1) reads them.
        let twice = [xz.clone(), xz].concat();
        assert_eq!(
            sources_text("main/source/Sources.xz", twice).unwrap(),
            text.repeat(2)
        );
        assert!(sources_text("main/source/Sources.xz", b"not xz".to_vec()).is_err());
    }

    #[test]
    fn an_xz_dictionary_past_the_memory_limit_is_refused() {
        use std::io::Write;
        let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 0);
        xz.write_all(b"Package: hello\n").unwrap();
        let mut xz = xz.finish().unwrap();
        // The block header follows the 12-byte stream header: its size byte, then its
        // flags, its LZMA2 filter (id 0x21, one byte of properties: the dictionary size),
        // padding and a CRC32 of all before it. The dictionary set to its largest, 4 GiB.
        let size = (usize::from(xz[12]) + 1) * 4;
        let header = 12..12 + size;
        let props = xz[header.clone()]
            .windows(2)
            .position(|w| w == [0x21, 0x01])
            .expect("an LZMA2 filter")
            + 12
            + 2;
        xz[props] = 40;
        let crc = crc32(&xz[12..12 + size - 4]);
        xz[12 + size - 4..12 + size].copy_from_slice(&crc.to_le_bytes());
        let err = sources_text("main/source/Sources.xz", xz).unwrap_err();
        assert!(
            err.contains("main/source/Sources.xz") && err.contains("memory limit"),
            "{err}"
        );
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
            }
        }
        !crc
    }

    #[test]
    fn sources_keep_only_the_wanted_versions() {
        let text = format!(
            "Package: hello\nVersion: 2.10-3\nDirectory: pool/main/h/hello\nChecksums-Sha256:\n {SHA} 1 hello_2.10-3.dsc\n\nPackage: hello\nVersion: 2.10-2\nDirectory: pool/main/h/hello\nChecksums-Sha256:\n {SHA} 1 hello_2.10-2.dsc\n\nPackage: evil\nVersion: 1\nDirectory: pool/../../etc\nChecksums-Sha256:\n {SHA} 1 evil_1.dsc\n"
        );
        let wanted: BTreeSet<(String, String)> = [("hello", "2.10-3"), ("evil", "1")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let found = sources(&text, &wanted);
        assert_eq!(found.len(), 1, "the path leaving the mirror is dropped");
        let hello = &found[&("hello".to_string(), "2.10-3".to_string())];
        assert_eq!(hello.directory, "pool/main/h/hello");
        assert_eq!(hello.files[0].name, "hello_2.10-3.dsc");
    }

    #[test]
    fn dsc_files_read_through_the_signature_and_refuse_paths() {
        let dsc = format!(
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nFormat: 3.0 (quilt)\nSource: hello\nChecksums-Sha256:\n {SHA} 10 hello_2.10.orig.tar.gz\n {SHA} 20 hello_2.10-3.debian.tar.xz\n\n-----BEGIN PGP SIGNATURE-----\nxx\n-----END PGP SIGNATURE-----\n"
        );
        let files = dsc_files(&dsc).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[1].size, 20);
        let bad = format!("Source: x\nChecksums-Sha256:\n {SHA} 1 ../x.tar\n");
        assert!(dsc_files(&bad).unwrap_err().contains("../x.tar"));
        assert!(dsc_files("Source: x\n").is_err());
    }

    #[test]
    fn names_versions_and_pool_paths() {
        assert!(valid_source("libzstd", "1.5.4+dfsg2-5"));
        assert!(valid_source("glibc", "2.36-9+deb12u4"));
        assert!(!valid_source("x/../y", "1"));
        assert!(!valid_source("hello", "1 2"));
        assert_eq!(
            dsc_name("zlib", "1:1.2.13.dfsg-1"),
            "zlib_1.2.13.dfsg-1.dsc"
        );
        assert_eq!(pool_directory("main", "libzstd"), "pool/main/libz/libzstd");
        assert_eq!(pool_directory("main", "hello"), "pool/main/h/hello");
        assert_eq!(
            suites("debian", Some("12")),
            ["bookworm", "bookworm-security", "bookworm-updates"]
        );
        assert_eq!(suites("ubuntu", Some("22.04"))[1], "jammy-security");
        assert!(suites("fedora", Some("40")).is_empty());
    }
}
