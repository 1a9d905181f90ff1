//! The `layerbom` command: a thin layer over the library.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use layerbom::error::one_line;
use layerbom::fleet;
use layerbom::model::archive::SourceArchive;
use layerbom::model::obligations::{Category, Delivery};
use layerbom::model::review::Review;
use layerbom::model::Platform;
use layerbom::obligations::policy;
use layerbom::output;
use layerbom::pipeline::{self, BaseHints, Budget, Options};
use layerbom::render::{self, OutputSpec};
use layerbom::source::registry::attach;
use layerbom::Error;

/// Reads a container image and reports what is inside and which layer put it there.
#[derive(Debug, Parser)]
#[command(name = "layerbom", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan an image and write reports.
    ///
    /// IMAGE is recognized from what it is: a `docker save` tarball (classic or Docker 25+),
    /// an OCI image layout (directory or tar), either tarball compressed whole with gzip or
    /// zstd (`docker save IMG | gzip`; read in one pass), a flattened rootfs tar (plain, gzip
    /// or zstd, as `docker export` writes) or a root filesystem directory; or an image in a
    /// registry, `[registry[:port]/]repository[:tag][@digest]` (`debian` is
    /// `docker.io/library/debian:latest`), pulled as it is scanned. A scheme says which
    /// outright: `registry:`, `docker-archive:`, `oci-archive:`, `oci-dir:`, `dir:`, `file:`;
    /// without one, an existing path is a file or directory and anything else a reference.
    /// Registry credentials, the first found: --username with --password-stdin;
    /// LAYERBOM_REGISTRY_USERNAME and LAYERBOM_REGISTRY_PASSWORD; podman's auth file
    /// ($REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json, then
    /// $XDG_CONFIG_HOME/containers/auth.json, by default under ~/.config); docker's
    /// $DOCKER_CONFIG/config.json (~/.docker/config.json), its credential helpers included;
    /// else none (anonymous).
    ///
    /// Exit codes: 0 done, 1 a policy (--fail-on, --deny) matched a distributed package,
    /// 2 unusable input or usage error.
    Scan(Box<ScanArgs>),
    /// Scan a list of images, writing each one's documents under a directory.
    ///
    /// LIST is a file (or - for standard input) of images, one a line, each as `scan`
    /// takes it (a registry reference or a path); blank lines and lines starting with `#`
    /// are skipped, and an entry listed twice is scanned once. At most --jobs images are
    /// scanned at once. Each -o FORMAT is written for every image under --out-dir, named by
    /// --names, or by the template after `=` (`-o spdx-json={repo}/{tag}.spdx.json`); the
    /// placeholders are {registry}, {repo}, {tag}, {digest}, {digest12} and {ext}, and no
    /// value can lead a name out of the directory. Without -o, json (the native document)
    /// is written. Documents are written whole or not at all.
    ///
    /// An image that cannot be scanned is reported and passed over; the summary (on
    /// standard error, and as JSON in OUT_DIR/batch-summary.json, or
    /// batch-summary-I-of-N.json for a shard) gives every entry's fate.
    ///
    /// --shard I/N takes the I-th of N slices of the list, by a hash of each entry, the same
    /// whatever the list's order: N processes (a Kubernetes Indexed Job, a CI matrix)
    /// together scan every entry once, sharing the layer cache (--cache). --shard N takes I
    /// from JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job sets it.
    ///
    /// Exit codes: 0 done, 1 a policy (--fail-on, --deny) matched a distributed package of
    /// an image, 2 an entry failed, or an unreadable list or usage error.
    Batch(Box<BatchArgs>),
    /// Ask the fleet inventory (`batch --inventory`) which images hold a package or a
    /// license, or which source packages a set of images owes.
    ///
    /// Other questions are SQL over the inventory's tables: docs/inventory.md describes
    /// them and gives examples.
    ///
    /// Exit codes: 0 done (whether or not anything was found), 2 the inventory cannot be
    /// read, or usage error.
    Query(QueryArgs),
    /// The fleet on one page, from its inventory (`batch --inventory`) or from the output
    /// directory of `batch` (--from-dir): per base image the images built on it; per image its verdict, policy matches and counts; the source
    /// packages owed across the fleet, each once, with the images that need it.
    ///
    /// Exit codes: 0 done, 2 the inventory cannot be read, an unwritable file or usage
    /// error.
    FleetReport(FleetReportArgs),
    /// Audit a Dockerfile: its license, base images and whether they are pinned, build
    /// stages versus the shipped one, and what the build fetches (COPY --from of other
    /// images, ADD of URLs, downloads in RUN with or without a checksum, plain http,
    /// `curl | sh`). Each finding names its line.
    ///
    /// Exit codes: 0 done (findings are informational), 2 unreadable file or usage error.
    Dockerfile(DockerfileArgs),
    /// Write the documents of a scan again from its native JSON, without the image.
    ///
    /// FILE is what `layerbom scan IMAGE -o json=FILE` wrote (schema layerbom/v1). Every
    /// format `scan` writes is made from it byte for byte as the scan made it, given the same
    /// --delivery, --template and SOURCE_DATE_EPOCH: the native JSON is the one document to
    /// archive, and the others can be made from it later, in formats a newer layerbom adds.
    ///
    /// Exit codes: 0 done, 1 a policy (--fail-on, --deny) matched a distributed package,
    /// 2 unreadable document or usage error.
    Convert(ConvertArgs),
    /// Fetch and verify the exact source the delivery owes, and write the bundle and the
    /// written offer.
    ///
    /// INPUT is an image (as `scan` takes it) or the native JSON of a scan. For every source
    /// package the obligations of --delivery owe, the exact version is downloaded into DIR
    /// (--fetch): for Debian and Ubuntu the `.dsc` and every file it lists, from the mirrors
    /// (--mirror, tried in order; else LAYERBOM_MIRROR or `mirror` in layerbom.toml; else the
    /// deb and deb-src URIs of this machine's apt sources). Each file is checked for size and
    /// SHA-256 against the `.dsc`, and the `.dsc` against the suite's signed InRelease and its
    /// Sources index when the mirror has the suite (gpgv, --keyring). For rpm, the source RPM
    /// SOURCERPM names, kept when its header and payload have the digests its headers record,
    /// and verified when signed by a key of --rpm-key (rpmkeys --checksig).
    /// For apk (Alpine), the recipes' tree at the package's commit (c:), as a tar archive from
    /// the URL --source-archive gives, kept when its pax header names that commit and its
    /// ORIGIN/APKBUILD builds the package's version. A file is downloaded to
    /// NAME.part and renamed only once verified; a `.part` left by a broken download is
    /// resumed, and a file already there and right is not downloaded again.
    ///
    /// DIR gets one folder per source package, index.json and index.csv (each distributed
    /// binary package and its layer, mapped to its source files and how each was verified),
    /// OFFER.md (the written offer for the delivery) and SHA256SUMS.
    ///
    /// Exit codes: 0 every owed source is in the bundle, 1 some are missing or incomplete
    /// (index.json says why), 2 unusable input, no mirror, or usage error.
    Sources(Box<SourcesArgs>),
    /// Attach SBOMs to an image in its registry, where `oras discover` and cosign find them.
    ///
    /// Each FILE is pushed as an OCI artifact whose `subject` is the image's manifest (for a
    /// multi-platform image, the platform's: see --platform) and whose `artifactType` is the
    /// document's media type (application/spdx+json, text/spdx,
    /// application/vnd.cyclonedx+json, application/vnd.cyclonedx+xml), its one layer the
    /// document, titled with the file's name: one artifact per file, as `oras attach
    /// --artifact-type TYPE IMAGE FILE:TYPE` makes. A registry with the OCI 1.1 referrers
    /// API lists the artifacts itself; for one without, the image index tagged
    /// `sha256-<hex>` (the referrers tag schema) is updated. Attaching the same document
    /// again changes nothing: the artifact holds no date.
    ///
    /// Exit codes: 0 done, 2 unreadable or unrecognized file, registry error or usage error.
    Attach(AttachArgs),
    /// List the artifacts attached to an image in its registry, and read their documents
    /// back.
    ///
    /// Lists what refers to the image's manifest (the OCI 1.1 referrers API, else the
    /// referrers tag `sha256-<hex>`): each artifact's digest and type, and the size and file
    /// name of each document it holds. With --output-dir, the documents are written there,
    /// byte for byte as attached (checked against their digests).
    ///
    /// Exit codes: 0 done, 2 registry error or usage error.
    Attached(AttachedArgs),
    /// Look after the layer cache: what it holds, making room, emptying it.
    ///
    /// `scan` keeps each layer's scan in the cache, filed under the layer's diff_id and the
    /// version of layerbom and its capture rules, and reads it back for any image with that
    /// layer instead of reading the layer again (a registry's layer is not even downloaded).
    /// Reports are the same byte for byte. Several layerbom processes may share the cache at
    /// once.
    ///
    /// Exit codes: 0 done, 2 the cache cannot be read or changed, or usage error.
    Cache(CacheCommand),
    /// Print a shell's completion script for layerbom.
    ///
    /// bash: `layerbom completions bash > ~/.local/share/bash-completion/completions/layerbom`;
    /// zsh: `layerbom completions zsh > ~/.zfunc/_layerbom` (a directory on $fpath); fish:
    /// `layerbom completions fish > ~/.config/fish/completions/layerbom.fish`.
    ///
    /// Exit codes: 0 done, 2 usage error.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of layerbom, or of one of its commands, made from the
    /// same definition as --help.
    ///
    /// `layerbom man scan | man -l -` reads it; with --output-dir every page (layerbom.1,
    /// layerbom-scan.1, …) is written there, for a package to install under
    /// /usr/share/man/man1.
    ///
    /// Exit codes: 0 done, 2 no such command, an unwritable directory or usage error.
    Man(ManArgs),
}

#[derive(Debug, Args)]
struct CompletionsArgs {
    /// The shell.
    shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
struct ManArgs {
    /// The command whose page to print (`scan`, `cache prune`, …); none for layerbom's own.
    #[arg(value_name = "COMMAND", conflicts_with = "output_dir")]
    command: Vec<String>,

    /// Write every page to DIR instead, one file each (layerbom.1, layerbom-scan.1, …).
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
}

/// Where the layer cache is: shared by `scan` and `cache`.
#[derive(Debug, Args)]
struct CacheArgs {
    /// The layer cache's directory [default: $XDG_CACHE_HOME/layerbom, else
    /// ~/.cache/layerbom].
    #[arg(long, value_name = "DIR", env = "LAYERBOM_CACHE_DIR")]
    cache_dir: Option<PathBuf>,

    /// Keep the layer cache in a PostgreSQL database or a Redis server instead of a
    /// directory, shared by every machine that scans:
    /// postgres://USER:PASSWORD@HOST[:PORT]/DATABASE or redis://[:PASSWORD@]HOST[:PORT][/DB]
    /// (rediss:// over TLS). Give the password in LAYERBOM_CACHE rather than on the command line, where other
    /// users can read it.
    #[arg(
        long = "cache",
        value_name = "URL",
        env = "LAYERBOM_CACHE",
        hide_env_values = true,
        value_parser = parse_cache_url
    )]
    cache_url: Option<String>,

    /// The most the cache may hold: past it, the least recently used layers are dropped.
    /// BYTES, or a number with K, M, G or T (powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "5G", value_parser = parse_size)]
    cache_max_size: u64,

    /// Stop (exit 2) when the shared cache (database or server) cannot be reached, rather
    /// than scanning without it.
    #[arg(long)]
    cache_required: bool,
}

impl CacheArgs {
    /// The cache's store and the cache over it; `read` false only writes to it.
    fn open(&self, read: bool) -> Result<layerbom::cache::Cache, Error> {
        use layerbom::cache::{dir, postgres, redis, Cache, Store};
        let shared = |e: String| Error::Usage(format!("the layer cache: {e}"));
        let store: Box<dyn Store> = match &self.cache_url {
            Some(url) if redis::is_url(url) => {
                Box::new(redis::RedisStore::connect(url, self.cache_max_size).map_err(shared)?)
            }
            Some(url) => Box::new(
                postgres::PostgresStore::connect(url, self.cache_max_size).map_err(shared)?,
            ),
            None => {
                let dir = match &self.cache_dir {
                    Some(dir) => dir.clone(),
                    None => dir::default_dir().ok_or_else(|| {
                        Error::Usage(
                            "no directory for the layer cache: set XDG_CACHE_HOME or HOME, or \
                             give --cache-dir (or --no-cache)"
                                .into(),
                        )
                    })?,
                };
                Box::new(dir::DirStore::new(dir, self.cache_max_size))
            }
        };
        Ok(Cache::new(store, &pipeline::capture_rules(), read))
    }

    /// The cache a scan uses: none when it cannot be opened, which is a warning, unless
    /// --cache-required makes it an error.
    fn for_scan(&self, read: bool) -> Result<Option<Arc<layerbom::cache::Cache>>, Error> {
        match self.open(read) {
            Ok(cache) => Ok(Some(Arc::new(cache))),
            Err(e) if !self.cache_required => {
                eprintln!(
                    "layerbom: warning: {}; scanning without the cache",
                    one_line(&e.to_string())
                );
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

#[derive(Debug, Args)]
struct CacheCommand {
    #[command(subcommand)]
    action: CacheAction,
}

#[derive(Debug, Subcommand)]
enum CacheAction {
    /// How many entries (layer scans, copyright file readings) the cache holds, how large,
    /// and when they were last used.
    Stats(CacheArgs),
    /// Drop the entries of other layerbom versions or capture rules and the leftovers of
    /// interrupted writes, then the least recently used layers past --cache-max-size.
    Prune(CacheArgs),
    /// Drop every entry.
    Clear(CacheArgs),
}

/// How to reach a registry: shared by every command that does.
#[derive(Debug, Args)]
struct RegistryArgs {
    /// A registry (HOST or HOST:PORT) to reach over plain HTTP when TLS fails, as docker
    /// does (repeatable). Loopback addresses always are; others over verified TLS only.
    #[arg(long, value_name = "HOST")]
    insecure_registry: Vec<String>,

    /// A PEM file of certificate authorities to trust for registries, besides the system's
    /// (repeatable).
    #[arg(long, value_name = "FILE")]
    ca_cert: Vec<PathBuf>,

    /// The user name to reach the registry with; the password is read from standard input
    /// (--password-stdin). Without them, LAYERBOM_REGISTRY_USERNAME and
    /// LAYERBOM_REGISTRY_PASSWORD are used when set, else what `podman login` or `docker
    /// login` keeps for the registry.
    #[arg(long, value_name = "USER", requires = "password_stdin")]
    username: Option<String>,

    /// Read the registry password for --username from standard input (one line; a trailing
    /// newline is not part of it).
    #[arg(long, requires = "username")]
    password_stdin: bool,
}

impl RegistryArgs {
    /// The options, the password read from standard input when --username is given.
    fn options(&self) -> Result<pipeline::RegistryOptions, Error> {
        Ok(pipeline::RegistryOptions {
            insecure: self.insecure_registry.clone(),
            ca_certs: self.ca_cert.clone(),
            credentials: match &self.username {
                Some(user) => Some((user.clone(), password_from_stdin()?)),
                None => None,
            },
        })
    }
}

#[derive(Debug, Args)]
struct AttachArgs {
    /// The image in its registry, `[registry[:port]/]repository[:tag][@digest]`.
    image: String,

    /// The documents to attach, each as FILE (SPDX JSON or tag-value, CycloneDX JSON or
    /// XML, recognized from its content) or FILE:MEDIATYPE for any other.
    #[arg(value_name = "FILE[:MEDIATYPE]", required = true)]
    files: Vec<String>,

    /// Platform of a multi-platform image whose manifest the documents describe (default
    /// the host's platform); `arm64` is short for `linux/arm64`. A single image asked for by
    /// platform must be of it.
    #[arg(long, value_name = "[OS/]ARCH[/VARIANT]", value_parser = parse_platform)]
    platform: Option<Platform>,

    #[command(flatten)]
    registry: RegistryArgs,
}

#[derive(Debug, Args)]
struct AttachedArgs {
    /// The image in its registry, `[registry[:port]/]repository[:tag][@digest]`.
    image: String,

    /// Platform of a multi-platform image whose manifest to list (default the host's
    /// platform); `arm64` is short for `linux/arm64`.
    #[arg(long, value_name = "[OS/]ARCH[/VARIANT]", value_parser = parse_platform)]
    platform: Option<Platform>,

    /// Only artifacts of this type (application/spdx+json, application/vnd.cyclonedx+json,
    /// …).
    #[arg(long, value_name = "MEDIATYPE")]
    artifact_type: Option<String>,

    /// Only the artifact with this manifest digest (the ARTIFACT column).
    #[arg(long, value_name = "DIGEST")]
    artifact: Option<String>,

    /// Write the documents of the artifacts listed in DIR, each under its file name as
    /// attached (else its digest), after checking it against its digest.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,

    /// Write FORMAT to FILE, or to standard output without `=FILE` (repeatable).
    /// Formats: table (the default), json.
    #[arg(short = 'o', long = "output", value_name = "FORMAT[=FILE]")]
    outputs: Vec<OutputSpec>,

    #[command(flatten)]
    registry: RegistryArgs,
}

#[derive(Debug, Args)]
struct DockerfileArgs {
    /// The Dockerfile.
    file: PathBuf,

    /// Write FORMAT to FILE, or to standard output without `=FILE` (repeatable).
    /// Formats: table (the default), json.
    #[arg(short = 'o', long = "output", value_name = "FORMAT[=FILE]")]
    outputs: Vec<OutputSpec>,
}

/// What documents to write, and the choices they depend on: shared by `scan` and
/// `convert`, so that both write the same bytes.
#[derive(Debug, Args)]
struct DocumentArgs {
    /// Write FORMAT to FILE, or to standard output without `=FILE` (repeatable).
    /// Formats: table (the default), json (native, schema layerbom/v1), spdx-json and
    /// spdx-tag-value (SPDX 2.3), spdx3-json (SPDX 3.0.1 JSON-LD),
    /// cyclonedx-json and cyclonedx-xml (CycloneDX 1.7; @1.6 or @1.5 after either for older
    /// consumers, @1.7 the default spelled out),
    /// obligations-json, obligations-md and obligations-csv (what shipping the image obliges
    /// us to do, and the source-distribution list), notice (the NOTICE file), report-md and
    /// report-html (the approval report), template (the --output-template).
    /// Also, as syft takes them: spdx (spdx-tag-value), cyclonedx (cyclonedx-xml; syft's
    /// cyclonedx is XML too).
    #[arg(short = 'o', long = "output", value_name = "FORMAT[=FILE]")]
    outputs: Vec<OutputSpec>,

    /// How the image is shipped: image (every layer is ours to answer for), layers (only the
    /// layers we built; the base image is already public), dockerfile (only the Dockerfile).
    #[arg(long, value_name = "MODE", default_value = "image")]
    delivery: Delivery,

    /// Exit 1 when a distributed package has a license of one of these categories:
    /// public-domain, permissive, weak-copyleft, strong-copyleft, network-copyleft,
    /// non-free, unknown; or, with unapproved-base, when the base image is not one of the
    /// --approved-base images (comma-separated, repeatable).
    #[arg(
        long,
        value_name = "CATEGORY[,CATEGORY]",
        value_delimiter = ',',
        value_parser = parse_fail_on
    )]
    fail_on: Vec<FailOn>,

    /// An approved base image, `[registry/]repository[:tag][@digest]`: without tag or
    /// digest, any image of the repository (repeatable). When given, the base image is
    /// checked against them (`base-approved` or `unapproved-base` finding, and the
    /// checklist).
    #[arg(long, value_name = "REFERENCE", value_parser = parse_approved_base)]
    approved_base: Vec<String>,

    /// The archive that keeps every source version of a distribution, as ID=URL: the
    /// os-release ID of the images it serves, and a URL with placeholders {name},
    /// {version}, {release}, {file}, {commit}, each filled with the source package's
    /// value, percent-encoded (repeatable, one per distribution; usually kept in
    /// layerbom.toml). The offers of the obligations and of every document then carry
    /// that URL for each source package.
    #[arg(long, value_name = "ID=URL", value_parser = SourceArchive::parse)]
    source_archive: Vec<SourceArchive>,

    /// Exit 1 when a distributed package is under this license or exception (an SPDX id; a
    /// bare family such as GPL-3.0 also matches its -only and -or-later forms; repeatable).
    #[arg(long, value_name = "LICENSE-ID", value_parser = parse_deny)]
    deny: Vec<String>,

    /// A minijinja template for the NOTICE file, replacing the default
    /// (templates/notice.txt.j2 in the source tree).
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,

    /// The configuration file: options under their long names, used where neither the
    /// command line nor their LAYERBOM_* variable gives them [default: layerbom.toml in the
    /// working directory, when there is one].
    #[arg(long, value_name = "FILE", env = "LAYERBOM_CONFIG")]
    config: Option<PathBuf>,

    /// The minijinja template that `-o template` renders, over the native report, the
    /// obligations and the checklist (the variables are listed in the README).
    #[arg(long, value_name = "FILE")]
    output_template: Option<PathBuf>,

    /// The source bundle `layerbom sources --fetch DIR` wrote: the obligations and the
    /// approval report then say which owed sources it holds whole and verified, and which
    /// are missing (each file is hashed again).
    #[arg(long, value_name = "DIR")]
    sources: Option<PathBuf>,

    /// The reviewers' decisions, from the configuration file's `[review]`.
    #[arg(skip)]
    review: Review,

    /// The configuration file they were read from, as their evidence names it.
    #[arg(skip)]
    review_file: String,
}

/// One `--fail-on` value: a license category, or `unapproved-base`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FailOn {
    Category(Category),
    UnapprovedBase,
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if s.trim().eq_ignore_ascii_case(policy::UNAPPROVED_BASE) {
        return Ok(FailOn::UnapprovedBase);
    }
    s.parse::<Category>()
        .map(FailOn::Category)
        .map_err(|e| format!("{e}, or {}", policy::UNAPPROVED_BASE))
}

fn parse_approved_base(s: &str) -> Result<String, String> {
    layerbom::audit::approved::check(s).map(|()| s.trim().to_string())
}

#[derive(Debug, Args)]
struct ConvertArgs {
    /// The native JSON document of a scan (`layerbom scan IMAGE -o json=FILE`), or - for
    /// standard input.
    file: PathBuf,

    #[command(flatten)]
    documents: DocumentArgs,
}

#[derive(Debug, Args)]
struct SourcesArgs {
    /// The image (any form `scan` takes) or the native JSON of its scan.
    input: PathBuf,

    /// The bundle's directory: made if missing; what a run before left there is kept when
    /// right and resumed when partial.
    #[arg(long, value_name = "DIR")]
    fetch: PathBuf,

    /// A mirror's base URL (the directory holding `dists/` and `pool/`), tried in the order
    /// given (repeatable; a separate security archive is one more mirror).
    #[arg(long, value_name = "URL")]
    mirror: Vec<String>,

    /// The archive of a distribution's sources, ID=URL, as `scan` takes it: for apk, a URL
    /// with {commit} that serves the recipes' tree at that commit as a tar archive (a
    /// forge's archive download, made by git archive), with {name} the origin (repeatable).
    #[arg(long, value_name = "ID=URL", value_parser = SourceArchive::parse)]
    source_archive: Vec<SourceArchive>,

    /// An OpenPGP public key (an ASCII-armored file, as the distribution's RPM-GPG-KEY)
    /// that signs the distribution's source RPMs (repeatable): a source RPM signed by one
    /// is `verified` (checked by rpmkeys --checksig); without one, only its digests are.
    #[arg(long, value_name = "FILE")]
    rpm_key: Vec<PathBuf>,

    /// The OpenPGP keyring the archives' InRelease files are verified with.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "/usr/share/keyrings/debian-archive-keyring.gpg"
    )]
    keyring: PathBuf,

    /// A suite to look in (repeatable), instead of those of the image's release (for
    /// Debian 12: bookworm, bookworm-security, bookworm-updates).
    #[arg(long, value_name = "NAME")]
    suite: Vec<String>,

    /// How many source packages download at once.
    #[arg(long, value_name = "N", default_value_t = 4)]
    jobs: usize,

    /// The largest source file downloaded: BYTES, or a number with K, M, G or T.
    #[arg(long, value_name = "SIZE", default_value = "2G", value_parser = parse_size)]
    max_file_size: u64,

    /// How the image is shipped, which decides the source owed (see `scan --delivery`).
    #[arg(long, value_name = "MODE", default_value = "image")]
    delivery: Delivery,

    /// Also write the bundle as one tar at FILE (deterministic: sorted, dated 1970).
    #[arg(long, value_name = "FILE")]
    archive: Option<PathBuf>,

    /// How recipients request the source, for OFFER.md (an address, a mail address).
    #[arg(long, value_name = "TEXT")]
    contact: Option<String>,

    /// The configuration file (see `scan --config`).
    #[arg(long, value_name = "FILE", env = "LAYERBOM_CONFIG")]
    config: Option<PathBuf>,

    /// Platform to choose from a multi-platform image (see `scan --platform`).
    #[arg(long, value_name = "[OS/]ARCH[/VARIANT]", value_parser = parse_platform)]
    platform: Option<Platform>,

    /// No summary on standard error.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// The image to scan.
    image: PathBuf,

    #[command(flatten)]
    documents: DocumentArgs,

    #[command(flatten)]
    reading: ImageArgs,

    /// The image this one was built FROM (any form IMAGE takes): its layers are the base.
    #[arg(long, value_name = "IMAGE")]
    base_image: Option<PathBuf>,

    /// The Dockerfile the image was built from: its final stage's RUN/COPY/ADD are matched
    /// to the top layers, and the layers below are the base image. Its audit (see `layerbom
    /// dockerfile`) is added to the findings.
    #[arg(long, value_name = "FILE")]
    dockerfile: Option<PathBuf>,

    /// The number of bottom layers that belong to the base image (at most the image's
    /// layers: more is a usage error, exit 2).
    #[arg(long, value_name = "N")]
    base_layers: Option<usize>,

    /// Who supplies (ships) this image, as SBOMs name it: `Organization: NAME` or `NAME
    /// <email>`. Default: the image's org.opencontainers.image.vendor label or annotation.
    #[arg(long, value_name = "NAME")]
    supplier: Option<String>,

    /// Once written, attach the SBOMs written to files (spdx-json, spdx-tag-value,
    /// cyclonedx-json, cyclonedx-xml) to the image in its registry, as `layerbom attach`
    /// does, to the very manifest scanned. Only for a registry image.
    #[arg(long)]
    attach: bool,
}

#[derive(Debug, Args)]
struct BatchArgs {
    /// The list of images: a file, or - for standard input.
    list: PathBuf,

    #[command(flatten)]
    documents: DocumentArgs,

    /// The directory the documents are written under (made when missing).
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,

    /// The name template of the documents asked for without `=TEMPLATE`.
    #[arg(long, value_name = "TEMPLATE", default_value = fleet::names::DEFAULT)]
    names: fleet::names::NameTemplate,

    /// The most images scanned at once [default: the number of CPUs].
    #[arg(short, long, value_name = "N")]
    jobs: Option<std::num::NonZeroUsize>,

    /// Scan only the I-th of N slices of the list (0 <= I < N); N alone takes I from
    /// JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "I/N")]
    shard: Option<fleet::list::ShardSpec>,

    /// Write the summary (JSON) to FILE [default: OUT_DIR/batch-summary.json, or
    /// OUT_DIR/batch-summary-I-of-N.json for a shard].
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,

    /// Write every image scanned into the fleet inventory in this PostgreSQL database
    /// (postgres://USER:PASSWORD@HOST[:PORT]/DATABASE; the tables are docs/inventory.md's),
    /// replacing the rows of an image scanned before. Better given in LAYERBOM_INVENTORY.
    #[arg(
        long,
        value_name = "URL",
        env = "LAYERBOM_INVENTORY",
        hide_env_values = true,
        value_parser = parse_inventory_url
    )]
    inventory: Option<String>,

    #[command(flatten)]
    reading: ImageArgs,
}

#[derive(Debug, Args)]
struct QueryArgs {
    /// The inventory: postgres://USER:PASSWORD@HOST[:PORT]/DATABASE.
    #[arg(
        long,
        value_name = "URL",
        env = "LAYERBOM_INVENTORY",
        hide_env_values = true,
        value_parser = parse_inventory_url,
        global = true
    )]
    inventory: Option<String>,

    /// Write FORMAT to FILE, or to standard output without `=FILE` (repeatable).
    /// Formats: table (the default), json.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT[=FILE]",
        global = true
    )]
    outputs: Vec<OutputSpec>,

    #[command(subcommand)]
    question: Question,
}

#[derive(Debug, Args)]
struct FleetReportArgs {
    /// The inventory: postgres://USER:PASSWORD@HOST[:PORT]/DATABASE.
    #[arg(
        long,
        value_name = "URL",
        env = "LAYERBOM_INVENTORY",
        hide_env_values = true,
        value_parser = parse_inventory_url,
        required_unless_present = "from_dir"
    )]
    inventory: Option<String>,

    /// Make the report from the --out-dir of `layerbom batch` (the summaries of all its
    /// shards, and each image's native JSON, written with -o json) instead of the inventory.
    #[arg(long, value_name = "DIR")]
    from_dir: Option<PathBuf>,

    /// The delivery mode the source packages are owed for: image, layers, dockerfile.
    #[arg(long, value_name = "MODE", default_value = "image")]
    delivery: Delivery,

    /// Write FORMAT to FILE, or to standard output without `=FILE` (repeatable).
    /// Formats: md (the default), html, json (schema layerbom-fleet/v1).
    #[arg(short = 'o', long = "output", value_name = "FORMAT[=FILE]")]
    outputs: Vec<fleet::report::Output>,
}

#[derive(Debug, Subcommand)]
enum Question {
    /// The images holding a package, by name.
    Package {
        /// The package's name.
        name: String,
        /// Only versions in this range: `>=1.35,<1.36`, `1.35.*`, `!=2.0`, or one version;
        /// versions compare as dpkg compares them.
        #[arg(long, value_name = "RANGE")]
        version: Option<fleet::version::VersionRange>,
        /// Only packages from layers of this origin: base, authored, unknown.
        #[arg(long, value_name = "ORIGIN", value_parser = fleet::query::parse_origin)]
        origin: Option<layerbom::model::Origin>,
    },
    /// The images holding a package under a license (an SPDX id in any case; a bare family
    /// such as GPL-2.0 also matches its -only and -or-later forms).
    License {
        /// The license.
        id: String,
    },
    /// The source packages owed for shipping a set of images, each once, with the images
    /// that need it.
    Owed {
        /// How the images are shipped: image (every layer), layers (the layers we built and
        /// those of unknown origin), dockerfile (none).
        #[arg(long, value_name = "MODE", default_value = "image")]
        delivery: Delivery,
        /// Only the images listed under references matching this glob (`*` any text;
        /// repeatable) [default: every image].
        #[arg(long, value_name = "GLOB")]
        image: Vec<String>,
    },
}

/// How images are read: shared by `scan` and `batch`.
#[derive(Debug, Args)]
struct ImageArgs {
    /// Platform to choose from a multi-platform image (default linux/amd64 when a local
    /// image has several, the host's platform for a registry image); `arm64` is short for
    /// `linux/arm64`.
    #[arg(long, value_name = "[OS/]ARCH[/VARIANT]", value_parser = parse_platform)]
    platform: Option<Platform>,

    #[command(flatten)]
    registry: RegistryArgs,

    /// Do not check any digest (manifests, configs, blobs, diff_ids).
    #[arg(long, conflicts_with = "verify")]
    no_verify: bool,

    /// The most layers an image may list (an image past it is refused, exit 2).
    #[arg(long, value_name = "N", default_value_t = Budget::DEFAULT.layers)]
    max_layers: usize,

    /// The most entries (files, directories, links) an image's layers may hold in all,
    /// counting a layer each time the manifest lists it (an image past it is refused, exit 2).
    #[arg(long, value_name = "N", default_value_t = Budget::DEFAULT.entries)]
    max_entries: usize,

    /// The most bytes of files (package databases, copyright files) an image's layers may
    /// have kept in memory for reading, in all (an image past it is refused, exit 2).
    #[arg(long, value_name = "BYTES", default_value_t = Budget::DEFAULT.captured)]
    max_captured: u64,

    /// The most bytes of entry names an image's layers may hold in all (an image past it is
    /// refused, exit 2).
    #[arg(long, value_name = "BYTES", default_value_t = Budget::DEFAULT.names)]
    max_name_bytes: u64,

    /// The most packages an image's package databases and metadata files may list in all,
    /// each file counted once (an image past it is refused, exit 2).
    #[arg(long, value_name = "N", default_value_t = Budget::DEFAULT.packages)]
    max_packages: usize,

    /// Check every digest: also recompute each layer's diff_id (the sha256 of its
    /// uncompressed tar), reading uncompressed layers whole. By default the digests that
    /// address content are checked (manifests, configs, compressed blobs, which are read
    /// whole anyway); a diff_id is what a correct blob decompresses to, so recomputing it
    /// finds a corrupt or inconsistent image, not a tampered one.
    #[arg(long)]
    verify: bool,

    /// Scan every layer: neither read the layer cache nor write to it (whatever the cache
    /// options say).
    #[arg(
        long,
        env = "LAYERBOM_NO_CACHE",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    no_cache: bool,

    #[command(flatten)]
    cache: CacheArgs,

    /// No progress bar, and no summary of the layer cache's use.
    #[arg(short, long)]
    quiet: bool,
}

impl ImageArgs {
    /// The pipeline's options; `progress` shows a scan's progress bars.
    fn options(&self, progress: bool) -> Result<Options, Error> {
        Ok(Options {
            platform: self.platform.clone(),
            verify: !self.no_verify,
            verify_all: self.verify,
            progress,
            budget: Budget {
                layers: self.max_layers,
                entries: self.max_entries,
                captured: self.max_captured,
                names: self.max_name_bytes,
                packages: self.max_packages,
            },
            registry: self.registry.options()?,
            // With --verify every layer is read; what is read is still kept.
            cache: match self.no_cache {
                true => None,
                false => self.cache.for_scan(!self.verify)?,
            },
        })
    }
}

fn parse_deny(s: &str) -> Result<String, policy::DenyIdError> {
    policy::Policy::canonical_deny_id(s)
}

/// A size in bytes: a number, or one with K, M, G or T (powers of 1024; `KiB`, `MB` and
/// the like are read the same).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let shift = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches(['B', 'I'])
    {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => {
            return Err(format!(
                "{s:?} is not a size (BYTES, or a number with K, M, G or T)"
            ))
        }
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| format!("{s:?} is not a size (BYTES, or a number with K, M, G or T)"))
}

fn parse_cache_url(s: &str) -> Result<String, String> {
    if layerbom::cache::postgres::is_url(s) || layerbom::cache::redis::is_url(s) {
        Ok(s.to_string())
    } else {
        Err("the shared cache is a PostgreSQL database, postgres://USER:PASSWORD@HOST[:PORT]/DATABASE, or a Redis server, redis://[:PASSWORD@]HOST[:PORT][/DB] (a directory is --cache-dir)".into())
    }
}

fn parse_inventory_url(s: &str) -> Result<String, String> {
    if layerbom::cache::postgres::is_url(s) {
        Ok(s.to_string())
    } else {
        Err(
            "the inventory is a PostgreSQL database: postgres://USER:PASSWORD@HOST[:PORT]/DATABASE"
                .into(),
        )
    }
}

fn parse_platform(s: &str) -> Result<Platform, String> {
    Platform::parse_arg(s)
        .ok_or_else(|| format!("{s:?} is not [OS/]ARCH[/VARIANT], e.g. linux/arm64 or arm64"))
}

/// `layerbom dockerfile FILE`: the audit as a table or JSON.
fn dockerfile(args: DockerfileArgs) -> Result<ExitCode, Error> {
    let outputs = outputs_asked(args.outputs, Some("the Dockerfile audit"))?;
    check_outputs(
        &[output::Input {
            path: &args.file,
            what: "the Dockerfile",
        }],
        &outputs,
    )?;
    let audit = layerbom::audit::dockerfile::audit_file(&args.file)?;
    for o in &outputs {
        let write = |w: &mut dyn Write| match o.format.name() {
            "json" => serde_json::to_writer_pretty(&mut *w, &audit)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(w)),
            _ => audit.write_table(w),
        };
        write_output(o, write)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `layerbom attach IMAGE FILE…`: pushes the documents as artifacts referring to the image.
fn attach(args: AttachArgs) -> Result<ExitCode, Error> {
    let documents = args
        .files
        .iter()
        .map(|f| attach::Document::from_arg(f))
        .collect::<Result<Vec<_>, _>>()?;
    let opts = args.registry.options()?;
    let done = attach::attach(&args.image, &documents, args.platform.as_ref(), &opts)?;
    print_attached(&done, &mut std::io::stdout().lock())?;
    Ok(ExitCode::SUCCESS)
}

/// The SBOM media type of an output format, for the formats that are SBOMs.
fn sbom_media_type(format: &str) -> Option<&'static str> {
    match format.split('@').next()? {
        "spdx-json" => Some(attach::MT_SPDX_JSON),
        "spdx-tag-value" => Some(attach::MT_SPDX_TAG_VALUE),
        "cyclonedx-json" => Some(attach::MT_CYCLONEDX_JSON),
        "cyclonedx-xml" => Some(attach::MT_CYCLONEDX_XML),
        _ => None,
    }
}

/// Says what was attached, and where the referrers list was kept.
fn print_attached(done: &attach::Attachment, out: &mut dyn Write) -> Result<(), Error> {
    let mut written = || {
        writeln!(out, "Attached to {}", done.subject.reference)?;
        for a in &done.attached {
            writeln!(
                out,
                "  {}  {}  {}",
                a.artifact,
                a.media_type,
                one_line(&a.file.display().to_string())
            )?;
        }
        if let Some(tag) = &done.referrers_tag {
            writeln!(
                out,
                "Listed in the referrers tag {tag} (the registry lists no referrers itself)"
            )?;
        }
        out.flush()
    };
    reader_gone_is_done(written()).map_err(|source| Error::Output {
        path: "-".into(),
        source,
    })
}

/// `layerbom attached IMAGE`: what refers to the image, as a table or JSON, and with
/// --output-dir the documents.
fn attached(args: AttachedArgs) -> Result<ExitCode, Error> {
    let outputs = outputs_asked(args.outputs, Some("the list of attached artifacts"))?;
    check_outputs(&[], &outputs)?;
    let opts = args.registry.options()?;
    let query = attach::Query {
        platform: args.platform.as_ref(),
        artifact_type: args.artifact_type.as_deref(),
        artifact: args.artifact.as_deref(),
        output_dir: args.output_dir.as_deref(),
    };
    let listing = attach::attached(&args.image, &query, &opts)?;
    for o in &outputs {
        let write = |w: &mut dyn Write| match o.format.name() {
            "json" => serde_json::to_writer_pretty(&mut *w, &listing)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(w)),
            _ => listing.write_table(w),
        };
        write_output(o, write)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The commands whose options the configuration file and `LAYERBOM_*` variables set.
const CONFIGURED: [&str; 4] = ["scan", "convert", "batch", "sources"];

/// The command line, each option of `scan` and `convert` that the command line leaves
/// unset taken from its `LAYERBOM_*` variable, else from the configuration file
/// (`--config FILE`, else `layerbom.toml` in the working directory): the order of
/// precedence of syft and trivy. Prints help or a usage error and exits, as clap does.
fn command_line() -> Result<Cli, Error> {
    let command = with_environment(Cli::command());
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let matches = command.clone().get_matches_from(&argv);
    let Some((name, sub)) = matches.subcommand().filter(|(n, _)| CONFIGURED.contains(n)) else {
        return Cli::from_arg_matches(&matches).map_err(|e| Error::Usage(e.to_string()));
    };
    let (path, given) = match sub.get_one::<PathBuf>("config") {
        Some(path) => (path.clone(), true),
        None => (PathBuf::from(layerbom::config::FILE), false),
    };
    if !given && !path.is_file() {
        return Cli::from_arg_matches(&matches).map_err(|e| Error::Usage(e.to_string()));
    }
    let config = layerbom::config::Config::read(&path).map_err(|e| Error::Usage(e.to_string()))?;
    let review_file = config.path.file_name().map_or_else(
        || config.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let subcommand = command
        .find_subcommand(name)
        .expect("a subcommand that was matched");
    let mut args = vec![argv[0].clone(), name.into()];
    for (key, setting) in &config.settings {
        let arg = subcommand
            .get_arguments()
            .find(|a| a.get_long() == Some(key.as_str()) && key != "config");
        let Some(arg) = arg else {
            // A name of the other configured command is for that command.
            let elsewhere = CONFIGURED.iter().filter(|c| **c != name).any(|c| {
                command.find_subcommand(c).is_some_and(|s| {
                    s.get_arguments()
                        .any(|a| a.get_long() == Some(key.as_str()))
                })
            });
            if elsewhere {
                continue;
            }
            return Err(Error::Usage(format!(
                "{}: {key} is not an option of layerbom {name} (the names are the long options, as \
                 `layerbom {name} --help` lists them)",
                config.path.display()
            )));
        };
        let from_user = matches!(
            sub.value_source(arg.get_id().as_str()),
            Some(clap::parser::ValueSource::CommandLine | clap::parser::ValueSource::EnvVariable)
        );
        if from_user {
            continue;
        }
        match setting {
            layerbom::config::Setting::Flag(true) => args.push(format!("--{key}").into()),
            layerbom::config::Setting::Flag(false) => {}
            layerbom::config::Setting::Values(values) => {
                args.extend(values.iter().map(|v| format!("--{key}={v}").into()));
            }
        }
    }
    let position = argv
        .iter()
        .position(|a| a == name)
        .map_or(argv.len(), |p| p + 1);
    args.extend(argv[position..].iter().cloned());
    let matches = command.try_get_matches_from(&args).map_err(|e| {
        Error::Usage(format!(
            "{} (with the settings of {})",
            e.render()
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: "),
            config.path.display()
        ))
    })?;
    let mut cli = Cli::from_arg_matches(&matches).map_err(|e| Error::Usage(e.to_string()))?;
    let documents = match &mut cli.command {
        Command::Scan(args) => Some(&mut args.documents),
        Command::Convert(args) => Some(&mut args.documents),
        Command::Batch(args) => Some(&mut args.documents),
        _ => None,
    };
    if let Some(documents) = documents {
        documents.review = config.review;
        documents.review_file = review_file;
    }
    Ok(cli)
}

/// Gives every option of `scan` and `convert` that has no variable of its own the variable
/// `LAYERBOM_NAME` (its long name in capitals, `-` as `_`), except the registry
/// credentials, which have theirs (see `scan --help`). A repeatable option takes one value
/// from its variable (`--fail-on`, comma-separated, takes several).
fn with_environment(command: clap::Command) -> clap::Command {
    CONFIGURED.iter().fold(command, |command, name| {
        command.mut_subcommand(name, |sub| {
            let ids: Vec<String> = sub
                .get_arguments()
                .filter(|a| !a.is_positional() && a.get_env().is_none())
                .filter(|a| !matches!(a.get_id().as_str(), "username" | "password_stdin"))
                .filter(|a| a.get_long().is_some())
                .map(|a| a.get_id().to_string())
                .collect();
            ids.iter().fold(sub, |sub, id| {
                sub.mut_arg(id, |a| {
                    let long = a.get_long().unwrap_or_default();
                    let variable = format!("LAYERBOM_{}", long.to_uppercase().replace('-', "_"));
                    // A flag's variable takes 1/0, yes/no, on/off as well as true/false.
                    match a.get_action() {
                        clap::ArgAction::SetTrue => a
                            .env(variable)
                            .value_parser(clap::builder::BoolishValueParser::new()),
                        _ => a.env(variable),
                    }
                })
            })
        })
    })
}

fn main() -> ExitCode {
    let cli = match command_line() {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("layerbom: error: {}", one_line(&e.to_string()));
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let result = match cli.command {
        Command::Scan(args) => scan(*args),
        Command::Batch(args) => batch(*args),
        Command::Query(args) => query(args),
        Command::FleetReport(args) => fleet_report(args),
        Command::Dockerfile(args) => dockerfile(args),
        Command::Convert(args) => convert(args),
        Command::Sources(args) => sources(*args),
        Command::Attach(args) => attach(args),
        Command::Attached(args) => attached(args),
        Command::Cache(args) => cache(args),
        Command::Completions(args) => completions(args),
        Command::Man(args) => man(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("layerbom: error: {}", one_line(&e.to_string()));
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// Writes `bytes` to standard output, as every document: a reader gone is the end.
fn print(bytes: &[u8]) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    reader_gone_is_done(out.write_all(bytes).and_then(|()| out.flush())).map_err(|source| {
        Error::Output {
            path: "-".into(),
            source,
        }
    })
}

/// `layerbom completions SHELL`.
fn completions(args: CompletionsArgs) -> Result<ExitCode, Error> {
    // Made in memory first: clap_complete panics on a write error, and a closed standard
    // output is no error.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "layerbom", &mut script);
    print(&script)?;
    Ok(ExitCode::SUCCESS)
}

/// `layerbom man [COMMAND…] [--output-dir DIR]`.
fn man(args: ManArgs) -> Result<ExitCode, Error> {
    let mut cmd = with_environment(Cli::command());
    cmd.build();
    if let Some(dir) = &args.output_dir {
        clap_mangen::generate_to(cmd, dir).map_err(|source| Error::Output {
            path: dir.display().to_string(),
            source,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut page = &cmd;
    let mut name = vec!["layerbom".to_string()];
    for sub in &args.command {
        page = page.find_subcommand(sub).ok_or_else(|| {
            Error::Usage(format!(
                "layerbom man: {} has no command {sub:?}",
                name.join(" ")
            ))
        })?;
        name.push(page.get_name().to_string());
    }
    // Built, a subcommand's display name is `layerbom-scan`: its page is layerbom-scan(1),
    // as generate_to names it.
    let mut roff = Vec::new();
    clap_mangen::Man::new(page.clone())
        .render(&mut roff)
        .map_err(|source| Error::Output {
            path: "-".into(),
            source,
        })?;
    print(&roff)?;
    Ok(ExitCode::SUCCESS)
}

/// Says on standard error what went wrong with the layer cache and, unless `quiet`, how
/// many layers it gave.
fn tell_cache(summary: &layerbom::cache::Summary, quiet: bool) {
    for w in &summary.warnings {
        eprintln!("layerbom: warning: {}", one_line(w));
    }
    if !quiet && summary.looked_up + summary.written > 0 {
        eprintln!(
            "layerbom: layer cache: {} of {} layer{} read back, {} scanned and kept ({})",
            summary.hits,
            summary.looked_up,
            if summary.looked_up == 1 { "" } else { "s" },
            summary.written,
            summary.store
        );
    }
}

/// `layerbom cache stats|prune|clear`.
fn cache(args: CacheCommand) -> Result<ExitCode, Error> {
    let (CacheAction::Stats(place) | CacheAction::Prune(place) | CacheAction::Clear(place)) =
        &args.action;
    let cache = place.open(true)?;
    let failed = |e: String| Error::Usage(format!("the layer cache at {}: {e}", cache.describe()));
    let mut out = std::io::stdout().lock();
    let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20));
    let when = |t: Option<std::time::SystemTime>| {
        t.and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_secs()).ok())
            .map_or_else(|| "-".to_string(), layerbom::model::bom::format_epoch)
    };
    let written = match args.action {
        CacheAction::Stats(_) => {
            let s = cache.stats().map_err(failed)?;
            writeln!(out, "layer cache:  {}", cache.describe())
                .and_then(|()| {
                    writeln!(
                        out,
                        "entries:      {} ({}), {} of this version of layerbom ({})",
                        s.entries,
                        mib(s.bytes),
                        s.current,
                        mib(s.current_bytes)
                    )
                })
                .and_then(|()| {
                    writeln!(
                        out,
                        "bound:        {} (--cache-max-size)",
                        mib(place.cache_max_size)
                    )
                })
                .and_then(|()| {
                    writeln!(
                        out,
                        "last used:    {} to {}",
                        when(s.oldest),
                        when(s.newest)
                    )
                })
        }
        CacheAction::Prune(_) => {
            let d = cache.prune(place.cache_max_size).map_err(failed)?;
            writeln!(out, "dropped {} entries ({})", d.entries, mib(d.bytes))
        }
        CacheAction::Clear(_) => {
            let d = cache.clear().map_err(failed)?;
            writeln!(out, "dropped {} entries ({})", d.entries, mib(d.bytes))
        }
    };
    reader_gone_is_done(written).map_err(|source| Error::Output {
        path: "-".into(),
        source,
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Refuses, before any work, outputs that would overwrite an input, name one file twice or
/// go to a directory that does not exist.
fn check_outputs(inputs: &[output::Input], outputs: &[OutputSpec]) -> Result<(), Error> {
    let files: Vec<&str> = outputs.iter().filter_map(|o| o.path.as_deref()).collect();
    output::check(inputs, &files).map_err(|e| Error::Usage(e.to_string()))
}

/// Writes one output: to its file, replacing it only once complete, or to standard output.
fn write_output(
    o: &OutputSpec,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    write_to(o.path.as_deref(), write)
}

/// Writes a document to `path`, replacing the file only once complete, or to standard
/// output when `path` is `None`.
fn write_to(
    path: Option<&str>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let failed = |source| Error::Output {
        path: path.unwrap_or("-").to_string(),
        source,
    };
    match path {
        Some(p) => output::write_replacing(Path::new(p), write).map_err(failed),
        None => {
            let mut w = BufWriter::new(std::io::stdout().lock());
            reader_gone_is_done(write(&mut w).and_then(|()| w.flush())).map_err(failed)
        }
    }
}

/// A write to standard output whose reader has gone (`layerbom scan IMG | head`: a broken
/// pipe) is done, not failed: the reader took what it wanted. As ripgrep does, the
/// rest of that document is dropped without a word and the run ends as it would have (exit
/// 0, or 1 when a policy matched); the other documents, written to files, are still written.
fn reader_gone_is_done(result: std::io::Result<()>) -> std::io::Result<()> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// The latest time SPDX and CycloneDX timestamps can hold: 9999-12-31T23:59:59Z.
const MAX_EPOCH: i64 = 253_402_300_799;

/// `SOURCE_DATE_EPOCH` when it is set: a number of seconds from 1970 that documents can
/// write as a date; anything else is a usage error, never a silent 1970.
fn source_date_epoch() -> Result<Option<String>, Error> {
    let Ok(value) = std::env::var("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    match value.trim().parse::<i64>() {
        Ok(secs) if (0..=MAX_EPOCH).contains(&secs) => Ok(Some(secs.to_string())),
        _ => Err(Error::Usage(format!(
            "SOURCE_DATE_EPOCH={} is not a number of seconds since 1970 from 0 to {MAX_EPOCH}",
            one_line(&value)
        ))),
    }
}

/// The outputs asked for, or the table on standard output when none was.
/// At most one of them may go to standard output; with `table_or_json`, what the command
/// writes, each must be table or json.
fn outputs_asked(
    mut outputs: Vec<OutputSpec>,
    table_or_json: Option<&str>,
) -> Result<Vec<OutputSpec>, Error> {
    if outputs.is_empty() {
        outputs.push(OutputSpec {
            format: &render::table::Table,
            path: None,
        });
    }
    if let Some(what) = table_or_json {
        if let Some(o) = outputs
            .iter()
            .find(|o| !matches!(o.format.name(), "table" | "json"))
        {
            return Err(Error::Usage(format!(
                "{what} is written as table or json, not {}",
                o.format.name()
            )));
        }
    }
    if outputs.iter().filter(|o| o.path.is_none()).count() > 1 {
        return Err(Error::Usage(
            "only one output can go to standard output; give the others a file (-o FORMAT=FILE)"
                .into(),
        ));
    }
    Ok(outputs)
}

/// The password `--password-stdin` reads: standard input, without its line end, as `docker
/// login --password-stdin` reads it.
fn password_from_stdin() -> Result<String, Error> {
    use std::io::Read;
    let mut password = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut password)
        .map_err(|e| Error::Usage(format!("--password-stdin: cannot read standard input: {e}")))?;
    let password = password.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err(Error::Usage(
            "--password-stdin: standard input holds no password".into(),
        ));
    }
    Ok(password.to_string())
}

fn scan(args: ScanArgs) -> Result<ExitCode, Error> {
    let outputs = outputs_asked(args.documents.outputs.clone(), None)?;
    args.documents.check_decisions()?;
    let mut inputs = vec![output::Input {
        path: &args.image,
        what: "the image",
    }];
    for (path, what) in [
        (&args.dockerfile, "the Dockerfile"),
        (&args.base_image, "the base image"),
    ] {
        if let Some(path) = path {
            inputs.push(output::Input { path, what });
        }
    }
    inputs.extend(args.documents.templates());
    check_outputs(&inputs, &outputs)?;
    let to_attach: Vec<(&str, &str)> = outputs
        .iter()
        .filter(|_| args.attach)
        .filter_map(|o| Some((o.path.as_deref()?, sbom_media_type(o.format.name())?)))
        .collect();
    if args.attach && to_attach.is_empty() {
        return Err(Error::Usage(
            "--attach attaches the SBOMs written to files: ask for one with -o \
             spdx-json=FILE, -o cyclonedx-json=FILE, …"
                .into(),
        ));
    }
    let epoch = source_date_epoch()?;
    let options = args.documents.options()?;
    let opts = args
        .reading
        .options(!args.reading.quiet && std::io::stderr().is_terminal())?;
    let mut base = BaseHints {
        base_layers: args.base_layers,
        base_image: None,
        dockerfile: None,
        supplier: args.supplier.clone(),
        base_vendor: None,
    };
    if let Some(d) = &args.dockerfile {
        base = base.with_dockerfile(d)?;
    }
    if let Some(b) = &args.base_image {
        base = base.with_base_image(b, &opts)?;
    }
    let dockerfile_audit = match &args.dockerfile {
        Some(d) => Some(layerbom::audit::dockerfile::audit_file(d)?),
        None => None,
    };
    let scanned = pipeline::scan(&args.image, &opts, &base);
    if let Some(cache) = &opts.cache {
        tell_cache(&cache.summary(), args.reading.quiet);
    }
    let mut report = scanned?;
    for f in &report.findings {
        if let layerbom::model::FindingKind::NoPackages { .. } = f.kind {
            eprintln!(
                "layerbom: warning: {}: {}",
                one_line(&args.image.display().to_string()),
                f.message()
            );
        }
    }
    // The manifest scanned, by digest, for --attach.
    let subject = match (&report.image.registry, &report.image.manifest_digest) {
        (Some(r), Some(digest)) => Some(format!("{}@{digest}", r.repository_url)),
        _ => None,
    };
    if args.attach && subject.is_none() {
        return Err(Error::Usage(format!(
            "--attach: {} is not an image in a registry",
            args.image.display()
        )));
    }
    report
        .findings
        .extend(dockerfile_audit.into_iter().flat_map(|a| a.findings));
    let bom = args
        .documents
        .write(report, epoch.as_deref(), &options, &outputs)?;
    if let (Some(subject), false) = (&subject, to_attach.is_empty()) {
        let documents = to_attach
            .iter()
            .map(|(path, mt)| attach::Document::read(Path::new(path), Some(mt)))
            .collect::<Result<Vec<_>, _>>()?;
        let done = attach::attach(subject, &documents, None, &opts.registry)?;
        print_attached(&done, &mut std::io::stderr().lock())?;
    }
    Ok(args.documents.policy(&bom))
}

/// `layerbom batch LIST`: every image of the list (or of its shard) scanned, its documents
/// written under --out-dir.
fn batch(args: BatchArgs) -> Result<ExitCode, Error> {
    use layerbom::fleet::{batch, list};
    args.documents.check_decisions()?;
    if args.documents.sources.is_some() {
        return Err(Error::Usage(
            "--sources checks one image's source bundle: give it to scan or convert".into(),
        ));
    }
    let documents = match args.documents.outputs.is_empty() {
        true => vec![batch::Document {
            format: &render::json::Json,
            name: args.names.clone(),
        }],
        false => args
            .documents
            .outputs
            .iter()
            .map(|o| {
                let name = match &o.path {
                    Some(template) => template
                        .parse()
                        .map_err(|e: fleet::names::TemplateError| Error::Usage(e.to_string()))?,
                    None => args.names.clone(),
                };
                Ok(batch::Document {
                    format: o.format,
                    name,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?,
    };
    let job_index = std::env::var(list::JOB_INDEX_VARIABLE).ok();
    let shard = args
        .shard
        .map(|s| s.resolve(job_index.as_deref()))
        .transpose()
        .map_err(Error::Usage)?;
    let epoch = source_date_epoch()?;
    let render_options = args.documents.options()?;
    let entries = list::read(&args.list).map_err(|e| Error::Usage(e.to_string()))?;
    if let Some(summary) = &args.summary {
        let dir = summary
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "--summary {}: the directory {} does not exist",
                summary.display(),
                dir.display()
            )));
        }
    }
    std::fs::create_dir_all(&args.out_dir).map_err(|source| Error::Output {
        path: args.out_dir.display().to_string(),
        source,
    })?;
    let summary_path = args
        .summary
        .clone()
        .unwrap_or_else(|| args.out_dir.join(batch::Summary::file_name(shard)));
    let opts = args.reading.options(false)?;
    if let Some(cache) = &opts.cache {
        cache.remember(batch::MEMORY);
    }
    let inventory = match &args.inventory {
        Some(url) => Some(fleet::inventory::Inventory::connect(url).map_err(Error::Usage)?),
        None => None,
    };
    let policy = args.documents.policy_rules();
    let decisions = args.documents.decisions();
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n.get(),
    );
    let settings = batch::Settings {
        scan: &opts,
        base: &BaseHints::default(),
        delivery: args.documents.delivery,
        policy: &policy,
        decisions: &decisions,
        epoch: epoch.as_deref(),
        render: &render_options,
        documents: &documents,
        out_dir: &args.out_dir,
        jobs,
        progress: !args.reading.quiet,
        inventory: inventory.as_ref(),
    };
    let summary = batch::run(&entries, shard, &settings);
    if let Some(cache) = &opts.cache {
        tell_cache(&cache.summary(), args.reading.quiet);
    }
    summary
        .write_json(&summary_path)
        .map_err(|source| Error::Output {
            path: summary_path.display().to_string(),
            source,
        })?;
    // The summary goes to standard error, where it does not mix with documents piped on.
    let _ = summary.write_text(&mut std::io::stderr().lock());
    Ok(ExitCode::from(summary.exit_code()))
}

/// `layerbom query`: a question to the fleet inventory, answered as a table or JSON.
fn query(args: QueryArgs) -> Result<ExitCode, Error> {
    use layerbom::fleet::query;
    let outputs = outputs_asked(args.outputs, Some("the answer of query"))?;
    check_outputs(&[], &outputs)?;
    let url = args.inventory.ok_or_else(|| {
        Error::Usage("layerbom query needs --inventory URL (or LAYERBOM_INVENTORY)".into())
    })?;
    let inv = fleet::inventory::Inventory::connect(&url).map_err(Error::Usage)?;
    match args.question {
        Question::Package {
            name,
            version,
            origin,
        } => {
            let rows =
                query::package(&inv, &name, version.as_ref(), origin).map_err(Error::Usage)?;
            write_answer(&outputs, &rows, |w| query::write_holdings(&rows, w))?;
        }
        Question::License { id } => {
            let rows = query::license(&inv, &id).map_err(Error::Usage)?;
            write_answer(&outputs, &rows, |w| query::write_holdings(&rows, w))?;
        }
        Question::Owed { delivery, image } => {
            let rows = query::owed(&inv, delivery, &image).map_err(Error::Usage)?;
            write_answer(&outputs, &rows, |w| query::write_owed(&rows, w))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `layerbom fleet-report`: the fleet report from the inventory.
fn fleet_report(args: FleetReportArgs) -> Result<ExitCode, Error> {
    use layerbom::fleet::report;
    let mut outputs = args.outputs;
    if outputs.is_empty() {
        outputs.push(report::Output {
            format: report::Format::Markdown,
            path: None,
        });
    }
    if outputs.iter().filter(|o| o.path.is_none()).count() > 1 {
        return Err(Error::Usage(
            "only one output can go to standard output; give the others a file (-o FORMAT=FILE)"
                .into(),
        ));
    }
    let files: Vec<&str> = outputs.iter().filter_map(|o| o.path.as_deref()).collect();
    output::check(&[], &files).map_err(|e| Error::Usage(e.to_string()))?;
    let fleet_report = match (&args.from_dir, &args.inventory) {
        (Some(dir), _) => report::from_dir(dir, args.delivery),
        (None, Some(url)) => fleet::inventory::Inventory::connect(url)
            .and_then(|inv| report::build(&inv, args.delivery)),
        (None, None) => Err("fleet-report needs --inventory URL or --from-dir DIR".into()),
    }
    .map_err(Error::Usage)?;
    for o in &outputs {
        write_to(o.path.as_deref(), |w: &mut dyn Write| {
            fleet_report.write(o.format, w)
        })?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes an answer to each of `outputs`: `rows` as JSON, or the table `table` writes.
fn write_answer<T: serde::Serialize>(
    outputs: &[OutputSpec],
    rows: &T,
    table: impl Fn(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    for o in outputs {
        let write = |w: &mut dyn Write| match o.format.name() {
            "json" => serde_json::to_writer_pretty(&mut *w, rows)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(w)),
            _ => table(w),
        };
        write_output(o, write)?;
    }
    Ok(())
}

/// `layerbom convert FILE`: the documents of an archived scan, from its native JSON.
fn convert(args: ConvertArgs) -> Result<ExitCode, Error> {
    let outputs = outputs_asked(args.documents.outputs.clone(), None)?;
    args.documents.check_decisions()?;
    let mut inputs = Vec::new();
    if args.file != Path::new("-") {
        inputs.push(output::Input {
            path: &args.file,
            what: "the native JSON",
        });
    }
    inputs.extend(args.documents.templates());
    check_outputs(&inputs, &outputs)?;
    let epoch = source_date_epoch()?;
    let options = args.documents.options()?;
    let report = pipeline::archived(&args.file)?;
    let bom = args
        .documents
        .write(report, epoch.as_deref(), &options, &outputs)?;
    Ok(args.documents.policy(&bom))
}

/// `layerbom sources INPUT --fetch DIR`: the source bundle.
fn sources(args: SourcesArgs) -> Result<ExitCode, Error> {
    layerbom::model::archive::check_unique(&args.source_archive).map_err(Error::Usage)?;
    let mut report = match layerbom::bundle::is_native_json(&args.input) {
        true => pipeline::archived(&args.input)?,
        false => {
            let opts = Options {
                platform: args.platform,
                ..Options::default()
            };
            pipeline::scan(&args.input, &opts, &BaseHints::default())?
        }
    };
    layerbom::catalog::source::locate(&mut report, &args.source_archive);
    let bom = pipeline::bom(report, args.delivery, None);
    let mirrors = match args.mirror.is_empty() {
        true => layerbom::bundle::apt::mirrors(Path::new("/")),
        false => args.mirror.clone(),
    };
    let opts = layerbom::bundle::Options {
        mirrors,
        keyring: args.keyring,
        rpm_keys: args.rpm_key,
        suites: args.suite,
        jobs: args.jobs,
        max_file: args.max_file_size,
        contact: args.contact,
    };
    let index = layerbom::bundle::fetch(&bom, &args.fetch, &opts)
        .map_err(|e| Error::Usage(e.to_string()))?;
    if let Some(archive) = &args.archive {
        layerbom::bundle::write_archive(&args.fetch, &index, archive)
            .map_err(|e| Error::Usage(e.to_string()))?;
    }
    if !args.quiet {
        eprint!("{}", layerbom::bundle::summary(&index, &args.fetch));
    }
    Ok(match index.complete() {
        true => ExitCode::SUCCESS,
        false => ExitCode::from(1),
    })
}

/// The template at `path`, when there is one, checked to parse.
fn read_template(path: Option<&Path>) -> Result<Option<String>, Error> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("cannot read the template {}: {e}", path.display())))?;
    layerbom::render::notice::check_template(&text)
        .map_err(|e| Error::Usage(format!("the template {} is not valid: {e}", path.display())))?;
    Ok(Some(text))
}

impl DocumentArgs {
    /// What the renderers need beyond the model: the templates, read and checked, and
    /// `--output-template` given when `-o template` is asked for.
    fn options(&self) -> Result<render::Options, Error> {
        let asked = self.outputs.iter().any(|o| o.format.name() == "template");
        if asked && self.output_template.is_none() {
            return Err(Error::Usage(
                "-o template renders the template given with --output-template FILE".into(),
            ));
        }
        if !asked && self.output_template.is_some() {
            return Err(Error::Usage(
                "--output-template is the template of -o template, which is not asked for".into(),
            ));
        }
        // A bundle that cannot be read is said before the scan, not after it.
        if let Some(dir) = &self.sources {
            layerbom::bundle::read_index(dir)
                .map_err(|e| Error::Usage(format!("--sources: {e}")))?;
        }
        Ok(render::Options {
            notice_template: read_template(self.template.as_deref())?,
            output_template: read_template(self.output_template.as_deref())?,
        })
    }

    /// The templates read, as inputs no output may overwrite.
    fn templates(&self) -> impl Iterator<Item = output::Input<'_>> {
        [&self.template, &self.output_template]
            .into_iter()
            .flatten()
            .map(|path| output::Input {
                path,
                what: "the template",
            })
    }

    /// The model of `report` under these choices (delivery, policy, the date of
    /// `epoch`), each of `outputs` written from it: what `scan` and `convert` both do.
    fn write(
        &self,
        report: layerbom::model::Report,
        epoch: Option<&str>,
        options: &render::Options,
        outputs: &[OutputSpec],
    ) -> Result<layerbom::model::Bom, Error> {
        let mut bom = pipeline::bom_with_policy(
            report,
            self.delivery,
            &self.policy_rules(),
            &self.decisions(),
            epoch,
        );
        if let Some(dir) = &self.sources {
            layerbom::bundle::check(&mut bom.obligations, dir)
                .map_err(|e| Error::Usage(format!("--sources: {e}")))?;
        }
        for o in outputs {
            write_output(o, |w: &mut dyn Write| o.format.write(&bom, options, w))?;
        }
        Ok(bom)
    }

    /// The reviewers' decisions and the approved base images.
    fn decisions(&self) -> pipeline::Decisions {
        pipeline::Decisions {
            review: self.review.clone(),
            file: self.review_file.clone(),
            approved_bases: self.approved_base.clone(),
            source_archives: self.source_archive.clone(),
        }
    }

    /// The policy of --fail-on and --deny, with the licenses reviewers accepted.
    fn policy_rules(&self) -> policy::Policy {
        policy::Policy {
            fail_on: self
                .fail_on
                .iter()
                .filter_map(|f| match f {
                    FailOn::Category(c) => Some(*c),
                    FailOn::UnapprovedBase => None,
                })
                .collect(),
            unapproved_base: self.fail_on.contains(&FailOn::UnapprovedBase),
            deny: self.deny.clone(),
            accepted: self.review.accepted.clone(),
        }
    }

    /// Why these choices cannot be used together, before anything is read.
    fn check_decisions(&self) -> Result<(), Error> {
        if self.fail_on.contains(&FailOn::UnapprovedBase) && self.approved_base.is_empty() {
            return Err(Error::Usage(format!(
                "--fail-on {} needs the approved base images (--approved-base, or \
                 approved-base in {})",
                policy::UNAPPROVED_BASE,
                layerbom::config::FILE
            )));
        }
        layerbom::model::archive::check_unique(&self.source_archive).map_err(Error::Usage)?;
        layerbom::audit::review::check(&self.review)
            .map_err(|e| Error::Usage(format!("{}: {e}", self.review_file)))
    }

    /// Exit 1, saying why, when a distributed package matches --fail-on or --deny, or the
    /// base image is not approved under --fail-on unapproved-base.
    fn policy(&self, bom: &layerbom::model::Bom) -> ExitCode {
        if !bom.policy_failed() {
            return ExitCode::SUCCESS;
        }
        let matches = bom.policy_matches();
        eprintln!(
            "layerbom: policy failed: {} match{} (delivery {}):",
            matches.len(),
            if matches.len() == 1 { "" } else { "es" },
            self.delivery
        );
        for m in matches {
            eprintln!("  {}", one_line(&m));
        }
        ExitCode::from(1)
    }
}
