//! `layerbom dockerfile FILE`: every pattern of the OSPO checklist, on real-world
//! Dockerfiles (tests/fixtures/dockerfiles, each with its source in a header comment), each
//! finding asserted with its line.

mod common;

use std::path::{Path, PathBuf};

use common::layerbom;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dockerfiles")
        .join(name)
}

fn audit(name: &str) -> serde_json::Value {
    let path = fixture(name);
    let out = layerbom(&["dockerfile", path.to_str().unwrap(), "-o", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (line, severity, kind) of every finding, in order; 0 for a finding without a line.
fn findings(doc: &serde_json::Value) -> Vec<(u64, String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap_or(0),
                f["severity"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn expect(name: &str, want: &[(u64, &str, &str)]) -> serde_json::Value {
    let doc = audit(name);
    let got = findings(&doc);
    let want: Vec<(u64, String, String)> = want
        .iter()
        .map(|(l, s, k)| (*l, s.to_string(), k.to_string()))
        .collect();
    assert_eq!(got, want, "{name}");
    doc
}

fn message(doc: &serde_json::Value, kind: &str, line: u64) -> String {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind && f["line"] == line)
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("no {kind} at line {line}"))
        .to_string()
}

#[test]
fn official_golang_build_stage_checksum_and_signature() {
    let doc = expect(
        "golang-bookworm.Dockerfile",
        &[
            (0, "warning", "dockerfile-no-license"),
            (9, "info", "stage-build-only"),
            (9, "info", "base-unpinned"),
            (31, "info", "download"),
            (32, "info", "download"),
            (50, "info", "stage-final"),
            (50, "warning", "base-unpinned"),
        ],
    );
    let m = message(&doc, "download", 32);
    assert!(m.contains("sha256sum --check, line 33"), "{m}");
    assert!(m.contains("gpg --verify, line 39"), "{m}");
    let roles: Vec<&str> = doc["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["build", "final"]);
    assert_eq!(doc["stages"][0]["name"], "build");
}

#[test]
fn curl_piped_to_sh_from_an_image_tagged_latest() {
    expect(
        "rustup-latest.Dockerfile",
        &[
            (0, "warning", "dockerfile-no-license"),
            (2, "warning", "base-latest"),
            (5, "warning", "pipe-to-shell"),
            (5, "warning", "download"),
        ],
    );
}

#[test]
fn curl_piped_to_sudo_bash_and_git_clone() {
    expect(
        "githooks-api.Dockerfile",
        &[
            (0, "warning", "dockerfile-no-license"),
            (2, "warning", "base-unpinned"),
            (5, "warning", "pipe-to-shell"),
            (5, "warning", "download"),
            (9, "warning", "download"),
        ],
    );
}

#[test]
fn copy_from_an_external_image_and_an_unset_build_argument() {
    let doc = expect(
        "phpstan-rules.Dockerfile",
        &[
            (0, "warning", "dockerfile-no-license"),
            (3, "warning", "from-unresolved"),
            (6, "warning", "copy-from-image"),
        ],
    );
    assert!(message(&doc, "from-unresolved", 3).contains("PHP_VERSION"));
    assert!(message(&doc, "copy-from-image", 6).contains("composer:lts"));
}

#[test]
fn add_from_a_plain_http_url() {
    expect(
        "montage-add-http.Dockerfile",
        &[
            (0, "warning", "dockerfile-no-license"),
            (2, "warning", "base-unpinned"),
            (8, "warning", "add-url"),
            (8, "warning", "plain-http"),
        ],
    );
}

#[test]
fn add_url_shows_the_url_with_env_substituted() {
    let doc = expect(
        "tini-add-url.Dockerfile",
        &[
            (0, "warning", "dockerfile-no-license"),
            (2, "warning", "base-unpinned"),
            (6, "warning", "add-url"),
        ],
    );
    assert!(message(&doc, "add-url", 6)
        .contains("https://github.com/krallin/tini/releases/download/v0.13.0/tini"));
}

#[test]
fn add_with_a_checksum_is_verified() {
    expect(
        "add-checksum.Dockerfile",
        &[
            (0, "warning", "dockerfile-no-license"),
            (3, "warning", "base-unpinned"),
            (4, "info", "add-url"),
        ],
    );
}

#[test]
fn wget_over_plain_http() {
    expect(
        "opendylan-wget-http.Dockerfile",
        &[
            (0, "warning", "dockerfile-no-license"),
            (2, "warning", "base-unpinned"),
            (6, "warning", "download"),
            (6, "warning", "plain-http"),
        ],
    );
}

#[test]
fn pip_installs_from_git_and_an_untagged_base() {
    let doc = expect(
        "asu-opt-pip-git.Dockerfile",
        &[
            (0, "warning", "dockerfile-no-license"),
            (2, "warning", "base-latest"),
            (6, "warning", "download"),
            (7, "warning", "download"),
            (8, "warning", "download"),
            (9, "warning", "download"),
            (14, "warning", "download"),
        ],
    );
    assert!(message(&doc, "download", 7)
        .starts_with("pip install fetches git+https://github.com/scidash/neuronunit@dev;"));
}

#[test]
fn npm_install_from_git() {
    let doc = expect(
        "npm-git.Dockerfile",
        &[
            (0, "warning", "dockerfile-no-license"),
            (3, "warning", "base-unpinned"),
            (5, "warning", "download"),
        ],
    );
    assert!(message(&doc, "download", 5).contains("npm install"));
}

#[test]
fn multi_stage_distroless_build_and_final_stage() {
    expect(
        "distroless-go.Dockerfile",
        &[
            (0, "warning", "dockerfile-no-license"),
            (3, "info", "stage-build-only"),
            (3, "info", "base-unpinned"),
            (20, "info", "stage-final"),
            (20, "warning", "base-latest"),
        ],
    );
}

#[test]
fn spdx_license_and_copyright_header() {
    let doc = expect(
        "sdavids-spdx.Dockerfile",
        &[
            (5, "info", "dockerfile-license"),
            (15, "warning", "base-unpinned"),
        ],
    );
    assert_eq!(doc["license"]["spdx"], "Apache-2.0");
    assert!(doc["license"]["copyright"][0]
        .as_str()
        .unwrap()
        .contains("Sebastian Davids"));
}

#[test]
fn the_table_is_the_default_and_lists_lines() {
    let path = fixture("rustup-latest.Dockerfile");
    let out = layerbom(&["dockerfile", path.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("5 ") && l.contains("pipe-to-shell")),
        "{text}"
    );
}

#[test]
fn an_unreadable_or_non_dockerfile_exits_2() {
    let out = layerbom(&["dockerfile", "/nonexistent/Dockerfile"]);
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let p = common::write(dir.path(), "Dockerfile", b"RUN true\n");
    let out = layerbom(&["dockerfile", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let out = layerbom(&["dockerfile", p.to_str().unwrap(), "-o", "spdx-json"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn scan_with_dockerfile_adds_its_findings_with_path_and_line() {
    let df = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/Dockerfile");
    let doc = common::scan_json(&common::sample(), &["--dockerfile", df.to_str().unwrap()]);
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "base-unpinned")
        .expect("base-unpinned finding");
    assert_eq!(f["line"], 4);
    assert!(f["path"].as_str().unwrap().ends_with("samples/Dockerfile"));
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"] == "dockerfile-license" && f["line"] == 3));
}
