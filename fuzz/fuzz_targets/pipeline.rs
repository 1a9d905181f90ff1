//! Any bytes as an image file, through the whole pipeline: opening, scanning, cataloging,
//! attribution, licenses, obligations and every document format, for every delivery mode.
//! Nothing may panic, and rendering the same model twice gives the same bytes.
#![no_main]

mod every_format;

use std::io::Write;

use layerbom::pipeline::{self, BaseHints, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mut f) = tempfile::NamedTempFile::new() else {
        return;
    };
    if f.write_all(data).is_err() {
        return;
    }
    if let Ok(report) = pipeline::scan(f.path(), &Options::default(), &BaseHints::default()) {
        every_format::render_twice(&report);
    }
});
