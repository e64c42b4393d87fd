"""Pool is a queue.Queue drop-in: the same tests run against both.

Written after reading CPython's Lib/test/test_queue.py (BaseQueueTestMixin:
basic_queue_test, queue_join_test, test_queue_task_done,
test_negative_timeout_raises_exception, test_nowait): each of its semantics
is checked here in our own words, once on queue.Queue and once on each Pool
strategy, so a difference shows up as one side failing.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import textwrap
import threading
import types
from typing import Any, Callable

import pytest

import ticketpool
from conftest import PATIENCE, Runner

SIZE = 5

Maker = Callable[[int], Any]

MAKERS: dict[str, Maker] = {
    "queue.Queue": queue.Queue,
    "Pool-lockfree": lambda n: ticketpool.Pool(n, strategy="lockfree"),
    "Pool-condvar": lambda n: ticketpool.Pool(n, strategy="condvar"),
}


@pytest.fixture(params=sorted(MAKERS))
def make(request: pytest.FixtureRequest) -> Maker:
    return MAKERS[str(request.param)]


def fill(q: Any, n: int = SIZE) -> None:
    for i in range(n):
        q.put(i)


def test_fresh_queue_is_empty_truthy_and_sized(make: Maker) -> None:
    q = make(SIZE)
    assert q.empty() and not q.full() and q.qsize() == 0
    assert bool(q) is True  # a queue.Queue is truthy even when empty
    assert q.maxsize == SIZE
    assert q.unfinished_tasks == 0


def test_items_come_out_in_the_order_they_went_in(make: Maker) -> None:
    q = make(SIZE)
    for item in [111, 333, 222]:
        q.put(item)
    assert [q.get(), q.get(), q.get()] == [111, 333, 222]


def test_full_after_maxsize_items(make: Maker) -> None:
    q = make(SIZE)
    fill(q, SIZE - 1)
    assert not q.full() and q.qsize() == SIZE - 1
    q.put("last")
    assert q.full() and not q.empty() and bool(q)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("block", [False, 0, "", None])
def test_any_falsy_block_raises_full_and_empty_at_once(make: Maker, block: Any) -> None:
    q = make(SIZE)
    fill(q)
    with pytest.raises(queue.Full):
        q.put("more", block)
    with pytest.raises(queue.Full):
        q.put("more", block=block)
    for _ in range(SIZE):
        q.get()
    with pytest.raises(queue.Empty):
        q.get(block)
    with pytest.raises(queue.Empty):
        q.get(block=block)


@pytest.mark.timeout(30)
def test_a_timeout_raises_full_and_empty(make: Maker) -> None:
    q = make(SIZE)
    fill(q)
    with pytest.raises(queue.Full):
        q.put("more", timeout=0.01)
    with pytest.raises(queue.Full):
        q.put("more", True, 0)  # timeout 0: one try, now
    for _ in range(SIZE):
        q.get()
    with pytest.raises(queue.Empty):
        q.get(timeout=0.01)
    with pytest.raises(queue.Empty):
        q.get(1, 0.01)  # any truthy block, positional timeout


@pytest.mark.timeout(30)
@pytest.mark.parametrize("args", [(), (True, PATIENCE), (1, PATIENCE), ("yes", None)])
def test_a_blocked_put_finishes_once_another_thread_gets(make: Maker, args: tuple[Any, ...]) -> None:
    q = make(SIZE)
    fill(q)
    putter = Runner(lambda: q.put("late", *args))
    putter.start()
    assert q.get() == 0
    putter.outcome()
    assert [q.get() for _ in range(SIZE)] == [1, 2, 3, 4, "late"]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("args", [(), (True, PATIENCE), (1, PATIENCE), ("yes", None)])
def test_a_blocked_get_finishes_once_another_thread_puts(make: Maker, args: tuple[Any, ...]) -> None:
    q = make(SIZE)
    getter = Runner(lambda: q.get(*args))
    getter.start()
    q.put("empty")
    assert getter.outcome() == "empty"


def test_nowait_forms(make: Maker) -> None:
    q = make(SIZE)
    for _ in range(SIZE):
        q.put_nowait(1)
    with pytest.raises(queue.Full):
        q.put_nowait(1)
    for _ in range(SIZE):
        assert q.get_nowait() == 1
    with pytest.raises(queue.Empty):
        q.get_nowait()


def test_a_negative_timeout_is_a_value_error_when_blocking(make: Maker) -> None:
    q = make(SIZE)
    with pytest.raises(ValueError, match="'timeout' must be a non-negative number"):
        q.put(1, timeout=-1)
    with pytest.raises(ValueError, match="'timeout' must be a non-negative number"):
        q.get(1, timeout=-1)
    # queue.Queue reads no timeout when it does not block.
    q.put(1, False, -1)
    assert q.get(False, -1) == 1


def test_a_timeout_that_is_not_a_number_is_a_type_error(make: Maker) -> None:
    q = make(SIZE)
    with pytest.raises(TypeError):
        q.get(True, "soon")
    with pytest.raises(TypeError):
        q.put(1, True, "soon")


def test_task_done_more_often_than_put_is_a_value_error(make: Maker) -> None:
    q = make(SIZE)
    with pytest.raises(ValueError, match="task_done\\(\\) called too many times"):
        q.task_done()
    q.put("a")
    assert q.unfinished_tasks == 1
    q.get()
    assert q.unfinished_tasks == 1  # taking is not finishing
    q.task_done()
    assert q.unfinished_tasks == 0
    with pytest.raises(ValueError):
        q.task_done()


def test_a_refused_put_is_not_an_unfinished_task(make: Maker) -> None:
    q = make(1)
    q.put("a")
    with pytest.raises(queue.Full):
        q.put_nowait("b")
    assert q.unfinished_tasks == 1


@pytest.mark.timeout(60)
def test_join_waits_until_every_item_is_done_and_can_join_twice(make: Maker) -> None:
    q = make(SIZE)
    total = [0]
    lock = threading.Lock()

    def worker() -> None:
        while True:
            x = q.get()
            if x < 0:
                q.task_done()
                return
            with lock:
                total[0] += x
            q.task_done()

    for _ in range(2):
        workers = [threading.Thread(target=worker, daemon=True) for _ in range(2)]
        for thread in workers:
            thread.start()
        for i in range(100):
            q.put(i)
        q.join()
        assert total[0] == sum(range(100))
        for _ in workers:
            q.put(-1)
        q.join()  # joining twice works
        for thread in workers:
            thread.join(PATIENCE)
            assert not thread.is_alive()
        total[0] = 0
    with pytest.raises(ValueError):
        q.task_done()


@pytest.mark.timeout(30)
def test_join_blocks_while_a_task_is_unfinished(make: Maker) -> None:
    q = make(SIZE)
    q.put("job")
    done = threading.Event()

    def join_then_flag() -> None:
        q.join()
        done.set()

    joiner = Runner(join_then_flag)
    joiner.start()
    q.get()
    # The joiner cannot have finished: one task is still open.
    assert not done.is_set()
    q.task_done()
    joiner.outcome()
    assert done.is_set()


def test_join_returns_at_once_with_nothing_unfinished(make: Maker) -> None:
    make(SIZE).join()


def test_subscripting_gives_a_generic_alias_as_queue_queue_does() -> None:
    for cls in (queue.Queue, ticketpool.Pool):
        alias = cls[int]
        assert isinstance(alias, types.GenericAlias)
        assert alias.__origin__ is cls and alias.__args__ == (int,)
    pool: ticketpool.Pool[str] = ticketpool.Pool[str](2)
    pool.put("x")
    assert pool.get() == "x"


def test_exceptions_are_the_queue_modules_or_subclasses() -> None:
    assert issubclass(ticketpool.Full, queue.Full)
    assert issubclass(ticketpool.Empty, queue.Empty)


def test_put_many_counts_each_item_put_as_a_task() -> None:
    pool = ticketpool.Pool(3)
    assert pool.put_many(["a", "b", "c", "d"], block=False) == 3
    assert pool.unfinished_tasks == 3
    for _ in pool.get_many(3):
        pool.task_done()
    pool.join()
    assert pool.unfinished_tasks == 0


# The join() case of test_signals: Ctrl-C on the main thread must reach a
# join() that waits for a task no worker will ever finish.
JOIN_CHILD = """
import os, signal, threading, time
import ticketpool
signal.signal(signal.SIGINT, signal.default_int_handler)
pool = ticketpool.Pool(2, strategy={strategy!r})
pool.put("never done")
sent = []
entered = threading.Event()
def interrupt():
    entered.wait()
    time.sleep(0.05)  # join() counts no waiters: most likely blocked by now
    sent.append(time.monotonic())
    os.kill(os.getpid(), signal.SIGINT)
threading.Thread(target=interrupt, daemon=True).start()
try:
    entered.set()
    pool.join()
except KeyboardInterrupt:
    print("interrupted after", time.monotonic() - sent[0], pool.unfinished_tasks)
else:
    print("returned without interrupt")
"""


@pytest.mark.timeout(30)
def test_ctrl_c_interrupts_join_on_the_main_thread(strategy: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(JOIN_CHILD.format(strategy=strategy))],
        capture_output=True,
        text=True,
        timeout=20,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stderr
    words = done.stdout.split()
    assert words[:2] == ["interrupted", "after"], done.stdout + done.stderr
    assert float(words[2]) < 0.5, f"KeyboardInterrupt took {words[2]} s"
    assert words[3] == "1"  # the interrupted join left the count alone


@pytest.mark.timeout(30)
def test_join_from_a_thread_sees_task_done_from_another(strategy: str) -> None:
    pool: ticketpool.Pool[int] = ticketpool.Pool(4, strategy=strategy)
    pool.put_many([1, 2, 3])
    joiner = Runner(pool.join)
    joiner.start()
    for _ in range(3):
        pool.get()
        pool.task_done()
    joiner.outcome()


@pytest.mark.timeout(60)
def test_the_queue_dropin_example_runs() -> None:
    example = os.path.join(os.path.dirname(__file__), "..", "examples", "queue_dropin.py")
    done = subprocess.run(
        [sys.executable, example], capture_output=True, text=True, timeout=50
    )
    assert done.returncode == 0, done.stderr
    assert "for 1550 cents" in done.stdout and "paused" in done.stdout


@pytest.mark.timeout(120)
def test_task_done_right_after_get_never_runs_ahead_of_the_count(strategy: str) -> None:
    # Items are counted before they go in: a consumer that takes one at once
    # and calls task_done() must never see "called too many times".
    pool: ticketpool.Pool[int] = ticketpool.Pool(2, strategy=strategy)
    per_producer, producers, consumers = 2000, 3, 3
    errors: list[BaseException] = []

    def produce() -> None:
        for i in range(per_producer):
            pool.put(i)

    def consume() -> None:
        while True:
            if pool.get() < 0:
                pool.task_done()
                return
            try:
                pool.task_done()
            except ValueError as exc:
                errors.append(exc)

    threads = [threading.Thread(target=consume, daemon=True) for _ in range(consumers)]
    threads += [threading.Thread(target=produce, daemon=True) for _ in range(producers)]
    for thread in threads:
        thread.start()
    for thread in threads[consumers:]:
        thread.join(PATIENCE)
    pool.join()
    for _ in range(consumers):
        pool.put(-1)
    pool.join()
    for thread in threads:
        thread.join(PATIENCE)
        assert not thread.is_alive()
    assert errors == [] and pool.unfinished_tasks == 0
