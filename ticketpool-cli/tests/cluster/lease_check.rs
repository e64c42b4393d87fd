//! The set check for nodes that sell from ticket leases
//! (`serve --lease-node`): the sales are the event's sold rows in
//! `<prefix>_lease.lease_tickets`. A confirm answers with the node's own
//! ticket numbers, not the table's ids, so acknowledged bookings are
//! checked by count per customer, not ticket by ticket: every customer has
//! at least the tickets acknowledged to them, and no more beyond that
//! than their unknown bookings asked for. A ticket in two rows cannot
//! happen (the table's key) and is checked anyway; two customers told
//! the same ticket cannot be seen this way (the harness's gap in lease
//! mode).

use std::collections::BTreeMap;

use super::checker::{Anomaly, DbState, NodeView, SaleRow};
use super::history::{Booking, Outcome};

/// Where the event's unsold tickets are, in lease mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeaseState {
    /// Under a live lease: each must be on sale (or held) at its node.
    pub live_leased: u64,
    /// On sale in the table or under an expired lease: any node may lease
    /// them.
    pub unleased: u64,
}

impl DbState {
    /// Reads event `event`'s total (as [`DbState::read`]) and its sold
    /// rows and leases from `<prefix>_lease.lease_tickets`.
    pub fn read_leased(
        client: &mut postgres::Client,
        prefix: &str,
        event: u64,
    ) -> Result<Self, postgres::Error> {
        let id = i64::try_from(event).unwrap_or(i64::MAX);
        let mut state = Self::read_total(client, prefix, event)?;
        let table = format!("{prefix}_lease.lease_tickets");
        state.sales = client
            .query(
                &format!(
                    "SELECT ticket_id, customer FROM {table} WHERE event_id = $1 AND state = 2"
                ),
                &[&id],
            )?
            .iter()
            .map(|row| SaleRow {
                ticket: u64::try_from(row.get::<_, i64>(0)).unwrap_or(u64::MAX),
                customer: row.get(1),
            })
            .collect();
        let row = client.query_one(
            &format!(
                "SELECT count(*) FILTER (WHERE state = 1 AND lease_expires > now()), \
                     count(*) FILTER (WHERE state = 0 OR (state = 1 AND lease_expires <= now())) \
                 FROM {table} WHERE event_id = $1"
            ),
            &[&id],
        )?;
        let count = |i: usize| u64::try_from(row.get::<_, i64>(i)).unwrap_or(0);
        state.lease = Some(LeaseState {
            live_leased: count(0),
            unleased: count(1),
        });
        Ok(state)
    }
}

/// The lease-mode checks of `bookings` against `db` (whose `lease` is
/// set) and the nodes' settled `views`.
pub fn check_by_counts(
    bookings: &[Booking],
    db: &DbState,
    lease: LeaseState,
    views: &[NodeView],
    anomalies: &mut Vec<Anomaly>,
) {
    let mut rows: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    let mut sold: BTreeMap<&str, u64> = BTreeMap::new();
    for row in &db.sales {
        rows.entry(row.ticket)
            .or_default()
            .push(row.customer.clone());
        *sold.entry(&row.customer).or_default() += 1;
    }
    for (ticket, customers) in rows {
        if customers.len() > 1 {
            anomalies.push(Anomaly::SoldTwice { ticket, customers });
        }
    }
    let mut acknowledged: BTreeMap<&str, u64> = BTreeMap::new();
    let mut unknown: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for booking in bookings {
        match booking.outcome {
            Outcome::Ok => {
                *acknowledged.entry(&booking.customer).or_default() += booking.tickets.len() as u64;
            }
            Outcome::Unknown => unknown
                .entry(&booking.customer)
                .or_default()
                .push(booking.quantity),
            Outcome::Fail => {}
        }
    }
    let customers: std::collections::BTreeSet<&str> =
        sold.keys().chain(acknowledged.keys()).copied().collect();
    for customer in customers {
        let (has, told) = (
            sold.get(customer).copied().unwrap_or(0),
            acknowledged.get(customer).copied().unwrap_or(0),
        );
        if has < told {
            anomalies.push(Anomaly::LostAcknowledgedCount {
                customer: customer.to_owned(),
                acknowledged: told,
                sold: has,
            });
        }
        let sizes = unknown.get(customer).cloned().unwrap_or_default();
        let explained: u64 = sizes.iter().map(|q| u64::from(*q)).sum();
        if has.saturating_sub(told) > explained {
            anomalies.push(Anomaly::Unexplained {
                customer: customer.to_owned(),
                unexplained: has - told,
                unknown: sizes,
            });
        }
    }
    for view in views.iter().filter(|v| v.held > 0) {
        anomalies.push(Anomaly::StillHeld {
            node: view.node,
            held: view.held,
        });
    }
    // Every live lease belongs to a live node (a restarted node hands its
    // predecessor's back), so its tickets must be on sale there.
    let offered: u64 = views.iter().map(|v| v.available + v.held).sum();
    if offered < lease.live_leased {
        anomalies.push(Anomaly::LeaseStranded {
            missing: lease.live_leased - offered,
        });
    } else if offered > lease.live_leased {
        anomalies.push(Anomaly::LeaseOffersSold {
            extra: offered - lease.live_leased,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booking(id: u64, customer: &str, outcome: Outcome, quantity: u32, told: usize) -> Booking {
        Booking {
            id,
            customer: customer.to_owned(),
            quantity,
            outcome,
            // The node's own numbers: only their count matters here.
            tickets: (1..=told as u64).collect(),
        }
    }

    fn sold(rows: &[(u64, &str)]) -> DbState {
        DbState {
            total: 10,
            sales: rows
                .iter()
                .map(|&(ticket, customer)| SaleRow {
                    ticket,
                    customer: customer.to_owned(),
                })
                .collect(),
            lease: None,
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
    fn counts_that_add_up_are_no_anomaly_whatever_the_node_numbered() {
        // Ann was told of two tickets (numbered 1, 2 by her node) and holds
        // 7 and 9; Bob's unknown booking of one went through.
        let bookings = [
            booking(1, "ann", Outcome::Ok, 2, 2),
            booking(2, "bob", Outcome::Unknown, 1, 0),
        ];
        let db = sold(&[(7, "ann"), (9, "ann"), (3, "bob")]);
        let lease = LeaseState {
            live_leased: 4,
            unleased: 3,
        };
        let mut anomalies = Vec::new();
        check_by_counts(&bookings, &db, lease, &settled(4), &mut anomalies);
        assert_eq!(anomalies, vec![]);
    }

    #[test]
    fn a_missing_sale_an_unexplained_one_and_stranded_leases_are_reported() {
        let bookings = [
            booking(1, "ann", Outcome::Ok, 2, 2),
            booking(2, "bob", Outcome::Fail, 1, 0),
        ];
        let db = sold(&[(7, "ann"), (3, "bob")]);
        let lease = LeaseState {
            live_leased: 5,
            unleased: 3,
        };
        let mut anomalies = Vec::new();
        check_by_counts(&bookings, &db, lease, &settled(4), &mut anomalies);
        assert_eq!(
            anomalies,
            vec![
                Anomaly::LostAcknowledgedCount {
                    customer: "ann".into(),
                    acknowledged: 2,
                    sold: 1,
                },
                Anomaly::Unexplained {
                    customer: "bob".into(),
                    unexplained: 1,
                    unknown: vec![],
                },
                Anomaly::LeaseStranded { missing: 1 },
            ]
        );
    }
}
