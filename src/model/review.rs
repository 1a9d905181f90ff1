//! What reviewers decided and keep in the configuration file (`[review]` in
//! `layerbom.toml`), so that every scan and every conversion applies it: license
//! conclusions for packages the evidence does not settle, licenses the organization accepts
//! whatever their category, and findings a person looked at and acknowledged. Each entry
//! carries the reason and the reviewer's name, and enters the documents with them.
//!
//! The conventions are cargo-about's `about.toml` (`accepted` licenses, `clarify` for one
//! crate's license) and trivy's ignore file (one finding by id and path, with a comment).

use serde::{Deserialize, Serialize};

/// The reviewers' decisions, as the `[review]` table of the configuration file holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// `[[review.license]]`: a package's license, concluded by a person.
    #[serde(default, rename = "license")]
    pub licenses: Vec<LicenseDecision>,
    /// `[[review.accept]]`: licenses no `--fail-on` category refuses.
    #[serde(default, rename = "accept")]
    pub accepted: Vec<Accepted>,
    /// `[[review.acknowledge]]`: findings a person looked at.
    #[serde(default, rename = "acknowledge")]
    pub acknowledged: Vec<Acknowledgement>,
}

impl Review {
    /// Whether there is no decision at all.
    pub fn is_empty(&self) -> bool {
        self.licenses.is_empty() && self.accepted.is_empty() && self.acknowledged.is_empty()
    }
}

/// Who decided, and why: every decision carries both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reviewed {
    /// Why, in the reviewer's words.
    pub reason: String,
    /// The reviewer's name (and address).
    pub reviewer: String,
}

/// A package's license as a reviewer concluded it: the package named by its purl, or by
/// name and (optionally) version.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseDecision {
    /// The package's purl; without qualifiers it matches the purl whatever its qualifiers.
    #[serde(default)]
    pub purl: Option<String>,
    /// The package's name, when no purl is given.
    #[serde(default)]
    pub name: Option<String>,
    /// The package's version, with `name`; without it every version matches.
    #[serde(default)]
    pub version: Option<String>,
    /// The concluded license, an SPDX expression.
    pub license: String,
    /// Why.
    pub reason: String,
    /// Who.
    pub reviewer: String,
}

impl LicenseDecision {
    /// What the entry names, as the unused-entry finding says it.
    pub fn target(&self) -> String {
        match (&self.purl, &self.name, &self.version) {
            (Some(purl), _, _) => purl.clone(),
            (None, Some(name), Some(version)) => format!("{name} {version}"),
            (None, Some(name), None) => name.clone(),
            (None, None, _) => String::new(),
        }
    }
}

/// A license the organization accepts: `--fail-on` does not refuse a term under it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    /// An SPDX license or exception identifier, or a license family (`GPL-2.0`), as
    /// `--deny` takes them.
    pub license: String,
    /// Why.
    pub reason: String,
    /// Who.
    pub reviewer: String,
}

/// Findings of one kind, and optionally one path, that a person looked at: they stay in
/// the documents, marked acknowledged, and no longer weigh on the verdict or the policy.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    /// The finding kind's stable name (`deleted-secret`).
    pub kind: String,
    /// The finding's path, as the documents write it (`root/.netrc`); without it every
    /// finding of the kind.
    #[serde(default)]
    pub path: Option<String>,
    /// Why.
    pub reason: String,
    /// Who.
    pub reviewer: String,
}
