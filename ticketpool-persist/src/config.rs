//! How durable a journal is and how it groups commits.

use std::time::Duration;

use crate::error::PersistError;

/// When [`Journal::record`](ticketpool_core::Journal::record) returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Durability {
    /// After the record's group has committed (SQLite `synchronous=FULL`,
    /// PostgreSQL `synchronous_commit=on`): what real money needs. Group
    /// commit lets concurrent customers share one commit.
    Confirmed,
    /// At once; the record is committed within the group-commit bound
    /// ([`JournalConfig::max_delay`] plus one commit), and
    /// [`flush`](ticketpool_core::Journal::flush) waits for it. SQLite runs
    /// with `synchronous=NORMAL` (WAL survives a process crash, but a power
    /// loss can undo the last commits); PostgreSQL with
    /// `synchronous_commit=off`. If a commit fails, the next `record` or
    /// `flush` reports it and the journal stops.
    Batched,
}

/// A durable journal's settings.
///
/// Each has an upper bound ([`MAX_RECORDS`](Self::MAX_RECORDS),
/// [`MAX_DELAY`](Self::MAX_DELAY),
/// [`MAX_QUEUE_CAPACITY`](Self::MAX_QUEUE_CAPACITY)) that
/// [`validate`](Self::validate) (and so [`DurableJournal::start`](crate::DurableJournal::start))
/// enforces: past it a setting would only hold sales back or reserve memory
/// for nothing.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ticketpool_persist::{Durability, JournalConfig};
///
/// let config = JournalConfig::new(Durability::Confirmed)
///     .max_records(256)
///     .max_delay(Duration::from_millis(2));
/// assert!(config.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalConfig {
    /// When `record` returns.
    pub durability: Durability,
    /// The most records one transaction commits.
    pub max_records: usize,
    /// How long the writer keeps adding records that are already queued to
    /// an open group before it commits. The writer never waits idle for
    /// more: an empty queue commits at once.
    pub max_delay: Duration,
    /// How many records may wait for the writer; a full queue makes
    /// `record` wait (back-pressure instead of unbounded memory).
    pub queue_capacity: usize,
}

impl JournalConfig {
    /// The largest [`max_records`](Self::max_records): a bigger group
    /// commits no faster, and its buffers are sized by this.
    pub const MAX_RECORDS: usize = 100_000;
    /// The longest [`max_delay`](Self::max_delay): a group open longer holds
    /// every confirmed sale in it back for that long.
    pub const MAX_DELAY: Duration = Duration::from_secs(60);
    /// The largest [`queue_capacity`](Self::queue_capacity): the queue
    /// reserves its slots up front.
    pub const MAX_QUEUE_CAPACITY: usize = 1 << 22;

    /// Defaults for `durability`: groups of up to 1,000 records, 5 ms,
    /// a 65,536-record queue.
    pub fn new(durability: Durability) -> Self {
        Self {
            durability,
            max_records: 1_000,
            max_delay: Duration::from_millis(5),
            queue_capacity: 65_536,
        }
    }

    /// The queue of [`per_event`](Self::per_event) journals.
    pub const PER_EVENT_QUEUE_CAPACITY: usize = 1_024;

    /// Defaults for one of a catalog's many event journals: as
    /// [`new`](Self::new) but a 1,024-record queue. The queue reserves its
    /// slots up front (about 10 MB at 65,536): for a catalog of 1,000
    /// events that was gigabytes, and allocating it most of a reopen's
    /// CPU. A sale waits for room only when its event's writer is more
    /// than one full group behind.
    pub fn per_event(durability: Durability) -> Self {
        Self::new(durability).queue_capacity(Self::PER_EVENT_QUEUE_CAPACITY)
    }

    /// Sets [`max_records`](Self::max_records).
    #[must_use]
    pub fn max_records(mut self, max_records: usize) -> Self {
        self.max_records = max_records;
        self
    }

    /// Sets [`max_delay`](Self::max_delay).
    #[must_use]
    pub fn max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// Sets [`queue_capacity`](Self::queue_capacity).
    #[must_use]
    pub fn queue_capacity(mut self, queue_capacity: usize) -> Self {
        self.queue_capacity = queue_capacity;
        self
    }

    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`PersistError::Setting`] naming the first setting out of range:
    /// `max_records` or `queue_capacity` zero or above its bound,
    /// `max_delay` above [`MAX_DELAY`](Self::MAX_DELAY).
    pub fn validate(&self) -> Result<(), PersistError> {
        let refuse = |field, problem: String| Err(PersistError::Setting { field, problem });
        if !(1..=Self::MAX_RECORDS).contains(&self.max_records) {
            return refuse(
                "max_records",
                format!(
                    "is {}; it must be between 1 and {}",
                    self.max_records,
                    Self::MAX_RECORDS
                ),
            );
        }
        if self.max_delay > Self::MAX_DELAY {
            return refuse(
                "max_delay",
                format!(
                    "is {:?}; it must be at most {:?}",
                    self.max_delay,
                    Self::MAX_DELAY
                ),
            );
        }
        if !(1..=Self::MAX_QUEUE_CAPACITY).contains(&self.queue_capacity) {
            return refuse(
                "queue_capacity",
                format!(
                    "is {}; it must be between 1 and {}",
                    self.queue_capacity,
                    Self::MAX_QUEUE_CAPACITY
                ),
            );
        }
        Ok(())
    }
}

impl Default for JournalConfig {
    /// [`Durability::Confirmed`] with the defaults of [`JournalConfig::new`].
    fn default() -> Self {
        Self::new(Durability::Confirmed)
    }
}
