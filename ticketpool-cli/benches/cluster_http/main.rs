//! The aggregate booking rate of `ticketpool serve` lease nodes over HTTP
//! (issue 18): one event sold out by 1 node and by 3 nodes (separate
//! `serve --lease-node` processes, the release binary, on one PostgreSQL),
//! the same buyers in both, spread round robin over the nodes, each
//! booking one ticket with a reserve and a confirm on a keep-alive
//! connection of its own. Criterion times the sell-out (its throughput is
//! bookings a second); after it the bench prints, for the same run, the
//! rate of 1 and 3 nodes, their ratio, and the CPU time per booking of
//! the nodes, of PostgreSQL and of the clients, read from /proc, with the
//! on-paper rate of N machines that follows from them.
//!
//! ```sh
//! cargo bench -p ticketpool-cli --bench cluster_http              # 4,000 tickets, 48 buyers
//! cargo bench -p ticketpool-cli --bench cluster_http -- --test    # once each, 200 tickets (CI)
//! ```
//!
//! Each sell-out is a fresh cluster on a fresh schema prefix (dropped
//! after): node 0 starts, creates the event and signs the customers up,
//! then the other nodes start (a lease node loads the catalog when it
//! starts). None of that is timed. Needs PostgreSQL (127.0.0.1:5432 or
//! `TICKETPOOL_PG_URL`); without it the bench says so and measures
//! nothing, unless `TICKETPOOL_PG_REQUIRED=1`. Every ticket must be sold
//! once the buyers hear sold out, or the bench fails. Figures go in
//! BENCHMARKS.md ("Scale-out through PostgreSQL").

mod buyers;
mod cpu;
// The lean HTTP/1.1 client of the server's load bench: the clients share
// the 2 cores with the nodes, so they must cost little.
#[path = "../../../ticketpool-server/benches/load/http.rs"]
mod http;
// The Jepsen harness's nodes and setup (tests/cluster/), and the server
// tests' PostgreSQL helpers: the same cluster, started the same way.
#[allow(dead_code)] // the harness's kill-and-restart parts
#[path = "../../tests/cluster/nodes.rs"]
mod nodes;
// (It allows its own unused parts.)
#[path = "../../../ticketpool-server/tests/support/pg.rs"]
mod pg;
mod report;
mod run;
#[allow(dead_code)] // the after-run view is the Jepsen check's
#[path = "../../tests/cluster/setup.rs"]
mod setup;

use std::collections::BTreeMap;
use std::time::Duration;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};

use run::{Sample, Shape};

/// The node counts compared.
const NODES: [usize; 2] = [1, 3];

fn shape(nodes: usize) -> Shape {
    // Criterion's test mode (`--test`, or no `--bench`: `cargo test
    // --benches`) runs each once: a small event keeps CI short.
    let args: Vec<String> = std::env::args().collect();
    let testing = args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench");
    Shape {
        nodes,
        tickets: if testing { 200 } else { 4_000 },
        buyers: if testing { 8 } else { 48 },
    }
}

fn bench(c: &mut Criterion) {
    if pg::schemas("tpbench", "probe").is_none() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let load_before = report::load_average();
    let mut samples: BTreeMap<usize, Vec<Sample>> = BTreeMap::new();
    let mut runs = 0_u64;
    let mut group = c.benchmark_group("cluster_http");
    group.sample_size(10);
    // Seconds a sample: one sell-out each, however long criterion would like.
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));
    for nodes in NODES {
        let shape = shape(nodes);
        group.throughput(Throughput::Elements(shape.tickets));
        group.bench_with_input(BenchmarkId::new("sell_out", nodes), &shape, |b, &shape| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    runs += 1;
                    let sample = runtime
                        .block_on(run::sell_out(shape, runs))
                        .unwrap_or_else(|e| panic!("{} node(s): {e}", shape.nodes));
                    total += sample.took.selling;
                    samples.entry(shape.nodes).or_default().push(sample);
                }
                total
            });
        });
    }
    group.finish();
    report::print(&samples, shape(1), load_before, report::load_average());
}

criterion_group!(benches, bench);
criterion_main!(benches);
