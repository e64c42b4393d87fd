//! The seated scenario (issue 17): a venue seat map, vendors releasing
//! seats in waves by section or tier, and groups of 1 to 6 fans (some
//! VIP) asking for best-available adjacent seats on real threads, holding
//! then confirming or letting the hold lapse. [`run_seated`] sums it up in
//! a [`SeatedReport`], checked against the final snapshot so that no seat
//! is sold twice.

pub(crate) mod config;
pub(crate) mod report;
pub(crate) mod run;
