//! Hand-off latency: the time from a release to the waiting customer
//! holding the item, per strategy, with the lock-free pool both spinning
//! before it parks (the default) and parking at once.
//!
//! A vendor thread releases a timestamp into a capacity-1 queue; a customer
//! thread waiting in `take` receives it, measures `now - timestamp` and
//! sends the figure back on a second queue, which also paces the next
//! release. Two scenarios:
//!
//! * `latency-hot`: the next release follows at once, so the customer has
//!   waited only one round trip (a spinning waiter is usually still spinning).
//! * `latency-parked`: the vendor sleeps 300 us first, so every waiter has
//!   given up spinning and parked: this is the futex wake-up path.
//!
//! Criterion reports the mean; p50 and p99 of every hand-off it ran
//! (warm-up included) go to `target/criterion/<group>/<strategy>/percentiles.json`,
//! which `scripts/bench_table.py` puts in the table.

use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use ticketpool::Priority;

#[macro_use]
mod adapter;

use adapter::{LockFreeNoSpin, Receiver, Sender, Strategy};

/// How long the vendor idles before each release in the parked scenario.
const IDLE: Duration = Duration::from_micros(300);

/// Runs `iters` hand-offs and records each one-way latency in `samples`.
fn hand_offs<S: Strategy>(
    ping: &S::Tx<Instant>,
    pong: &S::Rx<u64>,
    iters: u64,
    idle: Option<Duration>,
    samples: &mut Vec<u64>,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        if let Some(idle) = idle {
            thread::sleep(idle);
        }
        ping.put(Instant::now());
        let nanos = pong.take(Priority::Regular).expect("customer alive");
        samples.push(nanos);
        total += Duration::from_nanos(nanos);
    }
    total
}

fn bench_strategy<S: Strategy>(c: &mut Criterion, group_name: &str, idle: Option<Duration>) {
    let (ping_tx, ping_rx) = S::bounded::<Instant>(1);
    let (pong_tx, pong_rx) = S::bounded::<u64>(1);
    let customer = thread::spawn(move || {
        while let Some(sent) = ping_rx.take(Priority::Vip) {
            let nanos = sent.elapsed().as_nanos() as u64;
            pong_tx.put(nanos);
        }
    });
    let mut samples = Vec::new();
    let mut group = c.benchmark_group(group_name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    group.bench_function(S::NAME, |b| {
        b.iter_custom(|iters| hand_offs::<S>(&ping_tx, &pong_rx, iters, idle, &mut samples))
    });
    group.finish();
    drop(ping_tx);
    customer.join().expect("customer panicked");
    write_percentiles(group_name, S::NAME, &mut samples);
}

/// Writes p50/p99 beside criterion's own output for this benchmark.
fn write_percentiles(group: &str, strategy: &str, samples: &mut [u64]) {
    if samples.is_empty() {
        return; // filtered out by a criterion filter
    }
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("criterion").join(group).join(strategy);
    let json = format!(
        "{{\"p50_ns\": {}, \"p99_ns\": {}, \"samples\": {}}}\n",
        at(0.50),
        at(0.99),
        samples.len()
    );
    if let Err(err) = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("percentiles.json"), json))
    {
        eprintln!("could not write percentiles for {group}/{strategy}: {err}");
    }
    println!(
        "{group}/{strategy}: p50 {} ns, p99 {} ns",
        at(0.50),
        at(0.99)
    );
}

fn latency(c: &mut Criterion) {
    for (group, idle) in [("latency-hot", None), ("latency-parked", Some(IDLE))] {
        bench_strategy::<LockFreeNoSpin>(c, group, idle);
        for_each_strategy!(S => {
            bench_strategy::<S>(c, group, idle);
        });
    }
}

criterion_group!(benches, latency);
criterion_main!(benches);
