//! Any bytes as an image file: opening (indexing the outer tar, reading manifest.json,
//! index.json and the config) and scanning must never panic. The same bytes are also fed
//! gzip-wrapped, as a compressed archive (`docker save | gzip`), read in one pass.
#![no_main]

use std::io::Write;

use layerbom::pipeline::{read_image, Options};
use layerbom::scan::CaptureRules;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    if gz.write_all(data).is_err() {
        return;
    }
    let Ok(gz) = gz.finish() else { return };
    let rules = CaptureRules::builder().want("etc/os-release", 4096).build();
    for bytes in [data, gz.as_slice()] {
        let Ok(mut f) = tempfile::NamedTempFile::new() else {
            return;
        };
        if f.write_all(bytes).is_err() {
            return;
        }
        for verify in [true, false] {
            let opts = Options {
                verify,
                ..Options::default()
            };
            let _ = read_image(f.path(), &opts, &rules);
        }
    }
});
