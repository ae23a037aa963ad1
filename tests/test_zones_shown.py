"""Times are shown with their zone (the analyst's: TRACKER_TIMEZONE, config,
the machine), and "today" for a deadline is the team's date: a deadline day
ends at midnight in the team's zone on every view, not at midnight UTC."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from support import CLI, zone_with_another_date

UTC = timezone.utc


def js(result):
    return json.loads(result.stdout)


def test_show_prints_every_time_in_the_analysts_zone_with_the_zone(sqlite_url, monkeypatch):
    monkeypatch.setenv("TRACKER_TIMEZONE", "America/New_York")
    cli = CLI(sqlite_url)
    cli.ok("db", "upgrade")
    cli.ok("team", "set", "timezone", "Europe/Berlin")
    cli.ok("question", "add", "They meet", "--deadline", "2030-07-31", "--id", "meet", "--opened", "2024-01-06T12:00:00Z")
    cli.ok("forecast", "meet", "40%", "--analyst", "ana")
    cli.ok("resolve", "meet", "no", "--known-at", "2024-02-01T15:30:00Z", "--evidence", "https://example.org/a")
    out = cli.ok("show", "meet").stdout
    assert "deadline  2030-07-31 (ends at midnight Europe/Berlin)   opened 2024-01-06 07:00 EST" in out
    assert "known 2024-02-01 10:30 EST" in out
    made = datetime.fromisoformat(js(cli.ok("show", "meet", "--json"))["forecasts"][0]["made_at"])
    from zoneinfo import ZoneInfo

    local = made.astimezone(ZoneInfo("America/New_York"))
    assert local.strftime("%Y-%m-%d %H:%M ") + local.tzname() in out  # the forecast table's time, with its zone


def test_today_is_the_teams_date():
    from tracker.services.week import team_today
    from tracker.storage import open_store

    import tempfile, os

    with tempfile.TemporaryDirectory() as d:
        url = f"sqlite:///{os.path.join(d, 't.db')}"
        CLI(url).ok("db", "upgrade")
        late = datetime(2026, 7, 31, 23, 0, tzinfo=UTC)
        store = open_store(url)
        try:
            with store.read() as conn:
                assert team_today(conn, late).isoformat() == "2026-07-31"
            CLI(url).ok("team", "set", "timezone", "Asia/Tokyo")
            with store.read() as conn:
                assert team_today(conn, late).isoformat() == "2026-08-01"
            CLI(url).ok("team", "set", "timezone", "America/New_York")
            with store.read() as conn:
                assert team_today(conn, datetime(2026, 8, 1, 3, 0, tzinfo=UTC)).isoformat() == "2026-07-31"
        finally:
            store.dispose()


def test_status_follows_the_teams_date_not_utcs(sqlite_url):
    """Whatever the hour, one of two zones has a date other than UTC's: far
    west (UTC-12) before 11:00 UTC, where a deadline of the local date is
    still running although UTC's date has moved on (open, not overdue); far
    east (UTC+14) from 11:00 UTC, where a deadline of UTC's date is over in
    the team's zone (overdue, not open)."""
    west, zone, deadline = zone_with_another_date()
    expected = "open" if west else "overdue"
    cli = CLI(sqlite_url)
    cli.ok("db", "upgrade")
    cli.ok("team", "set", "timezone", zone)
    cli.ok("question", "add", "Q", "--deadline", deadline.isoformat(), "--id", "q", "--opened", "2020-01-01")
    assert js(cli.ok("show", "q", "--json"))["status"] == expected
    assert [r["status"] for r in js(cli.ok("list", "--json"))] == [expected]


# ------------------------------------------------ the team's zone on every road

CSV_HEAD = "question,analyst,probability,made_at,deadline,outcome,known_at\n"


def test_a_csv_import_ends_the_deadline_day_in_the_team_zone(sqlite_url, tmp_path):
    """22:00 in New York on the deadline day is 02:00 UTC the next day: in time
    for a New York team, late for a UTC one; 01:30 the next morning in New
    York is late for both."""
    in_time = tmp_path / "in_time.csv"
    in_time.write_text(CSV_HEAD + "q,zed,0.3,2024-03-01T00:00:00Z,2024-03-31,,\n"
                               "q,ana,0.4,2024-04-01T02:00:00Z,2024-03-31,,\n")
    late = tmp_path / "late.csv"
    late.write_text(CSV_HEAD + "q,bob,0.4,2024-04-01T05:30:00Z,2024-03-31,,\n")
    utc_team = CLI(f"sqlite:///{tmp_path / 'utc.db'}")
    utc_team.ok("db", "upgrade")
    utc_team.fails("import", str(in_time), match="after the deadline")
    ny = CLI(sqlite_url)
    ny.ok("db", "upgrade")
    ny.ok("team", "set", "timezone", "America/New_York")
    ny.ok("import", str(in_time))
    assert [f["analyst"] for f in js(ny.ok("show", "q", "--json"))["forecasts"]] == ["zed", "ana"]
    ny.fails("import", str(late), match="after the deadline")


def test_the_time_weighted_window_ends_with_the_deadline_day_in_the_team_zone(sqlite_url, tmp_path):
    """0.2 from 1 March 00:00 UTC, 0.8 from 2 March 12:00 UTC, deadline 2 March,
    yes. A UTC team's window ends 3 March 00:00 UTC: (36 h x 0.64 + 12 h x
    0.04) / 48 h = 0.49. A New York team's (EST) ends 05:00 UTC: (36 x 0.64 +
    17 x 0.04) / 53 = 0.447547."""
    rows = ("q,ana,0.2,2024-03-01T00:00:00Z,2024-03-02,yes,2024-03-05T00:00:00Z\n"
            "q,ana,0.8,2024-03-02T12:00:00Z,2024-03-02,yes,2024-03-05T00:00:00Z\n")
    path = tmp_path / "f.csv"
    path.write_text(CSV_HEAD + rows)
    figures = {}
    for zone in ("UTC", "America/New_York"):
        cli = CLI(f"sqlite:///{tmp_path / (zone.replace('/', '-') + '.db')}")
        cli.ok("db", "upgrade")
        cli.ok("team", "set", "timezone", zone)
        cli.ok("import", str(path))
        figures[zone] = js(cli.ok("score", "--mode", "time-weighted", "--forecasts", "all", "--json"))["brier"]
    assert abs(figures["UTC"] - 0.49) < 1e-9
    assert abs(figures["America/New_York"] - (36 * 0.64 + 17 * 0.04) / 53) < 1e-9


def test_scenario_files_and_json_restores_follow_the_team_zone(tmp_path):
    """A forecast at 22:00 New York time on the deadline day (02:00 UTC the
    next day): a New York team's scenario import keeps it, a UTC team's
    refuses it; a JSON restore judges it by the zone the export carries."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "id: s\ntitle: S\nquestions:\n"
        "  - id: q\n    text: They meet\n    deadline: 2024-03-31\n    opened: 2024-03-01\n"
        "    forecasts:\n      - analyst: ana\n        probability: 0.4\n        made_at: 2024-04-01T02:00:00Z\n"
    )
    utc_team = CLI(f"sqlite:///{tmp_path / 'utc.db'}")
    utc_team.ok("db", "upgrade")
    utc_team.fails("import", str(scenario), match="after the deadline")
    ny = CLI(f"sqlite:///{tmp_path / 'ny.db'}")
    ny.ok("db", "upgrade")
    ny.ok("team", "set", "timezone", "America/New_York")
    ny.ok("import", str(scenario))
    dump = tmp_path / "all.json"
    ny.ok("export", "--format", "json", "-o", str(dump))
    restored = CLI(f"sqlite:///{tmp_path / 'restored.db'}")
    restored.ok("import", str(dump))
    assert [f["probability"] for f in js(restored.ok("show", "q", "--json"))["forecasts"]] == [0.4]
    assert js(restored.ok("team", "show", "--json"))["timezone"] == "America/New_York"
