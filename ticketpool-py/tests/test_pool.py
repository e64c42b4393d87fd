"""ticketpool.Pool: queue.Queue semantics, VIP priority, GIL release, close."""

from __future__ import annotations

import gc
import queue
import threading
import time
import weakref

import pytest

import ticketpool
from conftest import Runner, wait_until


def test_put_get_is_fifo(strategy: str) -> None:
    pool = ticketpool.Pool(8, strategy=strategy)
    items = [1, "two", (3,), None, {"five": 5}]
    for item in items:
        pool.put(item)
    assert len(pool) == 5 and pool.qsize() == 5
    assert [pool.get() for _ in items] == items
    assert pool.empty() and not pool.full()
    assert pool.capacity == 8 and pool.strategy == strategy


def test_full_and_empty_are_queue_exceptions(strategy: str) -> None:
    pool = ticketpool.Pool(1, strategy=strategy)
    with pytest.raises(queue.Empty):
        pool.get_nowait()
    with pytest.raises(queue.Empty):
        pool.get(block=False)
    pool.put_nowait("a")
    assert pool.full()
    with pytest.raises(queue.Full) as full:
        pool.put_nowait("b")
    assert isinstance(full.value, ticketpool.Full)
    assert isinstance(full.value, ticketpool.TicketPoolError)
    assert issubclass(ticketpool.Empty, queue.Empty)
    assert issubclass(ticketpool.Empty, ticketpool.TicketPoolError)


@pytest.mark.timeout(10)
def test_timeouts_raise_full_and_empty_after_waiting(strategy: str) -> None:
    pool = ticketpool.Pool(1, strategy=strategy)
    started = time.monotonic()
    with pytest.raises(ticketpool.Empty):
        pool.get(timeout=0.1)
    assert time.monotonic() - started >= 0.09
    pool.put(1)
    started = time.monotonic()
    with pytest.raises(ticketpool.Full):
        pool.put(2, timeout=0.1)
    assert time.monotonic() - started >= 0.09
    assert pool.get() == 1  # the rejected item did not go in


@pytest.mark.timeout(10)
def test_blocked_get_releases_the_gil(strategy: str) -> None:
    pool = ticketpool.Pool(1, strategy=strategy)
    getter = Runner(pool.get)
    getter.start()
    wait_until(lambda: pool.waiting_getters() == 1)
    # Counting runs only if the getter let go of the GIL: a getter holding it
    # would hang this loop (and pytest-timeout fails it). No clock involved.
    counter = 0
    while counter < 100_000:
        counter += 1
    assert getter.is_alive()
    assert pool.waiting_getters() == 1
    pool.put("done")
    assert getter.outcome() == "done"


@pytest.mark.timeout(10)
def test_counter_thread_runs_while_main_thread_blocks_in_get(strategy: str) -> None:
    pool = ticketpool.Pool(1, strategy=strategy)
    counts = [0]
    stop = threading.Event()

    def count() -> None:
        while not stop.is_set():
            counts[0] += 1

    counter = threading.Thread(target=count)
    counter.start()
    try:
        wait_until(lambda: counts[0] > 0)  # the counter is going
        before = counts[0]
        with pytest.raises(ticketpool.Empty):
            pool.get(timeout=0.3)  # the main thread: sliced waiting
        # It counted while the main thread was blocked in get.
        assert counts[0] - before > 1000
    finally:
        stop.set()
        counter.join()


@pytest.mark.timeout(10)
def test_vip_getter_is_served_before_an_earlier_regular_one(strategy: str) -> None:
    pool = ticketpool.Pool(4, strategy=strategy)
    regular = Runner(lambda: pool.get())
    regular.start()
    wait_until(lambda: pool.waiting_getters() == 1)
    vip = Runner(lambda: pool.get(vip=True))
    vip.start()
    wait_until(lambda: pool.waiting_getters(vip=True) == 1)
    pool.put("first")
    assert vip.outcome() == "first"
    assert regular.is_alive()
    pool.put("second")
    assert regular.outcome() == "second"


@pytest.mark.timeout(60)
def test_four_producers_four_consumers_lose_and_duplicate_nothing(strategy: str) -> None:
    pool = ticketpool.Pool(16, strategy=strategy)
    per_producer = 5_000
    got: list[list[int]] = [[] for _ in range(4)]

    def produce(base: int) -> None:
        for i in range(per_producer):
            pool.put(base + i)

    def consume(out: list[int], vip: bool) -> None:
        while True:
            try:
                out.append(pool.get(vip=vip))
            except ticketpool.Closed:
                return

    producers = [threading.Thread(target=produce, args=(p * per_producer,)) for p in range(4)]
    consumers = [threading.Thread(target=consume, args=(got[c], c % 2 == 0)) for c in range(4)]
    for t in producers + consumers:
        t.start()
    for t in producers:
        t.join()
    pool.close()
    for t in consumers:
        t.join()
    received = [x for out in got for x in out]
    assert sorted(received) == list(range(4 * per_producer))


@pytest.mark.timeout(10)
def test_close_wakes_blocked_getters_after_the_rest_is_drained(strategy: str) -> None:
    pool = ticketpool.Pool(2, strategy=strategy)
    getter = Runner(pool.get)
    getter.start()
    wait_until(lambda: pool.waiting_getters() == 1)
    assert pool.close() is True
    assert pool.close() is False
    with pytest.raises(ticketpool.Closed):
        getter.outcome()
    assert pool.closed


@pytest.mark.timeout(10)
def test_close_keeps_items_for_getters_and_refuses_puts(strategy: str) -> None:
    pool = ticketpool.Pool(1, strategy=strategy)
    pool.put("left")
    putter = Runner(lambda: pool.put("blocked"))
    putter.start()
    wait_until(lambda: putter.is_alive() and pool.full())
    # Kept: the pool counts no waiting putters, so this only makes it likely
    # the put is blocked when close comes; blocked or not, it must raise
    # Closed, so the outcome never depends on the sleep.
    time.sleep(0.02)
    pool.close()
    with pytest.raises(ticketpool.Closed):
        putter.outcome()
    with pytest.raises(ticketpool.Closed):
        pool.put("late")
    assert pool.get() == "left"
    with pytest.raises(ticketpool.Closed):
        pool.get()


@pytest.mark.timeout(10)
def test_put_many_waits_for_room_and_get_many_takes_a_batch(strategy: str) -> None:
    pool = ticketpool.Pool(4, strategy=strategy)
    putter = Runner(lambda: pool.put_many(range(10)))
    putter.start()
    received: list[int] = []
    while len(received) < 10:
        received.extend(pool.get_many(3, timeout=5))
    assert putter.outcome() == 10
    assert received == list(range(10))
    assert pool.put_many(["a", "b", "c", "d", "e"], block=False) == 4
    assert pool.get_many(10) == ["a", "b", "c", "d"]
    with pytest.raises(ticketpool.Empty):
        pool.get_many(2, timeout=0.01)


def test_items_are_released_when_the_pool_goes(strategy: str) -> None:
    class Item:
        pass

    pool = ticketpool.Pool(4, strategy=strategy)
    taken, left = Item(), Item()
    refs = [weakref.ref(taken), weakref.ref(left)]
    pool.put(taken)
    pool.put(left)
    del taken, left
    assert pool.get() is refs[0]()
    gc.collect()
    assert refs[0]() is None  # the taken item has no hidden reference
    assert refs[1]() is not None  # the pool keeps what it holds
    del pool
    gc.collect()
    assert refs[1]() is None  # ...and lets it go with the pool


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: ticketpool.Pool(0), ValueError, "capacity"),
        (lambda: ticketpool.Pool(-3), ValueError, "capacity"),
        (lambda: ticketpool.Pool("8"), TypeError, "capacity must be an int"),  # type: ignore[arg-type]
        (lambda: ticketpool.Pool(2**70), ValueError, "capacity"),
        (lambda: ticketpool.Pool(8, strategy="fast"), ValueError, "strategy"),
        (lambda: ticketpool.Pool(8).get(timeout=-1), ValueError, "timeout"),
        (lambda: ticketpool.Pool(8).get(timeout="soon"), TypeError, "timeout"),  # type: ignore[arg-type]
        (lambda: ticketpool.Pool(8).get_many(0), ValueError, "max_items"),
        (lambda: ticketpool.Pool(8).put_many(5), TypeError, "iterable"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_raise_type_or_value_errors(make: object, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        make()  # type: ignore[operator]


def test_capacity_past_what_the_strategy_indexes_is_a_value_error(strategy: str) -> None:
    with pytest.raises((ValueError, MemoryError)):
        ticketpool.Pool(2**62, strategy=strategy)
