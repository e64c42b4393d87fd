//! The journal behind `simulate`: a fresh SQLite file per run, replacing
//! an earlier ticketpool journal but never another kind of file, and
//! never while another run writes it.

mod file;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ticketpool_persist::{Durability, DurableJournal, JournalConfig, PersistError, SqliteStore};

use super::args::{DurabilityArg, SimulateArgs};
use super::CliError;

/// Where the default run keeps its journal.
pub const DEFAULT_FILE: &str = "ticketpool.db";

/// Whether and where a run is journaled.
#[derive(Debug)]
pub struct Choice {
    path: Option<PathBuf>,
    durability: Durability,
    /// The open journal's file and lock, from `open` until `finish` has
    /// closed the journal (or the run ends).
    claim: Mutex<Option<file::Claim>>,
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
        Self {
            path,
            durability,
            claim: Mutex::new(None),
        }
    }

    /// The journal's file, `None` with `--no-journal`.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// A fresh, empty journal for one run, or `None` with `--no-journal`.
    ///
    /// # Errors
    ///
    /// [`CliError::Usage`] if the file is something other than a ticketpool
    /// journal (it is left untouched); [`CliError::Runtime`] if another run
    /// holds it or it cannot be replaced or created.
    pub fn open(&self) -> Result<Option<Arc<DurableJournal>>, CliError> {
        let Some(path) = &self.path else {
            return Ok(None);
        };
        // A --compare run's earlier journal is closed by now: let it go.
        drop(self.claim.lock().unwrap_or_else(|e| e.into_inner()).take());
        let claim = file::Claim::take(path)?;
        claim.reset()?;
        let store = SqliteStore::open_vetted(claim.resolved(), || claim.is_at_resolved())
            .map_err(runtime)?;
        let journal =
            DurableJournal::start(store, JournalConfig::new(self.durability)).map_err(runtime)?;
        *self.claim.lock().unwrap_or_else(|e| e.into_inner()) = Some(claim);
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
            Ok(journal) => {
                let closed = journal.close();
                // Only now, with SQLite's connection gone, may the file go.
                drop(self.claim.lock().unwrap_or_else(|e| e.into_inner()).take());
                closed
            }
            Err(shared) => ticketpool_core::Journal::flush(&*shared),
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
