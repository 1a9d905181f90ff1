//! The bundle's own files: `index.json`, `index.csv`, `OFFER.md` and `SHA256SUMS`, each
//! replaced only once written whole, and the deterministic tar of the bundle.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use super::{io_error, BundleError, Index, Options, Status, INDEX_CSV, INDEX_JSON, OFFER, SUMS};
use crate::model::csv::field;
use crate::model::obligations::Delivery;
use crate::model::Bom;

/// Writes the index (JSON and CSV), the offer and the checksums into `dir`.
pub(super) fn bundle(
    dir: &Path,
    index: &Index,
    bom: &Bom,
    opts: &Options,
) -> Result<(), BundleError> {
    let mut json = serde_json::to_vec_pretty(index).map_err(|e| BundleError::Io {
        path: dir.join(INDEX_JSON),
        source: e.into(),
    })?;
    json.push(b'\n');
    put(dir, INDEX_JSON, &json)?;
    put(dir, INDEX_CSV, csv(index).as_bytes())?;
    put(
        dir,
        OFFER,
        offer(index, bom.obligations.delivery.mode, opts).as_bytes(),
    )?;
    let mut sums = String::new();
    for (path, sha256) in members(index) {
        let sha256 = match sha256 {
            Some(s) => s,
            None => {
                super::http::sha256_file(&dir.join(&path))
                    .map_err(io_error(&dir.join(&path)))?
                    .1
            }
        };
        let _ = writeln!(sums, "{sha256}  {path}");
    }
    put(dir, SUMS, sums.as_bytes())
}

fn put(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), BundleError> {
    let path = dir.join(name);
    crate::output::write_replacing(&path, |w: &mut dyn Write| w.write_all(bytes))
        .map_err(io_error(&path))
}

/// Every file of the bundle but `SHA256SUMS`, sorted by path, with its SHA-256 when the
/// index knows it.
fn members(index: &Index) -> Vec<(String, Option<String>)> {
    let mut all: Vec<(String, Option<String>)> = index
        .sources
        .iter()
        .flat_map(|s| &s.files)
        .map(|f| (f.path.clone(), Some(f.sha256.clone())))
        .chain(
            [INDEX_CSV, INDEX_JSON, OFFER]
                .into_iter()
                .map(|n| (n.to_string(), None)),
        )
        .collect();
    all.sort();
    all.dedup_by(|a, b| a.0 == b.0);
    all
}

/// `index.csv`: one row per distributed binary package and source file (a package whose
/// source is not in the bundle has one row, without a file).
fn csv(index: &Index) -> String {
    let mut out = String::from(
        "type,package,version,arch,layer,origin,source,source_version,status,file,size,sha256,verified\n",
    );
    for s in &index.sources {
        let status = serde_json::to_value(s.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        for p in &s.packages {
            let mut row = |file: &str, size: String, sha256: &str, verified: &str| {
                let cells = [
                    field(&s.kind),
                    field(&p.name),
                    field(&p.version),
                    field(p.arch.as_deref().unwrap_or_default()),
                    p.layer.to_string(),
                    p.origin.as_str().to_string(),
                    field(&s.name),
                    field(s.version.as_deref().unwrap_or_default()),
                    status.clone(),
                    field(file),
                    size,
                    sha256.to_string(),
                    verified.to_string(),
                ];
                let _ = writeln!(out, "{}", cells.join(","));
            };
            if s.files.is_empty() {
                row("", String::new(), "", "");
            }
            for f in &s.files {
                let verified = serde_json::to_value(f.verified)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                row(&f.path, f.size.to_string(), &f.sha256, &verified);
            }
        }
    }
    out
}

/// The sections of the licenses that ask for a written offer, for the license families
/// named in `licenses` (SPDX expressions).
fn clauses(licenses: &[String]) -> Vec<&'static str> {
    const CLAUSES: [(&str, &str); 6] = [
        ("GPL-2.0", "GPL-2.0, section 3(b): a written offer, valid for at least three years, to give any third party a complete machine-readable copy of the corresponding source code, for no more than the cost of physically performing source distribution"),
        ("GPL-3.0", "GPL-3.0, section 6(b): a written offer, valid for at least three years and as long as spare parts or support are offered, to give anyone who possesses the object code the Corresponding Source"),
        ("AGPL-3.0", "AGPL-3.0, section 6(b): as GPL-3.0 section 6(b)"),
        ("LGPL-2.1", "LGPL-2.1, section 6(c): a written offer, valid for at least three years, to give the same user the materials of section 6(a)"),
        ("LGPL-3.0", "LGPL-3.0, section 4(d): the Corresponding Application Code and the Minimal Corresponding Source, conveyed as GPL-3.0 section 6 provides"),
        ("MPL-2.0", "MPL-2.0, section 3.2: the Source Code Form made available, and recipients told how they can obtain it in a timely manner, for no more than the cost of distribution"),
    ];
    let ids: std::collections::BTreeSet<String> = licenses
        .iter()
        .flat_map(|l| {
            l.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
                .map(|w| {
                    w.trim_end_matches('+')
                        .trim_end_matches("-only")
                        .trim_end_matches("-or-later")
                        .to_string()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    CLAUSES
        .iter()
        .filter(|(id, _)| ids.contains(*id))
        .map(|(_, clause)| *clause)
        .collect()
}

/// `OFFER.md`: the written offer for the delivery mode.
fn offer(index: &Index, delivery: Delivery, opts: &Options) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Written offer for source code\n");
    let _ = writeln!(s, "Image: `{}`", index.image);
    if let Some(d) = &index.config_digest {
        let _ = writeln!(s, "(config {d})");
    }
    let _ = writeln!(
        s,
        "\nDelivery: **{}**. {}\n",
        delivery,
        delivery.explanation()
    );
    if index.sources.is_empty() {
        let _ = writeln!(
            s,
            "No binary distributed in this delivery is under a license that asks for its source to be offered: no offer is needed."
        );
        return s;
    }
    let licenses: Vec<String> = index
        .sources
        .iter()
        .flat_map(|x| x.licenses.iter().cloned())
        .collect();
    let _ = writeln!(
        s,
        "Some of the software in this image is licensed under terms that ask its distributor to make the exact corresponding source code available:\n"
    );
    for clause in clauses(&licenses) {
        let _ = writeln!(s, "- {clause}.");
    }
    let _ = writeln!(
        s,
        "\nFor at least three years from the date you received this image, and for as long as we offer spare parts or customer support for it, we will give you, or any third party, a complete machine-readable copy of the corresponding source code of the packages listed below, on a medium customarily used for software interchange, for a charge no more than our cost of physically performing that distribution. The same source is kept in this bundle, one folder per source package, with `SHA256SUMS` to check it and `index.csv` mapping each binary package of the image, by layer, to its source files.\n"
    );
    let _ = writeln!(s, "## How to request the source\n");
    match &opts.contact {
        Some(contact) => {
            let _ = writeln!(s, "Write to: {contact}\n");
        }
        None => {
            let _ = writeln!(
                s,
                "**To be completed:** how to reach the distributor (give it with `layerbom sources --contact`).\n"
            );
        }
    }
    let _ = writeln!(
        s,
        "Name the image and its config digest above, and the source packages you want.\n"
    );
    let _ = writeln!(s, "## The source packages\n");
    let _ = writeln!(
        s,
        "| Source package | Version | Licenses | Binary packages (layer) | In this bundle |\n|---|---|---|---|---|"
    );
    for x in &index.sources {
        let binaries: Vec<String> = x
            .packages
            .iter()
            .map(|p| format!("{} {} ({})", p.name, p.version, p.layer))
            .collect();
        let held = match (x.status, x.verified) {
            (Status::Complete, true) => "complete, verified by the distribution's signature",
            (Status::Complete, false) if x.kind == "rpm" => {
                "complete, checked against its own header digests"
            }
            (Status::Complete, false) => "complete, checked against its .dsc",
            (Status::Incomplete, _) => "incomplete",
            (Status::Missing, _) => "missing",
            (Status::Unsupported, _) => "not fetched",
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            cell(&x.name),
            cell(x.version.as_deref().unwrap_or("-")),
            cell(&x.licenses.join("; ")),
            cell(&binaries.join(", ")),
            held
        );
    }
    s
}

/// A Markdown table cell: pipes and line breaks escaped.
fn cell(s: &str) -> String {
    crate::error::one_line(s).replace('|', "\\|")
}

/// Writes the bundle in `dir` (the files its index names, the index, the offer and the
/// checksums) as one tar at `archive`, deterministically: sorted by path, every member a
/// plain file owned by root, mode 0644, dated 1970.
pub fn write_archive(dir: &Path, index: &Index, archive: &Path) -> Result<(), BundleError> {
    let mut paths: Vec<String> = members(index).into_iter().map(|(p, _)| p).collect();
    paths.push(SUMS.to_string());
    paths.sort();
    crate::output::write_replacing(archive, |w: &mut dyn Write| {
        let mut tar = tar::Builder::new(w);
        tar.mode(tar::HeaderMode::Deterministic);
        for path in &paths {
            let mut file = std::fs::File::open(dir.join(path))?;
            let mut header = tar::Header::new_ustar();
            header.set_size(file.metadata()?.len());
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_uid(0);
            header.set_gid(0);
            header.set_entry_type(tar::EntryType::Regular);
            tar.append_data(&mut header, path, &mut file)?;
        }
        tar.finish()
    })
    .map_err(io_error(archive))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_follow_the_license_families() {
        let c = clauses(&["GPL-2.0-or-later AND (LGPL-2.1-only OR MIT)".to_string()]);
        assert_eq!(c.len(), 2);
        assert!(c[0].starts_with("GPL-2.0, section 3(b)"));
        assert!(c[1].starts_with("LGPL-2.1, section 6(c)"));
        assert!(clauses(&["MIT".to_string()]).is_empty());
        assert!(clauses(&["MPL-2.0".to_string()])[0].contains("3.2"));
        assert!(clauses(&["GPL-3.0+".to_string()])[0].contains("6(b)"));
    }
}
