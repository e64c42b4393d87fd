//! `ticketpool`: an embeddable real-time ticketing engine.
//!
//! This is the facade crate: it only re-exports. The pools and the box
//! office ([`ticketpool_core`]) are always here, at the top level; the
//! catalog of events with its search is [`catalog`] (feature `catalog`,
//! which `persist` brings); the durable journal and catalog store is
//! [`persist`] (feature `persist`, on by default; add `postgres` for
//! PostgreSQL storage) and the simulator is `sim` (feature `sim`). With `default-features = false` a dependent builds core alone.
//!
//! ```
//! use std::sync::Arc;
//! use ticketpool::{BoundedPool, Consumer, LockFreePool, Priority, Producer};
//!
//! let pool = Arc::new(LockFreePool::with_capacity(4).unwrap());
//! let vendor = Producer::new(Arc::clone(&pool));
//! let customer = Consumer::new(pool, Priority::Vip);
//! vendor.release(7_u32).unwrap();
//! assert_eq!(customer.take(), Ok(7));
//! ```

pub use ticketpool_core::*;

/// The catalog: events, venues and performers, each event's box office,
/// "popular now" and full-text search. See [`ticketpool_catalog`].
#[cfg(feature = "catalog")]
pub use ticketpool_catalog as catalog;

/// The durable journal: SQLite (and PostgreSQL with the `postgres`
/// feature), group commit, crash recovery. See [`ticketpool_persist`].
#[cfg(feature = "persist")]
pub use ticketpool_persist as persist;

/// The simulator: vendors and customers on real threads against a box
/// office. See `ticketpool_sim`.
#[cfg(feature = "sim")]
pub use ticketpool_sim as sim;
