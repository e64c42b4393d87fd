//! [`CatalogClaim`]: one program at a time on a catalog directory.
//!
//! Every program that opens a [`CatalogDir`] sells from its own copy of
//! each event's inventory, so two of them on one directory (a
//! `ticketpool serve` and a Python script, say) would sell the same
//! tickets twice. The claim is an exclusive lock on `<dir>/catalog.lock`:
//! the operating system drops it with the process, so a killed program's
//! successor is never locked out, and no stale file needs cleaning up.
//!
//! [`CatalogDir`]: crate::CatalogDir

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::Path;

/// The lock file's name inside a catalog directory (empty: only its lock
/// matters).
pub const CLAIM_FILE: &str = "catalog.lock";

/// Proof that this process has a catalog directory to itself; dropping it
/// lets the next program in. See [`CatalogDir::claim`].
///
/// [`CatalogDir::claim`]: crate::CatalogDir::claim
#[derive(Debug)]
pub struct CatalogClaim {
    /// Never read: holding the locked file is the point.
    _locked: File,
}

/// Claims directory `dir` (created if missing); `Ok(None)` if a live
/// process, this one included, holds the claim already.
pub(crate) fn claim(dir: &Path) -> io::Result<Option<CatalogClaim>> {
    std::fs::create_dir_all(dir)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(CLAIM_FILE))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(CatalogClaim { _locked: file })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(error)) => Err(error),
    }
}
