//! Debian copyright files, read as a compliance reviewer reads them.
//!
//! A copyright file is read once ([`read`]), whatever binary packages share it, and then
//! concluded for each package ([`Reading::conclude`]):
//!
//! - **Machine-readable (DEP-5)**: every `Files:` stanza's `License:` is resolved to SPDX,
//!   by the name tables and by the text under the name (a `License: MIT` above the Expat
//!   text is `MIT`; an `LGPL-2.1` whose text grants "any later version" is
//!   `LGPL-2.1-or-later`). `declared` keeps every stanza of the source package as written;
//!   `concluded` is the `AND` of the stanzas whose files the binary package installs
//!   ([`super::binary`]), and the evidence names each stanza left out with its reason.
//! - **Free-form**: GCC's runtime-library sentence for the libraries it lists
//!   ([`super::gcc`]), else `SPDX-License-Identifier:` tags, else references to
//!   `/usr/share/common-licenses/` (`-or-later` only when the notice says "any later
//!   version"), else the text matched against the SPDX license texts, else licenses named
//!   precisely in the prose.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::binary::Shipped;
use super::copyright::{self, Copyright, FilesStanza, Format};
use super::freeform::{self, Block, Naming};
use super::names::{self, combine, Dialect};
use super::{gcc, prose, text};
use crate::model::{Concluded, Evidence, Excluded, License};

/// The lowest text-match score accepted as evidence.
pub(super) const TEXT_MATCH_MIN: f32 = 0.9;

/// The most copyright statements kept per package.
const MAX_STATEMENTS: usize = 500;

/// A copyright file, read once for every package that ships one with its content: what
/// concluding a package's license needs of it, kept whole by a layer cache under the file's
/// digest ([`save`], [`read_saved`]), so that a file read on one machine is read again on
/// none.
#[derive(Debug, Serialize, Deserialize)]
pub struct Reading {
    /// Machine-readable (DEP-5) or free-form.
    format: Format,
    /// The `Files:` stanzas (machine-readable only): their patterns, `License:` and line;
    /// their texts and statements are read into `refs` and `statements`.
    files: Vec<FilesStanza>,
    /// Its license names that stand for one `LicenseRef-`, with their texts
    /// ([`license_refs`]).
    refs: Vec<(String, Option<String>)>,
    /// GCC's file, read for its parts, when this is a free-form file with its sentence on
    /// the runtime libraries.
    gcc: Option<gcc::File>,
    /// Its copyright statements, deduplicated, at most [`MAX_STATEMENTS`].
    statements: Vec<String>,
    /// Each `Files:` stanza's license, resolved (machine-readable files only).
    stanzas: Vec<Stanza>,
    /// What the file gives when its stanzas give no license, GCC's rule aside.
    fallback: Option<Fallback>,
}

/// One `Files:` stanza's license.
#[derive(Debug, Serialize, Deserialize)]
struct Stanza {
    /// The SPDX expression of its `License:`, when it has one that normalizes.
    expression: Option<String>,
    /// Why it has none.
    notes: Vec<String>,
    /// Whether it states that its files are under no license (`License: none`).
    none: bool,
}

/// A conclusion from the whole file (tags, the text) or from its paragraphs (references,
/// the prose).
#[derive(Debug, Serialize, Deserialize)]
struct Fallback {
    method: Method,
    confidence: f64,
    declared: Vec<String>,
    expressions: Vec<String>,
    /// The paragraphs that name licenses, when the file was read by paragraph: each
    /// applies only when the package ships the files it names.
    blocks: Vec<Block>,
    /// The texts of the `LicenseRef-`s the file's notices gave (see [`freeform::notices`]).
    texts: BTreeMap<String, String>,
}

/// The method a [`Fallback`] is made by, one of a few names: written as a string, read back
/// as the one of [`Method::ALL`] it is.
#[derive(Debug, Clone, Copy)]
struct Method(&'static str);

impl Method {
    const ALL: [&'static str; 5] = [
        "spdx-license-identifier",
        "common-licenses-reference",
        "text-match",
        "license-named-in-text",
        "notice-text-match",
    ];
}

impl Serialize for Method {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Method, D::Error> {
        let name = String::deserialize(d)?;
        Method::ALL
            .into_iter()
            .find(|m| *m == name)
            .map(Method)
            .ok_or_else(|| serde::de::Error::custom(format!("no method {name:?}")))
    }
}

/// Reads the copyright file `bytes`: everything that depends neither on where it is nor on
/// which package ships it.
pub fn read(bytes: &[u8]) -> Reading {
    let cr = copyright::parse(bytes);
    let stanzas = if cr.format == Format::MachineReadable {
        cr.files.iter().map(|f| stanza(&cr, f)).collect()
    } else {
        Vec::new()
    };
    let usable = stanzas.iter().any(|s: &Stanza| s.expression.is_some());
    let fallback = (!usable).then(|| fallback(&cr)).flatten();
    let mut statements: Vec<String> = cr
        .all_copyrights()
        .into_iter()
        .map(str::to_string)
        .collect();
    statements.truncate(MAX_STATEMENTS);
    Reading {
        refs: license_refs(&cr),
        gcc: (cr.format == Format::FreeForm)
            .then(|| gcc::File::read(&cr.text))
            .flatten(),
        format: cr.format,
        files: cr
            .files
            .into_iter()
            .map(|f| FilesStanza {
                license_text: None,
                copyright: Vec::new(),
                ..f
            })
            .collect(),
        statements,
        stanzas,
        fallback,
    }
}

/// A reading as [`save`] wrote it; `None` when `saved` does not decode as one or does not
/// hold together (a damaged or foreign entry).
pub fn read_saved(saved: &[u8]) -> Option<Reading> {
    let reading: Reading = postcard::from_bytes(saved).ok()?;
    let sound = reading.stanzas.len() == reading.files.len()
        && (reading.format == Format::MachineReadable || reading.files.is_empty())
        && reading.statements.len() <= MAX_STATEMENTS
        && (reading.format == Format::FreeForm || reading.gcc.is_none());
    sound.then_some(reading)
}

/// `reading`, as bytes [`read_saved`] reads back.
pub fn save(reading: &Reading) -> Option<Vec<u8>> {
    postcard::to_stdvec(reading).ok()
}

/// A stanza's `License:` resolved to SPDX, the text under a name deciding where the name
/// alone does not.
fn stanza(cr: &Copyright, f: &copyright::FilesStanza) -> Stanza {
    let Some(raw) = f.license.as_deref() else {
        return Stanza {
            expression: None,
            notes: Vec::new(),
            none: false,
        };
    };
    if raw.trim().eq_ignore_ascii_case("none") {
        return Stanza {
            expression: None,
            notes: Vec::new(),
            none: true,
        };
    }
    let reader = |name: &str, term: &str| read_text(cr, name, term);
    let n = names::normalize_with(raw, Dialect::Debian, &reader);
    Stanza {
        notes: n.notes,
        expression: n.expression,
        none: false,
    }
}

/// The lowest score at which the text under a name decides it, when the name starts like
/// the license the text matches (`BSD3` over a BSD-3-Clause text whose warranty disclaimer
/// Debian cut short): the name and the text agree.
const NAMED_TEXT_MATCH_MIN: f32 = 0.8;

/// What the text a DEP-5 file gives for `name` shows, when the name's term says less: the
/// SPDX license its text matches best (for a `LicenseRef-`), or the `-or-later` form of a
/// GNU license whose text grants any later version.
fn read_text(cr: &Copyright, name: &str, term: &str) -> Option<(String, String)> {
    let text = cr.license_text(name).or_else(|| {
        // A name with an exception names its paragraph whole (`BSD-3-clause-Cambridge with
        // BINARY LIBRARY-LIKE PACKAGES exception`): the license's text comes first in it.
        cr.licenses
            .iter()
            .find(|p| {
                p.name
                    .get(..name.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(name))
                    && p.name[name.len()..]
                        .trim_start()
                        .to_ascii_lowercase()
                        .starts_with("with ")
            })
            .map(|p| p.text.as_str())
    })?;
    if let Some(stem) = term.strip_suffix("-only") {
        let later = text.to_ascii_lowercase().contains("any later version");
        return later.then(|| {
            (
                format!("{stem}-or-later"),
                format!("`{name}`: its text grants \"any later version\", so {stem}-or-later"),
            )
        });
    }
    let best = text::identify(text, NAMED_TEXT_MATCH_MIN)
        .into_iter()
        .next()?;
    let id = names::normalize(&best.spdx, Dialect::Rpm).expression?;
    let family = id
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or_default();
    let agrees = !family.is_empty()
        && name
            .get(..family.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(family));
    if id.contains(' ') || (best.confidence < TEXT_MATCH_MIN && !agrees) {
        return None;
    }
    let why = format!(
        "`{name}`: its text is the {id} text (score {:.2})",
        best.confidence
    );
    Some((id, why))
}

/// The license of a file whose stanzas give none: tags, references, the whole text, the
/// prose, in that order.
fn fallback(cr: &Copyright) -> Option<Fallback> {
    let mut declared = Vec::new();
    let mut expressions = Vec::new();
    for id in &cr.spdx_identifiers {
        declared.push(id.clone());
        expressions.extend(names::normalize(id, Dialect::Rpm).expression);
    }
    if !expressions.is_empty() {
        return Some(Fallback {
            method: Method("spdx-license-identifier"),
            confidence: 0.9,
            declared,
            expressions,
            blocks: Vec::new(),
            texts: BTreeMap::new(),
        });
    }
    // References that are all about libraries the package uses say nothing of its own
    // terms: the text decides then.
    let mut blocks = freeform::blocks(&cr.text, Naming::CommonLicenses);
    if blocks.iter().any(|b| !b.used_library) {
        // The notices quoted beside the references, for the parts under other terms
        // (glibc's BSD, ISC, Inner-Net and SunPro code); a GNU notice is the reference's
        // own grant, and a notice that matches no text adds nothing a reviewer can use.
        if let Some((notices, _)) = freeform::notices(&cr.text) {
            blocks.extend(notices.into_iter().filter(|b| {
                b.expressions
                    .iter()
                    .all(|e| !e.starts_with("LicenseRef-") && !freeform::is_gnu(e))
            }));
            blocks.sort_by_key(|b| b.line);
        }
        return Some(by_paragraph("common-licenses-reference", 0.8, blocks));
    }
    // Nothing names the license: the text itself, the best match only (weaker ones in a
    // mixed notice are noise).
    let best = text::identify(&cr.text, TEXT_MATCH_MIN)
        .into_iter()
        .find_map(|m| {
            Some((
                names::normalize(&m.spdx, Dialect::Rpm).expression?,
                m.confidence,
            ))
        });
    if let Some((e, confidence)) = best {
        return Some(Fallback {
            method: Method("text-match"),
            confidence: f64::from(confidence),
            declared: Vec::new(),
            expressions: vec![e],
            blocks: Vec::new(),
            texts: BTreeMap::new(),
        });
    }
    if cr.format == Format::FreeForm {
        let blocks = freeform::blocks(&cr.text, Naming::Prose);
        if !blocks.is_empty() {
            return Some(by_paragraph("license-named-in-text", 0.7, blocks));
        }
        // Notices quoted one after another, each with its own terms.
        if let Some((blocks, texts)) = freeform::notices(&cr.text) {
            let mut f = by_paragraph("notice-text-match", 0.8, blocks);
            f.texts = texts;
            return Some(f);
        }
    }
    None
}

/// A conclusion read paragraph by paragraph: what the whole file declares, and the
/// paragraphs to weigh for each package.
fn by_paragraph(method: &'static str, confidence: f64, blocks: Vec<Block>) -> Fallback {
    let mut declared: Vec<String> = Vec::new();
    for said in blocks.iter().flat_map(|b| &b.said) {
        if !declared.contains(said) {
            declared.push(said.clone());
        }
    }
    Fallback {
        method: Method(method),
        confidence,
        declared,
        expressions: blocks.iter().flat_map(|b| b.expressions.clone()).collect(),
        blocks,
        texts: BTreeMap::new(),
    }
}

impl Reading {
    /// The license of `package`, which ships `shipped` and this file at `path`
    /// (root-relative); the evidence names layer 0, for the caller to correct.
    pub fn conclude(&self, path: &str, package: &str, shipped: &Shipped) -> (License, Vec<String>) {
        let declared: Vec<String> = if self.format == Format::MachineReadable {
            copyright::expressions(&self.files)
                .into_iter()
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        };
        let evidence = |method: &str, confidence: f64, lines: Vec<usize>, excluded| Evidence {
            path: path.to_string(),
            layer: 0,
            method: method.into(),
            confidence,
            lines,
            excluded,
            reviewed: None,
        };
        let license = if let Some((expr, lines, excluded)) = self.stanzas_shipped(shipped) {
            let mut license = self.license(
                (!declared.is_empty()).then(|| declared.join("; ")),
                expr,
                evidence("dep5", 1.0, lines, excluded),
            );
            // What the source package's file declares: every stanza, shipped or not.
            license.declared_spdx = self.declared_expression();
            license
        } else if let Some(r) = self.gcc.as_ref().and_then(|g| g.runtime_exception(package)) {
            // GCC's file names a license for each part of GCC, and says in one sentence
            // which applies to the runtime libraries: for those, that sentence decides.
            let lines = r.quotes.iter().map(|q| q.line).collect();
            let mut quotes = r.quotes.iter().map(|q| q.text.as_str());
            let sentence = quotes.next().unwrap_or_default();
            let item = quotes.next().unwrap_or_default();
            let mut said = vec![format!("{sentence} {item}")];
            said.extend(quotes.map(str::to_string));
            self.license(
                Some(said.join("; ")),
                gcc::EXPRESSION.to_string(),
                evidence("gcc-runtime-library-exception", 0.9, lines, Vec::new()),
            )
        } else if let Some((expr, lines, said)) =
            self.gcc.as_ref().and_then(|g| gcc_libraries(g, shipped))
        {
            // A package of GCC's that is no listed runtime library, but ships libraries the
            // file speaks of: each library's own terms.
            self.license(
                Some(said.join("; ")),
                expr,
                evidence("gcc-library-terms", 0.9, lines, Vec::new()),
            )
        } else if let Some(f) = &self.fallback {
            let mut said = declared.clone();
            said.extend(f.declared.iter().cloned());
            let (expressions, lines, excluded) = if f.blocks.is_empty() {
                (f.expressions.clone(), Vec::new(), Vec::new())
            } else {
                blocks_shipped(&f.blocks, shipped)
            };
            match combine(&expressions, "AND") {
                Some(expr) => {
                    let mut license = self.license(
                        (!said.is_empty()).then(|| said.join("; ")),
                        expr,
                        evidence(f.method.0, f.confidence, lines, excluded),
                    );
                    // What the whole file declares, paragraphs left out included.
                    license.declared_spdx = combine(&f.expressions, "AND");
                    license
                }
                None => self.unknown(path, said),
            }
        } else {
            self.unknown(path, declared)
        };
        (license, self.statements.clone())
    }

    /// The `AND` of the licenses of the stanzas whose files `shipped` installs, the lines
    /// of those stanzas, and the stanzas left out; `None` when no stanza gives a license.
    fn stanzas_shipped(&self, shipped: &Shipped) -> Option<(String, Vec<usize>, Vec<Excluded>)> {
        let files = &self.files;
        let mut verdicts: Vec<Result<(), String>> = files
            .iter()
            .zip(&self.stanzas)
            .map(|(f, s)| {
                if s.none {
                    Err("states that its files are under no license (`License: none`)".into())
                } else if f.covers_all() {
                    Ok(())
                } else {
                    shipped.stanza(&f.patterns).map_err(|l| l.to_string())
                }
            })
            .collect();
        let kept: Vec<&[String]> = files
            .iter()
            .zip(&verdicts)
            .filter(|(f, v)| v.is_ok() && !f.covers_all())
            .map(|(f, _)| f.patterns.as_slice())
            .collect();
        let catch_all = shipped.catch_all(&kept).map_err(|l| l.to_string());
        for (f, v) in files.iter().zip(verdicts.iter_mut()) {
            if f.covers_all() && v.is_ok() {
                *v = catch_all.clone();
            }
        }
        // When every stanza with a license is left out, nothing is known to be shipped:
        // keep them all rather than conclude from none.
        let any_kept = files
            .iter()
            .zip(&self.stanzas)
            .zip(&verdicts)
            .any(|((_, s), v)| v.is_ok() && s.expression.is_some());
        if !any_kept {
            for (s, v) in self.stanzas.iter().zip(verdicts.iter_mut()) {
                if !s.none {
                    *v = Ok(());
                }
            }
        }
        // The catch-all stanza's license first, then the others in file order.
        let order = files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.covers_all())
            .chain(files.iter().enumerate().filter(|(_, f)| !f.covers_all()))
            .map(|(i, _)| i);
        let mut expressions = Vec::new();
        let mut lines = Vec::new();
        for i in order {
            if let (Ok(()), Some(e)) = (&verdicts[i], &self.stanzas[i].expression) {
                expressions.push(e.clone());
                lines.push(files[i].line);
            }
        }
        let excluded = files
            .iter()
            .zip(&verdicts)
            .filter_map(|(f, v)| {
                let reason = v.as_ref().err()?;
                Some(Excluded {
                    line: f.line,
                    files: f.patterns.join(" "),
                    license: f.license.clone(),
                    reason: reason.clone(),
                })
            })
            .collect();
        lines.sort_unstable();
        lines.dedup();
        Some((combine(&expressions, "AND")?, lines, excluded))
    }

    /// The `AND` of every stanza's license, the catch-all's first.
    fn declared_expression(&self) -> Option<String> {
        let files = &self.files;
        let all: Vec<String> = files
            .iter()
            .zip(&self.stanzas)
            .filter(|(f, _)| f.covers_all())
            .chain(
                files
                    .iter()
                    .zip(&self.stanzas)
                    .filter(|(f, _)| !f.covers_all()),
            )
            .filter_map(|(_, s)| s.expression.clone())
            .collect();
        combine(&all, "AND")
    }

    fn license(&self, declared: Option<String>, expr: String, evidence: Evidence) -> License {
        License {
            declared,
            declared_spdx: Some(expr.clone()),
            texts: self.ref_texts(&expr),
            concluded: Concluded::expression(expr, vec![evidence]),
        }
    }

    /// The texts of the `LicenseRef-`s `concluded` uses: from the file's license
    /// paragraphs, or from its notices.
    fn ref_texts(&self, concluded: &str) -> BTreeMap<String, String> {
        let mut texts = ref_texts(&self.refs, concluded);
        if let Some(f) = &self.fallback {
            let used = |id: &String| concluded.split([' ', '(', ')']).any(|t| t == id);
            for (id, text) in f.texts.iter().filter(|(id, _)| used(id)) {
                texts.entry(id.clone()).or_insert_with(|| text.clone());
            }
        }
        texts
    }

    fn unknown(&self, path: &str, declared: Vec<String>) -> License {
        let notes: Vec<&str> = self
            .stanzas
            .iter()
            .flat_map(|s| s.notes.iter().map(String::as_str))
            .collect();
        let reason = match self.format {
            Format::MachineReadable => format!(
                "/{} is machine-readable but gives no usable License field{}",
                path,
                if notes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", notes.join("; "))
                }
            ),
            Format::FreeForm => format!(
                "/{} is free-form text that names no license by SPDX tag, common-licenses reference or precise name, and matches no SPDX license text with a score of {TEXT_MATCH_MIN} or more",
                path
            ),
        };
        License::none((!declared.is_empty()).then(|| declared.join("; ")), reason)
    }
}

/// The `AND` of what GCC's file says of each library `shipped` installs, the lines it is
/// said on, and the sentences or headings that say it; `None` when it says nothing of one
/// of them, or names no license under a heading.
fn gcc_libraries(file: &gcc::File, shipped: &Shipped) -> Option<(String, Vec<usize>, Vec<String>)> {
    let mut expressions = Vec::new();
    let mut lines = Vec::new();
    let mut said: Vec<String> = Vec::new();
    let say = |s: String, said: &mut Vec<String>| {
        if !said.contains(&s) {
            said.push(s);
        }
    };
    for (_, terms) in file.library_terms(shipped.libraries())? {
        match terms {
            gcc::Terms::Runtime(quotes) => {
                expressions.push(gcc::EXPRESSION.to_string());
                lines.extend(quotes.iter().map(|q| q.line));
                say(
                    quotes
                        .iter()
                        .map(|q| q.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    &mut said,
                );
            }
            gcc::Terms::Section(heading, body) => {
                let found: Vec<String> = text::identify(&body, TEXT_MATCH_MIN)
                    .into_iter()
                    .map(|m| m.spdx)
                    .chain(prose::named_licenses(&body).into_iter().map(|n| n.spdx))
                    .filter_map(|id| names::normalize(&id, Dialect::Rpm).expression)
                    .collect();
                if found.is_empty() {
                    return None;
                }
                expressions.extend(found);
                lines.push(heading.line);
                say(heading.text, &mut said);
            }
        }
    }
    lines.sort_unstable();
    lines.dedup();
    Some((combine(&expressions, "AND")?, lines, said))
}

/// Weighs a free-form file's paragraphs against what the package ships: the licenses of
/// those that apply, their first lines, and the paragraphs left out. When every paragraph
/// would be left out, nothing is known to be shipped, and all apply.
fn blocks_shipped(blocks: &[Block], shipped: &Shipped) -> (Vec<String>, Vec<usize>, Vec<Excluded>) {
    let verdicts: Vec<Result<(), String>> = blocks
        .iter()
        .map(|b| b.applies(shipped).map_err(|l| l.to_string()))
        .collect();
    let any = verdicts.iter().any(Result::is_ok);
    // A library the package uses is never its own terms, whatever else is left out.
    let any = |b: &Block| any || b.used_library;
    let mut expressions = Vec::new();
    let mut lines = Vec::new();
    let mut excluded = Vec::new();
    for (b, v) in blocks.iter().zip(verdicts) {
        match v {
            Err(reason) if any(b) => excluded.push(Excluded {
                line: b.line,
                files: b.files.join(" "),
                license: Some(b.said.join("; ")),
                reason,
            }),
            _ => {
                lines.push(b.line);
                expressions.extend(b.expressions.iter().cloned());
            }
        }
    }
    (expressions, lines, excluded)
}

/// The license names of a DEP-5 file whose normalized expression has exactly one
/// `LicenseRef-` (Debian's bare `MIT` over a text that matches nothing, `public-domain`,
/// names not on the SPDX list, and `GPL-2+ with OpenSSL exception`, whose exception becomes
/// a `LicenseRef-`), in the file's order, each with that `LicenseRef-` and the text the file
/// gives the name: the standalone `License:` paragraph, else the text given inline in a
/// stanza. The other terms of such a name are SPDX ids, whose texts the SPDX list has.
fn license_refs(cr: &Copyright) -> Vec<(String, Option<String>)> {
    let names = cr
        .licenses
        .iter()
        .map(|p| p.name.as_str())
        .chain(cr.files.iter().filter_map(|f| f.license.as_deref()));
    let mut out = Vec::new();
    for name in names {
        let Some(expr) = names::normalize(name, Dialect::Debian).expression else {
            continue;
        };
        let refs: Vec<&str> = expr
            .split([' ', '(', ')'])
            .filter(|t| t.starts_with("LicenseRef-"))
            .collect();
        let [license_ref] = refs[..] else {
            continue;
        };
        let text = cr.license_text(name).filter(|t| !t.trim().is_empty());
        out.push((license_ref.to_string(), text.map(str::to_string)));
    }
    out
}

/// The texts of the `LicenseRef-`s that `concluded` uses, from `refs` ([`license_refs`]):
/// for each, the text of the first name that gives one.
fn ref_texts(refs: &[(String, Option<String>)], concluded: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (license_ref, text) in refs {
        let used = concluded.split([' ', '(', ')']).any(|t| t == license_ref);
        if !used || out.contains_key(license_ref) {
            continue;
        }
        if let Some(text) = text {
            out.insert(license_ref.clone(), text.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_reading_concludes_as_the_file_does() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/license/test-fixtures/copyright"
        );
        for package in [
            "base-files",
            "bash",
            "gcc-12-base",
            "libc6",
            "libssl3",
            "tzdata",
        ] {
            let bytes = std::fs::read(format!("{dir}/{package}")).unwrap();
            let read = read(&bytes);
            let saved = save(&read).unwrap();
            let back = read_saved(&saved).unwrap();
            let path = format!("usr/share/doc/{package}/copyright");
            let shipped = Shipped::unknown(package);
            assert_eq!(
                format!("{:?}", read.conclude(&path, package, &shipped)),
                format!("{:?}", back.conclude(&path, package, &shipped)),
                "{package}"
            );
            // Damaged: cut short, or stanzas that do not fit the file's.
            assert!(read_saved(&saved[..saved.len() / 2]).is_none(), "{package}");
        }
        let mut reading = read(b"Files: *\nLicense: MIT\n");
        reading.stanzas.clear();
        reading.files.push(FilesStanza::default());
        assert!(read_saved(&save(&reading).unwrap()).is_none());
    }

    #[test]
    fn license_ref_texts_come_from_the_copyright_files_license_paragraphs() {
        let cr = copyright::parse(
            b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n\
Files: *\nCopyright: 2012 Stephen Dolan\nLicense: MIT\n\n\
Files: docs/*\nCopyright: 2012 Someone\nLicense: GPL-2+\n\n\
License: MIT\n Permission is hereby granted, free of charge.\n .\n THE SOFTWARE IS PROVIDED AS IS.\n\n\
License: GPL-2+\n On Debian systems, see /usr/share/common-licenses/GPL-2.\n",
        );
        let texts = ref_texts(
            &license_refs(&cr),
            "LicenseRef-Debian-MIT AND GPL-2.0-or-later",
        );
        assert_eq!(texts.len(), 1, "{texts:?}");
        let mit = &texts["LicenseRef-Debian-MIT"];
        assert!(mit.starts_with("Permission is hereby granted"), "{mit}");
        assert!(mit.contains("PROVIDED AS IS"));
        assert!(ref_texts(&license_refs(&cr), "GPL-2.0-or-later").is_empty());
        let cr = copyright::parse(
            b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n\
Files: *\nCopyright: 2001 A\nLicense: GPL-2+ with OpenSSL exception\n\n\
License: GPL-2+ with OpenSSL exception\n This program is free software.\n .\n In addition, as a special exception, linking with OpenSSL is allowed.\n",
        );
        let texts = ref_texts(
            &license_refs(&cr),
            "GPL-2.0-or-later AND LicenseRef-OpenSSL-exception",
        );
        assert!(
            texts["LicenseRef-OpenSSL-exception"].contains("special exception"),
            "{texts:?}"
        );
    }
}
