//! Values to and from database columns: times as Unix nanoseconds, money as
//! minor units, ids as 64-bit integers, events as JSON.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ticketpool_core::{Event, HoldId, Money, Priority, Sale, Ticket, TicketId};

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

/// The `priority` column's text.
pub(crate) fn priority_to_sql(priority: Priority) -> &'static str {
    match priority {
        Priority::Vip => "vip",
        Priority::Regular => "regular",
    }
}

/// The inverse of [`priority_to_sql`].
pub(crate) fn priority_from_sql(text: &str) -> Option<Priority> {
    match text {
        "vip" => Some(Priority::Vip),
        "regular" => Some(Priority::Regular),
        _ => None,
    }
}

/// The event log's `kind` column: the same names as the JSON `kind` tag.
pub(crate) fn kind(event: &Event) -> &'static str {
    match event {
        Event::VendorAdded { .. } => "vendor_added",
        Event::VendorRemoved { .. } => "vendor_removed",
        Event::Released { .. } => "released",
        Event::HoldPlaced { .. } => "hold_placed",
        Event::HoldConfirmed { .. } => "hold_confirmed",
        Event::HoldCancelled { .. } => "hold_cancelled",
        Event::HoldExpired { .. } => "hold_expired",
        Event::Sold { .. } => "sold",
        Event::Paused => "paused",
        Event::Resumed => "resumed",
        Event::SoldOut => "sold_out",
        Event::Closed => "closed",
    }
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

/// Rebuilds an event-log row (see `schema::SELECT_EVENTS`): from its JSON
/// body, or for a release or sale from the joined ticket and sale columns.
pub(crate) fn decode_log_row(
    location: &str,
    seq: i64,
    kind: &str,
    body: Option<&str>,
    ticket: Option<TicketRow<'_>>,
    sale: Option<SaleRow<'_>>,
    names: &mut Interner,
) -> Result<Event, PersistError> {
    if let Some(body) = body {
        return decode_event(location, seq, body);
    }
    let missing = |what: &str| PersistError::BadRow {
        location: location.to_owned(),
        detail: format!("events row {seq} ({kind}): its {what} row is missing"),
    };
    let ticket = ticket.ok_or_else(|| missing("tickets"))?.decode(names);
    match kind {
        "released" => Ok(Event::Released { ticket }),
        "sold" => {
            let sale = sale.ok_or_else(|| missing("sales"))?;
            Ok(Event::Sold {
                sale: sale.decode(location, ticket, names)?,
            })
        }
        _ => Err(PersistError::BadRow {
            location: location.to_owned(),
            detail: format!("events row {seq}: a {kind:?} event without a body"),
        }),
    }
}

/// Shares one `Arc<str>` per distinct vendor, type or customer name while
/// rows are read, so recovering a million tickets does not allocate a
/// million copies of "standard".
#[derive(Default)]
pub(crate) struct Interner(HashMap<String, Arc<str>>);

impl Interner {
    pub(crate) fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = text.into();
        self.0.insert(text.to_owned(), Arc::clone(&shared));
        shared
    }
}

/// The columns of a `tickets` row, in the order every query selects them:
/// `id, ticket_type, vendor, base_price, released_at`.
pub(crate) struct TicketRow<'a> {
    pub(crate) id: i64,
    pub(crate) ticket_type: &'a str,
    pub(crate) vendor: &'a str,
    pub(crate) base_price: i64,
    pub(crate) released_at: i64,
}

impl TicketRow<'_> {
    pub(crate) fn decode(&self, names: &mut Interner) -> Ticket {
        Ticket {
            id: TicketId(id_from_sql(self.id)),
            ticket_type: names.get(self.ticket_type),
            vendor: names.get(self.vendor),
            base_price: Money::from_minor(self.base_price),
            released_at: nanos_to_time(self.released_at),
        }
    }
}

/// The columns of a `sales` row after its ticket's:
/// `customer, priority, price, sold_at, waited_ns, hold_id`.
pub(crate) struct SaleRow<'a> {
    pub(crate) customer: &'a str,
    pub(crate) priority: &'a str,
    pub(crate) price: i64,
    pub(crate) sold_at: i64,
    pub(crate) waited_ns: i64,
    pub(crate) hold_id: Option<i64>,
}

impl SaleRow<'_> {
    pub(crate) fn decode(
        &self,
        location: &str,
        ticket: Ticket,
        names: &mut Interner,
    ) -> Result<Sale, PersistError> {
        let priority = priority_from_sql(self.priority).ok_or_else(|| PersistError::BadRow {
            location: location.to_owned(),
            detail: format!(
                "sale of {}: unknown priority {:?}",
                ticket.id, self.priority
            ),
        })?;
        Ok(Sale {
            ticket,
            customer: names.get(self.customer),
            priority,
            price: Money::from_minor(self.price),
            sold_at: nanos_to_time(self.sold_at),
            waited: nanos_to_duration(self.waited_ns),
            hold: self.hold_id.map(|h| HoldId(id_from_sql(h))),
        })
    }
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

    #[test]
    fn unknown_priority_is_a_bad_row_not_a_panic() {
        let ticket = TicketRow {
            id: 7,
            ticket_type: "standard",
            vendor: "v",
            base_price: 100,
            released_at: 0,
        }
        .decode(&mut Interner::default());
        let row = SaleRow {
            customer: "c",
            priority: "platinum",
            price: 1,
            sold_at: 0,
            waited_ns: 0,
            hold_id: None,
        };
        let err = row
            .decode("x.db", ticket, &mut Interner::default())
            .unwrap_err();
        assert!(err.to_string().contains("platinum"), "{err}");
    }
}
