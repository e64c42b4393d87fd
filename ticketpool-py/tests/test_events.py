"""Typed events and snapshots, and how a Subscription ends: blocking, iterated
and with asyncio (issue 19)."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import threading

import pytest

import ticketpool
from conftest import PATIENCE, Runner, office_config
from ticketpool import events


def drain(stream: ticketpool.Subscription) -> list[events.Event]:
    """Every event until the stream ends (the office must be closed)."""
    return list(stream)


@pytest.mark.timeout(30)
def test_every_kind_is_a_typed_frozen_event_with_consistent_fields(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy, max_capacity=2))
    stream = office.subscribe()
    vendor = office.add_vendor("north", ["general"])
    ticket = vendor.release("general")
    ann = office.customer("ann", vip=True)
    with ann.reserve() as hold:
        pass  # cancelled on leaving the block
    with ann.reserve() as hold:
        sale = hold.confirm()
    office.pause()
    office.resume()
    office.remove_vendor("north")
    office.close()
    seen = drain(stream)

    assert [type(e) for e in seen] == [
        events.VendorAdded,
        events.Released,
        events.HoldPlaced,
        events.HoldCancelled,
        events.HoldPlaced,
        events.HoldConfirmed,
        events.Sold,
        events.Paused,
        events.Resumed,
        events.VendorRemoved,
        events.Closed,
    ]
    added, released, placed, cancelled, placed2, confirmed, sold = seen[:7]
    assert added == events.VendorAdded("north", ("general",))
    assert isinstance(released, events.Released) and released.ticket == ticket
    assert isinstance(sold, events.Sold) and sold.sale == sale
    # One spelling for "which ticket" and "which hold" on every kind.
    assert isinstance(placed, events.HoldPlaced) and isinstance(placed2, events.HoldPlaced)
    assert isinstance(cancelled, events.HoldCancelled)
    assert isinstance(confirmed, events.HoldConfirmed)
    ids = {released.ticket_id, placed.ticket_id, cancelled.ticket_id, sold.ticket_id}
    assert ids == {ticket.id}
    assert placed.hold_id == cancelled.hold_id != placed2.hold_id == confirmed.hold_id
    assert sale.hold == confirmed.hold_id
    assert (placed.customer, placed.priority, placed.price) == ("ann", "vip", 1500)
    assert placed.expires_at > ticket.released_at
    assert [e.kind for e in seen[:3]] == ["vendor_added", "released", "hold_placed"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        released.ticket = ticket  # type: ignore[misc]


def test_events_keep_dict_style_reads_and_compare_to_their_old_dicts() -> None:
    placed = events.HoldPlaced(1, 2, "ann", "regular", 1500, 10.0)
    assert placed["kind"] == "hold_placed" and placed["ticket_id"] == 2
    assert "customer" in placed and "ticket" not in placed
    with pytest.raises(KeyError, match="no field 'ticket'"):
        placed["ticket"]
    assert events.Paused() == {"kind": "paused"}
    assert events.Lagged(3).to_dict() == {"kind": "lagged", "missed": 3}
    assert events.HoldExpired(1, 2) != events.HoldCancelled(1, 2)
    assert len({events.HoldExpired(1, 2), events.HoldExpired(1, 2)}) == 1


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match needs Python 3.10")
def test_events_work_with_match() -> None:
    # Compiled at run time: this file must still import on Python 3.9.
    code = """
def describe(event):
    match event:
        case events.Sold(sale):
            return f"sold to {sale.customer}"
        case events.HoldExpired(hold_id, ticket_id):
            return f"hold {hold_id} on {ticket_id} expired"
        case events.Lagged(missed=n):
            return f"missed {n}"
        case events.Paused():
            return "paused"
    return "other"
"""
    namespace: dict[str, object] = {"events": events}
    exec(compile(code, "<match>", "exec"), namespace)
    describe = namespace["describe"]
    assert callable(describe)
    assert describe(events.HoldExpired(4, 9)) == "hold 4 on 9 expired"
    assert describe(events.Lagged(7)) == "missed 7"
    assert describe(events.Paused()) == "paused"
    assert describe(events.Resumed()) == "other"


def test_next_tells_a_timeout_from_the_end_of_the_stream(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    stream = office.subscribe()
    assert stream.next(timeout=0) is None
    assert stream.next(timeout=0.02) is None
    office.close()
    assert stream.next(timeout=PATIENCE) == events.Closed()
    for timeout in (None, 0, 0.02, PATIENCE):
        with pytest.raises(ticketpool.StreamEnded):
            stream.next(timeout=timeout)
    with pytest.raises(StopIteration):
        next(stream)
    assert issubclass(ticketpool.StreamEnded, ticketpool.TicketPoolError)


@pytest.mark.timeout(30)
def test_an_open_hold_keeps_a_closed_office_s_stream_going(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    office.add_vendor("north").release("general")
    hold = office.customer("ann").reserve()
    stream = office.subscribe()
    office.close()
    assert stream.next(timeout=PATIENCE) == events.Closed()
    # Not ended: the hold can still be confirmed or cancelled.
    assert stream.next(timeout=0) is None
    assert stream.next(timeout=0.02) is None
    reader = Runner(lambda: stream.next(timeout=PATIENCE))
    reader.start()
    hold.cancel()
    assert reader.outcome() == events.HoldCancelled(hold.id, hold.ticket.id)
    with pytest.raises(ticketpool.StreamEnded):
        stream.next(timeout=PATIENCE)


def test_a_full_buffer_reports_lagged_with_the_count(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    stream = office.subscribe(2)
    for _ in range(5):
        office.pause()
        office.resume()
    seen = [stream.next(0), stream.next(0), stream.next(0)]
    assert seen[:2] == [events.Paused(), events.Resumed()]
    assert seen[2] == events.Lagged(8) and stream.missed == 8
    assert stream.next(0) is None


def test_snapshot_is_typed_and_still_reads_like_the_old_dict(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    office.add_vendor("north").release("general")
    snap = office.snapshot()
    assert isinstance(snap, ticketpool.Snapshot)
    assert isinstance(snap.totals, ticketpool.TicketCounts)
    assert snap.totals == ticketpool.TicketCounts(released=1, available=1, held=0, sold=0)
    assert snap.by_type["general"].available == 1 == snap.by_vendor["north"].released
    assert snap["totals"]["available"] == 1 and snap["strategy"] == strategy
    assert snap.totals == {"released": 1, "available": 1, "held": 0, "sold": 0}
    assert snap.to_dict()["by_type"] == {
        "general": {"released": 1, "available": 1, "held": 0, "sold": 0}
    }
    assert snap.consistent and not snap.closed and snap.taken_at > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.closed = True  # type: ignore[misc]


@pytest.mark.timeout(60)
def test_async_for_reads_events_without_blocking_the_loop(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy, total_tickets=3))
    stream = office.subscribe()
    ticks_while_waiting = [0]
    first_read = threading.Event()
    # Set once the loop has ticked a few times while the reader waits
    # inside `async for`: the proof that the wait does not block the loop.
    # The sale starts only then, so a fast sale cannot end the stream
    # before the ticker had a chance to run (a loaded machine did that).
    loop_ran = threading.Event()

    def sell() -> None:
        loop_ran.wait(PATIENCE)
        vendor = office.add_vendor("north")
        for _ in range(3):
            vendor.release("general")
            office.customer("ann").buy()
        office.close()

    async def ticker() -> None:
        while True:
            if first_read.is_set():
                ticks_while_waiting[0] += 1
                if ticks_while_waiting[0] >= 3:
                    loop_ran.set()
            await asyncio.sleep(0.001)

    async def read() -> list[events.Event]:
        seen = []
        first_read.set()
        async for event in stream:
            seen.append(event)
        return seen

    async def main() -> list[events.Event]:
        tick = asyncio.ensure_future(ticker())
        try:
            return await asyncio.wait_for(read(), PATIENCE)
        finally:
            tick.cancel()

    seller = Runner(sell)
    seller.start()
    seen = asyncio.run(main())
    seller.outcome()
    kinds = [e.kind for e in seen]
    assert kinds == ["vendor_added"] + ["released", "sold"] * 3 + ["sold_out", "closed"]
    # A blocking wait would have stopped the ticker: the sale would have
    # started only after PATIENCE, with fewer than 3 ticks counted.
    assert loop_ran.is_set()
    assert ticks_while_waiting[0] >= 3


@pytest.mark.timeout(30)
def test_a_cancelled_async_read_lets_asyncio_run_finish(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    stream = office.subscribe()

    async def main() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(stream.__anext__(), 0.05)

    # asyncio.run waits for executor threads: it returns only because the
    # read runs in short slices.
    asyncio.run(main())
    office.pause()
    assert stream.next(0) == events.Paused()


def test_next_names_a_bad_timeout_in_its_message() -> None:
    office = ticketpool.BoxOffice(office_config("lockfree"))
    stream = office.subscribe()
    with pytest.raises(TypeError, match="^timeout must be a number of seconds or None, got str"):
        stream.next("soon")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        stream.next(-1)
    assert stream.next(0) is None  # nothing happened yet: a timeout, not the end
    office.close()
