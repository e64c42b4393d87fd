//! [`LeaseNode`]: one node selling one event from leased tickets through a
//! local [`BoxOffice`], and its settings, [`LeaseNodeConfig`].

use std::collections::HashSet;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::Sender;
use ticketpool_core::{BoxOffice, BoxOfficeConfig};

use super::checks;
use super::committer::{Committer, Job};
use super::feeder::Feeder;
use super::inventory::LeaseInventory;
use super::node_config::LeaseNodeConfig;
use super::node_journal::{LeaseJournal, FEEDER_VENDOR};
use super::node_state::NodeShared;
use crate::error::PersistError;

/// How long a clean stop waits for sales already committing.
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(30);

/// A node selling one event out of the shared PostgreSQL inventory (see
/// the [module docs](crate::lease)).
///
/// It runs a [`BoxOffice`] whose journal commits every sale to the
/// database before the office hands it over (group commit, fenced by the
/// node's lease), a feeder thread that leases blocks and releases them into
/// the office, and a committer thread that commits and renews. Buyers use
/// the office's normal customer API ([`office`](Self::office)).
///
/// When the event is sold out cluster-wide ([`sold_out`](Self::sold_out))
/// the office ends its sale as sold out
/// ([`BoxOffice::sell_out`]: buyers get
/// [`SoldOut`](ticketpool_core::BoxOfficeError::SoldOut)). It closes
/// (buyers get [`Closed`](ticketpool_core::BoxOfficeError::Closed)) when
/// the node lost a lease ([`fenced`](Self::fenced)) or failed
/// ([`failure`](Self::failure)), and when it stops.
pub struct LeaseNode {
    shared: Arc<NodeShared>,
    office: Arc<BoxOffice>,
    jobs: Sender<Job>,
    feeder: Option<JoinHandle<(LeaseInventory, u64)>>,
    committer: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for LeaseNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaseNode")
            .field("node", &self.shared.node)
            .field("event", &self.shared.event)
            .finish_non_exhaustive()
    }
}

impl LeaseNode {
    /// Starts node `node` selling `event` from the inventory in `schema`
    /// (libpq-style `params`), through an office configured by `office`.
    /// The office's `total_tickets` is set to the event's size in the
    /// database: that, not the configuration, is the event.
    ///
    /// # Errors
    ///
    /// - [`PersistError::LeaseRequest`] for a bad node name or setting, or
    ///   an event with no tickets;
    /// - [`PersistError::Office`] for an office configuration that does
    ///   not validate;
    /// - the errors of [`LeaseInventory::connect`];
    /// - [`PersistError::Io`] if a thread cannot be started.
    pub fn start(
        params: &str,
        schema: &str,
        event: u64,
        node: &str,
        mut office: BoxOfficeConfig,
        config: LeaseNodeConfig,
    ) -> Result<Self, PersistError> {
        checks::node(node)?;
        config.check()?;
        let mut feeder_inventory = LeaseInventory::connect(params, schema)?;
        let committer_inventory = LeaseInventory::connect(params, schema)?;
        let counts = feeder_inventory.counts(event)?;
        if counts.total == 0 {
            return Err(PersistError::LeaseRequest(format!(
                "event {event} has no tickets in schema {schema}"
            )));
        }
        office.total_tickets = counts.total;
        let types: HashSet<String> = office.ticket_types.iter().map(|t| t.name.clone()).collect();
        let shared = Arc::new(NodeShared::new(node, event));
        let (jobs, inbox) = crossbeam_channel::unbounded();
        let journal = Arc::new(LeaseJournal::new(Arc::clone(&shared), jobs.clone()));
        let box_office = BoxOffice::builder(office)
            .journal(journal)
            .build()
            .map_err(PersistError::Office)?;
        let vendor = box_office
            .add_vendor(FEEDER_VENDOR, &[])
            .map_err(PersistError::Office)?;
        shared.set_office(box_office.clone());
        let committer = Committer {
            shared: Arc::clone(&shared),
            inventory: committer_inventory,
            params: params.to_owned(),
            schema: schema.to_owned(),
            jobs: inbox,
            group_size: config.group_size,
            group_wait: config.group_wait,
            ttl: config.ttl,
            earlier_statements: 0,
        };
        let feeder = Feeder {
            shared: Arc::clone(&shared),
            inventory: feeder_inventory,
            params: params.to_owned(),
            schema: schema.to_owned(),
            earlier_statements: 0,
            unsure: false,
            vendor,
            config,
            types,
        };
        let mut this = Self {
            shared,
            office: Arc::new(box_office),
            jobs,
            feeder: None,
            committer: None,
        };
        // Stored as each starts, so a failure to start the second still
        // stops the first (Drop).
        this.committer = Some(
            thread::Builder::new()
                .name(format!("lease-commit-{node}"))
                .spawn(move || committer.run())?,
        );
        this.feeder = Some(
            thread::Builder::new()
                .name(format!("lease-feed-{node}"))
                .spawn(move || feeder.run())?,
        );
        Ok(this)
    }

    /// The node's office: buy and hold through its customers.
    pub fn office(&self) -> Arc<BoxOffice> {
        Arc::clone(&self.office)
    }

    /// The lease owner name.
    pub fn node(&self) -> &str {
        &self.shared.node
    }

    /// `true` once the node found it lost a lease (a renewal or a commit
    /// came back short) and stopped selling.
    pub fn fenced(&self) -> bool {
        self.shared.is_fenced()
    }

    /// `true` once the node saw every ticket of the event sold, across the
    /// cluster, and closed its office, or sold them all itself.
    pub fn sold_out(&self) -> bool {
        self.shared.is_sold_out() || self.office.is_sold_out()
    }

    /// Why the node stopped selling on its own (fenced, a ticket type its
    /// office does not sell, a database failure), if it did.
    pub fn failure(&self) -> Option<Arc<PersistError>> {
        self.shared.failure()
    }

    /// Sales committed to the database by this node so far.
    pub fn committed(&self) -> u64 {
        self.shared.tally().committed
    }

    /// Statements this node's connections sent: connection setup is not
    /// counted; the one count of the event at [`start`](Self::start) is.
    pub fn statements(&self) -> u64 {
        self.shared.statements()
    }

    /// Stops cleanly: stops the feeder, closes the office, lets sales
    /// already committing finish, and hands every unsold leased ticket
    /// back on sale at once. Returns how many went back.
    ///
    /// # Errors
    ///
    /// The database error of the hand-back (the tickets then come back
    /// when their leases expire).
    pub fn shutdown(mut self) -> Result<u64, PersistError> {
        self.stop(true)
    }

    /// Stops the node's threads and closes its office WITHOUT handing
    /// anything back, as a killed node would: its tickets come back when
    /// its leases expire. For tests and drills.
    pub fn abandon(mut self) {
        let _ = self.stop(false);
    }

    fn stop(&mut self, hand_back: bool) -> Result<u64, PersistError> {
        self.shared.stop();
        let inventory = self.feeder.take().and_then(|feeder| feeder.join().ok());
        self.shared.close_office();
        if hand_back {
            self.shared
                .wait_for(IN_FLIGHT_WAIT, |tally| tally.in_flight == 0);
        }
        if let Some(committer) = self.committer.take() {
            let _ = self.jobs.send(Job::Stop);
            let _ = committer.join();
        }
        self.shared.forget_office();
        let Some((mut inventory, earlier)) = inventory.filter(|_| hand_back) else {
            return Ok(0);
        };
        let handed = inventory.hand_back_all(&self.shared.node, self.shared.event);
        self.shared.feeder_statements.store(
            earlier + inventory.statements(),
            std::sync::atomic::Ordering::Relaxed,
        );
        handed
    }
}

impl Drop for LeaseNode {
    /// A node dropped without [`shutdown`](Self::shutdown) stops cleanly.
    fn drop(&mut self) {
        if self.feeder.is_some() || self.committer.is_some() {
            let _ = self.stop(true);
        }
    }
}
