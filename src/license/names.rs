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
//!   expression, which is passed through when it is valid SPDX. A package's own tag goes
//!   through [`normalize_declared`], which reads a tag that is valid SPDX but could also be a
//!   legacy tag meaning something else (`MIT`) the way the legacy tag reads.
//! - **Apk** (Alpine `L:`): mostly SPDX, with some legacy names (`GPL2`, `custom`); a value
//!   that is not an SPDX expression is often a space-separated list (`MIT BSD GPL2+`), read
//!   name by name, all of them applying (`AND`).
//!
//! In every dialect, deprecated SPDX ids become the expression the SPDX license list names as
//! their replacement (`StandardML-NJ` → `SMLNJ`, `wxWindows` → `GPL-2.0-or-later WITH
//! WxWindows-exception-3.1`, see [`DEPRECATED`]), and a name written with spaces where the
//! SPDX id has dashes (`Apache 2.0`, `BSD 2-Clause`) is that id.
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

/// The license identifier on the SPDX license list that `id` names, as the list spells it:
/// SPDX ids match case-insensitively (`gpl-3.0-only` is `GPL-3.0-only`).
pub fn spdx_id_any_case(id: &str) -> Option<&'static str> {
    if id.ends_with('+') {
        return None;
    }
    spdx_license_id(id).map(|(name, _)| name)
}

/// The exception identifier on the SPDX exceptions list that `id` names, as the list spells
/// it (`classpath-exception-2.0` is `Classpath-exception-2.0`).
pub fn spdx_exception_id_any_case(id: &str) -> Option<&'static str> {
    if let Some(e) = spdx::exception_id(id) {
        return Some(e.name);
    }
    spdx_index()
        .exceptions
        .get(&id.to_ascii_lowercase())
        .map(|&(name, _)| name)
}

/// The version of the SPDX license list that [`is_spdx_id`] and [`normalize`] use.
pub fn spdx_list_version() -> &'static str {
    spdx::license_version()
}

/// How input is recognized as SPDX: SPDX as the specification writes it (ids on the list,
/// spelled as the list spells them, no `/` for `OR`, no imprecise names).
const STRICT: spdx::ParseMode = spdx::ParseMode::STRICT;

/// How our output is checked: [`STRICT`], except that a deprecated id is allowed. Deprecated
/// ids are valid in SPDX 2.3 expressions; only those the SPDX list names no replacement for
/// (see [`DEPRECATED`]) ever reach the output, each with a note.
const OUTPUT: spdx::ParseMode = spdx::ParseMode {
    allow_deprecated: true,
    ..STRICT
};

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
/// the notes, unknown names are listed in `Normalized::unknown`, and input that cannot be
/// read gives `expression: None` with a note saying why.
pub fn normalize(raw: &str, dialect: Dialect) -> Normalized {
    normalize_with(raw, dialect, &|_, _| None)
}

/// Normalizes the license a package database declares for a package: an rpm `License:` tag
/// or an apk `L:` field.
///
/// This is [`normalize`], with one difference for rpm: a tag that is valid SPDX but in which
/// a name is also a legacy Fedora abbreviation with another meaning (`MIT`: any MIT-style
/// text) is read as the legacy tag unless another name in it shows that it is written in
/// SPDX (an id that is no legacy abbreviation, such as `BSD-3-Clause` or `Apache-2.0`). So
/// `MIT` alone and `MIT and GPLv2+` give the same term for `MIT`, and `MIT AND Apache-2.0`
/// keeps the SPDX id. [`normalize`] itself keeps reading valid SPDX as SPDX, because other
/// callers hand it SPDX ids they found in license texts.
pub fn normalize_declared(raw: &str, dialect: Dialect) -> Normalized {
    run(raw, dialect, &|_, _| None, true)
}

/// [`normalize`], where each name the tables map to no exact SPDX license (a
/// `LicenseRef-`), and each GNU name without `+`, is also read through `read`: a Debian
/// `License: MIT` over the Expat text is `MIT`, an `LGPL-2.1` whose text grants "any later
/// version" is `LGPL-2.1-or-later`.
pub fn normalize_with(raw: &str, dialect: Dialect, read: TextReader) -> Normalized {
    run(raw, dialect, read, false)
}

/// [`normalize_with`]; `declared` says that `raw` is a package database's own license field
/// (see [`normalize_declared`]).
fn run(raw: &str, dialect: Dialect, read: TextReader, declared: bool) -> Normalized {
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
    // names against the SPDX list only (never against the legacy table) — unless it is a
    // package's own tag that reads as a legacy tag too, with another meaning, and nothing in
    // it says which it is (see `normalize_declared`).
    let spdx_rpm = dialect == Dialect::Rpm && is_spdx_input(text);
    let legacy_lookalike = spdx_rpm && declared && reads_as_legacy(text, &mut out);
    let (grammar, table) = if spdx_rpm && !legacy_lookalike {
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
    match spdx::Expression::parse_mode(&expression, OUTPUT) {
        Ok(_) => out.expression = Some(expression),
        Err(err) => out.note(format!(
            "the normalized expression `{expression}` is not valid SPDX ({err}); this is a bug \
             in the license-db data or the normalizer"
        )),
    }
    out
}

/// The license names of a valid SPDX string (operators, parentheses and the exception after
/// `WITH` left out).
fn spdx_license_words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut after_with = false;
    for word in text
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
    {
        if word.eq_ignore_ascii_case("with") {
            after_with = true;
            continue;
        }
        if after_with {
            after_with = false;
            continue;
        }
        if word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or") {
            continue;
        }
        words.push(word);
    }
    words
}

/// What a legacy Fedora abbreviation means when it is spelled like an SPDX id (`word`) but
/// means something else (`MIT`); `None` when it is no legacy abbreviation or means the same.
fn legacy_meaning(word: &str) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    let entry = table(Dialect::Rpm).names.get(&lower)?;
    let same = entry.spdx.as_deref().is_some_and(|spdx| {
        spdx_index()
            .licenses
            .get(&lower)
            .is_some_and(|&(id, _)| id == spdx)
    });
    if same {
        return None;
    }
    Some(
        entry
            .note
            .as_deref()
            .or(entry.license_ref.as_deref())
            .or(entry.spdx.as_deref())
            .unwrap_or("something else"),
    )
}

/// Whether a package's rpm tag that is valid SPDX must still be read as a legacy Fedora tag:
/// one of its names means something else as a legacy abbreviation (`MIT`), and none of them
/// shows that the tag is SPDX (a name that is no legacy abbreviation: `Apache-2.0`,
/// `BSD-3-Clause`, `GPL-2.0-or-later`, a `LicenseRef-`). Notes the choice.
fn reads_as_legacy(text: &str, out: &mut Normalized) -> bool {
    let fedora = table(Dialect::Rpm);
    let words = spdx_license_words(text);
    let lookalikes: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| legacy_meaning(w).is_some())
        .collect();
    if lookalikes.is_empty() {
        return false;
    }
    let evidence = words.iter().find(|w| {
        let lower = w.to_ascii_lowercase();
        !fedora.names.contains_key(&lower) && versioned(&lower, fedora).is_none()
    });
    if let Some(spdx_only) = evidence {
        out.note(format!(
            "the tag is read as SPDX: `{spdx_only}` is an SPDX id and no legacy Fedora \
             abbreviation"
        ));
        return false;
    }
    out.note(format!(
        "the tag is valid SPDX, but {} also a legacy Fedora abbreviation with another meaning \
         and no other name in the tag shows that it is written in SPDX: read as the legacy \
         tag, as it would be inside a legacy expression",
        lookalikes
            .iter()
            .map(|w| format!("`{w}`"))
            .collect::<Vec<_>>()
            .join(", ")
            + if lookalikes.len() == 1 { " is" } else { " are" }
    ));
    true
}

/// A valid SPDX string read from an rpm header may still be a legacy Fedora tag that happens
/// to be spelled like an SPDX id (`MIT`); say so when the two readings differ.
fn note_legacy_lookalikes(text: &str, out: &mut Normalized) {
    for word in spdx_license_words(text) {
        if let Some(meaning) = legacy_meaning(word) {
            out.note(format!(
                "`{word}` read as the SPDX id; as a legacy Fedora tag it would mean: {meaning}"
            ));
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

/// The SPDX lists keyed by lower-cased id, each id with whether it is deprecated: SPDX ids
/// match case-insensitively. An id that differs from another only by case (none does in the
/// list today) would be ambiguous and is left out, so it only matches as spelled.
struct SpdxIndex {
    licenses: HashMap<String, (&'static str, bool)>,
    exceptions: HashMap<String, (&'static str, bool)>,
}

fn spdx_index() -> &'static SpdxIndex {
    static INDEX: OnceLock<SpdxIndex> = OnceLock::new();
    INDEX.get_or_init(|| SpdxIndex {
        licenses: by_lowercase(
            spdx::identifiers::LICENSES
                .iter()
                .map(|lic| (lic.name, lic.flags & spdx::flags::IS_DEPRECATED != 0)),
        ),
        exceptions: by_lowercase(
            spdx::identifiers::EXCEPTIONS
                .iter()
                .map(|exc| (exc.name, exc.flags & spdx::flags::IS_DEPRECATED != 0)),
        ),
    })
}

/// Ids keyed by their lower-cased spelling, leaving out spellings that two ids share.
fn by_lowercase(
    ids: impl Iterator<Item = (&'static str, bool)>,
) -> HashMap<String, (&'static str, bool)> {
    let mut map: HashMap<String, Option<(&'static str, bool)>> = HashMap::new();
    for (id, deprecated) in ids {
        map.entry(id.to_ascii_lowercase())
            .and_modify(|slot| *slot = None)
            .or_insert(Some((id, deprecated)));
    }
    map.into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
}

/// An id on the SPDX license list, spelled exactly or differing only by case.
fn spdx_license_id(name: &str) -> Option<(&'static str, bool)> {
    if let Some(id) = spdx::license_id(name).filter(|id| id.name == name) {
        return Some((id.name, id.is_deprecated()));
    }
    spdx_index()
        .licenses
        .get(&name.to_ascii_lowercase())
        .copied()
}

/// What the SPDX license list says replaces each deprecated id, and the `+` form of the
/// deprecated ids that had one: `(deprecated, replacement, why)`. A replacement of `None`
/// means the list names none; the id is then kept (deprecated ids are valid in SPDX 2.3
/// expressions) and `why` says why. `why` is copied into the notes either way.
///
/// Source: the SPDX License List XML (github.com/spdx/license-list-XML, `src/<id>.xml` and
/// `src/exceptions/<id>.xml`, read at commit e4c1f276, July 2026, after release 3.28.0):
/// each deprecated license's `<obsoletedBy>` elements (the one without `expression` for the
/// id, the one with `expression="<id>+"` for its `+` form), or, where it has none, its
/// `<notes>`. A unit test checks that every deprecated id of the list compiled into the `spdx`
/// crate is here and that every replacement is valid, current SPDX.
pub const DEPRECATED: &[(&str, Option<&str>, &str)] = &[
    ("AGPL-1.0", Some("AGPL-1.0-only"), "obsoletedBy"),
    ("AGPL-1.0+", Some("AGPL-1.0-or-later"), "obsoletedBy"),
    ("AGPL-3.0", Some("AGPL-3.0-only"), "obsoletedBy"),
    ("AGPL-3.0+", Some("AGPL-3.0-or-later"), "obsoletedBy"),
    ("GFDL-1.1", Some("GFDL-1.1-only"), "obsoletedBy"),
    ("GFDL-1.1+", Some("GFDL-1.1-or-later"), "obsoletedBy"),
    ("GFDL-1.2", Some("GFDL-1.2-only"), "obsoletedBy"),
    ("GFDL-1.2+", Some("GFDL-1.2-or-later"), "obsoletedBy"),
    ("GFDL-1.3", Some("GFDL-1.3-only"), "obsoletedBy"),
    ("GFDL-1.3+", Some("GFDL-1.3-or-later"), "obsoletedBy"),
    ("GPL-1.0", Some("GPL-1.0-only"), "obsoletedBy"),
    ("GPL-1.0+", Some("GPL-1.0-or-later"), "obsoletedBy"),
    ("GPL-2.0", Some("GPL-2.0-only"), "obsoletedBy"),
    ("GPL-2.0+", Some("GPL-2.0-or-later"), "obsoletedBy"),
    ("GPL-3.0", Some("GPL-3.0-only"), "obsoletedBy"),
    ("GPL-3.0+", Some("GPL-3.0-or-later"), "obsoletedBy"),
    ("LGPL-2.0", Some("LGPL-2.0-only"), "obsoletedBy"),
    ("LGPL-2.0+", Some("LGPL-2.0-or-later"), "obsoletedBy"),
    ("LGPL-2.1", Some("LGPL-2.1-only"), "obsoletedBy"),
    ("LGPL-2.1+", Some("LGPL-2.1-or-later"), "obsoletedBy"),
    ("LGPL-3.0", Some("LGPL-3.0-only"), "obsoletedBy"),
    ("LGPL-3.0+", Some("LGPL-3.0-or-later"), "obsoletedBy"),
    // The list writes the GNU part of these as the deprecated `GPL-2.0` / `GPL-3.0`, which
    // it replaces by `-only` in turn.
    (
        "GPL-2.0-with-GCC-exception",
        Some("GPL-2.0-only WITH GCC-exception-2.0"),
        "obsoletedBy",
    ),
    (
        "GPL-2.0-with-GCC-exception+",
        Some("GPL-2.0-or-later WITH GCC-exception-2.0"),
        "obsoletedBy",
    ),
    (
        "GPL-2.0-with-autoconf-exception",
        Some("GPL-2.0-only WITH Autoconf-exception-2.0"),
        "obsoletedBy",
    ),
    (
        "GPL-2.0-with-autoconf-exception+",
        Some("GPL-2.0-or-later WITH Autoconf-exception-2.0"),
        "obsoletedBy",
    ),
    (
        "GPL-2.0-with-bison-exception",
        Some("GPL-2.0-only WITH Bison-exception-2.2"),
        "obsoletedBy",
    ),
    (
        "GPL-2.0-with-bison-exception+",
        Some("GPL-2.0-or-later WITH Bison-exception-2.2"),
        "obsoletedBy",
    ),
    (
        "GPL-2.0-with-classpath-exception",
        Some("GPL-2.0-only WITH Classpath-exception-2.0"),
        "obsoletedBy",
    ),
    (
        "GPL-2.0-with-classpath-exception+",
        Some("GPL-2.0-or-later WITH Classpath-exception-2.0"),
        "obsoletedBy",
    ),
    (
        "GPL-2.0-with-font-exception",
        Some("GPL-2.0-only WITH Font-exception-2.0"),
        "obsoletedBy",
    ),
    // The list's XML writes this one `GPL-2.0-or-later+ WITH Font-exception-2.0`, a typo
    // for the form its six siblings have.
    (
        "GPL-2.0-with-font-exception+",
        Some("GPL-2.0-or-later WITH Font-exception-2.0"),
        "obsoletedBy",
    ),
    (
        "GPL-3.0-with-GCC-exception",
        Some("GPL-3.0-only WITH GCC-exception-3.1"),
        "obsoletedBy",
    ),
    (
        "GPL-3.0-with-GCC-exception+",
        Some("GPL-3.0-or-later WITH GCC-exception-3.1"),
        "obsoletedBy",
    ),
    (
        "GPL-3.0-with-autoconf-exception",
        Some("GPL-3.0-only WITH Autoconf-exception-3.0"),
        "obsoletedBy",
    ),
    (
        "GPL-3.0-with-autoconf-exception+",
        Some("GPL-3.0-or-later WITH Autoconf-exception-3.0"),
        "obsoletedBy",
    ),
    (
        "BSD-2-Clause-NetBSD",
        Some("BSD-2-Clause"),
        "obsoletedBy; deprecated because it is a match to BSD-2-Clause",
    ),
    ("Nunit", Some("zlib-acknowledgement"), "obsoletedBy"),
    (
        "StandardML-NJ",
        Some("SMLNJ"),
        "obsoletedBy; a duplicate of SMLNJ",
    ),
    (
        "eCos-2.0",
        Some("GPL-2.0-or-later WITH eCos-exception-2.0"),
        "obsoletedBy",
    ),
    (
        "wxWindows",
        Some("GPL-2.0-or-later WITH WxWindows-exception-3.1"),
        "obsoletedBy",
    ),
    (
        "bzip2-1.0.5",
        Some("bzip2-1.0.6"),
        "its notes: deprecated in favor of bzip2-1.0.6, which is now equivalent",
    ),
    (
        "BSD-2-Clause-FreeBSD",
        None,
        "the list names no replacement; its notes say it was deprecated because \
         BSD-2-Clause-Views was added as a more general version, and because FreeBSD says \
         the final sentence is not part of its code license (which would make it \
         BSD-2-Clause): which one a package means is not guessed",
    ),
    (
        "Net-SNMP",
        None,
        "the list names no replacement; its notes say the id stood for a stack of 9 licenses, \
         since grown, each of which has its own id",
    ),
    // The one deprecated exception.
    (
        "Nokia-Qt-exception-1.1",
        Some("Qt-LGPL-exception-1.1"),
        "obsoletedBy",
    ),
];

/// The entry of [`DEPRECATED`] for `id` (spelled as the list spells it, `+` included).
fn deprecated_entry(id: &str) -> Option<(Option<&'static str>, &'static str)> {
    DEPRECATED
        .iter()
        .find(|(d, _, _)| *d == id)
        .map(|&(_, replacement, why)| (replacement, why))
}

/// The term for a deprecated license id (`id`, or `id+` when `plus`): its SPDX replacement,
/// or the id itself when the list names none; `None` for the `+` form of an id that never
/// had one. Notes why.
fn deprecated_term(id: &'static str, plus: bool, out: &mut Normalized) -> Option<Node> {
    let spelled = if plus {
        format!("{id}+")
    } else {
        id.to_owned()
    };
    match deprecated_entry(&spelled) {
        Some((Some(replacement), why)) => {
            let node = single_term(replacement)?;
            out.note(format!(
                "`{spelled}` is a deprecated SPDX id; the SPDX license list replaces it by \
                 `{replacement}` ({why})"
            ));
            Some(node)
        }
        Some((None, why)) => {
            out.note(format!(
                "`{spelled}` is a deprecated SPDX id, kept as it is (deprecated ids are valid \
                 in SPDX 2.3 expressions): {why}"
            ));
            Some(term(spelled))
        }
        None if !plus => {
            out.note(format!(
                "`{id}` is a deprecated SPDX id for which this program knows no replacement; \
                 kept as it is"
            ));
            Some(term(id.to_owned()))
        }
        None => None,
    }
}

/// `id` or `id WITH exception` as one term; `None` when it is not that.
fn single_term(expr: &str) -> Option<Node> {
    let toks = tokenize(expr);
    match Parser::new(&toks, Grammar::Spdx).parse() {
        Ok((
            Node::Name {
                name,
                exception: None,
            },
            _,
        )) => Some(term(name)),
        Ok((
            Node::Name {
                name,
                exception: Some(exc),
            },
            _,
        )) => Some(Node::Name {
            name,
            exception: Some(exc),
        }),
        _ => None,
    }
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
        Node::Name { name, exception } if dialect == Dialect::Apk && is_word_list(name) => {
            resolve_word_list(name, exception.as_deref(), table, read, out)
        }
        Node::Name {
            name,
            exception: None,
        } if joined_exception(name).is_some() => {
            // Split only when the exception is one SPDX lists; otherwise the whole name is
            // read as written (its text may still resolve it).
            let (license, exception) = joined_exception(name).unwrap_or_default();
            let mut trial = out.clone();
            let split = resolve_one(license, Some(exception), table, dialect, read, &mut trial);
            if render(&split).contains("LicenseRef-") {
                resolve_one(name, None, table, dialect, read, out)
            } else {
                *out = trial;
                split
            }
        }
        Node::Name { name, exception } => {
            resolve_one(name, exception.as_deref(), table, dialect, read, out)
        }
    }
}

/// `GPL-3+-WITH-BISON-EXCEPTION` (perl's spelling, one token): the license name and the
/// exception's keyword, as `GPL-3+ with BISON exception` would give them.
fn joined_exception(name: &str) -> Option<(&str, &str)> {
    let lower = name.to_ascii_lowercase();
    let at = lower.find("-with-")?;
    let keyword_end = lower.strip_suffix("-exception")?.len();
    (at > 0 && keyword_end > at + 6).then(|| (&name[..at], &name[at + 6..keyword_end]))
}

/// Resolves one name, and the exception after it, to SPDX terms.
fn resolve_one(
    name: &str,
    exception: Option<&str>,
    table: Option<&Table>,
    dialect: Dialect,
    read: TextReader,
    out: &mut Normalized,
) -> Node {
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

/// The longest run of words read as one name in an apk `L:` list (`CC-BY-NC-SA 3.0 IGO`
/// would be three); bounds the work on a long hostile value.
const MAX_NAME_WORDS: usize = 6;

/// Whether an apk name is really several space-separated names.
fn is_word_list(name: &str) -> bool {
    name.split_whitespace().nth(1).is_some()
}

/// An apk `L:` value that is not an SPDX expression, such as `MIT BSD GPL2+`: Alpine's
/// abuild wrote space-separated license names there before it used SPDX. Each name is read
/// on its own (Alpine's table, then the SPDX list), and all of them apply: `AND`, the
/// strictest reading, since the list does not say whether the package is under all of them
/// or offers a choice. Words that together spell an SPDX id with spaces for dashes
/// (`BSD 2-Clause`) are one name; an exception after the list goes with its last name, the
/// one `WITH` follows.
fn resolve_word_list(
    name: &str,
    exception: Option<&str>,
    table: Option<&Table>,
    read: TextReader,
    out: &mut Normalized,
) -> Node {
    let words: Vec<&str> = name.split_whitespace().collect();
    let mut groups: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let longest = (i + MAX_NAME_WORDS).min(words.len());
        let span = (i + 2..=longest)
            .rev()
            .find(|&j| {
                let spaced = words[i..j].join(" ");
                table.is_some_and(|t| t.names.contains_key(&spaced.to_ascii_lowercase()))
                    || spdx_license_id(&words[i..j].join("-")).is_some()
            })
            .unwrap_or(i + 1);
        groups.push(words[i..span].join(" "));
        i = span;
    }
    out.note(format!(
        "`{name}` is not an SPDX expression but a list of license names separated by spaces; \
         each is read on its own and all of them apply (AND), the strictest reading"
    ));
    let last = groups.len().saturating_sub(1);
    let parts = groups
        .iter()
        .enumerate()
        .map(|(k, group)| {
            let exception = if k == last { exception } else { None };
            resolve_one(group, exception, table, Dialect::Apk, read, out)
        })
        .collect();
    join_and(parts)
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

    if let Some(node) = spdx_license(name, out) {
        return node;
    }
    if let Some(node) = spaced_spdx_license(name, out) {
        return node;
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

/// Looks `name` up on the SPDX list (case-insensitively), replacing each deprecated id by
/// what the list names as its replacement ([`DEPRECATED`]: `GPL-2.0` is `GPL-2.0-only`,
/// `GPL-2.0+` `GPL-2.0-or-later`, `eCos-2.0` `GPL-2.0-or-later WITH eCos-exception-2.0`).
fn spdx_license(name: &str, out: &mut Normalized) -> Option<Node> {
    if let Some((id, deprecated)) = spdx_license_id(name) {
        if !deprecated {
            return Some(term(id.to_owned()));
        }
        return deprecated_term(id, false, out);
    }
    // `MPL-1.1+`: the SPDX `+` operator on a non-GNU id.
    let (id, deprecated) = spdx_license_id(name.strip_suffix('+')?)?;
    if deprecated {
        return deprecated_term(id, true, out);
    }
    if id.ends_with("-only") || id.ends_with("-or-later") {
        return None;
    }
    if is_spdx_id(&format!("{id}-or-later")) {
        return Some(term(format!("{id}-or-later")));
    }
    Some(term(format!("{id}+")))
}

/// `BSD 2-Clause`, `Apache 2.0`, `CC0 1.0`: a name written with spaces where an SPDX id has
/// dashes is that id, when exactly one id is spelled so (case aside).
fn spaced_spdx_license(name: &str, out: &mut Normalized) -> Option<Node> {
    if !name.contains(char::is_whitespace) {
        return None;
    }
    let dashed = name.split_whitespace().collect::<Vec<_>>().join("-");
    let node = spdx_license(&dashed, out)?;
    out.note(format!(
        "`{name}` read as the SPDX id `{}`, written with spaces for dashes",
        render(&node)
    ));
    Some(node)
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
        let listed = index
            .exceptions
            .get(&lower)
            .or_else(|| index.exceptions.get(&format!("{lower}-exception")))
            .copied();
        if let Some((id, true)) = listed {
            match deprecated_entry(id) {
                Some((Some(replacement), why)) if is_spdx_exception_id(replacement) => {
                    out.note(format!(
                        "`{id}` is a deprecated SPDX exception id; the SPDX license list \
                         replaces it by `{replacement}` ({why})"
                    ));
                    return with_exception(license, replacement, out);
                }
                _ => out.note(format!(
                    "`{id}` is a deprecated SPDX exception id, kept as it is"
                )),
            }
        }
        // `Bison-2.2`: the exception's name with its version.
        let versioned = || {
            let (name, version) = lower.rsplit_once('-')?;
            version
                .starts_with(|c: char| c.is_ascii_digit())
                .then_some(())?;
            index
                .exceptions
                .get(&format!("{name}-exception-{version}"))
                .map(|&(id, _)| id)
        };
        let spdx_id = listed
            .map(|(id, _)| id)
            .or_else(versioned)
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

    // --- distribution strings (pattern 7 of the license review) ---

    #[test]
    fn every_deprecated_id_of_the_list_has_an_entry_and_valid_replacements() {
        for lic in spdx::identifiers::LICENSES
            .iter()
            .filter(|l| l.flags & spdx::flags::IS_DEPRECATED != 0)
        {
            assert!(
                deprecated_entry(lic.name).is_some(),
                "{}: deprecated on the SPDX list but not in DEPRECATED",
                lic.name
            );
        }
        for exc in spdx::identifiers::EXCEPTIONS
            .iter()
            .filter(|e| e.flags & spdx::flags::IS_DEPRECATED != 0)
        {
            assert!(deprecated_entry(exc.name).is_some(), "{}", exc.name);
        }
        for (id, replacement, _) in DEPRECATED {
            if let Some(r) = replacement {
                let current = spdx::Expression::parse_mode(r, STRICT).is_ok()
                    || (spdx::exception_id(id).is_some() && is_spdx_exception_id(r));
                assert!(current, "{id}: replacement `{r}` is not current SPDX");
            }
        }
    }

    #[test]
    fn deprecated_ids_become_their_listed_replacement_or_stay_with_a_note() {
        // From the issue: an rpm tag with `BSD-2-Clause-FreeBSD` was NOASSERTION.
        let n = normalize_declared(
            "LGPL-2.1-or-later AND BSD-3-Clause AND BSD-2-Clause AND BSD-2-Clause-FreeBSD AND \
             0BSD AND CC0-1.0 AND LicenseRef-Fedora-Public-Domain",
            Dialect::Rpm,
        );
        assert_eq!(
            n.expression.as_deref(),
            Some(
                "LGPL-2.1-or-later AND BSD-3-Clause AND BSD-2-Clause AND BSD-2-Clause-FreeBSD \
                 AND 0BSD AND CC0-1.0 AND LicenseRef-Fedora-Public-Domain"
            )
        );
        assert!(n.notes.iter().any(|x| x.contains("BSD-2-Clause-FreeBSD")));
        assert_eq!(rpm("StandardML-NJ"), "SMLNJ");
        assert_eq!(
            apk("wxWindows"),
            "GPL-2.0-or-later WITH WxWindows-exception-3.1"
        );
        assert_eq!(rpm("BSD-2-Clause-NetBSD"), "BSD-2-Clause");
    }

    #[test]
    fn names_spelled_with_spaces_for_dashes_are_the_spdx_id() {
        assert_eq!(rpm("BSD 2-Clause"), "BSD-2-Clause");
        assert_eq!(rpm("CC0 1.0"), "CC0-1.0");
        assert_eq!(deb("CC0 1.0"), "CC0-1.0");
        assert_eq!(
            rpm("BSD 2-Clause and GPLv2+"),
            "BSD-2-Clause AND GPL-2.0-or-later"
        );
    }

    #[test]
    fn fedora_mit_reads_the_same_alone_and_in_a_compound() {
        let alone = normalize_declared("MIT", Dialect::Rpm);
        let compound = normalize_declared("MIT and GPLv2+", Dialect::Rpm);
        assert_eq!(alone.expression.as_deref(), Some("LicenseRef-Fedora-MIT"));
        assert_eq!(
            compound.expression.as_deref(),
            Some("LicenseRef-Fedora-MIT AND GPL-2.0-or-later")
        );
        // One name that is no legacy abbreviation shows the tag is SPDX.
        let spdx = normalize_declared("MIT AND Apache-2.0", Dialect::Rpm);
        assert_eq!(spdx.expression.as_deref(), Some("MIT AND Apache-2.0"));
    }

    #[test]
    fn fedora_legacy_names_that_its_license_data_maps() {
        // The glibc tag of Amazon Linux 2023 (from go-rpmdb's test database).
        let n = normalize_declared(
            "LGPLv2+ and LGPLv2+ with exceptions and GPLv2+ and GPLv2+ with exceptions and \
             BSD and Inner-Net and ISC and Public Domain and GFDL",
            Dialect::Rpm,
        );
        let e = n.expression.unwrap();
        assert!(e.contains("Inner-Net-2.0"), "{e}");
        assert!(!e.contains("LicenseRef-Inner-Net"), "{e}");
        assert_eq!(rpm("OpenLDAP"), "OLDAP-2.8");
        assert_eq!(rpm("PSF"), "PSF-2.0");
    }

    #[test]
    fn exceptions_spelled_with_their_version_or_joined_to_the_name() {
        assert_eq!(
            deb("GPL-3+ with Bison-2.2 exception"),
            "GPL-3.0-or-later WITH Bison-exception-2.2"
        );
        assert_eq!(
            deb("GPL-3+-WITH-BISON-EXCEPTION"),
            "GPL-3.0-or-later WITH Bison-exception-2.2"
        );
        assert_eq!(
            deb("GFDL-1.3+-no-invariant"),
            "GFDL-1.3-no-invariants-or-later"
        );
        let pcre = normalize(
            "BSD-3-clause-Cambridge with BINARY LIBRARY-LIKE PACKAGES exception",
            Dialect::Debian,
        );
        assert!(pcre.expression.unwrap().ends_with("WITH PCRE2-exception"));
    }

    #[test]
    fn apk_space_separated_names_are_each_read_and_all_apply() {
        let n = normalize("MIT BSD GPL2+", Dialect::Apk);
        assert_eq!(
            n.expression.as_deref(),
            Some("MIT AND LicenseRef-BSD AND GPL-2.0-or-later")
        );
        assert!(n.notes.iter().any(|x| x.contains("AND")));
        assert_eq!(apk("BSD 2-Clause MIT"), "BSD-2-Clause AND MIT");
    }
}
