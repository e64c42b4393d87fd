//! A live web dashboard for an embedded box office: availability, sales and
//! waiting customers update over Server-Sent Events, an admin panel pauses,
//! resumes, adds and removes vendors, changes their rates and closes the
//! event, and a form buys or reserves tickets as a named customer.
//!
//! The `ticketpool-dashboard` binary serves it; the modules are a library so
//! that the HTTP and browser tests drive the same code.

pub mod api;
pub mod app;
pub mod driver;
