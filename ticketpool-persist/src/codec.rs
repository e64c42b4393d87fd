//! Values to and from database columns: times as Unix nanoseconds, ids as
//! 64-bit integers, events and settings as JSON. Whole rows are in
//! [`rows`](crate::rows).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ticketpool_core::{Event, TicketId};

use crate::error::PersistError;
use crate::settings::EventSettings;

/// Nanoseconds since the Unix epoch (negative before it); saturates far
/// outside ±292 years, which no ticket sale reaches.
pub(crate) fn time_to_nanos(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_nanos()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_nanos())
            .map(|n| -n)
            .unwrap_or(i64::MIN),
    }
}

/// The inverse of [`time_to_nanos`].
pub(crate) fn nanos_to_time(nanos: i64) -> SystemTime {
    if nanos >= 0 {
        UNIX_EPOCH + Duration::from_nanos(nanos.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_nanos(nanos.unsigned_abs())
    }
}

/// A duration in nanoseconds, saturating.
pub(crate) fn duration_to_nanos(duration: Duration) -> i64 {
    i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX)
}

/// The inverse of [`duration_to_nanos`]; a negative value (only a damaged
/// row has one) reads as zero.
pub(crate) fn nanos_to_duration(nanos: i64) -> Duration {
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(0))
}

/// Ids are stored bit for bit in a signed 64-bit column.
pub(crate) fn id_to_sql(id: u64) -> i64 {
    id as i64
}

/// The inverse of [`id_to_sql`].
pub(crate) fn id_from_sql(id: i64) -> u64 {
    id as u64
}

/// The ticket an event is about, for the event log's `ticket_id` column.
pub(crate) fn ticket_of(event: &Event) -> Option<TicketId> {
    match event {
        Event::Released { ticket } => Some(ticket.id),
        Event::Sold { sale } => Some(sale.ticket.id),
        Event::HoldPlaced { ticket, .. }
        | Event::HoldConfirmed { ticket, .. }
        | Event::HoldCancelled { ticket, .. }
        | Event::HoldExpired { ticket, .. } => Some(*ticket),
        _ => None,
    }
}

/// The `event_config` table's `body` column.
pub(crate) fn encode_settings(settings: &EventSettings) -> Result<String, PersistError> {
    serde_json::to_string(settings)
        .map_err(|e| PersistError::Config(format!("cannot encode {settings:?}: {e}")))
}

/// The inverse of [`encode_settings`].
pub(crate) fn decode_settings(location: &str, body: &str) -> Result<EventSettings, PersistError> {
    serde_json::from_str(body).map_err(|e| PersistError::BadRow {
        location: location.to_owned(),
        detail: format!("event_config: {e}"),
    })
}

/// The event log's `body` column.
pub(crate) fn encode_event(event: &Event) -> Result<String, PersistError> {
    serde_json::to_string(event)
        .map_err(|e| PersistError::Config(format!("cannot encode {event:?}: {e}")))
}

/// The inverse of [`encode_event`].
pub(crate) fn decode_event(location: &str, seq: i64, body: &str) -> Result<Event, PersistError> {
    serde_json::from_str(body).map_err(|e| PersistError::BadRow {
        location: location.to_owned(),
        detail: format!("events row {seq}: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_exactly_on_both_sides_of_the_epoch() {
        let after = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
        let before = UNIX_EPOCH - Duration::new(86_400, 1);
        for time in [after, before, UNIX_EPOCH] {
            assert_eq!(nanos_to_time(time_to_nanos(time)), time);
        }
        assert!(time_to_nanos(before) < 0);
    }

    #[test]
    fn ids_above_i64_max_keep_every_bit() {
        for id in [0, 1, u64::MAX, 1 << 63] {
            assert_eq!(id_from_sql(id_to_sql(id)), id);
        }
    }
}
