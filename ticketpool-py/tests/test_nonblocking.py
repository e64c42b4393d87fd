"""One non-blocking convention everywhere, as queue.Queue has it: `block`
(any falsy value) or `timeout=0` tries once, now; each blocking call has a
`*_nowait` twin; `Full`/`Empty` say "not now", `Paused` says the office is
paused (never `Full`)."""

from __future__ import annotations

import queue
from typing import Any, Callable

import pytest

import ticketpool
from conftest import Runner, office_config


def tries(call: Callable[..., Any], *args: Any) -> list[Callable[[], Any]]:
    """The three spellings of "try once, now" for a blocking call."""
    return [
        lambda: call(*args, block=False),
        lambda: call(*args, block=0),
        lambda: call(*args, timeout=0),
    ]


def test_paused_is_its_own_error_not_full(strategy: str) -> None:
    assert issubclass(ticketpool.Paused, ticketpool.TicketPoolError)
    assert not issubclass(ticketpool.Paused, queue.Full)
    office = ticketpool.BoxOffice(office_config(strategy))
    vendor = office.add_vendor("north")
    office.pause()
    for attempt in [lambda: vendor.release_nowait("general"), *tries(vendor.release, "general")]:
        with pytest.raises(ticketpool.Paused, match="paused"):
            attempt()
    office.resume()
    assert vendor.release_nowait("general").vendor == "north"


@pytest.mark.timeout(30)
def test_a_release_that_times_out_while_paused_raises_paused(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    vendor = office.add_vendor("north")
    office.pause()
    with pytest.raises(ticketpool.Paused):
        vendor.release("general", timeout=0.05)


@pytest.mark.timeout(30)
def test_release_into_a_full_office_raises_full_in_every_form(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy, max_capacity=1))
    vendor = office.add_vendor("north")
    vendor.release("general")
    for attempt in [lambda: vendor.release_nowait("general"), *tries(vendor.release, "general")]:
        with pytest.raises(ticketpool.Full):
            attempt()
    with pytest.raises(queue.Full):
        vendor.release("general", 0.05)


@pytest.mark.timeout(30)
def test_buy_and_reserve_with_nothing_on_sale_raise_empty_in_every_form(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    ann = office.customer("ann")
    for call in (ann.buy, ann.reserve):
        for attempt in tries(call, "general"):
            with pytest.raises(ticketpool.Empty):
                attempt()
    for attempt in [ann.buy_nowait, ann.reserve_nowait, lambda: ann.buy(None, 0.05)]:
        with pytest.raises(queue.Empty):
            attempt()


@pytest.mark.timeout(30)
def test_nowait_forms_succeed_when_a_ticket_is_there(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    vendor = office.add_vendor("north")
    vendor.release_nowait("general")
    vendor.release("general", block=False)
    ann = office.customer("ann")
    assert ann.buy_nowait("general").customer == "ann"
    with ann.reserve_nowait() as hold:
        assert hold.is_open


@pytest.mark.timeout(30)
def test_a_truthy_block_still_waits(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    ann = office.customer("ann")
    buyer = Runner(lambda: ann.buy("general", 30, block=1))
    buyer.start()
    office.add_vendor("north").release("general")
    assert buyer.outcome().customer == "ann"


def test_block_false_ignores_the_timeout_as_queue_does(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    with pytest.raises(ticketpool.Empty):
        office.customer("ann").buy(timeout=-1, block=False)
    with pytest.raises(ValueError, match="'timeout' must be a non-negative number"):
        office.customer("ann").buy(timeout=-1)
