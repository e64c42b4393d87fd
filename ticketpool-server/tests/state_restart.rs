//! The service's own state survives a restart on either store: the data
//! directory's files (SQLite) or the catalog's PostgreSQL schema
//! (`--database`): a customer's token still works, a VIP grant is kept, a
//! vendor an admin added is back, and a retried `Idempotency-Key` gets the
//! first hold, not a second one.

mod support;

use std::path::Path;

use reqwest::StatusCode;
use serde_json::json;
use support::pg::{params, schemas};
use support::{data_dir, TestServer, ADMIN};
use ticketpool_server::ServerConfig;

async fn state_survives_a_restart(data: &Path, adjust: impl Fn(&mut ServerConfig)) {
    let server = TestServer::start_with(data, &adjust).await;
    let event = server.event_on_sale(6, 6).await;
    let ann = server.sign_up("ann").await;
    let granted = server
        .post("/api/admin/customers/ann/vip", Some(ADMIN), json!({}))
        .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    let vendors = format!("/api/admin/events/{event}/vendors");
    let added = server
        .post(
            &vendors,
            Some(ADMIN),
            json!({"name": "north", "rate_per_second": 0.5}),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let body = json!({"ticket_type": "general", "quantity": 2});
    let first = server
        .reserve(&ann, event, body.clone(), Some("order-1"))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    server.stop().await;

    let server = TestServer::start_with(data, &adjust).await;
    let me = server.get("/api/me", Some(&ann)).await;
    assert_eq!(
        me.status,
        StatusCode::OK,
        "the token still works: {}",
        me.body
    );
    assert_eq!(me.body["vip"], true, "{}", me.body);
    let listed = server.get(&vendors, Some(ADMIN)).await;
    let names: Vec<&str> = listed.body["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert!(names.contains(&"north"), "{}", listed.body);
    let retried = server.reserve(&ann, event, body, Some("order-1")).await;
    assert_eq!(
        (retried.status, &retried.body),
        (first.status, &first.body),
        "the first answer, after a restart"
    );
    // No second hold was placed (the first was cancelled at shutdown).
    let holds = server.get("/api/me/holds", Some(&ann)).await;
    assert_eq!(holds.body["holds"], json!([]), "{}", holds.body);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_the_state_survives_a_restart() {
    let dir = data_dir();
    let data = dir.path().join("data");
    state_survives_a_restart(&data, |_| {}).await;
    assert!(data.join("accounts.db").exists());
    assert!(data.join("vendors.db").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_the_state_survives_a_restart() {
    let Some(schemas) = schemas("tps", "state") else {
        return;
    };
    let dir = data_dir();
    let data = dir.path().join("data");
    let prefix = schemas.0.clone();
    state_survives_a_restart(&data, move |config| {
        config.database = Some(params());
        config.database_schema = Some(prefix.clone());
    })
    .await;
    assert!(!data.exists(), "nothing of the service's state in {data:?}");
}
