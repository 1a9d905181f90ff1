//! Language packages, end to end: an image whose layers hold what pip, npm, go, javac/jar
//! and Debian's ruby packaging really wrote (tests/fixtures/lang/make-lang-fixtures.sh),
//! scanned as an OCI layout. Each package is asserted by name, version, license, purl and
//! the layer that introduced it, in the native JSON and in the SPDX and CycloneDX documents.

mod common;

use common::*;
use serde_json::Value;

fn find<'a>(doc: &'a Value, kind: &str, name: &str) -> &'a Value {
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == kind && p["name"] == name)
        .unwrap_or_else(|| panic!("{kind} {name} not found"))
}

/// (type, name, version, concluded license, layer, purl)
const EXPECTED: &[(&str, &str, &str, &str, usize, &str)] = &[
    (
        "python",
        "attrs",
        "26.1.0",
        "MIT",
        1,
        "pkg:pypi/attrs@26.1.0",
    ),
    (
        "python",
        "idna",
        "3.20",
        "BSD-3-Clause",
        1,
        "pkg:pypi/idna@3.20",
    ),
    ("python", "six", "1.17.0", "MIT", 1, "pkg:pypi/six@1.17.0"),
    (
        "python",
        "typing-extensions",
        "4.16.0",
        "PSF-2.0",
        1,
        "pkg:pypi/typing-extensions@4.16.0",
    ),
    (
        "python",
        "python-dateutil",
        "2.9.0.post0",
        "NOASSERTION",
        1,
        "pkg:pypi/python-dateutil@2.9.0.post0",
    ),
    ("npm", "ms", "2.1.3", "MIT", 1, "pkg:npm/ms@2.1.3"),
    (
        "npm",
        "@isaacs/string-locale-compare",
        "1.1.0",
        "ISC",
        1,
        "pkg:npm/%40isaacs/string-locale-compare@1.1.0",
    ),
    (
        "npm",
        "json-schema",
        "0.2.3",
        "NOASSERTION",
        1,
        "pkg:npm/json-schema@0.2.3",
    ),
    (
        "go-module",
        "stdlib",
        "go1.19.8",
        "NOASSERTION",
        2,
        "pkg:golang/stdlib@go1.19.8",
    ),
    (
        "go-module",
        "example.com/layerbom/hello",
        "(devel)",
        "NOASSERTION",
        2,
        "pkg:golang/example.com/layerbom/hello",
    ),
    (
        "go-module",
        "github.com/pkg/errors",
        "v0.9.1",
        "NOASSERTION",
        2,
        "pkg:golang/github.com/pkg/errors@v0.9.1",
    ),
    (
        "maven",
        "com.example:greet",
        "1.4.2",
        "Apache-2.0",
        2,
        "pkg:maven/com.example/greet@1.4.2",
    ),
    ("gem", "rack", "2.2.22", "MIT", 2, "pkg:gem/rack@2.2.22"),
    (
        "cargo",
        "hello-rs",
        "0.1.0",
        "NOASSERTION",
        2,
        "pkg:cargo/hello-rs@0.1.0",
    ),
    (
        "cargo",
        "itoa",
        "1.0.11",
        "NOASSERTION",
        2,
        "pkg:cargo/itoa@1.0.11",
    ),
    (
        "composer",
        "acme/dual",
        "0.3.1",
        "LGPL-2.1-only OR GPL-3.0-or-later",
        3,
        "pkg:composer/acme/dual@0.3.1",
    ),
    (
        "composer",
        "acme/greeter",
        "1.2.0",
        "MIT",
        3,
        "pkg:composer/acme/greeter@1.2.0",
    ),
];

#[test]
fn language_packages_are_found_with_their_layer_license_and_purl() {
    let (_d, img) = lang_image();
    let doc = scan_json(&img, &["--base-layers", "1"]);
    for (kind, name, version, license, layer, purl) in EXPECTED {
        let p = find(&doc, kind, name);
        assert_eq!(p["version"], *version, "{name}");
        assert_eq!(
            p["license"]["concluded"], *license,
            "{name}: {}",
            p["license"]
        );
        assert_eq!(p["layer"]["index"], *layer, "{name}");
        assert_eq!(p["origin"], "authored", "{name}");
        assert_eq!(p["purl"], *purl, "{name}");
        if *license == "NOASSERTION" {
            assert!(p["license"]["reason"].is_string(), "{name}: a reason");
        } else {
            let ev = &p["license"]["evidence"][0];
            assert_eq!(ev["layer"], *layer, "{name}");
            assert!(ev["path"].is_string() && ev["method"].is_string(), "{name}");
        }
    }
    let lang = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] != "deb")
        .count();
    assert_eq!(
        lang,
        EXPECTED.len(),
        "nothing else, e.g. not the app's own package.json"
    );
}

#[test]
fn license_evidence_says_where_each_conclusion_comes_from() {
    let (_d, img) = lang_image();
    let doc = scan_json(&img, &[]);
    let method = |kind, name| find(&doc, kind, name)["license"]["evidence"][0]["method"].clone();
    assert_eq!(method("python", "attrs"), "pep639-license-expression");
    assert_eq!(method("python", "six"), "python-license-field");
    assert_eq!(method("npm", "ms"), "npm-license-field");
    assert_eq!(method("maven", "com.example:greet"), "pom-license");
    assert_eq!(method("gem", "rack"), "gemspec-license");
    let dateutil = &find(&doc, "python", "python-dateutil")["license"];
    assert_eq!(dateutil["declared"], "Dual License");
    let json_schema = &find(&doc, "npm", "json-schema")["license"];
    assert!(
        json_schema["reason"].as_str().unwrap().contains("BSD"),
        "{json_schema}"
    );
    let go = &find(&doc, "go-module", "github.com/pkg/errors")["license"];
    assert!(go["reason"]
        .as_str()
        .unwrap()
        .contains("usr/local/bin/hello-go"));
}

#[test]
fn a_dpkg_owned_dist_package_is_the_deb_package_only() {
    let (_d, img) = lang_image();
    let doc = scan_json(&img, &[]);
    let six: Vec<&Value> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "six" || p["name"] == "python3-six")
        .collect();
    let found: Vec<(&str, &str)> = six
        .iter()
        .map(|p| (p["type"].as_str().unwrap(), p["version"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [("deb", "1.16.0-4"), ("python", "1.17.0")]);
}

#[test]
fn a_whiteout_removes_a_python_package_in_its_layer() {
    let (_d, img) = lang_image();
    let doc = scan_json(&img, &[]);
    let removed = doc["removed_packages"].as_array().unwrap();
    let tomli = removed
        .iter()
        .find(|r| r["name"] == "tomli")
        .expect("tomli removed");
    assert_eq!(tomli["type"], "python");
    assert_eq!(tomli["version"], "2.0.1");
    assert_eq!(tomli["added_in"], 1);
    assert_eq!(tomli["removed_in"], 3);
    assert_eq!(doc["layers"][3]["packages"]["removed"], 1);
    assert!(doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["name"] != "tomli"));
}

#[test]
fn the_go_binary_matches_what_go_version_reports() {
    // `go version -m` output written next to the binary by the fixture script.
    let text = std::fs::read_to_string(lang_dir().join("bin/hello-go.buildinfo.txt")).unwrap();
    let (_d, img) = lang_image();
    let doc = scan_json(&img, &[]);
    let go = text.lines().next().unwrap().rsplit(' ').next().unwrap();
    assert_eq!(find(&doc, "go-module", "stdlib")["version"], go);
    for line in text.lines() {
        let f: Vec<&str> = line.trim().split('\t').collect();
        if matches!(f.first(), Some(&"mod") | Some(&"dep")) {
            let p = find(&doc, "go-module", f[1]);
            assert_eq!(p["version"], f[2], "{line}");
            assert_eq!(p["found_in"]["path"], "usr/local/bin/hello-go");
        }
    }
}

#[test]
fn sbom_documents_carry_the_language_packages_and_purls() {
    let (_d, img) = lang_image();
    let spdx = document(&img, "spdx-json");
    let cdx = document(&img, "cyclonedx-json");
    for (_, name, version, license, _, purl) in EXPECTED {
        let pkg = spdx["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| {
                p["externalRefs"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|r| r["referenceLocator"] == *purl))
            })
            .unwrap_or_else(|| panic!("SPDX: {purl}"));
        assert_eq!(pkg["name"], *name);
        assert_eq!(pkg["licenseConcluded"], *license, "{name}");
        let comp = cdx["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["purl"] == *purl)
            .unwrap_or_else(|| panic!("CycloneDX: {purl}"));
        assert_eq!(comp["version"], *version);
    }
}

#[test]
fn a_directory_rootfs_is_inspected_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rootfs");
    copy_dir(&lang_dir().join("layers/2"), &root);
    let bin = root.join("usr/local/bin");
    std::fs::create_dir_all(&bin).unwrap();
    for name in ["hello-go", "hello-rs"] {
        let p = write(&bin, name, &gunzip(&format!("{name}.gz")));
        let mut perm = std::fs::metadata(&p).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
        std::fs::set_permissions(&p, perm).unwrap();
    }
    let doc = scan_json(&root, &[]);
    assert_eq!(
        find(&doc, "go-module", "github.com/pkg/errors")["version"],
        "v0.9.1"
    );
    assert_eq!(find(&doc, "cargo", "itoa")["version"], "1.0.11");
    assert_eq!(find(&doc, "maven", "com.example:greet")["version"], "1.4.2");
    assert_eq!(find(&doc, "gem", "rack")["layer"]["index"], 0);
}

#[test]
fn a_metadata_file_over_its_cap_is_a_finding_not_silence() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("img");
    let mut big = br#"{"name":"big","version":"1.0.0","license":"MIT","description":""#.to_vec();
    big.resize(big.len() + (1 << 20), b'x');
    big.extend_from_slice(b"\"}");
    let layer = tar_of(&[
        E::File("app/node_modules/big/package.json", &big),
        E::File(
            "app/node_modules/ok/package.json",
            br#"{"name":"ok","version":"2.0.0","license":"MIT"}"#,
        ),
    ]);
    oci_layout(&img, &[layer]);
    let doc = scan_json(&img, &[]);
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "lang-metadata-too-large")
        .expect("a finding");
    assert_eq!(f["path"], "app/node_modules/big/package.json");
    assert_eq!(f["layer"], 0);
    assert_eq!(find(&doc, "npm", "ok")["version"], "2.0.0");
}

#[test]
fn a_license_file_over_its_cap_is_named_in_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("img");
    let big = vec![b'x'; 1200 << 10];
    let layer = tar_of(&[
        E::File(
            "usr/lib/python3.11/site-packages/x-1.0.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: x\nVersion: 1.0\nLicense-File: LICENSE\n\n",
        ),
        E::File(
            "usr/lib/python3.11/site-packages/x-1.0.dist-info/LICENSE",
            &big,
        ),
    ]);
    oci_layout(&img, &[layer]);
    let doc = scan_json(&img, &[]);
    let lic = &find(&doc, "python", "x")["license"];
    assert_eq!(lic["concluded"], "NOASSERTION");
    let reason = lic["reason"].as_str().unwrap();
    assert!(
        reason.contains("x-1.0.dist-info/LICENSE (1228800 bytes, over the 1048576-byte limit)"),
        "{reason}"
    );
}

#[test]
fn language_packages_reach_the_obligations_and_the_approval_report() {
    let (_dir, img) = lang_image();
    let img = img.to_str().unwrap();
    let out = layerbom(&[
        "scan",
        img,
        "-q",
        "--base-layers",
        "1",
        "--delivery",
        "layers",
        "-o",
        "obligations-json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ob: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: std::collections::BTreeSet<&str> = ob["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect();
    for k in [
        "python",
        "npm",
        "go-module",
        "maven",
        "gem",
        "composer",
        "cargo",
    ] {
        assert!(kinds.contains(k), "{k} missing from {kinds:?}");
    }
    let md = layerbom(&["scan", img, "-q", "--base-layers", "1", "-o", "report-md"]);
    let md = String::from_utf8(md.stdout).unwrap();
    // Components our layers installed, language packages among them.
    for row in [
        "| ms | 2.1.3 | npm | 1 | MIT |",
        "| com.example:greet | 1.4.2 | maven | 2 | Apache-2.0 |",
        "| acme/dual | 0.3.1 | composer | 3 | LGPL-2.1-only OR GPL-3.0-or-later |",
    ] {
        assert!(md.contains(row), "{row} missing from\n{md}");
    }
    // The LGPL-or-GPL composer package owes source; the MIT npm package does not.
    let owes: Vec<&str> = ob["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(owes.contains(&"acme/dual"), "{owes:?}");
    assert!(!owes.contains(&"ms"), "{owes:?}");
}

/// (type, name, supplier in the native JSON, SPDX 2.3 `supplier`) of the fixture's packages:
/// each from the package's own metadata, and `None` where it records nobody.
const SUPPLIERS: &[(&str, &str, Option<&str>, &str)] = &[
    (
        "python",
        "attrs",
        Some("Person: Hynek Schlawack <hs@ox.cx>"),
        "Person: Hynek Schlawack (hs@ox.cx)",
    ),
    (
        "python",
        "six",
        Some("Person: Benjamin Peterson <benjamin@python.org>"),
        "Person: Benjamin Peterson (benjamin@python.org)",
    ),
    (
        "python",
        "typing-extensions",
        Some("Person: Guido van Rossum, Jukka Lehtosalo, Łukasz Langa, Michael Lee <levkivskyi@gmail.com>"),
        "Person: Guido van Rossum, Jukka Lehtosalo, Łukasz Langa, Michael Lee (levkivskyi@gmail.com)",
    ),
    (
        "python",
        "python-dateutil",
        Some("Person: Gustavo Niemeyer <gustavo@niemeyer.net>"),
        "Person: Gustavo Niemeyer (gustavo@niemeyer.net)",
    ),
    (
        "npm",
        "@isaacs/string-locale-compare",
        Some("Person: Isaac Z. Schlueter <i@izs.me>"),
        "Person: Isaac Z. Schlueter (i@izs.me)",
    ),
    ("npm", "json-schema", Some("Person: Kris Zyp"), "Person: Kris Zyp"),
    ("gem", "rack", Some("Person: Leah Neukirchen"), "Person: Leah Neukirchen"),
    (
        "deb",
        "python3-six",
        Some("Debian Python Team <team+python@tracker.debian.org>"),
        "Organization: Debian Python Team (team+python@tracker.debian.org)",
    ),
    ("npm", "ms", None, "NOASSERTION"),
    ("maven", "com.example:greet", None, "NOASSERTION"),
    ("composer", "acme/dual", None, "NOASSERTION"),
    ("go-module", "github.com/pkg/errors", None, "NOASSERTION"),
    ("cargo", "itoa", None, "NOASSERTION"),
];

#[test]
fn language_packages_are_supplied_by_whom_their_metadata_names() {
    let (_d, img) = lang_image();
    let doc = scan_json(&img, &["--base-layers", "1"]);
    let spdx = document(&img, "spdx-json");
    let cdx = document(&img, "cyclonedx-json");
    for (kind, name, supplier, spdx_supplier) in SUPPLIERS {
        let p = find(&doc, kind, name);
        assert_eq!(p["supplier"].as_str(), *supplier, "{name}");
        let purl = p["purl"].as_str().unwrap();
        let s = spdx["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| {
                s["externalRefs"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|r| r["referenceLocator"] == purl))
            })
            .unwrap_or_else(|| panic!("SPDX: {purl}"));
        assert_eq!(s["supplier"], *spdx_supplier, "{name}");
        let c = cdx["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["purl"] == purl)
            .unwrap_or_else(|| panic!("CycloneDX: {purl}"));
        match supplier {
            None => assert!(c.get("supplier").is_none(), "{name}: {c}"),
            Some(_) => {
                // `Person: NAME (EMAIL)`: the name, and the address as the contact's.
                let (who, email) = spdx_supplier
                    .split_once(": ")
                    .unwrap()
                    .1
                    .split_once(" (")
                    .map_or(
                        (spdx_supplier.split_once(": ").unwrap().1, None),
                        |(n, e)| (n, Some(e.trim_end_matches(')'))),
                    );
                assert_eq!(c["supplier"]["name"], who, "{name}");
                assert_eq!(
                    c["supplier"]["contact"][0]["email"].as_str(),
                    email,
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn packages_without_a_supplier_are_named_in_one_finding_per_layer_and_type() {
    let (_d, img) = lang_image();
    let doc = scan_json(
        &img,
        &["--base-layers", "1", "--supplier", "Organization: Acme"],
    );
    let unknown: Vec<(u64, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "supplier-unknown")
        .map(|f| (f["layer"].as_u64().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    let tail = "whose metadata names no supplier (author, maintainer or vendor); SBOMs say NOASSERTION, which NTIA minimum elements do not accept";
    assert_eq!(
        unknown,
        [
            (1, format!("layer 1 adds 1 npm package {tail}: ms 2.1.3").as_str()),
            (
                2,
                format!("layer 2 adds 2 cargo packages {tail}: hello-rs 0.1.0, itoa 1.0.11")
                    .as_str()
            ),
            (
                2,
                format!("layer 2 adds 3 go-module packages {tail}: example.com/layerbom/hello (devel), github.com/pkg/errors v0.9.1, stdlib go1.19.8")
                    .as_str()
            ),
            (
                2,
                format!("layer 2 adds 1 maven package {tail}: com.example:greet 1.4.2").as_str()
            ),
            (
                3,
                format!("layer 3 adds 2 composer packages {tail}: acme/dual 0.3.1, acme/greeter 1.2.0")
                    .as_str()
            ),
        ]
    );
    // Every package without a supplier is named, and none with one.
    for p in doc["packages"].as_array().unwrap() {
        let named = unknown.iter().any(|(layer, m)| {
            *layer == p["layer"]["index"]
                && m.contains(&format!(
                    "{} {}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap()
                ))
        });
        assert_eq!(named, p["supplier"].is_null(), "{}", p["name"]);
    }
}

#[test]
fn composer_authors_npm_maintainers_and_pom_organizations_reach_the_documents() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("img");
    let pom = b"<project><organization><name>The Apache Software Foundation</name></organization><developers><developer><name>Someone</name></developer></developers></project>";
    let jar = jar_of(&[
        (
            "META-INF/maven/org.apache.commons/commons-lang3/pom.properties",
            b"groupId=org.apache.commons\nartifactId=commons-lang3\nversion=3.14.0\n",
        ),
        (
            "META-INF/maven/org.apache.commons/commons-lang3/pom.xml",
            pom,
        ),
    ]);
    let layer = tar_of(&[
        E::File(
            "srv/vendor/composer/installed.json",
            br#"{"packages":[{"name":"monolog/monolog","version":"3.5.0","license":["MIT"],"authors":[{"name":"Jordi Boggiano","email":"j.boggiano@seld.be","homepage":"https://seld.be"}]}]}"#,
        ),
        E::File(
            "srv/node_modules/json-schema/package.json",
            br#"{"name":"json-schema","version":"0.2.3","maintainers":[{"name":"kriszyp","email":"kriszyp@gmail.com"}]}"#,
        ),
        E::File("opt/lib/commons-lang3-3.14.0.jar", &jar),
    ]);
    oci_layout(&img, &[layer]);
    let spdx = document(&img, "spdx-json");
    let supplier = |name: &str| {
        spdx["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))["supplier"]
            .clone()
    };
    assert_eq!(
        supplier("monolog/monolog"),
        "Person: Jordi Boggiano (j.boggiano@seld.be)"
    );
    assert_eq!(
        supplier("json-schema"),
        "Person: kriszyp (kriszyp@gmail.com)"
    );
    assert_eq!(
        supplier("org.apache.commons:commons-lang3"),
        "Organization: The Apache Software Foundation"
    );
    let spdx3 = document(&img, "spdx3-json");
    let mut persons: Vec<&str> = spdx3["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "Person")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    persons.sort();
    assert_eq!(persons, ["Jordi Boggiano", "kriszyp"]);
    let doc = scan_json(&img, &[]);
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["kind"] != "supplier-unknown" || f["layer"].is_null()),
        "every package names its supplier: {}",
        doc["findings"]
    );
}

/// A jar of stored entries with their sizes in the local headers, as `zip -0` writes them
/// (the catalog reads local headers only; the central directory is a signature).
fn jar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in entries {
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0]); // version, flags, method: stored
        out.extend_from_slice(&[0; 8]); // time, date, crc
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
    }
    out.extend_from_slice(b"PK\x01\x02");
    out
}
