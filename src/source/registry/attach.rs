//! SBOMs attached to an image in its registry, as the OCI 1.1 specifications attach
//! anything to an image: each document is pushed as an artifact (an image manifest whose
//! `artifactType` is the document's media type, whose config is the empty descriptor and
//! whose one layer is the document, titled with its file name) that names the image's
//! manifest as its `subject`. The registry lists it among the image's referrers
//! (`GET /v2/<name>/referrers/<digest>`); a registry without that API has the list kept by
//! its clients, in an image index tagged `sha256-<hex>` (the referrers tag schema), which
//! [`attach`] updates. `oras discover`, `regctl artifact list` and `cosign tree` find the
//! documents either way, as [`attached`] does (not cosign's older `download sbom`, which
//! reads a `sha256-<hex>.sbom` tag of its own).
//!
//! The artifact holds exactly the document's bytes and nothing that changes from one run to
//! the next (no creation date): attaching the same document again pushes the same
//! manifest, which the image already lists, so nothing is listed twice. The image is the
//! platform's manifest of a multi-platform tag, chosen as a scan chooses it: an SBOM
//! describes one image.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use oci_client::errors::OciDistributionError;
use oci_client::manifest::OciDescriptor;
use oci_client::Reference;
use serde::Serialize;

use super::client::Session;
use super::{parse_reference, Fetch, Resolved};
use crate::error::{one_line, Error, Result};
use crate::model::Platform;
use crate::source::oci;
use crate::source::{At, RegistryOptions};

/// The media types layerbom recognizes a document by.
pub const MT_SPDX_JSON: &str = "application/spdx+json";
pub const MT_SPDX_TAG_VALUE: &str = "text/spdx";
pub const MT_CYCLONEDX_JSON: &str = "application/vnd.cyclonedx+json";
pub const MT_CYCLONEDX_XML: &str = "application/vnd.cyclonedx+xml";

/// The empty descriptor's media type, content (`{}`) and digest: an artifact's config.
const MT_EMPTY: &str = "application/vnd.oci.empty.v1+json";
const EMPTY: &[u8] = b"{}";
const EMPTY_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/// The annotation naming a layer's file, which `oras pull` writes it as.
const TITLE: &str = "org.opencontainers.image.title";

/// The largest document attached or read back.
pub const MAX_DOCUMENT: u64 = 256 * 1024 * 1024;

/// How much of a document's start is read to recognize its format.
const SNIFF: usize = 64 * 1024;

/// A document to attach: a file and its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub path: PathBuf,
    pub media_type: String,
}

impl Document {
    /// A document as the command line names it: `FILE`, its media type recognized from its
    /// content, or `FILE:MEDIATYPE` (as `oras attach` takes it) when FILE is not itself a
    /// file. Fails naming the file when it cannot be read, is over [`MAX_DOCUMENT`] bytes, or
    /// is of no format layerbom recognizes.
    pub fn from_arg(arg: &str) -> Result<(Document, Vec<u8>)> {
        match arg.rsplit_once(':') {
            Some((path, mt)) if !Path::new(arg).exists() && is_media_type(mt) => {
                Document::read(Path::new(path), Some(mt))
            }
            _ => Document::read(Path::new(arg), None),
        }
    }

    /// The document in `path`, of `media_type` or, without one, of the type its content
    /// says; errors as for [`Document::from_arg`].
    pub fn read(path: &Path, media_type: Option<&str>) -> Result<(Document, Vec<u8>)> {
        let bytes = read_document(path)?;
        let media_type = match media_type {
            Some(mt) => mt,
            None => media_type_of(&bytes).ok_or_else(|| {
                Error::Usage(format!(
                    "{}: not an SPDX (JSON or tag-value) or CycloneDX (JSON or XML) \
                     document; name its media type as FILE:MEDIATYPE",
                    path.display()
                ))
            })?,
        };
        let doc = Document {
            path: path.to_path_buf(),
            media_type: media_type.to_string(),
        };
        Ok((doc, bytes))
    }

    /// The file name the artifact gives the document (`org.opencontainers.image.title`).
    fn title(&self) -> String {
        self.path
            .file_name()
            .map_or_else(|| "document".into(), |n| n.to_string_lossy().into_owned())
    }
}

/// Reads a document, a regular file of at most [`MAX_DOCUMENT`] bytes.
fn read_document(path: &Path) -> Result<Vec<u8>> {
    let failed = |e: std::io::Error| Error::Usage(format!("cannot read {}: {e}", path.display()));
    // Asked before opening: opening a FIFO waits for a writer.
    if !std::fs::metadata(path).map_err(failed)?.is_file() {
        return Err(Error::Usage(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    let file = std::fs::File::open(path).map_err(failed)?;
    let mut bytes = Vec::new();
    file.take(MAX_DOCUMENT + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if bytes.len() as u64 > MAX_DOCUMENT {
        return Err(Error::Usage(format!(
            "{} is over {MAX_DOCUMENT} bytes, the most layerbom attaches",
            path.display()
        )));
    }
    Ok(bytes)
}

/// Whether `s` is a media type, `type/subtype` with RFC 6838's characters.
fn is_media_type(s: &str) -> bool {
    let name = |p: &str| {
        !p.is_empty()
            && p.len() <= 127
            && p.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(
                        b,
                        b'!' | b'#' | b'$' | b'&' | b'^' | b'_' | b'.' | b'+' | b'-'
                    )
            })
    };
    s.split_once('/')
        .is_some_and(|(t, sub)| name(t) && name(sub))
}

/// The media type of an SBOM, from its content: SPDX JSON (`spdxVersion`), CycloneDX JSON
/// (`"bomFormat": "CycloneDX"`), CycloneDX XML (a `bom` element in CycloneDX's namespace)
/// or SPDX tag-value (a `SPDXVersion:` line).
pub fn media_type_of(bytes: &[u8]) -> Option<&'static str> {
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    match text[start] {
        b'{' => {
            #[derive(serde::Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Sbom {
                spdx_version: Option<serde::de::IgnoredAny>,
                bom_format: Option<String>,
            }
            let sbom: Sbom = serde_json::from_slice(text).ok()?;
            if sbom.spdx_version.is_some() {
                Some(MT_SPDX_JSON)
            } else if sbom.bom_format.as_deref() == Some("CycloneDX") {
                Some(MT_CYCLONEDX_JSON)
            } else {
                None
            }
        }
        b'<' => {
            let head = String::from_utf8_lossy(&text[..text.len().min(SNIFF)]);
            let cyclonedx =
                head.contains("<bom") && head.contains("xmlns=\"http://cyclonedx.org/schema/bom/");
            cyclonedx.then_some(MT_CYCLONEDX_XML)
        }
        _ => {
            let head = String::from_utf8_lossy(&text[..text.len().min(SNIFF)]);
            head.lines()
                .any(|l| l.starts_with("SPDXVersion:"))
                .then_some(MT_SPDX_TAG_VALUE)
        }
    }
}

/// A descriptor as an artifact manifest writes it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Desc<'a> {
    media_type: &'a str,
    digest: &'a str,
    size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<&'a str, &'a str>,
}

/// An artifact manifest, its fields in the image specification's order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactManifest<'a> {
    schema_version: u32,
    media_type: &'a str,
    artifact_type: &'a str,
    config: Desc<'a>,
    layers: [Desc<'a>; 1],
    subject: Desc<'a>,
}

/// The manifest that attaches a document (`media_type`, `digest`, `size`, file name
/// `title`) to the image manifest `subject`: compact JSON, the same bytes for the same
/// document and image.
fn artifact_manifest(
    subject: &Subject,
    media_type: &str,
    digest: &str,
    size: u64,
    title: &str,
) -> Vec<u8> {
    let manifest = ArtifactManifest {
        schema_version: 2,
        media_type: oci::MT_OCI_MANIFEST,
        artifact_type: media_type,
        config: Desc {
            media_type: MT_EMPTY,
            digest: EMPTY_DIGEST,
            size: EMPTY.len() as u64,
            data: Some("e30="),
            annotations: BTreeMap::new(),
        },
        layers: [Desc {
            media_type,
            digest,
            size,
            data: None,
            annotations: BTreeMap::from([(TITLE, title)]),
        }],
        subject: Desc {
            media_type: &subject.media_type,
            digest: &subject.digest,
            size: subject.size,
            data: None,
            annotations: BTreeMap::new(),
        },
    };
    serde_json::to_vec(&manifest).expect("a manifest of strings and numbers serializes")
}

/// The image manifest documents are attached to.
#[derive(Debug, Clone, Serialize)]
pub struct Subject {
    /// The image as named, `registry/repository@digest`.
    pub reference: String,
    pub media_type: String,
    pub digest: String,
    pub size: u64,
}

/// A document attached.
#[derive(Debug, Clone, Serialize)]
pub struct Attached {
    pub file: PathBuf,
    pub media_type: String,
    /// The artifact manifest's digest.
    pub artifact: String,
    /// The document's digest.
    pub digest: String,
    pub size: u64,
}

/// What [`attach`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub subject: Subject,
    pub attached: Vec<Attached>,
    /// The referrers tag (`sha256-<hex>`) updated, when the registry lists no referrers
    /// itself; `None` when it lists them all (with the referrers API, or because they were
    /// in the tag already).
    pub referrers_tag: Option<String>,
}

/// Attaches `documents` (each with its bytes, as [`Document::from_arg`] read them) to the
/// image `reference` names, for `platform` when it names a multi-platform image (by default
/// the host's): pushes the documents, the empty config and one artifact manifest each, then
/// makes sure the image's referrers list has them, updating the referrers tag when the
/// registry keeps no list itself.
pub fn attach(
    reference: &str,
    documents: &[(Document, Vec<u8>)],
    platform: Option<&Platform>,
    opts: &RegistryOptions,
) -> Result<Attachment> {
    let at = At { image: reference };
    let (session, reference, subject) = open(reference, platform, opts)?;
    let failed = |what: String, e: &OciDistributionError| {
        at.err(None, format!("{what}: {}", session.explain(e)))
    };
    let runtime = &session.runtime;
    let mut attached = Vec::new();
    for (doc, bytes) in documents {
        let digest = crate::scan::stream::sha256_of(bytes);
        let manifest = artifact_manifest(
            &subject,
            &doc.media_type,
            &digest,
            bytes.len() as u64,
            &doc.title(),
        );
        attached.push((
            Attached {
                file: doc.path.clone(),
                media_type: doc.media_type.clone(),
                artifact: crate::scan::stream::sha256_of(&manifest),
                digest,
                size: bytes.len() as u64,
            },
            manifest,
        ));
    }
    // The blobs first (each unless the repository has it), then the manifests naming them.
    let blobs = attached
        .iter()
        .zip(documents)
        .map(|((a, _), (_, bytes))| (a.digest.as_str(), bytes.as_slice()));
    for (digest, bytes) in std::iter::once((EMPTY_DIGEST, EMPTY)).chain(blobs) {
        let exists = runtime
            .block_on(session.client.blob_exists(&reference, digest))
            .map_err(|e| failed(format!("blob {digest}"), &e))?;
        if !exists {
            runtime
                .block_on(session.client.push_blob(&reference, bytes.to_vec(), digest))
                .map_err(|e| failed(format!("pushing blob {digest}"), &e))?;
        }
    }
    for (a, manifest) in &attached {
        session
            .put_manifest(
                &reference.clone_with_digest(a.artifact.clone()),
                manifest,
                oci::MT_OCI_MANIFEST,
            )
            .map_err(|e| {
                at.err(
                    None,
                    format!("pushing the artifact of {}: {e}", a.file.display()),
                )
            })?;
    }
    let subject_ref = reference.clone_with_digest(subject.digest.clone());
    let listed = session
        .referrers(&subject_ref, None, oci::MAX_JSON)
        .map_err(|e| at.err(None, format!("listing the referrers: {e}")))?;
    let missing: Vec<&(Attached, Vec<u8>)> = attached
        .iter()
        .filter(|(a, _)| !listed.manifests.iter().any(|m| m.digest == a.artifact))
        .collect();
    let referrers_tag = if missing.is_empty() {
        None
    } else {
        let tag = referrers_tag(&subject.digest);
        let tag_ref = Reference::with_tag(
            reference.registry().to_string(),
            reference.repository().to_string(),
            tag.clone(),
        );
        let index = session
            .manifest_if_any(
                &tag_ref,
                &[oci::MT_OCI_INDEX],
                oci::MAX_JSON,
                super::manifest::not_found,
            )
            .map_err(|e| at.err(None, format!("the referrers tag {tag}: {e}")))?
            .map(|(bytes, _)| bytes);
        let entries: Vec<serde_json::Value> = missing
            .iter()
            .map(|(a, manifest)| referrer_entry(a, manifest.len()))
            .collect();
        let updated = add_referrers(index.as_deref(), &entries)
            .map_err(|e| at.err(None, format!("the referrers tag {tag}: {e}")))?;
        session
            .put_manifest(&tag_ref, &updated, oci::MT_OCI_INDEX)
            .map_err(|e| at.err(None, format!("pushing the referrers tag {tag}: {e}")))?;
        Some(tag)
    };
    Ok(Attachment {
        subject,
        attached: attached.into_iter().map(|(a, _)| a).collect(),
        referrers_tag,
    })
}

/// The referrers tag of a digest: `sha256:<hex>` is tagged `sha256-<hex>` (the algorithm
/// cut to 32 characters, the encoded part to 64, anything a tag cannot hold made `-`).
fn referrers_tag(digest: &str) -> String {
    let (algorithm, encoded) = digest.split_once(':').unwrap_or(("", digest));
    let clean = |s: &str, n: usize| -> String {
        s.chars()
            .take(n)
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    format!("{}-{}", clean(algorithm, 32), clean(encoded, 64))
}

/// The referrers list's descriptor of an artifact: its manifest, with its artifact type.
fn referrer_entry(a: &Attached, manifest_size: usize) -> serde_json::Value {
    serde_json::json!({
        "mediaType": oci::MT_OCI_MANIFEST,
        "digest": a.artifact,
        "size": manifest_size,
        "artifactType": a.media_type,
    })
}

/// The referrers index `existing` (none yet when `None`) with `entries` added, each unless
/// it lists that digest already; what else it holds is kept.
fn add_referrers(
    existing: Option<&[u8]>,
    entries: &[serde_json::Value],
) -> std::result::Result<Vec<u8>, String> {
    let mut index = match existing {
        Some(bytes) => serde_json::from_slice::<serde_json::Value>(bytes)
            .map_err(|e| format!("not valid JSON: {e}"))?,
        None => serde_json::json!({
            "schemaVersion": 2,
            "mediaType": oci::MT_OCI_INDEX,
            "manifests": [],
        }),
    };
    let manifests = index
        .get_mut("manifests")
        .and_then(serde_json::Value::as_array_mut)
        .ok_or("not an image index (no manifests array)")?;
    for entry in entries {
        if !manifests.iter().any(|m| m["digest"] == entry["digest"]) {
            manifests.push(entry.clone());
        }
    }
    if manifests.len() > oci::MAX_DESCRIPTORS {
        return Err(format!(
            "it would list {} manifests, over the limit of {}",
            manifests.len(),
            oci::MAX_DESCRIPTORS
        ));
    }
    serde_json::to_vec(&index).map_err(|e| e.to_string())
}

/// Connects to the registry of `reference` and resolves the image manifest it names for
/// `platform` (its config checked against the platform when it names a single image).
fn open(
    text: &str,
    platform: Option<&Platform>,
    opts: &RegistryOptions,
) -> Result<(Session, Reference, Subject)> {
    let at = At { image: text };
    let reference = parse_reference(text)
        .map_err(|e| at.err(None, format!("is not an image reference: {e}")))?;
    let (session, resolved) = Session::open(&reference, opts, |session| {
        let fetch = Fetch {
            session,
            reference: &reference,
            verify: true,
        };
        let resolved = fetch.resolve(platform, &mut Vec::new())?;
        if resolved.index_digest.is_none() && platform.is_some() {
            let manifest: oci::Manifest = serde_json::from_slice(&resolved.bytes)
                .map_err(|e| format!("the manifest {} is not valid: {e}", resolved.digest))?;
            fetch.config(&resolved, &manifest, platform)?;
        }
        Ok(resolved)
    })
    .map_err(|e| at.err(None, e))?;
    let subject = subject_of(&reference, &resolved);
    Ok((session, reference, subject))
}

/// The subject descriptor of a resolved manifest.
fn subject_of(reference: &Reference, resolved: &Resolved) -> Subject {
    Subject {
        reference: format!(
            "{}/{}@{}",
            reference.registry(),
            reference.repository(),
            resolved.digest
        ),
        media_type: resolved
            .media_type
            .clone()
            .unwrap_or_else(|| oci::MT_OCI_MANIFEST.into()),
        digest: resolved.digest.clone(),
        size: resolved.bytes.len() as u64,
    }
}

/// A document an artifact holds: one of its layers.
#[derive(Debug, Clone, Serialize)]
pub struct Held {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    /// Its file name (`org.opencontainers.image.title`), when the artifact gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where [`attached`] wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved: Option<PathBuf>,
}

/// An artifact that refers to the image.
#[derive(Debug, Clone, Serialize)]
pub struct Referrer {
    /// Its manifest's digest.
    pub digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    pub documents: Vec<Held>,
}

/// The artifacts that refer to an image.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub subject: Subject,
    pub referrers: Vec<Referrer>,
}

impl Listing {
    /// The listing as a table: the image, then one row per document (an artifact holding
    /// none has a row of its own), names and types shown safe for a terminal.
    pub fn write_table(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "Image {}", self.subject.reference)?;
        if self.referrers.is_empty() {
            return writeln!(out, "Nothing refers to it.");
        }
        let mut rows = vec![[
            "ARTIFACT".to_string(),
            "TYPE".to_string(),
            "SIZE".to_string(),
            "FILE".to_string(),
        ]];
        for r in &self.referrers {
            let kind = one_line(r.artifact_type.as_deref().unwrap_or("-"));
            if r.documents.is_empty() {
                rows.push([r.digest.clone(), kind.clone(), "-".into(), "-".into()]);
            }
            for d in &r.documents {
                let file = match (&d.saved, &d.title) {
                    (Some(saved), _) => saved.display().to_string(),
                    (None, Some(title)) => title.clone(),
                    (None, None) => "-".into(),
                };
                rows.push([
                    r.digest.clone(),
                    kind.clone(),
                    d.size.to_string(),
                    one_line(&file),
                ]);
            }
        }
        let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
        let (w0, w1, w2) = (width(0), width(1), width(2));
        for r in &rows {
            writeln!(out, "{:<w0$}  {:<w1$}  {:>w2$}  {}", r[0], r[1], r[2], r[3])?;
        }
        Ok(())
    }
}

/// Which referrers [`attached`] lists, and where it writes their documents.
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    /// The platform's image of a multi-platform reference (by default the host's).
    pub platform: Option<&'a Platform>,
    /// Only artifacts of this type.
    pub artifact_type: Option<&'a str>,
    /// Only the artifact with this manifest digest.
    pub artifact: Option<&'a str>,
    /// Write the documents of the artifacts listed in this directory, each under its title
    /// (else its digest's hex), checked against its digest.
    pub output_dir: Option<&'a Path>,
}

/// An artifact manifest's fields [`attached`] reads.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactJson {
    #[serde(default)]
    artifact_type: Option<String>,
    #[serde(default)]
    config: Option<oci::Descriptor>,
    #[serde(default)]
    layers: Vec<oci::Descriptor>,
    #[serde(default)]
    subject: Option<oci::Descriptor>,
}

/// Lists the artifacts that refer to the image `reference` names (through the referrers
/// API, else the referrers tag), reading each one's manifest for the documents it holds;
/// with [`Query::output_dir`], writes those documents there.
pub fn attached(reference: &str, query: &Query, opts: &RegistryOptions) -> Result<Listing> {
    let at = At { image: reference };
    if let Some(dir) = query.output_dir {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "--output-dir {}: no such directory",
                dir.display()
            )));
        }
    }
    let (session, reference, subject) = open(reference, query.platform, opts)?;
    let subject_ref = reference.clone_with_digest(subject.digest.clone());
    let index = session
        .referrers(&subject_ref, query.artifact_type, oci::MAX_JSON)
        .map_err(|e| at.err(None, format!("listing the referrers: {e}")))?;
    if index.manifests.len() > oci::MAX_DESCRIPTORS {
        return Err(at.err(
            None,
            format!(
                "the registry lists {} referrers, over the limit of {}",
                index.manifests.len(),
                oci::MAX_DESCRIPTORS
            ),
        ));
    }
    let fetch = Fetch {
        session: &session,
        reference: &reference,
        verify: true,
    };
    let mut referrers = Vec::new();
    for entry in &index.manifests {
        if query.artifact.is_some_and(|d| d != entry.digest) {
            continue;
        }
        let (bytes, _) = fetch
            .manifest(&reference.clone_with_digest(entry.digest.clone()))
            .map_err(|e| at.err(None, format!("referrer {}: {e}", entry.digest)))?;
        let artifact: ArtifactJson = serde_json::from_slice(&bytes).map_err(|e| {
            at.err(
                None,
                format!("referrer {}: not an image manifest: {e}", entry.digest),
            )
        })?;
        // A referrers tag kept by clients may list what no longer refers to the image.
        if artifact.subject.as_ref().map(|s| s.digest.as_str()) != Some(subject.digest.as_str()) {
            continue;
        }
        let documents = artifact
            .layers
            .iter()
            .map(|l| Held {
                media_type: l.media_type.clone().unwrap_or_default(),
                digest: l.digest.clone(),
                size: l.size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                title: l.annotations.as_ref().and_then(|a| a.get(TITLE)).cloned(),
                saved: None,
            })
            .collect();
        referrers.push(Referrer {
            digest: entry.digest.clone(),
            artifact_type: entry
                .artifact_type
                .clone()
                .or(artifact.artifact_type)
                .or_else(|| artifact.config.and_then(|c| c.media_type)),
            annotations: entry.annotations.clone().unwrap_or_default(),
            documents,
        });
    }
    if let Some(dir) = query.output_dir {
        save(&fetch, &mut referrers, dir).map_err(|e| at.err(None, e))?;
    }
    Ok(Listing { subject, referrers })
}

/// Writes every document of `referrers` in `dir`, each under its title when that is a
/// plain file name (else its digest's hex), after checking its size and digest.
fn save(fetch: &Fetch, referrers: &mut [Referrer], dir: &Path) -> std::result::Result<(), String> {
    let mut names = std::collections::BTreeSet::new();
    for held in referrers.iter_mut().flat_map(|r| r.documents.iter_mut()) {
        let name = held
            .title
            .as_deref()
            .filter(|t| is_file_name(t))
            .map_or_else(
                || {
                    held.digest
                        .rsplit(':')
                        .next()
                        .unwrap_or_default()
                        .to_string()
                },
                str::to_string,
            );
        if !names.insert(name.clone()) {
            return Err(format!(
                "two documents would be written as {}; choose one with --artifact-type or \
                 --artifact",
                dir.join(&name).display()
            ));
        }
        let bytes = download(fetch, held)?;
        let path = dir.join(&name);
        crate::output::write_replacing(&path, |w| w.write_all(&bytes))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        held.saved = Some(path);
    }
    Ok(())
}

/// Whether an artifact's title can be a file's name in the output directory: no path
/// separators, no `.` or `..`, no control characters.
fn is_file_name(title: &str) -> bool {
    !title.is_empty()
        && title != "."
        && title != ".."
        && !title.contains(['/', '\\'])
        && !title.chars().any(char::is_control)
}

/// A document's bytes, at most [`MAX_DOCUMENT`], checked against its size and digest.
fn download(fetch: &Fetch, held: &Held) -> std::result::Result<Vec<u8>, String> {
    if held.size > MAX_DOCUMENT {
        return Err(format!(
            "document {} is {} bytes, over the limit of {MAX_DOCUMENT}",
            held.digest, held.size
        ));
    }
    if !held.digest.starts_with("sha256:") {
        return Err(format!(
            "document {}: only sha256 digests are checked",
            held.digest
        ));
    }
    let desc = OciDescriptor {
        digest: held.digest.clone(),
        size: held.size as i64,
        media_type: held.media_type.clone(),
        ..Default::default()
    };
    let session = fetch.session;
    let bytes = session.runtime.block_on(async {
        let mut stream = session
            .client
            .pull_blob_stream(fetch.reference, &desc)
            .await
            .map_err(|e| session.explain(&e))?;
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| e.to_string())?;
            if (bytes.len() + chunk.len()) as u64 > held.size {
                return Err(format!(
                    "longer than the {} bytes its artifact says",
                    held.size
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    });
    let bytes = bytes.map_err(|e| format!("document {}: {e}", held.digest))?;
    if bytes.len() as u64 != held.size {
        return Err(format!(
            "document {} is {} bytes but its artifact says {}",
            held.digest,
            bytes.len(),
            held.size
        ));
    }
    let actual = crate::scan::stream::sha256_of(&bytes);
    if actual != held.digest {
        return Err(format!(
            "document {}: digest mismatch: content is {actual}",
            held.digest
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> Subject {
        Subject {
            reference: format!("127.0.0.1:5000/app@sha256:{}", "a".repeat(64)),
            media_type: oci::MT_DOCKER_MANIFEST.into(),
            digest: format!("sha256:{}", "a".repeat(64)),
            size: 528,
        }
    }

    #[test]
    fn the_artifact_manifest_is_the_same_bytes_for_the_same_document() {
        let doc = format!("sha256:{}", "b".repeat(64));
        let bytes = artifact_manifest(&subject(), MT_SPDX_JSON, &doc, 1234, "app.spdx.json");
        let expected = format!(
            concat!(
                r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","#,
                r#""artifactType":"application/spdx+json","#,
                r#""config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{empty}","size":2,"data":"e30="}},"#,
                r#""layers":[{{"mediaType":"application/spdx+json","digest":"{doc}","size":1234,"#,
                r#""annotations":{{"org.opencontainers.image.title":"app.spdx.json"}}}}],"#,
                r#""subject":{{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","#,
                r#""digest":"sha256:{a}","size":528}}}}"#
            ),
            empty = EMPTY_DIGEST,
            doc = doc,
            a = "a".repeat(64)
        );
        assert_eq!(String::from_utf8(bytes.clone()).unwrap(), expected);
        assert_eq!(
            bytes,
            artifact_manifest(&subject(), MT_SPDX_JSON, &doc, 1234, "app.spdx.json")
        );
    }

    #[test]
    fn the_empty_descriptor_is_the_digest_of_its_data() {
        assert_eq!(crate::scan::stream::sha256_of(EMPTY), EMPTY_DIGEST);
    }

    #[test]
    fn documents_are_recognized_by_content() {
        assert_eq!(
            media_type_of(br#"{"spdxVersion":"SPDX-2.3","packages":[]}"#),
            Some(MT_SPDX_JSON)
        );
        assert_eq!(
            media_type_of(
                b"\xef\xbb\xbf\n {\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\"}"
            ),
            Some(MT_CYCLONEDX_JSON)
        );
        assert_eq!(
            media_type_of(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\" version=\"1\"/>"
            ),
            Some(MT_CYCLONEDX_XML)
        );
        assert_eq!(
            media_type_of(b"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n"),
            Some(MT_SPDX_TAG_VALUE)
        );
        for other in [
            &br#"{"bomFormat":"Other"}"#[..],
            br#"{"schemaVersion":2}"#,
            b"{not json",
            b"<html/>",
            b"plain text",
            b"",
        ] {
            assert_eq!(media_type_of(other), None, "{other:?}");
        }
    }

    #[test]
    fn a_media_type_can_follow_the_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, "text").unwrap();
        let arg = format!("{}:text/plain", file.display());
        let (doc, bytes) = Document::from_arg(&arg).unwrap();
        assert_eq!(doc.path, file);
        assert_eq!(doc.media_type, "text/plain");
        assert_eq!(bytes, b"text");
        let e = Document::from_arg(&file.display().to_string()).unwrap_err();
        assert!(e.to_string().contains("FILE:MEDIATYPE"), "{e}");
        let e = Document::from_arg(&dir.path().display().to_string()).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        // A file whose own name ends in what looks like a media type is that file.
        let odd = dir.path().join("x:a/b");
        std::fs::create_dir_all(dir.path().join("x:a")).unwrap();
        std::fs::write(&odd, br#"{"spdxVersion":"SPDX-2.3"}"#).unwrap();
        let (doc, _) = Document::from_arg(&odd.display().to_string()).unwrap();
        assert_eq!((doc.path, doc.media_type.as_str()), (odd, MT_SPDX_JSON));
        assert!(!is_media_type("text"));
        assert!(!is_media_type("text/pl ain"));
    }

    #[test]
    fn referrers_tags_follow_the_schema() {
        let hex = "c".repeat(64);
        assert_eq!(
            referrers_tag(&format!("sha256:{hex}")),
            format!("sha256-{hex}")
        );
        assert_eq!(
            referrers_tag(&format!("sha512:{}", "d".repeat(128))),
            format!("sha512-{}", "d".repeat(64))
        );
        assert_eq!(referrers_tag("a+b:x=y"), "a-b-x-y");
    }

    #[test]
    fn the_referrers_index_gains_each_artifact_once_and_keeps_the_rest() {
        let a = Attached {
            file: "app.spdx.json".into(),
            media_type: MT_SPDX_JSON.into(),
            artifact: format!("sha256:{}", "e".repeat(64)),
            digest: format!("sha256:{}", "f".repeat(64)),
            size: 10,
        };
        let entry = referrer_entry(&a, 600);
        let new = add_referrers(None, std::slice::from_ref(&entry)).unwrap();
        let index: serde_json::Value = serde_json::from_slice(&new).unwrap();
        assert_eq!(index["mediaType"], oci::MT_OCI_INDEX);
        assert_eq!(index["manifests"], serde_json::json!([entry]));
        let other = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:1","size":1,"artifactType":"application/vnd.dev.cosign.artifact.sig.v1+json","annotations":{"k":"v"}}],"annotations":{"x":"y"}}"#;
        let both = add_referrers(Some(other.as_bytes()), &[entry.clone(), entry.clone()]).unwrap();
        let index: serde_json::Value = serde_json::from_slice(&both).unwrap();
        assert_eq!(index["annotations"]["x"], "y");
        assert_eq!(index["manifests"].as_array().unwrap().len(), 2);
        assert_eq!(index["manifests"][0]["annotations"]["k"], "v");
        assert_eq!(index["manifests"][1], entry);
        assert_eq!(add_referrers(Some(&both), &[entry]).unwrap(), both);
        assert!(add_referrers(Some(b"{\"schemaVersion\":2}"), &[]).is_err());
    }

    #[test]
    fn the_table_has_a_row_per_document_and_escapes_names() {
        let listing = Listing {
            subject: subject(),
            referrers: vec![
                Referrer {
                    digest: "sha256:1".into(),
                    artifact_type: Some(MT_SPDX_JSON.into()),
                    annotations: BTreeMap::new(),
                    documents: vec![Held {
                        media_type: MT_SPDX_JSON.into(),
                        digest: "sha256:2".into(),
                        size: 1234,
                        title: Some("app\nx.spdx.json".into()),
                        saved: None,
                    }],
                },
                Referrer {
                    digest: "sha256:3".into(),
                    artifact_type: None,
                    annotations: BTreeMap::new(),
                    documents: Vec::new(),
                },
            ],
        };
        let mut out = Vec::new();
        listing.write_table(&mut out).unwrap();
        let expected = format!(
            "Image {}\n\
             ARTIFACT  TYPE                   SIZE  FILE\n\
             sha256:1  application/spdx+json  1234  app\\nx.spdx.json\n\
             sha256:3  -                         -  -\n",
            subject().reference
        );
        assert_eq!(String::from_utf8(out).unwrap(), expected);
        let empty = Listing {
            subject: subject(),
            referrers: Vec::new(),
        };
        let mut out = Vec::new();
        empty.write_table(&mut out).unwrap();
        assert!(String::from_utf8(out)
            .unwrap()
            .ends_with("Nothing refers to it.\n"));
    }

    #[test]
    fn titles_are_file_names_only() {
        assert!(is_file_name("app.spdx.json"));
        for bad in ["", ".", "..", "../x", "a/b", "a\\b", "a\nb"] {
            assert!(!is_file_name(bad), "{bad:?}");
        }
    }
}
