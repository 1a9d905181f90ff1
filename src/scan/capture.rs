//! Which files a layer scan keeps in memory.
//!
//! The scan indexes every entry of a layer but keeps the *content* only of files that a
//! later stage asked for by path (package databases, copyright files, `os-release`,
//! language manifests). Each request carries a size cap, so memory is bounded by what the
//! catalogers need, not by the size of the image.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use super::Inspector;

/// Told about each file a scan captures, as soon as its content is in memory, so that work
/// on it can start while the rest of the image is still being read (the scan itself does
/// not wait for it).
pub trait CaptureObserver: std::fmt::Debug + Send + Sync {
    /// `content` is the whole file at root-relative `path`.
    fn captured(&self, path: &str, content: &Arc<Vec<u8>>);
}

/// The largest total of captured bytes kept for one layer.
pub const MAX_CAPTURE_PER_LAYER: u64 = 1 << 30;

/// A set of path patterns, each with the largest file it may capture.
#[derive(Debug, Clone)]
pub struct CaptureRules {
    set: Arc<Patterns>,
    limits: Vec<u64>,
    patterns: Vec<String>,
    inspectors: Vec<Arc<dyn Inspector>>,
    observer: Option<Arc<dyn CaptureObserver>>,
    budget: Option<Arc<ImageBudget>>,
    /// Every rule and inspector, one per line, as they decide what a scan keeps.
    described: String,
}

/// The patterns, compiled into one matcher the first time a path is matched: compiling
/// them is most of what building the rules costs, and a scan whose every layer is read
/// back from the layer cache matches no path (it needs the rules' description only).
#[derive(Debug)]
struct Patterns {
    globs: Vec<Glob>,
    set: OnceLock<GlobSet>,
}

impl Patterns {
    fn set(&self) -> &GlobSet {
        self.set.get_or_init(|| {
            let mut b = GlobSetBuilder::new();
            for g in &self.globs {
                b.add(g.clone());
            }
            b.build().unwrap_or_else(|_| GlobSet::empty())
        })
    }
}

/// What the scans of one image's layers may take together: they run in parallel and draw
/// on it as they go, so that a hostile image is stopped while it is read, not after.
#[derive(Debug)]
pub struct ImageBudget {
    captured: Counter,
    names: Counter,
    entries: Counter,
}

/// One quantity of an [`ImageBudget`]: what is left of it, and what it was.
#[derive(Debug)]
struct Counter {
    left: AtomicU64,
    limit: u64,
    what: &'static str,
    option: &'static str,
}

impl Counter {
    fn new(limit: u64, what: &'static str, option: &'static str) -> Counter {
        Counter {
            left: AtomicU64::new(limit),
            limit,
            what,
            option,
        }
    }

    /// Takes `n` from what is left; the sentence naming the budget when not that much is.
    fn take(&self, n: u64) -> Result<(), String> {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(n)
            })
            .map(|_| ())
            .map_err(|_| {
                format!(
                    "the image's layers hold more than {} {} in all ({})",
                    self.limit, self.what, self.option
                )
            })
    }
}

impl ImageBudget {
    /// A budget of `captured` bytes of captured files, `names` bytes of entry names and
    /// `entries` entries, over the distinct layers of an image.
    pub fn new(captured: u64, names: u64, entries: u64) -> ImageBudget {
        ImageBudget {
            captured: Counter::new(
                captured,
                "bytes of files kept for reading",
                "--max-captured",
            ),
            names: Counter::new(names, "bytes of entry names", "--max-name-bytes"),
            entries: Counter::new(entries, "entries", "--max-entries"),
        }
    }

    /// Accounts for `entries` entries whose names take `names` bytes.
    fn entries(&self, entries: u64, names: u64) -> Result<(), String> {
        self.entries.take(entries)?;
        self.names.take(names)
    }

    /// Accounts for `size` bytes of a file kept in memory.
    pub fn capture(&self, size: u64) -> Result<(), String> {
        self.captured.take(size)
    }
}

/// One layer scan's draw on an [`ImageBudget`] for its entries, taken in batches: the
/// layers of an image are scanned in parallel, and a shared counter updated per entry costs
/// more than the rest of the entry's handling. A scan may overrun the budget by one batch.
#[derive(Debug)]
pub struct Draw<'a> {
    budget: Option<&'a ImageBudget>,
    entries: u64,
    names: u64,
}

impl<'a> Draw<'a> {
    /// Entries drawn on the budget at once.
    const ENTRIES: u64 = 1024;
    /// Name bytes drawn on the budget at once.
    const NAMES: u64 = 64 << 10;

    /// A draw on `budget`, if there is one.
    pub fn on(budget: Option<&'a ImageBudget>) -> Draw<'a> {
        Draw {
            budget,
            entries: 0,
            names: 0,
        }
    }

    /// Accounts for one entry named `name`.
    pub fn entry(&mut self, name: &str) -> Result<(), String> {
        let Some(budget) = self.budget else {
            return Ok(());
        };
        self.entries += 1;
        self.names += name.len() as u64;
        if self.entries >= Self::ENTRIES || self.names >= Self::NAMES {
            let (entries, names) = (self.entries, self.names);
            self.entries = 0;
            self.names = 0;
            budget.entries(entries, names)?;
        }
        Ok(())
    }
}

impl Default for CaptureRules {
    fn default() -> Self {
        CaptureRules::builder().build()
    }
}

/// Collects capture requests; see [`CaptureRules::builder`].
#[derive(Debug, Default)]
pub struct CaptureRulesBuilder {
    globs: Vec<(Glob, u64, String, bool)>,
    inspectors: Vec<Arc<dyn Inspector>>,
}

impl CaptureRulesBuilder {
    /// Asks for the content of every file whose root-relative path matches `pattern`, up to
    /// `max_size` bytes. Patterns are globs in which `*` stays inside one path component and
    /// `**` crosses components, e.g. `usr/share/doc/*/copyright`.
    ///
    /// # Panics
    /// On a malformed pattern: patterns are written by catalogers, not read from images.
    pub fn want(self, pattern: &str, max_size: u64) -> Self {
        self.add(pattern, max_size, false)
    }

    /// Like [`want`](Self::want), but letters match in either case (`**/license*` takes
    /// `LICENSE.txt` and `License`).
    ///
    /// # Panics
    /// On a malformed pattern, as [`want`](Self::want).
    pub fn want_any_case(self, pattern: &str, max_size: u64) -> Self {
        self.add(pattern, max_size, true)
    }

    fn add(mut self, pattern: &str, max_size: u64, any_case: bool) -> Self {
        let glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .case_insensitive(any_case)
            .build()
            .unwrap_or_else(|e| panic!("capture pattern {pattern:?}: {e}"));
        self.globs
            .push((glob, max_size, pattern.to_string(), any_case));
        self
    }

    /// Offers regular files to `inspector` while they stream past (see [`Inspector`]).
    /// Several catalogers may ask for the same inspector: it is registered once. An entry
    /// goes to the first registered inspector that wants it, since a stream can be read
    /// only once.
    pub fn inspect(mut self, inspector: Arc<dyn Inspector>) -> Self {
        if !self.inspectors.iter().any(|i| Arc::ptr_eq(i, &inspector)) {
            self.inspectors.push(inspector);
        }
        self
    }

    /// The finished rule set.
    pub fn build(self) -> CaptureRules {
        let mut globs = Vec::with_capacity(self.globs.len());
        let mut limits = Vec::with_capacity(self.globs.len());
        let mut patterns = Vec::with_capacity(self.globs.len());
        let mut described = format!("capture budget per layer {MAX_CAPTURE_PER_LAYER}\n");
        for (g, limit, pattern, any_case) in self.globs {
            globs.push(g);
            limits.push(limit);
            described.push_str(&format!("want {pattern:?} {limit} any-case={any_case}\n"));
            patterns.push(pattern);
        }
        for i in &self.inspectors {
            described.push_str(&format!("inspect {i:?} {}\n", i.version()));
        }
        CaptureRules {
            set: Arc::new(Patterns {
                globs,
                set: OnceLock::new(),
            }),
            limits,
            patterns,
            inspectors: self.inspectors,
            observer: None,
            budget: None,
            described,
        }
    }
}

impl CaptureRules {
    /// An empty builder.
    pub fn builder() -> CaptureRulesBuilder {
        CaptureRulesBuilder::default()
    }

    /// The size cap for `path` if any rule wants it (the largest cap among matching rules).
    pub fn limit_for(&self, path: &str) -> Option<u64> {
        if self.limits.is_empty() {
            return None;
        }
        let set = self.set.set();
        if !set.is_match(path) {
            return None;
        }
        set.matches(path)
            .into_iter()
            .filter_map(|i| self.limits.get(i).copied())
            .max()
    }

    /// The inspector a regular file that no pattern captures goes to: the first one that
    /// wants it by path, mode and size.
    pub fn inspector_for(&self, path: &str, mode: u32, size: u64) -> Option<&dyn Inspector> {
        self.inspectors
            .iter()
            .map(|i| i.as_ref())
            .find(|i| i.wants(path, mode, size))
    }

    /// The same rules, telling `observer` about every file captured.
    pub fn observed_by(&self, observer: Arc<dyn CaptureObserver>) -> CaptureRules {
        CaptureRules {
            observer: Some(observer),
            ..self.clone()
        }
    }

    /// The same rules, drawing on `budget` as layers are scanned.
    pub fn within(&self, budget: Arc<ImageBudget>) -> CaptureRules {
        CaptureRules {
            budget: Some(budget),
            ..self.clone()
        }
    }

    /// The budget the scans draw on, if one was set.
    pub fn budget(&self) -> Option<&ImageBudget> {
        self.budget.as_deref()
    }

    /// The observer told about captured files, if one was registered.
    pub fn observer(&self) -> Option<&dyn CaptureObserver> {
        self.observer.as_deref()
    }

    /// Every pattern with its cap and every inspector with its version, one per line: what
    /// decides which files a scan keeps and what it keeps of them. A layer cache keys its
    /// entries by it, so that a change of the rules never reads an entry made under others.
    pub fn describe(&self) -> &str {
        &self.described
    }

    /// The patterns, in the order they were added.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_stays_in_one_component() {
        let r = CaptureRules::builder()
            .want("usr/share/doc/*/copyright", 100)
            .build();
        assert_eq!(r.limit_for("usr/share/doc/zlib1g/copyright"), Some(100));
        assert_eq!(r.limit_for("usr/share/doc/a/b/copyright"), None);
        assert_eq!(r.limit_for("usr/share/doc/zlib1g/changelog.gz"), None);
    }

    #[test]
    fn the_largest_matching_cap_wins() {
        let r = CaptureRules::builder()
            .want("var/lib/dpkg/status", 10)
            .want("var/lib/dpkg/*", 20)
            .build();
        assert_eq!(r.limit_for("var/lib/dpkg/status"), Some(20));
    }

    #[test]
    fn double_star_crosses_components() {
        let r = CaptureRules::builder()
            .want("**/node_modules/*/package.json", 5)
            .build();
        assert_eq!(
            r.limit_for("app/node_modules/left-pad/package.json"),
            Some(5)
        );
    }
}
