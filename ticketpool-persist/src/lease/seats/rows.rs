//! Reading `lease_seats` rows and checking requests, for
//! [`SeatLeaseInventory`](super::SeatLeaseInventory).

use std::collections::HashSet;
use std::time::SystemTime;

use ticketpool_core::Money;
use ticketpool_seats::SeatId;

use super::types::{LeasedSeat, SeatSaleToCommit};
use crate::error::PersistError;

/// Seats from the rows a lease or a hold returned, lowest ids first.
pub(super) fn seats_of(
    rows: &[postgres::Row],
    location: &str,
) -> Result<Vec<LeasedSeat>, PersistError> {
    let mut seats = rows
        .iter()
        .map(|row| {
            Ok(LeasedSeat {
                id: seat_id(row.try_get(0)?, location)?,
                section: row.try_get(1)?,
                row: row.try_get(2)?,
                number: u32::try_from(row.try_get::<_, i64>(3)?)
                    .map_err(|_| bad_row(location, "a seat number out of range"))?,
                base_price: Money::from_minor(row.try_get(4)?),
                expires: row.try_get::<_, SystemTime>(5)?,
            })
        })
        .collect::<Result<Vec<_>, PersistError>>()?;
    seats.sort_by_key(|s| s.id);
    Ok(seats)
}

/// A seat id read back from the table (stocked from a `u32`).
pub(super) fn seat_id(id: i64, location: &str) -> Result<SeatId, PersistError> {
    u32::try_from(id)
        .map(SeatId)
        .map_err(|_| bad_row(location, &format!("seat id {id} out of range")))
}

/// A `lease_seats` row this build cannot read.
fn bad_row(location: &str, detail: &str) -> PersistError {
    PersistError::BadRow {
        location: location.to_owned(),
        detail: format!("lease_seats: {detail}"),
    }
}

/// The ids as the statements take them.
pub(super) fn sql_ids(seats: &[SeatId]) -> Vec<i64> {
    seats.iter().map(|s| i64::from(s.0)).collect()
}

/// A group's ids, customers and prices, as the statements take them.
pub(super) fn sale_columns(sales: &[SeatSaleToCommit]) -> (Vec<i64>, Vec<&str>, Vec<i64>) {
    (
        sales.iter().map(|s| i64::from(s.seat.0)).collect(),
        sales.iter().map(|s| s.customer.as_str()).collect(),
        sales.iter().map(|s| s.price.minor()).collect(),
    )
}

/// Each seat once: a seat twice in one request is a bug in the node.
pub(super) fn distinct(seats: impl Iterator<Item = SeatId>) -> Result<(), PersistError> {
    let mut seen = HashSet::new();
    for seat in seats {
        if !seen.insert(seat) {
            return Err(PersistError::LeaseRequest(format!(
                "seat {} appears twice in one request",
                seat.0
            )));
        }
    }
    Ok(())
}

/// A customer name: any non-empty text.
pub(super) fn check_customer(customer: &str) -> Result<(), PersistError> {
    if customer.is_empty() {
        return Err(PersistError::LeaseRequest(
            "a hold must name its customer".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seat_twice_is_refused_in_words() {
        let err = distinct([SeatId(3), SeatId(4), SeatId(3)].into_iter()).unwrap_err();
        assert!(err.to_string().contains("seat 3 appears twice"), "{err}");
        assert!(check_customer("")
            .unwrap_err()
            .to_string()
            .contains("customer"));
    }
}
