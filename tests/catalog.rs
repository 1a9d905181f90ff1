//! Packages and their layers, end to end: the package set equals what the package manager
//! reports, and each package belongs to the layer that introduced it, whatever layer last
//! rewrote the database file.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use serde_json::Value;

fn packages(doc: &Value) -> &Vec<Value> {
    doc["packages"].as_array().unwrap()
}

fn find<'a>(doc: &'a Value, name: &str) -> &'a Value {
    packages(doc)
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} not found"))
}

/// (name, [epoch:]version-release) of the `rpm -qa --qf` lines recorded next to the fixture
/// (gpg-pubkey aside).
fn rpm_expected(rel: &str) -> BTreeSet<(String, String)> {
    rpm_expected_in(&String::from_utf8(catalog_fixture(rel)).unwrap())
}

fn rpm_expected_in(qa: &str) -> BTreeSet<(String, String)> {
    qa.lines()
        .filter(|l| !l.starts_with("gpg-pubkey"))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let evr = if f[1] == "(none)" {
                format!("{}-{}", f[2], f[3])
            } else {
                format!("{}:{}-{}", f[1], f[2], f[3])
            };
            (f[0].to_string(), evr)
        })
        .collect()
}

#[test]
fn the_sample_attributes_base_packages_to_the_base_layer() {
    let doc = scan_json(&sample(), &[]);
    assert_eq!(packages(&doc).len(), 12);
    // Layer 1 rewrote var/lib/dpkg/status; the base packages still belong to layer 0.
    for name in [
        "base-files",
        "libc6",
        "zlib1g",
        "libgcc-s1",
        "ca-certificates",
    ] {
        let p = find(&doc, name);
        assert_eq!(p["layer"]["index"], 0, "{name}");
        assert_eq!(p["origin"], "base", "{name}");
        assert_eq!(
            p["found_in"]["layer"], 1,
            "{name}: read from the top status file"
        );
    }
    for name in ["jq", "libjq1", "libonig5"] {
        let p = find(&doc, name);
        assert_eq!(p["layer"]["index"], 1, "{name}");
        assert_eq!(p["origin"], "authored", "{name}");
        assert_eq!(p["layer"]["diff_id"], doc["layers"][1]["diff_id"]);
    }
    assert_eq!(doc["base"]["method"], "history");
    assert_eq!(doc["base"]["layers"], 1);
    let origins: Vec<&str> = doc["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["origin"].as_str().unwrap())
        .collect();
    assert_eq!(origins, ["base", "authored", "authored"]);
    assert_eq!(doc["layers"][0]["packages"]["added"], 9);
    assert_eq!(doc["layers"][1]["packages"]["added"], 3);
    assert_eq!(doc["image"]["os"]["id"], "debian");
    assert_eq!(doc["image"]["os"]["version_id"], "12");
    // File ownership from var/lib/dpkg/info/NAME[:ARCH].list.
    let list = |pkg: &str| -> usize {
        let names = [
            format!("var/lib/dpkg/info/{pkg}:amd64.list"),
            format!("var/lib/dpkg/info/{pkg}.list"),
        ];
        let mut a = tar::Archive::new(std::fs::File::open(sample()).unwrap());
        let mut best = 0;
        for e in a.entries().unwrap() {
            let mut e = e.unwrap();
            let p = e.path().unwrap().to_string_lossy().into_owned();
            if p.ends_with(".tar") {
                let mut inner = tar::Archive::new(&mut e);
                for f in inner.entries().unwrap() {
                    let mut f = f.unwrap();
                    if names.contains(&f.path().unwrap().to_string_lossy().into_owned()) {
                        let mut s = String::new();
                        std::io::Read::read_to_string(&mut f, &mut s).unwrap();
                        best = s.lines().filter(|l| !l.is_empty() && *l != "/.").count();
                    }
                }
            }
        }
        best
    };
    for pkg in ["zlib1g", "libgcc-s1", "jq"] {
        assert_eq!(
            find(&doc, pkg)["files"].as_u64().unwrap() as usize,
            list(pkg),
            "{pkg}"
        );
    }
}

#[test]
fn debian_packages_carry_source_purl_and_dependencies() {
    let doc = scan_json(&sample(), &[]);
    let gcc = find(&doc, "libgcc-s1");
    assert_eq!(gcc["source"]["name"], "gcc-12");
    let purl = gcc["purl"].as_str().unwrap();
    assert!(purl.starts_with("pkg:deb/debian/libgcc-s1@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=gcc-12"), "{purl}");
    let jq = find(&doc, "jq");
    let deps: Vec<&str> = jq["depends_on"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(
        deps.iter().any(|d| d.starts_with("pkg:deb/debian/libjq1@")),
        "{deps:?}"
    );
    assert!(
        deps.iter().any(|d| d.starts_with("pkg:deb/debian/libc6@")),
        "{deps:?}"
    );
}

#[test]
fn debian_licenses_come_from_copyright_files_with_evidence() {
    let doc = scan_json(&sample(), &[]);
    let zlib = find(&doc, "zlib1g");
    assert_eq!(zlib["license"]["concluded"], "Zlib");
    let ev = &zlib["license"]["evidence"][0];
    assert_eq!(
        (
            ev["path"].as_str(),
            ev["layer"].as_u64(),
            ev["method"].as_str()
        ),
        (
            Some("usr/share/doc/zlib1g/copyright"),
            Some(0),
            Some("dep5")
        )
    );
    assert!(zlib["copyright"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c.as_str().unwrap().contains("Jean-loup Gailly")));
    // Through the symlinked doc directory.
    let gcc = find(&doc, "libgcc-s1");
    assert_eq!(
        gcc["license"]["evidence"][0]["path"],
        "usr/share/doc/gcc-12-base/copyright"
    );
    // GCC's runtime libraries: the file's own sentence about them, quoted with its lines.
    for (name, item_line) in [("libgcc-s1", 104), ("libstdc++6", 113)] {
        let license = &find(&doc, name)["license"];
        assert_eq!(
            license["concluded"], "GPL-3.0-or-later WITH GCC-exception-3.1",
            "{name}"
        );
        let ev = &license["evidence"][0];
        assert_eq!(ev["method"], "gcc-runtime-library-exception");
        assert_eq!(ev["lines"], serde_json::json!([100, item_line]));
        assert!(license["declared"]
            .as_str()
            .unwrap()
            .starts_with("The following runtime libraries are licensed under the terms of the GNU General Public License (v3 or later) with version 3.1 of the GCC Runtime Library Exception"));
    }
    // gcc-12-base is not a runtime library: the file's references decide, each read in
    // its own paragraph (the evidence gives their first lines).
    let base = &find(&doc, "gcc-12-base")["license"];
    assert_eq!(base["evidence"][0]["method"], "common-licenses-reference");
    assert_eq!(base["evidence"][0]["lines"][0], 96);
    assert!(!base["concluded"]
        .as_str()
        .unwrap()
        .contains("GCC-exception"));
    // A copyright file of a package from our own layer is read from that layer.
    let jq = find(&doc, "jq");
    assert_eq!(jq["license"]["evidence"][0]["layer"], 1);
    assert!(jq["license"]["concluded"].as_str().unwrap().contains("MIT"));
    // A free-form file that names its licenses in prose: the names, with their evidence.
    let crypt = find(&doc, "libcrypt1");
    let concluded = crypt["license"]["concluded"].as_str().unwrap();
    assert!(
        concluded.starts_with("LGPL-2.1-or-later AND "),
        "{concluded}"
    );
    assert_eq!(
        crypt["license"]["evidence"][0]["method"],
        "license-named-in-text"
    );
    assert!(crypt["license"]["declared"]
        .as_str()
        .unwrap()
        .contains("any later version"));
}

#[test]
fn without_evidence_the_license_is_noassertion_with_a_reason() {
    let d = tempfile::tempdir().unwrap();
    oci_layout(
        d.path(),
        &[tar_of(&[
            E::File(
                "var/lib/dpkg/status",
                b"Package: vague\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\n",
            ),
            E::File(
                "usr/share/doc/vague/copyright",
                b"This package is licensed under the GPL, see the BSD-style notice.\n",
            ),
        ])],
    );
    let doc = scan_json(d.path(), &[]);
    let vague = find(&doc, "vague");
    assert_eq!(vague["license"]["concluded"], "NOASSERTION");
    assert!(vague["license"]["reason"]
        .as_str()
        .unwrap()
        .contains("free-form"));
    assert_eq!(vague["license"]["evidence"], serde_json::json!([]));
}

#[test]
fn the_last_layer_to_rewrite_the_status_file_does_not_take_every_package() {
    // syft's default scope would put every package in layer 2, the last status writer.
    let status0 = "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\nPackage: b\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n";
    let status1 = format!(
        "{status0}\nPackage: c\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n"
    );
    let status2 = format!("{status1}\n");
    let d = tempfile::tempdir().unwrap();
    oci_layout(
        d.path(),
        &[
            tar_of(&[E::File("var/lib/dpkg/status", status0.as_bytes())]),
            tar_of(&[E::File("var/lib/dpkg/status", status1.as_bytes())]),
            tar_of(&[E::File("var/lib/dpkg/status", status2.as_bytes())]),
        ],
    );
    let doc = scan_json(d.path(), &[]);
    let layers: Vec<(&str, u64)> = packages(&doc)
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["layer"]["index"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(layers, [("a", 0), ("b", 0), ("c", 1)]);
    assert_eq!(doc["layers"][2]["packages"]["added"], 0);
}

#[test]
fn upgrades_and_removals_are_recorded() {
    let p = |name: &str, v: &str| {
        format!(
            "Package: {name}\nStatus: install ok installed\nVersion: {v}\nArchitecture: amd64\n\n"
        )
    };
    let d = tempfile::tempdir().unwrap();
    oci_layout(
        d.path(),
        &[
            tar_of(&[E::File(
                "var/lib/dpkg/status",
                (p("openssl", "3.0.11") + &p("curl", "7.88")).as_bytes(),
            )]),
            tar_of(&[E::File(
                "var/lib/dpkg/status",
                (p("openssl", "3.0.15") + &p("curl", "7.88")).as_bytes(),
            )]),
            tar_of(&[E::File(
                "var/lib/dpkg/status",
                p("openssl", "3.0.15").as_bytes(),
            )]),
        ],
    );
    let doc = scan_json(d.path(), &[]);
    let ssl = find(&doc, "openssl");
    assert_eq!(ssl["layer"]["index"], 1);
    assert_eq!(ssl["upgraded_from"], "3.0.11");
    assert_eq!(doc["layers"][1]["packages"]["upgraded"], 1);
    // Every version the layers carry: the one layer 1 replaced, then the one layer 2 removed.
    let removed: Vec<(&str, &str, u64, u64, Option<&str>)> = doc["removed_packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap(),
                r["version"].as_str().unwrap(),
                r["added_in"].as_u64().unwrap(),
                r["removed_in"].as_u64().unwrap(),
                r["replaced_by"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        removed,
        [
            ("openssl", "3.0.11", 0, 1, Some("3.0.15")),
            ("curl", "7.88", 0, 2, None)
        ]
    );
    assert_eq!(doc["layers"][2]["packages"]["removed"], 1);
}

#[test]
fn distroless_status_d_files_count_like_status_paragraphs() {
    let para = |name: &str| {
        format!("Package: {name}\nVersion: 1.0\nArchitecture: amd64\nMaintainer: Someone <a@b.c>\n")
    };
    let d = tempfile::tempdir().unwrap();
    oci_layout(
        d.path(),
        &[
            tar_of(&[
                E::File(
                    "var/lib/dpkg/status.d/base-files",
                    para("base-files").as_bytes(),
                ),
                E::File(
                    "var/lib/dpkg/status.d/base-files.md5sums",
                    b"d41d8cd98f00b204e9800998ecf8427e  etc/x\n",
                ),
                E::File("var/lib/dpkg/status.d/tzdata", para("tzdata").as_bytes()),
            ]),
            tar_of(&[E::File(
                "var/lib/dpkg/status.d/libssl3",
                para("libssl3").as_bytes(),
            )]),
        ],
    );
    let doc = scan_json(d.path(), &["--base-layers", "1"]);
    let got: Vec<(&str, u64, &str)> = packages(&doc)
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["layer"]["index"].as_u64().unwrap(),
                p["origin"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("base-files", 0, "base"),
            ("libssl3", 1, "authored"),
            ("tzdata", 0, "base")
        ]
    );
    assert_eq!(doc["base"]["method"], "flag");
}

fn rpm_image(db_path: &str, fixture: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let os = b"NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=39\n";
    oci_layout(
        d.path(),
        &[
            tar_of(&[
                E::File("etc/os-release", os),
                E::File(db_path, &catalog_fixture(fixture)),
            ]),
            tar_of(&[E::File("opt/app/README", b"ours")]),
        ],
    );
    d
}

#[test]
fn rpm_databases_of_every_kind_list_what_rpm_lists() {
    for (db_path, fixture, expected) in [
        (
            "var/lib/rpm/rpmdb.sqlite",
            "rpm/test-fixtures/rpmdb.sqlite",
            "rpm/test-fixtures/rpmdb.sqlite.expected",
        ),
        (
            "usr/lib/sysimage/rpm/rpmdb.sqlite",
            "rpm/test-fixtures/rpmdb-64k.sqlite",
            "rpm/test-fixtures/rpmdb.sqlite.expected",
        ),
        (
            "var/lib/rpm/Packages",
            "rpm/test-fixtures/Packages.bdb",
            "rpm/test-fixtures/Packages.bdb.expected",
        ),
        (
            "var/lib/rpm/Packages.db",
            "rpm/test-fixtures/Packages.db",
            "rpm/test-fixtures/Packages.db.expected",
        ),
    ] {
        let d = rpm_image(db_path, fixture);
        let doc = scan_json(d.path(), &["--base-layers", "1"]);
        let got: BTreeSet<(String, String)> = packages(&doc)
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["version"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(got, rpm_expected(expected), "{fixture}");
        for p in packages(&doc) {
            assert_eq!(p["type"], "rpm");
            assert_eq!(p["layer"]["index"], 0);
            assert_eq!(p["origin"], "base");
            assert!(
                p["purl"].as_str().unwrap().starts_with("pkg:rpm/fedora/"),
                "{}",
                p["purl"]
            );
            assert!(p["license"]["declared"].is_string());
            assert!(p["source"]["name"].as_str().unwrap().ends_with(".src.rpm"));
        }
    }
}

/// A BerkeleyDB `Packages` of 3,000 real headers (rpm/test-fixtures/make_big_bdb.sh), every
/// one on overflow pages and some buckets over two pages, in a root filesystem directory and
/// in an image archive.
#[test]
fn thousands_of_packages_in_berkeley_db_are_listed_whole() {
    let unzstd = |rel: &str| zstd::decode_all(catalog_fixture(rel).as_slice()).unwrap();
    let db = unzstd("rpm/test-fixtures/Packages-big.bdb.zst");
    let image = forms(&[vec![
        E::File(
            "etc/os-release",
            b"NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nVERSION_ID=\"7\"\n",
        ),
        E::File("var/lib/rpm/Packages", &db),
    ]]);
    let expected =
        String::from_utf8(unzstd("rpm/test-fixtures/Packages-big.bdb.expected.zst")).unwrap();
    for (form, doc) in image.scan() {
        assert_eq!(packages(&doc).len(), 3000, "{form}");
        let got: BTreeSet<(String, String)> = packages(&doc)
            .iter()
            .map(|p| {
                assert_eq!(p["type"], "rpm");
                assert_eq!(p["found_in"]["path"], "var/lib/rpm/Packages");
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["version"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(got, rpm_expected_in(&expected), "{form}");
        // Nothing skipped, and the 17 MB file is not over the database size limit.
        let about_the_db: Vec<&Value> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                ["database-damaged", "database-too-large", "capture-missed"]
                    .contains(&f["kind"].as_str().unwrap())
            })
            .collect();
        assert!(about_the_db.is_empty(), "{form}: {about_the_db:?}");
    }
}

#[test]
fn rpm_epochs_go_to_a_purl_qualifier_and_requires_resolve() {
    let d = rpm_image("var/lib/rpm/rpmdb.sqlite", "rpm/test-fixtures/rpmdb.sqlite");
    let doc = scan_json(d.path(), &[]);
    let foo = find(&doc, "layerbom-libfoo");
    assert_eq!(foo["version"], "2:3.1.4-2");
    assert!(
        foo["purl"].as_str().unwrap().contains("epoch=2"),
        "{}",
        foo["purl"]
    );
    assert_eq!(foo["license"]["declared"], "MIT and BSD");
    let edges: usize = packages(&doc)
        .iter()
        .map(|p| p["depends_on"].as_array().unwrap().len())
        .sum();
    assert!(edges > 0, "the fixture has a Requires between two packages");
}

#[test]
fn apk_databases_are_read() {
    let d = tempfile::tempdir().unwrap();
    let os = b"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\n";
    oci_layout(
        d.path(),
        &[tar_of(&[
            E::File("etc/os-release", os),
            E::File(
                "lib/apk/db/installed",
                &catalog_fixture("apk/test-fixtures/installed"),
            ),
        ])],
    );
    let doc = scan_json(d.path(), &[]);
    let musl = find(&doc, "musl");
    assert_eq!(musl["type"], "apk");
    assert!(
        musl["purl"]
            .as_str()
            .unwrap()
            .starts_with("pkg:apk/alpine/musl@"),
        "{}",
        musl["purl"]
    );
    assert!(musl["purl"]
        .as_str()
        .unwrap()
        .contains("distro=alpine-3.18.4"));
    assert_eq!(musl["license"]["declared"], "MIT");
    let utils = find(&doc, "musl-utils");
    assert!(utils["depends_on"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d.as_str().unwrap().contains("/musl@")));
}

#[test]
fn base_image_flag_compares_diff_ids() {
    let base_layer = tar_of(&[E::File(
        "var/lib/dpkg/status",
        b"Package: a\nStatus: install ok installed\nVersion: 1\n",
    )]);
    let ours = tar_of(&[E::File("opt/x", b"1")]);
    let base = tempfile::tempdir().unwrap();
    oci_layout(base.path(), std::slice::from_ref(&base_layer));
    let img = tempfile::tempdir().unwrap();
    oci_layout(img.path(), &[base_layer, ours.clone()]);
    let doc = scan_json(img.path(), &["--base-image", base.path().to_str().unwrap()]);
    assert_eq!(doc["base"]["method"], "base-image");
    assert_eq!(doc["base"]["layers"], 1);
    assert_eq!(find(&doc, "a")["origin"], "base");
    // An unrelated base is reported, and does not decide.
    let other = tempfile::tempdir().unwrap();
    oci_layout(other.path(), &[ours]);
    let doc = scan_json(
        img.path(),
        &["--base-image", other.path().to_str().unwrap()],
    );
    assert_ne!(doc["base"]["method"], "base-image");
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"] == "base-image-mismatch"));
}

#[test]
fn without_evidence_origins_are_unknown() {
    let d = tempfile::tempdir().unwrap();
    oci_layout(
        d.path(),
        &[tar_of(&[E::File(
            "var/lib/dpkg/status",
            b"Package: a\nStatus: install ok installed\nVersion: 1\n",
        )])],
    );
    let doc = scan_json(d.path(), &[]);
    assert_eq!(doc["base"]["method"], "none");
    assert_eq!(doc["layers"][0]["origin"], "unknown");
    assert_eq!(find(&doc, "a")["origin"], "unknown");
}

#[test]
fn the_table_shows_origin_and_package_counts() {
    let out = layerbom(&[
        "scan",
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/demo.tar")
            .to_str()
            .unwrap(),
        "-q",
    ]);
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(t.contains("Base      1 layer, by history"), "{t}");
    assert!(
        t.contains("12 in all: 9 from the base image, 3 added by our layers"),
        "{t}"
    );
}

/// The control files of a `status.d` listing made by bench/make-images.sh (one file name
/// a line; each control file is `dpkg-deb --field` of the real .deb).
fn listed(name: &str) -> BTreeSet<String> {
    std::fs::read_to_string(fixture(name))
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.ends_with(".md5sums"))
        .map(str::to_string)
        .collect()
}

#[test]
fn distroless_image_made_with_buildah() {
    let doc = scan_json(&fixture("distroless-like.tar"), &["--base-layers", "1"]);
    let layer0 = listed("distroless-like.layer0.status.d.txt");
    let got: BTreeSet<String> = packages(&doc)
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    // Each listing holds what its layer adds.
    let all: BTreeSet<String> = layer0
        .union(&listed("distroless-like.layer1.status.d.txt"))
        .cloned()
        .collect();
    assert_eq!(got, all);
    for p in packages(&doc) {
        let name = p["name"].as_str().unwrap();
        let first = if layer0.contains(name) { 0 } else { 1 };
        assert_eq!(p["layer"]["index"], first, "{name}");
        assert_eq!(
            p["found_in"]["path"],
            format!("var/lib/dpkg/status.d/{name}")
        );
    }
    assert_eq!(find(&doc, "zlib1g")["version"], "1:1.2.13.dfsg-1");
}

/// The real Debian image of bench/make-images.sh (a few hundred MB, not committed): every
/// package's layer is the first layer in which dpkg-query reports that version. Run with
/// `LAYERBOM_IMAGES=/work/images cargo test --release -- --ignored`.
#[test]
#[ignore = "needs the images built by bench/make-images.sh (set LAYERBOM_IMAGES)"]
fn debian_app_attribution_equals_dpkg_query() {
    let dir = std::path::PathBuf::from(std::env::var("LAYERBOM_IMAGES").expect("LAYERBOM_IMAGES"));
    let per_layer: Vec<BTreeSet<(String, String, String)>> = (0..4)
        .map(|i| {
            std::fs::read_to_string(dir.join(format!("debian-app.layer{i}.dpkg.tsv")))
                .unwrap()
                .lines()
                .filter(|l| l.ends_with("ii ") || l.ends_with("ii"))
                .map(|l| {
                    let f: Vec<&str> = l.split('\t').collect();
                    (f[0].to_string(), f[1].to_string(), f[2].to_string())
                })
                .collect()
        })
        .collect();
    for form in ["docker", "oci-gzip", "oci-zstd"] {
        let doc = scan_json(&dir.join(format!("debian-app.{form}.tar")), &[]);
        let got: BTreeSet<(String, String, String)> = packages(&doc)
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().into(),
                    p["version"].as_str().unwrap().into(),
                    p["arch"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(got, per_layer[3], "{form}");
        for p in packages(&doc) {
            let k = (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
                p["arch"].as_str().unwrap().to_string(),
            );
            let first = (0..4)
                .find(|&i| (i..4).all(|j| per_layer[j].contains(&k)))
                .unwrap();
            assert_eq!(p["layer"]["index"], first, "{form} {k:?}");
        }
        let removed: BTreeSet<&str> = doc["removed_packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["replaced_by"].is_null())
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        let want: BTreeSet<&str> = per_layer[1]
            .difference(&per_layer[2])
            .map(|k| k.0.as_str())
            .filter(|n| !per_layer[2].iter().any(|k| k.0 == *n))
            .collect();
        assert_eq!(removed, want, "{form}");
        assert_eq!(doc["base"]["layers"], 1);
        // Layer 2 deletes the links of 15 CAs, as a ca-certificates upgrade that drops CAs
        // does: public certificates behind symlinks, never a deleted secret.
        assert!(
            doc["layers"][2]["whiteouts"].as_u64().unwrap() >= 30,
            "{form}"
        );
        let secrets: Vec<&Value> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "deleted-secret")
            .collect();
        assert!(secrets.is_empty(), "{form}: {secrets:?}");
        // The layer table equals what skopeo inspect --config / --raw recorded.
        let read = |f: String| -> Value {
            serde_json::from_slice(&std::fs::read(dir.join(f)).unwrap()).unwrap()
        };
        let config = read(format!("debian-app.{form}.config.json"));
        let manifest = read(format!("debian-app.{form}.manifest.json"));
        let layers = doc["layers"].as_array().unwrap();
        let diff_ids: Vec<&Value> = layers.iter().map(|l| &l["diff_id"]).collect();
        assert_eq!(
            diff_ids,
            config["rootfs"]["diff_ids"]
                .as_array()
                .unwrap()
                .iter()
                .collect::<Vec<_>>()
        );
        let steps: Vec<&Value> = config["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["empty_layer"] != true)
            .map(|h| &h["created_by"])
            .collect();
        assert_eq!(
            layers.iter().map(|l| &l["created_by"]).collect::<Vec<_>>(),
            steps
        );
        let sizes: Vec<&Value> = manifest["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| &l["size"])
            .collect();
        assert_eq!(layers.iter().map(|l| &l["size"]).collect::<Vec<_>>(), sizes);
    }
}

#[test]
fn dockerfile_final_stage_marks_our_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let df = root.join("samples/Dockerfile");
    let doc = scan_json(
        &root.join("samples/demo.tar"),
        &["--dockerfile", df.to_str().unwrap()],
    );
    assert_eq!(doc["base"]["method"], "dockerfile");
    assert_eq!(doc["base"]["layers"], 1);
    assert_eq!(doc["base"]["name"], "debian:bookworm-slim");
    assert_eq!(find(&doc, "jq")["origin"], "authored");
    assert_eq!(find(&doc, "libc6")["origin"], "base");
    // A Dockerfile of some other image is reported and does not decide.
    let d = tempfile::tempdir().unwrap();
    let other = write(
        d.path(),
        "Dockerfile",
        b"FROM alpine:3.20\nRUN apk add --no-cache curl\n",
    );
    let doc = scan_json(
        &root.join("samples/demo.tar"),
        &["--dockerfile", other.to_str().unwrap()],
    );
    assert_eq!(doc["base"]["method"], "history");
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"] == "dockerfile-mismatch"));
    // An unreadable Dockerfile is a usage error.
    let out = layerbom(&[
        "scan",
        root.join("samples/demo.tar").to_str().unwrap(),
        "--dockerfile",
        "/nonexistent/Dockerfile",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// The package set dpkg-query reports for a status file (installed packages only).
fn dpkg_query(status: &[u8]) -> BTreeSet<(String, String, String)> {
    let admin = tempfile::tempdir().unwrap();
    std::fs::write(admin.path().join("status"), status).unwrap();
    std::fs::create_dir(admin.path().join("info")).unwrap();
    std::fs::create_dir(admin.path().join("updates")).unwrap();
    let out = std::process::Command::new("dpkg-query")
        .arg(format!("--admindir={}", admin.path().display()))
        .args([
            "-W",
            "-f",
            "${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\n",
        ])
        .output()
        .expect("dpkg-query (from Debian's dpkg) is needed for this test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.ends_with("ii "))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), f[1].to_string(), f[2].to_string())
        })
        .collect()
}

/// The var/lib/dpkg/status of each layer of the sample, read with the tar crate.
fn sample_status_per_layer() -> Vec<Option<Vec<u8>>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: Value = {
        let mut a = tar::Archive::new(std::fs::File::open(root.join("samples/demo.tar")).unwrap());
        let mut e = a
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .find(|e| e.path().unwrap().to_str() == Some("manifest.json"))
            .unwrap();
        serde_json::from_reader(&mut e).unwrap()
    };
    manifest[0]["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|layer| {
            let mut a =
                tar::Archive::new(std::fs::File::open(root.join("samples/demo.tar")).unwrap());
            let mut e = a
                .entries()
                .unwrap()
                .map(|e| e.unwrap())
                .find(|e| e.path().unwrap().to_str() == layer.as_str())
                .unwrap();
            let mut inner = tar::Archive::new(&mut e);
            let found = inner
                .entries()
                .unwrap()
                .map(|f| f.unwrap())
                .find(|f| f.path().unwrap().to_str() == Some("var/lib/dpkg/status"));
            found.map(|mut f| {
                let mut v = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut v).unwrap();
                v
            })
        })
        .collect()
}

#[test]
fn the_sample_matches_dpkg_query_layer_by_layer() {
    // What dpkg-query reports for the filesystem as of each layer (the status file of the
    // topmost layer that has one).
    let mut views = Vec::new();
    let mut current = None;
    for status in sample_status_per_layer() {
        if status.is_some() {
            current = status;
        }
        views.push(current.as_deref().map(dpkg_query).unwrap_or_default());
    }
    let doc = scan_json(&sample(), &[]);
    let got: BTreeSet<(String, String, String)> = packages(&doc)
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().into(),
                p["version"].as_str().unwrap().into(),
                p["arch"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(&got, views.last().unwrap());
    for p in packages(&doc) {
        let k = (
            p["name"].as_str().unwrap().to_string(),
            p["version"].as_str().unwrap().to_string(),
            p["arch"].as_str().unwrap().to_string(),
        );
        let first = (0..views.len())
            .find(|&i| (i..views.len()).all(|j| views[j].contains(&k)))
            .unwrap();
        assert_eq!(
            p["layer"]["index"].as_u64().unwrap() as usize,
            first,
            "{k:?}"
        );
    }
}
