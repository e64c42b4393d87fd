//! Typed handles: a [`Producer`] can only release, a [`Consumer`] can only
//! take and carries its [`Priority`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::pool::error::{ReleaseError, TakeError};
use crate::pool::{BoundedPool, Priority};

/// A vendor's side of a pool: it releases items and nothing else.
///
/// Cheap to clone; clones share the pool.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use ticketpool_core::{BoundedPool, CondvarPool, Producer, ReleaseError};
///
/// let pool = Arc::new(CondvarPool::with_capacity(1).unwrap());
/// let vendor = Producer::new(pool);
/// vendor.release("A1").unwrap();
/// // Full: the ticket comes back inside the error.
/// assert_eq!(vendor.try_release("A2"), Err(ReleaseError::Full("A2")));
/// ```
pub struct Producer<P> {
    pool: Arc<P>,
}

/// A customer's side of a pool: it takes items, served by its [`Priority`].
///
/// Cheap to clone; clones share the pool and the priority.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use ticketpool_core::{BoundedPool, Consumer, LockFreePool, Priority, TakeError};
///
/// let pool = Arc::new(LockFreePool::<u32>::with_capacity(8).unwrap());
/// let customer = Consumer::new(pool, Priority::Regular);
/// assert_eq!(customer.take_timeout(Duration::from_millis(1)), Err(TakeError::Timeout));
/// ```
pub struct Consumer<P> {
    pool: Arc<P>,
    priority: Priority,
}

impl<P: BoundedPool> Producer<P> {
    /// A producer handle on `pool`.
    pub fn new(pool: Arc<P>) -> Self {
        Self { pool }
    }

    /// Releases `item`, waiting while the pool is full.
    ///
    /// # Errors
    ///
    /// `Closed(item)` if the pool is or becomes closed.
    pub fn release(&self, item: P::Item) -> Result<(), ReleaseError<P::Item>> {
        self.pool.put_until(item, None)
    }

    /// Releases `item` if there is room now.
    ///
    /// # Errors
    ///
    /// `Full(item)` or `Closed(item)`.
    pub fn try_release(&self, item: P::Item) -> Result<(), ReleaseError<P::Item>> {
        self.pool.try_put(item)
    }

    /// Releases `item`, waiting at most `timeout` for room.
    ///
    /// # Errors
    ///
    /// `Timeout(item)` or `Closed(item)`.
    pub fn release_timeout(
        &self,
        item: P::Item,
        timeout: Duration,
    ) -> Result<(), ReleaseError<P::Item>> {
        self.pool.put_until(item, deadline_after(timeout))
    }

    /// Releases `item`, waiting for room until `deadline`.
    ///
    /// # Errors
    ///
    /// `Timeout(item)` or `Closed(item)`.
    pub fn release_deadline(
        &self,
        item: P::Item,
        deadline: Instant,
    ) -> Result<(), ReleaseError<P::Item>> {
        self.pool.put_until(item, Some(deadline))
    }

    /// Releases items from the front of `items`, waiting for room for the
    /// first and moving as many as fit; see [`BoundedPool::put_many`].
    ///
    /// # Errors
    ///
    /// `Closed(())` when none moved; the items stay in `items`.
    pub fn release_many(&self, items: &mut Vec<P::Item>) -> Result<usize, ReleaseError<()>> {
        self.pool.put_many(items, None)
    }

    /// Like [`release_many`](Self::release_many) without waiting.
    ///
    /// # Errors
    ///
    /// `Full(())` or `Closed(())` when none moved.
    pub fn try_release_many(&self, items: &mut Vec<P::Item>) -> Result<usize, ReleaseError<()>> {
        self.pool.put_many(items, Some(Instant::now()))
    }

    /// Like [`release_many`](Self::release_many), waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// `Timeout(())` or `Closed(())` when none moved.
    pub fn release_many_timeout(
        &self,
        items: &mut Vec<P::Item>,
        timeout: Duration,
    ) -> Result<usize, ReleaseError<()>> {
        self.pool.put_many(items, deadline_after(timeout))
    }

    /// The pool this handle releases into.
    pub fn pool(&self) -> &Arc<P> {
        &self.pool
    }
}

impl<P: BoundedPool> Consumer<P> {
    /// A consumer handle on `pool`, served as `priority`.
    pub fn new(pool: Arc<P>, priority: Priority) -> Self {
        Self { pool, priority }
    }

    /// This consumer's priority.
    pub fn priority(&self) -> Priority {
        self.priority
    }

    /// Takes an item, waiting while the pool is empty.
    ///
    /// # Errors
    ///
    /// [`TakeError::Closed`] once the pool is closed and drained.
    pub fn take(&self) -> Result<P::Item, TakeError> {
        self.pool.take_until(self.priority, None)
    }

    /// Takes an item if one is there now.
    ///
    /// # Errors
    ///
    /// [`TakeError::Empty`] or [`TakeError::Closed`].
    pub fn try_take(&self) -> Result<P::Item, TakeError> {
        self.pool.try_take(self.priority)
    }

    /// Takes an item, waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`TakeError::Timeout`] or [`TakeError::Closed`].
    pub fn take_timeout(&self, timeout: Duration) -> Result<P::Item, TakeError> {
        self.pool.take_until(self.priority, deadline_after(timeout))
    }

    /// Takes an item, waiting until `deadline`.
    ///
    /// # Errors
    ///
    /// [`TakeError::Timeout`] or [`TakeError::Closed`].
    pub fn take_deadline(&self, deadline: Instant) -> Result<P::Item, TakeError> {
        self.pool.take_until(self.priority, Some(deadline))
    }

    /// Takes up to `max` items into `out`, waiting for the first; see
    /// [`BoundedPool::take_many`].
    ///
    /// # Errors
    ///
    /// [`TakeError::Closed`] when none was taken.
    pub fn take_many(&self, max: usize, out: &mut Vec<P::Item>) -> Result<usize, TakeError> {
        self.pool.take_many(self.priority, max, out, None)
    }

    /// Like [`take_many`](Self::take_many) without waiting.
    ///
    /// # Errors
    ///
    /// [`TakeError::Empty`] or [`TakeError::Closed`] when none was taken.
    pub fn try_take_many(&self, max: usize, out: &mut Vec<P::Item>) -> Result<usize, TakeError> {
        self.pool
            .take_many(self.priority, max, out, Some(Instant::now()))
    }

    /// Like [`take_many`](Self::take_many), waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`TakeError::Timeout`] or [`TakeError::Closed`] when none was taken.
    pub fn take_many_timeout(
        &self,
        max: usize,
        out: &mut Vec<P::Item>,
        timeout: Duration,
    ) -> Result<usize, TakeError> {
        self.pool
            .take_many(self.priority, max, out, deadline_after(timeout))
    }

    /// The pool this handle takes from.
    pub fn pool(&self) -> &Arc<P> {
        &self.pool
    }
}

/// The deadline `timeout` from now; a timeout too long to add is clamped.
fn deadline_after(timeout: Duration) -> Option<Instant> {
    Some(
        Instant::now()
            .checked_add(timeout)
            .unwrap_or_else(far_future),
    )
}

fn far_future() -> Instant {
    // About 30 years: longer than any process runs, short enough to add.
    Instant::now() + Duration::from_secs(60 * 60 * 24 * 365 * 30)
}

impl<P> Clone for Producer<P> {
    fn clone(&self) -> Self {
        Self {
            pool: Arc::clone(&self.pool),
        }
    }
}

impl<P> Clone for Consumer<P> {
    fn clone(&self) -> Self {
        Self {
            pool: Arc::clone(&self.pool),
            priority: self.priority,
        }
    }
}

impl<P> fmt::Debug for Producer<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Producer").finish_non_exhaustive()
    }
}

impl<P> fmt::Debug for Consumer<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer")
            .field("priority", &self.priority)
            .finish_non_exhaustive()
    }
}
