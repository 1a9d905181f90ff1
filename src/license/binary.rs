//! Which parts of a source package's copyright file a binary package ships.
//!
//! A Debian copyright file describes the *source* package: it has `Files:` stanzas for
//! Debian's packaging (`debian/*`), for the build system (`config.guess`, `ltmain.sh`,
//! `m4/*`), for tests, documentation and examples, for code only built on other systems,
//! and for programs that go into other binary packages. A binary package is under the
//! licenses of the files it actually installs, so each stanza is weighed against the
//! package's own file list (dpkg's `info/PKG.list`) and what the stanza's patterns name:
//!
//! - `debian/` files are Debian's packaging; they are kept only when the package ships
//!   something Debian may have written into it: a file named like the one the stanza names
//!   (`debian/clear_console.c` → `/usr/bin/clear_console`), or, for `debian/*`, programs,
//!   scripts or their manual pages (bzip2's `bzexe` is Debian's). A library, its headers and
//!   its data are built from the upstream source.
//! - Build-system files are never installed, except the macros and CMake files a `-dev`
//!   package ships by name.
//! - Tests, examples, documentation and manual pages count only when the package installs
//!   such files; `Files:` for Windows, macOS or VMS sources never do.
//! - Programs (`tools/`, `programs/`, `utils/`, `plugins/` at the top of the source tree)
//!   count only for a package that installs programs.
//! - A library built from files a stanza names by the library's own name (`keyutils.*` for
//!   `libkeyutils.so.1`) is that stanza's: the catch-all `Files: *` then covers the rest of
//!   the source package, which goes into other binary packages.
//!
//! Everything else is kept: when it is not clear that a stanza's files are left out, they
//! are assumed to be shipped. Each stanza left out carries its reason into the evidence.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

/// What a binary package installs, as far as stanzas are concerned.
#[derive(Debug, Clone, Default)]
pub struct Shipped {
    /// Root-relative paths without a leading `/`, when the database lists them.
    files: Vec<String>,
    /// The stems of their base names (see [`stem`]), in ASCII lower case, made on first
    /// use.
    stems: OnceLock<HashSet<String>>,
    /// Whether the list is known (else only what is never installed is left out).
    known: bool,
    programs: bool,
    program_manuals: bool,
    manuals: bool,
    info: bool,
    docs: bool,
    tests: bool,
    examples: bool,
    /// The stems of the shared libraries it installs (`keyutils` for `libkeyutils.so.1`).
    libraries: Vec<String>,
}

/// Why a stanza's files are not in the binary package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Left {
    /// Debian's packaging (`debian/`), which the package does not install.
    Packaging,
    /// Build-system files (autotools, CMake, meson), never installed.
    BuildSystem,
    /// Scripts the package does not install.
    Scripts,
    /// Tests, which the package does not install.
    Tests,
    /// Documentation or manual pages, which the package does not install.
    Documentation,
    /// Examples, which the package does not install.
    Examples,
    /// Code for other operating systems (Windows, macOS, VMS, …).
    OtherPlatform,
    /// Programs, which a package that installs none does not ship.
    Programs,
    /// The rest of the source package: the library is built from the files a stanza names
    /// after it.
    OtherBinaries,
    /// Not the package's own code: a library it uses, whose license the copyright file
    /// mentions for information ("The 'readline' module makes use of GNU Readline").
    UsedLibrary,
}

impl fmt::Display for Left {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Left::Packaging => "Debian's packaging, which this package does not install",
            Left::BuildSystem => "build-system files, which are not installed",
            Left::Scripts => "scripts, which this package does not install",
            Left::Tests => "tests, which this package does not install",
            Left::Documentation => {
                "documentation or manual pages, which this package does not install"
            }
            Left::Examples => "examples, which this package does not install",
            Left::OtherPlatform => "code for other operating systems",
            Left::Programs => "programs, and this package installs none",
            Left::OtherBinaries => {
                "the rest of the source package: this library is built from the files another stanza names after it"
            }
            Left::UsedLibrary => {
                "about a library the package makes use of, not the package's own terms"
            }
        })
    }
}

/// Directories and names whose files belong to the build system.
const BUILD_DIRS: [&str; 7] = [
    "m4",
    "build-aux",
    "cmake",
    "autoconf",
    "autom4te.cache",
    "admin",
    "buildtools",
];
const BUILD_FILES: [&str; 35] = [
    "config.guess",
    "libtool-ldflags",
    "config.sub",
    "ltmain.sh",
    "install-sh",
    "depcomp",
    "missing",
    "compile",
    "mkinstalldirs",
    "ylwrap",
    "test-driver",
    "ar-lib",
    "aclocal.m4",
    "configure",
    "configure.ac",
    "configure.in",
    "makefile.in",
    "makefile.am",
    "gnumakefile",
    "makefile",
    "libtool",
    "autogen.sh",
    "bootstrap",
    "bootstrap.sh",
    "cmakelists.txt",
    "meson.build",
    "meson_options.txt",
    "gtk-doc.make",
    "config.rpath",
    "texinfo.tex",
    "py-compile",
    "mdate-sh",
    "elisp-comp",
    "install.sh",
    "acinclude.m4",
];
/// Extensions of interpreted scripts.
const SCRIPT_EXTENSIONS: [&str; 8] = ["sh", "bash", "pl", "pm", "py", "awk", "sed", "tcl"];
const TEST_DIRS: [&str; 21] = [
    "fuzz",
    "fuzzing",
    "test",
    "tests",
    "testsuite",
    "t",
    "testdata",
    "test-data",
    "unittests",
    "unittest",
    "regress",
    "regression",
    "fuzz",
    "fuzzing",
    "oss-fuzz",
    "ossfuzz",
    "testcases",
    "perf",
    "bench",
    "benchmark",
    "benchmarks",
];
const DOC_DIRS: [&str; 7] = [
    "doc",
    "docs",
    "documentation",
    "man",
    "manual",
    "info",
    "texinfo",
];
const EXAMPLE_DIRS: [&str; 6] = ["example", "examples", "demo", "demos", "sample", "samples"];
const PLATFORM_DIRS: [&str; 24] = [
    "win32", "win64", "windows", "w32", "wince", "macos", "macosx", "osx", "darwin", "vms",
    "msdos", "dos", "os2", "amiga", "beos", "haiku", "riscos", "djgpp", "msvc", "visualc",
    "vstudio", "watcom", "mingw", "cygwin",
];
const PLATFORM_EXTENSIONS: [&str; 9] = [
    "bat", "cmd", "vcxproj", "vcproj", "sln", "dsp", "dsw", "rc", "com",
];
const PROGRAM_DIRS: [&str; 10] = [
    "tools", "programs", "utils", "util", "plugins", "contrib", "apps", "cli", "cmd", "bin",
];

impl Shipped {
    /// What a package installs, from the files its database lists (root-relative or
    /// absolute).
    pub fn from_files<S: AsRef<str>>(files: &[S]) -> Shipped {
        let files: Vec<String> = files
            .iter()
            .map(|f| f.as_ref().trim_start_matches('/').to_string())
            .filter(|f| !f.is_empty() && f != ".")
            .collect();
        let mut s = Shipped {
            known: true,
            ..Shipped::default()
        };
        for f in &files {
            if let Some(stem) = f.rsplit('/').next().and_then(library_stem) {
                if !s.libraries.contains(&stem) {
                    s.libraries.push(stem);
                }
            }
            // A file at the root is in no directory a flag looks at.
            let Some((dirs, _)) = f.rsplit_once('/') else {
                continue;
            };
            // Each flag, once set, stays set: the checks below are skipped for it.
            if !s.programs {
                let top = f.split('/').next().unwrap_or_default();
                s.programs = matches!(top, "bin" | "sbin")
                    || f.starts_with("usr/bin/")
                    || f.starts_with("usr/sbin/")
                    || f.starts_with("usr/games/")
                    || f.starts_with("usr/libexec/")
                    || f.starts_with("etc/init.d/")
                    || f.starts_with("etc/cron.")
                    || f.starts_with("lib/udev/")
                    || f.starts_with("usr/lib/udev/");
            }
            if let Some(section) = f.strip_prefix("usr/share/man/") {
                s.manuals = true;
                // Program and configuration pages (1, 5, 6, 8), not library API pages (3).
                let section = section.rsplit('/').nth(1).unwrap_or_default();
                s.program_manuals |= ["man1", "man5", "man6", "man7", "man8"].contains(&section);
            }
            let info = f.starts_with("usr/share/info/");
            s.info |= info && f.matches('/').count() >= 3;
            if !s.docs {
                s.docs = info
                    || f.starts_with("usr/share/gtk-doc/")
                    || f.starts_with("usr/share/help/")
                    || f.starts_with("usr/share/devhelp/")
                    || is_real_doc(f);
            }
            if !(s.tests && s.examples) {
                for dir in dirs.split('/') {
                    s.tests |= TEST_DIRS.contains(&dir) || dir == "installed-tests";
                    s.examples |= EXAMPLE_DIRS.contains(&dir);
                }
            }
        }
        s.docs |= s.manuals;
        s.files = files;
        s
    }

    /// What a package installs when its database lists no files (a distroless image):
    /// guessed from its name only as far as libraries go.
    pub fn unknown(package: &str) -> Shipped {
        let library = package.starts_with("lib")
            && !["-bin", "-utils", "-tools", "-progs"]
                .iter()
                .any(|s| package.ends_with(s));
        Shipped {
            known: false,
            programs: !library,
            program_manuals: !library,
            manuals: true,
            info: true,
            docs: true,
            tests: true,
            examples: true,
            ..Shipped::default()
        }
    }

    /// The stems of the shared and static libraries it installs (`stdc++` for
    /// `libstdc++.so.6`).
    pub fn libraries(&self) -> &[String] {
        &self.libraries
    }

    /// Whether a stanza whose `Files:` are `patterns` is shipped; when it is not, why. A
    /// stanza is left out only when every one of its patterns is.
    pub fn stanza(&self, patterns: &[String]) -> Result<(), Left> {
        let mut why = None;
        for p in patterns {
            match self.pattern(p) {
                Ok(()) => return Ok(()),
                Err(left) => why = why.or(Some(left)),
            }
        }
        why.map_or(Ok(()), Err)
    }

    /// Whether the catch-all stanza (`Files: *`) is shipped, given every stanza's
    /// patterns: not when the package is a library (no programs) built from files that
    /// another, kept, stanza names after the library.
    pub fn catch_all(&self, others: &[&[String]]) -> Result<(), Left> {
        if !self.known || self.programs || self.libraries.is_empty() {
            return Ok(());
        }
        let named = |stem: &str| {
            others.iter().any(|patterns| {
                patterns.iter().any(|p| {
                    !p.contains('/')
                        && p.split_once('.')
                            .is_some_and(|(base, _)| base.eq_ignore_ascii_case(stem))
                })
            })
        };
        if self.libraries.iter().all(|stem| named(stem)) {
            Err(Left::OtherBinaries)
        } else {
            Ok(())
        }
    }

    fn pattern(&self, pattern: &str) -> Result<(), Left> {
        let p = pattern.trim_start_matches("./");
        if p == "*" || p.is_empty() {
            return Ok(());
        }
        let parts: Vec<&str> = p.split('/').collect();
        let lower: Vec<String> = parts.iter().map(|s| s.to_ascii_lowercase()).collect();
        let dirs = &lower[..lower.len() - 1];
        let base = lower.last().map(String::as_str).unwrap_or_default();
        if lower[0] == "debian" {
            return self.packaging(&parts);
        }
        if dirs.iter().any(|d| PLATFORM_DIRS.contains(&d.as_str()))
            || base
                .trim_end_matches(".in")
                .rsplit_once('.')
                .is_some_and(|(_, ext)| PLATFORM_EXTENSIONS.contains(&ext))
        {
            return Err(Left::OtherPlatform);
        }
        let build = dirs.iter().any(|d| BUILD_DIRS.contains(&d.as_str()))
            || BUILD_FILES.contains(&base)
            || [".m4", ".cmake", ".mk", ".am"]
                .iter()
                .any(|e| base.ends_with(e));
        if build {
            return if self.ships_named(base) {
                Ok(())
            } else {
                Err(Left::BuildSystem)
            };
        }
        // A script is installed as itself or not at all: it is never compiled into a
        // program or library (libffi's `make_sunver.pl` and `msvcc.sh`).
        let script = !base.contains(['*', '?'])
            && base
                .rsplit_once('.')
                .is_some_and(|(_, ext)| SCRIPT_EXTENSIONS.contains(&ext));
        if script && self.known && !self.ships_named(base) {
            return Err(Left::Scripts);
        }
        if dirs.iter().any(|d| TEST_DIRS.contains(&d.as_str())) && !self.tests {
            return Err(Left::Tests);
        }
        if dirs.iter().any(|d| EXAMPLE_DIRS.contains(&d.as_str())) && !self.examples {
            return Err(Left::Examples);
        }
        if let Some(section) = manual_section(base) {
            let installed = if section == '3' {
                self.manuals
            } else {
                self.program_manuals
            };
            if !installed {
                return Err(Left::Documentation);
            }
        }
        let doc = dirs.iter().any(|d| DOC_DIRS.contains(&d.as_str()))
            || [".texi", ".texinfo", ".info"]
                .iter()
                .any(|e| base.ends_with(e));
        if doc {
            let texinfo = [".texi", ".texinfo", ".info"]
                .iter()
                .any(|e| base.ends_with(e));
            if (texinfo && !self.info) || !self.docs {
                return Err(Left::Documentation);
            }
        }
        if lower.len() > 1 && PROGRAM_DIRS.contains(&lower[0].as_str()) && !self.programs {
            return Err(Left::Programs);
        }
        Ok(())
    }

    /// A `debian/…` pattern: kept when the package ships a file named like it, or for a
    /// wildcard, when it ships programs, scripts or their manual pages.
    fn packaging(&self, parts: &[&str]) -> Result<(), Left> {
        let base = parts.last().copied().unwrap_or_default();
        let second = parts.get(1).copied().unwrap_or_default();
        // Translations of debconf templates, the build recipe, the autopkgtests and the
        // patches' own bookkeeping are never installed as files of the package.
        if matches!(
            second,
            "po" | "rules" | "tests" | "control" | "watch" | "source" | "upstream"
        ) && parts.len() >= 2
        {
            return Err(Left::Packaging);
        }
        // Patches change the upstream source, which is built into the package.
        if second == "patches" {
            return Ok(());
        }
        if base.contains('*') || base.contains('?') {
            if parts.len() == 2 && base == "*" {
                return if self.programs || self.program_manuals {
                    Ok(())
                } else {
                    Err(Left::Packaging)
                };
            }
            // `debian/DIR/*`: files Debian adds under a directory of their own, usually a
            // program (`debian/saslfinger/*`) that goes into the package named after it or
            // into one that installs programs.
            if base.chars().all(|c| matches!(c, '*' | '.' | '?')) {
                return if self.programs || self.ships_named(second) {
                    Ok(())
                } else {
                    Err(Left::Packaging)
                };
            }
            return if self.ships_matching(base) {
                Ok(())
            } else {
                Err(Left::Packaging)
            };
        }
        if self.ships_named(base) {
            Ok(())
        } else {
            Err(Left::Packaging)
        }
    }

    /// Whether the package installs a file with the same stem as `name` (`clear_console.c`
    /// and `/usr/bin/clear_console`, `bzexe.1` and `bzexe.1.gz`).
    fn ships_named(&self, name: &str) -> bool {
        if !self.known {
            return false;
        }
        let want = stem(name);
        let stems = self.stems.get_or_init(|| {
            self.files
                .iter()
                .map(|f| stem(f.rsplit('/').next().unwrap_or(f)).to_ascii_lowercase())
                .collect()
        });
        !want.is_empty() && stems.contains(&want.to_ascii_lowercase())
    }

    /// Whether the package installs a file whose name matches the glob `pattern` (`*` and
    /// `?` only).
    fn ships_matching(&self, pattern: &str) -> bool {
        self.known
            && self
                .files
                .iter()
                .any(|f| glob(pattern, f.rsplit('/').next().unwrap_or(f)))
    }
}

/// Whether a path under `usr/share/doc/` is documentation of the software, not the
/// packaging's own files (copyright, changelogs, `README.Debian`, `NEWS.Debian`).
fn is_real_doc(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("usr/share/doc/") else {
        return false;
    };
    let Some((_, file)) = rest.split_once('/') else {
        return false;
    };
    let lower = file.to_ascii_lowercase();
    let name = lower.split('.').next().unwrap_or_default();
    !(lower == "copyright" || lower.starts_with("buildinfo") || UPSTREAM_NOTES.contains(&name))
}

/// The notes at the top of a source tree that packages copy into `/usr/share/doc/PKG/`
/// (`README.gz`, `NEWS.gz`, `changelog.Debian.gz`): they are not built from the
/// documentation sources a copyright file's `doc/` stanzas describe.
const UPSTREAM_NOTES: [&str; 14] = [
    "readme",
    "news",
    "changelog",
    "changes",
    "authors",
    "thanks",
    "todo",
    "bugs",
    "credits",
    "history",
    "maintainers",
    "contributors",
    "hacking",
    "notice",
];

/// The section of a manual page or its source (`ls.1`, `dbus-send.1.xml.in`,
/// `crypt.3.txt`): a digit from 1 to 8 after the name.
fn manual_section(name: &str) -> Option<char> {
    let mut parts = name.split('.');
    parts.next()?;
    let section = parts.next()?;
    let rest: Vec<&str> = parts.collect();
    let source = rest.iter().all(|p| {
        matches!(
            *p,
            "xml" | "in" | "txt" | "md" | "rst" | "pod" | "sgml" | "man"
        )
    });
    let mut chars = section.chars();
    match (chars.next(), chars.next()) {
        (Some(c @ '1'..='8'), None) if source => Some(c),
        _ => None,
    }
}

/// A file name without its extensions (`clear_console.c` → `clear_console`,
/// `bzexe.1.gz` → `bzexe`).
fn stem(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

/// `keyutils` for `libkeyutils.so.1.10`; `None` for anything but a shared or static
/// library.
fn library_stem(name: &str) -> Option<String> {
    let rest = name.strip_prefix("lib")?;
    let (stem, ext) = rest.split_once('.')?;
    (ext.starts_with("so") || ext == "a")
        .then(|| stem.to_ascii_lowercase())
        .filter(|s| !s.is_empty())
}

/// Shell-style matching of `*` and `?` (ASCII case ignored), bounded by the lengths.
fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let n: Vec<char> = name.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(name: &str) -> Shipped {
        let text = std::fs::read_to_string(format!(
            "{}/src/license/test-fixtures/binary/{name}.list",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let files: Vec<&str> = text.lines().collect();
        Shipped::from_files(&files)
    }

    fn pats(p: &str) -> Vec<String> {
        p.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn a_library_does_not_ship_the_packaging_the_build_system_or_the_tests() {
        let curl = list("libcurl4");
        assert_eq!(curl.stanza(&pats("config.guess")), Err(Left::BuildSystem));
        assert_eq!(curl.stanza(&pats("m4/libtool.m4")), Err(Left::BuildSystem));
        assert_eq!(curl.stanza(&pats("compile")), Err(Left::BuildSystem));
        assert_eq!(curl.stanza(&pats("tests/server/tftpd.c")), Err(Left::Tests));
        assert_eq!(curl.stanza(&pats("debian/*")), Err(Left::Packaging));
        assert_eq!(
            curl.stanza(&pats("packages/vms/backup_gnv_curl_src.com")),
            Err(Left::OtherPlatform)
        );
        assert_eq!(curl.stanza(&pats("lib/krb5.c")), Ok(()));
        assert_eq!(curl.stanza(&pats("*")), Ok(()));
        let debconf = list("libdebconfclient0");
        assert_eq!(debconf.stanza(&pats("debian/po/*")), Err(Left::Packaging));
        assert_eq!(debconf.stanza(&pats("debian/rules")), Err(Left::Packaging));
        assert_eq!(
            list("libsqlite3-0").stanza(&pats("debian/*")),
            Err(Left::Packaging)
        );
        assert_eq!(
            list("libicu72").stanza(&pats("debian/*")),
            Err(Left::Packaging)
        );
    }

    #[test]
    fn a_script_is_in_the_package_only_when_it_installs_it() {
        // libffi8 installs the library alone: its GPL build scripts are not in it.
        let ffi = list("libffi8");
        assert_eq!(ffi.stanza(&pats("make_sunver.pl")), Err(Left::Scripts));
        assert_eq!(ffi.stanza(&pats("msvcc.sh")), Err(Left::Scripts));
        assert_eq!(ffi.stanza(&pats("libtool-ldflags")), Err(Left::BuildSystem));
        assert_eq!(ffi.stanza(&pats("src/dlmalloc.c")), Ok(()));
        // bzip2 installs bzexe, so its stanza stays.
        assert_eq!(list("bzip2").stanza(&pats("bzexe")), Ok(()));
        // Without a file list nothing is left out on this ground.
        assert_eq!(
            Shipped::unknown("libffi8").stanza(&pats("msvcc.sh")),
            Ok(())
        );
    }

    #[test]
    fn debian_files_a_package_installs_keep_their_stanza() {
        // bash ships /usr/bin/clear_console, built from debian/clear_console.c.
        assert_eq!(
            list("bash").stanza(&pats(
                "debian/clear_console.c examples/complete/bash_completion"
            )),
            Ok(())
        );
        // bzip2 ships programs (bzexe is Debian's): its debian/* stanza stays.
        assert_eq!(list("bzip2").stanza(&pats("debian/*")), Ok(()));
        assert_eq!(
            list("libbz2-1.0").stanza(&pats("debian/*")),
            Err(Left::Packaging)
        );
        // Patches are built into the package.
        assert_eq!(
            list("libsqlite3-0").stanza(&pats("debian/patches/*")),
            Ok(())
        );
        // sqlite3 installs a program and its manual pages.
        assert_eq!(list("sqlite3").stanza(&pats("debian/*")), Ok(()));
        // cyrus-sasl2's debian/saslfinger/* is a script for sasl2-bin, not for the library.
        assert_eq!(
            list("libsasl2-2").stanza(&pats("debian/saslfinger/*")),
            Err(Left::Packaging)
        );
    }

    #[test]
    fn a_library_does_not_ship_the_programs_of_its_source_package() {
        let lz4 = list("liblz4-1");
        assert_eq!(lz4.stanza(&pats("programs/*")), Err(Left::Programs));
        assert_eq!(lz4.stanza(&pats("lib/xxhash.c")), Ok(()));
        let keyutils = list("libkeyutils1");
        assert_eq!(
            keyutils.catch_all(&[&pats("keyutils.*")]),
            Err(Left::OtherBinaries)
        );
        assert_eq!(keyutils.catch_all(&[&pats("debian/*")]), Ok(()));
        // A program package keeps its catch-all whatever the others name.
        assert_eq!(list("bzip2").catch_all(&[&pats("bzip2.*")]), Ok(()));
    }

    #[test]
    fn compiled_in_files_of_a_library_are_kept() {
        // libext2fs2 compiles GPL-2 files (crc16, crc32c, nls_utf8) into the library.
        let e2fs = list("libext2fs2");
        assert_eq!(
            e2fs.stanza(&pats("lib/ext2fs/crc16.c lib/ext2fs/crc16.h")),
            Ok(())
        );
        assert_eq!(e2fs.stanza(&pats("lib/ext2fs/nls_utf8.c")), Ok(()));
    }

    #[test]
    fn documentation_counts_only_when_installed() {
        let bin = list("binutils");
        assert_eq!(bin.stanza(&pats("*.texi")), Err(Left::Documentation));
        let lib = list("libcurl4");
        assert_eq!(
            lib.stanza(&pats("docs/libcurl/opts/CURLOPT_PREREQDATA.3")),
            Err(Left::Documentation)
        );
        // libdbus-1-3 installs README, NEWS and AUTHORS, not documentation built from doc/,
        // and no manual pages: the dbus-test-tool stanza is the tools' (GPL-2+ alone).
        let dbus = list("libdbus-1-3");
        assert_eq!(
            dbus.stanza(&pats("doc/dbus-test-tool.1.xml.in tools/dbus-send.c")),
            Err(Left::Documentation)
        );
        assert_eq!(
            dbus.stanza(&pats("dbus/versioninfo.rc.in")),
            Err(Left::OtherPlatform)
        );
        assert_eq!(dbus.stanza(&pats("dbus/dbus-bus.c")), Ok(()));
        // A manual page's section decides: libsasl2-2 installs libsasl.5.
        assert_eq!(list("libsasl2-2").stanza(&pats("man/libsasl.5")), Ok(()));
        assert_eq!(manual_section("dbus-send.1.xml.in"), Some('1'));
        assert_eq!(manual_section("crypt.3"), Some('3'));
        assert_eq!(manual_section("lz4.c"), None);
        assert_eq!(manual_section("md5.1.c"), None);
    }

    #[test]
    fn without_a_file_list_only_what_is_never_installed_is_left_out() {
        let lib = Shipped::unknown("libssl3");
        assert_eq!(lib.stanza(&pats("config.sub")), Err(Left::BuildSystem));
        assert_eq!(lib.stanza(&pats("debian/*")), Err(Left::Packaging));
        assert_eq!(lib.stanza(&pats("tests/*")), Ok(()));
        assert_eq!(
            Shipped::unknown("openssl").stanza(&pats("debian/*")),
            Ok(())
        );
    }

    #[test]
    fn globs_and_stems() {
        assert!(glob("pam-auth-update*", "pam-auth-update.8.gz"));
        assert!(!glob("pam-auth-update*", "pam_env.so"));
        assert_eq!(stem("bzexe.1.gz"), "bzexe");
        assert_eq!(
            library_stem("libkeyutils.so.1.10").as_deref(),
            Some("keyutils")
        );
        assert_eq!(library_stem("libc.so.6").as_deref(), Some("c"));
        assert_eq!(library_stem("libfoo"), None);
    }
}
