"""The progress line of long commands: on stderr when it is a terminal,
never otherwise (files, pipes, scripts)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import CLI


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def forecasts_csv(path: Path, n_questions: int = 30) -> Path:
    lines = ["question,analyst,probability,made_at,deadline,outcome"]
    for i in range(n_questions):
        for k, who in enumerate(("ann", "bob", "cy")):
            lines.append(f"q{i:03d},{who},0.{(i + k) % 9 + 1},2018-06-{k + 1:02d}T10:00:00Z,2018-07-31,{'yes' if i % 3 else 'no'}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_progress_draws_a_bar_after_the_delay_and_erases_it():
    from tracker.cli.common import Progress

    out = FakeTerminal()
    bar = Progress("importing x.csv", out, delay=0.0, width=60)
    bar("reading", 50, 200)
    text = out.getvalue()
    assert text.startswith("\rimporting x.csv: reading [") and " 25%  50/200" in text
    bar("storing", 200, 200)
    assert "100%  200/200" in out.getvalue()
    bar.close()
    assert out.getvalue().endswith("\r" + " " * 60 + "\r")


def test_progress_with_an_unknown_total_counts():
    from tracker.cli.common import Progress

    out = FakeTerminal()
    bar = Progress("scoring", out, delay=0.0, width=60)
    bar("reading", 1_200_000, None)
    assert "scoring: reading 1,200,000" in out.getvalue()


def test_quick_work_draws_nothing():
    from tracker.cli.common import Progress

    out = FakeTerminal()
    bar = Progress("importing x.csv", out, delay=60.0)
    bar("reading", 1, 2)
    bar.close()
    assert out.getvalue() == ""


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch):
    from tracker.cli.common import progress_bar

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress_bar("importing x.csv") as bar:
        assert bar is None


def test_bar_when_stderr_is_a_terminal(monkeypatch):
    from tracker.cli.common import Progress, progress_bar

    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    with progress_bar("importing x.csv") as bar:
        assert isinstance(bar, Progress)


def test_import_score_and_report_show_the_bar_on_a_real_terminal(tmp_path, monkeypatch, sqlite_url):
    """Through a pseudo-terminal: the import reads, checks and stores with a
    bar; the score reads and scores with one; the report reads, scores, draws
    and writes; the lines are erased and the summary follows."""
    import pty

    from tracker.cli import common, main

    monkeypatch.setattr(common, "PROGRESS_DELAY", 0.0)
    monkeypatch.setattr(common, "PROGRESS_INTERVAL", 0.0)
    master, slave = pty.openpty()
    terminal = os.fdopen(slave, "w", buffering=1, encoding="utf-8")
    monkeypatch.setattr(sys, "stderr", terminal)
    path = forecasts_csv(tmp_path / "f.csv")
    try:
        for argv in (["import", str(path)], ["score", "--by", "analyst"], ["report", "-o", str(tmp_path / "r.html")],
                     ["export", "-o", str(tmp_path / "e.json")], ["export", "--format", "csv", "-o", str(tmp_path / "e.csv")],
                     ["import", str(tmp_path / "e.json"), "--db", "sqlite:///" + str(tmp_path / "restored.db")],
                     ["plot", "calibration", "-o", str(tmp_path / "c.png")]):
            try:
                main(["--db", sqlite_url, *argv], standalone_mode=False)
            except SystemExit as exc:  # pragma: no cover - a failure shows below
                assert exc.code in (0, None)
        terminal.flush()
        seen = b""
        os.set_blocking(master, False)
        while True:
            try:
                chunk = os.read(master, 65536)
            except (BlockingIOError, OSError):
                break
            if not chunk:
                break
            seen += chunk
    finally:
        terminal.close()
        os.close(master)
    text = seen.decode()
    for phase in ("importing f.csv: reading [", "importing f.csv: checking [", "importing f.csv: storing [",
                  "scoring: reading", "scoring: scoring [", "report: reading questions", "report: reading forecasts",
                  "report: scoring", "report: drawing figures", "report: writing", "exporting: exporting [",
                  "importing e.json: checking [", "importing e.json: storing [",
                  "plot: reading forecasts", "plot: drawing", "plot: writing"):
        assert phase in text, text
    assert "imported f.csv: 90 rows" in text
    assert "wrote " + str(tmp_path / "r.html") in text
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert "imported e.json: 0 scenarios, 3 analysts, 30 questions" in text
    assert "wrote " + str(tmp_path / "e.csv") in text and len((tmp_path / "e.csv").read_text().splitlines()) == 91


def test_no_bar_in_captured_or_piped_stderr(tmp_path, sqlite_url):
    path = forecasts_csv(tmp_path / "f.csv")
    result = CLI(sqlite_url).ok("import", str(path))
    assert result.stderr == "imported f.csv: 90 rows: 90 forecasts added (0 already present), 30 questions created, 30 resolutions\n"
    tracker = Path(sys.executable).with_name("tracker")
    env = dict(os.environ, TRACKER_ANALYST="tester")
    done = subprocess.run([str(tracker), "--db", sqlite_url, "score", "--by", "analyst"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "\r" not in done.stdout
    done = subprocess.run([str(tracker), "--db", sqlite_url, "report", "-o", str(tmp_path / "r.html")],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("wrote ") and "\r" not in done.stderr


@pytest.mark.parametrize("command", [["import", "f.csv"], ["score"]])
def test_services_report_progress_when_asked(tmp_path, sqlite_url, command):
    from tracker.services.score import score
    from tracker.services.transfer import import_csv
    from tracker.storage import open_store

    calls = []
    store = open_store(sqlite_url)
    try:
        data = forecasts_csv(tmp_path / "f.csv").read_bytes()
        if command[0] == "import":
            import_csv(store, data, filename="f.csv", recorded_by="rita", progress=lambda *a: calls.append(a))
            assert calls[-1] == ("storing", 90, 90)
            assert ("reading", 91, 91) in calls  # lines, header included
        else:
            import_csv(store, data, filename="f.csv", recorded_by="rita")
            score(store, by="analyst", progress=lambda *a: calls.append(a))
            assert calls[0] == ("reading", 90, None)
            assert calls[-1] == ("scoring", 3, 3)
    finally:
        store.dispose()
