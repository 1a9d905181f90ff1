//! `layerbom query`: the common questions about a fleet, asked of its inventory.
//!
//! Which images hold a package (in a version range, from a base or an authored layer),
//! which hold a license, and which source packages a set of images owes for a delivery
//! mode, each once with the images that need it. Other questions are SQL over the tables of
//! [`super::inventory`]; docs/inventory.md has examples.

use std::io::Write;

use serde::Serialize;

use super::inventory::Inventory;
use super::version::VersionRange;
use crate::model::obligations::Delivery;
use crate::model::Origin;
use crate::render::Escaping;

/// An image that holds a package (or a package under a license).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holding {
    /// The reference the image was listed under (its key when no reference names it).
    pub reference: String,
    /// The image's key (its manifest digest, else its config digest).
    pub image: String,
    /// Package type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Package name.
    pub name: String,
    /// Package version.
    pub version: String,
    /// The layer that put it there.
    pub layer: i32,
    /// That layer's origin.
    pub origin: String,
    /// The concluded license.
    pub license: String,
}

/// A source package owed, once, with the images whose distributed packages need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owed {
    /// Package type of its binaries.
    #[serde(rename = "type")]
    pub kind: String,
    /// Source package name.
    pub name: String,
    /// Its version (empty when the name says it all).
    pub version: String,
    /// The commit it was built from, when known.
    pub commit: Option<String>,
    /// The licenses of its binaries.
    pub licenses: Vec<String>,
    /// The source duties its binaries carry.
    pub duties: Vec<String>,
    /// A command that fetches it, when there is one.
    pub command: Option<String>,
    /// A URL for this exact version, when there is one.
    pub url: Option<String>,
    /// The images that need it (by reference).
    pub images: Vec<String>,
}

const HOLDING: &str = "SELECT coalesce(r.reference, i.image), i.image, p.type, p.name, \
     p.version, p.layer, p.origin, p.license FROM fleet_packages p JOIN fleet_images i ON \
     i.image = p.image LEFT JOIN fleet_references r ON r.image = i.image";

/// Holdings by reference and image, bytewise whatever the server's locale.
const HOLDING_ORDER: &str = "ORDER BY coalesce(r.reference, i.image) COLLATE \"C\", \
     i.image COLLATE \"C\", p.position";

fn holding(row: &postgres::Row) -> Holding {
    Holding {
        reference: row.get(0),
        image: row.get(1),
        kind: row.get(2),
        name: row.get(3),
        version: row.get(4),
        layer: row.get(5),
        origin: row.get(6),
        license: row.get(7),
    }
}

/// The images holding the package `name`, in `range` when given, from a layer of `origin`
/// when given.
pub fn package(
    inv: &Inventory,
    name: &str,
    range: Option<&VersionRange>,
    origin: Option<Origin>,
) -> Result<Vec<Holding>, String> {
    let rows = inv.rows(
        &format!(
            "{HOLDING} WHERE p.name = $1 AND ($2::text IS NULL OR p.origin = $2) {HOLDING_ORDER}"
        ),
        &[&name, &origin.map(Origin::as_str)],
    )?;
    Ok(rows
        .iter()
        .map(holding)
        .filter(|h| range.is_none_or(|r| r.contains(&h.version)))
        .collect())
}

/// The images holding a package whose concluded license names `id` (an SPDX id, in any
/// case; a bare family such as GPL-2.0 also matches its -only and -or-later forms and `+`).
pub fn license(inv: &Inventory, id: &str) -> Result<Vec<Holding>, String> {
    let pattern = format!(
        "%{}%",
        id.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let rows = inv.rows(
        &format!("{HOLDING} WHERE p.license ILIKE $1 {HOLDING_ORDER}"),
        &[&pattern],
    )?;
    Ok(rows
        .iter()
        .map(holding)
        .filter(|h| names_license(&h.license, id))
        .collect())
}

/// Whether the expression `expr` names the license `id` (see [`license`]).
pub fn names_license(expr: &str, id: &str) -> bool {
    let id = id.to_ascii_lowercase();
    expr.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')))
        .map(str::to_ascii_lowercase)
        .any(|t| {
            t == id
                || t.strip_prefix(id.as_str())
                    .is_some_and(|rest| matches!(rest, "-only" | "-or-later" | "+"))
        })
}

/// The source packages owed for the images whose reference matches one of `images` (globs
/// with `*`; every image when empty), shipped in `delivery` mode: each once, with the
/// images that need it.
pub fn owed(inv: &Inventory, delivery: Delivery, images: &[String]) -> Result<Vec<Owed>, String> {
    let origins: Vec<&str> = [Origin::Base, Origin::Authored, Origin::Unknown]
        .into_iter()
        .filter(|o| delivery.distributes(*o))
        .map(Origin::as_str)
        .collect();
    let patterns: Vec<String> = images.iter().map(|g| like(g)).collect();
    let rows = inv.rows(
        // Lists and rows in bytewise order whatever the server's locale, a missing commit
        // first: the order the fleet report made from documents has.
        "SELECT p.type, p.source_name, p.source_version, p.source_commit, \
         array_agg(DISTINCT p.license COLLATE \"C\" ORDER BY p.license COLLATE \"C\"), \
         array_agg(DISTINCT d COLLATE \"C\" ORDER BY d COLLATE \"C\"), \
         min(p.obtain_command), min(p.obtain_url), \
         array_agg(DISTINCT coalesce(r.reference, i.image) COLLATE \"C\" \
                   ORDER BY coalesce(r.reference, i.image) COLLATE \"C\") \
         FROM fleet_packages p JOIN fleet_images i ON i.image = p.image \
         LEFT JOIN fleet_references r ON r.image = i.image \
         CROSS JOIN LATERAL unnest(p.source_duties) d \
         WHERE p.origin = ANY($1) \
         AND (cardinality($2::text[]) = 0 OR coalesce(r.reference, i.image) LIKE ANY($2)) \
         GROUP BY 1, 2, 3, 4 \
         ORDER BY p.type COLLATE \"C\", p.source_name COLLATE \"C\", \
         p.source_version COLLATE \"C\", p.source_commit COLLATE \"C\" NULLS FIRST",
        &[&origins, &patterns],
    )?;
    Ok(rows
        .iter()
        .map(|row| Owed {
            kind: row.get(0),
            name: row.get(1),
            version: row.get(2),
            commit: row.get(3),
            licenses: row.get(4),
            duties: row.get(5),
            command: row.get(6),
            url: row.get(7),
            images: row.get(8),
        })
        .collect())
}

/// `base`, `authored` or `unknown`, as `--origin` takes it.
pub fn parse_origin(s: &str) -> Result<Origin, String> {
    [Origin::Base, Origin::Authored, Origin::Unknown]
        .into_iter()
        .find(|o| o.as_str() == s)
        .ok_or_else(|| format!("{s:?} is not an origin (base, authored, unknown)"))
}

/// A glob (`*` any text) as a LIKE pattern.
fn like(glob: &str) -> String {
    glob.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
        .replace('*', "%")
}

/// Writes holdings as a table.
pub fn write_holdings(rows: &[Holding], out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = Escaping::new(out);
    if rows.is_empty() {
        return writeln!(w, "No image holds it.");
    }
    writeln!(w, "IMAGE\tPACKAGE\tVERSION\tTYPE\tLAYER\tORIGIN\tLICENSE")?;
    for h in rows {
        writeln!(
            w,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            h.reference, h.name, h.version, h.kind, h.layer, h.origin, h.license
        )?;
    }
    Ok(())
}

/// Writes source packages owed as a table.
pub fn write_owed(rows: &[Owed], out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = Escaping::new(out);
    if rows.is_empty() {
        return writeln!(w, "No source package is owed.");
    }
    writeln!(w, "SOURCE\tVERSION\tTYPE\tLICENSES\tIMAGES\tOBTAIN")?;
    for o in rows {
        writeln!(
            w,
            "{}\t{}\t{}\t{}\t{}\t{}",
            o.name,
            o.version,
            o.kind,
            o.licenses.join(", "),
            o.images.join(" "),
            o.command.as_deref().or(o.url.as_deref()).unwrap_or("-")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_license_is_named_by_its_id_or_family() {
        assert!(names_license("GPL-2.0-only AND MIT", "gpl-2.0"));
        assert!(names_license(
            "(GPL-2.0-or-later OR BSD-3-Clause)",
            "GPL-2.0"
        ));
        assert!(names_license("GPL-2.0+", "GPL-2.0"));
        assert!(names_license("MIT", "mit"));
        assert!(!names_license("LGPL-2.1-only", "GPL-2.1"));
        assert!(!names_license("GPL-2.0-only", "GPL-2"));
        assert!(!names_license("MIT-0", "MIT"));
    }

    #[test]
    fn tables_have_a_header_and_escape_what_images_say() {
        let h = Holding {
            reference: "r/app:1\u{1b}[2J".into(),
            image: "sha256:aa".into(),
            kind: "deb".into(),
            name: "busybox".into(),
            version: "1:1.35.0-4".into(),
            layer: 0,
            origin: "base".into(),
            license: "GPL-2.0-only".into(),
        };
        let mut out = Vec::new();
        write_holdings(&[h], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "IMAGE\tPACKAGE\tVERSION\tTYPE\tLAYER\tORIGIN\tLICENSE\n\
             r/app:1\\u{1b}[2J\tbusybox\t1:1.35.0-4\tdeb\t0\tbase\tGPL-2.0-only\n"
        );
        let mut out = Vec::new();
        write_owed(&[], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "No source package is owed.\n"
        );
    }

    #[test]
    fn globs_are_like_patterns() {
        assert_eq!(like("reg/shop/*:1_0"), "reg/shop/%:1\\_0");
    }
}
