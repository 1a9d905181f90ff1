//! The reviewers' decisions (`[review]` of the configuration file), applied to a report:
//! a package's license concluded by a person, with method `reviewer` and the reason and the
//! name as its evidence; findings acknowledged, which stay in the documents marked so; and
//! every entry that applies to nothing reported, so that stale decisions do not pile up.
//! Accepted licenses act in the policy (`obligations::policy`); here they are only checked
//! for use.
//!
//! Applying the same decisions again gives the same report, so `convert` with the
//! configuration of the scan writes what the scan wrote.

use crate::model::review::{Acknowledgement, LicenseDecision, Review, Reviewed};
use crate::model::{Concluded, Evidence, Finding, FindingKind, Package, Report};

/// The evidence method of a reviewer's conclusion.
pub const METHOD: &str = "reviewer";

/// Why a decision cannot be used: its table, position (from 1) and what is wrong.
pub fn check(review: &Review) -> Result<(), String> {
    let empty = |table: &str, i: usize, what: &str, value: &str| match value.trim().is_empty() {
        true => Err(format!("review.{table} #{}: {what} is empty", i + 1)),
        false => Ok(()),
    };
    for (i, d) in review.licenses.iter().enumerate() {
        empty("license", i, "reason", &d.reason)?;
        empty("license", i, "reviewer", &d.reviewer)?;
        match (&d.purl, &d.name) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "review.license #{}: name the package by purl or by name, not both",
                    i + 1
                ))
            }
            (None, None) => {
                return Err(format!(
                    "review.license #{}: name the package by purl, or by name (and version)",
                    i + 1
                ))
            }
            (Some(purl), None) if !purl.starts_with("pkg:") || d.version.is_some() => {
                return Err(format!(
                    "review.license #{}: purl {purl:?} must begin with pkg: and carry the \
                     version itself",
                    i + 1
                ))
            }
            _ => {}
        }
        if crate::license::lang::spdx_expression(&d.license).is_none() {
            return Err(format!(
                "review.license #{}: license {:?} is not a valid SPDX expression",
                i + 1,
                d.license
            ));
        }
    }
    for (i, a) in review.accepted.iter().enumerate() {
        empty("accept", i, "reason", &a.reason)?;
        empty("accept", i, "reviewer", &a.reviewer)?;
        crate::model::obligations::Policy::canonical_deny_id(&a.license).map_err(|_| {
            format!(
                "review.accept #{}: license {:?} is not an SPDX license or exception \
                     identifier, a license family such as GPL-2.0, or a LicenseRef-",
                i + 1,
                a.license
            )
        })?;
    }
    for (i, a) in review.acknowledged.iter().enumerate() {
        empty("acknowledge", i, "reason", &a.reason)?;
        empty("acknowledge", i, "reviewer", &a.reviewer)?;
        empty("acknowledge", i, "kind", &a.kind)?;
    }
    Ok(())
}

/// Applies `review`, read from the file named `file` (as the evidence names it), to
/// `report`. Without any decision the report is left as it is, so a document read back
/// keeps the decisions it was made with.
pub fn apply(report: &mut Report, review: &Review, file: &str) {
    if review.is_empty() {
        return;
    }
    report
        .findings
        .retain(|f| !matches!(f.kind, FindingKind::ReviewUnused { .. }));
    let mut unused = Vec::new();
    for (i, d) in review.licenses.iter().enumerate() {
        let Some(expression) = crate::license::lang::spdx_expression(&d.license) else {
            continue;
        };
        let mut used = false;
        for p in report.packages.iter_mut().filter(|p| names(d, p)) {
            p.license.concluded = Concluded::expression(
                expression.clone(),
                vec![Evidence {
                    path: file.to_string(),
                    layer: p.layer.index,
                    method: METHOD.to_string(),
                    confidence: 1.0,
                    lines: Vec::new(),
                    excluded: Vec::new(),
                    reviewed: Some(Reviewed {
                        reason: d.reason.clone(),
                        reviewer: d.reviewer.clone(),
                    }),
                }],
            );
            used = true;
        }
        if !used {
            unused.push(("license", i, d.target()));
        }
    }
    for (i, a) in review.accepted.iter().enumerate() {
        let used = report.packages.iter().any(|p| match &p.license.concluded {
            Concluded::Expression { expression, .. } => {
                identifiers(expression).any(|id| crate::obligations::policy::denies(&a.license, id))
            }
            Concluded::NoAssertion { .. } => false,
        });
        if !used {
            unused.push(("accept", i, a.license.clone()));
        }
    }
    for f in &mut report.findings {
        f.acknowledged = None;
    }
    for (i, a) in review.acknowledged.iter().enumerate() {
        let mut used = false;
        for f in report.findings.iter_mut().filter(|f| acknowledges(a, f)) {
            f.acknowledged = Some(Reviewed {
                reason: a.reason.clone(),
                reviewer: a.reviewer.clone(),
            });
            used = true;
        }
        if !used {
            let target = match &a.path {
                Some(path) => format!("{} at {path}", a.kind),
                None => a.kind.clone(),
            };
            unused.push(("acknowledge", i, target));
        }
    }
    for (table, i, target) in unused {
        report
            .findings
            .push(Finding::new(FindingKind::ReviewUnused {
                table: table.to_string(),
                entry: i + 1,
                target,
            }));
    }
}

/// Whether decision `d` names package `p`.
fn names(d: &LicenseDecision, p: &Package) -> bool {
    match (&d.purl, &d.name) {
        (Some(purl), _) if purl.contains('?') => *purl == p.purl,
        (Some(purl), _) => p.purl.split('?').next() == Some(purl.as_str()),
        (None, Some(name)) => *name == p.name && d.version.as_ref().is_none_or(|v| *v == p.version),
        (None, None) => false,
    }
}

/// Whether acknowledgement `a` covers finding `f`: its kind, and its path when one is
/// given (a leading `/` or not).
fn acknowledges(a: &Acknowledgement, f: &Finding) -> bool {
    let trim = |p: &str| p.trim_start_matches('/').to_string();
    a.kind == f.kind.name()
        && !matches!(f.kind, FindingKind::ReviewUnused { .. })
        && a.path
            .as_deref()
            .is_none_or(|want| f.path.as_deref().is_some_and(|p| trim(p) == trim(want)))
}

/// The license and exception identifiers of a normalized SPDX expression.
fn identifiers(expression: &str) -> impl Iterator<Item = &str> {
    expression
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| !t.is_empty() && !matches!(*t, "AND" | "OR" | "WITH"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::review::Accepted;
    use crate::model::testutil::{deb, report};
    use crate::model::Origin;

    fn decided(reviewer: &str) -> Reviewed {
        Reviewed {
            reason: "looked".into(),
            reviewer: reviewer.into(),
        }
    }

    #[test]
    fn applying_twice_gives_the_same_report_and_unused_entries_once() {
        let mut r = report(&[Origin::Base]);
        r.packages = vec![deb(
            "zlib1g",
            "1:1.2",
            ("zlib", "1:1.2"),
            0,
            Origin::Base,
            "Zlib",
        )];
        let mut f = Finding::new(FindingKind::NoPackages { entries: 3 });
        f.path = Some("/etc/x".into());
        r.findings.push(f);
        let review = Review {
            licenses: vec![LicenseDecision {
                purl: None,
                name: Some("zlib1g".into()),
                version: Some("1:1.2".into()),
                license: "Zlib".into(),
                reason: "looked".into(),
                reviewer: "J".into(),
            }],
            accepted: vec![Accepted {
                license: "MIT".into(),
                reason: "r".into(),
                reviewer: "J".into(),
            }],
            acknowledged: vec![Acknowledgement {
                kind: "no-packages".into(),
                path: Some("etc/x".into()),
                reason: "looked".into(),
                reviewer: "K".into(),
            }],
        };
        assert_eq!(check(&review), Ok(()));
        apply(&mut r, &review, "layerbom.toml");
        let once = serde_json::to_string(&r).unwrap();
        apply(&mut r, &review, "layerbom.toml");
        assert_eq!(serde_json::to_string(&r).unwrap(), once);
        assert_eq!(r.packages[0].license.concluded.as_str(), "Zlib");
        assert_eq!(
            r.packages[0].license.concluded.reviewed().as_deref(),
            Some("concluded by reviewer J: looked")
        );
        assert_eq!(r.findings[0].acknowledged, Some(decided("K")));
        let unused: Vec<&FindingKind> = r
            .findings
            .iter()
            .map(|f| &f.kind)
            .filter(|k| matches!(k, FindingKind::ReviewUnused { .. }))
            .collect();
        assert_eq!(
            unused,
            [&FindingKind::ReviewUnused {
                table: "accept".into(),
                entry: 1,
                target: "MIT".into()
            }]
        );
        // No decisions: the report is kept as it is, acknowledgements included.
        apply(&mut r, &Review::default(), "layerbom.toml");
        assert_eq!(serde_json::to_string(&r).unwrap(), once);
    }

    #[test]
    fn a_purl_without_qualifiers_matches_any_and_one_with_them_only_itself() {
        let mut r = report(&[Origin::Base]);
        r.packages = vec![deb(
            "zlib1g",
            "1.2",
            ("zlib", "1.2"),
            0,
            Origin::Base,
            "Zlib",
        )];
        let full = r.packages[0].purl.clone();
        let bare = full.split('?').next().unwrap().to_string();
        let decision = |purl: &str| LicenseDecision {
            purl: Some(purl.into()),
            name: None,
            version: None,
            license: "MIT".into(),
            reason: "r".into(),
            reviewer: "J".into(),
        };
        assert!(names(&decision(&bare), &r.packages[0]));
        assert!(names(&decision(&full), &r.packages[0]));
        assert!(!names(
            &decision(&format!("{bare}?arch=arm64")),
            &r.packages[0]
        ));
        let both = LicenseDecision {
            name: Some("zlib1g".into()),
            ..decision(&bare)
        };
        assert!(check(&Review {
            licenses: vec![both],
            ..Review::default()
        })
        .unwrap_err()
        .contains("not both"));
    }

    #[test]
    fn identifiers_are_the_ids_of_an_expression() {
        let ids: Vec<&str> =
            identifiers("(MIT OR Apache-2.0) AND GPL-3.0-or-later WITH GCC-exception-3.1")
                .collect();
        assert_eq!(
            ids,
            ["MIT", "Apache-2.0", "GPL-3.0-or-later", "GCC-exception-3.1"]
        );
    }
}
