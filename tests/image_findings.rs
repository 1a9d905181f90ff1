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
    assert!(md.contains("| Do the layers hold deleted secrets? | **attention** | 1 file(s)"));
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
