"""Simulation study of the team statistics: interval coverage, false verdicts, power.

    python bench/honest_stats.py [--reps 400] [--seed 1]

Synthetic teams share outcomes as real ones do. Question q has a latent
L_q ~ N(0, 1) and happens when L_q > 0; analyst a sees X = L_q + noise
(sd tau_a, their own) and forecasts P(L_q > 0 | X) =
Phi((X / (1 + tau^2)) / sqrt(tau^2 / (1 + tau^2))): calibrated by
construction, yet different analysts' scores on a question move together.
An overconfident analyst with recalibration slope b forecasts
expit(logit(p) / b).

Printed beside their targets (the honest-statistics issue):

* coverage of the nominal 95% interval of the team's expected Brier
  (6 analysts x 60 questions) by :func:`tracker.scoring.group_interval`
  (questions resampled), and of the old pair bootstrap for comparison;
  target 93-97%;
* coverage of each analyst's interval (per question); target 93-97%;
* the family-wise rate of false "overconfident"/"underconfident" verdicts
  across 20 calibrated analysts x 40 questions (Holm-adjusted); target <= 5%,
  beside the unadjusted rate;
* power: how often an analyst with slope 0.6 among 19 calibrated ones is
  called overconfident (20 x 40 and 20 x 100), and how often a calibrated
  analyst is called "calibrated" (equivalence needs many questions).

The true expected Brier scores come from 2,000,000 simulated questions.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.scoring import bootstrap_ci, calibration_slope, group_interval, holm, slope_verdict  # noqa: E402

TAUS_6 = np.array([0.4, 0.6, 0.8, 1.0, 1.3, 1.6])


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


def true_brier(taus, n=2_000_000, seed=99):
    p, y = _forecasts(np.random.default_rng(seed), n, taus)
    per_analyst = ((p - y[None, :]) ** 2).mean(axis=1)
    return per_analyst, float(per_analyst.mean())


def coverage(reps, rng):
    per_true, team_true = true_brier(TAUS_6)
    hit_team = hit_pairs = 0
    hit_analyst = np.zeros(TAUS_6.size)
    n_q = 60
    qs = np.tile(np.arange(n_q), TAUS_6.size)
    for r in range(reps):
        p, y = _forecasts(rng, n_q, TAUS_6)
        s = (p - y[None, :]) ** 2
        gi = group_interval(s.ravel(), qs, seed=r)
        hit_team += gi.low <= team_true <= gi.high
        old = bootstrap_ci(s.ravel(), seed=r)
        hit_pairs += old.low <= team_true <= old.high
        for a in range(TAUS_6.size):
            ga = group_interval(s[a], np.arange(n_q), seed=r)
            hit_analyst[a] += ga.low <= per_true[a] <= ga.high
    return hit_team / reps, hit_pairs / reps, hit_analyst / reps


def verdicts(reps, rng, n_q, slopes):
    taus = np.linspace(0.4, 1.6, slopes.size)
    any_false_holm = any_false_raw = flagged_bad = called_calibrated = calibrated_seen = 0
    bad = np.flatnonzero(slopes != 1.0)
    for _ in range(reps):
        p, y = _forecasts(rng, n_q, taus, slopes)
        fits = [calibration_slope(p[a], y) for a in range(slopes.size)]
        adjusted = holm([f.p_value for f in fits])
        v_holm = [slope_verdict(f.slope, f.slope_ci, pa) for f, pa in zip(fits, adjusted)]
        v_raw = [slope_verdict(f.slope, f.slope_ci, f.p_value) for f in fits]
        good = [a for a in range(slopes.size) if slopes[a] == 1.0]
        any_false_holm += any(v_holm[a] in ("overconfident", "underconfident") for a in good)
        any_false_raw += any(v_raw[a] in ("overconfident", "underconfident") for a in good)
        flagged_bad += sum(v_holm[a] == "overconfident" for a in bad)
        called_calibrated += sum(v_holm[a] == "calibrated" for a in good)
        calibrated_seen += len(good)
    power = flagged_bad / (reps * bad.size) if bad.size else None
    return any_false_holm / reps, any_false_raw / reps, power, called_calibrated / calibrated_seen


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    team, pairs, analysts = coverage(args.reps, rng)
    print(f"honest statistics, {args.reps} simulated teams per figure (seed {args.seed})")
    print(f"  coverage, team of 6 x 60 questions, question bootstrap:  {team:6.1%}   target 93%-97%"
          f"   {'OK' if 0.93 <= team <= 0.97 else 'MISS'}")
    print(f"  coverage, same team, the old pair bootstrap (floor):     {pairs:6.1%}")
    print(f"  coverage, each analyst (60 questions), min / max:        {analysts.min():6.1%} / {analysts.max():.1%}"
          f"   target 93%-97%   {'OK' if analysts.min() >= 0.93 and analysts.max() <= 0.97 else 'MISS'}")
    calibrated = np.ones(20)
    fw_holm, fw_raw, _, said_cal = verdicts(args.reps, rng, 40, calibrated)
    print(f"  false over/underconfident, 20 calibrated x 40, Holm:     {fw_holm:6.1%}   target <= 5%"
          f"   {'OK' if fw_holm <= 0.05 else 'MISS'}   (unadjusted: {fw_raw:.1%})")
    print(f"  calibrated analysts called \"calibrated\" (20 x 40):       {said_cal:6.1%}")
    for n_q in (40, 100):
        slopes = np.ones(20)
        slopes[0] = 0.6
        _, _, power, _ = verdicts(args.reps, rng, n_q, slopes)
        print(f"  power: slope 0.6 called overconfident, 20 x {n_q:<3}:        {power:6.1%}")
    print(f"  ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
