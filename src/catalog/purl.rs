//! Package URLs (purl) for OS packages, per the purl specification's `deb`, `rpm` and `apk`
//! types: `pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS`, with qualifiers sorted by key and
//! every component percent-encoded.

/// Percent-encodes a purl component, keeping the characters the spec leaves as they are.
fn encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') || keep.contains(&b)
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Builds a purl. `qualifiers` with empty values are left out.
pub fn purl(
    kind: &str,
    namespace: &str,
    name: &str,
    version: &str,
    qualifiers: &[(&str, String)],
) -> String {
    let mut s = format!("pkg:{kind}/");
    if !namespace.is_empty() {
        s.push_str(&encode(&namespace.to_ascii_lowercase(), &[]));
        s.push('/');
    }
    s.push_str(&encode(name, &[]));
    if !version.is_empty() {
        s.push('@');
        s.push_str(&encode(version, b":"));
    }
    let mut q: Vec<&(&str, String)> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    q.sort_by_key(|(k, _)| *k);
    for (i, (k, v)) in q.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(k);
        s.push('=');
        s.push_str(&encode(v, b":"));
    }
    s
}

/// The purl namespace for a distribution's `os-release` ID.
pub fn namespace(os_id: Option<&str>, fallback: &str) -> String {
    match os_id {
        Some("rhel") => "redhat".into(),
        Some("opensuse-leap" | "opensuse-tumbleweed" | "sles") => "opensuse".into(),
        Some(id) if !id.is_empty() => id.to_ascii_lowercase(),
        _ => fallback.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_purls_keep_the_epoch_and_encode_plus() {
        let p = purl(
            "deb",
            "debian",
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
            purl("deb", "debian", "zlib1g", "1:1.2.13", &[]),
            "pkg:deb/debian/zlib1g@1:1.2.13"
        );
    }

    #[test]
    fn empty_qualifiers_are_left_out_and_keys_sorted() {
        assert_eq!(
            purl(
                "rpm",
                "fedora",
                "bash",
                "5.2-1.fc39",
                &[("epoch", String::new()), ("arch", "x86_64".into())]
            ),
            "pkg:rpm/fedora/bash@5.2-1.fc39?arch=x86_64"
        );
    }
}
