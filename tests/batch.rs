//! `layerbom batch` end to end: a fleet of fixture images in a real registry on loopback
//! (`docker-registry`, pushed with `skopeo`, as tests/registry/ does) and on disk; bad
//! entries reported one by one; four shards writing exactly what one run writes.

mod common;
#[allow(dead_code)]
#[path = "registry/harness.rs"]
mod harness;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::pg_server::Postgres;
use common::{batch_documents, files_under};
use harness::{fixture, layerbom_command, path_str, Registry, Value};

/// Runs `layerbom batch ARGS…` (no layer cache unless ARGS give one).
fn batch(args: &[&str], env: &[(&str, &str)]) -> Output {
    layerbom_command()
        .arg("batch")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run layerbom batch")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Removes the temporary files of writes that were cut off under `dir`.
fn remove_temporary(dir: &Path) {
    for path in files_under(dir) {
        if path.to_string_lossy().ends_with(".layerbom-tmp") {
            std::fs::remove_file(&path).unwrap();
        }
    }
}

/// A registry holding several fixture images under several names, and a list of them with
/// local images besides: (registry, list lines).
fn fleet() -> (Registry, Vec<String>) {
    let reg = Registry::start(false);
    let pushes = [
        ("docker-archive", "docker-archive.tar", "fleet/app:1"),
        ("docker-archive", "docker-archive.tar", "fleet/app:2"),
        ("docker-archive", "docker25.tar", "fleet/docker25:1"),
        (
            "docker-archive",
            "distroless-like.tar",
            "fleet/distroless:1",
        ),
        ("docker-archive", "docker-legacy.tar", "other/legacy:7"),
        ("oci", "oci-gzip", "fleet/gzip:1.0"),
        ("oci-archive", "oci-zstd.tar", "fleet/zstd:1"),
    ];
    let mut list = Vec::new();
    for (transport, file, name) in pushes {
        reg.push(
            &format!("{transport}:{}", path_str(&fixture(file))),
            name,
            &[],
        );
        list.push(reg.reference(name));
    }
    for local in [
        "docker-containerd.tar",
        "oci-uncompressed",
        "rootfs.tar",
        "rootfs.tar.gz",
        "rootfs-dir",
    ] {
        list.push(path_str(&fixture(local)).to_string());
    }
    (reg, list)
}

#[test]
fn bad_entries_are_reported_one_by_one_and_the_batch_goes_on() {
    let reg = Registry::start(false);
    let good = reg.push_app(&[]);
    let dir = tempfile::tempdir().unwrap();
    let not_an_image = dir.path().join("not-an-image.tar");
    std::fs::write(&not_an_image, b"these bytes are no image at all").unwrap();
    let missing = dir.path().join("missing.tar");
    let list = dir.path().join("list.txt");
    let unknown_tag = reg.reference("fixtures/app:no-such-tag");
    let mut text = format!(
        "# the fleet\n{good}\n\n{unknown_tag}\n{}\n{}\nthis is not an image ::: !!\n",
        path_str(&not_an_image),
        path_str(&missing)
    )
    .into_bytes();
    text.extend_from_slice(b"\xff\xfe\n");
    text.extend_from_slice(format!("{}\n", path_str(&fixture("rootfs-dir"))).as_bytes());
    std::fs::write(&list, text).unwrap();
    let out_dir = dir.path().join("out");
    let out = batch(
        &[
            path_str(&list),
            "--out-dir",
            path_str(&out_dir),
            "-o",
            "spdx-json",
            "-o",
            "json",
            "--jobs",
            "3",
        ],
        &[],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let summary = read_json(&out_dir.join("batch-summary.json"));
    assert_eq!(summary["schema"], "layerbom-batch/v1");
    assert_eq!(summary["listed"], 7);
    assert_eq!(
        (&summary["done"], &summary["failed"], &summary["policy"]),
        (&Value::from(2), &Value::from(5), &Value::from(0))
    );
    let entries = summary["entries"].as_array().unwrap();
    let by_line: BTreeMap<u64, &Value> = entries
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e))
        .collect();
    // The entries in the list's order, by line (comments and blank lines not counted).
    assert_eq!(
        by_line.keys().copied().collect::<Vec<_>>(),
        [2, 4, 5, 6, 7, 8, 9]
    );
    let status = |line: u64| by_line[&line]["status"].as_str().unwrap();
    let error = |line: u64| {
        by_line[&line]["error"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(status(2), "done");
    assert_eq!(status(9), "done");
    for line in [4, 5, 6, 7, 8] {
        assert_eq!(status(line), "failed", "line {line}");
        assert!(by_line[&line]["documents"].as_array().unwrap().is_empty());
    }
    assert!(error(4).contains("no-such-tag"), "{}", error(4));
    assert!(error(5).contains("not-an-image.tar"), "{}", error(5));
    assert!(error(6).contains("missing.tar"), "{}", error(6));
    assert!(error(7).contains("this is not an image"), "{}", error(7));
    assert!(error(8).contains("not UTF-8"), "{}", error(8));
    // The good images' documents, named by repository, tag and digest.
    let written = batch_documents(&out_dir);
    let digest = by_line[&2]["manifest_digest"].as_str().unwrap();
    let hex12 = &digest["sha256:".len().."sha256:".len() + 12];
    for ext in ["spdx.json", "layerbom.json"] {
        let name = PathBuf::from(format!("fixtures/app/1-{hex12}.{ext}"));
        assert!(
            written.contains_key(&name),
            "{name:?} in {:?}",
            written.keys()
        );
    }
    assert_eq!(written.len(), 4, "{:?}", written.keys());
    let native: Value = serde_json::from_slice(
        &written[&PathBuf::from(format!("fixtures/app/1-{hex12}.layerbom.json"))],
    )
    .unwrap();
    assert_eq!(native["image"]["source"], good.as_str());
    // Progress and the summary on standard error, each failure named.
    assert!(err.contains("[7/7]"), "{err}");
    assert!(
        err.contains("layerbom: batch: 7 images: 2 done, 0 matched the policy, 5 failed"),
        "{err}"
    );
    for line in [4, 5, 6, 7, 8] {
        assert!(err.contains(&format!("  line {line}: ")), "{err}");
    }
}

#[test]
fn four_shards_write_exactly_what_one_run_writes() {
    let (_reg, list) = fleet();
    let dir = tempfile::tempdir().unwrap();
    let list_file = dir.path().join("list.txt");
    std::fs::write(&list_file, list.join("\n") + "\n").unwrap();
    // The shards read the list in another order: a shard is a slice of the entries, not of
    // the lines.
    let reversed = dir.path().join("reversed.txt");
    let mut lines = list.clone();
    lines.reverse();
    std::fs::write(&reversed, lines.join("\n") + "\n").unwrap();
    let one = dir.path().join("one");
    let formats = [
        "-o",
        "json",
        "-o",
        "spdx-json",
        "-o",
        "cyclonedx-xml",
        "-o",
        "notice",
    ];
    let mut args = vec![path_str(&list_file), "--out-dir", path_str(&one), "-q"];
    args.extend_from_slice(&formats);
    let out = batch(&args, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let whole = batch_documents(&one);
    assert_eq!(whole.len(), 4 * list.len(), "{:?}", whole.keys());

    // Four processes at once, sharing the output directory and a layer cache.
    let shared = dir.path().join("shards");
    let cache = dir.path().join("cache");
    let children: Vec<_> = (0..4)
        .map(|i| {
            let shard = format!("{i}/4");
            let the_list = if i % 2 == 0 { &list_file } else { &reversed };
            let mut command = layerbom_command();
            command
                .env_remove("LAYERBOM_NO_CACHE")
                .args(["batch", path_str(the_list), "--out-dir", path_str(&shared)])
                .args(["--shard", &shard, "--cache-dir", path_str(&cache), "-q"])
                .args(formats)
                .stderr(std::process::Stdio::piped());
            command.spawn().expect("run a shard")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert_eq!(
        batch_documents(&shared),
        whole,
        "the shards' documents differ"
    );

    // Every entry in exactly one shard's summary, its outcome as in the one run.
    let all = read_json(&one.join("batch-summary.json"));
    let mut seen = BTreeMap::new();
    for i in 0..4 {
        let s = read_json(&shared.join(format!("batch-summary-{i}-of-4.json")));
        assert_eq!(s["shard"], serde_json::json!({"index": i, "count": 4}));
        assert_eq!(s["listed"], list.len());
        for e in s["entries"].as_array().unwrap() {
            let entry = e["entry"].as_str().unwrap().to_string();
            assert!(
                seen.insert(entry.clone(), e["documents"].clone()).is_none(),
                "{entry}"
            );
        }
    }
    let expected: BTreeMap<String, Value> = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["entry"].as_str().unwrap().to_string(),
                e["documents"].clone(),
            )
        })
        .collect();
    assert_eq!(seen, expected);
}

#[test]
fn the_job_completion_index_names_the_shard() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.txt");
    let entries: Vec<String> = ["rootfs.tar", "rootfs-dir", "docker-archive.tar", "oci-gzip"]
        .iter()
        .map(|f| path_str(&fixture(f)).to_string())
        .collect();
    std::fs::write(&list, entries.join("\n")).unwrap();
    let taken = |args: &[&str], env: &[(&str, &str)]| -> Vec<String> {
        let out_dir = dir.path().join("out");
        let _ = std::fs::remove_dir_all(&out_dir);
        let mut all = vec![path_str(&list), "--out-dir", path_str(&out_dir), "-q"];
        all.extend_from_slice(args);
        let out = batch(&all, env);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let name = std::fs::read_dir(&out_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with("batch-summary"))
            .unwrap();
        read_json(&out_dir.join(name))["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["entry"].as_str().unwrap().to_string())
            .collect()
    };
    let mut union = Vec::new();
    for i in 0..2 {
        let index = i.to_string();
        let by_flag = taken(&["--shard", &format!("{i}/2")], &[]);
        let by_job = taken(&["--shard", "2"], &[("JOB_COMPLETION_INDEX", &index)]);
        let by_variables = taken(
            &[],
            &[("LAYERBOM_SHARD", "2"), ("JOB_COMPLETION_INDEX", &index)],
        );
        assert_eq!(by_flag, by_job);
        assert_eq!(by_flag, by_variables);
        union.extend(by_flag);
    }
    union.sort();
    let mut all = entries.clone();
    all.sort();
    assert_eq!(union, all);
    // --shard N without the variable says what is missing.
    let out = batch(
        &[
            path_str(&list),
            "--out-dir",
            path_str(&dir.path().join("x")),
            "--shard",
            "2",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("JOB_COMPLETION_INDEX"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_policy_match_is_exit_1_and_names_that_leave_the_directory_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.txt");
    std::fs::write(&list, path_str(&fixture("docker-archive.tar"))).unwrap();
    let out_dir = dir.path().join("out");
    let out = batch(
        &[
            path_str(&list),
            "--out-dir",
            path_str(&out_dir),
            "--fail-on",
            "public-domain,permissive,weak-copyleft,strong-copyleft,network-copyleft,non-free,unknown",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let summary = read_json(&out_dir.join("batch-summary.json"));
    assert_eq!(summary["entries"][0]["status"], "policy");
    assert!(!summary["entries"][0]["violations"]
        .as_array()
        .unwrap()
        .is_empty());
    // The documents are written all the same.
    assert_eq!(batch_documents(&out_dir).len(), 1);

    // An unapproved base matches the policy as a package does; a usage error without the list.
    let out = batch(
        &[
            path_str(&list),
            "--out-dir",
            path_str(&dir.path().join("bases")),
            "--approved-base",
            "registry.example.org/approved/base",
            "--fail-on",
            "unapproved-base",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let summary = read_json(&dir.path().join("bases/batch-summary.json"));
    assert_eq!(summary["entries"][0]["status"], "policy");
    assert!(
        summary["entries"][0]["violations"][0]
            .as_str()
            .unwrap()
            .contains("is not an approved base image (--fail-on unapproved-base)"),
        "{summary}"
    );
    let out = batch(
        &[
            path_str(&list),
            "--out-dir",
            path_str(&out_dir),
            "--fail-on",
            "unapproved-base",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    for template in [
        "json=../{repo}.json",
        "json=/tmp/{repo}.json",
        "json={repo}/../../x",
    ] {
        let out = batch(
            &[
                path_str(&list),
                "--out-dir",
                path_str(&out_dir),
                "-o",
                template,
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(2), "{template}");
        assert!(
            stderr(&out).contains("the name template"),
            "{}",
            stderr(&out)
        );
    }
    // A summary that could not be written is refused before any scan.
    let nowhere = dir.path().join("no-such-dir/summary.json");
    let out = batch(
        &[
            path_str(&list),
            "--out-dir",
            path_str(&dir.path().join("unused")),
            "--summary",
            path_str(&nowhere),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--summary"), "{}", stderr(&out));
    assert!(!dir.path().join("unused").exists());
    // A list that cannot be read is a usage error.
    let out = batch(
        &[
            path_str(&dir.path().join("no-list")),
            "--out-dir",
            path_str(&out_dir),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read the list"),
        "{}",
        stderr(&out)
    );
}

/// Every row of the inventory's tables in `database`, as text, table by table, sorted.
fn inventory_rows(pg: &Postgres, database: &str) -> BTreeMap<&'static str, Vec<String>> {
    let mut client =
        postgres::Client::connect(&database_url(pg, database), postgres::NoTls).unwrap();
    [
        "fleet_images",
        "fleet_references",
        "fleet_layers",
        "fleet_packages",
        "fleet_violations",
    ]
    .into_iter()
    .map(|table| {
        let rows = client
            .query(&format!("SELECT t::text FROM {table} t ORDER BY 1"), &[])
            .unwrap();
        (table, rows.iter().map(|r| r.get(0)).collect())
    })
    .collect()
}

fn database_url(pg: &Postgres, database: &str) -> String {
    pg.url().replace("/postgres", &format!("/{database}"))
}

/// Runs `layerbom batch LIST --inventory URL …`, the URL in LAYERBOM_INVENTORY.
fn batch_into(list: &Path, out_dir: &Path, url: &str, extra: &[&str]) -> Output {
    let mut args = vec![path_str(list), "--out-dir", path_str(out_dir), "-q"];
    args.extend_from_slice(extra);
    batch(&args, &[("LAYERBOM_INVENTORY", url)])
}

#[test]
fn four_shards_write_the_inventory_one_run_writes_and_a_crash_leaves_no_half_image() {
    let (_reg, list) = fleet();
    let pg = Postgres::start();
    for db in ["one", "shards", "crash"] {
        pg.sql(&format!("CREATE DATABASE {db}"));
    }
    let dir = tempfile::tempdir().unwrap();
    let list_file = dir.path().join("list.txt");
    std::fs::write(&list_file, list.join("\n") + "\n").unwrap();
    let policy = ["--fail-on", "strong-copyleft"];

    let out = batch_into(
        &list_file,
        &dir.path().join("one"),
        &database_url(&pg, "one"),
        &policy,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let one = inventory_rows(&pg, "one");
    assert_eq!(one["fleet_references"].len(), list.len());
    assert!(!one["fleet_packages"].is_empty() && !one["fleet_violations"].is_empty());
    // Two references to one image are one image.
    assert!(one["fleet_images"].len() < list.len());

    // Four shards at once into one database, sharing the layer cache there too.
    let shards_url = database_url(&pg, "shards");
    let children: Vec<_> = (0..4)
        .map(|i| {
            let mut command = layerbom_command();
            command
                .env_remove("LAYERBOM_NO_CACHE")
                .env("LAYERBOM_INVENTORY", &shards_url)
                .env("LAYERBOM_CACHE", &shards_url)
                .args(["batch", path_str(&list_file), "-q", "--cache-required"])
                .args(["--out-dir", path_str(&dir.path().join("shards"))])
                .args(["--shard", &format!("{i}/4")])
                .args(policy)
                .stderr(std::process::Stdio::piped());
            command.spawn().expect("run a shard")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    }
    assert_eq!(inventory_rows(&pg, "shards"), one);

    // A run killed after its first image, then run again: no image half written, no row
    // twice, the same rows.
    use std::io::BufRead;
    let crash_url = database_url(&pg, "crash");
    let mut child = layerbom_command()
        .env("LAYERBOM_INVENTORY", &crash_url)
        .args(["batch", path_str(&list_file), "--jobs", "1"])
        .args(["--out-dir", path_str(&dir.path().join("crash"))])
        .args(policy)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("layerbom: [1/"), "{first}");
    child.kill().unwrap();
    child.wait().unwrap();
    let mut client = postgres::Client::connect(&crash_url, postgres::NoTls).unwrap();
    let half: i64 = client
        .query_one(
            "SELECT count(*) FROM fleet_images i WHERE i.packages <> \
             (SELECT count(*) FROM fleet_packages p WHERE p.image = i.image)",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(half, 0, "an image was left half written");
    for _ in 0..2 {
        let out = batch_into(&list_file, &dir.path().join("crash"), &crash_url, &policy);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(inventory_rows(&pg, "crash"), one);
    }
    // A process killed while writing may leave its temporary file (never a document): it
    // is removed as docs/fleet.md says, and the documents are those of the run in one go.
    remove_temporary(&dir.path().join("crash"));
    assert!(batch_documents(&dir.path().join("crash")) == batch_documents(&dir.path().join("one")));

    // A rescan killed in the middle of an image's transaction: the batch is held at its last
    // statement (the reference, whose table the test locks) and killed there. It rescans
    // without the policy, so its rows would differ: the image keeps the rows it had.
    let mut holder = postgres::Client::connect(&crash_url, postgres::NoTls).unwrap();
    let mut lock = holder.transaction().unwrap();
    lock.batch_execute("LOCK TABLE fleet_references IN EXCLUSIVE MODE")
        .unwrap();
    let mut child = layerbom_command()
        .env("LAYERBOM_INVENTORY", &crash_url)
        .args(["batch", path_str(&list_file), "--jobs", "1", "-q"])
        .args(["--out-dir", path_str(&dir.path().join("killed"))])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut watcher = postgres::Client::connect(&crash_url, postgres::NoTls).unwrap();
    let waiting = |watcher: &mut postgres::Client| -> i64 {
        watcher
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'layerbom' \
                 AND wait_event_type = 'Lock'",
                &[],
            )
            .unwrap()
            .get(0)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while waiting(&mut watcher) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the batch never reached the reference"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    lock.rollback().unwrap();
    // The server ends the dead client's transaction once it is no longer blocked.
    let gone = |watcher: &mut postgres::Client| -> bool {
        watcher
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'layerbom'",
                &[],
            )
            .unwrap()
            .get::<_, i64>(0)
            == 0
    };
    while !gone(&mut watcher) {
        assert!(
            std::time::Instant::now() < deadline,
            "the killed client stays"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        inventory_rows(&pg, "crash"),
        one,
        "a killed transaction left rows"
    );

    // The questions `layerbom query` answers.
    let query = |args: &[&str]| -> Value {
        let out = layerbom_command()
            .env("LAYERBOM_INVENTORY", database_url(&pg, "one"))
            .arg("query")
            .args(args)
            .args(["-o", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let refs = |v: &Value| -> Vec<String> {
        let mut r: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["reference"].as_str().unwrap().to_string())
            .collect();
        r.dedup();
        r
    };
    let gcc = query(&["package", "libgcc-s1", "--version", ">=12.2,<12.3"]);
    let mut all: Vec<String> = list
        .iter()
        .filter(|r| !r.contains("distroless"))
        .cloned()
        .collect();
    all.sort();
    assert_eq!(
        refs(&gcc),
        all,
        "every fixture image but distroless-like holds libgcc-s1 12.2"
    );
    assert!(query(&["package", "libgcc-s1", "--version", ">=13"])
        .as_array()
        .unwrap()
        .is_empty());
    assert!(query(&["package", "libgcc-s1", "--origin", "base"])
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["origin"] == "base"));
    let gpl = query(&["license", "gpl-3.0"]);
    assert!(gpl
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["name"] == "libgcc-s1"));
    assert!(gpl
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["name"] != "base-files"));
    let owed = query(&["owed", "--delivery", "image", "--image", "*/fleet/app:*"]);
    let gcc12 = owed
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "gcc-12")
        .expect("gcc-12's source is owed");
    assert_eq!(
        gcc12["images"],
        serde_json::json!([list[0].as_str(), list[1].as_str()]),
        "each source once, with the images that need it"
    );
    assert!(query(&["owed", "--delivery", "dockerfile"])
        .as_array()
        .unwrap()
        .is_empty());

    // The fleet report: every image once with its references, each source owed once.
    let report_dir = dir.path().join("report");
    std::fs::create_dir(&report_dir).unwrap();
    let (json, md, html) = (
        report_dir.join("fleet.json"),
        report_dir.join("fleet.md"),
        report_dir.join("fleet.html"),
    );
    let out = layerbom_command()
        .env("LAYERBOM_INVENTORY", database_url(&pg, "one"))
        .arg("fleet-report")
        .args(["-o", &format!("json={}", path_str(&json))])
        .args(["-o", &format!("md={}", path_str(&md))])
        .args(["-o", &format!("html={}", path_str(&html))])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let fleet = read_json(&json);
    assert_eq!(fleet["schema"], "layerbom-fleet/v1");
    let images = fleet["images"].as_array().unwrap();
    assert_eq!(images.len(), one["fleet_images"].len());
    let mut listed: Vec<String> = images
        .iter()
        .flat_map(|i| i["references"].as_array().unwrap().clone())
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    listed.sort();
    let mut expected = list.clone();
    expected.sort();
    assert_eq!(listed, expected, "every reference under its image, once");
    for i in images {
        let matched = !i["violations"].as_array().unwrap().is_empty();
        assert!(!matched || i["verdict"] == "blocked", "{i}");
    }
    assert_eq!(fleet["totals"]["images"], images.len());
    let owed = fleet["owed"].as_array().unwrap();
    let mut names: Vec<(&str, &str)> = owed
        .iter()
        .map(|o| (o["name"].as_str().unwrap(), o["version"].as_str().unwrap()))
        .collect();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n, "each source package once");
    let gcc12 = owed.iter().find(|o| o["name"] == "gcc-12").unwrap();
    assert_eq!(gcc12["images"].as_array().unwrap().len(), all.len());
    let bases = fleet["bases"].as_array().unwrap();
    let in_bases: usize = bases
        .iter()
        .map(|b| b["images"].as_array().unwrap().len())
        .sum();
    assert_eq!(in_bases, list.len(), "every image under one base");
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.starts_with("# Fleet report"));
    assert!(md.contains("| gcc-12 |"), "{md}");
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("<h2 id=\"owed\">"));
    assert!(html.contains(&list[0]));

    // The same report from the batch's output directory, without the database.
    let out = layerbom_command()
        .env_remove("LAYERBOM_INVENTORY")
        .args([
            "fleet-report",
            "--from-dir",
            path_str(&dir.path().join("one")),
        ])
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let from_dir: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        from_dir, fleet,
        "the report from the directory differs from the inventory's"
    );
}
