//! What a process read back from its store, kept in memory for the next image that needs
//! it: a run over many images (`layerbom batch`) reads and decodes a base layer's entry, and
//! the readings of its copyright files, once, not once per image built on it.
//!
//! What is kept is what the store's entry decoded to, under the same fingerprint (a
//! [`super::Cache`] has one per kind of entry), so what is recalled is what the store would
//! give. The memory is bounded by the bytes of the entries' bodies; past the bound what was
//! used least recently is let go.

use std::collections::HashMap;
use std::hash::Hash;

/// A value kept in memory.
struct Kept<V> {
    value: V,
    /// Bytes of the body it was decoded from: about what it takes in memory.
    size: u64,
    /// When it was last recalled or kept, on [`Memory::clock`].
    used: u64,
}

/// Values by key, at most `max` bytes of bodies in all.
pub struct Memory<K, V> {
    max: u64,
    held: u64,
    clock: u64,
    kept: HashMap<K, Kept<V>>,
}

impl<K: Hash + Eq + Copy, V: Clone> Memory<K, V> {
    /// A memory that keeps nothing until [`Memory::bound`] gives it room.
    pub fn new() -> Self {
        Memory {
            max: 0,
            held: 0,
            clock: 0,
            kept: HashMap::new(),
        }
    }

    /// Keeps at most `max` bytes of bodies from now on.
    pub fn bound(&mut self, max: u64) {
        self.max = max;
        self.shrink(0);
    }

    /// What is kept under `key`, and the bytes of its body.
    pub fn recall(&mut self, key: &K) -> Option<(V, u64)> {
        self.clock += 1;
        let kept = self.kept.get_mut(key)?;
        kept.used = self.clock;
        Some((kept.value.clone(), kept.size))
    }

    /// Whether a value decoded from a body of `size` bytes would be kept.
    pub fn keeps(&self, size: u64) -> bool {
        size <= self.max
    }

    /// Keeps `value` under `key`, decoded from a body of `size` bytes, letting go of what
    /// was used least recently to make room; one larger than the bound is not kept.
    pub fn keep(&mut self, key: K, value: V, size: u64) {
        if !self.keeps(size) {
            return;
        }
        self.forget(&key);
        self.shrink(size);
        self.clock += 1;
        self.held += size;
        self.kept.insert(
            key,
            Kept {
                value,
                size,
                used: self.clock,
            },
        );
    }

    /// Lets go of what is kept under `key` (its store's entry was replaced).
    pub fn forget(&mut self, key: &K) {
        if let Some(kept) = self.kept.remove(key) {
            self.held -= kept.size;
        }
    }

    /// Lets go of what was used least recently until `room` more bytes fit.
    fn shrink(&mut self, room: u64) {
        while self.held.saturating_add(room) > self.max {
            let Some(oldest) = self
                .kept
                .iter()
                .min_by_key(|(_, k)| k.used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            self.forget(&oldest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_nothing_until_bounded() {
        let mut m = Memory::<u8, &str>::new();
        m.keep(1, "a", 10);
        assert_eq!(m.recall(&1), None);
    }

    #[test]
    fn what_was_used_least_recently_goes_first() {
        let mut m = Memory::<u8, &str>::new();
        m.bound(100);
        m.keep(1, "a", 40);
        m.keep(2, "b", 40);
        assert_eq!(m.recall(&1), Some(("a", 40)));
        m.keep(3, "c", 40);
        assert_eq!(m.recall(&1), Some(("a", 40)));
        assert_eq!(m.recall(&2), None);
        assert_eq!(m.recall(&3), Some(("c", 40)));
        assert_eq!(m.held, 80);
        m.keep(4, "d", 101);
        assert_eq!(m.recall(&4), None);
        m.bound(50);
        assert_eq!(m.held, 40);
        assert_eq!(m.recall(&1), None);
        assert_eq!(m.recall(&3), Some(("c", 40)));
    }

    #[test]
    fn a_value_kept_again_replaces_the_first() {
        let mut m = Memory::<u8, &str>::new();
        m.bound(100);
        m.keep(1, "a", 30);
        m.keep(1, "b", 20);
        assert_eq!(m.recall(&1), Some(("b", 20)));
        assert_eq!(m.held, 20);
        m.forget(&1);
        assert_eq!(m.recall(&1), None);
        assert_eq!(m.held, 0);
    }
}
