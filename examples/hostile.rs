//! Writes the hostile images of `tests/common/hostile.rs`, one OCI layout per class, into a
//! directory: `cargo run --release --example hostile -- DIR [CLASS…]`.

#[path = "../tests/common/hostile.rs"]
mod hostile;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: hostile DIR [CLASS…]; classes:");
        for (name, what) in hostile::CLASSES {
            eprintln!("  {name}: {what}");
        }
        return ExitCode::from(2);
    };
    let wanted: Vec<String> = args.collect();
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("hostile: {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    for (name, what) in hostile::CLASSES {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == name) {
            continue;
        }
        match hostile::build(name, &dir) {
            Some(path) => println!("{}\t{what}", path.display()),
            None => {
                eprintln!("hostile: cannot build {name}");
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}
