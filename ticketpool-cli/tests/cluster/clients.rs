//! The clients: each books as one customer, over and over, on a random
//! live node, the way the real API is used: reserve (`POST
//! /api/events/{id}/holds`) then confirm (`POST /api/holds/{id}/confirm`),
//! each with its own `Idempotency-Key`. A confirm that got no answer is
//! retried once with the same key on the same node. Every request is
//! recorded: ok on 2xx, fail on a refusal or a request never sent,
//! unknown on no answer or a 5xx.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::watch;

use super::history::{History, Kind, Outcome, Record};
use super::setup::Customer;

/// The live nodes' base URLs, by node (`None` while a node is down).
pub type Live = watch::Receiver<Vec<Option<String>>>;

/// What every client books.
#[derive(Clone, Debug)]
pub struct Order {
    /// The event.
    pub event: u64,
    /// The ticket type.
    pub ticket_type: String,
    /// Each booking asks for 1 to this many tickets.
    pub max_quantity: u32,
}

/// A client's answer: a status and JSON body, or why there is none.
enum Reply {
    /// The node answered.
    Status(StatusCode, Value),
    /// The request never reached a node (connection refused).
    NotSent(String),
    /// Sent, but no answer came (timeout, connection reset).
    NoAnswer(String),
}

impl Reply {
    fn outcome(&self) -> Outcome {
        match self {
            Reply::Status(status, _) if status.is_success() => Outcome::Ok,
            Reply::Status(status, _) if status.is_server_error() => Outcome::Unknown,
            // A retry while the first try is still claimed (or was claimed
            // by a node that died running it): that one may have sold.
            Reply::Status(_, body) if body["error"]["code"] == "idempotency_key_in_progress" => {
                Outcome::Unknown
            }
            Reply::Status(..) | Reply::NotSent(_) => Outcome::Fail,
            Reply::NoAnswer(_) => Outcome::Unknown,
        }
    }

    fn detail(&self) -> String {
        match self {
            Reply::Status(status, body) => {
                let code = body["error"]["code"].as_str().unwrap_or("");
                format!("{} {code}", status.as_u16()).trim_end().to_owned()
            }
            Reply::NotSent(why) => format!("not sent: {why}"),
            Reply::NoAnswer(why) => format!("no answer: {why}"),
        }
    }
}

/// One client: books as `customer` until `stop` turns true.
pub struct Client {
    /// Its number in the history.
    pub id: usize,
    /// Who it books as.
    pub customer: Customer,
    /// What it books.
    pub order: Order,
    /// Its HTTP client (with the run's request timeout).
    pub http: reqwest::Client,
    /// Where it records.
    pub history: History,
    /// Booking ids, shared by all clients.
    pub next_booking: Arc<AtomicU64>,
    /// Its random choices (node, quantity).
    pub rng: fastrand::Rng,
}

impl Client {
    /// Books until `stop` says so.
    pub async fn run(mut self, mut live: Live, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            let Some((node, base)) = self.pick(&mut live, &mut stop).await else {
                return;
            };
            self.book(node, &base, &mut live, &mut stop).await;
        }
    }

    /// A random live node; waits while none is. `None` once stopped.
    async fn pick(
        &mut self,
        live: &mut Live,
        stop: &mut watch::Receiver<bool>,
    ) -> Option<(usize, String)> {
        loop {
            let up: Vec<(usize, String)> = live
                .borrow_and_update()
                .iter()
                .enumerate()
                .filter_map(|(i, base)| base.clone().map(|b| (i, b)))
                .collect();
            if !up.is_empty() {
                return Some(up[self.rng.usize(..up.len())].clone());
            }
            tokio::select! {
                changed = live.changed() => changed.ok()?,
                _ = stop.wait_for(|stopped| *stopped) => return None,
            }
        }
    }

    /// One booking on `node`: reserve, then confirm (retried once with
    /// the same key if no answer came).
    async fn book(
        &mut self,
        node: usize,
        base: &str,
        live: &mut Live,
        stop: &mut watch::Receiver<bool>,
    ) {
        let booking = self.next_booking.fetch_add(1, Ordering::Relaxed);
        let quantity = self.rng.u32(1..=self.order.max_quantity);
        let url = format!("{base}/api/events/{}/holds", self.order.event);
        let body = json!({"ticket_type": self.order.ticket_type, "quantity": quantity});
        let reserved = self.post(&url, &format!("b{booking}-reserve"), body).await;
        self.record(
            node,
            booking,
            Kind::Reserve,
            quantity,
            &reserved,
            Vec::new(),
        );
        let hold = match &reserved {
            Reply::Status(status, body) if status.is_success() => {
                body["id"].as_str().unwrap_or_default().to_owned()
            }
            _ => return,
        };
        let key = format!("b{booking}-confirm");
        let path = format!("/api/holds/{hold}/confirm");
        let mut answer = self.confirm(base, &path, &key).await;
        self.record_confirm(node, booking, quantity, &answer);
        if answer.outcome() != Outcome::Unknown {
            return;
        }
        // The same node, once it is up again (a new port after a restart).
        let Some(base) = wait_for_node(node, live, stop).await else {
            return;
        };
        answer = self.confirm(&base, &path, &key).await;
        self.record_confirm(node, booking, quantity, &answer);
    }

    async fn confirm(&self, base: &str, path: &str, key: &str) -> Reply {
        let body = json!({"payment_ref": key});
        self.post(&format!("{base}{path}"), key, body).await
    }

    fn record_confirm(&self, node: usize, booking: u64, quantity: u32, answer: &Reply) {
        let tickets = match answer {
            Reply::Status(status, body) if status.is_success() => body["tickets"]
                .as_array()
                .map(|tickets| {
                    tickets
                        .iter()
                        .filter_map(|t| t["ticket"].as_u64())
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        self.record(node, booking, Kind::Confirm, quantity, answer, tickets);
    }

    async fn post(&self, url: &str, key: &str, body: Value) -> Reply {
        let sent = self
            .http
            .post(url)
            .bearer_auth(&self.customer.token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status();
                match response.text().await {
                    Ok(text) => {
                        Reply::Status(status, serde_json::from_str(&text).unwrap_or_default())
                    }
                    Err(e) => Reply::NoAnswer(e.to_string()),
                }
            }
            Err(e) if e.is_connect() => Reply::NotSent(e.to_string()),
            Err(e) => Reply::NoAnswer(e.to_string()),
        }
    }

    fn record(
        &self,
        node: usize,
        booking: u64,
        kind: Kind,
        quantity: u32,
        answer: &Reply,
        tickets: Vec<u64>,
    ) {
        self.history.push(Record {
            at_ms: 0,
            client: Some(self.id),
            node,
            booking: Some(booking),
            kind,
            outcome: answer.outcome(),
            customer: self.customer.name.clone(),
            quantity,
            tickets,
            detail: answer.detail(),
        });
    }
}

/// `node`'s base URL once it is up; `None` if the run stops first.
async fn wait_for_node(
    node: usize,
    live: &mut Live,
    stop: &mut watch::Receiver<bool>,
) -> Option<String> {
    loop {
        if let Some(Some(base)) = live.borrow_and_update().get(node) {
            return Some(base.clone());
        }
        tokio::select! {
            changed = live.changed() => changed.ok()?,
            _ = stop.wait_for(|stopped| *stopped) => return None,
        }
    }
}

/// An HTTP client whose requests give up after `timeout` (then unknown).
pub fn http(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .expect("an HTTP client")
}
