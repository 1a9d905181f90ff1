//! Any bytes as a package database (dpkg status, its file lists and md5sums, rpmdb of any
//! kind, the distroless rpm manifest, apk installed, os-release): the parsers must return
//! records or warnings, never panic.
#![no_main]

use layerbom::catalog::{apk, dpkg, os_release, rpm};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dpkg::parse::parse_status(data);
    let _ = dpkg::parse::parse_list(data);
    let _ = dpkg::parse::parse_md5sums(data);
    let _ = rpm::parse::read_rpmdb(data);
    let _ = rpm::parse::read_sqlite(data);
    let _ = rpm::parse::read_bdb(data);
    let _ = rpm::parse::read_ndb(data);
    let _ = rpm::parse::parse_header(data);
    let _ = rpm::parse::read_manifest_within(data, usize::MAX);
    let _ = apk::parse::parse_installed(data);
    let _ = os_release::parse(data);
});
