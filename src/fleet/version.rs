//! Version ranges for `layerbom query package NAME --version RANGE`, compared the way dpkg
//! compares versions, which orders the versions of every ecosystem we read sensibly
//! enough for a query: an epoch (`1:`) first, then runs of non-digits (by character, `~`
//! before anything, even the end; letters before other characters) and runs of digits (by
//! number) in turn.

use std::cmp::Ordering;

/// A range: constraints that must all hold, comma-separated: `>=1.35,<1.36`, `=1.35.0-1`,
/// `!=2.0`, `<2`, or a version alone (that version), or a prefix ending in `*` (`1.35.*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRange {
    constraints: Vec<(Op, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Eq,
    Ne,
    Ge,
    Gt,
    Prefix,
}

impl std::str::FromStr for VersionRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut constraints = Vec::new();
        for part in s.split(',') {
            let part = part.trim();
            let (op, version) = [
                (">=", Op::Ge),
                ("<=", Op::Le),
                ("!=", Op::Ne),
                ("==", Op::Eq),
                (">", Op::Gt),
                ("<", Op::Lt),
                ("=", Op::Eq),
            ]
            .iter()
            .find_map(|(p, op)| part.strip_prefix(p).map(|v| (*op, v.trim())))
            .unwrap_or((Op::Eq, part));
            let (op, version) = match version.strip_suffix('*') {
                Some(prefix) if op == Op::Eq => (Op::Prefix, prefix),
                _ => (op, version),
            };
            if version.is_empty() || version.contains(['*', ' ', '<', '>', '=', '!']) {
                return Err(format!(
                    "{s:?} is not a version range (e.g. >=1.35,<1.36 or 1.35.* or 1.35.0-1)"
                ));
            }
            constraints.push((op, version.to_string()));
        }
        Ok(VersionRange { constraints })
    }
}

impl VersionRange {
    /// Whether `version` is in the range.
    pub fn contains(&self, version: &str) -> bool {
        self.constraints.iter().all(|(op, v)| {
            let o = compare(version, v);
            match op {
                Op::Lt => o == Ordering::Less,
                Op::Le => o != Ordering::Greater,
                Op::Eq => o == Ordering::Equal,
                Op::Ne => o != Ordering::Equal,
                Op::Ge => o != Ordering::Less,
                Op::Gt => o == Ordering::Greater,
                Op::Prefix => version.starts_with(v.as_str()),
            }
        })
    }
}

/// Compares two versions as dpkg does (epoch, then the rest by dpkg's algorithm).
pub fn compare(a: &str, b: &str) -> Ordering {
    let (ea, ra) = epoch(a);
    let (eb, rb) = epoch(b);
    ea.cmp(&eb)
        .then_with(|| verrevcmp(ra.as_bytes(), rb.as_bytes()))
}

/// The epoch (`N:` before the rest, 0 without one) and the rest.
fn epoch(v: &str) -> (u64, &str) {
    match v.split_once(':') {
        Some((e, rest)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => {
            (e.parse().unwrap_or(u64::MAX), rest)
        }
        _ => (0, v),
    }
}

/// dpkg's order of a character in a non-digit run: `~` first, then the end, then letters,
/// then everything else.
fn weight(c: Option<u8>) -> i32 {
    match c {
        Some(b'~') => -1,
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

fn verrevcmp(mut a: &[u8], mut b: &[u8]) -> Ordering {
    while !a.is_empty() || !b.is_empty() {
        // The non-digit run.
        while a.first().is_some_and(|c| !c.is_ascii_digit())
            || b.first().is_some_and(|c| !c.is_ascii_digit())
        {
            let (ca, cb) = (weight(a.first().copied()), weight(b.first().copied()));
            if ca != cb {
                return ca.cmp(&cb);
            }
            a = &a[a.len().min(1)..];
            b = &b[b.len().min(1)..];
        }
        // The digit run, by number: leading zeros skipped, then the longer run is larger.
        let skip = |s: &[u8]| s.iter().take_while(|c| **c == b'0').count();
        a = &a[skip(a)..];
        b = &b[skip(b)..];
        let run = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
        let (na, nb) = (run(a), run(b));
        let o = na.cmp(&nb).then_with(|| a[..na].cmp(&b[..nb]));
        if o != Ordering::Equal {
            return o;
        }
        a = &a[na..];
        b = &b[nb..];
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_as_dpkg_orders_them() {
        for (a, b) in [
            ("1.35.0", "1.36.0"),
            ("1.9", "1.10"),
            ("1.0~rc1", "1.0"),
            ("1.0", "1.0a"),
            ("1.0", "1.0.1"),
            ("2.0", "1:0.1"),
            ("1.35.0-1", "1.35.0-2"),
            ("2.36.1-8+deb11u1", "2.36.1-8+deb11u2"),
            ("1.0a", "1.0+"),
        ] {
            assert_eq!(compare(a, b), Ordering::Less, "{a} < {b}");
            assert_eq!(compare(b, a), Ordering::Greater, "{b} > {a}");
        }
        assert_eq!(compare("1.01", "1.1"), Ordering::Equal);
    }

    #[test]
    fn ranges_hold_every_constraint() {
        let r: VersionRange = ">=1.35,<1.36".parse().unwrap();
        assert!(r.contains("1.35.0-1"));
        assert!(r.contains("1.35.9"));
        assert!(!r.contains("1.36.0"));
        assert!(!r.contains("1.34.1"));
        let r: VersionRange = "1.35.*".parse().unwrap();
        assert!(r.contains("1.35.0") && !r.contains("1.36.0"));
        let r: VersionRange = "1.35.0-1".parse().unwrap();
        assert!(r.contains("1.35.0-1") && !r.contains("1.35.0-2"));
        let r: VersionRange = "!=2.0, >1".parse().unwrap();
        assert!(r.contains("1.5") && !r.contains("2.0") && !r.contains("0.9"));
        for bad in ["", ">=", "1,,2", "> 1 2", "1*2"] {
            assert!(bad.parse::<VersionRange>().is_err(), "{bad}");
        }
    }
}
