//! The apk database format: `lib/apk/db/installed`.
//!
//! apk-tools keeps every installed package in `lib/apk/db/installed`: records separated by
//! blank lines, each line a one-letter key, a colon and a value (`P:musl`). Besides the
//! package's identity it carries the license (`L:`, an SPDX expression on current Alpine), the
//! origin (`o:`, the source package in aports) and the aports commit (`c:`), and then the
//! files it owns: a `F:` line names a directory, and each `R:` line after it a file in that
//! directory.
//!
//! [`parse_installed`] turns the file into [`ApkPackage`] records. It never fails: a line or
//! record it cannot read becomes a [`Warning`] and the rest is still returned; keys it does
//! not know (apk adds some over time) are skipped silently. A record without a name (`P:`) or
//! a version (`V:`) is not one apk could have installed: it is left out, with a warning.

use serde::Serialize;

pub use crate::catalog::LineWarning as Warning;

/// One installed apk package.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApkPackage {
    /// `P`: package name.
    pub name: String,
    /// `V`: version (`1.2.4-r1`); a record without one is left out.
    pub version: String,
    /// `A`: architecture.
    pub arch: Option<String>,
    /// `L`: license as packaged (SPDX on Alpine ≥ 3.x, e.g. `MIT AND BSD-2-Clause`).
    pub license: Option<String>,
    /// `o`: origin, the source package (the build recipe) this was built from.
    pub origin: Option<String>,
    /// `c`: the git commit of the recipe repository it was built from (aports on Alpine,
    /// wolfi-dev/os on Wolfi).
    pub commit: Option<String>,
    /// `m`: maintainer.
    pub maintainer: Option<String>,
    /// `U`: upstream URL.
    pub url: Option<String>,
    /// `T`: one-line description.
    pub description: Option<String>,
    /// `C`: checksum of the package's control data (`Q1` + base64 SHA-1).
    pub checksum: Option<String>,
    /// `S`: size of the `.apk` file, in bytes.
    pub size: Option<u64>,
    /// `I`: installed size, in bytes.
    pub installed_size: Option<u64>,
    /// `t`: build time, in seconds since the epoch.
    pub build_time: Option<u64>,
    /// `D`: dependencies as written (`so:libc.musl-x86_64.so.1`, `busybox=1.36.1-r2`, `!foo`).
    pub depends: Vec<String>,
    /// `p`: what it provides (`so:libz.so.1=1.2.13`, `cmd:getent=1.2.4-r1`).
    pub provides: Vec<String>,
    /// `r`: packages whose files it may replace.
    pub replaces: Vec<String>,
    /// Directories it owns (`F:`), absolute.
    pub directories: Vec<String>,
    /// Files it owns (`F:` directory + `R:` name), absolute.
    pub files: Vec<String>,
    /// 1-based line where the record starts.
    pub line: usize,
}

/// Parses `lib/apk/db/installed`.
///
/// ```
/// use layerbom::catalog::apk::parse::parse_installed;
/// let (pkgs, warnings) = parse_installed(b"P:musl\nV:1.2.4-r1\nL:MIT\nF:lib\nR:libc.musl-x86_64.so.1\n");
/// assert!(warnings.is_empty());
/// assert_eq!(pkgs[0].files, ["/lib/libc.musl-x86_64.so.1"]);
/// ```
pub fn parse_installed(bytes: &[u8]) -> (Vec<ApkPackage>, Vec<Warning>) {
    parse_installed_within(bytes, usize::MAX)
}

/// [`parse_installed`], stopping once more than `limit` packages are read: past its
/// budget, a database costs no more than the budget.
pub fn parse_installed_within(bytes: &[u8], limit: usize) -> (Vec<ApkPackage>, Vec<Warning>) {
    let text = String::from_utf8_lossy(bytes);
    let mut warnings = Vec::new();
    if let std::borrow::Cow::Owned(_) = text {
        warnings.push(Warning {
            line: 1,
            message: "file is not valid UTF-8; bad bytes were replaced with U+FFFD".into(),
        });
    }
    let mut packages = Vec::new();
    let mut record: Option<Record> = None;
    for (i, line) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            if let Some(r) = record.take() {
                packages.extend(r.finish(&mut warnings));
                if packages.len() > limit {
                    return (packages, warnings);
                }
            }
            continue;
        }
        let r = record.get_or_insert_with(|| Record::new(line_no));
        let mut chars = line.chars();
        let (Some(key), Some(':')) = (chars.next(), chars.next()) else {
            warnings.push(Warning {
                line: line_no,
                message: format!(
                    "line is not `K:value`: {:?}; ignored",
                    line.chars().take(60).collect::<String>()
                ),
            });
            continue;
        };
        r.add(key, chars.as_str(), line_no, &mut warnings);
    }
    if let Some(r) = record.take() {
        packages.extend(r.finish(&mut warnings));
    }
    (packages, warnings)
}

struct Record {
    pkg: ApkPackage,
    has_name: bool,
    /// The directory of the last `F:` line, without leading or trailing slash.
    dir: String,
    seen: Vec<char>,
}

impl Record {
    fn new(line: usize) -> Self {
        Record {
            pkg: ApkPackage {
                line,
                ..ApkPackage::default()
            },
            has_name: false,
            dir: String::new(),
            seen: Vec::new(),
        }
    }

    fn add(&mut self, key: char, value: &str, line: usize, warnings: &mut Vec<Warning>) {
        let value = value.trim_end();
        let p = &mut self.pkg;
        // Keys that occur once per record: a repeat is suspicious but the later one wins.
        if "PVALocmUTCSIt".contains(key) {
            if self.seen.contains(&key) {
                warnings.push(Warning {
                    line,
                    message: format!("key {key} appears twice in one record; the later value wins"),
                });
            } else {
                self.seen.push(key);
            }
        }
        let text = || Some(value.to_string()).filter(|v| !v.is_empty());
        let mut number = |what: &str| match value.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                warnings.push(Warning {
                    line,
                    message: format!("{what} {value:?} is not a number; ignored"),
                });
                None
            }
        };
        let words = || {
            value
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        match key {
            'P' => {
                p.name = value.to_string();
                self.has_name = !value.is_empty();
            }
            'V' => p.version = value.to_string(),
            'A' => p.arch = text(),
            'L' => p.license = text(),
            'o' => p.origin = text(),
            'c' => p.commit = text(),
            'm' => p.maintainer = text(),
            'U' => p.url = text(),
            'T' => p.description = text(),
            'C' => p.checksum = text(),
            'S' => p.size = number("size"),
            'I' => p.installed_size = number("installed size"),
            't' => p.build_time = number("build time"),
            'D' => p.depends.extend(words()),
            'p' => p.provides.extend(words()),
            'r' => p.replaces.extend(words()),
            'F' => {
                self.dir = value.trim_matches('/').to_string();
                p.directories.push(format!("/{}", self.dir));
            }
            'R' => {
                if value.is_empty() || value.contains('/') {
                    warnings.push(Warning {
                        line,
                        message: format!("file name {value:?} is empty or has a slash; ignored"),
                    });
                } else if self.dir.is_empty() {
                    p.files.push(format!("/{value}"));
                } else {
                    p.files.push(format!("/{}/{value}", self.dir));
                }
            }
            // a, M, Z (ownership, ACLs, checksums), i, k, q, s and any later keys.
            _ => {}
        }
    }

    fn finish(self, warnings: &mut Vec<Warning>) -> Option<ApkPackage> {
        if !self.has_name {
            warnings.push(Warning {
                line: self.pkg.line,
                message: "record has no P: package name; skipped".into(),
            });
            return None;
        }
        if self.pkg.version.is_empty() {
            // apk cannot install a package without a version: the record is damaged, and a
            // package listed from it would have no version to identify it by.
            warnings.push(Warning {
                line: self.pkg.line,
                message: format!(
                    "package {} has no V: version; left out of the packages",
                    self.pkg.name
                ),
            });
            return None;
        }
        Some(self.pkg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTALLED: &[u8] = include_bytes!("test-fixtures/installed");

    fn by_name<'a>(pkgs: &'a [ApkPackage], name: &str) -> &'a ApkPackage {
        pkgs.iter().find(|p| p.name == name).expect(name)
    }

    #[test]
    fn a_real_database_parses_cleanly() {
        let (pkgs, warnings) = parse_installed(INSTALLED);
        assert!(warnings.is_empty(), "{warnings:?}");
        let names: Vec<&str> = pkgs.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "alpine-baselayout",
                "alpine-baselayout-data",
                "libssl3",
                "musl",
                "musl-utils",
                "ssl_client",
                "zlib"
            ]
        );
    }

    #[test]
    fn identity_license_origin_and_commit_are_read() {
        let (pkgs, _) = parse_installed(INSTALLED);
        let m = by_name(&pkgs, "musl-utils");
        assert_eq!(m.version, "1.2.4-r1");
        assert_eq!(m.arch.as_deref(), Some("aarch64"));
        assert_eq!(
            m.license.as_deref(),
            Some("MIT AND BSD-2-Clause AND GPL-2.0-or-later")
        );
        assert_eq!(m.origin.as_deref(), Some("musl"));
        assert_eq!(
            m.commit.as_deref(),
            Some("a6e14d1837131339f85ff337fbd4ecb8886945ae")
        );
        assert_eq!(
            m.maintainer.as_deref(),
            Some("Timo Teräs <timo.teras@iki.fi>")
        );
        assert_eq!((m.size, m.installed_size), (Some(38564), Some(286720)));
        assert_eq!(m.build_time, Some(1690477896));
        assert_eq!(m.url.as_deref(), Some("https://musl.libc.org/"));
        assert_eq!(
            m.checksum.as_deref(),
            Some("Q1IKHbsxlRheYEiOxSpa6D7WErOC0=")
        );
    }

    #[test]
    fn depends_provides_and_replaces_are_space_separated() {
        let (pkgs, _) = parse_installed(INSTALLED);
        let m = by_name(&pkgs, "musl-utils");
        assert_eq!(m.depends, ["scanelf", "so:libc.musl-aarch64.so.1"]);
        assert_eq!(m.provides.len(), 5);
        assert_eq!(m.replaces, ["libiconv"]);
    }

    #[test]
    fn files_are_folder_plus_name_under_the_last_f_line() {
        let (pkgs, _) = parse_installed(INSTALLED);
        let ssl = by_name(&pkgs, "libssl3");
        assert_eq!(ssl.files, ["/lib/libssl.so.3", "/usr/lib/libssl.so.3"]);
        assert_eq!(ssl.directories, ["/lib", "/usr", "/usr/lib"]);
        let base = by_name(&pkgs, "alpine-baselayout");
        assert!(base.files.contains(&"/etc/crontabs/root".to_string()));
        assert!(base.directories.contains(&"/tmp".to_string()));
    }

    #[test]
    fn a_file_before_any_folder_is_in_the_root() {
        let (pkgs, _) = parse_installed(b"P:x\nV:1\nR:init\n");
        assert_eq!(pkgs[0].files, ["/init"]);
    }

    #[test]
    fn unknown_keys_are_tolerated() {
        let (pkgs, warnings) = parse_installed(b"P:x\nV:1\nk:100\ng:whatever\n");
        assert!(warnings.is_empty());
        assert_eq!(pkgs.len(), 1);
    }

    #[test]
    fn crlf_and_a_missing_final_newline_are_tolerated() {
        let (pkgs, warnings) = parse_installed(b"P:a\r\nV:1\r\n\r\nP:b\r\nV:2");
        assert!(warnings.is_empty());
        assert_eq!(pkgs[1].version, "2");
    }

    #[test]
    fn a_record_without_name_is_skipped_with_a_warning() {
        let (pkgs, warnings) = parse_installed(b"V:1\nL:MIT\n\nP:b\nV:2\n");
        assert_eq!(pkgs.len(), 1);
        assert_eq!(warnings[0].line, 1);
    }

    #[test]
    fn a_record_without_version_is_left_out_with_a_warning() {
        let (pkgs, warnings) = parse_installed(b"P:a\nL:MIT\n\nP:b\nV:2\n");
        assert_eq!(pkgs.len(), 1);
        assert_eq!(pkgs[0].name, "b");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, 1);
        assert!(
            warnings[0].message.contains("no V: version"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn a_malformed_line_is_reported_and_the_record_kept() {
        let (pkgs, warnings) = parse_installed(b"P:a\nnonsense\nV:1\nS:big\n");
        assert_eq!(pkgs[0].version, "1");
        assert_eq!(pkgs[0].size, None);
        let lines: Vec<usize> = warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [2, 4]);
    }

    #[test]
    fn a_budget_stops_the_read_one_package_past_it() {
        let db = b"P:a\nV:1\n\nP:b\nV:2\n\nP:c\nV:3\n\nP:d\nV:4\n";
        let names = |limit| {
            let (pkgs, _) = parse_installed_within(db, limit);
            pkgs.into_iter().map(|p| p.name).collect::<Vec<_>>()
        };
        assert_eq!(names(1), ["a", "b"]);
        assert_eq!(names(4), ["a", "b", "c", "d"]);
    }

    #[test]
    fn a_repeated_single_key_warns_and_the_last_wins() {
        let (pkgs, warnings) = parse_installed(b"P:a\nV:1\nV:2\n");
        assert_eq!(pkgs[0].version, "2");
        assert_eq!(warnings[0].line, 3);
    }

    #[test]
    fn damaged_databases_never_panic() {
        crate::catalog::testutil::damage_loop(INSTALLED, 1500, |b| {
            let _ = parse_installed(b);
        });
    }
}
