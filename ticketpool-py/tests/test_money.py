"""Money: config prices are major units (Decimal, int, str, or a float with
at most two decimals); every returned amount is an int of cents."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import ticketpool
from conftest import office_config


def priced(strategy: str, price: Any) -> ticketpool.BoxOffice:
    return ticketpool.BoxOffice(
        office_config(strategy, ticket_types=[{"name": "general", "price": price}])
    )


@pytest.mark.parametrize(
    ("price", "cents"),
    [
        (Decimal("15.5"), 1550),
        (Decimal("15.50"), 1550),
        (Decimal("15.500"), 1550),  # trailing zeros are still whole cents
        (Decimal("1E+1"), 1000),
        (15, 1500),
        (15.25, 1525),
        ("15.25", 1525),
    ],
)
def test_a_price_in_major_units_comes_back_as_int_cents(
    strategy: str, price: Any, cents: int
) -> None:
    office = priced(strategy, price)
    ticket = office.add_vendor("north").release("general")
    assert ticket.base_price == cents and type(ticket.base_price) is int
    with office.customer("ann").reserve() as hold:
        assert hold.price == cents and type(hold.price) is int
        sale = hold.confirm()
    assert sale.price == cents and type(sale.price) is int
    assert office.snapshot()["revenue"] == cents


def test_a_float_sum_off_by_binary_rounding_says_what_to_do(strategy: str) -> None:
    with pytest.raises(ticketpool.ConfigError) as caught:
        priced(strategy, 0.1 + 0.2)
    message = str(caught.value)
    assert "0.30000000000000004" in message
    assert "more than two decimals" in message
    assert 'Decimal("0.30")' in message and "round(price, 2)" in message


def test_a_decimal_finer_than_cents_is_refused(strategy: str) -> None:
    with pytest.raises(ticketpool.ConfigError, match=r"0\.305.*more than two decimals"):
        priced(strategy, Decimal("0.305"))


@pytest.mark.parametrize("price", [Decimal("NaN"), Decimal("Infinity")])
def test_a_decimal_that_is_not_a_number_is_refused_by_name(strategy: str, price: Decimal) -> None:
    with pytest.raises(TypeError, match=r"Decimal\('(NaN|Infinity)'\) is not a JSON value"):
        priced(strategy, price)


def test_a_value_json_cannot_hold_is_refused_by_name(strategy: str) -> None:
    with pytest.raises(TypeError, match=r"config must hold only JSON values.*object"):
        priced(strategy, object())
