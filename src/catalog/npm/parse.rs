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
//!
//! The supplier is the `author` (a person field: `Name <email> (url)` or `{name, email,
//! url}`), else the first of the `maintainers` npm recorded.

use serde_json::Value;

use crate::catalog::party::{self, Contact, Party};
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

/// A person field (`author`, an entry of `maintainers`): a string `Name <email> (url)` or
/// an object `{name, email, url}`.
fn person(v: &Value) -> Contact {
    match v {
        Value::String(s) => party::mailbox(s),
        Value::Object(o) => Contact::new(
            o.get("name").and_then(Value::as_str),
            o.get("email").and_then(Value::as_str),
        ),
        _ => Contact::default(),
    }
}

/// Who supplies the package: its `author`, else the first of its `maintainers` (npm
/// writes the publishing users there) that names someone.
fn supplier(doc: &Value) -> Option<String> {
    let maintainers = doc
        .get("maintainers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(party::MAX_ENTRIES);
    doc.get("author")
        .into_iter()
        .chain(maintainers)
        .find_map(|v| person(v).supplier(Party::Person))
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
            supplier(&doc),
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

    /// The supplier of a manifest whose other fields are `fields`.
    fn supplier_of(fields: &str) -> Option<String> {
        let json = format!(r#"{{"name":"x","version":"1.0.0"{fields}}}"#);
        package(json.as_bytes(), "node_modules/x/package.json", 0)
            .unwrap()
            .supplier
    }

    #[test]
    fn the_author_string_is_a_person_without_its_url() {
        assert_eq!(
            supplier_of(r#","author":"Isaac Z. Schlueter <i@izs.me> (https://izs.me)""#).as_deref(),
            Some("Person: Isaac Z. Schlueter <i@izs.me>")
        );
        assert_eq!(
            supplier_of(r#","author":"Kris Zyp""#).as_deref(),
            Some("Person: Kris Zyp")
        );
    }

    #[test]
    fn the_author_object_is_a_person() {
        assert_eq!(
            supplier_of(
                r#","author":{"name":"TJ Holowaychuk","email":"tj@vision-media.ca","url":"http://tjholowaychuk.com"}"#
            )
            .as_deref(),
            Some("Person: TJ Holowaychuk <tj@vision-media.ca>")
        );
    }

    #[test]
    fn without_an_author_the_first_maintainer_supplies() {
        // As the registry wrote `maintainers` into installed manifests (npm < 7).
        assert_eq!(
            supplier_of(
                r#","author":"","maintainers":[{"name":"","email":""},{"name":"kriszyp","email":"kriszyp@gmail.com"},{"name":"other"}]"#
            )
            .as_deref(),
            Some("Person: kriszyp <kriszyp@gmail.com>")
        );
        assert_eq!(
            supplier_of(r#","maintainers":["Jane Doe <jd@example.org>"]"#).as_deref(),
            Some("Person: Jane Doe <jd@example.org>")
        );
    }

    #[test]
    fn no_author_and_no_maintainers_is_no_supplier() {
        // `ms` 2.1.3 as npm installs it: no author, no maintainers.
        assert_eq!(supplier_of(r#","license":"MIT""#), None);
        assert_eq!(
            supplier_of(r#","author":{"url":"https://x.example"}"#),
            None
        );
        assert_eq!(supplier_of(r#","author":42,"maintainers":"x""#), None);
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
