//! Registry credentials from where docker and podman keep them, against a registry that
//! requires Basic auth: docker's `config.json` (`auths`, `credHelpers`, `credsStore`),
//! podman's auth files, and a real credential helper, a shell script speaking the helper
//! protocol (`get`, the server URL on standard input, JSON on standard output). Every
//! place is a temporary directory the test names in the environment.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::harness::*;

/// A registry requiring `tester`'s password, the fixture pushed to it, the fixture
/// itself, and a home directory for the configuration files.
struct Setup {
    reg: Registry,
    reference: String,
    archive: PathBuf,
    home: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let (reg, reference) = Registry::with_basic_auth();
        Setup {
            reg,
            reference,
            archive: fixture("docker-archive.tar"),
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// `127.0.0.1:PORT`, as the reference names the registry.
    fn registry(&self) -> String {
        format!("127.0.0.1:{}", self.reg.port)
    }

    /// Writes `text` at `name` under the home directory; returns the path.
    fn write(&self, name: &str, text: &str) -> String {
        let path = self.home.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path_str(&path).to_string()
    }

    fn home(&self) -> &str {
        path_str(self.home.path())
    }

    /// Scans the image with `env` and checks the report is the archive's.
    fn pulls(&self, env: &[(&str, &str)]) {
        let doc = scan(&[&self.reference], env);
        assert_eq!(
            packages(&doc),
            packages(&scan(&[path_str(&self.archive)], &[]))
        );
    }
}

/// An `auths` file holding `user:password` (as `auth`, its base64) under `key`.
fn auths(key: &str, user: &str, password: &str) -> String {
    let auth = base64(format!("{user}:{password}").as_bytes(), false);
    serde_json::json!({"auths": {key: {"auth": auth}}}).to_string()
}

#[test]
fn docker_config_auths_give_the_credentials() {
    let s = Setup::new();
    let registry = s.registry();
    // ~/.docker/config.json, `auth` the base64 of USER:PASSWORD.
    s.write(".docker/config.json", &auths(&registry, "tester", PASSWORD));
    s.pulls(&[("HOME", s.home())]);
    // $DOCKER_CONFIG/config.json in its place, with `username` and `password`, under a URL
    // key as older docker versions wrote them.
    let config = s.write(
        "docker-config/config.json",
        &serde_json::json!({"auths": {
            format!("http://{registry}/v2/"): {"username": "tester", "password": PASSWORD}
        }})
        .to_string(),
    );
    let dir = s.home.path().join("docker-config");
    s.pulls(&[("HOME", s.home()), ("DOCKER_CONFIG", path_str(&dir))]);
    // A wrong password: the registry refuses, and the error names the file and the key.
    s.write(".docker/config.json", &auths(&registry, "tester", "wrong"));
    let line = scan_fails(&[&s.reference], &[("HOME", s.home())]);
    let file = s.home.path().join(".docker/config.json");
    assert!(
        line.contains(&format!(
            "refused the credentials in {} (auths.\"{registry}\")",
            file.display()
        )),
        "{line}"
    );
    // A malformed file is an error naming it, not an anonymous pull.
    std::fs::write(&config, "{\"auths\": {\"127.0.0.1\": ").unwrap();
    let line = scan_fails(
        &[&s.reference],
        &[("HOME", s.home()), ("DOCKER_CONFIG", path_str(&dir))],
    );
    assert!(
        line.contains(&format!("{config} is not valid JSON")),
        "{line}"
    );
    std::fs::write(&config, "{\"auths\": {\"127.0.0.1\": {\"auth\": \"&&\"}}}").unwrap();
    let line = scan_fails(
        &[&s.reference],
        &[("HOME", s.home()), ("DOCKER_CONFIG", path_str(&dir))],
    );
    // The entry is for another registry (no port): the file is still checked whole.
    assert!(line.contains(&config), "{line}");
}

#[test]
fn podman_auth_files_come_before_docker_config() {
    let s = Setup::new();
    let registry = s.registry();
    let wrong_docker = s.write(".docker/config.json", &auths(&registry, "tester", "wrong"));
    // REGISTRY_AUTH_FILE beats config.json; its key may name the repository.
    let auth_file = s.write(
        "podman/auth.json",
        &auths(&format!("{registry}/fixtures/app"), "tester", PASSWORD),
    );
    s.pulls(&[("HOME", s.home()), ("REGISTRY_AUTH_FILE", &auth_file)]);
    // ~/.config/containers/auth.json too; a more specific key wins over the registry's.
    let scoped = serde_json::json!({"auths": {
        registry.clone(): {"auth": base64(b"tester:wrong", false)},
        format!("{registry}/fixtures"): {"auth": base64(format!("tester:{PASSWORD}").as_bytes(), false)},
    }});
    s.write(".config/containers/auth.json", &scoped.to_string());
    s.pulls(&[("HOME", s.home())]);
    // $XDG_RUNTIME_DIR's comes first: with a wrong password, it is what is refused.
    let runtime = s.write(
        "run/containers/auth.json",
        &auths(&registry, "tester", "wrong"),
    );
    let run_dir = s.home.path().join("run");
    let line = scan_fails(
        &[&s.reference],
        &[("HOME", s.home()), ("XDG_RUNTIME_DIR", path_str(&run_dir))],
    );
    assert!(
        line.contains(&format!(
            "refused the credentials in {runtime} (auths.\"{registry}\")"
        )),
        "{line}"
    );
    // A podman file with nothing for the registry passes on to docker's.
    s.write(
        "podman/auth.json",
        &auths("registry.example", "tester", PASSWORD),
    );
    let line = scan_fails(
        &[&s.reference],
        &[("HOME", s.home()), ("REGISTRY_AUTH_FILE", &auth_file)],
    );
    assert!(line.contains(&wrong_docker), "{line}");
}

/// Writes the credential helper `docker-credential-layerbomtest` into `bin`: it answers
/// `get` for the server URLs listed in `bin/store` (`URL USER SECRET` lines) and says
/// "credentials not found" for others, as docker's helpers do; without a store it fails.
fn credential_helper(bin: &Path) {
    let script = r#"#!/bin/sh
[ "$1" = get ] || { echo "unsupported action $1" >&2; exit 1; }
store="$(dirname "$0")/store"
[ -r "$store" ] || { echo "the keyring is locked" >&2; exit 1; }
url=$(cat)
while read -r server user secret; do
    if [ "$server" = "$url" ]; then
        printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "$url" "$user" "$secret"
        exit 0
    fi
done < "$store"
echo "credentials not found in native keychain"
exit 1
"#;
    std::fs::create_dir_all(bin).unwrap();
    let path = bin.join("docker-credential-layerbomtest");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn credential_helpers_are_asked_for_the_registry() {
    let s = Setup::new();
    let registry = s.registry();
    let bin = s.home.path().join("bin");
    credential_helper(&bin);
    let path = format!(
        "{}:{}",
        path_str(&bin),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = [("HOME", s.home()), ("PATH", path.as_str())];
    // Without a store the helper fails: an error naming it.
    let config = s.write(
        ".docker/config.json",
        &serde_json::json!({"credsStore": "layerbomtest"}).to_string(),
    );
    let line = scan_fails(&[&s.reference], &env);
    assert!(
        line.contains(&format!(
            "docker-credential-layerbomtest (credsStore in {config}) failed"
        )) && line.contains("the keyring is locked"),
        "{line}"
    );
    let store = bin.join("store");
    std::fs::write(&store, format!("{registry} tester {PASSWORD}\n")).unwrap();
    s.pulls(&env);
    // credHelpers beats credsStore (a helper that does not exist) and auths (wrong).
    let mut config_json =
        serde_json::from_str::<Value>(&auths(&registry, "tester", "wrong")).unwrap();
    config_json["credsStore"] = "layerbom-absent".into();
    config_json["credHelpers"] = serde_json::json!({registry.clone(): "layerbomtest"});
    std::fs::write(&config, config_json.to_string()).unwrap();
    s.pulls(&env);
    // A secret the registry refuses: the error names the helper and what named it.
    std::fs::write(&store, format!("{registry} tester wrong\n")).unwrap();
    let line = scan_fails(&[&s.reference], &env);
    assert!(
        line.contains(&format!(
            "refused the credentials from docker-credential-layerbomtest \
             (credHelpers.\"{registry}\" in {config})"
        )),
        "{line}"
    );
    // A helper with no credentials for the registry: an anonymous pull, which the registry
    // refuses, saying how to log in.
    std::fs::write(&store, "registry.example tester secret\n").unwrap();
    let line = scan_fails(&[&s.reference], &env);
    assert!(
        line.contains("refused access") && line.contains("docker login"),
        "{line}"
    );
    // An identity token (user `<token>`) is an error naming where it came from.
    std::fs::write(&store, format!("{registry} <token> refresh-token\n")).unwrap();
    let line = scan_fails(&[&s.reference], &env);
    assert!(
        line.contains("docker-credential-layerbomtest") && line.contains("identity token"),
        "{line}"
    );
}
