"""The one JSON encoding of the tool's data, shared by the command line's
``--json`` and the team server's API. Standard library only.

Datetimes are ISO 8601 in UTC with a ``Z``; dates ISO; tuples and sets
lists; result objects through their ``as_dict``; numpy scalars as numbers.
NaN and infinities are refused (they are not JSON)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def json_default(value: Any):
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, tuple)):
        return list(value)
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(data: Any, *, indent: int | None = 2) -> str:
    import json

    return json.dumps(data, indent=indent, ensure_ascii=False, default=json_default, allow_nan=False)
