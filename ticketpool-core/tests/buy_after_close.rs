//! Regression (found by the dashboard's HTTP tests, issue 8): after
//! `close`, a buy of one ticket type (or of any type when there is only
//! one) still took a ticket that was on sale, although `close` promises
//! that every later buy and reserve returns `Closed`.

use ticketpool_core::{
    BoxOffice, BoxOfficeConfig, BoxOfficeError, Money, Priority, Strategy, Want,
};

fn check(strategy: Strategy) {
    let mut config = BoxOfficeConfig::simple("gig", 10, 5, Money::from_minor(100));
    config.strategy = strategy;
    let office = BoxOffice::new(config).unwrap();
    let vendor = office.add_vendor("v", &[]).unwrap();
    for _ in 0..3 {
        vendor.release("general").unwrap();
    }
    assert!(office.close());
    let late = office.customer("late", Priority::Vip);
    let attempts: [(&str, Result<(), BoxOfficeError>); 5] = [
        ("buy any", late.buy(Want::Any).map(drop)),
        ("buy type", late.buy("general").map(drop)),
        ("try_buy any", late.try_buy(Want::Any).map(drop)),
        ("try_reserve type", late.try_reserve("general").map(drop)),
        ("reserve any", late.reserve(Want::Any).map(drop)),
    ];
    for (what, result) in attempts {
        assert!(
            matches!(result, Err(BoxOfficeError::Closed)),
            "{strategy:?} {what}: {result:?}"
        );
    }
    let snapshot = office.snapshot();
    assert_eq!(snapshot.totals.sold, 0, "{strategy:?}");
    assert_eq!(snapshot.totals.available, 3, "{strategy:?}: nothing lost");
    assert!(snapshot.is_consistent());
}

#[test]
fn buying_after_close_is_refused_lockfree() {
    check(Strategy::LockFree);
}

#[test]
fn buying_after_close_is_refused_condvar() {
    check(Strategy::Condvar);
}
