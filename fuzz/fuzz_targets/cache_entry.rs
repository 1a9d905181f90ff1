//! Any bytes as a layer cache entry, and any bytes as the body of an entry whose header and
//! checksum are sound (what a writer of a shared cache can make): reading them back must
//! end with a scan or an error, never a panic, and a scan read back must be safe to use.
//! Likewise any bytes as a kept reading of a copyright file, concluded for a package.
#![no_main]

use std::sync::Arc;

use layerbom::cache::entry::{decode, wrap, Kept};
use layerbom::license::binary::Shipped;
use layerbom::license::debian::read_saved;
use layerbom::overlay::Overlay;
use layerbom::pipeline::capture_rules;
use layerbom::scan::ImageBudget;
use libfuzzer_sys::fuzz_target;

const FINGERPRINT: [u8; 32] = [7; 32];
const LAYER: [u8; 32] = [9; 32];

fuzz_target!(|data: &[u8]| {
    if let Some(reading) = read_saved(data) {
        let _ = reading.conclude("usr/share/doc/p/copyright", "p", &Shipped::unknown("p"));
    }
    let rules = capture_rules().within(Arc::new(ImageBudget::new(1 << 24, 1 << 20, 100_000)));
    let _ = decode(&FINGERPRINT, &LAYER, data, 1 << 26, &rules);
    let Some(entry) = wrap(&FINGERPRINT, &LAYER, data) else {
        return;
    };
    if let Ok(Kept { scan, .. }) = decode(&FINGERPRINT, &LAYER, &entry, 1 << 26, &rules) {
        let _ = scan.replay(&rules);
        let o = Overlay::new(vec![&scan, &scan]);
        for f in scan.files.iter().take(64) {
            let _ = o.read(&f.path, 1);
            let _ = o.resolve(&format!("{}/x/../copyright", f.path), 1);
        }
        let _ = o.visible_under("", 1);
    }
});
