//! Secrets in layers: which files may hold one, and what their first bytes show.
//!
//! A file deleted by a later layer is still in the layer that added it, so a key or a
//! password deleted "after use" ships with the image. A file's *name* only says where to
//! look: `/etc/ssl/certs/*.pem` are public certificates, `id_rsa.pub` is a public key. So
//! the layer scan reads the first [`HEAD`] bytes of every file whose name looks like a
//! secret ([`named`]) as it streams past ([`SecretInspector`], one pass, nothing kept but
//! the verdict), and [`classify`] says what they show:
//!
//! - a secret: a PEM private key of any kind, a PuTTY key, a PKCS#12 or Java key store with
//!   a key, or a credentials file of a known form holding a password or token
//!   ([`SecretContent`]);
//! - something public: a certificate, a public key, an SSH public key, a Java trust store;
//! - nothing of a secret's shapes (an empty file, source code that mentions tokens).
//!
//! The image audit turns the first into an error, and reports a file whose content could
//! not be read (an executable, a hard link to a file that was not read, a larger file whose
//! first bytes show nothing) as a warning: then only the name speaks.

use std::io::Read;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::{Credentials, SecretContent};
use crate::scan::capture::CaptureRulesBuilder;
use crate::scan::{EntryRead, Inspection, Inspector};

/// The bytes of a candidate file read and classified: enough for any key or credentials
/// file, while memory stays bounded whatever the file's size.
pub const HEAD: usize = 8 << 10;

/// The shortest file that can hold a key, a token or credentials; shorter ones are not
/// read (the scan offers an inspector a file's first four bytes at once).
pub const SHORTEST: u64 = 4;

/// What a file's name says it may hold, when it looks like a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// `id_rsa`, `id_ed25519`, …
    SshKey,
    /// `*.pem`, `*.key`, `*.ppk`.
    KeyFile,
    /// `*.p12`, `*.pfx`, `*.jks`, `*.keystore`.
    KeyStore,
    /// `.env`, `.env.*`.
    Env,
    /// `.aws/credentials`.
    Aws,
    /// `.docker/config.json`.
    Docker,
    /// `.kube/config`.
    Kube,
    /// `.npmrc`.
    Npmrc,
    /// `.pypirc`.
    Pypirc,
    /// `.git-credentials`.
    GitCredentials,
    /// `.netrc`, `_netrc`.
    Netrc,
    /// `.pgpass`.
    Pgpass,
    /// `.htpasswd`.
    Htpasswd,
    /// `credentials`, `credentials.json`.
    Credentials,
    /// A name containing `token` or `secret`.
    TokenOrSecret,
}

impl Named {
    /// What the name says, for a finding's sentence.
    pub fn what(self) -> &'static str {
        match self {
            Named::SshKey => "an SSH private key",
            Named::KeyFile => "a private key or certificate (.pem/.key/.ppk)",
            Named::KeyStore => "a key store",
            Named::Env => "an environment file (.env)",
            Named::Aws => "AWS credentials",
            Named::Docker => "Docker registry credentials",
            Named::Kube => "a Kubernetes client configuration",
            Named::Npmrc => "npm registry credentials (.npmrc)",
            Named::Pypirc => "PyPI credentials (.pypirc)",
            Named::GitCredentials => "git credentials",
            Named::Netrc => "login credentials (.netrc)",
            Named::Pgpass => "PostgreSQL passwords (.pgpass)",
            Named::Htpasswd => "password hashes (.htpasswd)",
            Named::Credentials => "credentials",
            Named::TokenOrSecret => "a token or secret (by its name)",
        }
    }
}

/// What the name of the file at root-relative `path` says it may hold, if it looks like a
/// secret.
pub fn named(path: &str) -> Option<Named> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let in_dir = |d: &str| {
        let dir = lower.strip_suffix(name).unwrap_or("");
        dir == format!("{d}/") || dir.ends_with(&format!("/{d}/"))
    };
    const SSH_KEYS: [&str; 6] = [
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "id_ecdsa_sk",
        "id_ed25519_sk",
    ];
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| name.ends_with(s));
    Some(if SSH_KEYS.contains(&name) {
        Named::SshKey
    } else if ends(&[".pem", ".key", ".ppk"]) {
        Named::KeyFile
    } else if ends(&[".p12", ".pfx", ".jks", ".keystore"]) {
        Named::KeyStore
    } else if name == ".env" || name.starts_with(".env.") {
        Named::Env
    } else if name == "credentials" && in_dir(".aws") {
        Named::Aws
    } else if name == "config.json" && in_dir(".docker") {
        Named::Docker
    } else if name == "config" && in_dir(".kube") {
        Named::Kube
    } else {
        match name {
            ".npmrc" => Named::Npmrc,
            ".pypirc" => Named::Pypirc,
            ".git-credentials" => Named::GitCredentials,
            ".netrc" | "_netrc" => Named::Netrc,
            ".pgpass" => Named::Pgpass,
            ".htpasswd" => Named::Htpasswd,
            "credentials" | "credentials.json" => Named::Credentials,
            _ if name.contains("token") || name.contains("secret") => Named::TokenOrSecret,
            _ => return None,
        }
    })
}

/// What the first bytes of a file show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reading {
    /// A secret.
    Secret(SecretContent),
    /// Something public: a certificate, a public key, a trust store.
    Public(Public),
    /// None of a secret's shapes (an empty file, text that mentions no password).
    Nothing,
}

/// The public things a candidate file may hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Public {
    /// PEM blocks, none of them private: the first block's label (`CERTIFICATE`,
    /// `PUBLIC KEY`, …).
    Pem(String),
    /// An OpenSSH public key line (`ssh-ed25519 AAAA…`).
    SshPublicKey,
    /// A Java key store holding only trusted certificates.
    TrustStore,
}

/// What [`SecretInspector`] keeps of a file: what its first bytes show, and whether they
/// were the whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspected {
    /// What the bytes read show.
    pub reading: Reading,
    /// The bytes read were the whole file.
    pub whole: bool,
}

/// What the first bytes (`head`) of the file at root-relative `path` show. Any bytes are
/// accepted: the function reads at most `head`, allocates nothing in proportion to it
/// beyond a copy of one line, and never panics.
pub fn classify(path: &str, head: &[u8]) -> Reading {
    if head.iter().all(u8::is_ascii_whitespace) {
        return Reading::Nothing;
    }
    let pem = pem_labels(head);
    if let Some(label) = pem.iter().find(|l| l.contains("PRIVATE KEY")) {
        return Reading::Secret(SecretContent::PemPrivateKey(label.to_string()));
    }
    if head.starts_with(b"PuTTY-User-Key-File-") {
        return Reading::Secret(SecretContent::PuttyKey);
    }
    if is_pkcs12(head) {
        return Reading::Secret(SecretContent::Pkcs12);
    }
    if let Some(store) = java_key_store(head) {
        return store;
    }
    let text = String::from_utf8_lossy(head);
    let credentials = match named(path) {
        Some(Named::Netrc) => netrc(&text).then_some(Credentials::Netrc),
        Some(Named::GitCredentials) => {
            git_credentials(&text).then_some(Credentials::GitCredentials)
        }
        Some(Named::Docker) => docker_config(&text).then_some(Credentials::DockerConfig),
        Some(Named::Aws) => aws(&text).then_some(Credentials::Aws),
        Some(Named::Npmrc) => npmrc(&text).then_some(Credentials::Npmrc),
        Some(Named::Pypirc) => pypirc(&text).then_some(Credentials::Pypirc),
        Some(Named::Env) => env(&text).then_some(Credentials::Env),
        Some(Named::Pgpass) => pgpass(&text).then_some(Credentials::Pgpass),
        Some(Named::Htpasswd) => htpasswd(&text).then_some(Credentials::Htpasswd),
        Some(Named::Kube) => kubeconfig(&text).then_some(Credentials::Kubeconfig),
        Some(Named::Credentials) => {
            if aws(&text) {
                Some(Credentials::Aws)
            } else if docker_config(&text) {
                Some(Credentials::DockerConfig)
            } else {
                setting(&text).then_some(Credentials::Setting)
            }
        }
        Some(Named::TokenOrSecret) => {
            if token(&text) {
                Some(Credentials::Token)
            } else {
                setting(&text).then_some(Credentials::Setting)
            }
        }
        Some(Named::SshKey | Named::KeyFile | Named::KeyStore) | None => None,
    };
    if let Some(c) = credentials {
        return Reading::Secret(SecretContent::Credentials(c));
    }
    if let Some(label) = pem.first() {
        return Reading::Public(Public::Pem(label.to_string()));
    }
    if ssh_public_key(&text) {
        return Reading::Public(Public::SshPublicKey);
    }
    Reading::Nothing
}

/// The labels of the PEM blocks that begin in `head` (`-----BEGIN LABEL-----`), wherever
/// they are (a JSON string may hold one), in order.
fn pem_labels(head: &[u8]) -> Vec<&str> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    const LONGEST: usize = 64;
    let mut out = Vec::new();
    let mut rest = head;
    while let Some(at) = find(rest, BEGIN) {
        rest = &rest[at + BEGIN.len()..];
        let window = &rest[..rest.len().min(LONGEST + 5)];
        let Some(end) = find(window, b"-----") else {
            continue;
        };
        let label = &window[..end];
        let fits = !label.is_empty()
            && label
                .iter()
                .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ');
        if let (true, Ok(label)) = (fits, std::str::from_utf8(label)) {
            out.push(label);
        }
    }
    out
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A DER length after a tag: the length (`None` for BER's indefinite form) and the bytes it
/// took; `None` when malformed.
fn der_length(b: &[u8]) -> Option<(Option<usize>, usize)> {
    let first = *b.first()?;
    match first {
        0x00..=0x7f => Some((Some(usize::from(first)), 1)),
        0x80 => Some((None, 1)),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7f);
            let bytes = b.get(1..1 + n)?;
            let len = bytes
                .iter()
                .fold(0usize, |acc, &x| (acc << 8) | usize::from(x));
            Some((Some(len), 1 + n))
        }
        _ => None,
    }
}

/// Whether `head` begins as a PKCS#12 `PFX` does: `SEQUENCE { INTEGER 3, SEQUENCE { OID
/// pkcs7-data or pkcs7-signedData, …` (RFC 7292). Checked to the byte: a DER file of
/// another kind does not start so.
fn is_pkcs12(head: &[u8]) -> bool {
    const VERSION_3: &[u8] = &[0x02, 0x01, 0x03];
    const PKCS7: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07];
    let pfx = || -> Option<bool> {
        let (&tag, rest) = head.split_first()?;
        if tag != 0x30 {
            return None;
        }
        let (_, n) = der_length(rest)?;
        let rest = rest.get(n..)?.strip_prefix(VERSION_3)?;
        let (&tag, rest) = rest.split_first()?;
        if tag != 0x30 {
            return None;
        }
        let (_, n) = der_length(rest)?;
        let rest = rest.get(n..)?.strip_prefix(PKCS7)?;
        Some(matches!(rest.first(), Some(0x01 | 0x02)))
    };
    pfx().unwrap_or(false)
}

/// A bounded big-endian reader over a byte slice: every read checks what is left.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u16(&mut self) -> Option<usize> {
        self.take(2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A length-prefixed (u16) string or (u32) blob, passed over.
    fn skip_u16_prefixed(&mut self) -> Option<()> {
        let n = self.u16()?;
        self.take(n).map(drop)
    }

    fn skip_u32_prefixed(&mut self) -> Option<()> {
        let n = usize::try_from(self.u32()?).ok()?;
        self.take(n).map(drop)
    }
}

/// A Java key store (JKS `FEEDFEED` or JCEKS `CECECECE`): a secret when an entry holds a
/// private or secret key, public when every entry is a trusted certificate; `None` when
/// `head` is no key store, or ends before an answer.
fn java_key_store(head: &[u8]) -> Option<Reading> {
    let mut b = Bytes(head);
    let magic = b.u32()?;
    if magic != 0xFEED_FEED && magic != 0xCECE_CECE {
        return None;
    }
    let version = b.u32()?;
    if version != 1 && version != 2 {
        return None;
    }
    let count = b.u32()?;
    for _ in 0..count {
        match b.u32()? {
            // A private key entry, or a JCEKS secret key entry.
            1 | 3 => return Some(Reading::Secret(SecretContent::JavaKeyStore)),
            2 => {
                b.skip_u16_prefixed()?; // alias
                b.take(8)?; // date
                if version == 2 {
                    b.skip_u16_prefixed()?; // certificate type
                }
                b.skip_u32_prefixed()?; // the certificate
            }
            _ => return None,
        }
    }
    Some(Reading::Public(Public::TrustStore))
}

/// The lines of `text` that are not blank or `#` comments, trimmed.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
}

/// A setting's value says something: not empty, not a reference to the environment or a
/// template (`${NPM_TOKEN}`, `{{ .token }}`), once quotes are taken off.
fn real_value(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    let reference = (v.starts_with("${") && v.ends_with('}'))
        || v.strip_prefix('$')
            .is_some_and(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        || (v.starts_with("{{") && v.ends_with("}}"));
    !v.is_empty() && !reference
}

/// `key = value` or `key: value`: the key (lower-cased) and the value.
fn key_value(line: &str) -> Option<(String, &str)> {
    let at = line.find(['=', ':'])?;
    let key = line[..at].trim();
    let key = key.strip_prefix("export ").unwrap_or(key).trim();
    Some((key.to_ascii_lowercase(), &line[at + 1..]))
}

/// `.netrc`: a `password` token followed by a value.
fn netrc(text: &str) -> bool {
    lines(text).any(|l| {
        let mut words = l.split_ascii_whitespace();
        while let Some(w) = words.next() {
            if w == "password" {
                return words.next().is_some_and(real_value);
            }
        }
        false
    })
}

/// `.git-credentials`: a URL whose user information holds a password (`user:pass@`).
fn git_credentials(text: &str) -> bool {
    lines(text).any(|l| {
        let Some((_, after)) = l.split_once("://") else {
            return false;
        };
        let authority = after.split('/').next().unwrap_or(after);
        let Some((userinfo, _)) = authority.rsplit_once('@') else {
            return false;
        };
        userinfo
            .split_once(':')
            .is_some_and(|(_, password)| !password.is_empty())
    })
}

/// Docker's `config.json`: an `auths` entry with an `auth` or `identitytoken`. Read as
/// JSON when it parses; a file longer than what was read is searched for the two members.
fn docker_config(text: &str) -> bool {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        return v["auths"].as_object().is_some_and(|auths| {
            auths.values().any(|a| {
                ["auth", "identitytoken"]
                    .iter()
                    .any(|k| a[k].as_str().is_some_and(|s| !s.is_empty()))
            })
        });
    }
    text.contains("\"auths\"")
        && ["auth", "identitytoken"]
            .iter()
            .any(|name| json_values(text, name).any(|v| !v.is_empty()))
}

/// AWS `credentials`: an `aws_secret_access_key` with a value.
fn aws(text: &str) -> bool {
    lines(text)
        .any(|l| key_value(l).is_some_and(|(k, v)| k == "aws_secret_access_key" && real_value(v)))
}

/// `.npmrc`: an `_authToken`, `_auth` or `_password` (also scoped to a registry,
/// `//host/:_authToken=…`) with a value.
fn npmrc(text: &str) -> bool {
    lines(text).any(|l| {
        let Some((key, value)) = l.split_once('=') else {
            return false;
        };
        let key = key.trim().to_ascii_lowercase();
        let name = key.rsplit(':').next().unwrap_or(&key);
        matches!(name, "_authtoken" | "_auth" | "_password") && real_value(value)
    })
}

/// `.pypirc`: a `password` with a value.
fn pypirc(text: &str) -> bool {
    lines(text).any(|l| key_value(l).is_some_and(|(k, v)| k == "password" && real_value(v)))
}

/// Whether a variable or setting name names a secret.
fn secret_name(key: &str) -> bool {
    const WORDS: [&str; 9] = [
        "password",
        "passwd",
        "secret",
        "token",
        "api_key",
        "apikey",
        "private_key",
        "access_key",
        "credential",
    ];
    WORDS.iter().any(|w| key.contains(w))
}

/// `.env`: `NAME=value` where the name names a password, token, secret or key.
fn env(text: &str) -> bool {
    lines(text).any(|l| {
        let Some((key, value)) = l.split_once('=') else {
            return false;
        };
        let key = key.trim();
        let key = key.strip_prefix("export ").unwrap_or(key).trim();
        key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && secret_name(&key.to_ascii_lowercase())
            && real_value(value)
    })
}

/// `.pgpass`: a `host:port:database:user:password` line with a password.
fn pgpass(text: &str) -> bool {
    lines(text).any(|l| {
        let unescaped = l.replace("\\\\", "\u{0}").replace("\\:", "\u{0}");
        let fields: Vec<&str> = unescaped.split(':').collect();
        fields.len() == 5 && !fields[4].is_empty()
    })
}

/// `.htpasswd`: `user:hash` lines.
fn htpasswd(text: &str) -> bool {
    lines(text).any(|l| {
        l.split_once(':').is_some_and(|(user, hash)| {
            !user.is_empty()
                && !user.contains(char::is_whitespace)
                && hash.len() >= 13
                && !hash.contains(char::is_whitespace)
        })
    })
}

/// A Kubernetes client configuration with a `token`, `password`, `client-key-data`,
/// `id-token` or `refresh-token` value.
fn kubeconfig(text: &str) -> bool {
    lines(text).any(|l| {
        let l = l.trim_start_matches("- ");
        key_value(l).is_some_and(|(k, v)| {
            matches!(
                k.as_str(),
                "token" | "password" | "client-key-data" | "id-token" | "refresh-token"
            ) && real_value(v)
        })
    })
}

/// The names of settings that hold a password, secret or token.
const SETTING_NAMES: [&str; 8] = [
    "password",
    "passwd",
    "secret",
    "client_secret",
    "token",
    "access_token",
    "api_key",
    "apikey",
];

/// A setting whose name is exactly a password, secret or token name (`name = "value"`,
/// `name: value`, `"name": "value"`), with a value that looks like one: quoted and one
/// word, or a bare word of letters and digits (so that code, `token = None`, is not one).
fn setting(text: &str) -> bool {
    let looks_secret = |value: &str| {
        let value = value.trim().trim_end_matches([',', ';']).trim();
        let quoted = value.len() >= 2
            && ((value.starts_with('"') && value.ends_with('"'))
                || (value.starts_with('\'') && value.ends_with('\'')));
        let inner = if quoted {
            &value[1..value.len() - 1]
        } else {
            value
        };
        real_value(inner) && !inner.contains(char::is_whitespace) && (quoted || word(inner, 8))
    };
    let lines_say = lines(text).any(|l| {
        key_value(l).is_some_and(|(key, value)| {
            let key = key.trim_matches(|c| c == '"' || c == '\'');
            SETTING_NAMES.contains(&key) && looks_secret(value)
        })
    });
    lines_say
        || SETTING_NAMES.iter().any(|name| {
            json_values(text, name).any(|v| real_value(v) && !v.contains(char::is_whitespace))
        })
}

/// The string values of every `"name": "value"` member in `text` (JSON or not).
fn json_values<'a>(text: &'a str, name: &str) -> impl Iterator<Item = &'a str> + 'a {
    let key = format!("\"{name}\"");
    let starts: Vec<usize> = text
        .match_indices(&key)
        .map(|(at, _)| at + key.len())
        .collect();
    starts.into_iter().filter_map(move |at| {
        let rest = text[at..].trim_start().strip_prefix(':')?.trim_start();
        let rest = rest.strip_prefix('"')?;
        Some(&rest[..rest.find('"')?])
    })
}

/// `t` is one word of at least `min` letters, digits and `_-.+/=:~`, with both letters
/// and digits.
fn word(t: &str, min: usize) -> bool {
    t.len() >= min
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.+/=:~".contains(&b))
        && t.bytes().any(|b| b.is_ascii_digit())
        && t.bytes().any(|b| b.is_ascii_alphabetic())
}

/// The whole text is one token-like word of 16 to 4096 characters ([`word`]).
fn token(text: &str) -> bool {
    let t = text.trim();
    t.len() <= 4096 && word(t, 16)
}

/// An OpenSSH public key line: `ssh-…`, `ecdsa-sha2-…` or `sk-…` and base64.
fn ssh_public_key(text: &str) -> bool {
    lines(text).all(|l| {
        let mut words = l.split_ascii_whitespace();
        let (Some(kind), Some(data)) = (words.next(), words.next()) else {
            return false;
        };
        (kind.starts_with("ssh-") || kind.starts_with("ecdsa-sha2-") || kind.starts_with("sk-"))
            && data.starts_with("AAAA")
    }) && lines(text).next().is_some()
}

/// Asks the layer scan to offer files named like secrets to [`SecretInspector`]. Register
/// it after the binary catalogers' inspector: an executable goes to the first inspector
/// that wants it, and its packages matter more than the name (it is then reported as not
/// read).
pub fn want(rules: CaptureRulesBuilder) -> CaptureRulesBuilder {
    rules.inspect(Arc::new(SecretInspector))
}

/// The stream inspector of files named like secrets: reads their first [`HEAD`] bytes
/// and keeps only what they show ([`Inspected`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SecretInspector;

impl Inspector for SecretInspector {
    fn wants(&self, path: &str, _mode: u32, size: u64) -> bool {
        size >= SHORTEST && named(path).is_some()
    }

    fn inspect(
        &self,
        path: &str,
        size: u64,
        magic: [u8; 4],
        rest: &mut dyn EntryRead,
    ) -> Option<Inspection> {
        let want = usize::try_from(size).map_or(HEAD, |s| s.min(HEAD));
        let mut head = Vec::with_capacity(want);
        head.extend_from_slice(&magic[..want.min(4)]);
        let more = (want.saturating_sub(head.len())) as u64;
        (&mut *rest).take(more).read_to_end(&mut head).ok()?;
        Some(Inspection::new(Inspected {
            reading: classify(path, &head),
            whole: head.len() as u64 >= size,
        }))
    }

    fn version(&self) -> u32 {
        1
    }

    fn save(&self, found: &Inspection) -> Option<Vec<u8>> {
        postcard::to_stdvec(found.get::<Inspected>()?).ok()
    }

    fn restore(&self, saved: &[u8]) -> Option<Inspection> {
        postcard::from_bytes::<Inspected>(saved)
            .ok()
            .map(Inspection::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!("test-fixtures/", $name)).as_slice()
        };
    }

    fn secret(path: &str, head: &[u8]) -> SecretContent {
        match classify(path, head) {
            Reading::Secret(c) => c,
            other => panic!("{path}: {other:?}"),
        }
    }

    fn credentials(path: &str, text: &str) -> Credentials {
        match secret(path, text.as_bytes()) {
            SecretContent::Credentials(c) => c,
            other => panic!("{path}: {other:?}"),
        }
    }

    fn none(path: &str, text: &str) {
        let r = classify(path, text.as_bytes());
        assert!(
            !matches!(r, Reading::Secret(_)),
            "{path}: {text:?} is {r:?}"
        );
    }

    #[test]
    fn names_that_look_like_secrets() {
        for (p, want) in [
            ("root/.ssh/id_rsa", Some(Named::SshKey)),
            ("app/.env", Some(Named::Env)),
            ("app/.env.production", Some(Named::Env)),
            ("root/.aws/credentials", Some(Named::Aws)),
            (".aws/credentials", Some(Named::Aws)),
            ("root/.docker/config.json", Some(Named::Docker)),
            ("root/.kube/config", Some(Named::Kube)),
            ("etc/ssl/private/server.key", Some(Named::KeyFile)),
            ("etc/ssl/certs/ca.pem", Some(Named::KeyFile)),
            ("home/u/key.ppk", Some(Named::KeyFile)),
            ("srv/store.p12", Some(Named::KeyStore)),
            ("home/u/.npmrc", Some(Named::Npmrc)),
            ("root/.netrc", Some(Named::Netrc)),
            ("app/github_token.txt", Some(Named::TokenOrSecret)),
            ("app/credentials.json", Some(Named::Credentials)),
            ("usr/bin/env", None),
            ("app/config.json", None),
            ("root/x.docker/config.json", None),
            ("root/.ssh/id_rsa.pub", None),
        ] {
            assert_eq!(named(p), want, "{p}");
        }
    }

    #[test]
    fn pem_private_keys_of_every_kind_are_secrets() {
        for (label, bytes) in [
            ("PRIVATE KEY", fixture!("ed25519.pem")),
            ("EC PRIVATE KEY", fixture!("ec-traditional.pem")),
            ("ENCRYPTED PRIVATE KEY", fixture!("rsa-encrypted.pem")),
            ("OPENSSH PRIVATE KEY", fixture!("id_ed25519")),
        ] {
            assert_eq!(
                secret("etc/x.key", bytes),
                SecretContent::PemPrivateKey(label.into())
            );
        }
        let rsa = b"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(
            secret("root/.ssh/id_rsa", rsa),
            SecretContent::PemPrivateKey("RSA PRIVATE KEY".into())
        );
        // A certificate bundle with its key after the certificate.
        let mut bundle = fixture!("cert.pem").to_vec();
        bundle.extend_from_slice(fixture!("ec-key.pem"));
        assert_eq!(
            secret("etc/server.pem", &bundle),
            SecretContent::PemPrivateKey("PRIVATE KEY".into())
        );
        // A key inside JSON (a cloud service account's credentials).
        let json = br#"{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"}"#;
        assert!(matches!(
            secret("app/credentials.json", json),
            SecretContent::PemPrivateKey(_)
        ));
    }

    #[test]
    fn key_stores_and_putty_keys_are_secrets() {
        assert_eq!(
            secret("srv/store.p12", fixture!("store.p12")),
            SecretContent::Pkcs12
        );
        let putty = b"PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\n";
        assert_eq!(secret("home/u/key.ppk", putty), SecretContent::PuttyKey);
        // JKS: magic, version 2, one private key entry.
        let mut jks = vec![0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1];
        jks.extend_from_slice(&[0; 32]);
        assert_eq!(secret("srv/app.jks", &jks), SecretContent::JavaKeyStore);
    }

    #[test]
    fn a_trust_store_of_certificates_is_public() {
        // JKS version 2 with one trusted certificate entry: alias "ca", a date, type
        // "X.509", a 3-byte certificate.
        let mut jks = vec![0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
        jks.extend_from_slice(&[0, 2, b'c', b'a']);
        jks.extend_from_slice(&[0; 8]);
        jks.extend_from_slice(&[0, 5]);
        jks.extend_from_slice(b"X.509");
        jks.extend_from_slice(&[0, 0, 0, 3, 1, 2, 3]);
        assert_eq!(
            classify("srv/trust.jks", &jks),
            Reading::Public(Public::TrustStore)
        );
        // Cut short: no answer.
        assert_eq!(classify("srv/trust.jks", &jks[..20]), Reading::Nothing);
    }

    #[test]
    fn certificates_and_public_keys_are_not_secrets() {
        assert_eq!(
            classify("etc/ssl/certs/foo.pem", fixture!("cert.pem")),
            Reading::Public(Public::Pem("CERTIFICATE".into()))
        );
        assert_eq!(
            classify("etc/pub.key", fixture!("public.pem")),
            Reading::Public(Public::Pem("PUBLIC KEY".into()))
        );
        assert_eq!(
            classify("root/.ssh/id_ed25519.pem", fixture!("id_ed25519.pub")),
            Reading::Public(Public::SshPublicKey)
        );
        assert_eq!(classify("etc/empty.key", b""), Reading::Nothing);
        assert_eq!(classify("etc/blank.key", b" \n\n"), Reading::Nothing);
        // A DER certificate is no PKCS#12 store: no version 3 after the outer sequence.
        assert_eq!(
            classify(
                "etc/ca.p12",
                &[0x30, 0x82, 0x01, 0x0a, 0x30, 0x82, 0x01, 0x02]
            ),
            Reading::Nothing
        );
    }

    #[test]
    fn credentials_files_with_a_password_or_token() {
        for (path, text, want) in [
            (
                "root/.netrc",
                "machine example.org\n  login u\n  password s3cret\n",
                Credentials::Netrc,
            ),
            (
                "root/.git-credentials",
                "https://user:ghp_abc123@github.com\n",
                Credentials::GitCredentials,
            ),
            (
                "root/.docker/config.json",
                r#"{"auths": {"registry.example": {"auth": "dTpw"}}}"#,
                Credentials::DockerConfig,
            ),
            (
                "root/.docker/config.json",
                r#"{"auths": {"r.example": {"identitytoken": "eyJ"}}}"#,
                Credentials::DockerConfig,
            ),
            (
                "root/.aws/credentials",
                "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI\n",
                Credentials::Aws,
            ),
            (
                "app/.npmrc",
                "//registry.example/:_authToken=npm_abcdef\n",
                Credentials::Npmrc,
            ),
            ("app/.npmrc", "_auth = dTpw\n", Credentials::Npmrc),
            (
                "root/.pypirc",
                "[pypi]\nusername = __token__\npassword = pypi-AgEI\n",
                Credentials::Pypirc,
            ),
            (
                "app/.env",
                "DEBUG=1\nexport DB_PASSWORD='hunter2'\n",
                Credentials::Env,
            ),
            (
                "root/.pgpass",
                "db.example:5432:app:app:hunter2\n",
                Credentials::Pgpass,
            ),
            (
                "etc/nginx/.htpasswd",
                "admin:$apr1$abcdefgh$0123456789abcdefghij\n",
                Credentials::Htpasswd,
            ),
            (
                "root/.kube/config",
                "users:\n- name: ci\n  user:\n    token: eyJhbGciOi\n",
                Credentials::Kubeconfig,
            ),
            (
                "run/secrets/api_token",
                "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\n",
                Credentials::Token,
            ),
            (
                "app/client_secret.json",
                r#"{"installed": {"client_id": "x", "client_secret": "GOCSPX-abc"}}"#,
                Credentials::Setting,
            ),
        ] {
            assert_eq!(credentials(path, text), want, "{path}: {text}");
        }
    }

    #[test]
    fn credentials_files_without_a_secret_are_not_secrets() {
        none("root/.netrc", "machine example.org login anonymous\n");
        none("root/.git-credentials", "https://github.com/org/repo\n");
        none(
            "root/.docker/config.json",
            r#"{"auths": {"r.example": {}}, "credsStore": "desktop"}"#,
        );
        none(
            "root/.docker/config.json",
            r#"{"auths": {"r.example": {"auth": ""}}}"#,
        );
        none("root/.aws/credentials", "[default]\nregion = eu-west-1\n");
        none(
            "app/.npmrc",
            "//registry.example/:_authToken=${NPM_TOKEN}\n",
        );
        none("app/.npmrc", "registry=https://registry.example/\n");
        none("root/.pypirc", "[pypi]\nusername = __token__\n");
        none(
            "app/.env",
            "DEBUG=1\nAPI_TOKEN=\nDB_PASSWORD=$DB_PASSWORD\n",
        );
        none(
            "root/.kube/config",
            "clusters:\n- cluster:\n    server: https://k\n",
        );
        none(
            "usr/lib/python3.11/tokenize.py",
            "def tokenize(readline):\n    token = None\n    return _tokenize(readline)\n",
        );
        none(
            "usr/lib/python3.11/secrets.py",
            "from random import SystemRandom\n",
        );
        none("app/github_token.txt", "not set\n");
    }

    #[test]
    fn any_bytes_are_classified_without_panicking() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut bytes = Vec::new();
        for round in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            bytes.push(seed as u8);
            if round % 7 == 0 {
                bytes.extend_from_slice(b"-----BEGIN ");
            }
            if round % 11 == 0 {
                bytes.extend_from_slice(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]);
            }
            if bytes.len() > HEAD {
                bytes.clear();
            }
            for path in [
                "a/.netrc",
                "a/.docker/config.json",
                "a/x.jks",
                "a/token",
                "a/.env",
            ] {
                let _ = classify(path, &bytes);
            }
        }
        let _ = classify(
            "x.jks",
            &[0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff],
        );
    }

    #[test]
    fn the_inspector_reads_the_head_and_keeps_the_verdict() {
        struct Entry<'a>(&'a [u8]);
        impl Read for Entry<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.0.read(buf)
            }
        }
        impl EntryRead for Entry<'_> {
            fn skip(&mut self, n: u64) -> std::io::Result<()> {
                let n = (n as usize).min(self.0.len());
                self.0 = &self.0[n..];
                Ok(())
            }
            fn left(&self) -> u64 {
                self.0.len() as u64
            }
        }
        let key = fixture!("rsa-encrypted.pem");
        let mut big = fixture!("cert.pem").repeat(20);
        big.extend_from_slice(key);
        for (path, bytes, reading, whole) in [
            (
                "etc/k.pem",
                key,
                Reading::Secret(SecretContent::PemPrivateKey("ENCRYPTED PRIVATE KEY".into())),
                true,
            ),
            (
                "etc/bundle.pem",
                big.as_slice(),
                Reading::Public(Public::Pem("CERTIFICATE".into())),
                false,
            ),
        ] {
            let i = SecretInspector;
            assert!(i.wants(path, 0o644, bytes.len() as u64));
            let magic: [u8; 4] = bytes[..4].try_into().unwrap();
            let mut rest = Entry(&bytes[4..]);
            let found = i
                .inspect(path, bytes.len() as u64, magic, &mut rest)
                .unwrap();
            let kept = found.get::<Inspected>().unwrap();
            assert_eq!((&kept.reading, kept.whole), (&reading, whole), "{path}");
            assert!(
                bytes.len() - rest.0.len() <= HEAD,
                "read at most HEAD bytes"
            );
            let saved = i.save(&found).unwrap();
            assert_eq!(i.restore(&saved).unwrap().get::<Inspected>(), Some(kept));
        }
        assert!(!SecretInspector.wants("etc/k.pem", 0o644, 3));
        assert!(!SecretInspector.wants("etc/k.txt", 0o644, 100));
    }
}
