//! Where rendered bytes go: stdout, a device or FIFO, or a regular file
//! replaced atomically. Every command that writes a file goes through here,
//! so the rules below hold for all of them.
//!
//! - An output never destroys data: a destination that is the ledger, one
//!   of its SQLite side files (`-wal`, `-shm`, `-journal`) or a temporary
//!   file tracker is writing is refused, however it is spelled (`./x.db`,
//!   a symlink, a hard link).
//! - A cron job's report file is read by other programs at any moment, so a
//!   regular file is never written in place: the bytes go to a temporary
//!   file in the same folder, are flushed to disk, and the temporary file is
//!   renamed over the target. A reader sees the old report or the new one,
//!   never half of one, and a run that fails leaves the old file untouched.
//! - Atomic replacement is for regular files only. A character device
//!   (`/dev/null`) or a FIFO is opened and written, never replaced; `-` and
//!   `/dev/stdout` are stdout.
//! - A symlink is followed to the real file, which is replaced; the link
//!   stays a link (also a dangling one: the file it names is created).
//! - A missing folder is a usage error (exit 2) that names the folder.
//!
//! A closed stdout (`tracker report | head`) is not an error: the reader has
//! what it wanted, so we stop quietly with success.

use crate::error::{CliError, CliResult};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to stdout; a broken pipe counts as success.
pub fn to_stdout(bytes: &[u8]) -> CliResult<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| CliError::from(e).context("writing to stdout")),
    }
}

/// Writes `bytes` to `path` (`-` is stdout) by the rules of this module;
/// `ledger` is the ledger this run uses, which no output may replace
/// (`None` for commands that use no ledger, such as `man`).
pub fn to_file(path: &Path, bytes: &[u8], ledger: Option<&Path>) -> CliResult<()> {
    match destination(path, ledger)? {
        Destination::Stdout => to_stdout(bytes),
        Destination::Stream(real) => write_stream(path, &real, bytes),
        Destination::File(real) => replace_atomically(path, &real, bytes),
    }
}

/// Checks that a *new* file may be created at `path` (the backup's rule:
/// never replace anything) and returns the real path to create, with
/// symlinks followed.
pub fn new_file(path: &Path, ledger: &Path) -> CliResult<PathBuf> {
    if path == Path::new("-") {
        return Err(CliError::input(
            "a backup cannot go to stdout; give a file name",
        ));
    }
    match destination(path, Some(ledger))? {
        Destination::File(real) if !real.exists() => Ok(real),
        _ => Err(CliError::input(format!(
            "{} already exists; a backup never replaces a file",
            path.display()
        ))
        .with_hint("choose a new file name, e.g. with the date in it")),
    }
}

/// Where an output really goes.
#[derive(Debug, PartialEq)]
enum Destination {
    Stdout,
    /// A character device or FIFO: opened and written.
    Stream(PathBuf),
    /// A regular file, existing or not, at its real path.
    File(PathBuf),
}

fn destination(path: &Path, ledger: Option<&Path>) -> CliResult<Destination> {
    if path == Path::new("-") {
        return Ok(Destination::Stdout);
    }
    refuse_protected(path, ledger)?;
    // `metadata` follows every link the kernel can, including the magic
    // ones under /proc that `/dev/stdout` points through.
    match std::fs::metadata(path) {
        Ok(meta) => {
            use std::os::unix::fs::FileTypeExt;
            let kind = meta.file_type();
            if kind.is_dir() {
                Err(CliError::input(format!(
                    "{} is a folder; give a file name",
                    path.display()
                )))
            } else if kind.is_char_device() || kind.is_fifo() {
                Ok(Destination::Stream(path.to_path_buf()))
            } else if kind.is_file() {
                let real = std::fs::canonicalize(path).map_err(|e| {
                    CliError::from(e).context(format!("resolving {}", path.display()))
                })?;
                Ok(Destination::File(real))
            } else {
                Err(CliError::input(format!(
                    "{} is neither a regular file, a FIFO nor a character device; \
                     tracker does not write to it",
                    path.display()
                )))
            }
        }
        Err(_) => {
            let real = follow_symlinks(path)?;
            let folder = folder_of(&real);
            if !folder.is_dir() {
                return Err(CliError::input(format!(
                    "cannot write {}: the folder {} does not exist",
                    path.display(),
                    folder.display()
                ))
                .with_hint("create the folder first, or choose another path"));
            }
            Ok(Destination::File(real))
        }
    }
}

/// Follows a chain of symlinks to the path they finally name, which need
/// not exist (a dangling link names the file to create).
pub fn follow_symlinks(path: &Path) -> CliResult<PathBuf> {
    let mut current = path.to_path_buf();
    // The kernel's own limit on nested links.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current).map_err(|e| {
                    CliError::from(e).context(format!("reading the link {}", current.display()))
                })?;
                current = if target.is_absolute() {
                    target
                } else {
                    folder_of(&current).join(target)
                };
            }
            _ => return Ok(current),
        }
    }
    Err(CliError::input(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// The folder a file name lives in (`.` for a bare name).
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// The SQLite side files of a ledger, with what they are to a reader.
const SIDE_FILES: [(&str, &str); 3] = [
    ("-wal", "write-ahead log"),
    ("-shm", "shared-memory index"),
    ("-journal", "rollback journal"),
];

/// Refuses `path` if it is (or would become) the ledger, a side file of it,
/// or one of tracker's own temporary files.
fn refuse_protected(path: &Path, ledger: Option<&Path>) -> CliResult<()> {
    let refuse = |what: String| {
        Err(CliError::input(format!(
            "refusing to write {}: it would overwrite {what}",
            path.display()
        ))
        .with_hint("choose another file name"))
    };
    let Some(dest) = location(path) else {
        return Ok(());
    };
    if dest
        .file_name()
        .is_some_and(|name| name.to_string_lossy().starts_with(".tracker-"))
    {
        return refuse("a temporary file tracker is writing (a backup or a new ledger)".into());
    }
    let Some((ledger, ledger_location)) = ledger.and_then(|l| Some((l, location(l)?))) else {
        return Ok(());
    };
    if dest == ledger_location || same_file(path, ledger) {
        return refuse(format!("the ledger {}", ledger.display()));
    }
    for (suffix, what) in SIDE_FILES {
        let mut side = ledger_location.clone().into_os_string();
        side.push(suffix);
        let side = PathBuf::from(side);
        if dest == side || same_file(path, &side) {
            return refuse(format!("the ledger's {what} ({})", side.display()));
        }
    }
    Ok(())
}

/// A path as an absolute, link-free name, whether or not the file exists:
/// the real folder plus the file name. `None` if the folder is missing.
fn location(path: &Path) -> Option<PathBuf> {
    let real = follow_symlinks(path).ok()?;
    let name = real.file_name()?;
    Some(std::fs::canonicalize(folder_of(&real)).ok()?.join(name))
}

/// Both exist and are the same file (hard links included).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// A device or FIFO: open and write, never create or replace.
fn write_stream(shown: &Path, real: &Path, bytes: &[u8]) -> CliResult<()> {
    let written = std::fs::OpenOptions::new()
        .write(true)
        .open(real)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.flush()));
    match written {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        other => {
            other.map_err(|e| CliError::from(e).context(format!("writing {}", shown.display())))
        }
    }
}

/// Same-folder temp file, fsync, rename over `real`.
fn replace_atomically(shown: &Path, real: &Path, bytes: &[u8]) -> CliResult<()> {
    let context =
        |e: std::io::Error| CliError::from(e).context(format!("writing {}", shown.display()));
    let folder = folder_of(real);
    let mut temp = tempfile::Builder::new()
        .prefix(".tracker-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(context)?;
    temp.write_all(bytes).map_err(context)?;
    keep_or_default_permissions(temp.as_file(), real).map_err(context)?;
    temp.as_file().sync_all().map_err(context)?;
    temp.persist(real).map_err(|e| context(e.error))?;
    // Make the rename itself durable.
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A temporary file is private (0600); the report it becomes should have
/// the permissions the old file had, or the usual 0644 for a new one.
fn keep_or_default_permissions(file: &std::fs::File, path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let permissions = match std::fs::metadata(path) {
        Ok(meta) => meta.permissions(),
        Err(_) => std::fs::Permissions::from_mode(0o644),
    };
    file.set_permissions(permissions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_ledger(dir: &Path) -> PathBuf {
        dir.join("ledger.db")
    }

    #[test]
    fn replaces_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        std::fs::write(&path, "old").unwrap();
        to_file(&path, b"new", Some(&no_ledger(dir.path()))).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "a report is readable like any other file");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn missing_folder_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope").join("report.csv");
        assert!(to_file(&path, b"x", Some(&no_ledger(dir.path()))).is_err());
        assert!(!path.exists());
    }

    #[test]
    fn side_files_are_protected_even_before_they_exist() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = no_ledger(dir.path());
        std::fs::write(&ledger, "ledger").unwrap();
        for name in [
            "ledger.db",
            "ledger.db-wal",
            "ledger.db-shm",
            "ledger.db-journal",
        ] {
            let err = to_file(&dir.path().join(name), b"x", Some(&ledger)).unwrap_err();
            assert!(err.render().contains("would overwrite"), "{name}");
        }
        assert_eq!(std::fs::read(&ledger).unwrap(), b"ledger");
        assert!(to_file(&dir.path().join("ledger.db-walk"), b"x", Some(&ledger)).is_ok());
    }

    #[test]
    fn symlink_chains_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("sub/c", dir.path().join("b")).unwrap();
        assert_eq!(follow_symlinks(&a).unwrap(), dir.path().join("sub/c"));
        let looped = dir.path().join("loop");
        std::os::unix::fs::symlink("loop", &looped).unwrap();
        assert!(follow_symlinks(&looped).is_err());
    }
}
