//! `queue.Queue`'s task accounting for `Pool`: every item put is an
//! unfinished task until a consumer calls `task_done()`; `join()` waits
//! until none is left.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

/// The unfinished-task count and the condition `join()` waits on.
#[derive(Default)]
pub(crate) struct Tasks {
    unfinished: Mutex<usize>,
    all_done: Condvar,
}

impl Tasks {
    fn count(&self) -> MutexGuard<'_, usize> {
        // A panic cannot leave the count half-written: it is one integer.
        self.unfinished.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts `n` items about to be put. Counting before the put (and
    /// [`Tasks::uncount`]ing what did not go in) means a consumer that
    /// takes the item at once never calls `task_done()` ahead of the count.
    pub(crate) fn count_in(&self, n: usize) {
        *self.count() += n;
    }

    /// Takes back `n` counted items that were not put after all.
    pub(crate) fn uncount(&self, n: usize) {
        if n > 0 {
            let mut count = self.count();
            *count = count.saturating_sub(n);
            if *count == 0 {
                self.all_done.notify_all();
            }
        }
    }

    /// One task finished; `false` if none was unfinished (`queue.Queue`
    /// raises `ValueError` then, and so does `Pool`).
    pub(crate) fn done(&self) -> bool {
        let mut count = self.count();
        if *count == 0 {
            return false;
        }
        *count -= 1;
        if *count == 0 {
            self.all_done.notify_all();
        }
        true
    }

    /// How many tasks are unfinished now.
    pub(crate) fn unfinished(&self) -> usize {
        *self.count()
    }

    /// Waits until no task is unfinished or `until` passes; `true` once
    /// none is.
    pub(crate) fn wait_until(&self, until: Option<Instant>) -> bool {
        let mut count = self.count();
        while *count > 0 {
            match until {
                None => {
                    count = self.all_done.wait(count).unwrap_or_else(|e| e.into_inner());
                }
                Some(until) => {
                    let left = until.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return false;
                    }
                    count = self
                        .all_done
                        .wait_timeout(count, left)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
        }
        true
    }
}
