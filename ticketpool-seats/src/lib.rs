//! Seat maps for ticketpool: a venue's sections, rows and seats from a
//! compact config, and one event's seats sold lock-free on it.
//!
//! - [`VenueConfig`] (TOML) -> [`SeatMap`]: sections -> rows -> seats, each
//!   [`Seat`] with a label (`Stalls B-12`), a drawing position, a price
//!   tier and flags. Validation lists every problem at once in a
//!   [`ConfigError`] ([`ConfigProblem`], [`Problem`]).
//! - [`Seating`]: each seat not on sale, available, held or sold
//!   ([`SeatState`]), in per-row bitmaps of atomic words. Vendors release
//!   seats in waves (a section, a block of rows, a tier); buyers
//!   [`hold`](Seating::hold) named seats all or nothing, or take the
//!   [`best_available`](Seating::best_available) block of N adjacent seats
//!   ([`BestAvailable`], [`Area`]); a [`SeatHold`] has each seat's price
//!   ([`SeatPrices`]: its tier's) fixed when made and an expiry, and ends by [`confirm`](Seating::confirm) (a
//!   [`SeatSale`]), [`release_hold`](Seating::release_hold) or
//!   [`reap`](Seating::reap). Time comes from a [`Clock`]
//!   ([`ManualClock`] in tests).
//! - [`SeatSnapshot`]: every seat's state for drawing, and
//!   [`StateCounts`] by section and tier.
//! - [`SeatWait`]: a best-available request that waits, as a future
//!   ([`Seating::wait_best_available`]), and is served when seats free up:
//!   VIPs first, then first come first served; a waiter no freed block
//!   fits keeps its place without holding back those behind it.
//!
//! # The config
//!
//! ```toml
//! name = "Grand Hall"
//!
//! [tiers]                  # price per seat, in cents
//! premium = 9500
//! standard = 6000
//!
//! [[sections]]
//! name = "Stalls"
//! tier = "standard"
//! rows = "A-T"             # front first; letters (A-Z, AA..) or numbers ("1-40")
//! seats = "1-30"           # the seat numbers of every row
//! row_seats = { "A-B" = "3-28" }        # narrower front rows
//! row_tiers = { "A-C" = "premium" }     # rows in another tier
//! skip = ["C-5..7", "T-29..30"]         # gaps: row C seats 5 to 7 do not exist
//! accessible = ["T-1..2"]               # wheelchair places
//! companion = ["T-3"]                   # companion seats beside them
//! restricted = ["S-1..4"]               # restricted view
//! x = 0.0                  # where seat A-1 is drawn; one unit per seat and row
//! y = 0.0
//! ```
//!
//! A gap keeps its place (seat C-8 is still drawn at C-8's position) and
//! breaks adjacency: best-available never spans it.
//!
//! # The best-available rule
//!
//! Rows nearest the front of their section first (across sections: row A
//! of each before any row B, then config order); in a row, the block whose
//! centre is nearest the row's centre (gaps count as places); ties go to
//! the lowest seat number. With [`BestAvailable::accessible`] the block
//! must include an accessible place and, for two seats or more, a
//! companion seat.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use ticketpool_seats::{BestAvailable, ManualClock, SeatError, SeatState, Seating, VenueConfig};
//!
//! let map = VenueConfig::from_toml_str(r#"
//!     name = "Grand Hall"
//!     tiers = { standard = 6000 }
//!     [[sections]]
//!     name = "Stalls"
//!     tier = "standard"
//!     rows = "A-B"
//!     seats = "1-8"
//!     skip = ["A-4"]
//! "#).unwrap();
//! let clock = Arc::new(ManualClock::new());
//! let seating = Seating::with_clock(Arc::new(map), clock.clone())
//!     .with_hold_duration(Duration::from_secs(60));
//! seating.release_section("Stalls").unwrap(); // the vendor's wave
//!
//! // Row A has a gap at 4, so the best 3 are the middle of row A's right part.
//! let hold = seating.best_available(BestAvailable::in_section("Stalls", 3)).unwrap();
//! let labels: Vec<String> =
//!     hold.seats.iter().map(|&s| seating.map().seat(s).unwrap().to_string()).collect();
//! assert_eq!(labels, ["Stalls A-5", "Stalls A-6", "Stalls A-7"]);
//! assert_eq!(hold.price.minor(), 18_000);
//!
//! // Named seats, all or nothing: A-7 is held, so B-1 is not held either.
//! let clash = seating.hold_labels(&["Stalls B-1", "Stalls A-7"]);
//! assert!(matches!(clash, Err(SeatError::Unavailable { .. })));
//! let b1 = seating.map().find("Stalls B-1").unwrap();
//! assert_eq!(seating.state(b1), Some(SeatState::Available));
//!
//! let sale = seating.confirm(hold.id).unwrap();
//! assert_eq!(seating.state(sale.seats[0]), Some(SeatState::Sold));
//!
//! // A hold left to lapse is reaped, and its seats are available again.
//! let lapsing = seating.hold_labels(&["Stalls B-1"]).unwrap();
//! clock.advance(Duration::from_secs(61));
//! assert_eq!(seating.reap(), 1);
//! assert_eq!(seating.state(lapsing.seats[0]), Some(SeatState::Available));
//! println!("{}", seating.snapshot().rows_text());
//! ```

mod best;
mod clock;
mod config;
mod diff;
mod error;
mod hold;
mod line;
mod map;
mod prices;
mod primitive;
mod ranges;
mod row_bits;
mod seating;
mod snapshot;
mod state;
mod validate;
mod waiting;

pub use crate::best::{Area, BestAvailable};
pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use crate::config::{SectionConfig, VenueConfig};
pub use crate::error::{ConfigError, ConfigProblem, Problem, SeatError};
pub use crate::hold::{HoldId, SeatHold, SeatSale};
pub use crate::map::{Seat, SeatId, SeatMap};
pub use crate::prices::SeatPrices;
pub use crate::seating::{Seating, DEFAULT_HOLD};
pub use crate::snapshot::{SeatSnapshot, StateCounts};
pub use crate::state::SeatState;
pub use crate::waiting::SeatWait;
