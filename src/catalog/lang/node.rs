//! Node.js: packages installed in `node_modules`.
//!
//! npm, yarn and pnpm (hoisted layout) put each installed package in
//! `node_modules/NAME/` or `node_modules/@SCOPE/NAME/` with its own `package.json`; nested
//! `node_modules` hold the versions that could not be hoisted. Only those manifests are
//! read: the application's own `package.json` (outside `node_modules`) names what it
//! *wants*, not what is installed.
//!
//! The license is the `license` field, an SPDX expression (`SEE LICENSE IN <file>` and
//! `UNLICENSED` are not licenses and are reported as such), or the legacy `licenses` array
//! of `{type}` objects, which npm's documentation replaces by an `OR` expression.

use serde_json::Value;

use super::license::{self, Mapped};
use super::{purl, Concluded, LangPackage};

/// Installed packages' manifests (scoped and unscoped, at any nesting depth).
pub const PATTERNS: [&str; 2] = [
    "**/node_modules/*/package.json",
    "**/node_modules/@*/*/package.json",
];

/// Whether `path` is an installed package's manifest.
pub fn is_manifest_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [.., nm, name, "package.json"] if *nm == "node_modules" => !name.starts_with('@'),
        [.., nm, scope, _, "package.json"] if *nm == "node_modules" => scope.starts_with('@'),
        _ => false,
    }
}

/// A license field value: a string, or an object with `type` (legacy).
fn license_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("type").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

fn conclude(doc: &Value, path: &str, layer: usize) -> Concluded {
    if let Some(raw) = doc.get("license").and_then(license_text) {
        let upper = raw.trim().to_ascii_uppercase();
        if upper.starts_with("SEE LICENSE IN") || upper.starts_with("SEE LICENCE IN") {
            return Concluded::none(
                Some(raw.clone()),
                format!(
                    "/{path}: the license is only a file reference ({raw:?}), not an expression"
                ),
            );
        }
        if upper == "UNLICENSED" {
            return Concluded::none(
                Some(raw.clone()),
                format!("/{path}: UNLICENSED means the package grants no license"),
            );
        }
        return match license::spdx_expression(&raw) {
            Some(e) => Concluded::from(Some(raw), e, path, layer, "npm-license-field", 0.9),
            None => match license::map_name(&raw) {
                Mapped::Spdx(e) => {
                    Concluded::from(Some(raw), e, path, layer, "npm-license-field", 0.8)
                }
                Mapped::Unknown => Concluded::none(
                    Some(raw.clone()),
                    format!("/{path}: the license {raw:?} is not an SPDX expression and names no known license"),
                ),
            },
        };
    }
    let legacy: Vec<String> = doc
        .get("licenses")
        .and_then(Value::as_array)
        .map(|a| a.iter().take(64).filter_map(license_text).collect())
        .unwrap_or_default();
    if legacy.is_empty() {
        return Concluded::none(None, format!("/{path} has no license field"));
    }
    let declared = legacy.join(", ");
    let mut mapped = Vec::new();
    for raw in &legacy {
        match license::map_name(raw) {
            Mapped::Spdx(e) => mapped.push(e),
            Mapped::Unknown => {
                return Concluded::none(
                    Some(declared.clone()),
                    format!("/{path}: the legacy licenses entry {raw:?} names no known license"),
                )
            }
        }
    }
    match license::join(&mapped, "OR") {
        Some(e) => Concluded::from(Some(declared), e, path, layer, "npm-legacy-licenses", 0.7),
        None => Concluded::none(Some(declared), format!("/{path} has no license")),
    }
}

/// The person or organization in an npm `author` field (string or `{name}`).
fn author(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// The package an installed `package.json` describes; `None` when it is not JSON or has no
/// name and version.
pub fn package(bytes: &[u8], path: &str, layer: usize) -> Option<LangPackage> {
    let doc: Value = serde_json::from_slice(bytes).ok()?;
    let name = doc.get("name")?.as_str()?.trim();
    let version = doc.get("version")?.as_str()?.trim();
    if name.is_empty() || version.is_empty() {
        return None;
    }
    let (scope, bare) = match name.split_once('/') {
        Some((s, n)) if s.starts_with('@') => (s, n),
        _ => ("", name),
    };
    let mut depends: Vec<String> = doc
        .get("dependencies")
        .and_then(Value::as_object)
        .map(|o| o.keys().take(10_000).cloned().collect())
        .unwrap_or_default();
    depends.sort();
    Some(LangPackage {
        kind: "npm",
        name: name.to_string(),
        version: version.to_string(),
        purl: purl("npm", &[scope], bare, version),
        license: conclude(&doc, path, layer),
        license_files: Vec::new(),
        homepage: doc
            .get("homepage")
            .and_then(Value::as_str)
            .map(str::to_string),
        supplier: doc.get("author").and_then(author),
        depends,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_spdx_license_is_concluded() {
        let p = package(
            br#"{"name":"@isaacs/string-locale-compare","version":"1.1.0","license":"ISC"}"#,
            "app/node_modules/@isaacs/string-locale-compare/package.json",
            1,
        )
        .unwrap();
        assert_eq!(p.purl, "pkg:npm/%40isaacs/string-locale-compare@1.1.0");
        assert_eq!(p.license.concluded, "ISC");
    }

    #[test]
    fn legacy_licenses_are_a_choice() {
        let p = package(
            br#"{"name":"json-schema","version":"0.2.3","licenses":[{"type":"AFLv2.1"},{"type":"BSD-3-Clause"}]}"#,
            "node_modules/json-schema/package.json",
            0,
        )
        .unwrap();
        assert_eq!(p.license.concluded, "AFL-2.1 OR BSD-3-Clause");
        assert_eq!(p.license.evidence[0].method, "npm-legacy-licenses");
        let p = package(
            br#"{"name":"j","version":"1","licenses":[{"type":"AFLv2.1"},{"type":"BSD"}]}"#,
            "node_modules/j/package.json",
            0,
        )
        .unwrap();
        assert_eq!(p.license.concluded, "NOASSERTION");
        assert!(p.license.reason.unwrap().contains("\"BSD\""));
    }

    #[test]
    fn a_file_reference_is_not_a_license() {
        let p = package(
            br#"{"name":"x","version":"1.0.0","license":"SEE LICENSE IN LICENSE.md"}"#,
            "node_modules/x/package.json",
            0,
        )
        .unwrap();
        assert_eq!(p.license.concluded, "NOASSERTION");
        assert_eq!(
            p.license.declared.as_deref(),
            Some("SEE LICENSE IN LICENSE.md")
        );
    }

    #[test]
    fn manifests_without_identity_or_json_are_skipped() {
        assert!(package(b"{", "node_modules/x/package.json", 0).is_none());
        assert!(package(br#"{"name":"x"}"#, "node_modules/x/package.json", 0).is_none());
    }

    #[test]
    fn only_installed_manifests_count() {
        assert!(is_manifest_path("srv/node_modules/ms/package.json"));
        assert!(is_manifest_path("node_modules/@a/b/package.json"));
        assert!(is_manifest_path(
            "a/node_modules/b/node_modules/c/package.json"
        ));
        assert!(!is_manifest_path("srv/app/package.json"));
        assert!(!is_manifest_path("node_modules/@a/package.json"));
        assert!(!is_manifest_path("node_modules/a/test/package.json"));
    }
}
