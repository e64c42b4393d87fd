//! The buyers: one keep-alive connection each, to node `i % nodes`
//! (round robin), booking one ticket at a time as its own customer the
//! way the API is used, reserve (`POST /api/events/{id}/holds`) then
//! confirm (`POST /api/holds/{id}/confirm`), until the event is sold out.
//! The clock runs from the moment every buyer is connected to the last
//! confirm (the booking rate); how long until every buyer heard sold out
//! (the nodes learn it from their next lease attempt) is kept apart.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Barrier;

use crate::http::{Connection, Response};
use crate::setup::Customer;

/// The first wait before asking again when the node's office is empty
/// for a moment (its next lease is on the way: 409 `none_available`),
/// doubled while it stays empty (near sell-out, until the node learns it)
/// up to [`MAX_RETRY`], so waiting buyers cost the nodes little CPU.
const RETRY: Duration = Duration::from_millis(1);

/// The longest wait between two tries.
const MAX_RETRY: Duration = Duration::from_millis(8);

/// What the buyers did.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    /// Tickets confirmed.
    pub sold: u64,
    /// Reserves answered `none_available` (asked again after a wait).
    pub retries: u64,
    /// When the last confirm was answered.
    pub last_sale: Option<Instant>,
}

/// How long the buyers took.
#[derive(Clone, Copy, Debug, Default)]
pub struct Took {
    /// From the start to the last confirm.
    pub selling: Duration,
    /// From the start to the last buyer hearing sold out.
    pub all_told: Duration,
}

/// Sells `event` out through `nodes`, one buyer per customer; how long
/// it took from every buyer connected, and the tally. An unexpected
/// answer is an error.
pub async fn sell_out(
    nodes: &[SocketAddr],
    event: u64,
    customers: Vec<Customer>,
) -> Result<(Took, Tally), String> {
    let start = Arc::new(Barrier::new(customers.len() + 1));
    let buyers: Vec<_> = customers
        .into_iter()
        .enumerate()
        .map(|(i, customer)| {
            let mut connection = Connection::new(nodes[i % nodes.len()]);
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                let connected = connection.connect().await;
                start.wait().await;
                connected.map_err(|e| format!("buyer {i}: cannot connect: {e}"))?;
                buy_until_sold_out(&mut connection, event, &customer.token)
                    .await
                    .map_err(|e| format!("buyer {i} ({}): {e}", customer.name))
            })
        })
        .collect();
    start.wait().await;
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut failure = None;
    for buyer in buyers {
        match buyer.await.map_err(|e| format!("a buyer panicked: {e}"))? {
            Ok(one) => {
                tally.sold += one.sold;
                tally.retries += one.retries;
                tally.last_sale = tally.last_sale.max(one.last_sale);
            }
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    let took = Took {
        selling: tally
            .last_sale
            .map_or(Duration::ZERO, |last| last - started),
        all_told: started.elapsed(),
    };
    failure.map_or(Ok((took, tally)), Err)
}

async fn buy_until_sold_out(
    connection: &mut Connection,
    event: u64,
    token: &str,
) -> Result<Tally, String> {
    let reserve = format!("/api/events/{event}/holds");
    let mut tally = Tally::default();
    let mut wait = RETRY;
    loop {
        let held = post(
            connection,
            &reserve,
            token,
            br#"{"ticket_type":"general","quantity":1}"#,
        )
        .await?;
        if held.status == 409 {
            match code(&held) {
                "sold_out" | "closed" => return Ok(tally),
                "none_available" => {
                    tally.retries += 1;
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(MAX_RETRY);
                    continue;
                }
                _ => return Err(answer("reserve", &held)),
            }
        }
        let hold = json(&held)
            .filter(|_| held.status == 201)
            .and_then(|body| body["id"].as_str().map(str::to_owned))
            .ok_or_else(|| answer("reserve", &held))?;
        let confirmed = post(
            connection,
            &format!("/api/holds/{hold}/confirm"),
            token,
            br#"{"payment_ref":"bench"}"#,
        )
        .await?;
        let tickets = json(&confirmed)
            .filter(|_| confirmed.status == 200)
            .and_then(|body| body["tickets"].as_array().map(Vec::len))
            .ok_or_else(|| answer("confirm", &confirmed))?;
        tally.sold += tickets as u64;
        tally.last_sale = Some(Instant::now());
        wait = RETRY;
    }
}

async fn post(
    connection: &mut Connection,
    path: &str,
    token: &str,
    body: &[u8],
) -> Result<Response, String> {
    connection
        .request("POST", path, Some(token), Some(body))
        .await
        .map_err(|e| format!("POST {path}: {e}"))
}

fn json(response: &Response) -> Option<Value> {
    serde_json::from_slice(&response.body).ok()
}

fn code(response: &Response) -> &str {
    // The error's code without parsing the whole body: `"code":"..."`.
    let body = std::str::from_utf8(&response.body).unwrap_or("");
    body.split_once(r#""code":""#)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or("", |(code, _)| code)
}

fn answer(what: &str, response: &Response) -> String {
    format!(
        "unexpected {what} answer {}: {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    )
}
