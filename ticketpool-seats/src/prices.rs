//! Each held seat's price, fixed when the hold was made.
//!
//! A hold's record is on the hot path, so a hold whose seats are all in
//! one tier (every best-available hold: one row) stores the one price and
//! allocates nothing; a mixed-tier hold stores one price per seat in a
//! single shared allocation that its record, its [`SeatHold`] and its
//! [`SeatSale`] share.
//!
//! [`SeatHold`]: crate::SeatHold
//! [`SeatSale`]: crate::SeatSale

use std::sync::Arc;

use ticketpool_core::Money;

/// The price of each seat of a hold or sale, in the order of its seats.
#[derive(Clone)]
pub struct SeatPrices(Repr);

#[derive(Clone)]
enum Repr {
    /// `seats` seats, each at `price`.
    Same { price: Money, seats: u32 },
    /// One price per seat.
    Each(Arc<[Money]>),
}

impl SeatPrices {
    /// `seats` seats all at `price`.
    pub fn same(price: Money, seats: usize) -> Self {
        Self(Repr::Same {
            price,
            seats: u32::try_from(seats).unwrap_or(u32::MAX),
        })
    }

    /// One price per seat, in order.
    pub fn each(prices: impl IntoIterator<Item = Money>) -> Self {
        Self(Repr::Each(prices.into_iter().collect()))
    }

    /// How many seats.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Same { seats, .. } => *seats as usize,
            Repr::Each(prices) => prices.len(),
        }
    }

    /// `true` for no seats.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The price of the `i`-th seat, or `None` past the last.
    pub fn get(&self, i: usize) -> Option<Money> {
        match &self.0 {
            Repr::Same { price, seats } => (i < *seats as usize).then_some(*price),
            Repr::Each(prices) => prices.get(i).copied(),
        }
    }

    /// Each seat's price, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Money> + '_ {
        (0..self.len()).map(move |i| match &self.0 {
            Repr::Same { price, .. } => *price,
            Repr::Each(prices) => prices[i],
        })
    }

    /// Each seat's price, in order, as a vector.
    pub fn to_vec(&self) -> Vec<Money> {
        self.iter().collect()
    }

    /// What all the seats cost together (saturating, as [`Money`] adds).
    pub fn total(&self) -> Money {
        match &self.0 {
            Repr::Same { price, seats } => {
                Money::from_minor(price.minor().saturating_mul(i64::from(*seats)))
            }
            Repr::Each(prices) => prices.iter().copied().sum(),
        }
    }
}

impl PartialEq for SeatPrices {
    /// Equal when each seat's price is: how they are stored does not count.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for SeatPrices {}

impl std::fmt::Debug for SeatPrices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_price_and_a_price_per_seat_read_and_compare_alike() {
        let m = Money::from_minor;
        let same = SeatPrices::same(m(4_000), 3);
        let each = SeatPrices::each([m(4_000); 3]);
        assert_eq!(same, each);
        assert_eq!(same.to_vec(), vec![m(4_000); 3]);
        assert_eq!(same.total(), m(12_000));
        assert_eq!(same.get(2), Some(m(4_000)));
        assert_eq!(same.get(3), None);
        let mixed = SeatPrices::each([m(9_000), m(4_000)]);
        assert_ne!(mixed, SeatPrices::same(m(6_500), 2));
        assert_eq!(mixed.total(), m(13_000));
        assert_eq!(mixed.iter().len(), 2);
        assert_eq!(format!("{mixed:?}"), "[Money(9000), Money(4000)]");
    }
}
