//! Image findings end to end: an OCI layout built here, scanned by the binary.

mod common;

use common::{oci_layout, scan_json, tar_of, E};

const STATUS: &[u8] = b"Package: tool\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: a tool\n\n";

#[test]
fn a_deleted_secret_and_an_overwritten_base_file() {
    let base = tar_of(&[
        E::Dir("var/lib/dpkg/info/"),
        E::File("var/lib/dpkg/status", STATUS),
        E::File(
            "var/lib/dpkg/info/tool.list",
            b"/.\n/usr\n/usr/bin\n/usr/bin/tool\n",
        ),
        E::File("usr/bin/tool", b"original"),
        E::File("root/.ssh/id_rsa", b"-----BEGIN OPENSSH PRIVATE KEY-----"),
    ]);
    let ours = tar_of(&[
        E::File("usr/bin/tool", b"patched"),
        E::File("root/.ssh/.wh.id_rsa", b""),
        E::File("app/run.sh", b"#!/bin/sh\n"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    oci_layout(dir.path(), &[base, ours]);
    let doc = scan_json(dir.path(), &["--base-layers", "1"]);
    let findings = doc["findings"].as_array().unwrap();
    let find = |kind: &str| {
        findings
            .iter()
            .find(|f| f["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {findings:?}"))
    };
    let secret = find("deleted-secret");
    assert_eq!(secret["path"], "/root/.ssh/id_rsa");
    assert_eq!(secret["layer"], 0);
    assert_eq!(secret["severity"], "error");
    let overwrite = find("authored-overwrite");
    assert_eq!(overwrite["path"], "/usr/bin/tool");
    assert_eq!(overwrite["layer"], 1);
    assert!(!findings.iter().any(|f| f["kind"] == "squashed-image"));

    // The approval report lists the base package as modified by our layer, and the secret.
    let out = common::layerbom(&[
        "scan",
        dir.path().to_str().unwrap(),
        "-q",
        "--base-layers",
        "1",
        "-o",
        "report-md",
    ]);
    assert!(out.status.success());
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("| tool | 1.0 | deb | 1 | NOASSERTION | files replaced by layer 1 |"),
        "{md}"
    );
    assert!(md.contains("| Do the layers hold deleted secrets? | **attention** | 1 file "));
}

/// A key or certificate made for these tests (`src/audit/test-fixtures/make.sh`).
fn key_fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/audit/test-fixtures")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Scans an OCI layout of `layers` and returns its `deleted-secret` findings as (path,
/// severity), and the approval report's secrets line.
fn deleted_secrets(layers: &[Vec<u8>]) -> (Vec<(String, String)>, String) {
    let dir = tempfile::tempdir().unwrap();
    oci_layout(dir.path(), layers);
    let doc = scan_json(dir.path(), &[]);
    let mut found: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "deleted-secret")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    let out = common::layerbom(&[
        "scan",
        dir.path().to_str().unwrap(),
        "-q",
        "-o",
        "report-md",
    ]);
    assert!(out.status.success());
    let md = String::from_utf8(out.stdout).unwrap();
    let line = md
        .lines()
        .find(|l| l.starts_with("| Do the layers hold deleted secrets?"))
        .unwrap_or_else(|| panic!("no secrets line in {md}"))
        .to_string();
    (found, line)
}

#[test]
fn certificates_a_ca_certificates_upgrade_removes_are_no_secrets() {
    let cert = key_fixture("cert.pem");
    let base = tar_of(&[
        E::Dir("etc/ssl/certs/"),
        E::File("etc/ssl/certs/foo.pem", &cert),
        E::Symlink("etc/ssl/certs/abcd.0", "foo.pem"),
        E::File("usr/share/ca-certificates/foo.crt", &cert),
        E::Symlink(
            "etc/ssl/certs/bar.pem",
            "/usr/share/ca-certificates/foo.crt",
        ),
    ]);
    let upgrade = tar_of(&[
        E::File("etc/ssl/certs/.wh.foo.pem", b""),
        E::File("etc/ssl/certs/.wh.abcd.0", b""),
        E::File("etc/ssl/certs/.wh.bar.pem", b""),
        E::File("etc/ssl/certs/new.pem", &cert),
    ]);
    let (found, line) = deleted_secrets(&[base, upgrade]);
    assert!(found.is_empty(), "{found:?}");
    assert!(
        line.contains(
            "| **answered** | No file deleted by a later layer holds a private key or credentials"
        ),
        "{line}"
    );
}

#[test]
fn deleted_keys_and_credentials_are_errors() {
    let ssh = key_fixture("id_ed25519");
    let key = key_fixture("ec-key.pem");
    let p12 = key_fixture("store.p12");
    let base = tar_of(&[
        E::File("root/.ssh/id_ed25519", &ssh),
        E::File("etc/ssl/private/server.key", &key),
        E::File("srv/app/store.p12", &p12),
        E::File(
            "root/.netrc",
            b"machine git.example.org\n  login ci\n  password 9f8e7d6c\n",
        ),
        E::File(
            "root/.docker/config.json",
            br#"{"auths": {"registry.example.org": {"auth": "Y2k6OWY4ZTdkNmM="}}}"#,
        ),
        E::File("root/.ssh/id_ed25519.pub", &key_fixture("id_ed25519.pub")),
    ]);
    let cleanup = tar_of(&[
        E::File("root/.wh..wh..opq", b""),
        E::File("etc/ssl/private/.wh.server.key", b""),
        E::File("srv/app/.wh.store.p12", b""),
    ]);
    let (found, line) = deleted_secrets(&[base, cleanup]);
    let error = |p: &str| (p.to_string(), "error".to_string());
    assert_eq!(
        found,
        [
            error("/etc/ssl/private/server.key"),
            error("/root/.docker/config.json"),
            error("/root/.netrc"),
            error("/root/.ssh/id_ed25519"),
            error("/srv/app/store.p12"),
        ]
    );
    assert!(
        line.contains(
            "| **attention** | 5 files deleted in a later layer hold a private key or credentials"
        ),
        "{line}"
    );
}

#[test]
fn a_secret_named_file_whose_content_was_not_read_is_a_warning() {
    // A hard link to a file the scan did not read, and a bundle longer than what is read
    // whose first bytes are certificates.
    let bundle = key_fixture("cert.pem").repeat(20);
    let base = tar_of(&[
        E::File("opt/app/settings.txt", b"mode = production\n"),
        E::Hardlink("opt/app/deploy.key", "opt/app/settings.txt"),
        E::File("etc/ssl/bundle.pem", &bundle),
        E::File("etc/ssl/good.pem", &key_fixture("cert.pem")),
    ]);
    let cleanup = tar_of(&[
        E::File("opt/app/.wh.deploy.key", b""),
        E::File("etc/ssl/.wh.bundle.pem", b""),
        E::File("etc/ssl/.wh.good.pem", b""),
    ]);
    let (found, line) = deleted_secrets(&[base, cleanup]);
    let warning = |p: &str| (p.to_string(), "warning".to_string());
    assert_eq!(
        found,
        [
            warning("/etc/ssl/bundle.pem"),
            warning("/opt/app/deploy.key")
        ]
    );
    assert!(
        line.contains("| **needs a human answer** | 2 files deleted in a later layer are named like secrets, but their content was not read"),
        "{line}"
    );
}

#[test]
fn base_layers_past_the_image_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    oci_layout(
        dir.path(),
        &[
            tar_of(&[E::File("etc/a", b"a")]),
            tar_of(&[E::File("etc/b", b"b")]),
        ],
    );
    let line = common::scan_error(dir.path(), &["--base-layers", "9"]);
    assert!(
        line.contains("--base-layers 9 is more than the 2 layers the image has: give at most 2"),
        "{line}"
    );
    // As many as the image has is fine.
    let doc = scan_json(dir.path(), &["--base-layers", "2"]);
    assert_eq!(doc["base"]["method"], "flag");
}
