//! Where the exact source of an apk package is: the build recipes of its origin (`o:`) at
//! the commit it was built from (`c:`), in the repository of recipes of its distribution.
//!
//! Alpine builds from aports (an APKBUILD per origin, under `main/` or `community/`), Wolfi
//! from wolfi-dev/os (a melange file `ORIGIN.yaml` at the top of the tree); Chainguard
//! builds from a package repository of its own that is not public, so there the note says
//! what to ask Chainguard for. [`recipes`] holds that decision by os-release `ID`.

use crate::model::Obtain;

/// The repository of build recipes an apk distribution builds from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipes {
    /// Alpine's aports.
    Aports,
    /// Wolfi's wolfi-dev/os.
    WolfiOs,
    /// Chainguard's package repository: not public.
    Chainguard,
    /// A distribution whose repository is not known.
    Unknown,
}

/// The recipe repository of the distribution an os-release `ID` names.
pub fn recipes(id: Option<&str>) -> Recipes {
    match id {
        Some("alpine") => Recipes::Aports,
        Some("wolfi") => Recipes::WolfiOs,
        Some("chainguard") => Recipes::Chainguard,
        _ => Recipes::Unknown,
    }
}

/// The source of `origin` built from `commit` on the distribution os-release `ID` names.
pub fn obtain(id: Option<&str>, origin: &str, commit: Option<&str>) -> Obtain {
    let commit = commit.filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_hexdigit()));
    let note = match (recipes(id), commit) {
        (Recipes::Aports, Some(c)) => format!("the aports tree at commit {c}: the APKBUILD and patches are in main/{origin}/ or community/{origin}/ (the database does not say which); its source= line names the upstream archive"),
        (Recipes::Aports, None) => format!("the database records no aports commit: find the APKBUILD of {origin} in the aports branch of the image's Alpine release"),
        (Recipes::WolfiOs, Some(c)) => format!("the wolfi-dev/os tree at commit {c}: {origin}.yaml is the melange recipe that built the package, with its patches beside it; its fetch or git-checkout step names the upstream source"),
        (Recipes::WolfiOs, None) => format!("the database records no commit: find {origin}.yaml in the history of wolfi-dev/os at the package's version"),
        (Recipes::Chainguard, c) => format!(
                "Chainguard builds its packages from a package repository of its own that is not public: ask Chainguard for the source of {origin}{}",
                c.map(|c| format!(" as built from commit {c} (the package's c: field)")).unwrap_or_default()
            ),
        (Recipes::Unknown, c) => format!(
                "the distribution is not one whose recipe repository is known: ask its vendor for the recipe of {origin}{}",
                c.map(|c| format!(" at commit {c} (the package's c: field)")).unwrap_or_default()
            ),
    };
    Obtain {
        command: None,
        url: None,
        file: None,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMIT: &str = "f93af038c3e5a4c2e3a4d2b4a1b6f1c2d3e4f5a6";

    #[test]
    fn each_distribution_has_its_recipes() {
        for (id, r) in [
            (Some("alpine"), Recipes::Aports),
            (Some("wolfi"), Recipes::WolfiOs),
            (Some("chainguard"), Recipes::Chainguard),
            (Some("postmarketos"), Recipes::Unknown),
            (None, Recipes::Unknown),
        ] {
            assert_eq!(recipes(id), r, "{id:?}");
        }
    }

    #[test]
    fn alpine_points_at_the_aports_commit() {
        let o = obtain(Some("alpine"), "musl", Some(COMMIT));
        assert!(o.note.contains(COMMIT) && o.note.contains("main/musl/"));
        assert!(obtain(Some("alpine"), "musl", None)
            .note
            .contains("records no aports commit"));
        assert!(obtain(Some("alpine"), "musl", Some("../x"))
            .note
            .contains("records no aports commit"));
    }

    #[test]
    fn wolfi_points_at_wolfi_dev_os() {
        let o = obtain(Some("wolfi"), "glibc", Some(COMMIT));
        assert!(o.note.contains(COMMIT) && o.note.contains("glibc.yaml"));
    }

    #[test]
    fn chainguard_and_unknown_say_whom_to_ask() {
        let o = obtain(Some("chainguard"), "glibc", Some(COMMIT));
        assert_eq!(o.command, None);
        assert!(o
            .note
            .contains("ask Chainguard for the source of glibc as built from commit f93af038"));
        let o = obtain(None, "glibc", Some(COMMIT));
        assert!(o.note.contains("ask its vendor"));
    }
}
