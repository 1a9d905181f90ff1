//! Asking a credential helper, as docker and podman do: `docker-credential-NAME get`, the
//! server URL on its standard input, the answer `{"ServerURL", "Username", "Secret"}` on
//! its standard output. A helper that has no credentials for the server says so
//! ("credentials not found in native keychain") and exits non-zero.
//!
//! A helper is a program the user's configuration names, so it is bounded like any input:
//! it is killed when it has not answered within [`TIMEOUT`], and an answer over
//! [`MAX_OUTPUT`] bytes is refused.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a helper is given to answer.
pub(super) const TIMEOUT: Duration = Duration::from_secs(30);
/// The most a helper may write to standard output or standard error.
pub(super) const MAX_OUTPUT: u64 = 1 << 20;
/// What a helper says when it has no credentials for the server.
const NOT_FOUND: &str = "credentials not found in native keychain";
/// The most of a failed helper's message an error repeats.
const MAX_SAID: usize = 200;

/// A helper's answer.
#[derive(Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Answer {
    /// `<token>` when the secret is an identity token.
    #[serde(default)]
    pub username: String,
    pub secret: String,
}

/// The user name of an answer whose secret is an identity token.
pub(super) const TOKEN_USER: &str = "<token>";

/// Runs `program get` (`docker-credential-NAME`, looked for on `PATH`) with `server` on
/// its standard input; `None` when it has no credentials for it. `who` names the helper
/// and what named it in errors.
pub(super) fn get(
    program: &OsStr,
    server: &str,
    who: &str,
    timeout: Duration,
) -> Result<Option<Answer>, String> {
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {who}: {e}"))?;
    let deadline = Instant::now() + timeout;
    let (tx, rx) = mpsc::channel();
    let pipes: [Box<dyn Read + Send>; 2] = [
        Box::new(child.stdout.take().expect("stdout is piped")),
        Box::new(child.stderr.take().expect("stderr is piped")),
    ];
    for (i, pipe) in pipes.into_iter().enumerate() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let read = pipe.take(MAX_OUTPUT + 1).read_to_end(&mut bytes);
            // The receiver is gone only once the helper was given up on.
            let _ = tx.send((i, read.map(|_| bytes)));
        });
    }
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading the URL is judged by its answer and exit
        // status, so a write it refused is no error of its own.
        let _ = stdin.write_all(server.as_bytes());
    }
    let mut output = [Vec::new(), Vec::new()];
    for _ in 0..2 {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((_, Ok(bytes))) if bytes.len() as u64 > MAX_OUTPUT => {
                stop(&mut child);
                return Err(format!("{who} answered more than {MAX_OUTPUT} bytes"));
            }
            Ok((i, Ok(bytes))) => output[i] = bytes,
            Ok((_, Err(e))) => {
                stop(&mut child);
                return Err(format!("cannot read the answer of {who}: {e}"));
            }
            Err(_) => {
                stop(&mut child);
                return Err(timed_out(who, timeout));
            }
        }
    }
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                stop(&mut child);
                return Err(timed_out(who, timeout));
            }
            Err(e) => {
                stop(&mut child);
                return Err(format!("cannot wait for {who}: {e}"));
            }
        }
    };
    let [stdout, stderr] = output.map(|b| String::from_utf8_lossy(&b).into_owned());
    if !status.success() {
        if stdout.contains(NOT_FOUND) || stderr.contains(NOT_FOUND) {
            return Ok(None);
        }
        let said = [&stderr, &stdout]
            .into_iter()
            .flat_map(|s| s.lines())
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("no message");
        let said: String = said.chars().take(MAX_SAID).collect();
        return Err(format!("{who} failed ({status}): {said}"));
    }
    // serde_json's errors say where the JSON is wrong, never what it holds: no secret is
    // repeated.
    serde_json::from_str(&stdout)
        .map(Some)
        .map_err(|e| format!("{who} answered no credentials ({e})"))
}

/// Kills a helper given up on, and reaps it.
fn stop(child: &mut Child) {
    // It may have exited already: then there is nothing to kill.
    let _ = child.kill();
    let _ = child.wait();
}

fn timed_out(who: &str, timeout: Duration) -> String {
    format!("{who} did not answer within {} s", timeout.as_secs_f32())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A helper that runs the shell script `body`, in `dir`.
    fn helper(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
        let path = dir.join("docker-credential-unit");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn ask(body: &str, timeout: Duration) -> Result<Option<Answer>, String> {
        let dir = tempfile::tempdir().unwrap();
        let program = helper(dir.path(), body);
        get(
            program.as_os_str(),
            "reg.example:5000",
            "the helper",
            timeout,
        )
    }

    #[test]
    fn the_server_url_goes_in_and_the_credentials_come_out() {
        let body = r#"[ "$1" = get ] || exit 3
url=$(cat)
printf '{"ServerURL":"%s","Username":"u-%s","Secret":"p:w"}' "$url" "$url""#;
        assert_eq!(
            ask(body, TIMEOUT).unwrap(),
            Some(Answer {
                username: "u-reg.example:5000".into(),
                secret: "p:w".into()
            })
        );
    }

    #[test]
    fn not_found_is_no_credentials_and_other_failures_are_errors() {
        let not_found = "cat >/dev/null; echo 'credentials not found in native keychain'; exit 1";
        assert_eq!(ask(not_found, TIMEOUT).unwrap(), None);
        let e = ask(
            "echo 'gpg: decryption failed' >&2; echo more >&2; exit 2",
            TIMEOUT,
        )
        .unwrap_err();
        assert_eq!(
            e,
            "the helper failed (exit status: 2): gpg: decryption failed"
        );
        let e = ask("echo '{\"Username\": \"u\"'", TIMEOUT).unwrap_err();
        assert!(e.starts_with("the helper answered no credentials ("), "{e}");
        let e = get(
            OsStr::new("/nonexistent/docker-credential-x"),
            "h",
            "the helper",
            TIMEOUT,
        )
        .unwrap_err();
        assert!(e.starts_with("cannot run the helper: "), "{e}");
    }

    #[test]
    fn a_slow_or_verbose_helper_is_stopped() {
        let started = Instant::now();
        let e = ask("exec sleep 20", Duration::from_millis(300)).unwrap_err();
        assert_eq!(e, "the helper did not answer within 0.3 s");
        assert!(started.elapsed() < Duration::from_secs(10));
        let e = ask("head -c 3000000 /dev/zero", TIMEOUT).unwrap_err();
        assert_eq!(
            e,
            format!("the helper answered more than {MAX_OUTPUT} bytes")
        );
    }
}
