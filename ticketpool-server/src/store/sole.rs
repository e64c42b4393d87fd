//! [`SoleServer`]: one `serve` at a time on a catalog's home. Each server
//! sells from its own copy of every event's inventory, so a second one on
//! the same data directory or PostgreSQL schema would sell the same
//! tickets again. Refused until several nodes can share an event through
//! ticket leases (issue 18). A data directory's lock is the catalog's own
//! claim ([`CatalogDir::claim`]), which the Python bindings take too. Both
//! locks go with the process, so a killed server's successor is never
//! locked out.

use std::path::Path;
use std::sync::Mutex;

use ticketpool_persist::{CatalogDir, CatalogPg};

use super::StateError;

/// Held for the server's life; dropping it lets the next server in.
pub(crate) struct SoleServer {
    /// What holds the lock: the locked file, or the connection holding the
    /// advisory lock (in a mutex only so the state stays `Sync`). Never
    /// read: holding it is the point.
    _held: Box<dyn std::any::Any + Send + Sync>,
}

impl SoleServer {
    /// Locks data directory `dir` (created beforehand); `Ok(None)` if
    /// another live server holds it.
    pub(crate) fn claim_dir(dir: &Path) -> std::io::Result<Option<Self>> {
        Ok(CatalogDir::new(dir).claim()?.map(|claim| Self {
            _held: Box::new(claim),
        }))
    }

    /// Locks `home`'s schema; `Ok(None)` if another live server holds it.
    pub(crate) fn claim_schema(home: &CatalogPg) -> Result<Option<Self>, StateError> {
        let mut client = home.connect()?;
        let row = client.query_one(
            "SELECT pg_try_advisory_lock(hashtext($1 || '.serve'))",
            &[&home.schema()],
        )?;
        Ok(row.get::<_, bool>(0).then(|| Self {
            _held: Box::new(Mutex::new(client)),
        }))
    }
}
