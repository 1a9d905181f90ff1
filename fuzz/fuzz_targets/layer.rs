//! Any bytes as a layer blob: the scan must end with a result or an error, never a panic,
//! whether it verifies (reading everything) or seeks past contents.
#![no_main]

use std::io::Cursor;

use layerbom::overlay::Overlay;
use layerbom::scan::{scan_layer, CaptureRules, Expect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let rules = CaptureRules::builder()
        .want("var/lib/dpkg/status", 1 << 16)
        .want("usr/share/doc/*/copyright", 1 << 12)
        .build();
    for verify in [false, true] {
        let expect = Expect {
            verify,
            ..Expect::default()
        };
        if let Ok(scan) = scan_layer(Cursor::new(data), &expect, &rules, None) {
            // Exercise the overlay on whatever came out, including symlink resolution.
            let o = Overlay::new(vec![&scan, &scan]);
            for f in scan.files.iter().take(64) {
                let _ = o.read(&f.path, 1);
                let _ = o.resolve(&format!("{}/x/../copyright", f.path), 1);
            }
            let _ = o.visible_under("", 1);
        }
    }
});
