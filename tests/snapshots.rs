//! Snapshot tests: every output format, on the sample and on every image fixture, kept in
//! `tests/snapshots/` so that a change to any document is reviewed as a diff
//! (`cargo insta review`, or compare the `.snap.new` files the failing run leaves). Each
//! image's native JSON is also converted back to every format (`layerbom convert`), which
//! must give the scan's documents byte for byte.
//!
//! Images are named by relative paths (the documents quote the path as given): fixtures
//! from the crate root, images built on the fly from their temporary directory.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// Every format `-o` takes, with the file name its snapshot gets.
const FORMATS: [&str; 17] = [
    "table",
    "json",
    "spdx-json",
    "spdx-tag-value",
    "spdx3-json",
    "cyclonedx-json",
    "cyclonedx-json@1.6",
    "cyclonedx-json@1.5",
    "cyclonedx-xml",
    "cyclonedx-xml@1.6",
    "cyclonedx-xml@1.5",
    "obligations-json",
    "obligations-md",
    "obligations-csv",
    "notice",
    "report-md",
    "report-html",
];

/// Scans `image` (relative to `cwd`, by default the crate root) with `extra` options,
/// writing every format, and asserts each document against its snapshot `NAME__FORMAT`.
/// The image is scanned three times: without the layer cache, then into an empty cache, then
/// from it; the documents must be the same byte for byte.
fn snapshot_all(name: &str, image: &str, extra: &[&str], cwd: Option<&Path>) {
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = cache.path().to_str().unwrap();
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("without the cache", vec!["--no-cache"]),
        ("into an empty cache", vec!["--cache-dir", cache_dir]),
        ("from the cache", vec!["--cache-dir", cache_dir]),
    ];
    let mut documents: Vec<Vec<String>> = Vec::new();
    let mut description = String::new();
    for (run_name, cache_args) in &runs {
        let mut args: Vec<String> = vec!["scan".into(), image.into(), "-q".into()];
        args.extend(extra.iter().map(|s| s.to_string()));
        description = format!("layerbom {}", args.join(" "));
        args.extend(cache_args.iter().map(|s| s.to_string()));
        let (stderr, docs) = every_format(args, cwd);
        assert!(!stderr.contains("warning"), "{run_name}: {stderr}");
        documents.push(docs);
    }
    for (format, schema) in [
        ("json", NATIVE_SCHEMA),
        ("obligations-json", OBLIGATIONS_SCHEMA),
    ] {
        let i = FORMATS.iter().position(|f| *f == format).unwrap();
        assert_valid(&serde_json::from_str(&documents[0][i]).unwrap(), schema);
    }
    let json = FORMATS.iter().position(|f| *f == "json").unwrap();
    let converted = convert(&documents[0][json], extra, cwd);
    for (i, f) in FORMATS.iter().enumerate() {
        assert!(
            converted[i] == documents[0][i],
            "{name}: {f} converted from the native JSON differs from the scan's"
        );
        for (run, docs) in runs.iter().zip(&documents).skip(1) {
            assert!(
                docs[i] == documents[0][i],
                "{name}: {f} {} differs from the one made without it",
                run.0
            );
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(description);
    settings.bind(|| {
        for (f, doc) in FORMATS.iter().zip(&documents[0]) {
            let key = format!("{name}__{}", f.replace('@', "-v"));
            insta::assert_snapshot!(key, doc);
        }
    });
}

/// Every format, made by `layerbom convert` from the native JSON `json`, with the options of
/// `extra` that documents depend on (the delivery mode, the policy, the NOTICE template).
fn convert(json: &str, extra: &[&str], cwd: Option<&Path>) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let archived = dir.path().join("archived.json");
    std::fs::write(&archived, json).unwrap();
    let mut args: Vec<String> = vec!["convert".into(), archived.display().to_string()];
    for pair in extra.windows(2) {
        if ["--delivery", "--fail-on", "--deny", "--template"].contains(&pair[0]) {
            args.extend([pair[0].to_string(), pair[1].to_string()]);
        }
    }
    every_format(args, cwd).1
}

/// Runs `layerbom ARGS` in `cwd` (by default the crate root), writing every format to a
/// file, with no date or cache variable from the environment; it must exit 0 or 1. Its
/// stderr, and the documents in the order of [`FORMATS`].
fn every_format(mut args: Vec<String>, cwd: Option<&Path>) -> (String, Vec<String>) {
    let out = tempfile::tempdir().unwrap();
    for f in FORMATS {
        args.push("-o".into());
        args.push(format!("{f}={}", out.path().join(f).display()));
    }
    let run = Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .current_dir(cwd.unwrap_or(Path::new(env!("CARGO_MANIFEST_DIR"))))
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("LAYERBOM_NO_CACHE")
        .env_remove("LAYERBOM_CACHE_DIR")
        .args(&args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "{args:?}: {stderr}"
    );
    let documents = FORMATS
        .iter()
        .map(|f| std::fs::read_to_string(out.path().join(f)).unwrap())
        .collect();
    (stderr, documents)
}

#[test]
fn sample() {
    snapshot_all("sample", "samples/demo.tar", &[], None);
}

#[test]
fn sample_with_its_dockerfile() {
    snapshot_all(
        "sample-dockerfile",
        "samples/demo.tar",
        &["--dockerfile", "samples/Dockerfile"],
        None,
    );
}

#[test]
fn sample_delivered_as_layers_with_a_policy() {
    snapshot_all(
        "sample-layers",
        "samples/demo.tar",
        &[
            "--base-layers",
            "1",
            "--delivery",
            "layers",
            "--fail-on",
            "strong-copyleft",
            "--supplier",
            "Organization: Example Widgets Ltd <oss@example.com>",
            "--source-archive",
            "debian=https://archive.example/package/{name}/{version}/",
        ],
        None,
    );
}

macro_rules! fixtures {
    ($($test:ident => $file:literal,)*) => {$(
        #[test]
        fn $test() {
            snapshot_all(
                $file,
                concat!("tests/fixtures/images/", $file),
                &[],
                None,
            );
        }
    )*};
}

fixtures! {
    distroless_like => "distroless-like.tar",
    docker_archive => "docker-archive.tar",
    docker_containerd => "docker-containerd.tar",
    docker_legacy => "docker-legacy.tar",
    docker25 => "docker25.tar",
    oci_gzip => "oci-gzip",
    oci_mislabeled => "oci-mislabeled",
    oci_multiarch => "oci-multiarch",
    oci_uncompressed => "oci-uncompressed",
    oci_zstd => "oci-zstd.tar",
    rootfs_dir => "rootfs-dir",
    rootfs_tar => "rootfs.tar",
    rootfs_tar_gz => "rootfs.tar.gz",
    rootfs_tar_zst => "rootfs.tar.zst",
}

#[test]
fn language_packages() {
    let (dir, _) = lang_image();
    snapshot_all("lang", "img", &[], Some(dir.path()));
}
