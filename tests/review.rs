//! Reviewer decisions and approved base images, kept in the configuration file, end to end:
//! a license concluded by a person, accepted licenses, acknowledged findings, unused
//! entries, and the base image checked against the approved ones, with their exit codes
//! and what `convert` makes of the documents.

mod common;

use std::path::Path;
use std::process::Output;

use common::{assert_valid, oci_layout, sample, tar_of, E, NATIVE_SCHEMA};

/// Writes `text` as the `layerbom.toml` of `dir`.
fn configure(dir: &Path, text: &str) {
    std::fs::write(dir.join("layerbom.toml"), text).unwrap();
}

/// Runs `layerbom ARGS` in `dir` (where its `layerbom.toml` is).
fn run_in(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .current_dir(dir)
        .env("LAYERBOM_NO_CACHE", "1")
        .args(args)
        .output()
        .expect("run layerbom")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(path: &Path) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_valid(&doc, NATIVE_SCHEMA);
    doc
}

/// The first entry of `doc[list]` whose `field` is `value`.
fn first<'a>(
    doc: &'a serde_json::Value,
    list: &str,
    field: &str,
    value: &str,
) -> Option<&'a serde_json::Value> {
    doc[list].as_array()?.iter().find(|e| e[field] == value)
}

fn kinds(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

const DECISIONS: &str = r#"
[[review.license]]
name = "netbase"
version = "6.4"
license = "GPL-2.0-or-later"
reason = "the copyright file's header paragraph says GPL-2 or later"
reviewer = "Jane Doe <jane@acme.example>"

[[review.license]]
purl = "pkg:deb/debian/nothere@1.0"
license = "MIT"
reason = "written for another image"
reviewer = "Jane Doe"

[[review.accept]]
license = "GCC-exception-3.1"
reason = "the runtime library exception covers what we link"
reviewer = "OSPO <ospo@acme.example>"

[[review.accept]]
license = "epl-2.0"
reason = "no package of ours uses it"
reviewer = "OSPO"
"#;

#[test]
fn a_reviewers_license_enters_every_document_and_unused_entries_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    configure(dir.path(), DECISIONS);
    let image = sample();
    let out = run_in(
        dir.path(),
        &[
            "scan",
            image.to_str().unwrap(),
            "-q",
            "-o",
            "json=scan.json",
            "-o",
            "spdx-json=scan.spdx.json",
            "-o",
            "cyclonedx-json=scan.cdx.json",
            "-o",
            "report-md=report.md",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&dir.path().join("scan.json"));
    let netbase = first(&doc, "packages", "name", "netbase").unwrap();
    let license = &netbase["license"];
    assert_eq!(license["concluded"], "GPL-2.0-or-later");
    assert_eq!(license["declared"], "GPL-2", "the declaration stays");
    let evidence = &license["evidence"][0];
    assert_eq!(evidence["method"], "reviewer");
    assert_eq!(evidence["path"], "layerbom.toml");
    assert_eq!(
        evidence["reviewed"]["reviewer"],
        "Jane Doe <jane@acme.example>"
    );
    assert_eq!(license["evidence"].as_array().unwrap().len(), 1);

    let spdx = std::fs::read_to_string(dir.path().join("scan.spdx.json")).unwrap();
    assert!(
        spdx.contains(
            "concluded by reviewer Jane Doe <jane@acme.example>: the copyright file's header \
             paragraph says GPL-2 or later; declared by the package database as: GPL-2"
        ),
        "{spdx}"
    );
    let cdx = std::fs::read_to_string(dir.path().join("scan.cdx.json")).unwrap();
    assert!(cdx.contains("layerbom:license:reviewed"), "{cdx}");

    // The purl written for another image and the license no package has are reported; the
    // accepted exception is used (libgcc-s1 carries it).
    let unused: Vec<(String, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "review-unused")
        .map(|f| {
            (
                f["facts"]["table"].as_str().unwrap().to_string(),
                f["facts"]["entry"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        unused,
        [("license".to_string(), 2), ("accept".to_string(), 2)]
    );
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(
        md.contains("**Accepted by reviewers:** GCC-exception-3.1 (the runtime library exception covers what we link; OSPO <ospo@acme.example>)"),
        "{md}"
    );

    // convert with the same file writes the same bytes; without one it keeps them too.
    let out = run_in(
        dir.path(),
        &["convert", "scan.json", "-o", "json=again.json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(dir.path().join("scan.json")).unwrap(),
        std::fs::read(dir.path().join("again.json")).unwrap()
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let copy = elsewhere.path().join("scan.json");
    std::fs::copy(dir.path().join("scan.json"), &copy).unwrap();
    let out = run_in(
        elsewhere.path(),
        &["convert", "scan.json", "-o", "json=kept.json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(elsewhere.path().join("kept.json")).unwrap()
    );
}

#[test]
fn accepted_licenses_pass_fail_on_but_not_deny() {
    let image = sample();
    let image = image.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Without decisions, the sample's GCC runtime libraries are weak copyleft (by their
    // exception) and fail the policy.
    let weak = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            image,
            "-q",
            "-o",
            "json=/dev/null",
            "--fail-on",
            "weak-copyleft",
        ];
        args.extend_from_slice(extra);
        run_in(dir.path(), &args)
    };
    let bare = weak(&[]);
    assert_eq!(bare.status.code(), Some(1), "{}", stderr(&bare));
    assert!(stderr(&bare).contains("libgcc-s1"), "{}", stderr(&bare));
    configure(
        dir.path(),
        "[[review.accept]]\nlicense = \"GCC-exception-3.1\"\nreason = \"linking exception\"\nreviewer = \"OSPO\"\n\
         [[review.accept]]\nlicense = \"GFDL-1.2\"\nreason = \"documentation only\"\nreviewer = \"OSPO\"\n\
         [[review.accept]]\nlicense = \"LGPL-2.0\"\nreason = \"dynamic linking\"\nreviewer = \"OSPO\"\n\
         [[review.accept]]\nlicense = \"LGPL-2.1\"\nreason = \"dynamic linking\"\nreviewer = \"OSPO\"\n\
         [[review.accept]]\nlicense = \"MPL-2.0\"\nreason = \"unmodified files\"\nreviewer = \"OSPO\"\n\
         [[review.accept]]\nlicense = \"Artistic-1.0-Perl\"\nreason = \"build scripts\"\nreviewer = \"OSPO\"\n",
    );
    let accepted = weak(&[]);
    assert_eq!(accepted.status.code(), Some(0), "{}", stderr(&accepted));
    let denied = weak(&["--deny", "mpl-2.0"]);
    assert_eq!(denied.status.code(), Some(1), "{}", stderr(&denied));
    assert!(
        stderr(&denied).contains("ca-certificates"),
        "{}",
        stderr(&denied)
    );
}

/// An image whose second layer deletes a `.netrc` with a password the first added.
fn secret_image(dir: &Path) {
    let base = tar_of(&[E::File(
        "root/.netrc",
        b"machine git.example.org\n  login ci\n  password 9f8e7d6c\n",
    )]);
    let cleanup = tar_of(&[E::File("root/.wh..netrc", b"")]);
    oci_layout(dir, &[base, cleanup]);
}

#[test]
fn an_acknowledged_finding_stays_but_no_longer_blocks() {
    let image = tempfile::tempdir().unwrap();
    secret_image(image.path());
    let img = image.path().to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let before = run_in(dir.path(), &["scan", img, "-q", "-o", "report-md"]);
    let md = String::from_utf8_lossy(&before.stdout);
    assert!(md.contains("## Verdict: blocked"), "{md}");

    configure(
        dir.path(),
        "[[review.acknowledge]]\nkind = \"deleted-secret\"\npath = \"root/.netrc\"\n\
         reason = \"a revoked test credential\"\nreviewer = \"Jane Doe\"\n",
    );
    let out = run_in(
        dir.path(),
        &[
            "scan",
            img,
            "-q",
            "-o",
            "json=scan.json",
            "-o",
            "report-md=r.md",
            "-o",
            "report-html=r.html",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&dir.path().join("scan.json"));
    let secret = first(&doc, "findings", "kind", "deleted-secret").expect("the finding stays");
    assert_eq!(secret["severity"], "error");
    assert_eq!(
        secret["acknowledged"]["reason"],
        "a revoked test credential"
    );
    assert!(!kinds(&doc).contains(&"review-unused".to_string()));
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(!md.contains("## Verdict: blocked"), "{md}");
    assert!(md.contains("- 1 finding acknowledged by reviewers"), "{md}");
    assert!(
        md.contains("(acknowledged by Jane Doe: a revoked test credential)"),
        "{md}"
    );
    assert!(
        md.contains(
            "Acknowledged by reviewers: /root/.netrc by Jane Doe (a revoked test credential)."
        ),
        "{md}"
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("1 acknowledged"), "{html}");
}

#[test]
fn decisions_that_cannot_be_used_are_usage_errors_naming_the_file() {
    let image = sample();
    let image = image.to_str().unwrap();
    for (text, says) in [
        (
            "[[review.license]]\nname = \"netbase\"\nlicense = \"GPL-2.0-or-later\"\nreviewer = \"J\"\n",
            "[review]: missing field `reason`",
        ),
        (
            "[[review.license]]\nname = \"netbase\"\nlicense = \"GPL two\"\nreason = \"r\"\nreviewer = \"J\"\n",
            "review.license #1: license \"GPL two\" is not a valid SPDX expression",
        ),
        (
            "[[review.accept]]\nlicense = \"Nonsense-1.0\"\nreason = \"r\"\nreviewer = \"J\"\n",
            "review.accept #1: license \"Nonsense-1.0\" is not an SPDX license",
        ),
        (
            "[[review.acknowledge]]\nkind = \"deleted-secret\"\nreason = \" \"\nreviewer = \"J\"\n",
            "review.acknowledge #1: reason is empty",
        ),
        ("[[review.waive]]\nkind = \"x\"\n", "unknown field `waive`"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        configure(dir.path(), text);
        let out = run_in(dir.path(), &["scan", image, "-q", "-o", "json=out.json"]);
        assert_eq!(out.status.code(), Some(2), "{text}: {}", stderr(&out));
        let e = stderr(&out);
        assert!(e.contains("layerbom.toml") && e.contains(says), "{text}: {e}");
        assert!(!dir.path().join("out.json").exists(), "nothing written");
    }
}

/// Scans the sample with its Dockerfile (`FROM debian:bookworm-slim`) and `extra`.
fn sample_with_base(extra: &[&str]) -> (Output, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let image = sample();
    let dockerfile = image.parent().unwrap().join("Dockerfile");
    let out_path = dir.path().join("out.json");
    let out_arg = format!("json={}", out_path.display());
    let mut args = vec![
        "scan",
        image.to_str().unwrap(),
        "-q",
        "--dockerfile",
        dockerfile.to_str().unwrap(),
        "-o",
        &out_arg,
    ];
    args.extend_from_slice(extra);
    let out = run_in(dir.path(), &args);
    let doc = match out_path.exists() {
        true => json(&out_path),
        false => serde_json::Value::Null,
    };
    (out, doc)
}

fn base_finding(doc: &serde_json::Value) -> Option<serde_json::Value> {
    first(doc, "findings", "kind", "unapproved-base")
        .or_else(|| first(doc, "findings", "kind", "base-approved"))
        .cloned()
}

#[test]
fn the_base_image_is_checked_against_the_approved_ones() {
    // A repository approved whole: the base is approved, the policy passes.
    let (out, doc) =
        sample_with_base(&["--approved-base", "debian", "--fail-on", "unapproved-base"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let f = base_finding(&doc).unwrap();
    assert_eq!(f["kind"], "base-approved");
    assert_eq!(f["facts"]["entry"], "debian");

    // Approved only at another tag: unapproved, exit 1 with --fail-on unapproved-base.
    let (out, doc) = sample_with_base(&[
        "--approved-base",
        "docker.io/library/debian:bookworm",
        "--approved-base",
        "registry.example.org/base/ubi",
        "--fail-on",
        "unapproved-base",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "the base image debian:bookworm-slim is not an approved base image (--fail-on unapproved-base)"
        ),
        "{}",
        stderr(&out)
    );
    let f = base_finding(&doc).unwrap();
    assert_eq!(f["kind"], "unapproved-base");
    assert_eq!(f["severity"], "warning");
    assert_eq!(
        f["facts"]["why"]["other-version"]["entries"][0],
        "docker.io/library/debian:bookworm"
    );

    // Approved by another digest.
    let digest = format!("sha256:{}", "a".repeat(64));
    let pinned = format!("debian@{digest}");
    let (out, doc) = sample_with_base(&["--approved-base", &pinned]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "no policy, no failure: {}",
        stderr(&out)
    );
    assert_eq!(base_finding(&doc).unwrap()["kind"], "unapproved-base");

    // Not listed at all; and the checklist says so.
    let (_, doc) = sample_with_base(&["--approved-base", "ubuntu"]);
    assert_eq!(base_finding(&doc).unwrap()["facts"]["why"], "not-listed");

    // Without the approved list, --fail-on unapproved-base is a usage error, before reading.
    let (out, _) = sample_with_base(&["--fail-on", "unapproved-base"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--approved-base"), "{}", stderr(&out));
}

#[test]
fn an_unnamed_base_cannot_be_approved_and_the_config_file_holds_the_list() {
    let dir = tempfile::tempdir().unwrap();
    configure(
        dir.path(),
        "approved-base = [\"debian\"]\nfail-on = [\"unapproved-base\"]\n",
    );
    let image = sample();
    // The sample alone: the history ends the base, but nothing names it.
    let out = run_in(
        dir.path(),
        &[
            "scan",
            image.to_str().unwrap(),
            "-q",
            "-o",
            "json=out.json",
            "-o",
            "report-md=r.md",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&dir.path().join("out.json"));
    let f = base_finding(&doc).unwrap();
    assert_eq!(f["facts"]["why"], "unnamed");
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(md.contains("## Verdict: blocked"), "{md}");
    assert!(
        md.contains("| Where does the base image come from, and is it pinned? | **attention** |"),
        "{md}"
    );

    // Acknowledged, the unnamed base no longer fails the policy.
    configure(
        dir.path(),
        "approved-base = [\"debian\"]\nfail-on = [\"unapproved-base\"]\n\
         [[review.acknowledge]]\nkind = \"unapproved-base\"\n\
         reason = \"built from our own debootstrap\"\nreviewer = \"Security <sec@acme.example>\"\n",
    );
    let out = run_in(
        dir.path(),
        &["scan", image.to_str().unwrap(), "-q", "-o", "json=out.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // The same list in the variable is read too.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_NO_CACHE", "1")
        .env("LAYERBOM_APPROVED_BASE", "debian")
        .env("LAYERBOM_FAIL_ON", "unapproved-base")
        .args([
            "scan",
            image.to_str().unwrap(),
            "-q",
            "-o",
            "json=/dev/null",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}
