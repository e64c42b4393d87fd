"""ticketpool: a real-time ticketing engine with bounded lock-free pools.

- ``Pool``: a bounded, thread-safe pool of any objects in the ``queue.Queue``
  style, with VIP ``get``; blocking calls release the GIL.
- ``BoxOffice`` with ``Vendor``, ``Customer`` and ``Hold`` handles; ``Ticket``
  and ``Sale`` values; ``subscribe()`` for live events.
- ``simulate(config)``: the Rust simulator, run without the GIL, giving a
  ``Report``.
- Exceptions under ``TicketPoolError``; ``Full`` and ``Empty`` also subclass
  ``queue.Full`` and ``queue.Empty``.

Money: config prices are major units (``Decimal``, ``int``, ``str``, or a
``float`` with at most two decimals); every amount returned is an ``int`` of
minor units (cents). Times are seconds since the epoch.
"""

from ticketpool._ticketpool import (
    BoxOffice,
    Closed,
    ConfigError,
    Customer,
    Empty,
    Full,
    Hold,
    HoldCancelled,
    HoldExpired,
    LimitReached,
    Pool,
    Report,
    Sale,
    SoldOut,
    Subscription,
    Ticket,
    TicketPoolError,
    Vendor,
    simulate,
)

# The non-blocking convention (pyqueue): a paused office has its own error.
from ticketpool._ticketpool import Paused

__all__ = [
    "BoxOffice",
    "Closed",
    "ConfigError",
    "Customer",
    "Empty",
    "Full",
    "Hold",
    "HoldCancelled",
    "HoldExpired",
    "LimitReached",
    "Pool",
    "Report",
    "Sale",
    "SoldOut",
    "Subscription",
    "Ticket",
    "TicketPoolError",
    "Vendor",
    "simulate",
    # pyqueue
    "Paused",
]
