//! Any bytes as the first bytes of a file named like a secret, under every name whose form
//! the classifier reads (PEM, PuTTY, PKCS#12, Java key stores, .netrc, git credentials,
//! Docker's config.json, AWS, .npmrc, .pypirc, .env, .pgpass, .htpasswd, kube config,
//! settings, tokens), and streamed through the secret inspector: a verdict, never a panic,
//! and the inspector reads no more than its head.
#![no_main]

use std::io::{self, Read};

use layerbom::audit::secret::{classify, SecretInspector, HEAD};
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

const PATHS: [&str; 15] = [
    "root/.ssh/id_rsa",
    "srv/store.p12",
    "srv/app.jks",
    "root/.netrc",
    "root/.git-credentials",
    "root/.docker/config.json",
    "root/.aws/credentials",
    "app/.npmrc",
    "root/.pypirc",
    "app/.env",
    "root/.pgpass",
    "etc/.htpasswd",
    "root/.kube/config",
    "app/credentials.json",
    "run/secrets/token",
];

fuzz_target!(|data: &[u8]| {
    for path in PATHS {
        let _ = classify(path, data);
    }
    if data.len() >= 4 {
        let magic = [data[0], data[1], data[2], data[3]];
        let mut rest = Entry { data: &data[4..] };
        let _ = SecretInspector.inspect("etc/x.pem", data.len() as u64, magic, &mut rest);
        let read = data.len() - 4 - rest.data.len();
        assert!(read + 4 <= HEAD, "read {read} bytes past the head");
    }
});
