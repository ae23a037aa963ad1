"""Figures and the team report.

``report`` takes arrays and result objects, never a database session; every
statistic comes from :mod:`tracker.scoring` (the functions ``tracker score`` uses):

- :mod:`tracker.report.data`: the report as dataclasses;
- :mod:`tracker.report.build`: report parts from arrays (calibration data,
  verdicts, per-analyst rows, estimative phrases, surprises, trend);
- :mod:`tracker.report.assemble`: the whole report from what
  :mod:`tracker.services.report` loaded (title, counts, summary, per-analyst
  table, resolved and pending lists, surprises, trend);
- :mod:`tracker.report.plots`: the figures of ``tracker plot`` from loaded pairs;
- :mod:`tracker.report.phrases`: where an estimative phrase's band comes from;
- :mod:`tracker.report.team`: the team's combined forecast (figures and the
  report section);
- :mod:`tracker.report.figures`: matplotlib figures (object API, no pyplot);
- :mod:`tracker.report.render`: HTML (one self-contained file), Markdown and
  JSON, through the Jinja2 templates in ``templates/``;
- :mod:`tracker.report.style`: the colour-blind- and grayscale-safe palette.

Nothing heavy is imported here.
"""
