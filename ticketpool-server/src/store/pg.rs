//! [`PgState`]: the service's state in the catalog's PostgreSQL schema
//! (`--database`): tables `customers`, `customer_tokens`,
//! `vendor_changes` and `idempotency_keys`, created if missing.

use std::sync::{Mutex, MutexGuard, PoisonError};

use postgres::Client;
use ticketpool_catalog::EventId;
use ticketpool_persist::CatalogPg;

use super::{
    event_key, hash32, join_types, split_types, AccountRows, Claim, KeyClaim, StateError,
    StateStore, StoredAnswer, VendorRecord,
};
use crate::secret::TokenHash;

/// The tables, in schema `{s}` (a checked identifier: splicing it is safe).
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS {s}.customers (
        name TEXT PRIMARY KEY,
        vip BOOLEAN NOT NULL DEFAULT FALSE,
        created_at BIGINT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS {s}.customer_tokens (
        hash BYTEA PRIMARY KEY,
        customer TEXT NOT NULL REFERENCES {s}.customers (name),
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
    );
    CREATE TABLE IF NOT EXISTS {s}.vendor_changes (
        event BIGINT NOT NULL,
        name TEXT NOT NULL,
        ticket_types TEXT NOT NULL,
        rate DOUBLE PRECISION,
        removed BOOLEAN NOT NULL DEFAULT FALSE,
        PRIMARY KEY (event, name)
    );
    CREATE TABLE IF NOT EXISTS {s}.idempotency_keys (
        customer TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint BYTEA NOT NULL,
        created_at BIGINT NOT NULL,
        claimed_at BIGINT NOT NULL,
        status INTEGER,
        body TEXT,
        PRIMARY KEY (customer, key)
    );
    CREATE INDEX IF NOT EXISTS idempotency_keys_created ON {s}.idempotency_keys (created_at);
";

/// The service's state in PostgreSQL: one connection, reopened if the
/// server dropped it.
pub(crate) struct PgState {
    home: CatalogPg,
    client: Mutex<Client>,
}

impl PgState {
    /// Connects to `home`'s server and creates the tables in its schema if
    /// missing. Open the catalog first: its schema refuses to adopt a
    /// schema holding other tables.
    pub(crate) fn open(home: &CatalogPg) -> Result<Self, StateError> {
        let mut client = home.connect()?;
        let schema = home.schema();
        let mut tx = client.transaction()?;
        // Two servers starting on one new schema must not both create it.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1 || '.service'))",
            &[&schema],
        )?;
        tx.batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}; {}",
            SCHEMA.replace("{s}", schema)
        ))?;
        tx.commit()?;
        Ok(Self {
            home: home.clone(),
            client: Mutex::new(client),
        })
    }

    /// The connection, reopened if it was closed (a server restart).
    fn client(&self) -> Result<MutexGuard<'_, Client>, StateError> {
        let mut client = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        if client.is_closed() {
            *client = self.home.connect()?;
        }
        Ok(client)
    }

    /// `sql` with `{s}` naming the schema.
    fn sql(&self, sql: &str) -> String {
        sql.replace("{s}", self.home.schema())
    }
}

impl StateStore for PgState {
    fn describe(&self) -> String {
        self.home.to_string()
    }

    fn load_accounts(&self) -> Result<AccountRows, StateError> {
        let mut client = self.client()?;
        let customers = client
            .query(&self.sql("SELECT name, vip FROM {s}.customers"), &[])?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<_, postgres::Error>>()?;
        let mut tokens = Vec::new();
        let live =
            self.sql("SELECT hash, customer FROM {s}.customer_tokens WHERE revoked_at IS NULL");
        for row in client.query(&live, &[])? {
            let hash: Vec<u8> = row.try_get(0)?;
            if let Some(hash) = hash32(&hash) {
                tokens.push((hash, row.try_get(1)?));
            }
        }
        Ok(AccountRows { customers, tokens })
    }

    fn add_customer(&self, name: &str, token: &TokenHash, now: i64) -> Result<bool, StateError> {
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        let inserted = tx.execute(
            &self.sql(
                "INSERT INTO {s}.customers (name, vip, created_at) VALUES ($1, FALSE, $2)
                 ON CONFLICT (name) DO NOTHING",
            ),
            &[&name, &now],
        )?;
        if inserted == 0 {
            return Ok(false);
        }
        tx.execute(
            &self.sql(
                "INSERT INTO {s}.customer_tokens (hash, customer, created_at) VALUES ($1, $2, $3)",
            ),
            &[&token.as_slice(), &name, &now],
        )?;
        tx.commit()?;
        Ok(true)
    }

    fn add_token(&self, name: &str, token: &TokenHash, now: i64) -> Result<(), StateError> {
        self.client()?.execute(
            &self.sql(
                "INSERT INTO {s}.customer_tokens (hash, customer, created_at) VALUES ($1, $2, $3)",
            ),
            &[&token.as_slice(), &name, &now],
        )?;
        Ok(())
    }

    fn revoke_tokens(&self, name: &str, now: i64) -> Result<usize, StateError> {
        let revoked = self.client()?.execute(
            &self.sql(
                "UPDATE {s}.customer_tokens SET revoked_at = $1
                 WHERE customer = $2 AND revoked_at IS NULL",
            ),
            &[&now, &name],
        )?;
        Ok(usize::try_from(revoked).unwrap_or(usize::MAX))
    }

    fn set_vip(&self, name: &str, vip: bool) -> Result<(), StateError> {
        self.client()?.execute(
            &self.sql("UPDATE {s}.customers SET vip = $1 WHERE name = $2"),
            &[&vip, &name],
        )?;
        Ok(())
    }

    fn ping(&self) -> bool {
        self.client()
            .is_ok_and(|mut client| client.simple_query("SELECT 1").is_ok())
    }

    fn vendors_of(&self, id: EventId) -> Result<Vec<VendorRecord>, StateError> {
        let rows = self.client()?.query(
            &self.sql(
                "SELECT name, ticket_types, rate, removed FROM {s}.vendor_changes
                 WHERE event = $1 ORDER BY name",
            ),
            &[&event_key(id)],
        )?;
        rows.iter()
            .map(|row| {
                let types: String = row.try_get(1)?;
                Ok(VendorRecord {
                    name: row.try_get(0)?,
                    ticket_types: split_types(&types),
                    rate: row.try_get(2)?,
                    removed: row.try_get(3)?,
                })
            })
            .collect()
    }

    fn put_vendor(&self, id: EventId, record: &VendorRecord) -> Result<(), StateError> {
        self.client()?.execute(
            &self.sql(
                "INSERT INTO {s}.vendor_changes (event, name, ticket_types, rate, removed)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (event, name) DO UPDATE SET
                    ticket_types = excluded.ticket_types,
                    rate = excluded.rate,
                    removed = excluded.removed",
            ),
            &[
                &event_key(id),
                &record.name,
                &join_types(&record.ticket_types),
                &record.rate,
                &record.removed,
            ],
        )?;
        Ok(())
    }

    fn claim_key(&self, claim: &KeyClaim<'_>) -> Result<Claim, StateError> {
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        let won = tx.execute(
            &self.sql(
                "INSERT INTO {s}.idempotency_keys
                    (customer, key, fingerprint, created_at, claimed_at)
                 VALUES ($1, $2, $3, $4, $4)
                 ON CONFLICT (customer, key) DO NOTHING",
            ),
            &[
                &claim.customer,
                &claim.key,
                &claim.fingerprint.as_slice(),
                &claim.now,
            ],
        )? == 1;
        if won {
            tx.commit()?;
            return Ok(Claim::Won);
        }
        // Locked: a takeover of an abandoned claim happens once.
        let row = tx.query_one(
            &self.sql(
                "SELECT fingerprint, claimed_at, status, body FROM {s}.idempotency_keys
                 WHERE customer = $1 AND key = $2 FOR UPDATE",
            ),
            &[&claim.customer, &claim.key],
        )?;
        let fingerprint: Vec<u8> = row.try_get(0)?;
        let fingerprint = hash32(&fingerprint).unwrap_or_default();
        let claimed_at: i64 = row.try_get(1)?;
        let status: Option<i32> = row.try_get(2)?;
        let body: Option<String> = row.try_get(3)?;
        let found = match (status.and_then(|s| u16::try_from(s).ok()), body) {
            (Some(status), Some(body)) => Claim::Answered {
                fingerprint,
                answer: StoredAnswer { status, body },
            },
            _ if claimed_at < claim.stale_before && fingerprint == *claim.fingerprint => {
                tx.execute(
                    &self.sql(
                        "UPDATE {s}.idempotency_keys SET claimed_at = $3
                         WHERE customer = $1 AND key = $2",
                    ),
                    &[&claim.customer, &claim.key, &claim.now],
                )?;
                Claim::Won
            }
            _ => Claim::Busy { fingerprint },
        };
        tx.commit()?;
        Ok(found)
    }

    fn answer_key(
        &self,
        customer: &str,
        key: &str,
        answer: &StoredAnswer,
    ) -> Result<(), StateError> {
        self.client()?.execute(
            &self.sql(
                "UPDATE {s}.idempotency_keys SET status = $3, body = $4
                 WHERE customer = $1 AND key = $2",
            ),
            &[&customer, &key, &i32::from(answer.status), &answer.body],
        )?;
        Ok(())
    }

    fn release_key(&self, customer: &str, key: &str) -> Result<(), StateError> {
        self.client()?.execute(
            &self.sql(
                "DELETE FROM {s}.idempotency_keys
                 WHERE customer = $1 AND key = $2 AND status IS NULL",
            ),
            &[&customer, &key],
        )?;
        Ok(())
    }

    fn forget_keys(&self, before: i64) -> Result<usize, StateError> {
        let forgotten = self.client()?.execute(
            &self.sql("DELETE FROM {s}.idempotency_keys WHERE created_at < $1"),
            &[&before],
        )?;
        Ok(usize::try_from(forgotten).unwrap_or(usize::MAX))
    }
}
