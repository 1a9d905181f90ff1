//! The approval checklist: the questions an OSPO reviewer asks before a container delivery
//! is approved, each answered from the report's findings and the obligations, marked for
//! attention, or left to a person when the evidence is not there (no Dockerfile given, no
//! base image boundary).

use crate::model::obligations::Obligations;
use crate::model::{
    plural, Answer, Finding, FindingKind, Origin, Report, SecretEvidence, Severity, Status,
};

/// "1 layer", "3 layers", "an unknown number of layers".
fn layers_word(n: &str) -> String {
    match n {
        "1" => "1 layer".to_string(),
        n => format!("{n} layers"),
    }
}

/// A finding message as the start of a sentence.
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The report's findings whose kind `is` accepts, but those reviewers acknowledged.
fn has(report: &Report, is: fn(&FindingKind) -> bool) -> Vec<&Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.acknowledged.is_none() && is(&f.kind))
        .collect()
}

/// The report's findings whose kind `is` accepts that reviewers acknowledged, said in a
/// sentence (empty when there is none).
fn acknowledged(report: &Report, is: fn(&FindingKind) -> bool) -> String {
    let said: Vec<String> = report
        .findings
        .iter()
        .filter(|f| is(&f.kind))
        .filter_map(|f| {
            let by = f.acknowledged.as_ref()?;
            let what = f
                .path
                .as_deref()
                .map_or_else(|| f.kind.name().to_string(), str::to_string);
            Some(format!("{what} by {} ({})", by.reviewer, by.reason))
        })
        .collect();
    match said.len() {
        0 => String::new(),
        _ => format!(" Acknowledged by reviewers: {}.", said.join("; ")),
    }
}

fn lines(fs: &[&Finding]) -> String {
    let mut v: Vec<String> = fs
        .iter()
        .map(|f| match f.line {
            Some(l) => l.to_string(),
            None => "?".to_string(),
        })
        .collect();
    v.dedup();
    v.join(", ")
}

/// The OSPO checklist, each item answered from the findings and the report, or left to a
/// person when the evidence is not there.
pub fn checklist(report: &Report, obligations: &Obligations) -> Vec<Answer> {
    const OK: Status = Status::Answered;
    const LOOK: Status = Status::Attention;
    const HUMAN: Status = Status::Human;
    let dockerfile_given = report.findings.iter().any(|f| {
        matches!(
            f.kind,
            FindingKind::DockerfileLicense { .. }
                | FindingKind::DockerfileNoLicense
                | FindingKind::DockerfileMismatch { .. }
        )
    });
    let mut out = Vec::new();

    // 1. Who wrote the Dockerfile and under which license.
    let licensed = has(report, |k| {
        matches!(k, FindingKind::DockerfileLicense { .. })
    });
    let no_author = licensed.first().is_some_and(|f| {
        matches!(&f.kind, FindingKind::DockerfileLicense { copyright, .. } if copyright.is_empty())
    });
    out.push(Answer {
        question: "Who wrote the Dockerfile, and under which license?",
        status: if !dockerfile_given {
            HUMAN
        } else if licensed.is_empty() {
            LOOK
        } else if no_author {
            HUMAN
        } else {
            OK
        },
        answer: if !dockerfile_given {
            "No Dockerfile was given (scan --dockerfile FILE); its author and license need a human answer.".to_string()
        } else if let Some(f) = licensed.first() {
            format!("{} (Dockerfile line {}).", sentence(&f.message()), lines(&licensed))
        } else {
            "The Dockerfile states no license (no SPDX-License-Identifier, no license header); its author and license need a human answer.".to_string()
        },
    });

    // 2. Where the base image comes from, and whether it is pinned.
    let name = report.base.name.as_deref().map_or_else(
        || "The base image (its name is not recorded)".to_string(),
        |n| format!("Base image {n}"),
    );
    let shipped_base: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| match &f.kind {
            FindingKind::BaseUnpinned { shipped, .. }
            | FindingKind::BaseLatest { shipped, .. }
            | FindingKind::BasePinned { shipped, .. } => *shipped,
            FindingKind::FromUnresolved { .. } => true,
            _ => false,
        })
        .collect();
    let layers = report
        .base
        .layers
        .map_or_else(|| "an unknown number of".to_string(), |n| n.to_string());
    let mut answer = format!(
        "{name}: {}, determined by {} ({}).",
        layers_word(&layers),
        report.base.method,
        report.base.reason
    );
    if let Some(d) = &report.base.digest {
        answer.push_str(&format!(" Digest {d}."));
    }
    let unpinned: Vec<&Finding> = shipped_base
        .iter()
        .copied()
        .filter(|f| !matches!(f.kind, FindingKind::BasePinned { .. }))
        .collect();
    let status = if !unpinned.is_empty() {
        answer.push_str(&format!(
            " The Dockerfile does not pin it by digest (line {}).",
            lines(&unpinned)
        ));
        LOOK
    } else if !shipped_base.is_empty() {
        answer.push_str(" The Dockerfile pins it by digest.");
        OK
    } else {
        answer.push_str(" Whether the build pinned it needs the Dockerfile (--dockerfile).");
        HUMAN
    };
    let approval = report.findings.iter().find(|f| {
        matches!(
            f.kind,
            FindingKind::UnapprovedBase { .. } | FindingKind::BaseApproved { .. }
        )
    });
    let status = match approval {
        Some(f) if f.acknowledged.is_none() => {
            answer.push_str(&format!(" {}.", sentence(&f.message())));
            match f.kind {
                FindingKind::UnapprovedBase { .. } => LOOK,
                _ => status,
            }
        }
        Some(f) => {
            answer.push_str(&format!(" {}.", sentence(&f.message())));
            answer.push_str(&acknowledged(report, |k| {
                matches!(k, FindingKind::UnapprovedBase { .. })
            }));
            status
        }
        None => status,
    };
    out.push(Answer {
        question: "Where does the base image come from, and is it pinned?",
        status,
        answer,
    });

    // 3. What code was imported, and from where.
    let imports: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                FindingKind::Download { .. }
                    | FindingKind::AddUrl { .. }
                    | FindingKind::CopyFromImage { .. }
                    | FindingKind::PipeToShell { .. }
            )
        })
        .collect();
    let unverified: Vec<&Finding> = imports
        .iter()
        .copied()
        .filter(|f| f.severity() >= Severity::Warning)
        .collect();
    out.push(Answer {
        question: "What code was imported, and from where?",
        status: if !dockerfile_given {
            HUMAN
        } else if !unverified.is_empty() {
            LOOK
        } else {
            OK
        },
        answer: if !dockerfile_given {
            "Without the Dockerfile the imports cannot be listed; this needs a human answer."
                .to_string()
        } else if imports.is_empty() {
            "The Dockerfile fetches nothing outside its base image and build context.".to_string()
        } else {
            format!(
                "{} (downloads, ADD of URLs, COPY --from other images); {} without a verified checksum or signature (line {}). See the findings.",
                plural(imports.len(), "import", "imports"),
                unverified.len(),
                lines(&unverified)
            )
        },
    });

    // 4. What our layers add.
    let ours: Vec<_> = report
        .layers
        .iter()
        .filter(|l| l.origin == Origin::Authored)
        .collect();
    let (a, u, r) = ours.iter().fold((0, 0, 0), |acc, l| {
        (
            acc.0 + l.packages.added,
            acc.1 + l.packages.upgraded,
            acc.2 + l.packages.removed,
        )
    });
    out.push(Answer {
        question: "What do our layers add?",
        status: if ours.is_empty() && report.base.layers.is_none() {
            HUMAN
        } else {
            OK
        },
        answer: if ours.is_empty() && report.base.layers.is_none() {
            "The base image boundary is unknown, so our layers cannot be told apart; give --dockerfile, --base-image or --base-layers.".to_string()
        } else {
            format!(
                "{} of ours: {} added, {u} upgraded, {r} removed; {} of our own files without packages.",
                plural(ours.len(), "layer", "layers"),
                plural(a, "package", "packages"),
                plural(
                    ours.iter()
                        .filter(|l| l.packages.added + l.packages.upgraded + l.packages.removed == 0)
                        .count(),
                    "layer",
                    "layers"
                )
            )
        },
    });

    // 5. Squashed.
    let squashed = has(report, |k| matches!(k, FindingKind::SquashedImage(_)));
    out.push(Answer {
        question: "Are the base image's layers kept as they were (not squashed)?",
        status: if squashed.is_empty() { OK } else { LOOK },
        answer: match squashed.first() {
            Some(f) => f.message(),
            None => "Yes: no sign of squashing in the history or the layers.".to_string(),
        },
    });

    // 6. Secrets: proven by their content, or named like one and not read.
    let proven = has(report, |k| {
        matches!(
            k,
            FindingKind::DeletedSecret {
                evidence: SecretEvidence::Content(_),
                ..
            }
        )
    });
    let named = has(report, |k| {
        matches!(
            k,
            FindingKind::DeletedSecret {
                evidence: SecretEvidence::Name(_),
                ..
            }
        )
    });
    let paths = |fs: &[&Finding]| {
        fs.iter()
            .filter_map(|f| f.path.as_deref())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let unread = if named.is_empty() {
        String::new()
    } else {
        format!(
            "{} deleted in a later layer {} named like secrets, but their content was not read: {}; a person must check them.",
            plural(named.len(), "file", "files"),
            if named.len() == 1 { "is" } else { "are" },
            paths(&named)
        )
    };
    let waived = acknowledged(report, |k| matches!(k, FindingKind::DeletedSecret { .. }));
    out.push(Answer {
        question: "Do the layers hold deleted secrets?",
        status: if !proven.is_empty() {
            LOOK
        } else if !named.is_empty() {
            HUMAN
        } else {
            OK
        },
        answer: if !proven.is_empty() {
            let mut a = format!(
                "{} deleted in a later layer {} a private key or credentials and {} still in the image: {}.",
                plural(proven.len(), "file", "files"),
                if proven.len() == 1 { "holds" } else { "hold" },
                if proven.len() == 1 { "is" } else { "are" },
                paths(&proven)
            );
            if !unread.is_empty() {
                a.push(' ');
                a.push_str(&unread);
            }
            a
        } else if !named.is_empty() {
            unread
        } else if !waived.is_empty() {
            format!("No deleted secret is left unacknowledged.{waived}")
        } else {
            format!(
                "No file deleted by a later layer holds a private key or credentials (files named like keys, tokens or credentials are read: their first {} bytes).",
                super::secret::HEAD
            )
        },
    });

    // 7. Licenses.
    let unknown = has(report, |k| matches!(k, FindingKind::LicenseUnknown { .. }));
    let unlisted = has(report, |k| matches!(k, FindingKind::LicenseUnlisted { .. }));
    out.push(Answer {
        question: "Is every package's license known?",
        status: if unknown.is_empty() && unlisted.is_empty() {
            OK
        } else {
            LOOK
        },
        answer: format!(
            "{}; {} with no license found (NOASSERTION), {} under names outside the SPDX list (LicenseRef-).",
            plural(report.packages.len(), "package", "packages"),
            unknown.len(),
            unlisted.len()
        ),
    });

    // 8. Obligations.
    out.push(Answer {
        question: "What obligations come with shipping it?",
        status: OK,
        answer: format!(
            "{}; source to offer for {}. See Obligations.",
            plural(obligations.duties.len(), "obligation", "obligations"),
            plural(
                obligations.sources.len(),
                "source package",
                "source packages"
            )
        ),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::obligations::Delivery;
    use crate::model::testutil;

    fn answers(findings: Vec<Finding>) -> Vec<Answer> {
        let mut r = testutil::report(&[Origin::Base, Origin::Authored]);
        r.findings = findings;
        let o = crate::obligations::evaluate(&r, Delivery::Image);
        checklist(&r, &o)
    }

    fn at(kind: FindingKind, line: usize) -> Finding {
        Finding::new(kind).at_path("Dockerfile").at_line(line)
    }

    fn licensed(copyright: &[&str]) -> FindingKind {
        FindingKind::DockerfileLicense {
            spdx: Some("MIT".into()),
            header: None,
            copyright: copyright.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn the_shipped_stage_decides_whether_the_base_image_is_pinned() {
        let a = answers(vec![
            at(licensed(&["Copyright A"]), 1),
            at(
                FindingKind::BaseUnpinned {
                    from: "golang:1.22".into(),
                    tag: "1.22".into(),
                    shipped: false,
                },
                2,
            ),
            at(
                FindingKind::BasePinned {
                    from: "debian@sha256:01".into(),
                    shipped: true,
                },
                4,
            ),
        ]);
        assert_eq!(a[0].status, Status::Answered);
        assert_eq!(a[1].status, Status::Answered, "{}", a[1].answer);
        assert!(a[1].answer.ends_with(" The Dockerfile pins it by digest."));
        let a = answers(vec![
            at(licensed(&["Copyright A"]), 1),
            at(
                FindingKind::BaseUnpinned {
                    from: "debian:12".into(),
                    tag: "12".into(),
                    shipped: true,
                },
                4,
            ),
        ]);
        assert_eq!(a[1].status, Status::Attention);
        assert!(
            a[1].answer
                .ends_with(" does not pin it by digest (line 4)."),
            "{}",
            a[1].answer
        );
    }

    #[test]
    fn a_license_without_a_copyright_line_leaves_the_author_to_a_person() {
        let a = answers(vec![at(licensed(&[]), 1)]);
        assert_eq!(a[0].status, Status::Human);
        assert_eq!(
            a[0].answer,
            "The Dockerfile is licensed MIT (SPDX-License-Identifier); no copyright line names its author (Dockerfile line 1)."
        );
    }
}
