"""The one JSON encoder: every JSON the tool writes (command output, the
export, the report) turns values into JSON-ready data here. Standard library
only, so that ``tracker --help`` stays quick.

Times are ISO 8601 in UTC with a ``Z`` (a naive datetime is read as UTC),
dates ISO 8601; tuples and sets become lists; numpy scalars their Python
value and arrays nested lists; objects with ``as_dict()`` (scoring results) that dict; a float that
is not finite becomes null (JSON has no NaN). Dict keys become text.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone
from typing import Any

UTC = timezone.utc
_PLAIN = (int, bool, type(None))


def jsonable(value: Any) -> Any:
    """``value`` as data ``json.dumps`` writes as it is."""
    if isinstance(value, str):
        return value if type(value) is str else str(value)  # numpy's str_ too
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if hasattr(value, "as_dict"):
        return jsonable(value.as_dict())
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return jsonable(value.tolist())
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """JSON text of ``data`` (UTF-8 characters kept, never NaN)."""
    return json.dumps(jsonable(data), indent=indent, ensure_ascii=False, allow_nan=False)
