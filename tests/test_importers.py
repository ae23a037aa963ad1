"""Importers of other tools' exports: Fatebook, Metaculus, PredictionBook and
the Good Judgment Project (``tracker import FILE --from SOURCE``).

Fixtures in tests/data/importers/ follow each tool's published export (see
the README there); the Good Judgment test reads the real year-1 sample
(Good Judgment Project data, Harvard Dataverse, via github.com/niplav/iqisa)
from the shared data folder."""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from pathlib import Path

import pytest

from support import CLI, dump_db

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "importers"
SHARED = ROOT.parent / "shared" / "data"
GJP_SAMPLE = SHARED / "gjp_yr1_mini_survey_forecasts.csv"
GJP_IFPS = SHARED / "gjp_ifps_questions.csv"
FATEBOOK = DATA / "fatebook_export.csv"
MQ, MF = DATA / "metaculus" / "question_data.csv", DATA / "metaculus" / "forecast_data.csv"
PB = DATA / "predictionbook.json"

needs_gjp = pytest.mark.skipif(not GJP_SAMPLE.exists(), reason="the shared GJP sample is not here")


def js(result):
    return json.loads(result.stdout)


def rows(url, sql):
    from sqlalchemy import text

    from tracker.storage import open_store

    s = open_store(url)
    try:
        with s.read() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        s.dispose()


def metaculus_zip(tmp_path) -> Path:
    path = tmp_path / "metaculus-export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("export/README.md", "Metaculus data export\n")
        zf.write(MQ, "export/question_data.csv")
        zf.write(MF, "export/forecast_data.csv")
    return path


def refused(cli, *args, match):
    before = dump_db(cli.db_url)
    cli.fails("import", *args, match=match)
    assert dump_db(cli.db_url) == before


# ------------------------------------------------------------ Good Judgment


def gjp_expected():
    """GJP's own 0-2 Brier per complete forecast of the sample, keyed by
    (question id, analyst, made_at) as imported."""
    by: dict[str, list] = {}
    with open(GJP_SAMPLE, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            by.setdefault(r["forecast_id"], []).append(r)
    out: dict[tuple, list] = {}
    for fid, rs in by.items():
        if len(rs) != int(rs[0]["n_opts"]) or not rs[0]["user_id"].strip():
            continue
        key = (f"gjp-{rs[0]['ifp_id']}", f"gjp-{rs[0]['user_id'].removesuffix('.0')}", rs[0]["timestamp"])
        out.setdefault(key, []).append(float(rs[0]["brier_0_2_forecast"]))
    return out


def imported_briers(url):
    """The 0-2 Brier of every imported forecast, computed by the tracker's
    scoring functions from what the database holds."""
    import numpy as np

    from tracker.scoring import brier_scores, categorical_brier_scores

    qs = {qid: (kind, json.loads(outs) if isinstance(outs, str) else outs, o)
          for qid, kind, outs, o in rows(url, "SELECT q.id, q.kind, q.outcomes, r.outcome FROM question q JOIN resolution r ON r.question_id = q.id")}
    out: dict[tuple, list] = {}
    for qid, who, p, vec, made in rows(url, "SELECT question_id, analyst, probability, probabilities, made_at FROM forecast"):
        kind, outs, outcome = qs[qid]
        if kind == "binary":
            b = float(brier_scores(np.array([p]), np.array([outcome == "yes"]), scale="0-2")[0])
        else:
            vec = json.loads(vec) if isinstance(vec, str) else vec
            b = float(categorical_brier_scores(np.array([[vec[o] for o in outs]]), np.array([outs.index(outcome)]))[0])
        made = str(made)[:19]
        out.setdefault((qid, who, made), []).append(b)
    return out


@needs_gjp
def test_gjp_sample_reproduces_gjps_own_brier_for_every_complete_forecast(cli):
    result = js(cli.ok("import", GJP_SAMPLE, "--from", "gjp", "--json"))
    assert result["rows"] == 9999
    assert result["forecasts_added"] == 4390
    assert result["questions_created"] == 18 and result["resolutions_added"] == 18
    # the 4,409 forecasts: 4,390 imported, 18 without a forecaster (40 rows), one cut off by the sample (1 row)
    assert result["not_imported"] == {
        "forecast without a user_id (no forecaster to give it to)": 40,
        "forecast whose option rows do not cover every option once": 1,
    }
    expected = gjp_expected()
    got = imported_briers(cli.db_url)
    assert sum(len(v) for v in expected.values()) == 4390
    assert set(got) == set(expected)
    for key, values in expected.items():
        assert sorted(got[key]) == pytest.approx(sorted(values), abs=1e-12), key
    # binary (Yes/No) questions are binary; the others categorical, in option order
    kinds = dict(rows(cli.db_url, "SELECT id, kind FROM question"))
    assert kinds["gjp-1004-0"] == "binary" and kinds["gjp-1002-0"] == "categorical"
    outs = rows(cli.db_url, "SELECT outcomes FROM question WHERE id = 'gjp-1002-0'")[0][0]
    assert (json.loads(outs) if isinstance(outs, str) else outs) == ["medvedev", "putin", "neither"]
    # M/D/YY dates: 1004-0 closed 9/30/11; the outcome known at the end of that day
    assert str(rows(cli.db_url, "SELECT deadline FROM question WHERE id = 'gjp-1004-0'")[0][0]) == "2011-09-30"
    assert str(rows(cli.db_url, "SELECT known_at FROM resolution WHERE question_id = 'gjp-1004-0'")[0][0])[:19] == "2011-10-01 00:00:00"
    # imported, at their original times
    assert rows(cli.db_url, "SELECT COUNT(*) FROM forecast WHERE imported = (1=1) AND source = 'gjp'")[0][0] == 4390
    # idempotent: a second import adds nothing
    before = dump_db(cli.db_url)
    again = js(cli.ok("import", GJP_SAMPLE, "--json"))  # detected from the header
    assert again["forecasts_added"] == 0 and again["forecasts_already_present"] == 4390 and again["questions_created"] == 0
    assert dump_db(cli.db_url) == before


@needs_gjp
def test_gjp_value_column_named_value_or_probability_and_question_file(tmp_path, sqlite_url):
    cli = CLI(sqlite_url)
    text = GJP_SAMPLE.read_text(encoding="utf-8")
    renamed = tmp_path / "survey_fcasts.yr1.csv"
    renamed.write_text(text.replace(",probability,", ",value,", 1), encoding="utf-8")
    a = js(cli.ok("import", renamed, "--from", "gjp", "--questions", GJP_IFPS, "--json"))
    assert a["forecasts_added"] == 4390
    # the question file's full text and scheduled close date are used
    text_1004, deadline = rows(sqlite_url, "SELECT text, deadline FROM question WHERE id = 'gjp-1004-0'")[0]
    assert text_1004.startswith("Will the United Nations General Assembly recognize a Palestinian state")
    assert str(deadline) == "2011-09-30"
    got = imported_briers(sqlite_url)
    for key, values in gjp_expected().items():
        assert sorted(got[key]) == pytest.approx(sorted(values), abs=1e-12)


ORIGINAL_HEADER = "ifp_id,ctt,cond,training,team,user_id,forecast_id,fcast_type,answer_option,value,fcast_date,expertise,q_status,viewtime,year,timestamp\n"


@needs_gjp
def test_gjp_original_layout_needs_the_question_file_and_keeps_ordered_questions(tmp_path, sqlite_url):
    cli = CLI(sqlite_url)
    # 1107-6 is an ordered question (q_type 6) with four options, outcome b, closed 12/25/12
    survey = tmp_path / "survey_fcasts.yr2.csv"
    survey.write_text(
        ORIGINAL_HEADER
        + "1107-6,2a,2,a,,77,9001,0,a,0.1,2012-08-01,,closed,,2,2012-08-01 10:00:00\n"
        + "1107-6,2a,2,a,,77,9001,0,b,0.6,2012-08-01,,closed,,2,2012-08-01 10:00:00\n"
        + "1107-6,2a,2,a,,77,9001,0,c,0.2,2012-08-01,,closed,,2,2012-08-01 10:00:00\n"
        + "1107-6,2a,2,a,,77,9001,0,d,0.1,2012-08-01,,closed,,2,2012-08-01 10:00:00\n",
        encoding="utf-8",
    )
    refused(cli, survey, "--from", "gjp", match="pass the question file (ifps.csv) with --questions")
    result = js(cli.ok("import", survey, "--from", "gjp", "--questions", GJP_IFPS, "--json"))
    assert result["forecasts_added"] == 1
    ordered, deadline = rows(sqlite_url, "SELECT ordered, deadline FROM question WHERE id = 'gjp-1107-6'")[0]
    assert ordered and str(deadline) == "2013-03-31"
    assert rows(sqlite_url, "SELECT outcome FROM resolution WHERE question_id = 'gjp-1107-6'")[0][0] == "between-1-oct-2012-and-31-dec-2012"
    # the ranked probability score of the ordered question: ((0.1-0)^2 + (0.7-1)^2 + (0.9-1)^2) = 0.11
    score = js(cli.ok("score", "--json"))
    pair = score["categorical"]
    assert pair["n"] == 1
    assert pair["rps"] == pytest.approx(0.11)
    assert pair["brier"] == pytest.approx(0.1**2 + 0.4**2 + 0.2**2 + 0.1**2)


# ----------------------------------------------------------------- Fatebook


def test_fatebook_export(cli):
    result = js(cli.ok("import", FATEBOOK, "--json"))  # detected from the header
    assert result["source"] == "fatebook" and result["rows"] == 15
    assert result["questions_created"] == 5 and result["forecasts_added"] == 9
    assert result["resolutions_added"] == 3 and result["annulled"] == 1
    assert result["not_imported"] == {"multiple-choice forecast that does not give every option once": 2}
    # the export's own Brier column, recomputed from the imported forecasts with Fatebook's rule
    check = result["checks"]["fatebook_brier"]
    assert check["questions_with_brier"] == 2 and check["brier_agrees"] == 2 and check["brier_disagrees"] == []
    # zone-less, unpadded seconds: '2025-01-15 03:50:4' is 03:50:04 UTC
    made = rows(cli.db_url, "SELECT made_at FROM forecast WHERE analyst = 'Alice' ORDER BY made_at LIMIT 1")[0][0]
    assert str(made)[:19] == "2025-01-15 03:50:04"
    # AMBIGUOUS is annulled
    (qid,) = [q for (q,) in rows(cli.db_url, "SELECT id FROM question WHERE text LIKE '%Vienna%'")]
    annulled, reason = rows(cli.db_url, f"SELECT annulled, reason FROM resolution WHERE question_id = '{qid}'")[0]
    assert annulled and "AMBIGUOUS" in reason
    # multiple-choice rows: one categorical question, one vector per forecast, the YES option wins
    (qid,) = [q for (q,) in rows(cli.db_url, "SELECT id FROM question WHERE text LIKE '%chess%'")]
    kind, outs = rows(cli.db_url, f"SELECT kind, outcomes FROM question WHERE id = '{qid}'")[0]
    assert kind == "categorical" and (json.loads(outs) if isinstance(outs, str) else outs) == ["carlsen", "nakamura", "other"]
    vecs = [json.loads(v) if isinstance(v, str) else v for (v,) in rows(cli.db_url, f"SELECT probabilities FROM forecast WHERE question_id = '{qid}' ORDER BY made_at")]
    assert vecs == [{"carlsen": 0.5, "nakamura": 0.3, "other": 0.2}, {"carlsen": 0.6, "nakamura": 0.3, "other": 0.1}]
    assert rows(cli.db_url, f"SELECT outcome FROM resolution WHERE question_id = '{qid}'")[0][0] == "carlsen"
    assert sorted(t for (t,) in rows(cli.db_url, "SELECT tag FROM question_tag")) == ["chess", "politics", "uk", "weather"]
    # imported and scoreable: the chess pair scores (0.4^2 + 0.3^2 + 0.1^2) = 0.26 on its final forecast
    score = js(cli.ok("score", "--json"))
    assert score["categorical"]["brier"] == pytest.approx(0.26)
    # idempotent
    before = dump_db(cli.db_url)
    again = js(cli.ok("import", FATEBOOK, "--from", "fatebook", "--json"))
    assert again["forecasts_added"] == 0 and again["forecasts_already_present"] == 9
    assert dump_db(cli.db_url) == before


def test_fatebook_brier_rule_by_hand():
    from tracker.importers.fatebook import fatebook_brier

    # two days; 0.8 the first, 0.4 the second, YES: (2*0.2^2 + 2*0.6^2) / 2 = 0.4
    assert fatebook_brier([("2025-01-15 03:50:04.000000", 0.8), ("2025-01-16 03:50:04.000000", 0.4)],
                          "2025-01-15 03:50:04.000000", "2025-01-17 03:50:04.000000", 1.0) == pytest.approx(0.4)
    # a forecast half-way through the first day: that day is 0.5*0.5 + 0.5*0.9 = 0.7 on average
    # (score 2*0.3^2 = 0.18), the second 0.9 (0.02): mean 0.10
    assert fatebook_brier([("2025-01-01 00:00:00.000000", 0.5), ("2025-01-01 12:00:00.000000", 0.9)],
                          "2025-01-01 00:00:00.000000", "2025-01-03 00:00:00.000000", 1.0) == pytest.approx(0.10)
    # a question of a day and a half: the last half-day weighs half
    assert fatebook_brier([("2025-01-01 00:00:00.000000", 0.5), ("2025-01-02 00:00:00.000000", 1.0)],
                          "2025-01-01 00:00:00.000000", "2025-01-02 12:00:00.000000", 1.0) == pytest.approx((0.5 + 0.0 * 0.5) / 1.5)


def test_fatebook_brier_disagreement_reported_and_zone(tmp_path, sqlite_url):
    cli = CLI(sqlite_url)
    path = tmp_path / "fatebook.csv"
    path.write_text(FATEBOOK.read_text(encoding="utf-8").replace(",YES,2025-01-17 03:50:4,0.4,", ",YES,2025-01-17 03:50:4,0.5,"), encoding="utf-8")
    result = js(cli.ok("import", path, "--zone", "America/New_York", "--json"))
    check = result["checks"]["fatebook_brier"]
    assert check["brier_agrees"] == 1
    (bad,) = check["brier_disagrees"]
    assert bad["export"] == [0.5] and bad["recomputed"]["Alice"] == pytest.approx(0.4) and bad["recomputed"]["Bob"] == pytest.approx(0.16)
    # times without a zone read in the zone given: 03:50:04 in New York is 08:50:04 UTC
    made = rows(sqlite_url, "SELECT made_at FROM forecast WHERE analyst = 'Alice' ORDER BY made_at LIMIT 1")[0][0]
    assert str(made)[:19] == "2025-01-15 08:50:04"


def test_fatebook_analyst_map_and_dry_run(tmp_path, sqlite_url):
    cli = CLI(sqlite_url)
    mapping = tmp_path / "names.csv"
    mapping.write_text("fatebook name,analyst\nAlice,alice.smith\nBob,bob.jones\n", encoding="utf-8")
    before = dump_db(sqlite_url)
    dry = js(cli.ok("import", FATEBOOK, "--from", "fatebook", "--analyst-map", mapping, "--dry-run", "--json"))
    assert dry["dry_run"] and dry["forecasts_added"] == 9
    assert dump_db(sqlite_url) == before
    real = js(cli.ok("import", FATEBOOK, "--from", "fatebook", "--analyst-map", mapping, "--json"))
    assert {k: real[k] for k in ("forecasts_added", "questions_created", "resolutions_added")} == \
        {k: dry[k] for k in ("forecasts_added", "questions_created", "resolutions_added")}
    assert sorted(a for (a,) in rows(sqlite_url, "SELECT DISTINCT analyst FROM forecast")) == ["alice.smith", "bob.jones"]


# ---------------------------------------------------------------- Metaculus


def test_metaculus_zip_without_and_with_aggregates(cli, tmp_path):
    z = metaculus_zip(tmp_path)
    result = js(cli.ok("import", z, "--json"))  # a zip: Metaculus's export
    assert result["source"] == "metaculus" and result["rows"] == 15
    assert result["questions_created"] == 5  # binary and multiple choice only
    assert result["forecasts_added"] == 8
    assert result["not_imported"] == {
        "aggregate forecast (pass --aggregates to import it)": 4,
        "numeric question (not representable)": 1,
        "date question (not representable)": 1,
        "multiple-choice forecast made before every option existed": 1,
    }
    assert result["resolutions_added"] == 2 and result["annulled"] == 2  # annulled and ambiguous
    ids = sorted(q for (q,) in rows(cli.db_url, "SELECT id FROM question"))
    assert ids == ["metaculus-101", "metaculus-102", "metaculus-103", "metaculus-104", "metaculus-107"]
    assert sorted(q for q, a in rows(cli.db_url, "SELECT question_id, annulled FROM resolution") if a) == ["metaculus-103", "metaculus-104"]
    assert rows(cli.db_url, "SELECT outcome FROM resolution WHERE question_id = 'metaculus-102'")[0][0] == "labour"
    made = rows(cli.db_url, "SELECT made_at FROM forecast WHERE question_id = 'metaculus-101' AND analyst = 'alice' ORDER BY made_at LIMIT 1")[0][0]
    assert str(made)[:26] == "2024-01-02 10:00:00.123456"
    # then the aggregates, asked for: one pseudo-analyst per method; the rest is already there
    again = js(cli.ok("import", z, "--from", "metaculus", "--aggregates", "--json"))
    assert again["forecasts_added"] == 4 and again["forecasts_already_present"] == 8
    agg = rows(cli.db_url, "SELECT probability FROM forecast WHERE analyst = 'metaculus-recency_weighted' AND question_id = 'metaculus-101' ORDER BY made_at")
    assert [p for (p,) in agg] == [0.35, 0.275, 0.45]


def test_metaculus_csvs_side_by_side(tmp_path, sqlite_url):
    cli = CLI(sqlite_url)
    # forecast_data.csv finds question_data.csv beside it; the question file alone finds forecast_data.csv
    a = js(cli.ok("import", MF, "--json"))
    assert a["forecasts_added"] == 8
    b = js(cli.ok("import", MQ, "--from", "metaculus", "--json"))
    assert b["forecasts_added"] == 0 and b["forecasts_already_present"] == 8
    lone = tmp_path / "forecast_data.csv"
    lone.write_bytes(MF.read_bytes())
    refused(cli, lone, "--from", "metaculus", match="need question_data.csv")
    cli.ok("import", lone, "--from", "metaculus", "--questions", MQ)


# ----------------------------------------------------------- PredictionBook


def test_predictionbook_json(cli):
    result = js(cli.ok("import", PB, "--json"))  # detected: an object with "predictions"
    assert result["source"] == "predictionbook" and result["rows"] == 9
    assert result["forecasts_added"] == 6 and result["questions_created"] == 3 and result["resolutions_added"] == 2
    assert result["not_imported"] == {"withdrawn prediction": 2, "response without a confidence": 1}
    fs = rows(cli.db_url, "SELECT analyst, probability, rationale, made_at FROM forecast WHERE question_id = 'predictionbook-90210' ORDER BY made_at")
    assert [(a, p, r) for a, p, r, _ in fs] == [("alice", 0.7, "The contractor says May."), ("bob", 0.4, None), ("alice", 0.85, "Opening date announced.")]
    assert str(fs[2][3])[:19] == "2019-05-20 16:30:00"  # +02:00 -> UTC
    assert rows(cli.db_url, "SELECT outcome FROM resolution WHERE question_id = 'predictionbook-90211'")[0][0] == "no"
    assert rows(cli.db_url, "SELECT COUNT(*) FROM resolution WHERE question_id = 'predictionbook-90213'")[0][0] == 0
    before = dump_db(cli.db_url)
    assert js(cli.ok("import", PB, "--from", "predictionbook", "--json"))["forecasts_added"] == 0
    assert dump_db(cli.db_url) == before


# ------------------------------------------------------ malformed, all or nothing


@pytest.mark.parametrize("source,path_of,old,new,match", [
    ("fatebook", lambda t: FATEBOOK, "Alice,0.4,2025-01-16", "Alice,1.4,2025-01-16", "line 3: Forecast (scale = 0-1) '1.4'"),
    ("fatebook", lambda t: FATEBOOK, "2025-02-06 09:05:7", "6 Feb 2025", "line 6: Forecast created at '6 Feb 2025' is not a time"),
    ("fatebook", lambda t: FATEBOOK, ",NO,2025-02-11 09:05:7,0.1,,,,false,,politics; uk\nWill the summit",
     ",MAYBE,2025-02-11 09:05:7,0.1,,,,false,,politics; uk\nWill the summit", "line 6: Resolution 'MAYBE'"),
    ("metaculus", lambda t: MF, '"[0.25, 0.5, 0.25]"', '"[0.25, 0.75]"', "line 10: Probability Yes Per Category has 2 values for 3 options"),
    ("metaculus", lambda t: MF, "107,1001,alice,False,2024-03-05", "999,1001,alice,False,2024-03-05", "line 16: Question ID '999'"),
    ("predictionbook", lambda t: PB, '"confidence": 40', '"confidence": 140', "predictions[0].responses[2]: confidence 140"),
    ("gjp", lambda t: GJP_SAMPLE, "2011-08-31 16:18:27,a,0.25,", "2011-08-31 16:18:27,a,0.25x,", "line 4: value '0.25x'"),
])
def test_malformed_files_name_the_row_and_write_nothing(tmp_path, sqlite_url, source, path_of, old, new, match):
    src = path_of(tmp_path)
    if not src.exists():
        pytest.skip("the shared GJP sample is not here")
    cli = CLI(sqlite_url)
    text = src.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / src.name
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    if source == "metaculus":
        (tmp_path / "question_data.csv").write_bytes(MQ.read_bytes())
    refused(cli, bad, "--from", source, match=match)


def test_all_or_nothing_on_a_conflict(tmp_path, db_url):
    from tracker.storage import open_store

    open_store(db_url, upgrade=True).dispose()
    cli = CLI(db_url)
    cli.ok("import", FATEBOOK)
    # the same file, plus a new question, but the rain question now says NO: nothing of it lands
    text = FATEBOOK.read_text(encoding="utf-8").replace(",YES,2025-01-17 03:50:4,", ",NO,2025-01-17 03:50:4,")
    text += "Will the ferry run on Sunday?,,Alice,0.9,2025-06-01 10:00:0,Alice,2025-06-01 10:00:0,2025-06-08 00:00:00,,,,,,,false,,\n"
    bad = tmp_path / "fatebook.csv"
    bad.write_text(text, encoding="utf-8")
    refused(cli, bad, "--from", "fatebook", match="is already resolved as yes, the file says no")
    assert rows(db_url, "SELECT COUNT(*) FROM question WHERE text LIKE '%ferry%'")[0][0] == 0


def test_a_later_export_adds_the_resolution(tmp_path, sqlite_url):
    """Imported while open, imported again once resolved: the resolution is added, nothing else."""
    cli = CLI(sqlite_url)
    open_text = FATEBOOK.read_text(encoding="utf-8").replace(",NO,2025-02-11 09:05:7,0.1,", ",,,,")
    first = tmp_path / "fatebook-then.csv"
    first.write_text(open_text, encoding="utf-8")
    a = js(cli.ok("import", first, "--json"))
    assert a["resolutions_added"] == 2
    b = js(cli.ok("import", FATEBOOK, "--json"))
    assert b["forecasts_added"] == 0 and b["resolutions_added"] == 1 and b["questions_created"] == 0


def test_options_need_a_source_and_help_has_examples(sqlite_url, tmp_path):
    cli = CLI(sqlite_url)
    csv_path = tmp_path / "forecasts.csv"
    csv_path.write_text("question,analyst,probability,deadline\nq1,alice,0.3,2030-01-01\n", encoding="utf-8")
    r = cli("import", csv_path, "--dry-run")
    assert r.exit_code == 2 and "--dry-run applies to another tool's export" in r.stderr
    help_text = cli("import", "--help", db=False).stdout
    for source in ("--from fatebook", "--from metaculus", "--from predictionbook", "--from gjp"):
        assert source in help_text


def test_unknown_zone_is_a_usage_error(sqlite_url):
    r = CLI(sqlite_url)("import", FATEBOOK, "--zone", "Mars/Olympus")
    assert r.exit_code == 2 and "unknown time zone" in r.stderr


def test_metaculus_zip_must_hold_both_files_and_be_a_zip(tmp_path, sqlite_url):
    cli = CLI(sqlite_url)
    half = tmp_path / "half.zip"
    with zipfile.ZipFile(half, "w") as zf:
        zf.write(MQ, "question_data.csv")
    refused(cli, half, "--from", "metaculus", match="no forecast_data.csv in the zip")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    refused(cli, broken, match="not a readable zip file")


def test_analyst_map_as_json_and_a_bad_map(tmp_path, sqlite_url):
    cli = CLI(sqlite_url)
    good = tmp_path / "names.json"
    good.write_text(json.dumps({"alice": "Alice Smith"}), encoding="utf-8")
    cli.ok("import", PB, "--analyst-map", good, "--from", "predictionbook")
    assert sorted(a for (a,) in rows(sqlite_url, "SELECT DISTINCT analyst FROM forecast")) == ["Alice Smith", "bob"]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,analyst\nbob,bob,extra\n", encoding="utf-8")
    refused(cli, MF, "--from", "metaculus", "--analyst-map", bad, match="line 2: expected two columns")


def test_the_trackers_own_files_are_not_taken_for_another_tools(tmp_path, sqlite_url):
    from tracker.importers import detect

    assert detect(b'{\n  "format": "forecast-tracker",\n  "version": 1') is None
    assert detect(b"question,analyst,probability\nq1,alice,0.3\n") is None
    assert detect(FATEBOOK.read_bytes()) == "fatebook"
    assert detect(MF.read_bytes()) == "metaculus" and detect(MQ.read_bytes()) == "metaculus"
    assert detect(PB.read_bytes()) == "predictionbook"
