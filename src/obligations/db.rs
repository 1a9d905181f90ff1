//! The obligations data: `license-db/obligations.json`, embedded and parsed once.
//!
//! The file says, for each license, exception and `LicenseRef-` our name tables produce,
//! its category and what it asks of whoever distributes binaries, with the clause that
//! says so (`basis`). Where each fact comes from is in `license-db/README.md`.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

pub use crate::model::obligations::{Category, Described, Glossary, GlossaryError};

/// What one license (or `LicenseRef-`) asks of a distributor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Its category.
    pub category: Category,
    /// Duty identifiers, in the data's duty order.
    pub duties: Vec<String>,
    /// The clauses the rule rests on.
    pub basis: String,
}

/// What an exception (`WITH …`) changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionRule {
    /// The heaviest category a license can have with this exception, if it lowers it.
    pub cap: Option<Category>,
    /// The clauses the rule rests on.
    pub basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDb {
    categories: Vec<Described>,
    duties: Vec<Described>,
    source_duties: Vec<String>,
    licenses: Vec<RawRule>,
    refs: Vec<RawRule>,
    exception_ref_suffix: String,
    exception_refs: Vec<String>,
    exceptions: Vec<RawException>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    ids: Vec<String>,
    category: Category,
    duties: Vec<String>,
    basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    ids: Vec<String>,
    cap: Option<Category>,
    basis: String,
}

/// The parsed obligations data.
#[derive(Debug)]
pub struct Db {
    /// Every category and duty with its explanation.
    pub glossary: Glossary,
    source_duties: BTreeSet<String>,
    licenses: HashMap<String, Rule>,
    exceptions: HashMap<String, ExceptionRule>,
    exception_ref_suffix: String,
    exception_refs: BTreeSet<String>,
}

/// Why obligations data is refused.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The text is not JSON of the expected shape.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    /// A rule names a duty the data does not define.
    #[error("{ids:?}: duty {duty:?} is not defined")]
    UndefinedDuty {
        /// The identifiers of the rule.
        ids: Vec<String>,
        /// The duty.
        duty: String,
    },
    /// A license identifier or `LicenseRef-` is in two rules.
    #[error("{id} has more than one rule")]
    DuplicateLicense {
        /// The identifier.
        id: String,
    },
    /// An exception identifier is in two rules.
    #[error("exception {id} has more than one rule")]
    DuplicateException {
        /// The identifier.
        id: String,
    },
    /// A source duty is not one of the duties.
    #[error("source duty {duty:?} is not defined")]
    UndefinedSourceDuty {
        /// The duty.
        duty: String,
    },
    /// The categories or duties cannot make a glossary.
    #[error("{0}")]
    Glossary(#[from] GlossaryError),
}

/// The embedded data file.
const DATA: &str = include_str!("../../license-db/obligations.json");

impl Db {
    /// Parses and checks the data: every category once and in order, every duty a rule
    /// names defined, every identifier in one rule only.
    pub fn parse(json: &str) -> Result<Db, DbError> {
        let raw: RawDb = serde_json::from_str(json)?;
        let duty_ids: Vec<&str> = raw.duties.iter().map(|d| d.id.as_str()).collect();
        let order = |d: &String| duty_ids.iter().position(|x| x == d);
        let mut licenses = HashMap::new();
        for r in raw.licenses.iter().chain(&raw.refs) {
            let mut duties = r.duties.clone();
            if let Some(d) = duties.iter().find(|d| order(d).is_none()) {
                return Err(DbError::UndefinedDuty {
                    ids: r.ids.clone(),
                    duty: d.clone(),
                });
            }
            duties.sort_by_key(order);
            duties.dedup();
            for id in &r.ids {
                let rule = Rule {
                    category: r.category,
                    duties: duties.clone(),
                    basis: r.basis.clone(),
                };
                if licenses.insert(id.to_ascii_lowercase(), rule).is_some() {
                    return Err(DbError::DuplicateLicense { id: id.clone() });
                }
            }
        }
        let mut exceptions = HashMap::new();
        for e in &raw.exceptions {
            for id in &e.ids {
                let rule = ExceptionRule {
                    cap: e.cap,
                    basis: e.basis.clone(),
                };
                if exceptions.insert(id.to_ascii_lowercase(), rule).is_some() {
                    return Err(DbError::DuplicateException { id: id.clone() });
                }
            }
        }
        if let Some(d) = raw.source_duties.iter().find(|d| order(d).is_none()) {
            return Err(DbError::UndefinedSourceDuty { duty: d.clone() });
        }
        Ok(Db {
            glossary: Glossary::new(raw.categories, raw.duties)?,
            source_duties: raw.source_duties.into_iter().collect(),
            licenses,
            exceptions,
            exception_ref_suffix: raw.exception_ref_suffix.to_ascii_lowercase(),
            exception_refs: raw
                .exception_refs
                .iter()
                .map(|r| r.to_ascii_lowercase())
                .collect(),
        })
    }

    /// The rule for a license identifier or `LicenseRef-` (case-insensitive).
    pub fn license(&self, id: &str) -> Option<&Rule> {
        self.licenses.get(&id.to_ascii_lowercase())
    }

    /// The rule for an exception identifier (case-insensitive).
    pub fn exception(&self, id: &str) -> Option<&ExceptionRule> {
        self.exceptions.get(&id.to_ascii_lowercase())
    }

    /// Whether `id` is a `LicenseRef-` that stands for an exception written as an `AND`
    /// term (SPDX allows only listed exceptions after `WITH`, so the name tables write
    /// `GPL-2.0-or-later AND LicenseRef-Autoconf-exception`): one listed in the data, or
    /// any `LicenseRef-` whose name ends with the data's exception suffix.
    pub fn is_exception_ref(&self, id: &str) -> bool {
        let id = id.to_ascii_lowercase();
        self.exception_refs.contains(&id)
            || (id.starts_with("licenseref-")
                && !self.exception_ref_suffix.is_empty()
                && id.ends_with(&self.exception_ref_suffix))
    }

    /// Whether a duty asks for source code to be made available or pointed to.
    pub fn is_source_duty(&self, duty: &str) -> bool {
        self.source_duties.contains(duty)
    }

    /// The position of a duty in the data's order (unknown duties last).
    pub fn duty_order(&self, id: &str) -> usize {
        self.glossary
            .duties()
            .iter()
            .position(|d| d.id == id)
            .unwrap_or(usize::MAX)
    }
}

/// The embedded data, parsed on first use.
pub fn db() -> &'static Db {
    static DB: OnceLock<Db> = OnceLock::new();
    DB.get_or_init(|| {
        // The file is part of the program, checked by `the_embedded_data_is_valid`.
        Db::parse(DATA).unwrap_or_else(|e| panic!("license-db/obligations.json: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_data_is_valid() {
        let db = Db::parse(DATA).unwrap();
        assert_eq!(db.glossary.categories().len(), Category::ALL.len());
        assert_eq!(
            db.glossary.category(Category::NonFree).id,
            Category::NonFree.as_str()
        );
    }

    #[test]
    fn every_id_is_on_the_spdx_list_or_a_license_ref() {
        let raw: RawDb = serde_json::from_str(DATA).unwrap();
        for r in &raw.licenses {
            for id in &r.ids {
                assert!(
                    spdx::license_id(id).is_some(),
                    "{id} is not an SPDX license id"
                );
            }
        }
        for r in &raw.refs {
            for id in &r.ids {
                assert!(id.starts_with("LicenseRef-"), "{id}");
            }
        }
        for e in &raw.exceptions {
            for id in &e.ids {
                assert!(
                    spdx::exception_id(id).is_some(),
                    "{id} is not an SPDX exception"
                );
            }
        }
    }

    #[test]
    fn lookups_ignore_case_and_duties_follow_the_data_order() {
        let db = db();
        let gpl = db.license("gpl-2.0-OR-LATER").unwrap();
        assert_eq!(gpl.category, Category::StrongCopyleft);
        assert_eq!(
            gpl.duties,
            [
                "license-text",
                "copyright-notices",
                "state-changes",
                "source-offer"
            ]
        );
        assert!(db.is_source_duty("source-offer"));
        assert!(!db.is_source_duty("license-text"));
        assert_eq!(
            db.exception("GCC-exception-3.1").unwrap().cap,
            Some(Category::WeakCopyleft)
        );
        assert!(db.is_exception_ref("LicenseRef-OpenSSL-exception"));
        assert!(db.is_exception_ref("LicenseRef-Bison-2.2-exception"));
        assert!(!db.is_exception_ref("LicenseRef-exceptional-license"));
        assert!(!db.is_exception_ref("Autoconf-exception"));
    }

    #[test]
    fn bad_data_is_refused() {
        let ok = DATA.to_string();
        assert!(matches!(
            Db::parse(&ok.replacen("\"public-domain\"", "\"pd\"", 1)),
            Err(DbError::Glossary(GlossaryError::Categories { .. }))
        ));
        let twice = ok.replacen(
            "\"ids\": [\"MIT\",",
            "\"ids\": [\"GPL-2.0-only\", \"MIT\",",
            1,
        );
        assert_eq!(
            Db::parse(&twice).unwrap_err().to_string(),
            "GPL-2.0-only has more than one rule"
        );
        let undefined = ok.replacen("\"duties\": [\"state-changes\"]", "\"duties\": [\"x\"]", 1);
        let e = Db::parse(&undefined).unwrap_err();
        assert!(
            matches!(&e, DbError::UndefinedDuty { duty, .. } if duty == "x"),
            "{e:?}"
        );
        assert!(
            e.to_string().ends_with(": duty \"x\" is not defined"),
            "{e}"
        );
    }

    #[test]
    fn categories_parse_from_their_names() {
        assert_eq!(
            "Strong-Copyleft".parse::<Category>(),
            Ok(Category::StrongCopyleft)
        );
        assert_eq!(
            " copyleft ".parse::<Category>().unwrap_err().to_string(),
            "unknown category \"copyleft\" (available: public-domain, permissive, \
             weak-copyleft, strong-copyleft, network-copyleft, non-free, unknown)"
        );
    }
}
