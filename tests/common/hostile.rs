//! Hostile images: small, valid images (correct digests) that amplify what a scanner does
//! with them, one per class of the hostile-input issue. `tests/hostile.rs` builds each and
//! runs layerbom on it under bounds; `cargo run --example hostile -- DIR` writes them all
//! for trying by hand.
//!
//! Every image is an OCI image layout (a directory), built from uncompressed layer tars so
//! that what is small on disk is what the scanner sees.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The classes, by name: what each image does.
pub const CLASSES: [(&str, &str); 4] = [
    (
        "repeated-layer",
        "one 200,000-entry layer listed 1,000 times in the manifest",
    ),
    (
        "empty-layers",
        "a 3,000-package dpkg layer under 999 empty layers",
    ),
    (
        "index-fan-out",
        "index.json pointing to nested indexes, 30 at each of 3 levels (27,000 manifests)",
    ),
    (
        "deep-path",
        "a LICENSE file at a 1 MiB PAX path of one-byte directories",
    ),
];

/// Builds the image of class `name` in `dir` (which must exist) and returns the path to
/// scan; `None` for an unknown class.
pub fn build(name: &str, dir: &Path) -> Option<PathBuf> {
    let layout = dir.join(name);
    std::fs::create_dir_all(layout.join("blobs/sha256")).ok()?;
    match name {
        "repeated-layer" => {
            let entries: Vec<(String, Vec<u8>)> = (0..200_000)
                .map(|i| (format!("d{}/f{i}", i % 1000), Vec::new()))
                .collect();
            let layer = tar(&entries);
            write_image(&layout, &[layer], &vec![0; 1000]);
        }
        "empty-layers" => {
            let mut status = String::new();
            for i in 0..3000 {
                status.push_str(&format!(
                    "Package: pkg{i}\nStatus: install ok installed\nVersion: 1.{i}\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: package {i}\n\n"
                ));
            }
            let base = tar(&[("var/lib/dpkg/status".into(), status.into_bytes())]);
            let empty = tar(&[]);
            let mut order = vec![0];
            order.extend(std::iter::repeat_n(1, 999));
            write_image(&layout, &[base, empty], &order);
        }
        "index-fan-out" => {
            let layer = tar(&[("etc/hostname".into(), b"hostile\n".to_vec())]);
            let manifest = write_image(&layout, &[layer], &[0]);
            // Three levels of indexes, each listing the level below 30 times.
            let mut below = (manifest.0, manifest.1, MANIFEST);
            for _ in 0..3 {
                let entry = serde_json::json!({
                    "mediaType": below.2, "digest": below.0, "size": below.1,
                });
                let index = serde_json::json!({
                    "schemaVersion": 2,
                    "mediaType": INDEX,
                    "manifests": vec![entry; 30],
                });
                let bytes = serde_json::to_vec(&index).ok()?;
                below = (put(&layout, &bytes), bytes.len(), INDEX);
            }
            let top = serde_json::json!({
                "schemaVersion": 2,
                "manifests": [{"mediaType": INDEX, "digest": below.0, "size": below.1}],
            });
            std::fs::write(layout.join("index.json"), serde_json::to_vec(&top).ok()?).ok()?;
        }
        "deep-path" => {
            let mut path = "a/".repeat(512 * 1024);
            path.push_str("LICENSE");
            let layer = tar(&[(path, b"MIT License\n".to_vec())]);
            write_image(&layout, &[layer], &[0]);
        }
        _ => return None,
    }
    Some(layout)
}

const INDEX: &str = "application/vnd.oci.image.index.v1+json";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// The sha256 digest of `bytes`, as `sha256:HEX`.
fn digest(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Stores `bytes` as a blob of `layout` and returns its digest.
fn put(layout: &Path, bytes: &[u8]) -> String {
    let d = digest(bytes);
    let name = d.trim_start_matches("sha256:");
    std::fs::write(layout.join("blobs/sha256").join(name), bytes).expect("write a blob");
    d
}

/// An uncompressed tar of `entries` (path, content); a path over 100 bytes goes in a PAX
/// extended header, as Docker and buildah write long names.
fn tar(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in entries {
        let name = if path.len() > 100 {
            let record = pax_record("path", path);
            let mut x = tar::Header::new_ustar();
            x.set_entry_type(tar::EntryType::XHeader);
            x.set_path("PaxHeaders/long").expect("short name");
            x.set_mode(0o644);
            x.set_size(record.len() as u64);
            x.set_cksum();
            b.append(&x, record.as_slice())
                .expect("append a PAX header");
            "long"
        } else {
            path.as_str()
        };
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_path(name).expect("short name");
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        h.set_cksum();
        b.append(&h, data.as_slice()).expect("append a tar entry");
    }
    b.into_inner().expect("finish a tar")
}

/// A PAX record, `LENGTH KEY=VALUE\n`, its length counting its own digits.
fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let body = format!(" {key}={value}\n");
    let mut length = body.len() + 1;
    while (length.to_string().len() + body.len()) != length {
        length = length.to_string().len() + body.len();
    }
    format!("{length}{body}").into_bytes()
}

/// Writes the config, manifest and `index.json` of an image whose layers are `blobs[i]` for
/// each `i` of `order`; returns the manifest's digest and size.
fn write_image(layout: &Path, blobs: &[Vec<u8>], order: &[usize]) -> (String, usize) {
    let digests: Vec<(String, usize)> = blobs.iter().map(|b| (put(layout, b), b.len())).collect();
    let layers: Vec<&(String, usize)> = order.iter().map(|&i| &digests[i]).collect();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| &l.0).collect::<Vec<_>>()},
    });
    let config = serde_json::to_vec(&config).expect("config");
    let config_digest = put(layout, &config);
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": layers.iter().map(|(d, size)| serde_json::json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": size,
        })).collect::<Vec<_>>(),
    });
    let manifest = serde_json::to_vec(&manifest).expect("manifest");
    let manifest_digest = put(layout, &manifest);
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": manifest.len()}],
    });
    std::fs::write(
        layout.join("index.json"),
        serde_json::to_vec(&index).expect("index"),
    )
    .expect("write index.json");
    std::fs::write(
        layout.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .expect("write oci-layout");
    (manifest_digest, manifest.len())
}
