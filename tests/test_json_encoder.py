"""One JSON encoder (tracker.jsonable) for command output, the export and the report."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import numpy as np

from tracker.jsonable import dumps, jsonable


@dataclass
class Scored:
    brier: float

    def as_dict(self):
        return {"brier": self.brier}


def test_values_become_json_ready_data():
    plus_two = timezone(timedelta(hours=2))
    data = {
        "utc": datetime(2018, 7, 16, 12, 0, tzinfo=timezone.utc),
        "offset": datetime(2018, 7, 16, 14, 0, tzinfo=plus_two),
        "naive": datetime(2018, 7, 16, 12, 0, 0, 500),
        "day": date(2018, 7, 31),
        "pair": (1, "a"),
        "nan": math.nan,
        "inf": -math.inf,
        "numpy": np.float64(0.25),
        "count": np.int64(3),
        "result": Scored(0.125),
        1: [None, True, 2.5],
    }
    assert jsonable(data) == {
        "utc": "2018-07-16T12:00:00Z",
        "offset": "2018-07-16T12:00:00Z",
        "naive": "2018-07-16T12:00:00.000500Z",
        "day": "2018-07-31",
        "pair": [1, "a"],
        "nan": None,
        "inf": None,
        "numpy": 0.25,
        "count": 3,
        "result": {"brier": 0.125},
        "1": [None, True, 2.5],
    }
    assert json.loads(dumps(data))["nan"] is None
    assert dumps({"x": "é"}, indent=None) == '{"x": "é"}'


def test_an_unknown_type_is_refused():
    import pytest

    with pytest.raises(TypeError, match="cannot serialise object"):
        jsonable(object())


def test_command_output_export_and_report_share_the_encoder():
    from tracker.cli import common
    from tracker.report import render
    from tracker.services import transfer

    assert transfer._jsonable is jsonable and render._plain is jsonable
    assert common.to_json({"d": date(2018, 7, 31), "p": np.float64(0.5)}, indent=None) == '{"d": "2018-07-31", "p": 0.5}'


def test_scoring_results_use_it_too():
    from tracker.scoring._results import plain

    assert plain({"a": np.array([[0.5, np.nan]]), "b": np.bool_(True), "c": (np.int32(2),)}) == {
        "a": [[0.5, None]], "b": True, "c": [2]}
