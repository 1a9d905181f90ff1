//! Attribution: which layer introduced each package, and which layers are the base image.
//!
//! An OSPO reviewer needs to see what came with `FROM` and what our own Dockerfile added.
//! A package database file is rewritten by every layer that installs anything, so the layer
//! that last wrote the file says nothing about a package. Instead, the catalog reads the
//! package set of the filesystem *as of every layer*, and consecutive sets are compared:
//!
//! - a package (type, name, arch, version) belongs to the first layer whose view has it
//!   and whose previous view did not;
//! - a new version of a package already present is an upgrade, introduced in that layer;
//! - a package that disappears is recorded as removed, with the layer that added it and
//!   the layer that removed it; so is the version an upgrade replaced (its files are still
//!   in the layer that added it), with the version that replaced it.
//!
//! The base-or-authored classification of layers lives in [`origin`].

pub mod origin;

use std::collections::{BTreeMap, BTreeSet};

/// What identifies a package across layers, apart from its version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// `deb`, `rpm`, `apk`, …
    pub kind: String,
    /// The package name.
    pub name: String,
    /// The architecture, when the ecosystem has one.
    pub arch: String,
}

/// A package present at the top of the image, with where it came from.
#[derive(Debug, Clone)]
pub struct Placed<T> {
    /// Its identity.
    pub key: Key,
    /// Its version.
    pub version: String,
    /// The layer that introduced this version.
    pub layer: usize,
    /// The version it replaced in that layer, if it was an upgrade (or downgrade).
    pub replaced: Option<String>,
    /// The record from the top view.
    pub item: T,
}

/// A package that a layer removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// Its identity.
    pub key: Key,
    /// The version removed.
    pub version: String,
    /// The layer that had introduced it.
    pub added_in: usize,
    /// The layer that removed it.
    pub removed_in: usize,
    /// The version of the same package that replaced it in that layer, when it was
    /// upgraded (or downgraded) rather than removed.
    pub replaced_by: Option<String>,
}

/// What one layer changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delta {
    /// Packages new in this layer.
    pub added: usize,
    /// Packages whose version this layer changed.
    pub upgraded: usize,
    /// Packages this layer removed.
    pub removed: usize,
}

/// The result of comparing every layer's package set with the one below.
#[derive(Debug, Clone)]
pub struct Attribution<T> {
    /// Packages in the top view, sorted by key and version.
    pub present: Vec<Placed<T>>,
    /// Package versions removed or replaced on the way, in the order they went.
    pub removed: Vec<Removed>,
    /// What each layer changed, bottom first.
    pub deltas: Vec<Delta>,
}

/// Compares consecutive views. `views[i]` is the package set of the filesystem as of layer
/// `i`: (identity, version, record). Several versions of one key may coexist (rpm kernels).
/// A view that is the very slice of the one below (a layer that changed no package
/// database, sharing its view) changes nothing and is not compared again.
pub fn attribute<T: Clone, V: AsRef<[(Key, String, T)]>>(views: &[V]) -> Attribution<T> {
    let mut introduced: BTreeMap<(Key, String), (usize, Option<String>)> = BTreeMap::new();
    let mut removed = Vec::new();
    let mut deltas = Vec::with_capacity(views.len());
    let mut prev: BTreeSet<(Key, String)> = BTreeSet::new();
    let mut below: Option<&[(Key, String, T)]> = None;
    for (i, view) in views.iter().enumerate() {
        let view = view.as_ref();
        if below.is_some_and(|b| std::ptr::eq(b, view)) {
            deltas.push(Delta::default());
            continue;
        }
        below = Some(view);
        let cur: BTreeSet<(Key, String)> = view
            .iter()
            .map(|(k, v, _)| (k.clone(), v.clone()))
            .collect();
        let appeared: Vec<&(Key, String)> = cur.difference(&prev).collect();
        let vanished: Vec<&(Key, String)> = prev.difference(&cur).collect();
        let mut delta = Delta::default();
        for id in &appeared {
            let old = vanished
                .iter()
                .find(|(k, _)| *k == id.0)
                .map(|(_, v)| v.clone());
            if old.is_some() {
                delta.upgraded += 1;
            } else {
                delta.added += 1;
            }
            introduced.insert((*id).clone(), (i, old));
        }
        for id in &vanished {
            // Replaced by another version: counted as an upgrade, listed all the same.
            let replaced_by = appeared
                .iter()
                .find(|(k, _)| *k == id.0)
                .map(|(_, v)| v.clone());
            if replaced_by.is_none() {
                delta.removed += 1;
            }
            removed.push(Removed {
                key: id.0.clone(),
                version: id.1.clone(),
                added_in: introduced.get(*id).map_or(0, |(l, _)| *l),
                removed_in: i,
                replaced_by,
            });
        }
        deltas.push(delta);
        prev = cur;
    }
    let mut present: Vec<Placed<T>> = views
        .last()
        .map(|top| {
            top.as_ref()
                .iter()
                .map(|(k, v, item)| {
                    let (layer, replaced) = introduced
                        .get(&(k.clone(), v.clone()))
                        .cloned()
                        .unwrap_or((0, None));
                    Placed {
                        key: k.clone(),
                        version: v.clone(),
                        layer,
                        replaced,
                        item: item.clone(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    present.sort_by(|a, b| (&a.key, &a.version).cmp(&(&b.key, &b.version)));
    present.dedup_by(|a, b| a.key == b.key && a.version == b.version);
    Attribution {
        present,
        removed,
        deltas,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deb(name: &str, version: &str) -> (Key, String, ()) {
        (
            Key {
                kind: "deb".into(),
                name: name.into(),
                arch: "amd64".into(),
            },
            version.into(),
            (),
        )
    }

    fn layer_of(a: &Attribution<()>, name: &str) -> (usize, Option<String>) {
        let p = a.present.iter().find(|p| p.key.name == name).unwrap();
        (p.layer, p.replaced.clone())
    }

    #[test]
    fn a_package_belongs_to_the_first_layer_that_has_it() {
        // Every layer rewrites the status file; the packages of layer 0 stay in layer 0.
        let views = vec![
            vec![deb("libc6", "2.36"), deb("bash", "5.2")],
            vec![
                deb("libc6", "2.36"),
                deb("bash", "5.2"),
                deb("curl", "7.88"),
            ],
            vec![
                deb("libc6", "2.36"),
                deb("bash", "5.2"),
                deb("curl", "7.88"),
                deb("jq", "1.6"),
            ],
        ];
        let a = attribute(&views);
        assert_eq!(layer_of(&a, "libc6").0, 0);
        assert_eq!(layer_of(&a, "bash").0, 0);
        assert_eq!(layer_of(&a, "curl").0, 1);
        assert_eq!(layer_of(&a, "jq").0, 2);
        assert_eq!(
            a.deltas[2],
            Delta {
                added: 1,
                upgraded: 0,
                removed: 0
            }
        );
    }

    #[test]
    fn an_upgrade_is_a_new_introduction() {
        let views = vec![
            vec![deb("openssl", "3.0.11")],
            vec![deb("openssl", "3.0.15")],
        ];
        let a = attribute(&views);
        assert_eq!(layer_of(&a, "openssl"), (1, Some("3.0.11".into())));
        assert_eq!(
            a.deltas[1],
            Delta {
                added: 0,
                upgraded: 1,
                removed: 0
            }
        );
        // The replaced version is still in layer 0: it is listed, with what replaced it.
        assert_eq!(
            a.removed,
            [Removed {
                key: deb("openssl", "3.0.11").0,
                version: "3.0.11".into(),
                added_in: 0,
                removed_in: 1,
                replaced_by: Some("3.0.15".into()),
            }]
        );
    }

    #[test]
    fn a_removal_records_both_layers() {
        let views = vec![
            vec![deb("a", "1")],
            vec![deb("a", "1"), deb("curl", "7")],
            vec![deb("a", "1")],
        ];
        let a = attribute(&views);
        assert_eq!(
            a.removed,
            [Removed {
                key: deb("curl", "7").0,
                version: "7".into(),
                added_in: 1,
                removed_in: 2,
                replaced_by: None,
            }]
        );
        assert_eq!(a.present.len(), 1);
    }

    #[test]
    fn a_reinstall_after_removal_belongs_to_the_reinstalling_layer() {
        let views = vec![vec![deb("x", "1")], vec![], vec![deb("x", "1")]];
        let a = attribute(&views);
        assert_eq!(layer_of(&a, "x").0, 2);
        assert_eq!(a.removed[0].removed_in, 1);
    }

    #[test]
    fn coexisting_versions_are_separate_packages() {
        let views = vec![
            vec![deb("kernel", "5.14.0-1")],
            vec![deb("kernel", "5.14.0-1"), deb("kernel", "5.14.0-2")],
        ];
        let a = attribute(&views);
        assert_eq!(a.present.len(), 2);
        assert_eq!(a.present[1].layer, 1);
        assert_eq!(a.present[1].replaced, None);
        assert_eq!(a.deltas[1].added, 1);
    }
}
