//! Reaching a registry: the HTTP client (`oci-client`) on a tokio runtime of its own, TLS
//! verified against the system's authorities and `--ca-cert`'s, plain HTTP only for
//! loopback addresses and registries named with `--insecure-registry` (tried after TLS
//! fails, as docker does), the credentials of [`credentials::find`], and what a failed
//! request means in a few words.

use std::io::Read;
use std::time::Duration;

use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use tokio::runtime::Runtime;

use super::credentials::{self, Credentials, PASSWORD_VAR, USERNAME_VAR};
use crate::source::RegistryOptions;

/// The largest certificate file `--ca-cert` reads.
const MAX_CA_FILE: u64 = 1 << 20;

/// A connection to one registry: the runtime, the client and the credentials.
pub(crate) struct Session {
    pub runtime: Runtime,
    pub client: Client,
    pub credentials: Credentials,
}

impl Session {
    /// Connects to the registry of `reference`, with the credentials found for it, and
    /// does `first` there, which tells whether the registry speaks the protocol tried: TLS
    /// first, then plain HTTP where allowed. When both fail, the error of the protocol the
    /// registry speaks is the one returned.
    pub fn open<T>(
        reference: &Reference,
        opts: &RegistryOptions,
        first: impl Fn(&Session) -> std::result::Result<T, String>,
    ) -> std::result::Result<(Session, T), String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("layerbom-registry")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        let registry = reference.resolve_registry();
        let mut session = Session {
            runtime,
            client: client(registry, opts, false)?,
            credentials: credentials::find(reference, opts)?,
        };
        let tls = match first(&session) {
            Ok(done) => return Ok((session, done)),
            Err(tls) if !is_plain_http(registry, &opts.insecure) => return Err(tls),
            Err(tls) => tls,
        };
        session.client = client(registry, opts, true)?;
        match first(&session) {
            Ok(done) => Ok((session, done)),
            Err(plain) if speaks_tls(&plain) => Err(tls),
            Err(plain) => Err(plain),
        }
    }

    /// The credentials to send.
    pub fn auth(&self) -> &RegistryAuth {
        &self.credentials.auth
    }

    /// What a failed request means, in a few words: no such image, access refused (and how
    /// to give credentials, or where those refused were given), or the client's message.
    pub fn explain(&self, e: &OciDistributionError) -> String {
        let refused = || match &self.credentials.auth {
            RegistryAuth::Anonymous => format!(
                "the registry refused access; give credentials with --username and \
                 --password-stdin or in {USERNAME_VAR} and {PASSWORD_VAR}, or log in with \
                 `docker login` or `podman login`"
            ),
            _ => format!(
                "the registry refused the credentials {}",
                self.credentials.from
            ),
        };
        match e {
            OciDistributionError::RegistryError { envelope, .. } => {
                let codes: Vec<&OciErrorCode> = envelope.errors.iter().map(|e| &e.code).collect();
                let messages: Vec<&str> =
                    envelope.errors.iter().map(|e| e.message.as_str()).collect();
                let said = messages.join("; ");
                if codes.iter().any(|c| {
                    matches!(
                        c,
                        OciErrorCode::ManifestUnknown
                            | OciErrorCode::NameUnknown
                            | OciErrorCode::NotFound
                    )
                }) {
                    format!("no such image in the registry ({said})")
                } else if codes
                    .iter()
                    .any(|c| matches!(c, OciErrorCode::Unauthorized | OciErrorCode::Denied))
                {
                    format!("{} ({said})", refused())
                } else {
                    format!("the registry answered: {said}")
                }
            }
            OciDistributionError::UnauthorizedError { .. } => refused(),
            other => with_causes(other),
        }
    }
}

/// An error with its causes, which say what a failed request failed on (a certificate
/// no authority vouches for, a refused connection).
pub(crate) fn with_causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let said = c.to_string();
        if !out.contains(&said) {
            out.push_str(": ");
            out.push_str(&said);
        }
        cause = c.source();
    }
    out
}

/// Whether a registry (`host[:port]`) is a loopback address, spoken to over plain HTTP.
fn is_loopback(registry: &str) -> bool {
    let host = match registry.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => registry,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `registry` may be spoken to over plain HTTP: a loopback address, or one the
/// user named with `--insecure-registry` (as `HOST` or `HOST:PORT`).
fn is_plain_http(registry: &str, insecure: &[String]) -> bool {
    let host = registry.rsplit_once(':').map_or(registry, |(h, _)| h);
    is_loopback(registry) || insecure.iter().any(|i| i == registry || i == host)
}

/// Whether a failure over plain HTTP is a TLS server's answer to it (the registry speaks
/// TLS: what went wrong over TLS is the error to report).
fn speaks_tls(error: &str) -> bool {
    error.contains("HTTP request to an HTTPS server")
}

/// The client for `registry`: over plain HTTP with `plain`, else TLS with the system's
/// certificate authorities and `--ca-cert`'s.
fn client(
    registry: &str,
    opts: &RegistryOptions,
    plain: bool,
) -> std::result::Result<Client, String> {
    let mut roots = Vec::new();
    for path in &opts.ca_certs {
        let mut data = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_CA_FILE + 1).read_to_end(&mut data))
            .map_err(|e| format!("cannot read --ca-cert {}: {e}", path.display()))?;
        if data.len() as u64 > MAX_CA_FILE {
            return Err(format!(
                "--ca-cert {} is over {MAX_CA_FILE} bytes",
                path.display()
            ));
        }
        roots.push(Certificate {
            encoding: CertificateEncoding::Pem,
            data,
        });
    }
    let config = ClientConfig {
        protocol: ClientProtocol::HttpsExcept(if plain {
            vec![registry.to_string()]
        } else {
            Vec::new()
        }),
        extra_root_certificates: roots,
        // The platform is chosen by the caller, with the same rules as for local indexes.
        platform_resolver: None,
        connect_timeout: Some(Duration::from_secs(30)),
        read_timeout: Some(Duration::from_secs(120)),
        ..ClientConfig::default()
    };
    Client::try_from(config).map_err(|e| format!("cannot set up the HTTP client: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_loopback_or_when_asked() {
        assert!(is_plain_http("127.0.0.1:5000", &[]));
        assert!(is_plain_http("localhost", &[]));
        assert!(is_plain_http("[::1]:5000", &[]));
        assert!(!is_plain_http("registry.example:5000", &[]));
        assert!(is_plain_http(
            "registry.example:5000",
            &["registry.example".into()]
        ));
        assert!(is_plain_http(
            "registry.example:5000",
            &["registry.example:5000".into()]
        ));
        assert!(!is_plain_http(
            "registry.example:5000",
            &["registry.example:5001".into()]
        ));
        assert!(!is_plain_http("127.0.0.2.example", &[]));
    }
}
