//! `/healthz` and `/metrics`.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::{data_dir, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_metrics_report_requests_sales_and_holds() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let health = server.get("/healthz", None).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "ok");

    let event = server.event_on_sale(5, 5).await;
    let ann = server.sign_up("ann").await;
    let hold = server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await;
    server
        .confirm(&ann, hold.body["id"].as_str().unwrap(), None)
        .await;
    server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await;
    server.get("/api/nothing", None).await;

    let response = server
        .client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = response.text().await.unwrap();
    for line in [
        "ticketpool_http_requests_total{route=\"/api/holds/{id}/confirm\",method=\"POST\",status=\"200\"} 1",
        "ticketpool_http_requests_total{route=\"/api/events/{id}/holds\",method=\"POST\",status=\"201\"} 2",
        "ticketpool_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1",
        &format!("ticketpool_tickets_sold_total{{event=\"{event}\"}} 1"),
        &format!("ticketpool_tickets_held{{event=\"{event}\"}} 1"),
        "ticketpool_open_holds 1",
        "ticketpool_customers 1",
        "# TYPE ticketpool_http_request_duration_seconds histogram",
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
    }
    assert!(text.contains("ticketpool_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_and_search_show_events_on_sale_not_drafts() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(5, 5).await;
    let listed = server.get("/api/events", None).await;
    assert_eq!(listed.body["events"][0]["id"], event);
    assert_eq!(listed.body["events"][0]["venue"]["city"], "Paris");
    let popular = server.get("/api/events?view=popular", None).await;
    assert_eq!(popular.status, StatusCode::OK, "{}", popular.body);

    let shown = server.get(&format!("/api/events/{event}"), None).await;
    assert_eq!(shown.body["ticket_types"][0]["name"], "general");
    assert_eq!(shown.body["ticket_types"][0]["price"], "20.00");
    assert_eq!(shown.body["ticket_types"][0]["available"], 5);
    assert_eq!(shown.body["purchase_limit"], 5);

    // Misspelt, filtered, paged.
    let found = server
        .get(
            "/api/search?q=olympya&city=paris&on_sale=true&from=2030-07-14&to=2030-07-14",
            None,
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(found.body["events"][0]["id"], event);
    let none = server.get("/api/search?q=jazz&city=london", None).await;
    assert!(none.body["events"].as_array().unwrap().is_empty());
    let later = server.get("/api/search?q=jazz&from=2031-01-01", None).await;
    assert!(later.body["events"].as_array().unwrap().is_empty());
    server.stop().await;
}
