//! Structured logs through `tracing`: every published [`Event`] and every
//! error handed back to a caller becomes one `tracing` event with target
//! `ticketpool`.
//!
//! Fields carry raw values (ids as integers, prices in minor units, names as
//! `&str`), never pre-formatted strings, so a callsite nobody listens to
//! costs the one interest check the `tracing` macros already do.
//!
//! Levels: ticket movements and office changes are `INFO`; refusals that
//! are part of normal flow (empty, full, paused, timed out, sold out,
//! closed) are `DEBUG`; a caller's mistake (unknown name, limit reached,
//! settled hold) is `WARN`; a journal or restore failure is `ERROR`.

use crate::office::error::BoxOfficeError;
use crate::office::event::Event;
use crate::pool::Priority;

/// The `tracing` target of every event the office emits.
pub(crate) const TARGET: &str = "ticketpool";

/// `true` if a `tracing` subscriber wants the `released` events (the ones
/// worth skipping the construction of).
pub(crate) fn released_enabled() -> bool {
    tracing::enabled!(target: TARGET, tracing::Level::INFO)
}

/// Emits `event` as a `tracing` event.
pub(crate) fn event(event: &Event) {
    match event {
        Event::VendorAdded {
            vendor,
            ticket_types,
        } => tracing::info!(
            target: TARGET,
            kind = event.kind(),
            vendor = &**vendor,
            ticket_types = ticket_types.len(),
            "vendor added"
        ),
        Event::VendorRemoved { vendor } => tracing::info!(
            target: TARGET,
            kind = event.kind(),
            vendor = &**vendor,
            "vendor removed"
        ),
        Event::Released { ticket } => tracing::info!(
            target: TARGET,
            kind = event.kind(),
            ticket_id = ticket.id.0,
            vendor = &*ticket.vendor,
            ticket_type = &*ticket.ticket_type,
            price = ticket.base_price.minor(),
            "ticket released"
        ),
        Event::HoldPlaced {
            hold,
            ticket,
            customer,
            priority,
            price,
            ..
        } => tracing::info!(
            target: TARGET,
            kind = event.kind(),
            hold_id = hold.0,
            ticket_id = ticket.0,
            customer = &**customer,
            priority = priority.as_str(),
            price = price.minor(),
            "hold placed"
        ),
        Event::HoldConfirmed { hold, ticket } => tracing::info!(
            target: TARGET,
            kind = event.kind(),
            hold_id = hold.0,
            ticket_id = ticket.0,
            "hold confirmed"
        ),
        Event::HoldCancelled { hold, ticket } => tracing::info!(
            target: TARGET,
            kind = event.kind(),
            hold_id = hold.0,
            ticket_id = ticket.0,
            "hold cancelled"
        ),
        Event::HoldExpired { hold, ticket } => tracing::info!(
            target: TARGET,
            kind = event.kind(),
            hold_id = hold.0,
            ticket_id = ticket.0,
            "hold expired"
        ),
        Event::Sold { sale } => tracing::info!(
            target: TARGET,
            kind = event.kind(),
            ticket_id = sale.ticket.id.0,
            vendor = &*sale.ticket.vendor,
            ticket_type = &*sale.ticket.ticket_type,
            customer = &*sale.customer,
            priority = sale.priority.as_str(),
            price = sale.price.minor(),
            hold_id = sale.hold.map(|hold| hold.0),
            waited_us = u64::try_from(sale.waited.as_micros()).unwrap_or(u64::MAX),
            "ticket sold"
        ),
        Event::Paused => tracing::info!(target: TARGET, kind = event.kind(), "releases paused"),
        Event::Resumed => tracing::info!(target: TARGET, kind = event.kind(), "releases resumed"),
        Event::SoldOut => tracing::info!(target: TARGET, kind = event.kind(), "sold out"),
        Event::Closed => tracing::info!(target: TARGET, kind = event.kind(), "box office closed"),
    }
}

/// Who an operation was for, for [`refused`].
#[derive(Clone, Copy)]
pub(crate) enum Actor<'a> {
    /// A vendor, releasing `ticket_type` if given.
    Vendor {
        vendor: &'a str,
        ticket_type: Option<&'a str>,
    },
    /// A customer buying or reserving.
    Customer {
        customer: &'a str,
        priority: Priority,
    },
    /// Whoever holds a hold.
    Hold { hold_id: u64, ticket_id: u64 },
}

/// One `tracing` event per level and actor shape: `tracing` needs the level
/// and the field names fixed at each callsite.
macro_rules! emit {
    ($level:expr, $op:expr, $actor:expr, $err:expr) => {
        match $actor {
            Actor::Vendor {
                vendor,
                ticket_type,
            } => tracing::event!(
                target: TARGET,
                $level,
                kind = "error",
                op = $op,
                vendor,
                ticket_type,
                error = %$err,
                "operation refused"
            ),
            Actor::Customer { customer, priority } => tracing::event!(
                target: TARGET,
                $level,
                kind = "error",
                op = $op,
                customer,
                priority = priority.as_str(),
                error = %$err,
                "operation refused"
            ),
            Actor::Hold { hold_id, ticket_id } => tracing::event!(
                target: TARGET,
                $level,
                kind = "error",
                op = $op,
                hold_id,
                ticket_id,
                error = %$err,
                "operation refused"
            ),
        }
    };
}

impl<'a> Actor<'a> {
    /// A vendor, outside a release.
    pub(crate) fn vendor(vendor: &'a str) -> Self {
        Self::Vendor {
            vendor,
            ticket_type: None,
        }
    }
}

/// Emits an error returned to a caller, at a level by how unusual it is.
/// `op` names the operation (`"release"`, `"buy"`, `"confirm"`, ...).
pub(crate) fn refused(op: &'static str, actor: Actor<'_>, err: &BoxOfficeError) {
    match err {
        BoxOfficeError::Journal(_) | BoxOfficeError::Restore(_) | BoxOfficeError::Config(_) => {
            emit!(tracing::Level::ERROR, op, actor, err)
        }
        BoxOfficeError::LimitReached { .. }
        | BoxOfficeError::UnknownTicketType(_)
        | BoxOfficeError::VendorNotAllowed { .. }
        | BoxOfficeError::UnknownVendor(_)
        | BoxOfficeError::DuplicateVendor(_)
        | BoxOfficeError::Numbering(_)
        | BoxOfficeError::HoldExpired
        | BoxOfficeError::HoldCancelled => emit!(tracing::Level::WARN, op, actor, err),
        BoxOfficeError::SoldOut
        | BoxOfficeError::Closed
        | BoxOfficeError::Paused
        | BoxOfficeError::Full
        | BoxOfficeError::Empty
        | BoxOfficeError::Timeout
        | BoxOfficeError::Interrupted => emit!(tracing::Level::DEBUG, op, actor, err),
    }
}
