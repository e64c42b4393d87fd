//! Vendors releasing tickets: reserving room for the ticket's type, waiting
//! for it, and putting a ticket (new or given back) into its pool.

use std::sync::Arc;
use std::time::SystemTime;

use crate::office::counters::{NoRoom, Room, MAX_CHOSEN_ID};
use crate::office::error::BoxOfficeError;
use crate::office::event::Event;
use crate::office::state::Inner;
use crate::office::take::{wait_on, Wait};
use crate::office::ticket::{Ticket, TicketId};
use crate::office::vendors::VendorEntry;
use crate::pool::primitive::Ordering;

impl Inner {
    /// Releases one ticket of `ticket_type` for `vendor`, numbered by the
    /// office.
    pub(crate) fn release(
        &self,
        vendor: &VendorEntry,
        ticket_type: &str,
        wait: Wait<'_>,
    ) -> Result<Ticket, BoxOfficeError> {
        self.release_numbered(vendor, ticket_type, wait, |room, ty| room.reserve(ty))
    }

    /// Releases one ticket of `ticket_type` for `vendor` as ticket `id`.
    pub(crate) fn release_as(
        &self,
        vendor: &VendorEntry,
        ticket_type: &str,
        id: TicketId,
        wait: Wait<'_>,
    ) -> Result<Ticket, BoxOfficeError> {
        self.release_numbered(vendor, ticket_type, wait, |room, ty| {
            room.claim_id(id.0)?;
            room.reserve_room(ty).map(|()| id.0)
        })
    }

    /// A release whose room and id come from `number`: generic, so the
    /// office-numbered path compiles to what it was before chosen ids.
    fn release_numbered(
        &self,
        vendor: &VendorEntry,
        ticket_type: &str,
        wait: Wait<'_>,
        number: impl Fn(&Room, usize) -> Result<u64, NoRoom>,
    ) -> Result<Ticket, BoxOfficeError> {
        let ty = self
            .stock
            .index_of(ticket_type)
            .ok_or_else(|| BoxOfficeError::UnknownTicketType(Arc::from(ticket_type)))?;
        if !vendor.may_release(ty) {
            return Err(BoxOfficeError::VendorNotAllowed {
                vendor: Arc::clone(&vendor.name),
                ticket_type: Arc::clone(&self.stock.get(ty).name),
            });
        }
        let mut spin = Some(self.room_spin.start(true));
        let mut timed_out = false;
        let id = loop {
            let blocked = match self.admit(vendor, ty, &number) {
                Ok(id) => break id,
                Err(blocked @ (BoxOfficeError::Full | BoxOfficeError::Paused)) => blocked,
                Err(other) => return Err(other),
            };
            match wait {
                Wait::No => return Err(blocked),
                _ if timed_out => return Err(BoxOfficeError::Timeout),
                _ if matches!(blocked, BoxOfficeError::Full) && spin.is_some() => {
                    // A short adaptive spin for a sale to make room (see
                    // `pool::spin`: its yields stop when they hand the CPU
                    // to busy loops), then park. Sixteen plain yields here
                    // made the office collapse on an oversubscribed machine
                    // as the pools did (issue 14). One spin per release, so
                    // losing the room to another vendor leads to parking.
                    let mut this = spin.take().expect("checked above");
                    let mut found = false;
                    while this.round() {
                        if self.room_left.has_room(ty) {
                            found = true;
                            break;
                        }
                    }
                    if found {
                        this.paid_off();
                    }
                }
                Wait::Until(deadline) | Wait::Interruptible(deadline, _) => {
                    let state = self.lock();
                    // Counted before looking again (see `Room::give_back`):
                    // a sale that frees room after the look sees a waiter,
                    // and takes this lock to wake it, so it cannot slip in
                    // between the look and the wait.
                    self.gauges.vendors_waiting.fetch_add(1, Ordering::SeqCst);
                    let still_blocked = if state.closed || state.sold_out || vendor.is_removed() {
                        false
                    } else if state.paused {
                        true
                    } else {
                        !self.room_left.has_room(ty) && !self.room_left.sold_out(ty)
                    };
                    if still_blocked {
                        (_, timed_out) = wait_on(&self.room, state, deadline);
                    }
                    self.gauges.vendors_waiting.fetch_sub(1, Ordering::SeqCst);
                }
            }
        };
        let stock = self.stock.get(ty);
        let ticket = Ticket {
            id,
            ticket_type: vendor.ticket_type_names[ty].clone(),
            vendor: vendor.ticket_name.clone(),
            base_price: stock.base_price,
            released_at: SystemTime::now(),
        };
        // Built only for someone to hand it to: a release nobody journals,
        // subscribes to or logs skips a copy of the ticket (and, for names
        // too long to be inline, two refcount round trips).
        let event = self.events.is_observed().then(|| Event::Released {
            ticket: ticket.clone(),
        });
        if let Some(event) = &event {
            if let Err(err) = self.events.write(event) {
                self.room_left.unreserve(ty);
                self.wake_vendors();
                return Err(err);
            }
        }
        // Counted available only once journaled: counted before, a snapshot
        // showed the ticket on sale for the whole journal write (an fsync)
        // while no buyer could take it yet.
        self.ledger.apply(ty, &ticket.vendor, |c| c.release());
        if let Some(event) = &event {
            self.events.announce(event);
        }
        self.restock(ticket.clone(), ty);
        Ok(ticket)
    }

    /// One attempt at room for a ticket of type `ty`: its id, or why not.
    fn admit(
        &self,
        vendor: &VendorEntry,
        ty: usize,
        number: &impl Fn(&Room, usize) -> Result<u64, NoRoom>,
    ) -> Result<TicketId, BoxOfficeError> {
        if vendor.is_removed() {
            return Err(BoxOfficeError::UnknownVendor(Arc::clone(&vendor.name)));
        }
        if self.gauges.closed.load(Ordering::Acquire) {
            return Err(BoxOfficeError::Closed);
        }
        if self.room_left.sold_out(ty) || self.gauges.sold_out.load(Ordering::Acquire) {
            return Err(BoxOfficeError::SoldOut);
        }
        if self.gauges.paused.load(Ordering::Acquire) {
            return Err(BoxOfficeError::Paused);
        }
        match number(&self.room_left, ty) {
            Ok(id) => Ok(TicketId(id)),
            Err(NoRoom::Full) => Err(BoxOfficeError::Full),
            Err(NoRoom::SoldOut) => {
                // The room reserved first was given back: a vendor that saw
                // it taken meanwhile may be parked.
                self.wake_vendors();
                Err(BoxOfficeError::SoldOut)
            }
            Err(NoRoom::Chosen) => {
                // Given back too.
                self.wake_vendors();
                Err(BoxOfficeError::Numbering(
                    "this office's tickets carry ids its vendors choose (release_as): \
                     it numbers none itself"
                        .to_owned(),
                ))
            }
            Err(NoRoom::Numbered) => Err(BoxOfficeError::Numbering(
                "this office numbered tickets itself: a chosen id (release_as) could repeat one"
                    .to_owned(),
            )),
            Err(NoRoom::TooLarge) => Err(BoxOfficeError::Numbering(format!(
                "a chosen ticket id must be at most {MAX_CHOSEN_ID}"
            ))),
        }
    }

    /// Wakes parked vendors, if any, after room was given back. The lock
    /// is taken (and let go) first, so a vendor between its look at the
    /// room and its wait is either before the look or already waiting.
    pub(super) fn wake_vendors(&self) {
        if self.gauges.vendors_waiting.load(Ordering::SeqCst) > 0 {
            drop(self.lock());
            self.room.notify_all();
        }
    }

    /// Puts a ticket (already counted available) into its pool and wakes
    /// the office's line.
    pub(super) fn restock(&self, ticket: Ticket, ty: usize) {
        // A future waiting in line gets it first, if one may (a closed
        // office sells nothing more, so it keeps the ticket then).
        let ticket = if self.gauges.closed.load(Ordering::Acquire) {
            ticket
        } else {
            match self.line.hand_off(ticket, ty, self) {
                Some(ticket) => ticket,
                None => return,
            }
        };
        if let Err(err) = self.stock.get(ty).try_put(ticket) {
            // Only a closed pool refuses: capacity is gated by the office.
            self.stranded.lock().push(err.into_inner());
        }
        // Blocking buyers of a single-type office wait inside its pool,
        // which wakes them; the line wakes its own waiters (blocking ones
        // with several types, futures always), if any.
        self.line.wake();
    }
}
