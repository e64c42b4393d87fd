//! A restart on the same data directory keeps events, accounts and sold
//! tickets; a hold open at shutdown is cancelled, never sold.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::{data_dir, TestServer};
use ticketpool_catalog::{CatalogOptions, EventId};
use ticketpool_persist::CatalogDir;
use ticketpool_server::{Server, ServerConfig, ServerError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_accounts_and_sales_survive_a_restart() {
    let dir = data_dir();
    let data = dir.path().join("data"); // created on first start
    let server = TestServer::start_in(&data).await;
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
    let sold = server
        .confirm(&ann, hold.body["id"].as_str().unwrap(), None)
        .await;
    assert_eq!(sold.status, StatusCode::OK, "{}", sold.body);
    let open = server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await;
    assert_eq!(open.status, StatusCode::CREATED, "{}", open.body);
    let before = server.my_tickets(&ann).await;
    server.stop().await;

    let server = TestServer::start_in(&data).await;
    let shown = server.get(&format!("/api/events/{event}"), None).await;
    assert_eq!(shown.body["name"], "Jazz at the Olympia");
    assert_eq!(shown.body["status"], "on_sale");
    assert_eq!(shown.body["availability"]["sold"], 2);
    assert_eq!(
        server.my_tickets(&ann).await,
        before,
        "same token, same tickets"
    );
    // The open hold was cancelled at shutdown: four tickets are on sale.
    server.wait_available(event, 4).await;
    let path = format!("/api/holds/{}", open.body["id"].as_str().unwrap());
    server
        .get(&path, Some(&ann))
        .await
        .assert_error(404, "unknown_hold");
    let more = server
        .reserve(
            &ann,
            event,
            json!({"ticket_type": "any", "quantity": 4}),
            None,
        )
        .await;
    assert_eq!(more.status, StatusCode::CREATED, "{}", more.body);
    server.stop().await;

    // The directory is the one the Python bindings open.
    let catalog = CatalogDir::new(&data)
        .open(CatalogOptions::default())
        .unwrap();
    assert_eq!(
        catalog.event(EventId(event)).unwrap().name,
        "Jazz at the Olympia"
    );
    let tickets = CatalogDir::new(&data)
        .my_tickets(&[EventId(event)], "ann", 10)
        .unwrap();
    assert_eq!(tickets.len(), 2);
}

/// Each server sells from its own copy of the inventory, so a second one
/// on the same data directory is refused with the reason, and may start
/// once the first has stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_the_same_data_directory_is_refused() {
    let dir = data_dir();
    let data = dir.path().join("data");
    let first = TestServer::start_in(&data).await;
    let mut config = ServerConfig::new(data.clone());
    config.addr = "127.0.0.1:0".parse().unwrap();
    let error = Server::bind(config.clone()).await.unwrap_err();
    assert!(matches!(error, ServerError::InUse { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&data.display().to_string()), "{message}");
    assert!(message.contains("already in use"), "{message}");

    first.stop().await;
    let again = Server::bind(config).await.unwrap();
    drop(again);
}

/// A program with the catalog open (Python's `Catalog.open` claims the
/// directory the same way) keeps `serve` off it, and the server starts
/// once that program lets go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_program_with_the_catalog_open_keeps_the_server_off_its_directory() {
    let dir = data_dir();
    let data = dir.path().join("data");
    let claim = CatalogDir::new(&data).claim().unwrap().expect("unclaimed");
    let mut config = ServerConfig::new(data.clone());
    config.addr = "127.0.0.1:0".parse().unwrap();
    let error = Server::bind(config.clone()).await.unwrap_err();
    assert!(matches!(error, ServerError::InUse { .. }), "{error:?}");
    assert!(error.to_string().contains("Catalog.open"), "{error}");

    drop(claim);
    let server = Server::bind(config).await.unwrap();
    // And the server holds the claim while it runs.
    assert!(CatalogDir::new(&data).claim().unwrap().is_none());
    drop(server);
}
