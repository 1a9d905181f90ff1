//! OCI image layouts and the JSON documents they hold: index, manifest, descriptor.
//!
//! An `index.json` may point at image manifests directly, or at nested indexes (a
//! multi-platform image, or the containerd image store's index inside a `docker save`).
//! [`candidates`] walks that tree and lists every image manifest whose blob is present,
//! with its platform; [`choose`] picks one for the requested platform. Attestation
//! manifests (BuildKit provenance and SBOMs) and non-image artifacts are passed over.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::archive::Archive;
use crate::model::Platform;

/// OCI image index.
pub const MT_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image manifest.
pub const MT_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker manifest list.
pub const MT_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image manifest, schema 2.
pub const MT_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// The largest JSON document (index, manifest, config) read from an image.
pub const MAX_JSON: u64 = 16 * 1024 * 1024;
/// How deep indexes may nest.
const MAX_DEPTH: usize = 4;
/// The most descriptors the indexes of one image may list in all (a multi-platform image
/// lists a few dozen).
pub(super) const MAX_DESCRIPTORS: usize = 10_000;

/// A content descriptor.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The media type of what it points at.
    #[serde(default)]
    pub media_type: Option<String>,
    /// `ALG:HEX`.
    pub digest: String,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<i64>,
    /// Annotations.
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Platform, in an index.
    #[serde(default)]
    pub platform: Option<PlatformJson>,
}

/// A platform object in an index.
#[derive(Debug, Clone, Deserialize)]
pub struct PlatformJson {
    /// OS.
    #[serde(default)]
    pub os: String,
    /// Architecture.
    #[serde(default)]
    pub architecture: String,
    /// Variant.
    #[serde(default)]
    pub variant: Option<String>,
}

impl PlatformJson {
    /// The platform it describes.
    pub(super) fn to_platform(&self) -> Platform {
        Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone().filter(|v| !v.is_empty()),
        }
    }
}

/// An index (`index.json`, or a nested index blob), or a Docker manifest list.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    /// The media type, when written.
    #[serde(default)]
    pub media_type: Option<String>,
    /// The manifests (and nested indexes).
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
}

/// An image manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// The media type, when written.
    #[serde(default)]
    pub media_type: Option<String>,
    /// The image config.
    pub config: Descriptor,
    /// The layers, bottom first.
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    /// Annotations (`org.opencontainers.image.base.name`, …).
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// The blob path for a digest, refusing anything that is not a well-formed digest.
pub fn blob_path(digest: &str) -> Option<String> {
    let (alg, hex) = digest.split_once(':')?;
    let len = match alg {
        "sha256" => 64,
        "sha512" => 128,
        _ => return None,
    };
    if hex.len() != len || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    Some(format!("blobs/{alg}/{hex}"))
}

/// An image manifest found in an index tree.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The manifest's descriptor.
    pub descriptor: Descriptor,
    /// Its platform, from the index or (if the index has none) unknown.
    pub platform: Option<Platform>,
    /// The image names that the enclosing descriptors give (ref.name, containerd name).
    pub names: Vec<String>,
}

/// What went wrong walking an index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// A document is unreadable or malformed; the blob is named.
    #[error("{file}: {message}")]
    Bad {
        /// The member or blob.
        file: String,
        /// What is wrong.
        message: String,
    },
}

fn bad(file: &str, message: impl Into<String>) -> IndexError {
    IndexError::Bad {
        file: file.to_string(),
        message: message.into(),
    }
}

/// Reads and parses a JSON blob addressed by digest, checking the digest when asked.
pub fn read_blob_json<T: serde::de::DeserializeOwned>(
    archive: &Archive,
    digest: &str,
    verify: bool,
) -> Result<(T, Vec<u8>), IndexError> {
    let path = blob_path(digest).ok_or_else(|| bad(digest, "malformed digest"))?;
    let bytes = archive
        .read(&path, MAX_JSON)
        .map_err(|e| bad(&path, e.to_string()))?;
    if verify && digest.starts_with("sha256:") {
        let actual = crate::scan::stream::sha256_of(&bytes);
        if actual != digest {
            return Err(bad(&path, format!("digest mismatch: content is {actual}")));
        }
    }
    let value =
        serde_json::from_slice(&bytes).map_err(|e| bad(&path, format!("invalid JSON: {e}")))?;
    Ok((value, bytes))
}

fn names_of(d: &Descriptor) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(a) = &d.annotations {
        for key in [
            "io.containerd.image.name",
            "org.opencontainers.image.ref.name",
        ] {
            if let Some(v) = a.get(key) {
                if !names.contains(v) {
                    names.push(v.clone());
                }
            }
        }
    }
    names
}

/// Whether a descriptor is an attestation (BuildKit provenance, SBOM), not an image.
pub(super) fn is_attestation(d: &Descriptor) -> bool {
    d.annotations
        .as_ref()
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .is_some_and(|t| t == "attestation-manifest")
        || d.platform
            .as_ref()
            .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown")
}

/// Lists every image manifest reachable from `index` whose blob is in the archive.
/// `skipped` collects human-readable notes about entries passed over.
pub fn candidates(
    archive: &Archive,
    index: &Index,
    verify: bool,
    skipped: &mut Vec<String>,
) -> Result<Vec<Candidate>, IndexError> {
    let mut out = Vec::new();
    let mut walked = Walked::default();
    let found = walk(archive, index, verify, 0, &[], &mut walked, &mut out);
    skipped.append(&mut walked.skipped);
    found.map(|()| out)
}

/// What the walk through nested indexes has seen so far.
#[derive(Default)]
struct Walked {
    /// The nested indexes walked: one listed again (a fan-out that multiplies the
    /// manifests, or a cycle) is not walked twice.
    indexes: std::collections::HashSet<String>,
    /// Descriptors looked at, in every index.
    descriptors: usize,
    /// Notes about entries passed over.
    skipped: Vec<String>,
}

fn walk(
    archive: &Archive,
    index: &Index,
    verify: bool,
    depth: usize,
    inherited: &[String],
    walked: &mut Walked,
    out: &mut Vec<Candidate>,
) -> Result<(), IndexError> {
    if depth > MAX_DEPTH {
        return Err(bad("index.json", "indexes nest too deeply"));
    }
    for d in &index.manifests {
        walked.descriptors += 1;
        if walked.descriptors > MAX_DESCRIPTORS {
            return Err(bad(
                "index.json",
                format!("its indexes list more than {MAX_DESCRIPTORS} manifests and indexes"),
            ));
        }
        if is_attestation(d) {
            continue;
        }
        let mut names = names_of(d);
        for n in inherited {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        let path = blob_path(&d.digest).ok_or_else(|| bad(&d.digest, "malformed digest"))?;
        if !archive.contains(&path) {
            walked.skipped.push(match &d.platform {
                Some(p) => format!("{} ({})", d.digest, p.to_platform()),
                None => d.digest.clone(),
            });
            continue;
        }
        match d.media_type.as_deref() {
            Some(MT_OCI_INDEX | MT_DOCKER_LIST) => {
                if !walked.indexes.insert(d.digest.clone()) {
                    continue;
                }
                let (nested, _) = read_blob_json::<Index>(archive, &d.digest, verify)?;
                walk(archive, &nested, verify, depth + 1, &names, walked, out)?;
            }
            Some(MT_OCI_MANIFEST | MT_DOCKER_MANIFEST) => out.push(Candidate {
                descriptor: d.clone(),
                platform: d.platform.as_ref().map(PlatformJson::to_platform),
                names,
            }),
            Some(_) => {} // artifacts, signatures: not images
            None => {
                // No media type in the descriptor: look at the document itself.
                let (v, _) = read_blob_json::<serde_json::Value>(archive, &d.digest, verify)?;
                if v.get("manifests").is_some() {
                    if !walked.indexes.insert(d.digest.clone()) {
                        continue;
                    }
                    let nested: Index = serde_json::from_value(v)
                        .map_err(|e| bad(&d.digest, format!("invalid index: {e}")))?;
                    walk(archive, &nested, verify, depth + 1, &names, walked, out)?;
                } else if v.get("layers").is_some() {
                    out.push(Candidate {
                        descriptor: d.clone(),
                        platform: d.platform.as_ref().map(PlatformJson::to_platform),
                        names,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Why no image of an index can be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChooseError {
    /// No image manifest reachable from the index has its blob in the archive.
    #[error("the index lists no image manifest whose blob is present")]
    NoManifest,
    /// No image is for the requested platform (or, without a request, for linux/amd64
    /// among several).
    #[error(
        "no image for platform {wanted}; the image has: {} (choose one with --platform)",
        .available.join(", ")
    )]
    NoMatch {
        /// The platform looked for.
        wanted: Platform,
        /// The platforms there are, as `--platform` takes them (`unknown` for an image no
        /// document gives a platform), sorted, each once.
        available: Vec<String>,
    },
}

/// Whether a candidate's platform satisfies the requested one. A request without a variant
/// accepts any variant; a candidate without a platform matches only when it is alone.
pub fn matches(want: &Platform, have: &Platform) -> bool {
    want.os == have.os
        && want.architecture == have.architecture
        && (want.variant.is_none() || want.variant == have.variant)
}

/// Picks the candidate for `want`. With no explicit request and a single image, that image
/// is taken whatever its platform. The error lists the platforms there are.
pub fn choose<'a>(
    list: &'a [Candidate],
    want: Option<&Platform>,
    platform_of: &mut dyn FnMut(&Candidate) -> Option<Platform>,
) -> Result<(&'a Candidate, Option<Platform>, usize), ChooseError> {
    if list.is_empty() {
        return Err(ChooseError::NoManifest);
    }
    let resolved: Vec<Option<Platform>> = list
        .iter()
        .map(|c| c.platform.clone().or_else(|| platform_of(c)))
        .collect();
    if want.is_none() && list.len() == 1 {
        return Ok((&list[0], resolved[0].clone(), 1));
    }
    let target = want.cloned().unwrap_or_else(Platform::default_linux_amd64);
    let hits: Vec<usize> = (0..list.len())
        .filter(|&i| resolved[i].as_ref().is_some_and(|p| matches(&target, p)))
        .collect();
    match hits.first() {
        Some(&i) => Ok((&list[i], resolved[i].clone(), hits.len())),
        None => {
            let mut available: Vec<String> = resolved
                .iter()
                .map(|p| {
                    p.as_ref()
                        .map_or("unknown".to_string(), Platform::to_string)
                })
                .collect();
            available.sort();
            available.dedup();
            Err(ChooseError::NoMatch {
                wanted: target,
                available,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_paths_refuse_traversal() {
        let hex = "0".repeat(64);
        assert_eq!(
            blob_path(&format!("sha256:{hex}")).unwrap(),
            format!("blobs/sha256/{hex}")
        );
        assert!(blob_path("sha256:../../etc/passwd").is_none());
        assert!(blob_path(&format!("md5:{hex}")).is_none());
        assert!(blob_path(&format!("sha256:{}", "A".repeat(64))).is_none());
    }

    fn cand(p: &str) -> Candidate {
        Candidate {
            descriptor: Descriptor {
                media_type: None,
                digest: String::new(),
                size: None,
                annotations: None,
                platform: None,
            },
            platform: Platform::parse(p),
            names: vec![],
        }
    }

    #[test]
    fn choose_defaults_to_linux_amd64_and_lists_platforms() {
        let list = vec![cand("linux/arm64/v8"), cand("linux/amd64")];
        let (c, _, _) = choose(&list, None, &mut |_| None).unwrap();
        assert_eq!(c.platform.as_ref().unwrap().architecture, "amd64");
        let want = Platform::parse("linux/arm64").unwrap();
        let (c, _, _) = choose(&list, Some(&want), &mut |_| None).unwrap();
        assert_eq!(c.platform.as_ref().unwrap().architecture, "arm64");
        let want = Platform::parse("linux/s390x").unwrap();
        let e = choose(&list, Some(&want), &mut |_| None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no image for platform linux/s390x; the image has: linux/amd64, linux/arm64/v8 \
             (choose one with --platform)"
        );
    }

    #[test]
    fn a_single_image_is_taken_without_a_request() {
        let list = vec![cand("linux/arm64")];
        assert!(choose(&list, None, &mut |_| None).is_ok());
        let want = Platform::parse("linux/amd64").unwrap();
        assert!(choose(&list, Some(&want), &mut |_| None).is_err());
        assert_eq!(
            choose(&[], None, &mut |_| None).unwrap_err(),
            ChooseError::NoManifest
        );
    }
}
