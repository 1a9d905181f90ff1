//! SPDX 2.3 JSON.
//!
//! How the image is laid out in the document, so that a reader of the document alone can
//! tell which packages our own layers added:
//!
//! - the image is the described package (`primaryPackagePurpose: CONTAINER`), with its
//!   config digest as a checksum and an OCI purl (for a registry image the purl of its
//!   manifest digest, repository and tag);
//! - each layer is a package named `layer N (base|authored|unknown)`, whose version is its
//!   diff_id, with an annotation `layerbom:origin=…` and `layerbom:created_by=…`; the image
//!   `CONTAINS` each layer;
//! - each OS package is a package that its introducing layer `CONTAINS`, with an annotation
//!   `layerbom:layer=N` and `layerbom:origin=…`;
//! - dependency edges from the package databases are `DEPENDS_ON` relationships;
//! - every `LicenseRef-` used is declared in `hasExtractedLicensingInfos`.
//!
//! The document is written with hand-made serde values rather than `spdx-rs`: that crate's
//! model stops at SPDX 2.2 fields (no `primaryPackagePurpose`) and its last release is from
//! 2022. Keys come out sorted (serde_json's map), so the bytes depend only on the report.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use serde_json::{json, Value};

use super::streamed::{Member, Streamed};
use super::{split_contact, strip_party, Options, Renderer};
use crate::model::{Bom, LayerInfo, Package, Report};

/// Characters allowed in an SPDX element id after `SPDXRef-`.
pub(crate) fn id_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A short stable hash (FNV-1a) to keep ids unique without making them long.
pub(crate) fn short_hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", h >> 32)
}

/// The SPDX id of a package.
pub fn package_id(p: &Package) -> String {
    format!(
        "SPDXRef-Package-{}-{}-{}",
        p.kind,
        id_part(&p.name),
        short_hash(&p.purl)
    )
}

/// An SPDX supplier value from a maintainer or vendor string (`Name <email>`).
fn supplier(raw: Option<&str>) -> String {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return "NOASSERTION".into();
    };
    let party = if strip_party(raw).0 {
        "Person"
    } else {
        "Organization"
    };
    match split_contact(raw) {
        ("", _) => "NOASSERTION".into(),
        (name, Some(email)) => format!("{party}: {name} ({email})"),
        (name, None) => format!("{party}: {name}"),
    }
}

/// The `LicenseRef-` ids an expression uses.
fn license_refs(expr: &str, out: &mut BTreeSet<String>) {
    for word in expr.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        if word.starts_with("LicenseRef-") {
            out.insert(word.to_string());
        }
    }
}

fn annotation(bom: &Bom, comment: String) -> Value {
    json!({
        "annotationDate": bom.created,
        "annotationType": "OTHER",
        "annotator": format!("Tool: layerbom-{}", bom.tool_version),
        "comment": comment,
    })
}

/// The name of the image in documents: its first tag, or the input's name.
pub fn image_name(r: &Report) -> String {
    r.image.repo_tags.first().cloned().unwrap_or_else(|| {
        std::path::Path::new(&r.image.source)
            .file_name()
            .map_or_else(
                || r.image.source.clone(),
                |n| n.to_string_lossy().into_owned(),
            )
    })
}

/// The hex of the digest that identifies the image (config, else first diff_id).
pub fn image_hex(r: &Report) -> String {
    r.image
        .config_digest
        .as_deref()
        .or_else(|| r.layers.first().and_then(|l| l.diff_id.as_deref()))
        .map(|d| d.split_once(':').map_or(d, |(_, h)| h).to_string())
        .unwrap_or_else(|| short_hash(&r.image.source))
}

/// Builds the SPDX 2.3 document.
pub fn document(bom: &Bom) -> Value {
    Streamed::new(members(bom)).into_value()
}

/// The members of the document, its packages and relationships made as they are written.
fn members(bom: &Bom) -> Vec<(&'static str, Member<'_>)> {
    let r = &bom.report;
    let name = image_name(r);
    let hex = image_hex(r);
    let packages = std::iter::once(image_package(r, &name))
        .chain(r.layers.iter().map(|l| layer_package(bom, l)))
        .chain(r.packages.iter().map(|p| package(bom, p)));
    let contains = |parent: String, child: String| {
        json!({
            "spdxElementId": parent,
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": child,
        })
    };
    let by_purl: BTreeMap<&str, String> = r
        .packages
        .iter()
        .map(|p| (p.purl.as_str(), package_id(p)))
        .collect();
    let depends = r.packages.iter().flat_map(move |p| {
        let targets: Vec<Value> = p
            .depends_on
            .iter()
            .filter_map(|d| by_purl.get(d.as_str()))
            .map(|target| {
                json!({
                    "spdxElementId": package_id(p),
                    "relationshipType": "DEPENDS_ON",
                    "relatedSpdxElement": target,
                })
            })
            .collect();
        targets
    });
    let relationships = std::iter::once(json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": "SPDXRef-Image",
    }))
    .chain(
        r.layers
            .iter()
            .map(move |l| contains("SPDXRef-Image".into(), format!("SPDXRef-Layer-{}", l.index))),
    )
    .chain(
        r.packages
            .iter()
            .map(move |p| contains(format!("SPDXRef-Layer-{}", p.layer.index), package_id(p))),
    )
    .chain(depends);
    let mut members = vec![
        ("spdxVersion", Member::One("SPDX-2.3".into())),
        ("dataLicense", Member::One("CC0-1.0".into())),
        ("SPDXID", Member::One("SPDXRef-DOCUMENT".into())),
        (
            "documentNamespace",
            Member::One(Value::String(format!(
                "https://spdx.org/spdxdocs/layerbom/{}-{hex}",
                id_part(&name)
            ))),
        ),
        (
            "creationInfo",
            Member::One(
                json!({"created": bom.created, "creators": [format!("Tool: layerbom-{}", bom.tool_version)]}),
            ),
        ),
        ("name", Member::One(Value::String(name))),
        ("packages", Member::many(packages)),
        ("relationships", Member::many(relationships)),
    ];
    let mut refs = BTreeSet::new();
    for p in &r.packages {
        license_refs(p.license.concluded.as_str(), &mut refs);
        if let Some(declared) = &p.license.declared_spdx {
            license_refs(declared, &mut refs);
        }
    }
    if !refs.is_empty() {
        let infos: Vec<Value> = refs
            .iter()
            .map(|id| {
                json!({
                    "licenseId": id,
                    "name": id.trim_start_matches("LicenseRef-"),
                    "extractedText": bom.license_texts.get(id).cloned().unwrap_or_else(|| format!("{id}: a license named by the package's own metadata; its text is in the package's license files")),
                })
            })
            .collect();
        members.push((
            "hasExtractedLicensingInfos",
            Member::One(Value::Array(infos)),
        ));
    }
    members
}

/// The package that stands for the image.
fn image_package(r: &Report, name: &str) -> Value {
    let mut image = json!({
        "SPDXID": "SPDXRef-Image",
        "name": name,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": "CONTAINER",
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "supplier": supplier(r.image.supplier.as_deref()),
    });
    // The version is the config digest; a rootfs has none, and then its tar's digest.
    let version = r
        .image
        .config_digest
        .as_ref()
        .or_else(|| r.layers.first().and_then(|l| l.diff_id.as_ref()));
    if let Some(v) = version {
        image["versionInfo"] = Value::String(v.clone());
    }
    if let Some(d) = &r.image.config_digest {
        if let Some(h) = d.strip_prefix("sha256:") {
            image["checksums"] = json!([{"algorithm": "SHA256", "checksumValue": h}]);
            image["externalRefs"] = json!([{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": local_oci_purl(name, h),
            }]);
        }
    }
    // A registry image is named by its manifest digest, where it was pulled from and the tag.
    if let Some(reg) = &r.image.registry {
        image["externalRefs"] = json!([{
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": reg.purl,
        }]);
    }
    image["comment"] = Value::String(image_comment(r));
    image
}

/// The package that stands for layer `l`.
fn layer_package(bom: &Bom, l: &LayerInfo) -> Value {
    let id = format!("SPDXRef-Layer-{}", l.index);
    let mut layer = json!({
        "SPDXID": id,
        "name": format!("layer {} ({})", l.index, l.origin.as_str()),
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "supplier": supplier(l.supplier.as_deref()),
        "annotations": [
            annotation(bom, format!("layerbom:origin={}", l.origin.as_str())),
            annotation(bom, format!("layerbom:index={}", l.index)),
        ],
    });
    if let Some(d) = &l.diff_id {
        layer["versionInfo"] = Value::String(d.clone());
    }
    if let Some(h) = l.diff_id.as_deref().and_then(|d| d.strip_prefix("sha256:")) {
        layer["checksums"] = json!([{"algorithm": "SHA256", "checksumValue": h}]);
    }
    if let Some(c) = &l.created_by {
        layer["comment"] = Value::String(format!("created_by: {c}"));
    }
    layer
}

/// The package of `p`.
fn package(bom: &Bom, p: &Package) -> Value {
    let id = package_id(p);
    let declared = p
        .license
        .declared_spdx
        .clone()
        .unwrap_or_else(|| "NOASSERTION".into());
    let mut pkg = json!({
        "SPDXID": id,
        "name": p.name,
        "versionInfo": p.version,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "licenseConcluded": p.license.concluded.as_str(),
        "licenseDeclared": declared,
        "copyrightText": if p.copyright.is_empty() { "NOASSERTION".to_string() } else { p.copyright.join("\n") },
        "supplier": supplier(p.supplier.as_deref()),
        "externalRefs": [{
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": p.purl,
        }],
        "annotations": [
            annotation(bom, format!("layerbom:layer={}", p.layer.index)),
            annotation(bom, format!("layerbom:origin={}", p.origin.as_str())),
        ],
    });
    if let Some(s) = &p.source {
        pkg["sourceInfo"] = Value::String(match &s.version {
            Some(v) => format!("built from source package {} {v}", s.name),
            None => format!("built from source package {}", s.name),
        });
    }
    if let Some(h) = p.homepage.as_deref().filter(|h| h.starts_with("http")) {
        pkg["homepage"] = Value::String(h.to_string());
    }
    let declared = p
        .license
        .declared
        .as_ref()
        .map(|raw| format!("declared by the package database as: {raw}"));
    if let Some(reviewed) = p.license.concluded.reviewed() {
        let comment = match declared {
            Some(declared) => format!("{reviewed}; {declared}"),
            None => reviewed,
        };
        pkg["licenseComments"] = Value::String(comment);
    } else if let Some(declared) = declared {
        pkg["licenseComments"] = Value::String(declared);
    } else if let Some(reason) = p.license.concluded.reason() {
        pkg["licenseComments"] = Value::String(reason.to_string());
    }
    pkg
}

/// Writes the SPDX 2.3 JSON document.
/// `-o spdx-json`: SPDX 2.3, JSON.
#[derive(Debug, Clone, Copy)]
pub struct SpdxJson;

impl Renderer for SpdxJson {
    fn name(&self) -> &'static str {
        "spdx-json"
    }

    fn write(&self, bom: &Bom, _: &Options, out: &mut dyn Write) -> std::io::Result<()> {
        write_json(bom, out)
    }
}

/// Writes the SPDX 2.3 JSON document.
pub fn write_json(bom: &Bom, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &Streamed::new(members(bom)))?;
    out.write_all(b"\n")
}

/// The OCI purl of a local image named `name` whose config digest is `sha256:HEX`: its
/// repository's last path segment, without the tag, lowercased.
pub(crate) fn local_oci_purl(name: &str, hex: &str) -> String {
    let repo = name
        .split(':')
        .next()
        .unwrap_or(name)
        .rsplit('/')
        .next()
        .unwrap_or(name);
    format!(
        "pkg:oci/{}@sha256%3A{hex}",
        id_part(repo).to_ascii_lowercase()
    )
}

/// What SPDX documents say of the image in its comment: its OS, platform and tags, and how
/// its base image was decided.
pub(crate) fn image_comment(r: &Report) -> String {
    let mut comment = Vec::new();
    if let Some(os) = &r.image.os {
        comment.push(format!(
            "os: {} {}",
            os.id,
            os.version_id.clone().unwrap_or_default()
        ));
    }
    if let Some(p) = &r.image.platform {
        comment.push(format!("platform: {p}"));
    }
    if !r.image.repo_tags.is_empty() {
        comment.push(format!("tags: {}", r.image.repo_tags.join(", ")));
    }
    comment.push(format!(
        "base image: {} layer(s) by {} ({})",
        r.base.layers.map_or("unknown".into(), |n| n.to_string()),
        r.base.method,
        r.base.reason
    ));
    comment.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_only_allowed_characters() {
        assert_eq!(id_part("libstdc++6:amd64"), "libstdc--6-amd64");
    }

    #[test]
    fn suppliers_are_organizations_with_email() {
        assert_eq!(
            supplier(Some("Debian GCC Maintainers <debian-gcc@lists.debian.org>")),
            "Organization: Debian GCC Maintainers (debian-gcc@lists.debian.org)"
        );
        assert_eq!(
            supplier(Some("Fedora Project")),
            "Organization: Fedora Project"
        );
        assert_eq!(supplier(None), "NOASSERTION");
        assert_eq!(
            supplier(Some("Person: Jane Doe <jane@example.org>")),
            "Person: Jane Doe (jane@example.org)"
        );
        assert_eq!(supplier(Some("Organization: Acme")), "Organization: Acme");
        assert_eq!(supplier(Some("Organization: ")), "NOASSERTION");
    }

    #[test]
    fn with_expressions_are_kept_whole_and_need_no_extracted_text() {
        let doc = document(&crate::pipeline::bom(
            crate::model::testutil::gcc_runtime_report(),
            crate::model::obligations::Delivery::Image,
            Some("0"),
        ));
        let p = doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "libstdc++6")
            .unwrap();
        for field in ["licenseConcluded", "licenseDeclared"] {
            assert_eq!(
                p[field], "GPL-3.0-or-later WITH GCC-exception-3.1",
                "{field}"
            );
            // SPDX 2.3 allows listed exceptions after WITH: a strict parse accepts it.
            assert!(spdx::Expression::parse(p[field].as_str().unwrap()).is_ok());
        }
        assert!(doc.get("hasExtractedLicensingInfos").is_none());
    }

    #[test]
    fn license_refs_are_found_inside_expressions() {
        let mut s = BTreeSet::new();
        license_refs("(MIT OR LicenseRef-public-domain) AND LicenseRef-x", &mut s);
        assert_eq!(
            s.into_iter().collect::<Vec<_>>(),
            ["LicenseRef-public-domain", "LicenseRef-x"]
        );
    }
}
