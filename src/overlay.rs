//! The overlay: what the filesystem looks like as of any layer, and which layer supplies
//! each path.
//!
//! Layers apply bottom-up with the OCI rules:
//! - an entry in a higher layer replaces the same path below;
//! - a whiteout `.wh.NAME` deletes `NAME` (and everything under it) from the layers below;
//! - an opaque marker `DIR/.wh..wh..opq` hides what the layers below put in `DIR`, but not
//!   what its own layer puts there, whatever the order of entries in the tar;
//! - a non-directory that replaces a directory hides everything that was under it.
//!
//! Queries take a layer index and answer for the view *as of* that layer, so the catalog
//! can compare consecutive views. Symlinks resolve inside the image root: `..` stops at
//! the root, absolute targets start from it, and a hop limit ends loops.

use std::collections::HashMap;

use crate::scan::tar::Kind;
use crate::scan::{Content, FileEntry, LayerScan};

/// The most symlinks followed while resolving one path (Linux's own limit).
pub const MAX_HOPS: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum What {
    // The order matters: within one layer a whiteout sorts before the entry it might
    // accompany, so the entry is what that layer supplies.
    Whiteout,
    Opaque,
    Entry(u32),
}

#[derive(Debug, Clone, Copy)]
struct Event {
    layer: u32,
    what: What,
}

/// A path as supplied by a layer.
#[derive(Debug, Clone, Copy)]
pub struct Supplied<'a> {
    /// The layer that supplies it.
    pub layer: usize,
    /// Its entry in that layer.
    pub entry: &'a FileEntry,
}

/// A captured file found through the overlay.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    /// The path after following symlinks.
    pub path: &'a str,
    /// The layer that supplies it.
    pub layer: usize,
    /// Its content, if a capture rule asked for it.
    pub content: Option<&'a Content>,
}

/// Why a path could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverlayError {
    /// More than [`MAX_HOPS`] symlinks were followed.
    #[error("{path}: too many levels of symbolic links (a symlink loop?)")]
    Loop {
        /// The path being resolved.
        path: String,
    },
}

/// The stacked layers of an image.
#[derive(Debug)]
pub struct Overlay<'a> {
    layers: Vec<&'a LayerScan>,
    /// Every event of every layer, sorted by path, then layer, then kind.
    events: Vec<(&'a str, Event)>,
    /// Where each path's events are in `events` (start, count): most queries name a path,
    /// and a hash lookup beats a binary search over long common prefixes.
    index: HashMap<&'a str, (u32, u32)>,
}

fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        None
    } else {
        Some(path.rfind('/').map_or("", |i| &path[..i]))
    }
}

impl<'a> Overlay<'a> {
    /// Stacks `layers`, index 0 at the bottom.
    pub fn new(layers: Vec<&'a LayerScan>) -> Self {
        let total: usize = layers
            .iter()
            .map(|l| l.files.len() + l.whiteouts.len() + l.opaque_dirs.len())
            .sum();
        let mut events = Vec::with_capacity(total);
        for (i, l) in layers.iter().enumerate() {
            let layer = i as u32;
            for (j, f) in l.files.iter().enumerate() {
                events.push((
                    f.path.as_str(),
                    Event {
                        layer,
                        what: What::Entry(j as u32),
                    },
                ));
            }
            for w in &l.whiteouts {
                events.push((
                    w.as_str(),
                    Event {
                        layer,
                        what: What::Whiteout,
                    },
                ));
            }
            for o in &l.opaque_dirs {
                events.push((
                    o.as_str(),
                    Event {
                        layer,
                        what: What::Opaque,
                    },
                ));
            }
        }
        events.sort_unstable_by(|a, b| {
            a.0.cmp(b.0)
                .then(a.1.layer.cmp(&b.1.layer))
                .then(a.1.what.cmp(&b.1.what))
        });
        let mut index: HashMap<&'a str, (u32, u32)> = HashMap::with_capacity(events.len());
        for (i, (path, _)) in events.iter().enumerate() {
            index.entry(path).or_insert((i as u32, 0)).1 += 1;
        }
        Overlay {
            layers,
            events,
            index,
        }
    }

    /// How many layers are stacked.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether no layer is stacked.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The scan of layer `i`.
    pub fn layer(&self, i: usize) -> Option<&'a LayerScan> {
        self.layers.get(i).copied()
    }

    fn events_for(&self, path: &str) -> &[(&'a str, Event)] {
        match self.index.get(path) {
            Some(&(start, n)) => &self.events[start as usize..][..n as usize],
            None => &[],
        }
    }

    fn entry_of(&self, ev: Event) -> Option<&'a FileEntry> {
        match ev.what {
            What::Entry(j) => self.layers.get(ev.layer as usize)?.files.get(j as usize),
            _ => None,
        }
    }

    /// The entry visible at exactly `path` as of layer `as_of` (symlinks not followed).
    pub fn entry(&self, path: &str, as_of: usize) -> Option<Supplied<'a>> {
        let top = self
            .events_for(path)
            .iter()
            .rev()
            .find(|(_, e)| e.layer as usize <= as_of && e.what != What::Opaque)?;
        let from = top.1.layer;
        // A whiteout on top: deleted.
        let entry = self.entry_of(top.1)?;
        // Only a layer above the one that supplies the path can hide it.
        let mut ancestor = parent(path).filter(|_| (from as usize) < as_of);
        while let Some(a) = ancestor {
            for (_, e) in self.events_for(a) {
                if e.layer <= from || e.layer as usize > as_of {
                    continue;
                }
                let hides = match e.what {
                    What::Whiteout | What::Opaque => true,
                    What::Entry(_) => self.entry_of(*e).is_some_and(|f| f.kind != Kind::Dir),
                };
                if hides {
                    return None;
                }
            }
            ancestor = parent(a);
        }
        Some(Supplied {
            layer: from as usize,
            entry,
        })
    }

    /// Follows symlinks in every component of `path` (the last one too) as of `as_of`, and
    /// answers the entry found, with its resolved path.
    pub fn resolve(
        &self,
        path: &str,
        as_of: usize,
    ) -> Result<Option<(String, Supplied<'a>)>, OverlayError> {
        // The components still to walk, the next one last; and the path walked so far, with
        // where each of its components starts (to step back over one without copying).
        let mut queue: Vec<&str> = path.rsplit('/').collect();
        let mut current = String::with_capacity(path.len());
        let mut starts: Vec<usize> = Vec::new();
        let pop = |current: &mut String, starts: &mut Vec<usize>| {
            if let Some(start) = starts.pop() {
                current.truncate(start.saturating_sub(1));
            }
        };
        let mut hops = 0;
        while let Some(c) = queue.pop() {
            match c {
                "" | "." => continue,
                ".." => {
                    pop(&mut current, &mut starts);
                    continue;
                }
                _ => {
                    if !current.is_empty() {
                        current.push('/');
                    }
                    starts.push(current.len());
                    current.push_str(c);
                }
            }
            // Tars need not list parent directories: a missing one is implicit, and
            // whether anything lies below it is decided by the final lookup.
            let Some(s) = self.entry(&current, as_of) else {
                continue;
            };
            if s.entry.kind == Kind::Symlink {
                hops += 1;
                if hops > MAX_HOPS {
                    return Err(OverlayError::Loop {
                        path: path.to_string(),
                    });
                }
                pop(&mut current, &mut starts);
                let target = s.entry.link.as_deref().unwrap_or_default();
                if target.starts_with('/') {
                    current.clear();
                    starts.clear();
                }
                queue.extend(target.rsplit('/'));
            } else if queue.iter().any(|c| !c.is_empty() && *c != ".") && s.entry.kind != Kind::Dir
            {
                return Ok(None); // a file used as a directory
            }
        }
        Ok(self.entry(&current, as_of).map(|s| (current, s)))
    }

    /// The captured content at `path` as of `as_of`, following symlinks and hard links.
    pub fn read(&self, path: &str, as_of: usize) -> Result<Option<Found<'a>>, OverlayError> {
        let Some((_, s)) = self.resolve(path, as_of)? else {
            return Ok(None);
        };
        let scan = self.layers[s.layer];
        let content = scan.captured.get(&s.entry.path).or_else(|| {
            // A hard link shares its target's content, captured in the same layer.
            let target = s
                .entry
                .link
                .as_deref()
                .filter(|_| s.entry.kind == Kind::Hardlink)?;
            scan.captured.get(target)
        });
        Ok(Some(Found {
            path: &s.entry.path,
            layer: s.layer,
            content,
        }))
    }

    /// Every path visible as of `as_of` below directory `dir` (`""` for the whole tree),
    /// sorted by path.
    pub fn visible_under(&self, dir: &str, as_of: usize) -> Vec<Supplied<'a>> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let start = self.events.partition_point(|(p, _)| *p < prefix.as_str());
        let mut out = Vec::new();
        let mut last: Option<&str> = None;
        for (p, _) in &self.events[start..] {
            if !p.starts_with(prefix.as_str()) {
                break;
            }
            if last == Some(*p) || p.is_empty() {
                continue;
            }
            last = Some(p);
            if let Some(s) = self.entry(p, as_of) {
                out.push(s);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> FileEntry {
        FileEntry {
            path: path.into(),
            kind: Kind::File,
            size: 1,
            mode: 0o644,
            link: None,
        }
    }
    fn dir(path: &str) -> FileEntry {
        FileEntry {
            path: path.into(),
            kind: Kind::Dir,
            size: 0,
            mode: 0o755,
            link: None,
        }
    }
    fn symlink(path: &str, target: &str) -> FileEntry {
        FileEntry {
            path: path.into(),
            kind: Kind::Symlink,
            size: 0,
            mode: 0o777,
            link: Some(target.into()),
        }
    }
    fn layer(files: Vec<FileEntry>, whiteouts: &[&str], opaque: &[&str]) -> LayerScan {
        LayerScan {
            files,
            whiteouts: whiteouts.iter().map(|s| s.to_string()).collect(),
            opaque_dirs: opaque.iter().map(|s| s.to_string()).collect(),
            ..LayerScan::default()
        }
    }
    fn supplier(o: &Overlay, path: &str, as_of: usize) -> Option<usize> {
        o.entry(path, as_of).map(|s| s.layer)
    }

    #[test]
    fn a_higher_layer_replaces_a_lower_file() {
        let l0 = layer(vec![file("etc/a")], &[], &[]);
        let l1 = layer(vec![file("etc/a")], &[], &[]);
        let o = Overlay::new(vec![&l0, &l1]);
        assert_eq!(supplier(&o, "etc/a", 0), Some(0));
        assert_eq!(supplier(&o, "etc/a", 1), Some(1));
    }

    #[test]
    fn a_whiteout_hides_the_lower_file_from_its_layer_on() {
        let l0 = layer(vec![dir("etc"), file("etc/a"), file("etc/b")], &[], &[]);
        let l1 = layer(vec![], &["etc/a"], &[]);
        let o = Overlay::new(vec![&l0, &l1]);
        assert_eq!(supplier(&o, "etc/a", 0), Some(0));
        assert_eq!(supplier(&o, "etc/a", 1), None);
        assert_eq!(supplier(&o, "etc/b", 1), Some(0));
    }

    #[test]
    fn a_whiteout_of_a_directory_hides_everything_under_it() {
        let l0 = layer(vec![dir("opt"), dir("opt/x"), file("opt/x/f")], &[], &[]);
        let l1 = layer(vec![], &["opt/x"], &[]);
        let l2 = layer(vec![dir("opt/x"), file("opt/x/g")], &[], &[]);
        let o = Overlay::new(vec![&l0, &l1, &l2]);
        assert_eq!(supplier(&o, "opt/x/f", 1), None);
        assert_eq!(
            supplier(&o, "opt/x/f", 2),
            None,
            "re-creating the dir does not bring f back"
        );
        assert_eq!(supplier(&o, "opt/x/g", 2), Some(2));
    }

    #[test]
    fn a_file_re_added_after_its_whiteout_is_visible() {
        let l0 = layer(vec![file("a")], &[], &[]);
        let l1 = layer(vec![], &["a"], &[]);
        let l2 = layer(vec![file("a")], &[], &[]);
        let o = Overlay::new(vec![&l0, &l1, &l2]);
        assert_eq!(supplier(&o, "a", 2), Some(2));
    }

    #[test]
    fn an_opaque_dir_hides_lower_siblings_only() {
        let l0 = layer(
            vec![dir("etc/app"), file("etc/app/a"), file("etc/app/b")],
            &[],
            &[],
        );
        // The marker comes after the new file in this layer's tar: order must not matter.
        let l1 = layer(vec![dir("etc/app"), file("etc/app/c")], &[], &["etc/app"]);
        let o = Overlay::new(vec![&l0, &l1]);
        assert_eq!(supplier(&o, "etc/app/a", 1), None);
        assert_eq!(supplier(&o, "etc/app/b", 1), None);
        assert_eq!(supplier(&o, "etc/app/c", 1), Some(1));
        assert_eq!(
            supplier(&o, "etc/app/a", 0),
            Some(0),
            "earlier views are unchanged"
        );
        let names: Vec<&str> = o
            .visible_under("etc/app", 1)
            .iter()
            .map(|s| s.entry.path.as_str())
            .collect();
        assert_eq!(names, ["etc/app/c"]);
    }

    #[test]
    fn an_opaque_dir_also_hides_deeper_lower_entries() {
        let l0 = layer(vec![file("d/sub/x")], &[], &[]);
        let l1 = layer(vec![dir("d")], &[], &["d"]);
        let o = Overlay::new(vec![&l0, &l1]);
        assert_eq!(supplier(&o, "d/sub/x", 1), None);
    }

    #[test]
    fn a_file_replacing_a_directory_hides_its_contents() {
        let l0 = layer(vec![dir("x"), file("x/y")], &[], &[]);
        let l1 = layer(vec![file("x")], &[], &[]);
        let o = Overlay::new(vec![&l0, &l1]);
        assert_eq!(supplier(&o, "x/y", 1), None);
        assert_eq!(supplier(&o, "x", 1), Some(1));
    }

    #[test]
    fn a_symlinked_doc_dir_resolves_relative_to_its_parent() {
        let l0 = layer(
            vec![
                dir("usr/share/doc/gcc-12-base"),
                file("usr/share/doc/gcc-12-base/copyright"),
                symlink("usr/share/doc/libgcc-s1", "gcc-12-base"),
            ],
            &[],
            &[],
        );
        let o = Overlay::new(vec![&l0]);
        let (path, s) = o
            .resolve("usr/share/doc/libgcc-s1/copyright", 0)
            .unwrap()
            .unwrap();
        assert_eq!(path, "usr/share/doc/gcc-12-base/copyright");
        assert_eq!(s.layer, 0);
    }

    #[test]
    fn absolute_and_climbing_links_stay_in_the_root() {
        let l0 = layer(
            vec![
                file("etc/passwd"),
                symlink("a", "/etc"),
                symlink("b", "../../../../etc"),
                symlink("lib", "usr/lib"),
                file("usr/lib/x"),
            ],
            &[],
            &[],
        );
        let o = Overlay::new(vec![&l0]);
        assert_eq!(o.resolve("a/passwd", 0).unwrap().unwrap().0, "etc/passwd");
        assert_eq!(o.resolve("b/passwd", 0).unwrap().unwrap().0, "etc/passwd");
        assert_eq!(o.resolve("lib/x", 0).unwrap().unwrap().0, "usr/lib/x");
        assert!(o.resolve("a/nothing", 0).unwrap().is_none());
    }

    #[test]
    fn symlink_loops_end_with_an_error() {
        let l0 = layer(
            vec![symlink("x", "y"), symlink("y", "x"), symlink("s", "s")],
            &[],
            &[],
        );
        let o = Overlay::new(vec![&l0]);
        assert!(matches!(
            o.resolve("x/f", 0),
            Err(OverlayError::Loop { .. })
        ));
        assert!(matches!(o.resolve("s", 0), Err(OverlayError::Loop { .. })));
    }

    #[test]
    fn a_symlink_in_a_later_layer_redirects_the_view() {
        let l0 = layer(
            vec![
                dir("usr/share/doc/p"),
                file("usr/share/doc/p/copyright"),
                file("usr/share/doc/q/copyright"),
            ],
            &[],
            &[],
        );
        let l1 = layer(vec![symlink("usr/share/doc/p", "q")], &[], &[]);
        let o = Overlay::new(vec![&l0, &l1]);
        assert_eq!(
            o.resolve("usr/share/doc/p/copyright", 1)
                .unwrap()
                .unwrap()
                .0,
            "usr/share/doc/q/copyright"
        );
        assert_eq!(
            o.resolve("usr/share/doc/p/copyright", 0)
                .unwrap()
                .unwrap()
                .0,
            "usr/share/doc/p/copyright"
        );
    }

    #[test]
    fn hard_links_read_their_targets_content() {
        let mut l0 = layer(
            vec![
                file("usr/bin/tool"),
                FileEntry {
                    path: "usr/bin/alias".into(),
                    kind: Kind::Hardlink,
                    size: 0,
                    mode: 0o755,
                    link: Some("usr/bin/tool".into()),
                },
            ],
            &[],
            &[],
        );
        l0.captured
            .insert("usr/bin/tool".into(), Content::Data(b"x".to_vec().into()));
        let o = Overlay::new(vec![&l0]);
        let f = o.read("usr/bin/alias", 0).unwrap().unwrap();
        assert_eq!(f.content, Some(&Content::Data(b"x".to_vec().into())));
    }
}
