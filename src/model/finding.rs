//! Findings: what a scan or an audit noticed on the way, as data.
//!
//! A finding is a [`FindingKind`] (what was noticed, with the facts it rests on) and where
//! it was noticed (a layer, a path, a line). Its severity and its sentence for people are
//! derived from those facts, so code that acts on a finding matches on its kind and reads
//! its fields; the sentence is only ever written out. Documents write the kind's stable
//! name ([`FindingKind::name`]), the severity and the sentence; the native JSON also
//! writes the facts, so that a finding read back from it is the finding that was written.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Platform, VENDOR};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Worth a look by a person.
    Warning,
    /// Something is wrong with the image or the result.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`: the table aligns severities with `{:<7}`.
        f.pad(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Something noticed on the way that does not stop the scan: what, and where.
///
/// The native JSON writes it as `kind` (the kind's name), `severity`, `message`, `layer`,
/// `path`, and `line` when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was noticed, with the facts it rests on.
    pub kind: FindingKind,
    /// The layer it concerns, if any.
    pub layer: Option<usize>,
    /// The path it concerns, if any.
    pub path: Option<String>,
    /// The 1-based line of that path it concerns (a Dockerfile instruction), if any.
    pub line: Option<usize>,
    /// Why, and by whom, it was acknowledged (`[[review.acknowledge]]`): it stays in the
    /// documents but no longer weighs on the verdict or the policy.
    pub acknowledged: Option<super::review::Reviewed>,
}

impl Finding {
    /// A finding not yet tied to a layer or path.
    pub fn new(kind: FindingKind) -> Self {
        Finding {
            kind,
            layer: None,
            path: None,
            line: None,
            acknowledged: None,
        }
    }

    /// The same finding, about `layer`.
    pub fn in_layer(mut self, layer: usize) -> Self {
        self.layer = Some(layer);
        self
    }

    /// The same finding, about `path`.
    pub fn at_path(mut self, path: &str) -> Self {
        self.path = Some(path.to_string());
        self
    }

    /// The same finding, about line `line` (1-based) of its path.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// How much it matters: [`FindingKind::severity`].
    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }

    /// The sentence for people: [`FindingKind::message`].
    pub fn message(&self) -> String {
        self.kind.message()
    }
}

/// The shape the native JSON has always had, the kind as its name and the message, with
/// the kind's facts after them (absent for a kind that has none).
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeStruct};
        // The kind alone writes `{"kind": NAME, "facts": FACTS}`; only the facts are kept.
        let facts = match serde_json::to_value(&self.kind).map_err(S::Error::custom)? {
            serde_json::Value::Object(mut kind) => kind.remove("facts"),
            _ => None,
        };
        let mut s = serializer.serialize_struct("Finding", 8)?;
        s.serialize_field("kind", self.kind.name())?;
        s.serialize_field("severity", &self.severity())?;
        s.serialize_field("message", &self.message())?;
        s.serialize_field("layer", &self.layer)?;
        s.serialize_field("path", &self.path)?;
        match self.line {
            Some(line) => s.serialize_field("line", &line)?,
            None => s.skip_field("line")?,
        }
        match &facts {
            Some(facts) => s.serialize_field("facts", facts)?,
            None => s.skip_field("facts")?,
        }
        match &self.acknowledged {
            Some(by) => s.serialize_field("acknowledged", by)?,
            None => s.skip_field("acknowledged")?,
        }
        s.end()
    }
}

/// Reads the shape [`Finding`] writes: the kind from its name and facts; the severity and
/// the message, which the facts determine, are made again rather than read.
impl<'de> Deserialize<'de> for Finding {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Written {
            kind: String,
            layer: Option<usize>,
            path: Option<String>,
            #[serde(default)]
            line: Option<usize>,
            #[serde(default)]
            facts: Option<serde_json::Value>,
            #[serde(default)]
            acknowledged: Option<super::review::Reviewed>,
        }
        use serde::de::Error;
        let w = Written::deserialize(deserializer)?;
        let mut tagged = serde_json::Map::new();
        tagged.insert("kind".into(), serde_json::Value::String(w.kind.clone()));
        if let Some(facts) = w.facts {
            tagged.insert("facts".into(), facts);
        }
        let kind = FindingKind::deserialize(serde_json::Value::Object(tagged))
            .map_err(|e| D::Error::custom(format!("finding {:?}: {e}", w.kind)))?;
        Ok(Finding {
            kind,
            layer: w.layer,
            path: w.path,
            line: w.line,
            acknowledged: w.acknowledged,
        })
    }
}

/// What a finding is about, with the facts its severity and its sentence are made of.
///
/// Each variant documents its stable name ([`FindingKind::name`]), which documents write
/// and which never changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "facts", rename_all = "kebab-case")]
pub enum FindingKind {
    /// `several-images`: the input holds several images; the first is scanned.
    SeveralImages(ImageSet),
    /// `digest-unchecked`: a layer's digest uses an algorithm layerbom does not check.
    DigestUnchecked {
        /// The digest as the manifest writes it.
        digest: String,
    },
    /// `history-mismatch`: the config history does not align with the layers, so no layer
    /// gets its `created_by`.
    HistoryMismatch {
        /// The history steps that made layers.
        steps: usize,
        /// The image's layers.
        layers: usize,
    },
    /// `media-type-mismatch`: the manifest's media type names another compression than the
    /// layer's bytes have; the bytes win.
    MediaTypeMismatch {
        /// The compression the media type declares (`gzip`, `zstd`, `none`).
        declared: String,
        /// The compression of the bytes, as which the layer was read.
        actual: String,
    },
    /// `supplier-unknown`: nothing names who supplies the image, its base layers, or
    /// packages one layer adds.
    SupplierUnknown(Unsupplied),
    /// `capture-missed`: a hard link to a file whose content was not kept, so the link's
    /// content is unknown.
    CaptureMissed {
        /// The link's target.
        target: String,
        /// The link.
        path: String,
    },
    /// `unresolvable-path`: a path a cataloger asked for cannot be followed inside the
    /// image root.
    UnresolvablePath {
        /// Why, as the overlay says.
        why: String,
    },
    /// `database-too-large`: a package database over its size cap; its packages are not
    /// listed.
    DatabaseTooLarge {
        /// The database file.
        path: String,
        /// Its size in bytes.
        size: u64,
        /// The cap in bytes.
        limit: u64,
    },
    /// `database-damaged`: a package database's parser skipped or cut something.
    DatabaseDamaged {
        /// The parser's warning.
        warning: String,
    },
    /// `unknown-distribution`: an operating-system package database whose distribution the
    /// image's `os-release` does not name, or names as one whose purl vendor is not known;
    /// its packages' purls take the `os-release` `ID` as their namespace, or none.
    UnknownDistribution {
        /// The package type (`deb`, `rpm`, `apk`).
        package_type: String,
        /// The database file.
        database: String,
        /// The `os-release` `ID`, lower-cased, when there is one.
        id: Option<String>,
    },
    /// `lang-metadata-too-large`: a language package's metadata file over its size cap; its
    /// package is not listed.
    LangMetadataTooLarge {
        /// The metadata file.
        path: String,
        /// Its size in bytes.
        size: u64,
        /// The cap in bytes.
        limit: u64,
    },
    /// `archive-limit`: reading an archive (a jar) stopped at a limit.
    ArchiveLimit {
        /// What the reader says it left out.
        note: String,
    },
    /// `binary-unreadable`: a binary that looked like a Go, Rust or Java one could not be
    /// read.
    BinaryUnreadable {
        /// Why, as the reader says.
        why: String,
    },
    /// `license-files-capped`: a layer holds more license files than are reported.
    LicenseFilesCapped {
        /// The license files the layer holds.
        files: usize,
        /// How many are reported (the first by path).
        reported: usize,
    },
    /// `base-image-mismatch`: the `--base-image`'s layers are not this image's bottom
    /// layers.
    BaseImageMismatch {
        /// The base image as given.
        image: String,
    },
    /// `dockerfile-mismatch`: the `--dockerfile` does not match the image's history.
    DockerfileMismatch {
        /// The Dockerfile as named.
        path: String,
        /// Where they part.
        why: String,
    },
    /// `squashed-image`: layers were merged, so the base image cannot be told from ours.
    SquashedImage(Squash),
    /// `no-packages`: no package database or package metadata was found, so the documents
    /// list no packages: an empty image or directory, one of static files only, or one whose
    /// package records were removed. A reviewer should know the SBOM is empty before
    /// approving it.
    NoPackages {
        /// The files, directories and links the image's layers hold, in all.
        entries: usize,
    },
    /// `unapproved-base`: approved base images are configured (`--approved-base`,
    /// `approved-base` in `layerbom.toml`) and the base image is not one of them, or cannot
    /// be shown to be.
    UnapprovedBase {
        /// The base image as the report names it, when it does.
        base: Option<String>,
        /// Its digest, when known.
        digest: Option<String>,
        /// Why it is not approved.
        why: Unapproved,
    },
    /// `base-approved`: the base image is one of the approved base images.
    BaseApproved {
        /// The base image as the report names it.
        base: String,
        /// The approved entry it matches, as configured.
        entry: String,
    },
    /// `review-unused`: a reviewer decision of the configuration file's `[review]` applies
    /// to nothing in this image: stale, or written for another image.
    ReviewUnused {
        /// The table: `license`, `accept` or `acknowledge`.
        table: String,
        /// The entry's position in that table, from 1.
        entry: usize,
        /// What the entry names.
        target: String,
    },
    /// `deleted-secret`: a file deleted by a later layer but still in the layer that added
    /// it, whose name says it may be a secret. An error when its content shows a private key
    /// or credentials; a warning when its content could not be read, so only the name speaks.
    /// A file whose content shows no secret (a public certificate, an empty file) or which
    /// is no file (a symlink, a directory) is no finding.
    DeletedSecret {
        /// The file, root-relative.
        path: String,
        /// What its name says it may hold.
        what: String,
        /// What its content shows, or why only its name speaks.
        evidence: SecretEvidence,
        /// The layer that deletes it.
        deleted_in: usize,
        /// The layer that still carries it.
        added_in: usize,
    },
    /// `authored-upgrade`: one of our layers upgrades a package installed below it.
    AuthoredUpgrade {
        /// Our layer.
        layer: usize,
        /// The package's type (`deb`, `rpm`, …).
        package_type: String,
        /// The package's name.
        package: String,
        /// The version it replaces.
        from: String,
        /// The version it installs.
        version: String,
        /// The version it replaces is the base image's (not one of our layers').
        replaces_base: bool,
    },
    /// `authored-removal`: one of our layers removes a base package; its files stay in the
    /// base layer.
    AuthoredRemoval {
        /// Our layer.
        layer: usize,
        /// The package's type (`deb`, `rpm`, …).
        package_type: String,
        /// The package's name.
        package: String,
        /// The version removed.
        version: String,
        /// The base layer that added it.
        added_in: usize,
    },
    /// `authored-overwrite`: one of our layers replaces files of a base package.
    AuthoredOverwrite {
        /// Our layer.
        layer: usize,
        /// The base package's name.
        package: String,
        /// The base package's version.
        version: String,
        /// The files replaced, absolute, in the package's file-list order.
        files: Vec<String>,
    },
    /// `license-unknown`: a package's license is not known.
    LicenseUnknown {
        /// The package's type (`deb`, `rpm`, …).
        package_type: String,
        /// The package's name.
        package: String,
        /// The package's version.
        version: String,
        /// Why nothing is asserted.
        reason: String,
    },
    /// `license-unlisted`: a package's license names no license of the SPDX list.
    LicenseUnlisted {
        /// The package's type (`deb`, `rpm`, …).
        package_type: String,
        /// The package's name.
        package: String,
        /// The package's version.
        version: String,
        /// The concluded expression.
        expression: String,
    },
    /// `dockerfile-no-license`: the Dockerfile states no license.
    DockerfileNoLicense,
    /// `dockerfile-license`: the license the Dockerfile states, and who wrote it.
    DockerfileLicense {
        /// The expression of an `SPDX-License-Identifier:` comment.
        spdx: Option<String>,
        /// A header comment that mentions a license (when there is no SPDX comment).
        header: Option<String>,
        /// The header's copyright lines.
        copyright: Vec<String>,
    },
    /// `stage-final`: the last stage, the image that is shipped.
    StageFinal(StageRef),
    /// `stage-shipped`: a stage the final stage is built `FROM`.
    StageShipped(StageRef),
    /// `stage-build-only`: a stage that only builds.
    StageBuildOnly(StageRef),
    /// `stage-unused`: a stage nothing shipped refers to.
    StageUnused(StageRef),
    /// `from-unresolved`: `FROM` depends on build arguments with no default.
    FromUnresolved {
        /// The `FROM` image as written.
        from: String,
        /// The arguments without a default.
        args: Vec<String>,
    },
    /// `base-pinned`: a `FROM` image pinned by digest.
    BasePinned {
        /// The image, build arguments substituted.
        from: String,
        /// It is the base of the shipped image (not a build stage's).
        shipped: bool,
    },
    /// `base-latest`: a `FROM` image untagged or tagged `latest`.
    BaseLatest {
        /// The image, build arguments substituted.
        from: String,
        /// It is tagged `latest` (not untagged).
        tagged: bool,
        /// It is the base of the shipped image (not a build stage's).
        shipped: bool,
    },
    /// `base-unpinned`: a `FROM` image named by tag only.
    BaseUnpinned {
        /// The image, build arguments substituted.
        from: String,
        /// Its tag.
        tag: String,
        /// It is the base of the shipped image (not a build stage's).
        shipped: bool,
    },
    /// `copy-from-image`: `COPY --from` copies files of another image.
    CopyFromImage {
        /// The image as written.
        image: String,
        /// Its tag, when it has one.
        tag: Option<String>,
        /// A digest pins it.
        pinned: bool,
        /// It copies into a shipped stage (not a build stage).
        shipped: bool,
    },
    /// `add-url`: `ADD` fetches a URL at build time.
    AddUrl {
        /// The URL, known variables substituted.
        url: String,
        /// The `--checksum=` that verifies it, when there is one.
        checksum: Option<String>,
    },
    /// `plain-http`: something is fetched over plain `http://` (or `ftp://`).
    PlainHttp {
        /// What fetches it (`ADD`, `curl`, …).
        tool: String,
        /// The URL, known variables substituted.
        url: String,
    },
    /// `pipe-to-shell`: a downloaded script is piped into a shell.
    PipeToShell {
        /// The download.
        fetch: Fetch,
        /// It is fetched over plain http.
        plain_http: bool,
    },
    /// `download`: a `RUN` fetches something, and whether it is verified.
    Download {
        /// The download.
        fetch: Fetch,
        /// How what is fetched is verified.
        verified: Verified,
    },
}

/// What names no supplier, in a `supplier-unknown` finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum Unsupplied {
    /// The image: no `--supplier`, no vendor label or annotation.
    Image,
    /// The base layers: no vendor label of the `--base-image`, no os-release `NAME`.
    BaseLayers,
    /// Packages of one type that one layer adds, whose records name nobody: one finding
    /// per layer and type, naming every such package.
    Packages {
        /// The layer that adds them.
        layer: usize,
        /// Their type (`npm`, `go-module`, …).
        package_type: String,
        /// Each one's name and version, sorted.
        packages: Vec<(String, String)>,
    },
}

/// The images of an input that holds several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ImageSet {
    /// A docker-save archive's `manifest.json` lists several images.
    Archive {
        /// The tags of each image, in the order listed.
        tags: Vec<Vec<String>>,
    },
    /// Several images of an OCI index match the platform.
    Index {
        /// How many match.
        matching: usize,
        /// The platform asked for, when one was.
        platform: Option<Platform>,
        /// The digest of the first, which is scanned.
        scanned: String,
    },
}

/// What a file named like a secret was found to hold, or why only its name speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretEvidence {
    /// Its first bytes show a secret.
    Content(SecretContent),
    /// Its content was not read: only its name says it may be a secret.
    Name(Unread),
}

/// A secret that the first bytes of a file show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretContent {
    /// A PEM block whose label names a private key (`RSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`,
    /// `ENCRYPTED PRIVATE KEY`, `PGP PRIVATE KEY BLOCK`, …): the label.
    PemPrivateKey(String),
    /// A PuTTY private key file (`PuTTY-User-Key-File-N:`).
    PuttyKey,
    /// A PKCS#12 key store (DER: version 3, then PKCS#7 content).
    Pkcs12,
    /// A Java key store (JKS or JCEKS) with a private or secret key entry.
    JavaKeyStore,
    /// Credentials, in the form named.
    Credentials(Credentials),
}

/// The forms of credentials files a secret finding recognizes by their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Credentials {
    /// `.netrc`: a `password` token with its value.
    Netrc,
    /// `.git-credentials`: a URL with `user:password@`.
    GitCredentials,
    /// Docker's `config.json`: `auths` holding an `auth` or `identitytoken`.
    DockerConfig,
    /// AWS `credentials`: an `aws_secret_access_key`.
    Aws,
    /// `.npmrc`: an `_authToken`, `_auth` or `_password`.
    Npmrc,
    /// `.pypirc`: a `password`.
    Pypirc,
    /// `.env`: a variable named like a password, token, secret or key, with a value.
    Env,
    /// `.pgpass`: a `host:port:database:user:password` line.
    Pgpass,
    /// `.htpasswd`: `user:hash` lines.
    Htpasswd,
    /// A Kubernetes client configuration with a token, password or client key.
    Kubeconfig,
    /// A `password`, `secret` or `token` setting with a value.
    Setting,
    /// The whole file is one token-like word.
    Token,
}

/// Why the content of a file named like a secret was not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unread {
    /// The file is executable: the scan read it as a program, not for secrets.
    Executable,
    /// A hard link to this file (root-relative), whose content was not read.
    HardLink(String),
    /// Only its first `read` bytes were read and they show no secret; the file has `size`.
    PastHead {
        /// The bytes read.
        read: u64,
        /// The file's size.
        size: u64,
    },
    /// The scan kept nothing of it.
    NotKept,
}

/// The sign that layers were squashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Squash {
    /// The history records more steps that made layers than the image has layers.
    History {
        /// The history steps that made layers.
        steps: usize,
        /// The image's layers.
        layers: usize,
    },
    /// One layer carries a whole distribution and was not made by the base image's build.
    Distribution {
        /// The layer.
        layer: usize,
        /// The packages it adds.
        packages: usize,
        /// What tells.
        sign: SquashSign,
    },
}

/// What tells that the layer carrying the distribution was squashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SquashSign {
    /// Its history step is a `docker build --squash` merge.
    BuildSquash,
    /// Its history step is a `docker import`.
    Import,
    /// It is the image's only layer, and counted as ours.
    OnlyLayer,
    /// It is the bottom layer, and counted as ours.
    BottomLayer,
}

/// Why a base image is not approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unapproved {
    /// The image's base layers could not be named (no annotation, `--base-image` or
    /// Dockerfile says which image they are).
    Unnamed,
    /// The name is not a reference (`--base-image` given as a file).
    NotAReference,
    /// No approved entry names its registry and repository.
    NotListed,
    /// Its repository is approved, but only at other tags or digests.
    OtherVersion {
        /// The entries for its repository.
        entries: Vec<String>,
    },
}

/// A Dockerfile stage, as a stage finding names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRef {
    /// Position, from 0.
    pub index: usize,
    /// The `AS` name.
    pub name: Option<String>,
    /// The `FROM` image, build arguments substituted.
    pub from: String,
}

/// A download in a Dockerfile `RUN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fetch {
    /// What fetches it (`curl`, `wget`, `git clone`, `pip install`, `npm install`).
    pub tool: String,
    /// The URL, known variables substituted.
    pub url: String,
    /// The script computes the URL (it is not one as written).
    pub computed: bool,
}

/// How a download is verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verified {
    /// By pip's `--require-hashes` or `--hash=`.
    PipHashes,
    /// By checksum or signature checks in the same `RUN`.
    InRun(Vec<Check>),
    /// Not at all.
    No,
}

/// A checksum or signature check in a `RUN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// The check, e.g. `sha256sum --check`.
    pub how: String,
    /// Its line in the Dockerfile.
    pub line: usize,
}

/// The most example paths an `authored-overwrite` message names.
const EXAMPLES: usize = 3;

impl FindingKind {
    /// The stable name documents write, e.g. `history-mismatch`.
    pub fn name(&self) -> &'static str {
        use FindingKind::*;
        match self {
            SeveralImages(_) => "several-images",
            DigestUnchecked { .. } => "digest-unchecked",
            HistoryMismatch { .. } => "history-mismatch",
            MediaTypeMismatch { .. } => "media-type-mismatch",
            SupplierUnknown(_) => "supplier-unknown",
            CaptureMissed { .. } => "capture-missed",
            UnresolvablePath { .. } => "unresolvable-path",
            DatabaseTooLarge { .. } => "database-too-large",
            DatabaseDamaged { .. } => "database-damaged",
            UnknownDistribution { .. } => "unknown-distribution",
            LangMetadataTooLarge { .. } => "lang-metadata-too-large",
            ArchiveLimit { .. } => "archive-limit",
            BinaryUnreadable { .. } => "binary-unreadable",
            LicenseFilesCapped { .. } => "license-files-capped",
            BaseImageMismatch { .. } => "base-image-mismatch",
            DockerfileMismatch { .. } => "dockerfile-mismatch",
            SquashedImage(_) => "squashed-image",
            NoPackages { .. } => "no-packages",
            UnapprovedBase { .. } => "unapproved-base",
            BaseApproved { .. } => "base-approved",
            ReviewUnused { .. } => "review-unused",
            DeletedSecret { .. } => "deleted-secret",
            AuthoredUpgrade { .. } => "authored-upgrade",
            AuthoredRemoval { .. } => "authored-removal",
            AuthoredOverwrite { .. } => "authored-overwrite",
            LicenseUnknown { .. } => "license-unknown",
            LicenseUnlisted { .. } => "license-unlisted",
            DockerfileNoLicense => "dockerfile-no-license",
            DockerfileLicense { .. } => "dockerfile-license",
            StageFinal(_) => "stage-final",
            StageShipped(_) => "stage-shipped",
            StageBuildOnly(_) => "stage-build-only",
            StageUnused(_) => "stage-unused",
            FromUnresolved { .. } => "from-unresolved",
            BasePinned { .. } => "base-pinned",
            BaseLatest { .. } => "base-latest",
            BaseUnpinned { .. } => "base-unpinned",
            CopyFromImage { .. } => "copy-from-image",
            AddUrl { .. } => "add-url",
            PlainHttp { .. } => "plain-http",
            PipeToShell { .. } => "pipe-to-shell",
            Download { .. } => "download",
        }
    }

    /// How much it matters. Most kinds always matter the same; a Dockerfile's base image
    /// matters more in the shipped stage than in a build stage, an import less when it is
    /// verified, and a script piped into a shell most when it came over plain http.
    pub fn severity(&self) -> Severity {
        use FindingKind::*;
        use Severity::*;
        let info_if = |minor: bool| if minor { Info } else { Warning };
        match self {
            BaseLatest { shipped, .. } | BaseUnpinned { shipped, .. } => info_if(!shipped),
            CopyFromImage { pinned, .. } => info_if(*pinned),
            AddUrl { checksum, .. } => info_if(checksum.is_some()),
            Download { verified, .. } => info_if(*verified != Verified::No),
            PipeToShell { plain_http, .. } => {
                if *plain_http {
                    Error
                } else {
                    Warning
                }
            }
            DatabaseTooLarge { .. }
            | BaseImageMismatch { .. }
            | DeletedSecret {
                evidence: SecretEvidence::Content(_),
                ..
            } => Error,
            ArchiveLimit { .. }
            | BinaryUnreadable { .. }
            | AuthoredRemoval { .. }
            | LicenseUnlisted { .. }
            | DockerfileLicense { .. }
            | StageFinal(_)
            | StageShipped(_)
            | StageBuildOnly(_)
            | StageUnused(_)
            | BasePinned { .. }
            | BaseApproved { .. } => Info,
            SeveralImages(_)
            | DigestUnchecked { .. }
            | HistoryMismatch { .. }
            | MediaTypeMismatch { .. }
            | SupplierUnknown(_)
            | CaptureMissed { .. }
            | UnresolvablePath { .. }
            | DatabaseDamaged { .. }
            | UnknownDistribution { .. }
            | LangMetadataTooLarge { .. }
            | LicenseFilesCapped { .. }
            | DockerfileMismatch { .. }
            | SquashedImage(_)
            | NoPackages { .. }
            | UnapprovedBase { .. }
            | ReviewUnused { .. }
            | DeletedSecret {
                evidence: SecretEvidence::Name(_),
                ..
            }
            | AuthoredUpgrade { .. }
            | AuthoredOverwrite { .. }
            | LicenseUnknown { .. }
            | DockerfileNoLicense
            | FromUnresolved { .. }
            | PlainHttp { .. } => Warning,
        }
    }

    /// The sentence for people, rendered from the facts.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

/// Writes [`FindingKind::message`].
impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use FindingKind::*;
        match self {
            SeveralImages(ImageSet::Archive { tags }) => {
                let tags: Vec<String> = tags.iter().map(|t| t.join(" ")).collect();
                write!(
                    f,
                    "the archive holds {} images ({}); the first one is scanned",
                    tags.len(),
                    tags.join("; ")
                )
            }
            SeveralImages(ImageSet::Index {
                matching,
                platform,
                scanned,
            }) => {
                write!(f, "{matching} images in index.json match ")?;
                match platform {
                    Some(p) => write!(f, "{p}")?,
                    None => f.write_str("the platform")?,
                }
                write!(f, "; the first ({scanned}) is scanned")
            }
            DigestUnchecked { digest } => write!(
                f,
                "layer digest {digest} uses an algorithm layerbom does not check"
            ),
            HistoryMismatch { steps, layers } => write!(
                f,
                "the config history has {steps} steps that made layers, but the image has {layers} layers; created_by is left empty"
            ),
            MediaTypeMismatch { declared, actual } => write!(
                f,
                "the manifest says the layer is {declared} compressed, but its bytes are {actual}; read as {actual}"
            ),
            SupplierUnknown(Unsupplied::Image) => write!(
                f,
                "the image names no supplier: pass --supplier NAME or set the {VENDOR} label; SBOMs say NOASSERTION, which NTIA minimum elements do not accept"
            ),
            SupplierUnknown(Unsupplied::BaseLayers) => write!(
                f,
                "the base layers name no supplier: the base image has no {VENDOR} label (give it with --base-image) and no os-release NAME"
            ),
            SupplierUnknown(Unsupplied::Packages {
                layer,
                package_type,
                packages,
            }) => {
                let n = packages.len();
                let s = if n == 1 { "" } else { "s" };
                write!(
                    f,
                    "layer {layer} adds {n} {package_type} package{s} whose metadata names no supplier (author, maintainer or vendor); SBOMs say NOASSERTION, which NTIA minimum elements do not accept: "
                )?;
                for (i, (name, version)) in packages.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{name} {version}")?;
                }
                Ok(())
            }
            CaptureMissed { target, path } => write!(
                f,
                "hard link to {target}, whose content was not kept, so the content of {path} is unknown"
            ),
            UnresolvablePath { why } => f.write_str(why),
            DatabaseTooLarge { path, size, limit } => write!(
                f,
                "{path} is {size} bytes, more than the {limit}-byte limit; its packages are not listed"
            ),
            DatabaseDamaged { warning } => f.write_str(warning),
            UnknownDistribution {
                package_type,
                database,
                id: Some(id),
            } => write!(
                f,
                "{database} lists {package_type} packages of the distribution {id:?}, whose purl vendor is not known: their purls take its os-release ID as namespace (pkg:{package_type}/{id}/…)"
            ),
            UnknownDistribution {
                package_type,
                database,
                id: None,
            } => write!(
                f,
                "{database} lists {package_type} packages, but no os-release ID names their distribution: their purls carry no vendor namespace (pkg:{package_type}/NAME@VERSION)"
            ),
            LangMetadataTooLarge { path, size, limit } => write!(
                f,
                "{path} is {size} bytes, more than the {limit}-byte limit; its package is not listed"
            ),
            ArchiveLimit { note } => f.write_str(note),
            BinaryUnreadable { why } => f.write_str(why),
            LicenseFilesCapped { files, reported } => write!(
                f,
                "the layer holds {files} license files; the first {reported} by path are reported"
            ),
            BaseImageMismatch { image } => write!(
                f,
                "the layers of --base-image {image} are not the bottom layers of this image; it was not built FROM that image"
            ),
            DockerfileMismatch { path, why } => write!(
                f,
                "{path} does not match this image's history: {why}"
            ),
            UnapprovedBase { base, digest, why } => {
                let named = match (base, digest) {
                    (Some(b), Some(d)) if !b.contains('@') => format!("base image {b} ({d})"),
                    (Some(b), _) => format!("base image {b}"),
                    (None, _) => "the base image".to_string(),
                };
                match why {
                    Unapproved::Unnamed => write!(
                        f,
                        "{named} is not named by an annotation, --base-image or the Dockerfile, \
                         so it cannot be shown to be an approved base image"
                    ),
                    Unapproved::NotAReference => write!(
                        f,
                        "{named} is not an image reference, so it cannot be shown to be an \
                         approved base image"
                    ),
                    Unapproved::NotListed => {
                        write!(f, "{named} is not among the approved base images")
                    }
                    Unapproved::OtherVersion { entries } => write!(
                        f,
                        "{named} is not among the approved base images: its repository is \
                         approved only as {}",
                        entries.join(", ")
                    ),
                }
            }
            BaseApproved { base, entry } => {
                write!(f, "base image {base} is approved (as {entry})")
            }
            ReviewUnused {
                table,
                entry,
                target,
            } => write!(
                f,
                "reviewer decision {table} #{entry} ({target}) applies to nothing in this \
                 image: remove it if it is stale"
            ),
            NoPackages { entries: 0 } => write!(
                f,
                "the image holds no files, so no packages: the documents list none"
            ),
            NoPackages { entries } => write!(
                f,
                "no package database (dpkg, rpm, apk) or language package metadata was found \
                 among the image's {entries} files, directories and links: the documents list \
                 no packages"
            ),
            SquashedImage(Squash::History { steps, layers }) => write!(
                f,
                "the history records {steps} steps that made layers but the image has {layers}: layers were merged (squashed), so the base image's layers cannot be told from ours; never squash layers you did not create"
            ),
            SquashedImage(Squash::Distribution {
                layer,
                packages,
                sign,
            }) => {
                let why = match sign {
                    SquashSign::BuildSquash => {
                        "docker build --squash merged it with the base image's layers"
                    }
                    SquashSign::Import => "it was made by docker import of a flattened filesystem",
                    SquashSign::OnlyLayer => "it is the image's only layer and is counted as ours",
                    SquashSign::BottomLayer => {
                        "the bottom layer, which carries the distribution, is counted as ours"
                    }
                };
                write!(
                    f,
                    "layer {layer} carries a whole distribution ({packages} packages) and {why}: the base image cannot be told from our files; never squash layers you did not create"
                )
            }
            DeletedSecret {
                path,
                evidence: SecretEvidence::Content(content),
                deleted_in,
                added_in,
                ..
            } => write!(
                f,
                "/{path} holds {content}; layer {deleted_in} deletes it, but layer {added_in} still carries it and anyone with the image can read it"
            ),
            DeletedSecret {
                path,
                what,
                evidence: SecretEvidence::Name(unread),
                deleted_in,
                added_in,
            } => write!(
                f,
                "/{path} is named like {what}, but {unread}; layer {deleted_in} deletes it, but layer {added_in} still carries it: a person should check what it holds"
            ),
            AuthoredUpgrade {
                layer,
                package_type,
                package,
                from,
                version,
                replaces_base,
            } => {
                let whose = if *replaces_base {
                    "the base image's version"
                } else {
                    "a version installed below it"
                };
                write!(
                    f,
                    "our layer {layer} upgrades {package_type} {package} from {from} to {version}: it replaces {whose}, so the shipped package is ours to account for"
                )
            }
            AuthoredRemoval {
                layer,
                package_type,
                package,
                version,
                added_in,
            } => write!(
                f,
                "our layer {layer} removes base package {package_type} {package} {version} (added in layer {added_in}); its files are still in that layer"
            ),
            AuthoredOverwrite {
                layer,
                package,
                version,
                files,
            } => {
                let examples: Vec<&str> = files.iter().take(EXAMPLES).map(String::as_str).collect();
                write!(
                    f,
                    "our layer {layer} replaces {} file(s) of base package {package} {version}: {}",
                    files.len(),
                    examples.join(", ")
                )?;
                let more = files.len().saturating_sub(EXAMPLES);
                if more > 0 {
                    write!(f, " and {more} more")?;
                }
                f.write_str("; the shipped files are not the distribution's")
            }
            LicenseUnknown {
                package_type,
                package,
                version,
                reason,
            } => write!(
                f,
                "the license of {package_type} {package} {version} is not known ({reason}): a person must establish it before the image is shipped"
            ),
            LicenseUnlisted {
                package_type,
                package,
                version,
                expression,
            } => write!(
                f,
                "{package_type} {package} {version} is under {expression}, which names no license of the SPDX list: a person must read its terms"
            ),
            DockerfileNoLicense => f.write_str(
                "the Dockerfile carries no SPDX-License-Identifier and no license header: under which terms it may be shared is not stated",
            ),
            DockerfileLicense {
                spdx,
                header,
                copyright,
            } => {
                match (spdx, header) {
                    (Some(id), _) => write!(
                        f,
                        "the Dockerfile is licensed {id} (SPDX-License-Identifier); "
                    )?,
                    (None, Some(h)) => {
                        write!(f, "the Dockerfile's header mentions a license: \"{h}\"; ")?
                    }
                    (None, None) => {}
                }
                if copyright.is_empty() {
                    f.write_str("no copyright line names its author")
                } else {
                    f.write_str(&copyright.join("; "))
                }
            }
            StageFinal(s) => write!(f, "{s} is the final stage: the image that is shipped"),
            StageShipped(s) => write!(
                f,
                "{s} is a stage the final stage is built FROM: its files are shipped"
            ),
            StageBuildOnly(s) => write!(
                f,
                "{s} is used only to build: the shipped image takes files from it, not its layers"
            ),
            StageUnused(s) => write!(f, "{s} is not used by the final stage (BuildKit skips it)"),
            FromUnresolved { from, args } => write!(
                f,
                "FROM {from} depends on build argument {} with no default: the image is chosen at build time (--build-arg)",
                args.join(", ")
            ),
            BasePinned { from, shipped } => {
                write!(f, "{} {from} is pinned by digest", base_of(*shipped))
            }
            BaseLatest {
                from,
                tagged,
                shipped,
            } => write!(
                f,
                "{} {from} is {}: whatever the registry serves at build time is used; pin it by digest (@sha256:…)",
                base_of(*shipped),
                if *tagged { "tagged latest" } else { "untagged (latest)" }
            ),
            BaseUnpinned { from, tag, shipped } => write!(
                f,
                "{} {from} is named by tag {tag:?} only: tags are mutable; pin it by digest (@sha256:…)",
                base_of(*shipped)
            ),
            CopyFromImage {
                image,
                tag,
                pinned,
                shipped,
            } => {
                let into = if *shipped {
                    "into the shipped image"
                } else {
                    "into a build stage"
                };
                write!(
                    f,
                    "COPY --from={image} copies files of another image {into}; the image is "
                )?;
                if *pinned {
                    f.write_str("pinned by digest")?;
                } else {
                    f.write_str("not pinned by digest (")?;
                    match tag {
                        Some(t) => write!(f, "tag {t:?}")?,
                        None => f.write_str("untagged")?,
                    }
                    f.write_str("): its content can change between builds")?;
                }
                f.write_str("; its licenses are not covered by the base image's")
            }
            AddUrl { url, checksum } => {
                write!(f, "ADD fetches {url} at build time, ")?;
                match checksum {
                    Some(c) => write!(f, "verified by --checksum={c}"),
                    None => f.write_str("with no --checksum: what is fetched is not verified"),
                }
            }
            PlainHttp { tool, url } => write!(
                f,
                "{tool} fetches {url} over plain http: anyone on the path can change it"
            ),
            PipeToShell { fetch, .. } => write!(
                f,
                "{} {fetch} is piped into a shell: the script runs unread and unverified, and what it installs is not recorded",
                fetch.tool
            ),
            Download { fetch, verified } => {
                write!(f, "{} fetches {fetch}; ", fetch.tool)?;
                match verified {
                    Verified::PipHashes => f.write_str("verified by pip hashes"),
                    Verified::InRun(checks) => {
                        let checks: Vec<String> = checks
                            .iter()
                            .map(|c| format!("{}, line {}", c.how, c.line))
                            .collect();
                        write!(f, "checked in the same RUN ({})", checks.join("; "))
                    }
                    Verified::No => {
                        f.write_str("no checksum or signature is verified in the same RUN")
                    }
                }
            }
        }
    }
}

/// Writes what the content shows, e.g. `a private key (PEM "RSA PRIVATE KEY")`.
impl fmt::Display for SecretContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretContent::PemPrivateKey(label) => write!(f, "a private key (PEM {label:?})"),
            SecretContent::PuttyKey => f.write_str("a PuTTY private key"),
            SecretContent::Pkcs12 => f.write_str("a PKCS#12 key store"),
            SecretContent::JavaKeyStore => {
                f.write_str("a Java key store with a private or secret key")
            }
            SecretContent::Credentials(c) => f.write_str(match c {
                Credentials::Netrc => "login credentials (a .netrc password)",
                Credentials::GitCredentials => "git credentials (a URL with user:password@)",
                Credentials::DockerConfig => {
                    "Docker registry credentials (auths with an auth or identitytoken)"
                }
                Credentials::Aws => "AWS credentials (an aws_secret_access_key)",
                Credentials::Npmrc => "npm registry credentials (_authToken, _auth or _password)",
                Credentials::Pypirc => "PyPI credentials (a password)",
                Credentials::Env => "a password, token, secret or key in an environment file",
                Credentials::Pgpass => "PostgreSQL passwords (.pgpass lines)",
                Credentials::Htpasswd => "password hashes (.htpasswd lines)",
                Credentials::Kubeconfig => {
                    "Kubernetes client credentials (a token, password or client key)"
                }
                Credentials::Setting => "a password, secret or token setting with a value",
                Credentials::Token => "a token (the whole file is one token-like word)",
            }),
        }
    }
}

/// Writes why the content was not read, as a clause.
impl fmt::Display for Unread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unread::Executable => {
                f.write_str("it is executable and was read as a program, not for secrets")
            }
            Unread::HardLink(target) => {
                write!(f, "it is a hard link to /{target}, whose content was not read")
            }
            Unread::PastHead { read, size } => write!(
                f,
                "only its first {read} of {size} bytes were read and they show no key or credentials"
            ),
            Unread::NotKept => f.write_str("its content was not read"),
        }
    }
}

/// How a base-image finding names the image: by the stage it is the base of.
fn base_of(shipped: bool) -> &'static str {
    if shipped {
        "the base image of the shipped image"
    } else {
        "a build-stage image"
    }
}

/// Writes `stage N (FROM image)` or `stage "name" (FROM image)`.
impl fmt::Display for StageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "stage {n:?}")?,
            None => write!(f, "stage {}", self.index)?,
        }
        write!(f, " (FROM {})", self.from)
    }
}

/// Writes the URL, and says so when the script computes it.
impl fmt::Display for Fetch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)?;
        if self.computed {
            f.write_str(" (a URL the script computes)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FindingKind::*;
    use Severity::*;

    fn s(v: &str) -> String {
        v.to_string()
    }

    fn stage(index: usize, name: Option<&str>, from: &str) -> StageRef {
        StageRef {
            index,
            name: name.map(s),
            from: s(from),
        }
    }

    fn fetch(tool: &str, url: &str, computed: bool) -> Fetch {
        Fetch {
            tool: s(tool),
            url: s(url),
            computed,
        }
    }

    /// Each kind's name, severity and sentence: the documents' contract; and the finding
    /// reads back from the native JSON as it was, its facts under the name it writes.
    fn check(cases: Vec<(FindingKind, &str, Severity, &str)>) {
        for (kind, name, severity, message) in cases {
            assert_eq!(
                (kind.name(), kind.severity(), kind.message().as_str()),
                (name, severity, message),
                "{kind:?}"
            );
            let tagged = serde_json::to_value(&kind).unwrap();
            assert_eq!(tagged["kind"], name, "serde's tag for {kind:?}");
            let finding = Finding::new(kind).in_layer(1).at_path("p").at_line(2);
            let json = serde_json::to_string(&finding).unwrap();
            assert_eq!(
                serde_json::from_str::<Finding>(&json).unwrap(),
                finding,
                "{json}"
            );
        }
    }

    #[test]
    fn input_and_scan_findings() {
        check(vec![
            (
                SeveralImages(ImageSet::Archive {
                    tags: vec![vec![s("a:1"), s("a:latest")], vec![]],
                }),
                "several-images",
                Warning,
                "the archive holds 2 images (a:1 a:latest; ); the first one is scanned",
            ),
            (
                SeveralImages(ImageSet::Index {
                    matching: 2,
                    platform: Platform::parse("linux/arm64/v8"),
                    scanned: s("sha256:ab"),
                }),
                "several-images",
                Warning,
                "2 images in index.json match linux/arm64/v8; the first (sha256:ab) is scanned",
            ),
            (
                SeveralImages(ImageSet::Index {
                    matching: 3,
                    platform: None,
                    scanned: s("sha256:ab"),
                }),
                "several-images",
                Warning,
                "3 images in index.json match the platform; the first (sha256:ab) is scanned",
            ),
            (
                DigestUnchecked {
                    digest: s("sha512:ff"),
                },
                "digest-unchecked",
                Warning,
                "layer digest sha512:ff uses an algorithm layerbom does not check",
            ),
            (
                HistoryMismatch {
                    steps: 3,
                    layers: 2,
                },
                "history-mismatch",
                Warning,
                "the config history has 3 steps that made layers, but the image has 2 layers; created_by is left empty",
            ),
            (
                MediaTypeMismatch {
                    declared: s("gzip"),
                    actual: s("zstd"),
                },
                "media-type-mismatch",
                Warning,
                "the manifest says the layer is gzip compressed, but its bytes are zstd; read as zstd",
            ),
            (
                SupplierUnknown(Unsupplied::Image),
                "supplier-unknown",
                Warning,
                "the image names no supplier: pass --supplier NAME or set the org.opencontainers.image.vendor label; SBOMs say NOASSERTION, which NTIA minimum elements do not accept",
            ),
            (
                SupplierUnknown(Unsupplied::BaseLayers),
                "supplier-unknown",
                Warning,
                "the base layers name no supplier: the base image has no org.opencontainers.image.vendor label (give it with --base-image) and no os-release NAME",
            ),
            (
                SupplierUnknown(Unsupplied::Packages {
                    layer: 1,
                    package_type: s("npm"),
                    packages: vec![(s("ms"), s("2.1.3"))],
                }),
                "supplier-unknown",
                Warning,
                "layer 1 adds 1 npm package whose metadata names no supplier (author, maintainer or vendor); SBOMs say NOASSERTION, which NTIA minimum elements do not accept: ms 2.1.3",
            ),
            (
                SupplierUnknown(Unsupplied::Packages {
                    layer: 2,
                    package_type: s("go-module"),
                    packages: vec![(s("github.com/pkg/errors"), s("v0.9.1")), (s("stdlib"), s("go1.19.8"))],
                }),
                "supplier-unknown",
                Warning,
                "layer 2 adds 2 go-module packages whose metadata names no supplier (author, maintainer or vendor); SBOMs say NOASSERTION, which NTIA minimum elements do not accept: github.com/pkg/errors v0.9.1, stdlib go1.19.8",
            ),
            (
                CaptureMissed {
                    target: s("etc/x"),
                    path: s("usr/y"),
                },
                "capture-missed",
                Warning,
                "hard link to etc/x, whose content was not kept, so the content of usr/y is unknown",
            ),
            (
                UnresolvablePath {
                    why: s("symlink loop at a"),
                },
                "unresolvable-path",
                Warning,
                "symlink loop at a",
            ),
            (
                DatabaseTooLarge {
                    path: s("var/lib/rpm/rpmdb.sqlite"),
                    size: 10,
                    limit: 5,
                },
                "database-too-large",
                Error,
                "var/lib/rpm/rpmdb.sqlite is 10 bytes, more than the 5-byte limit; its packages are not listed",
            ),
            (
                DatabaseDamaged {
                    warning: s("record 3: cut"),
                },
                "database-damaged",
                Warning,
                "record 3: cut",
            ),
            (
                UnknownDistribution {
                    package_type: s("rpm"),
                    database: s("var/lib/rpm/rpmdb.sqlite"),
                    id: Some(s("photon")),
                },
                "unknown-distribution",
                Warning,
                "var/lib/rpm/rpmdb.sqlite lists rpm packages of the distribution \"photon\", whose purl vendor is not known: their purls take its os-release ID as namespace (pkg:rpm/photon/…)",
            ),
            (
                UnknownDistribution {
                    package_type: s("deb"),
                    database: s("var/lib/dpkg/status"),
                    id: None,
                },
                "unknown-distribution",
                Warning,
                "var/lib/dpkg/status lists deb packages, but no os-release ID names their distribution: their purls carry no vendor namespace (pkg:deb/NAME@VERSION)",
            ),
            (
                LangMetadataTooLarge {
                    path: s("app/package.json"),
                    size: 10,
                    limit: 5,
                },
                "lang-metadata-too-large",
                Warning,
                "app/package.json is 10 bytes, more than the 5-byte limit; its package is not listed",
            ),
            (
                ArchiveLimit {
                    note: s("nested jars past 4 levels are not read"),
                },
                "archive-limit",
                Info,
                "nested jars past 4 levels are not read",
            ),
            (
                BinaryUnreadable {
                    why: s("no build info"),
                },
                "binary-unreadable",
                Info,
                "no build info",
            ),
            (
                LicenseFilesCapped {
                    files: 20001,
                    reported: 20000,
                },
                "license-files-capped",
                Warning,
                "the layer holds 20001 license files; the first 20000 by path are reported",
            ),
        ]);
    }

    #[test]
    fn base_decision_findings() {
        check(vec![
            (
                BaseImageMismatch {
                    image: s("alpine"),
                },
                "base-image-mismatch",
                Error,
                "the layers of --base-image alpine are not the bottom layers of this image; it was not built FROM that image",
            ),
            (
                DockerfileMismatch {
                    path: s("Dockerfile"),
                    why: s("line 2 makes no layer"),
                },
                "dockerfile-mismatch",
                Warning,
                "Dockerfile does not match this image's history: line 2 makes no layer",
            ),
        ]);
    }

    #[test]
    fn image_findings() {
        let squashed = |sign| {
            SquashedImage(Squash::Distribution {
                layer: 0,
                packages: 120,
                sign,
            })
        };
        let tail = ": the base image cannot be told from our files; never squash layers you did not create";
        let upgrade = |replaces_base| AuthoredUpgrade {
            layer: 1,
            package_type: s("deb"),
            package: s("libssl3"),
            from: s("3.0.1"),
            version: s("3.0.2"),
            replaces_base,
        };
        let overwrite = |files: &[&str]| AuthoredOverwrite {
            layer: 1,
            package: s("tool"),
            version: s("1.0"),
            files: files.iter().map(|f| s(f)).collect(),
        };
        check(vec![
            (
                SquashedImage(Squash::History { steps: 2, layers: 1 }),
                "squashed-image",
                Warning,
                "the history records 2 steps that made layers but the image has 1: layers were merged (squashed), so the base image's layers cannot be told from ours; never squash layers you did not create",
            ),
            (
                squashed(SquashSign::BuildSquash),
                "squashed-image",
                Warning,
                &format!("layer 0 carries a whole distribution (120 packages) and docker build --squash merged it with the base image's layers{tail}"),
            ),
            (
                squashed(SquashSign::Import),
                "squashed-image",
                Warning,
                &format!("layer 0 carries a whole distribution (120 packages) and it was made by docker import of a flattened filesystem{tail}"),
            ),
            (
                squashed(SquashSign::OnlyLayer),
                "squashed-image",
                Warning,
                &format!("layer 0 carries a whole distribution (120 packages) and it is the image's only layer and is counted as ours{tail}"),
            ),
            (
                squashed(SquashSign::BottomLayer),
                "squashed-image",
                Warning,
                &format!("layer 0 carries a whole distribution (120 packages) and the bottom layer, which carries the distribution, is counted as ours{tail}"),
            ),
            (
                DeletedSecret {
                    path: s("root/.ssh/id_rsa"),
                    what: s("an SSH private key"),
                    evidence: SecretEvidence::Content(SecretContent::PemPrivateKey(s(
                        "OPENSSH PRIVATE KEY",
                    ))),
                    deleted_in: 1,
                    added_in: 0,
                },
                "deleted-secret",
                Error,
                "/root/.ssh/id_rsa holds a private key (PEM \"OPENSSH PRIVATE KEY\"); layer 1 deletes it, but layer 0 still carries it and anyone with the image can read it",
            ),
            (
                DeletedSecret {
                    path: s("root/.netrc"),
                    what: s("login credentials (.netrc)"),
                    evidence: SecretEvidence::Content(SecretContent::Credentials(
                        Credentials::Netrc,
                    )),
                    deleted_in: 2,
                    added_in: 1,
                },
                "deleted-secret",
                Error,
                "/root/.netrc holds login credentials (a .netrc password); layer 2 deletes it, but layer 1 still carries it and anyone with the image can read it",
            ),
            (
                DeletedSecret {
                    path: s("usr/bin/rotate-token"),
                    what: s("a token or secret (by its name)"),
                    evidence: SecretEvidence::Name(Unread::Executable),
                    deleted_in: 1,
                    added_in: 0,
                },
                "deleted-secret",
                Warning,
                "/usr/bin/rotate-token is named like a token or secret (by its name), but it is executable and was read as a program, not for secrets; layer 1 deletes it, but layer 0 still carries it: a person should check what it holds",
            ),
            (
                DeletedSecret {
                    path: s("etc/big.pem"),
                    what: s("a private key or certificate (.pem/.key)"),
                    evidence: SecretEvidence::Name(Unread::PastHead {
                        read: 8192,
                        size: 9000,
                    }),
                    deleted_in: 1,
                    added_in: 0,
                },
                "deleted-secret",
                Warning,
                "/etc/big.pem is named like a private key or certificate (.pem/.key), but only its first 8192 of 9000 bytes were read and they show no key or credentials; layer 1 deletes it, but layer 0 still carries it: a person should check what it holds",
            ),
            (
                upgrade(true),
                "authored-upgrade",
                Warning,
                "our layer 1 upgrades deb libssl3 from 3.0.1 to 3.0.2: it replaces the base image's version, so the shipped package is ours to account for",
            ),
            (
                upgrade(false),
                "authored-upgrade",
                Warning,
                "our layer 1 upgrades deb libssl3 from 3.0.1 to 3.0.2: it replaces a version installed below it, so the shipped package is ours to account for",
            ),
            (
                AuthoredRemoval {
                    layer: 1,
                    package_type: s("deb"),
                    package: s("wget"),
                    version: s("1.21"),
                    added_in: 0,
                },
                "authored-removal",
                Info,
                "our layer 1 removes base package deb wget 1.21 (added in layer 0); its files are still in that layer",
            ),
            (
                overwrite(&["/a"]),
                "authored-overwrite",
                Warning,
                "our layer 1 replaces 1 file(s) of base package tool 1.0: /a; the shipped files are not the distribution's",
            ),
            (
                overwrite(&["/a", "/b", "/c", "/d", "/e"]),
                "authored-overwrite",
                Warning,
                "our layer 1 replaces 5 file(s) of base package tool 1.0: /a, /b, /c and 2 more; the shipped files are not the distribution's",
            ),
            (
                LicenseUnknown {
                    package_type: s("deb"),
                    package: s("a"),
                    version: s("1.0"),
                    reason: s("no copyright file"),
                },
                "license-unknown",
                Warning,
                "the license of deb a 1.0 is not known (no copyright file): a person must establish it before the image is shipped",
            ),
            (
                LicenseUnlisted {
                    package_type: s("deb"),
                    package: s("b"),
                    version: s("1.0"),
                    expression: s("LicenseRef-x"),
                },
                "license-unlisted",
                Info,
                "deb b 1.0 is under LicenseRef-x, which names no license of the SPDX list: a person must read its terms",
            ),
        ]);
    }

    #[test]
    fn dockerfile_license_and_stage_findings() {
        check(vec![
            (
                DockerfileNoLicense,
                "dockerfile-no-license",
                Warning,
                "the Dockerfile carries no SPDX-License-Identifier and no license header: under which terms it may be shared is not stated",
            ),
            (
                DockerfileLicense {
                    spdx: Some(s("MIT")),
                    header: None,
                    copyright: vec![],
                },
                "dockerfile-license",
                Info,
                "the Dockerfile is licensed MIT (SPDX-License-Identifier); no copyright line names its author",
            ),
            (
                DockerfileLicense {
                    spdx: None,
                    header: Some(s("Licensed under X")),
                    copyright: vec![s("Copyright 2019 A"), s("(c) B")],
                },
                "dockerfile-license",
                Info,
                "the Dockerfile's header mentions a license: \"Licensed under X\"; Copyright 2019 A; (c) B",
            ),
            (
                DockerfileLicense {
                    spdx: None,
                    header: None,
                    copyright: vec![s("Copyright A")],
                },
                "dockerfile-license",
                Info,
                "Copyright A",
            ),
            (
                StageFinal(stage(2, None, "alpine")),
                "stage-final",
                Info,
                "stage 2 (FROM alpine) is the final stage: the image that is shipped",
            ),
            (
                StageShipped(stage(1, Some("base"), "debian:12")),
                "stage-shipped",
                Info,
                "stage \"base\" (FROM debian:12) is a stage the final stage is built FROM: its files are shipped",
            ),
            (
                StageBuildOnly(stage(0, Some("build"), "golang:1.22")),
                "stage-build-only",
                Info,
                "stage \"build\" (FROM golang:1.22) is used only to build: the shipped image takes files from it, not its layers",
            ),
            (
                StageUnused(stage(0, None, "alpine")),
                "stage-unused",
                Info,
                "stage 0 (FROM alpine) is not used by the final stage (BuildKit skips it)",
            ),
        ]);
    }

    #[test]
    fn base_image_findings_matter_in_the_shipped_stage() {
        let pin = "pin it by digest (@sha256:…)";
        check(vec![
            (
                FromUnresolved {
                    from: s("php:${V}"),
                    args: vec![s("V"), s("W")],
                },
                "from-unresolved",
                Warning,
                "FROM php:${V} depends on build argument V, W with no default: the image is chosen at build time (--build-arg)",
            ),
            (
                BasePinned {
                    from: s("debian@sha256:01"),
                    shipped: true,
                },
                "base-pinned",
                Info,
                "the base image of the shipped image debian@sha256:01 is pinned by digest",
            ),
            (
                BasePinned {
                    from: s("debian@sha256:01"),
                    shipped: false,
                },
                "base-pinned",
                Info,
                "a build-stage image debian@sha256:01 is pinned by digest",
            ),
            (
                BaseLatest {
                    from: s("alpine"),
                    tagged: false,
                    shipped: true,
                },
                "base-latest",
                Warning,
                &format!("the base image of the shipped image alpine is untagged (latest): whatever the registry serves at build time is used; {pin}"),
            ),
            (
                BaseLatest {
                    from: s("alpine:latest"),
                    tagged: true,
                    shipped: false,
                },
                "base-latest",
                Info,
                &format!("a build-stage image alpine:latest is tagged latest: whatever the registry serves at build time is used; {pin}"),
            ),
            (
                BaseUnpinned {
                    from: s("golang:1.22"),
                    tag: s("1.22"),
                    shipped: false,
                },
                "base-unpinned",
                Info,
                &format!("a build-stage image golang:1.22 is named by tag \"1.22\" only: tags are mutable; {pin}"),
            ),
            (
                BaseUnpinned {
                    from: s("debian:12"),
                    tag: s("12"),
                    shipped: true,
                },
                "base-unpinned",
                Warning,
                &format!("the base image of the shipped image debian:12 is named by tag \"12\" only: tags are mutable; {pin}"),
            ),
        ]);
    }

    #[test]
    fn import_findings_matter_unless_verified() {
        let licenses = "its licenses are not covered by the base image's";
        let piped = "is piped into a shell: the script runs unread and unverified, and what it installs is not recorded";
        check(vec![
            (
                CopyFromImage {
                    image: s("composer:lts"),
                    tag: Some(s("lts")),
                    pinned: false,
                    shipped: true,
                },
                "copy-from-image",
                Warning,
                &format!("COPY --from=composer:lts copies files of another image into the shipped image; the image is not pinned by digest (tag \"lts\"): its content can change between builds; {licenses}"),
            ),
            (
                CopyFromImage {
                    image: s("tool"),
                    tag: None,
                    pinned: false,
                    shipped: false,
                },
                "copy-from-image",
                Warning,
                &format!("COPY --from=tool copies files of another image into a build stage; the image is not pinned by digest (untagged): its content can change between builds; {licenses}"),
            ),
            (
                CopyFromImage {
                    image: s("tool@sha256:01"),
                    tag: None,
                    pinned: true,
                    shipped: true,
                },
                "copy-from-image",
                Info,
                &format!("COPY --from=tool@sha256:01 copies files of another image into the shipped image; the image is pinned by digest; {licenses}"),
            ),
            (
                AddUrl {
                    url: s("https://e.org/y.tgz"),
                    checksum: Some(s("sha256:abc")),
                },
                "add-url",
                Info,
                "ADD fetches https://e.org/y.tgz at build time, verified by --checksum=sha256:abc",
            ),
            (
                AddUrl {
                    url: s("https://e.org/y.tgz"),
                    checksum: None,
                },
                "add-url",
                Warning,
                "ADD fetches https://e.org/y.tgz at build time, with no --checksum: what is fetched is not verified",
            ),
            (
                PlainHttp {
                    tool: s("ADD"),
                    url: s("http://e.org/y.tgz"),
                },
                "plain-http",
                Warning,
                "ADD fetches http://e.org/y.tgz over plain http: anyone on the path can change it",
            ),
            (
                PipeToShell {
                    fetch: fetch("curl", "https://get.e.sh", false),
                    plain_http: false,
                },
                "pipe-to-shell",
                Warning,
                &format!("curl https://get.e.sh {piped}"),
            ),
            (
                PipeToShell {
                    fetch: fetch("wget", "http://get.e.sh", false),
                    plain_http: true,
                },
                "pipe-to-shell",
                Error,
                &format!("wget http://get.e.sh {piped}"),
            ),
            (
                Download {
                    fetch: fetch("pip install", "https://e.org/req.txt", false),
                    verified: Verified::PipHashes,
                },
                "download",
                Info,
                "pip install fetches https://e.org/req.txt; verified by pip hashes",
            ),
            (
                Download {
                    fetch: fetch("wget", "https://e.org/x.tgz", false),
                    verified: Verified::InRun(vec![
                        Check {
                            how: s("sha256sum --check"),
                            line: 5,
                        },
                        Check {
                            how: s("gpgv"),
                            line: 6,
                        },
                    ]),
                },
                "download",
                Info,
                "wget fetches https://e.org/x.tgz; checked in the same RUN (sha256sum --check, line 5; gpgv, line 6)",
            ),
            (
                Download {
                    fetch: fetch("curl", "$URL", true),
                    verified: Verified::No,
                },
                "download",
                Warning,
                "curl fetches $URL (a URL the script computes); no checksum or signature is verified in the same RUN",
            ),
        ]);
    }

    #[test]
    fn json_has_the_kind_name_severity_message_and_facts_and_a_line_only_when_known() {
        let f = Finding::new(FindingKind::BaseImageMismatch { image: s("base:1") });
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"kind":"base-image-mismatch","severity":"error","message":"the layers of --base-image base:1 are not the bottom layers of this image; it was not built FROM that image","layer":null,"path":null,"facts":{"image":"base:1"}}"#
        );
        let f = Finding::new(FindingKind::DockerfileNoLicense)
            .in_layer(1)
            .at_path("Dockerfile")
            .at_line(3);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"kind":"dockerfile-no-license","severity":"warning","message":"the Dockerfile carries no SPDX-License-Identifier and no license header: under which terms it may be shared is not stated","layer":1,"path":"Dockerfile","line":3}"#
        );
    }
}
