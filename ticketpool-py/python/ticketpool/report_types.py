"""The shapes of ``Report``'s nested figures, as TypedDicts (the values
are plain dicts and lists). Money is ``int`` cents, waits microseconds."""

from __future__ import annotations

from typing import List, Optional, TypedDict

__all__ = [
    "CustomerReport",
    "Fairness",
    "HoldStats",
    "TimelinePoint",
    "TypeSales",
    "WaitBucket",
    "WaitDistribution",
    "WaitStats",
    "WaitStatsByPriority",
]

class WaitStats(TypedDict):
    """Wait-time percentiles of one priority, in microseconds."""

    count: int
    min_us: int
    p50_us: int
    p90_us: int
    p99_us: int
    max_us: int
    mean_us: float


class WaitBucket(TypedDict):
    """Sales whose wait was at most ``upper_us`` (above the bar before)."""

    upper_us: int
    count: int


class TypeSales(TypedDict):
    """Sales of one ticket type; ``revenue`` in cents."""

    sold: int
    revenue: int


class HoldStats(TypedDict):
    """Hold outcomes over all customers."""

    placed: int
    confirmed: int
    abandoned: int
    expired: int
    cancelled: int


class CustomerReport(TypedDict):
    """One customer's part in the run."""

    index: int
    name: str
    priority: str
    requests: int
    bought: int
    holds_placed: int
    holds_confirmed: int
    holds_abandoned: int
    holds_expired: int
    holds_cancelled: int
    plan_digest: int


class TimelinePoint(TypedDict):
    """The office at one moment of the run (``t_ms`` since the start)."""

    t_ms: int
    released: int
    available: int
    held: int
    sold: int
    waiting_vip: int
    waiting_regular: int


class WaitStatsByPriority(TypedDict):
    """Wait-time percentiles per priority."""

    vip: WaitStats
    regular: WaitStats


class WaitDistribution(TypedDict):
    """Wait-time distributions per priority, in doubling buckets."""

    vip: List[WaitBucket]
    regular: List[WaitBucket]


class Fairness(TypedDict):
    """Jain's fairness index per priority; ``None`` when nobody bought."""

    vip: Optional[float]
    regular: Optional[float]
