//! Any bytes as a native JSON document read back by `layerbom convert`: reading must end
//! with a report or an error, and a report read back must render into every document
//! format, for every delivery mode, without a panic and the same bytes twice. Seed it with
//! the `__json.snap` documents of `tests/snapshots/` (their lines after the `---` header).
#![no_main]

mod every_format;

use layerbom::pipeline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = pipeline::read_archived(data, "fuzz.json") {
        every_format::render_twice(&report);
    }
});
