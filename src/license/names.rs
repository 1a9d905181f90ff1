//! Turns the license names distributions write into SPDX license expressions.
//!
//! Every package database states a license in its own dialect:
//!
//! - **Debian** (DEP-5 `License:` fields): short names such as `GPL-2+`, `Expat` or
//!   `public-domain`, joined by `and` and `or`. `and` binds tighter than `or` unless it
//!   follows a comma: `A or B and C` is `A or (B and C)`, while `A or B, and C` is
//!   `(A or B) and C`. Exceptions are written `GPL-2+ with OpenSSL exception`.
//! - **Rpm** (`License:` tags): Fedora's legacy abbreviations (`GPLv2+ and ASL 2.0`, names
//!   may contain spaces) with `and`/`or` and parentheses, or — in newer packages — an SPDX
//!   expression, which is passed through when it is valid SPDX.
//! - **Apk** (Alpine `L:`): mostly SPDX, with some legacy names (`GPL2`, `custom`).
//!
//! [`normalize`] parses a string with its dialect's grammar and maps every name through the
//! dialect's table in `license-db/` (then the SPDX license list itself). It never guesses:
//! `-only` versus `-or-later` comes from the name (`+` or not), and a name that is ambiguous
//! or unknown becomes a `LicenseRef-` so that the result is still a valid SPDX expression.
//! Every such step leaves a note in [`Normalized::notes`], so the conclusion carries its
//! reasons.
//!
//! ```
//! use layerbom::license::names::{normalize, Dialect};
//!
//! let n = normalize("GPL-2+ or Artistic", Dialect::Debian);
//! assert_eq!(n.expression.as_deref(), Some("GPL-2.0-or-later OR Artistic-1.0-Perl"));
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

/// The longest license string [`normalize`] reads; longer input is refused with a note.
pub const MAX_INPUT_BYTES: usize = 4096;

/// How deeply parentheses may nest before the input is refused.
const MAX_DEPTH: usize = 32;

/// Which package ecosystem wrote the license string, and so which grammar and name table
/// apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Debian DEP-5 short names (`license-db/debian.json`).
    Debian,
    /// RPM `License:` tags: Fedora legacy abbreviations or SPDX (`license-db/fedora.json`).
    Rpm,
    /// Alpine `L:` values (`license-db/alpine.json`).
    Apk,
}

impl Dialect {
    fn label(self) -> &'static str {
        match self {
            Dialect::Debian => "Debian",
            Dialect::Rpm => "rpm",
            Dialect::Apk => "Alpine",
        }
    }
}

/// The result of [`normalize`]: an SPDX expression (or the reason there is none) and the
/// evidence of how it was reached.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Normalized {
    /// A valid SPDX license expression, or `None` when the input was empty or could not be
    /// parsed (the notes say why).
    pub expression: Option<String>,
    /// Raw names (and exception names) found in no table and not on the SPDX list; each
    /// became a `LicenseRef-` in the expression. Names that the tables deliberately map to a
    /// `LicenseRef-` (such as `public-domain`) are not listed here; they leave a note.
    pub unknown: Vec<String>,
    /// Why each non-obvious step was taken, in input order, without duplicates.
    pub notes: Vec<String>,
}

impl Normalized {
    fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    fn unknown(&mut self, name: &str) {
        if !self.unknown.iter().any(|u| u == name) {
            self.unknown.push(name.to_owned());
        }
    }
}

/// Whether `id` is a license identifier on the SPDX license list, spelled exactly as the
/// list spells it (`MIT`, `GPL-2.0-or-later`, and deprecated ids such as `GPL-2.0`).
pub fn is_spdx_id(id: &str) -> bool {
    // `license_id` trims a trailing `+`; an id never ends in one.
    !id.ends_with('+') && spdx::license_id(id).is_some()
}

/// Whether `id` is an exception identifier on the SPDX exceptions list, spelled exactly as
/// the list spells it (`GCC-exception-3.1`).
pub fn is_spdx_exception_id(id: &str) -> bool {
    spdx::exception_id(id).is_some()
}

/// The version of the SPDX license list that [`is_spdx_id`] and [`normalize`] use.
pub fn spdx_list_version() -> &'static str {
    spdx::license_version()
}

/// How our output is checked: SPDX as the specification writes it (ids on the list, spelled
/// as the list spells them, no `/` for `OR`, no imprecise names).
const STRICT: spdx::ParseMode = spdx::ParseMode::STRICT;

/// Whether an rpm `License:` value is already written in SPDX. Deprecated ids (`GPL-2.0+`)
/// are SPDX too: they pass through and are then mapped to their current ids.
fn is_spdx_input(text: &str) -> bool {
    let mode = spdx::ParseMode {
        allow_deprecated: true,
        allow_postfix_plus_on_gpl: true,
        ..STRICT
    };
    spdx::Expression::parse_mode(text, mode).is_ok()
}

/// Joins SPDX expressions with `op` (`AND`, `OR`), parenthesizing compound ones, without
/// repeats; `None` when there are none.
pub fn combine(exprs: &[String], op: &str) -> Option<String> {
    let mut unique: Vec<&String> = Vec::new();
    for e in exprs {
        if !unique.contains(&e) {
            unique.push(e);
        }
    }
    match unique.as_slice() {
        [] => None,
        [one] => Some((*one).clone()),
        many => Some(
            many.iter()
                .map(|e| {
                    if e.contains(' ') {
                        format!("({e})")
                    } else {
                        (*e).clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(&format!(" {op} ")),
        ),
    }
}

/// What the text a name stands for says, when it says more than the name: given the name
/// as written and the term the tables give it (a `LicenseRef-`, or a GNU `-only` id), the
/// SPDX term the text shows and a note saying why.
pub type TextReader<'a> = &'a dyn Fn(&str, &str) -> Option<(String, String)>;

/// Normalizes one license string written in `dialect` into an SPDX expression.
///
/// The result always keeps its reasons: names mapped to a `LicenseRef-` are explained in
/// the notes, unknown names are listed in [`Normalized::unknown`], and input that cannot be
/// read gives `expression: None` with a note saying why.
pub fn normalize(raw: &str, dialect: Dialect) -> Normalized {
    normalize_with(raw, dialect, &|_, _| None)
}

/// [`normalize`], where each name the tables map to no exact SPDX license (a
/// `LicenseRef-`), and each GNU name without `+`, is also read through `read`: a Debian
/// `License: MIT` over the Expat text is `MIT`, an `LGPL-2.1` whose text grants "any later
/// version" is `LGPL-2.1-or-later`.
pub fn normalize_with(raw: &str, dialect: Dialect, read: TextReader) -> Normalized {
    let mut out = Normalized::default();
    let text = raw.trim();
    if text.is_empty() {
        out.note("the license string is empty".to_owned());
        return out;
    }
    if text.len() > MAX_INPUT_BYTES {
        out.note(format!(
            "the license string is {} bytes long, more than the {MAX_INPUT_BYTES} read",
            text.len()
        ));
        return out;
    }

    // Newer rpm packages already carry SPDX: pass a valid expression through, reading its
    // names against the SPDX list only (never against the legacy table).
    let (grammar, table) = if dialect == Dialect::Rpm && is_spdx_input(text) {
        note_legacy_lookalikes(text, &mut out);
        (Grammar::Spdx, None)
    } else {
        let grammar = match dialect {
            Dialect::Debian => Grammar::Debian,
            Dialect::Rpm => Grammar::RpmLegacy,
            Dialect::Apk => Grammar::Spdx,
        };
        (grammar, Some(table(dialect)))
    };

    let tokens = tokenize(text);
    let node = match Parser::new(&tokens, grammar).parse() {
        Ok((node, mixed)) => {
            if mixed {
                out.note(
                    "`and` and `or` are mixed without parentheses; read with `and` binding \
                     tighter than `or`, as in SPDX"
                        .to_owned(),
                );
            }
            node
        }
        Err(why) => {
            out.note(format!(
                "cannot parse `{text}` as a {} license: {why}",
                dialect.label()
            ));
            return out;
        }
    };

    let resolved = resolve(&node, table, dialect, read, &mut out);
    let expression = render(&resolved);
    match spdx::Expression::parse_mode(&expression, STRICT) {
        Ok(_) => out.expression = Some(expression),
        Err(err) => out.note(format!(
            "the normalized expression `{expression}` is not valid SPDX ({err}); this is a bug \
             in the license-db data or the normalizer"
        )),
    }
    out
}

/// A valid SPDX string read from an rpm header may still be a legacy Fedora tag that happens
/// to be spelled like an SPDX id (`MIT`); say so when the two readings differ.
fn note_legacy_lookalikes(text: &str, out: &mut Normalized) {
    let fedora = table(Dialect::Rpm);
    for word in text.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        if let Some(entry) = fedora.names.get(&word.to_ascii_lowercase()) {
            if entry.spdx.as_deref() != Some(word) {
                out.note(format!(
                    "`{word}` read as the SPDX id; as a legacy Fedora tag it would mean: {}",
                    entry
                        .note
                        .as_deref()
                        .or(entry.license_ref.as_deref())
                        .or(entry.spdx.as_deref())
                        .unwrap_or("something else")
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The data in license-db/

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// An SPDX expression the name means.
    spdx: Option<String>,
    /// A `LicenseRef-` used when no SPDX id says exactly what the name means.
    #[serde(rename = "ref")]
    license_ref: Option<String>,
    /// Why the mapping is what it is; copied into [`Normalized::notes`].
    note: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Style {
    /// GNU licenses: `GPL-2` is `GPL-2.0-only`, `GPL-2+` is `GPL-2.0-or-later`.
    Gnu,
    /// Other licenses: `MPL-2.0` is `MPL-2.0`, `MPL-1.1+` is `MPL-1.1+`.
    Plain,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Family {
    style: Style,
    /// Version as written (`2`, `2.1`) → SPDX id stem (`GPL-2.0`).
    versions: HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    names: HashMap<String, Entry>,
    #[serde(default)]
    versioned: HashMap<String, Family>,
    #[serde(default)]
    exceptions: HashMap<String, Entry>,
}

/// One dialect's table with every key lower-cased, for case-insensitive lookup.
#[derive(Debug)]
struct Table {
    names: HashMap<String, Entry>,
    versioned: HashMap<String, Family>,
    exceptions: HashMap<String, Entry>,
}

const DEBIAN_JSON: &str = include_str!("../../license-db/debian.json");
const FEDORA_JSON: &str = include_str!("../../license-db/fedora.json");
const ALPINE_JSON: &str = include_str!("../../license-db/alpine.json");

fn load(json: &str, file: &str) -> Table {
    // The data is compiled in and checked by the tests below, so a failure here is a
    // build defect, not bad input.
    let raw: RawTable = serde_json::from_str(json)
        .unwrap_or_else(|err| panic!("license-db/{file} is not valid: {err}"));
    let lower = |m: HashMap<String, Entry>| {
        m.into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect::<HashMap<_, _>>()
    };
    Table {
        names: lower(raw.names),
        versioned: raw
            .versioned
            .into_iter()
            .map(|(k, f)| {
                let versions = f
                    .versions
                    .into_iter()
                    .map(|(v, id)| (v.to_ascii_lowercase(), id))
                    .collect();
                (
                    k.to_ascii_lowercase(),
                    Family {
                        style: f.style,
                        versions,
                    },
                )
            })
            .collect(),
        exceptions: lower(raw.exceptions),
    }
}

fn table(dialect: Dialect) -> &'static Table {
    static DEBIAN: OnceLock<Table> = OnceLock::new();
    static FEDORA: OnceLock<Table> = OnceLock::new();
    static ALPINE: OnceLock<Table> = OnceLock::new();
    match dialect {
        Dialect::Debian => DEBIAN.get_or_init(|| load(DEBIAN_JSON, "debian.json")),
        Dialect::Rpm => FEDORA.get_or_init(|| load(FEDORA_JSON, "fedora.json")),
        Dialect::Apk => ALPINE.get_or_init(|| load(ALPINE_JSON, "alpine.json")),
    }
}

/// The SPDX lists keyed by lower-cased id: SPDX ids match case-insensitively.
struct SpdxIndex {
    licenses: HashMap<String, (&'static str, bool)>,
    exceptions: HashMap<String, &'static str>,
}

fn spdx_index() -> &'static SpdxIndex {
    static INDEX: OnceLock<SpdxIndex> = OnceLock::new();
    INDEX.get_or_init(|| SpdxIndex {
        licenses: spdx::identifiers::LICENSES
            .iter()
            .map(|lic| {
                let deprecated = lic.flags & spdx::flags::IS_DEPRECATED != 0;
                (lic.name.to_ascii_lowercase(), (lic.name, deprecated))
            })
            .collect(),
        exceptions: spdx::identifiers::EXCEPTIONS
            .iter()
            .map(|exc| (exc.name.to_ascii_lowercase(), exc.name))
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------
// Tokens and grammar

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    LParen,
    RParen,
    Comma,
    And,
    Or,
    With,
    Word(String),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::LParen => f.write_str("`(`"),
            Tok::RParen => f.write_str("`)`"),
            Tok::Comma => f.write_str("`,`"),
            Tok::And => f.write_str("`and`"),
            Tok::Or => f.write_str("`or`"),
            Tok::With => f.write_str("`with`"),
            Tok::Word(w) => write!(f, "`{w}`"),
        }
    }
}

fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, toks: &mut Vec<Tok>| {
        if word.is_empty() {
            return;
        }
        let tok = match word.to_ascii_lowercase().as_str() {
            "and" => Tok::And,
            "or" => Tok::Or,
            "with" => Tok::With,
            _ => Tok::Word(word.clone()),
        };
        toks.push(tok);
        word.clear();
    };
    for c in text.chars() {
        match c {
            '(' | ')' | ',' => {
                flush(&mut word, &mut toks);
                toks.push(match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    _ => Tok::Comma,
                });
            }
            c if c.is_whitespace() => flush(&mut word, &mut toks),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut toks);
    toks
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grammar {
    /// DEP-5: `and` over `or`, a comma before an operator lowers it below both.
    Debian,
    /// Fedora legacy: names may contain spaces; `and`/`or` any case; parentheses.
    RpmLegacy,
    /// SPDX: `WITH` over `AND` over `OR`; parentheses.
    Spdx,
}

/// A parsed license string, names still as written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Name {
        name: String,
        exception: Option<String>,
    },
    And(Vec<Node>),
    Or(Vec<Node>),
}

/// Why a license string does not parse in its grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum SyntaxError {
    /// A token is left over after a whole expression.
    #[error("unexpected {0}")]
    Unexpected(Tok),
    /// A comma outside DEP-5, where it is no operator.
    #[error("a comma is not an operator here")]
    CommaNotOperator,
    /// A DEP-5 comma not followed by `and` or `or`.
    #[error("a comma must be followed by `and` or `or`")]
    CommaWithoutOperator,
    /// `with` after an `and`, `or` or parenthesized expression.
    #[error("`with` must follow a single license name")]
    WithAfterExpression,
    /// `with` followed by no word.
    #[error("`with` after `{license}` names no exception")]
    NoException {
        /// The license name before `with`.
        license: String,
    },
    /// Parentheses nested deeper than [`MAX_DEPTH`].
    #[error("parentheses nest deeper than {MAX_DEPTH}")]
    TooDeep,
    /// A `(` without its `)`.
    #[error("a `(` is not closed")]
    Unclosed,
    /// A token where a license name must be.
    #[error("expected a license name, found {0}")]
    ExpectedName(Tok),
    /// The end of the text where a license name must be.
    #[error("expected a license name, found the end")]
    UnexpectedEnd,
}

struct Parser<'a> {
    toks: &'a [Tok],
    pos: usize,
    grammar: Grammar,
    depth: usize,
    /// `and` and `or` met at one level without parentheses (worth a note for rpm only).
    mixed: bool,
}

impl<'a> Parser<'a> {
    fn new(toks: &'a [Tok], grammar: Grammar) -> Self {
        Parser {
            toks,
            pos: 0,
            grammar,
            depth: 0,
            mixed: false,
        }
    }

    fn peek(&self) -> Option<&'a Tok> {
        self.toks.get(self.pos)
    }

    fn parse(mut self) -> Result<(Node, bool), SyntaxError> {
        let node = self.comma_list()?;
        if let Some(tok) = self.peek() {
            return Err(SyntaxError::Unexpected(tok.clone()));
        }
        Ok((node, self.mixed && self.grammar == Grammar::RpmLegacy))
    }

    /// `or_expr ( ',' ('and'|'or') or_expr )*`, left to right (DEP-5 only).
    fn comma_list(&mut self) -> Result<Node, SyntaxError> {
        let mut left = self.or_expr()?;
        while self.peek() == Some(&Tok::Comma) {
            if self.grammar != Grammar::Debian {
                return Err(SyntaxError::CommaNotOperator);
            }
            self.pos += 1;
            let op = self.peek().cloned();
            match op {
                Some(Tok::And) | Some(Tok::Or) => self.pos += 1,
                _ => return Err(SyntaxError::CommaWithoutOperator),
            }
            let right = self.or_expr()?;
            left = if op == Some(Tok::And) {
                join_and(vec![left, right])
            } else {
                join_or(vec![left, right])
            };
        }
        Ok(left)
    }

    fn or_expr(&mut self) -> Result<Node, SyntaxError> {
        let (first, mut saw_and) = self.and_expr()?;
        let mut parts = vec![first];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            let (next, and) = self.and_expr()?;
            saw_and |= and;
            parts.push(next);
        }
        if parts.len() > 1 && saw_and {
            self.mixed = true;
        }
        Ok(join_or(parts))
    }

    /// Returns the node and whether an `and` was met at this level.
    fn and_expr(&mut self) -> Result<(Node, bool), SyntaxError> {
        let mut parts = vec![self.with_expr()?];
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            parts.push(self.with_expr()?);
        }
        let saw_and = parts.len() > 1;
        Ok((join_and(parts), saw_and))
    }

    fn with_expr(&mut self) -> Result<Node, SyntaxError> {
        let node = self.primary()?;
        if self.peek() != Some(&Tok::With) {
            return Ok(node);
        }
        self.pos += 1;
        let Node::Name { name, .. } = node else {
            return Err(SyntaxError::WithAfterExpression);
        };
        let mut words = self.words();
        if words.is_empty() {
            return Err(SyntaxError::NoException { license: name });
        }
        // DEP-5 writes `with OpenSSL exception`; keep the keyword before `exception`.
        if words.len() > 1
            && words
                .last()
                .is_some_and(|w| w.eq_ignore_ascii_case("exception"))
        {
            words.pop();
        }
        Ok(Node::Name {
            name,
            exception: Some(words.join(" ")),
        })
    }

    fn primary(&mut self) -> Result<Node, SyntaxError> {
        match self.peek() {
            Some(Tok::LParen) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(SyntaxError::TooDeep);
                }
                self.pos += 1;
                let node = self.comma_list()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(SyntaxError::Unclosed);
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(node)
            }
            Some(Tok::Word(_)) => {
                // Fedora names may contain spaces (`ASL 2.0`). DEP-5 and SPDX names have
                // none, but a run of words is still kept as one name (it will not be found
                // and becomes a LicenseRef) rather than guessing an operator between them.
                let words = self.words();
                Ok(Node::Name {
                    name: words.join(" "),
                    exception: None,
                })
            }
            Some(tok) => Err(SyntaxError::ExpectedName(tok.clone())),
            None => Err(SyntaxError::UnexpectedEnd),
        }
    }

    /// A run of consecutive words (a name that may contain spaces).
    fn words(&mut self) -> Vec<String> {
        let mut words = Vec::new();
        while let Some(Tok::Word(w)) = self.peek() {
            words.push(w.clone());
            self.pos += 1;
        }
        words
    }
}

fn join_and(parts: Vec<Node>) -> Node {
    join(parts, true)
}

fn join_or(parts: Vec<Node>) -> Node {
    join(parts, false)
}

/// Joins parts with one operator, flattening nested uses of the same operator.
fn join(parts: Vec<Node>, and: bool) -> Node {
    let mut flat = Vec::with_capacity(parts.len());
    for p in parts {
        match p {
            Node::And(inner) if and => flat.extend(inner),
            Node::Or(inner) if !and => flat.extend(inner),
            other => flat.push(other),
        }
    }
    if flat.len() == 1 {
        return flat.remove(0);
    }
    if and {
        Node::And(flat)
    } else {
        Node::Or(flat)
    }
}

// ---------------------------------------------------------------------------------------
// Resolution: names → SPDX terms

/// Resolves every name in the tree to SPDX terms (a term is `id`, `id+`, `LicenseRef-…`
/// or `id WITH exception`). The result reuses [`Node`]: `Name.name` holds the term.
fn resolve(
    node: &Node,
    table: Option<&Table>,
    dialect: Dialect,
    read: TextReader,
    out: &mut Normalized,
) -> Node {
    match node {
        Node::And(parts) => join_and(
            parts
                .iter()
                .map(|p| resolve(p, table, dialect, read, out))
                .collect(),
        ),
        Node::Or(parts) => join_or(
            parts
                .iter()
                .map(|p| resolve(p, table, dialect, read, out))
                .collect(),
        ),
        Node::Name { name, exception } => {
            let license = match resolve_name(name, table, dialect, out) {
                Node::Name {
                    name: t,
                    exception: None,
                } if t.starts_with("LicenseRef-") || t.ends_with("-only") => match read(name, &t) {
                    Some((better, why)) if is_term(&better) => {
                        out.unknown.retain(|u| u != name);
                        out.note(why);
                        term(better)
                    }
                    _ => term(t),
                },
                other => other,
            };
            match exception {
                None => license,
                Some(exc) => attach_exception(license, name, exc, table, dialect, out),
            }
        }
    }
}

fn term(t: String) -> Node {
    Node::Name {
        name: t,
        exception: None,
    }
}

fn resolve_name(name: &str, table: Option<&Table>, dialect: Dialect, out: &mut Normalized) -> Node {
    let lower = name.to_ascii_lowercase();

    // Already a LicenseRef: keep it when it is well formed.
    if lower.starts_with("licenseref-") && name.len() > "LicenseRef-".len() && is_idstring(name) {
        return term(format!("LicenseRef-{}", &name["LicenseRef-".len()..]));
    }

    if let Some(table) = table {
        if let Some(entry) = table.names.get(&lower) {
            if let Some(node) = from_entry(name, entry, out) {
                return node;
            }
        }
        if let Some(id) = versioned(&lower, table) {
            return term(id);
        }
    }

    if let Some(id) = spdx_license(name, out) {
        return term(id);
    }

    let sanitized = format!("LicenseRef-{}", sanitize(name));
    out.unknown(name);
    out.note(format!(
        "`{name}` is not in the {} table nor on the SPDX license list {}; written as `{sanitized}`",
        dialect.label(),
        spdx_list_version()
    ));
    term(sanitized)
}

/// Applies a data entry; `None` when the entry is unusable (a data defect, noted).
fn from_entry(name: &str, entry: &Entry, out: &mut Normalized) -> Option<Node> {
    if let Some(note) = &entry.note {
        out.note(format!("`{name}`: {note}"));
    }
    if let Some(expr) = &entry.spdx {
        let toks = tokenize(expr);
        if let Ok((node, _)) = Parser::new(&toks, Grammar::Spdx).parse() {
            if all_terms_valid(&node) {
                return Some(node);
            }
        }
        out.note(format!(
            "license-db maps `{name}` to `{expr}`, which is not valid SPDX"
        ));
        return None;
    }
    if let Some(r) = &entry.license_ref {
        if r.starts_with("LicenseRef-") && is_idstring(r) {
            return Some(term(r.clone()));
        }
        out.note(format!(
            "license-db maps `{name}` to `{r}`, which is not a LicenseRef"
        ));
    }
    None
}

/// Whether `t` is one term of an expression: an SPDX id (with `+` where SPDX allows it) or
/// a well-formed `LicenseRef-`.
fn is_term(t: &str) -> bool {
    is_spdx_id(t.trim_end_matches('+'))
        || (t.starts_with("LicenseRef-") && is_idstring(t) && t.len() > "LicenseRef-".len())
}

fn all_terms_valid(node: &Node) -> bool {
    match node {
        Node::And(p) | Node::Or(p) => p.iter().all(all_terms_valid),
        Node::Name { name, exception } => {
            exception.is_none()
                && (is_spdx_id(name) || (name.starts_with("LicenseRef-") && is_idstring(name)))
        }
    }
}

/// `GPL-2+` → `GPL-2.0-or-later` by the family's version table and style.
fn versioned(lower: &str, table: &Table) -> Option<String> {
    let (stem, plus) = match lower.strip_suffix('+') {
        Some(s) => (s, true),
        None => (lower, false),
    };
    // `GPL-2`, and the spellings without the dash: `GPL2`, `GPLv2`, `GPL-v2`.
    let (family, version) = match stem.rsplit_once('-') {
        Some((family, version)) if version.starts_with(|c: char| c.is_ascii_digit()) => {
            (family, version)
        }
        _ => stem.split_at(stem.find(|c: char| c.is_ascii_digit())?),
    };
    let family = family.trim_end_matches('-');
    let family = match family.strip_suffix('v') {
        Some(f) if !table.versioned.contains_key(family) => f.trim_end_matches('-'),
        _ => family,
    };
    let fam = table.versioned.get(family)?;
    let base = fam.versions.get(version)?;
    let id = match (fam.style, plus) {
        (Style::Gnu, false) => format!("{base}-only"),
        (Style::Gnu, true) => format!("{base}-or-later"),
        (Style::Plain, false) => base.clone(),
        (Style::Plain, true) => format!("{base}+"),
    };
    let valid = is_spdx_id(id.trim_end_matches('+'));
    valid.then_some(id)
}

/// Looks `name` up on the SPDX list (case-insensitively), replacing the deprecated GNU ids
/// by what they were defined to mean (`GPL-2.0` is "v2.0 only", `GPL-2.0+` "or later").
fn spdx_license(name: &str, out: &mut Normalized) -> Option<String> {
    let index = spdx_index();
    let lower = name.to_ascii_lowercase();
    if let Some(&(id, deprecated)) = index.licenses.get(&lower) {
        if !deprecated {
            return Some(id.to_owned());
        }
        let replacement = match id.strip_suffix('+') {
            Some(base) => format!("{base}-or-later"),
            None => format!("{id}-only"),
        };
        if is_spdx_id(&replacement) {
            return Some(replacement);
        }
        out.note(format!("`{id}` is a deprecated SPDX id"));
        return Some(id.to_owned());
    }
    // `MPL-1.1+`: the SPDX `+` operator on a non-GNU id.
    let base = lower.strip_suffix('+')?;
    let &(id, deprecated) = index.licenses.get(base)?;
    if deprecated || id.ends_with("-only") || id.ends_with("-or-later") {
        return None;
    }
    if is_spdx_id(&format!("{id}-or-later")) {
        return Some(format!("{id}-or-later"));
    }
    Some(format!("{id}+"))
}

fn attach_exception(
    license: Node,
    name: &str,
    exc: &str,
    table: Option<&Table>,
    dialect: Dialect,
    out: &mut Normalized,
) -> Node {
    let lower = exc.to_ascii_lowercase();
    let index = spdx_index();
    let mut found: Option<Node> = None;
    if let Some(entry) = table.and_then(|t| t.exceptions.get(&lower)) {
        if let Some(note) = &entry.note {
            out.note(format!("`{exc}` exception: {note}"));
        }
        if let Some(id) = entry.spdx.as_deref().filter(|id| is_spdx_exception_id(id)) {
            return with_exception(license, id, out);
        }
        if let Some(r) = entry
            .license_ref
            .as_deref()
            .filter(|r| r.starts_with("LicenseRef-") && is_idstring(r))
        {
            found = Some(term(r.to_owned()));
        }
    }
    if found.is_none() {
        let spdx_id = index
            .exceptions
            .get(&lower)
            .or_else(|| index.exceptions.get(&format!("{lower}-exception")))
            .copied()
            .or_else(|| exception_for_version(&lower, &license));
        if let Some(id) = spdx_id {
            return with_exception(license, id, out);
        }
    }
    let reference = found.unwrap_or_else(|| {
        let r = format!("LicenseRef-{}-exception", sanitize(exc));
        out.unknown(&format!("{exc} exception"));
        out.note(format!(
            "exception `{exc}` is not in the {} table nor on the SPDX exceptions list",
            dialect.label()
        ));
        term(r)
    });
    out.note(format!(
        "`{name} with {exc}`: SPDX 2.3 allows only listed exceptions after WITH, so the \
         exception is written as `AND` a LicenseRef"
    ));
    join_and(vec![license, reference])
}

/// The one SPDX exception of a family that has a version per GPL version (Autoconf's, for
/// GPL-2 and GPL-3; Bison's, 1.24 with the GPL-2 skeletons, 2.2 with the GPL-3 ones),
/// chosen by the version of the license it is attached to.
fn exception_for_version(family: &str, license: &Node) -> Option<&'static str> {
    let Node::Name { name, .. } = license else {
        return None;
    };
    let major = if name.starts_with("GPL-2.0") {
        2
    } else if name.starts_with("GPL-3.0") {
        3
    } else {
        return None;
    };
    match (family, major) {
        ("autoconf", 2) => Some("Autoconf-exception-2.0"),
        ("autoconf", 3) => Some("Autoconf-exception-3.0"),
        ("bison", 2) => Some("Bison-exception-1.24"),
        ("bison", 3) => Some("Bison-exception-2.2"),
        _ => None,
    }
}

fn with_exception(license: Node, exception: &str, out: &mut Normalized) -> Node {
    match license {
        Node::Name {
            name,
            exception: None,
        } => term(format!("{name} WITH {exception}")),
        compound => {
            out.note(format!(
                "`{exception}` applies to a compound license; written as `AND LicenseRef-{exception}`"
            ));
            join_and(vec![compound, term(format!("LicenseRef-{exception}"))])
        }
    }
}

/// SPDX `idstring`: letters, digits, `.` and `-`.
fn is_idstring(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// Makes an SPDX `idstring` from any name: `+` becomes `-plus`, every other character
/// outside `[A-Za-z0-9.-]` becomes `-`, and runs of `-` collapse.
fn sanitize(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            c if c.is_ascii_alphanumeric() || c == '.' => s.push(c),
            '+' => s.push_str("-plus"),
            _ => s.push('-'),
        }
    }
    let mut collapsed = String::with_capacity(s.len());
    for c in s.chars() {
        if !(c == '-' && collapsed.ends_with('-')) {
            collapsed.push(c);
        }
    }
    let trimmed = collapsed.trim_matches('-');
    if trimmed.is_empty() {
        "unnamed".to_owned()
    } else {
        trimmed.to_owned()
    }
}

// ---------------------------------------------------------------------------------------
// Rendering

fn render(node: &Node) -> String {
    let mut s = String::new();
    render_into(node, false, &mut s);
    s
}

fn render_into(node: &Node, inside_and: bool, out: &mut String) {
    match node {
        Node::Name { name, exception } => {
            out.push_str(name);
            if let Some(e) = exception {
                out.push_str(" WITH ");
                out.push_str(e);
            }
        }
        Node::And(parts) => {
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(" AND ");
                }
                render_into(p, true, out);
            }
        }
        Node::Or(parts) => {
            if inside_and {
                out.push('(');
            }
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(" OR ");
                }
                render_into(p, false, out);
            }
            if inside_and {
                out.push(')');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_compound_expressions_are_parenthesized() {
        let e = combine(
            &[
                "MIT".into(),
                "GPL-2.0-or-later OR Artistic-1.0-Perl".into(),
                "MIT".into(),
            ],
            "AND",
        );
        assert_eq!(
            e.as_deref(),
            Some("MIT AND (GPL-2.0-or-later OR Artistic-1.0-Perl)")
        );
        assert_eq!(combine(&[], "AND"), None);
    }

    fn expr(raw: &str, dialect: Dialect) -> String {
        let n = normalize(raw, dialect);
        n.expression
            .unwrap_or_else(|| panic!("`{raw}` gave no expression: {:?}", n.notes))
    }

    fn deb(raw: &str) -> String {
        expr(raw, Dialect::Debian)
    }

    fn rpm(raw: &str) -> String {
        expr(raw, Dialect::Rpm)
    }

    fn apk(raw: &str) -> String {
        expr(raw, Dialect::Apk)
    }

    // --- the data itself ---

    #[test]
    fn deprecated_spdx_ids_in_rpm_tags_pass_through_to_current_ids() {
        let n = normalize("GPL-2.0+ AND MIT", Dialect::Rpm);
        assert_eq!(n.expression.as_deref(), Some("GPL-2.0-or-later AND MIT"));
    }

    #[test]
    fn every_table_target_is_on_the_spdx_list() {
        for dialect in [Dialect::Debian, Dialect::Rpm, Dialect::Apk] {
            let t = table(dialect);
            for (key, entry) in &t.names {
                assert!(
                    entry.spdx.is_some() != entry.license_ref.is_some(),
                    "{key}: give exactly one of spdx and ref"
                );
                let mut n = Normalized::default();
                assert!(
                    from_entry(key, entry, &mut n).is_some(),
                    "{key}: {:?}",
                    n.notes
                );
            }
            for (family, fam) in &t.versioned {
                for (version, base) in &fam.versions {
                    let id = match fam.style {
                        Style::Gnu => format!("{base}-only"),
                        Style::Plain => base.clone(),
                    };
                    assert!(
                        is_spdx_id(&id),
                        "{family}-{version} → {id} is not an SPDX id"
                    );
                }
            }
            for (key, entry) in &t.exceptions {
                if let Some(id) = &entry.spdx {
                    assert!(is_spdx_exception_id(id), "exception {key} → {id}");
                } else {
                    let r = entry.license_ref.as_deref().unwrap_or("");
                    assert!(r.starts_with("LicenseRef-") && is_idstring(r), "{key}");
                }
            }
        }
    }

    #[test]
    fn is_spdx_id_checks_the_real_list_exactly() {
        assert!(is_spdx_id("MIT"));
        assert!(is_spdx_id("GPL-2.0-or-later"));
        assert!(is_spdx_id("OLDAP-2.8"));
        assert!(!is_spdx_id("mit"));
        assert!(!is_spdx_id("Expat"));
        assert!(!is_spdx_id("GPL-2.0-or-later+"));
        assert!(is_spdx_exception_id("GCC-exception-3.1"));
    }

    // --- Debian (DEP-5) rules ---

    #[test]
    fn debian_plus_means_or_later_and_no_plus_means_only() {
        assert_eq!(deb("GPL-2"), "GPL-2.0-only");
        assert_eq!(deb("GPL-2+"), "GPL-2.0-or-later");
        // Spellings without the dash (openjdk-17's "GPL2 with Classpath exception").
        assert_eq!(deb("GPL2"), "GPL-2.0-only");
        assert_eq!(deb("GPLv3+"), "GPL-3.0-or-later");
        assert_eq!(deb("LGPL-v2.1"), "LGPL-2.1-only");
        assert_eq!(
            deb("GPL2 with Classpath exception"),
            "GPL-2.0-only WITH Classpath-exception-2.0"
        );
        assert_eq!(deb("GPL-3"), "GPL-3.0-only");
        assert_eq!(deb("LGPL-2.1+"), "LGPL-2.1-or-later");
        assert_eq!(deb("LGPL-2"), "LGPL-2.0-only");
        assert_eq!(deb("AGPL-3"), "AGPL-3.0-only");
        assert_eq!(deb("AGPL-3+"), "AGPL-3.0-or-later");
        assert_eq!(deb("GFDL-1.2+"), "GFDL-1.2-or-later");
        assert_eq!(deb("GFDL-NIV-1.3"), "GFDL-1.3-no-invariants-only");
    }

    #[test]
    fn debian_plain_versioned_names() {
        assert_eq!(deb("Apache-2.0"), "Apache-2.0");
        assert_eq!(deb("Apache-2"), "Apache-2.0");
        assert_eq!(deb("MPL-2.0"), "MPL-2.0");
        assert_eq!(deb("MPL-1.1+"), "MPL-1.1+");
        assert_eq!(deb("CC-BY-SA-3.0"), "CC-BY-SA-3.0");
        assert_eq!(deb("Artistic-2.0"), "Artistic-2.0");
        assert_eq!(deb("Zope-2.1"), "ZPL-2.1");
        assert_eq!(deb("OpenLDAP-2.8"), "OLDAP-2.8");
    }

    #[test]
    fn debian_names_are_case_insensitive() {
        assert_eq!(deb("BSD-3-clause"), "BSD-3-Clause");
        assert_eq!(deb("bsd-2-clause"), "BSD-2-Clause");
        assert_eq!(deb("expat"), "MIT");
        assert_eq!(deb("gpl-2+"), "GPL-2.0-or-later");
        assert_eq!(deb("zlib"), "Zlib");
        assert_eq!(deb("ISC"), "ISC");
    }

    #[test]
    fn debian_expat_is_mit() {
        assert_eq!(deb("Expat"), "MIT");
    }

    #[test]
    fn debian_artistic_is_the_perl_artistic_license() {
        assert_eq!(deb("Artistic"), "Artistic-1.0-Perl");
    }

    #[test]
    fn debian_perl_is_gpl1_plus_or_artistic() {
        assert_eq!(deb("Perl"), "GPL-1.0-or-later OR Artistic-1.0-Perl");
        // Inside an AND the alternative keeps its parentheses.
        assert_eq!(
            deb("Perl and Expat"),
            "(GPL-1.0-or-later OR Artistic-1.0-Perl) AND MIT"
        );
    }

    #[test]
    fn debian_unversioned_gpl_is_any_version_with_a_note() {
        let n = normalize("GPL", Dialect::Debian);
        assert_eq!(n.expression.as_deref(), Some("GPL-1.0-or-later"));
        assert!(n.notes.iter().any(|x| x.contains("section 9")));
        assert_eq!(deb("LGPL"), "LGPL-2.0-or-later");
    }

    #[test]
    fn debian_public_domain_is_a_license_ref() {
        let n = normalize("public-domain", Dialect::Debian);
        assert_eq!(n.expression.as_deref(), Some("LicenseRef-public-domain"));
        assert!(n.unknown.is_empty());
        assert!(!n.notes.is_empty());
    }

    #[test]
    fn debian_ambiguous_names_are_not_guessed() {
        let n = normalize("BSD", Dialect::Debian);
        assert_eq!(n.expression.as_deref(), Some("LicenseRef-BSD"));
        assert_eq!(deb("MIT"), "LicenseRef-Debian-MIT");
        assert_eq!(deb("Apache"), "LicenseRef-Apache");
    }

    #[test]
    fn debian_and_binds_tighter_than_or() {
        assert_eq!(
            deb("GPL-2 or MIT and ISC"),
            "GPL-2.0-only OR LicenseRef-Debian-MIT AND ISC"
        );
        assert_eq!(deb("Expat or GPL-2 and ISC"), "MIT OR GPL-2.0-only AND ISC");
    }

    #[test]
    fn debian_comma_lowers_the_operator_after_it() {
        // DEP-5: "A or B, and C" means "(A or B) and C".
        assert_eq!(
            deb("GPL-2+ or Artistic-2.0, and BSD-3-clause"),
            "(GPL-2.0-or-later OR Artistic-2.0) AND BSD-3-Clause"
        );
        assert_eq!(deb("Expat and ISC, or Zlib"), "MIT AND ISC OR Zlib");
    }

    #[test]
    fn debian_comma_without_operator_is_refused() {
        let n = normalize("GPL-2, LGPL-2", Dialect::Debian);
        assert_eq!(n.expression, None);
        assert!(n.notes[0].contains("comma"));
    }

    #[test]
    fn debian_with_spdx_exception() {
        assert_eq!(
            deb("GPL-3+ with GCC-exception-3.1"),
            "GPL-3.0-or-later WITH GCC-exception-3.1"
        );
        assert_eq!(
            deb("GPL-2+ with Font exception"),
            "GPL-2.0-or-later WITH Font-exception-2.0"
        );
        assert_eq!(
            deb("GPL-2 with Classpath-exception-2.0"),
            "GPL-2.0-only WITH Classpath-exception-2.0"
        );
    }

    #[test]
    fn debian_openssl_exception_has_no_spdx_id_so_it_is_anded() {
        let n = normalize("GPL-2+ with OpenSSL exception", Dialect::Debian);
        assert_eq!(
            n.expression.as_deref(),
            Some("GPL-2.0-or-later AND LicenseRef-OpenSSL-exception")
        );
        assert!(n.notes.iter().any(|x| x.contains("WITH")));
    }

    #[test]
    fn debian_unknown_exception_becomes_a_license_ref() {
        let n = normalize("GPL-2+ with Frobnicate exception", Dialect::Debian);
        assert_eq!(
            n.expression.as_deref(),
            Some("GPL-2.0-or-later AND LicenseRef-Frobnicate-exception")
        );
        assert_eq!(n.unknown, vec!["Frobnicate exception".to_owned()]);
    }

    #[test]
    fn debian_real_values() {
        // perl
        assert_eq!(
            deb("GPL-2+ or Artistic"),
            "GPL-2.0-or-later OR Artistic-1.0-Perl"
        );
        assert_eq!(
            deb("GPL-1+ or Artistic"),
            "GPL-1.0-or-later OR Artistic-1.0-Perl"
        );
        // libzstd
        assert_eq!(deb("BSD-3-clause or GPL-2"), "BSD-3-Clause OR GPL-2.0-only");
        assert_eq!(deb("LGPL-2.1+"), "LGPL-2.1-or-later");
        assert_eq!(deb("Expat"), "MIT");
        assert_eq!(deb("public-domain"), "LicenseRef-public-domain");
    }

    // --- unknown names ---

    #[test]
    fn unknown_names_become_sanitized_license_refs() {
        let n = normalize("Frob License v2+ and ISC", Dialect::Rpm);
        assert_eq!(
            n.expression.as_deref(),
            Some("LicenseRef-Frob-License-v2-plus AND ISC")
        );
        assert_eq!(n.unknown, vec!["Frob License v2+".to_owned()]);
        let n = normalize("other/weird_name", Dialect::Debian);
        assert_eq!(n.expression.as_deref(), Some("LicenseRef-other-weird-name"));
    }

    #[test]
    fn existing_license_refs_pass_through() {
        assert_eq!(deb("LicenseRef-Foo.1 or Expat"), "LicenseRef-Foo.1 OR MIT");
    }

    #[test]
    fn empty_and_unparseable_input_give_no_expression_with_a_reason() {
        for (raw, why) in [
            ("", "empty"),
            ("   ", "empty"),
            ("GPL-2 or", "end"),
            ("(MIT", "not closed"),
            ("MIT)", "unexpected"),
            ("and MIT", "expected a license name"),
            ("(MIT or ISC) with Font exception", "single license name"),
        ] {
            let n = normalize(raw, Dialect::Debian);
            assert_eq!(n.expression, None, "{raw}");
            assert!(
                n.notes.iter().any(|x| x.contains(why)),
                "{raw}: {:?}",
                n.notes
            );
        }
    }

    #[test]
    fn syntax_errors_name_what_was_wrong() {
        let error = |text: &str, grammar| {
            Parser::new(&tokenize(text), grammar)
                .parse()
                .map(|_| ())
                .unwrap_err()
        };
        assert_eq!(
            error("MIT)", Grammar::Spdx),
            SyntaxError::Unexpected(Tok::RParen)
        );
        assert_eq!(error("MIT)", Grammar::Spdx).to_string(), "unexpected `)`");
        assert_eq!(
            error("MIT, ISC", Grammar::Spdx),
            SyntaxError::CommaNotOperator
        );
        assert_eq!(
            error("MIT, ISC", Grammar::Debian),
            SyntaxError::CommaWithoutOperator
        );
        assert_eq!(
            error("GPL-2 with", Grammar::Debian).to_string(),
            "`with` after `GPL-2` names no exception"
        );
        assert_eq!(
            error("and MIT", Grammar::Debian).to_string(),
            "expected a license name, found `and`"
        );
    }

    #[test]
    fn oversized_and_deeply_nested_input_is_refused() {
        let long = "MIT and ".repeat(1000);
        assert_eq!(normalize(&long, Dialect::Apk).expression, None);
        let deep = format!("{}MIT{}", "(".repeat(100), ")".repeat(100));
        let n = normalize(&deep, Dialect::Apk);
        assert_eq!(n.expression, None);
        assert!(n.notes[0].contains("nest"));
    }

    // --- rpm (Fedora legacy and SPDX) ---

    #[test]
    fn rpm_legacy_gnu_versions() {
        assert_eq!(rpm("GPLv2"), "GPL-2.0-only");
        assert_eq!(rpm("GPLv2+"), "GPL-2.0-or-later");
        assert_eq!(rpm("GPLv3+"), "GPL-3.0-or-later");
        assert_eq!(rpm("GPL+"), "GPL-1.0-or-later");
        assert_eq!(rpm("LGPLv3+"), "LGPL-3.0-or-later");
        assert_eq!(rpm("LGPLv2.1+"), "LGPL-2.1-or-later");
    }

    #[test]
    fn rpm_legacy_lgplv2_plus_is_ambiguous_in_fedora() {
        let n = normalize("LGPLv2+", Dialect::Rpm);
        assert_eq!(
            n.expression.as_deref(),
            Some("LicenseRef-Fedora-LGPLv2-or-later")
        );
        assert!(n.notes[0].contains("LGPL-2.1-or-later"));
    }

    #[test]
    fn rpm_legacy_names_with_spaces() {
        assert_eq!(rpm("ASL 2.0"), "Apache-2.0");
        assert_eq!(rpm("Public Domain"), "LicenseRef-Fedora-Public-Domain");
        assert_eq!(
            rpm("ASL 2.0 and Public Domain"),
            "Apache-2.0 AND LicenseRef-Fedora-Public-Domain"
        );
    }

    #[test]
    fn rpm_legacy_other_names() {
        assert_eq!(rpm("zlib"), "Zlib");
        assert_eq!(rpm("Boost"), "BSL-1.0");
        assert_eq!(rpm("MPLv2.0"), "MPL-2.0");
        assert_eq!(rpm("OpenSSL"), "OpenSSL");
        assert_eq!(rpm("Python"), "Python-2.0.1");
        assert_eq!(rpm("BSD"), "LicenseRef-Fedora-BSD");
    }

    #[test]
    fn rpm_legacy_and_or_and_parentheses() {
        assert_eq!(
            rpm("GPLv2+ and LGPLv2+ and BSD"),
            "GPL-2.0-or-later AND LicenseRef-Fedora-LGPLv2-or-later AND LicenseRef-Fedora-BSD"
        );
        assert_eq!(
            rpm("(GPLv2+ or LGPLv3+) and MIT"),
            "(GPL-2.0-or-later OR LGPL-3.0-or-later) AND LicenseRef-Fedora-MIT"
        );
        assert_eq!(rpm("GPLv2 OR GPLv3"), "GPL-2.0-only OR GPL-3.0-only");
        assert_eq!(
            rpm("GPL+ or Artistic"),
            "GPL-1.0-or-later OR Artistic-1.0-Perl"
        );
    }

    #[test]
    fn rpm_legacy_mixed_operators_leave_a_note() {
        let n = normalize("GPLv2 or GPLv3 and zlib", Dialect::Rpm);
        assert_eq!(
            n.expression.as_deref(),
            Some("GPL-2.0-only OR GPL-3.0-only AND Zlib")
        );
        assert!(n.notes.iter().any(|x| x.contains("mixed")));
    }

    #[test]
    fn rpm_legacy_with_exceptions() {
        let n = normalize("GPLv2+ with exceptions", Dialect::Rpm);
        assert_eq!(
            n.expression.as_deref(),
            Some("GPL-2.0-or-later AND LicenseRef-Fedora-unspecified-exception")
        );
    }

    #[test]
    fn rpm_spdx_expressions_pass_through() {
        assert_eq!(rpm("MIT AND BSD-3-Clause"), "MIT AND BSD-3-Clause");
        assert_eq!(
            rpm("Apache-2.0 WITH LLVM-exception OR MIT"),
            "Apache-2.0 WITH LLVM-exception OR MIT"
        );
        assert_eq!(
            rpm("(MIT OR Apache-2.0) AND Zlib"),
            "(MIT OR Apache-2.0) AND Zlib"
        );
        // A bare `MIT` is read as SPDX, with a note that the legacy tag was wider.
        let n = normalize("MIT", Dialect::Rpm);
        assert_eq!(n.expression.as_deref(), Some("MIT"));
        assert!(n.notes.iter().any(|x| x.contains("legacy Fedora")));
    }

    // --- Alpine ---

    #[test]
    fn apk_spdx_values_pass_through() {
        assert_eq!(apk("GPL-2.0-or-later"), "GPL-2.0-or-later");
        assert_eq!(apk("MIT OR Apache-2.0"), "MIT OR Apache-2.0");
    }

    #[test]
    fn apk_deprecated_gnu_ids_get_their_defined_meaning() {
        assert_eq!(apk("GPL-2.0"), "GPL-2.0-only");
        assert_eq!(apk("GPL-2.0+"), "GPL-2.0-or-later");
        assert_eq!(apk("LGPL-2.1+"), "LGPL-2.1-or-later");
    }

    #[test]
    fn apk_legacy_names() {
        assert_eq!(apk("GPL2"), "GPL-2.0-only");
        assert_eq!(apk("GPL2+"), "GPL-2.0-or-later");
        assert_eq!(apk("Apache-2"), "Apache-2.0");
        assert_eq!(apk("Public-Domain"), "LicenseRef-public-domain");
    }

    #[test]
    fn apk_real_values() {
        let n = normalize("MIT AND BSD", Dialect::Apk);
        assert_eq!(n.expression.as_deref(), Some("MIT AND LicenseRef-BSD"));
        assert!(n.unknown.is_empty());
        let n = normalize("custom", Dialect::Apk);
        assert_eq!(n.expression.as_deref(), Some("LicenseRef-Alpine-custom"));
        assert!(!n.notes.is_empty());
    }
}
