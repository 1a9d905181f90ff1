//! Any bytes as a native JSON document read back by `layerbom convert`: reading must end
//! with a report or an error, and a report read back must render into every document
//! format, for every delivery mode, without a panic and the same bytes twice. Seed it with
//! the `__json.snap` documents of `tests/snapshots/` (their lines after the `---` header).
#![no_main]

use layerbom::model::obligations::Delivery;
use layerbom::pipeline;
use layerbom::render::{self, FORMATS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(report) = pipeline::read_archived(data, "fuzz.json") else {
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
