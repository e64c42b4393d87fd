//! Vendors releasing tickets: the release loop behind the capacity gate,
//! and putting a ticket (new or given back) into its pool.

use std::sync::Arc;
use std::time::SystemTime;

use crate::office::error::BoxOfficeError;
use crate::office::event::Event;
use crate::office::state::Inner;
use crate::office::take::{wait_on, Wait};
use crate::office::ticket::{Ticket, TicketId};
use crate::office::vendors::VendorEntry;
use crate::pool::primitive::{Backoff, Ordering};

impl Inner {
    /// Releases one ticket of `ticket_type` for `vendor`.
    pub(crate) fn release(
        &self,
        vendor: &VendorEntry,
        ticket_type: &str,
        wait: Wait<'_>,
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
        let quota = self.stock.get(ty).quota;
        let max_capacity = self.config.max_capacity as u64;
        let backoff = Backoff::new();
        let mut state = self.lock();
        let mut timed_out = false;
        let id = loop {
            if vendor.is_removed() {
                return Err(BoxOfficeError::UnknownVendor(Arc::clone(&vendor.name)));
            }
            if state.closed {
                return Err(BoxOfficeError::Closed);
            }
            let type_done = quota.is_some_and(|q| state.by_type[ty].released >= q);
            if state.total.released >= self.config.total_tickets || type_done {
                return Err(BoxOfficeError::SoldOut);
            }
            let blocked = if state.paused {
                BoxOfficeError::Paused
            } else if state.in_office() >= max_capacity {
                BoxOfficeError::Full
            } else {
                let id = state.next_ticket_id;
                state.next_ticket_id += 1;
                state.apply(ty, &vendor.name, |c| c.release());
                state.note_release();
                self.gauges.copy_from(&state);
                break TicketId(id);
            };
            match wait {
                Wait::No => return Err(blocked),
                _ if timed_out => return Err(BoxOfficeError::Timeout),
                _ if matches!(blocked, BoxOfficeError::Full) && !backoff.is_completed() => {
                    // Spin off the lock until a sale makes room, then decide
                    // under it again. Every round snoozes at least once, so
                    // losing the slot to another vendor still moves the
                    // backoff towards parking.
                    drop(state);
                    loop {
                        backoff.snooze();
                        let room = self.gauges.in_office.load(Ordering::Relaxed) < max_capacity;
                        if room || backoff.is_completed() {
                            break;
                        }
                    }
                    state = self.lock();
                }
                Wait::Until(deadline) | Wait::Interruptible(deadline, _) => {
                    state.waiting_vendors += 1;
                    (state, timed_out) = wait_on(&self.room, state, deadline);
                    state.waiting_vendors -= 1;
                }
            }
        };
        drop(state);
        let stock = self.stock.get(ty);
        let ticket = Ticket {
            id,
            ticket_type: Arc::clone(&vendor.ticket_type_names[ty]),
            vendor: Arc::clone(&vendor.name),
            base_price: stock.base_price,
            released_at: SystemTime::now(),
        };
        // Built only for someone to hand it to: a release nobody journals,
        // subscribes to or logs skips two refcount round trips.
        if self.events.is_observed() {
            let event = Event::Released {
                ticket: ticket.clone(),
            };
            if let Err(err) = self.events.record(&event) {
                let mut state = self.lock();
                state.apply(ty, &vendor.name, |c| c.unrelease());
                self.gauges.copy_from(&state);
                drop(state);
                self.room.notify_one();
                return Err(err);
            }
        }
        self.restock(ticket.clone(), ty);
        Ok(ticket)
    }

    /// Puts a ticket (already counted available) into its pool and wakes
    /// the office's line.
    pub(super) fn restock(&self, ticket: Ticket, ty: usize) {
        if let Err(err) = self.stock.get(ty).try_put(ticket) {
            // Only a closed pool refuses: capacity is gated by the office.
            self.stranded.lock().push(err.into_inner());
        }
        // With one type every buyer waits inside its pool, which wakes it;
        // otherwise the line wakes its waiters, if any.
        if self.stock.len() > 1 {
            self.line.wake();
        }
    }
}
