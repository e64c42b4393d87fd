//! A box office opened on its journal with `open_office`, stopped as a
//! crash would stop it, and opened again: generic over [`Db`] like the
//! rest of the suite.

use std::collections::HashSet;
use std::thread;

use ticketpool_core::{
    BoxOfficeConfig, BoxOfficeError, Journal, Money, Priority, Sale, TicketId, Want,
};
use ticketpool_persist::{open_office, Durability, JournalConfig};

use super::{assert_consistent, Db};

const TOTAL: u64 = 40;

fn config() -> BoxOfficeConfig {
    BoxOfficeConfig::simple("gig", TOTAL, 8, Money::from_minor(1_500))
}

fn confirmed() -> JournalConfig {
    JournalConfig::new(Durability::Confirmed)
}

/// Sells 5 of 12 released tickets and leaves one held, then "crashes";
/// the reopened office has the 5 sold, the other 7 (the held one too) on
/// sale, its vendor back, and goes on to sell exactly `TOTAL` in all with
/// no ticket id used twice.
pub fn reopened_office_keeps_sales_and_sells_out_exactly<D: Db>(db: &D) {
    let (office, journal) = open_office(config(), db.open().unwrap(), confirmed()).unwrap();
    let vendor = office.add_vendor("north", &[]).unwrap();
    let mut ids: Vec<TicketId> = (0..8)
        .map(|_| vendor.try_release("general").unwrap().id)
        .collect();
    let ada = office.customer("ada", Priority::Regular);
    let before: Vec<Sale> = (0..5).map(|_| ada.try_buy(Want::Any).unwrap()).collect();
    let hold = office
        .customer("bob", Priority::Vip)
        .try_reserve(Want::Any)
        .unwrap();
    let held = hold.ticket().id;
    ids.extend((0..4).map(|_| vendor.try_release("general").unwrap().id));
    // The crash: the hold is neither confirmed nor cancelled and nothing
    // is closed (forgetting the hold keeps the old office, and so its
    // writer, alive but idle). Confirmed: everything above is committed.
    std::mem::forget(hold);
    drop((vendor, ada, office, journal));

    let (office, journal) = open_office(config(), db.open().unwrap(), confirmed()).unwrap();
    assert_eq!(office.sales(), before, "sold stay sold");
    let totals = office.snapshot().totals;
    assert_eq!(
        (totals.released, totals.sold, totals.held, totals.available),
        (12, 5, 0, 7),
        "unsold and held are back on sale"
    );
    assert_eq!(office.open_holds(), 0);
    assert_eq!(office.tickets_of("ada"), 5, "the purchase count survives");
    assert_eq!(office.tickets_of("bob"), 0, "the lost hold is not counted");

    // Sell out from the reopened office, on real threads.
    let vendor = office.vendor("north").expect("the vendor is restored");
    let releaser = thread::spawn(move || {
        let mut ids = Vec::new();
        loop {
            match vendor.release("general") {
                Ok(ticket) => ids.push(ticket.id),
                Err(BoxOfficeError::SoldOut) => break ids,
                Err(other) => panic!("release: {other}"),
            }
        }
    });
    let buyers: Vec<_> = (0..3)
        .map(|n| {
            let customer = office.customer(&format!("c{n}"), Priority::Regular);
            thread::spawn(move || {
                let mut sales = Vec::new();
                loop {
                    match customer.buy(Want::Any) {
                        Ok(sale) => sales.push(sale),
                        Err(BoxOfficeError::SoldOut) => break sales,
                        Err(other) => panic!("buy: {other}"),
                    }
                }
            })
        })
        .collect();
    let new_ids = releaser.join().unwrap();
    let after: Vec<Sale> = buyers.into_iter().flat_map(|b| b.join().unwrap()).collect();
    let max_before = ids.iter().max().copied().unwrap();
    assert!(
        new_ids.iter().all(|id| *id > max_before),
        "new ids continue past {max_before}: {new_ids:?}"
    );
    assert_eq!(ids.len() + new_ids.len(), TOTAL as usize);
    assert_eq!(before.len() + after.len(), TOTAL as usize, "sold exactly");
    let mut sold = HashSet::new();
    for sale in before.iter().chain(&after) {
        assert!(sold.insert(sale.ticket.id), "{} sold twice", sale.ticket.id);
    }
    assert!(sold.contains(&held), "the held ticket was sold again");
    assert!(office.is_sold_out());
    drop(office);
    journal.flush().unwrap();
    drop(journal);

    // And the journal agrees, down to a third opening.
    let state = assert_consistent(db);
    assert_eq!(state.sales.len(), TOTAL as usize);
    assert!(state.unsold.is_empty());
    let (office, _journal) = open_office(config(), db.open().unwrap(), confirmed()).unwrap();
    assert!(office.is_sold_out());
    assert_eq!(office.sales_count(), TOTAL as usize);
}
