//! The adapter every benchmark goes through: one small trait a strategy
//! implements once, and it shows up in every row of every bench file.
//!
//! To add a strategy: write a unit type, implement [`Strategy`] for it (a
//! bounded queue that closes when its last [`Sender`] is dropped), and add
//! it to [`for_each_strategy!`]. Strategies without consumer priority get the
//! usual two-lane workaround ([`TwoLanes`]) in the VIP-mix rows for free.
//!
//! The box office bench adds [`office::OfficeStrategy`] for the two pools
//! the office can run on.

#![allow(dead_code)] // each bench binary uses part of this module

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crossbeam_queue::ArrayQueue;
use crossbeam_utils::Backoff;
use ticketpool::{BoundedPool, CondvarPool, LockFreePool, Priority, ReleaseError, TakeError};

mod locked;
pub mod office;

// Named by `for_each_strategy!`, which not every bench binary expands.
#[allow(unused_imports)]
pub use locked::{MutexVecDeque, ParkingLotVecDeque};

/// What a non-blocking take found.
pub enum TryTake<T> {
    /// An item.
    Item(T),
    /// Nothing now; more may come.
    Empty,
    /// Closed and drained: nothing will come.
    Closed,
}

/// The producing end. Cloned per producer thread; the queue closes when the
/// last clone is dropped.
pub trait Sender<T>: Clone + Send + 'static {
    /// Puts `item` in, waiting while the queue is full.
    fn put(&self, item: T);
    /// Puts `item` in if there is room; gives it back if not.
    fn try_put(&self, item: T) -> Result<(), T>;
    /// Puts every item of `items` in, in order (the batched form). The
    /// default is a loop; strategies with a native batch call override it.
    fn put_many(&self, items: &mut Vec<T>) {
        for item in items.drain(..) {
            self.put(item);
        }
    }
}

/// The consuming end. Cloned per consumer thread.
pub trait Receiver<T>: Clone + Send + 'static {
    /// Takes an item, waiting while the queue is empty; `None` once it is
    /// closed and drained. Strategies without priority ignore `priority`.
    fn take(&self, priority: Priority) -> Option<T>;
    /// Takes an item if one is there, without waiting.
    fn try_take(&self, priority: Priority) -> TryTake<T>;
    /// Waits for one item, then takes up to `max` in all into `out`; `false`
    /// once closed and drained.
    fn take_many(&self, priority: Priority, max: usize, out: &mut Vec<T>) -> bool {
        let Some(first) = self.take(priority) else {
            return false;
        };
        out.push(first);
        while out.len() < max {
            match self.try_take(priority) {
                TryTake::Item(item) => out.push(item),
                TryTake::Empty | TryTake::Closed => break,
            }
        }
        true
    }
}

/// A bounded queue strategy under test.
pub trait Strategy: 'static {
    /// The row label in reports (criterion's function id).
    const NAME: &'static str;
    /// `true` if consumers of the queue itself honour [`Priority`]; `false`
    /// makes the VIP-mix rows use [`TwoLanes`] of this strategy.
    const NATIVE_PRIORITY: bool = false;
    /// The producing end.
    type Tx<T: Send + 'static>: Sender<T>;
    /// The consuming end.
    type Rx<T: Send + 'static>: Receiver<T>;
    /// A fresh queue holding at most `capacity` items.
    fn bounded<T: Send + 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>);
}

/// Calls `$body` once per strategy with `$s` bound to its type: the single
/// list of strategies every bench iterates.
macro_rules! for_each_strategy {
    ($s:ident => $body:block) => {{
        {
            type $s = crate::adapter::LockFree;
            $body
        }
        {
            type $s = crate::adapter::CondvarStrategy;
            $body
        }
        {
            type $s = crate::adapter::CrossbeamChannel;
            $body
        }
        {
            type $s = crate::adapter::ArrayQueueSpin;
            $body
        }
        {
            type $s = crate::adapter::Flume;
            $body
        }
        {
            type $s = crate::adapter::Kanal;
            $body
        }
        {
            type $s = crate::adapter::StdSyncChannel;
            $body
        }
        {
            type $s = crate::adapter::MutexVecDeque;
            $body
        }
        {
            type $s = crate::adapter::ParkingLotVecDeque;
            $body
        }
    }};
}

// ---------------------------------------------------------------- our pools

/// Closes a pool when the last sender goes, as a channel disconnects.
pub struct PoolCloser<P: BoundedPool>(Arc<P>);

impl<P: BoundedPool> Drop for PoolCloser<P> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The producing end of one of our pools.
pub struct PoolTx<P: BoundedPool>(Arc<PoolCloser<P>>);

impl<P: BoundedPool> Clone for PoolTx<P> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<P: BoundedPool + 'static> Sender<P::Item> for PoolTx<P> {
    fn put(&self, item: P::Item) {
        if self.0 .0.put_until(item, None).is_err() {
            panic!("pool closed while a sender lives");
        }
    }

    fn try_put(&self, item: P::Item) -> Result<(), P::Item> {
        self.0 .0.try_put(item).map_err(ReleaseError::into_inner)
    }

    fn put_many(&self, items: &mut Vec<P::Item>) {
        while !items.is_empty() {
            if self.0 .0.put_many(items, None).is_err() {
                panic!("pool closed while a sender lives");
            }
        }
    }
}

/// The consuming end of one of our pools.
pub struct PoolRx<P>(Arc<P>);

impl<P> Clone for PoolRx<P> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<P: BoundedPool + 'static> Receiver<P::Item> for PoolRx<P> {
    fn take(&self, priority: Priority) -> Option<P::Item> {
        self.0.take_until(priority, None).ok()
    }

    fn try_take(&self, priority: Priority) -> TryTake<P::Item> {
        match self.0.try_take(priority) {
            Ok(item) => TryTake::Item(item),
            Err(TakeError::Closed) => TryTake::Closed,
            Err(_) => TryTake::Empty,
        }
    }

    fn take_many(&self, priority: Priority, max: usize, out: &mut Vec<P::Item>) -> bool {
        self.0.take_many(priority, max, out, None).is_ok()
    }
}

fn pool_pair<P: BoundedPool + 'static>(pool: P) -> (PoolTx<P>, PoolRx<P>) {
    let pool = Arc::new(pool);
    (
        PoolTx(Arc::new(PoolCloser(Arc::clone(&pool)))),
        PoolRx(pool),
    )
}

/// [`LockFreePool`], spinning before it parks (the default).
pub struct LockFree;

impl Strategy for LockFree {
    const NAME: &'static str = "lockfree";
    const NATIVE_PRIORITY: bool = true;
    type Tx<T: Send + 'static> = PoolTx<LockFreePool<T>>;
    type Rx<T: Send + 'static> = PoolRx<LockFreePool<T>>;

    fn bounded<T: Send + 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>) {
        pool_pair(LockFreePool::with_capacity(capacity).expect("bench capacity"))
    }
}

/// [`LockFreePool`] that parks at once (`spin_before_park(false)`): only in
/// the latency bench, to show what spinning buys.
pub struct LockFreeNoSpin;

impl Strategy for LockFreeNoSpin {
    const NAME: &'static str = "lockfree-nospin";
    const NATIVE_PRIORITY: bool = true;
    type Tx<T: Send + 'static> = PoolTx<LockFreePool<T>>;
    type Rx<T: Send + 'static> = PoolRx<LockFreePool<T>>;

    fn bounded<T: Send + 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>) {
        pool_pair(
            LockFreePool::with_capacity(capacity)
                .expect("bench capacity")
                .spin_before_park(false),
        )
    }
}

/// [`CondvarPool`].
pub struct CondvarStrategy;

impl Strategy for CondvarStrategy {
    const NAME: &'static str = "condvar";
    const NATIVE_PRIORITY: bool = true;
    type Tx<T: Send + 'static> = PoolTx<CondvarPool<T>>;
    type Rx<T: Send + 'static> = PoolRx<CondvarPool<T>>;

    fn bounded<T: Send + 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>) {
        pool_pair(CondvarPool::with_capacity(capacity).expect("bench capacity"))
    }
}

// -------------------------------------------------------------- the channels

/// Implements the adapter for a channel crate whose API has the usual
/// `send`/`try_send`/`recv`/`try_recv` shape and disconnects on drop.
macro_rules! channel_strategy {
    ($ty:ident, $name:literal, $tx:ty, $rx:ty, $new:expr, $full:path, $empty:path) => {
        impl<T: Send + 'static> Sender<T> for $tx {
            fn put(&self, item: T) {
                self.send(item)
                    .expect("receivers live while the bench runs");
            }
            fn try_put(&self, item: T) -> Result<(), T> {
                match self.try_send(item) {
                    Ok(()) => Ok(()),
                    Err($full(item)) => Err(item),
                    Err(_) => panic!("receivers live while the bench runs"),
                }
            }
        }

        impl<T: Send + 'static> Receiver<T> for $rx {
            fn take(&self, _: Priority) -> Option<T> {
                self.recv().ok()
            }
            fn try_take(&self, _: Priority) -> TryTake<T> {
                match self.try_recv() {
                    Ok(item) => TryTake::Item(item),
                    Err($empty) => TryTake::Empty,
                    Err(_) => TryTake::Closed,
                }
            }
        }

        impl Strategy for $ty {
            const NAME: &'static str = $name;
            type Tx<T: Send + 'static> = $tx;
            type Rx<T: Send + 'static> = $rx;
            fn bounded<T: Send + 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>) {
                $new(capacity)
            }
        }
    };
}

/// `crossbeam_channel::bounded`: the baseline every ratio is taken against.
pub struct CrossbeamChannel;
channel_strategy!(
    CrossbeamChannel,
    "crossbeam-channel",
    crossbeam_channel::Sender<T>,
    crossbeam_channel::Receiver<T>,
    crossbeam_channel::bounded,
    crossbeam_channel::TrySendError::Full,
    crossbeam_channel::TryRecvError::Empty
);

/// `flume::bounded`.
pub struct Flume;
channel_strategy!(
    Flume,
    "flume",
    flume::Sender<T>,
    flume::Receiver<T>,
    flume::bounded,
    flume::TrySendError::Full,
    flume::TryRecvError::Empty
);

/// `std::sync::mpsc::sync_channel`; its receiver is not `Clone`, so the
/// consumers share it behind a `Mutex` (what std users do for MPMC).
pub struct StdSyncChannel;

/// The shared receiving end of a `sync_channel`.
pub struct StdRx<T>(Arc<Mutex<std::sync::mpsc::Receiver<T>>>);

impl<T> Clone for StdRx<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T: Send + 'static> Sender<T> for std::sync::mpsc::SyncSender<T> {
    fn put(&self, item: T) {
        self.send(item)
            .expect("receivers live while the bench runs");
    }
    fn try_put(&self, item: T) -> Result<(), T> {
        match self.try_send(item) {
            Ok(()) => Ok(()),
            Err(std::sync::mpsc::TrySendError::Full(item)) => Err(item),
            Err(_) => panic!("receivers live while the bench runs"),
        }
    }
}

impl<T: Send + 'static> Receiver<T> for StdRx<T> {
    fn take(&self, _: Priority) -> Option<T> {
        self.0.lock().unwrap().recv().ok()
    }
    fn try_take(&self, _: Priority) -> TryTake<T> {
        match self.0.lock().unwrap().try_recv() {
            Ok(item) => TryTake::Item(item),
            Err(std::sync::mpsc::TryRecvError::Empty) => TryTake::Empty,
            Err(_) => TryTake::Closed,
        }
    }
}

impl Strategy for StdSyncChannel {
    const NAME: &'static str = "std-sync_channel";
    type Tx<T: Send + 'static> = std::sync::mpsc::SyncSender<T>;
    type Rx<T: Send + 'static> = StdRx<T>;
    fn bounded<T: Send + 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>) {
        let (tx, rx) = std::sync::mpsc::sync_channel(capacity);
        (tx, StdRx(Arc::new(Mutex::new(rx))))
    }
}

/// `kanal::bounded`.
pub struct Kanal;

impl<T: Send + 'static> Sender<T> for kanal::Sender<T> {
    fn put(&self, item: T) {
        self.send(item)
            .expect("receivers live while the bench runs");
    }
    fn try_put(&self, item: T) -> Result<(), T> {
        // kanal's `try_send_option` hands the item back when full.
        let mut slot = Some(item);
        match self.try_send_option(&mut slot) {
            Ok(true) => Ok(()),
            Ok(false) => Err(slot.expect("kanal keeps the item on full")),
            Err(_) => panic!("receivers live while the bench runs"),
        }
    }
}

impl<T: Send + 'static> Receiver<T> for kanal::Receiver<T> {
    fn take(&self, _: Priority) -> Option<T> {
        self.recv().ok()
    }
    fn try_take(&self, _: Priority) -> TryTake<T> {
        match self.try_recv() {
            Ok(Some(item)) => TryTake::Item(item),
            Ok(None) => TryTake::Empty,
            Err(_) => TryTake::Closed,
        }
    }
}

impl Strategy for Kanal {
    const NAME: &'static str = "kanal";
    type Tx<T: Send + 'static> = kanal::Sender<T>;
    type Rx<T: Send + 'static> = kanal::Receiver<T>;
    fn bounded<T: Send + 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>) {
        kanal::bounded(capacity)
    }
}

// ------------------------------------------------- ArrayQueue, spinning

/// `crossbeam_queue::ArrayQueue`, which never blocks: a full or empty queue
/// is retried with crossbeam's `Backoff` (spin, then `yield_now`).
pub struct ArrayQueueSpin;

/// An `ArrayQueue` and the flag its last sender sets.
pub struct SpinQueue<T> {
    queue: ArrayQueue<T>,
    closed: AtomicBool,
}

/// The producing end of a spinning `ArrayQueue`.
pub struct SpinTx<T>(Arc<SpinCloser<T>>);

/// Sets the closed flag when the last sender goes.
pub struct SpinCloser<T>(Arc<SpinQueue<T>>);

impl<T> Drop for SpinCloser<T> {
    fn drop(&mut self) {
        self.0.closed.store(true, Ordering::Release);
    }
}

impl<T> Clone for SpinTx<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

/// The consuming end of a spinning `ArrayQueue`.
pub struct SpinRx<T>(Arc<SpinQueue<T>>);

impl<T> Clone for SpinRx<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T: Send + 'static> Sender<T> for SpinTx<T> {
    fn put(&self, item: T) {
        let backoff = Backoff::new();
        let mut item = item;
        while let Err(back) = self.0 .0.queue.push(item) {
            item = back;
            backoff.snooze();
        }
    }
    fn try_put(&self, item: T) -> Result<(), T> {
        self.0 .0.queue.push(item)
    }
}

impl<T: Send + 'static> Receiver<T> for SpinRx<T> {
    fn take(&self, priority: Priority) -> Option<T> {
        let backoff = Backoff::new();
        loop {
            match self.try_take(priority) {
                TryTake::Item(item) => return Some(item),
                TryTake::Closed => return None,
                TryTake::Empty => backoff.snooze(),
            }
        }
    }
    fn try_take(&self, _: Priority) -> TryTake<T> {
        // Read the flag first: if it is set, no push can follow, so an
        // empty pop after it means drained.
        let closed = self.0.closed.load(Ordering::Acquire);
        match self.0.queue.pop() {
            Some(item) => TryTake::Item(item),
            None if closed => TryTake::Closed,
            None => TryTake::Empty,
        }
    }
}

impl Strategy for ArrayQueueSpin {
    const NAME: &'static str = "crossbeam-ArrayQueue";
    type Tx<T: Send + 'static> = SpinTx<T>;
    type Rx<T: Send + 'static> = SpinRx<T>;
    fn bounded<T: Send + 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>) {
        let queue = Arc::new(SpinQueue {
            queue: ArrayQueue::new(capacity),
            closed: AtomicBool::new(false),
        });
        (
            SpinTx(Arc::new(SpinCloser(Arc::clone(&queue)))),
            SpinRx(queue),
        )
    }
}

// --------------------------------------- the two-lane priority workaround

/// The usual way to give VIP consumers priority with a queue that has none:
/// two queues of the same capacity, checked in order.
///
/// A producer offers each item to the VIP lane without waiting and, if that
/// lane is full, puts it in the regular lane (waiting if need be). A VIP
/// consumer polls the VIP lane, then the regular lane, backing off between
/// rounds (these queues have no select over two lanes in common); a Regular
/// consumer waits on the regular lane only. Items in the VIP lane go only to
/// VIPs, so a row must have at least one VIP consumer.
pub struct TwoLanes<S>(std::marker::PhantomData<S>);

/// The producing end of [`TwoLanes`].
pub struct LanesTx<S: Strategy, T: Send + 'static> {
    vip: S::Tx<T>,
    regular: S::Tx<T>,
}

impl<S: Strategy, T: Send + 'static> Clone for LanesTx<S, T> {
    fn clone(&self) -> Self {
        Self {
            vip: self.vip.clone(),
            regular: self.regular.clone(),
        }
    }
}

/// The consuming end of [`TwoLanes`].
pub struct LanesRx<S: Strategy, T: Send + 'static> {
    vip: S::Rx<T>,
    regular: S::Rx<T>,
}

impl<S: Strategy, T: Send + 'static> Clone for LanesRx<S, T> {
    fn clone(&self) -> Self {
        Self {
            vip: self.vip.clone(),
            regular: self.regular.clone(),
        }
    }
}

impl<S: Strategy, T: Send + 'static> Sender<T> for LanesTx<S, T> {
    fn put(&self, item: T) {
        if let Err(item) = self.vip.try_put(item) {
            self.regular.put(item);
        }
    }
    fn try_put(&self, item: T) -> Result<(), T> {
        self.vip
            .try_put(item)
            .or_else(|item| self.regular.try_put(item))
    }
}

impl<S: Strategy, T: Send + 'static> Receiver<T> for LanesRx<S, T> {
    fn take(&self, priority: Priority) -> Option<T> {
        if priority == Priority::Regular {
            return self.regular.take(priority);
        }
        let backoff = Backoff::new();
        loop {
            match self.try_take(priority) {
                TryTake::Item(item) => return Some(item),
                TryTake::Closed => return None,
                TryTake::Empty => backoff.snooze(),
            }
        }
    }
    fn try_take(&self, priority: Priority) -> TryTake<T> {
        if priority == Priority::Regular {
            return self.regular.try_take(priority);
        }
        match self.vip.try_take(priority) {
            TryTake::Item(item) => TryTake::Item(item),
            vip => match (vip, self.regular.try_take(priority)) {
                (_, TryTake::Item(item)) => TryTake::Item(item),
                (TryTake::Closed, TryTake::Closed) => TryTake::Closed,
                _ => TryTake::Empty,
            },
        }
    }
}

impl<S: Strategy> Strategy for TwoLanes<S> {
    const NAME: &'static str = S::NAME;
    const NATIVE_PRIORITY: bool = true;
    type Tx<T: Send + 'static> = LanesTx<S, T>;
    type Rx<T: Send + 'static> = LanesRx<S, T>;
    fn bounded<T: Send + 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>) {
        let (vip_tx, vip_rx) = S::bounded(capacity);
        let (regular_tx, regular_rx) = S::bounded(capacity);
        (
            LanesTx {
                vip: vip_tx,
                regular: regular_tx,
            },
            LanesRx {
                vip: vip_rx,
                regular: regular_rx,
            },
        )
    }
}
