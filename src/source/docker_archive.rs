//! `docker save` archives, as a tar or extracted into a directory.
//!
//! `manifest.json` lists the image: its config and its layer members, bottom first. Before
//! Docker 25 the layers are `<id>/layer.tar` (or `<hex>.tar`) and the config `<hex>.json`;
//! from Docker 25 on the archive is also an OCI layout, its blobs under `blobs/sha256/`,
//! and its `index.json` gives the manifest digest and annotations, which are read too.
//! Layer members that are links to other members (classic saves link duplicated layers)
//! are followed inside the archive.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::archive::{Archive, ArchiveImage};
use super::oci::{self, Descriptor, Index, Manifest};
use super::{
    aligned_history, digest_from_name, parse_json, read_member, At, Format, Image, ImageConfig,
    Input, LayerSpec, OpenOptions, Opened, SourceKind,
};
use crate::error::Result;
use crate::model::{Finding, FindingKind, ImageSet};
use crate::scan::stream::sha256_of;

/// The kind: an image archive (a tar, or a directory) with `manifest.json`.
pub(super) const KIND: DockerArchive = DockerArchive;

/// `docker save` archives.
pub(super) struct DockerArchive;

impl SourceKind for DockerArchive {
    fn name(&self) -> &'static str {
        "docker-archive"
    }

    fn recognizes(&self, input: &Input) -> Result<bool> {
        Ok(input
            .archive()?
            .is_some_and(|a| a.contains("manifest.json")))
    }

    fn open(&self, input: Input, opts: &OpenOptions) -> Result<Opened> {
        let (name, archive) = input.into_archive()?;
        let image = describe(&At { image: &name }, &archive, opts)?;
        Ok(Opened::Random(Box::new(ArchiveImage::new(image, archive))))
    }
}

/// Entry of a docker-save `manifest.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
    #[serde(default)]
    layer_sources: Option<BTreeMap<String, Descriptor>>,
}

/// A member name from a manifest, made safe.
fn member_name(at: &At, raw: &str) -> Result<String> {
    crate::scan::tar::normalize(raw.as_bytes())
        .ok()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| at.err(Some(raw), "manifest.json points outside the archive"))
}

/// Describes the image of a docker-save archive from its `manifest.json` (the first image
/// it lists) and the documents it points at.
pub(super) fn describe(at: &At, archive: &Archive, opts: &OpenOptions) -> Result<Image> {
    let bytes = read_member(at, archive, "manifest.json")?;
    let entries: Vec<DockerEntry> = parse_json(at, "manifest.json", &bytes)?;
    let mut findings = Vec::new();
    let Some(entry) = entries.first() else {
        return Err(at.err(Some("manifest.json"), "lists no image"));
    };
    if entries.len() > 1 {
        let tags = entries
            .iter()
            .map(|e| e.repo_tags.clone().unwrap_or_default())
            .collect();
        findings.push(Finding::new(FindingKind::SeveralImages(
            ImageSet::Archive { tags },
        )));
    }
    let config_name = member_name(at, &entry.config)?;
    let config_bytes = read_member(at, archive, &config_name)?;
    let config_digest = sha256_of(&config_bytes);
    if let Some(named) = digest_from_name(&config_name).or_else(|| classic_digest(&config_name)) {
        if opts.verify && named.starts_with("sha256:") && named != config_digest {
            return Err(at.err(
                Some(&config_name),
                format!("digest mismatch: content is {config_digest}"),
            ));
        }
    }
    let config: ImageConfig = parse_json(at, &config_name, &config_bytes)?;
    if let (Some(want), Some(have)) = (&opts.platform, config.platform()) {
        if !oci::matches(want, &have) {
            return Err(at.err(
                Some(&config_name),
                format!(
                    "the image is {have}, not {want} (a docker-save archive holds one platform)"
                ),
            ));
        }
    }
    let has_index = archive.contains("index.json");
    // Docker 25+ also writes an OCI index: it gives the manifest digest and annotations.
    let mut manifest: Option<(String, Manifest)> = None;
    if has_index {
        let index: Index = parse_json(at, "index.json", &read_member(at, archive, "index.json")?)?;
        let mut skipped = Vec::new();
        let cands = oci::candidates(archive, &index, opts.verify, &mut skipped)
            .map_err(|e| at.err(None, e.to_string()))?;
        for c in cands {
            let (m, _) =
                oci::read_blob_json::<Manifest>(archive, &c.descriptor.digest, opts.verify)
                    .map_err(|e| at.err(None, e.to_string()))?;
            if m.config.digest == config_digest {
                manifest = Some((c.descriptor.digest.clone(), m));
                break;
            }
        }
    }
    let diff_ids = &config.rootfs.diff_ids;
    if diff_ids.len() != entry.layers.len() {
        return Err(at.err(
            Some("manifest.json"),
            format!(
                "lists {} layers but the config has {} diff_ids",
                entry.layers.len(),
                diff_ids.len()
            ),
        ));
    }
    let history = aligned_history(&config, entry.layers.len(), &mut findings);
    let mut layers = Vec::with_capacity(entry.layers.len());
    for (i, raw) in entry.layers.iter().enumerate() {
        let name = member_name(at, raw)?;
        let (blob, size) = archive
            .layer(&name)
            .map_err(|e| at.layer_err(i, &name, format!("layer blob {e}")))?;
        let digest = digest_from_name(&name);
        let media_type = digest
            .as_ref()
            .and_then(|d| entry.layer_sources.as_ref()?.get(d)?.media_type.clone())
            .or_else(|| {
                let (_, m) = manifest.as_ref()?;
                m.layers.get(i)?.media_type.clone()
            });
        layers.push(LayerSpec {
            blob,
            media_type,
            digest,
            diff_id: diff_ids.get(i).cloned(),
            size,
            history: history.as_ref().and_then(|h| h.get(i).cloned()),
        });
    }
    let (manifest_digest, annotations) = match manifest {
        Some((d, m)) => (Some(d), m.annotations.unwrap_or_default()),
        None => (None, BTreeMap::new()),
    };
    Ok(Image {
        source: at.image.to_string(),
        format: if has_index {
            Format::DockerOciArchive
        } else {
            Format::DockerArchive
        },
        compression: None,
        platform: config.platform(),
        config: Some(config),
        config_digest: Some(config_digest),
        manifest_digest,
        repo_tags: entry.repo_tags.clone().unwrap_or_default(),
        annotations,
        layers,
        findings,
        registry: None,
    })
}

/// The digest a classic docker-save config's name states: `<64 hex>.json` (the image id) is
/// the sha256 of its content.
fn classic_digest(name: &str) -> Option<String> {
    let hex = name.strip_suffix(".json")?;
    let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    (hex.len() == 64 && hex.bytes().all(lower_hex)).then(|| format!("sha256:{hex}"))
}
