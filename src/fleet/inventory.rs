//! The fleet inventory: every image a batch scans, in PostgreSQL tables that answer
//! questions about the whole fleet ("which images ship busybox 1.35 from a base layer?",
//! "which source packages do we owe for these images?").
//!
//! docs/inventory.md documents the tables ([`SCHEMA`]) and gives SQL for the questions
//! `layerbom query` does not ask. An image is keyed by its manifest digest (else its
//! config digest, else the SHA-256 of the list entry); each is written in one transaction
//! that first deletes the image's rows, so a rescan of the same digest replaces them, and a
//! process that dies halfway leaves the image as it was before. References (the names an
//! image was listed under) point to the image they last resolved to.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use postgres::{Client, Config};
use sha2::{Digest, Sha256};

use crate::cache::postgres::{failed, open, without_password};
use crate::model::obligations::Delivery;
use crate::model::Bom;

/// The tables, made on first use (`CREATE … IF NOT EXISTS`).
pub const SCHEMA: &str = "\
CREATE TABLE IF NOT EXISTS fleet_images (
    image            text PRIMARY KEY,
    manifest_digest  text,
    config_digest    text,
    platform         text,
    os               text,
    base_method      text NOT NULL,
    base_name        text,
    base_digest      text,
    base_layers      integer,
    delivery         text NOT NULL,
    verdict          text NOT NULL,
    packages         integer NOT NULL,
    layerbom_version text NOT NULL
);
CREATE TABLE IF NOT EXISTS fleet_references (
    reference  text PRIMARY KEY,
    image      text NOT NULL REFERENCES fleet_images (image) DEFERRABLE INITIALLY DEFERRED,
    registry   text,
    repository text,
    tag        text
);
CREATE TABLE IF NOT EXISTS fleet_layers (
    image      text NOT NULL REFERENCES fleet_images (image) ON DELETE CASCADE,
    position   integer NOT NULL,
    diff_id    text,
    digest     text,
    media_type text,
    size       bigint NOT NULL,
    origin     text NOT NULL,
    created_by text,
    PRIMARY KEY (image, position)
);
CREATE TABLE IF NOT EXISTS fleet_packages (
    image            text NOT NULL REFERENCES fleet_images (image) ON DELETE CASCADE,
    position         integer NOT NULL,
    type             text NOT NULL,
    name             text NOT NULL,
    version          text NOT NULL,
    arch             text,
    purl             text NOT NULL,
    layer            integer NOT NULL,
    origin           text NOT NULL,
    license_declared text,
    license          text NOT NULL,
    category         text NOT NULL,
    source_name      text NOT NULL,
    source_version   text NOT NULL,
    source_commit    text,
    source_duties    text[] NOT NULL,
    obtain_command   text,
    obtain_url       text,
    obtain_file      text,
    PRIMARY KEY (image, position)
);
CREATE INDEX IF NOT EXISTS fleet_packages_name ON fleet_packages (name);
CREATE INDEX IF NOT EXISTS fleet_packages_source ON fleet_packages (source_name, source_version);
CREATE TABLE IF NOT EXISTS fleet_violations (
    image    text NOT NULL REFERENCES fleet_images (image) ON DELETE CASCADE,
    position integer NOT NULL,
    package  text NOT NULL,
    version  text NOT NULL,
    layer    integer NOT NULL,
    origin   text NOT NULL,
    license  text NOT NULL,
    category text NOT NULL,
    rule     text NOT NULL,
    reason   text NOT NULL,
    PRIMARY KEY (image, position)
);
";

/// The advisory lock the processes of a fleet take to make the tables one at a time.
const SCHEMA_LOCK: i64 = 0x6c61_7965_7262_6f6d; // "layerbom"

/// How long connecting may take when the URL does not say (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection to the inventory.
pub struct Inventory {
    client: Mutex<Client>,
    shown: String,
}

/// The key of the image of `report`, scanned from the list entry `entry`.
pub fn image_key(report: &crate::model::Report, entry: &str) -> String {
    let image = &report.image;
    match image
        .manifest_digest
        .as_ref()
        .or(image.config_digest.as_ref())
    {
        Some(d) => d.clone(),
        None => {
            let hex: String = Sha256::digest(entry.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            format!("entry:sha256:{hex}")
        }
    }
}

/// A count or index as PostgreSQL's `integer` (a larger one is the largest).
fn int(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl Inventory {
    /// Connects to the inventory at `url` (`postgres://…`) and makes its tables when they
    /// are not there. Errors name the database without its password.
    pub fn connect(url: &str) -> Result<Inventory, String> {
        let shown = without_password(url);
        let mut config = Config::from_str(url)
            .map_err(|e| format!("the inventory: {shown} is not a PostgreSQL URL: {e}"))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("layerbom");
        let mut client =
            open(&config).map_err(|e| format!("the inventory: cannot connect to {shown}: {e}"))?;
        let made = (|| {
            let mut tx = client.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
            tx.batch_execute(SCHEMA)?;
            tx.commit()
        })();
        made.map_err(|e| {
            format!(
                "the inventory {shown}: cannot make its tables: {}",
                failed(e)
            )
        })?;
        Ok(Inventory {
            client: Mutex::new(client),
            shown,
        })
    }

    /// The database, without its password.
    pub fn describe(&self) -> &str {
        &self.shown
    }

    fn client(&self) -> Result<std::sync::MutexGuard<'_, Client>, String> {
        self.client
            .lock()
            .map_err(|_| format!("the inventory {}: the connection is unusable", self.shown))
    }

    /// Writes the image of `bom`, listed as `entry`, replacing its rows, in one
    /// transaction.
    pub fn record(&self, bom: &Bom, entry: &str) -> Result<(), String> {
        let mut client = self.client()?;
        let key = image_key(&bom.report, entry);
        write_image(&mut client, bom, entry, &key)
            .map_err(|e| format!("the inventory {}: {}: {}", self.shown, key, failed(e)))
    }

    /// Runs `query` with `params` and returns its rows.
    pub(crate) fn rows(
        &self,
        query: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, String> {
        self.client()?
            .query(query, params)
            .map_err(|e| format!("the inventory {}: {}", self.shown, failed(e)))
    }
}

fn write_image(
    client: &mut Client,
    bom: &Bom,
    entry: &str,
    key: &str,
) -> Result<(), postgres::Error> {
    let report = &bom.report;
    let image = &report.image;
    let mut tx = client.transaction()?;
    // Writers of one image wait for each other: the second replaces the first's rows.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        &[&key],
    )?;
    tx.execute("DELETE FROM fleet_images WHERE image = $1", &[&key])?;
    let verdict = super::decision_name(bom.verdict.decision);
    tx.execute(
        "INSERT INTO fleet_images (image, manifest_digest, config_digest, platform, os, \
         base_method, base_name, base_digest, base_layers, delivery, verdict, packages, \
         layerbom_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            &key,
            &image.manifest_digest,
            &image.config_digest,
            &image.platform.as_ref().map(ToString::to_string),
            &image.os.as_ref().map(|o| match &o.version_id {
                Some(v) => format!("{} {v}", o.id),
                None => o.id.clone(),
            }),
            &report.base.method,
            &report.base.name,
            &report.base.digest,
            &report.base.layers.map(int),
            &bom.obligations.delivery.mode.as_str(),
            &verdict,
            &int(report.packages.len()),
            &bom.tool_version,
        ],
    )?;
    let layer = tx.prepare(
        "INSERT INTO fleet_layers (image, position, diff_id, digest, media_type, size, origin, \
         created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )?;
    for l in &report.layers {
        tx.execute(
            &layer,
            &[
                &key,
                &int(l.index),
                &l.diff_id,
                &l.digest,
                &l.media_type,
                &i64::try_from(l.size).unwrap_or(i64::MAX),
                &l.origin.as_str(),
                &l.created_by,
            ],
        )?;
    }
    // What each package asks when it is distributed: the obligations of shipping the whole
    // image, whatever the delivery the batch was run for, so a query chooses the delivery.
    let all = crate::obligations::evaluate(report, Delivery::Image);
    let asks: HashMap<(&str, usize), &crate::model::obligations::PackageObligation> = all
        .packages
        .iter()
        .map(|p| ((p.purl.as_str(), p.layer), p))
        .collect();
    let package = tx.prepare(
        "INSERT INTO fleet_packages (image, position, type, name, version, arch, purl, layer, \
         origin, license_declared, license, category, source_name, source_version, \
         source_commit, source_duties, obtain_command, obtain_url, obtain_file) VALUES ($1, \
         $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
    )?;
    for (i, p) in report.packages.iter().enumerate() {
        let obligation = asks.get(&(p.purl.as_str(), p.layer.index));
        let category = obligation.map_or("unknown", |o| o.category.as_str());
        let source_duties: Vec<String> = obligation
            .map(|o| {
                o.duties
                    .iter()
                    .filter(|d| crate::obligations::db().is_source_duty(d))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        tx.execute(
            &package,
            &[
                &key,
                &int(i),
                &p.kind,
                &p.name,
                &p.version,
                &p.arch,
                &p.purl,
                &int(p.layer.index),
                &p.origin.as_str(),
                &p.license.declared,
                &p.license.concluded.as_str(),
                &category,
                &p.offer.name,
                &p.offer.version,
                &p.offer.commit,
                &source_duties,
                &p.offer.obtain.command,
                &p.offer.obtain.url,
                &p.offer.obtain.file,
            ],
        )?;
    }
    let violation = tx.prepare(
        "INSERT INTO fleet_violations (image, position, package, version, layer, origin, \
         license, category, rule, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )?;
    for (i, v) in bom.violations.iter().enumerate() {
        tx.execute(
            &violation,
            &[
                &key,
                &int(i),
                &v.package,
                &v.version,
                &int(v.layer),
                &v.origin.as_str(),
                &v.license,
                &v.category.as_str(),
                &v.rule,
                &v.reason,
            ],
        )?;
    }
    let (registry, repository, tag) = match &image.registry {
        Some(r) => {
            let (host, repo) = r
                .repository_url
                .split_once('/')
                .unwrap_or(("", r.repository_url.as_str()));
            (Some(host), Some(repo), r.tag.as_deref())
        }
        None => (None, None, None),
    };
    tx.execute(
        "INSERT INTO fleet_references (reference, image, registry, repository, tag) VALUES \
         ($1, $2, $3, $4, $5) ON CONFLICT (reference) DO UPDATE SET image = excluded.image, \
         registry = excluded.registry, repository = excluded.repository, tag = excluded.tag",
        &[&entry, &key, &registry, &repository, &tag],
    )?;
    tx.commit()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_documented_schema_is_the_schema() {
        let doc = include_str!("../../docs/inventory.md");
        assert!(
            doc.contains(super::SCHEMA.trim_end()),
            "docs/inventory.md must hold SCHEMA as it is"
        );
    }
}
