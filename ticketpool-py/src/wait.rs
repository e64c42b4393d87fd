//! Waiting without the GIL, and without deafness to Ctrl-C.
//!
//! Python runs signal handlers only on the main thread, and only when that
//! thread holds the GIL. So a blocking call on the main thread must take
//! the GIL back every [`SLICE`] to run `check_signals`: Ctrl-C then raises
//! `KeyboardInterrupt` within about one slice. Other threads never receive
//! signals, so they wait in one piece.
//!
//! Getting and buying ([`interruptible`]) use the core's interruptible
//! waits: the check runs inside the wait, with no pool or office lock held,
//! while the waiter stays registered, so a VIP on the main thread keeps its
//! place ahead of Regulars. The other blocking calls ([`blocking`]) leave
//! the core's wait between slices and enter it again, which only matters
//! where nobody has priority (putting, releasing, reading events).

use std::time::{Duration, Instant};

use std::sync::Mutex;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use ticketpool_core::Interrupt;

/// How long the main thread waits between signal checks.
const SLICE: Duration = Duration::from_millis(50);

/// Converts a `queue.Queue`-style `timeout` (seconds, `None` for ever) into
/// a deadline.
///
/// # Errors
///
/// `ValueError` for a negative or NaN timeout, as `queue.Queue` does.
pub(crate) fn deadline(timeout: Option<f64>) -> PyResult<Option<Instant>> {
    let Some(seconds) = timeout else {
        return Ok(None);
    };
    if seconds.is_nan() || seconds < 0.0 {
        return Err(PyValueError::new_err(format!(
            "'timeout' must be a non-negative number, got {seconds}"
        )));
    }
    // An absurdly long timeout is "for ever" rather than an overflow.
    Ok(Duration::try_from_secs_f64(seconds)
        .ok()
        .and_then(|d| Instant::now().checked_add(d)))
}

/// Runs `op` without the GIL until it finishes or `deadline` passes.
///
/// `op(d)` waits until `d` and returns `None` if `d` passed first; it may be
/// called several times, each with a later `d`. Returns `Ok(None)` once
/// `deadline` has passed.
///
/// # Errors
///
/// `KeyboardInterrupt` (or whatever a signal handler raises) when a signal
/// arrives while the main thread waits.
pub(crate) fn blocking<T: Send>(
    py: Python<'_>,
    deadline: Option<Instant>,
    mut op: impl FnMut(Option<Instant>) -> Option<T> + Send,
) -> PyResult<Option<T>> {
    if !on_main_thread(py)? {
        return Ok(py.detach(|| op(deadline)));
    }
    loop {
        let slice_end = Instant::now() + SLICE;
        let (until, last) = match deadline {
            Some(d) if d <= slice_end => (d, true),
            _ => (slice_end, false),
        };
        if let Some(done) = py.detach(|| op(Some(until))) {
            return Ok(Some(done));
        }
        if last {
            return Ok(None);
        }
        py.check_signals()?;
    }
}

/// Runs `op` without the GIL. On the main thread `op` gets an [`Interrupt`]
/// to wait with, whose check takes the GIL back every [`SLICE`] to run
/// signal handlers; elsewhere it gets `None` and waits in one piece.
///
/// # Errors
///
/// `KeyboardInterrupt` (or whatever a signal handler raises) when a signal
/// arrives while the main thread waits; what `op` returned is then dropped
/// (an interrupted core wait returns no item).
pub(crate) fn interruptible<T: Send>(
    py: Python<'_>,
    op: impl FnOnce(Option<&Interrupt<'_>>) -> T + Send,
) -> PyResult<T> {
    if !on_main_thread(py)? {
        return Ok(py.detach(|| op(None)));
    }
    let raised: Mutex<Option<PyErr>> = Mutex::new(None);
    // Called by the core with no lock of the pool or office held, so taking
    // the GIL here cannot deadlock against a thread that holds the GIL and
    // waits for one of those locks.
    let check = || {
        Python::attach(|py| match py.check_signals() {
            Ok(()) => false,
            Err(err) => {
                *raised.lock().unwrap_or_else(|e| e.into_inner()) = Some(err);
                true
            }
        })
    };
    let interrupt = Interrupt::new(SLICE, &check);
    let out = py.detach(|| op(Some(&interrupt)));
    match raised.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(err) => Err(err),
        None => Ok(out),
    }
}

/// `true` on the thread Python delivers signals to.
fn on_main_thread(py: Python<'_>) -> PyResult<bool> {
    static MAIN: PyOnceLock<u64> = PyOnceLock::new();
    static GET_IDENT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let main = MAIN.get_or_try_init(py, || {
        py.import("threading")?
            .call_method0("main_thread")?
            .getattr("ident")?
            .extract::<u64>()
    })?;
    let get_ident = GET_IDENT.get_or_try_init(py, || {
        py.import("threading")?
            .getattr("get_ident")
            .map(Bound::unbind)
    })?;
    Ok(get_ident.call0(py)?.extract::<u64>(py)? == *main)
}
