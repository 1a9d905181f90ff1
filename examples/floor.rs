//! The floor of a scan: the cost of reading an image's layers and nothing else.
//!
//! Opens IMAGE as `layerbom scan` does, then reads every distinct layer blob once, in
//! parallel (a compressed archive, read in one pass: every blob that may be a layer, as it
//! goes by), through the same decompressors (flate2 with zlib-rs, zstd) into a sink: no tar
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
use layerbom::source::{self, LayerBytes, OpenOptions, Opened, Streamed};

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

/// Decompresses a layer blob into the sink, and counts the uncompressed bytes.
fn decompress(blob: impl Read) -> io::Result<u64> {
    let mut r = BufReader::with_capacity(256 << 10, blob);
    let mut magic = [0u8; 4];
    let n = r.read(&mut magic)?;
    let head = io::Cursor::new(magic[..n].to_vec()).chain(r);
    match Compression::detect(&magic[..n]).map_err(io::Error::other)? {
        Compression::Gzip => sink(flate2::read::MultiGzDecoder::new(head)),
        Compression::Zstd => sink(zstd::stream::read::Decoder::new(head)?),
        Compression::None => sink(head),
    }
}

/// Reads every distinct layer blob once: in parallel when they can be opened at random, as
/// they go by when the input is read in one pass (every blob that may be a layer).
fn read(opened: Opened) -> Result<Vec<u64>, String> {
    match opened {
        Opened::Random(source) => {
            let image = source.image();
            let mut first: Vec<usize> = Vec::new();
            for (i, l) in image.layers.iter().enumerate() {
                if !first.iter().any(|&f| image.layers[f].blob == l.blob) {
                    first.push(i);
                }
            }
            first
                .par_iter()
                .map(|&i| match source.open(i).map_err(|e| e.to_string())? {
                    LayerBytes::Seekable(blob) => decompress(blob).map_err(|e| e.to_string()),
                    LayerBytes::Stream(blob) => decompress(blob).map_err(|e| e.to_string()),
                    LayerBytes::Tree(_) => Ok(0),
                })
                .collect()
        }
        Opened::Stream(source) => {
            let mut sizes = Vec::new();
            let mut failed = None;
            let streamed = source
                .read(&mut |blob, _, bytes| match decompress(bytes) {
                    Ok(n) => sizes.push(n),
                    Err(e) => {
                        failed.get_or_insert(format!("{blob}: {e}"));
                    }
                })
                .map_err(|e| e.to_string())?;
            if let Some(e) = failed {
                return Err(e);
            }
            match streamed {
                Streamed::Image(_) => Ok(sizes),
                Streamed::Instead(opened) => read(opened),
            }
        }
    }
}

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: floor IMAGE");
        return ExitCode::from(2);
    };
    let read = source::open(&path, &OpenOptions::default())
        .map_err(|e| e.to_string())
        .and_then(read);
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
