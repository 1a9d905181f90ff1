//! CycloneDX 1.7 XML, and 1.6 and 1.5 for consumers that do not read 1.7 yet.
//!
//! Written from the same document as the JSON form ([`super::cyclonedx::document`]), in the
//! element order the CycloneDX XSD requires, with every text and attribute escaped.

use std::io::Write;

use serde_json::Value;

use super::cyclonedx::{document, Version};
use super::{Options, Renderer};
use crate::model::Bom;

/// Escapes text for XML content and attributes. Characters XML 1.0 cannot carry at all
/// (most control characters) are dropped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// `<tag>text</tag>` when the value is a string.
fn leaf(out: &mut String, indent: &str, tag: &str, v: &Value) {
    if let Some(s) = v.as_str() {
        out.push_str(&format!("{indent}<{tag}>{}</{tag}>\n", esc(s)));
    }
}

fn properties(out: &mut String, indent: &str, v: &Value) {
    let Some(list) = v.as_array().filter(|l| !l.is_empty()) else {
        return;
    };
    out.push_str(&format!("{indent}<properties>\n"));
    for p in list {
        out.push_str(&format!(
            "{indent}  <property name=\"{}\">{}</property>\n",
            esc(str_of(&p["name"])),
            esc(str_of(&p["value"]))
        ));
    }
    out.push_str(&format!("{indent}</properties>\n"));
}

fn component(out: &mut String, indent: &str, c: &Value) {
    let mut attrs = format!("type=\"{}\"", esc(str_of(&c["type"])));
    if let Some(r) = c["bom-ref"].as_str() {
        attrs.push_str(&format!(" bom-ref=\"{}\"", esc(r)));
    }
    out.push_str(&format!("{indent}<component {attrs}>\n"));
    let inner = format!("{indent}  ");
    if c["supplier"].is_object() {
        out.push_str(&format!("{inner}<supplier>\n"));
        leaf(out, &format!("{inner}  "), "name", &c["supplier"]["name"]);
        for contact in c["supplier"]["contact"].as_array().into_iter().flatten() {
            out.push_str(&format!("{inner}  <contact>\n"));
            leaf(out, &format!("{inner}    "), "email", &contact["email"]);
            out.push_str(&format!("{inner}  </contact>\n"));
        }
        out.push_str(&format!("{inner}</supplier>\n"));
    }
    leaf(out, &inner, "name", &c["name"]);
    leaf(out, &inner, "version", &c["version"]);
    leaf(out, &inner, "description", &c["description"]);
    if let Some(hashes) = c["hashes"].as_array() {
        out.push_str(&format!("{inner}<hashes>\n"));
        for h in hashes {
            out.push_str(&format!(
                "{inner}  <hash alg=\"{}\">{}</hash>\n",
                esc(str_of(&h["alg"])),
                esc(str_of(&h["content"]))
            ));
        }
        out.push_str(&format!("{inner}</hashes>\n"));
    }
    if let Some(licenses) = c["licenses"].as_array().filter(|l| !l.is_empty()) {
        out.push_str(&format!("{inner}<licenses>\n"));
        for l in licenses {
            let ack = l["acknowledgement"]
                .as_str()
                .map(|a| format!(" acknowledgement=\"{}\"", esc(a)))
                .unwrap_or_default();
            out.push_str(&format!(
                "{inner}  <expression{ack}>{}</expression>\n",
                esc(str_of(&l["expression"]))
            ));
        }
        out.push_str(&format!("{inner}</licenses>\n"));
    }
    leaf(out, &inner, "copyright", &c["copyright"]);
    leaf(out, &inner, "purl", &c["purl"]);
    if let Some(refs) = c["externalReferences"].as_array() {
        out.push_str(&format!("{inner}<externalReferences>\n"));
        for r in refs {
            out.push_str(&format!(
                "{inner}  <reference type=\"{}\">\n{inner}    <url>{}</url>\n{inner}  </reference>\n",
                esc(str_of(&r["type"])),
                esc(str_of(&r["url"]))
            ));
        }
        out.push_str(&format!("{inner}</externalReferences>\n"));
    }
    properties(out, &inner, &c["properties"]);
    if let Some(occ) = c["evidence"]["occurrences"].as_array() {
        out.push_str(&format!("{inner}<evidence>\n{inner}  <occurrences>\n"));
        for o in occ {
            out.push_str(&format!(
                "{inner}    <occurrence>\n{inner}      <location>{}</location>\n{inner}    </occurrence>\n",
                esc(str_of(&o["location"]))
            ));
        }
        out.push_str(&format!("{inner}  </occurrences>\n{inner}</evidence>\n"));
    }
    out.push_str(&format!("{indent}</component>\n"));
}

/// `-o cyclonedx-xml` (1.7), `-o cyclonedx-xml@1.6` and `-o cyclonedx-xml@1.5`.
#[derive(Debug, Clone, Copy)]
pub struct CycloneDxXml(pub Version);

impl Renderer for CycloneDxXml {
    fn name(&self) -> &'static str {
        match self.0 {
            Version::V1_7 => "cyclonedx-xml",
            Version::V1_6 => "cyclonedx-xml@1.6",
            Version::V1_5 => "cyclonedx-xml@1.5",
        }
    }

    fn write(&self, bom: &Bom, _: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        write(bom, self.0, out)
    }
}

/// Writes the CycloneDX XML document.
pub fn write(bom: &Bom, version: Version, out: &mut dyn Write) -> std::io::Result<()> {
    let doc = document(bom, version);
    let spec = str_of(&doc["specVersion"]);
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<bom xmlns=\"http://cyclonedx.org/schema/bom/{spec}\" serialNumber=\"{}\" version=\"1\">\n",
        esc(str_of(&doc["serialNumber"]))
    ));
    let m = &doc["metadata"];
    x.push_str("  <metadata>\n");
    leaf(&mut x, "    ", "timestamp", &m["timestamp"]);
    x.push_str("    <tools>\n      <components>\n");
    for t in m["tools"]["components"].as_array().into_iter().flatten() {
        component(&mut x, "        ", t);
    }
    x.push_str("      </components>\n    </tools>\n");
    component(&mut x, "    ", &m["component"]);
    x.push_str("  </metadata>\n");
    x.push_str("  <components>\n");
    for c in doc["components"].as_array().into_iter().flatten() {
        component(&mut x, "    ", c);
    }
    x.push_str("  </components>\n");
    x.push_str("  <dependencies>\n");
    for d in doc["dependencies"].as_array().into_iter().flatten() {
        let deps = d["dependsOn"].as_array().cloned().unwrap_or_default();
        if deps.is_empty() {
            x.push_str(&format!(
                "    <dependency ref=\"{}\"/>\n",
                esc(str_of(&d["ref"]))
            ));
        } else {
            x.push_str(&format!(
                "    <dependency ref=\"{}\">\n",
                esc(str_of(&d["ref"]))
            ));
            for t in deps {
                x.push_str(&format!(
                    "      <dependency ref=\"{}\"/>\n",
                    esc(str_of(&t))
                ));
            }
            x.push_str("    </dependency>\n");
        }
    }
    x.push_str("  </dependencies>\n</bom>\n");
    out.write_all(x.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_expressions_are_expression_elements() {
        let bom = crate::pipeline::bom(
            crate::model::testutil::gcc_runtime_report(),
            crate::model::obligations::Delivery::Image,
            Some("0"),
        );
        let mut out = Vec::new();
        write(&bom, Version::V1_6, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("<expression acknowledgement=\"concluded\">GPL-3.0-or-later WITH GCC-exception-3.1</expression>"),
            "{out}"
        );
    }

    #[test]
    fn in_1_7_several_expressions_share_one_licenses_element() {
        let bom = crate::pipeline::bom(
            crate::model::testutil::gcc_runtime_report(),
            crate::model::obligations::Delivery::Image,
            Some("0"),
        );
        let mut out = Vec::new();
        write(&bom, Version::V1_7, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("xmlns=\"http://cyclonedx.org/schema/bom/1.7\""));
        let e = "GPL-3.0-or-later WITH GCC-exception-3.1";
        assert!(
            out.contains(&format!(
                "<licenses>\n        <expression acknowledgement=\"concluded\">{e}</expression>\n        <expression acknowledgement=\"declared\">{e}</expression>\n      </licenses>"
            )),
            "{out}"
        );
    }

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(esc("a<b>&\"c'\u{1}\n"), "a&lt;b&gt;&amp;&quot;c&apos;\n");
    }
}
