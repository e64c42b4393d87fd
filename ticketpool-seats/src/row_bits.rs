//! The seats' live states: three bitmaps of atomic words, one bit per seat
//! slot, each row starting on a fresh word.
//!
//! - `on_sale`: a vendor released the seat (it stays set);
//! - `free`: the seat is available (on sale, neither held nor sold);
//! - `sold`: the seat is sold (it stays set).
//!
//! A seat is held when it is on sale and neither free nor sold. Claiming
//! seats clears their `free` bits with one compare-and-swap per word, and
//! only succeeds if all of the word's requested bits were set: whoever
//! clears a bit owns that seat until it sets the bit again (release) or
//! sets its `sold` bit (confirm). Nobody else writes a held seat's bits.
//!
//! A multi-word claim takes its words in ascending order and gives back
//! the ones it took when a later one fails. The fixed order means that of
//! two claims racing for overlapping seats one always wins: the loser fails
//! at a word the winner already holds, and the winner never meets a word
//! the loser holds (it would have had to pass it first).

use crate::primitive::{AtomicU64, Ordering};

/// One word's part of a claim: the word's index and the seats' bits.
pub(crate) type Mask = (usize, u64);

pub(crate) struct Bits {
    on_sale: Box<[AtomicU64]>,
    free: Box<[AtomicU64]>,
    sold: Box<[AtomicU64]>,
}

/// A claim that failed at `masks[at]`, where the word was `seen`; the
/// words before it were given back.
pub(crate) struct Conflict {
    pub(crate) at: usize,
    pub(crate) seen: u64,
}

fn words(n: usize) -> Box<[AtomicU64]> {
    (0..n).map(|_| AtomicU64::new(0)).collect()
}

impl Bits {
    pub(crate) fn new(words_n: usize) -> Self {
        Self {
            on_sale: words(words_n),
            free: words(words_n),
            sold: words(words_n),
        }
    }

    /// Clears every mask's bits in `free`, all or nothing. `masks` are in
    /// ascending word order, one per word.
    pub(crate) fn claim(&self, masks: &[Mask]) -> Result<(), Conflict> {
        for (i, &(word, mask)) in masks.iter().enumerate() {
            let cell = &self.free[word];
            let mut cur = cell.load(Ordering::Acquire);
            loop {
                if cur & mask != mask {
                    self.unclaim(&masks[..i]);
                    return Err(Conflict { at: i, seen: cur });
                }
                // AcqRel: the winner sees the releases of the seats' previous
                // owners (a hold given back) before it owns them.
                match cell.compare_exchange_weak(
                    cur,
                    cur & !mask,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                ) {
                    Ok(_) => break,
                    Err(now) => cur = now,
                }
            }
        }
        Ok(())
    }

    /// Gives claimed seats back: they are available again.
    pub(crate) fn unclaim(&self, masks: &[Mask]) {
        for &(word, mask) in masks {
            self.free[word].fetch_or(mask, Ordering::AcqRel);
        }
    }

    /// Marks claimed seats sold; their `free` bits stay clear for good.
    pub(crate) fn sell(&self, masks: &[Mask]) {
        for &(word, mask) in masks {
            self.sold[word].fetch_or(mask, Ordering::AcqRel);
        }
    }

    /// Takes claimed seats off sale: not on sale, not free, not sold (the
    /// claim's owner gives them up without making them available).
    pub(crate) fn withdraw(&self, masks: &[Mask]) {
        for &(word, mask) in masks {
            self.on_sale[word].fetch_and(!mask, Ordering::AcqRel);
        }
    }

    /// Puts seats on sale (those of `mask` that were not yet): they become
    /// available. Returns the bits that were new.
    pub(crate) fn put_on_sale(&self, word: usize, mask: u64) -> u64 {
        let before = self.on_sale[word].fetch_or(mask, Ordering::AcqRel);
        let new = mask & !before;
        if new != 0 {
            self.free[word].fetch_or(new, Ordering::AcqRel);
        }
        new
    }

    /// The word of `free` (1 = available).
    pub(crate) fn free(&self, word: usize) -> u64 {
        self.free[word].load(Ordering::Acquire)
    }

    /// One word of each bitmap: (on sale, sold, free), read in that order,
    /// so a seat reported held was held at some point during the read
    /// (see `snapshot.rs`).
    pub(crate) fn read(&self, word: usize) -> (u64, u64, u64) {
        let on_sale = self.on_sale[word].load(Ordering::Acquire);
        let sold = self.sold[word].load(Ordering::Acquire);
        let free = self.free[word].load(Ordering::Acquire);
        (on_sale, sold, free)
    }
}
