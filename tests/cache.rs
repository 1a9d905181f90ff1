//! The layer cache, end to end: layers read back instead of scanned, shared between images
//! and between processes, damaged entries and unusable caches survived, and `layerbom cache`.
//! (Every fixture and format giving the same documents cold, warm and without the cache is
//! checked by `tests/snapshots.rs`.)

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// Runs `layerbom ARGS` with the layer cache in `cache` and the date fixed.
fn run(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .args(args)
        .arg("--cache-dir")
        .arg(cache)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("LAYERBOM_NO_CACHE")
        .env_remove("LAYERBOM_CACHE_DIR")
        .output()
        .expect("run layerbom")
}

/// The JSON report of `image` scanned with the cache in `cache` (without `-q`, so that stderr
/// says what the cache gave), and stderr.
fn scan(image: &Path, cache: &Path, extra: &[&str]) -> (String, String) {
    let mut args = vec!["scan", image.to_str().unwrap(), "-o", "json"];
    args.extend_from_slice(extra);
    let out = run(&args, cache);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// The JSON report of `image` made without the cache.
fn reference(image: &Path) -> String {
    String::from_utf8(uncached(image)).unwrap()
}

/// What stderr's summary says: (layers read back, layers looked up, layers kept).
fn summary(stderr: &str) -> (usize, usize, usize) {
    cache_summary(stderr)
}

/// The files of a cache directory that hold the scans of the fixtures' layers (the others
/// hold readings of copyright files).
fn entries(cache: &Path) -> Vec<PathBuf> {
    let layers = fixture_layers();
    let mut out = Vec::new();
    for fp in std::fs::read_dir(cache.join("layers")).unwrap() {
        for f in std::fs::read_dir(fp.unwrap().path()).unwrap() {
            let path = f.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if layers.contains(&name) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// What `layerbom cache stats` says of all entries and of this version's.
fn counts(stats: &str) -> (u64, u64) {
    let line = stats.lines().find(|l| l.starts_with("entries:")).unwrap();
    let n: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    // entries: ALL (X.Y MiB), CURRENT of this version …
    (n[0], n[3])
}

#[test]
fn a_layer_is_scanned_once_then_read_back() {
    let cache = tempfile::tempdir().unwrap();
    let image = fixture("docker-archive.tar");
    let (cold, stderr) = scan(&image, cache.path(), &[]);
    assert_eq!(summary(&stderr), (0, 3, 3), "{stderr}");
    assert_eq!(entries(cache.path()).len(), 3);
    let (warm, stderr) = scan(&image, cache.path(), &[]);
    assert_eq!(summary(&stderr), (3, 3, 0), "{stderr}");
    assert_eq!(cold, warm);
    assert_eq!(cold, reference(&image));
    // -q keeps stderr quiet.
    let out = run(
        &["scan", image.to_str().unwrap(), "-q", "-o", "json"],
        cache.path(),
    );
    assert!(out.status.success() && out.stderr.is_empty());
}

#[test]
fn a_layer_cached_from_one_image_serves_another() {
    // The same layers, uncompressed in a docker archive and zstd-compressed in an OCI
    // archive: the second is read from the first one's scans, and its blobs' own facts
    // (compression, sizes) are still its own.
    let cache = tempfile::tempdir().unwrap();
    scan(&fixture("docker-archive.tar"), cache.path(), &[]);
    let zstd = fixture("oci-zstd.tar");
    let (warm, stderr) = scan(&zstd, cache.path(), &[]);
    assert_eq!(summary(&stderr), (3, 3, 0), "{stderr}");
    assert_eq!(warm, reference(&zstd));
    // The arm64 image of the multi-platform fixture shares the base layers and adds its own.
    let multi = fixture("oci-multiarch");
    let (arm, stderr) = scan(&multi, cache.path(), &["--platform", "arm64"]);
    let (hits, looked, kept) = summary(&stderr);
    assert!(hits >= 1 && hits + kept == looked, "{stderr}");
    let out = layerbom(&[
        "scan",
        multi.to_str().unwrap(),
        "-q",
        "-o",
        "json",
        "--platform",
        "arm64",
    ]);
    assert_eq!(arm.as_bytes(), out.stdout);
}

#[test]
fn a_compressed_layer_is_kept_for_its_blob_until_another_blob_of_it_is_seen() {
    // A gzip layer whose blob digest the scan checks is kept for that blob without hashing
    // its uncompressed bytes; the same layers zstd-compressed are then scanned (and hashed to
    // their diff_ids), and from there on both images read every layer back.
    let cache = tempfile::tempdir().unwrap();
    let (gzip, zstd) = (fixture("oci-gzip"), fixture("oci-zstd.tar"));
    let (doc, stderr) = scan(&gzip, cache.path(), &[]);
    assert_eq!(summary(&stderr), (0, 3, 3), "{stderr}");
    assert_eq!(doc, reference(&gzip));
    let (doc, stderr) = scan(&zstd, cache.path(), &[]);
    assert_eq!(summary(&stderr), (0, 3, 3), "{stderr}");
    assert_eq!(doc, reference(&zstd));
    for image in [&gzip, &zstd] {
        let (doc, stderr) = scan(image, cache.path(), &[]);
        assert_eq!(summary(&stderr), (3, 3, 0), "{stderr}");
        assert_eq!(doc, reference(image));
    }
    // Without digest checks a blob is not known to be what its digest says: its layers are
    // hashed to their diff_ids before they are kept.
    let cache = tempfile::tempdir().unwrap();
    scan(&gzip, cache.path(), &["--no-verify"]);
    let (_, stderr) = scan(&zstd, cache.path(), &[]);
    assert_eq!(summary(&stderr), (3, 3, 0), "{stderr}");
}

#[test]
fn an_image_that_lies_about_a_diff_id_does_not_change_that_layers_reports() {
    // A gzip image whose config claims another layer's diff_id for its own blob: with blob
    // digests checked, its scan is kept for its blob only, and the image with the real layer
    // is scanned (and hashed) rather than read from it.
    let status = |name: &str| {
        format!(
            "Package: {name}\nStatus: install ok installed\nVersion: 1.0\nArchitecture: all\n\n"
        )
    };
    let os = b"ID=debian\nVERSION_ID=\"12\"\n";
    let real_status = status("real");
    let fake_status = status("fake");
    let real = tar_of(&[
        E::File("etc/os-release", os),
        E::File("var/lib/dpkg/status", real_status.as_bytes()),
    ]);
    let fake = tar_of(&[
        E::File("etc/os-release", os),
        E::File("var/lib/dpkg/status", fake_status.as_bytes()),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (honest, liar) = (dir.path().join("honest"), dir.path().join("liar"));
    oci_gzip_layout(&honest, std::slice::from_ref(&real), None);
    let claimed = layerbom::scan::stream::sha256_of(&real);
    oci_gzip_layout(&liar, &[fake], Some(vec![claimed]));
    let cache = tempfile::tempdir().unwrap();
    let (doc, stderr) = scan(&liar, cache.path(), &[]);
    assert_eq!(summary(&stderr), (0, 1, 1), "{stderr}");
    assert!(doc.contains("\"fake\""));
    let (doc, stderr) = scan(&honest, cache.path(), &[]);
    assert_eq!(summary(&stderr), (0, 1, 1), "{stderr}");
    assert_eq!(doc, reference(&honest));
    assert!(doc.contains("\"real\"") && !doc.contains("\"fake\""));
}

#[test]
fn damaged_entries_are_scanned_again_and_replaced() {
    let image = fixture("oci-gzip");
    let expected = reference(&image);
    type Damage = fn(&mut Vec<u8>);
    let damages: [(&str, Damage); 4] = [
        ("cut short", |e| e.truncate(e.len() / 2)),
        ("a flipped bit", |e| {
            let middle = e.len() / 2;
            e[middle] ^= 0x10
        }),
        ("an older fingerprint", |e| e[8..40].fill(0)),
        ("no entry at all", |e| *e = b"not an entry".to_vec()),
    ];
    for (what, damage) in damages {
        let cache = tempfile::tempdir().unwrap();
        scan(&image, cache.path(), &[]);
        for entry in entries(cache.path()) {
            let mut bytes = std::fs::read(&entry).unwrap();
            damage(&mut bytes);
            std::fs::write(&entry, bytes).unwrap();
        }
        let (doc, stderr) = scan(&image, cache.path(), &[]);
        assert_eq!(doc, expected, "{what}");
        assert_eq!(summary(&stderr), (0, 3, 3), "{what}: {stderr}");
        assert!(
            stderr.contains("layerbom: warning: the layer cache's entry for sha256:")
                && stderr.contains("scanning the layer again and replacing it"),
            "{what}: {stderr}"
        );
        // Replaced: the next scan reads every layer back, without a warning.
        let (doc, stderr) = scan(&image, cache.path(), &[]);
        assert_eq!(doc, expected, "{what}");
        assert_eq!(summary(&stderr), (3, 3, 0), "{what}: {stderr}");
        assert!(!stderr.contains("warning"), "{what}: {stderr}");
    }
}

#[test]
fn damaged_readings_and_text_matches_are_worked_out_again() {
    // The sample's packages have copyright files, and it holds a license file: the cache
    // keeps a reading of each copyright file and the matches of the license text, besides
    // the layers' scans.
    let image = sample();
    let expected = reference(&image);
    let cache = tempfile::tempdir().unwrap();
    let (doc, _) = scan(&image, cache.path(), &[]);
    assert_eq!(doc, expected);
    let layers = layer_ids(&serde_json::from_str(&doc).unwrap());
    let mut derived = 0;
    for fp in std::fs::read_dir(cache.path().join("layers")).unwrap() {
        for f in std::fs::read_dir(fp.unwrap().path()).unwrap() {
            let path = f.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !layers.contains(&name) {
                let mut bytes = std::fs::read(&path).unwrap();
                let last = bytes.len() - 1;
                bytes[last] ^= 0x01;
                std::fs::write(&path, bytes).unwrap();
                derived += 1;
            }
        }
    }
    assert!(derived > 1, "{derived} entries besides the layers'");
    let (doc, stderr) = scan(&image, cache.path(), &[]);
    assert_eq!(doc, expected);
    for what in [
        "the layer cache's entry for the copyright file sha256:",
        "reading the copyright file again and replacing it",
        "the layer cache's entry for the license text sha256:",
        "matching the license text again and replacing it",
    ] {
        assert!(stderr.contains(what), "{what}: {stderr}");
    }
    // Replaced: the next scan reads them back without a warning.
    let (doc, stderr) = scan(&image, cache.path(), &[]);
    assert_eq!(doc, expected);
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn a_cache_that_cannot_be_written_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    // A directory that cannot be made, whoever runs the test (root included): its parent
    // is a file.
    let file = dir.path().join("file");
    std::fs::write(&file, b"").unwrap();
    let cache = file.join("cache");
    let image = fixture("docker-archive.tar");
    let (doc, stderr) = scan(&image, &cache, &[]);
    assert_eq!(doc, reference(&image));
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("layerbom: warning: cannot write to the layer cache at "))
            .count(),
        1,
        "one warning: {stderr}"
    );
    // That layers cannot be claimed there either goes without saying.
    assert!(!stderr.contains("claim"), "{stderr}");
    assert!(
        stderr.contains("layers are scanned but not kept"),
        "{stderr}"
    );
    assert_eq!(summary(&stderr), (0, 3, 0), "{stderr}");
    // Also with -q: a warning is not progress.
    let out = run(
        &["scan", image.to_str().unwrap(), "-q", "-o", "json"],
        &cache,
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning"));
}

#[test]
fn a_batch_gives_each_image_what_a_scan_without_the_cache_gives() {
    // One process reads the same layers through several images, gzip, zstd and
    // uncompressed: what it keeps in memory of the cache (the gzip image's scans, bound to
    // its blobs, then the zstd image's, filed for every image) gives each image the
    // documents a batch without the cache writes, into an empty cache and from a full one.
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.txt");
    let images = [
        "oci-gzip",
        "oci-zstd.tar",
        "docker-archive.tar",
        "docker25.tar",
    ];
    let lines: Vec<String> = images
        .iter()
        .map(|i| fixture(i).to_str().unwrap().to_string())
        .collect();
    std::fs::write(&list, lines.join("\n") + "\n").unwrap();
    let cache = dir.path().join("cache");
    let batch = |out: &str, extra: &[&str]| {
        let out_dir = dir.path().join(out);
        let mut args = vec!["batch", list.to_str().unwrap(), "--jobs", "1", "-o", "json"];
        args.extend_from_slice(&["-o", "spdx-json", "--out-dir", out_dir.to_str().unwrap()]);
        args.extend_from_slice(extra);
        let run = run(&args, &cache);
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        assert_eq!(run.status.code(), Some(0), "{stderr}");
        (batch_documents(&out_dir), stderr)
    };
    let (without, _) = batch("without", &["--no-cache"]);
    assert_eq!(without.len(), 2 * images.len());
    let (cold, _) = batch("cold", &[]);
    assert_eq!(cold, without);
    let (warm, stderr) = batch("warm", &[]);
    assert_eq!(warm, without);
    let (hits, looked, kept) = summary(&stderr);
    assert_eq!((hits, kept), (looked, 0), "{stderr}");
}

#[test]
fn verify_reads_every_layer_and_keeps_what_it_read() {
    let cache = tempfile::tempdir().unwrap();
    let image = fixture("docker-archive.tar");
    scan(&image, cache.path(), &[]);
    let (doc, stderr) = scan(&image, cache.path(), &["--verify"]);
    assert_eq!(summary(&stderr), (0, 0, 3), "{stderr}");
    let out = layerbom(&[
        "scan",
        image.to_str().unwrap(),
        "-q",
        "-o",
        "json",
        "--verify",
    ]);
    assert_eq!(doc.as_bytes(), out.stdout);
}

#[test]
fn eight_processes_share_one_cache() {
    let cache = tempfile::tempdir().unwrap();
    let kept = scan_forms_at_once(|c| c.arg("--cache-dir").arg(cache.path()));
    // Eight images of the same three layers: each layer kept at least once, and no more
    // often than the processes that raced to it.
    assert!((3..=24).contains(&kept), "{kept}");
    assert_eq!(entries(cache.path()).len(), 3);
    for name in FORMS {
        let (_, stderr) = scan(&fixture(name), cache.path(), &[]);
        assert_eq!(summary(&stderr).0, 3, "{name}: {stderr}");
    }
}

#[test]
fn processes_that_miss_one_layer_at_once_scan_it_once() {
    // Eight processes start on one image with an empty cache: whichever claims a layer
    // first scans it, the others wait for its entry.
    let cache = tempfile::tempdir().unwrap();
    let kept = scan_at_once(&["oci-gzip"; 8], |c| c.arg("--cache-dir").arg(cache.path()));
    assert_eq!(kept, 3);
    assert_eq!(entries(cache.path()).len(), 3);
    // The claims are let go, and their files removed.
    let claims = std::fs::read_dir(cache.path().join("claims")).unwrap();
    assert_eq!(claims.count(), 0);
}

#[test]
fn cache_stats_prune_and_clear() {
    let cache = tempfile::tempdir().unwrap();
    let dir = cache.path().to_str().unwrap();
    scan(&fixture("docker-archive.tar"), cache.path(), &[]);
    // An entry of another version of layerbom, and a write that never finished.
    let other = cache.path().join("layers/0000000000000000");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("ab".repeat(32)), vec![0u8; 1000]).unwrap();
    let stats = |extra: &[&str]| {
        let mut args = vec!["cache", "stats", "--cache-dir", dir];
        args.extend_from_slice(extra);
        let out = layerbom(&args);
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let s = stats(&[]);
    assert!(s.contains(&format!("layer cache:  {dir}")), "{s}");
    // The three layers' scans and the readings of the copyright files.
    let (all, current) = counts(&s);
    assert!(current > 3 && all == current + 1, "{s}");
    let out = layerbom(&["cache", "prune", "--cache-dir", dir]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "dropped 1 entries (0.0 MiB)"
    );
    assert_eq!(counts(&stats(&[])), (current, current));
    // A bound of one byte keeps nothing.
    let out = layerbom(&[
        "cache",
        "prune",
        "--cache-dir",
        dir,
        "--cache-max-size",
        "1",
    ]);
    let dropped = format!("dropped {current} entries");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(&dropped));
    scan(&fixture("docker-archive.tar"), cache.path(), &[]);
    let out = layerbom(&["cache", "clear", "--cache-dir", dir]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(&dropped));
    assert!(stats(&[]).contains("entries:      0 (0.0 MiB)"));
    let out = layerbom(&[
        "cache",
        "stats",
        "--cache-dir",
        dir,
        "--cache-max-size",
        "lots",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sizes_take_units() {
    let cache = tempfile::tempdir().unwrap();
    for (size, shown) in [
        ("1G", "1024.0 MiB"),
        ("512MiB", "512.0 MiB"),
        ("2097152", "2.0 MiB"),
    ] {
        let out = layerbom(&[
            "cache",
            "stats",
            "--cache-dir",
            cache.path().to_str().unwrap(),
            "--cache-max-size",
            size,
        ]);
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(s.contains(&format!("bound:        {shown}")), "{size}: {s}");
    }
}

#[test]
fn an_entry_is_read_only_within_the_image_budget() {
    let cache = tempfile::tempdir().unwrap();
    let image = fixture("docker-archive.tar");
    scan(&image, cache.path(), &[]);
    // A budget too small for the image: the largest layer's entry is not even read (and
    // the layer, scanned instead, is refused by the budget, as without the cache).
    let out = run(
        &[
            "scan",
            image.to_str().unwrap(),
            "-o",
            "json",
            "--max-entries",
            "10",
            "--max-name-bytes",
            "100",
            "--max-captured",
            "100",
        ],
        cache.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the most this image's budget can use; scanning the layer")
            && stderr.contains("(--max-captured)"),
        "{stderr}"
    );
}
