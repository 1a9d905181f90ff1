//! The approval report (`report-md`, `report-html`): the OSPO checklist answered from
//! the scan's evidence, for the person who approves a container delivery.
//!
//! The report is rendered from `templates/report.md.j2` and `templates/report.html.j2`
//! through a view model built here: image identity, base image, the layer table (with a
//! chart of packages per layer in HTML), the components our layers created or modified,
//! the unmodified components they installed, licenses, obligations, every finding, and the
//! checklist, each item answered from evidence or marked as needing a human answer.
//!
//! License categories and obligations come from the obligations stage: [`Obligations`] is
//! its input here. Without it, the report says that obligations were not computed and the
//! checklist leaves that item to a person. The HTML is one self-contained file: inline CSS,
//! an inline SVG chart, no script, no external resource, every value escaped.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::RenderContext;
use crate::model::{Finding, Origin, Package, Report, Severity};
use crate::obligations::{self, Delivery};

/// What the obligations stage tells the report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Obligations {
    /// The license category of each package, by purl (`permissive`, `weak-copyleft`,
    /// `strong-copyleft`, `network-copyleft`, `public-domain`, `non-free`, `unknown`).
    pub categories: BTreeMap<String, String>,
    /// What shipping the image obliges the distributor to do.
    pub obligations: Vec<ObligationLine>,
    /// The source packages whose source must be offered or shipped.
    pub sources: Vec<SourceItem>,
}

/// One obligation and how many packages it concerns.
#[derive(Debug, Clone, Serialize)]
pub struct ObligationLine {
    /// What must be done, e.g. "offer the complete corresponding source".
    pub obligation: String,
    /// How many packages it concerns.
    pub packages: usize,
    /// Which licenses bring it, or other detail.
    pub detail: String,
}

/// A source package to distribute or offer.
#[derive(Debug, Clone, Serialize)]
pub struct SourceItem {
    /// The source package name.
    pub name: String,
    /// Its version, when known.
    pub version: Option<String>,
    /// Where its exact source can be obtained.
    pub obtain: String,
}

impl Obligations {
    /// The report's view of the obligations: every package's category (as if the whole
    /// image were shipped, so that base-layer packages are categorized too), and the duties
    /// and source packages of `ctx.delivery`.
    pub fn of(report: &Report, ctx: &RenderContext) -> Obligations {
        let shipped = obligations::evaluate(report, ctx.delivery);
        let all = match ctx.delivery {
            Delivery::Image => None,
            _ => Some(obligations::evaluate(report, Delivery::Image)),
        };
        let categories = all
            .as_ref()
            .unwrap_or(&shipped)
            .packages
            .iter()
            .map(|p| (p.purl.clone(), p.category.as_str().to_string()))
            .collect();
        let obligations = shipped
            .duties
            .iter()
            .map(|d| ObligationLine {
                obligation: d.title.clone(),
                packages: d.packages,
                detail: d.text.clone(),
            })
            .collect();
        let sources = shipped
            .sources
            .iter()
            .map(|s| {
                let how: Vec<&str> = [
                    s.obtain.command.as_deref(),
                    s.obtain.url.as_deref(),
                    s.obtain.file.as_deref(),
                ]
                .into_iter()
                .flatten()
                .collect();
                SourceItem {
                    name: s.name.clone(),
                    version: s.version.clone(),
                    obtain: if how.is_empty() {
                        s.obtain.note.clone()
                    } else {
                        how.join(" · ")
                    },
                }
            })
            .collect();
        Obligations {
            categories,
            obligations,
            sources,
        }
    }
}

/// Writes the Markdown report.
pub fn write_md(
    report: &Report,
    ctx: &RenderContext,
    obligations: Option<&Obligations>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    render("report.md.j2", report, ctx, obligations, out)
}

/// Writes the HTML report: one self-contained file.
pub fn write_html(
    report: &Report,
    ctx: &RenderContext,
    obligations: Option<&Obligations>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    render("report.html.j2", report, ctx, obligations, out)
}

const MD: &str = include_str!("../../templates/report.md.j2");
const HTML: &str = include_str!("../../templates/report.html.j2");

fn render(
    name: &str,
    report: &Report,
    ctx: &RenderContext,
    obligations: Option<&Obligations>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut env = minijinja::Environment::new();
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .map_err(std::io::Error::other)?;
    env.set_syntax(syntax);
    env.add_filter("cell", cell);
    env.add_filter("shorten", shorten);
    env.add_template("report.md.j2", MD)
        .and_then(|_| env.add_template("report.html.j2", HTML))
        .map_err(std::io::Error::other)?;
    let view = view(report, ctx, obligations);
    let text = env
        .get_template(name)
        .and_then(|t| t.render(minijinja::value::Serde(&view)))
        .map_err(std::io::Error::other)?;
    out.write_all(text.as_bytes())
}

/// A value for one Markdown table cell: `|` escaped, line breaks as spaces.
fn cell(s: String) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// At most `max` characters of `s`, with `…` when cut.
fn shorten(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[derive(Debug, Serialize)]
struct View {
    tool_version: &'static str,
    timestamp: String,
    identity: Identity,
    base: Base,
    layers: Vec<LayerRow>,
    chart: Chart,
    modified: Vec<Component>,
    created: Vec<OwnLayer>,
    installed: Vec<Component>,
    licenses: Vec<LicenseRow>,
    categories: Option<Vec<LicenseRow>>,
    obligations: Option<Obligations>,
    findings: Vec<FindingRow>,
    counts: Counts,
    checklist: Vec<Answer>,
}

#[derive(Debug, Serialize)]
struct Identity {
    source: String,
    format: String,
    tags: Vec<String>,
    config_digest: Option<String>,
    manifest_digest: Option<String>,
    platform: Option<String>,
    created: Option<String>,
    distro: Option<String>,
    packages: usize,
}

#[derive(Debug, Serialize)]
struct Base {
    name: Option<String>,
    digest: Option<String>,
    distro: Option<String>,
    method: String,
    layers: Option<usize>,
    reason: String,
}

#[derive(Debug, Serialize)]
struct LayerRow {
    index: usize,
    origin: &'static str,
    created_by: String,
    added: usize,
    upgraded: usize,
    removed: usize,
    present: usize,
    size: String,
    entries: usize,
}

#[derive(Debug, Serialize)]
struct Chart {
    width: u32,
    height: u32,
    label_width: u32,
    bars: Vec<Bar>,
    legend: Vec<Legend>,
    by: &'static str,
}

#[derive(Debug, Serialize)]
struct Bar {
    y: u32,
    label: String,
    total: usize,
    total_x: u32,
    segments: Vec<Segment>,
}

#[derive(Debug, Serialize)]
struct Segment {
    x: u32,
    width: u32,
    class: String,
    title: String,
}

#[derive(Debug, Serialize)]
struct Legend {
    class: String,
    label: String,
}

#[derive(Debug, Serialize)]
struct Component {
    name: String,
    version: String,
    kind: String,
    layer: usize,
    license: String,
    change: String,
}

#[derive(Debug, Serialize)]
struct OwnLayer {
    index: usize,
    created_by: String,
    entries: usize,
    size: String,
}

#[derive(Debug, Serialize)]
struct LicenseRow {
    name: String,
    packages: usize,
    examples: String,
}

#[derive(Debug, Serialize)]
struct FindingRow {
    severity: Severity,
    kind: String,
    place: String,
    message: String,
}

#[derive(Debug, Default, Serialize)]
struct Counts {
    error: usize,
    warning: usize,
    info: usize,
}

#[derive(Debug, Serialize)]
struct Answer {
    question: &'static str,
    status: &'static str,
    answer: String,
}

/// Bytes for people: `B`, `KiB`, `MiB`, `GiB` with one decimal.
fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

fn view(report: &Report, ctx: &RenderContext, obligations: Option<&Obligations>) -> View {
    let distro = report.image.os.as_ref().map(|o| {
        o.name.clone().unwrap_or_else(|| {
            format!("{} {}", o.id, o.version_id.as_deref().unwrap_or(""))
                .trim()
                .to_string()
        })
    });
    let present = |i: usize| {
        report
            .packages
            .iter()
            .filter(|p| p.layer.index == i)
            .count()
    };
    let layers: Vec<LayerRow> = report
        .layers
        .iter()
        .map(|l| LayerRow {
            index: l.index,
            origin: l.origin.as_str(),
            created_by: l.created_by.clone().unwrap_or_default(),
            added: l.packages.added,
            upgraded: l.packages.upgraded,
            removed: l.packages.removed,
            present: present(l.index),
            size: human(l.size),
            entries: l.entries,
        })
        .collect();
    let base_layer_count = report.base.layers;
    View {
        tool_version: ctx.tool_version,
        timestamp: ctx.timestamp.clone(),
        identity: Identity {
            source: report.image.source.clone(),
            format: report.image.format.clone(),
            tags: report.image.repo_tags.clone(),
            config_digest: report.image.config_digest.clone(),
            manifest_digest: report.image.manifest_digest.clone(),
            platform: report.image.platform.as_ref().map(|p| p.to_string()),
            created: report.image.created.clone(),
            distro: distro.clone(),
            packages: report.packages.len(),
        },
        base: Base {
            name: report.base.name.clone(),
            digest: report.base.digest.clone(),
            distro,
            method: report.base.method.clone(),
            layers: base_layer_count,
            reason: report.base.reason.clone(),
        },
        chart: chart(report, obligations),
        layers,
        modified: modified(report),
        created: report
            .layers
            .iter()
            .filter(|l| {
                l.origin == Origin::Authored
                    && l.packages.added + l.packages.upgraded + l.packages.removed == 0
                    && l.entries > 0
            })
            .map(|l| OwnLayer {
                index: l.index,
                created_by: l.created_by.clone().unwrap_or_default(),
                entries: l.entries,
                size: human(l.size),
            })
            .collect(),
        installed: report
            .packages
            .iter()
            .filter(|p| p.origin == Origin::Authored && p.upgraded_from.is_none())
            .map(|p| component(p, "installed, unmodified"))
            .collect(),
        licenses: license_rows(report.packages.iter().flat_map(|p| {
            license_names(p.license.concluded.as_str())
                .into_iter()
                .map(move |l| (l, p.name.as_str()))
        })),
        categories: obligations.map(|o| {
            license_rows(report.packages.iter().map(|p| {
                (
                    o.categories
                        .get(&p.purl)
                        .cloned()
                        .unwrap_or_else(|| "unknown".to_string()),
                    p.name.as_str(),
                )
            }))
        }),
        obligations: obligations.cloned(),
        findings: findings(&report.findings),
        counts: Counts {
            error: count(report, Severity::Error),
            warning: count(report, Severity::Warning),
            info: count(report, Severity::Info),
        },
        checklist: checklist(report, obligations),
    }
}

fn count(report: &Report, s: Severity) -> usize {
    report.findings.iter().filter(|f| f.severity == s).count()
}

fn component(p: &Package, change: &str) -> Component {
    Component {
        name: p.name.clone(),
        version: p.version.clone(),
        kind: p.kind.clone(),
        layer: p.layer.index,
        license: p.license.concluded.as_str().to_string(),
        change: change.to_string(),
    }
}

/// Packages our layers changed: upgrades, base packages whose files we replaced, base
/// packages we removed.
fn modified(report: &Report) -> Vec<Component> {
    let mut out: Vec<Component> = report
        .packages
        .iter()
        .filter(|p| p.origin == Origin::Authored)
        .filter_map(|p| {
            let old = p.upgraded_from.as_deref()?;
            Some(component(p, &format!("upgraded from {old}")))
        })
        .collect();
    for f in &report.findings {
        let Some((name, version)) = crate::audit::image::overwritten_package(f) else {
            continue;
        };
        let layer = f.layer.unwrap_or(0);
        if let Some(p) = report
            .packages
            .iter()
            .find(|p| p.origin == Origin::Base && p.name == name && p.version == version)
        {
            let mut c = component(p, &format!("files replaced by layer {layer}"));
            c.layer = layer;
            out.push(c);
        }
    }
    let base = |i: usize| report.layers.get(i).map(|l| l.origin) == Some(Origin::Base);
    let ours = |i: usize| report.layers.get(i).map(|l| l.origin) == Some(Origin::Authored);
    for r in &report.removed_packages {
        if ours(r.removed_in) && base(r.added_in) {
            out.push(Component {
                name: r.name.clone(),
                version: r.version.clone(),
                kind: r.kind.clone(),
                layer: r.removed_in,
                license: String::new(),
                change: format!("removed (added in layer {})", r.added_in),
            });
        }
    }
    out
}

/// The licenses an expression names, each once, in order: SPDX ids (with their `WITH`
/// exception, if any), `LicenseRef-` names, or the whole text when it does not parse
/// (`NOASSERTION`).
fn license_names(expr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    match spdx::Expression::parse_mode(expr, spdx::ParseMode::LAX) {
        Ok(parsed) => {
            for r in parsed.requirements() {
                let span = r.span.start as usize..r.span.end as usize;
                let name = match r.req.license.id() {
                    Some(id) => id.name.to_string(),
                    None => expr.get(span).unwrap_or(expr).to_string(),
                };
                let name = match r.req.license.id().map(|_| &r.req.license) {
                    Some(spdx::LicenseItem::Spdx { or_later: true, .. }) => format!("{name}+"),
                    _ => name,
                };
                // An exception changes what the license asks: it is part of the name.
                let name = match &r.req.addition {
                    Some(spdx::AdditionItem::Spdx(e)) => format!("{name} WITH {}", e.name),
                    Some(spdx::AdditionItem::Other(o)) => format!("{name} WITH {o}"),
                    None => name,
                };
                if !out.contains(&name) {
                    out.push(name);
                }
            }
        }
        Err(_) => out.push(expr.to_string()),
    }
    out
}

fn license_rows<'a>(items: impl Iterator<Item = (String, &'a str)>) -> Vec<LicenseRow> {
    let mut by: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (license, name) in items {
        by.entry(license).or_default().push(name);
    }
    let mut rows: Vec<LicenseRow> = by
        .into_iter()
        .map(|(name, mut pkgs)| {
            pkgs.sort_unstable();
            let shown: Vec<&str> = pkgs.iter().take(4).copied().collect();
            let more = pkgs.len() - shown.len();
            LicenseRow {
                name,
                packages: pkgs.len(),
                examples: if more > 0 {
                    format!("{} and {more} more", shown.join(", "))
                } else {
                    shown.join(", ")
                },
            }
        })
        .collect();
    rows.sort_by(|a, b| b.packages.cmp(&a.packages).then(a.name.cmp(&b.name)));
    rows
}

fn findings(all: &[Finding]) -> Vec<FindingRow> {
    let mut rows: Vec<FindingRow> = all
        .iter()
        .map(|f| {
            let mut place = Vec::new();
            if let Some(l) = f.layer {
                place.push(format!("layer {l}"));
            }
            match (&f.path, f.line) {
                (Some(p), Some(line)) => place.push(format!("{p}:{line}")),
                (Some(p), None) => place.push(p.clone()),
                (None, Some(line)) => place.push(format!("line {line}")),
                (None, None) => {}
            }
            FindingRow {
                severity: f.severity,
                kind: f.kind.clone(),
                place: place.join(", "),
                message: f.message.clone(),
            }
        })
        .collect();
    // Most severe first; the original order within a severity.
    rows.sort_by_key(|r| std::cmp::Reverse(r.severity));
    rows
}

/// Bars of the chart: one per layer, packages introduced by that layer, stacked by
/// license category when the categories are known, else by added/upgraded.
fn chart(report: &Report, obligations: Option<&Obligations>) -> Chart {
    const ROW: u32 = 30;
    const LABEL: u32 = 190;
    const PLOT: u32 = 620;
    let mut bars = Vec::new();
    let mut legend: Vec<Legend> = Vec::new();
    let mut add_legend = |class: &str, label: &str| {
        if !legend.iter().any(|l| l.class == class) {
            legend.push(Legend {
                class: class.to_string(),
                label: label.to_string(),
            });
        }
    };
    let mut stacks: Vec<Vec<(String, String, usize)>> = Vec::new();
    for l in &report.layers {
        let pkgs: Vec<&Package> = report
            .packages
            .iter()
            .filter(|p| p.layer.index == l.index)
            .collect();
        let mut stack: Vec<(String, String, usize)> = Vec::new();
        match obligations {
            Some(o) => {
                let mut by: BTreeMap<String, usize> = BTreeMap::new();
                for p in &pkgs {
                    let c = o
                        .categories
                        .get(&p.purl)
                        .cloned()
                        .unwrap_or_else(|| "unknown".to_string());
                    *by.entry(c).or_default() += 1;
                }
                for (c, n) in by {
                    stack.push((format!("cat-{c}"), c, n));
                }
            }
            None => {
                let up = pkgs.iter().filter(|p| p.upgraded_from.is_some()).count();
                let origin = l.origin.as_str();
                stack.push((
                    format!("{origin}-added"),
                    format!("added ({origin})"),
                    pkgs.len() - up,
                ));
                stack.push((
                    format!("{origin}-upgraded"),
                    format!("upgraded ({origin})"),
                    up,
                ));
            }
        }
        stack.retain(|s| s.2 > 0);
        for (class, label, _) in &stack {
            add_legend(class, label);
        }
        stacks.push(stack);
    }
    let max = stacks
        .iter()
        .map(|s| s.iter().map(|x| x.2).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = |n: usize| ((n as u64 * u64::from(PLOT)) / max as u64) as u32;
    for (l, stack) in report.layers.iter().zip(stacks) {
        let mut x = LABEL;
        let mut segments = Vec::new();
        let total: usize = stack.iter().map(|s| s.2).sum();
        for (class, label, n) in stack {
            let w = scale(n).max(2);
            segments.push(Segment {
                x,
                width: w,
                class,
                title: format!("{label}: {n}"),
            });
            x += w;
        }
        bars.push(Bar {
            y: 10 + l.index as u32 * ROW,
            label: format!("layer {} · {}", l.index, l.origin.as_str()),
            total,
            total_x: x + 6,
            segments,
        });
    }
    Chart {
        width: LABEL + PLOT + 60,
        height: 20 + report.layers.len() as u32 * ROW,
        label_width: LABEL,
        bars,
        legend,
        by: if obligations.is_some() {
            "license category"
        } else {
            "origin (license categories come with the obligations)"
        },
    }
}

/// A finding message as the start of a sentence.
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn has<'a>(report: &'a Report, kind: &str) -> Vec<&'a Finding> {
    report.findings.iter().filter(|f| f.kind == kind).collect()
}

fn lines(fs: &[&Finding]) -> String {
    let mut v: Vec<String> = fs
        .iter()
        .map(|f| match f.line {
            Some(l) => l.to_string(),
            None => "?".to_string(),
        })
        .collect();
    v.dedup();
    v.join(", ")
}

/// The OSPO checklist, each item answered from the findings and the report, or left to a
/// person when the evidence is not there.
fn checklist(report: &Report, obligations: Option<&Obligations>) -> Vec<Answer> {
    const OK: &str = "answered";
    const LOOK: &str = "attention";
    const HUMAN: &str = "needs a human answer";
    let dockerfile_given = report
        .findings
        .iter()
        .any(|f| f.kind.starts_with("dockerfile-"));
    let mut out = Vec::new();

    // 1. Who wrote the Dockerfile and under which license.
    let licensed = has(report, "dockerfile-license");
    out.push(Answer {
        question: "Who wrote the Dockerfile, and under which license?",
        status: if !dockerfile_given {
            HUMAN
        } else if licensed.is_empty() {
            LOOK
        } else if licensed[0].message.contains("no copyright line") {
            HUMAN
        } else {
            OK
        },
        answer: if !dockerfile_given {
            "No Dockerfile was given (scan --dockerfile FILE); its author and license need a human answer.".to_string()
        } else if let Some(f) = licensed.first() {
            format!("{} (Dockerfile line {}).", sentence(&f.message), lines(&licensed))
        } else {
            "The Dockerfile states no license (no SPDX-License-Identifier, no license header); its author and license need a human answer.".to_string()
        },
    });

    // 2. Where the base image comes from, and whether it is pinned.
    let name = report.base.name.as_deref().map_or_else(
        || "The base image (its name is not recorded)".to_string(),
        |n| format!("Base image {n}"),
    );
    let shipped_base: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.kind.as_str(),
                "base-unpinned" | "base-latest" | "from-unresolved" | "base-pinned"
            ) && (f.severity == Severity::Warning || f.message.contains("shipped image"))
        })
        .collect();
    let layers = report
        .base
        .layers
        .map_or_else(|| "an unknown number of".to_string(), |n| n.to_string());
    let mut answer = format!(
        "{name}: {layers} layer(s), determined by {} ({}).",
        report.base.method, report.base.reason
    );
    if let Some(d) = &report.base.digest {
        answer.push_str(&format!(" Digest {d}."));
    }
    let unpinned: Vec<&Finding> = shipped_base
        .iter()
        .copied()
        .filter(|f| f.kind != "base-pinned")
        .collect();
    let status = if !unpinned.is_empty() {
        answer.push_str(&format!(
            " The Dockerfile does not pin it by digest (line {}).",
            lines(&unpinned)
        ));
        LOOK
    } else if !shipped_base.is_empty() {
        answer.push_str(" The Dockerfile pins it by digest.");
        OK
    } else {
        answer.push_str(" Whether the build pinned it needs the Dockerfile (--dockerfile).");
        HUMAN
    };
    out.push(Answer {
        question: "Where does the base image come from, and is it pinned?",
        status,
        answer,
    });

    // 3. What code was imported, and from where.
    let imports: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.kind.as_str(),
                "download" | "add-url" | "copy-from-image" | "pipe-to-shell"
            )
        })
        .collect();
    let unverified: Vec<&Finding> = imports
        .iter()
        .copied()
        .filter(|f| f.severity >= Severity::Warning)
        .collect();
    out.push(Answer {
        question: "What code was imported, and from where?",
        status: if !dockerfile_given {
            HUMAN
        } else if !unverified.is_empty() {
            LOOK
        } else {
            OK
        },
        answer: if !dockerfile_given {
            "Without the Dockerfile the imports cannot be listed; this needs a human answer."
                .to_string()
        } else if imports.is_empty() {
            "The Dockerfile fetches nothing outside its base image and build context.".to_string()
        } else {
            format!(
                "{} import(s) (downloads, ADD of URLs, COPY --from other images); {} without a verified checksum or signature (line {}). See the findings.",
                imports.len(),
                unverified.len(),
                lines(&unverified)
            )
        },
    });

    // 4. What our layers add.
    let ours: Vec<_> = report
        .layers
        .iter()
        .filter(|l| l.origin == Origin::Authored)
        .collect();
    let (a, u, r) = ours.iter().fold((0, 0, 0), |acc, l| {
        (
            acc.0 + l.packages.added,
            acc.1 + l.packages.upgraded,
            acc.2 + l.packages.removed,
        )
    });
    out.push(Answer {
        question: "What do our layers add?",
        status: if ours.is_empty() && report.base.layers.is_none() {
            HUMAN
        } else {
            OK
        },
        answer: if ours.is_empty() && report.base.layers.is_none() {
            "The base image boundary is unknown, so our layers cannot be told apart; give --dockerfile, --base-image or --base-layers.".to_string()
        } else {
            format!(
                "{} layer(s) of ours: {a} package(s) added, {u} upgraded, {r} removed; {} layer(s) of our own files without packages.",
                ours.len(),
                ours.iter()
                    .filter(|l| l.packages.added + l.packages.upgraded + l.packages.removed == 0)
                    .count()
            )
        },
    });

    // 5. Squashed.
    let squashed = has(report, "squashed-image");
    out.push(Answer {
        question: "Are the base image's layers kept as they were (not squashed)?",
        status: if squashed.is_empty() { OK } else { LOOK },
        answer: match squashed.first() {
            Some(f) => f.message.clone(),
            None => "Yes: no sign of squashing in the history or the layers.".to_string(),
        },
    });

    // 6. Secrets.
    let secrets = has(report, "deleted-secret");
    out.push(Answer {
        question: "Do the layers hold deleted secrets?",
        status: if secrets.is_empty() { OK } else { LOOK },
        answer: if secrets.is_empty() {
            "No file deleted by a later layer has the name of a key, token or credentials file (names only; contents are not read).".to_string()
        } else {
            format!(
                "{} file(s) deleted in a later layer look like secrets and are still in the image: {}.",
                secrets.len(),
                secrets
                    .iter()
                    .filter_map(|f| f.path.as_deref())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    });

    // 7. Licenses.
    let unknown = has(report, "license-unknown");
    let unlisted = has(report, "license-unlisted");
    out.push(Answer {
        question: "Is every package's license known?",
        status: if unknown.is_empty() && unlisted.is_empty() {
            OK
        } else {
            LOOK
        },
        answer: format!(
            "{} package(s); {} with no license found (NOASSERTION), {} under names outside the SPDX list (LicenseRef-).",
            report.packages.len(),
            unknown.len(),
            unlisted.len()
        ),
    });

    // 8. Obligations.
    out.push(match obligations {
        Some(o) => Answer {
            question: "What obligations come with shipping it?",
            status: OK,
            answer: format!(
                "{} obligation(s); source to offer for {} source package(s). See Obligations.",
                o.obligations.len(),
                o.sources.len()
            ),
        },
        None => Answer {
            question: "What obligations come with shipping it?",
            status: HUMAN,
            answer: "Obligations were not computed for this report; they need a human answer."
                .to_string(),
        },
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licenses_are_counted_by_name() {
        assert_eq!(
            license_names("(MIT OR Apache-2.0) AND MIT AND LicenseRef-x"),
            ["MIT", "Apache-2.0", "LicenseRef-x"]
        );
        assert_eq!(license_names("NOASSERTION"), ["NOASSERTION"]);
        assert_eq!(
            license_names("GPL-3.0-or-later WITH GCC-exception-3.1 AND GPL-3.0-or-later"),
            [
                "GPL-3.0-or-later WITH GCC-exception-3.1",
                "GPL-3.0-or-later"
            ]
        );
        let rows = license_rows(
            [("MIT", "a"), ("MIT", "b"), ("Zlib", "c")]
                .into_iter()
                .map(|(l, n)| (l.to_string(), n)),
        );
        assert_eq!((rows[0].name.as_str(), rows[0].packages), ("MIT", 2));
        assert_eq!(rows[0].examples, "a, b");
    }

    fn demo() -> Report {
        let image = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/demo.tar");
        crate::pipeline::scan(
            &image,
            &crate::pipeline::Options::default(),
            &crate::pipeline::BaseHints::default(),
        )
        .unwrap()
    }

    #[test]
    fn obligations_and_categories_are_rendered_when_given() {
        let report = demo();
        let ctx = RenderContext::new(&report, Some("0"));
        let mut o = Obligations::default();
        for p in &report.packages {
            o.categories.insert(p.purl.clone(), "permissive".into());
        }
        o.obligations.push(ObligationLine {
            obligation: "ship the license texts".into(),
            packages: 12,
            detail: "MIT, GPL-2.0-only".into(),
        });
        o.sources.push(SourceItem {
            name: "jq".into(),
            version: Some("1.6-2.1".into()),
            obtain: "https://deb.debian.org/debian/pool/main/j/jq/".into(),
        });
        let mut html = Vec::new();
        write_html(&report, &ctx, Some(&o), &mut html).unwrap();
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("ship the license texts"));
        // GCC's runtime libraries are counted under their license with its exception.
        assert!(
            html.contains("GPL-3.0-or-later WITH GCC-exception-3.1"),
            "{html}"
        );
        assert!(html.contains("class=\"cat-permissive\""));
        assert!(!html.contains("Obligations were not computed"));
        let mut md = Vec::new();
        write_md(&report, &ctx, None, &mut md).unwrap();
        let md = String::from_utf8(md).unwrap();
        assert!(md.contains("Obligations were not computed for this report."));
        assert!(
            md.contains("| What obligations come with shipping it? | **needs a human answer** |")
        );
    }

    #[test]
    fn sizes_for_people() {
        assert_eq!(human(10), "10 B");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(3 * 1024 * 1024), "3.0 MiB");
    }

    #[test]
    fn markdown_cells_keep_their_table() {
        assert_eq!(cell("a|b\nc".into()), "a\\|b c");
        assert_eq!(shorten("abcdef".into(), 4), "abc…");
        assert_eq!(shorten("abc".into(), 4), "abc");
    }
}
