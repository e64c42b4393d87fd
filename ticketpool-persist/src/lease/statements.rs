//! The lease statements, each one round trip, prepared once per connection.
//!
//! Parameters common to all: `$1` the event id, `$2` the node. Times to
//! live are microseconds (`bigint`), added to the database's `now()`.

use postgres::{Client, Statement};

use super::table::{LEASED, ON_SALE, SOLD};

/// The prepared statements of one connection.
pub(super) struct Prepared {
    /// `$1` event, `$2..$4` arrays of id, type, base price: puts tickets
    /// on sale, skipping ids already there.
    pub stock: Statement,
    /// `$1` event, `$2` node, `$3` how many, `$4` ttl: leases on-sale and
    /// expired tickets, lowest ids first, skipping rows another
    /// transaction has locked.
    pub lease: Statement,
    /// `$1` event, `$2` node, `$3` how many at most, `$4` ttl, `$5` how far
    /// to count unsold tickets, `$6` twice the nodes: leases like `lease`,
    /// capped at half a fair share of the unsold tickets, and returns that
    /// count (bounded by `$5`) on every row, on a row of NULLs if nothing
    /// was leased.
    pub lease_share: Statement,
    /// `$1` event, `$2` node, `$3` ttl, `$4` array of ids: extends the
    /// node's live leases on those tickets.
    pub renew: Statement,
    /// `$1` event, `$2` node, `$3..$5` arrays of id, customer, price:
    /// returns the ids recorded as sold by this node.
    pub commit: Statement,
    /// `$1` event, `$2` node, `$3` array of ids: back on sale.
    pub hand_back: Statement,
    /// `$1` event, `$2` node: all the node's leases back on sale.
    pub hand_back_all: Statement,
    /// `$1` event, `$2` node, `$3` array of ids: the node's leases on
    /// other tickets back on sale.
    pub hand_back_unknown: Statement,
    /// `$1` event: total, on sale, live leases, expired leases, sold.
    pub counts: Statement,
    /// `$1` event: true when it has tickets and every one is sold.
    pub sold_out: Statement,
}

impl Prepared {
    /// Prepares every statement against `schema`'s table.
    pub(super) fn new(client: &mut Client, schema: &str) -> Result<Self, postgres::Error> {
        let table = format!("{schema}.lease_tickets");
        let ttl = "* interval '1 microsecond'";
        Ok(Self {
            stock: client.prepare(&format!(
                "INSERT INTO {table} (event_id, ticket_id, ticket_type, base_price, state)
                 SELECT $1, s.id, s.ticket_type, s.base_price, {ON_SALE}
                 FROM unnest($2::bigint[], $3::text[], $4::bigint[])
                     AS s(id, ticket_type, base_price)
                 ON CONFLICT (event_id, ticket_id) DO NOTHING"
            ))?,
            // SKIP LOCKED: a row another node is leasing or committing right
            // now is passed over, not waited for. A row whose lease expired
            // after this statement's snapshot is rechecked once locked.
            lease: client.prepare(&format!(
                "WITH picked AS (
                     SELECT ticket_id FROM {table}
                     WHERE event_id = $1 AND state < {SOLD}
                       AND (state = {ON_SALE} OR lease_expires <= now())
                     ORDER BY ticket_id
                     LIMIT $3
                     FOR UPDATE SKIP LOCKED)
                 UPDATE {table} t
                 SET state = {LEASED}, lease_owner = $2, lease_expires = now() + $4::bigint {ttl}
                 FROM picked
                 WHERE t.event_id = $1 AND t.ticket_id = picked.ticket_id
                 RETURNING t.ticket_id, t.ticket_type, t.base_price, t.lease_expires"
            ))?,
            // The unsold count walks the partial index of unsold tickets and
            // stops at $5 (2 x nodes x block: past it the cap cannot bind),
            // so it costs the same in a small event and a huge one. All
            // CTEs read one snapshot: the count includes the rows leased
            // here. The cap mirrors LeaseSizer::block's.
            lease_share: client.prepare(&format!(
                "WITH unsold AS (
                     SELECT count(*) AS n FROM (
                         SELECT 1 FROM {table}
                         WHERE event_id = $1 AND state < {SOLD}
                         LIMIT $5) u),
                 picked AS (
                     SELECT ticket_id FROM {table}
                     WHERE event_id = $1 AND state < {SOLD}
                       AND (state = {ON_SALE} OR lease_expires <= now())
                     ORDER BY ticket_id
                     LIMIT (SELECT least($3, greatest(1, n / $6)) FROM unsold)
                     FOR UPDATE SKIP LOCKED),
                 leased AS (
                     UPDATE {table} t
                     SET state = {LEASED}, lease_owner = $2,
                         lease_expires = now() + $4::bigint {ttl}
                     FROM picked
                     WHERE t.event_id = $1 AND t.ticket_id = picked.ticket_id
                     RETURNING t.ticket_id, t.ticket_type, t.base_price, t.lease_expires)
                 SELECT l.ticket_id, l.ticket_type, l.base_price, l.lease_expires, u.n
                 FROM unsold u LEFT JOIN leased l ON true"
            ))?,
            // Only live leases: an expired one may already be another node's.
            // Only the tickets named: a lease whose answer the node never
            // got must expire, not be kept alive by the node's renewals.
            renew: client.prepare(&format!(
                "UPDATE {table} SET lease_expires = now() + $3::bigint {ttl}
                 WHERE event_id = $1 AND lease_owner = $2 AND state = {LEASED}
                   AND lease_expires > now() AND ticket_id = ANY($4::bigint[])"
            ))?,
            // The fence: a sale is recorded only on a live lease of this
            // node. The second half reports sales an earlier try of the same
            // group recorded (it reads the snapshot from before the update,
            // so no ticket is returned twice), which makes a retry safe.
            commit: client.prepare(&format!(
                "WITH sales AS (
                     SELECT * FROM unnest($3::bigint[], $4::text[], $5::bigint[])
                         AS s(ticket_id, customer, price)),
                 sold AS (
                     UPDATE {table} t
                     SET state = {SOLD}, lease_expires = NULL, customer = sales.customer,
                         price = sales.price, sold_at = now()
                     FROM sales
                     WHERE t.event_id = $1 AND t.ticket_id = sales.ticket_id
                       AND t.lease_owner = $2 AND t.state = {LEASED} AND t.lease_expires > now()
                     RETURNING t.ticket_id)
                 SELECT ticket_id FROM sold
                 UNION ALL
                 SELECT t.ticket_id FROM {table} t JOIN sales USING (ticket_id)
                 WHERE t.event_id = $1 AND t.state = {SOLD} AND t.lease_owner = $2
                   AND t.customer = sales.customer AND t.price = sales.price"
            ))?,
            hand_back: client.prepare(&format!(
                "UPDATE {table} SET state = {ON_SALE}, lease_owner = NULL, lease_expires = NULL
                 WHERE event_id = $1 AND lease_owner = $2 AND state = {LEASED}
                   AND ticket_id = ANY($3::bigint[])"
            ))?,
            hand_back_all: client.prepare(&format!(
                "UPDATE {table} SET state = {ON_SALE}, lease_owner = NULL, lease_expires = NULL
                 WHERE event_id = $1 AND lease_owner = $2 AND state = {LEASED}"
            ))?,
            hand_back_unknown: client.prepare(&format!(
                "UPDATE {table} SET state = {ON_SALE}, lease_owner = NULL, lease_expires = NULL
                 WHERE event_id = $1 AND lease_owner = $2 AND state = {LEASED}
                   AND NOT (ticket_id = ANY($3::bigint[]))"
            ))?,
            counts: client.prepare(&format!(
                "SELECT count(*),
                     count(*) FILTER (WHERE state = {ON_SALE}),
                     count(*) FILTER (WHERE state = {LEASED} AND lease_expires > now()),
                     count(*) FILTER (WHERE state = {LEASED} AND lease_expires <= now()),
                     count(*) FILTER (WHERE state = {SOLD})
                 FROM {table} WHERE event_id = $1"
            ))?,
            sold_out: client.prepare(&format!(
                "SELECT EXISTS (SELECT 1 FROM {table} WHERE event_id = $1)
                     AND NOT EXISTS (SELECT 1 FROM {table} WHERE event_id = $1 AND state < {SOLD})"
            ))?,
        })
    }
}
