//! A picture of every seat's state, for drawing a seat map, and counts by
//! section and tier.
//!
//! The snapshot copies the three state bitmaps word by word: 80,000 seats
//! are ~1,300 words of each, so it is cheap, and it stays compact (three
//! bits a seat) until read. It is not one instant across the venue: each
//! word is read on its own while buyers go on, and within a word the
//! bitmaps are read on-sale, sold, free, so a seat is shown in a state it
//! was in at some point during the read.

use std::sync::Arc;

use crate::map::{SeatId, SeatMap};
use crate::seating::Seating;
use crate::state::SeatState;

/// Seats in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StateCounts {
    /// Not on sale.
    pub not_on_sale: usize,
    /// Available.
    pub available: usize,
    /// Held.
    pub held: usize,
    /// Sold.
    pub sold: usize,
}

impl StateCounts {
    fn add_word(&mut self, present: u64, on_sale: u64, sold: u64, free: u64) {
        let sold = sold & present;
        let free = free & present & !sold;
        let held = on_sale & present & !sold & !free;
        self.sold += sold.count_ones() as usize;
        self.available += free.count_ones() as usize;
        self.held += held.count_ones() as usize;
        self.not_on_sale += (present & !on_sale).count_ones() as usize;
    }

    /// All seats counted.
    pub fn total(&self) -> usize {
        self.not_on_sale + self.available + self.held + self.sold
    }
}

/// Every seat's state at (about) one moment; see the module docs.
#[derive(Debug, Clone)]
pub struct SeatSnapshot {
    pub(crate) map: Arc<SeatMap>,
    pub(crate) on_sale: Vec<u64>,
    pub(crate) sold: Vec<u64>,
    pub(crate) free: Vec<u64>,
}

impl Seating {
    /// A snapshot of every seat's state, for drawing.
    pub fn snapshot(&self) -> SeatSnapshot {
        let n = self.map.word_count();
        let (mut on_sale, mut sold, mut free) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for w in 0..n {
            let (o, s, f) = self.bits.read(w);
            on_sale.push(o);
            sold.push(s);
            free.push(f);
        }
        SeatSnapshot {
            map: Arc::clone(&self.map),
            on_sale,
            sold,
            free,
        }
    }
}

impl SeatSnapshot {
    /// The seat's state, or `None` for an id that is no seat.
    pub fn state(&self, seat: SeatId) -> Option<SeatState> {
        self.map.seat(seat)?;
        let (w, bit) = self.map.word_bit(seat);
        Some(SeatState::of(
            self.on_sale[w] >> bit,
            self.sold[w] >> bit,
            self.free[w] >> bit,
        ))
    }

    /// Every seat with its state, row by row.
    pub fn seats(&self) -> impl Iterator<Item = (SeatId, SeatState)> + '_ {
        self.map.rows.iter().flat_map(move |row| {
            (0..row.len).filter_map(move |i| {
                let (w, bit) = ((row.word_base + i / 64) as usize, i % 64);
                (self.map.present[w] >> bit & 1 == 1).then(|| {
                    let state = SeatState::of(
                        self.on_sale[w] >> bit,
                        self.sold[w] >> bit,
                        self.free[w] >> bit,
                    );
                    (SeatId(row.slot_base + i), state)
                })
            })
        })
    }

    /// One line per row, `Section Row: ` and a letter per slot
    /// ([`SeatState::letter`], a space for a gap): a compact picture.
    pub fn rows_text(&self) -> String {
        let mut out = String::new();
        for row in &self.map.rows {
            out.push_str(&self.map.sections[row.section as usize].name);
            out.push(' ');
            out.push_str(&row.label);
            out.push_str(": ");
            for i in 0..row.len {
                let (w, bit) = ((row.word_base + i / 64) as usize, i % 64);
                out.push(if self.map.present[w] >> bit & 1 == 0 {
                    ' '
                } else {
                    SeatState::of(
                        self.on_sale[w] >> bit,
                        self.sold[w] >> bit,
                        self.free[w] >> bit,
                    )
                    .letter()
                });
            }
            out.push('\n');
        }
        out
    }

    /// Counts over the whole venue.
    pub fn counts(&self) -> StateCounts {
        self.counts_where(|_, _| true)
    }

    /// Counts per section, in config order.
    pub fn by_section(&self) -> Vec<(String, StateCounts)> {
        (0..self.map.sections.len())
            .map(|s| {
                let counts = self.counts_where(|section, _| section == s);
                (self.map.sections[s].name.clone(), counts)
            })
            .collect()
    }

    /// Counts per price tier, by tier name.
    pub fn by_tier(&self) -> Vec<(String, StateCounts)> {
        (0..self.map.tiers.len())
            .map(|t| {
                let counts = self.counts_where(|_, tier| tier == t);
                (self.map.tiers[t].name.clone(), counts)
            })
            .collect()
    }

    fn counts_where(&self, keep: impl Fn(usize, usize) -> bool) -> StateCounts {
        let mut counts = StateCounts::default();
        for row in &self.map.rows {
            if !keep(row.section as usize, row.tier as usize) {
                continue;
            }
            for w in row.word_base as usize..(row.word_base + row.words()) as usize {
                counts.add_word(
                    self.map.present[w],
                    self.on_sale[w],
                    self.sold[w],
                    self.free[w],
                );
            }
        }
        counts
    }
}
