//! The model that ends where the pipeline ends: everything the documents say about one
//! image. Renderers read a [`Bom`] and nothing else.

use std::collections::BTreeMap;

use serde::Serialize;

use super::obligations::{Glossary, Obligations, Policy, Violation, UNAPPROVED_BASE};
use super::{Finding, FindingKind, Report, Severity};

/// One image, as the pipeline concluded it, and what a document needs about itself.
#[derive(Debug, Clone)]
pub struct Bom {
    /// The native report: image, layers, packages, licenses, findings.
    pub report: Report,
    /// What shipping the image obliges us to do, in the chosen delivery mode (with every
    /// package's category, distributed or not).
    pub obligations: Obligations,
    /// The approval checklist, each question answered from the evidence or left to a
    /// person.
    pub checklist: Vec<Answer>,
    /// The titles and explanations of the license categories and duties.
    pub glossary: Glossary,
    /// Full texts of `LicenseRef-` licenses, when a package's own files give them: the
    /// first package's text, in report order.
    pub license_texts: BTreeMap<String, String>,
    /// The policy the image was checked against (`--fail-on`, `--deny`; empty when none was
    /// given).
    pub policy: Policy,
    /// The distributed packages and license files the policy refuses.
    pub violations: Vec<Violation>,
    /// Approve, needs review or blocked, and why: from the policy, the findings and the
    /// checklist.
    pub verdict: Verdict,
    /// `YYYY-MM-DDTHH:MM:SSZ`: from `SOURCE_DATE_EPOCH`, else the image's creation time, so
    /// that documents never carry the time of the scan and stay byte-identical.
    pub created: String,
    /// Where [`Bom::created`] comes from.
    pub dated_by: DatedBy,
    /// The version of layerbom, written as the documents' creator.
    pub tool_version: &'static str,
}

/// Where the documents' date comes from. The time of the scan is never used: the same
/// image must give the same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatedBy {
    /// `SOURCE_DATE_EPOCH`.
    SourceDateEpoch,
    /// The image's configuration records when it was created.
    ImageCreated,
    /// The image records the Unix epoch as its creation time, as reproducible builders
    /// (ko, Bazel, apko, Nix) write it: the documents are dated 1970-01-01.
    ImageEpochZero,
    /// The image records no (readable) creation time: the documents are dated 1970-01-01.
    NoImageTime,
}

impl DatedBy {
    /// Whether the date says nothing about the image (1970-01-01, for want of a time).
    pub fn is_placeholder(self) -> bool {
        matches!(self, DatedBy::ImageEpochZero | DatedBy::NoImageTime)
    }
}

/// The approval report's conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Decision {
    /// Every check passed: a policy was given and nothing matches it, no finding above a
    /// note, every checklist question answered.
    #[serde(rename = "approve")]
    Approve,
    /// Nothing blocks, but a person must look: a checklist question needs attention or a
    /// human answer, a warning, or no license policy was given.
    #[serde(rename = "needs review")]
    Review,
    /// A distributed package matches the policy, or a finding is an error.
    #[serde(rename = "blocked")]
    Blocked,
}

/// One reason for the verdict, with the facts it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Reason {
    /// Distributed packages (or license files) match a policy rule.
    PolicyMatched {
        /// The rule as the command line spells it (`--fail-on strong-copyleft`).
        rule: String,
        /// The names of the packages (or paths of the files) it matched, each once.
        packages: Vec<String>,
    },
    /// The base image is not approved, and the policy refuses that (`--fail-on
    /// unapproved-base`).
    BaseUnapproved {
        /// The base image, when it is named.
        base: Option<String>,
    },
    /// Findings of severity error.
    ErrorFindings {
        /// How many.
        count: usize,
        /// Their kinds, each once.
        kinds: Vec<String>,
    },
    /// No `--fail-on` or `--deny` was given: the licenses were not checked against a
    /// policy.
    NoPolicy,
    /// A checklist question is not simply answered.
    Question {
        /// The question.
        question: &'static str,
        /// How it stands (attention, or needs a human answer).
        status: Status,
    },
    /// Findings of severity warning.
    WarningFindings {
        /// How many.
        count: usize,
    },
    /// Findings reviewers acknowledged (`[[review.acknowledge]]`): they weigh on nothing.
    Acknowledged {
        /// How many.
        count: usize,
    },
    /// The policy was given and no distributed package matches it.
    PolicyPassed {
        /// The rules, as the command line spells them.
        rules: Vec<String>,
    },
}

impl Reason {
    /// Whether the reason is a policy rule that matched: the policy failed.
    pub fn is_policy_match(&self) -> bool {
        matches!(
            self,
            Reason::PolicyMatched { .. } | Reason::BaseUnapproved { .. }
        )
    }

    /// The verdict this reason forces, at least.
    pub fn decision(&self) -> Decision {
        match self {
            Reason::PolicyMatched { .. }
            | Reason::BaseUnapproved { .. }
            | Reason::ErrorFindings { .. } => Decision::Blocked,
            Reason::NoPolicy | Reason::Question { .. } | Reason::WarningFindings { .. } => {
                Decision::Review
            }
            Reason::PolicyPassed { .. } | Reason::Acknowledged { .. } => Decision::Approve,
        }
    }

    /// The reason in a sentence, for the report.
    pub fn message(&self) -> String {
        match self {
            Reason::PolicyMatched { rule, packages } => format!(
                "{} match {rule}: {}",
                plural(packages.len(), "distributed package", "distributed packages"),
                packages.join(", ")
            ),
            Reason::BaseUnapproved { base } => format!(
                "{} is not an approved base image (--fail-on {UNAPPROVED_BASE})",
                match base {
                    Some(b) => format!("the base image {b}"),
                    None => "the base image, which nothing names,".to_string(),
                }
            ),
            Reason::ErrorFindings { count, kinds } => format!(
                "{} ({})",
                plural(*count, "finding is an error", "findings are errors"),
                kinds.join(", ")
            ),
            Reason::NoPolicy => "no license policy was given (--fail-on, --deny): the licenses were not checked against one".to_string(),
            Reason::Question { question, status } => format!(
                "checklist: {question} ({})",
                match status {
                    Status::Answered => "answered",
                    Status::Attention => "needs attention",
                    Status::Human => "needs a human answer",
                }
            ),
            Reason::WarningFindings { count } => plural(*count, "warning", "warnings"),
            Reason::Acknowledged { count } => format!(
                "{} by reviewers",
                plural(*count, "finding acknowledged", "findings acknowledged")
            ),
            Reason::PolicyPassed { rules } => {
                format!("nothing matches the policy ({})", rules.join(", "))
            }
        }
    }
}

/// `n` and the noun, singular for one: "1 warning", "2 warnings", "0 warnings".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Approve, needs review or blocked, and every reason, heaviest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The heaviest reason's decision ([`Decision::Approve`] when there is none).
    pub decision: Decision,
    /// Why, heaviest first, in the order found within a decision.
    pub reasons: Vec<Reason>,
}

impl Verdict {
    /// The verdict on `report`: blocked when a distributed package matches the `policy`
    /// (its `violations`) or a finding is an error; needs review when no policy was given,
    /// a `checklist` question needs attention or a human answer, or a finding is a warning;
    /// approve otherwise. Notes (findings of severity info) do not count.
    pub fn judge(
        report: &Report,
        checklist: &[Answer],
        policy: &Policy,
        violations: &[Violation],
    ) -> Verdict {
        let mut reasons = Vec::new();
        for rule in policy.rules() {
            // `Violation::rule` is the rule without its dashes: `fail-on strong-copyleft`.
            let mut packages: Vec<String> = Vec::new();
            for v in violations
                .iter()
                .filter(|v| format!("--{}", v.rule) == rule)
            {
                if !packages.contains(&v.package) {
                    packages.push(v.package.clone());
                }
            }
            if !packages.is_empty() {
                reasons.push(Reason::PolicyMatched { rule, packages });
            }
        }
        if policy.unapproved_base {
            for f in report.findings.iter().filter(|f| f.acknowledged.is_none()) {
                if let FindingKind::UnapprovedBase { base, .. } = &f.kind {
                    reasons.push(Reason::BaseUnapproved { base: base.clone() });
                }
            }
        }
        let severity = |s: Severity| {
            report
                .findings
                .iter()
                .filter(move |f| f.severity() == s && f.acknowledged.is_none())
        };
        let errors: Vec<&Finding> = severity(Severity::Error).collect();
        if !errors.is_empty() {
            let mut kinds: Vec<String> = Vec::new();
            for f in &errors {
                let k = f.kind.name().to_string();
                if !kinds.contains(&k) {
                    kinds.push(k);
                }
            }
            reasons.push(Reason::ErrorFindings {
                count: errors.len(),
                kinds,
            });
        }
        if policy.is_empty() {
            reasons.push(Reason::NoPolicy);
        }
        for a in checklist.iter().filter(|a| a.status != Status::Answered) {
            reasons.push(Reason::Question {
                question: a.question,
                status: a.status,
            });
        }
        let warnings = severity(Severity::Warning).count();
        if warnings > 0 {
            reasons.push(Reason::WarningFindings { count: warnings });
        }
        let acknowledged = report
            .findings
            .iter()
            .filter(|f| f.acknowledged.is_some())
            .count();
        if acknowledged > 0 {
            reasons.push(Reason::Acknowledged {
                count: acknowledged,
            });
        }
        if !policy.is_empty() && !reasons.iter().any(Reason::is_policy_match) {
            reasons.push(Reason::PolicyPassed {
                rules: policy.rules(),
            });
        }
        Verdict::of(reasons)
    }

    /// The verdict of these reasons.
    pub fn of(mut reasons: Vec<Reason>) -> Verdict {
        reasons.sort_by_key(|r| std::cmp::Reverse(r.decision()));
        let decision = reasons
            .iter()
            .map(Reason::decision)
            .max()
            .unwrap_or(Decision::Approve);
        Verdict { decision, reasons }
    }
}

/// How a checklist question stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// The evidence answers it.
    #[serde(rename = "answered")]
    Answered,
    /// The evidence answers it, and the answer needs a look.
    #[serde(rename = "attention")]
    Attention,
    /// The evidence is not there: a person must answer.
    #[serde(rename = "needs a human answer")]
    Human,
}

/// One question of the approval checklist and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The question, as the checklist asks it.
    pub question: &'static str,
    /// Whether it is answered.
    pub status: Status,
    /// The answer, or what is missing.
    pub answer: String,
}

impl Bom {
    /// Whether the policy failed: a distributed package matches it, or (with `--fail-on
    /// unapproved-base`) the base image is not approved and nobody acknowledged it.
    pub fn policy_failed(&self) -> bool {
        self.verdict.reasons.iter().any(Reason::is_policy_match)
    }

    /// What the policy matched, a message each: the distributed packages `--fail-on` or
    /// `--deny` refuse, then the base image `--fail-on unapproved-base` refuses.
    pub fn policy_matches(&self) -> Vec<String> {
        self.violations
            .iter()
            .map(ToString::to_string)
            .chain(
                self.verdict
                    .reasons
                    .iter()
                    .filter(|r| matches!(r, Reason::BaseUnapproved { .. }))
                    .map(Reason::message),
            )
            .collect()
    }

    /// The model of `report`, with its `obligations`, `checklist`, `glossary`, and the
    /// `policy` it was checked against with its `violations`, judged ([`Verdict::judge`]); dated
    /// `source_date_epoch` (seconds) when given, else by the image's creation time, else
    /// the Unix epoch.
    pub fn new(
        report: Report,
        obligations: Obligations,
        checklist: Vec<Answer>,
        glossary: Glossary,
        policy: Policy,
        violations: Vec<Violation>,
        source_date_epoch: Option<&str>,
    ) -> Bom {
        let verdict = Verdict::judge(&report, &checklist, &policy, &violations);
        let image_time = report.image.created.as_deref().and_then(normalize_rfc3339);
        let (created, dated_by) = match source_date_epoch.and_then(|s| s.trim().parse::<i64>().ok())
        {
            Some(secs) => (format_epoch(secs), DatedBy::SourceDateEpoch),
            None => match image_time {
                Some(t) if t == format_epoch(0) => (t, DatedBy::ImageEpochZero),
                Some(t) => (t, DatedBy::ImageCreated),
                None => (format_epoch(0), DatedBy::NoImageTime),
            },
        };
        let mut license_texts = BTreeMap::new();
        for p in &report.packages {
            for (id, text) in &p.license.texts {
                license_texts
                    .entry(id.clone())
                    .or_insert_with(|| text.clone());
            }
        }
        Bom {
            report,
            obligations,
            checklist,
            glossary,
            license_texts,
            policy,
            violations,
            verdict,
            created,
            dated_by,
            tool_version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A civil date to days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_epoch(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// An RFC 3339 time (any fraction, any offset) as UTC `YYYY-MM-DDTHH:MM:SSZ`.
pub fn normalize_rfc3339(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let oh = rest.get(1..3)?.parse::<i64>().ok()?;
            let om = rest.get(4..6)?.parse::<i64>().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, mo as u32, d as u32);
    Some(format_epoch(
        days * 86_400 + h * 3600 + mi * 60 + se - offset,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::obligations::Category;
    use crate::model::testutil::report;
    use crate::model::{FindingKind, Origin};

    fn answer(status: Status) -> Answer {
        Answer {
            question: "Q?",
            status,
            answer: String::new(),
        }
    }

    fn violation(package: &str, rule: &str) -> Violation {
        Violation {
            package: package.into(),
            version: "1".into(),
            layer: 0,
            origin: Origin::Base,
            license: "GPL-3.0-only".into(),
            category: Category::StrongCopyleft,
            rule: rule.into(),
            reason: String::new(),
        }
    }

    fn strong() -> Policy {
        Policy {
            fail_on: vec![Category::StrongCopyleft],
            deny: vec!["AGPL-3.0".into()],
            ..Policy::default()
        }
    }

    #[test]
    fn a_policy_match_blocks_and_names_the_packages() {
        let r = report(&[Origin::Base]);
        let v = vec![
            violation("bash", "fail-on strong-copyleft"),
            violation("bash", "fail-on strong-copyleft"),
            violation("gcc", "fail-on strong-copyleft"),
        ];
        let verdict = Verdict::judge(&r, &[answer(Status::Human)], &strong(), &v);
        assert_eq!(verdict.decision, Decision::Blocked);
        assert_eq!(
            verdict.reasons[0],
            Reason::PolicyMatched {
                rule: "--fail-on strong-copyleft".into(),
                packages: vec!["bash".into(), "gcc".into()],
            }
        );
        assert_eq!(
            verdict.reasons[0].message(),
            "2 distributed packages match --fail-on strong-copyleft: bash, gcc"
        );
        // The lighter reasons are still listed, after.
        assert_eq!(verdict.reasons[1].decision(), Decision::Review);
    }

    #[test]
    fn without_a_policy_a_person_reviews_the_licenses() {
        let r = report(&[Origin::Base]);
        let verdict = Verdict::judge(&r, &[answer(Status::Answered)], &Policy::default(), &[]);
        assert_eq!(verdict.decision, Decision::Review);
        assert_eq!(verdict.reasons, [Reason::NoPolicy]);
    }

    #[test]
    fn a_passed_policy_and_answered_checklist_approve() {
        let r = report(&[Origin::Base]);
        let verdict = Verdict::judge(&r, &[answer(Status::Answered)], &strong(), &[]);
        assert_eq!(verdict.decision, Decision::Approve);
        assert_eq!(
            verdict.reasons[0].message(),
            "nothing matches the policy (--fail-on strong-copyleft, --deny AGPL-3.0)"
        );
        // A question that needs attention, or a warning, asks for review.
        let verdict = Verdict::judge(&r, &[answer(Status::Attention)], &strong(), &[]);
        assert_eq!(verdict.decision, Decision::Review);
        let mut warned = r.clone();
        warned
            .findings
            .push(Finding::new(FindingKind::DockerfileNoLicense));
        let verdict = Verdict::judge(&warned, &[answer(Status::Answered)], &strong(), &[]);
        assert_eq!(verdict.decision, Decision::Review, "{verdict:?}");
        assert!(verdict.reasons.iter().any(|r| r.message() == "1 warning"));
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(0, "warning", "warnings"), "0 warnings");
        assert_eq!(plural(1, "warning", "warnings"), "1 warning");
        assert_eq!(plural(2, "warning", "warnings"), "2 warnings");
    }

    #[test]
    fn timestamps_are_utc_seconds() {
        assert_eq!(format_epoch(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_epoch(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(
            normalize_rfc3339("2024-02-29T23:30:00.123456789+01:30").as_deref(),
            Some("2024-02-29T22:00:00Z")
        );
        assert_eq!(
            normalize_rfc3339("1970-01-01T00:00:00Z").as_deref(),
            Some("1970-01-01T00:00:00Z")
        );
        assert_eq!(normalize_rfc3339("yesterday"), None);
    }
}
