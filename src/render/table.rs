//! A summary for people at a terminal: the image, its layers, its packages (name, version,
//! type, the layer that put each there, that layer's origin, the license) and what was
//! noticed. It is meant to be read in 100 to 120 columns: long values are cut with `…`
//! here only; every other document carries them whole.

use std::io::Write;

use super::{Options, Renderer};
use crate::model::{plural, Bom, Finding, Origin, Report};

/// Formats a byte count with binary units.
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// The first `n` characters of `s`, with `…` when cut; control characters become spaces.
fn clip(s: &str, n: usize) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.chars().count() <= n {
        clean
    } else {
        let mut t: String = clean.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The widest a line of the layer and package tables gets.
const LINE_WIDTH: usize = 118;

/// The columns of the layer table before CREATED BY, and the room left for it.
const CREATED_BY_WIDTH: usize = LINE_WIDTH - 71;

/// The widest the package table's NAME, VERSION and TYPE columns get, and the narrowest
/// its LICENSE column gets (it has the rest of the line).
const NAME_WIDTH: usize = 32;
const VERSION_WIDTH: usize = 24;
const TYPE_WIDTH: usize = 12;
const LICENSE_MIN_WIDTH: usize = 24;

/// The package table, as syft's default output shows packages, with the layer that
/// introduced each and its origin: one line per package, in the report's order.
fn write_packages(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let rows: Vec<[String; 6]> = r
        .packages
        .iter()
        .map(|p| {
            [
                clip(&p.name, NAME_WIDTH),
                clip(&p.version, VERSION_WIDTH),
                clip(&p.kind, TYPE_WIDTH),
                p.layer.index.to_string(),
                p.origin.as_str().to_string(),
                p.license.concluded.as_str().to_string(),
            ]
        })
        .collect();
    let header = ["NAME", "VERSION", "TYPE", "LAYER", "ORIGIN", "LICENSE"];
    let mut width = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let before_license: usize = width[..5].iter().sum::<usize>() + 2 * 5;
    let license_width = LINE_WIDTH
        .saturating_sub(before_license)
        .max(LICENSE_MIN_WIDTH);
    let line = |out: &mut dyn Write, c: [&str; 6]| {
        writeln!(
            out,
            "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}  {:<w4$}  {}",
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            clip(c[5], license_width),
            w0 = width[0],
            w1 = width[1],
            w2 = width[2],
            w3 = width[3],
            w4 = width[4],
        )
    };
    line(out, header)?;
    for row in &rows {
        line(out, row.each_ref().map(String::as_str))?;
    }
    Ok(())
}

fn short_digest(d: Option<&str>) -> String {
    match d {
        Some(d) => {
            let hex = d.split_once(':').map_or(d, |(_, h)| h);
            hex.chars().take(12).collect()
        }
        None => "-".into(),
    }
}

/// Where a finding is: ` (layer L, path:line)`, each part when known.
fn finding_at(f: &Finding) -> String {
    let path = match (&f.path, f.line) {
        (Some(p), Some(n)) => Some(format!("{p}:{n}")),
        (Some(p), None) => Some(p.clone()),
        (None, Some(n)) => Some(format!("line {n}")),
        (None, None) => None,
    };
    match (f.layer, path) {
        (Some(l), Some(p)) => format!(" (layer {l}, {p})"),
        (Some(l), None) => format!(" (layer {l})"),
        (None, Some(p)) => format!(" ({p})"),
        (None, None) => String::new(),
    }
}

/// `-o table`: a summary for the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Table;

impl Renderer for Table {
    fn name(&self) -> &'static str {
        "table"
    }

    fn write(&self, bom: &Bom, _: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        write(&bom.report, &mut super::Escaping::new(out))
    }
}

/// Writes the table summary.
pub fn write(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let img = &r.image;
    match &img.compression {
        Some(c) => writeln!(out, "Image     {} ({}, {c})", img.source, img.format)?,
        None => writeln!(out, "Image     {} ({})", img.source, img.format)?,
    }
    if !img.repo_tags.is_empty() {
        writeln!(out, "Tags      {}", img.repo_tags.join(", "))?;
    }
    if let Some(d) = &img.manifest_digest {
        writeln!(out, "Manifest  {d}")?;
    }
    if let Some(d) = &img.config_digest {
        writeln!(out, "Config    {d}")?;
    }
    if let Some(p) = &img.platform {
        writeln!(out, "Platform  {p}")?;
    }
    if let Some(os) = &img.os {
        let name = os.name.clone().unwrap_or_else(|| os.id.clone());
        writeln!(out, "OS        {name}")?;
    }
    writeln!(out)?;
    let base = &r.base;
    match base.layers {
        Some(n) => writeln!(
            out,
            "Base      {}, by {}: {}",
            plural(n, "layer", "layers"),
            base.method,
            base.reason
        )?,
        None => writeln!(out, "Base      unknown: {}", base.reason)?,
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:>5}  {:<8}  {:>10}  {:>7}  {:>5} {:>5} {:>5}  {:<12}  CREATED BY",
        "LAYER", "ORIGIN", "SIZE", "ENTRIES", "+PKG", "~PKG", "-PKG", "DIFF ID"
    )?;
    for l in &r.layers {
        writeln!(
            out,
            "{:>5}  {:<8}  {:>10}  {:>7}  {:>5} {:>5} {:>5}  {:<12}  {}",
            l.index,
            l.origin.as_str(),
            human_size(l.size),
            l.entries,
            l.packages.added,
            l.packages.upgraded,
            l.packages.removed,
            short_digest(l.diff_id.as_deref()),
            clip(l.created_by.as_deref().unwrap_or("-"), CREATED_BY_WIDTH)
        )?;
    }
    let total: u64 = r.layers.iter().map(|l| l.size).sum();
    writeln!(
        out,
        "{:>5}  {:<8}  {:>10}  {:>7}  {:>5}",
        "",
        "total",
        human_size(total),
        "",
        r.packages.len()
    )?;
    let mut by_origin = [0usize; 3];
    for p in &r.packages {
        by_origin[match p.origin {
            Origin::Base => 0,
            Origin::Authored => 1,
            Origin::Unknown => 2,
        }] += 1;
    }
    if !r.packages.is_empty() {
        writeln!(
            out,
            "\nPackages  {} in all: {} from the base image, {} added by our layers, {} of unknown origin; {} removed on the way",
            r.packages.len(),
            by_origin[0],
            by_origin[1],
            by_origin[2],
            r.removed_packages.iter().filter(|p| p.is_removal()).count()
        )?;
    }
    if !r.packages.is_empty() {
        writeln!(out)?;
        write_packages(r, out)?;
    }
    if !r.findings.is_empty() {
        writeln!(out)?;
        writeln!(out, "Findings")?;
        for f in &r.findings {
            writeln!(
                out,
                "  {:<7}  {}{}",
                f.severity(),
                f.message(),
                finding_at(f)
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(3 * 1024 * 1024), "3.0 MiB");
    }

    #[test]
    fn findings_show_their_layer_path_and_line() {
        use crate::model::FindingKind;
        let add = |checksum: Option<&str>| FindingKind::AddUrl {
            url: "https://example.org/x".into(),
            checksum: checksum.map(str::to_string),
        };
        let f = |layer: Option<usize>, path: Option<&str>, line: Option<usize>| Finding {
            layer,
            path: path.map(str::to_string),
            line,
            ..Finding::new(add(None))
        };
        assert_eq!(
            finding_at(&f(None, Some("Dockerfile"), Some(7))),
            " (Dockerfile:7)"
        );
        assert_eq!(
            finding_at(&f(Some(2), Some("etc/passwd"), Some(3))),
            " (layer 2, etc/passwd:3)"
        );
        assert_eq!(
            finding_at(&f(Some(1), Some("etc/passwd"), None)),
            " (layer 1, etc/passwd)"
        );
        assert_eq!(finding_at(&f(None, None, Some(4))), " (line 4)");
        assert_eq!(finding_at(&f(Some(0), None, None)), " (layer 0)");
        assert_eq!(finding_at(&f(None, None, None)), "");
        let mut r = crate::model::testutil::report(&[Origin::Authored]);
        r.findings = vec![Finding::new(add(None)).at_path("Dockerfile").at_line(12)];
        let mut out = Vec::new();
        write(&r, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("  warning  ADD fetches https://example.org/x at build time, with no --checksum: what is fetched is not verified (Dockerfile:12)\n"),
            "{out}"
        );
        r.findings[0].kind = add(Some("sha256:abc"));
        let mut out = Vec::new();
        write(&r, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("  info     ADD fetches https://example.org/x at build time, verified by --checksum=sha256:abc (Dockerfile:12)\n"),
            "severities line up: {out}"
        );
    }

    #[test]
    fn packages_are_listed_with_layer_origin_and_license_within_the_line() {
        use crate::model::Concluded;
        let mut r = crate::model::testutil::report(&[Origin::Base, Origin::Authored]);
        let long = ["MIT"; 40].join(" AND ");
        let deb = crate::model::testutil::deb;
        r.packages = vec![
            deb(
                "libc6",
                "2.36-9",
                ("glibc", "2.36-9"),
                0,
                Origin::Base,
                &long,
            ),
            deb(
                "jq",
                "1.6-2.1",
                ("jq", "1.6-2.1"),
                1,
                Origin::Authored,
                "MIT",
            ),
        ];
        r.packages[1].license.concluded = Concluded::none("no copyright file");
        let mut out = Vec::new();
        write(&r, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        let table: Vec<&str> = out
            .lines()
            .skip_while(|l| !l.starts_with("NAME "))
            .take(3)
            .collect();
        assert_eq!(table.len(), 3, "{out}");
        let cells = |l: &str| l.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            cells(table[0]),
            ["NAME", "VERSION", "TYPE", "LAYER", "ORIGIN", "LICENSE"]
        );
        let p = &r.packages;
        assert_eq!(
            cells(table[2]),
            [
                p[1].name.as_str(),
                &p[1].version,
                &p[1].kind,
                "1",
                "authored",
                "NOASSERTION"
            ]
        );
        // The long expression is cut with an ellipsis, and no line is wider than the table.
        assert!(table[1].ends_with('…'), "{}", table[1]);
        assert!(table[1].contains("MIT AND MIT"), "{}", table[1]);
        for l in out.lines().filter(|l| !l.starts_with("  ")) {
            assert!(l.chars().count() <= LINE_WIDTH, "{l}");
        }
    }

    #[test]
    fn created_by_is_one_short_line() {
        assert_eq!(clip("RUN a \\\n\t&& b", 70), "RUN a \\ && b");
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
