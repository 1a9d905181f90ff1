//! License files in the layers: `LICENSE`, `COPYING`, `NOTICE` and the like, wherever they
//! are, matched against the SPDX license texts.
//!
//! Package databases say what the distribution shipped; the files an application brings
//! with it (`/app/LICENSE`, a vendored library's `COPYING`, a wheel's
//! `*.dist-info/licenses/*`) are often the only statement of its license. Every copy in
//! every layer is reported, also one that a later layer deletes or replaces: a deleted file
//! is still in its layer, and shipped with it.
//!
//! Debian's `usr/share/doc/*/copyright` files are left out: they are each package's own
//! evidence (see [`super::conclude`]) and would only repeat it.

use std::collections::HashMap;
use std::io::Read;

use rayon::prelude::*;

use crate::cache::Cache;
use crate::model::{Finding, FindingKind, LicenseFile, LicenseMatch, Origin};
use crate::overlay::Overlay;
use crate::scan::capture::CaptureRulesBuilder;
use crate::scan::stream::sha256_of;
use crate::scan::Content;

use super::names::combine;
use super::names::{self, Dialect};
use super::text::{self, MAX_TEXT_BYTES};

/// The lowest score at which a text is taken to be a license (as for copyright files).
const MIN_CONFIDENCE: f32 = 0.9;

/// Base names (any case) of license files: the name itself or the name followed by `.`,
/// `-` or `_` and more (`LICENSE.txt`, `LICENSE-MIT`, `COPYING.LIB`, `NOTICE_1`).
const STEMS: [&str; 5] = ["license", "licence", "copying", "notice", "copyright"];

/// Extensions of source code and other files whose names start like license files
/// (`License.pm`, `license.py`): they are not license texts.
const NOT_TEXT: [&str; 16] = [
    "c", "class", "go", "h", "html", "java", "js", "json", "pm", "py", "pyc", "rb", "rs", "sh",
    "so", "ts",
];

/// The most license files reported per layer; the rest is counted in a finding.
const MAX_PER_LAYER: usize = 20_000;

/// Adds the license files to a capture rule set.
pub fn want(mut rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
    let cap = MAX_TEXT_BYTES as u64;
    for stem in STEMS {
        rules = rules
            .want_any_case(&format!("**/{stem}"), cap)
            .want_any_case(&format!("**/{stem}[-._]*"), cap);
    }
    rules
        .want("**/*.dist-info/licenses/**", cap)
        .want("**/LICENSES/*", cap)
}

/// Whether a captured path is one this module reports.
pub fn is_reported(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    let lower = base.to_ascii_lowercase();
    let named = STEMS.iter().any(|stem| {
        lower
            .strip_prefix(stem)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-', '_']))
    });
    let in_dist_info = path.contains(".dist-info/licenses/");
    // REUSE keeps one file per license in `LICENSES/`.
    let reuse = path.rsplit('/').nth(1).is_some_and(|dir| dir == "LICENSES");
    if !(named || in_dist_info || reuse) {
        return false;
    }
    let code = lower
        .rsplit_once('.')
        .is_some_and(|(_, ext)| NOT_TEXT.contains(&ext));
    let debian_copyright =
        path.starts_with("usr/share/doc/") && base == "copyright" && path.matches('/').count() == 4;
    !code && !debian_copyright
}

/// The text of a license file: its bytes, inflated first when gzip-compressed (Debian
/// compresses large files under `usr/share/doc`), at most [`MAX_TEXT_BYTES`].
fn text_of(bytes: &[u8]) -> Option<String> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_TEXT_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .ok()?;
        if out.len() > MAX_TEXT_BYTES {
            return None;
        }
        return Some(String::from_utf8_lossy(&out).into_owned());
    }
    Some(String::from_utf8_lossy(bytes).into_owned())
}

/// What one distinct text matched.
#[derive(Debug, Clone)]
struct Matched {
    spdx: String,
    confidence: f64,
    matches: Vec<LicenseMatch>,
    reason: Option<String>,
}

/// Matches a license file's text ahead of [`license_files`], which then finds the match
/// in the matcher's memory (see [`super::warm`]); with a layer `cache`, the match is read
/// back from it, or kept there.
pub fn prepare(bytes: &[u8], cache: Option<&Cache>) {
    match_text(bytes, cache);
}

fn match_text(bytes: &[u8], cache: Option<&Cache>) -> Matched {
    let Some(text) = text_of(bytes) else {
        return Matched {
            spdx: "NOASSERTION".into(),
            confidence: 0.0,
            matches: Vec::new(),
            reason: Some(format!(
                "the file is compressed and inflates to more than {MAX_TEXT_BYTES} bytes, or is damaged"
            )),
        };
    };
    let mut matches: Vec<LicenseMatch> = Vec::new();
    for m in text::identify_kept(&text, MIN_CONFIDENCE, cache) {
        if let Some(id) = names::normalize(&m.spdx, Dialect::Rpm).expression {
            if !matches.iter().any(|x| x.spdx == id) {
                matches.push(LicenseMatch {
                    spdx: id,
                    confidence: round(f64::from(m.confidence)),
                });
            }
        }
    }
    let ids: Vec<String> = matches.iter().map(|m| m.spdx.clone()).collect();
    match (matches.first(), combine(&ids, "AND")) {
        (Some(best), Some(spdx)) => Matched {
            spdx,
            confidence: best.confidence,
            matches,
            reason: None,
        },
        _ => Matched {
            spdx: "NOASSERTION".into(),
            confidence: 0.0,
            matches,
            reason: Some(if text.len() > MAX_TEXT_BYTES {
                format!("the text is longer than {MAX_TEXT_BYTES} bytes and was not matched")
            } else {
                format!(
                    "the text matches no SPDX license text with a score of {MIN_CONFIDENCE} or more"
                )
            }),
        },
    }
}

/// Scores rounded to 4 decimals, so documents do not carry float noise.
fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Every license file of every layer, matched, sorted by layer then path, and a finding
/// for each layer with more than `MAX_PER_LAYER` of them. Identical texts
/// are matched once; distinct texts are matched in parallel.
pub fn license_files(overlay: &Overlay, origins: &[Origin]) -> (Vec<LicenseFile>, Vec<Finding>) {
    let top = overlay.len().saturating_sub(1);
    let mut found: Vec<(usize, &str, u64, &[u8])> = Vec::new();
    let mut too_large: Vec<(usize, &str, u64)> = Vec::new();
    let mut findings = Vec::new();
    for layer in 0..overlay.len() {
        let Some(scan) = overlay.layer(layer) else {
            continue;
        };
        let mut n = 0;
        for (path, content) in scan.captured.iter().filter(|(p, _)| is_reported(p)) {
            n += 1;
            if n > MAX_PER_LAYER {
                continue;
            }
            match content {
                Content::Data(d) => found.push((layer, path, d.len() as u64, d)),
                Content::TooLarge { size, .. } => too_large.push((layer, path, *size)),
            }
        }
        if n > MAX_PER_LAYER {
            findings.push(
                Finding::new(FindingKind::LicenseFilesCapped {
                    files: n,
                    reported: MAX_PER_LAYER,
                })
                .in_layer(layer),
            );
        }
    }

    let digests: Vec<String> = found.par_iter().map(|f| sha256_of(f.3)).collect();
    let mut distinct: HashMap<&str, &[u8]> = HashMap::new();
    for (f, d) in found.iter().zip(&digests) {
        distinct.entry(d.as_str()).or_insert(f.3);
    }
    let mut texts: Vec<(&str, &[u8])> = distinct.into_iter().collect();
    texts.sort_unstable_by_key(|t| t.0);
    let matched: HashMap<&str, Matched> = texts
        .par_iter()
        .map(|(digest, bytes)| (*digest, match_text(bytes, None)))
        .collect();

    let visible =
        |layer: usize, path: &str| overlay.entry(path, top).is_some_and(|s| s.layer == layer);
    let origin = |layer: usize| origins.get(layer).copied().unwrap_or(Origin::Unknown);
    let mut out: Vec<LicenseFile> = found
        .iter()
        .zip(&digests)
        .map(|(&(layer, path, size, _), digest)| {
            let m = &matched[digest.as_str()];
            LicenseFile {
                path: path.to_string(),
                layer,
                origin: origin(layer),
                visible: visible(layer, path),
                size,
                sha256: digest.clone(),
                spdx: m.spdx.clone(),
                confidence: m.confidence,
                matches: m.matches.clone(),
                reason: m.reason.clone(),
            }
        })
        .collect();
    out.extend(
        too_large
            .into_iter()
            .map(|(layer, path, size)| LicenseFile {
                path: path.to_string(),
                layer,
                origin: origin(layer),
                visible: visible(layer, path),
                size,
                sha256: String::new(),
                spdx: "NOASSERTION".into(),
                confidence: 0.0,
                matches: Vec::new(),
                reason: Some(format!(
                    "the file is larger than {MAX_TEXT_BYTES} bytes and was not read"
                )),
            }),
    );
    out.sort_by(|a, b| a.layer.cmp(&b.layer).then_with(|| a.path.cmp(&b.path)));
    (out, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::tar::Kind;
    use crate::scan::{CaptureRules, FileEntry, LayerScan};
    use std::sync::Arc;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/src/license/test-fixtures/text/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn layer(files: &[(&str, &[u8])], whiteouts: &[&str]) -> LayerScan {
        let mut scan = LayerScan::default();
        for (path, data) in files {
            scan.files.push(FileEntry {
                path: path.to_string(),
                kind: Kind::File,
                size: data.len() as u64,
                mode: 0o644,
                link: None,
            });
            scan.captured
                .insert(path.to_string(), Content::Data(Arc::new(data.to_vec())));
        }
        scan.whiteouts = whiteouts.iter().map(|w| w.to_string()).collect();
        scan
    }

    #[test]
    fn names_that_hold_license_texts_are_captured_and_code_is_not() {
        let rules = want(CaptureRules::builder()).build();
        for yes in [
            "app/LICENSE",
            "app/node_modules/x/license",
            "opt/y/LICENSE.txt",
            "opt/y/LICENSE-MIT",
            "usr/lib/z/COPYING.LIB",
            "srv/NOTICE",
            "srv/Copyright_2",
            "usr/lib/python3/site-packages/a-1.0.dist-info/licenses/AUTHORS",
            "src/app/LICENSES/MIT.txt",
        ] {
            assert!(rules.limit_for(yes).is_some(), "{yes} not captured");
            assert!(is_reported(yes), "{yes} not reported");
        }
        for no in [
            "app/LICENSES.md",
            "app/licensed.txt",
            "usr/bin/notices",
            "app/LICENSEZ",
            "app/license1",
        ] {
            assert!(rules.limit_for(no).is_none(), "{no} captured");
        }
        for no in [
            "usr/share/perl5/Software/License.pm",
            "usr/lib/python3/x/license.py",
            "usr/share/doc/libc6/copyright",
        ] {
            assert!(!is_reported(no), "{no} reported");
        }
        assert!(is_reported("usr/share/doc/libc6/examples/copyright"));
    }

    #[test]
    fn each_copy_is_matched_attributed_and_marked_when_hidden() {
        let apache = fixture("Apache-2.0");
        let mit = b"Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n";
        let l0 = layer(
            &[
                ("opt/base/LICENSE", &apache),
                (
                    "opt/base/NOTICE",
                    b"This product includes software developed by us.\n",
                ),
            ],
            &[],
        );
        let l1 = layer(
            &[("app/LICENSE", mit), ("app/vendor/LICENSE.txt", mit)],
            &["opt/base/LICENSE"],
        );
        let overlay = Overlay::new(vec![&l0, &l1]);
        let (files, findings) = license_files(&overlay, &[Origin::Base, Origin::Authored]);
        assert!(findings.is_empty());
        let got: Vec<(&str, usize, &str, bool)> = files
            .iter()
            .map(|f| (f.path.as_str(), f.layer, f.spdx.as_str(), f.visible))
            .collect();
        assert_eq!(
            got,
            [
                ("opt/base/LICENSE", 0, "Apache-2.0", false),
                ("opt/base/NOTICE", 0, "NOASSERTION", true),
                ("app/LICENSE", 1, "MIT", true),
                ("app/vendor/LICENSE.txt", 1, "MIT", true),
            ]
        );
        assert_eq!(files[2].origin, Origin::Authored);
        assert!(files[2].confidence >= 0.9);
        assert!(files[1]
            .reason
            .as_deref()
            .unwrap()
            .contains("matches no SPDX"));
        assert_eq!(files[2].sha256, files[3].sha256);
    }

    #[test]
    fn a_layer_over_the_cap_is_reported_in_part_with_a_finding() {
        let paths: Vec<String> = (0..=MAX_PER_LAYER)
            .map(|i| format!("app/node_modules/m{i:05}/LICENSE"))
            .collect();
        let files: Vec<(&str, &[u8])> = paths.iter().map(|p| (p.as_str(), &b"x"[..])).collect();
        let l0 = layer(&files, &[]);
        let overlay = Overlay::new(vec![&l0]);
        let (files, findings) = license_files(&overlay, &[Origin::Authored]);
        assert_eq!(files.len(), MAX_PER_LAYER);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].kind,
            FindingKind::LicenseFilesCapped {
                files: 20001,
                reported: MAX_PER_LAYER
            }
        );
        assert_eq!(findings[0].layer, Some(0));
        assert!(findings[0].message().contains("20001 license files"));
    }

    #[test]
    fn gzip_compressed_texts_are_inflated() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&fixture("Apache-2.0")).unwrap();
        let bytes = gz.finish().unwrap();
        assert_eq!(match_text(&bytes, None).spdx, "Apache-2.0");
        let bomb = {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&vec![b'a'; MAX_TEXT_BYTES + 10]).unwrap();
            gz.finish().unwrap()
        };
        let m = match_text(&bomb, None);
        assert_eq!(m.spdx, "NOASSERTION");
        assert!(m.reason.unwrap().contains("inflates"));
    }
}
