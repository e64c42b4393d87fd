//! The service's own state, behind one seam: customer accounts (VIP flag,
//! token hashes), what admins changed about vendors, and idempotency
//! records. Two homes:
//!
//! - [`SqliteState`]: `<data>/accounts.db` (customers, tokens,
//!   idempotency keys) and `<data>/vendors.db`, the files earlier builds
//!   wrote (an existing data directory keeps working unchanged).
//! - [`PgState`]: tables in the catalog's PostgreSQL schema under
//!   `--database`, so nothing of the service's state is in the data
//!   directory and a node can be replaced (one server at a time: see
//!   `SoleServer`).
//!
//! Callers keep their in-memory copies (authentication reads no table);
//! every change is written here first. Every method blocks: call it off
//! the async threads (PostgreSQL's blocking client panics on them).

mod pg;
mod sole;
mod sqlite;
#[cfg(test)]
mod suite;

use ticketpool_catalog::EventId;

use crate::secret::TokenHash;

pub(crate) use self::pg::PgState;
pub(crate) use self::sole::SoleServer;
pub(crate) use self::sqlite::SqliteState;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StateError {
    /// SQLite (the data directory's files).
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL.
    #[error(transparent)]
    Postgres(#[from] postgres::Error),
    /// Connecting to PostgreSQL.
    #[error(transparent)]
    Connect(#[from] ticketpool_persist::PersistError),
}

/// Customers and their live tokens, as loaded at start.
#[derive(Debug, Default)]
pub(crate) struct AccountRows {
    /// Every customer: name and VIP flag.
    pub(crate) customers: Vec<(String, bool)>,
    /// Every unrevoked token: hash and owner.
    pub(crate) tokens: Vec<(TokenHash, String)>,
}

/// One vendor as an admin left it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VendorRecord {
    /// Its name, unique in the event.
    pub(crate) name: String,
    /// The types it releases (empty: every type).
    pub(crate) ticket_types: Vec<String>,
    /// Tickets a second (`None`: as fast as there is room).
    pub(crate) rate: Option<f64>,
    /// Removed by an admin: not started again.
    pub(crate) removed: bool,
}

/// An answer as first given: HTTP status and JSON body (as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredAnswer {
    /// The status code.
    pub(crate) status: u16,
    /// The body, serialized.
    pub(crate) body: String,
}

/// What [`StateStore::claim_key`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Claim {
    /// The key is now this caller's: run the request, then
    /// [`answer_key`](StateStore::answer_key) or
    /// [`release_key`](StateStore::release_key).
    Won,
    /// The key already has a request (`fingerprint`) and its answer.
    Answered {
        /// The first request's fingerprint.
        fingerprint: [u8; 32],
        /// Its answer.
        answer: StoredAnswer,
    },
    /// The key's request (`fingerprint`) is running elsewhere, or its
    /// server stopped mid-request less than the stale bound ago.
    Busy {
        /// The running request's fingerprint.
        fingerprint: [u8; 32],
    },
}

/// An idempotency key to claim.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyClaim<'a> {
    /// Whose key (keys are per customer).
    pub(crate) customer: &'a str,
    /// The key.
    pub(crate) key: &'a str,
    /// The request's fingerprint (a retry must match it).
    pub(crate) fingerprint: &'a [u8; 32],
    /// Now, in milliseconds since the epoch.
    pub(crate) now: i64,
    /// A claim without an answer made before this (ms) is abandoned (its
    /// server died mid-request) and may be taken over.
    pub(crate) stale_before: i64,
}

/// The service's own state: one seam, a SQLite and a PostgreSQL home.
pub(crate) trait StateStore: Send + Sync {
    /// Where it is, for messages (no password).
    fn describe(&self) -> String;

    /// Every customer and unrevoked token.
    fn load_accounts(&self) -> Result<AccountRows, StateError>;

    /// Creates Regular customer `name` with its first `token`; `false`
    /// (and nothing written) if the name is taken.
    fn add_customer(&self, name: &str, token: &TokenHash, now: i64) -> Result<bool, StateError>;

    /// A new token for existing customer `name`.
    fn add_token(&self, name: &str, token: &TokenHash, now: i64) -> Result<(), StateError>;

    /// Revokes every live token of `name`; how many.
    fn revoke_tokens(&self, name: &str, now: i64) -> Result<usize, StateError>;

    /// Sets customer `name`'s VIP flag.
    fn set_vip(&self, name: &str, vip: bool) -> Result<(), StateError>;

    /// Whether the store answers (for `/healthz`).
    fn ping(&self) -> bool;

    /// Every vendor record of event `id`, by name.
    fn vendors_of(&self, id: EventId) -> Result<Vec<VendorRecord>, StateError>;

    /// Records vendor `record` of event `id`, replacing what was there.
    fn put_vendor(&self, id: EventId, record: &VendorRecord) -> Result<(), StateError>;

    /// Claims an idempotency key for a request, or finds its first
    /// request's answer (see [`Claim`]).
    fn claim_key(&self, claim: &KeyClaim<'_>) -> Result<Claim, StateError>;

    /// Stores the answer to the request that [`Claim::Won`] the key.
    fn answer_key(
        &self,
        customer: &str,
        key: &str,
        answer: &StoredAnswer,
    ) -> Result<(), StateError>;

    /// Lets go of a won claim whose request did nothing (a 5xx): a retry
    /// may run it again.
    fn release_key(&self, customer: &str, key: &str) -> Result<(), StateError>;

    /// Forgets keys created before `before` (ms); how many.
    fn forget_keys(&self, before: i64) -> Result<usize, StateError>;
}

/// Event ids as the tables store them (ids are dense from 1, far below
/// `i64::MAX`).
fn event_key(id: EventId) -> i64 {
    i64::try_from(id.0).unwrap_or(i64::MAX)
}

/// Type names are stored one per line (a type name has no line break).
fn join_types(types: &[String]) -> String {
    types.join("\n")
}

fn split_types(stored: &str) -> Vec<String> {
    stored
        .split('\n')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A stored 32-byte hash, or `None` if the row is damaged.
fn hash32(bytes: &[u8]) -> Option<[u8; 32]> {
    <[u8; 32]>::try_from(bytes).ok()
}
