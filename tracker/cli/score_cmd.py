"""``tracker score``."""

from __future__ import annotations

import click

from .common import (
    db_option,
    emit_json,
    get_store,
    info,
    json_option,
    mode_option,
    progress_bar,
    scale_option,
    scope_options,
    table,
)


FORECAST_LABELS = {
    "live": "live forecasts only: imported history left out",
    "history": "imported history only: times claimed by the files, not witnessed",
    "all": "live forecasts and imported history together",
}


def verdict(calibration: dict) -> str:
    """The calibration slope's verdict (the same rule as the report's), Holm-adjusted across the rows shown."""
    from ..scoring import slope_verdict

    if "verdict" in calibration:
        return calibration["verdict"]
    return slope_verdict(calibration.get("slope"), calibration.get("slope_ci"), calibration.get("p_adjusted"))


@click.command("score")
@click.option("--by", type=click.Choice(["analyst", "tag", "scenario", "quarter", "question", "wep", "wep-source"]),
              help="One row per group. wep: the phrase-to-number mapping's calibration (each phrase's band middle "
                   "against its questions' outcomes, one per question); wep-source: the analysts' forecasts by "
                   "the phrase of the question's source sentence.")
@mode_option
@click.option("--bins", type=click.IntRange(1, 1000), default=10, show_default=True, help="Equal-width bins for the Murphy decomposition.")
@scope_options
@scale_option
@click.option("--exclude-after-fact", is_flag=True, help="Leave out imported forecasts recorded after the outcome became known.")
@click.option("--no-bootstrap", is_flag=True, help="Skip the bootstrap interval (faster on very large data).")
@click.option("--relative-to", type=click.Choice(["others", "median-score", "team"]), default="others", show_default=True,
              help="Reference of the relative Brier (--by analyst): the mean of the other analysts' scores on the "
                   "same questions, the median of all scores on them (Good Judgment Open's convention), or the "
                   "team's extremized forecast (fitted out of sample).")
@click.option("--team", is_flag=True, help="Add the team's combined forecasts, scored like analysts (with --by analyst or alone).")
@click.option("--method", "methods", multiple=True, type=click.Choice(["mean", "median", "logodds", "extremized"]),
              help="With --team: which aggregates (repeatable; default all four).")
@click.option("--cv", type=click.Choice(["loo", "time"]), default="loo", show_default=True,
              help="With --team: how the extremizing factor is fitted out of sample (leave-one-question-out or time-ordered).")
@db_option
@json_option
def score_cmd(by, mode, bins, quarter, analyst, tag, scenario, scale, exclude_after_fact, forecast_set, no_bootstrap,
              relative_to, team, methods, cv, as_json):
    """Score resolved questions: Brier, log score, decompositions, calibration.

    \b
    Brier: binary (p-y)^2 on 0-1 (or 0-2 with --scale 0-2); categorical
    questions are scored apart, summed over outcomes (0-2). Lower is better.
    Log score: mean -ln(probability given to what happened); lower is better.
    Skill: 1 - Brier / (base rate x (1 - base rate)); above 0 beats the base rate.
    Calibration slope (logistic recalibration): below 1 overconfident, above 1
    underconfident. Verdict "calibrated" only when its 95% interval lies inside
    0.8-1.25; over/underconfident only when significant after Holm's adjustment
    across the rows shown; else "no evidence either way". Intervals resample
    questions; none below 10 questions.
    Relative Brier (--by analyst): the analyst's score minus the mean of the
    other analysts' scores on the same questions (below 0 beats them);
    --relative-to median-score uses the median score instead (GJ Open).

    \b
    Examples:
      tracker score
      tracker score --by analyst --quarter 2018Q3
      tracker score --by wep --mode time-weighted --json
      tracker score --analyst ana --tag russia --scenario trump-putin-2018 --scale 0-2 --bins 5
      tracker score --by analyst --exclude-after-fact --no-bootstrap
      tracker score --by analyst --forecasts history
      tracker score --by wep-source --mode time-weighted --json
      tracker score --by analyst --relative-to median-score
      tracker score --by analyst --team --method extremized --method mean
      tracker score --by analyst --relative-to team
    """
    if relative_to == "team" and by != "analyst":
        raise click.UsageError("--relative-to team goes with --by analyst")
    if (methods or cv != "loo") and not (team or relative_to == "team"):
        raise click.UsageError("--method and --cv go with --team")
    if team and by not in (None, "analyst"):
        raise click.UsageError("--team goes with --by analyst (or no --by)")
    from ..services.score import score

    store = get_store()
    with progress_bar("scoring") as progress:
        result = score(store, by=by, mode=mode, bins=bins, quarter=quarter, analyst=analyst, tag=tag, scenario=scenario,
                       scale=scale, exclude_after_fact=exclude_after_fact, forecasts=forecast_set,
                       bootstrap=not no_bootstrap, relative_to=relative_to, progress=progress,
                       team=team, team_methods=list(methods) or None, team_cv=cv)
    if as_json:
        emit_json(result)
        return
    rows = result if by else [dict(result, group="all")] + result.get("team", [])
    if not any(r["n"] or r["categorical"]["n"] for r in rows):
        info("no resolved forecasts to score yet")
        return
    final = " (final)" if mode == "time-weighted" else ""  # computed from the final forecasts in that mode
    headers = [by or "", "n", f"Brier ({scale})", "95% CI", "skill", f"log{final}", f"slope{final}", f"verdict{final}"]
    if by == "analyst" or team:
        headers.insert(4, {"others": "rel. Brier (vs others)", "median-score": "rel. Brier (vs median score)",
                           "team": "vs team"}[relative_to])
    body = []
    for r in rows:
        ci = r["brier_ci"]
        line = [r["group"], r["n"], r["brier"], f"{ci[0]:.3f}-{ci[1]:.3f}" if ci else None, r["brier_skill"],
                r["log_score"], r["calibration"]["slope"], verdict(r["calibration"])]
        if by == "analyst" or team:
            line.insert(4, r.get("relative_brier"))
        body.append(line)
    shown = rows[0].get("forecasts", "all")
    click.echo(f"Scored {mode} forecasts ({FORECAST_LABELS.get(shown, shown)}); Brier on the {scale} scale, lower is better."
               + (" Columns marked (final) come from the final forecasts." if final else ""))
    click.echo(table(body, headers))
    from ..scoring.intervals import describe_methods

    click.echo(describe_methods([r.get("brier_ci_method") for r in rows],
                                [r["calibration"].get("slope_ci_method") for r in rows]))
    for r in rows:
        m, c = r["murphy"], r["corp"]
        if r["n"] and m["reliability"] is not None:
            label = f"[{r['group']}] " if by else ""
            click.echo(f"{label}{'from final forecasts: ' if final else ''}Murphy ({m['bins']} bins): REL {m['reliability']:.4f}  RES {m['resolution']:.4f}  UNC {m['uncertainty']:.4f}"
                       f"  WBV {m['within_bin_variance']:.4f}  WBC {m['within_bin_covariance']:.4f};"
                       f"  CORP: MCB {c['mcb']:.4f}  DSC {c['dsc']:.4f}  UNC {c['unc']:.4f}")
        cat = r["categorical"]
        if cat["n"]:
            label = f"[{r['group']}] " if by else ""
            rps = f", RPS {cat['rps']:.3f} on {cat['n_ordered']} ordered" if cat["rps"] is not None else ""
            kind = "time-weighted " if final else ""
            click.echo(f"{label}categorical: {cat['n']} pairs, {kind}Brier {cat['brier']:.3f} (0-2 scale){rps}")
        fit = (r.get("team") or {}).get("fit")
        if fit and fit["factor_ci"]:
            click.echo(f"[{r['group']}] extremizing factor {fit['factor']:.2f} [{fit['factor_ci'][0]:.2f}-"
                       f"{fit['factor_ci'][1]:.2f}] on {fit['n_questions']} questions; scored out of sample ({fit['cv']}),"
                       f" factors {fit['oos_factor_range'][0]:.2f}-{fit['oos_factor_range'][1]:.2f}")
        for note in r["notes"]:
            info(f"note{' [' + r['group'] + ']' if by or r.get('team') else ''}: {note}")
