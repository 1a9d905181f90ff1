//! Dockerfiles: the instructions of every build stage, as BuildKit reads them.
//!
//! The parser follows the Dockerfile reference: the `# escape=` parser directive, line
//! continuations, comment lines (also inside continuations), heredocs (`<<EOF`, `<<-EOF`,
//! quoted delimiters), and `ARG` substitution in `FROM` from the global `ARG`s before the
//! first stage. It keeps line numbers so that later findings can point at them.

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The keyword, upper-case (`RUN`, `COPY`, …).
    pub keyword: String,
    /// Everything after the keyword, continuations joined with a space.
    pub args: String,
    /// The 1-based line where the instruction starts.
    pub line: usize,
    /// Heredoc bodies that follow the instruction.
    pub heredocs: Vec<String>,
    /// Where each physical line starts in `args`: (byte offset, 1-based line), in order.
    pub spans: Vec<(usize, usize)>,
    /// The 1-based line of the first body line of each heredoc.
    pub heredoc_lines: Vec<usize>,
}

impl Instruction {
    /// The physical line that holds byte `offset` of `args`.
    pub fn line_at(&self, offset: usize) -> usize {
        self.spans
            .iter()
            .take_while(|&&(start, _)| start <= offset)
            .last()
            .map_or(self.line, |&(_, line)| line)
    }
}

/// One build stage: a `FROM` and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The image named by `FROM`, with build arguments substituted.
    pub from: String,
    /// The image as written, before substitution.
    pub from_raw: String,
    /// The `AS` name.
    pub name: Option<String>,
    /// `--platform=` of the `FROM`.
    pub platform: Option<String>,
    /// The `FROM` line.
    pub line: usize,
    /// The instructions after `FROM`.
    pub instructions: Vec<Instruction>,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    /// `ARG`s before the first `FROM`, with their defaults.
    pub global_args: Vec<(String, Option<String>)>,
    /// The stages, in order; the last one is the image that is shipped.
    pub stages: Vec<Stage>,
}

/// The longest Dockerfile read.
pub const MAX_SIZE: usize = 4 << 20;

/// Why a text is not a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The text is longer than [`MAX_SIZE`].
    #[error("larger than {MAX_SIZE} bytes")]
    TooLarge,
    /// An instruction other than `ARG` comes before the first `FROM`.
    #[error("line {line}: {keyword} before the first FROM")]
    BeforeFrom {
        /// The instruction's line.
        line: usize,
        /// Its keyword, upper-case.
        keyword: String,
    },
    /// A `FROM` names no image (or one that build arguments substitute to nothing).
    #[error("line {line}: FROM without an image")]
    FromWithoutImage {
        /// The `FROM` line.
        line: usize,
    },
    /// The text has no `FROM`, so no stage.
    #[error("no FROM instruction")]
    NoFrom,
}

/// Parses a Dockerfile. Fails on text with no `FROM` or instructions before it (other
/// than `ARG`), as BuildKit does.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    if text.len() > MAX_SIZE {
        return Err(ParseError::TooLarge);
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut escape = '\\';
    let mut i = 0;
    // Parser directives: comment lines at the very top.
    while let Some(l) = lines.get(i) {
        let t = l.trim();
        let Some(d) = t.strip_prefix('#') else { break };
        let d = d.trim();
        match d.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("escape") => {
                escape = v.trim().chars().next().unwrap_or('\\');
            }
            Some((k, _))
                if k.trim().eq_ignore_ascii_case("syntax")
                    || k.trim().eq_ignore_ascii_case("check") => {}
            _ => break,
        }
        i += 1;
    }
    let mut df = Dockerfile::default();
    while i < lines.len() {
        let start = i;
        let first = lines[i].trim_start();
        i += 1;
        if first.is_empty() || first.starts_with('#') {
            continue;
        }
        let mut logical = String::new();
        let mut current = first.trim_end().to_string();
        // (offset in `logical`, 1-based line) of every physical line joined.
        let mut joined = vec![(0, start + 1)];
        loop {
            match current.strip_suffix(escape) {
                Some(head) => {
                    logical.push_str(head);
                    logical.push(' ');
                    // Next physical line; comment and empty lines inside are dropped.
                    let mut next = None;
                    while i < lines.len() {
                        let t = lines[i].trim_start();
                        i += 1;
                        if t.starts_with('#') || t.trim().is_empty() {
                            continue;
                        }
                        joined.push((logical.len(), i));
                        next = Some(t.trim_end().to_string());
                        break;
                    }
                    match next {
                        Some(n) => current = n,
                        None => break,
                    }
                }
                None => {
                    logical.push_str(&current);
                    break;
                }
            }
        }
        let lead = logical.len() - logical.trim_start().len();
        let logical = logical.trim().to_string();
        let (kw, args, args_at) = match logical.split_once(char::is_whitespace) {
            Some((k, a)) => {
                let at = lead + k.len() + 1 + (a.len() - a.trim_start().len());
                (k.to_ascii_uppercase(), a.trim().to_string(), at)
            }
            None => (logical.to_ascii_uppercase(), String::new(), logical.len()),
        };
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for &(at, line) in &joined {
            let off = at.saturating_sub(args_at);
            match spans.last_mut() {
                Some(last) if last.0 == off => last.1 = line,
                _ => spans.push((off, line)),
            }
        }
        let mut heredocs = Vec::new();
        let mut heredoc_lines = Vec::new();
        if matches!(kw.as_str(), "RUN" | "COPY" | "ADD") {
            for (delim, strip_tabs) in heredoc_delimiters(&args) {
                heredoc_lines.push(i + 1);
                let mut body = String::new();
                while i < lines.len() {
                    let l = lines[i];
                    i += 1;
                    let cmp = if strip_tabs {
                        l.trim_start_matches('\t')
                    } else {
                        l
                    };
                    if cmp == delim {
                        break;
                    }
                    body.push_str(cmp);
                    body.push('\n');
                }
                heredocs.push(body);
            }
        }
        let ins = Instruction {
            keyword: kw,
            args,
            line: start + 1,
            heredocs,
            spans,
            heredoc_lines,
        };
        if ins.keyword == "FROM" {
            df.stages.push(from_stage(&ins, &df.global_args)?);
        } else if let Some(stage) = df.stages.last_mut() {
            stage.instructions.push(ins);
        } else if ins.keyword == "ARG" {
            let (name, default) = match ins.args.split_once('=') {
                Some((n, v)) => (n.trim().to_string(), Some(unquote(v.trim()))),
                None => (ins.args.trim().to_string(), None),
            };
            df.global_args.push((name, default));
        } else {
            return Err(ParseError::BeforeFrom {
                line: ins.line,
                keyword: ins.keyword,
            });
        }
    }
    if df.stages.is_empty() {
        return Err(ParseError::NoFrom);
    }
    Ok(df)
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    if s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')))
    {
        s[1..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

/// The heredoc delimiters an instruction's arguments open, with whether `<<-` strips tabs.
fn heredoc_delimiters(args: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = args;
    while let Some(p) = rest.find("<<") {
        let mut after = &rest[p + 2..];
        let strip = after.starts_with('-');
        if strip {
            after = &after[1..];
        }
        let word: String = after
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '&' | '|' | '>' | '<'))
            .collect();
        let delim = unquote(&word);
        if !delim.is_empty() && delim.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push((delim, strip));
        }
        rest = &after[word.len().min(after.len())..];
    }
    out
}

/// The names of the build arguments that `s` refers to with no value in `args` and no
/// `${NAME:-default}`: what `--build-arg` must supply.
pub fn unset_args(s: &str, args: &[(String, Option<String>)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(p) = rest.find('$') {
        rest = &rest[p + 1..];
        let (name, has_default) = match rest.strip_prefix('{') {
            Some(inner) => {
                let body = &inner[..inner.find('}').unwrap_or(inner.len())];
                let name = body.split(':').next().unwrap_or("");
                (name, body.contains(":-"))
            }
            None => {
                let n = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                (&rest[..n], false)
            }
        };
        let set = args
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .is_some_and(|(_, v)| v.as_deref().is_some_and(|v| !v.is_empty()));
        if !name.is_empty() && !set && !has_default && !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
    }
    out
}

/// Substitutes `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME:+alt}` from `args`.
pub fn substitute(s: &str, args: &[(String, Option<String>)]) -> String {
    let value = |name: &str| {
        args.iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.clone())
    };
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            let inner: String = chars.by_ref().take_while(|&c| c != '}').collect();
            let (name, op) = match inner.find(':') {
                Some(p) => (&inner[..p], Some(&inner[p..])),
                None => (inner.as_str(), None),
            };
            let v = value(name);
            match op {
                Some(o) if o.starts_with(":-") => out.push_str(
                    &v.filter(|v| !v.is_empty())
                        .unwrap_or_else(|| o[2..].to_string()),
                ),
                Some(o) if o.starts_with(":+") => {
                    if v.is_some_and(|v| !v.is_empty()) {
                        out.push_str(&o[2..]);
                    }
                }
                _ => out.push_str(&v.unwrap_or_default()),
            }
        } else {
            let name: String =
                std::iter::from_fn(|| chars.next_if(|c| c.is_ascii_alphanumeric() || *c == '_'))
                    .collect();
            if name.is_empty() {
                out.push('$');
            } else {
                out.push_str(&value(&name).unwrap_or_default());
            }
        }
    }
    out
}

fn from_stage(ins: &Instruction, args: &[(String, Option<String>)]) -> Result<Stage, ParseError> {
    let mut platform = None;
    let mut words = Vec::new();
    for w in ins.args.split_whitespace() {
        if let Some(p) = w.strip_prefix("--platform=") {
            platform = Some(substitute(p, args));
        } else if !w.starts_with("--") {
            words.push(w);
        }
    }
    let from_raw = words.first().map(|w| w.to_string()).unwrap_or_default();
    let from = Some(substitute(&from_raw, args))
        .filter(|w| !w.is_empty())
        .ok_or(ParseError::FromWithoutImage { line: ins.line })?;
    let name = match words.get(1) {
        Some(w) if w.eq_ignore_ascii_case("as") => words.get(2).map(|n| n.to_ascii_lowercase()),
        _ => None,
    };
    Ok(Stage {
        from,
        from_raw,
        name,
        platform,
        line: ins.line,
        instructions: Vec::new(),
    })
}

impl Dockerfile {
    /// The final stage: the image that is built and shipped.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The external image the final stage starts from, following `FROM <stage>` chains.
    pub fn final_base(&self) -> Option<&str> {
        let mut stage = self.final_stage()?;
        for _ in 0..self.stages.len() {
            match self
                .stages
                .iter()
                .find(|s| s.name.as_deref() == Some(stage.from.to_ascii_lowercase().as_str()))
            {
                Some(prev) => stage = prev,
                None => return Some(&stage.from),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_continuations_and_comments() {
        let df = parse(
            "# syntax=docker/dockerfile:1\nARG BASE=debian:12\nFROM ${BASE} AS build\nRUN make \\\n  # a comment inside\n  all\nFROM --platform=linux/amd64 build\nCOPY --from=build /out /app\n",
        )
        .unwrap();
        assert_eq!(df.stages.len(), 2);
        assert_eq!(df.stages[0].from, "debian:12");
        assert_eq!(df.stages[0].name.as_deref(), Some("build"));
        assert_eq!(df.stages[0].instructions[0].args, "make  all");
        assert_eq!(df.stages[0].instructions[0].line, 4);
        assert_eq!(df.stages[1].platform.as_deref(), Some("linux/amd64"));
        assert_eq!(df.final_base(), Some("debian:12"));
    }

    #[test]
    fn physical_lines_of_a_continued_instruction() {
        let df = parse("FROM alpine\nRUN \\\n  apk add curl \\\n\n  # note\n  && curl -O https://x/y\nRUN <<EOF\nset -e\nwget http://x\nEOF\n")
            .unwrap();
        let run = &df.stages[0].instructions[0];
        assert_eq!(run.args, "apk add curl  && curl -O https://x/y");
        assert_eq!(run.line, 2);
        assert_eq!(run.line_at(0), 3);
        assert_eq!(run.line_at(run.args.find("curl -O").unwrap()), 6);
        let heredoc = &df.stages[0].instructions[1];
        assert_eq!(
            (heredoc.line, heredoc.heredoc_lines.as_slice()),
            (7, &[8][..])
        );
    }

    #[test]
    fn escape_directive_changes_the_continuation_character() {
        let df = parse("# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\n").unwrap();
        assert_eq!(df.stages[0].instructions[0].args, "dir  c:\\");
    }

    #[test]
    fn heredocs_are_bodies_not_instructions() {
        let df = parse("FROM alpine\nRUN <<EOF\napk add curl\nFROM not-an-instruction\nEOF\nCOPY <<-\"CONF\" /etc/x\n\tkey=value\n\tCONF\n").unwrap();
        let s = &df.stages[0];
        assert_eq!(df.stages.len(), 1);
        assert_eq!(s.instructions.len(), 2);
        assert_eq!(
            s.instructions[0].heredocs,
            ["apk add curl\nFROM not-an-instruction\n"]
        );
        assert_eq!(s.instructions[1].heredocs, ["key=value\n"]);
    }

    #[test]
    fn build_arguments_without_a_value() {
        let args = vec![
            ("A".to_string(), Some("x".to_string())),
            ("B".to_string(), None),
        ];
        assert_eq!(unset_args("$A:${B}-${C:-d}-$D-${D}", &args), ["B", "D"]);
    }

    #[test]
    fn arg_defaults_and_alternatives() {
        let args = vec![
            ("A".to_string(), Some("x".to_string())),
            ("E".to_string(), Some(String::new())),
        ];
        assert_eq!(
            substitute("img:${A}-$A-${E:-d}-${A:+y}-${U}", &args),
            "img:x-x-d-y-"
        );
    }

    #[test]
    fn instructions_before_from_are_refused() {
        let e = parse("RUN true\nFROM x\n").unwrap_err();
        assert_eq!(e.to_string(), "line 1: RUN before the first FROM");
        assert_eq!(parse("# only a comment\n"), Err(ParseError::NoFrom));
    }

    #[test]
    fn a_from_without_an_image_is_refused() {
        let e = parse("ARG BASE\nFROM $BASE AS build\n").unwrap_err();
        assert_eq!(e, ParseError::FromWithoutImage { line: 2 });
        assert_eq!(e.to_string(), "line 2: FROM without an image");
    }
}
