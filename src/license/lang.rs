//! Licenses as language ecosystems declare them, concluded without guessing.
//!
//! Most language metadata carries an SPDX expression already (PEP 639
//! `License-Expression`, npm `license`, composer and gem licenses); those are validated
//! with the `spdx` crate and passed through (deprecated ids become their current form).
//! Free-text names (`License: MIT License`, pom.xml `<name>`), Python trove classifiers and
//! license URLs map through `license-db/lang.json`; a name found nowhere maps to nothing,
//! and the conclusion says so in its reason. Several licenses without a stated relation
//! (two classifiers, a gemspec or pom listing two) are not combined. A Python distribution
//! whose metadata concludes nothing is concluded from its license files' texts, when they
//! match exactly one SPDX license.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::names::{self, Dialect};
use super::text;
use crate::catalog::Declared;
use crate::model::{Concluded, Evidence, License};
use crate::overlay::Overlay;
use crate::scan::Content;

/// The table in `license-db/lang.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    names: HashMap<String, String>,
    classifiers: HashMap<String, Option<String>>,
    urls: HashMap<String, String>,
}

const LANG_JSON: &str = include_str!("../../license-db/lang.json");

/// The table with every key lower-cased.
fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        // Compiled-in data checked by the tests below: failing here is a build defect.
        let raw: Table = serde_json::from_str(LANG_JSON)
            .unwrap_or_else(|e| panic!("license-db/lang.json is not valid: {e}"));
        let lower = |m: HashMap<String, String>| {
            m.into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect()
        };
        Table {
            names: lower(raw.names),
            classifiers: raw
                .classifiers
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
            urls: lower(raw.urls),
        }
    })
}

/// What a license name maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// A valid SPDX expression.
    Spdx(String),
    /// Nothing: neither SPDX nor a name in the table.
    Unknown,
}

/// The most bytes of a license string considered.
const MAX_LICENSE: usize = 4096;

/// `raw` as a valid SPDX expression (deprecated ids and GNU `+` accepted and rewritten as
/// the SPDX list defines them), or `None`.
pub fn spdx_expression(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_LICENSE {
        return None;
    }
    let mode = spdx::ParseMode {
        allow_deprecated: true,
        allow_postfix_plus_on_gpl: true,
        ..spdx::ParseMode::STRICT
    };
    spdx::Expression::parse_mode(raw, mode).ok()?;
    names::normalize(raw, Dialect::Rpm).expression
}

/// A license name: SPDX when it is, else the table's names.
pub fn map_name(raw: &str) -> Mapped {
    let raw = raw.trim();
    if let Some(e) = spdx_expression(raw) {
        return Mapped::Spdx(e);
    }
    match table().names.get(&raw.to_ascii_lowercase()) {
        Some(e) => Mapped::Spdx(e.clone()),
        None => Mapped::Unknown,
    }
}

/// A Python `License :: …` trove classifier, when it names exactly one SPDX license.
pub fn map_classifier(raw: &str) -> Option<String> {
    table()
        .classifiers
        .get(&raw.trim().to_ascii_lowercase())
        .cloned()
        .flatten()
}

/// A license URL (scheme, `www.` and trailing `/` ignored), when the table knows it.
pub fn map_url(raw: &str) -> Option<String> {
    let u = raw.trim();
    let u = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .unwrap_or(u);
    let u = u.strip_prefix("www.").unwrap_or(u).trim_end_matches('/');
    table().urls.get(&u.to_ascii_lowercase()).cloned()
}

/// The lowest text-match score accepted as evidence.
const TEXT_MATCH_MIN: f32 = 0.9;

/// A conclusion resting on one declaration.
fn from(
    declared: Option<String>,
    expression: String,
    path: &str,
    layer: usize,
    method: &str,
    confidence: f64,
) -> License {
    License {
        declared,
        declared_spdx: Some(expression.clone()),
        concluded: Concluded::expression(
            expression,
            vec![Evidence {
                path: path.to_string(),
                layer,
                method: method.to_string(),
                confidence,
                lines: Vec::new(),
                excluded: Vec::new(),
                reviewed: None,
            }],
        ),
        texts: Default::default(),
    }
}

/// The license a language package declares in `declared`, read at `path` in `layer`; the
/// files a Python distribution names are read through `overlay` as of `as_of` when its
/// metadata concludes nothing.
pub fn conclude(
    declared: &Declared,
    path: &str,
    layer: usize,
    overlay: &Overlay,
    as_of: usize,
) -> License {
    match declared {
        Declared::Python {
            expression,
            license,
            classifiers,
            files,
        } => {
            let c = python(expression, license, classifiers, path, layer);
            if matches!(c.concluded, Concluded::NoAssertion { .. }) && !files.is_empty() {
                license_files(c, files, overlay, as_of)
            } else {
                c
            }
        }
        Declared::Npm { license, legacy } => npm(license.as_deref(), legacy, path, layer),
        Declared::Gemspec(licenses) => gemspec(licenses, path, layer),
        Declared::Composer(licenses) => composer(licenses, path, layer),
        Declared::Maven {
            names,
            urls,
            pom,
            bundle,
        } => maven(names, urls, pom, bundle.as_ref(), path, layer),
        Declared::Rpm(_) | Declared::RpmSpdx(_) | Declared::Apk(_) => License::none(
            None,
            format!("/{path}: not a language package's declaration"),
        ),
    }
}

/// Python core metadata: `License-Expression` (PEP 639), else `License`, else one license
/// classifier.
fn python(
    expression: &Option<String>,
    license: &Option<String>,
    classifiers: &[String],
    path: &str,
    layer: usize,
) -> License {
    if let Some(raw) = expression {
        return match spdx_expression(raw) {
            Some(e) => from(
                Some(raw.clone()),
                e,
                path,
                layer,
                "pep639-license-expression",
                1.0,
            ),
            None => License::none(
                Some(raw.clone()),
                format!("/{path}: License-Expression {raw:?} is not a valid SPDX expression"),
            ),
        };
    }
    let mut reasons = Vec::new();
    if let Some(raw) = license {
        match map_name(raw) {
            Mapped::Spdx(e) => {
                return from(
                    Some(raw.clone()),
                    e,
                    path,
                    layer,
                    "python-license-field",
                    0.9,
                )
            }
            Mapped::Unknown => reasons.push(format!(
                "the License field {raw:?} names no license that maps to SPDX"
            )),
        }
    }
    let declared = license
        .clone()
        .or_else(|| (!classifiers.is_empty()).then(|| classifiers.join("; ")));
    match classifiers {
        [] => reasons.push("no license classifier".into()),
        [one] => match map_classifier(one) {
            Some(e) => return from(declared, e, path, layer, "python-classifier", 0.8),
            None => reasons.push(format!(
                "the classifier {one:?} does not name one SPDX license"
            )),
        },
        several => reasons.push(format!(
            "{} license classifiers, which do not say whether they apply together or as a choice",
            several.len()
        )),
    }
    License::none(
        declared,
        format!("/{path} has no License-Expression; {}", reasons.join("; ")),
    )
}

/// The one license a Python distribution's license files' texts match, when its metadata
/// concluded nothing (`c`).
fn license_files(mut c: License, files: &[String], overlay: &Overlay, as_of: usize) -> License {
    let mut found: Vec<(String, Evidence)> = Vec::new();
    let mut too_large: Vec<String> = Vec::new();
    for f in files {
        let Ok(Some(file)) = overlay.read(f, as_of) else {
            continue;
        };
        let bytes = match file.content {
            Some(Content::Data(bytes)) => bytes,
            Some(Content::TooLarge { size, limit }) => {
                too_large.push(format!(
                    "/{} ({size} bytes, over the {limit}-byte limit)",
                    file.path
                ));
                continue;
            }
            None => continue,
        };
        for m in text::identify(&String::from_utf8_lossy(bytes), TEXT_MATCH_MIN) {
            if let Some(e) = names::normalize(&m.spdx, Dialect::Rpm).expression {
                if !found.iter().any(|(x, _)| *x == e) {
                    found.push((
                        e,
                        Evidence {
                            path: file.path.to_string(),
                            layer: file.layer,
                            method: "text-match".into(),
                            confidence: f64::from(m.confidence),
                            lines: Vec::new(),
                            excluded: Vec::new(),
                            reviewed: None,
                        },
                    ));
                }
            }
        }
    }
    let why = c.concluded.reason().unwrap_or_default().to_string();
    c.concluded = match found.len() {
        0 if !too_large.is_empty() => Concluded::none(format!(
            "{why}; its license files were not read: {}",
            too_large.join(", ")
        )),
        0 => Concluded::none(format!(
            "{why}; its license files match no SPDX license text with a score of {TEXT_MATCH_MIN} or more"
        )),
        1 => {
            let (e, ev) = found.remove(0);
            Concluded::expression(e, vec![ev])
        }
        n => {
            let names: Vec<&str> = found.iter().map(|(e, _)| e.as_str()).collect();
            Concluded::none(format!(
                "{why}; its license files hold {n} license texts ({}), and nothing says whether they apply together or as a choice",
                names.join(", ")
            ))
        }
    };
    c
}

/// npm: the `license` field (an SPDX expression; `SEE LICENSE IN …` and `UNLICENSED` are
/// not licenses), else the legacy `licenses` array as a choice.
fn npm(license: Option<&str>, legacy: &[String], path: &str, layer: usize) -> License {
    if let Some(raw) = license {
        let raw = raw.to_string();
        let upper = raw.trim().to_ascii_uppercase();
        if upper.starts_with("SEE LICENSE IN") || upper.starts_with("SEE LICENCE IN") {
            return License::none(
                Some(raw.clone()),
                format!(
                    "/{path}: the license is only a file reference ({raw:?}), not an expression"
                ),
            );
        }
        if upper == "UNLICENSED" {
            return License::none(
                Some(raw.clone()),
                format!("/{path}: UNLICENSED means the package grants no license"),
            );
        }
        return match spdx_expression(&raw) {
            Some(e) => from(Some(raw), e, path, layer, "npm-license-field", 0.9),
            None => match map_name(&raw) {
                Mapped::Spdx(e) => from(Some(raw), e, path, layer, "npm-license-field", 0.8),
                Mapped::Unknown => License::none(
                    Some(raw.clone()),
                    format!("/{path}: the license {raw:?} is not an SPDX expression and names no known license"),
                ),
            },
        };
    }
    if legacy.is_empty() {
        return License::none(None, format!("/{path} has no license field"));
    }
    let declared = legacy.join(", ");
    let mut mapped = Vec::new();
    for raw in legacy {
        match map_name(raw) {
            Mapped::Spdx(e) => mapped.push(e),
            Mapped::Unknown => {
                return License::none(
                    Some(declared.clone()),
                    format!("/{path}: the legacy licenses entry {raw:?} names no known license"),
                )
            }
        }
    }
    match names::combine(&mapped, "OR") {
        Some(e) => from(Some(declared), e, path, layer, "npm-legacy-licenses", 0.7),
        None => License::none(Some(declared), format!("/{path} has no license")),
    }
}

/// A gemspec's licenses: one name.
fn gemspec(licenses: &[String], path: &str, layer: usize) -> License {
    match licenses {
        [] => License::none(None, format!("/{path} declares no license")),
        [one] => match map_name(one) {
            Mapped::Spdx(e) => from(Some(one.clone()), e, path, layer, "gemspec-license", 0.9),
            Mapped::Unknown => License::none(
                Some(one.clone()),
                format!("/{path}: the license {one:?} is not SPDX and names no known license"),
            ),
        },
        several => License::none(
            Some(several.join(", ")),
            format!(
                "/{path} lists {} licenses, and a gemspec does not say whether they apply together or as a choice",
                several.len()
            ),
        ),
    }
}

/// Composer's license array: a choice (`OR`) of names.
fn composer(raw: &[String], path: &str, layer: usize) -> License {
    if raw.is_empty() {
        return License::none(None, format!("/{path}: the package's entry has no license"));
    }
    let declared = raw.join(", ");
    let mut mapped = Vec::new();
    for r in raw {
        match map_name(r) {
            Mapped::Spdx(e) => mapped.push(e),
            Mapped::Unknown => {
                return License::none(
                    Some(declared),
                    format!("/{path}: the license {r:?} is not SPDX and names no known license"),
                )
            }
        }
    }
    match names::combine(&mapped, "OR") {
        Some(e) => from(Some(declared), e, path, layer, "composer-license", 0.9),
        None => License::none(Some(declared), format!("/{path}: no license")),
    }
}

/// A Maven artifact: its pom.xml license names (or URLs), else the archive's
/// `Bundle-License`.
fn maven(
    names: &[String],
    urls: &[String],
    pom: &str,
    bundle: Option<&(String, String)>,
    path: &str,
    layer: usize,
) -> License {
    if !names.is_empty() || !urls.is_empty() {
        let declared = names
            .iter()
            .chain(urls)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        let count = names.len().max(urls.len());
        let mut mapped = Vec::new();
        for i in 0..count {
            let by_name = names.get(i).and_then(|n| match map_name(n) {
                Mapped::Spdx(e) => Some(e),
                Mapped::Unknown => None,
            });
            match by_name.or_else(|| urls.get(i).and_then(|u| map_url(u))) {
                Some(e) => mapped.push(e),
                None => {
                    return License::none(
                        Some(declared),
                        format!(
                            "/{pom}: license {} maps to no SPDX license by name or URL",
                            i + 1
                        ),
                    )
                }
            }
        }
        if count > 1 {
            return License::none(
                Some(declared),
                format!("/{pom} lists {count} licenses, and a pom does not say whether they apply together or as a choice"),
            );
        }
        if let Some(e) = mapped.pop() {
            return from(Some(declared), e, pom, layer, "pom-license", 0.8);
        }
    }
    if let Some((raw, manifest)) = bundle {
        if let Some(e) = spdx_expression(raw) {
            return from(Some(raw.clone()), e, manifest, layer, "bundle-license", 0.8);
        }
    }
    License::none(
        None,
        format!("/{path}: the artifact's pom.xml names no license and the manifest has no SPDX Bundle-License"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_target_is_valid_spdx() {
        let t = table();
        let targets = t
            .names
            .values()
            .chain(t.urls.values())
            .chain(t.classifiers.values().flatten());
        for e in targets {
            assert!(
                spdx::Expression::parse_mode(e, spdx::ParseMode::STRICT).is_ok(),
                "{e}"
            );
        }
    }

    #[test]
    fn spdx_passes_through_and_names_map() {
        assert_eq!(
            spdx_expression("(MIT OR Apache-2.0)").as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(
            spdx_expression("GPL-2.0+").as_deref(),
            Some("GPL-2.0-or-later")
        );
        assert_eq!(spdx_expression("SEE LICENSE IN LICENSE.txt"), None);
        assert_eq!(map_name("MIT License"), Mapped::Spdx("MIT".into()));
        assert_eq!(map_name("Dual License"), Mapped::Unknown);
        assert_eq!(
            map_classifier("License :: OSI Approved :: MIT License").as_deref(),
            Some("MIT")
        );
        assert_eq!(
            map_classifier("License :: OSI Approved :: BSD License"),
            None
        );
        assert_eq!(
            map_url("https://www.apache.org/licenses/LICENSE-2.0.txt").as_deref(),
            Some("Apache-2.0")
        );
    }

    fn npm_of(license: Option<&str>, legacy: &[&str]) -> License {
        let legacy: Vec<String> = legacy.iter().map(|s| s.to_string()).collect();
        npm(license, &legacy, "node_modules/x/package.json", 0)
    }

    #[test]
    fn npm_legacy_licenses_are_a_choice() {
        let l = npm_of(None, &["AFLv2.1", "BSD-3-Clause"]);
        assert_eq!(l.concluded.as_str(), "AFL-2.1 OR BSD-3-Clause");
        assert_eq!(l.concluded.evidence()[0].method, "npm-legacy-licenses");
        let l = npm_of(None, &["AFLv2.1", "BSD"]);
        assert_eq!(l.concluded.as_str(), "NOASSERTION");
        assert!(l.concluded.reason().unwrap().contains("\"BSD\""));
    }

    #[test]
    fn an_npm_file_reference_is_not_a_license() {
        let l = npm_of(Some("SEE LICENSE IN LICENSE.md"), &[]);
        assert_eq!(l.concluded.as_str(), "NOASSERTION");
        assert_eq!(l.declared.as_deref(), Some("SEE LICENSE IN LICENSE.md"));
        assert_eq!(npm_of(Some("ISC"), &[]).concluded.as_str(), "ISC");
    }

    fn python_of(expression: Option<&str>, license: Option<&str>, classifiers: &[&str]) -> License {
        let c: Vec<String> = classifiers.iter().map(|s| s.to_string()).collect();
        python(
            &expression.map(str::to_string),
            &license.map(str::to_string),
            &c,
            "site-packages/x-1.dist-info/METADATA",
            0,
        )
    }

    #[test]
    fn python_license_expression_wins_and_free_text_maps_through_the_table() {
        let l = python_of(Some("MIT"), Some("GPL"), &[]);
        assert_eq!(l.concluded.as_str(), "MIT");
        assert_eq!(
            l.concluded.evidence()[0].method,
            "pep639-license-expression"
        );
        let l = python_of(None, Some("MIT"), &[]);
        assert_eq!(l.concluded.evidence()[0].method, "python-license-field");
    }

    #[test]
    fn one_python_classifier_concludes_and_several_do_not() {
        let l = python_of(None, None, &["License :: OSI Approved :: MIT License"]);
        assert_eq!(l.concluded.as_str(), "MIT");
        assert_eq!(l.concluded.evidence()[0].method, "python-classifier");
        let l = python_of(
            None,
            Some("Dual License"),
            &[
                "License :: OSI Approved :: BSD License",
                "License :: OSI Approved :: Apache Software License",
            ],
        );
        assert_eq!(l.concluded.as_str(), "NOASSERTION");
        assert_eq!(l.declared.as_deref(), Some("Dual License"));
        assert!(l
            .concluded
            .reason()
            .unwrap()
            .contains("2 license classifiers"));
    }

    #[test]
    fn several_gemspec_licenses_are_not_combined_by_guess() {
        let l = gemspec(&["Ruby".into(), "BSD-2-Clause".into()], "x.gemspec", 0);
        assert_eq!(l.concluded.as_str(), "NOASSERTION");
        assert_eq!(l.declared.as_deref(), Some("Ruby, BSD-2-Clause"));
        let l = composer(
            &["LGPL-2.1-only".into(), "GPL-3.0-or-later".into()],
            "i.json",
            3,
        );
        assert_eq!(l.concluded.as_str(), "LGPL-2.1-only OR GPL-3.0-or-later");
    }

    #[test]
    fn a_pom_license_name_concludes_with_the_pom_as_evidence() {
        let l = maven(
            &["The Apache Software License, Version 2.0".into()],
            &[],
            "opt/app/greet.jar!/META-INF/maven/com.example/greet/pom.xml",
            None,
            "opt/app/greet.jar",
            2,
        );
        assert_eq!(l.concluded.as_str(), "Apache-2.0");
        assert_eq!(
            l.concluded.evidence()[0].path,
            "opt/app/greet.jar!/META-INF/maven/com.example/greet/pom.xml"
        );
    }
}
