//! The pool layer: two bounded pools with VIP-priority consumers, the trait
//! they share, the run-time choice between them (`strategy`, `dynamic`:
//! `Strategy` and `DynamicPool`), their typed handles and errors, the deadline wait and
//! the adaptive spin they share, and the loom shim they are built on. Nothing here knows about
//! tickets or the box office.

pub(crate) mod condvar;
pub(crate) mod deadline;
pub(crate) mod dynamic;
pub(crate) mod error;
pub(crate) mod handle;
pub(crate) mod lockfree;
pub(crate) mod primitive;
pub(crate) mod spin;
pub(crate) mod strategy;

use std::time::Instant;

use crate::pool::error::{CapacityError, ReleaseError, TakeError};

/// Which consumers are served first.
///
/// # The VIP rule
///
/// When an item becomes available while one or more VIP consumers are
/// waiting, a VIP gets it: a [`Regular`](Priority::Regular) consumer never
/// takes an item while a VIP consumer that started waiting before that item
/// was released is still waiting. When nobody waits, VIP and Regular take
/// alike. Regular consumers are only held back while VIPs wait, so they are
/// not starved once VIPs stop coming.
///
/// In a [`BoxOffice`](crate::BoxOffice) the rule holds across ticket types:
/// a Regular customer never takes a ticket while a VIP customer whose
/// [`Want`](crate::Want) overlaps its own (the same type, or either of them
/// wanting any type) started waiting before that ticket was released and
/// still waits. A VIP waiting for another type holds nobody back. An
/// [interruptible](crate::Interrupt) wait keeps its place in line while its
/// check runs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// Served first.
    Vip,
    /// Served when no VIP waits.
    Regular,
}

impl Priority {
    /// `"vip"` or `"regular"`: the one spelling the journal, tracing, the
    /// Python bindings and the CLI use.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Vip => "vip",
            Priority::Regular => "regular",
        }
    }
}

impl Priority {
    /// Both priorities, VIP first.
    pub const ALL: [Priority; 2] = [Priority::Vip, Priority::Regular];

    /// The priority spelled `name` by [`as_str`](Self::as_str), if any: the
    /// inverse the journal reads its rows with.
    ///
    /// ```
    /// use ticketpool_core::Priority;
    /// assert_eq!(Priority::from_name("vip"), Some(Priority::Vip));
    /// assert_eq!(Priority::from_name("VIP"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// A bounded multi-producer multi-consumer pool: the strategy behind the
/// [`Producer`](crate::Producer) and [`Consumer`](crate::Consumer) handles.
///
/// [`LockFreePool`](crate::LockFreePool) and
/// [`CondvarPool`](crate::CondvarPool) implement it with identical
/// semantics, so code generic over `P: BoundedPool` switches strategy by type
/// parameter. Most users go through the handles; the methods here are the
/// primitive operations they delegate to.
///
/// A `deadline` of `None` waits for as long as it takes. Every waiting
/// operation returns once [`close`](BoundedPool::close) is called.
pub trait BoundedPool: Send + Sync + Sized {
    /// What the pool holds.
    type Item: Send;

    /// A short name for reports and benchmarks (`"lockfree"`, `"condvar"`).
    const STRATEGY: &'static str;

    /// Builds an empty pool that holds at most `capacity` items.
    ///
    /// # Errors
    ///
    /// [`CapacityError`] for a capacity of 0, one past what the strategy can
    /// index, or one the allocator cannot provide.
    fn with_capacity(capacity: usize) -> Result<Self, CapacityError>;

    /// Puts `item` in if there is room, without waiting.
    ///
    /// # Errors
    ///
    /// `Full(item)` or `Closed(item)`: the item comes back.
    fn try_put(&self, item: Self::Item) -> Result<(), ReleaseError<Self::Item>>;

    /// Puts `item` in, waiting for room until `deadline`.
    ///
    /// # Errors
    ///
    /// `Timeout(item)` or `Closed(item)`: the item comes back.
    fn put_until(
        &self,
        item: Self::Item,
        deadline: Option<Instant>,
    ) -> Result<(), ReleaseError<Self::Item>>;

    /// Takes an item if one is there for a consumer of `priority`, without
    /// waiting.
    ///
    /// # Errors
    ///
    /// [`TakeError::Empty`], or [`TakeError::Closed`] once the pool is
    /// closed and drained.
    fn try_take(&self, priority: Priority) -> Result<Self::Item, TakeError>;

    /// Takes an item, waiting until `deadline`, with VIPs served first.
    ///
    /// # Errors
    ///
    /// [`TakeError::Timeout`], or [`TakeError::Closed`] once the pool is
    /// closed and drained.
    fn take_until(
        &self,
        priority: Priority,
        deadline: Option<Instant>,
    ) -> Result<Self::Item, TakeError>;

    /// Moves items from the front of `items` into the pool: waits until
    /// `deadline` for room for the first one (`Some(now)` or earlier does not
    /// wait), then moves as many more as fit without waiting. Returns how
    /// many moved; the rest stay in `items`, in order.
    ///
    /// The condvar pool does it under one lock acquisition; the lock-free
    /// pool claims each run of free slots with one CAS, so "as many more as
    /// fit" is the run of free slots after the first (the same thing unless
    /// another thread is mid-take).
    ///
    /// # Errors
    ///
    /// When none moved: `Full(())`, `Timeout(())` or `Closed(())`; every
    /// item is still in `items`.
    fn put_many(
        &self,
        items: &mut Vec<Self::Item>,
        deadline: Option<Instant>,
    ) -> Result<usize, ReleaseError<()>> {
        // Reversed, the front item is `pop`ped and a refused one pushed
        // back without touching the allocator: the caller's buffer keeps its
        // capacity, so a reused batch Vec never reallocates.
        items.reverse();
        let mut moved = 0;
        let result = loop {
            let Some(item) = items.pop() else {
                break Ok(moved);
            };
            let attempt = if moved == 0 {
                if deadline::passed(deadline) {
                    self.try_put(item)
                } else {
                    self.put_until(item, deadline)
                }
            } else {
                self.try_put(item)
            };
            match attempt {
                Ok(()) => moved += 1,
                Err(err) => {
                    let kind = err_kind(&err);
                    items.push(err.into_inner());
                    break if moved > 0 { Ok(moved) } else { Err(kind) };
                }
            }
        };
        items.reverse();
        result
    }

    /// Takes up to `max` items into `out`: waits until `deadline` for the
    /// first (`Some(now)` or earlier does not wait), then takes what else is
    /// there without waiting. Returns how many were taken.
    ///
    /// # Errors
    ///
    /// As [`take_until`](BoundedPool::take_until), when none was taken.
    fn take_many(
        &self,
        priority: Priority,
        max: usize,
        out: &mut Vec<Self::Item>,
        deadline: Option<Instant>,
    ) -> Result<usize, TakeError> {
        if max == 0 {
            return Ok(0);
        }
        let first = if deadline::passed(deadline) {
            self.try_take(priority)
        } else {
            self.take_until(priority, deadline)
        };
        out.push(first?);
        let mut taken = 1;
        while taken < max {
            match self.try_take(priority) {
                Ok(item) => {
                    out.push(item);
                    taken += 1;
                }
                Err(_) => break,
            }
        }
        Ok(taken)
    }

    /// Closes the pool and wakes every waiter. Producers get their items back
    /// with `Closed`; consumers drain what is left, then get `Closed`.
    /// Returns `true` if this call closed it.
    fn close(&self) -> bool;

    /// `true` once [`close`](BoundedPool::close) has been called.
    fn is_closed(&self) -> bool;

    /// The most items the pool holds at once.
    fn capacity(&self) -> usize;

    /// How many items are in the pool now (a snapshot under concurrency).
    fn len(&self) -> usize;

    /// `true` if no item is in the pool now.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `true` if the pool is at capacity now.
    fn is_full(&self) -> bool {
        self.len() >= self.capacity()
    }

    /// How many consumers of `priority` are waiting for an item.
    fn waiting_consumers(&self, priority: Priority) -> usize;

    /// How many producers are waiting for room.
    fn waiting_producers(&self) -> usize;

    /// How many items have been put in since construction.
    fn put_count(&self) -> u64;

    /// How many items have been taken out since construction.
    fn taken_count(&self) -> u64;
}

fn err_kind<T>(err: &ReleaseError<T>) -> ReleaseError<()> {
    match err {
        ReleaseError::Full(_) => ReleaseError::Full(()),
        ReleaseError::Timeout(_) => ReleaseError::Timeout(()),
        ReleaseError::Closed(_) => ReleaseError::Closed(()),
    }
}
