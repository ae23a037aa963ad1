"""The report as data: plain dataclasses, built by :mod:`tracker.report.build`
(from arrays) and :mod:`tracker.services.report` (from the database), and
rendered by :mod:`tracker.report.render` as HTML, Markdown or JSON.

Every number carries its scale in a field or in the field's name: Brier
values are on ``Meta.brier_scale`` ("0-1": (p - y)^2, or "0-2"), probabilities
and frequencies on 0-1, decomposition terms on the 0-1 Brier scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Optional

#: Fewest scored binary forecasts for which the report draws a calibration curve.
MIN_FOR_CURVE = 10
#: A forecast is a "confident miss" when it gave at most this probability to what happened.
SURPRISE_THRESHOLD = 0.3
#: How many surprises the report lists.
MAX_SURPRISES = 10


@dataclass(slots=True)
class Meta:
    """What the report covers and how it was made."""

    title: str
    generated_at: datetime
    as_of: date  # overdue is judged as of this day
    version: str
    quarter: Optional[str] = None  # e.g. "2018Q3"
    period_start: Optional[date] = None
    period_end: Optional[date] = None
    scenario: Optional[str] = None
    analyst: Optional[str] = None
    tag: Optional[str] = None
    mode: str = "final"  # which forecast of each (question, analyst) pair is scored
    brier_scale: str = "0-1"
    # which forecasts are scored: "live" (logged when made), "history" (imported, times claimed) or "all"
    forecasts: str = "all"
    # how the 95% intervals of the per-analyst table and of the trend were computed: by the
    # function ``tracker score`` uses for the same group (resampling questions)
    group_intervals: str = ("studentized (bootstrap-t) interval, resampling questions (one score per question; "
                            "2000 resamples, seed 42)")
    trend_intervals: str = "studentized (bootstrap-t) interval, resampling questions with all their analysts' scores"


@dataclass(slots=True)
class Summary:
    """The headline numbers and the calibration verdict in a plain sentence."""

    n_questions: int = 0  # questions in scope
    n_resolved: int = 0  # resolved with an outcome
    n_annulled: int = 0
    n_overdue: int = 0  # deadline passed, no resolution
    n_not_yet_due: int = 0
    n_pairs: int = 0  # scored binary (question, analyst) pairs
    n_binary_questions: int = 0
    n_analysts: int = 0
    brier: Optional[float] = None  # mean Brier on Meta.brier_scale
    brier_ci: Optional[list[float]] = None  # 95% bootstrap interval
    base_rate: Optional[float] = None
    reference_brier: Optional[float] = None  # the base-rate forecast's Brier, same scale
    skill: Optional[float] = None  # 1 - Brier / reference (scale-free)
    mean_forecast: Optional[float] = None
    log_score: Optional[float] = None
    calibration_slope: Optional[float] = None
    calibration_slope_ci: Optional[list[float]] = None
    calibration_intercept: Optional[float] = None
    spiegelhalter_z: Optional[float] = None
    spiegelhalter_p: Optional[float] = None
    verdict: str = "no data"  # overconfident / underconfident / calibrated / no evidence either way / too little data / no data
    verdict_sentence: str = "No resolved questions yet."
    brier_sentence: str = ""
    n_categorical_pairs: int = 0
    categorical_brier: Optional[float] = None  # 0-2 scale, summed over outcomes
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class BinRow:
    """One bin of the binned reliability diagram (None statistics when empty)."""

    lower: float
    upper: float
    count: int
    mean_forecast: Optional[float]
    observed_frequency: Optional[float]
    wilson_low: Optional[float]
    wilson_high: Optional[float]


@dataclass(slots=True)
class CalibrationData:
    """Everything the calibration figure draws: binned points, the CORP curve and band, the histogram."""

    label: str
    n: int
    enough: bool  # n >= MIN_FOR_CURVE
    message: Optional[str]  # why there is no curve, in a plain sentence
    brier: Optional[float] = None
    brier_scale: str = "0-1"
    level: float = 0.95  # Wilson intervals of the bins
    bins: list[BinRow] = field(default_factory=list)
    corp_x: list[float] = field(default_factory=list)
    corp_fitted: list[float] = field(default_factory=list)
    corp_lower: list[float] = field(default_factory=list)
    corp_upper: list[float] = field(default_factory=list)
    corp_level: float = 0.9
    corp_resamples: int = 0
    corp_rounded_to: Optional[int] = None  # decimals, when many distinct forecasts were rounded for the curve
    hist_edges: list[float] = field(default_factory=list)
    hist_counts: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Term:
    """One term of a decomposition with its sign in the sum and one line on what it means."""

    symbol: str
    name: str
    value: Optional[float]
    sign: str  # "+" or "-"
    meaning: str


@dataclass(slots=True)
class Decomposition:
    """Murphy (binned, with the two within-bin terms) and CORP (isotonic); all terms on the 0-1 scale."""

    n: int = 0
    brier: Optional[float] = None  # 0-1 scale, whatever Meta.brier_scale says
    bins: int = 10
    murphy: list[Term] = field(default_factory=list)
    corp: list[Term] = field(default_factory=list)
    murphy_formula: str = "BS = REL - RES + UNC + WBV - WBC"
    corp_formula: str = "BS = MCB - DSC + UNC"


@dataclass(slots=True)
class AnalystRow:
    name: str
    n: int  # scored binary questions
    brier: Optional[float]
    brier_ci: Optional[list[float]]
    relative_brier: Optional[float]  # mean difference from the other analysts' mean score on the same questions
    relative_ci: Optional[list[float]]
    skill: Optional[float]
    slope: Optional[float]
    slope_ci: Optional[list[float]]
    verdict: str
    n_categorical: int = 0
    categorical_brier: Optional[float] = None


@dataclass(slots=True)
class PhraseRow:
    """What one estimative phrase meant in this team: realized frequency against its band."""

    phrase: str
    scale: Optional[str]
    band_name: Optional[str]
    band_low: Optional[float]
    band_high: Optional[float]
    band_source: Optional[str]  # where the band came from, in words
    assessed: Optional[bool]  # False: "may"/"could", an unassessed possibility
    n_questions: int
    n_yes: int
    frequency: float
    ci_low: float
    ci_high: float
    mean_forecast: Optional[float]  # of the scored forecasts on these questions
    verdict: str
    sentence: str


@dataclass(slots=True)
class Surprise:
    """A confident forecast that missed."""

    question_id: str
    text: str
    analyst: str
    outcome: str
    probability_of_outcome: float  # what the forecast gave to what happened
    forecast: str  # the forecast as shown, e.g. "90% yes" or "10% helsinki (most on vienna 45%)"
    brier: float  # 0-1 binary, 0-2 categorical
    brier_scale: str


@dataclass(slots=True)
class FinalForecast:
    analyst: str
    probability: Optional[float]  # binary: of yes
    probabilities: Optional[dict[str, float]]  # categorical
    display: str


@dataclass(slots=True)
class ResolvedQuestion:
    id: str
    text: str
    kind: str
    deadline: date
    status: str  # "resolved" or "annulled"
    outcome: Optional[str]
    known_at: Optional[date]
    reason: Optional[str]
    note: Optional[str]
    evidence: list[str] = field(default_factory=list)
    finals: list[FinalForecast] = field(default_factory=list)
    criteria: Optional[str] = None
    clarifications: list[str] = field(default_factory=list)  # "YYYY-MM-DD by NAME: TEXT"


@dataclass(slots=True)
class PendingQuestion:
    id: str
    text: str
    deadline: date
    status: str  # "awaiting_resolution" (overdue) or "not_yet_due"
    days_overdue: Optional[int]
    n_analysts: int
    criteria: Optional[str] = None
    clarifications: list[str] = field(default_factory=list)  # "YYYY-MM-DD by NAME: TEXT"


@dataclass(slots=True)
class TrendRow:
    quarter: str
    group: str  # "team" or an analyst's name
    n: int
    brier: Optional[float]
    brier_ci: Optional[list[float]]
    brier_ci_method: Optional[str] = None  # a key of tracker.scoring.intervals.METHODS; None: no interval


@dataclass(slots=True)
class Report:
    meta: Meta
    summary: Summary
    calibration: CalibrationData
    decomposition: Decomposition
    analysts: list[AnalystRow] = field(default_factory=list)
    phrases: list[PhraseRow] = field(default_factory=list)
    surprises: list[Surprise] = field(default_factory=list)
    resolved: list[ResolvedQuestion] = field(default_factory=list)
    pending: list[PendingQuestion] = field(default_factory=list)
    trend: list[TrendRow] = field(default_factory=list)
    team: Optional[object] = None  # tracker.report.team.TeamSection: the team's combined forecast

    @property
    def trend_quarters(self) -> list[str]:
        return sorted({r.quarter for r in self.trend})

    @property
    def has_trend(self) -> bool:
        """True when there is more than one quarter to compare."""
        return len(self.trend_quarters) > 1

    @property
    def awaiting(self) -> list[PendingQuestion]:
        return [q for q in self.pending if q.status == "awaiting_resolution"]

    @property
    def not_yet_due(self) -> list[PendingQuestion]:
        return [q for q in self.pending if q.status == "not_yet_due"]


@dataclass(slots=True)
class HistorySeries:
    """One analyst's forecasts on a question, in time order (``values``: binary p, or vectors)."""

    analyst: str
    times: list[datetime]
    values: list  # float (binary) or dict outcome -> probability (categorical)


@dataclass(slots=True)
class QuestionHistory:
    id: str
    text: str
    kind: str
    outcomes: list[str]
    deadline: date
    opened_at: datetime
    series: list[HistorySeries]
    status: str  # "resolved", "annulled" or "open"
    outcome: Optional[str] = None
    known_at: Optional[datetime] = None
    as_of: Optional[datetime] = None  # open questions: forecasts are carried forward to this moment
    deadline_ends_at: Optional[datetime] = None  # the end of the deadline day in the team's zone (None: UTC midnight)
