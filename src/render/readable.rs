//! License expressions shortened for reading, in the approval report only.
//!
//! Debian copyright files often repeat one license pair for every file stanza, and the
//! concluded expression keeps every repetition: libldap-2.5-0's runs to twenty lines of
//! `(OLDAP-2.8 AND BSD-3-Clause) AND (OLDAP-2.8 AND BSD-3-Clause) AND …`. A reviewer needs
//! `OLDAP-2.8 AND BSD-3-Clause`. [`simplify`] removes exact duplicate terms of an `AND`
//! chain or an `OR` chain, and nothing else: `A AND A` is `A` and `A OR A` is `A`, so the
//! meaning never changes. The SBOM documents keep the expression as concluded.

/// One node of an expression: a license (with its `WITH` exception, as written) or a chain
/// of one operator.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    /// `MIT`, `GPL-2.0-or-later WITH Classpath-exception-2.0`, `LicenseRef-x`.
    Leaf(String),
    /// Operands of `AND` (nested `AND` chains flattened into it).
    And(Vec<Node>),
    /// Operands of `OR` (nested `OR` chains flattened into it).
    Or(Vec<Node>),
}

/// The most tokens read, so that a hostile expression cannot cost more than a bounded
/// amount of work; a longer one is shown as it is.
const MAX_TOKENS: usize = 10_000;
/// The deepest parenthesis nesting read; a deeper one is shown as it is.
const MAX_DEPTH: usize = 64;

/// `expr` with the exact duplicate operands of each `AND` and `OR` chain removed (the first
/// kept, in order), and parentheses only around a chain inside a chain. Anything that is
/// not an SPDX expression of licenses, `AND`, `OR`, `WITH` and parentheses (such as
/// `NOASSERTION` prose) is returned as it is. Idempotent.
pub fn simplify(expr: &str) -> String {
    let Some(tokens) = tokenize(expr) else {
        return expr.to_string();
    };
    let mut p = Parser {
        tokens: &tokens,
        at: 0,
    };
    match p.or(0) {
        Some(node) if p.at == tokens.len() => show(&dedup(node), false),
        _ => expr.to_string(),
    }
}

fn tokenize(expr: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = expr;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else { break };
        let len = if c == '(' || c == ')' {
            1
        } else {
            rest.find(|c: char| c.is_whitespace() || c == '(' || c == ')')
                .unwrap_or(rest.len())
        };
        let (token, tail) = rest.split_at(len);
        let id = |t: &str| {
            t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '+' | ':'))
        };
        if !(token == "(" || token == ")" || id(token)) {
            return None;
        }
        out.push(token);
        if out.len() > MAX_TOKENS {
            return None;
        }
        rest = tail;
    }
    Some(out)
}

struct Parser<'a> {
    tokens: &'a [&'a str],
    at: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.tokens.get(self.at).copied()
    }

    /// `and ("OR" and)*`: `AND` binds tighter than `OR`, as SPDX says.
    fn or(&mut self, depth: usize) -> Option<Node> {
        let mut items = vec![self.and(depth)?];
        while self.peek() == Some("OR") {
            self.at += 1;
            items.push(self.and(depth)?);
        }
        Some(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::Or(items)
        })
    }

    fn and(&mut self, depth: usize) -> Option<Node> {
        let mut items = vec![self.primary(depth)?];
        while self.peek() == Some("AND") {
            self.at += 1;
            items.push(self.primary(depth)?);
        }
        Some(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::And(items)
        })
    }

    fn primary(&mut self, depth: usize) -> Option<Node> {
        match self.peek()? {
            "(" => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.at += 1;
                let inner = self.or(depth + 1)?;
                (self.peek() == Some(")")).then_some(())?;
                self.at += 1;
                Some(inner)
            }
            ")" | "AND" | "OR" | "WITH" => None,
            license => {
                self.at += 1;
                if self.peek() != Some("WITH") {
                    return Some(Node::Leaf(license.to_string()));
                }
                self.at += 1;
                match self.peek()? {
                    "(" | ")" | "AND" | "OR" | "WITH" => None,
                    exception => {
                        self.at += 1;
                        Some(Node::Leaf(format!("{license} WITH {exception}")))
                    }
                }
            }
        }
    }
}

/// Flattens each chain's operands of the same operator into it (`(A AND B) AND C` is
/// `A AND B AND C`), then keeps the first of equal operands; a chain left with one operand
/// is that operand.
fn dedup(node: Node) -> Node {
    fn chain(items: Vec<Node>, and: bool) -> Node {
        let mut out: Vec<Node> = Vec::new();
        for item in items.into_iter().map(dedup) {
            let flat = match item {
                Node::And(inner) if and => inner,
                Node::Or(inner) if !and => inner,
                other => vec![other],
            };
            for n in flat {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
        }
        match out.len() {
            1 => out.remove(0),
            _ if and => Node::And(out),
            _ => Node::Or(out),
        }
    }
    match node {
        Node::Leaf(_) => node,
        Node::And(items) => chain(items, true),
        Node::Or(items) => chain(items, false),
    }
}

fn show(node: &Node, nested: bool) -> String {
    let join = |items: &[Node], op: &str| {
        let text = items
            .iter()
            .map(|n| show(n, true))
            .collect::<Vec<_>>()
            .join(op);
        if nested {
            format!("({text})")
        } else {
            text
        }
    };
    match node {
        Node::Leaf(s) => s.clone(),
        Node::And(items) => join(items, " AND "),
        Node::Or(items) => join(items, " OR "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_pairs_read_once() {
        let ldap = ["(OLDAP-2.8 AND BSD-3-Clause)"; 20].join(" AND ");
        assert_eq!(simplify(&ldap), "OLDAP-2.8 AND BSD-3-Clause");
        assert_eq!(simplify("MIT OR MIT OR Apache-2.0"), "MIT OR Apache-2.0");
        assert_eq!(
            simplify("GPL-2.0-or-later AND (GPL-2.0-or-later AND LGPL-2.1-or-later) AND Zlib"),
            "GPL-2.0-or-later AND LGPL-2.1-or-later AND Zlib"
        );
    }

    #[test]
    fn meaning_is_kept() {
        // Different operators are not merged: (A OR B) AND A is not A.
        assert_eq!(
            simplify("(MIT OR BSD-2-Clause) AND MIT"),
            "(MIT OR BSD-2-Clause) AND MIT"
        );
        // AND binds tighter than OR: the parentheses that say so are written.
        assert_eq!(simplify("MIT OR Zlib AND MIT"), "MIT OR (Zlib AND MIT)");
        // An exception is part of its license: not the same term as the bare license.
        assert_eq!(
            simplify("GPL-3.0-or-later WITH GCC-exception-3.1 AND GPL-3.0-or-later"),
            "GPL-3.0-or-later WITH GCC-exception-3.1 AND GPL-3.0-or-later"
        );
        // Identifiers are compared exactly and kept as written.
        assert_eq!(
            simplify("GPL-2.0+ AND GPL-2.0-or-later"),
            "GPL-2.0+ AND GPL-2.0-or-later"
        );
        assert_eq!(simplify("LicenseRef-a AND LicenseRef-a"), "LicenseRef-a");
        // Equal chains inside a chain are duplicates too.
        assert_eq!(
            simplify("(MIT OR Zlib) AND (MIT OR Zlib) AND ISC"),
            "(MIT OR Zlib) AND ISC"
        );
    }

    #[test]
    fn what_is_not_an_expression_is_shown_as_it_is() {
        for s in [
            "NOASSERTION",
            "",
            "see the copyright file, MIT",
            "MIT AND",
            "(MIT AND Zlib",
            "MIT and MIT",
            "MIT WITH",
            "MIT)",
        ] {
            let out = simplify(s);
            // Only a bare identifier may parse; nothing else changes.
            assert_eq!(out, s.trim(), "{s:?}");
        }
        let deep = format!("{}MIT{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(simplify(&deep), deep);
    }

    #[test]
    fn simplifying_twice_changes_nothing() {
        for s in [
            "(OLDAP-2.8 AND BSD-3-Clause) AND (OLDAP-2.8 AND BSD-3-Clause)",
            "MIT OR Zlib AND MIT OR MIT",
            "((A AND B) OR (B AND A)) AND (A AND B)",
            "GPL-2.0-only WITH Linux-syscall-note OR (MIT AND MIT)",
        ] {
            let once = simplify(s);
            assert_eq!(simplify(&once), once, "{s}");
        }
    }
}
