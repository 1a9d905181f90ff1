//! The obligations as Markdown, for the people who sign off a release: what to do first,
//! then the source packages to offer with how to get each, then the detail behind it.

use std::fmt::Write as _;
use std::io::Write;

use super::{Options, Renderer};
use crate::model::obligations::{Category, Choice, Glossary, Obligations, PackageObligation, Term};
use crate::model::{plural, Bom, Origin};

/// Escapes text from the image for a Markdown paragraph or table cell.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Text from the image as inline code, or escaped text when it holds a backquote.
pub fn code(s: &str) -> String {
    if s.contains('`') || s.contains(['\n', '\r']) || s.is_empty() {
        md(s)
    } else {
        format!("`{}`", s.replace('|', "\\|"))
    }
}

fn list(layers: &[usize]) -> String {
    if layers.is_empty() {
        "none".into()
    } else {
        layers
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn title(ob: &Obligations) -> String {
    ob.image
        .repo_tags
        .first()
        .cloned()
        .unwrap_or_else(|| ob.image.source.clone())
}

fn header(ob: &Obligations, bom: &Bom, s: &mut String) {
    let _ = writeln!(s, "# Distribution obligations: {}\n", md(&title(ob)));
    let _ = writeln!(
        s,
        "What the licenses of the software in this image ask of whoever distributes it, \
         for the delivery mode below. Worked out by layerbom from the package databases, \
         the packages' copyright files and the rules in `license-db/obligations.json`; a \
         basis for a legal review, not a substitute for one.\n"
    );
    let _ = writeln!(s, "- **Image:** {}", code(&ob.image.source));
    if let Some(d) = &ob.image.config_digest {
        let _ = writeln!(s, "- **Config digest:** {}", code(d));
    }
    let _ = writeln!(
        s,
        "- **Delivery:** `{}`. {}",
        ob.delivery.mode,
        ob.delivery.explanation.replace('`', "")
    );
    let _ = writeln!(
        s,
        "- **Layers distributed by us:** {}; not distributed by us: {}.",
        list(&ob.delivery.distributed_layers),
        list(&ob.delivery.not_distributed_layers)
    );
    let _ = writeln!(
        s,
        "- **Written:** {} by layerbom {}.\n",
        bom.created, bom.tool_version
    );
}

fn summary(ob: &Obligations, g: &Glossary, s: &mut String) {
    let _ = writeln!(s, "## Summary\n");
    let sm = &ob.summary;
    let _ = writeln!(
        s,
        "- **{}** distributed by us; {} in layers we do not distribute.",
        plural(sm.distributed_packages, "package is", "packages are"),
        sm.not_distributed_packages
    );
    let _ = writeln!(
        s,
        "- **{}** owe a source offer, from **{}** (see [Source to offer](#source-to-offer)).",
        plural(sm.packages_with_source_duty, "package", "packages"),
        plural(sm.source_packages, "source package", "source packages")
    );
    let cats: Vec<String> = sm
        .by_category
        .iter()
        .rev()
        .filter(|(c, _)| **c != Category::Unknown)
        .map(|(c, n)| format!("{n} {}", g.category(*c).title.to_lowercase()))
        .chain(
            sm.by_category
                .get(&Category::Unknown)
                .map(|n| format!("{n} with no identified license")),
        )
        .collect();
    if !cats.is_empty() {
        let _ = writeln!(
            s,
            "- By the heaviest identified license of each package: {}.",
            cats.join(", ")
        );
    }
    let unknown = sm.packages_with_unknown_terms;
    if unknown > 0 {
        let _ = writeln!(
            s,
            "- **{}** a license that could not be identified exactly (see [Licenses to review](#licenses-to-review)).",
            plural(unknown, "package has", "packages have")
        );
    }
    let choices: usize = ob.packages.iter().map(|p| p.choices.len()).sum();
    if choices > 0 {
        let _ = writeln!(
            s,
            "- **{}** between licenses made on your behalf (see [Choices between licenses](#choices-between-licenses)).",
            plural(choices, "choice", "choices")
        );
    }
    let _ = writeln!(s);
}

fn todo(ob: &Obligations, g: &Glossary, s: &mut String) {
    let _ = writeln!(s, "## What to do\n");
    if ob.duties.is_empty() && ob.other_duties.is_empty() {
        let _ = writeln!(
            s,
            "Nothing: no distributed package carries a license that asks anything of a distributor.\n"
        );
        return;
    }
    let mut n = 0;
    if ob.summary.packages_with_source_duty > 0 {
        n += 1;
        let _ = writeln!(
            s,
            "{n}. **Make source code available** for {}, built from {} (see [Source to offer](#source-to-offer)). What the licenses ask, heaviest first:",
            plural(ob.summary.packages_with_source_duty, "package", "packages"),
            plural(ob.summary.source_packages, "source package", "source packages"),
        );
        for d in ob.duties.iter().rev().filter(|d| d.source) {
            let _ = writeln!(
                s,
                "    - *{}* ({}): {}",
                d.title,
                plural(d.packages, "package", "packages"),
                d.text
            );
        }
    }
    for d in ob.duties.iter().filter(|d| !d.source) {
        n += 1;
        let extra = match d.id.as_str() {
            "license-text" | "copyright-notices" => {
                " The NOTICE file that `layerbom scan IMAGE -o notice=NOTICE` writes collects them."
            }
            _ => "",
        };
        let _ = writeln!(
            s,
            "{n}. **{}** for {}. {}{extra}",
            d.title,
            plural(d.packages, "package", "packages"),
            d.text
        );
    }
    for id in &ob.other_duties {
        if let Some(d) = g.duty(id) {
            n += 1;
            let _ = writeln!(s, "{n}. **{}**. {}", d.title, d.text);
        }
    }
    let _ = writeln!(s);
}

fn sources(ob: &Obligations, g: &Glossary, s: &mut String) {
    let _ = writeln!(s, "## Source to offer\n");
    if ob.sources.is_empty() {
        let _ = writeln!(
            s,
            "No distributed package carries a license that asks for its source.\n"
        );
        return;
    }
    let _ = writeln!(
        s,
        "Each source package below is the exact source the distributed binaries were built from. \
         Offer it with the image (or by written offer, as the license allows) for as long as \
         the license requires."
    );
    let first_note = ob.sources.first().map(|e| e.obtain.note.as_str());
    let one_note = ob
        .sources
        .iter()
        .all(|e| Some(e.obtain.note.as_str()) == first_note);
    match first_note {
        Some(note) if one_note => {
            let _ = writeln!(s, "Where to get them: {}.\n", md(note));
        }
        _ => {
            let _ = writeln!(s);
        }
    }
    if let Some(b) = &ob.bundle {
        let _ = writeln!(
            s,
            "**Source bundle** {}: {} verified by the distribution's signature, {} present \
             but not verified so, {} incomplete, {} missing.\n",
            code(&b.path),
            b.verified,
            b.present,
            b.incomplete,
            b.missing
        );
    }
    let _ = writeln!(
        s,
        "| Source package | Version | Binary packages | Layers |\n|---|---|---|---|"
    );
    for e in &ob.sources {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            md(&e.name),
            e.version.as_deref().map(md).unwrap_or_default(),
            e.packages
                .iter()
                .map(|p| md(&p.name))
                .collect::<Vec<_>>()
                .join(", "),
            list(&e.layers)
        );
    }
    let _ = writeln!(s);
    for e in &ob.sources {
        let version = e.version.as_deref().map(md).unwrap_or_default();
        let _ = writeln!(s, "### {} {}\n", md(&e.name), version);
        if let Some(c) = &e.obtain.command {
            let _ = writeln!(s, "- **Get it:** {}", code(c));
        }
        if let Some(u) = &e.obtain.url {
            let _ = writeln!(s, "- **Archive:** <{}>", u.replace(['<', '>', ' '], ""));
        }
        if let Some(f) = &e.obtain.file {
            let _ = writeln!(s, "- **Source file:** {}", code(f));
        }
        let duties: Vec<String> = e
            .duties
            .iter()
            .rev()
            .map(|d| g.duty(d).map_or(d.clone(), |x| x.title.to_lowercase()))
            .collect();
        let _ = writeln!(s, "- **Why:** {}", duties.join("; "));
        if !one_note {
            let _ = writeln!(s, "- **Note:** {}", md(&e.obtain.note));
        }
        if let Some(b) = &e.bundle {
            let folder = b
                .folder
                .as_deref()
                .map(|f| format!(" ({}, {} files)", code(f), b.files))
                .unwrap_or_default();
            let _ = writeln!(s, "- **In the bundle:** {}{folder}", b.held.as_str());
            for p in &b.problems {
                let _ = writeln!(s, "  - {}", md(p));
            }
        }
        let _ = writeln!(s);
        layer_table(
            s,
            "Binary package",
            e.packages.iter().map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.layer,
                    p.origin,
                    p.license.as_str(),
                )
            }),
        );
    }
}

/// A table of packages with their version, layer and license, then a blank line.
fn layer_table<'a>(
    s: &mut String,
    first: &str,
    rows: impl Iterator<Item = (&'a str, &'a str, usize, Origin, &'a str)>,
) {
    let _ = writeln!(
        s,
        "| {first} | Version | Layer | License |\n|---|---|---|---|"
    );
    for (name, version, layer, origin, license) in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {layer} ({}) | {} |",
            md(name),
            md(version),
            origin.as_str(),
            md(license)
        );
    }
    let _ = writeln!(s);
}

/// Short duty labels for a table cell.
fn duty_labels(duties: &[String], g: &Glossary) -> String {
    if duties.is_empty() {
        return "none".into();
    }
    duties
        .iter()
        .map(|d| g.duty(d).map_or(d.clone(), |x| x.short.clone()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A package's category for a table cell: the heaviest identified, and whether some term
/// is not identified.
fn category_label(category: Category, categories: &[Category], g: &Glossary) -> String {
    let title = g.category(category).title.clone();
    if category != Category::Unknown && categories.contains(&Category::Unknown) {
        format!("{title}; part not identified")
    } else {
        title
    }
}

fn packages(ob: &Obligations, g: &Glossary, s: &mut String) {
    let _ = writeln!(s, "## Distributed packages\n");
    if ob.packages.is_empty() {
        let _ = writeln!(s, "None.\n");
        return;
    }
    let _ = writeln!(
        s,
        "| Package | Version | Layer | License | Category | Duties |\n|---|---|---|---|---|---|"
    );
    for p in &ob.packages {
        let _ = writeln!(
            s,
            "| {} | {} | {} ({}) | {} | {} | {} |",
            md(&p.name),
            md(&p.version),
            p.layer,
            p.origin.as_str(),
            md(&p.license),
            category_label(p.category, &p.categories, g),
            duty_labels(&p.duties, g)
        );
    }
    let _ = writeln!(s);
}

fn choices(ob: &Obligations, s: &mut String) {
    let rows: Vec<(&str, &Choice)> = ob
        .packages
        .iter()
        .flat_map(|p| p.choices.iter().map(move |c| (p.name.as_str(), c)))
        .collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Choices between licenses\n");
    let _ = writeln!(
        s,
        "Where a package may be used under one license *or* another, the branch asking the least \
         was picked. A reviewer may pick another; its duties then apply instead.\n"
    );
    let _ = writeln!(s, "| Package | Offered | Picked | Why |\n|---|---|---|---|");
    for (name, c) in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            md(name),
            c.offered
                .iter()
                .map(|o| md(o))
                .collect::<Vec<_>>()
                .join(" *or* "),
            md(&c.picked),
            md(&c.reason)
        );
    }
    let _ = writeln!(s);
}

fn review(ob: &Obligations, s: &mut String) {
    let rows: Vec<(&PackageObligation, Vec<&Term>)> = ob
        .packages
        .iter()
        .map(|p| {
            let unknown = p
                .terms
                .iter()
                .filter(|t| t.category == Category::Unknown && !t.grant_only)
                .collect::<Vec<_>>();
            (p, unknown)
        })
        .filter(|(_, u)| !u.is_empty())
        .collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Licenses to review\n");
    let _ = writeln!(
        s,
        "These license terms could not be identified exactly, so what they ask is not known. \
         Read the package's copyright file and decide before distributing.\n"
    );
    let _ = writeln!(
        s,
        "| Package | Version | Terms not identified | Why | Where to read it |\n|---|---|---|---|---|"
    );
    for (p, terms) in rows {
        let mut why: Vec<&str> = Vec::new();
        for t in &terms {
            if !why.contains(&t.basis.as_str()) {
                why.push(&t.basis);
            }
        }
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            md(&p.name),
            md(&p.version),
            terms
                .iter()
                .map(|t| md(&t.expression()))
                .collect::<Vec<_>>()
                .join(", "),
            md(&why.join("; ")),
            if p.license_evidence.is_empty() {
                "no file".to_string()
            } else {
                p.license_evidence
                    .iter()
                    .map(|e| code(e))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
    }
    let _ = writeln!(s);
}

fn others(ob: &Obligations, g: &Glossary, s: &mut String) {
    if !ob.files.is_empty() {
        let _ = writeln!(s, "## License files outside packages\n");
        let _ = writeln!(
            s,
            "| Path | Layer | License | Category | Duties |\n|---|---|---|---|---|"
        );
        for f in &ob.files {
            let _ = writeln!(
                s,
                "| {} | {} ({}) | {} | {} | {} |",
                code(&format!("/{}", f.path)),
                f.layer,
                f.origin.as_str(),
                md(&f.license),
                g.category(f.category).title,
                duty_labels(&f.duties, g)
            );
        }
        let _ = writeln!(s);
    }
    if !ob.hidden.is_empty() {
        let _ = writeln!(
            s,
            "## Shipped in lower layers, gone from the final filesystem\n"
        );
        let _ = writeln!(
            s,
            "A layer is shipped whole: files that a later layer deletes or replaces are still in \
             it. These package versions are therefore distributed too; their licenses are those of \
             the versions listed above unless they changed.\n"
        );
        let _ = writeln!(s, "| Package | Version | What happened |\n|---|---|---|");
        for h in &ob.hidden {
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                md(&h.name),
                md(&h.version),
                md(&h.reason)
            );
        }
        let _ = writeln!(s);
    }
    if !ob.not_distributed.is_empty() {
        let _ = writeln!(s, "## Not distributed by us\n");
        let _ = writeln!(
            s,
            "These packages are in layers that this delivery mode does not distribute (the base \
             image's layers are served by their own publisher). Their obligations are the \
             publisher's.\n"
        );
        layer_table(
            s,
            "Package",
            ob.not_distributed.iter().map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.layer,
                    p.origin,
                    p.license.as_str(),
                )
            }),
        );
    }
}

fn glossary(ob: &Obligations, g: &Glossary, s: &mut String) {
    let _ = writeln!(s, "## Categories\n");
    let mut used: Vec<Category> = ob
        .packages
        .iter()
        .flat_map(|p| p.categories.iter().copied())
        .chain(ob.files.iter().map(|f| f.category))
        .collect();
    used.sort();
    used.dedup();
    if used.is_empty() {
        let _ = writeln!(s, "No distributed package, so no category applies.\n");
        return;
    }
    for c in used {
        let d = g.category(c);
        let _ = writeln!(s, "- **{}** (`{}`): {}", d.title, d.id, d.text);
    }
    let _ = writeln!(s);
}

/// `-o obligations-md`: the obligations for the people who sign off.
#[derive(Debug, Clone, Copy)]
pub struct ObligationsMd;

impl Renderer for ObligationsMd {
    fn name(&self) -> &'static str {
        "obligations-md"
    }

    fn write(&self, bom: &Bom, _: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        super::Escaping::new(out).write_all(render(bom).as_bytes())
    }
}

/// Renders the obligations of the delivery mode `bom` was evaluated for, as Markdown.
pub fn render(bom: &Bom) -> String {
    let ob = &bom.obligations;
    let g = &bom.glossary;
    let mut s = String::new();
    header(ob, bom, &mut s);
    summary(ob, g, &mut s);
    todo(ob, g, &mut s);
    sources(ob, g, &mut s);
    choices(ob, &mut s);
    review(ob, &mut s);
    packages(ob, g, &mut s);
    others(ob, g, &mut s);
    glossary(ob, g, &mut s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_the_image_cannot_break_a_table() {
        assert_eq!(md("a|b*c\nd"), "a\\|b\\*c d");
        assert_eq!(md("<script>"), "\\<script\\>");
        assert_eq!(code("1.0-1"), "`1.0-1`");
        assert_eq!(code("a`b"), "a\\`b");
        assert_eq!(code("a|b"), "`a\\|b`");
    }
}
