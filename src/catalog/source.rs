//! Helpers for saying where a package's exact source can be obtained (each ecosystem's
//! `source.rs` builds its [`Obtain`](crate::model::Obtain) with them).

/// Percent-encodes a name or version for a URL path: everything but unreserved characters.
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
pub fn shell_safe(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'+' | b'~' | b':' | b'=')
        })
}
