//! Waiting reserves of several tickets (`reserve_many_async`): all the
//! tickets handed over together, the place kept meanwhile (VIPs first,
//! then first come first served; a later small request does not jump an
//! earlier large one), and a dropped wait gives back what it kept.
//!
//! Futures are polled by hand, as in `async_wait`, in a one-type office
//! and a two-type one.

use std::collections::HashSet;

use ticketpool_core::{BoxOfficeError, Priority, Strategy, Want};

use super::async_wait::{waiting, Polled};
use super::{office, one_type, two_types};

/// A reserve of 3 served at once when 3 are on sale.
pub fn reserve_many_is_served_at_once_when_enough_are_on_sale(strategy: Strategy) {
    for config in [one_type(strategy, 10, 8), two_types(strategy, 10, 8)] {
        let office = office(config);
        let vendor = office.add_vendor("v", &[]).unwrap();
        let ty = vendor.ticket_types()[0].clone();
        for _ in 0..3 {
            vendor.release(&ty).unwrap();
        }
        let buyer = office.customer("ann", Priority::Regular);
        let mut future = Polled::new(buyer.reserve_many_async(&*ty, 3));
        let holds = future.ready("three were on sale").unwrap();
        assert_eq!(holds.len(), 3);
        assert_eq!(office.tickets_of("ann"), 3);
        assert_eq!(office.snapshot().totals.held, 3);
        assert_eq!(waiting(&office), (0, 0));
    }
}

/// A reserve of 3 keeps its place while tickets come one by one: a later
/// reserve of 1 is not served before it, the 3 come together, and only
/// then does the next one go to the later buyer.
pub fn reserve_many_keeps_its_place_until_all_come(strategy: Strategy) {
    for config in [one_type(strategy, 10, 8), two_types(strategy, 10, 8)] {
        let office = office(config);
        let vendor = office.add_vendor("v", &[]).unwrap();
        let ty = vendor.ticket_types()[0].clone();
        let mut large = Polled::new(
            office
                .customer("large", Priority::Regular)
                .reserve_many_async(Want::Any, 3),
        );
        large.pending("nothing is on sale");
        let mut small = Polled::new(
            office
                .customer("small", Priority::Regular)
                .reserve_async(Want::Any),
        );
        small.pending("nothing is on sale");
        assert_eq!(large.get().position(), Some(1));
        assert_eq!(small.get().position(), Some(2));
        assert_eq!(office.tickets_of("large"), 3, "all 3 slots claimed");
        let mut released = HashSet::new();
        for n in 1..=2 {
            released.insert(vendor.release(&ty).unwrap().id);
            large.pending(&format!("{n} of 3 came"));
            small.pending("the later, smaller reserve");
            assert_eq!(large.get().position(), Some(1));
            assert_eq!(small.get().position(), Some(2));
        }
        released.insert(vendor.release(&ty).unwrap().id);
        assert!(large.woken(), "the third ticket wakes it");
        let holds = large.ready("all 3 came").unwrap();
        let held: HashSet<_> = holds.iter().map(|h| h.ticket().id).collect();
        assert_eq!(held, released, "the 3 released tickets, each once");
        assert_eq!(small.get().position(), Some(1));
        let fourth = vendor.release(&ty).unwrap();
        let hold = small.ready("the next one").unwrap();
        assert_eq!(hold.ticket().id, fourth.id);
        let snap = office.snapshot();
        assert_eq!(snap.totals.held, 4);
        assert_eq!((snap.waiting_vip, snap.waiting_regular), (0, 0));
        assert!(snap.is_consistent());
    }
}

/// A VIP who arrives while a Regular's reserve of 2 has one ticket kept
/// goes first for the next; the Regular keeps the one it has and is
/// served by the one after.
pub fn vip_goes_before_a_waiting_reserve_of_several(strategy: Strategy) {
    for config in [one_type(strategy, 10, 8), two_types(strategy, 10, 8)] {
        let office = office(config);
        let vendor = office.add_vendor("v", &[]).unwrap();
        let ty = vendor.ticket_types()[0].clone();
        let mut regular = Polled::new(
            office
                .customer("reg", Priority::Regular)
                .reserve_many_async(&*ty, 2),
        );
        regular.pending("nothing is on sale");
        let kept = vendor.release(&ty).unwrap();
        regular.pending("1 of 2 came");
        let mut vip = Polled::new(office.customer("vip", Priority::Vip).reserve_async(&*ty));
        vip.pending("the one ticket is kept for the Regular");
        assert_eq!(vip.get().position(), Some(1));
        assert_eq!(regular.get().position(), Some(2));
        let next = vendor.release(&ty).unwrap();
        // Kept: a dropped hold is cancelled, and its ticket would go on.
        let vips = vip.ready("the VIP").unwrap();
        assert_eq!(vips.ticket().id, next.id);
        regular.pending("still 1 of 2");
        let last = vendor.release(&ty).unwrap();
        let holds = regular.ready("2 of 2").unwrap();
        let mut got: Vec<_> = holds.iter().map(|h| h.ticket().id).collect();
        got.sort_unstable();
        let mut want = vec![kept.id, last.id];
        want.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(waiting(&office), (0, 0));
    }
}

/// Dropping a waiting reserve of several gives back what it kept: the
/// next in line gets one, the other is on sale again; no hold, no slot
/// and no place is left behind.
pub fn dropping_a_reserve_many_gives_back_what_it_kept(strategy: Strategy) {
    for config in [one_type(strategy, 10, 8), two_types(strategy, 10, 8)] {
        let office = office(config);
        let vendor = office.add_vendor("v", &[]).unwrap();
        let ty = vendor.ticket_types()[0].clone();
        let mut large = Polled::new(
            office
                .customer("large", Priority::Vip)
                .reserve_many_async(Want::Any, 3),
        );
        large.pending("nothing is on sale");
        let mut small = Polled::new(
            office
                .customer("small", Priority::Regular)
                .reserve_async(Want::Any),
        );
        small.pending("nothing is on sale");
        let a = vendor.release(&ty).unwrap();
        let b = vendor.release(&ty).unwrap();
        large.pending("2 of 3 came");
        small.pending("both are kept for the VIP");
        drop(large);
        assert_eq!(office.tickets_of("large"), 0);
        assert!(small.woken());
        let hold = small.ready("a kept ticket came back").unwrap();
        let other = office
            .customer("late", Priority::Regular)
            .try_reserve(Want::Any)
            .expect("the other kept ticket is on sale again");
        let mut got = vec![hold.ticket().id, other.ticket().id];
        got.sort_unstable();
        let mut want = vec![a.id, b.id];
        want.sort_unstable();
        assert_eq!(got, want);
        let snap = office.snapshot();
        assert_eq!(snap.totals.held, 2);
        assert_eq!((snap.waiting_vip, snap.waiting_regular), (0, 0));
        assert!(snap.is_consistent());
    }
}

/// The purchase limit counts all the tickets asked for, from the start;
/// closing the office ends a partly served wait with `Closed` and frees
/// everything it kept.
pub fn reserve_many_respects_the_limit_and_close(strategy: Strategy) {
    for config in [one_type(strategy, 10, 8), two_types(strategy, 10, 8)] {
        let mut config = config;
        config.purchase_limit = Some(3);
        let office = office(config);
        let vendor = office.add_vendor("v", &[]).unwrap();
        let ty = vendor.ticket_types()[0].clone();
        let buyer = office.customer("ann", Priority::Regular);
        let mut over = Polled::new(buyer.reserve_many_async(Want::Any, 4));
        assert!(matches!(
            over.ready("over the limit"),
            Err(BoxOfficeError::LimitReached { limit: 3, .. })
        ));
        assert_eq!(office.tickets_of("ann"), 0);
        let mut none = Polled::new(buyer.reserve_many_async(Want::Any, 0));
        assert!(none.ready("nothing asked").unwrap().is_empty());
        let mut wait = Polled::new(buyer.reserve_many_async(Want::Any, 3));
        wait.pending("nothing is on sale");
        let mut more = Polled::new(buyer.reserve_async(Want::Any));
        assert!(matches!(
            more.ready("the waiting 3 count"),
            Err(BoxOfficeError::LimitReached { .. })
        ));
        vendor.release(&ty).unwrap();
        wait.pending("1 of 3 came");
        office.close();
        assert!(matches!(wait.ready("closed"), Err(BoxOfficeError::Closed)));
        assert_eq!(office.tickets_of("ann"), 0);
        let snap = office.snapshot();
        assert_eq!(snap.totals.held, 0);
        assert_eq!((snap.waiting_vip, snap.waiting_regular), (0, 0));
    }
}
