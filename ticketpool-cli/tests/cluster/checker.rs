//! The set check: the history's bookings against the sales PostgreSQL
//! holds (the event's rows of the catalog schema's `sales` table) and what
//! each node puts on sale once every hold has expired.
//!
//! Anomalies: a ticket sold twice (two rows, two acknowledged bookings, or
//! an acknowledged ticket the database gives someone else), an
//! acknowledged booking missing, sales no unknown booking explains (an
//! unknown counted twice, or a refused booking sold), more sold than the
//! event has, and tickets neither sold nor on sale (stranded) or on sale
//! though sold. In lease mode ([`lease_check`](super::lease_check)) the
//! sales are the shared `lease_tickets` rows, and answers carry those
//! rows' ids, so the same per-ticket checks run, with the lease-specific
//! ones in place of the per-node stock check.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use super::history::{Booking, Outcome};
use super::lease_check::{check_leases, LeaseState};

/// One row of the event's `sales` table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaleRow {
    /// The ticket sold.
    pub ticket: u64,
    /// To whom (the account name).
    pub customer: String,
}

/// What the database says about the event.
#[derive(Clone, Debug, Default)]
pub struct DbState {
    /// The event's tickets (its configuration).
    pub total: u64,
    /// Every sale row.
    pub sales: Vec<SaleRow>,
    /// Lease mode: where the unsold tickets are (see
    /// [`lease_check`](super::lease_check)).
    pub lease: Option<LeaseState>,
}

impl DbState {
    /// Reads event `event`'s total (its box office's configuration in the
    /// catalog schema `prefix`) and its sales (its rows of `<prefix>.sales`).
    pub fn read(
        client: &mut postgres::Client,
        prefix: &str,
        event: u64,
    ) -> Result<Self, postgres::Error> {
        let mut state = Self::read_total(client, prefix, event)?;
        state.sales = client
            .query(
                &format!("SELECT ticket_id, customer FROM {prefix}.sales WHERE event = $1"),
                &[&i64::try_from(event).unwrap_or(i64::MAX)],
            )?
            .iter()
            .map(|row| SaleRow {
                ticket: u64::try_from(row.get::<_, i64>(0)).unwrap_or(u64::MAX),
                customer: row.get(1),
            })
            .collect();
        Ok(state)
    }

    /// Event `event`'s total (its box office's configuration in the
    /// catalog schema `prefix`), nothing sold.
    pub fn read_total(
        client: &mut postgres::Client,
        prefix: &str,
        event: u64,
    ) -> Result<Self, postgres::Error> {
        let id = i64::try_from(event).unwrap_or(i64::MAX);
        let total: i64 = client
            .query_one(
                &format!(
                    "SELECT (office::jsonb ->> 'total_tickets')::bigint \
                     FROM {prefix}.catalog_events WHERE id = $1"
                ),
                &[&id],
            )?
            .get(0);
        Ok(Self {
            total: u64::try_from(total).unwrap_or(0),
            ..Self::default()
        })
    }
}

/// A node's event page once every hold has expired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeView {
    /// The node.
    pub node: usize,
    /// Tickets it offers.
    pub available: u64,
    /// Tickets it still holds (0 once holds have expired).
    pub held: u64,
}

/// Something the system did that it must not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Anomaly {
    /// One ticket sold more than once: to `customers` (a name once per sale
    /// seen, in the database or acknowledged).
    SoldTwice { ticket: u64, customers: Vec<String> },
    /// An acknowledged booking's ticket is not in the database.
    LostAcknowledged {
        booking: u64,
        customer: String,
        ticket: u64,
    },
    /// The customer has `unexplained` sales no acknowledged booking
    /// accounts for, more than its `unknown` bookings asked for (an
    /// unknown booking sold twice, or a refused one sold).
    Unexplained {
        customer: String,
        unexplained: u64,
        unknown: Vec<u32>,
    },
    /// More sold than the event has.
    Oversold { sold: u64, total: u64 },
    /// After every hold expired, `node` still holds tickets.
    StillHeld { node: usize, held: u64 },
    /// After every hold expired, `missing` tickets are neither sold nor on
    /// sale at `node`.
    Stranded { node: usize, missing: u64 },
    /// `node` offers `extra` tickets the database says are sold.
    OnSaleButSold { node: usize, extra: u64 },
    /// Lease mode: `missing` tickets under live leases are on sale at no
    /// node.
    LeaseStranded { missing: u64 },
    /// Lease mode: the nodes offer `extra` tickets more than they lease.
    LeaseOffersSold { extra: u64 },
}

impl Anomaly {
    /// Its kind, for counting.
    pub fn kind(&self) -> &'static str {
        match self {
            Anomaly::SoldTwice { .. } => "sold twice",
            Anomaly::LostAcknowledged { .. } => "lost acknowledged",
            Anomaly::Unexplained { .. } => "unexplained sales",
            Anomaly::Oversold { .. } => "oversold",
            Anomaly::StillHeld { .. } => "still held",
            Anomaly::Stranded { .. } => "stranded",
            Anomaly::OnSaleButSold { .. } => "on sale but sold",
            Anomaly::LeaseStranded { .. } => "stranded",
            Anomaly::LeaseOffersSold { .. } => "on sale but sold",
        }
    }
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Anomaly::SoldTwice { ticket, customers } => {
                write!(f, "ticket {ticket} sold twice: to {customers:?}")
            }
            Anomaly::LostAcknowledged {
                booking,
                customer,
                ticket,
            } => write!(
                f,
                "booking {booking} of {customer} was acknowledged but ticket {ticket} is not sold"
            ),
            Anomaly::Unexplained {
                customer,
                unexplained,
                unknown,
            } => write!(
                f,
                "{customer} has {unexplained} unacknowledged sales, but only unknown \
                 bookings of sizes {unknown:?} to explain them"
            ),
            Anomaly::Oversold { sold, total } => write!(f, "{sold} sold of {total}"),
            Anomaly::StillHeld { node, held } => {
                write!(f, "node {node} still holds {held} after every hold expired")
            }
            Anomaly::Stranded { node, missing } => {
                write!(
                    f,
                    "{missing} tickets neither sold nor on sale at node {node}"
                )
            }
            Anomaly::OnSaleButSold { node, extra } => {
                write!(f, "node {node} offers {extra} tickets already sold")
            }
            Anomaly::LeaseStranded { missing } => {
                write!(f, "{missing} leased tickets are on sale at no node")
            }
            Anomaly::LeaseOffersSold { extra } => {
                write!(f, "the nodes offer {extra} tickets more than they lease")
            }
        }
    }
}

/// The check's verdict and the counts it saw.
#[derive(Clone, Debug, Default)]
pub struct Verdict {
    /// Rows in the sales table.
    pub sold: u64,
    /// Bookings acknowledged, failed, unknown.
    pub acknowledged: usize,
    /// Bookings refused or never confirmed.
    pub failed: usize,
    /// Bookings whose confirm got no answer.
    pub unknown: usize,
    /// Acknowledged bookings answered with fewer tickets than asked (a
    /// confirm the journal failed part of: allowed, but worth seeing).
    pub partial: usize,
    /// Everything wrong, empty if nothing is.
    pub anomalies: Vec<Anomaly>,
}

/// Checks `bookings` against `db` and the nodes' `views`.
pub fn check(bookings: &[Booking], db: &DbState, views: &[NodeView]) -> Verdict {
    let mut verdict = Verdict {
        sold: db.sales.len() as u64,
        ..Verdict::default()
    };
    for booking in bookings {
        match booking.outcome {
            Outcome::Ok => {
                verdict.acknowledged += 1;
                if booking.tickets.len() < booking.quantity as usize {
                    verdict.partial += 1;
                }
            }
            Outcome::Fail => verdict.failed += 1,
            Outcome::Unknown => verdict.unknown += 1,
        }
    }
    let anomalies = &mut verdict.anomalies;
    if verdict.sold > db.total {
        anomalies.push(Anomaly::Oversold {
            sold: verdict.sold,
            total: db.total,
        });
    }
    sold_twice(bookings, db, anomalies);
    acknowledged_present(bookings, db, anomalies);
    unknown_explains_the_rest(bookings, db, anomalies);
    if let Some(lease) = db.lease {
        check_leases(lease, views, anomalies);
        return verdict;
    }
    for view in views {
        if view.held > 0 {
            anomalies.push(Anomaly::StillHeld {
                node: view.node,
                held: view.held,
            });
        }
        let accounted = view.available + view.held + verdict.sold;
        if accounted < db.total {
            anomalies.push(Anomaly::Stranded {
                node: view.node,
                missing: db.total - accounted,
            });
        } else if accounted > db.total {
            anomalies.push(Anomaly::OnSaleButSold {
                node: view.node,
                extra: accounted - db.total,
            });
        }
    }
    verdict
}

/// A ticket in two rows, in two acknowledged bookings, or acknowledged to
/// one customer while its row names another.
fn sold_twice(bookings: &[Booking], db: &DbState, anomalies: &mut Vec<Anomaly>) {
    let mut rows: BTreeMap<u64, Vec<&str>> = BTreeMap::new();
    for row in &db.sales {
        rows.entry(row.ticket).or_default().push(&row.customer);
    }
    let mut acknowledged: BTreeMap<u64, Vec<&str>> = BTreeMap::new();
    for booking in bookings.iter().filter(|b| b.outcome == Outcome::Ok) {
        for ticket in &booking.tickets {
            acknowledged
                .entry(*ticket)
                .or_default()
                .push(&booking.customer);
        }
    }
    let tickets: BTreeSet<u64> = rows.keys().chain(acknowledged.keys()).copied().collect();
    for ticket in tickets {
        let in_rows = rows.get(&ticket).map_or(&[][..], Vec::as_slice);
        let acked = acknowledged.get(&ticket).map_or(&[][..], Vec::as_slice);
        let foreign = acked
            .iter()
            .any(|c| !in_rows.is_empty() && !in_rows.contains(c));
        if in_rows.len() > 1 || acked.len() > 1 || foreign {
            let mut customers: Vec<String> = in_rows.iter().map(|c| (*c).to_owned()).collect();
            // An acknowledgement its row matches is the same sale.
            let mut matched = in_rows.to_vec();
            for customer in acked {
                match matched.iter().position(|c| c == customer) {
                    Some(at) => {
                        matched.remove(at);
                    }
                    None => customers.push((*customer).to_owned()),
                }
            }
            anomalies.push(Anomaly::SoldTwice { ticket, customers });
        }
    }
}

/// Every ticket of every acknowledged booking has a row.
fn acknowledged_present(bookings: &[Booking], db: &DbState, anomalies: &mut Vec<Anomaly>) {
    let sold: HashSet<u64> = db.sales.iter().map(|row| row.ticket).collect();
    for booking in bookings.iter().filter(|b| b.outcome == Outcome::Ok) {
        for ticket in &booking.tickets {
            if !sold.contains(ticket) {
                anomalies.push(Anomaly::LostAcknowledged {
                    booking: booking.id,
                    customer: booking.customer.clone(),
                    ticket: *ticket,
                });
            }
        }
    }
}

/// The rows of each customer no acknowledged booking accounts for must be
/// no more than its unknown bookings asked for: an unknown booking sells
/// once or not at all, a refused one never. (The rows carry the engine's
/// hold of each ticket, not the booking's, so they are counted, not
/// matched booking by booking; a booking cut short by a kill may have
/// sold part of its tickets.)
fn unknown_explains_the_rest(bookings: &[Booking], db: &DbState, anomalies: &mut Vec<Anomaly>) {
    let acknowledged: HashSet<(&str, u64)> = bookings
        .iter()
        .filter(|b| b.outcome == Outcome::Ok)
        .flat_map(|b| b.tickets.iter().map(|t| (b.customer.as_str(), *t)))
        .collect();
    let mut extra: BTreeMap<&str, u64> = BTreeMap::new();
    for row in &db.sales {
        if !acknowledged.contains(&(row.customer.as_str(), row.ticket)) {
            *extra.entry(row.customer.as_str()).or_default() += 1;
        }
    }
    for (customer, unexplained) in extra {
        let unknown: Vec<u32> = bookings
            .iter()
            .filter(|b| b.outcome == Outcome::Unknown && b.customer == customer)
            .map(|b| b.quantity)
            .collect();
        if unexplained > unknown.iter().map(|q| u64::from(*q)).sum::<u64>() {
            anomalies.push(Anomaly::Unexplained {
                customer: customer.to_owned(),
                unexplained,
                unknown,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::history::{bookings, Kind, Record};
    use super::*;

    /// A client record of `booking` for `customer`.
    fn op(booking: u64, customer: &str, kind: Kind, outcome: Outcome, tickets: &[u64]) -> Record {
        Record {
            at_ms: 0,
            client: Some(0),
            node: 0,
            booking: Some(booking),
            kind,
            outcome,
            customer: customer.to_owned(),
            quantity: tickets.len().max(1) as u32,
            tickets: tickets.to_vec(),
            detail: String::new(),
        }
    }

    fn row(ticket: u64, customer: &str) -> SaleRow {
        SaleRow {
            ticket,
            customer: customer.to_owned(),
        }
    }

    fn settled(available: u64) -> Vec<NodeView> {
        vec![NodeView {
            node: 0,
            available,
            held: 0,
        }]
    }

    #[test]
    fn a_consistent_run_has_no_anomaly() {
        let history = [
            op(1, "ann", Kind::Reserve, Outcome::Ok, &[]),
            op(1, "ann", Kind::Confirm, Outcome::Ok, &[1, 2]),
            op(2, "bob", Kind::Reserve, Outcome::Ok, &[]),
            op(2, "bob", Kind::Confirm, Outcome::Unknown, &[]),
            op(3, "bob", Kind::Reserve, Outcome::Unknown, &[]),
        ];
        // Bob's unknown confirm went through, once.
        let db = DbState {
            lease: None,
            total: 5,
            sales: vec![row(1, "ann"), row(2, "ann"), row(3, "bob")],
        };
        let verdict = check(&bookings(&history), &db, &settled(2));
        assert_eq!(verdict.anomalies, vec![], "{verdict:?}");
        assert_eq!(
            (verdict.acknowledged, verdict.unknown, verdict.sold),
            (1, 1, 3)
        );
        assert_eq!(verdict.partial, 0);
    }

    #[test]
    fn a_booking_acknowledged_with_fewer_tickets_than_asked_is_counted() {
        let mut reserve = op(1, "ann", Kind::Reserve, Outcome::Ok, &[]);
        reserve.quantity = 3;
        let history = [reserve, op(1, "ann", Kind::Confirm, Outcome::Ok, &[1, 2])];
        let db = DbState {
            lease: None,
            total: 3,
            sales: vec![row(1, "ann"), row(2, "ann")],
        };
        let verdict = check(&bookings(&history), &db, &settled(1));
        assert_eq!(verdict.anomalies, vec![]);
        assert_eq!((verdict.acknowledged, verdict.partial), (1, 1));
    }

    #[test]
    fn a_double_sale_and_a_lost_acknowledged_booking_are_both_reported() {
        let history = [
            op(1, "ann", Kind::Reserve, Outcome::Ok, &[]),
            op(1, "ann", Kind::Confirm, Outcome::Ok, &[1, 2]),
            op(2, "bob", Kind::Reserve, Outcome::Ok, &[]),
            op(2, "bob", Kind::Confirm, Outcome::Ok, &[2]),
            op(3, "cat", Kind::Reserve, Outcome::Ok, &[]),
            op(3, "cat", Kind::Confirm, Outcome::Ok, &[3]),
        ];
        // Two nodes each sold ticket 2 from their own copy; cat's sale
        // never reached the database.
        let db = DbState {
            lease: None,
            total: 4,
            sales: vec![row(1, "ann"), row(2, "ann"), row(2, "bob")],
        };
        let verdict = check(&bookings(&history), &db, &settled(1));
        assert!(
            verdict.anomalies.contains(&Anomaly::SoldTwice {
                ticket: 2,
                customers: vec!["ann".into(), "bob".into()],
            }),
            "{verdict:?}"
        );
        assert!(
            verdict.anomalies.contains(&Anomaly::LostAcknowledged {
                booking: 3,
                customer: "cat".into(),
                ticket: 3,
            }),
            "{verdict:?}"
        );
        assert_eq!(verdict.anomalies.len(), 2, "{verdict:?}");
    }

    #[test]
    fn a_double_sale_seen_only_in_the_acknowledgements_is_reported() {
        // The database kept one sale of ticket 7 (its row is unique), but
        // two customers were told they have it.
        let history = [
            op(1, "ann", Kind::Confirm, Outcome::Ok, &[7]),
            op(2, "bob", Kind::Confirm, Outcome::Ok, &[7]),
        ];
        let db = DbState {
            lease: None,
            total: 1,
            sales: vec![row(7, "ann")],
        };
        let verdict = check(&bookings(&history), &db, &settled(0));
        assert_eq!(
            verdict.anomalies,
            vec![Anomaly::SoldTwice {
                ticket: 7,
                customers: vec!["ann".into(), "bob".into()],
            }]
        );
    }

    #[test]
    fn an_unknown_booking_sold_twice_or_a_refused_one_sold_is_unexplained() {
        // Ann's one unknown booking asked for one ticket; Bob's was refused.
        let history = [
            op(1, "ann", Kind::Confirm, Outcome::Unknown, &[]),
            op(2, "bob", Kind::Confirm, Outcome::Fail, &[]),
        ];
        let db = DbState {
            lease: None,
            total: 10,
            sales: vec![row(1, "ann"), row(2, "ann"), row(3, "bob")],
        };
        let verdict = check(&bookings(&history), &db, &settled(7));
        assert_eq!(
            verdict.anomalies,
            vec![
                Anomaly::Unexplained {
                    customer: "ann".into(),
                    unexplained: 2,
                    unknown: vec![1],
                },
                Anomaly::Unexplained {
                    customer: "bob".into(),
                    unexplained: 1,
                    unknown: vec![],
                },
            ]
        );
    }

    #[test]
    fn oversold_stranded_held_and_resold_stock_are_reported() {
        let db = DbState {
            lease: None,
            total: 2,
            sales: vec![row(1, "ann"), row(2, "ann"), row(3, "ann")],
        };
        let history = [op(1, "ann", Kind::Confirm, Outcome::Ok, &[1, 2, 3])];
        let views = [
            NodeView {
                node: 0,
                available: 1,
                held: 0,
            },
            NodeView {
                node: 1,
                available: 0,
                held: 0,
            },
        ];
        let verdict = check(&bookings(&history), &db, &views);
        assert_eq!(
            verdict.anomalies,
            vec![
                Anomaly::Oversold { sold: 3, total: 2 },
                Anomaly::OnSaleButSold { node: 0, extra: 2 },
                Anomaly::OnSaleButSold { node: 1, extra: 1 },
            ]
        );
        let db = DbState {
            lease: None,
            total: 5,
            sales: vec![row(1, "ann")],
        };
        let history = [op(1, "ann", Kind::Confirm, Outcome::Ok, &[1])];
        let views = [NodeView {
            node: 0,
            available: 2,
            held: 1,
        }];
        let verdict = check(&bookings(&history), &db, &views);
        assert_eq!(
            verdict.anomalies,
            vec![
                Anomaly::StillHeld { node: 0, held: 1 },
                Anomaly::Stranded {
                    node: 0,
                    missing: 1
                },
            ]
        );
    }
}
