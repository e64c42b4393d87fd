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
#[non_exhaustive]
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
    /// The event's kind in snake case (`"released"`, `"hold_placed"`,
    /// `"sold_out"`...): the one spelling the journal, tracing, the Python
    /// bindings and the CLI use, and the `kind` tag of its serde form.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::VendorAdded { .. } => "vendor_added",
            Event::VendorRemoved { .. } => "vendor_removed",
            Event::Released { .. } => "released",
            Event::HoldPlaced { .. } => "hold_placed",
            Event::HoldConfirmed { .. } => "hold_confirmed",
            Event::HoldCancelled { .. } => "hold_cancelled",
            Event::HoldExpired { .. } => "hold_expired",
            Event::Sold { .. } => "sold",
            Event::Paused => "paused",
            Event::Resumed => "resumed",
            Event::SoldOut => "sold_out",
            Event::Closed => "closed",
        }
    }
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    /// `kind()` is the serde tag, so the journal, tracing and Python
    /// (which use `kind()`) and the JSON form never disagree.
    #[test]
    fn kind_is_the_serde_tag_of_every_event() {
        let ticket = Ticket {
            id: TicketId(1),
            ticket_type: "a".into(),
            vendor: "v".into(),
            base_price: Money::from_minor(100),
            released_at: SystemTime::UNIX_EPOCH,
        };
        let (hold, id) = (HoldId(2), TicketId(1));
        let events = [
            Event::VendorAdded {
                vendor: Arc::from("v"),
                ticket_types: vec![Arc::from("a")],
            },
            Event::VendorRemoved {
                vendor: Arc::from("v"),
            },
            Event::Released {
                ticket: ticket.clone(),
            },
            Event::HoldPlaced {
                hold,
                ticket: id,
                customer: Arc::from("c"),
                priority: Priority::Vip,
                price: Money::from_minor(100),
                expires_at: SystemTime::UNIX_EPOCH,
            },
            Event::HoldConfirmed { hold, ticket: id },
            Event::HoldCancelled { hold, ticket: id },
            Event::HoldExpired { hold, ticket: id },
            Event::Sold {
                sale: Sale {
                    ticket,
                    customer: Arc::from("c"),
                    priority: Priority::Regular,
                    price: Money::from_minor(100),
                    sold_at: SystemTime::UNIX_EPOCH,
                    waited: Duration::ZERO,
                    hold: None,
                },
            },
            Event::Paused,
            Event::Resumed,
            Event::SoldOut,
            Event::Closed,
        ];
        let mut kinds = std::collections::HashSet::new();
        for event in &events {
            let json = serde_json::to_value(event).unwrap();
            assert_eq!(json["kind"], event.kind(), "{event:?}");
            assert!(
                kinds.insert(event.kind()),
                "two events spell {}",
                event.kind()
            );
        }
    }
}
