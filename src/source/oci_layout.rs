//! OCI image layouts, as a directory or a tar.
//!
//! `index.json` lists the images, directly or through nested indexes (a multi-platform
//! image); the one for the requested platform is chosen ([`super::oci::choose`]), and its
//! manifest and config, addressed by digest under `blobs/`, describe it. Digests and sizes
//! of the documents are checked when verifying; layer blobs are checked when they are read.

use super::archive::{Archive, ArchiveImage};
use super::oci::{self, blob_path, Descriptor, Index, Manifest};
use super::{
    aligned_history, parse_json, read_member, At, Format, Image, ImageConfig, Input, LayerSpec,
    OpenOptions, Opened, SourceKind,
};
use crate::error::Result;
use crate::model::{Finding, FindingKind, ImageSet, Platform};

/// The kind: an image archive (a tar, or a directory) with `index.json` and no
/// `manifest.json` (which makes it a docker-save archive).
pub(super) const KIND: OciLayout = OciLayout;

/// OCI image layouts.
pub(super) struct OciLayout;

impl SourceKind for OciLayout {
    fn name(&self) -> &'static str {
        "oci-layout"
    }

    fn recognizes(&self, input: &Input) -> Result<bool> {
        Ok(input.archive()?.is_some_and(|a| a.contains("index.json")))
    }

    fn open(&self, input: Input, opts: &OpenOptions) -> Result<Opened> {
        let (name, archive) = input.into_archive()?;
        let image = describe(&At { image: &name }, &archive, opts)?;
        Ok(Opened::Random(Box::new(ArchiveImage::new(image, archive))))
    }
}

/// Describes the image of an OCI layout from its `index.json`: the image manifest for the
/// requested platform (nested indexes followed), its config and its layers.
pub(super) fn describe(at: &At, archive: &Archive, opts: &OpenOptions) -> Result<Image> {
    let format = match archive {
        Archive::Dir(_) => Format::OciLayout,
        _ => Format::OciArchive,
    };
    let index: Index = parse_json(at, "index.json", &read_member(at, archive, "index.json")?)?;
    let mut skipped = Vec::new();
    let cands = oci::candidates(archive, &index, opts.verify, &mut skipped)
        .map_err(|e| at.err(None, e.to_string()))?;
    let mut platform_of = |c: &oci::Candidate| -> Option<Platform> {
        let (m, _) = oci::read_blob_json::<Manifest>(archive, &c.descriptor.digest, false).ok()?;
        let (cfg, _) = oci::read_blob_json::<ImageConfig>(archive, &m.config.digest, false).ok()?;
        cfg.platform()
    };
    let (chosen, platform, hits) = oci::choose(&cands, opts.platform.as_ref(), &mut platform_of)
        .map_err(|e| {
            let note = if skipped.is_empty() {
                String::new()
            } else {
                format!(
                    " (listed but absent from the layout: {})",
                    skipped.join(", ")
                )
            };
            at.err(Some("index.json"), format!("{e}{note}"))
        })?;
    let mut findings = Vec::new();
    if hits > 1 {
        findings.push(Finding::new(FindingKind::SeveralImages(ImageSet::Index {
            matching: hits,
            platform: platform.clone(),
            scanned: chosen.descriptor.digest.clone(),
        })));
    }
    let manifest_digest = chosen.descriptor.digest.clone();
    let (manifest, manifest_bytes) =
        oci::read_blob_json::<Manifest>(archive, &manifest_digest, opts.verify)
            .map_err(|e| at.err(None, e.to_string()))?;
    check_size(
        at,
        &chosen.descriptor,
        manifest_bytes.len() as u64,
        opts.verify,
    )?;
    let (config, config_bytes) =
        oci::read_blob_json::<ImageConfig>(archive, &manifest.config.digest, opts.verify)
            .map_err(|e| at.err(None, e.to_string()))?;
    check_size(at, &manifest.config, config_bytes.len() as u64, opts.verify)?;
    let diff_ids = &config.rootfs.diff_ids;
    if diff_ids.len() != manifest.layers.len() {
        return Err(at.err(
            blob_path(&manifest_digest).as_deref(),
            format!(
                "lists {} layers but the config has {} diff_ids",
                manifest.layers.len(),
                diff_ids.len()
            ),
        ));
    }
    let history = aligned_history(&config, manifest.layers.len(), &mut findings);
    let mut layers = Vec::with_capacity(manifest.layers.len());
    for (i, d) in manifest.layers.iter().enumerate() {
        let name = blob_path(&d.digest)
            .ok_or_else(|| at.layer_err(i, &d.digest, "malformed layer digest"))?;
        let (blob, size) = archive
            .layer(&name)
            .map_err(|e| at.layer_err(i, &name, format!("layer blob {e}")))?;
        check_size(at, d, size, opts.verify).map_err(|_| {
            at.layer_err(
                i,
                &name,
                format!(
                    "blob is {size} bytes but the manifest says {}",
                    d.size.unwrap_or_default()
                ),
            )
        })?;
        if !d.digest.starts_with("sha256:") && opts.verify {
            findings.push(
                Finding::new(FindingKind::DigestUnchecked {
                    digest: d.digest.clone(),
                })
                .in_layer(i),
            );
        }
        layers.push(LayerSpec {
            blob,
            media_type: d.media_type.clone(),
            digest: Some(d.digest.clone()),
            diff_id: diff_ids.get(i).cloned(),
            size,
            history: history.as_ref().and_then(|h| h.get(i).cloned()),
        });
    }
    Ok(Image {
        source: at.image.to_string(),
        format,
        compression: None,
        platform: config.platform().or(platform),
        config_digest: Some(manifest.config.digest.clone()),
        config: Some(config),
        manifest_digest: Some(manifest_digest),
        repo_tags: chosen.names.clone(),
        annotations: manifest.annotations.unwrap_or_default(),
        layers,
        findings,
        registry: None,
    })
}

fn check_size(at: &At, d: &Descriptor, actual: u64, verify: bool) -> Result<()> {
    match d.size {
        Some(s) if verify && u64::try_from(s).ok() != Some(actual) => Err(at.err(
            blob_path(&d.digest).as_deref(),
            format!("is {actual} bytes but its descriptor says {s}"),
        )),
        _ => Ok(()),
    }
}
