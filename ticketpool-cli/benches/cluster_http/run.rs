//! One measured sell-out: a fresh cluster of `serve` lease nodes on a
//! fresh schema prefix (dropped after), node 0 started first to create
//! the event and sign the customers up (the others load both when they
//! start), then the buyers timed with the CPU read around them, then
//! every node killed. Setting up and tearing down are not timed.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::buyers::{self, Tally, Took};
use crate::cpu::{self, Spent};
use crate::nodes::{Node, NodeConfig, PATIENCE};
use crate::{pg, setup};

/// The admin token the nodes are given.
const ADMIN: &str = "cluster-bench-admin-token-0123456789";

/// Long enough that no hold of a buyer expires between its reserve and
/// its confirm, on a loaded machine.
const HOLD_MS: u64 = 60_000;

/// What one sell-out is.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// `serve --lease-node` processes.
    pub nodes: usize,
    /// The event's tickets.
    pub tickets: u64,
    /// Buyers, each its own customer and connection.
    pub buyers: usize,
}

/// What one sell-out measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    /// How long the buyers took.
    pub took: Took,
    /// What the buyers did.
    pub tally: Tally,
    /// CPU ticks spent from just before the buyers start to just after
    /// the last is told sold out.
    pub spent: Spent,
    /// That window's length.
    pub window: Duration,
}

/// The connection parameters with `application_name` set, so the nodes'
/// backends can be told from anyone else's in `pg_stat_activity`.
fn tagged(params: &str, application: &str) -> String {
    if params.contains("://") {
        let joint = if params.contains('?') { '&' } else { '?' };
        format!("{params}{joint}application_name={application}")
    } else {
        format!("{params} application_name={application}")
    }
}

/// Sells one event of `shape` out; `run` numbers the schema prefix. An
/// error if a node does not come up or the sale goes wrong (fewer than
/// every ticket sold, an unexpected answer).
pub async fn sell_out(shape: Shape, run: u64) -> Result<Sample, String> {
    let schemas =
        pg::schemas("tpbench", &format!("{}n{run}", shape.nodes)).ok_or("PostgreSQL went away")?;
    let prefix = schemas.0.clone();
    let dir = tempfile::Builder::new()
        .prefix("ticketpool-cluster-bench-")
        .tempdir()
        .map_err(|e| format!("a temp dir: {e}"))?;
    let config = NodeConfig {
        database: tagged(&pg::params(), &prefix),
        schema: prefix.clone(),
        admin_token: ADMIN.to_owned(),
        dir: dir.path().to_path_buf(),
        // Longer than any run: no lease expires while a node lives.
        lease_ttl: Some(Duration::from_secs(30)),
    };
    let mut nodes: Vec<Node> = (0..shape.nodes)
        .map(|i| Node::new(i, config.clone()))
        .collect();
    let outcome = measure(&mut nodes, shape, &prefix).await;
    for node in &mut nodes {
        node.kill().await;
    }
    // The schemas go before the temp dir (the nodes' logs, kept on an error).
    drop(schemas);
    if outcome.is_err() {
        let kept = dir.keep();
        eprintln!("cluster bench: the nodes' logs are in {}", kept.display());
    }
    outcome
}

async fn measure(nodes: &mut [Node], shape: Shape, application: &str) -> Result<Sample, String> {
    let http = reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .map_err(|e| format!("an HTTP client: {e}"))?;
    let first = nodes[0].start(&http).await.map_err(|e| e.to_string())?;
    // A lease node's office has only what it leased: one released is on sale.
    let event = setup::event_on_sale(&http, &first, ADMIN, shape.tickets, HOLD_MS, 1).await?;
    let customers = setup::sign_up(&http, &first, "buyer-", shape.buyers).await?;
    for node in &mut nodes[1..] {
        node.start(&http).await.map_err(|e| e.to_string())?;
    }
    let addrs = nodes
        .iter()
        .map(|node| {
            let base = node.base().ok_or("a node is down")?;
            base.trim_start_matches("http://")
                .parse::<SocketAddr>()
                .map_err(|e| format!("{base}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let pids: Vec<u32> = nodes.iter().filter_map(Node::pid).collect();
    let opened = Instant::now();
    let before = cpu::snapshot(&pids, application);
    let (took, tally) = buyers::sell_out(&addrs, event, customers).await?;
    let after = cpu::snapshot(&pids, application);
    let window = opened.elapsed();
    if tally.sold != shape.tickets {
        return Err(format!(
            "{} of {} tickets sold when every buyer heard sold out",
            tally.sold, shape.tickets
        ));
    }
    Ok(Sample {
        took,
        tally,
        spent: Spent::between(&before, &after),
        window,
    })
}
