//! The layer cache shared through a real Redis server: `redis-server` (Debian's
//! `redis-server` package) on a free loopback port, with a password, started by each test.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::pg_server::free_port;
use common::*;

const PASSWORD: &str = "s3cret-redis";

/// A Redis server of the test's own, killed when dropped.
struct Redis {
    child: Child,
    /// Its port in plain.
    port: u16,
    /// Its TLS port, if it has one.
    tls_port: Option<u16>,
    dir: tempfile::TempDir,
}

impl Redis {
    fn start() -> Redis {
        Redis::start_with(false)
    }

    /// A server that speaks TLS too, on [`Redis::tls_url`], with a certificate for
    /// 127.0.0.1 that the authority [`Redis::ca`] signed, and asks no client certificate.
    fn start_tls() -> Redis {
        Redis::start_with(true)
    }

    fn start_with(tls: bool) -> Redis {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut command = Command::new("redis-server");
        command
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--requirepass",
                PASSWORD,
            ])
            .arg("--dir")
            .arg(dir.path());
        let tls_port = tls.then(|| {
            make_certificates(dir.path());
            let tls_port = free_port();
            command
                .args(["--tls-port", &tls_port.to_string()])
                .arg("--tls-cert-file")
                .arg(dir.path().join("cert.pem"))
                .arg("--tls-key-file")
                .arg(dir.path().join("key.pem"))
                .arg("--tls-ca-cert-file")
                .arg(dir.path().join("ca.pem"))
                .args(["--tls-auth-clients", "no"]);
            tls_port
        });
        let child = command
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (apt-get install redis-server)");
        let redis = Redis {
            child,
            port,
            tls_port,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while redis.client().is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        redis
    }

    fn url(&self) -> String {
        format!("redis://:{PASSWORD}@127.0.0.1:{}/0", self.port)
    }

    fn tls_url(&self) -> String {
        let port = self.tls_port.expect("a server started with TLS");
        format!("rediss://:{PASSWORD}@127.0.0.1:{port}/0")
    }

    /// The certificate authority of a [`Redis::start_tls`] server.
    fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn client(&self) -> redis::RedisResult<redis::Connection> {
        let mut c = redis::Client::open(self.url())?.get_connection()?;
        redis::cmd("PING").query::<String>(&mut c)?;
        Ok(c)
    }

    /// The keys of the entries.
    fn entries(&self) -> Vec<String> {
        redis::cmd("KEYS")
            .arg("layerbom:entry:*")
            .query(&mut self.client().unwrap())
            .unwrap()
    }

    /// The entries of the fixtures' layers (the others hold readings of copyright files).
    fn layers(&self) -> usize {
        let layers = fixture_layers();
        self.entries()
            .iter()
            .filter(|k| layers.iter().any(|l| k.ends_with(l.as_str())))
            .count()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn runners_share_layers_through_redis() {
    let redis = Redis::start();
    let shown = format!("(redis://127.0.0.1:{}/0)", redis.port);
    runners_share_layers(&redis.url(), &shown, PASSWORD, || redis.layers());
}

#[test]
fn processes_that_miss_one_layer_at_once_scan_it_once() {
    // Whichever claims a layer first (SET NX) scans it; the others wait for its entry.
    let redis = Redis::start();
    let kept = scan_at_once(&["oci-gzip"; 8], |c| c.env("LAYERBOM_CACHE", redis.url()));
    assert_eq!(kept, 3);
    assert_eq!(redis.layers(), 3);
    // Every claim was let go.
    let claims: Vec<String> = redis::cmd("KEYS")
        .arg("layerbom:claim:*")
        .query(&mut redis.client().unwrap())
        .unwrap();
    assert!(claims.is_empty(), "{claims:?}");
}

#[test]
fn a_wrong_password_or_no_server_leaves_the_scan_without_the_cache() {
    let redis = Redis::start();
    let image = fixture("docker-archive.tar");
    let wrong = format!("redis://:wrong@127.0.0.1:{}/0", redis.port);
    let down = format!("redis://:wrong@127.0.0.1:{}/0", free_port());
    for url in [&wrong, &down] {
        let out = scan_with_cache_url(&image, url, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(out.stdout, uncached(&image));
        assert!(
            stderr.starts_with(
                "layerbom: warning: the layer cache: cannot connect to redis://127.0.0.1:"
            ) && stderr.contains("scanning without the cache")
                && !stderr.contains("wrong"),
            "{stderr}"
        );
        let out = scan_with_cache_url(&image, url, &["--cache-required", "-q"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(out.stdout.is_empty());
        assert!(
            stderr.starts_with("layerbom: error: the layer cache: cannot connect to"),
            "{stderr}"
        );
    }
}

/// TLS to the server (`rediss://`): its certificate verified against the trusted roots
/// (here the test's authority, through SSL_CERT_FILE); an untrusted one is a warning and a
/// scan without the cache, or exit 2 with --cache-required. redis-rs's `#insecure`, which
/// would check nothing, is refused.
#[test]
fn tls_to_redis_is_verified() {
    let redis = Redis::start_tls();
    tls_is_verified(&redis.tls_url(), &redis.ca(), PASSWORD);
    assert_eq!(redis.layers(), 3);
    let image = fixture("docker-archive.tar");
    let insecure = format!("{}#insecure", redis.tls_url());
    let out = scan_with_roots(&image, &insecure, &redis.ca(), &["--cache-required", "-q"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("#insecure") && !stderr.contains(PASSWORD),
        "{stderr}"
    );
}

#[test]
fn a_damaged_entry_is_scanned_again_and_replaced() {
    let redis = Redis::start();
    damaged_entries_are_scanned_again(&redis.url(), || {
        let mut c = redis.client().unwrap();
        for key in redis.entries() {
            let entry: Vec<u8> = redis::cmd("GET").arg(&key).query(&mut c).unwrap();
            redis::cmd("SET")
                .arg(&key)
                .arg(&entry[..entry.len() - 7])
                .query::<()>(&mut c)
                .unwrap();
        }
    });
}

#[test]
fn a_read_only_user_reads_the_shared_cache() {
    let redis = Redis::start();
    let reader = || {
        redis::cmd("ACL")
            .arg("SETUSER")
            .arg("reader")
            .arg("on")
            .arg(format!(">{PASSWORD}"))
            .arg("~layerbom:*")
            .arg("+@read")
            .arg("+ping")
            .query::<()>(&mut redis.client().unwrap())
            .unwrap();
        format!("redis://reader:{PASSWORD}@127.0.0.1:{}/0", redis.port)
    };
    a_reader_reads_and_cannot_write(
        &redis.url(),
        reader,
        "redis://reader@",
        "no permissions",
        || redis.layers(),
    );
}

#[test]
fn cache_stats_prune_and_clear_in_redis() {
    let redis = Redis::start();
    stats_prune_and_clear(
        &redis.url(),
        PASSWORD,
        || redis.entries().len(),
        || {
            // An entry of another version: its index row names another fingerprint.
            let foreign = format!("{}:{}", "00".repeat(32), "11".repeat(32));
            redis::pipe()
                .cmd("SET")
                .arg(format!("layerbom:entry:{foreign}"))
                .arg("old")
                .cmd("HSET")
                .arg("layerbom:sizes")
                .arg(&foreign)
                .arg(3)
                .cmd("ZADD")
                .arg("layerbom:used")
                .arg(0)
                .arg(&foreign)
                .query::<()>(&mut redis.client().unwrap())
                .unwrap();
        },
    );
}
