//! From journal to [`RecoveredState`]: the rules a restart follows, as a
//! fold over events ([`replay`]); the stores apply the same rules to their
//! tables (read in one pass each and joined in memory, `rows.rs`), and
//! the test suite checks that both agree.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use ticketpool_core::{Event, RecoveredState, Sale, Ticket, TicketId};

/// Rebuilds the state a box office restarts from out of its events, oldest
/// first.
///
/// Sold tickets stay sold (the first sale of a ticket counts; a repeated one
/// is ignored, as the journal's `UNIQUE(ticket_id)` would refuse it);
/// released tickets not sold go back on sale, whatever holds were open on
/// them; vendors are those added and not removed, in the order of their
/// latest addition; `next_ticket_id` is one past the largest id seen.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::time::{Duration, SystemTime};
/// use ticketpool_core::{Event, Money, Priority, Sale, Ticket, TicketId};
/// use ticketpool_persist::replay;
///
/// let ticket = |id| Ticket {
///     id: TicketId(id),
///     ticket_type: "standard".into(),
///     vendor: "acme".into(),
///     base_price: Money::from_minor(5_000),
///     released_at: SystemTime::UNIX_EPOCH,
/// };
/// let sale = Sale {
///     ticket: ticket(1),
///     customer: Arc::from("ada"),
///     priority: Priority::Vip,
///     price: Money::from_minor(5_000),
///     sold_at: SystemTime::UNIX_EPOCH,
///     waited: Duration::ZERO,
///     hold: None,
/// };
/// let events = [
///     Event::Released { ticket: ticket(1) },
///     Event::Released { ticket: ticket(2) },
///     Event::Sold { sale },
/// ];
/// let state = replay(&events);
/// assert_eq!(state.sales.len(), 1);
/// assert_eq!(state.unsold, vec![ticket(2)]);
/// assert_eq!(state.next_ticket_id, TicketId(3));
/// assert_eq!(state.released, 2);
/// ```
pub fn replay<'a, I>(events: I) -> RecoveredState
where
    I: IntoIterator<Item = &'a Event>,
{
    let mut tickets: BTreeMap<TicketId, Ticket> = BTreeMap::new();
    let mut sales: Vec<Sale> = Vec::new();
    let mut sold: HashMap<TicketId, usize> = HashMap::new();
    let mut vendors: Vec<(Arc<str>, Vec<Arc<str>>)> = Vec::new();
    for event in events {
        match event {
            Event::Released { ticket } => {
                tickets.entry(ticket.id).or_insert_with(|| ticket.clone());
            }
            Event::Sold { sale } => {
                tickets
                    .entry(sale.ticket.id)
                    .or_insert_with(|| sale.ticket.clone());
                if let std::collections::hash_map::Entry::Vacant(slot) = sold.entry(sale.ticket.id)
                {
                    slot.insert(sales.len());
                    sales.push(sale.clone());
                }
            }
            Event::VendorAdded {
                vendor,
                ticket_types,
            } => {
                vendors.retain(|(name, _)| name != vendor);
                vendors.push((Arc::clone(vendor), ticket_types.clone()));
            }
            Event::VendorRemoved { vendor } => vendors.retain(|(name, _)| name != vendor),
            // Holds do not survive a restart: the held ticket is simply
            // unsold, and a confirmed hold is followed by its `Sold`.
            Event::HoldPlaced { .. }
            | Event::HoldConfirmed { .. }
            | Event::HoldCancelled { .. }
            | Event::HoldExpired { .. }
            | Event::Paused
            | Event::Resumed
            | Event::SoldOut
            | Event::Closed => {}
            // `Event` is non-exhaustive: a kind core adds later holds
            // nothing this journal version knows how to rebuild.
            _ => {}
        }
    }
    let next_ticket_id = tickets
        .keys()
        .next_back()
        .map_or(TicketId(0), |last| TicketId(last.0.saturating_add(1)));
    let released = tickets.len() as u64;
    let unsold = tickets
        .into_values()
        .filter(|ticket| !sold.contains_key(&ticket.id))
        .collect();
    RecoveredState {
        sales,
        unsold,
        next_ticket_id,
        released,
        vendors,
    }
}

/// Groups `(vendor, ticket type)` rows, already ordered by vendor addition
/// and type position, into the [`RecoveredState::vendors`] shape; a vendor
/// with no types comes as `(vendor, None)`.
pub(crate) fn group_vendors(
    rows: impl IntoIterator<Item = (Arc<str>, Option<Arc<str>>)>,
) -> Vec<(Arc<str>, Vec<Arc<str>>)> {
    let mut vendors: Vec<(Arc<str>, Vec<Arc<str>>)> = Vec::new();
    for (vendor, ticket_type) in rows {
        match vendors.last_mut() {
            Some((last, types)) if *last == vendor => types.extend(ticket_type),
            _ => vendors.push((vendor, ticket_type.into_iter().collect())),
        }
    }
    vendors
}
