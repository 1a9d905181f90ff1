//! The model that ends where the pipeline ends: everything the documents say about one
//! image. Renderers read a [`Bom`] and nothing else.

use std::collections::BTreeMap;

use serde::Serialize;

use super::obligations::{Glossary, Obligations};
use super::Report;

/// One image, as the pipeline concluded it, and what a document needs about itself.
#[derive(Debug, Clone)]
pub struct Bom {
    /// The native report: image, layers, packages, licenses, findings.
    pub report: Report,
    /// What shipping the image obliges us to do, in the chosen delivery mode (with every
    /// package's category, distributed or not).
    pub obligations: Obligations,
    /// The approval checklist, each question answered from the evidence or left to a
    /// person.
    pub checklist: Vec<Answer>,
    /// The titles and explanations of the license categories and duties.
    pub glossary: Glossary,
    /// Full texts of `LicenseRef-` licenses, when a package's own files give them: the
    /// first package's text, in report order.
    pub license_texts: BTreeMap<String, String>,
    /// `YYYY-MM-DDTHH:MM:SSZ`: from `SOURCE_DATE_EPOCH`, else the image's creation time, so
    /// that documents never carry the time of the scan and stay byte-identical.
    pub created: String,
    /// The version of layerbom, written as the documents' creator.
    pub tool_version: &'static str,
}

/// How a checklist question stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// The evidence answers it.
    #[serde(rename = "answered")]
    Answered,
    /// The evidence answers it, and the answer needs a look.
    #[serde(rename = "attention")]
    Attention,
    /// The evidence is not there: a person must answer.
    #[serde(rename = "needs a human answer")]
    Human,
}

/// One question of the approval checklist and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The question, as the checklist asks it.
    pub question: &'static str,
    /// Whether it is answered.
    pub status: Status,
    /// The answer, or what is missing.
    pub answer: String,
}

impl Bom {
    /// The model of `report`, with its `obligations`, `checklist` and `glossary`; dated
    /// `source_date_epoch` (seconds) when given, else by the image's creation time, else
    /// the Unix epoch.
    pub fn new(
        report: Report,
        obligations: Obligations,
        checklist: Vec<Answer>,
        glossary: Glossary,
        source_date_epoch: Option<&str>,
    ) -> Bom {
        let created = source_date_epoch
            .and_then(|s| s.trim().parse::<i64>().ok())
            .map(format_epoch)
            .or_else(|| report.image.created.as_deref().and_then(normalize_rfc3339))
            .unwrap_or_else(|| format_epoch(0));
        let mut license_texts = BTreeMap::new();
        for p in &report.packages {
            for (id, text) in &p.license.texts {
                license_texts
                    .entry(id.clone())
                    .or_insert_with(|| text.clone());
            }
        }
        Bom {
            report,
            obligations,
            checklist,
            glossary,
            license_texts,
            created,
            tool_version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A civil date to days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_epoch(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// An RFC 3339 time (any fraction, any offset) as UTC `YYYY-MM-DDTHH:MM:SSZ`.
pub fn normalize_rfc3339(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let oh = rest.get(1..3)?.parse::<i64>().ok()?;
            let om = rest.get(4..6)?.parse::<i64>().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, mo as u32, d as u32);
    Some(format_epoch(
        days * 86_400 + h * 3600 + mi * 60 + se - offset,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_seconds() {
        assert_eq!(format_epoch(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_epoch(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(
            normalize_rfc3339("2024-02-29T23:30:00.123456789+01:30").as_deref(),
            Some("2024-02-29T22:00:00Z")
        );
        assert_eq!(
            normalize_rfc3339("1970-01-01T00:00:00Z").as_deref(),
            Some("1970-01-01T00:00:00Z")
        );
        assert_eq!(normalize_rfc3339("yesterday"), None);
    }
}
