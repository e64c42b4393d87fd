//! [`LeaseJournal`]: the journal of a lease node's box office. The
//! feeder releases each leased ticket under its PostgreSQL id, so a
//! release only needs checking (the feeder's, of a ticket the node
//! leased); a sale waits for its group's commit in PostgreSQL, so the
//! office hands over only committed sales.

use std::sync::Arc;

use crossbeam_channel::Sender;
use ticketpool_core::{Event, Journal, JournalError, Sale, TicketId};

use super::committer::{Job, PendingSale};
use super::node_state::NodeShared;
use super::types::SaleToCommit;

/// The vendor name the node's feeder releases under: the only vendor whose
/// releases the node's journal accepts.
pub const FEEDER_VENDOR: &str = "lease-feeder";

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

    /// The office released ticket `id`: only the feeder may, and only a
    /// ticket the node holds a lease on (its id is the table's).
    fn released(&self, id: TicketId, vendor: &str) -> Result<(), JournalError> {
        if vendor != FEEDER_VENDOR {
            return Err(JournalError::new(format!(
                "node {}: vendor {vendor:?} may not release tickets; only the node's feeder \
                 releases what it leased",
                self.shared.node
            )));
        }
        let mut tally = self.shared.tally();
        if !tally.holding.contains(&id) {
            return Err(JournalError::new(format!(
                "node {}: ticket {id} released without a lease on it",
                self.shared.node
            )));
        }
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
        let ticket = sale.ticket.id;
        {
            let mut tally = self.shared.tally();
            if !tally.holding.contains(&ticket) {
                return Err(JournalError::new(format!(
                    "node {}: ticket {ticket} was not released from a lease",
                    self.shared.node
                )));
            }
            tally.in_flight += 1;
        }
        let (reply, answer) = crossbeam_channel::bounded(1);
        let job = Job::Sale(PendingSale {
            sale: SaleToCommit {
                ticket,
                customer: sale.customer.to_string(),
                price: sale.price,
            },
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
            Event::Released { ticket } => self.released(ticket.id, &ticket.vendor),
            Event::Sold { sale } => self.sold(sale),
            _ => Ok(()),
        }
    }

    /// Every sale is committed before `record` returns: nothing pending.
    fn flush(&self) -> Result<(), JournalError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::thread;
    use std::time::{Duration, SystemTime};

    use ticketpool_core::{Money, Priority, Ticket};

    use super::*;
    use crate::error::PersistError;

    fn ticket(id: u64) -> Ticket {
        Ticket {
            id: TicketId(id),
            ticket_type: "standard".into(),
            vendor: FEEDER_VENDOR.into(),
            base_price: Money::from_minor(100),
            released_at: SystemTime::UNIX_EPOCH,
        }
    }

    fn sold(id: u64) -> Event {
        Event::Sold {
            sale: Sale {
                ticket: ticket(id),
                customer: Arc::from("ada"),
                priority: Priority::Regular,
                price: Money::from_minor(150),
                sold_at: SystemTime::UNIX_EPOCH,
                waited: Duration::ZERO,
                hold: None,
            },
        }
    }

    fn journal() -> (
        Arc<NodeShared>,
        LeaseJournal,
        crossbeam_channel::Receiver<Job>,
    ) {
        let shared = Arc::new(NodeShared::new("n1", 7));
        let (jobs, inbox) = crossbeam_channel::unbounded();
        (Arc::clone(&shared), LeaseJournal::new(shared, jobs), inbox)
    }

    #[test]
    fn only_the_feeder_releases_and_only_what_the_node_leased() {
        let (shared, journal, _inbox) = journal();
        let refused = journal.record(&Event::Released {
            ticket: ticket(501),
        });
        let refused = refused.unwrap_err();
        assert!(refused.message().contains("without a lease"), "{refused}");
        shared.tally().holding.insert(TicketId(501));
        let mut other = ticket(501);
        other.vendor = "walk-in".into();
        let refused = journal.record(&Event::Released { ticket: other });
        assert!(refused
            .unwrap_err()
            .message()
            .contains("\"walk-in\" may not"));
        assert_eq!(shared.tally().released, 0);
        journal
            .record(&Event::Released {
                ticket: ticket(501),
            })
            .unwrap();
        assert_eq!(shared.tally().released, 1);
    }

    #[test]
    fn a_sale_waits_for_its_commit_and_carries_the_table_id() {
        let (shared, journal, inbox) = journal();
        let unknown = journal.record(&sold(501)).unwrap_err();
        assert!(
            unknown.message().contains("not released from a lease"),
            "{unknown}"
        );
        shared.tally().holding.insert(TicketId(501));
        let committer = thread::spawn(move || {
            let Ok(Job::Sale(pending)) = inbox.recv() else {
                panic!("expected a sale");
            };
            assert_eq!(pending.sale.ticket, TicketId(501));
            assert_eq!(pending.sale.customer, "ada");
            assert_eq!(pending.sale.price, Money::from_minor(150));
            pending.reply.send(Ok(())).unwrap();
        });
        journal.record(&sold(501)).unwrap();
        committer.join().unwrap();
        assert_eq!(shared.tally().in_flight, 0);
        // Other events never reach the database.
        journal.record(&Event::Paused).unwrap();
    }

    #[test]
    fn a_failed_node_refuses_sales_at_once() {
        let (shared, journal, inbox) = journal();
        shared.tally().holding.insert(TicketId(501));
        shared.fence(3);
        let refused = journal.record(&sold(501)).unwrap_err();
        assert!(
            refused.message().contains("lost its lease on 3"),
            "{refused}"
        );
        assert!(inbox.try_recv().is_err(), "nothing sent to the committer");
        assert!(matches!(
            shared.failure().as_deref(),
            Some(PersistError::Fenced { lost: 3, .. })
        ));
    }

    #[test]
    fn a_stopped_committer_is_an_error_not_a_hang() {
        let (shared, journal, inbox) = journal();
        shared.tally().holding.insert(TicketId(501));
        drop(inbox);
        assert!(journal.record(&sold(501)).is_err());
        assert_eq!(shared.tally().in_flight, 0);
    }
}
