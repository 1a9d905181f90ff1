//! The command line's own helpers: shell completion scripts and manual pages, made from the
//! same definition as `--help`.

mod common;

use common::*;

fn stdout_of(args: &[&str]) -> String {
    let out = layerbom(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completions_know_the_commands_and_options() {
    let bash = stdout_of(&["completions", "bash"]);
    assert!(bash.contains("complete -F _layerbom"), "{bash}");
    for word in [
        "scan",
        "convert",
        "dockerfile",
        "attach",
        "attached",
        "cache",
        "man",
    ] {
        assert!(bash.contains(word), "bash completion lacks {word}");
    }
    assert!(bash.contains("--dockerfile") && bash.contains("--platform"));
    let zsh = stdout_of(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef layerbom"), "{zsh}");
    let fish = stdout_of(&["completions", "fish"]);
    assert!(fish.contains("complete -c layerbom"), "{fish}");
    let out = layerbom(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_manual_pages_hold_the_commands_and_their_options() {
    let top = stdout_of(&["man"]);
    assert!(top.contains(".TH layerbom 1"), "{top}");
    assert!(top.contains("scan"), "{top}");
    let scan = stdout_of(&["man", "scan"]);
    assert!(scan.contains(".TH layerbom-scan 1"), "{scan}");
    for option in [
        "\\-\\-dockerfile",
        "\\-\\-platform",
        "\\-\\-fail\\-on",
        "\\-\\-deny",
    ] {
        assert!(scan.contains(option), "the scan page lacks {option}");
    }
    let prune = stdout_of(&["man", "cache", "prune"]);
    assert!(prune.contains(".TH layerbom-cache-prune 1"), "{prune}");
    let out = layerbom(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("has no command \"nope\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_manual_page_can_be_written_to_a_directory() {
    let d = tempfile::tempdir().unwrap();
    let out = layerbom(&["man", "--output-dir", d.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for page in ["layerbom.1", "layerbom-scan.1", "layerbom-cache-prune.1"] {
        let text = std::fs::read_to_string(d.path().join(page)).unwrap();
        assert!(text.contains(".TH"), "{page}");
    }
}
