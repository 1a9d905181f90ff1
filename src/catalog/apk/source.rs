//! Where the exact source of an apk package is: the aports tree at the commit it was built
//! from.

use crate::model::Obtain;

/// Alpine: the aports tree at the commit the package was built from.
pub fn obtain(origin: &str, commit: Option<&str>) -> Obtain {
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
    fn alpine_points_at_the_aports_commit() {
        let o = obtain("musl", Some("f93af038c3e5a4c2e3a4d2b4a1b6f1c2d3e4f5a6"));
        assert_eq!(
            o.url.as_deref(),
            Some("https://gitlab.alpinelinux.org/alpine/aports/-/tree/f93af038c3e5a4c2e3a4d2b4a1b6f1c2d3e4f5a6")
        );
        assert!(o.note.contains("main/musl/"));
        assert_eq!(obtain("musl", None).url, None);
        assert_eq!(obtain("musl", Some("../x")).url, None);
    }
}
