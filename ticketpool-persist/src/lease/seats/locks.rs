//! The rows a hold or a confirmation locks, and the rules that decide,
//! under those locks, whether a node may hold or sell each seat.

use super::table::{HELD, LEASED, ON_SALE, SOLD};
use super::types::SeatSaleToCommit;
use crate::error::PersistError;

/// A seat row as locked for a hold or a confirmation.
pub(super) struct LockedSeat {
    /// The seat's id, as stored.
    pub id: i64,
    state: i16,
    owner: Option<String>,
    live: bool,
    customer: Option<String>,
    price: Option<i64>,
}

impl LockedSeat {
    /// From a row of the `lock` statement.
    pub(super) fn read(row: &postgres::Row) -> Result<Self, PersistError> {
        Ok(Self {
            id: row.try_get(0)?,
            state: row.try_get(1)?,
            owner: row.try_get(2)?,
            live: row.try_get(3)?,
            customer: row.try_get(4)?,
            price: row.try_get(5)?,
        })
    }

    fn owned_by(&self, node: &str) -> bool {
        self.owner.as_deref() == Some(node)
    }

    /// May `node` hold this seat for `customer` now?
    pub(super) fn holdable_by(&self, node: &str, customer: &str) -> bool {
        match self.state {
            ON_SALE => true,
            LEASED => !self.live || self.owned_by(node),
            // A live hold only by a retry of the same hold.
            HELD => {
                !self.live || (self.owned_by(node) && self.customer.as_deref() == Some(customer))
            }
            _ => false,
        }
    }

    /// Is this seat held, live, by `node` for `customer`?
    pub(super) fn confirmable_by(&self, node: &str, customer: &str) -> bool {
        self.state == HELD
            && self.live
            && self.owned_by(node)
            && self.customer.as_deref() == Some(customer)
    }

    /// Did an earlier try record exactly this sale?
    pub(super) fn sold_as(&self, node: &str, sale: &SeatSaleToCommit) -> bool {
        self.state == SOLD
            && self.owned_by(node)
            && self.customer.as_deref() == Some(sale.customer.as_str())
            && self.price == Some(sale.price.minor())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locked(state: i16, owner: Option<&str>, live: bool, customer: Option<&str>) -> LockedSeat {
        LockedSeat {
            id: 1,
            state,
            owner: owner.map(str::to_owned),
            live,
            customer: customer.map(str::to_owned),
            price: None,
        }
    }

    #[test]
    fn who_may_hold_a_seat() {
        assert!(locked(ON_SALE, None, false, None).holdable_by("n1", "ada"));
        assert!(locked(LEASED, Some("n1"), true, None).holdable_by("n1", "ada"));
        assert!(!locked(LEASED, Some("n2"), true, None).holdable_by("n1", "ada"));
        assert!(locked(LEASED, Some("n2"), false, None).holdable_by("n1", "ada"));
        assert!(locked(HELD, Some("n1"), true, Some("ada")).holdable_by("n1", "ada"));
        assert!(!locked(HELD, Some("n1"), true, Some("bob")).holdable_by("n1", "ada"));
        assert!(!locked(HELD, Some("n2"), true, Some("ada")).holdable_by("n1", "ada"));
        assert!(locked(HELD, Some("n2"), false, Some("bob")).holdable_by("n1", "ada"));
        assert!(!locked(SOLD, Some("n1"), false, Some("ada")).holdable_by("n1", "ada"));
    }
}
