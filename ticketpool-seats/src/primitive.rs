//! The synchronization primitives the seat states use.
//!
//! Under `--cfg ticketpool_loom` they come from loom, so the loom model in
//! `tests/loom_seats.rs` explores every interleaving of the real claim and
//! release code; otherwise std's atomics and parking_lot's `Mutex`. Nothing
//! else in the crate imports `std::sync::atomic` or `parking_lot` directly.

#[cfg(not(ticketpool_loom))]
mod imp {
    pub(crate) use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

    /// parking_lot's mutex: no poisoning, so `lock` returns the guard.
    pub(crate) type Mutex<T> = parking_lot::Mutex<T>;
}

#[cfg(ticketpool_loom)]
mod imp {
    pub(crate) use loom::sync::atomic::{AtomicI64, AtomicU64, Ordering};

    /// loom's mutex, wrapped so that `lock` has parking_lot's signature.
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> loom::sync::MutexGuard<'_, T> {
            self.0
                .lock()
                .expect("loom mutex is never poisoned in models")
        }
    }
}

pub(crate) use imp::*;
