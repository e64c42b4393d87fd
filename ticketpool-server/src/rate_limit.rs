//! Per-customer rate limits, by `tower_governor` (GCRA buckets, keyed).
//!
//! Each customer (by the account its token names, so a customer's several
//! tokens share one bucket) has its own bucket; the admin has one; a
//! request with no token or an unknown one is counted against its peer
//! address, so a flood of made-up tokens shares one bucket rather than
//! getting a fresh one each. Past the limit a request gets the API's JSON
//! error, 429 `rate_limited`, with `Retry-After`.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::header::{AUTHORIZATION, RETRY_AFTER};
use axum::http::{HeaderValue, Request, Response, StatusCode};
use axum::response::IntoResponse;
use governor::clock::QuantaInstant;
use governor::middleware::NoOpMiddleware;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

use crate::errors::ApiError;
use crate::state::Shared;

/// How many requests a customer may make: `burst` at once, then one more
/// every `1 / per_second` seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// The steady rate, in requests a second (above 0).
    pub per_second: f64,
    /// How many may come at once.
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// The default for `ticketpool serve`: 50 a second, bursts of 100.
    pub const DEFAULT: Self = Self {
        per_second: 50.0,
        burst: match NonZeroU32::new(100) {
            Some(burst) => burst,
            None => unreachable!(),
        },
    };

    /// The time in which one request's allowance comes back.
    fn period(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.per_second.clamp(1e-6, 1e9))
    }
}

/// Whose bucket a request is counted in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Caller {
    /// A customer, by name.
    Customer(Arc<str>),
    /// The admin.
    Admin,
    /// No token, or not a known one: by peer address.
    Peer(Option<IpAddr>),
}

/// Finds the [`Caller`] of a request.
#[derive(Clone)]
pub(crate) struct CallerKey {
    state: Shared,
}

impl KeyExtractor for CallerKey {
    type Key = Caller;

    fn extract<T>(&self, request: &Request<T>) -> Result<Caller, GovernorError> {
        let token = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim);
        if let Some(token) = token {
            if crate::auth::is_admin_token(token, &self.state.admin_token) {
                return Ok(Caller::Admin);
            }
            if let Some(account) = self.state.accounts.authenticate(token) {
                return Ok(Caller::Customer(account.name));
            }
        }
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(Caller::Peer(peer))
    }
}

/// The limiter's configuration: kept in the state so the sweeper can drop
/// the buckets of callers gone quiet.
pub(crate) type Limits = GovernorConfig<CallerKey, NoOpMiddleware<QuantaInstant>>;

/// The configuration for `limit`, keyed by caller.
pub(crate) fn limits(limit: RateLimit, state: Shared) -> Option<Arc<Limits>> {
    GovernorConfigBuilder::default()
        .period(limit.period())
        .burst_size(limit.burst.get())
        .key_extractor(CallerKey { state })
        .finish()
        .map(Arc::new)
}

/// The layer applying `limits`, answering the API's JSON 429.
pub(crate) fn layer(
    limits: Arc<Limits>,
) -> GovernorLayer<CallerKey, NoOpMiddleware<QuantaInstant>, Body> {
    GovernorLayer::new(limits).error_handler(refusal)
}

fn refusal(error: GovernorError) -> Response<Body> {
    match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            let wait = wait_time.max(1);
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests from this customer; retry in {wait} s"),
            )
            .into_response();
            if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            response
        }
        other => ApiError::internal(other).into_response(),
    }
}
