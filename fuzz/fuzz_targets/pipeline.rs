//! Any bytes as an image file, through the whole pipeline: opening, scanning, cataloging,
//! attribution, licenses, obligations and every document format, for every delivery mode.
//! Nothing may panic, and rendering the same model twice gives the same bytes.
#![no_main]

use std::io::Write;

use layerbom::model::obligations::Delivery;
use layerbom::pipeline::{self, BaseHints, Options};
use layerbom::render::{self, FORMATS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mut f) = tempfile::NamedTempFile::new() else {
        return;
    };
    if f.write_all(data).is_err() {
        return;
    }
    let Ok(report) = pipeline::scan(f.path(), &Options::default(), &BaseHints::default()) else {
        return;
    };
    let options = render::Options::default();
    for delivery in Delivery::ALL {
        let bom = pipeline::bom(report.clone(), delivery, Some("0"));
        for format in FORMATS {
            let mut first = Vec::new();
            if format.write(&bom, &options, &mut first).is_err() {
                continue;
            }
            let mut again = Vec::new();
            let _ = format.write(&bom, &options, &mut again);
            assert!(first == again, "{} is not deterministic", format.name());
        }
    }
});
