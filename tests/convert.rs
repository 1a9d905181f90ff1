//! `layerbom convert`: every document made again from the native JSON alone, and the
//! native JSON's schema (`schemas/`). That every format of every fixture converts byte for
//! byte is checked by tests/snapshots.rs; these are the command's own cases.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;

/// The sample's native JSON, written by a scan with `extra`.
fn sample_json(extra: &[&str]) -> String {
    let sample = sample();
    let mut args = vec!["scan", "-q", sample.to_str().unwrap(), "-o", "json"];
    args.extend_from_slice(extra);
    let out = layerbom(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `layerbom convert ARGS` with `stdin`.
fn convert(args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .arg("convert")
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn standard_input_converts_like_a_file() {
    let json = sample_json(&[]);
    let direct = layerbom(&[
        "scan",
        "-q",
        sample().to_str().unwrap(),
        "-o",
        "cyclonedx-json",
    ]);
    let converted = convert(&["-", "-o", "cyclonedx-json"], json.as_bytes());
    assert!(
        converted.status.success(),
        "{}",
        String::from_utf8_lossy(&converted.stderr)
    );
    assert_eq!(converted.stdout, direct.stdout);
    // The table, when no -o is given, as `scan` writes it.
    let table = convert(&["-"], json.as_bytes());
    let direct = layerbom(&["scan", "-q", sample().to_str().unwrap()]);
    assert_eq!(table.stdout, direct.stdout);
}

#[test]
fn the_policy_is_checked_on_the_converted_obligations() {
    let json = sample_json(&[]);
    let out = convert(
        &["-", "-o", "json", "--fail-on", "strong-copyleft"],
        json.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("policy failed"));
    // The base image not being ours, the layers delivery has fewer matches, as in a scan.
    let scan = layerbom(&[
        "scan",
        "-q",
        sample().to_str().unwrap(),
        "--delivery",
        "layers",
        "--base-layers",
        "1",
        "--fail-on",
        "strong-copyleft",
    ]);
    let json = sample_json(&["--base-layers", "1"]);
    let out = convert(
        &["-", "--delivery", "layers", "--fail-on", "strong-copyleft"],
        json.as_bytes(),
    );
    assert_eq!(out.status.code(), scan.status.code());
    assert_eq!(out.stderr, scan.stderr);
}

#[test]
fn another_schema_or_a_damaged_document_is_unusable_input() {
    let json = sample_json(&[]);
    let other = json.replacen("\"layerbom/v1\"", "\"layerbom/v9\"", 1);
    let out = convert(&["-"], other.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("-: not a layerbom/v1 document") && err.contains("layerbom/v9"),
        "{err}"
    );

    let cut = &json.as_bytes()[..json.len() / 2];
    let out = convert(&["-"], cut);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line"));

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let out = convert(&[missing.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.json: cannot read it"));
}

#[test]
fn a_conclusion_without_evidence_is_refused_by_the_command_and_the_schema() {
    let json = sample_json(&[]);
    let mut doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_valid(&doc, NATIVE_SCHEMA);
    let license = doc["packages"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .map(|p| &mut p["license"])
        .find(|l| l["concluded"] != "NOASSERTION")
        .unwrap();
    license["evidence"] = serde_json::json!([]);
    let e = violations(&doc, NATIVE_SCHEMA).expect("an expression without evidence is invalid");
    assert!(e.contains("evidence"), "{e}");
    let out = convert(&["-"], doc.to_string().as_bytes());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("needs evidence and no reason"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_finding_is_read_back_from_its_facts() {
    let dockerfile = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/Dockerfile");
    let json = sample_json(&["--dockerfile", dockerfile.to_str().unwrap()]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "base-unpinned")
        .unwrap();
    assert_eq!(finding["facts"]["tag"], "bookworm-slim");
    // Facts that do not fit the kind are refused, not guessed around.
    let broken = json.replacen("\"tag\": \"bookworm-slim\"", "\"tag\": 7", 1);
    let out = convert(&["-"], broken.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("finding \"base-unpinned\""));
    // And the message is made again from the facts, whatever the document says.
    let edited = json.replacen("is named by tag", "IS NAMED BY TAG", 1);
    let out = convert(&["-", "-o", "json"], edited.as_bytes());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), json);
}

#[test]
fn an_output_over_the_native_json_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "scan.json", sample_json(&[]).as_bytes());
    let spec = format!("spdx-json={}", file.display());
    let out = convert(&[file.to_str().unwrap(), "-o", &spec], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("would overwrite the native JSON"));
}

#[test]
fn a_reference_to_a_layer_the_document_does_not_list_is_refused() {
    let mut doc: serde_json::Value = serde_json::from_str(&sample_json(&[])).unwrap();
    doc["packages"][0]["layer"]["index"] = serde_json::json!(99);
    let out = convert(&["-"], doc.to_string().as_bytes());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refers to layer 99, but the image has 3 layers"),
        "{err}"
    );
}

#[test]
fn a_user_template_renders_the_report_obligations_and_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let template = write(
        dir.path(),
        "bom.csv.j2",
        b"name,version,layer,origin,license\n\
          {% for p in report.packages %}{{ p.name }},{{ p.version }},{{ p.layer.index }},\
          {{ p.origin }},{{ p.license.concluded }}\n{% endfor %}\
          # {{ obligations.summary.source_packages }} source packages; \
          {{ checklist | length }} questions; {{ tool }}\n",
    );
    let out_file = dir.path().join("bom.csv");
    let spec = format!("template={}", out_file.display());
    let sample = sample();
    let scan = layerbom(&[
        "scan",
        "-q",
        sample.to_str().unwrap(),
        "-o",
        &spec,
        "--output-template",
        template.to_str().unwrap(),
    ]);
    assert!(
        scan.status.success(),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    let text = std::fs::read_to_string(&out_file).unwrap();
    let doc = scan_json(&sample, &[]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "name,version,layer,origin,license");
    assert_eq!(
        lines.len(),
        1 + doc["packages"].as_array().unwrap().len() + 1,
        "{text}"
    );
    assert!(
        lines.contains(&"libjq1,1.6-2.1+deb12u3,1,authored,MIT"),
        "{text}"
    );
    assert!(
        lines.last().unwrap().starts_with("# 7 source packages; "),
        "{text}"
    );
    // convert renders it the same from the native JSON.
    let json = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let converted = convert(
        &[
            "-",
            "-o",
            "template",
            "--output-template",
            template.to_str().unwrap(),
        ],
        json.as_bytes(),
    );
    assert_eq!(String::from_utf8(converted.stdout).unwrap(), text);
}

#[test]
fn a_template_output_needs_its_template_and_a_broken_one_is_refused_before_the_scan() {
    let sample = sample();
    let out = layerbom(&["scan", "-q", sample.to_str().unwrap(), "-o", "template"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--output-template FILE"));
    let dir = tempfile::tempdir().unwrap();
    // A template that does not parse is refused before the scan; a misspelt name fails
    // the output, naming it, rather than writing nothing there.
    for (name, text, error) in [
        ("t.j2", "{% for p in %}", "t.j2 is not valid"),
        ("m.j2", "{{ report.pakages }}", "the template failed"),
    ] {
        let template = write(dir.path(), name, text.as_bytes());
        let out = layerbom(&[
            "scan",
            "-q",
            sample.to_str().unwrap(),
            "-o",
            "template",
            "--output-template",
            template.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(error),
            "{name}"
        );
    }
}
