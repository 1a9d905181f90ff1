//! The floor of a scan: the cost of reading an image's layers and nothing else.
//!
//! Opens IMAGE as `layerbom scan` does, then reads every distinct layer blob once, in
//! parallel, through the same decompressors (flate2 with zlib-rs, zstd) into a sink: no tar
//! parsing, no hashing, no capture. The benchmark (`bench/compare.sh`) compares a scan's
//! wall time with this.
//!
//! ```sh
//! cargo run --release --example floor -- IMAGE
//! ```

use std::io::{self, BufReader, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use rayon::prelude::*;

use layerbom::scan::Compression;
use layerbom::source::{self, Blob, OpenOptions};

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: floor IMAGE");
        return ExitCode::from(2);
    };
    let opts = OpenOptions {
        platform: None,
        verify: false,
    };
    let image = match source::open(&path, &opts) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("floor: {e}");
            return ExitCode::from(2);
        }
    };
    let mut members: Vec<&str> = image
        .layers
        .iter()
        .filter_map(|l| match &l.blob {
            Blob::Member(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    members.sort_unstable();
    members.dedup();
    let read: io::Result<Vec<u64>> = members
        .par_iter()
        .map(|name| {
            let window = image.open_member(name).map_err(io::Error::other)?;
            let mut r = BufReader::with_capacity(256 << 10, window);
            let mut magic = [0u8; 4];
            let n = r.read(&mut magic)?;
            let head = io::Cursor::new(magic[..n].to_vec()).chain(r);
            match Compression::detect(&magic[..n]).map_err(io::Error::other)? {
                Compression::Gzip => io::copy(
                    &mut flate2::read::MultiGzDecoder::new(head),
                    &mut io::sink(),
                ),
                Compression::Zstd => io::copy(
                    &mut zstd::stream::read::Decoder::new(head)?,
                    &mut io::sink(),
                ),
                Compression::None => io::copy(&mut { head }, &mut io::sink()),
            }
        })
        .collect();
    match read {
        Ok(sizes) => {
            println!(
                "{} layer blobs, {} bytes uncompressed",
                sizes.len(),
                sizes.iter().sum::<u64>()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("floor: {e}");
            ExitCode::from(2)
        }
    }
}
