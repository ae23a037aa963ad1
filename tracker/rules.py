"""The rules every question, forecast and resolution obeys, whichever road it
arrives by: the command line, a forecast CSV, a JSON restore, a scenario or a
resolution file. Standard library only.

Each check raises :class:`ValidationError` with the message every road shows;
a file road puts where it read the value in front ("f.csv: line 3: ...",
"forecasts[2]: ...").

Times are timezone-aware UTC. A deadline is a date and passes at the end of
that day (UTC). ``CLOCK_SKEW`` is how far a time may lie ahead of the clock
that records it.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Iterable, Mapping, Optional

from .errors import ValidationError

UTC = timezone.utc
CLOCK_SKEW = timedelta(minutes=5)
BINARY_OUTCOMES = ("yes", "no")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
PROB_TOL = 1e-6

# lengths, as the command line has always enforced them
QUESTION_TEXT_MAX = 2_000
TITLE_MAX = 2_000
FREE_TEXT_MAX = 10_000
TAG_MAX = 120
NAME_MAX = 120


def deadline_end(deadline: date, tz=None) -> datetime:
    """The moment a deadline passes: the end of that day (midnight) in the
    team's time zone ``tz`` (a ``tzinfo``; UTC when None), as UTC."""
    if tz is None:
        return datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=UTC)
    return datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _state(resolution: Mapping) -> str:
    return "annulled" if resolution["annulled"] else f"resolved ({resolution['outcome']})"


# ------------------------------------------------------------------ values
#
# These raise ValueError (pydantic's validators in tracker.models call them);
# the parse_* functions below raise ValidationError for the user's input.

def check_slug(value: str, what: str = "id") -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise ValueError(
            f"{what} {value!r} is not a valid id: use 1-120 lowercase letters, digits, '.', '_' or '-'"
        )
    return value


def check_probability(value: Any, what: str = "probability") -> float:
    if isinstance(value, bool):
        raise ValueError(f"{what} {value!r} is not a number")
    try:
        p = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {value!r} is not a number") from None
    if math.isnan(p) or not 0.0 <= p <= 1.0:
        # shown as text whether typed (CLI, CSV) or read as a number (YAML, JSON): one message by every road
        shown = value if isinstance(value, str) else str(value)
        raise ValueError(f"{what} {shown!r} is outside [0, 1]")
    return p


def check_text(value: Any, what: str, *, max_len: int = 10_000, allow_newlines: bool = True) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text")
    bad = [c for c in value if (ord(c) < 32 and c not in "\n\t\r" if allow_newlines else ord(c) < 32) or ord(c) == 127]
    if bad:
        raise ValueError(f"{what} contains a control character {bad[0]!r}")
    if len(value) > max_len:
        raise ValueError(f"{what} is longer than {max_len} characters")
    return value


def check_outcomes(values: list) -> list[str]:
    """A categorical question's outcomes: at least two distinct ids, none of them 'annulled'."""
    v = [check_slug(o.strip() if isinstance(o, str) else o, "outcome") for o in values]
    if len(v) < 2:
        raise ValueError("a categorical question needs at least two outcomes")
    if len(set(v)) != len(v):
        dup = next(o for o in v if v.count(o) > 1)
        raise ValueError(f"outcome {dup!r} is listed twice")
    if "annulled" in v:
        raise ValueError("'annulled' is reserved and cannot be an outcome")
    return v


def normalize_vector(outcomes: list[str], vector: dict[str, Any], what: str = "forecast") -> dict[str, float]:
    """Check a categorical probability vector against a question's outcomes.

    Every outcome must be named once; probabilities in [0, 1] summing to 1
    (within 1e-6). Returns the vector in the question's outcome order.
    """
    unknown = [k for k in vector if k not in outcomes]
    if unknown:
        raise ValueError(f"{what} names unknown outcome {unknown[0]!r} (outcomes: {', '.join(outcomes)})")
    missing = [o for o in outcomes if o not in vector]
    if missing:
        raise ValueError(f"{what} gives no probability for outcome {missing[0]!r}")
    out = {o: check_probability(vector[o], f"probability of {o!r}") for o in outcomes}
    total = math.fsum(out.values())
    if abs(total - 1.0) > PROB_TOL:
        raise ValueError(f"{what} probabilities sum to {total:.6g}, not 1")
    return out


def parse_probability(text: Any, what: str = "probability") -> float:
    """``0.35``, ``.35``, ``35%`` -> 0.35; anything outside [0, 1] is refused."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value: Any = text
    else:
        s = str(text).strip()
        if s.endswith("%"):
            try:
                value = float(s[:-1].strip()) / 100.0
            except ValueError:
                raise ValidationError(f"{what} {s!r} is not a number") from None
            try:
                return check_probability(value, what)
            except ValueError:  # name the value as typed ('150%', not 1.5)
                raise ValidationError(f"{what} {s!r} is outside [0, 1]") from None
        else:
            value = s
    try:
        return check_probability(value, what)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def parse_vector(text: str, outcomes: list[str]) -> dict[str, float]:
    """``a=0.2,b=50%,c=0.3`` -> {"a": 0.2, "b": 0.5, "c": 0.3} (checked)."""
    vector: dict[str, float] = {}
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise ValidationError(f"{part!r} is not OUTCOME=PROBABILITY (e.g. {outcomes[0]}=0.4)")
        name, _, value = part.partition("=")
        name = name.strip()
        if name in vector:
            raise ValidationError(f"outcome {name!r} is given twice")
        vector[name] = parse_probability(value, f"probability of {name!r}")
    try:
        return normalize_vector(outcomes, vector)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


# ------------------------------------------------------------------ names


def check_analyst_name(name: Any, what: str = "analyst name") -> str:
    """1-120 characters on one line, no control characters; surrounding spaces dropped."""
    if not isinstance(name, str):
        raise ValidationError(f"{what} must be text")
    name = name.strip()
    if not name:
        raise ValidationError(f"{what} is empty")
    if len(name) > NAME_MAX:
        raise ValidationError(f"{what} {name[:20]!r}... is longer than {NAME_MAX} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValidationError(f"{what} {name!r} contains a control character")
    return name


def check_tag(tag: Any) -> str:
    """A tag: one line of at most 120 characters."""
    try:
        return check_text(tag, "tag", max_len=TAG_MAX, allow_newlines=False)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def check_free_text(value: Any, what: str, *, max_len: int = FREE_TEXT_MAX) -> Any:
    """A note, rationale, evidence line, question text or source field:
    stored verbatim, without control characters other than newline, tab and
    carriage return (NUL cannot be stored on PostgreSQL at all, and terminal
    escapes have no place in a record), at most ``max_len`` characters.
    None passes through."""
    if value is None:
        return None
    try:
        return check_text(value, what, max_len=max_len)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


# ------------------------------------------------------------- questions


def check_question_dates(qid: str, deadline: date, opened: datetime, now: datetime) -> None:
    """A question opens no later than now and its deadline is not before it opened."""
    opened = _aware(opened)
    if opened > now + CLOCK_SKEW:
        raise ValidationError(f"opening time {opened.isoformat()} of {qid!r} is in the future")
    if deadline < opened.date():
        raise ValidationError(
            f"deadline {deadline.isoformat()} of {qid!r} is before the question opened ({opened.date().isoformat()})"
        )


def check_question_links(
    qid: str,
    kind: str,
    *,
    condition: Optional[str],
    condition_outcome: Optional[str],
    implies: Optional[str],
    lookup: Callable[[str], Optional[Mapping]],
    corrects: Optional[str] = None,
) -> None:
    """A condition names another question and one of its outcomes; 'implies'
    links two binary questions; a correction names another existing question
    (the one whose frozen definition it corrects). ``lookup(id)`` gives a
    question (with ``kind`` and ``outcomes``) or None. Unknown questions raise
    :class:`NotFoundError`."""
    from .errors import NotFoundError

    if corrects is not None:
        if corrects == qid:
            raise ValidationError("a question cannot correct itself")
        if lookup(corrects) is None:
            raise NotFoundError(f"corrects names unknown question {corrects!r}")

    if (condition is None) != (condition_outcome is None):
        raise ValidationError("a condition needs both a question and an outcome")
    if condition is not None:
        if condition == qid:
            raise ValidationError("a question cannot be conditional on itself")
        cond = lookup(condition)
        if cond is None:
            raise NotFoundError(f"condition names unknown question {condition!r}")
        if condition_outcome not in cond["outcomes"]:
            raise ValidationError(
                f"condition outcome {condition_outcome!r} is not an outcome of {condition!r} "
                f"({', '.join(cond['outcomes'])})"
            )
    if implies is not None:
        if implies == qid:
            raise ValidationError("a question cannot imply itself")
        imp = lookup(implies)
        if imp is None:
            raise NotFoundError(f"implies names unknown question {implies!r}")
        if imp["kind"] != "binary" or kind != "binary":
            raise ValidationError("'implies' links two binary questions")


def find_cycle(links: Mapping[str, Iterable[str]]) -> Optional[list[str]]:
    """A path ``[a, b, ..., a]`` if the links (question -> the questions it
    refers to) go round in a cycle, else None."""
    state: dict[str, str] = {}
    for start in links:
        if state.get(start):
            continue
        stack = [(start, iter(links.get(start, ())))]
        path = [start]
        state[start] = "busy"
        while stack:
            node, refs = stack[-1]
            ref = next(refs, None)
            if ref is None:
                state[node] = "done"
                stack.pop()
                path.pop()
            elif state.get(ref) == "busy":
                return path[path.index(ref):] + [ref]
            elif ref not in state and ref in links:
                state[ref] = "busy"
                stack.append((ref, iter(links.get(ref, ()))))
                path.append(ref)
    return None


def cycle_message(cycle: list[str]) -> str:
    return f"questions {' -> '.join(cycle)} refer to each other in a cycle"


# -------------------------------------------------------------- forecasts


def check_forecast_open(qid: str, resolution: Optional[Mapping]) -> None:
    """No forecast on a question that is already resolved or annulled."""
    if resolution is not None:
        raise ValidationError(f"question {qid!r} is already {_state(resolution)}: no more forecasts")


def check_forecast_time(
    qid: str,
    made_at: datetime,
    *,
    deadline: date,
    now: datetime,
    opened_at: Optional[datetime] = None,
    known_at: Optional[datetime] = None,
    imported: bool = True,
    tz=None,
) -> None:
    """A forecast is made no later than now (the time it is recorded), before
    the deadline passes (the end of that day in the team's zone ``tz``, UTC
    when None) and, when the outcome is known, before it became known; a
    live forecast no earlier than the question opened. Historical forecasts
    (``imported``) may predate the question's record."""
    made_at = _aware(made_at)
    if made_at > now + CLOCK_SKEW:
        raise ValidationError(f"made_at {made_at.isoformat()} is in the future")
    end = deadline_end(deadline, tz)
    if made_at >= end:
        if tz is None or str(tz) in ("UTC", "Etc/UTC"):
            raise ValidationError(
                f"made_at {made_at.date().isoformat()} is after the deadline of {qid!r} ({deadline.isoformat()})"
            )
        local = end.astimezone(tz)
        raise ValidationError(
            f"made_at {made_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC is after the deadline of {qid!r} "
            f"({deadline.isoformat()}): that day ended at {local:%Y-%m-%d %H:%M} {local.tzname()} "
            f"(midnight in the team's zone, {getattr(tz, 'key', None) or local.tzname()}; see 'tracker team show')"
        )
    if known_at is not None and made_at > _aware(known_at):
        raise ValidationError(f"made_at {made_at.isoformat()} is after the outcome of {qid!r} became known")
    if not imported and opened_at is not None and made_at < _aware(opened_at) - CLOCK_SKEW:
        raise ValidationError(f"made_at {made_at.isoformat()} is before {qid!r} opened")


# ------------------------------------------------------------ resolutions


def check_known_at(
    qid: str, known_at: datetime, *, now: datetime, opened_at: datetime, annulled: bool, field: str = "known_at"
) -> None:
    """An outcome became known no later than now and, unless the question is
    annulled, not before the question opened. ``field`` names the time as
    the user wrote it ("--known-at", "known_at")."""
    known = _aware(known_at)
    if known > now + CLOCK_SKEW:
        raise ValidationError(f"{field} {known.isoformat()} for {qid!r} is in the future")
    opened = _aware(opened_at)
    if known.date() < opened.date() and not annulled:
        raise ValidationError(
            f"{field} {known.date().isoformat()} is before {qid!r} opened ({opened.date().isoformat()})"
        )


def check_annulment(qid: str, reason: Optional[str], field: str = "reason") -> None:
    if not reason:
        raise ValidationError(f"annulling {qid!r} needs a {field}")


def check_correction(qid: str, reason: Optional[str], field: str = "reason") -> None:
    if not reason:
        raise ValidationError(f"a correction of {qid!r} needs a {field}")


def check_supersedes(qid: str, supersedes: Optional[Any], previous: Optional[Mapping]) -> None:
    """A resolution supersedes exactly the question's current resolution (the
    first one supersedes nothing): never itself, never another question's."""
    expected = previous["id"] if previous is not None else None
    if supersedes != expected:
        if expected is None:
            raise ValidationError(f"question {qid!r} has no resolution to supersede")
        raise ValidationError(
            f"a correction of {qid!r} must supersede its current resolution ({expected}), not {supersedes!r}"
        )


# ------------------------------------------------------------------ JSON


def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    """``object_pairs_hook`` for :func:`json.loads`: a key given twice in one
    object is refused (JSON parsers disagree on which one wins); a
    ValueError, as json's own syntax errors are."""
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def loads_json(text: str) -> Any:
    """JSON text to a value, refusing duplicate keys."""
    return json.loads(text, object_pairs_hook=no_duplicate_keys)
