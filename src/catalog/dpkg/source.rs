//! Where the exact source of a Debian package is: `apt-get source NAME=VERSION`, and the
//! archive that keeps every version (snapshot.debian.org for Debian, Launchpad for Ubuntu).

use crate::catalog::source::{encode_path_segment, shell_safe};
use crate::model::Obtain;

/// Debian and derivatives: `apt-get source NAME=VERSION`, and the snapshot.debian.org page
/// for that version when the image is Debian itself.
pub fn obtain(os_id: Option<&str>, name: &str, version: &str) -> Obtain {
    let spec = format!("{name}={version}");
    let command = shell_safe(&spec).then(|| format!("apt-get source {spec}"));
    let (url, note) = match os_id {
        Some("debian") => (
            Some(format!(
                "https://snapshot.debian.org/package/{}/{}/",
                encode_path_segment(name),
                encode_path_segment(version)
            )),
            "snapshot.debian.org keeps every source version uploaded to Debian: the .dsc, the upstream tarball and the Debian changes".to_string(),
        ),
        Some("ubuntu") => (
            Some(format!(
                "https://launchpad.net/ubuntu/+source/{}/{}",
                encode_path_segment(name),
                encode_path_segment(version)
            )),
            "Launchpad keeps the source of every version published in Ubuntu".to_string(),
        ),
        other => (
            None,
            format!(
                "a Debian-format source package from the {} archive; `apt-get source` needs a deb-src line for it",
                other.unwrap_or("distribution's")
            ),
        ),
    };
    Obtain {
        command,
        url,
        file: None,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_versions_are_encoded_for_snapshot_urls() {
        let o = obtain(Some("debian"), "zlib", "1:1.2.13.dfsg-1");
        assert_eq!(
            o.url.as_deref(),
            Some("https://snapshot.debian.org/package/zlib/1%3A1.2.13.dfsg-1/")
        );
        assert_eq!(
            o.command.as_deref(),
            Some("apt-get source zlib=1:1.2.13.dfsg-1")
        );
        let o = obtain(Some("debian"), "glibc", "2.36-9+deb12u14");
        assert_eq!(
            o.url.as_deref(),
            Some("https://snapshot.debian.org/package/glibc/2.36-9%2Bdeb12u14/")
        );
        let o = obtain(Some("debian"), "gcc-12", "12.2.0-14~bpo11+1");
        assert!(o.url.unwrap().ends_with("/gcc-12/12.2.0-14%7Ebpo11%2B1/"));
    }

    #[test]
    fn hostile_names_get_no_command() {
        let o = obtain(Some("debian"), "x;rm", "1");
        assert_eq!(o.command, None);
        assert_eq!(
            o.url.as_deref(),
            Some("https://snapshot.debian.org/package/x%3Brm/1/")
        );
    }

    #[test]
    fn other_debian_derivatives_get_the_command_only() {
        let o = obtain(Some("devuan"), "bash", "5.2-2");
        assert_eq!(o.url, None);
        assert!(o.note.contains("devuan"));
        let o = obtain(Some("ubuntu"), "bash", "5.1-6ubuntu1");
        assert_eq!(
            o.url.as_deref(),
            Some("https://launchpad.net/ubuntu/+source/bash/5.1-6ubuntu1")
        );
    }
}
