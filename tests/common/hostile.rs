//! Hostile images: small, valid images (correct digests) that amplify what a scanner does
//! with them, one per class of the hostile-input issue. `tests/hostile.rs` builds each and
//! runs layerbom on it under bounds; `cargo run --example hostile -- DIR` writes them all
//! for trying by hand.
//!
//! Every image is an OCI image layout (a directory), built from uncompressed layer tars so
//! that what is small on disk is what the scanner sees.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The classes, by name: what each image does.
pub const CLASSES: [(&str, &str); 9] = [
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
    (
        "big-databases",
        "one gzip layer (under 1 MB) holding two 200 MiB rpm databases of zeros",
    ),
    (
        "long-names",
        "5,000 entries with 4,000-byte PAX paths (20 MB of names)",
    ),
    (
        "many-entries",
        "one gzip layer (31 MB) of 2,000,000 empty files",
    ),
    (
        "big-status",
        "a 58 MB dpkg status of 268,000 short records, just under the 64 MiB file cap",
    ),
    (
        "unreferenced-members",
        "`docker save | zstd` with 20 members of 200,000 entries each that the manifest, last, does not reference",
    ),
];

/// Builds the image of class `name` in `dir` (which must exist) and returns the path to
/// scan; `None` for an unknown class. Layers are written as they are made, so building an
/// image takes little memory whatever it amplifies to.
pub fn build(name: &str, dir: &Path) -> Option<PathBuf> {
    if name == "unreferenced-members" {
        return unreferenced_members(dir);
    }
    let layout = dir.join(name);
    std::fs::create_dir_all(layout.join("blobs/sha256")).ok()?;
    let empty = |path: String| (path, 0, Box::new(std::io::empty()) as Box<dyn Read>);
    match name {
        "repeated-layer" => {
            let l = layer(
                &layout,
                false,
                (0..200_000).map(|i| empty(format!("d{}/f{i}", i % 1000))),
            );
            write_image(&layout, &[l], &vec![0; 1000]);
        }
        "empty-layers" => {
            let mut status = String::new();
            for i in 0..3000 {
                status.push_str(&format!(
                    "Package: pkg{i}\nStatus: install ok installed\nVersion: 1.{i}\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: package {i}\n\n"
                ));
            }
            let base = layer(
                &layout,
                false,
                [file("var/lib/dpkg/status", status.into_bytes())],
            );
            let none = layer(&layout, false, []);
            let mut order = vec![0];
            order.extend(std::iter::repeat_n(1, 999));
            write_image(&layout, &[base, none], &order);
        }
        "index-fan-out" => {
            let l = layer(
                &layout,
                false,
                [file("etc/hostname", b"hostile\n".to_vec())],
            );
            let manifest = write_image(&layout, &[l], &[0]);
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
            let l = layer(&layout, false, [file(&path, b"MIT License\n".to_vec())]);
            write_image(&layout, &[l], &[0]);
        }
        "big-databases" => {
            let zeros = |path: &str| {
                let data = std::io::repeat(0).take(200 << 20);
                (path.to_string(), 200 << 20, Box::new(data) as Box<dyn Read>)
            };
            let l = layer(
                &layout,
                true,
                [
                    zeros("var/lib/rpm/Packages"),
                    zeros("usr/lib/sysimage/rpm/Packages"),
                ],
            );
            write_image(&layout, &[l], &[0]);
        }
        "long-names" => {
            let long = "d".repeat(3990);
            let l = layer(
                &layout,
                false,
                (0..5000).map(|i| empty(format!("{long}/f{i}"))),
            );
            write_image(&layout, &[l], &[0]);
        }
        "many-entries" => {
            let l = layer(
                &layout,
                true,
                (0..2_000_000).map(|i| empty(format!("d{}/f{i}", i % 5000))),
            );
            write_image(&layout, &[l], &[0]);
        }
        "big-status" => {
            let mut status = Vec::with_capacity(60 << 20);
            for i in 0..268_000 {
                let (a, b) = (i + 1, i + 2);
                status.extend_from_slice(format!(
                    "Package: p{i}\nStatus: install ok installed\nPriority: optional\nSection: misc\nInstalled-Size: 1\nMaintainer: A <a@example.org>\nArchitecture: amd64\nVersion: 1.0-{i}\nDepends: p{a} (>= 1), p{b} | p{i}\nDescription: x\n a\n\n"
                ).as_bytes());
            }
            let l = layer(&layout, true, [file("var/lib/dpkg/status", status)]);
            write_image(&layout, &[l], &[0]);
        }
        _ => return None,
    }
    Some(layout)
}

/// A `docker save` archive compressed with zstd, read in one pass: 20 layer members of
/// 200,000 empty files each that nothing references, then one small referenced layer, the
/// config and `manifest.json` last.
fn unreferenced_members(dir: &Path) -> Option<PathBuf> {
    let path = dir.join("unreferenced-members.tar.zst");
    let scratch = dir.join("unreferenced-members.layer");
    let out = std::io::BufWriter::new(std::fs::File::create(&path).ok()?);
    let mut archive = tar::Builder::new(zstd::Encoder::new(out, 1).ok()?.auto_finish());
    let mut member =
        |name: &str, entries: &mut dyn Iterator<Item = (String, u64, Box<dyn Read>)>| {
            let mut b = tar::Builder::new(hashing(std::io::BufWriter::new(
                std::fs::File::create(&scratch).expect("a scratch layer"),
            )));
            for (path, size, content) in entries {
                let mut h = tar::Header::new_ustar();
                h.set_entry_type(tar::EntryType::Regular);
                h.set_path(&path).expect("short name");
                h.set_mode(0o644);
                h.set_size(size);
                h.set_cksum();
                b.append(&h, content).expect("append a tar entry");
            }
            let mut tar = b.into_inner().expect("finish a tar");
            tar.flush().expect("write a layer");
            let diff_id = hex_digest(tar.sum.finalize().as_slice());
            archive
                .append_path_with_name(&scratch, name)
                .expect("append a member");
            diff_id
        };
    // Named as `docker save` names layers (`<64 hex>/layer.tar`), so the archive is read as
    // one, and every member is a layer candidate until the manifest says otherwise.
    let id = |what: &str| {
        digest(what.as_bytes())
            .trim_start_matches("sha256:")
            .to_string()
    };
    for m in 0..20 {
        member(
            &format!("{}/layer.tar", id(&format!("unused{m}"))),
            &mut (0..200_000).map(|i| {
                let path = format!("u{m}/d{}/f{i}", i % 1000);
                (path, 0, Box::new(std::io::empty()) as Box<dyn Read>)
            }),
        );
    }
    let used = format!("{}/layer.tar", id("used"));
    let diff_id = member(
        &used,
        &mut [file("etc/hostname", b"hostile\n".to_vec())].into_iter(),
    );
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }))
    .ok()?;
    let config_name = format!("{}.json", digest(&config).trim_start_matches("sha256:"));
    let manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": config_name, "RepoTags": ["hostile:unreferenced"], "Layers": [used],
    }]))
    .ok()?;
    for (name, bytes) in [
        (config_name.as_str(), &config),
        ("manifest.json", &manifest),
    ] {
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o644);
        h.set_size(bytes.len() as u64);
        archive.append_data(&mut h, name, bytes.as_slice()).ok()?;
    }
    archive.into_inner().ok()?.flush().ok()?;
    std::fs::remove_file(&scratch).ok()?;
    Some(path)
}

const INDEX: &str = "application/vnd.oci.image.index.v1+json";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// A file entry with `content`.
fn file(path: &str, content: Vec<u8>) -> (String, u64, Box<dyn Read>) {
    let size = content.len() as u64;
    (
        path.to_string(),
        size,
        Box::new(std::io::Cursor::new(content)),
    )
}

/// The sha256 digest of `bytes`, as `sha256:HEX`.
fn digest(bytes: &[u8]) -> String {
    hex_digest(Sha256::digest(bytes).as_slice())
}

fn hex_digest(sum: &[u8]) -> String {
    let hex: String = sum.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Stores `bytes` as a blob of `layout` and returns its digest.
fn put(layout: &Path, bytes: &[u8]) -> String {
    let d = digest(bytes);
    let name = d.trim_start_matches("sha256:");
    std::fs::write(layout.join("blobs/sha256").join(name), bytes).expect("write a blob");
    d
}

/// A writer that hashes and counts what goes through it.
struct Hashing<W> {
    inner: W,
    sum: Sha256,
    len: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sum.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hashing<W>(inner: W) -> Hashing<W> {
    Hashing {
        inner,
        sum: Sha256::new(),
        len: 0,
    }
}

/// Where a layer's tar goes: the blob file, through gzip or not.
enum Sink {
    Plain(Hashing<std::io::BufWriter<std::fs::File>>),
    Gzip(Box<flate2::write::GzEncoder<Hashing<std::io::BufWriter<std::fs::File>>>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
        }
    }
}

/// A layer blob written to a layout: its digest, size and diff_id.
struct Layer {
    digest: String,
    size: u64,
    diff_id: String,
    gzip: bool,
}

/// Writes a layer of `entries` (path, size, content) to `layout`, gzip-compressed when
/// `gzip` is set; a path over 100 bytes goes in a PAX extended header, as Docker and
/// buildah write long names.
fn layer(
    layout: &Path,
    gzip: bool,
    entries: impl IntoIterator<Item = (String, u64, Box<dyn Read>)>,
) -> Layer {
    let blobs = layout.join("blobs/sha256");
    let temporary = blobs.join("layer.partial");
    let file = std::io::BufWriter::new(std::fs::File::create(&temporary).expect("a blob file"));
    let sink = if gzip {
        Sink::Gzip(Box::new(flate2::write::GzEncoder::new(
            hashing(file),
            flate2::Compression::fast(),
        )))
    } else {
        Sink::Plain(hashing(file))
    };
    let mut b = tar::Builder::new(hashing(sink));
    for (path, size, content) in entries {
        let name = if path.len() > 100 {
            let record = pax_record("path", &path);
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
        h.set_size(size);
        h.set_cksum();
        b.append(&h, content).expect("append a tar entry");
    }
    let tar = b.into_inner().expect("finish a tar");
    let diff_id = hex_digest(tar.sum.finalize().as_slice());
    let mut blob = match tar.inner {
        Sink::Plain(w) => w,
        Sink::Gzip(w) => w.finish().expect("finish gzip"),
    };
    blob.flush().expect("write a blob");
    let digest = hex_digest(blob.sum.finalize().as_slice());
    std::fs::rename(&temporary, blobs.join(digest.trim_start_matches("sha256:")))
        .expect("name a blob");
    Layer {
        digest,
        size: blob.len,
        diff_id,
        gzip,
    }
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

/// Writes the config, manifest and `index.json` of an image whose layers are `layers[i]`
/// for each `i` of `order`; returns the manifest's digest and size.
fn write_image(layout: &Path, layers: &[Layer], order: &[usize]) -> (String, usize) {
    let listed: Vec<&Layer> = order.iter().map(|&i| &layers[i]).collect();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": listed.iter().map(|l| &l.diff_id).collect::<Vec<_>>()},
    });
    let config = serde_json::to_vec(&config).expect("config");
    let config_digest = put(layout, &config);
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": listed.iter().map(|l| serde_json::json!({
            "mediaType": if l.gzip {
                "application/vnd.oci.image.layer.v1.tar+gzip"
            } else {
                "application/vnd.oci.image.layer.v1.tar"
            },
            "digest": l.digest, "size": l.size,
        })).collect::<Vec<_>>(),
    });
    let manifest = serde_json::to_vec(&manifest).expect("manifest");
    let manifest_digest = put(layout, &manifest);
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": MANIFEST, "digest": manifest_digest, "size": manifest.len()}],
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
