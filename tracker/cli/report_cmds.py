"""``tracker plot`` and ``tracker report``."""

from __future__ import annotations

import click

from .common import db_option, get_store, info, mode_option, progress_bar, read_date, scale_option, scope_options

PLOT_KINDS = ("calibration", "history", "trend", "wep", "analysts", "aggregate", "recalibration")
REPORT_FORMATS = ("html", "json", "md")


@click.command("plot")
@click.argument("kind", type=click.Choice(PLOT_KINDS))
@click.argument("question", required=False, metavar="[ID]")
@scope_options
@mode_option
@click.option("--by", type=click.Choice(["team", "analyst"]), default=None,
              help="calibration: one small diagram per analyst; trend: one line per analyst (default: the team).")
@scale_option
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, writable=True),
              metavar="FILE", help="Where to write the figure: FILE.png, FILE.svg or FILE.pdf.")
@db_option
def plot_cmd(kind, question, quarter, scenario, analyst, tag, forecast_set, mode, by, scale, output):
    """Draw a figure and save it (png, svg or pdf, from the file name).

    \b
    KIND:
      calibration   reliability diagram: binned points with Wilson intervals, the CORP
                    curve with its consistency band, a histogram of the forecasts
                    (--by analyst: one diagram per analyst)
      history ID    a question's forecasts over time per analyst, the deadline and
                    the resolution (the scope options do not apply)
      trend         Brier score per quarter with intervals (--by analyst: per analyst)
      wep           each estimative phrase's realized frequency against its band
      analysts      each analyst's Brier and relative Brier with intervals
      aggregate ID  the team's extremized forecast over time over each analyst's line
      recalibration "when you said x%, it happened y%" with its interval
                    (--analyst NAME; else every analyst pooled)

    \b
    Examples:
      tracker plot calibration --quarter 2018Q3 -o calibration.png
      tracker plot calibration --by analyst -o analysts-calibration.svg
      tracker plot history meeting-july -o meeting-july.pdf
      tracker plot trend --scenario trump-putin-2018 --analyst ana --tag russia --mode time-weighted \
          --scale 0-2 -o trend.png
      tracker plot aggregate meeting-july -o team-july.svg
      tracker plot recalibration --analyst ana -o ana-recalibration.png
      tracker plot calibration --forecasts history -o imported-history.png
    """
    suffix = output.rsplit(".", 1)[-1].lower() if "." in output else ""
    if suffix not in ("png", "svg", "pdf"):
        raise click.BadParameter(f"{output!r} does not end in .png, .svg or .pdf", param_hint="-o/--output")
    if kind in ("history", "aggregate") and not question:
        raise click.UsageError(f"tracker plot {kind} needs a question id: tracker plot {kind} ID -o FILE")
    if kind not in ("history", "aggregate") and question:
        raise click.UsageError(f"tracker plot {kind} takes no question id (only 'history' and 'aggregate' do)")
    if by == "analyst" and kind not in ("calibration", "trend"):
        raise click.UsageError(f"--by analyst is for calibration and trend plots, not {kind}")
    from ..report.figures import save
    from ..services.report import plot

    if kind in ("aggregate", "recalibration"):
        from ..services.aggregate import plot as plot_team

        plot = plot_team  # noqa: F811 - the team's figures live beside the team's service
    with progress_bar("plot") as progress:
        fig, message = plot(get_store(), kind, question=question, quarter=quarter, scenario=scenario, analyst=analyst,
                            tag=tag, mode=mode, by=by, scale=scale, forecasts=forecast_set, progress=progress)
        if progress is not None:
            progress("writing", 0, None)
        _save_atomically(save, fig, output, suffix)
    if message:
        info(f"note: {message}")
    info(f"wrote {output}")


def _save_atomically(save, fig, output: str, fmt: str) -> None:
    """Draw ``fig`` into a temporary file beside ``output`` and rename it into
    place, so that a failure (a full disk, a file-size limit) leaves any
    earlier file whole and no partial one."""
    import os
    from pathlib import Path

    from ..errors import TrackerError

    target = Path(output)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    try:
        save(fig, tmp, format=fmt)
        os.replace(tmp, target)
    except OSError as exc:
        raise TrackerError(f"cannot write {output}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


@click.command("report")
@scope_options
@mode_option
@scale_option
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default=None,
              help="html (one self-contained file), json or md (default: from the -o suffix, else html).")
@click.option("--images", type=click.Choice(["svg", "png"]), default="svg", show_default=True,
              help="How the HTML report embeds its figures.")
@click.option("--as-of", metavar="DATE", help="Judge what is overdue as of this date (default: today).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              metavar="FILE", help="Where to write the report (default: standard output).")
@db_option
def report_cmd(quarter, scenario, analyst, tag, forecast_set, mode, scale, fmt, images, as_of, output):
    """The team's calibration report: one self-contained HTML file (or JSON, or Markdown).

    \b
    It holds a summary (resolved, overdue, annulled; the team's Brier score with
    its interval and its skill over the base rate; the calibration verdict), the
    calibration figure, the Murphy and CORP decompositions, the per-analyst
    table, what each estimative phrase meant, the biggest surprises, the
    resolved questions with each analyst's final forecast and the evidence,
    what awaits resolution, and the trend over earlier quarters.

    \b
    Examples:
      tracker report --quarter 2018Q3 -o report.html
      tracker report --quarter 2018Q3 --format json > report.json
      tracker report --analyst ana --format md -o ana.md
      tracker report --scenario trump-putin-2018 --tag russia --mode initial --scale 0-2 \
          --images png --as-of 2018-10-01 -o report.html
      tracker report --forecasts history -o history.html
    """
    if fmt is None:
        suffix = output.rsplit(".", 1)[-1].lower() if output and "." in output else ""
        fmt = {"json": "json", "md": "md", "markdown": "md"}.get(suffix, "html")
    as_of_date = read_date(as_of, "--as-of") if as_of else None
    from ..report.render import render
    from ..services.report import build_report

    from ..services.common import paused_gc

    # the report builds hundreds of thousands of small objects, none in a cycle: no collector passes over them
    with paused_gc(freeze=True), progress_bar("report") as progress:
        data = build_report(get_store(), quarter=quarter, scenario=scenario, analyst=analyst, tag=tag, mode=mode,
                            scale=scale, as_of=as_of_date, forecasts=forecast_set, progress=progress)
        text = render(data, fmt, image_format=images, progress=progress) if fmt == "html" else render(data, fmt)
    if not output or output == "-":
        click.echo(text, nl=False)
    else:
        from .transfer_cmds import write_pieces

        write_pieces(output, [text])  # a temporary file renamed into place: a full disk leaves the old report whole
        info(f"wrote {output}")
    s = data.summary
    info(f"{s.n_resolved} resolved, {s.n_annulled} annulled, {s.n_overdue} overdue; "
         + (f"Brier {s.brier:.3f} ({data.meta.brier_scale}) over {s.n_pairs} forecasts" if s.brier is not None
            else "no resolved questions yet"))
