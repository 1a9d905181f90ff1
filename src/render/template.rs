//! `-o template`: any document a user writes as a minijinja template over the model
//! (`--output-template FILE`), as syft's `-o template -t FILE` does with Go templates.
//!
//! The template receives the documents layerbom itself writes, as data:
//!
//! - `report`: the native JSON (`layerbom/v1`: `image`, `base`, `layers`, `packages`,
//!   `removed_packages`, `license_files`, `findings`), field for field as `-o json` writes
//!   it;
//! - `obligations`: the obligations of the delivery mode (`layerbom-obligations/v1`:
//!   `delivery`, `summary`, `duties`, `packages`, `sources`, `files`, `not_distributed`,
//!   `hidden`, `other_duties`), as `-o obligations-json` writes them;
//! - `checklist`: the approval checklist, each with `question`, `status` and `answer`;
//! - `license_texts`: the full texts of the `LicenseRef-` ids, keyed by id;
//! - `created` (the documents' timestamp) and `tool` (`layerbom VERSION`).
//!
//! Undefined names are errors, as in the NOTICE template, so a misspelt field is said rather
//! than written as nothing.

use std::collections::BTreeMap;
use std::io::Write;

use minijinja::value::Serde;
use serde::Serialize;

use super::notice::{environment, TemplateError};
use super::{Options, Renderer};
use crate::model::obligations::Obligations;
use crate::model::{Answer, Bom, Report};

#[derive(Serialize)]
struct Context<'a> {
    report: &'a Report,
    obligations: &'a Obligations,
    checklist: &'a [Answer],
    license_texts: &'a BTreeMap<String, String>,
    created: &'a str,
    tool: String,
}

/// `-o template`.
#[derive(Debug, Clone, Copy)]
pub struct Template;

impl Renderer for Template {
    fn name(&self) -> &'static str {
        "template"
    }

    fn write(&self, bom: &Bom, options: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        let source = options.output_template.as_deref().ok_or_else(|| {
            std::io::Error::other("-o template needs --output-template FILE, the template")
        })?;
        let text = render(bom, source).map_err(std::io::Error::other)?;
        out.write_all(text.as_bytes())
    }
}

/// Renders `source` over `bom`.
pub fn render(bom: &Bom, source: &str) -> Result<String, TemplateError> {
    let env = environment();
    let template = env
        .template_from_str(source)
        .map_err(TemplateError::Syntax)?;
    let context = Context {
        report: &bom.report,
        obligations: &bom.obligations,
        checklist: &bom.checklist,
        license_texts: &bom.license_texts,
        created: &bom.created,
        tool: format!("layerbom {}", bom.tool_version),
    };
    template
        .render(Serde(context))
        .map_err(TemplateError::Render)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::obligations::Delivery;
    use crate::model::testutil::{deb, report};
    use crate::model::Origin;

    fn bom() -> Bom {
        let mut r = report(&[Origin::Base, Origin::Authored]);
        r.packages.push(deb(
            "jq",
            "1.6-2",
            ("jq", "1.6-2"),
            1,
            Origin::Authored,
            "MIT",
        ));
        crate::pipeline::bom(r, Delivery::Image, Some("0"))
    }

    #[test]
    fn a_template_reads_the_report_and_the_obligations() {
        let text = render(
            &bom(),
            "{% for p in report.packages %}{{ p.name }} {{ p.version }} {{ p.origin }} \
             {{ p.license.concluded }}\n{% endfor %}{{ obligations.delivery.mode }} \
             {{ obligations.summary.distributed_packages }} {{ created }}",
        )
        .unwrap();
        assert_eq!(text, "jq 1.6-2 authored MIT\nimage 1 1970-01-01T00:00:00Z");
    }

    #[test]
    fn a_misspelt_name_is_an_error_not_an_empty_string() {
        let e = render(&bom(), "{{ report.pakages }}").unwrap_err();
        assert!(matches!(e, TemplateError::Render(_)), "{e}");
        let e = render(&bom(), "{% for %}").unwrap_err();
        assert!(matches!(e, TemplateError::Syntax(_)), "{e}");
    }
}
