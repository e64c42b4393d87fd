//! The lock-based peers: a `VecDeque` under a mutex with two condvars (not
//! empty, not full), the design most ticketing simulators use, once with
//! std's `Mutex`/`Condvar` and once with parking_lot's (what
//! [`CondvarPool`](ticketpool::CondvarPool) is built on, so the fair peer
//! for it). One queue, generic over the [`Lock`] flavour.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::ops::DerefMut;
use std::sync::Arc;

use ticketpool::Priority;

use super::{Receiver, Sender, Strategy, TryTake};

/// A mutex and condvar pair: just what the queue needs of them.
pub trait Lock: Send + Sync + 'static {
    /// The mutex around the queue's state.
    type Mutex<T: Send + 'static>: Send + Sync;
    /// Its guard.
    type Guard<'a, T: Send + 'static>: DerefMut<Target = T>;
    /// The condvar.
    type Condvar: Send + Sync + Default;
    /// A new mutex.
    fn new<T: Send + 'static>(value: T) -> Self::Mutex<T>;
    /// Locks it.
    fn lock<T: Send + 'static>(mutex: &Self::Mutex<T>) -> Self::Guard<'_, T>;
    /// Waits on `condvar`, releasing the guard meanwhile.
    fn wait<'a, T: Send + 'static>(
        condvar: &Self::Condvar,
        guard: Self::Guard<'a, T>,
    ) -> Self::Guard<'a, T>;
    /// Wakes one waiter.
    fn notify_one(condvar: &Self::Condvar);
    /// Wakes every waiter.
    fn notify_all(condvar: &Self::Condvar);
}

/// std's `Mutex` and `Condvar`.
pub struct Std;

impl Lock for Std {
    type Mutex<T: Send + 'static> = std::sync::Mutex<T>;
    type Guard<'a, T: Send + 'static> = std::sync::MutexGuard<'a, T>;
    type Condvar = std::sync::Condvar;
    fn new<T: Send + 'static>(value: T) -> Self::Mutex<T> {
        std::sync::Mutex::new(value)
    }
    fn lock<T: Send + 'static>(mutex: &Self::Mutex<T>) -> Self::Guard<'_, T> {
        mutex
            .lock()
            .expect("no bench thread panics holding the lock")
    }
    fn wait<'a, T: Send + 'static>(
        condvar: &Self::Condvar,
        guard: Self::Guard<'a, T>,
    ) -> Self::Guard<'a, T> {
        condvar
            .wait(guard)
            .expect("no bench thread panics holding the lock")
    }
    fn notify_one(condvar: &Self::Condvar) {
        condvar.notify_one();
    }
    fn notify_all(condvar: &Self::Condvar) {
        condvar.notify_all();
    }
}

/// parking_lot's `Mutex` and `Condvar`.
pub struct ParkingLot;

impl Lock for ParkingLot {
    type Mutex<T: Send + 'static> = parking_lot::Mutex<T>;
    type Guard<'a, T: Send + 'static> = parking_lot::MutexGuard<'a, T>;
    type Condvar = parking_lot::Condvar;
    fn new<T: Send + 'static>(value: T) -> Self::Mutex<T> {
        parking_lot::Mutex::new(value)
    }
    fn lock<T: Send + 'static>(mutex: &Self::Mutex<T>) -> Self::Guard<'_, T> {
        mutex.lock()
    }
    fn wait<'a, T: Send + 'static>(
        condvar: &Self::Condvar,
        mut guard: Self::Guard<'a, T>,
    ) -> Self::Guard<'a, T> {
        condvar.wait(&mut guard);
        guard
    }
    fn notify_one(condvar: &Self::Condvar) {
        condvar.notify_one();
    }
    fn notify_all(condvar: &Self::Condvar) {
        condvar.notify_all();
    }
}

/// `Mutex<VecDeque>` with two condvars, of lock flavour `L`.
pub struct LockedVecDeque<L>(PhantomData<L>);

/// With std's lock: the design most ticketing simulators use.
pub type MutexVecDeque = LockedVecDeque<Std>;

/// With parking_lot's lock: the peer [`CondvarPool`](ticketpool::CondvarPool)
/// is measured against.
pub type ParkingLotVecDeque = LockedVecDeque<ParkingLot>;

/// The locked state.
pub struct Locked<T> {
    items: VecDeque<T>,
    closed: bool,
}

/// The shared queue.
pub struct LockedQueue<L: Lock, T: Send + 'static> {
    state: L::Mutex<Locked<T>>,
    not_empty: L::Condvar,
    not_full: L::Condvar,
    capacity: usize,
}

/// Closes the queue when the last sender goes.
pub struct LockedCloser<L: Lock, T: Send + 'static>(Arc<LockedQueue<L, T>>);

impl<L: Lock, T: Send + 'static> Drop for LockedCloser<L, T> {
    fn drop(&mut self) {
        L::lock(&self.0.state).closed = true;
        L::notify_all(&self.0.not_empty);
    }
}

/// The producing end.
pub struct LockedTx<L: Lock, T: Send + 'static>(Arc<LockedCloser<L, T>>);

impl<L: Lock, T: Send + 'static> Clone for LockedTx<L, T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

/// The consuming end.
pub struct LockedRx<L: Lock, T: Send + 'static>(Arc<LockedQueue<L, T>>);

impl<L: Lock, T: Send + 'static> Clone for LockedRx<L, T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<L: Lock, T: Send + 'static> Sender<T> for LockedTx<L, T> {
    fn put(&self, item: T) {
        let queue = &self.0 .0;
        let mut state = L::lock(&queue.state);
        while state.items.len() >= queue.capacity {
            state = L::wait(&queue.not_full, state);
        }
        state.items.push_back(item);
        drop(state);
        L::notify_one(&queue.not_empty);
    }
    fn try_put(&self, item: T) -> Result<(), T> {
        let queue = &self.0 .0;
        let mut state = L::lock(&queue.state);
        if state.items.len() >= queue.capacity {
            return Err(item);
        }
        state.items.push_back(item);
        drop(state);
        L::notify_one(&queue.not_empty);
        Ok(())
    }
}

impl<L: Lock, T: Send + 'static> Receiver<T> for LockedRx<L, T> {
    fn take(&self, _: Priority) -> Option<T> {
        let queue = &self.0;
        let mut state = L::lock(&queue.state);
        loop {
            if let Some(item) = state.items.pop_front() {
                drop(state);
                L::notify_one(&queue.not_full);
                return Some(item);
            }
            if state.closed {
                return None;
            }
            state = L::wait(&queue.not_empty, state);
        }
    }
    fn try_take(&self, _: Priority) -> TryTake<T> {
        let queue = &self.0;
        let mut state = L::lock(&queue.state);
        match state.items.pop_front() {
            Some(item) => {
                drop(state);
                L::notify_one(&queue.not_full);
                TryTake::Item(item)
            }
            None if state.closed => TryTake::Closed,
            None => TryTake::Empty,
        }
    }
}

/// The row label of each flavour.
pub trait Named {
    /// criterion's function id.
    const NAME: &'static str;
}

impl Named for Std {
    const NAME: &'static str = "mutex-vecdeque-condvar";
}

impl Named for ParkingLot {
    const NAME: &'static str = "parking_lot-vecdeque-condvar";
}

impl<L: Lock + Named> Strategy for LockedVecDeque<L> {
    const NAME: &'static str = L::NAME;
    type Tx<T: Send + 'static> = LockedTx<L, T>;
    type Rx<T: Send + 'static> = LockedRx<L, T>;
    fn bounded<T: Send + 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>) {
        let queue = Arc::new(LockedQueue {
            state: L::new(Locked {
                items: VecDeque::with_capacity(capacity),
                closed: false,
            }),
            not_empty: L::Condvar::default(),
            not_full: L::Condvar::default(),
            capacity,
        });
        (
            LockedTx(Arc::new(LockedCloser(Arc::clone(&queue)))),
            LockedRx(queue),
        )
    }
}
