//! The four states of a seat.

/// What a seat is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatState {
    /// No vendor has released it yet.
    NotOnSale,
    /// On sale and free.
    Available,
    /// In a buyer's hold.
    Held,
    /// Sold.
    Sold,
}

impl SeatState {
    /// From one seat's bits (the low bit of each).
    pub(crate) fn of(on_sale: u64, sold: u64, free: u64) -> Self {
        if sold & 1 == 1 {
            SeatState::Sold
        } else if free & 1 == 1 {
            SeatState::Available
        } else if on_sale & 1 == 1 {
            SeatState::Held
        } else {
            SeatState::NotOnSale
        }
    }

    /// One letter for compact drawing: `-` not on sale, `a`, `h`, `s`.
    pub fn letter(self) -> char {
        match self {
            SeatState::NotOnSale => '-',
            SeatState::Available => 'a',
            SeatState::Held => 'h',
            SeatState::Sold => 's',
        }
    }
}
