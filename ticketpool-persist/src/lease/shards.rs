//! [`LeaseShards`]: events spread over several PostgreSQL databases by
//! event id, so no one database carries every event's sale.

use std::fmt;

use ticketpool_core::BoxOfficeConfig;

use super::inventory::LeaseInventory;
use super::node::LeaseNode;
use super::node_config::LeaseNodeConfig;
use crate::error::PersistError;
use crate::postgres::check_schema;

/// One database of a [`LeaseShards`]: libpq-style parameters and the
/// schema holding its `lease_tickets`.
#[derive(Clone, PartialEq, Eq)]
pub struct LeaseShard {
    /// Where the server is (`host=... dbname=...` or a `postgres://` URL).
    pub params: String,
    /// The schema, in that database.
    pub schema: String,
}

impl fmt::Debug for LeaseShard {
    // Not the parameters: they may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeaseShard")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

/// Several PostgreSQL databases (or servers), each holding the inventory
/// of some events: event `id` lives on shard `id % shards`, the layout of
/// "shard by event id". Every node uses the same list in the same order;
/// a list that changes moves events to other shards, so fix it before
/// stocking and grow it only by adding a new list for new events.
///
/// Each event still has exactly one source of truth (its shard), so
/// everything [`LeaseInventory`] and [`LeaseNode`] promise holds per
/// event; a shard that is down stops only its own events' sales.
///
/// # Examples
///
/// ```
/// use ticketpool_persist::{LeaseShard, LeaseShards};
///
/// let shard = |db: &str| LeaseShard {
///     params: format!("host=127.0.0.1 user=postgres dbname={db}"),
///     schema: "tickets".into(),
/// };
/// let shards = LeaseShards::new(vec![shard("sales_a"), shard("sales_b")])?;
/// assert_eq!(shards.shard_of(6).params, shard("sales_a").params);
/// assert_eq!(shards.shard_of(7).params, shard("sales_b").params);
/// # Ok::<(), ticketpool_persist::PersistError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LeaseShards {
    shards: Vec<LeaseShard>,
}

impl LeaseShards {
    /// The shards, in the order every node must use.
    ///
    /// # Errors
    ///
    /// [`PersistError::LeaseRequest`] for an empty list, or the same
    /// database and schema twice (its events would be split in two);
    /// [`PersistError::Config`] for a schema name that is not a plain
    /// lowercase identifier.
    pub fn new(shards: Vec<LeaseShard>) -> Result<Self, PersistError> {
        if shards.is_empty() {
            return Err(PersistError::LeaseRequest(
                "a sharded inventory needs at least one database".into(),
            ));
        }
        for (i, shard) in shards.iter().enumerate() {
            check_schema(&shard.schema)?;
            if shards[..i].contains(shard) {
                return Err(PersistError::LeaseRequest(format!(
                    "shard {i} repeats an earlier one (schema {}): each event would live \
                     in two places",
                    shard.schema
                )));
            }
        }
        Ok(Self { shards })
    }

    /// How many shards there are.
    pub fn len(&self) -> usize {
        self.shards.len()
    }

    /// Always false: a list of shards is never empty.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The shard holding event `event`'s inventory.
    pub fn shard_of(&self, event: u64) -> &LeaseShard {
        // The modulus is below the list's length, which fits a usize.
        let index = (event % self.shards.len() as u64) as usize;
        &self.shards[index]
    }

    /// A connection to the inventory of event `event`'s shard.
    ///
    /// # Errors
    ///
    /// As [`LeaseInventory::connect`].
    pub fn inventory(&self, event: u64) -> Result<LeaseInventory, PersistError> {
        let shard = self.shard_of(event);
        LeaseInventory::connect(&shard.params, &shard.schema)
    }

    /// Starts node `node` selling `event` from its shard: as
    /// [`LeaseNode::start`] on that shard's database.
    ///
    /// # Errors
    ///
    /// As [`LeaseNode::start`].
    pub fn start_node(
        &self,
        event: u64,
        node: &str,
        office: BoxOfficeConfig,
        config: LeaseNodeConfig,
    ) -> Result<LeaseNode, PersistError> {
        let shard = self.shard_of(event);
        LeaseNode::start(&shard.params, &shard.schema, event, node, office, config)
    }
}
