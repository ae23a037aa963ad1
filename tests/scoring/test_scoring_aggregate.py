"""tracker.scoring.aggregate: hand-computed aggregates, properties, the
extremizing factor fitted out of sample on real forecasts (Good Judgment
Project, PredictionBook) and on a simulation with a known factor."""

from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.scoring.aggregate import (
    CLIP,
    DEFAULT_FACTOR,
    METHODS,
    MIN_QUESTIONS,
    aggregate,
    aggregate_categorical,
    aggregate_groups,
    clipped_logit,
    fit_extremizing,
    fit_factor,
    recency_weights,
)

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _rows(name: str) -> list[dict]:
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"{name} not found beside the repository")
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------ hand-computed


def test_hand_computed_binary_aggregates():
    p = [0.1, 0.3, 0.9]
    assert aggregate(p, method="mean").value == pytest.approx(1.3 / 3)
    assert aggregate(p, method="median").value == pytest.approx(0.3)
    # logits ln(1/9), ln(3/7), ln 9: mean -0.2824326201; sigmoid 0.4298574880
    assert aggregate(p, method="logodds").value == pytest.approx(0.42985748800076856, abs=1e-12)
    # a = 2: sigmoid(-0.5648652403) = 0.3624224861
    assert aggregate(p, method="extremized", factor=2.0).value == pytest.approx(0.36242248606142274, abs=1e-12)


def test_median_ties_and_even_counts():
    assert aggregate([0.2, 0.4, 0.4, 0.9], method="median").value == pytest.approx(0.4)
    assert aggregate([0.2, 0.4, 0.6, 0.9], method="median").value == pytest.approx(0.5)
    assert aggregate([0.7, 0.7], method="median").value == pytest.approx(0.7)
    vals, counts, _ = aggregate_groups([0, 0, 0, 0, 1, 1], [0.9, 0.2, 0.6, 0.4, 0.3, 0.3], method="median")
    assert vals.tolist() == pytest.approx([0.5, 0.3]) and counts.tolist() == [4, 2]


def test_zero_and_one_are_clipped_and_counted():
    a = aggregate([0.0, 1.0, 0.5], method="logodds")
    assert a.value == pytest.approx(0.5) and a.n_clipped == 2
    b = aggregate([0.0, 0.5], method="logodds")
    # logit(0.01) / 2 = -2.2975599; sigmoid = 0.0913252487
    assert b.value == pytest.approx(0.09132524868434898, abs=1e-12) and b.n_clipped == 1
    assert aggregate([0.0, 0.5], method="mean").n_clipped == 0  # the mean uses the numbers as given
    assert CLIP == 0.01
    lx, n = clipped_logit([0.0, 0.005, 0.5, 0.995, 1.0])
    assert n == 4 and lx[0] == lx[1] == pytest.approx(-math.log(99))


def test_categorical_geometric_mean():
    P = [[0.5, 0.3, 0.2], [0.2, 0.6, 0.2]]
    # sqrt(0.10), sqrt(0.18), sqrt(0.04) normalized
    q = aggregate_categorical(P).value
    assert q.tolist() == pytest.approx([0.33623658849524896, 0.4511087210388002, 0.2126546904659508], abs=1e-12)
    # two outcomes: the extremized log-odds mean
    for a in (1.0, 2.5):
        two = aggregate_categorical([[0.3, 0.7], [0.8, 0.2], [0.6, 0.4]], factor=a).value
        assert two[0] == pytest.approx(aggregate([0.3, 0.8, 0.6], method="extremized", factor=a).value, abs=1e-12)
    z = aggregate_categorical([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]])
    assert z.n_clipped == 2 and z.value.sum() == pytest.approx(1.0)


def test_recency_weights_and_weighted_aggregates():
    w = recency_weights([0.0, 10.0, 40.0], horizon=30.0)
    assert w.tolist() == [1.0, 1.0, 0.0]
    assert recency_weights([0.0, 7.0, 14.0], half_life=7.0).tolist() == pytest.approx([1.0, 0.5, 0.25])
    # the old forecast (0.9) counts not at all
    assert aggregate([0.2, 0.4, 0.9], method="mean", weights=w).value == pytest.approx(0.3)
    assert aggregate([0.2, 0.4, 0.9], method="median", weights=w).value == pytest.approx(0.3)
    # half-life weights 1, 0.5: mean (0.2 + 0.5 * 0.8) / 1.5
    assert aggregate([0.2, 0.8], method="mean", weights=[1.0, 0.5]).value == pytest.approx(0.4)
    with pytest.raises(ValueError, match="every weight is 0"):
        aggregate([0.2], weights=[0.0])
    with pytest.raises(ValueError, match="ages"):
        recency_weights([-1.0])


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="method"):
        aggregate([0.5], method="trimmed")
    with pytest.raises(ValueError, match="factor"):
        aggregate([0.5], method="extremized", factor=0.0)
    with pytest.raises(ValueError, match="p"):
        aggregate([1.5])
    with pytest.raises(ValueError, match="cv"):
        fit_extremizing([0.1] * 12, [0, 1] * 6, cv="kfold")
    with pytest.raises(ValueError, match="known"):
        fit_extremizing([0.1] * 12, [0, 1] * 6, cv="time")


# --------------------------------------------------------------- properties

probs = st.floats(min_value=0.011, max_value=0.989, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(p=probs, a=st.floats(min_value=0.3, max_value=4.0))
def test_one_analyst_is_returned_unchanged(p, a):
    for method in ("mean", "median", "logodds"):
        assert aggregate([p], method=method).value == pytest.approx(p, abs=1e-12)
    assert aggregate([p], method="extremized", factor=1.0).value == pytest.approx(p, abs=1e-12)
    assert aggregate_categorical([[p, 1 - p]]).value[0] == pytest.approx(p, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(ps=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=12), seed=st.integers(0, 10_000),
       a=st.floats(min_value=0.3, max_value=4.0))
def test_order_invariance_and_factor_one(ps, seed, a):
    perm = np.random.default_rng(seed).permutation(len(ps))
    shuffled = [ps[i] for i in perm]
    for method in METHODS:
        assert aggregate(ps, method=method, factor=a).value == pytest.approx(
            aggregate(shuffled, method=method, factor=a).value, abs=1e-12)
    assert aggregate(ps, method="extremized", factor=1.0).value == pytest.approx(
        aggregate(ps, method="logodds").value, abs=1e-15)
    # the grouped path gives the same numbers as the single one
    for method in METHODS:
        vals, _, _ = aggregate_groups(np.zeros(len(ps), dtype=int), ps, method=method, factor=a)
        assert vals[0] == pytest.approx(aggregate(ps, method=method, factor=a).value, abs=1e-12)


# ----------------------------------------------------- the factor, fitted


def test_too_few_questions_use_the_documented_default():
    m = np.array([0.5, -0.3, 1.2, -1.0, 0.8])
    y = np.array([1, 0, 1, 0, 0])
    fit = fit_extremizing(m, y)
    assert fit.factor == DEFAULT_FACTOR == 1.0 and fit.n_default == 5 and fit.low is None
    assert any(f"fewer than {MIN_QUESTIONS}" in n for n in fit.notes)
    assert fit.brier_oos == pytest.approx(fit.brier_logodds)


def test_leave_one_out_never_sees_the_question_scored():
    rng = np.random.default_rng(3)
    m = rng.normal(0, 1.2, 30)
    y = (rng.random(30) < 1 / (1 + np.exp(-2 * m))).astype(int)
    fit = fit_extremizing(m, y)
    for q in (0, 7, 29):
        keep = np.arange(30) != q
        assert fit.oos_factor[q] == pytest.approx(fit_factor(m[keep], y[keep]), abs=1e-9)
    assert fit.oos_p[4] == pytest.approx(1 / (1 + math.exp(-fit.oos_factor[4] * m[4])))


def test_many_questions_search_a_window_with_the_same_answer():
    """Above 2,000 questions the grid is searched coarse-to-fine and each
    leave-one-out fit in a window around the full fit: the same factors as
    the whole grid."""
    from tracker.scoring import aggregate as agg

    rng = np.random.default_rng(11)
    n = 3000
    m = rng.normal(0, 1.0, n)
    y = (rng.random(n) < 1 / (1 + np.exp(-1.7 * m))).astype(int)
    fit = fit_extremizing(m, y)
    grid = agg.factor_grid()
    total = agg._total_loss(m, y.astype(float), grid)
    assert fit.factor == pytest.approx(float(agg._refine(total, grid)[0]), abs=1e-12)
    for q in (0, 1234, 2999):
        brute = agg._refine(total - agg._loss_rows(m[q:q + 1], y[q:q + 1].astype(float), grid)[0], grid)[0]
        assert fit.oos_factor[q] == pytest.approx(brute, abs=1e-12)


def test_time_ordered_uses_only_questions_known_earlier():
    rng = np.random.default_rng(5)
    n = 40
    m = rng.normal(0, 1.2, n)
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * m))).astype(int)
    known = np.arange(n, dtype=float) * 10.0  # question i known at 10 i
    asof = known - 5.0  # forecast made 5 before its own outcome: question i trains on 0..i-1
    fit = fit_extremizing(m, y, cv="time", known=known, asof=asof)
    assert (fit.oos_factor[:MIN_QUESTIONS] == DEFAULT_FACTOR).all() and fit.n_default == MIN_QUESTIONS
    for i in (MIN_QUESTIONS, 25, n - 1):
        assert fit.oos_factor[i] == pytest.approx(fit_factor(m[:i], y[:i]), abs=1e-9)


def _balanced_simulation(seed: int, n_questions: int = 1000, pieces: int = 20, seen: int = 8, sd: float = 0.5):
    """Every question's outcome has log-odds S = the sum of ``pieces`` pieces
    of evidence; analyst i sees pieces i..i+seen-1 (a ring: each piece seen
    by ``seen`` analysts) and states sigmoid(sum of what it saw). The mean of
    the analysts' log-odds is (seen / pieces) S, so the generating factor is
    pieces / seen (Satopää et al. 2014's picture of partial information)."""
    rng = np.random.default_rng(seed)
    e = rng.normal(0.0, sd, (n_questions, pieces))
    y = (rng.random(n_questions) < 1 / (1 + np.exp(-e.sum(axis=1)))).astype(int)
    ring = (np.arange(pieces)[:, None] + np.arange(seen)[None, :]) % pieces
    logits = e[:, ring].sum(axis=2)
    p = 1 / (1 + np.exp(-logits))
    lx, _ = clipped_logit(p.ravel())
    return lx.reshape(p.shape).mean(axis=1), y, pieces / seen


def test_simulation_recovers_the_generating_factor():
    covered = 0
    fitted = []
    for seed in range(10):
        m, y, truth = _balanced_simulation(seed)
        fit = fit_extremizing(m, y, n_resamples=400)
        assert truth == 2.5 and fit.interval == "bootstrap over questions"
        assert fit.high - fit.low < 1.2
        covered += fit.low <= truth <= fit.high
        fitted.append(fit.factor)
        # extremizing out of sample beats the plain log-odds mean here
        assert fit.brier_oos < fit.brier_logodds
    assert covered >= 8, covered
    assert abs(np.mean(fitted) - 2.5) < 0.15


# ------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def gjp_final():
    """Good Judgment Project year-1 survey (via niplav/iqisa): the 14 binary
    questions, each forecaster's final forecast (latest timestamp; ties by
    forecast id), the probability of option (a) "yes"."""
    last: dict = {}
    for r in _rows("gjp_yr1_mini_survey_forecasts.csv"):
        if r["n_opts"] != "2" or r["answer_option"] != "a":
            continue
        key = (r["ifp_id"], r["user_id"])
        order = (r["timestamp"], int(r["forecast_id"]))
        if key not in last or order >= last[key][0]:
            last[key] = (order, float(r["probability"]), r["resolved_option"] == "a")
    return _grouped(last)


def _grouped(last: dict):
    questions = sorted({q for q, _ in last})
    code = {q: i for i, q in enumerate(questions)}
    g = np.array([code[q] for q, _ in last])
    p = np.array([v[1] for v in last.values()])
    y = np.zeros(len(questions))
    for (q, _), v in last.items():
        y[code[q]] = v[2]
    return g, p, y


def _briers(g, p, y):
    out = {"individuals": float(np.mean((p - y[g]) ** 2))}
    for method in METHODS:
        vals, _, _ = aggregate_groups(g, p, method=method, factor=2.0)
        out[method] = float(np.mean((vals - y) ** 2))
    lx, _ = clipped_logit(p)
    m = np.bincount(g, weights=lx) / np.bincount(g)
    return out, fit_extremizing(m, y)


def test_gjp_sample_aggregates_and_the_fitted_factor(gjp_final):
    g, p, y = gjp_final
    assert len(y) == 14 and len(p) == 3092
    b, fit = _briers(g, p, y)
    assert b["individuals"] == pytest.approx(0.18011, abs=5e-6)
    assert b["mean"] == pytest.approx(0.13587, abs=5e-6)
    assert b["median"] == pytest.approx(0.12540, abs=5e-6)
    assert b["logodds"] == pytest.approx(0.12057, abs=5e-6)
    assert b["extremized"] == pytest.approx(0.09761, abs=5e-6)  # a = 2, as in the issue
    # fitted on the other 13 questions each time (leave-one-question-out)
    assert fit.factor == pytest.approx(2.249, abs=0.002)
    assert fit.brier_oos == pytest.approx(0.11570, abs=5e-5)
    # the out-of-sample extremized aggregate beats the plain mean by 0.020 Brier (0-1)
    assert b["mean"] - fit.brier_oos == pytest.approx(0.0202, abs=1e-4)
    assert fit.low < fit.factor < fit.high and fit.low > 1.0  # 14 questions: a wide interval, above 1


def test_predictionbook_questions_with_several_forecasters():
    """PredictionBook (via niplav/iqisa): questions with two or more
    forecasters, each one's final forecast (latest timestamp; a tie goes to
    the later row of the file)."""
    last: dict = {}
    for i, r in enumerate(_rows("predictionbook_binary_resolved.csv")):
        key = (r["question_id"], r["user_id"])
        order = (r["timestamp"], i)
        if key not in last or order >= last[key][0]:
            last[key] = (order, float(r["probability"]), int(r["outcome"]))
    count = Counter(q for q, _ in last)
    several = {k: v for k, v in last.items() if count[k[0]] >= 2}
    g, p, y = _grouped(several)
    assert len(y) == 7800 and len(p) == 33933
    b, fit = _briers(g, p, y)
    assert b["individuals"] == pytest.approx(0.14582, abs=5e-6)
    assert b["mean"] == pytest.approx(0.14035, abs=5e-6)
    assert b["median"] == pytest.approx(0.14062, abs=5e-6)
    assert b["logodds"] == pytest.approx(0.13567, abs=5e-6)
    # many questions, small teams: a modest factor, tightly estimated
    assert fit.factor == pytest.approx(1.1825, abs=0.002)
    assert fit.interval.startswith("normal") and fit.low > 1.0 and fit.high < 1.3
    assert fit.brier_oos == pytest.approx(0.13503, abs=5e-6)
    assert fit.brier_oos < b["mean"] - 0.005  # out of sample, still better than the plain mean
