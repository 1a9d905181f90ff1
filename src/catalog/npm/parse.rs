//! npm's `package.json` of an installed package.
//!
//! npm, yarn and pnpm (hoisted layout) put each installed package in
//! `node_modules/NAME/` or `node_modules/@SCOPE/NAME/` with its own `package.json`; nested
//! `node_modules` hold the versions that could not be hoisted. Only those manifests are
//! read: the application's own `package.json` (outside `node_modules`) names what it
//! *wants*, not what is installed.
//!
//! The license is declared by the `license` field, an SPDX expression (`SEE LICENSE IN
//! <file>` and `UNLICENSED` are not licenses), or the legacy `licenses` array of `{type}`
//! objects, which npm's documentation replaces by an `OR` expression.

use serde_json::Value;

use crate::catalog::purl::purl;
use crate::catalog::{Cataloged, Declared, LicenseInput};

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

/// What a manifest declares about its license.
fn declared(doc: &Value) -> Declared {
    Declared::Npm {
        license: doc.get("license").and_then(license_text),
        legacy: doc
            .get("licenses")
            .and_then(Value::as_array)
            .map(|a| a.iter().take(64).filter_map(license_text).collect())
            .unwrap_or_default(),
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
pub fn package(bytes: &[u8], path: &str, layer: usize) -> Option<Cataloged> {
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
    Some(
        Cataloged::language(
            "npm",
            purl("npm", &[scope], bare, version, &[]),
            name.to_string(),
            version.to_string(),
            LicenseInput::Declared {
                declared: declared(&doc),
                path: path.to_string(),
                layer,
            },
            (path, layer),
        )
        .with(
            doc.get("homepage")
                .and_then(Value::as_str)
                .map(str::to_string),
            doc.get("author").and_then(author),
            depends,
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scoped_package_gets_its_purl_and_declaration() {
        let p = package(
            br#"{"name":"@isaacs/string-locale-compare","version":"1.1.0","license":"ISC"}"#,
            "app/node_modules/@isaacs/string-locale-compare/package.json",
            1,
        )
        .unwrap();
        assert_eq!(p.purl, "pkg:npm/%40isaacs/string-locale-compare@1.1.0");
        assert!(matches!(
            &p.license,
            LicenseInput::Declared { declared: Declared::Npm { license: Some(l), legacy }, layer: 1, .. }
                if l == "ISC" && legacy.is_empty()
        ));
    }

    #[test]
    fn legacy_licenses_are_declared_as_listed() {
        let p = package(
            br#"{"name":"json-schema","version":"0.2.3","licenses":[{"type":"AFLv2.1"},{"type":"BSD-3-Clause"}]}"#,
            "node_modules/json-schema/package.json",
            0,
        )
        .unwrap();
        assert!(matches!(
            &p.license,
            LicenseInput::Declared { declared: Declared::Npm { license: None, legacy }, .. }
                if legacy == &["AFLv2.1", "BSD-3-Clause"]
        ));
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
