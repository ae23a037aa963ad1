"""Numbers a draft did not read from the text are marked, and ``tracker import``
refuses them until they are edited, their marks deleted, or ``--accept-defaults``."""

from __future__ import annotations

import json

import yaml

TEXT = (
    "Analysis of the summit, 20 June 2018.\n\n"
    "Moscow could push for sanctions relief at the summit on 16 July 2018. "
    "We assess that Russia will almost certainly not withdraw its forces from Crimea. "
    "Trump is likely to meet Putin in Helsinki on 16 July 2018.\n"
)


def _draft(cli, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "draft.yaml"
    cli.ok("extract", src, "--date", "2018-06-20", "-o", out)
    return out, yaml.safe_load(out.read_text(encoding="utf-8"))


def _by_phrase(doc, word):
    return next(q for q in doc["questions"] if word in (q.get("phrase") or ""))


def test_defaults_are_marked_and_text_numbers_are_not(cli, tmp_path):
    _, doc = _draft(cli, tmp_path)
    could = _by_phrase(doc, "could")
    assert could["extraction"]["unconfirmed"]["probability"]["value"] == could["forecasts"][0]["probability"]
    assert "reader-survey default for 'could'" in could["extraction"]["unconfirmed"]["probability"]["why"]
    assert "deadline" not in could["extraction"]["unconfirmed"]  # 16 July 2018 is in the text
    crimea = _by_phrase(doc, "almost certainly")
    # a stated likelihood is the text's own; the missing deadline is the default horizon (90 days)
    assert crimea["extraction"]["unconfirmed"] == {"deadline": {"value": "2018-09-18", "why": "default horizon"}}
    assert "probability" not in crimea["extraction"]["unconfirmed"]
    likely = _by_phrase(doc, "likely to")
    assert "unconfirmed" not in likely["extraction"]


def test_import_of_an_unedited_draft_refuses_naming_each_value(cli, tmp_path):
    path, doc = _draft(cli, tmp_path)
    could = _by_phrase(doc, "could")["id"]
    crimea = _by_phrase(doc, "almost certainly")["id"]
    err = cli.fails("import", path, match="not confirmed").stderr
    assert f"{could}: probability 0.45" in err and f"{crimea}: deadline 2018-09-18 (default horizon)" in err
    assert "--accept-defaults" in err
    assert json.loads(cli.ok("list", "--json").stdout) == []  # nothing written


def test_accept_defaults_imports_them(cli, tmp_path):
    path, doc = _draft(cli, tmp_path)
    cli.ok("import", path, "--accept-defaults")
    assert len(json.loads(cli.ok("list", "--json").stdout)) == len(doc["questions"])


def test_editing_the_values_or_deleting_the_marks_confirms_them(cli, tmp_path):
    path, doc = _draft(cli, tmp_path)
    could = _by_phrase(doc, "could")
    could["forecasts"][0]["probability"] = 0.3  # the analyst's own number
    crimea = _by_phrase(doc, "almost certainly")
    err = None
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    err = cli.fails("import", path, match="1 value(s)").stderr
    assert crimea["id"] in err and could["id"] not in err
    del crimea["extraction"]["unconfirmed"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    cli.ok("import", path)
    shown = json.loads(cli.ok("show", could["id"], "--json").stdout)
    assert shown["forecasts"][0]["probability"] == 0.3
