"""Murphy (Stephenson et al. 2008) and CORP (Dimitriadis, Gneiting & Jordan 2021) decompositions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.scoring import brier_score, corp_decomposition, murphy_decomposition
from tracker.scoring._table import pav, pav_numpy

SOLAR_FORECASTERS = ("ASSA", "CLIM120", "DAFFS", "DAFFS-G", "MCEVOL", "MCSTAT", "NICT", "NOAA", "SIDC")


def scipy_isotonic():
    """scipy's compiled PAV (scipy >= 1.12), the reference for our numpy PAV."""
    optimize = pytest.importorskip("scipy.optimize")
    if not hasattr(optimize, "isotonic_regression"):
        pytest.skip("scipy.optimize.isotonic_regression needs scipy >= 1.12")
    return optimize.isotonic_regression

# The worked example: 8 forecasts, two bins [0, 0.5) and [0.5, 1].
P8 = np.array([0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9])
Y8 = np.array([0, 0, 1, 0, 1, 0, 1, 1])


def test_murphy_worked_example():
    # Bin 1: p = .1 .2 .3 .4, o = 0 0 1 0 -> pbar = .25, obar = .25
    # Bin 2: p = .6 .7 .8 .9, o = 1 0 1 1 -> pbar = .75, obar = .75; overall obar = .5
    # REL = (4 (.25-.25)^2 + 4 (.75-.75)^2) / 8 = 0
    # RES = (4 (.25-.5)^2 + 4 (.75-.5)^2) / 8 = 1/16
    # UNC = .5 * .5 = 1/4
    # WBV = (2 (.15^2 + .05^2) + 2 (.15^2 + .05^2)) / 8 = 0.1 / 8 = 1/80
    # WBC: bin 1 sum (o-obar)(p-pbar) = (-.25)(-.15) + (-.25)(-.05) + (.75)(.05) + (-.25)(.15) = .05,
    #      bin 2 = (.25)(-.15) + (-.75)(-.05) + (.25)(.05) + (.25)(.15) = .05 -> WBC = 2 (.1) / 8 = 1/40
    # BS = (.01 + .04 + .49 + .16 + .16 + .49 + .04 + .01) / 8 = 1.4 / 8 = .175
    #    = 0 - 1/16 + 1/4 + 1/80 - 1/40
    m = murphy_decomposition(P8, Y8, bins=2)
    assert m.brier == pytest.approx(0.175)
    assert m.reliability == pytest.approx(0.0, abs=1e-15)
    assert m.resolution == pytest.approx(1 / 16)
    assert m.uncertainty == pytest.approx(1 / 4)
    assert m.within_bin_variance == pytest.approx(1 / 80)
    assert m.within_bin_covariance == pytest.approx(1 / 40)
    assert m.bins == 2 and m.n == 8


def test_corp_worked_example():
    # PAV on y ordered by p: 0 0 1 0 1 0 1 1 -> pool (1, 0) twice -> 0 0 .5 .5 .5 .5 1 1
    # BS(recalibrated) = 4 * .25 / 8 = 1/8; MCB = .175 - .125 = 1/20; DSC = .25 - .125 = 1/8
    c = corp_decomposition(P8, Y8)
    np.testing.assert_allclose(c.fitted, [0, 0, 0.5, 0.5, 0.5, 0.5, 1, 1])
    assert c.mcb == pytest.approx(1 / 20)
    assert c.dsc == pytest.approx(1 / 8)
    assert c.unc == pytest.approx(1 / 4)
    assert c.brier == pytest.approx(0.175)
    np.testing.assert_array_equal(c.x, P8)
    np.testing.assert_array_equal(c.count, np.ones(8))


def test_murphy_three_terms_are_exact_when_each_bin_holds_one_value():
    p = np.array([0.1, 0.1, 0.3, 0.5, 0.5, 0.9])
    y = np.array([0, 1, 0, 1, 1, 1])
    m = murphy_decomposition(p, y, bins=10)
    assert m.within_bin_variance == pytest.approx(0.0, abs=1e-15)
    assert m.within_bin_covariance == pytest.approx(0.0, abs=1e-15)
    assert m.reliability - m.resolution + m.uncertainty == pytest.approx(m.brier)


# ------------------------------------------------------------------ published CORP


# Dimitriadis, Gneiting and Jordan (2021), PNAS 118(8) e2016191118, Fig. 1 and 5:
# Niamey 2016 precipitation, MCB / DSC / UNC.
PUBLISHED = {
    "ENS": (0.066, 0.044, 0.244),
    "EPC": (0.022, 0.032, 0.244),
    "EMOS": (0.018, 0.030, 0.244),
    "Logistic": (0.017, 0.056, 0.244),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_corp_reproduces_published_niamey(niamey, name):
    mcb, dsc, unc = PUBLISHED[name]
    c = corp_decomposition(niamey[name], niamey["obs"])
    assert c.mcb == pytest.approx(mcb, abs=6e-4)
    assert c.dsc == pytest.approx(dsc, abs=6e-4)
    assert c.unc == pytest.approx(unc, abs=6e-4)
    assert c.brier == pytest.approx(c.mcb - c.dsc + c.unc, abs=1e-12)


def test_emos_mean_brier_published(niamey):
    assert brier_score(niamey["EMOS"], niamey["obs"]) == pytest.approx(0.232, abs=6e-4)


def test_ens_ties_must_be_pooled(niamey):
    """ENS (steps of 1/52) has 59 tied values; PAV without pooling them misses the published MCB."""
    p, y = niamey["ENS"], niamey["obs"]
    assert p.size - np.unique(p).size == 59
    pooled = corp_decomposition(p, y)
    assert pooled.x.size == np.unique(p).size  # one block per distinct value from the start
    assert pooled.mcb == pytest.approx(0.066, abs=6e-4)

    # PAV over the rows in data order within ties, as a naive implementation would do:
    order = np.argsort(p, kind="stable")
    naive = pav_numpy(y[order].astype(float), np.ones(p.size))
    naive_brier = np.mean((naive - y[order]) ** 2)
    naive_mcb = pooled.brier - naive_brier
    assert abs(naive_mcb - 0.066) > 2e-3  # 0.069: off in the third decimal
    # and the naive fit is not even a function of the forecast: tied forecasts get different values
    assert any(np.unique(naive[p[order] == value]).size > 1 for value in np.unique(p))


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_numpy_pav_matches_scipy(niamey, name):
    isotonic_regression = scipy_isotonic()
    c = corp_decomposition(niamey[name], niamey["obs"])
    y, w = _pav_input(niamey[name], niamey["obs"])
    np.testing.assert_allclose(pav_numpy(y, w), c.fitted, atol=1e-14)
    np.testing.assert_allclose(isotonic_regression(y, weights=w).x, c.fitted, atol=1e-14)


def _pav_input(p, y):
    x, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
    return np.bincount(inverse, weights=y) / counts, counts.astype(float)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-5, 5, allow_nan=False), st.integers(1, 5)), min_size=1, max_size=80))
def test_numpy_pav_matches_scipy_random(rows):
    isotonic_regression = scipy_isotonic()
    y = np.array([r[0] for r in rows])
    w = np.array([r[1] for r in rows], dtype=float)
    np.testing.assert_allclose(pav_numpy(y, w), isotonic_regression(y, weights=w).x, atol=1e-9)
    np.testing.assert_allclose(pav(y, w), pav_numpy(y, w), atol=1e-9)


def test_numpy_pav_adversarial_order_falls_back_to_stack():
    # 1, 2, ..., m-1, 0: each vectorized pass would pool one pair only
    y = np.append(np.arange(1.0, 3000.0), 0.0)
    fitted = pav_numpy(y, np.ones_like(y))
    assert np.all(np.diff(fitted) >= 0)
    np.testing.assert_allclose(fitted, scipy_isotonic()(y).x, atol=1e-9)


# ---------------------------------------------------------------- identities, real data


@pytest.mark.parametrize("name", SOLAR_FORECASTERS)
@pytest.mark.parametrize("bins", [1, 5, 10, 20])
def test_decompositions_add_up_on_solar_flares(solar, name, bins):
    p, y = solar[name], solar["y"]
    bs = brier_score(p, y)
    m = murphy_decomposition(p, y, bins=bins)
    assert m.brier == pytest.approx(bs, abs=1e-12)
    assert m.reliability - m.resolution + m.uncertainty + m.within_bin_variance - m.within_bin_covariance == (
        pytest.approx(bs, abs=1e-12)
    )
    c = corp_decomposition(p, y)
    assert c.mcb - c.dsc + c.unc == pytest.approx(bs, abs=1e-12)
    assert c.mcb >= 0 and c.dsc >= 0
    assert c.unc == pytest.approx(m.uncertainty, abs=1e-15)


def test_nict_two_valued_forecaster(solar):
    """NICT only says 0 or 1: two blocks, and the recalibrated forecast is the hit rate in each."""
    p, y = solar["NICT"], solar["y"]
    c = corp_decomposition(p, y)
    np.testing.assert_array_equal(c.x, [0.0, 1.0])
    expected = [y[p == 0].mean(), y[p == 1].mean()]
    np.testing.assert_allclose(c.fitted, np.maximum.accumulate(expected))


# ------------------------------------------------------------------ property tests


forecast_sets = st.integers(1, 60).flatmap(
    lambda n: st.tuples(
        st.lists(
            st.one_of(st.floats(0, 1, allow_nan=False), st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.7, 1.0])),
            min_size=n,
            max_size=n,
        ),
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)


@settings(max_examples=300, deadline=None)
@given(forecast_sets, st.integers(1, 25))
def test_murphy_identity_holds_for_any_binning(data, bins):
    p, y = np.array(data[0]), np.array(data[1], dtype=int)
    m = murphy_decomposition(p, y, bins=bins)
    direct = np.mean((p - y) ** 2)
    assert m.brier == pytest.approx(direct, abs=1e-12)
    total = m.reliability - m.resolution + m.uncertainty + m.within_bin_variance - m.within_bin_covariance
    assert total == pytest.approx(direct, abs=1e-9)
    assert m.reliability >= 0 and m.resolution >= 0 and m.within_bin_variance >= 0


@settings(max_examples=300, deadline=None)
@given(forecast_sets)
def test_corp_identity_and_signs(data):
    p, y = np.array(data[0]), np.array(data[1], dtype=int)
    c = corp_decomposition(p, y)
    direct = np.mean((p - y) ** 2)
    assert c.mcb - c.dsc + c.unc == pytest.approx(direct, abs=1e-9)
    assert c.mcb >= 0.0 and c.dsc >= 0.0
    assert np.all(np.diff(c.fitted) >= -1e-12)  # isotonic
    assert np.all(np.diff(c.x) > 0)  # one entry per distinct forecast
    assert c.count.sum() == p.size


@settings(max_examples=100, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=40))
def test_perfect_forecaster_decompositions(outcomes):
    y = np.array(outcomes, dtype=int)
    c = corp_decomposition(y.astype(float), y)
    assert c.brier == 0.0 and c.mcb == pytest.approx(0.0, abs=1e-15)
    assert c.dsc == pytest.approx(c.unc, abs=1e-15)
    m = murphy_decomposition(y.astype(float), y, bins=10)
    assert m.brier == 0.0


def test_pav_beyond_the_numpy_size_agrees_with_the_numpy_pav():
    from tracker.scoring import _table

    rng = np.random.default_rng(11)
    y = np.cumsum(rng.normal(size=_table.PAV_NUMPY_MAX + 500)) * 0.01 + rng.normal(size=_table.PAV_NUMPY_MAX + 500)
    w = rng.integers(1, 4, size=y.size).astype(float)
    np.testing.assert_allclose(pav(y, w), pav_numpy(y, w), atol=1e-9)
    assert np.all(np.diff(pav(y, w)) >= -1e-12)
