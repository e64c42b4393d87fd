//! `Idempotency-Key` on reserve and confirm: a retry with the same key by
//! the same customer gets the first answer (status and body) and never
//! books twice; the same key with another request is refused
//! (`idempotency_key_reused`).
//!
//! Keys are kept for a day in the service's store (`store`: the data
//! directory, or PostgreSQL under `--database`), so a retry after a
//! restart still gets the first answer; only keyed requests touch it. A
//! key is claimed in the store before its request runs and answered
//! after, so two servers on one database run it once; a retry while it
//! runs elsewhere gets a 409 `idempotency_key_in_progress`. A claim left
//! unanswered by a server that died mid-request is taken over after
//! [`STALE`] (its holds died with it, and a confirm of one finds nothing).
//!
//! In memory, concurrent retries queue on the key's lock, so only the
//! first reaches the store. The work runs in a task of its own: a client
//! hanging up mid-request cannot leave a booking made but unrecorded under
//! its key. A 5xx is not kept (nothing happened; the retry may run again).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::Value;

use crate::accounts::now;
use crate::errors::{ApiError, ApiResult};
use crate::secret::hash_token;
use crate::store::{Claim, KeyClaim, StateStore, StoredAnswer};

/// The request header.
pub(crate) const HEADER: &str = "idempotency-key";

/// How long a key is remembered.
const KEEP: Duration = Duration::from_secs(24 * 3600);

/// The longest key accepted.
const MAX_KEY: usize = 255;

/// An answer as first given.
pub(crate) type Answer = (StatusCode, Value);

/// How long a claim may stay unanswered before another request may take
/// it over (longer than any reserve or confirm runs).
pub(crate) const STALE: Duration = Duration::from_secs(60);

/// The memory's entries, by customer and key.
type Entries = HashMap<(Arc<str>, String), Entry>;

/// A key's first answer, once known; its lock queues concurrent retries.
type Slot = Arc<tokio::sync::Mutex<Option<Answer>>>;

struct Entry {
    fingerprint: [u8; 32],
    created: Instant,
    answer: Slot,
}

/// The keys seen: in memory, and in the store.
pub(crate) struct Keys {
    entries: Arc<Mutex<Entries>>,
    store: Arc<dyn StateStore>,
}

impl Keys {
    /// Keys kept in `store`.
    pub(crate) fn new(store: Arc<dyn StateStore>) -> Self {
        Self {
            entries: Arc::default(),
            store,
        }
    }

    /// Runs `work` once per (`customer`, `key`): later calls with the same
    /// key and `request` get its answer; with another `request`, a 422.
    /// Without a key, `work` just runs.
    pub(crate) async fn once<F, Fut>(
        &self,
        customer: &Arc<str>,
        key: Option<&str>,
        request: &str,
        work: F,
    ) -> ApiResult<Answer>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ApiResult<Answer>> + Send + 'static,
    {
        let Some(key) = key else {
            return work().await;
        };
        if key.is_empty() || key.len() > MAX_KEY || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::bad_request(
                "bad_idempotency_key",
                format!("the Idempotency-Key must be 1 to {MAX_KEY} visible ASCII characters"),
            ));
        }
        let fingerprint = hash_token(request);
        let id = (Arc::clone(customer), key.to_owned());
        let slot = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            let entry = entries.entry(id.clone()).or_insert_with(|| Entry {
                fingerprint,
                created: Instant::now(),
                answer: Arc::default(),
            });
            if entry.fingerprint != fingerprint {
                return Err(reused());
            }
            Arc::clone(&entry.answer)
        };
        let (entries, store) = (Arc::clone(&self.entries), Arc::clone(&self.store));
        let task = tokio::spawn(async move {
            let mut first = Arc::clone(&slot).lock_owned().await;
            if let Some(answer) = first.as_ref() {
                return answer.clone();
            }
            let claimed = claim(&store, &id, fingerprint).await;
            let found = match claimed {
                Ok(Claim::Won) => None,
                Ok(Claim::Answered {
                    fingerprint: theirs,
                    answer,
                }) if theirs == fingerprint => Some(decode(&answer)),
                Ok(Claim::Busy {
                    fingerprint: theirs,
                }) if theirs == fingerprint => Some(Err(ApiError::conflict(
                    "idempotency_key_in_progress",
                    "a request with this Idempotency-Key is still running; retry shortly",
                ))),
                Ok(Claim::Answered { .. } | Claim::Busy { .. }) => {
                    // The store's request is the first: this entry's is not.
                    forget(&entries, &id, &slot);
                    Some(Err(reused()))
                }
                Err(error) => Some(Err(error)),
            };
            match found {
                Some(Ok(answer)) => {
                    *first = Some(answer.clone());
                    return answer;
                }
                Some(Err(error)) => return (error.status(), error.body()),
                None => {}
            }
            let answer = match work().await {
                Ok(answer) => answer,
                Err(error) => (error.status(), error.body()),
            };
            settle(&store, &id, &answer).await;
            if !answer.0.is_server_error() {
                *first = Some(answer.clone());
            }
            answer
        });
        task.await.map_err(ApiError::internal)
    }

    /// Forgets keys older than a day (in memory; see
    /// [`forget_stored`](Self::forget_stored) for the store).
    pub(crate) fn sweep(&self, now: Instant) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, entry| entry.created + KEEP > now);
    }

    /// Deletes the store's keys older than a day. Blocks: call it off the
    /// async threads.
    pub(crate) fn forget_stored(&self) {
        let day = i64::try_from(KEEP.as_millis()).unwrap_or(i64::MAX);
        if let Err(error) = self.store.forget_keys(now().saturating_sub(day)) {
            tracing::error!(target: "ticketpool", "forgetting old idempotency keys: {error}");
        }
    }
}

fn reused() -> ApiError {
    ApiError::invalid(
        "idempotency_key_reused",
        "this Idempotency-Key was used for a different request",
    )
}

/// Claims the key in the store (off the async threads).
async fn claim(
    store: &Arc<dyn StateStore>,
    (customer, key): &(Arc<str>, String),
    fingerprint: [u8; 32],
) -> ApiResult<Claim> {
    let (store, customer, key) = (Arc::clone(store), Arc::clone(customer), key.clone());
    tokio::task::spawn_blocking(move || {
        let now = now();
        let stale = i64::try_from(STALE.as_millis()).unwrap_or(i64::MAX);
        store
            .claim_key(&KeyClaim {
                customer: &customer,
                key: &key,
                fingerprint: &fingerprint,
                now,
                stale_before: now.saturating_sub(stale),
            })
            .map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)?
}

/// Stores the answer of a won claim, or lets the claim go after a 5xx.
/// A failure is logged: the booking is made, and this process still
/// remembers its answer.
async fn settle(
    store: &Arc<dyn StateStore>,
    (customer, key): &(Arc<str>, String),
    answer: &Answer,
) {
    let (store, customer, key) = (Arc::clone(store), Arc::clone(customer), key.clone());
    let stored = StoredAnswer {
        status: answer.0.as_u16(),
        body: answer.1.to_string(),
    };
    let failed = answer.0.is_server_error();
    let done = tokio::task::spawn_blocking(move || {
        if failed {
            store.release_key(&customer, &key)
        } else {
            store.answer_key(&customer, &key, &stored)
        }
    })
    .await;
    match done {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            tracing::error!(target: "ticketpool", "storing an idempotency key's answer: {error}");
        }
        Err(error) => {
            tracing::error!(target: "ticketpool", "storing an idempotency key's answer: {error}");
        }
    }
}

/// A stored answer as the API gives it.
fn decode(answer: &StoredAnswer) -> ApiResult<Answer> {
    let status = StatusCode::from_u16(answer.status).map_err(ApiError::internal)?;
    let body = serde_json::from_str(&answer.body).map_err(ApiError::internal)?;
    Ok((status, body))
}

/// Drops `id`'s memory entry if it is still `slot`'s.
fn forget(entries: &Mutex<Entries>, id: &(Arc<str>, String), slot: &Slot) {
    let mut entries = entries.lock().unwrap_or_else(PoisonError::into_inner);
    if entries
        .get(id)
        .is_some_and(|e| Arc::ptr_eq(&e.answer, slot))
    {
        entries.remove(id);
    }
}
