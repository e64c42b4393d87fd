//! The line's async half: a future's take (of one ticket or of several,
//! handed over together), the hand-off of a restocked ticket to the
//! futures in line, and leaving. The queue itself and its rules are in
//! `waitlist.rs`.

use std::ops::Range;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::{AsyncWait, Line, Miss, Pools, Round};
use crate::office::waitlist::Kept;

/// What a served async waiter gets: its tickets, each with its type, and
/// how long it waited (from its first miss).
pub(crate) type Taken<T> = (Vec<(T, usize)>, Duration);

impl<T> Line<T> {
    /// Offers a ticket of type `ty` just (re)stocked to the futures in
    /// line; gives it back if none may have it now (then the caller puts it
    /// into its pool and calls [`wake`](Self::wake)).
    pub(crate) fn hand_off(&self, ticket: T, ty: usize, pools: &impl Pools<T>) -> Option<T> {
        if self.room.is_empty() {
            return Some(ticket);
        }
        let mut queue = self.room.lock();
        let vip_owed = |ty| self.owed_to_vip(ty) || pools.vip_waits_inside(ty);
        match self.room.hand_off(&mut queue, ticket, ty, vip_owed) {
            Err(ticket) => Some(ticket),
            // Kept by a waiter that needs more: it stays in line, counted.
            Ok(None) => None,
            Ok(Some((priority, target, waker))) => {
                // Counted out under the lock, so the next hand-off sees it.
                self.uncount(priority, target);
                drop(queue);
                waker.wake();
                self.after_leaving(priority);
                None
            }
        }
    }

    /// Polls an async take of `wait.count` tickets: as [`take`](Self::take)
    /// with no deadline, but waiting as a registered waker instead of a
    /// parked thread. Tickets found on the first poll are kept while it
    /// waits for the rest (see `waitlist.rs`).
    pub(crate) fn poll_take(
        &self,
        wait: &mut AsyncWait,
        cx: &mut Context<'_>,
        pools: &impl Pools<T>,
        closed: impl Fn() -> bool,
    ) -> Poll<Result<Taken<T>, Miss>> {
        let types = wait.target.map_or(0..self.vips_for.len(), |ty| ty..ty + 1);
        let Some(seq) = wait.seq() else {
            if closed() {
                return Poll::Ready(Err(Miss::Ended));
            }
            let mut kept = Vec::new();
            while kept.len() < wait.count {
                match self.round(wait.priority, types.clone(), pools) {
                    Round::Got(ticket, ty) => kept.push((ticket, ty)),
                    Round::Ended => {
                        self.give_back_all(kept, pools);
                        return Poll::Ready(Err(Miss::Ended));
                    }
                    Round::Nothing => break,
                }
            }
            if kept.len() == wait.count {
                return Poll::Ready(Ok((kept, Duration::ZERO)));
            }
            wait.started = Some(Instant::now());
            let need = wait.count - kept.len();
            let mut queue = self.room.lock();
            let seq = self.room.push(
                &mut queue,
                wait.priority,
                wait.target,
                cx.waker().clone(),
                (need, kept),
            );
            wait.set_seq(Some(seq));
            // Fences: a put from now on either hands the ticket over or
            // sees this waiter in the count and wakes the front.
            self.register(wait.priority, wait.target);
            drop(queue);
            // Try once more: a put before the registration may not have
            // seen it.
            return self.poll_registered(wait, seq, types, cx, pools, closed);
        };
        self.poll_registered(wait, seq, types, cx, pools, closed)
    }

    fn poll_registered(
        &self,
        wait: &mut AsyncWait,
        seq: u64,
        types: Range<usize>,
        cx: &mut Context<'_>,
        pools: &impl Pools<T>,
        closed: impl Fn() -> bool,
    ) -> Poll<Result<Taken<T>, Miss>> {
        let mut queue = self.room.lock();
        if let Some(tickets) = self.room.served(&mut queue, wait.priority, seq) {
            wait.set_seq(None);
            return Poll::Ready(Ok((tickets, wait.waited())));
        }
        // Ended for this waiter even when it is not at the front: a
        // closed office, or every type it wants drained (sold out).
        if closed() || types.clone().all(|ty| pools.drained(ty)) {
            drop(queue);
            return self.end(wait, pools);
        }
        self.room
            .set_waker(&mut queue, wait.priority, seq, cx.waker());
        if !self.room.in_front(&queue, seq) {
            return Poll::Pending;
        }
        drop(queue);
        // The waker is stored first: a put after this try hands over or
        // wakes it. No lock is held while trying (a Regular's give-back
        // restocks, which takes it).
        loop {
            let (ticket, ty) = match self.round(wait.priority, types.clone(), pools) {
                Round::Nothing => return Poll::Pending,
                Round::Ended => return self.end(wait, pools),
                Round::Got(ticket, ty) => (ticket, ty),
            };
            let mut queue = self.room.lock();
            match self.room.keep(&mut queue, wait.priority, seq, (ticket, ty)) {
                Kept::More => {}
                Kept::Complete(tickets) => {
                    wait.set_seq(None);
                    self.uncount(wait.priority, wait.target);
                    drop(queue);
                    self.after_leaving(wait.priority);
                    self.wake_room_front();
                    return Poll::Ready(Ok((tickets, wait.waited())));
                }
                Kept::Extra(ticket, ty) => {
                    // A hand-off served it meanwhile: this one goes back.
                    let served = self.room.served(&mut queue, wait.priority, seq);
                    wait.set_seq(None);
                    drop(queue);
                    pools.give_back(ty, ticket);
                    return Poll::Ready(served.map(|t| (t, wait.waited())).ok_or(Miss::Ended));
                }
            }
        }
    }

    /// Leaves the line with nothing: every kept ticket goes back.
    fn end(&self, wait: &mut AsyncWait, pools: &impl Pools<T>) -> Poll<Result<Taken<T>, Miss>> {
        self.give_back_all(self.leave(wait), pools);
        Poll::Ready(Err(Miss::Ended))
    }

    fn give_back_all(&self, tickets: Vec<(T, usize)>, pools: &impl Pools<T>) {
        for (ticket, ty) in tickets {
            pools.give_back(ty, ticket);
        }
    }

    /// Wakes the futures at the front of the line.
    fn wake_room_front(&self) {
        for waker in self.room.front() {
            waker.wake();
        }
    }

    /// Takes an async waiter out of the line (done, or dropped); returns
    /// the tickets handed to it or kept by it meanwhile, for the caller to
    /// put back.
    #[must_use]
    pub(crate) fn leave(&self, wait: &mut AsyncWait) -> Vec<(T, usize)> {
        let Some(seq) = wait.seq() else {
            return Vec::new();
        };
        let mut queue = self.room.lock();
        wait.set_seq(None);
        let handed = self.room.take_handed(&mut queue, seq);
        let removed = self.room.remove(&mut queue, wait.priority, seq);
        if removed {
            self.uncount(wait.priority, wait.target);
        }
        drop(queue);
        if removed {
            self.after_leaving(wait.priority);
            // Those it stood before may be at the front now.
            self.wake_room_front();
        }
        handed
    }
}
