//! [`EventStatus`]: where an event is in its life.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where an event is in its life.
///
/// ```text
/// Draft --put_on_sale--> OnSale <--pause/resume--> Paused
///   OnSale, Paused --(every ticket sold; refresh)--> SoldOut
///   OnSale, Paused, SoldOut --close_sales--> Closed
///   Draft, OnSale, Paused, SoldOut, Closed --cancel--> Cancelled
///   Draft, OnSale, Paused, SoldOut --(start time passed; refresh)--> Past
/// ```
///
/// Cancelled and Past are final: nothing about the event changes after.
/// Closed is final for sales (no resume, no edit, never made past or sold
/// out), but a show called off after its sales closed may still be
/// cancelled. Closed differs from Cancelled in what it means for buyers: the
/// event still takes place and every ticket sold stays valid; only the
/// box office is shut (no new holds or sales). Holds open at the moment
/// of closing keep their promise: they may still be confirmed until they
/// expire, and a lapsed one's ticket does not go back on sale.
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
    /// Sales closed by an admin: the event takes place, the tickets sold
    /// stay valid, its box office is closed (see the diagram above for
    /// open holds).
    Closed,
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
            EventStatus::Closed => "sales closed",
        }
    }

    /// `true` while the event's box office is open (on sale, paused or
    /// sold out): what vendors stock and buyers browse.
    pub fn has_office(self) -> bool {
        matches!(
            self,
            EventStatus::OnSale | EventStatus::Paused | EventStatus::SoldOut
        )
    }

    /// `true` for cancelled, closed and past events: their sales never
    /// reopen (a closed event may still be cancelled).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            EventStatus::Cancelled | EventStatus::Closed | EventStatus::Past
        )
    }

    /// `true` for events buyers may still see in listings: open box
    /// offices and closed sales (whose tickets stay valid).
    pub fn is_listed(self) -> bool {
        self.has_office() || self == EventStatus::Closed
    }
}

impl fmt::Display for EventStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
