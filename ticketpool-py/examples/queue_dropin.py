"""Code written for queue.Queue runs unchanged on ticketpool.Pool.

`mypy --strict` checks this file (scripts/test-all.sh), so it also shows
that `Pool[int]` types items as `queue.Queue[int]` does; the test suite
runs it (tests/test_queue_compat.py).
"""

from __future__ import annotations

import queue
import threading
from decimal import Decimal
from typing import Union

import ticketpool

Jobs = Union["queue.Queue[int]", "ticketpool.Pool[int]"]


def sum_with_workers(jobs: Jobs, n: int) -> int:
    """Two workers add up 0..n-1 taken from `jobs`; `join()` waits for them."""
    total = 0
    lock = threading.Lock()

    def worker() -> None:
        nonlocal total
        while True:
            job: int = jobs.get()
            with lock:
                total += job
            jobs.task_done()

    for _ in range(2):
        threading.Thread(target=worker, daemon=True).start()
    for i in range(n):
        jobs.put(i)
    jobs.join()
    return total


def main() -> None:
    expected = sum(range(1000))
    assert sum_with_workers(queue.Queue(8), 1000) == expected
    pool: ticketpool.Pool[int] = ticketpool.Pool(8)
    assert sum_with_workers(pool, 1000) == expected
    assert pool and pool.maxsize == 8 and pool.unfinished_tasks == 0

    # The office, in the same style: *_nowait raises Full/Empty/Paused.
    office = ticketpool.BoxOffice(
        {
            "event_name": "gig",
            "total_tickets": 2,
            "max_capacity": 1,
            "ticket_types": [{"name": "general", "price": Decimal("15.50")}],
        }
    )
    vendor = office.add_vendor("north")
    vendor.release_nowait("general")
    try:
        vendor.release_nowait("general")
    except queue.Full:
        pass  # the office holds one ticket at a time
    sale = office.customer("ann").buy_nowait()
    print(f"sold ticket {sale.ticket.id} for {sale.price} cents")
    office.pause()
    try:
        vendor.release("general", block=False)
    except ticketpool.Paused:
        print("paused: no releases")


if __name__ == "__main__":
    main()
