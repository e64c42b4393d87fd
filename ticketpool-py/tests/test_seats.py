"""Seats from Python (issue 17): seat maps from TOML with every problem
listed, release waves, all-or-nothing holds (raced by real threads),
best-available adjacent seats, confirm/cancel/expiry, snapshots, misuse
errors, and the seated simulation."""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import pytest

import ticketpool
from conftest import PATIENCE, Runner

HALL = """
name = "Hall"
tiers = { premium = 9000, standard = 5000 }
[[sections]]
name = "Stalls"
tier = "standard"
rows = "A-C"
seats = "1-10"
row_tiers = { "A" = "premium" }
skip = ["B-5"]
accessible = ["C-1"]
companion = ["C-2"]
[[sections]]
name = "Circle"
tier = "standard"
rows = "A-B"
seats = "1-5"
"""


def hall() -> ticketpool.SeatMap:
    return ticketpool.SeatMap.from_toml(HALL)


def on_sale(hold_seconds: float | None = None) -> ticketpool.SeatedSale:
    sale = ticketpool.SeatedSale(hall(), hold_seconds=hold_seconds)
    sale.release_all()
    return sale


def test_a_seat_map_describes_its_seats() -> None:
    seats = hall()
    assert seats.name == "Hall"
    assert seats.seat_count == len(seats) == 29 + 10
    assert seats.sections == ["Stalls", "Circle"]
    assert seats.tiers == {"premium": 9000, "standard": 5000}
    a1 = seats.seat("Stalls A-1")
    assert (a1.section, a1.row, a1.number, a1.tier) == ("Stalls", "A", 1, "premium")
    c1 = seats.seat("Stalls C-1")
    assert c1.accessible and not c1.companion and seats.seat("Stalls C-2").companion
    labels = [s.label for s in seats.seats()]
    assert "Stalls B-5" not in labels and labels[0] == "Stalls A-1"
    with pytest.raises(ticketpool.NotInVenue, match=r'label: no seat labelled "Stalls B-5"'):
        seats.seat("Stalls B-5")


def test_a_seat_map_reads_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "hall.toml"
    path.write_text(HALL)
    assert ticketpool.SeatMap.from_file(path).seat_count == 39
    with pytest.raises(OSError, match=r"path: cannot read"):
        ticketpool.SeatMap.from_file(tmp_path / "missing.toml")


def test_a_bad_venue_lists_every_problem() -> None:
    bad = HALL.replace('row_tiers = { "A" = "premium" }', 'row_tiers = { "A" = "gold" }')
    bad = bad.replace('skip = ["B-5"]', 'skip = ["B-50"]').replace('rows = "A-B"', 'rows = "B-A"')
    with pytest.raises(ticketpool.VenueConfigError) as caught:
        ticketpool.SeatMap.from_toml(bad)
    problems = caught.value.problems
    assert len(problems) == 3, problems
    message = str(caught.value)
    for needle in ['"gold"', "B-50", '"B-A"']:
        assert needle in message
    # Also a ConfigError and a ValueError, as the other config errors.
    assert isinstance(caught.value, ticketpool.ConfigError)
    assert isinstance(caught.value, ValueError)
    with pytest.raises(ticketpool.VenueConfigError) as parse:
        ticketpool.SeatMap.from_toml("name = ")
    assert len(parse.value.problems) == 1 and "line 1" in parse.value.problems[0]
    with pytest.raises(TypeError, match=r"text must be a str, got int"):
        ticketpool.SeatMap.from_toml(3)  # type: ignore[arg-type]


def test_vendors_release_in_waves() -> None:
    sale = ticketpool.SeatedSale(hall())
    assert sale.state("Stalls A-1") == "not_on_sale"
    assert sale.release_tier("premium") == 10
    assert sale.release_block("Stalls", "B") == 9
    assert sale.release_section("Stalls") == 10
    assert sale.release_all() == 10
    assert sale.state("Circle B-5") == "available"
    with pytest.raises(ticketpool.NotInVenue, match=r'section: no section "Balcony" in this venue'):
        sale.release_section("Balcony")
    with pytest.raises(ticketpool.NotInVenue, match=r"tier: .*gold"):
        sale.release_tier("gold")
    with pytest.raises(ticketpool.NotInVenue, match=r"rows: .*Z"):
        sale.release_block("Stalls", "Z")


def test_a_hold_of_named_seats_is_all_or_nothing() -> None:
    sale = on_sale()
    first = sale.hold(seats=["Stalls A-1", "Stalls A-2"])
    assert first.seats == ["Stalls A-1", "Stalls A-2"] and first.price == 18_000
    with pytest.raises(ticketpool.SeatsUnavailable) as caught:
        sale.hold(["Stalls A-3", "Stalls A-2"])
    assert caught.value.seats == ["Stalls A-2"]
    assert "Stalls A-2 (held)" in str(caught.value)
    assert sale.state("Stalls A-3") == "available", "nothing half-held"
    first.confirm()
    assert sale.state("Stalls A-1") == "sold"


def test_each_seat_of_a_mixed_tier_hold_has_its_own_price() -> None:
    sale = on_sale()
    hold = sale.hold(["Stalls B-1", "Stalls A-1", "Circle A-1"])
    assert hold.prices == [5_000, 9_000, 5_000]
    assert hold.price == sum(hold.prices) == 19_000
    assert "prices=[5000, 9000, 5000]" in repr(hold)
    single = sale.best_available(2, tier="premium")
    assert single.prices == [9_000, 9_000] and single.price == 18_000
    hold.confirm()
    assert hold.prices == [5_000, 9_000, 5_000], "the price fixed when held"


def test_racing_threads_never_half_hold_an_overlapping_set() -> None:
    # Rounds of 8 threads racing for overlapping pairs of a 10-seat row:
    # every seat ends held by exactly one winner, and a loser holds none.
    for _ in range(50):
        sale = ticketpool.SeatedSale(hall())
        sale.release_block("Stalls", "A")
        start = threading.Barrier(8)
        wanted = [[f"Stalls A-{i + 1}", f"Stalls A-{(i + 1) % 10 + 1}"] for i in range(8)]

        def buy(seats: list[str]) -> list[str]:
            start.wait(PATIENCE)
            try:
                return sale.hold(seats).seats
            except ticketpool.SeatsUnavailable:
                return []

        runners = [Runner(functools.partial(buy, seats)) for seats in wanted]
        for r in runners:
            r.start()
        won = [r.outcome() for r in runners]
        held = [s for seats in won for s in seats]
        assert len(held) == len(set(held)), won
        assert all(len(seats) in (0, 2) for seats in won)
        assert sale.snapshot().counts.held == len(held) == 2 * sale.hold_count
        assert any(won)


def test_best_available_takes_adjacent_seats_front_and_centre() -> None:
    sale = on_sale()
    hold = sale.best_available(3, section="Stalls")
    assert hold.seats == ["Stalls A-4", "Stalls A-5", "Stalls A-6"]
    assert hold.price == 27_000
    # Row B has a gap at 5: a block never spans it.
    in_b = sale.best_available(5, section="Stalls")
    assert in_b.seats == [f"Stalls B-{n}" for n in range(6, 11)]
    tiered = sale.best_available(2, tier="standard")
    # A tier spans sections: Circle A is a front row, Stalls B is not.
    assert tiered.seats == ["Circle A-2", "Circle A-3"]
    wheelchair = sale.best_available(2, section="Stalls", accessible=True)
    assert wheelchair.seats == ["Stalls C-1", "Stalls C-2"]
    with pytest.raises(
        ticketpool.NoAdjacentSeats, match=r'n: no 11 adjacent seats available in section "Stalls"'
    ):
        sale.best_available(11, section="Stalls")
    anywhere = sale.best_available(4)
    assert len(anywhere.seats) == 4


def test_threads_taking_best_available_never_share_a_seat() -> None:
    # 8 threads take pairs from a 10-seat-per-row section until none is
    # left: every seat goes to one hold at most, and the counts agree.
    sale = ticketpool.SeatedSale(hall())
    sale.release_section("Circle")
    start = threading.Barrier(8)

    def take_pairs() -> list[str]:
        start.wait(PATIENCE)
        got: list[str] = []
        while True:
            try:
                got += sale.best_available(2, section="Circle").seats
            except ticketpool.NoAdjacentSeats:
                return got

    runners = [Runner(take_pairs) for _ in range(8)]
    for r in runners:
        r.start()
    taken = [s for r in runners for s in r.outcome()]
    assert len(taken) == len(set(taken))
    counts = sale.snapshot().counts
    assert counts.held == len(taken) and counts.available == 10 - len(taken)
    # Rows of 5 give two pairs each, whoever wins them.
    assert len(taken) == 8


def test_best_available_misuse_names_the_argument() -> None:
    sale = on_sale()
    with pytest.raises(ValueError, match=r"n must be at least 1"):
        sale.best_available(0)
    with pytest.raises(TypeError, match=r"n must be an int, got str"):
        sale.best_available("two")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"section, tier: give one of them"):
        sale.best_available(2, section="Stalls", tier="premium")
    with pytest.raises(ticketpool.NotInVenue, match=r"section: .*Balcony"):
        sale.best_available(2, section="Balcony")
    with pytest.raises(ticketpool.NotInVenue, match=r"tier: .*gold"):
        sale.best_available(2, tier="gold")
    with pytest.raises(TypeError, match=r"section must be a str or None, got int"):
        sale.best_available(2, section=3)  # type: ignore[arg-type]


def test_hold_misuse_names_the_argument() -> None:
    sale = on_sale()
    with pytest.raises(TypeError, match=r"seats must be a list of str, got str"):
        sale.hold("Stalls A-1")
    with pytest.raises(TypeError, match=r"seats\[1\] must be a str, got int"):
        sale.hold(["Stalls A-1", 2])  # type: ignore[list-item]
    with pytest.raises(ticketpool.NotInVenue, match=r'seats: no seat labelled "Stalls Z-1"'):
        sale.hold(["Stalls Z-1"])
    with pytest.raises(ValueError, match=r"seats: a hold needs at least one seat, each named once"):
        sale.hold([])
    with pytest.raises(ValueError, match=r"each named once"):
        sale.hold(["Stalls A-1", "Stalls A-1"])
    with pytest.raises(TypeError, match=r"seat_map must be a SeatMap, got str"):
        ticketpool.SeatedSale("Hall")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"hold_seconds"):
        ticketpool.SeatedSale(hall(), hold_seconds=-1)
    assert sale.hold_count == 0


def test_confirm_and_cancel_end_a_hold_once() -> None:
    sale = on_sale()
    hold = sale.hold(["Circle A-1"])
    hold.cancel()
    assert sale.state("Circle A-1") == "available"
    with pytest.raises(ticketpool.HoldEnded):
        hold.confirm()
    with pytest.raises(ticketpool.HoldEnded):
        hold.cancel()
    sold = sale.hold(["Circle A-1"])
    sold.confirm()
    with pytest.raises(ticketpool.HoldEnded):
        sold.confirm()
    with pytest.raises(ticketpool.HoldEnded):
        sold.cancel()
    assert sale.state("Circle A-1") == "sold"
    assert isinstance(ticketpool.HoldEnded("x"), ticketpool.SeatError)


def test_a_lapsed_hold_cannot_be_confirmed_and_its_seats_come_back() -> None:
    # hold_seconds=0: every hold has lapsed by the time it is confirmed.
    sale = on_sale(hold_seconds=0)
    hold = sale.hold(["Circle B-1", "Circle B-2"])
    with pytest.raises(ticketpool.HoldExpired):
        hold.confirm()
    assert sale.state("Circle B-1") == "available"
    sale.hold(["Circle B-3"])
    assert sale.reap() == 1
    assert sale.state("Circle B-3") == "available" and sale.hold_count == 0


def test_a_snapshot_counts_and_lists_every_seat() -> None:
    sale = ticketpool.SeatedSale(hall())
    sale.release_section("Stalls")
    sale.hold(["Stalls A-1"]).confirm()
    sale.hold(["Stalls A-2"])
    snap = sale.snapshot()
    counts = snap.counts
    assert (counts.not_on_sale, counts.available, counts.held, counts.sold) == (10, 27, 1, 1)
    assert counts.total == 39
    sections = snap.by_section()
    assert list(sections) == ["Stalls", "Circle"]
    assert sections["Circle"].not_on_sale == 10
    assert snap.by_tier()["premium"].sold == 1
    states = snap.states()
    assert len(states) == 39 and states["Stalls A-1"] == "sold"
    assert states["Stalls A-2"] == "held" and snap.state("Circle A-1") == "not_on_sale"
    assert snap.rows_text().splitlines()[0] == "Stalls A: shaaaaaaaa"
    # A snapshot is a picture: later sales do not change it.
    sale.hold(["Stalls A-3"]).confirm()
    assert snap.counts == counts and sale.snapshot().counts != counts


def test_the_seated_simulation_runs_from_python() -> None:
    report = ticketpool.simulate_seated(
        hall(),
        waves=[{"tier": "premium"}, {"section": "Stalls"}, {"section": "Circle"}],
        groups=60,
        threads=4,
        vip_share=0.3,
        lapse_share=0.2,
        seed=5,
    )
    assert report["consistent"] and report["sold_twice"] == 0
    vip, regular = report["vip"], report["regular"]
    assert vip["groups"] + regular["groups"] == 60
    for o in (vip, regular):
        assert o["seated_together"] + o["not_seated"] + o["lapsed"] == o["groups"]
    assert report["seats_sold"] == report["counts"]["sold"] > 0
    assert report["holds_expired"] == vip["lapsed"] + regular["lapsed"]
    assert set(report["by_section"]) == {"Stalls", "Circle"}


def test_the_seated_simulation_refuses_bad_input() -> None:
    with pytest.raises(ticketpool.ConfigError, match=r"waves\[0\]: no section \"Balcony\"") as caught:
        ticketpool.simulate_seated(hall(), waves=[{"section": "Balcony"}], vip_share=2.0)
    assert "fans.vip_share" in str(caught.value)
    with pytest.raises(TypeError, match=r'waves\[0\]: unknown key "row"'):
        ticketpool.simulate_seated(hall(), waves=[{"row": "A"}])  # type: ignore[dict-item]
    with pytest.raises(ValueError, match=r"groups must be at least 1"):
        ticketpool.simulate_seated(hall(), groups=0)
    with pytest.raises(TypeError, match=r"seat_map must be a SeatMap"):
        ticketpool.simulate_seated(HALL)  # type: ignore[arg-type]
