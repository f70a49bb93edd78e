//! Where rendered bytes go: stdout, or a file replaced atomically.
//!
//! A cron job's report file is read by other programs at any moment, so it
//! is never written in place: the bytes go to a temporary file in the same
//! folder, are flushed to disk, and the temporary file is renamed over the
//! target. A reader sees the old report or the new one, never half of one,
//! and a run that fails leaves the old file untouched.
//!
//! A closed stdout (`tracker report | head`) is not an error: the reader has
//! what it wanted, so we stop quietly with success.

use crate::error::{CliError, CliResult};
use std::io::{ErrorKind, Write};
use std::path::Path;

/// Writes `bytes` to stdout; a broken pipe counts as success.
pub fn to_stdout(bytes: &[u8]) -> CliResult<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| CliError::from(e).context("writing to stdout")),
    }
}

/// Replaces `path` with `bytes` atomically (same-folder temp file, fsync,
/// rename). `-` means stdout.
pub fn to_file(path: &Path, bytes: &[u8]) -> CliResult<()> {
    if path == Path::new("-") {
        return to_stdout(bytes);
    }
    let context =
        |e: std::io::Error| CliError::from(e).context(format!("writing {}", path.display()));
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(CliError::input(format!(
            "cannot write {}: the folder {} does not exist",
            path.display(),
            folder.display()
        )));
    }
    if path.is_dir() {
        return Err(CliError::input(format!(
            "{} is a folder; give a file name for -o",
            path.display()
        )));
    }
    let mut temp = tempfile::Builder::new()
        .prefix(".tracker-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(context)?;
    temp.write_all(bytes).map_err(context)?;
    keep_or_default_permissions(temp.as_file(), path).map_err(context)?;
    temp.as_file().sync_all().map_err(context)?;
    temp.persist(path).map_err(|e| context(e.error))?;
    // Make the rename itself durable.
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A temporary file is private (0600); the report it becomes should have
/// the permissions the old file had, or the usual 0644 for a new one.
#[cfg(unix)]
fn keep_or_default_permissions(file: &std::fs::File, path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let permissions = match std::fs::metadata(path) {
        Ok(meta) => meta.permissions(),
        Err(_) => std::fs::Permissions::from_mode(0o644),
    };
    file.set_permissions(permissions)
}

#[cfg(not(unix))]
fn keep_or_default_permissions(_: &std::fs::File, _: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        std::fs::write(&path, "old").unwrap();
        to_file(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644, "a report is readable like any other file");
        }
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn missing_folder_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope").join("report.csv");
        assert!(to_file(&path, b"x").is_err());
        assert!(!path.exists());
    }
}
