//! The journal behind `simulate`: a fresh SQLite file per run, replacing
//! an earlier ticketpool journal but never another kind of file.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ticketpool_persist::{Durability, DurableJournal, JournalConfig, PersistError, SqliteStore};

use super::args::{DurabilityArg, SimulateArgs};
use super::CliError;

/// Where the default run keeps its journal.
pub const DEFAULT_FILE: &str = "ticketpool.db";

/// Whether and where a run is journaled.
#[derive(Debug, Clone)]
pub struct Choice {
    path: Option<PathBuf>,
    durability: Durability,
}

impl Choice {
    /// From `--journal`, `--no-journal` and `--durability`.
    pub fn from_args(args: &SimulateArgs) -> Self {
        let path = if args.no_journal {
            None
        } else {
            Some(
                args.journal
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_FILE)),
            )
        };
        let durability = match args.durability {
            DurabilityArg::Batched => Durability::Batched,
            DurabilityArg::Confirmed => Durability::Confirmed,
        };
        Self { path, durability }
    }

    /// A fresh, empty journal for one run, or `None` with `--no-journal`.
    ///
    /// # Errors
    ///
    /// [`CliError::Usage`] if the file is something other than a ticketpool
    /// journal (it is left untouched); [`CliError::Runtime`] if it cannot
    /// be replaced or created.
    pub fn open(&self) -> Result<Option<Arc<DurableJournal>>, CliError> {
        let Some(path) = &self.path else {
            return Ok(None);
        };
        check_replaceable(path)?;
        for file in [
            path.to_path_buf(),
            sidecar(path, "-wal"),
            sidecar(path, "-shm"),
        ] {
            match std::fs::remove_file(&file) {
                Err(err) if err.kind() != ErrorKind::NotFound => {
                    return Err(CliError::Runtime(format!(
                        "cannot replace the journal {}: {err}",
                        file.display()
                    )));
                }
                _ => {}
            }
        }
        let store = SqliteStore::open(path).map_err(runtime)?;
        let journal =
            DurableJournal::start(store, JournalConfig::new(self.durability)).map_err(runtime)?;
        Ok(Some(Arc::new(journal)))
    }

    /// Commits what is left, closes the journal and says where it is.
    ///
    /// # Errors
    ///
    /// [`CliError::Runtime`] if a write failed: the run's sales are not all
    /// in the file.
    pub fn finish(&self, journal: Arc<DurableJournal>, sold: u64) -> Result<(), CliError> {
        let path = self.path.as_deref().unwrap_or(Path::new(DEFAULT_FILE));
        // Closing (when nothing else holds the journal) also ends the
        // writer's connection, which folds the WAL back into the file.
        let result = match Arc::try_unwrap(journal) {
            Ok(journal) => journal.close(),
            Err(shared) => ticketpool::Journal::flush(&*shared),
        };
        result.map_err(|err| CliError::Runtime(format!("{}: {err}", path.display())))?;
        eprintln!(
            "journal: {} ({sold} sales; list them with `ticketpool sales --journal {}`)",
            path.display(),
            path.display()
        );
        Ok(())
    }
}

/// A journal may be replaced; a file that is not one (another program's
/// database, a document, a damaged journal) may not.
fn check_replaceable(path: &Path) -> Result<(), CliError> {
    let refuse = |why: String| {
        CliError::Usage(format!(
            "{why}; not replacing it (choose another --journal FILE, or --no-journal)"
        ))
    };
    match std::fs::metadata(path) {
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(()),
        Err(err) => {
            return Err(CliError::Runtime(format!(
                "cannot use {} as the journal: {err}",
                path.display()
            )))
        }
        Ok(meta) if meta.is_dir() => {
            return Err(refuse(format!("{} is a directory", path.display())))
        }
        // SQLite starts every new database as an empty file.
        Ok(meta) if meta.len() == 0 => return Ok(()),
        Ok(_) => {}
    }
    match SqliteStore::open(path) {
        Ok(_) => Ok(()),
        Err(err) if is_bad_file(&err) => Err(refuse(err.to_string())),
        Err(err) => Err(runtime(err)),
    }
}

/// A file that is not a readable ticketpool journal: the user's input is
/// wrong (exit 2), as opposed to a failing disk or permission (exit 1).
pub fn is_bad_file(err: &PersistError) -> bool {
    matches!(
        err,
        PersistError::NotADatabase { .. }
            | PersistError::Foreign { .. }
            | PersistError::Corrupt { .. }
            | PersistError::SchemaTooNew { .. }
            | PersistError::BadRow { .. }
    )
}

fn runtime(err: PersistError) -> CliError {
    CliError::Runtime(err.to_string())
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
