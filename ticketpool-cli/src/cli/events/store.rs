//! Where `ticketpool events` keeps its catalog: the one function that
//! opens it, so the layout (one SQLite file holding the catalog and every
//! event's sales) changes in one place.

use std::ffi::OsString;
use std::io::ErrorKind;
use std::path::Path;

use ticketpool_catalog::{Catalog, CatalogOptions};
use ticketpool_persist::{
    catalog_offices, migrate_event_journals, Durability, JournalConfig, PersistError, SqliteStore,
};

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

/// Opens the catalog kept in the journal at `path`: its events and every
/// event's sales, in that one file. Event journals of the earlier layout
/// (`FILE-event-ID.db` beside it) are moved into it first and renamed
/// `FILE-event-ID.db.migrated`.
///
/// # Errors
///
/// [`CliError::Usage`] for a missing journal (with [`Access::Existing`]),
/// a directory, an empty or foreign or damaged file;
/// [`CliError::Runtime`] when the disk fails or an earlier event journal
/// cannot be moved in.
pub fn open_catalog(path: &Path, access: Access) -> Result<Catalog, CliError> {
    let shown = path.display();
    let created = vet(path, access)?;
    let store = SqliteStore::open(path).map_err(|err| persist_error(&err))?;
    migrate_earlier_layout(&store, path)?;
    // Every event's journal is a handle on the catalog's one connection.
    let journals = store.for_event(0);
    let offices = catalog_offices(
        move |id| Ok(journals.for_event(id.0)),
        JournalConfig::per_event(Durability::Confirmed),
    );
    let options = CatalogOptions {
        offices: Some(offices),
        ..CatalogOptions::default()
    };
    let catalog = Catalog::open_with(store, options).map_err(|err| catalog_error(path, &err))?;
    if created {
        eprintln!("created the catalog journal {shown}");
    }
    Ok(catalog)
}

/// Moves the earlier layout's `FILE-event-ID.db` journals beside `path`
/// into the catalog's file, saying so on stderr.
fn migrate_earlier_layout(store: &SqliteStore, path: &Path) -> Result<(), CliError> {
    let (Some(name), dir) = (path.file_name(), path.parent()) else {
        return Ok(());
    };
    let dir = match dir {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut prefix = OsString::from(name);
    prefix.push("-");
    // A name that is not UTF-8 cannot have been written with event files
    // this build can name either: nothing to move.
    let Some(prefix) = prefix.to_str() else {
        return Ok(());
    };
    let moved = migrate_event_journals(store, dir, prefix).map_err(|err| {
        CliError::Runtime(format!(
            "{}: cannot move the earlier per-event journals into it: {err}",
            path.display()
        ))
    })?;
    if moved > 0 {
        eprintln!(
            "moved {moved} event journal(s) into {} (the old files are kept as {prefix}event-ID.db.migrated)",
            path.display()
        );
    }
    Ok(())
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
