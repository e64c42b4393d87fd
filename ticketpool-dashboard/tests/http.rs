//! HTTP tests of every dashboard endpoint, against a real server on an
//! ephemeral port, including bad input and missing or wrong tokens.
//!

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

use ticketpool_core::{BoxOffice, BoxOfficeConfig, Money};
use ticketpool_dashboard::{api, app, driver};

const TOKEN: &str = "s3cret";

/// Longest wait for anything the server should do: a guard against a hang,
/// never reached when things work (even with every core busy), not a
/// timing assumption.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running dashboard and a client for it.
struct Server {
    base: String,
    app: Arc<app::App>,
    client: Client,
}

impl Server {
    /// Serves an office of `total` tickets (capacity 10, 12.50 each, limit
    /// `limit`) with no vendors and no simulated customers.
    async fn start(total: u64, limit: Option<u32>) -> Self {
        let mut config = BoxOfficeConfig::simple("test gig", total, 10, Money::from_minor(1_250));
        config.purchase_limit = limit;
        let office = BoxOffice::new(config).unwrap();
        let driver = driver::Driver::new(office.clone());
        let app = app::App::new(office, driver, TOKEN.to_owned());
        app.start_feed();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(axum::serve(listener, api::router(Arc::clone(&app))).into_future());
        Self {
            base,
            app,
            client: Client::new(),
        }
    }

    /// Puts `count` tickets on sale from a vendor outside the driver.
    fn release(&self, count: usize) {
        let vendor = match self.app.office.vendor("manual") {
            Ok(vendor) => vendor,
            Err(_) => self.app.office.add_vendor("manual", &[]).unwrap(),
        };
        for _ in 0..count {
            vendor.release("general").unwrap();
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|err| panic!("{path}: not JSON ({err}): {text:?}"));
        (status, value)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, None, Some(&body.to_string()))
            .await
    }

    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let body = body.map(|b| b.to_string());
        self.send(method, path, Some(TOKEN), body.as_deref()).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.app.driver.stop();
        self.app.office.close();
    }
}

/// The error message of a JSON error body, asserting its shape.
fn error(body: &Value) -> &str {
    body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error message in {body}"))
}

#[tokio::test]
async fn the_page_and_its_assets_are_served() {
    let server = Server::start(10, None).await;
    let page = server.client.get(&server.base).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    for needle in [
        "id=\"chart\"",
        "id=\"buy-form\"",
        "id=\"admin-token\"",
        "/static/app.js",
    ] {
        assert!(html.contains(needle), "page lacks {needle}");
    }
    let js = server
        .client
        .get(format!("{}/static/app.js", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(js.headers()["content-type"], "text/javascript");
    assert!(js
        .text()
        .await
        .unwrap()
        .contains("new EventSource(\"/events\")"));
    let css = server
        .client
        .get(format!("{}/static/style.css", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css");
}

#[tokio::test]
async fn snapshot_reports_counts_revenue_and_vendor_rates() {
    let server = Server::start(10, None).await;
    server.app.driver.add_vendor("idle", 0.0, &[]).unwrap();
    server.release(3);
    let (status, snapshot) = server.get("/api/snapshot").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(snapshot["event_name"], "test gig");
    assert_eq!(snapshot["total_tickets"], 10);
    assert_eq!(
        snapshot["totals"],
        json!({"released": 3, "available": 3, "held": 0, "sold": 0})
    );
    assert_eq!(snapshot["by_vendor"]["manual"]["released"], 3);
    assert_eq!(snapshot["by_type"]["general"]["available"], 3);
    assert_eq!(snapshot["vendor_rates"], json!({"idle": 0.0}));
    assert_eq!(snapshot["paused"], false);
    assert_eq!(snapshot["revenue_display"], "0.00");
    assert_eq!(snapshot["ticket_types"][0]["price"], "12.50");
}

#[tokio::test]
async fn buy_reserve_confirm_and_cancel() {
    let server = Server::start(10, None).await;
    server.release(3);
    let (status, sale) = server
        .post("/api/buy", json!({"customer": "ann", "vip": true}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sale}");
    assert_eq!(sale["result"], "sold");
    assert_eq!(sale["customer"], "ann");
    assert_eq!(sale["price"], "12.50");
    assert_eq!(sale["vendor"], "manual");

    let (status, held) = server
        .post(
            "/api/buy",
            json!({"customer": "bob", "ticket_type": "general", "reserve": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{held}");
    assert_eq!(held["result"], "held");
    let hold = held["hold_id"].as_u64().unwrap();
    assert_eq!(server.get("/api/snapshot").await.1["totals"]["held"], 1);

    let (status, confirmed) = server
        .post(&format!("/api/holds/{hold}/confirm"), json!(null))
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["result"], "sold");
    assert_eq!(confirmed["hold_id"], hold);
    assert_eq!(confirmed["ticket_id"], held["ticket_id"]);
    // The hold is settled: confirming again finds nothing.
    let (status, body) = server
        .post(&format!("/api/holds/{hold}/confirm"), json!(null))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error(&body).contains("no open hold"));

    let (_, held) = server
        .post("/api/buy", json!({"customer": "cy", "reserve": true}))
        .await;
    let hold = held["hold_id"].as_u64().unwrap();
    let (status, cancelled) = server
        .post(&format!("/api/holds/{hold}/cancel"), json!(null))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        cancelled,
        json!({"result": "cancelled", "hold_id": hold, "changed": true})
    );
    let (status, _) = server
        .post(&format!("/api/holds/{hold}/cancel"), json!(null))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let snapshot = server.get("/api/snapshot").await.1;
    assert_eq!(
        snapshot["totals"],
        json!({"released": 3, "available": 1, "held": 0, "sold": 2})
    );
    assert_eq!(snapshot["revenue_display"], "25.00");
}

#[tokio::test]
async fn bad_purchases_get_a_4xx_json_error() {
    let server = Server::start(10, Some(1)).await;
    server.release(2);
    let cases: [(&str, StatusCode, &str); 6] = [
        ("{not json", StatusCode::BAD_REQUEST, "bad JSON body"),
        ("{}", StatusCode::BAD_REQUEST, "missing field `customer`"),
        (
            r#"{"customer": ""}"#,
            StatusCode::BAD_REQUEST,
            "must not be empty",
        ),
        (
            r#"{"customer": "x", "vip": "yes"}"#,
            StatusCode::BAD_REQUEST,
            "bad JSON body",
        ),
        (
            r#"{"customer": "x", "colour": 1}"#,
            StatusCode::BAD_REQUEST,
            "unknown field",
        ),
        (
            r#"{"customer": "x", "ticket_type": "balcony"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown ticket type",
        ),
    ];
    for (body, status, message) in cases {
        let (got, answer) = server
            .send(Method::POST, "/api/buy", None, Some(body))
            .await;
        assert_eq!(got, status, "{body} -> {answer}");
        assert!(error(&answer).contains(message), "{body} -> {answer}");
    }
    let long = "n".repeat(65);
    let (status, answer) = server.post("/api/buy", json!({"customer": long})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&answer).contains("longer than 64"));

    // The purchase limit is 1.
    assert_eq!(
        server.post("/api/buy", json!({"customer": "dee"})).await.0,
        StatusCode::CREATED
    );
    let (status, answer) = server.post("/api/buy", json!({"customer": "dee"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error(&answer).contains("purchase limit"), "{answer}");
    // Nothing was sold or lost by the refusals.
    let totals = &server.get("/api/snapshot").await.1["totals"];
    assert_eq!(
        *totals,
        json!({"released": 2, "available": 1, "held": 0, "sold": 1})
    );

    // Nothing left: the form's buy waits BUY_WAIT, then times out.
    assert_eq!(
        server.post("/api/buy", json!({"customer": "eve"})).await.0,
        StatusCode::CREATED
    );
    let started = Instant::now();
    let (status, answer) = server.post("/api/buy", json!({"customer": "fay"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error(&answer), "timed out");
    assert!(started.elapsed() >= api::BUY_WAIT);
}

#[tokio::test]
async fn hold_ids_are_checked() {
    let server = Server::start(10, None).await;
    for (path, status, message) in [
        (
            "/api/holds/abc/confirm",
            StatusCode::BAD_REQUEST,
            "positive integer",
        ),
        (
            "/api/holds/-1/cancel",
            StatusCode::BAD_REQUEST,
            "positive integer",
        ),
        (
            "/api/holds/999/confirm",
            StatusCode::NOT_FOUND,
            "no open hold 999",
        ),
        (
            "/api/holds/999/cancel",
            StatusCode::NOT_FOUND,
            "no open hold 999",
        ),
    ] {
        let (got, body) = server.post(path, json!(null)).await;
        assert_eq!(got, status, "{path}");
        assert!(error(&body).contains(message), "{path}: {body}");
    }
}

#[tokio::test]
async fn every_admin_endpoint_refuses_a_missing_or_wrong_token() {
    let server = Server::start(10, None).await;
    server.app.driver.add_vendor("north", 0.0, &[]).unwrap();
    let endpoints = [
        (Method::POST, "/api/admin/pause", None),
        (Method::POST, "/api/admin/resume", None),
        (Method::POST, "/api/admin/close", None),
        (
            Method::POST,
            "/api/admin/vendors",
            Some(r#"{"name": "x", "rate": 1}"#),
        ),
        (Method::DELETE, "/api/admin/vendors/north", None),
        (
            Method::POST,
            "/api/admin/vendors/north/rate",
            Some(r#"{"rate": 5}"#),
        ),
    ];
    for (method, path, body) in endpoints {
        let (status, answer) = server.send(method.clone(), path, None, body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(error(&answer).contains("admin token missing"), "{path}");
        let (status, answer) = server.send(method.clone(), path, Some("guess"), body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(error(&answer), "wrong admin token");
    }
    // A token sent without the Bearer scheme counts as missing.
    let response = server
        .client
        .post(format!("{}/api/admin/pause", server.base))
        .header("Authorization", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // Nothing happened.
    let snapshot = server.get("/api/snapshot").await.1;
    assert_eq!(snapshot["paused"], false);
    assert_eq!(snapshot["closed"], false);
    assert_eq!(snapshot["vendor_rates"], json!({"north": 0.0}));
}

#[tokio::test]
async fn admin_pauses_resumes_and_closes() {
    let server = Server::start(10, None).await;
    let vendor = server.app.office.add_vendor("manual", &[]).unwrap();
    let (status, body) = server.admin(Method::POST, "/api/admin/pause", None).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"paused": true, "changed": true}))
    );
    assert_eq!(server.get("/api/snapshot").await.1["paused"], true);
    assert!(matches!(
        vendor.try_release("general"),
        Err(ticketpool_core::BoxOfficeError::Paused)
    ));
    // Pausing twice changes nothing.
    assert_eq!(
        server.admin(Method::POST, "/api/admin/pause", None).await.1["changed"],
        false
    );
    let (status, body) = server.admin(Method::POST, "/api/admin/resume", None).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"paused": false, "changed": true}))
    );
    vendor.try_release("general").unwrap();

    let (status, body) = server.admin(Method::POST, "/api/admin/close", None).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"closed": true, "changed": true}))
    );
    assert_eq!(server.get("/api/snapshot").await.1["closed"], true);
    let (status, answer) = server.post("/api/buy", json!({"customer": "late"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error(&answer), "the box office is closed");
}

#[tokio::test]
async fn admin_adds_rates_and_removes_vendors() {
    let server = Server::start(1_000, None).await;
    let (status, body) = server
        .admin(
            Method::POST,
            "/api/admin/vendors",
            Some(json!({"name": "fast", "rate": 200, "types": ["general"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // It really releases at its rate.
    let deadline = Instant::now() + PATIENCE;
    while server.app.office.snapshot().totals.released == 0 {
        assert!(Instant::now() < deadline, "the new vendor never released");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let bad_vendors = [
        (
            json!({"name": "fast", "rate": 1}),
            StatusCode::CONFLICT,
            "already exists",
        ),
        (
            json!({"name": "odd", "rate": 1, "types": ["balcony"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown ticket type",
        ),
        (
            json!({"name": "neg", "rate": -1}),
            StatusCode::BAD_REQUEST,
            "rate must be",
        ),
        (
            json!({"name": "huge", "rate": 1e9}),
            StatusCode::BAD_REQUEST,
            "rate must be",
        ),
        (
            json!({"name": "norate"}),
            StatusCode::BAD_REQUEST,
            "missing field `rate`",
        ),
        (
            json!({"name": " ", "rate": 1}),
            StatusCode::BAD_REQUEST,
            "must not be empty",
        ),
    ];
    for (body, status, message) in bad_vendors {
        let (got, answer) = server
            .admin(Method::POST, "/api/admin/vendors", Some(body.clone()))
            .await;
        assert_eq!(got, status, "{body} -> {answer}");
        assert!(error(&answer).contains(message), "{body} -> {answer}");
    }

    let (status, body) = server
        .admin(
            Method::POST,
            "/api/admin/vendors/fast/rate",
            Some(json!({"rate": 0})),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"vendor": "fast", "rate": 0.0}))
    );
    assert_eq!(
        server.get("/api/snapshot").await.1["vendor_rates"]["fast"],
        0.0
    );
    let (status, answer) = server
        .admin(
            Method::POST,
            "/api/admin/vendors/ghost/rate",
            Some(json!({"rate": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error(&answer), "unknown vendor \"ghost\"");
    let (status, _) = server
        .admin(
            Method::POST,
            "/api/admin/vendors/fast/rate",
            Some(json!({"rate": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, body) = server
        .admin(Method::DELETE, "/api/admin/vendors/fast", None)
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({"removed": "fast"})));
    assert!(server.app.office.vendor_names().is_empty());
    let (status, answer) = server
        .admin(Method::DELETE, "/api/admin/vendors/fast", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error(&answer), "unknown vendor \"fast\"");
    // Its tickets stay on sale and counted.
    let snapshot = server.get("/api/snapshot").await.1;
    assert!(snapshot["by_vendor"]["fast"]["released"].as_u64().unwrap() > 0);
    assert_eq!(snapshot["vendor_rates"], json!({}));
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let server = Server::start(10, None).await;
    let (status, body) = server.get("/api/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error(&body), "no such endpoint");
    let (status, body) = server.get("/api/buy").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error(&body), "method not allowed here");
    let (status, _) = server
        .send(Method::PUT, "/api/admin/pause", Some(TOKEN), None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

/// Reads Server-Sent Events from `response` until `want` accepts one
/// (`event` name and `data`), or panics after [`PATIENCE`].
async fn read_until(
    response: &mut reqwest::Response,
    buffer: &mut String,
    mut want: impl FnMut(&str, &Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut name = "message";
            let mut data = String::new();
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("event: ") {
                    name = value;
                } else if let Some(value) = line.strip_prefix("data: ") {
                    data.push_str(value);
                }
            }
            if data.is_empty() {
                continue; // a keep-alive comment
            }
            let value: Value = serde_json::from_str(&data).unwrap();
            if want(name, &value) {
                return value;
            }
        }
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .expect("the awaited event did not come")
            .unwrap()
            .expect("the event stream ended");
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

#[tokio::test]
async fn events_stream_a_snapshot_first_then_live_notifications() {
    let server = Server::start(10, None).await;
    let mut events = server
        .client
        .get(format!("{}/events", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    let mut buffer = String::new();
    let first = read_until(&mut events, &mut buffer, |_, _| true).await;
    assert_eq!(
        first["event_name"], "test gig",
        "the first event is a snapshot"
    );

    server.release(1);
    server.post("/api/buy", json!({"customer": "gus"})).await;
    let sold = read_until(&mut events, &mut buffer, |name, data| {
        name == "notification" && data["kind"] == "sold"
    })
    .await;
    assert_eq!(sold["customer"], "gus");
    assert_eq!(sold["price"], "12.50");

    server.admin(Method::POST, "/api/admin/pause", None).await;
    read_until(&mut events, &mut buffer, |name, data| {
        name == "notification" && data["kind"] == "paused"
    })
    .await;
    // Periodic snapshots follow on the same stream, with the new state (one
    // taken just before the pause may still come first: skip it).
    let snapshot = read_until(&mut events, &mut buffer, |name, data| {
        name == "snapshot" && data["paused"] == true
    })
    .await;
    assert_eq!(snapshot["totals"]["sold"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_customers_move_the_numbers_seen_on_the_stream() {
    let server = Server::start(100_000, None).await;
    server.app.driver.add_vendor("north", 400.0, &[]).unwrap();
    server.app.driver.spawn_customers(2, 100.0);
    let mut events = server
        .client
        .get(format!("{}/events", server.base))
        .send()
        .await
        .unwrap();
    let mut buffer = String::new();
    let first = read_until(&mut events, &mut buffer, |name, _| name == "snapshot").await;
    let sold_before = first["totals"]["sold"].as_u64().unwrap();
    let later = read_until(&mut events, &mut buffer, |name, data| {
        name == "snapshot"
            && data["totals"]["sold"].as_u64().unwrap() > sold_before
            && data["sales_per_second"].as_f64().unwrap() > 0.0
    })
    .await;
    assert!(later["revenue"].as_i64().unwrap() > 0);
}
