"""Dict-style reads for the frozen value classes (events, snapshots,
progress): ``value["sold"]`` is ``value.sold``, and a value equals the
dict it used to be, so code written against the old dicts keeps working.
Cheap: one ``getattr`` per read, no copy; only ``== dict`` converts."""

from __future__ import annotations

import dataclasses
from typing import Any


class FieldAccess:
    """Mixin for frozen dataclasses (declared with ``eq=False``, since the
    equality is here): ``obj[name]``, ``name in obj``, ``keys()`` and
    ``to_dict()`` over the fields (and ``kind`` when the class has one);
    equal to a value of the same class with equal fields, or to its dict."""

    __slots__ = ()

    def keys(self) -> list[str]:
        """The field names, ``kind`` first when the class has one."""
        names = [f.name for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        if hasattr(type(self), "kind"):
            names.insert(0, "kind")
        return names

    def __getitem__(self, key: str) -> Any:
        if key in self.keys():
            return getattr(self, key)
        raise KeyError(f"{type(self).__name__} has no field {key!r}; fields: {self.keys()}")

    def __contains__(self, key: object) -> bool:
        return key in self.keys()

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (nested values converted too)."""
        out: dict[str, Any] = {}
        for key in self.keys():
            value = getattr(self, key)
            if isinstance(value, FieldAccess):
                value = value.to_dict()
            elif isinstance(value, dict):
                value = {
                    k: v.to_dict() if isinstance(v, FieldAccess) else v for k, v in value.items()
                }
            out[key] = value
        return out

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self))  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FieldAccess) and type(other) is type(self):
            return self._values() == other._values()
        if isinstance(other, dict):
            return self.to_dict() == other
        return NotImplemented

    def __hash__(self) -> int:
        # A value holding a dict (a snapshot's by_type) is not hashable.
        return hash((type(self), self._values()))
