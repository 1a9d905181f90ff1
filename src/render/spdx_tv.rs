//! SPDX 2.3 tag-value.
//!
//! Written from the same document as the JSON form ([`super::spdx::document`]), so the two
//! always say the same thing: creation info, then each package with its annotations, then
//! relationships and extracted licenses. Multi-line values are wrapped in `<text>` tags.

use std::io::Write;

use serde_json::Value;

use super::spdx::document;
use super::{Options, Renderer};
use crate::model::Bom;

/// A single-line value as it is, or a `<text>` block when it spans lines.
fn text(v: &str) -> String {
    if v.contains('\n') {
        format!("<text>{}</text>", v.replace("</text>", "&lt;/text>"))
    } else {
        v.to_string()
    }
}

fn field(out: &mut dyn Write, tag: &str, v: Option<&Value>) -> std::io::Result<()> {
    match v {
        Some(Value::String(s)) => writeln!(out, "{tag}: {}", text(s)),
        Some(Value::Bool(b)) => writeln!(out, "{tag}: {b}"),
        Some(Value::Number(n)) => writeln!(out, "{tag}: {n}"),
        _ => Ok(()),
    }
}

fn annotations(out: &mut dyn Write, id: &str, list: Option<&Value>) -> std::io::Result<()> {
    for a in list.and_then(Value::as_array).into_iter().flatten() {
        field(out, "Annotator", a.get("annotator"))?;
        field(out, "AnnotationDate", a.get("annotationDate"))?;
        field(out, "AnnotationType", a.get("annotationType"))?;
        writeln!(out, "SPDXREF: {id}")?;
        writeln!(
            out,
            "AnnotationComment: <text>{}</text>",
            a["comment"].as_str().unwrap_or_default()
        )?;
    }
    Ok(())
}

/// Writes the SPDX 2.3 tag-value document.
/// `-o spdx-tag-value`: SPDX 2.3, tag-value.
#[derive(Debug, Clone, Copy)]
pub struct SpdxTagValue;

impl Renderer for SpdxTagValue {
    fn name(&self) -> &'static str {
        "spdx-tag-value"
    }

    fn write(&self, bom: &Bom, _: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        write(bom, out)
    }
}

/// Writes the SPDX 2.3 tag-value document.
pub fn write(bom: &Bom, out: &mut dyn Write) -> std::io::Result<()> {
    let doc = document(bom);
    field(out, "SPDXVersion", doc.get("spdxVersion"))?;
    field(out, "DataLicense", doc.get("dataLicense"))?;
    field(out, "SPDXID", doc.get("SPDXID"))?;
    field(out, "DocumentName", doc.get("name"))?;
    field(out, "DocumentNamespace", doc.get("documentNamespace"))?;
    for c in doc["creationInfo"]["creators"]
        .as_array()
        .into_iter()
        .flatten()
    {
        field(out, "Creator", Some(c))?;
    }
    field(out, "Created", doc["creationInfo"].get("created"))?;
    for p in doc["packages"].as_array().into_iter().flatten() {
        writeln!(out)?;
        writeln!(out, "##### Package")?;
        field(out, "PackageName", p.get("name"))?;
        field(out, "SPDXID", p.get("SPDXID"))?;
        field(out, "PackageVersion", p.get("versionInfo"))?;
        field(out, "PackageSupplier", p.get("supplier"))?;
        field(out, "PackageDownloadLocation", p.get("downloadLocation"))?;
        field(out, "FilesAnalyzed", p.get("filesAnalyzed"))?;
        for c in p["checksums"].as_array().into_iter().flatten() {
            writeln!(
                out,
                "PackageChecksum: {}: {}",
                c["algorithm"].as_str().unwrap_or_default(),
                c["checksumValue"].as_str().unwrap_or_default()
            )?;
        }
        field(out, "PackageHomePage", p.get("homepage"))?;
        field(out, "PackageSourceInfo", p.get("sourceInfo"))?;
        field(out, "PackageLicenseConcluded", p.get("licenseConcluded"))?;
        field(out, "PackageLicenseDeclared", p.get("licenseDeclared"))?;
        if let Some(c) = p.get("licenseComments").and_then(Value::as_str) {
            writeln!(out, "PackageLicenseComments: <text>{c}</text>")?;
        }
        if let Some(c) = p.get("copyrightText").and_then(Value::as_str) {
            if c == "NOASSERTION" {
                writeln!(out, "PackageCopyrightText: NOASSERTION")?;
            } else {
                writeln!(
                    out,
                    "PackageCopyrightText: <text>{}</text>",
                    c.replace("</text>", "&lt;/text>")
                )?;
            }
        }
        if let Some(c) = p.get("comment").and_then(Value::as_str) {
            writeln!(out, "PackageComment: <text>{c}</text>")?;
        }
        field(out, "PrimaryPackagePurpose", p.get("primaryPackagePurpose"))?;
        for e in p["externalRefs"].as_array().into_iter().flatten() {
            writeln!(
                out,
                "ExternalRef: {} {} {}",
                e["referenceCategory"].as_str().unwrap_or_default(),
                e["referenceType"].as_str().unwrap_or_default(),
                e["referenceLocator"].as_str().unwrap_or_default()
            )?;
        }
        annotations(
            out,
            p["SPDXID"].as_str().unwrap_or_default(),
            p.get("annotations"),
        )?;
    }
    writeln!(out)?;
    for rel in doc["relationships"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "Relationship: {} {} {}",
            rel["spdxElementId"].as_str().unwrap_or_default(),
            rel["relationshipType"].as_str().unwrap_or_default(),
            rel["relatedSpdxElement"].as_str().unwrap_or_default()
        )?;
    }
    for l in doc["hasExtractedLicensingInfos"]
        .as_array()
        .into_iter()
        .flatten()
    {
        writeln!(out)?;
        field(out, "LicenseID", l.get("licenseId"))?;
        writeln!(
            out,
            "ExtractedText: <text>{}</text>",
            l["extractedText"].as_str().unwrap_or_default()
        )?;
        field(out, "LicenseName", l.get("name"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_expressions_are_written_as_they_are() {
        let mut out = Vec::new();
        write(
            &crate::pipeline::bom(
                crate::model::testutil::gcc_runtime_report(),
                crate::model::obligations::Delivery::Image,
                Some("0"),
            ),
            &mut out,
        )
        .unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("PackageLicenseConcluded: GPL-3.0-or-later WITH GCC-exception-3.1\n"),
            "{out}"
        );
        assert!(out.contains("PackageLicenseDeclared: GPL-3.0-or-later WITH GCC-exception-3.1\n"));
        assert!(!out.contains("LicenseID:"));
    }

    #[test]
    fn multi_line_values_are_text_blocks() {
        assert_eq!(text("MIT"), "MIT");
        assert_eq!(text("a\nb"), "<text>a\nb</text>");
        assert_eq!(text("x</text>\n"), "<text>x&lt;/text>\n</text>");
    }
}
