//! [`SqliteState`]: the service's state in the data directory,
//! `accounts.db` (customers, tokens, idempotency keys) and `vendors.db`,
//! the files and tables earlier builds wrote (the idempotency table is
//! added if missing).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{params, Connection, OptionalExtension};
use ticketpool_catalog::EventId;

use super::{
    event_key, hash32, join_types, split_types, AccountRows, Claim, KeyClaim, StateError,
    StateStore, StoredAnswer, VendorRecord,
};
use crate::secret::TokenHash;

/// The accounts database's file name in the data directory.
pub(crate) const ACCOUNTS_FILE: &str = "accounts.db";

/// The vendors database's file name in the data directory.
pub(crate) const VENDORS_FILE: &str = "vendors.db";

const ACCOUNTS_SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    CREATE TABLE IF NOT EXISTS customers (
        name TEXT PRIMARY KEY,
        vip INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS tokens (
        hash BLOB PRIMARY KEY,
        customer TEXT NOT NULL REFERENCES customers(name),
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    );
    CREATE TABLE IF NOT EXISTS idempotency_keys (
        customer TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        claimed_at INTEGER NOT NULL,
        status INTEGER,
        body TEXT,
        PRIMARY KEY (customer, key)
    );
    CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (created_at);
";

const VENDORS_SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    CREATE TABLE IF NOT EXISTS vendors (
        event INTEGER NOT NULL,
        name TEXT NOT NULL,
        ticket_types TEXT NOT NULL,
        rate REAL,
        removed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (event, name)
    );
";

/// The service's state in two SQLite files.
pub(crate) struct SqliteState {
    accounts: Mutex<Connection>,
    vendors: Mutex<Connection>,
    place: PathBuf,
}

/// Which file could not be opened, and why.
#[derive(Debug)]
pub(crate) struct OpenError {
    /// The file.
    pub(crate) path: PathBuf,
    /// `true`: the vendors file; `false`: the accounts file.
    pub(crate) vendors: bool,
    /// Why.
    pub(crate) source: rusqlite::Error,
}

impl SqliteState {
    /// Opens (creating if needed) `accounts.db` and `vendors.db` in `dir`.
    pub(crate) fn open(dir: &Path) -> Result<Self, OpenError> {
        let open = |file: &str, schema: &str, vendors: bool| {
            let path = dir.join(file);
            Connection::open(&path)
                .and_then(|db| db.execute_batch(schema).map(|()| db))
                .map_err(|source| OpenError {
                    path,
                    vendors,
                    source,
                })
        };
        Ok(Self {
            accounts: Mutex::new(open(ACCOUNTS_FILE, ACCOUNTS_SCHEMA, false)?),
            vendors: Mutex::new(open(VENDORS_FILE, VENDORS_SCHEMA, true)?),
            place: dir.to_owned(),
        })
    }

    fn accounts(&self) -> MutexGuard<'_, Connection> {
        self.accounts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl StateStore for SqliteState {
    fn describe(&self) -> String {
        format!("the directory {}", self.place.display())
    }

    fn load_accounts(&self) -> Result<AccountRows, StateError> {
        let db = self.accounts();
        let customers = db
            .prepare("SELECT name, vip FROM customers")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let tokens = db
            .prepare("SELECT hash, customer FROM tokens WHERE revoked_at IS NULL")?
            .query_map([], |row| {
                Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, String>(1)?))
            })?
            .filter_map(|row| match row {
                Ok((hash, name)) => hash32(&hash).map(|hash| Ok((hash, name))),
                Err(error) => Some(Err(error)),
            })
            .collect::<Result<_, _>>()?;
        Ok(AccountRows { customers, tokens })
    }

    fn add_customer(&self, name: &str, token: &TokenHash, now: i64) -> Result<bool, StateError> {
        let mut db = self.accounts();
        let tx = db.transaction()?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO customers (name, vip, created_at) VALUES (?1, 0, ?2)",
            params![name, now],
        )?;
        if inserted == 0 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO tokens (hash, customer, created_at) VALUES (?1, ?2, ?3)",
            params![token.as_slice(), name, now],
        )?;
        tx.commit()?;
        Ok(true)
    }

    fn add_token(&self, name: &str, token: &TokenHash, now: i64) -> Result<(), StateError> {
        self.accounts().execute(
            "INSERT INTO tokens (hash, customer, created_at) VALUES (?1, ?2, ?3)",
            params![token.as_slice(), name, now],
        )?;
        Ok(())
    }

    fn revoke_tokens(&self, name: &str, now: i64) -> Result<usize, StateError> {
        Ok(self.accounts().execute(
            "UPDATE tokens SET revoked_at = ?1 WHERE customer = ?2 AND revoked_at IS NULL",
            params![now, name],
        )?)
    }

    fn set_vip(&self, name: &str, vip: bool) -> Result<(), StateError> {
        self.accounts().execute(
            "UPDATE customers SET vip = ?1 WHERE name = ?2",
            params![vip, name],
        )?;
        Ok(())
    }

    fn ping(&self) -> bool {
        self.accounts()
            .query_row("SELECT 1", [], |row| row.get::<_, i64>(0))
            .optional()
            .is_ok()
    }

    fn vendors_of(&self, id: EventId) -> Result<Vec<VendorRecord>, StateError> {
        let db = self.vendors.lock().unwrap_or_else(PoisonError::into_inner);
        let mut query = db.prepare(
            "SELECT name, ticket_types, rate, removed FROM vendors WHERE event = ?1 ORDER BY name",
        )?;
        let rows = query.query_map(params![event_key(id)], |row| {
            let types: String = row.get(1)?;
            Ok(VendorRecord {
                name: row.get(0)?,
                ticket_types: split_types(&types),
                rate: row.get(2)?,
                removed: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn put_vendor(&self, id: EventId, record: &VendorRecord) -> Result<(), StateError> {
        let db = self.vendors.lock().unwrap_or_else(PoisonError::into_inner);
        db.execute(
            "INSERT INTO vendors (event, name, ticket_types, rate, removed)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (event, name) DO UPDATE SET
                ticket_types = excluded.ticket_types,
                rate = excluded.rate,
                removed = excluded.removed",
            params![
                event_key(id),
                record.name,
                join_types(&record.ticket_types),
                record.rate,
                record.removed
            ],
        )?;
        Ok(())
    }

    fn claim_key(&self, claim: &KeyClaim<'_>) -> Result<Claim, StateError> {
        let mut db = self.accounts();
        let tx = db.transaction()?;
        let won = tx.execute(
            "INSERT OR IGNORE INTO idempotency_keys
                (customer, key, fingerprint, created_at, claimed_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![
                claim.customer,
                claim.key,
                claim.fingerprint.as_slice(),
                claim.now
            ],
        )? == 1;
        if won {
            tx.commit()?;
            return Ok(Claim::Won);
        }
        let (fingerprint, claimed_at, status, body): (Vec<u8>, i64, Option<u16>, Option<String>) =
            tx.query_row(
                "SELECT fingerprint, claimed_at, status, body FROM idempotency_keys
                 WHERE customer = ?1 AND key = ?2",
                params![claim.customer, claim.key],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )?;
        let fingerprint = hash32(&fingerprint).unwrap_or_default();
        let found = match (status, body) {
            (Some(status), Some(body)) => Claim::Answered {
                fingerprint,
                answer: StoredAnswer { status, body },
            },
            _ if claimed_at < claim.stale_before && fingerprint == *claim.fingerprint => {
                tx.execute(
                    "UPDATE idempotency_keys SET claimed_at = ?3 WHERE customer = ?1 AND key = ?2",
                    params![claim.customer, claim.key, claim.now],
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
        self.accounts().execute(
            "UPDATE idempotency_keys SET status = ?3, body = ?4 WHERE customer = ?1 AND key = ?2",
            params![customer, key, answer.status, answer.body],
        )?;
        Ok(())
    }

    fn release_key(&self, customer: &str, key: &str) -> Result<(), StateError> {
        self.accounts().execute(
            "DELETE FROM idempotency_keys WHERE customer = ?1 AND key = ?2 AND status IS NULL",
            params![customer, key],
        )?;
        Ok(())
    }

    fn forget_keys(&self, before: i64) -> Result<usize, StateError> {
        Ok(self.accounts().execute(
            "DELETE FROM idempotency_keys WHERE created_at < ?1",
            params![before],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::hash_token;

    /// A data directory written by a build before idempotency keys were
    /// stored opens unchanged: its customers and tokens load, and the
    /// keys' table is added.
    #[test]
    fn an_older_accounts_file_opens_and_gains_the_keys_table() {
        let dir = tempfile::tempdir().unwrap();
        let old = Connection::open(dir.path().join(ACCOUNTS_FILE)).unwrap();
        old.execute_batch(
            "CREATE TABLE customers (name TEXT PRIMARY KEY, vip INTEGER NOT NULL DEFAULT 0,
                 created_at INTEGER NOT NULL);
             CREATE TABLE tokens (hash BLOB PRIMARY KEY,
                 customer TEXT NOT NULL REFERENCES customers(name),
                 created_at INTEGER NOT NULL, revoked_at INTEGER);
             INSERT INTO customers VALUES ('ann', 1, 5);",
        )
        .unwrap();
        old.execute(
            "INSERT INTO tokens VALUES (?1, 'ann', 5, NULL)",
            params![hash_token("t").as_slice()],
        )
        .unwrap();
        drop(old);

        let store = SqliteState::open(dir.path()).unwrap();
        let rows = store.load_accounts().unwrap();
        assert_eq!(rows.customers, vec![("ann".to_owned(), true)]);
        assert_eq!(rows.tokens, vec![(hash_token("t"), "ann".to_owned())]);
        let claim = KeyClaim {
            customer: "ann",
            key: "k",
            fingerprint: &[7; 32],
            now: 10,
            stale_before: 0,
        };
        assert_eq!(store.claim_key(&claim).unwrap(), Claim::Won);
    }
}
