//! Progress on stderr: a bar over a number of bytes, and a reader that moves it.
//!
//! The scan stage counts the layer bytes it reads or seeks past; a source read in one pass
//! (a compressed image archive) counts the bytes of the file it decompresses. The caller
//! decides whether a bar is drawn at all (only when stderr is a terminal and not `-q`).

use std::io::{self, Read, Seek, SeekFrom};

/// A progress bar for `total` bytes, drawn with `template` (indicatif's syntax).
pub(crate) fn progress_bar(total: u64, template: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Reports bytes read or passed over to a progress bar.
pub(crate) struct Progress<'a, R> {
    pub(crate) inner: R,
    pub(crate) bar: Option<&'a indicatif::ProgressBar>,
}

impl<R: Read> Read for Progress<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(bar) = self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}

impl<R: Seek> Seek for Progress<'_, R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let before = self.inner.stream_position()?;
        let after = self.inner.seek(pos)?;
        if let Some(bar) = self.bar {
            bar.inc(after.saturating_sub(before));
        }
        Ok(after)
    }
}
