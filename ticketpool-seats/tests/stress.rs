//! Many real threads on one small section: random named holds and
//! best-available blocks, random confirms, releases and abandoned holds
//! that expire, with a reaper moving the clock. At the end no seat is sold
//! twice, every sold seat belongs to exactly one confirmed hold, and once
//! every hold has ended no seat is held.
#![cfg(not(ticketpool_loom))]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use ticketpool_seats::{
    BestAvailable, ManualClock, SeatError, SeatId, SeatSale, SeatState, Seating, VenueConfig,
};

const THREADS: u64 = 8;
const ROUNDS: usize = 20_000;

/// xorshift64*: enough randomness for picking seats, and no dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

#[test]
fn no_seat_sold_twice_or_left_held() {
    // 40 seats over 4 rows, one gap per row so blocks break.
    let map = VenueConfig::from_toml_str(
        r#"
name = "Stress"
tiers = { t = 100 }
[[sections]]
name = "S"
tier = "t"
rows = "A-D"
seats = "1-11"
skip = ["A-6", "B-3", "C-9", "D-11"]
"#,
    )
    .unwrap();
    let all: Vec<SeatId> = map.seats().map(|s| s.id).collect();
    assert_eq!(all.len(), 40);
    let clock = Arc::new(ManualClock::new());
    let seating = Arc::new(
        Seating::with_clock(Arc::new(map), clock.clone())
            .with_hold_duration(Duration::from_millis(50)),
    );
    seating.release_all();

    let stop = Arc::new(AtomicBool::new(false));
    // All buyers start together, so their rounds overlap.
    let start = Arc::new(Barrier::new(THREADS as usize));
    let reaper = {
        let (seating, clock, stop) = (Arc::clone(&seating), clock.clone(), Arc::clone(&stop));
        thread::spawn(move || {
            let mut reaped = 0;
            while !stop.load(Ordering::Acquire) {
                clock.advance(Duration::from_millis(1));
                reaped += seating.reap();
                thread::yield_now();
            }
            reaped
        })
    };
    let buyers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (seating, all, start) = (Arc::clone(&seating), all.clone(), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ ((t + 1) * 0x1234_5678_9abc));
                let mut sales: Vec<SeatSale> = Vec::new();
                let mut conflicts = 0;
                for _ in 0..ROUNDS {
                    let n = 1 + rng.below(4) as usize;
                    let hold = if rng.below(2) == 0 {
                        let mut want = Vec::new();
                        while want.len() < n {
                            let seat = all[rng.below(all.len() as u64) as usize];
                            if !want.contains(&seat) {
                                want.push(seat);
                            }
                        }
                        seating.hold(&want)
                    } else {
                        seating.best_available(BestAvailable::in_section("S", n))
                    };
                    let hold = match hold {
                        Ok(hold) => hold,
                        Err(SeatError::Unavailable { seats }) => {
                            assert!(!seats.is_empty());
                            conflicts += 1;
                            continue;
                        }
                        Err(SeatError::NoBlock { .. }) => continue,
                        Err(other) => panic!("unexpected {other}"),
                    };
                    match rng.below(20) {
                        // Rarely confirm, so the 40 seats last the run.
                        0 => match seating.confirm(hold.id) {
                            Ok(sale) => sales.push(sale),
                            Err(SeatError::Expired(_) | SeatError::NoSuchHold(_)) => {}
                            Err(other) => panic!("unexpected {other}"),
                        },
                        // Abandoned: the reaper ends it.
                        1..=4 => {}
                        _ => match seating.release_hold(hold.id) {
                            Ok(seats) => assert_eq!(seats, hold.seats),
                            Err(SeatError::NoSuchHold(_)) => {} // reaped first
                            Err(other) => panic!("unexpected {other}"),
                        },
                    }
                }
                (sales, conflicts)
            })
        })
        .collect();
    let mut owner: HashMap<SeatId, usize> = HashMap::new();
    let mut sales = Vec::new();
    for buyer in buyers {
        let (mine, _conflicts) = buyer.join().unwrap();
        sales.extend(mine);
    }
    stop.store(true, Ordering::Release);
    reaper.join().unwrap();

    // Every hold still current ends by expiry.
    clock.advance(Duration::from_secs(1));
    seating.reap();
    assert_eq!(seating.hold_count(), 0);

    for (i, sale) in sales.iter().enumerate() {
        for &seat in &sale.seats {
            if let Some(other) = owner.insert(seat, i) {
                panic!("seat {seat:?} sold twice: sales {other} and {i}");
            }
        }
    }
    let snap = seating.snapshot();
    for (seat, state) in snap.seats() {
        match state {
            SeatState::Sold => assert!(
                owner.contains_key(&seat),
                "{seat:?} sold by no confirmed hold"
            ),
            SeatState::Available => {
                assert!(!owner.contains_key(&seat), "{seat:?} sold but available")
            }
            other => panic!("{seat:?} is {other:?} after every hold ended"),
        }
    }
    assert_eq!(snap.counts().sold, owner.len());
    assert!(!sales.is_empty(), "the run sold nothing: it tested little");
}
