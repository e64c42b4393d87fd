//! The one error every handler returns, and how the engine's and the
//! catalog's errors become it: a status, a stable snake_case code and a
//! message naming the problem, always as JSON
//! (`{"error": {"code": ..., "message": ...}}`).
//!
//! Client mistakes are 4xx. A 5xx only says the server failed (the store,
//! the journal); its detail goes to the log, never to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use ticketpool_catalog::CatalogError;
use ticketpool_core::BoxOfficeError;

/// A failed request: what the client sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// More about the error, beside the code and message (`"seats"`:
    /// the seats taken; `"problems"`: a seat map's problems).
    details: Option<(&'static str, serde_json::Value)>,
}

impl ApiError {
    /// An error with this status, code and message.
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
        }
    }

    /// The error with `value` under `key` in its JSON, beside the code.
    pub(crate) fn with_details(mut self, key: &'static str, value: serde_json::Value) -> Self {
        self.details = Some((key, value));
        self
    }

    /// 400: the request is malformed.
    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404: no such thing (or not the caller's: the same answer).
    pub(crate) fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 409: the request is valid but the state forbids it now.
    pub(crate) fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 422: the request is well-formed but a value is wrong.
    pub(crate) fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 500: the server failed. `detail` is logged, not shown.
    pub(crate) fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(target: "ticketpool", "internal error: {detail}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed; the request may be retried",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code (`"sold_out"`).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON body.
    pub(crate) fn body(&self) -> serde_json::Value {
        let mut body = json!({"error": {"code": self.code, "message": self.message}});
        if let Some((key, value)) = &self.details {
            body["error"][*key] = value.clone();
        }
        body
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

impl From<BoxOfficeError> for ApiError {
    fn from(error: BoxOfficeError) -> Self {
        use BoxOfficeError as E;
        let message = error.to_string();
        match error {
            E::SoldOut => Self::conflict("sold_out", "sold out: no ticket of this kind is left"),
            E::Empty | E::Timeout | E::Full => Self::conflict(
                "none_available",
                "no ticket is available right now (they may be held); try again shortly",
            ),
            E::Closed => Self::conflict("closed", "this event's box office is closed"),
            E::Paused => Self::conflict("paused", "this event's sale is paused"),
            E::LimitReached { limit, .. } => Self::conflict(
                "limit_reached",
                format!(
                    "the purchase limit of {limit} tickets per customer for this event is reached"
                ),
            ),
            E::UnknownTicketType(name) => Self::invalid(
                "unknown_ticket_type",
                format!("this event has no ticket type {name:?}"),
            ),
            E::HoldExpired => Self::new(
                StatusCode::GONE,
                "hold_expired",
                "the hold expired; its tickets went back on sale",
            ),
            E::HoldCancelled => Self::new(
                StatusCode::GONE,
                "hold_cancelled",
                "the hold was cancelled; its tickets went back on sale",
            ),
            E::Journal(_) => {
                tracing::error!(target: "ticketpool", "journal failed: {message}");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "journal_failed",
                    "the sale could not be recorded, so it did not happen; try again",
                )
            }
            _ => Self::internal(message),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(error: CatalogError) -> Self {
        use CatalogError as E;
        let message = error.to_string();
        match error {
            E::UnknownEvent(_) => Self::not_found("unknown_event", message),
            E::UnknownVenue(_) => Self::invalid("unknown_venue", message),
            E::UnknownPerformer(_) => Self::invalid("unknown_performer", message),
            E::UnknownTimeZone(_) => Self::invalid("unknown_time_zone", message),
            E::Invalid { .. } => Self::invalid("invalid", message),
            E::Config(_) => Self::invalid("invalid_office", message),
            E::OverCapacity { .. } => Self::invalid("over_capacity", message),
            E::VenueTooSmall { .. } => Self::invalid("venue_too_small", message),
            E::Frozen { .. } => Self::conflict("frozen", message),
            E::Transition { .. } => Self::conflict("wrong_status", message),
            E::NoOffice(_) => Self::conflict("not_on_sale", message),
            E::NotSeated(_) => Self::conflict("not_seated", message),
            E::SeatsClosed(_) => Self::conflict("closed", message),
            E::SeatsUnsupported { .. } => Self::conflict("seats_unsupported", message),
            E::SeatWavesUnsupported(_) => Self::conflict("seat_waves_unsupported", message),
            E::SeatsLost { .. } => Self::conflict("seats_lost", message),
            E::SeatMap(config) => {
                let problems: Vec<String> =
                    config.problems().iter().map(ToString::to_string).collect();
                Self::invalid("invalid_seat_map", message).with_details("problems", json!(problems))
            }
            E::Seats(seat) => seat_error(seat),
            _ => Self::internal(message),
        }
    }
}

/// A seat operation's refusal (seats taken are named by the caller, who
/// has the map: see `seats`).
fn seat_error(error: ticketpool_seats::SeatError) -> ApiError {
    use ticketpool_seats::SeatError as E;
    let message = error.to_string();
    match error {
        E::UnknownSeat(_) | E::UnknownLabel(_) => ApiError::invalid("unknown_seat", message),
        E::UnknownSection(_) => ApiError::invalid("unknown_section", message),
        E::UnknownTier(_) => ApiError::invalid("unknown_tier", message),
        E::UnknownRow { .. } => ApiError::invalid("unknown_row", message),
        E::BadRequest => ApiError::invalid("invalid_seats", message),
        E::Unavailable { .. } => ApiError::conflict("seats_taken", message),
        E::NoBlock { .. } => ApiError::conflict("no_adjacent_seats", message),
        E::NoSuchHold(_) | E::Expired(_) => BoxOfficeError::HoldExpired.into(),
        E::WaitsEnded => BoxOfficeError::Closed.into(),
    }
}

/// A result whose error is an [`ApiError`].
pub(crate) type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_refusals_are_client_errors_with_stable_codes() {
        let sold_out = ApiError::from(BoxOfficeError::SoldOut);
        assert_eq!(
            (sold_out.status(), sold_out.code()),
            (StatusCode::CONFLICT, "sold_out")
        );
        let expired = ApiError::from(BoxOfficeError::HoldExpired);
        assert_eq!(expired.status(), StatusCode::GONE);
        let body = ApiError::from(BoxOfficeError::Paused).body();
        assert_eq!(body["error"]["code"], "paused");
    }

    #[test]
    fn lease_node_seat_refusals_are_conflicts_naming_the_event() {
        let event = ticketpool_catalog::EventId(7);
        let lost = ApiError::from(CatalogError::SeatsLost { event, seats: 2 });
        assert_eq!(
            (lost.status(), lost.code()),
            (StatusCode::CONFLICT, "seats_lost")
        );
        assert!(lost.message().contains("2 seat(s)"), "{lost}");
        let waves = ApiError::from(CatalogError::SeatWavesUnsupported(event));
        assert_eq!(
            (waves.status(), waves.code()),
            (StatusCode::CONFLICT, "seat_waves_unsupported")
        );
        assert!(waves.message().contains("leasing"), "{waves}");
    }
}
