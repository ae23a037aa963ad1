"""Input checks shared by the public scoring functions.

Every check raises :class:`ValueError` with a one-line message that names the
argument and what was wrong with it, and returns the input as a numpy array of
the dtype the numeric cores expect.
"""

from __future__ import annotations

import numbers
import operator
from typing import Any

import numpy as np

#: Tolerance for a categorical probability vector to count as summing to 1.
ROW_SUM_TOLERANCE = 1e-6

SCALES = ("0-1", "0-2")


def _fmt(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return repr(value.item() if isinstance(value, np.generic) else value)


def _first_bad(mask: np.ndarray) -> int | tuple[int, ...]:
    """Index of the first True entry of ``mask`` (a tuple for 2-D arrays)."""
    flat = int(np.flatnonzero(mask.ravel())[0])
    if mask.ndim == 1:
        return flat
    return tuple(int(i) for i in np.unravel_index(flat, mask.shape))


def _float_array(values: Any, name: str, ndim: int) -> np.ndarray:
    """``values`` as a non-empty float64 array with ``ndim`` dimensions (not yet checked for NaN)."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected numbers ({exc})") from None
    if arr.ndim != ndim:
        shape = "a 1-D array" if ndim == 1 else f"a {ndim}-D array"
        raise ValueError(f"{name}: expected {shape}, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name}: empty input")
    return arr


def _raise_not_finite(arr: np.ndarray, name: str) -> None:
    finite = np.isfinite(arr)
    if not finite.all():
        i = _first_bad(~finite)
        raise ValueError(f"{name}: NaN or infinite value {arr[i]} at index {i}")


def as_float_array(values: Any, name: str, *, ndim: int = 1) -> np.ndarray:
    """``values`` as a finite, non-empty float64 array with ``ndim`` dimensions."""
    arr = _float_array(values, name, ndim)
    _raise_not_finite(arr, name)
    return arr


def probabilities(values: Any, name: str = "p", *, ndim: int = 1) -> np.ndarray:
    """Forecast probabilities: a finite, non-empty float64 array within [0, 1]."""
    arr = _float_array(values, name, ndim)
    # Two reductions check everything: NaN makes min/max NaN and every comparison False.
    if not (arr.min() >= 0.0 and arr.max() <= 1.0):
        _raise_not_finite(arr, name)
        i = _first_bad((arr < 0.0) | (arr > 1.0))
        raise ValueError(f"{name}: probabilities must lie in [0, 1]; found {_fmt(arr[i])} at index {i}")
    return arr


def outcomes(values: Any, name: str = "y") -> np.ndarray:
    """Binary outcomes: a non-empty 1-D array of 0/1 (or booleans), returned as bool."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name}: empty input")
    if arr.dtype == np.bool_:
        return arr
    if np.issubdtype(arr.dtype, np.integer):
        if arr.min() >= 0 and arr.max() <= 1:  # integers in [0, 1] are 0 or 1: two reductions
            return arr.astype(bool)
    elif not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"{name}: outcomes must be 0 or 1, got values of type {arr.dtype}")
    good = (arr == 0) | (arr == 1)
    if not good.all():
        i = _first_bad(~good)
        raise ValueError(f"{name}: outcomes must be 0 or 1; found {_fmt(arr[i])} at index {i}")
    return arr == 1


def same_length(*named: tuple[str, np.ndarray]) -> None:
    """All arrays have the same first dimension."""
    lengths = {name: len(arr) for name, arr in named}
    if len(set(lengths.values())) > 1:
        desc = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"length mismatch: {desc}")


def positive_int(value: Any, name: str) -> int:
    """An integer >= 1 (booleans rejected)."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    try:
        out = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}") from None
    if out < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {out}")
    return out


def level(value: Any, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name} must be a number strictly between 0 and 1, got {value!r}")
    return float(value)


def scale(value: Any) -> str:
    """One of the supported Brier scales."""
    if value not in SCALES:
        raise ValueError(f"scale must be '0-1' or '0-2', got {value!r}")
    return value


def finite_number(value: Any, name: str) -> float:
    """A single finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def probability_matrix(values: Any, name: str = "P") -> np.ndarray:
    """Categorical forecasts: shape (n, K), K >= 2, entries in [0, 1], rows summing to 1."""
    arr = probabilities(values, name, ndim=2)
    if arr.shape[1] < 2:
        raise ValueError(f"{name}: need at least 2 outcome columns, got shape {arr.shape}")
    sums = arr.sum(axis=1)
    bad = np.abs(sums - 1.0) > ROW_SUM_TOLERANCE
    if bad.any():
        i = _first_bad(bad)
        raise ValueError(
            f"{name}: each row must sum to 1 (within {ROW_SUM_TOLERANCE:g}); row {i} sums to {sums[i]:.9g}"
        )
    return arr


def outcome_indices(values: Any, n_outcomes: int, name: str = "k") -> np.ndarray:
    """Indices of realized outcomes: a 1-D int64 array with entries in [0, n_outcomes)."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of outcome indices, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name}: empty input")
    if arr.dtype == np.bool_ or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(f"{name}: outcome indices must be integers, got values of type {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating):
        whole = np.isfinite(arr) & (arr == np.round(arr))
        if not whole.all():
            i = _first_bad(~whole)
            raise ValueError(f"{name}: outcome indices must be integers; found {_fmt(arr[i])} at index {i}")
    out = arr.astype(np.int64)
    bad = (out < 0) | (out >= n_outcomes)
    if bad.any():
        i = _first_bad(bad)
        raise ValueError(f"{name}: outcome index {out[i]} at index {i} is out of range for {n_outcomes} outcomes")
    return out


def id_array(values: Any, name: str) -> np.ndarray:
    """Identifiers (questions, analysts): a non-empty 1-D array."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D sequence of ids, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name}: empty input")
    return arr
