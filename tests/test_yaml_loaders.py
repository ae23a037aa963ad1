"""The YAML reader: libyaml's parser (fast) and PyYAML's pure-Python one read
every tracker file to the same values and refuse the same files with the
same limits; a syntax error is worded as the Python parser words it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from tracker.errors import FileFormatError
from tracker.files import yamlio

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML was built without libyaml")


def both(text: str):
    """(fast, pure) results: the value, or the refusal's message."""
    out = []
    for loader in (yamlio._Loader, yamlio._PyLoader):
        try:
            out.append(yaml.load(text, Loader=loader))  # noqa: S506 - both are safe loaders
        except yaml.YAMLError as exc:
            out.append(f"refused: {getattr(exc, 'problem', exc)}")
    return out


def test_the_fast_loader_is_used_where_pyyaml_has_libyaml():
    assert yamlio._Loader is not yamlio._PyLoader
    assert "CParser" in {c.__name__ for c in yamlio._Loader.__mro__}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_the_shipped_scenarios_read_the_same(path):
    fast, pure = both(path.read_text(encoding="utf-8"))
    assert fast == pure
    assert isinstance(fast, dict) and fast.get("questions")


@pytest.mark.parametrize("text, value", [
    ("a: yes\nb: on\nc: true\nd: False\n", {"a": "yes", "b": "on", "c": True, "d": False}),
    ("d: 2018-07-16\nt: 2018-07-16T10:00:00Z\n",
     {"d": dt.date(2018, 7, 16), "t": dt.datetime(2018, 7, 16, 10, tzinfo=dt.timezone.utc)}),
    ("bad: 2019-02-29\nworse: 2018-13-45\n", {"bad": "2019-02-29", "worse": "2018-13-45"}),
    ("p: 0.35\nn: 12\nx: null\ns: '0.35'\n", {"p": 0.35, "n": 12, "x": None, "s": "0.35"}),
    ("q: [1, 2, {k: v}]\nm: |\n  two\n  lines\n", {"q": [1, 2, {"k": "v"}], "m": "two\nlines\n"}),
])
def test_values_are_the_same(text, value):
    assert both(text) == [value, value]


@pytest.mark.parametrize("text, refusal", [
    ("a: &x 1\nb: *x\n", "aliases (*name) are not allowed"),
    ("a: 1\na: 2\n", "the key 'a' appears twice"),
    ("[" * 40 + "]" * 40, "nesting deeper than 32"),
    ("- " + "\n- ".join(["[1, 2, 3, 4]"] * 25_000), "more than 100,000 values"),
])
def test_limits_are_the_same(text, refusal):
    fast, pure = both(text)
    assert fast == pure
    assert refusal in fast


def test_a_syntax_error_names_the_line_as_the_python_parser_does():
    with pytest.raises(FileFormatError, match=r"^v.yaml: line 2: expected ',' or ']', but got '<stream end>'$"):
        yamlio.load_yaml("a: [1, 2\n", "v.yaml")
