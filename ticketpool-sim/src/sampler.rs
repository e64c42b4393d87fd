//! The sampler: a thread that snapshots the office at a fixed interval,
//! keeps the timeline and feeds the progress callback.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::control::Shared;
use crate::timeline::{Progress, TimelinePoint};

/// The progress callback's type.
pub(crate) type ProgressFn = Box<dyn FnMut(&Progress) + Send>;

/// Samples until the run ends; returns the timeline.
pub(crate) fn sample(
    shared: &Arc<Shared>,
    started: Instant,
    interval: Duration,
    mut progress: Option<ProgressFn>,
) -> Vec<TimelinePoint> {
    let mut timeline = Vec::new();
    let mut due = started;
    loop {
        let snapshot = shared.office.snapshot();
        let elapsed = started.elapsed();
        timeline.push(TimelinePoint::of(&snapshot, elapsed));
        if let Some(progress) = progress.as_mut() {
            progress(&Progress { elapsed, snapshot });
        }
        // Deadline-based, so samples stay on the interval grid; a slow
        // callback skips samples rather than drifting.
        due += interval;
        let now = Instant::now();
        while due < now {
            due += interval;
        }
        if !shared.sleep_until(due) {
            return timeline;
        }
    }
}
