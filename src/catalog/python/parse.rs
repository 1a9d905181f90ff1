//! Python core metadata: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` (or a single
//! `*.egg-info` file).
//!
//! pip (and every installer following the packaging specifications) leaves a
//! `NAME-VERSION.dist-info/METADATA` per distribution; older setuptools installs leave
//! `NAME-VERSION.egg-info/PKG-INFO` (or a single `NAME-VERSION.egg-info` file). Both hold
//! the core metadata: an RFC 822 style header block with `Name`, `Version`, and the
//! license as `License-Expression` (PEP 639, SPDX), `License` (free text), `Classifier:
//! License :: …` trove classifiers and `License-File` names.
//!
//! The license stage concludes from the strongest of these, in that order; when none maps,
//! from the license files in the `.dist-info` directory.
//!
//! The supplier is the person `Author` and `Author-email` name, else the one `Maintainer`
//! and `Maintainer-email` name.

use crate::catalog::party::{self, Party};
use crate::catalog::purl::purl;
use crate::catalog::{dir_of, Cataloged, Declared, LicenseInput};

/// Where installed distributions' metadata lives.
pub const PATTERNS: [&str; 6] = [
    "**/site-packages/*.dist-info/METADATA",
    "**/dist-packages/*.dist-info/METADATA",
    "**/site-packages/*.egg-info/PKG-INFO",
    "**/dist-packages/*.egg-info/PKG-INFO",
    "**/site-packages/*.egg-info",
    "**/dist-packages/*.egg-info",
];

/// License files in `.dist-info` directories (top level, and PEP 639's `licenses/`).
pub const LICENSE_PATTERNS: [&str; 4] = [
    "**/site-packages/*.dist-info/{LICEN[CS]E,COPYING,NOTICE}*",
    "**/dist-packages/*.dist-info/{LICEN[CS]E,COPYING,NOTICE}*",
    "**/site-packages/*.dist-info/licenses/**",
    "**/dist-packages/*.dist-info/licenses/**",
];

/// Where wheels without `License-File` fields keep license files in `.dist-info`.
const CONVENTIONAL_LICENSE_FILES: [&str; 6] = [
    "LICENSE",
    "LICENSE.txt",
    "LICENSE.md",
    "LICENCE",
    "COPYING",
    "COPYING.txt",
];

/// The most header lines read from one metadata file.
const MAX_HEADERS: usize = 10_000;

/// The core metadata fields that matter here.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// `Name`.
    pub name: String,
    /// `Version`.
    pub version: String,
    /// `License-Expression` (PEP 639).
    pub license_expression: Option<String>,
    /// `License` (free text; may span lines).
    pub license: Option<String>,
    /// `Classifier: License :: …` values.
    pub license_classifiers: Vec<String>,
    /// `License-File` values (relative to the `.dist-info` directory).
    pub license_files: Vec<String>,
    /// `Home-page`, or the first `Project-URL`.
    pub homepage: Option<String>,
    /// `Author` (a name, free text).
    pub author: Option<String>,
    /// `Author-email` (RFC 5322 addresses, with or without names, comma-separated).
    pub author_email: Option<String>,
    /// `Maintainer`.
    pub maintainer: Option<String>,
    /// `Maintainer-email`.
    pub maintainer_email: Option<String>,
    /// `Requires-Dist` names (without extras-only requirements).
    pub requires: Vec<String>,
}

/// Whether `path` is a metadata file this module reads.
pub fn is_metadata_path(path: &str) -> bool {
    let in_packages = path
        .split('/')
        .any(|c| c == "site-packages" || c == "dist-packages");
    in_packages
        && (path.ends_with(".dist-info/METADATA")
            || path.ends_with(".egg-info/PKG-INFO")
            || path.ends_with(".egg-info"))
}

/// Parses a METADATA or PKG-INFO file's header block.
pub fn parse_metadata(bytes: &[u8]) -> Metadata {
    let text = String::from_utf8_lossy(bytes);
    let mut m = Metadata::default();
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines().take(MAX_HEADERS) {
        if line.is_empty() {
            break; // the body (long description) follows
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = fields.last_mut() {
                v.push('\n');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            fields.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    for (k, v) in fields {
        let v = v.trim().to_string();
        if v.is_empty() || v == "UNKNOWN" {
            continue;
        }
        match k.as_str() {
            "name" => m.name = v,
            "version" => m.version = v,
            "license-expression" => m.license_expression = Some(v),
            "license" => m.license = Some(v),
            "classifier" if v.starts_with("License ::") => m.license_classifiers.push(v),
            "license-file" => m.license_files.push(v),
            "home-page" => m.homepage = Some(v),
            "project-url" if m.homepage.is_none() => {
                m.homepage = v.split_once(',').map(|(_, u)| u.trim().to_string());
            }
            "author" if m.author.is_none() => m.author = Some(v),
            "author-email" if m.author_email.is_none() => m.author_email = Some(v),
            "maintainer" if m.maintainer.is_none() => m.maintainer = Some(v),
            "maintainer-email" if m.maintainer_email.is_none() => m.maintainer_email = Some(v),
            "requires-dist" if !v.contains("extra ==") && !v.contains("extra==") => {
                let end = v
                    .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
                    .unwrap_or(v.len());
                if end > 0 {
                    m.requires.push(normalize_name(&v[..end]));
                }
            }
            _ => {}
        }
    }
    m
}

impl Metadata {
    /// Who supplies the distribution: its author, else its maintainer (see [`person`]).
    pub fn supplier(&self) -> Option<String> {
        person(self.author.as_deref(), self.author_email.as_deref())
            .or_else(|| person(self.maintainer.as_deref(), self.maintainer_email.as_deref()))
    }
}

/// The person a name field (`Author`, `Maintainer`) and its email field (`Author-email`,
/// `Maintainer-email`) record. The email field is RFC 5322 addresses (`"Name" <email>`,
/// `Name <email>` or a bare `email`, comma-separated): the first one that carries a name is
/// the person. Otherwise the name field is, with the address when the email field holds
/// exactly one, bare (the only address of the only author written there); else the first
/// bare address stands alone.
fn person(name: Option<&str>, emails: Option<&str>) -> Option<String> {
    let listed = emails.map(party::mailboxes).unwrap_or_default();
    if let Some(named) = listed.iter().find(|c| !c.name.is_empty()) {
        return named.supplier(Party::Person);
    }
    let named = name.map(party::mailbox).filter(|c| !c.name.is_empty());
    match (named, listed.as_slice()) {
        (Some(mut c), [only]) => {
            c.email = c.email.or_else(|| only.email.clone());
            c.supplier(Party::Person)
        }
        (Some(c), _) => c.supplier(Party::Person),
        (None, [first, ..]) => first.supplier(Party::Person),
        (None, []) => None,
    }
}

/// A distribution name normalized as PEP 503 says (lower case, runs of `-_.` as `-`).
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The package a metadata file describes, or `None` when it has no name or version.
pub fn package(bytes: &[u8], path: &str, layer: usize) -> Option<Cataloged> {
    let m = parse_metadata(bytes);
    if m.name.is_empty() || m.version.is_empty() {
        return None;
    }
    let dir = if path.ends_with(".egg-info") {
        path
    } else {
        dir_of(path)
    };
    let license_files = if !dir.ends_with(".dist-info") {
        Vec::new()
    } else if m.license_files.is_empty() {
        // Wheels built before `License-File` existed put the files here by these names.
        CONVENTIONAL_LICENSE_FILES
            .iter()
            .map(|f| format!("{dir}/{f}"))
            .collect()
    } else {
        m.license_files
            .iter()
            .flat_map(|f| [format!("{dir}/{f}"), format!("{dir}/licenses/{f}")])
            .collect()
    };
    let name = normalize_name(&m.name);
    let supplier = m.supplier();
    Some(
        Cataloged::language(
            "python",
            purl("pypi", &[], &name, &m.version, &[]),
            name,
            m.version,
            LicenseInput::Declared {
                declared: Declared::Python {
                    expression: m.license_expression,
                    license: m.license,
                    classifiers: m.license_classifiers,
                    files: license_files,
                },
                path: path.to_string(),
                layer,
            },
            (path, layer),
        )
        .with(m.homepage, supplier, m.requires),
    )
}

/// The directory that holds a distribution's metadata (`….dist-info`, `….egg-info`),
/// which is what a system package manager's file list owns.
pub fn metadata_dir(path: &str) -> &str {
    if path.ends_with(".egg-info") {
        path
    } else {
        dir_of(path)
    }
}

/// The metadata directories among a system package's files (root-relative, or absolute as
/// package databases write them): `*.dist-info` and `*.egg-info` directories, and the
/// directories of `METADATA` and `PKG-INFO` files listed without their directory.
pub fn owned_metadata_dirs(files: &[String]) -> impl Iterator<Item = String> + '_ {
    files.iter().filter_map(|f| {
        let f = f.trim_start_matches('/').trim_end_matches('/');
        if f.ends_with(".dist-info") || f.ends_with(".egg-info") {
            Some(f.to_string())
        } else if f.ends_with(".dist-info/METADATA") || f.ends_with(".egg-info/PKG-INFO") {
            Some(dir_of(f).to_string())
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATTRS: &[u8] = b"Metadata-Version: 2.4\nName: attrs\nVersion: 26.1.0\nLicense-Expression: MIT\nLicense-File: LICENSE\nRequires-Dist: cloudpickle; extra == 'tests'\n\nbody\nLicense: GPL\n";

    /// The license files a package's input names.
    fn files(p: &Cataloged) -> &[String] {
        match &p.license {
            LicenseInput::Declared {
                declared: Declared::Python { files, .. },
                ..
            } => files,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_metadata_declares_and_extras_are_not_dependencies() {
        let p = package(ATTRS, "site-packages/attrs-26.1.0.dist-info/METADATA", 1).unwrap();
        assert_eq!(p.purl, "pkg:pypi/attrs@26.1.0");
        match &p.license {
            LicenseInput::Declared {
                declared: Declared::Python { expression, .. },
                path,
                layer,
            } => {
                assert_eq!(expression.as_deref(), Some("MIT"));
                assert_eq!(
                    (path.as_str(), *layer),
                    ("site-packages/attrs-26.1.0.dist-info/METADATA", 1)
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(p.depends.is_empty(), "extras are not dependencies");
        assert_eq!(files(&p)[0], "site-packages/attrs-26.1.0.dist-info/LICENSE");
    }

    #[test]
    fn without_license_file_fields_the_conventional_names_are_tried() {
        let m = b"Name: old\nVersion: 1\n";
        let p = package(m, "site-packages/old-1.dist-info/METADATA", 0).unwrap();
        assert_eq!(files(&p)[0], "site-packages/old-1.dist-info/LICENSE");
        assert_eq!(files(&p).len(), CONVENTIONAL_LICENSE_FILES.len());
        let egg = package(m, "site-packages/old-1.egg-info/PKG-INFO", 0).unwrap();
        assert!(files(&egg).is_empty());
    }

    #[test]
    fn names_are_normalized_as_pep_503_says() {
        assert_eq!(normalize_name("typing_extensions"), "typing-extensions");
        assert_eq!(normalize_name("Zope.Interface"), "zope-interface");
        assert_eq!(normalize_name("a__b"), "a-b");
    }

    #[test]
    fn continuation_lines_and_unknown_are_handled() {
        let m = b"Name: x\nVersion: 1\nLicense: Copyright 2020\n        Some long text\nHome-page: UNKNOWN\n";
        let md = parse_metadata(m);
        assert_eq!(
            md.license.as_deref(),
            Some("Copyright 2020\nSome long text")
        );
        assert_eq!(md.homepage, None);
        assert!(package(b"Name: x\n", "site-packages/x.egg-info", 0).is_none());
    }

    #[test]
    fn system_packages_own_metadata_directories() {
        let files: Vec<String> = [
            "/usr/lib/python3.11/site-packages/six-1.16.0.dist-info",
            "/usr/lib/python3.11/site-packages/idna-3.4.dist-info/METADATA",
            "/usr/lib/python3.11/site-packages/six.py",
            "/usr/lib/python3/dist-packages/x-1.egg-info/",
        ]
        .map(String::from)
        .to_vec();
        let owned: Vec<String> = owned_metadata_dirs(&files).collect();
        assert_eq!(
            owned,
            [
                "usr/lib/python3.11/site-packages/six-1.16.0.dist-info",
                "usr/lib/python3.11/site-packages/idna-3.4.dist-info",
                "usr/lib/python3/dist-packages/x-1.egg-info"
            ]
        );
    }

    /// The supplier of a METADATA file with these header lines.
    fn supplier_of(headers: &str) -> Option<String> {
        let text = format!("Metadata-Version: 2.1\nName: x\nVersion: 1\n{headers}\n\nbody\n");
        package(text.as_bytes(), "site-packages/x-1.dist-info/METADATA", 0)
            .unwrap()
            .supplier
    }

    #[test]
    fn author_email_with_a_name_is_the_person() {
        // attrs 26.1.0 (PEP 621 metadata: no `Author` field).
        assert_eq!(
            supplier_of("Author-email: Hynek Schlawack <hs@ox.cx>").as_deref(),
            Some("Person: Hynek Schlawack <hs@ox.cx>")
        );
        // typing_extensions 4.16.0: one quoted display name, commas inside.
        assert_eq!(
            supplier_of(
                "Author-email: \"Guido van Rossum, Jukka Lehtosalo, Łukasz Langa, Michael Lee\" <levkivskyi@gmail.com>"
            )
            .as_deref(),
            Some("Person: Guido van Rossum, Jukka Lehtosalo, Łukasz Langa, Michael Lee <levkivskyi@gmail.com>")
        );
        // A list: the first person listed, before the `Author` name field.
        assert_eq!(
            supplier_of(
                "Author: ignored\nAuthor-email: Jane Doe <jd@example.org>, John Roe <jr@example.org>"
            )
            .as_deref(),
            Some("Person: Jane Doe <jd@example.org>")
        );
    }

    #[test]
    fn author_and_a_bare_author_email_are_one_person() {
        // six 1.17.0 and python-dateutil 2.9.0.post0 (setuptools metadata).
        assert_eq!(
            supplier_of("Author: Benjamin Peterson\nAuthor-email: benjamin@python.org").as_deref(),
            Some("Person: Benjamin Peterson <benjamin@python.org>")
        );
        // Several bare addresses: which one is the author's is not recorded.
        assert_eq!(
            supplier_of("Author: A and B\nAuthor-email: a@example.org, b@example.org").as_deref(),
            Some("Person: A and B")
        );
        // An address alone stands for the author.
        assert_eq!(
            supplier_of("Author-email: a@example.org, b@example.org").as_deref(),
            Some("Person: a@example.org")
        );
        assert_eq!(
            supplier_of("Author: Kenneth Reitz").as_deref(),
            Some("Person: Kenneth Reitz")
        );
    }

    #[test]
    fn without_an_author_the_maintainer_supplies() {
        assert_eq!(
            supplier_of(
                "Author: UNKNOWN\nMaintainer: Paul Ganssle\nMaintainer-email: dateutil@python.org"
            )
            .as_deref(),
            Some("Person: Paul Ganssle <dateutil@python.org>")
        );
        assert_eq!(
            supplier_of("Maintainer-email: Python Packaging Authority <pypa-dev@googlegroups.com>")
                .as_deref(),
            Some("Person: Python Packaging Authority <pypa-dev@googlegroups.com>")
        );
        assert_eq!(supplier_of("Author: UNKNOWN\nAuthor-email: UNKNOWN"), None);
        assert_eq!(supplier_of("Home-page: https://x.example"), None);
    }

    #[test]
    fn metadata_paths_are_recognized() {
        assert!(is_metadata_path(
            "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA"
        ));
        assert!(is_metadata_path("opt/site-packages/foo-1.0.egg-info"));
        assert!(!is_metadata_path("opt/foo-1.0.dist-info/METADATA"));
    }
}
