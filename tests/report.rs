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
    let html = render(&common::sample(), "report-html", &["--dockerfile", &df]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for id in [
        "checklist",
        "findings",
        "image",
        "base",
        "layers",
        "modified",
        "installed",
        "licenses",
        "obligations",
    ] {
        assert!(html.contains(&format!("<h2 id=\"{id}\">")), "section {id}");
    }
    // One table per section with rows: checklist, findings, image, base, layers, own files,
    // installed, licenses by category and by name, obligations, sources.
    assert_eq!(html.matches("<table").count(), 11, "{html}");
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
    for attr in ["src", "href"] {
        assert!(attributes(&html, attr).is_empty(), "{attr}= found");
    }
    // The only URL-like strings are the SVG namespace and values from the image.
    assert!(attributes(&html, "xmlns")
        .iter()
        .all(|v| *v == "http://www.w3.org/2000/svg"));
    // The checklist answers from evidence.
    assert!(html.contains("does not pin it by digest (line 4)"));
    assert!(html.contains("source to offer for 7 source package(s). See Obligations."));
    // (minijinja escapes `/` in HTML text.)
    assert!(html.contains("snapshot.debian.org&#x2f;package&#x2f;glibc&#x2f;"));
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
