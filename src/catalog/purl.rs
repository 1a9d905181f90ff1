//! Package URLs (purl): `pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS`, one builder for every
//! ecosystem.
//!
//! Each namespace segment, the name, the version and each qualifier value are
//! percent-encoded on their own (so a Go module path or an npm scope keeps its `/`
//! separators), keeping the unreserved characters and the colon, which the purl
//! specification says is never encoded. Qualifiers are sorted by key and empty ones left
//! out. The `deb`, `rpm` and `apk` namespaces (the vendor) are lower-cased, as their type
//! definitions require.

/// Percent-encodes one purl component.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The types whose namespace is a case-insensitive vendor name, written in lower case.
const LOWER_CASE_NAMESPACE: [&str; 3] = ["deb", "rpm", "apk"];

/// Builds a purl. Empty namespace segments and qualifiers with empty values are left out;
/// an empty version leaves out `@`.
pub fn purl(
    kind: &str,
    namespace: &[&str],
    name: &str,
    version: &str,
    qualifiers: &[(&str, String)],
) -> String {
    let mut s = format!("pkg:{kind}/");
    for seg in namespace.iter().filter(|s| !s.is_empty()) {
        if LOWER_CASE_NAMESPACE.contains(&kind) {
            s.push_str(&encode(&seg.to_ascii_lowercase()));
        } else {
            s.push_str(&encode(seg));
        }
        s.push('/');
    }
    s.push_str(&encode(name));
    if !version.is_empty() {
        s.push('@');
        s.push_str(&encode(version));
    }
    let mut q: Vec<&(&str, String)> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    q.sort_by_key(|(k, _)| *k);
    for (i, (k, v)) in q.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(k);
        s.push('=');
        s.push_str(&encode(v));
    }
    s
}

/// The purl vendor namespace of each distribution, by its `os-release` `ID`, as the purl
/// type definitions of `deb`, `rpm` and `apk` ask ("the vendor, such as fedora or
/// opensuse") and as the distributions' own advisories and SBOMs write it.
pub const VENDORS: [(&str, &str); 20] = [
    ("debian", "debian"),
    ("ubuntu", "ubuntu"),
    ("alpine", "alpine"),
    ("wolfi", "wolfi"),
    ("chainguard", "chainguard"),
    ("rhel", "redhat"),
    ("centos", "centos"),
    ("fedora", "fedora"),
    ("rocky", "rocky"),
    ("almalinux", "almalinux"),
    ("amzn", "amzn"),
    ("ol", "oracle"),
    ("opensuse", "opensuse"),
    ("opensuse-leap", "opensuse"),
    ("opensuse-tumbleweed", "opensuse"),
    ("opensuse-microos", "opensuse"),
    ("sles", "sles"),
    ("sle-micro", "sles"),
    ("mariner", "mariner"),
    ("azurelinux", "azurelinux"),
];

/// Who an operating-system package's purl names as its vendor, from the view's
/// `os-release`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Vendor {
    /// A distribution in [`VENDORS`]: its namespace.
    Known(&'static str),
    /// An `ID` not in [`VENDORS`]: the ID itself, lower-cased, is the namespace (what the
    /// distribution calls itself is the best name of its vendor there is).
    Unlisted(String),
    /// No `os-release`, or one without `ID`: the namespace is left out rather than guessed
    /// (the purl types' own examples show a purl without one).
    Unstated,
}

impl Vendor {
    /// The vendor of the distribution `os` names.
    pub fn of(os: Option<&super::os_release::OsRelease>) -> Vendor {
        let Some(id) = os.and_then(|o| o.id.as_deref()).filter(|id| !id.is_empty()) else {
            return Vendor::Unstated;
        };
        let id = id.to_ascii_lowercase();
        match VENDORS.iter().find(|(i, _)| *i == id) {
            Some((_, namespace)) => Vendor::Known(namespace),
            None => Vendor::Unlisted(id),
        }
    }

    /// The purl namespace: empty when [`Vendor::Unstated`].
    pub fn namespace(&self) -> &str {
        match self {
            Vendor::Known(n) => n,
            Vendor::Unlisted(id) => id,
            Vendor::Unstated => "",
        }
    }
}

/// The `distro` qualifier of an operating-system package: `ID-VERSION_ID`.
pub fn distro(os: Option<&super::os_release::OsRelease>) -> String {
    os.and_then(|o| Some(format!("{}-{}", o.id.as_deref()?, o.version_id.as_deref()?)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_purls_keep_the_epoch_and_encode_plus() {
        let p = purl(
            "deb",
            &["debian"],
            "libgcc-s1",
            "12.2.0-14+deb12u1",
            &[
                ("arch", "amd64".into()),
                ("distro", "debian-12".into()),
                ("upstream", "gcc-12@12.2.0-14+deb12u1".into()),
            ],
        );
        assert_eq!(
            p,
            "pkg:deb/debian/libgcc-s1@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=gcc-12%4012.2.0-14%2Bdeb12u1"
        );
        assert_eq!(
            purl("deb", &["Debian"], "zlib1g", "1:1.2.13", &[]),
            "pkg:deb/debian/zlib1g@1:1.2.13"
        );
    }

    #[test]
    fn empty_qualifiers_are_left_out_and_keys_sorted() {
        assert_eq!(
            purl(
                "rpm",
                &["fedora"],
                "bash",
                "5.2-1.fc39",
                &[("epoch", String::new()), ("arch", "x86_64".into())]
            ),
            "pkg:rpm/fedora/bash@5.2-1.fc39?arch=x86_64"
        );
    }

    fn vendor_of(os_release: &str) -> Vendor {
        let os = crate::catalog::os_release::parse(os_release.as_bytes()).0;
        Vendor::of(Some(&os))
    }

    #[test]
    fn each_distribution_names_its_own_vendor() {
        for (id, namespace) in [
            ("rhel", "redhat"),
            ("\"ol\"", "oracle"),
            ("sles", "sles"),
            ("opensuse-leap", "opensuse"),
            ("azurelinux", "azurelinux"),
            ("wolfi", "wolfi"),
            ("ubuntu", "ubuntu"),
        ] {
            assert_eq!(
                vendor_of(&format!("ID={id}\n")),
                Vendor::Known(namespace),
                "{id}"
            );
        }
    }

    #[test]
    fn an_unknown_distribution_is_named_by_its_id_and_none_by_nothing() {
        let v = vendor_of("ID=Photon\nID_LIKE=fedora\n");
        assert_eq!(v, Vendor::Unlisted("photon".into()));
        assert_eq!(v.namespace(), "photon");
        assert_eq!(vendor_of("NAME=x\n"), Vendor::Unstated);
        assert_eq!(Vendor::of(None).namespace(), "");
        assert_eq!(
            purl("rpm", &[Vendor::Unstated.namespace()], "bash", "5.2-1", &[]),
            "pkg:rpm/bash@5.2-1"
        );
    }

    #[test]
    fn each_namespace_segment_is_encoded_on_its_own() {
        assert_eq!(
            purl("npm", &["@isaacs"], "string-locale-compare", "1.1.0", &[]),
            "pkg:npm/%40isaacs/string-locale-compare@1.1.0"
        );
        assert_eq!(
            purl(
                "golang",
                &["github.com", "Azure"],
                "go-autorest",
                "v0.9.1+incompatible",
                &[]
            ),
            "pkg:golang/github.com/Azure/go-autorest@v0.9.1%2Bincompatible"
        );
        assert_eq!(purl("gem", &[], "rack", "", &[]), "pkg:gem/rack");
    }
}
