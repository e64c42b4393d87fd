//! Selling: the price of a ticket now, the sale committed (journaled, then
//! counted and logged), and the sold-out check that closes the pools.

use std::sync::Arc;
use std::time::SystemTime;

use crate::office::counters::Counters;
use crate::office::error::BoxOfficeError;
use crate::office::event::Event;
use crate::office::pricing::PriceContext;
use crate::office::state::Inner;
use crate::office::take::{Wait, Want};
use crate::office::ticket::{Money, Sale, Ticket};
use crate::pool::primitive::{MutexGuard, Ordering};
use crate::pool::Priority;

impl Inner {
    /// The price of `ticket` of type `ty` now. The base is the ticket's
    /// own, fixed when it was released: a ticket restored from a journal
    /// sells at the price it went on sale at, whatever the configuration
    /// says today.
    pub(super) fn price_of(&self, ticket: &Ticket, ty: usize) -> Money {
        let stock = self.stock.get(ty);
        let gauges = &self.gauges;
        let remaining =
            (self.config.total_tickets).saturating_sub(gauges.sold.load(Ordering::Relaxed));
        let waiting = gauges.waiting(Priority::Vip).load(Ordering::Relaxed)
            + gauges.waiting(Priority::Regular).load(Ordering::Relaxed);
        self.pricing.price(&PriceContext {
            ticket_type: &stock.name,
            base_price: ticket.base_price,
            total_tickets: self.config.total_tickets,
            remaining,
            waiting,
        })
    }

    /// Buys a ticket now.
    pub(crate) fn buy(
        &self,
        customer: &Arc<str>,
        priority: Priority,
        want: &Want,
        wait: Wait<'_>,
    ) -> Result<Sale, BoxOfficeError> {
        let (ticket, ty, waited) = self.acquire(customer, priority, want, wait)?;
        let sale = Sale {
            price: self.price_of(&ticket, ty),
            ticket,
            customer: Arc::clone(customer),
            priority,
            sold_at: SystemTime::now(),
            waited,
            hold: None,
        };
        self.commit_sale(sale, ty, false)
    }

    /// Journals a sale, then counts it. On a journal error the ticket goes
    /// back on sale and the customer's limit slot is freed.
    pub(super) fn commit_sale(
        &self,
        sale: Sale,
        ty: usize,
        held: bool,
    ) -> Result<Sale, BoxOfficeError> {
        let event = Event::Sold { sale };
        if let Err(err) = self.events.record(&event) {
            let Event::Sold { sale } = event else {
                unreachable!("built as Sold above");
            };
            if held {
                self.lock().apply(ty, &sale.ticket.vendor, |c| c.unhold());
            }
            self.unclaim_limit(&sale.customer);
            self.restock(sale.ticket, ty);
            return Err(err);
        }
        let Event::Sold { sale } = event else {
            unreachable!("built as Sold above");
        };
        // Cloned before locking: the clone bumps refcounts every thread
        // shares, which should not lengthen the critical section.
        let logged = sale.clone();
        let mut state = self.lock();
        state.apply(ty, &sale.ticket.vendor, |c| c.sell(held));
        state.revenue += sale.price;
        self.gauges.copy_from(&state);
        // The sales log is appended under the same lock, so it never
        // disagrees with a snapshot's sold count.
        self.sales.push(logged);
        self.check_sold_out(state, Some(ty));
        self.room.notify_one();
        Ok(sale)
    }

    /// Closes a type's pool once its quota is sold (`ty`, or every type),
    /// and every pool once the event is, so no buyer waits on tickets that
    /// cannot come. Takes the state lock already held, and releases it.
    pub(crate) fn check_sold_out(&self, mut state: MutexGuard<'_, Counters>, ty: Option<usize>) {
        let types = match ty {
            Some(ty) => ty..ty + 1,
            None => 0..self.stock.len(),
        };
        for i in types {
            let stock = self.stock.get(i);
            if stock.quota.is_some_and(|q| state.by_type[i].sold >= q) {
                stock.close();
                // Buyers of that type waiting in the line learn it.
                self.line.wake_all();
            }
        }
        if state.sold_out || state.total.sold < self.config.total_tickets {
            return;
        }
        state.sold_out = true;
        drop(state);
        self.stock.close_all();
        self.room.notify_all();
        self.line.wake_all();
        self.events.announce(&Event::SoldOut);
    }
}
