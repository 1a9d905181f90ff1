//! Progress on stderr: a bar over a number of bytes, and a reader that moves it.
//!
//! The scan stage counts the layer bytes it reads or seeks past; a source read in one pass
//! (a compressed image archive) counts the bytes of the file it decompresses. The caller
//! decides whether a bar is drawn at all (only when stderr is a terminal and not `-q`).

use std::io::{self, Read, Seek, SeekFrom};

/// The bar of a scan's layers: the bytes read of all of them, in binary units (`12.5
/// MiB/1.2 GiB`), as `du -h` and docker count them, never a raw count of bytes.
pub(crate) const LAYERS: &str =
    "{spinner} reading {binary_bytes}/{binary_total_bytes} of the layers {bar:30} {binary_bytes_per_sec} {eta}";

/// The bar of a compressed archive read in one pass: the bytes of the file, in binary units.
pub(crate) const COMPRESSED_ARCHIVE: &str =
    "{spinner} reading {binary_bytes}/{binary_total_bytes} of the compressed archive {bar:30} {binary_bytes_per_sec} {eta}";

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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    /// A terminal that keeps everything written to it.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<String>>);

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            160
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What `template` draws for `done` of `total` bytes.
    fn drawn(template: &str, done: u64, total: u64) -> String {
        let screen = Screen::default();
        let bar = super::progress_bar(total, template);
        bar.set_draw_target(indicatif::ProgressDrawTarget::term_like(Box::new(
            screen.clone(),
        )));
        bar.set_position(done);
        bar.abandon();
        let line = screen.0.lock().unwrap().clone();
        line
    }

    #[test]
    fn bars_count_bytes_in_binary_units() {
        for template in [super::LAYERS, super::COMPRESSED_ARCHIVE] {
            assert!(
                indicatif::ProgressStyle::with_template(template).is_ok(),
                "{template}"
            );
            let line = drawn(template, 3 << 20, 1536 << 20);
            assert!(line.contains("3.00 MiB/1.50 GiB"), "{line:?}");
            assert!(!line.contains("3145728"), "{line:?}");
        }
    }
}
