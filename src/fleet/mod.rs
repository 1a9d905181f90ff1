//! Fleets: many images scanned as one job, spread over the job engines that already run
//! (a Kubernetes Indexed Job, a CI matrix) with no coordinator of our own.
//!
//! [`list`] reads the list of images and takes one shard of it (`--shard I/N`, by a stable
//! hash of each entry, so N processes split a fleet without talking to each other);
//! [`names`] names each image's documents under the output directory, safely whatever the
//! image calls itself; [`batch`] scans the entries with bounded parallelism, writes their
//! documents and reports each entry's fate. The processes of a fleet share the PostgreSQL
//! layer cache ([`crate::cache`]), and may write every image into an [`inventory`] in
//! PostgreSQL, which [`query`] asks about the fleet and [`report`] shows whole.

pub mod batch;
pub mod inventory;
pub mod list;
pub mod names;
pub mod query;
pub mod report;
pub mod version;

use crate::model::bom::Decision;

/// The verdict's name, as the documents write it (`approve`, `needs review`, `blocked`).
pub fn decision_name(d: Decision) -> String {
    match serde_json::to_value(d) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
