//! An event's life: on sale, paused, resumed, sales closed, cancelled,
//! and what
//! [`Catalog::refresh`] notices by itself (sold out, started).

use std::sync::Arc;

use jiff::Timestamp;
use ticketpool_core::BoxOffice;

use crate::error::CatalogError;
use crate::ids::EventId;
use crate::model::Event;
use crate::status::EventStatus;

use super::state::State;
use super::Catalog;

impl Catalog {
    /// Opens the box office of draft `id`, built from its configuration.
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownEvent`]; [`CatalogError::Transition`] unless
    /// it is a draft; [`CatalogError::Office`] if the office cannot be
    /// built; [`CatalogError::Store`] (the office is then closed again).
    pub fn put_on_sale(&self, id: EventId) -> Result<(), CatalogError> {
        let mut state = self.state.write();
        let event = expect(&state, id, "put on sale", &[EventStatus::Draft])?;
        let office = Arc::new(self.build_office(&event)?);
        let event = Event {
            status: EventStatus::OnSale,
            ..event
        };
        if let Err(error) = self.save_event(&mut state, event) {
            office.close();
            return Err(error);
        }
        state.offices.insert(id, office);
        Ok(())
    }

    /// Pauses the sale of `id`: its office stops releasing tickets.
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownEvent`]; [`CatalogError::Transition`] unless
    /// it is on sale; [`CatalogError::Store`].
    pub fn pause(&self, id: EventId) -> Result<(), CatalogError> {
        let paused = EventStatus::Paused;
        self.change_status(id, "pause", &[EventStatus::OnSale], paused, |office| {
            office.pause();
        })
    }

    /// Resumes the sale of paused `id`.
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownEvent`]; [`CatalogError::Transition`] unless
    /// it is paused; [`CatalogError::Store`].
    pub fn resume(&self, id: EventId) -> Result<(), CatalogError> {
        let on_sale = EventStatus::OnSale;
        self.change_status(id, "resume", &[EventStatus::Paused], on_sale, |office| {
            office.resume();
        })
    }

    /// Cancels `id` and closes its office (open holds may still settle).
    /// An event whose sales were closed may still be cancelled: the show
    /// was called off after the sale ended.
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownEvent`]; [`CatalogError::Transition`] if it is
    /// already cancelled or past; [`CatalogError::Store`].
    pub fn cancel(&self, id: EventId) -> Result<(), CatalogError> {
        use EventStatus::*;
        let allowed = [Draft, OnSale, Paused, SoldOut, Closed];
        self.change_status(id, "cancel", &allowed, Cancelled, |office| {
            office.close();
        })?;
        self.end_seat_waits(&[id]);
        Ok(())
    }

    /// Closes the sales of `id` for good: its office closes (no new holds
    /// or sales; buyers waiting are released with the engine's `Closed`
    /// error), while every ticket sold stays valid — nothing is refunded
    /// or cancelled. Holds open now may still be confirmed until they
    /// expire: the buyer was promised that ticket at that price for the
    /// hold's life. The event stays [`Closed`](EventStatus::Closed), also
    /// after a restart, and is never made past or sold out by
    /// [`refresh`](Self::refresh).
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownEvent`]; [`CatalogError::Transition`] unless
    /// it is on sale, paused or sold out; [`CatalogError::Store`].
    pub fn close_sales(&self, id: EventId) -> Result<(), CatalogError> {
        use EventStatus::*;
        let allowed = [OnSale, Paused, SoldOut];
        self.change_status(id, "close sales of", &allowed, Closed, |office| {
            office.close();
        })?;
        self.end_seat_waits(&[id]);
        Ok(())
    }

    /// Brings statuses up to date at `now`: an event whose office sold
    /// every ticket becomes [`SoldOut`](EventStatus::SoldOut), one that has
    /// started becomes [`Past`](EventStatus::Past) and its office closes.
    /// Final statuses (cancelled, closed, past) stay as they are.
    /// Returns the events that changed, with their new status. Call it on
    /// a timer; each change is stored and re-indexed like any other.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Store`]: the events before the failure changed.
    pub fn refresh(&self, now: Timestamp) -> Result<Vec<(EventId, EventStatus)>, CatalogError> {
        let mut state = self.state.write();
        let mut changes: Vec<(EventId, EventStatus)> = state
            .events
            .values()
            .filter_map(|event| {
                let sold_out = || {
                    state
                        .offices
                        .get(&event.id)
                        .is_some_and(|o| o.is_sold_out())
                };
                if !event.status.is_final() && event.starts_at <= now {
                    Some((event.id, EventStatus::Past))
                } else if matches!(event.status, EventStatus::OnSale | EventStatus::Paused)
                    && sold_out()
                {
                    Some((event.id, EventStatus::SoldOut))
                } else {
                    None
                }
            })
            .collect();
        changes.sort_unstable_by_key(|(id, _)| *id);
        for &(id, status) in &changes {
            let event = state.events[&id].clone();
            self.save_event(&mut state, Event { status, ..event })?;
            if status == EventStatus::Past {
                if let Some(office) = state.offices.get(&id) {
                    office.close();
                }
            }
        }
        drop(state);
        let past: Vec<EventId> = changes
            .iter()
            .filter(|(_, status)| *status == EventStatus::Past)
            .map(|(id, _)| *id)
            .collect();
        self.end_seat_waits(&past);
        Ok(changes)
    }

    /// Ends the seat waits of events whose sale just closed. After the
    /// state lock is let go: opening seats takes the seats lock, then the
    /// state's (an event whose seats open later ends its waits itself,
    /// seeing its office closed).
    fn end_seat_waits(&self, ids: &[EventId]) {
        let seats = self.seats.lock();
        for id in ids {
            if let Some(seated) = seats.events.get(id) {
                seated.end_waits();
            }
        }
    }

    fn change_status(
        &self,
        id: EventId,
        action: &'static str,
        from: &[EventStatus],
        to: EventStatus,
        office_follows: impl FnOnce(&BoxOffice),
    ) -> Result<(), CatalogError> {
        let mut state = self.state.write();
        let event = expect(&state, id, action, from)?;
        self.save_event(
            &mut state,
            Event {
                status: to,
                ..event
            },
        )?;
        // Under the same lock, so the office never disagrees with a status
        // another change reads.
        if let Some(office) = state.offices.get(&id) {
            office_follows(office);
        }
        Ok(())
    }
}

/// Event `id`, if its status is one of `from`.
fn expect(
    state: &State,
    id: EventId,
    action: &'static str,
    from: &[EventStatus],
) -> Result<Event, CatalogError> {
    let event = state
        .events
        .get(&id)
        .ok_or(CatalogError::UnknownEvent(id))?;
    if !from.contains(&event.status) {
        return Err(CatalogError::Transition {
            event: id,
            action,
            status: event.status,
        });
    }
    Ok(event.clone())
}
