//! Just enough of the POSIX shell grammar to find the commands a `RUN` executes.
//!
//! A `RUN` line is a shell script: commands joined by `&&`, `||`, `;`, `&`, newlines and
//! pipes, with quoting, comments and `$( … )` command substitutions. The audit needs to
//! know which commands run, with which words, where each word sits in the text (for the
//! line number), and which command pipes into which. It does not expand variables, run
//! `case` arms or follow functions: every command found anywhere in the script counts.

/// A word of a command, unquoted, with the byte offset where it starts in the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word with its quotes removed (variables are left as written).
    pub text: String,
    /// Byte offset of its first character in the script.
    pub at: usize,
}

/// A simple command: its words, and whether its output is piped into the next command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Command {
    /// The words, the command name first.
    pub words: Vec<Word>,
    /// Whether `|` follows it.
    pub piped: bool,
}

/// The deepest `$( … )` nesting that is looked into.
const MAX_DEPTH: usize = 8;

/// The most words read from one script: Dockerfiles are bounded (4 MiB), this bounds the
/// work on a pathological one too.
const MAX_WORDS: usize = 200_000;

/// Splits `script` into simple commands, in order. Commands inside `$( … )` and backquotes
/// follow the command that contains them.
pub fn commands(script: &str) -> Vec<Command> {
    let mut out = Vec::new();
    let mut words = 0;
    split(script, 0, 0, &mut out, &mut words);
    out
}

fn split(script: &str, base: usize, depth: usize, out: &mut Vec<Command>, budget: &mut usize) {
    let b = script.as_bytes();
    let mut i = 0;
    let mut cmd = Command::default();
    let mut inner: Vec<(usize, usize)> = Vec::new();
    let finish = |cmd: &mut Command, piped: bool, out: &mut Vec<Command>| {
        if !cmd.words.is_empty() {
            cmd.piped = piped;
            out.push(std::mem::take(cmd));
        }
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\n' | b';' | b'(' | b')' => {
                finish(&mut cmd, false, out);
                i += 1;
            }
            b'&' => {
                finish(&mut cmd, false, out);
                i += if b.get(i + 1) == Some(&b'&') { 2 } else { 1 };
            }
            b'|' => {
                let or = b.get(i + 1) == Some(&b'|');
                finish(&mut cmd, !or, out);
                i += if or { 2 } else { 1 };
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {
                let start = i;
                let mut text = String::new();
                let mut quote: Option<u8> = None;
                while i < b.len() {
                    let c = b[i];
                    match quote {
                        Some(q) if c == q => {
                            quote = None;
                            i += 1;
                        }
                        Some(b'\'') => {
                            let end = script[i..].find('\'').map_or(b.len(), |p| i + p);
                            text.push_str(&script[i..end]);
                            i = end;
                        }
                        _ if c == b'\\' => {
                            match script[i + 1..].chars().next() {
                                Some('\n') => {}
                                Some(ch) => text.push(ch),
                                None => {}
                            }
                            i += 1 + script[i + 1..].chars().next().map_or(0, char::len_utf8);
                        }
                        None if c == b'\'' || c == b'"' => {
                            quote = Some(c);
                            i += 1;
                        }
                        _ if c == b'$' && b.get(i + 1) == Some(&b'(') => {
                            let end = matching_paren(b, i + 1);
                            inner.push((i + 2, end));
                            text.push_str(&script[i..(end + 1).min(b.len())]);
                            i = (end + 1).min(b.len());
                        }
                        _ if c == b'`' => {
                            let end = script[i + 1..].find('`').map_or(b.len(), |p| i + 1 + p);
                            inner.push((i + 1, end));
                            text.push_str(&script[i..(end + 1).min(b.len())]);
                            i = (end + 1).min(b.len());
                        }
                        None if matches!(
                            c,
                            b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')'
                        ) =>
                        {
                            break
                        }
                        _ => {
                            let ch = script[i..].chars().next().unwrap_or(' ');
                            text.push(ch);
                            i += ch.len_utf8();
                        }
                    }
                }
                if *budget >= MAX_WORDS {
                    return;
                }
                *budget += 1;
                cmd.words.push(Word {
                    text,
                    at: base + start,
                });
            }
        }
    }
    finish(&mut cmd, false, out);
    if depth < MAX_DEPTH {
        for (s, e) in inner {
            if let Some(sub) = script.get(s..e) {
                split(sub, base + s, depth + 1, out, budget);
            }
        }
    }
}

/// The index of the `)` that closes the `(` at `open`, or the end of the text.
fn matching_paren(b: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = open;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'\'' | b'"' => quote = Some(c),
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    b.len()
}

/// The command's name and arguments with wrappers taken off: leading `VAR=value`
/// assignments, `sudo` (and its options), `env`, `command`, `exec`, `nohup`, `time`.
pub fn effective(words: &[Word]) -> &[Word] {
    let mut w = words;
    loop {
        match w.first().map(|x| x.text.as_str()) {
            Some(t) if is_assignment(t) => w = &w[1..],
            Some("sudo" | "env" | "command" | "exec" | "nohup" | "time" | "xargs") => {
                w = &w[1..];
                while w.first().is_some_and(|x| x.text.starts_with('-')) {
                    w = &w[1..];
                }
            }
            _ => return w,
        }
    }
}

fn is_assignment(t: &str) -> bool {
    match t.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// The base name of a command word (`/usr/bin/curl` → `curl`).
pub fn name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(c: &Command) -> Vec<&str> {
        c.words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn operators_split_commands_and_pipes_are_marked() {
        let cs = commands("set -eux; curl -fsSL 'https://x/a b' | sh -s -- -y && echo ok || true");
        assert_eq!(cs.len(), 5);
        assert_eq!(texts(&cs[1]), ["curl", "-fsSL", "https://x/a b"]);
        assert!(cs[1].piped);
        assert!(!cs[2].piped);
        assert_eq!(texts(&cs[2]), ["sh", "-s", "--", "-y"]);
        assert_eq!(cs[1].words[2].at, 21);
    }

    #[test]
    fn quotes_escapes_comments_and_substitutions() {
        let cs = commands(
            "echo \"$SHA *go.tgz\" | sha256sum -c -\n# wget http://no\nsh -c \"$(curl -fsSL https://i/x.sh)\"",
        );
        assert_eq!(texts(&cs[0]), ["echo", "$SHA *go.tgz"]);
        assert!(cs[0].piped);
        assert_eq!(texts(&cs[1]), ["sha256sum", "-c", "-"]);
        assert_eq!(texts(&cs[2])[0], "sh");
        assert_eq!(texts(&cs[3]), ["curl", "-fsSL", "https://i/x.sh"]);
        assert_eq!(cs.len(), 4);
    }

    #[test]
    fn wrappers_are_not_the_command() {
        let cs = commands("DEBIAN_FRONTEND=x sudo -E bash -");
        let e = effective(&cs[0].words);
        assert_eq!(e[0].text, "bash");
        assert_eq!(name("/usr/bin/curl"), "curl");
    }

    #[test]
    fn unbalanced_text_does_not_panic() {
        for s in [
            "\"unterminated",
            "$(",
            "`",
            "'",
            "\\",
            "a\\",
            "é\\é",
            "$(()))",
            "|&;",
        ] {
            let _ = commands(s);
        }
    }
}
