"""Sell out a small event with a vendor thread and two customers.

Run after `pip install ./ticketpool-py`: `python ticketpool-py/examples/quickstart.py`.
"""

from __future__ import annotations

import queue
import threading

import ticketpool


def main() -> None:
    office = ticketpool.BoxOffice(
        {
            "event_name": "gig",
            "total_tickets": 10,
            "max_capacity": 3,
            "ticket_types": [{"name": "general", "price": "15.00"}],
        }
    )
    vendor = office.add_vendor("north")

    def release() -> None:
        while True:
            try:
                vendor.release("general")
            except ticketpool.SoldOut:
                return

    releaser = threading.Thread(target=release)
    releaser.start()
    vip = office.customer("vera", vip=True)
    with vip.reserve() as hold:
        sale = hold.confirm()
    print(f"{sale.customer} bought ticket {sale.ticket.id} for {sale.price / 100:.2f}")
    regular = office.customer("rob")
    bought: list[ticketpool.Sale] = []
    while True:
        try:
            bought.append(regular.buy(timeout=5))
        except ticketpool.SoldOut:
            break
    releaser.join()
    snapshot = office.snapshot()
    print(f"rob bought {len(bought)}; revenue {snapshot['revenue'] / 100:.2f}")

    pool = ticketpool.Pool(2, strategy="condvar")
    pool.put("a")
    first: object = pool.get(vip=True)
    try:
        pool.get(timeout=0.01)
    except queue.Empty:  # ticketpool.Empty is a queue.Empty
        print(f"got {first!r}, then the pool was empty")


if __name__ == "__main__":
    main()
