//! A service on its own port and data directory, and a client for it.
#![allow(dead_code)] // each test file uses a part

pub mod lease;
pub mod pg;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;
use ticketpool_server::{RateLimit, Server, ServerConfig, ServerError};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The admin token the tests configure.
pub const ADMIN: &str = "test-admin-token-0123456789";

/// How long a wait for the service may take on a loaded machine.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// The pause between two polls of a state that changes in the background.
pub const POLL: Duration = Duration::from_millis(5);

/// A running service.
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub data: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), ServerError>>>,
}

/// A response: status and JSON body (`Null` if none or not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// The error code, for error answers.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// Asserts the JSON error shape, status and code.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.code(), code, "body: {}", self.body);
        let message = self.body["error"]["message"].as_str().unwrap_or("");
        assert!(!message.is_empty(), "no message in {}", self.body);
    }
}

impl TestServer {
    /// A service on port 0 with data in `data`, without rate limits (the
    /// tests poll fast from one address; the limits have a test of their own).
    pub async fn start_in(data: &Path) -> Self {
        Self::start_with(data, |_| {}).await
    }

    /// As [`start_in`](Self::start_in), each caller held to `limit`.
    pub async fn start_limited(data: &Path, limit: Option<RateLimit>) -> Self {
        Self::start_with(data, |config| config.rate_limit = limit).await
    }

    /// As [`start_in`](Self::start_in), with waiting places kept `grace`
    /// for a customer who does not come back.
    pub async fn start_with_grace(data: &Path, grace: Duration) -> Self {
        Self::start_with(data, |config| config.waiting_grace = grace).await
    }

    /// A service on port 0 with data in `data`, no rate limit, and what
    /// `adjust` changes.
    pub async fn start_with(data: &Path, adjust: impl FnOnce(&mut ServerConfig)) -> Self {
        let mut config = ServerConfig::new(data);
        config.addr = "127.0.0.1:0".parse().unwrap();
        config.admin_token = Some(ADMIN.to_owned());
        config.rate_limit = None;
        adjust(&mut config);
        let server = Server::bind(config).await.expect("bind");
        let base = format!("http://{}", server.local_addr());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run_until(async move {
            let _ = stopped.await;
        }));
        Self {
            base,
            client: reqwest::Client::new(),
            data: data.to_path_buf(),
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops it gracefully and waits until it has.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server run");
        }
    }

    /// Any request; `body` is sent as JSON.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// Signs `name` up; its token.
    pub async fn sign_up(&self, name: &str) -> String {
        let answer = self.post("/api/signup", None, json!({"name": name})).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body["token"].as_str().unwrap().to_owned()
    }

    /// A venue, and an event there of `total` "general" tickets at 20.00
    /// (purchase limit `limit`), put on sale and stocked; its id.
    pub async fn event_on_sale(&self, total: u64, limit: u32) -> u64 {
        self.event_with_holds_of(total, limit, 600_000).await
    }

    /// As [`event_on_sale`](Self::event_on_sale), with holds lasting
    /// `hold_ms` milliseconds.
    pub async fn event_with_holds_of(&self, total: u64, limit: u32, hold_ms: u64) -> u64 {
        let id = self.put_event_on_sale(total, limit, hold_ms).await;
        self.wait_available(id, total).await;
        id
    }

    /// As [`event_with_holds_of`](Self::event_with_holds_of), without
    /// waiting for its tickets to be released.
    pub async fn put_event_on_sale(&self, total: u64, limit: u32, hold_ms: u64) -> u64 {
        let venue = self
            .post(
                "/api/admin/venues",
                Some(ADMIN),
                json!({"name": "Olympia", "city": "Paris", "capacity": 5000}),
            )
            .await;
        assert_eq!(venue.status, StatusCode::CREATED, "{}", venue.body);
        let event = self
            .post(
                "/api/admin/events",
                Some(ADMIN),
                json!({
                    "name": "Jazz at the Olympia",
                    "venue": venue.body["id"],
                    "starts_at": "2030-07-14T19:00:00Z",
                    "time_zone": "Europe/Paris",
                    "categories": ["jazz"],
                    "office": {
                        "event_name": "jazz",
                        "total_tickets": total,
                        "max_capacity": total,
                        "hold_ttl_ms": hold_ms,
                        "purchase_limit": limit,
                        "ticket_types": [{"name": "general", "price": "20.00"}],
                    },
                }),
            )
            .await;
        assert_eq!(event.status, StatusCode::CREATED, "{}", event.body);
        let id = event.body["id"].as_u64().unwrap();
        let on_sale = self
            .post(
                &format!("/api/admin/events/{id}/on-sale"),
                Some(ADMIN),
                json!({}),
            )
            .await;
        assert_eq!(on_sale.status, StatusCode::OK, "{}", on_sale.body);
        id
    }

    /// Waits (polling the event page, with a deadline) until `n` tickets
    /// are on sale: the house vendor releases them in the background. The
    /// poll pauses between pages: a poller that only yielded kept the
    /// server busy enough to starve the vendor thread on a loaded machine
    /// ("never 40 available" after 30 s, once).
    pub async fn wait_available(&self, id: u64, n: u64) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let event = self.get(&format!("/api/events/{id}"), None).await;
            let available = event.body["availability"]["available"].as_u64();
            if available >= Some(n) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "never {n} available: {}",
                event.body
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Reserves; the answer.
    pub async fn reserve(&self, token: &str, event: u64, body: Value, key: Option<&str>) -> Answer {
        let mut request = self
            .client
            .post(format!("{}/api/events/{event}/holds", self.base))
            .bearer_auth(token)
            .json(&body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        answer(request.send().await.expect("request")).await
    }

    /// Confirms; the answer.
    pub async fn confirm(&self, token: &str, hold: &str, key: Option<&str>) -> Answer {
        let mut request = self
            .client
            .post(format!("{}/api/holds/{hold}/confirm", self.base))
            .bearer_auth(token)
            .json(&json!({"payment_ref": "pay-1"}));
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        answer(request.send().await.expect("request")).await
    }

    /// The customer's tickets, newest first.
    pub async fn my_tickets(&self, token: &str) -> Vec<Value> {
        let answer = self.get("/api/me/tickets", Some(token)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body["tickets"].as_array().unwrap().clone()
    }

    /// Tickets sold for `event`, as the engine counts them.
    pub async fn sold(&self, event: u64) -> u64 {
        let answer = self.get(&format!("/api/events/{event}"), None).await;
        answer.body["availability"]["sold"].as_u64().unwrap()
    }
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// A fresh data directory.
pub fn data_dir() -> TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// An open Server-Sent Events stream, read message by message.
pub struct Sse {
    response: reqwest::Response,
    buffer: String,
    /// Every message read so far: (event name, JSON data).
    pub seen: Vec<(String, Value)>,
}

impl TestServer {
    /// Opens the SSE stream at `path`; panics unless it is one.
    pub async fn live(&self, path: &str, token: Option<&str>) -> Sse {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let kind = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        assert!(kind.starts_with("text/event-stream"), "{path}: {kind}");
        Sse {
            response,
            buffer: String::new(),
            seen: Vec::new(),
        }
    }

    /// Opens the customer's live stream, past its first `holds` message.
    pub async fn my_live(&self, token: &str) -> Sse {
        let mut live = self.live("/api/me/live", Some(token)).await;
        let (first, _) = live.next().await.unwrap();
        assert_eq!(first, "holds");
        live
    }

    /// Cancels `hold` as its owner; panics unless the service agrees.
    pub async fn cancel_hold(&self, token: &str, hold: &str) {
        let path = format!("/api/holds/{hold}");
        let cancelled = self.call(Method::DELETE, &path, Some(token), None).await;
        assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    }

    /// The `ticketpool_waiting_buyers` gauges: (vip, regular).
    pub async fn waiting_metrics(&self) -> (u64, u64) {
        let url = format!("{}/metrics", self.base);
        let text = self
            .client
            .get(url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let gauge = |priority: &str| {
            let name = format!("ticketpool_waiting_buyers{{priority=\"{priority}\"}} ");
            text.lines()
                .find_map(|l| l.strip_prefix(&name))
                .unwrap_or_else(|| panic!("no {name} in {text}"))
                .parse()
                .unwrap()
        };
        (gauge("vip"), gauge("regular"))
    }
}

impl Sse {
    /// The next message (keep-alive comments skipped); `None` once the
    /// stream has ended. Panics at `deadline`.
    pub async fn next_before(&mut self, deadline: Instant) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut name, mut data) = (String::from("message"), Vec::new());
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        name = value.trim_start().to_owned();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push(value.strip_prefix(' ').unwrap_or(value).to_owned());
                    }
                }
                if data.is_empty() {
                    continue; // a comment: keep-alive
                }
                let data = data.join("\n");
                let value = serde_json::from_str(&data)
                    .unwrap_or_else(|e| panic!("{name} data is not JSON ({e}): {data}"));
                self.seen.push((name.clone(), value));
                return self.seen.last().cloned();
            }
            let chunk = tokio::time::timeout_at(deadline.into(), self.response.chunk())
                .await
                .unwrap_or_else(|_| panic!("no complete message in time; seen {:?}", self.seen))
                .expect("reading the stream");
            match chunk {
                Some(bytes) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                None => return None,
            }
        }
    }

    /// The next message, waiting as long as a loaded machine may need.
    pub async fn next(&mut self) -> Option<(String, Value)> {
        self.next_before(Instant::now() + PATIENCE).await
    }

    /// Reads until a message named `name` whose data passes `check`
    /// arrives; it. Panics if the stream ends or time runs out first.
    pub async fn wait_for(&mut self, name: &str, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.next_before(deadline).await {
                Some((got, data)) if got == name && check(&data) => return data,
                Some(_) => {}
                None => panic!("the stream ended before {name}; seen {:?}", self.seen),
            }
        }
    }

    /// Waits until the stream ends; panics if it has not by `deadline`.
    pub async fn wait_end(&mut self, deadline: Instant) {
        while self.next_before(deadline).await.is_some() {}
    }
}

/// The labels of the seats a seat hold's answer names (`seats`).
pub fn labels(hold: &Value) -> Vec<String> {
    hold["seats"]
        .as_array()
        .unwrap_or_else(|| panic!("no seats in {hold}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// The seat map the seat tests use: 29 seats in rows A-C of "Stalls"
/// (row A "front" at 50.00, rows B-C "back" at 30.00; B-5 a gap; C-1
/// accessible with companion C-2).
pub fn small_seat_map() -> Value {
    json!({
        "name": "Little Hall",
        "tiers": {"front": 5000, "back": 3000},
        "sections": [{
            "name": "Stalls",
            "tier": "back",
            "rows": "A-C",
            "seats": "1-10",
            "row_tiers": {"A": "front"},
            "skip": ["B-5"],
            "accessible": ["C-1"],
            "companion": ["C-2"],
        }],
    })
}

impl TestServer {
    /// A venue with [`small_seat_map`], and an event there (10 "general"
    /// tickets besides the seats, purchase limit `limit`, holds lasting
    /// `hold_ms`) put on sale; its id.
    pub async fn seated_event(&self, limit: u32, hold_ms: u64) -> u64 {
        let venue = self
            .post(
                "/api/admin/venues",
                Some(ADMIN),
                json!({"name": "Little Hall", "city": "Lyon", "capacity": 100}),
            )
            .await;
        assert_eq!(venue.status, StatusCode::CREATED, "{}", venue.body);
        let venue = venue.body["id"].as_u64().unwrap();
        let map = self
            .call(
                Method::PUT,
                &format!("/api/admin/venues/{venue}/seat-map"),
                Some(ADMIN),
                Some(small_seat_map()),
            )
            .await;
        assert_eq!(map.status, StatusCode::OK, "{}", map.body);
        let event = self
            .post(
                "/api/admin/events",
                Some(ADMIN),
                json!({
                    "name": "Chamber music",
                    "venue": venue,
                    "starts_at": "2030-07-14T19:00:00Z",
                    "time_zone": "Europe/Paris",
                    "categories": ["classical"],
                    "office": {
                        "event_name": "chamber",
                        "total_tickets": 10,
                        "max_capacity": 10,
                        "hold_ttl_ms": hold_ms,
                        "purchase_limit": limit,
                        "ticket_types": [{"name": "standing", "price": "10.00"}],
                    },
                }),
            )
            .await;
        assert_eq!(event.status, StatusCode::CREATED, "{}", event.body);
        let id = event.body["id"].as_u64().unwrap();
        let on_sale = self
            .post(
                &format!("/api/admin/events/{id}/on-sale"),
                Some(ADMIN),
                json!({}),
            )
            .await;
        assert_eq!(on_sale.status, StatusCode::OK, "{}", on_sale.body);
        id
    }

    /// Holds seats (`{"seats": [...]}` or `{"best": {...}}`); the answer.
    pub async fn reserve_seats(
        &self,
        token: &str,
        event: u64,
        body: Value,
        key: Option<&str>,
    ) -> Answer {
        let mut request = self
            .client
            .post(format!("{}/api/events/{event}/seat-holds", self.base))
            .bearer_auth(token)
            .json(&body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        answer(request.send().await.expect("request")).await
    }

    /// The seat map's version and each seat's state by label.
    pub async fn seat_states(
        &self,
        event: u64,
    ) -> (u64, std::collections::HashMap<String, String>) {
        let map = self.get(&format!("/api/events/{event}/seats"), None).await;
        assert_eq!(map.status, StatusCode::OK, "{}", map.body);
        let mut states = std::collections::HashMap::new();
        for section in map.body["sections"].as_array().unwrap() {
            for row in section["rows"].as_array().unwrap() {
                for seat in row["seats"].as_array().unwrap() {
                    states.insert(
                        seat["label"].as_str().unwrap().to_owned(),
                        seat["state"].as_str().unwrap().to_owned(),
                    );
                }
            }
        }
        (map.body["version"].as_u64().unwrap(), states)
    }
}
