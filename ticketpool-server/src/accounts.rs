//! Customer accounts in the service's store (`<data>/accounts.db`, or
//! PostgreSQL under `--database`; see `store`): a name, the VIP flag only
//! an admin sets, and bearer tokens stored as SHA-256 hashes (a stolen
//! database gives no usable token). Every change is written to the
//! database first, then to the in-memory copy that authenticates requests
//! without a query.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::errors::{ApiError, ApiResult};
use crate::secret::{hash_token, new_token, TokenHash};
use crate::store::{StateError, StateStore};

/// Longest customer name, in characters.
const MAX_NAME: usize = 64;

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
    db: Arc<dyn StateStore>,
    cache: RwLock<Cache>,
}

impl Accounts {
    /// Loads the accounts kept in `db`.
    pub(crate) fn open(db: Arc<dyn StateStore>) -> Result<Self, StateError> {
        let rows = db.load_accounts()?;
        let mut cache = Cache::default();
        for (name, vip) in rows.customers {
            cache.vip.insert(Arc::from(name), vip);
        }
        for (hash, name) in rows.tokens {
            if let Some((name, _)) = cache.vip.get_key_value(&*name) {
                let name = Arc::clone(name);
                cache.tokens.insert(hash, name);
            }
        }
        Ok(Self {
            db,
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
        let created = self
            .db
            .add_customer(name, &hash, now())
            .map_err(ApiError::internal)?;
        if !created {
            return Err(ApiError::conflict(
                "name_taken",
                format!("a customer named {name:?} already exists"),
            ));
        }
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
            .add_token(&name, &hash, now())
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
            .revoke_tokens(&name, now())
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
        self.db.set_vip(&name, vip).map_err(ApiError::internal)?;
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
        self.db.ping()
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

/// Milliseconds since the epoch, as the store keeps times.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
