//! Pulling by reference: the same reports as the archives pushed, platforms, auth, TLS,
//! and the errors of bad names, tags and blobs.

use std::io::{Read, Write};
use std::net::TcpStream;

use crate::harness::*;

#[test]
fn an_image_by_reference_is_the_archive_it_was_pushed_from() {
    let reg = Registry::start(false);
    let archive = fixture("docker-archive.tar");
    reg.push_app(&[]);
    let local = scan(&[path_str(&archive)], &[]);
    assert!(!packages(&local).is_empty());
    let reference = reg.reference("fixtures/app:1");
    let by_tag = scan(&[&reference], &[]);
    assert_eq!(packages(&by_tag), packages(&local));
    assert_eq!(
        comparable(by_tag.clone(), false),
        comparable(local.clone(), false)
    );
    let image = &by_tag["image"];
    assert_eq!(image["format"], "registry");
    assert_eq!(image["source"], reference.as_str());
    let digest = image["manifest_digest"].as_str().unwrap().to_string();
    assert_eq!(
        image["registry"]["purl"],
        format!(
            "pkg:oci/app@{}?repository_url=127.0.0.1%3A{}/fixtures/app&tag=1",
            digest.replace(':', "%3A"),
            reg.port
        )
    );
    assert!(image["registry"].get("index_digest").is_none());
    // With the scheme, and by digest: the same image.
    let prefixed = scan(&[&format!("registry:{reference}")], &[]);
    assert_eq!(
        comparable(prefixed, false),
        comparable(local.clone(), false)
    );
    let by_digest = scan(&[&reg.reference(&format!("fixtures/app@{digest}"))], &[]);
    assert_eq!(by_digest["image"]["manifest_digest"], digest.as_str());
    assert!(by_digest["image"]["registry"].get("tag").is_none());
    assert_eq!(comparable(by_digest, false), comparable(local, false));
    // The purl is in the SBOMs.
    let out = layerbom_command()
        .args(["scan", &reference, "-q", "-o", "spdx-json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let spdx: Value = serde_json::from_slice(&out.stdout).unwrap();
    let image_pkg = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["SPDXID"] == "SPDXRef-Image")
        .unwrap();
    assert_eq!(
        image_pkg["externalRefs"][0]["referenceLocator"],
        image["registry"]["purl"]
    );
    let out = layerbom_command()
        .args(["scan", &reference, "-q", "-o", "cyclonedx-json"])
        .output()
        .unwrap();
    let cdx: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        cdx["metadata"]["component"]["purl"],
        image["registry"]["purl"]
    );
}

#[test]
fn a_multi_platform_image_is_chosen_by_platform() {
    let reg = Registry::start(false);
    let layout = fixture("oci-multiarch");
    let reference = reg.push_multiarch();
    for (flag, arch) in [("linux/amd64", "amd64"), ("arm64", "arm64")] {
        let local = scan(&[path_str(&layout), "--platform", flag], &[]);
        let remote = scan(&[&reference, "--platform", flag], &[]);
        assert_eq!(remote["image"]["platform"]["architecture"], arch);
        assert!(remote["image"]["registry"]["index_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:"));
        // skopeo copies the layout's blobs as they are: the layers are the same blobs.
        assert_eq!(comparable(remote, true), comparable(local, true));
    }
    let line = scan_fails(&[&reference, "--platform", "linux/s390x"], &[]);
    assert!(
        line.contains("linux/s390x")
            && line.contains("linux/amd64")
            && line.contains("linux/arm64"),
        "{line}"
    );
}

#[test]
fn uncompressed_layers_stream_and_are_checked() {
    let reg = Registry::start(false);
    let layout = fixture("oci-uncompressed");
    // --preserve-digests: the layers stay uncompressed tars in the registry.
    reg.push(
        &format!("oci:{}", path_str(&layout)),
        "fixtures/plain:1",
        &["--preserve-digests"],
    );
    let reference = reg.reference("fixtures/plain:1");
    let remote = scan(&[&reference], &[]);
    assert_eq!(remote["layers"][0]["compression"], "none");
    let local = scan(&[path_str(&layout)], &[]);
    assert_eq!(comparable(remote.clone(), true), comparable(local, true));
    // An uncompressed blob is not walked by seeking here: every byte is read and checked,
    // so a changed byte past the last entry's header is found too.
    let layer = remote["layers"][0]["digest"].as_str().unwrap().to_string();
    let file = reg.blob_file(&layer);
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();
    let line = scan_fails(&[&reference], &[]);
    assert!(
        line.contains("layer 0") && line.contains(&layer) && line.contains("digest"),
        "{line}"
    );
}

#[test]
fn unknown_tags_and_corrupt_blobs_are_errors() {
    let reg = Registry::start(false);
    reg.push_app(&[]);
    let missing = reg.reference("fixtures/app:nope");
    let line = scan_fails(&[&missing], &[]);
    assert!(
        line.contains(&missing) && line.contains("tag nope") && line.contains("no such image"),
        "{line}"
    );
    // A single image for another platform than the one asked for.
    let reference = reg.reference("fixtures/app:1");
    let line = scan_fails(&[&reference, "--platform", "arm64"], &[]);
    assert!(
        line.contains("linux/arm64") && line.contains("linux/amd64"),
        "{line}"
    );
    // A layer blob replaced in the registry's storage by other bytes.
    let reference = reg.reference("fixtures/app:1");
    let doc = scan(&[&reference], &[]);
    let layer = doc["layers"][1]["digest"].as_str().unwrap().to_string();
    let file = reg.blob_file(&layer);
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&file, &bytes).unwrap();
    let line = scan_fails(&[&reference], &[]);
    assert!(
        line.contains(&reference) && line.contains("layer 1") && line.contains(&layer),
        "{line}"
    );
    assert!(line.contains("digest"), "{line}");
    // Other bytes altogether, shorter than the manifest says.
    std::fs::write(&file, b"not the layer").unwrap();
    let line = scan_fails(&[&reference], &[]);
    assert!(line.contains("layer 1") && line.contains(&layer), "{line}");
}

#[test]
fn basic_auth_credentials_come_from_the_command_line_or_the_environment() {
    let (_reg, reference) = Registry::with_basic_auth();
    let archive = fixture("docker-archive.tar");
    let good = [
        ("LAYERBOM_REGISTRY_USERNAME", "tester"),
        ("LAYERBOM_REGISTRY_PASSWORD", PASSWORD),
    ];
    let doc = scan(&[&reference], &good);
    assert_eq!(packages(&doc), packages(&scan(&[path_str(&archive)], &[])));
    let wrong = [
        ("LAYERBOM_REGISTRY_USERNAME", "tester"),
        ("LAYERBOM_REGISTRY_PASSWORD", "wrong"),
    ];
    let line = scan_fails(&[&reference], &wrong);
    assert!(
        line.contains(&reference)
            && line.contains("refused the credentials in LAYERBOM_REGISTRY_USERNAME"),
        "{line}"
    );
    let line = scan_fails(&[&reference], &[]);
    assert!(line.contains("refused access"), "{line}");
    // --username with the password on standard input, as `docker login --password-stdin`
    // takes it, in place of the environment's.
    let with_stdin = |password: &str| {
        let mut child = layerbom_command()
            .args(["scan", &reference, "-q", "-o", "json"])
            .args(["--username", "tester", "--password-stdin"])
            .envs(wrong.iter().copied())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run layerbom");
        let mut stdin = child.stdin.take().expect("stdin");
        std::io::Write::write_all(&mut stdin, format!("{password}\n").as_bytes()).unwrap();
        drop(stdin);
        child.wait_with_output().expect("wait for layerbom")
    };
    let out = with_stdin(PASSWORD);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(packages(&doc), packages(&scan(&[path_str(&archive)], &[])));
    let out = with_stdin("wrong");
    assert_eq!(out.status.code(), Some(2));
    let line = String::from_utf8_lossy(&out.stderr);
    assert!(
        line.contains("refused the credentials given with --username and --password-stdin"),
        "{line}"
    );
}

#[test]
fn names_that_are_neither_paths_nor_references() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("Missing.tar");
    let line = scan_fails(&[path_str(&path)], &[]);
    assert!(
        line.contains("no such file") && line.contains("not an image reference"),
        "{line}"
    );
    let line = scan_fails(&["oci-dir:tests/fixtures/images/docker-archive.tar"], &[]);
    assert!(
        line.contains("is not an OCI image layout directory"),
        "{line}"
    );
    let line = scan_fails(&["registry:Not A Reference"], &[]);
    assert!(line.contains("is not an image reference"), "{line}");
}

#[test]
fn a_scheme_names_what_a_local_input_is_and_changes_nothing_else() {
    let archive = fixture("docker-archive.tar");
    let layout = fixture("oci-gzip");
    let rootfs = fixture("rootfs-dir");
    for (scheme, path) in [
        ("docker-archive:", &archive),
        ("file:", &archive),
        ("oci-dir:", &layout),
        ("dir:", &layout),
        ("dir:", &rootfs),
    ] {
        let plain = scan(&[path_str(path)], &[]);
        let named = scan(&[&format!("{scheme}{}", path_str(path))], &[]);
        assert_eq!(named, plain, "{scheme}{}", path.display());
    }
    let line = scan_fails(&[&format!("oci-archive:{}", path_str(&archive))], &[]);
    assert!(line.contains("is not an OCI image layout tar"), "{line}");
    let line = scan_fails(&[&format!("file:{}", path_str(&layout))], &[]);
    assert!(line.contains("is not a file"), "{line}");
}

#[test]
fn tls_is_verified_against_the_authorities_given() {
    let reg = Registry::start_with(false, true);
    let archive = fixture("docker-archive.tar");
    let reference = reg.push_app(&[]);
    // Its certificate is vouched for by no authority the system trusts: refused, and no
    // fallback to plain HTTP helps (the registry speaks TLS only).
    let line = scan_fails(&[&reference], &[]);
    assert!(
        line.contains("https://") && line.contains("certificate"),
        "{line}"
    );
    let ca = reg.dir.path().join("ca.pem");
    let doc = scan(&[&reference, "--ca-cert", path_str(&ca)], &[]);
    assert_eq!(
        comparable(doc, false),
        comparable(scan(&[path_str(&archive)], &[]), false)
    );
}

#[test]
fn bearer_tokens_are_fetched_from_the_realm_the_registry_names() {
    let keys = tempfile::tempdir().unwrap();
    let (realm, served) = token_service(token(keys.path(), "fixtures/app"));
    let reg = Registry::start_token(&realm, &keys.path().join("signer.pem"));
    let archive = fixture("docker-archive.tar");
    reg.push_app(&[]);
    let before = served.load(std::sync::atomic::Ordering::SeqCst);
    let doc = scan(&[&reg.reference("fixtures/app:1")], &[]);
    assert_eq!(
        comparable(doc, false),
        comparable(scan(&[path_str(&archive)], &[]), false)
    );
    assert!(
        served.load(std::sync::atomic::Ordering::SeqCst) > before,
        "the scan asked the token service for a token"
    );
    // Without a token the registry refuses.
    let mut answer = String::new();
    let mut s = TcpStream::connect(("127.0.0.1", reg.port)).unwrap();
    s.write_all(
        format!(
            "GET /v2/fixtures/app/manifests/1 HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            reg.port
        )
        .as_bytes(),
    )
    .unwrap();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
}
