//! Any bytes as the text files layerbom reads from images or users: Dockerfiles (parsed and
//! audited), Debian copyright files (read whole, paragraph by paragraph and notice by notice,
//! GCC's runtime library sentence, and as the file of a package that ships nothing known),
//! license names in prose and distro license strings, and license texts matched against the
//! SPDX texts. Each must give a result or an error, never panic.
#![no_main]

use layerbom::license::binary::Shipped;
use layerbom::license::freeform::{self, Naming};
use layerbom::license::names::{self, Dialect};
use layerbom::license::{copyright, debian, gcc, prose, text as license_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = layerbom::dockerfile::parse(&text);
    let _ = layerbom::audit::dockerfile::audit("Dockerfile", &text);
    let _ = copyright::parse(data);
    let _ = prose::named_licenses(&text);
    for naming in [Naming::CommonLicenses, Naming::Prose] {
        let _ = freeform::blocks(&text, naming);
    }
    let _ = freeform::notices(&text);
    let reading = debian::read(data);
    let _ = reading.conclude(
        "usr/share/doc/fuzz/copyright",
        "fuzz",
        &Shipped::unknown("fuzz"),
    );
    let _ = names::normalize_declared(&text, Dialect::Rpm);
    let _ = names::normalize_declared(&text, Dialect::Apk);
    if let Some(file) = gcc::File::read(&text) {
        for package in ["libgcc-s1", "lib32stdc++6"] {
            let _ = file.runtime_exception(package);
        }
        let _ = file.library_terms(&["stdc++".to_string(), "asan".to_string()]);
    }
    for dialect in [Dialect::Debian, Dialect::Rpm, Dialect::Apk] {
        let _ = names::normalize(&text, dialect);
    }
    // At the threshold layerbom uses; `identify` caches results per text, so each input
    // is matched once.
    let found = license_text::identify(&text, 0.8);
    assert!(found.iter().all(|m| (0.8..=1.0).contains(&m.confidence)));
});
