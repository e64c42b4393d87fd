//! [`LeaseNodeConfig`]: how a [`LeaseNode`](super::LeaseNode) leases,
//! commits and renews.

use std::time::Duration;

use super::checks;
use super::sizer::LeaseSizer;
use crate::error::PersistError;

/// How a [`LeaseNode`](super::LeaseNode) leases, commits and renews.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeaseNodeConfig {
    /// How long a lease lasts (renewed every third of it).
    pub ttl: Duration,
    /// How many tickets to lease at a time.
    pub sizer: LeaseSizer,
    /// How fast the node's demand estimate follows a change.
    pub demand_half_life: Duration,
    /// How many nodes sell the event (for the sizer's sell-out cap).
    pub nodes: u32,
    /// Lease more once fewer than this many leased tickets are unsold in
    /// the office (and the last block is all released).
    pub low_watermark: u64,
    /// The most sales committed in one statement.
    pub group_size: usize,
    /// How long the first sale of a group waits for others.
    pub group_wait: Duration,
    /// The longest pause between lease attempts while every unsold ticket
    /// is leased by other nodes.
    pub max_backoff: Duration,
}

impl Default for LeaseNodeConfig {
    /// 30-second leases, blocks of 16 to 256 (one second of demand),
    /// three nodes, groups of up to 32 waiting at most 2 ms.
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(30),
            sizer: LeaseSizer::new(Duration::from_secs(1), 16, 256)
                .unwrap_or_else(|_| unreachable!("valid bounds")),
            demand_half_life: Duration::from_secs(1),
            nodes: 3,
            low_watermark: 16,
            group_size: 32,
            group_wait: Duration::from_millis(2),
            max_backoff: Duration::from_millis(200),
        }
    }
}

impl LeaseNodeConfig {
    pub(super) fn check(&self) -> Result<(), PersistError> {
        checks::ttl_micros(self.ttl)?;
        if self.ttl < Duration::from_millis(3) {
            return Err(PersistError::LeaseRequest(format!(
                "a node's lease ttl must be at least 3 ms (it renews every third), not {:?}",
                self.ttl
            )));
        }
        if self.group_size == 0 || self.low_watermark == 0 || self.nodes == 0 {
            return Err(PersistError::LeaseRequest(format!(
                "a node's group_size ({}), low_watermark ({}) and nodes ({}) must be at least 1",
                self.group_size, self.low_watermark, self.nodes
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_that_cannot_work_are_refused_by_name() {
        assert!(LeaseNodeConfig::default().check().is_ok());
        let bad = |config: LeaseNodeConfig| config.check().unwrap_err().to_string();
        let short = LeaseNodeConfig {
            ttl: Duration::from_millis(2),
            ..LeaseNodeConfig::default()
        };
        assert!(bad(short).contains("at least 3 ms"));
        let no_group = LeaseNodeConfig {
            group_size: 0,
            ..LeaseNodeConfig::default()
        };
        assert!(bad(no_group).contains("group_size (0)"));
        let no_nodes = LeaseNodeConfig {
            nodes: 0,
            ..LeaseNodeConfig::default()
        };
        assert!(bad(no_nodes).contains("nodes (0)"));
        let forever = LeaseNodeConfig {
            ttl: Duration::from_secs(2 * 24 * 60 * 60),
            ..LeaseNodeConfig::default()
        };
        assert!(bad(forever).contains("time to live"));
    }
}
