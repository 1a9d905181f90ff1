//! What the `pipeline` and `native_json` targets do with a report they reach: the model
//! for every delivery mode, rendered into every document format twice, to the same bytes.

use layerbom::model::obligations::Delivery;
use layerbom::model::Report;
use layerbom::pipeline;
use layerbom::render::{self, FORMATS};

/// Renders `report` into every format for every delivery mode; panics when a format does
/// not give the same bytes twice.
pub fn render_twice(report: &Report) {
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
}
