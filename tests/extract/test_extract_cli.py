"""``tracker extract`` on bad input: one-line errors, exit 1, nothing written."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tracker.cli.common import TrackerGroup
from tracker.cli.extract_cmd import extract, parse_horizon
from tracker.errors import TrackerError

TEXT = "Moscow is expected to host the talks next week. Russia annexed Crimea in 2014.\n"


def run(*args, input=None):
    group = TrackerGroup()
    group.add_command(extract)
    return CliRunner().invoke(group, ["extract", *[str(a) for a in args]], input=input, catch_exceptions=True)


def fails(result, match: str):
    assert result.exit_code == 1, (result.exit_code, result.output)
    err = result.stderr.strip()
    assert err.startswith("error: "), err
    assert "\n" not in err, err
    assert "Traceback" not in result.stderr
    assert match in err, err
    assert result.stdout == ""
    return err


def test_missing_file(tmp_path):
    fails(run(tmp_path / "nope.txt", "--date", "2018-06-20"), "nope.txt: no such file")


def test_folder(tmp_path):
    fails(run(tmp_path, "--date", "2018-06-20"), "is a folder")


def test_empty_file(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    fails(run(f, "--date", "2018-06-20"), "the file is empty")
    f.write_bytes(b" \n\t\n")
    fails(run(f, "--date", "2018-06-20"), "the file is empty")


def test_binary_file(tmp_path):
    f = tmp_path / "image.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    fails(run(f, "--date", "2018-06-20"), "binary file")


def test_unknown_encoding(tmp_path):
    f = tmp_path / "latin1.txt"
    f.write_bytes("Moscow is expected to host the talks in Düsseldorf next week.".encode("cp1252"))
    fails(run(f, "--date", "2018-06-20"), "not UTF-8 text")


@pytest.mark.parametrize("encoding,bom", [("utf-8-sig", b""), ("utf-16", b""), ("utf-8", b"")])
def test_accepted_encodings(tmp_path, encoding, bom):
    f = tmp_path / "a.txt"
    f.write_bytes(bom + TEXT.encode(encoding))
    result = run(f, "--date", "2018-06-20", "--json")
    assert result.exit_code == 0, result.output
    (claim,) = json.loads(result.stdout)
    assert claim["event"] == "Moscow hosts the talks by 1 July 2018"


def test_no_date_anywhere(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    err = fails(run(f), "pass --date YYYY-MM-DD")
    assert "gives no date" in err


def test_date_found_in_the_text(tmp_path):
    f = tmp_path / "a.md"
    f.write_text("# Outlook\n\nWASHINGTON, June 20, 2018 (Reuters) - " + TEXT, encoding="utf-8")
    result = run(f, "--json")
    assert result.exit_code == 0, result.output
    assert "document date 2018-06-20" in result.stderr
    (claim,) = json.loads(result.stdout)
    assert claim["deadline"] == "2018-07-01"


def test_bad_date_is_a_usage_error(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    result = run(f, "--date", "20/06/2018")
    assert result.exit_code == 2
    assert "is not an ISO date" in result.stderr


@pytest.mark.parametrize("value", ["soon", "0d", "-5d", "12q"])
def test_bad_horizon(tmp_path, value):
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    fails(run(f, "--date", "2018-06-20", "--horizon", value), "--horizon")


@pytest.mark.parametrize("value,days", [("90d", 90), ("90", 90), ("12w", 84), ("6m", 180), ("1y", 365), ("2 weeks", 14)])
def test_horizon_units(value, days):
    assert parse_horizon(value) == days


def test_horizon_sets_the_default_deadline(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Moscow will probably retaliate.", encoding="utf-8")
    result = run(f, "--date", "2018-06-20", "--horizon", "30d", "--json")
    (claim,) = json.loads(result.stdout)
    assert (claim["deadline"], claim["deadline_source"]) == ("2018-07-20", "default horizon")


def test_no_estimative_language(tmp_path):
    f = tmp_path / "facts.txt"
    f.write_text("Russia annexed Crimea in 2014. The ceasefire has held so far.", encoding="utf-8")
    result = run(f, "--date", "2018-06-20", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "no forecasts found" in result.stderr
    out = tmp_path / "draft.yaml"
    result = run(f, "--date", "2018-06-20", "-o", out)
    assert result.exit_code == 0
    assert "empty draft written" in result.stderr
    from tracker.files.yamlio import load_yaml

    assert load_yaml(out.read_text(encoding="utf-8"))["questions"] == []


def test_output_is_not_overwritten_without_force(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "draft.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    fails(run(f, "--date", "2018-06-20", "-o", out), "already exists: pass --force")
    assert out.read_text(encoding="utf-8") == "keep me\n"
    result = run(f, "--date", "2018-06-20", "-o", out, "--force")
    assert result.exit_code == 0
    assert "questions:" in out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left


def test_nothing_written_on_error(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    out = tmp_path / "draft.yaml"
    fails(run(f, "--date", "2018-06-20", "-o", out), "empty")
    assert not out.exists()
    fails(run(tmp_path / "a.txt", "--date", "2018-06-20", "-o", tmp_path / "no" / "such" / "dir.yaml"), "no such file")
    f.write_text(TEXT, encoding="utf-8")
    fails(run(f, "--date", "2018-06-20", "-o", tmp_path / "missing" / "d.yaml"), "does not exist")
    assert list(tmp_path.iterdir()) == [f]


def test_bad_scenario_id(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "d.yaml"
    fails(run(f, "--date", "2018-06-20", "-o", out, "--id", "Not A Slug"), "is not a valid id")
    assert not out.exists()


def test_standard_input():
    result = run("-", "--date", "2018-06-20", "--json", input=TEXT.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 1


def test_standalone_command_raises_tracker_errors(tmp_path):
    result = CliRunner().invoke(extract, [str(tmp_path / "missing.txt"), "--date", "2018-06-20"])
    assert isinstance(result.exception, TrackerError)


def test_help_teaches_scales_defaults_and_examples():
    result = CliRunner().invoke(extract, ["--help"])
    assert result.exit_code == 0
    text = result.output
    for needle in ("Examples:", "tracker extract assessment.txt --date 2018-06-20", "icd203", "phia", "kent",
                   "survey", "[default: icd203]", "[default: 90d]", "set your own number", "-o"):
        assert needle in text, needle


def test_command_module_imports_no_extractor_at_import_time():
    import subprocess
    import sys

    code = ("import sys; import tracker.cli.extract_cmd; "
            "print(any(m.startswith('tracker.extract') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
