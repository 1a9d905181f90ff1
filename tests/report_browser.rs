//! The HTML approval report in a real browser (Debian's `chromium`, headless) at 1280 px:
//! nothing may be wider than the page or than its container, for the sample and for a
//! large report (the distroless-like fixture, its findings given paths and messages far
//! longer than a line, and every package's license a long repeated expression). A
//! screenshot of the top and of the findings of each is written under
//! `$LAYERBOM_SCREENSHOTS` (default `target/screenshots`), for CI to keep.
//!
//! The fleet report (`layerbom fleet-report -o html`) of a small fleet is held to the same
//! rule.
//!
//! Without chromium the test fails when `CI` is set, and says loudly that it did not run
//! otherwise.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const WIDTH: u32 = 1280;

fn layerbom(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_NO_CACHE", "1")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The browser: `$LAYERBOM_CHROMIUM`, else `chromium` or `chromium-browser` on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LAYERBOM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Measures, once the page is laid out, the document's width against the viewport's and
/// every element whose box reaches past its parent's (an element inside a scrolling box,
/// such as the chart's, is that box's business), and writes the result into the page.
const PROBE: &str = r#"<script>
(function () {
  var vw = document.documentElement.clientWidth;
  var bad = [];
  var all = document.body.getElementsByTagName('*');
  for (var i = 0; i < all.length && bad.length < 20; i++) {
    var el = all[i], parent = el.parentElement;
    if (!parent || el.closest('.chart') || el.tagName === 'SCRIPT') continue;
    var r = el.getBoundingClientRect(), p = parent.getBoundingClientRect();
    if (r.width === 0) continue;
    if (r.right > p.right + 1 || r.right > vw + 1 || el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible' && el.clientWidth > 0) {
      bad.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') +
        ' right ' + Math.round(r.right) + ' > ' + Math.round(Math.min(p.right, vw)) +
        ' (scrollWidth ' + el.scrollWidth + ', clientWidth ' + el.clientWidth + '): ' +
        (el.textContent || '').slice(0, 60));
    }
  }
  var out = document.createElement('pre');
  out.id = 'layerbom-probe';
  out.textContent = JSON.stringify({
    innerWidth: window.innerWidth, clientWidth: vw,
    scrollWidth: document.documentElement.scrollWidth, bad: bad,
    checklistQuestionWidth: (function () {
      var th = document.querySelector('#checklist + table th');
      return th ? Math.round(th.getBoundingClientRect().width) : 0;
    })()
  });
  document.body.appendChild(out);
})();
</script>
"#;

/// What the probe found.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Measure {
    inner_width: u32,
    client_width: u32,
    scroll_width: u32,
    bad: Vec<String>,
    checklist_question_width: u32,
}

fn run(browser: &Path, args: &[&str], url: &str) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .unwrap();
    common::succeeded(out, browser)
}

fn measure(browser: &Path, html: &str, dir: &Path) -> Measure {
    let probe = dir.join("probe.html");
    std::fs::write(&probe, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
    let out = run(
        browser,
        &[&format!("--window-size={WIDTH},900"), "--dump-dom"],
        &format!("file://{}", probe.display()),
    );
    let dom = String::from_utf8(out.stdout).unwrap();
    let start = dom
        .find("<pre id=\"layerbom-probe\">")
        .unwrap_or_else(|| panic!("the probe did not run: {dom:.2000}"));
    let json = &dom[start + "<pre id=\"layerbom-probe\">".len()..];
    let json = &json[..json.find("</pre>").unwrap()];
    let json = json
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// A screenshot of `page` at 1280 × `height`, from the element of id `fragment` on
/// (headless chromium shows the top of a page whatever its URL's fragment or scroll, so a
/// copy of the page drops what comes before that element; the layout of the rest is the
/// same, the table widths do not depend on the sections above).
fn screenshot(browser: &Path, page: &Path, fragment: &str, png: &Path, height: u32) {
    let _ = std::fs::remove_file(png);
    let page = if fragment.is_empty() {
        page.to_path_buf()
    } else {
        let html = std::fs::read_to_string(page).unwrap();
        let scrolled = page.with_extension("scrolled.html");
        let script = format!(
            "<script>var f = document.getElementById('{fragment}'); while (f.previousElementSibling) f.previousElementSibling.remove();</script></body>"
        );
        std::fs::write(&scrolled, html.replace("</body>", &script)).unwrap();
        scrolled
    };
    run(
        browser,
        &[
            &format!("--window-size={WIDTH},{height}"),
            &format!("--screenshot={}", png.display()),
        ],
        &format!("file://{}", page.display()),
    );
    let bytes = std::fs::read(png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG"),
        "{} is not a PNG",
        png.display()
    );
}

fn screenshots_dir() -> PathBuf {
    let dir = std::env::var_os("LAYERBOM_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
            target.join("screenshots")
        });
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The distroless-like fixture's native JSON, made large: each finding again with a path
/// of 300 characters without a break and a message of many words, and every package's
/// license a long expression of repeated terms.
fn large_native(dir: &Path) -> PathBuf {
    let image =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images/distroless-like.tar");
    let json = layerbom(&["scan", image.to_str().unwrap(), "-q", "-o", "json"]);
    let mut doc: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let long_path = format!(
        "/usr/share/{}/{}.conf",
        "very-long-directory-name-without-any-break".repeat(5),
        "x".repeat(80)
    );
    let findings = doc["findings"].as_array().unwrap().clone();
    assert!(!findings.is_empty(), "the fixture has findings");
    let mut more = Vec::new();
    for f in &findings {
        let mut f = f.clone();
        f["path"] = serde_json::Value::String(long_path.clone());
        more.push(f);
    }
    let packages = doc["packages"].as_array_mut().unwrap();
    assert!(packages.len() >= 3, "the fixture has packages");
    let ldap = ["(OLDAP-2.8 AND BSD-3-Clause AND LicenseRef-averyveryverylonglicensereferencewithoutbreaks)"; 20].join(" AND ");
    for p in packages.iter_mut() {
        p["license"]["concluded"] = serde_json::Value::String(ldap.clone());
    }
    doc["findings"].as_array_mut().unwrap().extend(more);
    let path = dir.join("large.json");
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    path
}

#[test]
fn html_report_fits_1280_pixels_in_chromium() {
    let Some(browser) = chromium() else {
        if in_ci() {
            panic!("chromium is not installed: the browser test must run in CI (apt-get install chromium)");
        }
        eprintln!("\n*** SKIPPED: html_report_fits_1280_pixels_in_chromium: no chromium on the PATH (apt-get install chromium); it fails in CI ***\n");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let shots = screenshots_dir();
    let sample = common::sample();
    let dockerfile = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/Dockerfile");
    let sample_html = layerbom(&[
        "scan",
        sample.to_str().unwrap(),
        "-q",
        "--dockerfile",
        dockerfile.to_str().unwrap(),
        "--fail-on",
        "network-copyleft",
        "-o",
        "report-html",
    ]);
    let large = large_native(dir.path());
    let large_html = layerbom(&["convert", large.to_str().unwrap(), "-o", "report-html"]);
    for (name, html) in [("sample", sample_html), ("large", large_html)] {
        let html = String::from_utf8(html).unwrap();
        if name == "large" {
            // The long expression is shown once, the path whole.
            assert!(html.contains("OLDAP-2.8 AND BSD-3-Clause AND LicenseRef-"));
            assert_eq!(html.matches("(OLDAP-2.8 AND").count(), 0);
            assert!(html.contains(&"x".repeat(80)));
        }
        let page = dir.path().join(format!("{name}.html"));
        std::fs::write(&page, &html).unwrap();
        let m = measure(&browser, &html, dir.path());
        assert_eq!(
            m.inner_width, WIDTH,
            "{name}: the viewport is {WIDTH} px wide"
        );
        assert!(
            m.scroll_width <= m.client_width,
            "{name}: the page scrolls sideways: {} px wide in a {} px viewport; {:#?}",
            m.scroll_width,
            m.client_width,
            m.bad
        );
        assert!(
            m.bad.is_empty(),
            "{name}: elements wider than their container: {:#?}",
            m.bad
        );
        assert!(
            m.checklist_question_width >= 250,
            "{name}: the checklist's question column is {} px",
            m.checklist_question_width
        );
        screenshot(
            &browser,
            &page,
            "",
            &shots.join(format!("report-{name}-top.png")),
            1400,
        );
        screenshot(
            &browser,
            &page,
            "findings",
            &shots.join(format!("report-{name}-findings.png")),
            1000,
        );
    }
}

/// The fleet report of a small fleet (fixtures, one given a file name far longer than a
/// line), from an inventory in a PostgreSQL server of the test's own.
fn fleet_html(dir: &Path) -> String {
    let pg = common::pg_server::Postgres::start();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images");
    let long = dir.join(format!(
        "{}.tar",
        "a-very-long-image-file-name-without-any-break".repeat(4)
    ));
    std::fs::copy(fixtures.join("docker-archive.tar"), &long).unwrap();
    let list: Vec<String> = ["distroless-like.tar", "oci-gzip", "rootfs.tar"]
        .iter()
        .map(|f| fixtures.join(f).display().to_string())
        .chain([long.display().to_string()])
        .collect();
    let list_file = dir.join("fleet.txt");
    std::fs::write(&list_file, list.join("\n")).unwrap();
    let out_dir = dir.join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_NO_CACHE", "1")
        .env("LAYERBOM_INVENTORY", pg.url())
        .args(["batch", list_file.to_str().unwrap(), "-q"])
        .args(["--fail-on", "strong-copyleft"])
        .args(["--out-dir", out_dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_INVENTORY", pg.url())
        .args(["fleet-report", "-o", "html"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn fleet_report_fits_1280_pixels_in_chromium() {
    let Some(browser) = chromium() else {
        if in_ci() {
            panic!("chromium is not installed: the browser test must run in CI (apt-get install chromium)");
        }
        eprintln!("\n*** SKIPPED: fleet_report_fits_1280_pixels_in_chromium: no chromium on the PATH (apt-get install chromium); it fails in CI ***\n");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = fleet_html(dir.path());
    assert!(html.contains("a-very-long-image-file-name-without-any-break"));
    assert!(html.contains("<td class=\"blocked\">blocked</td>"));
    let page = dir.path().join("fleet.html");
    std::fs::write(&page, &html).unwrap();
    let m = measure(&browser, &html, dir.path());
    assert_eq!(m.inner_width, WIDTH, "the viewport is {WIDTH} px wide");
    assert!(
        m.scroll_width <= m.client_width,
        "the fleet report scrolls sideways: {} px wide in a {} px viewport; {:#?}",
        m.scroll_width,
        m.client_width,
        m.bad
    );
    assert!(
        m.bad.is_empty(),
        "elements wider than their container: {:#?}",
        m.bad
    );
    let shots = screenshots_dir();
    screenshot(
        &browser,
        &page,
        "",
        &shots.join("fleet-report-top.png"),
        1400,
    );
    screenshot(
        &browser,
        &page,
        "owed",
        &shots.join("fleet-report-owed.png"),
        1000,
    );
}
