//! Which layers are the base image (`FROM`) and which are ours.
//!
//! The methods, strongest first, and what each rests on:
//!
//! | method | rests on |
//! |---|---|
//! | `base-image` | `--base-image IMAGE`: its diff_ids are a prefix of ours |
//! | `flag` | `--base-layers N` |
//! | `annotation` | `org.opencontainers.image.base.name`/`.digest` name the base; the layer count comes from the history |
//! | `history` | the last `CMD`/`ENTRYPOINT` step that made no layer and is followed by steps that did: official base images end with one |
//!
//! When nothing is known the layers are `unknown`: a guess would put a GPL obligation on
//! the wrong team.

use std::collections::BTreeMap;

use crate::dockerfile::{Dockerfile, Instruction};
use crate::model::{Finding, FindingKind, Origin};
use crate::source::History;

/// The conclusion about the base image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseDecision {
    /// `base-image`, `flag`, `annotation`, `history` or `none`.
    pub method: &'static str,
    /// How many bottom layers belong to the base image, when known.
    pub layers: Option<usize>,
    /// The base image's name, when known.
    pub name: Option<String>,
    /// The base image's digest, when known.
    pub digest: Option<String>,
    /// What the decision rests on, in a sentence.
    pub reason: String,
}

impl BaseDecision {
    /// The origin of layer `i`.
    pub fn origin(&self, i: usize) -> Origin {
        match self.layers {
            Some(n) if i < n => Origin::Base,
            Some(_) => Origin::Authored,
            None => Origin::Unknown,
        }
    }
}

/// What the user and the image say about the base.
#[derive(Debug, Clone, Default)]
pub struct Evidence<'a> {
    /// Our layers' diff_ids, bottom first.
    pub diff_ids: &'a [Option<String>],
    /// The config's full history, empty steps included.
    pub history: &'a [History],
    /// Manifest annotations.
    pub annotations: Option<&'a BTreeMap<String, String>>,
    /// The config's labels: where builders that cannot annotate the manifest (buildah's
    /// `--label`, a Dockerfile's `LABEL`) name the base, read when the annotations do not.
    pub labels: Option<&'a BTreeMap<String, String>>,
    /// `--base-layers N`: at most the image's layers (the pipeline refuses more before it
    /// decides, `BaseHints::check_layers`); a larger count is passed over.
    pub base_layers: Option<usize>,
    /// `--base-image IMAGE`: its name and diff_ids.
    pub base_image: Option<(String, Vec<String>)>,
    /// `--dockerfile FILE`: its path and parsed content.
    pub dockerfile: Option<(&'a str, &'a Dockerfile)>,
}

const ANN_BASE_NAME: &str = "org.opencontainers.image.base.name";
const ANN_BASE_DIGEST: &str = "org.opencontainers.image.base.digest";

/// Decides which bottom layers are the base image. Problems with what the user gave are
/// returned as findings, and the next method is tried.
pub fn decide(ev: &Evidence) -> (BaseDecision, Vec<Finding>) {
    let mut findings = Vec::new();
    let layers = ev.diff_ids.len();
    let annotated = ev
        .annotations
        .is_some_and(|a| a.contains_key(ANN_BASE_NAME) || a.contains_key(ANN_BASE_DIGEST));
    let (named_by, named) = match annotated {
        true => ("the manifest names", ev.annotations),
        false => ("the image's labels name", ev.labels),
    };
    let ann_name = named.and_then(|a| a.get(ANN_BASE_NAME)).cloned();
    let ann_digest = named.and_then(|a| a.get(ANN_BASE_DIGEST)).cloned();
    if let Some((name, base)) = &ev.base_image {
        let prefix = base.len() <= layers
            && base
                .iter()
                .zip(ev.diff_ids)
                .all(|(b, ours)| ours.as_deref() == Some(b.as_str()));
        if prefix {
            return (
                BaseDecision {
                    method: "base-image",
                    layers: Some(base.len()),
                    name: Some(name.clone()),
                    digest: ann_digest,
                    reason: format!(
                        "the {} layers of {name} are the bottom layers of this image",
                        base.len()
                    ),
                },
                findings,
            );
        }
        findings.push(Finding::new(FindingKind::BaseImageMismatch {
            image: name.clone(),
        }));
    }
    if let Some(n) = ev.base_layers.filter(|&n| n <= layers) {
        return (
            BaseDecision {
                method: "flag",
                layers: Some(n),
                name: ann_name,
                digest: ann_digest,
                reason: format!("--base-layers {n}"),
            },
            findings,
        );
    }
    if let Some((path, df)) = ev.dockerfile {
        match dockerfile_boundary(ev.history, layers, df) {
            Ok((n, why)) => {
                return (
                    BaseDecision {
                        method: "dockerfile",
                        layers: Some(n),
                        name: df.final_base().map(str::to_string).or(ann_name),
                        digest: ann_digest,
                        reason: format!("{path}: {why}"),
                    },
                    findings,
                )
            }
            Err(why) => findings.push(Finding::new(FindingKind::DockerfileMismatch {
                path: path.to_string(),
                why: why.to_string(),
            })),
        }
    }
    let from_history = history_boundary(ev.history, layers);
    if ann_name.is_some() || ann_digest.is_some() {
        let what = ann_name.clone().or(ann_digest.clone()).unwrap_or_default();
        return (
            BaseDecision {
                method: "annotation",
                layers: from_history.as_ref().map(|(n, _)| *n),
                name: ann_name,
                digest: ann_digest,
                reason: match &from_history {
                    Some((n, why)) => format!("{named_by} the base {what}; {} by the history: {why}", crate::model::plural(*n, "layer", "layers")),
                    None => format!("{named_by} the base {what}; the history does not tell how many layers it has"),
                },
            },
            findings,
        );
    }
    if let Some((n, why)) = from_history {
        return (
            BaseDecision {
                method: "history",
                layers: Some(n),
                name: None,
                digest: None,
                reason: why,
            },
            findings,
        );
    }
    (
        BaseDecision {
            method: "none",
            layers: None,
            name: None,
            digest: None,
            reason: "nothing tells where the base image ends; give --base-image or --base-layers"
                .into(),
        },
        findings,
    )
}

/// Text squeezed for comparison: no whitespace, no line-continuation backslashes.
fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\\')
        .collect()
}

/// Whether a layer-making instruction is the one a history step records. BuildKit writes
/// `RUN /bin/sh -c CMD # buildkit` and `COPY SRC DST # buildkit`; the classic builder
/// writes `/bin/sh -c CMD` and `/bin/sh -c #(nop) COPY file:… in DST`.
fn instruction_matches(ins: &Instruction, step: &str) -> bool {
    let squeezed = squeeze(step);
    match ins.keyword.as_str() {
        "RUN" => {
            // RUN flags (--mount=…, --network=…) come first and are not recorded.
            let cmd = ins
                .args
                .split_whitespace()
                .skip_while(|w| w.starts_with("--"))
                .collect::<Vec<_>>()
                .join(" ");
            let key: String = squeeze(&cmd).chars().take(48).collect();
            (step.contains("RUN") || step.contains("/bin/sh -c"))
                && !key.is_empty()
                && squeezed.contains(&key)
        }
        "COPY" | "ADD" => {
            let dest = ins
                .args
                .split_whitespace()
                .last()
                .unwrap_or_default()
                .trim_end_matches('/');
            (step.contains("COPY") || step.contains("ADD")) && squeezed.contains(&squeeze(dest))
        }
        "WORKDIR" => step.contains("WORKDIR"),
        _ => false,
    }
}

/// Why a Dockerfile does not tell where the base image ends in this image's history.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DockerfileMismatch {
    /// The history does not record one step for every layer, so steps cannot be counted.
    #[error("the history records {steps} layer steps for {layers} layers")]
    StepCount {
        /// The layer-making steps the history records.
        steps: usize,
        /// The image's layers.
        layers: usize,
    },
    /// The Dockerfile has no stage.
    #[error("no stage")]
    NoStage,
    /// A layer-making instruction of the final stage is not the history step at its place.
    #[error("line {line}: {keyword} {args} is not history step {step:?}")]
    NotStep {
        /// The instruction's line.
        line: usize,
        /// Its keyword.
        keyword: String,
        /// Its arguments.
        args: String,
        /// The step's `created_by`.
        step: String,
    },
    /// The final stage makes more layers than the image has.
    #[error("line {line}: {keyword} has no layer left to match")]
    NoLayerLeft {
        /// The instruction's line.
        line: usize,
        /// Its keyword.
        keyword: String,
    },
}

/// The base boundary by the Dockerfile: the final stage's layer-making instructions,
/// matched from the top of the history down. `WORKDIR` may or may not have made a layer.
fn dockerfile_boundary(
    history: &[History],
    layers: usize,
    df: &Dockerfile,
) -> Result<(usize, String), DockerfileMismatch> {
    let steps: Vec<&History> = history.iter().filter(|h| !h.empty_layer).collect();
    if steps.len() != layers {
        return Err(DockerfileMismatch::StepCount {
            steps: steps.len(),
            layers,
        });
    }
    let stage = df.final_stage().ok_or(DockerfileMismatch::NoStage)?;
    let makers: Vec<&Instruction> = stage
        .instructions
        .iter()
        .filter(|i| matches!(i.keyword.as_str(), "RUN" | "COPY" | "ADD" | "WORKDIR"))
        .collect();
    let mut top = steps.len();
    let mut matched = 0;
    for ins in makers.iter().rev() {
        let step = top
            .checked_sub(1)
            .and_then(|t| steps[t].created_by.as_deref());
        match step {
            Some(s) if instruction_matches(ins, s) => {
                top -= 1;
                matched += 1;
            }
            _ if ins.keyword == "WORKDIR" => {}
            Some(s) => {
                return Err(DockerfileMismatch::NotStep {
                    line: ins.line,
                    keyword: ins.keyword.clone(),
                    args: ins.args.clone(),
                    step: s.to_string(),
                })
            }
            None => {
                return Err(DockerfileMismatch::NoLayerLeft {
                    line: ins.line,
                    keyword: ins.keyword.clone(),
                })
            }
        }
    }
    Ok((
        top,
        format!(
            "the final stage (FROM {} at line {}) made the top {matched} layers",
            stage.from, stage.line
        ),
    ))
}

/// Whether a history step sets the default command (`CMD`, `ENTRYPOINT`).
fn is_command_step(h: &History) -> bool {
    let Some(c) = h.created_by.as_deref() else {
        return false;
    };
    let c = c.trim_start();
    let c = c.strip_prefix("/bin/sh -c ").unwrap_or(c).trim_start();
    let c = c.strip_prefix("#(nop)").unwrap_or(c).trim_start();
    c.starts_with("CMD ") || c.starts_with("ENTRYPOINT ") || c == "CMD" || c == "ENTRYPOINT"
}

/// The base boundary by the history: the last empty `CMD`/`ENTRYPOINT` step after which
/// layers were still made. Returns the number of layers before it and the reason.
fn history_boundary(history: &[History], layers: usize) -> Option<(usize, String)> {
    let made = history.iter().filter(|h| !h.empty_layer).count();
    if made != layers || layers == 0 {
        return None;
    }
    let mut best = None;
    let mut below = 0;
    for (j, h) in history.iter().enumerate() {
        if !h.empty_layer {
            below += 1;
            continue;
        }
        let more_after = history[j + 1..].iter().any(|x| !x.empty_layer);
        if is_command_step(h) && more_after && below > 0 {
            best = Some((below, j));
        }
    }
    best.map(|(n, j)| {
        let step = history[j].created_by.clone().unwrap_or_default();
        (
            n,
            format!("history step {j} ({}) ends the base image", step.trim()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(created_by: &str, empty: bool) -> History {
        History {
            created_by: Some(created_by.into()),
            empty_layer: empty,
            ..History::default()
        }
    }

    fn ids(n: usize) -> Vec<Option<String>> {
        (0..n).map(|i| Some(format!("sha256:{i}"))).collect()
    }

    /// debian:bookworm history, then our Dockerfile (which ends with its own CMD).
    fn debian_then_ours() -> Vec<History> {
        vec![
            step("/bin/sh -c #(nop) ADD file:abc in / ", false),
            step("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
            step(
                "RUN /bin/sh -c apt-get update && apt-get install -y jq # buildkit",
                false,
            ),
            step("COPY app /opt/app # buildkit", false),
            step("CMD [\"/opt/app/run\"]", true),
        ]
    }

    #[test]
    fn the_base_ends_at_its_cmd() {
        let h = debian_then_ours();
        let d = ids(3);
        let (b, _) = decide(&Evidence {
            diff_ids: &d,
            history: &h,
            ..Evidence::default()
        });
        assert_eq!(b.method, "history");
        assert_eq!(b.layers, Some(1));
        assert_eq!(b.origin(0), Origin::Base);
        assert_eq!(b.origin(2), Origin::Authored);
        assert!(b.reason.contains("CMD"), "{}", b.reason);
    }

    #[test]
    fn a_final_cmd_alone_tells_nothing() {
        let h = vec![step("ADD rootfs /", false), step("CMD [\"sh\"]", true)];
        let d = ids(1);
        let (b, _) = decide(&Evidence {
            diff_ids: &d,
            history: &h,
            ..Evidence::default()
        });
        assert_eq!(b.method, "none");
        assert_eq!(b.origin(0), Origin::Unknown);
    }

    #[test]
    fn the_base_image_flag_wins_when_it_is_a_prefix() {
        let h = debian_then_ours();
        let d = ids(3);
        let ev = Evidence {
            diff_ids: &d,
            history: &h,
            base_image: Some((
                "debian:12".into(),
                vec!["sha256:0".into(), "sha256:1".into()],
            )),
            ..Evidence::default()
        };
        let (b, f) = decide(&ev);
        assert_eq!((b.method, b.layers), ("base-image", Some(2)));
        assert!(f.is_empty());
    }

    #[test]
    fn a_base_image_that_is_not_a_prefix_is_reported_and_skipped() {
        let h = debian_then_ours();
        let d = ids(3);
        let ev = Evidence {
            diff_ids: &d,
            history: &h,
            base_image: Some(("alpine".into(), vec!["sha256:9".into()])),
            ..Evidence::default()
        };
        let (b, f) = decide(&ev);
        assert_eq!(b.method, "history");
        assert_eq!(
            f[0].kind,
            FindingKind::BaseImageMismatch {
                image: "alpine".into()
            }
        );
    }

    #[test]
    fn annotations_name_the_base_and_history_counts_it() {
        let h = debian_then_ours();
        let d = ids(3);
        let mut a = BTreeMap::new();
        a.insert(
            ANN_BASE_NAME.to_string(),
            "docker.io/library/debian:bookworm".to_string(),
        );
        let (b, _) = decide(&Evidence {
            diff_ids: &d,
            history: &h,
            annotations: Some(&a),
            ..Evidence::default()
        });
        assert_eq!(b.method, "annotation");
        assert_eq!(b.layers, Some(1));
        assert_eq!(b.name.as_deref(), Some("docker.io/library/debian:bookworm"));
        assert!(
            b.reason.starts_with("the manifest names the base"),
            "{}",
            b.reason
        );

        // The same as a label of the config, when the manifest says nothing.
        let none = BTreeMap::new();
        let (b, _) = decide(&Evidence {
            diff_ids: &d,
            history: &h,
            annotations: Some(&none),
            labels: Some(&a),
            ..Evidence::default()
        });
        assert_eq!(b.method, "annotation");
        assert_eq!(b.name.as_deref(), Some("docker.io/library/debian:bookworm"));
        assert!(
            b.reason.starts_with("the image's labels name the base"),
            "{}",
            b.reason
        );
    }

    #[test]
    fn the_dockerfile_final_stage_matches_the_top_layers() {
        let h = debian_then_ours();
        let d = ids(3);
        let df = crate::dockerfile::parse(
            "FROM golang AS build\nRUN go build\nFROM debian:bookworm\nWORKDIR /opt\nRUN apt-get update && \\\n    apt-get install -y jq\nCOPY app /opt/app\nCMD [\"/opt/app/run\"]\n",
        )
        .unwrap();
        let (b, f) = decide(&Evidence {
            diff_ids: &d,
            history: &h,
            dockerfile: Some(("Dockerfile", &df)),
            ..Evidence::default()
        });
        assert!(f.is_empty(), "{f:?}");
        assert_eq!((b.method, b.layers), ("dockerfile", Some(1)));
        assert_eq!(b.name.as_deref(), Some("debian:bookworm"));
    }

    #[test]
    fn a_dockerfile_of_another_image_is_reported() {
        let h = debian_then_ours();
        let d = ids(3);
        let df = crate::dockerfile::parse("FROM alpine\nRUN apk add curl\n").unwrap();
        let (b, f) = decide(&Evidence {
            diff_ids: &d,
            history: &h,
            dockerfile: Some(("Dockerfile", &df)),
            ..Evidence::default()
        });
        assert_eq!(b.method, "history");
        assert_eq!(f[0].kind.name(), "dockerfile-mismatch");
        assert!(f[0].message().contains("line 2"), "{}", f[0].message());
    }

    #[test]
    fn the_layer_count_flag() {
        let d = ids(3);
        let (b, _) = decide(&Evidence {
            diff_ids: &d,
            base_layers: Some(2),
            ..Evidence::default()
        });
        assert_eq!((b.method, b.layers), ("flag", Some(2)));
        let (b, f) = decide(&Evidence {
            diff_ids: &d,
            base_layers: Some(5),
            ..Evidence::default()
        });
        assert_eq!(b.method, "none");
        assert!(f.is_empty());
    }
}
