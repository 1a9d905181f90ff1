//! Renderers: one report, several documents.
//!
//! Every renderer reads the same [`Report`](crate::model::Report) and writes bytes that
//! depend only on it, so the same image always gives byte-identical documents.

pub mod cyclonedx;
pub mod cyclonedx_xml;
pub mod json;
pub mod notice;
pub mod obligations_csv;
pub mod obligations_json;
pub mod obligations_md;
pub mod report;
pub mod spdx;
pub mod spdx_tv;
pub mod table;

use std::collections::BTreeMap;

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use crate::model::Report;
use crate::obligations::Delivery;

/// A document format that `-o` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A human summary for the terminal.
    Table,
    /// The native JSON document (`layerbom/v1`).
    Json,
    /// SPDX 2.3, JSON.
    SpdxJson,
    /// SPDX 2.3, tag-value.
    SpdxTagValue,
    /// CycloneDX 1.6, JSON.
    CycloneDxJson,
    /// CycloneDX 1.5, JSON, for older consumers.
    CycloneDxJson15,
    /// CycloneDX 1.6, XML.
    CycloneDxXml,
    /// CycloneDX 1.5, XML, for older consumers.
    CycloneDxXml15,
    /// What shipping the image obliges us to do, JSON (`layerbom-obligations/v1`).
    ObligationsJson,
    /// The same, as Markdown for people.
    ObligationsMd,
    /// The source-distribution list, CSV, one row per binary package.
    ObligationsCsv,
    /// The NOTICE (attribution) file: license texts and copyright notices.
    Notice,
    /// The approval report, Markdown.
    ReportMd,
    /// The approval report, one self-contained HTML file.
    ReportHtml,
}

/// What a document needs besides the report: its timestamp and the tool's name.
#[derive(Debug, Clone)]
pub struct RenderContext {
    /// `YYYY-MM-DDTHH:MM:SSZ`: from `SOURCE_DATE_EPOCH`, else the image's creation time.
    pub timestamp: String,
    /// The tool version written as the creator.
    pub tool_version: &'static str,
    /// Full texts of `LicenseRef-` licenses, when known.
    pub license_texts: BTreeMap<String, String>,
    /// How the image is shipped, for the obligations documents.
    pub delivery: Delivery,
    /// A minijinja template replacing the default NOTICE template (`--template`).
    pub notice_template: Option<String>,
}

impl RenderContext {
    /// The context for `report`: `source_date_epoch` (seconds) wins over the image's
    /// creation time, which wins over the Unix epoch, so documents never carry the time
    /// of the scan and stay byte-identical.
    pub fn new(report: &Report, source_date_epoch: Option<&str>) -> Self {
        let timestamp = source_date_epoch
            .and_then(|s| s.trim().parse::<i64>().ok())
            .map(format_epoch)
            .or_else(|| report.image.created.as_deref().and_then(normalize_rfc3339))
            .unwrap_or_else(|| format_epoch(0));
        // One text per `LicenseRef-`: the first package's, in report order.
        let mut license_texts = BTreeMap::new();
        for p in &report.packages {
            for (id, text) in &p.license.texts {
                license_texts
                    .entry(id.clone())
                    .or_insert_with(|| text.clone());
            }
        }
        RenderContext {
            timestamp,
            tool_version: env!("CARGO_PKG_VERSION"),
            license_texts,
            delivery: Delivery::default(),
            notice_template: None,
        }
    }
}

/// Splits an SPDX-style `Organization: ` or `Person: ` prefix off a supplier string, as a
/// user may write it in `--supplier`: `(is_person, rest)`.
pub fn strip_party(raw: &str) -> (bool, &str) {
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix("Person:") {
        (true, rest.trim())
    } else {
        (
            false,
            raw.strip_prefix("Organization:").unwrap_or(raw).trim(),
        )
    }
}

/// Splits a maintainer or vendor string (`Name <email>`) into its name and email.
pub fn split_contact(raw: &str) -> (&str, Option<&str>) {
    let raw = strip_party(raw).1;
    match raw.split_once('<') {
        Some((name, rest)) => (
            name.trim(),
            Some(rest.trim_end().trim_end_matches('>').trim()),
        ),
        None => (raw.trim(), None),
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

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 14] = [
        Format::Table,
        Format::Json,
        Format::SpdxJson,
        Format::SpdxTagValue,
        Format::CycloneDxJson,
        Format::CycloneDxJson15,
        Format::CycloneDxXml,
        Format::CycloneDxXml15,
        Format::ObligationsJson,
        Format::ObligationsMd,
        Format::ObligationsCsv,
        Format::Notice,
        Format::ReportMd,
        Format::ReportHtml,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::SpdxJson => "spdx-json",
            Format::SpdxTagValue => "spdx-tag-value",
            Format::CycloneDxJson => "cyclonedx-json",
            Format::CycloneDxJson15 => "cyclonedx-json@1.5",
            Format::CycloneDxXml => "cyclonedx-xml",
            Format::CycloneDxXml15 => "cyclonedx-xml@1.5",
            Format::ObligationsJson => "obligations-json",
            Format::ObligationsMd => "obligations-md",
            Format::ObligationsCsv => "obligations-csv",
            Format::Notice => "notice",
            Format::ReportMd => "report-md",
            Format::ReportHtml => "report-html",
        }
    }

    /// Writes `report` in this format.
    pub fn render(
        self,
        report: &Report,
        ctx: &RenderContext,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        match self {
            Format::Table => table::write(report, out),
            Format::Json => json::write(report, out),
            Format::SpdxJson => spdx::write_json(report, ctx, out),
            Format::SpdxTagValue => spdx_tv::write(report, ctx, out),
            Format::CycloneDxJson => {
                cyclonedx::write_json(report, ctx, cyclonedx::Version::V1_6, out)
            }
            Format::CycloneDxJson15 => {
                cyclonedx::write_json(report, ctx, cyclonedx::Version::V1_5, out)
            }
            Format::CycloneDxXml => {
                cyclonedx_xml::write(report, ctx, cyclonedx::Version::V1_6, out)
            }
            Format::CycloneDxXml15 => {
                cyclonedx_xml::write(report, ctx, cyclonedx::Version::V1_5, out)
            }
            Format::ObligationsJson => obligations_json::write(report, ctx, out),
            Format::ObligationsMd => obligations_md::write(report, ctx, out),
            Format::ObligationsCsv => obligations_csv::write(report, ctx, out),
            Format::Notice => notice::write(report, ctx, out),
            Format::ReportMd => {
                let ob = report::Obligations::of(report, ctx);
                report::write_md(report, ctx, Some(&ob), out)
            }
            Format::ReportHtml => {
                let ob = report::Obligations::of(report, ctx);
                report::write_html(report, ctx, Some(&ob), out)
            }
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown format {s:?} (available: {})", names.join(", "))
            })
    }
}

/// One `-o FORMAT[=FILE]` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    /// The format.
    pub format: Format,
    /// The file to write, or `None` for standard output.
    pub path: Option<String>,
}

impl FromStr for OutputSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (format, path) = match s.split_once('=') {
            Some((f, "")) => return Err(format!("no file after '=' in {f:?}")),
            Some((f, "-")) => (f, None),
            Some((f, p)) => (f, Some(p.to_string())),
            None => (s, None),
        };
        Ok(OutputSpec {
            format: format.parse()?,
            path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_specs_parse() {
        assert_eq!(
            "json=out.json".parse::<OutputSpec>().unwrap(),
            OutputSpec {
                format: Format::Json,
                path: Some("out.json".into())
            }
        );
        assert_eq!("table".parse::<OutputSpec>().unwrap().path, None);
        assert_eq!("json=-".parse::<OutputSpec>().unwrap().path, None);
        assert!("yaml"
            .parse::<OutputSpec>()
            .unwrap_err()
            .contains("available: table, json"));
        assert!("json=".parse::<OutputSpec>().is_err());
    }

    #[test]
    fn contacts_split_into_name_and_email() {
        assert_eq!(
            split_contact(" Debian <d@l.org> "),
            ("Debian", Some("d@l.org"))
        );
        assert_eq!(split_contact("Fedora Project"), ("Fedora Project", None));
    }

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
