//! Every client mistake is a 4xx with the JSON error shape and a stable
//! code: never a 500, never a dropped connection.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{data_dir, TestServer, ADMIN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_are_named() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let url = format!("{}/api/signup", server.base);
    let send = |body: &'static str, content_type: Option<&'static str>| {
        let mut request = server.client.post(&url).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let body: serde_json::Value = response.json().await.unwrap();
            support::Answer { status, body }
        }
    };
    let json_type = Some("application/json");
    send("{\"name\": ", json_type)
        .await
        .assert_error(400, "bad_json");
    send("", json_type).await.assert_error(400, "missing_body");
    send("{\"name\": 7}", json_type)
        .await
        .assert_error(422, "wrong_type");
    send("{}", json_type)
        .await
        .assert_error(422, "missing_field");
    send("{\"name\": \"a\", \"x\": 1}", json_type)
        .await
        .assert_error(422, "unknown_field");
    send("{\"name\": \"ann\"}", Some("text/plain"))
        .await
        .assert_error(415, "wrong_content_type");
    send("{\"name\": \"ann\"}", None)
        .await
        .assert_error(415, "wrong_content_type");
    send("{\"name\": \"a b\"}", json_type)
        .await
        .assert_error(422, "invalid_name");

    let huge = format!("{{\"name\": \"{}\"}}", "a".repeat(70 * 1024));
    let response = server
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.json().await.unwrap();
    support::Answer { status, body }.assert_error(413, "body_too_large");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_wrong_methods_and_bad_paths_are_json() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    server
        .get("/api/nothing", None)
        .await
        .assert_error(404, "unknown_route");
    // `/` is the frontend's page now; any other path outside the API is
    // still a JSON 404.
    server
        .get("/index.html", None)
        .await
        .assert_error(404, "unknown_route");
    server
        .call(Method::PUT, "/api/signup", None, None)
        .await
        .assert_error(405, "method_not_allowed");
    server
        .call(Method::DELETE, "/api/events", None, None)
        .await
        .assert_error(405, "method_not_allowed");
    server
        .get("/api/events/abc", None)
        .await
        .assert_error(400, "bad_path");
    server
        .get("/api/events/7", None)
        .await
        .assert_error(404, "unknown_event");
    server
        .get("/api/events?view=sideways", None)
        .await
        .assert_error(400, "bad_query");
    server
        .get("/api/events?colour=red", None)
        .await
        .assert_error(400, "bad_query");
    server
        .get("/api/search?page=zero", None)
        .await
        .assert_error(400, "bad_query");
    server
        .get("/api/search?from=yesterday", None)
        .await
        .assert_error(400, "bad_query");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_and_bad_tokens_are_401() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    server
        .get("/api/me", None)
        .await
        .assert_error(401, "missing_token");
    server
        .get("/api/me/tickets", Some("nope"))
        .await
        .assert_error(401, "bad_token");
    let response = server
        .client
        .get(format!("{}/api/me", server.base))
        .header("authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l")
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.json().await.unwrap();
    support::Answer { status, body }.assert_error(401, "bad_token");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_admin_input_is_a_4xx_naming_the_field() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let admin = Some(ADMIN);
    let event = |office: serde_json::Value, starts_at: &str| json!({"name": "Gig", "venue": 1, "starts_at": starts_at, "office": office});
    let office = json!({"event_name": "gig", "total_tickets": 5, "max_capacity": 5,
        "ticket_types": [{"name": "general", "price": "10.00"}]});
    server
        .post(
            "/api/admin/events",
            admin,
            event(office.clone(), "2030-01-01T20:00:00Z"),
        )
        .await
        .assert_error(422, "unknown_venue");
    server
        .post(
            "/api/admin/venues",
            admin,
            json!({"name": "Hall", "city": "Lyon", "capacity": 10}),
        )
        .await;
    server
        .post(
            "/api/admin/events",
            admin,
            event(office.clone(), "next friday"),
        )
        .await
        .assert_error(422, "invalid_start");
    let answer = server
        .post(
            "/api/admin/events",
            admin,
            event(json!({"total_tickets": -1}), "2030-01-01T20:00:00Z"),
        )
        .await;
    answer.assert_error(422, "invalid_office");
    let too_big = json!({"event_name": "gig", "total_tickets": 50, "max_capacity": 5,
        "ticket_types": [{"name": "general", "price": "10.00"}]});
    server
        .post(
            "/api/admin/events",
            admin,
            event(too_big, "2030-01-01T20:00:00Z"),
        )
        .await
        .assert_error(422, "over_capacity");
    let mut zoned = event(office.clone(), "2030-01-01T20:00:00Z");
    zoned["time_zone"] = json!("Mars/Olympus");
    server
        .post("/api/admin/events", admin, zoned)
        .await
        .assert_error(422, "unknown_time_zone");
    server
        .post("/api/admin/events/9/on-sale", admin, json!({}))
        .await
        .assert_error(404, "unknown_event");
    let created = server
        .post(
            "/api/admin/events",
            admin,
            event(office, "2030-01-01T20:00:00Z"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    // A draft is not for buyers yet.
    let ann = server.sign_up("ann").await;
    server
        .get("/api/events/1", None)
        .await
        .assert_error(404, "unknown_event");
    server
        .reserve(&ann, 1, json!({"ticket_type": "general"}), None)
        .await
        .assert_error(409, "not_on_sale");
    server
        .post("/api/admin/events/1/resume", admin, json!({}))
        .await
        .assert_error(409, "wrong_status");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_idempotency_keys_and_payment_refs_are_refused() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(5, 5).await;
    let ann = server.sign_up("ann").await;
    let long = "k".repeat(300);
    server
        .reserve(&ann, event, json!({"ticket_type": "general"}), Some(&long))
        .await
        .assert_error(400, "bad_idempotency_key");
    let hold = server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await;
    let id = hold.body["id"].as_str().unwrap();
    server
        .post(
            &format!("/api/holds/{id}/confirm"),
            Some(&ann),
            json!({"payment_ref": " "}),
        )
        .await
        .assert_error(422, "invalid_payment_ref");
    server
        .post(&format!("/api/holds/{id}/confirm"), Some(&ann), json!({}))
        .await
        .assert_error(422, "missing_field");
    server.stop().await;
}
