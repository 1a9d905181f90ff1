//! Image archives compressed as a whole (`docker save | gzip`, `| zstd`, a compressed OCI
//! archive) are read in one pass and must give the same report as the archive itself.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

/// Writes `plain` compressed with `how` (`gzip` or `zstd`) next to it in `dir`.
fn compressed(dir: &Path, name: &str, plain: &[u8], how: &str) -> PathBuf {
    let (ext, bytes) = match how {
        "gzip" => ("gz", gzip(plain)),
        _ => ("zst", zstd(plain)),
    };
    write(dir, &format!("{name}.{ext}"), &bytes)
}

/// The native JSON without what must differ: the source path and the compression marker.
fn comparable(mut doc: Value) -> (Value, Option<String>) {
    let image = doc["image"].as_object_mut().unwrap();
    image.remove("source");
    let compression = image
        .remove("compression")
        .map(|c| c.as_str().unwrap().to_string());
    (doc, compression)
}

fn assert_same_report(plain: &Path, packed: &Path, how: &str, extra: &[&str]) {
    let (want, none) = comparable(scan_json(plain, extra));
    assert_eq!(none, None, "a plain archive has no compression marker");
    let (have, marker) = comparable(scan_json(packed, extra));
    assert_eq!(marker.as_deref(), Some(how), "{}", packed.display());
    assert!(
        !want["layers"].as_array().unwrap().is_empty(),
        "{}",
        plain.display()
    );
    if want != have {
        for key in want.as_object().unwrap().keys() {
            assert_eq!(
                want[key],
                have[key],
                "{key} differs for {} {extra:?}",
                packed.display()
            );
        }
    }
}

#[test]
fn compressed_archives_report_what_the_archives_do() {
    let d = tempfile::tempdir().unwrap();
    let images = [
        sample(),                         // skopeo docker-archive: <hex>.tar, linked layer.tar
        fixture("docker-archive.tar"),    // the same layout from the fixture build
        fixture("docker-legacy.tar"),     // docker save before 25: <id>/layer.tar first
        fixture("docker25.tar"), // Docker 25+: blobs first, manifest.json beside index.json
        fixture("docker-containerd.tar"), // containerd store: nested index, gzip layers
        fixture("oci-zstd.tar"), // OCI archive with zstd layers
    ];
    for plain in &images {
        let bytes = std::fs::read(plain).unwrap();
        let name = plain.file_name().unwrap().to_str().unwrap();
        for how in ["gzip", "zstd"] {
            let packed = compressed(d.path(), name, &bytes, how);
            assert_same_report(plain, &packed, how, &[]);
        }
        // Every digest checked, and none: the scans still say what the plain path says.
        let packed = compressed(d.path(), name, &bytes, "gzip");
        assert_same_report(plain, &packed, "gzip", &["--verify"]);
        assert_same_report(plain, &packed, "gzip", &["--no-verify"]);
    }
}

#[test]
fn formats_are_those_of_the_archive_inside() {
    let d = tempfile::tempdir().unwrap();
    for (file, format) in [
        ("docker-legacy.tar", "docker-archive"),
        ("docker25.tar", "docker-archive-oci"),
        ("oci-zstd.tar", "oci-archive"),
    ] {
        let packed = compressed(
            d.path(),
            file,
            &std::fs::read(fixture(file)).unwrap(),
            "zstd",
        );
        let doc = scan_json(&packed, &[]);
        assert_eq!(doc["image"]["format"], format);
        assert_eq!(doc["image"]["compression"], "zstd");
    }
}

#[test]
fn a_compressed_base_image_gives_the_base_as_the_plain_one_does() {
    // `--base-image` reads only the description: a compressed archive is read through,
    // its layers passed over.
    let d = tempfile::tempdir().unwrap();
    let image = fixture("docker-legacy.tar");
    let bytes = std::fs::read(&image).unwrap();
    let bases = [
        image.clone(),
        compressed(d.path(), "docker-legacy.tar", &bytes, "gzip"),
        compressed(d.path(), "docker-legacy.tar", &bytes, "zstd"),
    ];
    let layers = scan_json(&image, &[])["layers"].as_array().unwrap().len();
    for base in &bases {
        let doc = scan_json(&image, &["--base-image", base.to_str().unwrap()]);
        assert_eq!(doc["base"]["method"], "base-image", "{}", base.display());
        assert_eq!(doc["base"]["layers"], layers, "{}", base.display());
    }
}

/// A tar of a directory, as `tar -C dir -cf - .` writes it (`./` first).
fn tar_dir(dir: &Path) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all(".", dir).unwrap();
    b.into_inner().unwrap()
}

#[test]
fn a_compressed_multi_platform_oci_archive_chooses_like_the_plain_one() {
    let d = tempfile::tempdir().unwrap();
    let plain = write(d.path(), "multi.tar", &tar_dir(&fixture("oci-multiarch")));
    let packed = compressed(
        d.path(),
        "multi.tar",
        &std::fs::read(&plain).unwrap(),
        "gzip",
    );
    assert_same_report(&plain, &packed, "gzip", &[]);
    assert_same_report(&plain, &packed, "gzip", &["--platform", "linux/arm64"]);
    let doc = scan_json(&packed, &["--platform", "linux/arm64"]);
    assert_eq!(doc["image"]["platform"]["architecture"], "arm64");
    let line = scan_error(&packed, &["--platform", "linux/s390x"]);
    assert!(
        line.contains("index.json") && line.contains("linux/arm64"),
        "{line}"
    );
}

#[test]
fn a_compressed_rootfs_tar_is_still_a_rootfs() {
    let d = tempfile::tempdir().unwrap();
    let plain = fixture("rootfs.tar");
    let want = scan_json(&plain, &[]);
    for how in ["gzip", "zstd"] {
        let packed = compressed(d.path(), "rootfs.tar", &std::fs::read(&plain).unwrap(), how);
        let doc = scan_json(&packed, &[]);
        assert_eq!(doc["image"]["format"], "rootfs-tar");
        assert!(doc["image"].get("compression").is_none());
        assert_eq!(doc["layers"].as_array().unwrap().len(), 1);
        assert_eq!(doc["layers"][0]["compression"], how);
        assert_eq!(doc["packages"], want["packages"]);
    }
}

#[test]
fn a_compressed_rootfs_whose_first_name_is_an_image_archives_is_still_a_rootfs() {
    // Only the first name is looked at before the one pass; the pass finds out the rest,
    // and the file is then read as the root filesystem it is.
    let d = tempfile::tempdir().unwrap();
    let t = tar_of(&[
        E::File("repositories", b"{}"),
        E::File("etc/os-release", b"ID=debian\nVERSION_ID=12\n"),
    ]);
    for how in ["gzip", "zstd"] {
        let packed = compressed(d.path(), "odd.tar", &t, how);
        let doc = scan_json(&packed, &[]);
        assert_eq!(doc["image"]["format"], "rootfs-tar");
        assert!(doc["image"].get("compression").is_none());
        assert_eq!(doc["layers"].as_array().unwrap().len(), 1);
        assert_eq!(doc["layers"][0]["compression"], how);
        assert_eq!(doc["image"]["os"]["id"], "debian");
    }
}

/// The members of a tar: name, header, content.
fn members(tar_bytes: &[u8]) -> Vec<(String, tar::Header, Vec<u8>)> {
    let mut a = tar::Archive::new(tar_bytes);
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = e.path().unwrap().to_str().unwrap().to_string();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (name, e.header().clone(), data)
        })
        .collect()
}

/// A tar of `members`, with `manifest.json` replaced by `manifest`.
fn repack(members: &[(String, tar::Header, Vec<u8>)], manifest: &Value) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, header, data) in members {
        let mut h = header.clone();
        let data = if name == "manifest.json" {
            serde_json::to_vec(manifest).unwrap()
        } else {
            data.clone()
        };
        h.set_size(data.len() as u64);
        b.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    b.into_inner().unwrap()
}

#[test]
fn a_truncated_compressed_archive_names_the_member() {
    let d = tempfile::tempdir().unwrap();
    let plain = std::fs::read(fixture("docker-legacy.tar")).unwrap();
    // The tar cut in the middle of its first layer, then compressed whole: the stream is
    // sound, the archive is not.
    let (offset, size, name) = {
        let mut a = tar::Archive::new(plain.as_slice());
        let e = a
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .find(|e| e.path().unwrap().ends_with("layer.tar"))
            .unwrap();
        let name = e.path().unwrap().to_str().unwrap().to_string();
        (e.raw_file_position(), e.size(), name)
    };
    let cut = &plain[..(offset + size / 2) as usize];
    for how in ["gzip", "zstd"] {
        let packed = compressed(d.path(), "cut.tar", cut, how);
        let line = scan_error(&packed, &[]);
        assert!(
            line.contains(&name) && line.contains("truncated"),
            "{how}: {line}"
        );
    }
    // The compressed file itself cut short: whatever member the stream breaks in is named.
    let gz = gzip(&plain);
    let names: Vec<String> = members(&plain).into_iter().map(|(n, _, _)| n).collect();
    for keep in [gz.len() / 3, gz.len() / 2, gz.len() - 8] {
        let packed = write(d.path(), "short.tar.gz", &gz[..keep]);
        let line = scan_error(&packed, &[]);
        assert!(line.contains("short.tar.gz: "), "{line}");
        assert!(
            names
                .iter()
                .any(|n| line.contains(&format!(": {}: ", n.trim_end_matches('/')))),
            "no member named: {line}"
        );
    }
}

#[test]
fn a_missing_layer_in_a_compressed_archive_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let plain = std::fs::read(fixture("docker-legacy.tar")).unwrap();
    let all = members(&plain);
    let manifest: Value =
        serde_json::from_slice(&all.iter().find(|(n, _, _)| n == "manifest.json").unwrap().2)
            .unwrap();
    let mut missing = manifest.clone();
    missing[0]["Layers"][1] = format!("{}/layer.tar", "f".repeat(64)).into();
    let packed = write(d.path(), "missing.tar.gz", &gzip(&repack(&all, &missing)));
    let line = scan_error(&packed, &[]);
    assert!(
        line.contains("layer 1") && line.contains("missing"),
        "{line}"
    );
    // A manifest naming a member that is there but is no layer.
    let mut not_layer = manifest;
    let config = not_layer[0]["Config"].clone();
    not_layer[0]["Layers"][0] = config;
    let packed = write(d.path(), "json.tar.gz", &gzip(&repack(&all, &not_layer)));
    let line = scan_error(&packed, &[]);
    assert!(
        line.contains("layer 0") && line.contains("not a layer"),
        "{line}"
    );
}

#[test]
fn a_layer_blob_whose_content_is_not_its_name_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let plain = std::fs::read(fixture("docker25.tar")).unwrap();
    let mut all = members(&plain);
    // Change one byte of file content inside the first layer blob: the layer's tar stays
    // valid, only its digest can tell.
    let blob = all
        .iter_mut()
        .find(|(n, _, data)| {
            n.starts_with("blobs/sha256/") && data.windows(7).any(|w| w == b"Debian ")
        })
        .unwrap();
    let pos = blob.2.windows(7).position(|w| w == b"Debian ").unwrap();
    blob.2[pos] = b'd';
    let name = blob.0.clone();
    let manifest: Value =
        serde_json::from_slice(&all.iter().find(|(n, _, _)| n == "manifest.json").unwrap().2)
            .unwrap();
    let packed = write(d.path(), "tampered.tar.gz", &gzip(&repack(&all, &manifest)));
    let line = scan_error(&packed, &[]);
    assert!(
        line.contains(&name) && line.contains("digest mismatch") && line.contains("layer "),
        "{line}"
    );
    scan_json(&packed, &["--no-verify"]);
}

#[test]
fn names_leaving_a_compressed_archive_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let hex = "a".repeat(64);
    let manifest = format!(r#"[{{"Config":"{hex}.json","Layers":["{hex}/layer.tar"]}}]"#);
    // A layer that is a symlink out of the archive.
    let t = tar_of(&[
        E::File("manifest.json", manifest.as_bytes()),
        E::Symlink(&format!("{hex}/layer.tar"), "../../etc/passwd"),
    ]);
    let packed = write(d.path(), "link.tar.gz", &gzip(&t));
    let line = scan_error(&packed, &[]);
    assert!(line.contains("outside the archive"), "{line}");
    // A member whose name climbs out.
    let t = tar_of(&[
        E::File("manifest.json", manifest.as_bytes()),
        E::File(&format!("{hex}/../../escape"), b"x"),
    ]);
    let packed = write(d.path(), "climb.tar.gz", &gzip(&t));
    let line = scan_error(&packed, &[]);
    assert!(
        line.contains("climb.tar.gz") && line.contains("'..'"),
        "{line}"
    );
}
