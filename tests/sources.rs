//! Every source kind and every compression, read through the binary and compared with what
//! the real tools (skopeo, buildah, umoci) recorded when they made the fixture.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Checks the layer table against the expectation (diff_ids, created_by, config digest).
fn check_layers(doc: &Value, exp: &Value) {
    let layers = doc["layers"].as_array().unwrap();
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| l["diff_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(diff_ids, strings(&exp["diff_ids"]));
    let created_by: Vec<String> = layers
        .iter()
        .map(|l| l["created_by"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(created_by, strings(&exp["created_by"]));
    assert_eq!(doc["image"]["config_digest"], exp["config_digest"]);
    for (i, l) in layers.iter().enumerate() {
        assert_eq!(l["index"], i);
        assert_eq!(l["origin"], "unknown");
    }
}

fn scan_form(file: &str, name: &str, format: &str, compression: &str) -> Value {
    let doc = scan_json(&fixture(file), &[]);
    let exp = expected(name);
    assert_eq!(doc["schema"], "layerbom/v1");
    assert_eq!(doc["image"]["format"], format);
    check_layers(&doc, &exp);
    for l in doc["layers"].as_array().unwrap() {
        assert_eq!(l["compression"], compression, "{file}");
    }
    doc
}

#[test]
fn docker_archive_from_skopeo() {
    let doc = scan_form(
        "docker-archive.tar",
        "docker-archive",
        "docker-archive",
        "none",
    );
    assert_eq!(
        strings(&doc["image"]["repo_tags"]),
        ["localhost/layerbom-fixture:1.0"]
    );
    assert_eq!(doc["image"]["platform"]["architecture"], "amd64");
    assert_eq!(
        doc["image"]["labels"]["org.opencontainers.image.title"],
        "layerbom-fixture"
    );
    let sizes: Vec<u64> = doc["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["size"].as_u64().unwrap())
        .collect();
    let exp: Vec<u64> = expected("docker-archive")["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["blob_size"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, exp);
}

#[test]
fn docker_save_before_25() {
    scan_form(
        "docker-legacy.tar",
        "docker-legacy",
        "docker-archive",
        "none",
    );
}

#[test]
fn docker_save_25_oci_layout() {
    let doc = scan_form("docker25.tar", "docker25", "docker-archive-oci", "none");
    assert_eq!(
        doc["image"]["manifest_digest"],
        expected("docker25")["manifest_digest"]
    );
    assert_eq!(
        doc["layers"][0]["media_type"],
        "application/vnd.oci.image.layer.v1.tar"
    );
}

#[test]
fn docker_save_containerd_store_with_nested_index() {
    let doc = scan_form(
        "docker-containerd.tar",
        "docker-containerd",
        "docker-archive-oci",
        "gzip",
    );
    // The manifest is the amd64 entry of the nested index that index.json points at.
    let blob = |digest: &str| -> Value {
        let name = format!("blobs/sha256/{}", digest.trim_start_matches("sha256:"));
        let mut a =
            tar::Archive::new(std::fs::File::open(fixture("docker-containerd.tar")).unwrap());
        let mut e = a
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .find(|e| e.path().unwrap().to_str() == Some(name.as_str()))
            .unwrap();
        serde_json::from_reader(&mut e).unwrap()
    };
    let index = &expected("docker-containerd")["index_json"];
    let nested = blob(index["manifests"][0]["digest"].as_str().unwrap());
    let amd64 = nested["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["platform"]["architecture"] == "amd64")
        .unwrap();
    assert_eq!(doc["image"]["manifest_digest"], amd64["digest"]);
    assert_eq!(doc["image"]["platform"]["architecture"], "amd64");
}

#[test]
fn oci_layout_directory_gzip() {
    let doc = scan_form("oci-gzip", "oci-gzip", "oci-layout", "gzip");
    let exp = expected("oci-gzip");
    assert_eq!(doc["image"]["manifest_digest"], exp["manifest_digest"]);
    let digests: Vec<&Value> = doc["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["digest"])
        .collect();
    let exp_digests: Vec<&Value> = exp["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["blob_digest"])
        .collect();
    assert_eq!(digests, exp_digests);
    assert!(
        doc["layers"][0]["uncompressed_size"].as_u64().unwrap()
            > doc["layers"][0]["size"].as_u64().unwrap()
    );
}

#[test]
fn oci_archive_zstd() {
    let doc = scan_form("oci-zstd.tar", "oci-zstd", "oci-archive", "zstd");
    assert!(doc["layers"][0]["media_type"]
        .as_str()
        .unwrap()
        .ends_with("+zstd"));
}

#[test]
fn oci_layout_uncompressed() {
    scan_form("oci-uncompressed", "oci-uncompressed", "oci-layout", "none");
}

#[test]
fn compression_comes_from_the_bytes_not_the_media_type() {
    let doc = scan_form("oci-mislabeled", "oci-mislabeled", "oci-layout", "none");
    assert!(doc["layers"][0]["media_type"]
        .as_str()
        .unwrap()
        .ends_with("+gzip"));
    let kinds: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"media-type-mismatch"), "{kinds:?}");
}

#[test]
fn multi_platform_index_defaults_to_amd64_and_honours_platform() {
    let exp = expected("oci-multiarch");
    let doc = scan_json(&fixture("oci-multiarch"), &[]);
    assert_eq!(
        doc["image"]["manifest_digest"],
        exp["platforms"]["amd64"]["manifest_digest"]
    );
    assert_eq!(doc["layers"].as_array().unwrap().len(), 3);
    let arm = scan_json(&fixture("oci-multiarch"), &["--platform", "linux/arm64"]);
    assert_eq!(
        arm["image"]["manifest_digest"],
        exp["platforms"]["arm64"]["manifest_digest"]
    );
    assert_eq!(arm["image"]["platform"]["architecture"], "arm64");
    assert_eq!(
        arm["layers"].as_array().unwrap().len(),
        exp["platforms"]["arm64"]["diff_ids"]
            .as_array()
            .unwrap()
            .len()
    );
}

#[test]
fn a_bare_architecture_is_short_for_linux() {
    let exp = expected("oci-multiarch");
    let short = scan_json(&fixture("oci-multiarch"), &["--platform", "arm64"]);
    assert_eq!(
        short["image"]["manifest_digest"],
        exp["platforms"]["arm64"]["manifest_digest"]
    );
    assert_eq!(short["image"]["platform"]["os"], "linux");
    assert_eq!(short["image"]["platform"]["architecture"], "arm64");
    // Not a platform at all: a usage error from the command line, before the scan.
    let out = layerbom(&[
        "scan",
        fixture("oci-multiarch").to_str().unwrap(),
        "-q",
        "--platform",
        "linux/arm64/v8/extra",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not [OS/]ARCH[/VARIANT]"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn multi_platform_index_lists_platforms_when_none_fits() {
    let line = scan_error(&fixture("oci-multiarch"), &["--platform", "linux/s390x"]);
    assert!(
        line.contains("linux/amd64") && line.contains("linux/arm64"),
        "{line}"
    );
    assert!(line.contains("--platform"), "{line}");
}

#[test]
fn rootfs_tar_in_every_compression_is_one_layer() {
    let mut diff_ids = Vec::new();
    for (file, compression) in [
        ("rootfs.tar", "none"),
        ("rootfs.tar.gz", "gzip"),
        ("rootfs.tar.zst", "zstd"),
    ] {
        let doc = scan_json(&fixture(file), &[]);
        assert_eq!(doc["image"]["format"], "rootfs-tar");
        let layers = doc["layers"].as_array().unwrap();
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0]["compression"], compression);
        assert_eq!(layers[0]["origin"], "unknown");
        diff_ids.push(layers[0]["diff_id"].clone());
    }
    assert!(
        diff_ids.windows(2).all(|w| w[0] == w[1]),
        "same tar inside: {diff_ids:?}"
    );
}

#[test]
fn rootfs_directory_is_one_layer() {
    let doc = scan_json(&fixture("rootfs-dir"), &[]);
    assert_eq!(doc["image"]["format"], "rootfs-dir");
    assert_eq!(doc["layers"].as_array().unwrap().len(), 1);
    assert_eq!(
        doc["layers"][0]["entries"],
        expected("rootfs-dir")["final_fs"].as_array().unwrap().len()
    );
}

#[test]
fn extracted_docker_save_directory() {
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::open(fixture("docker25.tar")).unwrap();
    tar::Archive::new(file).unpack(dir.path()).unwrap();
    let doc = scan_json(dir.path(), &[]);
    check_layers(&doc, &expected("docker25"));
}

#[test]
fn no_verify_reads_the_same_layers() {
    for f in ["docker-archive.tar", "oci-gzip", "oci-zstd.tar"] {
        let a = scan_json(&fixture(f), &[]);
        let b = scan_json(&fixture(f), &["--no-verify"]);
        for (x, y) in a["layers"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["layers"].as_array().unwrap())
        {
            assert_eq!(x["entries"], y["entries"], "{f}");
            assert_eq!(x["diff_id"], y["diff_id"], "{f}");
        }
    }
}

#[test]
fn output_is_deterministic() {
    let a = layerbom(&[
        "scan",
        fixture("oci-gzip").to_str().unwrap(),
        "-q",
        "-o",
        "json",
    ]);
    let b = layerbom(&[
        "scan",
        fixture("oci-gzip").to_str().unwrap(),
        "-q",
        "-o",
        "json",
    ]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn several_outputs_go_to_files() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("out.json");
    let t = dir.path().join("out.txt");
    let out = layerbom(&[
        "scan",
        fixture("docker-archive.tar").to_str().unwrap(),
        "-q",
        "-o",
        &format!("json={}", j.display()),
        "-o",
        &format!("table={}", t.display()),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let doc: Value = serde_json::from_slice(&std::fs::read(&j).unwrap()).unwrap();
    assert_eq!(doc["layers"].as_array().unwrap().len(), 3);
    let table = std::fs::read_to_string(&t).unwrap();
    assert!(table.contains("COPY conf/ /etc/app/"), "{table}");
}

#[test]
fn two_outputs_to_stdout_is_a_usage_error() {
    let out = layerbom(&[
        "scan",
        fixture("oci-gzip").to_str().unwrap(),
        "-o",
        "json",
        "-o",
        "table",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unknown_format_is_a_usage_error() {
    let out = layerbom(&["scan", fixture("oci-gzip").to_str().unwrap(), "-o", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("available: table, json, spdx-json, spdx-tag-value, spdx3-json, cyclonedx-json"));
}

#[test]
fn the_table_shows_where_each_finding_is_down_to_the_line() {
    let dockerfile = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/Dockerfile");
    let out = layerbom(&[
        "scan",
        sample().to_str().unwrap(),
        "-q",
        "--dockerfile",
        dockerfile.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let t = String::from_utf8(out.stdout).unwrap();
    // The FROM line names its base image by tag only.
    let from = t
        .lines()
        .find(|l| l.contains("is named by tag"))
        .unwrap_or_else(|| panic!("{t}"));
    assert!(
        from.ends_with(&format!("({}:4)", dockerfile.display())),
        "{from}"
    );
}

#[test]
fn the_table_shows_layers_and_history() {
    let out = layerbom(&[
        "scan",
        fixture("docker-archive.tar").to_str().unwrap(),
        "-q",
    ]);
    assert!(out.status.success());
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(t.contains("localhost/layerbom-fixture:1.0"), "{t}");
    assert!(t.contains("ADD rootfs / # base"), "{t}");
    assert!(t.contains("4c3e6e6ec268"), "{t}");
}

#[test]
fn a_platform_the_docker_archive_does_not_have_is_an_error() {
    let line = scan_error(
        &fixture("docker-archive.tar"),
        &["--platform", "linux/arm64"],
    );
    assert!(
        line.contains("linux/amd64") && line.contains("linux/arm64"),
        "{line}"
    );
    scan_json(
        &fixture("docker-archive.tar"),
        &["--platform", "linux/amd64"],
    );
}
