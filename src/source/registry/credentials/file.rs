//! The auth files docker and podman write on `login`: docker's `config.json` and the
//! containers `auth.json` (containers-auth.json(5)), read at most [`MAX_FILE`] bytes, and
//! what one of them holds for a registry and repository.
//!
//! Both keep an `auths` object keyed by registry, each entry with `auth` (the base64 of
//! `USER:PASSWORD`), or `username` and `password`, or an `identitytoken`; and a
//! `credHelpers` object naming, per registry, the helper that keeps its credentials.
//! Docker's adds `credsStore`, the helper for every registry `credHelpers` does not name.
//! Keys are written `host[:port]`, or as URLs (`https://host[:port]/v1/`, as docker writes
//! Docker Hub's, `https://index.docker.io/v1/`); podman's may also name a namespace or a
//! repository (`host/namespace[/repo]`), and the most specific key that matches wins.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde_json::{Map, Value};

/// The largest auth file read.
pub(super) const MAX_FILE: u64 = 1 << 20;

/// Docker Hub's name: what references name it (`docker.io`, the default) and what its
/// aliases are read as.
const DOCKER_HUB: &str = "docker.io";
/// The server URL docker keys Docker Hub's credentials by, in `auths` and to helpers.
const DOCKER_HUB_URL: &str = "https://index.docker.io/v1/";

/// Whose file: the keys and fields each tool writes differ a little.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flavor {
    /// The containers `auth.json` (podman, buildah, skopeo): no `credsStore`, and a key
    /// without a scheme may name a namespace or repository.
    Containers,
    /// Docker's `config.json`: `credsStore`, and `host/v1/` is the registry `host`.
    Docker,
}

/// An `auths` entry: its `auth` decoded, its other fields as written.
#[derive(Debug, Default)]
struct Entry {
    auth: Option<(String, String)>,
    username: Option<String>,
    password: Option<String>,
    identitytoken: Option<String>,
}

/// An auth file, read: what layerbom uses of it.
#[derive(Debug)]
pub(super) struct AuthFile {
    path: PathBuf,
    flavor: Flavor,
    auths: BTreeMap<String, Entry>,
    cred_helpers: BTreeMap<String, String>,
    creds_store: Option<String>,
}

/// What an auth file holds for a registry and repository.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Found {
    /// Nothing.
    Nothing,
    /// A user name and password, and where (`in FILE (auths."KEY")`).
    Basic {
        user: String,
        password: String,
        from: String,
    },
    /// An identity token, which layerbom cannot use, and where.
    IdentityToken { from: String },
    /// A helper to ask (`docker-credential-NAME`), the server URL to ask it about, and
    /// which key of the file named it (`credsStore in FILE`).
    Helper {
        name: String,
        server: String,
        named: String,
    },
}

impl AuthFile {
    /// Reads the file at `path`; `None` when there is none.
    pub fn read(path: &Path, flavor: Flavor) -> Result<Option<AuthFile>, String> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let mut bytes = Vec::new();
        file.take(MAX_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if bytes.len() as u64 > MAX_FILE {
            return Err(format!(
                "{} is over {MAX_FILE} bytes, too large for an auth file",
                path.display()
            ));
        }
        AuthFile::parse(path, flavor, &bytes).map(Some)
    }

    /// Parses an auth file's bytes, decoding every `auth`; errors name `path` and the key
    /// that is wrong.
    pub fn parse(path: &Path, flavor: Flavor, bytes: &[u8]) -> Result<AuthFile, String> {
        let wrong = |what: String| format!("{}: {what}", path.display());
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| format!("{} is not valid JSON: {e}", path.display()))?;
        let Value::Object(top) = value else {
            return Err(wrong("not a JSON object".into()));
        };
        let mut auths = BTreeMap::new();
        for (key, value) in object(&top, "auths").map_err(wrong)? {
            let Value::Object(fields) = value else {
                return Err(wrong(format!("auths.{key:?} is not an object")));
            };
            let field = |name: &str| {
                string(fields.get(name))
                    .map_err(|_| wrong(format!("auths.{key:?}.{name} {IS_NOT}")))
            };
            let auth = match field("auth")? {
                Some(auth) if !auth.trim().is_empty() => {
                    Some(decode_auth(&auth).ok_or_else(|| {
                        wrong(format!(
                            "auths.{key:?}.auth is not the base64 of USER:PASSWORD"
                        ))
                    })?)
                }
                _ => None,
            };
            auths.insert(
                key.clone(),
                Entry {
                    auth,
                    username: field("username")?,
                    password: field("password")?,
                    identitytoken: field("identitytoken")?,
                },
            );
        }
        let mut cred_helpers = BTreeMap::new();
        for (key, value) in object(&top, "credHelpers").map_err(wrong)? {
            let helper = string(Some(value))
                .map_err(|_| wrong(format!("credHelpers.{key:?} {IS_NOT}")))?
                .unwrap_or_default();
            cred_helpers.insert(key.clone(), helper);
        }
        let creds_store = match flavor {
            Flavor::Docker => string(top.get("credsStore"))
                .map_err(|_| wrong(format!("credsStore {IS_NOT}")))?
                .filter(|s| !s.is_empty()),
            Flavor::Containers => None,
        };
        let file = AuthFile {
            path: path.to_path_buf(),
            flavor,
            auths,
            cred_helpers,
            creds_store,
        };
        let helpers = file
            .cred_helpers
            .iter()
            .map(|(k, v)| (format!("credHelpers.{k:?}"), v));
        let store = file
            .creds_store
            .iter()
            .map(|v| ("credsStore".to_string(), v));
        for (key, name) in helpers.chain(store) {
            if name.contains('/') {
                return Err(wrong(format!("{key} names no helper: {name:?} is a path")));
            }
        }
        Ok(file)
    }

    /// What the file holds for `repository` in `registry` (`host[:port]` as the reference
    /// names it): the helper `credHelpers` names for the registry, else (docker's) the
    /// `credsStore` helper, else the most specific `auths` entry that matches.
    pub fn lookup(&self, registry: &str, repository: &str) -> Found {
        let registry = canonical_host(registry);
        let helper = self
            .cred_helpers
            .iter()
            .filter(|(_, name)| !name.is_empty())
            .filter(|(key, _)| {
                self.scope(key)
                    .is_some_and(|s| s.path.is_empty() && s.host == registry)
            })
            .min_by_key(|(key, _)| key.contains("://"));
        let named = match (helper, &self.creds_store) {
            (Some((key, name)), _) => Some((name, format!("credHelpers.{key:?}"))),
            (None, Some(name)) => Some((name, "credsStore".to_string())),
            (None, None) => None,
        };
        if let Some((name, key)) = named {
            return Found::Helper {
                name: name.clone(),
                server: self.server_url(&registry),
                named: format!("{key} in {}", self.path.display()),
            };
        }
        let segments: Vec<&str> = repository.split('/').collect();
        let best = self
            .auths
            .iter()
            .filter_map(|(key, entry)| Some((key, entry, self.scope(key)?)))
            .filter(|(_, _, s)| s.host == registry && segments.starts_with(&s.path))
            .max_by_key(|(key, _, s)| (s.path.len(), !key.contains("://")));
        match best {
            Some((key, entry, _)) => self.credentials(key, entry),
            None => Found::Nothing,
        }
    }

    /// What an `auths` key names, as this file's tool reads it; `None` for a key that
    /// names no registry.
    fn scope<'k>(&self, key: &'k str) -> Option<Scope<'k>> {
        let bare = key
            .strip_prefix("https://")
            .or_else(|| key.strip_prefix("http://"));
        let is_url = bare.is_some();
        let rest = bare.unwrap_or(key);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let path = path.trim_end_matches('/');
        let api_path = matches!(path, "v1" | "v2");
        let path = if is_url || path.is_empty() || (self.flavor == Flavor::Docker && api_path) {
            Vec::new()
        } else {
            path.split('/').collect()
        };
        (!host.is_empty()).then(|| Scope {
            host: canonical_host(host),
            path,
        })
    }

    /// The server URL a helper is asked about: docker's (Docker Hub's is
    /// [`DOCKER_HUB_URL`]), or the registry's name, as podman asks.
    fn server_url(&self, registry: &str) -> String {
        match self.flavor {
            Flavor::Docker if registry == DOCKER_HUB => DOCKER_HUB_URL.to_string(),
            _ => registry.to_string(),
        }
    }

    /// The credentials of the `auths` entry `key`: its identity token, else its `auth`,
    /// else its `username` and `password`.
    fn credentials(&self, key: &str, entry: &Entry) -> Found {
        let from = format!("in {} (auths.{key:?})", self.path.display());
        if entry
            .identitytoken
            .as_deref()
            .is_some_and(|t| !t.is_empty())
        {
            return Found::IdentityToken { from };
        }
        let (user, password) = match (&entry.auth, &entry.username) {
            (Some(auth), _) => auth.clone(),
            (None, Some(user)) if !user.is_empty() => {
                (user.clone(), entry.password.clone().unwrap_or_default())
            }
            _ => return Found::Nothing,
        };
        if user.is_empty() && password.is_empty() {
            return Found::Nothing;
        }
        Found::Basic {
            user,
            password,
            from,
        }
    }
}

/// What a key names: a registry (`path` empty), or a namespace or repository in it.
struct Scope<'k> {
    host: String,
    path: Vec<&'k str>,
}

/// Said of a field that is not a string.
const IS_NOT: &str = "is not a string";

/// The members of the object `top[name]`, none when it is absent or null.
fn object<'a>(
    top: &'a Map<String, Value>,
    name: &str,
) -> Result<impl Iterator<Item = (&'a String, &'a Value)>, String> {
    match top.get(name) {
        None | Some(Value::Null) => Ok(None.into_iter().flatten()),
        Some(Value::Object(m)) => Ok(Some(m).into_iter().flatten()),
        Some(_) => Err(format!("{name} is not an object")),
    }
}

/// A string field, `None` when absent or null; `Err` when it is something else.
fn string(value: Option<&Value>) -> Result<Option<String>, ()> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(()),
    }
}

/// A registry's name as keys are compared: lower case, Docker Hub's aliases
/// (`index.docker.io`, `registry-1.docker.io`) as `docker.io`.
pub(super) fn canonical_host(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_string(),
        _ => host,
    }
}

/// `USER:PASSWORD` from the base64 of an `auth` field (standard alphabet, padding
/// optional); the password may hold `:`. `None` when it is not that.
fn decode_auth(auth: &str) -> Option<(String, String)> {
    let engine = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let bytes = engine.decode(auth.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(flavor: Flavor, json: &str) -> AuthFile {
        AuthFile::parse(Path::new("/h/auth.json"), flavor, json.as_bytes()).unwrap()
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    /// The `auths` key whose entry answers for `registry` and `repository`.
    fn key_for(f: &AuthFile, registry: &str, repository: &str) -> Option<String> {
        match f.lookup(registry, repository) {
            Found::Basic { from, .. } => {
                let key = from.split_once("(auths.").unwrap().1.trim_end_matches(')');
                Some(serde_json::from_str(key).unwrap())
            }
            Found::Nothing => None,
            other => panic!("{other:?}"),
        }
    }

    fn auths(keys: &[&str]) -> String {
        let entries: Vec<String> = keys
            .iter()
            .map(|k| format!("{k:?}: {{\"auth\": \"{}\"}}", b64("u:p")))
            .collect();
        format!("{{\"auths\": {{{}}}}}", entries.join(", "))
    }

    #[test]
    fn every_docker_key_form_names_its_registry() {
        for key in [
            "127.0.0.1:5000",
            "https://127.0.0.1:5000",
            "http://127.0.0.1:5000",
            "https://127.0.0.1:5000/v1/",
            "https://127.0.0.1:5000/v2/",
            "http://127.0.0.1:5000/v2",
            "127.0.0.1:5000/v1/",
            "127.0.0.1:5000/v2/",
        ] {
            let f = file(Flavor::Docker, &auths(&[key]));
            assert_eq!(key_for(&f, "127.0.0.1:5000", "app").as_deref(), Some(key));
            assert_eq!(key_for(&f, "127.0.0.1:5001", "app"), None, "{key}");
            assert_eq!(key_for(&f, "127.0.0.1", "app"), None, "{key}");
        }
        let f = file(Flavor::Docker, &auths(&["Registry.Example"]));
        assert!(key_for(&f, "registry.example", "app").is_some());
    }

    #[test]
    fn docker_hub_is_found_by_every_name() {
        let f = file(Flavor::Docker, &auths(&["https://index.docker.io/v1/"]));
        for registry in ["docker.io", "index.docker.io", "registry-1.docker.io"] {
            assert_eq!(
                key_for(&f, registry, "library/debian").as_deref(),
                Some("https://index.docker.io/v1/")
            );
        }
        for key in ["docker.io", "registry-1.docker.io", "index.docker.io"] {
            let f = file(Flavor::Containers, &auths(&[key]));
            assert_eq!(
                key_for(&f, "docker.io", "library/debian").as_deref(),
                Some(key)
            );
        }
        assert_eq!(key_for(&f, "quay.io", "library/debian"), None);
    }

    #[test]
    fn the_most_specific_key_wins() {
        let keys = [
            "registry.example",
            "registry.example/team",
            "registry.example/team/app",
            "https://registry.example/v1/",
        ];
        let f = file(Flavor::Containers, &auths(&keys));
        let at = |repo| key_for(&f, "registry.example", repo);
        assert_eq!(at("team/app").as_deref(), Some("registry.example/team/app"));
        assert_eq!(
            at("team/app/sub").as_deref(),
            Some("registry.example/team/app")
        );
        assert_eq!(at("team/other").as_deref(), Some("registry.example/team"));
        // A key names whole path segments: `team/app` is no scope of `team/application`.
        assert_eq!(
            at("team/application").as_deref(),
            Some("registry.example/team")
        );
        // The plain host beats the URL form of the same registry.
        assert_eq!(at("other/app").as_deref(), Some("registry.example"));
        assert_eq!(at("teams/app").as_deref(), Some("registry.example"));
        // A scoped key alone answers for its own repositories only.
        let f = file(Flavor::Containers, &auths(&["registry.example/team"]));
        assert_eq!(key_for(&f, "registry.example", "other/app"), None);
        // In docker's file too (an extension podman reads there as well), except
        // `host/v1/`, which docker writes for the registry.
        let f = file(
            Flavor::Docker,
            &auths(&["registry.example/team", "registry.example/v1/"]),
        );
        assert_eq!(
            key_for(&f, "registry.example", "team/app").as_deref(),
            Some("registry.example/team")
        );
        assert_eq!(
            key_for(&f, "registry.example", "other/app").as_deref(),
            Some("registry.example/v1/")
        );
    }

    #[test]
    fn auth_is_the_base64_of_user_colon_password() {
        assert_eq!(
            decode_auth(&b64("tester:pa:ss:word")),
            Some(("tester".into(), "pa:ss:word".into()))
        );
        assert_eq!(
            decode_auth(&b64("tester:")),
            Some(("tester".into(), String::new()))
        );
        // Padding is optional, as some tools write it.
        assert_eq!(decode_auth("dTpwdw"), Some(("u".into(), "pw".into())));
        assert_eq!(decode_auth("dTpwdw=="), Some(("u".into(), "pw".into())));
        assert_eq!(decode_auth(&b64("no colon")), None);
        assert_eq!(decode_auth("not base64!"), None);
        assert_eq!(
            decode_auth(&base64::engine::general_purpose::STANDARD.encode([0xff, b':'])),
            None
        );
    }

    #[test]
    fn an_entry_gives_auth_else_username_and_password() {
        let json = format!(
            r#"{{"auths": {{
                "a.example": {{"auth": "{}", "username": "ignored", "password": "ignored"}},
                "b.example": {{"username": "bob", "password": "x:y"}},
                "c.example": {{}},
                "d.example": {{"auth": "", "identitytoken": "refresh"}}
            }}}}"#,
            b64("alice:s3:cret")
        );
        let f = file(Flavor::Docker, &json);
        let basic = |user: &str, password: &str, key: &str| Found::Basic {
            user: user.into(),
            password: password.into(),
            from: format!("in /h/auth.json (auths.\"{key}\")"),
        };
        assert_eq!(
            f.lookup("a.example", "x"),
            basic("alice", "s3:cret", "a.example")
        );
        assert_eq!(f.lookup("b.example", "x"), basic("bob", "x:y", "b.example"));
        assert_eq!(f.lookup("c.example", "x"), Found::Nothing);
        assert_eq!(
            f.lookup("d.example", "x"),
            Found::IdentityToken {
                from: "in /h/auth.json (auths.\"d.example\")".into()
            }
        );
    }

    #[test]
    fn cred_helpers_beat_creds_store_beats_auths() {
        let json = format!(
            r#"{{"auths": {{"a.example": {{"auth": "{}"}}, "https://index.docker.io/v1/": {{}}}},
                "credsStore": "pass",
                "credHelpers": {{"b.example": "ecr-login", "c.example": ""}}}}"#,
            b64("u:p")
        );
        let f = file(Flavor::Docker, &json);
        let helper = |name: &str, server: &str, named: &str| Found::Helper {
            name: name.into(),
            server: server.into(),
            named: format!("{named} in /h/auth.json"),
        };
        assert_eq!(
            f.lookup("b.example", "x"),
            helper("ecr-login", "b.example", "credHelpers.\"b.example\"")
        );
        assert_eq!(
            f.lookup("a.example", "x"),
            helper("pass", "a.example", "credsStore")
        );
        // An empty helper name is none: the default store answers.
        assert_eq!(
            f.lookup("c.example", "x"),
            helper("pass", "c.example", "credsStore")
        );
        // Docker Hub's helpers are asked about its server URL.
        assert_eq!(
            f.lookup("docker.io", "library/debian"),
            helper("pass", DOCKER_HUB_URL, "credsStore")
        );
        // podman's file has no credsStore; its helpers are asked about the registry.
        let f = file(Flavor::Containers, &json);
        assert_eq!(
            f.lookup("a.example", "x"),
            Found::Basic {
                user: "u".into(),
                password: "p".into(),
                from: "in /h/auth.json (auths.\"a.example\")".into(),
            }
        );
        let f = file(
            Flavor::Containers,
            r#"{"credHelpers": {"docker.io": "secretservice"}}"#,
        );
        assert_eq!(
            f.lookup("index.docker.io", "library/debian"),
            helper("secretservice", "docker.io", "credHelpers.\"docker.io\"")
        );
    }

    #[test]
    fn malformed_files_are_errors_naming_the_file_and_key() {
        let parse = |json: &str| {
            AuthFile::parse(Path::new("/h/config.json"), Flavor::Docker, json.as_bytes())
                .unwrap_err()
        };
        for (json, said) in [
            ("{\"auths\": ", "/h/config.json is not valid JSON"),
            ("[]", "/h/config.json: not a JSON object"),
            ("{\"auths\": []}", "/h/config.json: auths is not an object"),
            (
                "{\"auths\": {\"h\": 1}}",
                "/h/config.json: auths.\"h\" is not an object",
            ),
            (
                "{\"auths\": {\"h\": {\"auth\": 1}}}",
                "/h/config.json: auths.\"h\".auth is not a string",
            ),
            (
                "{\"auths\": {\"h\": {\"password\": {}}}}",
                "/h/config.json: auths.\"h\".password is not a string",
            ),
            (
                "{\"credHelpers\": {\"h\": true}}",
                "/h/config.json: credHelpers.\"h\" is not a string",
            ),
            (
                "{\"credsStore\": 7}",
                "/h/config.json: credsStore is not a string",
            ),
            (
                "{\"credsStore\": \"../../tmp/x\"}",
                "/h/config.json: credsStore names no helper",
            ),
        ] {
            let e = parse(json);
            assert!(e.starts_with(said), "{json}: {e}");
        }
        // Every entry is decoded, not only the one asked for.
        assert_eq!(
            parse(r#"{"auths": {"h.example": {"auth": "%%%"}}}"#),
            "/h/config.json: auths.\"h.example\".auth is not the base64 of USER:PASSWORD"
        );
        // Fields docker writes that layerbom does not use are no error.
        let f = file(
            Flavor::Docker,
            r#"{"auths": {"h": {"email": "a@b", "auth": ""}}, "HttpHeaders": {"X": "y"}, "auths2": 1}"#,
        );
        assert_eq!(f.lookup("h", "app"), Found::Nothing);
    }

    #[test]
    fn files_are_read_when_present_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        assert!(AuthFile::read(&path, Flavor::Docker).unwrap().is_none());
        std::fs::write(&path, auths(&["h.example"])).unwrap();
        let f = AuthFile::read(&path, Flavor::Docker).unwrap().unwrap();
        assert!(matches!(f.lookup("h.example", "app"), Found::Basic { .. }));
        let mut big = auths(&["h.example"]).into_bytes();
        big.resize(MAX_FILE as usize + 1, b' ');
        std::fs::write(&path, &big).unwrap();
        let e = AuthFile::read(&path, Flavor::Docker).unwrap_err();
        assert!(
            e.contains(&path.display().to_string()) && e.contains("over"),
            "{e}"
        );
        // A directory in its place cannot be read: an error, not a missing file.
        let e = AuthFile::read(dir.path(), Flavor::Docker).unwrap_err();
        assert!(e.starts_with("cannot read"), "{e}");
    }
}
