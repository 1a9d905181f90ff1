//! Hostile images (built by `tests/common/hostile.rs`) under bounds: whatever an image does,
//! layerbom exits 0 or 2 with at most one clean line on stderr, peaks under 512 MiB of
//! resident memory and finishes within 20 s. The bounds are limits a child process is
//! measured against (`wait4`'s peak RSS, a watchdog that kills it), not timings to tune.

#[path = "common/hostile.rs"]
mod hostile;

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most resident memory a scan of a hostile image may take.
const MAX_RSS_KIB: i64 = 512 * 1024;
/// The longest a scan of a hostile image may take.
const MAX_TIME: Duration = Duration::from_secs(20);

/// One image built and scanned at a time: each scan is measured alone on the machine's
/// cores. Linux counts the spawning process's own peak RSS in a child's `ru_maxrss` (the
/// memory it was started from), so the images are written as they are made, keeping this
/// process small; the figure is an upper bound of the scan's.
static ALONE: Mutex<()> = Mutex::new(());

/// How a bounded run ended.
#[derive(Debug)]
struct Ended {
    /// The exit code; `None` when killed by a signal (or by the watchdog).
    code: Option<i32>,
    stderr: String,
    /// Peak resident memory, KiB.
    max_rss_kib: i64,
    took: Duration,
}

/// Runs `layerbom ARGS` with its output discarded, killing it after twice [`MAX_TIME`].
// The child is reaped by `wait4`, which also reports its peak RSS, not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn bounded(args: &[&str]) -> Ended {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_layerbom"))
        .env("LAYERBOM_NO_CACHE", "1")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start layerbom");
    let mut pipe = child.stderr.take().expect("stderr piped");
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    });
    let pid = libc::pid_t::try_from(child.id()).expect("a pid fits pid_t");
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: `wait4` writes an int and a `rusage` that both live on this stack; all
        // zeroes is a valid `rusage`.
        let (reaped, usage) = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            let reaped = libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage);
            (reaped, usage)
        };
        if reaped == pid {
            break (status, usage);
        }
        assert!(
            reaped == 0,
            "wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        if start.elapsed() > 2 * MAX_TIME {
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&reader.join().expect("stderr reader")).into_owned();
    Ended {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        stderr,
        max_rss_kib: usage.ru_maxrss,
        took,
    }
}

/// Builds the image of `class` and scans it to every document at once, checking the bounds;
/// returns how the scan ended.
fn scan_within_bounds(class: &str) -> Ended {
    scan_within_bounds_with(class, &[])
}

/// [`scan_within_bounds`] with `extra` arguments.
fn scan_within_bounds_with(class: &str, extra: &[&str]) -> Ended {
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("temporary directory");
    let image = hostile::build(class, dir.path()).expect("a known class");
    let image = image.to_str().expect("UTF-8 path");
    let out = |format: &str| format!("{format}={}", dir.path().join(format).display());
    let (json, spdx, cdx) = (out("json"), out("spdx-json"), out("cyclonedx-json"));
    let mut args = vec!["scan", image, "-q", "-o", &json, "-o", &spdx, "-o", &cdx];
    args.extend_from_slice(extra);
    let ended = bounded(&args);
    assert!(
        matches!(ended.code, Some(0 | 2)),
        "{class}: exit 0 or 2: {ended:?}"
    );
    let lines = ended.stderr.trim_end().lines().count();
    assert!(lines <= 1, "{class}: at most one line on stderr: {ended:?}");
    assert!(
        !ended.stderr.contains("panicked") && !ended.stderr.contains('\u{1b}'),
        "{class}: a clean line: {ended:?}"
    );
    assert!(
        ended.max_rss_kib < MAX_RSS_KIB,
        "{class}: peak RSS {} MiB: {ended:?}",
        ended.max_rss_kib / 1024
    );
    assert!(ended.took < MAX_TIME, "{class}: took {:?}", ended.took);
    println!(
        "{class} {extra:?}: exit {:?}, peak RSS {} MiB, {:?}",
        ended.code,
        ended.max_rss_kib / 1024,
        ended.took
    );
    ended
}

#[test]
fn every_class_has_a_test() {
    let source = include_str!("hostile.rs");
    for (class, _) in hostile::CLASSES {
        assert!(
            source.contains(&format!("scan_within_bounds(\"{class}\")")),
            "{class}"
        );
    }
}

#[test]
fn a_layer_listed_a_thousand_times_is_refused_by_the_entry_budget() {
    let ended = scan_within_bounds("repeated-layer");
    assert_eq!(ended.code, Some(2));
    assert!(
        ended
            .stderr
            .contains("200000000 entries in all (a layer counts each time the manifest lists it), over the budget of 2000000 (--max-entries)"),
        "{}",
        ended.stderr
    );
}

#[test]
fn layers_that_change_no_package_share_one_view() {
    // 999 empty layers over 3,000 packages: 700 MB and 1.4 s when each layer had its own
    // copy of the package list.
    let ended = scan_within_bounds("empty-layers");
    assert_eq!(ended.code, Some(0), "{}", ended.stderr);
    assert!(ended.max_rss_kib < 128 * 1024, "{ended:?}");
}

#[test]
fn more_layers_than_the_budget_are_refused() {
    let ended = scan_within_bounds_with("empty-layers", &["--max-layers", "500"]);
    assert_eq!(ended.code, Some(2));
    assert!(
        ended
            .stderr
            .contains("the image lists 1000 layers, over the budget of 500 (--max-layers)"),
        "{}",
        ended.stderr
    );
}

#[test]
fn an_index_listed_thirty_times_at_each_level_is_walked_once() {
    let ended = scan_within_bounds("index-fan-out");
    assert_eq!(ended.code, Some(0), "{}", ended.stderr);
}

#[test]
fn a_license_file_at_a_one_mib_path_is_refused_at_once() {
    let ended = scan_within_bounds("deep-path");
    assert_eq!(ended.code, Some(2));
    assert!(ended.stderr.contains("exceeds the"), "{}", ended.stderr);
    assert!(ended.took < Duration::from_secs(2), "{:?}", ended.took);
}

#[test]
fn captured_files_past_the_image_budget_are_refused() {
    // Before the budget: exit 0 at 620 MB, both databases kept.
    let ended = scan_within_bounds("big-databases");
    assert_eq!(ended.code, Some(2));
    assert!(
        ended.stderr.contains(
            "the image's layers hold more than 268435456 bytes of files kept for reading in all (--max-captured)"
        ),
        "{}",
        ended.stderr
    );
}

#[test]
fn entry_names_past_the_image_budget_are_refused() {
    let ended = scan_within_bounds("long-names");
    assert_eq!(ended.code, Some(0), "{}", ended.stderr);
    let ended = scan_within_bounds_with("long-names", &["--max-name-bytes", "16777216"]);
    assert_eq!(ended.code, Some(2));
    assert!(
        ended.stderr.contains(
            "the image's layers hold more than 16777216 bytes of entry names in all (--max-name-bytes)"
        ),
        "{}",
        ended.stderr
    );
}

#[test]
fn two_million_entries_in_one_layer_are_read_within_bounds() {
    let ended = scan_within_bounds("many-entries");
    assert_eq!(ended.code, Some(0), "{}", ended.stderr);
    let ended = scan_within_bounds_with("many-entries", &["--max-entries", "1000000"]);
    assert_eq!(ended.code, Some(2));
    assert!(
        ended
            .stderr
            .contains("more than 1000000 entries in all (--max-entries)"),
        "{}",
        ended.stderr
    );
}

#[test]
fn a_status_file_of_more_packages_than_the_budget_is_refused_as_it_is_read() {
    // Before the budget: exit 0 after 19 s at 3.1 GB (268,000 packages in three documents);
    // the parser stops at the 50,001st package.
    let ended = scan_within_bounds("big-status");
    assert_eq!(ended.code, Some(2));
    assert!(
        ended.stderr.contains(
            "layer 0: entry \"var/lib/dpkg/status\": the image's package databases and metadata files list more than 50000 packages, over the budget (--max-packages)"
        ),
        "{}",
        ended.stderr
    );
    assert!(ended.max_rss_kib < 256 * 1024, "{ended:?}");
}

#[test]
fn members_of_a_one_pass_archive_that_nothing_references_are_bounded_by_the_entry_budget() {
    // The manifest comes last, so every member named like a layer is scanned as it goes by;
    // their scans draw on --max-entries (2,000,000 of their 4,000,000 entries, ~200 MiB),
    // and the scans that ran out of it fail without counting, as no layer uses them.
    let ended = scan_within_bounds("unreferenced-members");
    assert_eq!(ended.code, Some(0), "{}", ended.stderr);
    // Its one layer holds one file and no package: that warning is all stderr says.
    let said: Vec<&str> = ended.stderr.lines().collect();
    assert_eq!(said.len(), 1, "{}", ended.stderr);
    assert!(
        said[0].starts_with("layerbom: warning: ")
            && said[0].ends_with("the documents list no packages"),
        "{}",
        ended.stderr
    );
}
