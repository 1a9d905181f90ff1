//! The configuration file (`layerbom.toml`, or `--config FILE`) and the `LAYERBOM_*`
//! variables: the command line first, then the variable, then the file.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

/// Runs `layerbom ARGS` in `dir`, with `vars` set and no other `LAYERBOM_*` variable.
fn run_in(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_layerbom"));
    c.current_dir(dir).args(args).env("LAYERBOM_NO_CACHE", "1");
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("LAYERBOM_")) {
        c.env_remove(k);
    }
    c.env("LAYERBOM_NO_CACHE", "1");
    for (k, v) in vars {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// The delivery mode of the obligations document `file` in `dir`.
fn delivery(dir: &Path, file: &str) -> String {
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(file)).unwrap()).unwrap();
    assert_valid(&doc, OBLIGATIONS_SCHEMA);
    doc["delivery"]["mode"].as_str().unwrap().to_string()
}

const CONFIG: &str = "delivery = \"layers\"\nbase-layers = 1\nfail-on = [\"strong-copyleft\"]\n\
                      quiet = true\noutput = [\"obligations-json=ob.json\"]\n";

#[test]
fn the_file_in_the_working_directory_sets_the_options_left_unset() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "layerbom.toml", CONFIG.as_bytes());
    let sample = sample();
    let out = run_in(dir.path(), &["scan", sample.to_str().unwrap()], &[]);
    // fail-on from the file: jq, the one strong-copyleft package of our layer, fails it.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 match (delivery layers)"));
    assert_eq!(delivery(dir.path(), "ob.json"), "layers");
    // Nothing on stdout: the file's output replaces the default table.
    assert!(out.stdout.is_empty());
}

#[test]
fn a_variable_beats_the_file_and_a_flag_beats_both() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "layerbom.toml", CONFIG.as_bytes());
    let sample = sample();
    let img = sample.to_str().unwrap();
    let out = run_in(
        dir.path(),
        &["scan", img],
        &[("LAYERBOM_DELIVERY", "image")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(delivery(dir.path(), "ob.json"), "image");
    std::fs::remove_file(dir.path().join("ob.json")).unwrap();
    let out = run_in(
        dir.path(),
        &[
            "scan",
            img,
            "--delivery",
            "dockerfile",
            "-o",
            "obligations-json=flag.json",
        ],
        &[("LAYERBOM_DELIVERY", "image")],
    );
    // Delivered as a Dockerfile, no package is distributed: no policy match.
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(delivery(dir.path(), "flag.json"), "dockerfile");
    // The flag's -o replaces the file's: ob.json is not written again.
    assert!(!dir.path().join("ob.json").exists());
}

#[test]
fn convert_takes_the_options_it_has_and_leaves_the_scans_alone() {
    let dir = tempfile::tempdir().unwrap();
    let json = scan_json(&sample(), &["--base-layers", "1"]);
    write(dir.path(), "scan.json", json.to_string().as_bytes());
    write(dir.path(), "layerbom.toml", CONFIG.as_bytes());
    let out = run_in(dir.path(), &["convert", "scan.json"], &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(delivery(dir.path(), "ob.json"), "layers");
}

#[test]
fn an_explicit_file_is_read_and_a_missing_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "ci.toml",
        b"delivery = \"layers\"\nbase-layers = 1\n",
    );
    let sample = sample();
    let img = sample.to_str().unwrap();
    let out = run_in(
        dir.path(),
        &[
            "scan",
            img,
            "-q",
            "--config",
            "ci.toml",
            "-o",
            "obligations-json=o.json",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(delivery(dir.path(), "o.json"), "layers");
    let out = run_in(
        dir.path(),
        &["scan", img],
        &[("LAYERBOM_CONFIG", conf.to_str().unwrap())],
    );
    assert!(out.status.success());
    let out = run_in(dir.path(), &["scan", img, "--config", "missing.toml"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml: cannot read it"));
}

#[test]
fn an_unknown_name_or_a_bad_value_is_a_usage_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample();
    let img = sample.to_str().unwrap();
    write(dir.path(), "layerbom.toml", b"fail_on = [\"non-free\"]\n");
    let out = run_in(dir.path(), &["scan", img], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("layerbom.toml: fail_on is not an option of layerbom scan"),
        "{err}"
    );
    write(dir.path(), "layerbom.toml", b"delivery = \"nope\"\n");
    let out = run_in(dir.path(), &["scan", img], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid value 'nope'")
            && err.contains("(with the settings of layerbom.toml)"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    write(dir.path(), "layerbom.toml", b"delivery = 1.5\n");
    let out = run_in(dir.path(), &["scan", img], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("delivery: a setting is"));
}

#[test]
fn every_option_has_its_variable_in_the_help() {
    let dir = tempfile::tempdir().unwrap();
    let help = run_in(dir.path(), &["scan", "--help"], &[]);
    let help = String::from_utf8_lossy(&help.stdout);
    for var in [
        "LAYERBOM_OUTPUT",
        "LAYERBOM_DELIVERY",
        "LAYERBOM_FAIL_ON",
        "LAYERBOM_DENY",
        "LAYERBOM_SUPPLIER",
        "LAYERBOM_BASE_LAYERS",
        "LAYERBOM_PLATFORM",
        "LAYERBOM_MAX_LAYERS",
        "LAYERBOM_QUIET",
        "LAYERBOM_CONFIG",
    ] {
        assert!(help.contains(&format!("[env: {var}")), "{var} in {help}");
    }
}

#[test]
fn a_flags_variable_takes_the_usual_spellings() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample();
    for on in ["1", "yes", "true", "on"] {
        let out = run_in(
            dir.path(),
            &["scan", sample.to_str().unwrap(), "-o", "json=/dev/null"],
            &[("LAYERBOM_QUIET", on)],
        );
        assert!(
            out.status.success(),
            "{on}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
