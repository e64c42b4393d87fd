//! [`LeaseJournal`]: the journal of a lease node's box office. A release
//! pairs the office's ticket id with the leased ticket the feeder is
//! releasing; a sale waits for its group's commit in PostgreSQL, so the
//! office hands over only committed sales.

use std::sync::Arc;

use crossbeam_channel::Sender;
use ticketpool_core::{Event, Journal, JournalError, Sale, TicketId};

use super::committer::{Job, PendingSale};
use super::node_state::NodeShared;
use super::types::SaleToCommit;

/// The node's journal: only releases and sales matter to the database;
/// holds, cancellations and the rest stay in the node's memory (a held
/// ticket is still leased, and comes back with the lease if the node dies).
pub(super) struct LeaseJournal {
    shared: Arc<NodeShared>,
    jobs: Sender<Job>,
}

impl LeaseJournal {
    pub fn new(shared: Arc<NodeShared>, jobs: Sender<Job>) -> Self {
        Self { shared, jobs }
    }

    /// The office numbered a ticket `office_id` on release: it is the
    /// leased ticket the feeder queued just before. Mapped here, not after
    /// the release returns, because a buyer may take it before that.
    fn released(&self, office_id: TicketId) -> Result<(), JournalError> {
        let mut tally = self.shared.tally();
        let Some(leased) = tally.next_release.take() else {
            return Err(JournalError::new(format!(
                "node {}: ticket {office_id} released without a lease; only the node's feeder \
                 may release tickets",
                self.shared.node
            )));
        };
        tally.in_office.insert(office_id, leased);
        tally.released += 1;
        Ok(())
    }

    /// Sends the sale to the committer and waits for its group's outcome.
    fn sold(&self, sale: &Sale) -> Result<(), JournalError> {
        if let Some(failure) = self.shared.failure() {
            return Err(JournalError::new(format!(
                "node {} stopped selling: {failure}",
                self.shared.node
            )));
        }
        let ticket = {
            let mut tally = self.shared.tally();
            let Some(&ticket) = tally.in_office.get(&sale.ticket.id) else {
                return Err(JournalError::new(format!(
                    "node {}: ticket {} was not released from a lease",
                    self.shared.node, sale.ticket.id
                )));
            };
            tally.in_flight += 1;
            ticket
        };
        let (reply, answer) = crossbeam_channel::bounded(1);
        let job = Job::Sale(PendingSale {
            sale: SaleToCommit {
                ticket,
                customer: sale.customer.to_string(),
                price: sale.price,
            },
            office_ticket: sale.ticket.id,
            reply,
        });
        let outcome = match self.jobs.send(job) {
            Ok(()) => answer.recv().unwrap_or_else(|_| {
                Err(JournalError::new(format!(
                    "node {} stopped before the sale of {ticket} committed",
                    self.shared.node
                )))
            }),
            Err(_) => Err(JournalError::new(format!(
                "node {} stopped",
                self.shared.node
            ))),
        };
        self.shared.tally().in_flight -= 1;
        self.shared.notify();
        outcome
    }
}

impl Journal for LeaseJournal {
    fn record(&self, event: &Event) -> Result<(), JournalError> {
        match event {
            Event::Released { ticket } => self.released(ticket.id),
            Event::Sold { sale } => self.sold(sale),
            _ => Ok(()),
        }
    }

    /// Every sale is committed before `record` returns: nothing pending.
    fn flush(&self) -> Result<(), JournalError> {
        Ok(())
    }
}
