//! Shared by the seat-lease tests: venues, stocking, sales, table reads.

use ticketpool_persist::{LeasedSeat, SeatLeaseInventory, SeatSaleToCommit, StockSeat};
use ticketpool_seats::{SeatId, SeatMap, VenueConfig};

use super::{admin, params, Schema};

impl Schema {
    /// A node's connection to the seat inventory.
    pub fn seats(&self) -> SeatLeaseInventory {
        SeatLeaseInventory::connect(&params(), &self.0).expect("connect")
    }
}

/// A venue of `sections` (name, rows, seats per row), one tier at 60.00.
pub fn venue(sections: &[(&str, &str, &str)]) -> SeatMap {
    let mut toml = String::from("name = \"Hall\"\ntiers = { standard = 6000 }\n");
    for (name, rows, seats) in sections {
        toml.push_str(&format!(
            "[[sections]]\nname = \"{name}\"\ntier = \"standard\"\nrows = \"{rows}\"\nseats = \"{seats}\"\n"
        ));
    }
    VenueConfig::from_toml_str(&toml).expect("a valid venue")
}

/// Every seat of `map` on sale for `event`.
pub fn stock_venue(inventory: &mut SeatLeaseInventory, event: u64, map: &SeatMap) {
    let seats = StockSeat::from_map(map);
    assert_eq!(inventory.stock(event, &seats).unwrap(), seats.len() as u64);
}

/// The seat labelled `label` ("Stalls B-12").
pub fn seat(map: &SeatMap, label: &str) -> SeatId {
    map.find(label).unwrap_or_else(|| panic!("no seat {label}"))
}

/// Each seat sold to `customer` at its base price.
pub fn seat_sales(customer: &str, seats: &[LeasedSeat]) -> Vec<SeatSaleToCommit> {
    seats
        .iter()
        .map(|s| SeatSaleToCommit {
            seat: s.id,
            customer: customer.to_owned(),
            price: s.base_price,
        })
        .collect()
}

/// The seats' ids, lowest first.
pub fn seat_ids(seats: &[LeasedSeat]) -> Vec<SeatId> {
    seats.iter().map(|s| s.id).collect()
}

/// Each seat row of `event`: (seat, state, owner, customer), by seat.
pub fn seat_rows(schema: &Schema, event: u64) -> Vec<(u32, i16, Option<String>, Option<String>)> {
    admin()
        .query(
            &format!(
                "SELECT seat_id, state, lease_owner, customer FROM {}.lease_seats \
                 WHERE event_id = $1 ORDER BY seat_id",
                schema.0
            ),
            &[&(event as i64)],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get::<_, i64>(0) as u32, r.get(1), r.get(2), r.get(3)))
        .collect()
}

/// The state of one seat (0 on sale, 1 leased, 2 held, 3 sold).
pub fn state_of(schema: &Schema, event: u64, seat: SeatId) -> i16 {
    admin()
        .query_one(
            &format!(
                "SELECT state FROM {}.lease_seats WHERE event_id = $1 AND seat_id = $2",
                schema.0
            ),
            &[&(event as i64), &i64::from(seat.0)],
        )
        .unwrap()
        .get(0)
}
