//! Manifests, indexes and referrers fetched within a bound: the answer's `Content-Length`
//! over the limit is refused before its body is read, and a body without one is read only
//! up to the limit. oci-client reads these answers whole, so the requests are made with the
//! session's plain client, with the Bearer token oci-client obtained (or the Basic
//! credentials); the token is also what oci-client then pulls the blobs with. Manifests
//! are pushed the same way (oci-client's push panics on a registry that answers a push by
//! digest without a `Location`).

use oci_client::errors::{OciDistributionError, OciEnvelope, OciErrorCode};
use oci_client::manifest::OciImageIndex;
use oci_client::secrets::RegistryAuth;
use oci_client::{Reference, RegistryOperation};
use sha2::{Digest, Sha256, Sha512};

use super::client::Session;

/// The most bytes of an error answer's body read, for the registry's message.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// A manifest's bytes and digest, or why the registry's answer is refused for good.
type Answer = Result<(Vec<u8>, String), String>;

impl Session {
    /// Fetches the manifest `reference` names (by tag or digest), accepting the media types
    /// `accept`, at most `limit` bytes; returns its bytes and digest. The digest is checked
    /// against the one asked for, else against the registry's `Docker-Content-Digest`.
    pub fn manifest(
        &self,
        reference: &Reference,
        accept: &[&str],
        limit: u64,
    ) -> Result<(Vec<u8>, String), String> {
        self.retrying(|| self.get_manifest(reference, accept, limit))?
    }

    /// Fetches the manifest `reference` names as [`Session::manifest`] does, or `None` when
    /// the registry answers with an error that `absent` says means there is none.
    pub fn manifest_if_any(
        &self,
        reference: &Reference,
        accept: &[&str],
        limit: u64,
        absent: fn(&OciDistributionError) -> bool,
    ) -> Result<Option<(Vec<u8>, String)>, String> {
        self.retrying(|| async {
            match self.get_manifest(reference, accept, limit).await {
                Err(e) if absent(&e) => Ok(Ok(None)),
                other => other.map(|answer| answer.map(Some)),
            }
        })?
    }

    /// The Bearer token to pull `reference` with, asked for once per session.
    async fn pull_token(
        &self,
        reference: &Reference,
    ) -> Result<Option<String>, OciDistributionError> {
        let cached = self.token.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(token) = cached {
            return Ok(token);
        }
        let token = self
            .client
            .auth(reference, self.auth(), RegistryOperation::Pull)
            .await?;
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
        Ok(token)
    }

    async fn get_manifest(
        &self,
        reference: &Reference,
        accept: &[&str],
        limit: u64,
    ) -> Result<Answer, OciDistributionError> {
        let url = manifest_url(self.scheme, reference);
        let answer = self.get_bounded(reference, &url, accept, limit).await?;
        Ok(answer.and_then(|(body, header)| {
            checked_digest(&body, reference.digest(), header.as_deref()).map(|d| (body, d))
        }))
    }

    /// GETs `url` of `reference`'s repository with the pull token, reading at most `limit`
    /// bytes of the answer: its body and `Docker-Content-Digest` header, or why it is
    /// refused (over the limit).
    async fn get_bounded(
        &self,
        reference: &Reference,
        url: &str,
        accept: &[&str],
        limit: u64,
    ) -> Result<Result<(Vec<u8>, Option<String>), String>, OciDistributionError> {
        let token = self.pull_token(reference).await?;
        let request = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, accept.join(", "));
        let mut response = self.authorized(request, token).send().await?;
        let status = response.status();
        if !status.is_success() {
            return Err(failed(status, &mut response, url).await?);
        }
        let header = response
            .headers()
            .get("Docker-Content-Digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let whole = reference.whole();
        if let Some(n) = response.content_length().filter(|&n| n > limit) {
            return Ok(Err(format!(
                "the answer for {whole} is {n} bytes, over the limit of {limit}"
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if (body.len() + chunk.len()) as u64 > limit {
                return Ok(Err(format!(
                    "the answer for {whole} is longer than the limit of {limit} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Ok((body, header)))
    }

    /// A request with the Bearer `token`, else the Basic credentials, else none.
    fn authorized(
        &self,
        request: reqwest::RequestBuilder,
        token: Option<String>,
    ) -> reqwest::RequestBuilder {
        match (token, self.auth()) {
            (Some(token), _) => request.bearer_auth(token),
            (None, RegistryAuth::Basic(user, password)) => request.basic_auth(user, Some(password)),
            _ => request,
        }
    }

    /// Pushes `body` as the manifest `reference` names (by tag or digest), of `media_type`,
    /// with a push token.
    pub fn put_manifest(
        &self,
        reference: &Reference,
        body: &[u8],
        media_type: &str,
    ) -> Result<(), String> {
        self.retrying(|| async {
            let token = self
                .client
                .auth(reference, self.auth(), RegistryOperation::Push)
                .await?;
            let url = manifest_url(self.scheme, reference);
            let request = self
                .http
                .put(&url)
                .header(reqwest::header::CONTENT_TYPE, media_type)
                .body(body.to_vec());
            let mut response = self.authorized(request, token).send().await?;
            let status = response.status();
            if !status.is_success() {
                return Err(failed(status, &mut response, &url).await?);
            }
            Ok(())
        })
    }

    /// The index of the artifacts that refer to `subject` (a reference by digest), of
    /// `artifact_type` when given: the registry's referrers API, else (it answers 404) the
    /// referrers tag `ALGORITHM-HEX`, else none; at most `limit` bytes.
    pub fn referrers(
        &self,
        subject: &Reference,
        artifact_type: Option<&str>,
        limit: u64,
    ) -> Result<OciImageIndex, String> {
        let Some(digest) = subject.digest() else {
            return Err(format!("{} names no digest", subject.whole()));
        };
        let url = format!(
            "{}://{}/v2/{}/referrers/{digest}",
            self.scheme,
            subject.resolve_registry(),
            subject.repository()
        );
        let accept = [crate::source::oci::MT_OCI_INDEX];
        let native = self.retrying(|| async {
            match self.get_bounded(subject, &url, &accept, limit).await {
                Err(e) if not_found(&e) => Ok(Ok(None)),
                other => other.map(|answer| answer.map(|(body, _)| Some(body))),
            }
        })??;
        let body = match native {
            Some(body) => Some(body),
            None => {
                let tag = Reference::with_tag(
                    subject.registry().to_string(),
                    subject.repository().to_string(),
                    digest.replacen(':', "-", 1),
                );
                self.manifest_if_any(&tag, &accept, limit, not_found)?
                    .map(|(body, _)| body)
            }
        };
        let mut index = match body {
            Some(body) => serde_json::from_slice::<OciImageIndex>(&body)
                .map_err(|e| format!("the referrers of {digest} are no image index: {e}"))?,
            None => OciImageIndex {
                schema_version: 2,
                media_type: Some(crate::source::oci::MT_OCI_INDEX.to_string()),
                manifests: Vec::new(),
                artifact_type: None,
                annotations: None,
            },
        };
        if let Some(wanted) = artifact_type {
            index
                .manifests
                .retain(|m| m.artifact_type.as_deref() == Some(wanted));
        }
        Ok(index)
    }
}

/// The URL of the manifest `reference` names.
fn manifest_url(scheme: &str, reference: &Reference) -> String {
    format!(
        "{scheme}://{}/v2/{}/manifests/{}",
        reference.resolve_registry(),
        reference.repository(),
        reference
            .digest()
            .unwrap_or_else(|| reference.tag().unwrap_or("latest"))
    )
}

/// Whether an error says there is no such thing: a 404, or the registry's codes for it.
pub(crate) fn not_found(e: &OciDistributionError) -> bool {
    match e {
        OciDistributionError::RegistryError { envelope, .. } => envelope.errors.iter().any(|e| {
            matches!(
                e.code,
                OciErrorCode::ManifestUnknown | OciErrorCode::NotFound | OciErrorCode::NameUnknown
            )
        }),
        OciDistributionError::ImageManifestNotFoundError(_) => true,
        OciDistributionError::ServerError { code, .. } => *code == 404,
        _ => false,
    }
}

/// The error of a failed answer, its body read up to [`MAX_ERROR_BODY`] bytes.
async fn failed(
    status: reqwest::StatusCode,
    response: &mut reqwest::Response,
    url: &str,
) -> Result<OciDistributionError, OciDistributionError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_ERROR_BODY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if room <= chunk.len() {
            break;
        }
    }
    Ok(status_error(status, &body, url))
}

/// The error of a failed answer, as oci-client words it: 401 refused credentials, an error
/// envelope the registry's own codes, anything else the status and body.
fn status_error(status: reqwest::StatusCode, body: &[u8], url: &str) -> OciDistributionError {
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return OciDistributionError::UnauthorizedError {
            url: url.to_string(),
        };
    }
    match serde_json::from_slice::<OciEnvelope>(body) {
        Ok(envelope) if status.is_client_error() => OciDistributionError::RegistryError {
            envelope,
            url: url.to_string(),
        },
        _ => OciDistributionError::ServerError {
            code: status.as_u16(),
            url: url.to_string(),
            message: String::from_utf8_lossy(body).into_owned(),
        },
    }
}

/// The digest of `body` under `algorithm` (`sha256` or `sha512`), as `ALGORITHM:HEX`.
fn digest_of(algorithm: &str, body: &[u8]) -> Option<String> {
    let hex = match algorithm {
        "sha256" => hex(&Sha256::digest(body)),
        "sha512" => hex(&Sha512::digest(body)),
        _ => return None,
    };
    Some(format!("{algorithm}:{hex}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The digest of a manifest: the one asked for, or else the registry's header, when the
/// body matches it; else sha256 of the body.
fn checked_digest(
    body: &[u8],
    asked: Option<&str>,
    header: Option<&str>,
) -> Result<String, String> {
    let Some(expected) = asked.or(header) else {
        return Ok(digest_of("sha256", body).unwrap_or_default());
    };
    let algorithm = expected.split_once(':').map_or("", |(a, _)| a);
    let Some(actual) = digest_of(algorithm, body) else {
        return Err(format!(
            "the manifest's digest {expected} is of an unknown algorithm"
        ));
    };
    if actual == expected {
        Ok(actual)
    } else if asked.is_some() {
        Err(format!(
            "the registry sent a manifest whose digest is {actual}, not {expected}"
        ))
    } else {
        Err(format!(
            "the registry says the manifest's digest is {expected}, but its content's is {actual}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str =
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn digests_are_checked_against_what_was_asked_else_the_header() {
        assert_eq!(checked_digest(b"", None, None).unwrap(), EMPTY_SHA256);
        assert_eq!(
            checked_digest(b"", Some(EMPTY_SHA256), None).unwrap(),
            EMPTY_SHA256
        );
        assert_eq!(
            checked_digest(b"", None, Some(EMPTY_SHA256)).unwrap(),
            EMPTY_SHA256
        );
        let other = format!("sha256:{}", "0".repeat(64));
        let e = checked_digest(b"", Some(&other), Some(EMPTY_SHA256)).unwrap_err();
        assert!(e.contains("not sha256:000"), "{e}");
        let e = checked_digest(b"", None, Some(&other)).unwrap_err();
        assert!(e.contains("the registry says"), "{e}");
        let sha512 = digest_of("sha512", b"x").unwrap();
        assert_eq!(checked_digest(b"x", Some(&sha512), None).unwrap(), sha512);
        assert!(checked_digest(b"x", Some("md5:00"), None).is_err());
    }

    #[test]
    fn failed_answers_are_worded_as_oci_client_words_them() {
        let url = "http://127.0.0.1/v2/app/manifests/1";
        assert!(matches!(
            status_error(reqwest::StatusCode::UNAUTHORIZED, b"", url),
            OciDistributionError::UnauthorizedError { .. }
        ));
        let body = br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#;
        assert!(matches!(
            status_error(reqwest::StatusCode::NOT_FOUND, body, url),
            OciDistributionError::RegistryError { .. }
        ));
        assert!(matches!(
            status_error(reqwest::StatusCode::SERVICE_UNAVAILABLE, b"busy", url),
            OciDistributionError::ServerError { code: 503, .. }
        ));
    }

    #[test]
    fn manifest_urls_name_the_digest_else_the_tag() {
        let r = Reference::try_from("127.0.0.1:5000/a/b:1").unwrap();
        assert_eq!(
            manifest_url("http", &r),
            "http://127.0.0.1:5000/v2/a/b/manifests/1"
        );
        let d = format!("sha256:{}", "a".repeat(64));
        let r = Reference::try_from(format!("registry.example/app@{d}")).unwrap();
        assert_eq!(
            manifest_url("https", &r),
            format!("https://registry.example/v2/app/manifests/{d}")
        );
    }
}
