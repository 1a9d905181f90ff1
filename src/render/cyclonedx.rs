//! CycloneDX 1.7 JSON, and 1.6 and 1.5 for consumers that do not read 1.7 yet.
//!
//! How layers appear, so that a reader of the document alone can list what our own layers
//! added:
//!
//! - `metadata.component` is the image (`type: container`), with its config digest as a
//!   hash, for a registry image its OCI purl (`pkg:oci/NAME@MANIFEST-DIGEST?repository_url=…
//!   &tag=…`) with `layerbom:image:reference` and `layerbom:image:index_digest`, and one
//!   property per layer: `layerbom:layer:N:diff_id`,
//!   `layerbom:layer:N:origin` (`base`, `authored`, `unknown`) and
//!   `layerbom:layer:N:created_by`;
//! - every package has the properties `layerbom:layer` (the index of the layer that
//!   introduced it), `layerbom:layer:diff_id` and `layerbom:origin`, and (1.6 on) an
//!   `evidence.occurrences` entry naming the database file it was read from;
//! - dependency edges from the package databases are `dependencies`.
//!
//! A package's license is an SPDX expression with its `acknowledgement` (1.6 on): the one
//! we concluded, and in 1.7, whose `licenses` is a list that may hold several expressions,
//! also the one the package declared. 1.5 and 1.6 allow a single expression, so they carry
//! the concluded one, or the declared one when there is no conclusion.
//!
//! Written with serde values rather than the `cyclonedx-bom` crate, whose writer stops at
//! CycloneDX 1.5. Keys come out sorted, so the bytes depend only on the report.

use std::io::Write;

use serde_json::{json, Value};

use super::spdx::{image_hex, image_name};
use super::streamed::{Member, Streamed};
use super::{split_contact, Options, Renderer};
use crate::model::{Bom, Package};

/// The CycloneDX versions written, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    /// 1.5, for older consumers.
    V1_5,
    /// 1.6, for consumers that do not read 1.7 yet.
    V1_6,
    /// 1.7, the default.
    V1_7,
}

impl Version {
    /// The `specVersion`, as the document and its schema URLs spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1_5 => "1.5",
            Version::V1_6 => "1.6",
            Version::V1_7 => "1.7",
        }
    }

    /// Whether a license expression says if it is `declared` or `concluded`, and a
    /// component has `evidence.occurrences` (both new in 1.6).
    fn has_acknowledgement_and_occurrences(self) -> bool {
        self >= Version::V1_6
    }

    /// Whether `licenses` may hold more than one expression (1.7; before, an expression
    /// had to be alone).
    fn allows_several_expressions(self) -> bool {
        self >= Version::V1_7
    }
}

fn property(name: &str, value: impl Into<String>) -> Value {
    json!({"name": name, "value": value.into()})
}

/// A serial number (`urn:uuid:`, version 5 layout) derived from the image digest, so the
/// same image always gets the same one.
pub fn serial_number(hex: &str) -> String {
    let mut h: Vec<char> = hex.chars().filter(char::is_ascii_hexdigit).collect();
    while h.len() < 32 {
        h.push('0');
    }
    h[12] = '5';
    h[16] = match h[16].to_digit(16).unwrap_or(0) & 0x3 {
        0 => '8',
        1 => '9',
        2 => 'a',
        _ => 'b',
    };
    let s: String = h[..32].iter().collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &s[0..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..32]
    )
}

/// A supplier object from a maintainer or vendor string (`Name <email>`).
fn supplier(raw: &str) -> Value {
    match split_contact(raw) {
        (name, Some(email)) => json!({"name": name, "contact": [{"email": email}]}),
        (name, None) => json!({"name": name}),
    }
}

/// Builds the CycloneDX document.
pub fn document(bom: &Bom, version: Version) -> Value {
    streamed(bom, version).into_value()
}

/// The document, its components and dependencies made as they are written.
fn streamed(bom: &Bom, version: Version) -> Streamed<'_> {
    let r = &bom.report;
    let name = image_name(r);
    let hex = image_hex(r);
    let mut image = json!({
        "type": "container",
        "bom-ref": "image",
        "name": name,
    });
    if let Some(s) = &r.image.supplier {
        image["supplier"] = supplier(s);
    }
    if let Some(d) = &r.image.config_digest {
        image["version"] = Value::String(d.clone());
        if let Some(h) = d.strip_prefix("sha256:") {
            image["hashes"] = json!([{"alg": "SHA-256", "content": h}]);
        }
    }
    let mut props = vec![
        property("layerbom:base:method", r.base.method.clone()),
        property("layerbom:base:reason", r.base.reason.clone()),
    ];
    // A registry image: its purl (manifest digest, repository, tag), the reference in full
    // and the index it was chosen from.
    if let Some(reg) = &r.image.registry {
        image["purl"] = Value::String(reg.purl.clone());
        props.push(property("layerbom:image:reference", reg.reference.clone()));
        if let Some(d) = &reg.index_digest {
            props.push(property("layerbom:image:index_digest", d.clone()));
        }
    }
    if let Some(n) = r.base.layers {
        props.push(property("layerbom:base:layers", n.to_string()));
    }
    if let Some(n) = &r.base.name {
        props.push(property("layerbom:base:name", n.clone()));
    }
    for l in &r.layers {
        let p = format!("layerbom:layer:{}", l.index);
        if let Some(d) = &l.diff_id {
            props.push(property(&format!("{p}:diff_id"), d.clone()));
        }
        props.push(property(&format!("{p}:origin"), l.origin.as_str()));
        if let Some(s) = &l.supplier {
            props.push(property(&format!("{p}:supplier"), s.clone()));
        }
        if let Some(c) = &l.created_by {
            props.push(property(&format!("{p}:created_by"), c.clone()));
        }
    }
    image["properties"] = Value::Array(props);

    let os = r.image.os.as_ref().map(|os| {
        let mut c = json!({
            "type": "operating-system",
            "bom-ref": format!("os:{}", os.id),
            "name": os.id,
        });
        if let Some(v) = &os.version_id {
            c["version"] = Value::String(v.clone());
        }
        if let Some(n) = &os.name {
            c["description"] = Value::String(n.clone());
        }
        c
    });
    let components = os
        .into_iter()
        .chain(r.packages.iter().map(move |p| component(p, version)));
    let deps = std::iter::once(json!({
        "ref": "image",
        "dependsOn": r.packages.iter().map(|p| p.purl.clone()).collect::<Vec<_>>(),
    }))
    .chain(
        r.packages
            .iter()
            .map(|p| json!({"ref": p.purl, "dependsOn": p.depends_on})),
    );
    Streamed::new(vec![
        (
            "$schema",
            Member::One(Value::String(format!(
                "http://cyclonedx.org/schema/bom-{}.schema.json",
                version.as_str()
            ))),
        ),
        ("bomFormat", Member::One("CycloneDX".into())),
        ("specVersion", Member::One(version.as_str().into())),
        (
            "serialNumber",
            Member::One(Value::String(serial_number(&hex))),
        ),
        ("version", Member::One(1.into())),
        (
            "metadata",
            Member::One(json!({
                "timestamp": bom.created,
                "tools": {"components": [{"type": "application", "name": "layerbom", "version": bom.tool_version}]},
                "component": image,
            })),
        ),
        ("components", Member::many(components)),
        ("dependencies", Member::many(deps)),
    ])
}

/// The component of package `p`.
fn component(p: &Package, version: Version) -> Value {
    let mut c = json!({
        "type": "library",
        "bom-ref": p.purl,
        "name": p.name,
        "version": p.version,
        "purl": p.purl,
        "properties": [
            property("layerbom:layer", p.layer.index.to_string()),
            property("layerbom:layer:diff_id", p.layer.diff_id.clone().unwrap_or_default()),
            property("layerbom:origin", p.origin.as_str()),
            property("layerbom:package:type", p.kind.clone()),
        ],
    });
    if let Some(s) = &p.supplier {
        c["supplier"] = supplier(s);
    }
    if let (Some(reviewed), Some(props)) = (
        p.license.concluded.reviewed(),
        c["properties"].as_array_mut(),
    ) {
        props.push(property("layerbom:license:reviewed", reviewed));
    }
    let concluded = Some(p.license.concluded.as_str())
        .filter(|e| *e != "NOASSERTION")
        .map(|e| (e, "concluded"));
    let declared = p.license.declared_spdx.as_deref().map(|e| (e, "declared"));
    let take = if version.allows_several_expressions() {
        2
    } else {
        1
    };
    let licenses: Vec<Value> = concluded
        .into_iter()
        .chain(declared)
        .take(take)
        .map(|(e, ack)| {
            let mut lic = json!({"expression": e});
            if version.has_acknowledgement_and_occurrences() {
                lic["acknowledgement"] = Value::String(ack.into());
            }
            lic
        })
        .collect();
    if !licenses.is_empty() {
        c["licenses"] = Value::Array(licenses);
    }
    if !p.copyright.is_empty() {
        c["copyright"] = Value::String(p.copyright.join("\n"));
    }
    if let Some(h) = p.homepage.as_deref().filter(|h| h.starts_with("http")) {
        c["externalReferences"] = json!([{"type": "website", "url": h}]);
    }
    if version.has_acknowledgement_and_occurrences() {
        c["evidence"] = json!({"occurrences": [{"location": format!("/{}", p.found_in.path)}]});
    }
    c
}

/// `-o cyclonedx-json` (1.7), `-o cyclonedx-json@1.6` and `-o cyclonedx-json@1.5`.
#[derive(Debug, Clone, Copy)]
pub struct CycloneDxJson(pub Version);

impl Renderer for CycloneDxJson {
    fn name(&self) -> &'static str {
        match self.0 {
            Version::V1_7 => "cyclonedx-json",
            Version::V1_6 => "cyclonedx-json@1.6",
            Version::V1_5 => "cyclonedx-json@1.5",
        }
    }

    fn write(&self, bom: &Bom, _: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        write_json(bom, self.0, out)
    }
}

/// Writes the CycloneDX JSON document.
pub fn write_json(bom: &Bom, version: Version, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &streamed(bom, version))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_expressions_are_expressions_not_ids() {
        let bom = crate::pipeline::bom(
            crate::model::testutil::gcc_runtime_report(),
            crate::model::obligations::Delivery::Image,
            Some("0"),
        );
        for version in [Version::V1_5, Version::V1_6, Version::V1_7] {
            let doc = document(&bom, version);
            let c = doc["components"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == "libstdc++6")
                .unwrap();
            for l in c["licenses"].as_array().unwrap() {
                assert_eq!(l["expression"], "GPL-3.0-or-later WITH GCC-exception-3.1");
                assert!(l.get("license").is_none());
            }
        }
    }

    /// The licenses of a package concluded and declared alike, in `version`, as
    /// `(expression, acknowledgement)`.
    fn licenses_of_libstdcxx(version: Version) -> Vec<(String, Option<String>)> {
        let bom = crate::pipeline::bom(
            crate::model::testutil::gcc_runtime_report(),
            crate::model::obligations::Delivery::Image,
            Some("0"),
        );
        let doc = document(&bom, version);
        let c = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "libstdc++6")
            .unwrap()
            .clone();
        c["licenses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["expression"].as_str().unwrap().to_string(),
                    l["acknowledgement"].as_str().map(str::to_string),
                )
            })
            .collect()
    }

    #[test]
    fn in_1_7_the_concluded_and_the_declared_expression_are_both_listed() {
        let e = "GPL-3.0-or-later WITH GCC-exception-3.1".to_string();
        assert_eq!(
            licenses_of_libstdcxx(Version::V1_7),
            [
                (e.clone(), Some("concluded".into())),
                (e, Some("declared".into()))
            ]
        );
    }

    #[test]
    fn before_1_7_one_expression_stands_alone_and_1_5_has_no_acknowledgement() {
        let e = "GPL-3.0-or-later WITH GCC-exception-3.1".to_string();
        assert_eq!(
            licenses_of_libstdcxx(Version::V1_6),
            [(e.clone(), Some("concluded".into()))]
        );
        assert_eq!(licenses_of_libstdcxx(Version::V1_5), [(e, None)]);
    }

    #[test]
    fn serial_numbers_are_valid_uuids_from_the_digest() {
        let s = serial_number("509c0032070bfa42c5c990085982f552be4270681f7fd1462c9eb4160fce862a");
        assert_eq!(s, "urn:uuid:509c0032-070b-5a42-85c9-90085982f552");
        assert_eq!(
            serial_number("ab"),
            "urn:uuid:ab000000-0000-5000-8000-000000000000"
        );
    }
}
