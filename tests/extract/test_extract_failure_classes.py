"""The failure classes found on real assessments (issue: extraction that holds on text it has
never seen). Each example is of the kind seen, not one of the held-out sentences."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.extract import extract_claims

DOC = date(2023, 2, 24)  # a Friday


def forecasts(text, doc=DOC):
    return [c for c in extract_claims(text, doc_date=doc) if c.cls == "forecast"]


def one(text, doc=DOC):
    found = forecasts(text, doc)
    assert len(found) == 1, [c.as_dict() for c in found]
    return found[0]


# --- time phrases that fell back to the default horizon
@pytest.mark.parametrize("text, deadline, source", [
    ("Russia will likely mount a new offensive over the course of the next three months.", "2023-05-24", "relative expression"),
    ("Fighting will probably continue through the spring.", "2023-05-31", "relative expression"),
    ("The ceasefire talks will likely resume before the end of the third quarter.", "2023-09-30", "relative expression"),
    ("The central bank will probably cut rates this year.", "2023-12-31", "relative expression"),
    ("Kyiv will likely receive long-range missiles by mid-2024.", "2024-06-30", "explicit date"),
    ("China may try to sway voters before the US election.", "2024-11-04", "event in a known calendar"),
    ("Russia will probably intensify its offensive during the winter.", "2023-02-28", "relative expression"),
    ("Global warming of 2C will be exceeded during the 21st century.", "2100-12-31", "relative expression"),
    ("The world will likely reach 1.5C of warming within the next two decades.", "2043-02-24", "relative expression"),
    ("Russia will rebuild its forces over the next five to ten years.", "2033-02-24", "relative expression"),
    ("Growth is expected to slow to 3.2 per cent in 2023, and further to 2.7 per cent in 2024.", "2024-12-31", "explicit date"),
    ("In 2023, the hajj will take place between 26 June and 1 July.", "2023-07-01", "explicit date"),
])
def test_time_phrases(text, deadline, source):
    c = one(text)
    assert (c.deadline.isoformat(), c.deadline_source) == (deadline, source)


@pytest.mark.parametrize("text, phrase", [
    ("Sooner or later, the West will tire of supporting Ukraine.", "Sooner or later"),
    ("The regime will at some point collapse.", "at some point"),
])
def test_open_ended_times_get_the_horizon_and_say_so(text, phrase):
    c = one(text)
    assert c.deadline.isoformat() == "2023-05-25" and c.deadline_source == "horizon for an open-ended time"
    assert c.deadline_text == phrase and "names no time" in c.note


def test_an_event_with_no_known_date_is_flagged():
    c = one("The two sides will likely agree a prisoner exchange before the summit.")
    assert c.deadline_source == "event date not known" and c.deadline_text == "before the summit"
