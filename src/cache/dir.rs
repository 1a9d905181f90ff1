//! The default store: one file per entry under a directory, shared by every layerbom process
//! of the machine without a lock.
//!
//! ```text
//! DIR/layers/FP/DIFFID        an entry (FP: the fingerprint's first 16 hex digits)
//! DIR/layers/FP/.DIFFID.tmp-… an entry being written
//! DIR/claims/FP-DIFFID        a layer being scanned to be kept, locked (flock) by the
//!                             process scanning it
//! ```
//!
//! A writer writes a temporary file beside the entry and renames it over the entry, so a
//! reader sees a whole entry or none, whatever the other processes do; two processes that
//! write one layer's entry write the same bytes, and the last rename wins. A read sets the
//! entry's modification time, which orders entries by their last use: past the size bound,
//! the least recently used go first.
//!
//! A claim ([`super::Claim`]) is an exclusive `flock` on a file of its own, which the system
//! releases if the process dies; the holder removes the file before it lets go. A process
//! that opened the file before it was removed may then lock the removed file: it looks the
//! entry up again before it scans, and finds it.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use super::{hex, Claim, Dropped, Id, Stats, Store};

/// The directory entries are kept in, under the cache directory.
const LAYERS: &str = "layers";
/// The directory of the claims on layers being scanned, under the cache directory.
const CLAIMS: &str = "claims";
/// A temporary file older than this was left by a write that never finished.
const STALE: Duration = Duration::from_secs(3600);
/// What the bound is brought down to when the cache outgrows it, so that eviction does not
/// run again at the next write.
const LOW_WATER: u64 = 90;
/// How often a read sets an entry's modification time, its last use for eviction.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// Entries as files under a directory.
#[derive(Debug)]
pub struct DirStore {
    root: PathBuf,
    max_size: u64,
    /// What the directory held when it was last walked, plus what this process wrote since:
    /// walking it costs a `stat` per entry, so it is walked at the first write and again only
    /// when this estimate passes the bound (others' writes are seen at that walk).
    estimate: Mutex<Option<u64>>,
}

/// The default cache directory: `$XDG_CACHE_HOME/layerbom`, else `~/.cache/layerbom`.
pub fn default_dir() -> Option<PathBuf> {
    let non_empty = |v: &str| std::env::var_os(v).filter(|s| !s.is_empty());
    non_empty("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| non_empty("HOME").map(|h| Path::new(&h).join(".cache")))
        .map(|p| p.join("layerbom"))
}

/// A name for a temporary file no other write of this process or another uses.
fn temporary_name(final_name: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        ".{final_name}.tmp-{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A claim held as a lock on a file: the file is removed, then the lock let go (when the
/// file is closed).
struct FileClaim {
    path: PathBuf,
    _file: fs::File,
}

impl Claim for FileClaim {}

impl Drop for FileClaim {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// One file of the store, as [`DirStore::walk`] finds it.
struct Found {
    path: PathBuf,
    len: u64,
    used: SystemTime,
    /// The fingerprint directory it is in.
    fingerprint: String,
    /// Left by a write that did not finish (or is still going on).
    temporary: bool,
}

impl DirStore {
    /// A store under `root` holding at most about `max_size` bytes (the directory is made
    /// when the first entry is written).
    pub fn new(root: PathBuf, max_size: u64) -> DirStore {
        DirStore {
            root,
            max_size,
            estimate: Mutex::new(None),
        }
    }

    fn fingerprint_dir(&self, fingerprint: &Id) -> PathBuf {
        self.root.join(LAYERS).join(&hex(fingerprint)[..16])
    }

    fn path(&self, fingerprint: &Id, layer: &Id) -> PathBuf {
        self.fingerprint_dir(fingerprint).join(hex(layer))
    }

    /// Every file of the store (a directory that vanishes meanwhile is skipped: another
    /// process may be clearing it).
    fn walk(&self) -> io::Result<Vec<Found>> {
        let mut out = Vec::new();
        let top = match fs::read_dir(self.root.join(LAYERS)) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for fp in top {
            let fp = fp?;
            let fingerprint = fp.file_name().to_string_lossy().into_owned();
            let files = match fs::read_dir(fp.path()) {
                Ok(d) => d,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) if e.kind() == io::ErrorKind::NotADirectory => continue,
                Err(e) => return Err(e),
            };
            for file in files {
                let file = file?;
                let Ok(meta) = file.metadata() else { continue };
                if !meta.is_file() {
                    continue;
                }
                out.push(Found {
                    temporary: file.file_name().to_string_lossy().starts_with('.'),
                    path: file.path(),
                    len: meta.len(),
                    used: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    fingerprint: fingerprint.clone(),
                });
            }
        }
        Ok(out)
    }

    /// Removes `files`, counting what went (a file already gone does not count).
    fn drop_files<'a>(files: impl IntoIterator<Item = &'a Found>) -> Dropped {
        let mut dropped = Dropped::default();
        for f in files {
            if fs::remove_file(&f.path).is_ok() {
                dropped.entries += 1;
                dropped.bytes += f.len;
            }
        }
        dropped
    }

    /// Drops the least recently used entries until at most `max_size` bytes are kept.
    fn evict(&self, mut files: Vec<Found>, max_size: u64) -> Dropped {
        let total: u64 = files.iter().map(|f| f.len).sum();
        if total <= max_size {
            return Dropped::default();
        }
        let target = max_size / 100 * LOW_WATER;
        files.sort_by_key(|f| f.used);
        let mut left = total;
        let mut victims = Vec::new();
        for f in &files {
            if left <= target {
                break;
            }
            left -= f.len;
            victims.push(f);
        }
        Self::drop_files(victims)
    }
}

impl Store for DirStore {
    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn get(&self, fingerprint: &Id, layer: &Id, max_len: u64) -> Result<Option<Vec<u8>>, String> {
        let path = self.path(fingerprint, layer);
        let file = match fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let bound = max_len;
        let metadata = file.metadata().ok();
        // Read in one go into a buffer of the file's size, when that is within the bound
        // (the bound still holds if the file grows meanwhile).
        let size = metadata.as_ref().map_or(0, |m| m.len()).min(bound + 1);
        let mut entry = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        (&file)
            .take(bound + 1)
            .read_to_end(&mut entry)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if entry.len() as u64 > bound {
            return Err(format!(
                "{}: larger than {bound} bytes, the most this image's budget can use",
                path.display()
            ));
        }
        // Its last use, for eviction, at most once a minute (as the PostgreSQL store does:
        // a warm scan reads a hundred entries, and each touch writes the inode); a cache
        // shared read-only may not allow it.
        let now = SystemTime::now();
        let recent = metadata
            .and_then(|m| m.modified().ok())
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age < TOUCH_EVERY);
        if !recent {
            let _ = file.set_modified(now);
        }
        Ok(Some(entry))
    }

    fn put(&self, fingerprint: &Id, layer: &Id, entry: &[u8]) -> Result<(), String> {
        let dir = self.fingerprint_dir(fingerprint);
        let failed = |e: io::Error| format!("{}: {e}", dir.display());
        fs::create_dir_all(&dir).map_err(failed)?;
        let name = hex(layer);
        let temporary = dir.join(temporary_name(&name));
        let written = fs::File::create_new(&temporary)
            .and_then(|mut f| f.write_all(entry))
            .and_then(|()| fs::rename(&temporary, dir.join(&name)));
        if let Err(e) = written {
            let _ = fs::remove_file(&temporary);
            return Err(failed(e));
        }
        // Past the bound, make room (another process may be doing the same: what one
        // removes, the other finds gone).
        let mut estimate = self.estimate.lock().unwrap_or_else(|e| e.into_inner());
        match estimate.as_mut() {
            Some(bytes) if bytes.saturating_add(entry.len() as u64) <= self.max_size => {
                *bytes += entry.len() as u64;
            }
            _ => {
                if let Ok(files) = self.walk() {
                    let complete: Vec<Found> = files.into_iter().filter(|f| !f.temporary).collect();
                    let total: u64 = complete.iter().map(|f| f.len).sum();
                    let dropped = self.evict(complete, self.max_size);
                    *estimate = Some(total - dropped.bytes.min(total));
                }
            }
        }
        Ok(())
    }

    fn claim(&self, fingerprint: &Id, layer: &Id) -> Result<Option<Box<dyn Claim + '_>>, String> {
        let dir = self.root.join(CLAIMS);
        let failed = |e: io::Error| format!("{}: {e}", dir.display());
        fs::create_dir_all(&dir).map_err(failed)?;
        let path = dir.join(format!("{}-{}", &hex(fingerprint)[..16], hex(layer)));
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(failed)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Box::new(FileClaim { path, _file: file }))),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(failed(e)),
        }
    }

    fn remove(&self, fingerprint: &Id, layer: &Id) -> Result<(), String> {
        let path = self.path(fingerprint, layer);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(format!("{}: {e}", path.display()))
            }
            _ => Ok(()),
        }
    }

    fn stats(&self, current: &[Id]) -> Result<Stats, String> {
        let current: Vec<String> = current.iter().map(|f| hex(f)[..16].to_string()).collect();
        let files = self
            .walk()
            .map_err(|e| format!("{}: {e}", self.root.display()))?;
        let mut stats = Stats::default();
        for f in files.iter().filter(|f| !f.temporary) {
            stats.entries += 1;
            stats.bytes += f.len;
            if current.contains(&f.fingerprint) {
                stats.current += 1;
                stats.current_bytes += f.len;
            }
            stats.oldest = Some(stats.oldest.map_or(f.used, |o| o.min(f.used)));
            stats.newest = Some(stats.newest.map_or(f.used, |n| n.max(f.used)));
        }
        Ok(stats)
    }

    fn prune(&self, current: &[Id], max_size: u64) -> Result<Dropped, String> {
        let current: Vec<String> = current.iter().map(|f| hex(f)[..16].to_string()).collect();
        let files = self
            .walk()
            .map_err(|e| format!("{}: {e}", self.root.display()))?;
        let now = SystemTime::now();
        let stale =
            |f: &Found| f.temporary && now.duration_since(f.used).is_ok_and(|age| age > STALE);
        let (gone, kept): (Vec<Found>, Vec<Found>) = files
            .into_iter()
            .partition(|f| stale(f) || (!f.temporary && !current.contains(&f.fingerprint)));
        let mut dropped = Self::drop_files(&gone);
        let evicted = self.evict(
            kept.into_iter().filter(|f| !f.temporary).collect(),
            max_size,
        );
        dropped.entries += evicted.entries;
        dropped.bytes += evicted.bytes;
        // Directories of other fingerprints left empty.
        if let Ok(top) = fs::read_dir(self.root.join(LAYERS)) {
            for d in top.flatten() {
                let _ = fs::remove_dir(d.path());
            }
        }
        Ok(dropped)
    }

    fn clear(&self) -> Result<Dropped, String> {
        let files = self
            .walk()
            .map_err(|e| format!("{}: {e}", self.root.display()))?;
        let dropped = Self::drop_files(&files);
        if let Ok(top) = fs::read_dir(self.root.join(LAYERS)) {
            for d in top.flatten() {
                let _ = fs::remove_dir(d.path());
            }
        }
        Ok(dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(max: u64) -> (tempfile::TempDir, DirStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::new(dir.path().join("cache"), max);
        (dir, store)
    }

    #[test]
    fn an_entry_is_read_back_and_replaced_whole() {
        let (_d, s) = store(1 << 20);
        assert_eq!(s.get(&[1; 32], &[2; 32], 1 << 20).unwrap(), None);
        s.put(&[1; 32], &[2; 32], b"first").unwrap();
        s.put(&[1; 32], &[2; 32], b"second").unwrap();
        assert_eq!(
            s.get(&[1; 32], &[2; 32], 1 << 20).unwrap().unwrap(),
            b"second"
        );
        assert_eq!(s.get(&[3; 32], &[2; 32], 1 << 20).unwrap(), None);
        s.remove(&[1; 32], &[2; 32]).unwrap();
        s.remove(&[1; 32], &[2; 32]).unwrap();
        assert_eq!(s.get(&[1; 32], &[2; 32], 1 << 20).unwrap(), None);
    }

    #[test]
    fn past_the_bound_the_least_recently_used_go() {
        let (_d, s) = store(2500);
        let old = SystemTime::now() - Duration::from_secs(3600);
        for layer in 1..=3u8 {
            s.put(&[1; 32], &[layer; 32], &[0; 1000]).unwrap();
            let f = fs::File::open(s.path(&[1; 32], &[layer; 32])).unwrap();
            f.set_modified(old + Duration::from_secs(u64::from(layer)))
                .unwrap();
        }
        // The third write went past 2500 bytes: the oldest went.
        assert_eq!(s.stats(&[[1; 32]]).unwrap().entries, 2);
        assert_eq!(s.get(&[1; 32], &[1; 32], 1 << 20).unwrap(), None);
        // Reading layer 2 makes it the most recent: layer 3 goes next.
        s.get(&[1; 32], &[2; 32], 1 << 20).unwrap().unwrap();
        s.put(&[1; 32], &[4; 32], &[0; 1000]).unwrap();
        assert!(s.get(&[1; 32], &[2; 32], 1 << 20).unwrap().is_some());
        assert_eq!(s.get(&[1; 32], &[3; 32], 1 << 20).unwrap(), None);
    }

    #[test]
    fn a_claim_is_one_holder_s_until_let_go() {
        let (_d, s) = store(1 << 20);
        let claim = s.claim(&[1; 32], &[2; 32]).unwrap();
        assert!(claim.is_some());
        // Another open of the claim's file (as another process makes) cannot take it; a
        // claim on another layer or fingerprint is another file.
        assert!(s.claim(&[1; 32], &[2; 32]).unwrap().is_none());
        assert!(s.claim(&[1; 32], &[3; 32]).unwrap().is_some());
        assert!(s.claim(&[4; 32], &[2; 32]).unwrap().is_some());
        drop(claim);
        assert!(s.claim(&[1; 32], &[2; 32]).unwrap().is_some());
        // Let go, no claim leaves a file behind.
        assert_eq!(fs::read_dir(s.root.join(CLAIMS)).unwrap().count(), 0);
    }

    #[test]
    fn a_read_marks_an_entry_used_at_most_once_a_minute() {
        let (_d, s) = store(1 << 20);
        s.put(&[1; 32], &[2; 32], b"entry").unwrap();
        let path = s.path(&[1; 32], &[2; 32]);
        let mtime = || fs::metadata(&path).unwrap().modified().unwrap();
        let recent = SystemTime::now() - Duration::from_secs(10);
        fs::File::open(&path).unwrap().set_modified(recent).unwrap();
        s.get(&[1; 32], &[2; 32], 1 << 20).unwrap().unwrap();
        assert_eq!(mtime(), recent);
        let old = SystemTime::now() - TOUCH_EVERY - Duration::from_secs(10);
        fs::File::open(&path).unwrap().set_modified(old).unwrap();
        s.get(&[1; 32], &[2; 32], 1 << 20).unwrap().unwrap();
        assert!(mtime() > recent);
    }

    #[test]
    fn prune_drops_other_fingerprints_and_clear_everything() {
        let (_d, s) = store(1 << 20);
        s.put(&[1; 32], &[2; 32], b"current").unwrap();
        s.put(&[9; 32], &[2; 32], b"older").unwrap();
        let stats = s.stats(&[[1; 32]]).unwrap();
        assert_eq!((stats.entries, stats.current, stats.bytes), (2, 1, 12));
        assert_eq!(
            s.prune(&[[1; 32]], 1 << 20).unwrap(),
            Dropped {
                entries: 1,
                bytes: 5
            }
        );
        assert_eq!(s.stats(&[[1; 32]]).unwrap().entries, 1);
        assert_eq!(s.clear().unwrap().entries, 1);
        assert_eq!(s.stats(&[[1; 32]]).unwrap(), Stats::default());
    }
}
