//! Attaching SBOMs to an image (`layerbom attach`) and reading them back (`layerbom
//! attached`): the artifacts as the OCI 1.1 specifications lay them out, checked through the
//! registry's own HTTP API and skopeo. Debian's registry has no referrers API, so the
//! referrers tag schema (`sha256-<hex>`) is what these exercise.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::harness::*;

const SPDX: &str = "application/spdx+json";
const CYCLONEDX: &str = "application/vnd.cyclonedx+json";
const EMPTY_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/// Runs `layerbom ARGS…` with no registry credentials from the environment and `stdin`.
fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_NO_CACHE", "1")
        .args(args)
        .env_remove("LAYERBOM_REGISTRY_USERNAME")
        .env_remove("LAYERBOM_REGISTRY_PASSWORD")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run layerbom");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Runs `layerbom ARGS…`, failing with its stderr unless it succeeds; returns stdout.
fn ok(args: &[&str]) -> String {
    String::from_utf8(crate::common::succeeded(run(args, ""), args).stdout).unwrap()
}

/// Runs `layerbom ARGS…` expecting exit 2 and one line on stderr, which it returns.
fn fails(args: &[&str], stdin: &str) -> String {
    let out = run(args, stdin);
    let stderr = String::from_utf8_lossy(&out.stderr).trim_end().to_string();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// `GET /v2/<path>` from the registry with `Accept: accept`: the status and the body.
fn get(reg: &Registry, path: &str, accept: &str) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", reg.port)).unwrap();
    write!(
        s,
        "GET /v2/{path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n",
        reg.port
    )
    .unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&answer[..end]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    assert!(
        !head.to_ascii_lowercase().contains("chunked"),
        "a manifest is sent whole: {head}"
    );
    (status, answer[end + 4..].to_vec())
}

/// The manifest `reference` (tag or digest) of `repo`, parsed, failing unless it is there.
fn manifest(reg: &Registry, repo: &str, reference: &str) -> Value {
    let accept =
        "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json";
    let (status, body) = get(reg, &format!("{repo}/manifests/{reference}"), accept);
    assert_eq!(status, 200, "{repo}:{reference}");
    serde_json::from_slice(&body).unwrap()
}

/// The referrers tag of a digest.
fn tag_of(digest: &str) -> String {
    digest.replace(':', "-")
}

/// Scans `reference` to spdx-json, cyclonedx-json and json in `dir`; returns the image's
/// manifest digest.
fn scan_to(dir: &Path, reference: &str, extra: &[&str]) -> String {
    let spdx = format!("spdx-json={}", dir.join("app.spdx.json").display());
    let cdx = format!("cyclonedx-json={}", dir.join("app.cdx.json").display());
    let json = format!("json={}", dir.join("app.json").display());
    let mut args = vec![
        "scan", reference, "-q", "-o", &spdx, "-o", &cdx, "-o", &json,
    ];
    args.extend_from_slice(extra);
    ok(&args);
    let doc: Value = serde_json::from_slice(&std::fs::read(dir.join("app.json")).unwrap()).unwrap();
    doc["image"]["manifest_digest"]
        .as_str()
        .unwrap()
        .to_string()
}

fn s(p: &Path) -> &str {
    path_str(p)
}

#[test]
fn sboms_are_attached_found_through_the_registry_and_read_back_byte_for_byte() {
    let reg = Registry::start(false);
    let reference = reg.push_app(&[]);
    let dir = tempfile::tempdir().unwrap();
    let image = scan_to(dir.path(), &reference, &[]);
    let spdx = dir.path().join("app.spdx.json");
    let cdx = dir.path().join("app.cdx.json");
    let said = ok(&["attach", &reference, s(&spdx), s(&cdx)]);
    assert!(said.contains(&format!("fixtures/app@{image}")), "{said}");
    assert!(
        said.contains(&format!("referrers tag {}", tag_of(&image))),
        "{said}"
    );

    // The registry's referrers tag lists both artifacts, each with its type.
    let index = manifest(&reg, "fixtures/app", &tag_of(&image));
    assert_eq!(
        index["mediaType"],
        "application/vnd.oci.image.index.v1+json"
    );
    let entries = index["manifests"].as_array().unwrap();
    let types: Vec<&str> = entries
        .iter()
        .map(|e| e["artifactType"].as_str().unwrap())
        .collect();
    assert_eq!(types, [SPDX, CYCLONEDX]);
    for (entry, file) in entries.iter().zip([&spdx, &cdx]) {
        let digest = entry["digest"].as_str().unwrap();
        let (_, raw) = get(
            &reg,
            &format!("fixtures/app/manifests/{digest}"),
            "application/vnd.oci.image.manifest.v1+json",
        );
        assert_eq!(entry["size"], raw.len());
        let artifact: Value = serde_json::from_slice(&raw).unwrap();
        assert_eq!(
            artifact["mediaType"],
            "application/vnd.oci.image.manifest.v1+json"
        );
        assert_eq!(artifact["artifactType"], entry["artifactType"]);
        assert_eq!(artifact["subject"]["digest"], image.as_str());
        assert_eq!(artifact["config"]["digest"], EMPTY_DIGEST);
        assert_eq!(
            artifact["config"]["mediaType"],
            "application/vnd.oci.empty.v1+json"
        );
        let layer = &artifact["layers"][0];
        assert_eq!(layer["mediaType"], entry["artifactType"]);
        assert_eq!(
            layer["annotations"]["org.opencontainers.image.title"],
            file.file_name().unwrap().to_str().unwrap()
        );
        let bytes = std::fs::read(file).unwrap();
        assert_eq!(layer["size"], bytes.len());
        let (status, blob) = get(
            &reg,
            &format!("fixtures/app/blobs/{}", layer["digest"].as_str().unwrap()),
            "*/*",
        );
        assert_eq!((status, blob), (200, bytes));
        // skopeo reads the same artifact.
        let out = Command::new(program("skopeo", "skopeo"))
            .args(["inspect", "--raw", "--tls-verify=false"])
            .arg(format!(
                "docker://{}",
                reg.reference(&format!("fixtures/app@{digest}"))
            ))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, raw);
    }

    // layerbom lists them.
    let listing: Value =
        serde_json::from_str(&ok(&["attached", &reference, "-o", "json"])).unwrap();
    assert_eq!(listing["subject"]["digest"], image.as_str());
    let referrers = listing["referrers"].as_array().unwrap();
    assert_eq!(referrers.len(), 2);
    for (r, (entry, t)) in referrers.iter().zip(entries.iter().zip([SPDX, CYCLONEDX])) {
        assert_eq!(r["digest"], entry["digest"]);
        assert_eq!(r["artifact_type"], t);
        assert_eq!(r["documents"][0]["media_type"], t);
    }
    let table = ok(&["attached", &reference]);
    assert!(
        table.contains("app.spdx.json") && table.contains("app.cdx.json") && table.contains(SPDX),
        "{table}"
    );

    // And reads them back, byte for byte: all of them, or those of one type.
    let out = tempfile::tempdir().unwrap();
    ok(&[
        "attached",
        &reference,
        "--output-dir",
        s(out.path()),
        "-o",
        "json",
    ]);
    for file in [&spdx, &cdx] {
        let back = out.path().join(file.file_name().unwrap());
        assert_eq!(std::fs::read(back).unwrap(), std::fs::read(file).unwrap());
    }
    let one = tempfile::tempdir().unwrap();
    let said = ok(&[
        "attached",
        &reference,
        "--artifact-type",
        CYCLONEDX,
        "--output-dir",
        s(one.path()),
    ]);
    let names: Vec<_> = std::fs::read_dir(one.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["app.cdx.json"], "{said}");
    let spdx_artifact = entries[0]["digest"].as_str().unwrap();
    let listing: Value = serde_json::from_str(&ok(&[
        "attached",
        &reference,
        "--artifact",
        spdx_artifact,
        "-o",
        "json",
    ]))
    .unwrap();
    assert_eq!(listing["referrers"].as_array().unwrap().len(), 1);
    assert_eq!(listing["referrers"][0]["digest"], spdx_artifact);

    // Attaching the same documents again lists nothing twice; a new one is added.
    let said = ok(&["attach", &reference, s(&spdx), s(&cdx)]);
    assert!(!said.contains("referrers tag"), "{said}");
    assert_eq!(manifest(&reg, "fixtures/app", &tag_of(&image)), index);
    let later = dir.path().join("later.spdx.json");
    let text = std::fs::read_to_string(&spdx).unwrap();
    std::fs::write(&later, text.replace("2023-11-14", "2023-11-15")).unwrap();
    ok(&["attach", &reference, s(&later)]);
    let index = manifest(&reg, "fixtures/app", &tag_of(&image));
    assert_eq!(index["manifests"].as_array().unwrap().len(), 3);
    assert_eq!(index["manifests"].as_array().unwrap()[..2], entries[..]);
}

#[test]
fn a_multi_platform_image_has_documents_per_platform() {
    let reg = Registry::start(false);
    let reference = reg.push_multiarch();
    let dir = tempfile::tempdir().unwrap();
    let arm = scan_to(dir.path(), &reference, &["--platform", "arm64"]);
    let spdx = dir.path().join("app.spdx.json");
    ok(&["attach", &reference, "--platform", "linux/arm64", s(&spdx)]);
    let index = manifest(&reg, "fixtures/multi", &tag_of(&arm));
    assert_eq!(index["manifests"].as_array().unwrap().len(), 1);
    let listing: Value = serde_json::from_str(&ok(&[
        "attached",
        &reference,
        "--platform",
        "arm64",
        "-o",
        "json",
    ]))
    .unwrap();
    assert_eq!(listing["subject"]["digest"], arm.as_str());
    assert_eq!(listing["referrers"].as_array().unwrap().len(), 1);
    // The other platform's image has none.
    let table = ok(&["attached", &reference, "--platform", "linux/amd64"]);
    assert!(table.contains("Nothing refers to it"), "{table}");
    assert!(!table.contains(&arm), "{table}");
    let line = fails(
        &["attach", &reference, "--platform", "linux/s390x", s(&spdx)],
        "",
    );
    assert!(
        line.contains("linux/s390x") && line.contains("linux/arm64"),
        "{line}"
    );
}

#[test]
fn unusable_files_tags_and_credentials_are_errors() {
    let (reg, reference) = Registry::with_basic_auth();
    let dir = tempfile::tempdir().unwrap();
    let sbom = dir.path().join("bom.json");
    std::fs::write(&sbom, r#"{"bomFormat":"CycloneDX","specVersion":"1.6"}"#).unwrap();
    let creds = ["--username", "tester", "--password-stdin"];

    // A file of no known format, or none at all: refused before the registry is asked.
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not an SBOM").unwrap();
    let line = fails(&["attach", &reference, s(&notes)], "");
    assert!(
        line.contains(s(&notes)) && line.contains("FILE:MEDIATYPE"),
        "{line}"
    );
    let missing = dir.path().join("missing.json");
    let line = fails(&["attach", &reference, s(&missing)], "");
    assert!(line.contains(s(&missing)), "{line}");

    // No credentials for a registry that requires them.
    let line = fails(&["attach", &reference, s(&sbom)], "");
    assert!(
        line.contains(&reference) && line.contains("refused access") && line.contains("--username"),
        "{line}"
    );
    let line = fails(&["attached", &reference], "");
    assert!(line.contains("refused access"), "{line}");

    // A tag that is not there.
    let nope = reg.reference("fixtures/app:nope");
    let mut args = vec!["attach", nope.as_str(), s(&sbom)];
    args.extend_from_slice(&creds);
    let line = fails(&args, PASSWORD);
    assert!(
        line.contains(&nope) && line.contains("tag nope") && line.contains("no such image"),
        "{line}"
    );

    // With credentials, attached (with a media type named for a file of another format)
    // and listed.
    let named = format!("{}:text/plain", s(&notes));
    let mut args = vec!["attach", reference.as_str(), s(&sbom), named.as_str()];
    args.extend_from_slice(&creds);
    let out = run(&args, PASSWORD);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut args = vec!["attached", reference.as_str(), "-o", "json"];
    args.extend_from_slice(&creds);
    let out = run(&args, PASSWORD);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listing: Value = serde_json::from_slice(&out.stdout).unwrap();
    let types: Vec<&str> = listing["referrers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["artifact_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, [CYCLONEDX, "text/plain"]);
}

#[test]
fn a_scan_attaches_the_sboms_it_wrote_to_the_manifest_it_scanned() {
    let reg = Registry::start(false);
    let archive = fixture("docker-archive.tar");
    let reference = reg.push_app(&[]);
    let dir = tempfile::tempdir().unwrap();
    let spdx = dir.path().join("app.spdx.json");
    let xml = dir.path().join("app.cdx.xml");
    let out = run(
        &[
            "scan",
            &reference,
            "-q",
            "-o",
            &format!("spdx-json={}", s(&spdx)),
            "-o",
            &format!("cyclonedx-xml={}", s(&xml)),
            "-o",
            "json",
            "--attach",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let image = doc["image"]["manifest_digest"].as_str().unwrap();
    let listing: Value =
        serde_json::from_str(&ok(&["attached", &reference, "-o", "json"])).unwrap();
    assert_eq!(listing["subject"]["digest"], image);
    let titles: Vec<(&str, &str)> = listing["referrers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["artifact_type"].as_str().unwrap(),
                r["documents"][0]["title"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        titles,
        [
            (SPDX, "app.spdx.json"),
            ("application/vnd.cyclonedx+xml", "app.cdx.xml")
        ]
    );
    // Nothing to attach, or no registry to attach to.
    let line = fails(&["scan", &reference, "-q", "-o", "json", "--attach"], "");
    assert!(
        line.contains("--attach") && line.contains("spdx-json=FILE"),
        "{line}"
    );
    let spdx_out = format!("spdx-json={}", s(&spdx));
    let line = fails(
        &[
            "scan",
            path_str(&archive),
            "-q",
            "-o",
            &spdx_out,
            "--attach",
        ],
        "",
    );
    assert!(line.contains("not an image in a registry"), "{line}");
}

#[test]
fn a_registry_that_hands_out_bearer_tokens_takes_the_push() {
    let keys = tempfile::tempdir().unwrap();
    let (realm, _) = token_service(token(keys.path(), "fixtures/app"));
    let reg = Registry::start_token(&realm, &keys.path().join("signer.pem"));
    let reference = reg.push_app(&[]);
    let dir = tempfile::tempdir().unwrap();
    let sbom = dir.path().join("bom.json");
    std::fs::write(&sbom, r#"{"bomFormat":"CycloneDX","specVersion":"1.6"}"#).unwrap();
    ok(&["attach", &reference, s(&sbom)]);
    let out = tempfile::tempdir().unwrap();
    let listing: Value = serde_json::from_str(&ok(&[
        "attached",
        &reference,
        "--output-dir",
        s(out.path()),
        "-o",
        "json",
    ]))
    .unwrap();
    assert_eq!(listing["referrers"][0]["artifact_type"], CYCLONEDX);
    assert_eq!(
        std::fs::read(out.path().join("bom.json")).unwrap(),
        std::fs::read(&sbom).unwrap()
    );
}
