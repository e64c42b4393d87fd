//! The box office's adapter: which office [`Strategy`](PoolKind) goes with
//! which pool strategy of the parent adapter, so one generic bench function
//! runs the office and the bare pool it is built on side by side.

use ticketpool::{BoxOffice, BoxOfficeConfig, Money, Strategy as PoolKind};

use super::{CondvarStrategy, LockFree, Strategy};

/// A pool strategy the box office can be configured with.
pub trait OfficeStrategy: Strategy {
    /// The config value that makes the office use this pool.
    const KIND: PoolKind;

    /// An office of one ticket type (`"general"`) on this strategy: fixed
    /// pricing, no journal, no purchase limit, 30 s holds.
    fn office(total_tickets: u64, max_capacity: usize) -> BoxOffice {
        let mut config = BoxOfficeConfig::simple(
            "bench",
            total_tickets,
            max_capacity,
            Money::from_minor(1_000),
        );
        config.strategy = Self::KIND;
        BoxOffice::new(config).expect("bench config is valid")
    }
}

impl OfficeStrategy for LockFree {
    const KIND: PoolKind = PoolKind::LockFree;
}

impl OfficeStrategy for CondvarStrategy {
    const KIND: PoolKind = PoolKind::Condvar;
}
