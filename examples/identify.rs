//! Which SPDX licenses the license texts given hold, and how long matching takes.
//!
//! For each FILE, prints the licenses found at 0.9 (as `layerbom scan` concludes them; or at
//! `--min SCORE`) and the time of one match; with `--repeat N`, the mean over N matches (the
//! matcher itself, without `identify`'s per-process cache of results).
//!
//! ```sh
//! cargo run --release --example identify -- [--repeat N] [--min SCORE] FILE...
//! ```

use std::process::ExitCode;
use std::time::Instant;

use layerbom::license::{matcher, text};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut repeat = 1u32;
    if args.first().is_some_and(|a| a == "--repeat") {
        match args.get(1).and_then(|n| n.parse().ok()) {
            Some(n) if n > 0 => repeat = n,
            _ => {
                eprintln!("--repeat needs a positive number");
                return ExitCode::from(2);
            }
        }
        args.drain(..2);
    }
    let mut min = 0.9f32;
    if args.first().is_some_and(|a| a == "--min") {
        match args.get(1).and_then(|n| n.parse().ok()) {
            Some(n) => min = n,
            None => {
                eprintln!("--min needs a score from 0 to 1");
                return ExitCode::from(2);
            }
        }
        args.drain(..2);
    }
    if args.is_empty() {
        eprintln!("usage: identify [--repeat N] [--min SCORE] FILE...");
        return ExitCode::from(2);
    }
    let mut status = ExitCode::SUCCESS;
    for path in &args {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                status = ExitCode::FAILURE;
                continue;
            }
        };
        let content = String::from_utf8_lossy(&bytes);
        let start = Instant::now();
        let found = text::identify(&content, min);
        let first = start.elapsed();
        let start = Instant::now();
        for _ in 1..repeat {
            std::hint::black_box(matcher::scan(&content, min - f32::EPSILON, 10));
        }
        let rest = start.elapsed();
        let mean = (first + rest) / repeat;
        let names: Vec<String> = found
            .iter()
            .map(|m| format!("{} {:.4}", m.spdx, m.confidence))
            .collect();
        println!(
            "{path}: [{}] first {first:?}, mean of {repeat} {mean:?}",
            names.join(", ")
        );
    }
    status
}
