//! Which tickets an event has in `lease_tickets`: derived from its office
//! configuration alone, so every node that stocks it stocks the same rows.

use ticketpool_core::BoxOfficeConfig;
#[cfg(feature = "catalog")]
use {
    super::inventory::LeaseInventory, super::table::SOLD, super::types::StockTicket,
    crate::error::PersistError, postgres::NoTls, ticketpool_core::TicketId,
};

/// Tickets sent to the database in one statement while stocking.
#[cfg(feature = "catalog")]
const STOCK_CHUNK: u64 = 10_000;

/// How many tickets of each of `config`'s types an event sold from leases
/// has, in the order of `config.ticket_types`.
///
/// A type with a `quota` gets its quota. The tickets `total_tickets` leaves
/// after the quotas are split equally among the types without one, the
/// first ones getting one more when it does not divide (as
/// [`BoxOfficeConfig::type_capacities`] shares out the office's room). When
/// every type has a quota, the event has their sum: the office would never
/// release more.
///
/// Ticket ids follow the same order: the first type's tickets are
/// `1..=counts[0]`, the next type's follow, and so on.
///
/// # Examples
///
/// ```
/// use ticketpool_core::{BoxOfficeConfig, Money, TicketTypeConfig};
/// use ticketpool_persist::lease::lease_type_counts;
///
/// let mut config = BoxOfficeConfig::simple("gig", 10, 4, Money::from_minor(2_000));
/// config.ticket_types.push(TicketTypeConfig {
///     name: "vip".into(),
///     price: Money::from_minor(9_000),
///     quota: Some(3),
///     capacity: None,
/// });
/// assert_eq!(lease_type_counts(&config), vec![7, 3]);
/// ```
pub fn lease_type_counts(config: &BoxOfficeConfig) -> Vec<u64> {
    let quotas: u64 = config.ticket_types.iter().filter_map(|t| t.quota).sum();
    let open = config
        .ticket_types
        .iter()
        .filter(|t| t.quota.is_none())
        .count() as u64;
    let rest = config.total_tickets.saturating_sub(quotas);
    let mut nth_open = 0;
    config
        .ticket_types
        .iter()
        .map(|t| match t.quota {
            Some(quota) => quota,
            None => {
                let share = rest / open + u64::from(nth_open < rest % open);
                nth_open += 1;
                share
            }
        })
        .collect()
}

/// Stocks `event`'s tickets ([`lease_type_counts`]) unless they are all
/// there already. Idempotent: rows already present, in whatever state,
/// are left alone, so every node may do it at start. Returns how many
/// tickets were added.
#[cfg(feature = "catalog")]
pub(super) fn stock_event(
    inventory: &mut LeaseInventory,
    event: u64,
    config: &BoxOfficeConfig,
) -> Result<u64, PersistError> {
    let counts = lease_type_counts(config);
    let expected: u64 = counts.iter().sum();
    // The usual start: another node (or an earlier run) stocked it.
    if inventory.counts(event)?.total >= expected {
        return Ok(0);
    }
    let mut added = 0;
    let mut chunk = Vec::new();
    let mut next_id = 1;
    for (ticket_type, count) in config.ticket_types.iter().zip(counts) {
        for _ in 0..count {
            chunk.push(StockTicket {
                id: TicketId(next_id),
                ticket_type: ticket_type.name.clone(),
                base_price: ticket_type.price,
            });
            next_id += 1;
            if chunk.len() as u64 == STOCK_CHUNK {
                added += inventory.stock(event, &chunk)?;
                chunk.clear();
            }
        }
    }
    added += inventory.stock(event, &chunk)?;
    Ok(added)
}

/// Adds the index "my tickets" reads sold tickets through (a customer's,
/// newest first), if absent. Under an advisory lock: nodes starting
/// together must not race to create it.
#[cfg(feature = "catalog")]
pub(super) fn create_customer_index(params: &str, schema: &str) -> Result<(), PersistError> {
    let location = format!("PostgreSQL schema {schema}");
    let config: postgres::Config = params.parse().map_err(|e| PersistError::Open {
        location: location.clone(),
        source: Box::new(e),
    })?;
    let mut client = config.connect(NoTls).map_err(|e| PersistError::Open {
        location,
        source: Box::new(e),
    })?;
    let mut tx = client.transaction()?;
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        &[&format!("{schema}.lease_tickets")],
    )?;
    tx.batch_execute(&format!(
        "CREATE INDEX IF NOT EXISTS lease_tickets_customer
             ON {schema}.lease_tickets (customer, sold_at DESC) WHERE state = {SOLD}"
    ))?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use ticketpool_core::{Money, TicketTypeConfig};

    use super::*;

    fn kind(name: &str, quota: Option<u64>) -> TicketTypeConfig {
        TicketTypeConfig {
            name: name.into(),
            price: Money::from_minor(100),
            quota,
            capacity: None,
        }
    }

    #[test]
    fn types_without_a_quota_share_what_the_quotas_leave() {
        let mut config = BoxOfficeConfig::simple("gig", 11, 4, Money::from_minor(1));
        config.ticket_types = vec![kind("a", None), kind("vip", Some(4)), kind("b", None)];
        assert_eq!(lease_type_counts(&config), vec![4, 4, 3]);
        config.ticket_types = vec![kind("a", Some(2)), kind("b", Some(3))];
        assert_eq!(lease_type_counts(&config), vec![2, 3]);
        config.ticket_types = vec![kind("a", None)];
        assert_eq!(lease_type_counts(&config), vec![11]);
    }
}
