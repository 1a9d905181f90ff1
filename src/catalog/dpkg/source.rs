//! Where the exact source of a Debian package is: `apt-get source NAME=VERSION`, and the
//! archive that keeps every version (Debian's snapshot archive, Ubuntu's Launchpad), whose
//! address is configured (`--source-archive`, [`crate::catalog::source::locate`]).

use crate::catalog::source::shell_safe;
use crate::model::Obtain;

/// Debian and derivatives: `apt-get source NAME=VERSION`, and which archive keeps that
/// version when the image is Debian or Ubuntu.
pub fn obtain(os_id: Option<&str>, name: &str, version: &str) -> Obtain {
    let spec = format!("{name}={version}");
    let command = shell_safe(&spec).then(|| format!("apt-get source {spec}"));
    let note = match os_id {
        Some("debian") => "Debian's snapshot archive keeps every source version uploaded to Debian: the .dsc, the upstream tarball and the Debian changes".to_string(),
        Some("ubuntu") => "Launchpad keeps the source of every version published in Ubuntu".to_string(),
        other => format!(
            "a Debian-format source package from the {} archive; `apt-get source` needs a deb-src line for it",
            other.unwrap_or("distribution's")
        ),
    };
    Obtain {
        command,
        url: None,
        file: None,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_names_the_exact_version() {
        let o = obtain(Some("debian"), "zlib", "1:1.2.13.dfsg-1");
        assert_eq!(
            o.command.as_deref(),
            Some("apt-get source zlib=1:1.2.13.dfsg-1")
        );
        assert!(o.note.contains("snapshot archive"));
        assert_eq!(o.url, None, "the archive's address is configured");
    }

    #[test]
    fn hostile_names_get_no_command() {
        let o = obtain(Some("debian"), "x;rm", "1");
        assert_eq!(o.command, None);
    }

    #[test]
    fn derivatives_name_their_archive() {
        let o = obtain(Some("devuan"), "bash", "5.2-2");
        assert!(o.note.contains("devuan"));
        let o = obtain(Some("ubuntu"), "bash", "5.1-6ubuntu1");
        assert!(o.note.contains("Launchpad"));
        assert_eq!(
            o.command.as_deref(),
            Some("apt-get source bash=5.1-6ubuntu1")
        );
    }
}
