//! `Subscription`: a box office's live event stream, read blocking
//! (`next`, iteration) or from asyncio (`async for`).
//!
//! `next(timeout)` tells the two "nothing" cases apart: `None` when the
//! timeout passed, `StreamEnded` when the stream is over. Iteration stops
//! at the end instead.

use std::time::{Duration, Instant};

use pyo3::exceptions::PyStopIteration;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use ticketpool_core::{Notification, Subscription as CoreSubscription};

use crate::args;
use crate::events::{notification_object, stream_ended};
use crate::wait::{blocking, deadline};

/// How long a timed-out read on a closed office looks again: an ended
/// stream answers at once, one kept open by holds waits this long.
const END_PROBE: Duration = Duration::from_millis(20);

/// What one read found.
enum Next {
    Item(Notification),
    Ended,
    TimedOut,
}

/// A live stream of a box office's typed events (`ticketpool.events`).
#[pyclass(frozen, module = "ticketpool")]
pub(crate) struct Subscription {
    inner: CoreSubscription,
    office: ticketpool_core::BoxOffice,
}

impl Subscription {
    /// A subscription of `office` buffering at most `capacity` items.
    pub(crate) fn new(office: &ticketpool_core::BoxOffice, capacity: usize) -> Self {
        Self {
            inner: office.subscribe_with_capacity(capacity),
            office: office.clone(),
        }
    }
}

#[pymethods]
impl Subscription {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.read(py, None)? {
            Next::Item(item) => notification_object(py, item),
            Next::Ended | Next::TimedOut => Err(PyStopIteration::new_err(())),
        }
    }

    /// The next event, waiting at most `timeout` seconds (`None`: until
    /// one comes). `None` if the timeout passed; raises `StreamEnded` once
    /// the stream is over.
    #[pyo3(signature = (timeout = None))]
    fn next<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let timeout = args::timeout(timeout, "timeout")?;
        match self.read(py, deadline(timeout)?)? {
            Next::Item(item) => notification_object(py, item).map(Some),
            Next::Ended => Err(stream_ended(py)),
            Next::TimedOut => Ok(None),
        }
    }

    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// An awaitable of the next event: the wait runs in the loop's
    /// executor in short slices, so the event loop never blocks and a
    /// cancelled task frees its thread quickly.
    fn __anext__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        static ANEXT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let py = slf.py();
        ANEXT
            .get_or_try_init(py, || {
                py.import("ticketpool._aio")?
                    .getattr("anext_event")
                    .map(Bound::unbind)
            })?
            .bind(py)
            .call1((slf,))
    }

    /// How many events this subscriber missed in all: dropped because its
    /// buffer was full, or published after its stream ended.
    #[getter]
    fn missed(&self) -> u64 {
        self.inner.missed()
    }

    fn __repr__(&self) -> String {
        format!(
            "Subscription(capacity={}, missed={})",
            self.inner.capacity(),
            self.inner.missed()
        )
    }
}

impl Subscription {
    fn read(&self, py: Python<'_>, deadline: Option<Instant>) -> PyResult<Next> {
        if let Some(item) = self.inner.try_next() {
            return Ok(Next::Item(item));
        }
        let inner = &self.inner;
        let got = blocking(py, deadline, |d| match d {
            None => Some(inner.recv().map_or(Next::Ended, Next::Item)),
            Some(d) => match inner.next_timeout(d.saturating_duration_since(Instant::now())) {
                Some(item) => Some(Next::Item(item)),
                // An ended stream answers before the deadline; a live one
                // only once it has passed.
                None if Instant::now() < d => Some(Next::Ended),
                None => None,
            },
        })?;
        match got {
            Some(next) => Ok(next),
            // A zero or spent timeout cannot see the end by the clock:
            // once the office is closed, look again briefly.
            None if self.office.is_closed() => Ok(py.detach(|| {
                let asked = Instant::now();
                match inner.next_timeout(END_PROBE) {
                    Some(item) => Next::Item(item),
                    None if asked.elapsed() < END_PROBE => Next::Ended,
                    None => Next::TimedOut,
                }
            })),
            None => Ok(Next::TimedOut),
        }
    }
}
