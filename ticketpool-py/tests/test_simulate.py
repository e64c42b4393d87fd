"""ticketpool.simulate(): the Rust simulator from Python, GIL released."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import ticketpool
from conftest import office_config


def sim_config(strategy: str, tickets: int = 2_000, **customers: Any) -> dict[str, Any]:
    return {
        "seed": 7,
        "duration_ms": 20_000,
        "office": office_config(strategy, total_tickets=tickets, max_capacity=32, hold_ttl_ms=100),
        "vendors": [{"name": "v1"}, {"name": "v2"}],
        "customers": {"count": 4, "vip_share": 0.5, **customers},
    }


@pytest.mark.timeout(60)
def test_simulate_sells_out_and_reports(strategy: str) -> None:
    report = ticketpool.simulate(sim_config(strategy))
    assert report.sold == report.released == report.total_tickets == 2_000
    assert report.end == "sold_out"
    assert report.strategy == strategy
    assert report.revenue == 2_000 * 1500
    assert report.elapsed_secs > 0 and report.throughput_per_sec > 0
    as_dict = report.to_dict()
    assert as_dict["sold"] == 2_000
    assert report.sales_by_vendor == as_dict["sales_by_vendor"]
    assert sum(as_dict["sales_by_vendor"].values()) == 2_000
    assert sum(c["bought"] for c in as_dict["customers"]) == 2_000
    with pytest.raises(AttributeError):
        report.no_such_field  # noqa: B018
    assert "sold=2000/2000" in repr(report)


@pytest.mark.timeout(60)
def test_strategy_argument_overrides_the_config() -> None:
    report = ticketpool.simulate(sim_config("lockfree", tickets=200), strategy="condvar")
    assert report.strategy == "condvar" and report.sold == 200


@pytest.mark.timeout(60)
def test_simulate_releases_the_gil(strategy: str) -> None:
    counts = [0]
    stop = threading.Event()

    def count() -> None:
        while not stop.is_set():
            counts[0] += 1

    counter = threading.Thread(target=count)
    counter.start()
    try:
        # Paced customers (4 x 200 requests/s): 60 tickets take tens of ms
        # of GIL-free waiting, while the counter thread keeps running.
        report = ticketpool.simulate(sim_config(strategy, tickets=60, rate=200.0))
    finally:
        stop.set()
        counter.join()
    assert report.sold == 60
    assert counts[0] > 1000


def test_bad_simulation_config_raises() -> None:
    with pytest.raises(ticketpool.ConfigError, match="many"):
        ticketpool.simulate({**sim_config("lockfree"), "customers": {"count": "many"}})
    with pytest.raises(ValueError, match="strategy"):
        ticketpool.simulate(sim_config("lockfree"), strategy="fast")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="dict"):
        ticketpool.simulate([])  # type: ignore[arg-type]
