//! The package manifest of CBL-Mariner and Azure Linux distroless images:
//! `var/lib/rpmmanifest/container-manifest-2`.
//!
//! A distroless image is built with rpm and then has its rpm database deleted; what it
//! installed is kept as the output of one `rpm -qa` query, one package per line, ten
//! tab-separated columns:
//!
//! ```text
//! %{NAME} %{VERSION}-%{RELEASE} %{INSTALLTIME} %{BUILDTIME} %{VENDOR} %{EPOCH} %{SIZE} %{ARCH} %{EPOCHNUM} %{SOURCERPM}
//! ```
//!
//! rpm prints a tag a package lacks as `(none)` (`EPOCH`, `SOURCERPM`), and `EPOCHNUM` as
//! `0` then; some image builders write the literal `(none)` in the `EPOCH` column and leave
//! the epoch to `EPOCHNUM`. The manifest records no license, no dependencies and no files.
//! [`read_manifest_within`] turns it into [`RpmPackage`] records; a line it cannot read is a
//! [`Warning`] and is skipped.

use super::{RpmPackage, Warning};

/// How many tab-separated columns a line has.
const COLUMNS: usize = 10;

/// The packages of a `container-manifest-2`, stopping once more than `limit` are read.
///
/// ```
/// use layerbom::catalog::rpm::parse::read_manifest_within;
/// let line = b"bash\t5.1.8-4.cm2\t1700000000\t1690000000\tMicrosoft Corporation\t(none)\t7338563\tx86_64\t0\tbash-5.1.8-4.cm2.src.rpm\n";
/// let (pkgs, warnings) = read_manifest_within(line, usize::MAX);
/// assert!(warnings.is_empty());
/// assert_eq!((pkgs[0].name.as_str(), pkgs[0].evr().as_str()), ("bash", "5.1.8-4.cm2"));
/// ```
pub fn read_manifest_within(bytes: &[u8], limit: usize) -> (Vec<RpmPackage>, Vec<Warning>) {
    let text = String::from_utf8_lossy(bytes);
    let mut packages = Vec::new();
    let mut warnings = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        match package(line, i + 1) {
            Ok(p) => packages.push(p),
            Err(why) => warnings.push(Warning::new(
                None,
                format!("line {}: {why}; skipped", i + 1),
            )),
        }
        if packages.len() > limit {
            break;
        }
    }
    (packages, warnings)
}

/// A value rpm printed, `None` for an empty one or rpm's `(none)`.
fn value(s: &str) -> Option<String> {
    Some(s.trim())
        .filter(|v| !v.is_empty() && *v != "(none)")
        .map(str::to_string)
}

/// One line of the manifest.
fn package(line: &str, line_no: usize) -> Result<RpmPackage, String> {
    let columns: Vec<&str> = line.splitn(COLUMNS + 1, '\t').collect();
    if columns.len() != COLUMNS {
        return Err(format!(
            "{} tab-separated columns, not {COLUMNS}",
            columns.len()
        ));
    }
    let name = value(columns[0]).ok_or("no package name")?;
    let (version, release) = columns[1]
        .trim()
        .rsplit_once('-')
        .filter(|(v, r)| !v.is_empty() && !r.is_empty())
        .ok_or_else(|| format!("{name}: version {:?} is not VERSION-RELEASE", columns[1]))?;
    let epoch_column = value(columns[5]);
    let epoch = match epoch_column.as_deref().map(str::parse::<u32>) {
        Some(Ok(e)) => Some(e),
        Some(Err(_)) => return Err(format!("{name}: epoch {:?} is not a number", columns[5])),
        // No EPOCH column: EPOCHNUM, which rpm prints as 0 for a package without an epoch.
        None => columns[8].trim().parse::<u32>().ok().filter(|&e| e > 0),
    };
    Ok(RpmPackage {
        record: line_no as u64,
        is_gpg_pubkey: name == "gpg-pubkey",
        name,
        epoch,
        version: version.to_string(),
        release: release.to_string(),
        arch: value(columns[7]),
        license: None,
        source_rpm: value(columns[9]),
        vendor: value(columns[4]),
        url: None,
        summary: None,
        size: columns[6].trim().parse().ok(),
        requires: Vec::new(),
        provides: Vec::new(),
        files: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &[u8] = include_bytes!("../test-fixtures/container-manifest-2");

    #[test]
    fn the_hand_made_manifest_reads_every_line() {
        let (pkgs, warnings) = read_manifest_within(MANIFEST, usize::MAX);
        assert!(warnings.is_empty(), "{warnings:?}");
        let names: Vec<&str> = pkgs.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "filesystem",
                "glibc",
                "openssl-libs",
                "prebuilt-ca-certificates",
                "tzdata"
            ]
        );
        let ssl = &pkgs[2];
        assert_eq!(ssl.evr(), "1:3.3.3-2.azl3");
        assert_eq!(ssl.arch.as_deref(), Some("x86_64"));
        assert_eq!(ssl.vendor.as_deref(), Some("Microsoft Corporation"));
        assert_eq!(
            ssl.source_rpm.as_deref(),
            Some("openssl-3.3.3-2.azl3.src.rpm")
        );
        assert_eq!(ssl.license, None);
        assert_eq!(pkgs[4].arch.as_deref(), Some("noarch"));
        assert_eq!(pkgs[0].epoch, None);
    }

    #[test]
    fn the_epoch_comes_from_epochnum_when_the_epoch_column_says_none() {
        let (pkgs, _) = read_manifest_within(
            b"a\t1-2\t0\t0\tV\t(none)\t10\tx86_64\t3\ta-1-2.src.rpm\n",
            usize::MAX,
        );
        assert_eq!(pkgs[0].evr(), "3:1-2");
    }

    #[test]
    fn a_damaged_line_is_skipped_with_a_warning() {
        let text = b"short\tline\n\
            b\tnorelease\t0\t0\tV\t(none)\t10\tx86_64\t0\tb.src.rpm\n\
            c\t1-1\t0\t0\tV\tx\t10\tx86_64\t0\tc.src.rpm\n\
            \n\
            d\t1-1\t0\t0\tV\t(none)\t10\tx86_64\t0\t(none)\n";
        let (pkgs, warnings) = read_manifest_within(text, usize::MAX);
        assert_eq!(pkgs.len(), 1);
        assert_eq!(pkgs[0].source_rpm, None);
        let lines: Vec<&str> = warnings
            .iter()
            .map(|w| w.message.split(':').next().unwrap_or_default())
            .collect();
        assert_eq!(lines, ["line 1", "line 2", "line 3"]);
    }

    #[test]
    fn a_budget_stops_the_read_one_package_past_it() {
        let text = b"a\t1-1\t0\t0\tV\t(none)\t1\tx\t0\ta.src.rpm\n\
            b\t1-1\t0\t0\tV\t(none)\t1\tx\t0\tb.src.rpm\n\
            c\t1-1\t0\t0\tV\t(none)\t1\tx\t0\tc.src.rpm\n";
        assert_eq!(read_manifest_within(text, 1).0.len(), 2);
    }

    #[test]
    fn damaged_manifests_never_panic() {
        crate::catalog::testutil::damage_loop(MANIFEST, 1500, |b| {
            let _ = read_manifest_within(b, usize::MAX);
        });
    }
}
