//! Policy for pipelines: fail the build when a distributed package has a license the
//! organization does not ship.
//!
//! `--fail-on CATEGORY` matches a package when any term that applies to it (after `OR`
//! choices) is of that category, so `--fail-on unknown` catches every package with a term
//! nobody has classified yet, even beside known ones. `--deny ID` matches a license or
//! exception identifier among those terms: a bare family (`GPL-3.0`) matches its `-only`
//! and `-or-later` forms and `+`, a suffixed one (`GPL-3.0-only`) only itself. Only
//! distributed packages and license files count: what the delivery mode does not
//! distribute is not ours to answer for. A license reviewers accepted
//! (`[[review.accept]]`, named as `--deny` names them) is refused by no `--fail-on`
//! category, only by an explicit `--deny`.

use crate::model::obligations::{Category, Obligations, Term};
pub use crate::model::obligations::{Policy, Violation, UNAPPROVED_BASE};

impl Policy {
    /// A `--deny` identifier as the SPDX lists spell it: an SPDX license or exception id, a
    /// license family (`GPL-3.0`, whose `-only` form is listed), or a `LicenseRef-`. SPDX ids
    /// are case-insensitive, so `gpl-3.0` is `GPL-3.0`; a `LicenseRef-` is kept as given.
    pub fn canonical_deny_id(id: &str) -> Result<String, DenyIdError> {
        use crate::license::names::{spdx_exception_id_any_case, spdx_id_any_case};
        let id = id.trim();
        let refused = || DenyIdError { id: id.to_string() };
        if let Some(rest) = id
            .get(.."LicenseRef-".len())
            .filter(|p| p.eq_ignore_ascii_case("LicenseRef-"))
            .map(|_| &id["LicenseRef-".len()..])
        {
            return match rest.is_empty() {
                true => Err(refused()),
                false => Ok(format!("LicenseRef-{rest}")),
            };
        }
        if let Some(name) = spdx_id_any_case(id).or_else(|| spdx_exception_id_any_case(id)) {
            return Ok(name.to_string());
        }
        spdx_id_any_case(&format!("{id}-only"))
            .and_then(|only| only.strip_suffix("-only"))
            .map(str::to_string)
            .ok_or_else(refused)
    }
}

/// A `--deny` identifier that names no license or exception.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "--deny {id:?} is not an SPDX license or exception identifier, a license family such as GPL-3.0, or a LicenseRef-"
)]
pub struct DenyIdError {
    /// The identifier, trimmed.
    pub id: String,
}

fn base(id: &str) -> &str {
    let id = id.strip_suffix('+').unwrap_or(id);
    id.strip_suffix("-only")
        .or_else(|| id.strip_suffix("-or-later"))
        .unwrap_or(id)
}

/// Whether `deny` names `id`: exactly, or as the bare family of a `-only`/`-or-later`/`+`
/// form.
pub fn denies(deny: &str, id: &str) -> bool {
    let deny = deny.trim();
    if deny.eq_ignore_ascii_case(id) {
        return true;
    }
    let bare = base(deny) == deny;
    bare && base(id).eq_ignore_ascii_case(deny)
}

/// Whether a reviewer accepted the license (or exception) of `term`.
pub fn accepted(policy: &Policy, term: &Term) -> bool {
    policy.accepted.iter().any(|a| {
        denies(&a.license, &term.license)
            || term
                .exception
                .as_deref()
                .is_some_and(|e| denies(&a.license, e))
    })
}

fn matches(policy: &Policy, terms: &[Term]) -> Vec<(String, Category, String)> {
    let mut out = Vec::new();
    for t in terms.iter().filter(|t| !t.grant_only) {
        if policy.fail_on.contains(&t.category) && !accepted(policy, t) {
            out.push((
                format!("fail-on {}", t.category),
                t.category,
                if t.category == Category::Unknown {
                    format!("{} is unknown: {}", t.expression(), t.basis)
                } else {
                    format!("{} is {}", t.expression(), t.category)
                },
            ));
        }
    }
    for d in &policy.deny {
        for t in terms {
            let hit = denies(d, &t.license) || t.exception.as_deref().is_some_and(|e| denies(d, e));
            if hit {
                out.push((
                    format!("deny {}", d.trim()),
                    t.category,
                    format!("{} applies", t.expression()),
                ));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|m| seen.insert(m.0.clone()));
    out
}

/// Every distributed package and license file the policy refuses, one violation per rule
/// that matched, in package order.
pub fn check(ob: &Obligations, policy: &Policy) -> Vec<Violation> {
    let mut out = Vec::new();
    let db = super::db();
    for p in &ob.packages {
        for (rule, category, reason) in matches(policy, &p.terms) {
            out.push(Violation {
                package: p.name.clone(),
                version: p.version.clone(),
                layer: p.layer,
                origin: p.origin,
                license: p.license.clone(),
                category,
                rule,
                reason,
            });
        }
    }
    for f in &ob.files {
        let e = super::expr::evaluate(db, &f.license, None);
        for (rule, category, reason) in matches(policy, &e.terms) {
            out.push(Violation {
                package: format!("/{}", f.path),
                version: String::new(),
                layer: f.layer,
                origin: f.origin,
                license: f.license.clone(),
                category,
                rule,
                reason,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{evaluate, Delivery};
    use super::*;
    use crate::model::testutil::{deb, report};
    use crate::model::Origin;

    fn ob() -> Obligations {
        let mut r = report(&[Origin::Base, Origin::Authored]);
        r.packages = vec![
            deb(
                "libc6",
                "2.36-9",
                ("glibc", "2.36-9"),
                0,
                Origin::Base,
                "LGPL-2.1-or-later",
            ),
            deb(
                "bash",
                "5.2-2",
                ("bash", "5.2-2"),
                0,
                Origin::Base,
                "GPL-3.0-or-later",
            ),
            deb(
                "jq",
                "1.6-2",
                ("jq", "1.6-2"),
                1,
                Origin::Authored,
                "MIT AND LicenseRef-Frob",
            ),
            deb(
                "perl-x",
                "1",
                ("perl-x", "1"),
                1,
                Origin::Authored,
                "GPL-3.0-only OR Artistic-2.0",
            ),
        ];
        evaluate(&r, Delivery::Image)
    }

    fn hits(v: &[Violation]) -> Vec<(&str, &str)> {
        v.iter()
            .map(|v| (v.package.as_str(), v.rule.as_str()))
            .collect()
    }

    #[test]
    fn fail_on_matches_any_term_of_the_category() {
        let p = Policy {
            fail_on: vec![Category::StrongCopyleft, Category::Unknown],
            deny: vec![],
            ..Policy::default()
        };
        let v = check(&ob(), &p);
        assert_eq!(
            hits(&v),
            [
                ("bash", "fail-on strong-copyleft"),
                ("jq", "fail-on unknown")
            ]
        );
        assert!(v[1].reason.contains("LicenseRef-Frob"));
        let line = v[0].to_string();
        assert!(line.contains("bash 5.2-2 (layer 0, base)"), "{line}");
        assert!(line.contains("license GPL-3.0-or-later"), "{line}");
    }

    #[test]
    fn accepted_licenses_pass_fail_on_but_not_deny() {
        let accept = |license: &str| crate::model::review::Accepted {
            license: license.into(),
            reason: "reviewed".into(),
            reviewer: "OSPO".into(),
        };
        let p = Policy {
            fail_on: vec![Category::StrongCopyleft, Category::Unknown],
            accepted: vec![accept("GPL-3.0"), accept("LicenseRef-Frob")],
            ..Policy::default()
        };
        assert!(check(&ob(), &p).is_empty(), "{:?}", hits(&check(&ob(), &p)));
        let p = Policy {
            deny: vec!["GPL-3.0".into()],
            ..p
        };
        assert_eq!(hits(&check(&ob(), &p)), [("bash", "deny GPL-3.0")]);
        let p = Policy {
            fail_on: vec![Category::StrongCopyleft],
            accepted: vec![accept("GPL-3.0-only")],
            ..Policy::default()
        };
        assert_eq!(
            hits(&check(&ob(), &p)),
            [("bash", "fail-on strong-copyleft")],
            "a suffixed id accepts only itself"
        );
    }

    #[test]
    fn deny_matches_families_and_exact_ids_among_the_chosen_terms() {
        let p = Policy {
            fail_on: vec![],
            deny: vec!["GPL-3.0".into()],
            ..Policy::default()
        };
        // perl-x picked Artistic-2.0, so only bash matches.
        assert_eq!(hits(&check(&ob(), &p)), [("bash", "deny GPL-3.0")]);
        let p = Policy {
            fail_on: vec![],
            deny: vec!["GPL-3.0-only".into()],
            ..Policy::default()
        };
        assert!(check(&ob(), &p).is_empty());
        let p = Policy {
            fail_on: vec![],
            deny: vec!["lgpl-2.1-or-later".into()],
            ..Policy::default()
        };
        assert_eq!(
            hits(&check(&ob(), &p)),
            [("libc6", "deny lgpl-2.1-or-later")]
        );
    }

    #[test]
    fn a_runtime_exception_is_named_in_the_reason_and_can_be_denied() {
        let mut r = report(&[Origin::Base]);
        r.packages = vec![deb(
            "libstdc++6",
            "12.2.0-14",
            ("gcc-12", "12.2.0-14"),
            0,
            Origin::Base,
            "GPL-3.0-or-later WITH GCC-exception-3.1",
        )];
        let ob = evaluate(&r, Delivery::Image);
        let strong = Policy {
            fail_on: vec![Category::StrongCopyleft],
            deny: vec![],
            ..Policy::default()
        };
        assert!(check(&ob, &strong).is_empty());
        let weak = Policy {
            fail_on: vec![Category::WeakCopyleft],
            deny: vec![],
            ..Policy::default()
        };
        let v = check(&ob, &weak);
        assert_eq!(
            v[0].reason,
            "GPL-3.0-or-later WITH GCC-exception-3.1 is weak-copyleft"
        );
        for id in ["GCC-exception-3.1", "GPL-3.0"] {
            let deny = Policy {
                fail_on: vec![],
                deny: vec![id.into()],
                ..Policy::default()
            };
            let v = check(&ob, &deny);
            assert_eq!(hits(&v), [("libstdc++6", format!("deny {id}").as_str())]);
            assert_eq!(
                v[0].reason,
                "GPL-3.0-or-later WITH GCC-exception-3.1 applies"
            );
        }
    }

    #[test]
    fn undistributed_packages_never_fail() {
        let mut r = report(&[Origin::Base]);
        r.packages = vec![deb(
            "bash",
            "5",
            ("bash", "5"),
            0,
            Origin::Base,
            "GPL-3.0-only",
        )];
        let p = Policy {
            fail_on: vec![Category::StrongCopyleft],
            deny: vec![],
            ..Policy::default()
        };
        assert!(check(&evaluate(&r, Delivery::Layers), &p).is_empty());
        assert_eq!(check(&evaluate(&r, Delivery::Image), &p).len(), 1);
    }

    #[test]
    fn deny_ids_are_checked_and_spelled_as_the_spdx_lists_spell_them() {
        let id = |s: &str| Policy::canonical_deny_id(s);
        assert_eq!(id("GPL-3.0").as_deref(), Ok("GPL-3.0"));
        assert_eq!(id("gpl-3.0").as_deref(), Ok("GPL-3.0"));
        assert_eq!(id("GPL-3.0-or-later").as_deref(), Ok("GPL-3.0-or-later"));
        assert_eq!(id(" apache-2.0 ").as_deref(), Ok("Apache-2.0"));
        assert_eq!(
            id("classpath-exception-2.0").as_deref(),
            Ok("Classpath-exception-2.0")
        );
        assert_eq!(id("lgpl-2.1").as_deref(), Ok("LGPL-2.1"));
        assert_eq!(id("LicenseRef-Foo").as_deref(), Ok("LicenseRef-Foo"));
        assert_eq!(id("licenseref-Foo").as_deref(), Ok("LicenseRef-Foo"));
        assert_eq!(id(" GPL "), Err(DenyIdError { id: "GPL".into() }));
        assert!(id("LicenseRef-").is_err());
        assert!(id("GPL-3.0+").is_err());
    }
}
