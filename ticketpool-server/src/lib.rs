//! The ticketpool booking service: a JSON API over HTTP (axum) on a
//! durable catalog, started by `ticketpool serve`.
//!
//! - [`ServerConfig`]: the address, the data directory, the admin token,
//!   the demo.
//! - [`Server`]: [`Server::bind`] opens (or creates) the data directory
//!   and binds; [`Server::run_until`] serves until a shutdown future
//!   completes, then stops cleanly.
//! - [`ServerError`]: why it could not start.
//!
//! The data directory holds the catalog as
//! [`CatalogDir`](ticketpool_persist::CatalogDir) lays it out (Python's
//! `Catalog.open(dir)` reads it too) and the service's own state:
//! `accounts.db` (customers, their VIP flag, their tokens' SHA-256 hashes,
//! idempotency keys) and `vendors.db` (admins' vendor changes). With
//! [`ServerConfig::database`] set, all of it goes to PostgreSQL instead
//! ([`CatalogPg`](ticketpool_persist::CatalogPg): schema `ticketpool`
//! with the catalog and the tables `customers`, `customer_tokens`,
//! `vendor_changes` and `idempotency_keys`, and every event's sales,
//! keyed by event); the data directory is not used. Each server
//! authenticates from an in-memory copy of the accounts loaded at start,
//! written through to the database.
//!
//! # The API
//!
//! Every body is JSON; every error is
//! `{"error": {"code": "<stable_snake_case>", "message": "..."}}` with a
//! 4xx for a client's mistake. Customers authenticate with
//! `Authorization: Bearer <token>`; admin routes need the admin token.
//!
//! | route | who | what |
//! | --- | --- | --- |
//! | `POST /api/signup` `{"name"}` | anyone | a new Regular customer and its token (shown once) |
//! | `GET /api/events?view=upcoming\|popular` | anyone | events a buyer may see |
//! | `GET /api/events/{id}` | anyone | an event: venue, performers, types, current prices, availability |
//! | `GET /api/search?q=&city=&category=&on_sale=&from=&to=&page=` | anyone | full-text search, filtered, paged |
//! | `POST /api/events/{id}/holds` `{"ticket_type", "quantity", "wait"}` | customer | a hold (all tickets or none); with `"wait": true` and none free, a 202 place in line |
//! | `GET /api/me/waiting`, `GET`/`DELETE /api/waiting/{id}` | its owner | places in line; leave the line |
//! | `GET /api/holds/{id}`, `POST /api/holds/{id}/confirm` `{"payment_ref"}`, `DELETE /api/holds/{id}` | its owner | see, buy, cancel a hold |
//! | `GET /api/me`, `GET /api/me/holds`, `GET /api/me/tickets` | customer | the account, open holds, tickets (newest first) |
//! | `POST /api/admin/venues`, `/performers`, `/events` | admin | create |
//! | `POST /api/admin/events/{id}/on-sale`, `/pause`, `/resume`, `/cancel` | admin | an event's life |
//! | `POST /api/admin/events/{id}/close` | admin | close the sales for good: reserves get 409 `sales_closed`, waiting buyers' entries end with that reason, watchers get `closed`; tickets sold stay valid, holds placed before may still be confirmed until they expire |
//! | `POST`/`DELETE /api/admin/customers/{name}/vip` | admin | grant or revoke VIP |
//! | `POST`/`DELETE /api/admin/customers/{name}/tokens` | admin | a new token; revoke all |
//! | `GET /api/admin/events`, `PATCH /api/admin/events/{id}` | admin | every event (drafts too); edit one |
//! | `GET`/`POST /api/admin/events/{id}/vendors`, `PATCH`/`DELETE .../vendors/{name}` | admin | an event's vendors and their rates |
//! | `GET /api/admin/events/{id}/sales?format=json\|csv` | admin | the sales log, filtered and paged |
//! | `PUT /api/admin/venues/{id}/seat-map` | admin | a venue's seat map (the compact config); every problem listed in one 422 |
//! | `GET /api/events/{id}/seats` | anyone | a seated event's map for drawing, each seat's state (never its holder), a version |
//! | `POST /api/events/{id}/seat-holds` `{"seats": [labels]}` or `{"best": {"count", "section"\|"tier", "accessible"}, "wait"}` | customer | a hold of seats (all or none; 409 `seats_taken` names them; with `best` and `"wait": true` and no block free, a 202 place in line, `position` null), seen, confirmed and cancelled at `/api/holds/{id}` |
//! | `GET /api/events/{id}/live` | anyone | Server-Sent Events: `availability` (at most ~10 a second, with the sales rate), `paused`, `resumed`, `sold_out`, `closed`; `seats` deltas on a seated event |
//! | `GET /api/me/live` | customer | Server-Sent Events: my holds created, confirmed, cancelled, expiring, expired; my places in line |
//! | `GET /healthz`, `GET /metrics`, `GET /openapi.json` | anyone | liveness; Prometheus text; the OpenAPI 3.1 document |
//! | `GET /`, `GET /assets/{file}` | anyone | the web frontend: one page (hash routes for browse and search, an event, account, my tickets, admin) and its scripts and styles, compiled in |
//!
//! Reserve and confirm take an `Idempotency-Key` header: a retry with the
//! same key returns the first answer and never books twice, after a
//! restart too: keys are kept for a day in the store with the accounts.
//!
//! # The demo
//!
//! With [`ServerConfig::demo`], an empty catalog gets three events put
//! on sale, and simulated fans buy on every event on sale through the
//! engine, as customers named `demo-fan-<event>-<n>-<k>`, until the server
//! stops.
//!
//! Each customer is held to a [`RateLimit`] (a JSON 429 past it), and
//! every route is in `/openapi.json`. Not yet: an event closed without
//! being cancelled; a waiting reserve of more than one ticket.
//!
//! # Example
//!
//! ```no_run
//! use ticketpool_server::{Server, ServerConfig};
//!
//! # async fn run() -> Result<(), ticketpool_server::ServerError> {
//! let mut config = ServerConfig::new("ticketpool-data");
//! config.addr = "127.0.0.1:0".parse().unwrap();
//! let server = Server::bind(config).await?;
//! println!("http://{} (admin token {})", server.local_addr(), server.admin_token());
//! server.run_until(async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```
#![forbid(unsafe_code)]

mod accounts;
mod auth;
mod demo;
mod errors;
mod event_page;
mod extract;
mod holds;
mod idempotency;
mod live;
mod metrics;
mod pace;
mod rate_limit;
mod routes;
mod seats;
mod secret;
mod server;
mod state;
mod stock;
mod store;
mod views;
mod waiting;

pub use crate::errors::ApiError;
pub use crate::rate_limit::RateLimit;
pub use crate::server::{Server, ServerConfig, ServerError, MIN_ADMIN_TOKEN};
pub use crate::waiting::DEFAULT_GRACE;
/// How sales are journaled (see [`ServerConfig::durability`]).
pub use ticketpool_persist::Durability;
