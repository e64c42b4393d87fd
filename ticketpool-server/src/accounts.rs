//! Customer accounts in `<data>/accounts.db` (SQLite): a name, the VIP
//! flag only an admin sets, and bearer tokens stored as SHA-256 hashes
//! (a stolen database gives no usable token). Every change is written to
//! the database first, then to the in-memory copy that authenticates
//! requests without a query.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};

use crate::errors::{ApiError, ApiResult};
use crate::secret::{hash_token, new_token, TokenHash};

/// The accounts database's file name in the data directory.
pub(crate) const ACCOUNTS_FILE: &str = "accounts.db";

/// Longest customer name, in characters.
const MAX_NAME: usize = 64;

const SCHEMA: &str = "
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
";

/// An authenticated customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Account {
    /// Its unique name: what the engine records as the customer.
    pub(crate) name: Arc<str>,
    /// Served first; only an admin changes it.
    pub(crate) vip: bool,
}

#[derive(Default)]
struct Cache {
    vip: HashMap<Arc<str>, bool>,
    tokens: HashMap<TokenHash, Arc<str>>,
}

/// The accounts: database and in-memory copy.
pub(crate) struct Accounts {
    db: Mutex<Connection>,
    cache: RwLock<Cache>,
}

impl Accounts {
    /// Opens (creating if needed) the accounts database at `path`.
    pub(crate) fn open(path: &Path) -> Result<Self, rusqlite::Error> {
        let db = Connection::open(path)?;
        db.execute_batch(SCHEMA)?;
        let mut cache = Cache::default();
        {
            let mut customers = db.prepare("SELECT name, vip FROM customers")?;
            let rows = customers.query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?))
            })?;
            for row in rows {
                let (name, vip) = row?;
                cache.vip.insert(Arc::from(name), vip);
            }
            let mut tokens =
                db.prepare("SELECT hash, customer FROM tokens WHERE revoked_at IS NULL")?;
            let rows = tokens.query_map([], |row| {
                Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, String>(1)?))
            })?;
            for row in rows {
                let (hash, name) = row?;
                if let (Ok(hash), Some((name, _))) = (
                    TokenHash::try_from(hash.as_slice()),
                    cache.vip.get_key_value(&*name),
                ) {
                    let name = Arc::clone(name);
                    cache.tokens.insert(hash, name);
                }
            }
        }
        Ok(Self {
            db: Mutex::new(db),
            cache: RwLock::new(cache),
        })
    }

    /// Creates customer `name` (a Regular) and returns its first token,
    /// the only time it is shown.
    ///
    /// # Errors
    ///
    /// 422 `invalid_name`, 409 `name_taken`, 500 if the database fails.
    pub(crate) fn sign_up(&self, name: &str) -> ApiResult<String> {
        check_name(name)?;
        let token = new_token().map_err(ApiError::internal)?;
        let hash = hash_token(&token);
        let mut db = self.db.lock().map_err(ApiError::internal)?;
        let tx = db.transaction().map_err(ApiError::internal)?;
        let inserted = tx
            .execute(
                "INSERT OR IGNORE INTO customers (name, vip, created_at) VALUES (?1, 0, ?2)",
                params![name, now()],
            )
            .map_err(ApiError::internal)?;
        if inserted == 0 {
            return Err(ApiError::conflict(
                "name_taken",
                format!("a customer named {name:?} already exists"),
            ));
        }
        tx.execute(
            "INSERT INTO tokens (hash, customer, created_at) VALUES (?1, ?2, ?3)",
            params![hash.as_slice(), name, now()],
        )
        .map_err(ApiError::internal)?;
        tx.commit().map_err(ApiError::internal)?;
        let name: Arc<str> = Arc::from(name);
        let mut cache = self.cache.write().map_err(ApiError::internal)?;
        cache.vip.insert(Arc::clone(&name), false);
        cache.tokens.insert(hash, name);
        Ok(token)
    }

    /// A new token for existing customer `name` (an admin's doing).
    ///
    /// # Errors
    ///
    /// 404 `unknown_customer`, 500 if the database fails.
    pub(crate) fn issue_token(&self, name: &str) -> ApiResult<String> {
        let name = self.known(name)?;
        let token = new_token().map_err(ApiError::internal)?;
        let hash = hash_token(&token);
        self.db
            .lock()
            .map_err(ApiError::internal)?
            .execute(
                "INSERT INTO tokens (hash, customer, created_at) VALUES (?1, ?2, ?3)",
                params![hash.as_slice(), &*name, now()],
            )
            .map_err(ApiError::internal)?;
        self.cache
            .write()
            .map_err(ApiError::internal)?
            .tokens
            .insert(hash, name);
        Ok(token)
    }

    /// Revokes every token of customer `name`; returns how many.
    ///
    /// # Errors
    ///
    /// 404 `unknown_customer`, 500 if the database fails.
    pub(crate) fn revoke_tokens(&self, name: &str) -> ApiResult<usize> {
        let name = self.known(name)?;
        let revoked = self
            .db
            .lock()
            .map_err(ApiError::internal)?
            .execute(
                "UPDATE tokens SET revoked_at = ?1 WHERE customer = ?2 AND revoked_at IS NULL",
                params![now(), &*name],
            )
            .map_err(ApiError::internal)?;
        self.cache
            .write()
            .map_err(ApiError::internal)?
            .tokens
            .retain(|_, owner| *owner != name);
        Ok(revoked)
    }

    /// Grants (`true`) or revokes VIP for customer `name`.
    ///
    /// # Errors
    ///
    /// 404 `unknown_customer`, 500 if the database fails.
    pub(crate) fn set_vip(&self, name: &str, vip: bool) -> ApiResult<()> {
        let name = self.known(name)?;
        self.db
            .lock()
            .map_err(ApiError::internal)?
            .execute(
                "UPDATE customers SET vip = ?1 WHERE name = ?2",
                params![vip, &*name],
            )
            .map_err(ApiError::internal)?;
        self.cache
            .write()
            .map_err(ApiError::internal)?
            .vip
            .insert(name, vip);
        Ok(())
    }

    /// The customer `token` belongs to, if it is a live token.
    pub(crate) fn authenticate(&self, token: &str) -> Option<Account> {
        let hash = hash_token(token);
        let cache = self.cache.read().ok()?;
        let name = cache.tokens.get(&hash)?;
        let vip = cache.vip.get(name).copied().unwrap_or(false);
        Some(Account {
            name: Arc::clone(name),
            vip,
        })
    }

    /// Customer `name`'s account.
    pub(crate) fn account(&self, name: &str) -> ApiResult<Account> {
        let name = self.known(name)?;
        let vip = self
            .cache
            .read()
            .map_err(ApiError::internal)?
            .vip
            .get(&name)
            .copied()
            .unwrap_or(false);
        Ok(Account { name, vip })
    }

    /// How many customers there are.
    pub(crate) fn count(&self) -> usize {
        self.cache.read().map(|c| c.vip.len()).unwrap_or(0)
    }

    fn known(&self, name: &str) -> ApiResult<Arc<str>> {
        let cache = self.cache.read().map_err(ApiError::internal)?;
        cache
            .vip
            .get_key_value(name)
            .map(|(name, _)| Arc::clone(name))
            .ok_or_else(|| {
                ApiError::not_found(
                    "unknown_customer",
                    format!("there is no customer named {name:?}"),
                )
            })
    }

    /// Whether the database answers (for `/healthz`).
    pub(crate) fn ping(&self) -> bool {
        self.db.lock().is_ok_and(|db| {
            db.query_row("SELECT 1", [], |row| row.get::<_, i64>(0))
                .optional()
                .is_ok()
        })
    }
}

/// Names go in URL paths and logs: ASCII letters, digits and `-_.@`.
fn check_name(name: &str) -> ApiResult<()> {
    let problem = if name.is_empty() {
        Some("must not be empty".to_owned())
    } else if name.chars().count() > MAX_NAME {
        Some(format!("must be at most {MAX_NAME} characters"))
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
    {
        Some("may hold only ASCII letters, digits and - _ . @".to_owned())
    } else {
        None
    };
    match problem {
        Some(problem) => Err(ApiError::invalid(
            "invalid_name",
            format!("the customer name {problem}"),
        )),
        None => Ok(()),
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_survive_a_reopen_and_die_when_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ACCOUNTS_FILE);
        let accounts = Accounts::open(&path).unwrap();
        let token = accounts.sign_up("ann").unwrap();
        assert_eq!(accounts.sign_up("ann").unwrap_err().code(), "name_taken");
        assert_eq!(accounts.sign_up("a b").unwrap_err().code(), "invalid_name");
        accounts.set_vip("ann", true).unwrap();
        drop(accounts);

        let accounts = Accounts::open(&path).unwrap();
        let ann = accounts.authenticate(&token).unwrap();
        assert_eq!((&*ann.name, ann.vip), ("ann", true));
        // Only the hash is stored.
        let stored: Vec<u8> = Connection::open(&path)
            .unwrap()
            .query_row("SELECT hash FROM tokens", [], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, token.as_bytes());
        assert_eq!(accounts.revoke_tokens("ann").unwrap(), 1);
        assert!(accounts.authenticate(&token).is_none());
        drop(accounts);
        assert!(Accounts::open(&path)
            .unwrap()
            .authenticate(&token)
            .is_none());
    }
}
