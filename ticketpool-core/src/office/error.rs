//! The box office's one error type.
//!
//! Unlike the pool errors, these carry no ticket back: tickets are created
//! by the office, and a failed operation leaves every ticket where it was
//! (on sale, held or sold), so nothing is lost.

use std::sync::Arc;

use crate::office::journal::JournalError;

/// Why a box office operation did not happen.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BoxOfficeError {
    /// Every ticket of the event (or of the requested type, if it has a
    /// quota) has been released and sold: there is nothing left to buy or
    /// release.
    #[error("sold out")]
    SoldOut,
    /// The office is closed.
    #[error("the box office is closed")]
    Closed,
    /// Releases are paused (only from `try_` release forms; the blocking
    /// forms wait for resume).
    #[error("ticket release is paused")]
    Paused,
    /// The office is at `max_capacity` (only from `try_` release forms).
    #[error("the box office is at capacity")]
    Full,
    /// No ticket of the requested kind is on sale right now (only from
    /// `try_` buy and reserve forms).
    #[error("no ticket available right now")]
    Empty,
    /// The deadline passed before the operation could happen.
    #[error("timed out")]
    Timeout,
    /// An [`Interrupt`](crate::Interrupt) check stopped the wait (only
    /// from the interruptible buy and reserve forms).
    #[error("the wait was interrupted")]
    Interrupted,
    /// The hold passed its deadline; its ticket went back on sale.
    #[error("hold expired")]
    HoldExpired,
    /// The hold was cancelled earlier; its ticket went back on sale.
    #[error("hold was cancelled")]
    HoldCancelled,
    /// The customer's held and bought tickets plus its buys and reserves
    /// still waiting already reach `limit` (see
    /// [`purchase_limit`](crate::BoxOfficeConfig::purchase_limit)).
    #[error("customer {customer:?} reached the purchase limit of {limit}")]
    LimitReached {
        /// The customer.
        customer: Arc<str>,
        /// The configured limit.
        limit: u32,
    },
    /// No ticket type has this name.
    #[error("unknown ticket type {0:?}")]
    UnknownTicketType(Arc<str>),
    /// The vendor may not release this type.
    #[error("vendor {vendor:?} may not release ticket type {ticket_type:?}")]
    VendorNotAllowed {
        /// The vendor.
        vendor: Arc<str>,
        /// The type it tried to release.
        ticket_type: Arc<str>,
    },
    /// No vendor has this name (or it was removed).
    #[error("unknown vendor {0:?}")]
    UnknownVendor(Arc<str>),
    /// The release mixed the two ways of numbering tickets, which could
    /// give two tickets one id: a chosen id
    /// ([`Vendor::release_as`](crate::Vendor::release_as)) in an office
    /// that numbered tickets itself, a plain release in an office whose
    /// vendors choose ids, or a chosen id too large.
    #[error("{0}")]
    Numbering(String),
    /// A vendor of this name is already registered.
    #[error("vendor {0:?} already exists")]
    DuplicateVendor(Arc<str>),
    /// The journal could not record the event; the operation was undone
    /// (a ticket taken for sale went back on sale).
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A recovered state does not fit the configuration.
    #[error("cannot restore: {0}")]
    Restore(String),
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] crate::office::config::error::ConfigError),
}

impl BoxOfficeError {
    /// `true` for [`SoldOut`](Self::SoldOut).
    pub fn is_sold_out(&self) -> bool {
        matches!(self, Self::SoldOut)
    }

    /// `true` for [`Timeout`](Self::Timeout).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout)
    }
}
