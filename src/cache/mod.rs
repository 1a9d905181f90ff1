//! The layer cache: each layer's scan kept under its diff_id, so that a layer is read once
//! however many images share it.
//!
//! A layer's scan (its file index, the files captured, what inspectors kept of binaries)
//! depends on nothing but the layer's uncompressed bytes and the capture rules, so it is
//! filed under the layer's diff_id and a *fingerprint* of the analysis: layerbom's version,
//! the entry format and every capture rule and inspector ([`CaptureRules::describe`]). An
//! upgrade or a changed rule never reads an entry made under another. Everything after the
//! scan (overlay, catalogs, licenses, obligations) is worked out again from the scans, so a
//! report from cached scans is the report from scanned layers, byte for byte.
//!
//! A scan serves every image with a diff_id only when the layer's bytes were hashed to it,
//! never because an image merely declares it: an image that lies about a layer cannot put
//! its lie in the cache for other images to read. A compressed layer whose blob digest was
//! checked is also kept without that hash, under the diff_id its image declares but bound
//! to that blob ([`entry::Kept::blob`]): it serves only images with the same blob, which
//! its digest vouches for, and another blob of the diff_id is scanned, hashed and filed
//! for all ([`Lookup::OtherBlob`]). What a cache cannot know is whether an image's bytes
//! match the diff_id it declares; an image is read through the cache by the diff_ids its
//! config lists, as a runtime that checks them would unpack it (`--verify` reads every
//! layer).
//!
//! Entries live in a [`Store`]: a directory ([`dir::DirStore`], the default) or a database
//! shared by many machines. Whoever can write a store can change the reports made from it;
//! each entry carries a checksum of its own bytes (damage, not forgery, is what it finds).
//! A store that fails is a warning, never a failed scan: the layer is scanned instead.

pub mod dir;
pub mod entry;
mod memory;
pub mod postgres;
pub mod redis;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use sha2::{Digest as _, Sha256};

use entry::{decode, diff_id_bytes, encode, unwrap, wrap};
pub use entry::{Id, Kept};
use memory::Memory;

use crate::scan::{CaptureRules, LayerScan};

/// The version of what goes into the fingerprint besides the rules: the entry format and
/// the meaning of a scan.
const ANALYSIS: &str = "layerbom layer cache 2";

/// What the cache keeps of single files besides layer scans: each kind by the digest of the
/// file (or text) under a fingerprint of its own, as what it holds depends on nothing but
/// the file and layerbom's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Derived {
    /// The reading of a Debian copyright file (`license::debian::save`), by the file's
    /// digest.
    Reading,
    /// The SPDX license texts a license text matches (`license::text::save`), by the
    /// text's digest.
    TextMatches,
}

impl Derived {
    /// Every kind, in the order of [`Cache`]'s fingerprints.
    const ALL: [Derived; 2] = [Derived::Reading, Derived::TextMatches];

    /// What the fingerprint of this kind describes.
    fn analysis(self) -> &'static str {
        match self {
            Derived::Reading => "Debian copyright file readings 3",
            Derived::TextMatches => "license text matches 1",
        }
    }

    /// The file it is derived from, for messages.
    fn of(self) -> &'static str {
        match self {
            Derived::Reading => "copyright file",
            Derived::TextMatches => "license text",
        }
    }

    /// What is done when the entry cannot be read, for messages.
    fn instead(self) -> &'static str {
        match self {
            Derived::Reading => "reading the copyright file",
            Derived::TextMatches => "matching the license text",
        }
    }
}

/// Where entries are kept. Several processes (and machines, for a shared store) use one
/// store at once: a store takes no lock that makes them wait on each other, and two writers
/// of one entry write the same bytes.
pub trait Store: Send + Sync {
    /// Where the entries are, for messages (a directory, a database without its password).
    fn describe(&self) -> String;
    /// The entry for `layer` under `fingerprint`, if there is one; one longer than
    /// `max_len` bytes is an error, read no further than that.
    fn get(&self, fingerprint: &Id, layer: &Id, max_len: u64) -> Result<Option<Vec<u8>>, String>;
    /// Keeps `entry` for `layer` under `fingerprint`, replacing any.
    fn put(&self, fingerprint: &Id, layer: &Id, entry: &[u8]) -> Result<(), String>;
    /// Drops the entry for `layer` under `fingerprint` (a damaged one).
    fn remove(&self, fingerprint: &Id, layer: &Id) -> Result<(), String>;
    /// Claims `layer` under `fingerprint` for this process, without waiting: `Some` when
    /// taken (released when dropped, and by the system when the process ends), `None` when
    /// another process holds it (see [`Claim`]).
    fn claim(&self, fingerprint: &Id, layer: &Id) -> Result<Option<Box<dyn Claim + '_>>, String>;
    /// What the store holds, `current` being the fingerprints of this version's analyses.
    fn stats(&self, current: &[Id]) -> Result<Stats, String>;
    /// Drops the entries of fingerprints other than `current` and leftovers of interrupted
    /// writes, then the least recently used entries until the store holds at most
    /// `max_size` bytes.
    fn prune(&self, current: &[Id], max_size: u64) -> Result<Dropped, String>;
    /// Drops every entry.
    fn clear(&self) -> Result<Dropped, String>;
}

/// A layer's claim, held while a process scans the layer to keep it, so that the other
/// processes that miss the layer meanwhile wait for its entry rather than scan it too: a
/// fleet's runners that meet a new base at once scan it once. A claim only saves work: a
/// process that waits too long, or a store that cannot claim (a read-only cache, a file
/// system without locks), scans the layer anyway, and two processes that both scan a layer
/// write the same entry.
pub trait Claim: Send {}

/// Whether this process scans a layer it missed.
pub enum Claimed<'a> {
    /// It does, holding this while it scans and keeps the layer (`None`: not claimed, as
    /// the store could not).
    Mine(Option<Box<dyn Claim + 'a>>),
    /// Another process holds the layer's claim: its entry is on the way.
    Theirs,
}

/// What a store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Entries of every fingerprint.
    pub entries: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Entries of the current fingerprint.
    pub current: u64,
    /// Their bytes.
    pub current_bytes: u64,
    /// When the least recently used entry was last used.
    pub oldest: Option<SystemTime>,
    /// When the most recently used entry was last used.
    pub newest: Option<SystemTime>,
}

/// What a prune or clear dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Entries (and leftovers of interrupted writes).
    pub entries: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// What the cache has for a layer.
#[derive(Debug)]
pub enum Lookup {
    /// Its scan.
    Hit(Box<LayerScan>),
    /// Nothing usable.
    Miss,
    /// A scan of another blob of the layer (another compression) that was not identified
    /// by its diff_id: the layer is scanned, and filed so that every image may read it.
    OtherBlob,
}

/// What one image's reading did with the cache.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Where the entries are.
    pub store: String,
    /// Layers looked up.
    pub looked_up: usize,
    /// Layers read back from the cache.
    pub hits: usize,
    /// Layers scanned and written to it.
    pub written: usize,
    /// What went wrong with it, each said once.
    pub warnings: Vec<String>,
}

/// A layer cache as the scans of a run use it: one store, one fingerprint.
pub struct Cache {
    store: Box<dyn Store>,
    fingerprint: Id,
    /// The fingerprints of what is kept of single files, by [`Derived::ALL`]'s order.
    derived: [Id; Derived::ALL.len()],
    /// Whether entries are read (`--verify` scans every layer, and only writes).
    read: bool,
    looked_up: AtomicUsize,
    hits: AtomicUsize,
    written: AtomicUsize,
    /// Set once a write failed: the rest are not tried.
    unwritable: AtomicBool,
    /// Set once a claim failed: the rest are not tried.
    unclaimable: AtomicBool,
    warnings: Mutex<Vec<String>>,
    /// What was read back, kept for the next image that needs it (see [`Cache::remember`]).
    memory: Mutex<Memories>,
}

/// What a [`Cache`] keeps in memory: layer scans with the blob each is bound to, and the
/// bodies of entries of single files.
struct Memories {
    scans: Memory<Id, (Option<String>, Arc<LayerScan>)>,
    derived: Memory<(Derived, Id), Arc<[u8]>>,
}

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache")
            .field("store", &self.store.describe())
            .field("read", &self.read)
            .finish()
    }
}

/// The fingerprint of the analysis that `rules` make.
pub fn fingerprint(rules: &CaptureRules) -> Id {
    analysis_fingerprint(rules.describe())
}

/// The fingerprint of an analysis described by `what`, in this version of layerbom.
fn analysis_fingerprint(what: &str) -> Id {
    let mut h = Sha256::new();
    h.update(ANALYSIS);
    h.update("\n");
    h.update(env!("CARGO_PKG_VERSION"));
    h.update("\n");
    h.update(what);
    h.finalize().into()
}

/// The largest entry body worth reading for an image whose layers may hold `captured` bytes
/// of captured files, `names` bytes of entry names and `entries` entries in all: past it, the
/// scan it holds would be over the image's budget anyway. Whoever can write a shared cache
/// cannot make a reader allocate more.
pub fn entry_bound(captured: u64, names: u64, entries: u64) -> u64 {
    // Each entry costs a few bytes besides its name (kind, size, mode, link), each name
    // may appear twice (a whiteout, a capture), and each capture a few bytes more.
    captured
        .saturating_add(names.saturating_mul(2))
        .saturating_add(entries.saturating_mul(64))
}

/// After a write of `written` bytes to a shared store whose entries may take `max_size`
/// bytes: `estimate` holds what the store held when last summed plus what this process wrote
/// since, and `evict` (which sums the store, drops past the bound and says what it held and
/// dropped) runs at the first write and again only when the estimate may pass the bound.
fn within_bound(
    estimate: &Mutex<Option<u64>>,
    written: u64,
    max_size: u64,
    evict: impl FnOnce() -> Result<(u64, Dropped), String>,
) -> Result<(), String> {
    let mut estimate = estimate.lock().unwrap_or_else(|e| e.into_inner());
    match estimate.as_mut() {
        Some(bytes) if bytes.saturating_add(written) <= max_size => *bytes += written,
        _ => {
            let (total, dropped) = evict()?;
            *estimate = Some(total.saturating_sub(dropped.bytes));
        }
    }
    Ok(())
}

/// An id in lowercase hex.
pub fn hex(id: &Id) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

impl Cache {
    /// A cache of scans made with `rules`, kept in `store`; with `read` false it is only
    /// written to.
    pub fn new(store: Box<dyn Store>, rules: &CaptureRules, read: bool) -> Cache {
        Cache {
            store,
            fingerprint: fingerprint(rules),
            derived: Derived::ALL.map(|d| analysis_fingerprint(d.analysis())),
            read,
            looked_up: AtomicUsize::new(0),
            hits: AtomicUsize::new(0),
            written: AtomicUsize::new(0),
            unwritable: AtomicBool::new(false),
            unclaimable: AtomicBool::new(false),
            warnings: Mutex::new(Vec::new()),
            memory: Mutex::new(Memories {
                scans: Memory::new(),
                derived: Memory::new(),
            }),
        }
    }

    /// Keeps up to `bytes` of the entries read back in memory (the bytes of their bodies;
    /// the layer scans among them take up to `bytes` in all, the rest a sixteenth more), so
    /// that the next image with one of their layers or files does not read and decode the
    /// entry again: for a process that reads many images (`layerbom batch`). A scan
    /// recalled is copied for its image, which a process that reads one image would pay
    /// for nothing, so nothing is kept by default.
    pub fn remember(&self, bytes: u64) {
        let mut memory = self.memory();
        memory.scans.bound(bytes);
        memory.derived.bound(bytes / 16);
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, Memories> {
        self.memory.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether layers are read back from the cache (not with `--verify`).
    pub fn reads(&self) -> bool {
        self.read
    }

    /// Whether a scan of the layer `diff_id` could be filed in the cache.
    pub fn files(&self, diff_id: &str) -> bool {
        diff_id_bytes(diff_id).is_some() && !self.unwritable.load(Ordering::Relaxed)
    }

    fn warn(&self, message: String) {
        let mut w = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        if !w.contains(&message) {
            w.push(message);
        }
    }

    /// The scan of layer `diff_id`, whose blob in this image is `blob`, made with `rules`,
    /// if the cache has a sound one of at most `max_body` bytes (see [`entry_bound`]) for
    /// it. A damaged, foreign or oversized entry is a warning and a miss, and is dropped.
    pub fn get(
        &self,
        diff_id: &str,
        blob: Option<&str>,
        rules: &CaptureRules,
        max_body: u64,
    ) -> Lookup {
        if self.read && diff_id_bytes(diff_id).is_some() {
            self.looked_up.fetch_add(1, Ordering::Relaxed);
        }
        self.look_again(diff_id, blob, rules, max_body)
    }

    /// [`Cache::get`] for a layer already looked up, waited for or claimed since: not
    /// counted as another layer looked up.
    pub fn look_again(
        &self,
        diff_id: &str,
        blob: Option<&str>,
        rules: &CaptureRules,
        max_body: u64,
    ) -> Lookup {
        let Some(layer) = diff_id_bytes(diff_id) else {
            return Lookup::Miss;
        };
        if !self.read {
            return Lookup::Miss;
        }
        let recalled = self.memory().scans.recall(&layer);
        match recalled {
            Some(((Some(b), _), _)) if Some(b.as_str()) != blob => return Lookup::OtherBlob,
            // A scan over this image's bound is left for the entry to refuse.
            Some(((_, scan), size)) if size <= max_body.min(entry::MAX_BODY) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Lookup::Hit(Box::new(LayerScan::clone(&scan)));
            }
            _ => {}
        }
        let Some(entry) = self.fetch(&self.fingerprint, &layer, max_body, "scanning the layer")
        else {
            return Lookup::Miss;
        };
        match decode(&self.fingerprint, &layer, &entry, max_body, rules) {
            Ok(Kept { blob: Some(b), .. }) if Some(b.as_str()) != blob => Lookup::OtherBlob,
            Ok(Kept { scan, blob, size }) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                let mut memory = self.memory();
                if memory.scans.keeps(size) {
                    let kept = Arc::new(scan);
                    memory.scans.keep(layer, (blob, Arc::clone(&kept)), size);
                    drop(memory);
                    return Lookup::Hit(Box::new(LayerScan::clone(&kept)));
                }
                Lookup::Hit(Box::new(scan))
            }
            Err(e) => {
                self.warn(format!(
                    "the layer cache's entry for {diff_id} at {} is unusable ({e}): scanning the layer again and replacing it",
                    self.store.describe()
                ));
                let _ = self.store.remove(&self.fingerprint, &layer);
                Lookup::Miss
            }
        }
    }

    /// Claims layer `diff_id`, missed, for this process to scan and keep (see [`Claim`]). A
    /// store that cannot claim is not asked again, and its layers are scanned unclaimed,
    /// without a warning: a claim only saves work, and a store that cannot claim is most
    /// often one that cannot be written either (a read-only cache), which the write's
    /// warning tells.
    pub fn claim(&self, diff_id: &str) -> Claimed<'_> {
        let Some(layer) = diff_id_bytes(diff_id) else {
            return Claimed::Mine(None);
        };
        if !self.read
            || self.unwritable.load(Ordering::Relaxed)
            || self.unclaimable.load(Ordering::Relaxed)
        {
            return Claimed::Mine(None);
        }
        match self.store.claim(&self.fingerprint, &layer) {
            Ok(Some(claim)) => Claimed::Mine(Some(claim)),
            Ok(None) => Claimed::Theirs,
            Err(_) => {
                self.unclaimable.store(true, Ordering::Relaxed);
                Claimed::Mine(None)
            }
        }
    }

    /// Files `scan`, the scan of layer `diff_id` made with `rules`: for every image with
    /// that layer when its bytes were hashed to that diff_id ([`LayerScan::identified`]),
    /// else for the images with the same blob when `checked_blob` is the digest the blob's
    /// bytes were checked against. A store that cannot be written is a warning, once.
    pub fn put(
        &self,
        diff_id: &str,
        scan: &LayerScan,
        checked_blob: Option<&str>,
        rules: &CaptureRules,
    ) {
        let identified = scan
            .identified
            .as_ref()
            .and_then(|(d, size)| (d == diff_id).then_some(*size));
        let (tar_size, blob) = match (identified, checked_blob, scan.tar_size) {
            (Some(size), _, _) => (size, None),
            (None, Some(blob), Some(size)) => (size, Some(blob)),
            _ => return,
        };
        let Some(layer) = diff_id_bytes(diff_id) else {
            return;
        };
        if self.unwritable.load(Ordering::Relaxed) {
            return;
        }
        let Some(entry) = encode(&self.fingerprint, &layer, scan, tar_size, blob, rules) else {
            return;
        };
        // A scan kept in memory is of the entry this one replaces.
        self.memory().scans.forget(&layer);
        if self.keep(&self.fingerprint, &layer, &entry) {
            self.written.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The entry for `id` under `fingerprint`, whose body may take at most `max_body`
    /// bytes, if the store has one. A store that fails is a warning, which says what is done
    /// `instead`.
    fn fetch(&self, fingerprint: &Id, id: &Id, max_body: u64, instead: &str) -> Option<Vec<u8>> {
        // The compressed payload is no larger than the body it holds, but for a few bytes
        // per zstd block.
        let max_len = max_body.saturating_add(max_body / 64).saturating_add(1024);
        match self.store.get(fingerprint, id, max_len) {
            Ok(entry) => entry,
            Err(e) => {
                self.warn(format!(
                    "cannot read the layer cache at {}: {e}; {instead}",
                    self.store.describe()
                ));
                None
            }
        }
    }

    /// Keeps `entry` for `id` under `fingerprint`; whether it was kept. A store that cannot
    /// be written is a warning, once, and is not tried again.
    fn keep(&self, fingerprint: &Id, id: &Id, entry: &[u8]) -> bool {
        match self.store.put(fingerprint, id, entry) {
            Ok(()) => true,
            Err(e) => {
                self.unwritable.store(true, Ordering::Relaxed);
                self.warn(format!(
                    "cannot write to the layer cache at {}: {e}; layers are scanned but not kept",
                    self.store.describe()
                ));
                false
            }
        }
    }

    /// The fingerprint entries of `kind` are kept under.
    fn derived(&self, kind: Derived) -> &Id {
        &self.derived[kind as usize]
    }

    /// What is kept of `kind` for the file whose digest is `content`, if there is a sound
    /// entry of at most `max_body` bytes. A damaged entry is a warning and a miss, and is
    /// dropped.
    pub fn get_derived(&self, kind: Derived, content: &Id, max_body: u64) -> Option<Vec<u8>> {
        if !self.read {
            return None;
        }
        let recalled = self.memory().derived.recall(&(kind, *content));
        if let Some((body, _)) = recalled.filter(|(_, size)| *size <= max_body) {
            return Some(body.to_vec());
        }
        let fingerprint = self.derived(kind);
        let entry = self.fetch(fingerprint, content, max_body, kind.instead())?;
        match unwrap(fingerprint, content, &entry, max_body) {
            Ok(body) => {
                let size = body.len() as u64;
                let mut memory = self.memory();
                if memory.derived.keeps(size) {
                    memory
                        .derived
                        .keep((kind, *content), Arc::from(body.as_slice()), size);
                }
                Some(body)
            }
            Err(e) => {
                self.damaged(kind, content, &e.to_string());
                None
            }
        }
    }

    /// Says that what is kept of `kind` for the file whose digest is `content` cannot be
    /// used (`why`), and drops it.
    pub fn damaged(&self, kind: Derived, content: &Id, why: &str) {
        self.warn(format!(
            "the layer cache's entry for the {} sha256:{} at {} is unusable ({why}): {} again and replacing it",
            kind.of(),
            hex(content),
            self.store.describe(),
            kind.instead()
        ));
        self.memory().derived.forget(&(kind, *content));
        let _ = self.store.remove(self.derived(kind), content);
    }

    /// Keeps `body`, what was derived of `kind` from the file whose digest is `content`.
    pub fn put_derived(&self, kind: Derived, content: &Id, body: &[u8]) {
        if self.unwritable.load(Ordering::Relaxed) {
            return;
        }
        let fingerprint = self.derived(kind);
        let Some(entry) = wrap(fingerprint, content, body) else {
            return;
        };
        self.memory().derived.forget(&(kind, *content));
        self.keep(fingerprint, content, &entry);
    }

    /// What this run did with the cache so far.
    pub fn summary(&self) -> Summary {
        Summary {
            store: self.store.describe(),
            looked_up: self.looked_up.load(Ordering::Relaxed),
            hits: self.hits.load(Ordering::Relaxed),
            written: self.written.load(Ordering::Relaxed),
            warnings: self
                .warnings
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        }
    }

    /// The store's contents.
    pub fn stats(&self) -> Result<Stats, String> {
        self.store.stats(&self.current())
    }

    /// Drops other fingerprints' entries and leftovers, then the least recently used until
    /// at most `max_size` bytes are kept.
    pub fn prune(&self, max_size: u64) -> Result<Dropped, String> {
        self.store.prune(&self.current(), max_size)
    }

    /// The fingerprints of this version's entries.
    fn current(&self) -> Vec<Id> {
        std::iter::once(self.fingerprint)
            .chain(self.derived)
            .collect()
    }

    /// Drops every entry.
    pub fn clear(&self) -> Result<Dropped, String> {
        self.store.clear()
    }

    /// Where the entries are.
    pub fn describe(&self) -> String {
        self.store.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::FileEntry;
    use entry::tests::rules;

    const LAYER: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    fn cache(dir: &std::path::Path) -> Cache {
        Cache::new(
            Box::new(dir::DirStore::new(dir.to_path_buf(), 1 << 30)),
            &rules(),
            true,
        )
    }

    /// A scan of [`LAYER`] whose uncompressed bytes were hashed.
    fn scan() -> LayerScan {
        LayerScan {
            tar_size: Some(2048),
            identified: Some((LAYER.into(), 2048)),
            ..entry::tests::scan()
        }
    }

    fn files(lookup: Lookup) -> Option<Vec<FileEntry>> {
        match lookup {
            Lookup::Hit(scan) => Some(scan.files),
            _ => None,
        }
    }

    #[test]
    fn a_cache_that_remembers_reads_an_entry_from_its_store_once() {
        let dir = tempfile::tempdir().unwrap();
        let layer = diff_id_bytes(LAYER).unwrap();
        let remembering = cache(dir.path());
        remembering.remember(1 << 20);
        remembering.put(LAYER, &scan(), None, &rules());
        let get = |c: &Cache| files(c.get(LAYER, None, &rules(), 1 << 20));
        assert_eq!(get(&remembering), Some(scan().files));
        // The store loses the entry: what was read back is still in memory, not in a cache
        // that keeps nothing there.
        remembering
            .store
            .remove(&remembering.fingerprint, &layer)
            .unwrap();
        assert_eq!(get(&remembering), Some(scan().files));
        assert_eq!(get(&cache(dir.path())), None);
        assert_eq!(remembering.summary().hits, 2);
        // A scan filed again replaces the one in memory.
        let other = LayerScan {
            files: Vec::new(),
            ..scan()
        };
        remembering.put(LAYER, &other, None, &rules());
        assert_eq!(get(&remembering), Some(Vec::new()));
        // Neither is served past an image's bound.
        remembering
            .store
            .remove(&remembering.fingerprint, &layer)
            .unwrap();
        assert_eq!(files(remembering.get(LAYER, None, &rules(), 1)), None);
    }

    #[test]
    fn a_remembered_scan_bound_to_a_blob_serves_that_blob_only() {
        let dir = tempfile::tempdir().unwrap();
        let layer = diff_id_bytes(LAYER).unwrap();
        let remembering = cache(dir.path());
        remembering.remember(1 << 20);
        let bound = LayerScan {
            identified: None,
            ..scan()
        };
        remembering.put(LAYER, &bound, Some("sha256:aa"), &rules());
        let get = |blob| remembering.get(LAYER, Some(blob), &rules(), 1 << 20);
        assert_eq!(files(get("sha256:aa")), Some(scan().files));
        remembering
            .store
            .remove(&remembering.fingerprint, &layer)
            .unwrap();
        assert_eq!(files(get("sha256:aa")), Some(scan().files));
        assert!(matches!(get("sha256:bb"), Lookup::OtherBlob));
    }

    #[test]
    fn a_remembered_reading_is_read_from_the_store_once() {
        let dir = tempfile::tempdir().unwrap();
        let remembering = cache(dir.path());
        remembering.remember(1 << 20);
        let id = [7; 32];
        remembering.put_derived(Derived::Reading, &id, b"a reading");
        let get = |c: &Cache| c.get_derived(Derived::Reading, &id, 1 << 20);
        assert_eq!(get(&remembering).as_deref(), Some(&b"a reading"[..]));
        let fingerprint = *remembering.derived(Derived::Reading);
        remembering.store.remove(&fingerprint, &id).unwrap();
        assert_eq!(get(&remembering).as_deref(), Some(&b"a reading"[..]));
        assert_eq!(get(&cache(dir.path())), None);
        // One found damaged is forgotten with its entry.
        remembering.damaged(Derived::Reading, &id, "a test");
        assert_eq!(get(&remembering), None);
    }
}
