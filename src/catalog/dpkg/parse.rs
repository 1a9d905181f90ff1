//! The dpkg database's formats: the status file (and distroless `status.d` files) and the
//! `info/*.list` file lists.
//!
//! dpkg records every package it knows in `var/lib/dpkg/status`, one deb822 paragraph per
//! package (see [`deb822`]). Distroless images have no dpkg and instead drop one control file
//! per package into `var/lib/dpkg/status.d/<name>` (same format, no `Status` field, and
//! `<name>.md5sums` files beside them that are not control files: see
//! [`is_status_d_control_file`]). Both are read with [`parse_status`] into [`DpkgPackage`]
//! records.
//!
//! The status file also lists packages that are removed but keep their configuration
//! (`deinstall ok config-files`) or are half-installed; they are returned too, and
//! [`DpkgPackage::is_installed`] tells whether the package's files are on disk. [`installed`]
//! keeps what dpkg itself counts as installed: in the status file only a record whose
//! `Status` says so, and in either file only one with a `Version`.
//!
//! Which files a package owns is in `var/lib/dpkg/info/<package>[:<arch>].list`
//! ([`parse_list`], [`split_list_file_name`]).
//!
//! Licenses are not in the status file: Debian keeps them in
//! `usr/share/doc/<package>/copyright`, which the caller reads separately. The raw paragraph is
//! kept ([`DpkgPackage::raw`]) so that later stages and debugging can see what dpkg saw.
//!
//! The parsers never fail: every damaged line, paragraph or relationship becomes a [`Warning`]
//! and is skipped, and everything that can still be read is returned.

use std::fmt;
use std::ops::ControlFlow;

use serde::Serialize;

use std::collections::hash_map::{Entry, HashMap};

pub use super::relation::{Dependency, Relation, VersionOp};
use crate::deb822;

/// Which kind of dpkg file a record was read from: the two say differently whether a
/// package is installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFile {
    /// `var/lib/dpkg/status`, written by dpkg: every record has a `Status`, and only some
    /// states are installed.
    Status,
    /// A distroless `status.d` file: no `Status`; the package is installed.
    StatusD,
}

/// The packages of `pkgs` that dpkg counts as installed in `file`; every record left out that
/// looked installed is a warning (see [`DpkgPackage::installed_in`]).
pub fn installed(
    pkgs: Vec<DpkgPackage>,
    file: StatusFile,
    warnings: &mut Vec<Warning>,
) -> Vec<DpkgPackage> {
    pkgs.into_iter()
        .filter(|p| match p.installed_in(file) {
            Ok(installed) => installed,
            Err(why) => {
                warnings.push(Warning::new(Some(p.line), Some(p.package.clone()), why));
                false
            }
        })
        .collect()
}

/// Something in a dpkg file that was skipped or guessed at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// 1-based line number in the file, when one applies.
    pub line: Option<usize>,
    /// The package concerned, when known.
    pub package: Option<String>,
    /// What was wrong and what was done about it.
    pub message: String,
}

impl Warning {
    pub(crate) fn new(
        line: Option<usize>,
        package: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Warning {
            line,
            package,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if let Some(p) = &self.package {
            write!(f, "package {p}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// One package paragraph of a dpkg status file or `status.d` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DpkgPackage {
    /// `Package`.
    pub package: String,
    /// `Version`, with epoch and revision as written (`1:2.38.1-5+deb12u3`). Empty when absent,
    /// which dpkg allows for packages that are not installed.
    pub version: String,
    /// `Architecture` (`amd64`, `all`).
    pub architecture: Option<String>,
    /// `Status` (`install ok installed`); absent in distroless `status.d` files.
    pub status: Option<String>,
    /// The source package: from `Source`, else the binary package name.
    pub source_name: String,
    /// The source version: from `Source: name (version)`, else the binary version.
    pub source_version: String,
    /// `Maintainer`.
    pub maintainer: Option<String>,
    /// `Homepage`.
    pub homepage: Option<String>,
    /// `Multi-Arch` (`same`, `foreign`, `allowed`).
    pub multi_arch: Option<String>,
    /// `Installed-Size`, in KiB as dpkg counts it.
    pub installed_size_kib: Option<u64>,
    /// `Depends`.
    pub depends: Relation,
    /// `Pre-Depends`.
    pub pre_depends: Relation,
    /// `Provides` (virtual packages this one stands in for).
    pub provides: Relation,
    /// 1-based line where the paragraph starts in its file.
    pub line: usize,
    /// The paragraph as written, at most [`MAX_RAW_LEN`] bytes.
    pub raw: String,
}

impl DpkgPackage {
    /// True when the package's files are on disk: either there is no `Status` (a distroless
    /// `status.d` entry) or its state (the third word) is `installed`, `triggers-awaited` or
    /// `triggers-pending`, whatever the wanted action (`install`, `hold`, `deinstall`…).
    /// `config-files`, `not-installed`, `half-installed`, `unpacked` and `half-configured` are
    /// not installed.
    pub fn is_installed(&self) -> bool {
        match &self.status {
            None => true,
            Some(s) => matches!(
                s.split_whitespace().nth(2),
                Some("installed" | "triggers-awaited" | "triggers-pending")
            ),
        }
    }

    /// Whether dpkg counts the package as installed in `file`: [`is_installed`] in a
    /// `status.d` file; in the status file dpkg writes, only with a `Status` that says so. A
    /// record without a `Version` is never installed (dpkg refuses such a record for an
    /// installed package). `Err` says why a record that looks installed is not counted.
    ///
    /// [`is_installed`]: DpkgPackage::is_installed
    pub fn installed_in(&self, file: StatusFile) -> Result<bool, &'static str> {
        if file == StatusFile::Status && self.status.is_none() {
            return Err("paragraph has no Status field, so dpkg does not count it as installed; left out of the packages");
        }
        if !self.is_installed() {
            return Ok(false);
        }
        if self.version.is_empty() {
            return Err(
                "installed package has no Version, which dpkg requires; left out of the packages",
            );
        }
        Ok(true)
    }

    /// The `<package>:<arch>` name dpkg uses for `Multi-Arch: same` packages (and for their
    /// `.list` files), else the plain package name.
    pub fn dpkg_name(&self) -> String {
        match (&self.multi_arch, &self.architecture) {
            (Some(m), Some(a)) if m == "same" && a != "all" => format!("{}:{a}", self.package),
            _ => self.package.clone(),
        }
    }
}

/// The most bytes of a paragraph's raw text that are kept (see [`DpkgPackage::raw`]).
pub const MAX_RAW_LEN: usize = 64 * 1024;

/// One deb822 paragraph as dpkg reads it: a field given twice keeps its last value.
struct Record {
    /// 1-based line number of the paragraph's first line.
    line: usize,
    /// Fields as (name, value), each name once; a continued value keeps its line breaks.
    fields: Vec<(String, String)>,
    /// The paragraph's text, at most [`MAX_RAW_LEN`] bytes (cut at a character boundary).
    raw: String,
}

impl Record {
    /// The value of a field, by case-insensitive name.
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The paragraphs of a status file, each line that fits no rule and each repeated field a
/// warning, as dpkg's own parser treats them.
#[cfg(test)]
fn records(bytes: &[u8]) -> (Vec<Record>, Vec<Warning>) {
    let mut out = Vec::new();
    let warnings = each_record(bytes, |r, _| {
        out.push(r);
        ControlFlow::Continue(())
    });
    (out, warnings)
}

/// Hands each paragraph of a status file to `each`, in order, until it breaks; returns
/// the warnings about the paragraphs read (see [`records`]).
fn each_record(
    bytes: &[u8],
    mut each: impl FnMut(Record, &mut Vec<Warning>) -> ControlFlow<()>,
) -> Vec<Warning> {
    let text = String::from_utf8_lossy(bytes);
    let mut warnings = Vec::new();
    if let std::borrow::Cow::Owned(_) = text {
        warnings.push(Warning::new(
            None,
            None,
            "file is not valid UTF-8; bad bytes were replaced with U+FFFD",
        ));
    }
    for p in deb822::paragraphs(&text) {
        for problem in &p.problems {
            warnings.push(match *problem {
                deb822::Problem::ContinuationFirst { line } => Warning::new(
                    Some(line),
                    None,
                    "continuation line before any field; ignored",
                ),
                deb822::Problem::NotAField { line, text } => Warning::new(
                    Some(line),
                    None,
                    format!(
                        "line is neither `Field: value` nor a continuation: {:?}; ignored",
                        text.chars().take(60).collect::<String>()
                    ),
                ),
            });
        }
        let mut fields: Vec<(String, String)> = Vec::with_capacity(p.fields.len());
        let mut index: HashMap<String, usize> = HashMap::with_capacity(p.fields.len());
        for f in &p.fields {
            let mut value = f.value.to_string();
            for c in &f.continuation {
                value.push('\n');
                value.push_str(c.trim_end());
            }
            match index.entry(f.name.to_ascii_lowercase()) {
                Entry::Occupied(at) => {
                    warnings.push(Warning::new(
                        Some(f.line),
                        None,
                        format!(
                            "field {} appears twice in one paragraph; the later value wins",
                            f.name
                        ),
                    ));
                    if let Some(existing) = fields.get_mut(*at.get()) {
                        existing.1 = value;
                    }
                }
                Entry::Vacant(slot) => {
                    slot.insert(fields.len());
                    fields.push((f.name.to_string(), value));
                }
            }
        }
        let (raw, cut) = raw_text(&p.lines);
        if cut {
            warnings.push(Warning::new(
                Some(p.line),
                None,
                format!("paragraph is longer than {MAX_RAW_LEN} bytes; its raw text was cut"),
            ));
        }
        let record = Record {
            line: p.line,
            fields,
            raw,
        };
        if each(record, &mut warnings).is_break() {
            break;
        }
    }
    warnings
}

/// A paragraph's lines, each ending in a newline, up to [`MAX_RAW_LEN`] bytes (cut at a
/// character boundary), and whether it was cut.
fn raw_text(lines: &[&str]) -> (String, bool) {
    let mut raw = String::new();
    for line in lines {
        if raw.len() + line.len() + 1 > MAX_RAW_LEN {
            let room = MAX_RAW_LEN.saturating_sub(raw.len());
            let mut cut = room.min(line.len());
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            raw.push_str(&line[..cut]);
            return (raw, true);
        }
        raw.push_str(line);
        raw.push('\n');
    }
    (raw, false)
}

/// Parses a dpkg `status` file, or one `status.d/<name>` file, into packages.
///
/// Paragraphs without a `Package` field are skipped with a warning; everything else is kept,
/// including packages that are not installed (filter with [`DpkgPackage::is_installed`]).
///
/// ```
/// use layerbom::catalog::dpkg::parse::parse_status;
/// let (pkgs, warnings) = parse_status(b"Package: zlib1g\nStatus: install ok installed\n\
///     Version: 1:1.2.13.dfsg-1\nSource: zlib\n");
/// assert!(warnings.is_empty());
/// assert_eq!(pkgs[0].source_name, "zlib");
/// assert_eq!(pkgs[0].source_version, "1:1.2.13.dfsg-1");
/// ```
pub fn parse_status(bytes: &[u8]) -> (Vec<DpkgPackage>, Vec<Warning>) {
    parse_status_within(bytes, usize::MAX)
}

/// [`parse_status`], stopping once more than `limit` installed packages are read: past
/// its budget, a status file costs no more than the budget.
pub fn parse_status_within(bytes: &[u8], limit: usize) -> (Vec<DpkgPackage>, Vec<Warning>) {
    let mut packages = Vec::new();
    let mut installed = 0usize;
    let warnings = each_record(bytes, |p, warnings| {
        if let Some(pkg) = package_from(p, warnings) {
            installed += usize::from(pkg.is_installed());
            packages.push(pkg);
        }
        if installed > limit {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    (packages, warnings)
}

fn package_from(p: Record, warnings: &mut Vec<Warning>) -> Option<DpkgPackage> {
    let field = |name: &str| p.get(name).map(str::to_string).filter(|v| !v.is_empty());
    let Some(package) = field("Package") else {
        warnings.push(Warning::new(
            Some(p.line),
            None,
            "paragraph has no Package field; skipped",
        ));
        return None;
    };
    let warn = |warnings: &mut Vec<Warning>, msg: String| {
        warnings.push(Warning::new(Some(p.line), Some(package.clone()), msg));
    };
    let version = field("Version").unwrap_or_default();
    let status = field("Status");
    let binary_source_version = || source_version_of_binary(&version).to_string();
    let (source_name, source_version) = match field("Source") {
        None => (package.clone(), binary_source_version()),
        Some(src) => match parse_source(&src) {
            Some((name, Some(v))) => (name, v),
            Some((name, None)) => (name, binary_source_version()),
            None => {
                warn(
                    warnings,
                    format!("Source field {src:?} is malformed; using the package name"),
                );
                (package.clone(), binary_source_version())
            }
        },
    };
    let installed_size_kib = field("Installed-Size").and_then(|s| match s.parse::<u64>() {
        Ok(n) => Some(n),
        Err(_) => {
            warn(
                warnings,
                format!("Installed-Size {s:?} is not a number; ignored"),
            );
            None
        }
    });
    let mut relation = |name: &str| {
        let (rel, problems) = Relation::parse(p.get(name).unwrap_or(""));
        for problem in problems {
            warn(warnings, format!("{name}: alternative {problem}; left out"));
        }
        rel
    };
    let depends = relation("Depends");
    let pre_depends = relation("Pre-Depends");
    let provides = relation("Provides");
    Some(DpkgPackage {
        version,
        architecture: field("Architecture"),
        status,
        source_name,
        source_version,
        maintainer: field("Maintainer"),
        homepage: field("Homepage"),
        multi_arch: field("Multi-Arch"),
        installed_size_kib,
        depends,
        pre_depends,
        provides,
        line: p.line,
        raw: p.raw,
        package,
    })
}

/// The source version of a binary whose `Source:` field gives none: its own version, less a
/// binNMU suffix (`+bN`, a rebuild without source change). dpkg writes the source version
/// into `Source:` whenever it differs, so the suffix is stripped only from damaged records.
pub fn source_version_of_binary(binary_version: &str) -> &str {
    if let Some(pos) = binary_version.rfind("+b") {
        let digits = &binary_version[pos + 2..];
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return &binary_version[..pos];
        }
    }
    binary_version
}

/// Splits `Source: name` or `Source: name (version)`.
fn parse_source(src: &str) -> Option<(String, Option<String>)> {
    let src = src.trim();
    match src.split_once('(') {
        None if !src.contains(char::is_whitespace) => Some((src.to_string(), None)),
        None => None,
        Some((name, rest)) => {
            let name = name.trim();
            let version = rest.strip_suffix(')')?.trim();
            if name.is_empty() || name.contains(char::is_whitespace) || version.is_empty() {
                return None;
            }
            Some((name.to_string(), Some(version.to_string())))
        }
    }
}

/// True for a `status.d` entry that is a control file, false for the `.md5sums` files that
/// distroless puts beside them.
pub fn is_status_d_control_file(file_name: &str) -> bool {
    !file_name.is_empty() && !file_name.ends_with(".md5sums") && !file_name.starts_with('.')
}

/// Parses a `var/lib/dpkg/info/*.list` file into the paths the package owns, in file order.
///
/// Paths are absolute, as dpkg writes them; the first line `/.` (the root directory) becomes
/// `/`. Blank lines and CR line ends are ignored; bytes that are not UTF-8 are replaced.
pub fn parse_list(bytes: &[u8]) -> Vec<String> {
    lines(bytes)
        .filter(|l| !l.is_empty())
        .map(|l| match l {
            b"/." => "/".to_string(),
            l => String::from_utf8_lossy(l).into_owned(),
        })
        .collect()
}

/// Parses a `md5sums` file (`<md5>  <path>` per line, paths relative to the root, as
/// `dpkg-deb` writes them and distroless keeps them in `status.d/<name>.md5sums`) into
/// absolute paths, in file order. It lists regular files only. Lines without a checksum
/// and a path are skipped; bytes that are not UTF-8 are replaced.
pub fn parse_md5sums(bytes: &[u8]) -> Vec<String> {
    lines(bytes)
        .filter_map(|l| {
            let (sum, rest) = l.split_at_checked(32)?;
            if !sum.iter().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let rest = String::from_utf8_lossy(rest);
            let mut after = rest.chars();
            after.next().filter(|c| c.is_whitespace())?;
            let path = after.as_str().trim_start();
            if path.is_empty() {
                return None;
            }
            let path = path.trim_start_matches('/');
            let mut absolute = String::with_capacity(path.len() + 1);
            absolute.push('/');
            absolute.push_str(path);
            Some(absolute)
        })
        .collect()
}

/// The lines of a file list, without their CR line ends. (Per line, bytes that are not
/// UTF-8 are replaced as they would be in the whole file: a line feed ends no sequence.)
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(bytes);
    std::iter::from_fn(move || {
        let r = rest?;
        let line = match memchr::memchr(b'\n', r) {
            Some(end) => {
                rest = Some(&r[end + 1..]);
                &r[..end]
            }
            None => {
                rest = None;
                r
            }
        };
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    })
}

/// Splits a `.list` file name (or a path ending in one) into package name and architecture:
/// `zlib1g:amd64.list` → `("zlib1g", Some("amd64"))`, `bsdutils.list` → `("bsdutils", None)`.
/// Returns `None` if the name does not end in `.list` or has no package name.
pub fn split_list_file_name(name: &str) -> Option<(String, Option<String>)> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let stem = base.strip_suffix(".list")?;
    let (pkg, arch) = match stem.split_once(':') {
        Some((p, a)) if !a.is_empty() => (p, Some(a.to_string())),
        Some(_) => return None,
        None => (stem, None),
    };
    if pkg.is_empty() {
        return None;
    }
    Some((pkg.to_string(), arch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5sums_give_the_regular_files_as_absolute_paths() {
        let text = b"0123456789abcdef0123456789abcdef  usr/lib/x86_64-linux-gnu/libssl.so.3\r\nnot a line\n\nfedcba9876543210fedcba9876543210  usr/share/doc/libssl3/copyright\n";
        assert_eq!(
            parse_md5sums(text),
            [
                "/usr/lib/x86_64-linux-gnu/libssl.so.3",
                "/usr/share/doc/libssl3/copyright"
            ]
        );
        assert!(parse_md5sums(b"\xff\xfe  \n  x").is_empty());
    }

    /// The file lists as they were parsed when the whole file was first made text: the
    /// byte-level parsers must give the same paths for any bytes.
    fn list_as_text(bytes: &[u8]) -> Vec<String> {
        String::from_utf8_lossy(bytes)
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .filter(|l| !l.is_empty())
            .map(|l| if l == "/." { "/".into() } else { l.into() })
            .collect()
    }

    fn md5sums_as_text(bytes: &[u8]) -> Vec<String> {
        String::from_utf8_lossy(bytes)
            .split('\n')
            .filter_map(|l| {
                let l = l.strip_suffix('\r').unwrap_or(l);
                let (sum, path) = l.split_once(char::is_whitespace)?;
                let path = path.trim_start();
                (sum.len() == 32 && sum.bytes().all(|b| b.is_ascii_hexdigit()) && !path.is_empty())
                    .then(|| format!("/{}", path.trim_start_matches('/')))
            })
            .collect()
    }

    #[test]
    fn file_lists_parse_as_they_did_as_text() {
        let sum = "0123456789abcdef0123456789ABCDEF";
        let mut cases: Vec<Vec<u8>> = [
            format!("{sum}  usr/bin/x\r\n{sum}\tetc/y\n{sum}\u{a0}usr/z\n{sum}\u{3000} a b \n"),
            format!("{sum}  //lib/x\n{sum}  /\n{sum}   \n{sum}\n{sum}x  y\n{sum}\r  z\r\r\n"),
            "/.\n/usr\n\n/usr/bin/ls\r\n /lead\n\r\n/.\r".to_string(),
            format!("0123456789abcdef0123456789abcde  short\n{sum}0  long\n"),
        ]
        .map(String::into_bytes)
        .into();
        cases.push(
            [
                sum.as_bytes(),
                b"  bad\xff\xfename\n/\xc3\n\xe2\x82 ",
                sum.as_bytes(),
            ]
            .concat(),
        );
        cases.push(b"\xff\xfe  \n  x\n/a\xf0\x9f\n".to_vec());
        cases.push([sum.as_bytes(), b" \xc2\xa0path\xc2\n"].concat());
        for bytes in &cases {
            assert_eq!(parse_list(bytes), list_as_text(bytes), "{bytes:?}");
            assert_eq!(parse_md5sums(bytes), md5sums_as_text(bytes), "{bytes:?}");
        }
    }

    const STATUS: &[u8] = include_bytes!("test-fixtures/status");
    const STATUS_D: &[u8] = include_bytes!("test-fixtures/status.d/libssl3");

    fn by_name<'a>(pkgs: &'a [DpkgPackage], name: &str) -> &'a DpkgPackage {
        pkgs.iter().find(|p| p.package == name).expect(name)
    }

    #[test]
    fn real_status_paragraphs_all_parse_cleanly() {
        let (pkgs, warnings) = parse_status(STATUS);
        assert!(warnings.is_empty(), "{warnings:?}");
        let names: Vec<&str> = pkgs.iter().map(|p| p.package.as_str()).collect();
        assert_eq!(
            names,
            [
                "base-files",
                "bsdutils",
                "libc6",
                "zlib1g",
                "tzdata",
                "dpkg-dev"
            ]
        );
        assert!(pkgs.iter().all(DpkgPackage::is_installed));
    }

    #[test]
    fn source_with_version_gives_source_name_and_version() {
        let (pkgs, _) = parse_status(STATUS);
        let p = by_name(&pkgs, "bsdutils");
        assert_eq!(p.source_name, "util-linux");
        assert_eq!(p.source_version, "2.38.1-5+deb12u3");
        assert_eq!(p.version, "1:2.38.1-5+deb12u3");
    }

    #[test]
    fn bare_source_takes_the_binary_version() {
        let (pkgs, _) = parse_status(STATUS);
        let p = by_name(&pkgs, "libc6");
        assert_eq!(
            (p.source_name.as_str(), p.source_version.as_str()),
            ("glibc", "2.36-9+deb12u14")
        );
    }

    #[test]
    fn binnmu_suffixes_are_not_part_of_the_source_version() {
        assert_eq!(source_version_of_binary("1.2-3+b1"), "1.2-3");
        assert_eq!(
            source_version_of_binary("1:2.0-1+deb12u1+b12"),
            "1:2.0-1+deb12u1"
        );
        assert_eq!(
            source_version_of_binary("2.36-9+deb12u14"),
            "2.36-9+deb12u14"
        );
        assert_eq!(source_version_of_binary("1.0+bzr42-1"), "1.0+bzr42-1");
        assert_eq!(source_version_of_binary("1.0+b"), "1.0+b");
        let (pkgs, _) = parse_status(
            b"Package: libx\nStatus: install ok installed\nVersion: 1.2-3+b1\nSource: x (1.2-3)\n\nPackage: liby\nStatus: install ok installed\nVersion: 1.2-3+b2\nSource: y\n",
        );
        assert_eq!(pkgs[0].source_version, "1.2-3");
        assert_eq!(pkgs[1].source_version, "1.2-3");
    }

    #[test]
    fn no_source_means_the_package_is_its_own_source() {
        let (pkgs, _) = parse_status(STATUS);
        let p = by_name(&pkgs, "tzdata");
        assert_eq!(
            (p.source_name.as_str(), p.source_version.as_str()),
            ("tzdata", "2025b-0+deb12u2")
        );
    }

    #[test]
    fn pre_depends_and_multi_arch_are_read() {
        let (pkgs, _) = parse_status(STATUS);
        let p = by_name(&pkgs, "bsdutils");
        assert_eq!(p.multi_arch.as_deref(), Some("foreign"));
        assert_eq!(
            p.pre_depends.names().collect::<Vec<_>>(),
            ["libc6", "libsystemd0"]
        );
        assert_eq!(p.installed_size_kib, Some(355));
        assert_eq!(
            p.homepage.as_deref(),
            Some("https://www.kernel.org/pub/linux/utils/util-linux/")
        );
        let libc = by_name(&pkgs, "libc6");
        assert_eq!(libc.dpkg_name(), "libc6:amd64");
        assert_eq!(p.dpkg_name(), "bsdutils");
    }

    #[test]
    fn depends_keep_raw_text_arch_qualifiers_and_alternatives() {
        let (pkgs, _) = parse_status(STATUS);
        let dev = by_name(&pkgs, "dpkg-dev");
        assert!(dev
            .depends
            .raw
            .starts_with("perl:any, libdpkg-perl (= 1.21.22)"));
        assert_eq!(dev.depends.groups[0][0].arch.as_deref(), Some("any"));
        let tz = by_name(&pkgs, "tzdata");
        assert_eq!(tz.depends.groups[0].len(), 2);
        assert_eq!(
            by_name(&pkgs, "zlib1g")
                .provides
                .names()
                .collect::<Vec<_>>(),
            ["libz1"]
        );
    }

    #[test]
    fn raw_paragraph_is_kept() {
        let (pkgs, _) = parse_status(STATUS);
        let p = by_name(&pkgs, "base-files");
        assert!(p.raw.starts_with("Package: base-files\n"));
        assert!(p
            .raw
            .contains(" /etc/debian_version 8031d1483ffa9c819e6be94c6c77fd2a\n"));
        assert_eq!(p.line, 1);
    }

    #[test]
    fn a_budget_stops_the_read_one_installed_package_past_it() {
        let text = b"Package: a\nStatus: install ok installed\nVersion: 1\n\n\
            Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n\
            Package: b\nStatus: install ok installed\nVersion: 1\n\n\
            Package: c\nStatus: install ok installed\nVersion: 1\n";
        let names = |limit| {
            let (pkgs, _) = parse_status_within(text, limit);
            pkgs.into_iter().map(|p| p.package).collect::<Vec<_>>()
        };
        assert_eq!(names(1), ["a", "gone", "b"]);
        assert_eq!(names(3), ["a", "gone", "b", "c"]);
    }

    #[test]
    fn a_status_d_entry_counts_like_a_status_paragraph() {
        let (pkgs, warnings) = parse_status(STATUS_D);
        assert!(warnings.is_empty());
        let p = &pkgs[0];
        assert_eq!(p.package, "libssl3");
        assert_eq!(p.status, None);
        assert!(p.is_installed());
        assert_eq!(p.source_name, "openssl");
        assert_eq!(p.source_version, p.version);
        assert!(is_status_d_control_file("libssl3"));
        assert!(!is_status_d_control_file("libssl3.md5sums"));
    }

    #[test]
    fn only_installed_states_count_as_installed() {
        let text = b"Package: a\nStatus: deinstall ok config-files\nVersion: 1\n\n\
            Package: b\nStatus: hold ok installed\nVersion: 1\n\n\
            Package: c\nStatus: install ok half-installed\nVersion: 1\n\n\
            Package: d\nStatus: install ok triggers-pending\nVersion: 1\n";
        let (pkgs, _) = parse_status(text);
        let installed: Vec<bool> = pkgs.iter().map(DpkgPackage::is_installed).collect();
        assert_eq!(installed, [false, true, false, true]);
    }

    #[test]
    fn the_status_file_counts_only_records_dpkg_counts_as_installed() {
        let text = b"Package: a\nStatus: install ok installed\nVersion: 1\n\n\
            Package: nostatus\nVersion: 1\n\n\
            Package: noversion\nStatus: install ok installed\n\n\
            Package: gone\nStatus: deinstall ok config-files\n";
        let (pkgs, warnings) = parse_status(text);
        assert!(warnings.is_empty(), "{warnings:?}");
        let mut warnings = Vec::new();
        let kept = installed(pkgs, StatusFile::Status, &mut warnings);
        let names: Vec<&str> = kept.iter().map(|p| p.package.as_str()).collect();
        assert_eq!(names, ["a"]);
        let left_out: Vec<(Option<usize>, Option<&str>)> = warnings
            .iter()
            .map(|w| (w.line, w.package.as_deref()))
            .collect();
        assert_eq!(
            left_out,
            [(Some(5), Some("nostatus")), (Some(8), Some("noversion"))]
        );
    }

    #[test]
    fn a_status_d_record_needs_no_status_but_a_version() {
        let (pkgs, _) = parse_status(b"Package: a\nVersion: 1\n\nPackage: b\n");
        let mut warnings = Vec::new();
        let kept = installed(pkgs, StatusFile::StatusD, &mut warnings);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].package, "a");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].package.as_deref(), Some("b"));
    }

    #[test]
    fn a_paragraph_without_package_is_skipped_with_a_warning() {
        let (pkgs, warnings) = parse_status(b"Version: 1\n\nPackage: b\nVersion: 2\n");
        assert_eq!(pkgs.len(), 1);
        assert_eq!(warnings[0].line, Some(1));
    }

    #[test]
    fn a_malformed_source_falls_back_to_the_package() {
        let (pkgs, warnings) = parse_status(b"Package: a\nVersion: 1\nSource: x (2\n");
        assert_eq!(pkgs[0].source_name, "a");
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn a_bad_installed_size_is_ignored_with_a_warning() {
        let (pkgs, warnings) = parse_status(b"Package: a\nVersion: 1\nInstalled-Size: lots\n");
        assert_eq!(pkgs[0].installed_size_kib, None);
        assert_eq!(warnings[0].package.as_deref(), Some("a"));
    }

    #[test]
    fn quirky_input_keeps_every_package() {
        let text =
            b"# comment\r\nPackage: a\r\nVersion: 1 \r\nDescription: x\r\n\tmore\r\n \t \r\n\
            Package: b\nVersion: 2\nMaintainer: J\xf6rg\nVersion: 3\n\n\n\nPackage: c\nVersion: 4";
        let (pkgs, warnings) = parse_status(text);
        let got: Vec<(&str, &str)> = pkgs
            .iter()
            .map(|p| (p.package.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(got, [("a", "1"), ("b", "3"), ("c", "4")]);
        assert_eq!(warnings.len(), 2); // not UTF-8; duplicate Version
    }

    #[test]
    fn list_files_give_absolute_paths_with_root_as_slash() {
        let paths = parse_list(include_bytes!("test-fixtures/info/zlib1g:amd64.list"));
        assert_eq!(paths[0], "/");
        assert!(paths.iter().all(|p| p.starts_with('/')));
        assert!(paths.iter().any(|p| p.starts_with("/usr/share/doc/zlib1g")));
        assert_eq!(
            parse_list(b"/.\r\n/usr\r\n\r\n/usr/bin"),
            ["/", "/usr", "/usr/bin"]
        );
        assert_eq!(
            parse_list(include_bytes!("test-fixtures/info/bsdutils.list")).len(),
            34
        );
    }

    #[test]
    fn list_file_names_split_into_package_and_arch() {
        assert_eq!(
            split_list_file_name("var/lib/dpkg/info/zlib1g:amd64.list"),
            Some(("zlib1g".into(), Some("amd64".into())))
        );
        assert_eq!(
            split_list_file_name("bsdutils.list"),
            Some(("bsdutils".into(), None))
        );
        assert_eq!(split_list_file_name("bsdutils.md5sums"), None);
        assert_eq!(split_list_file_name(".list"), None);
        assert_eq!(split_list_file_name("x:.list"), None);
    }

    #[test]
    fn damaged_status_files_never_panic() {
        crate::catalog::testutil::damage_loop(STATUS, 1500, |b| {
            let _ = parse_status(b);
            let _ = parse_list(b);
        });
    }

    #[test]
    fn non_utf8_bytes_are_replaced_and_reported() {
        let (p, w) = records(b"Package: a\nMaintainer: J\xf6rg\n");
        assert_eq!(p[0].get("Maintainer"), Some("J\u{fffd}rg"));
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn a_duplicate_field_keeps_the_last_value_and_warns() {
        let (p, w) = records(b"Package: a\nVersion: 1\nversion: 2\n");
        assert_eq!(p[0].get("Version"), Some("2"));
        assert_eq!(w[0].line, Some(3));
    }

    #[test]
    fn a_line_without_colon_is_reported_and_ignored() {
        let (p, w) = records(b"Package: a\ngarbage\nVersion: 1\n");
        assert_eq!(p[0].get("Version"), Some("1"));
        assert_eq!(w[0].line, Some(2));
    }

    #[test]
    fn continued_values_keep_their_line_breaks() {
        let (p, _) = records(b"Description: short\n long one\n\tlong two  \n");
        assert_eq!(p[0].get("description"), Some("short\nlong one\nlong two"));
    }

    #[test]
    fn raw_text_is_bounded() {
        let long = format!("Package: a\nDescription: x\n{}\n", " y\n".repeat(40_000));
        let (p, w) = records(long.as_bytes());
        assert!(p[0].raw.len() <= MAX_RAW_LEN);
        assert!(w.iter().any(|w| w.message.contains("raw text was cut")));
    }
}
