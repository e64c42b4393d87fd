//! A pool whose strategy is chosen at run time: the one place that
//! dispatches between [`LockFreePool`] and [`CondvarPool`] for callers that
//! read the strategy from a configuration or a user (the box office, the
//! Python bindings).
//!
//! Each operation is one `match` on a two-variant enum that holds the pool
//! inline: no boxing, no `dyn`, and each arm calls the concrete pool's
//! method, so the hot path costs one predictable branch.

use std::fmt;
use std::time::Instant;

use crate::pool::strategy::Strategy;

use crate::pool::condvar::CondvarPool;
use crate::pool::deadline::Interrupt;
use crate::pool::error::{CapacityError, ReleaseError, TakeError};
use crate::pool::lockfree::LockFreePool;
use crate::pool::{BoundedPool, Priority};

/// A bounded pool of either strategy, chosen at run time by a [`Strategy`].
///
/// It has the operations of [`BoundedPool`] as inherent methods, with the
/// same semantics as the pool it wraps (see [`LockFreePool`] and
/// [`CondvarPool`]); it does not implement the trait itself, since its
/// strategy is a value rather than part of its type. Code that knows its
/// strategy at compile time should use the concrete pool.
///
/// # Examples
///
/// ```
/// use ticketpool_core::{DynamicPool, Priority, Strategy, TakeError};
///
/// // Typically read from a configuration or a command line.
/// let strategy = Strategy::Condvar;
/// let pool = DynamicPool::with_capacity(strategy, 2).unwrap();
/// assert_eq!(pool.strategy(), Strategy::Condvar);
///
/// pool.try_put("A1").unwrap();
/// pool.put_until("A2", None).unwrap();
/// assert!(pool.try_put("A3").is_err()); // full: the item comes back
/// assert_eq!(pool.try_take(Priority::Vip), Ok("A1"));
/// pool.close();
/// assert_eq!(pool.take_until(Priority::Regular, None), Ok("A2"));
/// assert_eq!(pool.try_take(Priority::Regular), Err(TakeError::Closed));
/// ```
// The pool is held inline: boxing the cache-padded lock-free pool would add
// a pointer chase to every operation to save a few hundred bytes.
#[allow(clippy::large_enum_variant)]
pub enum DynamicPool<T> {
    /// A [`LockFreePool`].
    LockFree(LockFreePool<T>),
    /// A [`CondvarPool`].
    Condvar(CondvarPool<T>),
}

/// Runs `$call` with `$pool` bound to whichever pool `$self` holds, so each
/// operation is written once and monomorphised per strategy.
macro_rules! dispatch {
    ($self:expr, $pool:ident => $call:expr) => {
        match $self {
            DynamicPool::LockFree($pool) => $call,
            DynamicPool::Condvar($pool) => $call,
        }
    };
}

impl<T: Send> DynamicPool<T> {
    /// Builds an empty pool of `strategy` that holds at most `capacity`
    /// items.
    ///
    /// # Errors
    ///
    /// As the strategy's [`BoundedPool::with_capacity`]: [`CapacityError`]
    /// for a capacity of 0, too large, or one the allocator cannot provide.
    pub fn with_capacity(strategy: Strategy, capacity: usize) -> Result<Self, CapacityError> {
        Ok(match strategy {
            Strategy::LockFree => Self::LockFree(LockFreePool::with_capacity(capacity)?),
            Strategy::Condvar => Self::Condvar(CondvarPool::with_capacity(capacity)?),
        })
    }

    /// The strategy this pool was built with.
    pub fn strategy(&self) -> Strategy {
        match self {
            Self::LockFree(_) => Strategy::LockFree,
            Self::Condvar(_) => Strategy::Condvar,
        }
    }

    /// As [`BoundedPool::try_put`].
    ///
    /// # Errors
    ///
    /// `Full(item)` or `Closed(item)`: the item comes back.
    pub fn try_put(&self, item: T) -> Result<(), ReleaseError<T>> {
        dispatch!(self, p => p.try_put(item))
    }

    /// As [`BoundedPool::put_until`].
    ///
    /// # Errors
    ///
    /// `Timeout(item)` or `Closed(item)`: the item comes back.
    pub fn put_until(&self, item: T, deadline: Option<Instant>) -> Result<(), ReleaseError<T>> {
        dispatch!(self, p => p.put_until(item, deadline))
    }

    /// As [`BoundedPool::try_take`].
    ///
    /// # Errors
    ///
    /// [`TakeError::Empty`], or [`TakeError::Closed`] once the pool is
    /// closed and drained.
    pub fn try_take(&self, priority: Priority) -> Result<T, TakeError> {
        dispatch!(self, p => p.try_take(priority))
    }

    /// As [`BoundedPool::take_until`].
    ///
    /// # Errors
    ///
    /// [`TakeError::Timeout`], or [`TakeError::Closed`] once the pool is
    /// closed and drained.
    pub fn take_until(
        &self,
        priority: Priority,
        deadline: Option<Instant>,
    ) -> Result<T, TakeError> {
        dispatch!(self, p => p.take_until(priority, deadline))
    }

    /// As [`take_until`](Self::take_until), running `interrupt`'s check
    /// every slice of the wait, with the consumer still registered (a VIP
    /// keeps its place ahead of Regulars) and no lock of the pool held.
    ///
    /// # Errors
    ///
    /// As [`take_until`](Self::take_until), plus [`TakeError::Interrupted`]
    /// when the check says stop.
    pub fn take_interruptible(
        &self,
        priority: Priority,
        deadline: Option<Instant>,
        interrupt: &Interrupt<'_>,
    ) -> Result<T, TakeError> {
        dispatch!(self, p => p.take_interruptible(priority, deadline, interrupt))
    }

    /// As [`BoundedPool::put_many`].
    ///
    /// # Errors
    ///
    /// When none moved: `Full(())`, `Timeout(())` or `Closed(())`; every
    /// item is still in `items`.
    pub fn put_many(
        &self,
        items: &mut Vec<T>,
        deadline: Option<Instant>,
    ) -> Result<usize, ReleaseError<()>> {
        dispatch!(self, p => p.put_many(items, deadline))
    }

    /// As [`BoundedPool::take_many`].
    ///
    /// # Errors
    ///
    /// As [`take_until`](DynamicPool::take_until), when none was taken.
    pub fn take_many(
        &self,
        priority: Priority,
        max: usize,
        out: &mut Vec<T>,
        deadline: Option<Instant>,
    ) -> Result<usize, TakeError> {
        dispatch!(self, p => p.take_many(priority, max, out, deadline))
    }

    /// As [`BoundedPool::close`]: `true` if this call closed it.
    pub fn close(&self) -> bool {
        dispatch!(self, p => p.close())
    }

    /// As [`BoundedPool::is_closed`].
    pub fn is_closed(&self) -> bool {
        dispatch!(self, p => p.is_closed())
    }

    /// As [`BoundedPool::capacity`].
    pub fn capacity(&self) -> usize {
        dispatch!(self, p => p.capacity())
    }

    /// As [`BoundedPool::len`].
    pub fn len(&self) -> usize {
        dispatch!(self, p => p.len())
    }

    /// As [`BoundedPool::is_empty`].
    pub fn is_empty(&self) -> bool {
        dispatch!(self, p => p.is_empty())
    }

    /// As [`BoundedPool::is_full`].
    pub fn is_full(&self) -> bool {
        dispatch!(self, p => p.is_full())
    }

    /// As [`BoundedPool::waiting_consumers`].
    pub fn waiting_consumers(&self, priority: Priority) -> usize {
        dispatch!(self, p => p.waiting_consumers(priority))
    }

    /// As [`BoundedPool::waiting_producers`].
    pub fn waiting_producers(&self) -> usize {
        dispatch!(self, p => p.waiting_producers())
    }

    /// As [`BoundedPool::put_count`].
    pub fn put_count(&self) -> u64 {
        dispatch!(self, p => p.put_count())
    }

    /// As [`BoundedPool::taken_count`].
    pub fn taken_count(&self) -> u64 {
        dispatch!(self, p => p.taken_count())
    }
}

impl<T> fmt::Debug for DynamicPool<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        dispatch!(self, p => p.fmt(f))
    }
}

#[cfg(all(test, not(ticketpool_loom)))]
mod tests {
    use std::sync::Arc;
    use std::thread;
    use std::time::{Duration, Instant};

    use super::{DynamicPool, Strategy};
    use crate::pool::error::{CapacityError, ReleaseError, TakeError};
    use crate::pool::Priority;

    const BOTH: [Strategy; 2] = [Strategy::LockFree, Strategy::Condvar];

    #[test]
    fn builds_the_strategy_asked_for() {
        for strategy in BOTH {
            let pool = DynamicPool::<u32>::with_capacity(strategy, 3).unwrap();
            assert_eq!(pool.strategy(), strategy);
            assert_eq!(pool.capacity(), 3);
            assert!(format!("{pool:?}").contains(match strategy {
                Strategy::LockFree => "LockFreePool",
                Strategy::Condvar => "CondvarPool",
            }));
            assert_eq!(
                DynamicPool::<u32>::with_capacity(strategy, 0).unwrap_err(),
                CapacityError::Zero
            );
        }
    }

    #[test]
    fn every_operation_reaches_the_pool() {
        for strategy in BOTH {
            let pool = DynamicPool::with_capacity(strategy, 2).unwrap();
            assert!(pool.is_empty());
            pool.try_put(1).unwrap();
            pool.put_until(2, Some(Instant::now())).unwrap();
            assert!(pool.is_full());
            assert_eq!(pool.len(), 2);
            assert_eq!(pool.try_put(3), Err(ReleaseError::Full(3)));
            assert_eq!(
                pool.put_until(3, Some(Instant::now() + Duration::from_millis(5))),
                Err(ReleaseError::Timeout(3))
            );
            let mut out = Vec::new();
            assert_eq!(pool.take_many(Priority::Vip, 5, &mut out, None), Ok(2));
            assert_eq!(out, [1, 2]);
            assert_eq!(pool.try_take(Priority::Regular), Err(TakeError::Empty));
            let mut items = vec![4, 5, 6];
            assert_eq!(pool.put_many(&mut items, None), Ok(2));
            assert_eq!(items, [6]);
            assert_eq!(pool.take_until(Priority::Regular, None), Ok(4));
            assert_eq!((pool.put_count(), pool.taken_count()), (4, 3));
            assert!(pool.close());
            assert!(pool.is_closed());
            assert_eq!(pool.try_put(7), Err(ReleaseError::Closed(7)));
            assert_eq!(pool.try_take(Priority::Regular), Ok(5));
            assert_eq!(
                pool.take_until(Priority::Vip, Some(Instant::now())),
                Err(TakeError::Closed)
            );
        }
    }

    #[test]
    fn counts_waiters() {
        for strategy in BOTH {
            let pool = Arc::new(DynamicPool::<u32>::with_capacity(strategy, 1).unwrap());
            let vip = {
                let pool = Arc::clone(&pool);
                thread::spawn(move || pool.take_until(Priority::Vip, None))
            };
            while pool.waiting_consumers(Priority::Vip) == 0 {
                thread::yield_now();
            }
            pool.try_put(9).unwrap();
            assert_eq!(vip.join().unwrap(), Ok(9));
            pool.try_put(10).unwrap();
            let producer = {
                let pool = Arc::clone(&pool);
                thread::spawn(move || pool.put_until(11, None))
            };
            while pool.waiting_producers() == 0 {
                thread::yield_now();
            }
            pool.close();
            assert_eq!(producer.join().unwrap(), Err(ReleaseError::Closed(11)));
        }
    }
}
