//! How a run and each of its agents ended: the [`EndReason`] of the run,
//! every customer's [`CustomerReport`], and what an agent thread hands
//! back to the controller. The report side: plain data that imports
//! nothing from the running machinery.

use serde::{Deserialize, Serialize};

use ticketpool_core::BoxOfficeError;
use ticketpool_core::Priority;

/// Why a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EndReason {
    /// Every ticket of the event was sold.
    SoldOut,
    /// Every customer got what it wanted (or its purchase limit) first.
    DemandMet,
    /// The configured duration passed.
    Duration,
    /// [`SimulationHandle::stop`](crate::SimulationHandle::stop) was
    /// called.
    Stopped,
}

/// One customer's part in the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerReport {
    /// The customer's index in the run (0-based, VIPs first), which seeds
    /// its arrival plan together with the run's seed.
    pub index: usize,
    /// The customer's name (`vip-1`, `regular-3`).
    pub name: String,
    /// Its priority.
    pub priority: Priority,
    /// Requests it made (buys and holds), successful or not.
    pub requests: u64,
    /// Tickets it ended up with.
    pub bought: u64,
    /// Holds it placed.
    pub holds_placed: u64,
    /// Holds it confirmed.
    pub holds_confirmed: u64,
    /// Holds it walked away from.
    pub holds_abandoned: u64,
    /// Holds the office expired (abandoned ones, or one confirmed too late).
    pub holds_expired: u64,
    /// Abandoned holds still open at the end, cancelled then.
    pub holds_cancelled: u64,
    /// Digest (FNV-1a) of the requests it made, in order: equal for equal
    /// seeds.
    pub plan_digest: u64,
}

impl Default for CustomerReport {
    fn default() -> Self {
        Self {
            index: 0,
            name: String::new(),
            priority: Priority::Regular,
            requests: 0,
            bought: 0,
            holds_placed: 0,
            holds_confirmed: 0,
            holds_abandoned: 0,
            holds_expired: 0,
            holds_cancelled: 0,
            plan_digest: 0,
        }
    }
}

/// What an agent thread hands back.
pub(crate) enum AgentOutcome {
    Vendor,
    Customer(CustomerReport),
}

/// An agent thread's result: its outcome, or the office error it hit.
pub(crate) type AgentResult = Result<AgentOutcome, BoxOfficeError>;
