//! Any bytes as each document a package mirror serves for the source bundle: a `Release`
//! text, a `Sources` index (gzip, xz or plain, decompressed within its bound) and a `.dsc`.
//! An answer or an error, never a panic or an allocation past the bounds; every name listed
//! is a word.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for name in layerbom::bundle::files_listed(data) {
        assert!(!name.is_empty() && !name.contains(char::is_whitespace), "{name:?}");
    }
});
