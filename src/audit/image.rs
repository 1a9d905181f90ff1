//! Image findings: what the layers themselves show that a reviewer should look at.
//!
//! - **A squashed image.** Layers should stay as they were built, so that the base image's
//!   layers can be told from ours and checked against the base image; the guidance is never
//!   to squash layers you did not create. Signs: the history records more steps that made
//!   layers than the image has, or the layer that carries the distribution was made by our
//!   build, by `docker build --squash` or by `docker import`.
//! - **Secrets deleted in a later layer.** A file deleted by a whiteout is still in the
//!   layer that added it, and anyone with the image can read it. Files named like secrets
//!   (private keys, `.env`, registry and cloud credentials, tokens) are read as the layer
//!   streams past ([`super::secret`]): an error when their first bytes show a private key or
//!   credentials, a warning when they could not be read, nothing for a public certificate,
//!   an empty file or a symlink.
//! - **Our layers changing the base image's packages:** upgrades, removals, and files of a
//!   base package replaced by one of our layers (from the package's file list, as its
//!   database records it: dpkg's `info/*.list`, the rpm and apk records).
//! - **Licenses to look at:** packages whose license is unknown (`NOASSERTION`), or named
//!   only by `LicenseRef-` names outside the SPDX list. Whether a license is non-free is a
//!   license category, which the obligations stage decides from `license-db/`.
//! - **Suppliers to look at:** packages whose records name nobody who supplies them (no
//!   maintainer, vendor or author), which SBOMs write as `NOASSERTION` and NTIA minimum
//!   elements do not accept. One finding per layer and package type names them all, so an
//!   image of a hundred Go modules gets one finding, not a hundred.
//! - **Nothing to list.** No package database or package metadata at all: the SBOM is
//!   empty, which a reviewer should know before approving it (an empty directory, static
//!   files only, or package records removed by the build).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::secret::{self, Inspected, Named, Reading};
use crate::model::{
    Finding, FindingKind, Origin, Report, SecretEvidence, Squash, SquashSign, Unread, Unsupplied,
};
use crate::overlay::{Overlay, Supplied};
use crate::scan::tar::Kind;
use crate::scan::{Content, FileEntry, LayerScan};
use crate::source::config::History;

/// The fewest packages a layer must add to count as carrying a distribution.
pub const DISTRIBUTION_MIN_PACKAGES: usize = 20;

/// Every image finding for `report`, computed from its layers as `overlay` stacks them,
/// the config `history`, and the files each package installs (`files`, aligned with
/// `report.packages`; root-relative, when the package's database lists them).
pub fn findings(
    report: &Report,
    overlay: &Overlay,
    history: &[History],
    files: &[Option<Arc<[String]>>],
) -> Vec<Finding> {
    let mut out = Vec::new();
    squashed(report, history, &mut out);
    deleted_secrets(overlay, &mut out);
    authored_changes(report, &mut out);
    overwritten_base_files(report, overlay, files, &mut out);
    licenses(report, &mut out);
    suppliers(report, &mut out);
    no_packages(report, &mut out);
    out
}

/// An image in which nothing was found to list.
fn no_packages(report: &Report, out: &mut Vec<Finding>) {
    if report.packages.is_empty() {
        out.push(Finding::new(FindingKind::NoPackages {
            entries: report.layers.iter().map(|l| l.entries).sum(),
        }));
    }
}

fn squashed(report: &Report, history: &[History], out: &mut Vec<Finding>) {
    let made = history.iter().filter(|h| !h.empty_layer).count();
    let layers = report.layers.len();
    if layers > 0 && made > layers {
        out.push(Finding::new(FindingKind::SquashedImage(Squash::History {
            steps: made,
            layers,
        })));
        return;
    }
    // The layer that brought the package database: the distribution, when it is large.
    let Some(distro) = report
        .layers
        .iter()
        .find(|l| l.packages.added + l.packages.upgraded > 0)
    else {
        return;
    };
    if distro.packages.added < DISTRIBUTION_MIN_PACKAGES {
        return;
    }
    let step = [distro.created_by.as_deref(), distro.comment.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let sign = if step.contains("merge sha256:") {
        Some(SquashSign::BuildSquash)
    } else if step.contains("Imported from") {
        Some(SquashSign::Import)
    } else if distro.origin == Origin::Authored && layers == 1 {
        Some(SquashSign::OnlyLayer)
    } else if distro.origin == Origin::Authored && distro.index == 0 {
        Some(SquashSign::BottomLayer)
    } else {
        None
    };
    if let Some(sign) = sign {
        out.push(
            Finding::new(FindingKind::SquashedImage(Squash::Distribution {
                layer: distro.index,
                packages: distro.packages.added,
                sign,
            }))
            .in_layer(distro.index),
        );
    }
}

/// Every file a later layer deletes (by a whiteout or an opaque directory) whose name looks
/// like a secret and whose content shows one, or could not be read.
fn deleted_secrets(overlay: &Overlay, out: &mut Vec<Finding>) {
    for i in 1..overlay.len() {
        let Some(layer) = overlay.layer(i) else {
            continue;
        };
        let mut seen: BTreeMap<&str, (Named, Supplied)> = BTreeMap::new();
        let hidden = layer.whiteouts.iter().chain(&layer.opaque_dirs);
        for deleted in hidden {
            let mut lower = overlay.visible_under(deleted, i - 1);
            if let Some(s) = overlay.entry(deleted, i - 1) {
                lower.push(s);
            }
            for s in lower {
                // A symlink, a directory or a device holds no content of its own.
                if !matches!(s.entry.kind, Kind::File | Kind::Hardlink) {
                    continue;
                }
                if let Some(named) = secret::named(&s.entry.path) {
                    seen.insert(s.entry.path.as_str(), (named, s));
                }
            }
        }
        for (path, (named, s)) in seen {
            let Some(evidence) = secret_evidence(overlay, s.layer, s.entry) else {
                continue;
            };
            out.push(
                Finding::new(FindingKind::DeletedSecret {
                    path: path.to_string(),
                    what: named.what().to_string(),
                    evidence,
                    deleted_in: i,
                    added_in: s.layer,
                })
                .in_layer(s.layer)
                .at_path(&format!("/{path}")),
            );
        }
    }
}

/// The most hard links followed from one to the next (a tar's hard link names an earlier
/// entry, which may itself be a link).
const HARD_LINK_HOPS: usize = 8;

/// What `scan` kept of the content of `entry` (a file or hard link of that layer), as
/// evidence of a secret: `None` when the content shows none (a public certificate, an
/// empty file, text without credentials) or is too short to hold one.
fn secret_evidence(overlay: &Overlay, layer: usize, entry: &FileEntry) -> Option<SecretEvidence> {
    let scan = overlay.layer(layer)?;
    let mut entry = entry;
    // The last hard link's target, once one is followed.
    let mut linked: Option<&str> = None;
    for _ in 0..HARD_LINK_HOPS {
        if let Some(found) = secret_content(scan, entry) {
            return found;
        }
        if entry.kind != Kind::Hardlink {
            break;
        }
        let target = entry.link.as_deref().unwrap_or_default();
        linked = Some(target);
        match overlay.entry(target, layer).filter(|t| t.layer == layer) {
            Some(t) if matches!(t.entry.kind, Kind::File | Kind::Hardlink) => entry = t.entry,
            Some(_) => return None,
            None => break,
        }
    }
    let unread = match linked {
        Some(target) => Unread::HardLink(target.to_string()),
        None if entry.mode & 0o111 != 0 => Unread::Executable,
        None => Unread::NotKept,
    };
    Some(SecretEvidence::Name(unread))
}

/// What the scan read of one entry: `None` when it read nothing of it (then a hard link is
/// followed), else the evidence it gives (`Some(None)`: none).
fn secret_content(scan: &LayerScan, entry: &FileEntry) -> Option<Option<SecretEvidence>> {
    let path = entry.path.as_str();
    let judge = |reading: Reading, whole: bool, size: u64| match reading {
        Reading::Secret(content) => Some(SecretEvidence::Content(content)),
        Reading::Public(_) | Reading::Nothing if whole => None,
        Reading::Public(_) | Reading::Nothing => Some(SecretEvidence::Name(Unread::PastHead {
            read: secret::HEAD as u64,
            size,
        })),
    };
    if entry.kind == Kind::File && entry.size < secret::SHORTEST {
        return Some(None);
    }
    if let Some(found) = scan.inspected.get(path) {
        return Some(match found.get::<Inspected>() {
            Some(i) => judge(i.reading.clone(), i.whole, entry.size),
            // Another inspector's: an executable or an archive, read for its packages.
            None => Some(SecretEvidence::Name(Unread::Executable)),
        });
    }
    match scan.captured.get(path)? {
        Content::Data(data) => {
            let head = &data[..data.len().min(secret::HEAD)];
            let whole = head.len() == data.len();
            Some(judge(
                secret::classify(path, head),
                whole,
                data.len() as u64,
            ))
        }
        Content::TooLarge { .. } => Some(Some(SecretEvidence::Name(Unread::NotKept))),
    }
}

fn origin_of(report: &Report, layer: usize) -> Origin {
    report
        .layers
        .get(layer)
        .map_or(Origin::Unknown, |l| l.origin)
}

fn authored_changes(report: &Report, out: &mut Vec<Finding>) {
    for p in &report.packages {
        let (Some(old), Origin::Authored) = (&p.upgraded_from, p.origin) else {
            continue;
        };
        let idx = p.layer.index;
        // The replaced version was the base image's unless one of our layers below changed
        // packages too.
        let ours_below = report.layers[..idx.min(report.layers.len())]
            .iter()
            .any(|l| l.origin == Origin::Authored && l.packages.added + l.packages.upgraded > 0);
        out.push(
            Finding::new(FindingKind::AuthoredUpgrade {
                layer: idx,
                package_type: p.kind.clone(),
                package: p.name.clone(),
                from: old.clone(),
                version: p.version.clone(),
                replaces_base: !ours_below,
            })
            .in_layer(idx),
        );
    }
    // A replaced version is an upgrade, reported above.
    for r in report.removed_packages.iter().filter(|r| r.is_removal()) {
        if origin_of(report, r.removed_in) == Origin::Authored
            && origin_of(report, r.added_in) == Origin::Base
        {
            out.push(
                Finding::new(FindingKind::AuthoredRemoval {
                    layer: r.removed_in,
                    package_type: r.kind.clone(),
                    package: r.name.clone(),
                    version: r.version.clone(),
                    added_in: r.added_in,
                })
                .in_layer(r.removed_in),
            );
        }
    }
}

/// The entry at `path` as of `as_of`, its directories followed through symlinks (a
/// package lists `/bin/ls` where a merged-`/usr` image has `usr/bin/ls`), its last
/// component not.
fn entry_through_dirs<'a>(
    overlay: &Overlay<'a>,
    path: &str,
    as_of: usize,
) -> Option<crate::overlay::Supplied<'a>> {
    if let Some(s) = overlay.entry(path, as_of) {
        return Some(s);
    }
    let (dir, name) = path.rsplit_once('/')?;
    let (resolved, _) = overlay.resolve(dir, as_of).ok()??;
    overlay.entry(&format!("{resolved}/{name}"), as_of)
}

/// The last component of `path`.
fn name_of(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

fn overwritten_base_files(
    report: &Report,
    overlay: &Overlay,
    files: &[Option<Arc<[String]>>],
    out: &mut Vec<Finding>,
) {
    let Some(top) = overlay.len().checked_sub(1) else {
        return;
    };
    // What overwrites a file is an entry of an authored layer at the file's path, which has
    // the file's name: by name, the highest authored layer with an entry of that name. A
    // file whose name no authored layer above its package's has is passed over without a
    // walk through the overlay (most files of the base, in every image).
    let mut authored: HashMap<&str, usize> = HashMap::new();
    for layer in (0..overlay.len()).filter(|&l| origin_of(report, l) == Origin::Authored) {
        for f in overlay.layer(layer).map_or(&[][..], |l| &l.files[..]) {
            authored.insert(name_of(&f.path), layer);
        }
    }
    for (p, files) in report.packages.iter().zip(files) {
        let Some(files) = files.as_deref().filter(|_| p.origin == Origin::Base) else {
            continue;
        };
        let mut by_layer: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for f in files {
            if authored
                .get(name_of(f))
                .is_none_or(|&highest| highest <= p.layer.index)
            {
                continue;
            }
            let Some(s) = entry_through_dirs(overlay, f, top) else {
                continue;
            };
            if s.entry.kind == Kind::Dir
                || s.layer <= p.layer.index
                || origin_of(report, s.layer) != Origin::Authored
            {
                continue;
            }
            by_layer.entry(s.layer).or_default().push(format!("/{f}"));
        }
        for (layer, paths) in by_layer {
            let first = paths[0].clone();
            out.push(
                Finding::new(FindingKind::AuthoredOverwrite {
                    layer,
                    package: p.name.clone(),
                    version: p.version.clone(),
                    files: paths,
                })
                .in_layer(layer)
                .at_path(&first),
            );
        }
    }
}

/// Whether an expression names only licenses outside the SPDX list (`LicenseRef-`), or
/// does not parse.
fn only_unlisted(expr: &str) -> bool {
    match spdx::Expression::parse_mode(expr, spdx::ParseMode::LAX) {
        Ok(parsed) => parsed.requirements().all(|r| r.req.license.id().is_none()),
        Err(_) => true,
    }
}

fn licenses(report: &Report, out: &mut Vec<Finding>) {
    for p in &report.packages {
        let expr = p.license.concluded.as_str();
        let kind = if let Some(reason) = p.license.concluded.reason() {
            FindingKind::LicenseUnknown {
                package_type: p.kind.clone(),
                package: p.name.clone(),
                version: p.version.clone(),
                reason: reason.to_string(),
            }
        } else if only_unlisted(expr) {
            FindingKind::LicenseUnlisted {
                package_type: p.kind.clone(),
                package: p.name.clone(),
                version: p.version.clone(),
                expression: expr.to_string(),
            }
        } else {
            continue;
        };
        out.push(Finding::new(kind).in_layer(p.layer.index));
    }
}

/// A `supplier-unknown` finding for each layer and package type whose packages name no
/// supplier, in layer then type order, each naming its packages sorted by name and version.
fn suppliers(report: &Report, out: &mut Vec<Finding>) {
    let mut unsupplied: BTreeMap<(usize, &str), Vec<(String, String)>> = BTreeMap::new();
    for p in &report.packages {
        if p.supplier.as_deref().is_none_or(|s| s.trim().is_empty()) {
            unsupplied
                .entry((p.layer.index, p.kind.as_str()))
                .or_default()
                .push((p.name.clone(), p.version.clone()));
        }
    }
    for ((layer, package_type), mut packages) in unsupplied {
        packages.sort();
        packages.dedup();
        out.push(
            Finding::new(FindingKind::SupplierUnknown(Unsupplied::Packages {
                layer,
                package_type: package_type.to_string(),
                packages,
            }))
            .in_layer(layer),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LayerInfo, Package, PackageDelta, RemovedPackage, Severity};

    fn layer(index: usize, origin: Origin, added: usize, upgraded: usize) -> LayerInfo {
        LayerInfo {
            packages: PackageDelta {
                added,
                upgraded,
                removed: 0,
            },
            ..crate::model::testutil::layer(index, origin)
        }
    }

    fn package(name: &str, layer: usize, origin: Origin, license: &str) -> Package {
        crate::model::testutil::deb(name, "1.0", (name, "1.0"), layer, origin, license)
    }

    fn report(layers: Vec<LayerInfo>, packages: Vec<Package>) -> Report {
        Report {
            layers,
            packages,
            ..crate::model::testutil::report(&[])
        }
    }

    fn history(steps: &[(&str, bool)]) -> Vec<History> {
        steps
            .iter()
            .map(|(c, empty)| History {
                created: None,
                created_by: Some(c.to_string()),
                comment: None,
                empty_layer: *empty,
            })
            .collect()
    }

    fn file(path: &str) -> FileEntry {
        FileEntry {
            path: path.into(),
            kind: Kind::File,
            size: 1,
            mode: 0o644,
            link: None,
        }
    }

    fn kinds(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.kind.name()).collect()
    }

    #[test]
    fn more_history_steps_than_layers_is_a_squash() {
        let r = report(vec![layer(0, Origin::Base, 90, 0)], Vec::new());
        let mut out = Vec::new();
        squashed(
            &r,
            &history(&[
                ("ADD file:x in /", false),
                ("CMD", true),
                ("RUN apt-get install", false),
            ]),
            &mut out,
        );
        assert_eq!(kinds(&out), ["squashed-image"]);
        assert!(
            out[0].message().contains("records 2 steps"),
            "{}",
            out[0].message()
        );
        let mut out = Vec::new();
        squashed(&r, &history(&[("ADD file:x in /", false)]), &mut out);
        assert!(
            out.is_empty(),
            "one rootfs layer of a base image is not squashed"
        );
    }

    #[test]
    fn a_distribution_in_our_only_layer_or_an_import_is_a_squash() {
        let mut r = report(vec![layer(0, Origin::Authored, 120, 0)], Vec::new());
        let mut out = Vec::new();
        squashed(&r, &[], &mut out);
        assert_eq!(
            (kinds(&out), out[0].layer),
            (vec!["squashed-image"], Some(0))
        );
        r.layers[0].origin = Origin::Unknown;
        r.layers[0].created_by = Some("Imported from -".into());
        let mut out = Vec::new();
        squashed(&r, &[], &mut out);
        assert!(out[0].message().contains("docker import"));
        r.layers[0].packages.added = 5;
        let mut out = Vec::new();
        squashed(&r, &[], &mut out);
        assert!(
            out.is_empty(),
            "a handful of packages is not a distribution"
        );
    }

    /// Layer 0 as the scan reads it, with the secret inspector; layer 1 deletes `deleted`.
    fn deleted(entries: &[(&str, u8, &[u8], &str)], deleted: &[&str]) -> Vec<Finding> {
        use crate::scan::tar::build::{entry, finish};
        let mut t = Vec::new();
        for (name, kind, data, link) in entries {
            entry(&mut t, name, *kind, data, link);
        }
        let rules = crate::scan::CaptureRules::builder()
            .want("var/lib/dpkg/status", 100)
            .inspect(Arc::new(secret::SecretInspector))
            .build();
        let expect = crate::scan::Expect::default();
        let l0 = crate::scan::scan_layer(std::io::Cursor::new(finish(t)), &expect, &rules, None)
            .unwrap();
        let l1 = LayerScan {
            whiteouts: deleted.iter().map(|d| d.to_string()).collect(),
            ..LayerScan::default()
        };
        let mut out = Vec::new();
        deleted_secrets(&Overlay::new(vec![&l0, &l1]), &mut out);
        out
    }

    fn paths_and_severities(out: &[Finding]) -> Vec<(&str, Severity)> {
        out.iter()
            .map(|f| (f.path.as_deref().unwrap_or(""), f.severity()))
            .collect()
    }

    const KEY: &[u8] = b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    const CERT: &[u8] =
        b"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUW\n-----END CERTIFICATE-----\n";

    #[test]
    fn a_secret_deleted_in_a_later_layer_is_still_in_the_image() {
        // Content not kept: the names alone speak (warnings).
        let mut l0 = LayerScan {
            files: vec![
                file("root/.ssh/id_rsa"),
                file("app/main.py"),
                file("app/.env"),
            ],
            ..LayerScan::default()
        };
        for f in &mut l0.files {
            f.size = 100;
        }
        let l1 = LayerScan {
            whiteouts: vec!["root/.ssh".into(), "app/main.py".into()],
            ..LayerScan::default()
        };
        let l2 = LayerScan {
            opaque_dirs: vec!["app".into()],
            ..LayerScan::default()
        };
        let overlay = Overlay::new(vec![&l0, &l1, &l2]);
        let mut out = Vec::new();
        deleted_secrets(&overlay, &mut out);
        let got: Vec<(&str, Option<usize>)> = out
            .iter()
            .map(|f| (f.path.as_deref().unwrap_or(""), f.layer))
            .collect();
        assert_eq!(
            got,
            [("/root/.ssh/id_rsa", Some(0)), ("/app/.env", Some(0))]
        );
        assert!(out[0].message().contains("layer 1 deletes it"));
        assert!(out[1].message().contains("layer 2 deletes it"));
        assert!(out.iter().all(|f| f.severity() == Severity::Warning));
    }

    #[test]
    fn a_deleted_file_is_a_secret_when_its_content_shows_one() {
        let out = deleted(
            &[
                ("root/.ssh/id_rsa", b'0', KEY, ""),
                (
                    "root/.netrc",
                    b'0',
                    b"machine h login u password p4ss\n",
                    "",
                ),
                ("etc/ssl/certs/foo.pem", b'0', CERT, ""),
            ],
            &["root/.ssh/id_rsa", "root/.netrc", "etc/ssl/certs/foo.pem"],
        );
        assert_eq!(
            paths_and_severities(&out),
            [
                ("/root/.netrc", Severity::Error),
                ("/root/.ssh/id_rsa", Severity::Error)
            ]
        );
        assert!(
            out[1]
                .message()
                .contains("holds a private key (PEM \"OPENSSH PRIVATE KEY\")"),
            "{}",
            out[1].message()
        );
    }

    #[test]
    fn certificates_symlinks_and_empty_files_are_no_secrets() {
        let out = deleted(
            &[
                ("etc/ssl/certs/foo.pem", b'0', CERT, ""),
                ("etc/ssl/certs/abcd.0", b'2', b"", "foo.pem"),
                ("etc/ssl/certs/link.pem", b'2', b"", "/root/.ssh/id_rsa"),
                ("etc/secret.key", b'0', b"", ""),
                ("etc/tiny-token", b'0', b"ab", ""),
                (
                    "root/.ssh/id_rsa.pem",
                    b'0',
                    b"ssh-ed25519 AAAAC3Nza u@h\n",
                    "",
                ),
                (
                    "usr/lib/python3/tokenize.py",
                    b'0',
                    b"def tokenize(readline):\n    pass\n",
                    "",
                ),
            ],
            &[
                "etc/ssl/certs",
                "etc/secret.key",
                "etc/tiny-token",
                "root",
                "usr",
            ],
        );
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn a_hard_link_has_the_evidence_of_its_target() {
        let out = deleted(
            &[
                ("etc/key.pem", b'0', KEY, ""),
                ("etc/copy.key", b'1', b"", "etc/key.pem"),
                ("etc/cert.pem", b'0', CERT, ""),
                ("etc/cert.key", b'1', b"", "etc/cert.pem"),
                ("etc/plain.txt", b'0', b"some text here", ""),
                ("etc/plain.key", b'1', b"", "etc/plain.txt"),
            ],
            &["etc/copy.key", "etc/cert.key", "etc/plain.key"],
        );
        assert_eq!(
            paths_and_severities(&out),
            [
                ("/etc/copy.key", Severity::Error),
                ("/etc/plain.key", Severity::Warning)
            ]
        );
        assert!(
            out[1]
                .message()
                .contains("it is a hard link to /etc/plain.txt, whose content was not read"),
            "{}",
            out[1].message()
        );
    }

    #[test]
    fn a_name_whose_content_was_not_read_is_a_warning() {
        // An executable goes to the binary inspector, not the secret one; nothing kept.
        let mut tool = file("usr/bin/rotate-secret");
        tool.mode = 0o755;
        tool.size = 4096;
        let mut big = file("etc/bundle.pem");
        big.size = 20_000;
        let mut l0 = LayerScan {
            files: vec![tool, big],
            ..LayerScan::default()
        };
        l0.inspected.insert(
            "etc/bundle.pem".into(),
            crate::scan::Inspection::new(Inspected {
                reading: Reading::Public(secret::Public::Pem("CERTIFICATE".into())),
                whole: false,
            }),
        );
        let l1 = LayerScan {
            whiteouts: vec!["usr".into(), "etc".into()],
            ..LayerScan::default()
        };
        let mut out = Vec::new();
        deleted_secrets(&Overlay::new(vec![&l0, &l1]), &mut out);
        assert_eq!(
            paths_and_severities(&out),
            [
                ("/etc/bundle.pem", Severity::Warning),
                ("/usr/bin/rotate-secret", Severity::Warning)
            ]
        );
        assert!(out[0]
            .message()
            .contains("only its first 8192 of 20000 bytes were read"));
        assert!(out[1].message().contains("it is executable"));
    }

    #[test]
    fn our_upgrades_and_removals_of_base_packages() {
        let mut up = package("libssl3", 1, Origin::Authored, "Apache-2.0");
        up.upgraded_from = Some("3.0.1".into());
        let mut r = report(
            vec![
                layer(0, Origin::Base, 80, 0),
                layer(1, Origin::Authored, 3, 1),
            ],
            vec![up, package("jq", 1, Origin::Authored, "MIT")],
        );
        r.removed_packages.push(RemovedPackage {
            kind: "deb".into(),
            name: "wget".into(),
            version: "1.21".into(),
            arch: None,
            added_in: 0,
            removed_in: 1,
            replaced_by: None,
        });
        let mut out = Vec::new();
        authored_changes(&r, &mut out);
        assert_eq!(kinds(&out), ["authored-upgrade", "authored-removal"]);
        assert!(out[0].message().contains("the base image's version"));
        assert!(out[0].message().contains("from 3.0.1 to 1.0"));
    }

    #[test]
    fn files_of_a_base_package_replaced_by_our_layer() {
        let mut l0 = LayerScan {
            files: vec![file("usr/bin/tool"), file("etc/tool.conf")],
            ..LayerScan::default()
        };
        l0.files.push(file("usr/bin/helper"));
        for d in ["usr", "usr/bin"] {
            l0.files.push(FileEntry {
                path: d.into(),
                kind: Kind::Dir,
                size: 0,
                mode: 0o755,
                link: None,
            });
        }
        l0.files.push(FileEntry {
            path: "bin".into(),
            kind: Kind::Symlink,
            size: 0,
            mode: 0o777,
            link: Some("usr/bin".into()),
        });
        let l1 = LayerScan {
            files: vec![file("usr/bin/tool"), file("usr/bin/helper")],
            ..LayerScan::default()
        };
        let overlay = Overlay::new(vec![&l0, &l1]);
        let r = report(
            vec![
                layer(0, Origin::Base, 1, 0),
                layer(1, Origin::Authored, 0, 0),
            ],
            vec![package("tool", 0, Origin::Base, "MIT")],
        );
        let files: Arc<[String]> = [
            "usr",
            "usr/bin",
            "usr/bin/tool",
            "bin/helper",
            "etc/tool.conf",
        ]
        .map(String::from)
        .into();
        let mut out = Vec::new();
        overwritten_base_files(&r, &overlay, &[Some(files)], &mut out);
        assert_eq!(kinds(&out), ["authored-overwrite"]);
        assert!(
            out[0].message().contains("replaces 2 file(s)"),
            "{}",
            out[0].message()
        );
        assert!(out[0].message().contains("/usr/bin/tool, /bin/helper"));
        assert_eq!(out[0].path.as_deref(), Some("/usr/bin/tool"));
        assert_eq!(out[0].layer, Some(1));
        assert!(
            matches!(&out[0].kind, FindingKind::AuthoredOverwrite { package, version, files, .. }
                if package == "tool" && version == "1.0" && files.len() == 2),
            "{:?}",
            out[0].kind
        );
    }

    #[test]
    fn unknown_and_unlisted_licenses() {
        let r = report(
            vec![layer(0, Origin::Base, 3, 0)],
            vec![
                package("a", 0, Origin::Base, "NOASSERTION"),
                package("b", 0, Origin::Base, "LicenseRef-Debian-MIT"),
                package("c", 0, Origin::Base, "GPL-2.0-only AND LicenseRef-x"),
                package("d", 0, Origin::Base, "MIT"),
            ],
        );
        let mut out = Vec::new();
        licenses(&r, &mut out);
        assert_eq!(kinds(&out), ["license-unknown", "license-unlisted"]);
        assert_eq!(out[0].severity(), Severity::Warning);
        assert!(out[1]
            .message()
            .contains("deb b 1.0 is under LicenseRef-Debian-MIT"));
    }

    #[test]
    fn packages_without_a_supplier_are_named_once_per_layer_and_type() {
        let supplied = |name: &str, layer: usize, kind: &str, supplier: Option<&str>| Package {
            kind: kind.into(),
            supplier: supplier.map(Into::into),
            ..package(name, layer, Origin::Authored, "MIT")
        };
        let r = report(
            vec![
                layer(0, Origin::Base, 1, 0),
                layer(1, Origin::Authored, 4, 0),
            ],
            vec![
                supplied(
                    "libc6",
                    0,
                    "deb",
                    Some("GNU Libc Maintainers <x@example.org>"),
                ),
                supplied("ms", 1, "npm", None),
                supplied("debug", 1, "npm", Some(" ")),
                supplied("ws", 1, "npm", Some("Person: Einar Otto Stangvik")),
                supplied("itoa", 1, "cargo", None),
                supplied("tool", 0, "deb", None),
            ],
        );
        let mut out = Vec::new();
        suppliers(&r, &mut out);
        let found: Vec<(Option<usize>, &Unsupplied)> = out
            .iter()
            .map(|f| match &f.kind {
                FindingKind::SupplierUnknown(u) => (f.layer, u),
                other => panic!("{other:?}"),
            })
            .collect();
        let pkgs = |layer, t: &str, names: &[&str]| Unsupplied::Packages {
            layer,
            package_type: t.into(),
            packages: names
                .iter()
                .map(|n| (n.to_string(), "1.0".into()))
                .collect(),
        };
        assert_eq!(
            found,
            [
                (Some(0), &pkgs(0, "deb", &["tool"])),
                (Some(1), &pkgs(1, "cargo", &["itoa"])),
                (Some(1), &pkgs(1, "npm", &["debug", "ms"])),
            ]
        );
        assert_eq!(out[2].kind.name(), "supplier-unknown");
        assert!(
            out[2].message().ends_with(": debug 1.0, ms 1.0"),
            "{}",
            out[2].message()
        );
    }
}
