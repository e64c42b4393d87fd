//! [`SoleServer`]: one `serve` at a time on a catalog's home. Each server
//! sells from its own copy of every event's inventory, so a second one on
//! the same data directory or PostgreSQL schema would sell the same
//! tickets again. Lease nodes (`--lease-node`) share one schema instead,
//! selling every event from the ticket leases: one server per (schema,
//! node name), and never beside a server that sells from the journals. A
//! data directory's lock is the catalog's own claim
//! ([`CatalogDir::claim`]), which the Python bindings take too. The locks
//! go with the process, so a killed server's successor is never
//! locked out.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ticketpool_persist::{CatalogDir, CatalogPg};

use super::StateError;

/// How long a schema's lock is tried for before another server counts as
/// running.
const CLAIM_PATIENCE: Duration = Duration::from_secs(3);

/// The pause between two tries.
const CLAIM_RETRY: Duration = Duration::from_millis(50);

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
    /// A lease node shares the schema's lock with the other lease nodes
    /// (a server selling from the journals holds it alone) and holds its
    /// node name's alone. Both on one connection: a refusal closes it,
    /// letting go of the one that was taken.
    ///
    /// A server killed just now may still hold it for a moment (PostgreSQL
    /// ends its session once it sees the connection gone): a refusal is
    /// retried for up to [`CLAIM_PATIENCE`] before it counts.
    pub(crate) fn claim_schema(home: &CatalogPg) -> Result<Option<Self>, StateError> {
        let mut client = home.connect()?;
        let deadline = Instant::now() + CLAIM_PATIENCE;
        loop {
            let row = match home.lease_node() {
                None => client.query_one(
                    "SELECT pg_try_advisory_lock(hashtext($1 || '.serve'))",
                    &[&home.schema()],
                )?,
                Some(node) => client.query_one(
                    "SELECT pg_try_advisory_lock_shared(hashtext($1 || '.serve')) \
                         AND pg_try_advisory_lock(hashtext($1 || '.serve.node.' || $2))",
                    &[&home.schema(), &node],
                )?,
            };
            if row.get::<_, bool>(0) {
                return Ok(Some(Self {
                    _held: Box::new(Mutex::new(client)),
                }));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            // Whichever of the two was taken goes before the next try.
            client.batch_execute("SELECT pg_advisory_unlock_all()")?;
            std::thread::sleep(CLAIM_RETRY);
        }
    }
}
