//! Servers as lease nodes (`--lease-node`) of one cluster on a test's
//! PostgreSQL schema (see `support::pg`).

use ticketpool_server::ServerConfig;

use super::pg::params;

/// Node `node` of the cluster on schema `prefix`.
pub fn node(prefix: &str, node: &str) -> impl FnOnce(&mut ServerConfig) {
    let (prefix, node) = (prefix.to_owned(), node.to_owned());
    move |config: &mut ServerConfig| {
        config.database = Some(params());
        config.database_schema = Some(prefix);
        config.lease_node = Some(node);
    }
}
