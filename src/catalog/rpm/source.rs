//! Where the exact source of an rpm package is: the source RPM its `SOURCERPM` tag names,
//! and how the package's distribution serves it.
//!
//! The file name is the one fact every distribution shares; what fetches it differs:
//! `dnf download --source` on Fedora up to 40 and the Enterprise Linux family, dnf 5's
//! `--srpm` from Fedora 41, `yumdownloader --source` on Amazon Linux 2 and the EL 7
//! generation, `zypper source-install` on SUSE, none at all on a distroless Azure Linux
//! image. [`retrieval`] holds that decision, by os-release `ID` and `VERSION_ID`, as a table;
//! [`obtain`] writes it out for one package: the command, and a note naming the file and
//! who serves it. A URL is the configured archive's (`--source-archive`, laid out by name,
//! version and release as Fedora's Koji is; [`crate::catalog::source::locate`]).

use crate::catalog::os_release::OsRelease;
use crate::catalog::source::shell_safe;
use crate::model::Obtain;

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

/// The command that downloads a package's source RPM on its distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    /// dnf 4's download plugin: `dnf download --source BINARY-VERSION-RELEASE` (it enables the
    /// source repository of each enabled repository).
    Dnf,
    /// dnf 5 (Fedora 41 on): `dnf download --srpm BINARY-VERSION-RELEASE`.
    Dnf5,
    /// yum-utils: `yumdownloader --source BINARY-VERSION-RELEASE`.
    Yumdownloader,
    /// `zypper source-install --no-build-deps SOURCE=VERSION-RELEASE`: the source package by
    /// its own name, without installing its build dependencies.
    Zypper,
    /// No command known to fetch it.
    Nothing,
}

/// How one distribution serves its source RPMs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retrieval {
    /// What fetches it.
    pub fetch: Fetch,
    /// Who serves it, for the note.
    pub served_by: &'static str,
}

/// The major release of a `VERSION_ID` (`9` of `9.4`, `2023` of `2023`).
fn major(version_id: Option<&str>) -> Option<u32> {
    version_id?.split('.').next()?.parse().ok()
}

/// How the distribution an os-release `ID` (and `VERSION_ID`) names serves source RPMs.
pub fn retrieval(id: Option<&str>, version_id: Option<&str>) -> Retrieval {
    use Fetch as F;
    let major = major(version_id);
    // The EL 7 generation had yum; dnf came with EL 8.
    let el = if major.is_some_and(|m| m <= 7) {
        F::Yumdownloader
    } else {
        F::Dnf
    };
    let (fetch, served_by) = match id.unwrap_or_default() {
        "fedora" => (
            if major.is_some_and(|m| m >= 41) { F::Dnf5 } else { F::Dnf },
            "Fedora's Koji keeps the source RPM of every build; the command fetches it from Fedora's source repositories while that version is current there",
        ),
        "rhel" => (
            el,
            "Red Hat's source repositories serve it (the command enables them: public for the packages of the Universal Base Images, ubi-N-baseos-source and ubi-N-appstream-source; for the rest of RHEL through a subscription), and the Red Hat Customer Portal serves it to subscribers",
        ),
        "centos" => (
            el,
            "CentOS's source repositories serve the current versions (the command enables them); CentOS Stream's Koji keeps every Stream build, and the CentOS vault the releases of CentOS Linux",
        ),
        "rocky" => (
            F::Dnf,
            "Rocky Linux's source repositories serve the current versions (the command enables them); the Rocky Linux vault keeps those of earlier minor releases",
        ),
        "almalinux" => (
            F::Dnf,
            "AlmaLinux's source repositories serve the current versions (the command enables them); the AlmaLinux vault keeps those of earlier minor releases",
        ),
        // Amazon Linux 1 (2018.03) and 2 have yum; 2023 has dnf.
        "amzn" => (
            match major {
                Some(m) if m >= 2022 => F::Dnf,
                Some(_) => F::Yumdownloader,
                None => F::Nothing,
            },
            "Amazon Linux's source repositories serve it (the command enables them; run it on the same Amazon Linux release)",
        ),
        "ol" => (
            F::Nothing,
            "Oracle publishes the source RPMs of Oracle Linux on its open-source site, in the SRPMS directories of each release: ask Oracle for it when it is not there",
        ),
        "opensuse" | "opensuse-leap" | "opensuse-tumbleweed" | "opensuse-microos" => (
            F::Zypper,
            "openSUSE's source repository serves it (repo-source, disabled by default: enable it with `zypper modifyrepo --enable repo-source` first); the command installs the source package's spec and sources under /usr/src/packages",
        ),
        "sles" | "sle-micro" => (
            F::Zypper,
            "SUSE's source repositories for SUSE Linux Enterprise (each module's Source-Pool repository, through a SUSE Customer Center subscription) serve it, to be enabled first; otherwise ask SUSE for it",
        ),
        "mariner" | "azurelinux" => (
            F::Nothing,
            "Microsoft publishes the source RPMs of CBL-Mariner and Azure Linux in the srpms repository of each release on its package server, and their specs and patches in its azurelinux repository",
        ),
        _ => (
            F::Nothing,
            "ask the distribution's vendor for it by that file name",
        ),
    };
    Retrieval { fetch, served_by }
}

/// rpm: the SRPM file the package was built from, and how its distribution (`os`) serves
/// it. `binary` is one binary package built from it (name and `[epoch:]version-release`),
/// which dnf and yum take to find the SRPM.
pub fn obtain(os: Option<&OsRelease>, srpm: &str, binary: (&str, &str)) -> Obtain {
    let id = os.and_then(|o| o.id.as_deref());
    let version_id = os.and_then(|o| o.version_id.as_deref());
    let how = retrieval(id, version_id);
    let parts = split_srpm(srpm);
    let (name, evr) = binary;
    let (epoch, vr) = evr
        .split_once(':')
        .map_or((None, evr), |(e, vr)| (Some(e), vr));
    let binary_nvr = format!("{name}-{vr}");
    let command = match how.fetch {
        Fetch::Dnf => Some(format!("dnf download --source {binary_nvr}")),
        Fetch::Dnf5 => Some(format!("dnf download --srpm {binary_nvr}")),
        Fetch::Yumdownloader => Some(format!("yumdownloader --source {binary_nvr}")),
        // The source package's own edition: the binary's epoch when it was built from this
        // very version (a spec gives all its packages one epoch).
        Fetch::Zypper => parts.map(|(n, v, r)| {
            let edition = match epoch {
                Some(e) if vr == format!("{v}-{r}") => format!("{e}:{v}-{r}"),
                _ => format!("{v}-{r}"),
            };
            format!("zypper source-install --no-build-deps {n}={edition}")
        }),
        Fetch::Nothing => None,
    }
    .filter(|c| c.split(' ').all(shell_safe));
    let mut note = format!(
        "the source RPM {srpm} (the package's SOURCERPM tag): {}",
        how.served_by
    );
    if let (true, Some((n, v, r)), Some(tag)) = (
        matches!(id, Some("mariner" | "azurelinux")),
        parts,
        azure_linux_tag(os),
    ) {
        note.push_str(&format!(
            ". Its spec is SPECS/{n} in the azurelinux repository at the release tag {tag} the image's os-release names: check that the spec there builds {v}-{r} (a package updated since that release is in a later tag)"
        ));
    }
    if id == Some("rhel") {
        let ubi = major(version_id).map_or_else(|| "ubiN".to_string(), |m| format!("ubi{m}"));
        note.push_str(&format!(
            ". Red Hat also publishes the source of each of its container images as a source container image, the image's tag with -source appended (for UBI: {ubi}/ubi:TAG-source in Red Hat's registry, and likewise for ubi-minimal and ubi-micro), which holds this source RPM"
        ));
    }
    Obtain {
        command,
        url: None,
        file: Some(srpm.to_string()),
        note,
    }
}

/// The azurelinux repository's release tag of the image's release: `VERSION-VERSION_ID`
/// (`3.0.20240824-3.0`), when os-release gives both and the version is a dated release of
/// that major one.
fn azure_linux_tag(os: Option<&OsRelease>) -> Option<String> {
    let os = os?;
    let version = os.fields.get("VERSION")?;
    let version_id = os.version_id.as_deref()?;
    let dated = version.strip_prefix(version_id)?.strip_prefix('.')?;
    (!dated.is_empty() && dated.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{version}-{version_id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(text: &str) -> OsRelease {
        crate::catalog::os_release::parse(text.as_bytes()).0
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
    }

    #[test]
    fn each_distribution_has_its_tool() {
        use Fetch::*;
        for (id, version_id, fetch) in [
            ("fedora", "40", Dnf),
            ("fedora", "41", Dnf5),
            ("fedora", "42", Dnf5),
            ("rhel", "7.9", Yumdownloader),
            ("rhel", "9.4", Dnf),
            ("centos", "7", Yumdownloader),
            ("centos", "9", Dnf),
            ("rocky", "9.4", Dnf),
            ("almalinux", "8.10", Dnf),
            ("amzn", "2", Yumdownloader),
            ("amzn", "2018.03", Yumdownloader),
            ("amzn", "2023", Dnf),
            ("ol", "9.4", Nothing),
            ("opensuse-leap", "15.6", Zypper),
            ("opensuse-tumbleweed", "20240801", Zypper),
            ("sles", "15.6", Zypper),
            ("sle-micro", "5.5", Zypper),
            ("mariner", "2.0", Nothing),
            ("azurelinux", "3.0", Nothing),
            ("photon", "5.0", Nothing),
        ] {
            assert_eq!(
                retrieval(Some(id), Some(version_id)).fetch,
                fetch,
                "{id} {version_id}"
            );
        }
        assert_eq!(retrieval(Some("amzn"), None).fetch, Nothing);
        assert_eq!(retrieval(None, None).fetch, Nothing);
    }

    #[test]
    fn fedora_gets_koji_and_dnf() {
        let o = obtain(
            Some(&os("ID=fedora\nVERSION_ID=40\n")),
            "bash-5.2.26-3.fc40.src.rpm",
            ("bash", "5.2.26-3.fc40"),
        );
        assert!(o.note.contains("Fedora's Koji"));
        assert_eq!(o.file.as_deref(), Some("bash-5.2.26-3.fc40.src.rpm"));
        assert_eq!(
            o.command.as_deref(),
            Some("dnf download --source bash-5.2.26-3.fc40")
        );
        let o = obtain(
            Some(&os("ID=fedora\nVERSION_ID=41\n")),
            "bash-5.2.32-1.fc41.src.rpm",
            ("bash", "5.2.32-1.fc41"),
        );
        assert_eq!(
            o.command.as_deref(),
            Some("dnf download --srpm bash-5.2.32-1.fc41")
        );
    }

    #[test]
    fn the_binary_names_the_srpm_to_dnf_and_yum() {
        let o = obtain(
            Some(&os("ID=\"rhel\"\nVERSION_ID=\"9.4\"\n")),
            "python-setuptools-53.0.0-12.el9.src.rpm",
            ("python3-setuptools", "1:53.0.0-12.el9"),
        );
        assert_eq!(
            o.command.as_deref(),
            Some("dnf download --source python3-setuptools-53.0.0-12.el9")
        );
        assert!(o.note.contains("ubi9/ubi:TAG-source"));
        assert!(o.note.starts_with(
            "the source RPM python-setuptools-53.0.0-12.el9.src.rpm (the package's SOURCERPM tag): "
        ));
        let o = obtain(
            Some(&os("ID=\"amzn\"\nVERSION_ID=\"2\"\n")),
            "bash-4.2.46-34.amzn2.src.rpm",
            ("bash", "4.2.46-34.amzn2"),
        );
        assert_eq!(
            o.command.as_deref(),
            Some("yumdownloader --source bash-4.2.46-34.amzn2")
        );
    }

    #[test]
    fn zypper_takes_the_source_package_at_its_edition() {
        let leap = os("ID=\"opensuse-leap\"\nVERSION_ID=\"15.6\"\n");
        let o = obtain(
            Some(&leap),
            "libxml2-2.10.3-150500.5.17.1.src.rpm",
            ("libxml2-2", "2.10.3-150500.5.17.1"),
        );
        assert_eq!(
            o.command.as_deref(),
            Some("zypper source-install --no-build-deps libxml2=2.10.3-150500.5.17.1")
        );
        let o = obtain(
            Some(&leap),
            "openssl-3-3.1.4-150600.5.7.1.src.rpm",
            ("libopenssl3", "1:3.1.4-150600.5.7.1"),
        );
        assert_eq!(
            o.command.as_deref(),
            Some("zypper source-install --no-build-deps openssl-3=1:3.1.4-150600.5.7.1")
        );
        assert_eq!(
            obtain(Some(&leap), "odd.src.rpm", ("odd", "1-1")).command,
            None
        );
    }

    #[test]
    fn azure_linux_points_at_its_spec_at_the_release_tag() {
        let azl = os("ID=azurelinux\nVERSION_ID=\"3.0\"\nVERSION=\"3.0.20240824\"\n");
        let o = obtain(
            Some(&azl),
            "openssl-3.3.3-2.azl3.src.rpm",
            ("openssl-libs", "1:3.3.3-2.azl3"),
        );
        assert_eq!(o.command, None);
        assert!(o.note.contains(
            "SPECS/openssl in the azurelinux repository at the release tag 3.0.20240824-3.0"
        ));
        assert!(o.note.contains("builds 3.3.3-2.azl3"));
        // Without a dated VERSION there is no tag to point at.
        let o = obtain(
            Some(&os("ID=mariner\nVERSION_ID=\"2.0\"\n")),
            "bash-5.1.8-4.cm2.src.rpm",
            ("bash", "5.1.8-4.cm2"),
        );
        assert!(!o.note.contains("release tag"));
        assert!(o.note.contains("srpms repository"));
    }

    #[test]
    fn hostile_names_get_no_command() {
        let o = obtain(
            Some(&os("ID=fedora\nVERSION_ID=40\n")),
            "x;rm-1-1.src.rpm",
            ("x;rm", "1-1"),
        );
        assert_eq!(o.command, None);
        let o = obtain(None, "bash-5-1.src.rpm", ("bash", "5-1"));
        assert_eq!(o.command, None);
        assert!(o
            .note
            .ends_with("ask the distribution's vendor for it by that file name"));
    }
}
