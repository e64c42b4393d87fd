//! [`EventStatus`]: where an event is in its life.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where an event is in its life.
///
/// ```text
/// Draft --put_on_sale--> OnSale <--pause/resume--> Paused
///   OnSale, Paused --(every ticket sold; refresh)--> SoldOut
///   any but Past --cancel--> Cancelled
///   any but Cancelled --(start time passed; refresh)--> Past
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventStatus {
    /// Being prepared; not visible to buyers, anything may change.
    Draft,
    /// Its box office is open.
    OnSale,
    /// Its box office is paused: no new releases.
    Paused,
    /// Every ticket was sold.
    SoldOut,
    /// Called off; its box office is closed.
    Cancelled,
    /// It has started; its box office is closed.
    Past,
}

impl EventStatus {
    /// The status as users read it (`"on sale"`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Draft => "draft",
            EventStatus::OnSale => "on sale",
            EventStatus::Paused => "paused",
            EventStatus::SoldOut => "sold out",
            EventStatus::Cancelled => "cancelled",
            EventStatus::Past => "past",
        }
    }

    /// `true` once the event has a box office (it left the draft).
    pub fn has_office(self) -> bool {
        matches!(
            self,
            EventStatus::OnSale | EventStatus::Paused | EventStatus::SoldOut
        )
    }

    /// `true` for cancelled and past events: nothing about them changes.
    pub fn is_final(self) -> bool {
        matches!(self, EventStatus::Cancelled | EventStatus::Past)
    }
}

impl fmt::Display for EventStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
