//! The crate list that cargo-auditable embeds in executables.
//!
//! `cargo auditable build` links a `.dep-v0` section holding zlib-compressed JSON:
//! `{"packages":[{"name","version","source","kind","dependencies":[indexes],"root"}]}`.
//! The section is not loaded at run time, so the linker places it after the loadable
//! segments, in the file's tail before the section header table — the one region a
//! forward pass can know in advance: the ELF header gives the table's offset and the
//! program headers the end of the last segment.
//!
//! The reader therefore passes over the segments (seeking when the layer allows it), keeps
//! the tail — at most [`MAX_TAIL`] bytes, which holds a stripped binary's non-loaded
//! sections with room to spare — then reads the section header table, finds `.dep-v0` by
//! name in that tail, and inflates it (bounded). An unstripped binary whose debug sections
//! make the tail larger is passed by unread; that limit is stated in the README.

use std::io::Read;

use serde::Deserialize;

use crate::catalog::elf::{uint, Cursor, Elf, MAX_ENTSIZE};
use crate::catalog::purl::purl;
use crate::catalog::{Cataloged, LicenseInput};

/// The most bytes of non-loaded sections kept to look for `.dep-v0`.
pub const MAX_TAIL: u64 = 8 << 20;
/// The most bytes the audit JSON may inflate to.
const MAX_JSON: u64 = 8 << 20;
/// The most sections read.
const MAX_SECTIONS: usize = 4096;
/// The most crates kept from one executable.
const MAX_CRATES: usize = 20_000;

/// One crate as the audit data records it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Crate {
    /// Crate name.
    pub name: String,
    /// Version.
    pub version: String,
    /// `crates.io`, `local`, `git`, `registry`.
    #[serde(default)]
    pub source: String,
    /// `build` for build-time dependencies; absent (runtime) otherwise.
    #[serde(default)]
    pub kind: Option<String>,
    /// Indexes of the crates it depends on.
    #[serde(default)]
    pub dependencies: Vec<usize>,
    /// Whether it is the executable's own crate.
    #[serde(default)]
    pub root: bool,
}

/// Why the cargo-auditable data of an executable cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum AuditDataError {
    /// The section header table places `.dep-v0` beyond the bytes of the file.
    #[error("the .dep-v0 section lies outside the file")]
    OutsideFile,
    /// The section is not zlib data.
    #[error("the cargo-auditable data does not inflate: {0}")]
    Inflate(#[source] std::io::Error),
    /// The inflated data is not the JSON cargo-auditable writes.
    #[error("the cargo-auditable data is not the expected JSON: {0}")]
    Json(#[source] serde_json::Error),
}

#[derive(Deserialize)]
struct Audit {
    packages: Vec<Crate>,
}

/// Reads the audit data of an ELF executable after its headers. `None` when there is no
/// `.dep-v0` section within reach; `Some(Err)` when there is one that cannot be read.
pub fn search(
    elf: &Elf,
    cur: &mut Cursor,
    size: u64,
) -> Option<Result<Vec<Crate>, AuditDataError>> {
    let loaded_end = elf
        .segments
        .iter()
        .map(|&(o, s, _)| o.saturating_add(s))
        .max()
        .unwrap_or(0)
        .max(cur.pos);
    let table = (elf.shentsize as u64).checked_mul(elf.shnum as u64)?;
    let min_ent = if elf.wide { 64 } else { 40 };
    if elf.shnum == 0
        || elf.shnum > MAX_SECTIONS
        || !(min_ent..=MAX_ENTSIZE).contains(&elf.shentsize)
        || elf.shoff < loaded_end
        || elf.shoff.checked_add(table)? > size
        || elf.shoff - loaded_end > MAX_TAIL
    {
        return None;
    }
    cur.seek_to(loaded_end)?;
    let mut tail = Vec::new();
    cur.read_up_to(elf.shoff - loaded_end, &mut tail)?;
    let mut sh = Vec::new();
    cur.read_up_to(table, &mut sh)?;
    // (name offset, offset, size) of every section.
    let (w, big) = (if elf.wide { 8 } else { 4 }, elf.big);
    let sections: Vec<(u64, u64, u64)> = sh
        .chunks_exact(elf.shentsize)
        .filter_map(|e| {
            let name = uint(e, 0, 4, big)?;
            let offset = uint(e, 8 + 2 * w, w, big)?;
            let len = uint(e, 8 + 3 * w, w, big)?;
            Some((name, offset, len))
        })
        .collect();
    let in_tail = |offset: u64, len: u64| -> Option<&[u8]> {
        let start = usize::try_from(offset.checked_sub(loaded_end)?).ok()?;
        tail.get(start..start.checked_add(usize::try_from(len).ok()?)?)
    };
    let &(_, str_off, str_len) = sections.get(elf.shstrndx)?;
    let names = in_tail(str_off, str_len)?;
    let &(_, off, len) = sections.iter().find(|(name, _, _)| {
        names
            .get(*name as usize..)
            .is_some_and(|n| n.starts_with(b".dep-v0\0"))
    })?;
    let Some(compressed) = in_tail(off, len) else {
        return Some(Err(AuditDataError::OutsideFile));
    };
    Some(parse(compressed))
}

/// Inflates and parses the audit JSON.
pub fn parse(compressed: &[u8]) -> Result<Vec<Crate>, AuditDataError> {
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_JSON)
        .read_to_end(&mut json)
        .map_err(AuditDataError::Inflate)?;
    let audit: Audit = serde_json::from_slice(&json).map_err(AuditDataError::Json)?;
    let mut crates = audit.packages;
    crates.truncate(MAX_CRATES);
    Ok(crates)
}

/// The cargo packages of one executable: every crate linked in (build-time dependencies,
/// which are not, are left out).
pub fn packages(crates: &[Crate], path: &str, layer: usize) -> Vec<Cataloged> {
    let reason =
        format!("the cargo-auditable data in /{path} records crates and versions, not licenses");
    crates
        .iter()
        .filter(|c| c.kind.as_deref() != Some("build"))
        .map(|c| {
            Cataloged::language(
                "cargo",
                purl("cargo", &[], &c.name, &c.version, &[]),
                c.name.clone(),
                c.version.clone(),
                LicenseInput::Unrecorded {
                    reason: reason.clone(),
                },
                (path, layer),
            )
            .with(
                None,
                None,
                c.dependencies
                    .iter()
                    .filter_map(|&i| crates.get(i))
                    .map(|d| d.name.clone())
                    .collect(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zlib(b: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn audit_json_gives_runtime_crates_with_purls() {
        let json = br#"{"packages":[{"name":"hello-rs","version":"0.1.0","source":"local","dependencies":[1,2],"root":true},{"name":"itoa","version":"1.0.11","source":"crates.io"},{"name":"cc","version":"1.0.0","source":"crates.io","kind":"build"}]}"#;
        let crates = parse(&zlib(json)).unwrap();
        let p = packages(&crates, "usr/bin/hello-rs", 0);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].depends, [["itoa"], ["cc"]]);
        assert_eq!(p[1].purl, "pkg:cargo/itoa@1.0.11");
        assert!(matches!(
            &p[1].license,
            LicenseInput::Unrecorded { reason } if reason.contains("not licenses")
        ));
    }

    #[test]
    fn damaged_audit_data_is_an_error() {
        assert!(matches!(
            parse(b"not zlib"),
            Err(AuditDataError::Inflate(_))
        ));
        let e = parse(&zlib(b"{\"packages\":7}")).unwrap_err();
        assert!(matches!(e, AuditDataError::Json(_)), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("the cargo-auditable data is not the expected JSON: "),
            "{e}"
        );
    }
}
