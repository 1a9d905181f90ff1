//! Concluding each package's license, with the evidence it rests on.
//!
//! Legal teams decide from these conclusions, so a conclusion is never a bare string: it
//! names the file, the layer that supplied it, the method and how sure the method is. When
//! nothing supports a conclusion the answer is `NOASSERTION`, with the reason.
//!
//! - Debian packages: `usr/share/doc/<package>/copyright`, followed through the doc-directory
//!   symlinks some packages use (`libgcc-s1 -> gcc-12-base`). A machine-readable (DEP-5)
//!   file gives the license of every `Files:` stanza; the package, which installs all those
//!   files, is under all of them (`AND`). A free-form file that says, in GCC's words, that
//!   the package is one of the GCC runtime libraries under the GPL v3 or later with the GCC
//!   Runtime Library Exception 3.1 gives `GPL-3.0-or-later WITH GCC-exception-3.1`, with
//!   the sentence and list item quoted (see [`super::gcc`]). Other free-form files are read
//!   for `SPDX-License-Identifier:` tags and references to `/usr/share/common-licenses/X` (a
//!   GPL-family reference is `-or-later` only when the notice itself says "any later
//!   version"), and failing those its text is matched against the SPDX license texts.
//! - rpm and apk packages: the License tag or `L:` field, normalized to SPDX.
//! - language packages: what their metadata declares, in their ecosystem's words
//!   ([`super::lang`]).

use std::collections::BTreeMap;

use super::copyright::{self, Format};
use super::names::{self, combine, Dialect};
use super::warm::Warm;
use super::{gcc, lang, prose, text};
use crate::catalog::{Declared, LicenseInput};
use crate::model::{Concluded, Evidence, License};
use crate::overlay::Overlay;
use crate::scan::capture::CaptureRulesBuilder;
use crate::scan::Content;

/// The lowest text-match score accepted as evidence.
const TEXT_MATCH_MIN: f32 = 0.9;

/// The most copyright statements kept per package.
const MAX_STATEMENTS: usize = 500;

/// Adds the files the license stage reads to a capture rule set.
pub fn want(rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
    rules.want("usr/share/doc/*/copyright", copyright::MAX_BYTES as u64)
}

/// A license conclusion and the copyright statements found on the way.
pub type Conclusion = (License, Vec<String>);

/// The license of a package, from what its cataloger found: its copyright file as of layer
/// `top`, or what its record declares. Copyright files are concluded once, in `warm`.
pub fn package(input: &LicenseInput, overlay: &Overlay, top: usize, warm: &Warm) -> Conclusion {
    match input {
        LicenseInput::CopyrightFile { package } => debian(overlay, top, package, warm),
        LicenseInput::Declared {
            declared,
            path,
            layer,
        } => {
            let license = match declared {
                Declared::Rpm(raw) => self::declared(raw.as_deref(), Dialect::Rpm, path, *layer),
                Declared::Apk(raw) => self::declared(raw.as_deref(), Dialect::Apk, path, *layer),
                other => lang::conclude(other, path, *layer, overlay, top),
            };
            (license, Vec::new())
        }
        LicenseInput::Unrecorded { reason } => (License::none(None, reason.clone()), Vec::new()),
    }
}

/// The texts a DEP-5 file gives for license names whose normalized expression has exactly
/// one `LicenseRef-` (Debian's bare `MIT`, `public-domain`, names not on the SPDX list, and
/// `GPL-2+ with OpenSSL exception`, whose exception becomes a `LicenseRef-`): the
/// standalone `License:` paragraph, else the text given inline in a stanza. The other terms
/// of such a name are SPDX ids, whose texts the SPDX list has. Only refs that `concluded`
/// uses are kept.
fn ref_texts(cr: &copyright::Copyright, concluded: &str) -> BTreeMap<String, String> {
    let names = cr
        .licenses
        .iter()
        .map(|p| p.name.as_str())
        .chain(cr.files.iter().filter_map(|f| f.license.as_deref()));
    let mut out = BTreeMap::new();
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
        let used = concluded.split([' ', '(', ')']).any(|t| t == license_ref);
        if !used || out.contains_key(license_ref) {
            continue;
        }
        if let Some(text) = cr.license_text(name).filter(|t| !t.trim().is_empty()) {
            out.insert(license_ref.to_string(), text.to_string());
        }
    }
    out
}

/// The license of a Debian package, from its copyright file as of layer `as_of`; the
/// conclusion for that file is worked out once, in `warm` (perhaps while the image was
/// still being read).
pub fn debian(overlay: &Overlay, as_of: usize, package: &str, warm: &Warm) -> Conclusion {
    let path = format!("usr/share/doc/{package}/copyright");
    let found = match overlay.read(&path, as_of) {
        Ok(Some(f)) => f,
        Ok(None) => {
            return none(format!(
            "the image has no /{path} (the package ships none, or the image's builder deleted it)"
        ))
        }
        Err(e) => return none(format!("/{path} cannot be resolved: {e}")),
    };
    let bytes = match found.content {
        Some(Content::Data(d)) => d,
        Some(Content::TooLarge { size, limit }) => {
            return none(format!(
                "/{} is {size} bytes, over the {limit}-byte limit",
                found.path
            ))
        }
        None => return none(format!("/{} was not captured", found.path)),
    };
    let (mut license, copyright) = warm.debian(bytes, package, found.path);
    if let Concluded::Expression { evidence, .. } = &mut license.concluded {
        for e in evidence {
            e.layer = found.layer;
        }
    }
    (license, copyright)
}

/// No assertion, for `reason`, with no copyright statement.
fn none(reason: String) -> Conclusion {
    (License::none(None, reason), Vec::new())
}

/// The conclusion a Debian copyright file gives for `package`, the file being at `path`:
/// its evidence names layer 0, for the caller to correct.
pub(super) fn debian_copyright(bytes: &[u8], package: &str, path: &str) -> Conclusion {
    let cr = copyright::parse(bytes);
    let mut copyright: Vec<String> = cr
        .all_copyrights()
        .into_iter()
        .map(str::to_string)
        .collect();
    copyright.truncate(MAX_STATEMENTS);
    let evidence = |method: &str, confidence: f64, lines: Vec<usize>| Evidence {
        path: path.to_string(),
        layer: 0,
        method: method.into(),
        confidence,
        lines,
    };
    let mut declared: Vec<String> = Vec::new();
    let mut concluded: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut method: (&str, f64) = ("dep5", 1.0);
    let mut lines: Vec<usize> = Vec::new();
    if cr.format == Format::MachineReadable {
        for raw in cr.expressions() {
            declared.push(raw.to_string());
            let n = names::normalize(raw, Dialect::Debian);
            match n.expression {
                Some(e) => concluded.push(e),
                None => notes.extend(n.notes),
            }
        }
    }
    if concluded.is_empty() && cr.format == Format::FreeForm {
        // GCC's file names a license for each part of GCC, and says in one sentence which
        // applies to the runtime libraries: for those, that sentence decides.
        if let Some(r) = gcc::runtime_exception(&cr.text, package) {
            method = ("gcc-runtime-library-exception", 0.9);
            lines = r.quotes.iter().map(|q| q.line).collect();
            let mut quotes = r.quotes.iter().map(|q| q.text.as_str());
            let sentence = quotes.next().unwrap_or_default();
            let item = quotes.next().unwrap_or_default();
            declared.push(format!("{sentence} {item}"));
            declared.extend(quotes.map(str::to_string));
            concluded.push(gcc::EXPRESSION.to_string());
        }
    }
    if concluded.is_empty() {
        // Free-form (or DEP-5 without a usable License field): tags and references.
        method = ("spdx-license-identifier", 0.9);
        for id in &cr.spdx_identifiers {
            declared.push(id.clone());
            if let Some(e) = names::normalize(id, Dialect::Rpm).expression {
                concluded.push(e);
            }
        }
        if concluded.is_empty() {
            method = ("common-licenses-reference", 0.8);
            let later = cr.text.to_ascii_lowercase().contains("any later version");
            for name in &cr.common_licenses {
                let gpl_family = ["GPL", "LGPL", "AGPL", "GFDL"]
                    .iter()
                    .any(|f| name.starts_with(f) && name[f.len()..].starts_with('-'));
                let raw = if gpl_family && later && !name.ends_with('+') {
                    format!("{name}+")
                } else {
                    name.clone()
                };
                declared.push(format!("/usr/share/common-licenses/{name}"));
                if let Some(e) = names::normalize(&raw, Dialect::Debian).expression {
                    concluded.push(e);
                }
            }
        }
    }
    if concluded.is_empty() {
        // Nothing names the license: match the text itself against the SPDX texts.
        for m in text::identify(&cr.text, TEXT_MATCH_MIN) {
            if let Some(e) = names::normalize(&m.spdx, Dialect::Rpm).expression {
                method = ("text-match", f64::from(m.confidence));
                concluded.push(e);
                break; // the best match only: weaker ones in a mixed notice are noise
            }
        }
    }
    if concluded.is_empty() && cr.format == Format::FreeForm {
        // No tag, no reference, no whole text: licenses named precisely in the prose.
        if let Some((expr, phrases)) = prose::expression(&cr.text) {
            method = ("license-named-in-text", 0.7);
            declared.extend(phrases);
            concluded.push(expr);
        }
    }
    let declared_text = (!declared.is_empty()).then(|| declared.join("; "));
    match combine(&concluded, "AND") {
        Some(expr) => (
            License {
                declared: declared_text,
                declared_spdx: Some(expr.clone()),
                texts: ref_texts(&cr, &expr),
                concluded: Concluded::expression(expr, vec![evidence(method.0, method.1, lines)]),
            },
            copyright,
        ),
        None => (
            License::none(
                declared_text,
                match cr.format {
                    Format::MachineReadable => format!(
                        "/{} is machine-readable but gives no usable License field{}",
                        path,
                        if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) }
                    ),
                    Format::FreeForm => format!(
                        "/{} is free-form text that names no license by SPDX tag, common-licenses reference or precise name, and matches no SPDX license text with a score of {TEXT_MATCH_MIN} or more",
                        path
                    ),
                },
            ),
            copyright,
        ),
    }
}

/// The license of an rpm or apk package, from its database's License tag or `L:` field.
pub fn declared(raw: Option<&str>, dialect: Dialect, db_path: &str, db_layer: usize) -> License {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return License::none(
            None,
            format!("the package's record in /{db_path} has no license field"),
        );
    };
    let n = names::normalize(raw, dialect);
    match n.expression {
        Some(expr) => License {
            declared: Some(raw.to_string()),
            declared_spdx: Some(expr.clone()),
            concluded: Concluded::expression(
                expr,
                vec![Evidence {
                    path: db_path.to_string(),
                    layer: db_layer,
                    method: match dialect {
                        Dialect::Apk => "apk-license-field".into(),
                        _ => "rpm-license-tag".into(),
                    },
                    confidence: if n.unknown.is_empty() { 0.9 } else { 0.7 },
                    lines: Vec::new(),
                }],
            ),
            texts: BTreeMap::new(),
        },
        None => License::none(
            Some(raw.to_string()),
            format!(
                "the declared license {raw:?} is not an expression: {}",
                n.notes.join("; ")
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_ref_texts_come_from_the_copyright_files_license_paragraphs() {
        let cr = copyright::parse(
            b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n\
Files: *\nCopyright: 2012 Stephen Dolan\nLicense: MIT\n\n\
Files: docs/*\nCopyright: 2012 Someone\nLicense: GPL-2+\n\n\
License: MIT\n Permission is hereby granted, free of charge.\n .\n THE SOFTWARE IS PROVIDED AS IS.\n\n\
License: GPL-2+\n On Debian systems, see /usr/share/common-licenses/GPL-2.\n",
        );
        let texts = ref_texts(&cr, "LicenseRef-Debian-MIT AND GPL-2.0-or-later");
        assert_eq!(texts.len(), 1, "{texts:?}");
        let mit = &texts["LicenseRef-Debian-MIT"];
        assert!(mit.starts_with("Permission is hereby granted"), "{mit}");
        assert!(mit.contains("PROVIDED AS IS"));
        assert!(ref_texts(&cr, "GPL-2.0-or-later").is_empty());
        let cr = copyright::parse(
            b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n\
Files: *\nCopyright: 2001 A\nLicense: GPL-2+ with OpenSSL exception\n\n\
License: GPL-2+ with OpenSSL exception\n This program is free software.\n .\n In addition, as a special exception, linking with OpenSSL is allowed.\n",
        );
        let texts = ref_texts(&cr, "GPL-2.0-or-later AND LicenseRef-OpenSSL-exception");
        assert!(
            texts["LicenseRef-OpenSSL-exception"].contains("special exception"),
            "{texts:?}"
        );
    }

    /// One layer holding `files` (path, content) and the doc-directory symlinks `links`.
    fn layer(files: &[(&str, &[u8])], links: &[(&str, &str)]) -> crate::scan::LayerScan {
        use crate::scan::tar::Kind;
        use crate::scan::{Content, FileEntry, LayerScan};
        let entry = |path: &str, kind, link: Option<&str>| FileEntry {
            path: path.into(),
            kind,
            size: 0,
            mode: 0o644,
            link: link.map(str::to_string),
        };
        let mut l = LayerScan::default();
        for (path, bytes) in files {
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            l.files.push(entry(dir, Kind::Dir, None));
            l.files.push(entry(path, Kind::File, None));
            l.captured
                .insert(path.to_string(), Content::Data(bytes.to_vec().into()));
        }
        for (path, target) in links {
            l.files.push(entry(path, Kind::Symlink, Some(target)));
        }
        l
    }

    const GCC12: &[u8] = include_bytes!("test-fixtures/copyright/gcc-12-base");

    #[test]
    fn gcc_runtime_libraries_are_gpl3_with_the_runtime_exception_from_the_files_sentence() {
        let l = layer(
            &[("usr/share/doc/gcc-12-base/copyright", GCC12)],
            &[
                ("usr/share/doc/libgcc-s1", "gcc-12-base"),
                ("usr/share/doc/libstdc++6", "gcc-12-base"),
                ("usr/share/doc/lib32stdc++6", "gcc-12-base"),
                ("usr/share/doc/libquadmath0", "gcc-12-base"),
                ("usr/share/doc/libgcc-12-dev", "gcc-12-base"),
            ],
        );
        let o = Overlay::new(vec![&l]);
        let sentence = "The following runtime libraries are licensed under the terms of the GNU General Public License (v3 or later) with version 3.1 of the GCC Runtime Library Exception (included in this file):";
        for (package, lines, item) in [
            ("libgcc-s1", vec![100, 104], "- libgcc (libgcc/,"),
            ("libstdc++6", vec![100, 113], "- libstdc++-v3"),
            ("lib32stdc++6", vec![100, 113, 70], "- libstdc++-v3; The license terms for these lib32 or lib64 packages are identical to the ones for the lib packages."),
        ] {
            let (c, copyright) = debian(&o, 0, package, &Warm::default());
            assert_eq!(c.concluded.as_str(), "GPL-3.0-or-later WITH GCC-exception-3.1", "{package}");
            assert_eq!(c.declared_spdx.as_deref(), Some(c.concluded.as_str()));
            assert!(spdx::Expression::parse(c.concluded.as_str()).is_ok());
            assert_eq!(
                c.concluded.evidence(),
                [Evidence {
                    path: "usr/share/doc/gcc-12-base/copyright".into(),
                    layer: 0,
                    method: "gcc-runtime-library-exception".into(),
                    confidence: 0.9,
                    lines,
                }],
                "{package}"
            );
            let declared = c.declared.unwrap();
            assert!(
                declared.starts_with(&format!("{sentence} {item}")),
                "{package}: {declared}"
            );
            assert_eq!(c.concluded.reason(), None);
            assert!(copyright.iter().any(|s| s.contains("Free Software Foundation")));
        }
        // The rest of the file still decides for what is not a listed runtime library:
        // gcc-12-base (docs only), libquadmath (LGPL in this file), development packages.
        for package in ["gcc-12-base", "libquadmath0", "libgcc-12-dev"] {
            let (c, _) = debian(&o, 0, package, &Warm::default());
            assert_eq!(
                c.concluded.as_str(),
                "GPL-1.0-or-later AND GPL-3.0-or-later AND GFDL-1.2-or-later AND GPL-2.0-or-later AND Artistic-1.0-Perl AND LGPL-2.0-or-later",
                "{package}"
            );
            assert_eq!(
                c.concluded.evidence()[0].method,
                "common-licenses-reference"
            );
            assert!(c.concluded.evidence()[0].lines.is_empty());
        }
    }

    #[test]
    fn a_runtime_library_name_alone_concludes_nothing_new() {
        // glibc's file under libgcc-s1's name: no sentence, so today's reading.
        let l = layer(
            &[(
                "usr/share/doc/libgcc-s1/copyright",
                include_bytes!("test-fixtures/copyright/libc6"),
            )],
            &[],
        );
        let o = Overlay::new(vec![&l]);
        let (c, _) = debian(&o, 0, "libgcc-s1", &Warm::default());
        assert_eq!(
            c.concluded.evidence()[0].method,
            "common-licenses-reference"
        );
        assert!(
            !c.concluded.as_str().contains("GCC-exception"),
            "{:?}",
            c.concluded
        );
    }

    #[test]
    fn rpm_tags_become_spdx_with_evidence() {
        let c = declared(Some("GPLv2+"), Dialect::Rpm, "var/lib/rpm/rpmdb.sqlite", 0);
        assert_eq!(c.concluded.as_str(), "GPL-2.0-or-later");
        assert_eq!(c.concluded.evidence()[0].method, "rpm-license-tag");
        let c = declared(None, Dialect::Rpm, "var/lib/rpm/rpmdb.sqlite", 0);
        assert_eq!(c.concluded.as_str(), "NOASSERTION");
        assert!(c.concluded.reason().unwrap().contains("no license field"));
    }
}
