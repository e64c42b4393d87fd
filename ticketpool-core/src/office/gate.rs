//! Gating the office: pause and resume releases, close it, wake every
//! waiter, and end the event streams once nothing more can happen.

use crate::office::event::Event;
use crate::office::state::Inner;
use crate::pool::primitive::Ordering;

impl Inner {
    /// Pauses or resumes releases; `true` if this call changed the state.
    pub(crate) fn set_paused(&self, paused: bool) -> bool {
        let mut state = self.lock();
        if state.paused == paused {
            return false;
        }
        state.paused = paused;
        self.gauges.copy_from(&state);
        drop(state);
        self.room.notify_all();
        self.events.announce(if paused {
            &Event::Paused
        } else {
            &Event::Resumed
        });
        true
    }

    /// Closes the office; `true` if this call closed it.
    pub(crate) fn close(&self) -> bool {
        let mut state = self.lock();
        if state.closed {
            return false;
        }
        state.closed = true;
        self.gauges.copy_from(&state);
        drop(state);
        self.stock.close_all();
        self.notify_all_waiters();
        self.events.announce(&Event::Closed);
        self.end_streams_if_settled();
        true
    }

    /// Ends the subscribers' streams once nothing more can happen: the
    /// office is closed and no hold is open or being settled. `close`
    /// stores the `closed` gauge and then reads the hold table; a settle
    /// publishes, marks itself done in the table and then loads the gauge.
    /// The table's lock orders the two table visits, and the gauge store
    /// (Release) comes before close's visit, so at least one of them sees
    /// both: the streams end, after the last hold's events. The gauge,
    /// not the state mutex, keeps this off the confirm path's locks.
    pub(super) fn end_streams_if_settled(&self) {
        if self.gauges.closed.load(Ordering::Acquire) && self.holds.unsettled() == 0 {
            self.events.end_streams();
        }
    }

    /// Wakes every waiting vendor and every buyer in the line to look
    /// again. The vendors' condvar is notified under the state lock, so a
    /// vendor between its check and its wait does not miss it.
    pub(crate) fn notify_all_waiters(&self) {
        let state = self.lock();
        self.room.notify_all();
        drop(state);
        self.line.wake_all();
    }
}
