"""Report: real attributes, the sales log, and the notebook views (issue 19)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

import ticketpool
from test_simulate import sim_config


@pytest.fixture(scope="module")
def report() -> ticketpool.Report:
    config = sim_config("lockfree", tickets=300)
    config["office"]["event_name"] = "<b>gig</b> & co"
    return ticketpool.simulate(config)


def test_every_figure_is_a_real_attribute(report: ticketpool.Report) -> None:
    as_dict = report.to_dict()
    names = set(dir(report))
    for key, value in as_dict.items():
        assert key in names, key
        assert getattr(report, key) == value, key
    assert report.wait["vip"]["count"] + report.wait["regular"]["count"] == 300
    assert report.timeline[-1]["sold"] == 300
    assert sum(t["sold"] for t in report.sales_by_type.values()) == 300
    assert report.holds["placed"] >= report.holds["confirmed"]
    with pytest.raises(AttributeError):
        report.no_such_field  # type: ignore[attr-defined]  # noqa: B018


def test_nested_figures_are_fresh_copies(report: ticketpool.Report) -> None:
    report.sales_by_vendor.clear()
    assert sum(report.sales_by_vendor.values()) == 300


def test_sales_is_the_run_s_sales_log(report: ticketpool.Report) -> None:
    sales = report.sales()
    assert len(sales) == report.sold == 300
    assert all(isinstance(s, ticketpool.Sale) for s in sales)
    assert sum(s.price for s in sales) == report.revenue
    assert len({s.ticket.id for s in sales}) == 300
    # Each customer's sales are what the report says it bought.
    bought = {c["name"]: c["bought"] for c in report.customers}
    assert bought == {name: sum(s.customer == name for s in sales) for name in bought}


def test_repr_html_is_a_table_and_an_inline_svg(report: ticketpool.Report) -> None:
    page = report._repr_html_()
    assert page.startswith("<div><table>") and page.endswith("</svg></div>")
    assert "&lt;b&gt;gig&lt;/b&gt; &amp; co" in page and "<b>gig" not in page
    assert "300 / 300" in page and "4,500.00" in page
    assert page.count("<polyline") == 2


def test_to_pandas_is_the_sales_log(report: ticketpool.Report) -> None:
    pytest.importorskip("pandas")
    frame = report.to_pandas()
    assert frame.shape == (300, 9)
    assert list(frame.columns[:4]) == ["ticket_id", "ticket_type", "vendor", "customer"]
    assert int(frame["price"].sum()) == report.revenue
    assert frame["ticket_id"].is_unique


def test_to_polars_is_the_sales_log(report: ticketpool.Report) -> None:
    pytest.importorskip("polars")
    frame = report.to_polars()
    assert frame.shape == (300, 9)
    assert int(frame["price"].sum()) == report.revenue


@pytest.mark.parametrize(("package", "method"), [("pandas", "to_pandas"), ("polars", "to_polars")])
def test_a_missing_dataframe_package_is_named(
    report: ticketpool.Report, monkeypatch: pytest.MonkeyPatch, package: str, method: str
) -> None:
    # A None entry in sys.modules makes `import package` fail.
    monkeypatch.setitem(sys.modules, package, None)
    convert: Any = getattr(report, method)
    with pytest.raises(ImportError, match=f"needs {package}.*pip install {package}"):
        convert()
