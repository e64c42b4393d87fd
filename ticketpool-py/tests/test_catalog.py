"""The catalog from Python: venues, performers and events with their box
offices, search, upcoming, popular, availability and "my tickets"; each
rule's error; and a durable round trip through SQLite."""

from __future__ import annotations

import datetime as dt
import pathlib
import runpy
from typing import Any

import pytest

import ticketpool
from ticketpool import (
    BoxOffice,
    Catalog,
    CatalogError,
    Closed,
    ConfigError,
    FrozenField,
    InvalidEntry,
    InvalidTransition,
    NotFound,
    NotOnSale,
    TicketPoolError,
)

from conftest import wait_until

# Nothing here blocks on purpose; the mark turns a hang into a failure.
pytestmark = pytest.mark.timeout(60)

UTC = dt.timezone.utc
# Far enough ahead to stay upcoming; a summer date, so London is UTC+1.
START = dt.datetime(2031, 7, 14, 18, 30, tzinfo=UTC)


def office(tickets: int = 10, price: str = "15.00", **extra: Any) -> dict[str, Any]:
    """A box office config dict, as `BoxOffice(config)` takes (no
    event_name: the catalog names the office after the event)."""
    config: dict[str, Any] = {
        "total_tickets": tickets,
        "max_capacity": tickets,
        "ticket_types": [{"name": "general", "price": price}],
    }
    config.update(extra)
    return config


def searchable(catalog: Catalog) -> None:
    assert catalog.wait_searchable(30.0), "the index did not follow in time"


@pytest.fixture
def catalog() -> Catalog:
    return Catalog()


@pytest.fixture
def hall(catalog: Catalog) -> int:
    return catalog.add_venue("Royal Albert Hall", "London", 5_000).id


def sell(catalog: Catalog, event: int, buyers: list[str]) -> None:
    """Releases one ticket per buyer and has each buy it."""
    box = catalog.office(event)
    vendor = box.add_vendor(f"desk-{len(box.sales())}")
    for name in buyers:
        vendor.release("general", timeout=0)
        box.customer(name).buy(timeout=0)


# ---- venues and performers ----------------------------------------------


def test_venues_are_added_read_and_updated(catalog: Catalog) -> None:
    venue = catalog.add_venue("Olympia", "Paris", 2_000)
    assert (venue.name, venue.city, venue.capacity) == ("Olympia", "Paris", 2_000)
    assert catalog.venue(venue.id) == venue
    moved = catalog.update_venue(venue.id, city="Lyon")
    assert (moved.name, moved.city, moved.capacity) == ("Olympia", "Lyon", 2_000)
    assert catalog.venue(venue.id) == moved
    other = catalog.add_venue("Zenith", "Paris", 6_000)
    assert other.id != venue.id


def test_venue_errors_name_the_argument(catalog: Catalog) -> None:
    with pytest.raises(InvalidEntry, match=r"^name: the venue's name must not be empty") as e:
        catalog.add_venue("  ", "Paris", 10)
    assert e.value.argument == "name"
    assert isinstance(e.value, ValueError) and isinstance(e.value, CatalogError)
    with pytest.raises(InvalidEntry, match=r"^capacity:") as e:
        catalog.add_venue("Olympia", "Paris", 0)
    assert e.value.argument == "capacity"
    with pytest.raises(TypeError, match="capacity must be an int, got str"):
        catalog.add_venue("Olympia", "Paris", "many")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="capacity must be a whole number"):
        catalog.add_venue("Olympia", "Paris", -5)
    with pytest.raises(NotFound, match="there is no venue #99") as lookup:
        catalog.venue(99)
    assert isinstance(lookup.value, LookupError)
    with pytest.raises(NotFound):
        catalog.update_venue(99, name="Nowhere")


def test_a_venue_cannot_shrink_below_an_event_planned_there(
    catalog: Catalog, hall: int
) -> None:
    catalog.add_event("Proms", venue=hall, starts_at=START, office=office(100))
    with pytest.raises(InvalidEntry, match=r"^capacity: .*cannot shrink to 50") as e:
        catalog.update_venue(hall, capacity=50)
    assert e.value.argument == "capacity"
    assert catalog.venue(hall).capacity == 5_000


def test_performers_are_added_read_and_updated(catalog: Catalog) -> None:
    band = catalog.add_performer("The Proms Orchestra", "strings and brass")
    assert catalog.performer(band.id) == band
    renamed = catalog.update_performer(band.id, name="BBC Symphony Orchestra")
    assert (renamed.name, renamed.description) == (
        "BBC Symphony Orchestra",
        "strings and brass",
    )
    assert catalog.add_performer("Solo").description == ""
    with pytest.raises(InvalidEntry, match="^name:"):
        catalog.add_performer("")
    with pytest.raises(NotFound, match="there is no performer #42"):
        catalog.performer(42)


# ---- events ---------------------------------------------------------------


def test_an_event_starts_as_a_draft_with_what_was_given(
    catalog: Catalog, hall: int
) -> None:
    band = catalog.add_performer("Orchestra").id
    event = catalog.add_event(
        "Last Night of the Proms",
        venue=hall,
        starts_at=START,
        office=office(100),
        description="Land of Hope and Glory",
        performers=[band],
        time_zone="Europe/London",
        categories=["Classical", "classical", "Summer"],
    )
    assert event.status == "draft"
    assert (event.name, event.venue, event.performers) == (
        "Last Night of the Proms",
        hall,
        [band],
    )
    assert event.categories == ["classical", "summer"]
    assert (event.ticket_types, event.total_tickets) == (["general"], 100)
    assert event.starts_at == START and event.starts_at.tzinfo is not None
    assert event.time_zone == "Europe/London"
    assert event.local_start == START
    assert event.local_start.utcoffset() == dt.timedelta(hours=1)  # BST
    assert event.local_start.hour == 19
    assert catalog.event(event.id) == event
    assert len(catalog) == 1


def test_start_times_keep_their_instant_to_the_microsecond(
    catalog: Catalog, hall: int
) -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    start = dt.datetime(2031, 1, 2, 3, 4, 5, 678_901, tzinfo=tokyo)
    event = catalog.add_event("Gig", venue=hall, starts_at=start, office=office())
    assert event.starts_at == start
    assert event.starts_at.utcoffset() == dt.timedelta(0)
    assert event.starts_at.microsecond == 678_901


def test_naive_and_non_datetime_start_times_are_refused(
    catalog: Catalog, hall: int
) -> None:
    naive = dt.datetime(2031, 1, 1, 20, 0)
    with pytest.raises(ValueError, match=r"^starts_at must be a timezone-aware datetime"):
        catalog.add_event("Gig", venue=hall, starts_at=naive, office=office())
    with pytest.raises(TypeError, match=r"^starts_at must be a timezone-aware datetime, got str"):
        catalog.add_event(
            "Gig", venue=hall, starts_at="2031-01-01", office=office()  # type: ignore[arg-type]
        )
    with pytest.raises(TypeError, match="got date"):
        catalog.add_event(
            "Gig", venue=hall, starts_at=dt.date(2031, 1, 1), office=office()  # type: ignore[arg-type]
        )
    assert len(catalog) == 0


def test_event_errors_name_what_is_wrong(catalog: Catalog, hall: int) -> None:
    with pytest.raises(InvalidEntry, match=r"^time_zone: unknown time zone \"Mars/Olympus\"") as e:
        catalog.add_event(
            "Gig", venue=hall, starts_at=START, office=office(), time_zone="Mars/Olympus"
        )
    assert e.value.argument == "time_zone"
    with pytest.raises(NotFound, match="there is no venue #7"):
        catalog.add_event("Gig", venue=7, starts_at=START, office=office())
    with pytest.raises(NotFound, match="there is no performer #3"):
        catalog.add_event("Gig", venue=hall, starts_at=START, office=office(), performers=[3])
    with pytest.raises(InvalidEntry, match=r"^name:"):
        catalog.add_event(" ", venue=hall, starts_at=START, office=office())
    with pytest.raises(InvalidEntry, match=r"^office: 6000 tickets do not fit") as e:
        catalog.add_event("Gig", venue=hall, starts_at=START, office=office(6_000))
    assert e.value.argument == "office"
    with pytest.raises(ConfigError):
        catalog.add_event("Gig", venue=hall, starts_at=START, office=office(0))
    with pytest.raises(TypeError, match="^office must be a dict"):
        catalog.add_event("Gig", venue=hall, starts_at=START, office=[])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^performers must be a list of int ids"):
        catalog.add_event("Gig", venue=hall, starts_at=START, office=office(), performers="1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^categories must be a list of str"):
        catalog.add_event("Gig", venue=hall, starts_at=START, office=office(), categories=[1])  # type: ignore[list-item]
    with pytest.raises(NotFound, match="there is no event #5"):
        catalog.event(5)
    assert len(catalog) == 0


def test_a_draft_may_change_anything(catalog: Catalog, hall: int) -> None:
    other = catalog.add_venue("Barbican", "London", 2_000).id
    event = catalog.add_event("Gig", venue=hall, starts_at=START, office=office(10))
    later = START + dt.timedelta(days=1)
    changed = catalog.update_event(
        event.id,
        name="Big Gig",
        venue=other,
        starts_at=later,
        time_zone="+02:00",
        categories=["Rock"],
        office=office(20, price="30.00"),
    )
    assert (changed.name, changed.venue, changed.starts_at) == ("Big Gig", other, later)
    assert changed.local_start.utcoffset() == dt.timedelta(hours=2)
    assert (changed.categories, changed.total_tickets) == (["rock"], 20)
    assert changed.description == ""  # not given, so unchanged
    assert catalog.event(event.id) == changed


def test_once_on_sale_venue_and_office_are_frozen_and_the_error_names_them(
    catalog: Catalog, hall: int
) -> None:
    other = catalog.add_venue("Barbican", "London", 2_000).id
    event = catalog.add_event("Gig", venue=hall, starts_at=START, office=office(10))
    catalog.put_on_sale(event.id)
    with pytest.raises(FrozenField, match=r"^venue: the venue of event #1 cannot change") as e:
        catalog.update_event(event.id, venue=other)
    assert (e.value.field, e.value.status) == ("venue", "on_sale")
    with pytest.raises(FrozenField, match=r"^office: ") as e:
        catalog.update_event(event.id, office=office(20))
    assert e.value.field == "office"
    # The text and the time may still change.
    renamed = catalog.update_event(event.id, name="Gig (moved)", description="new date")
    assert (renamed.name, renamed.description, renamed.venue) == ("Gig (moved)", "new date", hall)
    with pytest.raises(ValueError, match="^starts_at must be a timezone-aware"):
        catalog.update_event(event.id, starts_at=dt.datetime(2031, 1, 1))
    assert catalog.event(event.id).starts_at == START


def test_the_life_cycle_and_its_refusals(catalog: Catalog, hall: int) -> None:
    event = catalog.add_event("Gig", venue=hall, starts_at=START, office=office(10)).id
    with pytest.raises(NotOnSale, match="event #1 is not on sale yet"):
        catalog.office(event)
    with pytest.raises(NotOnSale):
        catalog.availability(event)
    with pytest.raises(InvalidTransition, match="cannot pause event #1: it is draft") as e:
        catalog.pause(event)
    assert (e.value.action, e.value.status) == ("pause", "draft")

    assert catalog.put_on_sale(event).status == "on_sale"
    assert catalog.availability(event)["paused"] is False
    assert catalog.pause(event).status == "paused"
    assert catalog.availability(event)["paused"] is True
    with pytest.raises(InvalidTransition) as e:
        catalog.pause(event)
    assert e.value.status == "paused"
    assert catalog.resume(event).status == "on_sale"
    box = catalog.office(event)
    assert catalog.cancel(event).status == "cancelled"
    assert box.closed
    with pytest.raises(InvalidTransition, match="cannot cancel"):
        catalog.cancel(event)
    with pytest.raises(InvalidTransition, match="cannot put on sale"):
        catalog.put_on_sale(event)
    with pytest.raises(NotFound):
        catalog.put_on_sale(404)


def test_closing_sales_keeps_what_sold_and_shuts_the_office(catalog: Catalog, hall: int) -> None:
    event = catalog.add_event("Gig", venue=hall, starts_at=START, office=office(3)).id
    with pytest.raises(InvalidTransition, match="cannot close sales of event #1: it is draft"):
        catalog.close_sales(event)
    catalog.put_on_sale(event)
    box = catalog.office(event)
    vendor = box.add_vendor("desk")
    for _ in range(3):
        vendor.release("general", timeout=0)
    box.customer("ann").buy(timeout=0)
    hold = box.customer("bob").reserve(timeout=0)
    assert catalog.close_sales(event).status == "closed"
    assert box.closed
    with pytest.raises(Closed):
        box.customer("cy").buy(timeout=0)
    hold.confirm()  # a hold placed before the close is honoured
    assert catalog.availability(event).totals.sold == 2
    assert len(box.sales()) == 2
    with pytest.raises(InvalidTransition) as e:
        catalog.resume(event)
    assert e.value.status == "closed"
    # A show called off after its sales closed may still be cancelled, once.
    assert catalog.cancel(event).status == "cancelled"
    with pytest.raises(InvalidTransition) as e:
        catalog.cancel(event)
    assert e.value.status == "cancelled"


def test_each_event_sells_through_its_own_box_office(catalog: Catalog, hall: int) -> None:
    event = catalog.add_event("Gig", venue=hall, starts_at=START, office=office(2)).id
    catalog.put_on_sale(event)
    box = catalog.office(event)
    assert isinstance(box, BoxOffice)
    assert box.event_name == "Gig"
    vendor = box.add_vendor("desk")
    vendor.release("general", timeout=0)
    sale = box.customer("ann").buy(timeout=0)
    assert sale.price == 1_500  # cents, as everywhere
    # Another handle on the same office sees the same sales.
    assert catalog.office(event).sales() == [sale]
    seen = catalog.availability(event)
    assert (seen["by_type"]["general"]["sold"], seen["totals"]["available"]) == (1, 0)
    assert catalog.refresh() == []
    vendor.release("general", timeout=0)
    box.customer("bob").buy(timeout=0)
    assert [e.status for e in catalog.refresh()] == ["sold_out"]
    assert catalog.event(event).status == "sold_out"


def test_refresh_marks_started_events_past(catalog: Catalog, hall: int) -> None:
    event = catalog.add_event("Gig", venue=hall, starts_at=START, office=office()).id
    catalog.put_on_sale(event)
    assert catalog.refresh(now=START - dt.timedelta(seconds=1)) == []
    changed = catalog.refresh(now=START + dt.timedelta(seconds=1))
    assert [(e.id, e.status) for e in changed] == [(event, "past")]
    assert catalog.office(event).closed
    with pytest.raises(ValueError, match="^now must be a timezone-aware"):
        catalog.refresh(now=dt.datetime(2031, 1, 1))


# ---- search, upcoming, popular ---------------------------------------------


@pytest.fixture
def season(catalog: Catalog, hall: int) -> dict[str, int]:
    """Four events: three on sale (two in London), one draft."""
    paris = catalog.add_venue("Olympia", "Paris", 2_000).id
    band = catalog.add_performer("The Proms Orchestra").id

    def add(name: str, venue: int, days: int, categories: list[str], sale: bool = True) -> int:
        event = catalog.add_event(
            name,
            venue=venue,
            starts_at=START + dt.timedelta(days=days),
            office=office(),
            performers=[band] if "Proms" in name else [],
            categories=categories,
        ).id
        if sale:
            catalog.put_on_sale(event)
        return event

    ids = {
        "proms": add("Last Night of the Proms", hall, 0, ["classical"]),
        "jazz": add("Jazz at the Olympia", paris, 10, ["jazz"]),
        "quartet": add("Jazz Quartet Evening", hall, 20, ["jazz"]),
        "secret": add("Secret Jazz Draft", hall, 5, ["jazz"], sale=False),
    }
    searchable(catalog)
    return ids


def test_search_finds_by_words_within_one_typo(catalog: Catalog, season: dict[str, int]) -> None:
    found = catalog.search("orchestar")  # the performer, misspelt
    assert [hit.event.id for hit in found] == [season["proms"]]
    assert found.total == 1 and found[0].score > 0
    assert found[0].event.name == "Last Night of the Proms"
    jazz = catalog.search("jazz")
    assert {hit.event.id for hit in jazz} == {season["jazz"], season["quartet"]}
    assert season["secret"] not in {hit.event.id for hit in jazz}, "drafts are never found"
    assert catalog.search("bagpipes").total == 0


def test_search_filters(catalog: Catalog, season: dict[str, int]) -> None:
    assert [h.event.id for h in catalog.search("jazz", city="paris")] == [season["jazz"]]
    assert [h.event.id for h in catalog.search(category="CLASSICAL")] == [season["proms"]]
    window = catalog.search(
        "jazz",
        starts_after=START + dt.timedelta(days=15),
        starts_before=START + dt.timedelta(days=25),
    )
    assert [h.event.id for h in window] == [season["quartet"]]
    catalog.pause(season["quartet"])
    searchable(catalog)
    on_sale = catalog.search("jazz", on_sale_only=True)
    assert [h.event.id for h in on_sale] == [season["jazz"]]
    assert catalog.search("jazz").total == 2


def test_search_pages(catalog: Catalog, season: dict[str, int]) -> None:
    first = catalog.search(per_page=2)
    assert (first.total, first.page, first.per_page, first.pages) == (3, 1, 2, 2)
    assert len(first) == 2 and first.has_next
    second = catalog.search(page=2, per_page=2)
    assert len(second) == 1 and not second.has_next
    seen = [h.event.id for h in first] + [h.event.id for h in second]
    assert sorted(seen) == sorted([season["proms"], season["jazz"], season["quartet"]])
    beyond = catalog.search(page=9, per_page=2)
    assert (len(beyond), beyond.total) == (0, 3)
    assert first[-1].event.id == first.hits[1].event.id
    with pytest.raises(IndexError, match="out of this page of 2 hits"):
        first[2]


def test_search_argument_errors(catalog: Catalog, season: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="^page must be between 1 and"):
        catalog.search("jazz", page=0)
    with pytest.raises(ValueError, match="^per_page must be between 1 and 1000, got 1001"):
        catalog.search("jazz", per_page=1001)
    with pytest.raises(TypeError, match="^per_page must be an int, got float"):
        catalog.search("jazz", per_page=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="^starts_after must be a timezone-aware"):
        catalog.search("jazz", starts_after=dt.datetime(2031, 1, 1))
    with pytest.raises(TypeError, match="^starts_before must be a timezone-aware datetime, got int"):
        catalog.search("jazz", starts_before=0)  # type: ignore[arg-type]


def test_upcoming_lists_visible_events_soonest_first(
    catalog: Catalog, season: dict[str, int]
) -> None:
    soon = catalog.upcoming(after=START - dt.timedelta(days=1))
    assert [e.id for e in soon] == [season["proms"], season["jazz"], season["quartet"]]
    assert [e.id for e in catalog.upcoming(1, after=START + dt.timedelta(days=1))] == [
        season["jazz"]
    ]
    # Default: after now, and these are years ahead.
    assert len(catalog.upcoming()) == 3
    with pytest.raises(ValueError, match="^limit must be between 0 and 1000"):
        catalog.upcoming(-1)
    with pytest.raises(ValueError, match="^after must be a timezone-aware"):
        catalog.upcoming(after=dt.datetime(2031, 1, 1))


def test_popular_ranks_recent_sales() -> None:
    # Samples 10 ms apart, a window of 10 s: long enough for the test to
    # see the ranking however loaded the machine is.
    catalog = Catalog(popular_bucket=0.01, popular_buckets=1_000)
    hall = catalog.add_venue("Hall", "Leeds", 100).id
    quiet = catalog.add_event("Quiet", venue=hall, starts_at=START, office=office()).id
    busy = catalog.add_event("Busy", venue=hall, starts_at=START, office=office()).id
    for event in (quiet, busy):
        catalog.put_on_sale(event)
    assert catalog.popular() == []  # the first sample: no window yet
    sell(catalog, busy, ["a", "b", "c"])
    sell(catalog, quiet, ["d"])

    def ranked() -> bool:
        return [(p.event.id, p.sold_in_window) for p in catalog.popular()] == [
            (busy, 3),
            (quiet, 1),
        ]

    wait_until(ranked)
    top = catalog.popular(1)
    assert [p.event.name for p in top] == ["Busy"]
    with pytest.raises(ValueError, match="^limit must be between"):
        catalog.popular(-1)
    with pytest.raises(ValueError, match="^popular_bucket must be a number of seconds above 0"):
        Catalog(popular_bucket=0)
    with pytest.raises(ValueError, match="^popular_buckets must be at least 1"):
        Catalog(popular_buckets=0)


# ---- my tickets -----------------------------------------------------------


def test_my_tickets_across_events_newest_first(catalog: Catalog, hall: int) -> None:
    gig = catalog.add_event("Gig", venue=hall, starts_at=START, office=office()).id
    opera = catalog.add_event(
        "Opera", venue=hall, starts_at=START, office=office(price="80.50")
    ).id
    for event in (gig, opera):
        catalog.put_on_sale(event)
    before = dt.datetime.now(UTC)
    sell(catalog, gig, ["ann", "bob"])
    sell(catalog, opera, ["ann"])
    mine = catalog.my_tickets("ann")
    assert [(t.event.name, t.price, t.ticket_type) for t in mine] == [
        ("Opera", 8_050, "general"),
        ("Gig", 1_500, "general"),
    ]
    assert mine[0].sold_at >= mine[1].sold_at >= before
    assert mine[0].sold_at.tzinfo is not None
    sold_ids = {s.ticket.id for s in catalog.office(gig).sales() if s.customer == "ann"}
    assert mine[1].ticket in sold_ids
    assert mine[1].vendor.startswith("desk")
    assert [t.event.id for t in catalog.my_tickets("ann", 1)] == [opera]
    assert catalog.my_tickets("nobody") == []
    with pytest.raises(ValueError, match="^customer must not be empty"):
        catalog.my_tickets(" ")
    with pytest.raises(ValueError, match="^limit must be between 0 and"):
        catalog.my_tickets("ann", -3)


# ---- closing and durability ----------------------------------------------


def test_a_closed_catalog_refuses_calls_and_closes_its_offices(hall: int, catalog: Catalog) -> None:
    event = catalog.add_event("Gig", venue=hall, starts_at=START, office=office()).id
    catalog.put_on_sale(event)
    box = catalog.office(event)
    with catalog as same:
        assert same is catalog
    assert catalog.closed and box.closed
    catalog.close()  # idempotent
    for call in (lambda: catalog.event(event), lambda: catalog.search("gig"), lambda: len(catalog)):
        with pytest.raises(Closed, match="the catalog is closed"):
            call()
    assert isinstance(Closed("x"), TicketPoolError)
    assert repr(catalog) == "Catalog(closed)"


def test_open_refuses_a_path_that_is_a_file(tmp_path: pathlib.Path) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("mine")
    with pytest.raises(ValueError, match="must be a directory"):
        Catalog.open(file)
    assert file.read_text() == "mine", "a file not given as a catalog is never touched"
    with pytest.raises(ValueError, match="must name a directory"):
        Catalog.open("")


def test_a_durable_catalog_comes_back_with_its_events_sales_and_index(
    tmp_path: pathlib.Path,
) -> None:
    where = tmp_path / "shows"
    with Catalog.open(where) as catalog:
        assert catalog.path is not None and str(catalog.path) == str(where)
        hall = catalog.add_venue("Barbican", "London", 2_000).id
        band = catalog.add_performer("Quartet", "a jazz quartet").id
        gig = catalog.add_event(
            "Quartet Evening",
            venue=hall,
            starts_at=START,
            office=office(10, price="30.00"),
            performers=[band],
            time_zone="Europe/London",
            categories=["jazz"],
        ).id
        matinee = catalog.add_event("Trio Matinee", venue=hall, starts_at=START, office=office()).id
        draft = catalog.add_event("Not Yet", venue=hall, starts_at=START, office=office()).id
        catalog.put_on_sale(gig)
        catalog.put_on_sale(matinee)
        box = catalog.office(gig)
        vendor = box.add_vendor("desk")
        for _ in range(5):
            vendor.release("general", timeout=0)
        first = box.customer("ann").buy(timeout=0)
        second = box.customer("bob").buy(timeout=0)
        catalog.pause(matinee)
        before = {e: catalog.event(e) for e in (gig, matinee, draft)}

    again = Catalog.open(where)
    try:
        assert {e: again.event(e) for e in (gig, matinee, draft)} == before
        assert again.venue(hall).name == "Barbican"
        assert again.performer(band).description == "a jazz quartet"
        assert (again.event(matinee).status, again.event(draft).status) == ("paused", "draft")
        box = again.office(gig)
        assert box.sales() == [first, second]
        seen = again.availability(gig)
        assert (seen["totals"]["sold"], seen["totals"]["available"]) == (2, 3)
        assert again.availability(matinee)["paused"] is True
        # Searchable at once: open rebuilds the index from the store.
        assert [h.event.id for h in again.search("quartet", city="london")] == [gig]
        mine = again.my_tickets("ann")
        assert [(t.event.id, t.ticket, t.price) for t in mine] == [(gig, first.ticket.id, 3_000)]
        # The restored office keeps selling, and recording.
        third = box.customer("ann").buy(timeout=0)
    finally:
        again.close()

    with Catalog.open(where) as last:
        assert len(last.office(gig).sales()) == 3
        assert [t.ticket for t in last.my_tickets("ann")] == [third.ticket.id, first.ticket.id]
        assert [p.name for p in sorted(where.iterdir())][0] == "catalog.db"


def test_the_package_exports_the_catalog() -> None:
    for name in (
        "Catalog",
        "CatalogInUse",
        "Event",
        "Venue",
        "Performer",
        "SearchHit",
        "SearchResults",
        "Popular",
        "BookedTicket",
        "CatalogError",
        "NotFound",
        "InvalidEntry",
        "FrozenField",
        "InvalidTransition",
        "NotOnSale",
    ):
        assert name in ticketpool.__all__ and hasattr(ticketpool, name), name
    assert issubclass(CatalogError, TicketPoolError)


def test_the_readme_example_runs(tmp_path: pathlib.Path) -> None:
    example = pathlib.Path(__file__).parent.parent / "examples" / "catalog.py"
    main = runpy.run_path(str(example))["main"]
    [ticket] = main(str(tmp_path / "catalog"))
    assert (ticket.event.name, ticket.ticket_type, ticket.price) == (
        "Last Night of the Proms",
        "stalls",
        5_000,
    )
