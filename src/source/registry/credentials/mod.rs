//! The credentials to reach a registry with, and where they were found. They are looked
//! for where docker and podman keep them, and the first found are used:
//!
//! 1. the command line: `--username` and `--password-stdin`;
//! 2. the environment: `LAYERBOM_REGISTRY_USERNAME` and `LAYERBOM_REGISTRY_PASSWORD`;
//! 3. podman's auth files (containers-auth.json(5)): `$REGISTRY_AUTH_FILE`, else
//!    `$XDG_RUNTIME_DIR/containers/auth.json` then `$XDG_CONFIG_HOME/containers/auth.json`
//!    (`~/.config/containers/auth.json`);
//! 4. docker's `$DOCKER_CONFIG/config.json` (`~/.docker/config.json`);
//! 5. none: the pull is anonymous.
//!
//! In an auth file ([`file`]), the credential helper named for the registry answers first
//! ([`helper`]; in docker's file, else its default `credsStore`), else the `auths` entry of
//! the repository, a namespace of it or the registry, the most specific first. A helper
//! that has no credentials for the registry passes the search on to the next file. A
//! missing file is skipped; one that cannot be read, is too large or malformed is an
//! error naming it, and so are identity tokens, which the registry client cannot use.

mod file;
mod helper;

use std::ffi::OsString;
use std::path::PathBuf;

use oci_client::secrets::RegistryAuth;
use oci_client::Reference;

use crate::source::RegistryOptions;
use file::{AuthFile, Flavor, Found};

/// The environment variables Basic credentials are read from.
pub(crate) const USERNAME_VAR: &str = "LAYERBOM_REGISTRY_USERNAME";
pub(crate) const PASSWORD_VAR: &str = "LAYERBOM_REGISTRY_PASSWORD";

/// Credentials and where they came from.
#[derive(Debug, Clone)]
pub(crate) struct Credentials {
    pub auth: RegistryAuth,
    /// Where they were found, said when the registry refuses them ("given with
    /// --username and --password-stdin", `in FILE (auths."KEY")`,
    /// `from docker-credential-NAME (credsStore in FILE)`); empty for an anonymous pull.
    pub from: String,
}

/// The credentials for the image `reference` names.
pub(crate) fn find(
    reference: &Reference,
    opts: &RegistryOptions,
) -> std::result::Result<Credentials, String> {
    Places::from_env().find(reference.registry(), reference.repository(), opts)
}

/// Where credentials are looked for besides the command line, as the environment says.
#[derive(Debug, Default)]
struct Places {
    /// `LAYERBOM_REGISTRY_USERNAME` (when set) and `LAYERBOM_REGISTRY_PASSWORD`.
    env: Option<(String, String)>,
    /// podman's auth files, in the order they are read.
    containers: Vec<PathBuf>,
    /// docker's `config.json`.
    docker: Option<PathBuf>,
}

impl Places {
    /// The places the environment names; a variable set empty is as one unset.
    fn from_env() -> Places {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let home = var("HOME").map(PathBuf::from);
        let containers = match var("REGISTRY_AUTH_FILE") {
            Some(file) => vec![PathBuf::from(file)],
            None => {
                let config = var("XDG_CONFIG_HOME")
                    .map(PathBuf::from)
                    .or_else(|| home.as_ref().map(|h| h.join(".config")));
                [var("XDG_RUNTIME_DIR").map(PathBuf::from), config]
                    .into_iter()
                    .flatten()
                    .map(|dir| dir.join("containers/auth.json"))
                    .collect()
            }
        };
        let docker = var("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| home.map(|h| h.join(".docker")))
            .map(|dir| dir.join("config.json"));
        let env = var(USERNAME_VAR).map(|user| {
            let password = var(PASSWORD_VAR).unwrap_or_default();
            (lossy(user), lossy(password))
        });
        Places {
            env,
            containers,
            docker,
        }
    }

    /// The first credentials found for `repository` in `registry` (`host[:port]` as the
    /// reference names it).
    fn find(
        &self,
        registry: &str,
        repository: &str,
        opts: &RegistryOptions,
    ) -> std::result::Result<Credentials, String> {
        if let Some((user, password)) = &opts.credentials {
            return Ok(Credentials {
                auth: RegistryAuth::Basic(user.clone(), password.clone()),
                from: "given with --username and --password-stdin".into(),
            });
        }
        if let Some((user, password)) = &self.env {
            return Ok(Credentials {
                auth: RegistryAuth::Basic(user.clone(), password.clone()),
                from: format!("in {USERNAME_VAR} and {PASSWORD_VAR}"),
            });
        }
        let files = self
            .containers
            .iter()
            .map(|path| (path, Flavor::Containers))
            .chain(self.docker.iter().map(|path| (path, Flavor::Docker)));
        for (path, flavor) in files {
            let Some(file) = AuthFile::read(path, flavor)? else {
                continue;
            };
            if let Some(found) = credentials(file.lookup(registry, repository))? {
                return Ok(found);
            }
        }
        Ok(Credentials {
            auth: RegistryAuth::Anonymous,
            from: String::new(),
        })
    }
}

/// The credentials an auth file gave, asking the helper it named; `None` when there are
/// none.
fn credentials(found: Found) -> std::result::Result<Option<Credentials>, String> {
    match found {
        Found::Nothing => Ok(None),
        Found::Basic {
            user,
            password,
            from,
        } => Ok(Some(Credentials {
            auth: RegistryAuth::Basic(user, password),
            from,
        })),
        Found::IdentityToken { from } => Err(identity_token(&from)),
        Found::Helper {
            name,
            server,
            named,
        } => {
            let program = format!("docker-credential-{name}");
            let from = format!("from {program} ({named})");
            let who = format!("{program} ({named})");
            match helper::get(program.as_ref(), &server, &who, helper::TIMEOUT)? {
                Some(answer) if answer.username == helper::TOKEN_USER => Err(identity_token(&from)),
                Some(answer) if !answer.secret.is_empty() => Ok(Some(Credentials {
                    auth: RegistryAuth::Basic(answer.username, answer.secret),
                    from,
                })),
                _ => Ok(None),
            }
        }
    }
}

/// The error of an identity token found `from` somewhere: oci-client sends a registry
/// the credentials it is given, or a Bearer token as the registry's own, and cannot
/// exchange a refresh token for an access token at the registry's token service.
fn identity_token(from: &str) -> String {
    format!(
        "the credentials {from} are an identity token, which layerbom cannot use (its \
         registry client cannot exchange one for an access token): log in with a user name \
         and password, or give them with --username and --password-stdin"
    )
}

fn lossy(s: OsString) -> String {
    s.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    /// A directory with a podman auth file and a docker config file, each holding `json`
    /// when given.
    struct Homes {
        dir: tempfile::TempDir,
    }

    impl Homes {
        fn new(podman: Option<&str>, docker: Option<&str>) -> Homes {
            let dir = tempfile::tempdir().unwrap();
            if let Some(json) = podman {
                std::fs::write(dir.path().join("auth.json"), json).unwrap();
            }
            if let Some(json) = docker {
                std::fs::write(dir.path().join("config.json"), json).unwrap();
            }
            Homes { dir }
        }

        fn places(&self) -> Places {
            Places {
                env: None,
                containers: vec![
                    self.dir.path().join("missing/auth.json"),
                    self.dir.path().join("auth.json"),
                ],
                docker: Some(self.dir.path().join("config.json")),
            }
        }

        fn path(&self, name: &str) -> String {
            self.dir.path().join(name).display().to_string()
        }

        /// The error looking for `registry`'s credentials ends in, checked to begin with
        /// `start`, in which `{}` is the path of `file`.
        fn fails(&self, registry: &str, start: &str, file: &str) {
            let none = RegistryOptions::default();
            let e = self.places().find(registry, "app", &none).unwrap_err();
            let start = start.replace("{}", &self.path(file));
            assert!(e.starts_with(&start), "{e}");
        }
    }

    fn auths(key: &str, user_password: &str) -> String {
        format!(
            r#"{{"auths": {{"{key}": {{"auth": "{}"}}}}}}"#,
            b64(user_password)
        )
    }

    fn basic(c: &Credentials) -> (&str, &str) {
        match &c.auth {
            RegistryAuth::Basic(u, p) => (u, p),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_command_line_then_the_environment_then_podman_then_docker() {
        let homes = Homes::new(
            Some(&auths("reg.example", "podman:p")),
            Some(&auths("reg.example", "docker:d")),
        );
        let mut places = homes.places();
        let given = RegistryOptions {
            credentials: Some(("cli".into(), "c".into())),
            ..RegistryOptions::default()
        };
        let none = RegistryOptions::default();
        places.env = Some(("env".into(), "e".into()));
        let c = places.find("reg.example", "app", &given).unwrap();
        assert_eq!(basic(&c), ("cli", "c"));
        assert_eq!(c.from, "given with --username and --password-stdin");
        let c = places.find("reg.example", "app", &none).unwrap();
        assert_eq!(basic(&c), ("env", "e"));
        places.env = None;
        let c = places.find("reg.example", "app", &none).unwrap();
        assert_eq!(basic(&c), ("podman", "p"));
        assert_eq!(
            c.from,
            format!("in {} (auths.\"reg.example\")", homes.path("auth.json"))
        );
        // Neither file holds credentials for another port of the host.
        let c = places.find("reg.example:5000", "app", &none);
        assert!(matches!(c.unwrap().auth, RegistryAuth::Anonymous));
        let homes = Homes::new(
            Some(&auths("other.example", "podman:p")),
            Some(&auths("https://reg.example/v1/", "docker:d")),
        );
        let c = homes.places().find("reg.example", "app", &none).unwrap();
        assert_eq!(basic(&c), ("docker", "d"));
        assert_eq!(
            c.from,
            format!(
                "in {} (auths.\"https://reg.example/v1/\")",
                homes.path("config.json")
            )
        );
        // No file at all: anonymous.
        let homes = Homes::new(None, None);
        let c = homes.places().find("reg.example", "app", &none).unwrap();
        assert!(matches!(c.auth, RegistryAuth::Anonymous) && c.from.is_empty());
    }

    #[test]
    fn a_helper_named_for_the_registry_is_asked_before_auths() {
        // The helpers do not exist: the error says which one was chosen.
        let docker = format!(
            r#"{{"auths": {{"reg.example": {{"auth": "{}"}}}},
                "credsStore": "layerbom-no-such-store",
                "credHelpers": {{"reg.example": "layerbom-no-such-helper"}}}}"#,
            b64("u:p")
        );
        let homes = Homes::new(None, Some(&docker));
        homes.fails(
            "reg.example",
            "cannot run docker-credential-layerbom-no-such-helper \
             (credHelpers.\"reg.example\" in {})",
            "config.json",
        );
        homes.fails(
            "other.example",
            "cannot run docker-credential-layerbom-no-such-store (credsStore in {})",
            "config.json",
        );
        // podman's file comes first, and its entry is the answer.
        let homes = Homes::new(Some(&auths("reg.example", "podman:p")), Some(&docker));
        let none = RegistryOptions::default();
        let c = homes.places().find("reg.example", "app", &none).unwrap();
        assert_eq!(basic(&c), ("podman", "p"));
    }

    #[test]
    fn identity_tokens_and_bad_files_are_errors_naming_them() {
        let homes = Homes::new(
            None,
            Some(r#"{"auths": {"reg.example": {"identitytoken": "refresh-me"}}}"#),
        );
        homes.fails(
            "reg.example",
            "the credentials in {} (auths.\"reg.example\") are an identity token",
            "config.json",
        );
        // A malformed file is an error even when a later one would answer.
        let homes = Homes::new(Some("{\"auths\": {"), Some(&auths("reg.example", "u:p")));
        homes.fails("reg.example", "{} is not valid JSON", "auth.json");
    }
}
