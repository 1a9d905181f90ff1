//! The approval report (`report-md`, `report-html`): the OSPO checklist answered from
//! the scan's evidence, for the person who approves a container delivery.
//!
//! The report is rendered from `templates/report.md.j2` and `templates/report.html.j2`
//! through a view model built here: image identity, base image, the layer table (with a
//! chart of packages per layer in HTML), the components our layers created or modified,
//! the unmodified components they installed, licenses, obligations, every finding, and the
//! checklist, each item answered from evidence or marked as needing a human answer.
//!
//! License categories, obligations and the checklist come from the model ([`Bom`]). The
//! HTML is one self-contained file: inline CSS, an inline SVG chart, no script, no
//! external resource, every value escaped.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::{Options, Renderer};
use crate::model::obligations::Category;
use crate::model::{
    Answer, Bom, DatedBy, Decision, Finding, FindingKind, Origin, Package, Report, Severity,
};

/// The obligations, as the report shows them.
#[derive(Debug, Clone, Serialize)]
struct Obligations {
    /// What shipping the image obliges the distributor to do.
    obligations: Vec<ObligationLine>,
    /// The source packages whose source must be offered or shipped.
    sources: Vec<SourceItem>,
    /// What the source bundle given with `--sources` holds of them.
    bundle: Option<crate::model::obligations::BundleSummary>,
}

/// One obligation and how many packages it concerns.
#[derive(Debug, Clone, Serialize)]
struct ObligationLine {
    /// What must be done, e.g. "offer the complete corresponding source".
    obligation: String,
    /// How many packages it concerns.
    packages: usize,
    /// Which licenses bring it, or other detail.
    detail: String,
}

/// A source package to distribute or offer.
#[derive(Debug, Clone, Serialize)]
struct SourceItem {
    /// The source package name.
    name: String,
    /// Its version, when known.
    version: Option<String>,
    /// Where its exact source can be obtained.
    obtain: String,
    /// The command that fetches it, when there is one.
    command: Option<String>,
    /// Its address, when it is an `http(s)` URL (the HTML links it).
    link: Option<String>,
    /// Its address when it is not an `http(s)` URL, or the source package file.
    other: Vec<String>,
    /// What else to know, when there is no command or address.
    note: String,
    /// What the source bundle holds of it (`verified`, `present`, `incomplete`,
    /// `missing`), when one was given.
    held: Option<&'static str>,
}

impl Obligations {
    /// The duties and source packages of the delivery mode `bom` was evaluated for.
    fn of(bom: &Bom) -> Obligations {
        let shipped = &bom.obligations;
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
                let link = s
                    .obtain
                    .url
                    .clone()
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
                let other = [
                    s.obtain.url.as_ref().filter(|_| link.is_none()),
                    s.obtain.file.as_ref(),
                ]
                .into_iter()
                .flatten()
                .cloned()
                .collect();
                SourceItem {
                    name: s.name.clone(),
                    version: s.version.clone(),
                    obtain: if how.is_empty() {
                        s.obtain.note.clone()
                    } else {
                        how.join(" · ")
                    },
                    command: s.obtain.command.clone(),
                    link,
                    other,
                    note: if how.is_empty() {
                        s.obtain.note.clone()
                    } else {
                        String::new()
                    },
                    held: s.bundle.as_ref().map(|b| b.held.as_str()),
                }
            })
            .collect();
        Obligations {
            obligations,
            sources,
            bundle: shipped.bundle.clone(),
        }
    }
}

/// `-o report-md`: the approval report, Markdown.
#[derive(Debug, Clone, Copy)]
pub struct ReportMd;

impl Renderer for ReportMd {
    fn name(&self) -> &'static str {
        "report-md"
    }

    fn write(&self, bom: &Bom, _: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        render("report.md.j2", bom, &mut super::Escaping::new(out))
    }
}

/// `-o report-html`: the approval report, one self-contained HTML file.
#[derive(Debug, Clone, Copy)]
pub struct ReportHtml;

impl Renderer for ReportHtml {
    fn name(&self) -> &'static str {
        "report-html"
    }

    fn write(&self, bom: &Bom, _: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        render("report.html.j2", bom, out)
    }
}

const MD: &str = include_str!("../../templates/report.md.j2");
const HTML: &str = include_str!("../../templates/report.html.j2");

fn render(name: &str, bom: &Bom, out: &mut dyn Write) -> std::io::Result<()> {
    let mut env = minijinja::Environment::new();
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .map_err(std::io::Error::other)?;
    env.set_syntax(syntax);
    env.add_filter("cell", cell);
    env.add_filter("code", code);
    env.add_filter("shorten", shorten);
    env.add_filter("plural", |n: usize, one: String, many: String| {
        crate::model::plural(n, &one, &many)
    });
    env.add_template("report.md.j2", MD)
        .and_then(|_| env.add_template("report.html.j2", HTML))
        .map_err(std::io::Error::other)?;
    let view = view(bom);
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

/// Text with Markdown's `code` spans, as HTML: escaped, each span in `<code>`.
fn code(s: String) -> minijinja::Value {
    let escaped = s
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;");
    let mut out = String::with_capacity(escaped.len());
    for (i, part) in escaped.split('`').enumerate() {
        match i % 2 {
            1 => out.push_str(&format!("<code>{part}</code>")),
            _ => out.push_str(part),
        }
    }
    minijinja::Value::from_safe_string(out)
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
    dating: Dating,
    verdict: VerdictView,
    delivery: DeliveryView,
    inventory: Vec<InventoryRow>,
    identity: Identity,
    base: Base,
    layers: Vec<LayerRow>,
    chart: Chart,
    modified: Vec<Component>,
    created: Vec<OwnLayer>,
    installed: Vec<Component>,
    licenses: Vec<LicenseRow>,
    categories: Vec<LicenseRow>,
    obligations: Obligations,
    findings: Vec<FindingRow>,
    counts: Counts,
    checklist: Vec<Answer>,
}

/// The verdict, in words.
#[derive(Debug, Serialize)]
struct VerdictView {
    /// `approve`, `needs review` or `blocked`.
    decision: Decision,
    /// A class name for it: `approve`, `review`, `blocked`.
    class: &'static str,
    /// Each reason in a sentence, heaviest first.
    reasons: Vec<String>,
    /// The policy's rules, as the command line spells them.
    policy: Vec<String>,
    /// The licenses reviewers accepted, each with its reason and reviewer.
    accepted: Vec<String>,
}

/// The delivery mode the figures assume.
#[derive(Debug, Serialize)]
struct DeliveryView {
    mode: &'static str,
    explanation: &'static str,
    distributed_layers: Vec<usize>,
    not_distributed_layers: Vec<usize>,
    distributed_packages: usize,
    source_packages: usize,
}

/// Where the date comes from, in a sentence.
#[derive(Debug, Serialize)]
struct Dating {
    by: DatedBy,
    /// Whether the date says nothing about the image (1970-01-01 for want of a time).
    placeholder: bool,
    sentence: String,
}

/// One package of the final image.
#[derive(Debug, Serialize)]
struct InventoryRow {
    name: String,
    version: String,
    kind: String,
    layer: usize,
    origin: &'static str,
    license: String,
    category: String,
    distributed: bool,
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
    /// Where the axis line runs, below the bars.
    axis_y: u32,
    /// Its right end.
    axis_end: u32,
    /// Its ticks, from 0 to the largest bar rounded up.
    ticks: Vec<Tick>,
    bars: Vec<Bar>,
    legend: Vec<Legend>,
    by: &'static str,
}

/// One tick of the chart's axis.
#[derive(Debug, Serialize)]
struct Tick {
    x: u32,
    label: usize,
}

#[derive(Debug, Serialize)]
struct Bar {
    y: u32,
    label: String,
    total: usize,
    /// The layer's size.
    size: String,
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
    kind: &'static str,
    place: String,
    message: String,
    /// Who acknowledged it, and why.
    acknowledged: Option<String>,
}

/// The findings by severity, those reviewers acknowledged apart.
#[derive(Debug, Default, Serialize)]
struct Counts {
    error: usize,
    warning: usize,
    info: usize,
    acknowledged: usize,
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

fn view(bom: &Bom) -> View {
    let report = &bom.report;
    let categories = &bom.obligations.categories;
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
    let delivery = &bom.obligations.delivery;
    View {
        tool_version: bom.tool_version,
        timestamp: bom.created.clone(),
        dating: dating(bom),
        verdict: VerdictView {
            decision: bom.verdict.decision,
            class: match bom.verdict.decision {
                Decision::Approve => "approve",
                Decision::Review => "review",
                Decision::Blocked => "blocked",
            },
            reasons: bom.verdict.reasons.iter().map(|r| r.message()).collect(),
            policy: bom.policy.rules(),
            accepted: bom
                .policy
                .accepted
                .iter()
                .map(|a| format!("{} ({}; {})", a.license, a.reason, a.reviewer))
                .collect(),
        },
        delivery: DeliveryView {
            mode: delivery.mode.as_str(),
            explanation: delivery.explanation,
            distributed_layers: delivery.distributed_layers.clone(),
            not_distributed_layers: delivery.not_distributed_layers.clone(),
            distributed_packages: bom.obligations.summary.distributed_packages,
            source_packages: bom.obligations.sources.len(),
        },
        inventory: report
            .packages
            .iter()
            .map(|p| InventoryRow {
                name: p.name.clone(),
                version: p.version.clone(),
                kind: p.kind.clone(),
                layer: p.layer.index,
                origin: p.origin.as_str(),
                license: super::readable::simplify(p.license.concluded.as_str()),
                category: category_of(categories, p).to_string(),
                distributed: delivery.distributed_layers.contains(&p.layer.index),
            })
            .collect(),
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
        chart: chart(report, categories),
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
        categories: license_rows(
            report
                .packages
                .iter()
                .map(|p| (category_of(categories, p).to_string(), p.name.as_str())),
        ),
        obligations: Obligations::of(bom),
        findings: findings(&report.findings),
        counts: Counts {
            error: count(report, Severity::Error),
            warning: count(report, Severity::Warning),
            info: count(report, Severity::Info),
            acknowledged: report
                .findings
                .iter()
                .filter(|f| f.acknowledged.is_some())
                .count(),
        },
        checklist: bom.checklist.clone(),
    }
}

/// Where the documents' date comes from, said plainly: a 1970 date is explained, never
/// left to look like a build time.
fn dating(bom: &Bom) -> Dating {
    let t = &bom.created;
    let sentence = match bom.dated_by {
        DatedBy::SourceDateEpoch => format!("Documents are dated {t}, from SOURCE_DATE_EPOCH."),
        DatedBy::ImageCreated => format!(
            "Documents are dated {t}, the image's creation time (SOURCE_DATE_EPOCH, when set, dates them instead)."
        ),
        DatedBy::ImageEpochZero => format!(
            "The image records no real creation time: its configuration says 1970-01-01T00:00:00Z (epoch 0), as reproducible builders such as ko, Bazel, apko and Nix write it. Documents are dated {t} so that the same image always gives the same bytes; the date says nothing about when the image was built or scanned. Set SOURCE_DATE_EPOCH to date them."
        ),
        DatedBy::NoImageTime => format!(
            "The image records no creation time. Documents are dated {t} (epoch 0) so that the same image always gives the same bytes; the date says nothing about when the image was built or scanned. Set SOURCE_DATE_EPOCH to date them."
        ),
    };
    Dating {
        by: bom.dated_by,
        placeholder: bom.dated_by.is_placeholder(),
        sentence,
    }
}

/// A package's license category's name (`unknown` when the obligations stage gave none).
fn category_of<'a>(categories: &BTreeMap<String, Category>, p: &Package) -> &'a str {
    categories
        .get(&p.purl)
        .map_or(Category::Unknown.as_str(), |c| c.as_str())
}

fn count(report: &Report, s: Severity) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.severity() == s && f.acknowledged.is_none())
        .count()
}

fn component(p: &Package, change: &str) -> Component {
    Component {
        name: p.name.clone(),
        version: p.version.clone(),
        kind: p.kind.clone(),
        layer: p.layer.index,
        license: super::readable::simplify(p.license.concluded.as_str()),
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
        let FindingKind::AuthoredOverwrite {
            layer,
            package,
            version,
            ..
        } = &f.kind
        else {
            continue;
        };
        if let Some(p) = report
            .packages
            .iter()
            .find(|p| p.origin == Origin::Base && &p.name == package && &p.version == version)
        {
            let mut c = component(p, &format!("files replaced by layer {layer}"));
            c.layer = *layer;
            out.push(c);
        }
    }
    let base = |i: usize| report.layers.get(i).map(|l| l.origin) == Some(Origin::Base);
    let ours = |i: usize| report.layers.get(i).map(|l| l.origin) == Some(Origin::Authored);
    // Replaced versions are the upgrades listed above.
    for r in report.removed_packages.iter().filter(|r| r.is_removal()) {
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
                severity: f.severity(),
                kind: f.kind.name(),
                place: place.join(", "),
                message: f.message(),
                acknowledged: f
                    .acknowledged
                    .as_ref()
                    .map(|a| format!("acknowledged by {}: {}", a.reviewer, a.reason)),
            }
        })
        .collect();
    // Most severe first; the original order within a severity.
    rows.sort_by_key(|r| std::cmp::Reverse(r.severity));
    rows
}

/// The step between the axis ticks: 1, 2 or 5 times a power of ten, at most five steps
/// to `max`.
fn tick_step(max: usize) -> usize {
    let mut unit = 1;
    loop {
        for m in [1, 2, 5] {
            if max.div_ceil(unit * m) <= 5 {
                return unit * m;
            }
        }
        unit *= 10;
    }
}

/// Bars of the chart: one per layer, packages introduced by that layer, stacked by
/// license category.
fn chart(report: &Report, categories: &BTreeMap<String, Category>) -> Chart {
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
        // By the category's name, as the legend lists them.
        let mut by: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &pkgs {
            *by.entry(category_of(categories, p)).or_default() += 1;
        }
        for (c, n) in by {
            stack.push((format!("cat-{c}"), c.to_string(), n));
        }
        stack.retain(|s| s.2 > 0);
        for (class, label, _) in &stack {
            add_legend(class, label);
        }
        stacks.push(stack);
    }
    let largest = stacks
        .iter()
        .map(|s| s.iter().map(|x| x.2).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let step = tick_step(largest);
    let max = largest.div_ceil(step) * step;
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
            size: human(l.size),
            total_x: x + 6,
            segments,
        });
    }
    let axis_y = 10 + report.layers.len() as u32 * ROW;
    Chart {
        width: LABEL + PLOT + 150,
        height: axis_y + 34,
        label_width: LABEL,
        axis_y,
        axis_end: LABEL + PLOT,
        ticks: (0..=max / step)
            .map(|i| Tick {
                x: LABEL + scale(i * step),
                label: i * step,
            })
            .collect(),
        bars,
        legend,
        by: "license category",
    }
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
    fn obligations_and_categories_are_rendered() {
        let bom = crate::pipeline::bom(
            demo(),
            crate::model::obligations::Delivery::Image,
            Some("0"),
        );
        let mut html = Vec::new();
        ReportHtml
            .write(&bom, &Options::default(), &mut html)
            .unwrap();
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("Include the license text"), "{html}");
        // GCC's runtime libraries are counted under their license with its exception.
        assert!(
            html.contains("GPL-3.0-or-later WITH GCC-exception-3.1"),
            "{html}"
        );
        assert!(html.contains("class=\"cat-permissive\""));
        assert!(!html.contains("Obligations were not computed"));
        let mut md = Vec::new();
        ReportMd.write(&bom, &Options::default(), &mut md).unwrap();
        let md = String::from_utf8(md).unwrap();
        assert!(md.contains("| What obligations come with shipping it? | **answered** |"));
    }

    #[test]
    fn axis_ticks_are_round() {
        assert_eq!(tick_step(1), 1);
        assert_eq!(tick_step(5), 1);
        assert_eq!(tick_step(7), 2);
        assert_eq!(tick_step(23), 5);
        assert_eq!(tick_step(120), 50);
        assert_eq!(tick_step(400), 100);
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
