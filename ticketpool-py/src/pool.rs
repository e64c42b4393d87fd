//! `ticketpool.Pool`: a bounded pool of any Python objects in the
//! `queue.Queue` style, on either core strategy.

use std::time::Instant;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList};
use ticketpool_core::{DynamicPool, Priority, ReleaseError, Strategy, TakeError};

use crate::errors::{capacity_error, raise};
use crate::wait::{blocking, deadline, interruptible};

type Item = Py<PyAny>;

/// A bounded, thread-safe pool of Python objects with VIP-priority `get`.
#[pyclass(frozen, module = "ticketpool")]
pub(crate) struct Pool {
    inner: DynamicPool<Item>,
}

fn priority(vip: bool) -> Priority {
    if vip {
        Priority::Vip
    } else {
        Priority::Regular
    }
}

/// A count argument: `TypeError` if not an int, `ValueError` if below 1 or
/// past what a `usize` holds (rather than pyo3's `OverflowError`).
pub(crate) fn positive(value: &Bound<'_, PyAny>, name: &str) -> PyResult<usize> {
    let int = value.cast::<PyInt>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{name} must be an int, got {}",
            value
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    match int
        .extract::<u64>()
        .ok()
        .and_then(|n| usize::try_from(n).ok())
    {
        Some(n) if n > 0 => Ok(n),
        _ => Err(PyValueError::new_err(format!(
            "{name} must be at least 1 and fit in 64 bits, got {int}"
        ))),
    }
}

fn full(py: Python<'_>) -> PyErr {
    raise(py, |e| &e.full, "the pool is full")
}

fn empty(py: Python<'_>) -> PyErr {
    raise(py, |e| &e.empty, "the pool is empty")
}

fn closed(py: Python<'_>, what: &str) -> PyErr {
    raise(py, |e| &e.closed, what.to_owned())
}

fn take_error(py: Python<'_>, err: TakeError) -> PyErr {
    match err {
        TakeError::Closed => closed(py, "the pool is closed and drained"),
        // Empty, Timeout, and any reason a newer core adds: nothing to get.
        _ => empty(py),
    }
}

fn put_one(
    py: Python<'_>,
    pool: &DynamicPool<Item>,
    item: Item,
    block: bool,
    timeout: Option<f64>,
) -> PyResult<()> {
    let deadline = deadline(timeout)?;
    // Fast path: no GIL release when there is room.
    let item = match pool.try_put(item) {
        Ok(()) => return Ok(()),
        Err(ReleaseError::Full(item)) if block => item,
        Err(ReleaseError::Closed(_)) => return Err(closed(py, "the pool is closed")),
        Err(_) => return Err(full(py)),
    };
    let mut slot = Some(item);
    let outcome = blocking(py, deadline, |until| {
        let item = slot.take()?;
        match pool.put_until(item, until) {
            Ok(()) => Some(Ok(())),
            Err(ReleaseError::Timeout(item)) => {
                slot = Some(item);
                None
            }
            Err(other) => Some(Err(other.is_closed())),
        }
    })?;
    match outcome {
        Some(Ok(())) => Ok(()),
        Some(Err(true)) => Err(closed(py, "the pool is closed")),
        Some(Err(false)) | None => Err(full(py)),
    }
}

fn get_one(
    py: Python<'_>,
    pool: &DynamicPool<Item>,
    block: bool,
    timeout: Option<f64>,
    vip: bool,
) -> PyResult<Item> {
    let deadline = deadline(timeout)?;
    let priority = priority(vip);
    match pool.try_take(priority) {
        Ok(item) => return Ok(item),
        Err(TakeError::Empty) if block => {}
        Err(err) => return Err(take_error(py, err)),
    }
    // The getter stays in the pool's line while the main thread checks for
    // signals, so a VIP getter keeps its place.
    let outcome = interruptible(py, |interrupt| match interrupt {
        Some(interrupt) => pool.take_interruptible(priority, deadline, interrupt),
        None => pool.take_until(priority, deadline),
    })?;
    outcome.map_err(|err| take_error(py, err))
}

fn put_all(
    py: Python<'_>,
    pool: &DynamicPool<Item>,
    mut items: Vec<Item>,
    block: bool,
    timeout: Option<f64>,
) -> PyResult<usize> {
    let deadline = deadline(timeout)?;
    let total = items.len();
    loop {
        // Everything that fits now goes in without releasing the GIL.
        match pool.put_many(&mut items, Some(Instant::now())) {
            Ok(_) | Err(ReleaseError::Full(())) => {}
            Err(_) => return closed_after(py, total - items.len(), total),
        }
        if items.is_empty() {
            return Ok(total);
        }
        let moved = total - items.len();
        if !block {
            return if moved > 0 { Ok(moved) } else { Err(full(py)) };
        }
        let waited = blocking(py, deadline, |until| {
            match pool.put_many(&mut items, until) {
                Ok(_) => Some(Ok(())),
                Err(ReleaseError::Timeout(())) => None,
                Err(_) => Some(Err(())),
            }
        })?;
        match waited {
            Some(Ok(())) => {}
            Some(Err(())) => return closed_after(py, total - items.len(), total),
            None if moved > 0 => return Ok(moved),
            None => return Err(full(py)),
        }
    }
}

fn closed_after(py: Python<'_>, moved: usize, total: usize) -> PyResult<usize> {
    Err(closed(
        py,
        &format!("the pool is closed ({moved} of {total} items were put)"),
    ))
}

fn get_up_to(
    py: Python<'_>,
    pool: &DynamicPool<Item>,
    max_items: usize,
    block: bool,
    timeout: Option<f64>,
    vip: bool,
) -> PyResult<Vec<Item>> {
    let deadline = deadline(timeout)?;
    let priority = priority(vip);
    let mut out = Vec::with_capacity(max_items.min(pool.capacity()));
    match pool.take_many(priority, max_items, &mut out, Some(Instant::now())) {
        Ok(_) => return Ok(out),
        Err(TakeError::Empty) if block => {}
        Err(err) => return Err(take_error(py, err)),
    }
    let waited = blocking(py, deadline, |until| {
        match pool.take_many(priority, max_items, &mut out, until) {
            Err(TakeError::Timeout) => None,
            other => Some(other),
        }
    })?;
    match waited {
        Some(Ok(_)) => Ok(out),
        Some(Err(err)) => Err(take_error(py, err)),
        None => Err(empty(py)),
    }
}

#[pymethods]
impl Pool {
    /// `Pool(capacity, *, strategy="lockfree")`.
    #[new]
    #[pyo3(signature = (capacity, *, strategy = "lockfree"))]
    fn new(capacity: &Bound<'_, PyAny>, strategy: &str) -> PyResult<Self> {
        let capacity = positive(capacity, "capacity")?;
        let Some(strategy) = [Strategy::LockFree, Strategy::Condvar]
            .into_iter()
            .find(|s| s.as_str() == strategy)
        else {
            return Err(PyValueError::new_err(format!(
                "strategy must be 'lockfree' or 'condvar', got {strategy:?}"
            )));
        };
        let inner =
            DynamicPool::with_capacity(strategy, capacity).map_err(|e| capacity_error(&e))?;
        Ok(Self { inner })
    }

    /// Puts `item` in, waiting for room unless `block` is false, at most
    /// `timeout` seconds.
    #[pyo3(signature = (item, block = true, timeout = None))]
    fn put(&self, py: Python<'_>, item: Item, block: bool, timeout: Option<f64>) -> PyResult<()> {
        put_one(py, &self.inner, item, block, timeout)
    }

    /// `put(item, block=False)`.
    fn put_nowait(&self, py: Python<'_>, item: Item) -> PyResult<()> {
        put_one(py, &self.inner, item, false, None)
    }

    /// Takes an item, waiting unless `block` is false, at most `timeout`
    /// seconds; `vip=True` is served before regular callers.
    #[pyo3(signature = (block = true, timeout = None, *, vip = false))]
    fn get(&self, py: Python<'_>, block: bool, timeout: Option<f64>, vip: bool) -> PyResult<Item> {
        get_one(py, &self.inner, block, timeout, vip)
    }

    /// `get(block=False)`.
    #[pyo3(signature = (*, vip = false))]
    fn get_nowait(&self, py: Python<'_>, vip: bool) -> PyResult<Item> {
        get_one(py, &self.inner, false, None, vip)
    }

    /// Puts every item of `items` in order, waiting for room as needed;
    /// returns how many went in (fewer only if the timeout passed or
    /// `block` is false).
    #[pyo3(signature = (items, block = true, timeout = None))]
    fn put_many(
        &self,
        py: Python<'_>,
        items: &Bound<'_, PyAny>,
        block: bool,
        timeout: Option<f64>,
    ) -> PyResult<usize> {
        let items = items
            .try_iter()?
            .map(|item| item.map(Bound::unbind))
            .collect::<PyResult<Vec<_>>>()?;
        put_all(py, &self.inner, items, block, timeout)
    }

    /// Takes up to `max_items`: waits for the first, then takes what else
    /// is there without waiting.
    #[pyo3(signature = (max_items, block = true, timeout = None, *, vip = false))]
    fn get_many<'py>(
        &self,
        py: Python<'py>,
        max_items: &Bound<'_, PyAny>,
        block: bool,
        timeout: Option<f64>,
        vip: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let max_items = positive(max_items, "max_items")?;
        let items = get_up_to(py, &self.inner, max_items, block, timeout, vip)?;
        PyList::new(py, items)
    }

    /// Closes the pool: waiting and later puts raise `Closed`; gets drain
    /// what is left, then raise `Closed`. Returns `True` if this call
    /// closed it.
    fn close(&self) -> bool {
        self.inner.close()
    }

    /// `True` once closed.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// The most items the pool holds.
    #[getter]
    fn capacity(&self) -> usize {
        self.inner.capacity()
    }

    /// `"lockfree"` or `"condvar"`.
    #[getter]
    fn strategy(&self) -> &'static str {
        self.inner.strategy().as_str()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// How many items are in the pool now (as `queue.Queue.qsize`).
    fn qsize(&self) -> usize {
        self.__len__()
    }

    /// `True` if no item is in the pool now.
    fn empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// `True` if the pool is at capacity now.
    fn full(&self) -> bool {
        self.inner.is_full()
    }

    /// How many callers wait in `get` (`vip` selects the priority).
    #[pyo3(signature = (*, vip = false))]
    fn waiting_getters(&self, vip: bool) -> usize {
        self.inner.waiting_consumers(priority(vip))
    }

    fn __repr__(&self) -> String {
        format!(
            "Pool(capacity={}, strategy={:?}, len={}{})",
            self.capacity(),
            self.strategy(),
            self.__len__(),
            if self.closed() { ", closed" } else { "" }
        )
    }
}
