"""Type stubs for the ticketpool extension module (hand-written; checked by
``python -m mypy.stubtest ticketpool``)."""

import datetime
import os
import pathlib
import queue
import types
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any, Generic, Literal, Optional, Union, final

from typing_extensions import Self, TypeVar

# A Pool's item type: `Pool[int]` in hints; a bare `Pool` holds Any.
_T = TypeVar("_T", default=Any)

# Typed events, snapshots, progress and report shapes (issue 19).
from ticketpool.events import Event as _OfficeEvent
from ticketpool.progress import Progress
from ticketpool.report_types import (
    CustomerReport,
    Fairness,
    HoldStats,
    TimelinePoint,
    TypeSales,
    WaitDistribution,
    WaitStatsByPriority,
)
from ticketpool.snapshot import Snapshot
from ticketpool.seat_types import SeatedReport

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
    "Paused",
    "Pool",
    "Report",
    "Sale",
    "SoldOut",
    "Subscription",
    "Ticket",
    "TicketPoolError",
    "Vendor",
    "_sale_from_json",
    "_ticket_from_json",
    "simulate",
]

class TicketPoolError(Exception):
    """Base class of every ticketpool error."""

class Full(TicketPoolError, queue.Full):
    """No room: a non-blocking put or release found none, or a timeout passed."""

class Empty(TicketPoolError, queue.Empty):
    """Nothing to take: a non-blocking get or buy found none, or a timeout passed."""

class Closed(TicketPoolError):
    """The pool or box office is closed."""

class SoldOut(TicketPoolError):
    """Every ticket (of the requested type) is sold."""

class HoldExpired(TicketPoolError):
    """The hold passed its deadline; its ticket went back on sale."""

class HoldCancelled(TicketPoolError):
    """The hold was cancelled; its ticket went back on sale."""

class LimitReached(TicketPoolError):
    """The customer's held, bought and still-waiting tickets reach the purchase limit."""

class Paused(TicketPoolError):
    """The box office is paused: a non-blocking release, or one whose timeout passed while paused."""

class ConfigError(TicketPoolError, ValueError):
    """An invalid box office configuration; the message lists every problem."""

# Non-blocking convention (Pool and office alike, as queue.Queue): a falsy
# `block` or `timeout=0` tries once, now, and `*_nowait()` is the same call;
# `timeout=None` waits for ever, a negative one is a ValueError. "Not now" is
# `Full` (putting, releasing) or `Empty` (getting, buying); a paused office
# is `Paused`.
@final
class Pool(Generic[_T]):
    """A bounded, thread-safe pool of any objects with VIP-priority ``get``;
    a drop-in ``queue.Queue`` (``task_done``/``join``, ``maxsize``, always
    truthy)."""

    def __new__(
        cls, capacity: int, *, strategy: Literal["lockfree", "condvar"] = "lockfree"
    ) -> Pool[_T]: ...
    def put(self, item: _T, block: object = True, timeout: Optional[float] = None) -> None: ...
    def put_nowait(self, item: _T) -> None: ...
    def get(
        self, block: object = True, timeout: Optional[float] = None, *, vip: object = False
    ) -> _T: ...
    def get_nowait(self, *, vip: object = False) -> _T: ...
    def put_many(
        self, items: Iterable[_T], block: object = True, timeout: Optional[float] = None
    ) -> int: ...
    def get_many(
        self,
        max_items: int,
        block: object = True,
        timeout: Optional[float] = None,
        *,
        vip: object = False,
    ) -> list[_T]: ...
    def task_done(self) -> None:
        """Marks one item taken as processed; ``ValueError`` if called more
        times than items were put."""
    def join(self) -> None:
        """Waits until every item put was marked done (Ctrl-C interrupts)."""
    @property
    def unfinished_tasks(self) -> int: ...
    @property
    def maxsize(self) -> int:
        """The same as ``capacity`` (a pool is never unbounded)."""
    def close(self) -> bool: ...
    @property
    def closed(self) -> bool: ...
    @property
    def capacity(self) -> int: ...
    @property
    def strategy(self) -> Literal["lockfree", "condvar"]: ...
    def __len__(self) -> int: ...
    def __bool__(self) -> Literal[True]: ...
    def __class_getitem__(cls, item: Any) -> types.GenericAlias: ...
    def qsize(self) -> int: ...
    def empty(self) -> bool: ...
    def full(self) -> bool: ...
    def waiting_getters(self, *, vip: bool = False) -> int: ...

@final
class Ticket:
    """A ticket released by a vendor. Frozen, hashable, picklable."""

    @property
    def id(self) -> int: ...
    @property
    def ticket_type(self) -> str: ...
    @property
    def vendor(self) -> str: ...
    @property
    def base_price(self) -> int:
        """The type's base price when released, in minor units (cents)."""
    @property
    def released_at(self) -> float: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

@final
class Sale:
    """A completed sale. Frozen, hashable, picklable."""

    @property
    def ticket(self) -> Ticket: ...
    @property
    def customer(self) -> str: ...
    @property
    def priority(self) -> Literal["vip", "regular"]: ...
    @property
    def price(self) -> int:
        """The price paid, in minor units (cents)."""
    @property
    def sold_at(self) -> float: ...
    @property
    def waited(self) -> float: ...
    @property
    def hold(self) -> Optional[int]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

@final
class Vendor:
    """A vendor's handle: it releases tickets."""

    def release(
        self, ticket_type: str, timeout: Optional[float] = None, *, block: object = True
    ) -> Ticket:
        """Waits while the office is full or paused; then ``Full`` or ``Paused``."""
    def release_nowait(self, ticket_type: str) -> Ticket: ...
    @property
    def name(self) -> str: ...
    @property
    def ticket_types(self) -> list[str]: ...

@final
class Hold:
    """A ticket held until a deadline; cancels on leaving a ``with`` block
    unless confirmed."""

    def confirm(self) -> Sale: ...
    def cancel(self) -> bool: ...
    @property
    def id(self) -> int: ...
    @property
    def ticket(self) -> Ticket: ...
    @property
    def price(self) -> int:
        """The price fixed for the hold, in minor units (cents)."""
    @property
    def expires_at(self) -> float: ...
    @property
    def is_open(self) -> bool: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        *_exc: Union[type[BaseException], BaseException, TracebackType, None],
    ) -> bool: ...

@final
class Customer:
    """A customer's handle: it buys, or reserves into a ``Hold``."""

    def buy(
        self,
        ticket_type: Optional[str] = None,
        timeout: Optional[float] = None,
        *,
        block: object = True,
    ) -> Sale: ...
    def buy_nowait(self, ticket_type: Optional[str] = None) -> Sale: ...
    def reserve(
        self,
        ticket_type: Optional[str] = None,
        timeout: Optional[float] = None,
        *,
        block: object = True,
    ) -> Hold: ...
    def reserve_nowait(self, ticket_type: Optional[str] = None) -> Hold: ...
    @property
    def name(self) -> str: ...
    @property
    def vip(self) -> bool: ...

@final
class Subscription:
    """A live stream of typed events (``ticketpool.events``); iterable, and
    ``async for`` reads it without blocking the event loop."""

    def __iter__(self) -> Self: ...
    def __next__(self) -> _OfficeEvent: ...
    def next(self, timeout: Optional[float] = None) -> Optional[_OfficeEvent]:
        """The next event; ``None`` if ``timeout`` passed; raises
        ``StreamEnded`` once the stream is over."""
    def __aiter__(self) -> Self: ...
    def __anext__(self) -> Awaitable[_OfficeEvent]: ...
    @property
    def missed(self) -> int: ...

@final
class BoxOffice:
    """A box office for one event."""

    def __new__(cls, config: dict[str, Any]) -> BoxOffice:
        """Prices in ``config`` are major units: ``Decimal``, ``int``, ``str``
        (``"42.50"``), or a ``float`` with at most two decimals. Every amount
        returned (``Ticket.base_price``, ``Sale.price``, ``Hold.price``, the
        snapshot's ``revenue``) is an ``int`` of cents."""
    @staticmethod
    def from_file(path: Union[str, os.PathLike[str]]) -> BoxOffice: ...
    def add_vendor(self, name: str, ticket_types: Iterable[str] = ...) -> Vendor: ...
    def remove_vendor(self, name: str) -> None: ...
    def customer(self, name: str, vip: object = False) -> Customer: ...
    def pause(self) -> bool: ...
    def resume(self) -> bool: ...
    def close(self) -> bool: ...
    @property
    def closed(self) -> bool: ...
    @property
    def sold_out(self) -> bool: ...
    @property
    def event_name(self) -> str: ...
    def snapshot(self) -> Snapshot: ...
    def sales(self) -> list[Sale]: ...
    def subscribe(self, capacity: int = 1024) -> Subscription: ...

@final
class Report:
    """What a finished simulation measured: every figure an attribute
    (money in cents, waits in microseconds), ``sales()`` the run's sales
    log, ``to_dict()`` the JSON form."""

    def to_dict(self) -> dict[str, Any]: ...
    def sales(self) -> list[Sale]: ...
    def to_pandas(self) -> Any:
        """The sales log as a ``pandas.DataFrame``; ``ImportError`` without pandas."""
    def to_polars(self) -> Any:
        """The sales log as a ``polars.DataFrame``; ``ImportError`` without polars."""
    def _repr_html_(self) -> str: ...
    @property
    def event_name(self) -> str: ...
    @property
    def strategy(self) -> Literal["lockfree", "condvar"]: ...
    @property
    def seed(self) -> int: ...
    @property
    def end(self) -> Literal["sold_out", "demand_met", "duration", "stopped"]: ...
    @property
    def elapsed_secs(self) -> float: ...
    @property
    def total_tickets(self) -> int: ...
    @property
    def released(self) -> int: ...
    @property
    def sold(self) -> int: ...
    @property
    def available_at_end(self) -> int: ...
    @property
    def held_at_end(self) -> int: ...
    @property
    def throughput_per_sec(self) -> float: ...
    @property
    def revenue(self) -> int: ...
    @property
    def peak_occupancy(self) -> int: ...
    @property
    def max_capacity(self) -> int: ...
    @property
    def wait(self) -> WaitStatsByPriority: ...
    @property
    def wait_distribution(self) -> WaitDistribution: ...
    @property
    def fairness(self) -> Fairness: ...
    @property
    def sales_by_vendor(self) -> dict[str, int]: ...
    @property
    def sales_by_type(self) -> dict[str, TypeSales]: ...
    @property
    def holds(self) -> HoldStats: ...
    @property
    def customers(self) -> list[CustomerReport]: ...
    @property
    def sample_interval_ms(self) -> int: ...
    @property
    def timeline(self) -> list[TimelinePoint]: ...

def simulate(
    config: dict[str, Any],
    *,
    strategy: Optional[Literal["lockfree", "condvar"]] = None,
    progress: Union[bool, None, Callable[[Progress], object]] = None,
) -> Report: ...
def _ticket_from_json(state: str) -> Ticket: ...
def _sale_from_json(state: str) -> Sale: ...

# ---- The catalog (issue 15): venues, performers, events, search, my tickets.
# Ids are plain ints, one sequence per kind; datetimes are timezone-aware
# (naive ones are refused); money is int cents, as everywhere.

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

_EventStatus = Literal["draft", "on_sale", "paused", "sold_out", "cancelled", "past", "closed"]

class CatalogError(TicketPoolError):
    """A catalog operation failed; the catalog is unchanged."""

class NotFound(CatalogError, LookupError):
    """No event, venue or performer has this id."""

class InvalidEntry(CatalogError, ValueError):
    """A value breaks a catalog rule; ``argument`` names it."""

    argument: str

class FrozenField(CatalogError):
    """This field may no longer change given the event's status."""

    field: Literal["venue", "office"]
    status: _EventStatus

class InvalidTransition(CatalogError):
    """The action does not apply to the event in its status."""

    action: str
    status: _EventStatus

class NotOnSale(CatalogError):
    """The event is a draft: it has no box office yet."""

class CatalogInUse(CatalogError):
    """Another program (a ``ticketpool serve``, or another ``Catalog.open``)
    has this catalog directory open; ``path`` names it."""

    path: str

@final
class Venue:
    """Where events happen."""

    def __eq__(self, value: object, /) -> bool: ...
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def capacity(self) -> int: ...

@final
class Performer:
    """Who performs."""

    def __eq__(self, value: object, /) -> bool: ...
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...

@final
class Event:
    """One event of the catalog, as it was when read."""

    def __eq__(self, value: object, /) -> bool: ...
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def performers(self) -> list[int]: ...
    @property
    def venue(self) -> int: ...
    @property
    def starts_at(self) -> datetime.datetime: ...
    @property
    def time_zone(self) -> str: ...
    @property
    def local_start(self) -> datetime.datetime: ...
    @property
    def categories(self) -> list[str]: ...
    @property
    def status(self) -> _EventStatus: ...
    @property
    def ticket_types(self) -> list[str]: ...
    @property
    def total_tickets(self) -> int: ...

@final
class SearchHit:
    """One event found, with its relevance (higher is better)."""

    @property
    def event(self) -> Event: ...
    @property
    def score(self) -> float: ...

@final
class SearchResults:
    """A page of hits, best first, with the paging around it."""

    @property
    def hits(self) -> list[SearchHit]: ...
    @property
    def total(self) -> int: ...
    @property
    def page(self) -> int: ...
    @property
    def per_page(self) -> int: ...
    @property
    def pages(self) -> int: ...
    @property
    def has_next(self) -> bool: ...
    def __len__(self) -> int: ...
    def __getitem__(self, key: int, /) -> SearchHit: ...
    def __iter__(self) -> Iterator[SearchHit]: ...

@final
class Popular:
    """One event of the "popular now" ranking."""

    @property
    def event(self) -> Event: ...
    @property
    def sold_in_window(self) -> int: ...

@final
class BookedTicket:
    """One ticket a customer bought."""

    @property
    def event(self) -> Event: ...
    @property
    def ticket(self) -> int: ...
    @property
    def ticket_type(self) -> str: ...
    @property
    def vendor(self) -> str: ...
    @property
    def price(self) -> int: ...
    @property
    def sold_at(self) -> datetime.datetime: ...

@final
class Catalog:
    """Venues, performers and events, each event with its box office;
    in memory (``Catalog()``) or durable (``Catalog.open(directory)``)."""

    def __new__(
        cls, *, popular_bucket: float = 5.0, popular_buckets: int = 12
    ) -> Catalog: ...
    @staticmethod
    def open(
        path: Union[str, os.PathLike[str]],
        *,
        popular_bucket: float = 5.0,
        popular_buckets: int = 12,
    ) -> Catalog: ...
    @property
    def path(self) -> Optional[pathlib.Path]: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        *_exc: Union[type[BaseException], BaseException, TracebackType, None],
    ) -> Literal[False]: ...
    def __len__(self) -> int: ...
    def add_venue(self, name: str, city: str, capacity: int) -> Venue: ...
    def update_venue(
        self,
        venue: int,
        *,
        name: Optional[str] = None,
        city: Optional[str] = None,
        capacity: Optional[int] = None,
    ) -> Venue: ...
    def venue(self, venue: int) -> Venue: ...
    def add_performer(self, name: str, description: str = ...) -> Performer: ...
    def update_performer(
        self,
        performer: int,
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
    ) -> Performer: ...
    def performer(self, performer: int) -> Performer: ...
    def add_event(
        self,
        name: str,
        *,
        venue: int,
        starts_at: datetime.datetime,
        office: dict[str, Any],
        description: str = ...,
        performers: Optional[Iterable[int]] = None,
        time_zone: str = ...,  # "UTC"
        categories: Optional[Iterable[str]] = None,
    ) -> Event: ...
    def update_event(
        self,
        event: int,
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
        performers: Optional[Iterable[int]] = None,
        venue: Optional[int] = None,
        starts_at: Optional[datetime.datetime] = None,
        time_zone: Optional[str] = None,
        categories: Optional[Iterable[str]] = None,
        office: Optional[dict[str, Any]] = None,
    ) -> Event: ...
    def event(self, event: int) -> Event: ...
    def put_on_sale(self, event: int) -> Event: ...
    def pause(self, event: int) -> Event: ...
    def resume(self, event: int) -> Event: ...
    def close_sales(self, event: int) -> Event: ...
    def cancel(self, event: int) -> Event: ...
    def refresh(self, now: Optional[datetime.datetime] = None) -> list[Event]: ...
    def office(self, event: int) -> BoxOffice: ...
    def availability(self, event: int) -> Snapshot: ...
    def search(
        self,
        text: str = ...,
        *,
        city: Optional[str] = None,
        category: Optional[str] = None,
        starts_after: Optional[datetime.datetime] = None,
        starts_before: Optional[datetime.datetime] = None,
        on_sale_only: bool = False,
        page: Optional[int] = None,
        per_page: Optional[int] = None,
    ) -> SearchResults: ...
    def wait_searchable(self, timeout: float = 5.0) -> bool: ...
    def upcoming(
        self, limit: Optional[int] = None, *, after: Optional[datetime.datetime] = None
    ) -> list[Event]: ...
    def popular(self, limit: Optional[int] = None) -> list[Popular]: ...
    def my_tickets(self, customer: str, limit: Optional[int] = None) -> list[BookedTicket]: ...

# ---- Seats (issue 17): seat maps, all-or-nothing holds, best-available.
# Seats are named by label ("Stalls B-12"); money is int cents.

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
    "simulate_seated",
]

_SeatState = Literal["not_on_sale", "available", "held", "sold"]

class VenueConfigError(ConfigError):
    """An invalid venue seat map; `problems` lists every problem, one string each."""

    problems: list[str]

class SeatError(TicketPoolError):
    """A seat operation failed; no seat changed state."""

class NotInVenue(SeatError, LookupError):
    """No seat, section, row or price tier of the venue has this name."""

class SeatsUnavailable(SeatError):
    """Some of the seats asked for are not available, so none was held; `seats` names them."""

    seats: list[str]

class NoAdjacentSeats(SeatError):
    """No block of that many adjacent available seats in the section or tier."""

class HoldEnded(SeatError):
    """The seat hold already ended (confirmed, cancelled or expired)."""

@final
class Seat:
    @property
    def label(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def row(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def x(self) -> float: ...
    @property
    def y(self) -> float: ...
    @property
    def tier(self) -> str: ...
    @property
    def accessible(self) -> bool: ...
    @property
    def companion(self) -> bool: ...
    @property
    def restricted_view(self) -> bool: ...

@final
class SeatMap:
    @staticmethod
    def from_toml(text: str) -> SeatMap: ...
    @staticmethod
    def from_file(path: Union[str, os.PathLike[str]]) -> SeatMap: ...
    @property
    def name(self) -> str: ...
    @property
    def seat_count(self) -> int: ...
    @property
    def sections(self) -> list[str]: ...
    @property
    def tiers(self) -> dict[str, int]: ...
    def seats(self) -> list[Seat]: ...
    def seat(self, label: str) -> Seat: ...
    def __len__(self) -> int: ...

@final
class SeatHold:
    @property
    def id(self) -> int: ...
    @property
    def seats(self) -> list[str]: ...
    @property
    def price(self) -> int: ...
    @property
    def prices(self) -> list[int]: ...
    def confirm(self) -> None: ...
    def cancel(self) -> None: ...

@final
class SeatCounts:
    @property
    def not_on_sale(self) -> int: ...
    @property
    def available(self) -> int: ...
    @property
    def held(self) -> int: ...
    @property
    def sold(self) -> int: ...
    @property
    def total(self) -> int: ...

@final
class SeatSnapshot:
    @property
    def counts(self) -> SeatCounts: ...
    def by_section(self) -> dict[str, SeatCounts]: ...
    def by_tier(self) -> dict[str, SeatCounts]: ...
    def states(self) -> dict[str, _SeatState]: ...
    def state(self, label: str) -> _SeatState: ...
    def rows_text(self) -> str: ...

@final
class SeatedSale:
    def __new__(cls, seat_map: SeatMap, *, hold_seconds: Optional[float] = None) -> SeatedSale: ...
    @property
    def venue(self) -> str: ...
    @property
    def hold_count(self) -> int: ...
    def release_all(self) -> int: ...
    def release_section(self, section: str) -> int: ...
    def release_tier(self, tier: str) -> int: ...
    def release_block(self, section: str, rows: str) -> int: ...
    def hold(self, seats: Iterable[str]) -> SeatHold: ...
    def best_available(
        self,
        n: int,
        *,
        section: Optional[str] = None,
        tier: Optional[str] = None,
        accessible: Optional[bool] = None,
    ) -> SeatHold: ...
    def reap(self) -> int: ...
    def state(self, label: str) -> _SeatState: ...
    def snapshot(self) -> SeatSnapshot: ...

def simulate_seated(
    seat_map: SeatMap,
    *,
    waves: Optional[list[dict[Literal["section", "tier"], str]]] = None,
    groups: Optional[int] = None,
    threads: Optional[int] = None,
    vip_share: Optional[float] = None,
    max_group: Optional[int] = None,
    tier_share: Optional[float] = None,
    lapse_share: Optional[float] = None,
    seed: Optional[int] = None,
) -> SeatedReport: ...
