//! The image config: diff_ids, history, labels, platform.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::Platform;

/// The parts of an image config layerbom reads (OCI and Docker write the same fields).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImageConfig {
    /// CPU architecture.
    #[serde(default)]
    pub architecture: String,
    /// Operating system.
    #[serde(default)]
    pub os: String,
    /// CPU variant.
    #[serde(default)]
    pub variant: Option<String>,
    /// Creation time (RFC 3339).
    #[serde(default)]
    pub created: Option<String>,
    /// The container defaults (labels live here).
    #[serde(default)]
    pub config: Option<RunConfig>,
    /// The layer digests.
    #[serde(default)]
    pub rootfs: RootFs,
    /// One entry per build step, including steps that made no layer.
    #[serde(default)]
    pub history: Vec<History>,
}

/// The `config` object of an image config.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RunConfig {
    /// Labels.
    #[serde(rename = "Labels", default)]
    pub labels: Option<BTreeMap<String, String>>,
}

/// The `rootfs` object.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RootFs {
    /// Digests of the uncompressed layer tars, bottom first.
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// One build step.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct History {
    /// When it ran.
    #[serde(default)]
    pub created: Option<String>,
    /// The instruction, as the builder recorded it.
    #[serde(default)]
    pub created_by: Option<String>,
    /// A comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// True when the step made no layer (ENV, CMD, LABEL, …).
    #[serde(default)]
    pub empty_layer: bool,
}

impl ImageConfig {
    /// The platform the config declares, if it declares one.
    pub fn platform(&self) -> Option<Platform> {
        if self.os.is_empty() || self.architecture.is_empty() {
            return None;
        }
        Some(Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone().filter(|v| !v.is_empty()),
        })
    }

    /// Labels, empty when there are none.
    pub fn labels(&self) -> BTreeMap<String, String> {
        self.config
            .as_ref()
            .and_then(|c| c.labels.clone())
            .unwrap_or_default()
    }

    /// For each layer, the index in `history` of the step that made it. `None` for every
    /// layer when the history's non-empty steps do not count the same as the layers.
    pub fn layer_history(&self, layers: usize) -> Option<Vec<usize>> {
        let steps: Vec<usize> = self
            .history
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.empty_layer)
            .map(|(i, _)| i)
            .collect();
        (steps.len() == layers).then_some(steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_aligns_by_skipping_empty_layers() {
        let cfg: ImageConfig = serde_json::from_str(
            r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["a","b"]},
            "history":[{"created_by":"ADD x"},{"created_by":"ENV A=1","empty_layer":true},{"created_by":"RUN y"}]}"#,
        )
        .unwrap();
        assert_eq!(cfg.layer_history(2), Some(vec![0, 2]));
        assert_eq!(cfg.layer_history(3), None);
        assert_eq!(cfg.platform().unwrap().to_string(), "linux/amd64");
    }

    #[test]
    fn null_labels_are_empty() {
        let cfg: ImageConfig =
            serde_json::from_str(r#"{"config":{"Labels":null},"rootfs":{"diff_ids":[]}}"#).unwrap();
        assert!(cfg.labels().is_empty());
    }
}
