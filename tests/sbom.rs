//! SBOM documents: the layer and origin of every package can be read back from the document
//! alone, dependencies are there, and the bytes are the same on every run.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use serde_json::Value;

fn spdx(image: &Path) -> Value {
    document(image, "spdx-json")
}

fn element<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["SPDXID"] == id)
        .unwrap()
}

fn related(doc: &Value, from: &str, kind: &str) -> Vec<String> {
    doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["spdxElementId"] == from && r["relationshipType"] == kind)
        .map(|r| r["relatedSpdxElement"].as_str().unwrap().to_string())
        .collect()
}

fn has_annotation(p: &Value, text: &str) -> bool {
    p["annotations"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x["comment"] == text))
}

#[test]
fn spdx_document_describes_the_image_as_a_container() {
    let doc = spdx(&sample());
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(
        related(&doc, "SPDXRef-DOCUMENT", "DESCRIBES"),
        ["SPDXRef-Image"]
    );
    let image = element(&doc, "SPDXRef-Image");
    assert_eq!(image["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(image["name"], "localhost/layerbom-demo:1.0");
    assert_eq!(
        image["checksums"][0]["checksumValue"],
        "bbc004a462a5120afcc643c64c6338ebc0a11233f396dea3d91ed7c9b3d72b05"
    );
    assert_eq!(doc["creationInfo"]["created"], "2023-11-14T22:13:20Z");
    assert!(doc["documentNamespace"]
        .as_str()
        .unwrap()
        .ends_with("bbc004a462a5120afcc643c64c6338ebc0a11233f396dea3d91ed7c9b3d72b05"));
}

#[test]
fn a_reader_of_the_spdx_document_alone_can_list_authored_packages() {
    let doc = spdx(&sample());
    let layers = related(&doc, "SPDXRef-Image", "CONTAINS");
    assert_eq!(
        layers,
        ["SPDXRef-Layer-0", "SPDXRef-Layer-1", "SPDXRef-Layer-2"]
    );
    let authored: BTreeSet<String> = layers
        .iter()
        .filter(|l| has_annotation(element(&doc, l), "layerbom:origin=authored"))
        .flat_map(|l| related(&doc, l, "CONTAINS"))
        .map(|id| element(&doc, &id)["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        authored,
        BTreeSet::from([
            "jq".to_string(),
            "libjq1".to_string(),
            "libonig5".to_string()
        ])
    );
    let libc = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "libc6")
        .unwrap();
    assert!(has_annotation(libc, "layerbom:origin=base"));
    assert!(has_annotation(libc, "layerbom:layer=0"));
    let native = scan_json(&sample(), &[]);
    assert_eq!(
        element(&doc, "SPDXRef-Layer-1")["versionInfo"],
        native["layers"][1]["diff_id"]
    );
}

#[test]
fn spdx_dependencies_come_from_the_database() {
    let doc = spdx(&sample());
    let jq = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "jq")
        .unwrap();
    let deps: Vec<String> = related(&doc, jq["SPDXID"].as_str().unwrap(), "DEPENDS_ON")
        .iter()
        .map(|id| element(&doc, id)["name"].as_str().unwrap().to_string())
        .collect();
    assert!(deps.contains(&"libjq1".to_string()), "{deps:?}");
    assert_eq!(jq["externalRefs"][0]["referenceType"], "purl");
    assert!(jq["supplier"]
        .as_str()
        .unwrap()
        .starts_with("Organization: "));
}

#[test]
fn spdx_output_is_byte_identical_across_runs() {
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_layerbom"))
            .env("LAYERBOM_NO_CACHE", "1")
            .args(["scan", sample().to_str().unwrap(), "-q", "-o", "spdx-json"])
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap()
            .stdout
    };
    let a = run();
    assert_eq!(a, run());
    let doc: Value = serde_json::from_slice(&a).unwrap();
    // Without SOURCE_DATE_EPOCH the time is the image's creation time, not the scan's.
    assert_eq!(doc["creationInfo"]["created"], "1970-01-01T00:00:00Z");
}

#[test]
fn every_package_and_layer_is_an_element() {
    let doc = spdx(&fixture("docker-archive.tar"));
    let names: Vec<&str> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "localhost/layerbom-fixture:1.0",
            "layer 0 (unknown)",
            "layer 1 (unknown)",
            "layer 2 (unknown)",
            "base-files",
            "gcc-12-base",
            "libgcc-s1"
        ]
    );
}

#[test]
fn gcc_runtime_libraries_carry_their_exception_in_every_sbom() {
    let expr = "GPL-3.0-or-later WITH GCC-exception-3.1";
    let doc = spdx(&sample());
    let cdx = cyclonedx(&sample(), "cyclonedx-json");
    for name in ["libgcc-s1", "libstdc++6"] {
        let p = doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap();
        assert_eq!(p["licenseConcluded"], expr, "{name}");
        assert_eq!(p["licenseDeclared"], expr, "{name}");
        let c = cdx["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap();
        assert_eq!(
            c["licenses"],
            serde_json::json!([
                {"expression": expr, "acknowledgement": "concluded"},
                {"expression": expr, "acknowledgement": "declared"},
            ])
        );
    }
    let text = |format: &str| {
        let out = layerbom(&["scan", sample().to_str().unwrap(), "-q", "-o", format]);
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let tv = text("spdx-tag-value");
    assert_eq!(
        tv.matches(&format!("PackageLicenseConcluded: {expr}\n"))
            .count(),
        2,
        "{tv}"
    );
    // 1.7 lists the declared expression beside the concluded one; 1.6 has room for one.
    let xml = text("cyclonedx-xml");
    assert_eq!(xml.matches(&format!(">{expr}</expression>")).count(), 4);
    let xml = text("cyclonedx-xml@1.6");
    assert_eq!(xml.matches(&format!(">{expr}</expression>")).count(), 2);
}

fn cyclonedx(image: &Path, format: &str) -> Value {
    document(image, format)
}

fn prop<'a>(c: &'a Value, name: &str) -> Option<&'a str> {
    c["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)?["value"]
        .as_str()
}

#[test]
fn cyclonedx_image_is_a_container_with_its_layers() {
    let doc = cyclonedx(&sample(), "cyclonedx-json");
    assert_eq!(doc["specVersion"], "1.7");
    assert_eq!(
        doc["$schema"],
        "http://cyclonedx.org/schema/bom-1.7.schema.json"
    );
    assert_eq!(
        doc["serialNumber"],
        "urn:uuid:bbc004a4-62a5-520a-bcc6-43c64c6338eb"
    );
    assert_eq!(doc["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    let image = &doc["metadata"]["component"];
    assert_eq!(image["type"], "container");
    assert_eq!(prop(image, "layerbom:layer:0:origin"), Some("base"));
    assert_eq!(prop(image, "layerbom:layer:2:origin"), Some("authored"));
    assert_eq!(prop(image, "layerbom:base:method"), Some("history"));
    // Suppliers: the image's vendor label; the base layer's distribution.
    assert_eq!(image["supplier"]["name"], "layerbom demo");
    assert_eq!(
        image["supplier"]["contact"][0]["email"],
        "layerbom@example.org"
    );
    assert_eq!(
        prop(image, "layerbom:layer:0:supplier"),
        Some("Debian GNU/Linux")
    );
    assert_eq!(
        prop(image, "layerbom:layer:2:supplier"),
        Some("layerbom demo <layerbom@example.org>")
    );
    let native = scan_json(&sample(), &[]);
    assert_eq!(
        prop(image, "layerbom:layer:1:diff_id"),
        native["layers"][1]["diff_id"].as_str()
    );
}

#[test]
fn a_reader_of_the_cyclonedx_document_alone_can_list_authored_packages() {
    let doc = cyclonedx(&sample(), "cyclonedx-json");
    let authored: BTreeSet<&str> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| prop(c, "layerbom:origin") == Some("authored"))
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(authored, BTreeSet::from(["jq", "libjq1", "libonig5"]));
    let jq = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "jq")
        .unwrap();
    assert_eq!(prop(jq, "layerbom:layer"), Some("1"));
    assert_eq!(
        jq["evidence"]["occurrences"][0]["location"],
        "/var/lib/dpkg/status"
    );
    let os = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "operating-system")
        .unwrap();
    assert_eq!(
        (os["name"].as_str(), os["version"].as_str()),
        (Some("debian"), Some("12"))
    );
}

#[test]
fn cyclonedx_dependencies_come_from_the_database() {
    let doc = cyclonedx(&sample(), "cyclonedx-json");
    let jq_ref = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "jq")
        .unwrap()["bom-ref"]
        .clone();
    let deps = doc["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == jq_ref)
        .unwrap();
    assert!(deps["dependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d.as_str().unwrap().starts_with("pkg:deb/debian/libjq1@")));
    let image = doc["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == "image")
        .unwrap();
    assert_eq!(image["dependsOn"].as_array().unwrap().len(), 12);
}

#[test]
fn cyclonedx_1_5_leaves_out_what_1_5_lacks() {
    let doc = cyclonedx(&sample(), "cyclonedx-json@1.5");
    assert_eq!(doc["specVersion"], "1.5");
    assert!(doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c.get("evidence").is_none()));
}

#[test]
fn cyclonedx_1_6_is_1_7_with_one_expression_per_component() {
    let v17 = cyclonedx(&sample(), "cyclonedx-json");
    let mut v16 = cyclonedx(&sample(), "cyclonedx-json@1.6");
    assert_eq!(v16["specVersion"], "1.6");
    // 1.7 may list the declared expression after the concluded one; the rest is the same.
    let mut v17_cut = v17.clone();
    for c in v17_cut["components"].as_array_mut().unwrap() {
        if let Some(l) = c.get_mut("licenses").and_then(Value::as_array_mut) {
            l.truncate(1);
        }
    }
    for key in ["$schema", "specVersion"] {
        v16[key] = v17[key].clone();
    }
    assert_eq!(v16, v17_cut);
}

/// The sample's document in `format`, as written to standard output.
fn bytes(format: &str) -> Vec<u8> {
    let out = layerbom(&["scan", sample().to_str().unwrap(), "-q", "-o", format]);
    assert!(out.status.success(), "{format}");
    out.stdout
}

#[test]
fn the_default_cyclonedx_version_can_be_spelled_out() {
    assert_eq!(bytes("cyclonedx-json@1.7"), bytes("cyclonedx-json"));
    assert_eq!(bytes("cyclonedx-xml@1.7"), bytes("cyclonedx-xml"));
}

#[test]
fn syft_format_names_write_the_documents_syft_writes() {
    // syft's `cyclonedx` is CycloneDX XML, and `spdx` SPDX tag-value.
    assert_eq!(bytes("cyclonedx"), bytes("cyclonedx-xml"));
    assert_eq!(bytes("spdx"), bytes("spdx-tag-value"));
}

#[test]
fn scan_help_names_every_format_and_alias() {
    let out = layerbom(&["scan", "--help"]);
    assert!(out.status.success());
    // Wrapped lines: compare words, not lines.
    let help = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let names = layerbom::render::FORMATS.iter().map(|f| f.name());
    let aliases = layerbom::render::ALIASES.iter().map(|(a, _)| *a);
    for name in names.chain(aliases) {
        // `cyclonedx-json@1.6` is written `@1.6 … after either`.
        let spelled = name
            .split_once('@')
            .map_or(name.to_string(), |(_, v)| format!("@{v}"));
        assert!(
            help.contains(&format!("{spelled} ")) || help.contains(&format!("{spelled},")),
            "{name} is not in `scan --help`: {help}"
        );
    }
}

#[test]
fn cyclonedx_output_is_byte_identical_across_runs() {
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_layerbom"))
            .env("LAYERBOM_NO_CACHE", "1")
            .args([
                "scan",
                sample().to_str().unwrap(),
                "-q",
                "-o",
                "cyclonedx-json",
            ])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run(), run());
}

#[test]
fn spdx_tag_value_says_what_the_json_says() {
    let json = spdx(&sample());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_NO_CACHE", "1")
        .args([
            "scan",
            sample().to_str().unwrap(),
            "-q",
            "-o",
            "spdx-tag-value",
        ])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    let tv = String::from_utf8(out.stdout).unwrap();
    assert!(
        tv.starts_with("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n"),
        "{tv}"
    );
    assert_eq!(
        tv.matches("##### Package").count(),
        json["packages"].as_array().unwrap().len()
    );
    assert_eq!(
        tv.matches("\nRelationship: ").count(),
        json["relationships"].as_array().unwrap().len()
    );
    assert!(
        tv.contains("Relationship: SPDXRef-Layer-1 CONTAINS SPDXRef-Package-deb-jq-"),
        "{tv}"
    );
    assert!(tv.contains("PrimaryPackagePurpose: CONTAINER"));
    assert!(tv.contains("AnnotationComment: <text>layerbom:origin=authored</text>"));
    assert!(tv.contains("Created: 2023-11-14T22:13:20Z"));
}

#[test]
fn cyclonedx_xml_carries_the_same_components_and_layers() {
    let json = cyclonedx(&sample(), "cyclonedx-json");
    for (format, ns) in [
        ("cyclonedx-xml", "1.7"),
        ("cyclonedx-xml@1.6", "1.6"),
        ("cyclonedx-xml@1.5", "1.5"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_layerbom"))
            .env("LAYERBOM_NO_CACHE", "1")
            .args(["scan", sample().to_str().unwrap(), "-q", "-o", format])
            .output()
            .unwrap();
        let xml = String::from_utf8(out.stdout).unwrap();
        assert!(
            xml.contains(&format!("xmlns=\"http://cyclonedx.org/schema/bom/{ns}\"")),
            "{xml}"
        );
        // metadata.component + the tool + every component.
        assert_eq!(
            xml.matches("<component ").count(),
            json["components"].as_array().unwrap().len() + 2
        );
        assert_eq!(
            xml.matches("<property name=\"layerbom:origin\">authored</property>")
                .count(),
            3
        );
        assert!(xml.contains("<property name=\"layerbom:layer:0:origin\">base</property>"));
    }
}

#[test]
fn a_rootfs_without_config_is_versioned_by_its_digest_and_a_directory_not_at_all() {
    let doc = spdx(&fixture("rootfs.tar.gz"));
    let native = scan_json(&fixture("rootfs.tar.gz"), &[]);
    assert_eq!(
        element(&doc, "SPDXRef-Image")["versionInfo"],
        native["layers"][0]["diff_id"]
    );
    let doc = spdx(&fixture("rootfs-dir"));
    assert!(element(&doc, "SPDXRef-Image").get("versionInfo").is_none());
    assert!(element(&doc, "SPDXRef-Layer-0")
        .get("versionInfo")
        .is_none());
}

#[test]
fn every_spdx_package_names_a_supplier_and_the_flag_overrides_the_label() {
    let doc = document(&sample(), "spdx-json");
    for p in doc["packages"].as_array().unwrap() {
        let s = p["supplier"].as_str().unwrap();
        assert!(
            s.starts_with("Organization: ") || s.starts_with("Person: "),
            "{}: {s}",
            p["name"]
        );
    }
    let image = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["primaryPackagePurpose"] == "CONTAINER")
        .unwrap();
    assert_eq!(
        image["supplier"],
        "Organization: layerbom demo (layerbom@example.org)"
    );

    let out = layerbom(&[
        "scan",
        sample().to_str().unwrap(),
        "-q",
        "--supplier",
        "Person: Jane Doe <jane@example.org>",
        "-o",
        "json",
    ]);
    let native: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        native["image"]["supplier"],
        "Person: Jane Doe <jane@example.org>"
    );
    assert_eq!(native["layers"][0]["supplier"], "Debian GNU/Linux");
    assert_eq!(
        native["layers"][2]["supplier"],
        "Person: Jane Doe <jane@example.org>"
    );
}

#[test]
fn an_image_without_a_supplier_says_so_in_a_finding() {
    let doc = scan_json(&fixture("docker-archive.tar"), &[]);
    assert!(doc["image"].get("supplier").is_none());
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"] == "supplier-unknown"
            && f["message"].as_str().unwrap().contains("--supplier")));
}

#[test]
fn spdx_extracted_licenses_carry_the_texts_the_copyright_files_give() {
    // A DEP-5 file whose license has no SPDX id, its text given under the name.
    let copyright =
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n\
Files: *\nCopyright: 2024 Jane Doe\nLicense: Frob-Permissive\n\n\
License: Frob-Permissive\n You may copy this program, but only on Tuesdays.\n";
    let status =
        "Package: frob\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n";
    let layer = tar_of(&[
        E::File("var/lib/dpkg/status", status.as_bytes()),
        E::File("usr/share/doc/frob/copyright", copyright.as_bytes()),
    ]);
    let dir = tempfile::tempdir().unwrap();
    oci_layout(dir.path(), &[layer]);
    let doc = document(dir.path(), "spdx-json");
    let infos = doc["hasExtractedLicensingInfos"].as_array().unwrap();
    let frob = infos
        .iter()
        .find(|i| i["licenseId"] == "LicenseRef-Frob-Permissive")
        .unwrap();
    assert_eq!(
        frob["extractedText"],
        "You may copy this program, but only on Tuesdays."
    );
}

#[test]
fn a_reader_of_the_spdx3_document_alone_can_list_authored_packages() {
    let doc = document(&sample(), "spdx3-json");
    assert_eq!(
        doc["@context"],
        "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    );
    let graph = doc["@graph"].as_array().unwrap();
    let by_id = |id: &Value| graph.iter().find(|e| &e["spdxId"] == id).unwrap();
    let relation = |from: &Value, kind: &str| -> Vec<Value> {
        graph
            .iter()
            .find(|e| &e["from"] == from && e["relationshipType"] == kind)
            .map_or_else(Vec::new, |r| r["to"].as_array().unwrap().clone())
    };
    let annotated = |id: &Value, statement: &str| {
        graph
            .iter()
            .any(|e| &e["subject"] == id && e["statement"] == statement)
    };
    let info = &graph[0];
    assert_eq!(
        (info["type"].as_str(), info["specVersion"].as_str()),
        (Some("CreationInfo"), Some("3.0.1"))
    );
    // The same creation date as the SPDX 2.3 document.
    assert_eq!(info["created"], spdx(&sample())["creationInfo"]["created"]);
    let image = &by_id(&graph[1]["rootElement"][0]);
    assert_eq!(image["software_primaryPurpose"], "container");
    let layers = relation(&image["spdxId"], "contains");
    assert_eq!(layers.len(), 3);
    let authored: BTreeSet<String> = layers
        .iter()
        .filter(|l| annotated(l, "layerbom:origin=authored"))
        .flat_map(|l| relation(l, "contains"))
        .map(|id| by_id(&id)["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        authored,
        BTreeSet::from([
            "jq".to_string(),
            "libjq1".to_string(),
            "libonig5".to_string()
        ])
    );
    let libc = graph.iter().find(|e| e["name"] == "libc6").unwrap();
    assert!(annotated(&libc["spdxId"], "layerbom:origin=base"));
    assert!(annotated(&libc["spdxId"], "layerbom:layer=0"));
    let license = relation(&libc["spdxId"], "hasConcludedLicense");
    assert!(by_id(&license[0])["simplelicensing_licenseExpression"]
        .as_str()
        .unwrap()
        .contains("LGPL-2.1-or-later"));
}
