"""ticketpool.BoxOffice and its handles, with real threads, on both strategies."""

from __future__ import annotations

import json
import pickle
import threading
import time
from pathlib import Path

import pytest

import ticketpool
from conftest import Runner, office_config, wait_until


def sell_everything(office: ticketpool.BoxOffice, buyers: int) -> list[ticketpool.Sale]:
    vendor = office.add_vendor("north")

    def release() -> None:
        while True:
            try:
                vendor.release("general")
            except ticketpool.SoldOut:
                return

    def buy(name: str, vip: bool) -> list[ticketpool.Sale]:
        customer = office.customer(name, vip=vip)
        bought = []
        while True:
            try:
                bought.append(customer.buy())
            except ticketpool.SoldOut:
                return bought

    releaser = Runner(release)
    customers = [Runner(lambda i=i: buy(f"c{i}", i % 2 == 0)) for i in range(buyers)]
    releaser.start()
    for c in customers:
        c.start()
    sales = [s for c in customers for s in c.outcome(30)]
    releaser.outcome(30)
    return sales


@pytest.mark.timeout(60)
def test_threads_sell_out_exactly_once_each(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy, total_tickets=200))
    sales = sell_everything(office, buyers=4)
    assert len(sales) == 200
    assert len({s.ticket.id for s in sales}) == 200
    snap = office.snapshot()
    assert snap["totals"] == {"released": 200, "available": 0, "held": 0, "sold": 200}
    assert snap["consistent"] and snap["sold_out"] and office.sold_out
    assert snap["revenue"] == 200 * 1500
    assert sorted(office.sales(), key=lambda s: s.ticket.id) == sorted(
        sales, key=lambda s: s.ticket.id
    )


@pytest.mark.timeout(10)
def test_waiting_buyers_get_sold_out_not_stuck(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy, total_tickets=1))
    vendor = office.add_vendor("north")
    first = Runner(lambda: office.customer("a").buy())
    second = Runner(lambda: office.customer("b").buy())
    first.start()
    second.start()
    wait_until(lambda: office.snapshot()["waiting_regular"] == 2)
    vendor.release("general")
    outcomes = []
    for runner in (first, second):
        try:
            outcomes.append(runner.outcome())
        except ticketpool.SoldOut:
            outcomes.append("sold out")
    assert outcomes.count("sold out") == 1
    with pytest.raises(ticketpool.SoldOut):
        vendor.release("general")


@pytest.mark.timeout(10)
def test_a_waiting_vip_buys_before_a_waiting_regular(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    vendor = office.add_vendor("north")
    regular = Runner(lambda: office.customer("reg").buy())
    regular.start()
    wait_until(lambda: office.snapshot()["waiting_regular"] == 1)
    vip = Runner(lambda: office.customer("vip", vip=True).buy())
    vip.start()
    wait_until(lambda: office.snapshot()["waiting_vip"] == 1)
    vendor.release("general")
    sale = vip.outcome()
    assert sale.customer == "vip" and sale.priority == "vip"
    assert regular.is_alive()
    vendor.release("general")
    assert regular.outcome().customer == "reg"


@pytest.mark.timeout(10)
def test_blocked_buy_releases_the_gil_and_close_wakes_it(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    buyer = Runner(lambda: office.customer("ann").buy())
    buyer.start()
    wait_until(lambda: office.snapshot()["waiting_regular"] == 1)
    # Counting runs only if the blocked buyer let go of the GIL: one holding
    # it would hang this loop (and pytest-timeout fails it). No clock involved.
    counter = 0
    while counter < 100_000:
        counter += 1
    assert buyer.is_alive()
    assert office.snapshot()["waiting_regular"] == 1
    assert office.close() is True
    with pytest.raises(ticketpool.Closed):
        buyer.outcome()
    assert office.closed


def test_buy_timeout_raises_empty(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    customer = office.customer("ann")
    with pytest.raises(ticketpool.Empty):
        customer.buy(timeout=0.05)
    with pytest.raises(ticketpool.Empty):
        customer.buy(timeout=0)


def test_hold_left_unconfirmed_goes_back_on_sale(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    office.add_vendor("north").release("general")
    with office.customer("ann").reserve() as hold:
        assert hold.is_open
        assert office.snapshot()["totals"]["held"] == 1
    assert not hold.is_open
    totals = office.snapshot()["totals"]
    assert totals["held"] == 0 and totals["available"] == 1 and totals["sold"] == 0


def test_snapshot_reports_the_peak_occupancy(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    vendor = office.add_vendor("north")
    vendor.release("general")
    vendor.release("general")
    office.customer("ann").buy(timeout=0)
    snapshot = office.snapshot()
    assert snapshot["totals"]["available"] == 1
    assert snapshot["peak_occupancy"] == 2


def test_hold_confirmed_in_the_block_is_a_sale(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    office.add_vendor("north").release("general")
    with office.customer("ann").reserve("general") as hold:
        sale = hold.confirm()
        assert hold.confirm() == sale  # idempotent
    assert sale.hold == hold.id and sale.price == hold.price == 1500
    assert office.snapshot()["totals"]["sold"] == 1
    assert office.sales() == [sale]


def test_hold_cancelled_by_an_exception_in_the_block(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    office.add_vendor("north").release("general")
    with pytest.raises(RuntimeError):
        with office.customer("ann").reserve() as hold:
            raise RuntimeError("changed my mind")
    with pytest.raises(ticketpool.HoldCancelled):
        hold.confirm()
    assert office.snapshot()["totals"]["available"] == 1


@pytest.mark.timeout(10)
def test_expired_hold_cannot_be_confirmed(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy, hold_ttl_ms=30))
    office.add_vendor("north").release("general")
    hold = office.customer("ann").reserve()
    # Kept: time passing is what expires the hold; the sleep is a lower bound
    # (3x the TTL) that load only lengthens, never a race.
    time.sleep(0.1)
    with pytest.raises(ticketpool.HoldExpired):
        hold.confirm()
    wait_until(lambda: office.snapshot()["totals"]["available"] == 1)


def test_purchase_limit(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy, purchase_limit=1))
    vendor = office.add_vendor("north")
    vendor.release("general")
    vendor.release("general")
    office.customer("ann").buy()
    with pytest.raises(ticketpool.LimitReached, match="ann"):
        office.customer("ann").buy()
    office.customer("bob").buy()


def test_pause_holds_releases_back(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    vendor = office.add_vendor("north")
    assert office.pause() is True
    with pytest.raises(ticketpool.Paused):
        vendor.release("general", timeout=0.05)
    assert office.resume() is True
    assert vendor.release("general").vendor == "north"


def test_release_when_full_times_out_with_full(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy, max_capacity=1))
    vendor = office.add_vendor("north")
    vendor.release("general")
    with pytest.raises(ticketpool.Full):
        vendor.release("general", timeout=0.05)
    with pytest.raises(ticketpool.Full):
        vendor.release("general", timeout=0)


def test_vendors_and_names(strategy: str) -> None:
    config = office_config(
        strategy,
        ticket_types=[{"name": "stalls", "price": 42.5}, {"name": "balcony", "price": "19.99"}],
    )
    office = ticketpool.BoxOffice(config)
    vendor = office.add_vendor("north", ["stalls"])
    assert vendor.name == "north" and vendor.ticket_types == ["stalls"]
    ticket = vendor.release("stalls")
    assert ticket.base_price == 4250 and ticket.ticket_type == "stalls"
    with pytest.raises(ValueError, match="balcony"):
        vendor.release("balcony")
    with pytest.raises(ValueError, match="pit"):
        office.customer("ann").buy("pit")
    with pytest.raises(ValueError, match="north"):
        office.add_vendor("north")
    office.remove_vendor("north")
    with pytest.raises(ValueError, match="north"):
        vendor.release("stalls")
    with pytest.raises(ValueError, match="south"):
        office.remove_vendor("south")
    with pytest.raises(TypeError):
        office.add_vendor("south", "stalls")  # a str is not a list of types


def test_config_error_lists_every_problem() -> None:
    bad = {
        "event_name": "",
        "total_tickets": 0,
        "max_capacity": 0,
        "ticket_types": [{"name": "a", "price": -1}],
    }
    with pytest.raises(ticketpool.ConfigError) as caught:
        ticketpool.BoxOffice(bad)
    message = str(caught.value)
    for field in ("event_name", "total_tickets", "max_capacity", "ticket_types[0].price"):
        assert field in message
    assert isinstance(caught.value, ValueError)
    with pytest.raises(ticketpool.ConfigError, match="quantum"):
        ticketpool.BoxOffice(office_config("quantum"))
    with pytest.raises(TypeError, match="dict"):
        ticketpool.BoxOffice("gig.toml")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="JSON"):
        ticketpool.BoxOffice({"event_name": object()})


def test_from_file_toml_and_json(tmp_path: Path, strategy: str) -> None:
    toml = tmp_path / "gig.toml"
    toml.write_text(
        f'event_name = "opera"\ntotal_tickets = 3\nmax_capacity = 2\nstrategy = "{strategy}"\n'
        '[[ticket_types]]\nname = "stalls"\nprice = 42.50\n'
    )
    office = ticketpool.BoxOffice.from_file(toml)
    assert office.event_name == "opera"
    assert office.snapshot()["strategy"] == strategy
    as_json = tmp_path / "gig.json"
    as_json.write_text(json.dumps(office_config(strategy)))
    assert ticketpool.BoxOffice.from_file(str(as_json)).event_name == "gig"
    with pytest.raises(ticketpool.ConfigError, match="missing.toml"):
        ticketpool.BoxOffice.from_file(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("event_name = [")
    with pytest.raises(ticketpool.ConfigError, match="TOML"):
        ticketpool.BoxOffice.from_file(broken)


@pytest.mark.timeout(10)
def test_subscribe_streams_event_dicts_until_close(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    events = office.subscribe()
    reader = Runner(lambda: list(events))
    reader.start()
    vendor = office.add_vendor("north")
    ticket = vendor.release("general")
    sale = office.customer("ann").buy()
    office.close()
    seen = reader.outcome()
    kinds = [e["kind"] for e in seen]
    assert kinds == ["vendor_added", "released", "sold", "closed"]
    assert seen[1]["ticket"] == ticket
    assert seen[2]["sale"] == sale
    with pytest.raises(ticketpool.StreamEnded):  # ended, not timed out
        events.next(timeout=0.01)


def test_subscription_next_times_out_with_none(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    events = office.subscribe()
    assert events.next(timeout=0.02) is None
    office.pause()
    assert events.next(timeout=1) == {"kind": "paused"}


def test_ticket_and_sale_are_frozen_hashable_picklable(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    ticket = office.add_vendor("north").release("general")
    sale = office.customer("ann", vip=True).buy()
    assert sale.ticket == ticket and hash(sale.ticket) == hash(ticket)
    for value in (ticket, sale):
        clone = pickle.loads(pickle.dumps(value))
        assert clone == value and hash(clone) == hash(value) and clone is not value
        with pytest.raises(AttributeError):
            value.customer = "mallory"  # type: ignore[misc, union-attr]
    assert len({ticket, pickle.loads(pickle.dumps(ticket))}) == 1
    assert repr(ticket) == (
        f"Ticket(id={ticket.id}, ticket_type=\"general\", vendor=\"north\", base_price=1500)"
    )
    assert repr(sale).startswith(f"Sale(ticket_id={ticket.id}, customer=\"ann\", priority=\"vip\"")
    assert sale.waited >= 0 and sale.sold_at >= ticket.released_at > 0
    assert sale.hold is None
