//! The import rule of docs/architecture.md: a module of `src/` imports only modules of a
//! lower level than its own, and a module marked `only` imports nothing else. The levels
//! are read from the `layers` block of that document, so the rule is written down once.
//!
//! Imports are the `crate::MODULE` paths in the code that is compiled outside tests:
//! `#[cfg(test)]` modules (inline or in files of their own) are left out, as are comments
//! and string literals.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The level of each module, and the modules a restricted one may import.
#[derive(Debug, Default)]
struct Rule {
    level: BTreeMap<String, usize>,
    only: BTreeMap<String, Vec<String>>,
}

/// Reads the ```` ```layers ```` block: `LEVEL: MODULE... [only MODULE...]` per line.
fn rule(doc: &str) -> Rule {
    let block = doc
        .split("```layers\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/architecture.md has a ```layers block");
    let mut rule = Rule::default();
    for line in block.lines().filter(|l| !l.trim().is_empty()) {
        let (level, rest) = line.split_once(':').expect("LEVEL: MODULES");
        let level: usize = level.trim().parse().expect("a level is a number");
        let (modules, only) = match rest.split_once(" only ") {
            Some((m, o)) => (m, Some(o)),
            None => (rest, None),
        };
        for m in modules.split_whitespace() {
            rule.level.insert(m.to_string(), level);
            if let Some(o) = only {
                rule.only.insert(
                    m.to_string(),
                    o.split_whitespace().map(str::to_string).collect(),
                );
            }
        }
    }
    rule
}

/// Rust source without comments, its string and char literals emptied, and its
/// `#[cfg(test)]` items removed: what counts for imports.
fn code(text: &str) -> String {
    without_test_items(&stripped(text))
}

/// Rust source without comments, its string and char literals emptied.
fn stripped(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'r' if matches!(b.get(i + 1), Some(b'"' | b'#'))
                && !b[..i]
                    .last()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                i += 2 + hashes;
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                while i < b.len() && !b[i..].starts_with(&close) {
                    i += 1;
                }
                i += close.len();
                out.push_str("\"\"");
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            b'\''
                if b.get(i + 2) == Some(&b'\'')
                    || (b.get(i + 1) == Some(&b'\\') && b[i + 2..].contains(&b'\'')) =>
            {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("' '");
            }
            c => {
                out.push(char::from(c));
                i += 1;
            }
        }
    }
    out
}

/// `code` without the `#[cfg(test)] mod NAME { … }` blocks (braces are balanced once
/// literals and comments are gone).
fn without_test_items(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let item_end = after.find([';', '{']).unwrap_or(after.len());
        if after.as_bytes().get(item_end) == Some(&b'{') {
            let mut depth = 0usize;
            let mut end = after.len();
            for (j, c) in after[item_end..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = item_end + j + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            rest = &after[end..];
        } else {
            rest = &after[(item_end + 1).min(after.len())..];
        }
    }
    out.push_str(rest);
    out
}

/// The modules declared `#[cfg(test)] mod NAME;` in `code`: files compiled only for tests.
fn test_only_modules(code: &str) -> Vec<String> {
    code.split("#[cfg(test)]")
        .skip(1)
        .filter_map(|after| {
            let item = after.trim_start();
            let item = item
                .strip_prefix("pub(crate)")
                .or_else(|| item.strip_prefix("pub"))
                .unwrap_or(item)
                .trim_start();
            let rest = item.strip_prefix("mod ")?.trim_start();
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            rest[name.len()..]
                .trim_start()
                .starts_with(';')
                .then_some(name)
        })
        .collect()
}

/// The modules `crate::MODULE` paths in `code` name (`crate::Error` and `crate::Result`
/// are `error`'s).
fn imports(code: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let module = match name.as_str() {
            "Error" | "Result" => "error".to_string(),
            _ => name,
        };
        if !module.is_empty() && !out.contains(&module) {
            out.push(module);
        }
    }
    out
}

/// Every violation of `rule` in `files` (path under `src/`, content): `FILE: A imports B`.
fn violations(rule: &Rule, files: &[(String, String)]) -> Vec<String> {
    let mut skipped: Vec<String> = Vec::new();
    for (path, text) in files {
        let dir = match path.rsplit_once('/') {
            Some((d, f)) if f == "mod.rs" || f == "lib.rs" || f == "main.rs" => d.to_string(),
            Some((d, f)) => format!("{d}/{}", f.trim_end_matches(".rs")),
            None => path.trim_end_matches(".rs").to_string(),
        };
        let dir = if matches!(path.as_str(), "lib.rs" | "main.rs") {
            String::new()
        } else {
            dir
        };
        for m in test_only_modules(&stripped(text)) {
            let base = if dir.is_empty() {
                m
            } else {
                format!("{dir}/{m}")
            };
            skipped.push(format!("{base}.rs"));
            skipped.push(format!("{base}/"));
        }
    }
    let mut out = Vec::new();
    for (path, text) in files {
        if skipped
            .iter()
            .any(|s| path == s || (s.ends_with('/') && path.starts_with(s.as_str())))
        {
            continue;
        }
        let top = path
            .split('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".rs");
        if matches!(top, "lib" | "main") {
            continue;
        }
        let Some(&level) = rule.level.get(top) else {
            out.push(format!(
                "{path}: module {top} has no level in docs/architecture.md"
            ));
            continue;
        };
        for m in imports(&code(text)) {
            if m == top {
                continue;
            }
            let allowed = match (rule.only.get(top), rule.level.get(&m)) {
                (Some(only), _) => only.contains(&m),
                (None, Some(&l)) => l < level,
                (None, None) => false,
            };
            if !allowed {
                out.push(format!("{path}: {top} imports {m}"));
            }
        }
    }
    out
}

/// Every `.rs` file under `dir`, as (path relative to `root`, content).
fn sources(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sources(root, &p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p.strip_prefix(root).unwrap().to_str().unwrap().to_string();
            out.push((rel, std::fs::read_to_string(&p).unwrap()));
        }
    }
}

fn crate_rule() -> Rule {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md");
    rule(&std::fs::read_to_string(doc).unwrap())
}

#[test]
fn no_stage_imports_a_later_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &src, &mut files);
    assert!(files.len() > 50, "read {} files", files.len());
    let found = violations(&crate_rule(), &files);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn every_top_level_module_has_a_level() {
    let rule = crate_rule();
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(m) = line
            .strip_prefix("pub mod ")
            .and_then(|m| m.strip_suffix(';'))
        {
            assert!(rule.level.contains_key(m), "{m} has no level");
        }
    }
}

fn checker(files: &[(&str, &str)]) -> Vec<String> {
    let rule = rule("```layers\n0: model\n1: scan\n2: catalog\n3: render only model\n```\n");
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    violations(&rule, &files)
}

#[test]
fn the_checker_finds_a_later_stage_imported() {
    assert_eq!(
        checker(&[("scan/mod.rs", "use crate::catalog::Cataloged;\n")]),
        ["scan/mod.rs: scan imports catalog"]
    );
    assert_eq!(
        checker(&[("catalog/x.rs", "fn f() { crate::scan::walk(); }\n")]),
        Vec::<String>::new()
    );
}

#[test]
fn the_checker_finds_a_restricted_module_importing_more_than_allowed() {
    assert_eq!(
        checker(&[(
            "render/a.rs",
            "use crate::model::Bom;\nuse crate::scan::X;\n"
        )]),
        ["render/a.rs: render imports scan"]
    );
}

#[test]
fn the_checker_finds_modules_of_one_level_importing_each_other_and_unknown_modules() {
    let rule = rule("```layers\n0: a b\n```\n");
    let files = [
        ("a.rs".to_string(), "use crate::b::X;".to_string()),
        ("c.rs".to_string(), String::new()),
    ];
    assert_eq!(
        violations(&rule, &files),
        [
            "a.rs: a imports b",
            "c.rs: module c has no level in docs/architecture.md"
        ]
    );
}

#[test]
fn test_code_comments_and_strings_do_not_count() {
    let text = "//! see crate::render\n\
                fn f() { let s = \"crate::render\"; let r = r#\"crate::render\"#; }\n\
                /* crate::render */\n\
                #[cfg(test)]\nmod tests { use crate::render::X; fn g() { if true { } } }\n\
                #[cfg(test)]\npub(crate) mod testutil;\n\
                fn h() -> char { '{' }\n";
    assert_eq!(checker(&[("scan/mod.rs", text)]), Vec::<String>::new());
    // The test-only file is left out; the same import elsewhere is not.
    assert_eq!(
        checker(&[
            ("scan/mod.rs", text),
            ("scan/testutil.rs", "use crate::render::X;"),
            ("scan/other.rs", "use crate::render::X;"),
        ]),
        ["scan/other.rs: scan imports render"]
    );
}
