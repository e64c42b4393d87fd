//! The journal's file, claimed before anything is written: opened once,
//! checked through that descriptor to be a regular file, locked against a
//! second run, checked to be a ticketpool journal (or new), and only then
//! emptied through the same descriptor. No check looks at one file while
//! the write goes to another.

use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use ticketpool_persist::SqliteStore;

use super::is_bad_file;
use crate::cli::outputs::kind_of;
use crate::cli::CliError;

/// A journal file this run owns until it is dropped: the descriptor holds
/// an exclusive `flock`, which the kernel releases if the process dies.
///
/// Dropped only after the SQLite connection is closed: closing another
/// descriptor of the file would drop SQLite's own POSIX locks on it.
#[derive(Debug)]
pub struct Claim {
    file: File,
    /// The file itself, symbolic links resolved: SQLite opens this, and
    /// names its `-wal` and `-shm` files after it.
    resolved: PathBuf,
    /// As the user typed it, for messages.
    shown: String,
}

/// Refusals name the file and what it is, and are left alone (exit 2).
fn refuse(shown: &str, why: &str) -> CliError {
    CliError::Usage(format!(
        "{shown} {why}; not replacing it (choose another --journal FILE, or --no-journal)"
    ))
}

fn runtime(shown: &str, err: impl std::fmt::Display) -> CliError {
    CliError::Runtime(format!("cannot use {shown} as the journal: {err}"))
}

impl Claim {
    /// Claims the journal at `path`: an existing regular file that is a
    /// ticketpool journal (or empty), following symbolic links, or a new
    /// file created here and nowhere else.
    ///
    /// # Errors
    ///
    /// [`CliError::Usage`] for any other file, which is left as it was;
    /// [`CliError::Runtime`] if another run holds the journal or the file
    /// cannot be opened.
    pub fn take(path: &Path) -> Result<Self, CliError> {
        let shown = path.display().to_string();
        let (file, created) = open(path, &shown)?;
        let meta = file.metadata().map_err(|e| runtime(&shown, e))?;
        // The descriptor, not the name: what `open` got is what is checked.
        if let Some(why) = kind_of(&meta) {
            return Err(refuse(&shown, why));
        }
        lock(&file, &shown)?;
        let resolved = std::fs::canonicalize(path).map_err(|e| runtime(&shown, e))?;
        let claim = Self {
            file,
            resolved,
            shown,
        };
        if !claim.is_at_resolved() {
            return Err(runtime(
                &claim.shown,
                "the file was replaced while opening it",
            ));
        }
        if !created {
            claim.check_content()?;
        }
        Ok(claim)
    }

    /// Whether the resolved path still names the claimed file.
    pub fn is_at_resolved(&self) -> bool {
        match (self.file.metadata(), std::fs::metadata(&self.resolved)) {
            (Ok(held), Ok(named)) => held.dev() == named.dev() && held.ino() == named.ino(),
            _ => false,
        }
    }

    /// The claimed file, symbolic links resolved.
    pub fn resolved(&self) -> &Path {
        &self.resolved
    }

    /// A ticketpool journal (of a version this build reads) or an empty
    /// database may be replaced; anything else is refused untouched.
    fn check_content(&self) -> Result<(), CliError> {
        // Read-only, the header through the claimed descriptor.
        match SqliteStore::check_replaceable(&self.file, &self.resolved) {
            Ok(()) if self.is_at_resolved() => Ok(()),
            Ok(()) => Err(runtime(
                &self.shown,
                "the file was replaced while checking it",
            )),
            Err(err) if is_bad_file(&err) => {
                // The error names the resolved file; say it as typed.
                let resolved = self.resolved.display().to_string();
                let text = err.to_string();
                let reason = text.strip_prefix(&format!("{resolved}: ")).unwrap_or(&text);
                let via = if Path::new(&self.shown).is_symlink() {
                    format!(" (a link to {resolved})")
                } else {
                    String::new()
                };
                Err(CliError::Usage(format!(
                    "{}{via}: {reason}; not replacing it \
                     (choose another --journal FILE, or --no-journal)",
                    self.shown
                )))
            }
            Err(err) => Err(runtime(&self.shown, err)),
        }
    }

    /// Empties the claimed file through its descriptor, after removing the
    /// old journal's `-wal` and `-shm` files (SQLite's own, named after
    /// the resolved path), so SQLite starts a new journal in it.
    ///
    /// # Errors
    ///
    /// [`CliError::Runtime`] if a file cannot be removed or emptied.
    pub fn reset(&self) -> Result<(), CliError> {
        for suffix in ["-wal", "-shm"] {
            let mut name = self.resolved.as_os_str().to_owned();
            name.push(suffix);
            match std::fs::remove_file(&name) {
                Err(err) if err.kind() != ErrorKind::NotFound => {
                    return Err(CliError::Runtime(format!(
                        "cannot replace the journal {}: {}: {err}",
                        self.shown,
                        Path::new(&name).display()
                    )));
                }
                _ => {}
            }
        }
        self.file.set_len(0).map_err(|e| {
            CliError::Runtime(format!("cannot replace the journal {}: {e}", self.shown))
        })
    }
}

/// Opens an existing file (following links) or creates a new one; never
/// opens a file that is not regular, since opening a device or FIFO can
/// itself have effects (a FIFO's writer wakes, a tape rewinds).
fn open(path: &Path, shown: &str) -> Result<(File, bool), CliError> {
    // O_NONBLOCK: should a FIFO appear after the look, opening it does not
    // wait for a reader; O_NOCTTY: a terminal never becomes ours.
    let flags = libc::O_NOCTTY | libc::O_NONBLOCK | libc::O_CLOEXEC;
    match std::fs::metadata(path) {
        Ok(meta) => {
            if let Some(why) = kind_of(&meta) {
                return Err(refuse(shown, why));
            }
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .custom_flags(flags)
                .open(path)
                .map_err(|e| runtime(shown, e))?;
            Ok((file, false))
        }
        Err(err) if err.kind() == ErrorKind::NotFound => {
            if let Ok(link) = std::fs::read_link(path) {
                return Err(refuse(
                    shown,
                    &format!(
                        "is a symbolic link to {}, which does not exist",
                        link.display()
                    ),
                ));
            }
            // O_EXCL: fails rather than follow a link or take over a file
            // that appeared since the look.
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .custom_flags(flags)
                .open(path)
                .map_err(|e| match e.kind() {
                    ErrorKind::AlreadyExists => {
                        refuse(shown, "appeared while it was being created")
                    }
                    _ => runtime(shown, e),
                })?;
            Ok((file, true))
        }
        // A loop of links, or a link through a file: refused, not followed.
        Err(err) if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()) => Err(refuse(
            shown,
            &format!("is a symbolic link that cannot be followed ({err})"),
        )),
        Err(err) => Err(runtime(shown, err)),
    }
}

/// An exclusive lock, refused at once rather than waited for.
fn lock(file: &File, shown: &str) -> Result<(), CliError> {
    // SAFETY: flock only reads the descriptor, which `file` keeps open for
    // the duration of the call.
    let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if locked == 0 {
        return Ok(());
    }
    let err = std::io::Error::last_os_error();
    if err.kind() == ErrorKind::WouldBlock {
        return Err(CliError::Runtime(format!(
            "{shown} is in use by another ticketpool run; wait for it to finish, \
             or choose another --journal FILE"
        )));
    }
    Err(runtime(shown, err))
}
