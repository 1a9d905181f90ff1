//! The credentials to reach a registry with, and where they were given: the command line's
//! (`--username` and `--password-stdin`), else the environment's
//! (`LAYERBOM_REGISTRY_USERNAME` and `LAYERBOM_REGISTRY_PASSWORD`), else none (anonymous).

use oci_client::secrets::RegistryAuth;

use crate::source::RegistryOptions;

/// The environment variables Basic credentials are read from.
pub(crate) const USERNAME_VAR: &str = "LAYERBOM_REGISTRY_USERNAME";
pub(crate) const PASSWORD_VAR: &str = "LAYERBOM_REGISTRY_PASSWORD";

/// Credentials and where they came from.
#[derive(Debug, Clone)]
pub(crate) struct Credentials {
    pub auth: RegistryAuth,
    /// Where they were given, said when the registry refuses them ("given with
    /// --username and --password-stdin"); empty for an anonymous pull.
    pub from: String,
}

/// The credentials for `registry` (`host[:port]` as the reference names it).
pub(crate) fn find(
    _registry: &str,
    opts: &RegistryOptions,
) -> std::result::Result<Credentials, String> {
    if let Some((user, password)) = &opts.credentials {
        return Ok(Credentials {
            auth: RegistryAuth::Basic(user.clone(), password.clone()),
            from: "given with --username and --password-stdin".into(),
        });
    }
    match std::env::var(USERNAME_VAR) {
        Ok(user) if !user.is_empty() => Ok(Credentials {
            auth: RegistryAuth::Basic(user, std::env::var(PASSWORD_VAR).unwrap_or_default()),
            from: format!("in {USERNAME_VAR} and {PASSWORD_VAR}"),
        }),
        _ => Ok(Credentials {
            auth: RegistryAuth::Anonymous,
            from: String::new(),
        }),
    }
}
