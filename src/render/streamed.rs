//! JSON documents written member by member, their long arrays generated element by element
//! while they are written.
//!
//! An SBOM of N packages built as one `serde_json::Value` holds every package as a tree of
//! maps at once, several times the size of the text (at 50,000 packages the SPDX document
//! alone took 250 MB). A [`Streamed`] object holds its small members as values and its
//! arrays as generators, and writes exactly the bytes the equivalent `Value` would: members
//! in key order (serde_json's `Map` sorts its keys), arrays element by element.

use std::cell::RefCell;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

/// One member of a [`Streamed`] object.
pub enum Member<'a> {
    /// A value held whole.
    One(Value),
    /// An array whose elements are made as they are written (once: a `Streamed` object
    /// is written, or turned into a value, one time).
    Many(RefCell<Option<Box<dyn Iterator<Item = Value> + 'a>>>),
}

impl<'a> Member<'a> {
    /// An array member of the elements `items` makes.
    pub fn many(items: impl Iterator<Item = Value> + 'a) -> Self {
        Member::Many(RefCell::new(Some(Box::new(items))))
    }
}

/// A JSON object of named members; see the module documentation.
pub struct Streamed<'a>(Vec<(&'static str, Member<'a>)>);

impl<'a> Streamed<'a> {
    /// The object of `members`, written in key order whatever order they come in.
    pub fn new(mut members: Vec<(&'static str, Member<'a>)>) -> Self {
        members.sort_by(|a, b| a.0.cmp(b.0));
        Streamed(members)
    }

    /// The same object as one value (for the writers that walk a document rather than
    /// write it out, and for tests).
    pub fn into_value(self) -> Value {
        let mut map = Map::new();
        for (key, member) in self.0 {
            let value = match member {
                Member::One(v) => v,
                Member::Many(items) => {
                    Value::Array(items.into_inner().into_iter().flatten().collect())
                }
            };
            map.insert(key.to_string(), value);
        }
        Value::Object(map)
    }
}

impl Serialize for Member<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Member::One(v) => v.serialize(serializer),
            Member::Many(items) => {
                serializer.collect_seq(items.borrow_mut().take().into_iter().flatten())
            }
        }
    }
}

impl Serialize for Streamed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, member) in &self.0 {
            map.serialize_entry(key, member)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object() -> Streamed<'static> {
        Streamed::new(vec![
            ("zeta", Member::One(json!({"b": 1, "a": [true]}))),
            ("empty", Member::many(std::iter::empty())),
            ("Upper", Member::One(json!("x"))),
            (
                "items",
                Member::many((0..3).map(|i| json!({"i": i, "s": "\u{1}"}))),
            ),
        ])
    }

    #[test]
    fn writes_the_bytes_of_the_equivalent_value() {
        let value = object().into_value();
        for pretty in [false, true] {
            let (streamed, whole) = if pretty {
                (
                    serde_json::to_vec_pretty(&object()).unwrap(),
                    serde_json::to_vec_pretty(&value).unwrap(),
                )
            } else {
                (
                    serde_json::to_vec(&object()).unwrap(),
                    serde_json::to_vec(&value).unwrap(),
                )
            };
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                String::from_utf8(whole).unwrap()
            );
        }
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            r#"{"Upper":"x","empty":[],"items":[{"i":0,"s":"\u0001"},{"i":1,"s":"\u0001"},{"i":2,"s":"\u0001"}],"zeta":{"a":[true],"b":1}}"#
        );
    }
}
