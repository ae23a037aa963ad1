"""Simulation study of the team statistics: interval coverage, slope coverage, false verdicts, power.

    python bench/honest_stats.py [--reps 2000] [--verdict-reps 2000] [--seed 1]

Synthetic teams share outcomes as real ones do. Question q has a latent
L_q ~ N(0, 1) and happens when L_q > 0; analyst a sees X = L_q + noise
(sd tau_a, their own) and forecasts P(L_q > 0 | X) =
Phi((X / (1 + tau^2)) / sqrt(tau^2 / (1 + tau^2))), rounded to whole
percents: calibrated by construction, yet different analysts' scores on a
question move together. An overconfident analyst with recalibration slope b
forecasts expit(logit(p) / b).

Printed beside their targets (the honest-statistics issue), for teams of
6 analysts x 30 questions, 6 x 60 and 20 x 40 (``--reps`` teams each):

* coverage of the nominal 95% interval of the team's expected Brier by
  :func:`tracker.scoring.group_interval` (questions resampled, studentized),
  beside the old pair bootstrap (pairs resampled as if independent, the
  floor); target 93-97%;
* coverage of each analyst's interval (the same function, one score per
  question), the lowest and highest over the team's analysts, beside the
  old percentile interval's lowest; target 93-97%;
* the share of runs whose team calibration-slope interval contains 1: the
  cluster-robust interval (jackknife by question) beside the naive Wald
  interval that treats the team's forecasts as independent; target ~95%;

and, over ``--verdict-reps`` teams of 20 analysts:

* the family-wise rate of false "overconfident"/"underconfident" verdicts
  across 20 calibrated analysts x 40 questions (Holm-adjusted), with its
  Monte Carlo 95% interval (Wilson), beside the unadjusted rate; target <= 5%;
* power: how often an analyst with slope 0.6 among 19 calibrated ones is
  called overconfident (20 x 40 and 20 x 100), and how often a calibrated
  analyst is called "calibrated" (equivalence needs many questions).

Each coverage figure is a share of ``reps`` runs: its Monte Carlo standard
error, sqrt(0.95 x 0.05 / reps), is printed. The true expected Brier scores
come from 2,000,000 simulated questions.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.scoring import bootstrap_ci, calibration_slope, group_interval, holm, slope_verdict  # noqa: E402

TAUS_6 = np.array([0.4, 0.6, 0.8, 1.0, 1.3, 1.6])
CONFIGS = ((6, 30), (6, 60), (20, 40))


def taus_for(k: int) -> np.ndarray:
    return TAUS_6 if k == 6 else np.linspace(0.4, 1.6, k)


def _forecasts(rng, n_q, taus, slopes=None):
    from scipy.special import expit, logit, ndtr

    latent = rng.standard_normal(n_q)
    y = (latent > 0).astype(np.int8)
    x = latent[None, :] + rng.standard_normal((taus.size, n_q)) * taus[:, None]
    t2 = (taus ** 2)[:, None]
    p = ndtr((x / (1 + t2)) / np.sqrt(t2 / (1 + t2)))
    p = np.clip(np.round(p, 2), 0.0, 1.0)  # whole percents, as analysts state them
    if slopes is not None:
        q = np.clip(p, 0.005, 0.995)
        p = np.where(slopes[:, None] != 1.0, np.round(expit(logit(q) / slopes[:, None]), 2), p)
    return p, y


def true_brier(taus, n=2_000_000, seed=99, chunk=200_000):
    rng = np.random.default_rng(seed)
    total = np.zeros(taus.size)
    for start in range(0, n, chunk):
        p, y = _forecasts(rng, min(chunk, n - start), taus)
        total += ((p - y[None, :]) ** 2).sum(axis=1)
    per_analyst = total / n
    return per_analyst, float(per_analyst.mean())


def coverage(reps, rng, k, n_q):
    """Shares of ``reps`` runs whose intervals contain the truth, for a team of k analysts x n_q questions."""
    taus = taus_for(k)
    per_true, team_true = true_brier(taus)
    hit = dict(team=0, pairs=0, slope=0, slope_naive=0, slope_runs=0)
    hit_analyst = np.zeros(k)
    hit_percentile = np.zeros(k)
    qs = np.tile(np.arange(n_q), k)
    own = np.arange(n_q)
    methods = set()
    for r in range(reps):
        p, y = _forecasts(rng, n_q, taus)
        s = (p - y[None, :]) ** 2
        gi = group_interval(s.ravel(), qs, seed=r)
        methods.add(gi.method)
        hit["team"] += gi.low <= team_true <= gi.high
        old = bootstrap_ci(s.ravel(), seed=r)
        hit["pairs"] += old.low <= team_true <= old.high
        for a in range(k):
            ga = group_interval(s[a], own, seed=r)
            methods.add(ga.method)
            hit_analyst[a] += ga.low <= per_true[a] <= ga.high
            pa = bootstrap_ci(s[a], seed=r)
            hit_percentile[a] += pa.low <= per_true[a] <= pa.high
        yy = np.tile(y, k)
        clustered = calibration_slope(p.ravel(), yy, questions=qs)
        if clustered.slope_ci is not None:
            naive = calibration_slope(p.ravel(), yy)
            hit["slope_runs"] += 1
            hit["slope"] += clustered.slope_ci[0] <= 1.0 <= clustered.slope_ci[1]
            hit["slope_naive"] += naive.slope_ci[0] <= 1.0 <= naive.slope_ci[1]
    runs = max(hit["slope_runs"], 1)
    return {
        "team": hit["team"] / reps, "pairs": hit["pairs"] / reps,
        "analysts": hit_analyst / reps, "percentile": hit_percentile / reps,
        "slope": hit["slope"] / runs, "slope_naive": hit["slope_naive"] / runs, "slope_runs": hit["slope_runs"],
        "methods": sorted(methods),
    }


def verdicts(reps, rng, n_q, slopes):
    taus = np.linspace(0.4, 1.6, slopes.size)
    any_false_holm = any_false_raw = flagged_bad = called_calibrated = calibrated_seen = 0
    bad = np.flatnonzero(slopes != 1.0)
    good = [a for a in range(slopes.size) if slopes[a] == 1.0]
    for _ in range(reps):
        p, y = _forecasts(rng, n_q, taus, slopes)
        fits = [calibration_slope(p[a], y) for a in range(slopes.size)]
        adjusted = holm([f.p_value for f in fits])
        v_holm = [slope_verdict(f.slope, f.slope_ci, pa) for f, pa in zip(fits, adjusted)]
        v_raw = [slope_verdict(f.slope, f.slope_ci, f.p_value) for f in fits]
        any_false_holm += any(v_holm[a] in ("overconfident", "underconfident") for a in good)
        any_false_raw += any(v_raw[a] in ("overconfident", "underconfident") for a in good)
        flagged_bad += sum(v_holm[a] == "overconfident" for a in bad)
        called_calibrated += sum(v_holm[a] == "calibrated" for a in good)
        calibrated_seen += len(good)
    power = flagged_bad / (reps * bad.size) if bad.size else None
    return any_false_holm, any_false_raw / reps, power, called_calibrated / calibrated_seen


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _ok(value: float, mc: float, low: float = 0.93, high: float = 0.97) -> str:
    """OK inside the target band; OK* outside it by less than two Monte Carlo standard errors (the
    simulation cannot tell it from the band: the highest of 20 analysts' figures, each off by one
    s.e. at random, lies about 1.9 s.e. above their true coverage); MISS beyond."""
    if low <= value <= high:
        return "OK"
    return "OK*" if low - 2 * mc <= value <= high + 2 * mc else "MISS"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=2000, help="simulated teams per coverage configuration")
    ap.add_argument("--verdict-reps", type=int, default=2000, help="simulated teams for the false-verdict rate")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    mc = math.sqrt(0.95 * 0.05 / args.reps)
    print(f"honest statistics: {args.reps} simulated teams per configuration (seed {args.seed}); "
          f"Monte Carlo s.e. of a 95% coverage {mc:.1%}")
    print("  nominal 95% intervals, share containing the truth        target 93%-97%")
    header = (f"  {'team':>8} {'team Brier':>11} {'(old: pairs)':>13} {'analysts min-max':>17} "
              f"{'(old: percentile min)':>22} {'team slope':>11} {'(old: naive)':>13}")
    print(header)
    marks = []
    for k, n_q in CONFIGS:
        c = coverage(args.reps, rng, k, n_q)
        a_min, a_max = float(c["analysts"].min()), float(c["analysts"].max())
        analysts_mark = max((_ok(a_min, mc), _ok(a_max, mc)), key=["OK", "OK*", "MISS"].index)
        marks += [_ok(c["team"], mc), analysts_mark, _ok(c["slope"], mc)]
        print(f"  {f'{k} x {n_q}':>8} {c['team']:>7.1%} {_ok(c['team'], mc):>4} {c['pairs']:>12.1%} "
              f"{f'{a_min:.1%}-{a_max:.1%}':>13} {analysts_mark:>4} "
              f"{float(c['percentile'].min()):>21.1%} {c['slope']:>7.1%} {_ok(c['slope'], mc):>4} "
              f"{c['slope_naive']:>12.1%}")
        print(f"  {'':>8} analysts pooled {float(c['analysts'].mean()):.1%} (old percentile "
              f"{float(c['percentile'].mean()):.1%}); interval methods used: {', '.join(c['methods'])}; "
              f"slope intervals in {c['slope_runs']} of {args.reps} runs")
    verdict = "MISS" if "MISS" in marks else ("OK*" if "OK*" in marks else "OK")
    print(f"  all coverage figures within 93%-97%: {verdict}"
          "   (OK*: outside the band by less than two Monte Carlo s.e.)")

    calibrated = np.ones(20)
    hits, fw_raw, _, said_cal = verdicts(args.verdict_reps, rng, 40, calibrated)
    fw = hits / args.verdict_reps
    lo, hi = wilson(hits, args.verdict_reps)
    print(f"  false over/underconfident, 20 calibrated x 40, Holm: {fw:6.2%} "
          f"(Monte Carlo 95% interval {lo:.2%}-{hi:.2%}, {args.verdict_reps} teams)   target <= 5%   "
          f"{'OK' if hi <= 0.05 else ('OK (estimate)' if fw <= 0.05 else 'MISS')}   (unadjusted: {fw_raw:.1%})")
    print(f"  calibrated analysts called \"calibrated\" (20 x 40):    {said_cal:6.1%}")
    power_reps = max(args.verdict_reps // 4, 100)
    for n_q in (40, 100):
        slopes = np.ones(20)
        slopes[0] = 0.6
        _, _, power, _ = verdicts(power_reps, rng, n_q, slopes)
        print(f"  power: slope 0.6 called overconfident, 20 x {n_q:<3}:     {power:6.1%}   ({power_reps} teams)")
    print(f"  ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
