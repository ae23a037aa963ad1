"""Shared base for result objects: frozen dataclasses that turn into plain JSON data."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ..jsonable import jsonable


def plain(value: Any) -> Any:
    """``value`` as JSON-ready Python data (tracker.jsonable, the one JSON
    encoder): numpy scalars become ``int``/``float``, arrays and tuples
    lists, nested results dicts, and NaN or infinite floats ``None``."""
    return jsonable(value)


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
