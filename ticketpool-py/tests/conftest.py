"""Shared fixtures: every behaviour is checked on both pool strategies."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

import pytest

STRATEGIES = ["lockfree", "condvar"]


@pytest.fixture(params=STRATEGIES)
def strategy(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def office_config(strategy: str, **overrides: Any) -> dict[str, Any]:
    """A valid box office config dict; `overrides` replace top-level keys."""
    config: dict[str, Any] = {
        "event_name": "gig",
        "total_tickets": 20,
        "max_capacity": 4,
        "strategy": strategy,
        "hold_ttl_ms": 30_000,
        "ticket_types": [{"name": "general", "price": "15.00"}],
    }
    config.update(overrides)
    return config


# Longest wait for something a test expects: a guard against a hang, never
# reached when things work (even with every core busy), not a timing claim.
PATIENCE = 30.0


def wait_until(condition: Callable[[], bool], timeout: float = PATIENCE) -> None:
    """Polls `condition` until true; fails the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not reached in time")
        time.sleep(0.001)


class Runner(threading.Thread):
    """A thread that keeps its target's result or exception for the test."""

    def __init__(self, target: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self._target_fn = target
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self._target_fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self.error = exc

    def outcome(self, timeout: float = PATIENCE) -> Any:
        self.join(timeout)
        assert not self.is_alive(), "thread still blocked"
        if self.error is not None:
            raise self.error
        return self.result
