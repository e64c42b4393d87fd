"""The shape of ``simulate_seated()``'s report, as TypedDicts (the values
are plain dicts). Money is ``int`` cents."""

from __future__ import annotations

from typing import Dict, TypedDict

__all__ = ["GroupOutcomes", "SeatCountsDict", "SeatedReport"]


class SeatCountsDict(TypedDict):
    """Seats in each state."""

    not_on_sale: int
    available: int
    held: int
    sold: int


class GroupOutcomes(TypedDict):
    """How the VIP or the Regular groups fared."""

    groups: int
    fans: int
    seated_together: int
    fans_seated: int
    not_seated: int
    lapsed: int


class SeatedReport(TypedDict):
    """The seated run: groups seated together, seats sold, holds expired,
    and ``consistent``: no seat sold twice, the final snapshot's sold seats
    are the sales', and no seat is left held."""

    venue: str
    seats: int
    waves: int
    vip: GroupOutcomes
    regular: GroupOutcomes
    seats_sold: int
    revenue_minor: int
    holds_expired: int
    sold_twice: int
    snapshot_matches_sales: bool
    counts: SeatCountsDict
    by_section: Dict[str, SeatCountsDict]
    consistent: bool
