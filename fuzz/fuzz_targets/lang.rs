//! Any bytes as language package metadata (METADATA, package.json, gemspec, Composer
//! installed.json, cargo-auditable data, a pom.xml's supplier, a list of authors) and as a binary or archive streamed through the
//! inspector (ELF with Go build information or audit data, jar/war/ear): every parser must
//! return packages or nothing, never panic, and the inspector must stay within the entry.
#![no_main]

use std::io::{self, Read};

use layerbom::catalog::inspect::BinaryInspector;
use layerbom::catalog::{cargo, composer, gem, java, npm, party, python};
use layerbom::scan::{EntryRead, Inspector};
use libfuzzer_sys::fuzz_target;

/// The fuzz input as a layer entry.
struct Entry<'a> {
    data: &'a [u8],
}

impl Read for Entry<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.data.read(buf)
    }
}

impl EntryRead for Entry<'_> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let n = n.min(self.data.len() as u64) as usize;
        self.data = &self.data[n..];
        Ok(())
    }

    fn left(&self) -> u64 {
        self.data.len() as u64
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = python::parse::package(data, "site-packages/x-1.dist-info/METADATA", 0);
    let _ = npm::parse::package(data, "node_modules/x/package.json", 0);
    let _ = gem::parse::package(data, "specifications/x-1.gemspec", 0);
    let _ = composer::parse::packages(data, "vendor/composer/installed.json", 0);
    let _ = cargo::parse::parse(data);
    let _ = java::pom::supplier(data);
    let _ = party::mailboxes(&String::from_utf8_lossy(data));
    if data.len() >= 4 {
        let magic = [data[0], data[1], data[2], data[3]];
        for path in ["usr/bin/x", "opt/app.war"] {
            let mut rest = Entry { data: &data[4..] };
            let _ = BinaryInspector.inspect(path, data.len() as u64, magic, &mut rest);
        }
    }
});
