//! Evaluating an SPDX expression into the terms a distributor must honour.
//!
//! `AND` means every term applies, so duties add up. `OR` lets the distributor choose: the
//! branch with the lightest obligations is picked (lowest category, then fewest duties,
//! then the first written), and the choice is recorded with its reason so a reviewer can
//! overrule it. `WITH` applies an exception, which may lower the category (a linking or
//! runtime exception keeps the covered code copyleft but frees what links to it).

use serde::Serialize;
use spdx::expression::{ExprNode, Operator};
use spdx::{AdditionItem, LicenseItem, ParseMode};

use super::db::Db;
use crate::model::obligations::{Category, Choice, Term};

/// The longest expression evaluated; longer ones are `unknown` (they come from images).
const MAX_EXPRESSION: usize = 8192;

/// What an expression asks: the terms of the branches picked, and the choices made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The terms that apply, each once, in expression order.
    pub terms: Vec<Term>,
    /// The `OR` choices made on the way.
    pub choices: Vec<Choice>,
}

impl Evaluation {
    /// The heaviest category among the identified terms; `unknown` only when no term is
    /// identified. (Whether an unidentified term is present is in [`Self::categories`].)
    pub fn category(&self) -> Category {
        self.terms
            .iter()
            .filter(|t| !t.grant_only && t.category != Category::Unknown)
            .map(|t| t.category)
            .max()
            .unwrap_or(Category::Unknown)
    }

    /// Every category of the terms that count, lightest first.
    pub fn categories(&self) -> Vec<Category> {
        let mut c: Vec<Category> = self
            .terms
            .iter()
            .filter(|t| !t.grant_only)
            .map(|t| t.category)
            .collect();
        c.sort();
        c.dedup();
        if c.is_empty() {
            c.push(Category::Unknown);
        }
        c
    }

    /// The union of the terms' duties, in the data's duty order.
    pub fn duties(&self, db: &Db) -> Vec<String> {
        let mut d: Vec<String> = self
            .terms
            .iter()
            .flat_map(|t| t.duties.iter().cloned())
            .collect();
        d.sort_by_key(|x| db.duty_order(x));
        d.dedup();
        d
    }

    /// How heavy it is, for choosing: the heaviest category (an unidentified term
    /// counting heaviest of all, since it may ask anything), then how many duties.
    fn weight(&self, db: &Db) -> (Category, usize) {
        let worst = self
            .categories()
            .last()
            .copied()
            .unwrap_or(Category::Unknown);
        (worst, self.duties(db).len())
    }
}

/// An expression as a tree, with chains of the same operator flattened.
enum Node {
    Leaf(Term),
    And(Vec<Node>),
    Or(Vec<Node>),
}

impl Node {
    fn text(&self) -> String {
        let wrap = |n: &Node, op: &str| match n {
            Node::Leaf(_) => n.text(),
            Node::And(_) if op == "AND" => n.text(),
            Node::Or(_) if op == "OR" => n.text(),
            _ => format!("({})", n.text()),
        };
        match self {
            Node::Leaf(t) => t.expression(),
            Node::And(v) => v
                .iter()
                .map(|n| wrap(n, "AND"))
                .collect::<Vec<_>>()
                .join(" AND "),
            Node::Or(v) => v
                .iter()
                .map(|n| wrap(n, "OR"))
                .collect::<Vec<_>>()
                .join(" OR "),
        }
    }
}

/// An `unknown` term for something that is not a usable expression.
fn unknown(license: &str, basis: String) -> Term {
    Term {
        license: license.to_string(),
        exception: None,
        category: Category::Unknown,
        duties: Vec::new(),
        basis,
        grant_only: false,
    }
}

/// The term for one license requirement.
fn term(db: &Db, req: &spdx::LicenseReq) -> Term {
    let (license, rule, spdx_id) = match &req.license {
        LicenseItem::Spdx { id, or_later } => {
            let plus = *or_later && !id.name.ends_with("-or-later");
            let name = if plus {
                format!("{}+", id.name)
            } else {
                id.name.to_string()
            };
            (name, db.license(id.name), Some(*id))
        }
        LicenseItem::Other(r) => {
            let name = r.to_string();
            (name.clone(), db.license(&name), None)
        }
    };
    let mut t = match rule {
        Some(r) => Term {
            license,
            exception: None,
            category: r.category,
            duties: r.duties.clone(),
            basis: r.basis.clone(),
            grant_only: false,
        },
        None if db.is_exception_ref(&license) => Term {
            basis: format!(
                "{license} is an exception written as a separate term: it grants permissions and asks nothing; the license it accompanies still applies"
            ),
            category: Category::Permissive,
            grant_only: true,
            ..unknown(&license, String::new())
        },
        None => {
            let basis = match spdx_id {
                Some(id) => format!(
                    "{} ({}) is not classified in license-db/obligations.json yet; the SPDX list marks it{} OSI-approved and{} FSF free/libre",
                    id.name,
                    id.full_name,
                    if id.is_osi_approved() { "" } else { " not" },
                    if id.is_fsf_free_libre() { "" } else { " not" },
                ),
                None => "a license that is not on the SPDX list: its text must be read to know what it asks".to_string(),
            };
            unknown(&license, basis)
        }
    };
    if let Some(add) = &req.addition {
        let name = match add {
            AdditionItem::Spdx(e) => e.name.to_string(),
            AdditionItem::Other(r) => r.to_string(),
        };
        match db.exception(&name) {
            Some(rule) => {
                if let Some(cap) = rule.cap {
                    if t.category > cap && t.category < Category::NonFree {
                        t.category = cap;
                    }
                }
                t.basis = format!("{} With {name}: {}", t.basis, rule.basis);
            }
            None => {
                t.basis = format!(
                    "{} With {name}, an exception not classified in license-db/obligations.json: its effect is not applied",
                    t.basis
                );
            }
        }
        t.exception = Some(name);
    }
    t
}

/// Builds the tree from the expression's postfix nodes.
fn tree(db: &Db, expr: &spdx::Expression) -> Option<Node> {
    let mut stack: Vec<Node> = Vec::new();
    for node in expr.iter() {
        match node {
            ExprNode::Req(r) => stack.push(Node::Leaf(term(db, &r.req))),
            ExprNode::Op(op) => {
                let b = stack.pop()?;
                let a = stack.pop()?;
                let mut items = Vec::new();
                for n in [a, b] {
                    match (op, n) {
                        (Operator::And, Node::And(v)) => items.extend(v),
                        (Operator::Or, Node::Or(v)) => items.extend(v),
                        (_, n) => items.push(n),
                    }
                }
                stack.push(match op {
                    Operator::And => Node::And(items),
                    Operator::Or => Node::Or(items),
                });
            }
        }
    }
    let root = stack.pop()?;
    stack.is_empty().then_some(root)
}

fn eval(db: &Db, node: &Node) -> Evaluation {
    match node {
        Node::Leaf(t) => Evaluation {
            terms: vec![t.clone()],
            choices: Vec::new(),
        },
        Node::And(items) => {
            let mut out = Evaluation {
                terms: Vec::new(),
                choices: Vec::new(),
            };
            for e in items.iter().map(|n| eval(db, n)) {
                for t in e.terms {
                    if !out.terms.contains(&t) {
                        out.terms.push(t);
                    }
                }
                for c in e.choices {
                    if !out.choices.contains(&c) {
                        out.choices.push(c);
                    }
                }
            }
            out
        }
        Node::Or(items) => {
            let evals: Vec<(String, Evaluation)> =
                items.iter().map(|n| (n.text(), eval(db, n))).collect();
            let Some(mut best) = (0..evals.len()).min_by_key(|&i| evals[i].1.weight(db)) else {
                return Evaluation {
                    terms: Vec::new(),
                    choices: Vec::new(),
                };
            };
            // An unidentified branch may ask less than a copyleft one: choosing the copyleft
            // branch would owe duties (a source offer) nobody needs to meet. Only a
            // permissive or public-domain branch is safe to take over an unknown one;
            // otherwise the unknown branch stands, for a reviewer to read.
            let unidentified =
                (0..evals.len()).find(|&i| evals[i].1.weight(db).0 == Category::Unknown);
            if let Some(u) = unidentified {
                if evals[best].1.weight(db).0 > Category::Permissive {
                    best = u;
                }
            }
            let (picked, mut e) = evals[best].clone();
            let (cat, duties) = e.weight(db);
            let others: Vec<String> = evals
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != best)
                .map(|(_, (text, o))| {
                    let (oc, od) = o.weight(db);
                    if cat == Category::Unknown {
                        format!("{text} is {oc}, which the unidentified branch may ask less than: review it before choosing")
                    } else if oc != cat {
                        format!("{text} is {oc}")
                    } else if od != duties {
                        format!("{text} asks {od} duties")
                    } else {
                        format!("{text} asks the same (the first written is kept)")
                    }
                })
                .collect();
            let reason = if cat == Category::Unknown {
                format!(
                    "not chosen: {picked} is not identified; {}",
                    others.join("; ")
                )
            } else {
                format!(
                    "the lightest branch: {picked} is {cat} with {duties} duties; {}",
                    others.join("; ")
                )
            };
            let choice = Choice {
                offered: evals.iter().map(|(t, _)| t.clone()).collect(),
                picked,
                reason,
            };
            e.choices.insert(0, choice);
            e
        }
    }
}

/// Evaluates a concluded license: an SPDX expression, `NOASSERTION` or `NONE`.
///
/// `reason` is the license stage's reason for a `NOASSERTION`, carried into the term.
pub fn evaluate(db: &Db, expression: &str, reason: Option<&str>) -> Evaluation {
    let single = |t: Term| Evaluation {
        terms: vec![t],
        choices: Vec::new(),
    };
    let text = expression.trim();
    if text.is_empty() || text == "NOASSERTION" || text == "NONE" {
        let why = reason
            .map(str::to_string)
            .unwrap_or_else(|| "no license was concluded".into());
        return single(unknown(
            if text.is_empty() { "NOASSERTION" } else { text },
            why,
        ));
    }
    if text.len() > MAX_EXPRESSION {
        return single(unknown(
            "NOASSERTION",
            format!(
                "the expression is {} bytes long, over the {MAX_EXPRESSION}-byte limit",
                text.len()
            ),
        ));
    }
    let parsed = match spdx::Expression::parse_mode(text, ParseMode::LAX) {
        Ok(p) => p,
        Err(e) => return single(unknown(text, format!("not a valid SPDX expression: {e}"))),
    };
    match tree(db, &parsed) {
        Some(root) => eval(db, &root),
        None => single(unknown(text, "the expression has no terms".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::super::db::db;
    use super::*;

    fn licenses(e: &Evaluation) -> Vec<&str> {
        e.terms.iter().map(|t| t.license.as_str()).collect()
    }

    #[test]
    fn and_adds_up_duties_and_takes_the_heaviest_category() {
        let e = evaluate(db(), "MIT AND LGPL-2.1-or-later", None);
        assert_eq!(licenses(&e), ["MIT", "LGPL-2.1-or-later"]);
        assert_eq!(e.category(), Category::WeakCopyleft);
        assert_eq!(
            e.categories(),
            [Category::Permissive, Category::WeakCopyleft]
        );
        assert!(e
            .duties(db())
            .contains(&"library-source-relink".to_string()));
        assert!(e.choices.is_empty());
    }

    #[test]
    fn or_picks_the_lighter_branch_and_says_why() {
        let e = evaluate(db(), "GPL-1.0-or-later OR Artistic-1.0-Perl", None);
        assert_eq!(licenses(&e), ["Artistic-1.0-Perl"]);
        assert_eq!(e.choices.len(), 1);
        let c = &e.choices[0];
        assert_eq!(c.offered, ["GPL-1.0-or-later", "Artistic-1.0-Perl"]);
        assert_eq!(c.picked, "Artistic-1.0-Perl");
        assert!(
            c.reason.contains("GPL-1.0-or-later is strong-copyleft"),
            "{}",
            c.reason
        );
    }

    #[test]
    fn or_keeps_the_first_written_on_a_tie_and_never_picks_unknown_over_known() {
        let e = evaluate(db(), "BSD-2-Clause OR MIT", None);
        assert_eq!(licenses(&e), ["BSD-2-Clause"]);
        assert!(e.choices[0].reason.contains("first written"));
        let e = evaluate(db(), "LicenseRef-Foo OR MIT", None);
        assert_eq!(licenses(&e), ["MIT"]);
    }

    #[test]
    fn or_never_takes_a_copyleft_branch_over_an_unidentified_one() {
        // The unidentified branch may be the permissive alternative: no source offer is
        // owed on a guess, and the choice is left to a reviewer.
        let e = evaluate(db(), "LicenseRef-Foo OR GPL-3.0-only", None);
        assert_eq!(licenses(&e), ["LicenseRef-Foo"]);
        assert_eq!(e.category(), Category::Unknown);
        assert!(!e.duties(db()).contains(&"source-offer".to_string()));
        assert!(
            e.choices[0].reason.starts_with("not chosen"),
            "{}",
            e.choices[0].reason
        );
        assert!(e.choices[0]
            .reason
            .contains("GPL-3.0-only is strong-copyleft"));
    }

    #[test]
    fn nested_choices_are_all_recorded() {
        let e = evaluate(
            db(),
            "(MIT OR GPL-2.0-only) AND (MPL-2.0 OR LGPL-2.1-only OR GPL-2.0-only)",
            None,
        );
        assert_eq!(licenses(&e), ["MIT", "MPL-2.0"]);
        assert_eq!(e.choices.len(), 2);
        assert_eq!(e.choices[1].offered.len(), 3);
    }

    #[test]
    fn the_same_choice_twice_is_recorded_once() {
        let e = evaluate(
            db(),
            "(GPL-3.0-or-later OR MIT) AND (GPL-3.0-or-later OR MIT) AND Zlib",
            None,
        );
        assert_eq!(e.choices.len(), 1);
        assert_eq!(licenses(&e), ["MIT", "Zlib"]);
    }

    #[test]
    fn a_runtime_exception_lowers_gpl_to_weak_copyleft_but_keeps_its_source_duty() {
        let e = evaluate(db(), "GPL-3.0-or-later WITH GCC-exception-3.1", None);
        let t = &e.terms[0];
        assert_eq!(t.exception.as_deref(), Some("GCC-exception-3.1"));
        assert_eq!(t.category, Category::WeakCopyleft);
        assert!(t.duties.contains(&"source-offer".to_string()));
        assert!(t.basis.contains("Runtime Library"));
        assert!(t.basis.contains("gcc-exception-3.1-faq"), "{}", t.basis);
        assert_eq!(t.expression(), "GPL-3.0-or-later WITH GCC-exception-3.1");
        assert_eq!(e.categories(), [Category::WeakCopyleft]);
        let e = evaluate(
            db(),
            "(GPL-3.0-or-later WITH GCC-exception-3.1) OR GPL-3.0-only",
            None,
        );
        assert_eq!(
            e.choices[0].picked,
            "GPL-3.0-or-later WITH GCC-exception-3.1"
        );
        let e = evaluate(db(), "GPL-2.0-or-later WITH Bison-exception-2.2", None);
        assert_eq!(e.category(), Category::StrongCopyleft);
        let e = evaluate(db(), "GPL-2.0-only WITH Linux-syscall-note", None);
        assert_eq!(e.category(), Category::WeakCopyleft);
    }

    #[test]
    fn unknown_licenses_and_noassertion_are_unknown_with_a_reason() {
        let e = evaluate(db(), "NOASSERTION", Some("the copyright file is missing"));
        assert_eq!(e.category(), Category::Unknown);
        assert_eq!(e.terms[0].basis, "the copyright file is missing");
        let e = evaluate(db(), "LicenseRef-Frob AND MIT", None);
        assert_eq!(
            e.category(),
            Category::Permissive,
            "the heaviest identified"
        );
        assert_eq!(e.categories(), [Category::Permissive, Category::Unknown]);
        assert!(e.terms[0].basis.contains("not on the SPDX list"));
        assert_eq!(e.terms[0].license, "LicenseRef-Frob");
        let e = evaluate(db(), "Glide", None);
        assert!(
            e.terms[0].basis.contains("not classified"),
            "{}",
            e.terms[0].basis
        );
        let e = evaluate(db(), "MIT AND (", None);
        assert!(e.terms[0].basis.contains("not a valid SPDX expression"));
        let e = evaluate(db(), &"MIT AND ".repeat(2000), None);
        assert!(e.terms[0].basis.contains("limit"));
    }

    #[test]
    fn hostile_expressions_never_panic() {
        let nested = format!("{}MIT{}", "(".repeat(4000), ")".repeat(4000));
        let alternating = format!(
            "{}MIT{}",
            "(GPL-2.0-only OR (MIT AND ".repeat(300),
            "))".repeat(300)
        );
        for text in [
            nested.as_str(),
            alternating.as_str(),
            "MIT WITH",
            "WITH MIT",
            "AND",
            "OR OR",
            "LicenseRef-",
            "DocumentRef-x:LicenseRef-y",
            "MIT WITH LicenseRef-x",
            "MIT WITH AdditionRef-x",
            "\u{0}",
            "GPL-2.0+ WITH GCC-exception-3.1 OR",
        ] {
            let e = evaluate(db(), text, None);
            assert!(!e.terms.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn known_license_refs_and_exception_refs_are_classified() {
        let e = evaluate(db(), "LicenseRef-Debian-MIT", None);
        assert_eq!(e.category(), Category::Permissive);
        let e = evaluate(
            db(),
            "GPL-2.0-or-later AND LicenseRef-OpenSSL-exception",
            None,
        );
        assert_eq!(e.categories(), [Category::StrongCopyleft]);
        assert!(e.terms[1].grant_only);
    }

    #[test]
    fn plus_is_kept_and_looked_up_by_its_base_id() {
        let e = evaluate(db(), "MPL-1.1+", None);
        assert_eq!(e.terms[0].license, "MPL-1.1+");
        assert_eq!(e.category(), Category::WeakCopyleft);
    }
}
