//! Builds the index of SPDX license texts that `src/license/matcher.rs` matches against.
//!
//! The texts are askalono's, as embedded in the `spdx` crate (`detection-inline-cache`): a
//! store of license entries, each with its original text, alternates and headers, kept as
//! normalized lines. Loading that store costs a run about 0.3 s and 60 MB; done here once, at
//! build time, it costs the binary nothing. Each text's lines go through the same aggressive
//! normalization as the texts matched at run time (`src/license/normalize.rs`, compiled into
//! this script too), and its word bigrams are hashed, sorted and counted.
//!
//! The index (`$OUT_DIR/license-index.bin`, read in place with `include_bytes!`) is inverted:
//! for each distinct bigram, the texts that hold it and how often. Scoring a text against
//! every indexed text then costs one lookup per bigram of the text, not one pass over every
//! indexed text. It is laid out little-endian, every section 8-byte aligned:
//!
//! ```text
//! header    magic "LBLIDX02", then u32: names, texts, bigrams, postings, name bytes
//! texts     per text, u32: name index, kind (0 original, 1 alternate, 2 header),
//!           size (bigrams counted with repeats)
//! hashes    u64 per distinct bigram, strictly increasing
//! starts    u32 per bigram, plus one: where its postings start
//! buckets   u32 per value of a hash's top 16 bits, plus one: its first bigram
//! postings  u16 per posting: the text; then u16 per posting: the count in that text;
//!           each bigram's postings in increasing text order
//! offsets   u32 per name, plus one: where each name starts in the name bytes
//! names     UTF-8, names in byte order
//! ```
//!
//! Texts are in name order, and per name: original, alternates, headers (askalono's order).

use std::path::PathBuf;

#[path = "src/license/normalize.rs"]
#[allow(dead_code)]
mod normalize;

const MAGIC: &[u8; 8] = b"LBLIDX02";

/// One indexed text.
struct Text {
    name: u32,
    kind: u32,
    size: u32,
    grams: Vec<(u64, u32)>,
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/license/normalize.rs");

    let store = spdx::detection::Store::load_inline()
        .unwrap_or_else(|e| panic!("the spdx crate's embedded license store: {e}"));
    let mut entries: Vec<_> = store.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));

    let mut texts = Vec::new();
    for (i, (_, entry)) in entries.iter().enumerate() {
        let name = u32::try_from(i).expect("fewer than 2^32 licenses");
        let kinds = std::iter::once((0, &entry.original))
            .chain(entry.alternates.iter().map(|t| (1, t)))
            .chain(entry.headers.iter().map(|t| (2, t)));
        for (kind, data) in kinds {
            let processed = normalize::aggressive(&data.lines().join("\n"));
            let hashes = normalize::bigrams(&processed);
            let size = u32::try_from(hashes.len()).expect("fewer than 2^32 bigrams");
            texts.push(Text {
                name,
                kind,
                size,
                grams: normalize::count_sorted(hashes),
            });
        }
    }

    let out = write_index(
        &entries.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        &texts,
    );
    let dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(dir.join("license-index.bin"), &out).expect("write the license index");

    // Shown by `cargo build -vv`.
    let grams: usize = texts.iter().map(|t| t.grams.len()).sum();
    println!(
        "license index: {} names, {} texts, {grams} (text, bigram) pairs, {} bytes",
        entries.len(),
        texts.len(),
        out.len()
    );
}

fn write_index(names: &[&str], texts: &[Text]) -> Vec<u8> {
    let u32_of = |n: usize| u32::try_from(n).expect("index sections fit u32");
    let u16_of = |n: usize| u16::try_from(n).expect("texts and counts fit u16");
    // (bigram, text, count), by bigram and then text.
    let mut postings: Vec<(u64, u16, u16)> = texts
        .iter()
        .enumerate()
        .flat_map(|(i, t)| {
            t.grams
                .iter()
                .map(move |&(hash, count)| (hash, u16_of(i), u16_of(count as usize)))
        })
        .collect();
    postings.sort_unstable();
    let mut hashes: Vec<u64> = postings.iter().map(|p| p.0).collect();
    hashes.dedup();
    let name_bytes: usize = names.iter().map(|n| n.len()).sum();

    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    for n in [
        names.len(),
        texts.len(),
        hashes.len(),
        postings.len(),
        name_bytes,
    ] {
        out.extend_from_slice(&u32_of(n).to_le_bytes());
    }
    pad8(&mut out);
    for t in texts {
        for n in [t.name, t.kind, t.size] {
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
    pad8(&mut out);
    for hash in &hashes {
        out.extend_from_slice(&hash.to_le_bytes());
    }
    let mut start = 0usize;
    out.extend_from_slice(&0u32.to_le_bytes());
    for hash in &hashes {
        start += postings[start..].partition_point(|p| p.0 == *hash);
        out.extend_from_slice(&u32_of(start).to_le_bytes());
    }
    let mut first = 0usize;
    for top in 0..=1usize << 16 {
        first += hashes[first..].partition_point(|&h| ((h >> 48) as usize) < top);
        out.extend_from_slice(&u32_of(first).to_le_bytes());
    }
    for (_, text, _) in &postings {
        out.extend_from_slice(&text.to_le_bytes());
    }
    for (_, _, count) in &postings {
        out.extend_from_slice(&count.to_le_bytes());
    }
    pad8(&mut out);
    let mut offset = 0usize;
    out.extend_from_slice(&0u32.to_le_bytes());
    for name in names {
        offset += name.len();
        out.extend_from_slice(&u32_of(offset).to_le_bytes());
    }
    pad8(&mut out);
    for name in names {
        out.extend_from_slice(name.as_bytes());
    }
    out
}

fn pad8(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(8) {
        out.push(0);
    }
}
