//! License names as language ecosystems write them, mapped to SPDX without guessing.
//!
//! Most language metadata carries an SPDX expression already (PEP 639
//! `License-Expression`, npm `license`, composer and gem licenses); those are validated
//! with the `spdx` crate and passed through (deprecated ids become their current form).
//! Free-text names (`License: MIT License`, pom.xml `<name>`), Python trove classifiers and
//! license URLs map through `license-db/lang.json`; a name found nowhere maps to nothing,
//! and the caller says so in its reason.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::license::names::{self, Dialect};

/// The table in `license-db/lang.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    names: HashMap<String, String>,
    classifiers: HashMap<String, Option<String>>,
    urls: HashMap<String, String>,
}

const LANG_JSON: &str = include_str!("../../../license-db/lang.json");

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

/// Joins SPDX expressions with `op` (`OR`, `AND`), parenthesizing compound ones.
pub fn join(exprs: &[String], op: &str) -> Option<String> {
    let mut unique: Vec<&String> = Vec::new();
    for e in exprs {
        if !unique.contains(&e) {
            unique.push(e);
        }
    }
    match unique.as_slice() {
        [] => None,
        [one] => Some((*one).clone()),
        many => Some(
            many.iter()
                .map(|e| {
                    if e.contains(' ') {
                        format!("({e})")
                    } else {
                        (*e).clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(&format!(" {op} ")),
        ),
    }
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

    #[test]
    fn joins_parenthesize_compound_terms() {
        assert_eq!(
            join(&["MIT".into(), "A OR B".into(), "MIT".into()], "AND").as_deref(),
            Some("MIT AND (A OR B)")
        );
    }
}
