//! The largest value each size in a configuration may take. Past one,
//! validation reports a [`ConfigError`](crate::ConfigError) naming the
//! field, rather than the office or the simulation failing later (an
//! allocation that cannot succeed, a thread per customer the system cannot
//! start, a deadline past the end of time).
//!
//! Counts kept in 32 bits (`purchase_limit`, `customers.tickets_each`, the
//! demand pricing's `*_bps` and `max_waiting_counted`) are bounded by
//! [`u32::MAX`], quotas by `total_tickets`, shares by 1; a file that gives
//! more gets a problem naming the field, as for the bounds below.

/// The most tickets an event may have ([`BoxOfficeConfig::total_tickets`](crate::BoxOfficeConfig::total_tickets)):
/// a million million, far past any venue, well inside the journal's
/// 64-bit signed ticket ids.
pub const MAX_TOTAL_TICKETS: u64 = 1_000_000_000_000;

/// The most tickets in the office at once ([`BoxOfficeConfig::max_capacity`](crate::BoxOfficeConfig::max_capacity)):
/// the pools allocate every slot up front, so this bounds their memory.
pub const MAX_CAPACITY: usize = 1_000_000;

/// The most ticket types one event may have.
pub const MAX_TICKET_TYPES: usize = 1_000;

/// The most vendors a configuration may name; in a simulation each one is
/// a thread.
pub const MAX_VENDORS: usize = 1_000;

/// The most simulated customers; each one is a thread.
pub const MAX_CUSTOMERS: usize = 10_000;

/// The longest duration any `*_ms` field may give: 365 days. Every deadline
/// computed from one stays representable.
pub const MAX_MILLIS: u64 = 365 * 24 * 60 * 60 * 1_000;

/// The largest seed: TOML integers are signed 64-bit, and a config must
/// write back to TOML (`config init`, `to_toml_string`) as it was read.
pub const MAX_SEED: u64 = i64::MAX as u64;
