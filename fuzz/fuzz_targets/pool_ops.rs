//! Drives both pools with an arbitrary sequence of operations through
//! several producer and consumer handles, checked after every step against
//! a `VecDeque` model: what comes out, in what order, each error and the
//! observers.
//!
//! One thread interleaves the handles, so the model is exact; blocking forms
//! are only issued when the model says they return at once (room, an item,
//! or a closed pool). Real-thread conservation is the pool suite's stress
//! tests' job.

#![no_main]

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use ticketpool_core::{
    BoundedPool, CondvarPool, Consumer, LockFreePool, Priority, Producer, ReleaseError, TakeError,
};

/// Handles per kind: consumers with an even index are VIPs.
const HANDLES: usize = 4;

#[derive(Debug, Arbitrary)]
enum Op {
    Release { producer: u8 },
    TryRelease { producer: u8 },
    ReleaseTimeoutZero { producer: u8 },
    ReleaseMany { producer: u8, count: u8 },
    TryReleaseMany { producer: u8, count: u8 },
    Take { consumer: u8 },
    TryTake { consumer: u8 },
    TakeTimeoutZero { consumer: u8 },
    TakeMany { consumer: u8, max: u8 },
    TryTakeMany { consumer: u8, max: u8 },
    Close,
}

#[derive(Debug, Arbitrary)]
struct Input {
    capacity: u8,
    ops: Vec<Op>,
}

/// What the pool should hold and report.
struct Model {
    items: VecDeque<u64>,
    capacity: usize,
    closed: bool,
    put: u64,
    taken: u64,
}

impl Model {
    fn room(&self) -> usize {
        self.capacity - self.items.len()
    }

    /// The expected result of a take that does not wait, with `empty` the
    /// error for an open empty pool.
    fn take(&mut self, empty: TakeError) -> Result<u64, TakeError> {
        match self.items.pop_front() {
            Some(item) => {
                self.taken += 1;
                Ok(item)
            }
            None if self.closed => Err(TakeError::Closed),
            None => Err(empty),
        }
    }

    /// The expected result of a release that does not wait, with `full`
    /// the error for an open full pool.
    fn put(
        &mut self,
        item: u64,
        full: fn(u64) -> ReleaseError<u64>,
    ) -> Result<(), ReleaseError<u64>> {
        if self.closed {
            Err(ReleaseError::Closed(item))
        } else if self.room() == 0 {
            Err(full(item))
        } else {
            self.items.push_back(item);
            self.put += 1;
            Ok(())
        }
    }

    /// The expected result of a batch release: the first waits only when
    /// `blocking` (and the caller made sure it need not), the rest fill the
    /// room left.
    fn put_many(
        &mut self,
        batch: &[u64],
        full: ReleaseError<()>,
    ) -> (Result<usize, ReleaseError<()>>, Vec<u64>) {
        if batch.is_empty() {
            return (Ok(0), Vec::new());
        }
        if self.closed {
            return (Err(ReleaseError::Closed(())), batch.to_vec());
        }
        if self.room() == 0 {
            return (Err(full), batch.to_vec());
        }
        let moved = batch.len().min(self.room());
        self.items.extend(&batch[..moved]);
        self.put += moved as u64;
        (Ok(moved), batch[moved..].to_vec())
    }

    fn take_many(&mut self, max: usize, empty: TakeError) -> (Result<usize, TakeError>, Vec<u64>) {
        if max == 0 {
            return (Ok(0), Vec::new());
        }
        if self.items.is_empty() {
            return (
                Err(if self.closed {
                    TakeError::Closed
                } else {
                    empty
                }),
                Vec::new(),
            );
        }
        let n = max.min(self.items.len());
        self.taken += n as u64;
        (Ok(n), self.items.drain(..n).collect())
    }
}

fn run<P: BoundedPool<Item = u64>>(input: &Input) {
    let capacity = usize::from(input.capacity % 8) + 1;
    let pool = Arc::new(P::with_capacity(capacity).expect("capacity 1..=8 is valid"));
    let producers: Vec<_> = (0..HANDLES)
        .map(|_| Producer::new(Arc::clone(&pool)))
        .collect();
    let consumers: Vec<_> = (0..HANDLES)
        .map(|i| {
            let priority = if i % 2 == 0 {
                Priority::Vip
            } else {
                Priority::Regular
            };
            Consumer::new(Arc::clone(&pool), priority)
        })
        .collect();
    let mut model = Model {
        items: VecDeque::new(),
        capacity,
        closed: false,
        put: 0,
        taken: 0,
    };
    let mut next = 0_u64;
    let mut fresh = || {
        next += 1;
        next
    };
    let zero = Duration::ZERO;
    for op in &input.ops {
        match *op {
            Op::Release { producer } => {
                // Blocking: only when it cannot wait.
                if model.closed || model.room() > 0 {
                    let item = fresh();
                    let expected = model.put(item, ReleaseError::Full);
                    assert_eq!(
                        producers[usize::from(producer) % HANDLES].release(item),
                        expected
                    );
                }
            }
            Op::TryRelease { producer } => {
                let item = fresh();
                let expected = model.put(item, ReleaseError::Full);
                assert_eq!(
                    producers[usize::from(producer) % HANDLES].try_release(item),
                    expected
                );
            }
            Op::ReleaseTimeoutZero { producer } => {
                let item = fresh();
                let expected = model.put(item, ReleaseError::Timeout);
                assert_eq!(
                    producers[usize::from(producer) % HANDLES].release_timeout(item, zero),
                    expected
                );
            }
            Op::ReleaseMany { producer, count } => {
                if model.closed || model.room() > 0 || count == 0 {
                    let mut batch: Vec<u64> = (0..count % 12).map(|_| fresh()).collect();
                    let (expected, left) = model.put_many(&batch, ReleaseError::Full(()));
                    let got = producers[usize::from(producer) % HANDLES].release_many(&mut batch);
                    assert_eq!(got, expected);
                    assert_eq!(batch, left, "what did not go in stays, in order");
                }
            }
            Op::TryReleaseMany { producer, count } => {
                let mut batch: Vec<u64> = (0..count % 12).map(|_| fresh()).collect();
                let (expected, left) = model.put_many(&batch, ReleaseError::Full(()));
                let got = producers[usize::from(producer) % HANDLES].try_release_many(&mut batch);
                assert_eq!(got, expected);
                assert_eq!(batch, left, "what did not go in stays, in order");
            }
            Op::Take { consumer } => {
                if model.closed || !model.items.is_empty() {
                    let expected = model.take(TakeError::Empty);
                    assert_eq!(consumers[usize::from(consumer) % HANDLES].take(), expected);
                }
            }
            Op::TryTake { consumer } => {
                let expected = model.take(TakeError::Empty);
                assert_eq!(
                    consumers[usize::from(consumer) % HANDLES].try_take(),
                    expected
                );
            }
            Op::TakeTimeoutZero { consumer } => {
                let expected = model.take(TakeError::Timeout);
                assert_eq!(
                    consumers[usize::from(consumer) % HANDLES].take_timeout(zero),
                    expected
                );
            }
            Op::TakeMany { consumer, max } => {
                if model.closed || !model.items.is_empty() || max == 0 {
                    let (expected, items) =
                        model.take_many(usize::from(max % 12), TakeError::Empty);
                    let mut out = Vec::new();
                    let got = consumers[usize::from(consumer) % HANDLES]
                        .take_many(usize::from(max % 12), &mut out);
                    assert_eq!(got, expected);
                    assert_eq!(out, items);
                }
            }
            Op::TryTakeMany { consumer, max } => {
                let (expected, items) = model.take_many(usize::from(max % 12), TakeError::Empty);
                let mut out = Vec::new();
                let got = consumers[usize::from(consumer) % HANDLES]
                    .try_take_many(usize::from(max % 12), &mut out);
                assert_eq!(got, expected);
                assert_eq!(out, items);
            }
            Op::Close => {
                assert_eq!(
                    pool.close(),
                    !model.closed,
                    "close reports whether it closed"
                );
                model.closed = true;
            }
        }
        assert_eq!(pool.len(), model.items.len(), "len");
        assert_eq!(pool.is_full(), model.room() == 0, "is_full");
        assert_eq!(pool.is_closed(), model.closed, "is_closed");
        assert_eq!(pool.put_count(), model.put, "put_count");
        assert_eq!(pool.taken_count(), model.taken, "taken_count");
        assert_eq!(pool.waiting_producers(), 0, "no producer left waiting");
        assert_eq!(
            pool.waiting_consumers(Priority::Vip),
            0,
            "no VIP left waiting"
        );
        assert_eq!(
            pool.waiting_consumers(Priority::Regular),
            0,
            "no Regular left waiting"
        );
    }
    // Draining after close gives exactly what the model still holds.
    pool.close();
    let mut rest = Vec::new();
    while let Ok(item) = consumers[0].try_take() {
        rest.push(item);
    }
    assert_eq!(rest, Vec::from(model.items));
}

fuzz_target!(|input: Input| {
    run::<LockFreePool<u64>>(&input);
    run::<CondvarPool<u64>>(&input);
});
