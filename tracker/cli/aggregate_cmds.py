"""``tracker aggregate`` and ``tracker recalibrate``: the team's combined
forecast, and what the team's numbers have meant."""

from __future__ import annotations

import click

from .common import db_option, emit_json, get_store, info, json_option, progress_bar, question_scope_options, table

METHODS = ("mean", "median", "logodds", "extremized")


@click.command("aggregate")
@click.argument("question", metavar="ID")
@click.option("--method", type=click.Choice(METHODS), default="extremized", show_default=True,
              help="mean, median, mean of log-odds, or the log-odds mean pushed outward by a fitted factor.")
@click.option("--factor", type=float, metavar="A", help="Use this extremizing factor instead of fitting one.")
@click.option("--horizon", "horizon", type=float, metavar="DAYS",
              help="A forecast older than DAYS at the moment counts not at all.")
@click.option("--half-life", "half_life", type=float, metavar="DAYS",
              help="A forecast counts half as much for every DAYS of age.")
@db_option
@json_option
def aggregate_cmd(question, method, factor, horizon, half_life, as_json):
    """The team's combined forecast on a question, after each forecast.

    \b
    At each moment an analyst forecast, the team's forecast combines every
    analyst's standing (latest) forecast:
      mean         the average probability
      median       the median probability
      logodds      sigmoid(mean of logit p)
      extremized   sigmoid(a x mean of logit p), a fitted on the team's other
                   resolved questions (leave-one-question-out; with fewer than
                   10 of them, a = 1: no extremizing without evidence)
    Log-odds clip probabilities into [0.01, 0.99] (counted). Categorical
    questions: the normalized geometric mean with the same factor.

    \b
    Examples:
      tracker aggregate meeting-july
      tracker aggregate meeting-july --method mean --json
      tracker aggregate meeting-july --horizon 30 --factor 2
    """
    from ..services.aggregate import question_aggregate

    with progress_bar("aggregate"):  # fitting the factor reads the team's history
        out = question_aggregate(get_store(), question, method=method, factor=factor, horizon_days=horizon,
                                 half_life_days=half_life)
    if as_json:
        emit_json(out)
        return
    if not out["points"]:
        info(f"no forecasts on {question} yet")
        return
    head = f"{out['question']}: team forecast ({method}"
    if out["factor"] is not None and method == "extremized":
        fit = out["fit"] or {}
        ci = fit.get("factor_ci")
        head += f", a = {out['factor']:.2f}" + (f" [{ci[0]:.2f}-{ci[1]:.2f}]" if ci else "")
    click.echo(head + ")")
    rows = []
    for pt in out["points"]:
        v = pt["value"]
        if isinstance(v, dict):
            v = ", ".join(f"{k}={x:.3f}" for k, x in v.items())
        rows.append([pt["at"].replace("+00:00", "Z"), pt["n"], v])
    click.echo(table(rows, ["at", "analysts", "team"]))
    if out["status"] == "resolved":
        click.echo(f"resolved: {out['outcome']}")
    for note in out["notes"]:
        info(f"note: {note}")


@click.command("recalibrate")
@click.option("--analyst", metavar="NAME", help="One analyst's final forecasts.")
@click.option("--team", is_flag=True, help="The team's extremized forecast (its factor fitted out of sample).")
@click.option("--by-phrase", is_flag=True, help="Also what each estimative phrase has meant.")
@question_scope_options
@db_option
@json_option
def recalibrate_cmd(analyst, team, by_phrase, quarter, scenario, tag, as_json):
    """What the numbers have meant: "when you say 70%, it happened 82% of the time".

    \b
    A logistic recalibration, logit P(yes) = alpha + beta x logit(p), fitted
    on the final forecasts (Mandel and Barnes 2014): beta below 1 means the
    numbers were too extreme, above 1 too timid. The curve's intervals are
    question-clustered. The recalibrated numbers' Brier score is out of
    sample: each question recalibrated by a fit that did not see it
    (leave-one-question-out up to 200 questions, else 10 folds of questions).
    Without --analyst or --team: every analyst's forecasts pooled.

    \b
    Examples:
      tracker recalibrate --analyst ana
      tracker recalibrate --team --json
      tracker recalibrate --by-phrase
      tracker recalibrate --team --quarter 2018Q3 --scenario trump-putin-2018 --tag russia
    """
    from ..services.aggregate import recalibration

    if analyst and team:
        raise click.UsageError("choose --analyst NAME or --team, not both")
    with progress_bar("recalibrate") as progress:
        out = recalibration(get_store(), analyst=analyst, team=team, by_phrase=by_phrase, quarter=quarter,
                            scenario=scenario, tag=tag, progress=progress)
    if as_json:
        emit_json(out)
        return
    click.echo(f"{out['who']}: {out['n']} forecasts on {out['n_clusters']} questions")
    if out["slope"] is not None:
        ci = out["slope_ci"]
        lean = "too extreme (overconfident)" if out["slope"] < 1 else "too timid (underconfident)"
        click.echo(f"slope {out['slope']:.2f} [{ci[0]:.2f}-{ci[1]:.2f}] ({lean} if the interval excludes 1), "
                   f"intercept {out['intercept']:.2f}")
        rows = [[f"{c['stated'] * 100:.0f}%", f"{c['happened'] * 100:.0f}%",
                 f"{c['low'] * 100:.0f}-{c['high'] * 100:.0f}%"] for c in out["curve"]]
        click.echo(table(rows, ["when you said", "it happened", f"{out['level'] * 100:.0f}% interval"]))
        click.echo(f"Brier (0-1): {out['brier']:.4f} as stated, {out['brier_oos']:.4f} recalibrated out of sample "
                   f"({out['cv']})")
    if out.get("phrases"):
        rows = [[r["phrase"], r["n"], f"{r['stated'] * 100:.0f}%", f"{r['happened'] * 100:.0f}%",
                 f"{r['low'] * 100:.0f}-{r['high'] * 100:.0f}%",
                 None if r["recalibrated"] is None else f"{r['recalibrated'] * 100:.0f}%"] for r in out["phrases"]]
        click.echo(table(rows, ["phrase", "n", "stated", "happened", "95% interval", "recalibrated"]))
    for note in out["notes"]:
        info(f"note: {note}")
