//! Images in a registry, named by reference: `[registry[:port]/]repository[:tag][@digest]`
//! with Docker's defaults (`debian` is `docker.io/library/debian:latest`).
//!
//! The OCI distribution protocol is spoken by `oci-client` (anonymous pulls, the
//! `WWW-Authenticate: Bearer` token flow, Basic auth), on a tokio runtime this source owns
//! (`client.rs`), with the credentials `credentials.rs` finds: the rest of the pipeline stays
//! synchronous. The manifest (or index, from which the platform's image is
//! chosen with [`oci::choose`]) and the config are fetched up front, each at most
//! [`MAX_JSON`] bytes and checked against its digest; each layer blob is then pulled when
//! the pipeline opens it, streamed chunk by chunk into the scan (several layers at once,
//! never written to disk), and refused when it is longer or shorter than the manifest says
//! or its bytes do not match its digest. [`attach`] pushes SBOMs to an image's registry as
//! artifacts that refer to it, and lists and reads back what refers to it.

pub mod attach;
mod client;
mod credentials;
mod manifest;

use std::io::{self, Read};

use futures_util::StreamExt;
use oci_client::client::BlobResponse;
use oci_client::errors::OciDistributionError;
use oci_client::Reference;
use sha2::{Digest, Sha256};

use super::input::Scheme;
use super::oci::{self, Candidate, Descriptor, Index, Manifest, MAX_JSON};
use super::{
    aligned_history, At, BlobId, Format, Image, ImageConfig, Input, LayerBytes, LayerSpec,
    OpenOptions, Opened, RandomSource, SourceKind,
};
use crate::error::Result;
use crate::model::{Finding, FindingKind, ImageSet, Platform, RegistryImage};
use client::{Backoff, Session};

/// The kind: a name with the `registry:` scheme, or without a scheme a name that is no path
/// and parses as a reference. It comes first: a reference is not a path.
pub(super) const KIND: RegistryKind = RegistryKind;

/// Registry images.
pub(super) struct RegistryKind;

/// The media types of manifests and indexes asked for.
const ACCEPT: [&str; 4] = [
    oci::MT_OCI_MANIFEST,
    oci::MT_OCI_INDEX,
    oci::MT_DOCKER_MANIFEST,
    oci::MT_DOCKER_LIST,
];

/// How many images an index lists without a platform are looked up to find theirs.
const MAX_LOOKUPS: usize = 16;

impl SourceKind for RegistryKind {
    fn name(&self) -> &'static str {
        "registry"
    }

    fn recognizes(&self, input: &Input) -> Result<bool> {
        match input.scheme() {
            Some(Scheme::Registry) => Ok(true),
            Some(_) => Ok(false),
            None if !input.is_absent() => Ok(false),
            None => match parse_reference(input.name()) {
                Ok(_) => Ok(true),
                Err(e) => Err(input.at().err(
                    None,
                    format!(
                        "cannot open: no such file or directory, and not an image reference \
                         either ({e}); {}",
                        super::input::LOCAL_FORMS
                    ),
                )),
            },
        }
    }

    fn open(&self, input: Input, opts: &OpenOptions) -> Result<Opened> {
        let at = input.at();
        let reference = parse_reference(input.name())
            .map_err(|e| at.err(None, format!("is not an image reference: {e}")))?;
        // A name given without a scheme that could be a path (no tag, no digest, no port)
        // was looked for as one first: say so when the pull fails.
        let pathlike = !input.name().contains([':', '@']);
        let tried = match input.scheme() {
            None if pathlike => "no such file or directory; as a registry image: ",
            _ => "",
        };
        // Without a scheme the name may have been meant as a local image: say how to make
        // one that layerbom reads.
        let local = match input.scheme() {
            None => format!("; {}", super::input::LOCAL_FORMS),
            Some(_) => String::new(),
        };
        let source = RegistrySource::open(&at, reference, opts)
            .map_err(|e| at.err(None, format!("{tried}{e}{local}")))?;
        Ok(Opened::Random(Box::new(source)))
    }
}

/// Parses `[registry[:port]/]repository[:tag][@digest]`, Docker's defaults filled in: the
/// registry `docker.io`, the namespace `library/` for a one-part name there, the tag
/// `latest` when neither tag nor digest is given. The registry may be an IPv6 address in
/// brackets (`[::1]:5000/app`), as Docker's reference grammar allows and oci-client's
/// parser does not: the rest is parsed after a stand-in registry, then put back on it.
pub fn parse_reference(text: &str) -> std::result::Result<Reference, oci_client::ParseError> {
    let Some((host, rest)) = text.strip_prefix('[').and_then(|t| t.split_once(']')) else {
        return Reference::try_from(text);
    };
    let (port, path) = match rest.split_once('/') {
        Some((port, path)) if port.is_empty() || port.starts_with(':') => (port, path),
        _ => return Err(oci_client::ParseError::ReferenceInvalidFormat),
    };
    let valid_port = port.is_empty()
        || port[1..].parse::<u16>().is_ok() && port[1..].bytes().all(|b| b.is_ascii_digit());
    if host.parse::<std::net::Ipv6Addr>().is_err() || !valid_port {
        return Err(oci_client::ParseError::ReferenceInvalidFormat);
    }
    let rest = Reference::try_from(format!("localhost/{path}"))?;
    let registry = format!("[{host}]{port}");
    let repository = rest.repository().to_string();
    Ok(match (rest.tag(), rest.digest()) {
        (Some(tag), Some(digest)) => Reference::with_tag_and_digest(
            registry,
            repository,
            tag.to_string(),
            digest.to_string(),
        ),
        (None, Some(digest)) => Reference::with_digest(registry, repository, digest.to_string()),
        (tag, None) => {
            Reference::with_tag(registry, repository, tag.unwrap_or("latest").to_string())
        }
    })
}

/// The platform a registry image is chosen for by default, as docker does: the host's.
pub fn host_platform() -> Platform {
    let architecture = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "loongarch64" => "loong64",
        other => other,
    };
    Platform {
        os: "linux".into(),
        architecture: architecture.into(),
        variant: None,
    }
}

/// The image's package URL: `pkg:oci/NAME@sha256%3AHEX?repository_url=…&tag=…`, NAME the
/// last part of the repository.
fn purl(reference: &Reference, manifest_digest: &str) -> String {
    let name = reference
        .repository()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut purl = format!(
        "pkg:oci/{}@{}?repository_url={}",
        encode(&name),
        encode(manifest_digest),
        encode(&format!(
            "{}/{}",
            reference.registry(),
            reference.repository()
        ))
    );
    if let Some(tag) = reference.tag() {
        purl.push_str("&tag=");
        purl.push_str(&encode(tag));
    }
    purl
}

/// Percent-encodes what a purl component may not hold as is (`/` is kept: it separates
/// the repository's parts, as the purl specification's own OCI examples write them).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A registry image opened: described, its layer blobs pulled when opened.
pub struct RegistrySource {
    image: Image,
    reference: Reference,
    session: Session,
    /// Check each layer blob's digest as it downloads.
    verify: bool,
}

impl RegistrySource {
    /// Fetches the manifest (choosing from an index) and the config of `reference`.
    /// Errors say what failed without the image's name, which the caller adds.
    fn open(
        at: &At,
        reference: Reference,
        opts: &OpenOptions,
    ) -> std::result::Result<Self, String> {
        let (session, image) = Session::open(&reference, &opts.registry, |session| {
            Fetch {
                session,
                reference: &reference,
                verify: opts.verify,
            }
            .describe(at, opts.platform.as_ref())
        })?;
        Ok(RegistrySource {
            image,
            reference,
            session,
            verify: opts.verify,
        })
    }
}

/// The image manifest a reference names, chosen from an index when it names one.
struct Resolved {
    digest: String,
    bytes: Vec<u8>,
    /// The index it was chosen from.
    index_digest: Option<String>,
    /// The platform the index lists it for.
    platform: Option<Platform>,
    /// Its `mediaType`.
    media_type: Option<String>,
}

/// What fetching an image's documents needs.
struct Fetch<'a> {
    session: &'a Session,
    reference: &'a Reference,
    verify: bool,
}

/// The few fields that say what a manifest document is.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Versioned {
    #[serde(default)]
    schema_version: Option<i64>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<serde::de::IgnoredAny>,
}

impl Fetch<'_> {
    /// Fetches the manifest `reference` names (by tag or digest), at most [`MAX_JSON`] bytes;
    /// returns its bytes and digest (checked against the digest asked for).
    fn manifest(&self, reference: &Reference) -> std::result::Result<(Vec<u8>, String), String> {
        self.session
            .manifest(reference, &ACCEPT, MAX_JSON)
            .map_err(|e| {
                let asked = match (reference.digest(), reference.tag()) {
                    (Some(d), _) => format!("manifest {d}"),
                    (None, Some(t)) => format!("tag {t}"),
                    (None, None) => "manifest".to_string(),
                };
                format!("{asked}: {e}")
            })
    }

    /// Fetches a small blob (the config) by its descriptor, at most [`MAX_JSON`] bytes,
    /// checking its size and digest.
    fn small_blob(&self, d: &Descriptor) -> std::result::Result<Vec<u8>, String> {
        let size = declared_size(d)?;
        if size > MAX_JSON {
            return Err(format!(
                "blob {} is {size} bytes, over the limit of {MAX_JSON}",
                d.digest
            ));
        }
        let desc = oci_client::manifest::OciDescriptor {
            digest: d.digest.clone(),
            size: size as i64,
            ..Default::default()
        };
        let bytes = self.session.retrying(|| async {
            let mut stream = self
                .session
                .client
                .pull_blob_stream(self.reference, &desc)
                .await?;
            let mut bytes = Vec::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk?;
                if (bytes.len() + chunk.len()) as u64 > size {
                    return Err(OciDistributionError::GenericError(Some(format!(
                        "longer than the {size} bytes its descriptor says"
                    ))));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(bytes)
        });
        let bytes = bytes.map_err(|e| format!("blob {}: {e}", d.digest))?;
        if bytes.len() as u64 != size {
            return Err(format!(
                "blob {} is {} bytes but its descriptor says {size}",
                d.digest,
                bytes.len()
            ));
        }
        if self.verify && d.digest.starts_with("sha256:") {
            let actual = crate::scan::stream::sha256_of(&bytes);
            if actual != d.digest {
                return Err(format!(
                    "blob {}: digest mismatch: content is {actual}",
                    d.digest
                ));
            }
        }
        Ok(bytes)
    }

    /// The image manifest the reference names for `want` (by default the host's platform):
    /// itself, or the one chosen from the index it names.
    fn resolve(
        &self,
        want: Option<&Platform>,
        findings: &mut Vec<Finding>,
    ) -> std::result::Result<Resolved, String> {
        let (bytes, digest) = self.manifest(self.reference)?;
        let versioned: Versioned = serde_json::from_slice(&bytes)
            .map_err(|e| format!("the manifest {digest} is not valid JSON: {e}"))?;
        check_schema(&versioned, &digest)?;
        let resolved = if is_index(&versioned) {
            let index: Index = serde_json::from_slice(&bytes)
                .map_err(|e| format!("the index {digest} is not valid: {e}"))?;
            let chosen = self.choose(&index, want, findings)?;
            let (m, d) = self.manifest(&self.reference.clone_with_digest(chosen.0.clone()))?;
            if d != chosen.0 {
                return Err(format!(
                    "the index lists {} but the registry sent {d}",
                    chosen.0
                ));
            }
            Resolved {
                digest: d,
                bytes: m,
                index_digest: Some(digest),
                platform: chosen.1,
                media_type: None,
            }
        } else {
            Resolved {
                digest,
                bytes,
                index_digest: None,
                platform: None,
                media_type: None,
            }
        };
        let versioned: Versioned = serde_json::from_slice(&resolved.bytes)
            .map_err(|e| format!("the manifest {} is not valid JSON: {e}", resolved.digest))?;
        check_schema(&versioned, &resolved.digest)?;
        if is_index(&versioned) {
            return Err(format!(
                "the index lists {} as an image, but it is an index (nested indexes are not read from a registry)",
                resolved.digest
            ));
        }
        Ok(Resolved {
            media_type: versioned.media_type,
            ..resolved
        })
    }

    /// The config of an image manifest, checked against the platform asked for when the
    /// reference names a single image (as one chosen from a local layout must be).
    fn config(
        &self,
        resolved: &Resolved,
        manifest: &Manifest,
        want: Option<&Platform>,
    ) -> std::result::Result<ImageConfig, String> {
        let config_bytes = self.small_blob(&manifest.config)?;
        let config: ImageConfig = serde_json::from_slice(&config_bytes)
            .map_err(|e| format!("the config {} is not valid: {e}", manifest.config.digest))?;
        if let (None, Some(want), Some(have)) = (&resolved.index_digest, want, config.platform()) {
            if !oci::matches(want, &have) {
                return Err(oci::ChooseError::NoMatch {
                    wanted: want.clone(),
                    available: vec![have.to_string()],
                }
                .to_string());
            }
        }
        Ok(config)
    }

    /// Describes the image: the manifest (chosen from an index for `want`, by default the
    /// host's platform), the config, the layers.
    fn describe(&self, at: &At, want: Option<&Platform>) -> std::result::Result<Image, String> {
        let mut findings = Vec::new();
        let resolved = self.resolve(want, &mut findings)?;
        let manifest: Manifest = serde_json::from_slice(&resolved.bytes)
            .map_err(|e| format!("the manifest {} is not valid: {e}", resolved.digest))?;
        let config = self.config(&resolved, &manifest, want)?;
        let layers = layers(&manifest, &config, &mut findings)?;
        let identity = RegistryImage {
            reference: self.reference.whole(),
            repository_url: format!(
                "{}/{}",
                self.reference.registry(),
                self.reference.repository()
            ),
            tag: self.reference.tag().map(str::to_string),
            index_digest: resolved.index_digest,
            purl: purl(self.reference, &resolved.digest),
        };
        Ok(Image {
            source: at.image.to_string(),
            format: Format::Registry,
            compression: None,
            platform: config.platform().or(resolved.platform),
            config_digest: Some(manifest.config.digest.clone()),
            config: Some(config),
            manifest_digest: Some(resolved.digest),
            repo_tags: vec![self.reference.whole()],
            annotations: manifest.annotations.unwrap_or_default(),
            layers,
            findings,
            registry: Some(identity),
        })
    }

    /// Chooses the image for `want` (by default the host's platform) from an index: its
    /// manifest digest and platform. The error lists the platforms there are.
    fn choose(
        &self,
        index: &Index,
        want: Option<&Platform>,
        findings: &mut Vec<Finding>,
    ) -> std::result::Result<(String, Option<Platform>), String> {
        let cands = candidates(index)?;
        let host = host_platform();
        let want = want.unwrap_or(&host);
        // A listed image without a platform is looked up in its config, for the first
        // MAX_LOOKUPS of them (each is two requests).
        let mut lookups = 0;
        let mut platform_of = |c: &Candidate| -> Option<Platform> {
            lookups += 1;
            if lookups > MAX_LOOKUPS {
                return None;
            }
            let (m, _) = self
                .manifest(
                    &self
                        .reference
                        .clone_with_digest(c.descriptor.digest.clone()),
                )
                .ok()?;
            let m: Manifest = serde_json::from_slice(&m).ok()?;
            let cfg = self.small_blob(&m.config).ok()?;
            serde_json::from_slice::<ImageConfig>(&cfg).ok()?.platform()
        };
        let (chosen, platform, hits) =
            oci::choose(&cands, Some(want), &mut platform_of).map_err(|e| e.to_string())?;
        if hits > 1 {
            findings.push(Finding::new(FindingKind::SeveralImages(ImageSet::Index {
                matching: hits,
                platform: platform.clone(),
                scanned: chosen.descriptor.digest.clone(),
            })));
        }
        // The index says how large the manifest is: a manifest over the limit is not asked for.
        if let Some(size) = chosen.descriptor.size {
            if u64::try_from(size).map_or(true, |s| s > MAX_JSON) {
                return Err(format!(
                    "the index lists {} as {size} bytes, over the limit of {MAX_JSON}",
                    chosen.descriptor.digest
                ));
            }
        }
        Ok((chosen.descriptor.digest.clone(), platform))
    }
}

/// Refuses Docker's schema 1 manifests and anything that is not a v2 document.
fn check_schema(v: &Versioned, digest: &str) -> std::result::Result<(), String> {
    match v.schema_version {
        Some(2) => Ok(()),
        Some(1) => Err(format!(
            "the manifest {digest} is a Docker schema 1 manifest, which layerbom does not read \
             (deprecated since 2017; push the image again with a current tool)"
        )),
        other => Err(format!(
            "the manifest {digest} has schemaVersion {}, not 2",
            other.map_or("none".to_string(), |n| n.to_string())
        )),
    }
}

/// Whether a document is an index (or Docker manifest list).
fn is_index(v: &Versioned) -> bool {
    match v.media_type.as_deref() {
        Some(oci::MT_OCI_INDEX | oci::MT_DOCKER_LIST) => true,
        Some(_) => false,
        None => v.manifests.is_some(),
    }
}

/// The images an index lists, attestations and artifacts passed over.
fn candidates(index: &Index) -> std::result::Result<Vec<Candidate>, String> {
    if index.manifests.len() > oci::MAX_DESCRIPTORS {
        return Err(format!(
            "the index lists {} manifests, over the limit of {}",
            index.manifests.len(),
            oci::MAX_DESCRIPTORS
        ));
    }
    Ok(index
        .manifests
        .iter()
        .filter(|d| !oci::is_attestation(d))
        .filter(|d| {
            matches!(
                d.media_type.as_deref(),
                None | Some(oci::MT_OCI_MANIFEST | oci::MT_DOCKER_MANIFEST)
            )
        })
        .map(|d| Candidate {
            descriptor: d.clone(),
            platform: d.platform.as_ref().map(oci::PlatformJson::to_platform),
            names: Vec::new(),
        })
        .collect())
}

/// A descriptor's size, which a registry blob must declare.
fn declared_size(d: &Descriptor) -> std::result::Result<u64, String> {
    d.size
        .and_then(|s| u64::try_from(s).ok())
        .ok_or_else(|| format!("the descriptor of {} declares no valid size", d.digest))
}

/// The layers of a manifest, with the config's diff_ids and history.
fn layers(
    manifest: &Manifest,
    config: &ImageConfig,
    findings: &mut Vec<Finding>,
) -> std::result::Result<Vec<LayerSpec>, String> {
    let diff_ids = &config.rootfs.diff_ids;
    if diff_ids.len() != manifest.layers.len() {
        return Err(format!(
            "the manifest lists {} layers but the config has {} diff_ids",
            manifest.layers.len(),
            diff_ids.len()
        ));
    }
    let history = aligned_history(config, manifest.layers.len(), findings);
    let mut layers = Vec::with_capacity(manifest.layers.len());
    for (i, d) in manifest.layers.iter().enumerate() {
        if oci::blob_path(&d.digest).is_none() {
            return Err(format!("layer {i}: malformed layer digest {:?}", d.digest));
        }
        let size = declared_size(d).map_err(|e| format!("layer {i}: {e}"))?;
        layers.push(LayerSpec {
            blob: BlobId(d.digest.clone()),
            media_type: d.media_type.clone(),
            digest: Some(d.digest.clone()),
            diff_id: diff_ids.get(i).cloned(),
            size,
            history: history.as_ref().and_then(|h| h.get(i).cloned()),
        });
    }
    Ok(layers)
}

impl RandomSource for RegistrySource {
    fn image(&self) -> &Image {
        &self.image
    }

    fn open(&self, layer: usize) -> Result<LayerBytes<'_>> {
        let (desc, size) = self.descriptor(layer)?;
        let digest = desc.digest.clone();
        let mut blob = BlobReader {
            source: self,
            desc,
            stream: Box::pin(futures_util::stream::empty()),
            chunk: bytes::Bytes::new(),
            read: 0,
            skip: 0,
            size,
            done: false,
            backoff: Backoff::new(),
            hasher: (self.verify && digest.starts_with("sha256:")).then(Sha256::new),
        };
        blob.request()
            .map_err(|e| self.image.layer_error(layer, None, e.to_string()))?;
        Ok(LayerBytes::Stream(Box::new(blob)))
    }

    /// The first bytes only, asked for as a range (a registry that sends the whole blob
    /// has the rest of its answer dropped).
    fn head(&self, layer: usize, n: usize) -> Result<Vec<u8>> {
        let (desc, _) = self.descriptor(layer)?;
        let session = &self.session;
        let failed = |e: String| {
            self.image.layer_error(
                layer,
                None,
                format!("cannot fetch the first bytes of blob {}: {e}", desc.digest),
            )
        };
        let answer = session
            .retrying(|| {
                session
                    .client
                    .pull_blob_stream_partial(&self.reference, &desc, 0, Some(n as u64))
            })
            .map_err(failed)?;
        let mut stream = match answer {
            BlobResponse::Partial(s) | BlobResponse::Full(s) => s.stream,
        };
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match session.runtime.block_on(stream.next()) {
                Some(Ok(chunk)) => {
                    let take = chunk.len().min(n - out.len());
                    out.extend_from_slice(&chunk[..take]);
                }
                Some(Err(e)) => return Err(failed(e.to_string())),
                None => break,
            }
        }
        Ok(out)
    }
}

impl RegistrySource {
    /// The descriptor oci-client pulls layer `layer`'s blob by, and the blob's size.
    fn descriptor(&self, layer: usize) -> Result<(oci_client::manifest::OciDescriptor, u64)> {
        let spec = self.image.layer(layer)?;
        let desc = oci_client::manifest::OciDescriptor {
            digest: spec.digest.clone().unwrap_or_default(),
            size: i64::try_from(spec.size).unwrap_or(i64::MAX),
            media_type: spec.media_type.clone().unwrap_or_default(),
            ..Default::default()
        };
        Ok((desc, spec.size))
    }
}

/// A layer blob as it downloads, read chunk by chunk. A download that breaks off is
/// resumed where it stopped (a `Range` request; a registry that sends the whole blob
/// again has what was already read skipped), up to [`client::ATTEMPTS`] requests with
/// pauses between them. It fails when the registry sends more or fewer bytes than the
/// manifest declares or, when digests are checked, bytes that do not match the digest:
/// each byte is hashed once, here, as it is handed over, resumed downloads included (the
/// first request asks for the range from byte 0, so that oci-client, which checks whole
/// answers itself, leaves it to this reader).
struct BlobReader<'a> {
    source: &'a RegistrySource,
    desc: oci_client::manifest::OciDescriptor,
    stream: futures_util::stream::BoxStream<'static, io::Result<bytes::Bytes>>,
    chunk: bytes::Bytes,
    /// Bytes of the blob handed over so far.
    read: u64,
    /// Bytes of the current answer to pass over: what was read before a registry that
    /// does not take ranges sent the blob again from its start.
    skip: u64,
    size: u64,
    done: bool,
    backoff: Backoff,
    /// The sha256 of the bytes handed over, when the digest is checked.
    hasher: Option<Sha256>,
}

impl BlobReader<'_> {
    /// Asks for the blob from the byte it has read up to, retrying transient failures.
    fn request(&mut self) -> io::Result<()> {
        let session = &self.source.session;
        let answer = session.retrying(|| {
            session.client.pull_blob_stream_partial(
                &self.source.reference,
                &self.desc,
                self.read,
                None,
            )
        });
        let (stream, skip) = match answer {
            Ok(BlobResponse::Partial(s)) => (s, 0),
            Ok(BlobResponse::Full(s)) => (s, self.read),
            Err(e) => {
                return Err(io::Error::other(format!(
                    "cannot fetch blob {}{}: {}",
                    self.desc.digest,
                    match self.read {
                        0 => String::new(),
                        n => format!(" from byte {n}"),
                    },
                    e
                )))
            }
        };
        let expected = self.size - self.read + skip;
        if let Some(length) = stream.content_length.filter(|&n| n > expected) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "blob {}: the registry sends {length} bytes but the manifest leaves {expected}",
                    self.desc.digest
                ),
            ));
        }
        self.stream = stream.stream;
        self.skip = skip;
        Ok(())
    }

    /// The next chunk of the blob, past what is to be skipped; `None` at its end.
    fn next_chunk(&mut self) -> io::Result<Option<bytes::Bytes>> {
        loop {
            match self.source.session.runtime.block_on(self.stream.next()) {
                Some(Ok(mut chunk)) => {
                    if self.skip > 0 {
                        let n = self.skip.min(chunk.len() as u64);
                        self.skip -= n;
                        let _ = chunk.split_to(n as usize);
                        if chunk.is_empty() {
                            continue;
                        }
                    }
                    return Ok(Some(chunk));
                }
                Some(Err(e)) if client::transient_io(&e) => {
                    if !self.backoff.wait() {
                        return Err(io::Error::new(
                            e.kind(),
                            format!(
                                "blob {}: the download broke off after {} of {} bytes \
                                 (the last of {} attempts): {e}",
                                self.desc.digest,
                                self.read,
                                self.size,
                                client::ATTEMPTS
                            ),
                        ));
                    }
                    self.request()?;
                }
                Some(Err(e)) => {
                    return Err(io::Error::new(e.kind(), format!("while downloading: {e}")))
                }
                None if self.skip > 0 => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "blob {}: the registry sent it again from its start but broke \
                             off before byte {}",
                            self.desc.digest, self.read
                        ),
                    ))
                }
                None => return Ok(None),
            }
        }
    }
}

impl Read for BlobReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            match self.next_chunk()? {
                Some(chunk) => {
                    self.read = self.read.saturating_add(chunk.len() as u64);
                    if self.read > self.size {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!(
                                "blob {} is longer than the {} bytes the manifest says",
                                self.desc.digest, self.size
                            ),
                        ));
                    }
                    if let Some(hasher) = &mut self.hasher {
                        hasher.update(&chunk);
                    }
                    self.chunk = chunk;
                }
                None => {
                    self.done = true;
                    if self.read != self.size {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!(
                                "blob {} ends after {} of the {} bytes the manifest says",
                                self.desc.digest, self.read, self.size
                            ),
                        ));
                    }
                    if let Some(hasher) = self.hasher.take() {
                        let actual = format!("sha256:{:x}", hasher.finalize());
                        if actual != self.desc.digest {
                            return Err(io::Error::new(
                                io::ErrorKind::InvalidData,
                                format!(
                                    "blob digest mismatch: expected {}, got {actual}",
                                    self.desc.digest
                                ),
                            ));
                        }
                    }
                }
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(s: &str) -> (String, String, Option<String>, Option<String>) {
        let r = parse_reference(s).unwrap();
        (
            r.registry().to_string(),
            r.repository().to_string(),
            r.tag().map(str::to_string),
            r.digest().map(str::to_string),
        )
    }

    fn t(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn references_take_dockers_defaults() {
        assert_eq!(
            parsed("debian"),
            (
                "docker.io".into(),
                "library/debian".into(),
                t("latest"),
                None
            )
        );
        assert_eq!(
            parsed("debian:12"),
            ("docker.io".into(), "library/debian".into(), t("12"), None)
        );
        assert_eq!(
            parsed("someone/app"),
            ("docker.io".into(), "someone/app".into(), t("latest"), None)
        );
        assert_eq!(
            parse_reference("debian").unwrap().whole(),
            "docker.io/library/debian:latest"
        );
    }

    #[test]
    fn references_with_ipv6_registries() {
        assert_eq!(
            parsed("[::1]:5000/fixtures/app:1"),
            ("[::1]:5000".into(), "fixtures/app".into(), t("1"), None)
        );
        assert_eq!(
            parsed("[fe80::1]/app"),
            ("[fe80::1]".into(), "app".into(), t("latest"), None)
        );
        let digest = format!("sha256:{}", "c".repeat(64));
        assert_eq!(
            parsed(&format!("[::1]:5000/app@{digest}")),
            ("[::1]:5000".into(), "app".into(), None, Some(digest))
        );
        assert_eq!(
            parse_reference("[::1]:5000/app:1").unwrap().whole(),
            "[::1]:5000/app:1"
        );
        for bad in [
            "[::1]",
            "[::1]x/app",
            "[::1]:99999/app",
            "[nothost]:5000/app",
            "[::1]:5000/",
        ] {
            assert!(parse_reference(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn references_with_registries_and_ports() {
        assert_eq!(
            parsed("127.0.0.1:5000/fixtures/app:1"),
            ("127.0.0.1:5000".into(), "fixtures/app".into(), t("1"), None)
        );
        assert_eq!(
            parsed("localhost/app"),
            ("localhost".into(), "app".into(), t("latest"), None)
        );
        assert_eq!(
            parsed("registry.example:443/a/b/c:v1.2"),
            (
                "registry.example:443".into(),
                "a/b/c".into(),
                t("v1.2"),
                None
            )
        );
    }

    #[test]
    fn references_with_digests() {
        let hex = "a".repeat(64);
        let digest = format!("sha256:{hex}");
        assert_eq!(
            parsed(&format!("localhost:5000/app@{digest}")),
            (
                "localhost:5000".into(),
                "app".into(),
                None,
                Some(digest.clone())
            )
        );
        assert_eq!(
            parsed(&format!("app:1@{digest}")),
            (
                "docker.io".into(),
                "library/app".into(),
                t("1"),
                Some(digest)
            )
        );
        assert!(parse_reference(&format!("app@sha256:{}", "a".repeat(63))).is_err());
        assert!(parse_reference(&format!("app@md5:{hex}")).is_err());
    }

    #[test]
    fn invalid_references() {
        for bad in [
            "",
            "/tmp/x.tar",
            "./x",
            "Debian",
            "a b",
            "app:",
            "app:-x",
            "app@x",
            "x/../y",
        ] {
            assert!(parse_reference(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn prefixed_references_are_registry_inputs() {
        let input = Input::new(std::path::Path::new("registry:127.0.0.1:5000/app:1"));
        assert!(KIND.recognizes(&input).unwrap());
        assert_eq!(input.name(), "127.0.0.1:5000/app:1");
        let input = Input::new(std::path::Path::new("oci-dir:127.0.0.1:5000/app:1"));
        assert!(!KIND.recognizes(&input).unwrap());
        // An existing path is a path, whatever it would parse as.
        let input = Input::new(std::path::Path::new("src"));
        assert!(!KIND.recognizes(&input).unwrap());
        // No such path and no reference: the error says both.
        let input = Input::new(std::path::Path::new("/no/such/Image.tar"));
        let e = KIND.recognizes(&input).unwrap_err().to_string();
        assert!(
            e.contains("no such file") && e.contains("not an image reference"),
            "{e}"
        );
    }

    #[test]
    fn image_purls() {
        let hex = "b".repeat(64);
        let r = parse_reference("127.0.0.1:5000/fixtures/app-x:1").unwrap();
        assert_eq!(
            purl(&r, &format!("sha256:{hex}")),
            format!(
                "pkg:oci/app-x@sha256%3A{hex}?repository_url=127.0.0.1%3A5000/fixtures/app-x&tag=1"
            )
        );
        let r = parse_reference(&format!("debian@sha256:{hex}")).unwrap();
        assert_eq!(
            purl(&r, &format!("sha256:{hex}")),
            format!("pkg:oci/debian@sha256%3A{hex}?repository_url=docker.io/library/debian")
        );
    }

    #[test]
    fn schema_1_is_refused() {
        let v: Versioned = serde_json::from_str(r#"{"schemaVersion":1,"name":"x"}"#).unwrap();
        let e = check_schema(&v, "sha256:x").unwrap_err();
        assert!(e.contains("schema 1"), "{e}");
        let v: Versioned = serde_json::from_str(r#"{"schemaVersion":2,"manifests":[]}"#).unwrap();
        assert!(check_schema(&v, "sha256:x").is_ok() && is_index(&v));
    }

    #[test]
    fn the_host_platform_is_linux() {
        let p = host_platform();
        assert_eq!(p.os, "linux");
        assert!(!p.architecture.is_empty() && p.architecture != "x86_64");
    }
}
