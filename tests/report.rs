//! The approval report (`report-md`, `report-html`) of the sample image: its sections, a
//! self-contained HTML (no script, no external resource), escaping, Markdown tables that
//! keep their columns, and byte-identical output.

mod common;

use std::path::Path;
use std::process::Command;

fn render(image: &Path, format: &str, extra: &[&str]) -> String {
    let mut args = vec!["scan", image.to_str().unwrap(), "-q", "-o", format];
    args.extend_from_slice(extra);
    let out = Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_NO_CACHE", "1")
        .args(&args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn sample_dockerfile() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples/Dockerfile")
        .to_str()
        .unwrap()
        .to_string()
}

/// The values of every `attr="…"` in `html`.
fn attributes<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!(" {attr}=\"");
    html.match_indices(&pat)
        .filter_map(|(i, _)| {
            let rest = &html[i + pat.len()..];
            rest.find('"').map(|e| &rest[..e])
        })
        .collect()
}

#[test]
fn html_has_every_section_the_chart_and_no_external_resource() {
    let df = sample_dockerfile();
    let html = render(
        &common::sample(),
        "report-html",
        &[
            "--dockerfile",
            &df,
            "--source-archive",
            "debian=https://archive.example/package/{name}/{version}/",
        ],
    );
    assert!(html.starts_with("<!DOCTYPE html>"));
    for id in [
        "checklist",
        "findings",
        "image",
        "base",
        "layers",
        "modified",
        "installed",
        "inventory",
        "licenses",
        "obligations",
    ] {
        assert!(html.contains(&format!("<h2 id=\"{id}\">")), "section {id}");
        // The table of contents links every section.
        assert!(
            html.contains(&format!("<a href=\"#{id}\">")),
            "contents: {id}"
        );
    }
    // One table per section with rows: checklist, findings, image, base, layers, own files,
    // installed, inventory, licenses by category and by name, obligations, sources.
    assert_eq!(html.matches("<table").count(), 12, "{html}");
    // The chart: one bar label per layer, bars for the layers with packages.
    let svg_start = html.find("<svg xmlns").unwrap();
    let svg = &html[svg_start..html[svg_start..].find("</svg>").unwrap() + svg_start];
    for i in 0..3 {
        assert!(svg.contains(&format!(">layer {i} · ")), "bar label {i}");
    }
    // Bars stacked by license category: the base layer's packages are strong copyleft and
    // permissive (zlib1g), our jq layer's strong copyleft.
    assert!(svg.contains("<rect class=\"cat-strong-copyleft\""));
    assert!(svg.contains("<rect class=\"cat-permissive\""));
    // Self-contained.
    let lower = html.to_ascii_lowercase();
    for banned in ["<script", "<link", "<iframe", "<img", "@import", "url("] {
        assert!(!lower.contains(banned), "{banned}");
    }
    assert!(attributes(&html, "src").is_empty(), "src= found");
    // Links go to the report's own sections, or to where a source package can be obtained.
    let hrefs = attributes(&html, "href");
    assert!(hrefs.iter().any(|h| h.starts_with("https:")), "{hrefs:?}");
    for h in hrefs {
        match h.strip_prefix('#') {
            Some(id) => assert!(html.contains(&format!(" id=\"{id}\"")), "{h}"),
            None => assert!(h.starts_with("https:&#x2f;&#x2f;"), "{h}"),
        }
    }
    // The only URL-like strings are the SVG namespace and values from the image.
    assert!(attributes(&html, "xmlns")
        .iter()
        .all(|v| *v == "http://www.w3.org/2000/svg"));
    // The checklist answers from evidence.
    assert!(html.contains("does not pin it by digest (line 4)"));
    assert!(html.contains("source to offer for 7 source packages. See Obligations."));
    // (minijinja escapes `/` in HTML text.)
    assert!(html.contains("archive.example&#x2f;package&#x2f;glibc&#x2f;"));
    // The chart has an axis with ticks, and each layer's size beside its bar.
    assert!(svg.contains("class=\"axis\""));
    assert!(svg.contains(">packages</text>"));
    assert!(svg.contains("<tspan class=\"size\">· "));
}

/// The report and the exit code of `layerbom` with `args`, `SOURCE_DATE_EPOCH` as given.
fn run(args: &[&str], epoch: Option<&str>) -> (String, Option<i32>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_layerbom"));
    cmd.env("LAYERBOM_NO_CACHE", "1")
        .env_remove("SOURCE_DATE_EPOCH");
    if let Some(e) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", e);
    }
    let out = cmd.args(args).output().unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

#[test]
fn the_verdict_counts_the_policy_findings_and_checklist() {
    let sample = common::sample();
    let img = sample.to_str().unwrap();
    let df = sample_dockerfile();
    // The policy refuses the sample's GPL packages: blocked, and the report says by what.
    let (md, code) = run(
        &[
            "scan",
            img,
            "-q",
            "--dockerfile",
            &df,
            "--fail-on",
            "strong-copyleft",
            "-o",
            "report-md",
        ],
        Some("1700000000"),
    );
    assert_eq!(code, Some(1), "the policy fails the scan");
    assert!(md.contains("\n## Verdict: blocked\n"), "{md}");
    assert!(
        md.contains("distributed packages match --fail-on strong-copyleft: "),
        "{md}"
    );
    assert!(
        md.contains("**Policy:** `--fail-on strong-copyleft`"),
        "{md}"
    );
    // A policy nothing matches: no longer blocked, and it says the policy passed.
    let (md, code) = run(
        &[
            "scan",
            img,
            "-q",
            "--dockerfile",
            &df,
            "--deny",
            "AGPL-3.0",
            "-o",
            "report-md",
        ],
        Some("1700000000"),
    );
    assert_eq!(code, Some(0));
    assert!(!md.contains("## Verdict: blocked"), "{md}");
    assert!(
        md.contains("- nothing matches the policy (--deny AGPL-3.0)"),
        "{md}"
    );
    // No policy: a person must review the licenses.
    let (html, _) = run(
        &["scan", img, "-q", "-o", "report-html"],
        Some("1700000000"),
    );
    assert!(html.contains("<h2>Verdict: needs review</h2>"), "{html}");
    assert!(html.contains("no license policy was given"), "{html}");
    // `convert` writes the same report from the native JSON and the same flags.
    let dir = tempfile::tempdir().unwrap();
    let native = dir.path().join("n.json");
    let (json, _) = run(
        &["scan", img, "-q", "--dockerfile", &df, "-o", "json"],
        Some("1700000000"),
    );
    std::fs::write(&native, json).unwrap();
    let flags = ["--fail-on", "strong-copyleft", "-o", "report-html"];
    let mut scan = vec!["scan", img, "-q", "--dockerfile", &df];
    scan.extend(flags);
    let mut convert = vec!["convert", native.to_str().unwrap()];
    convert.extend(flags);
    let (a, _) = run(&scan, Some("1700000000"));
    let (b, _) = run(&convert, Some("1700000000"));
    assert!(a.contains("Verdict: blocked"));
    assert_eq!(a, b);
}

#[test]
fn the_delivery_mode_is_stated_and_the_inventory_is_whole() {
    let sample = common::sample();
    let img = sample.to_str().unwrap();
    let (image, _) = run(&["scan", img, "-q", "-o", "report-md"], Some("1700000000"));
    let (layers, _) = run(
        &["scan", img, "-q", "--delivery", "layers", "-o", "report-md"],
        Some("1700000000"),
    );
    assert!(
        image.contains("**Delivery:** `--delivery image`."),
        "{image}"
    );
    assert!(
        layers.contains("**Delivery:** `--delivery layers`."),
        "{layers}"
    );
    assert!(layers.contains(", 1 source package to offer."), "{layers}");
    assert!(image.contains(", 7 source packages to offer."), "{image}");
    for md in [&image, &layers] {
        // Every package, the base image's too, in the inventory.
        let inv = &md[md.find("\n## Inventory\n").unwrap()..md.find("\n## Licenses\n").unwrap()];
        assert!(inv.contains("| libc6 | "), "{inv}");
        assert!(inv.contains("| jq | "), "{inv}");
        assert!(inv.contains(" | base | "), "{inv}");
        assert!(inv.contains(" | authored | "), "{inv}");
        let rows = inv
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| Package"))
            .count();
        // The sample's 12 packages, as the contents count them.
        assert_eq!(rows, 12, "{inv}");
        assert!(md.contains("[Inventory](#inventory) (12)"), "{md}");
    }
    // The base image is not distributed in `layers` mode.
    assert!(layers.contains(" | base | ") && layers.contains(" | no |"));
    assert!(!image.contains(" | no |"));
    // A table of contents.
    assert!(image.contains("\n## Contents\n"));
    assert!(image.contains("[Inventory](#inventory)"));
}

#[test]
fn counts_are_plural_only_when_more_than_one() {
    let sample = common::sample();
    let df = sample_dockerfile();
    for format in ["report-md", "report-html"] {
        let (out, _) = run(
            &[
                "scan",
                sample.to_str().unwrap(),
                "-q",
                "--dockerfile",
                &df,
                "-o",
                format,
            ],
            Some("1700000000"),
        );
        for bad in [
            "1 errors",
            "1 warnings",
            "1 notes",
            "1 packages",
            "1 layers",
            "1 source packages",
            "(s)",
        ] {
            let hit = out.match_indices(bad).find(|(i, _)| {
                // "11 warnings" is right.
                !out[..*i].ends_with(|c: char| c.is_ascii_digit())
            });
            assert!(hit.is_none(), "{format}: {bad:?} in {out}");
        }
    }
}

#[test]
fn an_epoch_zero_image_is_dated_1970_and_says_why() {
    // The sample was built reproducibly: its configuration says 1970-01-01T00:00:00Z.
    let sample = common::sample();
    let (md, _) = run(
        &["scan", sample.to_str().unwrap(), "-q", "-o", "report-md"],
        None,
    );
    assert!(
        md.contains("dated 1970-01-01T00:00:00Z (a placeholder: see below)"),
        "{md}"
    );
    assert!(md.contains("(epoch 0), as reproducible builders"), "{md}");
    assert!(md.contains("Set SOURCE_DATE_EPOCH to date them."), "{md}");
    let (md, _) = run(
        &["scan", sample.to_str().unwrap(), "-q", "-o", "report-md"],
        Some("1700000000"),
    );
    assert!(
        md.contains("Documents are dated 2023-11-14T22:13:20Z, from SOURCE_DATE_EPOCH."),
        "{md}"
    );
    assert!(!md.contains("placeholder"), "{md}");
}

#[test]
fn values_from_the_image_and_the_dockerfile_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("a<b>&\"c");
    common::copy_dir(&common::fixtures().join("oci-gzip"), &image);
    let df = common::write(
        dir.path(),
        "Dockerfile",
        b"FROM alpine:3\nADD https://x.example/<script>alert(1)</script> /\n",
    );
    let html = render(
        &image,
        "report-html",
        &["--dockerfile", df.to_str().unwrap()],
    );
    assert!(!html.contains("<script>"));
    assert!(html.contains("x.example&#x2f;&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(html.contains("a&lt;b&gt;&amp;&quot;c"));
}

#[test]
fn markdown_tables_keep_their_columns_and_output_is_deterministic() {
    let df = sample_dockerfile();
    let md = render(&common::sample(), "report-md", &["--dockerfile", &df]);
    for h in [
        "## Checklist",
        "## Findings",
        "## Image",
        "## Base image",
        "## Layers",
        "## What our Dockerfile created or modified",
        "## Components our layers installed unmodified",
        "## Inventory",
        "## Licenses",
        "## Obligations",
    ] {
        assert!(md.contains(&format!("\n{h}\n")), "{h}");
    }
    let pipes = |line: &str| {
        let b = line.as_bytes();
        (0..b.len())
            .filter(|&i| b[i] == b'|' && (i == 0 || b[i - 1] != b'\\'))
            .count()
    };
    let mut table: Option<usize> = None;
    for line in md.lines() {
        if line.starts_with('|') {
            let n = pipes(line);
            match table {
                Some(cols) => assert_eq!(n, cols, "{line}"),
                None => table = Some(n),
            }
        } else {
            table = None;
        }
    }
    assert!(md.contains("| 2 | authored | `COPY opt/demo /opt/demo # buildkit` |"));
    assert!(md.contains("| jq | 1.6-2.1+deb12u3 | deb | 1 |"));
    let again = render(&common::sample(), "report-md", &["--dockerfile", &df]);
    assert_eq!(md, again);
}
