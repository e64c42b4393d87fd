//! The security rules as tests: a hold is its owner's alone, VIP is an
//! admin's to grant, tokens can be revoked, admin routes need the admin.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{data_dir, TestServer, ADMIN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_token_cannot_see_confirm_or_cancel_a_hold() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(5, 5).await;
    let ann = server.sign_up("ann").await;
    let mallory = server.sign_up("mallory").await;
    let hold = server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await;
    let id = hold.body["id"].as_str().unwrap();
    let path = format!("/api/holds/{id}");

    // The same answer as for a hold that does not exist.
    let missing = server
        .get(
            "/api/holds/0123456789abcdef0123456789abcdef",
            Some(&mallory),
        )
        .await;
    missing.assert_error(404, "unknown_hold");
    let seen = server.get(&path, Some(&mallory)).await;
    seen.assert_error(404, "unknown_hold");
    assert_eq!(seen.body, missing.body);
    server
        .confirm(&mallory, id, None)
        .await
        .assert_error(404, "unknown_hold");
    server
        .call(Method::DELETE, &path, Some(&mallory), None)
        .await
        .assert_error(404, "unknown_hold");
    assert!(
        server.get("/api/me/holds", Some(&mallory)).await.body["holds"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Ann's hold is untouched, and hers to confirm.
    assert_eq!(server.get(&path, Some(&ann)).await.body["status"], "held");
    let confirmed = server.confirm(&ann, id, None).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert!(server.my_tickets(&mallory).await.is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regular_cannot_make_itself_vip() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(5, 5).await;
    let ann = server.sign_up("ann").await;
    // With its own token on the admin route.
    server
        .post("/api/admin/customers/ann/vip", Some(&ann), json!({}))
        .await
        .assert_error(403, "not_admin");
    // Nor by asking in a request: there is no such field.
    server
        .post("/api/signup", None, json!({"name": "eve", "vip": true}))
        .await
        .assert_error(422, "unknown_field");
    server
        .reserve(
            &ann,
            event,
            json!({"ticket_type": "general", "vip": true}),
            None,
        )
        .await
        .assert_error(422, "unknown_field");
    assert_eq!(server.get("/api/me", Some(&ann)).await.body["vip"], false);
    let hold = server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await;
    assert_eq!(hold.body["priority"], "regular");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_grant_makes_the_customers_holds_vip_and_a_revoke_undoes_it() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(5, 5).await;
    let ann = server.sign_up("ann").await;
    let granted = server
        .post("/api/admin/customers/ann/vip", Some(ADMIN), json!({}))
        .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    assert_eq!(server.get("/api/me", Some(&ann)).await.body["vip"], true);
    let hold = server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await;
    assert_eq!(hold.body["priority"], "vip");
    let sold = server
        .confirm(&ann, hold.body["id"].as_str().unwrap(), None)
        .await;
    assert_eq!(
        sold.body["tickets"][0]["priority"], "vip",
        "the engine sold as VIP"
    );

    let revoked = server
        .call(
            Method::DELETE,
            "/api/admin/customers/ann/vip",
            Some(ADMIN),
            None,
        )
        .await;
    assert_eq!(revoked.body["vip"], false);
    let hold = server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await;
    assert_eq!(hold.body["priority"], "regular");
    server
        .post("/api/admin/customers/nobody/vip", Some(ADMIN), json!({}))
        .await
        .assert_error(404, "unknown_customer");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_stops_working_and_an_admin_issues_a_new_one() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let ann = server.sign_up("ann").await;
    let revoked = server
        .call(
            Method::DELETE,
            "/api/admin/customers/ann/tokens",
            Some(ADMIN),
            None,
        )
        .await;
    assert_eq!(revoked.body["revoked"], 1);
    server
        .get("/api/me", Some(&ann))
        .await
        .assert_error(401, "bad_token");
    let issued = server
        .post("/api/admin/customers/ann/tokens", Some(ADMIN), json!({}))
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let token = issued.body["token"].as_str().unwrap();
    assert_eq!(token.len(), 64, "256 bits in hex");
    assert_eq!(server.get("/api/me", Some(token)).await.body["name"], "ann");
    // Names are unique.
    server
        .post("/api/signup", None, json!({"name": "ann"}))
        .await
        .assert_error(409, "name_taken");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_routes_need_the_admin_token() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let venue = json!({"name": "Olympia", "city": "Paris", "capacity": 10});
    server
        .post("/api/admin/venues", None, venue.clone())
        .await
        .assert_error(401, "missing_token");
    server
        .post(
            "/api/admin/venues",
            Some("test-admin-token-012345678X"),
            venue.clone(),
        )
        .await
        .assert_error(403, "not_admin");
    let ann = server.sign_up("ann").await;
    server
        .post("/api/admin/events/1/pause", Some(&ann), json!({}))
        .await
        .assert_error(403, "not_admin");
    server.stop().await;
}
