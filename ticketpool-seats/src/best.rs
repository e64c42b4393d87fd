//! Best available: N adjacent seats (same row, consecutive slots with no
//! gap), held in one step.
//!
//! # The rule
//!
//! 1. Rows nearest the front of their section first (row A of every
//!    section before row B of any); among rows equally far back, the
//!    section listed first in the config.
//! 2. In a row, the block whose centre is nearest the row's centre (the
//!    centre of the row's slots, gaps included: the physical middle).
//! 3. Ties: the block with the lowest seat number.
//!
//! With `accessible`, a block must also hold at least one accessible
//! place and, for two seats or more, at least one companion seat.
//!
//! A block found free may be taken by another buyer before this one
//! claims it; the claim then fails as a whole and the row is scanned again
//! (a bounded number of times, then the next row).

use crate::error::SeatError;
use crate::hold::SeatHold;
use crate::line::{Wanted, Where};
use crate::map::{RowInfo, SeatId};
use crate::row_bits::Mask;
use crate::seating::Seating;
use crate::validate::MAX_ROW_SEATS;

/// Where best-available looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area<'a> {
    /// One section, by name.
    Section(&'a str),
    /// Every row of one price tier, by name.
    Tier(&'a str),
    /// The whole venue.
    Anywhere,
}

/// A best-available request: how many adjacent seats, where, and whether
/// the block must include an accessible place and a companion seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BestAvailable<'a> {
    /// How many adjacent seats.
    pub seats: usize,
    /// Where.
    pub area: Area<'a>,
    /// Whether the block must include an accessible place (and a companion
    /// seat, for two seats or more).
    pub accessible: bool,
}

impl<'a> BestAvailable<'a> {
    /// `seats` adjacent seats anywhere.
    pub fn anywhere(seats: usize) -> Self {
        Self {
            seats,
            area: Area::Anywhere,
            accessible: false,
        }
    }

    /// `seats` adjacent seats in a section.
    pub fn in_section(section: &'a str, seats: usize) -> Self {
        Self {
            area: Area::Section(section),
            ..Self::anywhere(seats)
        }
    }

    /// `seats` adjacent seats in a price tier.
    pub fn in_tier(tier: &'a str, seats: usize) -> Self {
        Self {
            area: Area::Tier(tier),
            ..Self::anywhere(seats)
        }
    }

    /// The block must include an accessible place (and a companion seat).
    pub fn accessible(mut self) -> Self {
        self.accessible = true;
        self
    }
}

/// Rescans of one row that lost its block to another buyer before moving on.
const RETRIES_PER_ROW: usize = 64;

const ROW_WORDS: usize = (MAX_ROW_SEATS as usize).div_ceil(64);

impl Seating {
    /// Holds the best block of adjacent available seats (see the rule in
    /// the crate docs), at the tiers' prices now.
    ///
    /// # Errors
    ///
    /// [`SeatError::UnknownSection`] or [`SeatError::UnknownTier`] for an
    /// area the venue lacks, [`SeatError::BadRequest`] for zero seats, and
    /// [`SeatError::NoBlock`] when no block fits.
    pub fn best_available(&self, want: BestAvailable<'_>) -> Result<SeatHold, SeatError> {
        let n = want.seats;
        if n == 0 {
            return Err(SeatError::BadRequest);
        }
        let map = &*self.map;
        // A section's rows are a range, front first; a tier's or the
        // venue's are the rows front first across sections.
        let (section_rows, ordered, tier) = match want.area {
            Area::Section(name) => {
                let s = map
                    .section_index(name)
                    .ok_or_else(|| SeatError::UnknownSection(name.to_string()))?;
                (map.sections[s].rows.clone(), &[][..], None)
            }
            Area::Tier(name) => {
                let t = map
                    .tier_index(name)
                    .ok_or_else(|| SeatError::UnknownTier(name.to_string()))?;
                (0..0, &map.by_depth[..], Some(t as u16))
            }
            Area::Anywhere => (0..0, &map.by_depth[..], None),
        };
        let rows = section_rows.chain(ordered.iter().copied());
        if n > MAX_ROW_SEATS as usize {
            return Err(SeatError::NoBlock { wanted: n });
        }
        for r in rows {
            let row = &map.rows[r as usize];
            if tier.is_some_and(|t| t != row.tier) || (row.len as usize) < n {
                continue;
            }
            if want.accessible && !self.row_has_accessible(row) {
                continue;
            }
            for _ in 0..RETRIES_PER_ROW {
                let Some(start) = self.best_in_row(row, n, want.accessible) else {
                    break;
                };
                let masks = block_masks(row, start, n);
                if self.bits.claim(&masks).is_ok() {
                    let seats = (0..n as u32)
                        .map(|i| SeatId(row.slot_base + start + i))
                        .collect();
                    return Ok(self.record(seats, masks, Some(row.tier)));
                }
            }
        }
        Err(SeatError::NoBlock { wanted: n })
    }

    fn row_has_accessible(&self, row: &RowInfo) -> bool {
        let words = row.word_base as usize..(row.word_base + row.words()) as usize;
        self.map.accessible[words].iter().any(|&w| w != 0)
    }

    /// The start (slot offset in the row) of the best free block of `n`.
    fn best_in_row(&self, row: &RowInfo, n: usize, accessible: bool) -> Option<u32> {
        let mut free = [0_u64; ROW_WORDS];
        let words = row.words() as usize;
        let base = row.word_base as usize;
        for (i, word) in free.iter_mut().enumerate().take(words) {
            *word = self.bits.free(base + i);
        }
        let free = &free[..words];
        if free.iter().all(|&w| w == 0) {
            return None;
        }
        let (n, len) = (n as u32, row.len);
        // Distance of a block's centre from the row's centre, doubled so
        // it stays whole: |(2s + n - 1) - (len - 1)|.
        let distance = |s: u32| (2 * s + n).abs_diff(len);
        let mut best: Option<(u32, u32)> = None;
        let mut consider = |s: u32| {
            let d = distance(s);
            if best.is_none_or(|(bd, bs)| (d, s) < (bd, bs)) {
                best = Some((d, s));
            }
        };
        let bit = |words: &[u64], i: u32| words[(i / 64) as usize] >> (i % 64) & 1 == 1;
        for_each_run(free, len, |a, b| {
            if b - a < n {
                return;
            }
            let last = b - n;
            if accessible {
                let acc = &self.map.accessible[base..base + words];
                let comp = &self.map.companion[base..base + words];
                for s in a..=last {
                    let has_acc = (s..s + n).any(|i| bit(acc, i));
                    let has_comp = n == 1 || (s..s + n).any(|i| bit(comp, i));
                    if has_acc && has_comp {
                        consider(s);
                    }
                }
            } else {
                // The ideal start is (len - n) / 2; the best in [a, last]
                // is it clamped, or the one after when it is a half.
                let ideal = ((len - n) / 2).clamp(a, last);
                consider(ideal);
                if ideal < last {
                    consider(ideal + 1);
                }
            }
        });
        best.map(|(_, s)| s)
    }
}

/// Calls `f(a, b)` for each maximal run of set bits `[a, b)` in the first
/// `len` bits of `words`.
fn for_each_run(words: &[u64], len: u32, mut f: impl FnMut(u32, u32)) {
    let mut pos = 0;
    let mut start = None;
    while pos < len {
        let left = 64 - pos % 64;
        let w = words[(pos / 64) as usize] >> (pos % 64);
        if w & 1 == 1 {
            start.get_or_insert(pos);
            pos += w.trailing_ones().min(left);
        } else {
            if let Some(a) = start.take() {
                f(a, pos);
            }
            pos += if w == 0 {
                left
            } else {
                w.trailing_zeros().min(left)
            };
        }
    }
    if let Some(a) = start {
        f(a, pos.min(len));
    }
}

/// The masks of slots `[start, start + n)` of a row.
fn block_masks(row: &RowInfo, start: u32, n: usize) -> Vec<Mask> {
    let mut masks: Vec<Mask> = Vec::with_capacity(2);
    for i in start..start + n as u32 {
        let (w, bit) = ((row.word_base + i / 64) as usize, i % 64);
        match masks.last_mut() {
            Some((last, m)) if *last == w => *m |= 1 << bit,
            _ => masks.push((w, 1 << bit)),
        }
    }
    masks
}

#[cfg(all(test, not(ticketpool_loom)))]
mod tests {
    use super::for_each_run;

    #[test]
    fn runs_across_words() {
        let words = [0b1110_0000_u64 | 1 << 63, 0b11, 0];
        let mut runs = Vec::new();
        for_each_run(&words, 150, |a, b| runs.push((a, b)));
        assert_eq!(runs, [(5, 8), (63, 66)]);
        let full = [u64::MAX, u64::MAX >> 30];
        let mut runs = Vec::new();
        for_each_run(&full, 98, |a, b| runs.push((a, b)));
        assert_eq!(runs, [(0, 98)]);
    }
}

impl Wanted {
    /// The owned form of a request, kept while it waits.
    pub(crate) fn of(want: &BestAvailable<'_>) -> Self {
        let area = match want.area {
            Area::Section(name) => Where::Section(name.to_string()),
            Area::Tier(name) => Where::Tier(name.to_string()),
            Area::Anywhere => Where::Anywhere,
        };
        Self {
            seats: want.seats,
            area,
            accessible: want.accessible,
        }
    }

    /// The request again, to try it.
    pub(crate) fn request(&self) -> BestAvailable<'_> {
        let area = match &self.area {
            Where::Section(name) => Area::Section(name),
            Where::Tier(name) => Area::Tier(name),
            Where::Anywhere => Area::Anywhere,
        };
        BestAvailable {
            seats: self.seats,
            area,
            accessible: self.accessible,
        }
    }
}
