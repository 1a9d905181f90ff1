//! `layerbom fleet-report`: the whole fleet on one page, from its inventory or from the
//! output directory of `layerbom batch`.
//!
//! For the people who answer for everything a company ships: per base image, the images
//! built on it; per image, its verdict, what matched the policy and its counts; and the
//! source packages owed across the fleet for a delivery mode, each once, with the images
//! that need it. As JSON (schema `layerbom-fleet/v1`), Markdown or HTML (one file, no
//! script, no external resource).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::inventory::Inventory;
use super::query::{self, Owed};
use crate::model::obligations::Delivery;
use crate::model::Origin;
use crate::render::Escaping;

/// The schema the JSON names.
pub const SCHEMA: &str = "layerbom-fleet/v1";

/// The fleet report.
#[derive(Debug, Clone, Serialize)]
pub struct FleetReport {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The delivery mode the source packages are owed for.
    pub delivery: Delivery,
    /// How many images, approved, to review, blocked.
    pub totals: Totals,
    /// The base images and the images built on each.
    pub bases: Vec<BaseGroup>,
    /// Every image.
    pub images: Vec<ImageLine>,
    /// The source packages owed, each once.
    pub owed: Vec<Owed>,
}

/// Counts over the fleet.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    /// Images.
    pub images: usize,
    /// Of which approved.
    pub approve: usize,
    /// Of which to review.
    pub review: usize,
    /// Of which blocked.
    pub blocked: usize,
    /// Images with a policy match.
    pub policy: usize,
    /// Source packages owed.
    pub sources_owed: usize,
}

/// A base image and what is built on it.
#[derive(Debug, Clone, Serialize)]
pub struct BaseGroup {
    /// How the base is named: its name, else its top layer's diff_id, else that no base
    /// layer was identified.
    pub base: String,
    /// Its name and digest when known (OCI annotations, --base-image).
    pub name: Option<String>,
    /// Its digest, when known.
    pub digest: Option<String>,
    /// The diff_id of its top layer.
    pub top_layer: Option<String>,
    /// The images built on it (by reference).
    pub images: Vec<String>,
}

/// One image of the fleet.
#[derive(Debug, Clone, Serialize)]
pub struct ImageLine {
    /// The references it was listed under (its key when none).
    pub references: Vec<String>,
    /// Its key (manifest digest, else config digest).
    pub image: String,
    /// The verdict of the batch that scanned it.
    pub verdict: String,
    /// The delivery mode the batch judged it for.
    pub delivery: String,
    /// The policy's matches, one line each.
    pub violations: Vec<String>,
    /// Layers.
    pub layers: i64,
    /// Packages, and how many from base, authored and unknown layers.
    pub packages: i64,
    /// From base layers.
    pub base_packages: i64,
    /// From our own layers.
    pub authored_packages: i64,
    /// From layers of unknown origin.
    pub unknown_packages: i64,
}

/// What tells base images apart: name, digest, top layer's diff_id.
type BaseKey = (Option<String>, Option<String>, Option<String>);

/// The fleet report from the inventory, the sources owed for `delivery`.
pub fn build(inv: &Inventory, delivery: Delivery) -> Result<FleetReport, String> {
    let mut references: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in inv.rows(
        "SELECT image, reference FROM fleet_references ORDER BY reference COLLATE \"C\"",
        &[],
    )? {
        references.entry(row.get(0)).or_default().push(row.get(1));
    }
    let mut violations: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in inv.rows(
        "SELECT image, package, version, layer, origin, license, category, rule, reason \
         FROM fleet_violations ORDER BY image, position",
        &[],
    )? {
        let (origin, category): (String, String) = (row.get(4), row.get(6));
        let layer: i32 = row.get(3);
        let v = crate::model::obligations::Violation {
            package: row.get(1),
            version: row.get(2),
            layer: usize::try_from(layer).unwrap_or_default(),
            origin: query::parse_origin(&origin)?,
            license: row.get(5),
            category: category.parse().map_err(|e| format!("{e}"))?,
            rule: row.get(7),
            reason: row.get(8),
        };
        // As the batch's summary writes it.
        violations
            .entry(row.get(0))
            .or_default()
            .push(crate::error::one_line(&v.to_string()));
    }
    let rows = inv.rows(
        "SELECT i.image, i.verdict, i.delivery, i.base_name, i.base_digest, \
         (SELECT count(*) FROM fleet_layers l WHERE l.image = i.image), \
         (SELECT count(*) FROM fleet_packages p WHERE p.image = i.image), \
         (SELECT count(*) FROM fleet_packages p WHERE p.image = i.image AND p.origin = 'base'), \
         (SELECT count(*) FROM fleet_packages p WHERE p.image = i.image AND p.origin = 'authored'), \
         (SELECT l.diff_id FROM fleet_layers l WHERE l.image = i.image AND l.origin = 'base' \
          ORDER BY l.position DESC LIMIT 1) \
         FROM fleet_images i ORDER BY i.image",
        &[],
    )?;
    let mut images = Vec::new();
    let mut groups: BTreeMap<BaseKey, Vec<String>> = BTreeMap::new();
    for row in &rows {
        let image: String = row.get(0);
        let refs = references
            .get(&image)
            .cloned()
            .unwrap_or_else(|| vec![image.clone()]);
        let (packages, base, authored): (i64, i64, i64) = (row.get(6), row.get(7), row.get(8));
        let key = (row.get(3), row.get(4), row.get(9));
        groups.entry(key).or_default().extend(refs.iter().cloned());
        images.push(ImageLine {
            references: refs,
            verdict: row.get(1),
            delivery: row.get(2),
            violations: violations.remove(&image).unwrap_or_default(),
            layers: row.get(5),
            packages,
            base_packages: base,
            authored_packages: authored,
            unknown_packages: packages - base - authored,
            image,
        });
    }
    let owed = query::owed(inv, delivery, &[])?;
    Ok(assemble(delivery, images, groups, owed))
}

/// The report of `images`, grouped by base as `groups` says, with the sources `owed`.
fn assemble(
    delivery: Delivery,
    mut images: Vec<ImageLine>,
    groups: BTreeMap<BaseKey, Vec<String>>,
    owed: Vec<Owed>,
) -> FleetReport {
    images.sort_by(|a, b| a.references.cmp(&b.references));
    let mut bases: Vec<BaseGroup> = groups
        .into_iter()
        .map(|((name, digest, top_layer), mut images)| {
            images.sort();
            let base = match (&name, &top_layer) {
                (Some(n), _) => n.clone(),
                (None, Some(l)) => format!("top layer {}", short(l)),
                (None, None) => "no base layer identified".to_string(),
            };
            BaseGroup {
                base,
                name,
                digest,
                top_layer,
                images,
            }
        })
        .collect();
    // The bases that serve the most images first; "no base" last.
    bases.sort_by(|a, b| {
        (a.top_layer.is_none() && a.name.is_none())
            .cmp(&(b.top_layer.is_none() && b.name.is_none()))
            .then(b.images.len().cmp(&a.images.len()))
            .then(a.base.cmp(&b.base))
    });
    let count = |v: &str| images.iter().filter(|i| i.verdict == v).count();
    let totals = Totals {
        images: images.len(),
        approve: count("approve"),
        review: count("needs review"),
        blocked: count("blocked"),
        policy: images.iter().filter(|i| !i.violations.is_empty()).count(),
        sources_owed: owed.len(),
    };
    FleetReport {
        schema: SCHEMA,
        delivery,
        totals,
        bases,
        images,
        owed,
    }
}

/// What the fleet report reads of a batch summary.
#[derive(serde::Deserialize)]
struct SummaryFile {
    delivery: String,
    entries: Vec<SummaryEntry>,
}

#[derive(serde::Deserialize)]
struct SummaryEntry {
    entry: String,
    status: String,
    #[serde(default)]
    verdict: Option<String>,
    #[serde(default)]
    violations: Vec<String>,
    #[serde(default)]
    documents: Vec<String>,
}

/// The most bytes a batch summary may hold.
const MAX_SUMMARY: u64 = 256 << 20;

/// The fleet report from the output directory of `layerbom batch` (its shards' too): the
/// summaries (`batch-summary*.json`) and each image's native JSON, which the batch must
/// have written (`-o json`); the sources owed for `delivery`. Failed entries are left out.
pub fn from_dir(dir: &Path, delivery: Delivery) -> Result<FleetReport, String> {
    use std::io::Read;
    let failed = |what: &Path, e: &dyn std::fmt::Display| format!("{}: {e}", what.display());
    let mut summaries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| failed(dir, &e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("batch-summary") && n.ends_with(".json"))
        })
        .collect();
    summaries.sort();
    if summaries.is_empty() {
        return Err(format!(
            "{}: no batch-summary*.json: not the output directory of layerbom batch",
            dir.display()
        ));
    }
    // By image key: its references, verdict, violations and report.
    let mut by_key: BTreeMap<String, (Vec<String>, SummaryEntry, crate::model::Report)> =
        BTreeMap::new();
    let mut judged = BTreeMap::new();
    for path in &summaries {
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_SUMMARY + 1).read_to_end(&mut bytes))
            .map_err(|e| failed(path, &e))?;
        if bytes.len() as u64 > MAX_SUMMARY {
            return Err(failed(path, &"larger than a batch summary can be"));
        }
        let summary: SummaryFile = serde_json::from_slice(&bytes).map_err(|e| failed(path, &e))?;
        for e in summary.entries.into_iter().filter(|e| e.status != "failed") {
            judged.insert(e.entry.clone(), summary.delivery.clone());
            let native = e
                .documents
                .iter()
                .find(|d| d.ends_with(".layerbom.json"))
                .ok_or_else(|| {
                    format!(
                        "{}: {} has no native JSON document: run the batch with -o json",
                        path.display(),
                        e.entry
                    )
                })?;
            let rel = Path::new(native);
            if !rel
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
            {
                return Err(failed(
                    path,
                    &format!("{native:?} is not a name in the directory"),
                ));
            }
            let report = crate::pipeline::archived(&dir.join(rel)).map_err(|e| e.to_string())?;
            let key = super::inventory::image_key(&report, &e.entry);
            match by_key.get_mut(&key) {
                Some((refs, _, _)) => refs.push(e.entry.clone()),
                None => {
                    by_key.insert(key, (vec![e.entry.clone()], e, report));
                }
            }
        }
    }
    let mut images = Vec::new();
    let mut groups: BTreeMap<BaseKey, Vec<String>> = BTreeMap::new();
    let mut owed: BTreeMap<(String, String, String, Option<String>), Owed> = BTreeMap::new();
    for (key, (mut refs, entry, report)) in by_key {
        refs.sort();
        let count = |o: Origin| report.packages.iter().filter(|p| p.origin == o).count();
        let top_layer = report
            .layers
            .iter()
            .rev()
            .find(|l| l.origin == Origin::Base)
            .and_then(|l| l.diff_id.clone());
        groups
            .entry((
                report.base.name.clone(),
                report.base.digest.clone(),
                top_layer,
            ))
            .or_default()
            .extend(refs.iter().cloned());
        let obligations = crate::obligations::evaluate(&report, delivery);
        for s in obligations.sources {
            let version = s.version.unwrap_or_default();
            let o = owed
                .entry((
                    s.kind.clone(),
                    s.name.clone(),
                    version.clone(),
                    s.commit.clone(),
                ))
                .or_insert_with(|| Owed {
                    kind: s.kind,
                    name: s.name,
                    version,
                    commit: s.commit,
                    licenses: Vec::new(),
                    duties: Vec::new(),
                    command: s.obtain.command,
                    url: s.obtain.url,
                    images: Vec::new(),
                });
            o.licenses.extend(s.licenses);
            o.duties.extend(s.duties);
            o.images.extend(refs.iter().cloned());
        }
        images.push(ImageLine {
            references: refs,
            image: key,
            verdict: entry.verdict.unwrap_or_default(),
            delivery: judged.get(&entry.entry).cloned().unwrap_or_default(),
            violations: entry.violations,
            layers: report.layers.len() as i64,
            packages: report.packages.len() as i64,
            base_packages: count(Origin::Base) as i64,
            authored_packages: count(Origin::Authored) as i64,
            unknown_packages: count(Origin::Unknown) as i64,
        });
    }
    let owed: Vec<Owed> = owed
        .into_values()
        .map(|mut o| {
            for list in [&mut o.licenses, &mut o.duties, &mut o.images] {
                list.sort();
                list.dedup();
            }
            o
        })
        .collect();
    Ok(assemble(delivery, images, groups, owed))
}

/// `sha256:` and the first 12 hex digits.
fn short(digest: &str) -> String {
    let (alg, hex) = digest.split_once(':').unwrap_or(("", digest));
    let hex = &hex[..hex.len().min(12)];
    if alg.is_empty() {
        hex.to_string()
    } else {
        format!("{alg}:{hex}")
    }
}

/// The formats of the fleet report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON, schema [`SCHEMA`].
    Json,
    /// Markdown.
    Markdown,
    /// One HTML page.
    Html,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "json" | "fleet-json" => Ok(Format::Json),
            "md" | "markdown" | "fleet-md" => Ok(Format::Markdown),
            "html" | "fleet-html" => Ok(Format::Html),
            _ => Err(format!("unknown format {s:?} (available: json, md, html)")),
        }
    }
}

/// One `-o FORMAT[=FILE]` of `fleet-report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The format.
    pub format: Format,
    /// The file, or `None` for standard output.
    pub path: Option<String>,
}

impl std::str::FromStr for Output {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (format, path) = match s.split_once('=') {
            Some((_, "")) => return Err(format!("no file after '=' in {s:?}")),
            Some((f, "-")) => (f, None),
            Some((f, p)) => (f, Some(p.to_string())),
            None => (s, None),
        };
        Ok(Output {
            format: format.parse()?,
            path,
        })
    }
}

impl FleetReport {
    /// Writes the report in `format`.
    pub fn write(&self, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, self).map_err(std::io::Error::from)?;
                writeln!(out)
            }
            Format::Markdown => self.write_markdown(&mut Escaping::new(out)),
            Format::Html => self.write_html(out),
        }
    }

    fn write_markdown(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let t = &self.totals;
        writeln!(w, "# Fleet report\n")?;
        writeln!(
            w,
            "{} images: {} approved, {} to review, {} blocked; {} with a policy match. \
             {} source packages owed for delivery `{}`.\n",
            t.images, t.approve, t.review, t.blocked, t.policy, t.sources_owed, self.delivery
        )?;
        writeln!(w, "## Base images\n")?;
        writeln!(w, "| base image | images built on it |\n|---|---|")?;
        for b in &self.bases {
            writeln!(w, "| {} | {} |", md(&b.base), md(&b.images.join(", ")))?;
        }
        writeln!(w, "\n## Images\n")?;
        writeln!(
            w,
            "| image | verdict | policy matches | layers | packages (base / authored / unknown) |\n|---|---|---|---|---|"
        )?;
        for i in &self.images {
            writeln!(
                w,
                "| {} | {} | {} | {} | {} ({} / {} / {}) |",
                md(&i.references.join(", ")),
                i.verdict,
                match i.violations.is_empty() {
                    true => "none".to_string(),
                    false => md(&i.violations.join("; ")),
                },
                i.layers,
                i.packages,
                i.base_packages,
                i.authored_packages,
                i.unknown_packages
            )?;
        }
        writeln!(
            w,
            "\n## Source packages owed (delivery `{}`)\n",
            self.delivery
        )?;
        if self.owed.is_empty() {
            return writeln!(w, "None.");
        }
        writeln!(
            w,
            "| source package | version | licenses | how to obtain | images needing it |\n|---|---|---|---|---|"
        )?;
        for o in &self.owed {
            writeln!(
                w,
                "| {} | {} | {} | {} | {} |",
                md(&o.name),
                md(&o.version),
                md(&o.licenses.join(", ")),
                md(o.command.as_deref().or(o.url.as_deref()).unwrap_or("")),
                md(&o.images.join(", "))
            )?;
        }
        Ok(())
    }

    fn write_html(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let t = &self.totals;
        writeln!(
            w,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>Fleet report</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>"
        )?;
        writeln!(w, "<h1>Fleet report</h1>")?;
        writeln!(
            w,
            "<p class=\"totals\">{} images: <span class=\"approve\">{} approved</span>, \
             <span class=\"review\">{} to review</span>, <span class=\"blocked\">{} blocked</span>; \
             {} with a policy match. {} source packages owed for delivery <code>{}</code>.</p>",
            t.images, t.approve, t.review, t.blocked, t.policy, t.sources_owed, self.delivery
        )?;
        writeln!(w, "<h2 id=\"bases\">Base images</h2>")?;
        writeln!(
            w,
            "<table><colgroup><col style=\"width:35%\"><col></colgroup>\n\
             <thead><tr><th>base image</th><th>images built on it</th></tr></thead><tbody>"
        )?;
        for b in &self.bases {
            writeln!(
                w,
                "<tr><td>{}</td><td>{}</td></tr>",
                html(&b.base),
                list(&b.images)
            )?;
        }
        writeln!(w, "</tbody></table>")?;
        writeln!(w, "<h2 id=\"images\">Images</h2>")?;
        writeln!(
            w,
            "<table><colgroup><col style=\"width:30%\"><col style=\"width:10%\"><col>\
             <col style=\"width:7%\"><col style=\"width:18%\"></colgroup>\n<thead><tr><th>image</th>\
             <th>verdict</th><th>policy matches</th><th>layers</th>\
             <th>packages (base / authored / unknown)</th></tr></thead><tbody>"
        )?;
        for i in &self.images {
            let class = match i.verdict.as_str() {
                "approve" => "approve",
                "blocked" => "blocked",
                _ => "review",
            };
            writeln!(
                w,
                "<tr><td>{}</td><td class=\"{class}\">{}</td><td>{}</td><td>{}</td>\
                 <td>{} ({} / {} / {})</td></tr>",
                list(&i.references),
                html(&i.verdict),
                match i.violations.is_empty() {
                    true => "none".to_string(),
                    false => list(&i.violations),
                },
                i.layers,
                i.packages,
                i.base_packages,
                i.authored_packages,
                i.unknown_packages
            )?;
        }
        writeln!(w, "</tbody></table>")?;
        writeln!(
            w,
            "<h2 id=\"owed\">Source packages owed (delivery <code>{}</code>)</h2>",
            self.delivery
        )?;
        if self.owed.is_empty() {
            writeln!(w, "<p>None.</p>")?;
        } else {
            writeln!(
                w,
                "<table><colgroup><col style=\"width:16%\"><col style=\"width:14%\">\
                 <col style=\"width:22%\"><col style=\"width:20%\"><col></colgroup>\n\
                 <thead><tr><th>source package</th><th>version</th><th>licenses</th>\
                 <th>how to obtain</th><th>images needing it</th></tr></thead><tbody>"
            )?;
            for o in &self.owed {
                writeln!(
                    w,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                    html(&o.name),
                    html(&o.version),
                    list(&o.licenses),
                    html(o.command.as_deref().or(o.url.as_deref()).unwrap_or("")),
                    list(&o.images)
                )?;
            }
            writeln!(w, "</tbody></table>")?;
        }
        writeln!(w, "</main>\n</body>\n</html>")
    }
}

const CSS: &str = "body { font-family: system-ui, sans-serif; margin: 0; color: #1b1f24; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.5rem; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin-bottom: 1.5rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #d0d7de; overflow-wrap: anywhere; }
ul { margin: 0; padding-left: 1rem; }
code { overflow-wrap: anywhere; }
.approve { color: #1a7f37; } .review { color: #9a6700; } .blocked { color: #cf222e; font-weight: bold; }
";

/// `text` escaped for HTML.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// Items as an HTML list, each escaped.
fn list(items: &[String]) -> String {
    let mut out = String::from("<ul>");
    for i in items {
        out.push_str("<li>");
        out.push_str(&html(i));
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    out
}

/// `text` for a Markdown table cell: `|` escaped, line breaks as spaces.
fn md(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> FleetReport {
        FleetReport {
            schema: SCHEMA,
            delivery: Delivery::Image,
            totals: Totals {
                images: 1,
                blocked: 1,
                policy: 1,
                sources_owed: 1,
                ..Totals::default()
            },
            bases: vec![BaseGroup {
                base: "top layer sha256:0123456789ab".into(),
                name: None,
                digest: None,
                top_layer: Some("sha256:0123456789abcdef".into()),
                images: vec!["r/<script>:1".into()],
            }],
            images: vec![ImageLine {
                references: vec!["r/<script>:1".into()],
                image: "sha256:aa".into(),
                verdict: "blocked".into(),
                delivery: "image".into(),
                violations: vec!["bash 5 (layer 0, base): GPL-3.0-only | x".into()],
                layers: 2,
                packages: 3,
                base_packages: 2,
                authored_packages: 1,
                unknown_packages: 0,
            }],
            owed: vec![Owed {
                kind: "deb".into(),
                name: "bash".into(),
                version: "5.2-1".into(),
                commit: None,
                licenses: vec!["GPL-3.0-only".into()],
                duties: vec!["source-offer".into()],
                command: Some("apt-get source bash=5.2-1".into()),
                url: None,
                images: vec!["r/<script>:1".into()],
            }],
        }
    }

    fn render(format: Format) -> String {
        let mut out = Vec::new();
        sample().write(format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn html_escapes_what_images_say() {
        let page = render(Format::Html);
        assert!(!page.contains("<script>"));
        assert!(page.contains("r/&lt;script&gt;:1"));
        assert!(page.contains("<td class=\"blocked\">blocked</td>"));
        assert!(page.contains("apt-get source bash=5.2-1"));
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        let md = render(Format::Markdown);
        assert!(md.contains("GPL-3.0-only \\| x"));
        assert!(md.contains(
            "| bash | 5.2-1 | GPL-3.0-only | apt-get source bash=5.2-1 | r/<script>:1 |"
        ));
    }

    #[test]
    fn json_names_its_schema() {
        let v: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
        assert_eq!(v["schema"], SCHEMA);
        assert_eq!(v["owed"][0]["images"][0], "r/<script>:1");
    }
}
