//! Reading a bundle back (`--sources DIR` of `scan` and `convert`): which owed source
//! packages it holds whole and verified, which only in part, and which not at all. Every
//! file its index names is hashed again, so a file changed or lost since is seen.

use std::io::Read;
use std::path::Path;

use super::{debian, http, BundleError, Bundled, Index, Status, INDEX_JSON, SCHEMA};
use crate::model::obligations::{BundleSummary, Held, InBundle, Obligations, SourceEntry};

/// The largest `index.json` read.
const MAX_INDEX: u64 = 64 << 20;

/// Reads the bundle in `dir` and says, for each source package `obligations` owe, what the
/// bundle holds of it (`SourceEntry::bundle`), with the counts (`Obligations::bundle`).
pub fn check(obligations: &mut Obligations, dir: &Path) -> Result<(), BundleError> {
    let index = read_index(dir)?;
    let mut summary = BundleSummary {
        path: dir.display().to_string(),
        verified: 0,
        present: 0,
        incomplete: 0,
        missing: 0,
    };
    for entry in &mut obligations.sources {
        let held = match index.sources.iter().find(|b| same(b, entry)) {
            Some(b) => in_bundle(b, dir),
            None => InBundle {
                held: Held::Missing,
                folder: None,
                files: 0,
                problems: vec!["not in the bundle's index".to_string()],
            },
        };
        match held.held {
            Held::Verified => summary.verified += 1,
            Held::Present => summary.present += 1,
            Held::Incomplete => summary.incomplete += 1,
            Held::Missing => summary.missing += 1,
        }
        entry.bundle = Some(held);
    }
    obligations.bundle = Some(summary);
    Ok(())
}

/// The bundle's `index.json`.
pub fn read_index(dir: &Path) -> Result<Index, BundleError> {
    let path = dir.join(INDEX_JSON);
    let not = |why: String| BundleError::NotABundle {
        path: path.clone(),
        why,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_INDEX + 1).read_to_end(&mut bytes))
        .map_err(|e| {
            not(format!(
                "{e} (is it a bundle `layerbom sources --fetch` wrote?)"
            ))
        })?;
    if bytes.len() as u64 > MAX_INDEX {
        return Err(not(format!("over {MAX_INDEX} bytes")));
    }
    let index: Index = serde_json::from_slice(&bytes).map_err(|e| not(e.to_string()))?;
    if index.schema != SCHEMA {
        return Err(not(format!(
            "its schema is {:?}, not {SCHEMA}",
            index.schema
        )));
    }
    Ok(index)
}

fn same(b: &Bundled, entry: &SourceEntry) -> bool {
    b.kind == entry.kind && b.name == entry.name && b.version == entry.version
}

/// What the bundle holds of one source package, each file hashed again.
fn in_bundle(b: &Bundled, dir: &Path) -> InBundle {
    let mut problems = Vec::new();
    let mut files = 0;
    for f in &b.files {
        let safe = {
            let parts: Vec<&str> = f.path.split('/').collect();
            parts.len() == 2 && parts.iter().all(|p| debian::safe_file_name(p))
        };
        if !safe {
            problems.push(format!("{:?}: not a path inside the bundle", f.path));
            continue;
        }
        match http::sha256_file(&dir.join(&f.path)) {
            Ok((size, sha256)) if size == f.size && sha256 == f.sha256 => files += 1,
            Ok(_) => problems.push(format!("{}: not the file the index lists", f.path)),
            Err(e) => problems.push(format!("{}: {e}", f.path)),
        }
    }
    let whole = b.status == Status::Complete && problems.is_empty() && !b.files.is_empty();
    let held = match (whole, b.verified) {
        (true, true) => Held::Verified,
        (true, false) => Held::Present,
        (false, _) if files > 0 => Held::Incomplete,
        (false, _) => Held::Missing,
    };
    if !whole {
        problems.extend(b.problems.iter().cloned());
    }
    InBundle {
        held,
        folder: b.folder.clone(),
        files,
        problems,
    }
}
