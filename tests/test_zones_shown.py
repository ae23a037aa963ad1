"""Times are shown with their zone (the analyst's: TRACKER_TIMEZONE, config,
the machine), and "today" for a deadline is the team's date: a deadline day
ends at midnight in the team's zone on every view, not at midnight UTC."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from support import CLI

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
    from zoneinfo import ZoneInfo

    now = datetime.now(UTC)
    west = now.hour < 11
    zone = "Etc/GMT+12" if west else "Pacific/Kiritimati"
    local_today = now.astimezone(ZoneInfo(zone)).date()
    deadline = local_today if west else now.date()
    assert deadline != (now.date() if west else local_today)
    expected = "open" if west else "overdue"
    cli = CLI(sqlite_url)
    cli.ok("db", "upgrade")
    cli.ok("team", "set", "timezone", zone)
    cli.ok("question", "add", "Q", "--deadline", deadline.isoformat(), "--id", "q", "--opened", "2020-01-01")
    assert js(cli.ok("show", "q", "--json"))["status"] == expected
    assert [r["status"] for r in js(cli.ok("list", "--json"))] == [expected]
