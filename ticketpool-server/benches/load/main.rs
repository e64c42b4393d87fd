//! The booking service under load, on loopback: many customers' reserve
//! and confirm pairs, then the event page, then a peer (a static asset
//! through the same HTTP stack, touching no state: the stack's ceiling in
//! this run), from many connections at once; then the journal is checked
//! against what was acknowledged.
//!
//! ```sh
//! cargo bench -p ticketpool-server --bench load                    # 1,000 connections, 10 s a phase
//! cargo bench -p ticketpool-server --bench load -- --connections 200 --seconds 5
//! cargo bench -p ticketpool-server --bench load -- --rate 20000     # pairs offered at 20,000/s (open loop)
//! cargo bench -p ticketpool-server --bench load -- --test          # a short run (CI)
//! ```
//!
//! The service runs in this process on a runtime of its own (2 worker
//! threads, the machine's cores), with a SQLite store, `Batched`
//! durability and no rate limit; the clients run on another runtime, each
//! connection a keep-alive HTTP/1.1 loop of its own (`http.rs`, a lean
//! client: reqwest took about 40% of the CPU). On a 2-core machine both
//! share the cores, as `oha` or `wrk` on the same machine would: the
//! figures are the service's and its clients' together.
//!
//! After the run the service stops cleanly, the data directory is opened
//! again and every acknowledged booking must be in the event's journal
//! with its customer, no ticket sold twice, and sold <= total. A mismatch
//! fails the bench (exit 1), whatever the speed; so does a phase with no
//! successes or over 1% failures.

mod http;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::Deserialize;
use serde_json::{json, Value};
use ticketpool_catalog::{CatalogOptions, EventId};
use ticketpool_persist::CatalogDir;
use ticketpool_server::{Durability, Server, ServerConfig};

use crate::http::Connection;

const ADMIN: &str = "load-bench-admin-token-0123456789";
const TOTAL_TICKETS: u64 = 10_000_000;

/// The peer: a static asset of about the event page's size, served by
/// the same router, middleware and runtime but touching no state. Its
/// rate is the HTTP stack's ceiling in this run.
const PEER_PATH: &str = "/assets/uPlot.LICENSE";

struct Options {
    connections: usize,
    customers: usize,
    seconds: f64,
    /// Reserve+confirm pairs a second offered in all (open loop), or
    /// `None`: each connection starts its next pair when the last ends.
    rate: Option<f64>,
}

fn options() -> Options {
    let mut options = Options {
        connections: 1000,
        customers: 1000,
        seconds: 10.0,
        rate: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--test") {
        options = Options {
            connections: 8,
            customers: 8,
            seconds: 0.5,
            rate: None,
        };
    }
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| *v > 0.0)
                .unwrap_or_else(|| panic!("{arg} needs a positive number"))
        };
        match arg.as_str() {
            "--connections" => options.connections = value() as usize,
            "--customers" => options.customers = value() as usize,
            "--seconds" => options.seconds = value(),
            "--rate" => options.rate = Some(value()),
            // cargo bench's own flags, and --test (handled above).
            _ => {}
        }
    }
    options
}

/// What one phase measured.
struct Phase {
    name: &'static str,
    done: u64,
    failed: u64,
    elapsed: Duration,
    latency: Histogram<u64>,
}

impl Phase {
    fn report(&self) {
        let rate = self.done as f64 / self.elapsed.as_secs_f64();
        let ms = |q: f64| self.latency.value_at_quantile(q) as f64 / 1000.0;
        println!(
            "{:<16} {:>10.0}/s  ({} ok, {} failed in {:.1} s)  latency p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
            self.name,
            rate,
            self.done,
            self.failed,
            self.elapsed.as_secs_f64(),
            ms(0.5),
            ms(0.99),
            self.latency.max() as f64 / 1000.0,
        );
    }
}

fn main() {
    let options = options();
    let data = tempfile::tempdir().expect("a temporary directory");
    let service = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("service")
        .enable_all()
        .build()
        .expect("the service's runtime");
    let mut config = ServerConfig::new(data.path());
    config.addr = "127.0.0.1:0".parse().expect("an address");
    config.admin_token = Some(ADMIN.to_owned());
    config.rate_limit = None;
    config.durability = Durability::Batched;
    let server = service
        .block_on(Server::bind(config))
        .expect("the service starts");
    let addr = server.local_addr();
    let base = format!("http://{addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = service.spawn(server.run_until(async move {
        let _ = stopped.await;
    }));

    let clients = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("client")
        .enable_all()
        .build()
        .expect("the clients' runtime");
    let (event, acknowledged, phases) = clients.block_on(drive(&base, addr, &options));
    for phase in &phases {
        phase.report();
    }
    if let [bookings, page, peer] = &phases[..] {
        let rate = |p: &Phase| p.done as f64 / p.elapsed.as_secs_f64();
        println!(
            "against the peer: event page {:.2}, reserve+confirm pairs {:.2} (requests {:.2})",
            rate(page) / rate(peer),
            rate(bookings) / rate(peer),
            2.0 * rate(bookings) / rate(peer),
        );
    }
    let idle: Vec<&str> = phases
        .iter()
        .filter(|p| p.done == 0 || p.failed > p.done / 100)
        .map(|p| p.name)
        .collect();

    let _ = stop.send(());
    service
        .block_on(serving)
        .expect("the service task")
        .expect("the service stops cleanly");
    drop(service);
    match check(data.path(), event, &acknowledged) {
        Ok(sold) => println!(
            "journal check: {} acknowledged bookings all present, {sold} sold, none twice",
            acknowledged.len()
        ),
        Err(problem) => {
            eprintln!("journal check FAILED: {problem}");
            std::process::exit(1);
        }
    }
    if !idle.is_empty() {
        eprintln!("phases with no successes or over 1% failures: {idle:?}");
        std::process::exit(1);
    }
}

/// What one connection's loop does, over and over.
#[derive(Clone)]
enum Work {
    /// A reserve and a confirm of one ticket, as `customer` with `token`.
    Book {
        event: u64,
        customer: Arc<str>,
        token: Arc<str>,
    },
    /// `GET path`.
    Get { path: Arc<str> },
}

/// What a loop acknowledged: tickets confirmed, with their customer.
type Acknowledged = Vec<(u64, Arc<str>)>;

/// Sets the event up, runs the phases; the event, the acknowledged
/// bookings (ticket -> customer) and the phases.
async fn drive(
    base: &str,
    addr: SocketAddr,
    options: &Options,
) -> (u64, HashMap<u64, String>, Vec<Phase>) {
    let client = reqwest::Client::new();
    let event = set_up_event(&client, base).await;
    let tokens = sign_up(&client, base, options.customers).await;
    // Offered at `--rate` if given: each connection starts a pair every
    // `connections / rate` seconds, on a schedule, whatever the answers.
    let every = options
        .rate
        .map(|rate| Duration::from_secs_f64(options.connections as f64 / rate));
    let (bookings, acknowledged) = run_phase("reserve+confirm", addr, options, every, |i| {
        let (customer, token) = &tokens[i % tokens.len()];
        Work::Book {
            event,
            customer: Arc::from(customer.as_str()),
            token: Arc::from(token.as_str()),
        }
    })
    .await;
    let page_path: Arc<str> = Arc::from(format!("/api/events/{event}"));
    let (page, _) = run_phase("event page", addr, options, None, |_| Work::Get {
        path: Arc::clone(&page_path),
    })
    .await;
    let peer_path: Arc<str> = Arc::from(PEER_PATH);
    let (peer, _) = run_phase("peer (asset)", addr, options, None, |_| Work::Get {
        path: Arc::clone(&peer_path),
    })
    .await;
    let acknowledged = acknowledged
        .into_iter()
        .map(|(ticket, customer)| (ticket, customer.to_string()))
        .collect();
    (event, acknowledged, vec![bookings, page, peer])
}

/// Runs `options.connections` loops, each on a connection of its own, of
/// `work(i)` for `options.seconds`: back to back, or each loop once
/// `every` (open loop; a latency counts from when the work was due, so a
/// late start is not hidden).
async fn run_phase(
    name: &'static str,
    addr: SocketAddr,
    options: &Options,
    every: Option<Duration>,
    work: impl Fn(usize) -> Work,
) -> (Phase, Acknowledged) {
    let stop = Arc::new(AtomicBool::new(false));
    // Every connection is open before the clock starts: a thousand
    // connects at once overflow the listen backlog, and the SYN retried a
    // second later would count as a request's latency.
    let connections = options.connections;
    let ready = Arc::new(tokio::sync::Barrier::new(connections + 1));
    let mut loops = Vec::new();
    for i in 0..options.connections {
        let (work, stop, ready) = (work(i), Arc::clone(&stop), Arc::clone(&ready));
        loops.push(tokio::spawn(async move {
            let mut connection = Connection::new(addr);
            // A failure here is retried by the first request.
            let _ = connection.connect().await;
            ready.wait().await;
            // Spread over the first period, so the loops do not start in step.
            let mut due =
                every.map(|every| Instant::now() + every.mul_f64(i as f64 / connections as f64));
            let mut latency = Histogram::<u64>::new(3).expect("a histogram");
            let (mut done, mut failed) = (0u64, 0u64);
            let mut acknowledged = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let start = match (due.as_mut(), every) {
                    (Some(due), Some(every)) => {
                        tokio::time::sleep_until((*due).into()).await;
                        let start = *due;
                        *due += every;
                        start
                    }
                    _ => Instant::now(),
                };
                if once(&mut connection, &work, &mut acknowledged).await {
                    done += 1;
                    let micros = start.elapsed().as_micros();
                    let _ = latency.record(u64::try_from(micros).unwrap_or(u64::MAX));
                } else {
                    failed += 1;
                }
            }
            (done, failed, latency, acknowledged)
        }));
    }
    ready.wait().await;
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(options.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut phase = Phase {
        name,
        done: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        latency: Histogram::new(3).expect("a histogram"),
    };
    let mut all = Vec::new();
    for one in loops {
        let (done, failed, latency, acknowledged) = one.await.expect("a connection's loop");
        phase.done += done;
        phase.failed += failed;
        phase.latency.add(latency).expect("histograms add up");
        all.extend(acknowledged);
    }
    phase.elapsed = started.elapsed();
    (phase, all)
}

/// Does `work` once; `true` if every answer was a success.
async fn once(connection: &mut Connection, work: &Work, acknowledged: &mut Acknowledged) -> bool {
    match work {
        Work::Get { path } => matches!(
            connection.request("GET", path, None, None).await,
            Ok(response) if response.status == 200
        ),
        Work::Book {
            event,
            customer,
            token,
        } => match book(connection, *event, token).await {
            Some(tickets) => {
                acknowledged.extend(tickets.into_iter().map(|t| (t, Arc::clone(customer))));
                true
            }
            None => false,
        },
    }
}

#[derive(Deserialize)]
struct HoldAnswer {
    id: String,
}

#[derive(Deserialize)]
struct SaleAnswer {
    tickets: Vec<TicketAnswer>,
}

#[derive(Deserialize)]
struct TicketAnswer {
    ticket: u64,
}

/// One reserve and confirm; the tickets confirmed.
async fn book(connection: &mut Connection, event: u64, token: &str) -> Option<Vec<u64>> {
    let path = format!("/api/events/{event}/holds");
    let body = br#"{"ticket_type":"general","quantity":1}"#;
    let reserved = connection
        .request("POST", &path, Some(token), Some(body))
        .await
        .ok()?;
    if reserved.status != 201 {
        return None;
    }
    let hold: HoldAnswer = serde_json::from_slice(&reserved.body).ok()?;
    let path = format!("/api/holds/{}/confirm", hold.id);
    let body = br#"{"payment_ref":"load"}"#;
    let confirmed = connection
        .request("POST", &path, Some(token), Some(body))
        .await
        .ok()?;
    if confirmed.status != 200 {
        return None;
    }
    let sale: SaleAnswer = serde_json::from_slice(&confirmed.body).ok()?;
    Some(sale.tickets.into_iter().map(|t| t.ticket).collect())
}

async fn admin(client: &reqwest::Client, base: &str, path: &str, body: Value) -> Value {
    let response = client
        .post(format!("{base}{path}"))
        .bearer_auth(ADMIN)
        .json(&body)
        .send()
        .await
        .expect("an admin request");
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

/// A venue and an event of ten million tickets on sale, with room for
/// 100,000 at once; its id once the house vendor has stocked some.
async fn set_up_event(client: &reqwest::Client, base: &str) -> u64 {
    let venue = admin(
        client,
        base,
        "/api/admin/venues",
        json!({"name": "Stadium", "city": "Lyon", "capacity": TOTAL_TICKETS}),
    )
    .await;
    let event = admin(
        client,
        base,
        "/api/admin/events",
        json!({
            "name": "Load test", "venue": venue["id"], "starts_at": "2035-06-01T20:00:00Z",
            "office": {"event_name": "load", "total_tickets": TOTAL_TICKETS,
                       "max_capacity": 100_000, "hold_ttl_ms": 60_000,
                       "ticket_types": [{"name": "general", "price": "10.00"}]},
        }),
    )
    .await;
    let id = event["id"].as_u64().expect("an event id");
    admin(
        client,
        base,
        &format!("/api/admin/events/{id}/on-sale"),
        json!({}),
    )
    .await;
    loop {
        let page: Value = client
            .get(format!("{base}/api/events/{id}"))
            .send()
            .await
            .expect("the event page")
            .json()
            .await
            .expect("JSON");
        if page["availability"]["available"].as_u64() >= Some(10_000) {
            return id;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Signs up `n` customers; their names and tokens.
async fn sign_up(client: &reqwest::Client, base: &str, n: usize) -> Vec<(String, String)> {
    let mut tokens = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("fan{i}");
        let body: Value = client
            .post(format!("{base}/api/signup"))
            .json(&json!({"name": name}))
            .send()
            .await
            .expect("sign-up")
            .json()
            .await
            .expect("JSON");
        let token = body["token"].as_str().expect("a token").to_owned();
        tokens.push((name, token));
    }
    tokens
}

/// Opens the data directory again: every acknowledged ticket sold to its
/// customer, none twice, sold <= total. The number sold.
fn check(
    dir: &std::path::Path,
    event: u64,
    acknowledged: &HashMap<u64, String>,
) -> Result<usize, String> {
    let catalog = CatalogDir::new(dir)
        .open(CatalogOptions::default())
        .map_err(|e| format!("cannot reopen the data directory: {e}"))?;
    let office = catalog
        .office(EventId(event))
        .map_err(|e| format!("the event's office: {e}"))?;
    let sales = office.sales();
    let mut owners: HashMap<u64, &str> = HashMap::with_capacity(sales.len());
    for sale in &sales {
        if owners
            .insert(sale.ticket.id.0, sale.customer.as_ref())
            .is_some()
        {
            return Err(format!("ticket {} sold twice", sale.ticket.id.0));
        }
    }
    if sales.len() as u64 > TOTAL_TICKETS {
        return Err(format!("{} sold of {TOTAL_TICKETS}", sales.len()));
    }
    for (ticket, customer) in acknowledged {
        match owners.get(ticket) {
            Some(owner) if *owner == customer => {}
            Some(owner) => {
                return Err(format!(
                    "ticket {ticket} was confirmed to {customer} but the journal says {owner}"
                ))
            }
            None => return Err(format!("confirmed ticket {ticket} is not in the journal")),
        }
    }
    Ok(sales.len())
}
