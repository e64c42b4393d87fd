//! Property test: random single-threaded operation sequences against a
//! `VecDeque` model, for both strategies.

#[macro_use]
mod suite;

use std::collections::VecDeque;
use std::time::Instant;

use proptest::prelude::*;
use suite::Family;
use ticketpool_core::{BoundedPool, Priority, ReleaseError, TakeError};

#[derive(Debug, Clone)]
enum Op {
    TryPut(u32),
    PutExpired(u32),
    TryTake(Priority),
    TakeExpired(Priority),
    PutMany(Vec<u32>),
    TakeMany(Priority, usize),
    Close,
}

fn priority() -> impl Strategy<Value = Priority> {
    prop_oneof![Just(Priority::Vip), Just(Priority::Regular)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<u32>().prop_map(Op::TryPut),
        1 => any::<u32>().prop_map(Op::PutExpired),
        4 => priority().prop_map(Op::TryTake),
        1 => priority().prop_map(Op::TakeExpired),
        1 => proptest::collection::vec(any::<u32>(), 0..6).prop_map(Op::PutMany),
        1 => (priority(), 0usize..6).prop_map(|(p, n)| Op::TakeMany(p, n)),
        1 => Just(Op::Close),
    ]
}

struct Model {
    items: VecDeque<u32>,
    capacity: usize,
    closed: bool,
}

impl Model {
    fn put(
        &mut self,
        item: u32,
        full: fn(u32) -> ReleaseError<u32>,
    ) -> Result<(), ReleaseError<u32>> {
        if self.closed {
            Err(ReleaseError::Closed(item))
        } else if self.items.len() == self.capacity {
            Err(full(item))
        } else {
            self.items.push_back(item);
            Ok(())
        }
    }

    fn take(&mut self, empty: TakeError) -> Result<u32, TakeError> {
        match self.items.pop_front() {
            Some(item) => Ok(item),
            None if self.closed => Err(TakeError::Closed),
            None => Err(empty),
        }
    }
}

fn check<F: Family>(capacity: usize, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let pool = F::Pool::<u32>::with_capacity(capacity).unwrap();
    let mut model = Model {
        items: VecDeque::new(),
        capacity,
        closed: false,
    };
    let (mut puts, mut takes) = (0u64, 0u64);
    for op in ops {
        let past = Instant::now();
        match op {
            Op::TryPut(item) => {
                let expected = model.put(item, ReleaseError::Full);
                puts += expected.is_ok() as u64;
                prop_assert_eq!(pool.try_put(item), expected);
            }
            Op::PutExpired(item) => {
                let expected = model.put(item, ReleaseError::Timeout);
                puts += expected.is_ok() as u64;
                prop_assert_eq!(pool.put_until(item, Some(past)), expected);
            }
            Op::TryTake(priority) => {
                let expected = model.take(TakeError::Empty);
                takes += expected.is_ok() as u64;
                prop_assert_eq!(pool.try_take(priority), expected);
            }
            Op::TakeExpired(priority) => {
                let expected = model.take(TakeError::Timeout);
                takes += expected.is_ok() as u64;
                prop_assert_eq!(pool.take_until(priority, Some(past)), expected);
            }
            Op::PutMany(batch) => {
                let mut actual = batch.clone();
                let result = pool.put_many(&mut actual, Some(past));
                let room = if model.closed {
                    0
                } else {
                    capacity - model.items.len()
                };
                let moved = room.min(batch.len());
                model.items.extend(&batch[..moved]);
                puts += moved as u64;
                prop_assert_eq!(
                    &actual[..],
                    &batch[moved..],
                    "what did not fit stays in order"
                );
                let expected = match (batch.is_empty(), moved, model.closed) {
                    (true, _, _) => Ok(0),
                    (false, 0, true) => Err(ReleaseError::Closed(())),
                    (false, 0, false) => Err(ReleaseError::Full(())),
                    (false, n, _) => Ok(n),
                };
                prop_assert_eq!(result, expected);
            }
            Op::TakeMany(priority, max) => {
                let mut out = Vec::new();
                let result = pool.take_many(priority, max, &mut out, Some(past));
                let n = max.min(model.items.len());
                let expected_items: Vec<u32> = model.items.drain(..n).collect();
                takes += n as u64;
                prop_assert_eq!(&out, &expected_items);
                let expected = match (max, n, model.closed) {
                    (0, _, _) => Ok(0),
                    (_, 0, true) => Err(TakeError::Closed),
                    (_, 0, false) => Err(TakeError::Empty),
                    (_, n, _) => Ok(n),
                };
                prop_assert_eq!(result, expected);
            }
            Op::Close => {
                prop_assert_eq!(pool.close(), !model.closed);
                model.closed = true;
            }
        }
        prop_assert_eq!(pool.len(), model.items.len());
        prop_assert_eq!(pool.is_empty(), model.items.is_empty());
        prop_assert_eq!(pool.is_full(), model.items.len() == capacity);
        prop_assert_eq!(pool.is_closed(), model.closed);
        prop_assert_eq!(pool.put_count(), puts);
        prop_assert_eq!(pool.taken_count(), takes);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn lockfree_matches_model(capacity in 1usize..9, ops in proptest::collection::vec(op(), 0..200)) {
        check::<suite::LockFree>(capacity, ops)?;
    }

    #[test]
    fn condvar_matches_model(capacity in 1usize..9, ops in proptest::collection::vec(op(), 0..200)) {
        check::<suite::Condvar>(capacity, ops)?;
    }
}
