//! Saying where a package's exact source can be obtained: a helper for each ecosystem's
//! `source.rs`, which builds its [`Obtain`](crate::model::Obtain), and [`locate`], which
//! writes the URL of the source archive configured for the image's distribution.

use crate::catalog::rpm::source::split_srpm;
use crate::model::archive::SourceArchive;
use crate::model::Report;

/// Writes the offer URL of each package of the image's distribution (deb, rpm, apk) from
/// the archive `archives` configure for its os-release `ID`; a package whose values the
/// template cannot be filled from gets none. Without an archive for the distribution the
/// offers are left as they are (as a native document carries them to `convert`), so
/// applying the same archives again changes nothing.
pub fn locate(report: &mut Report, archives: &[SourceArchive]) {
    let Some(id) = report.image.os.as_ref().map(|o| o.id.as_str()) else {
        return;
    };
    let Some(archive) = archives.iter().find(|a| a.distribution == id) else {
        return;
    };
    for p in &mut report.packages {
        let offer = &p.offer;
        let url = match p.kind.as_str() {
            "deb" => archive.url(|v| match v {
                "name" => Some(offer.name.clone()),
                "version" => Some(offer.version.clone()),
                _ => None,
            }),
            "rpm" => offer.obtain.file.as_deref().and_then(|file| {
                let (name, version, release) = split_srpm(file)?;
                archive.url(|v| match v {
                    "name" => Some(name.to_string()),
                    "version" => Some(version.to_string()),
                    "release" => Some(release.to_string()),
                    "file" => Some(file.to_string()),
                    _ => None,
                })
            }),
            "apk" => archive.url(|v| match v {
                "name" => Some(offer.name.clone()),
                "version" => Some(offer.version.clone()),
                "commit" => offer
                    .commit
                    .clone()
                    .filter(|c| c.bytes().all(|b| b.is_ascii_hexdigit())),
                _ => None,
            }),
            _ => continue,
        };
        p.offer.obtain.url = url;
    }
}

/// Whether `s` is safe to put on a shell command line unquoted (package names and
/// versions from a hostile image may not be).
pub fn shell_safe(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'+' | b'~' | b':' | b'=')
        })
}
