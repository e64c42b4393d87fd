//! The baseline the lock-free seats are measured against: one byte of
//! state per seat, a `parking_lot::Mutex` per section. Same operations and
//! the same best-available rule, written the obvious way, and the same
//! hold bookkeeping as the crate's (an id, the seats, a price and an
//! expiry in 16 sharded maps with a cheap hasher), so that the comparison
//! is of the seat states alone.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use ticketpool_seats::SeatMap;

#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys")
    }
    fn write_u64(&mut self, id: u64) {
        self.0 = id.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_right(32);
    }
}

type Record = (Vec<Place>, i64, Instant);
type Shard = HashMap<u64, Record, BuildHasherDefault<IdHasher>>;

const AVAILABLE: u8 = 1;
const HELD: u8 = 2;

struct Section {
    /// Per seat of the section, in id order.
    states: Mutex<Vec<u8>>,
    /// (first index in `states`, length) per row, front first.
    rows: Vec<(usize, usize)>,
}

/// A seat: (section, index in it).
pub type Place = (usize, usize);

pub struct MutexSeating {
    sections: Vec<Section>,
    next: AtomicU64,
    holds: Vec<Mutex<Shard>>,
    /// Seat id -> place.
    places: Vec<Place>,
}

impl MutexSeating {
    /// Every seat of `map` available (a map without gaps).
    pub fn new(map: &SeatMap) -> Self {
        let names: Vec<&str> = map.sections().collect();
        let mut rows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); names.len()];
        let mut places = vec![(0, 0); map.slot_count()];
        let mut last_row: Option<(usize, String)> = None;
        for seat in map.seats() {
            let s = names.iter().position(|&n| n == seat.section).unwrap();
            let same = last_row
                .as_ref()
                .is_some_and(|(ls, lr)| *ls == s && lr.as_str() == seat.row);
            let len: usize = rows[s].iter().map(|r| r.1).sum();
            if !same {
                rows[s].push((len, 0));
                last_row = Some((s, seat.row.to_string()));
            }
            rows[s].last_mut().unwrap().1 += 1;
            places[seat.id.index()] = (s, len);
        }
        let sections = rows
            .into_iter()
            .map(|rows| {
                let n = rows.iter().map(|r| r.1).sum();
                Section {
                    states: Mutex::new(vec![AVAILABLE; n]),
                    rows,
                }
            })
            .collect();
        Self {
            sections,
            next: AtomicU64::new(1),
            holds: (0..16).map(|_| Mutex::new(Shard::default())).collect(),
            places,
        }
    }

    pub fn place(&self, id: ticketpool_seats::SeatId) -> Place {
        self.places[id.index()]
    }

    fn record(&self, seats: Vec<Place>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let price = 100 * seats.len() as i64;
        let expires = Instant::now() + Duration::from_secs(600);
        self.holds[id as usize % 16]
            .lock()
            .insert(id, (seats, price, expires));
        id
    }

    /// All or nothing, and recorded: the hold's id.
    pub fn hold(&self, seats: &[Place]) -> Option<u64> {
        self.claim(seats).then(|| self.record(seats.to_vec()))
    }

    /// Ends a hold: its seats are available again.
    pub fn release_hold(&self, id: u64) {
        let (seats, _, _) = self.holds[id as usize % 16].lock().remove(&id).unwrap();
        self.release(&seats);
    }

    /// All or nothing: locks the sections involved in ascending order.
    fn claim(&self, seats: &[Place]) -> bool {
        let mut involved: Vec<usize> = seats.iter().map(|p| p.0).collect();
        involved.sort_unstable();
        involved.dedup();
        let mut guards: Vec<_> = involved
            .iter()
            .map(|&s| (s, self.sections[s].states.lock()))
            .collect();
        let ok = seats.iter().all(|&(s, i)| {
            let g = &guards.iter().find(|g| g.0 == s).unwrap().1;
            g[i] == AVAILABLE
        });
        if ok {
            for &(s, i) in seats {
                guards.iter_mut().find(|g| g.0 == s).unwrap().1[i] = HELD;
            }
        }
        ok
    }

    fn release(&self, seats: &[Place]) {
        for &(s, i) in seats {
            self.sections[s].states.lock()[i] = AVAILABLE;
        }
    }

    /// Front row first, block centred nearest the row's centre, lowest
    /// seat on a tie: the crate's rule.
    pub fn best_available(&self, section: usize, n: usize) -> Option<u64> {
        let seats = self.best_block(section, n)?;
        Some(self.record(seats))
    }

    fn best_block(&self, section: usize, n: usize) -> Option<Vec<Place>> {
        let sec = &self.sections[section];
        let mut states = sec.states.lock();
        for &(start, len) in &sec.rows {
            let row = &states[start..start + len];
            let mut best: Option<(usize, usize)> = None;
            let mut run = 0;
            for (i, &state) in row.iter().enumerate() {
                run = if state == AVAILABLE { run + 1 } else { 0 };
                if run >= n {
                    let s = i + 1 - n;
                    let d = (2 * s + n).abs_diff(len);
                    if best.is_none_or(|(bd, bs)| (d, s) < (bd, bs)) {
                        best = Some((d, s));
                    }
                }
            }
            if let Some((_, s)) = best {
                for state in &mut states[start + s..start + s + n] {
                    *state = HELD;
                }
                return Some((start + s..start + s + n).map(|i| (section, i)).collect());
            }
        }
        None
    }

    /// Every seat's state byte, section by section.
    pub fn snapshot(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.places.len());
        for sec in &self.sections {
            out.extend_from_slice(&sec.states.lock());
        }
        out
    }
}
