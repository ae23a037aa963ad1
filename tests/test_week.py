"""The analyst's week (issue 15): todo, search, unique-prefix ids, dates as
people write them, time zones, relative updates, resolution criteria and
clarifications, blind forecasting, reminders. Each friction the issue lists
is run here as a user would run it."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from support import CLI, dump_db

UTC = timezone.utc
NY = ZoneInfo("America/New_York")
# Friday 4 December 2026, 09:00 UTC: the clock of every test here
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def js(result):
    return json.loads(result.stdout)


class Clock:
    """The one clock the services and the date phrases read, set by a test."""

    def __init__(self, monkeypatch, now: datetime):
        self.now = now
        import tracker.services.dates as dates
        import tracker.services.log as log
        import tracker.services.week as week

        monkeypatch.setattr(log, "utcnow", lambda: self.now)
        monkeypatch.setattr(week, "utcnow", lambda: self.now)
        monkeypatch.setattr(dates, "now_utc", lambda: self.now)

    def set(self, now: datetime) -> None:
        self.now = now


@pytest.fixture(autouse=True)
def utc_analyst(monkeypatch):
    monkeypatch.setenv("TRACKER_TIMEZONE", "UTC")
    monkeypatch.setenv("TRACKER_ANALYST", "alice")


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, NOW)


def as_(cli, who, *args):
    import os

    old = os.environ.get("TRACKER_ANALYST")
    os.environ["TRACKER_ANALYST"] = who
    try:
        return cli.ok(*args)
    finally:
        os.environ["TRACKER_ANALYST"] = old


# ------------------------------------------------------------------- dates


@pytest.mark.parametrize("typed, today, expected", [
    ("next Friday", date(2026, 12, 4), date(2026, 12, 11)),
    ("end of Q3", date(2026, 12, 4), date(2027, 9, 30)),  # Q3 of this year has passed
    ("end of Q3", date(2026, 6, 1), date(2026, 9, 30)),
    ("Q1 2027", date(2026, 12, 4), date(2027, 3, 31)),
    ("in 3 months", date(2026, 12, 4), date(2027, 3, 4)),
    ("31 July", date(2026, 12, 4), date(2027, 7, 31)),
    ("31 july", date(2026, 5, 1), date(2026, 7, 31)),
    ("end of the year", date(2026, 12, 4), date(2026, 12, 31)),
    ("next quarter", date(2026, 12, 4), date(2027, 3, 31)),
    ("2026-09-30", date(2026, 12, 4), date(2026, 9, 30)),
])
def test_dates_as_people_write_them(typed, today, expected):
    from tracker.services.dates import resolve_date

    assert resolve_date(typed, "--deadline", today=today)[0] == expected


@pytest.mark.parametrize("typed", ["may", "soon", "last week", "31/07/2018", ""])
def test_unreadable_dates_are_refused(typed):
    from tracker.errors import ValidationError
    from tracker.services.dates import resolve_date

    with pytest.raises(ValidationError):
        resolve_date(typed, "--deadline", today=date(2026, 12, 4))


def test_deadline_phrase_is_resolved_and_echoed(cli, clock):
    r = cli.ok("question", "add", "The ECB cuts its deposit rate", "--deadline", "end of Q3", "--id", "ecb-cut")
    assert "deadline 2027-09-30 (end of Q3)" in r.stderr
    assert r.stdout.strip() == "added ecb-cut (binary: yes, no; deadline 2027-09-30)"
    r = cli.ok("question", "add", "They meet", "--deadline", "next Friday", "--id", "meet", "--json")
    assert js(r)["deadline"] == "2026-12-11" and "deadline 2026-12-11 (next Friday)" in r.stderr
    r = cli("question", "add", "Never", "--deadline", "someday", "--id", "never")
    assert r.exit_code == 2 and "'someday' is not an ISO date" in r.stderr
    assert [q["id"] for q in js(cli.ok("list", "--json"))] == ["meet", "ecb-cut"]


def test_opened_phrase_and_local_zone(cli, clock, monkeypatch):
    monkeypatch.setenv("TRACKER_TIMEZONE", "America/New_York")
    r = cli.ok("question", "add", "Q", "--deadline", "2027-01-31", "--id", "q", "--opened", "2026-12-01T18:00", "--json")
    assert js(r)["opened_at"] == "2026-12-01T23:00:00Z"  # 18:00 in New York, winter time
    r = cli.ok("resolve", "q", "no", "--known-at", "2026-12-03", "--json")
    assert js(r)["known_at"] == "2026-12-03T05:00:00Z"  # the start of that day in New York


def test_new_york_analyst_on_the_deadline_day(cli, clock, monkeypatch):
    """20:30 in New York on the deadline day is 00:30 UTC the next day: with
    the team's deadlines ending at midnight New York time it is in time."""
    monkeypatch.setenv("TRACKER_TIMEZONE", "America/New_York")
    clock.set(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    cli.ok("question", "add", "Summit", "--deadline", "2026-07-31", "--id", "summit")
    clock.set(datetime(2026, 7, 31, 20, 30, tzinfo=NY))
    refused = cli.fails("forecast", "summit", "0.4")  # the team's zone is UTC by default
    # (in a UTC team the message is the one every road gives; another zone says when its day ended)
    assert refused.stderr.strip() == "error: made_at 2026-08-01 is after the deadline of 'summit' (2026-07-31)"
    cli.ok("team", "set", "timezone", "America/New_York")
    assert js(cli.ok("team", "show", "--json")) == {"timezone": "America/New_York", "blind": False}
    assert "team timezone America/New_York" in cli.ok("db", "info").stdout
    out = js(cli.ok("forecast", "summit", "0.4", "--json"))
    assert out["made_at"] == "2026-08-01T00:30:00Z"
    clock.set(datetime(2026, 7, 31, 23, 59, 59, tzinfo=NY) + timedelta(seconds=1))  # midnight in New York
    err = cli.fails("forecast", "summit", "0.5").stderr
    assert "(2026-07-31): that day ended at 2026-08-01 00:00 EDT (midnight in the team's zone, America/New_York" in err


def test_team_settings_are_checked(cli):
    cli.fails("team", "set", "timezone", "Mars/Olympus", match="unknown team time zone 'Mars/Olympus'")
    cli.fails("team", "set", "blind", "maybe", match="blind must be on or off")
    assert js(cli.ok("team", "show", "--json")) == {"timezone": "UTC", "blind": False}


# ------------------------------------------------------------------- updates


@pytest.fixture
def quick(cli, clock):
    cli.ok("question", "add", "A quick question", "--deadline", "2027-06-30", "--id", "quick")
    cli.ok("forecast", "quick", "40%")
    return cli


def test_relative_update_in_percentage_points(quick):
    assert js(quick.ok("forecast", "quick", "+5", "--json"))["probability"] == pytest.approx(0.45)
    assert js(quick.ok("forecast", "quick", "-10", "--json"))["probability"] == pytest.approx(0.35)
    r = quick.ok("forecast", "quick", "+5%", "--json")  # once recorded as 0.05
    assert js(r)["probability"] == pytest.approx(0.40)
    r = quick.ok("forecast", "quick", "+75")
    assert "warning: 40% +75 points is 115%: recorded 100%" in r.stderr
    assert js(quick.ok("show", "quick", "--json"))["forecasts"][-1]["probability"] == 1.0


def test_ambiguous_or_backdated_updates_are_refused(quick):
    before = dump_db(quick.db_url)
    r = quick("forecast", "quick", "+0.05")
    assert r.exit_code == 2 and "'+0.05' is ambiguous" in r.stderr
    r = quick("forecast", "quick", "0.3", "--made-at", "2026-01-01")
    assert r.exit_code == 2 and "back-dated forecasts come in through 'tracker import'" in r.stderr
    as_bob = CLI(quick.db_url)
    import os

    os.environ["TRACKER_ANALYST"] = "bob"
    as_bob.fails("forecast", "quick", "+5", match="bob has no forecast on 'quick' to update by +5 points")
    assert dump_db(quick.db_url) == before


# ----------------------------------------------------- ids, search and list


@pytest.fixture
def ecb(cli, clock):
    cli.ok("question", "add", "Will the ECB cut its deposit rate?", "--deadline", "2027-03-31",
           "--id", "will-the-ecb-cut-rates", "--tag", "eurozone",
           "--criteria", "An announced cut of the deposit facility rate at a monetary policy meeting")
    cli.ok("question", "add", "Will the ECB hike?", "--deadline", "2027-06-30", "--id", "will-the-ecb-hike")
    cli.ok("question", "add", "Trump and Putin meet in Vienna", "--deadline", "2027-01-31", "--id", "summit-vienna",
           "--tag", "russia")
    cli.ok("question", "add", "Sanctions on Russia are lifted", "--deadline", "2027-12-31", "--id", "sanctions-lifted",
           "--criteria", "The EU council lifts sectoral measures against Moscow")
    return cli


def test_unique_prefix_and_did_you_mean(ecb):
    assert js(ecb.ok("show", "will-the-ecb-cut", "--json"))["id"] == "will-the-ecb-cut-rates"
    assert js(ecb.ok("forecast", "summit", "0.3", "--json"))["question_id"] == "summit-vienna"
    ecb.fails("show", "will-the-ecb", match="question id 'will-the-ecb' is ambiguous: it begins will-the-ecb-cut-rates, will-the-ecb-hike")
    ecb.fails("show", "will-the-ecb-cuts", match="no question with id 'will-the-ecb-cuts'; did you mean will-the-ecb-cut-rates")
    ecb.fails("show", "vienna-summit", match="did you mean summit-vienna")
    ecb.fails("history", "sanctions-lift-russia", match="did you mean sanctions-lifted")


def test_search_is_ranked_and_reads_criteria_tags_and_ids(ecb):
    ecb.ok("question", "add", "Eurozone inflation falls below 2%", "--deadline", "2027-06-30", "--id", "inflation",
           "--criteria", "As published by Eurostat; an ECB staff projection does not count")
    rows = js(ecb.ok("search", "ecb", "--json"))
    # in the id and the text before only in the criteria
    assert [r["id"] for r in rows][2:] == ["inflation"]
    assert {r["id"] for r in rows[:2]} == {"will-the-ecb-cut-rates", "will-the-ecb-hike"}
    assert rows[0]["rank"] >= rows[1]["rank"] > rows[2]["rank"]
    assert [r["id"] for r in js(ecb.ok("search", "ecb", "cut", "--json"))] == ["will-the-ecb-cut-rates"]
    assert [r["id"] for r in js(ecb.ok("search", "deposit", "facility", "--json"))] == ["will-the-ecb-cut-rates"]
    assert [r["id"] for r in js(ecb.ok("search", "moscow", "--json"))] == ["sanctions-lifted"]  # criteria
    assert {r["id"] for r in js(ecb.ok("search", "eurozone", "--json"))} == {"will-the-ecb-cut-rates", "inflation"}  # tag
    assert [r["id"] for r in js(ecb.ok("search", "sanct", "--json"))] == ["sanctions-lifted"]  # a word's start
    assert js(ecb.ok("search", "nothing-like-it", "--json")) == []
    text = ecb.ok("search", "vienna").stdout.splitlines()
    assert text[0].split() == ["id", "deadline", "status", "mine", "median", "text"]
    assert text[2].split()[:5] == ["summit-vienna", "2027-01-31", "open", "-", "-"]


def test_search_index_follows_restores(ecb, tmp_path, request):
    ecb.ok("export", "-o", tmp_path / "e.json")
    fresh = tmp_path / "restored.db"
    restored = CLI(f"sqlite:///{fresh}")
    restored.ok("import", tmp_path / "e.json")
    assert [r["id"] for r in js(restored.ok("search", "moscow", "--json"))] == ["sanctions-lifted"]


def test_list_shows_my_number_and_the_team_median(ecb):
    ecb.ok("forecast", "will-the-ecb-cut", "0.3")
    as_(ecb, "bob", "forecast", "will-the-ecb-cut", "0.5")
    as_(ecb, "carol", "forecast", "will-the-ecb-cut", "0.9")
    as_(ecb, "carol", "forecast", "will-the-ecb-cut", "0.8")  # only the latest counts
    rows = {r["id"]: r for r in js(ecb.ok("list", "--json"))}
    assert (rows["will-the-ecb-cut-rates"]["mine"], rows["will-the-ecb-cut-rates"]["median"]) == (0.3, 0.5)
    assert (rows["summit-vienna"]["mine"], rows["summit-vienna"]["median"]) == (None, None)
    assert [r["id"] for r in js(ecb.ok("list", "--search", "ecb", "--json"))] == ["will-the-ecb-cut-rates", "will-the-ecb-hike"]
    assert js(ecb.ok("list", "--search", "zzz", "--json")) == []


def test_list_wraps_long_text_to_the_terminal(ecb, monkeypatch):
    long_text = "Will the governing council announce a cut of the deposit facility rate " * 3
    ecb.ok("question", "add", long_text.strip(), "--deadline", "2027-02-28", "--id", "long-one")
    monkeypatch.setenv("COLUMNS", "100")
    out = ecb.ok("list", "--search", "governing").stdout.splitlines()
    assert all(len(line) <= 100 for line in out)
    assert " ".join(" ".join(line.split()) for line in out[2:]).endswith(" ".join(long_text.split()))


# ----------------------------------------------------------------------- todo


def test_todo_groups_my_open_questions(cli, clock):
    for qid, deadline in (("new-one", "2027-05-31"), ("due-soon", "2026-12-10"), ("stale-one", "2027-04-30"),
                          ("fresh", "2027-04-30"), ("overdue", "2026-12-01"), ("settled", "2027-04-30"),
                          ("clarified", "2027-04-30")):
        clock.set(datetime(2026, 10, 1, tzinfo=UTC))
        cli.ok("question", "add", f"Question {qid}", "--deadline", deadline, "--id", qid)
    clock.set(datetime(2026, 10, 2, tzinfo=UTC))
    cli.ok("forecast", "stale-one", "0.2")  # 63 days before NOW
    cli.ok("forecast", "overdue", "0.6")
    cli.ok("forecast", "clarified", "0.5")
    clock.set(datetime(2026, 11, 30, tzinfo=UTC))
    cli.ok("forecast", "due-soon", "0.7")
    cli.ok("forecast", "fresh", "0.1")
    cli.ok("forecast", "settled", "0.9")
    cli.ok("resolve", "settled", "yes")
    as_(cli, "bob", "forecast", "new-one", "0.2")
    as_(cli, "carol", "forecast", "new-one", "0.6")
    as_(cli, "bob", "forecast", "due-soon", "0.3")
    as_(cli, "bob", "clarify", "clarified", "A partial agreement counts")
    clock.set(datetime(2026, 11, 30, 1, tzinfo=UTC))
    as_(cli, "bob", "clarify", "fresh", "An earlier clarification counts too")
    clock.set(NOW)
    out = js(cli.ok("todo", "--json"))
    groups = {g["key"]: [q["id"] for q in g["questions"]] for g in out["groups"]}
    # 'fresh' is recent but clarified since; 'clarified' is old and clarified since
    assert groups == {"awaiting": ["overdue"], "new": ["new-one"], "due": ["due-soon"],
                      "stale": ["clarified", "fresh", "stale-one"]}
    items = {q["id"]: q for g in out["groups"] for q in g["questions"]}
    assert (items["new-one"]["mine"], items["new-one"]["median"]) == (None, pytest.approx(0.4))
    assert (items["due-soon"]["mine"], items["due-soon"]["median"]) == (0.7, pytest.approx(0.5))
    assert items["due-soon"]["mine_at"] == "2026-11-30T00:00:00Z"
    assert items["stale-one"]["mine_at"] == "2026-10-02T00:00:00Z"
    # a shorter stale limit and a longer window
    out = js(cli.ok("todo", "--within", "3 months", "--stale", "10w", "--json"))
    groups = {g["key"]: [q["id"] for q in g["questions"]] for g in out["groups"]}
    assert groups["due"] == ["due-soon"] and groups["stale"] == ["clarified", "fresh"]
    assert out["within_days"] == 90 and out["stale_days"] == 70


def test_todo_flags_a_clarification_after_my_forecast(cli, clock):
    clock.set(datetime(2026, 10, 1, tzinfo=UTC))
    cli.ok("question", "add", "Talks resume", "--deadline", "2027-04-30", "--id", "talks")
    cli.ok("forecast", "talks", "0.5")
    clock.set(datetime(2026, 12, 1, tzinfo=UTC))
    cli.ok("forecast", "talks", "0.55")  # recent: nothing to do
    assert [g["questions"] for g in js(cli.ok("todo", "--json"))["groups"]] == [[], [], [], []]
    clock.set(datetime(2026, 12, 2, tzinfo=UTC))
    as_(cli, "rita", "clarify", "talks", "Talks at deputy level count")
    clock.set(NOW)
    out = js(cli.ok("todo", "--json"))
    (item,) = [q for g in out["groups"] for q in g["questions"]]
    assert (item["id"], item["group"], item["clarified_since_mine"]) == ("talks", "stale", True)
    text = cli.ok("todo").stdout
    assert "! talks" in text and "a clarification was made after your last forecast" in text
    cli.ok("forecast", "talks", "+5")
    assert [g["questions"] for g in js(cli.ok("todo", "--json"))["groups"]] == [[], [], [], []]


def test_todo_for_another_analyst_and_text(cli, clock):
    cli.ok("question", "add", "Summit in Vienna", "--deadline", "2026-12-10", "--id", "summit-vienna")
    as_(cli, "bob", "forecast", "summit-vienna", "0.35")
    text = cli.ok("todo", "--analyst", "bob").stdout
    assert "todo for bob" in text and "due within 14 days (1)" in text
    line = [ln for ln in text.splitlines() if ln.startswith("summit-vienna")][0]
    assert line.split()[:7] == ["summit-vienna", "35%", "2026-12-04", "09:00", "UTC", "2026-12-10", "35%"]
    assert "not yet forecast by you (1)" in cli.ok("todo").stdout


def test_blind_forecasting_hides_others_until_i_forecast(cli, clock):
    cli.ok("question", "add", "Summit in Vienna", "--deadline", "2027-01-31", "--id", "summit")
    as_(cli, "bob", "forecast", "summit", "0.8")
    cli.ok("team", "set", "blind", "on")
    assert js(cli.ok("todo", "--json"))["groups"][1]["questions"][0]["median"] is None
    assert js(cli.ok("todo", "--json"))["groups"][1]["questions"][0]["hidden"] is True
    assert "hidden" in cli.ok("todo").stdout
    shown = js(cli.ok("show", "summit", "--json"))
    assert (shown["forecasts"], shown["hidden_forecasts"]) == ([], 1)
    assert "0.800" not in cli.ok("show", "summit").stdout
    (row,) = js(cli.ok("list", "--json"))
    assert (row["median"], row["hidden"]) == (None, True)
    assert [r["median"] for r in js(cli.ok("search", "vienna", "--json"))] == [None]
    cli.ok("forecast", "summit", "0.4")
    shown = js(cli.ok("show", "summit", "--json"))
    assert [f["probability"] for f in shown["forecasts"]] == [0.8, 0.4]
    (row,) = js(cli.ok("list", "--json"))
    assert row["median"] == pytest.approx(0.6)
    cli.ok("team", "set", "blind", "off")
    assert len(js(as_(cli, "carol", "show", "summit", "--json"))["forecasts"]) == 2


# ------------------------------------------------- criteria, clarifications


def test_criteria_and_clarifications_everywhere(cli, clock, tmp_path):
    cli.ok("question", "add", "Trump and Putin meet", "--deadline", "2026-12-31", "--id", "summit",
           "--criteria", "A face-to-face meeting of the two presidents")
    as_(cli, "rita", "clarify", "summit", "A meeting on the margins of a multilateral summit counts")
    show = js(cli.ok("show", "summit", "--json"))
    assert show["criteria"] == "A face-to-face meeting of the two presidents"
    assert [(c["recorded_by"], c["text"], c["made_at"]) for c in show["clarifications"]] == [
        ("rita", "A meeting on the margins of a multilateral summit counts", "2026-12-04T09:00:00Z")]
    text = cli.ok("show", "summit").stdout
    assert "criteria  A face-to-face meeting of the two presidents" in text
    assert "clarified 2026-12-04 09:00 UTC by rita: A meeting on the margins" in text
    history = js(cli.ok("history", "summit", "--json"))
    assert [(e["record"], e["who"], e["detail"]) for e in history] == [
        ("clarification", "rita", "A meeting on the margins of a multilateral summit counts")]
    assert "criteria  A face-to-face meeting" in cli.ok("history", "summit").stdout
    clock.set(datetime(2027, 1, 5, tzinfo=UTC))
    review = cli.ok("review", "--quarter", "2026Q4", "--as-of", "2027-01-05").stdout
    assert "criteria  A face-to-face meeting" in review and "by rita: A meeting on the margins" in review
    md = tmp_path / "r.md"
    cli.ok("report", "--format", "md", "-o", md)
    assert "criteria: A face-to-face meeting of the two presidents" in md.read_text()
    assert "by rita: A meeting on the margins of a multilateral summit counts" in md.read_text()
    cli.fails("clarify", "summit", "   ", match="clarification is empty")
    cli.fails("clarify", "nowhere", "text", match="no question with id 'nowhere'")


def test_clarifications_are_append_only(cli, clock):
    from sqlalchemy.exc import DBAPIError

    from tracker.storage import open_store

    cli.ok("question", "add", "Q", "--deadline", "2027-01-31", "--id", "q")
    cli.ok("clarify", "q", "first")
    store = open_store(cli.db_url)
    try:
        for sql in ("UPDATE clarification SET text = 'changed'", "DELETE FROM clarification"):
            with pytest.raises(DBAPIError, match="append-only"):
                with store.engine.begin() as conn:
                    conn.exec_driver_sql(sql)
    finally:
        store.dispose()
    assert [c["text"] for c in js(cli.ok("show", "q", "--json"))["clarifications"]] == ["first"]


def test_scenario_file_criteria(cli, clock, tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(
        "id: ecb\ntitle: ECB watch\nquestions:\n"
        "  - id: ecb-cut\n    text: The ECB cuts its deposit rate\n    deadline: 2027-03-31\n"
        "    criteria: An announced cut of the deposit facility rate\n"
    )
    cli.ok("import", f)
    assert js(cli.ok("show", "ecb-cut", "--json"))["criteria"] == "An announced cut of the deposit facility rate"
    assert [r["id"] for r in js(cli.ok("search", "facility", "--json"))] == ["ecb-cut"]


def test_export_restore_carries_the_week(cli, clock, tmp_path):
    fresh_url = f"sqlite:///{tmp_path / 'fresh.db'}"
    cli.ok("question", "add", "Q", "--deadline", "2027-01-31", "--id", "q", "--criteria", "the fine print")
    cli.ok("clarify", "q", "a clarification")
    cli.ok("team", "set", "blind", "on")
    cli.ok("team", "set", "timezone", "Europe/Berlin")
    cli.ok("analyst", "set", "alice", "--email", "alice@example.org")
    cli.ok("export", "-o", tmp_path / "e.json")
    payload = json.loads((tmp_path / "e.json").read_text())
    assert [c["text"] for c in payload["clarifications"]] == ["a clarification"]
    assert sorted((s["key"], s["value"]) for s in payload["team_settings"]) == [("blind", "on"), ("timezone", "Europe/Berlin")]
    assert [(a["name"], a["email"]) for a in payload["analysts"]] == [("alice", "alice@example.org")]
    restored = CLI(fresh_url)
    restored.ok("team", "set", "blind", "off")  # a restore replaces the settings
    restored.ok("import", tmp_path / "e.json")
    assert dump_db(fresh_url) == dump_db(cli.db_url)
    assert js(restored.ok("team", "show", "--json")) == {"timezone": "Europe/Berlin", "blind": True}


# ------------------------------------------------------------------ reminders


@pytest.fixture
def team(cli, clock):
    cli.ok("question", "add", "Summit in Vienna, July", "--deadline", "2026-12-10", "--id", "summit-vienna",
           "--criteria", "Both presidents; any venue in Vienna")
    cli.ok("question", "add", "ECB cut", "--deadline", "2027-03-31", "--id", "ecb-cut")
    as_(cli, "bob", "forecast", "summit-vienna", "0.35")
    cli.ok("analyst", "set", "alice", "--email", "alice@example.org")
    cli.ok("analyst", "set", "bob", "--email", "bob@example.org")
    return cli


def test_remind_ics_has_stable_uids(team, tmp_path):
    import icalendar

    first = team.ok("remind", "--all", "--format", "ics").stdout_bytes.decode()  # CRLF kept
    second = team.ok("remind", "--all", "--format", "ics").stdout_bytes.decode()
    cal = icalendar.Calendar.from_ical(first)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert sorted(events) == ["deadline-ecb-cut@forecast-tracker", "deadline-summit-vienna@forecast-tracker"]
    summit = events["deadline-summit-vienna@forecast-tracker"]
    assert summit.decoded("DTSTART") == date(2026, 12, 10) and summit.decoded("DTEND") == date(2026, 12, 11)
    assert str(summit["SUMMARY"]) == "Forecast deadline: Summit in Vienna, July"
    assert "Resolution criteria: Both presidents; any venue in Vienna" in str(summit["DESCRIPTION"])
    again = {str(e["UID"]) for e in icalendar.Calendar.from_ical(second).walk("VEVENT")}
    assert again == set(events)
    lines = first.split("\r\n")
    assert lines[-1] == "" and all(len(line.encode()) <= 75 for line in lines) and "\n" not in "".join(lines)


def test_remind_text_md_json(team):
    assert "todo for alice" in team.ok("remind").stdout
    md = team.ok("remind", "--all", "--format", "md").stdout
    assert "# todo for alice" in md and "# todo for bob" in md and "- **summit-vienna** (deadline 2026-12-10)" in md
    data = js(team.ok("remind", "--all", "--format", "json"))
    assert [(d["analyst"], d["email"]) for d in data] == [("alice", "alice@example.org"), ("bob", "bob@example.org")]
    r = team("remind", "--all", "--analyst", "bob")
    assert r.exit_code == 2


def test_remind_send_mails_each_analyst(team):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        as_(team, "carol", "forecast", "ecb-cut", "0.5")  # carol: no address
        r = team.ok("remind", "--all", "--send", "--smtp", f"127.0.0.1:{port}", "--from", "tracker@example.org")
    finally:
        controller.stop()
    assert "skipped carol: no e-mail address" in r.stderr and "sent 2 digest(s)" in r.stderr
    assert sorted(m["To"] for m in received) == ["alice@example.org", "bob@example.org"]
    alice = next(m for m in received if m["To"] == "alice@example.org")
    assert alice["From"] == "tracker@example.org" and alice["Subject"] == "Forecasts to make or update: 2 questions"
    assert "summit-vienna" in alice.get_payload() and "not yet forecast by you (2)" in alice.get_payload()


def test_remind_send_errors_are_one_line(team):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    team.fails("remind", "--all", "--send", "--smtp", f"127.0.0.1:{port}", "--from", "t@example.org",
               match=f"cannot send mail through 127.0.0.1:{port}")
    assert team("remind", "--send").exit_code == 2  # no --from


def test_analyst_email_is_checked(cli):
    cli.fails("analyst", "set", "alice", "--email", "not an address", match="'not an address' is not an e-mail address")
    assert js(cli.ok("analyst", "set", "alice", "--email", "a@example.org", "--json")) == {"name": "alice", "email": "a@example.org"}
    assert js(cli.ok("analyst", "list", "--json")) == [{"name": "alice", "team": None, "email": "a@example.org"}]


# ------------------------------------------------------------------ migration


def test_upgrade_from_0003_with_rows_fills_the_search_index(db_url):
    from tracker.storage import HEAD, make_engine, open_store
    from tracker.storage.migrations import run_upgrade
    from tracker.services.week import search

    engine = make_engine(db_url)
    with engine.begin() as conn:
        run_upgrade(conn, "0003")
    sqlite = engine.dialect.name == "sqlite"
    ts = (lambda t: f"'{t}'") if sqlite else (lambda t: f"'{t}+00'")
    false = "0" if sqlite else "false"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO analyst (name, team, created_at) VALUES ('alice', NULL, {ts('2018-06-20 00:00:00')})")
        conn.exec_driver_sql(
            "INSERT INTO question (id, text, kind, outcomes, ordered, deadline, opened_at, created_at) VALUES "
            f"('summit-vienna', 'They meet in Vienna', 'binary', '[\"yes\", \"no\"]', {false}, '2018-07-31', "
            f"{ts('2018-06-20 00:00:00')}, {ts('2018-06-20 00:00:00')})")
        conn.exec_driver_sql("INSERT INTO question_tag (question_id, tag) VALUES ('summit-vienna', 'russia')")
    engine.dispose()
    store = open_store(db_url, upgrade=True)
    try:
        assert HEAD >= "0005"
        assert [r["id"] for r in search(store, "vienna")] == ["summit-vienna"]
        assert [r["id"] for r in search(store, "russia")] == ["summit-vienna"]
        counts = {key: len(rows) for key, rows in dump_db(db_url)}
        assert counts == {"scenarios": 0, "analysts": 1, "questions": 1, "question_tags": 1, "forecasts": 0,
                          "resolutions": 0, "clarifications": 0, "team_settings": 0}
        cli = CLI(db_url)
        assert cli.ok("show", "summit-vienna", "--json").stdout
        assert json.loads(cli.ok("team", "show", "--json").stdout) == {"timezone": "UTC", "blind": False}
    finally:
        store.dispose()
