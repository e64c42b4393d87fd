"""A notebook-style tour of the typed Python surface: run a simulation with
progress, read its Report, watch a box office's events.

Cells are marked ``# %%`` (Jupyter, VS Code and Spyder run them one by one);
as a script: ``python ticketpool-py/examples/notebook.py``. The test suite
runs it (tests/test_notebook_example.py) and mypy --strict checks it.
"""

# %% Imports
from __future__ import annotations

import asyncio
import threading

import ticketpool
from ticketpool import events

# %% Simulate 500 tickets, reporting progress through a callback
config = {
    "seed": 1,
    "duration_ms": 30_000,
    "sample_interval_ms": 5,
    "office": {
        "event_name": "notebook gig",
        "total_tickets": 500,
        "max_capacity": 16,
        "ticket_types": [{"name": "general", "price": "15.00"}],
    },
    "vendors": [{"name": "north"}, {"name": "south"}],
    "customers": {"count": 6, "vip_share": 0.5, "hold_share": 0.2},
}
progress_seen: list[ticketpool.Progress] = []
report = ticketpool.simulate(config, progress=progress_seen.append)
print(report)
print(f"{len(progress_seen)} progress samples, last at {progress_seen[-1].fraction:.0%}")

# %% Every figure is an attribute (typed in the stubs); money is int cents
print(f"sold {report.sold}/{report.total_tickets}, ended by {report.end}")
print(f"revenue {report.revenue / 100:,.2f}")
print(f"VIP p99 wait {report.wait['vip']['p99_us']} µs")
print(f"holds: {report.holds}")

# %% In Jupyter the report shows as a table with the timeline (an SVG)
html = report._repr_html_()
print(f"{len(html)} characters of HTML, {html.count('<polyline')} timeline lines")

# %% The sales log as a DataFrame, when pandas is installed
try:
    frame = report.to_pandas()
except ImportError as missing:
    print(missing)
else:
    print(frame.groupby("priority")["waited"].describe())

# %% Watch a box office's events: each kind is a class (match-friendly)
office = ticketpool.BoxOffice(
    {
        "event_name": "watched",
        "total_tickets": 3,
        "max_capacity": 3,
        "ticket_types": [{"name": "general", "price": "20.00"}],
    }
)
stream = office.subscribe()


def sell() -> None:
    vendor = office.add_vendor("north")
    for _ in range(3):
        vendor.release("general")
    with office.customer("ann").reserve() as hold:
        hold.confirm()
    office.customer("bob").buy()
    office.customer("cy", vip=True).buy()
    office.close()


seller = threading.Thread(target=sell)
seller.start()
for event in stream:  # ends once the office is closed and read out
    if isinstance(event, events.Sold):
        print(f"sold ticket {event.ticket_id} to {event.sale.customer}")
    elif isinstance(event, events.HoldPlaced):
        print(f"hold {event.hold_id} on ticket {event.ticket_id}")
    else:
        print(event.kind)
seller.join()
print(office.snapshot().totals)

# %% next(timeout) tells a timeout (None) from the end (StreamEnded)
try:
    stream.next(timeout=0.1)
except ticketpool.StreamEnded:
    print("the stream has ended")

# %% The same stream read from asyncio, without blocking the event loop
live = ticketpool.BoxOffice(
    {
        "event_name": "async",
        "total_tickets": 2,
        "max_capacity": 2,
        "ticket_types": [{"name": "general", "price": "5.00"}],
    }
)
live_stream = live.subscribe()


async def watch() -> list[str]:
    kinds: list[str] = []
    async for event in live_stream:
        kinds.append(event.kind)
    return kinds


def sell_out() -> None:
    vendor = live.add_vendor("v")
    for name in ("a", "b"):
        vendor.release("general")
        live.customer(name).buy()
    live.close()


threading.Thread(target=sell_out).start()
print(asyncio.run(asyncio.wait_for(watch(), 30)))
