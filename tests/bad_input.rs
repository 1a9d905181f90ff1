//! Hostile and damaged images: each one gives exit code 2 and a single line that names the
//! image, the file inside it and, where there is one, the layer. Never a panic.

mod common;

use std::path::Path;

use common::*;

/// A good one-layer OCI layout with `bad` as its second layer, checked by digest.
fn image_with_layer(dir: &Path, bad: Vec<u8>) {
    let good = tar_of(&[E::Dir("etc"), E::File("etc/hostname", b"box\n")]);
    oci_layout(dir, &[good, bad]);
}

fn assert_names_layer(line: &str, layer: usize) {
    assert!(
        line.contains(&format!("layer {layer}")),
        "layer {layer} not named: {line}"
    );
    assert!(line.contains("blobs/sha256/"), "blob not named: {line}");
}

#[test]
fn parent_components_in_a_layer() {
    let d = tempfile::tempdir().unwrap();
    image_with_layer(d.path(), tar_of(&[E::File("etc/../../escape", b"x")]));
    let line = scan_error(d.path(), &[]);
    assert_names_layer(&line, 1);
    assert!(
        line.contains("etc/../../escape") && line.contains("leaves the image root"),
        "{line}"
    );
}

#[test]
fn absolute_names_in_a_layer() {
    let d = tempfile::tempdir().unwrap();
    image_with_layer(d.path(), tar_of(&[E::File("/etc/shadow", b"x")]));
    let line = scan_error(d.path(), &[]);
    assert_names_layer(&line, 1);
    assert!(line.contains("absolute"), "{line}");
}

#[test]
fn hard_link_out_of_the_root() {
    let d = tempfile::tempdir().unwrap();
    image_with_layer(
        d.path(),
        tar_of(&[E::Hardlink("etc/x", "../../../etc/passwd")]),
    );
    let line = scan_error(d.path(), &[]);
    assert_names_layer(&line, 1);
}

#[test]
fn non_utf8_names() {
    let d = tempfile::tempdir().unwrap();
    let mut t = tar_of(&[E::File("etc/caf_", b"x")]);
    t[7] = 0xe9; // Latin-1 é in place of '_'
    let mut h = tar::Header::from_byte_slice(&t[..512]).clone();
    h.set_cksum();
    t[..512].copy_from_slice(h.as_bytes());
    image_with_layer(d.path(), t);
    let line = scan_error(d.path(), &[]);
    assert_names_layer(&line, 1);
    assert!(line.contains("UTF-8"), "{line}");
}

#[test]
fn duplicate_entries() {
    let d = tempfile::tempdir().unwrap();
    image_with_layer(
        d.path(),
        tar_of(&[
            E::File("etc/passwd", b"root:x:0:0::/root:/bin/sh\n"),
            E::File("etc/passwd", b"evil\n"),
        ]),
    );
    let line = scan_error(d.path(), &[]);
    assert_names_layer(&line, 1);
    assert!(
        line.contains("etc/passwd") && line.contains("more than once"),
        "{line}"
    );
}

#[test]
fn absurd_entry_sizes() {
    let d = tempfile::tempdir().unwrap();
    let mut t = tar_of(&[E::File("big", b"")]);
    let mut h = tar::Header::from_byte_slice(&t[..512]).clone();
    // Base-256 size of 2^50 bytes.
    h.as_old_mut().size = [0x80, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0];
    h.set_cksum();
    t[..512].copy_from_slice(h.as_bytes());
    image_with_layer(d.path(), t);
    let line = scan_error(d.path(), &[]);
    assert_names_layer(&line, 1);
    assert!(line.contains("absurd size"), "{line}");
}

#[test]
fn an_entry_larger_than_its_layer_is_truncation() {
    let d = tempfile::tempdir().unwrap();
    let mut t = tar_of(&[E::File("etc/data", &[7u8; 4096])]);
    t.truncate(512 + 1000);
    image_with_layer(d.path(), t);
    let line = scan_error(d.path(), &[]);
    assert_names_layer(&line, 1);
    assert!(
        line.contains("truncated") || line.contains("early"),
        "{line}"
    );
    // The same without digest checks walks by seeking, and must still notice.
    let line = scan_error(d.path(), &["--no-verify"]);
    assert!(
        line.contains("truncated") || line.contains("early"),
        "{line}"
    );
}

#[test]
fn a_layer_that_is_not_a_tar() {
    let d = tempfile::tempdir().unwrap();
    image_with_layer(
        d.path(),
        b"this is not a tar archive, just some text that is long enough".repeat(20),
    );
    let line = scan_error(d.path(), &[]);
    assert_names_layer(&line, 1);
    assert!(line.contains("not a tar header"), "{line}");
}

#[test]
fn truncated_image_archive() {
    let d = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(fixture("docker-archive.tar")).unwrap();
    let p = write(d.path(), "cut.tar", &bytes[..bytes.len() / 2]);
    let line = scan_error(&p, &[]);
    assert!(line.contains("cut.tar"), "{line}");
    assert!(
        line.contains("truncated") || line.contains("early"),
        "{line}"
    );
}

/// Damages 64 bytes in the middle of a file.
fn flip_middle(file: &Path, mask: u8) {
    let mut bytes = std::fs::read(file).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= mask;
    }
    std::fs::write(file, &bytes).unwrap();
}

#[test]
fn corrupt_gzip_layer() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&fixture("oci-gzip"), d.path());
    flip_middle(&layer_blobs(d.path())[0], 0x5a);
    for extra in [&[][..], &["--no-verify"][..]] {
        let line = scan_error(d.path(), extra);
        assert_names_layer(&line, 0);
    }
}

#[test]
fn corrupt_zstd_layer() {
    let d = tempfile::tempdir().unwrap();
    tar::Archive::new(std::fs::File::open(fixture("oci-zstd.tar")).unwrap())
        .unpack(d.path())
        .unwrap();
    flip_middle(&layer_blobs(d.path())[0], 0xa5);
    for extra in [&[][..], &["--no-verify"][..]] {
        let line = scan_error(d.path(), extra);
        assert_names_layer(&line, 0);
    }
}

#[test]
fn missing_blob() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&fixture("oci-gzip"), d.path());
    std::fs::remove_file(&layer_blobs(d.path())[1]).unwrap();
    let line = scan_error(d.path(), &[]);
    assert_names_layer(&line, 1);
    assert!(line.contains("missing"), "{line}");
}

#[test]
fn wrong_digest() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&fixture("oci-uncompressed"), d.path());
    let blob = &layer_blobs(d.path())[0];
    let mut bytes = std::fs::read(blob).unwrap();
    // Change one byte of file content (the tar stays valid; only the digest can tell).
    let pos = bytes.windows(7).position(|w| w == b"Debian ").unwrap();
    bytes[pos] = b'd';
    std::fs::write(blob, &bytes).unwrap();
    let line = scan_error(d.path(), &["--verify"]);
    assert_names_layer(&line, 0);
    assert!(line.contains("digest mismatch"), "{line}");
    // By default an uncompressed layer is walked by seeking, so its digest is not checked;
    // --no-verify skips every check on purpose.
    scan_json(d.path(), &[]);
    scan_json(d.path(), &["--no-verify"]);
}

#[test]
fn wrong_diff_id() {
    let d = tempfile::tempdir().unwrap();
    let layer = tar_of(&[E::File("etc/hostname", b"box\n")]);
    // A gzip blob whose digest matches the manifest but whose content is not the diff_id.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &layer).unwrap();
    let gz = gz.finish().unwrap();
    let wrong = layerbom::scan::stream::sha256_of(b"something else");
    oci_layout_with_diff_ids(d.path(), &[gz], Some(vec![wrong.clone()]));
    let line = scan_error(d.path(), &["--verify"]);
    assert_names_layer(&line, 0);
    assert!(
        line.contains("diff_id mismatch") && line.contains(&wrong),
        "{line}"
    );
    // By default the blob's digest (its content address) is checked, not what it
    // decompresses to.
    scan_json(d.path(), &[]);
    scan_json(d.path(), &["--no-verify"]);
}

#[test]
fn manifest_pointing_outside_the_archive() {
    let d = tempfile::tempdir().unwrap();
    tar::Archive::new(std::fs::File::open(fixture("docker-archive.tar")).unwrap())
        .unpack(d.path())
        .unwrap();
    let p = d.path().join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    m[0]["Layers"][1] = "../../../../etc/passwd".into();
    std::fs::write(&p, serde_json::to_vec(&m).unwrap()).unwrap();
    let line = scan_error(d.path(), &[]);
    assert!(line.contains("outside the archive"), "{line}");
}

#[test]
fn blob_digest_with_a_path_in_it() {
    let d = tempfile::tempdir().unwrap();
    image_with_layer(d.path(), tar_of(&[E::File("a", b"")]));
    let idx = d.path().join("index.json");
    let s = std::fs::read_to_string(&idx).unwrap();
    let digest = s
        .split("\"digest\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    std::fs::write(&idx, s.replace(&digest, "sha256:../../../etc/passwd")).unwrap();
    let line = scan_error(d.path(), &[]);
    assert!(line.contains("malformed digest"), "{line}");
}

#[test]
fn symlink_loop_between_archive_members() {
    let d = tempfile::tempdir().unwrap();
    let hex = "a".repeat(64);
    let t = tar_of(&[
        E::File(
            "manifest.json",
            format!(r#"[{{"Config":"{hex}.json","Layers":["{hex}/layer.tar"]}}]"#).as_bytes(),
        ),
        E::Symlink(&format!("{hex}/layer.tar"), "../b/layer.tar"),
        E::Symlink(&format!("{hex}.json"), &format!("{hex}.json")),
    ]);
    // Top-level "b" is not an image name, so use hex names only.
    let p = write(d.path(), "loop.tar", &t);
    let line = scan_error(&p, &[]);
    assert!(line.contains("loop.tar"), "{line}");
}

#[test]
fn descriptor_size_that_lies() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&fixture("oci-uncompressed"), d.path());
    let blob = &layer_blobs(d.path())[2];
    let mut bytes = std::fs::read(blob).unwrap();
    bytes.extend_from_slice(&[0u8; 512]);
    std::fs::write(blob, &bytes).unwrap();
    let line = scan_error(d.path(), &[]);
    assert_names_layer(&line, 2);
    assert!(line.contains("bytes"), "{line}");
}

#[test]
fn invalid_json_names_the_document() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&fixture("oci-gzip"), d.path());
    std::fs::write(d.path().join("index.json"), b"{ not json").unwrap();
    let line = scan_error(d.path(), &[]);
    assert!(
        line.contains("index.json") && line.contains("invalid JSON"),
        "{line}"
    );
}

#[test]
fn layer_count_and_diff_ids_disagree() {
    let d = tempfile::tempdir().unwrap();
    tar::Archive::new(std::fs::File::open(fixture("docker-archive.tar")).unwrap())
        .unpack(d.path())
        .unwrap();
    let p = d.path().join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    m[0]["Layers"].as_array_mut().unwrap().pop();
    std::fs::write(&p, serde_json::to_vec(&m).unwrap()).unwrap();
    let line = scan_error(d.path(), &[]);
    assert!(line.contains("diff_ids"), "{line}");
}

#[test]
fn garbage_file_and_missing_file() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "garbage.bin", &[0x41u8; 4096]);
    let line = scan_error(&p, &[]);
    assert!(
        line.contains("garbage.bin") && line.contains("not a tar"),
        "{line}"
    );
    let line = scan_error(&d.path().join("nope.tar"), &[]);
    assert!(
        line.contains("nope.tar") && line.contains("cannot open"),
        "{line}"
    );
}

#[test]
fn rootfs_tars_are_checked_like_layers() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "rootfs.tar",
        &tar_of(&[
            E::Dir("etc"),
            E::File("etc/a", b"1"),
            E::File("etc/a", b"2"),
        ]),
    );
    let line = scan_error(&p, &[]);
    assert!(
        line.contains("layer 0") && line.contains("more than once"),
        "{line}"
    );
    let p = write(d.path(), "up.tar", &tar_of(&[E::File("../up", b"1")]));
    let line = scan_error(&p, &[]);
    assert!(
        line.contains("up.tar") && line.contains("leaves the image root"),
        "{line}"
    );
}

#[test]
fn a_fifo_is_refused_at_once() {
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("image.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // No writer: opening it would block for ever.
    let line = scan_error(&fifo, &[]);
    assert!(line.contains("is a FIFO"), "{line}");
}

#[test]
fn a_source_date_epoch_that_is_no_date_is_a_usage_error() {
    let img = fixture("docker-archive.tar");
    for bad in ["yesterday", "-1", "99999999999999"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_layerbom"))
            .env("LAYERBOM_NO_CACHE", "1")
            .args(["scan", img.to_str().unwrap(), "-q", "-o", "json"])
            .env("SOURCE_DATE_EPOCH", bad)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("SOURCE_DATE_EPOCH"), "{stderr}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_NO_CACHE", "1")
        .args(["scan", img.to_str().unwrap(), "-q", "-o", "spdx-json"])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("2023-11-14T22:13:20Z"));
}

#[test]
fn a_classic_config_whose_content_is_not_its_name_is_refused() {
    let d = tempfile::tempdir().unwrap();
    tar::Archive::new(std::fs::File::open(fixture("docker-legacy.tar")).unwrap())
        .unpack(d.path())
        .unwrap();
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("manifest.json")).unwrap()).unwrap();
    let config = d.path().join(m[0]["Config"].as_str().unwrap());
    let mut bytes = std::fs::read(&config).unwrap();
    bytes.push(b'\n');
    std::fs::write(&config, bytes).unwrap();
    let line = scan_error(d.path(), &[]);
    assert!(line.contains("digest mismatch"), "{line}");
    // Without verification the name is not held against the content.
    scan_json(d.path(), &["--no-verify"]);
}

#[test]
fn a_compressed_archive_cut_before_its_first_entry_is_not_a_rootfs_layer() {
    let dir = tempfile::tempdir().unwrap();
    let tar = std::fs::read(fixture("docker-archive.tar")).unwrap();
    let zst = zstd::encode_all(tar.as_slice(), 3).unwrap();
    let gz = {
        use std::io::Write;
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&tar).unwrap();
        z.finish().unwrap()
    };
    for (name, bytes, says) in [
        (
            "cut.tar.zst",
            &zst[..12],
            "the zstd stream breaks before its first entry",
        ),
        (
            "cut.tar.gz",
            &gz[..30],
            "the gzip stream breaks before its first entry",
        ),
    ] {
        let path = write(dir.path(), name, bytes);
        let line = scan_error(&path, &[]);
        assert!(line.contains(says), "{line}");
        assert!(!line.contains("layer 0"), "{line}");
    }
}

#[test]
fn an_unknown_scheme_names_the_schemes_that_are_read() {
    for (name, says) in [
        ("foo://bar", "`foo://` is not a scheme layerbom reads"),
        ("docker://debian:12", "`registry:debian:12`"),
        ("docker-daemon:app:1", "docker save IMAGE -o image.tar"),
    ] {
        let line = scan_error(Path::new(name), &[]);
        assert!(line.contains(says), "{name}: {line}");
    }
    let line = scan_error(Path::new("foo://bar"), &[]);
    assert!(line.contains("registry:, docker-archive:"), "{line}");
}

#[test]
fn a_dockerfile_given_as_the_image_points_to_dockerfile() {
    let d = tempfile::tempdir().unwrap();
    // Told by its content, whatever its name.
    let p = write(
        d.path(),
        "build.txt",
        b"# syntax=docker/dockerfile:1\n\nARG BASE=debian:12\nFROM $BASE\nRUN true\n",
    );
    let line = scan_error(&p, &[]);
    assert!(
        line.contains("build.txt: this looks like a Dockerfile")
            && line.contains("did you mean `--dockerfile"),
        "{line}"
    );
    // Told by its name, whatever it begins with.
    for name in ["Containerfile", "app.dockerfile"] {
        let p = write(d.path(), name, b"# just a comment\nLABEL a=b\n");
        let line = scan_error(&p, &[]);
        assert!(line.contains("looks like a Dockerfile"), "{name}: {line}");
    }
    // A tar named Dockerfile is still read as what it is.
    let p = write(
        d.path(),
        "Dockerfile",
        &tar_of(&[E::File("etc/hostname", b"box\n")]),
    );
    let doc = scan_json(&p, &[]);
    assert_eq!(doc["image"]["format"], "rootfs-tar");
}

#[test]
fn an_empty_directory_is_scanned_with_a_warning_that_it_holds_no_packages() {
    let d = tempfile::tempdir().unwrap();
    let out = layerbom(&["scan", d.path().to_str().unwrap(), "-q", "-o", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("layerbom: warning: ") && stderr.contains("holds no files, so no packages"),
        "{stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&doc, NATIVE_SCHEMA);
    assert_eq!(doc["packages"], serde_json::json!([]));
    let kinds: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"no-packages"), "{kinds:?}");
    // A directory of files but no package records says how much it looked at.
    std::fs::write(d.path().join("hello.txt"), b"hi\n").unwrap();
    let out = layerbom(&["scan", d.path().to_str().unwrap(), "-q", "-o", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no package database"), "{stderr}");
}

#[test]
fn a_name_neither_local_nor_in_a_registry_says_how_to_make_a_local_image() {
    // A registry on a loopback port where nothing listens: refused at once.
    let line = scan_error(Path::new("127.0.0.1:9/layerbom/none:1"), &[]);
    assert!(line.contains("docker save IMAGE -o image.tar"), "{line}");
    assert!(line.contains("skopeo copy"), "{line}");
    assert!(line.contains("OCI image layout"), "{line}");
}
