"""Progress of ``simulate()``: the ``Progress`` value a callback gets at
every timeline sample, and the bar ``progress=True`` shows (tqdm when it
is installed, else a plain line on ``sys.stderr`` at every tenth of the
event sold).

The callback runs on the simulator's sampler thread, which takes the GIL
only for the call: keep it short. If it raises, the run stops and
``simulate()`` raises that error.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Any, Callable, Optional, cast

from ticketpool._fields import FieldAccess
from ticketpool.snapshot import Snapshot

__all__ = ["Progress", "ProgressCallback"]

ProgressCallback = Callable[["Progress"], object]
"""What ``simulate(progress=...)`` accepts besides a bool."""


@dataclass(frozen=True, eq=False)
class Progress(FieldAccess):
    """The office at one sample of a running simulation."""

    elapsed: float
    """Seconds since the run started."""
    snapshot: Snapshot

    @property
    def sold(self) -> int:
        """Tickets sold so far."""
        return self.snapshot.totals.sold

    @property
    def total_tickets(self) -> int:
        """The event's size."""
        return self.snapshot.total_tickets

    @property
    def fraction(self) -> float:
        """Share of the event sold, from 0.0 to 1.0."""
        return self.sold / self.total_tickets if self.total_tickets else 1.0


class _Bar:
    """Base of the bars ``progress=True`` makes; ``finish`` closes them."""

    def __call__(self, progress: Progress) -> None:
        raise NotImplementedError

    def close(self, final: Snapshot) -> None:
        raise NotImplementedError


class _TqdmBar(_Bar):
    def __init__(self, tqdm: Any) -> None:
        self._tqdm = tqdm
        self._bar: Any = None
        self._shown = 0

    def _advance(self, sold: int, total: int) -> None:
        if self._bar is None:
            self._bar = self._tqdm(total=total, unit="ticket", desc="sold")
        self._bar.update(sold - self._shown)
        self._shown = sold

    def __call__(self, progress: Progress) -> None:
        self._advance(progress.sold, progress.total_tickets)

    def close(self, final: Snapshot) -> None:
        self._advance(final.totals.sold, final.total_tickets)
        self._bar.close()


class _PlainBar(_Bar):
    """One line per tenth of the event sold, written through ``sys.stderr``
    (so ``redirect_stderr`` and notebooks see it)."""

    def __init__(self) -> None:
        self._tenths = -1

    def _line(self, elapsed: Optional[float], sold: int, total: int) -> None:
        tenths = sold * 10 // total if total else 10
        if tenths == self._tenths:
            return
        self._tenths = tenths
        when = "done" if elapsed is None else f"{elapsed:7.2f}s"
        print(f"[{when}] sold {sold}/{total}", file=sys.stderr, flush=True)

    def __call__(self, progress: Progress) -> None:
        self._line(progress.elapsed, progress.sold, progress.total_tickets)

    def close(self, final: Snapshot) -> None:
        self._line(None, final.totals.sold, final.total_tickets)


def _is_callable(value: object) -> bool:
    # Not `if callable(...)` inline: mypy's narrowing there adds a synthetic
    # class to this module, which stubtest then looks for at run time.
    return callable(value)


def resolve(progress: object) -> Optional[ProgressCallback]:
    """What ``simulate()`` reports to: ``None``, a new bar, or the callable."""
    if progress is None or progress is False:
        return None
    if progress is True:
        try:
            # Through importlib: tqdm is optional and ships no type hints.
            tqdm = importlib.import_module("tqdm.auto").tqdm
        except ImportError:
            return _PlainBar()
        return _TqdmBar(tqdm)
    if _is_callable(progress):
        return cast(ProgressCallback, progress)
    raise TypeError(
        "progress must be True, False, None or a callable taking a Progress, "
        f"got {type(progress).__name__}"
    )


def finish(callback: ProgressCallback, final: Snapshot) -> None:
    """Brings a bar to the final count and closes it (callables: nothing)."""
    if isinstance(callback, _Bar):
        callback.close(final)
