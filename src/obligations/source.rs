//! Where the exact source of a package can be obtained.
//!
//! A source offer must be for the *exact* source the binaries were built from, so each
//! ecosystem's own identifier of it is used: Debian's source package name and version
//! (`Source: name (version)`, else the binary's version without a binNMU suffix, as the
//! dpkg catalog records it) with
//! `apt-get source` and snapshot.debian.org, which keeps every version ever uploaded; rpm's
//! `SOURCERPM` file name; Alpine's aports origin at the commit the package was built from.

use serde::Serialize;

/// How to obtain one source package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Obtain {
    /// A command that fetches it, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// A stable URL for this exact version, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The source package file, when the database names it (rpm).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// What else to know.
    pub note: String,
}

/// Percent-encodes a Debian version for a URL path: everything but unreserved characters.
pub fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether `s` is safe to put on a shell command line unquoted (package names and
/// versions from a hostile image may not be).
fn shell_safe(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'+' | b'~' | b':' | b'=')
        })
}

/// Debian and derivatives: `apt-get source NAME=VERSION`, and the snapshot.debian.org page
/// for that version when the image is Debian itself.
pub fn debian(os_id: Option<&str>, name: &str, version: &str) -> Obtain {
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

/// Splits an rpm file name `NAME-VERSION-RELEASE.src.rpm` into its parts.
pub fn split_srpm(file: &str) -> Option<(&str, &str, &str)> {
    let stem = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    (!name.is_empty() && !version.is_empty() && !release.is_empty())
        .then_some((name, version, release))
}

/// rpm: the SRPM file the package was built from; on Fedora, its Koji URL. `binary` is one
/// binary package built from it (name and `[epoch:]version-release`), which `dnf download
/// --source` takes to find the SRPM.
pub fn rpm(os_id: Option<&str>, srpm: &str, binary: (&str, &str)) -> Obtain {
    let parts = split_srpm(srpm);
    let url = match (os_id, parts) {
        (Some("fedora"), Some((n, v, r))) => Some(format!(
            "https://kojipkgs.fedoraproject.org/packages/{}/{}/{}/src/{}",
            encode_path_segment(n),
            encode_path_segment(v),
            encode_path_segment(r),
            encode_path_segment(srpm)
        )),
        _ => None,
    };
    let (name, evr) = binary;
    let vr = evr.split_once(':').map_or(evr, |(_, vr)| vr);
    let nvr = format!("{name}-{vr}");
    let command = shell_safe(&nvr).then(|| format!("dnf download --source {nvr}"));
    Obtain {
        command,
        url,
        file: Some(srpm.to_string()),
        note: "the source RPM named by the package's SOURCERPM tag; the vendor's source repository or archive serves it by that file name".into(),
    }
}

/// Alpine: the aports tree at the commit the package was built from.
pub fn apk(origin: &str, commit: Option<&str>) -> Obtain {
    match commit.filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_hexdigit())) {
        Some(c) => Obtain {
            command: None,
            url: Some(format!(
                "https://gitlab.alpinelinux.org/alpine/aports/-/tree/{c}"
            )),
            file: None,
            note: format!(
                "the aports tree at commit {c}: the APKBUILD and patches are in main/{origin}/ or community/{origin}/ (the database does not say which); its source= line names the upstream archive"
            ),
        },
        None => Obtain {
            command: None,
            url: None,
            file: None,
            note: format!(
                "the database records no aports commit: find the APKBUILD of {origin} in the aports branch of the image's Alpine release"
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_versions_are_encoded_for_snapshot_urls() {
        let o = debian(Some("debian"), "zlib", "1:1.2.13.dfsg-1");
        assert_eq!(
            o.url.as_deref(),
            Some("https://snapshot.debian.org/package/zlib/1%3A1.2.13.dfsg-1/")
        );
        assert_eq!(
            o.command.as_deref(),
            Some("apt-get source zlib=1:1.2.13.dfsg-1")
        );
        let o = debian(Some("debian"), "glibc", "2.36-9+deb12u14");
        assert_eq!(
            o.url.as_deref(),
            Some("https://snapshot.debian.org/package/glibc/2.36-9%2Bdeb12u14/")
        );
        let o = debian(Some("debian"), "gcc-12", "12.2.0-14~bpo11+1");
        assert!(o.url.unwrap().ends_with("/gcc-12/12.2.0-14%7Ebpo11%2B1/"));
    }

    #[test]
    fn hostile_names_get_no_command() {
        let o = debian(Some("debian"), "x;rm", "1");
        assert_eq!(o.command, None);
        assert_eq!(
            o.url.as_deref(),
            Some("https://snapshot.debian.org/package/x%3Brm/1/")
        );
    }

    #[test]
    fn other_debian_derivatives_get_the_command_only() {
        let o = debian(Some("devuan"), "bash", "5.2-2");
        assert_eq!(o.url, None);
        assert!(o.note.contains("devuan"));
        let o = debian(Some("ubuntu"), "bash", "5.1-6ubuntu1");
        assert_eq!(
            o.url.as_deref(),
            Some("https://launchpad.net/ubuntu/+source/bash/5.1-6ubuntu1")
        );
    }

    #[test]
    fn srpm_names_split_into_nvr() {
        assert_eq!(
            split_srpm("bash-5.1.8-6.el9.src.rpm"),
            Some(("bash", "5.1.8", "6.el9"))
        );
        assert_eq!(
            split_srpm("python-setuptools-69.0.3-3.fc40.src.rpm"),
            Some(("python-setuptools", "69.0.3", "3.fc40"))
        );
        assert_eq!(split_srpm("bash.src.rpm"), None);
        assert_eq!(split_srpm("bash-5.1.rpm"), None);
        let o = rpm(
            Some("fedora"),
            "bash-5.2.26-3.fc40.src.rpm",
            ("bash", "5.2.26-3.fc40"),
        );
        assert_eq!(
            o.url.as_deref(),
            Some("https://kojipkgs.fedoraproject.org/packages/bash/5.2.26/3.fc40/src/bash-5.2.26-3.fc40.src.rpm")
        );
        assert_eq!(
            o.command.as_deref(),
            Some("dnf download --source bash-5.2.26-3.fc40")
        );
        let o = rpm(
            Some("rhel"),
            "python-setuptools-53.0.0-12.el9.src.rpm",
            ("python3-setuptools", "1:53.0.0-12.el9"),
        );
        assert_eq!(o.url, None);
        assert_eq!(
            o.command.as_deref(),
            Some("dnf download --source python3-setuptools-53.0.0-12.el9")
        );
    }

    #[test]
    fn alpine_points_at_the_aports_commit() {
        let o = apk("musl", Some("f93af038c3e5a4c2e3a4d2b4a1b6f1c2d3e4f5a6"));
        assert_eq!(
            o.url.as_deref(),
            Some("https://gitlab.alpinelinux.org/alpine/aports/-/tree/f93af038c3e5a4c2e3a4d2b4a1b6f1c2d3e4f5a6")
        );
        assert!(o.note.contains("main/musl/"));
        assert_eq!(apk("musl", None).url, None);
        assert_eq!(apk("musl", Some("../x")).url, None);
    }
}
