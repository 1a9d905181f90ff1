//! Approved base images: OSPO and security teams accept base layers only from sources they
//! reviewed (official images, pinned by digest). The configuration names them
//! (`--approved-base REF`, `approved-base` in `layerbom.toml`), each a reference
//! `[registry/]repository[:tag][@digest]`: without tag or digest every image of the
//! repository is approved, with them only that tag or digest. The base image the report
//! decided on (from the manifest's annotations, `--base-image`, the Dockerfile) is checked
//! against them: `base-approved` (a note) or `unapproved-base` (a warning; with `--fail-on
//! unapproved-base` the policy fails).

use crate::model::{Finding, FindingKind, Report, Unapproved};
use crate::source::registry::parse_reference;

/// One approved entry, parsed.
struct Entry<'a> {
    text: &'a str,
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

/// Why `text` is not an approved-base entry, if it is not one.
pub fn check(text: &str) -> Result<(), String> {
    entry(text).map(|_| ()).ok_or_else(|| {
        format!(
            "approved base {text:?} is not an image reference \
             ([registry/]repository[:tag][@digest])"
        )
    })
}

fn entry(text: &str) -> Option<Entry<'_>> {
    let r = parse_reference(text.trim()).ok()?;
    // The parser fills in `latest` when no tag is written: only a written tag counts.
    let name = text.rsplit('/').next().unwrap_or(text);
    let written_tag = name.split('@').next().is_some_and(|n| n.contains(':'));
    Some(Entry {
        text,
        registry: r.registry().to_string(),
        repository: r.repository().to_string(),
        tag: r.tag().filter(|_| written_tag).map(str::to_string),
        digest: r.digest().map(str::to_string),
    })
}

/// Replaces the report's approval findings with those `approved` gives. With no entry the
/// report is left as it is, so that a document read back keeps its findings.
pub fn apply(report: &mut Report, approved: &[String]) {
    if approved.is_empty() {
        return;
    }
    report.findings.retain(|f| {
        !matches!(
            f.kind,
            FindingKind::UnapprovedBase { .. } | FindingKind::BaseApproved { .. }
        )
    });
    if let Some(kind) = judge(report, approved) {
        report.findings.push(Finding::new(kind));
    }
}

/// The finding on the report's base image, none when the image has no base layers.
fn judge(report: &Report, approved: &[String]) -> Option<FindingKind> {
    let base = &report.base;
    if base.layers == Some(0) {
        return None;
    }
    let unapproved = |why| FindingKind::UnapprovedBase {
        base: base.name.clone(),
        digest: base.digest.clone(),
        why,
    };
    let Some(name) = base.name.as_deref() else {
        return Some(unapproved(Unapproved::Unnamed));
    };
    let reference = name.strip_prefix("registry:").unwrap_or(name);
    let is_path = reference.starts_with(['/', '.'])
        || reference.contains(":/")
        || [".tar", ".tgz", ".gz", ".zst"]
            .iter()
            .any(|e| reference.ends_with(e))
        || [
            "docker-archive:",
            "oci-archive:",
            "oci-dir:",
            "dir:",
            "file:",
        ]
        .iter()
        .any(|s| reference.starts_with(s));
    let Some(r) = parse_reference(reference).ok().filter(|_| !is_path) else {
        return Some(unapproved(Unapproved::NotAReference));
    };
    let digest = r.digest().map(str::to_string).or(base.digest.clone());
    let entries: Vec<Entry> = approved.iter().filter_map(|a| entry(a)).collect();
    let same_repository: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.registry == r.registry() && e.repository == r.repository())
        .collect();
    let matched = same_repository.iter().find(|e| {
        e.tag.as_deref().is_none_or(|t| r.tag() == Some(t))
            && e.digest
                .as_deref()
                .is_none_or(|d| digest.as_deref() == Some(d))
    });
    Some(match (matched, same_repository.is_empty()) {
        (Some(e), _) => FindingKind::BaseApproved {
            base: name.to_string(),
            entry: e.text.to_string(),
        },
        (None, true) => unapproved(Unapproved::NotListed),
        (None, false) => unapproved(Unapproved::OtherVersion {
            entries: same_repository.iter().map(|e| e.text.to_string()).collect(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::report;
    use crate::model::Origin;

    fn judged(name: Option<&str>, digest: Option<&str>, approved: &[&str]) -> Option<FindingKind> {
        let mut r = report(&[Origin::Base, Origin::Authored]);
        r.base.name = name.map(str::to_string);
        r.base.digest = digest.map(str::to_string);
        let approved: Vec<String> = approved.iter().map(|a| a.to_string()).collect();
        judge(&r, &approved)
    }

    fn approved_as(kind: Option<FindingKind>) -> Option<String> {
        match kind {
            Some(FindingKind::BaseApproved { entry, .. }) => Some(entry),
            _ => None,
        }
    }

    #[test]
    fn a_repository_tag_or_digest_approves_what_it_names() {
        let d = format!("sha256:{}", "b".repeat(64));
        let other = format!("sha256:{}", "c".repeat(64));
        let at = |d: &str| format!("docker.io/library/debian@{d}");
        assert_eq!(
            approved_as(judged(Some("debian:12"), None, &["ubuntu", "debian"])),
            Some("debian".into())
        );
        assert_eq!(
            approved_as(judged(
                Some("docker.io/library/debian:12"),
                None,
                &["debian:12"]
            )),
            Some("debian:12".into())
        );
        assert_eq!(
            approved_as(judged(Some("debian:12"), Some(&d), &[&at(&d)])),
            Some(at(&d))
        );
        assert_eq!(
            judged(Some("debian:12"), Some(&other), &[&at(&d)]),
            Some(FindingKind::UnapprovedBase {
                base: Some("debian:12".into()),
                digest: Some(other.clone()),
                why: Unapproved::OtherVersion {
                    entries: vec![at(&d)]
                },
            })
        );
        // A registry with a port is no tag.
        assert_eq!(
            approved_as(judged(
                Some("127.0.0.1:5000/base/app:2"),
                None,
                &["127.0.0.1:5000/base/app"]
            )),
            Some("127.0.0.1:5000/base/app".into())
        );
        assert!(matches!(
            judged(
                Some("127.0.0.1:5000/base/app:2"),
                None,
                &["127.0.0.1:5000/base/app:1"]
            ),
            Some(FindingKind::UnapprovedBase {
                why: Unapproved::OtherVersion { .. },
                ..
            })
        ));
        assert!(matches!(
            judged(Some("quay.io/debian"), None, &["debian"]),
            Some(FindingKind::UnapprovedBase {
                why: Unapproved::NotListed,
                ..
            })
        ));
    }

    #[test]
    fn an_unnamed_base_or_a_file_is_not_approved_and_no_base_is_nothing() {
        assert!(matches!(
            judged(None, None, &["debian"]),
            Some(FindingKind::UnapprovedBase {
                why: Unapproved::Unnamed,
                ..
            })
        ));
        for file in [
            "/images/debian.tar",
            "./base",
            "oci-archive:base.tar",
            "base.tar.gz",
        ] {
            assert!(
                matches!(
                    judged(Some(file), None, &["debian"]),
                    Some(FindingKind::UnapprovedBase {
                        why: Unapproved::NotAReference,
                        ..
                    })
                ),
                "{file}"
            );
        }
        let mut r = report(&[Origin::Authored]);
        r.base.layers = Some(0);
        assert_eq!(judge(&r, &["debian".to_string()]), None);
        assert!(check("Not A Reference").is_err());
        assert!(check("registry.example.org:5000/team/base:1").is_ok());
    }
}
