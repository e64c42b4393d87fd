"""``async for event in subscription``: the blocking read runs in the
running loop's default executor, in short slices, so the loop stays free
and a cancelled task's thread is back within one slice (``asyncio.run``
waits for executor threads when it shuts down)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ticketpool.events import Event, StreamEnded

if TYPE_CHECKING:
    from ticketpool._ticketpool import Subscription

# Seconds one executor call waits before the coroutine looks again.
SLICE = 0.1


async def anext_event(subscription: Subscription) -> Event:
    """The next event; ``StopAsyncIteration`` once the stream has ended."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            event = await loop.run_in_executor(None, subscription.next, SLICE)
        except StreamEnded:
            raise StopAsyncIteration from None
        if event is not None:
            return event
