"""A small catalog on disk: a venue, an event on sale, a search, a sale,
and the buyer's tickets after the catalog is closed and reopened.

Run after `pip install ./ticketpool-py`: `python ticketpool-py/examples/catalog.py`.
"""

from __future__ import annotations

import datetime as dt
import tempfile

import ticketpool


def main(directory: str) -> list[ticketpool.BookedTicket]:
    start = dt.datetime(2031, 9, 14, 18, 30, tzinfo=dt.timezone.utc)  # aware, always
    with ticketpool.Catalog.open(directory) as catalog:
        hall = catalog.add_venue("Royal Albert Hall", "London", 5_000)
        park = catalog.add_venue("Hyde Park", "London", 50_000)
        proms = catalog.add_event(
            "Last Night of the Proms",
            venue=hall.id,
            starts_at=start,
            time_zone="Europe/London",  # for display: local_start is 19:30 BST
            categories=["classical"],
            office={
                "total_tickets": 100,
                "max_capacity": 10,
                "ticket_types": [{"name": "stalls", "price": "50.00"}],
            },
        )
        catalog.put_on_sale(proms.id)

        # Sell through the event's own BoxOffice, as anywhere else.
        office = catalog.office(proms.id)
        office.add_vendor("desk").release("stalls")
        office.customer("ann").buy()

        catalog.wait_searchable()
        found = catalog.search("prom", city="london", on_sale_only=True)  # one typo away
        assert found[0].event.id == proms.id
        try:
            catalog.update_event(proms.id, venue=park.id)
            raise AssertionError("an event on sale keeps its venue")
        except ticketpool.FrozenField as frozen:  # names the field: "venue"
            assert frozen.field == "venue"

    with ticketpool.Catalog.open(directory) as catalog:  # everything comes back
        return catalog.my_tickets("ann")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as where:
        for ticket in main(where):
            print(ticket.event.name, ticket.ticket_type, ticket.price, ticket.sold_at)
