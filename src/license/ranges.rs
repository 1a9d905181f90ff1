//! Line ranges of a normalized text as the aggressive normalizer processes them, worked out
//! line by line instead of normalizing each range afresh.
//!
//! The matcher's optimizing scan ([`super::matcher`]) scores some twenty line ranges of the
//! same normalized lines against one license, and normalizing each range anew
//! ([`normalize::aggressive`]) costs most of a scan. Yet what the aggressive steps do to a
//! range is decided line by line: the title and copyright steps remove whole lines, and the
//! other steps work character by character or word by word, a line break separating words as
//! a space does. So a range's processed text is the words of the lines it keeps, in turn, and
//! [`Lines::kept`] works out which lines those are from facts computed once per line,
//! following the regular expressions' matching rules. A range whose lines share a prefix
//! that the normalizer removes, or with a carriage return, vertical tab or form feed inside a
//! line, is left to the normalizer.
//!
//! The steps, over a range's lines after runs of empty lines are shortened (`\n{3,}` becomes
//! `\n\n`) and punctuation is removed:
//!
//! - **Title**, `^.*license( version \S+)?( copyright.*)?\n\n` without the multi-line flag:
//!   the first line, when it qualifies ([`normalize::is_title`]) and an empty line and more
//!   follow. Both lines go.
//! - **Copyright**, three alternatives matched left to right, the first that matches at the
//!   leftmost position winning, each match removing whole lines:
//!   - A, `(\n\n|\A\n*)(^\x20*copyright.*?$)+\n\n`: a line starting with spaces and
//!     `copyright`, after an empty line (or only empty lines from the start) and before an
//!     empty line that is not the last. The newlines on both sides are consumed, which keeps
//!     the next two lines from matching it.
//!   - B, `\A.*copyright.*$`: the first line, when it says `copyright`.
//!   - C, `^copyright(\s+(c|\d+))+.*?$` (the pattern is in extended mode, so its spaces are
//!     not literal): a line starting with `copyright`, then a run of `c`s and numbers, each
//!     after whitespace. The whitespace can cross line ends, so the run goes on over later
//!     lines that start with a `c` or a digit, and the match ends with the line where the run
//!     stops.

use std::sync::LazyLock;

use regex::Regex;

use super::normalize;

/// How the copyright alternative C's run (`(\s+(c|\d+))+`) goes through a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    /// It cannot start or go on here.
    Stops,
    /// It takes at least one `c` or number here and stops within the line.
    Ends,
    /// It reaches the end of the line with only whitespace after what it took, so it goes on
    /// if the next line that is not blank starts with a `c` or a digit; `took` says whether
    /// it took anything in this line.
    Open { took: bool },
}

/// What the steps need to know of one normalized line.
#[derive(Debug, Clone)]
struct Facts {
    /// Its words, as the normalizer leaves them.
    words: String,
    /// Empty before punctuation is removed: it counts when runs of empty lines are shortened.
    empty: bool,
    /// Empty after punctuation is removed: it counts as an empty line for the copyright step.
    bare: bool,
    /// Only whitespace, if anything, after punctuation is removed: C's run crosses it.
    blank: bool,
    /// Holds a carriage return, vertical tab or form feed, which the normalizer makes a line
    /// break.
    vertical: bool,
    /// Starts with spaces, if any, and `copyright` (alternative A).
    spaced_copyright: bool,
    /// Says `copyright` (alternative B, and whether the step runs at all).
    copyright: bool,
    /// Qualifies as a title.
    title: bool,
    /// C's run after a `copyright` that starts the line; [`Run::Stops`] if none does.
    statement: Run,
    /// C's run going on into this line from an earlier one.
    continued: Run,
}

/// C's run from the start of a text: one or more `c`s or numbers, each after whitespace.
static RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A(?:\s+(?:c|\d+))+").expect("constant pattern compiles"));

/// C's run going on into a line: whitespace, then a `c` or a number, then more of the run.
static CONTINUED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\A\s*(?:c|\d+)(?:\s+(?:c|\d+))*").expect("constant pattern compiles")
});

impl Facts {
    fn of(line: &str) -> Facts {
        let processed = normalize::processed_line(line);
        let statement = match processed.strip_prefix("copyright") {
            Some(rest) => run(rest, &RUN, Run::Open { took: false }),
            None => Run::Stops,
        };
        Facts {
            words: normalize::words(&processed),
            empty: line.is_empty(),
            bare: processed.is_empty(),
            blank: is_blank(&processed),
            vertical: line.contains(['\r', '\u{b}', '\u{c}']),
            spaced_copyright: processed.trim_start_matches(' ').starts_with("copyright"),
            copyright: processed.contains("copyright"),
            // The patterns need `license`, or a `c` or digit first: cheaper tested first.
            title: processed.contains("license") && normalize::is_title(&processed),
            continued: match processed.trim_start().chars().next() {
                Some(c) if c == 'c' || c.is_numeric() => run(&processed, &CONTINUED, Run::Stops),
                _ => Run::Stops,
            },
            statement,
        }
    }
}

/// How C's run, matched by `pattern` at the start of `text`, goes through it; `otherwise`
/// when the pattern does not match and `text` is blank.
fn run(text: &str, pattern: &Regex, otherwise: Run) -> Run {
    match pattern.find(text) {
        Some(m) if is_blank(&text[m.end()..]) => Run::Open { took: true },
        Some(_) => Run::Ends,
        None if is_blank(text) => otherwise,
        None => Run::Stops,
    }
}

/// Whether `text` is only whitespace as `\s` means it (Unicode `White_Space`), if anything.
fn is_blank(text: &str) -> bool {
    text.chars().all(char::is_whitespace)
}

/// The facts that decide which lines of a text a range keeps.
#[derive(Debug)]
pub struct Lines {
    facts: Vec<Facts>,
    /// The lines that share a prefix that counts with the line after them, and the prefix.
    prefixes: Vec<(usize, String)>,
    /// Room for a range's lines once runs of empty lines are shortened.
    shortened: Vec<usize>,
    /// Room for which of those the copyright step removes.
    removed: Vec<bool>,
}

impl Lines {
    /// The facts of each of `lines` (from [`normalize::normalize_lines`]).
    pub fn new(lines: &[String]) -> Lines {
        Lines {
            facts: lines.iter().map(|l| Facts::of(l)).collect(),
            prefixes: lines
                .windows(2)
                .enumerate()
                .filter_map(|(i, pair)| {
                    Some((i, normalize::pair_prefix(&pair[0], &pair[1])?.to_string()))
                })
                .collect(),
            shortened: Vec::new(),
            removed: Vec::new(),
        }
    }

    /// The `i`-th line is now empty.
    pub fn clear(&mut self, i: usize) {
        if let Some(f) = self.facts.get_mut(i) {
            *f = Facts::of("");
        }
        self.prefixes.retain(|&(j, _)| j != i && j + 1 != i);
    }

    /// The words of the `i`-th line as the normalizer leaves them, joined by single spaces.
    pub fn words(&self, i: usize) -> &str {
        self.facts.get(i).map_or("", |f| f.words.as_str())
    }

    /// Puts into `kept` the lines of `start..end` whose words make up those lines' processed
    /// text (`normalize::aggressive` of them joined by line breaks), in order, each holding
    /// words; `false`, with `kept` empty, for a range this is not worked out for (see the
    /// module documentation).
    pub fn kept(&mut self, start: usize, end: usize, kept: &mut Vec<usize>) -> bool {
        kept.clear();
        let Some(range) = self.facts.get(start..end) else {
            return start >= end;
        };
        if range.iter().any(|f| f.vertical) {
            return false;
        }
        // The pairs within the range, from the first line that pairs with the one after it.
        let from = self.prefixes.partition_point(|(i, _)| *i < start);
        let pairs = self.prefixes[from..]
            .iter()
            .take_while(|(i, _)| i + 1 < end)
            .map(|(_, prefix)| prefix.as_str());
        // A prefix's lines are counted once per pair plus once: fewer than 40% of the lines
        // in pairs cannot reach the 80% a prefix must cover.
        let paired = pairs.clone().count();
        let needed = (0.8f32 * (end - start) as f32) as usize;
        if 2 * paired >= needed && normalize::prefix_to_remove(pairs, end - start).is_some() {
            return false;
        }
        shorten_empty_runs(range, &mut self.shortened);
        let mut lines: &[usize] = &self.shortened;
        if lines.len() >= 3 && range[lines[0]].title && range[lines[1]].bare {
            lines = &lines[2..];
        }
        self.removed.clear();
        self.removed.resize(lines.len(), false);
        if lines.iter().any(|&i| range[i].copyright) {
            copyright_lines(&Step { range, lines }, &mut self.removed);
        }
        kept.extend(
            lines
                .iter()
                .zip(&self.removed)
                .filter(|&(&i, removed)| !removed && !range[i].words.is_empty())
                .map(|(&i, _)| start + i),
        );
        true
    }
}

/// The lines the copyright step sees: `lines` are positions in `range`.
struct Step<'a> {
    range: &'a [Facts],
    lines: &'a [usize],
}

impl Step<'_> {
    fn len(&self) -> usize {
        self.lines.len()
    }

    /// The facts of the `k`-th line.
    fn at(&self, k: usize) -> &Facts {
        &self.range[self.lines[k]]
    }
}

/// The positions in `range` of the lines left when runs of empty lines are shortened as
/// `\n{3,}` → `\n\n` shortens them in the joined text: a run between other lines to one
/// line (from two or more), a run at the start or the end to two (from three or more).
fn shorten_empty_runs(range: &[Facts], out: &mut Vec<usize>) {
    out.clear();
    let mut i = 0;
    while i < range.len() {
        if !range[i].empty {
            out.push(i);
            i += 1;
            continue;
        }
        let run_end = range[i..]
            .iter()
            .position(|f| !f.empty)
            .map_or(range.len(), |n| i + n);
        let run = run_end - i;
        // Newlines in the run: one after each line before the last line of the text, and
        // one before the run when a line precedes it.
        let at_start = i == 0;
        let at_end = run_end == range.len();
        let newlines = run + usize::from(!at_start) - usize::from(at_end);
        let keep = if newlines < 3 {
            run
        } else {
            // Two newlines are left: the lines they make, less those outside the run.
            3 - usize::from(!at_start) - usize::from(!at_end)
        };
        out.extend(i..i + keep);
        i = run_end;
    }
}

/// Which of `lines` (a text's lines, as the copyright step sees them) the copyright step
/// removes, matching as the regular expression engine does: positions from left to right,
/// the start of each line and then the line break after it; at each, the alternatives in
/// order; after a match, on from its end.
fn copyright_lines(lines: &Step, removed: &mut [bool]) {
    let n = lines.len();
    // Where matching goes on: 2·i is the start of line i, 2·i + 1 the line break after it.
    let mut from = 0;
    // At the start of the text: A through `\A\n*`, which also covers `\n\n` there; then B.
    let first_with_text = (0..n).find(|&k| !lines.at(k).bare);
    if let Some(k) = first_with_text
        .filter(|&k| lines.at(k).spaced_copyright && k + 2 < n && lines.at(k + 1).bare)
    {
        removed[k] = true;
        from = 2 * (k + 2);
    } else if n > 0 && lines.at(0).copyright {
        removed[0] = true;
        from = 1;
    }
    for i in 0..n {
        if i > 0 && 2 * i >= from && !lines.at(i).bare {
            if let Some(last) = statement_end(lines, i) {
                removed[i..=last].iter_mut().for_each(|r| *r = true);
                from = 2 * last + 1;
            }
        }
        // A at the line break after line i: an empty line, the statement, an empty line
        // and a line break after it.
        if 2 * i + 1 >= from
            && i + 4 < n
            && lines.at(i + 1).bare
            && lines.at(i + 2).spaced_copyright
            && lines.at(i + 3).bare
        {
            removed[i + 2] = true;
            from = 2 * (i + 4);
        }
    }
}

/// The last line of alternative C's match starting at line `i`, if it matches there.
fn statement_end(lines: &Step, i: usize) -> Option<usize> {
    let mut last = match lines.at(i).statement {
        Run::Stops => return None,
        Run::Ends => return Some(i),
        Run::Open { took } => took.then_some(i),
    };
    let mut k = i + 1;
    loop {
        while k < lines.len() && lines.at(k).blank {
            k += 1;
        }
        if k == lines.len() {
            return last;
        }
        match lines.at(k).continued {
            Run::Stops => return last,
            Run::Ends => return Some(k),
            Run::Open { .. } => {
                last = Some(k);
                k += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of `lines` as the normalizer gives them, and as [`Lines::kept`] does when it
    /// works the range out.
    fn both(lines: &[String]) -> (String, Option<String>) {
        let expected = normalize::aggressive(&lines.join("\n"));
        let mut prepared = Lines::new(lines);
        let mut kept = Vec::new();
        let ours = prepared.kept(0, lines.len(), &mut kept).then(|| {
            kept.iter()
                .map(|&i| prepared.words(i))
                .collect::<Vec<_>>()
                .join(" ")
        });
        (expected, ours)
    }

    /// Line shapes that the title and copyright steps treat differently.
    const SHAPES: [&str; 16] = [
        "",
        ".",
        " ",
        "Copyright",
        "Copyright (C) 2001 Foo",
        "copyright 2001",
        "  Copyright x",
        "- copyright 2003 -",
        "2002 Bar",
        "c",
        "cool stuff",
        "foo bar",
        "x copyright y",
        "The MIT License",
        "GPL license version 2 copyright 2001",
        "Copyright c",
    ];

    #[test]
    fn every_sequence_of_up_to_five_shapes_keeps_what_the_normalizer_keeps() {
        let mut lines: Vec<String> = Vec::new();
        let mut checked = 0;
        for len in 0..=5u32 {
            for mut code in 0..SHAPES.len().pow(len) {
                lines.clear();
                for _ in 0..len {
                    lines.push(SHAPES[code % SHAPES.len()].to_string());
                    code /= SHAPES.len();
                }
                let (expected, ours) = both(&lines);
                if let Some(ours) = ours {
                    assert_eq!(ours, expected, "{lines:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 1_000_000, "{checked}");
    }

    #[test]
    fn long_random_sequences_keep_what_the_normalizer_keeps() {
        // A fixed linear congruential generator: the same sequences every run.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |below: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % below
        };
        // Half the lines from the shapes that make chains of statements between empty
        // lines, where one match keeps the next from matching.
        const CHAINS: [&str; 5] = ["", ".", "  Copyright x", "Copyright", "Copyright c"];
        for _ in 0..20_000 {
            let len = 6 + next(20);
            let lines: Vec<String> = (0..len)
                .map(|_| match next(2) {
                    0 => SHAPES[next(SHAPES.len())].to_string(),
                    _ => CHAINS[next(CHAINS.len())].to_string(),
                })
                .collect();
            let (expected, ours) = both(&lines);
            if let Some(ours) = ours {
                assert_eq!(ours, expected, "{lines:?}");
            }
        }
    }

    #[test]
    fn every_range_of_real_copyright_files_keeps_what_the_normalizer_keeps() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/license/test-fixtures/copyright");
        let (mut worked, mut all) = (0, 0);
        for entry in std::fs::read_dir(&dir).expect("fixtures") {
            let path = entry.expect("fixture").path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let lines = normalize::normalize_lines(&text);
            let mut prepared = Lines::new(&lines);
            let mut kept = Vec::new();
            // Every range would take hours in a debug build; ranges from a stride of
            // starts to a stride of ends cover every kind of boundary.
            let step = (lines.len() / 12).max(1);
            for start in (0..lines.len()).step_by(step) {
                for end in (start..=lines.len()).step_by(3) {
                    all += 1;
                    if !prepared.kept(start, end, &mut kept) {
                        continue;
                    }
                    worked += 1;
                    let ours: Vec<&str> = kept.iter().map(|&i| prepared.words(i)).collect();
                    let expected = normalize::aggressive(&lines[start..end].join("\n"));
                    assert_eq!(
                        ours.join(" "),
                        expected,
                        "{} {start}..{end}",
                        path.display()
                    );
                }
            }
        }
        assert!(worked * 10 > all * 9, "{worked} of {all} ranges worked out");
    }
}
