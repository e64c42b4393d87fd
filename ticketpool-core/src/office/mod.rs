//! The box office: the ticketing domain on the pool layer. Ticket types
//! each get a pool; vendors release into them, customers buy or hold and
//! confirm; pricing, purchase limits, the journal, live events and the
//! snapshot all hang off the office.
//!
//! Layers, each depending only on those above it:
//!
//! - values and settings: `ticket`, `event`, `error`, `config/`, `pricing`,
//!   `journal`, `snapshot`;
//! - the office's parts: `stock` (the pools), `line` (where buyers wait
//!   when there are several types, and futures always; its async queue is
//!   `waitlist`), `counters` (gate and room), `ledger`
//!   (counts and sales, sharded), `limits`,
//!   `sales_log`, `holds` and `reaper`, `vendors`, `subscribe`, `trace`,
//!   and `pipeline` (journal, subscribers and log as one way out);
//! - the shared state, `state`, with its behaviour by concern: `gate`,
//!   `release`, `take`, `sell`, `settle`;
//! - the handles on it: `vendor`, `customer`, `hold`, and the futures of
//!   `waiting`;
//! - the public face: `box_office`.

pub(crate) mod box_office;
pub(crate) mod config;
pub(crate) mod counters;
pub(crate) mod customer;
pub(crate) mod error;
pub(crate) mod event;
pub(crate) mod gate;
pub(crate) mod hold;
pub(crate) mod holds;
pub(crate) mod journal;
pub(crate) mod ledger;
pub(crate) mod limits;
pub(crate) mod line;
pub(crate) mod name;
pub(crate) mod pipeline;
pub(crate) mod pricing;
pub(crate) mod reaper;
pub(crate) mod release;
pub(crate) mod sales_log;
pub(crate) mod sell;
pub(crate) mod settle;
pub(crate) mod snapshot;
pub(crate) mod state;
pub(crate) mod stock;
pub(crate) mod subscribe;
pub(crate) mod take;
pub(crate) mod ticket;
pub(crate) mod trace;
pub(crate) mod vendor;
pub(crate) mod vendors;
pub(crate) mod waiting;
pub(crate) mod waitlist;
