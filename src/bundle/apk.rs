//! apk sources: the recipes (aports' APKBUILD and patches) at the commit the package was
//! built from (`c:`), as an archive of that tree, from the URL the configured source
//! archive gives (`--source-archive alpine=URL` with `{commit}`).
//!
//! An archive made by `git archive` (as a forge's archive download is) names the commit it
//! was made from in its pax global header (`comment=COMMIT`). The archive is kept when that
//! header names the package's commit and the tree holds `ORIGIN/APKBUILD` (under `main/`,
//! `community/` or any folder) whose `pkgver` and `pkgrel` are the package's version. This
//! says the archive is the recipe that built this version; it is not a signature: a git
//! commit's identity covers its whole tree, which a partial archive cannot be checked
//! against.

use std::io::Read;
use std::path::Path;

/// The most bytes read from an archive's decompressed stream.
const MAX_TAR: u64 = 2 << 30;
/// The most entries an archive may have.
const MAX_ENTRIES: usize = 500_000;
/// The largest APKBUILD or pax header read.
const MAX_TEXT: u64 = 1 << 20;

/// Whether `commit` is a commit id (hex, 7 to 64 digits).
pub(crate) fn is_commit(commit: &str) -> bool {
    (7..=64).contains(&commit.len()) && commit.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The file name an archive of `origin` at `commit` is kept under: `.tar.gz` or `.tar` as
/// its first bytes say.
pub(crate) fn file_name(origin: &str, commit: &str, gzip: bool) -> String {
    let ext = if gzip { "tar.gz" } else { "tar" };
    format!("{origin}-{commit}.{ext}")
}

/// Whether the file at `path` starts as gzip does.
pub(crate) fn is_gzip(path: &Path) -> bool {
    let mut magic = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == [0x1f, 0x8b]
}

/// Checks that the archive at `path` is the recipe tree of `origin` at `commit` that builds
/// `version` (`PKGVER-rPKGREL`); says how, or why not.
pub(crate) fn verify(
    path: &Path,
    origin: &str,
    version: &str,
    commit: &str,
) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    verify_read(file, is_gzip(path), origin, version, commit)
}

/// [`verify`] of an archive read from `reader`, gzip-compressed or not.
pub(crate) fn verify_read(
    reader: impl Read,
    gzip: bool,
    origin: &str,
    version: &str,
    commit: &str,
) -> Result<String, String> {
    let reader: Box<dyn Read> = match gzip {
        true => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        false => Box::new(reader),
    };
    let mut archive = tar::Archive::new(reader.take(MAX_TAR));
    let mut named_commit = None;
    let mut recipe = None;
    let entries = archive
        .entries()
        .map_err(|e| format!("not a tar archive: {e}"))?;
    for (n, entry) in entries.enumerate() {
        if n >= MAX_ENTRIES {
            return Err(format!("over {MAX_ENTRIES} entries"));
        }
        let mut entry = entry.map_err(|e| format!("not a tar archive: {e}"))?;
        if entry.header().entry_type() == tar::EntryType::XGlobalHeader {
            let text = read_text(&mut entry)?;
            named_commit = pax_comment(&text).or(named_commit);
            continue;
        }
        let path = entry.path().map_err(|e| e.to_string())?.into_owned();
        let parts: Vec<_> = path.components().collect();
        let is_recipe = parts.len() >= 2
            && parts.len() <= 4
            && parts[parts.len() - 1].as_os_str() == "APKBUILD"
            && parts[parts.len() - 2].as_os_str() == origin;
        if is_recipe && recipe.is_none() {
            recipe = Some((path.display().to_string(), read_text(&mut entry)?));
        }
    }
    match named_commit {
        Some(c) if c.eq_ignore_ascii_case(commit) => {}
        Some(c) => {
            return Err(format!(
                "the archive was made from commit {c}, not {commit}"
            ))
        }
        None => {
            return Err(
                "the archive names no commit (git archive's pax header comment): it cannot be \
                 told to be the tree at the package's commit"
                    .to_string(),
            )
        }
    }
    let (at, text) = recipe.ok_or_else(|| format!("the archive holds no {origin}/APKBUILD"))?;
    let declared = declared_version(&text)
        .ok_or_else(|| format!("{at}: no literal pkgver and pkgrel to compare"))?;
    if declared != version {
        return Err(format!("{at} builds {declared}, not {version}"));
    }
    Ok(format!(
        "the archive's pax header names commit {commit}, and {at} builds {version}"
    ))
}

fn read_text(entry: &mut impl Read) -> Result<String, String> {
    let mut bytes = Vec::new();
    entry
        .take(MAX_TEXT)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The `comment` record of a pax header: `LENGTH comment=VALUE\n` records.
fn pax_comment(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (_, record) = line.split_once(' ')?;
        let value = record.strip_prefix("comment=")?;
        is_commit(value).then(|| value.to_string())
    })
}

/// `PKGVER-rPKGREL` from an APKBUILD's top-level assignments, when both are literals.
fn declared_version(text: &str) -> Option<String> {
    let value = |name: &str| {
        text.lines().find_map(|line| {
            let v = line.strip_prefix(name)?.strip_prefix('=')?;
            let v = v.split('#').next()?.trim().trim_matches(['"', '\'']);
            (!v.is_empty() && !v.contains(['$', '`', ' '])).then(|| v.to_string())
        })
    };
    Some(format!("{}-r{}", value("pkgver")?, value("pkgrel")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMIT: &str = "2684a6593b10051f8f9fcb01e4734e2d9533b0ea";

    fn archive(dir: &Path, commit: Option<&str>, recipe: &str) -> std::path::PathBuf {
        let mut b = tar::Builder::new(Vec::new());
        if let Some(c) = commit {
            let record = format!("comment={c}\n");
            let record = format!("{} {record}", record.len() + 3);
            let mut h = tar::Header::new_ustar();
            h.set_entry_type(tar::EntryType::XGlobalHeader);
            h.set_path("pax_global_header").unwrap();
            h.set_size(record.len() as u64);
            h.set_cksum();
            b.append(&h, record.as_bytes()).unwrap();
        }
        let mut h = tar::Header::new_ustar();
        h.set_size(recipe.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "aports/main/busybox/APKBUILD", recipe.as_bytes())
            .unwrap();
        let path = dir.join("a.tar");
        std::fs::write(&path, b.into_inner().unwrap()).unwrap();
        path
    }

    #[test]
    fn the_commit_and_the_version_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let recipe = "pkgname=busybox\npkgver=1.36.1\npkgrel=2 # bumped\n";
        let a = archive(dir.path(), Some(COMMIT), recipe);
        let how = verify(&a, "busybox", "1.36.1-r2", COMMIT).unwrap();
        assert!(
            how.contains("aports/main/busybox/APKBUILD builds 1.36.1-r2"),
            "{how}"
        );
        let e = verify(&a, "busybox", "1.36.1-r3", COMMIT).unwrap_err();
        assert!(e.contains("builds 1.36.1-r2, not 1.36.1-r3"), "{e}");
        let e = verify(&a, "busybox", "1.36.1-r2", "0123456789abcdef").unwrap_err();
        assert!(e.contains("not 0123456789abcdef"), "{e}");
        let e = verify(&a, "musl", "1.2.4-r2", COMMIT).unwrap_err();
        assert!(e.contains("no musl/APKBUILD"), "{e}");
        let bare = archive(dir.path(), None, recipe);
        assert!(verify(&bare, "busybox", "1.36.1-r2", COMMIT)
            .unwrap_err()
            .contains("names no commit"));
        let computed = archive(dir.path(), Some(COMMIT), "pkgver=$_v\npkgrel=0\n");
        assert!(verify(&computed, "busybox", "1.36.1-r0", COMMIT)
            .unwrap_err()
            .contains("no literal pkgver"));
        std::fs::write(dir.path().join("junk"), b"not a tar at all").unwrap();
        assert!(verify(&dir.path().join("junk"), "busybox", "1-r0", COMMIT).is_err());
    }

    #[test]
    fn names_and_commits() {
        assert!(is_commit(COMMIT) && is_commit("2684a65"));
        assert!(!is_commit("../x") && !is_commit("abc"));
        assert_eq!(
            file_name("busybox", COMMIT, true),
            format!("busybox-{COMMIT}.tar.gz")
        );
        assert_eq!(
            pax_comment(&format!("52 comment={COMMIT}\n")).as_deref(),
            Some(COMMIT)
        );
        assert_eq!(pax_comment("20 comment=nothex\n"), None);
    }
}
