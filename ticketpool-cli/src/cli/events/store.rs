//! Where `ticketpool events` keeps its catalog: the one function that
//! opens it, so the layout (today a journal per event next to the
//! catalog's file) changes in one place.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ticketpool_catalog::{Catalog, CatalogOptions};
use ticketpool_persist::{catalog_offices, Durability, JournalConfig, PersistError, SqliteStore};

use super::errors::catalog_error;
use crate::cli::journal::is_bad_file;
use crate::cli::CliError;

/// Whether opening may create the journal: only commands that add to the
/// catalog do, and only at the path the user named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The journal must exist.
    Existing,
    /// A missing journal is created.
    CreateIfMissing,
}

/// Opens the catalog kept in the journal at `path`, each event's office on
/// its own journal (see [`event_journal`]).
///
/// # Errors
///
/// [`CliError::Usage`] for a missing journal (with [`Access::Existing`]),
/// a directory, an empty or foreign or damaged file, or a missing event
/// journal; [`CliError::Runtime`] when the disk fails.
pub fn open_catalog(path: &Path, access: Access) -> Result<Catalog, CliError> {
    let shown = path.display();
    let created = vet(path, access)?;
    let store = SqliteStore::open(path).map_err(|err| persist_error(&err))?;
    // While reopening, every event with an office must find its journal:
    // creating an empty one would silently forget its sales. Afterwards a
    // journal is created when an event goes on sale.
    let reopening = Arc::new(AtomicBool::new(true));
    let offices = {
        let (catalog, reopening) = (path.to_path_buf(), Arc::clone(&reopening));
        catalog_offices(
            move |id| {
                let file = event_journal(&catalog, id.0);
                if reopening.load(Ordering::Acquire) && !file.exists() {
                    return Err(PersistError::Open {
                        location: file.display().to_string(),
                        source: "the journal of this event is missing".into(),
                    });
                }
                SqliteStore::open(file)
            },
            JournalConfig::per_event(Durability::Confirmed),
        )
    };
    let options = CatalogOptions {
        offices: Some(offices),
        ..CatalogOptions::default()
    };
    let catalog = Catalog::open_with(store, options).map_err(|err| catalog_error(path, &err))?;
    reopening.store(false, Ordering::Release);
    if created {
        eprintln!("created the catalog journal {shown}");
    }
    Ok(catalog)
}

/// The journal of event `id`'s sales: `FILE-event-ID.db` beside the
/// catalog's `FILE`.
pub fn event_journal(catalog: &Path, id: u64) -> PathBuf {
    let mut name = catalog.as_os_str().to_owned();
    name.push(format!("-event-{id}.db"));
    PathBuf::from(name)
}

/// Checks what is at `path` before SQLite opens (and maybe creates) it;
/// `true` if it will be created.
fn vet(path: &Path, access: Access) -> Result<bool, CliError> {
    let shown = path.display();
    match std::fs::metadata(path) {
        Err(err) if err.kind() == ErrorKind::NotFound => match access {
            Access::CreateIfMissing => Ok(true),
            Access::Existing => Err(CliError::Usage(format!(
                "{shown}: no such journal (`ticketpool events --journal {shown} add FILE` \
                 creates one)"
            ))),
        },
        Err(err) => Err(CliError::Runtime(format!(
            "{shown}: cannot read the journal: {err}"
        ))),
        Ok(meta) if meta.is_dir() => Err(CliError::Usage(format!(
            "{shown}: a directory, not a journal"
        ))),
        Ok(meta) if !meta.is_file() => Err(CliError::Usage(format!(
            "{shown}: not a regular file, not a journal"
        ))),
        Ok(meta) if meta.len() == 0 => Err(CliError::Usage(format!(
            "{shown}: not a ticketpool journal: the file is empty"
        ))),
        Ok(_) => Ok(false),
    }
}

fn persist_error(err: &PersistError) -> CliError {
    if is_bad_file(err) {
        CliError::Usage(err.to_string())
    } else {
        CliError::Runtime(err.to_string())
    }
}
