//! The feeder thread of a lease node: the office's only vendor. It leases
//! a block when the office runs low, releases the block's tickets one at a
//! time, closes the office once the event is sold out cluster-wide, and
//! polls with a bounded back-off while every unsold ticket is leased by
//! other nodes (a dead node's come back when its lease expires). Each
//! ticket goes into the office under its `lease_tickets` id.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ticketpool_core::{BoxOfficeError, TicketId, Vendor};

use super::inventory::LeaseInventory;
use super::node_config::LeaseNodeConfig;
use super::node_state::NodeShared;
use super::sizer::DemandRate;
use super::types::LeasedTicket;
use crate::error::PersistError;

/// How long one release may wait for room before the feeder looks at its
/// stop flag again.
const RELEASE_WAIT: Duration = Duration::from_millis(50);

/// How long the feeder sleeps on a full office before looking again; a
/// commit wakes it sooner.
const IDLE_WAIT: Duration = Duration::from_millis(100);

/// The first back-off while nothing is leasable.
const FIRST_BACKOFF: Duration = Duration::from_millis(2);

/// How many lease attempts in a row may fail on the database (each
/// followed by a new connection) before the node gives up.
const LEASE_TRIES: u32 = 3;

/// What a lease attempt found.
enum Leased {
    /// Tickets queued for release.
    Some,
    /// Nothing leasable now; other nodes hold every unsold ticket.
    Nothing,
    /// Every ticket is sold.
    SoldOut,
}

/// The feeder's state; [`run`](Self::run) gives the connection back for
/// the hand-back.
pub(super) struct Feeder {
    pub shared: Arc<NodeShared>,
    pub inventory: LeaseInventory,
    /// To reconnect after a database failure.
    pub params: String,
    pub schema: String,
    /// Statements sent by connections already replaced.
    pub earlier_statements: u64,
    /// A statement failed with its outcome unknown: a lease may have taken
    /// tickets the node never heard of, to hand back before leasing again.
    pub unsure: bool,
    pub vendor: Vendor,
    pub config: LeaseNodeConfig,
    /// The ticket types the office sells.
    pub types: HashSet<String>,
}

impl Feeder {
    /// Keeps the office stocked until the node stops, fails or sells out;
    /// gives back its connection and the statements of replaced ones.
    pub fn run(mut self) -> (LeaseInventory, u64) {
        let mut queue: VecDeque<LeasedTicket> = VecDeque::new();
        let mut demand = DemandRate::new(self.config.demand_half_life);
        let mut sampled = (Instant::now(), 0_u64);
        let mut backoff = FIRST_BACKOFF;
        let mut failed_tries = 0;
        while !self.shared.is_stopping() && self.shared.failure().is_none() {
            if let Some(ticket) = queue.pop_front() {
                if !self.release(ticket, &mut queue) {
                    break;
                }
                continue;
            }
            let low = self.config.low_watermark;
            if !self
                .shared
                .wait_until(IDLE_WAIT, |tally| tally.unsold_in_office() < low)
            {
                continue;
            }
            let committed = self.shared.tally().committed;
            demand.record(committed - sampled.1, sampled.0.elapsed());
            sampled = (Instant::now(), committed);
            let leased = self.lease(demand.per_sec(), &mut queue);
            if leased.is_ok() {
                failed_tries = 0;
            }
            match leased {
                Ok(Leased::Some) => backoff = FIRST_BACKOFF,
                Ok(Leased::Nothing) => {
                    self.shared.wait_until(backoff, |_| false);
                    backoff = (backoff * 2).min(self.config.max_backoff);
                }
                Ok(Leased::SoldOut) => {
                    self.shared.sell_out();
                    break;
                }
                // A broken connection: a new one, and the next round hands
                // back what a lease whose answer was lost may have taken,
                // then tries again.
                Err(err @ PersistError::Postgres(_)) if failed_tries + 1 < LEASE_TRIES => {
                    failed_tries += 1;
                    self.unsure = true;
                    if let Err(reconnect) = self.reconnect() {
                        drop(err);
                        self.shared.fail(reconnect);
                        break;
                    }
                }
                Err(err) => {
                    self.shared.fail(err);
                    break;
                }
            }
        }
        (self.inventory, self.earlier_statements)
    }

    /// Replaces the connection, keeping its statement count.
    fn reconnect(&mut self) -> Result<(), PersistError> {
        let fresh = LeaseInventory::connect(&self.params, &self.schema)?;
        self.earlier_statements += self.inventory.statements();
        self.inventory = fresh;
        self.count_statements();
        Ok(())
    }

    /// Releases one leased ticket into the office. `false` once the office
    /// takes no more (closed, sold out) or refused the ticket.
    /// The office sells it under its table id: buyers, holds and live
    /// feeds see the id "my tickets" and every other node see.
    fn release(&mut self, ticket: LeasedTicket, queue: &mut VecDeque<LeasedTicket>) -> bool {
        let released = self
            .vendor
            .release_as_timeout(&ticket.ticket_type, ticket.id, RELEASE_WAIT);
        match released {
            Ok(_) => true,
            Err(BoxOfficeError::Timeout | BoxOfficeError::Full | BoxOfficeError::Paused) => {
                queue.push_front(ticket);
                true
            }
            Err(BoxOfficeError::Closed | BoxOfficeError::SoldOut) => false,
            Err(other) => {
                self.shared.fail(PersistError::Office(other));
                false
            }
        }
    }

    /// Leases a block sized from demand, if anything is leasable. One
    /// statement, whatever the event's size: the database caps the block
    /// near sell-out and says whether anything is unsold.
    fn lease(
        &mut self,
        demand: f64,
        queue: &mut VecDeque<LeasedTicket>,
    ) -> Result<Leased, PersistError> {
        let (node, event) = (self.shared.node.clone(), self.shared.event);
        if self.unsure {
            self.hand_back_unknown()?;
        }
        let share = self.inventory.lease_share(
            &node,
            event,
            self.config.sizer.wanted(demand),
            self.config.nodes,
            self.config.ttl,
        );
        self.count_statements();
        let share = share?;
        // The event has tickets (checked at start): none unsold is sold out.
        if share.unsold == 0 {
            return Ok(Leased::SoldOut);
        }
        let leased = share.tickets;
        if leased.is_empty() {
            return Ok(Leased::Nothing);
        }
        if let Some(bad) = leased.iter().find(|t| !self.types.contains(&t.ticket_type)) {
            let error = PersistError::UnknownLeasedType {
                event,
                ticket: bad.id,
                ticket_type: bad.ticket_type.clone(),
            };
            // Back at once: other nodes may sell that type.
            let ids: Vec<TicketId> = leased.iter().map(|t| t.id).collect();
            let handed = self.inventory.hand_back(&node, event, &ids);
            self.count_statements();
            handed?;
            return Err(error);
        }
        self.shared
            .tally()
            .holding
            .extend(leased.iter().map(|t| t.id));
        queue.extend(leased);
        Ok(Leased::Some)
    }

    /// Hands back the node's leases it does not know of: a lease whose
    /// answer was lost committed them. Safe beside the committer: every
    /// ticket the node knows stays in `holding` until its sale's outcome,
    /// and the feeder, the only one leasing, is here.
    fn hand_back_unknown(&mut self) -> Result<(), PersistError> {
        let (node, event) = (self.shared.node.clone(), self.shared.event);
        let known: Vec<TicketId> = self.shared.tally().holding.iter().copied().collect();
        let handed = self.inventory.hand_back_unknown(&node, event, &known);
        self.count_statements();
        handed?;
        self.unsure = false;
        Ok(())
    }

    fn count_statements(&self) {
        self.shared.feeder_statements.store(
            self.earlier_statements + self.inventory.statements(),
            Ordering::Relaxed,
        );
    }
}
