//! The core of ticketpool: two bounded pools with VIP-priority consumers.
//!
//! - [`LockFreePool`]: a lock-free array ring; threads park only when it is
//!   full or empty.
//! - [`CondvarPool`]: a `VecDeque` under a parking_lot `Mutex`, with
//!   separate condvars and FIFO service within each priority.
//! - [`BoundedPool`]: the trait both implement, so code switches strategy by
//!   type parameter; [`DynamicPool`] switches at run time by a [`Strategy`].
//! - [`Producer`] and [`Consumer`]: typed handles; a producer only releases,
//!   a consumer only takes and carries its [`Priority`].
//! - [`ReleaseError`], [`TakeError`], [`CapacityError`]: what can go wrong;
//!   a failed release gives the item back.
//! - [`Ticket`], [`Sale`], [`Money`], [`Event`]: the box office's values.
//! - [`Journal`]: the sink a durable store implements, and the
//!   [`RecoveredState`] it rebuilds an office from.
//! - [`BoxOffice`]: the ticketing engine on the pools, configured by a
//!   [`BoxOfficeConfig`] (TOML or JSON); [`Vendor`] and [`Customer`]
//!   handles, expiring [`Hold`]s, a [`PricingPolicy`], a consistent
//!   [`Snapshot`], and live events through a [`Subscription`]. Everything
//!   that can go wrong is a [`BoxOfficeError`] or a [`ConfigError`].
//! - [`BuyFuture`] and [`ReserveFuture`]: a customer waiting as a future
//!   (no thread parked, no runtime needed), in the same line as blocking
//!   buyers, with its [`PlaceInLine`]; [`ReserveManyFuture`] waits for
//!   several tickets, handed over together (its docs give the rule).
//!
//! The simulator that drives an office with vendors and customers on real
//! threads is the `ticketpool-sim` crate, and the durable journal is
//! `ticketpool-persist`; the `ticketpool` facade re-exports all three.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use std::thread;
//! use ticketpool_core::{BoundedPool, Consumer, LockFreePool, Priority, Producer, TakeError};
//!
//! let pool = Arc::new(LockFreePool::with_capacity(8).unwrap());
//! let vendor = Producer::new(Arc::clone(&pool));
//! let customer = Consumer::new(Arc::clone(&pool), Priority::Vip);
//!
//! let buyer = thread::spawn(move || {
//!     let mut bought = Vec::new();
//!     while let Ok(ticket) = customer.take() {
//!         bought.push(ticket);
//!     }
//!     bought // `take` returned Closed: the pool is closed and drained
//! });
//! for seat in 1..=20_u32 {
//!     vendor.release(seat).unwrap(); // waits while the pool is full
//! }
//! pool.close();
//! assert_eq!(buyer.join().unwrap(), (1..=20).collect::<Vec<_>>());
//! ```
//!
//! The priority rule is documented on [`Priority`].

pub mod bounds;
mod office;
mod pool;

// The pool layer.
pub use crate::pool::condvar::CondvarPool;
pub use crate::pool::deadline::Interrupt;
pub use crate::pool::dynamic::DynamicPool;
pub use crate::pool::error::{CapacityError, ReleaseError, TakeError};
pub use crate::pool::handle::{Consumer, Producer};
pub use crate::pool::lockfree::LockFreePool;
pub use crate::pool::strategy::Strategy;
pub use crate::pool::{BoundedPool, Priority};

// The box office on it.
pub use crate::office::box_office::{AsWant, BoxOffice, BoxOfficeBuilder, Want};
pub use crate::office::config::error::{ConfigError, ConfigProblem};
pub use crate::office::config::{BoxOfficeConfig, TicketTypeConfig, VendorConfig};
pub use crate::office::customer::Customer;
pub use crate::office::error::BoxOfficeError;
pub use crate::office::event::Event;
pub use crate::office::hold::Hold;
pub use crate::office::journal::{Journal, JournalError, RecoveredState};
pub use crate::office::name::Name;
pub use crate::office::pricing::{
    DemandPricing, Fixed, PriceContext, PricingConfig, PricingPolicy,
};
pub use crate::office::snapshot::{Snapshot, TicketCounts};
pub use crate::office::subscribe::{Notification, Subscription};
pub use crate::office::ticket::{HoldId, Money, Sale, Ticket, TicketId};
pub use crate::office::vendor::Vendor;
pub use crate::office::waiting::{BuyFuture, PlaceInLine, ReserveFuture, ReserveManyFuture};

/// Reading a configuration document field by field, so that every problem
/// (a wrong type, an unknown field, a missing one, a bad value) is reported
/// with its field path and line. Public for configurations layered on the
/// office's (the simulator's, in `ticketpool-sim`): [`read_office`]
/// reads an office table inside any document, the same way
/// [`BoxOfficeConfig::from_toml_str`] reads a standalone one.
///
/// [`read_office`]: config_reader::read_office
pub mod config_reader {
    pub use crate::office::config::read::{fit_quotas, read_name, read_office};
    pub use crate::office::config::reader::*;
}
