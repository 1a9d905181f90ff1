//! Package relationship fields: `Depends`, `Pre-Depends`, `Provides` and their kin.
//!
//! A field is a comma-separated list of groups; a group is `|`-separated alternatives; an
//! alternative is `name[:arch] [(op version)] [[arch list]] [<profiles>]`, as Debian Policy
//! §7.1 describes. `op` is one of `<<`, `<=`, `=`, `>=`, `>>` (and the obsolete `<` and `>`,
//! which mean `<=` and `>=`).

use serde::Serialize;

/// A version comparison in a relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum VersionOp {
    /// `<<`: strictly earlier.
    Lt,
    /// `<=` (or the obsolete `<`): earlier or equal.
    Le,
    /// `=`: exactly equal.
    Eq,
    /// `>=` (or the obsolete `>`): later or equal.
    Ge,
    /// `>>`: strictly later.
    Gt,
}

impl VersionOp {
    /// The operator as Debian writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            VersionOp::Lt => "<<",
            VersionOp::Le => "<=",
            VersionOp::Eq => "=",
            VersionOp::Ge => ">=",
            VersionOp::Gt => ">>",
        }
    }
}

/// One alternative of a relationship: a package name with optional qualifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// The package (or virtual package) name.
    pub name: String,
    /// The architecture qualifier after `:` (`any`, `native`, `amd64`), if any.
    pub arch: Option<String>,
    /// The version constraint, if any.
    pub version: Option<(VersionOp, String)>,
    /// A `[...]` architecture restriction list, raw (source packages only).
    pub arch_restriction: Option<String>,
}

/// A relationship field: its raw text and the parsed groups of alternatives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Relation {
    /// The field's value as written.
    pub raw: String,
    /// Each inner list is one group: any one of its alternatives satisfies it.
    pub groups: Vec<Vec<Dependency>>,
}

impl Relation {
    /// Parses a relationship field. Alternatives that cannot be parsed are left out and
    /// described in the returned messages.
    pub fn parse(raw: &str) -> (Relation, Vec<String>) {
        let mut groups = Vec::new();
        let mut problems = Vec::new();
        for group in raw.split(',') {
            if group.trim().is_empty() {
                continue;
            }
            let mut alts = Vec::new();
            for alt in group.split('|') {
                match parse_alternative(alt) {
                    Ok(d) => alts.push(d),
                    Err(e) => problems.push(format!("{:?}: {e}", alt.trim())),
                }
            }
            if !alts.is_empty() {
                groups.push(alts);
            }
        }
        (
            Relation {
                raw: raw.to_string(),
                groups,
            },
            problems,
        )
    }

    /// Every package name mentioned, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().flatten().map(|d| d.name.as_str())
    }
}

fn parse_alternative(text: &str) -> Result<Dependency, &'static str> {
    let mut rest = text.trim();
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '(' | '[' | '<'))
        .unwrap_or(rest.len());
    let (word, tail) = rest.split_at(end);
    rest = tail.trim_start();
    let (name, arch) = match word.split_once(':') {
        Some((n, a)) if !a.is_empty() => (n, Some(a.to_string())),
        Some(_) => return Err("empty architecture qualifier"),
        None => (word, None),
    };
    if name.is_empty() {
        return Err("no package name");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | '_'))
    {
        return Err("package name has characters Debian does not allow");
    }
    let mut version = None;
    if let Some(inner) = rest.strip_prefix('(') {
        let close = inner.find(')').ok_or("unclosed `(`")?;
        let spec = inner.get(..close).unwrap_or("").trim();
        rest = inner.get(close + 1..).unwrap_or("").trim_start();
        let ops = [
            ("<<", VersionOp::Lt),
            ("<=", VersionOp::Le),
            (">=", VersionOp::Ge),
            (">>", VersionOp::Gt),
            ("=", VersionOp::Eq),
            ("<", VersionOp::Le),
            (">", VersionOp::Ge),
        ];
        let (op, v) = ops
            .iter()
            .find_map(|(s, op)| spec.strip_prefix(s).map(|v| (*op, v.trim())))
            .ok_or("version constraint without operator")?;
        if v.is_empty() || v.contains(char::is_whitespace) {
            return Err("version constraint without a single version");
        }
        version = Some((op, v.to_string()));
    }
    let mut arch_restriction = None;
    if let Some(inner) = rest.strip_prefix('[') {
        let close = inner.find(']').ok_or("unclosed `[`")?;
        arch_restriction = Some(inner.get(..close).unwrap_or("").trim().to_string());
        rest = inner.get(close + 1..).unwrap_or("").trim_start();
    }
    // Build profiles (`<!nocheck>`) say when a build dependency applies; they do not change
    // what is named, so they are accepted and dropped.
    while let Some(inner) = rest.strip_prefix('<') {
        let close = inner.find('>').ok_or("unclosed `<`")?;
        rest = inner.get(close + 1..).unwrap_or("").trim_start();
    }
    if !rest.is_empty() {
        return Err("unexpected text after the dependency");
    }
    Ok(Dependency {
        name: name.to_string(),
        arch,
        version,
        arch_restriction,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_split_on_commas_and_alternatives_on_bars() {
        let (r, p) = Relation::parse("libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0");
        assert!(p.is_empty());
        assert_eq!(r.groups.len(), 2);
        assert_eq!(r.groups[1].len(), 2);
        assert_eq!(
            r.groups[0][0].version,
            Some((VersionOp::Ge, "2.34".to_string()))
        );
        assert_eq!(
            r.names().collect::<Vec<_>>(),
            ["libc6", "debconf", "debconf-2.0"]
        );
    }

    #[test]
    fn an_arch_qualifier_follows_a_colon() {
        let (r, _) = Relation::parse("perl:any, python3:native (>= 3.11)");
        assert_eq!(r.groups[0][0].arch.as_deref(), Some("any"));
        assert_eq!(r.groups[0][0].name, "perl");
        assert_eq!(r.groups[1][0].arch.as_deref(), Some("native"));
    }

    #[test]
    fn every_operator_is_understood_and_old_ones_are_inclusive() {
        for (text, op) in [
            ("a (<< 1)", VersionOp::Lt),
            ("a (<= 1)", VersionOp::Le),
            ("a (= 1)", VersionOp::Eq),
            ("a (>= 1)", VersionOp::Ge),
            ("a (>> 1)", VersionOp::Gt),
            ("a (< 1)", VersionOp::Le),
            ("a (> 1)", VersionOp::Ge),
            ("a(>=1)", VersionOp::Ge),
        ] {
            let (r, p) = Relation::parse(text);
            assert!(p.is_empty(), "{text}");
            assert_eq!(
                r.groups[0][0].version,
                Some((op, "1".to_string())),
                "{text}"
            );
        }
    }

    #[test]
    fn multi_line_values_and_empty_groups_are_tolerated() {
        let (r, p) = Relation::parse("a,\n b ,, c");
        assert!(p.is_empty());
        assert_eq!(r.names().collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn arch_lists_and_profiles_are_kept_or_dropped() {
        let (r, p) = Relation::parse("libfoo-dev [amd64 arm64] <!nocheck>");
        assert!(p.is_empty());
        assert_eq!(
            r.groups[0][0].arch_restriction.as_deref(),
            Some("amd64 arm64")
        );
    }

    #[test]
    fn a_broken_alternative_is_reported_and_the_rest_kept() {
        let (r, p) = Relation::parse("good, bad (>= 1, also");
        assert_eq!(r.names().collect::<Vec<_>>(), ["good", "also"]);
        assert_eq!(p.len(), 1);
    }
}
