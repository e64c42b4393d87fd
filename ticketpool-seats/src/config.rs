//! The venue's seat map as written in a config file (TOML), before
//! validation: ranges and seat lists are still text here, so that
//! [`VenueConfig::build`] can report every problem with the user's words.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A venue: its price tiers and its sections, in drawing order.
///
/// See the crate docs for the format with an example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VenueConfig {
    /// The venue's name ("Grand Hall").
    pub name: String,
    /// Price tiers by name, each a price per seat in minor units (cents).
    #[serde(default)]
    pub tiers: BTreeMap<String, i64>,
    /// The sections, front of house first.
    #[serde(default)]
    pub sections: Vec<SectionConfig>,
}

/// One section: a block of rows by seats, with gaps and flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionConfig {
    /// The section's name, unique in the venue ("Stalls").
    pub name: String,
    /// The price tier of its seats, unless a row says otherwise.
    pub tier: String,
    /// The rows, front first: a range of letters (`"A-T"`, `"A-AD"`) or of
    /// numbers (`"1-40"`), or one row (`"A"`).
    pub rows: String,
    /// The seat numbers of every row (`"1-30"`), unless `row_seats` says
    /// otherwise for a row.
    pub seats: String,
    /// Rows with other seat numbers: row range -> seat range
    /// (`{ "A-B" = "3-28" }`), for the narrower rows at the front.
    #[serde(default)]
    pub row_seats: BTreeMap<String, String>,
    /// Rows in another price tier: row range -> tier (`{ "A-C" = "premium" }`).
    #[serde(default)]
    pub row_tiers: BTreeMap<String, String>,
    /// Gaps: seats that do not exist (an aisle, a pillar), as seat lists
    /// (`"C-5..7"`: row C, seats 5 to 7; `"D-1"`: one seat).
    #[serde(default)]
    pub skip: Vec<String>,
    /// Wheelchair places, as seat lists.
    #[serde(default)]
    pub accessible: Vec<String>,
    /// Companion seats next to them, as seat lists.
    #[serde(default)]
    pub companion: Vec<String>,
    /// Seats with a restricted view, as seat lists.
    #[serde(default)]
    pub restricted: Vec<String>,
    /// Where the section's first seat (front row, lowest number) is drawn;
    /// each seat is one unit right of the previous, each row one unit back.
    #[serde(default)]
    pub x: f32,
    /// See `x`.
    #[serde(default)]
    pub y: f32,
}
