//! The set check for nodes that sell from ticket leases
//! (`serve --lease-node`): the sales are the event's sold rows in
//! `<prefix>_lease.lease_tickets`. A node sells each ticket under its
//! table id, so a confirm answers with the ids of those rows and the
//! bookings are checked ticket by ticket as in journal mode (no ticket
//! acknowledged to two customers or sold to another, every acknowledged
//! ticket sold to its customer, unknown bookings not counted twice: see
//! [`check`](super::checker::check)). Here are the lease-specific checks:
//! nothing held once holds expired, and every live lease on sale at some
//! node.

use super::checker::{Anomaly, DbState, NodeView, SaleRow};

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

/// The lease-mode checks of the nodes' settled `views` against the
/// table's leases (the per-ticket checks of the bookings are
/// [`check`](super::checker::check)'s, as in journal mode).
pub fn check_leases(lease: LeaseState, views: &[NodeView], anomalies: &mut Vec<Anomaly>) {
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
    use super::super::checker::check;
    use super::super::history::{Booking, Outcome};
    use super::*;

    /// An acknowledged (or not) booking of `tickets`, as a node answered.
    fn booking(id: u64, customer: &str, outcome: Outcome, tickets: &[u64]) -> Booking {
        Booking {
            id,
            customer: customer.to_owned(),
            quantity: tickets.len().max(1) as u32,
            outcome,
            tickets: tickets.to_vec(),
        }
    }

    /// The table's sold rows and leases.
    fn leased(rows: &[(u64, &str)], live_leased: u64) -> DbState {
        DbState {
            total: 10,
            sales: rows
                .iter()
                .map(|&(ticket, customer)| SaleRow {
                    ticket,
                    customer: customer.to_owned(),
                })
                .collect(),
            lease: Some(LeaseState {
                live_leased,
                unleased: 0,
            }),
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
    fn answers_matching_the_table_ticket_by_ticket_are_no_anomaly() {
        // Ann was told of 7 and 9; Bob's unknown booking of one went
        // through as 3.
        let bookings = [
            booking(1, "ann", Outcome::Ok, &[7, 9]),
            booking(2, "bob", Outcome::Unknown, &[]),
        ];
        let db = leased(&[(7, "ann"), (9, "ann"), (3, "bob")], 4);
        let verdict = check(&bookings, &db, &settled(4));
        assert_eq!(verdict.anomalies, vec![], "{verdict:?}");
    }

    #[test]
    fn two_customers_told_one_ticket_by_two_nodes_is_a_double_sale() {
        // The defect of node-local numbers: two nodes each answer "ticket
        // 5", while the table sold 5 to Ann and 8 to Bob. Counts per
        // customer add up; ticket by ticket they do not.
        let bookings = [
            booking(1, "ann", Outcome::Ok, &[5]),
            booking(2, "bob", Outcome::Ok, &[5]),
        ];
        let db = leased(&[(5, "ann"), (8, "bob")], 0);
        let verdict = check(&bookings, &db, &settled(0));
        assert!(
            verdict.anomalies.contains(&Anomaly::SoldTwice {
                ticket: 5,
                customers: vec!["ann".into(), "bob".into()],
            }),
            "{verdict:?}"
        );
        // Bob's real ticket, 8, was never acknowledged to him.
        assert!(
            verdict.anomalies.contains(&Anomaly::Unexplained {
                customer: "bob".into(),
                unexplained: 1,
                unknown: vec![],
            }),
            "{verdict:?}"
        );
    }

    #[test]
    fn an_answer_naming_a_ticket_the_table_did_not_sell_is_lost() {
        // A node-local number that is no sold row of the table.
        let bookings = [booking(1, "ann", Outcome::Ok, &[2])];
        let db = leased(&[(6, "ann")], 0);
        let verdict = check(&bookings, &db, &settled(0));
        assert!(
            verdict.anomalies.contains(&Anomaly::LostAcknowledged {
                booking: 1,
                customer: "ann".into(),
                ticket: 2,
            }),
            "{verdict:?}"
        );
    }

    #[test]
    fn a_missing_sale_an_unexplained_one_and_stranded_leases_are_reported() {
        let bookings = [
            booking(1, "ann", Outcome::Ok, &[7, 9]),
            booking(2, "bob", Outcome::Fail, &[]),
        ];
        let db = leased(&[(7, "ann"), (3, "bob")], 5);
        let verdict = check(&bookings, &db, &settled(4));
        assert_eq!(
            verdict.anomalies,
            vec![
                Anomaly::LostAcknowledged {
                    booking: 1,
                    customer: "ann".into(),
                    ticket: 9,
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
