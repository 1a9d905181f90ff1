//! Source RPMs: the file `SOURCERPM` names, checked against the digests its own headers
//! carry. An rpm file is a lead (96 bytes), a signature header, padding to 8 bytes, the main
//! header and the compressed payload; the signature header's `SHA256` tag (273) is the
//! SHA-256 of the main header as it is in the file, and the main header's `PAYLOADDIGEST`
//! (5092, algorithm 8: SHA-256) that of the payload. Both are checked, so a file cut short
//! or changed anywhere is refused. That is integrity, not origin: the origin is the OpenPGP
//! signature a distribution adds to the signature header, which [`Keys`] checks with rpm's
//! own `rpmkeys --checksig` against the keys given (`--rpm-key`, the distribution's
//! `RPM-GPG-KEY` files), imported into an rpm database of its own.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The largest header (index and store) read.
const MAX_HEADER: u64 = 64 << 20;
/// The most index entries a header may have.
const MAX_ENTRIES: u32 = 100_000;

const SIG_SHA256: u32 = 273;
const PAYLOAD_DIGEST: u32 = 5092;
const PAYLOAD_DIGEST_ALGO: u32 = 5093;
/// rpm's number for SHA-256 (PGPHASHALGO_SHA256).
const ALGO_SHA256: u32 = 8;

/// Whether `name` is a source RPM's file name.
pub(crate) fn is_srpm(name: &str) -> bool {
    super::debian::safe_file_name(name)
        && (name.ends_with(".src.rpm") || name.ends_with(".nosrc.rpm"))
}

/// The directories a mirror may keep a source RPM in: its base, a folder by the first
/// letter (`b/`), and `Packages/` by the first letter (Fedora's and Enterprise Linux's
/// source trees).
pub(crate) fn candidates(base: &str, file: &str) -> Vec<String> {
    let letter = file
        .chars()
        .next()
        .map(|c| c.to_ascii_lowercase())
        .unwrap_or('_');
    vec![
        format!("{base}/{file}"),
        format!("{base}/{letter}/{file}"),
        format!("{base}/Packages/{letter}/{file}"),
    ]
}

/// The OpenPGP keys source RPMs are checked against: imported by `rpmkeys` into an rpm
/// database of their own, in a temporary directory removed when dropped.
pub(crate) struct Keys {
    dbpath: PathBuf,
    files: Vec<PathBuf>,
}

impl Keys {
    /// Imports each key file (an ASCII-armored public key, as distributions publish them).
    pub(crate) fn import(files: &[PathBuf]) -> Result<Keys, String> {
        let dbpath = std::env::temp_dir().join(format!(
            "layerbom-rpmkeys-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(&dbpath).map_err(|e| format!("{}: {e}", dbpath.display()))?;
        let keys = Keys {
            dbpath,
            files: files.to_vec(),
        };
        for file in files {
            let file = std::path::absolute(file).map_err(|e| format!("{}: {e}", file.display()))?;
            let out = Command::new("rpmkeys")
                .arg("--dbpath")
                .arg(&keys.dbpath)
                .arg("--import")
                .arg(&file)
                .output()
                .map_err(|e| format!("cannot run rpmkeys (package rpm): {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "{}: not an OpenPGP public key rpm can import: {}",
                    file.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
        Ok(keys)
    }

    /// Checks the OpenPGP signature of the rpm file at `path` (`rpmkeys --checksig`): which
    /// key signed it, or why it is not verified.
    pub(crate) fn check(&self, path: &Path) -> Result<String, String> {
        let out = Command::new("rpmkeys")
            .arg("--dbpath")
            .arg(&self.dbpath)
            .arg("--checksig")
            .arg("-v")
            .arg("--")
            .arg(path)
            .output()
            .map_err(|e| format!("cannot run rpmkeys (package rpm): {e}"))?;
        let said = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = said.lines().skip(1).map(str::trim).collect();
        let signatures: Vec<&&str> = lines
            .iter()
            .filter(|l| l.contains(" Signature, key ID "))
            .collect();
        let good = out.status.success()
            && !signatures.is_empty()
            && lines.iter().all(|l| l.ends_with(": OK"));
        let keys = self
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        match (good, signatures.first()) {
            (true, Some(s)) => Ok(format!(
                "{} by a key of {keys} (rpmkeys --checksig)",
                s.trim_end_matches(": OK")
            )),
            (_, None) => Err("it carries no OpenPGP signature".to_string()),
            (false, Some(_)) => Err(format!(
                "its signature does not verify with {keys}: {}",
                lines
                    .iter()
                    .filter(|l| !l.ends_with(": OK"))
                    .copied()
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        }
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dbpath);
    }
}

/// One header: its bytes as in the file (magic to the end of its store) and its entries.
struct Header {
    bytes: Vec<u8>,
    entries: Vec<(u32, u32, u32, u32)>,
    store: usize,
}

impl Header {
    fn read(r: &mut impl Read) -> Result<Header, String> {
        let mut intro = [0u8; 16];
        r.read_exact(&mut intro)
            .map_err(|_| "it ends inside a header".to_string())?;
        if intro[..3] != [0x8e, 0xad, 0xe8] {
            return Err("a header has no header magic".into());
        }
        let n = u32::from_be_bytes([intro[8], intro[9], intro[10], intro[11]]);
        let size = u32::from_be_bytes([intro[12], intro[13], intro[14], intro[15]]);
        let length = u64::from(n) * 16 + u64::from(size);
        if n > MAX_ENTRIES || length > MAX_HEADER {
            return Err(format!(
                "a header of {n} entries and {size} bytes is over the bounds"
            ));
        }
        let mut bytes = intro.to_vec();
        r.take(length)
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())?;
        if bytes.len() as u64 != 16 + length {
            return Err("it ends inside a header".into());
        }
        let entries = (0..n as usize)
            .map(|i| {
                let e = &bytes[16 + i * 16..32 + i * 16];
                let be = |k: usize| u32::from_be_bytes([e[k], e[k + 1], e[k + 2], e[k + 3]]);
                (be(0), be(4), be(8), be(12))
            })
            .collect();
        Ok(Header {
            store: 16 + n as usize * 16,
            bytes,
            entries,
        })
    }

    /// The value of a STRING (6) or STRING_ARRAY (8, its first string) entry.
    fn string(&self, tag: u32) -> Option<String> {
        let &(_, kind, offset, _) = self.entries.iter().find(|e| e.0 == tag)?;
        if kind != 6 && kind != 8 {
            return None;
        }
        let start = self.store.checked_add(offset as usize)?;
        let rest = self.bytes.get(start..)?;
        let end = rest.iter().position(|&b| b == 0)?;
        String::from_utf8(rest[..end].to_vec()).ok()
    }

    /// The value of an INT32 (4) entry.
    fn int32(&self, tag: u32) -> Option<u32> {
        let &(_, kind, offset, _) = self.entries.iter().find(|e| e.0 == tag)?;
        let start = self.store.checked_add(offset as usize)?;
        let b = self.bytes.get(start..start.checked_add(4)?)?;
        (kind == 4).then(|| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// Checks a source RPM against the digests its headers carry, and says what was checked.
pub(crate) fn verify(path: &Path) -> Result<String, String> {
    use sha2::{Digest, Sha256};
    let mut file = std::io::BufReader::new(std::fs::File::open(path).map_err(|e| e.to_string())?);
    let mut lead = [0u8; 96];
    file.read_exact(&mut lead)
        .map_err(|_| "shorter than an rpm lead".to_string())?;
    if lead[..4] != [0xed, 0xab, 0xee, 0xdb] {
        return Err("not an rpm file".into());
    }
    let signature = Header::read(&mut file)?;
    let pad = (8 - signature.bytes.len() % 8) % 8;
    std::io::copy(&mut (&mut file).take(pad as u64), &mut std::io::sink())
        .map_err(|e| e.to_string())?;
    let main = Header::read(&mut file)?;
    let listed = signature
        .string(SIG_SHA256)
        .ok_or("its signature header records no SHA-256 of its header")?;
    let header = hex(&Sha256::digest(&main.bytes));
    if !listed.eq_ignore_ascii_case(&header) {
        return Err(format!(
            "its header's SHA-256 is {header}, not {listed} as its signature header says"
        ));
    }
    let payload = main
        .string(PAYLOAD_DIGEST)
        .ok_or("its header records no payload digest")?;
    if main.int32(PAYLOAD_DIGEST_ALGO) != Some(ALGO_SHA256) {
        return Err("its payload digest is not SHA-256".into());
    }
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| e.to_string())?;
    let got = hex(&hasher.finalize());
    if !payload.eq_ignore_ascii_case(&got) {
        return Err(format!(
            "its payload's SHA-256 is {got}, not {payload} as its header says"
        ));
    }
    Ok("the SHA-256 of its header (signature tag 273) and of its payload (PAYLOADDIGEST) are those its headers record; its OpenPGP signature is not checked".into())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_places() {
        assert!(is_srpm("bash-5.2.26-3.fc40.src.rpm"));
        assert!(!is_srpm("../bash.src.rpm"));
        assert!(!is_srpm("bash-5.2.26-3.fc40.x86_64.rpm"));
        assert_eq!(
            candidates("http://m.example.org/src", "Bash-1-1.src.rpm")[2],
            "http://m.example.org/src/Packages/b/Bash-1-1.src.rpm"
        );
    }

    #[test]
    fn what_is_not_an_rpm_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.src.rpm");
        std::fs::write(&p, b"short").unwrap();
        assert!(verify(&p).unwrap_err().contains("lead"));
        let mut lead = vec![0xed, 0xab, 0xee, 0xdb];
        lead.resize(96, 0);
        lead.extend_from_slice(&[
            0x8e, 0xad, 0xe8, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,
        ]);
        std::fs::write(&p, &lead).unwrap();
        assert!(verify(&p).unwrap_err().contains("over the bounds"));
    }
}
