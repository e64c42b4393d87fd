//! Vendors' release waves: which seats of a seated event go on sale
//! together (a section, a block of rows, a price tier, or all of them).

use ticketpool_seats::{SeatError, Seating};

/// One release wave of a seated event's seats (see the crate docs,
/// "Seated events"). A seat not yet in any wave is not on sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wave {
    /// Nothing: the marker an event released in waves records before its
    /// seats first open, so that reopening it does not put every seat on
    /// sale (a journal without waves means "all at open"). It puts no seat
    /// on sale.
    Nothing,
    /// Every seat.
    All,
    /// Every seat of the section named.
    Section(String),
    /// Every seat of the price tier named, in every section.
    Tier(String),
    /// Rows `rows` (`"A-C"`, `"K"`) of a section.
    Block {
        /// The section's name.
        section: String,
        /// The rows, as a range of labels.
        rows: String,
    },
}

impl Wave {
    /// Puts the wave's seats on sale in `seating`; how many were not on
    /// sale before.
    ///
    /// # Errors
    ///
    /// [`SeatError::UnknownSection`], [`SeatError::UnknownTier`] or
    /// [`SeatError::UnknownRow`] for a name the map does not have (nothing
    /// is put on sale then).
    pub fn apply(&self, seating: &Seating) -> Result<usize, SeatError> {
        match self {
            Wave::Nothing => Ok(0),
            Wave::All => Ok(seating.release_all()),
            Wave::Section(section) => seating.release_section(section),
            Wave::Tier(tier) => seating.release_tier(tier),
            Wave::Block { section, rows } => seating.release_block(section, rows),
        }
    }
}
