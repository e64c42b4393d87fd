//! What happens in a box office: the one event type that live subscribers
//! see and that a [`Journal`](crate::Journal) records.

use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::office::ticket::{HoldId, Money, Sale, Ticket, TicketId};
use crate::pool::Priority;

/// One thing that happened in a box office, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A vendor joined and may release tickets of `ticket_types`.
    VendorAdded {
        /// The vendor's name.
        vendor: Arc<str>,
        /// The types it may release.
        ticket_types: Vec<Arc<str>>,
    },
    /// A vendor left; tickets it already released stay on sale.
    VendorRemoved {
        /// The vendor's name.
        vendor: Arc<str>,
    },
    /// A ticket went on sale.
    Released {
        /// The ticket.
        ticket: Ticket,
    },
    /// A customer took a ticket out of availability until `expires_at`.
    HoldPlaced {
        /// The hold.
        hold: HoldId,
        /// The ticket held.
        ticket: TicketId,
        /// Who holds it.
        customer: Arc<str>,
        /// The customer's priority.
        priority: Priority,
        /// The price fixed for the hold.
        price: Money,
        /// When the hold lapses unless confirmed.
        expires_at: SystemTime,
    },
    /// A hold was confirmed; a [`Event::Sold`] for the ticket follows.
    HoldConfirmed {
        /// The hold.
        hold: HoldId,
        /// The ticket.
        ticket: TicketId,
    },
    /// A hold was cancelled (or dropped); the ticket is available again.
    HoldCancelled {
        /// The hold.
        hold: HoldId,
        /// The ticket.
        ticket: TicketId,
    },
    /// A hold passed its deadline; the ticket is available again.
    HoldExpired {
        /// The hold.
        hold: HoldId,
        /// The ticket.
        ticket: TicketId,
    },
    /// A ticket was sold.
    Sold {
        /// The sale.
        sale: Sale,
    },
    /// Releases were paused by an admin.
    Paused,
    /// Releases were resumed by an admin.
    Resumed,
    /// Every ticket of the event has been sold.
    SoldOut,
    /// The box office was closed.
    Closed,
}

impl Event {
    /// `true` for the events a journal must make durable to rebuild the
    /// office (everything but pause, resume and the end-of-sale notices).
    pub fn is_durable(&self) -> bool {
        !matches!(
            self,
            Event::Paused | Event::Resumed | Event::SoldOut | Event::Closed
        )
    }
}
