"""ticketpool: a real-time ticketing engine with bounded lock-free pools.

- ``Pool``: a bounded, thread-safe pool of any objects in the ``queue.Queue``
  style, with VIP ``get``; blocking calls release the GIL.
- ``BoxOffice`` with ``Vendor``, ``Customer`` and ``Hold`` handles; ``Ticket``
  and ``Sale`` values; ``subscribe()`` for live events.
- ``simulate(config)``: the Rust simulator, run without the GIL, giving a
  ``Report``.
- Exceptions under ``TicketPoolError``; ``Full`` and ``Empty`` also subclass
  ``queue.Full`` and ``queue.Empty``.

- ``Catalog``: venues, performers and events with their box offices,
  full-text ``search``, ``upcoming``, ``popular`` and ``my_tickets``; in
  memory or durable (``Catalog.open(directory)``). Its times are
  timezone-aware ``datetime`` objects.

Money is an ``int`` of minor units (cents); times are seconds since the epoch.
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
]

# The catalog (issue 15).
from ticketpool._ticketpool import (  # noqa: E402
    BookedTicket,
    Catalog,
    CatalogError,
    Event,
    FrozenField,
    InvalidEntry,
    InvalidTransition,
    NotFound,
    NotOnSale,
    Performer,
    Popular,
    SearchHit,
    SearchResults,
    Venue,
)

__all__ += [
    "BookedTicket",
    "Catalog",
    "CatalogError",
    "Event",
    "FrozenField",
    "InvalidEntry",
    "InvalidTransition",
    "NotFound",
    "NotOnSale",
    "Performer",
    "Popular",
    "SearchHit",
    "SearchResults",
    "Venue",
]
