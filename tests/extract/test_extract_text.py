"""Text handling: decoding, Markdown, sentences, duplicates, time expressions,
the document date, events named in the text, ids."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.errors import FileFormatError
from tracker.extract import blocks, decode_bytes, extract_claims, find_document_date, sentences
from tracker.extract.claims import scenario_slug, slugify, suggest_id
from tracker.extract.sentences import split_block
from tracker.extract.timex import add_months, end_of_week, find_time_expressions

DOC = date(2018, 6, 20)  # a Wednesday


# --- decoding ---------------------------------------------------------------

def test_decode_variants():
    text = "Moscow will likely act."
    assert decode_bytes(text.encode("utf-8")) == text
    assert decode_bytes(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode_bytes(text.encode("utf-16")) == text  # with its byte-order mark
    assert decode_bytes(text.encode("utf-16-be").join([b"\xfe\xff", b""])) == text


@pytest.mark.parametrize(
    "data,message",
    [(b"", "empty"), (b"  \n", "empty"), (b"abc\x00def", "binary"), ("caf\xe9".encode("latin-1"), "not UTF-8 text"),
     (b"\xff\xfe\x00\x00" + "x".encode("utf-32-le"), "UTF-32")],
)
def test_decode_refuses(data, message):
    with pytest.raises(FileFormatError, match=message):
        decode_bytes(data, "f.txt")


# --- Markdown and blocks ----------------------------------------------------

def test_markdown_is_reduced_to_prose():
    md = (
        "---\ntitle: Outlook\ndate: 2018-06-20\n---\n"
        "# Russia: outlook\n\n"
        "Moscow will **very likely** expand its [presence](http://x) in Syria.\n\n"
        "- Tehran may resume talks\n- Ankara could object\n\n"
        "> We doubt that Riyadh will\n> join the talks.\n"
    )
    from tracker.extract.text import strip_front_matter

    body, meta = strip_front_matter(md)
    assert meta == {"title": "Outlook", "date": "2018-06-20"}
    got = [(b.text, b.heading) for b in blocks(body)]
    assert got == [
        ("Russia: outlook", True),
        ("Moscow will very likely expand its presence in Syria.", False),
        ("Tehran may resume talks", False),
        ("Ankara could object", False),
        ("We doubt that Riyadh will join the talks.", False),
    ]
    assert find_document_date(md) == date(2018, 6, 20)
    claims = extract_claims(md, doc_date=DOC)
    assert [c.phrase for c in claims] == ["will very likely", "may", "could", "We doubt ... will"]


def test_headline_lines_become_headings():
    got = [(b.text, b.heading) for b in blocks("Trump, Putin to meet\nUS President Trump is expected to visit.")]
    assert got == [("Trump, Putin to meet", True), ("US President Trump is expected to visit.", False)]


def test_hard_wrapped_lines_are_joined():
    got = [b.text for b in blocks("Moscow will probably expand its\npresence in the region next\nyear.")]
    assert got == ["Moscow will probably expand its presence in the region next year."]


# --- sentences --------------------------------------------------------------

@pytest.mark.parametrize(
    "text,expected",
    [
        ("U.S. officials met Gen. Mattis on Jan. 5. The talks failed.",
         ["U.S. officials met Gen. Mattis on Jan. 5.", "The talks failed."]),
        ("Sanctions were imposed by the U.S. The Kremlin responded.",
         ["Sanctions were imposed by the U.S.", "The Kremlin responded."]),
        ("Mr. Putin and Dr. Kissinger met. John F. Kennedy was mentioned.",
         ["Mr. Putin and Dr. Kissinger met.", "John F. Kennedy was mentioned."]),
        ('He said, "We will act. They know it." Then he left.',
         ['He said, "We will act. They know it."', "Then he left."]),
        ("He said, “We will act. They know it.” Then he left.",
         ["He said, “We will act. They know it.”", "Then he left."]),
        ("The leaders have had two meetings since Trump.. The next one is in July.",
         ["The leaders have had two meetings since Trump..", "The next one is in July."]),
        ("Will they meet? Probably. Talks continue!", ["Will they meet?", "Probably.", "Talks continue!"]),
        ("Growth was 1.5 percent, approx. five points lower.", ["Growth was 1.5 percent, approx. five points lower."]),
        ("It stood at No. 5 in the ranking. Analysts were surprised.",
         ["It stood at No. 5 in the ranking.", "Analysts were surprised."]),
        ("Talks ended at 5 p.m. on Friday. Nothing was agreed.",
         ["Talks ended at 5 p.m. on Friday.", "Nothing was agreed."]),
    ],
)
def test_split_sentences(text, expected):
    assert [s for s, _ in split_block(text)] == expected


def test_truncated_sentences_are_flagged():
    assert split_block("Talks began since Trump.. Then more.") == [("Talks began since Trump..", True), ("Then more.", False)]


def test_duplicates_and_truncated_teasers_are_dropped():
    text = (
        "Trump, Putin to meet\n\nTrump, Putin to meet\n"
        "Trump is expected to visit Putin in July. The leaders have met twice since Trump..\n\n"
        "Trump is expected to visit Putin in July. The leaders have met twice since Trump took office."
    )
    assert sentences(text) == [
        "Trump, Putin to meet",
        "Trump is expected to visit Putin in July.",
        "The leaders have met twice since Trump took office.",
    ]
    assert len(extract_claims(text, doc_date=DOC)) == 1


def test_dedupe_ignores_case_quotes_and_spacing():
    text = "Moscow will likely act.\n\nMOSCOW  will likely act!\n\nMoscow’s aides may object. Moscow's aides may object."
    assert sentences(text) == ["Moscow will likely act.", "Moscow’s aides may object."]


# --- time expressions -------------------------------------------------------

@pytest.mark.parametrize(
    "text,deadline,kind,bound",
    [
        ("in July", "2018-07-31", "relative expression", "in"),
        ("in June", "2018-06-30", "relative expression", "in"),  # the current month counts
        ("in May", "2019-05-31", "relative expression", "in"),
        ("by early July", "2018-07-10", "relative expression", "by"),
        ("in late August", "2018-08-31", "relative expression", "in"),
        ("July 12th", "2018-07-12", "explicit date", ""),
        ("on 12 June", "2019-06-12", "explicit date", "on"),  # the next 12 June on or after 20 June 2018
        ("on June 20", "2018-06-20", "explicit date", "on"),
        ("on Sept. 3", "2018-09-03", "explicit date", "on"),
        ("12 July 2018", "2018-07-12", "explicit date", ""),
        ("July 12, 2019", "2019-07-12", "explicit date", ""),
        ("2018-07-12", "2018-07-12", "explicit date", ""),
        ("in March 2019", "2019-03-31", "explicit date", "in"),
        ("next week", "2018-07-01", "relative expression", ""),
        ("this week", "2018-06-24", "relative expression", ""),
        ("by the end of the week", "2018-06-24", "relative expression", "by"),
        ("next month", "2018-07-31", "relative expression", "in"),
        ("this month", "2018-06-30", "relative expression", "in"),
        ("this year", "2018-12-31", "relative expression", ""),
        ("by year end", "2018-12-31", "relative expression", "by"),
        ("by the end of the year", "2018-12-31", "relative expression", "by"),
        ("next year", "2019-12-31", "relative expression", ""),
        ("early next year", "2019-04-30", "relative expression", ""),
        ("in the coming days", "2018-07-04", "relative expression", "in"),
        ("in the coming weeks", "2018-08-01", "relative expression", "in"),
        ("in the coming months", "2018-12-20", "relative expression", "in"),
        ("within 30 days", "2018-07-20", "relative expression", "within"),
        ("within two weeks", "2018-07-04", "relative expression", "within"),
        ("within the next six months", "2018-12-20", "relative expression", "within"),
        ("in the near term", "2018-12-20", "relative expression", "in"),
        ("tomorrow", "2018-06-21", "relative expression", "on"),
        ("on Monday", "2018-06-25", "relative expression", "on"),
        ("by Friday", "2018-06-22", "relative expression", "by"),
        ("next Tuesday", "2018-06-26", "relative expression", "on"),
        ("this summer", "2018-08-31", "relative expression", "in"),
        ("by winter", "2019-02-28", "relative expression", "by"),
        ("in 2019", "2019-12-31", "explicit date", "in"),
        ("by mid-2019", "2019-06-30", "explicit date", "by"),
        ("in early 2020", "2020-04-30", "explicit date", "in"),
        ("before 2020", "2019-12-31", "explicit date", "before"),
        ("in the first half of 2019", "2019-06-30", "explicit date", "in"),
        ("in the third quarter of 2019", "2019-09-30", "explicit date", "in"),
        ("Q1 2019", "2019-03-31", "explicit date", ""),
        ("before the 2020 election", "2020-12-31", "explicit date", "in"),
    ],
)
def test_time_expressions(text, deadline, kind, bound):
    (e,) = find_time_expressions(text, DOC)
    assert (e.date.isoformat(), e.kind, e.bound, e.past) == (deadline, kind, bound, False)
    assert e.is_deadline


@pytest.mark.parametrize(
    "text", ["in 2014", "since 2014", "last week", "earlier this month", "two weeks ago", "so far", "yesterday",
             "In March 2017", "last July", "previously"]
)
def test_past_expressions_are_not_deadlines(text):
    (e,) = find_time_expressions(text, DOC)
    assert e.past and not e.is_deadline


def test_before_and_after_an_event_on_a_date():
    text = "either before the NATO summit in Brussels on July 12th, or after a visit to London on July 13th"
    first, second = find_time_expressions(text, DOC)
    assert (first.date, first.bound, first.is_deadline) == (date(2018, 7, 12), "before", True)
    assert (second.date, second.bound, second.is_deadline) == (date(2018, 7, 13), "after", False)


@pytest.mark.parametrize(
    "text",
    ["Moscow may act.", "Theresa May will visit.", "They may well try.", "Prime Minister May said so.",
     "the may-or-may-not question"],
)
def test_the_verb_may_is_never_a_month(text):
    assert find_time_expressions(text, DOC) == []


def test_may_the_month_with_a_cue():
    assert [e.date for e in find_time_expressions("Theresa May may call a vote in May.", DOC)] == [date(2019, 5, 31)]
    assert [e.date for e in find_time_expressions("on May 5", DOC)] == [date(2019, 5, 5)]


def test_calendar_helpers():
    assert end_of_week(date(2018, 6, 20)) == date(2018, 6, 24)
    assert end_of_week(date(2018, 6, 24)) == date(2018, 6, 24)
    assert add_months(date(2018, 1, 31), 1) == date(2018, 2, 28)
    assert add_months(date(2018, 11, 30), 3) == date(2019, 2, 28)


# --- the document date ------------------------------------------------------

@pytest.mark.parametrize(
    "text,expected",
    [
        ("Trump, Putin to meet\n\nUS President Donald Trump is expected to visit Putin in July.", None),
        ("Outlook\n20 June 2018\n\nMoscow will likely act.", date(2018, 6, 20)),
        ("Outlook\nWednesday, June 20, 2018\n\nMoscow will likely act.", date(2018, 6, 20)),
        ("WASHINGTON, June 20, 2018 (Reuters) - Moscow will likely act before the summit.", date(2018, 6, 20)),
        ("---\ndate: 2018-06-20\n---\nMoscow will likely act.", date(2018, 6, 20)),
        ("Date: 06/20/2018\n\nMoscow will likely act.", date(2018, 6, 20)),
        ("Memo\n\nMoscow will hold a long list of events and meetings with many partners on 12 July 2018 in Sochi.",
         None),  # a date in prose is an event, not the dateline
    ],
)
def test_find_document_date(text, expected):
    assert find_document_date(text) == expected


def test_document_date_rules_work_without_dateutil(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_dateutil(name, *args, **kwargs):
        if name.startswith("dateutil"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dateutil)
    assert find_document_date("Outlook\n20 June 2018\n\nText.") == date(2018, 6, 20)
    assert find_document_date("Date: 06/20/2018\n\nText.") is None  # only dateutil reads this one


# --- events named in the text ----------------------------------------------

def test_the_upcoming_meeting_takes_the_announced_date():
    text = (
        "The two presidents are expected to meet in Helsinki in July. Their aides will meet next week "
        "for a preparatory meeting.\n\n"
        "The two presidents may discuss arms control at the upcoming meeting. They could also discuss Syria."
    )
    claims = extract_claims(text, doc_date=DOC)
    by_event = {c.event: c for c in claims}
    assert by_event["Their aides meet by 1 July 2018 for a preparatory meeting"].deadline == date(2018, 7, 1)
    arms = by_event["The two presidents discuss arms control at the upcoming meeting"]
    assert (arms.deadline, arms.deadline_source) == (date(2018, 7, 31), "event named in the text")
    syria = by_event["They discuss Syria"]
    assert (syria.deadline, syria.deadline_source) == (date(2018, 7, 31), "event named in the text")
    assert "carried" in syria.deadline_text


def test_specific_references_need_their_modifier():
    text = "The NATO summit opens on July 11th. The leaders will probably agree on new spending at the NATO summit."
    (claim,) = extract_claims(text, doc_date=DOC)
    assert (claim.deadline, claim.deadline_source) == (date(2018, 7, 11), "event named in the text")
    (claim,) = extract_claims("The NATO summit opens on July 11th. The G7 summit may fail.", doc_date=DOC)
    assert claim.deadline_source == "default horizon"


# --- ids ----------------------------------------------------------------------

def test_ids():
    assert suggest_id("US President Donald Trump", "visit", "Russian President Vladimir Putin ", month="July") == \
        "trump-visit-putin-july"
    assert suggest_id("The meeting", "take place", "in the Austrian capital, Vienna") == "meeting-vienna"
    assert suggest_id("Moscow", "attempt", "to push for some sanctions to be lifted") == "moscow-push-sanctions"
    assert suggest_id("this meeting", "take place", "either before X or after Y",
                      outcomes=["before-nato", "after-london", "neither"]) == "meeting-timing"
    assert slugify("Trump, Putin’s “summit” — 2018!") == "trump-putins-summit-2018"
    assert scenario_slug("Trump, Putin to meet", DOC) == "trump-putin-meet-2018"
    assert scenario_slug(None, DOC) == "assessment-2018"


def test_ids_are_unique():
    text = "Moscow will likely retaliate. Moscow will probably retaliate. Moscow may retaliate."
    ids = [c.id for c in extract_claims(text, doc_date=DOC)]
    assert ids == ["moscow-retaliate", "moscow-retaliate-2", "moscow-retaliate-3"]


def test_api_validates_its_arguments():
    from tracker.errors import ValidationError

    with pytest.raises(ValidationError, match="horizon"):
        extract_claims("x", doc_date=DOC, horizon_days=0)
    with pytest.raises(ValidationError, match="doc_date"):
        extract_claims("x", doc_date="2018-06-20")
    with pytest.raises(ValidationError, match="unknown scale"):
        extract_claims("x", doc_date=DOC, scale="nato")


@pytest.mark.parametrize("data, message", [
    (b"\xef\xbb\xbfq,analyst\n", None),
    ("q,analyst\n".encode("utf-16"), None),
    (b"q,ana\x00lyst\n", "binary file (NUL bytes), not text"),
    (b"\xff\xfe\x00\x00" + "q".encode("utf-32-le"), "UTF-32 text is not supported"),
    ("q,analyst,caf\xe9\n".encode("latin-1"), "not UTF-8 text (bad byte at offset 13); save it as UTF-8"),
])
def test_one_decoding_policy_for_assessments_and_imports(data, message):
    """tracker extract and every import decode a file the same way, with the same messages."""
    from tracker.errors import FileFormatError
    from tracker.extract import decode_bytes
    from tracker.importers.common_csv import decode
    from tracker.services.transfer import decode_text

    for read in (decode_bytes, decode, decode_text):
        if message is None:
            assert read(data, "f") == "q,analyst\n"
        else:
            with pytest.raises(FileFormatError) as exc:
                read(data, "f")
            assert str(exc.value).startswith("f: ") and message in str(exc.value)
