//! The history of a run: every client operation (reserve, confirm) with
//! its outcome (ok, fail, or unknown when the answer never came), and the
//! nemesis's kills and restarts, in the order they completed. Written as
//! JSON lines when a check fails, so the run can be read afterwards.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use serde_json::{json, Value};
use tokio::sync::watch;

/// How an operation ended, as the client saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// A 2xx answer: it happened.
    Ok,
    /// A definite refusal (4xx), or a request that never reached the node
    /// (connection refused): it did not happen.
    Fail,
    /// No answer (timeout, connection reset) or a 5xx: it may have happened.
    Unknown,
}

impl Outcome {
    fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Fail => "fail",
            Outcome::Unknown => "unknown",
        }
    }
}

/// What an operation was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `POST /api/events/{id}/holds`.
    Reserve,
    /// `POST /api/holds/{id}/confirm` (a retry is another confirm).
    Confirm,
    /// The nemesis sent SIGKILL to a node.
    Kill,
    /// The nemesis restarted a node and it answered /healthz.
    Restart,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Reserve => "reserve",
            Kind::Confirm => "confirm",
            Kind::Kill => "kill",
            Kind::Restart => "restart",
        }
    }
}

/// One completed operation.
#[derive(Clone, Debug)]
pub struct Record {
    /// Milliseconds since the run started, at completion.
    pub at_ms: u64,
    /// The client that ran it (`None` for the nemesis).
    pub client: Option<usize>,
    /// The node it went to.
    pub node: usize,
    /// The booking (reserve + confirm) it belongs to, for client operations.
    pub booking: Option<u64>,
    /// What it was.
    pub kind: Kind,
    /// How it ended.
    pub outcome: Outcome,
    /// The customer booking (empty for the nemesis).
    pub customer: String,
    /// Tickets asked for.
    pub quantity: u32,
    /// The ticket ids an ok confirm answered.
    pub tickets: Vec<u64>,
    /// The status and error code, or the transport error, for reading.
    pub detail: String,
}

impl Record {
    fn to_json(&self) -> Value {
        json!({
            "at_ms": self.at_ms,
            "client": self.client,
            "node": self.node,
            "booking": self.booking,
            "op": self.kind.name(),
            "outcome": self.outcome.name(),
            "customer": self.customer,
            "quantity": self.quantity,
            "tickets": self.tickets,
            "detail": self.detail,
        })
    }
}

/// A booking as the history tells it: the customer, how many tickets, and
/// how its confirms ended (ok if any was; else unknown if any was).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    /// The booking's id in the history.
    pub id: u64,
    /// Who booked.
    pub customer: String,
    /// Tickets asked for.
    pub quantity: u32,
    /// Its confirms' outcome (`Fail` if never confirmed).
    pub outcome: Outcome,
    /// The tickets an ok confirm answered.
    pub tickets: Vec<u64>,
}

/// The history being recorded, shared by clients and nemesis; cheap to clone.
#[derive(Clone)]
pub struct History {
    started: Instant,
    records: Arc<Mutex<Vec<Record>>>,
    /// Client operations completed so far: the nemesis waits on it.
    done: Arc<watch::Sender<u64>>,
}

impl History {
    /// An empty history; times count from now.
    pub fn new() -> Self {
        Self {
            started: Instant::now(),
            records: Arc::default(),
            done: Arc::new(watch::channel(0).0),
        }
    }

    /// Adds `record`, stamping its time.
    pub fn push(&self, mut record: Record) {
        record.at_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let client_op = record.client.is_some();
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
        if client_op {
            self.done.send_modify(|n| *n += 1);
        }
    }

    /// A receiver of the count of client operations completed.
    pub fn completed(&self) -> watch::Receiver<u64> {
        self.done.subscribe()
    }

    /// Every record so far, in completion order.
    pub fn records(&self) -> Vec<Record> {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Writes the history to `path`, one JSON object a line.
    pub fn write_jsonl(&self, path: &Path) -> std::io::Result<()> {
        let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
        for record in self.records() {
            writeln!(file, "{}", record.to_json())?;
        }
        file.flush()
    }
}

/// The bookings whose reserve succeeded, from `records`, by booking id.
pub fn bookings(records: &[Record]) -> Vec<Booking> {
    let mut found: std::collections::BTreeMap<u64, Booking> = Default::default();
    for record in records {
        let Some(id) = record.booking else { continue };
        let booking = found.entry(id).or_insert_with(|| Booking {
            id,
            customer: record.customer.clone(),
            quantity: record.quantity,
            outcome: Outcome::Fail,
            tickets: Vec::new(),
        });
        if record.kind != Kind::Confirm {
            continue;
        }
        match (booking.outcome, record.outcome) {
            (_, Outcome::Ok) => {
                booking.outcome = Outcome::Ok;
                booking.tickets = record.tickets.clone();
            }
            (Outcome::Fail, Outcome::Unknown) => booking.outcome = Outcome::Unknown,
            _ => {}
        }
    }
    found.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(booking: u64, kind: Kind, outcome: Outcome, tickets: &[u64]) -> Record {
        Record {
            at_ms: 0,
            client: Some(1),
            node: 0,
            booking: Some(booking),
            kind,
            outcome,
            customer: "ann".to_owned(),
            quantity: 2,
            tickets: tickets.to_vec(),
            detail: String::new(),
        }
    }

    #[test]
    fn a_booking_is_ok_if_any_confirm_was_and_unknown_if_one_got_no_answer() {
        let records = [
            record(1, Kind::Reserve, Outcome::Ok, &[]),
            record(1, Kind::Confirm, Outcome::Unknown, &[]),
            record(1, Kind::Confirm, Outcome::Ok, &[4, 5]),
            record(2, Kind::Reserve, Outcome::Ok, &[]),
            record(2, Kind::Confirm, Outcome::Unknown, &[]),
            // The retry found the hold gone: the first try may still have sold.
            record(2, Kind::Confirm, Outcome::Fail, &[]),
            record(3, Kind::Reserve, Outcome::Unknown, &[]),
        ];
        let outcomes: Vec<(u64, Outcome, Vec<u64>)> = bookings(&records)
            .into_iter()
            .map(|b| (b.id, b.outcome, b.tickets))
            .collect();
        assert_eq!(
            outcomes,
            vec![
                (1, Outcome::Ok, vec![4, 5]),
                (2, Outcome::Unknown, vec![]),
                (3, Outcome::Fail, vec![]),
            ]
        );
    }

    #[test]
    fn the_history_is_written_one_json_object_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::new();
        history.push(record(7, Kind::Confirm, Outcome::Ok, &[3]));
        history.push(Record {
            client: None,
            booking: None,
            kind: Kind::Kill,
            ..record(0, Kind::Kill, Outcome::Ok, &[])
        });
        assert_eq!(
            *history.completed().borrow(),
            1,
            "only client operations count"
        );
        let file = dir.path().join("history.jsonl");
        history.write_jsonl(&file).unwrap();
        let lines: Vec<Value> = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["op"], "confirm");
        assert_eq!(lines[0]["outcome"], "ok");
        assert_eq!(lines[0]["tickets"], json!([3]));
        assert_eq!(lines[1]["op"], "kill");
        assert_eq!(lines[1]["client"], Value::Null);
    }
}
