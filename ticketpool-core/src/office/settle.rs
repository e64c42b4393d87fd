//! Holds through the office: placing one, and settling it (confirmed into
//! a sale, or its ticket back on sale when cancelled or expired).

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use crate::office::error::BoxOfficeError;
use crate::office::event::Event;
use crate::office::holds::{HoldEntry, HoldTerms};
use crate::office::state::Inner;
use crate::office::take::Wait;
use crate::office::ticket::{HoldId, Sale, Ticket};
use crate::office::trace::{self, Actor};
use crate::pool::primitive::Ordering;
use crate::pool::Priority;

impl Inner {
    /// Places a hold and returns its terms, for the caller's handle.
    pub(crate) fn reserve(
        &self,
        customer: &Arc<str>,
        priority: Priority,
        wanted: Option<&str>,
        wait: Wait<'_>,
    ) -> Result<HoldTerms, BoxOfficeError> {
        let (ticket, ty, waited) = self.acquire(customer, priority, wanted, wait)?;
        self.hold_taken(customer, priority, ticket, ty, waited)
    }

    /// Places a hold on a ticket of type `ty` just taken for `customer`
    /// (its limit slot claimed), who waited `waited` for it.
    pub(crate) fn hold_taken(
        &self,
        customer: &Arc<str>,
        priority: Priority,
        ticket: Ticket,
        ty: usize,
        waited: std::time::Duration,
    ) -> Result<HoldTerms, BoxOfficeError> {
        let price = self.price_of(&ticket, ty);
        let ttl = self.config.hold_ttl;
        let entry = HoldEntry {
            id: HoldId(self.next_hold_id.fetch_add(1, Ordering::Relaxed)),
            type_index: ty,
            customer: Arc::clone(customer),
            priority,
            price,
            deadline: Instant::now() + ttl,
            waited,
            ticket,
        };
        let expires_at = SystemTime::now() + ttl;
        // Built only for someone to hand it to, as for a release.
        let event = self.events.is_observed().then(|| Event::HoldPlaced {
            hold: entry.id,
            ticket: entry.ticket.id,
            customer: Arc::clone(customer),
            priority,
            price,
            expires_at,
        });
        if let Some(Err(err)) = event.as_ref().map(|event| self.events.write(event)) {
            self.unclaim_limit(customer);
            self.restock(entry.ticket, ty);
            return Err(err);
        }
        // Counted before the entry is visible to the reaper, so expiry
        // never un-holds a ticket not yet counted held.
        self.ledger.apply(ty, &entry.ticket.vendor, |c| c.hold());
        // Announced before the entry is visible too: with a tiny TTL the
        // reaper could otherwise announce `HoldExpired` first.
        if let Some(event) = &event {
            self.events.announce(event);
        }
        let terms = entry.terms(expires_at);
        let deadline = entry.deadline;
        self.holds.insert(entry);
        if let Some(reaper) = self.reaper.get() {
            reaper.kick(deadline);
        }
        Ok(terms)
    }

    /// Turns a hold (already taken from the table) into a sale.
    pub(crate) fn confirm_hold(&self, entry: HoldEntry) -> Result<Sale, BoxOfficeError> {
        let confirmed = Event::HoldConfirmed {
            hold: entry.id,
            ticket: entry.ticket.id,
        };
        if let Err(err) = self.record_if_observed(&confirmed) {
            self.settle_back(entry, None);
            return Err(err);
        }
        let sale = Sale {
            ticket: entry.ticket,
            customer: entry.customer,
            priority: entry.priority,
            price: entry.price,
            sold_at: SystemTime::now(),
            waited: entry.waited,
            hold: Some(entry.id),
        };
        let sold = self.commit_sale(sale, entry.type_index, true);
        self.hold_settled();
        sold
    }

    /// Puts a cancelled hold's ticket back on sale.
    pub(crate) fn cancel_hold(&self, entry: HoldEntry) {
        let event = Event::HoldCancelled {
            hold: entry.id,
            ticket: entry.ticket.id,
        };
        self.settle_back(entry, Some(event));
    }

    /// Puts an expired hold's ticket back on sale.
    pub(crate) fn expire(&self, entry: HoldEntry) {
        let event = Event::HoldExpired {
            hold: entry.id,
            ticket: entry.ticket.id,
        };
        self.settle_back(entry, Some(event));
    }

    /// A hold's ticket goes back on sale and its limit slot is freed. A
    /// journal error here is not the customer's: the ticket is back either
    /// way, and recovery puts unsold tickets back on sale anyway.
    fn settle_back(&self, entry: HoldEntry, event: Option<Event>) {
        self.ledger
            .apply(entry.type_index, &entry.ticket.vendor, |c| c.unhold());
        self.unclaim_limit(&entry.customer);
        if let Some(event) = &event {
            if let Err(err) = self.events.write(event) {
                let actor = Actor::Hold {
                    hold_id: entry.id.0,
                    ticket_id: entry.ticket.id.0,
                };
                trace::refused("settle_hold", actor, &err);
            }
        }
        self.restock(entry.ticket, entry.type_index);
        // Announced once the ticket is back: whoever sees the event can
        // buy it.
        if let Some(event) = &event {
            self.events.announce(event);
        }
        self.hold_settled();
    }

    /// A hold taken from the table is settled and its events published.
    fn hold_settled(&self) {
        self.holds.settled();
        self.end_streams_if_settled();
    }

    /// Records `event` if anyone would see it (see [`Pipeline::is_observed`](crate::office::pipeline::Pipeline::is_observed)).
    fn record_if_observed(&self, event: &Event) -> Result<(), BoxOfficeError> {
        if self.events.is_observed() {
            self.events.record(event)?;
        }
        Ok(())
    }
}
