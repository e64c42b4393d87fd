//! The service on PostgreSQL (`--database`): the catalog, sales and the
//! service's own state go to the server (127.0.0.1:5432, or
//! `TICKETPOOL_PG_URL`) and come back after a restart; nothing is kept in
//! the data directory. Without a server the test says so on stderr and
//! passes, unless `TICKETPOOL_PG_REQUIRED=1` (see `support::pg`).

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::pg::{params, schemas, with_client};
use support::{data_dir, TestServer};
use ticketpool_server::{Server, ServerConfig, ServerError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_and_sales_on_postgres_survive_a_restart() {
    let Some(schemas) = schemas("tps", "restart") else {
        return;
    };
    let dir = data_dir();
    let data = dir.path().join("data");
    let prefix = schemas.0.clone();
    let on_postgres = move |config: &mut ServerConfig| {
        config.database = Some(params());
        config.database_schema = Some(prefix.clone());
    };

    let server = TestServer::start_with(&data, on_postgres.clone()).await;
    let event = server.event_on_sale(6, 6).await;
    let ann = server.sign_up("ann").await;
    let hold = server
        .reserve(
            &ann,
            event,
            json!({"ticket_type": "general", "quantity": 2}),
            None,
        )
        .await;
    assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.body);
    let sold = server
        .confirm(&ann, hold.body["id"].as_str().unwrap(), None)
        .await;
    assert_eq!(sold.status, StatusCode::OK, "{}", sold.body);
    let before = server.my_tickets(&ann).await;
    assert_eq!(before.len(), 2, "{before:?}");
    server.stop().await;

    let server = TestServer::start_with(&data, on_postgres).await;
    let shown = server.get(&format!("/api/events/{event}"), None).await;
    assert_eq!(shown.body["status"], "on_sale", "{}", shown.body);
    assert_eq!(shown.body["availability"]["sold"], 2, "{}", shown.body);
    assert_eq!(
        server.my_tickets(&ann).await,
        before,
        "same token, same tickets"
    );
    server.stop().await;

    // The sales and the accounts are in the catalog's schema;
    // the data directory was never created: no accounts, vendors or
    // catalog files.
    assert!(!data.join("accounts.db").exists());
    assert!(!data.join("vendors.db").exists());
    assert!(!data.join("catalog.db").exists());
    assert!(
        !data.exists(),
        "nothing of the service's state is in {data:?}"
    );
    let accounts = format!("{}.customers", schemas.0);
    let customers = with_client(move |client| {
        client
            .query_one(&format!("SELECT COUNT(*) FROM {accounts}"), &[])
            .map(|row| row.get::<_, i64>(0))
    });
    assert_eq!(customers.unwrap().unwrap(), 1);
    // Every event's sales in the catalog's schema, keyed by the event.
    let journal = format!("{}.sales WHERE event = {event}", schemas.0);
    let rows = with_client(move |client| {
        client
            .query_one(&format!("SELECT COUNT(*) FROM {journal}"), &[])
            .map(|row| row.get::<_, i64>(0))
    });
    assert_eq!(rows.unwrap().unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_is_an_error_naming_it() {
    let dir = data_dir();
    let mut config = ServerConfig::new(dir.path().join("data"));
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.database = Some("postgres://postgres:hunter2@127.0.0.1:1/test?connect_timeout=2".into());
    let error = Server::bind(config.clone()).await.unwrap_err();
    assert!(matches!(error, ServerError::Database { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("postgres@127.0.0.1:1/test"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");

    config.database = Some("mysql://root@127.0.0.1/test".into());
    let error = Server::bind(config).await.unwrap_err();
    assert!(matches!(error, ServerError::BadDatabase(_)), "{error:?}");
}

/// A server bound on PostgreSQL and dropped without running closes its
/// connections without panicking (the blocking client must not close on
/// an async thread).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bound_server_dropped_unrun_closes_cleanly() {
    let Some(schemas) = schemas("tps", "dropped") else {
        return;
    };
    let dir = data_dir();
    let mut config = ServerConfig::new(dir.path().join("data"));
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.database = Some(params());
    config.database_schema = Some(schemas.0.clone());
    let server = Server::bind(config.clone()).await.unwrap();
    drop(server);
    // Bound again on the same schema: nothing was left half-open.
    let again = Server::bind(config).await.unwrap();
    assert!(again.catalog_home().to_string().contains(&schemas.0));
    drop(again);
}

/// Each server sells from its own copy of the inventory, so a second one
/// on the same schema is refused with the reason, and may start once the
/// first has stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_the_same_schema_is_refused() {
    let Some(schemas) = schemas("tps", "second") else {
        return;
    };
    let dir = data_dir();
    let prefix = schemas.0.clone();
    let on_postgres = move |config: &mut ServerConfig| {
        config.database = Some(params());
        config.database_schema = Some(prefix.clone());
    };
    let first = TestServer::start_with(&dir.path().join("a"), on_postgres.clone()).await;

    let mut config = ServerConfig::new(dir.path().join("b"));
    config.addr = "127.0.0.1:0".parse().unwrap();
    on_postgres(&mut config);
    let error = Server::bind(config.clone()).await.unwrap_err();
    assert!(matches!(error, ServerError::InUse { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&schemas.0), "{message}");
    assert!(message.contains("already in use"), "{message}");

    first.stop().await;
    let again = Server::bind(config).await.unwrap();
    drop(again);
}
