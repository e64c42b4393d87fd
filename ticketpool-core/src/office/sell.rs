//! Selling: the price of a ticket now, the sale committed (journaled, then
//! counted and logged), and the sold-out check that closes the pools.

use std::sync::Arc;
use std::time::SystemTime;

use crate::office::error::BoxOfficeError;
use crate::office::event::Event;
use crate::office::pricing::PriceContext;
use crate::office::state::Inner;
use crate::office::take::Wait;
use crate::office::ticket::{Money, Sale, Ticket};
use crate::pool::primitive::Ordering;
use crate::pool::Priority;

impl Inner {
    /// The price of `ticket` of type `ty` now. The base is the ticket's
    /// own, fixed when it was released: a ticket restored from a journal
    /// sells at the price it went on sale at, whatever the configuration
    /// says today.
    pub(super) fn price_of(&self, ticket: &Ticket, ty: usize) -> Money {
        let stock = self.stock.get(ty);
        let gauges = &self.gauges;
        let remaining = (self.config.total_tickets).saturating_sub(self.ledger.sold());
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
        wanted: Option<&str>,
        wait: Wait<'_>,
    ) -> Result<Sale, BoxOfficeError> {
        let (ticket, ty, waited) = self.acquire(customer, priority, wanted, wait)?;
        self.sell_taken(customer, priority, ticket, ty, waited)
    }

    /// Sells a ticket of type `ty` just taken for `customer` (its limit
    /// slot claimed), who waited `waited` for it.
    pub(crate) fn sell_taken(
        &self,
        customer: &Arc<str>,
        priority: Priority,
        ticket: Ticket,
        ty: usize,
        waited: std::time::Duration,
    ) -> Result<Sale, BoxOfficeError> {
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
        // Built only for someone to hand it to, as for a release.
        let sale = if self.events.is_observed() {
            let event = Event::Sold { sale };
            let recorded = self.events.record(&event);
            let Event::Sold { sale } = event else {
                unreachable!("built as Sold above");
            };
            if let Err(err) = recorded {
                if held {
                    self.ledger.apply(ty, &sale.ticket.vendor, |c| c.unhold());
                }
                self.unclaim_limit(&sale.customer);
                self.restock(sale.ticket, ty);
                return Err(err);
            }
            sale
        } else {
            sale
        };
        // Counted and logged in one step of this thread's ledger shard, so
        // the log never disagrees with a snapshot's sold count.
        // The log's length is the sales count: one contended counter per
        // sale, not two.
        let sold = self.ledger.sell(ty, held, &sale);
        self.room_left.give_back(ty);
        self.wake_vendors();
        self.check_sold_out(ty, sold);
        Ok(sale)
    }

    /// After the `sold`th sale, of type `ty`: closes the type's pool once
    /// its quota is sold, and every pool once the event is, so no buyer
    /// waits on tickets that cannot come.
    pub(super) fn check_sold_out(&self, ty: usize, sold: u64) {
        let stock = self.stock.get(ty);
        if let Some(quota) = stock.quota {
            if stock.sold.fetch_add(1, Ordering::Relaxed) + 1 >= quota {
                stock.close();
                // Buyers of that type waiting in the line learn it.
                self.line.wake_all();
            }
        }
        if sold >= self.config.total_tickets {
            let _ = self.sell_out();
        }
    }

    /// Marks the event sold out (once) and closes every pool; `true` if
    /// this call did.
    pub(crate) fn sell_out(&self) -> bool {
        let mut state = self.lock();
        if state.sold_out {
            return false;
        }
        state.sold_out = true;
        self.gauges.sold_out.store(true, Ordering::SeqCst);
        drop(state);
        self.stock.close_all();
        self.room.notify_all();
        self.line.wake_all();
        self.events.announce(&Event::SoldOut);
        true
    }
}
