//! CPU time from /proc: each `serve` node's (utime + stime of its pid),
//! PostgreSQL's (the nodes' own backends, found by the bench's
//! `application_name`, and the server's shared background processes), the
//! bench's own (its clients) and the whole machine's, read before and
//! after a timed sell-out. Linux only; elsewhere every figure reads 0.

use std::collections::HashMap;

use crate::pg;

/// Clock ticks a second (`getconf CLK_TCK`; 100 on Linux if it fails).
pub fn ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100)
}

/// utime + stime of `pid` in ticks (`self` for this process).
fn process_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: the fields start after its ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // utime and stime are fields 14 and 15; the state (field 3) is fields[0].
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// The machine's busy ticks over all cores (all but idle and iowait).
fn machine_busy_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().next() else {
        return 0;
    };
    let numbers: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|n| n.parse().ok())
        .collect();
    let idle = numbers.get(3).copied().unwrap_or(0) + numbers.get(4).copied().unwrap_or(0);
    numbers.iter().sum::<u64>().saturating_sub(idle)
}

/// PostgreSQL's processes by kind: the backends whose `application_name`
/// is the bench's (the nodes' connections), and the shared ones (WAL
/// writer, checkpointer, background writer, autovacuum), busy for
/// whatever else the server serves too.
fn pg_processes(application: &str) -> (Vec<u32>, Vec<u32>) {
    let application = application.to_owned();
    pg::with_client(move |client| {
        let rows = client
            .query(
                "SELECT pid, coalesce(backend_type, '') = 'client backend', \
                        coalesce(application_name, '') = $1 \
                 FROM pg_stat_activity",
                &[&application],
            )
            .unwrap_or_default();
        let (mut ours, mut shared) = (Vec::new(), Vec::new());
        for row in rows {
            let pid: i32 = row.get(0);
            match (row.get::<_, bool>(1), row.get::<_, bool>(2)) {
                (true, true) => ours.push(pid as u32),
                (false, _) => shared.push(pid as u32),
                (true, false) => {}
            }
        }
        (ours, shared)
    })
    .unwrap_or_default()
}

/// CPU ticks at one instant.
pub struct Snapshot {
    nodes: Vec<u64>,
    pg_ours: HashMap<u32, u64>,
    pg_shared: HashMap<u32, u64>,
    client: u64,
    machine: u64,
}

/// Reads the nodes' (`pids`), PostgreSQL's, this process's and the
/// machine's CPU ticks now.
pub fn snapshot(pids: &[u32], application: &str) -> Snapshot {
    let (ours, shared) = pg_processes(application);
    let ticks = |pids: Vec<u32>| -> HashMap<u32, u64> {
        pids.into_iter()
            .filter_map(|pid| Some((pid, process_ticks(&pid.to_string())?)))
            .collect()
    };
    Snapshot {
        nodes: pids
            .iter()
            .map(|pid| process_ticks(&pid.to_string()).unwrap_or(0))
            .collect(),
        pg_ours: ticks(ours),
        pg_shared: ticks(shared),
        client: process_ticks("self").unwrap_or(0),
        machine: machine_busy_ticks(),
    }
}

/// CPU ticks spent between two snapshots.
#[derive(Clone, Copy, Debug, Default)]
pub struct Spent {
    /// By the `serve` nodes, together.
    pub nodes: u64,
    /// By the nodes' PostgreSQL backends.
    pub pg_ours: u64,
    /// By PostgreSQL's shared processes.
    pub pg_shared: u64,
    /// By this process (the clients).
    pub client: u64,
    /// By the whole machine.
    pub machine: u64,
}

impl Spent {
    /// Ticks spent from `before` to `after`; a backend first seen after
    /// (a connection opened during the run) counts whole.
    pub fn between(before: &Snapshot, after: &Snapshot) -> Self {
        let grown = |then: &HashMap<u32, u64>, now: &HashMap<u32, u64>| -> u64 {
            now.iter()
                .map(|(pid, ticks)| ticks.saturating_sub(then.get(pid).copied().unwrap_or(0)))
                .sum()
        };
        Self {
            nodes: after
                .nodes
                .iter()
                .zip(&before.nodes)
                .map(|(now, then)| now.saturating_sub(*then))
                .sum(),
            pg_ours: grown(&before.pg_ours, &after.pg_ours),
            pg_shared: grown(&before.pg_shared, &after.pg_shared),
            client: after.client.saturating_sub(before.client),
            machine: after.machine.saturating_sub(before.machine),
        }
    }

    /// The sum of two.
    pub fn add(self, other: Self) -> Self {
        Self {
            nodes: self.nodes + other.nodes,
            pg_ours: self.pg_ours + other.pg_ours,
            pg_shared: self.pg_shared + other.pg_shared,
            client: self.client + other.client,
            machine: self.machine + other.machine,
        }
    }
}
