//! A store shared by a fleet: the entries in one PostgreSQL table, which every CI runner or
//! pod of a fleet reads and writes.
//!
//! ```sql
//! CREATE TABLE layerbom_layers (
//!     fingerprint bytea NOT NULL,      -- the analysis (layerbom version, capture rules)
//!     diff_id     bytea NOT NULL,      -- the layer
//!     entry       bytea NOT NULL,      -- the entry, checksummed (see entry.rs)
//!     size        bigint NOT NULL,     -- octet_length(entry)
//!     used        timestamptz NOT NULL DEFAULT now(),  -- last read or written
//!     PRIMARY KEY (fingerprint, diff_id));
//! ```
//!
//! The table is made on first use when the role may (`CREATE TABLE IF NOT EXISTS`; a role
//! that may only read and write rows uses a table made by another). Two writers of one
//! layer do not conflict: `INSERT … ON CONFLICT DO UPDATE` keeps one row, and both write
//! the same bytes. A reader sets `used` at most once a minute per entry, and only if its
//! role may: a read-only role reads. Eviction past the size bound deletes the least
//! recently used rows, after a write, in one statement.
//!
//! A claim on a layer ([`super::Claim`]) is a session-level advisory lock, keyed by the
//! first 8 bytes of the fingerprint and of the diff_id XORed (`pg_try_advisory_lock`): the
//! server lets it go when the session ends, if the process dies holding it. A key another
//! application's lock shares, or two layers', only makes one process wait for the other.
//!
//! The connection is TCP or a Unix socket (`host=/run/postgresql`). Over TCP, TLS is asked
//! for unless the URL says `sslmode=disable`: with `sslmode=prefer` (the default, as libpq's)
//! a server that offers no TLS is spoken to in plain, with `sslmode=require` it is refused.
//! A server that offers TLS must present a certificate the system's roots trust for the
//! URL's host (rustls-native-certs: the system's store, or OpenSSL's `SSL_CERT_FILE` and
//! `SSL_CERT_DIR`), stricter than libpq's `prefer` and `require`, which check nothing.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use postgres::config::SslMode;
use postgres::{Client, Config, NoTls};

use super::{hex, within_bound, Claim, Dropped, Id, Stats, Store};

/// The table the entries are kept in.
const TABLE: &str = "layerbom_layers";
/// How long connecting may take when the URL does not say (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The advisory lock key of a claim on `layer` under `fingerprint`.
fn claim_key(fingerprint: &Id, layer: &Id) -> i64 {
    let mut key = [0u8; 8];
    for (k, (f, l)) in key.iter_mut().zip(fingerprint.iter().zip(layer)) {
        *k = f ^ l;
    }
    i64::from_le_bytes(key)
}

/// A claim held as an advisory lock of the store's session, unlocked when dropped (a
/// failed unlock is let be: the lock goes with the session).
struct AdvisoryLock<'a> {
    store: &'a PostgresStore,
    key: i64,
}

impl Claim for AdvisoryLock<'_> {}

impl Drop for AdvisoryLock<'_> {
    fn drop(&mut self) {
        let mut held = self.store.held.lock().unwrap_or_else(|e| e.into_inner());
        let _ = self
            .store
            .client()
            .execute("SELECT pg_advisory_unlock($1)", &[&self.key]);
        held.remove(&self.key);
    }
}

/// Entries in a PostgreSQL database.
pub struct PostgresStore {
    client: Mutex<Client>,
    /// The URL without its password, for messages.
    shown: String,
    max_size: u64,
    /// The table's bytes when last summed, plus what this process wrote since.
    estimate: Mutex<Option<u64>>,
    /// The claims this process holds: an advisory lock is the session's, and the session
    /// would take one again for another thread of the process (`layerbom batch --jobs`).
    held: Mutex<HashSet<i64>>,
}

/// Whether `url` names a PostgreSQL database (`postgres://` or `postgresql://`).
pub fn is_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// `url` without its password, to show.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(u, _)| u);
            format!("{scheme}://{user}@{host}{path}")
        }
        None => url.to_string(),
    }
}

/// What went wrong with the database, in one message: its own when it gave one.
pub fn failed(e: postgres::Error) -> String {
    // The database's own message (authentication failed, no such database) is in the
    // source; the error itself may only say "db error".
    if let Some(db) = e.as_db_error() {
        return format!("{}: {}", db.severity(), db.message());
    }
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Connects as `config` says: in plain with `sslmode=disable`, else over TLS when the server
/// offers it, its certificate verified against the system's roots (see the module's note).
/// The error says what failed (and, for a certificate, how to trust it).
pub fn open(config: &Config) -> Result<Client, String> {
    let connected = match config.get_ssl_mode() {
        SslMode::Disable => config.connect(NoTls),
        _ => config.connect(tls()?),
    };
    connected.map_err(|e| {
        let why = failed(e);
        match why.contains("certificate") {
            true => format!(
                "{why} (trust the server's certificate authority with SSL_CERT_FILE, or give \
                 sslmode=disable for a connection in plain)"
            ),
            false => why,
        }
    })
}

/// The TLS connector: rustls with aws-lc-rs, trusting the system's roots.
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("cannot set up TLS: {e}"))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

impl PostgresStore {
    /// Connects to the database at `url` and makes the table if it is not there (and the
    /// role may). Errors say what failed, without the password.
    pub fn connect(url: &str, max_size: u64) -> Result<PostgresStore, String> {
        let shown = without_password(url);
        let mut config =
            Config::from_str(url).map_err(|e| format!("{shown} is not a PostgreSQL URL: {e}"))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("layerbom");
        let mut client = open(&config).map_err(|e| format!("cannot connect to {shown}: {e}"))?;
        let exists: Option<String> = client
            .query_one("SELECT to_regclass($1)::text", &[&TABLE])
            .map_err(|e| format!("{shown}: {}", failed(e)))?
            .get(0);
        if exists.is_none() {
            let made = client.batch_execute(&format!(
                "CREATE TABLE IF NOT EXISTS {TABLE} (
                     fingerprint bytea NOT NULL,
                     diff_id bytea NOT NULL,
                     entry bytea NOT NULL,
                     size bigint NOT NULL,
                     used timestamptz NOT NULL DEFAULT now(),
                     PRIMARY KEY (fingerprint, diff_id))"
            ));
            // Another process made it at the same moment: what counts is that it is there.
            if let Err(e) = made {
                let there: Option<String> = client
                    .query_one("SELECT to_regclass($1)::text", &[&TABLE])
                    .map_err(|e| format!("{shown}: {}", failed(e)))?
                    .get(0);
                if there.is_none() {
                    return Err(format!(
                        "{shown}: cannot make the table {TABLE}: {}",
                        failed(e)
                    ));
                }
            }
        }
        Ok(PostgresStore {
            client: Mutex::new(client),
            shown,
            max_size,
            estimate: Mutex::new(None),
            held: Mutex::default(),
        })
    }

    fn client(&self) -> std::sync::MutexGuard<'_, Client> {
        self.client.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops the least recently used rows until at most `max_size` bytes are kept (down to
    /// nine tenths of it, so that the next write does not evict again).
    /// Returns what the table held before, and what was dropped.
    fn evict(&self, client: &mut Client, max_size: u64) -> Result<(u64, Dropped), String> {
        let max = i64::try_from(max_size).unwrap_or(i64::MAX);
        let total: i64 = client
            .query_one(
                &format!("SELECT COALESCE(sum(size), 0)::bigint FROM {TABLE}"),
                &[],
            )
            .map_err(failed)?
            .get(0);
        if total <= max {
            return Ok((total as u64, Dropped::default()));
        }
        let keep = max / 10 * 9;
        let rows = client
            .query(
                &format!(
                    "DELETE FROM {TABLE} t USING (
                         SELECT fingerprint, diff_id,
                                (sum(size) OVER (ORDER BY used DESC, diff_id))::bigint AS newer
                         FROM {TABLE}) r
                     WHERE t.fingerprint = r.fingerprint AND t.diff_id = r.diff_id
                       AND r.newer > $1
                     RETURNING t.size"
                ),
                &[&keep],
            )
            .map_err(failed)?;
        let dropped = Dropped {
            entries: rows.len() as u64,
            bytes: rows.iter().map(|r| r.get::<_, i64>(0) as u64).sum(),
        };
        Ok((total as u64, dropped))
    }
}

impl Store for PostgresStore {
    fn describe(&self) -> String {
        self.shown.clone()
    }

    fn get(&self, fingerprint: &Id, layer: &Id, max_len: u64) -> Result<Option<Vec<u8>>, String> {
        let bound = i64::try_from(max_len).unwrap_or(i64::MAX);
        let mut client = self.client();
        let row = client
            .query_opt(
                &format!(
                    "SELECT entry, octet_length(entry)::bigint <= $3 FROM {TABLE}
                     WHERE fingerprint = $1 AND diff_id = $2"
                ),
                &[&&fingerprint[..], &&layer[..], &bound],
            )
            .map_err(failed)?;
        let Some(row) = row else { return Ok(None) };
        if !row.get::<_, bool>(1) {
            return Err(format!(
                "the entry for {} is larger than {bound} bytes, the most this image's budget can use",
                hex(layer)
            ));
        }
        // Its last use, for eviction, at most once a minute; a read-only role only reads.
        let _ = client.execute(
            &format!(
                "UPDATE {TABLE} SET used = now()
                 WHERE fingerprint = $1 AND diff_id = $2 AND used < now() - interval '1 minute'"
            ),
            &[&&fingerprint[..], &&layer[..]],
        );
        Ok(Some(row.get(0)))
    }

    fn put(&self, fingerprint: &Id, layer: &Id, entry: &[u8]) -> Result<(), String> {
        let mut client = self.client();
        client
            .execute(
                &format!(
                    "INSERT INTO {TABLE} (fingerprint, diff_id, entry, size)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (fingerprint, diff_id)
                     DO UPDATE SET entry = EXCLUDED.entry, size = EXCLUDED.size, used = now()"
                ),
                &[
                    &&fingerprint[..],
                    &&layer[..],
                    &entry,
                    &(entry.len() as i64),
                ],
            )
            .map_err(failed)?;
        within_bound(&self.estimate, entry.len() as u64, self.max_size, || {
            self.evict(&mut client, self.max_size)
        })
    }

    fn claim(&self, fingerprint: &Id, layer: &Id) -> Result<Option<Box<dyn Claim + '_>>, String> {
        let key = claim_key(fingerprint, layer);
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if held.contains(&key) {
            return Ok(None);
        }
        let row = self
            .client()
            .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
            .map_err(failed)?;
        if !row.get::<_, bool>(0) {
            return Ok(None);
        }
        held.insert(key);
        Ok(Some(Box::new(AdvisoryLock { store: self, key })))
    }

    fn remove(&self, fingerprint: &Id, layer: &Id) -> Result<(), String> {
        self.client()
            .execute(
                &format!("DELETE FROM {TABLE} WHERE fingerprint = $1 AND diff_id = $2"),
                &[&&fingerprint[..], &&layer[..]],
            )
            .map(|_| ())
            .map_err(failed)
    }

    fn stats(&self, current: &[Id]) -> Result<Stats, String> {
        let current: Vec<&[u8]> = current.iter().map(|f| &f[..]).collect();
        let row = self
            .client()
            .query_one(
                &format!(
                    "SELECT count(*), COALESCE(sum(size), 0)::bigint,
                            count(*) FILTER (WHERE fingerprint = ANY($1)),
                            COALESCE(sum(size) FILTER (WHERE fingerprint = ANY($1)), 0)::bigint,
                            extract(epoch FROM min(used))::float8,
                            extract(epoch FROM max(used))::float8
                     FROM {TABLE}"
                ),
                &[&current],
            )
            .map_err(failed)?;
        let at = |v: Option<f64>| {
            v.filter(|s| s.is_finite() && *s >= 0.0)
                .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs_f64(s))
        };
        Ok(Stats {
            entries: row.get::<_, i64>(0) as u64,
            bytes: row.get::<_, i64>(1) as u64,
            current: row.get::<_, i64>(2) as u64,
            current_bytes: row.get::<_, i64>(3) as u64,
            oldest: at(row.get(4)),
            newest: at(row.get(5)),
        })
    }

    fn prune(&self, current: &[Id], max_size: u64) -> Result<Dropped, String> {
        let current: Vec<&[u8]> = current.iter().map(|f| &f[..]).collect();
        let mut client = self.client();
        let rows = client
            .query(
                &format!("DELETE FROM {TABLE} WHERE NOT (fingerprint = ANY($1)) RETURNING size"),
                &[&current],
            )
            .map_err(failed)?;
        let mut dropped = Dropped {
            entries: rows.len() as u64,
            bytes: rows.iter().map(|r| r.get::<_, i64>(0) as u64).sum(),
        };
        let (_, evicted) = self.evict(&mut client, max_size)?;
        dropped.entries += evicted.entries;
        dropped.bytes += evicted.bytes;
        Ok(dropped)
    }

    fn clear(&self) -> Result<Dropped, String> {
        let rows = self
            .client()
            .query(&format!("DELETE FROM {TABLE} RETURNING size"), &[])
            .map_err(failed)?;
        Ok(Dropped {
            entries: rows.len() as u64,
            bytes: rows.iter().map(|r| r.get::<_, i64>(0) as u64).sum(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            without_password("postgres://ci:s3cret@db.example:5432/layers?sslmode=disable"),
            "postgres://ci@db.example:5432/layers?sslmode=disable"
        );
        assert_eq!(
            without_password("postgresql://ci@db/layers"),
            "postgresql://ci@db/layers"
        );
        assert_eq!(without_password("postgres://db/x"), "postgres://db/x");
        assert!(is_url("postgresql://db/x") && !is_url("/var/cache/layerbom"));
    }
}
