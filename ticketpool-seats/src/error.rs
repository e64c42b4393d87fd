//! What can go wrong: a venue config's problems, and a seat operation's.

use std::fmt;

use crate::hold::HoldId;
use crate::map::SeatId;
use crate::state::SeatState;

/// A venue config that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// The text is not a venue document (toml's message, with the line).
    #[error("venue config is not valid TOML: {message}")]
    Parse {
        /// toml's message.
        message: String,
    },
    /// The document reads but describes an impossible venue: every
    /// problem found, in config order.
    #[error("venue config has {} problem(s):\n{}", problems.len(), list(problems))]
    Invalid {
        /// Each problem with where it is.
        problems: Vec<ConfigProblem>,
    },
}

impl ConfigError {
    /// The problems found (none for a parse error).
    pub fn problems(&self) -> &[ConfigProblem] {
        match self {
            ConfigError::Parse { .. } => &[],
            ConfigError::Invalid { problems } => problems,
        }
    }
}

fn list(problems: &[ConfigProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One problem in a venue config, and where it is
/// (`section "Stalls", skip "C-5..40"`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigProblem {
    /// Where: the section and field, with the user's text.
    pub at: String,
    /// What.
    pub problem: Problem,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.problem)
    }
}

/// What is wrong, in the user's words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    /// The venue has no sections.
    #[error("the venue has no sections")]
    NoSections,
    /// A name is empty.
    #[error("the name is empty")]
    EmptyName,
    /// A row or seat range that does not read.
    #[error("bad range {text:?}: {why}")]
    BadRange {
        /// The range as written.
        text: String,
        /// Why it does not read.
        why: &'static str,
    },
    /// Two sections with one name.
    #[error("section {name:?} is defined twice")]
    DuplicateSection {
        /// The name.
        name: String,
    },
    /// A tier that is not in `[tiers]`.
    #[error("unknown price tier {name:?} (the venue's tiers: {known})")]
    UnknownTier {
        /// The tier as written.
        name: String,
        /// The tiers there are, comma separated.
        known: String,
    },
    /// A tier priced below zero.
    #[error("price {price} is negative")]
    NegativePrice {
        /// The price in minor units.
        price: i64,
    },
    /// A row that the section does not have.
    #[error("row {row:?} is not one of the section's rows ({rows})")]
    RowNotInSection {
        /// The row as written.
        row: String,
        /// The section's rows as written.
        rows: String,
    },
    /// A seat (a gap, a flag) beyond its row's seats.
    #[error("seat {seat} is outside row {row}, which has seats {first}-{last}")]
    SeatOutsideRow {
        /// The row.
        row: String,
        /// The seat number.
        seat: u32,
        /// The row's first seat number.
        first: u32,
        /// The row's last seat number.
        last: u32,
    },
    /// A seat flagged accessible, companion or restricted that is a gap.
    #[error("seat {row}-{seat} is a gap (in skip), so it cannot be {flag}")]
    FlagOnGap {
        /// The row.
        row: String,
        /// The seat number.
        seat: u32,
        /// The flag ("accessible", "companion", "restricted").
        flag: &'static str,
    },
    /// A row given two seat ranges or two tiers.
    #[error("row {row} is given twice in {field}")]
    RowTwice {
        /// The row.
        row: String,
        /// The field ("row_seats", "row_tiers").
        field: &'static str,
    },
    /// A row longer than a row may be.
    #[error("row {row} has {seats} seats, more than {max}")]
    RowTooLong {
        /// The row.
        row: String,
        /// Its seats.
        seats: u64,
        /// The most a row may have.
        max: u32,
    },
    /// A section with more rows than it may have.
    #[error("{rows} rows, more than {max}")]
    TooManyRows {
        /// The rows asked for.
        rows: u32,
        /// The most a section may have.
        max: u32,
    },
    /// More seats in the venue than it may hold.
    #[error("the venue has {seats} seat places, more than {max}")]
    TooManySeats {
        /// The seat places (gaps included).
        seats: u64,
        /// The most a venue may have.
        max: u64,
    },
}

/// A seat operation that could not be done.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SeatError {
    /// A seat id that is not in this map, or a gap.
    #[error("no seat {0:?} in this venue")]
    UnknownSeat(SeatId),
    /// A seat label that names no seat.
    #[error("no seat labelled {0:?} in this venue")]
    UnknownLabel(String),
    /// A section name that is not in the venue.
    #[error("no section {0:?} in this venue")]
    UnknownSection(String),
    /// A tier name that is not in the venue.
    #[error("no price tier {0:?} in this venue")]
    UnknownTier(String),
    /// A row that is not in the section.
    #[error("no row {row:?} in section {section:?}")]
    UnknownRow {
        /// The section.
        section: String,
        /// The row as asked.
        row: String,
    },
    /// A hold of no seats, or a seat asked for twice.
    #[error("a hold needs at least one seat, each named once")]
    BadRequest,
    /// Some of the seats asked for are not available: nothing was held.
    #[error("{} seat(s) not available, nothing held", .seats.len())]
    Unavailable {
        /// Each seat that was not available, with the state it was seen in.
        seats: Vec<(SeatId, SeatState)>,
    },
    /// No block of that many adjacent available seats (with the flags
    /// asked for) in the section or tier.
    #[error("no {wanted} adjacent seats available")]
    NoBlock {
        /// The seats wanted.
        wanted: usize,
    },
    /// The hold is not current: released, confirmed or reaped already.
    #[error("hold {0:?} is not current (released, confirmed or expired)")]
    NoSuchHold(HoldId),
    /// The hold expired before it was confirmed; its seats are available
    /// again.
    #[error("hold {0:?} expired")]
    Expired(HoldId),
    /// Waiting for seats has ended for good ([`Seating::end_waits`]: the
    /// sale closed); nothing is held.
    ///
    /// [`Seating::end_waits`]: crate::Seating::end_waits
    #[error("the seat sale has ended: nobody waits for seats any more")]
    WaitsEnded,
}

pub(crate) fn problem(at: String, problem: Problem) -> ConfigProblem {
    ConfigProblem { at, problem }
}
