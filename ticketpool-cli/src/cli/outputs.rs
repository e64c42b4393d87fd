//! The files a `simulate` run writes (`--journal`, `--json`, `--plot`),
//! checked before any simulation work: each must be writable where it is,
//! be (or become) a regular file, and be a file of its own, so no output
//! overwrites another and no run fails at its end for a path typed wrong.

use std::ffi::CString;
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::args::SimulateArgs;
use super::journal::Choice;
use super::{plot, CliError};

/// Checks every output of the run; the journal's own content checks come
/// when it is opened.
///
/// # Errors
///
/// [`CliError::Usage`], naming the flag and the file, for an output that
/// is not a regular file, is the same file as another or is a chart
/// format the command cannot draw; [`CliError::Runtime`] for one in a
/// place that cannot be written (no such directory, no permission).
pub fn check(args: &SimulateArgs, journal: &Choice) -> Result<(), CliError> {
    let mut outputs: Vec<(&str, &Path)> = Vec::new();
    if let Some(path) = journal.path() {
        outputs.push(("--journal", path));
    }
    if let Some(path) = &args.json {
        outputs.push(("--json", path));
    }
    if let Some(path) = &args.plot {
        check_plot_extension(path)?;
        outputs.push(("--plot", path));
    }
    let mut seen: Vec<(&str, &Path, Identity)> = Vec::new();
    for (flag, path) in outputs {
        // The journal's kind and content are checked when it is opened,
        // through the descriptor it is written with.
        let identity = check_one(flag, path, flag != "--journal")?;
        if let Some((other, other_path, _)) = seen.iter().find(|(_, _, id)| id.same(&identity)) {
            return Err(CliError::Usage(format!(
                "{other} {} and {flag} {} are the same file; each output needs a file of its own",
                other_path.display(),
                path.display()
            )));
        }
        seen.push((flag, path, identity));
    }
    Ok(())
}

fn check_plot_extension(path: &Path) -> Result<(), CliError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if plot::EXTENSIONS.contains(&ext) {
        return Ok(());
    }
    let named = if ext.is_empty() {
        "has no extension".to_owned()
    } else {
        format!("asks for a .{ext} chart, which ticketpool cannot draw")
    };
    Err(CliError::Usage(format!(
        "--plot {} {named}; use a file name ending in .{}",
        path.display(),
        plot::EXTENSIONS.join(" or .")
    )))
}

/// Where an output lands: its path with directories and links resolved,
/// and the file's identity if it exists already (hard links share it).
struct Identity {
    resolved: PathBuf,
    inode: Option<(u64, u64)>,
}

impl Identity {
    fn same(&self, other: &Self) -> bool {
        self.resolved == other.resolved || (self.inode.is_some() && self.inode == other.inode)
    }
}

/// `kinds`: refuse what is not (or would not create) a regular file.
fn check_one(flag: &str, path: &Path, kinds: bool) -> Result<Identity, CliError> {
    let shown = path.display();
    // What the path names is the user's mistake (exit 2); a place that
    // cannot be written is a failure to write, as it was after a run (1).
    let bad = |why: String| CliError::Usage(format!("{flag} {shown}: {why}"));
    let unwritable =
        |why: String| CliError::Runtime(format!("cannot write {shown} ({flag}): {why}"));
    match std::fs::metadata(path) {
        Ok(meta) => {
            if let (true, Some(what)) = (kinds, kind_of(&meta)) {
                return Err(bad(format!("{what}; not writing to it")));
            }
            if kinds && !writable(path) {
                return Err(unwritable("permission denied".into()));
            }
            let resolved = std::fs::canonicalize(path).map_err(|e| unwritable(e.to_string()))?;
            Ok(Identity {
                resolved,
                inode: Some((meta.dev(), meta.ino())),
            })
        }
        // ENOTDIR: a parent is a file; said below, by name.
        Err(err)
            if err.kind() == ErrorKind::NotFound || err.raw_os_error() == Some(libc::ENOTDIR) =>
        {
            if let (true, Ok(target)) = (kinds, std::fs::read_link(path)) {
                return Err(bad(format!(
                    "is a symbolic link to {}, which does not exist; not creating it",
                    target.display()
                )));
            }
            let Some(name) = path.file_name() else {
                return Err(bad("is not a file name".into()));
            };
            let dir = match path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir,
                _ => Path::new("."),
            };
            let dir_shown = dir.display();
            match std::fs::metadata(dir) {
                Ok(meta) if meta.is_dir() => {}
                Ok(_) => return Err(unwritable(format!("{dir_shown} is not a directory"))),
                Err(err) if err.kind() == ErrorKind::NotFound => {
                    return Err(unwritable(format!(
                        "the directory {dir_shown} does not exist"
                    )))
                }
                Err(err) => return Err(unwritable(format!("{dir_shown}: {err}"))),
            }
            if !writable(dir) {
                return Err(unwritable(format!("cannot create files in {dir_shown}")));
            }
            let resolved = std::fs::canonicalize(dir)
                .map_err(|e| unwritable(format!("{dir_shown}: {e}")))?
                .join(name);
            Ok(Identity {
                resolved,
                inode: None,
            })
        }
        Err(err) => Err(unwritable(err.to_string())),
    }
}

/// What a file that is not a regular file is, in words (`None` for a
/// regular file).
pub fn kind_of(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("is a directory")
    } else if t.is_char_device() {
        Some("is a character device")
    } else if t.is_block_device() {
        Some("is a block device")
    } else if t.is_fifo() {
        Some("is a FIFO (named pipe)")
    } else if t.is_socket() {
        Some("is a socket")
    } else {
        Some("is not a regular file")
    }
}

/// Whether this process may write `path` (a directory: create files in
/// it), asked without opening or creating anything.
fn writable(path: &Path) -> bool {
    let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    let mode = if path.is_dir() {
        libc::W_OK | libc::X_OK
    } else {
        libc::W_OK
    };
    // SAFETY: `c_path` is a NUL-terminated string that outlives the call;
    // access(2) only reads it.
    unsafe { libc::access(c_path.as_ptr(), mode) == 0 }
}
