"""The figure functions: the data on their axes, not their pixels.

Each figure is built with matplotlib's object API; these tests look up the
artists by their ``gid`` and compare the data they hold with the scoring
functions' results.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timezone

import numpy as np
import pytest

from tracker.report import build, figures, style
from tracker.report.data import (
    AnalystRow,
    HistorySeries,
    PhraseRow,
    QuestionHistory,
    TrendRow,
)
from tracker.scoring import reliability_binned, reliability_corp

UTC = timezone.utc


def _by_gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


def _title(ax) -> str:
    return " ".join(t for t in (ax.get_title(loc) for loc in ("left", "center", "right")) if t)


def _line(ax, gid):
    found = _by_gid(ax.lines, gid)
    assert len(found) == 1, f"expected one line {gid!r}, found {[l.get_gid() for l in ax.lines]}"
    return found[0]


@pytest.fixture
def forecasts():
    rng = np.random.default_rng(7)
    p = np.round(rng.beta(2, 2, 400), 2)
    y = (rng.random(400) < p).astype(int)
    return p, y


# ------------------------------------------------------------------ calibration


def test_calibration_axes_hold_the_binned_means_corp_curve_and_histogram(forecasts):
    p, y = forecasts
    fig = figures.calibration_figure(p, y)
    rel = next(a for a in fig.axes if a.get_gid() == "reliability")
    hist = next(a for a in fig.axes if a.get_gid() == "histogram")

    binned = reliability_binned(p, y, bins=10)
    filled = [b for b in binned.bins if b.count]
    points = _line(rel, "binned")
    np.testing.assert_allclose(points.get_xdata(), [b.mean_forecast for b in filled])
    np.testing.assert_allclose(points.get_ydata(), [b.observed_frequency for b in filled])

    # Wilson intervals: one vertical segment per filled bin, from wilson_low to wilson_high
    (bars,) = _by_gid(rel.collections, "wilson")
    segments = bars.get_segments()
    np.testing.assert_allclose([s[0][1] for s in segments], [b.wilson_low for b in filled])
    np.testing.assert_allclose([s[1][1] for s in segments], [b.wilson_high for b in filled])
    # each point labelled with its count
    labels = [t.get_text() for t in rel.texts if t.get_gid() == "count"]
    assert labels == [str(b.count) for b in filled]

    corp = reliability_corp(p, y, n_resamples=1000, seed=42)
    curve = _line(rel, "corp")
    np.testing.assert_allclose(curve.get_xdata(), corp.x)
    np.testing.assert_allclose(curve.get_ydata(), corp.fitted)
    (band,) = _by_gid(rel.collections, "corp-band")
    verts = band.get_paths()[0].vertices
    assert verts[:, 1].min() == pytest.approx(corp.lower.min())
    assert verts[:, 1].max() == pytest.approx(corp.upper.max())

    diagonal = _line(rel, "diagonal")
    assert list(diagonal.get_xdata()) == [0, 1] and list(diagonal.get_ydata()) == [0, 1]

    heights = [patch.get_height() for patch in hist.patches if patch.get_gid() == "histogram"]
    assert sum(heights) == len(p)
    title = _title(rel)
    assert "n = 400" in title and "0-1 scale" in title


def test_calibration_on_a_given_ax_draws_the_histogram_inside(forecasts):
    from matplotlib.figure import Figure

    p, y = forecasts
    fig = Figure()
    ax = fig.add_subplot()
    out = figures.calibration_figure(p, y, ax=ax)
    assert out is fig
    twin = [a for a in fig.axes if a is not ax and a.get_gid() == "histogram"]
    assert len(twin) == 1
    assert sum(patch.get_height() for patch in twin[0].patches) == len(p)
    assert _line(ax, "binned").get_xdata().size == sum(1 for b in reliability_binned(p, y).bins if b.count)


def test_calibration_with_too_few_forecasts_says_so_instead_of_a_curve():
    fig = figures.calibration_figure([0.2, 0.7, 0.9], [0, 1, 1])
    rel = next(a for a in fig.axes if a.get_gid() == "reliability")
    assert not _by_gid(rel.lines, "corp")
    messages = [t.get_text() for t in rel.texts if t.get_gid() == "message"]
    assert messages and "Too few resolved forecasts" in messages[0].replace("\n", " ")
    assert _line(rel, "binned").get_xdata().size == 3  # the points are still there


def test_calibration_with_no_forecasts_is_a_message_not_an_error():
    fig = figures.calibration_figure([], [])
    rel = next(a for a in fig.axes if a.get_gid() == "reliability")
    assert "No resolved binary forecasts" in " ".join(t.get_text() for t in rel.texts).replace("\n", " ")
    assert not _by_gid(rel.lines, "binned")


def test_calibration_rounds_many_distinct_forecasts_for_the_corp_curve():
    rng = np.random.default_rng(3)
    p = rng.random(5000)
    y = (rng.random(5000) < p).astype(int)
    data = build.calibration_data(p, y, n_resamples=50)
    assert data.corp_rounded_to == 2
    assert len(data.corp_x) <= 101
    # the binned points use the forecasts as given
    assert data.bins[0].mean_forecast == pytest.approx(p[p < 0.1].mean())


def test_calibration_grid_one_panel_per_group(forecasts):
    p, y = forecasts
    groups = [build.calibration_data(p[:200], y[:200], label="ana"),
              build.calibration_data(p[200:], y[200:], label="ben"),
              build.calibration_data(p[:4], y[:4], label="cy")]
    fig = figures.calibration_grid(groups)
    panels = [a for a in fig.axes if a.get_gid() == "reliability" and a.get_visible()]
    assert [_title(a).split(" (")[0] for a in panels] == ["ana", "ben", "cy"]
    for ax, g in zip(panels, groups):
        filled = [b for b in g.bins if b.count]
        np.testing.assert_allclose(_line(ax, "binned").get_ydata(), [b.observed_frequency for b in filled])
    assert not _by_gid(panels[2].lines, "corp")  # too few for a curve


# --------------------------------------------------------------------- history


def _dt(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


def _binary_history(status="resolved", outcome="yes"):
    return QuestionHistory(
        id="meeting-july", text="Trump and Putin meet in person by 31 July 2018", kind="binary",
        outcomes=["yes", "no"], deadline=date(2018, 7, 31), opened_at=_dt("2018-06-20"),
        series=[HistorySeries("ana", [_dt("2018-06-21"), _dt("2018-06-27")], [0.8, 0.9]),
                HistorySeries("ben", [_dt("2018-06-22")], [0.55])],
        status=status, outcome=outcome if status == "resolved" else None,
        known_at=_dt("2018-07-16") if status != "open" else None,
    )


def test_history_step_lines_hold_the_forecasts_and_mark_deadline_and_resolution():
    import matplotlib.dates as mdates

    h = _binary_history()
    fig = figures.history_figure(h)
    (ax,) = fig.axes
    ana, ben = _line(ax, "forecast:ana"), _line(ax, "forecast:ben")
    assert list(ana.get_ydata()[:2]) == [0.8, 0.9] and ana.get_ydata()[-1] == 0.9
    assert list(ben.get_ydata()[:1]) == [0.55]
    assert ana.get_drawstyle() == "steps-post"
    # the last value is carried to the moment the outcome became known
    assert mdates.date2num(ana.get_xdata()[-1]) == pytest.approx(mdates.date2num(h.known_at))
    deadline = _line(ax, "deadline")
    assert mdates.date2num(deadline.get_xdata()[0]) == pytest.approx(mdates.date2num(_dt("2018-08-01")))
    star = _line(ax, "resolution")
    assert star.get_ydata()[0] == 1.0
    assert mdates.date2num(star.get_xdata()[0]) == pytest.approx(mdates.date2num(h.known_at))
    assert "resolved yes" in _title(ax)
    # analysts are told apart by line style and marker, not by colour alone
    assert ana.get_linestyle() != ben.get_linestyle() and ana.get_marker() != ben.get_marker()


def test_history_of_an_annulled_and_of_an_open_question():
    fig = figures.history_figure(_binary_history(status="annulled"))
    ax = fig.axes[0]
    assert not _by_gid(ax.lines, "resolution") and _by_gid(ax.lines, "annulled")
    assert "annulled" in _title(ax)
    fig = figures.history_figure(_binary_history(status="open"))
    assert "not resolved yet" in _title(fig.axes[0])


def _categorical_history(status):
    vec1 = {"vienna": 0.3, "helsinki": 0.3, "elsewhere": 0.2, "no-meeting": 0.2}
    vec2 = {"vienna": 0.1, "helsinki": 0.75, "elsewhere": 0.05, "no-meeting": 0.1}
    return QuestionHistory(
        id="meeting-location", text="Where Trump and Putin meet", kind="categorical",
        outcomes=["vienna", "helsinki", "elsewhere", "no-meeting"], deadline=date(2018, 7, 31),
        opened_at=_dt("2018-06-20"), series=[HistorySeries("ana", [_dt("2018-06-21"), _dt("2018-06-27")], [vec1, vec2])],
        status=status, outcome="helsinki" if status == "resolved" else None,
        known_at=_dt("2018-07-16") if status == "resolved" else None,
    )


def test_history_of_a_resolved_categorical_question_plots_the_realized_outcome():
    fig = figures.history_figure(_categorical_history("resolved"))
    (ax,) = fig.axes
    assert list(_line(ax, "forecast:ana").get_ydata()[:2]) == [0.3, 0.75]
    assert "helsinki" in ax.get_ylabel() and "what happened" in ax.get_ylabel()


def test_history_of_an_open_categorical_question_has_one_panel_per_outcome():
    h = _categorical_history("open")
    fig = figures.history_figure(h)
    assert len(fig.axes) == 4
    for ax, outcome in zip(fig.axes, h.outcomes):
        assert outcome in ax.get_ylabel()
        assert list(_line(ax, "forecast:ana").get_ydata()[:2]) == [s[outcome] for s in h.series[0].values]
    from matplotlib.figure import Figure

    with pytest.raises(ValueError, match="one panel per outcome"):
        figures.history_figure(h, ax=Figure().add_subplot())


# ------------------------------------------------------------ trend, wep, analysts


def test_trend_one_series_per_group_with_its_intervals():
    rows = [TrendRow("2018Q2", "team", 10, 0.20, [0.15, 0.26]), TrendRow("2018Q3", "team", 12, 0.12, [0.08, 0.17]),
            TrendRow("2018Q2", "ana", 5, 0.10, [0.05, 0.16]), TrendRow("2018Q3", "ana", 6, 0.08, [0.03, 0.12])]
    fig = figures.trend_figure(rows)
    (ax,) = fig.axes
    team, ana = _line(ax, "trend:team"), _line(ax, "trend:ana")
    assert list(team.get_ydata()) == [0.20, 0.12]
    assert list(ana.get_ydata()) == [0.10, 0.08]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2018Q2", "2018Q3"]
    # forty quarters: about a dozen labelled ticks at most (here every fourth quarter)
    many = [TrendRow(f"{2010 + i // 4}Q{i % 4 + 1}", "team", 5, 0.2, [0.1, 0.3]) for i in range(40)]
    ticks = [t.get_text() for t in figures.trend_figure(many).axes[0].get_xticklabels()]
    assert ticks[:2] == ["2010Q1", "2011Q1"] and len(ticks) == 10
    assert "0-1 scale" in ax.get_ylabel()


def test_trend_rows_resample_questions_as_tracker_score_does():
    from tracker.scoring import group_interval

    rng = np.random.default_rng(0)
    qid = np.array([f"q{i}" for i in range(12)] * 2, dtype=object)  # 12 questions, two analysts each
    a = np.array(["ana"] * 12 + ["ben"] * 12, dtype=object)
    quarter = np.array(["2018Q2"] * 24, dtype=object)
    s = rng.uniform(0, 0.5, 24)
    rows = build.trend_rows(quarter, a, s, questions=qid)
    team = next(r for r in rows if r.group == "team")
    gi = group_interval(s, qid)
    assert team.brier_ci == [gi.low, gi.high] and team.brier_ci_method == "cluster-bootstrap-t"
    ana = next(r for r in rows if r.group == "ana")
    assert ana.brier_ci_method == "bootstrap-t" and ana.n == 12
    # fewer than 10 questions in a quarter: no interval
    few = build.trend_rows(quarter[:8], a[:8], s[:8], questions=qid[:8])
    assert all(r.brier_ci is None and r.brier_ci_method is None for r in few)
    assert {(r.quarter, r.group) for r in rows} == {("2018Q2", g) for g in ("team", "ana", "ben")}


def _phrase(phrase, lo, hi, freq, n):
    low, high = build.wilson(round(freq * n), n)
    return PhraseRow(phrase, "icd203", phrase, lo, hi, "test", True, n, round(freq * n), freq, low, high, 0.6,
                     "within the band", "")


def test_wep_figure_shows_each_band_and_realized_frequency():
    rows = [_phrase("likely", 0.55, 0.80, 0.6, 10), _phrase("unlikely", 0.20, 0.45, 0.5, 4)]
    fig = figures.wep_figure(rows)
    (ax,) = fig.axes
    freq = _line(ax, "frequency")
    np.testing.assert_allclose(freq.get_xdata(), [0.6, 0.5])
    bands = [p for p in ax.patches if p.get_gid() == "band"]
    np.testing.assert_allclose([b.get_x() for b in bands], [0.55, 0.20])
    np.testing.assert_allclose([b.get_width() for b in bands], [0.25, 0.25])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "'likely'" in labels[0] and "n = 10" in labels[0]


def test_wilson_interval_is_the_one_of_reliability_binned():
    low, high = build.wilson(3, 10)
    assert (low, high) == pytest.approx((0.1078, 0.6032), abs=1e-4)  # Wilson (1927), z = 1.96


def test_report_intervals_are_those_of_tracker_score_at_any_size():
    # the report once switched to Student's t intervals on the per-pair scores beyond 2,500 scores;
    # it now calls the interval function of `tracker score` for the same group, whatever the size
    from tracker.scoring import group_interval

    values = np.array([0.01, 0.04, 0.09, 0.25, 0.36, 0.16, 0.0, 0.81, 0.49, 0.64, 0.3])
    ci = group_interval(values, np.arange(values.size))
    assert build.mean_interval(values) == ([ci.low, ci.high], "bootstrap-t")
    big = np.random.default_rng(1).uniform(0, 1, 6000)
    qs = np.repeat(np.arange(1000), 6)
    gi = group_interval(big, qs)
    assert build.mean_interval(big, qs) == ([gi.low, gi.high], gi.method)
    assert build.mean_interval(values[:9]) == (None, None)  # 9 questions
    assert build.mean_interval([]) == (None, None)
    label = build.interval_label(["bootstrap-t", None])
    assert "no interval below 10 questions" in label and "studentized (bootstrap-t)" in label


def test_analysts_figure_orders_rows_and_holds_brier_and_relative():
    rows = [AnalystRow("ana", 4, 0.02, [0.01, 0.03], -0.09, [-0.13, -0.05], 0.9, None, None, "too little data"),
            AnalystRow("ben", 4, 0.15, [0.10, 0.20], 0.04, [0.01, 0.08], 0.2, None, None, "too little data"),
            AnalystRow("cy", 0, None, None, None, None, None, None, None, "no data")]
    fig = figures.analysts_figure(rows)
    (ax,) = fig.axes
    brier, rel = _line(ax, "brier"), _line(ax, "relative")
    assert list(brier.get_xdata()) == [0.02, 0.15]
    assert list(rel.get_xdata()) == [-0.09, 0.04]
    assert brier.get_ydata()[0] > brier.get_ydata()[1]  # best on top
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("ana") and "n = 4" in labels[0]


def test_relative_deviations_average_to_relative_brier():
    from tracker.scoring import relative_brier

    q = np.array(["a", "a", "a", "b", "b", "c"], dtype=object)
    who = np.array(["x", "y", "z", "x", "y", "x"], dtype=object)
    s = np.array([0.1, 0.4, 0.2, 0.0, 0.5, 0.3])
    for ref in ("others", "median-score"):
        dev = build.relative_deviations(q, who, s, ref)
        rb = relative_brier(q, who, s, relative_to=ref)
        for name in ("x", "y", "z"):
            assert np.nanmean(dev[who == name]) == pytest.approx(rb[name].value)


def test_empty_inputs_give_message_figures():
    for fig in (figures.trend_figure([]), figures.wep_figure([]), figures.analysts_figure([]),
                figures.calibration_grid([]), figures.message_figure("nothing here")):
        texts = [t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == "message"]
        assert texts, fig


# ------------------------------------------------------------------ style, output


def test_palette_is_okabe_ito_with_distinct_markers_and_line_styles():
    okabe_ito = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    styles = [style.series_style(i) for i in range(8)]
    assert {s["color"] for s in styles} == okabe_ito
    assert len({s["marker"] for s in styles}) == 8
    assert len({str(s["linestyle"]) for s in styles}) == 8

    def gray(hex_color):
        r, g, b = (int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    # neighbouring series also differ in lightness (legible in grayscale)
    luma = [gray(s["color"]) for s in styles]
    assert all(abs(a - b) > 0.1 for a, b in zip(luma, luma[1:]))


def test_dollar_signs_in_user_text_are_not_mathtext(tmp_path):
    h = _binary_history()
    h.text = "Brent above $80 and $90 by July, costs 50% more_than {x}^2"
    fig = figures.history_figure(h)
    assert "$80 and $90" in _title(fig.axes[0])
    figures.save(fig, tmp_path / "h.png")  # mathtext would fail or mangle the text here


@pytest.mark.parametrize("fmt,magic", [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_save_writes_each_format(tmp_path, forecasts, fmt, magic):
    p, y = forecasts
    path = tmp_path / f"cal.{fmt}"
    assert figures.save(figures.calibration_figure(p, y), path) == fmt
    assert path.read_bytes().startswith(magic)
    with pytest.raises(ValueError, match="unknown figure format"):
        figures.save(figures.message_figure("x"), tmp_path / "x.gif")


def test_figures_never_import_pyplot():
    code = (
        "import sys, numpy as np\n"
        "from tracker.report import figures, render\n"
        "fig = figures.calibration_figure(np.linspace(0, 1, 50), (np.arange(50) % 2))\n"
        "figures.to_bytes(fig, 'png'); figures.to_bytes(fig, 'svg')\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
