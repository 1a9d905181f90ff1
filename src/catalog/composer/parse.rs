//! Composer's record of installed PHP packages, `vendor/composer/installed.json`.
//!
//! Composer 2 writes `{"packages": [...]}`, Composer 1 a bare array; each package has
//! `name` (`vendor/project`), `version` and `license`, an array of SPDX ids that Composer's
//! documentation defines as a choice (`OR`) when there are several. The supplier is the
//! first of the package's `authors`, which Composer copies from the package's own
//! `composer.json`.

use serde_json::Value;

use crate::catalog::party::{self, Contact, Party};
use crate::catalog::purl::purl;
use crate::catalog::{Cataloged, Declared, LicenseInput};

/// Composer's record of installed packages.
pub const PATTERNS: [&str; 1] = ["**/vendor/composer/installed.json"];

/// The most packages read from one file.
const MAX_PACKAGES: usize = 20_000;

/// Whether `path` is Composer's record of installed packages.
pub fn is_installed_path(path: &str) -> bool {
    path == "vendor/composer/installed.json" || path.ends_with("/vendor/composer/installed.json")
}

/// Who supplies a package: the first of its `authors` (`{name, email, homepage, role}`,
/// people) that names someone.
fn supplier(p: &Value) -> Option<String> {
    p.get("authors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(party::MAX_ENTRIES)
        .find_map(|a| {
            Contact::new(
                a.get("name").and_then(Value::as_str),
                a.get("email").and_then(Value::as_str),
            )
            .supplier(Party::Person)
        })
}

/// The packages of an `installed.json` (either format); not JSON gives none.
pub fn packages(bytes: &[u8], path: &str, layer: usize) -> Vec<Cataloged> {
    let Ok(doc) = serde_json::from_slice::<Value>(bytes) else {
        return Vec::new();
    };
    let list = match &doc {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("packages") {
            Some(Value::Array(a)) => a,
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    list.iter()
        .take(MAX_PACKAGES)
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?.trim();
            let version = p.get("version")?.as_str()?.trim();
            let (vendor, project) = name.split_once('/')?;
            if vendor.is_empty() || project.is_empty() || version.is_empty() {
                return None;
            }
            let licenses: Vec<String> = match p.get("license") {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(a)) => a
                    .iter()
                    .take(64)
                    .filter_map(|l| l.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            let mut depends: Vec<String> = p
                .get("require")
                .and_then(Value::as_object)
                .map(|o| o.keys().filter(|k| k.contains('/')).cloned().collect())
                .unwrap_or_default();
            depends.sort();
            Some(
                Cataloged::language(
                    "composer",
                    purl("composer", &[vendor], project, version, &[]),
                    name.to_string(),
                    version.to_string(),
                    LicenseInput::Declared {
                        declared: Declared::Composer(licenses),
                        path: path.to_string(),
                        layer,
                    },
                    (path, layer),
                )
                .with(
                    p.get("homepage")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    supplier(p),
                    depends,
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composer_2_and_1_formats_give_the_same_packages() {
        let v2 = br#"{"packages":[{"name":"acme/dual","version":"0.3.1","license":["LGPL-2.1-only","GPL-3.0-or-later"],"require":{"php":">=8.0","acme/greeter":"^1.2"}}],"dev":true}"#;
        let v1 = br#"[{"name":"acme/dual","version":"0.3.1","license":["LGPL-2.1-only","GPL-3.0-or-later"],"require":{"php":">=8.0","acme/greeter":"^1.2"}}]"#;
        let a = packages(v2, "vendor/composer/installed.json", 3);
        let b = packages(v1, "vendor/composer/installed.json", 3);
        assert_eq!(a, b);
        assert_eq!(a[0].purl, "pkg:composer/acme/dual@0.3.1");
        assert!(matches!(
            &a[0].license,
            LicenseInput::Declared { declared: Declared::Composer(l), layer: 3, .. }
                if l == &["LGPL-2.1-only", "GPL-3.0-or-later"]
        ));
        assert_eq!(a[0].depends, [["acme/greeter"]]);
    }

    #[test]
    fn the_first_author_supplies() {
        // As Composer 2 records monolog/monolog 3.5.0 in installed.json.
        let v2 = br#"{"packages":[{"name":"monolog/monolog","version":"3.5.0","license":["MIT"],"authors":[{"name":"Jordi Boggiano","email":"j.boggiano@seld.be","homepage":"https://seld.be"}]},{"name":"acme/anon","version":"1.0.0","authors":[{"email":"not an address"},{"homepage":"https://x.example"}]},{"name":"acme/none","version":"1.0.0"},{"name":"acme/second","version":"1.0.0","authors":[{"name":" "},{"name":"Jane Doe"}]}]}"#;
        let p = packages(v2, "vendor/composer/installed.json", 0);
        let suppliers: Vec<Option<&str>> = p.iter().map(|p| p.supplier.as_deref()).collect();
        assert_eq!(
            suppliers,
            [
                Some("Person: Jordi Boggiano <j.boggiano@seld.be>"),
                None,
                None,
                Some("Person: Jane Doe")
            ]
        );
    }

    #[test]
    fn entries_without_identity_are_skipped() {
        assert!(packages(br#"{"packages":[{"name":"x","version":"1"}]}"#, "i.json", 0).is_empty());
        assert!(packages(b"[", "i.json", 0).is_empty());
        assert!(is_installed_path("srv/vendor/composer/installed.json"));
        assert!(!is_installed_path("srv/composer/installed.json"));
    }
}
