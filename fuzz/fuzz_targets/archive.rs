//! Any bytes as an image file: opening (indexing the outer tar, reading manifest.json,
//! index.json and the config) and scanning must never panic.
#![no_main]

use std::io::Write;

use layerbom::pipeline::{read_image, Options};
use layerbom::scan::CaptureRules;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mut f) = tempfile::NamedTempFile::new() else { return };
    if f.write_all(data).is_err() {
        return;
    }
    let rules = CaptureRules::builder().want("etc/os-release", 4096).build();
    for verify in [true, false] {
        let opts = Options { verify, ..Options::default() };
        let _ = read_image(f.path(), &opts, &rules);
    }
});
