//! A Jepsen-style set check of `ticketpool serve` nodes on PostgreSQL
//! (issue 18): nodes on loopback ports ([`nodes`]), customers booking
//! over HTTP ([`clients`]) while a nemesis kills a random node with
//! SIGKILL after a random number of operations and restarts it, every
//! operation recorded as ok, fail or unknown ([`history`]), then the
//! database checked against the history ([`checker`]). On an anomaly the
//! history is written as JSON lines into the run's directory, which is
//! kept, and its path printed.
//!
//! In lease mode ([`RunConfig::lease_ttl`]) every node is a
//! `--lease-node` and the check reads the shared `lease_tickets`
//! ([`lease_check`]).
#![allow(dead_code)] // each test binary uses a part

pub mod checker;
pub mod clients;
pub mod history;
pub mod lease_check;
pub mod nodes;
// The server tests' PostgreSQL helpers (params, a client off the async
// threads, a schema prefix dropped when done), shared rather than copied.
#[path = "../../../ticketpool-server/tests/support/pg.rs"]
pub mod pg;
pub mod setup;

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use checker::{check, DbState, NodeView, Verdict};
use clients::{Client, Order};
use history::{bookings, History, Kind, Outcome, Record};
use nodes::{Node, NodeConfig, PATIENCE};

/// The admin token the nodes are given.
const ADMIN: &str = "jepsen-admin-token-0123456789";

/// A run's shape.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// `serve` nodes on the one schema prefix.
    pub nodes: usize,
    /// Kill-and-restart cycles.
    pub cycles: usize,
    /// Concurrent clients, each its own customer.
    pub clients: usize,
    /// The event's tickets.
    pub tickets: u64,
    /// Each booking asks for 1 to this many.
    pub max_quantity: u32,
    /// How long a hold lasts.
    pub hold_ms: u64,
    /// Client operations between two kills: at least, at most.
    pub ops_between_kills: (u64, u64),
    /// A request without an answer after this is unknown.
    pub request_timeout: Duration,
    /// The nemesis's and the clients' random choices.
    pub seed: u64,
    /// Lease mode: every node a `--lease-node` with leases this long;
    /// `None`: the nodes sell from the journals.
    pub lease_ttl: Option<Duration>,
}

/// What a run did and what the check found.
#[derive(Debug)]
pub struct RunReport {
    /// The check's verdict.
    pub verdict: Verdict,
    /// Client operations, by kind and outcome: (reserve, confirm) x (ok, fail, unknown).
    pub ops: [[usize; 3]; 2],
    /// Kills done (each followed by a restart).
    pub kills: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Of which setting up (nodes started, event on sale, customers).
    pub setup: Duration,
    /// Where the history was written, if the check failed.
    pub history_file: Option<PathBuf>,
}

impl RunReport {
    /// One paragraph for a person.
    pub fn summary(&self, config: &RunConfig) -> String {
        let [r, c] = self.ops;
        let v = &self.verdict;
        format!(
            "jepsen set: {} node(s), {} kill cycles, {} clients, seed {}, {:.1} s \
             (setup {:.1} s)\n  \
             reserve ok/fail/unknown {}/{}/{}, confirm ok/fail/unknown {}/{}/{}\n  \
             bookings acknowledged {} ({} in part), failed {}, unknown {}; sold {} of {}\n  \
             anomalies: {} {:?}{}",
            config.nodes,
            self.kills,
            config.clients,
            config.seed,
            self.elapsed.as_secs_f64(),
            self.setup.as_secs_f64(),
            r[0],
            r[1],
            r[2],
            c[0],
            c[1],
            c[2],
            v.acknowledged,
            v.partial,
            v.failed,
            v.unknown,
            v.sold,
            config.tickets,
            v.anomalies.len(),
            v.anomalies
                .iter()
                .fold(std::collections::BTreeMap::new(), |mut kinds, a| {
                    *kinds.entry(a.kind()).or_insert(0) += 1;
                    kinds
                }),
            v.anomalies
                .iter()
                .take(20)
                .map(|a| format!("\n    {a}"))
                .collect::<String>(),
        )
    }
}

/// Runs the set workload: `None` if there is no PostgreSQL (the run is
/// skipped); an error if the cluster itself failed (a node that did not
/// come up, no progress), with the history written too.
pub async fn run_set(config: &RunConfig) -> Option<Result<RunReport, String>> {
    let schemas = pg::schemas("tpj", &format!("{}n", config.nodes))?;
    let dir = tempfile::Builder::new()
        .prefix("ticketpool-jepsen-")
        .tempdir()
        .expect("a temp dir");
    let history = History::new();
    let started = Instant::now();
    let outcome = Run::new(
        config,
        &schemas.0,
        dir.path().to_path_buf(),
        history.clone(),
    )
    .go()
    .await;
    let failed = !matches!(&outcome, Ok((verdict, _)) if verdict.anomalies.is_empty());
    let history_file = failed.then(|| {
        let kept = dir.keep();
        let file = kept.join("history.jsonl");
        if let Err(e) = history.write_jsonl(&file) {
            let _ = writeln!(
                std::io::stderr().lock(),
                "cannot write {}: {e}",
                file.display()
            );
        }
        let _ = writeln!(
            std::io::stderr().lock(),
            "jepsen set: history in {} (node logs beside it)",
            file.display()
        );
        file
    });
    let records = history.records();
    Some(outcome.map(|(verdict, done)| RunReport {
        verdict,
        ops: count_ops(&records),
        kills: done.kills,
        elapsed: started.elapsed(),
        setup: done.setup,
        history_file,
    }))
}

fn count_ops(records: &[Record]) -> [[usize; 3]; 2] {
    let mut ops = [[0; 3]; 2];
    for record in records {
        let kind = match record.kind {
            Kind::Reserve => 0,
            Kind::Confirm => 1,
            Kind::Kill | Kind::Restart => continue,
        };
        let outcome = match record.outcome {
            Outcome::Ok => 0,
            Outcome::Fail => 1,
            Outcome::Unknown => 2,
        };
        ops[kind][outcome] += 1;
    }
    ops
}

/// What a run did besides its verdict.
struct Done {
    kills: usize,
    setup: Duration,
}

/// One run in progress.
struct Run<'a> {
    config: &'a RunConfig,
    schema: String,
    history: History,
    http: reqwest::Client,
    nodes: Vec<Node>,
    rng: fastrand::Rng,
}

impl<'a> Run<'a> {
    fn new(config: &'a RunConfig, schema: &str, dir: PathBuf, history: History) -> Self {
        let node_config = NodeConfig {
            database: pg::params(),
            schema: schema.to_owned(),
            admin_token: ADMIN.to_owned(),
            dir,
            lease_ttl: config.lease_ttl,
        };
        Self {
            config,
            schema: schema.to_owned(),
            history,
            http: clients::http(PATIENCE),
            nodes: (0..config.nodes)
                .map(|i| Node::new(i, node_config.clone()))
                .collect(),
            rng: fastrand::Rng::with_seed(config.seed),
        }
    }

    /// Sets up, books under the nemesis, settles and checks; the verdict
    /// and what was done.
    async fn go(mut self) -> Result<(Verdict, Done), String> {
        let config = self.config;
        let started = Instant::now();
        // Node 0 alone creates the event and the customers: the others
        // load both when they start.
        let first = self.nodes[0]
            .start(&self.http)
            .await
            .map_err(|e| e.to_string())?;
        // A lease node's office has only what it leased.
        let released = if config.lease_ttl.is_some() {
            1
        } else {
            config.tickets
        };
        let event = setup::event_on_sale(
            &self.http,
            &first,
            ADMIN,
            config.tickets,
            config.hold_ms,
            released,
        )
        .await?;
        let customers = setup::sign_up(&self.http, &first, "jepsen-", config.clients).await?;
        for node in &mut self.nodes[1..] {
            node.start(&self.http).await.map_err(|e| e.to_string())?;
        }
        let setup = started.elapsed();
        let (live_tx, live) = watch::channel(self.bases());
        let (stop_tx, stop) = watch::channel(false);
        let next_booking = Arc::new(AtomicU64::new(1));
        let order = Order {
            event,
            ticket_type: "general".to_owned(),
            max_quantity: config.max_quantity,
        };
        let tasks: Vec<_> = customers
            .into_iter()
            .enumerate()
            .map(|(id, customer)| {
                let client = Client {
                    id,
                    customer,
                    order: order.clone(),
                    http: clients::http(config.request_timeout),
                    history: self.history.clone(),
                    next_booking: Arc::clone(&next_booking),
                    rng: fastrand::Rng::with_seed(self.rng.u64(..)),
                };
                tokio::spawn(client.run(live.clone(), stop.clone()))
            })
            .collect();
        let nemesis = self.nemesis(&live_tx).await;
        let _ = stop_tx.send(true);
        for task in tasks {
            task.await.map_err(|e| format!("a client panicked: {e}"))?;
        }
        let kills = nemesis?;
        let (views, db) = self.settled(event).await?;
        for node in &mut self.nodes {
            node.kill().await;
        }
        let verdict = check(&bookings(&self.history.records()), &db, &views);
        Ok((verdict, Done { kills, setup }))
    }

    /// The nodes' views once every hold expired, and the database. In
    /// lease mode a node may lease more between the two reads (its office
    /// ran low): read until the views are the same before and after.
    async fn settled(&self, event: u64) -> Result<(Vec<NodeView>, DbState), String> {
        let leasing = self.config.lease_ttl.is_some();
        let mut tries = 0;
        loop {
            let before = self.views(event).await?;
            let schema = self.schema.clone();
            let db = pg::with_client(move |client| match leasing {
                true => DbState::read_leased(client, &schema, event),
                false => DbState::read(client, &schema, event),
            })
            .ok_or("PostgreSQL went away")?
            .map_err(|e| format!("reading the sales: {e}"))?;
            if !leasing || tries == 20 || self.views(event).await? == before {
                return Ok((before, db));
            }
            tries += 1;
        }
    }

    async fn views(&self, event: u64) -> Result<Vec<NodeView>, String> {
        let mut views = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            let base = node.base().ok_or("a node is down after the run")?;
            let (available, held) =
                setup::settled_view(&self.http, node.index, base, event, self.config.hold_ms)
                    .await?;
            views.push(NodeView {
                node: node.index,
                available,
                held,
            });
        }
        Ok(views)
    }

    /// Each node's base URL, `None` while down.
    fn bases(&self) -> Vec<Option<String>> {
        self.nodes
            .iter()
            .map(|n| n.base().map(str::to_owned))
            .collect()
    }

    /// `cycles` times: after a random number of client operations, SIGKILL
    /// a random node and restart it. Then lets the clients run as many
    /// operations again, so the last restart serves too. The kills done.
    async fn nemesis(
        &mut self,
        live: &watch::Sender<Vec<Option<String>>>,
    ) -> Result<usize, String> {
        let (least, most) = self.config.ops_between_kills;
        let mut completed = self.history.completed();
        let mut target = 0;
        for cycle in 0..=self.config.cycles {
            target += self.rng.u64(least..=most);
            let progress = tokio::time::timeout(PATIENCE, completed.wait_for(|n| *n >= target));
            if !matches!(progress.await, Ok(Ok(_))) {
                return Err(format!(
                    "no client progress for {PATIENCE:?} in cycle {cycle}"
                ));
            }
            if cycle == self.config.cycles {
                return Ok(cycle);
            }
            let index = self.rng.usize(..self.nodes.len());
            let node = &mut self.nodes[index];
            live.send_modify(|bases| bases[index] = None);
            node.kill().await;
            self.history.push(nemesis_record(index, Kind::Kill));
            node.start(&self.http).await.map_err(|e| e.to_string())?;
            self.history.push(nemesis_record(index, Kind::Restart));
            live.send_modify(|bases| bases[index] = node.base().map(str::to_owned));
        }
        Ok(self.config.cycles)
    }
}

fn nemesis_record(node: usize, kind: Kind) -> Record {
    Record {
        at_ms: 0,
        client: None,
        node,
        booking: None,
        kind,
        outcome: Outcome::Ok,
        customer: String::new(),
        quantity: 0,
        tickets: Vec::new(),
        detail: String::new(),
    }
}
