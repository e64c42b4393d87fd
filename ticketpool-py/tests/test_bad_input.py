"""Bad input from Python gets a typed exception naming the problem: the
config's field, what was expected in plain words, and a ValueError for an
argument out of range (never OverflowError or a Rust type name)."""

from __future__ import annotations

from pathlib import Path

import pytest

import ticketpool
from conftest import office_config


@pytest.mark.parametrize("capacity", [-1, 0, 2**70])
def test_subscribe_refuses_a_capacity_below_one_naming_the_argument(
    strategy: str, capacity: int
) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    with pytest.raises(ValueError, match=r"capacity must be at least 1") as caught:
        office.subscribe(capacity)
    assert not isinstance(caught.value, OverflowError)
    with pytest.raises(TypeError, match=r"capacity must be an int, got str"):
        office.subscribe("many")  # type: ignore[arg-type]


def test_subscribe_with_capacity_one_still_delivers_events(strategy: str) -> None:
    office = ticketpool.BoxOffice(office_config(strategy))
    stream = office.subscribe(1)
    office.add_vendor("north").release("general")
    event = stream.next(timeout=30)
    assert event is not None and event["kind"] != "lagged", event
    assert office.subscribe().missed == 0  # the default still works


def test_a_bad_price_names_its_field_in_plain_words(strategy: str) -> None:
    config = office_config(strategy, ticket_types=[{"name": "general", "price": [15]}])
    with pytest.raises(ticketpool.ConfigError) as caught:
        ticketpool.BoxOffice(config)
    message = str(caught.value)
    assert 'ticket_types[0].price: expected a price like 42.50 or "42.50", got a list' in message
    assert "untagged" not in message and "PriceInput" not in message
    # A dict has no lines worth naming.
    assert "(line" not in message


def test_every_problem_is_listed_type_errors_included(strategy: str) -> None:
    config = office_config(
        strategy, total_tickets="ten", max_capacity=0, hold_ttl_ms=-5, colour="red"
    )
    with pytest.raises(ticketpool.ConfigError) as caught:
        ticketpool.BoxOffice(config)
    message = str(caught.value)
    for needle in [
        'total_tickets: expected a whole number of 0 or more, got the text "ten"',
        "max_capacity: must be at least 1",
        "hold_ttl_ms: expected a whole number of 0 or more, got -5",
        "colour: unknown field",
    ]:
        assert needle in message, message
    assert "u64" not in message


def test_a_capacity_past_its_bound_is_a_config_error_not_an_allocation_failure(
    strategy: str,
) -> None:
    with pytest.raises(ticketpool.ConfigError, match=r"max_capacity: must be at most 1000000"):
        ticketpool.BoxOffice(office_config(strategy, max_capacity=4294967296))


def test_a_config_file_problem_names_its_line(tmp_path: Path, strategy: str) -> None:
    path = tmp_path / "office.toml"
    path.write_text(
        'event_name = "gig"\ntotal_tickets = -1\nmax_capacity = 4\n'
        f'strategy = "{strategy}"\n[[ticket_types]]\nname = "general"\nprice = "15.00"\n'
    )
    with pytest.raises(ticketpool.ConfigError, match=r"total_tickets: .* got -1 \(line 2\)"):
        ticketpool.BoxOffice.from_file(path)


def test_simulate_refuses_a_customer_count_past_its_bound() -> None:
    with pytest.raises(ticketpool.ConfigError, match=r"customers.count: must be at most 10000"):
        ticketpool.simulate({"customers": {"count": 4_000_000_000}})


# Argument errors name the argument in the message itself: Python 3.9 and
# 3.10 never print a PEP 678 note, which is where pyo3 would put the name.
BAD_ARGUMENTS = {
    "pool capacity": (lambda o, p: ticketpool.Pool("4"), TypeError, "capacity must be an int, got str"),
    "pool strategy": (lambda o, p: ticketpool.Pool(4, strategy=1), TypeError, "strategy must be a str, got int"),
    "get timeout": (lambda o, p: p.get(True, "soon"), TypeError, "timeout must be a number of seconds or None, got str"),
    "put timeout": (lambda o, p: p.put(1, True, [1]), TypeError, "timeout must be a number of seconds or None, got list"),
    "get_many max_items": (lambda o, p: p.get_many(1.5), TypeError, "max_items must be an int, got float"),
    "put_many items": (lambda o, p: p.put_many(5), TypeError, "items must be an iterable, got int"),
    "negative timeout": (lambda o, p: p.get(timeout=-0.5), ValueError, "'timeout' must be a non-negative number, got -0.5"),
    "nan timeout": (lambda o, p: p.get(timeout=float("nan")), ValueError, "'timeout' must be a non-negative number"),
    "vendor name": (lambda o, p: o.add_vendor(7), TypeError, "name must be a str, got int"),
    "vendor types as one str": (lambda o, p: o.add_vendor("v", "general"), TypeError, "ticket_types must be a list of str, got str"),
    "vendor type item": (lambda o, p: o.add_vendor("v", ["general", 3]), TypeError, "ticket_types[1] must be a str, got int"),
    "remove_vendor name": (lambda o, p: o.remove_vendor(None), TypeError, "name must be a str, got NoneType"),
    "customer name": (lambda o, p: o.customer(b"ann"), TypeError, "name must be a str, got bytes"),
    "release ticket_type": (lambda o, p: o.add_vendor("v").release(1), TypeError, "ticket_type must be a str, got int"),
    "release timeout": (lambda o, p: o.add_vendor("v").release("general", "1s"), TypeError, "timeout must be a number of seconds or None, got str"),
    "buy ticket_type": (lambda o, p: o.customer("ann").buy(1), TypeError, "ticket_type must be a str or None, got int"),
    "reserve timeout": (lambda o, p: o.customer("ann").reserve(None, -1), ValueError, "'timeout' must be a non-negative number, got -1"),
    "from_file path": (lambda o, p: ticketpool.BoxOffice.from_file(3), TypeError, "path must be a str or os.PathLike, got int"),
    "config": (lambda o, p: ticketpool.BoxOffice([]), TypeError, "config must be a dict, got list"),
}


@pytest.mark.parametrize("case", sorted(BAD_ARGUMENTS))
def test_a_bad_argument_is_named_in_the_message_itself(strategy: str, case: str) -> None:
    call, kind, needle = BAD_ARGUMENTS[case]
    office = ticketpool.BoxOffice(office_config(strategy))
    pool = ticketpool.Pool(2, strategy=strategy)
    with pytest.raises(kind) as caught:
        call(office, pool)
    assert needle in str(caught.value), str(caught.value)
