"""``BoxOffice.snapshot()``'s value: a frozen ``Snapshot`` made of
``TicketCounts``. ``snapshot["totals"]["sold"]`` still works as it did for
the old dicts; ``snapshot.totals.sold`` is the typed form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ticketpool._fields import FieldAccess

__all__ = ["Snapshot", "TicketCounts"]


@dataclass(frozen=True, eq=False)
class TicketCounts(FieldAccess):
    """Tickets in each state; ``released == available + held + sold``."""

    released: int
    available: int
    held: int
    sold: int


@dataclass(frozen=True, eq=False)
class Snapshot(FieldAccess):
    """A consistent picture of a box office at one instant."""

    event_name: str
    strategy: Literal["lockfree", "condvar"]
    total_tickets: int
    max_capacity: int
    totals: TicketCounts
    by_type: dict[str, TicketCounts]
    by_vendor: dict[str, TicketCounts]
    revenue: int
    """The sum of every sale's price, in cents."""
    waiting_vip: int
    waiting_regular: int
    waiting_vendors: int
    peak_occupancy: int
    paused: bool
    sold_out: bool
    closed: bool
    consistent: bool
    taken_at: float
