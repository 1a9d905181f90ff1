//! A store shared by a fleet in Redis (or Valkey, which speaks its protocol): the entries
//! under keys of their own, which every CI runner or pod of a fleet reads and writes.
//!
//! ```text
//! layerbom:entry:FP:LAYER   string       the entry, checksummed (see entry.rs)
//! layerbom:sizes            hash         FP:LAYER -> the entry's bytes
//! layerbom:used             sorted set   FP:LAYER, scored by its last use (Unix seconds)
//! layerbom:claim:FP:LAYER   string       a claim's token, gone after CLAIM_TTL
//! ```
//!
//! An entry and its two index rows are written by one script (`EVAL`, which the server runs
//! whole before anything else), so the index never names an entry half written; two
//! writers of one layer write the same bytes. (No `MULTI`: redis-rs 1.8 panics when the
//! server refuses a transaction's `MULTI`, as it does a user whose ACL only reads.) A read sets
//! the entry's last use (a user whose ACL only reads does not, and reads). Past the size
//! bound, a write drops the least recently used entries. The server's own eviction must not
//! take the index: run it with `maxmemory-policy noeviction` (the default) and let
//! `--cache-max-size` bound what layerbom keeps.
//!
//! A claim on a layer ([`super::Claim`]) is a key set only if absent (`SET NX`), with a time
//! to live, holding a token of the process: it is deleted when let go if it still holds
//! that token, and the server drops it after [`CLAIM_TTL`] if the process died holding it (a
//! scan longer than that loses its claim, and another process may scan the layer too: a
//! claim only saves work).
//!
//! The connection is TCP in plain (`redis://[USER][:PASSWORD@]HOST[:PORT][/DB]`), TCP over
//! TLS (`rediss://…`, the same fields) or a Unix socket
//! (`redis+unix:///PATH[?db=DB&pass=PASSWORD]`). Over TLS the server must present a
//! certificate the system's roots trust for the URL's host (rustls-native-certs: the
//! system's store, or OpenSSL's `SSL_CERT_FILE` and `SSL_CERT_DIR`), as the PostgreSQL
//! store asks; redis-rs's `#insecure`, which checks nothing, is refused. No client
//! certificate is sent: a server that asks for one (`tls-auth-clients yes`) refuses us.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use redis::{Connection, RedisError};

use super::{hex, within_bound, Claim, Dropped, Id, Stats, Store};

/// What every key of layerbom's starts with.
const PREFIX: &str = "layerbom:";
/// The hash of the entries' sizes.
const SIZES: &str = "layerbom:sizes";
/// The sorted set of the entries' last uses.
const USED: &str = "layerbom:used";
/// How long a claim lives if its process does not let it go: as long as a process waits for
/// one before it scans the layer itself.
const CLAIM_TTL: Duration = Duration::from_secs(120);
/// How long connecting, and then each answer, may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Deletes a claim if it still holds the token of the process letting it go.
const RELEASE: &str =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
/// Writes an entry (KEYS[3]) and its index rows (in KEYS[1], the sizes, and KEYS[2], the
/// uses): ARGV is the entry, its name, its size and the time.
const PUT: &str = "redis.call('set', KEYS[3], ARGV[1]) \
     redis.call('hset', KEYS[1], ARGV[2], ARGV[3]) \
     redis.call('zadd', KEYS[2], ARGV[4], ARGV[2]) return 1";
/// Drops entries (KEYS[3] on) and their index rows (in KEYS[1] and KEYS[2]): ARGV are their
/// names.
const DROP: &str = "for i, name in ipairs(ARGV) do \
     redis.call('del', KEYS[i + 2]) redis.call('hdel', KEYS[1], name) \
     redis.call('zrem', KEYS[2], name) end return #ARGV";

/// Whether `url` names a Redis server.
pub fn is_url(url: &str) -> bool {
    ["redis://", "rediss://", "redis+unix://", "unix://"]
        .iter()
        .any(|s| url.starts_with(s))
}

/// `url` without its password, to show.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':').map_or(user, |(u, _)| u) {
            "" => host.to_string(),
            user => format!("{user}@{host}"),
        },
        None => authority.to_string(),
    };
    let query = query.map(|q| {
        q.split('&')
            .filter(|p| !p.starts_with("pass="))
            .collect::<Vec<_>>()
            .join("&")
    });
    match query.filter(|q| !q.is_empty()) {
        Some(q) => format!("{scheme}://{authority}{path}?{q}"),
        None => format!("{scheme}://{authority}{path}"),
    }
}

/// What went wrong with the server, in one message.
fn failed(e: RedisError) -> String {
    e.to_string()
}

/// `why` a connection failed, with how to trust the server's certificate when that was it.
fn untrusted(why: String) -> String {
    match why.contains("certificate") {
        true => format!("{why} (trust the server's certificate authority with SSL_CERT_FILE)"),
        false => why,
    }
}

/// `FP:LAYER`, an entry's name in the index.
fn member(fingerprint: &Id, layer: &Id) -> String {
    format!("{}:{}", hex(fingerprint), hex(layer))
}

/// The key of the entry named `member`.
fn entry_key(member: &str) -> String {
    format!("{PREFIX}entry:{member}")
}

/// Seconds since the epoch, now.
fn now() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A claim held as a key of the server, deleted when dropped if still this process's (a
/// failed delete is let be: the key lives [`CLAIM_TTL`]).
struct ClaimKey<'a> {
    store: &'a RedisStore,
    key: String,
    token: String,
}

impl Claim for ClaimKey<'_> {}

impl Drop for ClaimKey<'_> {
    fn drop(&mut self) {
        let _: Result<i64, _> = redis::cmd("EVAL")
            .arg(RELEASE)
            .arg(1)
            .arg(&self.key)
            .arg(&self.token)
            .query(&mut *self.store.connection());
    }
}

/// Entries in a Redis server.
pub struct RedisStore {
    connection: Mutex<Connection>,
    /// The URL without its password, for messages.
    shown: String,
    max_size: u64,
    /// The entries' bytes when last summed, plus what this process wrote since.
    estimate: Mutex<Option<u64>>,
    /// What this process's claims hold, unlike any other process's.
    token: String,
}

impl RedisStore {
    /// Connects to the server at `url` (and authenticates, as the URL says). Errors say
    /// what failed, without the password.
    pub fn connect(url: &str, max_size: u64) -> Result<RedisStore, String> {
        let shown = without_password(url);
        if url.starts_with("rediss://") && url.contains('#') {
            return Err(format!(
                "{shown}: a URL fragment (#insecure) is refused: layerbom verifies the server's \
                 certificate; trust its authority with SSL_CERT_FILE"
            ));
        }
        let client =
            redis::Client::open(url).map_err(|e| format!("{shown} is not a Redis URL: {e}"))?;
        // redis-rs builds its TLS configuration with the process's rustls provider: the
        // aws-lc-rs one the other clients use (already there if another installed it).
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let mut connection = client
            .get_connection_with_timeout(TIMEOUT)
            .map_err(|e| format!("cannot connect to {shown}: {}", untrusted(failed(e))))?;
        connection
            .set_read_timeout(Some(TIMEOUT))
            .and_then(|()| connection.set_write_timeout(Some(TIMEOUT)))
            .map_err(|e| format!("{shown}: {}", failed(e)))?;
        redis::cmd("PING")
            .query::<String>(&mut connection)
            .map_err(|e| format!("cannot connect to {shown}: {}", failed(e)))?;
        let mut random = RandomState::new().build_hasher();
        random.write_u32(std::process::id());
        Ok(RedisStore {
            connection: Mutex::new(connection),
            shown,
            max_size,
            estimate: Mutex::new(None),
            token: format!("{}-{:016x}", std::process::id(), random.finish()),
        })
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops the entries named `members` with their index rows; what they held.
    fn drop_entries(
        &self,
        connection: &mut Connection,
        members: &[(String, u64)],
    ) -> Result<Dropped, String> {
        let mut dropped = Dropped::default();
        for chunk in members.chunks(256) {
            let mut drop = redis::cmd("EVAL");
            drop.arg(DROP).arg(chunk.len() + 2).arg(SIZES).arg(USED);
            for (m, _) in chunk {
                drop.arg(entry_key(m));
            }
            for (m, _) in chunk {
                drop.arg(m);
            }
            drop.query::<i64>(connection).map_err(failed)?;
            dropped.entries += chunk.len() as u64;
            dropped.bytes += chunk.iter().map(|(_, s)| s).sum::<u64>();
        }
        Ok(dropped)
    }

    /// Every entry in the index with its size.
    fn sizes(connection: &mut Connection) -> Result<HashMap<String, u64>, String> {
        redis::cmd("HGETALL")
            .arg(SIZES)
            .query(connection)
            .map_err(failed)
    }

    /// Drops the least recently used entries until at most `max_size` bytes are kept (down
    /// to nine tenths of it, so that the next write does not evict again). Returns what was
    /// kept before, and what was dropped.
    fn evict(&self, connection: &mut Connection, max_size: u64) -> Result<(u64, Dropped), String> {
        let sizes = Self::sizes(connection)?;
        let total: u64 = sizes.values().sum();
        if total <= max_size {
            return Ok((total, Dropped::default()));
        }
        let keep = max_size / 10 * 9;
        let by_use: Vec<String> = redis::cmd("ZRANGE")
            .arg(USED)
            .arg(0)
            .arg(-1)
            .query(connection)
            .map_err(failed)?;
        let mut left = total;
        let mut doomed = Vec::new();
        for m in by_use {
            if left <= keep {
                break;
            }
            let size = sizes.get(&m).copied().unwrap_or(0);
            left = left.saturating_sub(size);
            doomed.push((m, size));
        }
        Ok((total, self.drop_entries(connection, &doomed)?))
    }
}

impl Store for RedisStore {
    fn describe(&self) -> String {
        self.shown.clone()
    }

    fn get(&self, fingerprint: &Id, layer: &Id, max_len: u64) -> Result<Option<Vec<u8>>, String> {
        let member = member(fingerprint, layer);
        let mut connection = self.connection();
        // At most one byte past the bound is read: enough to tell an entry over it.
        let last = i64::try_from(max_len).unwrap_or(i64::MAX - 1);
        let entry: Vec<u8> = redis::cmd("GETRANGE")
            .arg(entry_key(&member))
            .arg(0)
            .arg(last)
            .query(&mut *connection)
            .map_err(failed)?;
        if entry.is_empty() {
            return Ok(None);
        }
        if entry.len() as u64 > max_len {
            return Err(format!(
                "the entry for {} is larger than {max_len} bytes, the most this image's budget can use",
                hex(layer)
            ));
        }
        // Its last use, for eviction; a user that may only read only reads.
        let _: Result<i64, _> = redis::cmd("ZADD")
            .arg(USED)
            .arg("XX")
            .arg(now())
            .arg(&member)
            .query(&mut *connection);
        Ok(Some(entry))
    }

    fn put(&self, fingerprint: &Id, layer: &Id, entry: &[u8]) -> Result<(), String> {
        let member = member(fingerprint, layer);
        let mut connection = self.connection();
        redis::cmd("EVAL")
            .arg(PUT)
            .arg(3)
            .arg(SIZES)
            .arg(USED)
            .arg(entry_key(&member))
            .arg(entry)
            .arg(&member)
            .arg(entry.len())
            .arg(now())
            .query::<i64>(&mut *connection)
            .map_err(failed)?;
        within_bound(&self.estimate, entry.len() as u64, self.max_size, || {
            self.evict(&mut connection, self.max_size)
        })
    }

    fn claim(&self, fingerprint: &Id, layer: &Id) -> Result<Option<Box<dyn Claim + '_>>, String> {
        let key = format!("{PREFIX}claim:{}", member(fingerprint, layer));
        let set: Option<String> = redis::cmd("SET")
            .arg(&key)
            .arg(&self.token)
            .arg("NX")
            .arg("PX")
            .arg(CLAIM_TTL.as_millis() as u64)
            .query(&mut *self.connection())
            .map_err(failed)?;
        Ok(set.map(|_| {
            Box::new(ClaimKey {
                store: self,
                key,
                token: self.token.clone(),
            }) as Box<dyn Claim + '_>
        }))
    }

    fn remove(&self, fingerprint: &Id, layer: &Id) -> Result<(), String> {
        let member = member(fingerprint, layer);
        self.drop_entries(&mut self.connection(), &[(member, 0)])
            .map(|_| ())
    }

    fn stats(&self, current: &[Id]) -> Result<Stats, String> {
        let mut connection = self.connection();
        let sizes = Self::sizes(&mut connection)?;
        let current: Vec<String> = current.iter().map(hex).collect();
        let mut stats = Stats::default();
        for (member, size) in &sizes {
            stats.entries += 1;
            stats.bytes += size;
            let fingerprint = member.split(':').next().unwrap_or_default();
            if current.iter().any(|c| c == fingerprint) {
                stats.current += 1;
                stats.current_bytes += size;
            }
        }
        let mut at = |from: i64| -> Result<Option<SystemTime>, String> {
            let found: Vec<(String, f64)> = redis::cmd("ZRANGE")
                .arg(USED)
                .arg(from)
                .arg(from)
                .arg("WITHSCORES")
                .query(&mut *connection)
                .map_err(failed)?;
            Ok(found
                .first()
                .map(|(_, s)| *s)
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs_f64(s)))
        };
        stats.oldest = at(0)?;
        stats.newest = at(-1)?;
        Ok(stats)
    }

    fn prune(&self, current: &[Id], max_size: u64) -> Result<Dropped, String> {
        let mut connection = self.connection();
        let current: Vec<String> = current.iter().map(hex).collect();
        let others: Vec<(String, u64)> = Self::sizes(&mut connection)?
            .into_iter()
            .filter(|(m, _)| {
                let fingerprint = m.split(':').next().unwrap_or_default();
                !current.iter().any(|c| c == fingerprint)
            })
            .collect();
        let mut dropped = self.drop_entries(&mut connection, &others)?;
        let (_, evicted) = self.evict(&mut connection, max_size)?;
        dropped.entries += evicted.entries;
        dropped.bytes += evicted.bytes;
        Ok(dropped)
    }

    fn clear(&self) -> Result<Dropped, String> {
        let mut connection = self.connection();
        let members: Vec<(String, u64)> = Self::sizes(&mut connection)?.into_iter().collect();
        let dropped = self.drop_entries(&mut connection, &members)?;
        redis::cmd("DEL")
            .arg(SIZES)
            .arg(USED)
            .query::<()>(&mut *connection)
            .map_err(failed)?;
        Ok(dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            without_password("redis://:s3cret@cache.example:6379/2"),
            "redis://cache.example:6379/2"
        );
        assert_eq!(
            without_password("redis://ci:s3cret@cache.example/0"),
            "redis://ci@cache.example/0"
        );
        assert_eq!(
            without_password("redis+unix:///run/redis.sock?db=1&pass=s3cret"),
            "redis+unix:///run/redis.sock?db=1"
        );
        assert_eq!(without_password("redis://cache"), "redis://cache");
        assert!(is_url("redis://cache") && !is_url("postgres://db/x"));
    }
}
