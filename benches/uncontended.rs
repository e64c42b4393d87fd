//! The uncontended cost of one put+take pair on a single thread: the fast
//! path with nobody waiting.
//!
//! `direct` calls the types themselves (the issue 2 target: the lock-free
//! pair at most 1.5x `ArrayQueue::push`+`pop`); `adapter` runs every
//! strategy through the bench adapter's non-blocking forms.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use crossbeam_queue::ArrayQueue;
use ticketpool::{BoundedPool, CondvarPool, LockFreePool, Priority};

#[macro_use]
mod adapter;

use adapter::{Receiver, Sender, Strategy, TryTake};

/// Capacity for the uncontended rows: the queue never fills.
const CAPACITY: usize = 64;

fn configure<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .throughput(Throughput::Elements(1))
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group
}

fn direct(c: &mut Criterion) {
    let mut group = configure(c, "uncontended-direct");
    let lockfree = LockFreePool::<u64>::with_capacity(CAPACITY).expect("capacity");
    group.bench_function("lockfree", |b| {
        b.iter(|| {
            lockfree.try_put(black_box(1)).expect("room");
            black_box(lockfree.try_take(Priority::Regular).expect("item"))
        })
    });
    let condvar = CondvarPool::<u64>::with_capacity(CAPACITY).expect("capacity");
    group.bench_function("condvar", |b| {
        b.iter(|| {
            condvar.try_put(black_box(1)).expect("room");
            black_box(condvar.try_take(Priority::Regular).expect("item"))
        })
    });
    let queue = ArrayQueue::<u64>::new(CAPACITY);
    group.bench_function("crossbeam-ArrayQueue", |b| {
        b.iter(|| {
            queue.push(black_box(1)).expect("room");
            black_box(queue.pop().expect("item"))
        })
    });
    group.finish();
}

fn through_adapter(c: &mut Criterion) {
    let mut group = configure(c, "uncontended-adapter");
    for_each_strategy!(S => {
        let (tx, rx) = S::bounded::<u64>(CAPACITY);
        group.bench_function(S::NAME, |b| {
            b.iter(|| {
                assert!(tx.try_put(black_box(1)).is_ok(), "room");
                match rx.try_take(Priority::Regular) {
                    TryTake::Item(item) => black_box(item),
                    _ => panic!("the item just put is there"),
                }
            })
        });
    });
    group.finish();
}

criterion_group!(benches, direct, through_adapter);
criterion_main!(benches);
