//! Moving a catalog from the earlier layout, one journal file per event
//! (`event-<id>.db` in a catalog directory, `<FILE>-event-<id>.db` beside
//! the journal `ticketpool events` was given), into its one database.
//!
//! Each event file is copied in one transaction (see
//! `SqliteStore::adopt_journal`), then renamed `event-<id>.db.migrated`:
//! kept for whoever wants it, and no longer looked at. Interrupted
//! anywhere, a rerun gives the same result: before the rename, the file
//! is still there and its copy is redone from scratch (replacing a
//! committed earlier copy); after it, the file is done.

use std::path::{Path, PathBuf};

use ticketpool_catalog::{CatalogError, StoreError};

use crate::sqlite::SqliteStore;

/// What a migrated event file is renamed to: its name with this appended.
pub(crate) const MIGRATED: &str = ".migrated";

/// Copies every `<prefix>event-<id>.db` in `dir` into `store` (the
/// catalog's one database) as event `id`'s journal, and renames each once
/// copied (`.migrated` appended). Returns how many files were migrated.
///
/// A catalog directory ([`CatalogDir`](crate::CatalogDir)) does this on
/// every open with an empty `prefix`; `ticketpool events --journal FILE`
/// with `FILE`'s name and a `-`.
///
/// # Errors
///
/// [`CatalogError::Store`] if `dir` cannot be listed, a file cannot be
/// copied, or a file cannot be renamed (also when its `.migrated` name is
/// taken already). Files migrated before the error stay migrated; a rerun
/// carries on.
///
/// # Examples
///
/// ```
/// use ticketpool_persist::{migrate_event_journals, SqliteStore};
///
/// let tmp = tempfile::tempdir().unwrap();
/// let store = SqliteStore::open(tmp.path().join("sales.db")).unwrap();
/// // Nothing in the earlier layout here: nothing to do.
/// assert_eq!(migrate_event_journals(&store, tmp.path(), "sales.db-").unwrap(), 0);
/// ```
pub fn migrate_event_journals(
    store: &SqliteStore,
    dir: &Path,
    prefix: &str,
) -> Result<usize, CatalogError> {
    let files = event_files(dir, prefix)?;
    for (event, file) in &files {
        let (event, file) = (*event, file.as_path());
        store.adopt_journal(event, file).map_err(|e| {
            StoreError::with_source(format!("cannot migrate {}", file.display()), e)
        })?;
        retire(file).map_err(|e| {
            StoreError::with_source(format!("cannot rename the migrated {}", file.display()), e)
        })?;
    }
    Ok(files.len())
}

/// The earlier layout's event journals in `dir`, by event id.
fn event_files(dir: &Path, prefix: &str) -> Result<Vec<(u64, PathBuf)>, CatalogError> {
    let listing = std::fs::read_dir(dir).map_err(|e| {
        StoreError::with_source(format!("cannot list the directory {}", dir.display()), e)
    })?;
    let mut files = Vec::new();
    for entry in listing {
        let entry = entry.map_err(|e| {
            StoreError::with_source(format!("cannot list the directory {}", dir.display()), e)
        })?;
        let name = entry.file_name();
        let Some(id) = name.to_str().and_then(|name| event_id(name, prefix)) else {
            continue;
        };
        files.push((id, entry.path()));
    }
    files.sort();
    Ok(files)
}

/// `Some(id)` for a file named `<prefix>event-<id>.db`.
fn event_id(name: &str, prefix: &str) -> Option<u64> {
    let digits = name
        .strip_prefix(prefix)?
        .strip_prefix("event-")?
        .strip_suffix(".db")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Renames a copied journal out of the way. Its `-wal` is empty (opening
/// it to copy moved the WAL into the file) and its `-shm` is only an
/// index of that WAL, so both go; a `-wal` that somehow holds data is
/// renamed beside the file instead.
fn retire(file: &Path) -> std::io::Result<()> {
    let with = |suffix: &str| {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let target = with(MIGRATED);
    if target.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} exists already; move one of them away", target.display()),
        ));
    }
    std::fs::rename(file, &target)?;
    let wal = with("-wal");
    match std::fs::metadata(&wal) {
        Ok(meta) if meta.len() == 0 => std::fs::remove_file(&wal)?,
        Ok(_) => std::fs::rename(&wal, with(&format!("{MIGRATED}-wal")))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    match std::fs::remove_file(with("-shm")) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::event_id;

    #[test]
    fn only_event_journal_names_are_taken() {
        assert_eq!(event_id("event-12.db", ""), Some(12));
        assert_eq!(event_id("sales.db-event-12.db", "sales.db-"), Some(12));
        assert_eq!(event_id("event-12.db", "sales.db-"), None);
        assert_eq!(event_id("other.db-event-12.db", "sales.db-"), None);
        for other in [
            "event-12.db.migrated",
            "event-12.db-wal",
            "event-.db",
            "event-1x.db",
            "catalog.db",
            "event-99999999999999999999999.db",
        ] {
            assert_eq!(event_id(other, ""), None, "{other}");
        }
    }
}
