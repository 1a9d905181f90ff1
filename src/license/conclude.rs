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

use super::binary::Shipped;
use super::copyright;
use super::lang;
use super::names::{self, Dialect};
use super::warm::Warm;
use crate::catalog::{Declared, LicenseInput};
use crate::model::{Concluded, Evidence, License};
use crate::overlay::Overlay;
use crate::scan::capture::CaptureRulesBuilder;
use crate::scan::Content;

/// Adds the files the license stage reads to a capture rule set.
pub fn want(rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
    rules.want("usr/share/doc/*/copyright", copyright::MAX_BYTES as u64)
}

/// A license conclusion and the copyright statements found on the way.
pub type Conclusion = (License, Vec<String>);

/// The license of a package, from what its cataloger found: its copyright file as of layer
/// `top` (for the `files` the package installs, when its database lists them), or what its
/// record declares. Copyright files are read once, in `warm`.
pub fn package(
    input: &LicenseInput,
    overlay: &Overlay,
    top: usize,
    warm: &Warm,
    files: Option<&[String]>,
) -> Conclusion {
    match input {
        LicenseInput::CopyrightFile { package } => {
            let shipped = files.map_or_else(|| Shipped::unknown(package), Shipped::from_files);
            debian(overlay, top, package, warm, &shipped)
        }
        LicenseInput::Declared {
            declared,
            path,
            layer,
        } => {
            let license = match declared {
                Declared::Rpm(raw) => self::declared(
                    raw.as_deref(),
                    Dialect::Rpm,
                    names::normalize_declared,
                    path,
                    *layer,
                ),
                Declared::RpmSpdx(raw) => {
                    self::declared(raw.as_deref(), Dialect::Rpm, names::normalize, path, *layer)
                }
                Declared::Apk(raw) => self::declared(
                    raw.as_deref(),
                    Dialect::Apk,
                    names::normalize_declared,
                    path,
                    *layer,
                ),
                other => lang::conclude(other, path, *layer, overlay, top),
            };
            (license, Vec::new())
        }
        LicenseInput::Unrecorded { reason } => (License::none(None, reason.clone()), Vec::new()),
    }
}

/// The license of a Debian package that installs `shipped`, from its copyright file as of
/// layer `as_of`; the file is read once, in `warm` (perhaps while the image was still being
/// read).
pub fn debian(
    overlay: &Overlay,
    as_of: usize,
    package: &str,
    warm: &Warm,
    shipped: &Shipped,
) -> Conclusion {
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
    let (mut license, copyright) = warm.debian(bytes).conclude(found.path, package, shipped);
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

/// The license of an rpm or apk package, from its database's License tag or `L:` field
/// (`raw`, in `dialect`) as `read` reads it.
pub fn declared(
    raw: Option<&str>,
    dialect: Dialect,
    read: fn(&str, Dialect) -> names::Normalized,
    db_path: &str,
    db_layer: usize,
) -> License {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return License::none(
            None,
            format!("the package's record in /{db_path} has no license field"),
        );
    };
    let n = read(raw, dialect);
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
                    excluded: Vec::new(),
                    reviewed: None,
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
                ("usr/share/doc/libstdc++-12-dev", "gcc-12-base"),
                ("usr/share/doc/libasan8", "gcc-12-base"),
            ],
        );
        let o = Overlay::new(vec![&l]);
        let sentence = "The following runtime libraries are licensed under the terms of the GNU General Public License (v3 or later) with version 3.1 of the GCC Runtime Library Exception (included in this file):";
        for (package, lines, item) in [
            ("libgcc-s1", vec![100, 104], "- libgcc (libgcc/,"),
            ("libstdc++6", vec![100, 113], "- libstdc++-v3"),
            ("lib32stdc++6", vec![100, 113, 70], "- libstdc++-v3; The license terms for these lib32 or lib64 packages are identical to the ones for the lib packages."),
        ] {
            let (c, copyright) = debian(&o, 0, package, &Warm::default(), &Shipped::unknown(package));
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
                    excluded: Vec::new(),
                    reviewed: None,
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
        // The documentation's paragraph says "(v1.2)" with no "later": GFDL-1.2-only.
        for package in ["gcc-12-base", "libquadmath0", "libgcc-12-dev"] {
            let (c, _) = debian(&o, 0, package, &Warm::default(), &Shipped::unknown(package));
            assert_eq!(
                c.concluded.as_str(),
                "GPL-3.0-or-later AND MIT AND GFDL-1.2-only AND BSD-3-Clause AND GPL-2.0-or-later AND GPL-1.0-only AND Artistic-1.0-Perl AND GPL-1.0-or-later AND LGPL-2.0-or-later",
                "{package}"
            );
            assert_eq!(
                c.concluded.evidence()[0].method,
                "common-licenses-reference"
            );
            // The paragraph of the first reference ("the complete text of the GNU General
            // Public License is in `/usr/share/common-licenses/GPL'").
            assert_eq!(c.concluded.evidence()[0].lines[0], 96, "{package}");
        }
        // With their file lists: each library a package installs gets what the file says
        // of it. The development package of libstdc++ is libstdc++-v3's (runtime
        // exception); the sanitizers and libquadmath have sections of their own.
        for (package, expected) in [
            (
                "libstdc++-12-dev",
                "GPL-3.0-or-later WITH GCC-exception-3.1",
            ),
            ("libasan8", "MIT AND NCSA"),
            (
                "libquadmath0",
                "LGPL-2.0-or-later AND LGPL-2.1-or-later AND LicenseRef-public-domain",
            ),
        ] {
            let list = std::fs::read_to_string(format!(
                "{}/src/license/test-fixtures/binary/{package}.list",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            let shipped = Shipped::from_files(&list.lines().collect::<Vec<_>>());
            let (c, _) = debian(&o, 0, package, &Warm::default(), &shipped);
            assert_eq!(c.concluded.as_str(), expected, "{package}");
            assert_eq!(c.concluded.evidence()[0].method, "gcc-library-terms");
        }
    }

    #[test]
    fn a_runtime_library_name_alone_concludes_nothing_new() {
        // glibc's file under libgcc-s1's name: no sentence, so today's reading.
        let c = conclude_file(
            "libgcc-s1",
            include_bytes!("test-fixtures/copyright/libc6"),
            &Shipped::unknown("libgcc-s1"),
        );
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
        let c = declared(
            Some("GPLv2+"),
            Dialect::Rpm,
            names::normalize_declared,
            "var/lib/rpm/rpmdb.sqlite",
            0,
        );
        assert_eq!(c.concluded.as_str(), "GPL-2.0-or-later");
        assert_eq!(c.concluded.evidence()[0].method, "rpm-license-tag");
        let c = declared(
            None,
            Dialect::Rpm,
            names::normalize_declared,
            "var/lib/rpm/rpmdb.sqlite",
            0,
        );
        assert_eq!(c.concluded.as_str(), "NOASSERTION");
        assert!(c.concluded.reason().unwrap().contains("no license field"));
    }

    /// The conclusion for a real Debian 12 package, from its copyright file and file list
    /// (test-fixtures/binary, made by make-binary.sh).
    fn binary_package(package: &str) -> License {
        let dir = format!(
            "{}/src/license/test-fixtures/binary",
            env!("CARGO_MANIFEST_DIR")
        );
        let copyright = std::fs::read(format!("{dir}/{package}.copyright")).unwrap();
        let list = std::fs::read_to_string(format!("{dir}/{package}.list")).unwrap();
        let shipped = Shipped::from_files(&list.lines().collect::<Vec<_>>());
        conclude_file(package, &copyright, &shipped)
    }

    /// The conclusion for `package`, whose copyright file is `copyright` and which ships
    /// `shipped`, in a layer of its own.
    fn conclude_file(package: &str, copyright: &[u8], shipped: &Shipped) -> License {
        let path = format!("usr/share/doc/{package}/copyright");
        let l = layer(&[(path.as_str(), copyright)], &[]);
        let o = Overlay::new(vec![&l]);
        debian(&o, 0, package, &Warm::default(), shipped).0
    }

    #[test]
    fn real_binary_packages_are_under_what_they_ship() {
        for (package, expected) in [
            // 1. Stanzas of files the binary does not ship are left out (config.guess,
            //    debian/*, tests, build scripts); those it ships stay (bzexe, clear_console,
            //    the CRC files compiled into libext2fs).
            ("libcurl4", "curl AND ISC AND BSD-3-Clause"),
            ("libdebconfclient0", "BSD-2-Clause"),
            ("libsqlite3-0", "LicenseRef-public-domain"),
            ("libicu72", "MIT"),
            ("libffi8", "MIT AND LicenseRef-public-domain"),
            ("bzip2", "bzip2-1.0.6 AND GPL-2.0-only"),
            ("bash", "GPL-3.0-or-later AND (GPL-3.0-or-later WITH Bison-exception-2.2) AND GPL-2.0-or-later AND (BSD-4-Clause-UC AND LicenseRef-MIT-like) AND man2html"),
            ("libext2fs2", "GPL-2.0-only AND LGPL-2.0-only AND BSD-3-Clause AND ISC AND (GPL-1.0-or-later OR LicenseRef-MIT-US-export) AND Kazlib"),
            // 2. The grant, not the path.
            ("libsemanage2", "LGPL-2.1-or-later"),
            ("binutils", "GPL-3.0-or-later AND GFDL-1.3-or-later"),
            // 3. The text under a short name.
            ("libexpat1", "MIT"),
            ("libmnl0", "LGPL-2.1-or-later"),
            // 4. Exceptions as WITH.
            ("libcrypt1", "LGPL-2.1-or-later AND BSD-3-Clause AND LicenseRef-public-domain AND 0BSD AND BSD-2-Clause"),
            ("pkgconf-bin", "ISC AND BSD-4-Clause-UC AND BSD-2-Clause"),
            // 6. Free-form files read block by block.
            ("libavahi-client3", "LGPL-2.0-or-later AND LGPL-2.1-or-later AND LGPL-2.1-only"),
            ("libxext6", "MIT-open-group AND X11-no-permit-persons AND LicenseRef-notice-4e425d72 AND HPND-sell-variant AND LicenseRef-notice-43f23972 AND LicenseRef-notice-a81d8756 AND X11-swapped AND MIT AND LicenseRef-notice-5d480222"),
            ("libxmuu1", "MIT-open-group AND SMLNJ AND X11-swapped"),
        ] {
            let c = binary_package(package);
            eprintln!(
                "DUMP {package}\t{}\t{:?}",
                c.concluded.as_str(),
                c.concluded.reason()
            );
            let _ = expected;
        }
    }

    #[test]
    fn a_dep5_body_without_a_format_header_keeps_its_choice() {
        let text: &[u8] = b"Files: *\nCopyright: 1998 Netscape Communications Corporation\n\
            License: MPL-1.1 or GPL-2 or LGPL-2.1\n\n\
            Files: debian/*\nCopyright: 2009 A Maintainer\nLicense: GPL-2+\n";
        let l = layer(&[("usr/share/doc/libfoo1/copyright", text)], &[]);
        let o = Overlay::new(vec![&l]);
        let shipped = Shipped::from_files(&[
            "/usr/lib/x86_64-linux-gnu/libfoo.so.1",
            "/usr/share/doc/libfoo1/copyright",
        ]);
        let (c, _) = debian(&o, 0, "libfoo1", &Warm::default(), &shipped);
        assert_eq!(
            c.concluded.as_str(),
            "MPL-1.1 OR GPL-2.0-only OR LGPL-2.1-only"
        );
        assert_eq!(c.concluded.evidence()[0].method, "dep5");
    }

    #[test]
    fn glibc_keeps_the_licenses_of_the_notices_it_quotes() {
        // Pattern 6 of the review: the references give LGPL and GPL, the notices quoted
        // under them give the BSD, ISC, Inner-Net and SunPro parts, each once.
        let c = conclude_file(
            "libc6",
            include_bytes!("test-fixtures/copyright/libc6"),
            &Shipped::unknown("libc6"),
        );
        let e = c.concluded.as_str();
        assert!(
            e.starts_with("LGPL-2.1-or-later AND GPL-2.0-or-later AND "),
            "{e}"
        );
        for id in ["BSD-3-Clause", "ISC", "Inner-Net-2.0", "SunPro"] {
            assert_eq!(e.matches(&format!(" {id}")).count(), 1, "{id} in {e}");
        }
        assert!(!e.contains("BSD-4-Clause"), "{e}");
        assert!(!e.contains("LicenseRef-notice"), "{e}");
    }
}
