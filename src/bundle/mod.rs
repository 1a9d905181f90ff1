//! The source bundle: meeting the source obligation rather than only listing it.
//!
//! The obligations say which source packages the delivery owes (GPL-2.0 3(b), GPL-3.0
//! 6(b), LGPL-2.1 6, MPL-2.0 3.2 ask a distributor to make the exact corresponding source
//! available). [`fetch`] downloads exactly those versions from the mirrors given, checks
//! every file, and writes the bundle a legal team keeps for as long as the offer runs:
//!
//! - one folder per source package (`NAME_VERSION/`, the version without its epoch, as the
//!   archive names the files), holding the `.dsc` and every file it lists;
//! - `index.json` and `index.csv`: every distributed binary package and its layer, mapped
//!   to its source package and to each source file, with how that file was verified;
//! - `OFFER.md`: the written offer for the delivery mode, naming the licenses that ask for
//!   it and how to request the source;
//! - `SHA256SUMS` over all of them (`sha256sum -c SHA256SUMS` checks the bundle).
//!
//! Debian and Ubuntu sources are verified along the archive's chain of trust (see
//! [`debian`]): the suite's `InRelease`, signed with a key of the keyring given, lists the
//! `Sources` index, which lists the `.dsc`, which lists its files; each file is downloaded
//! to `NAME.part`, checked for size and SHA-256, and only then renamed to its name, so a
//! file that fails is never kept under it. A `.part` left by a broken download is resumed
//! (HTTP `Range`); a file already in the bundle with the right digest is not downloaded
//! again. Packages download in parallel, `jobs` at a time, each file within a size bound.

mod apk;
pub mod apt;
mod check;
mod debian;
mod http;
mod rpm;
mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::obligations::SourceEntry;
use crate::model::{Bom, Origin};
use debian::{Indexed, Listed};
use http::{Failure, Http};

pub use check::{check, read_index};
pub use write::write_archive;

/// The schema name of `index.json`.
pub const SCHEMA: &str = "layerbom-sources/v1";

/// The bundle's index file names.
pub const INDEX_JSON: &str = "index.json";
/// The CSV form of the index.
pub const INDEX_CSV: &str = "index.csv";
/// The written offer.
pub const OFFER: &str = "OFFER.md";
/// The checksums of every file of the bundle.
pub const SUMS: &str = "SHA256SUMS";

/// How to fetch.
#[derive(Debug, Clone)]
pub struct Options {
    /// Mirror base URLs, tried in order (`--mirror`, the configuration, apt's).
    pub mirrors: Vec<String>,
    /// The OpenPGP keyring that signs the archives' `InRelease` files.
    pub keyring: PathBuf,
    /// The OpenPGP public keys (armored files) that sign the distribution's source RPMs.
    pub rpm_keys: Vec<PathBuf>,
    /// The suites to look in, instead of those of the image's release.
    pub suites: Vec<String>,
    /// How many source packages download at once.
    pub jobs: usize,
    /// The largest source file downloaded.
    pub max_file: u64,
    /// How recipients ask for the source, for the offer.
    pub contact: Option<String>,
}

/// Why no bundle could be made at all.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Debian-format sources are owed and no mirror is known.
    #[error(
        "{0} source package(s) to fetch and no mirror: give --mirror URL (or LAYERBOM_MIRROR, \
         or `mirror` in layerbom.toml), or configure apt's sources"
    )]
    NoMirror(usize),
    /// The keyring to verify the archives' signatures with is not there.
    #[error(
        "the keyring {0} is not a file: give the archive's keyring with --keyring FILE \
         (Debian's is in the debian-archive-keyring package, Ubuntu's in ubuntu-keyring)"
    )]
    Keyring(PathBuf),
    /// A file of the bundle cannot be written or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// `--sources DIR` is not a bundle.
    #[error("{path}: not a source bundle's index: {why}")]
    NotABundle {
        /// The index file.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// The HTTP client cannot start.
    #[error("{0}")]
    Client(String),
    /// A key of `--rpm-key` cannot be imported.
    #[error("--rpm-key: {0}")]
    RpmKey(String),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> BundleError + '_ {
    move |source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `index.json`: what the bundle holds for each owed source package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Index {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The image, as the scan named it.
    pub image: String,
    /// Its config digest.
    pub config_digest: Option<String>,
    /// The delivery mode whose obligations the bundle meets.
    pub delivery: String,
    /// Every owed source package, in the obligations' order.
    pub sources: Vec<Bundled>,
}

impl Index {
    /// Whether every owed source package is in the bundle whole.
    pub fn complete(&self) -> bool {
        self.sources.iter().all(|s| s.status == Status::Complete)
    }
}

/// Whether a source package is in the bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The `.dsc` and every file it lists, each verified.
    Complete,
    /// Some of its files are missing.
    Incomplete,
    /// None of it.
    Missing,
    /// Of a kind layerbom does not fetch yet.
    Unsupported,
}

/// One owed source package and its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundled {
    /// The package type of its binaries (`deb`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// Source name.
    pub name: String,
    /// Source version.
    pub version: Option<String>,
    /// Whether it is all there.
    pub status: Status,
    /// True when complete and signed by the distribution: its `.dsc` through a signed
    /// index, or the source RPM by a key of `--rpm-key`.
    pub verified: bool,
    /// Its folder in the bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    /// The licenses of its binaries that owe the source.
    pub licenses: Vec<String>,
    /// The distributed binary packages built from it.
    pub packages: Vec<Binary>,
    /// The files in the bundle.
    pub files: Vec<BundledFile>,
    /// What went wrong, file by file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// A distributed binary package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Binary {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Architecture.
    pub arch: Option<String>,
    /// The layer that put it in the image.
    pub layer: usize,
    /// That layer's origin.
    pub origin: Origin,
}

/// A source file in the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundledFile {
    /// Its name.
    pub name: String,
    /// Its path in the bundle.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// How it was verified.
    pub verified: Verified,
    /// Against what, or why it could not be.
    pub how: String,
    /// Where it was downloaded from.
    pub url: String,
}

/// How a file was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verified {
    /// Its size and SHA-256 are those a `Sources` index lists, the index being listed in an
    /// `InRelease` whose signature verified.
    SignedIndex,
    /// Its size and SHA-256 are those the `.dsc` lists (the `.dsc` itself is not signed-
    /// verified).
    DscChecksum,
    /// A source RPM whose header and payload have the SHA-256 digests its headers record.
    HeaderDigest,
    /// A source RPM with those digests, signed by a key of `--rpm-key`.
    RpmSignature,
    /// An apk package's recipe tree whose archive names the package's commit and whose
    /// APKBUILD builds the package's version.
    RecipeCommit,
    /// Not verified: `how` says why.
    Unverified,
}

/// What a mirror holds of the packages wanted, and whether it can be trusted.
struct Mirror {
    url: String,
    /// Why it is not used, when its signed index failed.
    bad: Option<String>,
    /// The packages its signed indexes list: (name, version) → the suite and the entry.
    located: BTreeMap<(String, String), (String, Indexed)>,
    /// The suites it has.
    suites: Vec<String>,
    /// What was wrong with its indexes (an index that is not as signed is not read).
    problems: Vec<String>,
}

/// Fetches every source package the obligations of `bom` owe into `dir` and writes the
/// index, the offer and the checksums there.
pub fn fetch(bom: &Bom, dir: &Path, opts: &Options) -> Result<Index, BundleError> {
    let owed = &bom.obligations.sources;
    let wanted: BTreeSet<(String, String)> = owed
        .iter()
        .filter(|s| s.kind == "deb")
        .filter_map(|s| Some((s.name.clone(), s.version.clone()?)))
        .filter(|(n, v)| debian::valid_source(n, v))
        .collect();
    let srpms = owed
        .iter()
        .filter(|s| s.kind == "rpm" && rpm::is_srpm(&s.name))
        .count();
    let recipes = owed.iter().filter(|s| fetches_recipe(s)).count();
    if wanted.len() + srpms > 0 && opts.mirrors.is_empty() {
        return Err(BundleError::NoMirror(wanted.len() + srpms));
    }
    if !wanted.is_empty() && !opts.keyring.is_file() {
        return Err(BundleError::Keyring(opts.keyring.clone()));
    }
    let rpm_keys = match srpms > 0 && !opts.rpm_keys.is_empty() {
        true => Some(rpm::Keys::import(&opts.rpm_keys).map_err(BundleError::RpmKey)?),
        false => None,
    };
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let os = bom.report.image.os.as_ref();
    let os_id = os.map_or("", |o| o.id.as_str());
    let suites = match opts.suites.is_empty() {
        true => debian::suites(os_id, os.and_then(|o| o.version_id.as_deref())),
        false => opts.suites.clone(),
    };
    // Where each file already in the bundle came from, as its last index says: a file kept
    // is not fetched again, and keeps its URL.
    let previous: BTreeMap<String, String> = read_index(dir)
        .map(|i| {
            i.sources
                .into_iter()
                .flat_map(|s| s.files)
                .map(|f| (f.path, f.url))
                .collect()
        })
        .unwrap_or_default();
    let mut sources = Vec::with_capacity(owed.len());
    if wanted.len() + srpms + recipes == 0 {
        sources.extend(owed.iter().map(|s| unfetched(s, opts)));
    } else {
        let http = Http::new().map_err(BundleError::Client)?;
        let mirrors: Vec<Mirror> = opts
            .mirrors
            .iter()
            .map(|m| {
                locate(
                    &http,
                    m.trim_end_matches('/'),
                    &suites,
                    &wanted,
                    &opts.keyring,
                )
            })
            .collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.jobs.max(1))
            .thread_name(|i| format!("layerbom-fetch-{i}"))
            .build()
            .map_err(|e| BundleError::Client(format!("cannot start {} threads: {e}", opts.jobs)))?;
        let fetched: Vec<Bundled> = pool.install(|| {
            use rayon::prelude::*;
            owed.par_iter()
                .map(|s| match s.kind.as_str() {
                    "deb" => fetch_deb(s, &http, &mirrors, os_id, dir, opts, &previous),
                    "rpm" if rpm::is_srpm(&s.name) => {
                        fetch_rpm(s, &http, dir, opts, rpm_keys.as_ref(), &previous)
                    }
                    "apk" if fetches_recipe(s) => fetch_apk(s, &http, dir, opts, &previous),
                    _ => unfetched(s, opts),
                })
                .collect()
        });
        sources.extend(fetched);
    }
    let index = Index {
        schema: SCHEMA.to_string(),
        image: bom.report.image.source.clone(),
        config_digest: bom.report.image.config_digest.clone(),
        delivery: bom.obligations.delivery.mode.as_str().to_string(),
        sources,
    };
    write::bundle(dir, &index, bom, opts)?;
    Ok(index)
}

/// The entry of a source package layerbom does not fetch, or cannot name.
fn unfetched(s: &SourceEntry, opts: &Options) -> Bundled {
    let mut b = bundled(s, Status::Unsupported);
    b.problems.push(match s.kind.as_str() {
        "deb" if opts.mirrors.is_empty() => "no mirror to fetch it from".to_string(),
        "deb" => "not a Debian source package name and version".to_string(),
        "apk" if s.obtain.url.is_none() => "no source archive for the image's distribution: give --source-archive ID=URL, a URL with {commit} that serves the recipes' tree at that commit as a tar archive".to_string(),
        "apk" => "no commit (c:) or no safe origin name to fetch its recipes by".to_string(),
        "rpm" => "no source RPM file name (SOURCERPM) to fetch it by".to_string(),
        kind => {
            format!("layerbom fetches the sources of deb, rpm and apk packages; {kind} sources are not fetched yet")
        }
    });
    b
}

fn bundled(s: &SourceEntry, status: Status) -> Bundled {
    Bundled {
        kind: s.kind.clone(),
        name: s.name.clone(),
        version: s.version.clone(),
        status,
        verified: false,
        folder: None,
        licenses: s.licenses.clone(),
        packages: s
            .packages
            .iter()
            .map(|p| Binary {
                name: p.name.clone(),
                version: p.version.clone(),
                arch: p.arch.clone(),
                layer: p.layer,
                origin: p.origin,
            })
            .collect(),
        files: Vec::new(),
        problems: Vec::new(),
    }
}

/// Reads the signed indexes of `suites` at mirror `url` for the packages of `wanted`,
/// suite by suite, until every one is found.
fn locate(
    http: &Http,
    url: &str,
    suites: &[String],
    wanted: &BTreeSet<(String, String)>,
    keyring: &Path,
) -> Mirror {
    let mut mirror = Mirror {
        url: url.to_string(),
        bad: None,
        located: BTreeMap::new(),
        suites: Vec::new(),
        problems: Vec::new(),
    };
    for suite in suites {
        let left: BTreeSet<(String, String)> = wanted
            .iter()
            .filter(|k| !mirror.located.contains_key(*k))
            .cloned()
            .collect();
        if left.is_empty() {
            break;
        }
        let base = format!("{url}/dists/{suite}");
        let signed = match http.get(&format!("{base}/InRelease"), debian::MAX_RELEASE) {
            Ok(bytes) => bytes,
            Err(_) => continue,
        };
        let text = match debian::verify_clearsigned(&signed, keyring) {
            Ok(text) => text,
            Err(why) => {
                mirror.bad = Some(format!("{base}/InRelease: {why}"));
                return mirror;
            }
        };
        mirror.suites.push(suite.clone());
        let release = debian::release(&text);
        for forms in debian::source_indexes(&release) {
            // The first form the mirror serves whole and as listed.
            let text = forms.iter().find_map(|listed| {
                let index_url = format!("{base}/{}", listed.name);
                let bytes = http
                    .get(&index_url, listed.size.min(debian::MAX_SOURCES))
                    .ok()?;
                if bytes.len() as u64 != listed.size || http::sha256(&bytes) != listed.sha256 {
                    mirror.problems.push(format!(
                        "{index_url}: not the size and SHA-256 its signed InRelease lists"
                    ));
                    return None;
                }
                match debian::sources_text(&listed.name, bytes) {
                    Ok(text) => Some(text),
                    Err(why) => {
                        mirror.problems.push(format!("{index_url}: {why}"));
                        None
                    }
                }
            });
            for (key, entry) in debian::sources(text.as_deref().unwrap_or_default(), &left) {
                mirror
                    .located
                    .entry(key)
                    .or_insert_with(|| (suite.clone(), entry));
            }
        }
    }
    mirror
}

/// Where a package's files are: mirror base URLs with the pool directory.
struct Found {
    /// The `.dsc`'s text.
    dsc: String,
    /// The `.dsc`'s file in the bundle.
    file: BundledFile,
    /// The files the signed index lists for it (empty when none does).
    indexed: Vec<Listed>,
    /// How the signed index was verified, when there is one.
    signed: Option<String>,
    /// The directory URLs to download its files from, in order.
    bases: Vec<String>,
}

/// Fetches one Debian source package into its folder.
fn fetch_deb(
    s: &SourceEntry,
    http: &Http,
    mirrors: &[Mirror],
    os_id: &str,
    dir: &Path,
    opts: &Options,
    previous: &BTreeMap<String, String>,
) -> Bundled {
    let Some(version) = s
        .version
        .as_deref()
        .filter(|v| debian::valid_source(&s.name, v))
    else {
        return unfetched(s, opts);
    };
    let mut b = bundled(s, Status::Missing);
    let folder = format!("{}_{}", s.name, debian::without_epoch(version));
    let path = dir.join(&folder);
    if let Err(e) = std::fs::create_dir_all(&path) {
        b.problems.push(format!("{}: {e}", path.display()));
        return b;
    }
    b.folder = Some(folder.clone());
    let good: Vec<&Mirror> = mirrors.iter().filter(|m| m.bad.is_none()).collect();
    b.problems
        .extend(mirrors.iter().filter_map(|m| m.bad.clone()));
    let indexes = good.iter().flat_map(|m| m.problems.iter().cloned());
    let found = match find_dsc(
        s, version, http, &good, os_id, &path, &folder, opts, previous,
    ) {
        Ok(found) => found,
        Err(why) => {
            b.problems.push(why);
            b.problems.extend(indexes);
            return b;
        }
    };
    if found.signed.is_none() {
        b.problems.extend(indexes);
    }
    let listed = match debian::dsc_files(&found.dsc) {
        Ok(files) => files,
        Err(why) => {
            b.problems.push(format!("{}: {why}", found.file.name));
            return b;
        }
    };
    let signed_dsc = found.signed.is_some();
    b.files.push(found.file);
    let mut all = true;
    for file in &listed {
        let in_index = found.indexed.contains(file);
        let before = previous.get(&format!("{folder}/{}", file.name));
        match obtain(http, &found.bases, &path, file, opts.max_file, before) {
            Ok(url) => {
                let (verified, how) = match (&found.signed, in_index) {
                    (Some(signed), true) => (Verified::SignedIndex, signed.clone()),
                    _ => (
                        Verified::DscChecksum,
                        format!("size and SHA-256 as {} lists them", dsc_name(s, version)),
                    ),
                };
                b.files.push(BundledFile {
                    name: file.name.clone(),
                    path: format!("{folder}/{}", file.name),
                    size: file.size,
                    sha256: file.sha256.clone(),
                    verified,
                    how,
                    url,
                });
            }
            Err(why) => {
                all = false;
                b.problems.push(format!("{}: {why}", file.name));
            }
        }
    }
    b.status = if all {
        Status::Complete
    } else {
        Status::Incomplete
    };
    b.verified = all && signed_dsc;
    b
}

/// Fetches one source RPM into its folder: from each mirror in turn, in the places a
/// mirror may keep it, checked against its own digests ([`rpm::verify`]).
fn fetch_rpm(
    s: &SourceEntry,
    http: &Http,
    dir: &Path,
    opts: &Options,
    keys: Option<&rpm::Keys>,
    previous: &BTreeMap<String, String>,
) -> Bundled {
    let mut b = bundled(s, Status::Missing);
    let folder = s
        .name
        .trim_end_matches(".src.rpm")
        .trim_end_matches(".nosrc.rpm")
        .to_string();
    let path = dir.join(&folder);
    if let Err(e) = std::fs::create_dir_all(&path) {
        b.problems.push(format!("{}: {e}", path.display()));
        return b;
    }
    b.folder = Some(folder.clone());
    let target = path.join(&s.name);
    let part = path.join(format!("{}.part", s.name));
    let urls: Vec<String> = opts
        .mirrors
        .iter()
        .flat_map(|m| rpm::candidates(m.trim_end_matches('/'), &s.name))
        .collect();
    let mut done = match rpm::verify(&target) {
        Ok(how) => Some((
            how,
            previous
                .get(&format!("{folder}/{}", s.name))
                .or(urls.first())
                .cloned()
                .unwrap_or_default(),
        )),
        Err(_) => {
            // Not what it should be: never kept under its name.
            let _ = std::fs::remove_file(&target);
            None
        }
    };
    for url in &urls {
        if done.is_some() {
            break;
        }
        match http.download(url, &part, None, opts.max_file) {
            Ok(()) => {}
            Err(Failure::NotFound) => continue,
            Err(f) => {
                b.problems.push(format!("{url}: {f}"));
                continue;
            }
        }
        match rpm::verify(&part) {
            Ok(how) => match std::fs::rename(&part, &target) {
                Ok(()) => done = Some((how, url.clone())),
                Err(e) => b.problems.push(format!("{}: {e}", target.display())),
            },
            Err(why) => {
                let _ = std::fs::remove_file(&part);
                b.problems.push(format!("{url}: {why}; not kept"));
            }
        }
    }
    let Some((how, url)) = done else {
        b.problems.insert(
            0,
            format!(
                "{}: no mirror has it (looked in {})",
                s.name,
                urls.join(", ")
            ),
        );
        return b;
    };
    // Whole, as its digests say; then signed by whom, when keys are given.
    let (verified, how) = match keys.map(|k| k.check(&target)) {
        Some(Ok(signed)) => (Verified::RpmSignature, format!("{signed}; {how}")),
        Some(Err(why)) => (Verified::HeaderDigest, format!("{how}; {why}")),
        None => (
            Verified::HeaderDigest,
            format!("{how}; its signature is not checked (no --rpm-key)"),
        ),
    };
    match http::sha256_file(&target) {
        Ok((size, sha256)) => {
            b.files.push(BundledFile {
                name: s.name.clone(),
                path: format!("{folder}/{}", s.name),
                size,
                sha256,
                verified,
                how,
                url,
            });
            b.status = Status::Complete;
            b.verified = verified == Verified::RpmSignature;
            b.problems.clear();
        }
        Err(e) => b.problems.push(format!("{}: {e}", target.display())),
    }
    b
}

/// Whether `s` is an apk source whose recipes can be fetched: a commit, a safe origin name
/// and version, and the URL of its configured source archive.
fn fetches_recipe(s: &SourceEntry) -> bool {
    s.kind == "apk"
        && s.obtain.url.is_some()
        && s.commit.as_deref().is_some_and(apk::is_commit)
        && debian::safe_file_name(&s.name)
        && s.version.as_deref().is_some_and(debian::safe_file_name)
}

/// Fetches one apk source: the archive of its recipes' tree at its commit, from the URL its
/// configured source archive gives, kept only when [`apk::verify`] finds it is that tree and
/// that version.
fn fetch_apk(
    s: &SourceEntry,
    http: &Http,
    dir: &Path,
    opts: &Options,
    previous: &BTreeMap<String, String>,
) -> Bundled {
    let mut b = bundled(s, Status::Missing);
    let (Some(url), Some(commit), Some(version)) = (
        s.obtain.url.as_deref(),
        s.commit.as_deref(),
        s.version.as_deref(),
    ) else {
        return b;
    };
    let folder = format!("{}_{version}", s.name);
    let path = dir.join(&folder);
    if let Err(e) = std::fs::create_dir_all(&path) {
        b.problems.push(format!("{}: {e}", path.display()));
        return b;
    }
    b.folder = Some(folder.clone());
    // Kept from an earlier run when it still verifies.
    let kept = [true, false].into_iter().find_map(|gzip| {
        let name = apk::file_name(&s.name, commit, gzip);
        let target = path.join(&name);
        match apk::verify(&target, &s.name, version, commit) {
            Ok(how) => Some((name, how)),
            Err(_) => {
                let _ = std::fs::remove_file(&target);
                None
            }
        }
    });
    let (name, how, from) = match kept {
        Some((name, how)) => {
            let from = previous
                .get(&format!("{folder}/{name}"))
                .cloned()
                .unwrap_or_else(|| url.to_string());
            (name, how, from)
        }
        None => {
            let part = path.join(format!("{}-{commit}.part", s.name));
            if let Err(f) = http.download(url, &part, None, opts.max_file) {
                b.problems.push(format!("{url}: {f}"));
                return b;
            }
            match apk::verify(&part, &s.name, version, commit) {
                Ok(how) => {
                    let name = apk::file_name(&s.name, commit, apk::is_gzip(&part));
                    if let Err(e) = std::fs::rename(&part, path.join(&name)) {
                        b.problems
                            .push(format!("{}: {e}", path.join(&name).display()));
                        return b;
                    }
                    (name, how, url.to_string())
                }
                Err(why) => {
                    let _ = std::fs::remove_file(&part);
                    b.problems.push(format!("{url}: {why}; not kept"));
                    return b;
                }
            }
        }
    };
    match http::sha256_file(&path.join(&name)) {
        Ok((size, sha256)) => {
            b.files.push(BundledFile {
                path: format!("{folder}/{name}"),
                name,
                size,
                sha256,
                verified: Verified::RecipeCommit,
                how,
                url: from,
            });
            b.status = Status::Complete;
        }
        Err(e) => b.problems.push(format!("{}: {e}", path.display())),
    }
    b
}

fn dsc_name(s: &SourceEntry, version: &str) -> String {
    debian::dsc_name(&s.name, version)
}

/// The `.dsc` of a package: through a mirror's signed index when one lists it, else from
/// the pool of the first mirror that has it (then unverified).
#[allow(clippy::too_many_arguments)]
fn find_dsc(
    s: &SourceEntry,
    version: &str,
    http: &Http,
    mirrors: &[&Mirror],
    os_id: &str,
    path: &Path,
    folder: &str,
    opts: &Options,
    previous: &BTreeMap<String, String>,
) -> Result<Found, String> {
    let name = dsc_name(s, version);
    let key = (s.name.clone(), version.to_string());
    let mut problems = Vec::new();
    // Through the signed index of the first mirror that lists it.
    if let Some((mirror, suite, entry)) = mirrors
        .iter()
        .find_map(|m| m.located.get(&key).map(|(suite, e)| (m, suite, e)))
    {
        let Some(listed) = entry.files.iter().find(|f| f.name == name) else {
            return Err(format!(
                "the Sources index of {suite} at {} lists no {name}",
                mirror.url
            ));
        };
        let bases: Vec<String> = std::iter::once(*mirror)
            .chain(mirrors.iter().copied().filter(|m| m.url != mirror.url))
            .map(|m| format!("{}/{}", m.url, entry.directory))
            .collect();
        let before = previous.get(&format!("{folder}/{name}"));
        let url = obtain(http, &bases, path, listed, debian::MAX_DSC, before)
            .map_err(|why| format!("{name}: {why}"))?;
        let dsc_path = path.join(&name);
        let dsc = std::fs::read_to_string(&dsc_path)
            .map_err(|e| format!("{}: {e}", dsc_path.display()))?;
        let signed = format!(
            "size and SHA-256 as the Sources index of {suite} at {} lists them, signed in its InRelease (keyring {})",
            mirror.url,
            opts.keyring.display()
        );
        return Ok(Found {
            dsc,
            file: BundledFile {
                name: name.clone(),
                path: format!("{folder}/{name}"),
                size: listed.size,
                sha256: listed.sha256.clone(),
                verified: Verified::SignedIndex,
                how: signed.clone(),
                url,
            },
            indexed: entry.files.clone(),
            signed: Some(signed),
            bases,
        });
    }
    // From a pool, unverified.
    for mirror in mirrors {
        for component in debian::components(os_id) {
            let directory = debian::pool_directory(component, &s.name);
            let url = format!("{}/{directory}/{name}", mirror.url);
            match http.get(&url, debian::MAX_DSC) {
                Ok(bytes) => {
                    let dsc_path = path.join(&name);
                    let part = path.join(format!("{name}.part"));
                    std::fs::write(&part, &bytes)
                        .and_then(|()| std::fs::rename(&part, &dsc_path))
                        .map_err(|e| format!("{}: {e}", dsc_path.display()))?;
                    let dsc = String::from_utf8(bytes.clone())
                        .map_err(|_| format!("{url}: not UTF-8 text"))?;
                    let why = match mirror.suites.is_empty() {
                        true => format!(
                            "{} has no signed suite of the image's release to check it against",
                            mirror.url
                        ),
                        false => format!(
                            "not listed in the signed Sources indexes of {} at {}",
                            mirror.suites.join(", "),
                            mirror.url
                        ),
                    };
                    let bases = std::iter::once(*mirror)
                        .chain(mirrors.iter().copied().filter(|m| m.url != mirror.url))
                        .map(|m| format!("{}/{directory}", m.url))
                        .collect();
                    return Ok(Found {
                        dsc,
                        file: BundledFile {
                            name: name.clone(),
                            path: format!("{folder}/{name}"),
                            size: bytes.len() as u64,
                            sha256: http::sha256(&bytes),
                            verified: Verified::Unverified,
                            how: why,
                            url,
                        },
                        indexed: Vec::new(),
                        signed: None,
                        bases,
                    });
                }
                Err(Failure::NotFound) => {}
                Err(Failure::Failed(why)) => problems.push(format!("{url}: {why}")),
            }
        }
    }
    problems.insert(
        0,
        format!(
            "{name}: no mirror has it (looked in the signed indexes and pools of {})",
            mirrors
                .iter()
                .map(|m| m.url.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    Err(problems.join("; "))
}

/// Puts `file` in `dir` under its name, verified: kept when already there with its size and
/// SHA-256, else downloaded from each base URL in turn into `NAME.part` (resuming what is
/// there), checked, and renamed. Returns the URL it came from (`before`, where the bundle's
/// last index says it came from, when it was there already; else the first base).
fn obtain(
    http: &Http,
    bases: &[String],
    dir: &Path,
    file: &Listed,
    max: u64,
    before: Option<&String>,
) -> Result<String, String> {
    let target = dir.join(&file.name);
    if let Ok((size, sha256)) = http::sha256_file(&target) {
        if size == file.size && sha256 == file.sha256 {
            return Ok(before.cloned().unwrap_or_else(|| {
                bases
                    .first()
                    .map(|b| format!("{b}/{}", file.name))
                    .unwrap_or_default()
            }));
        }
        // Not what is listed: never kept under its name.
        std::fs::remove_file(&target).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    if file.size > max {
        return Err(format!(
            "{} bytes, over the bound of {max} (--max-file-size)",
            file.size
        ));
    }
    let part = dir.join(format!("{}.part", file.name));
    let mut problems = Vec::new();
    for base in bases {
        let url = format!("{base}/{}", file.name);
        match http.download(&url, &part, Some(file.size), file.size) {
            Ok(()) => {}
            Err(f) => {
                problems.push(format!("{url}: {f}"));
                continue;
            }
        }
        match http::sha256_file(&part) {
            Ok((size, sha256)) if size == file.size && sha256 == file.sha256 => {
                std::fs::rename(&part, &target)
                    .map_err(|e| format!("{}: {e}", target.display()))?;
                return Ok(url);
            }
            Ok((_, sha256)) => {
                let _ = std::fs::remove_file(&part);
                problems.push(format!(
                    "{url}: SHA-256 {sha256}, not {} as listed; not kept",
                    file.sha256
                ));
            }
            Err(e) => problems.push(format!("{}: {e}", part.display())),
        }
    }
    Err(problems.join("; "))
}

/// The names of the files `bytes` lists when read as each document a mirror serves: a
/// `Release` text, a `Sources` index (gzip, xz or plain, decompressed within its bound, every
/// package in it wanted) and a `.dsc`. Hostile bytes give fewer names, never a panic nor an
/// unbounded allocation: what the `mirror` fuzz target checks.
pub fn files_listed(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut names: Vec<String> = debian::release(&text).files.into_keys().collect();
    for form in ["Sources.gz", "Sources.xz", "Sources"] {
        let Ok(index) = debian::sources_text(form, bytes.to_vec()) else {
            continue;
        };
        let wanted: BTreeSet<(String, String)> = crate::deb822::paragraphs(&index)
            .filter_map(|p| {
                Some((
                    p.get("Package")?.value.to_string(),
                    p.get("Version")?.value.to_string(),
                ))
            })
            .collect();
        let listed = debian::sources(&index, &wanted);
        names.extend(listed.into_values().flat_map(|i| i.files).map(|f| f.name));
    }
    if let Ok(files) = debian::dsc_files(&text) {
        names.extend(files.into_iter().map(|f| f.name));
    }
    names
}

/// What [`fetch`] concludes of an apk recipe archive served as `bytes` for `origin` at
/// `version` built from `commit`: how it was checked, or why it is refused. Hostile bytes
/// give a refusal, never a panic nor an unbounded allocation: what the `mirror` fuzz target
/// checks.
pub fn recipe_archive(
    bytes: &[u8],
    origin: &str,
    version: &str,
    commit: &str,
) -> Result<String, String> {
    let gzip = bytes.starts_with(&[0x1f, 0x8b]);
    apk::verify_read(bytes, gzip, origin, version, commit)
}

/// Whether `path` is a native JSON document rather than an image: a file whose first
/// character that is not white space is `{` (no image form starts so).
pub fn is_native_json(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 512];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return false;
    };
    path.is_file() && head[..n].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// What the bundle holds, in a few lines for standard error.
pub fn summary(index: &Index, dir: &Path) -> String {
    let count = |status: Status| index.sources.iter().filter(|s| s.status == status).count();
    let verified = index.sources.iter().filter(|s| s.verified).count();
    let mut out = format!(
        "layerbom: {} of {} owed source package{} in {} ({} verified by the distribution's signature)\n",
        count(Status::Complete),
        index.sources.len(),
        if index.sources.len() == 1 { "" } else { "s" },
        dir.display(),
        verified
    );
    for s in index
        .sources
        .iter()
        .filter(|s| s.status != Status::Complete)
    {
        let status = match s.status {
            Status::Incomplete => "incomplete",
            Status::Missing => "missing",
            _ => "not fetched",
        };
        out.push_str(&format!(
            "  {status}: {} {}: {}\n",
            crate::error::one_line(&s.name),
            crate::error::one_line(s.version.as_deref().unwrap_or("-")),
            crate::error::one_line(&s.problems.join("; "))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testutil::{deb, report};

    #[test]
    fn files_listed_reads_each_served_document_and_refuses_unsafe_names() {
        use std::io::Write;
        let sum = "a".repeat(64);
        let index = format!(
            "Package: hello\nVersion: 2.10-3\nDirectory: pool/main/h/hello\n\
             Checksums-Sha256:\n {sum} 1950 hello_2.10-3.dsc\n {sum} 725946 hello_2.10.orig.tar.gz\n\n\
             Package: evil\nVersion: 1\nDirectory: ../../etc\nChecksums-Sha256:\n {sum} 1 evil_1.dsc\n"
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(index.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(
            files_listed(&gz),
            ["hello_2.10-3.dsc", "hello_2.10.orig.tar.gz"],
            "the unsafe directory is left out"
        );
        let release = format!("Suite: bookworm\nSHA256:\n {sum} 10 main/source/Sources.gz\n");
        assert_eq!(files_listed(release.as_bytes()), ["main/source/Sources.gz"]);
        let dsc = format!("Source: x\nChecksums-Sha256:\n {sum} 3 ../x.tar.gz\n");
        assert!(
            files_listed(dsc.as_bytes()).is_empty(),
            "a path is no file name"
        );
        assert!(files_listed(&[0x1f, 0x8b, 0xff, 0x00]).is_empty());
        // An xz footer whose backward size once overflowed lzma-rs's arithmetic: an error.
        let overflow = include_bytes!("test-fixtures/xz-backward-size-overflow.xz");
        assert!(debian::sources_text("Sources.xz", overflow.to_vec()).is_err());
        assert!(files_listed(overflow).is_empty());
    }

    fn options(mirrors: &[&str]) -> Options {
        Options {
            mirrors: mirrors.iter().map(|m| m.to_string()).collect(),
            keyring: PathBuf::from("/nonexistent.gpg"),
            rpm_keys: Vec::new(),
            suites: Vec::new(),
            jobs: 1,
            max_file: 1 << 20,
            contact: None,
        }
    }

    fn bom(license: &str, delivery: crate::model::obligations::Delivery) -> Bom {
        let mut r = report(&[Origin::Base]);
        r.packages = vec![deb(
            "bash",
            "5.2-2",
            ("bash", "5.2-2"),
            0,
            Origin::Base,
            license,
        )];
        crate::pipeline::bom(r, delivery, None)
    }

    #[test]
    fn owed_debian_source_without_a_mirror_is_an_error() {
        use crate::model::obligations::Delivery;
        let dir = tempfile::tempdir().unwrap();
        let err = fetch(
            &bom("GPL-3.0-or-later", Delivery::Image),
            dir.path(),
            &options(&[]),
        )
        .unwrap_err();
        assert!(matches!(err, BundleError::NoMirror(1)), "{err}");
        assert!(err.to_string().contains("--mirror"));
        assert!(!dir.path().join(INDEX_JSON).exists());
        let err = fetch(
            &bom("GPL-3.0-or-later", Delivery::Image),
            dir.path(),
            &options(&["http://127.0.0.1:9/debian"]),
        )
        .unwrap_err();
        assert!(matches!(err, BundleError::Keyring(_)), "{err}");
    }

    #[test]
    fn nothing_owed_needs_no_mirror() {
        use crate::model::obligations::Delivery;
        let dir = tempfile::tempdir().unwrap();
        for (license, delivery) in [
            ("MIT", Delivery::Image),
            ("GPL-3.0-or-later", Delivery::Layers),
        ] {
            let index = fetch(&bom(license, delivery), dir.path(), &options(&[])).unwrap();
            assert!(index.sources.is_empty());
            assert!(index.complete());
        }
    }
}
