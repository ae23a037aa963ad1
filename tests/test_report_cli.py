"""``tracker plot``, ``tracker report`` and ``tracker demo`` from the command line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest


def invoke(*args, db: str | None = None):
    from click.testing import CliRunner

    from tracker.cli import main

    argv = (["--db", db] if db else []) + [str(a) for a in args]
    return CliRunner().invoke(main, argv, catch_exceptions=True)


def ok(*args, db=None):
    result = invoke(*args, db=db)
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.stderr}{result.exception!r}"
    return result


@pytest.fixture
def example_db(sqlite_url, tmp_path):
    from tracker.storage import open_store

    open_store(sqlite_url, upgrade=True).dispose()
    examples = resources.files("tracker.examples")
    for name in ("trump-putin-2018.yaml", "resolutions-2018-Q3.yaml"):
        path = tmp_path / name
        path.write_bytes(examples.joinpath(name).read_bytes())
        ok("import", path, db=sqlite_url)
    return sqlite_url


MAGIC = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}


@pytest.mark.parametrize("argv,fmt", [
    (["calibration", "--quarter", "2018Q3"], "png"),
    (["calibration", "--by", "analyst"], "svg"),
    (["history", "meeting-july"], "pdf"),
    (["history", "meeting-location"], "png"),
    (["trend", "--by", "analyst"], "png"),
    (["wep", "--scenario", "trump-putin-2018"], "svg"),
    (["analysts", "--mode", "initial"], "png"),
])
def test_plot_writes_each_kind(example_db, tmp_path, argv, fmt):
    out = tmp_path / f"figure.{fmt}"
    result = ok("plot", *argv, "-o", out, db=example_db)
    assert out.read_bytes().startswith(MAGIC[fmt])
    assert result.stdout == ""  # nothing but the file; messages go to stderr
    assert f"wrote {out}" in result.stderr


def test_plot_on_an_empty_database_says_so_and_still_writes_a_figure(sqlite_url, tmp_path):
    from tracker.storage import open_store

    open_store(sqlite_url, upgrade=True).dispose()
    out = tmp_path / "c.png"
    result = ok("plot", "calibration", "-o", out, db=sqlite_url)
    assert "note: no resolved binary forecasts" in result.stderr
    assert out.read_bytes().startswith(MAGIC["png"])


@pytest.mark.parametrize("argv,code,message", [
    (["calibration", "-o", "x.gif"], 2, "does not end in .png, .svg or .pdf"),
    (["history", "-o", "x.png"], 2, "needs a question id"),
    (["trend", "meeting-july", "-o", "x.png"], 2, "takes no question id"),
    (["wep", "--by", "analyst", "-o", "x.png"], 2, "--by analyst is for calibration and trend"),
    (["pie", "-o", "x.png"], 2, "Invalid value"),
    (["history", "no-such-question", "-o", "x.png"], 1, "error: no question with id 'no-such-question'"),
    (["calibration", "--quarter", "2018Q5", "-o", "x.png"], 1, "error: quarter '2018Q5'"),
])
def test_plot_errors(example_db, tmp_path, monkeypatch, argv, code, message):
    monkeypatch.chdir(tmp_path)
    result = invoke("plot", *argv, db=example_db)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("x.*"))


def test_plot_unwritable_output_is_a_one_line_error(example_db, tmp_path):
    result = invoke("plot", "calibration", "-o", tmp_path / "missing" / "c.png", db=example_db)
    assert result.exit_code in (1, 2)
    assert result.stderr.startswith("error") or "Error" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_formats_from_the_suffix(example_db, tmp_path):
    for name, check in (("r.html", lambda t: t.startswith("<!DOCTYPE html>")),
                        ("r.json", lambda t: json.loads(t)["format_version"] == 1),
                        ("r.md", lambda t: t.startswith("# Forecast report"))):
        result = ok("report", "--quarter", "2018Q3", "-o", tmp_path / name, db=example_db)
        assert check((tmp_path / name).read_text(encoding="utf-8")), name
        assert re.search(r"6 resolved, 3 annulled, 0 overdue; Brier 0\.\d{3} \(0-1\) over 11 forecasts", result.stderr)
    result = ok("report", "--format", "md", db=example_db)
    assert result.stdout.startswith("# Forecast report: all quarters")


def test_report_png_images_and_scale(example_db, tmp_path):
    out = tmp_path / "r.html"
    ok("report", "--images", "png", "--scale", "0-2", "-o", out, db=example_db)
    html = out.read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "data:image/svg" not in html
    assert "Brier (0-2)" in html


def test_help_lists_the_new_commands():
    result = ok("--help")
    assert "plot" in result.stdout and "report" in result.stdout
    assert "history ID" in ok("plot", "--help").stdout
    assert "--format" in ok("report", "--help").stdout


def test_cli_import_stays_light():
    """Heavy libraries are imported inside the commands, so `tracker --help` answers at click's speed."""
    code = ("import sys; import tracker.cli; "
            "print(sorted(m for m in ('matplotlib', 'jinja2', 'numpy', 'scipy', 'sqlalchemy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


# ------------------------------------------------------------------------ demo


def test_demo_builds_its_outputs_in_the_folder_and_leaves_the_user_database_alone(tmp_path, tracker_home):
    folder = tmp_path / "demo"
    result = ok("demo", "--dir", folder)
    for name in ("report.html", "calibration.png", "demo.db", "trump-putin-2018.yaml", "resolutions-2018-Q3.yaml"):
        assert (folder / name).exists(), name
    assert (folder / "calibration.png").read_bytes().startswith(MAGIC["png"])
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Forecast report: 2018Q3" in html and "meeting-july" in html
    out = result.stdout
    # the commands it runs, the score table, and where the outputs are
    assert "$ tracker import" in out and "$ tracker score --by analyst" in out and "$ tracker report" in out
    assert "ana-illustrative" in out and "rel. Brier" in out
    assert str(folder.resolve() / "report.html") in out and str(folder.resolve() / "calibration.png") in out
    assert not tracker_home.exists() or not any(tracker_home.rglob("*.db"))  # the user's database is never made


def test_demo_refuses_a_folder_that_already_has_a_demo(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "demo.db").write_bytes(b"")
    result = invoke("demo", "--dir", folder)
    assert result.exit_code == 1 and "exists: pass an empty --dir" in result.stderr


def test_demo_in_a_temporary_folder_when_none_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    result = ok("demo")
    (made,) = list(Path(tmp_path).glob("tracker-demo-*"))
    assert (made / "report.html").exists()
    assert str(made / "report.html") in result.stdout
