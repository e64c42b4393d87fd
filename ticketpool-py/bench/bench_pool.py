"""Compares ticketpool.Pool with queue.Queue, and simulate() with the same
scenario written in pure Python, in one run. Prints a Markdown table.

    python ticketpool-py/bench/bench_pool.py [--quick]

Each figure is the best of a few repeats (items or tickets per second);
ratios are against queue.Queue / the pure-Python simulation.
"""

from __future__ import annotations

import argparse
import queue
import threading
import time
from typing import Any, Callable, Protocol

import ticketpool


class AnyQueue(Protocol):
    def put(self, item: Any) -> None: ...
    def get(self) -> Any: ...


def one_thread(q: AnyQueue, n: int) -> float:
    put, get = q.put, q.get
    start = time.perf_counter()
    for i in range(n):
        put(i)
        get()
    return n / (time.perf_counter() - start)


def threaded(make: Callable[[], AnyQueue], n: int, producers: int, consumers: int) -> float:
    q = make()
    per_producer = n // producers
    total = per_producer * producers
    per_consumer = [total // consumers + (1 if c < total % consumers else 0) for c in range(consumers)]

    def produce() -> None:
        put = q.put
        for i in range(per_producer):
            put(i)

    def consume(count: int) -> None:
        get = q.get
        for _ in range(count):
            get()

    threads = [threading.Thread(target=produce) for _ in range(producers)]
    threads += [threading.Thread(target=consume, args=(c,)) for c in per_consumer]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total / (time.perf_counter() - start)


def best(repeats: int, run: Callable[[], float]) -> float:
    return max(run() for _ in range(repeats))


def python_simulation(tickets: int, capacity: int, vendors: int, customers: int) -> float:
    """The simulator's scenario with threads and queue.Queue: vendors release
    priced tickets into a bounded queue, customers buy until sold out and
    record each sale."""
    q: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=capacity)
    lock = threading.Lock()
    released = [0]
    sales: list[dict[str, Any]] = []

    def vendor(name: str) -> None:
        while True:
            with lock:
                if released[0] >= tickets:
                    return
                released[0] += 1
                ticket_id = released[0]
            q.put({"id": ticket_id, "type": "general", "vendor": name, "price": 1500,
                   "released_at": time.time()})

    def customer(name: str) -> None:
        while True:
            ticket = q.get()
            if ticket is None:
                return
            sale = {"ticket": ticket, "customer": name, "price": ticket["price"],
                    "sold_at": time.time()}
            with lock:
                sales.append(sale)
                done = len(sales) == tickets
            if done:
                for _ in range(customers):
                    q.put(None)

    threads = [threading.Thread(target=vendor, args=(f"v{i}",)) for i in range(vendors)]
    threads += [threading.Thread(target=customer, args=(f"c{i}",)) for i in range(customers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    assert len(sales) == tickets
    return tickets / elapsed


def rust_simulation(tickets: int, capacity: int, vendors: int, customers: int, strategy: str) -> float:
    # Timed around the whole call (threads, run, report), as the Python
    # version is, not by the report's own elapsed time.
    start = time.perf_counter()
    report = ticketpool.simulate(
        {
            "seed": 1,
            "duration_ms": 600_000,
            "office": {
                "event_name": "bench",
                "total_tickets": tickets,
                "max_capacity": capacity,
                "ticket_types": [{"name": "general", "price": "15.00"}],
            },
            "vendors": [{"name": f"v{i}"} for i in range(vendors)],
            "customers": {"count": customers, "vip_share": 0.0, "hold_share": 0.0},
        },
        strategy=strategy,  # type: ignore[arg-type]
    )
    elapsed = time.perf_counter() - start
    assert report.sold == tickets
    return tickets / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer items and repeats")
    args = parser.parse_args()
    n = 50_000 if args.quick else 200_000
    repeats = 2 if args.quick else 3
    makers: dict[str, Callable[[], AnyQueue]] = {
        "queue.Queue": lambda: queue.Queue(maxsize=64),
        "Pool lockfree": lambda: ticketpool.Pool(64, strategy="lockfree"),
        "Pool condvar": lambda: ticketpool.Pool(64, strategy="condvar"),
    }
    rows: list[tuple[str, str, float, float]] = []
    cases: list[tuple[str, Callable[[Callable[[], AnyQueue]], float]]] = [
        ("1 thread put+get", lambda make: one_thread(make(), n)),
        ("1 producer / 1 consumer", lambda make: threaded(make, n, 1, 1)),
        ("4 producers / 4 consumers", lambda make: threaded(make, n, 4, 4)),
    ]
    for case, run in cases:
        base = best(repeats, lambda: run(makers["queue.Queue"]))
        rows.append((case, "queue.Queue", base, 1.0))
        for name in ("Pool lockfree", "Pool condvar"):
            rate = best(repeats, lambda name=name: run(makers[name]))  # type: ignore[misc]
            rows.append((case, name, rate, rate / base))

    tickets = 20_000 if args.quick else 100_000
    base = best(repeats, lambda: python_simulation(tickets, 64, 4, 4))
    case = f"simulation, {tickets} tickets, 4 vendors / 4 customers"
    rows.append((case, "Python threads + queue.Queue", base, 1.0))
    for strategy in ("lockfree", "condvar"):
        rate = best(repeats, lambda s=strategy: rust_simulation(tickets, 64, 4, 4, s))  # type: ignore[misc]
        rows.append((case, f"simulate() {strategy}", rate, rate / base))

    print("| case | implementation | items/s | vs baseline |")
    print("|---|---|---:|---:|")
    for case, name, rate, ratio in rows:
        print(f"| {case} | {name} | {rate:,.0f} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
