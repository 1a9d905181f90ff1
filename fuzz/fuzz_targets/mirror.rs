//! Any bytes as each document a package mirror serves for the source bundle: a `Release`
//! text, a `Sources` index (gzip, xz or plain, decompressed within its bound), a `.dsc`, and
//! an apk recipe archive (tar, gzip or plain). An answer or an error, never a panic or an
//! allocation past the bounds; every name listed is a word.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for name in layerbom::bundle::files_listed(data) {
        assert!(
            !name.is_empty() && !name.contains(char::is_whitespace),
            "{name:?}"
        );
    }
    if let Ok(how) = layerbom::bundle::recipe_archive(
        data,
        "busybox",
        "1.36.1-r2",
        "2684a6593b10051f8f9fcb01e4734e2d9533b0ea",
    ) {
        assert!(how.contains("busybox/APKBUILD builds 1.36.1-r2"), "{how}");
    }
});
