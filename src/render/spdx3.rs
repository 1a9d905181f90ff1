//! SPDX 3.0.1 JSON-LD (`-o spdx3-json`): the Core, Software and SimpleLicensing profiles.
//!
//! The document says what the SPDX 2.3 document says (see [`super::spdx`]), in SPDX 3's
//! terms, so a reader of it alone can tell which packages our own layers added:
//!
//! - one `CreationInfo` (a blank node, `_:creationinfo`) that every element points to:
//!   `specVersion` 3.0.1, `created` as the 2.3 document takes it (`SOURCE_DATE_EPOCH`,
//!   else the image's creation time), `createdBy` a `SoftwareAgent` and `createdUsing` a
//!   `Tool`, both `layerbom-VERSION`;
//! - the `SpdxDocument` has the image as its `rootElement` and lists every element;
//! - the image is a `software_Package` with `software_primaryPurpose: container`, its config
//!   digest as `software_packageVersion` and a `sha256` `Hash`, and its OCI purl as
//!   `software_packageUrl`;
//! - each layer is a `software_Package` named `layer N (base|authored|unknown)`, versioned
//!   by its diff_id, with `Annotation`s `layerbom:origin=…` and `layerbom:index=N`; the
//!   image `contains` its layers;
//! - each OS package is a `software_Package` (version, purl, supplier, copyright, homepage,
//!   source) that its introducing layer `contains`, with `Annotation`s `layerbom:layer=N`
//!   and `layerbom:origin=…`; database dependency edges are `dependsOn` relationships;
//! - licenses are `hasConcludedLicense` and `hasDeclaredLicense` relationships to one
//!   `simplelicensing_LicenseExpression` per distinct expression; each `LicenseRef-` in an
//!   expression is mapped by `simplelicensing_customIdToUri` to a
//!   `simplelicensing_SimpleLicensingText` that carries its text. A license that cannot be
//!   asserted points at SPDX's `NoAssertionLicense` individual, and the relationship's
//!   `comment` says why (the 2.3 document's `licenseComments`).
//!
//! Every IRI is the 2.3 document's namespace (`https://spdx.org/spdxdocs/layerbom/NAME-HEX`)
//! with a fragment made of the 2.3 element id, so ids are stable and derived from content.
//! The graph is written in a fixed order (document, image, layers, packages, licenses,
//! relationships, annotations) and keys come out sorted, so the bytes depend only on the
//! report.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use serde_json::{json, Map, Value};

use super::spdx::{
    id_part, image_comment, image_hex, image_name, local_oci_purl, package_id, short_hash,
};
use super::{split_contact, strip_party, Options, Renderer};
use crate::model::{Bom, Concluded, LayerInfo, Package, Report};

/// The JSON-LD context of SPDX 3.0.1.
pub const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";

/// The id of the one `CreationInfo` (a blank node).
const CREATION_INFO: &str = "_:creationinfo";

/// SPDX's individual for a license about which nothing is asserted.
const NO_ASSERTION_LICENSE: &str = "expandedlicensing_NoAssertionLicense";

/// Builds elements with IRIs under one namespace.
struct Graph {
    ns: String,
    elements: Vec<Value>,
    relationships: Vec<Value>,
    annotations: Vec<Value>,
}

impl Graph {
    /// The IRI of the element whose 2.3 id is `local`.
    fn iri(&self, local: &str) -> String {
        format!("{}#{local}", self.ns)
    }

    /// An element of `kind` named by `local`, with the shared creation info.
    fn element(&self, kind: &str, local: &str) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("type".into(), kind.into());
        m.insert("spdxId".into(), self.iri(local).into());
        m.insert("creationInfo".into(), CREATION_INFO.into());
        m
    }

    /// A relationship `from` (a local id) `kind` `to` (IRIs); its id is `FROM-KIND`, as
    /// each element has at most one relationship of a kind.
    fn relate(&mut self, from: &str, kind: &str, to: Vec<String>, comment: Option<String>) {
        if to.is_empty() {
            return;
        }
        let mut r = self.element("Relationship", &format!("{from}-{kind}"));
        r.insert("from".into(), self.iri(from).into());
        r.insert("relationshipType".into(), kind.into());
        r.insert("to".into(), to.into());
        if let Some(c) = comment {
            r.insert("comment".into(), c.into());
        }
        self.relationships.push(Value::Object(r));
    }

    /// An annotation `key=value` on the element `subject` (a local id).
    fn annotate(&mut self, subject: &str, key: &str, value: impl std::fmt::Display) {
        let mut a = self.element("Annotation", &format!("{subject}-annotation-{key}"));
        a.insert("annotationType".into(), "other".into());
        a.insert("subject".into(), self.iri(subject).into());
        a.insert("statement".into(), format!("layerbom:{key}={value}").into());
        self.annotations.push(Value::Object(a));
    }
}

/// The `LicenseRef-` ids an expression uses, in order of first use.
fn license_refs(expr: &str) -> BTreeSet<&str> {
    expr.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| w.starts_with("LicenseRef-"))
        .collect()
}

/// The local id of the text of `LicenseRef-…` `id`.
fn text_id(id: &str) -> String {
    format!("SPDXRef-LicenseText-{}", id_part(id))
}

/// The local id of the expression `expr`.
fn expression_id(expr: &str) -> String {
    format!("SPDXRef-License-{}", short_hash(expr))
}

/// Builds the SPDX 3.0.1 document.
pub fn document(bom: &Bom) -> Value {
    let r = &bom.report;
    let name = image_name(r);
    let mut g = Graph {
        ns: format!(
            "https://spdx.org/spdxdocs/layerbom/{}-{}",
            id_part(&name),
            image_hex(r)
        ),
        elements: Vec::new(),
        relationships: Vec::new(),
        annotations: Vec::new(),
    };
    let creator = format!("layerbom-{}", bom.tool_version);
    let mut agent = g.element("SoftwareAgent", "SPDXRef-Agent-layerbom");
    agent.insert("name".into(), creator.clone().into());
    let mut tool = g.element("Tool", "SPDXRef-Tool-layerbom");
    tool.insert("name".into(), creator.into());
    let creation_info = json!({
        "type": "CreationInfo",
        "@id": CREATION_INFO,
        "specVersion": "3.0.1",
        "created": bom.created,
        "createdBy": [g.iri("SPDXRef-Agent-layerbom")],
        "createdUsing": [g.iri("SPDXRef-Tool-layerbom")],
    });
    g.elements.push(Value::Object(agent));
    g.elements.push(Value::Object(tool));

    // Suppliers: one Organization or Person per distinct name, by first use.
    let mut suppliers: BTreeMap<String, Value> = BTreeMap::new();
    let mut supplied_by = |g: &Graph, raw: Option<&str>| -> Option<String> {
        let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
        let kind = if strip_party(raw).0 {
            "Person"
        } else {
            "Organization"
        };
        let (who, email) = split_contact(raw);
        if who.is_empty() {
            return None;
        }
        let local = format!("SPDXRef-{kind}-{}-{}", id_part(who), short_hash(raw));
        let iri = g.iri(&local);
        suppliers.entry(local.clone()).or_insert_with(|| {
            let mut s = g.element(kind, &local);
            s.insert("name".into(), who.into());
            if let Some(e) = email {
                s.insert(
                    "externalIdentifier".into(),
                    json!([{"type": "ExternalIdentifier", "externalIdentifierType": "email", "identifier": e}]),
                );
            }
            Value::Object(s)
        });
        Some(iri)
    };

    let image = image_package(&g, r, &name, supplied_by(&g, r.image.supplier.as_deref()));
    g.elements.push(image);
    for l in &r.layers {
        let supplier = supplied_by(&g, l.supplier.as_deref());
        let layer = layer_package(&mut g, l, supplier);
        g.elements.push(layer);
    }
    let mut expressions: BTreeSet<&str> = BTreeSet::new();
    for p in &r.packages {
        let supplier = supplied_by(&g, p.supplier.as_deref());
        let pkg = package(&mut g, p, supplier);
        g.elements.push(pkg);
        expressions.extend(p.license.concluded.expression_str());
        expressions.extend(p.license.declared_spdx.as_deref());
    }
    g.elements.extend(suppliers.into_values());
    license_elements(&mut g, bom, &expressions);

    // Relationships: the image contains its layers, each layer the packages it introduced.
    g.relate(
        "SPDXRef-Image",
        "contains",
        r.layers
            .iter()
            .map(|l| g.iri(&format!("SPDXRef-Layer-{}", l.index)))
            .collect(),
        None,
    );
    for l in &r.layers {
        let to = r
            .packages
            .iter()
            .filter(|p| p.layer.index == l.index)
            .map(|p| g.iri(&package_id(p)))
            .collect();
        g.relate(&format!("SPDXRef-Layer-{}", l.index), "contains", to, None);
    }
    let by_purl: BTreeMap<&str, String> = r
        .packages
        .iter()
        .map(|p| (p.purl.as_str(), package_id(p)))
        .collect();
    for p in &r.packages {
        let to = p
            .depends_on
            .iter()
            .filter_map(|d| by_purl.get(d.as_str()))
            .map(|id| g.iri(id))
            .collect();
        g.relate(&package_id(p), "dependsOn", to, None);
    }
    for p in &r.packages {
        license_relationships(&mut g, p);
    }

    let mut document = g.element("SpdxDocument", "SPDXRef-DOCUMENT");
    document.insert("name".into(), name.into());
    document.insert(
        "profileConformance".into(),
        json!(["core", "software", "simpleLicensing"]),
    );
    document.insert(
        "dataLicense".into(),
        g.iri(&expression_id("CC0-1.0")).into(),
    );
    document.insert("rootElement".into(), json!([g.iri("SPDXRef-Image")]));
    let members: Vec<Value> = g
        .elements
        .iter()
        .chain(&g.relationships)
        .chain(&g.annotations)
        .filter_map(|e| e.get("spdxId").cloned())
        .collect();
    document.insert("element".into(), Value::Array(members));

    let graph: Vec<Value> = [creation_info, Value::Object(document)]
        .into_iter()
        .chain(g.elements)
        .chain(g.relationships)
        .chain(g.annotations)
        .collect();
    json!({"@context": CONTEXT, "@graph": graph})
}

/// The package that stands for the image.
fn image_package(g: &Graph, r: &Report, name: &str, supplier: Option<String>) -> Value {
    let mut image = g.element("software_Package", "SPDXRef-Image");
    image.insert("name".into(), name.into());
    image.insert("software_primaryPurpose".into(), "container".into());
    if let Some(s) = supplier {
        image.insert("suppliedBy".into(), s.into());
    }
    // The version is the config digest; a rootfs has none, and then its tar's digest.
    let version = r
        .image
        .config_digest
        .as_ref()
        .or_else(|| r.layers.first().and_then(|l| l.diff_id.as_ref()));
    if let Some(v) = version {
        image.insert("software_packageVersion".into(), v.clone().into());
    }
    if let Some(h) = r
        .image
        .config_digest
        .as_deref()
        .and_then(|d| d.strip_prefix("sha256:"))
    {
        image.insert("verifiedUsing".into(), hash(h));
        image.insert("software_packageUrl".into(), local_oci_purl(name, h).into());
    }
    // A registry image is named by its manifest digest, where it was pulled from and the tag.
    if let Some(reg) = &r.image.registry {
        image.insert("software_packageUrl".into(), reg.purl.clone().into());
    }
    image.insert("comment".into(), image_comment(r).into());
    Value::Object(image)
}

/// A `verifiedUsing` value: one SHA-256 of hex `h`.
fn hash(h: &str) -> Value {
    json!([{"type": "Hash", "algorithm": "sha256", "hashValue": h}])
}

/// The package that stands for layer `l`.
fn layer_package(g: &mut Graph, l: &LayerInfo, supplier: Option<String>) -> Value {
    let local = format!("SPDXRef-Layer-{}", l.index);
    let mut layer = g.element("software_Package", &local);
    layer.insert(
        "name".into(),
        format!("layer {} ({})", l.index, l.origin.as_str()).into(),
    );
    if let Some(s) = supplier {
        layer.insert("suppliedBy".into(), s.into());
    }
    if let Some(d) = &l.diff_id {
        layer.insert("software_packageVersion".into(), d.clone().into());
    }
    if let Some(h) = l.diff_id.as_deref().and_then(|d| d.strip_prefix("sha256:")) {
        layer.insert("verifiedUsing".into(), hash(h));
    }
    if let Some(c) = &l.created_by {
        layer.insert("comment".into(), format!("created_by: {c}").into());
    }
    g.annotate(&local, "origin", l.origin.as_str());
    g.annotate(&local, "index", l.index);
    Value::Object(layer)
}

/// The package of `p`.
fn package(g: &mut Graph, p: &Package, supplier: Option<String>) -> Value {
    let local = package_id(p);
    let mut pkg = g.element("software_Package", &local);
    pkg.insert("name".into(), p.name.clone().into());
    pkg.insert("software_packageVersion".into(), p.version.clone().into());
    pkg.insert("software_packageUrl".into(), p.purl.clone().into());
    if let Some(s) = supplier {
        pkg.insert("suppliedBy".into(), s.into());
    }
    if !p.copyright.is_empty() {
        pkg.insert(
            "software_copyrightText".into(),
            p.copyright.join("\n").into(),
        );
    }
    if let Some(s) = &p.source {
        let info = match &s.version {
            Some(v) => format!("built from source package {} {v}", s.name),
            None => format!("built from source package {}", s.name),
        };
        pkg.insert("software_sourceInfo".into(), info.into());
    }
    if let Some(h) = p.homepage.as_deref().filter(|h| h.starts_with("http")) {
        pkg.insert("software_homePage".into(), h.into());
    }
    g.annotate(&local, "layer", p.layer.index);
    g.annotate(&local, "origin", p.origin.as_str());
    Value::Object(pkg)
}

/// One `LicenseExpression` per distinct expression (and CC0-1.0, the data license), and one
/// `SimpleLicensingText` per `LicenseRef-` they use.
fn license_elements(g: &mut Graph, bom: &Bom, expressions: &BTreeSet<&str>) {
    let mut refs = BTreeSet::new();
    for expr in expressions.iter().copied().chain(["CC0-1.0"]) {
        let local = expression_id(expr);
        if g.elements.iter().any(|e| e["spdxId"] == g.iri(&local)) {
            continue;
        }
        let mut e = g.element("simplelicensing_LicenseExpression", &local);
        e.insert("simplelicensing_licenseExpression".into(), expr.into());
        let used = license_refs(expr);
        if !used.is_empty() {
            let map: Vec<Value> = used
                .iter()
                .map(|id| json!({"type": "DictionaryEntry", "key": id, "value": g.iri(&text_id(id))}))
                .collect();
            e.insert("simplelicensing_customIdToUri".into(), map.into());
        }
        refs.extend(used);
        g.elements.push(Value::Object(e));
    }
    for id in refs {
        let mut t = g.element("simplelicensing_SimpleLicensingText", &text_id(id));
        t.insert("name".into(), id.trim_start_matches("LicenseRef-").into());
        let text = bom.license_texts.get(id).cloned().unwrap_or_else(|| {
            format!("{id}: a license named by the package's own metadata; its text is in the package's license files")
        });
        t.insert("simplelicensing_licenseText".into(), text.into());
        g.elements.push(Value::Object(t));
    }
}

/// The concluded and declared licenses of `p`, each with its reason when there is one.
fn license_relationships(g: &mut Graph, p: &Package) {
    let local = package_id(p);
    let concluded = match &p.license.concluded {
        Concluded::Expression { expression, .. } => g.iri(&expression_id(expression)),
        Concluded::NoAssertion { .. } => NO_ASSERTION_LICENSE.into(),
    };
    let reason = p
        .license
        .concluded
        .reason()
        .map(str::to_string)
        .or_else(|| p.license.concluded.reviewed());
    g.relate(&local, "hasConcludedLicense", vec![concluded], reason);
    let declared = p
        .license
        .declared_spdx
        .as_deref()
        .map_or_else(|| NO_ASSERTION_LICENSE.into(), |e| g.iri(&expression_id(e)));
    let raw = p
        .license
        .declared
        .as_ref()
        .map(|raw| format!("declared by the package database as: {raw}"));
    g.relate(&local, "hasDeclaredLicense", vec![declared], raw);
}

/// `-o spdx3-json`: SPDX 3.0.1, JSON-LD.
#[derive(Debug, Clone, Copy)]
pub struct Spdx3Json;

impl Renderer for Spdx3Json {
    fn name(&self) -> &'static str {
        "spdx3-json"
    }

    fn write(&self, bom: &Bom, _: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &document(bom))?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gcc_doc() -> Value {
        document(&crate::pipeline::bom(
            crate::model::testutil::gcc_runtime_report(),
            crate::model::obligations::Delivery::Image,
            Some("0"),
        ))
    }

    fn graph(doc: &Value) -> &Vec<Value> {
        doc["@graph"].as_array().unwrap()
    }

    #[test]
    fn the_document_is_spdx_3_0_1_json_ld() {
        let doc = gcc_doc();
        assert_eq!(doc["@context"], CONTEXT);
        let info = &graph(&doc)[0];
        assert_eq!(info["type"], "CreationInfo");
        assert_eq!(info["specVersion"], "3.0.1");
        assert_eq!(info["created"], "1970-01-01T00:00:00Z");
        let sd = &graph(&doc)[1];
        assert_eq!(sd["type"], "SpdxDocument");
        assert_eq!(sd["rootElement"][0], graph(&doc)[4]["spdxId"]);
        assert_eq!(graph(&doc)[4]["software_primaryPurpose"], "container");
    }

    #[test]
    fn every_element_is_listed_once_and_ids_are_unique() {
        let doc = gcc_doc();
        let ids: Vec<&Value> = graph(&doc).iter().filter_map(|e| e.get("spdxId")).collect();
        let unique: BTreeSet<String> = ids.iter().map(|v| v.to_string()).collect();
        assert_eq!(unique.len(), ids.len());
        // Every element but the document itself is its member.
        assert_eq!(
            graph(&doc)[1]["element"].as_array().unwrap().len(),
            ids.len() - 1
        );
    }

    #[test]
    fn licenses_are_relationships_to_shared_expressions() {
        let doc = gcc_doc();
        let g = graph(&doc);
        let p = g.iter().find(|e| e["name"] == "libstdc++6").unwrap();
        for kind in ["hasConcludedLicense", "hasDeclaredLicense"] {
            let rel = g
                .iter()
                .find(|e| e["from"] == p["spdxId"] && e["relationshipType"] == kind)
                .unwrap();
            let expr = g.iter().find(|e| e["spdxId"] == rel["to"][0]).unwrap();
            assert_eq!(
                expr["simplelicensing_licenseExpression"],
                "GPL-3.0-or-later WITH GCC-exception-3.1",
                "{kind}"
            );
        }
    }

    #[test]
    fn license_refs_map_to_their_texts() {
        let refs = license_refs("(MIT OR LicenseRef-public-domain) AND LicenseRef-x");
        assert_eq!(
            refs.into_iter().collect::<Vec<_>>(),
            ["LicenseRef-public-domain", "LicenseRef-x"]
        );
        assert_eq!(
            text_id("LicenseRef-a+b"),
            "SPDXRef-LicenseText-LicenseRef-a-b"
        );
    }
}
