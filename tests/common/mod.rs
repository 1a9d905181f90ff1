//! Helpers shared by the end-to-end tests: run the binary, find fixtures, build tars.
#![allow(dead_code)]

pub mod mirror;
pub mod pg_server;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixture directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images")
}

/// A fixture by name.
pub fn fixture(name: &str) -> PathBuf {
    fixtures().join(name)
}

/// The expectation file written by make-fixtures.sh next to a fixture.
pub fn expected(name: &str) -> serde_json::Value {
    let p = fixtures().join(format!("{name}.expected.json"));
    serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap()
}

/// The bundled sample image.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/demo.tar")
}

/// Runs `layerbom scan IMAGE -q -o FORMAT` with `SOURCE_DATE_EPOCH=1700000000` and parses
/// the JSON document written to stdout.
pub fn document(image: &Path, format: &str) -> serde_json::Value {
    document_with(image, format, &[])
}

/// [`document`], with `extra` options.
pub fn document_with(image: &Path, format: &str, extra: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_NO_CACHE", "1")
        .args(["scan", image.to_str().unwrap(), "-q", "-o", format])
        .args(extra)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("run layerbom");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = serde_json::from_slice(&out.stdout).unwrap();
    match format {
        "json" => assert_valid(&doc, NATIVE_SCHEMA),
        "obligations-json" => assert_valid(&doc, OBLIGATIONS_SCHEMA),
        _ => {}
    }
    doc
}

/// The `Format:` line of a machine-readable Debian copyright file (DEP-5), as a real one
/// writes it: the first line of bash's, kept in the license fixtures.
pub fn dep5_format() -> String {
    let bash =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/license/test-fixtures/copyright/bash");
    let text = std::fs::read_to_string(bash).unwrap();
    let line = text.lines().next().unwrap();
    assert!(line.starts_with("Format: "), "{line}");
    line.to_string()
}

/// A file of the catalogers' test fixtures (`src/catalog/REL`).
pub fn catalog_fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/catalog")
            .join(rel),
    )
    .unwrap()
}

/// Runs `layerbom ARGS`.
pub fn layerbom(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_NO_CACHE", "1")
        .args(args)
        .output()
        .expect("run layerbom")
}

/// Runs `layerbom scan IMAGE -q -o json [EXTRA]` and parses the document; panics with
/// stderr when the exit code is not 0.
pub fn scan_json(image: &Path, extra: &[&str]) -> serde_json::Value {
    let img = image.to_str().unwrap();
    let mut args = vec!["scan", img, "-q", "-o", "json"];
    args.extend_from_slice(extra);
    let out = layerbom(&args);
    assert!(
        out.status.success(),
        "layerbom {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&doc, NATIVE_SCHEMA);
    doc
}

/// Runs `layerbom scan IMAGE -q -o json [EXTRA]`, expecting failure with exit code 2 and
/// a one-line error; returns the line.
pub fn scan_error(image: &Path, extra: &[&str]) -> String {
    let img = image.to_str().unwrap();
    let mut args = vec!["scan", img, "-q", "-o", "json"];
    args.extend_from_slice(extra);
    let out = layerbom(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit 2 for {args:?}; stderr: {stderr}"
    );
    assert!(out.stdout.is_empty(), "no document on failure");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr.trim_end().to_string()
}

/// A tar entry to build.
pub enum E<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
}

/// A ustar archive of `entries` (names written verbatim, even unsafe ones).
pub fn tar_of(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_ustar();
        let (name, data): (&str, &[u8]) = match e {
            E::File(n, d) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o644);
                (n, d)
            }
            E::Dir(n) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                (n, &[])
            }
            E::Symlink(n, t) | E::Hardlink(n, t) => {
                h.set_entry_type(if matches!(e, E::Symlink(..)) {
                    tar::EntryType::Symlink
                } else {
                    tar::EntryType::Link
                });
                h.set_mode(0o777);
                let l = &mut h.as_old_mut().linkname;
                l[..t.len()].copy_from_slice(t.as_bytes());
                (n, &[])
            }
        };
        let raw = &mut h.as_old_mut().name;
        raw.fill(0);
        raw[..name.len()].copy_from_slice(name.as_bytes());
        h.set_size(data.len() as u64);
        h.set_cksum();
        b.append(&h, data).unwrap();
    }
    b.into_inner().unwrap()
}

/// Writes `bytes` to a new file in `dir` and returns its path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// Writes an OCI image layout in `dir` whose layers are the given (uncompressed) tars,
/// with correct digests, sizes and diff_ids.
pub fn oci_layout(dir: &Path, layers: &[Vec<u8>]) {
    oci_layout_with_diff_ids(dir, layers, None);
}

/// Like [`oci_layout`], with the config's diff_ids given instead of computed.
pub fn oci_layout_with_diff_ids(dir: &Path, layers: &[Vec<u8>], diff_ids: Option<Vec<String>>) {
    layout(dir, layers, diff_ids, false);
}

/// Like [`oci_layout_with_diff_ids`], with the layers gzip-compressed (`+gzip` blobs).
pub fn oci_gzip_layout(dir: &Path, layers: &[Vec<u8>], diff_ids: Option<Vec<String>>) {
    layout(dir, layers, diff_ids, true);
}

fn layout(dir: &Path, layers: &[Vec<u8>], diff_ids: Option<Vec<String>>, gzip: bool) {
    use layerbom::scan::stream::sha256_of;
    use std::io::Write;
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let put = |bytes: &[u8]| -> String {
        let d = sha256_of(bytes);
        std::fs::write(blobs.join(d.trim_start_matches("sha256:")), bytes).unwrap();
        d
    };
    let diff_ids = diff_ids.unwrap_or_else(|| layers.iter().map(|l| sha256_of(l)).collect());
    let layers: Vec<Vec<u8>> = layers
        .iter()
        .map(|l| {
            if !gzip {
                return l.clone();
            }
            let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            z.write_all(l).unwrap();
            z.finish().unwrap()
        })
        .collect();
    let digests: Vec<String> = layers.iter().map(|l| put(l)).collect();
    let media_type = if gzip {
        "application/vnd.oci.image.layer.v1.tar+gzip"
    } else {
        "application/vnd.oci.image.layer.v1.tar"
    };
    let history: Vec<serde_json::Value> = (0..layers.len())
        .map(|i| serde_json::json!({"created_by": format!("RUN step {i}")}))
        .collect();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    });
    let config = serde_json::to_vec(&config).unwrap();
    let config_digest = put(&config);
    let layer_descs: Vec<serde_json::Value> = layers
        .iter()
        .zip(&digests)
        .map(|(l, d)| {
            serde_json::json!({
                "mediaType": media_type, "digest": d, "size": l.len()
            })
        })
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": layer_descs,
    }))
    .unwrap();
    let manifest_digest = put(&manifest);
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": manifest.len()}],
    });
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
}

/// The blob files of an OCI layout's layers, bottom first (read from its manifest).
pub fn layer_blobs(dir: &Path) -> Vec<PathBuf> {
    let read = |p: PathBuf| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let blob = |d: &str| {
        dir.join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"))
    };
    let index = read(dir.join("index.json"));
    let manifest = read(blob(index["manifests"][0]["digest"].as_str().unwrap()));
    manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| blob(l["digest"].as_str().unwrap()))
        .collect()
}

/// The language-package fixture (tests/fixtures/lang): its directory.
pub fn lang_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang")
}

/// Appends every file under `root` to `b`, sorted, with paths relative to `root`.
fn add_tree(b: &mut tar::Builder<Vec<u8>>, root: &Path, dir: &Path) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let rel = p.strip_prefix(root).unwrap().to_str().unwrap().to_string();
        if p.is_dir() {
            let mut h = tar::Header::new_ustar();
            h.set_entry_type(tar::EntryType::Directory);
            h.set_mode(0o755);
            h.set_size(0);
            b.append_data(&mut h, format!("{rel}/"), std::io::empty())
                .unwrap();
            add_tree(b, root, &p);
        } else {
            let data = std::fs::read(&p).unwrap();
            append_file(b, &rel, &data, 0o644);
        }
    }
}

fn append_file(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8], mode: u32) {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mode(mode);
    h.set_size(data.len() as u64);
    b.append_data(&mut h, path, data).unwrap();
}

/// A gzip-compressed file of tests/fixtures/lang/bin, inflated.
pub fn gunzip(name: &str) -> Vec<u8> {
    let f = std::fs::File::open(lang_dir().join("bin").join(name)).unwrap();
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(f)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The language fixture's layer tars, bottom first; layer 2 also gets the two executables.
pub fn lang_layers() -> Vec<Vec<u8>> {
    (0..4)
        .map(|i| {
            let root = lang_dir().join("layers").join(i.to_string());
            let mut b = tar::Builder::new(Vec::new());
            add_tree(&mut b, &root, &root);
            if i == 2 {
                append_file(
                    &mut b,
                    "usr/local/bin/hello-go",
                    &gunzip("hello-go.gz"),
                    0o755,
                );
                append_file(
                    &mut b,
                    "usr/local/bin/hello-rs",
                    &gunzip("hello-rs.gz"),
                    0o755,
                );
            }
            b.into_inner().unwrap()
        })
        .collect()
}

pub fn lang_image() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("img");
    oci_layout(&img, &lang_layers());
    (dir, img)
}

/// Eight forms of the fixture image: the same three layers in each.
pub const FORMS: [&str; 8] = [
    "docker-archive.tar",
    "oci-gzip",
    "oci-zstd.tar",
    "docker25.tar",
    "oci-uncompressed",
    "docker-legacy.tar",
    "oci-mislabeled",
    "docker-containerd.tar",
];

/// The JSON report of `image` made without the layer cache.
pub fn uncached(image: &Path) -> Vec<u8> {
    let out = layerbom(&["scan", image.to_str().unwrap(), "-q", "-o", "json"]);
    assert!(out.status.success());
    out.stdout
}

/// What `layerbom scan` without `-q` says of the layer cache on stderr: (layers read back,
/// layers looked up, layers kept).
pub fn cache_summary(stderr: &str) -> (usize, usize, usize) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("layerbom: layer cache: "))
        .unwrap_or_else(|| panic!("no summary in {stderr:?}"));
    let n: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    (n[0], n[1], n[2])
}

/// The diff_ids of the fixture image's layers, in hex.
pub fn fixture_layers() -> Vec<String> {
    let doc: serde_json::Value =
        serde_json::from_slice(&uncached(&fixture("docker-archive.tar"))).unwrap();
    layer_ids(&doc)
}

/// The diff_ids of the layers of a JSON report, in hex.
pub fn layer_ids(doc: &serde_json::Value) -> Vec<String> {
    doc["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l["diff_id"]
                .as_str()
                .unwrap()
                .trim_start_matches("sha256:")
                .to_string()
        })
        .collect()
}

/// Scans the eight [`FORMS`] at once, each with `cache` (which sets the cache options on a
/// `layerbom scan IMAGE -o json` command): every report must be the one made without the
/// cache, with no warning. Returns the layers the processes kept in all.
pub fn scan_forms_at_once(cache: impl Fn(&mut Command) -> &mut Command) -> usize {
    scan_at_once(&FORMS, cache)
}

/// Scans the fixtures `images` at once, a process each, as [`scan_forms_at_once`] does.
pub fn scan_at_once(images: &[&str], cache: impl Fn(&mut Command) -> &mut Command) -> usize {
    let children: Vec<_> = images
        .iter()
        .map(|name| {
            let mut command = Command::new(env!("CARGO_BIN_EXE_layerbom"));
            command
                .args(["scan", fixture(name).to_str().unwrap(), "-o", "json"])
                .env_remove("LAYERBOM_NO_CACHE")
                .env_remove("LAYERBOM_CACHE_DIR")
                .env_remove("LAYERBOM_CACHE")
                .env_remove("SOURCE_DATE_EPOCH")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cache(&mut command).spawn().unwrap()
        })
        .collect();
    let mut kept = 0;
    for (name, child) in images.iter().zip(children) {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {stderr}");
        assert!(!stderr.contains("warning"), "{name}: {stderr}");
        assert_eq!(out.stdout, uncached(&fixture(name)), "{name}");
        kept += cache_summary(&stderr).2;
    }
    kept
}

/// An image written in two forms: a root filesystem directory and an OCI archive.
pub struct Forms {
    _dir: tempfile::TempDir,
    pub rootfs: PathBuf,
    pub archive: PathBuf,
}

impl Forms {
    /// The native JSON of each form, rootfs first, each with the form's name.
    pub fn scan(&self) -> [(&'static str, serde_json::Value); 2] {
        [
            ("rootfs", scan_json(&self.rootfs, &[])),
            ("archive", scan_json(&self.archive, &[])),
        ]
    }
}

/// Writes `layers` as a root filesystem directory (later layers written over earlier ones)
/// and as an OCI archive of those layers.
pub fn forms(layers: &[Vec<E>]) -> Forms {
    let dir = tempfile::tempdir().unwrap();
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir(&rootfs).unwrap();
    for layer in layers {
        for e in layer {
            write_entry(&rootfs, e);
        }
    }
    let layout = dir.path().join("layout");
    oci_layout(
        &layout,
        &layers.iter().map(|l| tar_of(l)).collect::<Vec<_>>(),
    );
    let archive = dir.path().join("image.tar");
    let mut b = tar::Builder::new(Vec::new());
    add_files(&mut b, &layout, &layout);
    std::fs::write(&archive, b.into_inner().unwrap()).unwrap();
    Forms {
        _dir: dir,
        rootfs,
        archive,
    }
}

/// Writes one entry under `root`, as a later layer would over the earlier ones.
fn write_entry(root: &Path, e: &E) {
    let name = match e {
        E::File(n, _) | E::Dir(n) | E::Symlink(n, _) | E::Hardlink(n, _) => n,
    };
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    match e {
        E::File(_, data) => std::fs::write(&path, data).unwrap(),
        E::Dir(_) => std::fs::create_dir_all(&path).unwrap(),
        E::Symlink(_, target) => std::os::unix::fs::symlink(target, &path).unwrap(),
        E::Hardlink(_, target) => std::fs::hard_link(root.join(target), &path).unwrap(),
    }
}

/// Adds every file under `dir` to `b`, named relative to `root`.
fn add_files(b: &mut tar::Builder<Vec<u8>>, root: &Path, dir: &Path) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            add_files(b, root, &path);
        } else {
            let name = path.strip_prefix(root).unwrap();
            b.append_path_with_name(&path, name).unwrap();
        }
    }
}

/// The JSON Schemas of the native documents, under `schemas/`: `layerbom-v1` and
/// `layerbom-obligations-v1`.
pub const NATIVE_SCHEMA: &str = "layerbom-v1";
/// The schema of `-o obligations-json`.
pub const OBLIGATIONS_SCHEMA: &str = "layerbom-obligations-v1";

/// Panics, naming every violation, unless `doc` is valid against `schemas/NAME.schema.json`.
pub fn assert_valid(doc: &serde_json::Value, name: &str) {
    if let Some(e) = violations(doc, name) {
        panic!("the document is not valid against {name}: {e}");
    }
}

/// What makes `doc` invalid against `schemas/NAME.schema.json`, if anything.
pub fn violations(doc: &serde_json::Value, name: &str) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(format!("{name}.schema.json"));
    let mut schemas = boon::Schemas::new();
    let index = boon::Compiler::new()
        .compile(path.to_str().unwrap(), &mut schemas)
        .unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
    schemas.validate(doc, index).err().map(|e| format!("{e:#}"))
}

/// Runs `openssl ARGS…` in `dir`, failing the test with its stderr when it fails; returns
/// what it wrote to stdout.
pub fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl (apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Writes a certificate authority (`ca.pem`) and a server certificate for 127.0.0.1 it
/// signed (`cert.pem`, `key.pem`) in `dir`, with openssl.
pub fn make_certificates(dir: &Path) {
    std::fs::write(
        dir.join("ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    for args in [
        "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -subj /CN=layerbom-test-ca -days 2",
        "req -newkey rsa:2048 -nodes -keyout key.pem -out leaf.csr -subj /CN=127.0.0.1",
        "x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cert.pem -days 2 -extfile ext",
    ] {
        openssl(dir, &args.split(' ').collect::<Vec<_>>());
    }
}

/// Every file under `dir`, in its subdirectories too.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// Every file a `layerbom batch` wrote under `dir` but its summaries, by path relative to
/// it, with its bytes.
pub fn batch_documents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for path in files_under(dir) {
        let rel = path.strip_prefix(dir).unwrap().to_path_buf();
        let name = rel.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !name.ends_with(".layerbom-tmp"),
            "a temporary file left: {rel:?}"
        );
        if !name.starts_with("batch-summary") {
            files.insert(rel, std::fs::read(&path).unwrap());
        }
    }
    files
}

/// A `layerbom` command with a shared cache's URL in LAYERBOM_CACHE (as a runner keeps its
/// password out of the command line) and no other cache setting.
pub fn with_cache_url(url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_layerbom"));
    command
        .env("LAYERBOM_CACHE", url)
        .env_remove("LAYERBOM_NO_CACHE")
        .env_remove("LAYERBOM_CACHE_DIR")
        .env_remove("SOURCE_DATE_EPOCH");
    command
}

/// Runs `layerbom scan IMAGE -o json EXTRA…` with the shared cache at `url`.
pub fn scan_with_cache_url(image: &Path, url: &str, extra: &[&str]) -> Output {
    with_cache_url(url)
        .args(["scan", image.to_str().unwrap(), "-o", "json"])
        .args(extra)
        .output()
        .unwrap()
}

/// Runs `layerbom scan IMAGE -o json EXTRA…` with the shared cache at `url`, trusting
/// only the certificate authorities in `roots` (SSL_CERT_FILE).
pub fn scan_with_roots(image: &Path, url: &str, roots: &Path, extra: &[&str]) -> Output {
    with_cache_url(url)
        .env("SSL_CERT_FILE", roots)
        .env_remove("SSL_CERT_DIR")
        .args(["scan", image.to_str().unwrap(), "-o", "json"])
        .args(extra)
        .output()
        .unwrap()
}

/// A shared cache at `url` over TLS, its server's certificate signed by the authority in
/// `ca`: trusted, the cache is kept, then read back; under roots without that authority,
/// a warning that says how to trust it (without `password`) and a scan without the cache,
/// or exit 2 with --cache-required. (The untrusted scan failing shows the others spoke
/// TLS.)
pub fn tls_is_verified(url: &str, ca: &Path, password: &str) {
    let image = fixture("docker-archive.tar");
    let out = scan_with_roots(&image, url, ca, &[]);
    ok_without_warning(&out);
    assert_eq!(summary_of(&out), (0, 3, 3));
    assert_eq!(out.stdout, uncached(&image));
    let out = scan_with_roots(&image, url, ca, &[]);
    ok_without_warning(&out);
    assert_eq!(summary_of(&out), (3, 3, 0));
    assert_eq!(out.stdout, uncached(&image));
    let other = tempfile::tempdir().unwrap();
    make_certificates(other.path());
    let roots = other.path().join("ca.pem");
    let out = scan_with_roots(&image, url, &roots, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning") && stderr.contains("certificate"),
        "{stderr}"
    );
    assert!(stderr.contains("SSL_CERT_FILE"), "{stderr}");
    assert!(!stderr.contains(password), "{stderr}");
    assert_eq!(out.stdout, uncached(&image));
    let out = scan_with_roots(&image, url, &roots, &["--cache-required"]);
    assert_eq!(out.status.code(), Some(2));
}

/// (layers read back, looked up, kept) from a run's stderr.
pub fn summary_of(out: &Output) -> (usize, usize, usize) {
    cache_summary(&String::from_utf8_lossy(&out.stderr))
}

/// `out`, once it is known to have succeeded: else the test fails, saying `what` ran and
/// what it wrote.
pub fn succeeded(out: Output, what: impl std::fmt::Debug) -> Output {
    assert!(
        out.status.success(),
        "{what:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A run's stderr, once it is known to have succeeded without a warning.
pub fn ok_without_warning(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    stderr
}

/// A shared cache at `url` that `damage` cuts each entry of short: the next scan warns,
/// scans the layers again and replaces the entries, the one after reads them back.
pub fn damaged_entries_are_scanned_again(url: &str, damage: impl FnOnce()) {
    let image = fixture("oci-zstd.tar");
    ok_without_warning(&scan_with_cache_url(&image, url, &[]));
    damage();
    let out = scan_with_cache_url(&image, url, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success());
    assert_eq!(out.stdout, uncached(&image));
    assert!(
        stderr.contains("is unusable (its checksum does not match"),
        "{stderr}"
    );
    assert_eq!(summary_of(&out), (0, 3, 3));
    let out = scan_with_cache_url(&image, url, &[]);
    ok_without_warning(&out);
    assert_eq!(summary_of(&out), (3, 3, 0));
}

/// The trust model's advice: runners that build untrusted images read a shared cache
/// through `reader`, which may only read (shown as `shown`), and a trusted one fills it
/// through `writer`. What the reader has not seen is scanned, and keeping it refused
/// (`refused` in the warning); `layers` counts the fixture's layers kept, still 3.
pub fn a_reader_reads_and_cannot_write(
    writer: &str,
    reader: impl FnOnce() -> String,
    shown: &str,
    refused: &str,
    layers: impl FnOnce() -> usize,
) {
    let image = fixture("docker-archive.tar");
    ok_without_warning(&scan_with_cache_url(&image, writer, &[]));
    let reader = reader();
    let out = scan_with_cache_url(&image, &reader, &[]);
    ok_without_warning(&out);
    assert_eq!(summary_of(&out), (3, 3, 0));
    assert_eq!(out.stdout, uncached(&image));
    let other = fixture("distroless-like.tar");
    let out = scan_with_cache_url(&other, &reader, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success());
    assert_eq!(out.stdout, uncached(&other));
    assert!(
        stderr.contains(&format!("cannot write to the layer cache at {shown}"))
            && stderr.contains(refused),
        "{stderr}"
    );
    assert_eq!(layers(), 3);
}

/// Two images of the same layers scanned through a shared cache at `url`, as two runners
/// would: the first scans and keeps the 3 layers (`layers` counts them kept), the second
/// reads them back; the summary shows the cache as `shown`, never its `password`.
pub fn runners_share_layers(
    url: &str,
    shown: &str,
    password: &str,
    layers: impl FnOnce() -> usize,
) {
    let first = fixture("docker-archive.tar");
    let out = scan_with_cache_url(&first, url, &[]);
    ok_without_warning(&out);
    assert_eq!(summary_of(&out), (0, 3, 3));
    assert_eq!(out.stdout, uncached(&first));
    assert_eq!(layers(), 3);
    let second = fixture("oci-gzip");
    let out = scan_with_cache_url(&second, url, &[]);
    let stderr = ok_without_warning(&out);
    assert_eq!(summary_of(&out), (3, 3, 0));
    assert_eq!(out.stdout, uncached(&second));
    assert!(
        stderr.contains(shown) && !stderr.contains(password),
        "{stderr}"
    );
}

/// `layerbom cache stats`, `prune` and `clear` on a shared cache at `url` whose entries
/// `count` counts, into which `make_foreign` puts one entry of another fingerprint (or
/// turns one into it). Nothing they print shows the `password`.
pub fn stats_prune_and_clear(
    url: &str,
    password: &str,
    count: impl Fn() -> usize,
    make_foreign: impl FnOnce(),
) {
    let image = fixture("docker-archive.tar");
    ok_without_warning(&scan_with_cache_url(&image, url, &[]));
    let cache = |action: &str, extra: &[&str]| {
        let out = with_cache_url(url)
            .args(["cache", action])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8(succeeded(out, ("cache", action)).stdout).unwrap()
    };
    // The three layers' scans and the readings of the copyright files.
    let entries = count();
    assert!(entries > 3);
    let stats = cache("stats", &[]);
    assert!(
        stats.contains(&format!("entries:      {entries} (")),
        "{stats}"
    );
    assert!(
        stats.contains(&format!("{entries} of this version")),
        "{stats}"
    );
    assert!(!stats.contains(password), "{stats}");
    make_foreign();
    let all = count();
    let stats = cache("stats", &[]);
    assert!(
        stats.contains(&format!("{} of this version", all - 1)),
        "{stats}"
    );
    assert!(cache("prune", &[]).starts_with("dropped 1 entries"));
    assert_eq!(count(), all - 1);
    let left = format!("dropped {} entries", all - 1);
    assert!(cache("prune", &["--cache-max-size", "1"]).starts_with(&left));
    assert_eq!(count(), 0);
    ok_without_warning(&scan_with_cache_url(&image, url, &[]));
    assert!(cache("clear", &[]).starts_with(&format!("dropped {entries} entries")));
    assert_eq!(count(), 0);
}
