//! What changed between two snapshots of one seating: the change feed a
//! live seat map is drawn from (the service sends these as deltas instead
//! of the whole map).
//!
//! Word by word: only words whose bits differ are looked into, so two
//! snapshots of an 80,000-seat venue with a few changes compare in a few
//! microseconds.

use std::sync::Arc;

use crate::map::SeatId;
use crate::snapshot::SeatSnapshot;
use crate::state::SeatState;

impl SeatSnapshot {
    /// Every seat whose state differs in `self` from `older`, with its
    /// state in `self`, in seat order. Snapshots of different maps differ
    /// in every seat.
    pub fn changes_since(&self, older: &SeatSnapshot) -> Vec<(SeatId, SeatState)> {
        if !Arc::ptr_eq(&self.map, &older.map) {
            return self.seats().collect();
        }
        let mut changes = Vec::new();
        for row in &self.map.rows {
            for w in 0..row.words() {
                let word = (row.word_base + w) as usize;
                let differs = (self.on_sale[word] ^ older.on_sale[word])
                    | (self.sold[word] ^ older.sold[word])
                    | (self.free[word] ^ older.free[word]);
                let mut bits = differs & self.map.present[word];
                while bits != 0 {
                    let bit = bits.trailing_zeros();
                    bits &= bits - 1;
                    let state = SeatState::of(
                        self.on_sale[word] >> bit,
                        self.sold[word] >> bit,
                        self.free[word] >> bit,
                    );
                    let before = SeatState::of(
                        older.on_sale[word] >> bit,
                        older.sold[word] >> bit,
                        older.free[word] >> bit,
                    );
                    // Bits may differ with the state the same (a sold
                    // seat's free bit, say): only real changes count.
                    if state != before {
                        changes.push((SeatId(row.slot_base + w * 64 + bit), state));
                    }
                }
            }
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::{SeatState, Seating, VenueConfig};

    fn seating() -> Seating {
        let config: VenueConfig = toml::from_str(
            r#"
            name = "Hall"
            [tiers]
            stalls = 1000
            [[sections]]
            name = "Stalls"
            tier = "stalls"
            rows = "A-C"
            seats = "1-70"
            skip = ["B-3"]
            "#,
        )
        .unwrap();
        let seating = Seating::new(Arc::new(config.build().unwrap()));
        seating.release_all();
        seating
    }

    #[test]
    fn names_exactly_the_seats_that_changed() {
        let seating = seating();
        let before = seating.snapshot();
        assert!(seating.snapshot().changes_since(&before).is_empty());
        let map = seating.map();
        let a1 = map.find("Stalls A-1").unwrap();
        let b70 = map.find("Stalls B-70").unwrap();
        let c66 = map.find("Stalls C-66").unwrap();
        let held = seating.hold(&[a1, b70]).unwrap();
        let sold = seating.hold(&[c66]).unwrap();
        seating.confirm(sold.id).unwrap();
        let after = seating.snapshot();
        assert_eq!(
            after.changes_since(&before),
            vec![
                (a1, SeatState::Held),
                (b70, SeatState::Held),
                (c66, SeatState::Sold)
            ]
        );
        seating.release_hold(held.id).unwrap();
        assert_eq!(
            seating.snapshot().changes_since(&after),
            vec![(a1, SeatState::Available), (b70, SeatState::Available)]
        );
    }
}
