"""Shared base for result objects: frozen dataclasses that turn into plain JSON data."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np


def plain(value: Any) -> Any:
    """Convert ``value`` to JSON-ready Python data.

    numpy scalars become ``int``/``float``, arrays and tuples become lists,
    nested results become dicts, and NaN or infinite floats become ``None``
    (JSON has no NaN).
    """
    if isinstance(value, np.generic):  # numpy scalars, including np.str_ and np.bool_
        value = value.item()
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Result):
        return value.as_dict()
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


def frozen_array(values: Any, dtype: Any = np.float64) -> np.ndarray:
    """``values`` as a read-only numpy array (no copy when already of ``dtype``), for storing in a result."""
    arr = np.asarray(values, dtype=dtype).view()
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class Result:
    """Base class of every scoring result.

    Subclasses are frozen dataclasses; :meth:`as_dict` gives their fields as
    plain floats, ints, lists and ``None`` (for undefined values), ready for
    ``json.dumps``.
    """

    def as_dict(self) -> dict[str, Any]:
        return {f.name: plain(getattr(self, f.name)) for f in fields(self)}
