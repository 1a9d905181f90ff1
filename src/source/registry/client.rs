//! Reaching a registry: the HTTP client (`oci-client`) on a tokio runtime of its own, TLS
//! verified against the system's authorities and `--ca-cert`'s, plain HTTP only for
//! loopback addresses and registries named with `--insecure-registry` (tried after TLS
//! fails, as docker does), the credentials of [`credentials::find`], requests made again
//! after transient failures ([`Session::retrying`]), and what a failed request means in a
//! few words.

use std::io::Read;
use std::sync::Mutex;
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

/// How many times a request that failed transiently is made in all (see [`transient`]).
pub(crate) const ATTEMPTS: u32 = 5;

/// The pause after the first transient failure; each next one doubles it (0.25, 0.5, 1, 2 s).
const FIRST_PAUSE: Duration = Duration::from_millis(250);

/// The pauses between the attempts at one request.
pub(crate) struct Backoff {
    attempt: u32,
    pause: Duration,
}

impl Backoff {
    pub fn new() -> Backoff {
        Backoff {
            attempt: 1,
            pause: FIRST_PAUSE,
        }
    }

    /// Waits before the next attempt and says whether there is one.
    pub fn wait(&mut self) -> bool {
        if self.attempt >= ATTEMPTS {
            return false;
        }
        std::thread::sleep(self.pause);
        self.attempt += 1;
        self.pause *= 2;
        true
    }
}

/// A connection to one registry: the runtime, the clients and the credentials.
pub(crate) struct Session {
    pub runtime: Runtime,
    pub client: Client,
    /// A plain HTTP client with the same TLS roots, for the requests whose answers are
    /// read within a bound (manifests), which oci-client reads whole.
    pub http: reqwest::Client,
    /// `https`, or `http` for a registry reached over plain HTTP.
    pub scheme: &'static str,
    pub credentials: Credentials,
    /// The Bearer token for pulls once asked for (`None` inside: the registry wants none).
    pub token: Mutex<Option<Option<String>>>,
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
        let (client, http) = clients(registry, opts, false)?;
        let mut session = Session {
            runtime,
            client,
            http,
            scheme: "https",
            credentials: credentials::find(reference, opts)?,
            token: Mutex::new(None),
        };
        let tls = match first(&session) {
            Ok(done) => return Ok((session, done)),
            Err(tls) if !is_plain_http(registry, &opts.insecure) => return Err(tls),
            Err(tls) => tls,
        };
        (session.client, session.http) = clients(registry, opts, true)?;
        session.scheme = "http";
        session.token = Mutex::new(None);
        match first(&session) {
            Ok(done) => Ok((session, done)),
            Err(plain) if speaks_tls(&plain) => Err(tls),
            Err(plain) => Err(plain),
        }
    }

    /// Makes `request` until it succeeds, fails for good or has failed [`ATTEMPTS`] times,
    /// pausing longer after each transient failure (a dropped connection, a timeout, 429,
    /// 5xx). A failure is said in a few words ([`Session::explain`]), with how many
    /// attempts were made when there were several.
    pub fn retrying<T, F, Fut>(&self, mut request: F) -> Result<T, String>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, OciDistributionError>>,
    {
        let mut backoff = Backoff::new();
        loop {
            match self.runtime.block_on(request()) {
                Ok(done) => return Ok(done),
                Err(e) if transient(&e) => {
                    if !backoff.wait() {
                        return Err(format!(
                            "{} (the last of {ATTEMPTS} attempts)",
                            self.explain(&e)
                        ));
                    }
                }
                Err(e) => return Err(self.explain(&e)),
            }
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

/// Whether a request may succeed when made again: the connection was reset, aborted or
/// timed out, or the registry answered 429 (too many requests) or a 5xx status. A refused
/// connection or a TLS failure is not retried: it says where the registry is not.
pub(crate) fn transient(e: &OciDistributionError) -> bool {
    match e {
        OciDistributionError::ServerError { code, .. } => *code == 429 || *code >= 500,
        OciDistributionError::RegistryError { envelope, .. } => envelope
            .errors
            .iter()
            .any(|e| matches!(e.code, OciErrorCode::Toomanyrequests)),
        OciDistributionError::RequestError(e) => {
            e.is_timeout() || e.is_body() || e.is_decode() || dropped(e)
        }
        OciDistributionError::IoError(e) => transient_io(e),
        _ => false,
    }
}

/// Whether an error of a download in progress may go away when it is resumed: the body
/// broke off (the client's error, or an I/O error of the connection), not bytes that do
/// not match their digest.
pub(crate) fn transient_io(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    match e.get_ref() {
        Some(inner) if inner.is::<reqwest::Error>() => true,
        _ => matches!(
            e.kind(),
            ConnectionReset | ConnectionAborted | BrokenPipe | TimedOut | UnexpectedEof
        ),
    }
}

/// Whether an error's causes include a connection that was reset, aborted or cut short.
fn dropped(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            ) {
                return true;
            }
        }
        if c.to_string()
            .contains("connection closed before message completed")
        {
            return true;
        }
        cause = c.source();
    }
    false
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

/// How long connecting may take, and how long a read may wait for bytes.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const READ_TIMEOUT: Duration = Duration::from_secs(120);

/// The clients for `registry`, oci-client's and a plain one: over plain HTTP with `plain`,
/// else TLS with the system's certificate authorities and `--ca-cert`'s.
fn clients(
    registry: &str,
    opts: &RegistryOptions,
    plain: bool,
) -> std::result::Result<(Client, reqwest::Client), String> {
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
    let mut http = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT);
    for root in &roots {
        let certs = reqwest::Certificate::from_pem_bundle(&root.data)
            .map_err(|e| format!("cannot read the certificates of --ca-cert: {e}"))?;
        http = http.tls_certs_merge(certs);
    }
    let http = http
        .build()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
    let config = ClientConfig {
        protocol: ClientProtocol::HttpsExcept(if plain {
            vec![registry.to_string()]
        } else {
            Vec::new()
        }),
        extra_root_certificates: roots,
        // The platform is chosen by the caller, with the same rules as for local indexes.
        platform_resolver: None,
        connect_timeout: Some(CONNECT_TIMEOUT),
        read_timeout: Some(READ_TIMEOUT),
        ..ClientConfig::default()
    };
    let client =
        Client::try_from(config).map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
    Ok((client, http))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_error(code: u16) -> OciDistributionError {
        OciDistributionError::ServerError {
            code,
            url: "http://127.0.0.1/v2/".into(),
            message: String::new(),
        }
    }

    #[test]
    fn busy_and_failing_answers_and_broken_connections_are_transient() {
        for code in [429, 500, 502, 503, 504] {
            assert!(transient(&server_error(code)), "{code}");
        }
        for code in [400, 401, 403, 404, 416] {
            assert!(!transient(&server_error(code)), "{code}");
        }
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(transient(&OciDistributionError::IoError(reset)));
        let mismatch = std::io::Error::other("digest mismatch");
        assert!(!transient_io(&mismatch));
        assert!(!transient(&OciDistributionError::UnauthorizedError {
            url: String::new()
        }));
    }

    #[test]
    fn a_request_is_made_at_most_attempts_times() {
        let mut backoff = Backoff {
            attempt: 1,
            pause: Duration::ZERO,
        };
        let mut made = 1;
        while backoff.wait() {
            made += 1;
        }
        assert_eq!(made, ATTEMPTS);
    }

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
