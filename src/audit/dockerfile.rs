//! The Dockerfile audit: what an open-source review asks about a Dockerfile, answered from
//! its text.
//!
//! A reviewer approving a container delivery wants to know who wrote the Dockerfile and
//! under which license, where each base image comes from and whether it is pinned by digest
//! (a tag can be moved to other content at any time), which stages only build and which one
//! is shipped, and what code the build fetches from outside: `COPY --from` of other images,
//! `ADD` of URLs, and downloads in `RUN` (curl, wget, git clone, pip and npm installs from
//! URLs), with whether a checksum or signature is checked in the same `RUN`, whether the
//! transport is plain `http://`, and whether a downloaded script is piped into a shell.
//!
//! Every finding carries the line of the instruction, or the physical line of the command
//! inside a continued `RUN` or its heredoc. The checks read the text only: variables set by
//! the script itself (`url=…; wget "$url"`) are shown as written, and a checksum anywhere in
//! a `RUN` counts for every download of that `RUN`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::shell::{self, Command, Word};
use crate::dockerfile::{self, Dockerfile, Instruction, Stage};
use crate::model::{Check, Fetch, Finding, FindingKind, StageRef, Verified};

/// An image reference as written in `FROM` or `COPY --from`: `[registry/]name[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    /// The registry host (with port), when the reference names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// The repository path, e.g. `library/debian` as written (`debian`).
    pub repository: String,
    /// The tag, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The digest (`sha256:…`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses a reference. The registry is the first path component when it has a `.` or a
    /// `:` or is `localhost`, as Docker decides.
    pub fn parse(s: &str) -> ImageRef {
        let (name, digest) = match s.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (s, None),
        };
        let slash = name.rfind('/').map_or(0, |p| p + 1);
        let (name, tag) = match name[slash..].rfind(':') {
            Some(p) => (&name[..slash + p], Some(name[slash + p + 1..].to_string())),
            None => (name, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_string()), rest.to_string())
            }
            _ => (None, name.to_string()),
        };
        ImageRef {
            registry,
            repository,
            tag: tag.filter(|t| !t.is_empty()),
            digest: digest.filter(|d| !d.is_empty()),
        }
    }

    /// Whether a digest pins the content.
    pub fn pinned(&self) -> bool {
        self.digest
            .as_deref()
            .is_some_and(|d| d.split_once(':').is_some_and(|(_, h)| h.len() >= 32))
    }
}

/// What a stage is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The last stage: the image that is shipped.
    Final,
    /// A stage the final stage is built `FROM`: its files are shipped too.
    Shipped,
    /// A stage that only builds: the shipped stages copy from it or build on it.
    Build,
    /// A stage nothing shipped refers to (BuildKit skips it).
    Unused,
}

/// One stage as the audit sees it.
#[derive(Debug, Clone, Serialize)]
pub struct StageInfo {
    /// Position, from 0.
    pub index: usize,
    /// The `AS` name.
    pub name: Option<String>,
    /// The `FROM` image, build arguments substituted.
    pub from: String,
    /// The `FROM` line.
    pub line: usize,
    /// What the stage is for.
    pub role: Role,
    /// The image reference, when `FROM` names an image rather than an earlier stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
}

/// The license statement found in the Dockerfile's comments.
#[derive(Debug, Clone, Serialize)]
pub struct LicenseInfo {
    /// The SPDX expression of an `SPDX-License-Identifier:` comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spdx: Option<String>,
    /// A header comment line that mentions a license.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// Copyright lines of the header.
    pub copyright: Vec<String>,
    /// The line of the statement.
    pub line: usize,
}

/// The audit of one Dockerfile.
#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    /// The Dockerfile as named.
    pub path: String,
    /// Its license statement, if any.
    pub license: Option<LicenseInfo>,
    /// Its stages.
    pub stages: Vec<StageInfo>,
    /// What the review should look at, in line order.
    pub findings: Vec<Finding>,
}

/// Audits the Dockerfile `text` named `path`. Fails when the text is not a Dockerfile.
pub fn audit(path: &str, text: &str) -> Result<Audit, dockerfile::ParseError> {
    let df = dockerfile::parse(text)?;
    let mut findings = Vec::new();
    let license = license(text);
    license_findings(license.as_ref(), &mut findings);
    let stages = stages(&df, &mut findings);
    for (i, stage) in df.stages.iter().enumerate() {
        let names = stage_names(&df, i);
        let vars = variables(&df, stage);
        for ins in &stage.instructions {
            match ins.keyword.as_str() {
                "COPY" => copy_from(ins, &names, stages[i].role, &mut findings),
                "ADD" => add(ins, &vars, &mut findings),
                "RUN" => run(ins, &vars, &mut findings),
                _ => {}
            }
        }
    }
    for f in &mut findings {
        f.path = Some(path.to_string());
    }
    findings.sort_by_key(|f| f.line.unwrap_or(0));
    Ok(Audit {
        path: path.to_string(),
        license,
        stages,
        findings,
    })
}

/// Reads and audits the Dockerfile at `path`. Fails with [`crate::Error::Dockerfile`]
/// (exit code 2) when it cannot be read or is not a Dockerfile.
pub fn audit_file(path: &std::path::Path) -> crate::Result<Audit> {
    let name = path.display().to_string();
    let fail = |source: Box<dyn std::error::Error + Send + Sync>| crate::Error::Dockerfile {
        path: name.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(e.into()))?;
    if meta.len() > dockerfile::MAX_SIZE as u64 {
        return Err(fail(dockerfile::ParseError::TooLarge.into()));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(e.into()))?;
    audit(&name, &String::from_utf8_lossy(&bytes)).map_err(|e| fail(e.into()))
}

impl Audit {
    /// Writes the audit for the terminal: the stages, then one finding per line.
    pub fn write_table(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        writeln!(out, "Dockerfile {}", self.path)?;
        match &self.license {
            Some(l) => writeln!(
                out,
                "License     {}",
                l.spdx.as_deref().or(l.header.as_deref()).unwrap_or("")
            )?,
            None => writeln!(out, "License     not stated")?,
        }
        writeln!(out)?;
        writeln!(out, "{:<6} {:<10} {:<14} FROM", "LINE", "ROLE", "STAGE")?;
        for s in &self.stages {
            let role = serde_json::to_value(s.role)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            writeln!(
                out,
                "{:<6} {:<10} {:<14} {}",
                s.line,
                role,
                s.name.as_deref().unwrap_or("-"),
                s.from
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{:<6} {:<8} {:<22} MESSAGE",
            "LINE", "SEVERITY", "KIND"
        )?;
        for f in &self.findings {
            let line = f.line.map_or_else(|| "-".to_string(), |l| l.to_string());
            writeln!(
                out,
                "{:<6} {:<8} {:<22} {}",
                line,
                f.severity().to_string(),
                f.kind.name(),
                f.message()
            )?;
        }
        Ok(())
    }
}

/// Reads the license statement: an `SPDX-License-Identifier:` comment anywhere, else the
/// comment lines at the top that mention a license; copyright lines of the top comments.
fn license(text: &str) -> Option<LicenseInfo> {
    let mut copyright = Vec::new();
    let mut header: Option<(String, usize)> = None;
    let mut in_header = true;
    let mut spdx = None;
    for (n, raw) in text.lines().enumerate() {
        let t = raw.trim();
        let Some(comment) = t.strip_prefix('#') else {
            if !t.is_empty() {
                in_header = false;
            }
            continue;
        };
        let comment = comment.trim();
        if let Some(p) = comment.find("SPDX-License-Identifier:") {
            let id = comment[p + "SPDX-License-Identifier:".len()..].trim();
            if spdx.is_none() && !id.is_empty() {
                spdx = Some((id.to_string(), n + 1));
            }
        }
        if in_header {
            let lower = comment.to_ascii_lowercase();
            if lower.contains("copyright") || lower.starts_with("(c)") || lower.contains('©') {
                copyright.push(comment.to_string());
            } else if header.is_none() && (lower.contains("license") || lower.contains("licence")) {
                header = Some((comment.to_string(), n + 1));
            }
        }
    }
    match (spdx, header) {
        (Some((id, line)), _) => Some(LicenseInfo {
            spdx: Some(id),
            header: None,
            copyright,
            line,
        }),
        (None, Some((h, line))) => Some(LicenseInfo {
            spdx: None,
            header: Some(h),
            copyright,
            line,
        }),
        (None, None) => None,
    }
}

fn license_findings(license: Option<&LicenseInfo>, out: &mut Vec<Finding>) {
    let Some(l) = license else {
        out.push(Finding::new(FindingKind::DockerfileNoLicense));
        return;
    };
    out.push(
        Finding::new(FindingKind::DockerfileLicense {
            spdx: l.spdx.clone(),
            header: l.header.clone(),
            copyright: l.copyright.clone(),
        })
        .at_line(l.line),
    );
}

/// The lower-case names by which stage `i` can refer to earlier stages: their `AS` names
/// and their indexes.
fn stage_names(df: &Dockerfile, i: usize) -> BTreeMap<String, usize> {
    let mut names = BTreeMap::new();
    for (j, s) in df.stages.iter().enumerate().take(i) {
        names.insert(j.to_string(), j);
        if let Some(n) = &s.name {
            names.insert(n.clone(), j);
        }
    }
    names
}

/// The stages another stage refers to: `FROM <stage>`, `COPY --from=<stage>`,
/// `RUN --mount=…,from=<stage>`.
fn references(df: &Dockerfile, i: usize) -> BTreeSet<usize> {
    let names = stage_names(df, i);
    let stage = &df.stages[i];
    let mut out = BTreeSet::new();
    if let Some(&j) = names.get(&stage.from.to_ascii_lowercase()) {
        out.insert(j);
    }
    for ins in &stage.instructions {
        for from in from_flags(ins) {
            if let Some(&j) = names.get(&from.to_ascii_lowercase()) {
                out.insert(j);
            }
        }
    }
    out
}

/// The `--from=` of a `COPY`/`ADD` and the `from=` of `RUN --mount` options.
fn from_flags(ins: &Instruction) -> Vec<String> {
    let mut out = Vec::new();
    for w in ins.args.split_whitespace() {
        if !w.starts_with("--") {
            break;
        }
        if let Some(f) = w.strip_prefix("--from=") {
            out.push(f.to_string());
        } else if let Some(m) = w.strip_prefix("--mount=") {
            for kv in m.split(',') {
                if let Some(f) = kv.strip_prefix("from=") {
                    out.push(f.to_string());
                }
            }
        }
    }
    out
}

fn stages(df: &Dockerfile, out: &mut Vec<Finding>) -> Vec<StageInfo> {
    let last = df.stages.len() - 1;
    let mut roles = vec![Role::Unused; df.stages.len()];
    // The final stage and the stages it is built FROM are shipped.
    let mut s = last;
    roles[s] = Role::Final;
    for _ in 0..df.stages.len() {
        match stage_names(df, s).get(&df.stages[s].from.to_ascii_lowercase()) {
            Some(&j) => {
                roles[j] = Role::Shipped;
                s = j;
            }
            None => break,
        }
    }
    // Whatever the shipped stages refer to, transitively, is used to build.
    let mut todo: Vec<usize> = (0..df.stages.len())
        .filter(|&i| roles[i] != Role::Unused)
        .collect();
    while let Some(i) = todo.pop() {
        for j in references(df, i) {
            if roles[j] == Role::Unused {
                roles[j] = Role::Build;
                todo.push(j);
            }
        }
    }
    let mut infos = Vec::new();
    for (i, stage) in df.stages.iter().enumerate() {
        let is_stage = stage_names(df, i).contains_key(&stage.from.to_ascii_lowercase());
        let image = (!is_stage && !stage.from.eq_ignore_ascii_case("scratch"))
            .then(|| ImageRef::parse(&stage.from));
        if df.stages.len() > 1 {
            let s = StageRef {
                index: i,
                name: stage.name.clone(),
                from: stage.from.clone(),
            };
            let kind = match roles[i] {
                Role::Final => FindingKind::StageFinal(s),
                Role::Shipped => FindingKind::StageShipped(s),
                Role::Build => FindingKind::StageBuildOnly(s),
                Role::Unused => FindingKind::StageUnused(s),
            };
            out.push(Finding::new(kind).at_line(stage.line));
        }
        if let Some(r) = &image {
            base_findings(stage, &df.global_args, r, roles[i], out);
        }
        infos.push(StageInfo {
            index: i,
            name: stage.name.clone(),
            from: stage.from.clone(),
            line: stage.line,
            role: roles[i],
            image,
        });
    }
    infos
}

fn base_findings(
    stage: &Stage,
    global_args: &[(String, Option<String>)],
    r: &ImageRef,
    role: Role,
    out: &mut Vec<Finding>,
) {
    let shipped = matches!(role, Role::Final | Role::Shipped);
    let from = stage.from.clone();
    let unset = dockerfile::unset_args(&stage.from_raw, global_args);
    let kind = if !unset.is_empty() {
        FindingKind::FromUnresolved {
            from: stage.from_raw.clone(),
            args: unset,
        }
    } else if r.pinned() {
        FindingKind::BasePinned { from, shipped }
    } else {
        match r.tag.as_deref() {
            None | Some("latest") => FindingKind::BaseLatest {
                from,
                tagged: r.tag.is_some(),
                shipped,
            },
            Some(tag) => FindingKind::BaseUnpinned {
                from,
                tag: tag.to_string(),
                shipped,
            },
        }
    };
    out.push(Finding::new(kind).at_line(stage.line));
}

/// Build arguments and environment variables with a value known from the text, for
/// showing URLs as they will be fetched.
fn variables(df: &Dockerfile, stage: &Stage) -> Vec<(String, Option<String>)> {
    let mut vars: Vec<(String, Option<String>)> = df.global_args.clone();
    for ins in &stage.instructions {
        match ins.keyword.as_str() {
            "ARG" => {
                for w in ins.args.split_whitespace() {
                    if let Some((k, v)) = w.split_once('=') {
                        vars.push((k.to_string(), Some(unquote(v))));
                    }
                }
            }
            "ENV" => {
                if ins.args.contains('=') {
                    for w in shell::commands(&ins.args).into_iter().flat_map(|c| c.words) {
                        if let Some((k, v)) = w.text.split_once('=') {
                            vars.push((k.to_string(), Some(v.to_string())));
                        }
                    }
                } else if let Some((k, v)) = ins.args.split_once(char::is_whitespace) {
                    vars.push((k.to_string(), Some(unquote(v.trim()))));
                }
            }
            _ => {}
        }
    }
    vars
}

fn unquote(s: &str) -> String {
    s.trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// Substitutes only the variables whose value is known, leaving the others as written.
fn expand_known(s: &str, vars: &[(String, Option<String>)]) -> String {
    if !s.contains('$') {
        return s.to_string();
    }
    let known: Vec<(String, Option<String>)> =
        vars.iter().filter(|(_, v)| v.is_some()).cloned().collect();
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find('$') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        let (name, len) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(e) => (&inner[..e], e + 2),
                None => ("", 0),
            }
        } else {
            let n = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..n], n)
        };
        let plain = name.split([':', '#', '%']).next().unwrap_or("");
        match known.iter().rev().find(|(k, _)| k == plain) {
            Some(_) if !plain.is_empty() => {
                out.push_str(&dockerfile::substitute(&rest[p..p + 1 + len], &known));
            }
            _ => out.push_str(&rest[p..p + 1 + len]),
        }
        rest = &rest[p + 1 + len..];
    }
    out.push_str(rest);
    out
}

/// The leading `--flag` options of an instruction's arguments, and where the rest starts.
fn leading_flags(args: &str) -> (Vec<String>, usize) {
    let mut flags = Vec::new();
    let mut at = args.len() - args.trim_start().len();
    while args[at..].starts_with("--") {
        let end = args[at..]
            .find(char::is_whitespace)
            .map_or(args.len(), |e| at + e);
        flags.push(args[at..end].to_string());
        at = args.len() - args[end..].trim_start().len();
    }
    (flags, at)
}

/// The words of an instruction's arguments, exec form (`["a", "b"]`) or shell form, with
/// the leading `--flag` options split off.
fn split_args(args: &str) -> (Vec<String>, Vec<String>, bool) {
    let (flags, at) = leading_flags(args);
    let rest = &args[at..];
    match serde_json::from_str::<Vec<String>>(rest) {
        Ok(v) if rest.starts_with('[') => (flags, v, true),
        _ => (
            flags,
            rest.split_whitespace().map(str::to_string).collect(),
            false,
        ),
    }
}

fn copy_from(
    ins: &Instruction,
    names: &BTreeMap<String, usize>,
    role: Role,
    out: &mut Vec<Finding>,
) {
    let (flags, _, _) = split_args(&ins.args);
    for f in flags {
        let Some(from) = f.strip_prefix("--from=") else {
            continue;
        };
        if names.contains_key(&from.to_ascii_lowercase()) {
            continue;
        }
        let r = ImageRef::parse(from);
        out.push(
            Finding::new(FindingKind::CopyFromImage {
                image: from.to_string(),
                pinned: r.pinned(),
                tag: r.tag,
                shipped: matches!(role, Role::Final | Role::Shipped),
            })
            .at_line(ins.line),
        );
    }
}

fn is_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    ["http://", "https://", "ftp://", "git://", "ssh://", "git@"]
        .iter()
        .any(|p| lower.starts_with(p))
}

fn plain_http(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("ftp://"))
        && !["http://localhost", "http://127.0.0.1", "http://[::1]"]
            .iter()
            .any(|l| lower.starts_with(l))
}

fn add(ins: &Instruction, vars: &[(String, Option<String>)], out: &mut Vec<Finding>) {
    let (flags, words, _) = split_args(&ins.args);
    let checksum = flags
        .iter()
        .find_map(|f| f.strip_prefix("--checksum="))
        .map(str::to_string);
    let sources = words.len().saturating_sub(1);
    for src in &words[..sources] {
        let url = expand_known(src, vars);
        if !is_url(&url) {
            continue;
        }
        let plain = plain_http(&url);
        out.push(
            Finding::new(FindingKind::AddUrl {
                url: url.clone(),
                checksum: checksum.clone(),
            })
            .at_line(ins.line),
        );
        if plain {
            out.push(
                Finding::new(FindingKind::PlainHttp {
                    tool: "ADD".to_string(),
                    url,
                })
                .at_line(ins.line),
            );
        }
    }
}

/// A download found in a `RUN`.
struct Download {
    tool: &'static str,
    url: String,
    at: usize,
    into_shell: bool,
    hashed: bool,
}

/// How an offset in a piece of a `RUN` script maps to a physical line.
enum Lines<'a> {
    /// The instruction's own (continued) arguments, from a byte offset on.
    Args(&'a Instruction, usize),
    /// Exec form: one line.
    Fixed(usize),
    /// A heredoc body: its first line, and where each of its lines starts.
    Body { first: usize, starts: Vec<usize> },
}

impl Lines<'_> {
    fn line(&self, at: usize) -> usize {
        match self {
            Lines::Args(ins, from) => ins.line_at(from + at),
            Lines::Fixed(l) => *l,
            Lines::Body { first, starts } => {
                first + starts.partition_point(|&s| s <= at).saturating_sub(1)
            }
        }
    }
}

/// A `RUN`'s script pieces: the arguments, then each heredoc body.
fn scripts(ins: &Instruction) -> Vec<(String, Lines<'_>)> {
    let (_, words, exec) = split_args(&ins.args);
    let mut out = Vec::new();
    if exec {
        // `["sh", "-c", "script"]` runs the script; any other exec form is one command.
        let script = match words.as_slice() {
            [sh, c, script, ..] if SHELLS.contains(&shell::name(sh)) && c == "-c" => script.clone(),
            _ => words.join(" "),
        };
        out.push((script, Lines::Fixed(ins.line)));
    } else {
        // `RUN --mount=… --network=…` options are not part of the script.
        let (_, at) = leading_flags(&ins.args);
        out.push((ins.args[at..].to_string(), Lines::Args(ins, at)));
    }
    for (k, body) in ins.heredocs.iter().enumerate() {
        let first = ins.heredoc_lines.get(k).copied().unwrap_or(ins.line);
        let starts: Vec<usize> = std::iter::once(0)
            .chain(body.match_indices('\n').map(|(p, _)| p + 1))
            .collect();
        out.push((body.clone(), Lines::Body { first, starts }));
    }
    out
}

const SHELLS: [&str; 7] = ["sh", "bash", "dash", "zsh", "ash", "ksh", "python3"];
const CHECKSUM_TOOLS: [&str; 8] = [
    "sha1sum",
    "sha224sum",
    "sha256sum",
    "sha384sum",
    "sha512sum",
    "md5sum",
    "shasum",
    "b2sum",
];

/// Words that take a value as the next word, per tool, so the value is not read as a URL.
fn takes_value(tool: &str, flag: &str) -> bool {
    let curl = [
        "-o",
        "--output",
        "-H",
        "--header",
        "-u",
        "--user",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "-x",
        "--proxy",
        "-w",
        "--write-out",
        "-d",
        "--data",
        "-T",
        "--upload-file",
        "-m",
        "--max-time",
        "-C",
        "--continue-at",
        "--retry",
        "-K",
        "--config",
        "-F",
        "--form",
        "-b",
        "--cookie",
        "-c",
        "--cookie-jar",
        "--proto",
        "--connect-timeout",
        "--cacert",
        "-E",
        "--cert",
        "-X",
        "--request",
    ];
    let wget = [
        "-O",
        "-o",
        "-a",
        "-P",
        "-T",
        "-t",
        "-U",
        "--header",
        "-e",
        "-i",
        "--input-file",
    ];
    let git = [
        "-b",
        "--branch",
        "--depth",
        "-o",
        "--origin",
        "-c",
        "--config",
        "--reference",
        "-j",
        "--jobs",
        "--filter",
        "--template",
        "--separate-git-dir",
        "-u",
    ];
    let pip = [
        "-r",
        "-c",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-t",
        "--target",
        "-e",
    ];
    match tool {
        "curl" => curl.contains(&flag),
        "wget" => wget.contains(&flag),
        "git" => git.contains(&flag),
        "pip" => pip.contains(&flag) && flag != "-r" && flag != "-e",
        _ => false,
    }
}

/// The non-option words of `args` for `tool`.
fn operands<'a>(tool: &str, args: &'a [Word]) -> Vec<&'a Word> {
    let mut out = Vec::new();
    let mut skip = false;
    for w in args {
        if skip {
            skip = false;
            continue;
        }
        if w.text.starts_with('-') && w.text.len() > 1 {
            skip = !w.text.contains('=') && takes_value(tool, &w.text);
            continue;
        }
        out.push(w);
    }
    out
}

fn downloads(cs: &[Command], out: &mut Vec<Download>) {
    for (k, c) in cs.iter().enumerate() {
        let words = shell::effective(&c.words);
        let Some(first) = words.first() else { continue };
        let cmd = shell::name(&first.text);
        let args = &words[1..];
        let into_shell = c.piped
            && cs.get(k + 1).is_some_and(|next| {
                shell::effective(&next.words)
                    .first()
                    .is_some_and(|w| SHELLS.contains(&shell::name(&w.text)))
            });
        let mut push = |tool: &'static str, w: &Word, hashed: bool| {
            out.push(Download {
                tool,
                url: w.text.clone(),
                at: w.at,
                into_shell,
                hashed,
            })
        };
        match cmd {
            "curl" | "wget" => {
                let tool = if cmd == "curl" { "curl" } else { "wget" };
                for w in operands(tool, args) {
                    if is_url(&w.text) || w.text.starts_with('$') {
                        push(tool, w, false);
                    }
                }
            }
            "git" => {
                let ops = operands("git", args);
                if ops.first().is_some_and(|w| w.text == "clone") {
                    if let Some(url) = ops.get(1) {
                        push("git clone", url, false);
                    }
                }
            }
            _ => {
                let (tool, rest): (&'static str, &[Word]) = match cmd {
                    "pip" | "pip3" | "pipx" => ("pip install", args),
                    c if c.starts_with("python")
                        && args.len() > 1
                        && args[0].text == "-m"
                        && args[1].text == "pip" =>
                    {
                        ("pip install", &args[2..])
                    }
                    "npm" | "yarn" | "pnpm" => ("npm install", args),
                    _ => continue,
                };
                let verbs: &[&str] = if tool == "pip install" {
                    &["install"]
                } else {
                    &["install", "i", "add", "ci"]
                };
                let ops = operands("pip", rest);
                if !ops
                    .first()
                    .is_some_and(|w| verbs.contains(&w.text.as_str()))
                {
                    continue;
                }
                let hashed = rest
                    .iter()
                    .any(|w| w.text == "--require-hashes" || w.text.starts_with("--hash="));
                for w in &ops[1..] {
                    let t = w.text.to_ascii_lowercase();
                    if is_url(&t)
                        || t.starts_with("git+")
                        || t.starts_with("github:")
                        || t.contains("@git+")
                        || t.contains("@https://")
                    {
                        push(tool, w, hashed);
                    }
                }
            }
        }
    }
}

/// The checksum and signature checks in the script: what each is and where.
fn verification(cs: &[Command]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for c in cs {
        let words = shell::effective(&c.words);
        let Some(first) = words.first() else { continue };
        let cmd = shell::name(&first.text);
        let has = |flags: &[&str]| {
            words[1..].iter().any(|w| {
                flags
                    .iter()
                    .any(|f| w.text == *f || w.text.starts_with(&format!("{f}=")))
            })
        };
        let short_c = words[1..]
            .iter()
            .any(|w| w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('c'));
        let found = match cmd {
            c if CHECKSUM_TOOLS.contains(&c) && (short_c || has(&["--check"])) => {
                Some(format!("{c} --check"))
            }
            "gpg" | "gpg2" if has(&["--verify"]) => Some("gpg --verify".to_string()),
            "gpgv" => Some("gpgv".to_string()),
            "cosign" if words.get(1).is_some_and(|w| w.text.starts_with("verify")) => {
                Some(format!("cosign {}", words[1].text))
            }
            "minisign" if has(&["-V", "-Vm"]) => Some("minisign -V".to_string()),
            "openssl" if has(&["-verify"]) => Some("openssl dgst -verify".to_string()),
            "git"
                if words
                    .get(1)
                    .is_some_and(|w| w.text == "verify-commit" || w.text == "verify-tag") =>
            {
                Some(format!("git {}", words[1].text))
            }
            "git"
                if words
                    .get(1)
                    .is_some_and(|w| w.text == "checkout" || w.text == "reset") =>
            {
                words[2..]
                    .iter()
                    .find(|w| w.text.len() == 40 && w.text.chars().all(|c| c.is_ascii_hexdigit()))
                    .map(|w| format!("git {} {}", words[1].text, w.text))
            }
            _ => None,
        };
        if let Some(f) = found {
            out.push((f, first.at));
        }
    }
    out
}

fn run(ins: &Instruction, vars: &[(String, Option<String>)], out: &mut Vec<Finding>) {
    for (script, lines) in scripts(ins) {
        let cs = shell::commands(&script);
        let mut found = Vec::new();
        downloads(&cs, &mut found);
        if found.is_empty() {
            continue;
        }
        let checks: Vec<Check> = verification(&cs)
            .into_iter()
            .map(|(how, at)| Check {
                how,
                line: lines.line(at),
            })
            .collect();
        for d in found {
            let line = lines.line(d.at);
            let url = expand_known(&d.url, vars);
            let plain = plain_http(&url);
            let fetch = Fetch {
                tool: d.tool.to_string(),
                computed: !(url.contains("://") || is_url(&url)),
                url: url.clone(),
            };
            if d.into_shell {
                out.push(
                    Finding::new(FindingKind::PipeToShell {
                        fetch: fetch.clone(),
                        plain_http: plain,
                    })
                    .at_line(line),
                );
            }
            let verified = match (checks.is_empty(), d.hashed) {
                (_, true) => Verified::PipHashes,
                (false, false) if !d.into_shell => Verified::InRun(checks.clone()),
                _ => Verified::No,
            };
            out.push(Finding::new(FindingKind::Download { fetch, verified }).at_line(line));
            if plain {
                out.push(
                    Finding::new(FindingKind::PlainHttp {
                        tool: d.tool.to_string(),
                        url,
                    })
                    .at_line(line),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    fn kinds(a: &Audit) -> Vec<(&str, usize)> {
        a.findings
            .iter()
            .map(|f| (f.kind.name(), f.line.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn image_references() {
        let r = ImageRef::parse("registry.example.com:5000/team/app:1.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        assert_eq!(r.registry.as_deref(), Some("registry.example.com:5000"));
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        assert!(r.pinned());
        let r = ImageRef::parse("localhost:5000/app");
        assert_eq!(
            (r.registry.as_deref(), r.tag),
            (Some("localhost:5000"), None)
        );
        let r = ImageRef::parse("debian:bookworm-slim");
        assert_eq!((r.registry, r.repository.as_str()), (None, "debian"));
        assert!(!ImageRef::parse("alpine@sha256:short").pinned());
    }

    #[test]
    fn stage_roles() {
        let a = audit(
            "Dockerfile",
            "FROM golang:1.22 AS build\nRUN go build\nFROM alpine AS unused\nFROM debian:12@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef AS base\nFROM base\nCOPY --from=build /app /app\n",
        )
        .unwrap();
        let roles: Vec<Role> = a.stages.iter().map(|s| s.role).collect();
        assert_eq!(
            roles,
            [Role::Build, Role::Unused, Role::Shipped, Role::Final]
        );
        let k = kinds(&a);
        assert!(k.contains(&("base-unpinned", 1)));
        assert!(k.contains(&("base-latest", 3)));
        assert!(k.contains(&("base-pinned", 4)));
        assert!(k.contains(&("stage-build-only", 1)));
        assert!(k.contains(&("dockerfile-no-license", 0)));
    }

    #[test]
    fn downloads_checks_and_pipes() {
        let a = audit(
            "D",
            "# SPDX-License-Identifier: MIT\nFROM alpine:3\nENV URL=http://example.org/x.tgz\nRUN wget -O x.tgz \"$URL\" \\\n && echo \"abc  x.tgz\" | sha256sum -c -\nRUN curl -fsSL https://get.example.sh | sh\nADD --checksum=sha256:abc https://example.org/y.tgz /y\nRUN <<EOF\ngit clone https://github.com/a/b\npip install git+https://github.com/c/d\nEOF\n",
        )
        .unwrap();
        let k = kinds(&a);
        assert_eq!(
            k,
            [
                ("dockerfile-license", 1),
                ("base-unpinned", 2),
                ("download", 4),
                ("plain-http", 4),
                ("pipe-to-shell", 6),
                ("download", 6),
                ("add-url", 7),
                ("download", 9),
                ("download", 10),
            ]
        );
        assert_eq!(a.findings[2].severity(), Severity::Info);
        assert_eq!(a.findings[5].severity(), Severity::Warning);
        assert_eq!(a.findings[6].severity(), Severity::Info);
        assert!(a.findings[2].message().contains("http://example.org/x.tgz"));
    }

    #[test]
    fn every_way_of_verifying_and_of_piping() {
        let a = audit(
            "D",
            "# Copyright 2019 Example Inc.\n# Licensed under the Apache License, Version 2.0\nFROM alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n\
             RUN --mount=type=cache,target=/root/.cache \\\n  curl -fsSLO https://e.org/a.tgz && cosign verify-blob --key k.pub a.tgz\n\
             RUN wget -qO- https://e.org/i.sh | sudo sh\n\
             RUN git clone https://e.org/r.git && git -C r checkout 0123456789abcdef0123456789abcdef01234567 && git checkout 0123456789abcdef0123456789abcdef01234567\n\
             RUN pip install --require-hashes -r https://e.org/req.txt\n\
             RUN [\"sh\", \"-c\", \"curl -o x https://e.org/x && gpgv x.sig x\"]\n",
        )
        .unwrap();
        let got: Vec<(&str, usize, Severity)> = a
            .findings
            .iter()
            .map(|f| (f.kind.name(), f.line.unwrap_or(0), f.severity()))
            .collect();
        assert_eq!(
            got,
            [
                ("dockerfile-license", 2, Severity::Info),
                ("base-pinned", 3, Severity::Info),
                ("download", 5, Severity::Info),
                ("pipe-to-shell", 6, Severity::Warning),
                ("download", 6, Severity::Warning),
                ("download", 7, Severity::Info),
                ("download", 8, Severity::Info),
                ("download", 9, Severity::Info),
            ]
        );
        let l = a.license.unwrap();
        assert_eq!(l.copyright, ["Copyright 2019 Example Inc."]);
        assert!(l.header.unwrap().contains("Apache License"));
        assert!(a.findings[2].message().contains("cosign verify-blob"));
        assert!(a.findings[7].message().contains("gpgv"));
    }

    #[test]
    fn unresolved_build_arguments_in_from() {
        let a = audit("D", "ARG V\nFROM php:${V}\n").unwrap();
        assert_eq!(kinds(&a)[1], ("from-unresolved", 2));
    }

    #[test]
    fn no_panic_on_any_prefix_or_damage_of_real_dockerfiles() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerfiles");
        let mut texts: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        texts.sort();
        assert!(texts.len() >= 10);
        for text in &texts {
            let cuts = text.char_indices().map(|(i, _)| i).step_by(5);
            for cut in cuts {
                let _ = audit("D", &text[..cut]);
                let damaged = format!("{}\\\n\"$(`'<<EOF\n{}", &text[..cut], &text[cut..]);
                let _ = audit("D", &damaged);
            }
        }
    }

    #[test]
    fn copy_from_an_external_image() {
        let a = audit(
            "D",
            "FROM php:8\nCOPY --from=composer:lts /usr/bin/composer /usr/local/bin/\n",
        )
        .unwrap();
        assert!(kinds(&a).contains(&("copy-from-image", 2)));
    }
}
