//! The mirrors this machine's apt is configured with, the last place `layerbom sources`
//! looks for mirrors of Debian and Ubuntu: the URIs of the `deb` and `deb-src` lines of
//! `etc/apt/sources.list` and `etc/apt/sources.list.d/*.list`, and of the deb822 stanzas
//! of `etc/apt/sources.list.d/*.sources`, in the order apt reads them. Only `http` and
//! `https` URIs are taken; disabled stanzas (`Enabled: no`) are left out.

use std::io::Read;
use std::path::Path;

use crate::deb822;

/// The largest apt source file read.
const MAX_FILE: u64 = 1 << 20;

/// The mirror URIs configured under the root `root` (`/` for this machine), each once, in
/// the order apt reads its files.
pub fn mirrors(root: &Path) -> Vec<String> {
    let etc = root.join("etc/apt");
    let mut uris = Vec::new();
    if let Some(text) = read(&etc.join("sources.list")) {
        uris.extend(one_line_style(&text));
    }
    let mut parts: Vec<_> = std::fs::read_dir(etc.join("sources.list.d"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    parts.sort();
    for path in parts {
        let Some(text) = read(&path) else { continue };
        match path.extension().and_then(|e| e.to_str()) {
            Some("list") => uris.extend(one_line_style(&text)),
            Some("sources") => uris.extend(deb822_style(&text)),
            _ => {}
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    uris.retain(|u| seen.insert(u.clone()));
    uris
}

fn read(path: &Path) -> Option<String> {
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_FILE)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// `deb [options] URI suite components…` lines.
fn one_line_style(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.split('#').next()?.trim();
            let rest = line
                .strip_prefix("deb-src ")
                .or_else(|| line.strip_prefix("deb "))?
                .trim_start();
            // Options in brackets come first.
            let rest = match rest.strip_prefix('[') {
                Some(r) => r.split_once(']')?.1.trim_start(),
                None => rest,
            };
            web(rest.split_whitespace().next()?)
        })
        .collect()
}

/// deb822 stanzas with `Types: deb deb-src` and `URIs:`.
fn deb822_style(text: &str) -> Vec<String> {
    deb822::paragraphs(text)
        .filter(|p| {
            p.get("Enabled")
                .is_none_or(|e| !e.value.eq_ignore_ascii_case("no"))
        })
        .filter(|p| {
            p.get("Types")
                .is_some_and(|t| t.words().iter().any(|w| w == "deb" || w == "deb-src"))
        })
        .flat_map(|p| p.get("URIs").map(|u| u.words()).unwrap_or_default())
        .filter_map(|u| web(&u))
        .collect()
}

/// An http(s) URI, without a trailing slash.
fn web(uri: &str) -> Option<String> {
    (uri.starts_with("http://") || uri.starts_with("https://"))
        .then(|| uri.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_styles_in_apt_order() {
        let root = tempfile::tempdir().unwrap();
        let apt = root.path().join("etc/apt/sources.list.d");
        std::fs::create_dir_all(&apt).unwrap();
        std::fs::write(
            root.path().join("etc/apt/sources.list"),
            "# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://one.example.org/debian bookworm main\ndeb-src http://one.example.org/debian/ bookworm main\ndeb cdrom:/x bookworm main\n",
        )
        .unwrap();
        std::fs::write(
            apt.join("b.sources"),
            "Types: deb deb-src\nURIs: https://two.example.org/debian\nSuites: bookworm\nComponents: main\n\nTypes: deb\nURIs: http://off.example.org/\nEnabled: no\n",
        )
        .unwrap();
        std::fs::write(
            apt.join("a.list"),
            "deb http://three.example.org/ubuntu jammy main\n",
        )
        .unwrap();
        std::fs::write(
            apt.join("c.list.disabled"),
            "deb http://x.example.org/ a b\n",
        )
        .unwrap();
        assert_eq!(
            mirrors(root.path()),
            [
                "http://one.example.org/debian",
                "http://three.example.org/ubuntu",
                "https://two.example.org/debian"
            ]
        );
    }

    #[test]
    fn no_configuration_no_mirror() {
        let root = tempfile::tempdir().unwrap();
        assert!(mirrors(root.path()).is_empty());
    }
}
