//! The layer cache shared through a real PostgreSQL server: `initdb` into a temporary
//! directory and `postgres` on a free loopback port, started by each test (Debian's
//! `postgresql` package; as root, the server runs as the `postgres` user).

mod common;

use common::pg_server::{free_port, Postgres, PASSWORD};
use common::*;

impl Postgres {
    /// Rows of the fixtures' layers (the others hold readings of copyright files).
    fn count(&self) -> i64 {
        let layers = fixture_layers();
        let mut client = postgres::Client::connect(&self.url(), postgres::NoTls).unwrap();
        client
            .query_one(
                "SELECT count(*) FROM layerbom_layers WHERE encode(diff_id, 'hex') = ANY($1)",
                &[&layers],
            )
            .unwrap()
            .get(0)
    }

    /// Every row.
    fn rows(&self) -> i64 {
        let mut client = postgres::Client::connect(&self.url(), postgres::NoTls).unwrap();
        client
            .query_one("SELECT count(*) FROM layerbom_layers", &[])
            .unwrap()
            .get(0)
    }
}

#[test]
fn runners_share_layers_through_the_database() {
    let pg = Postgres::start();
    let shown = format!("postgres://layerbom@127.0.0.1:{}/postgres", pg.port);
    runners_share_layers(&pg.url(), &shown, PASSWORD, || pg.count() as usize);
}

#[test]
fn eight_processes_write_one_database_at_once() {
    let pg = Postgres::start();
    let kept = scan_forms_at_once(|c| c.env("LAYERBOM_CACHE", pg.url()));
    assert!((3..=24).contains(&kept), "{kept}");
    assert_eq!(pg.count(), 3);
}

#[test]
fn processes_that_miss_one_layer_at_once_scan_it_once() {
    // Whichever claims a layer first (an advisory lock) scans it; the others wait.
    let pg = Postgres::start();
    let kept = scan_at_once(&["oci-gzip"; 8], |c| c.env("LAYERBOM_CACHE", pg.url()));
    assert_eq!(kept, 3);
    assert_eq!(pg.count(), 3);
}

#[test]
fn a_batch_of_copies_of_one_image_scans_each_layer_once() {
    // Four copies of one image (an entry each), four at once in one process: its threads
    // share one session, whose advisory locks would let each of them take a layer's claim
    // again, so the store keeps its own claims apart. (Whether two threads meet one layer
    // at once here depends on the scheduler: the test shows the outcome, not the race.)
    let pg = Postgres::start();
    let dir = tempfile::tempdir().unwrap();
    let mut list = String::new();
    for i in 0..4 {
        let copy = dir.path().join(format!("image{i}"));
        copy_dir(&fixture("oci-gzip"), &copy);
        list.push_str(&format!("{}\n", copy.display()));
    }
    std::fs::write(dir.path().join("list"), list).unwrap();
    let out = with_cache_url(&pg.url())
        .args(["batch", "list", "--out-dir", "out", "--jobs", "4"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = ok_without_warning(&out);
    assert_eq!(cache_summary(&stderr), (9, 12, 3), "{stderr}");
    assert_eq!(pg.count(), 3);
}

#[test]
fn a_wrong_password_or_no_server_leaves_the_scan_without_the_cache() {
    let pg = Postgres::start();
    let image = fixture("docker-archive.tar");
    let wrong = format!("postgres://layerbom:wrong@127.0.0.1:{}/postgres", pg.port);
    let down = format!(
        "postgres://layerbom:wrong@127.0.0.1:{}/postgres",
        free_port()
    );
    for (url, why) in [
        (
            &wrong,
            "password authentication failed for user \"layerbom\"",
        ),
        (&down, "Connection refused"),
    ] {
        let out = scan_with_cache_url(&image, url, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(out.stdout, uncached(&image));
        assert!(
            stderr.starts_with("layerbom: warning: the layer cache: cannot connect to postgres://layerbom@127.0.0.1:")
                && stderr.contains(why)
                && stderr.contains("scanning without the cache")
                && !stderr.contains("wrong@"),
            "{stderr}"
        );
        let out = scan_with_cache_url(&image, url, &["--cache-required", "-q"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(out.stdout.is_empty());
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("layerbom: error: the layer cache: cannot connect to")
                && stderr.contains(why),
            "{stderr}"
        );
    }
}

#[test]
fn a_damaged_row_is_scanned_again_and_replaced() {
    let pg = Postgres::start();
    damaged_entries_are_scanned_again(&pg.url(), || {
        pg.sql("UPDATE layerbom_layers SET entry = substring(entry from 1 for length(entry) - 7)")
    });
}

#[test]
fn a_read_only_runner_reads_the_shared_cache() {
    let pg = Postgres::start();
    let reader = || {
        pg.sql(&format!(
            "CREATE ROLE reader LOGIN PASSWORD '{PASSWORD}';
             GRANT SELECT ON layerbom_layers TO reader;"
        ));
        format!(
            "postgres://reader:{PASSWORD}@127.0.0.1:{}/postgres",
            pg.port
        )
    };
    a_reader_reads_and_cannot_write(
        &pg.url(),
        reader,
        "postgres://reader@",
        "permission denied",
        || pg.count() as usize,
    );
}

#[test]
fn cache_stats_prune_and_clear_in_the_database() {
    let pg = Postgres::start();
    stats_prune_and_clear(
        &pg.url(),
        PASSWORD,
        || pg.rows() as usize,
        || {
            pg.sql("UPDATE layerbom_layers SET fingerprint = '\\x00' WHERE diff_id = (SELECT diff_id FROM layerbom_layers ORDER BY diff_id LIMIT 1)")
        },
    );
}

/// TLS to the database: a server that offers it is spoken to over TLS, its certificate
/// verified against the trusted roots (here the test's authority, through SSL_CERT_FILE);
/// an untrusted certificate is a warning and a scan without the cache, or exit 2 with
/// --cache-required; `sslmode=require` refuses a server without TLS.
#[test]
fn tls_to_the_database_is_verified() {
    let pg = Postgres::start_tls();
    let image = fixture("docker-archive.tar");
    tls_is_verified(&format!("{}?sslmode=require", pg.url()), &pg.ca(), PASSWORD);
    // In plain when asked, the certificate then unread (roots without its authority).
    let other = tempfile::tempdir().unwrap();
    make_certificates(other.path());
    let plain = format!("{}?sslmode=disable", pg.url());
    let out = scan_with_roots(&image, &plain, &other.path().join("ca.pem"), &[]);
    ok_without_warning(&out);
    assert_eq!(summary_of(&out), (3, 3, 0));
    // A server without TLS: refused under sslmode=require, spoken to in plain by default.
    let bare = Postgres::start();
    let require = format!("{}?sslmode=require", bare.url());
    let out = scan_with_roots(&image, &require, &pg.ca(), &["--cache-required"]);
    assert_eq!(out.status.code(), Some(2));
    ok_without_warning(&scan_with_roots(&image, &bare.url(), &pg.ca(), &[]));
}
