//! `ticketpool.Pool`: a bounded pool of any Python objects, on either
//! core strategy, that is a drop-in `queue.Queue`: the same `block` and
//! `timeout` rules, `task_done()`/`join()`, `maxsize`, always truthy.

use std::time::Instant;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyType};
use ticketpool_core::{DynamicPool, Priority, ReleaseError, Strategy, TakeError};

use crate::args::{positive, text, truthy, type_name, wait};
use crate::errors::{capacity_error, raise};
use crate::tasks::Tasks;
use crate::wait::{blocking, deadline, interruptible};

type Item = Py<PyAny>;

/// A bounded, thread-safe pool of Python objects with VIP-priority `get`.
#[pyclass(frozen, module = "ticketpool")]
pub(crate) struct Pool {
    // Boxed: the lock-free ring keeps its indices on 128-byte aligned cache
    // lines, and Python allocates a class's objects with 16-byte alignment
    // only, so held inline the ring would sit misaligned (undefined
    // behaviour; debug builds abort on it in `Pool::__new__`).
    inner: Box<DynamicPool<Item>>,
    tasks: Tasks,
}

// Python's allocator aligns objects to 16 bytes: a field needing more must
// be boxed (see `inner`). This fails the build if one creeps back inline.
const _: () = assert!(std::mem::align_of::<Pool>() <= 16);

/// How long a call may wait, read the way `queue.Queue` reads `block` and
/// `timeout`: `None` when it must not wait at all (`block` false, and then
/// `timeout` is ignored), else the deadline (`None` inside for ever).
type Wait = Option<Option<Instant>>;

fn wait_for(block: &Bound<'_, PyAny>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<Wait> {
    wait(block, timeout)?.map(deadline).transpose()
}

fn priority(vip: bool) -> Priority {
    if vip {
        Priority::Vip
    } else {
        Priority::Regular
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

fn put_one(py: Python<'_>, pool: &DynamicPool<Item>, item: Item, wait: Wait) -> PyResult<()> {
    let block = wait.is_some();
    let deadline = wait.flatten();
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

fn get_one(py: Python<'_>, pool: &DynamicPool<Item>, wait: Wait, vip: bool) -> PyResult<Item> {
    let block = wait.is_some();
    let deadline = wait.flatten();
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
    items: &mut Vec<Item>,
    wait: Wait,
) -> PyResult<usize> {
    let block = wait.is_some();
    let deadline = wait.flatten();
    let total = items.len();
    loop {
        // Everything that fits now goes in without releasing the GIL.
        match pool.put_many(items, Some(Instant::now())) {
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
        let waited = blocking(py, deadline, |until| match pool.put_many(items, until) {
            Ok(_) => Some(Ok(())),
            Err(ReleaseError::Timeout(())) => None,
            Err(_) => Some(Err(())),
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
    wait: Wait,
    vip: bool,
) -> PyResult<Vec<Item>> {
    let block = wait.is_some();
    let deadline = wait.flatten();
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

impl Pool {
    /// Puts one item, counted as an unfinished task if it goes in.
    fn put_counted(&self, py: Python<'_>, item: Item, wait: Wait) -> PyResult<()> {
        self.tasks.count_in(1);
        let put = put_one(py, &self.inner, item, wait);
        if put.is_err() {
            self.tasks.uncount(1);
        }
        put
    }
}

#[pymethods]
impl Pool {
    /// `Pool(capacity, *, strategy="lockfree")`.
    #[new]
    #[pyo3(signature = (capacity, *, strategy = None), text_signature = "(capacity, *, strategy='lockfree')")]
    fn new(capacity: &Bound<'_, PyAny>, strategy: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let capacity = positive(capacity, "capacity")?;
        let strategy = match strategy {
            Some(strategy) => text(strategy, "strategy")?,
            None => Strategy::LockFree.as_str().to_owned(),
        };
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
        Ok(Self {
            inner: Box::new(inner),
            tasks: Tasks::default(),
        })
    }

    /// `Pool[int]` in a type hint, as `queue.Queue[int]`.
    #[classmethod]
    fn __class_getitem__<'py>(
        cls: &Bound<'py, PyType>,
        item: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        cls.py()
            .import("types")?
            .getattr("GenericAlias")?
            .call1((cls, item))
    }

    /// Puts `item` in, waiting for room unless `block` is false (any
    /// falsy value), at most `timeout` seconds; then `Full`.
    #[pyo3(signature = (item, block = crate::args::yes(), timeout = None), text_signature = "($self, item, block=True, timeout=None)")]
    fn put(
        &self,
        py: Python<'_>,
        item: Item,
        block: Py<PyAny>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let wait = wait_for(block.bind(py), timeout)?;
        self.put_counted(py, item, wait)
    }

    /// `put(item, block=False)`.
    fn put_nowait(&self, py: Python<'_>, item: Item) -> PyResult<()> {
        self.put_counted(py, item, None)
    }

    /// Takes an item, waiting unless `block` is false (any falsy value), at
    /// most `timeout` seconds, then `Empty`; `vip=True` is served before
    /// regular callers.
    #[pyo3(signature = (block = crate::args::yes(), timeout = None, *, vip = None), text_signature = "($self, block=True, timeout=None, *, vip=False)")]
    fn get(
        &self,
        py: Python<'_>,
        block: Py<PyAny>,
        timeout: Option<&Bound<'_, PyAny>>,
        vip: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Item> {
        let wait = wait_for(block.bind(py), timeout)?;
        get_one(py, &self.inner, wait, truthy(vip, false)?)
    }

    /// `get(block=False)`.
    #[pyo3(signature = (*, vip = None), text_signature = "($self, *, vip=False)")]
    fn get_nowait(&self, py: Python<'_>, vip: Option<&Bound<'_, PyAny>>) -> PyResult<Item> {
        get_one(py, &self.inner, None, truthy(vip, false)?)
    }

    /// Puts every item of `items` in order, waiting for room as needed;
    /// returns how many went in (fewer only if the timeout passed or
    /// `block` is false). Each one put is an unfinished task.
    #[pyo3(signature = (items, block = crate::args::yes(), timeout = None), text_signature = "($self, items, block=True, timeout=None)")]
    fn put_many(
        &self,
        py: Python<'_>,
        items: &Bound<'_, PyAny>,
        block: Py<PyAny>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<usize> {
        let wait = wait_for(block.bind(py), timeout)?;
        let not_iterable = |_| {
            PyTypeError::new_err(format!(
                "items must be an iterable, got {}",
                type_name(items)
            ))
        };
        let mut items = items
            .try_iter()
            .map_err(not_iterable)?
            .map(|item| item.map(Bound::unbind))
            .collect::<PyResult<Vec<_>>>()?;
        self.tasks.count_in(items.len());
        let put = put_all(py, &self.inner, &mut items, wait);
        // Whatever is still in `items` did not go in, on every path.
        self.tasks.uncount(items.len());
        put
    }

    /// Takes up to `max_items`: waits for the first, then takes what else
    /// is there without waiting.
    #[pyo3(signature = (max_items, block = crate::args::yes(), timeout = None, *, vip = None), text_signature = "($self, max_items, block=True, timeout=None, *, vip=False)")]
    fn get_many<'py>(
        &self,
        py: Python<'py>,
        max_items: &Bound<'_, PyAny>,
        block: Py<PyAny>,
        timeout: Option<&Bound<'_, PyAny>>,
        vip: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let max_items = positive(max_items, "max_items")?;
        let wait = wait_for(block.bind(py), timeout)?;
        let items = get_up_to(py, &self.inner, max_items, wait, truthy(vip, false)?)?;
        PyList::new(py, items)
    }

    /// Marks one item taken earlier as processed, as `queue.Queue` does.
    ///
    /// Raises `ValueError` if called more times than items were put.
    fn task_done(&self) -> PyResult<()> {
        if self.tasks.done() {
            Ok(())
        } else {
            Err(PyValueError::new_err("task_done() called too many times"))
        }
    }

    /// Waits until every item put has been marked done with `task_done()`.
    /// On the main thread Ctrl-C interrupts it.
    fn join(&self, py: Python<'_>) -> PyResult<()> {
        let tasks = &self.tasks;
        blocking(py, None, |until| tasks.wait_until(until).then_some(()))?;
        Ok(())
    }

    /// Items put and not yet marked done (`queue.Queue.unfinished_tasks`).
    #[getter]
    fn unfinished_tasks(&self) -> usize {
        self.tasks.unfinished()
    }

    /// The most items the pool holds (`queue.Queue.maxsize`; the same as
    /// `capacity`, never 0: a pool is always bounded).
    #[getter]
    fn maxsize(&self) -> usize {
        self.inner.capacity()
    }

    /// Always `True`, as a `queue.Queue` is: `if pool:` asks whether there
    /// is a pool, not whether it holds items (use `empty()` for that).
    fn __bool__(&self) -> bool {
        true
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
