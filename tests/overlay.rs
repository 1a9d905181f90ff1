//! The overlay of real fixture images: the merged filesystem as of each layer equals what
//! umoci unpacked, whiteouts and opaque directories included, and captured files are
//! found through symlinked directories and hard links.

mod common;

use std::collections::BTreeMap;

use common::*;
use layerbom::overlay::Overlay;
use layerbom::pipeline::{read_image, Options, Scanned};
use layerbom::scan::{CaptureRules, Content};

fn rules() -> CaptureRules {
    CaptureRules::builder()
        .want("usr/share/doc/*/copyright", 1 << 20)
        .want("usr/bin/*", 1 << 20)
        .want("etc/os-release", 1 << 16)
        .build()
}

fn open(name: &str) -> Scanned {
    read_image(&fixture(name), &Options::default(), &rules()).unwrap()
}

/// path → (kind, link target) of everything visible as of `as_of`.
fn view(s: &Scanned, as_of: usize) -> BTreeMap<String, (String, Option<String>)> {
    let o = Overlay::new(s.layers.iter().map(|l| l.as_ref()).collect());
    o.visible_under("", as_of)
        .into_iter()
        .map(|v| {
            let kind = serde_json::to_value(v.entry.kind)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string();
            (v.entry.path.clone(), (kind, v.entry.link.clone()))
        })
        .collect()
}

fn expected_view(name: &str) -> BTreeMap<String, (String, Option<String>)> {
    expected(name)["final_fs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let link = e
                .get("target")
                .or_else(|| e.get("link"))
                .and_then(|t| t.as_str())
                .map(str::to_string);
            (
                e["path"].as_str().unwrap().to_string(),
                (e["kind"].as_str().unwrap().to_string(), link),
            )
        })
        .collect()
}

#[test]
fn final_view_matches_umoci_for_every_layered_form() {
    for (file, name) in [
        ("docker-archive.tar", "docker-archive"),
        ("docker-legacy.tar", "docker-legacy"),
        ("docker25.tar", "docker25"),
        ("docker-containerd.tar", "docker-containerd"),
        ("oci-gzip", "oci-gzip"),
        ("oci-zstd.tar", "oci-zstd"),
        ("oci-uncompressed", "oci-uncompressed"),
    ] {
        let s = open(file);
        assert_eq!(view(&s, 2), expected_view(name), "{file}");
    }
}

#[test]
fn rootfs_tar_view_matches() {
    for file in ["rootfs.tar", "rootfs.tar.gz", "rootfs.tar.zst"] {
        let s = open(file);
        assert_eq!(view(&s, 0), expected_view("rootfs-tar"), "{file}");
    }
}

#[test]
fn rootfs_dir_view_matches_up_to_git_hard_links() {
    let s = open("rootfs-dir");
    let mut want = expected_view("rootfs-dir");
    let mut got = view(&s, 0);
    // git checks hard links out as separate files; compare the rest exactly.
    want.remove("usr/bin/tool-alias");
    got.remove("usr/bin/tool-alias");
    assert_eq!(got, want);
}

#[test]
fn each_layer_has_its_own_view() {
    let s = open("oci-gzip");
    let v0 = view(&s, 0);
    assert!(v0.contains_key("etc/secret.key"));
    assert!(v0.contains_key("etc/app/a.conf"));
    assert!(v0.contains_key("etc/app/b.conf"));
    let v1 = view(&s, 1);
    assert!(!v1.contains_key("etc/secret.key"), "whiteout in layer 1");
    assert!(!v1.contains_key("etc/app/a.conf"), "whiteout in layer 1");
    assert!(v1.contains_key("etc/app/b.conf"));
    let v2 = view(&s, 2);
    let app: Vec<&String> = v2.keys().filter(|k| k.starts_with("etc/app/")).collect();
    assert_eq!(
        app,
        ["etc/app/c.conf"],
        "opaque dir in layer 2 hides b.conf"
    );
}

#[test]
fn the_layer_that_supplies_a_path() {
    let s = open("docker-archive.tar");
    let o = Overlay::new(s.layers.iter().map(|l| l.as_ref()).collect());
    assert_eq!(o.entry("etc/os-release", 2).unwrap().layer, 0);
    assert_eq!(o.entry("opt/app/main.txt", 2).unwrap().layer, 1);
    assert_eq!(o.entry("etc/app/c.conf", 2).unwrap().layer, 2);
    assert!(o.entry("etc/app/c.conf", 1).is_none());
}

#[test]
fn copyright_is_read_through_the_symlinked_doc_dir() {
    for file in [
        "docker-archive.tar",
        "oci-zstd.tar",
        "rootfs.tar",
        "rootfs-dir",
    ] {
        let s = open(file);
        let o = Overlay::new(s.layers.iter().map(|l| l.as_ref()).collect());
        let top = o.len() - 1;
        let direct = o
            .read("usr/share/doc/gcc-12-base/copyright", top)
            .unwrap()
            .unwrap();
        let via_link = o
            .read("usr/share/doc/libgcc-s1/copyright", top)
            .unwrap()
            .unwrap();
        assert_eq!(
            via_link.path, "usr/share/doc/gcc-12-base/copyright",
            "{file}"
        );
        let Some(Content::Data(bytes)) = via_link.content else {
            panic!("{file}: not captured")
        };
        assert_eq!(Some(&Content::Data(bytes.clone())), direct.content);
        assert!(std::str::from_utf8(bytes).unwrap().contains("Copyright"));
    }
}

#[test]
fn hard_links_share_content() {
    for file in ["docker-archive.tar", "oci-gzip", "rootfs.tar"] {
        let s = open(file);
        let o = Overlay::new(s.layers.iter().map(|l| l.as_ref()).collect());
        let top = o.len() - 1;
        let tool = o.read("usr/bin/tool", top).unwrap().unwrap();
        let alias = o.read("usr/bin/tool-alias", top).unwrap().unwrap();
        assert!(tool.content.is_some(), "{file}");
        assert_eq!(tool.content, alias.content, "{file}");
        assert_eq!(
            s.layers[0]
                .files
                .iter()
                .find(|f| f.path == "usr/bin/tool-alias")
                .unwrap()
                .kind,
            layerbom::scan::tar::Kind::Hardlink,
            "{file}"
        );
    }
}

#[test]
fn only_requested_files_are_captured() {
    let s = open("oci-uncompressed");
    let captured: Vec<&String> = s.layers[0].captured.keys().collect();
    assert_eq!(
        captured,
        [
            "etc/os-release",
            "usr/bin/tool",
            "usr/bin/tool-alias",
            "usr/share/doc/gcc-12-base/copyright"
        ]
    );
    assert!(s.layers[2].captured.is_empty());
}
