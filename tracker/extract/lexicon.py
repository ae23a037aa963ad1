"""Words of estimative probability: phrase -> band -> number, and back.

The lexicon is package data (``lexicon.json``, regenerated from the shared
WEP folder by ``python -m tracker.extract.build_lexicon``). Five scales can be
chosen:

``icd203`` (default)
    US Intelligence Community Directive 203 (2015): almost no chance 1-5%,
    very unlikely 5-20%, unlikely 20-45%, roughly even chance 45-55%,
    likely 55-80%, very likely 80-95%, almost certain 95-99%.
``phia``
    The UK PHIA probability yardstick: remote chance 0-5%, highly unlikely
    10-20%, unlikely 25-35%, realistic possibility 40-50%, likely 55-75%,
    highly likely 80-90%, almost certain 95-100% (its gaps are intentional).
``ipcc``
    The IPCC's calibrated language (AR5 and AR6 guidance), whose ranges are
    nested: virtually certain 99-100%, extremely likely 95-100%, very likely
    90-100%, likely 66-100%, more likely than not 50-100%, about as likely as
    not 33-66%, unlikely 0-33%, very unlikely 0-10%, extremely unlikely 0-5%,
    exceptionally unlikely 0-1%. A phrase that is one of its terms reads as
    that band; a number belongs to the narrowest band that holds it.
``kent``
    Sherman Kent's 1964 chart, each band ``center +- give or take``.
``survey``
    How readers actually read each phrase: the band is the interquartile
    range of the reader survey with the most respondents for that phrase and
    the point is its median.

Point probability: the band midpoint on the published scales (ICD 203
"likely" 55-80% gives 0.675); the survey median on ``survey``.

Tie rule (number -> band, used by :func:`phrase_for`): the ICD 203 bands share
their edges (0.55 closes "roughly even chance" and opens "likely"). A number on
a shared edge belongs to the band nearer to even odds, that is the less extreme
word: 0.55 and 0.45 are "roughly even chance", 0.80 is "likely", 0.20 is
"unlikely", 0.95 "very likely", 0.05 "very unlikely". The rule is symmetric
(p and 1 - p get mirror-image words) and never lets a word claim more
certainty than the number. A number in a gap between bands (PHIA, Kent) or
beyond the ends of a scale belongs to the nearest band, equal distances again
going to the band nearer to even odds.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Optional

SCALES = ("icd203", "phia", "ipcc", "kent", "survey")
DEFAULT_SCALE = "icd203"


@dataclass(frozen=True)
class Band:
    """One band of one scale."""

    scale: str
    key: str
    name: str
    low: float
    high: float
    point: float
    terms: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()

    @property
    def bounds(self) -> list[float]:
        return [self.low, self.high]

    def describe(self) -> str:
        """E.g. ``icd203 likely, 55-80%``."""
        return f"{self.scale} {self.name}, {_pct(self.low)}-{_pct(self.high)}%"


@dataclass(frozen=True)
class Phrase:
    """A recognised estimative phrase (see ``build_lexicon.PHRASES``)."""

    text: str
    pos: str
    kind: str
    level: Optional[str] = None
    span: Optional[tuple[str, str]] = None
    half: Optional[str] = None
    survey: Optional[str] = None
    negated: bool = False
    note: Optional[str] = None

    @property
    def assessed(self) -> bool:
        """False for words that mark a possibility whose likelihood was not assessed."""
        return self.kind != "unassessed"


@dataclass(frozen=True)
class SurveyRow:
    phrase: str
    dataset: str
    n: int
    median: float
    q1: float
    q3: float


@dataclass(frozen=True)
class Reading:
    """What a phrase means on a scale: the band and the number, and why."""

    probability: float
    band: Band
    scale: str
    source: str  # a short human description, e.g. "icd203 likely, 55-80%"


def _pct(x: float) -> str:
    v = round(x * 100, 1)
    return str(int(v)) if v == int(v) else str(v)


@dataclass(eq=False)
class Lexicon:
    """The loaded lexicon. Use :func:`load_lexicon` to get the shared instance."""

    levels: tuple[str, ...]
    mirror: dict[str, str]
    scales: dict[str, tuple[Band, ...]]
    survey_rows: dict[str, SurveyRow]
    survey_level_rows: dict[str, str]
    phrases: tuple[Phrase, ...]
    scale_titles: dict[str, str] = field(default_factory=dict)
    nested: frozenset = frozenset()  # scales whose ranges hold one another (IPCC)

    # ----- lookups -------------------------------------------------------
    def check_scale(self, scale: str) -> str:
        if scale not in self.scales:
            from ..errors import ValidationError

            raise ValidationError(f"unknown scale {scale!r}: use one of {', '.join(SCALES)}")
        return scale

    def phrases_by_pos(self, *pos: str) -> list[Phrase]:
        """Phrases of the given parts of speech, longest first (multi-word precedence)."""
        found = [p for p in self.phrases if p.pos in pos]
        return sorted(found, key=lambda p: (-len(p.text.split()), -len(p.text)))

    def phrase(self, text: str, pos: str | None = None) -> Optional[Phrase]:
        text = " ".join(text.lower().replace("\u2019", "'").split())
        for p in self.phrases:
            if p.text == text and (pos is None or p.pos == pos):
                return p
        return None

    def band_for_level(self, level: str, scale: str) -> Band:
        self.check_scale(scale)
        for band in self.scales[scale]:
            if level in band.levels:
                return band
        raise KeyError(f"no band for level {level!r} on scale {scale!r}")

    def survey_row(self, phrase: str) -> SurveyRow:
        return self.survey_rows[phrase]

    # ----- phrase -> number ---------------------------------------------
    def read(self, phrase: Phrase, scale: str = DEFAULT_SCALE, *, negated: bool = False) -> Optional[Reading]:
        """The band and number a phrase stands for on ``scale``.

        ``negated`` mirrors the level (``not likely`` reads as ``unlikely``);
        the event the number is about stays the positive one. Returns None for
        phrases with no band (``the most likely`` names a scenario).

        Unassessed possibilities (may, could, might, possibly) always read on
        the reader surveys, whatever the scale: the published scales have no
        band for them.
        """
        self.check_scale(scale)
        if phrase.kind == "scenario":
            return None
        if phrase.kind == "unassessed":
            row = self.survey_rows[phrase.survey or "possibly"]
            low, high, point = row.q1, row.q3, row.median
            if negated:
                low, high, point = 1 - high, 1 - low, 1 - point
            band = Band("survey", row.phrase.replace(" ", "_"), row.phrase, round(low, 4), round(high, 4),
                        round(point, 4), (row.phrase,), ())
            word = f"not '{row.phrase}'" if negated else f"'{row.phrase}'"
            return Reading(round(point, 4), band, "survey",
                           f"survey median for {word} {_pct(point)}%, IQR {_pct(low)}-{_pct(high)}%")
        if phrase.span:
            lo_level, hi_level = phrase.span
            if negated:
                lo_level, hi_level = self.mirror[hi_level], self.mirror[lo_level]
            lo_band = self.band_for_level(lo_level, scale)
            hi_band = self.band_for_level(hi_level, scale)
            if scale == "survey":
                low, high = lo_band.point, hi_band.point
            else:
                low, high = lo_band.low, hi_band.high
            name = f"{lo_band.name} to {hi_band.name}"
            band = Band(scale, f"{lo_band.key}-{hi_band.key}", name, low, high, round((low + high) / 2, 4))
            return Reading(band.point, band, scale, band.describe())
        level = self.mirror[phrase.level] if negated else phrase.level
        band = None
        if not negated:
            # The scale's own words first: Kent's "we believe" is his "probable".
            for b in self.scales[scale]:
                if phrase.text in b.terms and (b.levels or scale in self.nested):
                    band = b
                    break
        if band is None:
            band = self.band_for_level(level, scale)
        if scale == "survey":
            row_name = phrase.survey if (phrase.survey and not negated) else self.survey_level_rows[level]
            row = self.survey_rows[row_name]
            band = Band("survey", level, row.phrase, row.q1, row.q3, row.median, (row.phrase,), (level,))
        if phrase.half:
            half = phrase.half if not negated else ("lower" if phrase.half == "upper" else "upper")
            if half == "upper":
                low, high = max(band.low, 0.5), max(band.high, 0.5)
            else:
                low, high = min(band.low, 0.5), min(band.high, 0.5)
            point = band.point if scale == "survey" else round((low + high) / 2, 4)
            band = Band(scale, f"{band.key}_{half}", f"{band.name} ({half} half)", low, high, point, band.terms, band.levels)
        if scale == "survey":
            source = f"survey median for '{band.name}' {_pct(band.point)}%, IQR {_pct(band.low)}-{_pct(band.high)}%"
        else:
            source = band.describe()
        return Reading(band.point, band, scale, source)

    # ----- number -> phrase ---------------------------------------------
    def band_for(self, probability: float, scale: str = DEFAULT_SCALE) -> Band:
        """The band a number belongs to on ``scale`` (see the module's tie rule)."""
        self.check_scale(scale)
        p = _check_probability(probability)
        bands = [b for b in self.scales[scale] if b.levels or scale == "kent" or scale in self.nested]

        def evenness(b: Band) -> float:
            return abs((b.low + b.high) / 2 - 0.5)

        if scale == "survey":
            # Overlapping reader ranges: the band whose median is nearest.
            return min(bands, key=lambda b: (abs(b.point - p), evenness(b)))
        inside = [b for b in bands if b.low - 1e-12 <= p <= b.high + 1e-12]
        if inside and scale in self.nested:
            return min(inside, key=lambda b: (b.high - b.low, evenness(b)))  # the narrowest range that holds p
        if inside:
            return min(inside, key=evenness)

        def distance(b: Band) -> float:
            return b.low - p if p < b.low else p - b.high

        return min(bands, key=lambda b: (round(distance(b), 12), evenness(b)))

    def phrase_for(self, probability: float, scale: str = DEFAULT_SCALE) -> str:
        """The scale's word for a number: ``phrase_for(0.7) == 'likely'``."""
        return self.band_for(probability, scale).name


def _check_probability(p: Any) -> float:
    if isinstance(p, bool):
        raise ValueError(f"probability {p!r} is not a number")
    try:
        value = float(p)
    except (TypeError, ValueError):
        raise ValueError(f"probability {p!r} is not a number") from None
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"probability {p!r} is not between 0 and 1")
    return value


def _from_json(data: dict) -> Lexicon:
    scales = {}
    titles = {}
    nested = frozenset(name for name, spec in data["scales"].items() if spec.get("nested"))
    for name, spec in data["scales"].items():
        titles[name] = spec["title"]
        scales[name] = tuple(
            Band(name, b["key"], b["name"], b["low"], b["high"], b["point"], tuple(b["terms"]), tuple(b["levels"]))
            for b in spec["bands"]
        )
    survey = {
        k: SurveyRow(v["phrase"], v["dataset"], v["n"], v["median"], v["q1"], v["q3"]) for k, v in data["survey"].items()
    }
    phrases = tuple(
        Phrase(
            text=p["text"],
            pos=p["pos"],
            kind=p["kind"],
            level=p.get("level"),
            span=tuple(p["span"]) if p.get("span") else None,
            half=p.get("half"),
            survey=p.get("survey"),
            negated=bool(p.get("negated", False)),
            note=p.get("note"),
        )
        for p in data["phrases"]
    )
    return Lexicon(
        levels=tuple(data["levels"]),
        mirror=dict(data["mirror"]),
        scales=scales,
        survey_rows=survey,
        survey_level_rows=dict(data["survey_level_rows"]),
        phrases=phrases,
        scale_titles=titles,
        nested=nested,
    )


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon shipped with the package (loaded once)."""
    text = resources.files(__package__).joinpath("lexicon.json").read_text(encoding="utf-8")
    return _from_json(json.loads(text))


def phrase_for(probability: float, scale: str = DEFAULT_SCALE) -> str:
    """The estimative word for a number on a scale (reverse mapping).

    >>> phrase_for(0.7)
    'likely'
    >>> phrase_for(0.55)          # shared edge: the band nearer to even odds
    'roughly even chance'
    >>> phrase_for(0.15, "phia")
    'highly unlikely'
    """
    return load_lexicon().phrase_for(probability, scale)


def band_for(probability: float, scale: str = DEFAULT_SCALE) -> Band:
    """The band a number belongs to on a scale (same tie rule as :func:`phrase_for`)."""
    return load_lexicon().band_for(probability, scale)


def reading_of(phrase: str, scale: Optional[str] = None) -> Optional[tuple[Phrase, Reading]]:
    """The lexicon's phrase and its reading on ``scale`` (the default scale when ``scale`` is None or not one
    of :data:`SCALES`); None when the lexicon does not know the phrase or the scale gives it no band."""
    lex = load_lexicon()
    ph = lex.phrase(str(phrase))
    if ph is None:
        return None
    try:
        reading = lex.read(ph, scale if scale in SCALES else DEFAULT_SCALE)
    except KeyError:  # a level the scale has no band for
        return None
    return None if reading is None else (ph, reading)


def band_name(probability: float, scale: Optional[str]) -> Optional[str]:
    """The name of the band ``probability`` falls in on ``scale`` (None when ``scale`` is not a lexicon scale)."""
    return band_for(probability, scale).name if scale in SCALES else None


def phrase_band(phrase: str, extra: Optional[dict]) -> dict:
    """Where the band of a question's phrase comes from: the question's own ``extra.band`` (set when it was
    extracted from an assessment), else this lexicon's reading of the phrase on ``extra.scale`` (ICD 203
    by default; unassessed words such as "may" read on the reader surveys). A dict with ``band``
    (``(low, high)`` or None), ``scale``, ``band_name``, ``band_source`` (in words) and ``assessed``."""
    extra = extra or {}
    scale = extra.get("scale")
    band = extra.get("band")
    if isinstance(band, (list, tuple)) and len(band) == 2:
        try:
            lo, hi = float(band[0]), float(band[1])
        except (TypeError, ValueError):
            lo = hi = None
        if lo is not None and 0 <= lo <= hi <= 1:
            return {"band": (lo, hi), "scale": scale, "band_name": band_name((lo + hi) / 2, scale),
                    "band_source": f"the question ({scale or 'no scale named'})", "assessed": extra.get("assessed")}
    found = reading_of(phrase, scale)
    if found is not None:
        ph, reading = found
        return {"band": (reading.band.low, reading.band.high), "scale": reading.scale,
                "band_name": reading.band.name, "band_source": f"lexicon: {reading.source}", "assessed": ph.assessed}
    return {"band": None, "scale": scale, "band_name": None, "band_source": None, "assessed": extra.get("assessed")}
