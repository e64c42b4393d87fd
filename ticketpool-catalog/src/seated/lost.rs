//! Seats a shared supply lost (their lease lapsed, perhaps to another
//! process), taken off sale here so this process neither offers nor
//! sells them: a hold of one goes through the supply like any seat not
//! leased here.

use std::collections::HashSet;

use parking_lot::Mutex;
use ticketpool_seats::{SeatId, SeatState, Seating};

use super::SeatSupply;

/// The seats the supply reported lost that are not off sale here yet:
/// one held here when lost goes off sale once that hold ends without a
/// sale (available again); sold here (the supply refused the sale), it is
/// forgotten.
#[derive(Debug, Default)]
pub(super) struct LostSeats {
    pending: Mutex<HashSet<SeatId>>,
}

impl LostSeats {
    /// Takes the seats `supply` lost off sale on `seating` where they are
    /// available; returns how many went off sale. The caller keeps seats
    /// held through the supply from changing meanwhile.
    pub(super) fn withdraw(&self, supply: &dyn SeatSupply, seating: &Seating) -> usize {
        let fresh = supply.lost();
        let mut pending = self.pending.lock();
        pending.extend(fresh);
        if pending.is_empty() {
            return 0;
        }
        let mut withdrawn = 0;
        pending.retain(|&seat| match seating.state(seat) {
            // The engine takes seats off sale by ending a hold on them.
            Some(SeatState::Available) => match seating.hold(&[seat]) {
                Ok(hold) => {
                    if seating.withdraw_hold(hold.id).is_ok() {
                        withdrawn += 1;
                    }
                    false
                }
                // A buyer held it first: their sale is refused, or it
                // comes back here when their hold ends.
                Err(_) => true,
            },
            Some(SeatState::Held) => true,
            _ => false,
        });
        withdrawn
    }
}
