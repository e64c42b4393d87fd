"""ticketpool.simulate(): the Rust simulator from Python, GIL released."""

from __future__ import annotations

import sys
import threading
from decimal import Decimal
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
        report.no_such_field  # type: ignore[attr-defined]  # noqa: B018
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
    # The message itself names the argument (3.9 and 3.10 print no notes).
    with pytest.raises(TypeError, match="^strategy must be a str or None, got int"):
        ticketpool.simulate(sim_config("lockfree"), strategy=3)  # type: ignore[arg-type]


@pytest.mark.timeout(60)
def test_simulate_takes_decimal_prices_as_the_office_does() -> None:
    config = sim_config("lockfree", tickets=100)
    config["office"]["ticket_types"] = [{"name": "general", "price": Decimal("15.50")}]
    report = ticketpool.simulate(config)
    assert report.sold == 100
    assert {sale.price for sale in report.sales()} == {1550}


# --- progress (issue 19) ---------------------------------------------------


def paced_config(strategy: str) -> dict[str, Any]:
    """A run of some hundreds of ms (4 customers x 100 requests/s, 120
    tickets) sampled every 5 ms: several progress calls, whatever the load."""
    return {**sim_config(strategy, tickets=120, rate=100.0), "sample_interval_ms": 5}


@pytest.mark.timeout(60)
def test_progress_callback_sees_increasing_progress_off_the_main_thread(strategy: str) -> None:
    seen: list[ticketpool.Progress] = []
    threads: set[int] = set()

    def on_progress(progress: ticketpool.Progress) -> None:
        threads.add(threading.get_ident())
        seen.append(progress)

    report = ticketpool.simulate(paced_config(strategy), progress=on_progress)
    assert report.sold == 120
    assert len(seen) >= 2
    assert all(isinstance(p, ticketpool.Progress) for p in seen)
    elapsed = [p.elapsed for p in seen]
    sold = [p.sold for p in seen]
    assert elapsed == sorted(elapsed) and sold == sorted(sold)
    # Paced demand makes the run last 0.3 s or more: samples see it grow.
    assert sold[-1] > sold[0]
    assert all(p.total_tickets == 120 and 0.0 <= p.fraction <= 1.0 for p in seen)
    assert all(p.snapshot.consistent for p in seen)
    assert threading.get_ident() not in threads  # the sampler thread calls it


@pytest.mark.timeout(60)
def test_a_raising_progress_callback_stops_the_run_and_raises() -> None:
    calls = [0]

    def fail(progress: ticketpool.Progress) -> None:
        calls[0] += 1
        raise RuntimeError("stop here")

    config = sim_config("lockfree", tickets=1_000_000, rate=10.0)
    with pytest.raises(RuntimeError, match="stop here"):
        ticketpool.simulate(config, progress=fail)
    assert calls[0] == 1


@pytest.mark.timeout(60)
def test_progress_true_writes_through_python_s_stderr() -> None:
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        ticketpool.simulate(paced_config("lockfree"), progress=True)
    # The plain fallback's lines, or tqdm's bar (whose description is "sold").
    assert "sold" in err.getvalue()
    assert "120" in err.getvalue()


def test_progress_must_be_a_bool_or_a_callable() -> None:
    with pytest.raises(TypeError, match="progress must be .* callable.*got str"):
        ticketpool.simulate(sim_config("lockfree"), progress="yes")  # type: ignore[arg-type]


CTRL_C_CHILD = """
import os, signal, threading
import ticketpool
signal.signal(signal.SIGINT, signal.default_int_handler)
called = threading.Event()
def interrupt():
    called.wait()
    os.kill(os.getpid(), signal.SIGINT)
threading.Thread(target=interrupt, daemon=True).start()
config = {config!r}
try:
    ticketpool.simulate(config, progress=lambda p: called.set())
except KeyboardInterrupt:
    print("interrupted")
else:
    print("finished without interrupt")
"""


@pytest.mark.timeout(60)
def test_ctrl_c_stops_a_run_with_a_progress_callback() -> None:
    import os
    import subprocess

    # Slow demand over a long duration: only Ctrl-C ends it in time.
    config = {**sim_config("lockfree", tickets=1_000_000, rate=10.0), "duration_ms": 600_000}
    done = subprocess.run(
        [sys.executable, "-c", CTRL_C_CHILD.format(config=config)],
        capture_output=True,
        text=True,
        timeout=50,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["interrupted"], done.stdout + done.stderr
