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

/// Reads `r` to its end through a buffer as large as the scan's, and counts the bytes.
fn sink(mut r: impl Read) -> io::Result<u64> {
    let mut buf = vec![0u8; 256 << 10];
    let mut total = 0u64;
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => total += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

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
                Compression::Gzip => sink(flate2::read::MultiGzDecoder::new(head)),
                Compression::Zstd => sink(zstd::stream::read::Decoder::new(head)?),
                Compression::None => sink(head),
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
