"""Typed box office events, as ``BoxOffice.subscribe()`` yields them.

One frozen class per kind, each with ``__match_args__`` (also on Python
3.9, where dataclasses do not add it) and a ``kind`` class attribute that
is the core's spelling (``"released"``, ``"hold_placed"``...)::

    for event in office.subscribe():
        match event:
            case events.Sold(sale=sale):
                print(sale.customer, sale.price)
            case events.HoldExpired(hold_id=hold):
                print("hold", hold, "lapsed")

Fields are consistent across kinds: ``ticket_id`` (an ``int``) is on every
event about one ticket, ``ticket`` (a ``Ticket``) and ``sale`` (a ``Sale``)
only where the whole value is known, ``hold_id`` on every hold event. Money
is ``int`` cents, times are seconds since the epoch. ``event["field"]``
still works as it did for the old dicts.

Some names (``HoldExpired``, ``SoldOut``, ``Closed``) are also exception
names at the package top level: use them through this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, Union

from ticketpool._fields import FieldAccess
from ticketpool._ticketpool import Sale, Ticket, TicketPoolError

__all__ = [
    "Closed",
    "Event",
    "HoldCancelled",
    "HoldConfirmed",
    "HoldExpired",
    "HoldPlaced",
    "Lagged",
    "Paused",
    "Released",
    "Resumed",
    "Sold",
    "SoldOut",
    "StreamEnded",
    "Unknown",
    "VendorAdded",
    "VendorRemoved",
]


class StreamEnded(TicketPoolError):
    """``Subscription.next()`` found the stream over: the office is closed
    and every event was read. (A timeout returns ``None`` instead.)"""


@dataclass(frozen=True, eq=False)
class VendorAdded(FieldAccess):
    """A vendor joined and may release tickets of ``ticket_types``."""

    kind: ClassVar[Literal["vendor_added"]] = "vendor_added"
    __match_args__: ClassVar[tuple[str, ...]] = ("vendor", "ticket_types")
    vendor: str
    ticket_types: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class VendorRemoved(FieldAccess):
    """A vendor left; tickets it released stay on sale."""

    kind: ClassVar[Literal["vendor_removed"]] = "vendor_removed"
    __match_args__: ClassVar[tuple[str, ...]] = ("vendor",)
    vendor: str


@dataclass(frozen=True, eq=False)
class Released(FieldAccess):
    """A ticket went on sale."""

    kind: ClassVar[Literal["released"]] = "released"
    __match_args__: ClassVar[tuple[str, ...]] = ("ticket",)
    ticket: Ticket

    @property
    def ticket_id(self) -> int:
        """The ticket's id, as on every event about one ticket."""
        return self.ticket.id


@dataclass(frozen=True, eq=False)
class HoldPlaced(FieldAccess):
    """A customer took a ticket out of sale until ``expires_at``."""

    kind: ClassVar[Literal["hold_placed"]] = "hold_placed"
    __match_args__: ClassVar[tuple[str, ...]] = (
        "hold_id",
        "ticket_id",
        "customer",
        "priority",
        "price",
        "expires_at",
    )
    hold_id: int
    ticket_id: int
    customer: str
    priority: Literal["vip", "regular"]
    price: int
    """The price fixed for the hold, in cents."""
    expires_at: float


@dataclass(frozen=True, eq=False)
class HoldConfirmed(FieldAccess):
    """A hold was confirmed; a ``Sold`` for the ticket follows."""

    kind: ClassVar[Literal["hold_confirmed"]] = "hold_confirmed"
    __match_args__: ClassVar[tuple[str, ...]] = ("hold_id", "ticket_id")
    hold_id: int
    ticket_id: int


@dataclass(frozen=True, eq=False)
class HoldCancelled(FieldAccess):
    """A hold was cancelled; its ticket is on sale again."""

    kind: ClassVar[Literal["hold_cancelled"]] = "hold_cancelled"
    __match_args__: ClassVar[tuple[str, ...]] = ("hold_id", "ticket_id")
    hold_id: int
    ticket_id: int


@dataclass(frozen=True, eq=False)
class HoldExpired(FieldAccess):
    """A hold passed its deadline; its ticket is on sale again."""

    kind: ClassVar[Literal["hold_expired"]] = "hold_expired"
    __match_args__: ClassVar[tuple[str, ...]] = ("hold_id", "ticket_id")
    hold_id: int
    ticket_id: int


@dataclass(frozen=True, eq=False)
class Sold(FieldAccess):
    """A ticket was sold."""

    kind: ClassVar[Literal["sold"]] = "sold"
    __match_args__: ClassVar[tuple[str, ...]] = ("sale",)
    sale: Sale

    @property
    def ticket_id(self) -> int:
        """The ticket's id, as on every event about one ticket."""
        return self.sale.ticket.id


@dataclass(frozen=True, eq=False)
class Paused(FieldAccess):
    """Releases were paused."""

    kind: ClassVar[Literal["paused"]] = "paused"
    __match_args__: ClassVar[tuple[str, ...]] = ()


@dataclass(frozen=True, eq=False)
class Resumed(FieldAccess):
    """Releases were resumed."""

    kind: ClassVar[Literal["resumed"]] = "resumed"
    __match_args__: ClassVar[tuple[str, ...]] = ()


@dataclass(frozen=True, eq=False)
class SoldOut(FieldAccess):
    """Every ticket of the event is sold."""

    kind: ClassVar[Literal["sold_out"]] = "sold_out"
    __match_args__: ClassVar[tuple[str, ...]] = ()


@dataclass(frozen=True, eq=False)
class Closed(FieldAccess):
    """The box office was closed."""

    kind: ClassVar[Literal["closed"]] = "closed"
    __match_args__: ClassVar[tuple[str, ...]] = ()


@dataclass(frozen=True, eq=False)
class Lagged(FieldAccess):
    """``missed`` events were dropped here because the buffer was full."""

    kind: ClassVar[Literal["lagged"]] = "lagged"
    __match_args__: ClassVar[tuple[str, ...]] = ("missed",)
    missed: int


@dataclass(frozen=True, eq=False)
class Unknown(FieldAccess):
    """An event kind this version of the bindings does not know yet."""

    kind: ClassVar[Literal["unknown"]] = "unknown"
    __match_args__: ClassVar[tuple[str, ...]] = ("name",)
    name: str


Event = Union[
    VendorAdded,
    VendorRemoved,
    Released,
    HoldPlaced,
    HoldConfirmed,
    HoldCancelled,
    HoldExpired,
    Sold,
    Paused,
    Resumed,
    SoldOut,
    Closed,
    Lagged,
    Unknown,
]
"""Any item of a subscription."""
