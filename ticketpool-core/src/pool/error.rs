//! The errors of the pool primitive.
//!
//! A failed release gives the item back inside the error, as crossbeam's
//! `TrySendError` does, so nothing is lost. `Debug` prints `Full(..)` rather
//! than the item, so `T` need not implement `Debug`.

use std::fmt;

/// Why a pool could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CapacityError {
    /// A pool must hold at least one item.
    #[error("pool capacity must be at least 1")]
    Zero,
    /// The capacity is past what the strategy can index or allocate.
    #[error("pool capacity {requested} is too large (the most is {max})")]
    TooLarge {
        /// The capacity asked for.
        requested: usize,
        /// The largest capacity this strategy accepts.
        max: usize,
    },
    /// The allocator could not provide the slots.
    #[error("could not allocate a pool of capacity {requested}")]
    AllocationFailed {
        /// The capacity asked for.
        requested: usize,
    },
}

/// A release (put) that did not happen; the item comes back to the caller.
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReleaseError<T> {
    /// The pool was full (only from `try_` forms).
    Full(T),
    /// The deadline passed while the pool stayed full.
    Timeout(T),
    /// The pool is closed.
    Closed(T),
}

impl<T> ReleaseError<T> {
    /// Gives the item back.
    pub fn into_inner(self) -> T {
        match self {
            Self::Full(item) | Self::Timeout(item) | Self::Closed(item) => item,
        }
    }

    /// `true` if the pool was full.
    pub fn is_full(&self) -> bool {
        matches!(self, Self::Full(_))
    }

    /// `true` if the deadline passed.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout(_))
    }

    /// `true` if the pool is closed.
    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Closed(_))
    }
}

impl<T> fmt::Debug for ReleaseError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("Full(..)"),
            Self::Timeout(_) => f.write_str("Timeout(..)"),
            Self::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for ReleaseError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Full(_) => "releasing into a full pool",
            Self::Timeout(_) => "timed out waiting for room in the pool",
            Self::Closed(_) => "releasing into a closed pool",
        })
    }
}

impl<T> std::error::Error for ReleaseError<T> {}

/// A take that returned no item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum TakeError {
    /// The pool was empty (only from `try_` forms).
    #[error("taking from an empty pool")]
    Empty,
    /// The deadline passed while the pool stayed empty.
    #[error("timed out waiting for an item")]
    Timeout,
    /// The pool is closed and drained.
    #[error("taking from a closed and empty pool")]
    Closed,
    /// An [`Interrupt`](crate::Interrupt) check stopped the wait.
    #[error("the wait for an item was interrupted")]
    Interrupted,
}
