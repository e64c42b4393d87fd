//! The seat map: a venue's sections, rows and seats, immutable once built.
//! The live states of one event's seats are a [`Seating`] over it.
//!
//! Seats are numbered by a flat [`SeatId`]: the rows one after another,
//! each row one slot per seat number from its first to its last, gaps
//! included (a gap is a slot that is never a seat). Each row also starts on
//! a fresh 64-bit word of the state bitmaps, so a row's states are whole
//! words and a block of adjacent seats spans at most two of them per 64.
//!
//! [`Seating`]: crate::Seating

use std::collections::HashMap;
use std::fmt;

use ticketpool_core::Money;

/// One seat place of a [`SeatMap`]: the rows in order, one slot per seat
/// number (gaps included, so ids of one row are consecutive numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeatId(pub u32);

impl SeatId {
    /// The index, for tables indexed by seat.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

pub(crate) const PRESENT: u8 = 1;
pub(crate) const ACCESSIBLE: u8 = 2;
pub(crate) const COMPANION: u8 = 4;
pub(crate) const RESTRICTED: u8 = 8;

/// A price tier.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tier {
    pub(crate) name: String,
    pub(crate) price: Money,
}

/// A section: a run of rows.
#[derive(Debug, Clone)]
pub(crate) struct SectionInfo {
    pub(crate) name: String,
    /// Its rows' indices in `SeatMap::rows`.
    pub(crate) rows: std::ops::Range<u32>,
    pub(crate) row_by_label: HashMap<String, u32>,
}

/// A row: a run of seat slots and of bitmap words.
#[derive(Debug, Clone)]
pub(crate) struct RowInfo {
    pub(crate) section: u32,
    pub(crate) label: String,
    /// The seat number of the first slot.
    pub(crate) first_number: u32,
    /// Slots (last number - first number + 1).
    pub(crate) len: u32,
    /// The first slot's `SeatId`.
    pub(crate) slot_base: u32,
    /// The first word of the row in the bitmaps.
    pub(crate) word_base: u32,
    /// How far back in its section (0 = front row): the best-available rule.
    pub(crate) depth: u32,
    pub(crate) tier: u16,
    pub(crate) x: f32,
    pub(crate) y: f32,
}

impl RowInfo {
    pub(crate) fn words(&self) -> u32 {
        self.len.div_ceil(64)
    }
}

/// A venue's seat map: sections -> rows -> seats, each seat with a label,
/// a drawing position, a price tier and flags. Built from a
/// [`VenueConfig`](crate::VenueConfig); cheap to share behind an `Arc`.
#[derive(Debug, Clone)]
pub struct SeatMap {
    pub(crate) name: String,
    pub(crate) tiers: Vec<Tier>,
    pub(crate) sections: Vec<SectionInfo>,
    pub(crate) rows: Vec<RowInfo>,
    /// Per slot: `PRESENT | ACCESSIBLE | COMPANION | RESTRICTED`.
    pub(crate) flags: Vec<u8>,
    /// Per bitmap word: which slots are seats (gaps and the tail of the
    /// row's last word are 0).
    pub(crate) present: Vec<u64>,
    pub(crate) accessible: Vec<u64>,
    pub(crate) companion: Vec<u64>,
    pub(crate) seats: u32,
    /// Row indices front first across sections: (depth, config order).
    pub(crate) by_depth: Vec<u32>,
}

/// One seat as the map describes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seat<'a> {
    /// Its id.
    pub id: SeatId,
    /// Its section's name.
    pub section: &'a str,
    /// Its row's label.
    pub row: &'a str,
    /// Its number in the row.
    pub number: u32,
    /// Where to draw it (x right, y back from the stage).
    pub x: f32,
    /// See `x`.
    pub y: f32,
    /// Its price tier's name.
    pub tier: &'a str,
    /// A wheelchair place.
    pub accessible: bool,
    /// A companion seat.
    pub companion: bool,
    /// A seat with a restricted view.
    pub restricted_view: bool,
}

impl fmt::Display for Seat<'_> {
    /// The label: `Stalls B-12`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}-{}", self.section, self.row, self.number)
    }
}

impl SeatMap {
    /// The venue's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many seats (gaps left out).
    pub fn seat_count(&self) -> usize {
        self.seats as usize
    }

    /// How many seat ids there are (gaps included): ids run `0..slot_count`.
    pub fn slot_count(&self) -> usize {
        self.flags.len()
    }

    /// The section names, in config order.
    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|s| s.name.as_str())
    }

    /// The tiers and their prices as configured, by name.
    pub fn tiers(&self) -> impl Iterator<Item = (&str, Money)> {
        self.tiers.iter().map(|t| (t.name.as_str(), t.price))
    }

    /// The seat with this id, or `None` for a gap or an id beyond the map.
    pub fn seat(&self, id: SeatId) -> Option<Seat<'_>> {
        let flags = *self.flags.get(id.index())?;
        if flags & PRESENT == 0 {
            return None;
        }
        let row = &self.rows[self.row_of(id)];
        let offset = id.0 - row.slot_base;
        Some(Seat {
            id,
            section: &self.sections[row.section as usize].name,
            row: &row.label,
            number: row.first_number + offset,
            x: row.x + offset as f32,
            y: row.y,
            tier: &self.tiers[row.tier as usize].name,
            accessible: flags & ACCESSIBLE != 0,
            companion: flags & COMPANION != 0,
            restricted_view: flags & RESTRICTED != 0,
        })
    }

    /// Every seat, row by row (gaps left out).
    pub fn seats(&self) -> impl Iterator<Item = Seat<'_>> + '_ {
        (0..self.flags.len() as u32).filter_map(|i| self.seat(SeatId(i)))
    }

    /// The seat in `section`, `row`, numbered `number`.
    pub fn seat_id(&self, section: &str, row: &str, number: u32) -> Option<SeatId> {
        let section = self.sections.iter().find(|s| s.name == section)?;
        let row = &self.rows[*section.row_by_label.get(row)? as usize];
        let offset = number.checked_sub(row.first_number)?;
        let id = SeatId(row.slot_base + offset);
        (offset < row.len && self.flags[id.index()] & PRESENT != 0).then_some(id)
    }

    /// The seat labelled `"Stalls B-12"` (section, space, row, dash,
    /// number), as [`Seat`]'s `Display` writes it.
    pub fn find(&self, label: &str) -> Option<SeatId> {
        let (section, place) = label.trim().rsplit_once(' ')?;
        let (row, number) = place.rsplit_once('-')?;
        self.seat_id(section.trim(), row, number.parse().ok()?)
    }

    /// The index of the row of slot `id` (ids within the map).
    pub(crate) fn row_of(&self, id: SeatId) -> usize {
        self.rows.partition_point(|r| r.slot_base <= id.0) - 1
    }

    /// The bitmap word and bit of slot `id` (ids within the map).
    pub(crate) fn word_bit(&self, id: SeatId) -> (usize, u32) {
        let row = &self.rows[self.row_of(id)];
        let offset = id.0 - row.slot_base;
        ((row.word_base + offset / 64) as usize, offset % 64)
    }

    /// How many bitmap words the rows take.
    pub(crate) fn word_count(&self) -> usize {
        self.present.len()
    }

    pub(crate) fn section_index(&self, name: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.name == name)
    }

    pub(crate) fn tier_index(&self, name: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t.name == name)
    }
}
