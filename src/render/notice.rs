//! The NOTICE (attribution) file: every distributed package's copyright notices and the
//! texts of the licenses that apply to it, each distinct text once.
//!
//! The file is rendered from a minijinja template. The default, `templates/notice.txt.j2`,
//! is embedded; `--template FILE` replaces it. The template receives:
//!
//! - `image` (`source`, `name`, `config_digest`), `created`, `tool`,
//!   `delivery` (`mode`, `explanation`, `distributed_layers`);
//! - `components`: packages grouped when they share source, license and copyright lines,
//!   each with `packages` (`name`, `version`, `layer`, `origin`), `layers` (`"0 (base)"`),
//!   `source`, `license`, `copyright` (lines), `texts` (numbers into `texts`) and `missing`
//!   (license terms whose text is not known, with `id` and `hint`);
//! - `texts`: each distinct license or exception text once, with `number`, `ids`, `name`
//!   and `text`.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::Environment;
use serde::Serialize;

use super::{Options, Renderer};
use crate::model::obligations::{Delivery, Term};
use crate::model::{Bom, Package};

/// The default template.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../templates/notice.txt.j2");

#[derive(Debug, Serialize)]
struct Context {
    image: ImageCtx,
    created: String,
    tool: String,
    delivery: DeliveryCtx,
    components: Vec<Component>,
    texts: Vec<Text>,
}

#[derive(Debug, Serialize)]
struct ImageCtx {
    source: String,
    name: String,
    config_digest: Option<String>,
}

#[derive(Debug, Serialize)]
struct DeliveryCtx {
    mode: Delivery,
    explanation: &'static str,
    distributed_layers: Vec<usize>,
}

#[derive(Debug, Serialize)]
struct Component {
    packages: Vec<PackageCtx>,
    layers: Vec<String>,
    source: Option<String>,
    license: String,
    copyright: Vec<String>,
    texts: Vec<usize>,
    missing: Vec<Missing>,
}

#[derive(Debug, Clone, Serialize)]
struct PackageCtx {
    name: String,
    version: String,
    layer: usize,
    origin: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
struct Missing {
    id: String,
    hint: String,
}

#[derive(Debug, Serialize)]
struct Text {
    number: usize,
    ids: Vec<String>,
    name: String,
    text: String,
}

/// The identifier whose text a term needs (`+` dropped: the text is the version's).
fn text_ids(t: &Term) -> Vec<String> {
    let mut ids = vec![t.license.trim_end_matches('+').to_string()];
    ids.extend(t.exception.clone());
    ids
}

/// The full name and text of a license or exception id, from the SPDX list or from the
/// package's own copyright file.
fn lookup(id: &str, p: &Package, bom: &Bom) -> Option<(String, String)> {
    if let Some(l) = spdx::license_id(id) {
        // `X-or-later` grants the same license text as `X-only` (the SPDX list keeps two
        // renditions of it): print one.
        let text = id
            .strip_suffix("-or-later")
            .and_then(|stem| spdx::license_id(&format!("{stem}-only")))
            .unwrap_or(l)
            .text();
        let name = l
            .full_name
            .strip_suffix(" only")
            .or_else(|| l.full_name.strip_suffix(" or later"))
            .unwrap_or(l.full_name);
        return Some((name.to_string(), terms_only(text)));
    }
    if let Some(e) = spdx::exception_id(id) {
        return Some((format!("{} (exception)", e.name), terms_only(e.text())));
    }
    p.license
        .texts
        .get(id)
        .or_else(|| bom.license_texts.get(id))
        .map(|t| (id.to_string(), t.clone()))
}

/// A license text from the SPDX list as a NOTICE prints it: the terms, without the
/// template's placeholder lines (`Copyright (c) <year> <owner>`, `<copyright notice>`,
/// NCSA's `Developed by: <Name of Development Group>`: the packages' own copyright notices
/// are listed with them) and without what follows "END OF TERMS AND CONDITIONS" (the GNU
/// licenses' "How to Apply These Terms" appendix, a form for authors full of
/// `<name of author>` blanks).
fn terms_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let trimmed = line.trim();
        let (rest, blanks) = without_placeholders(trimmed);
        let label = rest.trim().is_empty() || rest.trim_end().ends_with(':');
        if blanks > 0 && (label || trimmed.to_ascii_lowercase().starts_with("copyright")) {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if trimmed == "END OF TERMS AND CONDITIONS" {
            break;
        }
    }
    out
}

/// `line` without its `<placeholder>`s (words and spaces between angle brackets; not
/// `<https://…>` or `<user@host>`), and how many there were.
fn without_placeholders(line: &str) -> (String, usize) {
    let mut rest = String::with_capacity(line.len());
    let mut count = 0;
    let mut tail = line;
    while let Some(open) = tail.find('<') {
        let after = &tail[open + 1..];
        let Some(close) = after.find('>') else { break };
        let inner = &after[..close];
        rest.push_str(&tail[..open]);
        if !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '/' | '\'' | '-' | '_'))
            && inner.chars().any(char::is_alphabetic)
        {
            count += 1;
        } else {
            rest.push_str(&tail[open..open + close + 2]);
        }
        tail = &after[close + 1..];
    }
    rest.push_str(tail);
    (rest, count)
}

fn context(bom: &Bom) -> Context {
    let report = &bom.report;
    let ob = &bom.obligations;
    // Distinct texts, keyed by content with runs of white space made one (the SPDX list
    // spells some copies of one text with different spacing); ids that share a text are
    // listed together, and the text is kept as first met.
    let mut by_text: BTreeMap<String, (Vec<String>, String, String)> = BTreeMap::new();
    // Packages grouped by (source, license, copyright lines, text contents, missing).
    type Key = (
        Option<String>,
        String,
        Vec<String>,
        Vec<String>,
        Vec<Missing>,
    );
    let mut groups: BTreeMap<Key, Vec<PackageCtx>> = BTreeMap::new();
    let by_identity: HashMap<(&str, &str, usize), &Package> = report
        .packages
        .iter()
        .map(|p| ((p.name.as_str(), p.version.as_str(), p.layer.index), p))
        .collect();
    for po in &ob.packages {
        let Some(p) = by_identity.get(&(po.name.as_str(), po.version.as_str(), po.layer)) else {
            continue;
        };
        let mut texts = Vec::new();
        let mut missing = Vec::new();
        for t in po.terms.iter() {
            for id in text_ids(t) {
                match lookup(&id, p, bom) {
                    Some((name, text)) => {
                        let key = text.split_whitespace().collect::<Vec<_>>().join(" ");
                        let entry = by_text
                            .entry(key.clone())
                            .or_insert_with(|| (Vec::new(), name, text));
                        if !entry.0.contains(&id) {
                            entry.0.push(id.clone());
                        }
                        if !texts.contains(&key) {
                            texts.push(key);
                        }
                    }
                    None => {
                        let hint = match p.license.concluded.evidence().first() {
                            Some(e) => format!("see /{} in the image", e.path),
                            None => match p.license.concluded.reason() {
                                Some(r) => format!("no license text known: {r}"),
                                None => "no license text known".into(),
                            },
                        };
                        let m = Missing { id, hint };
                        if !missing.contains(&m) {
                            missing.push(m);
                        }
                    }
                }
            }
        }
        let key = (
            po.source.clone(),
            po.license.clone(),
            p.copyright.clone(),
            texts,
            missing,
        );
        groups.entry(key).or_default().push(PackageCtx {
            name: po.name.clone(),
            version: po.version.clone(),
            layer: po.layer,
            origin: po.origin.as_str(),
        });
    }
    // Number the texts by their first id, so the order does not depend on their content.
    let mut texts: Vec<(Vec<String>, String, String, String)> = by_text
        .into_iter()
        .map(|(key, (mut ids, name, text))| {
            ids.sort();
            (ids, name, text, key)
        })
        .collect();
    texts.sort();
    let number = |key: &str| texts.iter().position(|t| t.3 == key).map(|i| i + 1);
    let mut components: Vec<Component> = groups
        .into_iter()
        .map(
            |((source, license, copyright, ts, missing), packages)| Component {
                layers: {
                    let mut l: Vec<(usize, &str)> =
                        packages.iter().map(|p| (p.layer, p.origin)).collect();
                    l.sort_unstable();
                    l.dedup();
                    l.into_iter().map(|(i, o)| format!("{i} ({o})")).collect()
                },
                texts: {
                    let mut n: Vec<usize> = ts.iter().filter_map(|t| number(t)).collect();
                    n.sort_unstable();
                    n
                },
                packages,
                source,
                license,
                copyright,
                missing,
            },
        )
        .collect();
    components.sort_by(|a, b| {
        let key = |c: &Component| {
            c.packages
                .first()
                .map(|p| (p.name.clone(), p.version.clone()))
        };
        key(a).cmp(&key(b))
    });
    Context {
        image: ImageCtx {
            source: report.image.source.clone(),
            name: report
                .image
                .repo_tags
                .first()
                .cloned()
                .unwrap_or_else(|| report.image.source.clone()),
            config_digest: report.image.config_digest.clone(),
        },
        created: bom.created.clone(),
        tool: format!("layerbom {}", bom.tool_version),
        delivery: DeliveryCtx {
            mode: ob.delivery.mode,
            explanation: ob.delivery.explanation,
            distributed_layers: ob.delivery.distributed_layers.clone(),
        },
        components,
        texts: texts
            .into_iter()
            .enumerate()
            .map(|(i, (ids, name, text, _))| Text {
                number: i + 1,
                ids,
                name,
                text,
            })
            .collect(),
    }
}

/// The minijinja environment of layerbom's templates: blocks trimmed, undefined names an
/// error.
pub(super) fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    if let Ok(syntax) = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env
}

/// Why the NOTICE file cannot be rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The template does not parse.
    #[error("{0:#}")]
    Syntax(#[source] minijinja::Error),
    /// The template parses but fails on the data (an undefined name, a bad filter).
    #[error("the template failed: {0:#}")]
    Render(#[source] minijinja::Error),
}

/// Checks that a template parses, so a broken `--template` is refused before the scan.
pub fn check_template(source: &str) -> Result<(), TemplateError> {
    let env = environment();
    env.template_from_str(source)
        .map(|_| ())
        .map_err(TemplateError::Syntax)
}

/// `-o notice`: the NOTICE file.
#[derive(Debug, Clone, Copy)]
pub struct Notice;

impl Renderer for Notice {
    fn name(&self) -> &'static str {
        "notice"
    }

    fn write(&self, bom: &Bom, options: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        let mut text = render(bom, options).map_err(std::io::Error::other)?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        out.write_all(text.as_bytes())
    }
}

/// Renders the NOTICE text of `bom` with the default template or the user's.
pub fn render(bom: &Bom, options: &Options) -> Result<String, TemplateError> {
    let env = environment();
    let source = options
        .notice_template
        .as_deref()
        .unwrap_or(DEFAULT_TEMPLATE);
    let tmpl = env
        .template_from_str(source)
        .map_err(TemplateError::Syntax)?;
    tmpl.render(Serde(context(bom)))
        .map_err(TemplateError::Render)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::{deb, report};
    use crate::model::{Origin, Report};

    fn sample() -> Report {
        let mut r = report(&[Origin::Base, Origin::Authored]);
        let mut a = deb(
            "libc6",
            "2.36-9",
            ("glibc", "2.36-9"),
            0,
            Origin::Base,
            "LGPL-2.1-or-later AND GPL-2.0-or-later",
        );
        a.copyright = vec!["Copyright 1991 Free Software Foundation".into()];
        let mut b = deb(
            "libc-bin",
            "2.36-9",
            ("glibc", "2.36-9"),
            0,
            Origin::Base,
            "LGPL-2.1-or-later AND GPL-2.0-or-later",
        );
        b.copyright = a.copyright.clone();
        let mut c = deb(
            "jq",
            "1.6-2",
            ("jq", "1.6-2"),
            1,
            Origin::Authored,
            "GPL-2.0-only AND LicenseRef-Debian-MIT AND LicenseRef-Other",
        );
        c.license.texts.insert(
            "LicenseRef-Debian-MIT".into(),
            "Permission is hereby granted (jq's variant)".into(),
        );
        c.license.concluded = crate::model::Concluded::expression(
            c.license.concluded.as_str(),
            vec![crate::model::Evidence {
                path: "usr/share/doc/jq/copyright".into(),
                layer: 1,
                method: "dep5".into(),
                confidence: 1.0,
                lines: Vec::new(),
                excluded: Vec::new(),
                reviewed: None,
            }],
        );
        r.packages = vec![a, b, c];
        r
    }

    fn bom(r: &Report, delivery: Delivery) -> Bom {
        crate::pipeline::bom(r.clone(), delivery, Some("1700000000"))
    }

    #[test]
    fn every_distinct_text_appears_once_and_shared_texts_list_every_id() {
        let r = sample();
        let out = render(&bom(&r, Delivery::Image), &Options::default()).unwrap();
        // GPL-2.0-only and GPL-2.0-or-later share one text.
        assert_eq!(
            out.matches("GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991")
                .count(),
            1,
            "{out}"
        );
        assert!(out.contains("GPL-2.0-only, GPL-2.0-or-later"), "{out}");
        assert!(out.contains("Permission is hereby granted (jq's variant)"));
        assert!(
            out.contains("Text not recorded for LicenseRef-Other: see /usr/share/doc/jq/copyright in the image"),
            "{out}"
        );
        assert_eq!(
            out.matches("Copyright 1991 Free Software Foundation")
                .count(),
            1,
            "grouped"
        );
        assert!(
            out.contains("Copyright notices:\n  Copyright jq authors\n"),
            "{out}"
        );
        assert!(out.contains("libc-bin 2.36-9, libc6 2.36-9"), "{out}");
    }

    #[test]
    fn spdx_texts_are_printed_without_template_placeholders() {
        for id in [
            "MIT",
            "BSD-3-Clause",
            "GPL-2.0-only",
            "LGPL-2.1-only",
            "GPL-3.0-only",
            "NCSA",
            "ISC",
        ] {
            let text = terms_only(spdx::license_id(id).unwrap().text());
            for placeholder in [
                "<year>",
                "<owner>",
                "<name of author>",
                "<copyright holders>",
                "<Name of Development Group>",
                "<copyright notice>",
            ] {
                assert!(!text.contains(placeholder), "{id}: {placeholder}");
            }
            assert!(text.len() > 500, "{id}");
        }
        let gpl = terms_only(spdx::license_id("GPL-2.0-only").unwrap().text());
        assert!(gpl.trim_end().ends_with("END OF TERMS AND CONDITIONS"));
        assert!(terms_only(spdx::license_id("MIT").unwrap().text())
            .contains("Permission is hereby granted"));
    }

    #[test]
    fn an_exception_text_follows_its_license_text() {
        let r = crate::model::testutil::gcc_runtime_report();
        let out = render(&bom(&r, Delivery::Image), &Options::default()).unwrap();
        assert!(
            out.contains("GPL-3.0-or-later WITH GCC-exception-3.1"),
            "{out}"
        );
        assert!(out.contains("(GCC-exception-3.1)"), "{out}");
        assert!(out.contains("GCC RUNTIME LIBRARY EXCEPTION"), "{out}");
        assert!(out.contains("Version 3.1, 31 March 2009"));
        assert!(out.contains("GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007"));
        assert!(!out.contains("Text not recorded"), "{out}");
    }

    #[test]
    fn undistributed_packages_are_left_out() {
        let r = sample();
        let out = render(&bom(&r, Delivery::Layers), &Options::default()).unwrap();
        assert!(!out.contains("libc6"));
        assert!(out.contains("jq 1.6-2"));
    }

    #[test]
    fn a_user_template_replaces_the_default_and_errors_are_reported() {
        let b = bom(&sample(), Delivery::Image);
        let mut o = Options {
            notice_template: Some(
                "{% for c in components %}{{ c.packages[0].name }};{% endfor %}{{ texts|length }}"
                    .into(),
            ),
            ..Options::default()
        };
        assert_eq!(render(&b, &o).unwrap(), "jq;libc-bin;3");
        o.notice_template = Some("{{ nothing.here }}".into());
        let e = render(&b, &o).unwrap_err();
        assert!(matches!(e, TemplateError::Render(_)), "{e:?}");
        assert!(e.to_string().starts_with("the template failed: "), "{e}");
        assert!(matches!(
            check_template("{% for %}"),
            Err(TemplateError::Syntax(_))
        ));
        assert!(check_template(DEFAULT_TEMPLATE).is_ok());
    }
}
