"""ticketpool: a real-time ticketing engine with bounded lock-free pools.

- ``Pool``: a bounded, thread-safe pool of any objects in the ``queue.Queue``
  style, with VIP ``get``; blocking calls release the GIL.
- ``BoxOffice`` with ``Vendor``, ``Customer`` and ``Hold`` handles; ``Ticket``
  and ``Sale`` values; ``subscribe()`` for live events.
- ``simulate(config)``: the Rust simulator, run without the GIL, giving a
  ``Report``.
- Typed values: ``events`` (one frozen class per event kind, for ``match``),
  ``Snapshot``/``TicketCounts``, ``Progress``; ``report_types`` for the
  ``Report``'s nested figures.
- Exceptions under ``TicketPoolError``; ``Full`` and ``Empty`` also subclass
  ``queue.Full`` and ``queue.Empty``.

Money: config prices are major units (``Decimal``, ``int``, ``str``, or a
``float`` with at most two decimals); every amount returned is an ``int`` of
minor units (cents). Times are seconds since the epoch.
- ``Catalog``: venues, performers and events with their box offices,
  full-text ``search``, ``upcoming``, ``popular`` and ``my_tickets``; in
  memory or durable (``Catalog.open(directory)``). Its times are
  timezone-aware ``datetime`` objects.
- Seats: ``SeatMap`` (from TOML), ``SeatedSale`` (release waves, ``hold``
  of named seats all or nothing, ``best_available``), ``SeatHold``,
  ``SeatSnapshot``; ``simulate_seated()`` runs the seated scenario.

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

# The non-blocking convention (pyqueue): a paused office has its own error.
from ticketpool._ticketpool import Paused
# Typed events, snapshots, progress and report shapes (issue 19).
from ticketpool import events, report_types
# `ticketpool.events.Event` is any office event; the top-level `Event` is
# the catalog's event (below).
from ticketpool.events import StreamEnded
from ticketpool.progress import Progress
from ticketpool.snapshot import Snapshot, TicketCounts

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
    "Progress",
    "Report",
    "Sale",
    "Snapshot",
    "SoldOut",
    "StreamEnded",
    "Subscription",
    "Ticket",
    "TicketCounts",
    "TicketPoolError",
    "Vendor",
    "events",
    "report_types",
    "simulate",
    # pyqueue
    "Paused",
]

# The catalog (issue 15).
from ticketpool._ticketpool import (  # noqa: E402
    BookedTicket,
    Catalog,
    CatalogError,
    CatalogInUse,
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
    "CatalogInUse",
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

# Seats (issue 17): seat maps, all-or-nothing holds, best-available, and
# the simulator's seated scenario.
from ticketpool._ticketpool import (  # noqa: E402
    HoldEnded,
    NoAdjacentSeats,
    NotInVenue,
    Seat,
    SeatCounts,
    SeatError,
    SeatHold,
    SeatMap,
    SeatSnapshot,
    SeatedSale,
    SeatsUnavailable,
    VenueConfigError,
    simulate_seated,
)
from ticketpool import seat_types  # noqa: E402

__all__ += [
    "HoldEnded",
    "NoAdjacentSeats",
    "NotInVenue",
    "Seat",
    "SeatCounts",
    "SeatError",
    "SeatHold",
    "SeatMap",
    "SeatSnapshot",
    "SeatedSale",
    "SeatsUnavailable",
    "VenueConfigError",
    "seat_types",
    "simulate_seated",
]
