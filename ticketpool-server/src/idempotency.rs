//! `Idempotency-Key` on reserve and confirm: a retry with the same key by
//! the same customer gets the first answer (status and body) and never
//! books twice; the same key with another request is refused
//! (`idempotency_key_reused`).
//!
//! Keys live in memory for a day (this slice: a restart forgets them).
//! Concurrent retries queue on the key's lock, so only the first runs.
//! The work runs in a task of its own: a client hanging up mid-request
//! cannot leave a booking made but unrecorded under its key. A 5xx is not
//! kept (nothing happened; the retry may run again).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::Value;

use crate::errors::{ApiError, ApiResult};
use crate::secret::hash_token;

/// The request header.
pub(crate) const HEADER: &str = "idempotency-key";

/// How long a key is remembered.
const KEEP: Duration = Duration::from_secs(24 * 3600);

/// The longest key accepted.
const MAX_KEY: usize = 255;

/// An answer as first given.
pub(crate) type Answer = (StatusCode, Value);

struct Entry {
    fingerprint: [u8; 32],
    created: Instant,
    answer: Arc<tokio::sync::Mutex<Option<Answer>>>,
}

/// The keys seen, by customer and key.
#[derive(Default)]
pub(crate) struct Keys {
    entries: Mutex<HashMap<(Arc<str>, String), Entry>>,
}

impl Keys {
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
        let answer = {
            let mut entries = self
                .entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let entry = entries
                .entry((Arc::clone(customer), key.to_owned()))
                .or_insert_with(|| Entry {
                    fingerprint,
                    created: Instant::now(),
                    answer: Arc::default(),
                });
            if entry.fingerprint != fingerprint {
                return Err(ApiError::invalid(
                    "idempotency_key_reused",
                    "this Idempotency-Key was used for a different request",
                ));
            }
            Arc::clone(&entry.answer)
        };
        let task = tokio::spawn(async move {
            let mut first = answer.lock_owned().await;
            if let Some(answer) = first.as_ref() {
                return answer.clone();
            }
            let answer = match work().await {
                Ok(answer) => answer,
                Err(error) => (error.status(), error.body()),
            };
            if !answer.0.is_server_error() {
                *first = Some(answer.clone());
            }
            answer
        });
        task.await.map_err(ApiError::internal)
    }

    /// Forgets keys older than a day.
    pub(crate) fn sweep(&self, now: Instant) {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|_, entry| entry.created + KEEP > now);
    }
}
