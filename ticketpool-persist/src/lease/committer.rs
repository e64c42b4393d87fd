//! The committer thread of a lease node: commits sales in groups (one
//! statement per group) and renews the node's leases, on one connection.
//! Both on one thread, so a renewal never runs beside a commit and the
//! tickets it names are exactly the ones the node holds: a renewal that
//! extends fewer than it named means a lease was lost.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use ticketpool_core::{JournalError, TicketId};

use super::inventory::LeaseInventory;
use super::node_renewal::RenewSchedule;
use super::node_state::NodeShared;
use super::types::{CommitOutcome, SaleToCommit};
use crate::error::PersistError;

/// How often a commit is tried, each on a fresh connection after the
/// first: retrying a group is safe (see the module docs).
const COMMIT_TRIES: u32 = 3;

/// Work for the committer.
pub(super) enum Job {
    /// A sale to commit; its seller waits on `reply`.
    Sale(PendingSale),
    /// Commit what is queued, then end.
    Stop,
}

/// One sale and who waits for it.
pub(super) struct PendingSale {
    /// The sale; the office sells tickets under their PostgreSQL ids.
    pub sale: SaleToCommit,
    /// Ok once committed; an error if lost or the database failed.
    pub reply: Sender<Result<(), JournalError>>,
}

/// The committer's settings and connection.
pub(super) struct Committer {
    pub shared: Arc<NodeShared>,
    pub inventory: LeaseInventory,
    /// To reconnect after a failure.
    pub params: String,
    pub schema: String,
    pub jobs: Receiver<Job>,
    pub group_size: usize,
    pub group_wait: Duration,
    pub ttl: Duration,
    /// Statements sent by connections already replaced.
    pub earlier_statements: u64,
}

impl Committer {
    /// Runs until [`Job::Stop`]; answers anything still queued then with
    /// an error.
    pub fn run(mut self) {
        let mut schedule = RenewSchedule::new(self.ttl);
        loop {
            let first = match self.jobs.recv_deadline(schedule.next()) {
                Ok(Job::Sale(sale)) => sale,
                Ok(Job::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    self.renew();
                    schedule.renewed();
                    continue;
                }
            };
            let (group, stop) = self.gather(first);
            self.commit(group);
            if schedule.due() {
                self.renew();
                schedule.renewed();
            }
            if stop {
                break;
            }
        }
        for job in self.jobs.try_iter() {
            if let Job::Sale(sale) = job {
                let _ = sale.reply.send(Err(JournalError::new(format!(
                    "node {} stopped before the sale of {} committed",
                    self.shared.node, sale.sale.ticket
                ))));
            }
        }
    }

    /// The group starting with `first`: up to `group_size` sales, waiting
    /// at most `group_wait` for more. Also says whether a stop came.
    fn gather(&self, first: PendingSale) -> (Vec<PendingSale>, bool) {
        let deadline = Instant::now() + self.group_wait;
        let mut group = vec![first];
        while group.len() < self.group_size {
            match self.jobs.recv_deadline(deadline) {
                Ok(Job::Sale(sale)) => group.push(sale),
                Ok(Job::Stop) => return (group, true),
                Err(_) => break,
            }
        }
        (group, false)
    }

    /// Commits a group and answers its sellers. A lost sale fences the
    /// node before anyone is answered, so the ticket the office puts back
    /// lands in a closed office.
    fn commit(&mut self, group: Vec<PendingSale>) {
        let sales: Vec<SaleToCommit> = group.iter().map(|p| p.sale.clone()).collect();
        let outcome = self.commit_with_retries(&sales);
        self.count_statements();
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(err) => {
                let message = format!("node {}: commit failed: {err}", self.shared.node);
                self.shared.fail(err);
                for pending in group {
                    let _ = pending.reply.send(Err(JournalError::new(message.clone())));
                }
                return;
            }
        };
        let lost: HashSet<TicketId> = outcome.lost.iter().copied().collect();
        {
            let mut tally = self.shared.tally();
            for pending in &group {
                tally.holding.remove(&pending.sale.ticket);
            }
            tally.committed += outcome.committed.len() as u64;
            tally.lost += lost.len() as u64;
        }
        if lost.is_empty() {
            self.shared.notify();
        } else {
            self.shared.fence(lost.len() as u64);
        }
        for pending in group {
            let answer = if lost.contains(&pending.sale.ticket) {
                Err(JournalError::new(format!(
                    "node {}: the lease on {} expired before its sale committed; \
                     the sale did not happen",
                    self.shared.node, pending.sale.ticket
                )))
            } else {
                Ok(())
            };
            let _ = pending.reply.send(answer);
        }
    }

    /// One commit, tried again on a new connection if the database failed.
    fn commit_with_retries(
        &mut self,
        sales: &[SaleToCommit],
    ) -> Result<CommitOutcome, PersistError> {
        let mut tries = 0;
        loop {
            tries += 1;
            let node = self.shared.node.clone();
            match self.inventory.commit_sales(&node, self.shared.event, sales) {
                Ok(outcome) => return Ok(outcome),
                Err(err @ PersistError::Postgres(_)) if tries < COMMIT_TRIES => {
                    if let Err(reconnect) = self.reconnect() {
                        if tries + 1 >= COMMIT_TRIES {
                            return Err(reconnect);
                        }
                    }
                    drop(err);
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// Replaces the connection, keeping its statement count.
    fn reconnect(&mut self) -> Result<(), PersistError> {
        let fresh = LeaseInventory::connect(&self.params, &self.schema)?;
        self.earlier_statements += self.inventory.statements();
        self.inventory = fresh;
        Ok(())
    }

    /// Extends the node's leases on the tickets it knows it holds; fewer
    /// renewed than named means some expired, and the node is fenced.
    /// Leases it does not know of (a lost answer) are not named: they
    /// expire and go back to the other nodes, and cannot skew the check.
    fn renew(&mut self) {
        if self.shared.failure().is_some() {
            return;
        }
        // Exact: commits, the only other removals, run on this thread.
        let held: Vec<TicketId> = self.shared.tally().holding.iter().copied().collect();
        if held.is_empty() {
            return;
        }
        let node = self.shared.node.clone();
        let renewed = self
            .inventory
            .renew(&node, self.shared.event, &held, self.ttl);
        self.count_statements();
        let held = held.len() as u64;
        match renewed {
            Ok(still) if still < held => self.shared.fence(held - still),
            Ok(_) => {}
            Err(err) => {
                // The next commit retries on a new connection; a renewal
                // that keeps failing ends in lost leases, found then.
                if self.reconnect().is_err() {
                    self.shared.fail(err);
                }
            }
        }
    }

    fn count_statements(&self) {
        self.shared.committer_statements.store(
            self.earlier_statements + self.inventory.statements(),
            Ordering::Relaxed,
        );
    }
}
