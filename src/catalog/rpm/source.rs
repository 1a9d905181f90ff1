//! Where the exact source of an rpm package is: the source RPM its `SOURCERPM` tag names.

use crate::catalog::source::{encode_path_segment, shell_safe};
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

/// rpm: the SRPM file the package was built from; on Fedora, its Koji URL. `binary` is one
/// binary package built from it (name and `[epoch:]version-release`), which `dnf download
/// --source` takes to find the SRPM.
pub fn obtain(os_id: Option<&str>, srpm: &str, binary: (&str, &str)) -> Obtain {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let o = obtain(
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
        let o = obtain(
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
}
