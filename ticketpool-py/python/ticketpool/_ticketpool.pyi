"""Type stubs for the ticketpool extension module (hand-written; checked by
``python -m mypy.stubtest ticketpool``)."""

import os
import queue
import types
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any, Generic, Literal, Optional, Union, final

from typing_extensions import Self, TypeVar

# A Pool's item type: `Pool[int]` in hints; a bare `Pool` holds Any.
_T = TypeVar("_T", default=Any)

# Typed events, snapshots, progress and report shapes (issue 19).
from ticketpool.events import Event
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
    def __next__(self) -> Event: ...
    def next(self, timeout: Optional[float] = None) -> Optional[Event]:
        """The next event; ``None`` if ``timeout`` passed; raises
        ``StreamEnded`` once the stream is over."""
    def __aiter__(self) -> Self: ...
    def __anext__(self) -> Awaitable[Event]: ...
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
