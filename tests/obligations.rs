//! End-to-end tests of the obligations documents, the NOTICE file and the policy exit
//! codes, on the sample image (a Debian base layer and two authored layers).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use common::{layerbom, sample};

/// Runs `layerbom scan IMAGE -q ARGS` with a fixed SOURCE_DATE_EPOCH.
/// The source archives every scan here is given, on a neutral host.
const ARCHIVES: [&str; 3] = [
    "debian=https://archive.example/package/{name}/{version}/",
    "fedora=https://archive.example/packages/{name}/{version}/{release}/src/{file}",
    "alpine=https://archive.example/aports/-/tree/{commit}",
];

fn run(image: &Path, args: &[&str]) -> Output {
    let mut all = vec!["scan", image.to_str().unwrap(), "-q"];
    for a in ARCHIVES {
        all.extend(["--source-archive", a]);
    }
    all.extend_from_slice(args);
    std::process::Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_NO_CACHE", "1")
        .args(&all)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("run layerbom")
}

fn stdout_of(image: &Path, args: &[&str]) -> String {
    let out = run(image, args);
    assert!(
        out.status.success(),
        "layerbom {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn obligations(image: &Path, delivery: &str) -> Value {
    let text = stdout_of(
        image,
        &[
            "--base-layers",
            "1",
            "--delivery",
            delivery,
            "-o",
            "obligations-json",
        ],
    );
    serde_json::from_str(&text).unwrap()
}

/// One package as the image's own dpkg status file says, read here without layerbom.
#[derive(Debug)]
struct Status {
    version: String,
    source_name: String,
    source_version: String,
}

/// Parses a dpkg status file: the source is `Source: name (version)`, `Source: name` (the
/// binary's version) or absent (the package itself).
fn parse_status(text: &str) -> BTreeMap<String, Status> {
    let mut out = BTreeMap::new();
    for para in text.split("\n\n") {
        let field = |name: &str| {
            para.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .map(str::trim)
        };
        let Some(package) = field("Package") else {
            continue;
        };
        if !field("Status").is_some_and(|s| s.ends_with(" installed")) {
            continue;
        }
        let version = field("Version").unwrap().to_string();
        let (source_name, source_version) = match field("Source") {
            None => (package.to_string(), version.clone()),
            Some(s) => match s.split_once(" (") {
                Some((n, v)) => (n.to_string(), v.trim_end_matches(')').to_string()),
                None => (s.to_string(), version.clone()),
            },
        };
        out.insert(
            package.to_string(),
            Status {
                version,
                source_name,
                source_version,
            },
        );
    }
    out
}

/// The top-most `var/lib/dpkg/status` of a docker-save archive with uncompressed layers.
fn dpkg_status_of(image: &Path) -> String {
    let bytes = std::fs::read(image).unwrap();
    let member = |name: &str| -> Vec<u8> {
        let mut ar = tar::Archive::new(bytes.as_slice());
        for e in ar.entries().unwrap() {
            let mut e = e.unwrap();
            if e.path().unwrap().to_str() == Some(name) {
                let mut v = Vec::new();
                e.read_to_end(&mut v).unwrap();
                return v;
            }
        }
        panic!("{name} not in {}", image.display());
    };
    let manifest: Value = serde_json::from_slice(&member("manifest.json")).unwrap();
    let mut status = None;
    for layer in manifest[0]["Layers"].as_array().unwrap() {
        let blob = member(layer.as_str().unwrap());
        let mut ar = tar::Archive::new(blob.as_slice());
        for e in ar.entries().unwrap() {
            let mut e = e.unwrap();
            let path = e.path().unwrap().to_string_lossy().into_owned();
            if path.trim_start_matches("./") == "var/lib/dpkg/status" {
                let mut s = String::new();
                e.read_to_string(&mut s).unwrap();
                status = Some(s);
            }
        }
    }
    status.expect("a dpkg status file")
}

/// The Debian archive's URL for a source version, encoded here independently.
fn archive_url(name: &str, version: &str) -> String {
    let v = version
        .replace('%', "%25")
        .replace(':', "%3A")
        .replace('+', "%2B")
        .replace('~', "%7E");
    format!("https://archive.example/package/{name}/{v}/")
}

/// Checks every source entry against the image's own dpkg status.
fn check_sources_against_status(ob: &Value, status: &BTreeMap<String, Status>) {
    for s in ob["sources"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        let version = s["version"].as_str().unwrap();
        for p in s["packages"].as_array().unwrap() {
            let pkg = p["name"].as_str().unwrap();
            let st = &status[pkg];
            assert_eq!(p["version"], st.version.as_str(), "{pkg}");
            assert_eq!(
                (name, version),
                (st.source_name.as_str(), st.source_version.as_str()),
                "{pkg}: source entry vs the image's Source: field"
            );
        }
        assert_eq!(s["obtain"]["url"], archive_url(name, version).as_str());
        assert_eq!(
            s["obtain"]["command"],
            format!("apt-get source {name}={version}").as_str()
        );
    }
}

fn names(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

fn covered(ob: &Value) -> BTreeSet<String> {
    ob["sources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["packages"].as_array().unwrap().iter())
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn image_delivery_lists_every_gpl_package_under_its_real_source_package() {
    let ob = obligations(&sample(), "image");
    let status = parse_status(&dpkg_status_of(&sample()));
    assert_eq!(ob["schema"], "layerbom-obligations/v1");
    assert_eq!(ob["delivery"]["mode"], "image");
    assert_eq!(ob["packages"].as_array().unwrap().len(), status.len());
    check_sources_against_status(&ob, &status);
    let covered = covered(&ob);
    for p in ob["packages"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        let license = p["license"].as_str().unwrap();
        if license.contains("GPL") {
            assert!(
                covered.contains(name),
                "{name} ({license}) has no source entry"
            );
        }
        let categories = p["categories"].as_array().unwrap();
        if categories
            .iter()
            .all(|c| c == "permissive" || c == "public-domain")
        {
            assert!(!covered.contains(name), "{name} is permissive only");
        }
    }
    // glibc's libc6 (LGPL and GPL) and gcc-12's three binaries are grouped by source.
    let gcc = ob["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "gcc-12")
        .unwrap();
    assert_eq!(
        names(&gcc["packages"]),
        ["gcc-12-base", "libgcc-s1", "libstdc++6"]
            .map(String::from)
            .into()
    );
    assert!(covered.contains("libc6"));
    assert!(!covered.contains("zlib1g"), "Zlib asks for no source");
    // libgcc-s1 and libstdc++6 are GPL-3.0-or-later WITH GCC-exception-3.1: weak copyleft
    // (programs linking them are free of the copyleft), their own source still owed.
    for name in ["libgcc-s1", "libstdc++6"] {
        let p = ob["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap();
        assert_eq!(p["license"], "GPL-3.0-or-later WITH GCC-exception-3.1");
        assert_eq!(p["category"], "weak-copyleft", "{name}");
        assert_eq!(p["terms"][0]["exception"], "GCC-exception-3.1");
        assert!(p["duties"]
            .as_array()
            .unwrap()
            .contains(&Value::from("source-offer")));
    }
}

#[test]
fn layers_delivery_lists_only_authored_layer_packages() {
    let ob = obligations(&sample(), "layers");
    assert_eq!(
        ob["delivery"]["distributed_layers"],
        serde_json::json!([1, 2])
    );
    assert_eq!(
        ob["delivery"]["not_distributed_layers"],
        serde_json::json!([0])
    );
    let want: BTreeSet<String> = ["jq", "libjq1", "libonig5"].map(String::from).into();
    assert_eq!(names(&ob["packages"]), want);
    // The libraries are under their permissive licenses (their source package's GPL
    // covers Debian's packaging, which they do not install): only jq owes its source.
    assert_eq!(covered(&ob), BTreeSet::from(["jq".to_string()]));
    assert!(ob["packages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["origin"] == "authored"));
    let nd = names(&ob["not_distributed"]);
    assert!(
        nd.contains("libc6") && nd.contains("zlib1g") && nd.len() == 9,
        "{nd:?}"
    );
    check_sources_against_status(&ob, &parse_status(&dpkg_status_of(&sample())));
}

#[test]
fn dockerfile_delivery_asks_only_for_a_license_on_the_dockerfile() {
    let ob = obligations(&sample(), "dockerfile");
    assert!(ob["packages"].as_array().unwrap().is_empty());
    assert!(ob["sources"].as_array().unwrap().is_empty());
    assert_eq!(ob["not_distributed"].as_array().unwrap().len(), 12);
    assert_eq!(
        ob["other_duties"],
        serde_json::json!(["dockerfile-license"])
    );
    let md = stdout_of(
        &sample(),
        &["--delivery", "dockerfile", "-o", "obligations-md"],
    );
    assert!(md.contains("**License the Dockerfile**"), "{md}");
}

#[test]
fn the_csv_has_one_row_per_covered_binary_and_the_markdown_one_section_per_source() {
    let ob = obligations(&sample(), "image");
    let csv = stdout_of(&sample(), &["--base-layers", "1", "-o", "obligations-csv"]);
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[0].starts_with("source_type,source_name,source_version"));
    assert_eq!(rows.len() - 1, covered(&ob).len());
    assert!(csv.contains(
        "deb,glibc,2.36-9+deb12u14,,apt-get source glibc=2.36-9+deb12u14,https://archive.example/package/glibc/2.36-9%2Bdeb12u14/,"
    ));
    let md = stdout_of(&sample(), &["--base-layers", "1", "-o", "obligations-md"]);
    for s in ob["sources"].as_array().unwrap() {
        let heading = format!(
            "### {} {}\n",
            s["name"].as_str().unwrap(),
            s["version"].as_str().unwrap().replace('~', "\\~")
        );
        assert!(md.contains(&heading), "{heading}");
        assert!(md.contains(s["obtain"]["url"].as_str().unwrap()));
    }
    // Every license in the sample is identified: nothing to review.
    assert!(!md.contains("## Licenses to review"));
    let md = stdout_of(&vague_image().path().join("img"), &["-o", "obligations-md"]);
    assert!(md.contains("## Licenses to review"), "{md}");
    assert!(md.contains("vague"), "{md}");
}

/// An OCI layout (in `img/` of the returned directory) with one Debian package whose
/// copyright file names no license precisely, so it is `NOASSERTION`.
fn vague_image() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let img = d.path().join("img");
    std::fs::create_dir(&img).unwrap();
    common::oci_layout(
        &img,
        &[common::tar_of(&[
            common::E::File(
                "var/lib/dpkg/status",
                b"Package: vague\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\n",
            ),
            common::E::File(
                "usr/share/doc/vague/copyright",
                b"This package is licensed under the GPL, see the BSD-style notice.\n",
            ),
        ])],
    );
    d
}

#[test]
fn documents_are_byte_identical_across_runs() {
    for format in [
        "obligations-json",
        "obligations-md",
        "obligations-csv",
        "notice",
    ] {
        let a = stdout_of(&sample(), &["-o", format]);
        let b = stdout_of(&sample(), &["-o", format]);
        assert_eq!(a, b, "{format}");
    }
}

#[test]
fn the_notice_has_every_copyright_line_and_every_license_text_once() {
    let report = stdout_of(&sample(), &["-o", "json"]);
    let report: Value = serde_json::from_str(&report).unwrap();
    let ob = obligations(&sample(), "image");
    let notice = stdout_of(&sample(), &["-o", "notice"]);
    for p in report["packages"].as_array().unwrap() {
        for line in p["copyright"].as_array().unwrap() {
            let line = line.as_str().unwrap();
            assert!(notice.contains(line), "{}: {line:?} missing", p["name"]);
        }
    }
    // Every SPDX license term that applies has its text, each text printed once.
    let mut ids = BTreeSet::new();
    for p in ob["packages"].as_array().unwrap() {
        for t in p["terms"].as_array().unwrap() {
            let id = t["license"].as_str().unwrap();
            if !id.starts_with("LicenseRef-") && id != "NOASSERTION" {
                ids.insert(id.to_string());
            }
            // An exception's text is owed too (GCC-exception-3.1 for libgcc-s1).
            if let Some(e) = t["exception"].as_str() {
                ids.insert(e.to_string());
            }
        }
    }
    let headers: Vec<&str> = notice
        .lines()
        .filter(|l| l.starts_with('[') && l.contains("] "))
        .collect();
    for id in &ids {
        let n = headers
            .iter()
            .filter(|h| {
                h.rsplit_once(" (").is_some_and(|(_, list)| {
                    list.trim_end_matches(')').split(", ").any(|x| x == id)
                })
            })
            .count();
        assert_eq!(n, 1, "{id} in {headers:?}");
    }
    assert_eq!(
        notice
            .matches("GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991")
            .count(),
        1
    );
    // jq's DEP-5 file names its license MIT and gives the Expat text under it: MIT.
    assert!(!notice.contains("LicenseRef-Debian-MIT"), "{notice}");
    assert!(notice.contains("(MIT)"), "{notice}");
}

#[test]
fn a_user_template_replaces_the_notice_and_a_broken_one_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("n.j2");
    std::fs::write(
        &good,
        "{% for c in components %}{% for p in c.packages %}{{ p.name }}\n{% endfor %}{% endfor %}",
    )
    .unwrap();
    let out = stdout_of(
        &sample(),
        &[
            "--base-layers",
            "1",
            "--delivery",
            "layers",
            "--template",
            good.to_str().unwrap(),
            "-o",
            "notice",
        ],
    );
    assert_eq!(out, "jq\nlibjq1\nlibonig5\n");
    let bad = dir.path().join("bad.j2");
    std::fs::write(&bad, "{% for %}").unwrap();
    let out = run(
        &sample(),
        &["--template", bad.to_str().unwrap(), "-o", "notice"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not valid"));
    assert!(out.stdout.is_empty());
}

#[test]
fn policy_failures_exit_1_naming_package_layer_license_category_and_rule() {
    let out = run(
        &sample(),
        &[
            "--base-layers",
            "1",
            "--fail-on",
            "strong-copyleft",
            "-o",
            "obligations-json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!out.stdout.is_empty(), "documents are still written");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("policy failed"), "{err}");
    assert!(
        err.contains("jq 1.6-2.1+deb12u3 (layer 1, authored): license MIT AND CC-BY-3.0 AND GPL-2.0-or-later, category strong-copyleft: matches --fail-on strong-copyleft"),
        "{err}"
    );
    assert!(
        !err.contains("zlib1g") && !err.contains("libonig5"),
        "{err}"
    );
}

#[test]
fn policy_passes_when_nothing_distributed_matches() {
    let out = run(
        &sample(),
        &["--fail-on", "network-copyleft,non-free", "-o", "json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // gcc-12's GPL-3.0-or-later is in the base layer: only `image` delivery ships it.
    let args = |d| {
        vec![
            "--base-layers",
            "1",
            "--delivery",
            d,
            "--deny",
            "GPL-3.0",
            "-o",
            "json",
        ]
    };
    assert_eq!(run(&sample(), &args("layers")).status.code(), Some(0));
    let out = run(&sample(), &args("image"));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("libgcc-s1") && err.contains("--deny GPL-3.0"),
        "{err}"
    );
}

#[test]
fn deny_ids_are_read_in_any_case_and_named_as_spdx_spells_them() {
    // SPDX ids are case-insensitive: `gpl-3.0` is GPL-3.0, and the policy names it so.
    let out = run(&sample(), &["--deny", "gpl-3.0", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("libgcc-s1") && err.contains("matches --deny GPL-3.0:"),
        "{err}"
    );
    let out = run(&sample(), &["--deny", "gcc-exception-3.1", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--deny GCC-exception-3.1:"), "{err}");
    // Still no id: a usage error before the scan.
    let out = run(&sample(), &["--deny", "gpl", "-o", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not an SPDX license"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unknown_licenses_can_be_made_to_fail() {
    let args = ["--fail-on", "unknown", "-o", "json"];
    assert_eq!(run(&sample(), &args).status.code(), Some(0));
    let d = vague_image();
    let out = run(&d.path().join("img"), &args);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("vague") && err.contains("NOASSERTION is unknown"),
        "{err}"
    );
}

#[test]
fn bad_policy_or_delivery_values_are_usage_errors() {
    for args in [
        ["--fail-on", "copyleft"],
        ["--deny", "GPL"],
        ["--delivery", "registry"],
    ] {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        let out = run(&sample(), &all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn help_lists_the_new_options() {
    let out = layerbom(&["scan", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--delivery",
        "--fail-on",
        "--deny",
        "--template",
        "obligations-md",
    ] {
        assert!(help.contains(flag), "{flag}");
    }
}

/// Checks the source list of a real 154-package Debian image against its final dpkg
/// status, recorded by bench/make-images.sh:
/// `LAYERBOM_IMAGES=/work/images cargo test --release --test obligations -- --ignored`.
#[test]
#[ignore = "needs the images built by bench/make-images.sh (set LAYERBOM_IMAGES)"]
fn real_debian_image_sources_match_dpkg_status() {
    let dir = std::path::PathBuf::from(std::env::var("LAYERBOM_IMAGES").expect("LAYERBOM_IMAGES"));
    let image = dir.join("debian-app.docker.tar");
    let status =
        parse_status(&std::fs::read_to_string(dir.join("debian-app.layer3.dpkg-status")).unwrap());
    let ob = obligations(&image, "image");
    assert_eq!(ob["packages"].as_array().unwrap().len(), status.len());
    check_sources_against_status(&ob, &status);
    // The NOTICE has every copyright statement and the text of every LicenseRef- term that
    // applies (line breaks aside: one text met twice is printed as first met).
    let report: Value = serde_json::from_str(&stdout_of(&image, &["-o", "json"])).unwrap();
    let notice = stdout_of(&image, &["-o", "notice"]);
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat_notice = flat(&notice);
    let packages = ob["packages"].as_array().unwrap();
    for p in report["packages"].as_array().unwrap() {
        for line in p["copyright"].as_array().unwrap() {
            assert!(
                notice.contains(line.as_str().unwrap()),
                "{}: {line}",
                p["name"]
            );
        }
        let terms: Vec<&str> = packages.iter().find(|o| o["name"] == p["name"]).unwrap()["terms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["license"].as_str().unwrap())
            .collect();
        if let Some(texts) = p["license"]["texts"].as_object() {
            for (id, text) in texts.iter().filter(|(id, _)| terms.contains(&id.as_str())) {
                assert!(
                    flat_notice.contains(&flat(text.as_str().unwrap())),
                    "{}: {id}",
                    p["name"]
                );
            }
        }
    }
    let layers = obligations(&image, "layers");
    assert!(layers["packages"].as_array().unwrap().len() < status.len());
    assert!(layers["packages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["origin"] != "base"));
}

/// A root filesystem directory with an os-release and one package database.
fn rootfs(os_release: &str, db_path: &str, fixture: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let put = |rel: &str, bytes: &[u8]| {
        let p = d.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    put("etc/os-release", os_release.as_bytes());
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/catalog")
        .join(fixture);
    put(db_path, &std::fs::read(src).unwrap());
    d
}

fn source_named<'a>(ob: &'a Value, name: &str) -> &'a Value {
    ob["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no source {name} in {}", ob["sources"]))
}

#[test]
fn rpm_sources_are_their_srpm_files() {
    let d = rootfs(
        "NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=39\n",
        "var/lib/rpm/rpmdb.sqlite",
        "rpm/test-fixtures/rpmdb.sqlite",
    );
    let ob = obligations(d.path(), "image");
    let s = source_named(&ob, "layerbom-base-1.0-1.src.rpm");
    assert_eq!(s["type"], "rpm");
    assert_eq!(s["obtain"]["file"], "layerbom-base-1.0-1.src.rpm");
    assert_eq!(
        s["obtain"]["url"],
        "https://archive.example/packages/layerbom-base/1.0/1/src/layerbom-base-1.0-1.src.rpm"
    );
    assert_eq!(names(&s["packages"]), ["layerbom-base".to_string()].into());
}

#[test]
fn apk_sources_are_their_origins_at_the_aports_commit() {
    let d = rootfs(
        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\n",
        "lib/apk/db/installed",
        "apk/test-fixtures/installed",
    );
    let ob = obligations(d.path(), "image");
    let s = source_named(&ob, "busybox");
    assert_eq!(s["version"], "1.36.1-r2");
    assert_eq!(s["commit"], "2684a6593b10051f8f9fcb01e4734e2d9533b0ea");
    assert_eq!(
        s["obtain"]["url"],
        "https://archive.example/aports/-/tree/2684a6593b10051f8f9fcb01e4734e2d9533b0ea"
    );
    assert_eq!(names(&s["packages"]), ["ssl_client".to_string()].into());
    let base = source_named(&ob, "alpine-baselayout");
    assert_eq!(base["packages"].as_array().unwrap().len(), 2);
    assert!(
        ob["sources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["name"] != "zlib"),
        "Zlib asks for no source"
    );
}
