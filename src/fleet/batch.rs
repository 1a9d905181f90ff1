//! `layerbom batch`: many images scanned by one process, each image's documents written
//! under one directory, a failing image reported and passed over.
//!
//! At most `jobs` images are scanned at once (each scan reads its layers in parallel
//! besides). Every document is written to a new file and renamed into place once complete,
//! so a process killed halfway leaves whole documents or none, never half of one; a rerun
//! writes them again. The summary ([`Summary`]) says per entry what became of it, in the
//! order of the list, and is written as JSON beside the documents.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::Serialize;

use super::list::{Entry, Shard};
use super::names::{extension, Identity, NameTemplate};
use crate::error::one_line;
use crate::model::obligations::Delivery;
use crate::model::Bom;
use crate::obligations::policy::Policy;
use crate::pipeline::{self, BaseHints, Options};
use crate::render::{self, Renderer};

/// The schema the summary names.
pub const SUMMARY_SCHEMA: &str = "layerbom-batch/v1";

/// What a batch keeps in memory of the layer cache's entries once read back, in bytes of
/// their bodies ([`crate::cache::Cache::remember`]): the bench's debian-app base (three
/// layers, 380 MB of files) takes 4.4 MB, so a batch over images built on a dozen such bases
/// reads and decodes each base layer once.
pub const MEMORY: u64 = 64 << 20;

/// One document to write for every image: its format and its name.
pub struct Document {
    /// The format.
    pub format: &'static dyn Renderer,
    /// Its name under the output directory.
    pub name: NameTemplate,
}

/// What is written for every image, and how.
pub struct Settings<'a> {
    /// How images are read (the layer cache, registries, bounds); progress bars off.
    pub scan: &'a Options,
    /// What says which layers are the base.
    pub base: &'a BaseHints,
    /// How the images are shipped.
    pub delivery: Delivery,
    /// `--fail-on` and `--deny`.
    pub policy: &'a Policy,
    /// The reviewers' decisions and the approved base images.
    pub decisions: &'a pipeline::Decisions,
    /// `SOURCE_DATE_EPOCH`, when set.
    pub epoch: Option<&'a str>,
    /// The templates the renderers use.
    pub render: &'a render::Options,
    /// The documents of each image.
    pub documents: &'a [Document],
    /// Where they go.
    pub out_dir: &'a Path,
    /// The most images scanned at once.
    pub jobs: usize,
    /// Say on standard error as each image is done.
    pub progress: bool,
    /// The inventory each image is written into, when there is one.
    pub inventory: Option<&'a super::inventory::Inventory>,
}

/// What became of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Scanned, its documents written.
    Done,
    /// Scanned, its documents written, and a distributed package matches the policy.
    Policy,
    /// Not scanned, or its documents not written: see its error.
    Failed,
}

/// One entry of the list, scanned or not.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The entry's line in the list.
    pub line: usize,
    /// The entry as listed.
    pub entry: String,
    /// What became of it.
    pub status: Status,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The digest of the image's manifest, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// The digest of the image's config, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    /// The report's verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    /// The distributed packages the policy matched, one line each.
    pub violations: Vec<String>,
    /// How many packages the image holds.
    pub packages: usize,
    /// The documents written, relative to the output directory.
    pub documents: Vec<String>,
}

/// What a batch did, entry by entry in the list's order.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// [`SUMMARY_SCHEMA`].
    pub schema: &'static str,
    /// The shard this process took, when the list was sharded.
    pub shard: Option<Shard>,
    /// The delivery mode the images were judged for.
    pub delivery: Delivery,
    /// How many entries the list holds (each once).
    pub listed: usize,
    /// How many of them this process took.
    pub selected: usize,
    /// How many were done without a policy match.
    pub done: usize,
    /// How many matched the policy.
    pub policy: usize,
    /// How many failed.
    pub failed: usize,
    /// Every entry taken.
    pub entries: Vec<Outcome>,
}

impl Summary {
    /// The exit code: 2 when an entry failed, else 1 when one matched the policy, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.failed > 0 {
            2
        } else if self.policy > 0 {
            1
        } else {
            0
        }
    }

    /// The summary's file name in the output directory: `batch-summary.json`, or
    /// `batch-summary-I-of-N.json` for a shard, so that shards sharing the directory keep
    /// theirs.
    pub fn file_name(shard: Option<Shard>) -> String {
        match shard {
            Some(s) => format!("batch-summary-{}-of-{}.json", s.index, s.count),
            None => "batch-summary.json".into(),
        }
    }

    /// Writes the summary as JSON to `path`, replacing it once complete.
    pub fn write_json(&self, path: &Path) -> std::io::Result<()> {
        crate::output::write_replacing(path, |w| {
            serde_json::to_writer_pretty(&mut *w, self).map_err(std::io::Error::from)?;
            writeln!(w)
        })
    }

    /// Writes the summary for people: the counts, then each failed entry and its error.
    pub fn write_text(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let shard = self
            .shard
            .map(|s| format!(" (shard {s} of {} listed)", self.listed))
            .unwrap_or_default();
        writeln!(
            w,
            "layerbom: batch: {} image{}{shard}: {} done, {} matched the policy, {} failed",
            self.selected,
            if self.selected == 1 { "" } else { "s" },
            self.done,
            self.policy,
            self.failed
        )?;
        for o in &self.entries {
            if let Some(e) = &o.error {
                writeln!(w, "  line {}: {e}", o.line)?;
            }
        }
        Ok(())
    }
}

/// Scans the entries `shard` takes (every entry without one) and writes their documents:
/// at most `settings.jobs` at once, each failure kept in its outcome.
pub fn run(entries: &[Entry], shard: Option<Shard>, settings: &Settings) -> Summary {
    let taken: Vec<&Entry> = entries
        .iter()
        .filter(|e| shard.is_none_or(|s| s.takes(&e.text)))
        .collect();
    let outcomes: Vec<Mutex<Option<Outcome>>> = taken.iter().map(|_| Mutex::new(None)).collect();
    let claimed: Mutex<HashMap<PathBuf, usize>> = Mutex::new(HashMap::new());
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let workers = settings.jobs.clamp(1, taken.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(entry) = taken.get(i) else { break };
                let outcome = one(entry, settings, &claimed);
                let n = finished.fetch_add(1, Ordering::Relaxed) + 1;
                if settings.progress {
                    tell(&outcome, n, taken.len());
                }
                if let Ok(mut slot) = outcomes[i].lock() {
                    *slot = Some(outcome);
                }
            });
        }
    });
    let listed = entries.len();
    let outcomes: Vec<Outcome> = outcomes
        .into_iter()
        .zip(&taken)
        .map(|(slot, entry)| {
            slot.into_inner().ok().flatten().unwrap_or_else(|| {
                failed(entry, "the scan of this entry stopped abnormally".into())
            })
        })
        .collect();
    let count = |s: Status| outcomes.iter().filter(|o| o.status == s).count();
    Summary {
        schema: SUMMARY_SCHEMA,
        shard,
        delivery: settings.delivery,
        listed,
        selected: taken.len(),
        done: count(Status::Done),
        policy: count(Status::Policy),
        failed: count(Status::Failed),
        entries: outcomes,
    }
}

/// The outcome of an entry that failed with `error`.
fn failed(entry: &Entry, error: String) -> Outcome {
    Outcome {
        line: entry.line,
        entry: entry.text.clone(),
        status: Status::Failed,
        error: Some(error),
        manifest_digest: None,
        config_digest: None,
        verdict: None,
        violations: Vec::new(),
        packages: 0,
        documents: Vec::new(),
    }
}

/// Scans one entry and writes its documents; a panic of the scan is that entry's failure.
fn one(entry: &Entry, settings: &Settings, claimed: &Mutex<HashMap<PathBuf, usize>>) -> Outcome {
    if let Some(why) = &entry.unusable {
        return failed(entry, format!("{}: {why}", one_line(&entry.text)));
    }
    let scanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pipeline::scan(Path::new(&entry.text), settings.scan, settings.base)
    }));
    let report = match scanned {
        Ok(Ok(report)) => report,
        Ok(Err(e)) => return failed(entry, one_line(&e.to_string())),
        Err(_) => return failed(entry, "the scan stopped on an internal error".into()),
    };
    let id = Identity::of(&report, &entry.text);
    let bom = pipeline::bom_with_policy(
        report,
        settings.delivery,
        settings.policy,
        settings.decisions,
        settings.epoch,
    );
    let mut outcome = Outcome {
        line: entry.line,
        entry: entry.text.clone(),
        status: match bom.policy_failed() {
            false => Status::Done,
            true => Status::Policy,
        },
        error: None,
        manifest_digest: bom.report.image.manifest_digest.clone(),
        config_digest: bom.report.image.config_digest.clone(),
        verdict: Some(super::decision_name(bom.verdict.decision)),
        violations: bom.policy_matches().iter().map(|m| one_line(m)).collect(),
        packages: bom.report.packages.len(),
        documents: Vec::new(),
    };
    let written =
        write_documents(&bom, &id, entry.line, settings, claimed, &mut outcome).and_then(|()| {
            settings
                .inventory
                .map_or(Ok(()), |inv| inv.record(&bom, &entry.text))
        });
    if let Err(e) = written {
        outcome.status = Status::Failed;
        outcome.error = Some(format!("{}: {e}", one_line(&entry.text)));
    }
    outcome
}

/// Writes each document of `bom` under its name, each name claimed by one entry.
fn write_documents(
    bom: &Bom,
    id: &Identity,
    line: usize,
    settings: &Settings,
    claimed: &Mutex<HashMap<PathBuf, usize>>,
    outcome: &mut Outcome,
) -> Result<(), String> {
    for d in settings.documents {
        let name = d.name.render(id, extension(d.format.name()));
        {
            let mut claimed = claimed
                .lock()
                .map_err(|_| "the names of the batch cannot be checked".to_string())?;
            match claimed.get(&name) {
                Some(other) if *other != line => {
                    return Err(format!(
                        "{} is also the name of a document of line {other}: put {{digest12}} \
                         in the name template ({})",
                        name.display(),
                        d.name
                    ))
                }
                _ => {
                    claimed.insert(name.clone(), line);
                }
            }
        }
        let path = settings.out_dir.join(&name);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                crate::output::write_replacing(&path, |w| d.format.write(bom, settings.render, w))
            });
        written.map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        outcome.documents.push(name.to_string_lossy().into_owned());
    }
    Ok(())
}

/// Says on standard error that the `n`-th of `total` entries is done, and how.
fn tell(outcome: &Outcome, n: usize, total: usize) {
    let plural = |k: usize| if k == 1 { "" } else { "s" };
    let entry = one_line(&outcome.entry);
    match (outcome.status, &outcome.error) {
        // The error names the entry.
        (_, Some(e)) => eprintln!("layerbom: [{n}/{total}] failed: {e}"),
        (Status::Policy, None) => eprintln!(
            "layerbom: [{n}/{total}] {entry}: policy matched ({} match{})",
            outcome.violations.len(),
            match outcome.violations.len() {
                1 => "",
                _ => "es",
            }
        ),
        _ => eprintln!(
            "layerbom: [{n}/{total}] {entry}: done ({} package{})",
            outcome.packages,
            plural(outcome.packages)
        ),
    }
}
