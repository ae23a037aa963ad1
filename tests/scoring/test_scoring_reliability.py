"""Reliability diagrams as data: binned with Wilson intervals, CORP with a consistency band."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.scoring import corp_decomposition, murphy_decomposition, reliability_binned, reliability_corp
from tracker.scoring._table import bin_index, tabulate


def test_binned_hand_computed_and_wilson():
    p = [0.05, 0.15, 0.12, 0.95, 1.0]
    y = [0, 1, 0, 1, 1]
    result = reliability_binned(p, y, bins=10)
    assert len(result.bins) == 10 and result.n == 5
    first, second, last = result.bins[0], result.bins[1], result.bins[9]
    assert (first.lower, first.upper, first.count) == (0.0, 0.1, 1)
    assert second.count == 2 and second.mean_forecast == pytest.approx(0.135)
    assert second.observed_frequency == 0.5
    assert last.count == 2 and last.observed_frequency == 1.0  # 1.0 belongs to the last bin
    # Wilson 95% for 1 event in 2: (0.5 + z^2/4 -+ z sqrt(0.25/2 + z^2/16)) / (1 + z^2/2)
    z = 1.959963984540054
    center = (0.5 + z * z / 4) / (1 + z * z / 2)
    half = z * math.sqrt(0.125 + z * z / 16) / (1 + z * z / 2)
    assert second.wilson_low == pytest.approx(center - half)
    assert second.wilson_high == pytest.approx(center + half)
    # 2 events in 2: upper limit 1, lower n / (n + z^2)
    assert last.wilson_high == pytest.approx(1.0)
    assert last.wilson_low == pytest.approx(2 / (2 + z * z))


def test_binned_reports_empty_bins_with_none():
    result = reliability_binned([0.05, 0.95], [0, 1], bins=4)
    counts = [b.count for b in result.bins]
    assert counts == [1, 0, 0, 1]
    empty = result.as_dict()["bins"][1]
    assert empty == {
        "lower": 0.25,
        "upper": 0.5,
        "count": 0,
        "mean_forecast": None,
        "observed_frequency": None,
        "wilson_low": None,
        "wilson_high": None,
    }
    json.dumps(result.as_dict(), allow_nan=False)


def test_bin_edges_are_the_decimal_values():
    # 0.57 * 100 is 56.99999999999999 in floating point; 0.57 still opens bin 57 of 100
    assert 0.57 * 100 < 57
    assert bin_index(np.array([0.57, 0.29, 0.58, 1.0, 0.0]), 100).tolist() == [57, 29, 58, 99, 0]
    assert bin_index(np.array([0.1, 0.2, 0.3, 0.7]), 10).tolist() == [1, 2, 3, 7]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=50), st.integers(1, 120))
def test_row_binning_and_table_binning_agree(p, bins):
    """reliability_binned bins rows; Murphy bins the sorted table: the same assignment either way."""
    p = np.array(p)
    table = tabulate(p, np.zeros(p.size, dtype=bool))
    bounds = table.bin_bounds(bins)
    from_table = np.repeat(np.arange(bins), np.diff(bounds))
    np.testing.assert_array_equal(bin_index(table.x, bins), from_table)
    lower = np.arange(bins) / bins
    j = bin_index(p, bins)
    assert np.all(p >= lower[j])
    assert np.all((p < (j + 1) / bins) | (j == bins - 1))


def test_binned_agrees_with_sklearn_on_non_empty_bins(niamey):
    calibration = pytest.importorskip("sklearn.calibration")
    rng = np.random.default_rng(7)
    cases = [(niamey["EMOS"], niamey["obs"]), (rng.random(5000), rng.integers(0, 2, 5000))]
    for p, y in cases:
        assert not np.any(np.isin(p, np.arange(1, 10) / 10))  # no forecast on an interior edge
        prob_true, prob_pred = calibration.calibration_curve(y, p, n_bins=10, strategy="uniform")
        bins = [b for b in reliability_binned(p, y, bins=10).bins if b.count]
        np.testing.assert_allclose([b.observed_frequency for b in bins], prob_true, atol=1e-12)
        np.testing.assert_allclose([b.mean_forecast for b in bins], prob_pred, atol=1e-12)


def test_edge_handling_differs_from_sklearn_only_inside():
    """scikit-learn (>= 1.3) uses right-closed bins; we use left-closed. Both put 0 first and 1 last."""
    calibration = pytest.importorskip("sklearn.calibration")
    p = np.array([0.0, 0.1, 1.0])
    y = np.array([0, 1, 1])
    ours = reliability_binned(p, y, bins=10).bins
    assert [b.count for b in ours if b.count] == [1, 1, 1]  # 0.0 -> bin 0, 0.1 -> bin 1, 1.0 -> bin 9
    assert ours[1].count == 1 and ours[9].count == 1
    prob_true, prob_pred = calibration.calibration_curve(y, p, n_bins=10, strategy="uniform")
    np.testing.assert_allclose(prob_pred, [0.05, 1.0])  # sklearn: 0.0 and 0.1 share bin 0; 1.0 in bin 9
    np.testing.assert_allclose(prob_true, [0.5, 1.0])


def test_binned_counts_match_murphy_bins(solar):
    p, y = solar["DAFFS"], solar["y"]
    bins = reliability_binned(p, y, bins=10).bins
    m = murphy_decomposition(p, y, bins=10)
    # reliability term recomputed from the binned diagram
    rel = sum(b.count * (b.mean_forecast - b.observed_frequency) ** 2 for b in bins if b.count) / p.size
    assert rel == pytest.approx(m.reliability, abs=1e-12)


# ------------------------------------------------------------------------------ CORP


def test_corp_diagram_curve_and_band(niamey):
    p, y = niamey["ENS"], niamey["obs"]
    result = reliability_corp(p, y, n_resamples=500, level=0.9, seed=1)
    corp = corp_decomposition(p, y)
    np.testing.assert_array_equal(result.x, corp.x)
    np.testing.assert_allclose(result.fitted, corp.fitted)
    np.testing.assert_array_equal(result.count, corp.count)
    assert result.lower.shape == result.upper.shape == result.x.shape
    assert np.all(result.lower <= result.upper)
    assert np.all((result.lower >= 0) & (result.upper <= 1))
    # the band is about the diagonal: it brackets most forecast values
    assert np.mean((result.lower <= result.x) & (result.x <= result.upper)) > 0.8
    data = json.loads(json.dumps(result.as_dict(), allow_nan=False))
    assert data["level"] == 0.9 and data["n_resamples"] == 500 and len(data["lower"]) == result.x.size


def test_corp_band_is_reproducible_with_a_seed(niamey):
    p, y = niamey["EMOS"], niamey["obs"]
    a = reliability_corp(p, y, n_resamples=200, seed=42)
    b = reliability_corp(p, y, n_resamples=200, seed=42)
    c = reliability_corp(p, y, n_resamples=200, seed=43)
    np.testing.assert_array_equal(a.lower, b.lower)
    np.testing.assert_array_equal(a.upper, b.upper)
    assert not np.array_equal(a.upper, c.upper)


def test_corp_band_narrows_with_more_data():
    rng = np.random.default_rng(3)
    widths = []
    for n in (200, 20000):
        p = np.round(rng.random(n), 1)
        y = rng.random(n) < p
        band = reliability_corp(p, y, n_resamples=200, seed=0)
        widths.append(np.mean(band.upper - band.lower))
    assert widths[1] < widths[0] / 3


def test_corp_band_refuses_to_exhaust_memory():
    p = np.linspace(0, 1, 100_001)
    y = np.arange(p.size) % 2
    with pytest.raises(ValueError, match="round the forecasts"):
        reliability_corp(p, y, n_resamples=1000)
