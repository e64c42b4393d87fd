"""``Report``'s notebook views: ``_repr_html_`` (a small table and the
timeline as an inline SVG) and the sales log as a pandas or polars
DataFrame. pandas and polars are optional: imported only when asked for."""

from __future__ import annotations

import importlib
from html import escape
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ticketpool._ticketpool import Report

# Columns of the sales log, in order.
COLUMNS = (
    "ticket_id",
    "ticket_type",
    "vendor",
    "customer",
    "priority",
    "price",
    "sold_at",
    "waited",
    "hold",
)

# The SVG's drawing area, in pixels.
WIDTH, HEIGHT, PAD = 420, 140, 4


def sales_columns(report: Report) -> dict[str, list[Any]]:
    """The sales log as one list per column (money in cents)."""
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for sale in report.sales():
        row = (
            sale.ticket.id,
            sale.ticket.ticket_type,
            sale.ticket.vendor,
            sale.customer,
            sale.priority,
            sale.price,
            sale.sold_at,
            sale.waited,
            sale.hold,
        )
        for name, value in zip(COLUMNS, row):
            columns[name].append(value)
    return columns


def _missing(package: str, method: str) -> ImportError:
    return ImportError(
        f"Report.{method}() needs {package}, which is not installed: pip install {package}",
        name=package,
    )


def _optional(package: str, method: str) -> ModuleType:
    # Through importlib: neither package is a dependency, so the type
    # checkers must not look for them (or their stubs).
    try:
        return importlib.import_module(package)
    except ImportError:
        raise _missing(package, method) from None


def to_pandas(report: Report) -> Any:
    """The sales log as a ``pandas.DataFrame``."""
    pandas = _optional("pandas", "to_pandas")
    return pandas.DataFrame(sales_columns(report), columns=list(COLUMNS))


def to_polars(report: Report) -> Any:
    """The sales log as a ``polars.DataFrame``."""
    polars = _optional("polars", "to_polars")
    return polars.DataFrame(sales_columns(report))


def _money(cents: int) -> str:
    return f"{cents / 100:,.2f}"


def timeline_svg(report: Report) -> str:
    """Sold (solid) and on-sale (dashed) tickets over time, as inline SVG."""
    points = report.timeline
    span = max((p["t_ms"] for p in points), default=0) or 1
    top = max(report.total_tickets, 1)

    def line(values: list[int]) -> str:
        return " ".join(
            f"{PAD + p['t_ms'] / span * (WIDTH - 2 * PAD):.1f},"
            f"{HEIGHT - PAD - value / top * (HEIGHT - 2 * PAD):.1f}"
            for p, value in zip(points, values)
        )

    sold = line([p["sold"] for p in points])
    available = line([p["available"] for p in points])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="timeline">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="none" stroke="#ccc"/>'
        f'<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="{sold}"/>'
        f'<polyline fill="none" stroke="#ff7f0e" stroke-dasharray="4 3" '
        f'points="{available}"/>'
        f"<title>sold (solid) and available (dashed) over {span} ms</title></svg>"
    )


def report_html(report: Report) -> str:
    """A small table of the main figures and the timeline."""
    wait = report.wait
    rows = [
        ("event", escape(report.event_name)),
        ("strategy", escape(report.strategy)),
        ("end", escape(report.end)),
        ("sold", f"{report.sold:,} / {report.total_tickets:,}"),
        ("revenue", _money(report.revenue)),
        ("elapsed", f"{report.elapsed_secs:.3f} s"),
        ("throughput", f"{report.throughput_per_sec:,.0f} /s"),
        ("wait p50 / p99 (VIP)", f"{wait['vip']['p50_us']} / {wait['vip']['p99_us']} µs"),
        (
            "wait p50 / p99 (regular)",
            f"{wait['regular']['p50_us']} / {wait['regular']['p99_us']} µs",
        ),
    ]
    table = "".join(
        f'<tr><th style="text-align:left">{name}</th><td>{value}</td></tr>' for name, value in rows
    )
    return f"<div><table>{table}</table>{timeline_svg(report)}</div>"
