//! ELF executables, read front to back as a layer streams past: the ELF header and program
//! headers (which follow it), with a cursor that passes over the bytes in between. The
//! binary catalogers ([`super::golang`], [`super::cargo`]) look for their data with it.

use std::io::Read;

use crate::scan::EntryRead;

/// The most program headers read.
const MAX_PHNUM: usize = 512;
/// The largest program or section header entry accepted (real ones are 32 to 64 bytes).
pub const MAX_ENTSIZE: usize = 256;

/// Tracks the position in an entry while reading forward.
pub struct Cursor<'a> {
    input: &'a mut dyn EntryRead,
    /// Offset in the file of the next byte.
    pub pos: u64,
}

impl<'a> Cursor<'a> {
    /// A cursor over an entry whose first `pos` bytes were already read.
    pub fn new(input: &'a mut dyn EntryRead, pos: u64) -> Self {
        Cursor { input, pos }
    }

    /// Passes over the bytes up to `offset`; `None` if `offset` is behind.
    pub fn seek_to(&mut self, offset: u64) -> Option<()> {
        let gap = offset.checked_sub(self.pos)?;
        self.input.skip(gap).ok()?;
        self.pos = offset;
        Some(())
    }

    /// Appends up to `n` bytes (fewer at the entry's end) to `buf`.
    pub fn read_up_to(&mut self, n: u64, buf: &mut Vec<u8>) -> Option<()> {
        let got = (&mut *self.input).take(n).read_to_end(buf).ok()?;
        self.pos += got as u64;
        Some(())
    }
}

/// Reads an unsigned field of `width` bytes at `at`.
pub fn uint(b: &[u8], at: usize, width: usize, big: bool) -> Option<u64> {
    let s = b.get(at..at.checked_add(width)?)?;
    let mut v: u64 = 0;
    for i in 0..width {
        let byte = if big { s[i] } else { s[width - 1 - i] };
        v = (v << 8) | u64::from(byte);
    }
    Some(v)
}

/// What the ELF header and program headers say, read from the start of the file.
#[derive(Debug, Clone)]
pub struct Elf {
    /// 64-bit (ELFCLASS64).
    pub wide: bool,
    /// Big-endian.
    pub big: bool,
    /// Loadable segments: (file offset, file size, flags).
    pub segments: Vec<(u64, u64, u64)>,
    /// Section header table: offset, entry size, count, index of the names section.
    pub shoff: u64,
    /// Section header entry size.
    pub shentsize: usize,
    /// Section header count.
    pub shnum: usize,
    /// Index of the section names section.
    pub shstrndx: usize,
}

/// Reads the ELF header and program headers of a file whose first four bytes were `magic`;
/// `None` when it is not an ELF file this reader understands.
pub fn read_headers(magic: [u8; 4], cur: &mut Cursor, size: u64) -> Option<Elf> {
    let mut hdr = magic.to_vec();
    cur.read_up_to(60, &mut hdr)?;
    let wide = match hdr.get(4)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let big = match hdr.get(5)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let w = if wide { 8 } else { 4 };
    // e_phoff and e_shoff follow e_entry; the 16-bit fields follow e_flags and e_ehsize.
    let phoff = uint(&hdr, 0x18 + w, w, big)?;
    let shoff = uint(&hdr, 0x18 + 2 * w, w, big)?;
    let half = 0x18 + 3 * w + 4 + 2;
    let phentsize = uint(&hdr, half, 2, big)? as usize;
    let phnum = uint(&hdr, half + 2, 2, big)? as usize;
    let shentsize = uint(&hdr, half + 4, 2, big)? as usize;
    let shnum = uint(&hdr, half + 6, 2, big)? as usize;
    let shstrndx = uint(&hdr, half + 8, 2, big)? as usize;
    let min_ent = if wide { 56 } else { 32 };
    if phnum == 0
        || phnum > MAX_PHNUM
        || !(min_ent..=MAX_ENTSIZE).contains(&phentsize)
        || phoff > size
    {
        return None;
    }
    cur.seek_to(phoff)?;
    let mut ph = Vec::new();
    cur.read_up_to((phentsize * phnum) as u64, &mut ph)?;
    let mut segments: Vec<(u64, u64, u64)> = ph
        .chunks_exact(phentsize)
        .filter_map(|e| {
            let typ = uint(e, 0, 4, big)?;
            let (flags, offset, filesz) = if wide {
                (
                    uint(e, 4, 4, big)?,
                    uint(e, 8, 8, big)?,
                    uint(e, 32, 8, big)?,
                )
            } else {
                (
                    uint(e, 24, 4, big)?,
                    uint(e, 4, 4, big)?,
                    uint(e, 16, 4, big)?,
                )
            };
            // PT_LOAD with bytes in the file.
            (typ == 1 && filesz > 0).then_some((offset, filesz, flags))
        })
        .collect();
    segments.sort_unstable();
    Some(Elf {
        wide,
        big,
        segments,
        shoff,
        shentsize,
        shnum,
        shstrndx,
    })
}
