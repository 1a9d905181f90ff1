//! Where documents are written, checked before any work and written so that nothing is lost.
//!
//! [`check`] refuses, before a scan starts, an output that would destroy an input (the image
//! file itself, a file inside an OCI layout or rootfs directory being scanned, the
//! Dockerfile or template read), the same file named twice, and a file whose directory does
//! not exist. [`write_replacing`] writes a document to a new file beside its destination and
//! renames it into place only once it is complete, so a failed write (a full disk, an error
//! while rendering) leaves the previous file as it was.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why an output cannot be written where it was asked to be.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output is an input of the run, or inside one.
    #[error("-o {output}: this would overwrite {what} {input}")]
    IsInput {
        /// The output as named.
        output: String,
        /// What the input is (`the image`, `the Dockerfile`, ...).
        what: &'static str,
        /// The input as named.
        input: String,
    },
    /// Two outputs name the same file.
    #[error("-o {0}: the same file is named by two outputs")]
    Twice(String),
    /// The output's directory does not exist.
    #[error("-o {output}: the directory {dir} does not exist")]
    NoDirectory {
        /// The output as named.
        output: String,
        /// Its directory.
        dir: String,
    },
    /// The output names a directory.
    #[error("-o {0}: is a directory")]
    IsDirectory(String),
}

/// An input of the run: a path and what it is, for the message.
pub struct Input<'a> {
    /// The path as given.
    pub path: &'a Path,
    /// What it is (`the image`, `the Dockerfile`, `the template`).
    pub what: &'static str,
}

/// Checks the output files `outputs` against the run's `inputs` before any work is done.
pub fn check(inputs: &[Input], outputs: &[&str]) -> Result<(), OutputError> {
    let mut seen: Vec<PathBuf> = Vec::new();
    for &output in outputs {
        let path = Path::new(output);
        if path.is_dir() {
            return Err(OutputError::IsDirectory(output.to_string()));
        }
        let dir = directory_of(path);
        let Ok(dir) = dir.canonicalize() else {
            return Err(OutputError::NoDirectory {
                output: output.to_string(),
                dir: dir.display().to_string(),
            });
        };
        // The file as it will be: its directory resolved, its name as given (it may not
        // exist yet; if it is a symlink, the target is what would be replaced).
        let resolved = match path.canonicalize() {
            Ok(existing) => existing,
            Err(_) => dir.join(path.file_name().unwrap_or(path.as_os_str())),
        };
        for input in inputs {
            let Ok(input_path) = input.path.canonicalize() else {
                continue;
            };
            if resolved == input_path || resolved.starts_with(&input_path) {
                return Err(OutputError::IsInput {
                    output: output.to_string(),
                    what: input.what,
                    input: input.path.display().to_string(),
                });
            }
        }
        // A character device (`/dev/null`) takes any number of documents; a pipe or a file
        // named twice would get two documents mixed or one lost.
        let device = fs::metadata(&resolved).is_ok_and(|m| {
            use std::os::unix::fs::FileTypeExt;
            m.file_type().is_char_device()
        });
        if seen.contains(&resolved) && !device {
            return Err(OutputError::Twice(output.to_string()));
        }
        seen.push(resolved);
    }
    Ok(())
}

/// Writes a document to `path` through `write`: into a new file in the same directory,
/// renamed over `path` once `write` and the flush succeed; on failure the new file is
/// removed and `path` is left as it was. A device or pipe is written directly.
pub fn write_replacing(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    // A symlink is followed: its target is the file replaced. A device or a pipe
    // (`/dev/null`, `/dev/stdout`) is written as it is: it cannot be replaced.
    let existing = fs::canonicalize(path).ok();
    if let Some(target) = &existing {
        if !fs::metadata(target)?.is_file() {
            let mut w = BufWriter::new(OpenOptions::new().write(true).open(target)?);
            write(&mut w)?;
            return w.flush();
        }
    }
    let path = existing.as_deref().unwrap_or(path);
    let (temp, file) = create_beside(path)?;
    let result = (|| {
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// The directory a file named `path` is in (`.` for a bare name).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A new file next to `path`, named after it and the process, that did not exist before.
fn create_beside(path: &Path) -> io::Result<(PathBuf, File)> {
    let dir = directory_of(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let pid = std::process::id();
    let mut last = None;
    for attempt in 0..16u32 {
        let temp = dir.join(format!(".{name}.{pid}.{attempt}.layerbom-tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileTypeExt;

    #[test]
    fn an_output_may_not_be_an_input_or_inside_one() {
        let d = tempfile::tempdir().unwrap();
        let image = d.path().join("image.tar");
        fs::write(&image, b"x").unwrap();
        let layout = d.path().join("layout");
        fs::create_dir(&layout).unwrap();
        let inputs = [
            Input {
                path: &image,
                what: "the image",
            },
            Input {
                path: &layout,
                what: "the image",
            },
        ];
        let out = |p: &Path| p.to_str().unwrap().to_string();
        let e = check(&inputs, &[&out(&image)]).unwrap_err();
        assert!(matches!(e, OutputError::IsInput { .. }), "{e}");
        let inside = out(&layout.join("index.json"));
        assert!(matches!(
            check(&inputs, &[&inside]),
            Err(OutputError::IsInput { .. })
        ));
        let fine = out(&d.path().join("bom.json"));
        check(&inputs, &[&fine]).unwrap();
        assert!(matches!(
            check(&inputs, &[&fine, &fine]),
            Err(OutputError::Twice(_))
        ));
        // Documents thrown away: /dev/null takes them all.
        check(&inputs, &["/dev/null", "/dev/null"]).unwrap();
        let missing = out(&d.path().join("nope").join("bom.json"));
        assert!(matches!(
            check(&inputs, &[&missing]),
            Err(OutputError::NoDirectory { .. })
        ));
        assert!(matches!(
            check(&inputs, &[&out(d.path())]),
            Err(OutputError::IsDirectory(_))
        ));
    }

    #[test]
    fn a_failed_write_leaves_the_previous_file_and_no_temporary() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("bom.json");
        fs::write(&path, b"previous").unwrap();
        let err = write_replacing(&path, |w: &mut dyn Write| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(fs::read(&path).unwrap(), b"previous");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
        write_replacing(&path, |w: &mut dyn Write| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
        // A device is written, never replaced.
        write_replacing(Path::new("/dev/null"), |w: &mut dyn Write| {
            w.write_all(b"x")
        })
        .unwrap();
        assert!(fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
    }
}
