//! Where documents may be written: an output that would destroy an input, a file named twice
//! or a missing directory is refused before the scan (exit 2, one line); a document replaces
//! the previous file only once it is complete; names read from an image cannot add lines to
//! an error.

mod common;

use std::fs;

use common::*;

/// Runs `layerbom ARGS` expecting exit 2 with one line on stderr; returns it.
fn refused(args: &[&str]) -> String {
    let out = layerbom(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    stderr.trim_end().to_string()
}

#[test]
fn an_output_over_the_image_is_refused_and_the_image_kept() {
    let d = tempfile::tempdir().unwrap();
    let image = d.path().join("image.tar");
    fs::copy(fixture("docker-archive.tar"), &image).unwrap();
    let before = fs::read(&image).unwrap();
    let img = image.to_str().unwrap();
    let line = refused(&["scan", img, "-q", "-o", &format!("json={img}")]);
    assert!(line.contains("would overwrite the image"), "{line}");
    assert_eq!(fs::read(&image).unwrap(), before);
}

#[test]
fn an_output_inside_the_layout_being_scanned_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let layout = d.path().join("layout");
    fs::create_dir(&layout).unwrap();
    oci_layout(&layout, &[tar_of(&[E::File("etc/hostname", b"box\n")])]);
    let index = layout.join("index.json");
    let before = fs::read(&index).unwrap();
    let line = refused(&[
        "scan",
        layout.to_str().unwrap(),
        "-q",
        "-o",
        &format!("json={}", index.display()),
    ]);
    assert!(line.contains("would overwrite the image"), "{line}");
    assert_eq!(fs::read(&index).unwrap(), before);
}

#[test]
fn the_same_file_twice_or_a_missing_directory_is_refused_before_the_scan() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("bom.json");
    let out = out.to_str().unwrap();
    let img = fixture("docker-archive.tar");
    let img = img.to_str().unwrap();
    let line = refused(&[
        "scan",
        img,
        "-q",
        "-o",
        &format!("json={out}"),
        "-o",
        &format!("spdx-json={out}"),
    ]);
    assert!(line.contains("named by two outputs"), "{line}");
    let missing = d.path().join("nope/bom.json");
    let line = refused(&[
        "scan",
        "/does/not/exist.tar",
        "-q",
        "-o",
        &format!("json={}", missing.display()),
    ]);
    // Checked before the image is even opened.
    assert!(
        line.contains("does not exist") && line.contains("nope"),
        "{line}"
    );
    assert!(!d.path().join("nope").exists());
}

#[test]
fn a_document_replaces_the_previous_file_and_leaves_no_temporary() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("bom.json");
    fs::write(&out, b"previous").unwrap();
    let img = fixture("docker-archive.tar");
    let o = layerbom(&[
        "scan",
        img.to_str().unwrap(),
        "-q",
        "-o",
        &format!("json={}", out.display()),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    assert!(doc["packages"].is_array());
    let names: Vec<_> = fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["bom.json"]);
}

#[test]
fn a_member_name_cannot_add_lines_or_escapes_to_the_error() {
    let d = tempfile::tempdir().unwrap();
    tar::Archive::new(fs::File::open(fixture("docker-archive.tar")).unwrap())
        .unpack(d.path())
        .unwrap();
    let p = d.path().join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&fs::read(&p).unwrap()).unwrap();
    m[0]["Layers"][1] = "missing.tar\nlayerbom: everything is fine\u{1b}[2J".into();
    fs::write(&p, serde_json::to_vec(&m).unwrap()).unwrap();
    let line = scan_error(d.path(), &[]);
    assert!(!line.contains('\u{1b}'), "{line:?}");
    assert!(
        line.contains("missing.tar\\nlayerbom: everything is fine\\u{1b}[2J"),
        "{line}"
    );
}

/// Runs `layerbom scan SAMPLE -q -o FORMAT` with standard output a pipe whose read end is
/// closed after `read` bytes; returns the exit status and stderr.
fn scan_into_closed_pipe(format: &str, read: usize) -> (std::process::ExitStatus, String) {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_NO_CACHE", "1")
        .args(["scan", sample().to_str().unwrap(), "-q", "-o", format])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run layerbom");
    let mut stdout = child.stdout.take().unwrap();
    let mut first = vec![0u8; read];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap(), stderr)
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    // The document is far larger than a pipe's buffer (64 KiB on Linux), so layerbom is
    // still writing when the read end closes, as under `| head`.
    // (The NOTICE file holds the license texts: some 200 KB for the sample.)
    let whole = layerbom(&["scan", sample().to_str().unwrap(), "-q", "-o", "notice"]);
    assert!(whole.status.success());
    assert!(whole.stdout.len() > 128 * 1024, "{}", whole.stdout.len());
    for read in [0, 16] {
        let (status, stderr) = scan_into_closed_pipe("notice", read);
        assert_eq!(status.code(), Some(0), "after {read} bytes: {stderr}");
        assert_eq!(stderr, "", "after {read} bytes");
    }
}

#[test]
fn a_reader_that_goes_away_leaves_the_other_documents_and_the_policy() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("bom.json");
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_NO_CACHE", "1")
        .args(["scan", sample().to_str().unwrap(), "-q", "-o", "notice"])
        .args(["-o", &format!("json={}", out.display())])
        .args(["--fail-on", "strong-copyleft"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run layerbom");
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    // The sample ships GPL packages: the policy still fails the run, and says why.
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("layerbom: policy failed"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    assert!(doc["packages"].is_array());
}

#[test]
fn a_refused_output_stops_the_run_before_any_document_is_written() {
    let d = tempfile::tempdir().unwrap();
    let img = fixture("docker-archive.tar");
    let img = img.to_str().unwrap();
    let good = d.path().join("good.json");
    let good_spec = format!("json={}", good.display());
    let twice = d.path().join("twice.json");
    let twice = twice.to_str().unwrap();
    let dockerfile = write(d.path(), "Dockerfile", b"FROM scratch\nCOPY a /\n");
    let before = fs::read(&dockerfile).unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                format!("spdx-json={twice}"),
                format!("cyclonedx-json={twice}"),
            ],
            "named by two outputs",
        ),
        (
            vec![format!(
                "spdx-json={}",
                d.path().join("missing/bom.json").display()
            )],
            "does not exist",
        ),
        (
            vec![format!("spdx-json={img}")],
            "would overwrite the image",
        ),
        (
            vec![format!("notice={}", dockerfile.display())],
            "would overwrite the Dockerfile",
        ),
    ];
    for (outputs, says) in cases {
        // A good output first: it is not written either, for the check comes before all.
        let mut args: Vec<&str> = vec!["scan", img, "-q", "--dockerfile"];
        args.push(dockerfile.to_str().unwrap());
        args.extend(["-o", &good_spec]);
        for o in &outputs {
            args.extend(["-o", o.as_str()]);
        }
        let line = refused(&args);
        assert!(line.contains(says), "{outputs:?}: {line}");
        let mut left: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["Dockerfile"], "{outputs:?}: nothing written");
        assert_eq!(fs::read(&dockerfile).unwrap(), before);
    }
}
