"""Scoring and calibration statistics for probabilistic forecasts (numpy/scipy only).

Usable on its own, from a notebook: every function takes arrays and returns a
number, an array, a frozen result dataclass (with ``as_dict()`` giving plain,
JSON-ready data) or, for :func:`summarize`, a dict. Bad input (NaN or
infinite values, probabilities outside [0, 1], outcomes other than 0/1,
length mismatches, empty input, bins < 1, categorical rows not summing to 1,
outcome indices out of range) raises ``ValueError`` with a one-line message.
Statistics that are undefined for valid input (one outcome class, too few
cases) come back as None with a ``reason``.

Scales: binary Brier scores are on the 0-1 scale ``(p - y)^2`` unless
``scale="0-2"`` (Good Judgment, ``2 (p - y)^2``); categorical Brier is 0-2;
decomposition terms are always 0-1. The log score uses the natural log and is
negatively oriented (lower is better).
"""

from .calibration import (
    BrierSkill,
    CalibrationSlope,
    SpiegelhalterTest,
    brier_skill_score,
    calibration_slope,
    slope_verdict,
    spiegelhalter_z,
)
from .comparison import (
    BootstrapInterval,
    PairedDifference,
    RelativeBrier,
    RelativeScore,
    bootstrap_ci,
    paired_difference,
    relative_brier,
)
from .intervals import GroupInterval, group_interval, holm
from .groups import (
    adjust_verdicts,
    categorical_summary,
    group_summary,
    index_groups,
    mean_interval,
    pair_deviations,
    reference_deviations,
    relative_score,
    relative_scores,
    table_summary,
    wilson_interval,
)
from .decomposition import CorpDecomposition, MurphyDecomposition, corp_decomposition, murphy_decomposition
from .reliability import ReliabilityBin, ReliabilityBinned, ReliabilityCorp, reliability_binned, reliability_corp
from .scores import (
    LogScore,
    LogScores,
    brier_score,
    brier_scores,
    categorical_brier_scores,
    log_score,
    log_scores,
    ranked_probability_scores,
)
from .summary import summarize
from .timeweighted import TimeWeightedScore, time_weighted_score

__all__ = [
    # scores
    "brier_scores",
    "brier_score",
    "categorical_brier_scores",
    "ranked_probability_scores",
    "log_scores",
    "log_score",
    "time_weighted_score",
    # decompositions and reliability
    "murphy_decomposition",
    "corp_decomposition",
    "reliability_binned",
    "reliability_corp",
    # calibration tests and skill
    "spiegelhalter_z",
    "calibration_slope",
    "brier_skill_score",
    "slope_verdict",
    # comparisons
    "bootstrap_ci",
    "relative_brier",
    "paired_difference",
    "group_interval",
    "holm",
    # everything at once
    "summarize",
    # groups of (question, analyst) pairs: what tracker score and the report show
    "group_summary",
    "table_summary",
    "adjust_verdicts",
    "categorical_summary",
    "index_groups",
    "mean_interval",
    "wilson_interval",
    "pair_deviations",
    "reference_deviations",
    "relative_score",
    "relative_scores",
    # result types
    "LogScores",
    "LogScore",
    "TimeWeightedScore",
    "MurphyDecomposition",
    "CorpDecomposition",
    "ReliabilityBin",
    "ReliabilityBinned",
    "ReliabilityCorp",
    "SpiegelhalterTest",
    "CalibrationSlope",
    "BrierSkill",
    "BootstrapInterval",
    "RelativeBrier",
    "RelativeScore",
    "PairedDifference",
    "GroupInterval",
]
