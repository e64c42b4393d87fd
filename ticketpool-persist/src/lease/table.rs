//! The `lease_tickets` table: created if absent, refused if a table of that
//! name has other columns.

use postgres::Client;

use crate::error::PersistError;

/// The ticket states, as stored in `lease_tickets.state`.
pub(super) const ON_SALE: i16 = 0;
/// Under a lease (live or expired).
pub(super) const LEASED: i16 = 1;
/// Sold; `lease_owner` keeps the node that sold it.
pub(super) const SOLD: i16 = 2;

/// The columns and their `information_schema` types, in order.
const COLUMNS: [(&str, &str); 10] = [
    ("event_id", "bigint"),
    ("ticket_id", "bigint"),
    ("ticket_type", "text"),
    ("base_price", "bigint"),
    ("state", "smallint"),
    ("lease_owner", "text"),
    ("lease_expires", "timestamp with time zone"),
    ("customer", "text"),
    ("price", "bigint"),
    ("sold_at", "timestamp with time zone"),
];

/// The table in `schema` (a checked identifier).
fn table_sql(schema: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {schema}.lease_tickets (
            event_id BIGINT NOT NULL,
            ticket_id BIGINT NOT NULL,
            ticket_type TEXT NOT NULL,
            base_price BIGINT NOT NULL,
            state SMALLINT NOT NULL DEFAULT {ON_SALE},
            lease_owner TEXT,
            lease_expires TIMESTAMPTZ,
            customer TEXT,
            price BIGINT,
            sold_at TIMESTAMPTZ,
            PRIMARY KEY (event_id, ticket_id),
            -- Each state's columns, so no statement can leave a half-sold row.
            CONSTRAINT lease_tickets_state CHECK (
                (state = {ON_SALE} AND lease_owner IS NULL AND lease_expires IS NULL
                    AND customer IS NULL)
                OR (state = {LEASED} AND lease_owner IS NOT NULL
                    AND lease_expires IS NOT NULL AND customer IS NULL)
                OR (state = {SOLD} AND lease_owner IS NOT NULL AND lease_expires IS NULL
                    AND customer IS NOT NULL AND price IS NOT NULL AND sold_at IS NOT NULL))
        )"
    )
}

/// The indexes, made once the table is known to be ours.
fn index_sql(schema: &str) -> String {
    format!(
        "-- The lease query walks the unsold tickets of one event in id order;
        -- sold tickets leave this index, so it shrinks as the event sells.
        CREATE INDEX IF NOT EXISTS lease_tickets_unsold
            ON {schema}.lease_tickets (event_id, ticket_id) WHERE state < {SOLD};
        -- Renewals and hand-backs find one node's leases.
        CREATE INDEX IF NOT EXISTS lease_tickets_owner
            ON {schema}.lease_tickets (event_id, lease_owner) WHERE state = {LEASED};"
    )
}

/// Creates `schema` and its `lease_tickets` table if absent; refuses one
/// whose columns differ.
pub(super) fn create(
    client: &mut Client,
    schema: &str,
    location: &str,
) -> Result<(), PersistError> {
    let table = LeaseTable {
        name: "lease_tickets",
        what: "ticket-lease",
        columns: &COLUMNS,
        create: table_sql(schema),
        indexes: index_sql(schema),
    };
    table.create(client, schema, location)
}

/// A lease table: its name, its expected columns and its SQL.
pub(super) struct LeaseTable<'a> {
    /// The table's name in the schema.
    pub name: &'a str,
    /// What its columns are called in the refusal (`"ticket-lease"`).
    pub what: &'a str,
    /// The columns and their `information_schema` types, in order.
    pub columns: &'a [(&'a str, &'a str)],
    /// `CREATE TABLE IF NOT EXISTS ...`.
    pub create: String,
    /// The indexes, made once the table is known to be ours.
    pub indexes: String,
}

impl LeaseTable<'_> {
    /// Creates `schema` and the table if absent; refuses a table of that
    /// name whose columns differ.
    pub(super) fn create(
        &self,
        client: &mut Client,
        schema: &str,
        location: &str,
    ) -> Result<(), PersistError> {
        let mut tx = client.transaction()?;
        // Nodes starting together must not race to create the same table.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            &[&format!("{schema}.{}", self.name)],
        )?;
        tx.batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}; {}",
            self.create
        ))?;
        let found: Vec<(String, String)> = tx
            .query(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
                &[&schema, &self.name],
            )?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<_, postgres::Error>>()?;
        let expected: Vec<(String, String)> = self
            .columns
            .iter()
            .map(|(name, kind)| ((*name).to_owned(), (*kind).to_owned()))
            .collect();
        if found != expected {
            return Err(PersistError::Foreign {
                location: location.to_owned(),
                detail: format!(
                    "its {} table has columns ({}), not the {} columns",
                    self.name,
                    found
                        .iter()
                        .map(|(name, kind)| format!("{name} {kind}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    self.what
                ),
            });
        }
        tx.batch_execute(&self.indexes)?;
        tx.commit()?;
        Ok(())
    }
}
