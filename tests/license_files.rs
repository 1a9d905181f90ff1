//! License files in the layers, as the native JSON reports them.

mod common;

use common::*;

const APACHE: &str = include_str!("../src/license/test-fixtures/text/Apache-2.0");
const MPL: &str = include_str!("../src/license/test-fixtures/text/MPL-2.0");

#[test]
fn the_sample_reports_its_authored_license_file() {
    let doc = scan_json(&sample(), &[]);
    let files = doc["license_files"].as_array().unwrap();
    let app: Vec<_> = files.iter().filter(|f| f["origin"] == "authored").collect();
    assert_eq!(app.len(), 1, "{files:#?}");
    assert_eq!(app[0]["path"], "opt/demo/LICENSE");
    assert_eq!(app[0]["layer"], 2);
    assert_eq!(app[0]["spdx"], "MIT");
    assert!(app[0]["confidence"].as_f64().unwrap() >= 0.9);
    // Debian's per-package copyright files are package evidence, not license files.
    assert!(files
        .iter()
        .all(|f| !f["path"].as_str().unwrap().ends_with("/copyright")));
}

#[test]
fn every_copy_in_every_layer_is_reported_with_its_visibility() {
    let d = tempfile::tempdir().unwrap();
    oci_layout(
        d.path(),
        &[
            tar_of(&[
                E::Dir("opt/"),
                E::File("opt/lib/LICENSE", APACHE.as_bytes()),
                E::File("opt/lib/License.pm", b"package Software::License;\n"),
            ]),
            tar_of(&[
                E::File("opt/lib/.wh.LICENSE", b""),
                E::File("srv/app/COPYING.txt", MPL.as_bytes()),
                E::File(
                    "srv/app/NOTICE",
                    b"This product includes software from the Foo project.\n",
                ),
            ]),
        ],
    );
    let doc = scan_json(d.path(), &["--base-layers", "1"]);
    let got: Vec<(String, u64, String, bool, String)> = doc["license_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["layer"].as_u64().unwrap(),
                f["spdx"].as_str().unwrap().to_string(),
                f["visible"].as_bool().unwrap(),
                f["origin"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        got,
        [
            (s("opt/lib/LICENSE"), 0, s("Apache-2.0"), false, s("base")),
            (
                s("srv/app/COPYING.txt"),
                1,
                s("MPL-2.0"),
                true,
                s("authored")
            ),
            (
                s("srv/app/NOTICE"),
                1,
                s("NOASSERTION"),
                true,
                s("authored")
            ),
        ]
    );
    let notice = &doc["license_files"][2];
    assert!(notice["reason"]
        .as_str()
        .unwrap()
        .contains("matches no SPDX"));
}
